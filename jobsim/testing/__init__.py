"""jobsim's property-testing toolkit: ``pip install "jobsim[testing]"``.

Hypothesis strategies that draw failure patterns, node events and clusters around a manifest
you fix (:mod:`jobsim.testing.strategies`), a checked run (:func:`run`), queries a test reads
naturally, assertion helpers whose messages show the timeline and the scenario as YAML, and a
pytest plugin (the ``jobsim_run`` fixture, ``--jobsim-explain``). docs/testing.md is the
recipe. Importing it needs ``hypothesis`` (the ``testing`` extra).
"""

from __future__ import annotations

from jobsim.testing.strategies import (
    DEFAULT_TIMING,
    ZERO_TIMING,
    clusters,
    job_specs,
    scenarios,
    workloads,
)

__all__ = [
    "DEFAULT_TIMING",
    "ZERO_TIMING",
    "clusters",
    "job_specs",
    "scenarios",
    "workloads",
]
