"""``jobsim.queries``: exact answers for small hand-made runs, each worked out from the Job
controller's rules in the test's docstring (zero latencies unless said otherwise)."""

from __future__ import annotations

import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.queries import (
    PodSummary,
    active_pods,
    condition_time,
    conditions,
    created_after,
    evicted_pods,
    failed_count,
    failed_pods,
    first_exit,
    max_active,
    pods,
    succeeded_pods,
    suspended_while_running,
    time_to_condition,
)
from jobsim.record import JobRecorder, Recorder
from tests.golden import SCENARIOS
from tests.helpers import job_manifest, run, scenario


@pytest.fixture(scope="module")
def exit42() -> Result:
    """backoffLimit 1, restartPolicy Never, parallelism = completions = 2, runs of 30 s except:
    attempt 0 exits 42 at 10 s, attempt 1 exits 1 at 25 s.

    - 0 s: pods A and B created and started (attempts 0 and 1).
    - 10 s: A exits 42: failed=1, not > 1. Pod-failure backoff 10 s·2^0 from A's exit: no pod
      until 20 s.
    - 20 s: the backoff expires: pod C created and started (attempt 2).
    - 25 s: B exits 1: failed=2 > 1, FailureTarget; the same sync deletes C, which exits 143
      at once (terminationDelay 0) and counts as failed because the Job is failing (failed=3);
      Failed at 25 s, no pod left terminating.
    """
    job = job_manifest(backoffLimit=1, parallelism=2, completions=2)
    script = [
        {"attempt": 0, "exitCode": 42, "after": "10s"},
        {"attempt": 1, "exitCode": 1, "after": "25s"},
    ]
    return run(scenario((job, {"duration": "30s", "script": script})))


def _names(result: Result) -> list[str]:
    return list(result.recorder.pods)


def test_runs_of_the_scripted_job(exit42: Result) -> None:
    a, b, c = _names(exit42)
    assert [(r.pod, r.attempt, r.start, r.end, r.exit_code, r.ended) for r in exit42.runs()] == [
        (a, 0, 0, 10, 42, "failed"),
        (b, 1, 0, 25, 1, "failed"),
        (c, 2, 20, 25, 143, "deleted"),
    ]


def test_active_pods_and_their_peak(exit42: Result) -> None:
    assert active_pods(exit42, "job") == [(0, 2), (10, 1), (20, 2), (25, 0)]
    assert max_active(exit42, "job") == 2


def test_failed_as_the_controller_counted_it(exit42: Result) -> None:
    assert failed_count(exit42, "job") == [(0, 0), (10, 1), (25, 3)]
    assert failed_count(exit42, "job")[-1][1] == exit42.job("job")["status"]["failed"]


def test_from_the_first_exit_42_to_failed(exit42: Result) -> None:
    run42 = first_exit(exit42, "job", 42)
    assert run42 is not None
    assert (run42.pod, run42.end) == (_names(exit42)[0], 10)
    assert condition_time(exit42, "job", "FailureTarget") == 25
    assert condition_time(exit42, "default/job", "Failed") == 25
    assert condition_time(exit42, "job", "Complete") is None
    assert time_to_condition(exit42, "job", "Failed", since=run42) == 15
    assert time_to_condition(exit42, "job", "Failed", since=5.0) == 20
    assert time_to_condition(exit42, "job", "Failed", since=26.0) is None
    assert first_exit(exit42, "job", 7) is None
    assert time_to_condition(exit42, "job", "Failed", since=first_exit(exit42, "job", 7)) is None
    assert [(c.type, c.status, c.reason, c.t) for c in conditions(exit42, "job")] == [
        ("FailureTarget", "True", "BackoffLimitExceeded", 25),
        ("Failed", "True", "BackoffLimitExceeded", 25),
    ]


def test_pods_created_after_a_failure(exit42: Result) -> None:
    a, b, c = _names(exit42)
    assert created_after(exit42, a) == [c]
    assert created_after(exit42, b) == []
    assert created_after(exit42, c) == []
    with pytest.raises(KeyError, match="no pod 'nope'"):
        created_after(exit42, "nope")


def test_pods_by_outcome(exit42: Result) -> None:
    a, b, c = _names(exit42)
    everyone = pods(exit42, "job")
    assert all(isinstance(p, PodSummary) for p in everyone)
    assert [(p.name, p.outcome, p.counted, p.exit_code) for p in everyone] == [
        (a, "failed", "failed", 42),
        (b, "failed", "failed", 1),
        (c, "deleted", "failed", 143),
    ]
    assert [p.name for p in failed_pods(exit42, "job")] == [a, b]
    assert succeeded_pods(exit42, "job") == []
    assert evicted_pods(exit42, "job") == []
    deleted = pods(exit42, "job", "deleted")[0]
    assert (deleted.created, deleted.deleted, deleted.finished) == (20, 25, 25)
    assert deleted.delete_reason == "BackoffLimitExceeded"
    assert deleted.runs == tuple(exit42.runs()[2:])
    with pytest.raises(ValueError, match="unknown pod outcome 'lost'"):
        pods(exit42, "job", "lost")


def test_unknown_jobs_are_named(exit42: Result) -> None:
    with pytest.raises(KeyError, match="its Jobs: default/job"):
        max_active(exit42, "other")
    with pytest.raises(KeyError, match="its Jobs: default/job"):
        condition_time(exit42, "other", "Failed")


def test_pod_queries_need_pod_events() -> None:
    data = scenario((job_manifest(), {"duration": "1s"}))
    r = simulate(load_scenario(data), recorder=JobRecorder())
    with pytest.raises(ValueError, match="no pod events"):
        active_pods(r, "job")
    assert condition_time(r, "job", "Complete") == 1  # Job events are kept


def test_a_terminating_pod_is_not_active_but_its_replacement_is() -> None:
    """scenarios/replacement-policy.yaml: ``kubectl delete pod`` at 60 s, 30 s to stop, default
    latencies (containerStart 1 s). eager (TerminatingOrFailed): the deleted pod is a failure at
    once, replaced after the 10 s backoff at 70 s while it still runs until 90 s; the
    replacement starts at 71 s and succeeds at 371 s. Two pods run from 71 to 90 s, yet only
    one is active. careful (Failed): replaced only 10 s after its pod is Failed at 90 s."""
    r = simulate(load_scenario(SCENARIOS / "replacement-policy.yaml"))
    assert active_pods(r, "eager") == [(0, 1), (60, 0), (70, 1), (371, 0)]
    assert max_active(r, "eager") == 1
    [old, new] = pods(r, "eager")
    assert created_after(r, old.name) == [new.name]
    assert (new.created, old.finished) == (70, 90)
    [old2, new2] = pods(r, "careful")
    assert created_after(r, old2.name) == [new2.name]
    assert new2.created == 100


def test_an_evicted_pod() -> None:
    """n-0 stops reporting at 10 s: NotReady at 60 s (nodeMonitorGracePeriod 50 s), its pod
    evicted at 360 s (defaultTolerationSeconds 300 s: DisruptionTarget, then DELETE) and
    counted failed; the replacement runs on n-1."""
    events = [{"at": "10s", "nodeDown": "n-0"}]
    r = run(scenario((job_manifest(), {"duration": "1000s"}), nodes=2, events=events))
    [evicted] = evicted_pods(r, "job")
    assert (evicted.node, evicted.deleted) == ("n-0", 360)
    assert (evicted.disruption, evicted.delete_reason) == ("DeletionByTaintManager",) * 2
    assert evicted.counted == "failed"
    assert [p.node for p in succeeded_pods(r, "job")] == ["n-1"]
    assert failed_pods(r, "job") == []


def test_suspending_deletes_running_pods_and_that_is_not_running_while_suspended() -> None:
    """Parallelism 2, 100 s runs, terminationDelay 10 s; suspended at 30 s, resumed at 60 s.
    At 30 s the controller deletes both pods (not counted); their containers stop at 40 s, while
    the Job is suspended, but being deleted they do not count. At 60 s two new pods start and
    succeed at 160 s."""
    job = job_manifest(parallelism=2, completions=2)
    events = [{"at": "30s", "suspend": "job"}, {"at": "60s", "resume": "job"}]
    wl = {"duration": "100s", "terminationDelay": "10s"}
    r = run(scenario((job, wl), events=events))
    assert [(x.attempt, x.start, x.end, x.ended) for x in r.runs()] == [
        (0, 0, 40, "deleted"),
        (1, 0, 40, "deleted"),
        (2, 60, 160, "succeeded"),
        (3, 60, 160, "succeeded"),
    ]
    assert active_pods(r, "job") == [(0, 2), (30, 0), (60, 2), (160, 0)]
    assert condition_time(r, "job", "Suspended") == 30
    assert condition_time(r, "job", "Suspended", status="False") == 60
    assert not suspended_while_running(r, "job")
    assert failed_count(r, "job") == [(0, 0)]


def test_a_golden_suspend_is_not_running_while_suspended() -> None:
    r = simulate(load_scenario(SCENARIOS / "suspend.yaml"))
    assert not suspended_while_running(r, "batch")


def _suspended_job_record(*, deleted_at: float | None) -> Result:
    """A hand-written record: a Job created suspended, and a pod that starts at 5 s anyway
    (what a broken controller would do); the run ends at 20 s."""
    rec = Recorder()
    rec.job_submitted(0, "default/j", "j", "default", {"suspend": True})
    rec.pod_created(5, "j-a", "default/j", None)
    rec.pod_scheduled(5, "j-a", "n-0")
    rec.container_started(5, "j-a", 0, 0)
    if deleted_at is not None:
        rec.pod_deleted(deleted_at, "j-a", "JobSuspended", False)
    return Result("hand", 0, 20.0, rec)


def test_a_container_running_while_suspended_is_caught() -> None:
    assert suspended_while_running(_suspended_job_record(deleted_at=None), "j")
    assert suspended_while_running(_suspended_job_record(deleted_at=8.0), "j")
    # Deleted in the instant it started: it never ran undeleted while suspended.
    assert not suspended_while_running(_suspended_job_record(deleted_at=5.0), "j")
