"""jobsim: a deterministic discrete-event simulator of Kubernetes Job semantics."""

from __future__ import annotations

__version__ = "0.1.0"

from jobsim.api import load_scenario, simulate
from jobsim.results import Result
from jobsim.scenario import Scenario, ScenarioError

__all__ = ["Result", "Scenario", "ScenarioError", "__version__", "load_scenario", "simulate"]
