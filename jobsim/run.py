"""``simulate``: one run of a scenario, from its Scenario to its Result."""

from __future__ import annotations

from jobsim.invariants import CheckingRecorder
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
) -> Result:
    """Run ``scenario`` (with its own seed unless ``seed`` is given) and return its Result.

    ``check=True`` is the debug mode: every Job status the controller writes is checked
    against the API server's status rules, and a violation raises ``InvariantViolation``.

    The run stops at ``until``, else the scenario's ``horizon``, else :data:`DEFAULT_HORIZON`,
    or earlier when nothing is left to happen; its ``end`` is that stop when a Job could still
    change there, else the time of the last thing that happened. A run whose virtual time
    stops advancing raises ``RunStuck``.
    """
    rec = recorder if recorder is not None else (CheckingRecorder() if check else Recorder())
    sim = Simulation(scenario, rec, seed)
    limit = until if until is not None else scenario.stop_time
    sim.run(limit)
    return Result(scenario.name, sim.seed, sim.end(limit), rec)


__all__ = ["DEFAULT_HORIZON", "simulate"]
