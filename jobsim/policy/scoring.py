"""kube-scheduler's other default scores, their normalisation and their weights.

Upstream ``pkg/scheduler/apis/config/v1/default_plugins.go`` (``getDefaultPlugins``) weighs the
default score plugins TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2,
NodeResourcesFit 1, NodeResourcesBalancedAllocation 1 (and ImageLocality 1,
``jobsim.policy.image_locality``); a
node's score is the weighted sum of the plugins' normalised (0–100) scores
(``pkg/scheduler/framework/runtime/framework.go`` ``RunScorePlugins``). Here:

- ``nodeaffinity/node_affinity.go`` ``Score``: the summed weights of the preferred terms the node
  matches; normalised by ``helper.DefaultNormalizeScore`` (``100·s // max``);
- ``tainttoleration/taint_toleration.go`` ``Score``: the node's ``PreferNoSchedule`` taints that
  no toleration with an empty or ``PreferNoSchedule`` effect tolerates
  (``getAllTolerationPreferNoSchedule``, ``countIntolerableTaintsPreferNoSchedule``), normalised
  reversed (``100 − 100·s // max``, all 100 when no node has one);
- ``noderesources/balanced_allocation.go`` ``balancedResourceScorer``: with the pod's cpu and
  memory requests added to the node's (actual requests, ``useRequested``), each fraction of
  allocatable capped at 1, ``int((1 − |f_cpu − f_mem| / 2)·100)``; a pod that requests neither
  (best effort) is not scored (``PreScore`` returns Skip).

Pure functions of plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from jobsim.policy.node_affinity import Term, matches_node_affinity
from jobsim.policy.placement import Taint, Toleration, tolerates

__all__ = [
    "MAX_NODE_SCORE",
    "WEIGHT_BALANCED_ALLOCATION",
    "WEIGHT_INTER_POD_AFFINITY",
    "WEIGHT_NODE_AFFINITY",
    "WEIGHT_NODE_RESOURCES_FIT",
    "WEIGHT_POD_TOPOLOGY_SPREAD",
    "WEIGHT_TAINT_TOLERATION",
    "balanced_allocation",
    "balanced_allocation_of",
    "default_normalize",
    "intolerable_prefer_no_schedule",
    "preferred_node_affinity",
]

MAX_NODE_SCORE: Final = 100
WEIGHT_TAINT_TOLERATION: Final = 3
WEIGHT_NODE_AFFINITY: Final = 2
WEIGHT_POD_TOPOLOGY_SPREAD: Final = 2
WEIGHT_INTER_POD_AFFINITY: Final = 2
WEIGHT_NODE_RESOURCES_FIT: Final = 1
WEIGHT_BALANCED_ALLOCATION: Final = 1


def default_normalize(scores: Sequence[int], reverse: bool = False) -> list[int]:
    """``helper.DefaultNormalizeScore(MaxNodeScore, reverse, scores)``."""
    top = max(scores, default=0)
    if top == 0:
        return [MAX_NODE_SCORE if reverse else s for s in scores]
    out = [MAX_NODE_SCORE * s // top for s in scores]
    return [MAX_NODE_SCORE - s for s in out] if reverse else out


def preferred_node_affinity(
    preferred: Iterable[tuple[int, Term]], name: str, labels: Mapping[str, str]
) -> int:
    """NodeAffinity's raw score: the weights of the preferred terms the node matches."""
    return sum(w for w, term in preferred if matches_node_affinity((term,), name, labels))


def intolerable_prefer_no_schedule(
    taints: Iterable[Taint], tolerations: Sequence[Toleration]
) -> int:
    """TaintToleration's raw score: the ``PreferNoSchedule`` taints not tolerated."""
    prefer = [t for t in tolerations if not t[3] or t[3] == "PreferNoSchedule"]
    return sum(
        1
        for key, value, effect in taints
        if effect == "PreferNoSchedule" and not tolerates(prefer, key, value, effect)
    )


def balanced_allocation(
    pod_cpu: int, pod_memory: int, requested: dict[str, int], allocatable: dict[str, int]
) -> int:
    """NodeResourcesBalancedAllocation's score (0–100) of placing a pod requesting ``pod_cpu``
    millicores and ``pod_memory`` bytes on a node; 0 for a best-effort pod. A resource of
    allocatable 0 has no fraction; with fewer than two fractions the deviation is 0."""
    return balanced_allocation_of(
        pod_cpu,
        pod_memory,
        requested.get("cpu", 0),
        requested.get("memory", 0),
        allocatable.get("cpu", 0),
        allocatable.get("memory", 0),
    )


def balanced_allocation_of(
    pod_cpu: int, pod_memory: int, req_cpu: int, req_mem: int, cap_cpu: int, cap_mem: int
) -> int:
    """``balanced_allocation`` on a node whose pods request ``req_cpu`` and ``req_mem`` of
    its allocatable ``cap_cpu`` and ``cap_mem``."""
    if not pod_cpu and not pod_memory:
        return 0
    if not cap_cpu or not cap_mem:
        return MAX_NODE_SCORE
    f_cpu = min((req_cpu + pod_cpu) / cap_cpu, 1.0)
    f_mem = min((req_mem + pod_memory) / cap_mem, 1.0)
    return int((1 - abs(f_cpu - f_mem) / 2) * MAX_NODE_SCORE)
