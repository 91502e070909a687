"""Argument checks and small drawing helpers the strategies share. Every knob is checked
when its strategy is built, so a wrong argument raises there, never while drawing."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import hypothesis.strategies as st

from jobsim.units import UnitError, parse_duration

__all__: list[str] = []


def _check_strategy(name: str, value: object) -> None:
    """xarray's rule: knobs that choose values are strategies; fixed values need ``st.just``."""
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise TypeError(
            f"{name} must be a hypothesis.strategies.SearchStrategy or None, but got "
            f"{type(value).__name__}. To fix it to one value, use "
            f"hypothesis.strategies.just({value!r})."
        )


def _check_int(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_values(name: str, value: object, item: type, example: str) -> tuple[Any, ...]:
    """A knob listing the values a draw picks from: a sequence (not a strategy, not a str),
    each item of type ``item``; duplicates dropped, order kept (shrinking prefers the first)."""
    if isinstance(value, st.SearchStrategy):
        raise TypeError(
            f"{name} lists the values to draw from: pass a sequence such as {example}, "
            "not a strategy"
        )
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a sequence (a list or tuple) such as {example}, "
            f"got {type(value).__name__} {value!r}"
        )
    out: list[Any] = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, item):
            raise TypeError(
                f"{name} must hold only {item.__name__} values, got {type(v).__name__} {v!r}"
            )
        if v not in out:
            out.append(v)
    return tuple(out)


def _seconds_of(name: str, value: object) -> float:
    """A knob given as seconds or as a Go duration (``"10m"``), as seconds >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(
            f"{name} must be a number of seconds or a Go duration such as '10m', "
            f"got {type(value).__name__} {value!r}"
        )
    try:
        seconds = parse_duration(value)
    except UnitError as e:
        raise ValueError(f"{name}: {e}") from None
    if seconds < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return seconds


def _plain(value: Any) -> Any:
    """A deep copy made of dicts and lists: what ``yaml.safe_dump`` writes."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


def _seconds(max_value: int) -> st.SearchStrategy[int | str]:
    """A duration written as a number of seconds or as a Go duration: ``7`` or ``"7s"``."""
    n = st.integers(0, max_value)
    return st.one_of(n, n.map(lambda s: f"{s}s"))


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    """``None`` (shrinks first) or a value of ``strategy``."""
    return draw(st.none() | strategy)
