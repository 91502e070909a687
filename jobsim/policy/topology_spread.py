"""Pod topology spread: how evenly a pod's group is spread over a topology.

Upstream ``pkg/scheduler/framework/plugins/podtopologyspread/``:

- ``common.go`` ``filterTopologySpreadConstraints``: the constraints with the wanted
  ``whenUnsatisfiable`` (``DoNotSchedule`` filter, ``ScheduleAnyway`` score), each with its
  selector, ``matchLabelKeys`` adding ``key In (the pod's value)`` for each key the pod carries
  (``mergeLabelSetWithSelector``), ``minDomains`` 1 when unset, ``nodeAffinityPolicy`` Honor and
  ``nodeTaintsPolicy`` Ignore when unset. A node takes part in the counts when it has every
  constraint's topology key and, per constraint, matches the pod's nodeSelector and required
  node affinity (Honor) and tolerates its ``NoSchedule``/``NoExecute`` taints (Honor)
  (``matchNodeInclusionPolicies``); ``countPodsMatchSelector`` counts the pods on it in the pod's
  namespace, not terminating, matching the selector (none for an empty or nil selector);
- ``filtering.go`` ``Filter``: a node without the topology key fails — "node(s) didn't match pod
  topology spread constraints (missing required label)"; else with ``skew = count(node's
  domain) + (1 if the pod matches the selector) − min count over the domains`` (the minimum taken
  as 0 while there are fewer domains than ``minDomains``), ``skew > maxSkew`` fails — "node(s)
  didn't match pod topology spread constraints";
- ``scoring.go``: nodes lacking a key are ignored (score 0); a domain's weight is
  ``ln(domains + 2)`` (for ``kubernetes.io/hostname``, the number of scored nodes); a node's raw
  score ``round(Σ count·weight + maxSkew − 1)``; ``NormalizeScore``:
  ``100·(max + min − score) // max`` (all 100 when max is 0);
- ``plugin.go`` ``isSchedulableAfterPodChange``, the QueueingHint for a pod the plugin
  rejected: a bound pod added or deleted in its namespace whose labels match some
  ``DoNotSchedule`` constraint's selector.

The system default constraints (``pkg/scheduler/apis/config/v1/defaults.go``
``systemDefaultConstraints``: hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) apply only to
a pod some Service, ReplicationController, ReplicaSet or StatefulSet selects
(``buildDefaultConstraints``, ``helper.DefaultSelector``): a Job's pods are selected by none, so
jobsim applies none.

Pure functions of plain values; no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple

from jobsim.k8s import job as k8s
from jobsim.policy.inter_pod_affinity import PlacedPod, Selector, label_selector, selector_matches

__all__ = [
    "HOSTNAME_LABEL",
    "REASON_SPREAD",
    "REASON_SPREAD_MISSING_LABEL",
    "SpreadConstraint",
    "SpreadNode",
    "SpreadState",
    "spread_constraints",
    "spread_filter_reason",
    "spread_prefilter",
    "spread_queueing_hint",
    "spread_scores",
]

HOSTNAME_LABEL: Final = "kubernetes.io/hostname"
REASON_SPREAD: Final = "node(s) didn't match pod topology spread constraints"
REASON_SPREAD_MISSING_LABEL: Final = (
    "node(s) didn't match pod topology spread constraints (missing required label)"
)


class SpreadConstraint(NamedTuple):
    """A ``topologySpreadConstraint`` as the plugin reads it."""

    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int = 1
    honor_node_affinity: bool = True
    honor_taints: bool = False


class SpreadNode(NamedTuple):
    """A node as the plugin reads it: labels, the inclusion policies' tests, its pods."""

    labels: Mapping[str, str]
    matches_affinity: bool  # the pod's nodeSelector and required node affinity
    tolerated: bool  # no untolerated NoSchedule/NoExecute taint
    pods: Sequence[PlacedPod]


def spread_constraints(
    constraints: Iterable[k8s.TopologySpreadConstraint] | None,
    labels: Mapping[str, str],
    action: str,
) -> tuple[SpreadConstraint, ...]:
    """``filterTopologySpreadConstraints``: those with ``whenUnsatisfiable == action``."""
    out: list[SpreadConstraint] = []
    for c in constraints or ():
        if c.whenUnsatisfiable != action:
            continue
        selector = label_selector(c.labelSelector)
        if selector is not None:
            keys = [(k, "In", (labels[k],)) for k in c.matchLabelKeys or () if k in labels]
            selector = (*keys, *selector)
        out.append(
            SpreadConstraint(
                c.maxSkew,
                c.topologyKey,
                selector,
                1 if c.minDomains is None else c.minDomains,
                c.nodeAffinityPolicy != "Ignore",
                c.nodeTaintsPolicy == "Honor",
            )
        )
    return tuple(out)


def _count(
    pods: Iterable[PlacedPod], selector: Selector, namespace: str, memo: dict[int, bool]
) -> int:
    """``countPodsMatchSelector``; ``memo`` keeps the selector's verdict by labels object (pods
    of one Job share theirs), for one call's pods."""
    if not selector:
        return 0
    n = 0
    for p in pods:
        if p.terminating or p.namespace != namespace:
            continue
        hit = memo.get(id(p.labels))
        if hit is None:
            hit = memo[id(p.labels)] = selector_matches(selector, p.labels)
        n += hit
    return n


def spread_queueing_hint(
    hard: Sequence[SpreadConstraint], namespace: str, other: PlacedPod
) -> bool:
    """``isSchedulableAfterPodChange`` for a pod of ``namespace`` with the ``DoNotSchedule``
    constraints ``hard``, which the plugin rejected: whether ``other``, a bound pod added or
    deleted, is in its namespace and matches some constraint's selector
    (``podLabelsMatchSpreadConstraints``)."""
    return other.namespace == namespace and any(
        selector_matches(c.selector, other.labels) for c in hard
    )


def _included(c: SpreadConstraint, node: SpreadNode) -> bool:
    return (node.matches_affinity or not c.honor_node_affinity) and (
        node.tolerated or not c.honor_taints
    )


def _has_keys(labels: Mapping[str, str], constraints: Sequence[SpreadConstraint]) -> bool:
    return all(c.topology_key in labels for c in constraints)


class SpreadState(NamedTuple):
    """``preFilterState``: matching pods by topology pair, domains and minimum by key."""

    constraints: tuple[SpreadConstraint, ...]
    counts: dict[tuple[str, str], int]
    domains: dict[str, int]
    minimum: dict[str, int]


def spread_prefilter(
    pod: PlacedPod, constraints: tuple[SpreadConstraint, ...], nodes: Iterable[SpreadNode]
) -> SpreadState:
    """``calPreFilterState`` over every node."""
    counts: dict[tuple[str, str], int] = {}
    memos: list[dict[int, bool]] = [{} for _ in constraints]
    if constraints:
        for node in nodes:
            if not _has_keys(node.labels, constraints):
                continue
            for c, memo in zip(constraints, memos, strict=True):
                if _included(c, node):
                    pair = (c.topology_key, node.labels[c.topology_key])
                    count = _count(node.pods, c.selector, pod.namespace, memo)
                    counts[pair] = counts.get(pair, 0) + count
    domains: dict[str, int] = {}
    minimum: dict[str, int] = {}
    for (key, _), n in counts.items():
        domains[key] = domains.get(key, 0) + 1
        minimum[key] = min(minimum.get(key, n), n)
    return SpreadState(constraints, counts, domains, minimum)


def spread_filter_reason(
    state: SpreadState, pod: PlacedPod, labels: Mapping[str, str]
) -> str | None:
    """``Filter``: why a node with ``labels`` fails, or ``None``."""
    for c in state.constraints:
        key = c.topology_key
        if key not in labels:
            return REASON_SPREAD_MISSING_LABEL
        if key not in state.domains:
            continue  # no eligible domain: upstream's minMatchNum error skips the constraint
        low = state.minimum[key] if state.domains[key] >= c.min_domains else 0
        own = 1 if selector_matches(c.selector, pod.labels) else 0
        if state.counts.get((key, labels[key]), 0) + own - low > c.max_skew:
            return REASON_SPREAD
    return None


def spread_scores(
    pod: PlacedPod,
    constraints: tuple[SpreadConstraint, ...],
    nodes: Iterable[SpreadNode],
    candidates: Sequence[SpreadNode],
) -> list[int]:
    """``PreScore``, ``Score`` and ``NormalizeScore`` for the feasible ``candidates``, 0–100,
    counting the pods on every node of ``nodes``."""
    if not constraints:
        return [0] * len(candidates)
    ignored = [not _has_keys(n.labels, constraints) for n in candidates]
    counts: list[dict[str, int]] = [{} for _ in constraints]
    for n, skip in zip(candidates, ignored, strict=True):
        if skip:
            continue
        for i, c in enumerate(constraints):
            if c.topology_key != HOSTNAME_LABEL:
                counts[i].setdefault(n.labels[c.topology_key], 0)
    scored = len(candidates) - sum(ignored)
    weights = [
        math.log((scored if c.topology_key == HOSTNAME_LABEL else len(counts[i])) + 2)
        for i, c in enumerate(constraints)
    ]
    memos: list[dict[int, bool]] = [{} for _ in constraints]
    for node in nodes:
        if not _has_keys(node.labels, constraints):
            continue
        for i, c in enumerate(constraints):
            value = node.labels[c.topology_key]
            if _included(c, node) and value in counts[i]:
                counts[i][value] += _count(node.pods, c.selector, pod.namespace, memos[i])
    raw: list[int | None] = []
    for n, skip in zip(candidates, ignored, strict=True):
        if skip:
            raw.append(None)
            continue
        score = 0.0
        for i, c in enumerate(constraints):
            value = n.labels[c.topology_key]
            if c.topology_key == HOSTNAME_LABEL:
                cnt = _count(n.pods, c.selector, pod.namespace, memos[i])
            else:
                cnt = counts[i][value]
            score += cnt * weights[i] + (c.max_skew - 1)
        raw.append(math.floor(score + 0.5))  # math.Round of a non-negative score
    present = [s for s in raw if s is not None]
    low, high = min(present, default=0), max(present, default=0)
    return [0 if s is None else (100 if high == 0 else 100 * (high + low - s) // high) for s in raw]
