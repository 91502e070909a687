"""Charts of a sweep: a metric against a parameter, its distribution, and paired differences.

Import this module explicitly (``import jobsim.experiment.plots``): it loads matplotlib, which
``import jobsim.experiment`` does not. Every function draws on the Axes it is given, or on a new
:class:`~matplotlib.figure.Figure` with an Agg canvas (no pyplot, no global state, never
``show``), and returns the Figure; :func:`save` writes it as png, svg or pdf, with the same
bytes for the same sweep.

- :func:`metric_plot`: a statistic of a metric (the mean, or a quantile such as p95) against the
  parameter the sweep varies, with its confidence interval as a band, the mean beside it, every
  replication as a faint dot and an optional bound as a dashed line.
- :func:`ecdf_plot`: the empirical distribution of a metric at each point.
- :func:`paired_plot`: the differences between points (:meth:`Sweep.paired`) with the interval
  that common random numbers give and, for the mean, the wider one independent runs would give.

Durations (``makespan``, ``work_done``, ``mean_wait``, ``*_wall_time``) are shown in seconds,
minutes or hours (:func:`unit_for`). A run in which a Job never finished has an infinite value:
:func:`metric_plot` draws it as a marker in a strip along the top edge labelled "did not
finish", an ECDF line stops short of 100%, a paired difference is "undefined"; never a number.

Artists carry a ``gid`` naming what they show: ``statistic``, ``mean``, ``interval``, ``runs``,
``did-not-finish`` (markers), ``did-not-finish-note``, ``bound``, ``bound-label``, ``ecdf``,
``paired``, ``unpaired``, ``gain`` (how much narrower pairing made an interval), ``zero``.

Colours are the Okabe-Ito palette, as in :mod:`jobsim.plot` (a sequential map past seven
lines). A Figure made here has its layout settled (:func:`settle`) before it is returned.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from jobsim.experiment.intervals import mean_interval, quantile_interval
from jobsim.experiment.sweep import Sweep, SweepError
from jobsim.units import UnitError, parse_duration

__all__ = [
    "DURATION_METRICS",
    "PALETTE",
    "Unit",
    "ecdf_plot",
    "is_duration",
    "metric_plot",
    "paired_plot",
    "save",
    "save_all",
    "settle",
    "unit_for",
]

PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
"""Okabe-Ito: distinguishable with the common colour-vision deficiencies."""

DURATION_METRICS = frozenset({"makespan", "work_done", "mean_wait"})
"""Metrics measured in seconds (with every ``*_wall_time``)."""

_BOUND = "#333333"
_DNF = "#D55E00"
_LIGHT = "#9CC3E0"


@contextmanager
def _style() -> Iterator[None]:
    with rc_context({"svg.hashsalt": "jobsim", "font.family": "DejaVu Sans"}):
        yield


# -- units ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """How a metric's values are shown: divided by ``seconds``, labelled ``name``."""

    name: str
    seconds: float = 1.0

    def of(self, value: float) -> float:
        """``value`` (in the metric's own unit) in this unit."""
        return value / self.seconds

    def label(self, metric: str) -> str:
        """An axis label: the metric and, for a duration, its unit."""
        return f"{metric} ({self.name})" if self.name else metric

    def text(self, value: float) -> str:
        """``value`` (in the metric's own unit) as a short text in this unit."""
        v = self.of(value)
        number = f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        return f"{number} {self.name}" if self.name else number


def is_duration(metric: str) -> bool:
    """Whether the metric is a duration in seconds."""
    return metric in DURATION_METRICS or metric.endswith("_wall_time")


def unit_for(metric: str, values: Sequence[float] | np.ndarray) -> Unit:
    """The unit to show a metric's values in. For a duration, by the median finite magnitude:
    seconds under 2 minutes, minutes under 2 hours, else hours; one step larger if the largest
    value would read as more than 240 of them. Other metrics as they are."""
    if not is_duration(metric):
        return Unit("")
    x = np.abs(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Unit("s", 1.0)
    typical, top = float(np.median(x)), float(x.max())
    units = [Unit("s", 1.0), Unit("min", 60.0), Unit("h", 3600.0)]
    k = 0 if typical < 120 else 1 if typical < 7200 else 2
    while k < 2 and top / units[k].seconds > 240:
        k += 1
    return units[k]


# -- shared pieces ----------------------------------------------------------------------------


def _check_metric(sweep: Sweep, metric: str) -> None:
    if metric not in sweep.metrics:
        raise SweepError(f"metric {metric!r} is not in this sweep ({', '.join(sweep.metrics)})")


def _quantile(statistic: str) -> float | None:
    """None for the mean, else the quantile that ``pNN`` names (``p95``, ``p99.9``)."""
    if statistic == "mean":
        return None
    m = re.fullmatch(r"p(\d+(?:[._]\d+)?)", statistic)
    q = float(m[1].replace("_", ".")) / 100 if m else -1.0
    if not 0 <= q <= 1:
        raise SweepError(f"statistic {statistic!r}: expected mean or a quantile such as p95")
    return q


def _interval(
    values: Sequence[float], q: float | None, confidence: float
) -> tuple[float, float, float]:
    if q is None:
        return mean_interval(values, confidence)
    return quantile_interval(values, q, confidence)


def _bound_value(bound: float | str | None) -> float | None:
    """A bound in the metric's own unit: a number, or a duration such as ``40m``."""
    if bound is None or not isinstance(bound, str):
        return None if bound is None else float(bound)
    try:
        return parse_duration(bound)
    except UnitError:
        try:
            return float(bound)
        except ValueError:
            raise SweepError(f"bound {bound!r}: expected a number or a duration") from None


def _segments(path: str) -> list[str]:
    return re.findall(r"[^.\[\]]+(?:\[[^\]]*\])?", path)


_POOL_COUNT = re.compile(r"(?:^|\.)nodePools\[([^\]]+)\]\.count$")


def _nodes(value: Any) -> str:
    return "node" if value == 1 else "nodes"


def _short(path: str, parameters: Sequence[str]) -> str:
    """The parameter's last key, or the whole path if another parameter ends the same."""
    last = _segments(path)[-1:]
    same = [p for p in parameters if _segments(p)[-1:] == last]
    return path if len(same) > 1 or not last else last[0]


def _value_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _setting(path: str, value: Any, parameters: Sequence[str]) -> str:
    """``2 worker nodes``, ``mtbf=5m``: one parameter's value, among several."""
    pool = _POOL_COUNT.search(path)
    if pool:
        return f"{_value_text(value)} {pool[1]} {_nodes(value)}"
    return f"{_short(path, parameters)}={_value_text(value)}"


def _point_text(sweep: Sweep, index: int) -> str:
    """A point's parameter values, as short as the sweep allows (``3 nodes``)."""
    point = sweep.points[index]
    if not sweep.parameters:
        return "(base scenario)"
    if len(sweep.parameters) == 1:
        [p] = sweep.parameters
        v = point.get(p)
        return f"{_value_text(v)} {_nodes(v)}" if _POOL_COUNT.search(p) else _value_text(v)
    return ", ".join(_setting(p, point.get(p), sweep.parameters) for p in sweep.parameters)


def _changed(sweep: Sweep, a: int, b: int) -> list[str]:
    pa, pb = sweep.points[a], sweep.points[b]
    return [p for p in sweep.parameters if pa.get(p) != pb.get(p)]


def _change_text(sweep: Sweep, a: int, b: int) -> str:
    """``4 -> 5 worker nodes``, ``parallelism 4 -> 8``; with several parameters, the ones that
    change and, in brackets, the ones that stay (``2 -> 3 worker nodes (mtbf=5m)``)."""
    pa, pb = sweep.points[a], sweep.points[b]
    changed = _changed(sweep, a, b)
    parts = []
    for p in changed:
        va, vb = _value_text(pa.get(p)), _value_text(pb.get(p))
        pool = _POOL_COUNT.search(p)
        if pool:
            parts.append(f"{va} -> {vb} {pool[1]} {_nodes(pb.get(p))}")
        else:
            parts.append(f"{_short(p, sweep.parameters)} {va} -> {vb}")
    text = "; ".join(parts) or f"point {a} -> point {b}"
    kept = [_setting(p, pa.get(p), sweep.parameters) for p in sweep.parameters if p not in changed]
    return f"{text} ({', '.join(kept)})" if kept else text


def _colours(n: int) -> list[str]:
    if n <= len(PALETTE) - 1:  # the yellow is too light for a line
        return list(PALETTE[:n])
    cmap = colormaps["viridis"]
    return [_hex(cmap(0.9 * i / max(n - 1, 1))) for i in range(n)]


def _hex(rgba: tuple[float, float, float, float]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in rgba[:3]))


def _new_axes(width: float, height: float) -> Axes:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def _done(ax: Axes, own: bool) -> Figure:
    """The Axes' Figure; laid out for good if this module made it (see :func:`settle`)."""
    fig = _figure(ax)
    if own:
        settle(fig)
    return fig


def _static(fig: Figure) -> bool:
    """Whether the Figure has no layout that moves when drawn."""
    engine = fig.get_layout_engine()
    return engine is None or isinstance(engine, PlaceHolderLayoutEngine)


def settle(fig: Figure) -> Figure:
    """Run the Figure's layout until it stops moving, then keep it: every later draw or save
    gives the same picture. (Constrained layout with a legend beside the axes moves by a hair
    on each draw for a few draws, so the same Figure saved twice would differ in its bytes.)
    To lay it out again after adding to it: ``fig.set_layout_engine("constrained")``."""
    if _static(fig):
        return fig
    before = [np.array(a.get_position().bounds) for a in fig.axes]
    for _ in range(8):
        fig.draw_without_rendering()
        after = [np.array(a.get_position().bounds) for a in fig.axes]
        moved = max(
            (float(np.abs(a - b).max()) for a, b in zip(after, before, strict=True)), default=0.0
        )
        if moved < 1e-5:  # a hundredth of a pixel
            break
        before = after
    fig.set_layout_engine("none")
    return fig


def _legend_outside(
    ax: Axes,
    handles: list[Any],
    labels: list[str],
    title: str | None = None,
    *,
    top: bool = True,
) -> Legend:
    """A legend right of the axes, from its top (or its bottom)."""
    return ax.legend(
        handles,
        labels,
        title=title,
        loc="upper left" if top else "lower left",
        bbox_to_anchor=(1.01, 1.0 if top else 0.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _infinite(values: Sequence[float]) -> int:
    return sum(1 for v in values if math.isinf(v))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- a metric against a parameter -------------------------------------------------------------


@dataclass
class _Line:
    """The points of one combination of the other parameters, in x order."""

    key: tuple[Any, ...]
    points: list[int]
    xs: list[float]


def _lines(sweep: Sweep, parameter: str | None) -> tuple[list[_Line], list[str], list[Any]]:
    """The lines to draw, the other parameters, and the x categories ([] for a numeric x)."""
    if parameter is None:  # the base scenario alone
        n = len(sweep.points)
        return [_Line((), list(range(n)), [float(i) for i in range(n)])], [], []
    others = [p for p in sweep.parameters if p != parameter]
    values: list[Any] = [pt.get(parameter) for pt in sweep.points]
    numeric = all(_is_number(v) for v in values)
    categories = [] if numeric else list(dict.fromkeys(values))
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, pt in enumerate(sweep.points):
        groups.setdefault(tuple(pt.get(p) for p in others), []).append(i)
    lines = []
    for key, idx in groups.items():
        xs = [float(values[i]) if numeric else float(categories.index(values[i])) for i in idx]
        order = sorted(range(len(idx)), key=lambda k: xs[k])
        lines.append(_Line(key, [idx[k] for k in order], [xs[k] for k in order]))
    return lines, others, categories


def _spacing(xs: Sequence[float]) -> float:
    """The smallest gap between two x values (1 for a single one)."""
    gaps = [b - a for a, b in itertools.pairwise(sorted(set(xs)))]
    return min(gaps) if gaps else 1.0


def _as_given(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


_DATA_TOP = 0.88
"""With runs that did not finish, the finite values use the axes up to here; above it, a strip
holds the markers of the runs (and statistics) that have no finite value."""
_STRIP = 0.925


def metric_plot(
    sweep: Sweep,
    metric: str,
    *,
    parameter: str | None = None,
    statistic: str = "p95",
    bound: float | str | None = None,
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Figure:
    """A metric's ``statistic`` (``mean`` or a quantile such as ``p95``) at each point against
    the parameter the sweep varies, with its ``confidence`` interval as a shaded band.

    The mean is drawn too (dotted) when the statistic is a quantile; every replication is a
    faint dot; ``bound`` (a number, or a duration such as ``"40m"`` for a duration metric) is a
    dashed line. A sweep over several parameters needs ``parameter``, the one for the x axis:
    the others get one line per combination of their values. Runs that did not finish (an
    infinite value), and statistics they make infinite, are markers in a strip along the top
    edge labelled "did not finish", counted in the legend.
    """
    _check_metric(sweep, metric)
    q = _quantile(statistic)
    if parameter is None and len(sweep.parameters) > 1:
        raise SweepError(
            f"this sweep varies {len(sweep.parameters)} parameters "
            f"({', '.join(sweep.parameters)}): say which is the x axis with parameter=; "
            "the others get one line per combination of their values"
        )
    if parameter is not None and parameter not in sweep.parameters:
        raise SweepError(
            f"parameter {parameter!r} is not varied by this sweep "
            f"({', '.join(sweep.parameters) or 'none'})"
        )
    if parameter is None and sweep.parameters:
        parameter = sweep.parameters[0]
    limit = _bound_value(bound)
    lines, others, categories = _lines(sweep, parameter)
    with _style():
        own = ax is None
        if ax is None:
            ax = _new_axes(8.5, 4.6)
        _draw_metric(ax, sweep, metric, q, statistic, limit, confidence, lines, others)
        allx = sorted({x for line in lines for x in line.xs})
        if parameter is None:
            ax.set_xticks(allx, [_point_text(sweep, int(x)) for x in allx])
        else:
            ax.set_xlabel(parameter)
            if categories:
                ax.set_xticks(
                    [float(i) for i in range(len(categories))],
                    [_value_text(c) for c in categories],
                )
            elif len(allx) <= 15:
                ax.set_xticks(allx, [_value_text(_as_given(x)) for x in allx])
        return _done(ax, own)


def _draw_metric(
    ax: Axes,
    sweep: Sweep,
    metric: str,
    q: float | None,
    statistic: str,
    limit: float | None,
    confidence: float,
    lines: list[_Line],
    others: list[str],
) -> None:
    stats: list[list[tuple[float, float, float]]] = []
    means: list[list[float]] = []
    everything: list[float] = [] if limit is None else [limit]
    for line in lines:
        stats.append([_interval(sweep.values(i, metric), q, confidence) for i in line.points])
        means.append([mean_interval(sweep.values(i, metric), confidence)[0] for i in line.points])
        for i in line.points:
            everything.extend(sweep.values(i, metric))
        for s in stats[-1]:
            everything.extend(s)
        everything.extend(means[-1])
    unit = unit_for(metric, everything)
    finite = [unit.of(v) for v in everything if math.isfinite(v)]
    top = max(finite, default=1.0)
    bottom = min(finite, default=0.0)
    lo_lim = 0.0 if bottom >= 0 else bottom - 0.05 * (top - bottom)
    span = top - lo_lim if top > lo_lim else 1.0
    unfinished = any(math.isinf(v) for v in everything)
    hi_lim = lo_lim + span / _DATA_TOP if unfinished else lo_lim + span * 1.08
    ax.set_ylim(lo_lim, hi_lim)
    strip_y = (1 + _STRIP) / 2  # the middle of the strip, in axes fractions

    colours = _colours(len(lines))
    several = len(lines) > 1
    allx = [x for line in lines for x in line.xs]
    gap = _spacing(allx)
    sub = 0.32 * gap / len(lines) if several else 0.0  # each line's dots beside the others'
    spread = 0.7 * sub if several else 0.16 * gap
    reps = max((len(sweep.values(i, metric)) for i in range(len(sweep.points))), default=0)
    dot_alpha = 0.55 if reps <= 10 else 0.35 if reps <= 50 else 0.2
    on_strip = ax.get_xaxis_transform()  # x in data, y in axes fractions
    dnf = runs = 0
    marks: list[tuple[float, float]] = []  # every finite mark drawn, for placing the bound label
    for g, (line, colour) in enumerate(zip(lines, colours, strict=True)):
        est = np.array([unit.of(s[0]) for s in stats[g]])
        lo = np.array([unit.of(s[1]) for s in stats[g]])
        hi = np.array([unit.of(s[2]) for s in stats[g]])
        xs = np.array(line.xs)
        # the band: an infinite end reaches into the strip, an undefined one leaves a gap
        lo_b = np.where(np.isinf(lo), np.nan, lo)
        hi_b = np.where(np.isposinf(hi), lo_lim + span / _DATA_TOP * _STRIP, hi)
        alpha = 0.12 if several else 0.2
        if len(xs) > 1:
            ax.fill_between(
                xs, lo_b, hi_b, color=colour, alpha=alpha, linewidth=0, gid="interval", zorder=1
            )
        else:
            ax.vlines(xs, lo_b, hi_b, colors=colour, alpha=0.3, linewidth=10, gid="interval")
        slot = (g - (len(lines) - 1) / 2) * sub
        for x, i in zip(line.xs, line.points, strict=True):
            vals = sweep.values(i, metric)
            n = len(vals)
            runs += n
            offsets = [(k / (n - 1) - 0.5) * spread if n > 1 else 0.0 for k in range(n)]
            fx = [x + slot + o for o, v in zip(offsets, vals, strict=True) if math.isfinite(v)]
            fy = [unit.of(v) for v in vals if math.isfinite(v)]
            marks.extend(zip(fx, fy, strict=True))
            ax.scatter(
                fx, fy, s=14, color=colour, alpha=dot_alpha, linewidth=0, gid="runs", zorder=2
            )
            ix = [x + slot + o for o, v in zip(offsets, vals, strict=True) if math.isinf(v)]
            if ix:
                dnf += len(ix)
                ax.scatter(
                    ix,
                    [strip_y] * len(ix),
                    transform=on_strip,
                    marker="^",
                    s=30,
                    color=colour if several else _DNF,
                    alpha=0.8,
                    linewidth=0,
                    gid="did-not-finish",
                    zorder=4,
                )
        _series(ax, xs, est, marks, strip_y, colour, "o", 5, 2, "-", "statistic", 40)
        if q is not None:
            m = np.array([unit.of(v) for v in means[g]])
            _series(ax, xs, m, marks, strip_y, colour, "D", 3.5, 1.3, ":", "mean", 22)
    if unfinished:
        ax.axhspan(
            lo_lim + (hi_lim - lo_lim) * _STRIP,
            hi_lim,
            facecolor="#F2F2F2",
            edgecolor="none",
            zorder=0,
            gid="did-not-finish-strip",
        )
        ax.annotate(
            "did not\nfinish",
            xy=(0.0, strip_y),
            xycoords="axes fraction",
            xytext=(-5, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=7.5,
            linespacing=0.95,
            color=_DNF,
            gid="did-not-finish-note",
        )
        ticks = [t for t in ax.get_yticks() if lo_lim <= t <= lo_lim + span * 1.02]
        ax.set_yticks(ticks)
        ax.set_ylim(lo_lim, hi_lim)
    if limit is not None:
        _bound_line(ax, unit, limit, marks)

    ax.set_ylabel(unit.label(metric))
    n = len(sweep.seeds)
    ax.set_title(
        f"{metric}: {statistic} with its {confidence:.0%} interval, "
        f"{_plural(n, 'replication')} per point",
        fontsize=10,
    )
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlim(min(allx) - 0.4 * gap, max(allx) + 0.4 * gap)

    # the legend: the lines (one per combination of the other parameters), then what is drawn
    style = "#555555" if several else colours[0]
    handles: list[Any] = [Line2D([], [], color=style, marker="o", markersize=5, linewidth=2)]
    labels = [statistic]
    handles.append(Patch(facecolor=style, alpha=0.2, linewidth=0))
    labels.append(f"{confidence:.0%} interval of the {statistic}")
    if q is not None:
        handles.append(
            Line2D([], [], color=style, linestyle=":", marker="D", markersize=3.5, linewidth=1.3)
        )
        labels.append("mean")
    handles.append(Line2D([], [], color=style, marker="o", linestyle="", alpha=0.5, markersize=4))
    labels.append("one replication")
    if dnf:
        dnf_colour = style if several else _DNF
        handles.append(Line2D([], [], color=dnf_colour, marker="^", linestyle="", markersize=6))
        labels.append(f"did not finish ({dnf} of {runs} runs)")
    if limit is not None:
        handles.append(Line2D([], [], color=_BOUND, linestyle="--", linewidth=1.2))
        labels.append(f"bound ({unit.text(limit)})")
    if several:
        names = [_group_text(others, line.key, sweep.parameters) for line in lines]
        first = _legend_outside(
            ax,
            [Line2D([], [], color=c, linewidth=2.5) for c in colours],
            names,
            others[0] if len(others) == 1 else None,
        )
        ax.add_artist(first)
        first.set_clip_on(False)  # else the layout leaves it out, and may cut it
        _legend_outside(ax, handles, labels, top=False)
    else:
        _legend_outside(ax, handles, labels)


def _group_text(others: list[str], key: tuple[Any, ...], parameters: list[str]) -> str:
    """A line's values of the other parameters (just the value if there is one other)."""
    if len(others) == 1:
        v = key[0]
        return f"{_value_text(v)} {_nodes(v)}" if _POOL_COUNT.search(others[0]) else _value_text(v)
    return ", ".join(_setting(p, v, parameters) for p, v in zip(others, key, strict=True))


def _series(
    ax: Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    marks: list[tuple[float, float]],
    strip_y: float,
    colour: str,
    marker: str,
    size: float,
    width: float,
    style: str,
    gid: str,
    strip_size: float,
) -> None:
    """One line of estimates: finite ones joined, infinite ones as marks in the top strip."""
    marks.extend((x, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(y))
    ax.plot(
        xs,
        np.where(np.isfinite(ys), ys, np.nan),
        color=colour,
        linestyle=style,
        marker=marker,
        markersize=size,
        linewidth=width,
        gid=gid,
        zorder=3,
    )
    _strip_marks(ax, xs[np.isinf(ys)], strip_y, marker, colour, strip_size)


def _strip_marks(ax: Axes, xs: np.ndarray, y: float, marker: str, colour: str, size: float) -> None:
    """Open markers in the did-not-finish strip: a statistic that is infinite."""
    if xs.size:
        ax.scatter(
            xs,
            [y] * xs.size,
            transform=ax.get_xaxis_transform(),
            marker=marker,
            s=size,
            facecolor="white",
            edgecolor=colour,
            linewidth=1.5,
            gid="did-not-finish",
            zorder=5,
        )


def _bound_line(ax: Axes, unit: Unit, limit: float, marks: list[tuple[float, float]]) -> None:
    """The bound as a dashed line, labelled at its right end on the side with fewer marks."""
    y = unit.of(limit)
    ax.axhline(y, color=_BOUND, linestyle="--", linewidth=1.2, gid="bound", zorder=2)
    lo, hi = ax.get_ylim()
    xs = [x for x, _ in marks]
    near = 0.1 * (hi - lo)
    right = max(xs, default=0.0) - 0.25 * (max(xs, default=0.0) - min(xs, default=0.0))
    above = sum(1 for x, v in marks if x >= right and y < v <= y + near)
    below = sum(1 for x, v in marks if x >= right and y - near <= v < y)
    up = above <= below and y + near < lo + (hi - lo) * _STRIP
    ax.annotate(
        f"bound {unit.text(limit)}",
        xy=(1.0, y),
        xycoords=ax.get_yaxis_transform(),
        xytext=(-4, 3 if up else -3),
        textcoords="offset points",
        ha="right",
        va="bottom" if up else "top",
        fontsize=8,
        color=_BOUND,
        bbox={"facecolor": "white", "alpha": 0.75, "pad": 1.0, "linewidth": 0},
        gid="bound-label",
        zorder=6,
    )


# -- distributions ----------------------------------------------------------------------------


def ecdf_plot(
    sweep: Sweep,
    metric: str,
    *,
    bound: float | str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The empirical CDF of a metric at each point: the share of replications at most x, one
    step line per point, with a vertical line at ``bound`` (and the share of each point within
    it in the legend). Runs that did not finish are the share a line never reaches, counted in
    the legend."""
    _check_metric(sweep, metric)
    limit = _bound_value(bound)
    values = [sweep.values(i, metric) for i in range(len(sweep.points))]
    everything = [v for vs in values for v in vs] + ([] if limit is None else [limit])
    unit = unit_for(metric, everything)
    finite = [unit.of(v) for v in everything if math.isfinite(v)]
    left = min(finite, default=0.0)
    right = max(finite, default=1.0)
    pad = 0.03 * (right - left) if right > left else 1.0
    x0 = 0.0 if 0 <= left <= 0.15 * right else left - pad
    x1 = right + pad
    dnf = 0
    with _style():
        own = ax is None
        if ax is None:
            ax = _new_axes(8.5, 4.6)
        colours = _colours(len(values))
        for i, (vals, colour) in enumerate(zip(values, colours, strict=True)):
            n = len(vals)
            if n == 0:
                continue
            xs = sorted(unit.of(v) for v in _finite(vals))
            ys = [(k + 1) / n for k in range(len(xs))]
            last = ys[-1] if ys else 0.0
            label = _point_text(sweep, i)
            notes = []
            if limit is not None:
                share = sum(1 for v in vals if v <= limit) / n
                notes.append(f"{share:.0%} ≤ {unit.text(limit)}")
            if (k := _infinite(vals)) > 0:
                dnf += k
                notes.append(f"{k} of {n} did not finish")
            if notes:
                label = f"{label}: {'; '.join(notes)}"
            same = [j for j in range(i + 1, len(values)) if sorted(values[j]) == sorted(vals)]
            if same:  # drawn over by a later line: say so, or it seems to be missing
                label = f"{label} (same as {_point_text(sweep, same[-1])})"
            ax.step(
                [x0, *xs, x1],
                [0.0, *ys, last],
                where="post",
                color=colour,
                linewidth=1.8,
                alpha=0.9,
                label=label,
                gid="ecdf",
            )
        if limit is not None:
            ax.axvline(
                unit.of(limit), color=_BOUND, linestyle="--", linewidth=1.2, gid="bound", zorder=1
            )
            ax.annotate(
                f"bound {unit.text(limit)}",
                xy=(unit.of(limit), 0.0),
                xycoords=ax.get_xaxis_transform(),
                xytext=(4, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=8,
                color=_BOUND,
                bbox={"facecolor": "white", "alpha": 0.75, "pad": 1.0, "linewidth": 0},
                gid="bound-label",
            )
        if dnf:
            ax.annotate(
                "a line that stops short of 100%:\nthe rest of its runs did not finish",
                xy=(0.0, 1.0),
                xycoords="axes fraction",
                xytext=(6, -6),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=8,
                color=_DNF,
                gid="did-not-finish-note",
            )
        ax.set_xlim(x0, x1)
        ax.set_ylim(0, 1.03)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(unit.label(metric))
        ax.set_ylabel(f"replications with {metric} ≤ x")
        reps = len(sweep.seeds)
        ax.set_title(
            f"{metric}: distribution over {_plural(reps, 'replication')} per point",
            fontsize=10,
        )
        ax.grid(color="#EEEEEE", linewidth=0.6)
        ax.set_axisbelow(True)
        handles, labels = ax.get_legend_handles_labels()
        title = sweep.parameters[0] if len(sweep.parameters) == 1 else None
        _legend_outside(ax, handles, labels, title)
        return _done(ax, own)


# -- paired differences -----------------------------------------------------------------------


def paired_plot(
    sweep: Sweep,
    metric: str,
    *,
    statistic: str = "mean",
    baseline: int | None = None,
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Figure:
    """The change of a metric's ``statistic`` from point to point (or from ``baseline``, a
    point's index, to each point), from :meth:`Sweep.paired`: one row per change (``4 -> 5
    nodes``) with its paired ``confidence`` interval, a line at zero and, for the mean, the
    interval the same runs would give if they were independent, drawn wider and lighter
    behind: what common random numbers save.

    In a grid over several parameters, neighbouring points that differ in more than one
    parameter (the end of one row of the grid and the start of the next) are left out, and
    counted in the legend; with a ``baseline`` every point is compared with it.
    """
    _check_metric(sweep, metric)
    _quantile(statistic)
    with np.errstate(invalid="ignore"):  # inf - inf, for runs that did not finish at both points
        table = sweep.paired(metric, statistic=statistic, baseline=baseline, confidence=confidence)
    rows = table.to_dict("records")
    skipped = 0
    if baseline is None and len(sweep.parameters) > 1:
        kept = [r for r in rows if len(_changed(sweep, int(r["from"]), int(r["to"]))) == 1]
        skipped, rows = len(rows) - len(kept), kept
    keys = ("difference", "low", "high", "unpaired_low", "unpaired_high")
    numbers = [float(r[k]) for r in rows for k in keys]
    unit = unit_for(metric, numbers)
    with _style():
        own = ax is None
        if ax is None:
            ax = _new_axes(8.5, min(max(1.9 + 0.5 * len(rows), 3.0), 14.0))
        ax.axvline(0.0, color="#000000", linewidth=0.9, gid="zero", zorder=1)
        labels: list[str] = []
        unpaired_drawn = undefined = False
        for y, r in enumerate(rows):
            labels.append(_change_text(sweep, int(r["from"]), int(r["to"])))
            est, lo, hi, ulo, uhi = (float(r[k]) for k in keys)
            if math.isfinite(ulo) and math.isfinite(uhi):
                ax.hlines(
                    y,
                    unit.of(ulo),
                    unit.of(uhi),
                    color=_LIGHT,
                    linewidth=9,
                    alpha=0.8,
                    gid="unpaired",
                    zorder=2,
                )
                unpaired_drawn = True
            if not math.isfinite(est):
                undefined = True
                ax.annotate(
                    "undefined: a run did not finish",
                    xy=(0.5, y),
                    xycoords=("axes fraction", "data"),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=_DNF,
                    bbox={"facecolor": "white", "alpha": 0.85, "pad": 1.0, "linewidth": 0},
                    gid="did-not-finish-note",
                )
                continue
            have = math.isfinite(lo) and math.isfinite(hi)
            ax.errorbar(
                [unit.of(est)],
                [y],
                xerr=[[unit.of(est - lo)], [unit.of(hi - est)]] if have else None,
                fmt="o",
                color=PALETTE[0],
                markersize=6,
                elinewidth=2,
                capsize=4,
                gid="paired",
                zorder=3,
            )
            note = _gain(est, lo, hi, ulo, uhi, unit)
            if note:
                ax.annotate(
                    note,
                    xy=(1.0, y),
                    xycoords=ax.get_yaxis_transform(),
                    xytext=(-4, 7),
                    textcoords="offset points",
                    ha="right",
                    va="bottom",
                    fontsize=7.5,
                    color="#555555",
                    bbox={"facecolor": "white", "alpha": 0.8, "pad": 0.5, "linewidth": 0},
                    gid="gain",
                    zorder=4,
                )
        if not rows:
            ax.text(0.5, 0.5, "no changes to compare", ha="center", transform=ax.transAxes)
        ax.set_yticks(range(len(rows)), labels, fontsize=9)
        ax.set_ylim(len(rows) - 0.4, -0.6)
        finite = [unit.of(v) for v in numbers if math.isfinite(v)] + [0.0]
        left, right = min(finite), max(finite)
        pad = 0.08 * (right - left) if right > left else 1.0
        ax.set_xlim(left - pad, right + pad)
        ax.set_xlabel(f"change in {statistic} {unit.label(metric)}")
        if undefined and len(finite) == 1:
            ax.set_xticks([0.0])
        ax.set_title(
            f"{metric}: paired change of the {statistic}, {confidence:.0%} interval, "
            f"{_plural(len(sweep.seeds), 'replication')} with common random numbers",
            fontsize=10,
        )
        ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
        ax.set_axisbelow(True)
        handles: list[Any] = [
            Line2D([], [], color=PALETTE[0], marker="o", linewidth=2, markersize=6),
        ]
        names = [f"paired ({confidence:.0%} interval)"]
        if unpaired_drawn:
            handles.append(Line2D([], [], color=_LIGHT, linewidth=9, alpha=0.8))
            names.append("as if the runs were independent")
        if skipped:
            handles.append(Line2D([], [], linestyle=""))
            names.append(f"left out: {_plural(skipped, 'change')}\nof more than one parameter")
        _legend_outside(ax, handles, names)
        return _done(ax, own)


def _gain(est: float, lo: float, hi: float, ulo: float, uhi: float, unit: Unit) -> str:
    """What pairing changed for one row, in a few words."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return ""
    if hi - lo == 0.0:
        if est == 0.0:
            return "identical in every replication"
        return f"{unit.text(est)} in every replication"
    if math.isfinite(ulo) and math.isfinite(uhi) and uhi > ulo:
        ratio = (uhi - ulo) / (hi - lo)
        return f"interval {ratio:.1f}× narrower than unpaired" if ratio >= 1.05 else ""
    return ""


# -- files ------------------------------------------------------------------------------------


FORMATS = ("png", "svg", "pdf")


def save(fig: Figure | Axes, path: str | Path, *, dpi: float = 120) -> Path:
    """Write a chart to ``path`` as png, svg or pdf (from the suffix). The bytes depend only on
    what was drawn and the matplotlib version: no dates, no software stamp, a fixed svg salt,
    and a layout that has stopped moving (:func:`settle`; a Figure whose layout is still live
    is drawn until two drawings agree)."""
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"{out}: expected a .png, .svg or .pdf file")
    figure = _figure(fig) if isinstance(fig, Axes) else fig
    metadata: Mapping[str, str | None] = {
        "svg": {"Date": None},
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "ModDate": None},
    }[fmt]
    with _style():
        data = b""
        for _ in range(1 if _static(figure) else 12):
            buf = io.BytesIO()
            figure.savefig(buf, format=fmt, dpi=dpi, metadata=dict(metadata))
            if buf.getvalue() == data:
                break
            data = buf.getvalue()
    out.write_bytes(data)
    return out


def save_all(
    sweep: Sweep,
    folder: str | Path,
    *,
    statistic: str = "p95",
    confidence: float = 0.95,
    bounds: Mapping[str, float | str] | None = None,
) -> list[Path]:
    """Each metric's ``statistic`` against the (last) varied parameter, its CDF per point and
    the paired changes of its mean, as PNG files in ``folder`` named after the metric
    (``makespan.png``, ``makespan-ecdf.png``, ``makespan-paired.png``); ``bounds`` by metric."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for m in sweep.metrics:
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in m)
        bound = (bounds or {}).get(m)
        figures = [(f"{stem}-ecdf.png", ecdf_plot(sweep, m, bound=bound))]
        if sweep.parameters:
            last = sweep.parameters[-1]
            fig = metric_plot(
                sweep, m, parameter=last, statistic=statistic, confidence=confidence, bound=bound
            )
            figures.insert(0, (f"{stem}.png", fig))
        if len(sweep.points) > 1 and not sweep.paired(m).empty:
            fig = paired_plot(sweep, m, statistic="mean", confidence=confidence)
            figures.append((f"{stem}-paired.png", fig))
        paths.extend(save(fig, out / name) for name, fig in figures)
    return paths
