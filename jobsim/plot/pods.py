"""One pod's bars on a lane: pending, image pull and start, time bound to a node that does not
report, its runs, terminating, CrashLoopBackOff waits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobsim.plot.style import Bars, bar_label
from jobsim.stats import Lives, PodLife
from jobsim.timescale import fmt_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "pod_bars",
    "pod_stop",
]


def pod_stop(p: PodLife, end: float) -> float:
    """When a pod stopped occupying its node: terminal, removed, or the end of the run."""
    if p.terminal is not None:
        return p.terminal
    return p.removed if p.removed is not None else end


def _split(lo: float, hi: float, down: list[tuple[float, float]]) -> list[tuple[str, float, float]]:
    """``[lo, hi]`` cut into ``starting`` and ``unreachable`` (node down) pieces."""
    out: list[tuple[str, float, float]] = []
    t = lo
    for d0, d1 in sorted(down):
        a, b = max(d0, t), min(d1, hi)
        if b <= a:
            continue
        out.append(("starting", t, a))
        out.append(("unreachable", a, b))
        t = b
    out.append(("starting", t, hi))
    return [piece for piece in out if piece[2] > piece[1]]


_MAJOR = frozenset({"succeeded", "running"})
"""Run styles drawn at the lane's full height whatever ``pod_bars``' ``minority``."""


def pod_bars(
    bars: Bars,
    ax: Axes,
    p: PodLife,
    y: float,
    h: float,
    lv: Lives,
    *,
    labels: bool,
    min_width: float,
    on_node: bool = False,
    minority: float = 1.0,
    span: float = 0.0,
) -> None:
    """A pod's segments on one lane. ``minority``: the height, as a share of ``h``, of its
    failed, evicted or deleted runs and of its terminating time, so that on a lane shared by
    many pods (one lane per Job) a few such pods do not hide the others' runs. ``span``: the
    time the picture shows, for the precision of the labels' durations (:func:`fmt_time`)."""
    thin = h * minority
    end = lv.end
    stop = pod_stop(p, end)
    if not on_node:
        bound = p.scheduled if p.scheduled is not None else stop
        bars.add("pending", y, p.created, bound, h)
    if p.scheduled is not None:
        started = p.first_start
        ready = started if started is not None else stop
        down = [(d.start, d.end if d.end is not None else end) for d in lv.node_down]
        down = [(a, b) for (a, b), d in zip(down, lv.node_down, strict=True) if d.node == p.node]
        for gid, lo, hi in _split(p.scheduled, ready, down):
            bars.add(gid, y, lo, hi, h)
        if started is None and p.deleted is not None and p.deleted < stop:
            bars.add("terminating", y, p.deleted, stop, thin)
        pulled = sum(hi - lo for lo, hi in p.pulls)
        if labels and pulled > 0 and ready - p.scheduled >= 2 * min_width:
            bar_label(
                ax, p.scheduled, ready, y, f"image pull {fmt_time(pulled, span)}", "pull-label"
            )
    for i, run in enumerate(p.runs):
        last = i == len(p.runs) - 1
        run_stop = lv.run_end(run)
        if last:
            style = p.outcome if p.outcome != "pending" else "running"
            if style == "running" and run.end is not None:
                style = "succeeded" if run.exit_code == 0 else "failed"
        else:
            style = "failed" if run.exit_code else "succeeded"
        bars.add(f"run:{style}", y, run.start, run_stop, h if style in _MAJOR else thin)
        if last and p.deleted is not None and run.start <= p.deleted < run_stop:
            bars.add("terminating", y, p.deleted, run_stop, thin)
        if labels and run.exit_code not in (None, 0) and run_stop - run.start >= min_width:
            bar_label(ax, run.start, run_stop, y, f"exit {run.exit_code}", "exit-code", boxed=True)
    for lo, hi in p.crashloops:
        bars.add("crashloop", y, lo, hi, h * 0.8)
        if labels and hi - lo >= min_width:
            took = fmt_time(hi - lo, span)
            text = f"CrashLoopBackOff {took}" if hi - lo >= 3 * min_width else took
            bar_label(ax, lo, hi, y, text, "crashloop-label", boxed=True)
