"""What happened at an instant, read from the record and drawn over the bars: scale, suspend,
resume and deletion (TTL or kubectl delete job) of a Job, node events; and labels above the
plot that do not overlap."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobsim.record import CRONJOB_DELETE, Kind, Recorder
from jobsim.timescale import fmt_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MARKERS",
    "MARK_LABELS",
    "MARK_STYLES",
    "Mark",
    "Tag",
    "marks",
    "merge_reasons",
    "spec_changes",
    "suspended",
    "tag_labels",
]


@dataclass(frozen=True, slots=True)
class Mark:
    """An event at ``t``: ``kind`` scale, suspend, resume, ttl, delete (of the Job
    ``subject``) or node (of the node ``subject``), with a short text."""

    t: float
    kind: str
    subject: str
    text: str


MARK_STYLES: dict[str, dict[str, object]] = {
    "scale": {"colors": "#0072B2", "linestyles": (0, (5, 2, 1, 2)), "linewidth": 1.5},
    "suspend": {"colors": "#555555", "linestyles": "solid", "linewidth": 1.5},
    "resume": {"colors": "#555555", "linestyles": (0, (1, 1)), "linewidth": 1.8},
    "ttl": {"colors": "#000000", "linestyles": "solid", "linewidth": 2.5},
    "cronjob": {"colors": "#000000", "linestyles": (0, (3, 1)), "linewidth": 2.0},
    "delete": {"colors": "#000000", "linestyles": (0, (4, 2)), "linewidth": 2.0},
    "node": {"colors": "#7F7F7F", "linestyles": (0, (1, 2)), "linewidth": 1.2},
}
MARK_LABELS = {
    "scale": "scale (spec.parallelism/completions)",
    "suspend": "suspend",
    "resume": "resume",
    "ttl": "TTL-after-finished deletion",
    "cronjob": "deleted by its CronJob (history limit, Replace)",
    "delete": "kubectl delete job",
    "node": "node event",
}
MARKERS = {
    "scale": "^",
    "suspend": "s",
    "resume": "s",
    "ttl": "X",
    "cronjob": "X",
    "delete": "X",
    "node": "o",
}
_NODE_TEXT = {
    Kind.NODE_DOWN: "down",
    Kind.NODE_UP: "up",
    Kind.NODE_REMOVED: "removed",
    Kind.NODE_ADDED: "added",
}


def marks(rec: Recorder) -> list[Mark]:
    """The record's scale, suspend, resume, deletion (TTL, kubectl) and node events, in order:
    node down, up, removed, added (after time 0), cordoned (drained), uncordoned, and tainted
    out-of-service; a node's own unreachable taint follows its going down and is left out."""
    out = []
    kinds = (
        Kind.JOB_SPEC_CHANGED,
        Kind.JOB_DELETED,
        Kind.JOB_DELETING,
        *_NODE_TEXT,
        Kind.NODE_CORDONED,
        Kind.NODE_TAINTED,
    )
    for _i, t, kind, subject, ref, a, _b, text in rec.select(*kinds):
        if kind is Kind.JOB_SPEC_CHANGED:
            parts = text.split(", ")
            if "suspend False -> True" in parts:
                out.append(Mark(t, "suspend", subject, "suspended"))
            elif "suspend True -> False" in parts:
                out.append(Mark(t, "resume", subject, "resumed"))
            elif text != "no change":
                out.append(Mark(t, "scale", subject, "scaled: " + text.replace(" -> ", "→")))
        elif kind is Kind.JOB_DELETED:
            job = rec.jobs.get(subject)
            if job is not None and job.cronJob is not None and text.startswith(CRONJOB_DELETE):
                out.append(Mark(t, "cronjob", subject, "CronJob: Job deleted"))
            elif text:
                out.append(Mark(t, "delete", subject, f"Job deleted ({text})"))
            else:
                out.append(Mark(t, "ttl", subject, "TTL: Job deleted"))
        elif kind is Kind.JOB_DELETING:
            out.append(Mark(t, "delete", subject, f"Job deleting ({text})"))
        elif kind is Kind.NODE_CORDONED:
            out.append(Mark(t, "node", subject, f"{subject} {'cordoned' if a else 'uncordoned'}"))
        elif kind is Kind.NODE_TAINTED:
            if "out-of-service" in ref:
                out.append(Mark(t, "node", subject, f"{subject} out-of-service"))
        elif kind is not Kind.NODE_ADDED or t > 0:
            out.append(Mark(t, "node", subject, f"{subject} {_NODE_TEXT[kind]}"))
    return out


@dataclass(frozen=True, slots=True)
class Tag:
    """A label above the plot at ``t``, with a small marker in ``colour``; an empty ``text``
    draws the marker alone."""

    t: float
    text: str
    gid: str
    colour: str = "#000000"
    marker: str = "v"


def tag_labels(ax: Axes, tags: list[Tag], xspan: float) -> int:
    """Write labels above the plot, at their time, on as many rows as needed so that they do
    not overlap (widths estimated from the font size). Each label starts with its time, so a
    label that ends at its line (near the right edge) is not read as another line's.
    Returns the number of rows."""
    width_in = ax.bbox.width / ax.figure.dpi
    per_point = xspan / max(width_in * 0.85 * 72, 1.0)
    rows: list[float] = []
    for tag in sorted(tags, key=lambda g: (g.t, g.text)):
        t, text = tag.t, f"{fmt_time(tag.t, xspan)} {tag.text}"
        if not tag.text:  # a symbol only
            _tag_tick(ax, tag)
            continue
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
            color="#000000" if tag.colour == "#7F7F7F" else tag.colour,
            annotation_clip=False,
            gid=tag.gid,
        )
        _tag_tick(ax, tag)
    return len(rows)


def _tag_tick(ax: Axes, tag: Tag) -> None:
    """The tag's symbol on the top edge of the plot."""
    ax.plot(
        [tag.t, tag.t],
        [1.0, 1.0],
        transform=ax.get_xaxis_transform(),
        marker=tag.marker,
        markersize=4,
        color=tag.colour,
        clip_on=False,
        gid=tag.gid.replace("label", "tick"),
    )


def merge_reasons(texts: Iterable[str]) -> str:
    """``FailureTarget: R`` and ``Failed: R`` -> ``FailureTarget, Failed: R``."""
    by_reason: dict[str, list[str]] = {}
    for t in texts:
        name, reason = t.split(": ", 1)
        by_reason.setdefault(reason, []).append(name)
    return "; ".join(f"{', '.join(names)}: {reason}" for reason, names in by_reason.items())


def spec_changes(rec: Recorder) -> dict[str, list[tuple[float, int, bool]]]:
    """Each Job's ``(t, spec.parallelism, spec.suspend)`` at submission and at every update."""
    out: dict[str, list[tuple[float, int, bool]]] = {}
    for i, t, _kind, job, *_rest in rec.select(Kind.JOB_SUBMITTED, Kind.JOB_SPEC_CHANGED):
        n = rec.numbers.get(i, {})
        parallelism = n.get("parallelism")
        out.setdefault(job, []).append(
            (t, 1 if parallelism is None else int(parallelism), bool(n.get("suspend")))
        )
    return out


def suspended(changes: list[tuple[float, int, bool]], end: float) -> list[tuple[float, float]]:
    """The intervals a Job's spec said ``suspend: true`` (the last one until ``end``)."""
    out: list[tuple[float, float]] = []
    since: float | None = None
    for t, _parallelism, suspend in changes:
        if suspend and since is None:
            since = t
        elif not suspend and since is not None:
            out.append((since, t))
            since = None
    if since is not None and end > since:
        out.append((since, end))
    return out
