"""Gantt charts: by Job (one lane per pod, or per Job when there are many pods) and by node."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from jobsim.plot.marks import (
    MARK_LABELS,
    MARK_STYLES,
    MARKERS,
    Mark,
    Tag,
    marks,
    merge_reasons,
    spec_changes,
    suspended,
    tag_labels,
)
from jobsim.plot.pods import pod_bars, pod_stop
from jobsim.plot.style import (
    COLOURS,
    LABELS,
    MIN_WIDTH,
    Bars,
    bar_label,
    job_colour,
    legend,
    new_axes,
    thin_ticks,
    time_axis,
    view_end,
)
from jobsim.stats import Lives, Overlap, PodLife
from jobsim.timescale import fmt_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from jobsim.results import Result

__all__ = [
    "DEFAULT_MAX_LANES",
    "MAX_KIND_LABELS",
    "MAX_NODE_LABELS",
    "View",
    "timeline_by_job",
    "timeline_by_node",
    "view",
]

DEFAULT_MAX_LANES = 60
MAX_NODE_LABELS = 10
"""Past this many node events, they are drawn but not labelled."""
MAX_KIND_LABELS = 4
"""Past this many marks of one kind of Job event (a week of CronJob deletions), they keep
their symbol above the plot but lose their text."""


@dataclass
class View:
    """What every timeline of a result shares: its lives, events, time range, Job colours."""

    lv: Lives
    marks: list[Mark]
    end: float
    colours: dict[str, str]
    names: dict[str, str]
    overlaps: list[Overlap]
    group: dict[str, int] = field(default_factory=dict)
    """Each Job's group: its CronJob's (shared by all its Jobs), else its own."""
    legend_names: dict[str, str] = field(default_factory=dict)
    """What the colour legend calls a Job: ``CronJob <name>`` for a CronJob's Jobs."""

    def colour_legend(self, jobs: list[str]) -> list[tuple[str, str]]:
        """The legend's (name, colour) of these Jobs: one entry per CronJob."""
        pairs = [(self.legend_names.get(j, self.names[j]), self.colours[j]) for j in jobs]
        return list(dict.fromkeys(pairs))

    @property
    def several(self) -> bool:
        """More than one Job: colour by Job too."""
        return len(self.colours) > 1


def view(result: Result) -> View:
    """The shared reading of ``result``."""
    lv = result.lives
    rec = result.recorder
    ms = marks(rec)
    managed = [j for j in lv.jobs if rec.jobs[j].managedBy is None]
    open_jobs = any(j not in lv.finished for j in managed)
    end = view_end(lv, [m.t for m in ms if m.kind != "node"], open_jobs=open_jobs)
    # The Jobs of one CronJob share its colour, and their lanes sit together (``_job_lanes``).
    groups: dict[str, int] = {}
    for j in lv.jobs:
        groups.setdefault(rec.jobs[j].cronJob or j, len(groups))
    group = {j: groups[rec.jobs[j].cronJob or j] for j in lv.jobs}
    colours = {j: job_colour(group[j]) for j in lv.jobs}
    names = {j: rec.jobs[j].name for j in lv.jobs}
    overlaps = [o for j in result.stats.jobs for o in j.overlappingExecutions]
    legend_names = {
        j: f"CronJob {cron.split('/', 1)[1]}"
        for j in lv.jobs
        if (cron := rec.jobs[j].cronJob) is not None
    }
    return View(lv, ms, end, colours, names, overlaps, group, legend_names)


MINORITY = 0.4
"""On a lane of several pods (one lane per Job), the height of failed, evicted and deleted
runs and of terminating time, as a share of the lane's: thinner, over the others' runs, so
that 48 evicted pods out of 2,048 do not paint the whole lane as evicted."""


@dataclass
class _Lane:
    label: str
    job: str
    pods: list[PodLife]


def _job_lanes(v: View, max_lanes: int) -> tuple[list[_Lane], bool]:
    """One lane per pod (grouped by Job, by index) or, past ``max_lanes``, one per Job."""
    lv = v.lv
    jobs = sorted(lv.jobs, key=lambda j: v.group.get(j, 0))  # a CronJob's Jobs together
    by_job = {
        j: sorted(lv.pods_of(j), key=lambda p: -1 if p.index is None else p.index) for j in jobs
    }
    per_pod = sum(max(len(ps), 1) for ps in by_job.values()) <= max_lanes
    lanes: list[_Lane] = []
    for job, pods in by_job.items():
        if per_pod and pods:
            for p in pods:
                idx = f" [{p.index}]" if p.index is not None else ""
                lanes.append(_Lane(f"{p.name}{idx}", job, [p]))
        else:
            n = len(pods)
            lanes.append(_Lane(f"{v.names[job]} ({n} pod{'s' if n != 1 else ''})", job, pods))
    return lanes, per_pod


def _job_strips(ax: Axes, v: View, lanes_of_job: dict[str, list[int]], bands: bool) -> None:
    """Several Jobs: a strip in the Job's colour left of its lanes, and (``bands``) a light
    tint behind them."""
    strip = blended_transform_factory(ax.transAxes, ax.transData)
    for job, ys in lanes_of_job.items():
        lo, hi = min(ys) - 0.5, max(ys) + 0.5
        colour = v.colours[job]
        ax.add_patch(
            Rectangle(
                (-0.009, lo + 0.05),
                0.006,
                hi - lo - 0.1,
                transform=strip,
                facecolor=colour,
                edgecolor="none",
                clip_on=False,
                gid="job-strip",
            )
        )
        if bands:
            ax.axhspan(lo, hi, facecolor=colour, alpha=0.08, linewidth=0, zorder=0, gid="job-band")
    ax.tick_params(axis="y", length=0, pad=9)


def _overlap_boxes(ax: Axes, v: View, where: dict[str, tuple[float, float]], label: bool) -> None:
    """A box around both runs of each overlap (``where``: a pod's lane y and height)."""
    first = True
    for o in v.overlaps:
        for pod in (o.predecessor, o.pod):
            if pod not in where:
                continue
            y, h = where[pod]
            ax.add_patch(
                Rectangle(
                    (o.start, y - h / 2),
                    o.seconds,
                    h,
                    facecolor="none",
                    edgecolor=COLOURS["overlap"],
                    linewidth=1.8,
                    linestyle="solid" if o.confirmed else (0, (3, 2)),
                    zorder=3,
                    label="overlap: a re-execution runs beside its predecessor"
                    if first
                    else "_nolegend_",
                    gid="overlap",
                )
            )
            first = False
        if label and o.pod in where:
            y, h = where[o.pod]
            ax.text(
                o.start + o.seconds / 2,
                y - h / 2,
                f"overlap {fmt_time(o.seconds, v.end)}{'' if o.confirmed else ' (unseen)'}",
                ha="center",
                va="bottom",
                fontsize=7,
                fontweight="bold",
                bbox={"facecolor": "white", "alpha": 0.9, "pad": 0.6, "linewidth": 0},
                gid="overlap-label",
                clip_on=True,
                zorder=4,
            )


def _mark_lines(
    ax: Axes, ms: list[Mark], span: dict[str, tuple[float, float]], seen: set[str]
) -> None:
    """Vertical lines of marks over the lanes ``span`` gives for their subject."""
    for m in ms:
        if m.subject not in span:
            continue
        lo, hi = span[m.subject]
        ax.vlines(
            m.t,
            lo,
            hi,
            label=MARK_LABELS[m.kind] if m.kind not in seen else "_nolegend_",
            gid=f"marker:{m.kind}",
            zorder=2.6,
            **MARK_STYLES[m.kind],  # type: ignore[arg-type]
        )
        seen.add(m.kind)


def _mark_tags(ms: list[Mark], prefix: dict[str, str]) -> list[Tag]:
    """The tags above the plot: node events, all written or (past ``MAX_NODE_LABELS``) none;
    Job events written while their kind has at most ``MAX_KIND_LABELS`` marks, else only their
    symbol (the legend names the kind, the axis says when)."""
    count = Counter(m.kind for m in ms)
    return [
        Tag(
            m.t,
            prefix.get(m.subject, "") + m.text if count[m.kind] <= MAX_KIND_LABELS else "",
            "marker-label",
            str(MARK_STYLES[m.kind]["colors"]),
            MARKERS[m.kind],
        )
        for m in ms
        if m.kind != "node" or count["node"] <= MAX_NODE_LABELS
    ]


def timeline_by_job(
    result: Result, ax: Axes | None = None, *, max_lanes: int = DEFAULT_MAX_LANES
) -> Axes:
    """Gantt chart by Job: one lane per pod (up to ``max_lanes``, else one lane per Job).

    Runs are coloured by outcome, pending and start-up time are lighter segments, pod-failure
    backoff gaps and CrashLoopBackOff waits are labelled with their length, overlapping runs
    are boxed, Job conditions, scale, suspend, resume and TTL deletion are vertical markers
    over the Job's lanes, and node events dotted lines across all lanes. Several Jobs: each
    has a colour, as a strip left of its lanes and a tint behind them.
    """
    v = view(result)
    lv = v.lv
    lanes, per_pod = _job_lanes(v, max_lanes)
    if ax is None:
        ax = new_axes(len(lanes))
    xmax = v.end
    min_width = 0.05 * xmax
    detailed = per_pod or len(lanes) <= 20
    bars = Bars(min_width=MIN_WIDTH * xmax)
    h = 0.6
    lanes_of_job: dict[str, list[int]] = {}
    where: dict[str, tuple[float, float]] = {}
    for y, lane in enumerate(lanes):
        lanes_of_job.setdefault(lane.job, []).append(y)
        shared = MINORITY if len(lane.pods) > 1 else 1.0
        for p in lane.pods:
            pod_bars(
                bars,
                ax,
                p,
                y,
                h,
                lv,
                labels=detailed,
                min_width=min_width,
                minority=shared,
                span=xmax,
            )
            where[p.name] = (y, 0.8)
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
            bar_label(
                ax, gap.start, end, y, f"backoff {fmt_time(end - gap.start, xmax)}", "backoff-label"
            )
    span = {j: (min(ys) - 0.45, max(ys) + 0.45) for j, ys in lanes_of_job.items()}
    changes = spec_changes(result.recorder)
    for job, (lo, hi) in span.items():
        for a, b in suspended(changes.get(job, []), lv.finished.get(job, xmax * 1.02)):
            bars.add("suspended", (lo + hi) / 2, a, b, hi - lo + 0.1)
    bars.draw(ax)
    if not per_pod:
        for job in lanes_of_job:
            where[job] = (lanes_of_job[job][0], 0.8)
        for o in v.overlaps:
            where[o.pod] = where[o.predecessor] = where[o.job]
    _overlap_boxes(ax, v, where, label=detailed)
    # Job conditions: one marker per Job and instant, spanning the Job's lanes
    marks_at: dict[tuple[str, float], list[str]] = {}
    for c in lv.conditions:
        name = c.type if c.status == "True" else f"{c.type}={c.status}"
        marks_at.setdefault((c.job, c.t), []).append(f"{name}: {c.reason}")
    first = True
    tags: list[Tag] = []
    many = len(lanes_of_job) > 1
    clusters: dict[str, list[tuple[float, list[str]]]] = {}
    for (job, t), texts in marks_at.items():
        if job not in span:
            continue
        ax.vlines(
            t,
            *span[job],
            colors=COLOURS["condition"],
            linestyles="dashed",
            linewidth=1.0,
            label="Job condition" if first else "_nolegend_",
            gid="condition",
            zorder=2.5,
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
            merged = merge_reasons(texts)
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
                text = f"{v.names[job]}: {merged}" if many else merged
                tags.append(Tag(t, text, "condition-label"))
    seen: set[str] = set()
    job_marks = [m for m in v.marks if m.kind != "node"]
    _mark_lines(ax, job_marks, span, seen)
    node_marks = [m for m in v.marks if m.kind == "node" and m.t <= xmax]
    every = {m.subject: (-0.5, len(lanes) - 0.5) for m in node_marks}
    _mark_lines(ax, node_marks, every, seen)
    prefix = {j: f"{v.names[j]}: " for j in lanes_of_job} if many else {}
    mark_tags = _mark_tags([*job_marks, *node_marks], prefix)
    levels = tag_labels(ax, [*tags, *mark_tags], xmax * 1.02) if detailed else 0
    for ys in lanes_of_job.values():
        if per_pod and min(ys) > 0:
            ax.axhline(min(ys) - 0.5, color="#BBBBBB", linewidth=0.6, gid="lane-separator")
    if v.several:
        _job_strips(ax, v, lanes_of_job, bands=per_pod)
    labels = [lane.label for lane in lanes]
    thin_ticks(ax, labels, 8 if len(lanes) <= 40 else 6)
    ax.set_ylim(len(lanes) - 0.5, -0.6)
    ax.set_xlim(0, xmax * 1.02)
    time_axis(ax, xmax)
    what = "pod" if per_pod else "Job"
    ax.set_title(
        f"{result.scenario}: timeline, one lane per {what} (seed {result.seed})",
        pad=6 + 10 * levels,
    )
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    legend(ax, v.colour_legend(list(lanes_of_job)) if v.several else None)
    return ax


def _rows(pods: list[PodLife]) -> int:
    """How many rows a node's pods need so that none overlaps another."""
    rows: list[float] = []
    for p in sorted(pods, key=lambda p: p.scheduled or 0.0):
        start = p.scheduled or 0.0
        free = next((r for r, end in enumerate(rows) if end <= start), None)
        if free is None:
            rows.append(0.0)
            free = len(rows) - 1
        rows[free] = pod_stop(p, float("inf"))
    return max(len(rows), 1)


def timeline_by_node(result: Result, ax: Axes | None = None, *, max_rows: int = 8) -> Axes:
    """Gantt chart by node: the pods each node ran over time, node down periods shaded, node
    events marked, overlapping runs boxed; with several Jobs a ribbon under each pod's bar
    says its Job.

    A node's pods are packed into up to ``max_rows`` rows; a busier node shows its pod count
    over time instead. A pod's name is written on its bar when it fits.
    """
    v = view(result)
    lv = v.lv
    on_node: dict[str, list[PodLife]] = {n: [] for n in lv.nodes}
    for p in lv.pods.values():
        if p.node is not None:
            on_node.setdefault(p.node, []).append(p)
    nodes = list(on_node)
    if ax is None:
        rows_shown = sum(min(_rows(ps), max_rows) for ps in on_node.values())
        ax = new_axes(max(len(nodes), rows_shown // 2))
    xmax = v.end
    bars = Bars(min_width=MIN_WIDTH * xmax)
    ribbons: dict[str, list[tuple[float, float, float, float]]] = {}
    width_pt = ax.bbox.width / ax.figure.dpi * 72 * 0.85
    per_pt = xmax * 1.02 / max(width_pt, 1.0)
    few = len(lv.pods) <= 60
    several = len({p.job for ps in on_node.values() for p in ps}) > 1
    counted = False
    where: dict[str, tuple[float, float]] = {}
    for y, node in enumerate(nodes):
        pods = sorted(on_node[node], key=lambda p: p.scheduled or 0.0)
        rows: list[float] = []
        slot: dict[str, int] = {}
        for p in pods:
            start = p.scheduled or 0.0
            stop = pod_stop(p, lv.end)
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
                hh = h * 0.9
                where[p.name] = (py, hh)
                start, stop = p.scheduled or 0.0, pod_stop(p, lv.end)
                if several:
                    # the state bar above, the Job's ribbon below (y grows downwards)
                    rh = min(hh * 0.3, 0.1)
                    state_y, state_h = py - rh / 2, hh - rh
                    ribbon = (py + hh / 2 - rh / 2, start, max(stop - start, bars.min_width), rh)
                    ribbons.setdefault(p.job, []).append(ribbon)
                else:
                    state_y, state_h = py, hh
                pod_bars(bars, ax, p, state_y, state_h, lv, labels=False, min_width=0, on_node=True)
                fontsize = min(6.0, hh * ax.bbox.height / len(nodes) / ax.figure.dpi * 72 * 0.6)
                fits = (len(p.name) + 1) * 0.6 * fontsize * per_pt < stop - start
                if few and fits and fontsize >= 4:
                    ax.text(
                        start,
                        state_y,
                        f" {p.name}",
                        ha="left",
                        va="center",
                        fontsize=fontsize,
                        clip_on=True,
                        gid="pod-label",
                    )
        else:
            points = sorted(
                [(p.scheduled or 0.0, 1) for p in pods] + [(pod_stop(p, lv.end), -1) for p in pods]
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
                [y + 0.4 - 0.8 * val / peak for val in ys],
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
            stop = down.end if down.end is not None else xmax * 1.02
            bars.add("node-down", nodes.index(down.node), down.start, stop, 0.96)
    for node, (added, removed, _pool) in lv.node_spans.items():
        if node in on_node:
            bars.add("node-absent", nodes.index(node), 0.0, added, 0.96)
            if removed is not None:
                bars.add("node-absent", nodes.index(node), removed, xmax * 1.02, 0.96)
    bars.draw(ax)
    for job, rows_ in ribbons.items():
        ax.barh(
            [r[0] for r in rows_],
            [r[2] for r in rows_],
            left=[r[1] for r in rows_],
            height=[r[3] for r in rows_],
            color=v.colours[job],
            linewidth=0,
            gid="job-ribbon",
            zorder=2,
        )
    _overlap_boxes(ax, v, where, label=True)
    node_marks = [m for m in v.marks if m.kind == "node" and m.t <= xmax]
    span = {n: (i - 0.48, i + 0.48) for i, n in enumerate(nodes)}
    _mark_lines(ax, node_marks, span, set())
    levels = tag_labels(ax, _mark_tags(node_marks, {}), xmax * 1.02)
    thin_ticks(ax, nodes, 8 if len(nodes) <= 40 else 6)
    ax.set_ylim(max(len(nodes), 1) - 0.5, -0.5)
    ax.set_xlim(0, xmax * 1.02)
    time_axis(ax, xmax)
    ax.set_title(f"{result.scenario}: pods by node (seed {result.seed})", pad=6 + 10 * levels)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    jobs = v.colour_legend([j for j in lv.jobs if j in ribbons])
    legend(ax, jobs if len(jobs) > 1 else None, "ribbon under a pod: its Job")
    return ax
