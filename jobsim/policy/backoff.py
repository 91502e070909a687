"""Pod-failure backoff of the Job controller (upstream ``pkg/controller/job/backoff_utils.go``).

Pure functions: times are float seconds on the simulation clock; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from jobsim.k8s.indexes import go_atoi

__all__ = [
    "BackoffRecord",
    "backoff_duration",
    "index_failure_count",
    "index_remaining_time",
    "nanoseconds",
    "new_backoff_record",
    "remaining_time",
]


@dataclass(slots=True, init=False, unsafe_hash=True)  # frozen by Final, a compiled __init__
class BackoffRecord:
    """``backoffRecord{failuresAfterLastSuccess, lastFailureTime}`` (the key is the caller's)."""

    failures_after_last_success: Final[int]
    last_failure_time: Final[float | None]

    def __init__(
        self, failures_after_last_success: int = 0, last_failure_time: float | None = None
    ) -> None:
        self.failures_after_last_success = failures_after_last_success
        self.last_failure_time = last_failure_time


def new_backoff_record(
    record: BackoffRecord,
    new_succeeded: Sequence[float],
    new_failed: Sequence[float],
) -> BackoffRecord:
    """``backoffStore.newBackoffRecord``.

    ``new_succeeded`` / ``new_failed`` are the finish times (``getFinishedTime``, see
    :func:`jobsim.policy.finish_time.pod_finished_time`) of the pods newly seen finished, in any
    order (upstream sorts them with ``sortByFinishedTime``).

    * no new pods: ``record`` unchanged;
    * only failures: ``failures += len(new_failed)``, ``last = max(new_failed)``;
    * any success: reset to ``(0, None)``, then count only the new failures finished *strictly
      after* the latest new success (upstream: ``if !failedTime.After(lastSuccessTime) {break}``);
      ``last`` is the latest of those, or ``None`` if there are none.
    """
    if not new_succeeded:
        if not new_failed:
            return record
        return BackoffRecord(
            failures_after_last_success=record.failures_after_last_success + len(new_failed),
            last_failure_time=max(new_failed),
        )
    last_success = max(new_succeeded)
    after = [t for t in new_failed if t > last_success]
    return BackoffRecord(
        failures_after_last_success=len(after),
        last_failure_time=max(after) if after else None,
    )


def backoff_duration(failures: int, base: float, cap: float) -> float:
    """The delay computed by ``getRemainingTimeForFailuresCount``.

    ``0`` for ``failures <= 0``; otherwise ``base`` doubled ``failures - 1`` times, where the loop
    stops as soon as the doubled value is ``>= cap`` and uses ``cap``. As upstream, the cap is
    only applied by the doubling loop: with ``failures == 1`` the result is ``base`` even if
    ``base > cap``.
    """
    if failures <= 0:
        return 0.0
    duration = base
    for _ in range(1, failures):
        duration *= 2
        if duration >= cap:
            duration = cap
            break
    return duration


def remaining_time(record: BackoffRecord, now: float, base: float, cap: float) -> float:
    """``backoffRecord.getRemainingTime``: time left before a replacement pod may be created.

    ``0`` if there are no failures; else ``backoff - (now - last_failure_time)``, or ``0`` when
    ``backoff < elapsed`` (upstream ``if backoffDuration < timeElapsedSinceLastFailure {return
    0}``; at equality the difference is ``0`` anyway). As upstream, a ``now`` earlier than the last
    failure gives more than ``backoff``.
    """
    if record.failures_after_last_success == 0:
        return 0.0
    if record.last_failure_time is None:
        # Upstream would dereference a nil *time.Time; a record with failures always has a time.
        raise ValueError("a BackoffRecord with failures must have last_failure_time")
    return _remaining(
        backoff_duration(record.failures_after_last_success, base, cap),
        now - record.last_failure_time,
    )


def index_remaining_time(
    failure_count: int,
    ignored_failure_count: int,
    last_failure_time: float,
    now: float,
    base: float,
    cap: float,
) -> float:
    """``getRemainingTimePerIndex`` for an index whose latest failed pod is known.

    ``failure_count`` / ``ignored_failure_count`` are that pod's
    ``batch.kubernetes.io/job-index-failure-count`` / ``…-ignored-failure-count`` annotations
    (``getIndexAbsoluteFailureCount``), ``last_failure_time`` its ``getFinishedTime``;
    failures = ``failure_count + ignored_failure_count + 1``. (No failed pod ⇒ upstream returns 0;
    the caller handles that case.)
    """
    failures = failure_count + ignored_failure_count + 1
    return _remaining(backoff_duration(failures, base, cap), now - last_failure_time)


def index_failure_count(annotation: str | None) -> int:
    """A pod's ``batch.kubernetes.io/job-index-failure-count`` (or ``…-ignored-…``)
    annotation as a count: 0 when absent, not a number, negative or beyond int32 (upstream
    ``getIndexFailureCount``/``getIndexAbsoluteFailureCount`` of indexed_job_utils.go, which
    log the bad value and go on with 0)."""
    if annotation is None:
        return 0
    count = go_atoi(annotation)
    if count is None or count < 0 or count > 2**31 - 1:
        return 0
    return count


def nanoseconds(seconds: float) -> int:
    """Seconds as Go's ``time.Duration``: whole nanoseconds (so float round-off vanishes)."""
    return round(seconds * 1e9)


def _remaining(backoff: float, elapsed: float) -> float:
    # In integer nanoseconds, as Go computes it: 11.4 - 1.4 is exactly the 10 s backoff.
    b, e = nanoseconds(backoff), nanoseconds(elapsed)
    if b < e:
        return 0.0
    return (b - e) / 1e9
