"""The event kernel: call a function at a time, with a documented tie-break order.

SimPy's discipline without its event objects: calls are ordered by ``(time, priority,
sequence)``, so events at the same virtual time run in ``Prio`` order, FIFO within a priority,
exactly as SimPy orders them (``Environment.schedule``/``step``). A scheduled call is one small
object, itself the heap's entry; a cancelled call stays in the heap and is skipped when popped,
so cancelling costs nothing.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Final

from jobsim.version import compiled

if TYPE_CHECKING:
    from mypy_extensions import i64  # compiled, a machine integer; interpreted, not imported

heappop: Final = heapq.heappop  # Final: compiled, a C static, not a globals lookup
heappush: Final = heapq.heappush
NATIVE_HEAP: Final = compiled()
"""Whether the kernel's heap is ``push``/``pop`` (compiled: native comparisons) rather than
heapq's (interpreted: C beats the same steps in Python). Either pops calls in the same order:
``(at, prio, seq)`` is unique per call."""


class Prio(IntEnum):
    """Order of simultaneous events (docs/mechanisms.md)."""

    EXTERNAL = 0  # scenario events and Job submissions
    NODE = 1  # node lifecycle: heartbeats lost, taint eviction
    KUBELET = 2  # image pulls, container starts and exits, kills
    SCHEDULER = 3  # binding pending pods
    CONTROLLER = 4  # Job controller syncs
    TTL = 5  # TTL-after-finished controller
    CRONJOB = 6  # CronJob controller syncs


class Call:
    """A scheduled function call that can be cancelled, ordered in the heap by
    ``(at, prio, seq)``: its time, its ``Prio``, and the order it was scheduled in."""

    __slots__ = ("args", "at", "cancelled", "fn", "prio", "seq")

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        at: float = 0.0,
        prio: int = 0,
        seq: int = 0,
    ) -> None:
        self.fn = fn
        self.args = args
        self.at = at
        self.prio = prio
        self.seq = seq
        self.cancelled = False

    def __lt__(self, other: Call) -> bool:
        return _before(self, other)

    def cancel(self) -> None:
        """Do not run this call."""
        self.cancelled = True


def _before(a: Call, b: Call) -> bool:
    """The heap's order, as a ``(at, prio, seq)`` tuple compares (compiled, a comparison of two
    calls costs half as much as one of tuples, and no tuple is built per call)."""
    if a.at != b.at:
        return a.at < b.at
    if a.prio != b.prio:
        return a.prio < b.prio
    return a.seq < b.seq


def push(heap: list[Call], c: Call) -> None:
    """``heapq.heappush`` for calls, comparing them with ``_before``: compiled, a comparison is
    a few native reads, where heapq's goes through ``Call.__lt__`` as a Python method."""
    heap.append(c)
    _sift_up(heap, len(heap) - 1, c)


def pop(heap: list[Call]) -> Call:
    """``heapq.heappop`` for calls (``IndexError`` if none): as heapq, the last call fills the
    root's place, the smaller child moves up from there to a leaf, then the last call moves up
    to its place."""
    last = heap.pop()
    end: i64 = len(heap)
    if not end:
        return last
    top = heap[0]
    pos: i64 = 0
    child: i64 = 1
    while child < end:
        smaller = heap[child]
        right = child + 1
        if right < end:
            other = heap[right]
            if not _before(smaller, other):
                smaller, child = other, right
        heap[pos] = smaller
        pos = child
        child = 2 * pos + 1
    _sift_up(heap, pos, last)
    return top


def _sift_up(heap: list[Call], pos: i64, c: Call) -> None:
    """Put ``c`` at ``pos`` or above, moving down the calls it goes before."""
    while pos > 0:
        up: i64 = (pos - 1) >> 1
        parent = heap[up]
        if not _before(c, parent):
            break
        heap[pos] = parent
        pos = up
    heap[pos] = c


def _stop() -> None:
    """The function of the call that ends ``Clock.run(until)``, like SimPy's until event."""


_STOP: Final = _stop  # Final: compiled, compared with a C static, not a globals lookup


STALL_LIMIT: Final = 200_000
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
        self._queue: list[Call] = []
        self._eid = 0  # the next call's sequence number (FIFO among equal times and priorities)
        self.now = 0.0
        """Seconds since the scenario start (read it; only the kernel sets it)."""
        self.scheduled = 0
        self.last = 0.0
        self.stall_limit = stall_limit
        self._stall_at = -1.0
        self._stalled = 0

    def call(self, delay: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` ``delay`` seconds from now."""
        return self._push(delay, prio, fn, args)

    def call_at(self, when: float, prio: Prio, fn: Callable[..., Any], *args: Any) -> Call:
        """Run ``fn(*args)`` at virtual time ``when`` (not before now)."""
        return self._push(max(when - self.now, 0.0), prio, fn, args)

    def _push(
        self, delay: float, prio: Prio, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> Call:
        """``call``'s work: ``call_at`` calls it directly (compiled, a call with ``*args`` is
        one by name)."""
        self.scheduled += 1
        now = self.now
        at = now + delay
        if at == now:  # no time passes (a zero, or a delay below float resolution)
            if now == self._stall_at:
                self._stalled += 1
                if self._stalled > self.stall_limit:
                    raise Stalled(now, self._stalled)
            else:
                self._stall_at, self._stalled = now, 1
        eid = self._eid
        self._eid = eid + 1
        c = Call(fn, args, at, prio, eid)
        if NATIVE_HEAP:
            push(self._queue, c)
        else:
            heappush(self._queue, c)
        return c

    def pending(self) -> bool:
        """Whether a call that is not cancelled is still to run."""
        return any(not c.cancelled and c.fn is not _STOP for c in self._queue)

    def peek(self) -> float:
        """The time of the next call in the heap (cancelled ones too); ``inf`` if none."""
        return self._queue[0].at if self._queue else float("inf")

    def step(self) -> None:
        """Run the next call (``IndexError`` if none is left)."""
        c = pop(self._queue) if NATIVE_HEAP else heappop(self._queue)
        self.now = c.at
        if not c.cancelled:
            self.last = self.now
            c.fn(*c.args)

    def run(self, until: float | None = None) -> None:
        """Run calls until none are left, or until virtual time ``until`` (which must be
        later than now): then the calls at ``until`` scheduled before this one with priority
        ``EXTERNAL`` have run, and the clock reads ``until``, as with SimPy's ``run``."""
        queue = self._queue
        if until is not None:
            if until <= self.now:
                raise ValueError(f"until ({until}) must be later than now ({self.now})")
            eid = self._eid
            self._eid = eid + 1
            stop = Call(_STOP, (), self.now + (until - self.now), Prio.EXTERNAL, eid)
            if NATIVE_HEAP:
                push(queue, stop)
            else:
                heappush(queue, stop)
        while queue:
            c = pop(queue) if NATIVE_HEAP else heappop(queue)
            now = c.at
            self.now = now
            if c.cancelled:
                continue
            if c.fn is _STOP:
                return
            self.last = now
            fn = c.fn  # a local: compiled, c.fn(...) reads the attribute by name
            fn(*c.args)


__all__ = [
    "NATIVE_HEAP",
    "STALL_LIMIT",
    "Call",
    "Clock",
    "Prio",
    "Stalled",
    "pop",
    "push",
]
