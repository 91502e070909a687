"""Statistics pinned on small scenarios, against values worked out by hand from the rules.

Definitions are in ``jobsim/stats.py``: a run is one container start until its exit; wasted
pod-seconds are the lengths of runs that did not end in a counted success.
"""

from __future__ import annotations

import pytest

from jobsim import load_scenario, simulate
from jobsim.stats import step_mean
from tests.helpers import job_manifest, run, scenario, without_resources

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}
REQUESTS = {
    "containers": [
        {
            "name": "main",
            "image": "busybox:1.36",
            "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
        }
    ]
}
GI = 1024**3


def test_backoff_wasted_pod_seconds() -> None:
    """backoffLimit 2, every pod fails after 5 s, zero latencies: pods at 0, 15, 40, each
    running 5 s and failing ⇒ 3 failed attempts × 5 s = 15 wasted pod-seconds, none useful.
    Failed at 45 ⇒ makespan 45; 3 nodes × 45 s = 0.0375 node-hours."""
    r = run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))
    st = r.stats
    j = st.job("job")
    assert (j.outcome, j.reason) == ("Failed", "BackoffLimitExceeded")
    assert j.wastedPodSeconds == 15
    assert j.usefulPodSeconds == 0
    assert (j.podsCreated, j.attempts, j.reExecutions) == (3, 3, 2)
    assert j.failuresByExitCode == {"1": 3}
    assert j.failuresByReason == {"Error": 3}
    assert (j.waitUntilRunning, j.wallTime, j.finishedAt) == (0, 45, 45)
    assert j.overlappingExecutions == []
    assert j.attemptsPerIndex == {}
    assert (st.windowStart, st.windowEnd, st.makespan) == (0, 45, 45)
    assert st.jobsByOutcome == {"Failed": 1}
    assert st.nodes == 3
    assert st.nodeHours == pytest.approx(3 * 45 / 3600)
    assert (st.wastedPodSeconds, st.usefulPodSeconds) == (15, 0)
    assert st.warnings == []


def test_backoff_utilisation_is_time_weighted() -> None:
    """Same Job, pods requesting 1 cpu and 1Gi on 3 nodes of 4 cpu and 16Gi: 1 cpu requested
    during [0,5], [15,20], [40,45] = 15 cpu-seconds over 45 s ⇒ mean 1/3 cpu of 12: 1/36."""
    r = run(scenario((job_manifest(backoffLimit=2, podSpec=REQUESTS), FAIL_AFTER_5S)))
    st = r.stats
    assert st.cpu is not None and st.memory is not None
    assert st.cpu.meanAllocatable == pytest.approx(12)
    assert st.cpu.meanRequested == pytest.approx(1 / 3)
    assert st.cpu.meanUtilisation == pytest.approx(1 / 36)
    assert st.cpu.peakRequested == 1
    assert st.cpu.peakUtilisation == pytest.approx(1 / 12)
    assert st.memory.meanAllocatable == pytest.approx(48 * GI)
    assert st.memory.meanRequested == pytest.approx(GI / 3)
    assert st.memory.meanUtilisation == pytest.approx(1 / 144)
    assert [u[:2] for u in st.utilisation] == [(0, 1), (5, 0), (15, 1), (20, 0), (40, 1), (45, 0)]


def test_pending_pods_over_time() -> None:
    """completions 3, parallelism 3, one node with 1 cpu, pods requesting 1 cpu for 10 s:
    bound at 0, 10, 20 ⇒ pending 2 on [0,10), 1 on [10,20), 0 after; Complete at 30.
    Mean pending (2·10 + 1·10) / 30 = 1, peak 2; the node is fully requested all along."""
    r = run(
        scenario(
            (job_manifest(parallelism=3, completions=3, podSpec=REQUESTS), {"duration": "10s"}),
            nodes=1,
            cpu="1",
        )
    )
    st = r.stats
    assert st.pending == [(0, 2), (10, 1), (20, 0)]
    assert (st.meanPending, st.peakPending) == (1, 2)
    assert st.windowEnd == 30
    assert st.cpu is not None
    assert st.cpu.meanUtilisation == pytest.approx(1)
    j = st.job("job")
    assert (j.usefulPodSeconds, j.wastedPodSeconds, j.reExecutions) == (30, 0, 0)
    assert j.waitUntilRunning == 0


def test_indexed_attempts_per_index() -> None:
    """Indexed, completions 5, parallelism 2, runs of 10 s, index 1 fails once: 6 runs; index 1
    ran twice (one re-execution); 10 wasted and 5 × 10 useful pod-seconds."""
    wl = {"duration": "10s", "script": [{"index": 1, "attempt": 0, "exitCode": 1}]}
    r = run(scenario((job_manifest(completions=5, parallelism=2, completionMode="Indexed"), wl)))
    j = r.stats.job("job")
    assert j.attemptsPerIndex == {"0": 1, "1": 2, "2": 1, "3": 1, "4": 1}
    assert (j.attempts, j.reExecutions) == (6, 1)
    assert (j.wastedPodSeconds, j.usefulPodSeconds) == (10, 50)
    assert j.failuresByExitCode == {"1": 1}


def test_on_failure_restarts_are_attempts() -> None:
    """OnFailure, backoffLimit 3, exit 1 after 5 s: runs [0,5], [5,10], [20,25] (restart delays
    0, 10, 20 s) and a 4th started at 45, when restartCount 3 reaches the limit: the pod is
    deleted and its container exits 143 at once. 4 attempts, 3 re-executions, 15 s wasted."""
    r = run(scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=3), FAIL_AFTER_5S)))
    j = r.stats.job("job")
    assert (j.podsCreated, j.attempts, j.reExecutions) == (1, 4, 3)
    assert j.failuresByExitCode == {"1": 3, "143": 1}
    assert j.failuresByReason == {"BackoffLimitExceeded": 1}
    assert j.wastedPodSeconds == 15
    assert j.overlappingExecutions == []


def test_deadline_termination_is_wasted() -> None:
    """activeDeadlineSeconds 100, a 300 s run, terminationDelay 7 s: SIGTERM at 100, exit 143
    at 107 ⇒ 107 wasted pod-seconds; the pod failed because of the deadline."""
    wl = {"duration": "300s", "terminationDelay": "7s"}
    r = run(scenario((job_manifest(activeDeadlineSeconds=100), wl)))
    j = r.stats.job("job")
    assert (j.wastedPodSeconds, j.usefulPodSeconds) == (107, 0)
    assert j.failuresByExitCode == {"143": 1}
    assert j.failuresByReason == {"DeadlineExceeded": 1}
    assert (j.outcome, j.wallTime) == ("Failed", 107)
    assert r.stats.windowEnd == 107  # the run itself goes on to 300 (the cancelled exit)


def test_node_failure_overlapping_execution() -> None:
    """A node stops reporting at 60 while its pod runs (started 1, 600 s long). NotReady at
    110 (grace 50 s), evicted at 410 (toleration 300 s), replaced at 411 (jobSyncDelay 1 s),
    which starts at 412. The old container, unseen, exits at 601: 601 - 412 = 189 s of
    overlap. Old run 600 s wasted (counted failed), new run 600 s useful."""
    r = run(
        scenario(
            (job_manifest(), {"duration": "10m", "terminationDelay": "5s"}),
            timing={},
            nodes=2,
            events=[{"at": "60s", "nodeDown": "n-0"}, {"at": "30m", "nodeUp": "n-0"}],
        )
    )
    st = r.stats
    j = st.job("job")
    assert j.reExecutions == 1
    [o] = j.overlappingExecutions
    assert (o.start, o.seconds, o.index) == (412, 189, None)
    assert (j.wastedPodSeconds, j.usefulPodSeconds) == (600, 600)
    assert j.failuresByReason == {"DeletionByTaintManager": 1}
    assert j.failuresByExitCode == {}
    assert j.waitUntilRunning == 1
    assert len(st.warnings) == 1
    assert "3m9s overlap from t=6m52s" in st.warnings[0]


def test_pi_scenario() -> None:
    """pi: image pull 5 s + containerStart 1 s ⇒ running at 6; 10 s run; Complete at 17."""
    r = run(scenario((job_manifest("pi"), {"duration": "10s"}), timing={"imagePull": "5s"}))
    j = r.stats.job("pi")
    assert (j.waitUntilRunning, j.wallTime) == (6, 17)
    assert (j.usefulPodSeconds, j.wastedPodSeconds) == (10, 0)
    assert r.stats.makespan == 17


def test_without_resources_in_the_record_they_are_unknown() -> None:
    """A record without node resources and pod requests: no cpu/memory, the rest holds."""
    r = without_resources(
        simulate(load_scenario(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S))))
    )
    st = r.stats
    assert st.cpu is None and st.memory is None and st.utilisation == []
    assert st.job("job").wastedPodSeconds == 15


def test_json_stats() -> None:
    """``to_dict()`` is the ``--json`` object, ``stats`` included; ``with_stats=False`` drops it."""
    r = run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))
    assert "stats" not in r.to_dict(with_stats=False)
    d = r.to_dict()
    assert list(d) == [
        "scenario",
        "seed",
        "jobsimVersion",
        "end",
        "jobs",
        "pods",
        "nodes",
        "events",
        "stats",
    ]
    stats = d["stats"]
    assert stats["jobs"][0]["wastedPodSeconds"] == 15
    assert stats["window"] == {"start": 0, "end": 45}
    assert stats["pending"] == {"mean": 0, "peak": 0}
    assert stats["series"]["pending"] == [[0, 0]]


@pytest.mark.parametrize(
    ("t0", "t1", "want"),
    [(0, 30, 1.0), (5, 15, 1.5), (25, 35, 0.0), (0, 10, 2.0), (12, 12, 1.0)],
)
def test_step_mean(t0: float, t1: float, want: float) -> None:
    series = [(0.0, 2.0), (10.0, 1.0), (20.0, 0.0)]
    assert step_mean(series, t0, t1) == pytest.approx(want)


def test_removed_node_run_ends_at_removal() -> None:
    """A node stops reporting at 60 while its pod runs (1 h long) and is removed at 300:
    PodGC fails the pod, the Job replaces it at 301 (jobSyncDelay), started at 302. The old
    container's exit was never reported; it is taken to end when its node was removed (300),
    so the replacement does not overlap it, and its run is neither wasted nor useful."""
    r = run(
        scenario(
            (job_manifest(), {"duration": "1h"}),
            timing={},
            nodes=2,
            events=[{"at": "60s", "nodeDown": "n-0"}, {"at": "5m", "nodeRemove": "n-0"}],
        )
    )
    j = r.stats.job("job")
    assert j.reExecutions == 1
    assert j.overlappingExecutions == []
    assert (j.wastedPodSeconds, j.usefulPodSeconds) == (0, 3600)
    assert r.stats.nodeHours == pytest.approx((300 + r.stats.windowEnd) / 3600)


def test_unreported_predecessor_is_an_unconfirmed_overlap() -> None:
    """A node stops reporting at 60 and never returns; out-of-service at 120 evicts its pod at
    once; the replacement is created at 121 and starts at 122, running 1 h until 3722. The old
    container was never seen to stop: a possible overlap of the whole new run, unconfirmed."""
    r = run(
        scenario(
            (job_manifest(), {"duration": "1h"}),
            timing={},
            nodes=2,
            events=[{"at": "60s", "nodeDown": "n-0"}, {"at": "2m", "nodeOutOfService": "n-0"}],
        )
    )
    [o] = r.stats.job("job").overlappingExecutions
    assert (o.start, o.seconds, o.confirmed) == (122, 3600, False)
    assert "may still have been running" in r.stats.warnings[0]


def test_a_cluster_without_nodes_has_zero_resources_not_unknown_ones() -> None:
    """No node at all: nothing allocatable and nothing requested (zeros), which is known; a
    record whose nodes lack resources is what makes them unknown."""
    data = scenario((job_manifest(), {"duration": "1s"}), nodes=0)
    data["horizon"] = "10s"
    st = run(data).stats
    names = ("meanAllocatable", "meanRequested", "peakRequested", "peakUtilisation")
    zero = {name: 0 for name in (*names, "meanUtilisation")}
    assert st.cpu is not None and st.memory is not None
    assert st.cpu.to_dict() == zero and st.memory.to_dict() == zero
    assert st.utilisation == [(0.0, 0.0, 0.0, 0.0, 0.0)]
    assert (st.nodes, st.nodeHours) == (None, None)
