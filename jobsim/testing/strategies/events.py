"""Events: node events (:func:`node_events`), the Job events a random scenario draws
(``suspend``, ``resume``, ``scale``, ``deletePod``, ``deleteJob``), and the ``events`` knob of
:func:`~jobsim.testing.strategies.scenarios`."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import hypothesis.strategies as st

from jobsim.scenario.model import JOB_EVENT_KINDS, NODE_EVENT_KINDS
from jobsim.testing.strategies._common import _check_int, _check_values, _maybe, _seconds_of

__all__ = ["node_events"]

NODE_EVENTS = NODE_EVENT_KINDS
JOB_EVENTS = JOB_EVENT_KINDS
SEQUEL_KINDS = ("nodeUp", "uncordon")
"""Node events drawn only as the sequel of another on the same node (alone they do nothing)."""

EventLists: TypeAlias = st.SearchStrategy[list[dict[str, Any]]]
EventsKnob: TypeAlias = EventLists | Callable[[list[str]], EventLists]
"""``events``: a strategy of event lists, or a function from the drawn cluster's node names
(``<pool>-<i>``, as jobsim names them) to one."""


# --- node events ---------------------------------------------------------------------------


def node_events(
    *,
    nodes: Sequence[str],
    kinds: Sequence[str] = NODE_EVENTS,
    max_events: int = 3,
    within: float | str = "10m",
) -> EventLists:
    """Lists of node events in time order: outages (``nodeDown``, perhaps followed by
    ``nodeUp`` or ``nodeOutOfService`` on that node), drains (perhaps followed by
    ``uncordon``), removals (``nodeRemove``) and ``nodeOutOfService`` taints.

    Each event is ``{at: <seconds>, <kind>: <node>}``. ``nodeUp`` and ``uncordon`` are drawn
    only as the sequel of a ``nodeDown`` or ``drain`` of the same node (alone they would do
    nothing); a sequel comes 1 s to ``within`` after it, so a list holds at most
    ``2 × max_events`` events. What each does: docs/mechanisms.md, "Nodes" and "Node failures,
    drain, removal".

    Args:
        nodes: the node names to pick from (jobsim names a pool's nodes ``<pool>-0``,
            ``<pool>-1``, …); none: every list is empty.
        kinds: the kinds of event to draw, among ``nodeDown``, ``nodeUp``, ``nodeRemove``,
            ``nodeOutOfService``, ``drain``, ``uncordon``.
        max_events: most events, sequels not counted.
        within: events start within this long from the start: seconds or a Go duration.
    """
    names = _check_values("nodes", nodes, str, '["a-0", "a-1"]')
    chosen = _check_values("kinds", kinds, str, '["nodeDown", "drain"]')
    unknown = [k for k in chosen if k not in NODE_EVENT_KINDS]
    if unknown:
        raise ValueError(
            f"kinds: unknown node event kind {unknown[0]!r}; expected some of "
            + ", ".join(NODE_EVENT_KINDS)
        )
    firsts = tuple(k for k in chosen if k not in SEQUEL_KINDS)
    if not firsts:
        raise ValueError(
            "kinds must hold a kind that starts something (nodeDown, nodeRemove, "
            "nodeOutOfService or drain): nodeUp and uncordon only follow nodeDown and drain"
        )
    _check_int("max_events", max_events, 0)
    window = math.floor(_seconds_of("within", within))
    if not names or not max_events:
        return st.just([])
    sequels: dict[str, tuple[str, ...]] = {
        "nodeDown": tuple(k for k in ("nodeUp", "nodeOutOfService") if k in chosen),
        "drain": ("uncordon",) if "uncordon" in chosen else (),
    }
    return _node_events(names, firsts, sequels, max_events, window)


@st.composite
def _node_events(
    draw: st.DrawFn,
    names: tuple[str, ...],
    firsts: tuple[str, ...],
    sequels: Mapping[str, tuple[str, ...]],
    max_events: int,
    window: int,
) -> list[dict[str, Any]]:
    # Every event draws the same choices, its sequel's included, so that the simplest list
    # is made of the first kind (not of whichever kind draws fewest choices).
    one = st.tuples(
        st.integers(0, window),
        st.sampled_from(firsts),
        st.sampled_from(names),
        st.integers(0, 2),  # 0: no sequel, else which one
        st.integers(1, max(window, 1)),  # when, after the event
    )
    out: list[dict[str, Any]] = []
    for at, kind, node, which, later in draw(st.lists(one, max_size=max_events)):
        out.append({"at": at, kind: node})
        then = sequels.get(kind, ())
        if 0 < which <= len(then):
            out.append({"at": at + later, then[which - 1]: node})
    return sorted(out, key=lambda e: e["at"])


# --- the events knob of scenarios ----------------------------------------------------------


def _default_node_events(max_events: int) -> Callable[[list[str]], EventLists]:
    return lambda nodes: node_events(nodes=nodes, max_events=max_events)


def _draw_events(draw: st.DrawFn, events: EventsKnob, nodes: list[str]) -> list[dict[str, Any]]:
    strategy = events if isinstance(events, st.SearchStrategy) else events(list(nodes))
    return list(draw(strategy))


# --- Job events ----------------------------------------------------------------------------


def _job_event(
    draw: st.DrawFn, kind: str, name: str, spec: dict[str, Any], completions: dict[str, int | None]
) -> dict[str, Any]:
    """``suspend``/``resume``/``scale``/``deletePod``/``deleteJob`` of job ``name``;
    ``completions`` holds each job's completions as updated by the scales drawn so far (drawn
    in time order)."""
    if kind in ("suspend", "resume"):
        return {kind: name}
    if kind == "deleteJob":
        policy = draw(st.sampled_from(("Background", "Foreground", "Orphan")))
        return {"deleteJob": {"job": name, "propagationPolicy": policy}}
    if kind == "deletePod":
        out: dict[str, Any] = {"job": name}
        if spec.get("completionMode") == "Indexed":
            index = _maybe(draw, st.integers(0, max(spec["completions"] - 1, 0)))
            if index is not None:
                out["index"] = index
        return {"deletePod": out}
    parallelism = draw(st.integers(0, 4))
    scale: dict[str, Any] = {"job": name, "parallelism": parallelism}
    # Elastic Indexed Jobs: completions change only in tandem with parallelism
    # (validateCompletions); successPolicy and maxFailedIndexes must stay valid for the new
    # completions, so not with them.
    elastic = (
        spec.get("completionMode") == "Indexed"
        and "successPolicy" not in spec
        and "maxFailedIndexes" not in spec
    )
    if elastic and draw(st.booleans()):
        scale["completions"] = parallelism
        completions[name] = parallelism
    return {"scale": scale}
