"""Two runs side by side: ``jobsim compare``, what one change of a Job's policy does.

Side A and side B are each a scenario file or bare Job manifests, with settings ``PATH=VALUE``
(the paths of ``jobsim sweep --vary``, :mod:`jobsim.experiment.paths`, e.g.
``jobs[flaky].manifest.spec.backoffLimit``; the value is read as YAML: ``6``, ``Failed``,
``10s``, ``null`` to remove a field). Both sides run with the same seed, so the random draws
the change does not touch are the same on both sides (common random numbers, as in a sweep)
and what differs is the change's doing.

Per Job, matched by ``namespace/name``, the comparison reads from each run
(:class:`JobSide`, definitions from :mod:`jobsim.stats`):

- **outcome** and **reason**: the Job's ``Complete`` or ``Failed`` condition and its reason
  (``Running`` and no reason when it has neither at the end of the run);
- **finished**: the time of that condition (``finishedAt``), ``None`` without one;
- **pods created** by the Job controller; **container runs**: every start of a container,
  restarts under ``restartPolicy: OnFailure`` included; **failed pods**: ``status.failed``;
- **wasted pod-seconds**: the summed length of the runs that did not count towards
  completion: every run that exited, except the last run of a pod the controller counted as
  succeeded when that run exited 0 — failed, evicted and deleted runs, and earlier runs of a
  restarted pod (``wastedPodSeconds``; runs never seen to exit count in neither);
- **overlapping runs**: replacements started while the run they redo still ran (a pod
  replaced while its predecessor terminates).

``difference`` is B minus A for the numbers and times; the outcome and reason are either the
same or changed.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.experiment.paths import PathError, check_path, get_path, set_path
from jobsim.locate import YAMLProblem, read_yaml
from jobsim.record import fmt_seconds
from jobsim.results import Result
from jobsim.run import simulate
from jobsim.scenario import BareOptions, Scenario, ScenarioError, load_input

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MEASURES",
    "Comparison",
    "JobComparison",
    "JobSide",
    "Setting",
    "SettingError",
    "Side",
    "compare",
    "draw_comparison",
    "figure",
    "load_side",
    "parse_settings",
]

MEASURES = {
    "outcome": "outcome",
    "reason": "reason",
    "finished": "finished at",
    "podsCreated": "pods created",
    "containerRuns": "container runs",
    "failedPods": "failed pods",
    "wastedPodSeconds": "wasted pod-seconds",
    "overlappingRuns": "overlapping runs",
}
"""Each measure of a Job (a ``JobSide`` field) and its name in the table, in order."""


@dataclass(frozen=True)
class Setting:
    """``PATH=VALUE``: a change of one side's scenario data."""

    path: str
    value: Any

    def __str__(self) -> str:
        return f"{self.path}={_show(self.value)}"


def _show(value: Any) -> str:
    """A setting's value as written on the command line (YAML): ``6``, ``null``, ``{…}``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        text = json.dumps(value, separators=(", ", ": "))
        return text if len(text) <= 30 else ("{…}" if isinstance(value, dict) else "[…]")
    return str(value)


def parse_settings(specs: Sequence[str], where: str) -> tuple[Setting, ...]:
    """``PATH=VALUE`` options as settings; the value is YAML (``null``, ``6``, ``Failed``,
    ``{rules: []}``). ``where`` (the option, ``--set-b``) starts every error message."""
    out: list[Setting] = []
    for spec in specs:
        path, sep, text = spec.partition("=")
        path = path.strip()
        if not sep or not path:
            raise PathError(f"{where} {spec!r}: expected PATH=VALUE, e.g. {_EXAMPLE}")
        if not text.strip():
            raise PathError(f"{where} {spec}: no value (write null to remove the field)")
        try:
            check_path(path)
            value = read_yaml(text)[0]
        except PathError as e:
            raise PathError(f"{where}: {e}") from None
        except YAMLProblem as e:
            raise PathError(f"{where} {spec}: the value is not YAML: {e.message}") from None
        out.append(Setting(path, value))
    return tuple(out)


_EXAMPLE = "jobs[0].manifest.spec.backoffLimit=6"


class SettingError(ScenarioError):
    """A scenario that a side's settings made invalid: its problems, after the option."""

    def __init__(self, where: str, error: ScenarioError) -> None:
        self.where = where
        super().__init__(error.source, error.problems)

    @property
    def lines(self) -> list[str]:
        """Each problem with the option and the file: ``--set-b: FILE:LINE:COL: …``."""
        return [f"{self.where}: {line}" for line in super().lines]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a scenario (``source``, ``-`` for standard input) with its
    ``settings``; ``data`` is its data before them (bare manifests: the scenario built around
    them). ``label`` says what differs (see :func:`compare`)."""

    name: str
    source: str
    settings: tuple[Setting, ...]
    scenario: Scenario
    data: dict[str, Any] = field(repr=False)
    label: str = ""

    def describe(self) -> str:
        """``A: FILE``, ``B: FILE with PATH=VALUE, …``."""
        source = "<stdin>" if self.source == "-" else self.source
        changes = ", ".join(map(str, self.settings))
        return f"{self.name}: {source}" + (f" with {changes}" if changes else "")


def load_side(
    name: str,
    source: str | Path,
    settings: Sequence[Setting] = (),
    *,
    text: str | None = None,
    options: BareOptions | None = None,
    where: str = "--set",
) -> Side:
    """Side ``name`` (A or B): ``source`` loaded (``text``: its content, e.g. standard input),
    then again with ``settings`` applied. Problems of the file raise its located
    ``ScenarioError``; a setting that does not fit raises ``PathError`` or ``SettingError``,
    after ``where``."""
    seen: list[dict[str, Any]] = []

    def keep(data: dict[str, Any]) -> dict[str, Any]:
        seen.append(copy.deepcopy(data))
        return data

    scenario = load_input(source, text=text, options=options, edit=keep)
    if settings:

        def change(data: dict[str, Any]) -> dict[str, Any]:
            out = copy.deepcopy(data)
            for s in settings:
                set_path(out, s.path, s.value)
            return out

        try:
            scenario = load_input(source, text=text, options=options, edit=change)
        except PathError as e:
            raise PathError(f"{where}: {e}") from None
        except ScenarioError as e:
            raise SettingError(where, e) from None
    return Side(name, str(source), tuple(settings), scenario, seen[0] if seen else {})


@dataclass(frozen=True)
class JobSide:
    """One Job's measures in one run (defined in the module docstring)."""

    outcome: str
    reason: str
    finished: float | None
    podsCreated: int
    containerRuns: int
    failedPods: int
    wastedPodSeconds: float
    overlappingRuns: int

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the fields by name."""
        return {k: getattr(self, k) for k in MEASURES}


def _job_sides(result: Result) -> dict[str, JobSide]:
    out = {}
    for j in result.stats.jobs:
        status = result.recorder.jobs[j.job].status
        out[j.job] = JobSide(
            outcome=j.outcome,
            reason=j.reason,
            finished=j.finishedAt,
            podsCreated=j.podsCreated,
            containerRuns=j.attempts,
            failedPods=int(status.get("failed", 0)),
            wastedPodSeconds=j.wastedPodSeconds,
            overlappingRuns=len(j.overlappingExecutions),
        )
    return out


@dataclass(frozen=True)
class JobComparison:
    """One Job (``namespace/name``) on both sides; ``None`` on a side that has no such Job."""

    job: str
    a: JobSide | None
    b: JobSide | None

    def difference(self, measure: str) -> float | bool | None:
        """B minus A for a number or time (``None`` when a side lacks it); for the outcome
        and reason, whether they changed."""
        if self.a is None or self.b is None:
            return None
        x, y = getattr(self.a, measure), getattr(self.b, measure)
        if isinstance(x, str):
            return bool(x != y)
        if x is None or y is None:
            return None
        return float(y - x) if isinstance(x, float) or isinstance(y, float) else int(y - x)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the Job, each side's measures and the differences."""
        return {
            "job": self.job,
            "a": None if self.a is None else self.a.to_dict(),
            "b": None if self.b is None else self.b.to_dict(),
            "difference": {k: self.difference(k) for k in MEASURES},
        }


@dataclass(frozen=True)
class Comparison:
    """Both sides, their runs (same seed) and each Job compared."""

    a: Side
    b: Side
    seed: int
    results: tuple[Result, Result]
    jobs: list[JobComparison]

    def to_dict(self) -> dict[str, Any]:
        """What ``jobsim compare --json`` prints."""
        return {
            "seed": self.seed,
            "sides": {
                s.name: {
                    "source": s.source,
                    "label": s.label,
                    "settings": {x.path: x.value for x in s.settings},
                    "scenario": r.scenario,
                }
                for s, r in zip((self.a, self.b), self.results, strict=True)
            },
            "jobs": [j.to_dict() for j in self.jobs],
        }


def _short(path: str, paths: Sequence[str]) -> str:
    last = path.rsplit(".", 1)[-1]
    clash = sum(1 for p in paths if p.rsplit(".", 1)[-1] == last) > 1
    return path if clash else last


def _label(side: Side, paths: Sequence[str], files_differ: bool) -> str:
    """What sets ``side`` apart: its file when the files differ, then each of ``paths`` (set
    on either side) with this side's value: its setting, else as written in its data, else
    ``unset`` (the default)."""
    parts = [Path(side.source).name] if files_differ else []
    for path in paths:
        mine = [s.value for s in side.settings if s.path == path]
        if mine:
            value = _show(mine[-1])
        else:
            try:
                found = get_path(side.data, path)
            except PathError:
                found = []
            value = ", ".join(_show(v) for v in found) if found else ""
        short = _short(path, paths)
        parts.append(f"{short}={value}" if value else f"{short} unset")
    return ", ".join(parts) or Path(side.source).name


def compare(a: Side, b: Side, *, seed: int | None = None) -> Comparison:
    """Run both sides with one seed (``seed``, else A's scenario's) and compare each Job."""
    seed = a.scenario.seed if seed is None else seed
    paths = list(dict.fromkeys(s.path for s in (*a.settings, *b.settings)))
    differ = a.source != b.source
    a, b = replace(a, label=_label(a, paths, differ)), replace(b, label=_label(b, paths, differ))
    ra, rb = simulate(a.scenario, seed), simulate(b.scenario, seed)
    sa, sb = _job_sides(ra), _job_sides(rb)
    keys = list(dict.fromkeys([*sa, *sb]))
    jobs = [JobComparison(k, sa.get(k), sb.get(k)) for k in keys]
    return Comparison(a, b, seed, (ra, rb), jobs)


def _outcomes(c: Comparison, side: int) -> str:
    """``flaky Failed (BackoffLimitExceeded) at 45s`` for each Job, up to three; past three
    (a week of a CronJob's Jobs), how many Jobs ended how: ``13 Jobs: 12 Complete, 1 Failed``."""
    if len(c.jobs) > 3:
        ended = Counter(s.outcome for j in c.jobs if (s := j.a if side == 0 else j.b) is not None)
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(ended.items()))
        return f"{sum(ended.values())} Jobs: {counts}"
    parts = []
    for j in c.jobs[:3]:
        s = j.a if side == 0 else j.b
        if s is None:
            continue
        name = j.job.split("/", 1)[-1]
        reason = f" ({s.reason})" if s.reason else ""
        when = "" if s.finished is None else f" at {fmt_seconds(s.finished)}"
        parts.append(f"{name} {s.outcome}{reason}{when}")
    return "; ".join(parts) + (" …" if len(c.jobs) > 3 else "")


_SPAN_LABELS = {"exit-code": 0.05, "backoff-label": 0.05, "crashloop-label": 0.05}
"""Labels that ``timeline_by_job`` writes on a bar at least this share of its axis wide (the
CrashLoopBackOff label in full from three times that)."""


def _drop_crowded_labels(ax: Axes, xmax: float) -> None:
    """Remove the bar labels that no longer fit once the axis spans ``xmax`` (the other
    side's longer run), by the rule ``timeline_by_job`` applies to its own span."""
    from matplotlib.patches import Rectangle

    bars = [
        (p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2, p.get_width())
        for p in ax.patches
        if isinstance(p, Rectangle)
    ]
    for text in list(ax.texts):
        share = _SPAN_LABELS.get(str(text.get_gid()))
        if share is None:
            continue
        x, y = text.get_position()
        widths = [w for cx, cy, w in bars if abs(cx - x) < 1e-9 * xmax and abs(cy - y) < 0.5]
        if widths and max(widths) < share * xmax:
            text.remove()
        elif widths and max(widths) < 3 * share * xmax and text.get_text().count(" ") == 1:
            text.set_text(text.get_text().split()[-1])  # "CrashLoopBackOff 10s" -> "10s"


def figure(c: Comparison, *, max_lanes: int = 60) -> Figure:
    """Both runs' timelines by Job (:func:`jobsim.plot.timeline_by_job`), A above B, on one
    shared time axis, each titled with its side and its Jobs' outcomes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from jobsim.plot import timeline_by_job
    from jobsim.plot.style import time_axis

    fig = Figure(figsize=(11, 6), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True)
    lanes, spans = [], []
    for i, (ax, side, result) in enumerate(zip((top, bottom), (c.a, c.b), c.results, strict=True)):
        timeline_by_job(result, ax, max_lanes=max_lanes)
        ax.title.set_text(f"{side.name}: {side.label} — {_outcomes(c, i)}")
        ax.title.set_fontsize(10)
        lanes.append(max(1.0, ax.get_ylim()[0] + 0.5))
        spans.append(ax.get_xlim()[1])  # read now: the axes share their limits
    xmax = max(spans)
    for ax in (top, bottom):
        _drop_crowded_labels(ax, xmax / 1.02)
    top.set_xlim(0, xmax)
    time_axis(bottom, xmax / 1.02)  # the unit of the longer run's span (the axes share ticks)
    top.set_xlabel("")
    top.get_gridspec().set_height_ratios([n + 2.5 for n in lanes])
    fig.set_size_inches(11, min(3.0 + 0.3 * sum(lanes) + 1.6, 20.0))
    fig.suptitle(f"{c.results[0].scenario}: A vs B, seed {c.seed} on both", fontsize=11)
    return fig


def draw_comparison(c: Comparison, path: str | Path, *, max_lanes: int = 60) -> Path:
    """Save :func:`figure` to ``path`` (png, svg or pdf, from the suffix); the bytes depend
    only on the runs and the matplotlib version."""
    from matplotlib import rc_context

    out = Path(path)
    fmt = out.suffix.lstrip(".").lower() or "png"
    blank: dict[str, dict[str, str | None]] = {
        "svg": {"Date": None},
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "ModDate": None},
    }
    metadata = blank.get(fmt, {})
    with rc_context({"svg.hashsalt": "jobsim", "font.family": "DejaVu Sans"}):
        fig = figure(c, max_lanes=max_lanes)
        fig.savefig(out, format=fmt, dpi=120, metadata=metadata)
    return out
