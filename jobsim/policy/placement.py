"""Where a pod may go, and how good a node is: kube-scheduler's filters and scores.

Upstream ``pkg/scheduler/framework/plugins/``, each filter written once here and used by the
scheduler (its per-fit-key node indexes and its preemption), the cluster autoscaler (node
templates) and the ``FailedScheduling`` message alike:

- ``nodeunschedulable/node_unschedulable.go`` ``Filter``: a cordoned node (``spec.unschedulable``)
  takes no new pod — "node(s) were unschedulable";
- ``tainttoleration/taint_toleration.go`` ``Filter``: ``v1helper.FindMatchingUntoleratedTaint``
  over the ``NoSchedule`` and ``NoExecute`` taints (``helper.DoNotScheduleTaintsFilterFunc``),
  each tried against the tolerations with ``Toleration.ToleratesTaint``
  (``staging/src/k8s.io/api/core/v1/toleration.go``) — "node(s) had untolerated taint {k: v}";
- ``nodeaffinity/node_affinity.go`` ``Filter``: the pod's ``nodeSelector`` must match the
  node's labels, and its required node affinity (``affinity.nodeAffinity.requiredDuring
  SchedulingIgnoredDuringExecution``, ``jobsim.policy.node_affinity``) the node's labels and
  name — "node(s) didn't match Pod's node affinity/selector". Preferred node affinity is a
  score (``jobsim.policy.scoring``);
- ``noderesources/fit.go`` ``fitsRequest``: one more pod within allocatable ``pods``, and every
  non-zero request within allocatable minus what is requested — "Too many pods",
  "Insufficient <resource>";
- scoring, ``noderesources/least_allocated.go`` ``leastRequestedScore`` (default) and
  ``most_allocated.go`` ``mostRequestedScore``: per resource ``(capacity − requested)·100 /
  capacity`` (resp. ``requested·100 / capacity``), averaged over cpu and memory (weight 1 each),
  counting a pod that requests no cpu (memory) as 100m (200Mi)
  (``pkg/scheduler/util/pod_resources.go`` ``GetNonzeroRequests``);
- the message: ``FitError.Error`` (``pkg/scheduler/framework/types.go``),
  ``0/N nodes are available: <count> <reason>, ….``

Where jobsim simplifies (its golden results rest on these):

- a node that is not Ready takes no pod, whatever the tolerations; upstream it carries the
  ``node.kubernetes.io/unreachable:NoSchedule`` taint (that taint's wording is the reason here),
  which a toleration could match. NodeUnschedulable ignores tolerations of
  ``node.kubernetes.io/unschedulable``;
- the filters run in the order Ready, NodeUnschedulable, NodeAffinity, TaintToleration,
  NodeResourcesFit (upstream: TaintToleration before NodeAffinity), and a node reports only the
  first failure; NodeResourcesFit reports only the first short resource (pods, then requests by
  name) where upstream lists them all;
- the message sorts the reasons by their text; upstream sorts the ``"<count> <reason>"``
  strings;
- NodeResourcesFit's score reads a node as it is, without the pod being placed (upstream adds
  the pod's non-zero request to the node's before scoring); BalancedAllocation's does add it,
  as upstream;
- ties of the total score go to the first node in scenario order, where upstream's
  ``selectHost`` picks one of the best at random;
- every node is filtered and the best of all feasible nodes taken: upstream stops looking after
  ``percentageOfNodesToScore`` feasible nodes (all of them up to 100 nodes);
- ImageLocality (``jobsim.policy.image_locality``) reads the images a node holds as sized by
  the scenario (none sized: 0 everywhere);
- PodTopologySpread then InterPodAffinity (``jobsim.policy.topology_spread``,
  ``jobsim.policy.inter_pod_affinity``) filter after NodeResourcesFit, as upstream, on the
  terms as the API server stored them (``matchLabelKeys``/``mismatchLabelKeys`` merged,
  ``jobsim.k8s.pod_affinity``); a namespace's only label is ``kubernetes.io/metadata.name``;
- no system default spread constraints: upstream applies them only to pods a Service,
  ReplicationController, ReplicaSet or StatefulSet selects, which a Job's pods are not;
- the cluster autoscaler fits a pending pod to a template node with the filters above only, not
  the inter-pod and spread ones.

Pure functions of plain values (resource, label and taint mappings and tuples), no clock, no
SimPy. The node-level functions read a node through ``NodeView``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, NamedTuple, Protocol

from jobsim.k8s import job as k8s
from jobsim.policy.node_affinity import NodeAffinityTerms, matches_node_affinity, required_terms

if TYPE_CHECKING:
    from mypy_extensions import i64  # compiled, a machine integer; interpreted, not imported

__all__ = [
    "DEFAULT_MEMORY_REQUEST",
    "DEFAULT_MILLI_CPU_REQUEST",
    "NO_NODES_AVAILABLE",
    "REASON_NODE_AFFINITY",
    "REASON_TOO_MANY_PODS",
    "REASON_UNSCHEDULABLE",
    "UNREACHABLE_TAINT",
    "NodeView",
    "PodNeeds",
    "Taint",
    "Toleration",
    "feasible",
    "filter_reason",
    "fits_cpu_memory",
    "insufficient_numbers",
    "insufficient_reason",
    "insufficient_resource",
    "least_allocated",
    "least_allocated_of",
    "matches_node_affinity_filter",
    "matches_node_selector",
    "most_allocated",
    "most_allocated_of",
    "nonzero_requests",
    "placeable",
    "pod_needs",
    "tolerates",
    "toleration",
    "unschedulable_message",
    "untolerated_taint",
    "untolerated_taint_reason",
    "usable",
]

DEFAULT_MILLI_CPU_REQUEST: Final = 100  # schedutil.DefaultMilliCPURequest
DEFAULT_MEMORY_REQUEST: Final = 200 * 1024 * 1024  # schedutil.DefaultMemoryRequest
UNREACHABLE_TAINT: Final = "node.kubernetes.io/unreachable"
REASON_UNSCHEDULABLE: Final = "node(s) were unschedulable"  # nodeunschedulable
REASON_NODE_AFFINITY: Final = "node(s) didn't match Pod's node affinity/selector"  # nodeaffinity
REASON_TOO_MANY_PODS: Final = "Too many pods"  # noderesources

_DO_NOT_SCHEDULE: Final = frozenset({"NoSchedule", "NoExecute"})

Taint = tuple[str, str, str]
"""A node taint: ``(key, value, effect)``."""

Toleration = tuple[str | None, str | None, str | None, str | None]
"""A pod toleration: ``(key, operator, value, effect)``, ``None`` where the manifest omits it."""


class PodNeeds(NamedTuple):
    """What decides where a pod may go: pods equal in these place alike (the scheduler's fit
    key, hashable)."""

    requests: tuple[tuple[str, int], ...]  # (resource, amount), by resource; cpu in millicores
    node_selector: tuple[tuple[str, str], ...]  # (label, value), by label
    tolerations: tuple[Toleration, ...]  # in the pod's order
    node_affinity: NodeAffinityTerms = None  # required nodeSelectorTerms; None: none


class NodeView(Protocol):
    """What the filters read of a node."""

    @property
    def name(self) -> str: ...
    @property
    def ready(self) -> bool: ...
    @property
    def cordoned(self) -> bool: ...  # spec.unschedulable
    @property
    def labels(self) -> Mapping[str, str]: ...
    @property
    def taints(self) -> Sequence[Taint]: ...
    @property
    def capacity(self) -> dict[str, int]: ...  # allocatable, "pods" included
    @property
    def requested(self) -> dict[str, int]: ...  # by the pods bound to it, "pods" included


# -- a pod's needs ---------------------------------------------------------------------------


def toleration(t: k8s.Toleration) -> Toleration:
    """The tuple form of a ``core/v1 Toleration`` (``tolerationSeconds`` aside)."""
    return (t.key, t.operator, t.value, t.effect)


def pod_needs(
    requests: Mapping[str, int],
    node_selector: Mapping[str, str] | None,
    tolerations: Iterable[k8s.Toleration] | None,
    affinity: k8s.Affinity | None = None,
) -> PodNeeds:
    """A pod's ``PodNeeds`` from its effective requests and its spec's selector, tolerations
    and affinity."""
    return PodNeeds(
        tuple(sorted(requests.items())),
        tuple(sorted((node_selector or {}).items())),
        tuple(toleration(t) for t in tolerations or ()),
        required_terms(affinity),
    )


def nonzero_requests(requests: Mapping[str, int]) -> tuple[int, int]:
    """``GetNonzeroRequests``: the pod's cpu (millicores) and memory for scoring, 100m and 200Mi
    where it requests none."""
    return (
        requests.get("cpu") or DEFAULT_MILLI_CPU_REQUEST,
        requests.get("memory") or DEFAULT_MEMORY_REQUEST,
    )


# -- filters, on plain values ----------------------------------------------------------------


def tolerates(tolerations: Iterable[Toleration], key: str, value: str, effect: str) -> bool:
    """Whether some toleration tolerates the taint ``key=value:effect`` (``ToleratesTaint``).

    A toleration with an effect matches only that effect, one with a key only that key;
    ``Exists`` then matches any value, otherwise (``Equal`` or no operator) the toleration needs
    a key and the same value. An empty key with ``Exists`` tolerates every taint.
    """
    for t_key, t_op, t_value, t_effect in tolerations:
        if t_effect and t_effect != effect:
            continue
        if t_key and t_key != key:
            continue
        if t_op == "Exists":
            return True
        if t_key and (t_value or "") == value:
            return True
    return False


def untolerated_taint(taints: Iterable[Taint], tolerations: Sequence[Toleration]) -> Taint | None:
    """TaintToleration: the first ``NoSchedule`` or ``NoExecute`` taint no toleration tolerates
    (``FindMatchingUntoleratedTaint``), or ``None``. ``PreferNoSchedule`` taints never filter."""
    for taint in taints:
        key, value, effect = taint
        if effect in _DO_NOT_SCHEDULE and not tolerates(tolerations, key, value, effect):
            return taint
    return None


def matches_node_affinity_filter(node: NodeView, needs: PodNeeds) -> bool:
    """NodeAffinity's ``Filter`` (``RequiredNodeAffinity.Match``): the nodeSelector, then the
    required node affinity terms."""
    return matches_node_selector(node.labels, needs.node_selector) and (
        needs.node_affinity is None
        or matches_node_affinity(needs.node_affinity, node.name, node.labels)
    )


def matches_node_selector(labels: Mapping[str, str], selector: Iterable[tuple[str, str]]) -> bool:
    """NodeAffinity, ``nodeSelector`` part: the node has every selected label, with that value."""
    for key, value in selector:  # noqa: SIM110 (a loop, no generator: called per node change)
        if labels.get(key) != value:
            return False
    return True


def insufficient_resource(
    requested: dict[str, int],
    allocatable: dict[str, int],
    requests: tuple[tuple[str, int], ...],
) -> str | None:
    """NodeResourcesFit (``fitsRequest``): the first resource the pod does not fit by —
    ``"pods"`` when the node already holds ``allocatable["pods"]`` pods, else the first non-zero
    request (in the order given) above what is left — or ``None`` when it fits. A resource the
    node does not list counts as 0 allocatable."""
    if requested.get("pods", 0) + 1 > allocatable.get("pods", 0):
        return "pods"
    for resource, amount in requests:
        if amount and requested.get(resource, 0) + amount > allocatable.get(resource, 0):
            return resource
    return None


def insufficient_numbers(
    pods: int,
    cpu: int,
    memory: int,
    extended: dict[str, int] | None,
    allocatable: dict[str, int],
    requests: tuple[tuple[str, int], ...],
) -> str | None:
    """``insufficient_resource`` on a node whose pods number ``pods`` and request ``cpu``
    millicores, ``memory`` bytes and ``extended`` of the other resources (never cpu, memory
    nor pods; None: none): the same comparisons, in the same order, without a dict of all of
    them."""
    if pods + 1 > allocatable.get("pods", 0):
        return "pods"
    for resource, amount in requests:
        if not amount:
            continue
        if resource == "cpu":
            used = cpu
        elif resource == "memory":
            used = memory
        elif resource == "pods":
            used = pods
        else:
            used = 0 if extended is None else extended.get(resource, 0)
        if used + amount > allocatable.get(resource, 0):
            return resource
    return None


def fits_cpu_memory(
    cpu: int,
    memory: int,
    pods: int,
    req_cpu: int,
    req_mem: int,
    cap_pods: int,
    cap_cpu: int,
    cap_mem: int,
) -> bool:
    """``insufficient_resource(...) is None`` for a pod that requests ``cpu`` millicores,
    ``memory`` bytes and nothing else, on a node holding ``pods`` pods that request ``req_cpu``
    and ``req_mem`` of its allocatable ``cap_pods``, ``cap_cpu`` and ``cap_mem``: the same
    comparisons, on numbers."""
    return (
        pods < cap_pods
        and (not cpu or req_cpu + cpu <= cap_cpu)
        and (not memory or req_mem + memory <= cap_mem)
    )


# -- filter reasons, in kube-scheduler's words -----------------------------------------------


def untolerated_taint_reason(taint: Taint) -> str:
    """TaintToleration's reason for ``taint``."""
    return f"node(s) had untolerated taint {{{taint[0]}: {taint[1]}}}"


def insufficient_reason(resource: str) -> str:
    """NodeResourcesFit's reason for a ``resource`` from ``insufficient_resource``."""
    return REASON_TOO_MANY_PODS if resource == "pods" else f"Insufficient {resource}"


# -- a node ----------------------------------------------------------------------------------


def placeable(node: NodeView, needs: PodNeeds) -> bool:
    """The filters other than resources pass: Ready, not cordoned, node affinity, taints
    (what preemption cannot change)."""
    return (
        node.ready
        and not node.cordoned
        and (
            # no nodeSelector and no required terms: NodeAffinity passes every node
            (not needs.node_selector and needs.node_affinity is None)
            or matches_node_affinity_filter(node, needs)
        )
        and (not node.taints or untolerated_taint(node.taints, needs.tolerations) is None)
    )


def feasible(node: NodeView, needs: PodNeeds) -> bool:
    """Every filter passes: such a pod may be bound to the node now."""
    return (
        placeable(node, needs)
        and insufficient_resource(node.requested, node.capacity, needs.requests) is None
    )


def usable(
    ready: bool, cordoned: bool, taints: Sequence[Taint], tolerations: Sequence[Toleration]
) -> bool:
    """The filters of a pod without a nodeSelector or required node affinity other than
    NodeResourcesFit, from the node's fields: Ready, not cordoned, every taint tolerated."""
    return ready and not cordoned and (not taints or untolerated_taint(taints, tolerations) is None)


def filter_reason(node: NodeView, needs: PodNeeds) -> str | None:
    """Why the node is filtered out, in kube-scheduler's words: the reason of the first failing
    filter (the same predicates, in the same order, as ``feasible``), or ``None`` if it is
    feasible."""
    if not node.ready:
        return untolerated_taint_reason((UNREACHABLE_TAINT, "", "NoSchedule"))
    if node.cordoned:
        return REASON_UNSCHEDULABLE
    if not matches_node_affinity_filter(node, needs):
        return REASON_NODE_AFFINITY
    taint = untolerated_taint(node.taints, needs.tolerations)
    if taint is not None:
        return untolerated_taint_reason(taint)
    resource = insufficient_resource(node.requested, node.capacity, needs.requests)
    return None if resource is None else insufficient_reason(resource)


NO_NODES_AVAILABLE: Final = "no nodes available to schedule pods"
"""kube-scheduler's ``ErrNoNodesAvailable``: the message when the cluster has no node."""


def unschedulable_message(reasons: Sequence[str | None]) -> str:
    """``FailedScheduling``'s message from one ``filter_reason`` per node
    (``0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable.``): every node
    counts in the total, each reason with its number of nodes, by reason text; with no node at
    all, ``ErrNoNodesAvailable`` (``pkg/scheduler/schedule_one.go``)."""
    if not reasons:
        return NO_NODES_AVAILABLE
    counts = Counter(r for r in reasons if r is not None)
    parts = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
    return f"0/{len(reasons)} nodes are available: {parts}."


# -- scores ----------------------------------------------------------------------------------


def least_allocated(cpu: int, memory: int, allocatable: dict[str, int]) -> int:
    """LeastAllocated score (0–100) of a node whose pods request ``cpu`` millicores and
    ``memory`` bytes (non-zero requests): the mean of ``(capacity − requested)·100 // capacity``
    over cpu and memory, a resource counting 0 when over-requested or of capacity 0."""
    return least_allocated_of(cpu, memory, allocatable.get("cpu", 0), allocatable.get("memory", 0))


_WORD: Final = 1 << 56
"""Below it, ``x * 100`` fits a signed 64-bit word."""


def _percent(x: int, capacity: int) -> int:
    """``x * 100 // capacity`` (``capacity`` not 0). Compiled, mypyc multiplies ints of 2**30
    and more (memory in bytes) through Python objects; where the product fits a machine word,
    this computes it in one, with the same result."""
    if 0 <= x < _WORD and 0 < capacity < _WORD:
        a: i64 = x
        b: i64 = capacity
        return a * 100 // b
    return x * 100 // capacity


def least_allocated_of(cpu: int, memory: int, cap_cpu: int, cap_mem: int) -> int:
    """``least_allocated`` of a node of allocatable ``cap_cpu`` and ``cap_mem``."""
    s_cpu = max(_percent(cap_cpu - cpu, cap_cpu), 0) if cap_cpu else 0
    s_mem = max(_percent(cap_mem - memory, cap_mem), 0) if cap_mem else 0
    return (s_cpu + s_mem) // 2


def most_allocated(cpu: int, memory: int, allocatable: dict[str, int]) -> int:
    """MostAllocated score (0–100), arguments as ``least_allocated``: the mean of
    ``min(requested, capacity)·100 // capacity`` over cpu and memory (0 for capacity 0)."""
    return most_allocated_of(cpu, memory, allocatable.get("cpu", 0), allocatable.get("memory", 0))


def most_allocated_of(cpu: int, memory: int, cap_cpu: int, cap_mem: int) -> int:
    """``most_allocated`` of a node of allocatable ``cap_cpu`` and ``cap_mem``."""
    s_cpu = _percent(min(cpu, cap_cpu), cap_cpu) if cap_cpu else 0
    s_mem = _percent(min(memory, cap_mem), cap_mem) if cap_mem else 0
    return (s_cpu + s_mem) // 2
