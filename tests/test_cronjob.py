"""CronJobs: the API server's defaulting and validation, robfig's parser, the schedule
arithmetic of ``pkg/controller/cronjob/utils.go`` and, in virtual time, the controller of
``cronjob_controllerv2.go``: exact timelines derived from upstream's rules.

Every scenario starts at the default wall clock, Monday 2026-01-05T00:00:00Z (epoch
1767571200 s, 29459520 minutes), so a schedule ``0 2 * * *`` fires at virtual 2h, 26h, 50h…
and the controller, requeued ``nextScheduleDelta`` (100 ms) after each schedule time, creates
the Job 0.1 s later, named ``<cronjob>-<scheduled minute since the epoch>`` (``getJobName``).
"""

from __future__ import annotations

import ast
import copy
import math
from pathlib import Path
from typing import Any

import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.k8s.cronjob import CronJob, set_cronjob_defaults
from jobsim.k8s.cronparse import CronSyntaxError, parse_standard
from jobsim.policy.cron import (
    InvalidSchedule,
    Missed,
    Schedule,
    job_name,
    most_recent_schedule_time,
    next_schedule_time_duration,
    scheduled_timestamp,
)
from jobsim.record import Recorder
from jobsim.sim.simulation import Simulation
from tests.helpers import ZERO, scenario_error

H = 3600.0
EPOCH0 = 1767571200  # 2026-01-05T00:00:00Z
MIN0 = EPOCH0 // 60


def cronjob(name: str = "nightly", schedule: str = "0 2 * * *", **spec: Any) -> dict[str, Any]:
    """A batch/v1 CronJob with one container; ``spec`` keys override the CronJob spec
    (``job``: keys of the template's Job spec)."""
    job_spec = {
        "template": {
            "spec": {
                "containers": [{"name": "main", "image": "busybox:1.36"}],
                "restartPolicy": "Never",
            }
        },
        **spec.pop("job", {}),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": job_spec}, **spec},
    }


def data(
    manifest: dict[str, Any],
    workload: dict[str, Any] | None = None,
    horizon: str = "168h",
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "name": "cron",
        "seed": 1,
        "horizon": horizon,
        "timing": copy.deepcopy(ZERO),
        "cluster": {
            "nodePools": [{"name": "n", "count": 2, "capacity": {"cpu": "4", "memory": "16Gi"}}]
        },
        "jobs": [{"manifest": manifest, "workload": workload or {"duration": "1h"}}],
        "events": events or [],
    }


def run(d: dict[str, Any]) -> Result:
    return simulate(load_scenario(d))


def created(result: Result) -> list[tuple[str, float]]:
    """(name, submittedAt) of every Job, in creation order."""
    return [(j["name"], j["submittedAt"]) for j in result.jobs()]


def cron_events(result: Result, reason: str | None = None) -> list[tuple[float, str, str]]:
    """(t, reason, message) of the CronJob controller's events."""
    from jobsim.record import Kind

    return [
        (t, ref, text)
        for _, t, _, _, ref, _, _, text in result.recorder.select(Kind.CRONJOB_EVENT)
        if reason is None or ref == reason
    ]


def nightly(d: int) -> tuple[str, float]:
    """Night ``d``'s Job of ``0 2 * * *``: its name and creation time."""
    return f"nightly-{MIN0 + 120 + 1440 * d}", 2 * H + 24 * H * d + 0.1


# -- robfig's parser ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty spec string"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("0 0 * * * *", "expected exactly 5 fields, found 6: [0 0 * * * *]"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/2/3 * * * *", "too many slashes: */2/3"),
        (
            "x * * * *",
            'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
        ),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ],
)
def test_parse_errors_are_robfigs(spec: str, message: str) -> None:
    """``cron.ParseStandard``'s errors, word for word (parser.go)."""
    with pytest.raises(CronSyntaxError) as e:
        parse_standard(spec)
    assert str(e.value) == message


def test_parse_fields_names_and_descriptors() -> None:
    """Names are case-insensitive; ``*`` sets the star bit, a step above 1 clears it;
    ``@weekly`` is Sunday midnight; ``@every`` is whole seconds, at least 1."""
    s = parse_standard("*/15 9-17 ? JAN-mar mon,FRI")
    assert s.minute is not None and s.minute.values == {0, 15, 30, 45}
    assert s.minute.star is False
    assert s.dom is not None and s.dom.star is True
    assert s.month is not None and s.month.values == {1, 2, 3}
    assert s.dow is not None and s.dow.values == {1, 5}
    weekly = parse_standard("@weekly")
    assert weekly.dow is not None and weekly.dow.values == {0} and weekly.dom is not None
    assert weekly.dom.star
    assert parse_standard("@every 90m").every == 5400.0
    assert parse_standard("@every 10ms").every == 1.0


# -- schedule arithmetic (utils.go) ------------------------------------------------------------


def sched(spec: str, tz: str | None = None) -> Schedule:
    return Schedule(parse_standard(spec), tz)


def test_next_is_strictly_after_in_the_time_zone() -> None:
    """``Schedule.Next``: the first time strictly after; in ``timeZone`` 02:00 in Tokyo
    (UTC+9) is 17:00 UTC the day before."""
    daily = sched("0 2 * * *")
    assert daily.next(EPOCH0) == EPOCH0 + 2 * H
    assert daily.next(EPOCH0 + 2 * H) == EPOCH0 + 26 * H
    assert sched("0 2 * * *", "Asia/Tokyo").next(EPOCH0) == EPOCH0 + 17 * H
    assert sched("@every 1h").next(EPOCH0 + 0.5) == EPOCH0 + H


def test_day_of_month_or_day_of_week() -> None:
    """robfig's ``dayMatches``: both restricted is OR (the 10th, a Saturday, or a Monday);
    ``*`` in either is AND."""
    either = sched("0 0 10 * 1")  # Jan 10th 2026 is a Saturday
    assert either.next(EPOCH0) == EPOCH0 + 5 * 24 * H  # Sat 10th
    assert either.next(EPOCH0 + 5 * 24 * H) == EPOCH0 + 7 * 24 * H  # Mon 12th
    mondays = sched("0 0 * * 1")
    assert mondays.next(EPOCH0) == EPOCH0 + 7 * 24 * H


def test_most_recent_schedule_time() -> None:
    """``mostRecentScheduleTime``: none before the first schedule; the one just passed; the
    latest of several missed (a few), or of more than 100 (many); startingDeadlineSeconds
    moves the earliest time up to now − deadline."""
    daily = sched("0 2 * * *")
    assert most_recent_schedule_time(daily, EPOCH0, None, None, EPOCH0 + H, True) == (
        EPOCH0,
        None,
        Missed.NONE,
    )
    assert most_recent_schedule_time(daily, EPOCH0, None, None, EPOCH0 + 3 * H, True)[1:] == (
        EPOCH0 + 2 * H,
        Missed.NONE,
    )
    assert most_recent_schedule_time(daily, EPOCH0, None, None, EPOCH0 + 51 * H, True)[1:] == (
        EPOCH0 + 50 * H,
        Missed.FEW,
    )
    hourly = sched("@hourly")
    last = EPOCH0 + 102 * H  # 102 missed after the creation at 0
    _, recent, missed = most_recent_schedule_time(hourly, EPOCH0, None, None, last + 1, True)
    assert (recent, missed) == (last, Missed.MANY)
    # with a deadline of 600 s, 02:30 looks back to 02:20 only: 02:00 is gone
    assert most_recent_schedule_time(daily, EPOCH0, None, 600, EPOCH0 + 2.5 * H, True)[1] is None
    with pytest.raises(InvalidSchedule, match="less than 1 second"):
        most_recent_schedule_time(sched("0 0 31 2 *"), EPOCH0, None, None, EPOCH0 + H, True)


def test_requeue_and_names() -> None:
    """``nextScheduleTimeDuration`` is 100 ms past the next schedule time; ``getJobName`` is
    the scheduled minute since the epoch; the annotation RFC 3339 in the zone."""
    daily = sched("0 2 * * *")
    assert next_schedule_time_duration(daily, EPOCH0, None, None, EPOCH0) == pytest.approx(
        2 * H + 0.1
    )
    assert job_name("nightly", EPOCH0 + 2 * H) == f"nightly-{MIN0 + 120}"
    assert scheduled_timestamp(EPOCH0 + 17 * H, "Asia/Tokyo") == "2026-01-06T02:00:00+09:00"
    assert scheduled_timestamp(EPOCH0 + 2 * H, None) == "2026-01-05T02:00:00Z"


def test_policy_reads_no_clock() -> None:
    """The schedule module computes from given instants only: no ``now()`` or ``today()``
    (the import contract lets it import datetime for calendar arithmetic)."""
    source = Path(__file__).parent.parent / "jobsim" / "policy" / "cron.py"
    calls = {
        n.func.attr
        for n in ast.walk(ast.parse(source.read_text()))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert not calls & {"now", "today", "utcnow", "time"}


# -- API server: defaulting and validation -------------------------------------------------------


def test_defaults() -> None:
    """``SetDefaults_CronJob``."""
    cj = set_cronjob_defaults(CronJob.model_validate(cronjob()))
    spec = cj.spec
    assert (spec.concurrencyPolicy, spec.suspend) == ("Allow", False)
    assert (spec.successfulJobsHistoryLimit, spec.failedJobsHistoryLimit) == (3, 1)
    assert cj.metadata.namespace == "default"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"name": "n" * 59},
            f'metadata.name: Invalid value: "{"n" * 59}": must be no more than 52 characters',
        ),
        (
            {"schedule": "* * * *"},
            'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: '
            "[* * * *]",
        ),
        (
            {"schedule": "CRON_TZ=UTC 0 2 * * *"},
            'spec.schedule: Invalid value: "CRON_TZ=UTC 0 2 * * *": cannot use TZ or CRON_TZ '
            "in schedule, use timeZone field instead",
        ),
        ({"schedule": ""}, "spec.schedule: Required value"),
        (
            {"timeZone": "Mars/Olympus"},
            'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
        ),
        (
            {"timeZone": ""},
            'spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string',
        ),
        (
            {"concurrencyPolicy": "Sometimes"},
            'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: '
            '"Allow", "Forbid", "Replace"',
        ),
        (
            {"startingDeadlineSeconds": -1},
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"successfulJobsHistoryLimit": -1},
            "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal "
            "to 0",
        ),
        (
            {"failedJobsHistoryLimit": -2},
            "spec.failedJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
        ),
        (
            {"job": {"parallelism": -1}},
            "spec.jobTemplate.spec.parallelism: Invalid value: -1: must be greater than or "
            "equal to 0",
        ),
        (
            {"job": {"selector": {"matchLabels": {"a": "b"}}}},
            'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: '
            "`selector` will be auto-generated",
        ),
        (
            {"job": {"manualSelector": True}},
            "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "
            '"nil", "false"',
        ),
    ],
)
def test_validation_messages(change: dict[str, Any], message: str) -> None:
    """``ValidateCronJobCreate``: each rule with the API server's words, located."""
    name = change.pop("name", "nightly")
    schedule = change.pop("schedule", "0 2 * * *")
    e = scenario_error(data(cronjob(name, schedule, **change)))
    assert any(line.endswith(f"jobs[0].manifest: {message}") for line in e.lines), e.lines


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        (
            "n" * 59,
            [f'metadata.name: Invalid value: "{"n" * 59}": must be no more than 52 characters'],
        ),
        (
            "-nightly",
            [
                'metadata.name: Invalid value: "-nightly": a lowercase RFC 1123 subdomain must '
                "consist of lower case alphanumeric characters, '-' or '.', and must start and "
                "end with an alphanumeric character (e.g. 'example.com', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ],
        ),
    ],
)
def test_a_bad_name_gives_only_its_own_errors(name: str, messages: list[str]) -> None:
    """``ValidateCronJobCreate`` checks the job template without a Job name, so a name too
    long (59 > 63 - 11) or not a DNS subdomain gives its ``metadata.name`` error and no
    error of the job-name labels the template's Jobs would carry."""
    e = scenario_error(data(cronjob(name)))
    assert e.lines == [f"<scenario>: jobs[0].manifest: {m}" for m in messages]


def test_a_cronjob_entry_takes_no_replicas() -> None:
    d = data(cronjob())
    d["jobs"][0]["replicas"] = 2
    e = scenario_error(d)
    assert e.lines == [
        "<scenario>: jobs[0].replicas: a CronJob makes its Jobs by its schedule; replicas "
        "applies to Jobs only"
    ]


# -- the controller in virtual time ------------------------------------------------------------


def test_a_week_of_nightly_runs() -> None:
    """Allow: one Job each night at 02:00:00.1 for 7 nights; successfulJobsHistoryLimit 3
    deletes the oldest finished Job when the 4th finishes (cleanupFinishedJobs runs first in
    the sync the finish triggers); the status keeps the last schedule and success, the last
    Job's ``completionTime`` (syncCronJob copies it), which the API keeps in whole seconds
    (``metav1.Time``): 03:00:00.1 on the 7th night is stored as 03:00:00."""
    result = run(data(cronjob()))
    assert created(result) == [nightly(d) for d in range(7)]
    deleted = {j["name"]: j["deletedAt"] for j in result.jobs()}
    for d in range(4):
        assert deleted[nightly(d)[0]] == nightly(d + 3)[1] + H
    assert [deleted[nightly(d)[0]] for d in range(4, 7)] == [None, None, None]
    status = result.to_dict()["cronJobs"][0]["status"]
    assert status == {
        "active": [],
        "lastScheduleTime": 146 * H,
        "lastSuccessfulTime": math.floor(nightly(6)[1] + H),
    }
    assert all(j["cronJob"] == "default/nightly" for j in result.jobs())
    assert result.end == 168 * H


def overrun(policy: str, **spec: Any) -> Result:
    """The second night's Job (cronRun 1) runs 30 h, past the third night's 02:00."""
    manifest = cronjob(concurrencyPolicy=policy, **spec)
    return run(data(manifest, {"duration": "1h", "script": [{"cronRun": 1, "after": "30h"}]}))


def test_forbid_skips_then_starts_late() -> None:
    """Forbid: at 50h the second Job is active, so JobAlreadyActive; when it finishes at
    56h0.1 the sync's most recent unmet schedule is 50h (lastScheduleTime 26h, next 74h):
    the skipped night starts 6 hours late, named after 50h."""
    result = overrun("Forbid")
    names = [n for n, _ in created(result)]
    assert created(result)[:4] == [
        nightly(0),
        nightly(1),
        (nightly(2)[0], 56 * H + 0.1),
        nightly(3),
    ]
    assert len(names) == 7
    assert cron_events(result, "JobAlreadyActive") == [
        (
            50 * H + 0.1,
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
        )
    ]


def test_forbid_with_a_starting_deadline_drops_the_missed_start() -> None:
    """Forbid with startingDeadlineSeconds 3600: at 56h0.1 the controller looks back only to
    55h0.1, after the 50h schedule: that night never runs, and no event says so (MissSchedule
    cannot fire once the earliest time is now − deadline)."""
    result = overrun("Forbid", startingDeadlineSeconds=3600)
    assert created(result) == [nightly(d) for d in (0, 1, 3, 4, 5, 6)]
    assert cron_events(result, "MissSchedule") == []


def test_allow_runs_side_by_side() -> None:
    result = overrun("Allow")
    assert created(result) == [nightly(d) for d in range(7)]


def test_replace_deletes_the_active_job() -> None:
    """Replace: at 50h0.1 the still-running second Job is deleted (Background propagation:
    the Job at once, its pod by the garbage collector), then the third is created."""
    result = overrun("Replace")
    assert created(result) == [nightly(d) for d in range(7)]
    second = result.job(nightly(1)[0])
    assert second["deletedAt"] == 50 * H + 0.1
    pod = next(p for p in result.pods() if p["job"] == f"default/{nightly(1)[0]}")
    assert (pod["deletedAt"], pod["phase"], pod["exitCode"]) == (50 * H + 0.1, "Failed", 143)
    assert (50 * H + 0.1, "SuccessfulDelete", f"Deleted job {nightly(1)[0]}") in cron_events(result)


def test_history_limits() -> None:
    """successfulJobsHistoryLimit 1, failedJobsHistoryLimit 0: a failed Job is deleted in the
    sync its failure triggers; each success deletes the success before it."""
    manifest = cronjob(
        successfulJobsHistoryLimit=1, failedJobsHistoryLimit=0, job={"backoffLimit": 0}
    )
    workload = {"duration": "1h", "script": [{"cronRun": 1, "exitCode": 1}]}
    result = run(data(manifest, workload, horizon="74h"))
    deleted = {j["name"]: j["deletedAt"] for j in result.jobs()}
    assert deleted == {
        nightly(0)[0]: nightly(2)[1] + H,  # when the next success finishes
        nightly(1)[0]: nightly(1)[1] + H,  # failed: at once
        nightly(2)[0]: None,
    }


def test_too_many_missed_start_times() -> None:
    """Forbid on an every-minute schedule with a 3-hour Job: lastScheduleTime stays at 1m,
    and from the sync where (now − 2m) // 60s + 1 > 100, at 102m0.1s, each minute's sync
    warns TooManyMissedTimes (and still says JobAlreadyActive)."""
    manifest = cronjob(schedule="* * * * *", concurrencyPolicy="Forbid")
    result = run(data(manifest, {"duration": "3h"}, horizon="2h"))
    too_many = cron_events(result, "TooManyMissedTimes")
    assert [t for t, _, _ in too_many] == [102 * 60 + 0.1 + 60 * k for k in range(18)]
    assert too_many[0][2] == (
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check "
        "clock skew"
    )
    assert created(result) == [(f"nightly-{MIN0 + 1}", 60.1)]


def test_time_zone_and_annotation() -> None:
    """timeZone Asia/Tokyo: 02:00 JST is 17:00 UTC; the Job carries the scheduled time in
    the zone in ``batch.kubernetes.io/cronjob-scheduled-timestamp``."""
    scenario = load_scenario(data(cronjob(timeZone="Asia/Tokyo"), horizon="24h"))
    sim = Simulation(scenario, Recorder())
    sim.run(scenario.stop_time)
    name = f"nightly-{MIN0 + 17 * 60}"
    job = sim.jobs[f"default/{name}"]
    assert job.submitted_at == 17 * H + 0.1
    assert job.job.metadata.annotations == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-06T02:00:00+09:00"
    }


def suspended(deadline: int | None) -> Result:
    """Suspended from 25h to 26h30m (a resume at 02:30 Tuesday)."""
    spec: dict[str, Any] = {} if deadline is None else {"startingDeadlineSeconds": deadline}
    events = [{"at": "25h", "suspend": "nightly"}, {"at": "26h30m", "resume": "nightly"}]
    return run(data(cronjob(**spec), horizon="51h", events=events))


def test_missed_while_suspended() -> None:
    """Resumed at 26h30m, the sync's most recent unmet schedule is Tuesday's 26h: without a
    deadline it starts at once, 30 minutes late; with startingDeadlineSeconds 600 the
    controller looks back only to 26h20m and Tuesday is missed."""
    assert created(suspended(None)) == [nightly(0), (nightly(1)[0], 26.5 * H), nightly(2)]
    assert created(suspended(600)) == [nightly(0), nightly(2)]


def test_bare_cronjob_manifest(tmp_path: Path) -> None:
    """A file holding a CronJob runs bare, on the default cluster and workload."""
    import yaml

    from jobsim.api import load_input

    path = tmp_path / "cj.yaml"
    path.write_text(yaml.safe_dump(cronjob(schedule="@daily")), encoding="utf-8")
    loaded = load_input(path)
    assert [e.cronjob.metadata.name for e in loaded.cronjobs if e.cronjob] == ["nightly"]
    assert loaded.jobs == []


def test_too_many_jobs_before_the_run_stops() -> None:
    """``@every 1s`` over the default 30 days would be 2,592,000 Jobs: refused at load, as
    more than an entry's 100,000 replicas."""
    d = data(cronjob(schedule="@every 1s"))
    del d["horizon"]
    e = scenario_error(d)
    assert e.lines == [
        "<scenario>: jobs[0].manifest.spec.schedule: the schedule fires about 2,592,000 times "
        "before the run stops at 720h0m0s, more than 100,000 Jobs; set a shorter horizon"
    ]


def test_decode_errors_are_the_json_decoders() -> None:
    """A value of the wrong JSON type, in the decoder's words, and an unknown field with
    jobsim's "did you mean", located under the entry."""
    manifest = cronjob(startingDeadlineSeconds="x", job={"paralelism": 2})
    e = scenario_error(data(manifest))
    assert e.lines == [
        "<scenario>: jobs[0].manifest: spec.startingDeadlineSeconds: json: cannot unmarshal "
        "string into Go struct field CronJobSpec.spec.startingDeadlineSeconds of type int64",
        "<scenario>: jobs[0].manifest: spec.jobTemplate.spec.paralelism: unknown field "
        "'paralelism' (did you mean 'parallelism'?)",
    ]


def test_validate_names_the_cronjobs(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jobsim.cli import app

    path = tmp_path / "s.yaml"
    import yaml

    path.write_text(yaml.safe_dump(data(cronjob())), encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert (res.exit_code, res.stdout) == (
        0,
        f"{path}: OK (scenario cron: 0 job(s), 1 cronjob(s), 2 node(s), 0 event(s))\n",
    )


def test_scenarios_differing_in_a_cronjob_differ() -> None:
    a = load_scenario(data(cronjob()))
    b = load_scenario(data(cronjob(schedule="0 3 * * *")))
    assert a == load_scenario(data(cronjob())) and a != b
