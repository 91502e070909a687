"""Workloads: random ones (:func:`workloads`) and failure patterns that say exactly how
each run ends (:func:`failure_patterns`), perhaps tuned to one Job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import hypothesis.strategies as st

from jobsim.testing.strategies._common import _check_int, _check_values, _maybe, _seconds
from jobsim.testing.strategies.manifest import _JobFacts

__all__ = ["failure_patterns", "workloads"]

# --- workloads -----------------------------------------------------------------------------


def workloads(
    *, max_duration: int = 60, max_index: int = 3, max_attempt: int = 3, max_script: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Workload mappings: run durations, random failures and scripted outcomes.

    Args:
        max_duration: longest run, in whole seconds (constant or uniform), and the largest
            mean of an exponential duration.
        max_index: largest ``index`` a script entry names.
        max_attempt: largest ``attempt`` a script entry names.
        max_script: most script entries.
    """
    _check_int("max_duration", max_duration, 0)
    _check_int("max_index", max_index, 0)
    _check_int("max_attempt", max_attempt, 0)
    _check_int("max_script", max_script, 0)
    return _workloads(max_duration, max_index, max_attempt, max_script)


@st.composite
def _workloads(
    draw: st.DrawFn, max_duration: int, max_index: int, max_attempt: int, max_script: int
) -> dict[str, Any]:
    secs = st.integers(0, max_duration)
    duration = draw(
        st.one_of(
            _seconds(max_duration),
            st.tuples(secs, secs).map(lambda ab: {"uniform": {"min": min(ab), "max": max(ab)}}),
            st.integers(1, max(max_duration, 1)).map(lambda m: {"exponential": {"mean": m}}),
        )
    )
    out: dict[str, Any] = {"duration": duration}
    failure = _maybe(
        draw,
        st.fixed_dictionaries(
            {"probability": st.sampled_from([1.0, 0.5, 0.0]) | st.floats(0.0, 1.0)},
            optional={
                "exitCode": st.integers(1, 255)
                | st.dictionaries(st.sampled_from([1, 42, 137]), st.integers(1, 3), min_size=1),
                # a number is a fraction of the run; an absolute time is a Go duration
                "after": st.sampled_from([1.0, 0.5]) | secs.map(lambda s: f"{s}s"),
            },
        ),
    )
    if failure is not None:
        out["failure"] = failure
    delay = _maybe(draw, _seconds(40))
    if delay is not None:
        out["terminationDelay"] = delay
    entry = st.fixed_dictionaries(
        {},
        optional={
            "index": st.integers(0, max_index),
            "attempt": st.integers(0, max_attempt),
            "exitCode": st.sampled_from([0, 1, 42]),
            "after": _seconds(max_duration),
        },
    )
    script = draw(st.lists(entry, max_size=max_script))
    if script:
        out["script"] = script
    return out


# --- failure patterns ----------------------------------------------------------------------


def failure_patterns(
    *,
    exit_codes: Sequence[int] = (1,),
    max_attempts: int = 3,
    max_indexes: int = 0,
    containers: Sequence[str] = ("main",),
    init_containers: Sequence[str] = (),
    max_duration: int = 60,
    max_entries: int = 3,
    max_termination_delay: int = 0,
) -> st.SearchStrategy[dict[str, Any]]:
    """Workload mappings that say exactly how runs end: a constant ``duration`` for the runs
    the script does not name, and a ``script`` of up to ``max_entries`` entries, each naming
    one attempt (of one index) and the code it exits with after how long.

    An entry ``{index: 1, attempt: 0, exitCode: 42, after: 5}`` makes the first run of index 1
    exit 42 five seconds after its container starts (docs/mechanisms.md: ``attempt`` counts
    every start of the work of one index, of the whole Job when NonIndexed, from 0, container
    restarts under ``OnFailure`` included). Entries name distinct (index, attempt) pairs and are
    listed in that order. When there are several containers an entry may say which one exits
    with ``exitCode`` (``container``, the first one when left out; an init container fails
    before the others start) and the codes of the others (``containers``, 0 when left out).
    Nothing is random: the same pattern gives the same runs under every seed.

    Args:
        exit_codes: the codes a scripted run exits with; shrinking prefers the first.
        max_attempts: entries name attempts ``0 … max_attempts - 1``.
        max_indexes: entries name indexes ``0 … max_indexes - 1`` (an Indexed Job's
            completions); 0: they name none, so each matches every index, as a NonIndexed Job
            needs.
        containers: the pod template's containers (the first is the one that exits with
            ``exitCode`` by default).
        init_containers: init containers a script may make fail (not sidecars).
        max_duration: longest run in seconds, for ``duration`` (at least 1 s) and ``after``.
        max_entries: most script entries.
        max_termination_delay: longest ``terminationDelay`` (time to exit after SIGTERM), in
            seconds; 0 leaves it out (exit at once).
    """
    codes = _check_values("exit_codes", exit_codes, int, "[1, 42]")
    if not codes:
        raise ValueError("exit_codes must hold at least one exit code")
    _check_int("max_attempts", max_attempts, 1)
    _check_int("max_indexes", max_indexes, 0)
    names = _check_values("containers", containers, str, '["main"]')
    inits = _check_values("init_containers", init_containers, str, '["setup"]')
    if not names:
        raise ValueError("containers must name at least one container")
    if "" in names or "" in inits:
        raise ValueError("container names must not be empty")
    both = sorted(set(names) & set(inits))
    if both:
        raise ValueError(f"{', '.join(both)}: both a container and an init container")
    _check_int("max_duration", max_duration, 1)
    _check_int("max_entries", max_entries, 0)
    _check_int("max_termination_delay", max_termination_delay, 0)
    return _failure_patterns(
        codes,
        max_attempts,
        max_indexes,
        names,
        inits,
        max_duration,
        max_entries,
        max_termination_delay,
    )


def _entry_key(entry: Mapping[str, Any]) -> tuple[int, int]:
    return (entry.get("index", -1), entry.get("attempt", -1))


@st.composite
def _script_entry(
    draw: st.DrawFn,
    codes: tuple[int, ...],
    max_attempts: int,
    max_indexes: int,
    names: tuple[str, ...],
    inits: tuple[str, ...],
    max_duration: int,
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if max_indexes:
        entry["index"] = draw(st.integers(0, max_indexes - 1))
    entry["attempt"] = draw(st.integers(0, max_attempts - 1))
    entry["exitCode"] = draw(st.sampled_from(codes))
    entry["after"] = draw(st.integers(0, max_duration))
    who = (None, *names[1:], *inits)
    container = draw(st.sampled_from(who)) if len(who) > 1 else None
    if container is not None:
        entry["container"] = container
    if container not in inits:
        target = container if container is not None else names[0]
        others = [n for n in names if n != target]
        if others:
            other_codes = draw(
                st.dictionaries(st.sampled_from(others), st.sampled_from((0, *codes)))
            )
            if other_codes:
                entry["containers"] = {n: other_codes[n] for n in others if n in other_codes}
    return entry


@st.composite
def _failure_patterns(
    draw: st.DrawFn,
    codes: tuple[int, ...],
    max_attempts: int,
    max_indexes: int,
    names: tuple[str, ...],
    inits: tuple[str, ...],
    max_duration: int,
    max_entries: int,
    max_termination_delay: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {"duration": draw(st.integers(1, max_duration))}
    entry = _script_entry(codes, max_attempts, max_indexes, names, inits, max_duration)
    script = draw(st.lists(entry, max_size=max_entries, unique_by=_entry_key))
    if script:
        out["script"] = sorted(script, key=_entry_key)
    if max_termination_delay:
        delay = draw(st.integers(0, max_termination_delay))
        if delay:
            out["terminationDelay"] = delay
    return out


def _failures_for(facts: _JobFacts) -> st.SearchStrategy[dict[str, Any]]:
    """:func:`failure_patterns` tuned to one Job: the codes its podFailurePolicy names and 1,
    attempts up to one past the last its backoff limit lets fail, its indexes, its
    containers."""
    return failure_patterns(
        exit_codes=facts.codes,
        max_attempts=facts.last_attempt + 2,
        max_indexes=facts.indexes,
        containers=facts.containers,
        init_containers=facts.init_containers,
    )
