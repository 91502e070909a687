"""The numbers an experiment measures in each run: built-in metrics and your own.

A metric is a function of a run's ``Result`` that returns a number. Every built-in one reads the
record alone (:mod:`jobsim.stats`); times are seconds of virtual time. Where a run cannot give a
number its definition depends on, the value says so: a Job that never finished makes
``makespan`` infinite (the run ended first), never the end of the run in disguise; a record that
holds no events (a ``NullRecorder``) is a ``MetricError``, never a wrong number.

Built-in metrics (``METRICS``; on the command line, ``--metric NAME`` or ``NAME:ARG``):

- ``makespan``: from the first Job's submission until every Job is ``Complete`` or ``Failed``.
- ``work_done``: from the first submission until every Job reached ``SuccessCriteriaMet`` or
  ``FailureTarget``: when the work was decided, before pods stuck terminating (on a node that
  stopped reporting) let the terminal condition be written. Planners need both.
- ``mean_wall_time`` / ``max_wall_time``: a Job's ``Complete``/``Failed`` time minus its
  submission, over the Jobs (infinite if one never finished).
- ``mean_wait``: the mean time from a Job's submission to its first running container.
- ``jobs_failed``: Jobs whose outcome is ``Failed`` (or failing, still terminating).
- ``pods_failed`` / ``pods_evicted``: pods that ended Failed on their own / were disrupted
  (taint eviction, drain, preemption, PodGC).
- ``wasted_pod_seconds`` / ``useful_pod_seconds``: see :mod:`jobsim.stats`.
- ``node_hours``: the time each node spent in the cluster within the observation window.
- ``cost:POOL=PRICE,…``: node-hours times a price per node-hour per pool (pools not named
  cost 0).
- ``cpu_utilisation`` / ``memory_utilisation``: requested / allocatable over the window.
- ``deadline_hits:T``: the share of Jobs ``Complete`` by virtual time ``T`` (``2h``, ``90m``).

Your own: any ``Callable[[Result], float]`` (a module-level function when the runs execute in
other processes), or a :class:`Metric` with a name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    SUCCESS_CRITERIA_MET,
)
from jobsim.results import Result
from jobsim.units import UnitError, parse_duration


class MetricError(ValueError):
    """A metric that this run's record cannot give, or a metric name that does not exist."""


@dataclass(frozen=True)
class Metric:
    """A named function of a run's Result."""

    name: str
    fn: Callable[[Result], float]
    doc: str = ""

    def __call__(self, result: Result) -> float:
        if not result.recorder.complete:
            raise MetricError(
                f"metric {self.name} needs the run's events, and this run kept none "
                "(NullRecorder): run it with the default recorder"
            )
        return float(self.fn(result))


def _managed(result: Result) -> list[Any]:
    return [j for j in result.stats.jobs if j.outcome != "NotManaged"]


def _first_submission(result: Result) -> float:
    lv = result.lives
    return min(lv.submitted.values()) if lv.submitted else 0.0


def makespan(result: Result) -> float:
    """Seconds from the first submission until every Job is Complete or Failed (inf if not)."""
    jobs = _managed(result)
    if any(j.finishedAt is None for j in jobs):
        return math.inf
    return max((j.finishedAt for j in jobs), default=0.0) - _first_submission(result)


_DECIDED = (SUCCESS_CRITERIA_MET, FAILURE_TARGET, COMPLETE, FAILED)


def work_done(result: Result) -> float:
    """Seconds from the first submission until every Job reached SuccessCriteriaMet or
    FailureTarget (inf if one never did)."""
    decided: dict[str, float] = {}
    for c in result.lives.conditions:
        if c.status == "True" and c.type in (
            SUCCESS_CRITERIA_MET,
            FAILURE_TARGET,
            COMPLETE,
            FAILED,
        ):
            decided.setdefault(c.job, c.t)
    jobs = _managed(result)
    if any(j.job not in decided for j in jobs):
        return math.inf
    return max((decided[j.job] for j in jobs), default=0.0) - _first_submission(result)


def mean_wall_time(result: Result) -> float:
    """Mean of the Jobs' wall times (inf if one never finished)."""
    times = [j.wallTime for j in _managed(result)]
    if not times:
        return 0.0
    if any(t is None for t in times):
        return math.inf
    return float(sum(t for t in times if t is not None)) / len(times)


def max_wall_time(result: Result) -> float:
    """The longest wall time of a Job (inf if one never finished)."""
    times = [j.wallTime for j in _managed(result)]
    if any(t is None for t in times):
        return math.inf
    return max((t for t in times if t is not None), default=0.0)


def mean_wait(result: Result) -> float:
    """Mean time from a Job's submission to its first running container (inf if one never
    ran)."""
    waits = [j.waitUntilRunning for j in _managed(result)]
    if not waits:
        return 0.0
    if any(w is None for w in waits):
        return math.inf
    return float(sum(w for w in waits if w is not None)) / len(waits)


def jobs_failed(result: Result) -> float:
    """Jobs whose outcome is Failed, or failing and still terminating."""
    return float(sum(1 for j in _managed(result) if j.outcome.startswith((FAILED, FAILURE_TARGET))))


def pods_failed(result: Result) -> float:
    """Pods that ended Failed on their own."""
    return float(sum(1 for p in result.lives.pods.values() if p.outcome == "failed"))


def pods_evicted(result: Result) -> float:
    """Pods disrupted by the cluster (taint eviction, drain, preemption, PodGC)."""
    return float(sum(1 for p in result.lives.pods.values() if p.outcome == "evicted"))


def wasted_pod_seconds(result: Result) -> float:
    """Seconds of runs whose work was lost."""
    return result.stats.wastedPodSeconds


def useful_pod_seconds(result: Result) -> float:
    """Seconds of runs whose work counted."""
    return result.stats.usefulPodSeconds


def node_hours(result: Result) -> float:
    """Node-hours within the observation window."""
    return result.stats.nodeHours or 0.0


def _utilisation(result: Result, which: str) -> float:
    res = result.stats.cpu if which == "cpu" else result.stats.memory
    if res is None:
        raise MetricError(f"{which}_utilisation: the record holds no node resources")
    return res.meanUtilisation


def cpu_utilisation(result: Result) -> float:
    """Mean cpu requested / allocatable over the window."""
    return _utilisation(result, "cpu")


def memory_utilisation(result: Result) -> float:
    """Mean memory requested / allocatable over the window."""
    return _utilisation(result, "memory")


@dataclass(frozen=True)
class _DeadlineShare:
    by: float

    def __call__(self, result: Result) -> float:
        jobs = _managed(result)
        if not jobs:
            return 1.0
        done = sum(
            1
            for j in jobs
            if j.outcome == COMPLETE and j.finishedAt is not None and j.finishedAt <= self.by
        )
        return done / len(jobs)


def deadline_hits(by: float) -> Metric:
    """The share of Jobs Complete by virtual time ``by`` (seconds)."""
    return Metric(
        f"deadline_hits:{by:g}s", _DeadlineShare(by), f"share of Jobs Complete by {by:g}s"
    )


@dataclass(frozen=True)
class _Cost:
    prices: tuple[tuple[str, float], ...]

    def __call__(self, result: Result) -> float:
        prices = dict(self.prices)
        lv = result.lives
        out = 0.0
        for added, removed, pool in lv.node_spans.values():
            end = lv.horizon if removed is None else min(removed, lv.horizon)
            out += max(0.0, end - max(added, 0.0)) / 3600 * prices.get(pool or "", 0.0)
        return out


def cost(prices: dict[str, float]) -> Metric:
    """Node-hours within the window times each pool's price per node-hour."""
    label = ",".join(f"{k}={v:g}" for k, v in prices.items())
    return Metric(f"cost:{label}", _Cost(tuple(prices.items())), "node-hours times prices")


_PLAIN: dict[str, Callable[[Result], float]] = {
    "makespan": makespan,
    "work_done": work_done,
    "mean_wall_time": mean_wall_time,
    "max_wall_time": max_wall_time,
    "mean_wait": mean_wait,
    "jobs_failed": jobs_failed,
    "pods_failed": pods_failed,
    "pods_evicted": pods_evicted,
    "wasted_pod_seconds": wasted_pod_seconds,
    "useful_pod_seconds": useful_pod_seconds,
    "node_hours": node_hours,
    "cpu_utilisation": cpu_utilisation,
    "memory_utilisation": memory_utilisation,
}

METRICS: tuple[str, ...] = (*_PLAIN, "cost:POOL=PRICE,…", "deadline_hits:T")
"""The built-in metric names (two take an argument after a colon)."""


def metric(spec: str | Metric | Callable[[Result], float]) -> Metric:
    """A Metric from a name (``makespan``, ``deadline_hits:2h``, ``cost:worker=0.8``), a Metric,
    or a function of a Result (named after the function)."""
    if isinstance(spec, Metric):
        return spec
    if callable(spec):
        return Metric(getattr(spec, "__name__", "metric"), spec, spec.__doc__ or "")
    name, _, arg = spec.partition(":")
    if name in _PLAIN and not arg:
        fn = _PLAIN[name]
        return Metric(name, fn, (fn.__doc__ or "").strip())
    if name == "deadline_hits" and arg:
        try:
            return deadline_hits(parse_duration(arg))
        except UnitError as e:
            raise MetricError(f"metric {spec}: {e}") from None
    if name == "cost" and arg:
        prices: dict[str, float] = {}
        for part in arg.split(","):
            pool, eq, price = part.partition("=")
            try:
                prices[pool.strip()] = float(price)
            except ValueError:
                eq = ""
            if not eq or not pool.strip():
                raise MetricError(f"metric {spec}: expected cost:POOL=PRICE,… (per node-hour)")
        return cost(prices)
    raise MetricError(f"unknown metric {spec!r}: the metrics are {', '.join(METRICS)}")


__all__ = [
    "METRICS",
    "Metric",
    "MetricError",
    "cost",
    "cpu_utilisation",
    "deadline_hits",
    "jobs_failed",
    "makespan",
    "max_wall_time",
    "mean_wait",
    "mean_wall_time",
    "memory_utilisation",
    "metric",
    "node_hours",
    "pods_evicted",
    "pods_failed",
    "useful_pod_seconds",
    "wasted_pod_seconds",
    "work_done",
]
