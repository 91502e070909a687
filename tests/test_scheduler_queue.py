"""kube-scheduler's queue and throughput (``cluster.scheduler``), exact timelines.

Upstream rules (the expected values below are derived from them, not from a run):

- ``scheduleOne`` (``pkg/scheduler/schedule_one.go``) takes one pod from activeQ at a time;
  jobsim spends ``schedulingCycle`` on it and binds it through the scheduler's client token
  bucket (``clientConnection.qps`` 50, ``burst`` 100: the bucket starts full and refills at
  ``qps``).
- ``numFeasibleNodesToFind``: every node below 100 nodes or at 100 %; else
  ``nodes·p/100`` with ``p`` 0 meaning ``50 - nodes/125`` (at least 5), at least 100; filtering
  starts at ``nextStartNodeIndex``, which moves on by the nodes processed.
- ``calculateBackoffDuration``: 1 s doubled per unschedulable attempt, at most 10 s, counted
  from the failed attempt; an unschedulable pod moves on a cluster event
  (``MoveAllToActiveOrBackoffQueue``: a deleted pod moves every pod, NodeResourcesFit's hint)
  to backoffQ until its backoff ends, then to activeQ.
- ``flushUnschedulablePodsLeftover``, every 30 s, moves the pods unschedulable for more than
  ``podMaxInUnschedulablePodsDuration`` (5 min).
- ``SchedulerPopFromBackoffQ`` (``pkg/features/kube_features.go``: Beta, on, from 1.33;
  ``active_queue.go`` ``unlockedPop``): a cycle that finds activeQ empty pops backoffQ's first
  pod, without waiting for its backoff to end. Off (before 1.33, or set off), a pod in backoffQ
  waits it out. The tests that pin backoff waits turn it off.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import ScenarioError
from jobsim.policy.scheduling_queue import (
    backoff_pop_order,
    flush_due,
    num_feasible_nodes_to_find,
    pod_backoff,
    rejector_plugins,
)
from jobsim.scenario.model import KubeScheduler
from tests.helpers import ZERO, job_manifest, run, scenario

TIMING = {**ZERO, "kubeAPIQPS": 0}  # pods created at once: only the scheduler paces them
POP_OFF = {"featureGates": {"SchedulerPopFromBackoffQ": False}}  # 1.36 with the gate off
BEFORE_POP = {"kubernetesVersion": "1.32"}  # the gate does not exist yet


def _cpu(cpu: str, **spec: Any) -> dict[str, Any]:
    return {
        "containers": [
            {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": cpu}}}
        ],
        **spec,
    }


def _scheduled(r: Any, job: str = "job") -> list[float]:
    return sorted(p["scheduledAt"] for p in r.pods() if p["job"].endswith("/" + job))


def _unschedulable(r: Any, prefix: str) -> list[float]:
    return [
        e["t"]
        for e in r.to_dict()["events"]
        if e["kind"] == "POD_UNSCHEDULABLE" and e["object"].startswith(prefix)
    ]


@pytest.mark.parametrize(
    ("percentage", "nodes", "want"),
    [
        (0, 50, 50),  # below minFeasibleNodesToFind: every node
        (0, 99, 99),
        (0, 100, 100),  # 50 % of 100 is 50, raised to 100
        (0, 1000, 420),  # 50 - 1000/125 = 42 %
        (0, 5000, 500),  # 50 - 40 = 10 %
        (0, 6000, 300),  # 50 - 48 = 2 %, raised to 5 %
        (0, 20000, 1000),  # 5 %
        (10, 5000, 500),
        (1, 1000, 100),  # 10 nodes, raised to 100
        (100, 5000, 5000),
    ],
)
def test_num_feasible_nodes_to_find(percentage: int, nodes: int, want: int) -> None:
    assert num_feasible_nodes_to_find(percentage, nodes) == want


def test_backoff_doubles_to_its_maximum() -> None:
    assert [pod_backoff(n, 1, 10) for n in range(7)] == [0, 1, 2, 4, 8, 10, 10]
    assert pod_backoff(3, 0, 0) == 0  # no backoff at all
    assert pod_backoff(200, 1, 10) == 10  # no overflow


def test_backoff_q_pops_the_earliest_window_then_the_highest_priority() -> None:
    """``lessBackoffCompletedWithPriority``: the backoff's end aligned to its 1 s window first,
    then as activeQ orders (priority, then the time queued)."""
    pods = {
        "late-high": (3.2, 1000, 0.5),
        "early-low": (2.9, 0, 0.9),
        "early-high-later": (2.1, 1000, 0.7),
        "early-high": (2.5, 1000, 0.2),
    }
    order = sorted(pods, key=lambda n: backoff_pop_order(*pods[n]))
    assert order == ["early-high", "early-high-later", "early-low", "late-high"]


def test_rejector_plugins_name_each_filter() -> None:
    reasons = [
        "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
        "node(s) were unschedulable",
        "node(s) didn't match Pod's node affinity/selector",
        "Insufficient cpu",
        "Too many pods",
        "node(s) didn't match pod topology spread constraints",
        "node(s) didn't satisfy existing pods anti-affinity rules",
        None,
    ]
    assert rejector_plugins(reasons) == {
        "TaintToleration",
        "NodeUnschedulable",
        "NodeAffinity",
        "NodeResourcesFit",
        "PodTopologySpread",
        "InterPodAffinity",
    }
    assert rejector_plugins([None, None]) == frozenset()


def test_flush_tick() -> None:
    """Ticks at 0, 30, 60 …; a pod is flushed at the first one more than 300 s after it."""
    assert flush_due(0.0, 300.0) == 330.0  # 300 s is not more than 300 s
    assert flush_due(29.5, 300.0) == 330.0
    assert flush_due(30.0, 300.0) == 360.0
    assert flush_due(0.0, 60.0) == 90.0


def test_on_is_upstream_defaults() -> None:
    data = scenario((job_manifest(), {"duration": "1s"}))
    data["cluster"]["scheduler"] = True
    from jobsim import load_scenario

    assert load_scenario(data).cluster.scheduler == KubeScheduler(
        schedulingCycle=0.01,
        clientQPS=50.0,
        clientBurst=100,
        percentageOfNodesToScore=0,
        podInitialBackoffSeconds=1,
        podMaxBackoffSeconds=10,
        podMaxInUnschedulablePodsDuration=300.0,
    )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"podInitialBackoffSeconds": 5, "podMaxBackoffSeconds": 2}, "podMaxBackoffSeconds (2)"),
        ({"percentageOfNodesToScore": 101}, "less than or equal to 100"),
        ({"schedulingCycle": "-1s"}, "schedulingCycle"),
        ({"clientQPS": -1}, "clientQPS"),
    ],
)
def test_bad_settings_are_refused(config: dict[str, Any], words: str) -> None:
    data = scenario((job_manifest(), {"duration": "1s"}))
    data["cluster"]["scheduler"] = config
    with pytest.raises(ScenarioError, match="scheduler") as info:
        run(data)
    assert words in str(info.value)


def _throughput(config: dict[str, Any], pods: int) -> list[float]:
    data = scenario(
        (
            job_manifest(parallelism=pods, completions=pods, podSpec=_cpu("10m")),
            {"duration": "100s"},
        ),
        timing=TIMING,
        nodes=4,
        cpu="100",
    )
    data["cluster"]["scheduler"] = config
    return _scheduled(run(data))


def test_one_pod_per_cycle() -> None:
    """A 10 ms cycle and no client limit: 50 pods bind at 0.01, 0.02, … 0.50 s."""
    got = _throughput({"schedulingCycle": "10ms", "clientQPS": 0}, 50)
    assert got == pytest.approx([0.01 * k for k in range(1, 51)], abs=1e-9)


def test_bindings_wait_for_the_client_bucket() -> None:
    """No cycle cost, QPS 50 and burst 100: 100 bindings at 0, then one per 20 ms."""
    got = _throughput({"schedulingCycle": 0}, 150)
    assert got == pytest.approx([0.0] * 100 + [0.02 * k for k in range(1, 51)], abs=1e-9)


def test_ideal_scheduler_binds_all_at_once() -> None:
    assert _throughput({"schedulingCycle": 0, "clientQPS": 0}, 50) == [0.0] * 50


SPREAD = {
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"batch.kubernetes.io/job-name": "job"}},
        }
    ]
}


def _spread(
    nodes: int, config: dict[str, Any] | None, pods: int = 4, spec: dict[str, Any] | None = None
) -> list[str]:
    data = scenario(
        (
            job_manifest(parallelism=pods, completions=pods, podSpec=_cpu("1", **(spec or {}))),
            {"duration": "100s"},
        ),
        timing=TIMING,
        nodes=nodes,
    )
    if config is not None:
        data["cluster"]["scheduler"] = {"schedulingCycle": 0, "clientQPS": 0, **config}
    r = run(data)
    return [p["node"] for p in sorted(r.pods(), key=lambda p: p["scheduledAt"])]


def test_percentage_of_nodes_to_score_rotates_the_sample() -> None:
    """1000 equal nodes: each cycle finds 420 feasible nodes from ``nextStartNodeIndex`` and
    takes the best of them (LeastAllocated: an empty node; ties to the first in scenario
    order): n-0 (0–419, next 420), n-420 (420–839, next 840), n-1 (840–999 and 0–259, n-0
    used, next 260), n-260 (260–679)."""
    assert _spread(1000, {}) == ["n-0", "n-420", "n-1", "n-260"]


def test_the_scan_samples_the_same_way() -> None:
    """A pod with a spread constraint is placed by the scan (every node filtered, scored with
    PodTopologySpread too): the same nodes are found and the same ones win."""
    assert _spread(1000, {}, spec=SPREAD) == ["n-0", "n-420", "n-1", "n-260"]
    assert _spread(1000, None, spec=SPREAD) == ["n-0", "n-1", "n-2", "n-3"]


def test_filtered_out_nodes_count_as_processed() -> None:
    """200 nodes (100 to find): ``a`` 0–99, ``t`` 100–149 tainted, ``b`` 150–199. Pod 1 finds
    a-0 … a-99, filters t-0 … t-49 out, and stops at b-0: a-0, next 150. Pod 2 from b-0:
    b-0 … b-49 and a-0 … a-49: a-1 (a-0 is used; ties to scenario order), next 50. Pod 3 from
    a-50: a-50 … a-99, the t nodes, b-0 … b-49: a-50, next 0. Pod 4: a-2."""
    data = scenario(
        (job_manifest(parallelism=4, completions=4, podSpec=_cpu("1")), {"duration": "100s"}),
        timing=TIMING,
    )
    pool = data["cluster"]["nodePools"][0]
    data["cluster"]["nodePools"] = [
        {**pool, "name": "a", "count": 100},
        {**pool, "name": "t", "count": 50, "taints": [{"key": "k", "effect": "NoSchedule"}]},
        {**pool, "name": "b", "count": 50},
    ]
    data["cluster"]["scheduler"] = {"schedulingCycle": 0, "clientQPS": 0}
    r = run(data)
    assert [p["node"] for p in sorted(r.pods(), key=lambda p: p["scheduledAt"])] == [
        "a-0",
        "a-1",
        "a-50",
        "a-2",
    ]


def test_every_node_scored_at_100_percent_or_below_100_nodes() -> None:
    assert _spread(1000, {"percentageOfNodesToScore": 100}) == ["n-0", "n-1", "n-2", "n-3"]
    assert _spread(99, {}) == ["n-0", "n-1", "n-2", "n-3"]
    assert _spread(1000, None) == ["n-0", "n-1", "n-2", "n-3"]


def _backoff_run(config: dict[str, Any] | None, release: dict[str, Any] | None = None) -> Any:
    """One node of 4 cpu. ``filler`` (2 cpu) runs 0–50 s; ``big`` (4 cpu) waits for it;
    ``churn`` (1 cpu) runs 100 pods of 0.4 s one after another (0–40 s), each exit a deleted
    pod's event."""
    data = scenario(
        (job_manifest("filler", podSpec=_cpu("2")), {"duration": "50s"}),
        (job_manifest("big", podSpec=_cpu("4")), {"duration": "10s"}),
        (
            job_manifest("churn", completions=100, parallelism=1, podSpec=_cpu("1")),
            {"duration": "400ms"},
        ),
        timing=TIMING,
        nodes=1,
    )
    data.update(release or {})
    if config is not None:
        data["cluster"]["scheduler"] = config
    return run(data)


@pytest.mark.parametrize("release", [POP_OFF, BEFORE_POP])
def test_backoff_doubles_between_retries_on_events(release: dict[str, Any]) -> None:
    """Without SchedulerPopFromBackoffQ: ``big`` fails at 0 (backoff 1 s); each churn exit
    moves it to backoffQ, so it is tried when its backoff ends: at 1 (then 2 s), 3 (4 s),
    7 (8 s), 15 (10 s), 25, 35, 45. The filler exits at 50 while it is unschedulable: it is
    moved, backs off until 55 and binds then."""
    r = _backoff_run({"schedulingCycle": 0, "clientQPS": 0}, release)
    assert _unschedulable(r, "big-") == [0, 1, 3, 7, 15, 25, 35, 45]
    assert _scheduled(r, "big") == [55]


def test_an_empty_active_queue_pops_the_backing_off_pod() -> None:
    """SchedulerPopFromBackoffQ (on in 1.36): each churn exit (every 0.4 s, 0.4–40 s) moves
    ``big`` to backoffQ, and activeQ is empty (the next churn pod is created after the exit),
    so it is popped at once and fails again: tried at every exit, 101 times in all, whatever
    its backoff (10 s from its 5th attempt on). The filler exits at 50 while it is
    unschedulable: its backoff (10 s from 40) is over, it binds at 50."""
    r = _backoff_run({"schedulingCycle": 0, "clientQPS": 0})
    assert _unschedulable(r, "big-") == pytest.approx([0.4 * k for k in range(101)])
    assert _scheduled(r, "big") == [50]


def test_without_the_queue_it_binds_when_the_filler_exits() -> None:
    r = _backoff_run(None)
    assert _unschedulable(r, "big-") == [0]
    assert _scheduled(r, "big") == [50]


def _flush_run(config: dict[str, Any] | None, low: bool = True) -> Any:
    """One node of 8 cpu. ``high`` (priority 1000, 6 cpu) runs from 0; ``mid`` (priority 500,
    4 cpu) fits nowhere at 0, and nothing of lower priority runs: no preemption. ``low``
    (priority 0, 2 cpu) binds at 10: a pod added, which no hint of ``mid`` listens to (it is
    unschedulable by NodeResourcesFit, whose hint ignores added pods)."""
    data = scenario(
        (job_manifest("high", podSpec=_cpu("6", priorityClassName="high")), {"duration": "2000s"}),
        (job_manifest("mid", podSpec=_cpu("4", priorityClassName="mid")), {"duration": "10s"}),
        timing=TIMING,
        nodes=1,
        cpu="8",
    )
    if low:
        data["jobs"].append(
            {
                "submitAt": "10s",
                "manifest": job_manifest("low", podSpec=_cpu("2", priorityClassName="low")),
                "workload": {"duration": "2000s"},
            }
        )
    data["cluster"]["priorityClasses"] = [
        {"name": "high", "value": 1000},
        {"name": "mid", "value": 500},
        {"name": "low", "value": 0},
    ]
    if config is not None:
        data["cluster"]["scheduler"] = {"schedulingCycle": 0, "clientQPS": 0, **config}
    return run(data)


def test_flush_after_five_minutes_retries() -> None:
    """``mid`` failed at 0; the 30 s tick at 330 is the first more than 300 s later: it is
    tried again (and fails again: freeing ``low``'s 2 cpu would not make room)."""
    assert _unschedulable(_flush_run({}), "mid-") == [0, 330]


def test_flush_period_follows_the_setting() -> None:
    r = _flush_run({"podMaxInUnschedulablePodsDuration": "60s"})
    assert _unschedulable(r, "mid-") == [0, 90]


def test_flush_leaves_a_pod_nothing_changed_for() -> None:
    """Without ``low`` nothing happens after 0 until ``high`` exits at 2000 (a deleted pod's
    event: ``mid`` binds then, its backoff long over); a retry in between would fail the same
    way, so none is made."""
    r = _flush_run({}, low=False)
    assert _unschedulable(r, "mid-") == [0]
    assert _scheduled(r, "mid") == [2000]


def test_ideal_model_tries_once() -> None:
    assert _unschedulable(_flush_run(None), "mid-") == [0]


def _autoscaled(config: dict[str, Any] | None) -> list[str]:
    """A node of 4 cpu where ``churn`` runs 0.4 s pods (each exit an event), and an autoscaled
    pool (0–5 nodes of 4 cpu, 60 s to join) for ``wide``'s 4 pods of 3 cpu."""
    data = scenario(
        (
            job_manifest("churn", completions=100, parallelism=1, podSpec=_cpu("1")),
            {"duration": "400ms"},
        ),
        (
            job_manifest("wide", completions=4, parallelism=4, podSpec=_cpu("3")),
            {"duration": "10s"},
        ),
        timing=TIMING,
        nodes=1,
    )
    data["cluster"]["nodePools"].append(
        {
            "name": "burst",
            "count": 0,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "autoscaling": {"min": 0, "max": 5},
        }
    )
    if config is not None:
        data["cluster"]["scheduler"] = config
    r = run(data)
    return [e["object"] for e in r.to_dict()["events"] if e["kind"] == "NODE_ADDED"]


def test_the_autoscaler_hears_of_a_pod_once() -> None:
    """``wide``'s pods are retried after every churn exit, but each asks the autoscaler for
    room once: 3 nodes join (the first pod takes the 3 cpu churn leaves on n-0), as without
    the queue."""
    want = ["n-0", "burst-0", "burst-1", "burst-2"]
    assert _autoscaled(None) == want
    assert _autoscaled({"schedulingCycle": 0, "clientQPS": 0}) == want


@pytest.mark.parametrize(("release", "failed"), [(POP_OFF, [3, 5]), ({}, [3, 4])])
def test_an_event_during_the_cycle_sends_the_pod_to_backoff(
    release: dict[str, Any], failed: list[float]
) -> None:
    """1 s cycles, one at a time: ``filler`` (4 cpu of n-0) binds at 1, ``short`` (1 cpu, n-1)
    at 2 and runs 0.5 s, ``big`` (4 cpu) is tried 2–3. ``short``'s exit at 2.5, while ``big``
    is in its cycle, is a deleted pod's event, which the hint of NodeResourcesFit (which
    rejected ``big``) accepts: failing at 3, it goes to backoffQ (1 s). With
    SchedulerPopFromBackoffQ off it is tried again 4–5; on, activeQ being empty, at once, 3–4.
    It fails again and waits unschedulable until the filler exits at 21; its backoff (2 s)
    over, it is tried 21–22 and binds."""
    data = scenario(
        (job_manifest("filler", podSpec=_cpu("4")), {"duration": "20s"}),
        (job_manifest("short", podSpec=_cpu("1")), {"duration": "500ms"}),
        (job_manifest("big", podSpec=_cpu("4")), {"duration": "10s"}),
        timing=TIMING,
        nodes=1,
    )
    data["cluster"]["nodePools"].append(
        {"name": "small", "count": 1, "capacity": {"cpu": "1", "memory": "16Gi"}}
    )
    data["cluster"]["scheduler"] = {"schedulingCycle": "1s", "clientQPS": 0}
    data.update(release)
    r = run(data)
    assert _scheduled(r, "filler") == [1]
    assert _scheduled(r, "short") == [2]
    assert _unschedulable(r, "big-") == failed
    assert _scheduled(r, "big") == [22]


# -- which events move which pods: the hints of the plugins that rejected it ------------------
# ``isPodWorthRequeuing`` (scheduling_queue.go) runs only the QueueingHints of the pod's
# UnschedulablePlugins: NodeResourcesFit's accepts any bound pod deleted
# (``isSchedulableAfterPodEvent``) and no pod added; InterPodAffinity's a bound pod added that
# matches all the pod's required affinity terms, or deleted that matches all its required
# anti-affinity terms; PodTopologySpread's a bound pod added or deleted in the pod's namespace
# that its DoNotSchedule selectors match (both ``isSchedulableAfterPodChange``); TaintToleration
# and the other node filters listen to node events only.

HOST = "kubernetes.io/hostname"


def _labelled(name: str, cpu: str = "1", **pod_spec: Any) -> dict[str, Any]:
    m = job_manifest(name, podSpec=_cpu(cpu, **pod_spec))
    m["spec"]["template"]["metadata"] = {"labels": {"app": name}}
    return m


def _hint_run(*jobs: tuple[dict[str, Any], dict[str, Any], str], **kw: Any) -> Any:
    """Jobs (manifest, workload, submitAt) on ``kw``'s nodes, with the queue (0 s cycles, no
    client limit) and SchedulerPopFromBackoffQ off."""
    data = scenario(*((m, w) for m, w, _ in jobs), timing=TIMING, **kw)
    for entry, (_, _, at) in zip(data["jobs"], jobs, strict=True):
        entry["submitAt"] = at
    data["cluster"]["scheduler"] = {"schedulingCycle": 0, "clientQPS": 0}
    data.update(POP_OFF)
    return data


def test_a_binding_moves_only_the_pods_it_may_help() -> None:
    """One node of 4 cpu. ``follower`` needs ``app: leader`` on its node (InterPodAffinity
    rejects it at 0); ``spready`` (2 cpu, spread over hostnames) finds no room
    (NodeResourcesFit: ``filler`` holds 3 cpu until 20). ``other`` binds at 2: it matches
    nothing, so neither moves. ``leader`` binds at 5: ``follower``'s hint accepts it (backoff
    over) and it binds at 5; ``spready`` waits for ``filler``'s exit at 20."""
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": HOST,
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "spready"}},
        }
    ]
    affinity = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "leader"}}, "topologyKey": HOST}
            ]
        }
    }
    data = _hint_run(
        (_labelled("filler", "3"), {"duration": "20s"}, "0s"),
        (_labelled("follower", "0", affinity=affinity), {"duration": "100s"}, "0s"),
        (_labelled("spready", "2", topologySpreadConstraints=spread), {"duration": "1s"}, "0s"),
        (_labelled("other", "0"), {"duration": "100s"}, "2s"),
        (_labelled("leader", "0"), {"duration": "100s"}, "5s"),
        nodes=1,
    )
    r = run(data)
    assert _unschedulable(r, "follower-") == [0]
    assert _scheduled(r, "follower") == [5]
    assert _unschedulable(r, "spready-") == [0]
    assert _scheduled(r, "spready") == [20]


def test_a_deletion_moves_an_anti_affinity_pod_only_when_it_matched() -> None:
    """One node. ``loner`` must not share it with ``app: blocker`` (InterPodAffinity rejects it
    at 0). ``noise`` exits at 5: it matches no anti-affinity term of ``loner``, and
    NodeResourcesFit did not reject it, so it stays. ``blocker`` exits at 10: it binds then."""
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "blocker"}}, "topologyKey": HOST}
            ]
        }
    }
    data = _hint_run(
        (_labelled("blocker"), {"duration": "10s"}, "0s"),
        (_labelled("noise"), {"duration": "5s"}, "0s"),
        (_labelled("loner", affinity=anti), {"duration": "1s"}, "0s"),
        nodes=1,
    )
    r = run(data)
    assert _unschedulable(r, "loner-") == [0]
    assert _scheduled(r, "loner") == [10]


def test_a_deletion_does_not_move_a_pod_a_taint_keeps_out() -> None:
    """One node tainted ``dedicated=x:NoSchedule``. ``churn`` tolerates it and runs 100 pods
    of 0.4 s (0–40 s), each exit a deleted bound pod; ``plain`` does not tolerate it: only
    TaintToleration rejects it, whose hint ignores pods, so no exit moves it. The 30 s flush
    retries it at 330 (the first tick more than 5 min after 0, with events since), then
    nothing changes any more."""
    toleration = [{"key": "dedicated", "operator": "Equal", "value": "x", "effect": "NoSchedule"}]
    churn = job_manifest("churn", completions=100, parallelism=1)
    churn["spec"]["template"]["spec"].update(_cpu("1", tolerations=toleration))
    data = _hint_run(
        (churn, {"duration": "400ms"}, "0s"),
        (_labelled("plain"), {"duration": "1s"}, "0s"),
        nodes=1,
    )
    data["cluster"]["nodePools"][0]["taints"] = [
        {"key": "dedicated", "value": "x", "effect": "NoSchedule"}
    ]
    r = run(data)
    assert len(_scheduled(r, "churn")) == 100
    assert _unschedulable(r, "plain-") == [0, 330]
    assert _scheduled(r, "plain") == [None]  # never bound


# -- the binding: the cycle assumed the pod, only a node gone fails it -------------------------
def _bind_wait(event: dict[str, Any]) -> list[tuple[float, str]]:
    """Two 1-cpu pods on two nodes, 0 s cycles, a client of 1 QPS and burst 1: the first binds
    to n-0 at 0; the second is assumed on n-1 at 0 and its binding waits for the token at 1.
    ``event`` comes at 0.5, while it waits."""
    data = scenario(
        (job_manifest(completions=2, parallelism=2, podSpec=_cpu("1")), {"duration": "10s"}),
        timing=TIMING,
        nodes=2,
        events=[{"at": "500ms", **event}],
    )
    data["cluster"]["scheduler"] = {"schedulingCycle": 0, "clientQPS": 1, "clientBurst": 1}
    r = run(data)
    assert _unschedulable(r, "job-") == []
    return sorted((p["scheduledAt"], p["node"]) for p in r.pods())


def test_a_node_cordoned_while_the_binding_waits_still_gets_the_pod() -> None:
    """``schedule_one.go``: the pod is assumed at the cycle's end and the binding cycle runs
    no filter again; a drain (a cordon, no pod to evict yet) does not stop it."""
    assert _bind_wait({"drain": "n-1"}) == [(0, "n-0"), (1, "n-1")]


def test_a_node_removed_while_the_binding_waits_fails_the_binding() -> None:
    """The binding to a node gone fails: an error, no rejecting plugin, so the pod goes to
    backoffQ (1 s from 1); activeQ empty, SchedulerPopFromBackoffQ pops it at once; it is
    assumed on n-0 and binds with the next token, at 2."""
    assert _bind_wait({"nodeRemove": "n-1"}) == [(0, "n-0"), (2, "n-0")]
