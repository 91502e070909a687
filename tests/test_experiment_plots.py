"""Charts of a sweep: what each draws (artists, labels, legends), not pixels; and saved files
whose bytes repeat."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.axes import Axes
from matplotlib.collections import Collection, LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from jobsim.experiment import Sweep, SweepError, sweep
from jobsim.experiment.intervals import quantile
from jobsim.experiment.metrics import makespan
from jobsim.experiment.plots import (
    Unit,
    ecdf_plot,
    is_duration,
    metric_plot,
    paired_plot,
    save,
    unit_for,
)
from jobsim.results import Result
from tests.golden import SCENARIOS

FLAKY = SCENARIOS / "flaky-pool.yaml"
COUNT = "cluster.nodePools[worker].count"
MTBF = "cluster.nodePools[worker].failures.mtbf"


@pytest.fixture(scope="module")
def nodes() -> Sweep:
    return sweep(
        FLAKY,
        {COUNT: [3, 4, 5]},
        replications=4,
        metrics=["makespan", "pods_failed"],
        executor="serial",
    )


def stuck_on_seed_2(result: Result) -> float:
    """makespan, but as if the run with seed 2 never finished."""
    return math.inf if result.seed == 2 else makespan(result)


@pytest.fixture(scope="module")
def unfinished() -> Sweep:
    return sweep(
        FLAKY, {COUNT: [3, 4, 5]}, replications=4, metrics=[stuck_on_seed_2], executor="serial"
    )


def axes(fig: Figure) -> Axes:
    [ax] = fig.axes
    return ax


def lines(ax: Axes, gid: str) -> list[Line2D]:
    return [a for a in ax.get_lines() if a.get_gid() == gid]


def collections(ax: Axes, gid: str) -> list[Collection]:
    return [c for c in ax.collections if c.get_gid() == gid]


def xdata(line: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(line.get_xdata(), dtype=float)]


def ydata(line: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(line.get_ydata(), dtype=float)]


def offsets(c: Collection) -> np.ndarray:
    return np.asarray(c.get_offsets())


def legend_texts(ax: Axes) -> list[str]:
    """Every legend's entries (a chart may have two), in drawing order."""
    out: list[str] = []
    for leg in [c for c in ax.get_children() if isinstance(c, Legend)]:
        out.extend(t.get_text() for t in leg.get_texts())
    return out


def texts(ax: Axes, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


# -- units ------------------------------------------------------------------------------------


def test_units_follow_the_typical_duration() -> None:
    assert is_duration("makespan") and is_duration("max_wall_time") and is_duration("mean_wait")
    assert not is_duration("pods_failed")
    assert unit_for("makespan", [30.0, 90.0]) == Unit("s", 1.0)
    assert unit_for("makespan", [600.0, 1800.0, math.inf]) == Unit("min", 60.0)
    assert unit_for("makespan", [3 * 3600.0, 5 * 3600.0]) == Unit("h", 3600.0)
    # a typical value in minutes, but one so long that minutes would read as 300+: hours
    assert unit_for("makespan", [600.0, 900.0, 6 * 3600.0]) == Unit("h", 3600.0)
    assert unit_for("pods_failed", [3000.0]) == Unit("")
    assert Unit("min", 60.0).text(2400.0) == "40 min"


# -- a metric against the parameter ----------------------------------------------------------


def test_metric_plot_draws_the_statistic_its_band_the_mean_runs_and_bound(nodes: Sweep) -> None:
    fig = metric_plot(nodes, "makespan", bound="40m")
    ax = axes(fig)
    assert ax.get_ylabel() == "makespan (min)"
    assert ax.get_xlabel() == COUNT
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "4", "5"]
    [p95] = lines(ax, "statistic")
    assert xdata(p95) == [3.0, 4.0, 5.0]
    values = [nodes.values(i, "makespan") for i in range(3)]
    assert ydata(p95) == pytest.approx([quantile(v, 0.95) / 60 for v in values])
    [mean] = lines(ax, "mean")
    assert ydata(mean) == pytest.approx([sum(v) / len(v) / 60 for v in values])
    [band] = collections(ax, "interval")
    assert isinstance(band, PolyCollection)
    dots = collections(ax, "runs")
    assert len(dots) == 3
    assert all(isinstance(d, PathCollection) and len(offsets(d)) == 4 for d in dots)
    [bound] = lines(ax, "bound")
    assert ydata(bound) == [40.0, 40.0]
    assert texts(ax, "bound-label") == ["bound 40 min"]
    assert legend_texts(ax) == [
        "p95",
        "95% interval of the p95",
        "mean",
        "one replication",
        "bound (40 min)",
    ]
    assert not collections(ax, "did-not-finish")


def test_metric_plot_of_the_mean_and_of_a_count(nodes: Sweep) -> None:
    ax = axes(metric_plot(nodes, "pods_failed", statistic="mean"))
    assert ax.get_ylabel() == "pods_failed"
    assert len(lines(ax, "statistic")) == 1
    assert lines(ax, "mean") == []  # the statistic is the mean: not drawn twice
    assert lines(ax, "bound") == []
    assert "mean" in legend_texts(ax) and "bound" not in " ".join(legend_texts(ax))


def test_metric_plot_rejects_what_the_sweep_does_not_have(nodes: Sweep) -> None:
    with pytest.raises(SweepError, match="cpu_utilisation"):
        metric_plot(nodes, "cpu_utilisation")
    with pytest.raises(SweepError, match="p95"):
        metric_plot(nodes, "makespan", statistic="median")
    with pytest.raises(SweepError, match="not varied"):
        metric_plot(nodes, "makespan", parameter="jobs[nightly].manifest.spec.parallelism")


def test_several_parameters_one_line_per_combination_of_the_others() -> None:
    grid = sweep(
        FLAKY,
        {MTBF: ["5m", "30m"], COUNT: [3, 4, 5]},
        replications=2,
        metrics=["makespan"],
        executor="serial",
    )
    with pytest.raises(SweepError, match="parameter="):
        metric_plot(grid, "makespan")
    ax = axes(metric_plot(grid, "makespan", parameter=COUNT))
    assert len(lines(ax, "statistic")) == 2
    assert len(collections(ax, "interval")) == 2
    legend = legend_texts(ax)
    assert legend[:2] == ["5m", "30m"]  # the lines: values of the other parameter
    assert "p95" in legend
    # a parameter whose values are not numbers: categories on the x axis
    ax = axes(metric_plot(grid, "makespan", parameter=MTBF, statistic="mean"))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5m", "30m"]
    assert len(lines(ax, "statistic")) == 3
    assert legend_texts(ax)[:3] == ["3 nodes", "4 nodes", "5 nodes"]


def test_runs_that_did_not_finish_are_markers_on_the_top_edge(
    unfinished: Sweep, tmp_path: Path
) -> None:
    """Seed 2 never finishes: one run in four at every point. The p95 and the mean are then
    infinite too: open markers in the strip, not points on the line."""
    fig = metric_plot(unfinished, "stuck_on_seed_2", bound=2400)
    ax = axes(fig)
    marks = collections(ax, "did-not-finish")
    # a triangle for each unfinished run (one per point), open markers for the p95 and the mean
    assert sorted(len(offsets(m)) for m in marks) == [1, 1, 1, 3, 3]
    strip = ax.get_xaxis_transform()
    assert all(
        m.get_offset_transform() == strip and set(offsets(m)[:, 1]) == {0.9625} for m in marks
    )
    assert texts(ax, "did-not-finish-note") == ["did not\nfinish"]
    assert "did not finish (3 of 12 runs)" in legend_texts(ax)
    dots = collections(ax, "runs")
    assert [len(offsets(d)) for d in dots] == [3, 3, 3]  # the finished runs
    [p95] = lines(ax, "statistic")
    assert all(math.isnan(v) for v in ydata(p95))  # no point on the line: in the strip instead
    longest = max(
        v for i in range(3) for v in unfinished.values(i, "stuck_on_seed_2") if v < math.inf
    )
    assert all(t <= longest * 1.02 for t in ax.get_yticks())  # no number beside the strip
    save(fig, tmp_path / "unfinished.png")  # draws without an error or a warning
    ecdf = axes(ecdf_plot(unfinished, "stuck_on_seed_2"))
    assert all("1 of 4 did not finish" in t for t in legend_texts(ecdf))
    assert texts(ecdf, "did-not-finish-note")
    assert [ydata(s)[-1] for s in lines(ecdf, "ecdf")] == [0.75] * 3  # short of 100%
    paired = axes(paired_plot(unfinished, "stuck_on_seed_2"))
    assert texts(paired, "did-not-finish-note") == ["undefined: a run did not finish"] * 2
    save(paired.get_figure(root=True), tmp_path / "paired.png")  # type: ignore[arg-type]


# -- distributions ----------------------------------------------------------------------------


def test_ecdf_one_step_line_per_point(nodes: Sweep) -> None:
    ax = axes(ecdf_plot(nodes, "makespan", bound="40m"))
    steps = lines(ax, "ecdf")
    assert len(steps) == 3
    assert len({s.get_color() for s in steps}) == 3
    for s in steps:
        assert ydata(s)[0] == 0.0 and ydata(s)[-1] == 1.0
    assert ax.get_xlabel() == "makespan (min)"
    [bound] = lines(ax, "bound")
    assert xdata(bound) == [40.0, 40.0]
    leg = ax.get_legend()
    assert leg is not None and leg.get_title().get_text() == COUNT
    labels = legend_texts(ax)
    assert [t.split(":")[0] for t in labels] == ["3 nodes", "4 nodes", "5 nodes"]
    for i, text in enumerate(labels):
        share = sum(1 for v in nodes.values(i, "makespan") if v <= 2400) / 4
        assert f": {share:.0%} ≤ 40 min" in text
    # every point's makespans differ from the others' (the node lifecycle controller's rate
    # limits make 3 nodes slower than 4 in two replications): no line hides another
    assert not any("same as" in t for t in labels)


def test_ecdf_names_the_line_another_hides() -> None:
    """On the ideal control plane (every NotReady node tainted at once) 3 and 4 nodes give the
    same makespans in every replication: one line hides the other, and its label says so."""
    ideal = {**yaml.safe_load(FLAKY.read_text(encoding="utf-8")), "controlPlane": "ideal"}
    same = sweep(ideal, {COUNT: [3, 4, 5]}, replications=4, executor="serial")
    assert same.values(0, "makespan") == same.values(1, "makespan")
    labels = legend_texts(axes(ecdf_plot(same, "makespan", bound="40m")))
    assert labels[0].endswith("(same as 4 nodes)")
    assert not labels[1].endswith(")") and not labels[2].endswith(")")


# -- paired differences -----------------------------------------------------------------------


def test_paired_plot_rows_zero_line_and_the_unpaired_interval(nodes: Sweep) -> None:
    ax = axes(paired_plot(nodes, "makespan"))
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "3 -> 4 worker nodes",
        "4 -> 5 worker nodes",
    ]
    [zero] = lines(ax, "zero")
    assert xdata(zero) == [0.0, 0.0]
    unpaired = collections(ax, "unpaired")
    assert len(unpaired) == 2 and all(isinstance(u, LineCollection) for u in unpaired)
    table = nodes.paired("makespan")
    points = [p for p in lines(ax, "paired") if p.get_marker() == "o"]
    assert len(points) == len(table)
    second = unpaired[1]
    assert isinstance(second, LineCollection)
    assert second.get_segments()[0][0][0] == pytest.approx(table["unpaired_low"][1] / 60)
    assert ax.get_xlabel() == "change in mean makespan (min)"
    assert legend_texts(ax) == ["paired (95% interval)", "as if the runs were independent"]
    assert texts(ax, "gain")  # how much narrower pairing made the interval


def test_paired_plot_of_a_quantile_and_against_a_baseline(nodes: Sweep) -> None:
    ax = axes(paired_plot(nodes, "makespan", statistic="p95", baseline=0))
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "3 -> 4 worker nodes",
        "3 -> 5 worker nodes",
    ]
    assert collections(ax, "unpaired") == []  # no unpaired interval for a quantile
    assert legend_texts(ax) == ["paired (95% interval)"]
    assert ax.get_xlabel() == "change in p95 makespan (s)"  # differences under 2 minutes


def test_drawing_on_your_own_axes(nodes: Sweep) -> None:
    """Given an Axes, a chart draws there, returns its Figure and leaves its layout alone."""
    fig = Figure(figsize=(12, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert metric_plot(nodes, "makespan", ax=left) is fig
    assert paired_plot(nodes, "makespan", ax=right) is fig
    assert lines(left, "statistic") and lines(right, "zero")
    assert fig.get_layout_engine() is not None and type(fig.get_layout_engine()).__name__ == (
        "ConstrainedLayoutEngine"
    )


# -- files ------------------------------------------------------------------------------------


def test_saved_bytes_repeat(nodes: Sweep, tmp_path: Path) -> None:
    """The same sweep drawn twice, and the same Figure saved twice, give the same bytes."""
    first = metric_plot(nodes, "makespan", bound="40m")
    second = metric_plot(nodes, "makespan", bound="40m")
    for suffix in ("png", "svg"):
        a = save(first, tmp_path / f"a.{suffix}").read_bytes()
        assert len(a) > 1000
        assert a == save(second, tmp_path / f"b.{suffix}").read_bytes()
    assert a == save(first, tmp_path / "c.svg").read_bytes()


def test_save_rejects_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        save(Figure(), tmp_path / "chart.jpg")


def test_importing_the_experiments_does_not_load_matplotlib() -> None:
    code = "import sys, jobsim.experiment; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
