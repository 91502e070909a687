"""The kernel's order: by time, then ``Prio``, then the order calls were scheduled in (SimPy's
``(time, priority, eid)``); cancelled calls never run; ``run(until)`` stops as SimPy's does."""

from __future__ import annotations

import heapq

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.sim.engine import Call, Clock, Prio, pop, push

DELAYS = st.sampled_from([0.0, 0.5, 1.0, 1.0 + 2**-52, 2.0, 1e-300])
PRIOS = st.sampled_from(list(Prio))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(DELAYS, PRIOS, st.booleans()), max_size=40))
def test_calls_run_in_time_priority_fifo_order(calls: list[tuple[float, Prio, bool]]) -> None:
    clock = Clock()
    ran: list[int] = []
    scheduled = [clock.call(d, p, ran.append, i) for i, (d, p, _) in enumerate(calls)]
    for c, (_, _, cancel) in zip(scheduled, calls, strict=True):
        if cancel:
            c.cancel()
    clock.run()
    want = sorted(
        (i for i, (_, _, cancel) in enumerate(calls) if not cancel),
        key=lambda i: (calls[i][0], calls[i][1], i),
    )
    assert ran == want
    assert not clock.pending()


def test_a_call_made_while_running_runs_in_its_place() -> None:
    clock = Clock()
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        clock.call(0.0, Prio.KUBELET, ran.append, "kubelet, scheduled later, same instant")
        clock.call(0.0, Prio.CONTROLLER, ran.append, "controller, scheduled later")

    clock.call(1.0, Prio.EXTERNAL, first)
    clock.call(1.0, Prio.SCHEDULER, ran.append, "scheduler")
    clock.call(1.0, Prio.CONTROLLER, ran.append, "controller, scheduled first")
    clock.run()
    assert ran == [
        "first",
        "kubelet, scheduled later, same instant",
        "scheduler",
        "controller, scheduled first",
        "controller, scheduled later",
    ]


def test_run_until_stops_after_the_earlier_external_calls_at_that_time() -> None:
    clock = Clock()
    ran: list[str] = []
    clock.call(5.0, Prio.EXTERNAL, ran.append, "external at 5, before run")
    clock.call(5.0, Prio.KUBELET, ran.append, "kubelet at 5")
    clock.call(4.0, Prio.CRONJOB, ran.append, "cronjob at 4")
    clock.run(until=5.0)
    assert ran == ["cronjob at 4", "external at 5, before run"]
    assert (clock.now, clock.last, clock.peek()) == (5.0, 5.0, 5.0)
    assert clock.pending()
    clock.run()
    assert ran[-1] == "kubelet at 5"
    assert not clock.pending() and clock.peek() == float("inf")


def _noop() -> None:
    """A call's function (never run here)."""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.tuples(DELAYS, PRIOS), st.none()),  # None pops, a tuple pushes a call
        max_size=120,
    )
)
def test_the_native_heap_pops_as_heapq(ops: list[tuple[float, Prio] | None]) -> None:
    """``push``/``pop`` (the compiled kernel's heap) pop calls in ``(at, prio, seq)`` order, as
    ``heapq`` pops the same keys as tuples; ``IndexError`` when empty, as ``heappop``."""
    heap: list[Call] = []
    keys: list[tuple[float, int, int]] = []
    for seq, op in enumerate(ops):
        if op is None:
            if not keys:
                with pytest.raises(IndexError):
                    pop(heap)
                continue
            c = pop(heap)
            assert (c.at, c.prio, c.seq) == heapq.heappop(keys)
        else:
            push(heap, Call(_noop, (), op[0], op[1], seq))
            heapq.heappush(keys, (op[0], op[1], seq))
        assert len(heap) == len(keys)
        if heap:
            assert (heap[0].at, heap[0].prio, heap[0].seq) == keys[0]
    while keys:
        c = pop(heap)
        assert (c.at, c.prio, c.seq) == heapq.heappop(keys)
    assert heap == []
