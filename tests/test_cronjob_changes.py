"""A CronJob in a ``manifestFile``, its spec updated (``patchCronJob``) and Jobs made from it by
hand (``createJob``): exact timelines derived from ``cronjob_controllerv2.go``
(``updateCronJob``, ``syncCronJob``), the delaying work queue's rules and
``ValidateCronJobUpdate``.

As in ``test_cronjob.py``, virtual time 0 is Monday 2026-01-05T00:00:00Z (minute 29459520
since the epoch), every latency is 0, and the controller's requeue comes ``nextScheduleDelta``
(100 ms) after a schedule time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from jobsim import ScenarioError, load_scenario, simulate
from tests.helpers import scenario_error
from tests.test_cronjob import MIN0, H, created, cron_events, cronjob, data, nightly, run

# -- a CronJob in a manifestFile -----------------------------------------------------------------

SCENARIO = """\
name: s
horizon: 30h
cluster: {nodePools: [{name: a, count: 1, capacity: {cpu: '1', memory: 1Gi}}]}
jobs:
  - {manifestFile: cj.yaml, workload: {duration: 1h}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_cronjob_in_a_manifest_file_runs_as_inline(tmp_path: Path) -> None:
    """The file's CronJob is decoded, defaulted and validated as an inline one, and runs the
    same Jobs."""
    write(tmp_path, "cj.yaml", yaml.safe_dump(cronjob()))
    from_file = load_scenario(write(tmp_path, "s.yaml", SCENARIO))
    inline = yaml.safe_load(SCENARIO)
    inline["jobs"][0] = {"manifest": cronjob(), "workload": {"duration": "1h"}}
    assert from_file.cronjobs[0].cronjob == load_scenario(inline).cronjobs[0].cronjob
    assert from_file.jobs == []
    jobs = created(simulate(from_file))
    assert jobs == created(run(inline))
    assert [name for name, _ in jobs] == [nightly(0)[0], nightly(1)[0]]


def test_a_manifest_file_among_other_kinds_holds_one_cronjob(tmp_path: Path) -> None:
    """Other kinds are ignored, as for a Job; two Jobs or CronJobs in one file are refused."""
    configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    write(tmp_path, "cj.yaml", configmap + "---\n" + yaml.safe_dump(cronjob()))
    assert load_scenario(write(tmp_path, "s.yaml", SCENARIO)).cronjobs
    two = yaml.safe_dump(cronjob("a")) + "---\n" + yaml.safe_dump(cronjob("b"))
    write(tmp_path, "cj.yaml", two)
    path = write(tmp_path, "s.yaml", SCENARIO)
    assert scenario_error(path).lines == [
        f"{path}:5:20: jobs[0].manifestFile: cj.yaml holds 0 Jobs and 2 CronJobs (a, b) in 2 "
        "documents; a manifestFile holds one Job or CronJob (other kinds are ignored): give "
        "each its own entry, or run the file bare (jobsim run FILE)"
    ]


def test_a_bad_cronjob_in_a_manifest_file_is_placed_in_that_file(tmp_path: Path) -> None:
    """Each problem of the CronJob names its line and column in the manifest file, after the
    place of the entry's ``manifestFile`` in the scenario."""
    text = yaml.safe_dump(
        cronjob(schedule="0 2 * *", concurrencyPolicy="Sometimes"), sort_keys=False
    )
    write(tmp_path, "cj.yaml", text)
    path = write(tmp_path, "s.yaml", SCENARIO)
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "schedule:" in line) + 1
    policy = next(i for i, line in enumerate(lines) if "concurrencyPolicy:" in line) + 1
    assert scenario_error(path).lines == [
        f'{path}:5:20: jobs[0].manifestFile: cj.yaml:{row}:13: spec.schedule: Invalid value: "0 2 '
        '* *": expected exactly 5 fields, found 4: [0 2 * *]',
        f"{path}:5:20: jobs[0].manifestFile: cj.yaml:{policy}:22: spec.concurrencyPolicy: "
        'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]


def test_a_bad_bare_cronjob_file_is_located(tmp_path: Path) -> None:
    """``jobsim validate FILE`` of a bare CronJob: its problem at its line and column, exit 1."""
    from typer.testing import CliRunner

    from jobsim.cli import app

    text = yaml.safe_dump(cronjob(schedule="0 2 * *"), sort_keys=False)
    path = write(tmp_path, "cj.yaml", text)
    row = next(i for i, line in enumerate(text.splitlines()) if "schedule:" in line) + 1
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 1
    assert (
        f'{path}:{row}:13: spec.schedule: Invalid value: "0 2 * *": expected exactly 5 fields, '
        "found 4: [0 2 * *]"
    ) in res.output
    assert "Traceback" not in res.output


def test_manifest_file_cronjobs_checked_as_a_whole(tmp_path: Path) -> None:
    """The checks on a scenario's CronJobs name the entry's manifestFile: the same CronJob
    twice is AlreadyExists; a schedule firing more than 100,000 times is refused."""
    write(tmp_path, "cj.yaml", yaml.safe_dump(cronjob()))
    twice = SCENARIO + "  - {manifestFile: cj.yaml, workload: {duration: 1h}}\n"
    path = write(tmp_path, "s.yaml", twice)
    assert scenario_error(path).lines == [
        f"{path}:6:20: jobs[1].manifestFile: cj.yaml: metadata.name: Duplicate value: cronjob "
        "default/nightly is also jobs[0]"
    ]
    write(tmp_path, "cj.yaml", yaml.safe_dump(cronjob(schedule="@every 1s")))
    path = write(tmp_path, "s.yaml", SCENARIO.replace("horizon: 30h\n", ""))
    assert scenario_error(path).lines == [
        f"{path}:4:20: jobs[0].manifestFile: cj.yaml: spec.schedule: the schedule fires about "
        "2,592,000 times before the run stops at 720h0m0s, more than 100,000 Jobs; set a "
        "shorter horizon"
    ]


# -- spec updates: patchCronJob -------------------------------------------------------------------


def patch(at: str, **spec: Any) -> dict[str, Any]:
    return {"at": at, "patchCronJob": {"cronJob": "nightly", "spec": spec}}


def test_a_new_schedule_keeps_the_earlier_requeue() -> None:
    """kubernetes#130838, as upstream's rules make it: ``0 2 * * *`` ran at 02:00; at 10:00 the
    schedule becomes ``0 3 * * *``. ``updateCronJob`` asks for a sync 100 ms after the new
    schedule's next time (Tuesday 03:00), but the delaying queue keeps the earlier entry,
    Tuesday 02:00:00.1. That sync's most recent unmet time since lastScheduleTime (Monday
    02:00) under the new schedule is Monday 03:00: a Job for it starts 23 hours late, then
    Tuesday 03:00's on time."""
    result = run(data(cronjob(), horizon="52h", events=[patch("10h", schedule="0 3 * * *")]))
    assert created(result) == [
        nightly(0),
        (f"nightly-{MIN0 + 180}", 26 * H + 0.1),
        (f"nightly-{MIN0 + 180 + 1440}", 27 * H + 0.1),
        (f"nightly-{MIN0 + 180 + 2880}", 51 * H + 0.1),
    ]
    assert cron_events(result, "SpecChanged") == [
        (10 * H, "SpecChanged", "schedule '0 2 * * *' -> '0 3 * * *'")
    ]


def test_a_new_schedule_with_a_starting_deadline_skips_the_stale_time() -> None:
    """The same with startingDeadlineSeconds 3600: at 26h0.1 the earliest time considered
    is 25h0.1, after Monday 03:00, so nothing runs until Tuesday 03:00."""
    events = [patch("10h", schedule="0 3 * * *")]
    result = run(data(cronjob(startingDeadlineSeconds=3600), horizon="52h", events=events))
    assert created(result) == [
        nightly(0),
        (f"nightly-{MIN0 + 180 + 1440}", 27 * H + 0.1),
        (f"nightly-{MIN0 + 180 + 2880}", 51 * H + 0.1),
    ]


def test_a_new_time_zone_requeues_earlier() -> None:
    """timeZone Asia/Tokyo at 10h: 02:00 JST is 17:00 UTC, before the waiting 26h0.1, so the
    queue takes the earlier time and the Job starts at 17h0.1."""
    events = [patch("10h", timeZone="Asia/Tokyo")]
    result = run(data(cronjob(), horizon="20h", events=events))
    assert created(result) == [nightly(0), (f"nightly-{MIN0 + 17 * 60}", 17 * H + 0.1)]
    assert cron_events(result, "SpecChanged") == [
        (10 * H, "SpecChanged", "timeZone <none> -> 'Asia/Tokyo'")
    ]


def test_a_template_change_applies_to_later_jobs_only() -> None:
    """Any other change syncs at once (nothing to start at 2h30m); the running Job keeps its
    template (one pod), the next one is made from the new one (completions 2, two pods)."""
    template = {
        "spec": {
            "parallelism": 2,
            "completions": 2,
            "template": {
                "spec": {
                    "containers": [{"name": "main", "image": "busybox:1.37"}],
                    "restartPolicy": "Never",
                }
            },
        }
    }
    events = [patch("2h30m", jobTemplate=template)]
    result = run(data(cronjob(), horizon="28h", events=events))
    assert created(result) == [nightly(0), nightly(1)]
    first, second = (result.job(nightly(d)[0]) for d in (0, 1))
    assert (first["podsCreated"], second["podsCreated"]) == (1, 2)
    assert (first["status"]["succeeded"], second["status"]["succeeded"]) == (1, 2)
    assert cron_events(result, "SpecChanged") == [(2.5 * H, "SpecChanged", "jobTemplate changed")]
    assert [t for t, _, _ in cron_events(result, "SuccessfulCreate")] == [2 * H + 0.1, 26 * H + 0.1]


def test_a_policy_change_takes_effect_at_the_next_schedule() -> None:
    """The second night's Job runs 30 h; at 40h concurrencyPolicy becomes Forbid: at 50h0.1
    the third night is JobAlreadyActive, and starts when the second finishes (56h0.1)."""
    workload = {"duration": "1h", "script": [{"cronRun": 1, "after": "30h"}]}
    events = [patch("40h", concurrencyPolicy="Forbid")]
    result = run(data(cronjob(), workload, horizon="57h", events=events))
    assert created(result) == [nightly(0), nightly(1), (nightly(2)[0], 56 * H + 0.1)]
    assert [t for t, _, _ in cron_events(result, "JobAlreadyActive")] == [50 * H + 0.1]


def test_a_starting_deadline_set_later_drops_the_late_start() -> None:
    """Forbid, the second night's Job running 30 h: at 50h0.1 the third night waits
    (JobAlreadyActive). startingDeadlineSeconds 3600 set at 52h: when the second Job finishes
    (56h0.1) the sync looks back only to 55h0.1, after 50h, so the third night never runs
    (without the patch it starts at 56h0.1: test_cronjob's Forbid case)."""
    workload = {"duration": "1h", "script": [{"cronRun": 1, "after": "30h"}]}
    events = [patch("52h", startingDeadlineSeconds=3600)]
    manifest = cronjob(concurrencyPolicy="Forbid")
    result = run(data(manifest, workload, horizon="168h", events=events))
    assert created(result) == [nightly(d) for d in (0, 1, 3, 4, 5, 6)]
    assert [t for t, _, _ in cron_events(result, "JobAlreadyActive")] == [50 * H + 0.1]


def test_a_history_limit_lowered_deletes_at_once() -> None:
    """successfulJobsHistoryLimit 3 -> 1 at 51h30m, when three nights have finished (the
    third at 51h0.1): the sync the update triggers deletes the two oldest
    (cleanupFinishedJobs, oldest first by startTime)."""
    events = [patch("51h30m", successfulJobsHistoryLimit=1)]
    result = run(data(cronjob(), horizon="52h", events=events))
    assert cron_events(result, "SuccessfulDelete") == [
        (51.5 * H, "SuccessfulDelete", f"Deleted job {nightly(0)[0]}"),
        (51.5 * H, "SuccessfulDelete", f"Deleted job {nightly(1)[0]}"),
    ]


def test_a_patch_that_changes_nothing_is_no_update() -> None:
    """An update that leaves the object as it was is no write: no watch event, no sync."""
    result = run(data(cronjob(), horizon="3h", events=[patch("1h", concurrencyPolicy="Allow")]))
    assert cron_events(result, "SpecChanged") == []


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        (
            {"schedule": "0 3 * *"},
            [
                'events[0].patchCronJob.spec.schedule: Invalid value: "0 3 * *": expected '
                "exactly 5 fields, found 4: [0 3 * *] (at 10h0m0s)"
            ],
        ),
        (
            {"schedule": "TZ=UTC 0 3 * * *"},
            [
                'events[0].patchCronJob.spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": '
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead (at 10h0m0s)"
            ],
        ),
        ({"schedule": None}, ["events[0].patchCronJob.spec.schedule: Required value (at 10h0m0s)"]),
        (
            {"timeZone": "Mars/Base"},
            [
                'events[0].patchCronJob.spec.timeZone: Invalid value: "Mars/Base": unknown '
                "time zone Mars/Base (at 10h0m0s)"
            ],
        ),
        (
            {"startingDeadlineSeconds": -1},
            [
                "events[0].patchCronJob.spec.startingDeadlineSeconds: Invalid value: -1: must "
                "be greater than or equal to 0 (at 10h0m0s)"
            ],
        ),
        (
            {"jobTemplate": {"spec": {"parallelism": -1}}},
            [
                "events[0].patchCronJob.spec.jobTemplate.spec.parallelism: Invalid value: -1: "
                "must be greater than or equal to 0 (at 10h0m0s)"
            ],
        ),
        (
            {"schedul": "0 3 * * *"},
            [
                "events[0].patchCronJob.spec.schedul: unknown field 'schedul' (did you mean "
                "'schedule'?) (at 10h0m0s)"
            ],
        ),
    ],
)
def test_a_patch_is_validated_as_an_update(spec: dict[str, Any], lines: list[str]) -> None:
    """``ValidateCronJobUpdate``'s words, at the event, with its time."""
    e = scenario_error(data(cronjob(), events=[patch("10h", **spec)]))
    assert e.lines == [f"<scenario>: {line}" for line in lines]


def test_patches_apply_in_time_order_and_are_placed(tmp_path: Path) -> None:
    """A later patch is checked against the CronJob the earlier ones made (removing the
    deadline a first patch set is fine; a null schedule is not), each located in the file."""
    text = """\
name: s
horizon: 30h
cluster: {nodePools: [{name: a, count: 1, capacity: {cpu: '1', memory: 1Gi}}]}
jobs:
  - manifest: {apiVersion: batch/v1, kind: CronJob, metadata: {name: nightly},
               spec: {schedule: "0 2 * * *", jobTemplate: {spec: {template: {spec: {
                 restartPolicy: Never, containers: [{name: a, image: b}]}}}}}}
    workload: {duration: 1h}
events:
  - {at: 5h, patchCronJob: {cronJob: nightly, spec: {startingDeadlineSeconds: null}}}
  - {at: 1h, patchCronJob: {cronJob: nightly, spec: {startingDeadlineSeconds: 60}}}
  - {at: 6h, patchCronJob: {cronJob: nightly, spec: {schedule: null}}}
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines()[11]
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert e.value.lines == [
        f"{path}:12:{line.index('null') + 1}: events[2].patchCronJob.spec.schedule: Required "
        "value (at 6h0m0s)"
    ]


def test_events_name_a_cronjob() -> None:
    events = [{"at": "1h", "patchCronJob": {"cronJob": "nightlyy", "spec": {}}}]
    assert scenario_error(data(cronjob(), events=events)).lines == [
        "<scenario>: events[0].patchCronJob.cronJob: no CronJob named 'nightlyy' (did you mean "
        "'nightly'?)"
    ]
    events = [{"at": "1h", "scale": {"job": "nightly", "parallelism": 2}}]
    assert scenario_error(data(cronjob(), events=events)).lines == [
        "<scenario>: events[0].scale.job: 'nightly' is a CronJob: only suspend, resume, "
        "patchCronJob and createJob apply"
    ]


# -- kubectl create job --from=cronjob: UnexpectedJob ---------------------------------------------


def manual(at: str, name: str = "manual-1") -> dict[str, Any]:
    return {"at": at, "createJob": {"name": name, "cronJob": "nightly"}}


def test_a_job_made_by_hand_is_unexpected_and_not_active() -> None:
    """``kubectl create job manual-1 --from=cronjob/nightly`` at 1h30m: the Job has the
    CronJob as its controller, so the CronJob reconciles it, but it is not in status.active.
    Every sync while it runs warns UnexpectedJob (the addJob sync at 1h30m, the schedule's
    at 2h0.1); Forbid does not see it, so the night's Job starts; when the night's Job
    finishes (3h0.1) successfulJobsHistoryLimit 1 deletes the older finished one, manual-1
    (started 1h30m), and no SawCompletedJob is said of manual-1 (it was never active)."""
    manifest = cronjob(concurrencyPolicy="Forbid", successfulJobsHistoryLimit=1)
    result = run(data(manifest, {"duration": "1h"}, horizon="4h", events=[manual("1h30m")]))
    assert created(result) == [("manual-1", 1.5 * H), nightly(0)]
    unexpected = "Saw a job that the controller did not create or forgot: manual-1"
    assert cron_events(result) == [
        (1.5 * H, "ManualJob", "kubectl create job manual-1 --from=cronjob/nightly"),
        (1.5 * H, "UnexpectedJob", unexpected),
        (2 * H + 0.1, "UnexpectedJob", unexpected),
        (2 * H + 0.1, "SuccessfulCreate", f"Created job {nightly(0)[0]}"),
        (3 * H + 0.1, "SuccessfulDelete", "Deleted job manual-1"),
        (
            3 * H + 0.1,
            "SawCompletedJob",
            f"Saw completed job: {nightly(0)[0]}, condition: Complete",
        ),
    ]
    job = result.job("manual-1")
    assert job["cronJob"] == "default/nightly"
    assert job["deletedAt"] == 3 * H + 0.1


def test_a_job_made_by_hand_sets_last_successful_time() -> None:
    """A succeeded Job need not be active to move lastSuccessfulTime (syncCronJob)."""
    result = run(data(cronjob(), {"duration": "30m"}, horizon="1h45m", events=[manual("1h")]))
    assert result.to_dict()["cronJobs"][0]["status"] == {
        "active": [],
        "lastScheduleTime": None,
        "lastSuccessfulTime": 1.5 * H,
    }
    assert [r for _, r, _ in cron_events(result)] == ["ManualJob", "UnexpectedJob"]


def test_a_job_made_by_hand_is_refused_as_the_api_server_would() -> None:
    events = [manual("1h", "Bad_Name")]
    [line] = scenario_error(data(cronjob(), events=events)).lines
    assert line.startswith(
        '<scenario>: events[0].createJob.name: Job metadata.name: Invalid value: "Bad_Name": '
        "a lowercase RFC 1123 subdomain"
    )
    events = [manual("1h", "m"), manual("2h", "m")]
    assert scenario_error(data(cronjob(), events=events)).lines == [
        '<scenario>: events[1].createJob.name: jobs.batch "m" already exists (at 2h0m0s)'
    ]


def test_a_job_name_taken_again_in_the_same_minute() -> None:
    """``@every 20s``: the Jobs of 00:00:20 and 00:00:40 have one name (the scheduled
    minute). At 40.1 the create is AlreadyExists; the Job is the CronJob's and no longer
    active (it finished at 25.1), so it is put back in active without SuccessfulCreate
    (upstream's "Job already exists" path); the 60.1 sync sees it completed a second time."""
    result = run(data(cronjob(schedule="@every 20s"), {"duration": "5s"}, horizon="61s"))
    first, second = f"nightly-{MIN0}", f"nightly-{MIN0 + 1}"
    assert created(result) == [(first, 20.1), (second, 60.1)]
    saw = f"Saw completed job: {first}, condition: Complete"
    assert cron_events(result) == [
        (20.1, "SuccessfulCreate", f"Created job {first}"),
        (25.1, "SawCompletedJob", saw),
        (60.1, "SawCompletedJob", saw),
        (60.1, "SuccessfulCreate", f"Created job {second}"),
    ]


def test_an_active_job_deleted_before_the_sync_is_missing() -> None:
    """ttlSecondsAfterFinished 0: the Job finishes at 3h0.1 and the TTL controller deletes it
    at that instant, before the CronJob's sync (TTL calls run before CronJob syncs at one
    time). The sync finds an active Job that no longer exists: MissingJob, out of active;
    it never saw the Job finished, so lastSuccessfulTime stays unset."""
    result = run(data(cronjob(job={"ttlSecondsAfterFinished": 0}), horizon="4h"))
    assert cron_events(result) == [
        (2 * H + 0.1, "SuccessfulCreate", f"Created job {nightly(0)[0]}"),
        (3 * H + 0.1, "MissingJob", f"Active job went missing: {nightly(0)[0]}"),
    ]
    assert result.to_dict()["cronJobs"][0]["status"] == {
        "active": [],
        "lastScheduleTime": 2 * H,
        "lastSuccessfulTime": None,
    }


def test_a_patched_schedule_that_fires_too_often_is_refused() -> None:
    """As at creation: ``@every 1s`` from 1h to the default 30 days would be 2,588,400 Jobs."""
    d = data(cronjob(), events=[patch("1h", schedule="@every 1s")])
    del d["horizon"]
    assert scenario_error(d).lines == [
        "<scenario>: events[0].patchCronJob.spec.schedule: the schedule fires about 2,588,400 "
        "times before the run stops at 720h0m0s, more than 100,000 Jobs; set a shorter horizon "
        "(at 1h0m0s)"
    ]


def test_events_that_change_nothing_are_logged() -> None:
    """A resume of a CronJob that is not suspended is no update; a createJob of a name one of
    its Jobs has (or had: jobsim keeps one Job per name) creates nothing. Both are logged as
    outside events without effect, the first on the CronJob."""
    from jobsim.record import Kind

    first, second = nightly(0)[0], nightly(1)[0]
    events = [
        {"at": "1h", "resume": "nightly"},
        manual("2h30m", first),  # it runs
        manual("27h30m", second),  # deleted at 27h0.1 (successfulJobsHistoryLimit 0)
    ]
    result = run(data(cronjob(successfulJobsHistoryLimit=0), horizon="28h", events=events))
    ignored = [
        (t, subject, ref, text)
        for _, t, _, subject, ref, _, _, text in result.recorder.select(Kind.EVENT_IGNORED)
    ]
    assert ignored == [
        (H, "default/nightly", "CronJob", "resume: no change"),
        (2.5 * H, f"default/{first}", "", f'createJob: jobs.batch "{first}" already exists'),
        (
            27.5 * H,
            f"default/{second}",
            "",
            f"createJob: a Job named {second} was deleted earlier in the run, and jobsim keeps "
            "one Job per name in a run",
        ),
    ]
    assert result.job(second)["deletedAt"] == 27 * H + 0.1


def test_a_name_freed_by_a_deletion_in_the_same_minute() -> None:
    """jobsim's one-Job-per-name simplification, as docs/mechanisms.md says: with
    successfulJobsHistoryLimit 0 the 00:00:20 Job is deleted when it finishes (25.1); the
    00:00:40 create of the same name (upstream: a new Job) is taken as "Job already exists",
    so the 60.1 sync finds the active Job gone: MissingJob."""
    manifest = cronjob(schedule="@every 20s", successfulJobsHistoryLimit=0)
    result = run(data(manifest, {"duration": "5s"}, horizon="61s"))
    first, second = f"nightly-{MIN0}", f"nightly-{MIN0 + 1}"
    assert cron_events(result) == [
        (20.1, "SuccessfulCreate", f"Created job {first}"),
        (25.1, "SuccessfulDelete", f"Deleted job {first}"),
        (60.1, "MissingJob", f"Active job went missing: {first}"),
        (60.1, "SuccessfulCreate", f"Created job {second}"),
    ]


def test_one_name_in_two_namespaces_is_two_cronjobs() -> None:
    """``createJob`` of one Job name from ``a/nightly`` and from ``b/nightly``: two Jobs,
    ``a/m`` and ``b/m`` (a Job's name is unique in its namespace only), each from its own
    CronJob."""
    one, two = cronjob(), cronjob()
    one["metadata"]["namespace"], two["metadata"]["namespace"] = "a", "b"
    d = data(
        one,
        horizon="3h",
        events=[
            {"at": "1h", "createJob": {"name": "m", "cronJob": "a/nightly"}},
            {"at": "1h", "createJob": {"name": "m", "cronJob": "b/nightly"}},
        ],
    )
    d["jobs"].append({"manifest": two, "workload": {"duration": "1h"}})
    result = run(d)
    made = sorted((j["namespace"], j["name"], j["cronJob"]) for j in result.jobs())
    assert made == [
        ("a", "m", "a/nightly"),
        ("a", nightly(0)[0], "a/nightly"),
        ("b", "m", "b/nightly"),
        ("b", nightly(0)[0], "b/nightly"),
    ]
