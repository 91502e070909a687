"""``benchmarks/run.py`` runs and writes its JSON (a smoke test: its figures are timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.run import DEFAULT_CASES, MILLION, REFERENCE, Case, main
from jobsim import load_scenario


def test_default_rows_are_issue_14s() -> None:
    # 10 k and 100 k completions on 100 nodes, 10 k on 1 000 and 10 000 nodes, 1 M on 1 000
    # with a node outage, one Indexed Job of 100 k; the cost column is relative to the first.
    # Then the first on the real control plane (issue 17: the cost per pod with every
    # mechanism on); the others run on the ideal one, as the bare model.
    rows = [(c.completions, c.nodes, c.outage, c.indexed, c.real) for c in DEFAULT_CASES]
    assert rows == [
        (10_000, 100, False, False, False),
        (100_000, 100, False, False, False),
        (10_000, 1000, False, False, False),
        (10_000, 10_000, False, False, False),
        (1_000_000, 1000, True, False, False),
        (100_000, 100, False, True, False),
        (10_000, 100, False, False, True),
    ]
    assert load_scenario(REFERENCE.scenario(seed=1)).controlPlane == "ideal"
    real = load_scenario(DEFAULT_CASES[6].scenario(seed=1))
    assert real.controlPlane == "real" and real.timing.kubeAPIQPS == 20
    assert DEFAULT_CASES[0] == REFERENCE and DEFAULT_CASES[4] == MILLION
    assert (REFERENCE.completions, REFERENCE.nodes) == (10_000, 100)
    assert (MILLION.completions, MILLION.nodes, MILLION.outage) == (1_000_000, 1000, True)


def test_indexed_case_is_one_job() -> None:
    scenario = load_scenario(Case(3_000, 10, indexed=True).scenario(seed=1))
    [job] = scenario.jobs
    assert job.manifest is not None
    spec = job.manifest["spec"]
    assert (spec["completions"], spec["parallelism"]) == (3000, 1000)
    assert spec["completionMode"] == "Indexed"


@pytest.mark.slow
def test_quick_run_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    main(["--quick", "--no-memory", "--no-commands", "--json", str(out)])
    data = json.loads(out.read_text())
    [row] = data["rows"]
    assert (row["completions"], row["nodes"]) == (2000, 20)
    assert row["entries_per_pod"] > 7  # 7 per pod, plus nodes, Jobs and backoffs
    assert row["peak_rss"] is None and data["commands"] == []
    assert {"cpu", "cores", "python", "commit", "date"} <= data["machine"].keys()
