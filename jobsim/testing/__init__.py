"""jobsim's property-testing toolkit, the ``testing`` extra (``pip install ".[testing]"``).

State what must hold of your Job and let hypothesis hunt the pattern of exits, evictions and
node outages that breaks it::

    from hypothesis import given
    from jobsim.testing import assert_max_active, run, scenarios

    @given(scenarios(MANIFEST))            # your manifest, kept as written
    def test_never_more_than_parallelism(scenario):
        assert_max_active(run(scenario), "trainer", 2)

- strategies (:mod:`jobsim.testing.strategies`): :func:`scenarios` around a manifest you fix,
  :func:`failure_patterns`, :func:`node_events`, :func:`clusters`, :func:`job_specs`,
  :func:`workloads`, and :func:`aimed` at rare hazards (:data:`HAZARDS`);
- :func:`run`: a run checked event by event against the Job controller's invariants, that
  keeps the scenario so that failures show it as YAML;
- queries a test reads naturally (:mod:`jobsim.queries`, re-exported here) and typed runs
  (``Result.runs``);
- assertions whose messages show the timeline: :func:`assert_invariants`,
  :func:`assert_max_active`, :func:`assert_terminal`, :func:`assert_failed_pods_at_most`;
- the pytest plugin (:mod:`jobsim.pytest_plugin`): the ``jobsim_run`` fixture,
  ``--jobsim-explain`` and the ``ci``/``dev``/``thorough`` hypothesis profiles.

docs/testing.md is the recipe, with a list of properties that hold (and tempting ones that do
not). Importing this package needs ``hypothesis`` (the ``testing`` extra).
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as e:  # jobsim installed without the testing extra
    raise ImportError(
        f"jobsim.testing needs hypothesis ({e}): install jobsim with its testing extra "
        '(in a checkout of jobsim: pip install ".[testing]")'
    ) from None

from jobsim.queries import (
    ContainerRun,
    PodSummary,
    active_pods,
    condition_time,
    conditions,
    created_after,
    evicted_pods,
    failed_count,
    failed_pods,
    first_exit,
    max_active,
    pods,
    succeeded_pods,
    suspended_while_running,
    time_to_condition,
)
from jobsim.testing.assertions import (
    assert_failed_pods_at_most,
    assert_invariants,
    assert_max_active,
    assert_terminal,
)
from jobsim.testing.checker import EventChecker, EventViolation, check_record
from jobsim.testing.report import failure_report, scenario_yaml
from jobsim.testing.runner import JobsimFailure, last_run, run, sync_delay
from jobsim.testing.strategies import (
    DEFAULT_TIMING,
    HAZARDS,
    ZERO_TIMING,
    aimed,
    clusters,
    failure_patterns,
    job_specs,
    node_events,
    scenarios,
    workloads,
)

__all__ = [
    "DEFAULT_TIMING",
    "HAZARDS",
    "ZERO_TIMING",
    "ContainerRun",
    "EventChecker",
    "EventViolation",
    "JobsimFailure",
    "PodSummary",
    "active_pods",
    "aimed",
    "assert_failed_pods_at_most",
    "assert_invariants",
    "assert_max_active",
    "assert_terminal",
    "check_record",
    "clusters",
    "condition_time",
    "conditions",
    "created_after",
    "evicted_pods",
    "failed_count",
    "failed_pods",
    "failure_patterns",
    "failure_report",
    "first_exit",
    "job_specs",
    "last_run",
    "max_active",
    "node_events",
    "pods",
    "run",
    "scenario_yaml",
    "scenarios",
    "succeeded_pods",
    "suspended_while_running",
    "sync_delay",
    "time_to_condition",
    "workloads",
]
