"""Reading the values of an upstream-cases file: symbolic times, indexes, counts.

Times in the format are symbolic: ``now`` (the controller's clock in a sync case), ``T0``,
``T`` (the helper tests' base, ``2009-11-10T23:00:00Z``), ``zero`` (Go's zero time), offsets
such as ``T-1ms`` or ``T+6s``, and timestamps such as ``0001-01-01T00:00:01Z``. They all
become seconds on one clock whose origin is Go's zero time ``0001-01-01T00:00:00Z``, so the
``finishedAt`` of the sync harness (zero + 1 s) lies long before ``now``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from jobsim.k8s.indexes import go_atoi
from jobsim.policy.backoff import index_failure_count
from jobsim.units import UnitError, parse_duration

__all__ = [
    "NOW",
    "CaseInputError",
    "CaseUnsupported",
    "as_failure_count",
    "as_index",
    "as_int",
    "as_intervals",
    "as_time",
    "container_state",
]

_ZERO = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
NOW = (dt.datetime(2009, 11, 10, 23, 0, 0, tzinfo=dt.UTC) - _ZERO).total_seconds()
"""``now``, ``T0`` and ``T``: upstream's test clock, 2009-11-10T23:00:00Z, in seconds."""

_SYMBOL = re.compile(r"^(now|T0|T)\s*(?:([+-])\s*(\S+))?$")


class CaseInputError(ValueError):
    """A value of a case that the format does not allow."""


class CaseUnsupported(Exception):
    """A case that needs what jobsim does not model; the message is the reason."""


def as_time(value: Any, where: str) -> float | None:
    """A symbolic time as seconds since Go's zero time; None for null, ``zero`` is 0."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CaseInputError(f"{where}: expected a time, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return (stamp - _ZERO).total_seconds()
    if isinstance(value, dt.date):
        return as_time(dt.datetime(value.year, value.month, value.day), where)
    text = str(value).strip()
    if text == "zero":
        return 0.0
    m = _SYMBOL.match(text)
    if m is not None:
        base = NOW
        if m.group(2) is None:
            return base
        try:
            offset = parse_duration(m.group(3))
        except UnitError as e:
            raise CaseInputError(f"{where}: {e}") from None
        return base + offset if m.group(2) == "+" else base - offset
    try:
        return as_time(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), where)
    except ValueError:
        raise CaseInputError(f"{where}: {text!r} is not a time of the format") from None


def as_int(value: Any, where: str, default: int = 0) -> int:
    """A count, possibly written as a string (annotations are strings); null is ``default``."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise CaseInputError(f"{where}: expected a number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CaseInputError(f"{where}: expected a number, got {value!r}") from None


def as_index(value: Any) -> int | None:
    """The completion-index annotation: None when absent (``none``), not a number
    (``invalid``) or negative, as upstream ``getCompletionIndex`` gives -1 for all three."""
    if value is None or isinstance(value, bool):
        return None
    index = go_atoi(str(value))
    return index if index is not None and index >= 0 else None


def as_failure_count(value: Any) -> int:
    """A ``batch.kubernetes.io/job-index-(ignored-)failure-count`` annotation of a case as
    ``policy.backoff.index_failure_count`` reads it (numbers are written as YAML numbers)."""
    if value is None or isinstance(value, bool):
        return 0
    return index_failure_count(str(value))


def as_intervals(indexes: list[int]) -> list[list[int]] | None:
    """Sorted indexes as upstream's ``orderedIntervals`` (adjacent ones merged); None when
    there are none, as upstream's nil slice."""
    out: list[list[int]] = []
    for i in indexes:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out or None


def container_state(entry: Any, where: str) -> tuple[str, int | None, float | None]:
    """A container status of a case: (name, exit code, finishedAt), the code and time None
    while it is not terminated. Written flat (``{name, exitCode, finishedAt}``) or as the API
    writes it (``{terminated: {exitCode, finishedAt}}``, ``{running: true}``); a
    ``state`` other than ``terminated`` means not terminated."""
    if not isinstance(entry, dict):
        raise CaseInputError(f"{where}: expected a container status (a mapping)")
    term = entry.get("terminated")
    source = term if isinstance(term, dict) else entry
    state = entry.get("state")
    running = entry.get("running") or (state is not None and state != "terminated")
    code = source.get("exitCode")
    if running or (code is None and term is None and "finishedAt" not in source):
        return str(entry.get("name") or ""), None, None
    exit_code = 0 if code is None else as_int(code, f"{where}.exitCode")
    return str(entry.get("name") or ""), exit_code, as_time(source.get("finishedAt"), where)
