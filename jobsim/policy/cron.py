"""When a CronJob's schedule fires, and which scheduled time a sync acts on.

Pure functions of explicit instants (seconds since the Unix epoch); nothing here reads a
clock. Upstream: ``pkg/controller/cronjob/utils.go`` ``mostRecentScheduleTime``,
``nextScheduleTimeDuration``, ``nextScheduleTime``, ``getTimeHashInMinutes``;
``cronjob_controllerv2.go`` ``getJobName``, ``nextScheduleDelta``; robfig/cron v3
``SpecSchedule.Next`` and ``ConstantDelaySchedule.Next``. ``SpecSchedule.Next`` is followed
step by step, with Go's ``time`` arithmetic (``time.Date``'s choice of offset for a local time
a zone skips or repeats; ``Add`` and ``Truncate`` on absolute time), so that daylight-saving
nights come out as upstream's: a skipped local time never fires, a repeated one fires twice.
"""

from __future__ import annotations

import datetime as dt  # calendar arithmetic on given instants only: never now()
import math
import zoneinfo
from dataclasses import dataclass
from enum import Enum

from jobsim.k8s.cronparse import CronSpec

NEXT_SCHEDULE_DELTA = 0.1
"""``nextScheduleDelta``: the controller requeues 100 ms after a schedule time."""

TOO_MANY_MISSED = 100
"""More missed start times than this is ``manyMissed`` (``TooManyMissedTimes``)."""

_UTC = dt.UTC


_YEAR_LIMIT = 5
"""robfig: "If no time is found within five years, return zero"."""


def _offset(unix: int, tz: dt.tzinfo) -> int:
    """The zone's UTC offset in seconds at an instant (Go's ``Location.lookup``)."""
    off = dt.datetime.fromtimestamp(unix, tz).utcoffset()
    return 0 if off is None else int(off.total_seconds())


def _go_date(d: tuple[int, int, int, int, int, int], tz: dt.tzinfo) -> int:
    """Go's ``time.Date(year, month, day, hour, min, sec, 0, loc)``: fields out of range carry
    over; a local time the zone skips or repeats takes the offset of the zone period that
    holds the fields read as UTC, or else the one in force at that UTC minus that offset."""
    year, month, day, hour, minute, second = d
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first = dt.datetime(year, month, 1, hour, minute, second, tzinfo=_UTC)
    unix = int(first.timestamp()) + (day - 1) * 86400
    return unix - _offset(unix - _offset(unix, tz), tz)


def _clock(t: dt.datetime) -> tuple[int, int, int]:
    return t.hour, t.minute, t.second


def _day_matches(spec: CronSpec, t: dt.datetime) -> bool:
    """robfig's ``dayMatches``: day of month AND day of week when either has the star bit,
    else OR (Go's ``Weekday``: Sunday is 0)."""
    assert spec.dom and spec.dow
    dom = t.day in spec.dom.values
    dow = (t.weekday() + 1) % 7 in spec.dow.values
    return dom and dow if spec.dom.star or spec.dow.star else dom or dow


def _spec_next(spec: CronSpec, base: int, tz: dt.tzinfo) -> int | None:
    """robfig's ``SpecSchedule.Next`` from whole second ``base`` (seconds field ``0``, as
    ``ParseStandard`` sets it): month, day, hour, minute and second loops, each stepping
    until its field matches and starting again from the month when it wraps. Hours and
    minutes step on absolute time, so a skipped local hour is never matched and a repeated
    one is matched again in its second offset."""
    assert spec.minute and spec.hour and spec.month
    t = base + 1
    added = False
    year_limit = dt.datetime.fromtimestamp(t, tz).year + _YEAR_LIMIT
    while True:  # WRAP
        lt = dt.datetime.fromtimestamp(t, tz)
        if lt.year > year_limit:
            return None
        wrapped = False
        while lt.month not in spec.month.values:
            if not added:
                added = True
                t = _go_date((lt.year, lt.month, 1, 0, 0, 0), tz)
                lt = dt.datetime.fromtimestamp(t, tz)
            t = _go_date((lt.year, lt.month + 1, lt.day, *_clock(lt)), tz)  # AddDate(0, 1, 0)
            lt = dt.datetime.fromtimestamp(t, tz)
            if lt.month == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not _day_matches(spec, lt):
            if not added:
                added = True
                t = _go_date((lt.year, lt.month, lt.day, 0, 0, 0), tz)
                lt = dt.datetime.fromtimestamp(t, tz)
            t = _go_date((lt.year, lt.month, lt.day + 1, *_clock(lt)), tz)  # AddDate(0, 0, 1)
            lt = dt.datetime.fromtimestamp(t, tz)
            if lt.hour != 0:  # "Notice if the hour is no longer midnight due to DST."
                t += (24 - lt.hour if lt.hour > 12 else -lt.hour) * 3600
                lt = dt.datetime.fromtimestamp(t, tz)
            if lt.day == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while lt.hour not in spec.hour.values:
            if not added:
                added = True
                t = _go_date((lt.year, lt.month, lt.day, lt.hour, 0, 0), tz)
            t += 3600
            lt = dt.datetime.fromtimestamp(t, tz)
            if lt.hour == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while lt.minute not in spec.minute.values:
            if not added:
                added = True
                t -= t % 60  # Truncate(time.Minute): on absolute time
            t += 60
            lt = dt.datetime.fromtimestamp(t, tz)
            if lt.minute == 0:
                wrapped = True
                break
        if wrapped:
            continue
        if lt.second != 0:  # the seconds loop: only second 0 matches
            added = True
            t += 60 - lt.second
            continue  # it wrapped to second 0
        return t


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule in a time zone (``None``: UTC, the controller's usual local zone)."""

    spec: CronSpec
    time_zone: str | None = None

    def next(self, t: float) -> float | None:
        """``Schedule.Next``: the first time strictly after ``t`` (whole seconds: the
        fraction of ``t`` is dropped first); None if it never fires (robfig's zero time:
        nothing within five years, as for Feb 31)."""
        base = math.floor(t)
        if self.spec.every is not None:
            return base + self.spec.every
        name = self.time_zone or self.spec.location
        tz: dt.tzinfo = _UTC if name in (None, "", "UTC", "Local") else zoneinfo.ZoneInfo(name)
        try:
            nxt = _spec_next(self.spec, base, tz)
        except (OverflowError, ValueError, OSError):  # past year 9999
            return None
        return None if nxt is None else float(nxt)


class Missed(Enum):
    """``missedSchedulesType``."""

    NONE = "none"
    FEW = "few"
    MANY = "many"


class InvalidSchedule(ValueError):
    """``mostRecentScheduleTime``'s error: a schedule that never fires twice."""


def most_recent_schedule_time(
    schedule: Schedule,
    created: float,
    last_schedule: float | None,
    starting_deadline: int | None,
    now: float,
    include_starting_deadline: bool,
) -> tuple[float, float | None, Missed]:
    """``mostRecentScheduleTime``: (the earliest time considered, the most recent unmet
    schedule time at or before ``now`` or None, how many were missed). Raises
    ``InvalidSchedule`` ("time difference between two schedules is less than 1 second")."""
    earliest = created if last_schedule is None else last_schedule
    if include_starting_deadline and starting_deadline is not None:
        earliest = max(earliest, now - starting_deadline)
    t1 = schedule.next(earliest)
    t2 = None if t1 is None else schedule.next(t1)
    if t1 is not None and now < t1:
        return earliest, None, Missed.NONE
    if t1 is not None and t2 is not None and now < t2:
        return earliest, t1, Missed.NONE
    between = 0 if t1 is None or t2 is None else round(t2 - t1)
    if between < 1 or t1 is None:
        raise InvalidSchedule("time difference between two schedules is less than 1 second")
    missed_count = int(now - t1) // between + 1
    most_recent: float | None = None
    t: float | None = schedule.next(t1 + (missed_count - 2) * between)
    while t is not None and t <= now:
        most_recent = t
        t = schedule.next(t)
    missed = Missed.MANY if missed_count > TOO_MANY_MISSED else Missed.FEW
    return earliest, most_recent, missed


def next_schedule_time_duration(
    schedule: Schedule,
    created: float,
    last_schedule: float | None,
    starting_deadline: int | None,
    now: float,
) -> float | None:
    """``nextScheduleTimeDuration``: how long until the next sync, ``nextScheduleDelta``
    after the next schedule time (None: the schedule never fires again)."""
    nxt = next_schedule_after(schedule, created, last_schedule, starting_deadline, now)
    return None if nxt is None else nxt + NEXT_SCHEDULE_DELTA - now


def next_schedule_after(
    schedule: Schedule,
    created: float,
    last_schedule: float | None,
    starting_deadline: int | None,
    now: float,
) -> float | None:
    """The schedule time ``nextScheduleTimeDuration`` requeues after (the sync comes
    ``NEXT_SCHEDULE_DELTA`` later), exact; None if the schedule never fires again."""
    try:
        earliest, most_recent, missed = most_recent_schedule_time(
            schedule, created, last_schedule, starting_deadline, now, False
        )
    except InvalidSchedule:
        most_recent = now
    else:
        if most_recent is None:
            most_recent = earliest if missed is Missed.NONE else now
    return schedule.next(most_recent)


def job_name(cronjob: str, scheduled: float) -> str:
    """``getJobName``: ``<cronjob>-<scheduled time in minutes since the epoch>``."""
    return f"{cronjob}-{int(scheduled) // 60}"


def scheduled_timestamp(scheduled: float, time_zone: str | None) -> str:
    """The scheduled time as RFC 3339 in the CronJob's zone (Go's ``time.RFC3339``)."""
    tz: dt.tzinfo = (
        _UTC if time_zone in (None, "", "UTC", "Local") else zoneinfo.ZoneInfo(time_zone)
    )
    t = dt.datetime.fromtimestamp(int(scheduled), tz)
    text = t.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rfc1123z(t: float) -> str:
    """``time.RFC1123Z`` in UTC, as the ``MissSchedule`` event writes the time."""
    return dt.datetime.fromtimestamp(int(t), _UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


__all__ = [
    "NEXT_SCHEDULE_DELTA",
    "TOO_MANY_MISSED",
    "InvalidSchedule",
    "Missed",
    "Schedule",
    "job_name",
    "most_recent_schedule_time",
    "next_schedule_after",
    "next_schedule_time_duration",
    "rfc1123z",
    "scheduled_timestamp",
]
