"""kube-scheduler, in outline: filter nodes, score them, bind; preempt lower priorities.

Scoring is ``LeastAllocated`` (default) or ``MostAllocated`` (bin packing): upstream
``pkg/scheduler/framework/plugins/noderesources`` scores ``(capacity − requested)·100/capacity``
(resp. ``requested·100/capacity``) averaged over cpu and memory, counting pods that request
nothing as 100m cpu and 200Mi memory (``schedutil.GetNonzeroRequests``). Ties go to the first
node in scenario order, where kube-scheduler picks at random.

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

from sortedcontainers import SortedList

from jobsim.record import Recorder
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.objects import Node, Pod

DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
MIN_CANDIDATE_NODES_ABSOLUTE = 100
MIN_CANDIDATE_NODES_PERCENTAGE = 10
PREEMPTION_REASON = "PreemptionByScheduler"
PREEMPTION_MESSAGE = "default-scheduler: preempting to accommodate a higher priority pod"

TolerationKey = tuple[str | None, str | None, str | None, str | None]  # key, op, value, effect
FitKey = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...], tuple[TolerationKey, ...]]
QueueKey = tuple[FitKey, int]  # (fit key, priority)


def least_allocated(node: Node) -> int:
    """LeastAllocated score (0–100) of the node as it is."""
    cap_cpu, cap_mem = node.capacity.get("cpu", 0), node.capacity.get("memory", 0)
    s_cpu = (cap_cpu - node.score_cpu) * 100 // cap_cpu if cap_cpu else 0
    s_mem = (cap_mem - node.score_mem) * 100 // cap_mem if cap_mem else 0
    return (max(s_cpu, 0) + max(s_mem, 0)) // 2


def most_allocated(node: Node) -> int:
    """MostAllocated score (0–100) of the node as it is."""
    cap_cpu, cap_mem = node.capacity.get("cpu", 0), node.capacity.get("memory", 0)
    s_cpu = min(node.score_cpu, cap_cpu) * 100 // cap_cpu if cap_cpu else 0
    s_mem = min(node.score_mem, cap_mem) * 100 // cap_mem if cap_mem else 0
    return (s_cpu + s_mem) // 2


def tolerates(tolerations: tuple[TolerationKey, ...], key: str, value: str, effect: str) -> bool:
    """``ToleratesTaint`` (core/v1 helper): key/operator/value/effect match."""
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


def fit_key(pod: Pod) -> FitKey:
    """What decides where a pod may go: requests, nodeSelector, tolerations."""
    spec = pod.job.template_spec
    selector = tuple(sorted((spec.nodeSelector or {}).items()))
    tolerations = tuple((t.key, t.operator, t.value, t.effect) for t in (spec.tolerations or []))
    return (tuple(sorted(pod.requests.items())), selector, tolerations)


def _placeable(node: Node, key: FitKey) -> bool:
    """Filters other than resources: Ready, not cordoned, nodeSelector, NoSchedule taints."""
    if not node.ready or node.cordoned or node.removed:
        return False
    selector = key[1]
    if selector and any(node.labels.get(k) != v for k, v in selector):
        return False
    for t_key, t_value, effect in node.taints:
        if effect in ("NoSchedule", "NoExecute") and not tolerates(key[2], t_key, t_value, effect):
            return False
    return True


def _fits(node: Node, requests: tuple[tuple[str, int], ...]) -> bool:
    cap, req = node.capacity, node.requested
    if req.get("pods", 0) + 1 > cap.get("pods", 0):
        return False
    return all(not q or req.get(r, 0) + q <= cap.get(r, 0) for r, q in requests)


class FitIndex:
    """The nodes where a pod of one fit key fits, best score first."""

    def __init__(self, key: FitKey, nodes: list[Node], score: Callable[[Node], int]) -> None:
        self.key = key
        self.score = score
        self.entries: SortedList = SortedList()
        self.member: dict[int, tuple[int, int]] = {}
        for n in nodes:
            self.update(n)

    def update(self, node: Node) -> None:
        """Re-file one node after it changed."""
        old = self.member.pop(node.seq, None)
        if old is not None:
            self.entries.remove(old)
        if _placeable(node, self.key) and _fits(node, self.key[0]):
            entry = (-self.score(node), node.seq)
            self.member[node.seq] = entry
            self.entries.add(entry)

    def best(self) -> int | None:
        """The seq of the best node, if any."""
        return self.entries[0][1] if self.entries else None


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
        self.score = most_allocated if scoring == "MostAllocated" else least_allocated
        self._indexes: dict[FitKey, FitIndex] = {}
        self._waiting: dict[QueueKey, deque[Pod]] = {}
        self.evict: Callable[[Pod, str, str], None] = lambda pod, reason, message: None
        self.on_unschedulable: Callable[[Pod], None] = lambda pod: None
        self._bound_priorities: dict[int, int] = {}  # priority -> bound pods

    # -- indexes -------------------------------------------------------------------------
    def _index(self, key: FitKey) -> FitIndex:
        idx = self._indexes.get(key)
        if idx is None:
            idx = FitIndex(key, self.nodes, self.score)
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
        self.recorder.pod_unschedulable(self.clock.now, pod.name, self._why(pod, key))
        self._preempt(pod, key)
        if pod.nominated is None:
            self.on_unschedulable(pod)

    def _bind(self, pod: Pod, node: Node) -> None:
        req = node.requested
        for r, q in pod.requests.items():
            req[r] = req.get(r, 0) + q
        req["pods"] = req.get("pods", 0) + 1
        node.score_cpu += pod.requests.get("cpu") or DEFAULT_MILLI_CPU_REQUEST
        node.score_mem += pod.requests.get("memory") or DEFAULT_MEMORY_REQUEST
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
        node.score_cpu -= pod.requests.get("cpu") or DEFAULT_MILLI_CPU_REQUEST
        node.score_mem -= pod.requests.get("memory") or DEFAULT_MEMORY_REQUEST
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
                    _placeable(node, qkey[0]) and _fits(node, qkey[0][0])
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
    def _preempt(self, pod: Pod, key: FitKey) -> None:
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
            if not _placeable(node, key):
                continue
            lower = [p for p in node.pods.values() if p.priority < pod.priority]
            if not lower:
                continue
            victims = self._victims(node, key[0], lower, pod.priority)
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
        for p in node.nominated.values():
            if p.priority >= priority:
                for r, q in p.requests.items():
                    req[r] = req.get(r, 0) + q
                req["pods"] = req.get("pods", 0) + 1
        for p in lower:
            for r, q in p.requests.items():
                req[r] -= q
            req["pods"] -= 1

        def fits_with(extra: dict[str, int]) -> bool:
            cap = node.capacity
            if req.get("pods", 0) + extra.get("pods", 0) + 1 > cap.get("pods", 0):
                return False
            return all(
                not q or req.get(r, 0) + extra.get(r, 0) + q <= cap.get(r, 0) for r, q in requests
            )

        if not fits_with({}):
            return None
        victims: list[Pod] = []
        for p in sorted(lower, key=lambda p: (-p.priority, p.uid)):
            if p.deletion_ts is not None:
                continue  # already going: neither reprieved nor a new victim
            trial = dict(p.requests)
            trial["pods"] = 1
            if fits_with(trial):
                for r, q in trial.items():
                    req[r] = req.get(r, 0) + q
            else:
                victims.append(p)
        return victims

    # -- FailedScheduling ----------------------------------------------------------------
    def _why(self, pod: Pod, key: FitKey) -> str:
        """FailedScheduling's message: ``0/3 nodes are available: 3 Insufficient cpu.``"""
        reasons: dict[str, int] = {}
        live = [n for n in self.nodes if not n.removed]
        for node in live:
            why: str | None = None
            if not node.ready:
                why = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
            elif node.cordoned:
                why = "node(s) were unschedulable"
            elif key[1] and any(node.labels.get(k) != v for k, v in key[1]):
                why = "node(s) didn't match Pod's node affinity/selector"
            else:
                for t_key, t_value, effect in node.taints:
                    if effect in ("NoSchedule", "NoExecute") and not tolerates(
                        key[2], t_key, t_value, effect
                    ):
                        why = f"node(s) had untolerated taint {{{t_key}: {t_value}}}"
                        break
            if why is None:
                if node.requested.get("pods", 0) + 1 > node.capacity.get("pods", 0):
                    why = "Too many pods"
                else:
                    for r, q in sorted(pod.requests.items()):
                        if q and node.requested.get(r, 0) + q > node.capacity.get(r, 0):
                            why = f"Insufficient {r}"
                            break
            if why is not None:
                reasons[why] = reasons.get(why, 0) + 1
        parts = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
        return f"0/{len(live)} nodes are available: {parts}."
