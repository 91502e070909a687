"""``simulate``: one run of a scenario, from its Scenario to its Result."""

from __future__ import annotations

from jobsim.invariants import CheckingRecorder
from jobsim.record import Recorder
from jobsim.results import Result
from jobsim.scenario import Scenario
from jobsim.sim.simulation import Simulation


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    recorder: Recorder | None = None,
    until: float | None = None,
    check: bool = False,
) -> Result:
    """Run ``scenario`` (with its own seed unless ``seed`` is given) and return its Result.

    ``check=True`` is the debug mode: every Job status the controller writes is checked
    against the API server's status rules, and a violation raises ``InvariantViolation``.
    """
    rec = recorder if recorder is not None else (CheckingRecorder() if check else Recorder())
    sim = Simulation(scenario, rec, seed)
    sim.run(until if until is not None else scenario.horizon)
    return Result(scenario.name, sim.seed, sim.clock.now, rec)


__all__ = ["simulate"]
