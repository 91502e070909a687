"""What the command line and the loader say about a CronJob where a Job is looked for: a
CronJob named to ``explain --job``, a CronJob that made no Job or ends suspended, a scenario
event naming nothing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jobsim.cli import app
from tests.helpers import scenario_error
from tests.test_bare_manifests import CRONJOB, write
from tests.test_cronjob import cronjob, data

runner = CliRunner()
MIN0 = 29459520  # the default wall clock, 2026-01-05T00:00:00Z, in minutes since the epoch
SUSPENDED = CRONJOB.replace(
    '  schedule: "* * * * *"\n', '  schedule: "* * * * *"\n  suspend: true\n'
)


def test_explain_of_a_cronjobs_name_names_its_jobs(tmp_path: Path) -> None:
    """``--job hello`` of the every-minute CronJob over 3 minutes: Jobs of minutes 1 and 2
    (the one of minute 3 is created at 3m0.1s, past the horizon)."""
    path = write(tmp_path, CRONJOB, "cron.yaml")
    for ref in ("hello", "default/hello"):
        res = runner.invoke(app, ["explain", str(path), "--horizon", "3m", "--job", ref])
        assert res.exit_code == 1
        assert res.stderr == (
            f"--job: {ref!r} is a CronJob in {path}, not a Job; its Jobs: hello-{MIN0 + 1}, "
            f"hello-{MIN0 + 2}\n"
        )


def test_explain_of_a_suspended_cronjobs_name(tmp_path: Path) -> None:
    path = write(tmp_path, SUSPENDED, "cron.yaml")
    res = runner.invoke(app, ["explain", str(path), "--horizon", "3m", "--job", "hello"])
    assert res.exit_code == 1
    assert res.stderr == (
        f"--job: 'hello' is a CronJob in {path}, not a Job; it made no Job (it is suspended)\n"
    )


def test_a_suspended_cronjob_says_so(tmp_path: Path) -> None:
    """``suspend: true`` from its creation: the controller creates nothing
    (``syncCronJob`` returns at ``Spec.Suspend``); the run says why its tables are empty, and
    ``cronJobs[]`` carries ``suspend: true``."""
    path = write(tmp_path, SUSPENDED, "cron.yaml")
    res = runner.invoke(app, ["run", str(path), "--horizon", "3m"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "CronJob default/hello is suspended (spec.suspend: true): it made no Job\n" in (
        res.stdout
    )
    res = runner.invoke(app, ["run", str(path), "--horizon", "3m", "--json"])
    (cj,) = json.loads(res.stdout)["cronJobs"]
    assert cj["suspend"] is True and json.loads(res.stdout)["jobs"] == []


def test_suspended_later_the_count_is_given(tmp_path: Path) -> None:
    """Suspended at 2m30s: the Jobs of minutes 1 and 2, then none; ``cronJobs[]`` ends
    suspended. Not suspended, ``suspend`` is absent."""
    d = data(cronjob("hello", "* * * * *"), {"duration": "10s"}, "5m")
    d["events"] = [{"at": "2m30s", "suspend": "hello"}]
    path = write(tmp_path, json.dumps(d), "s.yaml")
    res = runner.invoke(app, ["run", str(path)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "CronJob default/hello is suspended (spec.suspend: true): it made 2 Jobs\n" in (
        res.stdout
    )
    d["events"] = []
    path = write(tmp_path, json.dumps(d), "t.yaml")
    res = runner.invoke(app, ["run", str(path), "--json"])
    assert "suspend" not in json.loads(res.stdout)["cronJobs"][0]


def test_an_event_naming_nothing_lists_the_cronjobs_too() -> None:
    d = data(cronjob("x"))
    d["events"] = [{"at": "2h", "suspend": "nosuch"}]
    e = scenario_error(d)
    assert e.lines == [
        "<scenario>: events[0].suspend: job 'nosuch' does not exist; the jobs are: none; the "
        "CronJobs are: x"
    ]
