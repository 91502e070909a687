"""``run``: one checked run of a scenario, as a property test wants it.

Every event of the run is checked against the Job controller's invariants as it happens
(:class:`jobsim.testing.checker.EventChecker`), a run that stops advancing in virtual time or
never ends fails instead of hanging, and the Result keeps the scenario data so that a failing
assertion can show it as YAML. Inside a hypothesis test, the scenario and the timeline of each
run are noted for the minimal failing example (built only when hypothesis reports it).
"""

from __future__ import annotations

import weakref
from os import PathLike
from pathlib import Path
from typing import Any

from hypothesis import currently_in_test_context, note

from jobsim.results import Result
from jobsim.scenario import Scenario, load_scenario
from jobsim.scenario.model import Timing
from jobsim.testing.checker import EventViolation, run_checked
from jobsim.testing.report import failure_report

__all__ = ["JobsimFailure", "forget_runs", "last_run", "noted", "run", "sync_delay"]

MAX_EVENTS = 200_000
"""Kernel events one run may take before it is declared endless."""

_last: list[Result] = []
_noted: weakref.WeakValueDictionary[int, Result] = weakref.WeakValueDictionary()


class JobsimFailure(AssertionError):
    """A run broke an invariant of the Job controller, or a run broke an assertion of
    :mod:`jobsim.testing.assertions`. ``result`` is the run (up to the broken invariant), and
    ``result.source`` its scenario as data when it was kept."""

    def __init__(self, message: str, result: Result | None = None) -> None:
        super().__init__(message)
        self.result = result


class _Report:
    """A failure report built only if hypothesis prints it (``note`` calls ``repr``)."""

    def __init__(self, result: Result) -> None:
        self.result = result

    def __repr__(self) -> str:
        return failure_report(self.result)


def _load(scenario: dict[str, Any] | Scenario | str | PathLike[str]) -> tuple[Scenario, Any]:
    if isinstance(scenario, Scenario):
        return scenario, None
    if isinstance(scenario, dict):
        return load_scenario(scenario), scenario
    if isinstance(scenario, str) and "\n" in scenario:
        raise TypeError(
            "run() takes scenario data (a dict), a Scenario or the path of a scenario file; "
            "this looks like YAML text: pass yaml.safe_load(text) (a manifest alone is not a "
            "scenario: draw scenarios around it with scenarios(manifest))"
        )
    if isinstance(scenario, str | PathLike):
        import yaml

        path = Path(scenario)
        loaded = load_scenario(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return loaded, data if isinstance(data, dict) else None
    raise TypeError(
        "run() takes scenario data (a dict, as the strategies draw it), a Scenario or the "
        f"path of a scenario file, not {type(scenario).__name__}"
    )


def run(
    scenario: dict[str, Any] | Scenario | str | PathLike[str],
    seed: int | None = None,
    *,
    max_events: int = MAX_EVENTS,
) -> Result:
    """Run ``scenario`` (with its own seed unless ``seed`` is given), checking every event.

    Returns the Result, whose ``source`` is the scenario data when it was given as data or as
    a file. Raises :class:`JobsimFailure` at the first broken invariant, or when the run takes
    more than ``max_events`` kernel events (give the scenario a ``horizon``) or stops
    advancing in virtual time; ``jobsim.ScenarioError`` if the scenario is invalid.
    """
    loaded, data = _load(scenario)
    try:
        result = run_checked(loaded, seed, max_events=max_events)
    except EventViolation as e:
        if e.record is None:
            raise
        partial = Result(loaded.name, loaded.seed if seed is None else seed, e.t, e.record)
        partial.source = data
        _last[:] = [partial]
        raise JobsimFailure(f"{e}\n\n{failure_report(partial)}", partial) from None
    result.source = data
    _last[:] = [result]
    if currently_in_test_context():
        note(_Report(result))
        _noted[id(result)] = result
    return result


def noted(result: Result) -> bool:
    """Whether hypothesis will show ``result``'s timeline and scenario with its minimal
    failing example already (:func:`run` noted it), so an assertion need not repeat them."""
    return _noted.get(id(result)) is result


def sync_delay(scenario: dict[str, Any]) -> float:
    """How long after a pod update the Job controller syncs, in seconds: the scenario's
    ``timing.jobSyncDelay`` (seconds or a Go duration), 1 s unless it says otherwise."""
    return Timing.model_validate(scenario.get("timing") or {}).jobSyncDelay


def last_run() -> Result | None:
    """The Result of the latest :func:`run` (the pytest plugin explains it on failure)."""
    return _last[0] if _last else None


def forget_runs() -> None:
    """Forget the latest run (the pytest plugin calls it before each test)."""
    _last.clear()
