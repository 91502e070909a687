"""kube-scheduler, in outline: filter nodes, score them LeastAllocated, bind.

Pending pods wait in FIFO order of creation. Pods with the same scheduling needs (requests,
nodeSelector, tolerations) form one *shape*: a pod never overtakes an earlier pod of its shape,
and when capacity frees on one node only that node is tried for the waiting shapes, so placing
a pod never scans every node and a freed node never scans every pending pod.

Upstream: ``pkg/scheduler/framework/plugins/noderesources`` (``LeastAllocated`` scores
``(capacity - requested) * 100 / capacity`` averaged over cpu and memory, using non-zero
defaults of 100m cpu and 200Mi memory for pods that request nothing:
``schedutil.GetNonzeroRequests``). Ties between equal scores go to the first node in scenario
order, where kube-scheduler picks at random.
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

TolerationKey = tuple[
    str | None, str | None, str | None, str | None
]  # key, operator, value, effect
Shape = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...], tuple[TolerationKey, ...]]


def least_allocated_score(node: Node) -> int:
    """The node's LeastAllocated score (0-100) from its non-zero requests."""
    cap_cpu = node.capacity.get("cpu", 0)
    cap_mem = node.capacity.get("memory", 0)
    s_cpu = (cap_cpu - node.score_cpu) * 100 // cap_cpu if cap_cpu else 0
    s_mem = (cap_mem - node.score_mem) * 100 // cap_mem if cap_mem else 0
    return (max(s_cpu, 0) + max(s_mem, 0)) // 2


class Scheduler:
    """Binds pending pods to nodes."""

    def __init__(
        self,
        clock: Clock,
        nodes: list[Node],
        recorder: Recorder,
        delay: float,
        bind: Callable[[Pod, Node], None],
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.delay = delay
        self._bind_cb = bind
        self.nodes = nodes
        self._order: SortedList = SortedList()  # (-score, seq, node)
        self._key: dict[int, tuple[int, int]] = {}
        for n in nodes:
            self._index(n)
        self._waiting: dict[Shape, deque[Pod]] = {}

    # -- node index ----------------------------------------------------------------------
    def _index(self, node: Node) -> None:
        key = (-least_allocated_score(node), node.seq)
        old = self._key.get(node.seq)
        if old == key:
            return
        if old is not None:
            self._order.remove((*old, node.seq))
        self._key[node.seq] = key
        self._order.add((*key, node.seq))

    def _schedulable(self, node: Node, pod: Pod, shape: Shape) -> bool:
        if not node.ready:
            return False
        selector = shape[1]
        if selector and any(node.labels.get(k) != v for k, v in selector):
            return False
        for key, value, effect in node.taints:
            if effect in ("NoSchedule", "NoExecute") and not _tolerates(
                shape[2], key, value, effect
            ):
                return False
        return node.fits(pod.requests)

    # -- pods ----------------------------------------------------------------------------
    def add(self, pod: Pod) -> None:
        """A new pod: try to place it after the scheduling latency."""
        self.clock.call(self.delay, Prio.SCHEDULER, self._schedule, pod)

    def _schedule(self, pod: Pod) -> None:
        if pod.deletion_ts is not None or pod.node is not None:
            return
        shape = _shape(pod)
        queue = self._waiting.get(shape)
        if queue:
            queue.append(pod)
            return
        for _, seq, _s in self._order:
            node = self.nodes[seq]
            if self._schedulable(node, pod, shape):
                self._bind(pod, node)
                return
        self._waiting.setdefault(shape, deque()).append(pod)
        self.recorder.pod_unschedulable(self.clock.now, pod.name, self._why(pod, shape))

    def _bind(self, pod: Pod, node: Node) -> None:
        req = node.requested
        for r, q in pod.requests.items():
            req[r] = req.get(r, 0) + q
        req["pods"] = req.get("pods", 0) + 1
        node.score_cpu += pod.requests.get("cpu") or DEFAULT_MILLI_CPU_REQUEST
        node.score_mem += pod.requests.get("memory") or DEFAULT_MEMORY_REQUEST
        node.pods[pod.uid] = pod
        pod.node = node
        self._index(node)
        self.recorder.pod_scheduled(self.clock.now, pod.name, node.name)
        self._bind_cb(pod, node)

    def release(self, pod: Pod) -> None:
        """A bound pod stopped using its node (terminal or gone): free it, retry waiters."""
        node = pod.node
        if node is None or pod.uid not in node.pods:
            return
        del node.pods[pod.uid]
        req = node.requested
        for r, q in pod.requests.items():
            req[r] -= q
        req["pods"] -= 1
        node.score_cpu -= pod.requests.get("cpu") or DEFAULT_MILLI_CPU_REQUEST
        node.score_mem -= pod.requests.get("memory") or DEFAULT_MEMORY_REQUEST
        self._index(node)
        self.node_changed(node)

    def forget(self, pod: Pod) -> None:
        """A pending pod was deleted: stop waiting for it."""
        if pod.node is not None:
            return
        queue = self._waiting.get(_shape(pod))
        if queue and pod in queue:
            queue.remove(pod)

    def node_changed(self, node: Node) -> None:
        """Capacity or health of ``node`` changed: place waiting pods there, oldest first."""
        while self._waiting:
            best: tuple[int, Shape] | None = None
            for shape, queue in list(self._waiting.items()):
                while queue and (queue[0].deletion_ts is not None or queue[0].node is not None):
                    queue.popleft()
                if not queue:
                    del self._waiting[shape]
                    continue
                head = queue[0]
                if (best is None or head.uid < best[0]) and self._schedulable(node, head, shape):
                    best = (head.uid, shape)
            if best is None:
                return
            self._bind(self._waiting[best[1]].popleft(), node)
            if not self._waiting[best[1]]:
                del self._waiting[best[1]]

    def _why(self, pod: Pod, shape: Shape) -> str:
        """FailedScheduling's message: ``0/3 nodes are available: 3 Insufficient cpu.``"""
        reasons: dict[str, int] = {}
        for node in self.nodes:
            why: str | None = None
            if not node.ready:
                why = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
            elif shape[1] and any(node.labels.get(k) != v for k, v in shape[1]):
                why = "node(s) didn't match Pod's node affinity/selector"
            else:
                for key, value, effect in node.taints:
                    if effect in ("NoSchedule", "NoExecute") and not _tolerates(
                        shape[2], key, value, effect
                    ):
                        why = f"node(s) had untolerated taint {{{key}: {value}}}"
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
        return f"0/{len(self.nodes)} nodes are available: {parts}."


def _shape(pod: Pod) -> Shape:
    spec = pod.job.template_spec
    selector = tuple(sorted((spec.nodeSelector or {}).items()))
    tolerations = tuple((t.key, t.operator, t.value, t.effect) for t in (spec.tolerations or []))
    return (tuple(sorted(pod.requests.items())), selector, tolerations)


def _tolerates(tolerations: tuple[TolerationKey, ...], key: str, value: str, effect: str) -> bool:
    """``ToleratesTaint`` (core/v1 helper): key/operator/value/effect match."""
    for tol in tolerations:
        t_key, t_op, t_value, t_effect = tol
        if t_effect and t_effect != effect:
            continue
        if t_key and t_key != key:
            continue
        if t_op == "Exists":
            return True
        if not t_key:
            continue
        if (t_value or "") == value:
            return True
    return False
