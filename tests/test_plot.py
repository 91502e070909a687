"""Plots: the expected lanes, bars and markers (artists, not pixels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jobsim import Result, load_scenario, simulate
from jobsim.plot import (
    JOB_COLOURS,
    STYLES,
    active_chart,
    panels,
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
    # each label starts with its time
    assert texts(ax, "condition-label") == ["45s FailureTarget, Failed: BackoffLimitExceeded"]
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
    # the replacement starts at 412 while the evicted container runs on until 601: 189 s of
    # the same work twice, boxed on both lanes
    assert bars(ax, "overlap") == [(0, 412, 189), (1, 412, 189)]
    assert texts(ax, "overlap-label") == ["overlap 3m9s"]
    # the node events: down at 60, up at 30 m
    assert lines_at(ax, "marker:node") == [60, 1800]

    ax = timeline_by_node(r)
    assert lanes(ax) == ["n-0", "n-1"]
    assert bars(ax, "node-down") == [(0, 60, 1740)]
    assert [(round(y), x, w) for y, x, w in bars(ax, "run:evicted")] == [(0, 1, 600)]
    assert [(round(y), x, w) for y, x, w in bars(ax, "run:succeeded")] == [(1, 412, 600)]
    assert "node down (not reporting)" in legend(ax)
    assert [(round(y), x, w) for y, x, w in bars(ax, "overlap")] == [(0, 412, 189), (1, 412, 189)]


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
    # on a lane of several pods, failed runs are drawn thinner than the lane's 0.6, over
    # the other pods' runs, so that a few of them do not hide the rest; one pod per lane:
    # the full height
    assert heights(ax, "run:succeeded") == {0.6}
    assert heights(ax, "run:failed") == {0.24}  # 0.4 of the lane's
    assert heights(timeline_by_job(r), "run:failed") == {0.6}


def heights(ax: Axes, gid: str) -> set[float]:
    """The heights of the rectangles with that gid (to 1e-9: the float arithmetic of barh)."""
    return {
        round(p.get_height(), 9)
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_gid() == gid
    }


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


def lines_at(ax: Axes, gid: str) -> list[float]:
    """The x of each vertical line (a ``vlines`` segment) with that gid."""
    out: list[float] = []
    for c in ax.collections:
        if c.get_gid() == gid:
            assert isinstance(c, LineCollection)
            out.extend(float(seg[0][0]) for seg in c.get_segments())
    return out


def steps(ax: Axes, gid: str) -> list[list[tuple[float, float]]]:
    """The (x, y) points of each step line with that gid."""
    out = []
    for line in ax.get_lines():
        if line.get_gid() == gid:
            xs = np.asarray(line.get_xdata(), dtype=float).tolist()
            ys = np.asarray(line.get_ydata(), dtype=float).tolist()
            out.append(list(zip(xs, ys, strict=True)))
    return out


def luminance(colour: str) -> float:
    r, g, b = to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_every_state_reads_in_colour_and_in_greyscale() -> None:
    """Two states differ in colour and, for a greyscale print, in hatch or by a tenth of the
    lightness range. Exceptions by design: ``unreachable`` (a pod's lane) and ``node-down`` (a
    node's lane) mean the same thing; ``node-absent`` is drawn only by node and ``pending``
    only by Job, never in one picture."""
    same_meaning = {frozenset({"unreachable", "node-down"})}
    never_together = {frozenset({"node-absent", "pending"})}
    states = [(g, s) for g, s in STYLES.items() if s["facecolor"] != "none"]
    for i, (a, sa) in enumerate(states):
        for b, sb in states[i + 1 :]:
            pair = frozenset({a, b})
            if pair in same_meaning:
                continue
            assert (sa["facecolor"], sa.get("hatch")) != (sb["facecolor"], sb.get("hatch")), pair
            if pair not in never_together and sa.get("hatch") == sb.get("hatch"):
                gap = abs(luminance(sa["facecolor"]) - luminance(sb["facecolor"]))
                assert gap >= 0.1, (pair, gap)


def _style(ax: Axes, gid: str) -> tuple[Any, str | None]:
    [p, *_] = [p for p in ax.patches if p.get_gid() == gid]
    return p.get_facecolor(), p.get_hatch()


def test_crashloop_and_pod_failure_backoff_are_drawn_apart(backoff: Result) -> None:
    """The kubelet's CrashLoopBackOff (OnFailure) and the Job controller's pod-failure backoff
    (Never) are different waits and are drawn in different colours and hatches."""
    crash = run(scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=3), FAIL_AFTER_5S)))
    a = _style(timeline_by_job(crash), "crashloop")
    b = _style(timeline_by_job(backoff), "backoff")
    assert a[0] != b[0] and a[1] != b[1]
    assert "CrashLoopBackOff (kubelet restart wait)" in legend(timeline_by_job(crash))


@pytest.fixture(scope="module")
def bound_to_dead_node() -> Result:
    """One node. The first pod fails at 5 s; the node stops reporting at 12 s; the retry is
    created at 15 s (5 s + the 10 s pod-failure backoff) and bound to the node, which the
    scheduler still takes for Ready: NotReady comes after the 50 s grace period, at 62 s. The
    taint manager evicts the pod 300 s later (tolerationSeconds), at 362 s, and the Job
    creates a replacement, pending (the node is tainted) until the node reports again at
    600 s; then the old pod is Failed and gone, and the replacement runs 10 s. The node is the
    cluster's only one, so the real node lifecycle controller would be in master disruption
    mode (every zone fully disrupted) and taint nothing: the eviction drawn here needs the
    ideal tainting (``nodeLifecycle: off``)."""
    wl = {"duration": "10s", "script": [{"attempt": 0, "exitCode": 1, "after": "5s"}]}
    events = [{"at": "12s", "nodeDown": "n-0"}, {"at": "10m", "nodeUp": "n-0"}]
    data = scenario((job_manifest(), wl), nodes=1, events=events)
    data["cluster"]["nodeLifecycle"] = False
    return run(data)


def test_a_pod_bound_to_a_node_that_is_down_never_pulls(bound_to_dead_node: Result) -> None:
    """No image pull or container start while the node is down: the time is drawn as bound
    to a node not reporting, terminating from the eviction until the node reports."""
    ax = timeline_by_job(bound_to_dead_node)
    assert bars(ax, "starting") == []
    assert bars(ax, "unreachable") == [(1, 15, 585)]
    assert bars(ax, "terminating") == [(1, 362, 238)]
    assert bars(ax, "pending") == [(2, 362, 238)]
    assert bars(ax, "run:succeeded") == [(2, 600, 10)]
    assert lines_at(ax, "marker:node") == [12, 600]
    assert texts(ax, "marker-label") == ["12s n-0 down", "10m0s n-0 up"]
    assert ax.get_xlim() == (0, 610 * 1.02)

    ax = timeline_by_node(bound_to_dead_node)
    assert bars(ax, "node-down") == [(0, 12, 588)]
    assert [(x, w) for _, x, w in bars(ax, "unreachable")] == [(15, 585)]
    assert lines_at(ax, "marker:node") == [12, 600]


def test_scale_events_are_marked_and_move_parallelism() -> None:
    """Indexed, 6 completions and parallelism 6, 60 s each; scaled to 3/3 at 30 s (indexes
    3-5 deleted: no longer active) and to 5/5 at 50 s (indexes 3 and 4 again, until 110 s)."""
    manifest = job_manifest("shards", completionMode="Indexed", completions=6, parallelism=6)
    events = [
        {"at": "30s", "scale": {"job": "shards", "completions": 3, "parallelism": 3}},
        {"at": "50s", "scale": {"job": "shards", "completions": 5, "parallelism": 5}},
    ]
    r = run(scenario((manifest, {"duration": "60s"}), events=events, cpu="8"))
    ax = timeline_by_job(r)
    assert lines_at(ax, "marker:scale") == [30, 50]
    assert texts(ax, "marker-label") == [
        "30s scaled: parallelism 6→3, completions 6→3",
        "50s scaled: parallelism 3→5, completions 3→5",
    ]
    ax = active_chart(r)
    # active: 6 until 30, 3 until 50, 5 until the first three finish at 60, 2 until 110
    [act] = steps(ax, "active-curve")
    assert act == [(0, 6), (30, 3), (50, 5), (60, 2), (110, 0)]
    # parallelism: 6, 3 from 30, 5 from 50, until the Job completes at 110
    [par] = steps(ax, "parallelism-curve")
    assert par == [(0, 6), (30, 3), (50, 5), (110, 5)]


def test_suspend_shades_the_job_and_sets_parallelism_to_zero() -> None:
    """3 pods of 2 min; suspended at 60 s (the pods are deleted: not active), resumed at 200 s
    (3 new pods, done at 320 s)."""
    manifest = job_manifest("batch", completions=3, parallelism=3)
    events = [{"at": "60s", "suspend": "batch"}, {"at": "200s", "resume": "batch"}]
    r = run(scenario((manifest, {"duration": "2m"}), events=events))
    ax = timeline_by_job(r)
    assert lines_at(ax, "marker:suspend") == [60]
    assert lines_at(ax, "marker:resume") == [200]
    # one band over the Job's six lanes (0-5, 0.45 beyond each end, and 0.05 more)
    assert bars(ax, "suspended") == [(2.5, 60, 140)]
    assert "Job suspended" in legend(ax)
    ax = active_chart(r)
    [par] = steps(ax, "parallelism-curve")
    assert par == [(0, 3), (60, 0), (200, 3), (320, 3)]
    [act] = steps(ax, "active-curve")
    assert act == [(0, 3), (60, 0), (200, 3), (320, 0)]


def test_the_time_axis_reaches_the_ttl_deletion() -> None:
    """ttlSecondsAfterFinished 100: the Job completes at 30 s and is deleted at 130 s, the
    event the picture is about, so the axis goes to 130 s (and 2 % more)."""
    r = run(scenario((job_manifest(ttlSecondsAfterFinished=100), {"duration": "30s"})))
    ax = timeline_by_job(r)
    assert lines_at(ax, "marker:ttl") == [130]
    assert texts(ax, "marker-label") == ["2m10s TTL: Job deleted"]
    assert ax.get_xlim() == (0, 130 * 1.02)


def test_the_time_axis_ends_after_the_last_event_not_at_the_horizon() -> None:
    """A 10 s Job in a run that goes on for an hour (a node goes down then; node events do
    not stretch the axis) ends the axis at 10 s; a 1 h Job still running at a 1 min horizon
    runs to the horizon."""
    data = scenario((job_manifest(), {"duration": "10s"}), events=[{"at": "1h", "nodeDown": "n-0"}])
    data["horizon"] = "6h"
    r = run(data)
    assert r.end >= 3600
    for ax in (timeline_by_job(r), timeline_by_node(r), active_chart(r), utilisation_chart(r)):
        assert ax.get_xlim() == (0, 10 * 1.02)
    data = scenario((job_manifest(), {"duration": "1h"}))
    data["horizon"] = "1m"
    ax = timeline_by_job(run(data))
    assert ax.get_xlim() == (0, 60 * 1.02)
    assert bars(ax, "run:running") == [(0, 0, 60)]


def test_a_zero_second_run_stays_visible() -> None:
    """A 0 s run beside a 100 s one is drawn 0.4 % of the 100 s axis wide."""
    r = run(
        scenario((job_manifest("a"), {"duration": "0s"}), (job_manifest("b"), {"duration": "100s"}))
    )
    ax = timeline_by_job(r)
    assert bars(ax, "run:succeeded") == [(0, 0, pytest.approx(0.4)), (1, 0, 100)]


def test_several_jobs_get_a_colour_each() -> None:
    """Two Jobs: a strip and a tint per Job by Job, a ribbon under each pod by node, and the
    Jobs in the legend; one Job: none of these."""
    r = run(
        scenario(
            (job_manifest("a", completions=2, parallelism=2), {"duration": "10s"}),
            (job_manifest("b"), {"duration": "20s"}),
        )
    )
    ax = timeline_by_job(r)
    strips = [p for p in ax.patches if p.get_gid() == "job-strip"]
    assert [to_hex(p.get_facecolor()) for p in strips] == [c.lower() for c in JOB_COLOURS[:2]]
    assert len([p for p in ax.patches if p.get_gid() == "job-band"]) == 2
    assert legend(ax)[-3:] == ["lane colour: Job", "a", "b"]
    ax = timeline_by_node(r)
    ribbons = [p for p in ax.patches if p.get_gid() == "job-ribbon"]
    assert sorted(to_hex(p.get_facecolor()) for p in ribbons) == sorted(
        [JOB_COLOURS[0].lower()] * 2 + [JOB_COLOURS[1].lower()]
    )
    one = timeline_by_job(run(scenario((job_manifest(), {"duration": "1s"}))))
    assert [p for p in one.patches if p.get_gid() in ("job-strip", "job-band")] == []


def test_by_node_names_only_the_bars_they_fit() -> None:
    """On one node, a 1 s pod has no room for its name in a 200 s picture; a 200 s pod has."""
    r = run(
        scenario(
            (job_manifest("short"), {"duration": "1s"}),
            (job_manifest("long"), {"duration": "200s"}),
            nodes=1,
        )
    )
    ax = timeline_by_node(r)
    named = texts(ax, "pod-label")
    assert len(named) == 1 and named[0].startswith("long-")


def test_summary_leaves_empty_panels_out() -> None:
    """No requests and no pod ever waits: only the active panel. Requests on a full node: a
    second pod waits, so utilisation and pending pods too."""
    r = run(scenario((job_manifest(), {"duration": "10s"})))
    assert panels(r) == ["active"]
    assert [ax.get_title() for ax in summary(r).axes] == ["test: active pods against parallelism"]
    spec = {"containers": [{"name": "m", "image": "x", "resources": {"requests": {"cpu": "1"}}}]}
    manifest = job_manifest(completions=2, parallelism=2, podSpec=spec)
    r = run(scenario((manifest, {"duration": "10s"}), nodes=1, cpu="1"))
    assert panels(r) == ["active", "utilisation", "pending"]
    assert len(summary(r).axes) == 3
