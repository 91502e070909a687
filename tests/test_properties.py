"""Property tests: whole simulations of drawn scenarios, checked at every recorded event.

Scenarios come from :mod:`jobsim.testing.strategies`; :class:`jobsim.testing.checker.EventChecker`
asserts the Job invariants (upstream job_controller.go ``manageJob`` and ``syncJob``,
backoff_utils.go, indexed_job_utils.go, and the API server's status validation) after every
event. The number of examples follows the hypothesis profile (tests/conftest.py): with ``ci``
these tests run 1 100 examples. The backoff policy's own properties (monotone, capped delays)
live in tests/test_policy_backoff.py.

Bugs these properties found are pinned at the end of this file by their minimal scenarios. A
bug found and not yet fixed gets such a test marked ``xfail(strict=True)``, and the property
tests set its scenarios aside in ``tests.checking.run_drawn`` so that they keep checking
everything else; the fix turns the xfail into a failure, a reminder to remove both.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from jobsim import ScenarioError, load_scenario, simulate
from jobsim.k8s.job import Job
from jobsim.scenario import decode_job
from jobsim.testing.checker import EventChecker, check_record, run_checked
from jobsim.testing.strategies import clusters, job_specs, scenarios
from jobsim.units import parse_quantity
from tests.checking import run_drawn
from tests.helpers import created_times, job_manifest, scenario

EXAMPLES = settings().max_examples  # from the loaded profile
SIM = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --- the strategies' contract --------------------------------------------------------------


@pytest.mark.slow
@SIM
@given(job_specs())
def test_job_specs_pass_the_loader(manifest: dict[str, Any]) -> None:
    """Every drawn manifest decodes, defaults and validates as the API server would."""
    assert isinstance(decode_job(manifest), Job)


@pytest.mark.slow
@SIM
@given(scenarios())
def test_scenarios_pass_the_loader(data: dict[str, Any]) -> None:
    """Every drawn scenario loads, events and spec updates included."""
    loaded = load_scenario(data)
    assert len(loaded.manifests) == len(data["jobs"])


# --- invariants at every event -------------------------------------------------------------


@pytest.mark.slow
@settings(SIM, max_examples=8 * EXAMPLES)
@given(scenarios())
def test_invariants_hold_at_every_event(data: dict[str, Any]) -> None:
    """Zero and default latencies, node and job events: no recorded event breaks a rule, and
    the record, replayed, passes the same rules after the fact."""
    checker = run_drawn(data).recorder
    assert isinstance(checker, EventChecker)
    assert checker.checked > 0
    assert check_record(checker) > 0


def _fits(manifest: dict[str, Any], cluster: dict[str, Any]) -> bool:
    """Whether the Job's pods fit on some node (cpu is the only request drawn)."""
    pod = manifest["spec"]["template"]["spec"]
    cpu = pod["containers"][0].get("resources", {}).get("requests", {}).get("cpu", "0")
    return any(
        p["count"] > 0 and parse_quantity(p["capacity"]["cpu"]) >= parse_quantity(cpu)
        for p in cluster["nodePools"]
    )


def _can_finish(manifest: dict[str, Any], cluster: dict[str, Any]) -> bool:
    """Jobs that must end on their own: they run, fit, and no rule ignores failures for ever."""
    spec = manifest["spec"]
    rules = spec.get("podFailurePolicy", {}).get("rules", [])
    return (
        not spec.get("suspend", False)
        and spec.get("parallelism", 1) > 0
        and _fits(manifest, cluster)
        and all(r["action"] != "Ignore" for r in rules)
    )


@pytest.mark.slow
@settings(SIM, max_examples=EXAMPLES)
@given(
    scenarios(max_events=0, cluster=clusters(min_nodes=1, autoscaling=False)).filter(
        lambda d: all(_can_finish(j["manifest"], d["cluster"]) for j in d["jobs"])
    )
)
def test_every_job_finishes(data: dict[str, Any]) -> None:
    """Liveness: with no outside events, every Job that runs and fits ends Complete or Failed
    well within the 6 h horizon (the longest backoff chain drawn is about 11 min)."""
    result = run_drawn(data)
    for key, job in result.recorder.jobs.items():
        types = {c["type"] for c in job.status["conditions"] if c["status"] == "True"}
        assert types & {"Complete", "Failed"}, f"job {key} never finished: {job.status}"


# --- regressions: bugs these properties found --------------------------------------------

FLOAT_FAILURE = {"duration": "1.4s", "failure": {"probability": 1.0}}


def test_backoff_expiry_in_float_time_zero_latency() -> None:
    """Found by test_invariants_hold_at_every_event (fixed in d51bca2): with jobSyncDelay 0 and
    failure times that are not whole seconds, ``backoff - (now - lastFailure)`` came out as
    3.6e-15 s and the sync requeued itself at the same instant for ever.
    Fails at 1.4, 10 s backoff -> pod 2 at 11.4, fails at 12.8, 20 s -> pod 3 at 32.8 (the
    ideal model: exact finish times, which the round-off needs)."""
    data = scenario((job_manifest(backoffLimit=2), FLOAT_FAILURE), nodes=1)
    data["controlPlane"] = "ideal"
    result = run_checked(load_scenario(data), max_events_at_one_time=1000)
    assert [p.createdAt for p in result.recorder.pods.values()] == pytest.approx([0, 11.4, 32.8])


def test_backoff_expiry_in_float_time_default_latency() -> None:
    """The same round-off with jobSyncDelay 1s delayed the third pod by 1 s (33.8)."""
    timing = {"jobSyncDelay": "1s", "containerStart": 0}
    data = scenario((job_manifest(backoffLimit=2), FLOAT_FAILURE), nodes=1, timing=timing)
    data["controlPlane"] = "ideal"
    assert created_times(simulate(load_scenario(data))) == pytest.approx([0, 11.4, 32.8])


def test_a_pod_that_runs_is_not_a_failure_for_the_checker() -> None:
    """Found by test_invariants_hold_at_every_event: the checker took a pod's phase Running for
    Failed (an ``else`` after the Succeeded test), so a pod deleted by a suspension and
    replaced at the resume counted as its index's failure, and backoffLimitPerIndex 0 looked
    exceeded. Upstream deleteJobPods removes the tracking finalizer before the DELETE, so such
    a pod is no failure: the replacement at 2 s is its index's second try, not a retry."""
    manifest = job_manifest(completionMode="Indexed", completions=1, backoffLimitPerIndex=0)
    timing = {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0}
    data = scenario((manifest, {"duration": 2}), nodes=1, timing=timing)
    data["events"] = [{"at": 1, "suspend": "job"}, {"at": 2, "resume": "job"}]
    result = run_checked(load_scenario(data))
    assert created_times(result) == [0, 2]
    assert result.job("job")["status"]["succeeded"] == 1


def test_a_finished_indexed_job_keeps_its_completed_indexes_after_a_scale() -> None:
    """Found by test_invariants_hold_at_every_event: the checker dropped the completed indexes
    a scale-down puts out of range even for a finished Job, whose status no sync rewrites
    (upstream syncJob returns early for a finished Job), so "completedIndexes: 0" looked
    wrong, in the replay, after completions went to 0 at 1 s."""
    manifest = job_manifest(completionMode="Indexed", completions=1)
    timing = {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0}
    data = scenario((manifest, {"duration": 0}), nodes=1, timing=timing)
    data["events"] = [{"at": 1, "scale": {"job": "job", "parallelism": 0, "completions": 0}}]
    result = run_checked(load_scenario(data))
    assert check_record(result.recorder) > 0  # the replay saw the scale at 1 s after the end
    assert result.job("job")["status"]["completedIndexes"] == "0"
    assert result.job("job")["status"]["completionTime"] == 0


@pytest.mark.parametrize(
    "event",
    [
        {"at": 0, "suspend": "job"},
        {"at": 0, "scale": {"job": "job", "parallelism": 2}},
        {"at": "9s", "deletePod": {"job": "job"}},
    ],
    ids=["suspend", "scale", "deletePod"],
)
def test_event_before_submit_is_refused(event: dict[str, Any]) -> None:
    """Found by test_invariants_hold_at_every_event (fixed in d51bca2): a suspend or scale
    before the Job's submitAt synced a Job that did not exist yet (KeyError in the recorder).
    Such events are now refused at load, as the API server would answer NotFound."""
    data = scenario((job_manifest(), {"duration": 5}), events=[event])
    data["jobs"][0]["submitAt"] = "10s"
    with pytest.raises(ScenarioError, match="does not exist yet"):
        load_scenario(data)
