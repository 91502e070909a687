"""Search: the fewest value of one parameter such that a metric's quantile meets a bound.

"What is the fewest nodes such that the batch's p95 makespan stays under two hours?" The
parameter's values are taken as ordered so that a larger value is never worse (more nodes, a
shorter makespan); ``search`` bisects over them. At each value it runs replications with the
sweep's common random numbers and asks the quantile's bootstrap interval: the bound holds when
the whole interval meets it (the interval's upper end for ``at_most``), fails when the whole
interval misses it, and is uncertain otherwise; an uncertain verdict gets more replications
(doubling, up to ``max_replications``) and, still uncertain, counts as not met. The answer comes
with the runs spent and the table it rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.experiment.intervals import quantile_interval, runs_to_bound
from jobsim.experiment.metrics import Metric, metric
from jobsim.experiment.sweep import Progress, Sweep, SweepError, sweep
from jobsim.units import UnitError, format_duration, parse_duration

if TYPE_CHECKING:
    import pandas as pd

MET, MISSED, UNCERTAIN = "met", "missed", "uncertain"


@dataclass
class Verdict:
    """What the runs at one value say about the bound."""

    value: Any
    n: int
    estimate: float
    low: float
    high: float
    verdict: str


@dataclass
class SearchResult:
    """The answer of a search, the runs it cost, and the verdicts it rests on."""

    path: str
    metric: str
    quantile: float
    bound: float
    at_most: bool
    confidence: float
    answer: Any | None
    """The fewest value that meets the bound, or None if even the largest does not."""
    runs: int
    verdicts: list[Verdict] = field(default_factory=list)
    sweeps: dict[Any, Sweep] = field(default_factory=dict, repr=False)
    failures: list[str] = field(default_factory=list)
    """Runs (or measurements) that failed, with their point and seed."""

    @property
    def table(self) -> pd.DataFrame:
        """One row per value tried, in the order tried."""
        import pandas as pd

        q = f"p{self.quantile * 100:g}"
        return pd.DataFrame(
            [
                {
                    self.path: v.value,
                    "n": v.n,
                    f"{self.metric} {q}": v.estimate,
                    "low": v.low,
                    "high": v.high,
                    "verdict": v.verdict,
                }
                for v in self.verdicts
            ]
        )

    def describe(self) -> str:
        """The answer in one sentence."""
        op = "≤" if self.at_most else "≥"
        q = f"p{self.quantile * 100:g}"
        goal = f"{q} {self.metric} {op} {_shown(self.metric, self.bound)}"
        goal += f" ({self.confidence:.0%} confidence)"
        runs = f"{self.runs} runs" + (f", {len(self.failures)} failed" if self.failures else "")
        undecided = [v for v in self.verdicts if v.verdict == UNCERTAIN]
        if self.answer is None:
            if undecided and undecided[-1] is self.verdicts[-1]:
                return (
                    f"undecided: {self.path} = {undecided[-1].value} may or may not meet {goal} "
                    f"after {undecided[-1].n} runs, and it is the largest value; {runs}"
                )
            return f"no value of {self.path} tried meets {goal}; {runs}"
        below = [v.value for v in undecided if v.value != self.answer]
        if below:
            return (
                f"{self.path} = {self.answer} is the fewest shown to meet {goal} "
                f"({', '.join(map(str, below))} undecided); {runs}"
            )
        return f"{self.path} = {self.answer} is the fewest that meets {goal}; {runs}"


_DURATIONS = ("makespan", "work_done", "mean_wall_time", "max_wall_time", "mean_wait")


def _shown(metric: str, x: float) -> str:
    """A bound as a person reads it: a Go duration for a time metric (``2h0m0s``), else the
    number."""
    return format_duration(x) if metric.startswith(_DURATIONS) else f"{x:g}"


def parse_bound(metric_name: str, value: float | str) -> float:
    """A bound for a metric: a duration (``2h``) or seconds for a time metric, a plain number
    for any other; ``SweepError`` otherwise."""
    if not isinstance(value, str):
        return float(value)
    try:
        return float(value)
    except ValueError:
        pass
    if metric_name.startswith(_DURATIONS):
        try:
            return parse_duration(value)
        except UnitError:
            pass
        raise SweepError(f"bound {value!r}: expected a duration such as 2h or 90m, or seconds")
    raise SweepError(f"bound {value!r}: {metric_name} is not a time; expected a number")


def search(
    scenario: str | Path | Mapping[str, Any],
    path: str,
    values: Sequence[Any],
    metric_spec: str | Metric | Callable[..., float],
    *,
    quantile: float = 0.95,
    at_most: float | str | None = None,
    at_least: float | str | None = None,
    confidence: float = 0.95,
    replications: int = 10,
    max_replications: int = 80,
    seed: int = 0,
    executor: Any = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
) -> SearchResult:
    """The fewest of ``values`` (in the order given, each no worse than the one before) at
    which ``metric``'s ``quantile`` is ``at_most`` (or ``at_least``) a bound."""
    if (at_most is None) == (at_least is None):
        raise SweepError("give exactly one of at_most and at_least")
    if not values:
        raise SweepError(f"{path}: no values to search")
    if not 0 <= quantile <= 1:
        raise SweepError(f"quantile {quantile}: expected a number between 0 and 1")
    m = metric(metric_spec)
    needed = runs_to_bound(quantile, confidence, upper=at_most is not None)
    if max_replications < needed:
        end = "above" if at_most is not None else "below"
        raise SweepError(
            f"a p{quantile * 100:g} is bounded from {end} at {confidence:.0%} confidence only from "
            f"{needed} runs: raise max_replications to at least {needed}"
        )
    bound = parse_bound(m.name, at_most if at_most is not None else at_least)  # type: ignore[arg-type]
    result = SearchResult(
        path, m.name, quantile, bound, at_most is not None, confidence, None, runs=0
    )

    def judge(index: int) -> str:
        value = values[index]
        n, got = 0, None
        while True:
            more = replications if got is None else min(n, max_replications - n)
            new = sweep(
                scenario,
                points=[{path: value}],
                replications=more,
                seed=seed + n,
                metrics=[m],
                executor=executor,
                workers=workers,
                progress=progress,
            )
            result.runs += more
            result.failures.extend(new.failures)
            got = new if got is None else _merged(got, new)
            n += more
            x = got.values(0, m.name)
            est, lo, hi = quantile_interval(x, quantile, confidence)
            if result.at_most:
                verdict = MET if hi <= bound else MISSED if lo > bound else UNCERTAIN
            else:
                verdict = MET if lo >= bound else MISSED if hi < bound else UNCERTAIN
            if verdict != UNCERTAIN or n >= max_replications:
                break
        result.sweeps[value] = got
        result.verdicts.append(Verdict(value, len(x), est, lo, hi, verdict))
        return verdict

    lo, hi = 0, len(values) - 1
    if judge(hi) != MET:
        return result
    while lo < hi:
        mid = (lo + hi) // 2
        if judge(mid) == MET:
            hi = mid
        else:
            lo = mid + 1
    result.answer = values[hi]
    return result


def _merged(a: Sweep, b: Sweep) -> Sweep:
    """Two sweeps of the same point with consecutive seeds, as one."""
    offset = len(a.seeds)
    rows = [*a.rows, *({**r, "replication": r["replication"] + offset} for r in b.rows)]
    return Sweep(a.parameters, a.points, a.metrics, [*a.seeds, *b.seeds], rows)


__all__ = ["MET", "MISSED", "UNCERTAIN", "SearchResult", "Verdict", "parse_bound", "search"]
