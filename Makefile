# The README's commands: `make demo`, `make test` and `make check`. All set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck pytest golden bench bench-extra clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/jobsim run scenarios/pi.yaml

test: $(STAMP) lint typecheck pytest

# The fast loop: lint, types and every test not marked slow (under a minute on 2 cores).
check: $(STAMP) lint typecheck
	$(BIN)/pytest -q -m "not slow" -n 2  # two workers (pytest-xdist): under a minute

lint: $(STAMP)
	$(BIN)/ruff check jobsim tests benchmarks examples
	$(BIN)/ruff format --check jobsim tests benchmarks examples
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# examples/ is what a user copies: run as they would, with the derandomized `ci` profile.
pytest: $(STAMP)
	$(BIN)/pytest -q
	$(BIN)/pytest -q examples --hypothesis-profile=ci

golden: $(STAMP)
	$(BIN)/python -m tests.golden --regenerate

# One table (pods/s against bare SimPy, memory, the commands' times), also written to
# benchmarks/results.json; about 6 minutes on 2 cores (ARGS=--no-million: about 1).
bench: $(STAMP)
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
