"""Curves over time: active pods against parallelism, cluster utilisation, pending pods; and
the summary figure, which leaves out the panels that would be empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jobsim.plot.marks import MARK_LABELS, MARK_STYLES, spec_changes
from jobsim.plot.style import COLOURS, new_axes, time_axis
from jobsim.plot.timeline import view
from jobsim.stats import Lives, utilisation_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from jobsim.results import Result

__all__ = [
    "active_chart",
    "active_series",
    "panels",
    "parallelism_series",
    "pending_chart",
    "summary",
    "utilisation_chart",
]

MARK_TOP = 0.97
"""How high the summary's vertical marks reach, as a share of the panel's height: inside it,
short of its top edge, so that a dashed line does not read as running off the panel."""


def active_series(lv: Lives, job: str | None = None) -> list[tuple[float, int]]:
    """The Job's ``status.active`` over time (every Job's, summed, if ``job`` is None): pods
    created and neither terminal (Succeeded/Failed) nor terminating (deleted), as the Job
    controller counts them."""
    steps: list[tuple[float, int]] = []
    for p in lv.pods.values():
        if job is not None and p.job != job:
            continue
        steps.append((p.created, 1))
        ends = [t for t in (p.deleted, p.terminal, p.removed) if t is not None]
        if ends:
            steps.append((min(ends), -1))
    out, n = [(0.0, 0)], 0
    for t, d in sorted(steps):
        n += d
        if out[-1][0] == t:
            out[-1] = (t, n)
        else:
            out.append((t, n))
    return out


def parallelism_series(
    changes: list[tuple[float, int, bool]], until: float
) -> list[tuple[float, int]]:
    """``spec.parallelism`` over time, 0 while ``spec.suspend`` is true, up to ``until``."""
    out = [(t, 0 if suspend else n) for t, n, suspend in changes if t <= until]
    return [*out, (until, out[-1][1])] if out else []


def _step(ax: Axes, pts: list[tuple[float, int]], end: float, **kwargs: object) -> None:
    xs = [t for t, _ in pts if t <= end]
    ys = [v for t, v in pts if t <= end]
    if xs and xs[-1] < end:
        xs.append(end)
        ys.append(ys[-1])
    ax.step(xs, ys, where="post", **kwargs)  # type: ignore[arg-type]


def _fill(ax: Axes, pts: list[tuple[float, int]], end: float) -> None:
    """The room under parallelism, shaded (it shows where the active curve covers it)."""
    xs = [t for t, _ in pts if t <= end]
    ys = [v for t, v in pts if t <= end]
    if xs and xs[-1] < end:
        xs.append(end)
        ys.append(ys[-1])
    ax.fill_between(xs, ys, step="post", color="#000000", alpha=0.08, linewidth=0, zorder=1)


def _at(pts: list[tuple[float, int]], t: float) -> int:
    """A step function's value at ``t``."""
    value = 0
    for x, v in pts:
        if x > t:
            break
        value = v
    return value


def active_chart(result: Result, ax: Axes | None = None) -> Axes:
    """Active pods against ``spec.parallelism``, a dashed step that scale events move and
    suspend sets to 0 (shaded below). Several Jobs: their active pods stacked, each in its
    Job's colour (a CronJob's Jobs together, in the CronJob's), against the sum of the
    parallelism of the Jobs not yet finished."""
    if ax is None:
        ax = new_axes(6)
    v = view(result)
    lv = v.lv
    end = v.end
    changes = spec_changes(result.recorder)
    jobs = [j for j in lv.jobs if j in changes and lv.pods_of(j)]
    handles: list[Artist] = []
    if len(jobs) == 1:
        [j] = jobs
        until = min(lv.finished.get(j, end), end)
        par = parallelism_series(changes[j], until)
        act = active_series(lv, j)
        _fill(ax, par, until)
        first = True
        gaps = [g for g in lv.backoffs if g.job == j and g.start < until]
        for gap in gaps:
            # why active falls short of parallelism: the Job controller waits
            ax.axvspan(
                gap.start,
                min(gap.end, until),
                facecolor=COLOURS["backoff"],
                alpha=0.6,
                linewidth=0,
                zorder=1,
                gid="backoff",
                label="pod-failure backoff" if first else "_nolegend_",
            )
            first = False
        _step(
            ax, par, until, color="#000000", linestyle="--", linewidth=1.2, gid="parallelism-curve"
        )
        _step(ax, act, end, color=COLOURS["running"], linewidth=1.8, gid="active-curve")
        handles.append(Line2D([], [], color=COLOURS["running"], linewidth=1.8, label="active pods"))
        peak = max(1, *(n for _, n in act), *(n for _, n in par))
    else:
        series = {j: active_series(lv, j) for j in jobs}
        limits = {
            j: parallelism_series(changes[j], min(lv.finished.get(j, end), end)) for j in jobs
        }
        grid = sorted({t for pts in [*series.values(), *limits.values()] for t, _ in pts} | {end})
        grid = [t for t in grid if t <= end]
        below = [0] * len(grid)
        groups: dict[int, list[str]] = {}  # a CronJob's Jobs: one area, one colour
        for j in jobs:
            groups.setdefault(v.group.get(j, 0), []).append(j)
        for members in groups.values():
            lead = members[0]
            above = [
                b + sum(_at(series[j], t) for j in members)
                for b, t in zip(below, grid, strict=True)
            ]
            ax.fill_between(
                grid,
                below,
                above,
                step="post",
                color=v.colours[lead],
                linewidth=0,
                gid="active-area",
            )
            name = v.legend_names.get(lead, v.names[lead])
            handles.append(Patch(facecolor=v.colours[lead], label=f"{name}: active"))
            below = above
        ax.step(grid, below, where="post", color="#000000", linewidth=0.8, gid="active-curve")
        total = [
            sum(_at(limits[j], t) for j in jobs if lv.finished.get(j, end + 1) > t) for t in grid
        ]
        ax.step(
            grid,
            total,
            where="post",
            color="#000000",
            linestyle="--",
            linewidth=1.2,
            gid="parallelism-curve",
        )
        peak = max([1, *below, *total])
    seen: set[str] = set()
    mark_handles: list[Artist] = []
    for m in v.marks:
        if m.kind != "node" and m.t <= end and m.subject in jobs:
            style = MARK_STYLES[m.kind]
            ax.axvline(
                m.t,
                ymax=MARK_TOP,
                color=str(style["colors"]),
                linestyle=style["linestyles"],
                linewidth=float(style["linewidth"]),  # type: ignore[arg-type]
                gid=f"marker:{m.kind}",
            )
            if m.kind not in seen:
                mark_handles.append(
                    Line2D(
                        [],
                        [],
                        color=str(style["colors"]),
                        linestyle=style["linestyles"],  # type: ignore[arg-type]
                        linewidth=float(style["linewidth"]),  # type: ignore[arg-type]
                        label=MARK_LABELS[m.kind],
                    )
                )
            seen.add(m.kind)
    if not jobs:
        ax.text(0.5, 0.5, "no pods", ha="center", transform=ax.transAxes, color="#555555")
    else:
        handles.append(
            Line2D(
                [],
                [],
                color="#000000",
                linestyle="--",
                linewidth=1.2,
                label=(
                    "spec.parallelism"
                    + (
                        " (0 while suspended)"
                        if any(s for j in jobs for *_, s in changes[j])
                        else ""
                    )
                    if len(jobs) == 1
                    else "sum of spec.parallelism,\nunfinished Jobs"
                ),
            )
        )
        handles.extend(mark_handles)
        if len(jobs) == 1 and any(g.job == jobs[0] for g in lv.backoffs):
            handles.append(
                Patch(facecolor=COLOURS["backoff"], alpha=0.6, label="pod-failure backoff")
            )
        ax.legend(
            handles=handles, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1)
        )
    ax.set_xlim(0, end * 1.02)
    ax.set_ylim(0, peak * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.set_ylabel("pods")
    time_axis(ax, end)
    ax.set_title(f"{result.scenario}: active pods against parallelism")
    return ax


def utilisation_chart(result: Result, ax: Axes | None = None) -> Axes:
    """CPU and memory requested / allocatable over time (needs the nodes' resources in the
    record)."""
    if ax is None:
        ax = new_axes(6)
    lv = result.lives
    xmax = view(result).end
    series = [u for u in utilisation_series(result, lv) if u[0] <= xmax]
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
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_xlim(0, xmax * 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("requested / allocatable")
    time_axis(ax, xmax)
    ax.set_title(f"{result.scenario}: cluster utilisation")
    return ax


def pending_chart(result: Result, ax: Axes | None = None) -> Axes:
    """Pods waiting for a node over time."""
    if ax is None:
        ax = new_axes(6)
    lv = result.lives
    xmax = view(result).end
    pts = [(t, v) for t, v in lv.pending if t <= xmax]
    xs = [t for t, _ in pts] + [xmax]
    ys = [v for _, v in pts]
    ax.step(xs, [*ys, ys[-1]], where="post", color=COLOURS["evicted"], gid="pending-pods")
    ax.set_xlim(0, xmax * 1.02)
    ax.set_ylim(0, max(max(ys), 1) * 1.1)
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.set_ylabel("pending pods")
    time_axis(ax, xmax)
    ax.set_title(f"{result.scenario}: pods waiting for a node")
    return ax


def panels(result: Result) -> list[str]:
    """The summary's panels that have something to show: ``active`` always, ``utilisation``
    if some pod requests cpu or memory on nodes whose resources are known, ``pending`` if a pod
    ever waited for a node."""
    lv = result.lives
    out = ["active"]
    if any(u[1] or u[3] for u in utilisation_series(result, lv)):
        out.append("utilisation")
    if any(n > 0 for _, n in lv.pending):
        out.append("pending")
    return out


def summary(result: Result, fig: Figure | None = None) -> Figure:
    """Active pods against parallelism, utilisation and pending pods, one above the other;
    a panel with nothing to show is left out (see :func:`panels`)."""
    names = panels(result)
    if fig is None:
        fig = Figure(figsize=(10, 0.8 + 2.5 * len(names)), layout="constrained")
        FigureCanvasAgg(fig)
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    draw = {"active": active_chart, "utilisation": utilisation_chart, "pending": pending_chart}
    for name, ax in zip(names, axes, strict=True):
        draw[name](result, ax)
        if ax is not axes[-1]:
            ax.set_xlabel("")
    return fig
