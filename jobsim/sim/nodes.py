"""Node lifecycle: heartbeats lost, NotReady, taint eviction, drain, removal, PodGC, failures.

Upstream:
- node lifecycle controller: no heartbeat for ``--node-monitor-grace-period`` (50 s) ⇒ node
  ``Ready=Unknown``, its pods ``Ready=False`` (``MarkPodsNotReady``), taint
  ``node.kubernetes.io/unreachable`` NoExecute (and NoSchedule);
- ``pkg/controller/tainteviction/taint_eviction.go``: a pod not tolerating a NoExecute taint is
  deleted now; one tolerating it for ``tolerationSeconds`` (300 s added by the
  DefaultTolerationSeconds admission plugin when the pod has none) when that expires; without
  ``tolerationSeconds`` never. Before the DELETE: ``DisruptionTarget=True``,
  ``DeletionByTaintManager``;
- ``kubectl drain``: cordon, then the Eviction API (``DisruptionTarget`` ``EvictionByEvictionAPI``,
  graceful DELETE); an eviction a PodDisruptionBudget refuses (429) is tried again 5 s later
  (``staging/src/k8s.io/kubectl/pkg/drain/drain.go`` ``evictPods``), any other refusal ends
  drain's attempts for that pod;
- with ``cluster.nodeLifecycle``, the NoExecute taint of NotReady nodes is rate limited per
  zone (``zoneNoExecuteTainter``, a token bucket of burst 1) at a rate set by the zone's state
  (``handleDisruption``, ``setLimiterInZone``, ``ComputeZoneState``); see ``ZoneTainter``;
- ``pkg/controller/podgc/gc_controller.go`` (every 20 s): pods bound to a deleted Node are
  marked Failed with ``DisruptionTarget`` ``DeletionByPodGC`` and force-deleted; terminating
  pods on a NotReady node with the ``node.kubernetes.io/out-of-service`` taint are marked
  Failed and force-deleted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from jobsim.distributions import Distribution
from jobsim.k8s.conditions import READY
from jobsim.policy.placement import UNREACHABLE_TAINT, tolerates, toleration
from jobsim.record import Recorder
from jobsim.scenario import Timing
from jobsim.scenario.model import NodeLifecycle as NodeLifecycleConfig
from jobsim.sim.disruption import Budgets
from jobsim.sim.engine import Call, Clock, Prio
from jobsim.sim.jobs import set_ready
from jobsim.sim.kubelet import Kubelets
from jobsim.sim.objects import Node, Pod
from jobsim.sim.scheduler import Scheduler

__all__ = ["DRAIN_RETRY", "NodeFailures", "NodeLifecycle", "ZoneTainter", "zone_key", "zone_state"]

OUT_OF_SERVICE_TAINT: Final = "node.kubernetes.io/out-of-service"
TAINT_MANAGER_REASON: Final = "DeletionByTaintManager"
TAINT_MANAGER_MESSAGE: Final = "Taint manager: deleting due to NoExecute taint"
EVICTION_REASON: Final = "EvictionByEvictionAPI"
EVICTION_MESSAGE: Final = "Eviction API: evicting"
PODGC_REASON: Final = "DeletionByPodGC"
PODGC_MESSAGE: Final = "PodGC: node no longer exists"

DRAIN_RETRY: Final = 5.0
"""``kubectl drain`` waits 5 s before trying again an eviction refused with 429."""

NORMAL: Final = "Normal"
PARTIAL: Final = "PartialDisruption"
FULL: Final = "FullDisruption"
INITIAL: Final = "Initial"

Disrupt = Callable[[Pod, str, str], None]  # (pod, reason, message): DisruptionTarget + DELETE


def zone_key(labels: dict[str, str]) -> str:
    """``nodetopology.GetZoneKey``: region and zone joined by ``":\x00:"`` ("" without)."""
    region = labels.get("topology.kubernetes.io/region", "")
    zone = labels.get("topology.kubernetes.io/zone", "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def zone_state(ready: int, not_ready: int, threshold: float) -> str:
    """``ComputeZoneState``: no Ready node ⇒ FullDisruption; more than 2 NotReady nodes and
    at least ``threshold`` of the zone NotReady ⇒ PartialDisruption; else Normal."""
    if ready == 0 and not_ready > 0:
        return FULL
    if not_ready > 2 and not_ready / (not_ready + ready) >= threshold:
        return PARTIAL
    return NORMAL


@dataclass
class _Zone:
    state: str = INITIAL
    qps: float = 0.0
    token_at: float = -math.inf  # when the bucket (burst 1) holds its token; inf: never
    queue: list[Node] = field(default_factory=list)
    call: Call | None = None


class ZoneTainter:
    """``zoneNoExecuteTainter``: per zone, a queue of NotReady nodes that get the NoExecute
    taint through a token bucket of burst 1 (``EvictionRateLimiterBurst``), its rate set by
    the zone's state (``setLimiterInZone``): Normal and FullDisruption
    ``nodeEvictionRate`` (``HealthyQPSFunc``); PartialDisruption
    ``secondaryNodeEvictionRate`` in a zone of more than ``largeClusterSizeThreshold`` nodes,
    else 0 (``ReducedQPSFunc``); every zone FullDisruption: 0 everywhere and every node's taint
    removed (master disruption mode). A new rate keeps the bucket's token if the old one had
    it, else waits a full period (``SwapLimiter``). Zone states are computed whenever a node's
    readiness changes (upstream every ``--node-monitor-period``, 5 s) and the queue is served
    the instant a token is there (upstream every 100 ms, ``nodeEvictionPeriod``)."""

    def __init__(
        self,
        clock: Clock,
        config: NodeLifecycleConfig,
        nodes: list[Node],
        taint: Callable[[Node], None],
        untaint: Callable[[Node], None],
    ) -> None:
        self.clock = clock
        self.config = config
        self.nodes = nodes
        self.taint = taint
        self.untaint = untaint
        self.zones: dict[str, _Zone] = {}

    def _zone(self, key: str) -> _Zone:
        zone = self.zones.get(key)
        if zone is None:  # addPodEvictorForNewZone: a full bucket at the normal rate
            zone = self.zones[key] = _Zone(qps=self.config.nodeEvictionRate)
            if zone.qps <= 0:
                zone.token_at = math.inf
        return zone

    def add(self, node: Node) -> None:
        """``markNodeForTainting``: queue a NotReady node (once)."""
        zone = self._zone(zone_key(node.labels))
        if node not in zone.queue:
            zone.queue.append(node)
        self.handle_disruption()
        self._serve(zone)

    def remove(self, node: Node) -> None:
        """The node is Ready again or deleted: out of its queue."""
        zone = self._zone(zone_key(node.labels))
        if node in zone.queue:
            zone.queue.remove(node)
        self.handle_disruption()

    def handle_disruption(self) -> None:
        """``handleDisruption``: each zone's state, and its limiter when it changed."""
        counts: dict[str, list[int]] = {}
        for node in self.nodes:
            if node.removed:
                continue
            c = counts.setdefault(zone_key(node.labels), [0, 0])
            c[0 if node.ready else 1] += 1
        threshold = self.config.unhealthyZoneThreshold
        new = {k: zone_state(r, n, threshold) for k, (r, n) in counts.items()}
        for k in new:
            self._zone(k)
        all_full = bool(new) and all(v == FULL for v in new.values())
        all_was = all(self.zones[k].state == FULL for k in new)
        if all_full and all_was:
            return
        if all_full:  # master disruption mode: no evictions anywhere, every taint removed
            for node in self.nodes:
                if not node.removed:
                    self.untaint(node)
                    queue = self._zone(zone_key(node.labels)).queue
                    if not node.ready and node not in queue:
                        queue.append(node)  # the next pass queues it again, still NotReady
            for k in new:
                self._swap(k, 0.0)
                self.zones[k].state = FULL
            return
        for k, state in new.items():
            zone = self.zones[k]
            if all_was or zone.state != state:
                self._swap(k, self._rate(state, sum(counts[k])))
                zone.state = state

    def _rate(self, state: str, size: int) -> float:
        if state == PARTIAL:
            if size > self.config.largeClusterSizeThreshold:
                return self.config.secondaryNodeEvictionRate
            return 0.0
        return self.config.nodeEvictionRate

    def _swap(self, key: str, qps: float) -> None:
        """``SwapLimiter``."""
        zone = self.zones[key]
        if zone.qps == qps:
            return
        now = self.clock.now
        if qps <= 0:
            zone.token_at = math.inf
        else:
            zone.token_at = now if zone.token_at <= now else now + 1.0 / qps
        zone.qps = qps
        self._serve(zone)

    def _serve(self, zone: _Zone) -> None:
        """``doNoExecuteTaintingPass``: taint queued nodes while the bucket has a token."""
        now = self.clock.now
        if zone.call is not None:
            zone.call.cancel()
            zone.call = None
        while zone.queue and zone.token_at <= now:
            node = zone.queue.pop(0)
            zone.token_at = now + 1.0 / zone.qps
            self.taint(node)
        if zone.queue and zone.token_at < math.inf:
            zone.call = self.clock.call_at(zone.token_at, Prio.NODE, self._serve, zone)


class NodeLifecycle:
    """Heartbeats, NotReady, taints, taint eviction, drain, removal and PodGC."""

    def __init__(
        self,
        clock: Clock,
        timing: Timing,
        recorder: Recorder,
        kubelets: Kubelets,
        scheduler: Scheduler,
        disrupt: Disrupt,
        pod_updated: Callable[[Pod], None],
        force_fail: Callable[[Pod, tuple[str, str] | None], None],
        budgets: Budgets,
        config: NodeLifecycleConfig | None = None,
    ) -> None:
        self.clock = clock
        self.timing = timing
        self.recorder = recorder
        self.kubelets = kubelets
        self.scheduler = scheduler
        self.disrupt = disrupt
        self.pod_updated = pod_updated
        self.force_fail = force_fail
        self.budgets = budgets
        self._evictions: dict[int, Call] = {}
        self._gc_at: float | None = None
        self._tainted: set[str] = set()  # nodes with the unreachable NoExecute taint
        self.tainter = (
            None
            if config is None
            else ZoneTainter(clock, config, scheduler.nodes, self._taint, self._untaint)
        )

    # -- heartbeats ----------------------------------------------------------------------
    def node_down(self, node: Node) -> None:
        """The node's kubelet stops reporting."""
        if not node.reachable or node.removed:
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
        if self.tainter is None:
            self.recorder.node_tainted(now, node.name, f"{UNREACHABLE_TAINT}:NoExecute")
            self._tainted.add(node.name)
        else:
            self.tainter.add(node)  # tainted now if its zone's bucket has a token
        self.scheduler.node_changed(node)
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if pod.terminal:
                continue
            if pod.ready or pod.ready_false_at is None:
                set_ready(pod, False)
                pod.ready_false_at = now
                self.recorder.pod_condition(
                    now, pod.name, READY, "False", "NodeNotReady", "node is not ready"
                )
                self.pod_updated(pod)
            if pod.deletion_ts is None and self.tainter is None:
                self._plan_eviction(pod, UNREACHABLE_TAINT)
        if node.out_of_service:
            self._plan_gc()  # gcTerminating now finds the node not ready

    def _taint(self, node: Node) -> None:
        """The rate limiter let the node have its ``unreachable`` NoExecute taint: the taint
        manager plans each pod's eviction."""
        if node.ready or node.removed or node.name in self._tainted:
            return
        self._tainted.add(node.name)
        self.recorder.node_tainted(self.clock.now, node.name, f"{UNREACHABLE_TAINT}:NoExecute")
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if not pod.terminal and pod.deletion_ts is None:
                self._plan_eviction(pod, UNREACHABLE_TAINT)

    def _untaint(self, node: Node) -> None:
        """``markNodeAsReachable``: the taint is removed, its pods' evictions cancelled."""
        self._tainted.discard(node.name)
        for pod in node.pods.values():
            call = self._evictions.pop(pod.uid, None)
            if call is not None:
                call.cancel()

    def node_up(self, node: Node) -> None:
        """The node reports again: untaint it, cancel evictions, let the kubelet catch up."""
        if node.reachable or node.removed:
            return
        node.reachable = True
        self.recorder.node_up(self.clock.now, node.name)
        if node.not_ready_call is not None:
            node.not_ready_call.cancel()
            node.not_ready_call = None
        self._untaint(node)
        self.kubelets.node_reachable(node)
        if not node.ready:
            node.ready = True
            self.scheduler.node_changed(node)
            if self.tainter is not None:
                self.tainter.remove(node)

    # -- taint eviction ------------------------------------------------------------------
    def _plan_eviction(self, pod: Pod, taint: str) -> None:
        seconds = self._toleration_seconds(pod, taint)
        if seconds is None:
            return
        self._evictions[pod.uid] = self.clock.call(max(seconds, 0.0), Prio.NODE, self._evict, pod)

    def _toleration_seconds(self, pod: Pod, taint: str) -> float | None:
        """``getMinTolerationTime`` over the tolerations of ``taint``:NoExecute; None: never.

        DefaultTolerationSeconds adds a 300 s toleration of the unreachable and not-ready
        taints to pods that have none of their own.
        """
        used = [
            t
            for t in pod.job.template_spec.tolerations or []
            if tolerates((toleration(t),), taint, "", "NoExecute")
        ]
        if not used:
            if taint == UNREACHABLE_TAINT:
                return self.timing.defaultTolerationSeconds
            return 0.0  # not tolerated: evicted now
        seconds = [t.tolerationSeconds for t in used if t.tolerationSeconds is not None]
        if not seconds:
            return None
        return float(max(min(seconds), 0))

    def _evict(self, pod: Pod) -> None:
        self._evictions.pop(pod.uid, None)
        node = pod.node
        if node is None or pod.terminal or pod.deletion_ts is not None:
            return
        if node.ready and not node.out_of_service:
            return
        self.disrupt(pod, TAINT_MANAGER_REASON, TAINT_MANAGER_MESSAGE)

    # -- kubectl drain / uncordon --------------------------------------------------------
    def drain(self, node: Node) -> None:
        """``kubectl drain``: cordon, then evict every pod through the Eviction API."""
        self.cordon(node)
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if not pod.terminal and pod.deletion_ts is None:
                self.evict(pod)

    def evict(self, pod: Pod) -> None:
        """One eviction of ``kubectl drain``'s loop: refused with 429 while a
        PodDisruptionBudget forbids it, and tried again ``DRAIN_RETRY`` later; given up on any
        other refusal; done when the pod is gone or already being deleted."""
        if pod.terminal or pod.deletion_ts is not None:
            return
        refusal = self.budgets.check(pod)
        if refusal is None:
            self.disrupt(pod, EVICTION_REASON, EVICTION_MESSAGE)
            return
        now = self.clock.now
        self.recorder.eviction_refused(now, pod.name, refusal.code, refusal.budget, refusal.message)
        if refusal.code == 429:
            self.clock.call(DRAIN_RETRY, Prio.EXTERNAL, self.evict, pod)

    def cordon(self, node: Node) -> None:
        """``spec.unschedulable = true``."""
        if not node.cordoned:
            node.cordoned = True
            self.recorder.node_cordoned(self.clock.now, node.name, True)
            self.scheduler.node_changed(node)

    def uncordon(self, node: Node) -> None:
        """``kubectl uncordon``."""
        if node.cordoned:
            node.cordoned = False
            self.recorder.node_cordoned(self.clock.now, node.name, False)
            self.scheduler.node_changed(node)

    # -- removal, out-of-service, PodGC --------------------------------------------------
    def node_remove(self, node: Node) -> None:
        """The Node object is deleted (the machine is gone for good)."""
        if node.removed:
            return
        node.removed = True
        node.reachable = False
        if node.not_ready_call is not None:
            node.not_ready_call.cancel()
            node.not_ready_call = None
        self._untaint(node)
        self.recorder.node_removed(self.clock.now, node.name)
        self.scheduler.node_changed(node)
        if self.tainter is not None:
            self.tainter.remove(node)
        self._plan_gc()

    def node_out_of_service(self, node: Node) -> None:
        """The ``node.kubernetes.io/out-of-service`` NoExecute taint is added."""
        if node.out_of_service or node.removed:
            return
        node.out_of_service = True
        node.taints += ((OUT_OF_SERVICE_TAINT, "nodeshutdown", "NoExecute"),)
        self.recorder.node_tainted(self.clock.now, node.name, f"{OUT_OF_SERVICE_TAINT}:NoExecute")
        self.scheduler.node_changed(node)
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if not pod.terminal and pod.deletion_ts is None:
                self._plan_eviction(pod, OUT_OF_SERVICE_TAINT)
        self._plan_gc()

    def _plan_gc(self) -> None:
        """PodGC runs every ``podGCPeriod`` from the start; plan its next run."""
        period = self.timing.podGCPeriod
        now = self.clock.now
        at = math.ceil(now / period) * period if period > 0 else now
        if self._gc_at is not None and self._gc_at <= at and self._gc_at >= now:
            return
        self._gc_at = at
        self.clock.call_at(at, Prio.NODE, self._gc)

    def _gc(self) -> None:
        """``gcTerminating`` then ``gcOrphaned``; PodGC runs on every ``podGCPeriod``, so the
        next pass is planned while an out-of-service node still holds live pods (one deleted
        later, or a node not yet NotReady, is collected then)."""
        self._gc_at = None
        again = False
        for node in self.scheduler.nodes:
            if node.out_of_service and not node.removed:
                for pod in sorted(node.pods.values(), key=lambda p: p.uid):
                    if pod.terminal:
                        continue
                    if pod.deletion_ts is not None and not node.ready:
                        self.force_fail(pod, None)
                    else:
                        again = True
        for node in self.scheduler.nodes:
            if node.removed:
                for pod in sorted(node.pods.values(), key=lambda p: p.uid):
                    if not pod.terminal:
                        self.force_fail(pod, (PODGC_REASON, PODGC_MESSAGE))
        if again and self.timing.podGCPeriod > 0:
            self.clock.call(self.timing.podGCPeriod, Prio.NODE, self._plan_gc)


class NodeFailures:
    """Random failures of one node: down after a draw of ``mtbf``, back after one of ``mttr``,
    from the node's own random stream, for as long as any Job has work left."""

    def __init__(
        self,
        clock: Clock,
        lifecycle: NodeLifecycle,
        node: Node,
        mtbf: Distribution,
        mttr: Distribution,
        rng: object,
        work_left: Callable[[], bool],
    ) -> None:
        self.clock = clock
        self.lifecycle = lifecycle
        self.node = node
        self.mtbf = mtbf
        self.mttr = mttr
        self.rng = rng
        self.work_left = work_left
        self._next_failure()

    def _next_failure(self) -> None:
        self.clock.call(self.mtbf.sample(self.rng), Prio.EXTERNAL, self._fail)  # type: ignore[arg-type]

    def _fail(self) -> None:
        if not self.work_left() or self.node.removed:
            return
        self.lifecycle.node_down(self.node)
        self.clock.call(self.mttr.sample(self.rng), Prio.EXTERNAL, self._repair)  # type: ignore[arg-type]

    def _repair(self) -> None:
        self.lifecycle.node_up(self.node)
        self._next_failure()
