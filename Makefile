# The README's commands: `make demo`, `make test` and `make check`. All set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck pytest pytest-light golden bench bench-interpreted \
	bench-extra clean compiled test-compiled compiled-tests compiled-notebooks

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	JOBSIM_MYPYC=0 $(BIN)/pip install --quiet -e '.[dev]'  # pure Python: see make compiled
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/jobsim run scenarios/pi.yaml

# Every test on two workers, with the compiled core building beside them, then the fast tests
# again on the compiled core, and the notebooks (the tests marked heavy) there: the
# capacity-planning notebook's 551 simulations take 2 minutes compiled, 6 interpreted.
test: $(STAMP) lint typecheck
	$(MAKE) -j2 --output-sync=target pytest-light compiled
	$(MAKE) compiled-tests compiled-notebooks

# The fast loop: lint, types and every test not marked slow, nor running the at-scale scenario
# (marked scale by tests/conftest.py), on two workers: under a minute on 2 cores.
check: $(STAMP) lint typecheck
	$(BIN)/pytest -q -n 2 --dist worksteal -m "not slow and not scale"

lint: $(STAMP)
	$(BIN)/ruff check jobsim tests benchmarks examples setup.py
	$(BIN)/ruff format --check jobsim tests benchmarks examples setup.py
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test on the interpreted core: the light ones, then the notebooks (marked heavy).
pytest: pytest-light
	$(BIN)/pytest -q -n 2 -m heavy tests/test_notebooks.py

# Two workers that steal each other's pending tests; the notebooks left to make test's compiled
# run. examples/ is what a user copies: run as they would, with the derandomized `ci` profile.
pytest-light: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist worksteal -m "not heavy"
	$(BIN)/pytest -q examples --hypothesis-profile=ci

golden: $(STAMP)
	$(BIN)/python -m tests.golden --regenerate

# The simulation core compiled with mypyc (setup.py, as `JOBSIM_MYPYC=1 pip install .` builds
# it) in a copy of the checkout, beside its sources: about 1.5 minutes.
COMPILED := build/compiled
compiled: $(STAMP)
	rm -rf $(COMPILED) && mkdir -p $(COMPILED)
	git ls-files -co --exclude-standard -z > build/compiled.files
	tar --null --ignore-failed-read -T build/compiled.files -cf build/compiled.tar
	tar -xf build/compiled.tar -C $(COMPILED) && rm build/compiled.files build/compiled.tar
	cd $(COMPILED) && JOBSIM_MYPYC=1 ../../$(BIN)/python setup.py -q build_ext --inplace

# The fast tests again on the compiled core: the same results, byte for byte (about a minute).
# tests/test_sync_counts.py and test_pending_scan.py replace a module's function, which
# compiled callers do not see.
test-compiled: compiled
	$(MAKE) compiled-tests

compiled-tests:
	cd $(COMPILED) && JOBSIM_EXPECT_COMPILED=1 PYTHONPATH=. ../../$(BIN)/pytest -q -n 2 \
		-p no:cacheprovider -m "not slow" --deselect tests/test_sync_counts.py \
		--deselect tests/test_pending_scan.py

# The notebooks on the compiled core: their kernels (and the processes of their sweeps) import
# it by the absolute PYTHONPATH, and the test checks they do.
compiled-notebooks:
	cd $(COMPILED) && JOBSIM_EXPECT_COMPILED=1 PYTHONPATH=$(CURDIR)/$(COMPILED) \
		../../$(BIN)/pytest -q -n 2 -p no:cacheprovider -m heavy tests/test_notebooks.py

# One table (pods/s against bare SimPy, memory, the commands' times) of the compiled core, also
# written to benchmarks/results.json; about 7 minutes on 2 cores (ARGS=--no-million: about 2).
bench: compiled
	PYTHONPATH=$(COMPILED) $(BIN)/python benchmarks/run.py $(ARGS)

# The same of the interpreted core (what an editable install runs).
bench-interpreted: $(STAMP)
	$(BIN)/python benchmarks/run.py $(ARGS)

# What each control-plane mechanism adds to the makespan of scenarios/at-scale.yaml: the
# README's table (about 15 s).
.PHONY: control-plane-table
control-plane-table: $(STAMP)
	$(BIN)/python benchmarks/control_plane.py

# Sweeps and property tests: runs per second and examples per second.
bench-extra: $(STAMP)
	$(BIN)/python benchmarks/sweep.py
	$(BIN)/python benchmarks/properties.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The README's timelines: regenerate after a change of behaviour or of the plots.
.PHONY: docs-images
docs-images: $(STAMP)
	mkdir -p docs/images
	$(BIN)/jobsim plot scenarios/pi.yaml -o docs/images/pi-timeline.png
	$(BIN)/jobsim plot scenarios/backoff.yaml -o docs/images/backoff-timeline.png
	$(BIN)/jobsim plot scenarios/node-failure.yaml -o docs/images/node-failure-timeline.png
	$(BIN)/jobsim plot scenarios/elastic.yaml --by summary -o docs/images/elastic-summary.png
	$(BIN)/jobsim compare scenarios/teaching/compare/backoff-limit.yaml \
		--set 'jobs[flaky].manifest.spec.backoffLimit=6' -o docs/images/compare-backoff-limit.png > /dev/null
	$(BIN)/jobsim sweep notebooks/nightly-batch.yaml --vary 'cluster.nodePools[worker].count=22..32:2' \
		--replications 80 --metric makespan --bound 2h --quiet --out .sweep-images > docs/images/sweep.txt
	cp .sweep-images/makespan.png docs/images/sweep-makespan.png
	cp .sweep-images/makespan-paired.png docs/images/sweep-paired.png
	rm -rf .sweep-images
