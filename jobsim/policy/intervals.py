"""Completion-index interval text of Indexed Jobs (upstream
``pkg/controller/job/indexed_job_utils.go``: ``orderedIntervals``, ``parseIndexesFromString``,
``withOrderedIndexes``, ``firstPendingIndexes``).

Used for ``status.completedIndexes`` and ``status.failedIndexes``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from jobsim.k8s.indexes import go_atoi

__all__ = [
    "first_pending_indexes",
    "format_indexes",
    "intervals_have_index",
    "parse_indexes",
]


def intervals_have_index(intervals: Sequence[tuple[int, int]], index: int) -> bool:
    """Whether ``index`` lies in one of the sorted, disjoint ``(first, last)`` intervals
    (upstream ``orderedIntervals.has``, a binary search on ``last``)."""
    lo, hi = 0, len(intervals)
    while lo < hi:
        mid = (lo + hi) // 2
        if intervals[mid][1] >= index:
            hi = mid
        else:
            lo = mid + 1
    return lo < len(intervals) and intervals[lo][0] <= index


def format_indexes(indexes: Iterable[int]) -> str:
    """``orderedIntervals.String`` of the intervals built from ``indexes`` (any order, duplicates
    allowed; ``withOrderedIndexes`` merges adjacent indexes into one interval).

    Ascending, comma-separated; an interval ``[a, b]`` is written ``a`` when ``b == a``, ``a,b``
    when ``b == a + 1`` (upstream: ``if v.Last == v.First+1 { builder.WriteRune(',') }``) and
    ``a-b`` otherwise. ``{1,3,4,5,7} -> "1,3-5,7"``, ``{3,4} -> "3,4"``, ``{0,1,2} -> "0-2"``,
    ``{} -> ""``.
    """
    ordered = sorted(set(indexes))
    if ordered and ordered[0] < 0:
        raise ValueError(f"completion indexes must be non-negative, got {ordered[0]}")
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        first = last = ordered[i]
        i += 1
        while i < len(ordered) and ordered[i] == last + 1:
            last = ordered[i]
            i += 1
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def _parse_intervals(text: str, completions: int) -> list[list[int]]:
    """``parseIndexesFromString``, interval by interval, quirks included."""
    result: list[list[int]] = []
    if text == "":
        return result
    for interval_str in text.split(","):
        limits = interval_str.split("-")
        first = go_atoi(limits[0])
        if first is None:
            continue  # "Corrupted indexes interval, ignoring"
        if first >= completions:
            break  # upstream stops parsing here: later intervals are dropped too
        if len(limits) > 1:  # parts after a second '-' are ignored
            last = go_atoi(limits[1])
            if last is None:
                continue
            last = min(last, completions - 1)
        else:
            last = first
        if result and result[-1][1] == first - 1:
            result[-1][1] = last  # upstream assigns, it does not take the max
        else:
            result.append([first, last])
    return result


def parse_indexes(text: str, completions: int) -> list[int]:
    """The indexes covered by ``parseIndexesFromString(text, completions)``, sorted and unique.

    Lenient exactly as upstream:

    * ``text.split(",")``, each part ``split("-")``; a part whose first number does not parse
      (``strconv.Atoi``: e.g. ``""``, ``"bar"``, ``" 1"``; ``"+3"`` *does* parse) is skipped, as is
      one whose second number does not parse (``"1-foo"``);
    * the first interval whose start is ``>= completions`` ends the parsing (``break``), so any
      later interval is dropped even if it is in range (``"5,1"`` with completions 3 -> ``[]``);
    * an interval end ``>= completions`` is clamped to ``completions - 1``;
    * anything after a second ``-`` is ignored (``"1-3-9"`` is ``1-3``);
    * an interval starting right after the previous one replaces the previous end with its own end
      (so a reversed interval such as ``"2,3-1"`` covers nothing); reversed intervals ``"5-3"``
      cover nothing; out-of-order or overlapping intervals are kept as given.
    """
    covered: set[int] = set()
    for first, last in _parse_intervals(text, completions):
        covered.update(range(first, last + 1))
    return sorted(covered)


def first_pending_indexes(
    done: Collection[int], count: int, completions: int, start: int = 0, busy_above: int = 0
) -> list[int]:
    """``firstPendingIndexes``: the lowest ``count`` indexes in ``[0, completions)`` not in
    ``done`` (the caller passes succeeded ∪ active ∪ failed, plus terminating when
    ``podReplacementPolicy == Failed``; a union that keeps its ``parts``, as
    ``jobsim.sim.syncctx.IndexUnion`` does, is taken part by part), from
    ``start`` on: with ``start`` above 0 it is the whole answer only when every lower index is
    in ``done`` (a caller that keeps that floor saves rescanning the finished prefix; one that
    knows the free indexes below adds them, as ``jobsim.sim.manage`` does).

    Set arithmetic over windows of doubling width from ``start`` (each window's indexes less
    every part of ``done``), so the indexes it steps over cost C-level set operations, not a
    Python test each (a part that is not a set, such as a dict's keys, is tested per index of
    the window rather than walked whole); it never walks ``[0, completions)``.
    ``busy_above``, about how many indexes from ``start`` on are in ``done`` (the active pods,
    say), sizes the first window so that one window usually does; it changes the cost, never
    the result. With ``busy_above`` 0 (the caller expects few indexes in ``done`` from ``start``
    on), the first ``2 * count + 8`` indexes are tested one by one before any window: building
    and subtracting sets cost more than a few membership tests.
    """
    result: list[int] = []
    if count <= 0:
        return result
    union: tuple[Collection[int], ...] | None = getattr(done, "parts", None)
    parts = (done,) if union is None else union
    lo = start
    if busy_above == 0:
        probe_end = min(start + 2 * count + 8, completions)
        while lo < probe_end and len(result) < count:
            x: object = lo  # boxed once (compiled), not once a part
            for part in parts:
                if x in part:
                    break
            else:
                result.append(lo)
            lo += 1
    width = 2 * count + busy_above + 8
    while lo < completions and len(result) < count:
        hi = min(lo + width, completions)
        free = set(range(lo, hi))
        for part in parts:  # one at a time: set.difference walks the smaller side of each
            if isinstance(part, (set, frozenset, dict)):  # a dict: its keys, by lookup
                free = free.difference(part)
            else:  # a keys view, say: difference would walk all of it
                free = {i for i in free if i not in part}
        result.extend(sorted(free)[: count - len(result)])
        lo, width = hi, 2 * width
    return result
