"""How each state looks: one colour and hatch per state, the Job colours, the shared drawing
helpers (bars drawn one ``barh`` call per state, legends, the visible time range)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from jobsim.stats import Lives
from jobsim.timescale import time_scale

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "COLOURS",
    "JOB_COLOURS",
    "LABELS",
    "MIN_WIDTH",
    "ORDER",
    "STYLES",
    "Bars",
    "bar_label",
    "job_colour",
    "legend",
    "new_axes",
    "thin_ticks",
    "time_axis",
    "view_end",
]

# Okabe-Ito, plus greys; every state differs from every other by colour and by lightness or
# hatch, so the pictures also read in greyscale.
COLOURS = {
    "succeeded": "#009E73",  # bluish green
    "failed": "#D55E00",  # vermillion
    "evicted": "#E69F00",  # orange
    "deleted": "#CC79A7",  # reddish purple
    "running": "#0072B2",  # blue
    "pending": "#F0F0F0",  # light grey
    "starting": "#56B4E9",  # sky blue
    "backoff": "#F0E442",  # yellow
    "crashloop": "#F7CDB4",  # light vermillion, striped with vermillion
    "node-down": "#7F7F7F",
    "condition": "#000000",
    "overlap": "#000000",
}
STYLES: dict[str, dict[str, Any]] = {
    "node-absent": {"facecolor": "#F4F4F4", "linewidth": 0},
    "suspended": {"facecolor": "#F0F0F0", "hatch": "|", "hatchcolor": "#C8C8C8", "linewidth": 0},
    "pending": {"facecolor": COLOURS["pending"], "edgecolor": "#8C8C8C", "linewidth": 0.5},
    "starting": {"facecolor": COLOURS["starting"], "edgecolor": "white", "linewidth": 0.4},
    "unreachable": {
        "facecolor": "#E6E6E6",
        "edgecolor": "#A0A0A0",
        "hatch": "//",
        "hatchcolor": "#A0A0A0",
        "linewidth": 0,
    },
    "backoff": {"facecolor": COLOURS["backoff"], "edgecolor": "#A89F00", "linewidth": 0.6},
    "crashloop": {
        "facecolor": COLOURS["crashloop"],
        "edgecolor": COLOURS["failed"],
        "hatch": "--",
        "hatchcolor": COLOURS["failed"],
        "linewidth": 0.6,
    },
    "node-down": {
        "facecolor": "#E6E6E6",
        "edgecolor": "#A0A0A0",
        "hatch": "//",
        "hatchcolor": "#A0A0A0",
        "linewidth": 0,
    },
    "run:succeeded": {"facecolor": COLOURS["succeeded"], "edgecolor": "white", "linewidth": 0.4},
    "run:failed": {
        "facecolor": COLOURS["failed"],
        "edgecolor": "white",
        "hatch": "xx",
        "hatchcolor": "#8A3C00",
        "linewidth": 0.4,
    },
    "run:evicted": {
        "facecolor": COLOURS["evicted"],
        "edgecolor": "white",
        "hatch": "\\\\\\",
        "hatchcolor": "white",
        "linewidth": 0.4,
    },
    "run:deleted": {
        "facecolor": COLOURS["deleted"],
        "edgecolor": "white",
        "hatch": "...",
        "hatchcolor": "white",
        "linewidth": 0.4,
    },
    "run:running": {
        "facecolor": COLOURS["running"],
        "edgecolor": "white",
        "hatch": "--",
        "hatchcolor": "#7FB8D8",
        "linewidth": 0.4,
    },
    "terminating": {
        "facecolor": "none",
        "edgecolor": "#333333",
        "hatch": "////",
        "hatchcolor": "#333333",
        "linewidth": 0,
    },
}
LABELS = {
    "run:succeeded": "run: succeeded",
    "run:failed": "run: failed (exit code)",
    "run:evicted": "run: evicted / disrupted",
    "run:deleted": "run: deleted",
    "run:running": "run: running at the end",
    "pending": "pending: not yet on a node",
    "starting": "image pull / container start",
    "unreachable": "bound to a node not reporting",
    "terminating": "terminating after deletion",
    "backoff": "pod-failure backoff (Job controller)",
    "crashloop": "CrashLoopBackOff (kubelet restart wait)",
    "suspended": "Job suspended",
    "node-down": "node down (not reporting)",
    "node-absent": "node not in the cluster",
    "pods": "pods on the node (count)",
}
ORDER = list(STYLES)
"""Drawing order, back to front; also the legend's order."""

JOB_COLOURS = [
    "#332288",  # Paul Tol's muted scheme: colour-blind safe, apart from the states' colours
    "#88CCEE",
    "#44AA99",
    "#999933",
    "#CC6677",
    "#882255",
    "#DDCC77",
    "#AA4499",
    "#117733",
]
MIN_WIDTH = 0.004
"""A run shorter than this fraction of the time axis is drawn this wide, to stay visible."""


def job_colour(i: int) -> str:
    """The colour of the ``i``-th Job (the palette repeats past nine Jobs)."""
    return JOB_COLOURS[i % len(JOB_COLOURS)]


def new_axes(lanes: int = 1, *, width: float = 11.0) -> Axes:
    """An Axes on a new Figure with an Agg canvas, tall enough for ``lanes`` lanes."""
    height = min(max(1.4 + 0.3 * lanes, 3.0), 18.0)
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


@dataclass
class Bars:
    """Rectangles to draw, per state, drawn with one ``barh`` call each (one legend entry).

    ``min_width`` (time units): runs shorter than it are drawn that wide, so that a 0-second
    run still shows."""

    min_width: float = 0.0
    rows: dict[str, list[tuple[float, float, float, float]]] = field(default_factory=dict)

    def add(self, gid: str, y: float, left: float, right: float, height: float) -> None:
        if gid.startswith("run:") and right - left < self.min_width:
            right = left + self.min_width
        if right > left:
            self.rows.setdefault(gid, []).append((y, left, right - left, height))

    def draw(self, ax: Axes) -> None:
        for gid in ORDER:
            rows = self.rows.get(gid)
            if not rows:
                continue
            kwargs = dict(STYLES[gid])
            ax.barh(
                [r[0] for r in rows],
                [r[2] for r in rows],
                left=[r[1] for r in rows],
                height=[r[3] for r in rows],
                label=LABELS.get(gid, gid),
                gid=gid,
                zorder=1.5 if gid == "suspended" else 2,
                **kwargs,
            )


def legend(
    ax: Axes, jobs: list[tuple[str, str]] | None = None, title: str = "lane colour: Job"
) -> None:
    """The states' legend right of the plot and, below it under ``title``, the Jobs'
    colours if given."""
    handles, labels = ax.get_legend_handles_labels()
    # the states first, in drawing order, then the marks as drawn
    rank = {LABELS[g]: i for i, g in enumerate(ORDER) if g in LABELS}
    pairs = sorted(zip(handles, labels, strict=True), key=lambda hl: rank.get(hl[1], len(rank)))
    handles, labels = [h for h, _ in pairs], [label for _, label in pairs]
    if jobs:
        handles.append(Patch(visible=False))
        labels.append(title)
        for name, colour in jobs[:12]:
            handles.append(Patch(facecolor=colour, edgecolor="none"))
            labels.append(name)
        if len(jobs) > 12:
            handles.append(Patch(visible=False))
            labels.append(f"... {len(jobs) - 12} more (colours repeat)")
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            frameon=False,
        )


def view_end(lv: Lives, extra: list[float], *, open_jobs: bool) -> float:
    """Where the time axis ends: the end of the run if a Job (``open_jobs``) or a pod is still
    active then, else the last thing that happened to a pod or a Job (``extra``: Job events
    such as a TTL deletion), so that a long horizon does not squeeze the story to the left."""
    if open_jobs:
        return max(lv.end, 1e-9)
    last = max([0.0, *lv.finished.values(), *extra])
    for p in lv.pods.values():
        if p.terminal is None and p.removed is None:
            return max(lv.end, 1e-9)
        times = [p.created, p.scheduled, p.deleted, p.terminal, p.removed]
        last = max(last, *(t for t in times if t is not None))
        for r in p.runs:
            last = max(last, lv.run_end(r))
    if last <= 0:  # nothing happened after time 0: the whole run
        return max(lv.end, 1e-9)
    return min(last, lv.end)


def time_axis(ax: Axes, span: float) -> None:
    """Label the x axis (seconds of virtual time) in the unit :func:`jobsim.timescale.time_scale`
    chooses for ``span``, with ticks at whole units; seconds as matplotlib places them for a
    short span."""
    scale = time_scale(span)
    ax.set_xlabel(scale.label)
    if scale.step:
        ax.xaxis.set_major_locator(MultipleLocator(scale.step))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _pos: scale.tick(t)))


def thin_ticks(ax: Axes, labels: list[str], fontsize: float) -> None:
    """At most 50 lane labels."""
    n = len(labels)
    step = max(1, -(-n // 50))
    ticks = list(range(0, n, step))
    ax.set_yticks(ticks, [labels[i] for i in ticks], fontsize=fontsize)


_LABEL_BOX = {"facecolor": "white", "alpha": 0.85, "pad": 0.8, "linewidth": 0}


def bar_label(
    ax: Axes, lo: float, hi: float, y: float, text: str, gid: str, *, boxed: bool = False
) -> None:
    """A 7-point label centred on the bar from ``lo`` to ``hi`` in lane ``y`` (on a white box
    where it sits on a hatched bar)."""
    ax.text(
        (lo + hi) / 2,
        y,
        text,
        ha="center",
        va="center",
        fontsize=7,
        bbox=_LABEL_BOX if boxed else None,
        gid=gid,
        clip_on=True,
    )
