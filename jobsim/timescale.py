"""How pictures show virtual time: the unit of a time axis chosen from the span it shows
(seconds, minutes, hours, days), its ticks at whole units, and times written for a reader of
that span (days past 24 hours, no fractions of a second over long spans).

For pictures only (matplotlib and the HTML report's plotly figures); text output (the CLI,
``narrate``, ``explain``) keeps Go's duration format, :func:`jobsim.record.fmt_seconds`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from jobsim.units import format_duration

__all__ = [
    "COARSE",
    "TimeScale",
    "fmt_time",
    "time_scale",
]

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
COARSE = HOUR
"""From this span on, times are written to the whole second."""
_MAX_TICKS = 10


@dataclass(frozen=True, slots=True)
class TimeScale:
    """A time axis: ``unit`` (``s``, ``min``, ``h``, ``days``) of ``seconds`` each, ticks every
    ``step`` seconds (0: let the plotting library choose, as for short spans)."""

    unit: str
    seconds: float
    step: float

    @property
    def label(self) -> str:
        """The axis label, naming the unit."""
        return f"virtual time ({self.unit})"

    def tick(self, t: float) -> str:
        """A tick's label at ``t`` seconds: the number of units (``48`` on an axis in h)."""
        return f"{t / self.seconds:.10g}"

    def ticks(self, end: float) -> list[float]:
        """The ticks (seconds) from 0 to ``end`` (empty when ``step`` is 0)."""
        if self.step <= 0 or end < 0:
            return []
        return [k * self.step for k in range(math.floor(end / self.step + 1e-9) + 1)]


_STEPS: list[tuple[str, float, tuple[int, ...]]] = [
    ("min", MINUTE, (1, 2, 5, 10, 15, 20, 30)),
    ("h", HOUR, (1, 2, 3, 4, 6, 12)),
    ("days", DAY, (1, 2, 7, 14, 28)),
]


def time_scale(span: float) -> TimeScale:
    """The time axis for ``span`` seconds: seconds (the plotting library's own ticks) under
    10 minutes; minutes under 3 hours; hours under 3 days; else days; ticks at whole units,
    at most 10 (1, 2, 5, 10, 15, 20 or 30 minutes; 1, 2, 3, 4, 6 or 12 hours; 1, 2, 7, 14 or
    28 days, then multiples of 28)."""
    if not span < 10 * MINUTE:  # NaN, infinite, or long
        if span < 3 * HOUR:
            unit, seconds, steps = _STEPS[0]
        elif span < 3 * DAY:
            unit, seconds, steps = _STEPS[1]
        else:
            unit, seconds, steps = _STEPS[2]
        if not math.isfinite(span):
            return TimeScale(unit, seconds, steps[-1] * seconds)
        for n in steps:
            if span / (n * seconds) <= _MAX_TICKS:
                return TimeScale(unit, seconds, n * seconds)
        n = steps[-1] * math.ceil(span / (steps[-1] * seconds * _MAX_TICKS))
        return TimeScale(unit, seconds, n * seconds)
    return TimeScale("s", 1.0, 0.0)


def fmt_time(x: float, span: float = 0.0) -> str:
    """A time or duration for a picture of ``span`` seconds: as Go writes a duration under a
    day (``20s``, ``1.5s``, ``51m27.38s``), with days past 24 hours (``6d1h24m57s``); to the
    whole second when ``span`` is an hour or more, else to the millisecond."""
    x = round(x) if span >= COARSE else round(x, 3)
    if abs(x) < DAY:
        return format_duration(x)
    sign = "-" if x < 0 else ""
    days, rest = divmod(abs(x), DAY)
    hours, rest = divmod(rest, HOUR)
    minutes, secs = divmod(rest, MINUTE)
    s = f"{round(secs, 3):.3f}".rstrip("0").rstrip(".")
    return f"{sign}{int(days)}d{int(hours)}h{int(minutes)}m{s}s"
