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
from dataclasses import dataclass, replace
from typing import Any, Literal

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    SUCCESS_CRITERIA_MET,
    job_outcome,
)
from jobsim.record import Kind
from jobsim.results import Result
from jobsim.units import UnitError, format_duration, parse_duration


class MetricError(ValueError):
    """A metric that this run's record cannot give, or a metric name that does not exist."""


Level = Literal["jobs", "full"]
"""What a metric reads: the Jobs' events (a ``JobRecorder`` suffices) or every event."""

_LEVELS = {"none": 0, "jobs": 1, "full": 2}


@dataclass(frozen=True)
class Metric:
    """A named function of a run's Result, and the record it needs."""

    name: str
    fn: Callable[[Result], float]
    doc: str = ""
    needs: Level = "full"

    def __call__(self, result: Result) -> float:
        have = result.recorder.level
        if _LEVELS.get(have, 0) < _LEVELS[self.needs]:
            what = "every event" if self.needs == "full" else "the Jobs' events"
            kept = "no event" if have == "none" else "only the Jobs' events"
            raise MetricError(
                f"metric {self.name} needs {what}, and this run's record kept {kept} "
                f"(level {have}): run it with the default recorder"
            )
        return float(self.fn(result))


@dataclass(frozen=True)
class _JobTimes:
    """When each Job (managed by the Job controller) was submitted, decided and finished."""

    submitted: dict[str, float]
    decided: dict[str, float]
    finished: dict[str, float]
    complete: dict[str, bool]

    @property
    def first(self) -> float:
        return min(self.submitted.values(), default=0.0)


_DECIDED = (SUCCESS_CRITERIA_MET, FAILURE_TARGET, COMPLETE, FAILED)


def _job_times(result: Result) -> _JobTimes:
    """From the Jobs' own events alone (``Recorder.select``): no pod event is decoded. Read
    once per record (a sealed record does not change), whatever the number of metrics."""
    rec = result.recorder
    cached = rec.views.get("job_times")
    if isinstance(cached, _JobTimes):
        return cached
    managed = {k for k, j in rec.jobs.items() if j.managedBy is None}
    submitted: dict[str, float] = {}
    decided: dict[str, float] = {}
    finished: dict[str, float] = {}
    complete: dict[str, bool] = {}
    for _i, t, kind, key, ref, _a, _b, _x in rec.select(Kind.JOB_SUBMITTED, Kind.JOB_CONDITION):
        if key not in managed:
            continue
        if kind is Kind.JOB_SUBMITTED:
            submitted[key] = t
            continue
        type_, status, _reason = ref.split("/")
        if status != "True" or type_ not in _DECIDED:
            continue
        decided.setdefault(key, t)
        if type_ in (COMPLETE, FAILED) and key not in finished:
            finished[key], complete[key] = t, type_ == COMPLETE
    rec.views["job_times"] = times = _JobTimes(submitted, decided, finished, complete)
    return times


def _until_all(jt: _JobTimes, times: dict[str, float]) -> float:
    if any(k not in times for k in jt.submitted):
        return math.inf
    return max((times[k] for k in jt.submitted), default=jt.first) - jt.first


def makespan(result: Result) -> float:
    """Seconds from the first submission until every Job is Complete or Failed (inf if not)."""
    jt = _job_times(result)
    return _until_all(jt, jt.finished)


def work_done(result: Result) -> float:
    """Seconds from the first submission until every Job reached SuccessCriteriaMet or
    FailureTarget (inf if one never did)."""
    jt = _job_times(result)
    return _until_all(jt, jt.decided)


def _wall_times(result: Result) -> list[float]:
    jt = _job_times(result)
    return [jt.finished.get(k, math.inf) - t for k, t in jt.submitted.items()]


def mean_wall_time(result: Result) -> float:
    """Mean of the Jobs' wall times (inf if one never finished)."""
    times = _wall_times(result)
    return sum(times) / len(times) if times else 0.0


def max_wall_time(result: Result) -> float:
    """The longest wall time of a Job (inf if one never finished)."""
    return max(_wall_times(result), default=0.0)


def _managed(result: Result) -> list[Any]:
    return [j for j in result.stats.jobs if j.outcome != "NotManaged"]


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
    return float(
        sum(
            1
            for job in result.recorder.jobs.values()
            if job.managedBy is None and job_outcome(job.status)[0].startswith(_FAILING)
        )
    )


_FAILING = (FAILED, FAILURE_TARGET)


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


def _horizon(result: Result) -> float:
    """The observation window's end: the last Job's Complete/Failed, or the end of the run."""
    jt = _job_times(result)
    if jt.submitted and all(k in jt.finished for k in jt.submitted):
        return float(max(jt.finished.values()))
    return result.end


def _node_hours(result: Result, prices: dict[str, float] | None) -> float:
    t1 = _horizon(result)
    out = 0.0
    for node in result.recorder.nodes.values():
        end = t1 if node.removedAt is None else min(node.removedAt, t1)
        price = 1.0 if prices is None else prices.get(node.pool, 0.0)
        out += max(0.0, end - max(node.addedAt, 0.0)) / 3600 * price
    return out


def node_hours(result: Result) -> float:
    """Node-hours within the observation window."""
    return _node_hours(result, None)


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
        jt = _job_times(result)
        if not jt.submitted:
            return 1.0
        done = sum(
            1 for k in jt.submitted if jt.complete.get(k, False) and jt.finished[k] <= self.by
        )
        return done / len(jt.submitted)


def deadline_hits(by: float) -> Metric:
    """The share of Jobs Complete by virtual time ``by`` (seconds)."""
    doc = f"share of Jobs Complete by {format_duration(by)}"
    return Metric(f"deadline_hits:{by:g}s", _DeadlineShare(by), doc)


@dataclass(frozen=True)
class _Cost:
    prices: tuple[tuple[str, float], ...]

    def __call__(self, result: Result) -> float:
        return _node_hours(result, dict(self.prices))


def cost_pools(m: Metric) -> set[str]:
    """The pools a ``cost`` metric prices (empty for any other metric)."""
    return {pool for pool, _ in m.fn.prices} if isinstance(m.fn, _Cost) else set()


def cost(prices: dict[str, float]) -> Metric:
    """Node-hours within the window times each pool's price per node-hour."""
    label = ",".join(f"{k}={v:g}" for k, v in prices.items())
    return Metric(f"cost:{label}", _Cost(tuple(prices.items())), "node-hours times prices", "jobs")


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

_JOB_LEVEL = frozenset(
    {"makespan", "work_done", "mean_wall_time", "max_wall_time", "jobs_failed", "node_hours"}
)
"""Metrics that read only the Jobs' events and the nodes (a ``JobRecorder`` run)."""

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
        return Metric(
            name, fn, (fn.__doc__ or "").strip(), "jobs" if name in _JOB_LEVEL else "full"
        )
    if name == "deadline_hits" and arg:
        try:
            by = parse_duration(arg)
        except UnitError as e:
            raise MetricError(f"metric {spec}: {e}") from None
        return replace(deadline_hits(by), name=spec)  # named as written
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
        return replace(cost(prices), name=spec)
    raise MetricError(f"unknown metric {spec!r}: the metrics are {', '.join(METRICS)}")


__all__ = [
    "METRICS",
    "Level",
    "Metric",
    "MetricError",
    "cost",
    "cost_pools",
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
