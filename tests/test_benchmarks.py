"""``benchmarks/run.py`` runs and writes its JSON (a smoke test: its figures are timings)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run as bench
from benchmarks.run import DEFAULT_CASES, MILLION, REFERENCE, Case, Row, cost, main, measure
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


def _row(pods: int, seconds: float, ref: tuple[int, float, float] | None = None) -> Row:
    return Row(
        10_000, 100, False, False, pods, seconds, 1.0, 1.0, 0, 0, 0, 0.0, None, None, 0.0,
        False, *(ref or (None, None, None)),
    )  # fmt: skip


def test_cost_is_against_the_reference_timed_beside_the_row() -> None:
    reference = _row(100, 2.0)  # 0.02 s a pod
    assert cost(reference, reference) == 1.0
    assert cost(_row(1000, 40.0), reference) == 2.0  # no reference timed beside: the row's
    assert cost(_row(1000, 40.0, (100, 4.0, 2.0)), reference) == 1.0  # beside it: 0.04 s a pod
    assert cost(_row(1000, 40.0, (100, 4.0, 2.0)), reference, single=True) == 2.0
    assert cost(_row(1000, 40.0, (100, 4.0, 2.0)), None) == 1.0
    assert cost(_row(1000, 40.0), None) is None


def test_the_reference_runs_for_as_long_as_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back-to-back runs until they add up to the row's seconds (at least one), their mean;
    ``single`` is the least of each call's first run (one run a round, as the cost's
    denominator was before)."""
    times = iter([0.5, 0.125, 1.0, 0.5, 3.0, 0.75])
    monkeypatch.setattr(bench, "_full_seconds", lambda scenario: next(times))
    sustained = bench.Sustained(None, 2.0)  # type: ignore[arg-type]
    assert sustained(0.375) == (0.375 + 0.5 + 0.125 + 1.0) / 4  # the first run, given, then 3
    assert sustained.single == 0.375  # not 0.125: a later run of the round
    assert sustained() == (0.5 + 3.0) / 2
    assert sustained.single == 0.375
    assert bench.Sustained(None, 0.0)() == 0.75  # type: ignore[arg-type]


@pytest.mark.slow  # five rounds of four runs, 1.5 s: not in make check
def test_measure_times_the_reference_in_the_rows_rounds() -> None:
    small, ref = Case(60, 2), Case(30, 2)
    row = measure(small, memory=False, reference=ref)
    assert row.ref_pods == measure(ref, memory=False).pods and row.ref_seconds is not None
    assert measure(ref, memory=False, reference=ref).ref_seconds is None  # the reference itself


def test_the_first_reference_run_follows_the_rows_first_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The 1 M-pod row has one round, and its bare model takes minutes: the reference is timed
    # right after the row's run, before the NullRecorder's run and the bare model's.
    calls: list[str] = []
    small, ref = Case(60, 2), Case(30, 2)
    real_full, real_null, real_bare = bench.run_full, bench.run_jobsim, bench.run_bare

    def full(scenario: Any) -> Any:
        run = real_full(scenario)
        calls.append(f"full {run.pods}")
        return run

    def null(scenario: Any) -> Any:
        calls.append("null")
        return real_null(scenario)

    def bare(durations: Any, capacity: int) -> float:
        calls.append("bare")
        return real_bare(durations, capacity)

    monkeypatch.setattr(bench, "run_full", full)
    monkeypatch.setattr(bench, "run_jobsim", null)
    monkeypatch.setattr(bench, "run_bare", bare)

    def first_round(fns: Any, *, firsts: list[float], twice: tuple[int, ...]) -> list[float]:
        assert twice == (0, 3)  # the row's run and its reference, not the bare model's minutes
        return list(firsts)

    monkeypatch.setattr(bench, "best_of_rounds", first_round)
    row = measure(small, memory=False, reference=ref)
    assert row.ref_pods is not None and row.pods != row.ref_pods
    references = len(calls) - 3  # back to back for as long as the row's run: one or more
    assert references >= 1
    assert calls == [f"full {row.pods}", *[f"full {row.ref_pods}"] * references, "null", "bare"]


def test_twice_times_those_again_when_one_round_spent_the_budget() -> None:
    # The 1 M-pod row's first round spends the budget: its run and its reference (positions
    # 0 and 3) are timed once more, the NullRecorder and the bare model (minutes) are not.
    calls: list[int] = []

    def fn(i: int, seconds: float) -> Callable[[], float]:
        def timed() -> float:
            calls.append(i)
            return seconds

        return timed

    fns = [fn(0, 9.0), fn(1, 1.0), fn(2, 1.0), fn(3, 12.0)]
    best = bench.best_of_rounds(fns, firsts=[10.0, 2.0, 3.0, 11.0], budget=15.0, twice=(0, 3))
    assert calls == [0, 3]
    assert best == [9.0, 2.0, 3.0, 11.0]
    calls.clear()  # two rounds already: nothing more
    fns = [fn(0, 1.0), fn(1, 1.0), fn(2, 1.0), fn(3, 1.0)]
    best = bench.best_of_rounds(fns, firsts=[2.0, 2.0, 2.0, 2.0], budget=10.0, twice=(0, 3))
    assert calls == [0, 1, 2, 3]
    assert best == [1.0, 1.0, 1.0, 1.0]
