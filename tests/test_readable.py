"""Output for people (issue 12): durations as Go writes them, counts with thousands
separators, pod starts that say what their number counts, tables that keep their key columns
whole at 80 columns, and ``--version``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jobsim.api import __version__
from jobsim.cli import _n, app
from jobsim.record import Kind, describe, fmt_seconds

runner = CliRunner()
SCENARIOS = Path(__file__).parents[1] / "scenarios"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "500ms"),
        (0.001, "1ms"),
        (0.0004, "0s"),  # below a millisecond: rounded away
        (1.5, "1.5s"),
        (1.23456, "1.235s"),  # at most 3 decimals, as to the nearest millisecond
        (20, "20s"),
        (59, "59s"),
        (60, "1m0s"),
        (600, "10m0s"),
        (3087.38, "51m27.38s"),
        (3600, "1h0m0s"),
        (3723, "1h2m3s"),
        (1352900, "375h48m20s"),  # Go has no days: 3912h0m0s is a Duration's String()
        (1e9, "277777h46m40s"),  # never scientific notation
        (-1.5, "-1.5s"),
    ],
)
def test_durations_read_as_go_writes_them(seconds: float, text: str) -> None:
    assert fmt_seconds(seconds) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(0, "0"), (999, "999"), (12345, "12,345"), (1352900, "1,352,900"), (12.5, "12.5")],
)
def test_counts_have_thousands_separators(x: float, text: str) -> None:
    assert _n(x) == text


def test_an_indexed_pod_start_names_its_index_and_try() -> None:
    started = Kind.CONTAINER_STARTED
    assert describe(started, "p", "2", 0, 1.0, "") == (
        "pod p container started (index 2, attempt 1: its 2nd try)"
    )
    assert describe(started, "p", "0", 1, 0.0, "") == (
        "pod p container started (index 0, attempt 0: its 1st try, restartCount 1)"
    )


def test_a_non_indexed_pod_start_is_no_attempt() -> None:
    """Parallel pods of a NonIndexed Job share one count: the number is the Job's, not a retry."""
    text = describe(Kind.CONTAINER_STARTED, "p", "", 0, 2.0, "")
    assert text == "pod p container started (start 3 of the Job's work)"
    assert "attempt" not in text


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0, res.output
    assert res.output == f"jobsim {__version__}\n"


def test_tables_keep_key_columns_whole_at_80_columns(tmp_path: Path) -> None:
    data = yaml.safe_load((SCENARIOS / "pod-failure-policy.yaml").read_text(encoding="utf-8"))
    [job] = data["jobs"]
    job["manifest"]["metadata"]["name"] = "training-pipeline-stage-2"
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    res = runner.invoke(app, ["run", str(path), "--lines", "0"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    tables = [ln for ln in res.output.splitlines() if ln[:1] in "┏┃┡│└"]
    assert tables and max(len(ln) for ln in tables) <= 80
    row = next(ln for ln in tables if "training-pipeline-stage-2 " in ln and "Failed" in ln)
    assert "PodFailurePolicy" in row
    assert "10m44s" in row  # the duration stays; start and completion give way
    assert not any("…" in ln for ln in tables)  # no header or value cut short
    named = [ln for ln in tables if "│ training-pipeline-stage-2 │" in ln]
    assert len(named) == 2  # the summary's row and the statistics' row
