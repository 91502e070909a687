"""The report's interactive charts, with plotly: the timelines by Job and by node, and the
utilisation and pending-pods charts.

What is drawn comes from :func:`jobsim.stats.lives` (the record's pod lives), like the
matplotlib pictures of :mod:`jobsim.plot`; the hover texts come from :class:`PodStories`.
Every bar of a pod carries the pod's name in ``customdata``; each trace's ``meta`` names the
segment it draws: ``run:<ending>`` (succeeded, failed, evicted, deleted, running), ``pending``,
``starting``, ``terminating``, ``crashloop``, ``backoff``, ``node-down``, ``node-absent``,
``condition``, ``pods`` (a count over time, when the pods are too many for a bar each).
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from jobsim.narrate import Line
from jobsim.plot.style import COLOURS as PLOT_COLOURS
from jobsim.plot.style import LABELS as PLOT_LABELS
from jobsim.plot.style import STYLES
from jobsim.record import Kind, fmt_seconds
from jobsim.results import Result
from jobsim.stats import Lives, PodLife, RunSpan, utilisation_series
from jobsim.timescale import time_scale

__all__ = [
    "COLOURS",
    "LABELS",
    "MAX_POD_BARS",
    "POD_LANES",
    "PodStories",
    "charts",
    "time_axis",
    "timeline_by_job",
    "timeline_by_node",
]

MAX_POD_BARS = 2000
"""Past this many pods the timelines show pod counts over time instead of a bar per pod."""
POD_LANES = 60
"""Up to this many pods, the timeline by Job gives each pod its own lane."""

# The state colours and names of jobsim.plot (the Okabe-Ito palette, distinguishable with the
# common colour-vision deficiencies), so the page and the pictures agree; evicted, deleted,
# terminating and node-down bars are patterned as well.
COLOURS = {
    **{state: str(style["facecolor"]) for state, style in STYLES.items()},
    "terminating": str(STYLES["terminating"]["hatchcolor"]),
    "condition": PLOT_COLOURS["condition"],
    "pods": PLOT_COLOURS["running"],
}
LABELS = {**PLOT_LABELS, "condition": "Job condition", "pods": "pods running (count)"}
_PATTERNS = {"run:evicted": "\\", "run:deleted": ".", "terminating": "/", "node-down": "/"}
_ORDER = [
    "node-absent",
    "node-down",
    "backoff",
    "pending",
    "starting",
    "crashloop",
    "run:succeeded",
    "run:failed",
    "run:evicted",
    "run:deleted",
    "run:running",
    "terminating",
]
_WRAP = 100


def _wrap(text: str) -> str:
    """Plain text as hover-label markup: escaped, wrapped at about 100 characters."""
    parts = textwrap.wrap(text, _WRAP, subsequent_indent="    ") or [""]
    return "<br>".join(html.escape(p, quote=False) for p in parts)


def _span(lo: float, hi: float) -> str:
    return f"t={fmt_seconds(lo)}–{fmt_seconds(hi)} ({fmt_seconds(hi - lo)})"


def _style(p: PodLife, i: int, run: RunSpan) -> str:
    """A run's segment: how the pod ended for its last run, else by exit code."""
    if i == len(p.runs) - 1:
        style = p.outcome if p.outcome in ("succeeded", "failed", "evicted", "deleted") else ""
        if not style:
            style = (
                "running" if run.end is None else "succeeded" if run.exit_code == 0 else "failed"
            )
        return f"run:{style}"
    return "run:failed" if run.exit_code else "run:succeeded"


@dataclass
class PodStories:
    """Each pod's hover text: its phases, runs with exit codes, node, and the narrated lines
    of why it was created (and re-executes whose work) and deleted."""

    result: Result
    lines: list[Line]
    created: dict[str, Line] = field(init=False, default_factory=dict)
    deleted: dict[str, Line] = field(init=False, default_factory=dict)
    backoff: dict[tuple[str, float], Line] = field(init=False, default_factory=dict)
    redoes: dict[str, str] = field(init=False, default_factory=dict)
    _text: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for ln in self.lines:
            if ln.kind is Kind.POD_CREATED:
                self.created.setdefault(ln.subject, ln)
            elif ln.kind is Kind.POD_DELETED:
                self.deleted.setdefault(ln.subject, ln)
            elif ln.kind in (Kind.JOB_BACKOFF, Kind.JOB_INDEX_BACKOFF):
                self.backoff.setdefault((ln.subject, ln.t), ln)
        for before, after, _job, _index in self.result.lives.redo:
            self.redoes.setdefault(after.pod, before.pod)

    def backoff_line(self, job: str, decided_at: float) -> Line | None:
        """The narrated line of the pod-failure backoff the Job decided at ``decided_at``."""
        return self.backoff.get((job, decided_at))

    def text(self, name: str) -> str:
        """The pod's story as hover-label markup."""
        if name not in self._text:
            self._text[name] = self._story(self.result.lives.pods[name])
        return self._text[name]

    def _story(self, p: PodLife) -> str:
        lv = self.result.lives
        where = f"Job {p.job}" + ("" if p.index is None else f", index {p.index}")
        out = [f"<b>pod {html.escape(p.name)}</b> ({html.escape(where)})"]
        out.append(f"node: {html.escape(p.node or 'never scheduled')}")
        started = p.first_start
        pending_end = started if started is not None else (p.terminal or p.removed or lv.end)
        pulls = sum(hi - lo for lo, hi in p.pulls)
        bound = "" if p.scheduled is None else f", bound at {fmt_seconds(p.scheduled)}"
        pull = f", image pull {fmt_seconds(pulls)}" if pulls > 0 else ""
        out.append(f"Pending {_span(p.created, pending_end)}{bound}{pull}")
        if started is not None:
            out.append(f"Running from t={fmt_seconds(started)}")
        for i, run in enumerate(p.runs):
            stop = lv.run_end(run)
            code = "not seen to exit" if run.end is None else f"exit code {run.exit_code}"
            ending = _style(p, i, run).removeprefix("run:")
            out.append(f"run {i + 1}: {_span(run.start, stop)}, {code} ({ending})")
        if p.terminal is not None and p.phase in ("Succeeded", "Failed"):
            out.append(f"{p.phase} at t={fmt_seconds(p.terminal)}")
        out.append(
            f"outcome: {p.outcome}" + ("" if p.exit_code is None else f", exit code {p.exit_code}")
        )
        why: list[str] = []
        if p.name in self.created:
            why.append(self.created[p.name].text)
        for gap in lv.backoffs:
            waited = gap.end - 1e-9 <= p.created < gap.end + 1  # created once it expired
            if gap.job == p.job and gap.index in (None, p.index) and waited:
                ln = self.backoff_line(gap.job, gap.decided_at)
                if ln is not None:
                    why.append(f"after: {ln.text}")
        if p.name in self.redoes:
            why.append(f"it re-executes the work of pod {self.redoes[p.name]}")
        if p.name in self.deleted:
            why.append(self.deleted[p.name].text)
        return "<br>".join([*out, *(_wrap(f"• {w}") for w in why)])


@dataclass
class _Bars:
    """Bar segments per style, drawn as one horizontal-bar trace each (one legend entry)."""

    rows: dict[str, list[tuple[float, float, float, float, str, str, str]]] = field(
        default_factory=dict
    )

    def add(
        self,
        style: str,
        y: float,
        lo: float,
        hi: float,
        thickness: float,
        hover: str,
        pod: str = "",
        label: str = "",
    ) -> None:
        if hi > lo:
            self.rows.setdefault(style, []).append((y, lo, hi - lo, thickness, hover, pod, label))

    def traces(self) -> list[go.Bar]:
        out = []
        for style in _ORDER:
            rows = self.rows.get(style)
            if not rows:
                continue
            marker: dict[str, Any] = {"color": COLOURS[style], "line": {"width": 0}}
            if style in _PATTERNS:
                marker["pattern"] = {"shape": _PATTERNS[style], "fgcolor": "#333333"}
            if style == "terminating":
                marker["color"] = "rgba(0,0,0,0)"
            opacity = 0.6 if style in ("backoff", "crashloop") else None
            out.append(
                go.Bar(
                    orientation="h",
                    y=[r[0] for r in rows],
                    base=[r[1] for r in rows],
                    x=[r[2] for r in rows],
                    width=[r[3] for r in rows],
                    hovertext=[r[4] for r in rows],
                    customdata=[r[5] for r in rows],
                    text=[r[6] for r in rows],
                    textposition="inside",
                    insidetextanchor="middle",
                    hovertemplate="%{hovertext}<extra></extra>",
                    marker=marker,
                    opacity=opacity,
                    name=LABELS[style],
                    meta=style,
                    legendgroup=style,
                )
            )
        return out


def _xmax(lv: Lives) -> float:
    last = max(lv.horizon, 1e-9)
    for p in lv.pods.values():
        for r in p.runs:
            last = max(last, lv.run_end(r))
    return last


def _stop(p: PodLife, end: float) -> float:
    """When a pod stopped occupying its node (or its lane): terminal, removed, or the end."""
    if p.terminal is not None:
        return p.terminal
    return p.removed if p.removed is not None else end


def _pack(pods: list[PodLife], end: float, start: str) -> tuple[dict[str, int], int]:
    """First-fit rows so that no two pods of a lane overlap: each pod's row, and how many."""
    rows: list[float] = []
    slot: dict[str, int] = {}
    for p in pods:
        lo = p.created if start == "created" else (p.scheduled or 0.0)
        for r, free in enumerate(rows):
            if free <= lo:
                rows[r] = _stop(p, end)
                slot[p.name] = r
                break
        else:
            rows.append(_stop(p, end))
            slot[p.name] = len(rows) - 1
    return slot, max(len(rows), 1)


def _pod_bars(
    bars: _Bars, p: PodLife, y: float, h: float, lv: Lives, stories: PodStories, on_node: bool
) -> None:
    """A pod's segments on one row: pending, starting, its runs, terminating, crash loops."""
    story = stories.text(p.name)
    if not on_node:
        bound = p.scheduled if p.scheduled is not None else (p.terminal or p.removed or lv.end)
        bars.add("pending", y, p.created, bound, h, f"<b>pending</b><br>{story}", p.name)
    if p.scheduled is not None:
        ready = p.first_start if p.first_start is not None else p.released(lv.end)
        bars.add("starting", y, p.scheduled, ready, h, f"<b>starting</b><br>{story}", p.name)
    for i, run in enumerate(p.runs):
        stop = lv.run_end(run)
        style = _style(p, i, run)
        label = "" if run.exit_code in (None, 0) else f"exit {run.exit_code}"
        if on_node:
            label = p.name
        head = f"<b>run {i + 1}: {style.removeprefix('run:')}</b>"
        bars.add(style, y, run.start, stop, h, f"{head}<br>{story}", p.name, label)
        if i == len(p.runs) - 1 and p.deleted is not None and run.start <= p.deleted < stop:
            bars.add("terminating", y, p.deleted, stop, h, f"<b>terminating</b><br>{story}", p.name)
    for lo, hi in p.crashloops:
        head = f"<b>CrashLoopBackOff {fmt_seconds(hi - lo)}</b>"
        bars.add("crashloop", y, lo, hi, h * 0.8, f"{head}<br>{story}", p.name)


def _counts(pods: list[PodLife], lv: Lives) -> tuple[list[float], list[int]]:
    """Running container count over time of ``pods`` (a step function)."""
    points = sorted(
        [(r.start, 1) for p in pods for r in p.runs]
        + [(lv.run_end(r), -1) for p in pods for r in p.runs]
    )
    xs, ys, n = [0.0], [0], 0
    for t, d in points:
        n += d
        xs.append(t)
        ys.append(n)
    return xs, ys


def _count_trace(groups: list[list[PodLife]], lanes: _Lanes, lv: Lives, xmax: float) -> go.Scatter:
    """One filled step curve per lane: how many of its pods run, scaled to the lane's peak."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    for i, (label, pods) in enumerate(zip(lanes.labels, groups, strict=True)):
        tx, ty = _counts(pods, lv)
        peak = max(ty) or 1
        base = lanes.tops[i] + lanes.sizes[i] - 0.6
        tall = lanes.sizes[i] - 0.2
        hover = html.escape(f"{label}: at most {peak:,} pods running at once")
        xs.append(0.0)
        ys.append(base)
        texts.append(hover)
        for k, (t, v) in enumerate(zip(tx, ty, strict=True)):
            if k:
                xs.append(t)
                ys.append(base - tall * ty[k - 1] / peak)
                texts.append(hover)
            xs.append(t)
            ys.append(base - tall * v / peak)
            texts.append(hover)
        xs += [xmax, xmax, None]
        ys += [ys[-1], base, None]
        texts += [hover, hover, None]
    return go.Scatter(
        x=xs,
        y=ys,
        fill="toself",
        mode="lines",
        line={"width": 0.5, "color": COLOURS["pods"]},
        fillcolor="rgba(0,114,178,0.45)",
        hovertext=texts,
        hovertemplate="%{hovertext}<extra></extra>",
        name=LABELS["pods"],
        meta="pods",
    )


@dataclass
class _Lanes:
    """Lanes of one or more rows each, top to bottom: a lane's rows are y = top … top+rows-1."""

    labels: list[str] = field(default_factory=list)
    tops: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def add(self, label: str, rows: int = 1) -> int:
        """A new lane of ``rows`` rows; its top row's y."""
        top = sum(self.sizes)
        self.labels.append(label)
        self.tops.append(top)
        self.sizes.append(rows)
        return top

    @property
    def rows(self) -> int:
        return max(sum(self.sizes), 1)

    def centre(self, i: int) -> float:
        return self.tops[i] + (self.sizes[i] - 1) / 2


def time_axis(span: float) -> dict[str, Any]:
    """The x axis of a figure showing ``span`` seconds: its title naming the unit and, past
    10 minutes, ticks at whole minutes, hours or days (:func:`jobsim.timescale.time_scale`);
    plotly's own ticks in seconds for a short span."""
    scale = time_scale(span)
    out: dict[str, Any] = {"title_text": scale.label}
    if scale.step:
        ticks = scale.ticks(span * 1.02)
        out |= {"tickmode": "array", "tickvals": ticks, "ticktext": [scale.tick(t) for t in ticks]}
    return out


def _layout(fig: go.Figure, lanes: _Lanes, title: str, xmax: float) -> None:
    n = lanes.rows
    height = min(max(170 + 24 * n, 300), 1800)
    fig.update_layout(
        title={"text": html.escape(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        barmode="overlay",
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 90, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 11}},
        hoverlabel={"align": "left", "bgcolor": "white", "font": {"size": 12}},
        hovermode="closest",
        uniformtext={"minsize": 9, "mode": "hide"},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial"},
    )
    axis = time_axis(xmax)
    axis["title_text"] += " · drag to zoom, double-click to reset"
    fig.update_xaxes(
        **axis,
        range=[0, xmax * 1.02],
        zeroline=False,
        showgrid=True,
        gridcolor="#EEEEEE",
    )
    fig.update_yaxes(
        tickvals=[lanes.centre(i) for i in range(len(lanes.labels))],
        ticktext=[html.escape(s) for s in lanes.labels],
        range=[n - 0.5, -0.6],
        showgrid=False,
        automargin=True,
        zeroline=False,
    )
    # a line between lanes of many rows: the shapes ``add_hline`` makes, set at once (one
    # ``add_hline`` per lane copies every shape before it: minutes for 2,000 lanes)
    lines = [
        {
            "type": "line",
            "xref": "x domain",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": top - 0.5,
            "y1": top - 0.5,
            "line": {"color": "#BBBBBB", "width": 0.8},
        }
        for i, (top, size) in enumerate(zip(lanes.tops, lanes.sizes, strict=True))
        if i and (size > 1 or lanes.sizes[i - 1] > 1)
    ]
    if lines:
        fig.update_layout(shapes=[*fig.layout.shapes, *lines])


def timeline_by_job(result: Result, stories: PodStories) -> go.Figure:
    """Gantt chart by Job: a lane per pod (up to ``POD_LANES`` pods), else a lane per Job with
    its pods packed in rows; past ``MAX_POD_BARS`` pods, each Job's running-pod count.
    Pod-failure backoff gaps are shaded and Job condition changes are dashed markers."""
    lv = result.lives
    xmax = _xmax(lv)
    bars = _Bars()
    owner = {k: j.cronJob for k, j in result.recorder.jobs.items()}
    first: dict[str, int] = {}  # a CronJob's Jobs sit together, where its first one is
    for j in lv.jobs:
        first.setdefault(owner.get(j) or j, len(first))
    by_job = {
        j: sorted(lv.pods_of(j), key=lambda p: (-1 if p.index is None else p.index, p.created))
        for j in sorted(lv.jobs, key=lambda j: first[owner.get(j) or j])
    }
    per_pod = sum(max(len(ps), 1) for ps in by_job.values()) <= POD_LANES
    lanes = _Lanes()
    rows: dict[str, list[int]] = {}
    headers: dict[str, int] = {}  # a CronJob's own lane
    fig = go.Figure()
    if len(lv.pods) > MAX_POD_BARS:
        for j, ps in by_job.items():
            top = lanes.add(f"{result.recorder.jobs[j].name} ({_count(len(ps))})", 3)
            rows[j] = [top, top + 2]
        fig.add_trace(_count_trace(list(by_job.values()), lanes, lv, xmax))
    else:
        group: str | None = None
        for job, pods in by_job.items():
            short = result.recorder.jobs[job].name
            cron = owner.get(job)
            if cron is not None and cron != group:  # a lane naming the CronJob, above its Jobs
                headers[cron] = lanes.add(f"CronJob {cron}:")
            group = cron
            if per_pod and pods:
                for p in pods:
                    y = lanes.add(p.name + ("" if p.index is None else f" [{p.index}]"))
                    rows.setdefault(job, []).append(y)
                    _pod_bars(bars, p, y, 0.6, lv, stories, on_node=False)
                continue
            slot, k = _pack(sorted(pods, key=lambda p: p.created), lv.end, "created")
            top = lanes.add(f"{short} ({_count(len(pods))})", k)
            rows[job] = list(range(top, top + k))
            for p in pods:
                _pod_bars(bars, p, top + slot[p.name], 0.8, lv, stories, on_node=False)
        for gap in lv.backoffs:
            ys = rows.get(gap.job, [])
            if not ys:
                continue
            end = min(gap.end, lv.finished.get(gap.job, gap.end))
            at, h = (ys[0] + ys[-1]) / 2, len(ys) - 0.1
            if per_pod:
                lane_of = zip(by_job[gap.job], ys, strict=True)
                same = [(p, i) for p, i in lane_of if gap.index is None or p.index == gap.index]
                after = [i for p, i in same if p.created >= gap.end - 1e-9]
                before = [i for p, i in same if p.created <= gap.start]
                at, h = (after[0] if after else (before[-1] if before else ys[0])), 0.9
            ln = stories.backoff_line(gap.job, gap.decided_at)
            what = ln.text if ln is not None else f"Job {gap.job} waits (pod-failure backoff)"
            head = f"<b>pod-failure backoff {fmt_seconds(gap.end - gap.start)}</b>"
            label = f"backoff {fmt_seconds(gap.end - gap.start)}"
            bars.add("backoff", at, gap.start, end, h, f"{head}<br>{_wrap(what)}", "", label)
        for trace in bars.traces():
            fig.add_trace(trace)
        if per_pod:
            lane = {p.name: y for j, ps in by_job.items() for p, y in zip(ps, rows[j], strict=True)}
            _overlaps(fig, result, lane)
    _conditions(fig, result, rows, stories)
    what = "pod" if per_pod else "Job, its pods in rows"
    if len(lv.pods) > MAX_POD_BARS:
        what = "Job, the pods it runs over time"
    title = f"Timeline by Job: one lane per {what} (seed {result.seed})"
    _layout(fig, lanes, title, xmax)
    _cronjob_groups(fig, rows, owner, headers)
    return fig


def _cronjob_groups(
    fig: go.Figure,
    rows: dict[str, list[int]],
    owner: dict[str, str | None],
    headers: dict[str, int],
) -> None:
    """A line above each CronJob's lanes (its own lane naming it, where there is one), apart
    from the Jobs around them."""
    tops: dict[str, int] = dict(headers)
    for job, ys in rows.items():
        cron = owner.get(job)
        if cron is not None and ys:
            tops[cron] = min(tops.get(cron, ys[0]), ys[0])
    for top in tops.values():
        if top > 0:
            fig.add_hline(y=top - 0.5, line={"color": "#54AEFF", "width": 2})


def _overlaps(fig: go.Figure, result: Result, lane: dict[str, int]) -> None:
    """A box around both runs of each overlap the statistics flag (``lane``: a pod's row),
    as the PNG timeline draws it, with the warning on hover."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    hover: list[str | None] = []
    for j in result.stats.jobs:
        for o in j.overlappingExecutions:
            if o.pod not in lane or o.predecessor not in lane:
                continue
            lo = min(lane[o.pod], lane[o.predecessor]) - 0.45
            hi = max(lane[o.pod], lane[o.predecessor]) + 0.45
            end = o.start + o.seconds
            story = (
                f"pod {o.pod} ran its work while {o.predecessor} was still running, from "
                f"t={fmt_seconds(o.start)}: non-idempotent work runs twice"
            )
            unseen = "" if o.confirmed else " (the predecessor's end was never seen)"
            h = f"<b>overlap {fmt_seconds(o.seconds)}</b>{unseen}<br>"
            h += _wrap(story)
            xs += [o.start, end, end, o.start, o.start, None]
            ys += [lo, lo, hi, hi, lo, None]
            hover += [h] * 5 + [None]
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": "#000000", "width": 2},
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                name="overlap: a re-execution runs beside its predecessor",
                meta="overlap",
            )
        )


def _count(n: int) -> str:
    return f"{n:,} pod{'s' if n != 1 else ''}"


def _conditions(
    fig: go.Figure, result: Result, lanes: dict[str, list[int]], stories: PodStories
) -> None:
    """Dashed lines at each Job condition change, with the narrated line on hover."""
    lv = result.lives
    why = {
        (ln.subject, ln.t, ln.text.split(" condition ", 1)[-1].split(" ", 1)[0]): ln.text
        for ln in stories.lines
        if ln.kind is Kind.JOB_CONDITION
    }
    marks: dict[tuple[str, float], list[str]] = {}
    for c in lv.conditions:
        text = why.get((c.job, c.t, f"{c.type}={c.status}"))
        if text is None:
            text = f"Job {c.job} condition {c.type}={c.status} ({c.reason})"
        marks.setdefault((c.job, c.t), []).append(text)
    xs: list[float | None] = []
    ys: list[float | None] = []
    hover: list[str | None] = []
    for (job, t), texts in marks.items():
        rows = lanes.get(job)
        if not rows:
            continue
        h = f"<b>t={fmt_seconds(t)}</b><br>" + "<br>".join(_wrap(s) for s in texts)
        xs += [t, t, None]
        ys += [min(rows) - 0.45, max(rows) + 0.45, None]
        hover += [h, h, None]
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": COLOURS["condition"], "dash": "dash", "width": 1.2},
                marker={"symbol": "triangle-down", "size": 9, "color": COLOURS["condition"]},
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                name=LABELS["condition"],
                meta="condition",
            )
        )


def timeline_by_node(result: Result, stories: PodStories) -> go.Figure:
    """Gantt chart by node: the pods each node held, packed in rows, node down periods and
    absence shaded; past ``MAX_POD_BARS`` pods, each node's running-pod count."""
    lv = result.lives
    xmax = _xmax(lv)
    on_node: dict[str, list[PodLife]] = {n: [] for n in lv.nodes}
    for p in lv.pods.values():
        if p.node is not None:
            on_node.setdefault(p.node, []).append(p)
    many = len(lv.pods) > MAX_POD_BARS
    lanes = _Lanes()
    packed: dict[str, tuple[dict[str, int], int]] = {}
    for node, pods in on_node.items():
        pods.sort(key=lambda p: p.scheduled or 0.0)
        packed[node] = ({}, 2) if many else _pack(pods, lv.end, "scheduled")
        lanes.add(node, packed[node][1])
    index = {node: i for i, node in enumerate(on_node)}
    fig = go.Figure()
    bars = _Bars()

    def whole(node: str) -> tuple[float, float]:  # a node's lane: its centre and height
        i = index[node]
        return lanes.centre(i), lanes.sizes[i] - 0.04

    for node, (added, removed, pool) in lv.node_spans.items():
        if node in index:
            y, h = whole(node)
            hover = html.escape(f"node {node} (pool {pool}) added at {fmt_seconds(added)}")
            bars.add("node-absent", y, 0.0, added, h, hover)
            if removed is not None:
                gone = html.escape(f"node {node} removed at {fmt_seconds(removed)}")
                bars.add("node-absent", y, removed, xmax * 1.02, h, gone)
    for down in lv.node_down:
        if down.node in index:
            y, h = whole(down.node)
            end = down.end if down.end is not None else xmax * 1.02
            back = "" if down.end is None else f", reported again at {fmt_seconds(down.end)}"
            text = f"node {down.node} stopped reporting at {fmt_seconds(down.start)}{back}"
            bars.add("node-down", y, down.start, end, h, html.escape(text))
    if not many:
        for node, pods in on_node.items():
            top = lanes.tops[index[node]]
            for p in pods:
                _pod_bars(bars, p, top + packed[node][0][p.name], 0.8, lv, stories, on_node=True)
    for trace in bars.traces():
        fig.add_trace(trace)
    if many:
        fig.add_trace(_count_trace(list(on_node.values()), lanes, lv, xmax))
    what = "how many pods each node ran over time" if many else "the pods each node ran"
    _layout(fig, lanes, f"Timeline by node: {what} (seed {result.seed})", xmax)
    return fig


def charts(result: Result) -> go.Figure:
    """Cluster cpu and memory requested / allocatable, and pods waiting for a node, over the
    observation window."""
    lv = result.lives
    xmax = max(lv.horizon, 1e-9)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("requested / allocatable", "pending pods (waiting for a node)"),
    )
    series = [u for u in utilisation_series(result, lv) if u[0] <= xmax]
    if series:
        xs = [u[0] for u in series] + [xmax]
        for req, alloc, name, colour, dash in (
            (1, 2, "cpu", COLOURS["run:running"], "solid"),
            (3, 4, "memory", COLOURS["run:failed"], "dash"),
        ):
            ys = [u[req] / u[alloc] if u[alloc] else 0.0 for u in series]
            ys.append(ys[-1])
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"shape": "hv", "color": colour, "dash": dash},
                    name=f"{name} requested / allocatable",
                    customdata=[fmt_seconds(x) for x in xs],
                    hovertemplate=f"{name}: %{{y:.0%}} from t=%{{customdata}}<extra></extra>",
                    meta=f"utilisation:{name}",
                ),
                row=1,
                col=1,
            )
    if not series or not any(u[1] or u[3] for u in series):
        fig.add_annotation(
            text="no cluster spec: utilisation unknown"
            if not series
            else "no pod requests cpu or memory: nothing is requested",
            x=0.5,
            y=0.5,
            xref="x domain",
            yref="y domain",
            showarrow=False,
            font={"color": "#57606a"},
        )
    pts = [(t, v) for t, v in lv.pending if t <= xmax]
    xs = [t for t, _ in pts] + [xmax]
    ys = [v for _, v in pts]
    ys.append(ys[-1])
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"shape": "hv", "color": COLOURS["run:evicted"]},
            name="pending pods",
            customdata=[fmt_seconds(x) for x in xs],
            hovertemplate="%{y} pending from t=%{customdata}<extra></extra>",
            meta="pending-pods",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(
        template="plotly_white",
        height=480,
        margin={"l": 10, "r": 10, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},
        hovermode="x",
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial"},
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=2, col=1)
    axis = time_axis(xmax)
    fig.update_xaxes(
        range=[0, xmax], gridcolor="#EEEEEE", **{k: v for k, v in axis.items() if k != "title_text"}
    )
    fig.update_xaxes(title_text=axis["title_text"], row=2, col=1)
    return fig
