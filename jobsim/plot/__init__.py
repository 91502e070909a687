"""Timelines (Gantt charts by Job and by node), summary charts and animated timelines, with
matplotlib.

Every function draws on the Axes it is given, as matplotlib's own functions do, or on a new
:class:`~matplotlib.figure.Figure` with an Agg canvas when ``ax`` is ``None`` (no pyplot, no
global state), and returns the Axes. What is drawn comes from :func:`jobsim.stats.lives`, i.e.
from the recorder's events. The time axis ends shortly after the last thing that happened to a
pod or a Job (a TTL deletion included), or at the end of the run if something is still active
then. The time axis reads in the unit that span calls for, seconds under 10 minutes, then
minutes, hours or days, with ticks at whole units, and times written on the picture show days
past 24 hours (:mod:`jobsim.timescale`).

Artists carry a ``gid`` naming what they show, so that tests and users can find them. States
(bars): ``pending`` (not yet bound to a node), ``starting`` (image pull and container start),
``unreachable`` (bound to a node that does not report, never started), ``run:<outcome>``
(succeeded, failed, evicted, deleted, running), ``terminating`` (deleted, still running; an
overlay), ``backoff`` (pod-failure backoff of the Job controller), ``crashloop``
(CrashLoopBackOff: the kubelet's wait between two runs of one pod), ``suspended`` (the Job's
lanes while ``spec.suspend`` is true), ``node-down``, ``node-absent``. Marks: ``condition`` (a
Job condition change), ``marker:scale``, ``marker:suspend``, ``marker:resume``, ``marker:ttl``
(Job events, over the Job's lanes), ``marker:node`` (node down, up, removed, added, cordoned,
uncordoned, out-of-service), ``overlap`` (a box around a re-execution and the run it redoes
while both run). Labels: ``exit-code``, ``backoff-label``, ``crashloop-label``,
``pull-label``, ``overlap-label``, ``condition-label``, ``marker-label``, ``pod-label``. Job
colours (several Jobs): ``job-strip`` and ``job-band`` (by Job), ``job-ribbon`` (by node).
Curves: ``active-curve``, ``parallelism-curve``, ``utilisation:cpu``, ``utilisation:memory``,
``pending-pods``, ``pods`` (pod count of a busy node). Animations: ``now``.

Colours: every state has its own colour and hatch from the Okabe-Ito palette (distinguishable
with the common colour-vision deficiencies, and in greyscale by lightness or hatch); Jobs get
colours from Paul Tol's muted palette, on strips, tints and ribbons, never on the state bars.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib import rc_context

from jobsim.plot.animate import ANIMATION_SUFFIXES, animate
from jobsim.plot.charts import (
    active_chart,
    active_series,
    panels,
    parallelism_series,
    pending_chart,
    summary,
    utilisation_chart,
)
from jobsim.plot.figures import RC, By, figure
from jobsim.plot.style import COLOURS, JOB_COLOURS, LABELS, STYLES, new_axes
from jobsim.plot.timeline import DEFAULT_MAX_LANES, timeline_by_job, timeline_by_node
from jobsim.results import Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ANIMATION_SUFFIXES",
    "COLOURS",
    "JOB_COLOURS",
    "LABELS",
    "STYLES",
    "active_chart",
    "active_series",
    "animate",
    "figure",
    "new_axes",
    "panels",
    "parallelism_series",
    "pending_chart",
    "save",
    "summary",
    "timeline",
    "timeline_by_job",
    "timeline_by_node",
    "utilisation_chart",
]


def timeline(
    result: Result, ax: Axes | None = None, *, by: By = "job", max_lanes: int = DEFAULT_MAX_LANES
) -> Axes:
    """``timeline_by_job`` or ``timeline_by_node``."""
    if by == "node":
        return timeline_by_node(result, ax)
    if by == "job":
        return timeline_by_job(result, ax, max_lanes=max_lanes)
    raise ValueError(f"unknown timeline {by!r}: expected job or node")


def save(
    result: Result, path: str | Path, *, by: By = "job", max_lanes: int = DEFAULT_MAX_LANES
) -> Path:
    """Draw a timeline (``by`` job or node) or the summary charts and save it (png, svg, pdf:
    from the suffix). The file's bytes depend only on the result and the matplotlib version."""
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower() or "png"
    with rc_context(RC):
        fig = figure(result, by, max_lanes=max_lanes)
        metadata: dict[str, str | None] = {}
        if fmt == "svg":
            metadata = {"Date": None}
        elif fmt == "png":
            metadata = {"Software": None}
        elif fmt == "pdf":
            metadata = {"CreationDate": None, "ModDate": None}
        fig.savefig(out, format=fmt, dpi=120, metadata=metadata)
    return out
