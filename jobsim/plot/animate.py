"""An animated timeline for slides: the picture ``save`` draws, revealed left to right behind a
moving "now" line, the bars growing as virtual time passes. GIF with Pillow (a matplotlib
dependency); MP4 with the ffmpeg binary of ``imageio-ffmpeg`` (``pip install
'jobsim[animate]'``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import rc_context
from matplotlib.animation import AbstractMovieWriter, FFMpegWriter, PillowWriter
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox, TransformedBbox

from jobsim.plot.figures import RC, By, figure
from jobsim.plot.timeline import DEFAULT_MAX_LANES
from jobsim.results import Result
from jobsim.timescale import fmt_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ANIMATION_SUFFIXES", "MAX_FRAMES", "animate"]

ANIMATION_SUFFIXES = (".gif", ".mp4")
MAX_FRAMES = 120
_FIXED = {"job-strip", "job-band"}
"""Artists shown from the first frame (they say which Job a lane is, not what happened)."""


@dataclass
class _Axes:
    """One Axes' artists, as each frame shows them."""

    ax: Axes
    bars: list[tuple[Rectangle, float, float]] = field(default_factory=list)
    at: list[tuple[Artist, float]] = field(default_factory=list)
    clipped: list[Artist] = field(default_factory=list)
    now: Line2D | None = None

    @classmethod
    def read(cls, ax: Axes) -> _Axes:
        a = cls(ax)
        data = ax.transData
        for p in ax.patches:
            if p.get_gid() in _FIXED or not isinstance(p, Rectangle):
                continue
            a.bars.append((p, p.get_x(), p.get_width()))
        for t in ax.texts:
            if isinstance(t, Annotation):
                a.at.append((t, float(t.xy[0])))
            elif t.get_transform() == data:
                a.at.append((t, float(t.get_position()[0])))
        for line in ax.get_lines():
            if line.get_clip_on():
                a.clipped.append(line)
            else:
                a.at.append((line, float(np.min(np.asarray(line.get_xdata(), dtype=float)))))
        a.clipped.extend(c for c in ax.collections)
        a.now = ax.axvline(0.0, color="#D55E00", linewidth=1.6, zorder=5, gid="now")
        return a

    def show(self, t: float) -> None:
        for p, x, w in self.bars:
            p.set_visible(x < t)
            p.set_width(min(w, max(t - x, 0.0)))
        for artist, x in self.at:
            artist.set_visible(x <= t)
        x0 = self.ax.get_xlim()[0]
        y0, y1 = self.ax.get_ylim()
        box = TransformedBbox(Bbox([[x0, min(y0, y1)], [t, max(y0, y1)]]), self.ax.transData)
        for artist in self.clipped:
            artist.set_clip_box(box)
        if self.now is not None:
            self.now.set_xdata([t, t])


def _writer(suffix: str, fps: int) -> AbstractMovieWriter:
    if suffix == ".gif":
        return PillowWriter(fps=fps)
    return FFMpegWriter(fps=fps, codec="h264", extra_args=["-pix_fmt", "yuv420p"])


def animate(
    result: Result,
    path: str | Path,
    *,
    by: By = "job",
    frames: int = 90,
    fps: int = 12,
    dpi: int = 100,
    max_lanes: int = DEFAULT_MAX_LANES,
) -> Path:
    """Write the picture ``save`` draws (``by`` job, node or summary) as an animation, GIF or
    MP4 from the suffix: ``frames`` frames (at most 120) at ``fps`` frames a second, the last
    second holding the whole picture."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in ANIMATION_SUFFIXES:
        raise ValueError(f"{out}: an animation must end in .gif or .mp4")
    if not 2 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames: expected 2 to {MAX_FRAMES}, not {frames}")
    rc: dict[Any, Any] = dict(RC)
    if suffix == ".mp4":
        try:
            import imageio_ffmpeg
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                "an MP4 animation needs ffmpeg: pip install 'jobsim[animate]' "
                "(imageio-ffmpeg), or write a .gif"
            ) from None
        rc["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    with rc_context(rc):
        fig = figure(result, by, max_lanes=max_lanes)
        fig.set_dpi(dpi)
        fig.canvas.draw()  # lay the whole picture out once, then keep that layout
        fig.set_layout_engine("none")
        end = _end(fig)
        hold = min(fps, frames // 4)
        moving = frames - hold
        times = [end * i / (moving - 1) for i in range(moving)] + [end] * hold
        shown = [_Axes.read(ax) for ax in fig.axes]
        label = fig.text(0.005, 0.995, "", ha="left", va="top", fontsize=9, gid="now-label")

        writer = _writer(suffix, fps)
        # one draw a frame (FuncAnimation would draw each frame twice)
        with writer.saving(fig, str(out), dpi):
            for t in times:
                for a in shown:
                    a.show(t)
                label.set_text(f"t = {fmt_time(round(t, 1 if end < 100 else 0), end)}")
                writer.grab_frame()
    return out


def _end(fig: Figure) -> float:
    """The time the picture's axis shows last (its right limit, less the 2 % margin)."""
    return max(ax.get_xlim()[1] for ax in fig.axes) / 1.02
