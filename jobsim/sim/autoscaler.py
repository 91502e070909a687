"""Cluster autoscaler, in outline, for pools with ``autoscaling``.

Scale-up: when a pod fits no node, and an empty node of an autoscaled pool would take it (its
labels, taints and capacity), the pod is first fitted into nodes already being provisioned;
failing that a new node is provisioned (if the pool is below ``max``) and joins after
``provisionDelay`` (a draw from the pool's stream). Scale-down: a node of such a pool that
stays empty for ``scaleDownUnneeded`` is removed, down to ``min``. New nodes are named
``<pool>-<n>``, continuing the pool's numbering. This is the ideal autoscaler: decisions at the
instant a pod becomes unschedulable.

With ``cluster.autoscaler`` it is cluster-autoscaler's loop instead (``ScanLoop``): every
``scanInterval`` (``--scan-interval``, 10 s) ``RunOnce`` looks at every pod still
unschedulable, fits what it can into nodes being provisioned, and scales up one pool (the
expander's choice; upstream's default expander is ``random``, here the first pool in scenario
order that can take a pod) by the binpacking estimate for all the remaining pods at once
(``estimator/binpacking_estimator.go``: pods in decreasing order of their score, the sum of
their cpu and memory shares of a node, each into the first new node with room, else a new node,
within ``max``). A node that has not joined ``maxNodeProvisionTime`` after the scale-up
(``--max-node-provision-time``, 15 min; its draw was longer) is given up. Scale-down: a node
whose utilisation (``utilization.Calculate``: the larger of its cpu and memory requests over
allocatable) stays below ``scaleDownUtilizationThreshold`` (0.5) for ``scaleDownUnneeded``
(``--scale-down-unneeded-time``, 10 min), and whose pods all fit on other nodes, is removed
(down to ``min``): an empty one at once, one busy node per loop drained through the Eviction API
(PodDisruptionBudgets respected), removed once empty.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from jobsim.policy.placement import PodNeeds, feasible, insufficient_resource, placeable
from jobsim.record import Recorder
from jobsim.scenario import NodePool
from jobsim.scenario.model import ClusterAutoscaler
from jobsim.sim.engine import Call, Clock, Prio
from jobsim.sim.jobs import stream
from jobsim.sim.objects import Node, Pod
from jobsim.sim.scheduler import Scheduler, fit_key

__all__ = ["Autoscaler"]


@dataclass
class _Pool:
    spec: NodePool
    capacity: dict[str, int]
    template: Node  # an empty node of the pool, for the filters
    nodes: list[Node] = field(default_factory=list)
    next_number: int = 0
    # free capacity of nodes being provisioned, as pods are fitted into them
    upcoming: list[dict[str, int]] = field(default_factory=list)
    rng: np.random.Generator | None = None  # the pool's stream, for provisioning times


class Autoscaler:
    """Adds and removes nodes of autoscaled pools."""

    def __init__(
        self,
        clock: Clock,
        recorder: Recorder,
        scheduler: Scheduler,
        new_node: Callable[[NodePool, int], Node],
        remove_node: Callable[[Node], None],
        work_left: Callable[[], bool],
        seed: int = 0,
        loop: ClusterAutoscaler | None = None,
        evict: Callable[[Pod], None] = lambda pod: None,
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.scheduler = scheduler
        self.new_node = new_node
        self.remove_node = remove_node
        self.work_left = work_left
        self.seed = seed
        self.pools: dict[str, _Pool] = {}
        self.loop = loop  # None: the ideal autoscaler
        self.evict = evict  # the Eviction API, for scale-down of a busy node
        self._pending: dict[int, Pod] = {}  # pods found unschedulable, by uid
        self._scan_call: Call | None = None
        self._unneeded: dict[str, float] = {}  # node -> since when it is unneeded
        self._draining: set[str] = set()  # busy nodes being scaled down

    def add_pool(self, spec: NodePool, capacity: dict[str, int], nodes: list[Node]) -> None:
        """Manage this pool (its initial nodes included)."""
        template = Node(
            "template",
            -1,
            spec.name,
            dict(capacity),
            spec.node_labels("template"),
            tuple((t.key, t.value, t.effect) for t in spec.taints),
        )
        pool = _Pool(spec, capacity, template, list(nodes), spec.count)
        pool.rng = stream(self.seed, "autoscaler", spec.name)
        self.pools[spec.name] = pool
        for node in nodes:
            self.maybe_idle(node)

    def _provision_time(self, pool: _Pool) -> float:
        a = pool.spec.autoscaling
        assert a is not None and pool.rng is not None
        return a.provisionDelay.sample(pool.rng)

    # -- scale up ------------------------------------------------------------------------
    def pod_unschedulable(self, pod: Pod) -> None:
        """Find or provision room for a pod that fits no node (the loop: at its next scan)."""
        if not self.pools:  # no autoscaled pool: nothing to find or provision
            return
        if self.loop is not None:
            key = fit_key(pod)
            if any(feasible(pool.template, key) for pool in self.pools.values()):
                self._pending[pod.uid] = pod  # no pool could ever take the others
                self._plan_scan()
            return
        key = fit_key(pod)
        need = dict(key.requests)
        need["pods"] = 1
        for pool in self.pools.values():
            a = pool.spec.autoscaling
            assert a is not None
            if not feasible(pool.template, key):
                continue
            for free in pool.upcoming:
                if all(free.get(r, 0) >= q for r, q in need.items()):
                    for r, q in need.items():
                        free[r] -= q
                    return
            if len(pool.nodes) + len(pool.upcoming) >= a.max:
                continue
            free = dict(pool.capacity)
            for r, q in need.items():
                free[r] = free.get(r, 0) - q
            pool.upcoming.append(free)
            took = self._provision_time(pool)
            self.clock.call(took, Prio.EXTERNAL, self._provisioned, pool, free)
            return

    def _provisioned(self, pool: _Pool, free: dict[str, int]) -> None:
        pool.upcoming.remove(free)
        node = self.new_node(pool.spec, pool.next_number)
        pool.next_number += 1
        pool.nodes.append(node)
        self.scheduler.add_node(node)
        self.maybe_idle(node)

    # -- scale down ----------------------------------------------------------------------
    def maybe_idle(self, node: Node) -> None:
        """A node of an autoscaled pool became empty: remove it if it stays so."""
        pool = self.pools.get(node.pool)
        if pool is None or node.pods or node.removed:
            return
        if self.loop is not None:
            if node.name in self._draining:  # scale-down of a busy node: now empty
                self._draining.discard(node.name)
                pool.nodes.remove(node)
                self.remove_node(node)
                return
            self._plan_scan()
            return
        if node.idle_call is not None:
            return
        a = pool.spec.autoscaling
        assert a is not None
        node.idle_call = self.clock.call(a.scaleDownUnneeded, Prio.EXTERNAL, self._idle, pool, node)

    def busy(self, node: Node) -> None:
        """A pod was bound to the node."""
        if node.idle_call is not None:
            node.idle_call.cancel()
            node.idle_call = None

    def _idle(self, pool: _Pool, node: Node) -> None:
        node.idle_call = None
        a = pool.spec.autoscaling
        assert a is not None
        if node.pods or node.removed or not self.work_left():
            return
        if len(pool.nodes) <= a.min:
            return
        pool.nodes.remove(node)
        self.remove_node(node)

    # -- cluster-autoscaler's loop (``cluster.autoscaler``) --------------------------------
    def _plan_scan(self) -> None:
        """The loop runs at every multiple of ``scanInterval``: plan the next one."""
        loop = self.loop
        if loop is None or self._scan_call is not None:
            return
        at = (math.floor(self.clock.now / loop.scanInterval) + 1) * loop.scanInterval
        self._scan_call = self.clock.call_at(at, Prio.EXTERNAL, self._scan)

    def _scan(self) -> None:
        """``RunOnce``: scale up for the unschedulable pods, then the scale-down pass."""
        self._scan_call = None
        pending = [
            p
            for p in self._pending.values()
            if p.node is None and p.deletion_ts is None and not p.terminal
        ]
        self._pending = {p.uid: p for p in pending}
        if pending:
            self._scale_up(pending)
        self._scale_down()
        if (self._pending and self._room()) or (self.work_left() and self._watching()):
            self._plan_scan()

    def _room(self) -> bool:
        """Whether a pool may still grow, or has nodes on the way."""
        for pool in self.pools.values():
            a = pool.spec.autoscaling
            assert a is not None
            if pool.upcoming or len(pool.nodes) < a.max:
                return True
        return False

    def _watching(self) -> bool:
        """Whether a pool has a node the scale-down pass could remove."""
        for pool in self.pools.values():
            a = pool.spec.autoscaling
            assert a is not None
            if len(pool.nodes) > a.min or pool.upcoming:
                return True
        return False

    def _scale_up(self, pending: list[Pod]) -> None:
        """Fit pods into nodes being provisioned, then scale one pool up by the binpacking
        estimate of what is left."""
        upcoming = {name: [dict(f) for f in pool.upcoming] for name, pool in self.pools.items()}
        used = {n.name: dict(n.requested) for n in self.scheduler.nodes if not n.removed}
        left: list[Pod] = []
        for pod in pending:
            key = fit_key(pod)
            need = dict(key.requests)
            need["pods"] = 1
            # filterOutSchedulable: a pod that fits a node as things stand needs no new node.
            placed = self._fit_existing(used, key)
            for name, pool in self.pools.items():
                if placed or not feasible(pool.template, key):
                    continue
                for free in upcoming[name]:
                    if all(free.get(r, 0) >= q for r, q in need.items()):
                        for r, q in need.items():
                            free[r] -= q
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                left.append(pod)
        for pool in self.pools.values():
            a = pool.spec.autoscaling
            assert a is not None
            room = a.max - len(pool.nodes) - len(pool.upcoming)
            nodes = self._estimate(pool, left, room)
            if nodes:
                for _ in range(nodes):
                    self._provision(pool)
                return

    def _fit_existing(self, used: dict[str, dict[str, int]], key: PodNeeds) -> bool:
        """Whether the pod fits a node of the cluster, counting the pods fitted before it."""
        for node in self.scheduler.nodes:
            taken = used.get(node.name)
            if taken is None or not placeable(node, key):
                continue
            if insufficient_resource(taken, node.capacity, key.requests) is None:
                for r, q in key.requests:
                    taken[r] = taken.get(r, 0) + q
                taken["pods"] = taken.get("pods", 0) + 1
                return True
        return False

    def _estimate(self, pool: _Pool, pods: list[Pod], limit: int) -> int:
        """``BinpackingNodeEstimator.Estimate``: how many new nodes of the pool the pods need
        (at most ``limit``), first fit in decreasing order of score."""
        cap = pool.capacity

        def score(pod: Pod) -> float:
            cpu, mem = cap.get("cpu", 0), cap.get("memory", 0)
            s = 0.0
            if cpu:
                s += pod.requests.get("cpu", 0) / cpu
            if mem:
                s += pod.requests.get("memory", 0) / mem
            return s

        fits = [p for p in pods if feasible(pool.template, fit_key(p))]
        fits.sort(key=score, reverse=True)  # stable: creation order among equal scores
        new: list[dict[str, int]] = []
        for pod in fits:
            requests = fit_key(pod).requests
            need = dict(requests)
            need["pods"] = 1
            for used in new:
                if insufficient_resource(used, cap, requests) is None:
                    break
            else:
                if len(new) >= limit:
                    continue
                used = {}
                new.append(used)
            for r, q in need.items():
                used[r] = used.get(r, 0) + q
        return len(new)

    def _provision(self, pool: _Pool) -> None:
        loop = self.loop
        assert loop is not None
        free = dict(pool.capacity)
        pool.upcoming.append(free)
        took = self._provision_time(pool)
        if took > loop.maxNodeProvisionTime:
            # Never registers: given up maxNodeProvisionTime after the scale-up.
            self.clock.call(loop.maxNodeProvisionTime, Prio.EXTERNAL, self._gave_up, pool, free)
            return
        self.clock.call(took, Prio.EXTERNAL, self._provisioned, pool, free)

    def _gave_up(self, pool: _Pool, free: dict[str, int]) -> None:
        pool.upcoming.remove(free)
        self._plan_scan()

    def _scale_down(self) -> None:
        """Track unneeded nodes; remove those unneeded for long enough (while work is left,
        as the ideal autoscaler does)."""
        loop = self.loop
        assert loop is not None
        if not self.work_left():
            return
        now = self.clock.now
        removable: list[tuple[_Pool, Node]] = []
        for pool in self.pools.values():
            a = pool.spec.autoscaling
            assert a is not None
            for node in pool.nodes:
                if node.removed or node.name in self._draining:
                    continue
                if not node.ready or self._utilization(node) >= loop.scaleDownUtilizationThreshold:
                    self._unneeded.pop(node.name, None)
                    continue
                since = self._unneeded.setdefault(node.name, now)
                if now - since >= a.scaleDownUnneeded:
                    removable.append((pool, node))
        busy_done = False
        for pool, node in removable:
            a = pool.spec.autoscaling
            assert a is not None
            if len(pool.nodes) - len(self._draining & {n.name for n in pool.nodes}) <= a.min:
                continue
            if not node.pods:
                self._unneeded.pop(node.name, None)
                pool.nodes.remove(node)
                self.remove_node(node)
                continue
            if busy_done or not self._movable(node):
                continue
            busy_done = True
            self._unneeded.pop(node.name, None)
            self._draining.add(node.name)
            self._cordon(node)
            for pod in sorted(node.pods.values(), key=lambda p: p.uid):
                self.evict(pod)

    def _cordon(self, node: Node) -> None:
        """The ``ToBeDeletedByClusterAutoscaler`` NoSchedule taint: no new pods."""
        node.taints += (("ToBeDeletedByClusterAutoscaler", "", "NoSchedule"),)
        self.recorder.node_tainted(
            self.clock.now, node.name, "ToBeDeletedByClusterAutoscaler:NoSchedule"
        )
        self.scheduler.node_changed(node)

    @staticmethod
    def _utilization(node: Node) -> float:
        """``utilization.Calculate``: the larger of the cpu and memory requests' shares."""
        shares = [
            node.requested.get(r, 0) / node.capacity[r]
            for r in ("cpu", "memory")
            if node.capacity.get(r, 0) > 0
        ]
        return max(shares, default=0.0)

    def _movable(self, node: Node) -> bool:
        """Every pod of the node fits on another node as things stand (first fit)."""
        others = [
            n
            for n in self.scheduler.nodes
            if n is not node and not n.removed and n.name not in self._draining
        ]
        extra: dict[str, dict[str, int]] = {}
        for pod in sorted(node.pods.values(), key=lambda p: p.uid):
            if pod.terminal or pod.deletion_ts is not None:
                continue
            key = fit_key(pod)
            for other in others:
                used = extra.setdefault(other.name, dict(other.requested))
                if placeable(other, key) and (
                    insufficient_resource(used, other.capacity, key.requests) is None
                ):
                    for r, q in key.requests:
                        used[r] = used.get(r, 0) + q
                    used["pods"] = used.get("pods", 0) + 1
                    break
            else:
                return False
        return True
