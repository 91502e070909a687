"""Tests for jobsim.policy.intervals (upstream pkg/controller/job/indexed_job_utils.go).

Expected values come from upstream tests (indexed_job_utils_test.go, job_controller_test.go) or
from reading the upstream functions (cited next to each case), never from running the code.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.k8s.indexes import go_atoi
from jobsim.policy.intervals import (
    first_pending_indexes,
    format_indexes,
    intervals_have_index,
    parse_indexes,
)

# --- format_indexes (orderedIntervals.String) -------------------------------------------------


@pytest.mark.parametrize(
    ("indexes", "want"),
    [
        # indexed_job_utils.go orderedIntervals.String: a run of 3+ is first-last, of 2 is a,b
        ({1, 3, 4, 5, 7}, "1,3-5,7"),
        ({3, 4}, "3,4"),
        ({0, 1, 2}, "0-2"),
        (set(), ""),
        # job_controller_test.go TestControllerSyncJob "indexed job completed"
        ({0, 1, 2}, "0-2"),
        # TestControllerSyncJob "indexed job repeated completed index"
        ({0, 1}, "0,1"),
        # TestControllerSyncJob "indexed job some running and completed pods"
        ({2, 4, 5, 7, 8, 9}, "2,4,5,7-9"),
        # TestControllerSyncJob "indexed job some pods without index"
        ({0}, "0"),
    ],
)
def test_format_indexes(indexes: set[int], want: str) -> None:
    assert format_indexes(indexes) == want


def test_format_indexes_accepts_unsorted_duplicates() -> None:
    # withOrderedIndexes merges adjacent indexes; String writes "a,b" only for Last == First+1.
    assert format_indexes([9, 7, 8, 8, 0, 10]) == "0,7-10"


def test_format_indexes_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_indexes([-1, 0])


# --- parse_indexes (parseIndexesFromString) ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "completions", "want"),
    [
        # TestCalculateSucceededIndexes: wantStatusIntervals
        ("prev interval out of range", "0-5,8-10", 8, [0, 1, 2, 3, 4, 5]),
        (
            "prev interval partially out of range",
            "0-5,8-10",
            10,
            [0, 1, 2, 3, 4, 5, 8, 9],
        ),
        ("prev and new separate", "0,4,5,10-12", 13, [0, 4, 5, 10, 11, 12]),
        ("prev between new", "3,4,6", 9, [3, 4, 6]),
        ("new between prev", "2,7,8", 9, [2, 7, 8]),
        ("new within prev", "2-7", 10, [2, 3, 4, 5, 6, 7]),
        ("corrupted interval", "0,1-foo,bar", 4, [0]),
        ("no previous", "", 4, []),
        # TestCalculateFailedIndexes
        ("prev failed indexes empty", "", 2, []),
        ("prev failed indexes outside the completions", "9", 2, []),
        ("extend the failed indexes", "0", 2, [0]),
    ],
)
def test_parse_indexes_upstream_tables(
    name: str, text: str, completions: int, want: list[int]
) -> None:
    assert parse_indexes(text, completions) == want, name


@pytest.mark.parametrize(
    ("text", "completions", "want"),
    [
        # `if inter.First >= completions { break }`: later intervals are dropped too.
        ("5,1", 3, []),
        ("0,7,1", 3, [0]),
        # strconv.Atoi accepts a leading '+', rejects spaces and empty parts (`continue`).
        ("+3", 5, [3]),
        (" 1,2", 5, [2]),
        ("1,,2", 5, [1, 2]),
        ("1_0", 20, []),
        # strings.Split(intervalStr, "-"): only limitsStr[0] and limitsStr[1] are read.
        ("1-3-9", 10, [1, 2, 3]),
        # a leading '-' leaves limitsStr[0] == "" -> Atoi error -> skipped.
        ("-1,2", 5, [2]),
        # reversed interval covers nothing; merging assigns `lastInterval.Last = inter.Last`.
        ("5-3", 10, []),
        ("2,3-1", 10, []),
        # `if inter.Last >= completions { inter.Last = completions - 1 }`
        ("1-100", 4, [1, 2, 3]),
        # overlapping / unordered intervals are kept; the union is what they cover.
        ("4-6,1-5", 10, [1, 2, 3, 4, 5, 6]),
        # a number beyond int64 is an Atoi range error (`continue`), however long it is.
        ("9223372036854775808,2", 5, [2]),
        ("1" * 5000 + ",2", 5, [2]),
    ],
)
def test_parse_indexes_lenient_like_upstream(text: str, completions: int, want: list[int]) -> None:
    assert parse_indexes(text, completions) == want


# --- go_atoi (strconv.Atoi, 64-bit int), shared with jobsim.k8s.indexes ---------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("0", 0),
        ("-0", 0),
        ("+7", 7),
        ("007", 7),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
        ("0" * 30 + "1", 1),
        ("9223372036854775808", None),  # ErrRange
        ("-9223372036854775809", None),
        ("9" * 5000, None),
        ("", None),  # ErrSyntax from here on
        ("+", None),
        ("-", None),
        ("+-1", None),
        (" 1", None),
        ("1 ", None),
        ("1\n", None),
        ("1_000", None),
        ("0x10", None),
        ("\u0663", None),  # ARABIC-INDIC DIGIT THREE: not an ASCII digit
    ],
)
def test_go_atoi(text: str, want: int | None) -> None:
    assert go_atoi(text) == want


# --- first_pending_indexes (firstPendingIndexes) ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "done", "count", "completions", "want"),
    [
        # TestFirstPendingIndexes
        ("cnt greater than completions", set(), 5, 3, [0, 1, 2]),
        ("cnt less than completions", set(), 2, 5, [0, 1]),
        ("first pods active", {0, 1}, 3, 10, [2, 3, 4]),
        ("last pods active or succeeded", {6} | {4, 5}, 6, 6, [0, 1, 2, 3]),
        ("mixed", {3, 5, 8} | {2, 3, 4, 9}, 5, 20, [0, 1, 6, 7, 10]),
        ("with failed indexes", {3, 9} | {1, 5, 9} | {2, 6, 7}, 5, 20, [0, 4, 8, 10, 11]),
        # job_controller_test.go TestControllerSyncJob "indexed job some running and completed
        # pods": parallelism 8, 2 active -> 6 creations with indexes {1, 6, 10, 11, 12, 13}
        (
            "controller: some running and completed",
            {0, 3} | {2, 4, 5, 7, 8, 9},
            6,
            20,
            [1, 6, 10, 11, 12, 13],
        ),
        # firstPendingIndexes: `if count == 0 { return nil }`
        ("zero count", set(), 0, 5, []),
    ],
)
def test_first_pending_indexes_upstream_tables(
    name: str, done: set[int], count: int, completions: int, want: list[int]
) -> None:
    assert first_pending_indexes(done, count, completions) == want, name


def test_first_pending_indexes_does_not_scan_completions() -> None:
    start = time.perf_counter()
    assert first_pending_indexes({0, 2}, 3, 10**15) == [1, 3, 4]
    assert first_pending_indexes(set(range(0, 20_000, 2)), 2, 10**15) == [1, 3]
    assert time.perf_counter() - start < 1.0


# --- properties ----------------------------------------------------------------------------


@settings(deadline=None)
@given(
    completions=st.integers(min_value=1, max_value=300),
    data=st.data(),
)
def test_format_parse_round_trip(completions: int, data: st.DataObject) -> None:
    indexes = data.draw(st.sets(st.integers(min_value=0, max_value=completions - 1)))
    assert parse_indexes(format_indexes(indexes), completions) == sorted(indexes)


@settings(deadline=None)
@given(
    completions=st.integers(min_value=0, max_value=200),
    done=st.sets(st.integers(min_value=0, max_value=250), max_size=60),
    count=st.integers(min_value=0, max_value=250),
)
def test_first_pending_indexes_properties(completions: int, done: set[int], count: int) -> None:
    got = first_pending_indexes(done, count, completions)
    available = [i for i in range(completions) if i not in done]
    assert got == sorted(set(got))
    assert not set(got) & done
    assert all(0 <= i < completions for i in got)
    assert len(got) == min(count, len(available))
    # the lowest ones
    assert got == available[: len(got)]


@settings(deadline=None)
@given(
    completions=st.integers(min_value=0, max_value=400),
    sets=st.lists(st.sets(st.integers(min_value=0, max_value=450), max_size=150), max_size=4),
    kinds=st.lists(st.sampled_from(["set", "keys", "dict"]), min_size=4, max_size=4),
    count=st.integers(min_value=0, max_value=300),
    busy_above=st.integers(min_value=0, max_value=500),
)
def test_first_pending_indexes_of_a_union_by_parts(
    completions: int, sets: list[set[int]], kinds: list[str], count: int, busy_above: int
) -> None:
    """A union given by its parts (the controller's succeeded ∪ active ∪ failed, the active
    ones a dict of counts by index, or its keys) gives what the union as one set gives, from
    any floor below which every index is taken, whatever ``busy_above`` says (0: indexes
    tested one by one first; else windows only)."""
    parts: list[Collection[int]] = [
        p if kind == "set" else dict.fromkeys(p, 1) if kind == "dict" else dict.fromkeys(p).keys()
        for p, kind in zip(sets, kinds, strict=False)
    ]
    union = set().union(*sets)
    start = 0
    while start in union:
        start += 1

    class Union:
        def __init__(self) -> None:
            self.parts = tuple(parts)

        def __contains__(self, x: object) -> bool:
            return x in union

        def __iter__(self) -> Iterator[int]:
            return iter(union)

        def __len__(self) -> int:
            return len(union)

    got = first_pending_indexes(Union(), count, completions, start, busy_above)
    assert got == [i for i in range(completions) if i not in union][:count]


@pytest.mark.parametrize(
    ("intervals", "index", "has"),
    [
        ([], 4, False),
        ([(2, 4), (5, 7)], 1, False),  # before all
        ([(2, 4), (6, 8)], 9, False),  # after all
        ([(2, 4), (6, 8)], 2, True),  # first of the first
        ([(2, 4), (6, 8)], 5, False),  # in the gap
        ([(2, 4), (6, 8)], 8, True),  # last of the last
        ([(0, 0), (2, 2), (4, 4)], 4, True),
    ],
)
def test_intervals_have_index(intervals: list[tuple[int, int]], index: int, has: bool) -> None:
    """``orderedIntervals.has``: a binary search for the first interval ending at or after
    the index, which holds it if it starts at or before it."""
    assert intervals_have_index(intervals, index) is has


@given(st.sets(st.integers(0, 40)), st.integers(-2, 42))
def test_intervals_have_index_agrees_with_the_set(indexes: set[int], index: int) -> None:
    intervals: list[tuple[int, int]] = []
    for i in sorted(indexes):
        if intervals and intervals[-1][1] == i - 1:
            intervals[-1] = (intervals[-1][0], i)
        else:
            intervals.append((i, i))
    assert intervals_have_index(intervals, index) is (index in indexes)
