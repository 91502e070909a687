"""Node lifecycle and taint eviction: what happens to pods when a node stops reporting.

Upstream: the node lifecycle controller (``--node-monitor-grace-period`` 50 s; on expiry the node
turns ``Ready=Unknown``, ``MarkPodsNotReady`` sets each pod's ``Ready=False`` and the node gets
``node.kubernetes.io/unreachable`` NoExecute/NoSchedule taints) and
``pkg/controller/tainteviction/taint_eviction.go`` (a pod tolerating the taint for
``tolerationSeconds`` — 300 s added by the DefaultTolerationSeconds admission plugin — is given
``DisruptionTarget=True`` reason ``DeletionByTaintManager`` and deleted gracefully when the
toleration expires; a toleration without ``tolerationSeconds`` is never evicted).
"""

from __future__ import annotations

from collections.abc import Callable

from jobsim.record import Recorder
from jobsim.scenario import Timing
from jobsim.sim.engine import Call, Clock, Prio
from jobsim.sim.kubelet import Kubelets
from jobsim.sim.objects import Node, Pod
from jobsim.sim.scheduler import Scheduler

UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
TAINT_MANAGER_REASON = "DeletionByTaintManager"
TAINT_MANAGER_MESSAGE = "Taint manager: deleting due to NoExecute taint"


class NodeLifecycle:
    """Heartbeats, NotReady, taints and taint-based eviction."""

    def __init__(
        self,
        clock: Clock,
        timing: Timing,
        recorder: Recorder,
        kubelets: Kubelets,
        scheduler: Scheduler,
        delete_pod: Callable[[Pod, str, str], None],
        pod_updated: Callable[[Pod], None],
    ) -> None:
        self.clock = clock
        self.timing = timing
        self.recorder = recorder
        self.kubelets = kubelets
        self.scheduler = scheduler
        self.delete_pod = delete_pod
        self.pod_updated = pod_updated
        self._evictions: dict[int, Call] = {}

    def node_down(self, node: Node) -> None:
        """The node's kubelet stops reporting."""
        if not node.reachable:
            return
        node.reachable = False
        self.recorder.node_down(self.clock.now, node.name)
        node.not_ready_call = self.clock.call(
            self.timing.nodeMonitorGracePeriod, Prio.NODE, self._not_ready, node
        )

    def _not_ready(self, node: Node) -> None:
        now = self.clock.now
        node.not_ready_call = None
        node.ready = False
        self.recorder.node_not_ready(now, node.name)
        self.recorder.node_tainted(now, node.name, f"{UNREACHABLE_TAINT}:NoExecute")
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if pod.terminal:
                continue
            if pod.ready or pod.ready_false_at is None:
                pod.ready = False
                pod.ready_false_at = now
                self.recorder.pod_condition(
                    now, pod.name, "Ready", "False", "NodeNotReady", "node is not ready"
                )
                self.pod_updated(pod)
            if pod.deletion_ts is None:
                self._plan_eviction(pod)

    def _plan_eviction(self, pod: Pod) -> None:
        seconds = self._toleration_seconds(pod)
        if seconds is None:
            return
        self._evictions[pod.uid] = self.clock.call(max(seconds, 0.0), Prio.NODE, self._evict, pod)

    def _toleration_seconds(self, pod: Pod) -> float | None:
        """``getMinTolerationTime`` over the pod's tolerations of the unreachable taint."""
        tolerations = [
            t
            for t in (pod.job.template_spec.tolerations or [])
            if (t.effect in (None, "", "NoExecute"))
            and ((t.key == UNREACHABLE_TAINT) or (not t.key and t.operator == "Exists"))
        ]
        if not tolerations:
            return self.timing.defaultTolerationSeconds
        times = [t.tolerationSeconds for t in tolerations if t.tolerationSeconds is not None]
        if len(times) < len(tolerations) and not times:
            return None
        return float(min(times)) if times else None

    def _evict(self, pod: Pod) -> None:
        self._evictions.pop(pod.uid, None)
        node = pod.node
        if node is None or node.ready or pod.terminal or pod.deletion_ts is not None:
            return
        now = self.clock.now
        pod.conditions["DisruptionTarget"] = (
            "True",
            TAINT_MANAGER_REASON,
            TAINT_MANAGER_MESSAGE,
            now,
        )
        self.recorder.pod_condition(
            now, pod.name, "DisruptionTarget", "True", TAINT_MANAGER_REASON, TAINT_MANAGER_MESSAGE
        )
        self.delete_pod(pod, TAINT_MANAGER_REASON, "taint eviction")

    def node_up(self, node: Node) -> None:
        """The node reports again: untaint it, cancel evictions, let the kubelet catch up."""
        if node.reachable:
            return
        node.reachable = True
        self.recorder.node_up(self.clock.now, node.name)
        if node.not_ready_call is not None:
            node.not_ready_call.cancel()
            node.not_ready_call = None
        for pod in node.pods.values():
            call = self._evictions.pop(pod.uid, None)
            if call is not None:
                call.cancel()
        self.kubelets.node_reachable(node)
        if not node.ready:
            node.ready = True
            self.scheduler.node_changed(node)
