"""Cluster autoscaler, in outline, for pools with ``autoscaling``.

Scale-up: when a pod fits no node, and an empty node of an autoscaled pool would take it (its
labels, taints and capacity), the pod is first fitted into nodes already being provisioned;
failing that a new node is provisioned (if the pool is below ``max``) and joins after
``provisionDelay``. Scale-down: a node of such a pool that stays empty for
``scaleDownUnneeded`` is removed, down to ``min``. New nodes are named ``<pool>-<n>``,
continuing the pool's numbering. Upstream cluster-autoscaler simulates scheduling on node
templates in a 10 s loop; here decisions happen at the instant a pod becomes unschedulable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jobsim.policy.placement import feasible
from jobsim.record import Recorder
from jobsim.scenario import NodePool
from jobsim.sim.engine import Clock, Prio
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
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.scheduler = scheduler
        self.new_node = new_node
        self.remove_node = remove_node
        self.work_left = work_left
        self.pools: dict[str, _Pool] = {}

    def add_pool(self, spec: NodePool, capacity: dict[str, int], nodes: list[Node]) -> None:
        """Manage this pool (its initial nodes included)."""
        template = Node(
            "template",
            -1,
            spec.name,
            dict(capacity),
            spec.node_labels("template"),
            [(t.key, t.value, t.effect) for t in spec.taints],
        )
        pool = _Pool(spec, capacity, template, list(nodes), spec.count)
        self.pools[spec.name] = pool
        for node in nodes:
            self.maybe_idle(node)

    # -- scale up ------------------------------------------------------------------------
    def pod_unschedulable(self, pod: Pod) -> None:
        """Find or provision room for a pod that fits no node."""
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
            self.clock.call(a.provisionDelay, Prio.EXTERNAL, self._provisioned, pool, free)
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
        if pool is None or node.pods or node.removed or node.idle_call is not None:
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
