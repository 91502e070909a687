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
  ``podMaxInUnschedulablePodsDuration``.
"""

from __future__ import annotations

import math

__all__ = [
    "FLUSH_UNSCHEDULABLE_PERIOD",
    "MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND",
    "MIN_FEASIBLE_NODES_TO_FIND",
    "flush_due",
    "num_feasible_nodes_to_find",
    "pod_backoff",
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
