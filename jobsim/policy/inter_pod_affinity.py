"""Inter-pod affinity: where a pod may go, and how good a node is, given the pods already placed.

Upstream ``pkg/scheduler/framework/plugins/interpodaffinity/`` over the terms of
``pkg/scheduler/framework/types.go`` (``NewPodInfo``, ``AffinityTerm.Matches``):

- a term selects the pods whose labels match its ``labelSelector`` (a nil selector matches
  none, an empty one all: ``metav1.LabelSelectorAsSelector``) in its namespaces: those listed,
  plus those its ``namespaceSelector`` matches (a nil one none, ``{}`` all); neither given, the
  pod's own namespace. A namespace's labels are its ``kubernetes.io/metadata.name``, the only
  ones jobsim's namespaces carry;
- ``Filter`` (``filtering.go``), from three counts per topology pair ``(key, value)`` over every
  placed pod: the pods matching *all* the incoming pod's required affinity terms (counted for
  each term's key on their node), the pods matching each of its required anti-affinity terms,
  and the placed pods whose required anti-affinity terms match the incoming pod. A node fails
  ``satisfyPodAffinity`` when it lacks a term's topology key or some term's pair counts no pod —
  unless no pod matches at all and the pod matches its own terms (the first pod of a group) —
  "node(s) didn't match pod affinity rules"; ``satisfyPodAntiAffinity`` when one of its pairs
  counts a pod matching an anti-affinity term — "node(s) didn't match pod anti-affinity rules";
  ``satisfyExistingPodsAntiAffinity`` when one of its labels is a pair where a placed pod's
  anti-affinity matches the incoming pod — "node(s) didn't satisfy existing pods anti-affinity
  rules";
- ``Score`` (``scoring.go`` ``processExistingPod``): for every placed pod, its node's topology
  pair gains the weight of each incoming preferred affinity term it matches and loses that of
  each preferred anti-affinity term; it gains ``hardPodAffinityWeight`` (1) for each of the placed
  pod's required affinity terms, and its own preferred terms' weights (negative for
  anti-affinity), that match the incoming pod. A node scores the sum over its labels' pairs;
  ``NormalizeScore`` maps the scores to ``100·(s − min)/(max − min)`` (all 0 when equal);
- the QueueingHint for a pod the plugin rejected (``plugin.go`` ``isSchedulableAfterPodChange``):
  a pod bound matches *all* its required affinity terms, or a bound pod deleted matches *all*
  its required anti-affinity terms (no terms: no match). A deleted pod whose own anti-affinity
  kept the pod away does not count.

Pure functions of plain, hashable values; no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, NamedTuple

from jobsim.k8s import job as k8s
from jobsim.policy.node_affinity import Requirement, requirement_matches

__all__ = [
    "HARD_POD_AFFINITY_WEIGHT",
    "NAMESPACE_NAME_LABEL",
    "REASON_AFFINITY",
    "REASON_ANTI_AFFINITY",
    "REASON_EXISTING_ANTI_AFFINITY",
    "AffinityState",
    "AffinityTerm",
    "InterPodTerms",
    "PlacedPod",
    "Selector",
    "affinity_filter_reason",
    "affinity_prefilter",
    "affinity_queueing_hint",
    "affinity_scores",
    "inter_pod_terms",
    "label_selector",
    "selector_matches",
]

NAMESPACE_NAME_LABEL: Final = "kubernetes.io/metadata.name"
HARD_POD_AFFINITY_WEIGHT: Final = 1  # InterPodAffinityArgs.HardPodAffinityWeight default
REASON_AFFINITY: Final = "node(s) didn't match pod affinity rules"
REASON_ANTI_AFFINITY: Final = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY: Final = "node(s) didn't satisfy existing pods anti-affinity rules"

Selector = tuple[Requirement, ...] | None
"""A label selector's requirements; ``None`` (nil) matches nothing, ``()`` everything."""

Pair = tuple[str, str]  # (topology key, value)


def label_selector(selector: k8s.LabelSelector | None) -> Selector:
    """``LabelSelectorAsSelector`` as requirements: ``matchLabels`` as ``In``, then the
    expressions."""
    if selector is None:
        return None
    reqs: list[Requirement] = [
        (k, "In", (v,)) for k, v in sorted((selector.matchLabels or {}).items())
    ]
    reqs.extend((e.key, e.operator, tuple(e.values or ())) for e in selector.matchExpressions or ())
    return tuple(reqs)


def selector_matches(selector: Selector, labels: Mapping[str, str]) -> bool:
    """Whether ``labels`` satisfy every requirement (never, for a nil selector)."""
    if selector is None:
        return False
    for req in selector:  # noqa: SIM110 (a loop: called per placed pod)
        if not requirement_matches(req, labels):
            return False
    return True


class AffinityTerm(NamedTuple):
    """A ``PodAffinityTerm`` resolved for its pod (``framework.AffinityTerm``)."""

    selector: Selector
    namespaces: frozenset[str]
    namespace_selector: Selector
    topology_key: str
    weight: int = 0  # preferred terms only

    def matches(self, labels: Mapping[str, str], namespace: str) -> bool:
        """``AffinityTerm.Matches``: the namespace is selected and the labels match."""
        if namespace not in self.namespaces and not selector_matches(
            self.namespace_selector, {NAMESPACE_NAME_LABEL: namespace}
        ):
            return False
        return selector_matches(self.selector, labels)


class InterPodTerms(NamedTuple):
    """A pod's inter-pod (anti-)affinity terms."""

    affinity: tuple[AffinityTerm, ...] = ()
    anti_affinity: tuple[AffinityTerm, ...] = ()
    preferred_affinity: tuple[AffinityTerm, ...] = ()
    preferred_anti_affinity: tuple[AffinityTerm, ...] = ()

    @property
    def present(self) -> bool:
        """Whether the pod has any term (not ``bool()``: a NamedTuple is a tuple, never
        empty, and compiled code reads it so)."""
        return any(
            (
                self.affinity,
                self.anti_affinity,
                self.preferred_affinity,
                self.preferred_anti_affinity,
            )
        )


class PlacedPod(NamedTuple):
    """What the plugins read of a pod: its labels, namespace and terms."""

    labels: Mapping[str, str]
    namespace: str
    terms: InterPodTerms
    terminating: bool = False


def _term(t: k8s.PodAffinityTerm, namespace: str, weight: int = 0) -> AffinityTerm:
    names = frozenset(t.namespaces or ())
    if not names and t.namespaceSelector is None:
        names = frozenset({namespace})
    return AffinityTerm(
        label_selector(t.labelSelector),
        names,
        label_selector(t.namespaceSelector),
        t.topologyKey,
        weight,
    )


def inter_pod_terms(affinity: k8s.Affinity | None, namespace: str) -> InterPodTerms:
    """The terms of a pod in ``namespace`` (``getAffinityTerms``, ``getWeightedAffinityTerms``)."""
    if affinity is None:
        return InterPodTerms()
    out: list[tuple[AffinityTerm, ...]] = []
    for pa in (affinity.podAffinity, affinity.podAntiAffinity):
        req = pa.requiredDuringSchedulingIgnoredDuringExecution if pa is not None else None
        out.append(tuple(_term(t, namespace) for t in req or ()))
    for pa in (affinity.podAffinity, affinity.podAntiAffinity):
        pref = pa.preferredDuringSchedulingIgnoredDuringExecution if pa is not None else None
        out.append(tuple(_term(w.podAffinityTerm, namespace, w.weight) for w in pref or ()))
    return InterPodTerms(*out)


def _matches_all(terms: Sequence[AffinityTerm], pod: PlacedPod) -> bool:
    """``podMatchesAllAffinityTerms``: some terms, all matching."""
    return bool(terms) and all(t.matches(pod.labels, pod.namespace) for t in terms)


def affinity_queueing_hint(pod: PlacedPod, other: PlacedPod, added: bool) -> bool:
    """``isSchedulableAfterPodChange`` for ``pod``, which the plugin rejected: whether
    ``other``, a bound pod that was ``added`` (else deleted), may make it schedulable."""
    terms = pod.terms.affinity if added else pod.terms.anti_affinity
    return _matches_all(terms, other)


# -- Filter --------------------------------------------------------------------------------------


class AffinityState(NamedTuple):
    """``preFilterState``: the three counts by topology pair."""

    affinity: Counter[Pair]
    anti_affinity: Counter[Pair]
    existing_anti_affinity: Counter[Pair]


def affinity_prefilter(
    pod: PlacedPod, nodes: Iterable[tuple[Mapping[str, str], Iterable[PlacedPod]]]
) -> AffinityState:
    """``PreFilter``: the counts over ``nodes``, each as ``(labels, placed pods)``."""
    terms = pod.terms
    aff: Counter[Pair] = Counter()
    anti: Counter[Pair] = Counter()
    existing: Counter[Pair] = Counter()
    own = bool(terms.affinity or terms.anti_affinity)
    # the pod's terms' verdicts by (labels object, namespace): pods of a Job share them
    memo: dict[tuple[int, str], tuple[bool, tuple[bool, ...]]] = {}
    for labels, pods in nodes:
        for other in pods:
            for t in other.terms.anti_affinity:
                if t.topology_key in labels and t.matches(pod.labels, pod.namespace):
                    existing[t.topology_key, labels[t.topology_key]] += 1
            if not own:
                continue
            key = (id(other.labels), other.namespace)
            verdict = memo.get(key)
            if verdict is None:
                verdict = memo[key] = (
                    _matches_all(terms.affinity, other),
                    tuple(t.matches(other.labels, other.namespace) for t in terms.anti_affinity),
                )
            if verdict[0]:
                for t in terms.affinity:
                    if t.topology_key in labels:
                        aff[t.topology_key, labels[t.topology_key]] += 1
            for t, hit in zip(terms.anti_affinity, verdict[1], strict=True):
                if hit and t.topology_key in labels:
                    anti[t.topology_key, labels[t.topology_key]] += 1
    return AffinityState(aff, anti, existing)


def affinity_filter_reason(
    state: AffinityState, pod: PlacedPod, labels: Mapping[str, str]
) -> str | None:
    """``Filter``: why a node with ``labels`` fails, or ``None``."""
    terms = pod.terms
    pods_exist = True
    for t in terms.affinity:
        if t.topology_key not in labels:
            return REASON_AFFINITY  # all topology labels must exist on the node
        if state.affinity[t.topology_key, labels[t.topology_key]] <= 0:
            pods_exist = False
    if not pods_exist and not (not state.affinity and _matches_all(terms.affinity, pod)):
        return REASON_AFFINITY
    for t in terms.anti_affinity:
        if (
            t.topology_key in labels
            and state.anti_affinity[t.topology_key, labels[t.topology_key]] > 0
        ):
            return REASON_ANTI_AFFINITY
    if state.existing_anti_affinity:
        for pair in labels.items():
            if state.existing_anti_affinity[pair] > 0:
                return REASON_EXISTING_ANTI_AFFINITY
    return None


# -- Score ---------------------------------------------------------------------------------------


def _add(
    scores: dict[Pair, int],
    terms: Iterable[AffinityTerm],
    target: PlacedPod,
    labels: Mapping[str, str],
    sign: int,
    weight: int | None = None,
) -> None:
    for t in terms:
        if t.topology_key in labels and t.matches(target.labels, target.namespace):
            pair = (t.topology_key, labels[t.topology_key])
            scores[pair] = scores.get(pair, 0) + sign * (t.weight if weight is None else weight)


def affinity_scores(
    pod: PlacedPod,
    nodes: Iterable[tuple[Mapping[str, str], Iterable[PlacedPod]]],
    candidates: Sequence[Mapping[str, str]],
) -> list[int]:
    """``PreScore``, ``Score`` and ``NormalizeScore``: the candidates' (by their labels) scores,
    0–100, from the placed pods on ``nodes``."""
    terms = pod.terms
    topo: dict[Pair, int] = {}
    preferred = [(t, 1) for t in terms.preferred_affinity]
    preferred.extend((t, -1) for t in terms.preferred_anti_affinity)
    memo: dict[tuple[int, str], tuple[bool, ...]] = {}  # as in affinity_prefilter
    for labels, pods in nodes:
        if not labels:
            continue
        for other in pods:
            if preferred:
                key = (id(other.labels), other.namespace)
                hits = memo.get(key)
                if hits is None:
                    hits = memo[key] = tuple(
                        t.matches(other.labels, other.namespace) for t, _ in preferred
                    )
                for (t, sign), hit in zip(preferred, hits, strict=True):
                    if hit and t.topology_key in labels:
                        pair = (t.topology_key, labels[t.topology_key])
                        topo[pair] = topo.get(pair, 0) + sign * t.weight
            _add(topo, other.terms.affinity, pod, labels, 1, HARD_POD_AFFINITY_WEIGHT)
            _add(topo, other.terms.preferred_affinity, pod, labels, 1)
            _add(topo, other.terms.preferred_anti_affinity, pod, labels, -1)
    if not topo:
        return [0] * len(candidates)
    raw = [sum(topo.get(pair, 0) for pair in labels.items()) for labels in candidates]
    low, high = min(raw, default=0), max(raw, default=0)
    if high == low:
        return [0] * len(raw)
    return [int(100 * ((s - low) / (high - low))) for s in raw]
