"""A thin layer over SimPy: call a function at a time, with a documented tie-break order.

Events at the same virtual time run in ``Prio`` order, FIFO within a priority (SimPy's heap
key is ``(time, priority, sequence)``). A cancelled call stays in the heap and is skipped when
popped, so cancelling costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

import simpy
from simpy.events import Event, EventPriority


class Prio(IntEnum):
    """Order of simultaneous events (docs/mechanisms.md)."""

    EXTERNAL = 0  # scenario events and Job submissions
    NODE = 1  # node lifecycle: heartbeats lost, taint eviction
    KUBELET = 2  # image pulls, container starts and exits, kills
    SCHEDULER = 3  # binding pending pods
    CONTROLLER = 4  # Job controller syncs
    TTL = 5  # TTL-after-finished controller


class Call(Event):
    """A scheduled function call that can be cancelled."""

    def __init__(self, clock: Clock, fn: Callable[..., Any], args: tuple[Any, ...]):
        self.clock = clock
        self.env = clock.env
        self.callbacks = [self._fire]
        self._value = None
        self._ok = True
        self.fn = fn
        self.args = args
        self.cancelled = False

    def _fire(self, _: Event) -> None:
        if not self.cancelled:
            self.clock.last = self.env._now
            self.fn(*self.args)

    def cancel(self) -> None:
        """Do not run this call."""
        self.cancelled = True


STALL_LIMIT = 200_000
"""Zero-delay calls made at one virtual time after which the run is stuck (:class:`Stalled`):
real work at one instant takes a few per pod."""


class Stalled(Exception):
    """Virtual time stopped advancing: calls keep scheduling calls for the same instant."""

    def __init__(self, now: float, calls: int) -> None:
        super().__init__(f"virtual time stopped advancing at {now}s after {calls} calls")
        self.now = now
        self.calls = calls


class Clock:
    """Virtual time: the only clock the model reads.

    ``last`` is the time of the last call that ran (cancelled calls popped later do not
    count). A run whose calls keep scheduling calls for the very instant they run at (zero
    delays all round) raises :class:`Stalled` once more than ``stall_limit`` zero-delay calls
    were made at one virtual time; the run cannot be resumed after it.
    """

    def __init__(self, stall_limit: int = STALL_LIMIT) -> None:
        self.env = simpy.Environment()
        self.scheduled = 0
        self.last = 0.0
        self.stall_limit = stall_limit
        self._stall_at = -1.0
        self._stalled = 0

    @property
    def now(self) -> float:
        """Seconds since the scenario start."""
        return float(self.env.now)

    def call(self, delay: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` ``delay`` seconds from now."""
        c = Call(self, fn, args)
        self.scheduled += 1
        now = self.env._now
        if now + delay == now:  # no time passes (a zero, or a delay below float resolution)
            if now == self._stall_at:
                self._stalled += 1
                if self._stalled > self.stall_limit:
                    raise Stalled(now, self._stalled)
            else:
                self._stall_at, self._stalled = now, 1
        self.env.schedule(c, EventPriority(prio), delay)
        return c

    def call_at(self, when: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` at virtual time ``when`` (not before now)."""
        return self.call(max(when - self.now, 0.0), prio, fn, *args)

    def pending(self) -> bool:
        """Whether a call that is not cancelled is still to run."""
        return any(isinstance(e, Call) and not e.cancelled for *_, e in self.env._queue)

    def run(self, until: float | None = None) -> None:
        """Process events until none are left (or until ``until``)."""
        self.env.run(until=until)


__all__ = [
    "STALL_LIMIT",
    "Call",
    "Clock",
    "Prio",
    "Stalled",
]
