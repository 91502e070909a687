"""Tables of a CronJob's many Jobs (``jobsim.elide``): past ``ELIDE_ABOVE`` (10) Jobs a
CronJob's Jobs are listed under a row summing them up, the first 3 and the last 3 with a row
saying how many are left out; a run whose CronJobs have at most 10 Jobs is listed whole, in
creation order.

The every-minute CronJob of the Kubernetes docs, bare, on the default workload (10 s runs):
each Job is created 100 ms after its minute, its pod starts 1 s later and the Job completes
at 12.1 s past the minute (the sync 1 s after the exit); minute 0 of the default wall clock
is minute 29459520 since the epoch.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jobsim.cli import app
from jobsim.elide import ELIDE_ABOVE, elide, more_jobs
from tests.test_bare_manifests import CRONJOB, write

runner = CliRunner()
MIN0 = 29459520


def test_elide_keeps_a_few_and_cuts_the_middle_of_many() -> None:
    assert ELIDE_ABOVE == 10
    assert elide(list(range(10))) == (list(range(10)), 0, [])
    assert elide(list(range(11))) == ([0, 1, 2], 5, [8, 9, 10])
    assert more_jobs(1433, "default/hello") == "… 1,433 more Jobs of default/hello"
    assert more_jobs(1, "default/hello") == "… 1 more Job of default/hello"


def first_cells(output: str, title: str) -> list[list[str]]:
    """The body rows (cells stripped) of the table under ``title``."""
    lines = output.splitlines()
    start = lines.index(title)
    rows = []
    for line in lines[start + 4 :]:
        if not line.startswith("│"):
            break
        rows.append([c.strip() for c in line.strip("│").split("│")])
    return rows


def run(tmp_path: Path, horizon: str) -> str:
    path = write(tmp_path, CRONJOB, "cron.yaml")
    res = runner.invoke(app, ["run", str(path), "--horizon", horizon], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    return res.stdout


def job(k: int) -> str:
    return f"hello-{MIN0 + k}"


def test_ten_jobs_are_listed_whole(tmp_path: Path) -> None:
    """``--horizon 11m``: the Jobs of minutes 1 to 10, each a row, no summary."""
    rows = first_cells(run(tmp_path, "11m"), "scenario cron (seed 0)")
    assert [r[0] for r in rows] == [job(k) for k in range(1, 11)]


def test_many_jobs_are_summed_up_and_elided(tmp_path: Path) -> None:
    """``--horizon 20m``: 19 Jobs (minutes 1 to 19): the summary row (first start 1m0s, last
    finish 19m12s, 19 succeeded, 19 pods), minutes 1-3, 13 left out, 17-19. Each Job is created
    0.1 s past its minute (nextScheduleDelta) and runs 12 s, and its startTime and
    completionTime are whole seconds (metav1.Time, the real control plane's default)."""
    out = run(tmp_path, "20m")
    rows = first_cells(out, "scenario cron (seed 0)")
    assert rows[0] == [
        "CronJob default/hello",
        "19 Jobs",
        "Complete 19",
        "1m0s",
        "19m12s",
        "-",
        "19",
        "0",
        "19",
    ]
    assert rows[1] == [
        f"{job(1)}",
        "Complete",
        "CompletionsReached",
        "1m0s",
        "1m12s",
        "12s",
        "1",
        "0",
        "1",
    ]
    assert [r[0] for r in rows[1:]] == [
        job(1),
        job(2),
        job(3),
        "… 13 more Jobs of default/hello",
        job(17),
        job(18),
        job(19),
    ]
    assert rows[4][1:] == [""] * 8
    stats = first_cells(out, "statistics (pod-seconds: time in runs; see jobsim.stats)")
    # 19 runs of 10 s each: 190 useful pod-seconds
    assert stats[0] == ["CronJob default/hello", "-", "-", "19", "0", "0", "-", "0", "190"]
    assert [r[0] for r in stats[1:]] == [r[0] for r in rows[1:]]
    assert f"│   {job(1)} " in out  # a CronJob's Jobs are indented under its row
