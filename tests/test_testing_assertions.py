"""The assertion helpers: they pass on what the controller's rules give, and fail with a
message that says what was expected, what the run did, its timeline and its scenario."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim import Result, load_scenario, simulate
from jobsim.record import Recorder
from jobsim.testing import (
    JobsimFailure,
    assert_failed_pods_at_most,
    assert_invariants,
    assert_max_active,
    assert_terminal,
    condition_time,
    first_exit,
    run,
    time_to_condition,
)
from jobsim.testing.checker import replay
from tests.helpers import job_manifest, scenario

SCRIPT = [
    {"attempt": 0, "exitCode": 42, "after": "10s"},
    {"attempt": 1, "exitCode": 1, "after": "25s"},
]


@pytest.fixture(scope="module")
def exit42() -> Result:
    """The run of tests/test_queries.py's ``exit42`` (backoffLimit 1, parallelism 2, attempt 0
    exits 42 at 10 s, attempt 1 exits 1 at 25 s; zero latencies): pods A, B from 0 s, C from
    20 s (after the 10 s backoff), FailureTarget and Failed (BackoffLimitExceeded) at 25 s
    with failed=3 (C, deleted while the Job fails, counts)."""
    job = job_manifest(backoffLimit=1, parallelism=2, completions=2)
    data: dict[str, Any] = scenario((job, {"duration": "30s", "script": SCRIPT}))
    return run(data)


def _message(info: pytest.ExceptionInfo[AssertionError]) -> tuple[str, str]:
    first, _, rest = str(info.value).partition("\n\n")
    return first, rest


def test_max_active(exit42: Result) -> None:
    assert_max_active(exit42, "job", 2)
    with pytest.raises(AssertionError) as info:
        assert_max_active(exit42, "job", 1)
    a, b, _ = exit42.recorder.pods
    first, rest = _message(info)
    assert first == f"Job job had 2 active pods at t=0s, more than 1: {a}, {b}"
    assert rest.startswith("Timeline of Job job (jobsim explain), seed 1:\n")
    assert (
        "Scenario (save it as falsifying.yaml; `jobsim explain falsifying.yaml --job job`" in rest
    )


def test_terminal(exit42: Result) -> None:
    assert_terminal(exit42, "job", "Failed", reason="BackoffLimitExceeded", within=25)
    assert_terminal(exit42, "job", "FailureTarget", within="15s", since=10.0)
    with pytest.raises(AssertionError) as info:
        assert_terminal(exit42, "job", "Failed", reason="PodFailurePolicy")
    assert _message(info)[0] == (
        "Job job got Failed=True at 25s with reason BackoffLimitExceeded, not PodFailurePolicy: "
        "Job has reached the specified backoff limit"
    )
    with pytest.raises(AssertionError) as info:
        assert_terminal(exit42, "job", "Failed", within="14s", since=10)
    assert _message(info)[0] == "Job job got Failed=True at 25s, 15s after 10s: more than 14s"
    with pytest.raises(AssertionError) as info:
        assert_terminal(exit42, "job", "Complete")
    assert _message(info)[0] == (
        "Job job never got Complete=True by the end of the run at 25s; its conditions: "
        "FailureTarget=True (BackoffLimitExceeded) at 25s, Failed=True (BackoffLimitExceeded) "
        "at 25s"
    )
    with pytest.raises(ValueError, match="condition must be one of"):
        assert_terminal(exit42, "job", "Suspended")
    with pytest.raises(ValueError, match="within must not be negative, got -1"):
        assert_terminal(exit42, "job", "Failed", within=-1)


def test_failed_pods_at_most(exit42: Result) -> None:
    assert_failed_pods_at_most(exit42, "job", 3)
    a, b, c = exit42.recorder.pods
    with pytest.raises(AssertionError) as info:
        assert_failed_pods_at_most(exit42, "default/job", 2)
    assert _message(info)[0] == (
        f"Job default/job has failed=3, more than 2: {a} (failed, exit 42), "
        f"{b} (failed, exit 1), {c} (deleted, exit 143)"
    )


def test_unknown_jobs_are_named(exit42: Result) -> None:
    with pytest.raises(KeyError, match="nope"):
        assert_max_active(exit42, "nope", 1)


def test_invariants_of_a_plain_simulate_and_of_a_tampered_record(exit42: Result) -> None:
    assert_invariants(exit42)
    assert_invariants(simulate(load_scenario("scenarios/backoff.yaml")))
    # One pod too many: a copy of the record with a third pod created at 0 s, after A and B.
    rec = Recorder()
    replay(exit42.recorder, rec, stop=6)
    rec.pod_created(0.0, "intruder", "default/job", None)
    replay(exit42.recorder, rec, start=6)
    tampered = Result(exit42.scenario, exit42.seed, exit42.end, rec)
    with pytest.raises(AssertionError) as info:
        assert_invariants(tampered)
    first, rest = _message(info)
    assert first == (
        "invariant broken at t=0s: job default/job has 3 active pods, parallelism 2 "
        "(created intruder)"
    )
    assert rest.startswith("Timeline of every Job (jobsim explain)")


def test_inside_hypothesis_the_report_comes_once_as_a_note() -> None:
    job = job_manifest(backoffLimit=1, parallelism=2, completions=2)
    data: dict[str, Any] = scenario((job, {"duration": "30s", "script": SCRIPT}))

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just(data))
    def prop(scenario: dict[str, Any]) -> None:
        assert_max_active(run(scenario), "job", 1)

    with pytest.raises(AssertionError) as info:
        prop()
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("Job job had 2 active pods at t=0s, more than 1: ")
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert notes.count("Timeline of every Job (jobsim explain), seed 1:") == 1
    assert notes.count("Scenario (save it as falsifying.yaml;") == 1


def test_the_failure_holds_the_run_and_its_scenario(exit42: Result) -> None:
    with pytest.raises(JobsimFailure) as info:
        assert_max_active(exit42, "job", 1)
    assert info.value.result is exit42
    assert info.value.result.source is not None
    assert info.value.result.source["jobs"][0]["workload"]["script"] == SCRIPT


def test_arguments_are_checked_and_a_run_may_be_the_start(exit42: Result) -> None:
    run42 = first_exit(exit42, "job", 42)
    assert run42 is not None and run42.end == 10
    assert_terminal(exit42, "job", "Failed", within=15, since=run42)
    with pytest.raises(AssertionError, match="25s, 15s after 10s: more than 14s"):
        assert_terminal(exit42, "job", "Failed", within=14, since=run42)
    with pytest.raises(ValueError, match="within must not be negative"):
        assert_terminal(exit42, "job", "Failed", within="-5s")
    with pytest.raises(ValueError, match="unknown Job condition type 'Faild': expected one of"):
        condition_time(exit42, "job", "Faild")
    with pytest.raises(ValueError, match="unknown Job condition type"):
        time_to_condition(exit42, "job", "failed", since=0.0)
    with pytest.raises(TypeError, match="looks like YAML text"):
        run("apiVersion: batch/v1\nkind: Job\n")
