"""Timelines (Gantt charts by Job and by node) and summary charts, with matplotlib.

Every function draws on the Axes it is given, as matplotlib's own functions do, or on a new
:class:`~matplotlib.figure.Figure` with an Agg canvas when ``ax`` is ``None`` (no pyplot, no
global state), and returns the Axes. What is drawn comes from :func:`jobsim.stats.lives`, i.e.
from the recorder's events.

Artists carry a ``gid`` naming what they show, so that tests and users can find them:
``run:<outcome>`` (outcome: succeeded, failed, evicted, deleted, running), ``pending`` (not yet
bound to a node), ``starting`` (image pull and container start), ``terminating`` (deleted, still
running), ``backoff`` (pod-failure backoff gap), ``crashloop`` (CrashLoopBackOff between two runs
of a pod), ``condition`` (a Job condition change), ``node-down``, ``pods`` (pod count of a busy
node), ``utilisation:cpu``, ``utilisation:memory`` and ``pending-pods``.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
evicted and deleted bars are also hatched, and failed runs are labelled with their exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jobsim.record import fmt_seconds
from jobsim.stats import Lives, PodLife, utilisation_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from jobsim.results import Result

__all__ = [
    "COLOURS",
    "new_axes",
    "pending_chart",
    "save",
    "summary",
    "timeline",
    "timeline_by_job",
    "timeline_by_node",
    "utilisation_chart",
]

By = Literal["job", "node", "summary"]

COLOURS = {
    "succeeded": "#009E73",  # bluish green
    "failed": "#D55E00",  # vermillion
    "evicted": "#E69F00",  # orange
    "deleted": "#CC79A7",  # reddish purple
    "running": "#0072B2",  # blue
    "pending": "#D9D9D9",  # light grey
    "starting": "#A6D3F0",  # light sky blue
    "backoff": "#F0E442",  # yellow
    "crashloop": "#F0E442",
    "node-down": "#7F7F7F",
    "condition": "#000000",
}
LABELS = {
    "run:succeeded": "run: succeeded",
    "run:failed": "run: failed (exit code)",
    "run:evicted": "run: evicted / disrupted",
    "run:deleted": "run: deleted",
    "run:running": "run: running at the end",
    "pending": "pending: not yet on a node",
    "starting": "image pull / container start",
    "terminating": "terminating after deletion",
    "backoff": "pod-failure backoff",
    "crashloop": "CrashLoopBackOff",
    "node-down": "node down (not reporting)",
    "node-absent": "node not in the cluster",
    "pods": "pods on the node (count)",
}
HATCHES = {"run:evicted": "\\\\\\", "run:deleted": "...", "terminating": "////"}
DEFAULT_MAX_LANES = 60


def new_axes(lanes: int = 1, *, width: float = 11.0) -> Axes:
    """An Axes on a new Figure with an Agg canvas, tall enough for ``lanes`` lanes."""
    height = min(max(1.4 + 0.3 * lanes, 3.0), 18.0)
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


@dataclass
class _Bars:
    """Rectangles to draw, per style, drawn with one ``barh`` call each (one legend entry)."""

    rows: dict[str, list[tuple[float, float, float, float]]] = field(default_factory=dict)

    def add(self, gid: str, y: float, left: float, right: float, height: float) -> None:
        if right > left:
            self.rows.setdefault(gid, []).append((y, left, right - left, height))

    def draw(self, ax: Axes) -> None:
        order = [
            "node-absent",
            "pending",
            "starting",
            "backoff",
            "crashloop",
            "node-down",
            "run:succeeded",
            "run:failed",
            "run:evicted",
            "run:deleted",
            "run:running",
            "terminating",
        ]
        for gid in order:
            rows = self.rows.get(gid)
            if not rows:
                continue
            colour = COLOURS.get(gid.removeprefix("run:"), "#000000")
            kwargs: dict[str, object] = {}
            if gid == "terminating":
                kwargs = {"facecolor": "none", "edgecolor": "#333333", "linewidth": 0}
            elif gid in ("backoff", "crashloop"):
                kwargs = {"color": colour, "alpha": 0.55, "linewidth": 0}
            elif gid == "node-absent":
                kwargs = {"facecolor": "#F4F4F4", "linewidth": 0}
            elif gid == "node-down":
                kwargs = {"facecolor": "#E6E6E6", "edgecolor": "#A0A0A0", "hatch": "//"}
                kwargs["linewidth"] = 0
            else:
                kwargs = {"color": colour, "edgecolor": "white", "linewidth": 0.4}
            if gid in HATCHES:
                kwargs["hatch"] = HATCHES[gid]
            ax.barh(
                [r[0] for r in rows],
                [r[2] for r in rows],
                left=[r[1] for r in rows],
                height=[r[3] for r in rows],
                label=LABELS.get(gid, gid),
                gid=gid,
                **kwargs,  # type: ignore[arg-type]
            )


def _pod_bars(
    bars: _Bars,
    ax: Axes,
    p: PodLife,
    y: float,
    h: float,
    lv: Lives,
    *,
    labels: bool,
    min_width: float,
    on_node: bool = False,
) -> None:
    """A pod's segments on one lane: pending, starting, its runs, terminating, crash loops."""
    end = lv.end
    bound = p.scheduled if p.scheduled is not None else (p.terminal or p.removed or end)
    if not on_node:
        bars.add("pending", y, p.created, bound, h)
    if p.scheduled is not None:
        started = p.first_start
        ready = started if started is not None else p.released(end)
        bars.add("starting", y, p.scheduled, ready, h)
        pulled = sum(hi - lo for lo, hi in p.pulls)
        if labels and pulled > 0 and ready - p.scheduled >= 2 * min_width:
            ax.text(
                (p.scheduled + ready) / 2,
                y,
                f"image pull {fmt_seconds(pulled)}",
                ha="center",
                va="center",
                fontsize=7,
                gid="pull-label",
                clip_on=True,
            )
    for i, run in enumerate(p.runs):
        last = i == len(p.runs) - 1
        stop = lv.run_end(run)
        if last:
            style = p.outcome if p.outcome in COLOURS else "running"
            if style == "running" and run.end is not None:
                style = "succeeded" if run.exit_code == 0 else "failed"
        else:
            style = "failed" if run.exit_code else "succeeded"
        bars.add(f"run:{style}", y, run.start, stop, h)
        if last and p.deleted is not None and run.start <= p.deleted < stop:
            bars.add("terminating", y, p.deleted, stop, h)
        if labels and run.exit_code not in (None, 0) and stop - run.start >= min_width:
            ax.text(
                (run.start + stop) / 2,
                y,
                f"exit {run.exit_code}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if style == "failed" else "black",
                bbox=None
                if style == "failed"
                else {"facecolor": "white", "alpha": 0.8, "pad": 0.8, "linewidth": 0},
                gid="exit-code",
                clip_on=True,
            )
    for lo, hi in p.crashloops:
        bars.add("crashloop", y, lo, hi, h * 0.8)
        if labels and hi - lo >= min_width:
            took = fmt_seconds(hi - lo)
            text = f"CrashLoopBackOff {took}" if hi - lo >= 3 * min_width else took
            ax.text(
                (lo + hi) / 2,
                y,
                text,
                ha="center",
                va="center",
                fontsize=7,
                gid="crashloop-label",
                clip_on=True,
            )


@dataclass
class _Lane:
    label: str
    job: str
    pods: list[PodLife]


def _job_lanes(result: Result, lv: Lives, max_lanes: int) -> tuple[list[_Lane], bool]:
    """One lane per pod (grouped by Job, by index) or, past ``max_lanes``, one per Job."""
    by_job = {
        j: sorted(lv.pods_of(j), key=lambda p: -1 if p.index is None else p.index) for j in lv.jobs
    }
    per_pod = sum(max(len(ps), 1) for ps in by_job.values()) <= max_lanes
    lanes: list[_Lane] = []
    for job, pods in by_job.items():
        short = result.recorder.jobs[job].name
        if per_pod and pods:
            for p in pods:
                idx = f" [{p.index}]" if p.index is not None else ""
                lanes.append(_Lane(f"{p.name}{idx}", job, [p]))
        else:
            n = len(pods)
            lanes.append(_Lane(f"{short} ({n} pod{'s' if n != 1 else ''})", job, pods))
    return lanes, per_pod


def _xmax(lv: Lives) -> float:
    last = max(lv.horizon, 1e-9)
    for p in lv.pods.values():
        for r in p.runs:
            last = max(last, lv.run_end(r))
    return last


def _thin_ticks(ax: Axes, labels: list[str], fontsize: float) -> None:
    n = len(labels)
    step = max(1, -(-n // 50))
    ticks = list(range(0, n, step))
    ax.set_yticks(ticks, [labels[i] for i in ticks], fontsize=fontsize)


def _legend(ax: Axes) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            frameon=False,
        )


def timeline_by_job(
    result: Result, ax: Axes | None = None, *, max_lanes: int = DEFAULT_MAX_LANES
) -> Axes:
    """Gantt chart by Job: one lane per pod (up to ``max_lanes``, else one lane per Job).

    Runs are coloured by outcome, pending and start-up time are lighter segments, pod-failure
    backoff gaps are shaded and labelled with their length, and Job condition changes are
    vertical markers labelled with their reason.
    """
    lv = result.lives
    lanes, per_pod = _job_lanes(result, lv, max_lanes)
    if ax is None:
        ax = new_axes(len(lanes))
    xmax = _xmax(lv)
    min_width = 0.05 * xmax
    detailed = per_pod or len(lanes) <= 20
    bars = _Bars()
    h = 0.6
    lanes_of_job: dict[str, list[int]] = {}
    for y, lane in enumerate(lanes):
        lanes_of_job.setdefault(lane.job, []).append(y)
        for p in lane.pods:
            _pod_bars(bars, ax, p, y, h, lv, labels=detailed, min_width=min_width)
    # pod-failure backoff gaps: on the lane of the pod created when it ended (the retry)
    for gap in lv.backoffs:
        ys = lanes_of_job.get(gap.job, [])
        if not ys:
            continue
        end = min(gap.end, lv.finished.get(gap.job, gap.end))
        y = ys[0]
        if per_pod:
            pods = [
                (lanes[i].pods[0], i)
                for i in ys
                if lanes[i].pods and (gap.index is None or lanes[i].pods[0].index == gap.index)
            ]
            after = [i for p, i in pods if p.created >= gap.end - 1e-9]
            before = [i for p, i in pods if p.created <= gap.start]
            y = after[0] if after else (before[-1] if before else ys[0])
        bars.add("backoff", y, gap.start, end, 0.85)
        if detailed and end - gap.start >= min_width:
            ax.text(
                (gap.start + end) / 2,
                y,
                f"backoff {fmt_seconds(end - gap.start)}",
                ha="center",
                va="center",
                fontsize=7,
                gid="backoff-label",
            )
    bars.draw(ax)
    # Job conditions: one marker per Job and instant, spanning the Job's lanes
    marks: dict[tuple[str, float], list[str]] = {}
    for c in lv.conditions:
        name = c.type if c.status == "True" else f"{c.type}={c.status}"
        marks.setdefault((c.job, c.t), []).append(f"{name}: {c.reason}")
    first = True
    tags: list[tuple[float, str]] = []
    many = len(lanes_of_job) > 1
    clusters: dict[str, list[tuple[float, list[str]]]] = {}
    for (job, t), texts in marks.items():
        ys = lanes_of_job.get(job, [])
        if not ys:
            continue
        ax.vlines(
            t,
            min(ys) - 0.45,
            max(ys) + 0.45,
            colors=COLOURS["condition"],
            linestyles="dashed",
            linewidth=1.0,
            label="Job condition" if first else "_nolegend_",
            gid="condition",
        )
        first = False
        # one label for the markers of a Job that are too close to be labelled apart
        group = clusters.setdefault(job, [])
        if group and t - group[-1][0] < min_width:
            group[-1] = (t, group[-1][1] + texts)
        else:
            group.append((t, list(texts)))
    for job, group in clusters.items():
        ys = lanes_of_job[job]
        for t, texts in group:
            merged = _merge_reasons(texts)
            if detailed and len(lanes_of_job) > 4:
                # many Jobs: label inside the Job's first lane, beside the line
                right = t > 0.6 * xmax
                ax.text(
                    t,
                    min(ys) - 0.3,
                    f"{merged} " if right else f" {merged}",
                    ha="right" if right else "left",
                    va="center",
                    fontsize=6.5,
                    gid="condition-label",
                    bbox={"facecolor": "white", "alpha": 0.75, "pad": 0.5, "linewidth": 0},
                    clip_on=True,
                )
            else:
                name = result.recorder.jobs[job].name
                tags.append((t, f"{name}: {merged}" if many else merged))
    levels = _condition_labels(ax, tags, xmax * 1.02) if detailed else 0
    for job, ys in lanes_of_job.items():
        if per_pod and min(ys) > 0:
            ax.axhline(min(ys) - 0.5, color="#BBBBBB", linewidth=0.6, gid="lane-separator")
        del job
    labels = [lane.label for lane in lanes]
    _thin_ticks(ax, labels, 8 if len(lanes) <= 40 else 6)
    ax.set_ylim(len(lanes) - 0.5, -0.6)
    ax.set_xlim(0, xmax * 1.02)
    ax.set_xlabel("virtual time (s)")
    what = "pod" if per_pod else "Job"
    ax.set_title(
        f"{result.scenario}: timeline, one lane per {what} (seed {result.seed})",
        pad=6 + 10 * levels,
    )
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend(ax)
    return ax


def _condition_labels(ax: Axes, tags: list[tuple[float, str]], xspan: float) -> int:
    """Write condition labels above the plot, at their time, on as many rows as needed so that
    they do not overlap (widths estimated from the font size). Returns the number of rows."""
    width_in = ax.bbox.width / ax.figure.dpi
    per_point = xspan / max(width_in * 0.85 * 72, 1.0)
    rows: list[float] = []
    for t, text in sorted(tags):
        w = (len(text) + 1) * 0.6 * 7 * per_point
        right = t + w > xspan
        lo, hi = (t - w, t) if right else (t, t + w)
        row = next((r for r, end in enumerate(rows) if end < lo), None)
        if row is None:
            rows.append(hi)
            row = len(rows) - 1
        else:
            rows[row] = hi
        ax.annotate(
            f"{text} " if right else f" {text}",
            xy=(t, 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(0, 2 + 10 * row),
            textcoords="offset points",
            ha="right" if right else "left",
            va="bottom",
            fontsize=7,
            annotation_clip=False,
            gid="condition-label",
        )
        ax.plot(
            [t, t],
            [1.0, 1.0],
            transform=ax.get_xaxis_transform(),
            marker="v",
            markersize=4,
            color=COLOURS["condition"],
            clip_on=False,
            gid="condition-tick",
        )
    return len(rows)


def _merge_reasons(texts: Iterable[str]) -> str:
    """``FailureTarget: R`` and ``Failed: R`` -> ``FailureTarget, Failed: R``."""
    by_reason: dict[str, list[str]] = {}
    for t in texts:
        name, reason = t.split(": ", 1)
        by_reason.setdefault(reason, []).append(name)
    return "; ".join(f"{', '.join(names)}: {reason}" for reason, names in by_reason.items())


def timeline_by_node(result: Result, ax: Axes | None = None, *, max_rows: int = 8) -> Axes:
    """Gantt chart by node: the pods each node ran over time, node down periods shaded.

    A node's pods are packed into up to ``max_rows`` rows; a busier node shows its pod count
    over time instead.
    """
    lv = result.lives
    nodes = list(lv.nodes)
    if ax is None:
        ax = new_axes(len(nodes))
    xmax = _xmax(lv)
    bars = _Bars()
    on_node: dict[str, list[PodLife]] = {n: [] for n in nodes}
    for p in lv.pods.values():
        if p.node is not None:
            on_node.setdefault(p.node, []).append(p)
    nodes = list(on_node)
    few = len(lv.pods) <= 30
    counted = False
    for y, node in enumerate(nodes):
        pods = sorted(on_node[node], key=lambda p: p.scheduled or 0.0)
        rows: list[float] = []
        slot: dict[str, int] = {}
        for p in pods:
            start = p.scheduled or 0.0
            stop = _pod_stop(p, lv.end)
            for r, free in enumerate(rows):
                if free <= start:
                    rows[r] = stop
                    slot[p.name] = r
                    break
            else:
                rows.append(stop)
                slot[p.name] = len(rows) - 1
        k = max(len(rows), 1)
        if k <= max_rows:
            h = 0.8 / k
            for p in pods:
                py = y - 0.4 + (slot[p.name] + 0.5) * h
                _pod_bars(bars, ax, p, py, h * 0.9, lv, labels=False, min_width=0, on_node=True)
                if few:
                    ax.text(
                        p.scheduled or 0.0,
                        py,
                        f" {p.name}",
                        ha="left",
                        va="center",
                        fontsize=6,
                        clip_on=True,
                    )
        else:
            points = sorted(
                [(p.scheduled or 0.0, 1) for p in pods] + [(_pod_stop(p, lv.end), -1) for p in pods]
            )
            xs, ys, n = [0.0], [0], 0
            for t, d in points:
                n += d
                xs.append(t)
                ys.append(n)
            peak = max(ys) or 1
            ax.fill_between(
                xs,
                [y + 0.4] * len(xs),
                [y + 0.4 - 0.8 * v / peak for v in ys],
                step="post",
                color=COLOURS["running"],
                alpha=0.6,
                label="_nolegend_" if counted else LABELS["pods"],
                gid="pods",
            )
            ax.text(xmax, y, f" peak {peak}", fontsize=6, va="center")
            counted = True
    for down in lv.node_down:
        if down.node in on_node:
            bars.add("node-down", nodes.index(down.node), down.start, down.end or xmax, 0.96)
    for node, (added, removed, _pool) in lv.node_spans.items():
        if node in on_node:
            bars.add("node-absent", nodes.index(node), 0.0, added, 0.96)
            if removed is not None:
                bars.add("node-absent", nodes.index(node), removed, xmax * 1.02, 0.96)
    bars.draw(ax)
    _thin_ticks(ax, nodes, 8 if len(nodes) <= 40 else 6)
    ax.set_ylim(max(len(nodes), 1) - 0.5, -0.5)
    ax.set_xlim(0, xmax * 1.02)
    ax.set_xlabel("virtual time (s)")
    ax.set_title(f"{result.scenario}: pods by node (seed {result.seed})")
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend(ax)
    return ax


def _pod_stop(p: PodLife, end: float) -> float:
    """When a pod stopped occupying its node: terminal, removed, or the end of the run."""
    if p.terminal is not None:
        return p.terminal
    return p.removed if p.removed is not None else end


def utilisation_chart(result: Result, ax: Axes | None = None) -> Axes:
    """CPU and memory requested / allocatable over time (needs the nodes' resources in the
    record)."""
    if ax is None:
        ax = new_axes(6)
    lv = result.lives
    series = [u for u in utilisation_series(result, lv) if u[0] <= lv.horizon]
    xmax = max(lv.horizon, 1e-9)
    if not series:
        ax.text(
            0.5, 0.5, "no cluster spec: utilisation unknown", ha="center", transform=ax.transAxes
        )
    else:
        if not any(u[1] or u[3] for u in series):
            ax.text(
                0.5,
                0.5,
                "no pod requests cpu or memory",
                ha="center",
                transform=ax.transAxes,
                color="#555555",
            )
        xs = [u[0] for u in series] + [xmax]
        for req, alloc, name, colour, style in (
            (1, 2, "cpu", COLOURS["running"], "-"),
            (3, 4, "memory", COLOURS["failed"], "--"),
        ):
            ys = [u[req] / u[alloc] if u[alloc] else 0.0 for u in series]
            ax.step(
                xs,
                [*ys, ys[-1]],
                where="post",
                color=colour,
                linestyle=style,
                label=name,
                gid=f"utilisation:{name}",
            )
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("requested / allocatable")
    ax.set_xlabel("virtual time (s)")
    ax.set_title(f"{result.scenario}: cluster utilisation")
    return ax


def pending_chart(result: Result, ax: Axes | None = None) -> Axes:
    """Pods waiting for a node over time."""
    if ax is None:
        ax = new_axes(6)
    lv = result.lives
    xmax = max(lv.horizon, 1e-9)
    pts = [(t, v) for t, v in lv.pending if t <= xmax]
    xs = [t for t, _ in pts] + [xmax]
    ys = [v for _, v in pts]
    ax.step(xs, [*ys, ys[-1]], where="post", color=COLOURS["evicted"], gid="pending-pods")
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, max(max(ys), 1) * 1.1)
    ax.set_ylabel("pending pods")
    ax.set_xlabel("virtual time (s)")
    ax.set_title(f"{result.scenario}: pods waiting for a node")
    return ax


def summary(result: Result, fig: Figure | None = None) -> Figure:
    """Utilisation and pending pods over time, one above the other."""
    if fig is None:
        fig = Figure(figsize=(10, 6), layout="constrained")
        FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True)
    utilisation_chart(result, top)
    pending_chart(result, bottom)
    top.set_xlabel("")
    return fig


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
    with rc_context({"svg.hashsalt": "jobsim", "font.family": "DejaVu Sans"}):
        if by == "summary":
            fig = summary(result)
        else:
            fig = timeline(result, by=by, max_lanes=max_lanes).get_figure()  # type: ignore[assignment]
        assert isinstance(fig, Figure)
        metadata: dict[str, str | None] = {}
        if fmt == "svg":
            metadata = {"Date": None}
        elif fmt == "png":
            metadata = {"Software": None}
        elif fmt == "pdf":
            metadata = {"CreationDate": None, "ModDate": None}
        fig.savefig(out, format=fmt, dpi=120, metadata=metadata)
    return out
