"""Duration distributions written as one-key mappings, validated at load time.

``{constant: 10s}``, ``{uniform: {min: 5s, max: 15s}}``, ``{exponential: {mean: 30s}}``,
``{lognormal: {median: 40s, sigma: 0.6}}``, ``{shiftedExponential: {shift: 10s, mean: 30s}}``,
``{gamma: {shape: 2, scale: 20s}}``, ``{weibull: {shape: 1.5, scale: 45s}}`` (numpy's and
scipy.stats' ``gamma(a=shape, scale=scale)`` and ``weibull_min(c=shape, scale=scale)``),
``{empirical: {samples: [52s, 61s, 75s]}}`` (one of the samples, each as likely) or
``{empirical: {quantiles: {0: 40s, 0.5: 60s, 0.9: 80s, 1: 2m}}}`` (the inverse of a cumulative
distribution that is linear between the quantiles given, from 0 to 1).
A bare duration (``10s`` or ``10``) means ``{constant: ...}``. Each knows its mean, so tests can
compare simulated means with analytic ones.
"""

import math
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from jobsim.units import MAX_DURATION_SECONDS, UnitError, format_duration, parse_duration

if TYPE_CHECKING:  # a stream is passed in; loading a scenario (jobsim validate) needs no numpy
    import numpy as np

T = TypeVar("T")


def non_negative(parse: Callable[[Any], T], expected: str) -> Callable[[Any], T]:
    """A pydantic before-validator: ``parse`` the value, refuse booleans and negatives."""

    def validate(v: Any) -> T:
        if isinstance(v, bool):
            raise ValueError(f"expected {expected}")
        try:
            parsed = parse(v)
        except (UnitError, TypeError) as e:
            raise ValueError(str(e)) from None
        if parsed < 0:  # type: ignore[operator]
            raise ValueError(f"must not be negative, got {v!r}")
        return parsed

    return validate


_duration = non_negative(parse_duration, "a duration such as 10s, 1m30s or a number of seconds")


Duration = Annotated[float, BeforeValidator(_duration)]
"""Non-negative seconds, written as a Go duration ("1m30s") or a number of seconds."""


_MAX_SECONDS = float(MAX_DURATION_SECONDS)


def _capped(seconds: float) -> float:
    """A draw no longer than Go's largest ``time.Duration`` (about 292 years): a long tail
    never gives an infinite or out-of-range time."""
    return min(seconds, _MAX_SECONDS)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def most(self) -> float:
        """The largest value a draw can take (``inf`` when unbounded)."""
        return math.inf

    def sample(self, rng: "np.random.Generator") -> float:
        """One draw, in seconds (never negative, never above Go's largest duration)."""
        raise NotImplementedError


class Constant(_Dist):
    """Always the same value."""

    kind: Literal["constant"] = "constant"
    value: Duration

    @property
    def mean(self) -> float:
        return self.value

    @property
    def most(self) -> float:
        return self.value

    def sample(self, rng: "np.random.Generator") -> float:
        return self.value


class Uniform(_Dist):
    """Uniform on [min, max]."""

    kind: Literal["uniform"] = "uniform"
    min: Duration
    max: Duration

    @model_validator(mode="after")
    def _check(self) -> "Uniform":
        if self.max < self.min:
            raise ValueError(
                f"uniform: max ({format_duration(self.max)}) must not be less than min "
                f"({format_duration(self.min)})"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2

    @property
    def most(self) -> float:
        return self.max

    def sample(self, rng: "np.random.Generator") -> float:
        return float(rng.uniform(self.min, self.max))


class Exponential(_Dist):
    """Exponential with the given mean."""

    kind: Literal["exponential"] = "exponential"
    mean_: Duration = Field(alias="mean")

    @model_validator(mode="after")
    def _check(self) -> "Exponential":
        if self.mean_ <= 0:
            raise ValueError("exponential: mean must be greater than 0")
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng: "np.random.Generator") -> float:
        return _capped(float(rng.exponential(self.mean_)))


class Lognormal(_Dist):
    """Log-normal with the given median and shape sigma (of the underlying normal)."""

    kind: Literal["lognormal"] = "lognormal"
    median: Duration
    sigma: float

    @model_validator(mode="after")
    def _check(self) -> "Lognormal":
        if self.median <= 0:
            raise ValueError("lognormal: median must be greater than 0")
        if not self.sigma >= 0 or math.isinf(self.sigma):
            raise ValueError("lognormal: sigma must be a finite number >= 0")
        return self

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def sample(self, rng: "np.random.Generator") -> float:
        return min(float(rng.lognormal(math.log(self.median), self.sigma)), _MAX_SECONDS)  # _capped


class ShiftedExponential(_Dist):
    """``shift`` plus an exponential with the given mean."""

    kind: Literal["shiftedExponential"] = "shiftedExponential"
    shift: Duration
    mean_: Duration = Field(alias="mean")

    @model_validator(mode="after")
    def _check(self) -> "ShiftedExponential":
        if self.mean_ <= 0:
            raise ValueError("shiftedExponential: mean must be greater than 0")
        return self

    @property
    def mean(self) -> float:
        return self.shift + self.mean_

    def sample(self, rng: "np.random.Generator") -> float:
        return _capped(self.shift + float(rng.exponential(self.mean_)))


def _shape_and_scale(kind: str, shape: float, scale: float) -> None:
    if not math.isfinite(shape) or shape <= 0:
        raise ValueError(f"{kind}: shape must be a finite number greater than 0")
    if scale <= 0:
        raise ValueError(f"{kind}: scale must be greater than 0")


class Gamma(_Dist):
    """Gamma with shape k and scale θ: mean kθ."""

    kind: Literal["gamma"] = "gamma"
    shape: float
    scale: Duration

    @model_validator(mode="after")
    def _check(self) -> "Gamma":
        _shape_and_scale("gamma", self.shape, self.scale)
        return self

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    def sample(self, rng: "np.random.Generator") -> float:
        return _capped(float(rng.gamma(self.shape, self.scale)))


class Weibull(_Dist):
    """Weibull with shape k and scale λ: mean λ·Γ(1 + 1/k)."""

    kind: Literal["weibull"] = "weibull"
    shape: float
    scale: Duration

    @model_validator(mode="after")
    def _check(self) -> "Weibull":
        _shape_and_scale("weibull", self.shape, self.scale)
        return self

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def sample(self, rng: "np.random.Generator") -> float:
        return _capped(self.scale * float(rng.weibull(self.shape)))


MAX_EMPIRICAL_POINTS = 100_000
"""The most samples or quantiles an empirical distribution may list."""


class Empirical(_Dist):
    """Observed run times: ``samples`` (a draw is one of them, each as likely) or
    ``quantiles`` (probability → duration, from 0 to 1, non-decreasing; a draw is linear
    between the two quantiles around a uniform probability)."""

    kind: Literal["empirical"] = "empirical"
    samples: list[Duration] | None = None
    quantiles: dict[float, Duration] | None = None

    @model_validator(mode="after")
    def _check(self) -> "Empirical":
        if (self.samples is None) == (self.quantiles is None):
            raise ValueError("empirical: give samples or quantiles (one of them)")
        if self.samples is not None and not self.samples:
            raise ValueError("empirical: samples must not be empty")
        points = self.samples if self.samples is not None else self.quantiles or {}
        if len(points) > MAX_EMPIRICAL_POINTS:
            raise ValueError(f"empirical: at most {MAX_EMPIRICAL_POINTS} points")
        if self.quantiles is not None:
            ps = sorted(self.quantiles)
            if not ps or ps[0] != 0 or ps[-1] != 1 or not all(0 <= p <= 1 for p in ps):
                raise ValueError(
                    "empirical: quantiles are probabilities from 0 to 1 and must include 0 and 1"
                )
            for (p, a), (p2, b) in pairwise(self._points()):
                if b < a:
                    raise ValueError(
                        f"empirical: quantile {p2:g} ({format_duration(b)}) is less than "
                        f"quantile {p:g} ({format_duration(a)})"
                    )
        return self

    def _points(self) -> list[tuple[float, float]]:
        q = self.quantiles or {}
        return sorted(q.items())

    @property
    def mean(self) -> float:
        if self.samples is not None:
            return sum(self.samples) / len(self.samples)
        pts = self._points()
        return sum((p2 - p) * (a + b) / 2 for (p, a), (p2, b) in pairwise(pts))

    @property
    def most(self) -> float:
        if self.samples is not None:
            return max(self.samples)
        return self._points()[-1][1]

    def sample(self, rng: "np.random.Generator") -> float:
        if self.samples is not None:
            return self.samples[int(rng.integers(len(self.samples)))]
        u = float(rng.random())
        pts = self._points()
        for (p, a), (p2, b) in pairwise(pts):
            if u < p2:
                return a + (b - a) * (u - p) / (p2 - p)
        return pts[-1][1]


Distribution = (
    Constant | Uniform | Exponential | Lognormal | ShiftedExponential | Gamma | Weibull | Empirical
)
_KINDS: dict[str, type[_Dist]] = {
    "constant": Constant,
    "uniform": Uniform,
    "exponential": Exponential,
    "lognormal": Lognormal,
    "shiftedExponential": ShiftedExponential,
    "gamma": Gamma,
    "weibull": Weibull,
    "empirical": Empirical,
}


def _to_distribution(v: Any) -> Any:
    if isinstance(v, _Dist):
        return v
    if isinstance(v, dict):
        if len(v) != 1:
            raise ValueError(
                "a distribution is a mapping with exactly one key, one of: " + ", ".join(_KINDS)
            )
        ((kind, params),) = v.items()
        if kind not in _KINDS:
            raise ValueError(f"unknown distribution {kind!r}; expected one of: {', '.join(_KINDS)}")
        if kind == "constant":
            return Constant(value=_duration(params))
        if not isinstance(params, dict):
            raise ValueError(f"{kind}: expected a mapping of parameters")
        return _KINDS[kind].model_validate(params)
    return Constant(value=_duration(v))


DurationDistribution = Annotated[Distribution, BeforeValidator(_to_distribution)]
"""A distribution of durations, or a plain duration meaning a constant."""

__all__ = [
    "Constant",
    "Distribution",
    "Duration",
    "DurationDistribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "ShiftedExponential",
    "Uniform",
    "Weibull",
    "non_negative",
]
