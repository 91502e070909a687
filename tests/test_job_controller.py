"""The whole Job controller (issue 3): podFailurePolicy, backoffLimitPerIndex, successPolicy,
replacement policy, suspend/resume, elastic scale, deletePod, TTL, managedBy, evaluation
order. Zero latencies unless stated; expected times are derived from the upstream rules in
``pkg/controller/job/`` (job_controller.go ``syncJob`` / ``manageJob``, pod_failure_policy.go,
indexed_job_utils.go, success_policy.go, backoff_utils.go) and ``pkg/controller/ttlafterfinished``,
not from jobsim's output."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import ScenarioError, load_scenario, simulate
from tests.helpers import condition_times, created_times, job_manifest, run, scenario


def fail_on(**codes: int) -> dict[str, Any]:
    """Workload: 10 s runs; index i exits codes[f"i{i}"] on every attempt."""
    return {
        "duration": "10s",
        "script": [{"index": int(k[1:]), "exitCode": v} for k, v in codes.items()],
    }


def events_of(r: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in r.to_dict()["events"] if e["kind"] == kind]


# -- podFailurePolicy (pod_failure_policy.go matchPodFailurePolicy) --------------------------

PFP_FAIL_42 = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}


def test_fail_job_rule() -> None:
    """Exit 42 matches FailJob at rule 0: FailureTarget and Failed (PodFailurePolicy) with the
    upstream message, in the sync at the failure (5 s)."""
    wl = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 42}}
    r = run(scenario((job_manifest(podFailurePolicy=PFP_FAIL_42), wl)))
    pod = r.pods()[0]["name"]
    msg = (
        f"Container main for pod default/{pod} failed with exit code 42 matching FailJob rule "
        "at index 0"
    )
    conds = r.job("job")["status"]["conditions"]
    assert [(c["type"], c["reason"], c["message"], c["lastTransitionTime"]) for c in conds] == [
        ("FailureTarget", "PodFailurePolicy", msg, 5),
        ("Failed", "PodFailurePolicy", msg, 5),
    ]
    assert r.job("job")["status"]["failed"] == 1


def test_fail_job_beats_backoff_limit_in_the_same_sync() -> None:
    """backoffLimit 0 is also exceeded by that failure; FailJob is evaluated first."""
    wl = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 42}}
    r = run(scenario((job_manifest(podFailurePolicy=PFP_FAIL_42, backoffLimit=0), wl)))
    assert condition_times(r)[0][:3] == ("FailureTarget", "True", "PodFailurePolicy")


def test_ignore_rule_not_counted_but_still_backs_off() -> None:
    """Exit 137 matches Ignore: not counted (backoffLimit 0 not exceeded), the pod is replaced,
    and the failure still feeds the pod-failure backoff: the replacement comes 10 s after it."""
    pfp = {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [137]}}]}
    wl = {"duration": "5s", "script": [{"attempt": 0, "exitCode": 137}]}
    r = run(scenario((job_manifest(podFailurePolicy=pfp, backoffLimit=0), wl)))
    assert created_times(r) == [0, 15]
    assert [p["counted"] for p in r.pods()] == ["ignored", "succeeded"]
    st = r.job("job")["status"]
    assert (st["failed"], st["succeeded"]) == (0, 1)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 20)


def test_ignore_disruption_target_from_taint_eviction() -> None:
    """A rule ignoring DisruptionTarget makes a taint eviction free. With podFailurePolicy the
    replacement policy is Failed: the evicted pod is replaced only once it is Failed, i.e. when
    its node returns (nodeUp 500 s, exit 143 then); not counted. Default latencies."""
    pfp = {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
    r = run(
        scenario(
            (job_manifest(podFailurePolicy=pfp, backoffLimit=0), {"duration": "1000s"}),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "500s", "nodeUp": "n-0"}],
        )
    )
    old = r.pods()[0]
    assert (old["deletedAt"], old["finishedAt"], old["exitCode"]) == (450, 500, 143)
    assert old["counted"] == "ignored"
    # Failed at 500; the sync at 501 sees it; backoff from its finish time (500) -> 510.
    assert created_times(r) == [0, 510]
    assert r.job("job")["status"]["failed"] == 0


def test_init_container_failure_matched_by_container_name() -> None:
    """An init container exits 3 after 2 s: the pod fails without ever running; the FailJob
    rule naming that init container matches (init containers are looked at after the regular
    ones, which never started)."""
    pfp = {
        "rules": [
            {
                "action": "FailJob",
                "onExitCodes": {"containerName": "setup", "operator": "In", "values": [3]},
            }
        ]
    }
    m = job_manifest(
        podFailurePolicy=pfp,
        podSpec={"initContainers": [{"name": "setup", "image": "busybox:1.36"}]},
    )
    wl = {"duration": "10s", "script": [{"container": "setup", "exitCode": 3, "after": "2s"}]}
    r = run(scenario((m, wl)))
    pod = r.pods()[0]
    assert (pod["phase"], pod["exitCode"], pod["finishedAt"]) == ("Failed", 3, 2)
    msg = condition_times(r)
    assert msg[0][:3] == ("FailureTarget", "True", "PodFailurePolicy")
    cond = r.job("job")["status"]["conditions"][0]["message"]
    assert cond.startswith(f"Container setup for pod default/{pod['name']} failed with exit code 3")


def test_init_container_failure_time_is_the_early_ready_false() -> None:
    """getFinishedTime: regular containers never ran, so the failure time is the pod's
    Ready=False transition (when the kubelet first saw it, 0 s), not the init exit (2 s):
    the replacement comes at 0 + 10 = 10 s."""
    m = job_manifest(podSpec={"initContainers": [{"name": "setup", "image": "busybox:1.36"}]})
    wl = {
        "duration": "10s",
        "script": [{"attempt": 0, "container": "setup", "exitCode": 3, "after": "2s"}],
    }
    r = run(scenario((m, wl)))
    assert created_times(r) == [0, 10]


def test_multi_container_codes_and_container_name_rule() -> None:
    """Two containers exit with different codes; a Count rule names the second (exit 5) and
    a FailJob rule matches exit 5 in any container: the first rule wins, counted."""
    pfp = {
        "rules": [
            {
                "action": "Count",
                "onExitCodes": {"containerName": "side", "operator": "In", "values": [5]},
            },
            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [5]}},
        ]
    }
    m = job_manifest(
        podFailurePolicy=pfp,
        backoffLimit=1,
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox:1.36"},
                {"name": "side", "image": "busybox:1.36"},
            ]
        },
    )
    wl = {"duration": "5s", "script": [{"attempt": 0, "exitCode": 0, "containers": {"side": 5}}]}
    r = run(scenario((m, wl)))
    assert created_times(r) == [0, 15]
    assert r.pods()[0]["exitCode"] == 5
    st = r.job("job")["status"]
    assert (st["failed"], st["succeeded"]) == (1, 1)


# -- backoffLimitPerIndex and maxFailedIndexes (indexed_job_utils.go) -------------------------


def test_docs_example_backoff_limit_per_index() -> None:
    """completions 10, parallelism 3, backoffLimitPerIndex 1, maxFailedIndexes 5, even indexes
    always fail (the Kubernetes docs example): completedIndexes 1,3,5,7,9, failedIndexes
    0,2,4,6,8, succeeded 5, failed 10, FailedIndexes."""
    m = job_manifest(
        completions=10,
        parallelism=3,
        completionMode="Indexed",
        backoffLimitPerIndex=1,
        maxFailedIndexes=5,
    )
    r = run(scenario((m, fail_on(i0=1, i2=1, i4=1, i6=1, i8=1))))
    st = r.job("job")["status"]
    assert (st["completedIndexes"], st["failedIndexes"]) == ("1,3,5,7,9", "0,2,4,6,8")
    assert (st["succeeded"], st["failed"], st["active"], st["terminating"]) == (5, 10, 0, 0)
    assert [c[:3] for c in condition_times(r)] == [
        ("FailureTarget", "True", "FailedIndexes"),
        ("Failed", "True", "FailedIndexes"),
    ]
    # Index 0: first pod at 0, fails at 10; per-index backoff 10 s from then -> second at 20.
    # Index 3 takes the free slot at 10, as 0 and 2 wait for their own backoff.
    by_index: dict[int, list[float]] = {}
    for p in r.pods():
        by_index.setdefault(p["index"], []).append(p["createdAt"])
    assert by_index[0] == [0, 20] and by_index[2] == [0, 20] and by_index[3] == [10]
    assert all(len(by_index[i]) == 2 for i in (0, 2, 4, 6, 8))
    assert r.job("job")["status"]["conditions"][0]["message"] == "Job has failed indexes"


def test_max_failed_indexes_exceeded_stops_the_job_at_once() -> None:
    """backoffLimitPerIndex 0, maxFailedIndexes 1: indexes 0 and 1 fail at 5 -> 2 > 1 ->
    MaxFailedIndexesExceeded at 5; indexes 2, 3 are deleted and counted failed; they exit 143
    at once (terminationDelay 0) and Failed follows at 5."""
    m = job_manifest(
        completions=4,
        parallelism=4,
        completionMode="Indexed",
        backoffLimitPerIndex=0,
        maxFailedIndexes=1,
    )
    wl = {
        "duration": "100s",
        "script": [
            {"index": 0, "exitCode": 1, "after": "5s"},
            {"index": 1, "exitCode": 1, "after": "5s"},
        ],
    }
    r = run(scenario((m, wl)))
    st = r.job("job")["status"]
    assert condition_times(r) == [
        ("FailureTarget", "True", "MaxFailedIndexesExceeded", 5),
        ("Failed", "True", "MaxFailedIndexesExceeded", 5),
    ]
    assert (st["failedIndexes"], st["failed"], st["succeeded"]) == ("0,1", 4, 0)
    assert st["conditions"][0]["message"] == (
        "Job has exceeded the specified maximal number of failed indexes"
    )


def test_fail_index_action() -> None:
    """FailIndex fails index 1 at its first failure although backoffLimitPerIndex is 2."""
    pfp = {"rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [7]}}]}
    m = job_manifest(
        completions=3,
        parallelism=3,
        completionMode="Indexed",
        backoffLimitPerIndex=2,
        podFailurePolicy=pfp,
    )
    r = run(scenario((m, fail_on(i1=7))))
    st = r.job("job")["status"]
    assert (st["completedIndexes"], st["failedIndexes"], st["failed"]) == ("0,2", "1", 1)
    assert condition_times(r) == [
        ("FailureTarget", "True", "FailedIndexes", 10),
        ("Failed", "True", "FailedIndexes", 10),
    ]


def test_backoff_limit_defaults_to_max_int32_with_per_index() -> None:
    m = job_manifest(completions=2, completionMode="Indexed", backoffLimitPerIndex=3)
    r = run(scenario((m, fail_on(i0=1))))
    st = r.job("job")["status"]
    # index 0: 4 pods (3 retries), then the index fails; index 1 succeeds.
    assert (st["failedIndexes"], st["completedIndexes"], st["failed"]) == ("0", "1", 4)


# -- successPolicy (success_policy.go matchSuccessPolicy) -------------------------------------


def test_success_policy_deletes_lingering_pods_without_counting_them() -> None:
    """succeededIndexes "0": index 0 succeeds at 5 -> SuccessCriteriaMet (SuccessPolicy,
    "Matched rules at index 0") at 5; the 4 others are deleted, not counted, exit 143 after
    terminationDelay 3 s -> Complete at 8, completionTime 8."""
    m = job_manifest(
        completions=5,
        parallelism=5,
        completionMode="Indexed",
        successPolicy={"rules": [{"succeededIndexes": "0"}]},
    )
    wl = {
        "duration": "100s",
        "terminationDelay": "3s",
        "script": [{"index": 0, "exitCode": 0, "after": "5s"}],
    }
    r = run(scenario((m, wl)))
    conds = r.job("job")["status"]["conditions"]
    assert [(c["type"], c["reason"], c["message"], c["lastTransitionTime"]) for c in conds] == [
        ("SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0", 5),
        ("Complete", "SuccessPolicy", "Matched rules at index 0", 8),
    ]
    st = r.job("job")["status"]
    assert (st["succeeded"], st["failed"], st["completionTime"], st["completedIndexes"]) == (
        1,
        0,
        8,
        "0",
    )
    assert sorted(p["exitCode"] for p in r.pods()) == [0, 143, 143, 143, 143]


# -- podReplacementPolicy, deletePod (job_controller.go onlyReplaceFailedPods) ----------------


def test_deleted_pod_terminating_or_failed() -> None:
    """kubectl delete at 20 of a running pod (terminationDelay 30 s, grace 30 s): a failure at
    once (TerminatingOrFailed), failure time = the DELETE (Ready was True), replacement after
    the 10 s backoff at 30 while the old pod still terminates (exits 143 at 50)."""
    wl = {"duration": "100s", "terminationDelay": "30s"}
    r = run(scenario((job_manifest(), wl), events=[{"at": "20s", "deletePod": {"job": "job"}}]))
    old, _ = r.pods()
    assert created_times(r) == [0, 30]
    assert (old["deletedAt"], old["finishedAt"], old["exitCode"]) == (20, 50, 143)
    assert r.job("job")["status"]["failed"] == 1
    assert old["counted"] == "failed"


def test_deleted_pod_replacement_policy_failed() -> None:
    """podReplacementPolicy Failed: the replacement waits until the old pod is Failed (50),
    then the backoff from its finish time (its containers exited at 50): 60."""
    wl = {"duration": "100s", "terminationDelay": "30s"}
    r = run(
        scenario(
            (job_manifest(podReplacementPolicy="Failed"), wl),
            events=[{"at": "20s", "deletePod": {"job": "job"}}],
        )
    )
    assert created_times(r) == [0, 60]
    assert r.job("job")["status"]["failed"] == 1


def test_deleted_pod_whose_container_exits_0_succeeds() -> None:
    """kubectl delete at 20 of a pod whose container would finish at 30 (terminationDelay
    30 s, grace 30 s): it finishes first, with code 0, so the pod ends Succeeded (kubelet
    getPhase with podIsTerminal: every container exited 0). TerminatingOrFailed counted it as
    failed at the DELETE already (isPodFailed: deleted, not Succeeded then) and replaced it
    at 30 (the 10 s backoff), so the later success counts for nothing: failed 1, succeeded 1
    (the replacement, 30 to 60)."""
    wl = {"duration": "30s", "terminationDelay": "30s"}
    r = run(scenario((job_manifest(), wl), events=[{"at": "20s", "deletePod": {"job": "job"}}]))
    old, new = r.pods()
    assert (old["deletedAt"], old["finishedAt"], old["exitCode"]) == (20, 30, 0)
    assert (old["phase"], old["counted"]) == ("Succeeded", "failed")
    assert (new["createdAt"], new["phase"], new["counted"]) == (30, "Succeeded", "succeeded")
    st = r.job("job")["status"]
    assert (st["failed"], st["succeeded"]) == (1, 1)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 60)


def test_deleted_pod_whose_container_exits_0_counts_when_only_failed_are_replaced() -> None:
    """The same with podReplacementPolicy Failed: the controller waits for the deleted pod's
    phase (isPodFailed: only a Failed pod is a failure), and it is Succeeded at 30: counted as
    succeeded, the Job Complete at 30 with no replacement."""
    wl = {"duration": "30s", "terminationDelay": "30s"}
    r = run(
        scenario(
            (job_manifest(podReplacementPolicy="Failed"), wl),
            events=[{"at": "20s", "deletePod": {"job": "job"}}],
        )
    )
    [old] = r.pods()
    assert (old["phase"], old["counted"], old["finishedAt"]) == ("Succeeded", "succeeded", 30)
    [stats] = r.stats.jobs  # its work done once: no re-execution, the run succeeded
    assert (stats.reExecutions, stats.usefulPodSeconds) == (0, 30)
    assert [run.ended for run in r.runs()] == ["succeeded"]
    assert list(r.pods_frame()["outcome"]) == ["succeeded"]
    st = r.job("job")["status"]
    assert (st.get("failed", 0), st["succeeded"]) == (0, 1)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 30)


def test_terminating_status_counts_deleted_pods() -> None:
    """At 40 the deleted pod still terminates (until 50) beside its replacement (from 30):
    status active 1, ready 1, terminating 1, failed 1; at the end terminating is 0."""
    wl = {"duration": "100s", "terminationDelay": "30s"}
    data = scenario((job_manifest(), wl), events=[{"at": "20s", "deletePod": {"job": "job"}}])
    mid = simulate(load_scenario(data), until=40).job("job")["status"]
    assert (mid["active"], mid["ready"], mid["terminating"], mid["failed"]) == (1, 1, 1, 1)
    assert run(data).job("job")["status"]["terminating"] == 0


# -- suspend / resume (job_controller.go manageJob, syncJob) -----------------------------------


def test_suspend_and_resume() -> None:
    """job_controller.go manageJob / syncJob: 3 running pods suspended at 60 -> deleted, not
    counted, Suspended=True/JobSuspended; resume at 200 -> Suspended=False/JobResumed,
    startTime 200, 3 new pods at 200 with no backoff."""
    m = job_manifest(completions=3, parallelism=3)
    r = run(
        scenario(
            (m, {"duration": "1000s"}),
            events=[{"at": "60s", "suspend": "job"}, {"at": "200s", "resume": "job"}],
        )
    )
    assert created_times(r) == [0, 0, 0, 200, 200, 200]
    st = r.job("job")["status"]
    assert st["conditions"][0] == {
        "type": "Suspended",
        "status": "False",
        "reason": "JobResumed",
        "message": "Job resumed",
        "lastProbeTime": 200,
        "lastTransitionTime": 200,
    }
    assert st["startTime"] == 200
    assert st["failed"] == 0
    assert [p["counted"] for p in r.pods()[:3]] == [None, None, None]
    suspended = events_of(r, "JOB_CONDITION")[0]["message"]
    assert "Suspended=True (JobSuspended: Job suspended)" in suspended


def test_created_suspended_has_no_start_time_and_deadline_waits() -> None:
    """Created suspended: no pods, startTime nil; resumed at 100 -> startTime 100, so
    activeDeadlineSeconds 50 fires at 150 (the clock stops while suspended)."""
    m = job_manifest(suspend=True, activeDeadlineSeconds=50)
    r = run(scenario((m, {"duration": "1000s"}), events=[{"at": "100s", "resume": "job"}]))
    assert created_times(r) == [100]
    assert condition_times(r)[1:] == [
        ("FailureTarget", "True", "DeadlineExceeded", 150),
        ("Failed", "True", "DeadlineExceeded", 150),
    ]


# -- elastic Indexed Jobs (ElasticIndexedJob; job_controller.go manageJob) --------------------


def test_elastic_scale_down_and_up() -> None:
    """Indexed 4/4; at 5 scale to 2/2: pods of indexes 2, 3 deleted (not counted); at 8 scale
    to 3/3: index 2 is pending again and gets a new pod at 8, done at 18; 0 and 1 finish at 10.
    """
    m = job_manifest(completions=4, parallelism=4, completionMode="Indexed")
    r = run(
        scenario(
            (m, {"duration": "10s"}),
            events=[
                {"at": "5s", "scale": {"job": "job", "parallelism": 2, "completions": 2}},
                {"at": "8s", "scale": {"job": "job", "parallelism": 3, "completions": 3}},
            ],
        )
    )
    assert [(p["index"], p["createdAt"], p["counted"]) for p in r.pods()] == [
        (0, 0, "succeeded"),
        (1, 0, "succeeded"),
        (2, 0, None),
        (3, 0, None),
        (2, 8, "succeeded"),
    ]
    st = r.job("job")["status"]
    assert (st["completedIndexes"], st["succeeded"], st["failed"]) == ("0-2", 3, 0)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 18)


def test_scale_after_finish_does_nothing() -> None:
    """A finished Job is not synced again (updateJob of a finished Job only cleans up)."""
    m = job_manifest(completions=2, parallelism=2, completionMode="Indexed")
    r = run(
        scenario(
            (m, {"duration": "10s"}),
            events=[{"at": "20s", "scale": {"job": "job", "parallelism": 3, "completions": 3}}],
        )
    )
    assert created_times(r) == [0, 0]
    assert r.job("job")["status"]["completedIndexes"] == "0,1"


def test_scale_down_drops_completed_indexes() -> None:
    """Index 3 finishes at 5 (counted); scale 4/4 -> 2/2 at 6 drops it from completedIndexes
    (succeeded may decrease on an elastic scale-down)."""
    m = job_manifest(completions=4, parallelism=4, completionMode="Indexed")
    wl = {"duration": "10s", "script": [{"index": 3, "exitCode": 0, "after": "5s"}]}
    r = run(
        scenario(
            (m, wl),
            events=[{"at": "6s", "scale": {"job": "job", "parallelism": 2, "completions": 2}}],
        )
    )
    st = r.job("job")["status"]
    assert (st["completedIndexes"], st["succeeded"]) == ("0,1", 2)


def test_scale_completions_without_parallelism_is_rejected_at_load() -> None:
    m = job_manifest(completions=4, parallelism=4, completionMode="Indexed")
    data = scenario(
        (m, {"duration": "10s"}), events=[{"at": "5s", "scale": {"job": "job", "completions": 2}}]
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(data)
    assert e.value.problems == [
        "events[0].scale: spec.completions: Invalid value: 2: can only be modified in tandem "
        "with spec.parallelism (at 5s)"
    ]


def test_scale_parallelism_of_non_indexed_job() -> None:
    """parallelism 1 -> 3 at 5: two more pods at 5; completions 3 reached at 15."""
    m = job_manifest(completions=3, parallelism=1)
    r = run(
        scenario(
            (m, {"duration": "10s"}),
            events=[{"at": "5s", "scale": {"job": "job", "parallelism": 3}}],
        )
    )
    assert created_times(r) == [0, 5, 5]
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 15)


# -- TTL (ttlafterfinished_controller.go processTTL) and managedBy (syncJob) ------------------


def test_ttl_seconds_after_finished() -> None:
    r = run(scenario((job_manifest(ttlSecondsAfterFinished=30), {"duration": "10s"})))
    j = r.job("job")
    assert (j["status"]["completionTime"], j["deletedAt"]) == (10, 40)
    assert r.pods()[0]["deletedAt"] == 40


def test_ttl_zero_deletes_at_finish() -> None:
    wl = {"duration": "5s", "failure": {"probability": 1.0}}
    r = run(scenario((job_manifest(ttlSecondsAfterFinished=0, backoffLimit=0), wl)))
    assert r.job("job")["deletedAt"] == 5


def test_managed_by_other_controller_is_left_alone() -> None:
    r = run(scenario((job_manifest(managedBy="kueue.x-k8s.io/multikueue"), {"duration": "10s"})))
    j = r.job("job")
    assert created_times(r) == []
    assert j["managedBy"] == "kueue.x-k8s.io/multikueue"
    assert j["status"] == {}


# -- evaluation order (job_controller.go syncJob) ----------------------------------------------


def test_backoff_limit_beats_deadline_in_the_same_sync() -> None:
    """The pod fails at 5 (backoffLimit 0) exactly when activeDeadlineSeconds 5 passes."""
    wl = {"duration": "5s", "failure": {"probability": 1.0}}
    r = run(scenario((job_manifest(backoffLimit=0, activeDeadlineSeconds=5), wl)))
    assert condition_times(r)[0] == ("FailureTarget", "True", "BackoffLimitExceeded", 5)


def test_existing_success_criteria_met_is_final() -> None:
    """After SuccessCriteriaMet (successPolicy), a lingering pod failing while it terminates
    does not make the Job fail (backoffLimit 0)."""
    m = job_manifest(
        completions=2,
        parallelism=2,
        completionMode="Indexed",
        backoffLimit=0,
        successPolicy={"rules": [{"succeededIndexes": "0"}]},
    )
    wl = {
        "duration": "100s",
        "terminationDelay": "3s",
        "script": [{"index": 0, "exitCode": 0, "after": "5s"}],
    }
    r = run(scenario((m, wl)))
    assert [c[:3] for c in condition_times(r)] == [
        ("SuccessCriteriaMet", "True", "SuccessPolicy"),
        ("Complete", "True", "SuccessPolicy"),
    ]
    assert r.job("job")["status"]["failed"] == 0


def test_pods_running_when_job_fails_are_counted_failed() -> None:
    """parallelism 2, backoffLimit 0: one pod fails at 5, the other still runs -> it is
    deleted and counted failed in the same sync: failed = 2."""
    wl = {"duration": "100s", "script": [{"attempt": 0, "exitCode": 1, "after": "5s"}]}
    r = run(scenario((job_manifest(completions=2, parallelism=2, backoffLimit=0), wl)))
    assert r.job("job")["status"]["failed"] == 2
