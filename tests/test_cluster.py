"""Cluster realism (issue 4): node lifecycle, removal and out-of-service, drain, placement,
priority and preemption, autoscaling, image pulls. Expected times are worked out by hand from
the upstream rules: the node lifecycle controller (node-monitor grace period,
``MarkPodsNotReady``), ``plugin/pkg/admission/defaulttolerationseconds``,
``pkg/controller/tainteviction`` (``processPodOnNode``), ``pkg/controller/podgc``
(``gc_controller.go``) and the DisruptionTarget reasons of preemption and the Eviction API."""

from __future__ import annotations

import copy
from typing import Any

from jobsim.sim.jobs import stream
from tests.helpers import created_times, job_manifest, run, scenario


def events_of(r: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in r.to_dict()["events"] if e["kind"] == kind]


def requests(cpu: str, **extra: str) -> dict[str, Any]:
    """A container requesting ``cpu``; ``extra`` extended resources go in its limits (the API
    server requires a limit for them, and the request defaults to it)."""
    resources: dict[str, Any] = {"requests": {"cpu": cpu}}
    if extra:
        resources["limits"] = dict(extra)
    return {"containers": [{"name": "main", "image": "busybox:1.36", "resources": resources}]}


LONG = {"duration": "1000s"}


# -- node lifecycle -----------------------------------------------------------------------------


def test_node_down_defaults_ready_false_then_eviction() -> None:
    """nodeDown at 100 with defaults: Ready=False at 150, DisruptionTarget and DELETE at 450;
    TerminatingOrFailed: counted and replaced in the sync at 451 (failure time 150)."""
    r = run(scenario((job_manifest(), LONG), timing={}, events=[{"at": "100s", "nodeDown": "n-0"}]))
    old = r.pods()[0]
    assert [(c["type"], c["reason"], c["lastTransitionTime"]) for c in old["conditions"]] == [
        ("Ready", "NodeNotReady", 150),
        ("DisruptionTarget", "DeletionByTaintManager", 450),
    ]
    assert created_times(r) == [0, 451]


def test_own_toleration_seconds_wins() -> None:
    """A pod tolerating the unreachable taint for 60 s is evicted at 150 + 60 = 210."""
    tol = [
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 60,
        }
    ]
    r = run(
        scenario(
            (job_manifest(podSpec={"tolerations": tol}), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}],
        )
    )
    assert r.pods()[0]["deletedAt"] == 210


def test_toleration_without_seconds_is_never_evicted() -> None:
    tol = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]
    r = run(
        scenario(
            (job_manifest(podSpec={"tolerations": tol}), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}],
        )
    )
    assert r.pods()[0]["deletedAt"] is None
    assert created_times(r) == [0]


def test_node_remove_podgc_marks_failed() -> None:
    """nodeDown 100 (Ready=False at 150), nodeRemove at 200: PodGC's next run (every 20 s, so
    at 200) marks the pod Failed with DisruptionTarget DeletionByPodGC; the sync at 201 counts
    it (failure time 150: backoff long over) and creates the replacement."""
    r = run(
        scenario(
            (job_manifest(), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "200s", "nodeRemove": "n-0"}],
        )
    )
    old = r.pods()[0]
    assert (old["phase"], old["finishedAt"]) == ("Failed", 200)
    assert old["conditions"][-1]["reason"] == "DeletionByPodGC"
    assert old["conditions"][-1]["message"] == "PodGC: node no longer exists"
    assert created_times(r) == [0, 201]
    assert r.pods()[1]["node"] == "n-1"


def test_node_remove_between_podgc_runs_waits_for_the_next_run() -> None:
    """Removed at 95 while Ready: PodGC runs at 100; the pod was Ready, so its failure time is
    the (force) DELETE at 100 and the replacement waits the 10 s backoff: 110 (zero latency)."""
    r = run(scenario((job_manifest(), LONG), events=[{"at": "95s", "nodeRemove": "n-0"}]))
    assert r.pods()[0]["finishedAt"] == 100
    assert created_times(r) == [0, 110]


def test_out_of_service_taint() -> None:
    """Node down at 100, NotReady at 150; out-of-service at 200: the taint manager evicts the
    pod at once and PodGC (run at 200) marks the terminating pod Failed; with
    podReplacementPolicy Failed the replacement comes in the sync at 201."""
    r = run(
        scenario(
            (job_manifest(podReplacementPolicy="Failed"), LONG),
            timing={},
            events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "200s", "nodeOutOfService": "n-0"}],
        )
    )
    old = r.pods()[0]
    assert (old["deletedAt"], old["finishedAt"], old["phase"]) == (200, 200, "Failed")
    assert created_times(r) == [0, 201]


def test_drain_evicts_and_cordons() -> None:
    """drain at 30: cordon, Eviction API (DisruptionTarget EvictionByEvictionAPI), graceful
    DELETE; counted at once, failure time = the DELETE (Ready) -> replacement at 40 on the
    other node; with a single node it waits until uncordon at 100."""
    r = run(scenario((job_manifest(), LONG), nodes=2, events=[{"at": "30s", "drain": "n-0"}]))
    old, new = r.pods()
    assert old["conditions"][-1]["reason"] == "EvictionByEvictionAPI"
    assert (new["createdAt"], new["node"]) == (40, "n-1")
    r1 = run(
        scenario(
            (job_manifest(), LONG),
            nodes=1,
            events=[{"at": "30s", "drain": "n-0"}, {"at": "100s", "uncordon": "n-0"}],
        )
    )
    _, new1 = r1.pods()
    assert (new1["createdAt"], new1["scheduledAt"]) == (40, 100)
    msgs = [e["message"] for e in events_of(r1, "POD_UNSCHEDULABLE")]
    assert msgs == [
        f"pod {new1['name']} unschedulable: 0/1 nodes are available: 1 node(s) were unschedulable."
    ]


# -- placement ----------------------------------------------------------------------------------


def test_least_allocated_spreads_most_allocated_packs() -> None:
    m = job_manifest(completions=2, parallelism=2, podSpec=requests("1"))
    spread = run(scenario((m, {"duration": "10s"}), nodes=2))
    data = scenario((m, {"duration": "10s"}), nodes=2)
    data["cluster"]["scoring"] = "MostAllocated"
    packed = run(data)
    assert [p["node"] for p in spread.pods()] == ["n-0", "n-1"]
    assert [p["node"] for p in packed.pods()] == ["n-0", "n-0"]


def test_node_selector_and_taints() -> None:
    data = scenario((job_manifest(podSpec={"nodeSelector": {"disk": "ssd"}}), {"duration": "10s"}))
    data["cluster"]["nodePools"].append(
        {
            "name": "ssd",
            "count": 1,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "labels": {"disk": "ssd"},
        }
    )
    data["cluster"]["nodePools"].append(
        {
            "name": "gpu",
            "count": 2,
            "capacity": {"cpu": "64", "memory": "256Gi"},
            "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}],
        }
    )
    assert run(data).pods()[0]["node"] == "ssd-0"
    # Without the selector the emptiest node wins, but the gpu nodes' taint is not tolerated.
    data2 = copy.deepcopy(data)
    data2["jobs"][0]["manifest"] = job_manifest()
    assert run(data2).pods()[0]["node"] == "n-0"


def test_extended_resources_and_failed_scheduling_message() -> None:
    data = scenario(
        (
            job_manifest(
                completions=2, parallelism=2, podSpec=requests("1", **{"nvidia.com/gpu": "1"})
            ),
            {"duration": "10s"},
        ),
        nodes=1,
    )
    data["cluster"]["nodePools"][0]["capacity"]["nvidia.com/gpu"] = 1
    r = run(data)
    assert [p["scheduledAt"] for p in r.pods()] == [0, 10]
    msgs = [e["message"].split(": ", 1)[1] for e in events_of(r, "POD_UNSCHEDULABLE")]
    assert msgs == ["0/1 nodes are available: 1 Insufficient nvidia.com/gpu."]


def test_init_container_requests_take_the_max() -> None:
    """Effective requests = max(sum of containers, each init container): init 3 cpu, main 1 cpu
    -> 3 cpu, so only one pod fits a 4-cpu node at a time."""
    spec = requests("1")
    spec["initContainers"] = [
        {"name": "init", "image": "busybox:1.36", "resources": {"requests": {"cpu": "3"}}}
    ]
    r = run(
        scenario(
            (job_manifest(completions=2, parallelism=2, podSpec=spec), {"duration": "10s"}), nodes=1
        )
    )
    assert [p["scheduledAt"] for p in r.pods()] == [0, 10]


def test_sidecar_requests_add_to_the_containers() -> None:
    """A sidecar (init container with restartPolicy Always) runs beside the containers, so its
    requests add (upstream PodRequests, KEP-753): sidecar 2 cpu + main 1 cpu = 3 cpu, so only
    one pod fits a 4-cpu node at a time (taking the max would give 2 cpu: two at once)."""
    spec = requests("1")
    spec["initContainers"] = [
        {
            "name": "proxy",
            "image": "busybox:1.36",
            "restartPolicy": "Always",
            "resources": {"requests": {"cpu": "2"}},
        }
    ]
    job = job_manifest(completions=2, parallelism=2, podSpec=spec)
    r = run(scenario((job, {"duration": "10s"}), nodes=1))
    assert [p["scheduledAt"] for p in r.pods()] == [0, 10]


def test_an_init_container_after_a_sidecar_needs_both() -> None:
    """An init container starting after a sidecar runs beside it: sidecar 1 cpu + init 3 cpu =
    4 cpu while it runs, more than the 1 + 1 cpu afterwards; so a pod needs 4 cpu, and a 6-cpu
    node takes one pod at a time (without the sidecar's share, 3 cpu: two at once)."""
    spec = requests("1")
    spec["initContainers"] = [
        {
            "name": "proxy",
            "image": "busybox:1.36",
            "restartPolicy": "Always",
            "resources": {"requests": {"cpu": "1"}},
        },
        {"name": "setup", "image": "busybox:1.36", "resources": {"requests": {"cpu": "3"}}},
    ]
    job = job_manifest(completions=2, parallelism=2, podSpec=spec)
    r = run(scenario((job, {"duration": "10s"}), nodes=1, cpu="6"))
    assert [p["scheduledAt"] for p in r.pods()] == [0, 10]


# -- priority and preemption --------------------------------------------------------------------


def _preemption_data(policy: str = "PreemptLowerPriority") -> dict[str, Any]:
    low = job_manifest(
        "low",
        completions=3,
        parallelism=2,
        podSpec={**requests("1"), "priorityClassName": "batch-low"},
    )
    high = job_manifest("high", podSpec={**requests("1"), "priorityClassName": "urgent"})
    data = scenario((low, {"duration": "100s"}), (high, {"duration": "30s"}), nodes=1, cpu="2")
    data["jobs"][1]["submitAt"] = "10s"
    data["cluster"]["priorityClasses"] = [
        {"name": "batch-low", "value": 100},
        {"name": "urgent", "value": 1000, "preemptionPolicy": policy},
    ]
    return data


def test_preemption() -> None:
    """One 2-cpu node full of two 1-cpu low pods; at 10 a high pod preempts the newer one
    (the older is reprieved): DisruptionTarget PreemptionByScheduler, DELETE, exit 143 at once;
    the high pod binds at 10. The victim counts as failed (TerminatingOrFailed); its
    replacement (backoff 10 s from the DELETE) waits until the high pod is done at 40."""
    r = run(_preemption_data())
    lows = [p for p in r.pods() if p["job"] == "default/low"]
    assert [p["deletedAt"] for p in lows[:2]] == [None, 10]
    victim = lows[1]
    assert victim["conditions"][-1]["reason"] == "PreemptionByScheduler"
    assert victim["conditions"][-1]["message"] == (
        "default-scheduler: preempting to accommodate a higher priority pod"
    )
    high = next(p for p in r.pods() if p["job"] == "default/high")
    assert (high["createdAt"], high["scheduledAt"]) == (10, 10)
    assert (lows[2]["createdAt"], lows[2]["scheduledAt"]) == (20, 40)
    assert r.job("low")["status"]["failed"] == 1


def test_preemption_policy_never_waits() -> None:
    r = run(_preemption_data("Never"))
    high = next(p for p in r.pods() if p["job"] == "default/high")
    assert (high["createdAt"], high["scheduledAt"]) == (10, 100)
    assert all(p["deletedAt"] is None for p in r.pods())


def test_pending_queue_orders_by_priority_then_creation() -> None:
    """A full 1-cpu node; a low pod pending since 1 and a high pod pending since 2 (policy
    Never, so no preemption): when the node frees at 10 the high one binds first."""
    blocker = job_manifest("blocker", podSpec=requests("1"))
    low = job_manifest("low", podSpec={**requests("1"), "priorityClassName": "low"})
    high = job_manifest("high", podSpec={**requests("1"), "priorityClassName": "high"})
    data = scenario(
        (blocker, {"duration": "10s"}),
        (low, {"duration": "10s"}),
        (high, {"duration": "10s"}),
        nodes=1,
        cpu="1",
    )
    data["jobs"][1]["submitAt"] = "1s"
    data["jobs"][2]["submitAt"] = "2s"
    data["cluster"]["priorityClasses"] = [
        {"name": "low", "value": 1, "preemptionPolicy": "Never"},
        {"name": "high", "value": 2, "preemptionPolicy": "Never"},
    ]
    r = run(data)
    sched = {p["job"]: p["scheduledAt"] for p in r.pods()}
    assert sched == {"default/blocker": 0, "default/high": 10, "default/low": 20}


# -- autoscaling ---------------------------------------------------------------------------------


def test_autoscaler_scales_up_and_down() -> None:
    """Pool from 0 nodes (min 0, max 3, provisionDelay 60 s, scaleDownUnneeded 300 s), with
    cluster-autoscaler's loop (the default: a scan every 10 s, the first at 10); job A (2 pods
    of 4 cpu) at 0: the scan at 10 binpacks them into two nodes, which join at 70; pods run
    70..170; the scan at 170 runs before the exits at that instant (outside events first), so
    the scan at 180 finds the nodes empty (utilisation 0 < 0.5): unneeded from 180, removed by
    the scan at 480. Job B at 1000: its pod is created after that instant's scan, seen by the
    scan at 1010: a new node (pool-2, the numbering goes on) joins at 1070."""
    a = job_manifest("a", completions=2, parallelism=2, podSpec=requests("4"))
    b = job_manifest("b", podSpec=requests("4"))
    data = scenario((a, {"duration": "100s"}), (b, {"duration": "100s"}))
    data["jobs"][1]["submitAt"] = "1000s"
    data["cluster"]["nodePools"] = [
        {
            "name": "pool",
            "count": 0,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "autoscaling": {
                "min": 0,
                "max": 3,
                "provisionDelay": "60s",
                "scaleDownUnneeded": "300s",
            },
        }
    ]
    r = run(data)
    added = [(e["t"], e["object"]) for e in events_of(r, "NODE_ADDED")]
    removed = [(e["t"], e["object"]) for e in events_of(r, "NODE_REMOVED")]
    assert added == [(70, "pool-0"), (70, "pool-1"), (1070, "pool-2")]
    assert removed == [(480, "pool-0"), (480, "pool-1")]
    assert [p["scheduledAt"] for p in r.pods()] == [70, 70, 1070]


def test_autoscaler_respects_max() -> None:
    """One node (max 2, provisionDelay 30 s), three pods of 4 cpu, 100 s each: the first runs
    on pool-0 at 0; the scan at 10 wants two nodes for the other two but the pool may grow by
    one: pool-1 joins at 40 and takes the second; the third waits for pool-0, free at 100."""
    m = job_manifest(completions=3, parallelism=3, podSpec=requests("4"))
    data = scenario((m, {"duration": "100s"}))
    data["cluster"]["nodePools"] = [
        {
            "name": "pool",
            "count": 1,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "autoscaling": {"min": 1, "max": 2, "provisionDelay": "30s"},
        }
    ]
    r = run(data)
    assert [(e["t"], e["object"]) for e in events_of(r, "NODE_ADDED")] == [
        (0, "pool-0"),
        (40, "pool-1"),
    ]
    assert sorted(p["scheduledAt"] for p in r.pods()) == [0, 40, 100]


# -- random node failures -------------------------------------------------------------------------


def test_random_failures_come_from_the_node_stream() -> None:
    """The first failure of each node is the first draw of its own stream (exponential with
    mean mtbf); adding a Job does not change it (common random numbers)."""
    data = scenario((job_manifest(completions=20, parallelism=2), {"duration": "60s"}), nodes=2)
    data["cluster"]["nodePools"][0]["failures"] = {"mtbf": "300s", "mttr": "30s"}
    r = run(data)
    first: dict[str, float] = {}
    for e in events_of(r, "NODE_DOWN"):
        first.setdefault(e["object"], e["t"])
    for name, t in first.items():
        expect = float(stream(1, "node", name).exponential(300.0))
        assert abs(t - expect) < 1e-6
    data2 = copy.deepcopy(data)
    data2["jobs"].append({"manifest": job_manifest("other"), "workload": {"duration": "5s"}})
    first2: dict[str, float] = {}
    for e in events_of(run(data2), "NODE_DOWN"):
        first2.setdefault(e["object"], e["t"])
    assert {k: v for k, v in first2.items() if k in first} == first
    # Failures stop once no work is left, so the run ends soon after the Job.
    assert r.job("job")["status"]["succeeded"] == 20
    completion = r.job("job")["status"]["completionTime"]
    assert completion is not None and r.end < completion + 2000


# -- image pulls --------------------------------------------------------------------------------


def test_image_pulled_once_per_node_unless_always() -> None:
    """Pull 5 s: with IfNotPresent the second pod on the node starts at once (containerStart 0);
    with imagePullPolicy Always it pulls again."""

    def data(policy: str | None) -> dict[str, Any]:
        c: dict[str, Any] = {"name": "main", "image": "registry.example/app:1.0"}
        if policy:
            c["imagePullPolicy"] = policy
        d = scenario(
            (job_manifest(completions=2, podSpec={"containers": [c]}), {"duration": "10s"}), nodes=1
        )
        d["timing"]["imagePull"] = "5s"
        return d

    cached = run(data(None))
    assert [(p["createdAt"], p["startedAt"]) for p in cached.pods()] == [(0, 5), (15, 15)]
    always = run(data("Always"))
    assert [(p["createdAt"], p["startedAt"]) for p in always.pods()] == [(0, 5), (15, 20)]
