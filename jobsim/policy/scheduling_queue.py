"""kube-scheduler's numbers: how many feasible nodes a cycle looks for, how long a pod backs off.

Pure functions after upstream:

- ``num_feasible_nodes_to_find``: ``pkg/scheduler/schedule_one.go``
  ``(*Scheduler).numFeasibleNodesToFind`` with ``minFeasibleNodesToFind`` 100 and
  ``minFeasibleNodesPercentageToFind`` 5;
- ``pod_backoff``: ``pkg/scheduler/backend/queue/backoff_queue.go``
  ``calculateBackoffDuration`` (``podInitialBackoff << (attempts - 1)``, capped at
  ``podMaxBackoff``);
- ``flush_due``: ``scheduling_queue.go`` ``flushUnschedulablePodsLeftover``, run every 30 s
  (``PriorityQueue.Run``), moves a pod unschedulable for more than
  ``podMaxInUnschedulablePodsDuration``;
- ``rejector_plugins``: the Filter plugins a failed attempt records as the pod's
  ``UnschedulablePlugins`` (the plugin of each node's first failing filter), whose
  QueueingHints alone decide later whether an event moves the pod (``isPodWorthRequeuing``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

from jobsim.policy.inter_pod_affinity import (
    REASON_AFFINITY,
    REASON_ANTI_AFFINITY,
    REASON_EXISTING_ANTI_AFFINITY,
)
from jobsim.policy.placement import (
    REASON_NODE_AFFINITY,
    REASON_TOO_MANY_PODS,
    REASON_UNSCHEDULABLE,
    untolerated_taint_reason,
)
from jobsim.policy.topology_spread import REASON_SPREAD, REASON_SPREAD_MISSING_LABEL

__all__ = [
    "FLUSH_UNSCHEDULABLE_PERIOD",
    "INTER_POD_AFFINITY",
    "MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND",
    "MIN_FEASIBLE_NODES_TO_FIND",
    "NODE_AFFINITY",
    "NODE_RESOURCES_FIT",
    "NODE_UNSCHEDULABLE",
    "POD_TOPOLOGY_SPREAD",
    "TAINT_TOLERATION",
    "backoff_pop_order",
    "flush_due",
    "num_feasible_nodes_to_find",
    "pod_backoff",
    "rejector_plugin",
    "rejector_plugins",
]

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
FLUSH_UNSCHEDULABLE_PERIOD = 30.0
"""``wait.Until(p.flushUnschedulablePodsLeftover, 30*time.Second, …)``."""


def num_feasible_nodes_to_find(percentage: int, nodes: int) -> int:
    """How many feasible nodes a scheduling cycle finds before it stops filtering: every node
    below 100 nodes or at 100 %; else ``percentage`` of them (0: ``50 - nodes/125``, at least
    5), at least 100."""
    if nodes < MIN_FEASIBLE_NODES_TO_FIND or percentage >= 100:
        return nodes
    if percentage <= 0:
        percentage = max(50 - nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def pod_backoff(attempts: int, initial: int, maximum: int) -> float:
    """Seconds a pod backs off after ``attempts`` unschedulable attempts: ``initial`` doubled
    per attempt after the first, at most ``maximum``; 0 before any attempt."""
    if attempts <= 0:
        return 0.0
    shift = attempts - 1
    if shift >= 63 or initial > maximum >> shift:
        return float(maximum)
    return float(initial << shift)


def flush_due(timestamp: float, max_in_unschedulable: float) -> float:
    """The first 30 s tick (from 0) at which a pod made unschedulable at ``timestamp`` has
    waited more than ``max_in_unschedulable`` (``currentTime.Sub(lastScheduleTime) >
    podMaxInUnschedulablePodsDuration``)."""
    period = FLUSH_UNSCHEDULABLE_PERIOD
    return (math.floor((timestamp + max_in_unschedulable) / period) + 1) * period


NODE_UNSCHEDULABLE: Final = "NodeUnschedulable"
TAINT_TOLERATION: Final = "TaintToleration"
NODE_AFFINITY: Final = "NodeAffinity"
NODE_RESOURCES_FIT: Final = "NodeResourcesFit"
POD_TOPOLOGY_SPREAD: Final = "PodTopologySpread"
INTER_POD_AFFINITY: Final = "InterPodAffinity"

_BY_REASON: Final = {
    REASON_UNSCHEDULABLE: NODE_UNSCHEDULABLE,
    REASON_NODE_AFFINITY: NODE_AFFINITY,
    REASON_TOO_MANY_PODS: NODE_RESOURCES_FIT,
    REASON_SPREAD: POD_TOPOLOGY_SPREAD,
    REASON_SPREAD_MISSING_LABEL: POD_TOPOLOGY_SPREAD,
    REASON_AFFINITY: INTER_POD_AFFINITY,
    REASON_ANTI_AFFINITY: INTER_POD_AFFINITY,
    REASON_EXISTING_ANTI_AFFINITY: INTER_POD_AFFINITY,
}
_TAINT_PREFIX: Final = untolerated_taint_reason(("", "", "")).split("{")[0]


def rejector_plugin(reason: str) -> str:
    """The Filter plugin whose reason ``reason`` is (a not-Ready node's is its
    ``node.kubernetes.io/not-ready`` taint's: TaintToleration)."""
    plugin = _BY_REASON.get(reason)
    if plugin is not None:
        return plugin
    if reason.startswith(_TAINT_PREFIX):
        return TAINT_TOLERATION
    if reason.startswith("Insufficient "):
        return NODE_RESOURCES_FIT
    raise ValueError(f"no Filter plugin gives the reason {reason!r}")


def rejector_plugins(reasons: Iterable[str | None]) -> frozenset[str]:
    """A failed attempt's ``UnschedulablePlugins``: the plugins of the nodes' reasons."""
    return frozenset(rejector_plugin(r) for r in set(reasons) if r is not None)


def backoff_pop_order(until: float, priority: int, timestamp: float) -> tuple[float, int, float]:
    """Where a pod backing off until ``until`` stands in backoffQ, the first popped first
    (``backoff_queue.go`` ``lessBackoffCompletedWithPriority``): its backoff's end aligned to
    the 1-second ordering window, then as activeQ orders (higher priority, then earlier
    queued)."""
    return math.floor(until), -priority, timestamp
