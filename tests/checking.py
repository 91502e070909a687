"""Checked runs of drawn scenarios: the one piece of ``jobsim.testing.checker`` use that is
the test suite's own.

Where a known jobsim bug needs setting aside, :func:`run_drawn` is the place: ``assume`` or
``reject`` the scenarios that hit it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import note

from jobsim.results import Result
from jobsim.scenario import load_scenario
from jobsim.testing.checker import run_checked


def run_drawn(data: dict[str, Any], seed: int | None = None) -> Result:
    """Inside a hypothesis test: load and :func:`run_checked` a drawn scenario, noting it so
    that a failure report shows the scenario dict."""
    note(f"scenario: {data}")
    return run_checked(load_scenario(data), seed)
