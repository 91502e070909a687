"""Durations in error and assertion messages are written as Go writes a time.Duration
(``1m30s``, ``500ms``, ``2h0m0s``), as the timelines are (issue 12, part 3); the data (JSON,
CSV, metric names) keeps numbers of seconds. Each expected text is Go's Duration.String of
the number the test sets up: 90.5 s is ``1m30.5s``, 0.5 s ``500ms``, 5400 s ``1h30m0s``."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Result, ScenarioError, load_scenario
from jobsim.experiment import SearchResult, metric
from jobsim.experiment.metrics import deadline_hits
from jobsim.testing import assert_terminal, run
from tests.helpers import job_manifest, scenario


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    return info.value.lines


def test_scenario_problems() -> None:
    data = scenario((job_manifest(completions=2, parallelism=2), {"duration": "10s"}))
    data["events"] = [{"at": 90.5, "scale": {"job": "job", "completions": 3}}]
    assert _problems(data) == [
        "<scenario>: events[0].scale: spec.completions: Invalid value: 3: field is immutable "
        "(at 1m30.5s)"
    ]
    data = scenario((job_manifest(), {"duration": {"uniform": {"min": "1m30s", "max": 0.5}}}))
    assert _problems(data) == [
        "<scenario>: jobs[0].workload.duration: uniform: max (500ms) must not be less than "
        "min (1m30s)"
    ]


@pytest.fixture(scope="module")
def failed() -> Result:
    """tests/test_testing_assertions.py's run: Failed (BackoffLimitExceeded) at 25 s."""
    script = [
        {"attempt": 0, "exitCode": 42, "after": "10s"},
        {"attempt": 1, "exitCode": 1, "after": "25s"},
    ]
    job = job_manifest(backoffLimit=1, parallelism=2, completions=2)
    return run(scenario((job, {"duration": "30s", "script": script})))


def test_assertion_messages(failed: Result) -> None:
    with pytest.raises(AssertionError) as info:
        assert_terminal(failed, "job", "Failed", within="500ms", since=24)
    # Failed at 25 s is 1 s after 24 s: more than 0.5 s
    first = str(info.value).partition("\n\n")[0]
    assert first == "Job job got Failed=True at 25s, 1s after 24s: more than 500ms"


@pytest.mark.parametrize(
    ("name", "bound", "shown"),
    [("makespan", 5400.0, "≤ 1h30m0s"), ("makespan", 90.0, "≤ 1m30s"), ("jobs_failed", 2.0, "≤ 2")],
)
def test_a_search_states_its_bound(name: str, bound: float, shown: str) -> None:
    found = SearchResult("nodes", name, 0.95, bound, True, 0.95, answer=3, runs=10)
    assert found.describe() == (
        f"nodes = 3 is the fewest that meets p95 {name} {shown} (95% confidence); 10 runs"
    )


def test_metric_names_stay_as_data() -> None:
    """A metric's name is a column of the sweep's tables (data): as written on the command
    line, or in seconds; its doc is words."""
    assert metric("deadline_hits:2h").name == "deadline_hits:2h"
    m = deadline_hits(7200.0)
    assert m.name == "deadline_hits:7200s"
    assert m.doc == "share of Jobs Complete by 2h0m0s"
