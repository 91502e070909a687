"""Experiments: replications, sweeps over parameters, confidence intervals, and search.

A capacity planner's question is never about one run. ``sweep`` runs a scenario at every point
of its parameters (paths into the scenario, :mod:`jobsim.experiment.paths`) with common random
numbers, measures metrics (:mod:`jobsim.experiment.metrics`) and summarises them with intervals
(:mod:`jobsim.experiment.intervals`); ``search`` finds the fewest value of a parameter that
meets a bound. The runs execute in this process, in a pool of local processes, or on Dask.
"""

from __future__ import annotations

from jobsim.experiment.metrics import METRICS, Metric, MetricError, metric
from jobsim.experiment.paths import PathError, parse_values, parse_vary, set_path, with_point
from jobsim.experiment.search import SearchResult, Verdict, search
from jobsim.experiment.sweep import QUANTILES, Sweep, SweepError, grid, sweep

__all__ = [
    "METRICS",
    "QUANTILES",
    "Metric",
    "MetricError",
    "PathError",
    "SearchResult",
    "Sweep",
    "SweepError",
    "Verdict",
    "grid",
    "metric",
    "parse_values",
    "parse_vary",
    "search",
    "set_path",
    "sweep",
    "with_point",
]
