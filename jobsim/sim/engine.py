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

    def __init__(self, env: simpy.Environment, fn: Callable[..., Any], args: tuple[Any, ...]):
        self.env = env
        self.callbacks = [self._fire]
        self._value = None
        self._ok = True
        self.fn = fn
        self.args = args
        self.cancelled = False

    def _fire(self, _: Event) -> None:
        if not self.cancelled:
            self.fn(*self.args)

    def cancel(self) -> None:
        """Do not run this call."""
        self.cancelled = True


class Clock:
    """Virtual time: the only clock the model reads."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.scheduled = 0

    @property
    def now(self) -> float:
        """Seconds since the scenario start."""
        return float(self.env.now)

    def call(self, delay: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` ``delay`` seconds from now."""
        c = Call(self.env, fn, args)
        self.scheduled += 1
        self.env.schedule(c, EventPriority(prio), delay)
        return c

    def call_at(self, when: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` at virtual time ``when`` (not before now)."""
        return self.call(max(when - self.now, 0.0), prio, fn, *args)

    def run(self, until: float | None = None) -> None:
        """Process events until none are left (or until ``until``)."""
        self.env.run(until=until)


__all__ = [
    "Call",
    "Clock",
    "Prio",
]
