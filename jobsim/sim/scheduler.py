"""kube-scheduler, in outline: filter nodes, score them, bind; preempt lower priorities.

The filters (Ready, NodeUnschedulable, nodeSelector and node affinity, TaintToleration,
NodeResourcesFit, PodTopologySpread, InterPodAffinity), the scores (``LeastAllocated``, the
default, or ``MostAllocated``, bin packing; BalancedAllocation, TaintToleration, NodeAffinity,
PodTopologySpread, InterPodAffinity, ImageLocality, with upstream's weights) and the
``FailedScheduling`` message are ``jobsim.policy``'s; pod affinity terms are read as the API
server stored each pod's (``matchLabelKeys``/``mismatchLabelKeys`` merged with its labels,
``jobsim.k8s.pod_affinity``). Ties go to the first node in scenario order, where
kube-scheduler picks at random.

Pods with the same scheduling needs (requests, nodeSelector, tolerations, required node
affinity) share a *fit key*. For each fit key an index keeps the nodes where such a pod fits,
sorted by score (NodeResourcesFit + BalancedAllocation), so placing a pod reads the first entry
instead of scanning nodes; a node's change updates its entry in each index. Pending pods wait
per (fit key, priority) in creation order; when a node changes only that node is tried for the
waiting queues, highest priority first.

The *scan* places a pod whose place depends on other pods or on other nodes' scores: one with
inter-pod (anti-)affinity, spread constraints, preferred node affinity or an image the scenario
sizes (ImageLocality), and every pod while
placed pods have inter-pod terms or a node has a ``PreferNoSchedule`` taint. It filters and
scores every node for that pod; its pending pods are retried when a node changes and after each
binding.

Preemption (``DefaultPreemption``): a pod that fits nowhere and may preempt looks for a node
where deleting lower-priority pods makes it fit, keeping back ("reprieving") as many of them as
possible, highest priority first; among candidate nodes it takes the one whose victims have the
lowest highest priority, then the lowest sum of priorities, then the fewest victims, then the
first node. Like upstream it stops after ``max(100, 10 %)`` candidate nodes. Victims get
``DisruptionTarget`` (``PreemptionByScheduler``) and a graceful DELETE; the preemptor waits,
nominated to that node, and binds when the victims are gone.

With ``cluster.scheduler`` the waiting queues and instant retries give way to kube-scheduler's
scheduling queue (``sim.schedqueue.SchedulingQueue``): one pod per cycle (``_attempt``),
retries on cluster events after a backoff, the 5-minute flush; and with more than 100 nodes a
cycle scores only the ``numFeasibleNodesToFind`` feasible nodes found from
``nextStartNodeIndex`` (``percentageOfNodesToScore``, ``schedule_one.go``). A failed attempt
records the plugins that rejected the pod, and an event moves it only when one of those
plugins' QueueingHints accepts it (``_node_hints``, ``_pod_hints``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from jobsim.k8s.job import Affinity, PodSpec, TopologySpreadConstraint
from jobsim.k8s.pod_affinity import COMPLETION_INDEX_LABEL, label_keys, merge_label_keys
from jobsim.policy.image_locality import (
    WEIGHT_IMAGE_LOCALITY,
    image_locality,
)
from jobsim.policy.inter_pod_affinity import (
    InterPodTerms,
    PlacedPod,
    affinity_filter_reason,
    affinity_prefilter,
    affinity_queueing_hint,
    affinity_scores,
    inter_pod_terms,
)
from jobsim.policy.node_affinity import Term, preferred_terms
from jobsim.policy.placement import (
    PodNeeds,
    filter_reason,
    fits_cpu_memory,
    insufficient_numbers,
    insufficient_resource,
    least_allocated_of,
    matches_node_affinity_filter,
    most_allocated_of,
    placeable,
    unschedulable_message,
    untolerated_taint,
    usable,
)
from jobsim.policy.scheduling_queue import (
    INTER_POD_AFFINITY,
    NODE_AFFINITY,
    NODE_RESOURCES_FIT,
    NODE_UNSCHEDULABLE,
    POD_TOPOLOGY_SPREAD,
    TAINT_TOLERATION,
    num_feasible_nodes_to_find,
    rejector_plugins,
)
from jobsim.policy.scoring import (
    WEIGHT_BALANCED_ALLOCATION,
    WEIGHT_INTER_POD_AFFINITY,
    WEIGHT_NODE_AFFINITY,
    WEIGHT_NODE_RESOURCES_FIT,
    WEIGHT_POD_TOPOLOGY_SPREAD,
    WEIGHT_TAINT_TOLERATION,
    balanced_allocation_of,
    default_normalize,
    intolerable_prefer_no_schedule,
    preferred_node_affinity,
)
from jobsim.policy.topology_spread import (
    SpreadNode,
    spread_constraints,
    spread_filter_reason,
    spread_prefilter,
    spread_queueing_hint,
    spread_scores,
)
from jobsim.record import Recorder
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import Node, Pod
from jobsim.sim.schedqueue import Hints, SchedulingQueue

if TYPE_CHECKING:
    from jobsim.scenario.model import KubeScheduler

__all__ = ["Scheduler", "fit_key"]

MIN_CANDIDATE_NODES_ABSOLUTE: Final = 100
MIN_CANDIDATE_NODES_PERCENTAGE: Final = 10
PREEMPTION_REASON: Final = "PreemptionByScheduler"
PREEMPTION_MESSAGE: Final = "default-scheduler: preempting to accommodate a higher priority pod"

QueueKey = tuple["_Fit", int]  # (fit key's filters, priority): hashed by the _Fit's identity


class _JobTerms(NamedTuple):
    """What the scan reads of a Job's pod template, computed once per Job."""

    job: Any  # the sim.jobs.JobRuntime they are of
    labels: dict[str, str]  # the template's labels
    namespace: str
    terms: InterPodTerms
    spread: tuple[TopologySpreadConstraint, ...]
    preferred: tuple[tuple[int, Term], ...]  # preferred node affinity
    index_free: bool  # no term or constraint names the completion-index label
    affinity: Affinity | None  # the template's, before the API server's merge
    by_index: bool  # a matchLabelKeys/mismatchLabelKeys key is the completion-index label
    images: tuple[str, ...]  # normalised, init containers first (ImageLocality)
    sized: bool  # some image has a size: ImageLocality scores the pod
    has_terms: bool  # bool(terms), read per binding
    scanned: bool  # the pod needs the per-pod scan of every node


def _index_free(spec: PodSpec) -> bool:
    """No pod (anti-)affinity term or spread constraint of the spec names the completion-index
    label (then an Indexed Job's pods place alike)."""
    parts = [spec.affinity, *(spec.topologySpreadConstraints or ())]
    return not any(p is not None and COMPLETION_INDEX_LABEL in p.model_dump_json() for p in parts)


class _Scan(NamedTuple):
    """One scan of the nodes for a pod."""

    best: Node | None
    reasons: list[str | None]  # per live node, the first failing filter
    unblocked: set[int]  # seqs of the nodes the inter-pod and spread filters let through


def fit_key(pod: Pod) -> PodNeeds:
    """What decides where a pod may go: requests, nodeSelector, tolerations, node affinity
    (its Job's, computed once: every pod of a Job has the template's)."""
    job: JobRuntime = pod.job  # Pod.job is Any: typed here, its fields are read natively
    return job.needs


def _feasible(node: Node, needs: PodNeeds) -> bool:
    """``feasible``, reading the Node's fields: its requests as numbers (NodeResourcesFit,
    ``insufficient_numbers``), and the other filters not through ``NodeView`` (a lookup by
    name compiled) when the needs select no node."""
    if not needs.node_selector and needs.node_affinity is None:
        if not usable(node.ready, node.cordoned, node.taints, needs.tolerations):
            return False
    elif not placeable(node, needs):
        return False
    return (
        insufficient_numbers(
            node.req_pods, node.req_cpu, node.req_mem, node.extended, node.capacity, needs.requests
        )
        is None
    )


class _Fit:
    """A fit key's filters and index score on a Node. For a pod with no nodeSelector nor
    required node affinity that requests only cpu and memory (``counts``), NodeResourcesFit
    compares the Node's numbers (``fits_cpu_memory``) instead of looking its resources up by
    name; otherwise ``_feasible``. ``most``: the scheduler scores with ``MostAllocated``."""

    __slots__ = ("counts", "cpu", "index", "key", "memory", "most", "tolerations")

    def __init__(self, key: PodNeeds, most: bool = False) -> None:
        self.key = key
        self.most = most
        self.index: _FitIndex | None = None  # the key's index, once the scheduler built it
        requests = dict(key.requests)
        self.cpu: int = requests.get("cpu", 0)
        self.memory: int = requests.get("memory", 0)
        self.tolerations = key.tolerations
        self.counts = (
            not key.node_selector
            and key.node_affinity is None
            and all(not q or r in ("cpu", "memory") for r, q in key.requests)
        )

    def fits(self, node: Node) -> bool:
        """Whether a pod of the key passes the node's filters now (``feasible``)."""
        if not self.counts:
            return _feasible(node, self.key)
        return usable(node.ready, node.cordoned, node.taints, self.tolerations) and fits_cpu_memory(
            self.cpu,
            self.memory,
            node.req_pods,
            node.req_cpu,
            node.req_mem,
            node.cap_pods,
            node.cap_cpu,
            node.cap_mem,
        )

    def score(self, node: Node) -> int:
        """The index's score: NodeResourcesFit plus NodeResourcesBalancedAllocation (weight 1
        each), the default scores that do not depend on other nodes or pods."""
        fit = _most_allocated(node) if self.most else _least_allocated(node)
        if not self.cpu and not self.memory:
            return fit  # a best-effort pod: BalancedAllocation does not score it
        return fit + _balanced_allocation(self.cpu, self.memory, node)


def _least_allocated(node: Node) -> int:
    return least_allocated_of(node.score_cpu, node.score_mem, node.cap_cpu, node.cap_mem)


def _most_allocated(node: Node) -> int:
    return most_allocated_of(node.score_cpu, node.score_mem, node.cap_cpu, node.cap_mem)


def _balanced_allocation(cpu: int, memory: int, node: Node) -> int:
    return balanced_allocation_of(
        cpu, memory, node.req_cpu, node.req_mem, node.cap_cpu, node.cap_mem
    )


_NO_FIT: Final = -1
"""``_FitIndex``'s score of a node where a pod of the key cannot go (and of a seq no node has)."""


class _FitIndex:
    """The nodes where a pod of one fit key fits, best score first.

    A tournament tree over node seqs: ``tree[size + seq]`` is each node's index score
    (``_NO_FIT`` where a pod of the key cannot go, or for a seq no node has), ``tree[i]`` the
    highest score of its two children, ``tree[1]`` the highest of all. The best node is the
    lowest seq of the highest score, the order of ``(-score, seq)``: from the root down, take
    the left child whenever it holds the highest score. Re-filing a node rewrites its leaf and
    the entries above it up to the first that keeps its value: O(log nodes) at most (about
    five entries a re-filing on 10,000 nodes with a pod each). Scores are small integers
    (``_Fit.score``: 0 to 200), so no entry is a new object.
    """

    __slots__ = ("fit", "size", "tree")

    def __init__(self, fit: _Fit, nodes: list[Node]) -> None:
        self.fit = fit
        self.size = 1
        self.tree: list[int] = []
        leaves = [_NO_FIT] * (1 + max((n.seq for n in nodes), default=-1))
        for n in nodes:
            leaves[n.seq] = self._score(n)
        self._fill(leaves)

    def _fill(self, leaves: list[int]) -> None:
        """The tree of these leaves (scores by seq), as many as the next power of two holds."""
        size = self.size
        while size < len(leaves):
            size *= 2
        self.size = size
        self.tree = tree = [_NO_FIT] * size + leaves + [_NO_FIT] * (size - len(leaves))
        i = size - 1
        while i > 0:
            left = tree[2 * i]
            right = tree[2 * i + 1]
            tree[i] = left if left >= right else right
            i -= 1

    def _score(self, node: Node) -> int:
        """The node's index score, or ``_NO_FIT`` if a pod of the key cannot go there now."""
        if node.removed or not self.fit.fits(node):
            return _NO_FIT
        return self.fit.score(node)

    def update(self, node: Node) -> None:
        """Re-file one node after it changed."""
        seq = node.seq
        if seq >= self.size:  # a node joined past the tree's leaves
            self._fill(self.tree[self.size :] + [_NO_FIT] * (seq + 1 - self.size))
        tree = self.tree
        i = self.size + seq
        new = self._score(node)
        if tree[i] == new:
            return
        tree[i] = new
        while i > 1:  # up to the first entry that keeps its value
            other = tree[i ^ 1]
            if other > new:
                new = other
            i >>= 1
            if tree[i] == new:
                return
            tree[i] = new

    def best(self) -> int | None:
        """The seq of the best node, if any."""
        tree = self.tree
        top = tree[1]
        if top < 0:
            return None
        size = self.size
        i = 1
        while i < size:
            i *= 2
            if tree[i] != top:
                i += 1
        return i - size


class Scheduler:
    """Binds pending pods to nodes; preempts for higher priorities."""

    def __init__(
        self,
        clock: Clock,
        nodes: list[Node],
        recorder: Recorder,
        delay: float,
        bind: Callable[[Pod, Node], None],
        scoring: str = "LeastAllocated",
        image_sizes: Mapping[str, int] | None = None,
        config: KubeScheduler | None = None,
        pop_from_backoff: bool = False,
    ) -> None:
        self.clock = clock
        self.image_sizes: Mapping[str, int] = image_sizes or {}
        self.recorder = recorder
        self.delay = delay
        self._bind_cb = bind
        # the kernel's callback for every new pod, bound once (compiled, ``self._schedule``
        # as a value is a lookup by name and a new bound method)
        self._schedule_cb: Callable[[Pod], None] = self._schedule
        self.nodes = nodes
        self.score = _most_allocated if scoring == "MostAllocated" else _least_allocated
        self._indexes: dict[PodNeeds, _FitIndex] = {}
        self._fits: dict[PodNeeds, _Fit] = {}
        self._job_fits: dict[JobRuntime, _Fit] = {}
        self._waiting: dict[QueueKey, deque[Pod]] = {}
        self.evict: Callable[[Pod, str, str], None] = lambda pod, reason, message: None
        self.on_unschedulable: Callable[[Pod], None] = lambda pod: None
        self._bound_priorities: dict[int, int] = {}  # priority -> bound pods
        # JobRuntime (hashed by identity: eq=False) -> its terms; by the object, not id(),
        # which is a new int (and a hash of it) at every pod's binding and release
        self._job_terms: dict[JobRuntime, _JobTerms] = {}
        self._labels: dict[int, dict[str, str]] = {}  # pod uid -> labels (indexed pods)
        self._placed_pods: dict[int, PlacedPod] = {}  # bound pods' views, by uid
        self._scan_waiting: dict[int, Pod] = {}  # pending pods placed by the scan, by uid
        self._scan_groups: dict[tuple[int, int], int] = {}  # waiting pods by _group
        self._with_terms: dict[int, Pod] = {}  # bound pods with inter-pod terms, by uid
        self._with_anti = 0  # bound pods with required anti-affinity terms
        self._prefer_seen = 0  # nodes checked for PreferNoSchedule taints
        self._prefer_taints = False  # some node has a PreferNoSchedule taint
        self._retrying = False
        self._queue: SchedulingQueue | None = None  # cluster.scheduler: the real queue
        self._to_score = 100  # percentageOfNodesToScore
        self._next_start = 0  # nextStartNodeIndex
        self._noticed: set[int] = set()  # pending pods the autoscaler was told of, by uid
        # FailedScheduling messages and rejecting plugins since the last event
        self._whys: dict[PodNeeds, tuple[str, frozenset[str]]] = {}
        self._whys_at = -1  # the queue's generation they were computed at
        if config is not None:
            self._queue = SchedulingQueue(
                clock, config, self._attempt, self._bind_chosen, pop_from_backoff
            )
            self._to_score = config.percentageOfNodesToScore

    # -- indexes -------------------------------------------------------------------------
    def _index(self, key: PodNeeds) -> _FitIndex:
        return self._index_of(self._fit(key))

    def _index_of(self, fit: _Fit) -> _FitIndex:
        idx = fit.index
        if idx is None:
            idx = fit.index = _FitIndex(fit, self.nodes)
            self._indexes[fit.key] = idx
        return idx

    def _fit(self, key: PodNeeds) -> _Fit:
        fit = self._fits.get(key)
        if fit is None:
            fit = self._fits[key] = _Fit(key, self.score is _most_allocated)
        return fit

    def _fit_of(self, job: JobRuntime) -> _Fit:
        """``_fit`` of the Job's fit key, found by the Job (hashed by identity: a fit key is a
        tuple of tuples, hashed anew at every lookup)."""
        fit = self._job_fits.get(job)
        if fit is None:
            fit = self._job_fits[job] = self._fit(job.needs)
        return fit

    def add_node(self, node: Node) -> None:
        """A new node joined the cluster."""
        self.nodes.append(node)
        self.node_changed(node, added=True)

    def node_changed(self, node: Node, added: bool = False) -> None:
        """Capacity, health or schedulability of ``node`` changed (or it was ``added``): re-file
        it, place waiters."""
        for idx in self._indexes.values():
            idx.update(node)
        if self._queue is not None:
            self._queue.move(self._node_hints(node, added))
            return
        if self._waiting or self._scan_waiting:  # else nothing waits to be placed
            self._place_waiting_on(node)

    def _node_hints(self, node: Node, added: bool) -> Hints:
        """The QueueingHints of a node added, changed (Ready, cordoned, tainted) or removed:
        the node filters' (NodeUnschedulable, TaintToleration, NodeAffinity,
        NodeResourcesFit), when the node now passes the filters other than resources;
        PodTopologySpread's (``isSchedulableAfterNodeChange``), when the node has every
        topology key of the pod's ``DoNotSchedule`` constraints; InterPodAffinity's, for a
        node added only (it registers no taint change, nor deletion), when the node has the
        topology key of one of the pod's required (anti-)affinity terms."""

        def fits(pod: Pod) -> bool:
            return not node.removed and placeable(node, fit_key(pod))

        def spread(pod: Pod) -> bool:
            me = self._placed(pod)
            hard = spread_constraints(self._terms_of(pod.job).spread, me.labels, "DoNotSchedule")
            return all(c.topology_key in node.labels for c in hard)

        def affinity(pod: Pod) -> bool:
            terms = self._placed(pod).terms
            return any(t.topology_key in node.labels for t in terms.affinity + terms.anti_affinity)

        hints = dict.fromkeys(
            (NODE_UNSCHEDULABLE, TAINT_TOLERATION, NODE_AFFINITY, NODE_RESOURCES_FIT), fits
        )
        hints[POD_TOPOLOGY_SPREAD] = spread
        if added:
            hints[INTER_POD_AFFINITY] = affinity
        return hints

    def _pod_hints(self, other: Pod, added: bool) -> Hints:
        """The QueueingHints of a bound pod ``other`` ``added`` (AssignedPodAdd) or deleted
        (AssignedPodDelete): InterPodAffinity's and PodTopologySpread's
        (``isSchedulableAfterPodChange``); on deletion also NodeResourcesFit's
        (``isSchedulableAfterPodEvent``: any bound pod deleted)."""
        view = self._placed(other)

        def affinity(pod: Pod) -> bool:
            return affinity_queueing_hint(self._placed(pod), view, added)

        def spread(pod: Pod) -> bool:
            me = self._placed(pod)
            hard = spread_constraints(self._terms_of(pod.job).spread, me.labels, "DoNotSchedule")
            return spread_queueing_hint(hard, me.namespace, view)

        hints: dict[str, Callable[[Pod], bool]] = {
            INTER_POD_AFFINITY: affinity,
            POD_TOPOLOGY_SPREAD: spread,
        }
        if not added:
            hints[NODE_RESOURCES_FIT] = lambda pod: True
        return hints

    # -- pods ----------------------------------------------------------------------------
    def add(self, pod: Pod) -> None:
        """A new pod: try to place it after the scheduling latency."""
        if self._queue is not None:
            self.clock.call(self.delay, Prio.SCHEDULER, self._queue.add, pod)
            return
        self.clock.call(self.delay, Prio.SCHEDULER, self._schedule_cb, pod)

    def _schedule(self, pod: Pod) -> None:
        if pod.deletion_ts is not None or pod.node is not None:
            return
        fit = self._fit_of(pod.job)
        key = fit.key
        if self._needs_scan(pod):
            self._schedule_scanned(pod, key)
            return
        qkey = (fit, pod.priority)
        queue = self._waiting.get(qkey) if self._waiting else None
        if queue:
            queue.append(pod)  # never overtake an earlier pod with the same needs
            self._preempt(pod, key)
            if pod.nominated is None:
                self.on_unschedulable(pod)
            return
        seq = self._index_of(fit).best()
        if seq is not None:
            self._bind(pod, self.nodes[seq])
            return
        self._waiting.setdefault(qkey, deque()).append(pod)
        self.recorder.pod_unschedulable(self.clock.now, pod.name, self._why(key))
        self._preempt(pod, key)
        if pod.nominated is None:
            self.on_unschedulable(pod)

    def _bind(self, pod: Pod, node: Node) -> None:
        job: JobRuntime = pod.job
        if job.extended_requests:
            req = node.extended
            if req is None:
                req = node.extended = {}
            for r, q in job.extended_requests:
                req[r] = req.get(r, 0) + q
        cpu, memory = job.cpu_memory
        node.req_cpu += cpu
        node.req_mem += memory
        node.req_pods += 1
        cpu, memory = job.score_requests
        node.score_cpu += cpu
        node.score_mem += memory
        node.pods[pod.uid] = pod
        pod.node = node
        if pod.nominated is not None:
            self._denominate(pod)
        self._bound_priorities[pod.priority] = self._bound_priorities.get(pod.priority, 0) + 1
        job_terms = self._terms_of(pod.job)
        if job_terms.has_terms:
            terms = job_terms.terms
            self._with_terms[pod.uid] = pod
            if terms.anti_affinity:
                self._with_anti += 1
                if self._with_anti == 1:
                    self._scan_all_waiting()
        for idx in self._indexes.values():
            idx.update(node)
        self.recorder.pod_scheduled(self.clock.now, pod.name, node.name)
        self._bind_cb(pod, node)
        if self._scan_waiting:
            self._retry_scanned()  # a new pod can satisfy an affinity or a spread
        elif self._queue is not None:  # AssignedPodAdd
            self._queue.move(self._pod_hints(pod, added=True))

    def release(self, pod: Pod) -> None:
        """A bound pod stopped using its node (terminal or gone): free it, retry waiters."""
        node = pod.node
        if node is None or pod.uid not in node.pods:
            return
        hints = self._pod_hints(pod, added=False) if self._queue is not None else None
        del node.pods[pod.uid]
        uid = pod.uid
        # compiled, dict.pop is a method call by name; most runs keep neither map
        if uid in self._labels:
            del self._labels[uid]
        if uid in self._placed_pods:
            del self._placed_pods[uid]
        job_terms = self._terms_of(pod.job)
        if job_terms.has_terms:
            del self._with_terms[pod.uid]
            self._with_anti -= bool(job_terms.terms.anti_affinity)
        self._bound_priorities[pod.priority] -= 1
        if not self._bound_priorities[pod.priority]:
            del self._bound_priorities[pod.priority]
        job: JobRuntime = pod.job
        if job.extended_requests:
            req = node.extended
            assert req is not None  # made by the pod's binding
            for r, q in job.extended_requests:
                req[r] -= q
        cpu, memory = job.cpu_memory
        node.req_cpu -= cpu
        node.req_mem -= memory
        node.req_pods -= 1
        cpu, memory = job.score_requests
        node.score_cpu -= cpu
        node.score_mem -= memory
        if self._queue is not None:  # AssignedPodDelete
            for idx in self._indexes.values():
                idx.update(node)
            self._queue.move(hints)
            return
        self.node_changed(node)

    def _denominate(self, pod: Pod) -> None:
        if pod.nominated is not None:
            waiting = pod.nominated.nominated
            if waiting is not None:
                waiting.pop(pod.uid, None)
            pod.nominated = None

    def forget(self, pod: Pod) -> None:
        """A pending pod was deleted: stop waiting for it."""
        self._denominate(pod)
        if pod.node is not None:
            return
        if self._queue is not None:
            self._queue.forget(pod)
            self._noticed.discard(pod.uid)
        self._labels.pop(pod.uid, None)
        self._placed_pods.pop(pod.uid, None)
        if self._unwait_scanned(pod):
            return
        queue = self._waiting.get((self._fit_of(pod.job), pod.priority))
        if queue and pod in queue:
            queue.remove(pod)

    def _place_waiting_on(self, node: Node) -> None:
        """Place waiting pods on ``node``, highest priority first, then oldest; then retry
        the pods the scan places."""
        self._place_queued_on(node)
        if self._scan_waiting:
            self._retry_scanned()

    def _place_queued_on(self, node: Node) -> None:
        waiting = self._waiting
        while waiting:
            best: deque[Pod] | None = None
            best_key: QueueKey | None = None
            rank_priority = rank_uid = 0  # (-priority, uid) of the best queue's head
            empty: list[QueueKey] = []
            for qkey, queue in waiting.items():
                while queue and (queue[0].deletion_ts is not None or queue[0].node is not None):
                    queue.popleft()
                if not queue:
                    empty.append(qkey)
                    continue
                head = queue[0]
                priority, uid = -head.priority, head.uid
                if (
                    best is None
                    or priority < rank_priority
                    or (priority == rank_priority and uid < rank_uid)
                ) and (not node.removed and qkey[0].fits(node)):
                    best, best_key, rank_priority, rank_uid = queue, qkey, priority, uid
            for qkey in empty:
                del waiting[qkey]
            if best is None or best_key is None:
                return
            pod = best.popleft()
            if not best:
                del waiting[best_key]
            self._bind(pod, node)

    def pending(self) -> list[Pod]:
        """Every waiting pod, in priority then creation order."""
        pods = [p for q in self._waiting.values() for p in q if p.node is None]
        if self._queue is not None:
            pods.extend(self._queue.pending())
        pods.extend(p for p in self._scan_waiting.values() if p.node is None)
        return sorted(pods, key=lambda p: (-p.priority, p.uid))

    # -- the real queue's cycle (cluster.scheduler) ---------------------------------------
    def _attempt(self, pod: Pod) -> tuple[Node | None, frozenset[str]]:
        """One scheduling cycle for ``pod``: the node it goes to, or ``None`` and the plugins
        that rejected it on some node (``UnschedulablePlugins``) after its FailedScheduling
        (one per failed attempt), preemption and, the first time, the autoscaler's notice."""
        key = fit_key(pod)
        allowed: set[int] | None = None
        if self._needs_scan(pod):
            scan = self._scan(pod, key, sample=True)
            if scan.best is not None:
                return scan.best, frozenset()
            message = unschedulable_message(scan.reasons)
            plugins = rejector_plugins(scan.reasons)
            allowed = scan.unblocked
        else:
            node = self._sampled_best(key)
            if node is not None:
                return node, frozenset()
            message, plugins = self._why_now(key)
        self.recorder.pod_unschedulable(self.clock.now, pod.name, message)
        self._preempt(pod, key, allowed)
        if pod.nominated is None and pod.uid not in self._noticed:
            self._noticed.add(pod.uid)  # the autoscaler hears of a pod once, as without the queue
            self.on_unschedulable(pod)
        return None, plugins

    def _why_now(self, key: PodNeeds) -> tuple[str, frozenset[str]]:
        """``_why``, kept per fit key until the next cluster event (every change of a node
        or of its pods is one), so that the pods waiting alike share one filter pass."""
        assert self._queue is not None
        generation = self._queue.generation
        if generation != self._whys_at:
            self._whys.clear()
            self._whys_at = generation
        why = self._whys.get(key)
        if why is None:
            reasons = [filter_reason(n, key) for n in self.nodes if not n.removed]
            why = self._whys[key] = (unschedulable_message(reasons), rejector_plugins(reasons))
        return why

    def _bind_chosen(self, pod: Pod, node: Node) -> bool:
        """Bind ``pod`` to the node its cycle chose unless the node is gone: the cycle
        assumed the pod there, and the binding cycle filters no more (``schedule_one.go``
        ``assume``, ``bindingCycle``); only the API server refuses a node that no longer
        exists."""
        if node.removed:
            return False
        self._noticed.discard(pod.uid)
        self._bind(pod, node)
        return True

    def _sample(self, count: int) -> tuple[int, int] | None:
        """``numFeasibleNodesToFind`` of ``count`` live nodes and the index to start from, or
        ``None`` when every node is filtered and scored."""
        want = num_feasible_nodes_to_find(self._to_score, count)
        if want >= count:
            return None
        return want, self._next_start % count

    def _first_found(self, feasible_at: list[int], count: int) -> list[int]:
        """Of the feasible nodes (indexes into ``count`` live nodes), the ones a search from
        ``nextStartNodeIndex`` keeps, in scenario order; moves ``nextStartNodeIndex`` on by the
        nodes that search counts (see ``_sampled_best``). Filtering every node, then keeping
        those, is the same: a node's filters do not depend on the order."""
        sample = self._sample(count)
        if sample is None:
            return feasible_at
        want, start = sample
        found = sorted(feasible_at, key=lambda i: (i - start) % count)
        processed = count
        if len(found) > want:
            processed = (found[want] - start) % count  # the one past the count stops it
            found = sorted(found[:want])
        else:
            found = feasible_at
        self._next_start = (start + processed) % count
        return found

    def _sampled_best(self, key: PodNeeds) -> Node | None:
        """The best node for a pod of ``key`` among the first ``numFeasibleNodesToFind``
        feasible ones from ``nextStartNodeIndex`` (every node below 100 nodes or at 100 %).

        ``findNodesThatPassFilters``, one node after another: the search goes on past the
        count's last feasible node until the next feasible one, which cancels it uncounted;
        ``nextStartNodeIndex`` moves on by the feasible nodes kept plus the nodes that failed
        (``processedNodes``), or by every node when the search ran out."""
        nodes = self.nodes
        if self._to_score < 100 and len(nodes) >= 100:
            live = [n for n in nodes if not n.removed]
            sample = self._sample(len(live))
            if sample is not None:
                want, start = sample
                fit = self._fit(key)
                found: list[Node] = []
                processed = 0
                for i in range(len(live)):
                    node = live[(start + i) % len(live)]
                    if fit.fits(node):
                        if len(found) == want:
                            break  # one feasible node past the count stops the search
                        found.append(node)
                    processed = i + 1
                self._next_start = (start + processed) % len(live)
                return max(found, key=lambda n: (fit.score(n), -n.seq), default=None)
        seq = self._index(key).best()
        return None if seq is None else nodes[seq]

    # -- the scan: pods with inter-pod affinity, spread constraints or preferences --------
    def _terms_of(self, job: Any) -> _JobTerms:
        """A Job's scheduling terms, parsed once."""
        terms = self._job_terms.get(job)
        if terms is None:
            spec = job.template_spec
            meta = job.job.spec.template.metadata
            namespace = str(job.namespace)
            labels = dict(meta.labels or {}) if meta is not None else {}
            images = tuple(key for _, _, key in job.images)
            own = inter_pod_terms(merge_label_keys(spec.affinity, labels), namespace)
            spread = tuple(spec.topologySpreadConstraints or ())
            preferred = preferred_terms(spec.affinity)
            sized = any(image in self.image_sizes for image in images)
            terms = _JobTerms(
                job,
                labels,
                namespace,
                own,
                spread,
                preferred,
                _index_free(spec),
                spec.affinity,
                COMPLETION_INDEX_LABEL in label_keys(spec.affinity),
                images,
                sized,
                own.present,
                bool(own.present or spread or preferred or sized),
            )
            self._job_terms[job] = terms
        return terms

    def _pod_labels(self, pod: Pod, terms: _JobTerms) -> dict[str, str]:
        """The pod's labels: the template's, and its completion index (``PodIndexLabel``)."""
        if pod.index is None:
            return terms.labels
        labels = self._labels.get(pod.uid)
        if labels is None:
            labels = {**terms.labels, COMPLETION_INDEX_LABEL: str(pod.index)}
            self._labels[pod.uid] = labels
        return labels

    def _placed(self, pod: Pod) -> PlacedPod:
        """What the inter-pod and spread plugins read of a pod (kept while it is bound)."""
        placed = self._placed_pods.get(pod.uid)
        terminating = pod.deletion_ts is not None
        if placed is None or placed.terminating is not terminating:
            terms = self._terms_of(pod.job)
            labels = self._pod_labels(pod, terms)
            own = terms.terms
            if terms.by_index and pod.index is not None:  # merged with this pod's index
                own = inter_pod_terms(merge_label_keys(terms.affinity, labels), terms.namespace)
            placed = PlacedPod(labels, terms.namespace, own, terminating)
            if pod.node is not None:
                self._placed_pods[pod.uid] = placed
        return placed

    def _needs_scan(self, pod: Pod) -> bool:
        """Whether the pod is placed by the scan rather than its fit key's index: it has
        inter-pod terms, spread constraints or preferred node affinity, or placed pods have
        inter-pod terms, or some node has a ``PreferNoSchedule`` taint (scores the index does
        not keep)."""
        nodes = self.nodes
        while self._prefer_seen < len(nodes):
            taints = nodes[self._prefer_seen].taints
            self._prefer_taints |= any(t[2] == "PreferNoSchedule" for t in taints)
            self._prefer_seen += 1
        return bool(self._with_terms) or self._prefer_taints or self._terms_of(pod.job).scanned

    def _scan_all_waiting(self) -> None:
        """Placed pods now have anti-affinity, which the fit-key queues do not check: move
        their pods to the scan's waiting list."""
        for queue in self._waiting.values():
            for pod in queue:
                if pod.node is None:
                    self._wait_scanned(pod)
        self._waiting.clear()

    def _group(self, pod: Pod) -> tuple[int, int] | None:
        """Pods the scan places alike share a group: one Job's pods of one priority (one
        template, the same requests and labels), an Indexed Job's only while no term or spread
        constraint of it names the completion-index label; ``None``: a group of its own."""
        if pod.index is not None and not self._terms_of(pod.job).index_free:
            return None
        return (id(pod.job), pod.priority)

    def _wait_scanned(self, pod: Pod) -> None:
        self._scan_waiting[pod.uid] = pod
        group = self._group(pod)
        if group is not None:
            self._scan_groups[group] = self._scan_groups.get(group, 0) + 1

    def _unwait_scanned(self, pod: Pod) -> bool:
        """Stop waiting for ``pod``; whether it was waiting."""
        if self._scan_waiting.pop(pod.uid, None) is None:
            return False
        group = self._group(pod)
        if group is not None:
            left = self._scan_groups[group] - 1
            if left:
                self._scan_groups[group] = left
            else:
                del self._scan_groups[group]
        return True

    def _schedule_scanned(self, pod: Pod, key: PodNeeds) -> None:
        group = self._group(pod)
        if group is not None and group in self._scan_groups:
            self._wait_scanned(pod)  # never overtake an earlier pod with the same needs
            self.on_unschedulable(pod)
            return
        scan = self._scan(pod, key)
        if scan.best is not None:
            self._bind(pod, scan.best)
            return
        self._wait_scanned(pod)
        self.recorder.pod_unschedulable(
            self.clock.now, pod.name, unschedulable_message(scan.reasons)
        )
        self._preempt(pod, key, scan.unblocked)
        if pod.nominated is None:
            self.on_unschedulable(pod)

    def _retry_scanned(self) -> None:
        """Try the scan's waiting pods again, highest priority first, then oldest; a pod that
        fits nowhere stops the later pods of its group."""
        if self._retrying:
            return
        self._retrying = True
        try:
            progress = True
            while progress:
                progress = False
                failed: set[tuple[int, int]] = set()
                waiting = sorted(self._scan_waiting.values(), key=lambda p: (-p.priority, p.uid))
                for pod in waiting:
                    if pod.deletion_ts is not None or pod.node is not None:
                        self._unwait_scanned(pod)
                        continue
                    group = self._group(pod)
                    if group in failed:
                        continue
                    scan = self._scan(pod, fit_key(pod))
                    if scan.best is None:
                        if group is not None:
                            failed.add(group)
                        continue
                    self._unwait_scanned(pod)
                    self._bind(pod, scan.best)
                    progress = True
        finally:
            self._retrying = False

    def _scan(self, pod: Pod, key: PodNeeds, sample: bool = False) -> _Scan:
        """Filter every node as kube-scheduler does (the fit-key filters, then
        PodTopologySpread, then InterPodAffinity), then score the feasible ones with the
        default plugins and weights; ties go to the first node in scenario order. With
        ``sample``, filter from ``nextStartNodeIndex`` only until ``numFeasibleNodesToFind``
        nodes pass."""
        terms = self._terms_of(pod.job)
        me = self._placed(pod)
        nodes = [n for n in self.nodes if not n.removed]
        if me.terms.present or terms.spread:
            placed = [[self._placed(p) for p in n.pods.values()] for n in nodes]
        else:  # only placed pods' own terms concern the pod (upstream's PodsWithAffinity)
            by_node: dict[int, list[PlacedPod]] = {}
            for p in self._with_terms.values():
                assert p.node is not None
                by_node.setdefault(p.node.seq, []).append(self._placed(p))
            placed = [by_node.get(n.seq, []) for n in nodes]
        hard = spread_constraints(terms.spread, me.labels, "DoNotSchedule")
        soft = spread_constraints(terms.spread, me.labels, "ScheduleAnyway")
        spread_nodes = (
            [
                SpreadNode(
                    n.labels,
                    matches_node_affinity_filter(n, key),
                    untolerated_taint(n.taints, key.tolerations) is None,
                    pods,
                )
                for n, pods in zip(nodes, placed, strict=True)
            ]
            if hard or soft
            else []
        )
        spread = spread_prefilter(me, hard, spread_nodes) if hard else None
        by_labels = [(n.labels, pods) for n, pods in zip(nodes, placed, strict=True)]
        affinity = (
            affinity_prefilter(me, by_labels)
            if me.terms.affinity or me.terms.anti_affinity or self._with_anti
            else None
        )
        reasons: list[str | None] = []
        unblocked: set[int] = set()
        feasible_at: list[int] = []
        for i, n in enumerate(nodes):
            extra = None
            if spread is not None:
                extra = spread_filter_reason(spread, me, n.labels)
            if extra is None and affinity is not None:
                extra = affinity_filter_reason(affinity, me, n.labels)
            if extra is None:
                unblocked.add(n.seq)
            reason = filter_reason(n, key) or extra
            reasons.append(reason)
            if reason is None:
                feasible_at.append(i)
        if sample and self._to_score < 100:
            feasible_at = self._first_found(feasible_at, len(nodes))
        if len(feasible_at) <= 1:
            best = nodes[feasible_at[0]] if feasible_at else None
            return _Scan(best, reasons, unblocked)
        cands = [nodes[i] for i in feasible_at]
        totals = [WEIGHT_NODE_RESOURCES_FIT * self.score(n) for n in cands]
        cpu, memory = pod.requests.get("cpu", 0), pod.requests.get("memory", 0)
        parts: list[tuple[int, list[int]]] = [
            (
                WEIGHT_BALANCED_ALLOCATION,
                [_balanced_allocation(cpu, memory, n) for n in cands],
            ),
            (
                WEIGHT_TAINT_TOLERATION,
                default_normalize(
                    [intolerable_prefer_no_schedule(n.taints, key.tolerations) for n in cands],
                    reverse=True,
                ),
            ),
        ]
        if terms.preferred:
            raw = [preferred_node_affinity(terms.preferred, n.name, n.labels) for n in cands]
            parts.append((WEIGHT_NODE_AFFINITY, default_normalize(raw)))
        if soft:
            chosen = [spread_nodes[i] for i in feasible_at]
            parts.append(
                (WEIGHT_POD_TOPOLOGY_SPREAD, spread_scores(me, soft, spread_nodes, chosen))
            )
        if me.terms.preferred_affinity or me.terms.preferred_anti_affinity or self._with_terms:
            scores = affinity_scores(me, by_labels, [n.labels for n in cands])
            parts.append((WEIGHT_INTER_POD_AFFINITY, scores))
        if terms.sized:
            parts.append((WEIGHT_IMAGE_LOCALITY, self._image_scores(terms.images, nodes, cands)))
        for weight, scores in parts:
            for j, score in enumerate(scores):
                totals[j] += weight * score
        top = max(totals)
        return _Scan(cands[totals.index(top)], reasons, unblocked)

    def _image_scores(
        self, images: tuple[str, ...], nodes: list[Node], cands: list[Node]
    ) -> list[int]:
        """ImageLocality of each candidate: the images each node holds now (pulled or
        preloaded; one still being pulled is not in its status yet), and how many of the
        ``nodes`` (every node of the snapshot) hold each."""
        now = self.clock.now
        sizes = self.image_sizes
        wanted = set(images)
        num_nodes = dict.fromkeys(wanted, 0)
        for n in nodes:
            for image in wanted:
                at = n.images.get(image)
                if at is not None and at <= now:
                    num_nodes[image] += 1
        scores = []
        for n in cands:
            held = {i for i in wanted if (at := n.images.get(i)) is not None and at <= now}
            scores.append(image_locality(images, held, sizes, num_nodes, len(nodes)))
        return scores

    # -- preemption ----------------------------------------------------------------------
    def _preempt(self, pod: Pod, key: PodNeeds, allowed: set[int] | None = None) -> None:
        """``DefaultPreemption`` PostFilter, in outline (see the module docstring); only the
        nodes in ``allowed`` (seqs), if given."""
        if not pod.preempts or pod.nominated is not None:
            return
        if not any(p < pod.priority for p in self._bound_priorities):
            return  # nothing of lower priority runs anywhere
        wanted = max(
            MIN_CANDIDATE_NODES_ABSOLUTE, len(self.nodes) * MIN_CANDIDATE_NODES_PERCENTAGE // 100
        )
        best: tuple[tuple[int, int, int, int], Node, list[Pod]] | None = None
        found = 0
        for node in self.nodes:
            if node.removed or not placeable(node, key):
                continue
            if allowed is not None and node.seq not in allowed:
                continue
            lower = [p for p in node.pods.values() if p.priority < pod.priority]
            if not lower:
                continue
            victims = self._victims(node, key.requests, lower, pod.priority)
            if victims is None:
                continue
            found += 1
            prios = [v.priority for v in victims]
            rank = (max(prios, default=-(2**31)), sum(prios), len(victims), node.seq)
            if best is None or rank < best[0]:
                best = (rank, node, victims)
            if found >= wanted:
                break
        if best is None:
            return
        _, node, victims = best
        pod.nominated = node
        if node.nominated is None:
            node.nominated = {}
        node.nominated[pod.uid] = pod
        for victim in victims:
            self.evict(victim, PREEMPTION_REASON, PREEMPTION_MESSAGE)

    def _victims(
        self, node: Node, requests: tuple[tuple[str, int], ...], lower: list[Pod], priority: int
    ) -> list[Pod] | None:
        """``selectVictimsOnNode``: count the pods already nominated to the node (of at least
        this priority) as placed; remove all lower-priority pods; if the pod then fits, add
        back the ones not already terminating, most important first, while it still fits; the
        rest are the victims (possibly none, when terminating pods make enough room)."""
        req = dict(node.requested)
        cap = node.capacity
        for p in (node.nominated or {}).values():
            if p.priority >= priority:
                _count(req, p, 1)
        for p in lower:
            _count(req, p, -1)
        if insufficient_resource(req, cap, requests) is not None:
            return None
        victims: list[Pod] = []
        for p in sorted(lower, key=lambda p: (-p.priority, p.uid)):
            if p.deletion_ts is not None:
                continue  # already going: neither reprieved nor a new victim
            _count(req, p, 1)  # reprieve it, if the pod still fits
            if insufficient_resource(req, cap, requests) is not None:
                _count(req, p, -1)
                victims.append(p)
        return victims

    # -- FailedScheduling ----------------------------------------------------------------
    def _why(self, key: PodNeeds) -> str:
        """FailedScheduling's message: ``0/3 nodes are available: 3 Insufficient cpu.``"""
        return unschedulable_message([filter_reason(n, key) for n in self.nodes if not n.removed])


def _count(requested: dict[str, int], pod: Pod, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) ``pod``'s requests and one pod to ``requested``."""
    for r, q in pod.requests.items():
        requested[r] = requested.get(r, 0) + sign * q
    requested["pods"] = requested.get("pods", 0) + sign
