"""The whole Figure of each picture ``save`` and ``animate`` write."""

from __future__ import annotations

from typing import Any, Literal

from matplotlib.figure import Figure

from jobsim.plot.charts import summary
from jobsim.plot.timeline import DEFAULT_MAX_LANES, timeline_by_job, timeline_by_node
from jobsim.results import Result

__all__ = [
    "RC",
    "By",
    "figure",
]

By = Literal["job", "node", "summary"]
RC: dict[Any, Any] = {"svg.hashsalt": "jobsim", "font.family": "DejaVu Sans"}
"""The settings every saved picture is drawn with (deterministic SVG ids, one font)."""


def figure(result: Result, by: By = "job", *, max_lanes: int = DEFAULT_MAX_LANES) -> Figure:
    """A timeline (``by`` job or node) or the summary charts, on a new Figure."""
    if by == "summary":
        return summary(result)
    if by == "node":
        fig = timeline_by_node(result).get_figure()
    elif by == "job":
        fig = timeline_by_job(result, max_lanes=max_lanes).get_figure()
    else:
        raise ValueError(f"unknown picture {by!r}: expected job, node or summary")
    assert isinstance(fig, Figure)
    return fig
