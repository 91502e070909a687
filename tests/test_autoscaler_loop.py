"""cluster-autoscaler's loop (``cluster.autoscaler``).

Upstream ``cluster-autoscaler``: ``RunOnce`` every ``--scan-interval`` (10 s); scale-up for all
unschedulable pods at once by the binpacking estimate (``estimator/binpacking_estimator.go``);
a node not registered ``--max-node-provision-time`` (15 min) after the scale-up is given up;
scale-down of a node whose utilisation (``utilization.Calculate``: the larger of cpu and memory
requests over allocatable) stays under ``--scale-down-utilization-threshold`` (0.5) for
``--scale-down-unneeded-time`` (a pool's ``scaleDownUnneeded``, 10 min) and whose pods fit
elsewhere.

The scenario: an autoscaled pool ``auto`` of 4-cpu nodes (0 to 5, ``provisionDelay`` 60 s),
Job ``a`` of 6 pods of 1 cpu created at 0 (100 s each, ``containerStart`` 1 s), and a one-pod
Job ``b`` at 2000 s that keeps work left so scale-down has time to act.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import job_manifest, run, scenario

POD = {
    "containers": [
        {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}
    ]
}
TIMING = {"jobSyncDelay": 0, "scheduling": 0, "containerStart": "1s", "imagePull": 0}


def _scenario(
    loop: dict[str, Any] | bool | None, provision: str = "60s", later: bool = True
) -> dict[str, Any]:
    """``loop``: ``cluster.autoscaler`` (``False``: ``off``), None: no key."""
    a = job_manifest("a", parallelism=6, completions=6, podSpec=POD)
    data = scenario((a, {"duration": "100s"}), timing=TIMING)
    if later:
        b = job_manifest("b", podSpec=POD)
        data["jobs"].append({"submitAt": "2000s", "manifest": b, "workload": {"duration": "10s"}})
    data["cluster"]["nodePools"] = [
        {
            "name": "auto",
            "count": 0,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "autoscaling": {"min": 0, "max": 5, "provisionDelay": provision},
        }
    ]
    if loop is not None:
        data["cluster"]["autoscaler"] = loop
    return data


def _nodes(r: Any) -> list[tuple[float, str, str]]:
    return [
        (e["t"], e["kind"], e["object"])
        for e in r.to_dict()["events"]
        if e["kind"] in ("NODE_ADDED", "NODE_REMOVED")
    ]


def test_ideal_autoscaler_acts_at_once() -> None:
    """``autoscaler: off``: at 0 the first pod provisions a node, the next three fit into it,
    the fifth provisions a second; both join at 60. The pods end at 161; the nodes are removed
    600 s later, at 761. Job b's pod gets a node at 2060."""
    assert _nodes(run(_scenario(False))) == [
        (60, "NODE_ADDED", "auto-0"),
        (60, "NODE_ADDED", "auto-1"),
        (761, "NODE_REMOVED", "auto-0"),
        (761, "NODE_REMOVED", "auto-1"),
        (2060, "NODE_ADDED", "auto-2"),
    ]


@pytest.mark.parametrize("loop", [None, {}, True], ids=["absent", "empty", "on"])
def test_loop_scales_up_by_binpacking_at_the_next_scan(loop: dict[str, Any] | bool | None) -> None:
    """The scan at 10 sees six pending pods: six 1-cpu pods fill two 4-cpu nodes, both asked for
    at once, joining at 70. The pods run 71 to 171; the scan at 180 finds both nodes empty
    (utilisation 0 < 0.5), so they are unneeded from 180 and removed at 780. Job b's pod, pending
    at 2000, is seen by the scan at 2010: a node at 2070. The loop is the default: a real
    cluster-autoscaler always scans."""
    r = run(_scenario(loop))
    assert _nodes(r) == [
        (70, "NODE_ADDED", "auto-0"),
        (70, "NODE_ADDED", "auto-1"),
        (780, "NODE_REMOVED", "auto-0"),
        (780, "NODE_REMOVED", "auto-1"),
        (2070, "NODE_ADDED", "auto-2"),
    ]
    assert [p["scheduledAt"] for p in r.pods()] == [70] * 6 + [2070]


def test_scan_interval_is_settable() -> None:
    """``scanInterval: 25s``: the first scan is at 25, the nodes join at 85."""
    assert _nodes(run(_scenario({"scanInterval": "25s"}, later=False))) == [
        (85, "NODE_ADDED", "auto-0"),
        (85, "NODE_ADDED", "auto-1"),
    ]


def test_max_node_provision_time() -> None:
    """A node that takes exactly ``maxNodeProvisionTime`` (15 min) joins (at 10 + 900); one that
    would take 1 s longer is given up, and the pods never run."""
    assert _nodes(run(_scenario({}, provision="900s", later=False)))[:2] == [
        (910, "NODE_ADDED", "auto-0"),
        (910, "NODE_ADDED", "auto-1"),
    ]
    data = _scenario({}, provision="901s", later=False)
    data["horizon"] = "1h"
    r = run(data)
    assert _nodes(r) == []
    assert {p["scheduledAt"] for p in r.pods()} == {None}


def test_busy_node_below_threshold_is_drained() -> None:
    """Two nodes to start with, a Job of two 1-cpu pods (5000 s), one per node: each node is at
    0.25 < 0.5 from the first scan at 10, so both are unneeded from 10. At 610 auto-0's pod
    fits auto-1, so auto-0 is drained (its pod evicted) and removed once empty, at 610; auto-1's
    pod has nowhere else to go. The evicted pod's replacement (10 s backoff) runs on auto-1 from
    620, which is then at 0.5 and needed."""
    long = job_manifest("a", parallelism=2, completions=2, podSpec=POD)
    data = scenario((long, {"duration": "5000s"}), timing=TIMING)
    data["cluster"]["nodePools"] = [
        {
            "name": "auto",
            "count": 2,
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "autoscaling": {"min": 0, "max": 2},
        }
    ]
    data["cluster"]["autoscaler"] = {}
    r = run(data)
    assert _nodes(r)[2:] == [(610, "NODE_REMOVED", "auto-0")]
    first, second, third = r.pods()
    assert (first["node"], first["deletedAt"]) == ("auto-0", 610)
    assert (second["node"], second["deletedAt"]) == ("auto-1", None)
    assert (third["node"], third["scheduledAt"]) == ("auto-1", 620)


def test_a_pod_no_pool_can_take_does_not_keep_the_loop_running() -> None:
    """A pod of 8 cpu, larger than any node of the pool: cluster-autoscaler never scales up for
    it, so the loop does not scan on its account and the run ends as the ideal one does, at 0
    with the pod Pending (not at the horizon)."""
    big = {
        "containers": [
            {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "8"}}}
        ]
    }
    ends = []
    loops: list[dict[str, Any] | None] = [None, {}]
    for loop in loops:
        data = _scenario(loop, later=False)
        data["jobs"][0]["manifest"] = job_manifest("a", podSpec=big)
        r = run(data)
        ends.append(r.end)
        assert [p["scheduledAt"] for p in r.pods()] == [None]
    assert ends == [0, 0]
