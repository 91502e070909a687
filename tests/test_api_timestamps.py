"""API timestamps in whole seconds (``timing.apiTimestampPrecision: 1s``, issue 17 item 4).

Expected times are derived from upstream, not printed by the code:

* ``metav1.Time`` (apimachinery ``pkg/apis/meta/v1/time.go`` ``MarshalJSON``/``Rfc3339Copy``,
  ``time_proto.go`` ``ProtoTime``/``Unmarshal``) keeps whole seconds, so a time the controller
  reads back from the API is the second at or before the real one;
* ``backoff_utils.go``: ``getRemainingTime`` = ``backoff - (now - lastFailureTime)`` with
  ``lastFailureTime`` = ``getFinishedTime`` (read from the pod, so whole seconds) and ``now``
  the controller's exact clock; backoff ``10 s * 2^(n-1)``;
* ``job_controller.go`` ``syncJob``: ``startTime`` is set to ``clock.Now()`` in memory, the
  ``activeDeadlineSeconds`` requeue of that sync is computed from it, later syncs read the
  stored one (``pastActiveDeadline``: ``clock.Since(startTime) >= activeDeadlineSeconds``);
* ``ttlafterfinished_controller.go`` ``timeLeft``: the ``Complete``/``Failed`` condition's
  ``lastTransitionTime`` + ``ttlSecondsAfterFinished`` - now, deleted at once when ``<= 0``.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Result, ScenarioError, load_scenario, simulate
from jobsim.k8s.apitime import rfc3339_copy, stored_time
from jobsim.scenario import Timing
from jobsim.testing import run as run_checked
from tests.helpers import ZERO, condition_times, created_times, job_manifest, run, scenario

WHOLE = {**ZERO, "apiTimestampPrecision": "1s"}
FAIL = {"exitCode": 1, "after": "10.7s"}


def timing(precision: str, **more: Any) -> dict[str, Any]:
    """Zero latencies, the given precision, and ``more``."""
    return {**ZERO, "apiTimestampPrecision": precision, **more}


# -- metav1.Time's round trip -----------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "fraction", "stored"),
    [
        (10.7, 0.0, 10.0),  # the fraction of a second is dropped
        (10.0, 0.0, 10.0),  # a whole second stays
        (0.999, 0.0, 0.0),
        (19.999999999999996, 0.0, 20.0),  # float round-off: 20 s in whole nanoseconds
        (20.0 - 1e-9, 0.0, 19.0),  # one nanosecond before is still the second before
        (0.7, 0.25, -0.25),  # wall clock .25 s past a second: 0.95 s past it -> that second
        (0.8, 0.25, 0.75),  # 1.05 s past it -> the next second, 0.75 s of virtual time
    ],
)
def test_rfc3339_copy_keeps_the_second_at_or_before(
    t: float, fraction: float, stored: float
) -> None:
    assert rfc3339_copy(t, fraction) == pytest.approx(stored, abs=1e-12)


def test_precision_zero_is_exact_and_1s_follows_the_wall_clock() -> None:
    assert stored_time(0.0, 1767571200.0) is None
    whole = stored_time(1.0, 1767571200.0)  # the default wall clock, on a whole second
    assert whole is not None and whole(10.7) == 10.0
    quarter = stored_time(1.0, 1767571200.25)
    assert quarter is not None and quarter(0.8) == pytest.approx(0.75)


@pytest.mark.parametrize("bad", ["500ms", "2s", 0.5])
def test_only_exact_or_whole_seconds(bad: Any) -> None:
    data = scenario((job_manifest(), {"duration": "1s"}), timing=timing(bad))
    with pytest.raises(ScenarioError, match=r"timing\.apiTimestampPrecision: .*0 .*or 1s"):
        load_scenario(data)


def test_whole_seconds_by_default_exact_in_the_ideal_model() -> None:
    """A real API server always keeps whole seconds; ``controlPlane: ideal`` keeps them exact."""
    assert Timing().apiTimestampPrecision == 1.0
    data = scenario((job_manifest(), {"duration": "1s"}), timing={})
    assert load_scenario(data).timing.apiTimestampPrecision == 1.0
    data["controlPlane"] = "ideal"
    assert load_scenario(data).timing.apiTimestampPrecision == 0.0


# -- the pod-failure backoff ------------------------------------------------------------


def _failing_twice(precision: str) -> list[float]:
    manifest = job_manifest("job", backoffLimit=2)
    fails = {"exitCode": 1, "after": "10.7s"}
    workload = {"duration": "5s", "script": [{"attempt": 0, **fails}, {"attempt": 1, **fails}]}
    return created_times(run(scenario((manifest, workload), timing=timing(precision))))


def test_backoff_counts_from_the_finish_time_in_whole_seconds() -> None:
    # pod 0 fails at 10.7; getFinishedTime reads finishedAt 10: 10 s backoff from 10 -> 20.0;
    # pod 1 fails at 30.7 (finishedAt 30), 2 failures: 20 s from 30 -> 50.0
    assert _failing_twice("1s") == [0.0, 20.0, 50.0]
    # exact: 10.7 + 10 = 20.7; 31.4 + 20 = 51.4
    assert _failing_twice("0s") == [0.0, 20.7, 51.4]


def test_backoff_per_index_counts_from_the_finish_time_in_whole_seconds() -> None:
    # getRemainingTimePerIndex: the index's last failed pod finished at 10.7, read 10;
    # failures = 0 + 0 + 1: 10 s -> the replacement at 20.0 (exact: 20.7)
    manifest = job_manifest(
        "job", completionMode="Indexed", completions=1, parallelism=1, backoffLimitPerIndex=1
    )
    workload = {"duration": "5s", "script": [{"attempt": 0, "exitCode": 1, "after": "10.7s"}]}
    for precision, second in (("1s", 20.0), ("0s", 20.7)):
        result = run(scenario((manifest, workload), timing=timing(precision)))
        assert created_times(result) == [0.0, second]


def test_a_deleted_pod_counts_from_its_deletion_in_whole_seconds() -> None:
    # TerminatingOrFailed: the pod deleted at 3.6 is a failure at once; still running
    # (terminationDelay 5 s), its finish time is deletionTimestamp - grace, stored as
    # floor(3.6 + 30) - 30 = 3: 10 s backoff -> the replacement at 13.0 (exact: 13.6)
    manifest = job_manifest("job", backoffLimit=3)
    workload = {"duration": "100s", "terminationDelay": "5s"}
    for precision, second in (("1s", 13.0), ("0s", 13.6)):
        data = scenario(
            (manifest, workload),
            timing=timing(precision),
            events=[{"at": "3.6s", "deletePod": {"job": "job"}}],
        )
        assert created_times(run(data)) == [0.0, second]


# -- activeDeadlineSeconds from the stored startTime ------------------------------------


def _deadline(precision: str, ads: int, sync_delay: str) -> Result:
    manifest = job_manifest("job", activeDeadlineSeconds=ads)
    data = scenario(
        (manifest, {"duration": "100s"}), timing=timing(precision, jobSyncDelay=sync_delay)
    )
    data["jobs"][0]["submitAt"] = "400ms"
    return run(data)


def test_active_deadline_counts_from_the_stored_start_time() -> None:
    # first sync at 0.4: startTime 0.4 in memory, requeue at 5.4; stored as 0; the resync at
    # 1.4 (status write) reads 0 and requeues at 0 + 5 = 5.0, when clock.Since(0) >= 5:
    # FailureTarget at 5.0; the pod, deleted then, exits at once; Failed at the next sync, 6.0
    result = _deadline("1s", 5, "1s")
    status = result.job("job")["status"]
    assert status["startTime"] == 0.0
    assert [(c["type"], c["reason"], c["lastTransitionTime"]) for c in status["conditions"]] == [
        ("FailureTarget", "DeadlineExceeded", 5.0),
        ("Failed", "DeadlineExceeded", 6.0),
    ]
    assert [p["deletedAt"] for p in result.pods()] == [5.0]
    exact = _deadline("0s", 5, "1s")
    assert exact.job("job")["status"]["startTime"] == 0.4
    assert [c["lastTransitionTime"] for c in exact.job("job")["status"]["conditions"]] == [5.4, 6.4]
    assert [p["deletedAt"] for p in exact.pods()] == [5.4]


def test_the_first_sync_requeues_from_its_exact_start_time() -> None:
    # activeDeadlineSeconds 1, batch period 2 s: the first sync (0.4) requeues 1 s after its
    # in-memory startTime, at 1.4; that sync reads the stored 0: 1.4 >= 1, the deadline is
    # passed at 1.4, not at 1.0 (nothing syncs the Job between 0.4 and 1.4)
    result = _deadline("1s", 1, "2s")
    status = result.job("job")["status"]
    assert status["startTime"] == 0.0
    assert status["conditions"][0]["type"] == "FailureTarget"
    assert status["conditions"][0]["lastTransitionTime"] == 1.0  # 1.4, as stored
    assert [p["deletedAt"] for p in result.pods()] == [1.4]  # the sync that saw it, exact


def test_resuming_resets_start_time_as_stored() -> None:
    # created suspended (no startTime); resumed at 2.6: the sync sets startTime 2.6 in memory,
    # stored 2; the resync at 3.6 requeues at 2 + 5 = 7.0, when the deadline has passed
    # (exact: 7.6)
    for precision, start, deadline in (("1s", 2.0, 7.0), ("0s", 2.6, 7.6)):
        manifest = job_manifest("job", suspend=True, activeDeadlineSeconds=5)
        data = scenario(
            (manifest, {"duration": "100s"}),
            timing=timing(precision, jobSyncDelay="1s"),
            events=[{"at": "2.6s", "resume": "job"}],
        )
        result = run(data)
        assert result.job("job")["status"]["startTime"] == start
        assert [p["deletedAt"] for p in result.pods()] == [deadline]


# -- TTL-after-finished from the stored finish time -------------------------------------


def _ttl(precision: str, ttl: int) -> tuple[dict[str, Any], float | None]:
    manifest = job_manifest("job", ttlSecondsAfterFinished=ttl)
    result = run(scenario((manifest, {"duration": "10.7s"}), timing=timing(precision)))
    job = result.job("job")
    return job["status"], job["deletedAt"]


def test_ttl_counts_from_the_stored_completion() -> None:
    # Complete at 10.7, stored lastTransitionTime 10: expireAt 10 + 5 = 15.0 (exact: 15.7)
    status, deleted = _ttl("1s", 5)
    assert (status["completionTime"], deleted) == (10.0, 15.0)
    assert status["conditions"][-1]["type"] == "Complete"
    assert status["conditions"][-1]["lastTransitionTime"] == 10.0
    assert _ttl("0s", 5)[1] == 15.7
    # ttlSecondsAfterFinished 0: timeLeft = 10 + 0 - 10.7 <= 0: deleted at once, at 10.7
    assert _ttl("1s", 0)[1] == 10.7


# -- what the output shows --------------------------------------------------------------


def test_status_times_are_whole_seconds_events_and_pods_stay_exact() -> None:
    # submitted at 0.3, the pod runs 10.5 s: Complete at 10.8. The API's objects keep whole
    # seconds; the pod rows and the events (Events carry MicroTime) keep the model's times.
    manifest = job_manifest("job")
    data = scenario((manifest, {"duration": "10.5s"}), timing=WHOLE)
    data["jobs"][0]["submitAt"] = "300ms"
    result = run(data)
    status = result.job("job")["status"]
    assert (status["startTime"], status["completionTime"]) == (0.0, 10.0)
    assert condition_times(result) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", 10.0),
        ("Complete", "True", "CompletionsReached", 10.0),
    ]
    assert [c["lastProbeTime"] for c in status["conditions"]] == [10.0, 10.0]
    (pod,) = result.pods()
    assert (pod["createdAt"], pod["startedAt"], pod["finishedAt"]) == (0.3, 0.3, 10.8)
    conditions = [e["t"] for e in result.events() if e["kind"] == "JOB_CONDITION"]
    assert conditions == [10.8, 10.8]


@pytest.mark.parametrize(
    ("spec", "workload", "submit"),
    [
        ({"backoffLimit": 2}, {"duration": "5s", "script": [{"attempt": 0, **FAIL}]}, "0s"),
        ({"activeDeadlineSeconds": 5, "ttlSecondsAfterFinished": 3}, {"duration": "100s"}, "0.4s"),
        ({"completions": 3, "parallelism": 2}, {"duration": "10.5s"}, "0.3s"),
    ],
    ids=["backoff", "deadline-ttl", "complete"],
)
def test_the_checker_and_the_status_rules_hold(
    spec: dict[str, Any], workload: dict[str, Any], submit: str
) -> None:
    # the invariants on every event (startTime and completionTime never change once set,
    # DeadlineExceeded only once the deadline passed since startTime…) and the API server's
    # status rules on every write hold for whole-second times too
    data = scenario((job_manifest("job", **spec), workload), timing=timing("1s", jobSyncDelay=1))
    data["jobs"][0]["submitAt"] = submit
    run_checked(data)
    simulate(load_scenario(data), check=True)
