"""``jobsim sweep`` and ``jobsim search`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from jobsim.cli import app
from tests.golden import SCENARIOS
from tests.helpers import job_manifest, scenario

runner = CliRunner()
FLAKY = str(SCENARIOS / "flaky-pool.yaml")


@pytest.mark.slow
def test_sweep_prints_the_summary_and_paired_changes(tmp_path: Path) -> None:
    args = ["sweep", FLAKY, "--vary", "cluster.nodePools[worker].count=4,5"]
    more = ["--replications", "3", "--quiet", "--bound", "40m", "--out", str(tmp_path)]
    res = runner.invoke(app, [*args, *more])
    assert res.exit_code == 0, res.output
    assert "summary over 3 replications (95% intervals)" in res.output
    assert "cluster.nodePools[worker].count" in res.output  # not eaten as markup
    assert "  cluster.nodePools[worker].count: 4 -> 5: makespan mean " in res.output
    assert ", p95 " in res.output
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs["seed"].tolist() == [0, 1, 2, 0, 1, 2]
    assert pd.read_parquet(tmp_path / "runs.parquet").equals(
        pd.read_parquet(tmp_path / "runs.parquet")
    )
    assert set(pd.read_csv(tmp_path / "paired.csv")["statistic"]) == {"mean", "p95"}
    assert len(pd.read_csv(tmp_path / "summary.csv")) == 2
    plots = ("makespan.png", "makespan-ecdf.png", "makespan-paired.png")
    assert all((tmp_path / name).read_bytes().startswith(b"\x89PNG") for name in plots)


def test_sweep_names_a_bad_path_and_its_point() -> None:
    res = runner.invoke(app, ["sweep", FLAKY, "--vary", "cluster.nodePools[gpu].count=1"])
    assert res.exit_code == 1
    assert (
        f"error: {FLAKY}: point cluster.nodePools[gpu].count=1: cluster.nodePools[gpu]: no item "
        "named 'gpu' (the names are: worker)" in res.output
    )
    res = runner.invoke(app, ["sweep", FLAKY, "--metric", "speed"])
    assert res.exit_code == 1 and "unknown metric 'speed'" in res.output


@pytest.mark.slow  # a search of about 7 s: `make test` runs it, `make check` leaves it out
def test_search_answers_with_its_table(tmp_path: Path) -> None:
    pods = {
        "containers": [
            {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}
        ]
    }
    data = scenario(
        (
            job_manifest(parallelism=8, completions=8, podSpec=pods),
            {"duration": {"uniform": {"min": "50s", "max": "60s"}}},
        ),
        nodes=1,
    )
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    args = ["search", str(path), "--vary", "cluster.nodePools[n].count=1..4", "--at-most", "90s"]
    res = runner.invoke(app, [*args, "--replications", "5", "--quiet"])
    assert res.exit_code == 0, res.output
    said = "cluster.nodePools[n].count = 2 is the fewest that meets p95 makespan ≤ 1m30s"  # 90s
    assert said in res.output
    res = runner.invoke(app, [*args, "--at-least", "1h"])
    assert res.exit_code == 2 and "exactly one of --at-most and --at-least" in res.output


def test_any_quantile_and_bad_settings(tmp_path: Path) -> None:
    base = ["sweep", FLAKY, "--replications", "2", "--quiet", "--executor", "serial"]
    res = runner.invoke(app, [*base, "--quantile", "0.975"])
    assert res.exit_code == 0, res.output
    assert "p97_5" in res.output
    res = runner.invoke(app, [*base, "--workers", "2"])
    assert res.exit_code == 2 and "does not go with --executor serial" in res.output
    res = runner.invoke(app, [*base, "--metric", "pods_failed", "--bound", "2h"])
    assert res.exit_code == 1 and "pods_failed is not a time; expected a number" in res.output
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    res = runner.invoke(app, [*base, "--out", str(blocker / "out")])
    assert res.exit_code == 1 and "summary over" not in res.output  # refused before the runs
