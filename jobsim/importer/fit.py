"""Fitting run times to the scenario format's distributions, with scipy.stats.

Each family is fitted by maximum likelihood with its location fixed at 0 (a run time starts
at 0): ``lognorm`` (→ ``lognormal``: median = scale, sigma = s), ``gamma`` (→ ``gamma``:
shape a, scale), ``weibull_min`` (→ ``weibull``: shape c, scale) and ``expon`` (→
``exponential``: mean = scale). The best is the one with the smallest AIC (2k − 2 ln L, k the
number of fitted parameters: 2, or 1 for the exponential); its Kolmogorov–Smirnov statistic
D (the largest distance between the sample's and the fitted cumulative distributions) says
how well it fits. Fewer than two distinct values give a constant, fewer than ``MIN_FIT`` runs
a uniform distribution on [least, greatest] (too few to tell one family from another). A
method other than ``best`` fits that family alone (the others' AIC still printed), or, for
``empirical``, lists the runs themselves (``samples``; past ``MAX_SAMPLES``, the 101
percentiles 0, 0.01 … 1 as ``quantiles``, linear between order statistics). The
API writes times to the second, so a run of 0 s counts as 0.5 s (half the resolution) for the
fit.
scipy is imported when a fit is made, not before.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from jobsim.units import format_duration

RESOLUTION = 1.0
"""The API's timestamps are whole seconds."""

FAMILIES = ("lognormal", "gamma", "weibull", "exponential")
METHODS = ("best", *FAMILIES, "empirical")
"""``--fit``: the best family by AIC, one family, or the runs themselves."""
MAX_SAMPLES = 100
"""An ``empirical`` fit lists up to this many runs; more become 101 percentiles."""
MIN_FIT = 5
"""The fewest runs a family is fitted to."""


@dataclass(frozen=True)
class Candidate:
    """One fitted family: its scenario distribution, AIC and KS statistic."""

    family: str
    distribution: dict[str, Any]
    aic: float
    ks: float


@dataclass(frozen=True)
class Fit:
    """The distribution chosen for a sample of run times, and how it was chosen."""

    n: int
    distribution: dict[str, Any]
    family: str
    aic: float | None = None
    ks: float | None = None
    others: tuple[Candidate, ...] = field(default=())
    zeros: int = 0

    def describe(self) -> str:
        """One line: the distribution, the criterion and the goodness of fit."""
        dist = _show(self.distribution)
        if self.family == "constant" and self.aic is None:
            return f"{dist} (n={self.n}: fewer than two distinct values, no fit)"
        if self.family == "empirical":
            ((_, params),) = self.distribution.items()
            what = "the runs themselves" if "samples" in params else "101 percentiles"
            return f"empirical: {what} (n={self.n})"
        if self.aic is None:
            return f"{dist} (n={self.n}: fewer than {MIN_FIT} runs, no fit: their range)"
        rest = ", ".join(f"{c.family} {c.aic:.1f}" for c in self.others)
        text = f"{dist} (n={self.n}; AIC {self.aic:.1f}, KS D={self.ks:.3f}"
        text += f"; others' AIC: {rest})" if rest else ")"
        if self.zeros:
            text += f"; {self.zeros} run(s) of 0s counted as {format_duration(RESOLUTION / 2)}"
        return text


def _show(dist: dict[str, Any]) -> str:
    ((kind, params),) = dist.items()
    if not isinstance(params, dict):
        return f"{kind} {params}"
    return f"{kind}(" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")"


def seconds(x: float) -> str:
    """A fitted duration as the scenario writes it, to the millisecond."""
    return format_duration(round(x, 3))


def _sig(x: float) -> float:
    return float(f"{x:.4g}")


def _empirical(samples: list[float]) -> Fit:
    if len(samples) <= MAX_SAMPLES:
        return Fit(
            len(samples), {"empirical": {"samples": [seconds(x) for x in samples]}}, "empirical"
        )
    import numpy as np

    ps = [k / 100 for k in range(101)]
    qs = np.quantile(np.asarray(samples, dtype=float), ps)
    points = {p: seconds(float(q)) for p, q in zip(ps, qs, strict=True)}
    return Fit(len(samples), {"empirical": {"quantiles": points}}, "empirical")


def fit_durations(samples: list[float], method: str = "best") -> Fit:
    """The best of ``FAMILIES`` for these run times (seconds), or a constant; ``method``
    (one of ``METHODS``) forces a family or the empirical distribution."""
    if not samples:
        raise ValueError("no samples to fit")
    if method not in METHODS:
        raise ValueError(f"unknown fit {method!r}; expected one of: {', '.join(METHODS)}")
    if method == "empirical":
        return _empirical(samples)
    if len(set(samples)) < 2:
        return Fit(len(samples), {"constant": seconds(samples[0])}, "constant")
    if len(samples) < MIN_FIT and method == "best":
        spread = {"min": seconds(min(samples)), "max": seconds(max(samples))}
        return Fit(len(samples), {"uniform": spread}, "uniform")
    zeros = sum(1 for x in samples if x <= 0)
    data = [x if x > 0 else RESOLUTION / 2 for x in samples]
    candidates = _candidates(data)
    if not candidates:  # every fit failed: the mean, as a constant
        mean = sum(samples) / len(samples)
        return Fit(len(samples), {"constant": seconds(mean)}, "constant", zeros=zeros)
    ranked = sorted(candidates, key=lambda c: (c.aic, FAMILIES.index(c.family)))
    chosen = [c for c in ranked if c.family == method] or ranked  # a family that did not fit: best
    best = chosen[0]
    others = [c for c in ranked if c is not best]
    return Fit(
        len(samples), best.distribution, best.family, best.aic, best.ks, tuple(others), zeros
    )


def _candidates(data: list[float]) -> list[Candidate]:
    import numpy as np
    from scipy import stats

    x = np.asarray(data, dtype=float)
    out: list[Candidate] = []
    specs: list[tuple[str, Any, int]] = [
        ("lognormal", stats.lognorm, 2),
        ("gamma", stats.gamma, 2),
        ("weibull", stats.weibull_min, 2),
        ("exponential", stats.expon, 1),
    ]
    for family, dist, k in specs:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                params = dist.fit(x, floc=0)
            except (ValueError, RuntimeError, FloatingPointError):
                continue
            loglik = float(np.sum(dist.logpdf(x, *params)))
            ks = float(stats.kstest(x, dist.cdf, args=params).statistic)
        if not math.isfinite(loglik) or not all(math.isfinite(p) for p in params):
            continue
        mapped = _mapped(family, params)
        if mapped is None:
            continue
        out.append(Candidate(family, mapped, 2 * k - 2 * loglik, ks))
    return out


def _mapped(family: str, params: tuple[float, ...]) -> dict[str, Any] | None:
    """scipy's parameters as the scenario's distribution, or ``None`` if degenerate."""
    if family == "exponential":
        _, scale = params
        return {"exponential": {"mean": seconds(scale)}} if round(scale, 3) > 0 else None
    shape, _, scale = params
    if shape <= 0 or round(scale, 3) <= 0:
        return None
    if family == "lognormal":
        return {"lognormal": {"median": seconds(scale), "sigma": _sig(shape)}}
    return {family: {"shape": _sig(shape), "scale": seconds(scale)}}


__all__ = [
    "FAMILIES",
    "MAX_SAMPLES",
    "METHODS",
    "MIN_FIT",
    "RESOLUTION",
    "Candidate",
    "Fit",
    "fit_durations",
    "seconds",
]
