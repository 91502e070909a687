"""CronJob schedules across daylight-saving changes, as robfig/cron v3 ``SpecSchedule.Next``
computes them (``spec.go``): its hour and minute loops step on absolute time, so a local time
the zone skips never fires, and one the zone repeats fires in each of its two offsets.

The table is upstream's own (``spec_test.go`` ``TestNext``, America/New_York, where 2012-03-11
02:00 EST became 03:00 EDT and 2012-11-04 02:00 EDT became 01:00 EST), its six-field specs
written as the five fields ``ParseStandard`` takes. The scenarios run the CronJob controller
on the two Europe/Berlin nights of 2026: 2026-03-29 02:00 CET (01:00 UTC) became 03:00 CEST,
and 2026-10-25 03:00 CEST (01:00 UTC) became 02:00 CET.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jobsim import load_scenario
from jobsim.k8s.cronparse import parse_standard
from jobsim.policy.cron import Schedule
from jobsim.record import Recorder
from jobsim.sim.simulation import Simulation
from tests.test_cronjob import H, cronjob, data

NY = "America/New_York"


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize(
    ("start", "spec", "expected"),
    [
        # Daylight savings time 2am EST (-5) -> 3am EDT (-4)
        ("2012-03-11T00:00:00-05:00", "30 2 11 Mar ?", "2013-03-11T02:30:00-04:00"),
        # hourly job
        ("2012-03-11T00:00:00-05:00", "0 * * * ?", "2012-03-11T01:00:00-05:00"),
        ("2012-03-11T01:00:00-05:00", "0 * * * ?", "2012-03-11T03:00:00-04:00"),
        ("2012-03-11T03:00:00-04:00", "0 * * * ?", "2012-03-11T04:00:00-04:00"),
        ("2012-03-11T04:00:00-04:00", "0 * * * ?", "2012-03-11T05:00:00-04:00"),
        # 1am nightly job
        ("2012-03-11T00:00:00-05:00", "0 1 * * ?", "2012-03-11T01:00:00-05:00"),
        ("2012-03-11T01:00:00-05:00", "0 1 * * ?", "2012-03-12T01:00:00-04:00"),
        # 2am nightly job (skipped)
        ("2012-03-11T00:00:00-05:00", "0 2 * * ?", "2012-03-12T02:00:00-04:00"),
        # Daylight savings time 2am EDT (-4) => 1am EST (-5)
        ("2012-11-04T00:00:00-04:00", "30 2 04 Nov ?", "2012-11-04T02:30:00-05:00"),
        ("2012-11-04T01:45:00-04:00", "30 1 04 Nov ?", "2012-11-04T01:30:00-05:00"),
        # hourly job
        ("2012-11-04T00:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-04:00"),
        ("2012-11-04T01:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-05:00"),
        ("2012-11-04T01:00:00-05:00", "0 * * * ?", "2012-11-04T02:00:00-05:00"),
        # 1am nightly job (runs twice)
        ("2012-11-04T00:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-04:00"),
        ("2012-11-04T01:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-05:00"),
        ("2012-11-04T01:00:00-05:00", "0 1 * * ?", "2012-11-05T01:00:00-05:00"),
        # 2am nightly job
        ("2012-11-04T00:00:00-04:00", "0 2 * * ?", "2012-11-04T02:00:00-05:00"),
        ("2012-11-04T02:00:00-05:00", "0 2 * * ?", "2012-11-05T02:00:00-05:00"),
        # 3am nightly job
        ("2012-11-04T00:00:00-04:00", "0 3 * * ?", "2012-11-04T03:00:00-05:00"),
        ("2012-11-04T03:00:00-05:00", "0 3 * * ?", "2012-11-05T03:00:00-05:00"),
    ],
)
def test_robfigs_daylight_saving_table(start: str, spec: str, expected: str) -> None:
    """robfig's ``TestNext`` rows for America/New_York, given as ``timeZone``."""
    assert Schedule(parse_standard(spec), NY).next(at(start)) == at(expected)


def test_the_tz_prefix_is_the_same_zone() -> None:
    """``TZ=`` in the schedule (robfig's ``Location``) as ``timeZone``: 2am skipped."""
    schedule = Schedule(parse_standard(f"TZ={NY} 0 2 * * *"))
    assert schedule.next(at("2012-03-11T00:00:00-05:00")) == at("2012-03-12T02:00:00-04:00")


def test_unsatisfiable_is_never() -> None:
    """robfig's "Unsatisfiable" rows: nothing within five years is the zero time."""
    assert Schedule(parse_standard("0 0 30 Feb ?")).next(at("2012-07-09T23:35:00+00:00")) is None
    assert Schedule(parse_standard("0 0 31 Apr ?")).next(at("2012-07-09T23:35:00+00:00")) is None


def berlin(wall_clock: str, horizon: str, schedule: str = "30 2 * * *") -> list[Any]:
    """(creation time, scheduled-timestamp annotation) of each Job of a CronJob in
    Europe/Berlin, started at ``wall_clock``."""
    d = data(cronjob(schedule=schedule, timeZone="Europe/Berlin"), {"duration": "1m"}, horizon)
    scenario = load_scenario({**d, "wallClock": wall_clock})
    sim = Simulation(scenario, Recorder())
    sim.run(scenario.stop_time)
    jobs = sorted(sim.jobs.values(), key=lambda j: j.submitted_at)
    return [
        (
            j.submitted_at,
            j.job.metadata.name,
            (j.job.metadata.annotations or {})["batch.kubernetes.io/cronjob-scheduled-timestamp"],
        )
        for j in jobs
    ]


def minute(text: str) -> int:
    """``getJobName``'s suffix: the scheduled minute since the Unix epoch."""
    return int(at(text)) // 60


def test_spring_forward_skips_the_night() -> None:
    """02:30 does not exist in Berlin on 2026-03-29: ``30 2 * * *`` fires 02:30 CET on the
    27th and 28th (01:30 UTC: 1h30m and 25h30m after the wall clock), nothing on the 29th,
    then 02:30 CEST on the 30th (00:30 UTC: 72h30m)."""
    assert berlin("2026-03-27T00:00:00Z", "96h") == [
        (1.5 * H + 0.1, f"nightly-{minute('2026-03-27T01:30:00Z')}", "2026-03-27T02:30:00+01:00"),
        (25.5 * H + 0.1, f"nightly-{minute('2026-03-28T01:30:00Z')}", "2026-03-28T02:30:00+01:00"),
        (72.5 * H + 0.1, f"nightly-{minute('2026-03-30T00:30:00Z')}", "2026-03-30T02:30:00+02:00"),
    ]


def test_fall_back_runs_twice() -> None:
    """02:30 happens twice in Berlin on 2026-10-25, at 00:30 UTC (CEST) and 01:30 UTC (CET):
    ``30 2 * * *`` fires at both, as robfig's "1am nightly job (runs twice)"."""
    assert berlin("2026-10-24T00:00:00Z", "60h") == [
        (0.5 * H + 0.1, f"nightly-{minute('2026-10-24T00:30:00Z')}", "2026-10-24T02:30:00+02:00"),
        (24.5 * H + 0.1, f"nightly-{minute('2026-10-25T00:30:00Z')}", "2026-10-25T02:30:00+02:00"),
        (25.5 * H + 0.1, f"nightly-{minute('2026-10-25T01:30:00Z')}", "2026-10-25T02:30:00+01:00"),
        (49.5 * H + 0.1, f"nightly-{minute('2026-10-26T01:30:00Z')}", "2026-10-26T02:30:00+01:00"),
    ]


def test_a_dated_schedule_on_the_repeated_hour_runs_twice() -> None:
    """With the day named (``30 2 25 10 *``) the repeated 02:30 still fires twice, as in
    robfig's ``0 1 * * ?`` rows; the next is a year later."""
    assert [t for t, _, _ in berlin("2026-10-24T00:00:00Z", "60h", "30 2 25 10 *")] == [
        24.5 * H + 0.1,
        25.5 * H + 0.1,
    ]
    schedule = Schedule(parse_standard("30 2 25 10 *"), "Europe/Berlin")
    assert schedule.next(at("2026-10-25T01:30:00Z")) == at("2027-10-25T02:30:00+02:00")
