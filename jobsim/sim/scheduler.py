"""kube-scheduler, in outline: filter nodes, score them, bind; preempt lower priorities.

The filters (Ready, NodeUnschedulable, nodeSelector, TaintToleration, NodeResourcesFit), the
scores (``LeastAllocated``, the default, or ``MostAllocated``, bin packing) and the
``FailedScheduling`` message are ``jobsim.policy.placement``'s. Ties go to the first node in
scenario order, where kube-scheduler picks at random.

Pods with the same scheduling needs (requests, nodeSelector, tolerations) share a *fit key*.
For each fit key an index keeps the nodes where such a pod fits, sorted by score, so placing a
pod reads the first entry instead of scanning nodes; a node's change updates its entry in
each index. Pending pods wait per (fit key, priority) in creation order; when a node changes
only that node is tried for the waiting queues, highest priority first.

Preemption (``DefaultPreemption``): a pod that fits nowhere and may preempt looks for a node
where deleting lower-priority pods makes it fit, keeping back ("reprieving") as many of them as
possible, highest priority first; among candidate nodes it takes the one whose victims have the
lowest highest priority, then the lowest sum of priorities, then the fewest victims, then the
first node. Like upstream it stops after ``max(100, 10 %)`` candidate nodes. Victims get
``DisruptionTarget`` (``PreemptionByScheduler``) and a graceful DELETE; the preemptor waits,
nominated to that node, and binds when the victims are gone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush

from jobsim.policy.placement import (
    PodNeeds,
    feasible,
    filter_reason,
    insufficient_resource,
    least_allocated,
    most_allocated,
    nonzero_requests,
    placeable,
    pod_needs,
    unschedulable_message,
)
from jobsim.record import Recorder
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.objects import Node, Pod

__all__ = ["Scheduler", "fit_key"]

MIN_CANDIDATE_NODES_ABSOLUTE = 100
MIN_CANDIDATE_NODES_PERCENTAGE = 10
PREEMPTION_REASON = "PreemptionByScheduler"
PREEMPTION_MESSAGE = "default-scheduler: preempting to accommodate a higher priority pod"

QueueKey = tuple[PodNeeds, int]  # (fit key, priority)


def fit_key(pod: Pod) -> PodNeeds:
    """What decides where a pod may go: requests, nodeSelector, tolerations, node affinity."""
    spec = pod.job.template_spec
    return pod_needs(pod.requests, spec.nodeSelector, spec.tolerations, spec.affinity)


def _least_allocated(node: Node) -> int:
    return least_allocated(node.score_cpu, node.score_mem, node.capacity)


def _most_allocated(node: Node) -> int:
    return most_allocated(node.score_cpu, node.score_mem, node.capacity)


class _FitIndex:
    """The nodes where a pod of one fit key fits, best score first.

    A heap of ``(-score, seq)`` with lazy deletion: re-filing a node pushes its new entry and
    leaves the old one, which ``best`` drops when it reaches the top (an entry counts only
    while it is the node's entry in ``member``). The heap is rebuilt from ``member`` when stale
    entries outnumber live ones, so it stays within twice the nodes.
    """

    def __init__(self, key: PodNeeds, nodes: list[Node], score: Callable[[Node], int]) -> None:
        self.key = key
        self.score = score
        self.heap: list[tuple[int, int]] = []
        self.member: dict[int, tuple[int, int]] = {}
        for n in nodes:
            self.update(n)

    def update(self, node: Node) -> None:
        """Re-file one node after it changed."""
        member = self.member
        if not node.removed and feasible(node, self.key):
            entry = (-self.score(node), node.seq)
            if member.get(node.seq) != entry:
                member[node.seq] = entry
                heappush(self.heap, entry)
                if len(self.heap) > 2 * len(member) + 64:
                    self.heap = sorted(member.values())  # a sorted list is a heap
        else:
            member.pop(node.seq, None)

    def best(self) -> int | None:
        """The seq of the best node, if any."""
        heap, member = self.heap, self.member
        while heap:
            entry = heap[0]
            if member.get(entry[1]) == entry:
                return entry[1]
            heappop(heap)
        return None


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
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.delay = delay
        self._bind_cb = bind
        self.nodes = nodes
        self.score = _most_allocated if scoring == "MostAllocated" else _least_allocated
        self._indexes: dict[PodNeeds, _FitIndex] = {}
        self._waiting: dict[QueueKey, deque[Pod]] = {}
        self.evict: Callable[[Pod, str, str], None] = lambda pod, reason, message: None
        self.on_unschedulable: Callable[[Pod], None] = lambda pod: None
        self._bound_priorities: dict[int, int] = {}  # priority -> bound pods

    # -- indexes -------------------------------------------------------------------------
    def _index(self, key: PodNeeds) -> _FitIndex:
        idx = self._indexes.get(key)
        if idx is None:
            idx = _FitIndex(key, self.nodes, self.score)
            self._indexes[key] = idx
        return idx

    def add_node(self, node: Node) -> None:
        """A new node joined the cluster."""
        self.nodes.append(node)
        self.node_changed(node)

    def node_changed(self, node: Node) -> None:
        """Capacity, health or schedulability of ``node`` changed: re-file it, place waiters."""
        for idx in self._indexes.values():
            idx.update(node)
        self._place_waiting_on(node)

    # -- pods ----------------------------------------------------------------------------
    def add(self, pod: Pod) -> None:
        """A new pod: try to place it after the scheduling latency."""
        self.clock.call(self.delay, Prio.SCHEDULER, self._schedule, pod)

    def _schedule(self, pod: Pod) -> None:
        if pod.deletion_ts is not None or pod.node is not None:
            return
        key = fit_key(pod)
        qkey = (key, pod.priority)
        queue = self._waiting.get(qkey)
        if queue:
            queue.append(pod)  # never overtake an earlier pod with the same needs
            self._preempt(pod, key)
            if pod.nominated is None:
                self.on_unschedulable(pod)
            return
        seq = self._index(key).best()
        if seq is not None:
            self._bind(pod, self.nodes[seq])
            return
        self._waiting.setdefault(qkey, deque()).append(pod)
        self.recorder.pod_unschedulable(self.clock.now, pod.name, self._why(key))
        self._preempt(pod, key)
        if pod.nominated is None:
            self.on_unschedulable(pod)

    def _bind(self, pod: Pod, node: Node) -> None:
        req = node.requested
        for r, q in pod.requests.items():
            req[r] = req.get(r, 0) + q
        req["pods"] = req.get("pods", 0) + 1
        cpu, memory = nonzero_requests(pod.requests)
        node.score_cpu += cpu
        node.score_mem += memory
        node.pods[pod.uid] = pod
        pod.node = node
        self._denominate(pod)
        self._bound_priorities[pod.priority] = self._bound_priorities.get(pod.priority, 0) + 1
        for idx in self._indexes.values():
            idx.update(node)
        self.recorder.pod_scheduled(self.clock.now, pod.name, node.name)
        self._bind_cb(pod, node)

    def release(self, pod: Pod) -> None:
        """A bound pod stopped using its node (terminal or gone): free it, retry waiters."""
        node = pod.node
        if node is None or pod.uid not in node.pods:
            return
        del node.pods[pod.uid]
        self._bound_priorities[pod.priority] -= 1
        if not self._bound_priorities[pod.priority]:
            del self._bound_priorities[pod.priority]
        req = node.requested
        for r, q in pod.requests.items():
            req[r] -= q
        req["pods"] -= 1
        cpu, memory = nonzero_requests(pod.requests)
        node.score_cpu -= cpu
        node.score_mem -= memory
        self.node_changed(node)

    def _denominate(self, pod: Pod) -> None:
        if pod.nominated is not None:
            pod.nominated.nominated.pop(pod.uid, None)
            pod.nominated = None

    def forget(self, pod: Pod) -> None:
        """A pending pod was deleted: stop waiting for it."""
        self._denominate(pod)
        if pod.node is not None:
            return
        queue = self._waiting.get((fit_key(pod), pod.priority))
        if queue and pod in queue:
            queue.remove(pod)

    def _place_waiting_on(self, node: Node) -> None:
        """Place waiting pods on ``node``, highest priority first, then oldest."""
        while self._waiting:
            best: tuple[int, int, QueueKey] | None = None
            for qkey, queue in list(self._waiting.items()):
                while queue and (queue[0].deletion_ts is not None or queue[0].node is not None):
                    queue.popleft()
                if not queue:
                    del self._waiting[qkey]
                    continue
                head = queue[0]
                rank = (-head.priority, head.uid)
                if (best is None or rank < best[:2]) and (
                    not node.removed and feasible(node, qkey[0])
                ):
                    best = (*rank, qkey)
            if best is None:
                return
            queue = self._waiting[best[2]]
            pod = queue.popleft()
            if not queue:
                del self._waiting[best[2]]
            self._bind(pod, node)

    def pending(self) -> list[Pod]:
        """Every waiting pod, in priority then creation order."""
        pods = [p for q in self._waiting.values() for p in q if p.node is None]
        return sorted(pods, key=lambda p: (-p.priority, p.uid))

    # -- preemption ----------------------------------------------------------------------
    def _preempt(self, pod: Pod, key: PodNeeds) -> None:
        """``DefaultPreemption`` PostFilter, in outline (see the module docstring)."""
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
        for p in node.nominated.values():
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
