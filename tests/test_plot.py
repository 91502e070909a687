"""Plots: the expected lanes, bars and markers (artists, not pixels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jobsim import Result, load_scenario, simulate
from jobsim.plot import (
    pending_chart,
    save,
    summary,
    timeline_by_job,
    timeline_by_node,
    utilisation_chart,
)
from tests.helpers import job_manifest, run, scenario, without_resources

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}


def bars(ax: Axes, gid: str) -> list[tuple[float, float, float]]:
    """(lane y, left, width) of the rectangles with that gid, in drawing order."""
    out = []
    for p in ax.patches:
        if isinstance(p, Rectangle) and p.get_gid() == gid:
            out.append((p.get_y() + p.get_height() / 2, p.get_x(), p.get_width()))
    return out


def texts(ax: Axes, gid: str | None = None) -> list[str]:
    return [t.get_text().strip() for t in ax.texts if gid is None or t.get_gid() == gid]


def lanes(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def legend(ax: Axes) -> list[str]:
    leg = ax.get_legend()
    assert leg is not None
    return [t.get_text() for t in leg.get_texts()]


@pytest.fixture(scope="module")
def backoff() -> Result:
    return run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))


def test_backoff_timeline_by_job(backoff: Result) -> None:
    """One lane per pod attempt; three failed runs labelled with their exit code; two
    backoff gaps of 10 s and 20 s on the lanes of the retries; one condition marker at 45."""
    ax = timeline_by_job(backoff)
    pods = list(backoff.recorder.pods)
    assert lanes(ax) == pods
    assert bars(ax, "run:failed") == [(0, 0, 5), (1, 15, 5), (2, 40, 5)]
    assert bars(ax, "backoff") == [(1, 5, 10), (2, 20, 20)]
    assert texts(ax, "backoff-label") == ["backoff 10s", "backoff 20s"]
    assert texts(ax, "exit-code") == ["exit 1"] * 3
    assert bars(ax, "run:succeeded") == []
    [marker] = [c for c in ax.collections if c.get_gid() == "condition"]
    assert isinstance(marker, LineCollection)
    [segment] = marker.get_segments()
    assert segment[0][0] == segment[1][0] == 45
    assert texts(ax, "condition-label") == ["FailureTarget, Failed: BackoffLimitExceeded"]
    assert legend(ax) == [
        "pod-failure backoff (Job controller)",
        "run: failed (exit code)",
        "Job condition",
    ]


def test_pending_and_start_up_are_lighter_segments() -> None:
    """pi-like: pulled for 5 s, started 1 s later, 10 s run; a second pod waits for the only
    node (1 cpu, each pod requests 1) until 16."""
    spec = {
        "containers": [
            {"name": "m", "image": "perl:5.34.0", "resources": {"requests": {"cpu": "1"}}}
        ]
    }
    r = run(
        scenario(
            (job_manifest("pi", parallelism=2, completions=2, podSpec=spec), {"duration": "10s"}),
            timing={"imagePull": "5s", "containerStart": "1s"},
            nodes=1,
            cpu="1",
        )
    )
    ax = timeline_by_job(r)
    assert bars(ax, "starting") == [(0, 0, 6), (1, 16, 1)]
    assert bars(ax, "pending") == [(1, 0, 16)]
    assert bars(ax, "run:succeeded") == [(0, 6, 10), (1, 17, 10)]


def test_on_failure_crash_loop_gaps() -> None:
    """OnFailure: runs [0,5], [5,10], [20,25], then the restart at 45 is cut by the limit; the
    CrashLoopBackOff waits of 10 s and 20 s are shaded and labelled."""
    r = run(scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=3), FAIL_AFTER_5S)))
    ax = timeline_by_job(r)
    assert bars(ax, "crashloop") == [(0, 10, 10), (0, 25, 20)]
    assert texts(ax, "crashloop-label") == ["CrashLoopBackOff 10s", "CrashLoopBackOff 20s"]
    assert [b[1:] for b in bars(ax, "run:failed")] == [(0, 5), (5, 5), (20, 5)]


def test_evicted_pod_and_node_down() -> None:
    """The node-failure story: the old pod is evicted at 410 but its container runs on unseen
    until 601 (terminating overlay from 410); the node is down from 60 to 1800."""
    r = run(
        scenario(
            (job_manifest(), {"duration": "10m", "terminationDelay": "5s"}),
            timing={},
            nodes=2,
            events=[{"at": "60s", "nodeDown": "n-0"}, {"at": "30m", "nodeUp": "n-0"}],
        )
    )
    ax = timeline_by_job(r)
    assert bars(ax, "run:evicted") == [(0, 1, 600)]
    assert bars(ax, "terminating") == [(0, 410, 191)]
    assert bars(ax, "run:succeeded") == [(1, 412, 600)]
    assert "run: evicted / disrupted" in legend(ax)

    ax = timeline_by_node(r)
    assert lanes(ax) == ["n-0", "n-1"]
    assert bars(ax, "node-down") == [(0, 60, 1740)]
    assert [(round(y), x, w) for y, x, w in bars(ax, "run:evicted")] == [(0, 1, 600)]
    assert [(round(y), x, w) for y, x, w in bars(ax, "run:succeeded")] == [(1, 412, 600)]
    assert "node down (not reporting)" in legend(ax)


def test_plot_on_a_given_axes(backoff: Result) -> None:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    assert timeline_by_job(backoff, ax) is ax
    assert timeline_by_node(backoff, fig.add_subplot(2, 1, 2)).figure is fig


def test_many_pods_aggregate_to_one_lane_per_job() -> None:
    """Past ``max_lanes`` pods, one lane per Job holding all its pods' bars."""
    wl = {"duration": "10s"}
    r = run(
        scenario(
            (job_manifest("a", completions=3, parallelism=3), wl),
            (job_manifest("b", backoffLimit=2), FAIL_AFTER_5S),
        )
    )
    ax = timeline_by_job(r, max_lanes=4)
    assert lanes(ax) == ["a (3 pods)", "b (3 pods)"]
    assert {y for y, _, _ in bars(ax, "run:succeeded")} == {0}
    assert {y for y, _, _ in bars(ax, "run:failed")} == {1}
    assert len(bars(ax, "backoff")) == 2
    assert len([c for c in ax.collections if c.get_gid() == "condition"]) == 2


@pytest.mark.slow
def test_two_hundred_jobs_stay_readable() -> None:
    """200 one-pod Jobs: one lane per Job, at most 50 tick labels, no per-bar text."""
    jobs = [(job_manifest(f"j{i:03d}"), {"duration": "10s"}) for i in range(200)]
    r = run(scenario(*jobs, nodes=10, cpu="100"))
    ax = timeline_by_job(r)
    labels = lanes(ax)
    assert len(labels) <= 50
    assert labels[0] == "j000 (1 pod)"
    assert len(bars(ax, "run:succeeded")) == 200
    assert ax.get_ylim() == (199.5, -0.6)
    assert texts(ax, "exit-code") == [] and texts(ax, "condition-label") == []


def test_summary_charts() -> None:
    spec = {"containers": [{"name": "m", "image": "x", "resources": {"requests": {"cpu": "2"}}}]}
    r = run(scenario((job_manifest(podSpec=spec), {"duration": "10s"}), nodes=1, cpu="4"))
    ax = utilisation_chart(r)
    [cpu] = [line for line in ax.get_lines() if line.get_gid() == "utilisation:cpu"]
    assert np.asarray(cpu.get_ydata()).tolist()[:2] == [0.5, 0.0]
    ax = pending_chart(r)
    [pending] = [line for line in ax.get_lines() if line.get_gid() == "pending-pods"]
    assert np.asarray(pending.get_ydata()).max() == 0
    fig = summary(r)
    assert len(fig.axes) == 2


def test_utilisation_without_node_resources_says_so() -> None:
    r = without_resources(simulate(load_scenario(scenario((job_manifest(), {"duration": "1s"})))))
    ax = utilisation_chart(r)
    assert "no cluster spec: utilisation unknown" in texts(ax)


@pytest.mark.parametrize(
    "by", ["job", "node", pytest.param("summary", marks=pytest.mark.slow, id="summary")]
)
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_save_is_deterministic(backoff: Result, tmp_path: Path, by: Any, suffix: str) -> None:
    a = save(backoff, tmp_path / f"a.{suffix}", by=by)
    b = save(backoff, tmp_path / f"b.{suffix}", by=by)
    data = a.read_bytes()
    assert data == b.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data[:500]
