"""The gamma and Weibull duration distributions: parameters checked at load, means analytic,
draws those of numpy's ``gamma(shape, scale)`` and ``scale * weibull(shape)``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from jobsim.distributions import DurationDistribution, Empirical, Gamma, Weibull


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


def test_empirical_samples_draw_each_sample_alike() -> None:
    e = Holder.model_validate({"d": {"empirical": {"samples": ["10s", "20s", 60]}}}).d
    assert isinstance(e, Empirical)
    assert e.mean == 30.0 and e.most == 60.0  # (10 + 20 + 60) / 3
    rng = np.random.default_rng(1)
    draws = [e.sample(rng) for _ in range(3000)]
    assert set(draws) == {10.0, 20.0, 60.0}
    assert draws.count(10.0) / 3000 == pytest.approx(1 / 3, abs=0.03)


def test_empirical_quantiles_interpolate_linearly() -> None:
    e = Holder.model_validate(
        {"d": {"empirical": {"quantiles": {0: "40s", 0.5: "60s", 1: "2m"}}}}
    ).d
    assert isinstance(e, Empirical)
    # the mean of a piecewise-linear inverse CDF: 0.5·(40+60)/2 + 0.5·(60+120)/2 = 70
    assert e.mean == 70.0 and e.most == 120.0
    rng = np.random.default_rng(2)
    draws = [e.sample(rng) for _ in range(20_000)]
    assert min(draws) >= 40 and max(draws) <= 120
    assert float(np.median(draws)) == pytest.approx(60, abs=1.5)
    assert float(np.mean(draws)) == pytest.approx(70, rel=0.02)


def test_empirical_quantiles_load_from_yaml_keys() -> None:
    import yaml

    data = yaml.safe_load("d: {empirical: {quantiles: {0: 1s, 0.25: 2s, 1: 4s}}}")
    e = Holder.model_validate(data).d
    assert isinstance(e, Empirical) and e.quantiles == {0.0: 1.0, 0.25: 2.0, 1.0: 4.0}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give samples or quantiles (one of them)"),
        ({"samples": [1], "quantiles": {0: 1, 1: 2}}, "give samples or quantiles"),
        ({"samples": []}, "samples must not be empty"),
        ({"samples": ["-1s"]}, "must not be negative"),
        ({"quantiles": {0.1: 1, 1: 2}}, "must include 0 and 1"),
        ({"quantiles": {0: 1, 1.5: 2}}, "must include 0 and 1"),
        ({"quantiles": {0: "5s", 0.5: "3s", 1: "9s"}}, "quantile 0.5 (3s) is less than quantile 0"),
    ],
)
def test_bad_empirical_distributions_are_refused(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        Holder.model_validate({"d": {"empirical": params}})
    assert message in str(err.value)
