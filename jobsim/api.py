"""The Python API: load a scenario, run it, look at the result; sweep and search.

Everything a notebook, a test or the command line needs, and nothing else: ``cli.py`` imports
only this module. Each name is imported on first use, so a command loads only what it needs;
``draw`` imports matplotlib when it is called, not before. ``queries`` is the
module of questions a test asks of a Result (``queries.max_active(result, "job")``), and
``ContainerRun`` the row ``Result.runs`` gives.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jobsim.version import __version__

if TYPE_CHECKING:  # the names below are imported on first use (``_HOME``), for mypy here
    from jobsim import queries
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
    from jobsim.explain import Line, explain, render
    from jobsim.invariants import InvariantViolation
    from jobsim.k8s.conditions import job_outcome
    from jobsim.k8s.job import Job
    from jobsim.locate import YAMLProblem, read_yaml_file
    from jobsim.queries import PodSummary
    from jobsim.record import NullRecorder, Recorder, fmt_seconds
    from jobsim.results import Result
    from jobsim.run import simulate
    from jobsim.scenario import (
        BareOptions,
        Scenario,
        ScenarioError,
        decode_job,
        load_input,
        load_scenario,
        scenario_from_manifests,
    )
    from jobsim.stats import ContainerRun, RunStats
    from jobsim.trace import write_trace
    from jobsim.unfinished import Reason, Unfinished, unfinished

# Where each re-exported name lives. A name's module is imported when the name is first used,
# so ``jobsim --help`` or ``jobsim validate`` loads neither the simulator nor the experiments
# (tests/test_startup.py); keep this table and the imports above in step.
_HOME: dict[str, str] = {
    "queries": "jobsim.queries",  # the module itself (``unfinished`` is a function)
    **dict.fromkeys(("METRICS", "MetricError"), "jobsim.experiment.metrics"),
    **dict.fromkeys(("PathError", "parse_values", "parse_vary"), "jobsim.experiment.paths"),
    **dict.fromkeys(("SearchResult", "search", "parse_bound"), "jobsim.experiment.search"),
    **dict.fromkeys(
        ("QUANTILES", "Sweep", "SweepError", "sweep", "quantile_name"), "jobsim.experiment.sweep"
    ),
    "ProgressBar": "jobsim.experiment.progress",
    **dict.fromkeys(("Line", "explain", "render"), "jobsim.explain"),
    "InvariantViolation": "jobsim.invariants",
    "job_outcome": "jobsim.k8s.conditions",
    "Job": "jobsim.k8s.job",
    **dict.fromkeys(("YAMLProblem", "read_yaml_file"), "jobsim.locate"),
    "PodSummary": "jobsim.queries",
    **dict.fromkeys(("NullRecorder", "Recorder", "fmt_seconds"), "jobsim.record"),
    "Result": "jobsim.results",
    "simulate": "jobsim.run",
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
    """What ``jobsim explain`` prints: the narrated timeline (:func:`jobsim.explain.explain`),
    then one line per Job the run leaves unfinished, at the run's end, saying why
    (:func:`jobsim.unfinished.unfinished`)."""
    from jobsim.explain import Line, explain
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


def draw(result: Result, path: str | Path, *, by: View = "job", max_lanes: int = 60) -> Path:
    """Draw a timeline (``by`` job or node) or the summary charts of ``result`` to ``path``
    (png, svg or pdf, from the suffix); see :func:`jobsim.plot.save`."""
    from jobsim.plot import save

    return save(result, path, by=by, max_lanes=max_lanes)


__all__ = [
    "METRICS",
    "QUANTILES",
    "BareOptions",
    "ContainerRun",
    "InvariantViolation",
    "Job",
    "Line",
    "MetricError",
    "NullRecorder",
    "PathError",
    "PodSummary",
    "ProgressBar",
    "Reason",
    "Recorder",
    "Result",
    "RunStats",
    "Scenario",
    "ScenarioError",
    "SearchResult",
    "Sweep",
    "SweepError",
    "Unfinished",
    "View",
    "YAMLProblem",
    "__version__",
    "decode_job",
    "draw",
    "draw_sweep",
    "explain",
    "fmt_seconds",
    "job_outcome",
    "load_input",
    "load_scenario",
    "narrate",
    "parse_bound",
    "parse_values",
    "parse_vary",
    "quantile_name",
    "queries",
    "read_yaml_file",
    "render",
    "scenario_from_manifests",
    "search",
    "simulate",
    "sweep",
    "unfinished",
    "write_trace",
]
