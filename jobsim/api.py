"""The Python API: load a scenario, run it, look at the result; sweep and search; compare two;
import a cluster's dump.

Everything a notebook, a test or the command line needs, and nothing else: ``cli.py`` imports
only this module. Each name is imported on first use, so a command loads only what it needs;
``draw`` imports matplotlib when it is called, not before, and
``report_html``/``write_report`` plotly. ``queries`` is the module of questions a test asks of
a Result (``queries.max_active(result, "job")``), and ``ContainerRun`` the row ``Result.runs``
gives.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jobsim.version import __version__

if TYPE_CHECKING:  # the names below are imported on first use (``_HOME``), for mypy here
    from jobsim import queries
    from jobsim.compare import (
        MEASURES,
        Comparison,
        JobComparison,
        JobSide,
        Setting,
        SettingError,
        Side,
        compare,
        load_side,
        parse_settings,
    )
    from jobsim.elide import ELIDE_ABOVE, elide, more_jobs
    from jobsim.experiment import (
        METRICS,
        QUANTILES,
        MetricError,
        PathError,
        SearchResult,
        Sweep,
        SweepError,
        parse_values,
        parse_vary,
        search,
        sweep,
    )
    from jobsim.experiment.progress import ProgressBar
    from jobsim.experiment.search import parse_bound
    from jobsim.experiment.sweep import quantile_name
    from jobsim.importer import DumpError, GroupFit, Imported, import_dumps
    from jobsim.invariants import InvariantViolation
    from jobsim.k8s.conditions import job_finished_at, job_outcome
    from jobsim.k8s.features import (
        RELEASES,
        FeatureGateError,
        FeatureGates,
        feature_gates,
        parse_feature_gates,
    )
    from jobsim.k8s.job import Job
    from jobsim.locate import YAMLProblem, read_stream, read_yaml_file
    from jobsim.narrate import Line, explain, render
    from jobsim.parity import (
        CaseFileError,
        CreatedPod,
        PodSnapshot,
        SnapshotError,
        SyncOutcome,
        Verdict,
        load_cases,
        run_cases,
        sync_once,
        verdict_counts,
    )
    from jobsim.queries import PodSummary
    from jobsim.record import NullRecorder, Recorder, fmt_seconds
    from jobsim.results import MissingExtra, Result, require_parquet
    from jobsim.run import DEFAULT_HORIZON, simulate
    from jobsim.scenario import (
        BareOptions,
        Scenario,
        ScenarioError,
        decode_job,
        load_input,
        load_scenario,
        scenario_from_manifests,
    )
    from jobsim.sim.stuck import RunStuck
    from jobsim.stats import ContainerRun, RunStats
    from jobsim.trace import write_trace
    from jobsim.unfinished import Reason, Unfinished, unfinished

# Where each re-exported name lives. A name's module is imported when the name is first used,
# so ``jobsim --help`` or ``jobsim validate`` loads neither the simulator nor the experiments
# (tests/test_startup.py); keep this table and the imports above in step.
_HOME: dict[str, str] = {
    "queries": "jobsim.queries",  # the module itself (``unfinished`` is a function)
    **dict.fromkeys(
        (
            "MEASURES",
            "Comparison",
            "JobComparison",
            "JobSide",
            "Setting",
            "SettingError",
            "Side",
            "compare",
            "load_side",
            "parse_settings",
        ),
        "jobsim.compare",
    ),
    **dict.fromkeys(("METRICS", "MetricError"), "jobsim.experiment.metrics"),
    **dict.fromkeys(("PathError", "parse_values", "parse_vary"), "jobsim.experiment.paths"),
    **dict.fromkeys(("SearchResult", "search", "parse_bound"), "jobsim.experiment.search"),
    **dict.fromkeys(
        ("QUANTILES", "Sweep", "SweepError", "sweep", "quantile_name"), "jobsim.experiment.sweep"
    ),
    "ProgressBar": "jobsim.experiment.progress",
    **dict.fromkeys(("DumpError", "GroupFit", "Imported", "import_dumps"), "jobsim.importer"),
    **dict.fromkeys(("Line", "explain", "render"), "jobsim.narrate"),
    **dict.fromkeys(
        (
            "CaseFileError",
            "CreatedPod",
            "PodSnapshot",
            "SnapshotError",
            "SyncOutcome",
            "Verdict",
            "load_cases",
            "run_cases",
            "sync_once",
            "verdict_counts",
        ),
        "jobsim.parity",
    ),
    "InvariantViolation": "jobsim.invariants",
    **dict.fromkeys(
        ("FeatureGateError", "FeatureGates", "RELEASES", "feature_gates", "parse_feature_gates"),
        "jobsim.k8s.features",
    ),
    **dict.fromkeys(("ELIDE_ABOVE", "elide", "more_jobs"), "jobsim.elide"),
    "job_finished_at": "jobsim.k8s.conditions",
    "job_outcome": "jobsim.k8s.conditions",
    "Job": "jobsim.k8s.job",
    **dict.fromkeys(("YAMLProblem", "read_stream", "read_yaml_file"), "jobsim.locate"),
    "PodSummary": "jobsim.queries",
    **dict.fromkeys(("NullRecorder", "Recorder", "fmt_seconds"), "jobsim.record"),
    **dict.fromkeys(("MissingExtra", "Result", "require_parquet"), "jobsim.results"),
    **dict.fromkeys(("DEFAULT_HORIZON", "simulate"), "jobsim.run"),
    **dict.fromkeys(
        (
            "BareOptions",
            "Scenario",
            "ScenarioError",
            "decode_job",
            "load_input",
            "load_scenario",
            "scenario_from_manifests",
        ),
        "jobsim.scenario",
    ),
    "RunStuck": "jobsim.sim.stuck",
    **dict.fromkeys(("ContainerRun", "RunStats"), "jobsim.stats"),
    "write_trace": "jobsim.trace",
    **dict.fromkeys(("Reason", "Unfinished", "unfinished"), "jobsim.unfinished"),
}


def __getattr__(name: str) -> object:
    """A re-exported name, imported from its module on first use (PEP 562)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(home)
    value = module if name == "queries" else getattr(module, name)
    globals()[name] = value  # the next use is an ordinary global
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


View = Literal["job", "node", "summary"]


def narrate(result: Result, *, job: str | None = None) -> list[Line]:
    """What ``jobsim explain`` prints: the narrated timeline (:func:`jobsim.narrate.explain`),
    then one line per Job the run leaves unfinished, at the run's end, saying why
    (:func:`jobsim.unfinished.unfinished`)."""
    from jobsim.narrate import Line, explain
    from jobsim.unfinished import unfinished

    lines = explain(result, job=job)
    for u in unfinished(result, job=job):
        lines.append(Line(u.t, u.job, u.job, u.text))
    return lines


def draw_sweep(
    sweep: Sweep,
    folder: str | Path,
    *,
    statistic: str = "p95",
    confidence: float = 0.95,
    bounds: dict[str, float | str] | None = None,
) -> list[Path]:
    """A sweep's plots as PNG files in ``folder`` (see :func:`jobsim.experiment.plots.save_all`;
    matplotlib is imported here, only when drawing)."""
    from jobsim.experiment.plots import save_all

    return save_all(sweep, folder, statistic=statistic, confidence=confidence, bounds=bounds)


def draw_comparison(comparison: Comparison, path: str | Path, *, max_lanes: int = 60) -> Path:
    """Both timelines of a comparison, A above B on one time axis, to ``path`` (png, svg or
    pdf); see :func:`jobsim.compare.draw_comparison`."""
    from jobsim.compare import draw_comparison as save

    return save(comparison, path, max_lanes=max_lanes)


def report_html(
    result: Result, *, source: str | None = None, source_name: str | None = None
) -> str:
    """The report of ``result`` as one self-contained HTML page (plotly.js inline; nothing is
    fetched when it is viewed): the scenario, each Job's outcome and conditions, interactive
    timelines, the statistics and charts, and the narrated run. ``source``, the input file's
    text, is shown folded under ``source_name``. See :mod:`jobsim.report`."""
    from jobsim.report import report_html as build

    return build(result, source=source, source_name=source_name)


def write_report(
    result: Result,
    path: str | Path,
    *,
    source: str | None = None,
    source_name: str | None = None,
) -> Path:
    """Write :func:`report_html` of ``result`` to ``path`` (UTF-8)."""
    out = Path(path)
    text = report_html(result, source=source, source_name=source_name)
    out.write_text(text, encoding="utf-8")
    return out


def draw(result: Result, path: str | Path, *, by: View = "job", max_lanes: int = 60) -> Path:
    """Draw a timeline (``by`` job or node) or the summary charts of ``result`` to ``path``
    (png, svg or pdf, from the suffix); see :func:`jobsim.plot.save`."""
    from jobsim.plot import save

    return save(result, path, by=by, max_lanes=max_lanes)


def animation_problem(path: str | Path) -> str | None:
    """Why ``animate`` cannot write ``path``, before any drawing: a suffix other than .gif or
    .mp4, or an MP4 without the ``animate`` extra's ffmpeg; ``None`` if it can."""
    from importlib.util import find_spec

    suffix = Path(path).suffix.lower()
    if suffix not in (".gif", ".mp4"):
        return f"{path}: an animation must end in .gif or .mp4"
    if suffix == ".mp4" and find_spec("imageio_ffmpeg") is None:
        return (
            f"{path}: an MP4 animation needs ffmpeg: pip install 'jobsim[animate]' "
            "(imageio-ffmpeg), or write a .gif"
        )
    return None


def animate(result: Result, path: str | Path, *, by: View = "job", max_lanes: int = 60) -> Path:
    """The picture ``draw`` draws, animated for slides (gif or mp4, from the suffix): revealed
    left to right behind a moving "now" line; see :func:`jobsim.plot.animate`."""
    from jobsim.plot import animate as animate_

    return animate_(result, path, by=by, max_lanes=max_lanes)


__all__ = [
    "DEFAULT_HORIZON",
    "ELIDE_ABOVE",
    "MEASURES",
    "METRICS",
    "QUANTILES",
    "RELEASES",
    "BareOptions",
    "CaseFileError",
    "Comparison",
    "ContainerRun",
    "CreatedPod",
    "DumpError",
    "FeatureGateError",
    "FeatureGates",
    "GroupFit",
    "Imported",
    "InvariantViolation",
    "Job",
    "JobComparison",
    "JobSide",
    "Line",
    "MetricError",
    "MissingExtra",
    "NullRecorder",
    "PathError",
    "PodSnapshot",
    "PodSummary",
    "ProgressBar",
    "Reason",
    "Recorder",
    "Result",
    "RunStats",
    "RunStuck",
    "Scenario",
    "ScenarioError",
    "SearchResult",
    "Setting",
    "SettingError",
    "Side",
    "SnapshotError",
    "Sweep",
    "SweepError",
    "SyncOutcome",
    "Unfinished",
    "Verdict",
    "View",
    "YAMLProblem",
    "__version__",
    "animate",
    "animation_problem",
    "compare",
    "decode_job",
    "draw",
    "draw_comparison",
    "draw_sweep",
    "elide",
    "explain",
    "feature_gates",
    "fmt_seconds",
    "import_dumps",
    "job_finished_at",
    "job_outcome",
    "load_cases",
    "load_input",
    "load_scenario",
    "load_side",
    "more_jobs",
    "narrate",
    "parse_bound",
    "parse_feature_gates",
    "parse_settings",
    "parse_values",
    "parse_vary",
    "quantile_name",
    "queries",
    "read_stream",
    "read_yaml_file",
    "render",
    "report_html",
    "require_parquet",
    "run_cases",
    "scenario_from_manifests",
    "search",
    "simulate",
    "sweep",
    "sync_once",
    "unfinished",
    "verdict_counts",
    "write_report",
    "write_trace",
]
