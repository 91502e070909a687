"""Tests for jobsim.policy.backoff (upstream pkg/controller/job/backoff_utils.go).

Expected values are taken from upstream backoff_utils_test.go tables and from upstream
``getRemainingTimeForFailuresCount`` (backoff_utils.go; constants ``DefaultJobPodFailureBackOff``
10 s and ``MaxJobPodFailureBackOff`` 10 min in job_controller.go), not from running the code.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.policy.backoff import (
    BackoffRecord,
    backoff_duration,
    index_failure_count,
    index_remaining_time,
    new_backoff_record,
    remaining_time,
)

T = 1000.0  # stands for upstream's defaultTestTime
MS = 0.001


# --- TestNewBackoffRecord ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start", "succeeded", "failed", "want"),
    [
        (
            "Empty backoff store and one new failure",
            BackoffRecord(),
            [],
            [T],
            BackoffRecord(1, T),
        ),
        (
            "Empty backoff store and two new failures",
            BackoffRecord(),
            [],
            [T, T - 1 * MS],
            BackoffRecord(2, T),
        ),
        (
            "Empty backoff store, two failures followed by success",
            BackoffRecord(),
            [T],
            [T - 2 * MS, T - 1 * MS],
            BackoffRecord(0, None),
        ),
        (
            "Empty backoff store, two failures, one success and two more failures",
            BackoffRecord(),
            [T - 2 * MS],
            [T, T - 4 * MS, T - 3 * MS, T - 1 * MS],
            BackoffRecord(2, T),
        ),
        (
            "Backoff store having failure count 2 and one new failure",
            BackoffRecord(2, None),
            [],
            [T],
            BackoffRecord(3, T),
        ),
        (
            "Empty backoff store with success and failure at same timestamp",
            BackoffRecord(),
            [T],
            [T],
            BackoffRecord(0, None),
        ),
        (
            "Empty backoff store with no success/failure",
            BackoffRecord(),
            [],
            [],
            BackoffRecord(0, None),
        ),
        (
            "Empty backoff store with one success",
            BackoffRecord(),
            [T],
            [],
            BackoffRecord(0, None),
        ),
    ],
)
def test_new_backoff_record_upstream_table(
    name: str,
    start: BackoffRecord,
    succeeded: list[float],
    failed: list[float],
    want: BackoffRecord,
) -> None:
    # upstream: TestNewBackoffRecord
    assert new_backoff_record(start, succeeded, failed) == want, name


def test_new_backoff_record_no_new_pods_keeps_existing_record() -> None:
    # newBackoffRecord: len(newSucceededPods) == 0 && len(newFailedPods) == 0 -> return *backoff
    rec = BackoffRecord(4, T)
    assert new_backoff_record(rec, [], []) is rec


def test_new_backoff_record_success_resets_previous_failures() -> None:
    # newBackoffRecord: any new success resets failuresAfterLastSuccess before counting.
    assert new_backoff_record(BackoffRecord(5, T - 100), [T], [T + 1, T + 3]) == BackoffRecord(
        2, T + 3
    )


# --- getRemainingTimeForFailuresCount --------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "want"),
    # getRemainingTimeForFailuresCount (10 s base, 600 s cap):
    # 1→10 s, 2→20 s, 3→40 s, 4→80 s, 5→160 s, 6→320 s, ≥7→600 s
    [(0, 0.0), (1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0), (5, 160.0), (6, 320.0), (7, 600.0)]
    + [(n, 600.0) for n in (8, 20, 1000)],
)
def test_backoff_duration_job_controller_defaults(failures: int, want: float) -> None:
    assert backoff_duration(failures, 10.0, 600.0) == want


def test_backoff_duration_cap_only_applied_by_doubling_loop() -> None:
    # getRemainingTimeForFailuresCount: backoffDuration := defaultBackoff; the cap is only checked
    # inside `for i := 1; i < int(failuresCount); i++`, so one failure gives the base as is.
    assert backoff_duration(1, 20.0, 10.0) == 20.0
    assert backoff_duration(2, 20.0, 10.0) == 10.0


# --- TestGetRemainingBackoffTime -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "record", "now", "want"),
    [
        ("no failures", BackoffRecord(0, None), T, 0.0),
        ("one failure; current time and failure time are same", BackoffRecord(1, T), T, 5.0),
        ("one failure; current time == 1 second + failure time", BackoffRecord(1, T), T + 1, 4.0),
        ("one failure; current time == expected backoff time", BackoffRecord(1, T), T + 5, 0.0),
        (
            "one failure; current time == expected backoff time + 1 Second",
            BackoffRecord(1, T),
            T + 6,
            0.0,
        ),
        ("three failures; current time and failure time are same", BackoffRecord(3, T), T, 20.0),
        (
            "eight failures; current time and failure time are same; "
            "backoff not exceeding maxBackoff",
            BackoffRecord(8, T),
            T,
            640.0,
        ),
        (
            "nine failures; current time and failure time are same; backoff exceeding maxBackoff",
            BackoffRecord(9, T),
            T,
            700.0,
        ),
    ],
)
def test_remaining_time_upstream_table(
    name: str, record: BackoffRecord, now: float, want: float
) -> None:
    # upstream: TestGetRemainingBackoffTime (defaultBackoff 5 s, maxBackoff 700 s)
    assert remaining_time(record, now, 5.0, 700.0) == want, name


def test_remaining_time_counts_from_finish_time_not_from_sync() -> None:
    # getRemainingTimeForFailuresCount: two simultaneous failures ⇒ failures = 2 ⇒ 20 s,
    # measured from the failure's finish time (getFinishedTime), not from the sync.
    assert remaining_time(BackoffRecord(2, 31.0), 35.0, 10.0, 600.0) == 16.0


# --- TestGetRemainingBackoffTimePerIndex -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "failure_count", "ignored", "want"),
    [
        ("two prev failures; current time and failure time are same", 2, 0, 20.0),
        (
            "one prev failure counted and one ignored; current time and failure time are same",
            1,
            1,
            20.0,
        ),
    ],
)
def test_index_remaining_time_upstream_table(
    name: str, failure_count: int, ignored: int, want: float
) -> None:
    # upstream: TestGetRemainingBackoffTimePerIndex (the pod's finish time is its
    # deletionTimestamp = defaultTestTime = the clock; defaultBackoff 5 s, maxBackoff 700 s)
    assert index_remaining_time(failure_count, ignored, T, T, 5.0, 700.0) == want, name


def test_index_remaining_time_first_failure_of_index() -> None:
    # getRemainingTimePerIndex: failureCount = annotation(0) + 1 ⇒ one base period.
    assert index_remaining_time(0, 0, T, T + 3, 10.0, 600.0) == 7.0


# --- properties ----------------------------------------------------------------------------

_bases = st.floats(min_value=0.001, max_value=1000.0, allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(
    base=_bases,
    extra=st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False),
    n=st.integers(min_value=0, max_value=200),
)
def test_backoff_duration_monotone_and_capped(base: float, extra: float, n: int) -> None:
    cap = base + extra
    d_n = backoff_duration(n, base, cap)
    d_next = backoff_duration(n + 1, base, cap)
    assert 0.0 <= d_n <= d_next <= cap
    if n >= 1:
        assert d_n >= base


@settings(deadline=None)
@given(
    base=_bases,
    extra=st.floats(min_value=0.0, max_value=1e5, allow_nan=False, allow_infinity=False),
    failures=st.integers(min_value=0, max_value=100),
    last=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    elapsed=st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
def test_remaining_time_within_zero_and_backoff(
    base: float, extra: float, failures: int, last: float, elapsed: float
) -> None:
    cap = base + extra
    record = BackoffRecord(failures, last if failures else None)
    got = remaining_time(record, last + elapsed, base, cap)
    # Durations are whole nanoseconds, as Go's time.Duration: allow that rounding.
    assert 0.0 <= got <= backoff_duration(failures, base, cap) + 1e-9


@settings(deadline=None)
@given(
    succeeded=st.lists(st.integers(min_value=0, max_value=50).map(float), max_size=6),
    failed=st.lists(st.integers(min_value=0, max_value=50).map(float), max_size=6),
    data=st.data(),
)
def test_new_backoff_record_order_independent(
    succeeded: list[float], failed: list[float], data: st.DataObject
) -> None:
    start = BackoffRecord(3, 1.0)
    shuffled_s = data.draw(st.permutations(succeeded))
    shuffled_f = data.draw(st.permutations(failed))
    assert new_backoff_record(start, succeeded, failed) == new_backoff_record(
        start, shuffled_s, shuffled_f
    )


def test_remaining_time_is_exact_in_nanoseconds() -> None:
    """Go subtracts time.Duration integers: a 10 s backoff from a failure at 1.4 s has expired
    at 11.4 s although 11.4 - 1.4 is 9.999999999999998 in floats."""
    record = BackoffRecord(failures_after_last_success=1, last_failure_time=1.4)
    assert remaining_time(record, 1.4 + 10.0, 10.0, 600.0) == 0.0
    assert remaining_time(record, 11.4 - 1e-9, 10.0, 600.0) == pytest.approx(1e-9)


@pytest.mark.parametrize(
    ("annotation", "count"),
    [
        (None, 0),  # no annotation
        ("3", 3),
        ("2147483647", 2147483647),  # the largest int32
        ("2147483648", 0),  # beyond int32
        ("-1", 0),  # negative
        ("xyz", 0),  # not a number
        (" 3", 0),  # strconv.Atoi takes no spaces
        ("+3", 3),  # but a sign
    ],
)
def test_index_failure_count_reads_the_annotation_as_upstream(
    annotation: str | None, count: int
) -> None:
    """``getIndexFailureCount``: the annotation through ``strconv.Atoi``, 0 for an error,
    a negative value or one beyond int32."""
    assert index_failure_count(annotation) == count
