"""Sweeps: many runs of one scenario, over points of its parameters and replications.

``sweep`` validates every point before any run (a bad path or a value that makes the scenario
invalid is a ``SweepError`` naming the path and the point), runs each (point, replication) with
seed ``seed + replication`` (common random numbers: replication r draws the same numbers at
every point, so two points differ only by the change under study), computes the metrics of each
run and keeps only them (a run's record is dropped as soon as its metrics are read, so a sweep's
memory does not grow with its events; when every metric reads only the Jobs' events, a run
records nothing else, ``JobRecorder``), and returns a ``Sweep``: one row per run, in (point,
replication) order whatever the executor, with a summary and paired differences.

Where the runs execute: ``"serial"`` in this process; ``"process"``, a pool of local processes
(all cores by default); or Dask: a ``distributed.Client`` or a scheduler address. The table is
the same, to the bit, whichever executes it. A run that fails is reported with its point and seed
(``Sweep.failures``); the others still finish.
"""

from __future__ import annotations

import importlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.experiment.intervals import (
    mean_interval,
    paired_mean_interval,
    paired_quantile_interval,
    quantile_interval,
    unpaired_mean_interval,
)
from jobsim.experiment.metrics import Metric, MetricError, cost_pools, metric
from jobsim.experiment.paths import PathError, with_point
from jobsim.locate import YAMLProblem, read_yaml_file
from jobsim.record import JobRecorder
from jobsim.run import simulate
from jobsim.scenario import Scenario, ScenarioError, load_scenario
from jobsim.scenario.problems import DISTRIBUTION_TAGS

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int], None]
"""Called with (runs done, runs in all) after each run."""

QUANTILES = (0.5, 0.9, 0.95, 0.99)
"""The quantiles a summary reports by default."""


class SweepError(ValueError):
    """A sweep that cannot start: a bad path, an invalid point, an unknown metric."""


def _label(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.items()) or "(base scenario)"


def _base_data(scenario: str | Path | Mapping[str, Any]) -> tuple[dict[str, Any], Path, str]:
    if isinstance(scenario, Mapping):
        return dict(scenario), Path.cwd(), "<scenario>"
    path = Path(scenario)
    try:
        data, _ = read_yaml_file(path, DISTRIBUTION_TAGS)
    except YAMLProblem as e:
        text = str(e)
        raise SweepError(text if text.startswith(str(path)) else f"{path}: {text}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{path}: not a scenario (a mapping with cluster and jobs)")
    return data, path.parent, str(path)


def grid(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the values, the first path varying slowest."""
    paths = list(vary)
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*vary.values())]


def prepare(
    scenario: str | Path | Mapping[str, Any], points: Sequence[Mapping[str, Any]]
) -> list[Scenario]:
    """Each point's validated Scenario; ``SweepError`` naming the point at the first bad one."""
    data, base, name = _base_data(scenario)
    out: list[Scenario] = []
    for point in points:
        try:
            out.append(load_scenario(with_point(data, point), base_dir=base))
        except PathError as e:
            raise SweepError(f"{name}: point {_label(point)}: {e}") from None
        except ScenarioError as e:
            problems = "; ".join(e.problems)
            raise SweepError(f"{name}: point {_label(point)}: {problems}") from None
    return out


# -- one run, wherever it executes ---------------------------------------------------------


def run_metrics(task: tuple[Scenario, int, tuple[Metric, ...]]) -> dict[str, float] | str:
    """One run's metric values, or the error that stopped the run (as text). A metric that
    fails is NaN, and its error goes under the key ``error``; the other metrics stand."""
    scenario, seed, metrics = task
    try:
        light = all(m.needs == "jobs" for m in metrics)  # record only what the metrics read
        result = simulate(scenario, seed, recorder=JobRecorder() if light else None)
    except Exception as e:  # reported with its point and seed; the sweep goes on
        return f"{type(e).__name__}: {e}"
    values: dict[str, Any] = {}
    errors = []
    for m in metrics:
        try:
            values[m.name] = m(result)
        except Exception as e:
            values[m.name] = float("nan")
            errors.append(f"metric {m.name}: {type(e).__name__}: {e}")
    if errors:
        values["error"] = "; ".join(errors)
    return values


def _serial(tasks: list[Any], progress: Progress | None) -> list[Any]:
    out = []
    for i, task in enumerate(tasks):
        out.append(run_metrics(task))
        if progress is not None:
            progress(i + 1, len(tasks))
    return out


_SCENARIOS: list[Scenario] = []
"""A worker process's copy of the sweep's scenarios, sent once when it starts."""


def _init_worker(scenarios: list[Scenario]) -> None:
    _SCENARIOS[:] = scenarios


def _run_indexed(task: tuple[int, int, tuple[Metric, ...]]) -> dict[str, float] | str:
    i, seed, metrics = task
    return run_metrics((_SCENARIOS[i], seed, metrics))


def _processes(tasks: list[Any], workers: int | None, progress: Progress | None) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    n = workers or os.cpu_count() or 1
    scenarios: list[Scenario] = []
    ids: dict[int, int] = {}
    indexed = []
    for scenario, seed, metrics in tasks:  # each scenario goes to a worker once, not per run
        if id(scenario) not in ids:
            ids[id(scenario)] = len(scenarios)
            scenarios.append(scenario)
        indexed.append((ids[id(scenario)], seed, metrics))
    out: list[Any] = [None] * len(tasks)
    with ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=_init_worker, initargs=(scenarios,)
    ) as pool:
        futures = {pool.submit(_run_indexed, t): i for i, t in enumerate(indexed)}
        for done, fut in enumerate(as_completed(futures), start=1):
            out[futures[fut]] = fut.result()
            if progress is not None:
                progress(done, len(tasks))
    return out


def _dask(tasks: list[Any], client: Any, progress: Progress | None) -> list[Any]:
    dist: Any = importlib.import_module("distributed")  # an optional dependency
    own = isinstance(client, str)
    c = dist.Client(client) if own else client
    try:
        futures = c.map(run_metrics, tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(tasks)
        for done, fut in enumerate(dist.as_completed(futures), start=1):
            out[index[fut.key]] = fut.result()
            if progress is not None:
                progress(done, len(tasks))
        return out
    finally:
        if own:
            c.close()


def execute(
    tasks: list[tuple[Scenario, int, tuple[Metric, ...]]],
    executor: Any = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[dict[str, float] | str]:
    """Run the tasks where ``executor`` says, results in task order."""
    if executor == "auto":
        executor = "serial" if len(tasks) <= 4 or workers == 1 else "process"
    if executor == "serial":
        return _serial(tasks, progress)
    if executor == "process":
        return _processes(tasks, workers, progress)
    if isinstance(executor, str) and not executor.startswith(("tcp://", "tls://", "inproc://")):
        raise SweepError(
            f"executor {executor!r}: expected serial, process, a Dask scheduler address "
            "(tcp://host:port) or a distributed.Client"
        )
    return _dask(tasks, executor, progress)


# -- the sweep and its table ---------------------------------------------------------------


@dataclass
class Sweep:
    """The runs of a sweep: one row per run, and summaries over replications."""

    parameters: list[str]
    points: list[dict[str, Any]]
    metrics: list[str]
    seeds: list[int]
    rows: list[dict[str, Any]] = field(repr=False)

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: ``point``, the parameters, ``replication``, ``seed``, each metric,
        ``error`` (empty unless the run failed)."""
        import pandas as pd

        cols = ["point", *self.parameters, "replication", "seed", *self.metrics, "error"]
        return pd.DataFrame(self.rows, columns=cols)

    @property
    def failures(self) -> list[str]:
        """Each failed run: its point, seed and error."""
        return [
            f"point {_label(self.points[r['point']])}, seed {r['seed']}: {r['error']}"
            for r in self.rows
            if r["error"]
        ]

    def values(self, point: int, name: str) -> list[float]:
        """A metric's values at a point, in replication order (failed runs and failed
        measurements left out)."""
        return [r[name] for r in self.rows if r["point"] == point and not _failed(r, name)]

    def summary(
        self, *, confidence: float = 0.95, quantiles: Sequence[float] = QUANTILES
    ) -> pd.DataFrame:
        """One row per (point, metric): ``n``, the mean with its t interval, and each quantile
        (``p95`` …) with its bootstrap interval (``p95_low``, ``p95_high``)."""
        import pandas as pd

        rows = []
        for i, point in enumerate(self.points):
            for name in self.metrics:
                x = self.values(i, name)
                mean, lo, hi = mean_interval(x, confidence)
                row: dict[str, Any] = {"point": i, **point, "metric": name, "n": len(x)}
                row |= {"mean": mean, "mean_low": lo, "mean_high": hi}
                for q in quantiles:
                    est, qlo, qhi = quantile_interval(x, q, confidence)
                    key = quantile_name(q)
                    row |= {key: est, f"{key}_low": qlo, f"{key}_high": qhi}
                rows.append(row)
        return pd.DataFrame(rows)

    def paired(
        self,
        name: str,
        *,
        statistic: str = "mean",
        baseline: int | None = None,
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """Paired differences of a metric's ``statistic`` (``mean`` or a quantile such as
        ``p95``) between neighbouring points that differ in one parameter (in a grid, along
        its last parameter), or between each point and ``baseline``; with
        the interval the pairing gives and, for the mean, the unpaired one it replaces."""
        import pandas as pd

        if name not in self.metrics:
            raise SweepError(f"metric {name!r} is not in this sweep ({', '.join(self.metrics)})")
        q = parse_statistic(statistic)
        if baseline is not None and not 0 <= baseline < len(self.points):
            raise SweepError(f"baseline {baseline}: the points are 0 … {len(self.points) - 1}")
        pairs = (
            [
                (i - 1, i)
                for i in range(1, len(self.points))
                if _differ(self.points[i - 1], self.points[i]) == 1  # one change at a time
            ]
            if baseline is None
            else [(baseline, i) for i in range(len(self.points)) if i != baseline]
        )
        rows = []
        for a, b in pairs:
            x, y = self._paired_values(a, b, name)
            if q is None:
                est, lo, hi = paired_mean_interval(x, y, confidence)
                _, ulo, uhi = unpaired_mean_interval(x, y, confidence)
            else:
                est, lo, hi = paired_quantile_interval(x, y, q, confidence)
                ulo = uhi = float("nan")
            rows.append(
                {
                    "from": a,
                    "to": b,
                    "change": _change(self.points[a], self.points[b]),
                    "metric": name,
                    "statistic": statistic,
                    "n": len(x),
                    "difference": est,
                    "low": lo,
                    "high": hi,
                    "unpaired_low": ulo,
                    "unpaired_high": uhi,
                }
            )
        return pd.DataFrame(rows)

    def _paired_values(self, a: int, b: int, name: str) -> tuple[list[float], list[float]]:
        """The replications both points ran without error, in replication order."""
        by = {(r["point"], r["replication"]): r for r in self.rows}
        both = [
            (by[(a, k)][name], by[(b, k)][name])
            for k in range(len(self.seeds))
            if not _failed(by[(a, k)], name) and not _failed(by[(b, k)], name)
        ]
        return [p[0] for p in both], [p[1] for p in both]


def _failed(row: Mapping[str, Any], name: str) -> bool:
    """Whether a run failed, or its measurement of ``name`` did (a NaN it did not choose)."""
    return bool(row["error"]) and row[name] != row[name]


def _differ(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """How many parameters two points set differently."""
    return sum(1 for k in {*a, *b} if a.get(k) != b.get(k))


def _change(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """``path: 3 -> 4`` for the parameters that differ between two points."""
    keys = [k for k in b if a.get(k) != b.get(k)] or list(b)
    return "; ".join(f"{k}: {a.get(k)} -> {b.get(k)}" for k in keys) or "(no change)"


def quantile_name(q: float) -> str:
    """The column of a quantile: ``p95``, ``p97_5``."""
    return f"p{q * 100:g}".replace(".", "_")


def parse_statistic(statistic: str) -> float | None:
    """``mean`` (None) or a quantile's name (``p95``, ``p97_5``, ``p97.5``) as a fraction."""
    if statistic == "mean":
        return None
    return _parse_q(statistic)


def _parse_q(statistic: str) -> float:
    try:
        q = float(statistic.lstrip("p").replace("_", ".")) / 100
    except ValueError:
        q = -1.0
    if not 0 <= q <= 1:
        raise SweepError(f"statistic {statistic!r}: expected mean or a quantile such as p95")
    return q


def sweep(
    scenario: str | Path | Mapping[str, Any],
    vary: Mapping[str, Sequence[Any]] | None = None,
    *,
    points: Iterable[Mapping[str, Any]] | None = None,
    replications: int = 10,
    seed: int = 0,
    metrics: Sequence[str | Metric | Callable[..., float]] = ("makespan",),
    executor: Any = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
) -> Sweep:
    """Run ``scenario`` (a file, or scenario data) at every point of ``vary`` (a grid of
    ``{path: values}``) or of ``points`` (explicit ``{path: value}`` dicts), ``replications``
    times each with seeds ``seed``, ``seed + 1``, …, and measure ``metrics`` in every run."""
    if replications < 1:
        raise SweepError(f"replications: expected at least 1, got {replications}")
    if vary is not None and points is not None:
        raise SweepError("give vary (a grid) or points (a list), not both")
    chosen = (
        grid(vary) if vary is not None else [dict(p) for p in ([{}] if points is None else points)]
    )
    if not chosen:
        raise SweepError("no points to run")
    if any("seed" in p for p in chosen):
        raise SweepError(
            "seed is the sweep's own (seed, seed + 1, …): vary it with seed= and replications"
        )
    parameters = list(dict.fromkeys(k for p in chosen for k in p))
    try:
        ms = tuple(metric(m) for m in metrics)
    except MetricError as e:
        raise SweepError(str(e)) from None
    names = [m.name for m in ms]
    if len(set(names)) != len(names):
        raise SweepError(f"a metric named twice: {', '.join(names)}")
    scenarios = prepare(scenario, chosen)
    pools = {p.name for s in scenarios for p in s.cluster.nodePools}
    for m in ms:
        unknown = sorted(cost_pools(m) - pools)
        if unknown:
            raise SweepError(
                f"metric {m.name}: no pool named {', '.join(unknown)} "
                f"(the pools are: {', '.join(sorted(pools))})"
            )
    seeds = [seed + r for r in range(replications)]
    tasks = [(s, sd, ms) for s in scenarios for sd in seeds]
    results = execute(tasks, executor, workers, progress)
    rows: list[dict[str, Any]] = []
    for (i, point), (r, sd) in itertools.product(enumerate(chosen), enumerate(seeds)):
        got = results[i * len(seeds) + r]
        row: dict[str, Any] = {"point": i, **{p: point.get(p) for p in parameters}}
        row |= {"replication": r, "seed": sd}
        if isinstance(got, str):
            row |= dict.fromkeys(names, float("nan")) | {"error": got}
        else:
            row |= {"error": ""} | got
        rows.append(row)
    return Sweep(parameters, chosen, names, seeds, rows)


__all__ = [
    "QUANTILES",
    "Progress",
    "Sweep",
    "SweepError",
    "execute",
    "grid",
    "parse_statistic",
    "prepare",
    "quantile_name",
    "run_metrics",
    "sweep",
]
