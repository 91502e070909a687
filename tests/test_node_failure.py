"""Node failure with default latencies (issue 2 §4 "nodeDown"). Upstream rules: the node
lifecycle controller (``MarkPodsNotReady``), ``plugin/pkg/admission/defaulttolerationseconds``,
``pkg/controller/tainteviction`` (``processPodOnNode``) and, for the replacement,
``pkg/controller/job/backoff_utils.go`` (``getFinishedTime``: the earlier ``Ready=False``).

Defaults: jobSyncDelay 1 s, containerStart 1 s, nodeMonitorGracePeriod 50 s,
defaultTolerationSeconds 300 s. The only pod starts on n-0 at 1 s.
"""

from __future__ import annotations

from tests.helpers import condition_times, created_times, job_manifest, run, scenario

LONG = {"duration": "1000s"}


def _events(r: object, kind: str) -> list[tuple[float, str]]:
    return [(e["t"], e["object"]) for e in r.to_dict()["events"] if e["kind"] == kind]  # type: ignore[attr-defined]


def test_unreachable_node_evicts_and_replaces() -> None:
    """nodeDown at 100: NotReady and pod Ready=False at 150; taint eviction (DisruptionTarget,
    DeletionByTaintManager) and DELETE at 450. TerminatingOrFailed: the pod counts as failed in
    the sync at 451 with failure time 150 (its Ready=False transition, getFinishedTime rule 2),
    so the 10 s backoff has long passed and the replacement is created in that same sync. It
    runs on n-1 from 452 to 1452; SuccessCriteriaMet at 1453, but Complete waits until the old
    pod stops terminating. Its container exited 0 unseen at 1001; nodeUp at 2000 reports that,
    and the deleted pod ends Succeeded, as its container did (kubelet getPhase with
    podIsTerminal), counted as failed already at 451 (isPodFailed: deleted, not Succeeded
    then); Complete at 2001."""
    r = run(
        scenario(
            (job_manifest(), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "2000s", "nodeUp": "n-0"}],
        )
    )
    old, new = r.pods()
    assert created_times(r) == [0, 451]
    assert old["node"] == "n-0" and new["node"] == "n-1"
    assert [(c["type"], c["reason"], c["lastTransitionTime"]) for c in old["conditions"]] == [
        ("Ready", "NodeNotReady", 150),
        ("DisruptionTarget", "DeletionByTaintManager", 450),
    ]
    assert old["deletedAt"] == 450
    assert (old["phase"], old["exitCode"], old["finishedAt"]) == ("Succeeded", 0, 2000)
    exits = [
        (e["t"], e["message"]) for e in r.to_dict()["events"] if e["kind"] == "CONTAINER_EXITED"
    ]
    assert [t for t, _ in exits] == [1452, 2000]
    assert exits[1][1].endswith("exited with code 0 (at 16m41s, reported late: node unreachable)")
    assert condition_times(r) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", 1453),
        ("Complete", "True", "CompletionsReached", 2001),
    ]
    st = r.job("job")["status"]
    assert (st["succeeded"], st["failed"], st["terminating"]) == (1, 1, 0)


def test_sigterm_on_node_return() -> None:
    """A pod still running when its node returns after the eviction gets SIGTERM then: with
    terminationDelay 3 s it exits 143 at nodeUp + 3."""
    wl = {"duration": "5000s", "terminationDelay": "3s"}
    r = run(
        scenario(
            (job_manifest(), wl),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "2000s", "nodeUp": "n-0"}],
        )
    )
    old = r.pods()[0]
    assert (old["phase"], old["exitCode"], old["finishedAt"]) == ("Failed", 143, 2003)


def test_status_terminating_while_node_is_down() -> None:
    """Between the eviction and nodeUp the old pod is Terminating: status.terminating = 1."""
    r = run(
        scenario((job_manifest(), LONG), timing={}, events=[{"at": "100s", "nodeDown": "n-0"}]),
    )
    st = r.job("job")["status"]
    assert (st["terminating"], st["succeeded"], st["failed"]) == (1, 1, 1)
    assert [c["type"] for c in st["conditions"]] == ["SuccessCriteriaMet"]


def test_node_back_before_grace_period_changes_nothing() -> None:
    """Down 100..120 < 50 s grace: no NotReady, no eviction; Complete at 1002."""
    r = run(
        scenario(
            (job_manifest(), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "120s", "nodeUp": "n-0"}],
        )
    )
    assert created_times(r) == [0]
    assert _events(r, "NODE_NOT_READY") == []
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 1002)


def test_exit_while_unreachable_is_reported_on_return() -> None:
    """The container exits 0 at 201 while n-0 is unreachable (100..300); the eviction planned
    for 450 is cancelled by nodeUp at 300, when the kubelet reports the exit: Succeeded, the
    sync at 301 completes the Job. The pod's finishedAt is its real exit time."""
    r = run(
        scenario(
            (job_manifest(), {"duration": "200s"}),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "300s", "nodeUp": "n-0"}],
        )
    )
    pod = r.pods()[0]
    assert (pod["phase"], pod["exitCode"], pod["deletedAt"]) == ("Succeeded", 0, None)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 301)


def test_pods_wait_pending_until_capacity_frees() -> None:
    """One node with 1 cpu, pods request 1 cpu, parallelism 2: the second pod stays Pending
    (FailedScheduling "0/1 nodes are available: 1 Insufficient cpu.") and binds when the first
    ends at 10 (zero latencies)."""
    m = job_manifest(
        completions=2,
        parallelism=2,
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}
            ]
        },
    )
    r = run(scenario((m, {"duration": "10s"}), nodes=1, cpu="1"))
    a, b = r.pods()
    assert (a["scheduledAt"], b["scheduledAt"]) == (0, 10)
    unsched = [e["message"] for e in r.to_dict()["events"] if e["kind"] == "POD_UNSCHEDULABLE"]
    assert unsched == [
        f"pod {b['name']} unschedulable: 0/1 nodes are available: 1 Insufficient cpu."
    ]
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 20)


def test_out_of_service_before_not_ready_is_collected_at_the_next_podgc_pass() -> None:
    """a-0 stops reporting at 15 s and gets the out-of-service taint at 20 s, while it is
    still Ready: the taint evicts the pod at once (deleted at 20 s), which cannot terminate
    on an unreachable node. PodGC's gcTerminating (every podGCPeriod, 20 s) force-deletes
    terminating pods on out-of-service nodes that are not ready: a-0 is NotReady at 15 + 50
    = 65 s, so the pass at 80 s fails the pod (gc_controller.go gcTerminating)."""
    events = [{"at": "15s", "nodeDown": "n-0"}, {"at": "20s", "nodeOutOfService": "n-0"}]
    r = run(scenario((job_manifest(), {"duration": "300s"}), nodes=2, events=events))
    first = r.pods()[0]
    assert (first["node"], first["deletedAt"], first["phase"], first["finishedAt"]) == (
        "n-0",
        20,
        "Failed",
        80,
    )
    assert r.job("job")["status"]["terminating"] == 0


def test_a_pod_judged_failed_when_listed_stays_failed() -> None:
    """The pod of n-0 (1 to 301 s, unseen: n-0 stops reporting at 100) is NotReady at 150 and
    deleted by the taint manager at 450. The sync at 451 lists it deleted and not Succeeded:
    failed (isPodFailed), its failure time 150, the backoff long over, so that sync creates the
    replacement; the client's one token (kubeAPIQPS 0.01, burst 1) went to Job other at 449,
    so the creation waits until 549. Meanwhile n-0 reports again (460) and the old pod ends
    Succeeded (its container exited 0). The sync counts its pods as it listed them
    (trackJobStatusAndRemoveFinalizers: Succeeded only if not uncounted as failed): failed,
    not succeeded; the replacement runs 550 to 850, Complete at 851."""
    data = scenario(
        (job_manifest(), {"duration": "300s"}),
        (job_manifest(name="other"), {"duration": "10s"}),
        timing={"kubeAPIQPS": 0.01, "kubeAPIBurst": 1},
        nodes=2,
        events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "460s", "nodeUp": "n-0"}],
    )
    data["jobs"][1]["submitAt"] = "449s"
    r = run(data)
    old, new = [p for p in r.pods() if p["job"] == "default/job"]
    assert (old["deletedAt"], old["phase"], old["counted"]) == (450, "Succeeded", "failed")
    assert (new["createdAt"], new["phase"], new["counted"]) == (549, "Succeeded", "succeeded")
    st = r.job("job")["status"]
    assert (st["succeeded"], st["failed"]) == (1, 1)
    assert condition_times(r)[-1] == ("Complete", "True", "CompletionsReached", 851)
