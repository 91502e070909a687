"""The command line: ``run`` (statistics, --json, --out, --timeline, --trace), ``plot`` and
``explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jobsim.cli import app
from tests.helpers import job_manifest, scenario

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}


@pytest.fixture
def backoff_file(tmp_path: Path) -> Path:
    path = tmp_path / "backoff.yaml"
    data = scenario((job_manifest("flaky", backoffLimit=2), FAIL_AFTER_5S))
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


runner = CliRunner()


def test_run_prints_statistics(backoff_file: Path) -> None:
    res = runner.invoke(app, ["run", str(backoff_file)])
    assert res.exit_code == 0, res.output
    assert "statistics" in res.output
    assert "1×3" in res.output  # three failures with exit code 1
    assert "makespan 45s; jobs: Failed 1; 3 nodes" in res.output


def test_run_json_adds_stats(backoff_file: Path) -> None:
    res = runner.invoke(app, ["run", str(backoff_file), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == [
        "scenario",
        "seed",
        "jobsimVersion",
        "end",
        "jobs",
        "pods",
        "nodes",
        "events",
        "stats",
    ]
    [job] = data["stats"]["jobs"]
    assert (job["wastedPodSeconds"], job["reExecutions"]) == (15, 2)
    assert data["stats"]["makespan"] == 45


def test_run_writes_files(backoff_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "run",
            str(backoff_file),
            "--out",
            str(out),
            "--timeline",
            str(tmp_path / "t.png"),
            "--trace",
            str(tmp_path / "trace.json"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "events.jsonl",
        "jobs.csv",
        "nodes.csv",
        "pods.csv",
        "result.json",
        "runs.csv",
    ]
    assert json.loads((out / "result.json").read_text(encoding="utf-8")) == json.loads(res.stdout)
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    trace = json.loads((tmp_path / "trace.json").read_text(encoding="utf-8"))
    assert trace["traceEvents"]


def test_run_unwritable_output_is_a_user_error(backoff_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", str(backoff_file), "--trace", str(tmp_path / "no/t.json")])
    assert res.exit_code == 1
    assert "No such file or directory" in res.stderr


@pytest.mark.parametrize(("by", "suffix"), [("job", "png"), ("node", "svg"), ("summary", "png")])
def test_plot(backoff_file: Path, tmp_path: Path, by: str, suffix: str) -> None:
    target = tmp_path / f"plot.{suffix}"
    res = runner.invoke(app, ["plot", str(backoff_file), "-o", str(target), "--by", by])
    assert res.exit_code == 0, res.output
    assert target.stat().st_size > 1000


def test_plot_rejects_bad_arguments(backoff_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["plot", str(backoff_file), "-o", str(tmp_path / "x.gif")])
    assert res.exit_code == 2
    res = runner.invoke(
        app, ["plot", str(backoff_file), "-o", str(tmp_path / "x.png"), "--by", "pod"]
    )
    assert res.exit_code == 2


def test_explain(backoff_file: Path) -> None:
    res = runner.invoke(app, ["explain", str(backoff_file), "--job", "flaky"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == (
        "t=0s   Job default/flaky created: completions=1, parallelism=1, backoffLimit=2, "
        "restartPolicy=Never"
    )
    assert lines[-1].startswith("t=45s  Job default/flaky condition Failed=True")
    assert lines[-1].endswith("failed=3 > backoffLimit=2")


def test_explain_markdown_and_errors(backoff_file: Path) -> None:
    res = runner.invoke(app, ["explain", str(backoff_file), "--format", "markdown"])
    assert res.exit_code == 0
    assert res.stdout.startswith("| t | what happened, and why |\n|---:|:---|\n| 0s | ")
    res = runner.invoke(app, ["explain", str(backoff_file), "--job", "nope"])
    assert res.exit_code == 1
    assert "no Job 'nope'" in res.stderr
    res = runner.invoke(app, ["explain", str(backoff_file), "--format", "html"])
    assert res.exit_code == 2
