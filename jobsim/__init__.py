"""jobsim: a deterministic discrete-event simulator of Kubernetes Job semantics.

The public API is :mod:`jobsim.api`; the names below are its everyday part.
"""

from __future__ import annotations

from jobsim.api import (
    InvariantViolation,
    Result,
    Scenario,
    ScenarioError,
    explain,
    load_scenario,
    simulate,
)
from jobsim.version import __version__

__all__ = [
    "InvariantViolation",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "explain",
    "load_scenario",
    "simulate",
]
