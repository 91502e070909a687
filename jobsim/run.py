"""``simulate``: one run of a scenario, from its Scenario to its Result."""

from __future__ import annotations

from collections.abc import Mapping

from jobsim.invariants import CheckingRecorder
from jobsim.k8s.features import feature_gates as check_gates
from jobsim.record import Recorder
from jobsim.results import Result
from jobsim.scenario import Scenario
from jobsim.scenario.model import DEFAULT_HORIZON
from jobsim.sim.simulation import Simulation


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    recorder: Recorder | None = None,
    until: float | None = None,
    check: bool = False,
    kubernetes_version: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
) -> Result:
    """Run ``scenario`` (with its own seed unless ``seed`` is given) and return its Result.

    ``kubernetes_version`` and ``feature_gates`` run it on another release, with gates set
    over the scenario's ``featureGates``, as its keys ``kubernetesVersion``/``featureGates``
    do: the controller behaves as that release's and the fields of a disabled gate are
    dropped as the API server drops them. (The Jobs were validated when the scenario was
    loaded; ``load_scenario(..., kubernetes_version=, feature_gates=)`` also validates them
    as that release does.) A release or gate the cluster refuses raises
    ``FeatureGateError``.

    ``check=True`` is the debug mode: every Job status the controller writes is checked
    against the API server's status rules, and a violation raises ``InvariantViolation``.

    The run stops at ``until``, else the scenario's ``horizon``, else :data:`DEFAULT_HORIZON`,
    or earlier when nothing is left to happen; its ``end`` is that stop when a Job could still
    change there, else the time of the last thing that happened. A run whose virtual time
    stops advancing raises ``RunStuck``.
    """
    if kubernetes_version is not None or feature_gates:
        scenario = with_release(scenario, kubernetes_version, feature_gates)
    rec = recorder if recorder is not None else (CheckingRecorder() if check else Recorder())
    sim = Simulation(scenario, rec, seed)
    limit = until if until is not None else scenario.stop_time
    sim.run(limit)
    return Result(scenario.name, sim.seed, sim.end(limit), rec)


def with_release(
    scenario: Scenario,
    kubernetes_version: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
) -> Scenario:
    """A copy of ``scenario`` on ``kubernetes_version`` (default: its own) with
    ``feature_gates`` set over its ``featureGates``; ``FeatureGateError`` for a release or
    gate the cluster refuses."""
    release = kubernetes_version if kubernetes_version is not None else scenario.kubernetesVersion
    gates = {**scenario.featureGates, **(feature_gates or {})}
    check_gates(release, gates)
    return scenario.model_copy(update={"kubernetesVersion": release, "featureGates": gates})


__all__ = ["DEFAULT_HORIZON", "simulate", "with_release"]
