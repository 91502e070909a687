"""The gamma and Weibull duration distributions: parameters checked at load, means analytic,
draws those of numpy's ``gamma(shape, scale)`` and ``scale * weibull(shape)``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from jobsim.distributions import DurationDistribution, Gamma, Weibull


class Holder(BaseModel):
    d: DurationDistribution


def test_gamma_reads_its_parameters_and_knows_its_mean() -> None:
    g = Holder.model_validate({"d": {"gamma": {"shape": 2, "scale": "20s"}}}).d
    assert isinstance(g, Gamma) and g.mean == 40.0  # k·θ = 2·20


def test_weibull_reads_its_parameters_and_knows_its_mean() -> None:
    w = Holder.model_validate({"d": {"weibull": {"shape": 1, "scale": "30s"}}}).d
    assert isinstance(w, Weibull) and w.mean == pytest.approx(30.0)  # k=1: exponential, λ·Γ(2)
    w2 = Weibull(shape=2, scale=10)
    assert w2.mean == pytest.approx(10 * math.sqrt(math.pi) / 2)  # Γ(1.5) = √π/2


@pytest.mark.parametrize("kind", [Gamma, Weibull])
def test_sample_means_approach_the_analytic_mean(kind: type[Gamma] | type[Weibull]) -> None:
    d = kind(shape=1.7, scale=12)
    rng = np.random.default_rng(5)
    draws = [d.sample(rng) for _ in range(20_000)]
    assert min(draws) >= 0
    assert np.mean(draws) == pytest.approx(d.mean, rel=0.03)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"gamma": {"shape": 0, "scale": "10s"}}, "gamma: shape must be a finite number"),
        ({"gamma": {"shape": 2, "scale": 0}}, "gamma: scale must be greater than 0"),
        ({"weibull": {"shape": -1, "scale": "10s"}}, "weibull: shape must be a finite number"),
        ({"weibull": {"shape": float("inf"), "scale": 1}}, "weibull: shape must be a finite"),
        ({"weibull": {"shape": 1, "scale": "-5s"}}, "must not be negative"),
        ({"gamma": {"shape": 1}}, "Field required"),
    ],
)
def test_bad_parameters_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        Holder.model_validate({"d": params})
    assert message in str(err.value)
