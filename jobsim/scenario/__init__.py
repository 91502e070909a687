"""The Scenario: its model, its loader, the located problems of a bad one, and spec changes.

``load_scenario`` reads a YAML file (or a dict), applies the API server's defaulting and
validation to every Job manifest, and raises ``ScenarioError`` listing every problem with its
location; the returned ``Scenario`` holds each decoded Job on its entry (``entry.job``).
``scenario_from_manifests`` runs bare Job manifests on a default cluster and workload, and
``load_input`` loads either kind of file (see ``jobsim.scenario.manifests``).
"""

from __future__ import annotations

from jobsim.scenario.loader import decode_job, load_scenario
from jobsim.scenario.manifests import BareOptions, load_input, scenario_from_manifests
from jobsim.scenario.model import (
    Cluster,
    Event,
    JobEntry,
    NodePool,
    Scenario,
    Timing,
    Workload,
    job_key,
)
from jobsim.scenario.problems import ScenarioError, pydantic_problems

__all__ = [
    "BareOptions",
    "Cluster",
    "Event",
    "JobEntry",
    "NodePool",
    "Scenario",
    "ScenarioError",
    "Timing",
    "Workload",
    "decode_job",
    "job_key",
    "load_input",
    "load_scenario",
    "pydantic_problems",
    "scenario_from_manifests",
]
