"""When a CronJob's schedule fires, and which scheduled time a sync acts on.

Pure functions of explicit instants (seconds since the Unix epoch); nothing here reads a
clock. Upstream: ``pkg/controller/cronjob/utils.go`` ``mostRecentScheduleTime``,
``nextScheduleTimeDuration``, ``nextScheduleTime``, ``getTimeHashInMinutes``;
``cronjob_controllerv2.go`` ``getJobName``, ``nextScheduleDelta``; robfig/cron v3
``SpecSchedule.Next`` and ``ConstantDelaySchedule.Next``. The calendar arithmetic of a
five-field schedule (months, days, daylight-saving changes in ``timeZone``) is croniter's
(``croniter.croniter.get_next``), given the fields as robfig parsed them: each field as its
explicit values, and ``*`` exactly where robfig set its star bit, so that a day matches as
robfig's ``dayMatches`` says (day of month AND day of week when either is ``*``, else OR).
"""

from __future__ import annotations

import datetime as dt  # calendar arithmetic on given instants only: never now()
import math
import zoneinfo
from dataclasses import dataclass
from enum import Enum

from jobsim.k8s.cronparse import CronSpec, Field

NEXT_SCHEDULE_DELTA = 0.1
"""``nextScheduleDelta``: the controller requeues 100 ms after a schedule time."""

TOO_MANY_MISSED = 100
"""More missed start times than this is ``manyMissed`` (``TooManyMissedTimes``)."""

_UTC = dt.UTC


def _field_text(f: Field) -> str:
    return "*" if f.star else ",".join(str(v) for v in sorted(f.values))


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule in a time zone (``None``: UTC, the controller's usual local zone)."""

    spec: CronSpec
    time_zone: str | None = None

    def _expression(self) -> tuple[str, bool]:
        """The croniter expression and its ``day_or``: robfig's ``dayMatches``."""
        s = self.spec
        assert s.minute and s.hour and s.dom and s.month and s.dow
        dom, dow = s.dom, s.dow
        day_or = not (dom.star or dow.star)
        if day_or and (len(dom.values) == 31 or len(dow.values) == 7):
            dom = dow = Field(frozenset(), True)  # OR with a full field: every day
            day_or = False
        fields = (s.minute, s.hour, dom, s.month, dow)
        return " ".join(_field_text(f) for f in fields), day_or

    def next(self, t: float) -> float | None:
        """``Schedule.Next``: the first time strictly after ``t`` (whole seconds: the
        fraction of ``t`` is dropped first); None if it never fires (robfig's zero time)."""
        base = math.floor(t)
        if self.spec.every is not None:
            return base + self.spec.every
        from croniter import croniter  # on the first schedule: loading a scenario needs none

        name = self.time_zone or self.spec.location
        expr, day_or = self._expression()
        try:
            tz: dt.tzinfo = _UTC if name in (None, "", "UTC", "Local") else zoneinfo.ZoneInfo(name)
            start = dt.datetime.fromtimestamp(base, tz)
            nxt = croniter(expr, start, day_or=day_or).get_next(dt.datetime)
            return float(nxt.timestamp())
        except Exception:  # no such day (Feb 31: CroniterBadDateError), or past year 9999
            return None


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
