"""Pictures of long runs read in their own units: a week of nightly CronJobs on an axis in days,
times with days past 24 hours, one legend entry per CronJob, a kind of mark seen many times
drawn without a text each; short runs keep their axis in seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.ticker import AutoLocator, MultipleLocator

import jobsim
from jobsim.api import compare, load_side, parse_settings
from jobsim.compare import figure as compare_figure
from jobsim.narrate import explain
from jobsim.plot import summary, timeline_by_job, timeline_by_node
from jobsim.plot.charts import MARK_TOP
from jobsim.plot.marks import Mark
from jobsim.plot.style import new_axes, time_axis
from jobsim.plot.timeline import MAX_KIND_LABELS, _mark_tags
from jobsim.record import fmt_seconds
from jobsim.report.figures import PodStories, charts
from jobsim.report.figures import time_axis as report_time_axis
from jobsim.report.figures import timeline_by_node as report_by_node
from jobsim.timescale import DAY, HOUR, MINUTE, TimeScale, fmt_time, time_scale

ROOT = Path(__file__).resolve().parents[1]
WEEK_TICKS = ["0", "1", "2", "3", "4", "5", "6"]


@pytest.fixture(scope="module")
def nightly() -> jobsim.Result:
    return jobsim.simulate(jobsim.load_scenario(ROOT / "scenarios" / "cronjob-nightly.yaml"))


@pytest.fixture(scope="module")
def pi() -> jobsim.Result:
    return jobsim.simulate(jobsim.load_scenario(ROOT / "scenarios" / "pi.yaml"))


def _xticks(ax: Axes) -> list[str]:
    """The x tick labels drawn inside the axis' limits."""
    ax.figure.canvas.draw()
    lo, hi = ax.get_xlim()
    return [t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]


# -- the unit of a time axis, from its span ---------------------------------------------------


@pytest.mark.parametrize(
    ("span", "unit", "step"),
    [
        (17.0, "s", 0.0),  # pi: matplotlib's own ticks, as before
        (599.0, "s", 0.0),
        (600.0, "min", MINUTE),  # 10 ticks of a minute
        (2580.0, "min", 5 * MINUTE),  # at-scale, 43 min: 2 min would make 21 ticks
        (3 * HOUR - 1, "min", 20 * MINUTE),
        (3 * HOUR, "h", HOUR),
        (48 * HOUR, "h", 6 * HOUR),  # 4 h would make 12 ticks
        (3 * DAY, "days", DAY),
        (6.06 * DAY, "days", DAY),  # a week of nightly CronJobs
        (30 * DAY, "days", 7 * DAY),
        (400 * DAY, "days", 56 * DAY),  # past 28-day ticks: multiples of 28 days
    ],
)
def test_time_scale_from_span(span: float, unit: str, step: float) -> None:
    scale = time_scale(span)
    assert (scale.unit, scale.step) == (unit, step)
    assert scale.label == f"virtual time ({unit})"


def test_ticks_at_whole_units() -> None:
    days = TimeScale("days", DAY, DAY)
    assert days.ticks(6.2 * DAY) == [k * DAY for k in range(7)]
    assert [days.tick(t) for t in days.ticks(6.2 * DAY)] == WEEK_TICKS
    assert TimeScale("h", HOUR, 6 * HOUR).tick(48 * HOUR) == "48"
    assert TimeScale("s", 1.0, 0.0).ticks(100.0) == []


# -- times in pictures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "span", "text"),
    [
        (523496.92, 7 * DAY, "6d1h24m57s"),  # was 145h24m56.92s
        (523496.92, 0.0, "6d1h24m56.92s"),
        (86400.0, 7 * DAY, "1d0h0m0s"),
        (90000.5, 0.0, "1d1h0m0.5s"),
        (3087.38, 0.0, "51m27.38s"),  # under a day: as Go writes it
        (3087.38, HOUR, "51m27s"),  # an hour or more shown: whole seconds
        (20.0, 17.0, "20s"),
        (0.5, 17.0, "500ms"),
    ],
)
def test_fmt_time(x: float, span: float, text: str) -> None:
    assert fmt_time(x, span) == text


def test_text_output_keeps_go_durations() -> None:
    """The CLI, narrate and the explain goldens keep Go's format: no days."""
    assert fmt_seconds(523496.92) == "145h24m56.92s"


# -- the week of nightly CronJobs -------------------------------------------------------------


def test_timeline_axis_in_days(nightly: jobsim.Result) -> None:
    for ax in (timeline_by_job(nightly), timeline_by_node(nightly)):
        assert ax.get_xlabel() == "virtual time (days)"
        assert isinstance(ax.xaxis.get_major_locator(), MultipleLocator)
        assert _xticks(ax) == WEEK_TICKS


def test_cronjob_deletions_marked_without_a_text_each(nightly: jobsim.Result) -> None:
    """successfulJobsHistoryLimit 3 (the default): etl-forbid's 6 Jobs (Thursday's is
    skipped) lose their 3 oldest, etl-allow's 7 their 4 oldest; 7 deletions, past
    MAX_KIND_LABELS: each keeps its symbol on the top edge and the legend names the kind."""
    ax = timeline_by_job(nightly)
    ticks = [line for line in ax.get_lines() if line.get_gid() == "marker-tick"]
    assert [line.get_marker() for line in ticks] == ["X"] * 7
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "marker-label"]
    assert labels == []
    leg = ax.get_legend()
    assert leg is not None
    assert "deleted by its CronJob (history limit, Replace)" in [
        t.get_text() for t in leg.get_texts()
    ]


def test_few_marks_of_a_kind_keep_their_text() -> None:
    def ms(n: int) -> list[Mark]:
        return [Mark(float(i), "cronjob", f"j{i}", "CronJob: Job deleted") for i in range(n)]

    assert [t.text for t in _mark_tags(ms(MAX_KIND_LABELS), {})] == [
        "CronJob: Job deleted"
    ] * MAX_KIND_LABELS
    assert [t.text for t in _mark_tags(ms(MAX_KIND_LABELS + 1), {})] == [""] * (MAX_KIND_LABELS + 1)
    # a kind's count is its own: 5 deletions do not silence one scale mark
    mixed = [*ms(5), Mark(9.0, "scale", "j0", "scaled: parallelism 1→2")]
    assert [t.text for t in _mark_tags(mixed, {})][-1] == "scaled: parallelism 1→2"


def test_summary_one_entry_per_cronjob(nightly: jobsim.Result) -> None:
    fig = summary(nightly)
    active = fig.axes[0]
    areas = [c for c in active.collections if c.get_gid() == "active-area"]
    assert len(areas) == 2
    leg = active.get_legend()
    assert leg is not None
    assert [t.get_text() for t in leg.get_texts()] == [
        "CronJob etl-forbid: active",
        "CronJob etl-allow: active",
        "sum of spec.parallelism,\nunfinished Jobs",
        "deleted by its CronJob (history limit, Replace)",
    ]
    faces = [to_hex(np.asarray(a.get_facecolor(), dtype=float)[0]) for a in areas]
    assert faces[0] != faces[1]
    assert fig.axes[-1].get_xlabel() == "virtual time (days)"
    assert _xticks(fig.axes[-1]) == WEEK_TICKS


def test_summary_marks_stay_inside_the_panel(nightly: jobsim.Result) -> None:
    active = summary(nightly).axes[0]
    marks = [line for line in active.get_lines() if line.get_gid() == "marker:cronjob"]
    assert len(marks) == 7
    for line in marks:
        assert line.get_transform() == active.get_xaxis_transform()
        ys = np.asarray(line.get_ydata(), dtype=float).tolist()
        assert ys == [0.0, MARK_TOP] and MARK_TOP < 1.0


def test_report_axes_in_days(nightly: jobsim.Result) -> None:
    stories = PodStories(nightly, explain(nightly))
    for fig in (report_by_node(nightly, stories), charts(nightly)):
        axis = fig.layout.xaxis
        assert list(axis.ticktext) == WEEK_TICKS
        assert list(axis.tickvals) == [k * DAY for k in range(7)]
    assert str(charts(nightly).layout.xaxis2.title.text) == "virtual time (days)"


def test_report_axis_of_a_short_run() -> None:
    assert report_time_axis(17.0) == {"title_text": "virtual time (s)"}


# -- short runs look as before ----------------------------------------------------------------


def test_short_run_axis_in_seconds(pi: jobsim.Result) -> None:
    for ax in (timeline_by_job(pi), timeline_by_node(pi), summary(pi).axes[-1]):
        assert ax.get_xlabel() == "virtual time (s)"
        assert isinstance(ax.xaxis.get_major_locator(), AutoLocator)


def test_minutes_axis() -> None:
    """43 minutes (at-scale): ticks every 5 minutes, labelled in minutes."""
    ax = new_axes()
    ax.set_xlim(0, 2580.0 * 1.02)
    time_axis(ax, 2580.0)
    assert ax.get_xlabel() == "virtual time (min)"
    assert _xticks(ax) == ["0", "5", "10", "15", "20", "25", "30", "35", "40"]


@pytest.mark.slow  # two weeks of CronJobs run and drawn, 2 s: not in make check
def test_compare_of_a_week() -> None:
    """Forbid skips Thursday's run (6 + 7 Jobs); Allow runs it (7 + 7): past three Jobs a
    title counts outcomes, and the shared axis is in days."""
    file = ROOT / "scenarios" / "cronjob-nightly.yaml"
    a = load_side("A", file)
    setting = "jobs[0].manifest.spec.concurrencyPolicy=Allow"
    b = load_side("B", file, parse_settings([setting], "--set"))
    top, bottom = compare_figure(compare(a, b)).axes
    assert top.get_title() == "A: concurrencyPolicy=Forbid — 13 Jobs: 13 Complete"
    assert bottom.get_title() == "B: concurrencyPolicy=Allow — 14 Jobs: 14 Complete"
    assert bottom.get_xlabel() == "virtual time (days)"
    assert _xticks(bottom) == WEEK_TICKS
