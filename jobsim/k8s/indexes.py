"""The index-list grammar of ``succeededIndexes`` (and ``completedIndexes`` / ``failedIndexes``).

Upstream: ``pkg/apis/batch/validation/validation.go`` (``validateIndexesFormat``,
``parseIndexInterval``). A list is comma-separated intervals ``X`` or ``X-Y``; each bound is read
with Go's ``strconv.Atoi`` (optional sign, decimal digits, nothing else), must be below
``completions``, ``X < Y`` inside an interval, and each interval must start after the previous one
ended. The empty string is a valid, empty list.
"""

from __future__ import annotations

import re
from typing import Final

from jobsim.k8s.errors import go_quote

_ATOI: Final = re.compile(r"[+-]?[0-9]+")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def go_atoi(text: str) -> int | None:
    """Go ``strconv.Atoi`` on a 64-bit platform: an optional sign and ASCII decimal digits,
    nothing else (no spaces, no underscores); ``None`` where Go returns an error, out of the
    ``int64`` range included (and before ``int()`` meets a string too long to convert)."""
    if not _ATOI.fullmatch(text):
        return None
    if len(text.lstrip("+-").lstrip("0")) > 19:  # beyond int64; also keeps int() cheap
        return None
    value = int(text)
    if value < _INT64_MIN or value > _INT64_MAX:
        return None
    return value


def _parse_index_interval(text: str, completions: int) -> tuple[int, int] | str:
    """``parseIndexInterval``: the interval ``(x, y)``, or the error text."""
    limits = text.split("-")
    if len(limits) > 2:
        return (
            f"the fragment {go_quote(text)} violates the requirement that an index interval "
            "can have at most two parts separated by '-'"
        )
    x = go_atoi(limits[0])
    if x is None:
        return f"cannot convert string to integer for index: {go_quote(limits[0])}"
    if x >= completions:
        return f"too large index: {go_quote(limits[0])}"
    if len(limits) == 1:
        return (x, x)
    y = go_atoi(limits[1])
    if y is None:
        return f"cannot convert string to integer for index: {go_quote(limits[1])}"
    if y >= completions:
        return f"too large index: {go_quote(limits[1])}"
    if x >= y:
        return f"non-increasing order, previous: {x}, current: {y}"
    return (x, y)


def parse_indexes_strict(text: str, completions: int) -> tuple[list[tuple[int, int]], str | None]:
    """``validateIndexesFormat``: the intervals, or ``([], error text)`` at the first error."""
    if text == "":
        return [], None
    intervals: list[tuple[int, int]] = []
    last: int | None = None
    for part in text.split(","):
        parsed = _parse_index_interval(part, completions)
        if isinstance(parsed, str):
            return [], parsed
        x, y = parsed
        if last is not None and last >= x:
            return [], f"non-increasing order, previous: {last}, current: {x}"
        intervals.append((x, y))
        last = y
    return intervals, None


def count_indexes(intervals: list[tuple[int, int]]) -> int:
    """The number of indexes the intervals cover (``total`` in ``validateIndexesFormat``)."""
    return sum(y - x + 1 for x, y in intervals)


__all__ = ["count_indexes", "go_atoi", "parse_indexes_strict"]
