"""kube-scheduler's scheduling queue and its one-pod-at-a-time cycle (``cluster.scheduler``).

After upstream ``pkg/scheduler/backend/queue/scheduling_queue.go`` (``PriorityQueue``) and
``pkg/scheduler/schedule_one.go`` (``scheduleOne``):

- *activeQ*: pods to try, highest priority first, then by the time they were queued
  (``PrioritySort``). The scheduler pops one, spends ``schedulingCycle`` on it, and binds it to
  the node it chose once its client's token bucket (``clientQPS``/``clientBurst``) lets the
  binding go; then it pops the next.
- a pod that fits nowhere goes to the *unschedulable pods*, having counted one more attempt
  and recorded the Filter plugins that rejected it (``UnschedulablePlugins``); if a cluster
  event that one of those plugins' QueueingHints accepts came while it was being tried
  (``determineSchedulingHintForInFlightPod``), to the *backoffQ* instead. A binding that fails
  (its node gone) records no plugin, and goes to backoffQ directly.
- a cluster event (``MoveAllToActiveOrBackoffQueue``) moves the unschedulable pods that the
  hint of one of their rejecting plugins accepts (``isPodWorthRequeuing``; a pod with no
  rejecting plugin, tried with no node at all, moves on every event): to activeQ when their
  backoff is over, else to backoffQ until it is (``podInitialBackoffSeconds`` doubled per
  attempt, at most ``podMaxBackoffSeconds``, counted from the failed attempt).
- with ``SchedulerPopFromBackoffQ`` (on from 1.33), a cycle that finds activeQ empty takes the
  backing-off pod whose backoff ends first (``activeQueue.unlockedPop``, ``popBackoff``)
  instead of waiting.
- every 30 s (``flushUnschedulablePodsLeftover``) the pods unschedulable for more than
  ``podMaxInUnschedulablePodsDuration`` move the same way. A pod with nothing changed since
  its attempt would fail the same way again, so jobsim leaves it until the first tick after
  the next cluster event (and arms no tick meanwhile: a pod that fits nowhere, in a cluster
  where nothing happens, lets the run end).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from jobsim.policy.scheduling_queue import (
    FLUSH_UNSCHEDULABLE_PERIOD,
    backoff_pop_order,
    flush_due,
    pod_backoff,
)
from jobsim.sim.apiclient import TokenBucket
from jobsim.sim.engine import Call, Clock, Prio
from jobsim.sim.objects import Node, Pod

heappop: Final = heapq.heappop  # Final: compiled, a C static, not a globals lookup
heappush: Final = heapq.heappush

if TYPE_CHECKING:
    from jobsim.scenario.model import KubeScheduler

__all__ = ["Hints", "SchedulingQueue"]

Hints = Mapping[str, Callable[[Pod], bool]] | None
"""A cluster event's QueueingHints: per plugin, whether the event may make a pod that plugin
rejected schedulable; ``None``, a wildcard event, moves every pod."""

ACTIVE, BACKOFF, UNSCHEDULABLE, CYCLE = "active", "backoff", "unschedulable", "cycle"


class _Queued:
    """``QueuedPodInfo``: where the pod waits, its failed attempts, when it was queued."""

    __slots__ = ("attempts", "call", "generation", "plugins", "pod", "timestamp", "until", "where")

    def __init__(self, pod: Pod, now: float) -> None:
        self.pod = pod
        self.where = ACTIVE
        self.attempts = 0
        self.timestamp = now
        self.generation = 0  # the queue's generation at the failed attempt
        self.plugins: frozenset[str] = frozenset()  # UnschedulablePlugins of that attempt
        self.until = 0.0  # the backoff's end, while in backoffQ
        self.call: Call | None = None  # the backoff's end's event

    def worth_requeuing(self, hints: Hints) -> bool:
        """``isPodWorthRequeuing``: the hint of some plugin that rejected the pod accepts
        it (no plugin recorded, or a wildcard event: yes)."""
        if hints is None or not self.plugins:
            return True
        return any((h := hints.get(p)) is not None and h(self.pod) for p in self.plugins)


class SchedulingQueue:
    """activeQ, backoffQ and unschedulable pods, served one pod at a time."""

    def __init__(
        self,
        clock: Clock,
        config: KubeScheduler,
        attempt: Callable[[Pod], tuple[Node | None, frozenset[str]]],
        bind: Callable[[Pod, Node], bool],
        pop_from_backoff: bool = False,
    ) -> None:
        self.clock = clock
        self.config = config
        self._attempt = attempt
        self._bind = bind
        self._pop_from_backoff = pop_from_backoff  # SchedulerPopFromBackoffQ
        self.bucket = TokenBucket(config.clientQPS, config.clientBurst)
        self._active: list[tuple[int, float, int, _Queued]] = []  # (-priority, ts, uid, info)
        # backoffQ's pop order (backoff_pop_order), uid, backoff end, info; stale entries skipped
        self._backoffq: list[tuple[tuple[float, int, float], int, float, _Queued]] = []
        self._pods: dict[int, _Queued] = {}  # every queued pod, by uid
        self._unschedulable: dict[int, _Queued] = {}
        self._flushes: list[tuple[float, int, float]] = []  # (tick, uid, timestamp)
        self._flush_call: Call | None = None
        self._flush_at = 0.0
        self._idle: dict[int, _Queued] = {}  # due for the flush, with nothing changed yet
        self._busy = False
        self._in_flight: list[Hints] = []  # the events that came during the current cycle
        self._current: _Queued | None = None  # the pod in its cycle
        self.generation = 0  # cluster events so far

    # -- entering and leaving ------------------------------------------------------------
    def add(self, pod: Pod) -> None:
        """A new pod (its informer event): to activeQ."""
        if pod.deletion_ts is not None or pod.node is not None or pod.uid in self._pods:
            return
        info = _Queued(pod, self.clock.now)
        self._pods[pod.uid] = info
        self._push(info)
        self._serve()

    def forget(self, pod: Pod) -> None:
        """A pending pod was deleted: out of every queue."""
        info = self._pods.pop(pod.uid, None)
        if info is None:
            return
        self._unschedulable.pop(pod.uid, None)
        self._idle.pop(pod.uid, None)
        if info.call is not None:
            info.call.cancel()
        info.where = ""  # activeQ's entry is dropped when popped

    def pending(self) -> list[Pod]:
        """Every queued pod, in cycle, active, backing off or unschedulable."""
        return [i.pod for i in self._pods.values() if i.pod.node is None]

    # -- the cycle -----------------------------------------------------------------------
    def _push(self, info: _Queued) -> None:
        info.where = ACTIVE
        heappush(self._active, (-info.pod.priority, info.timestamp, info.pod.uid, info))

    def _serve(self) -> None:
        """Start the next scheduling cycle if none runs."""
        if self._busy:
            return
        while self._active:
            info = heappop(self._active)[3]
            if info.where != ACTIVE or self._pods.get(info.pod.uid) is not info:
                continue  # deleted, or moved since
            self._start(info)
            return
        if self._pop_from_backoff:  # activeQ is empty: the backoffQ's first pod
            while self._backoffq:
                _, _, until, info = heappop(self._backoffq)
                if info.where != BACKOFF or info.until != until:
                    continue  # deleted, moved or backing off anew since
                if info.call is not None:
                    info.call.cancel()
                    info.call = None
                self._start(info)
                return

    def _start(self, info: _Queued) -> None:
        """Pop ``info``: its scheduling cycle starts."""
        info.where = CYCLE
        self._busy = True
        self._in_flight = []
        self._current = info
        self.clock.call(self.config.schedulingCycle, Prio.SCHEDULER, self._decide, info)

    def _decide(self, info: _Queued) -> None:
        """The cycle's end: bind the pod where the scheduler chose, or queue it again."""
        pod = info.pod
        if self._pods.get(pod.uid) is not info or pod.deletion_ts is not None:
            self._done()
            return
        node, plugins = self._attempt(pod)
        if node is None:
            self._failed(info, plugins)
            self._done()
            return
        at = self.bucket.reserve(self.clock.now)
        if at > self.clock.now:
            self.clock.call_at(at, Prio.SCHEDULER, self._binding, info, node)
            return
        self._binding(info, node)

    def _binding(self, info: _Queued, node: Node) -> None:
        """The binding goes out (the client's token taken)."""
        pod = info.pod
        if self._pods.get(pod.uid) is info and pod.deletion_ts is None:
            if self._bind(pod, node):
                del self._pods[pod.uid]
            else:  # the node is gone: an error, no rejecting plugin
                self._failed(info, frozenset(), error=True)
        self._done()

    def _done(self) -> None:
        self._busy = False
        self._current = None
        self._serve()

    def _failed(self, info: _Queued, plugins: frozenset[str], error: bool = False) -> None:
        """``AddUnschedulableIfNotPresent``: one more attempt, the plugins that rejected it;
        to backoffQ after an error or if an event that one of those plugins' hints accepts
        came during the cycle, else to the unschedulable pods."""
        info.attempts += 1
        info.timestamp = self.clock.now
        info.generation = self.generation
        info.plugins = plugins
        if error or any(info.worth_requeuing(hints) for hints in self._in_flight):
            self._requeue(info)
            return
        info.where = UNSCHEDULABLE
        self._unschedulable[info.pod.uid] = info
        self._arm_flush(info)

    # -- moves ---------------------------------------------------------------------------
    def move(self, hints: Hints = None) -> None:
        """A cluster event with its QueueingHints: the unschedulable pods worth requeuing go
        to activeQ, or to backoffQ while backing off; the pod in its cycle hears of it when
        the cycle fails."""
        self.generation += 1
        if self._busy and self._current is not None:
            self._in_flight.append(hints)
        if not self._unschedulable:
            return
        moved = [i for i in self._unschedulable.values() if i.worth_requeuing(hints)]
        for info in moved:
            del self._unschedulable[info.pod.uid]
            self._requeue(info)
        if self._idle:  # something changed for them now: the next tick flushes them
            tick = (math.floor(self.clock.now / FLUSH_UNSCHEDULABLE_PERIOD) + 1) * (
                FLUSH_UNSCHEDULABLE_PERIOD
            )
            for info in self._idle.values():
                if self._unschedulable.get(info.pod.uid) is info:
                    self._schedule_flush(tick, info)
            self._idle.clear()
        if moved:
            self._serve()

    def _requeue(self, info: _Queued) -> None:
        """To activeQ if its backoff is over, else to backoffQ until it is."""
        c = self.config
        until = info.timestamp + pod_backoff(
            info.attempts, c.podInitialBackoffSeconds, c.podMaxBackoffSeconds
        )
        if until <= self.clock.now:
            self._push(info)
            return
        info.where = BACKOFF
        info.until = until
        info.call = self.clock.call_at(until, Prio.SCHEDULER, self._backoff_done, info)
        if self._pop_from_backoff:
            order = backoff_pop_order(until, info.pod.priority, info.timestamp)
            heappush(self._backoffq, (order, info.pod.uid, until, info))

    def _backoff_done(self, info: _Queued) -> None:
        """``flushBackoffQCompleted``: the backoff is over."""
        info.call = None
        if info.where == BACKOFF:
            self._push(info)  # its backoffQ entry is stale now
            self._serve()

    # -- the unschedulable pods' flush ---------------------------------------------------
    def _arm_flush(self, info: _Queued) -> None:
        tick = flush_due(info.timestamp, self.config.podMaxInUnschedulablePodsDuration)
        self._schedule_flush(tick, info)

    def _schedule_flush(self, tick: float, info: _Queued) -> None:
        heappush(self._flushes, (tick, info.pod.uid, info.timestamp))
        if self._flush_call is None or tick < self._flush_at:
            if self._flush_call is not None:
                self._flush_call.cancel()
            self._flush_at = tick
            self._flush_call = self.clock.call_at(tick, Prio.SCHEDULER, self._flush)

    def _flush(self) -> None:
        """``flushUnschedulablePodsLeftover`` at a 30 s tick: move the pods due now that
        something changed for since their attempt."""
        self._flush_call = None
        now = self.clock.now
        moved = False
        while self._flushes and self._flushes[0][0] <= now:
            _, uid, timestamp = heappop(self._flushes)
            info = self._unschedulable.get(uid)
            if info is None or info.timestamp != timestamp:
                continue  # moved, retried or deleted since
            if info.generation == self.generation:
                self._idle[uid] = info  # nothing changed: it would fail the same way
                continue
            del self._unschedulable[uid]
            self._requeue(info)
            moved = True
        if self._flushes:
            self._flush_at = self._flushes[0][0]
            self._flush_call = self.clock.call_at(self._flush_at, Prio.SCHEDULER, self._flush)
        if moved:
            self._serve()
