"""Confidence intervals over replications (``scipy.stats``, imported when first used).

- The mean: Student's t interval over the replications' values.
- A quantile (p50, p95 …): a percentile bootstrap interval (``scipy.stats.bootstrap``, with a
  fixed random stream, so the same runs always give the same interval), widened to the
  distribution-free order-statistic interval where that is wider: a tail quantile from few runs
  has an infinite upper end (ten runs cannot bound a p95), which is what a search must know.
- A paired difference between two points (common random numbers: replication r ran with the
  same seed at both): the t interval of the per-replication differences for the mean, and a
  bootstrap that resamples replications jointly at both points for a quantile.

Infinite values (a run in which a Job never finished) make a mean infinite and its interval
undefined (NaN); a quantile stays finite while fewer than its share of runs are infinite. With
fewer than two replications, or no spread, a mean's interval collapses to its estimate; a
quantile's keeps its order-statistic ends (infinite where the runs cannot bound it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240917
"""The bootstrap's own random stream: intervals are deterministic for given runs."""

Interval = tuple[float, float, float]
"""(estimate, low, high)."""


Values = Sequence[float] | np.ndarray
"""A metric's values over replications."""


def _finite(values: Values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _check(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence}: expected a level between 0 and 1 (0.95)")


def runs_to_bound(q: float, confidence: float, *, upper: bool = True) -> int:
    """The fewest runs whose order-statistic interval of the ``q`` quantile has a finite upper
    (or lower) end: ``q^n <= (1 - confidence) / 2`` (``(1 - q)^n`` for the lower end)."""
    _check(confidence)
    p = q if upper else 1 - q
    if p <= 0:
        return 1
    if p >= 1:
        return 2**31
    return max(1, math.ceil(math.log((1 - confidence) / 2) / math.log(p) - 1e-12))


def mean_interval(values: Values, confidence: float) -> Interval:
    """The mean and its t interval."""
    _check(confidence)
    x = _finite(values)
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(np.mean(x))
    if not np.all(np.isfinite(x)):
        return (mean, math.nan, math.nan)
    if x.size < 2 or float(np.ptp(x)) == 0.0:
        return (mean, mean, mean)
    from scipy import stats as st  # imported when an interval is first asked for

    half = float(st.sem(x)) * float(st.t.ppf((1 + confidence) / 2, x.size - 1))
    return (mean, mean - half, mean + half)


def quantile(values: Values, q: float) -> float:
    """The ``q`` quantile (linear interpolation, numpy's default); inf-safe."""
    x = np.sort(_finite(values))
    if x.size == 0:
        return math.nan
    pos = q * (x.size - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    if lo == hi or x[lo] == x[hi]:
        return float(x[lo])
    return float(x[lo] + (x[hi] - x[lo]) * (pos - lo))


_CAP = 1e300
"""Infinite values (runs that never finished) stand as this in a bootstrap, and back."""


def _capped(x: np.ndarray) -> np.ndarray:
    return np.where(np.isposinf(x), _CAP, x)


def _uncapped(v: float) -> float:
    return math.inf if v > 1e250 else v  # an interpolation reaching into the unfinished runs


def _bootstrap(
    data: tuple[np.ndarray, ...], statistic: Callable[..., float], confidence: float
) -> tuple[float, float]:
    from scipy import stats as st

    res = st.bootstrap(
        data,
        statistic,
        paired=len(data) > 1,
        vectorized=False,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    ci = res.confidence_interval
    return float(ci.low), float(ci.high)


def order_statistic_interval(values: Values, q: float, confidence: float) -> tuple[float, float]:
    """The distribution-free interval of the ``q`` quantile: order statistics ``X(l)``,
    ``X(u)`` with ``P(l <= B < u) >= confidence`` for ``B ~ Binomial(n, q)`` (the number of
    runs below the quantile). An end that needs more runs than there are is infinite: ten runs
    cannot bound a p95 from above."""
    from scipy import stats as st

    _check(confidence)
    x = np.sort(_finite(values))
    n = x.size
    if n == 0:
        return (math.nan, math.nan)
    alpha = 1 - confidence
    lo = int(st.binom.ppf(alpha / 2, n, q))  # 1-based index of the lower order statistic
    hi = int(st.binom.ppf(1 - alpha / 2, n, q)) + 1
    low = float(x[lo - 1]) if lo >= 1 else -math.inf
    high = float(x[hi - 1]) if hi <= n else math.inf
    return (low, high)


def quantile_interval(values: Values, q: float, confidence: float) -> Interval:
    """The ``q`` quantile and its interval: the percentile bootstrap, widened to the
    distribution-free order-statistic interval where that is wider (a bootstrap never reaches
    past the largest run, so for a tail quantile from few runs it is far too narrow)."""
    x = _finite(values)
    est = quantile(x, q)
    if x.size == 0:
        return (est, math.nan, math.nan)
    low, high = order_statistic_interval(x, q, confidence)
    spread = x.size >= 2 and bool(np.any(x != x[0]))
    if spread and math.isfinite(est):
        b_low, b_high = _bootstrap((_capped(x),), lambda s: quantile(s, q), confidence)
        low, high = min(low, _uncapped(b_low)), max(high, _uncapped(b_high))
    return (est, low, high)


def paired_mean_interval(a: Values, b: Values, confidence: float) -> Interval:
    """The mean of ``b - a`` (per replication) and its t interval."""
    x, y = _finite(a), _finite(b)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return (math.nan, math.nan, math.nan)  # a run that never finished: no difference
    d = y - x
    return mean_interval(d, confidence)


def paired_quantile_interval(a: Values, b: Values, q: float, confidence: float) -> Interval:
    """``quantile(b) - quantile(a)``: a bootstrap resampling replications jointly, widened to
    the conservative difference of the two order-statistic intervals (each at half the risk);
    unbounded while either quantile is (too few runs for a tail quantile)."""
    x, y = _finite(a), _finite(b)
    est = quantile(y, q) - quantile(x, q)
    if not (math.isfinite(est) and np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return (math.nan, math.nan, math.nan)  # a run that never finished: no difference
    half = 1 - (1 - confidence) / 2
    a_low, a_high = order_statistic_interval(x, q, half)
    b_low, b_high = order_statistic_interval(y, q, half)
    if not all(math.isfinite(v) for v in (a_low, a_high, b_low, b_high)):
        return (est, -math.inf, math.inf)
    low, high = b_low - a_high, b_high - a_low
    if x.size >= 2 and float(np.ptp(y - x)) != 0.0:
        boot = _bootstrap((x, y), lambda s, t: quantile(t, q) - quantile(s, q), confidence)
        low, high = min(low, boot[0]), max(high, boot[1])
    return (est, low, high)


def unpaired_mean_interval(a: Values, b: Values, confidence: float) -> Interval:
    """The difference of two means as if the runs were independent (Welch's t interval): what
    common random numbers save, for comparison."""
    x, y = _finite(a), _finite(b)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return (math.nan, math.nan, math.nan)
    est = float(np.mean(y) - np.mean(x))
    if x.size < 2 or y.size < 2:
        return (est, est, est)
    va, vb = float(np.var(x, ddof=1)) / x.size, float(np.var(y, ddof=1)) / y.size
    se = math.sqrt(va + vb)
    if se == 0.0:
        return (est, est, est)
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    from scipy import stats as st

    half = se * float(st.t.ppf((1 + confidence) / 2, df))
    return (est, est - half, est + half)


__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "Interval",
    "Values",
    "mean_interval",
    "order_statistic_interval",
    "paired_mean_interval",
    "paired_quantile_interval",
    "quantile",
    "quantile_interval",
    "runs_to_bound",
    "unpaired_mean_interval",
]
