"""Exact timelines, derived from the upstream rules in ``pkg/controller/job/``: the pod-failure
backoff (backoff_utils.go ``getRemainingTimeForFailuresCount``) and job_controller.go
``syncJob`` / ``manageJob`` (backoffLimit, ``pastBackoffLimitOnFailure``,
``pastActiveDeadline``); and from the kubelet CrashLoopBackOff (``pkg/kubelet/kuberuntime``
``doBackOff``, ``k8s.io/client-go/util/flowcontrol/backoff.go``).

Expected times are worked out by hand from the rules, never taken from jobsim's output.
"""

from __future__ import annotations

import itertools

from tests.helpers import condition_times, created_times, job_manifest, run, scenario

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}


def test_backoff_limit_2_zero_latency() -> None:
    """backoffLimit 2, every pod fails after 5 s, zero latencies.

    Pod 1: created 0, fails 5 -> 1 failure -> 10 s backoff from its finish time -> pod 2 at 15;
    fails 20 -> 2 failures -> 20 s -> pod 3 at 40; fails 45 -> failed = 3 > 2 ->
    FailureTarget and Failed (BackoffLimitExceeded) in that sync (no pod left terminating).
    """
    r = run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))
    assert created_times(r) == [0, 15, 40]
    assert condition_times(r) == [
        ("FailureTarget", "True", "BackoffLimitExceeded", 45),
        ("Failed", "True", "BackoffLimitExceeded", 45),
    ]
    status = r.job("job")["status"]
    assert (status["failed"], status["succeeded"], status["active"]) == (3, 0, 0)
    assert status["completionTime"] is None
    conds = status["conditions"]
    assert conds[1]["message"] == "Job has reached the specified backoff limit"


def test_pr_54415_timeline_with_default_latencies() -> None:
    """kubernetes/website PR #54415 (real cluster, v1.34): completions 8, parallelism 2,
    backoffLimit 6, pod = `sleep 30 && exit 42`. With jobSyncDelay 1 s and containerStart 1 s:
    fail +31 (2 failures: 20 s) -> create +51 -> fail +82 (4: 80 s) -> create +162 ->
    fail +193 (6: 320 s) -> create +513 -> fail +544 -> failed 8 > 6 -> Failed at +545
    (observed +546 s on the real cluster)."""
    timing = {"jobSyncDelay": "1s", "containerStart": "1s"}
    wl = {"duration": "30s", "failure": {"probability": 1.0, "exitCode": 42}}
    r = run(
        scenario((job_manifest(completions=8, parallelism=2, backoffLimit=6), wl), timing=timing)
    )
    assert created_times(r) == [0, 0, 51, 51, 162, 162, 513, 513]
    assert condition_times(r) == [
        ("FailureTarget", "True", "BackoffLimitExceeded", 545),
        ("Failed", "True", "BackoffLimitExceeded", 545),
    ]
    assert r.job("job")["status"]["failed"] == 8
    assert {p["exitCode"] for p in r.pods()} == {42}


def test_default_backoff_limit_fails_on_seventh_failure() -> None:
    """backoffLimit defaults to 6 and the check is failed > backoffLimit: 7 pods.
    Creation times: 0, then each failure at c+5 plus 10, 20, 40, 80, 160, 320 s."""
    r = run(scenario((job_manifest(), FAIL_AFTER_5S)))
    assert created_times(r) == [0, 15, 40, 85, 170, 335, 660]
    assert condition_times(r)[-1] == ("Failed", "True", "BackoffLimitExceeded", 665)
    assert r.job("job")["status"]["failed"] == 7


def test_backoff_cap_600s() -> None:
    """MaxJobPodFailureBackOff is 10 min: the 7th and later delays are 600 s, not 640 s."""
    r = run(scenario((job_manifest(backoffLimit=8), FAIL_AFTER_5S)))
    created = created_times(r)
    gaps = [b - (a + 5) for a, b in itertools.pairwise(created)]
    assert gaps == [10, 20, 40, 80, 160, 320, 600, 600]


def test_success_resets_backoff() -> None:
    """A newly counted success resets failuresAfterLastSuccess (newBackoffRecord).
    completions 3, parallelism 1: attempt 0 fails at 5 (10 s) -> pod 2 at 15 succeeds at 20 ->
    pod 3 at 20 fails at 25 -> 1 failure since the success -> 10 s -> pod 4 at 35."""
    wl = {
        "duration": "5s",
        "script": [
            {"attempt": 0, "exitCode": 1},
            {"attempt": 2, "exitCode": 1},
        ],
    }
    r = run(scenario((job_manifest(completions=3, parallelism=1), wl)))
    assert created_times(r) == [0, 15, 20, 35, 40]
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 45)
    st = r.job("job")["status"]
    assert (st["succeeded"], st["failed"], st["completionTime"]) == (3, 2, 45)


def test_simultaneous_failures_add_up() -> None:
    """Two pods failing together count as 2 failures: the next pods wait 20 s."""
    r = run(
        scenario(
            (
                job_manifest(parallelism=2, completions=2, backoffLimit=2),
                {
                    "duration": "5s",
                    "script": [{"attempt": 0, "exitCode": 1}, {"attempt": 1, "exitCode": 1}],
                },
            )
        )
    )
    assert created_times(r) == [0, 0, 25, 25]
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 30)


def test_on_failure_restarts_count_toward_backoff_limit() -> None:
    """restartPolicy OnFailure, exit 1 after 5 s, zero latencies (kubelet ``doBackOff``;
    job_controller.go ``pastBackoffLimitOnFailure``): crashes at 5, 10, 25, 50, 95, 180;
    restarts after 0, 10, 20, 40, 80, 160 s, i.e. at 5, 20, 45, 90, 175, 340. At 340
    restartCount = 6 >= backoffLimit 6 -> FailureTarget; the pod is deleted, exits 143 at once
    (terminationDelay 0) and is counted failed; Failed in the same instant's next sync."""
    r = run(scenario((job_manifest(restartPolicy="OnFailure"), FAIL_AFTER_5S)))
    assert created_times(r) == [0]
    pod = r.pods()[0]
    assert pod["restarts"] == 6
    assert pod["exitCode"] == 143
    assert condition_times(r) == [
        ("FailureTarget", "True", "BackoffLimitExceeded", 340),
        ("Failed", "True", "BackoffLimitExceeded", 340),
    ]
    assert r.job("job")["status"]["failed"] == 1
    starts = [e["t"] for e in r.to_dict()["events"] if e["kind"] == "CONTAINER_STARTED"]
    assert starts == [0, 5, 20, 45, 90, 175, 340]


def test_active_deadline_seconds() -> None:
    """activeDeadlineSeconds 100, pod runs 300 s (job_controller.go ``pastActiveDeadline``):
    FailureTarget DeadlineExceeded at startTime + 100 exactly; the pod gets SIGTERM, exits 143
    after its terminationDelay of 7 s, is counted failed; Failed once it is gone (107)."""
    wl = {"duration": "300s", "terminationDelay": "7s"}
    r = run(scenario((job_manifest(activeDeadlineSeconds=100), wl)))
    assert condition_times(r) == [
        ("FailureTarget", "True", "DeadlineExceeded", 100),
        ("Failed", "True", "DeadlineExceeded", 107),
    ]
    st = r.job("job")["status"]
    assert (st["failed"], st["active"], st["terminating"]) == (1, 0, 0)
    assert r.pods()[0]["exitCode"] == 143
    assert r.pods()[0]["finishedAt"] == 107


def test_termination_past_grace_period_is_sigkill() -> None:
    """A container slower to stop than terminationGracePeriodSeconds is killed: exit 137."""
    wl = {"duration": "300s", "terminationDelay": "60s"}
    r = run(
        scenario(
            (
                job_manifest(
                    activeDeadlineSeconds=10, podSpec={"terminationGracePeriodSeconds": 20}
                ),
                wl,
            )
        )
    )
    assert r.pods()[0]["exitCode"] == 137
    assert condition_times(r)[-1] == ("Failed", "True", "DeadlineExceeded", 30)


def test_deadline_beats_pending_backoff() -> None:
    """pastActiveDeadline is evaluated before manageJob: a retry waiting for backoff is never
    created once the deadline passes (fails at 5, backoff until 15, deadline 12)."""
    r = run(scenario((job_manifest(activeDeadlineSeconds=12), FAIL_AFTER_5S)))
    assert created_times(r) == [0]
    assert condition_times(r) == [
        ("FailureTarget", "True", "DeadlineExceeded", 12),
        ("Failed", "True", "DeadlineExceeded", 12),
    ]


def test_indexed_completed_indexes() -> None:
    """Indexed, completions 5, parallelism 2: lowest pending index first; index 1 fails once.
    Indexes 0,1 at 0; 0 succeeds at 10 -> index 2 at 10; 1 fails at 10 -> backoff 10 s:
    creation deferred. completedIndexes is written as intervals."""
    wl = {"duration": "10s", "script": [{"index": 1, "attempt": 0, "exitCode": 1}]}
    r = run(scenario((job_manifest(completions=5, parallelism=2, completionMode="Indexed"), wl)))
    pods = [(p["index"], p["createdAt"]) for p in r.pods()]
    assert pods[:2] == [(0, 0), (1, 0)]
    st = r.job("job")["status"]
    assert st["completedIndexes"] == "0-4"
    assert (st["succeeded"], st["failed"]) == (5, 1)
    assert [p["name"].rsplit("-", 1)[0] for p in r.pods()][:2] == ["job-0", "job-1"]


def test_work_queue_mode() -> None:
    """completions unset, parallelism 3 (work queue): complete once one pod succeeded and none
    is active; no pod is created after the first success."""
    wl = {"duration": "10s", "script": [{"attempt": 0, "exitCode": 0, "after": "5s"}]}
    r = run(scenario((job_manifest(parallelism=3), wl)))
    assert created_times(r) == [0, 0, 0]
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 10)
    assert r.job("job")["status"]["succeeded"] == 3


def test_completions_zero_completes_at_once() -> None:
    """completions 0: succeeded 0 >= 0 and active 0 in the first sync."""
    r = run(scenario((job_manifest(completions=0), {"duration": "10s"})))
    assert created_times(r) == []
    assert condition_times(r) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", 0),
        ("Complete", "True", "CompletionsReached", 0),
    ]


def test_parallelism_zero_creates_nothing_and_is_not_suspended() -> None:
    """parallelism 0: no pods, startTime set, no Suspended condition."""
    r = run(scenario((job_manifest(parallelism=0, completions=2), {"duration": "10s"})))
    st = r.job("job")["status"]
    assert created_times(r) == []
    assert st["startTime"] == 0
    assert st["conditions"] == []


def test_completion_time_and_parallel_success() -> None:
    """completions 4, parallelism 2, 10 s pods with default latencies (containerStart 1 s,
    jobSyncDelay 1 s): pods at 0,0 finish at 11; the sync at 12 counts them and creates two
    more, which finish at 23; Complete at 24."""
    r = run(scenario((job_manifest(completions=4, parallelism=2), {"duration": "10s"}), timing={}))
    assert created_times(r) == [0, 0, 12, 12]
    assert condition_times(r) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", 24),
        ("Complete", "True", "CompletionsReached", 24),
    ]
    assert r.job("job")["status"]["completionTime"] == 24
