"""docs/properties.md, tested: each property of a Job listed there holds, and the tempting
false property next to it is falsified by hypothesis within its default 100 examples.

Each pair has a test of the true property (``@given`` over drawn scenarios; the suite's ``ci``
profile runs 100 derandomized examples) and a test that ``hypothesis.find`` reaches a
counterexample of the false one, derandomized with no example database, so that the same one
is found on every run. Found is what counts, so they do not shrink it (shrinking would run many
more simulations); they pin what makes it a counterexample (a lost node, two pods counted in
one sync, a container outliving its pod's deletion …), not its incidental numbers.

The Jobs are small and realistic: a trainer that runs 4 pods 2 at a time (with no
podFailurePolicy, and with two orders of the same two rules), a one-pod nightly report, and an
Indexed Job of 4 shards.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from jobsim import load_scenario, simulate
from jobsim.results import Result
from jobsim.testing import (
    assert_failed_pods_at_most,
    assert_max_active,
    clusters,
    condition_time,
    conditions,
    failed_count,
    failure_patterns,
    first_exit,
    node_events,
    pods,
    run,
    scenarios,
    suspended_while_running,
    sync_delay,
    time_to_condition,
    workloads,
)
from jobsim.units import parse_duration

# Property tests, 100 examples each: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

# --- the Jobs ------------------------------------------------------------------------------

TRAINER = """
apiVersion: batch/v1
kind: Job
metadata: {name: trainer}
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: "registry.example/trainer:1.0"}
"""
"""4 pods' worth of work, 2 at a time; no podFailurePolicy, so podReplacementPolicy defaults
to TerminatingOrFailed."""

FAIL_ON_42 = """    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}
"""
IGNORE_DISRUPTIONS = """    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
"""
POLICY = """  podFailurePolicy:
    rules:
"""
TRAINER_42_FIRST = TRAINER.replace(
    "  template:", POLICY + FAIL_ON_42 + IGNORE_DISRUPTIONS + "  template:"
)
"""Exit 42 ("bad input data") fails the Job; disruptions are free. With a podFailurePolicy,
podReplacementPolicy defaults to Failed."""
TRAINER_IGNORE_FIRST = TRAINER.replace(
    "  template:", POLICY + IGNORE_DISRUPTIONS + FAIL_ON_42 + "  template:"
)
"""The same two rules in the other order."""

NIGHTLY = """
apiVersion: batch/v1
kind: Job
metadata: {name: nightly}
spec:
  backoffLimit: 7
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: "registry.example/report:2.1"}
"""
"""One pod at a time, up to 8 attempts: enough failures in a row to reach the backoff cap."""

SHARDS = """
apiVersion: batch/v1
kind: Job
metadata: {name: shards}
spec:
  completionMode: Indexed
  completions: 4
  parallelism: 2
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: "registry.example/shard:1.0"}
"""

JOB = "trainer"
PARALLELISM = 2
BACKOFF_LIMIT = 3
BACKOFF_BASE = 10.0
BACKOFF_CAP = 600.0

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""For the true properties: the loaded profile's examples (``ci``: 100, derandomized)."""
FIND = settings(
    max_examples=1000,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
"""For the false ones: derandomized and not shrunk. Hypothesis also draws constants found in the
project's modules already imported, so what it draws depends on the tests that ran before (a
counter-example found in 100 examples alone was missed after any other test): 1,000 examples
are a margin, and the search stops at the first counter-example."""

LINGERING = failure_patterns(max_termination_delay=30)
"""Runs that may take up to 30 s to exit after SIGTERM (within the default 30 s grace)."""
LINGERING_42 = failure_patterns(exit_codes=[1, 42], max_attempts=5, max_termination_delay=30)
"""The same, with exit 42 among the scripted codes, as many attempts as the trainer may fail."""


# --- helpers: what jobsim.queries does not answer directly ---------------------------------


def seconds(at: float | str) -> float:
    """An event's ``at``: seconds or a Go duration."""
    return parse_duration(at) if isinstance(at, str) else float(at)


def events_of(scenario: dict[str, Any], kind: str) -> list[tuple[float, str]]:
    """``(time, subject)`` of the scenario's events of one kind."""
    return [(seconds(e["at"]), e[kind]) for e in scenario.get("events", []) if kind in e]


def status(result: Result, job: str) -> dict[str, Any]:
    """The Job's final status."""
    out: dict[str, Any] = result.job(job)["status"]
    return out


def failed(result: Result, job: str = JOB) -> int:
    """The Job's final ``status.failed``."""
    return int(status(result, job).get("failed", 0))


def finished(result: Result, job: str) -> bool:
    """Whether the Job got ``Complete`` or ``Failed``."""
    return any(condition_time(result, job, c) is not None for c in ("Complete", "Failed"))


def disrupted_at(result: Result) -> dict[str, float]:
    """When each pod got ``DisruptionTarget=True``, by pod name."""
    return {
        p["name"]: float(c["lastTransitionTime"])
        for p in result.pods()
        for c in p["conditions"]
        if c["type"] == "DisruptionTarget" and c["status"] == "True"
    }


def terminating(result: Result, job: str, t: float) -> list[str]:
    """The Job's pods being deleted at ``t``: deletion timestamp set by then, not yet Succeeded or
    Failed, not yet gone."""
    return [
        p.name
        for p in result.lives.pods_of(result.job_key(job))
        if p.deleted is not None
        and p.deleted <= t
        and all(s is None or s > t for s in (p.terminal, p.removed))
    ]


def most_running(result: Result, job: str) -> tuple[int, float]:
    """The most containers of the Job running at once, and the first instant it happens.
    Only runs whose exit was seen (``ContainerRun.end``) count."""
    deltas = sorted(
        (t, d)
        for r in result.runs(job)
        if r.end is not None and r.end > r.start
        for t, d in ((r.start, 1), (r.end, -1))
    )
    most, when, now = 0, 0.0, 0
    for t, d in deltas:  # at equal times the exits (-1) come first
        now += d
        if now > most:
            most, when = now, t
    return most, when


def ran_while_suspended(result: Result, job: str, scenario: dict[str, Any]) -> bool:
    """Whether a container of the Job ran for a positive time while it was suspended (from
    each ``suspend`` event to the next ``resume``), whether or not its pod was being
    deleted. Only runs whose exit was seen count."""
    marks = sorted(
        [(t, True) for t, _ in events_of(scenario, "suspend")]
        + [(t, False) for t, _ in events_of(scenario, "resume")]
    )
    spans: list[tuple[float, float]] = []
    since: float | None = None
    for t, suspend in marks:
        if suspend and since is None:
            since = t
        elif not suspend and since is not None:
            spans.append((since, t))
            since = None
    if since is not None:
        spans.append((since, math.inf))
    return any(
        max(r.start, s) < min(r.end, e)
        for r in result.runs(job)
        if r.end is not None
        for s, e in spans
    )


def fails_by_next_sync(result: Result, job: str, since: float, delay: float) -> bool:
    """The Job was failing already at ``since``, or got ``FailureTarget`` with reason
    PodFailurePolicy at most ``delay`` later."""
    failing = condition_time(result, job, "FailureTarget")
    if failing is not None and failing < since:
        return True
    later = time_to_condition(result, job, "FailureTarget", since=since)
    mark = next((c for c in conditions(result, job) if c.type == "FailureTarget"), None)
    return (
        later is not None
        and later <= delay
        and mark is not None
        and mark.reason == "PodFailurePolicy"
    )


def suspensions(job: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A ``suspend`` of the Job in its first 2 minutes, perhaps ``resume``-d up to 5 min later."""

    def events(times: tuple[int, int]) -> list[dict[str, Any]]:
        at, later = times
        out: list[dict[str, Any]] = [{"at": at, "suspend": job}]
        if later:
            out.append({"at": at + later, "resume": job})
        return out

    return st.tuples(st.integers(0, 120), st.integers(0, 300)).map(events)


def node_events_and_suspensions(nodes: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.tuples(node_events(nodes=nodes), suspensions(JOB)).map(
        lambda both: sorted(both[0] + both[1], key=lambda e: seconds(e["at"]))
    )


# --- 1. failed pods <= backoffLimit + parallelism ------------------------------------------


@PROPERTY
@given(scenarios(TRAINER))
def test_failed_pods_at_most_backoff_limit_plus_parallelism(scenario: dict[str, Any]) -> None:
    assert_failed_pods_at_most(run(scenario), JOB, BACKOFF_LIMIT + PARALLELISM)


def test_failed_pods_may_exceed_backoff_limit_plus_one() -> None:
    example = find(scenarios(TRAINER), lambda s: failed(run(s)) > BACKOFF_LIMIT + 1, settings=FIND)
    result = run(example)
    failing = condition_time(result, JOB, "FailureTarget")
    assert failing is not None
    # The sync that made the Job fail counted more than one pod: more than one failed
    # between two syncs, or it counted the pods it deleted as failed.
    counted = [
        p
        for p in result.lives.pods_of(result.job_key(JOB))
        if p.counted == "failed" and p.counted_at == failing
    ]
    assert len(counted) >= 2


# --- 2. FailureTarget at once; Failed waits for terminating pods ---------------------------


@PROPERTY
@given(scenarios(TRAINER, failures=LINGERING))
def test_failure_target_at_once_failed_once_no_pod_terminates(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    exceeded = next((t for t, n in failed_count(result, JOB) if n > BACKOFF_LIMIT), None)
    if exceeded is not None:
        failing = condition_time(result, JOB, "FailureTarget")
        assert failing is not None and failing <= exceeded
    failed_at = condition_time(result, JOB, "Failed")
    if failed_at is not None:
        assert terminating(result, JOB, failed_at) == []


def failed_late(scenario: dict[str, Any]) -> bool:
    """FailureTarget came, and Failed did not follow within 2 minutes."""
    result = run(scenario)
    failing = condition_time(result, JOB, "FailureTarget")
    if failing is None:
        return False
    after = time_to_condition(result, JOB, "Failed", since=failing)
    return after is None or after > 120


def test_failed_may_not_come_within_two_minutes() -> None:
    example = find(scenarios(TRAINER), failed_late, settings=FIND)
    result = run(example)
    # A node stopped reporting; a pod on it, deleted, stays terminating to the end of the run,
    # so Failed never comes.
    assert events_of(example, "nodeDown")
    assert terminating(result, JOB, result.end)
    assert condition_time(result, JOB, "Failed") is None


# --- 3. active pods <= parallelism; running containers may exceed it ----------------------


@PROPERTY
@given(scenarios(TRAINER, failures=LINGERING))
def test_active_pods_at_most_parallelism(scenario: dict[str, Any]) -> None:
    assert_max_active(run(scenario), JOB, PARALLELISM)


DRAINS = scenarios(
    TRAINER,
    cluster=clusters(TRAINER, max_pools=1, min_nodes=2, autoscaling=False),
    failures=LINGERING,
    events=st.just([]),
    hazards=st.just("drain"),
)
"""A node drained while a container runs on it, with another node to run a replacement, and
containers that may take up to 30 s to exit after SIGTERM. Drains only: every exit is seen."""


def test_running_containers_may_exceed_parallelism() -> None:
    example = find(DRAINS, lambda s: most_running(run(s), JOB)[0] > PARALLELISM, settings=FIND)
    result = run(example)
    _, when = most_running(result, JOB)
    assert events_of(example, "drain")
    # Among the containers running then, one's pod was deleted (evicted) before that instant:
    # it runs on through its grace period while its replacement runs.
    deleted = {p.name: p.deleted for p in pods(result, JOB)}
    lingering = [
        r
        for r in result.runs(JOB)
        if r.start <= when < (r.end or math.inf) and (deleted[r.pod] or math.inf) <= when
    ]
    assert lingering


# --- 4. exit 42 fails the Job by the next sync after it is reported ------------------------


@PROPERTY
@given(scenarios(TRAINER_42_FIRST, failures=LINGERING_42))
def test_exit_42_fails_the_job_by_the_sync_after_it_is_reported(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    exit42 = first_exit(result, JOB, 42)
    if exit42 is not None and exit42.reported is not None:
        assert fails_by_next_sync(result, JOB, exit42.reported, sync_delay(scenario))


def test_exit_42_may_fail_the_job_long_after_the_exit() -> None:
    def late(scenario: dict[str, Any]) -> bool:
        result = run(scenario)
        exit42 = first_exit(result, JOB, 42)
        if exit42 is None or exit42.end is None:
            return False
        return not fails_by_next_sync(result, JOB, exit42.end, sync_delay(scenario))

    example = find(scenarios(TRAINER_42_FIRST, hazards=st.just("nodeLost")), late, settings=FIND)
    result = run(example)
    exit42 = first_exit(result, JOB, 42)
    assert exit42 is not None and exit42.end is not None and exit42.reported is not None
    # It exited while its node was not reporting; the controller learned of it at nodeUp.
    assert exit42.reported > exit42.end
    assert any(t < exit42.end and node == exit42.node for t, node in events_of(example, "nodeDown"))
    assert (exit42.reported, exit42.node) in events_of(example, "nodeUp")


# --- 5. the first matching rule decides ----------------------------------------------------


def undisrupted_exit_42_fails_the_job(scenario: dict[str, Any], result: Result) -> bool:
    """The earliest reported exit 42 of a pod that never got DisruptionTarget fails the Job
    by the next sync (or the Job was failing already)."""
    disrupted = disrupted_at(result)
    reports = [
        r.reported
        for r in result.runs(JOB)
        if r.exit_code == 42 and r.reported is not None and r.pod not in disrupted
    ]
    return not reports or fails_by_next_sync(result, JOB, min(reports), sync_delay(scenario))


@PROPERTY
@given(scenarios(TRAINER_IGNORE_FIRST, failures=LINGERING_42))
def test_exit_42_of_an_undisrupted_pod_fails_the_job(scenario: dict[str, Any]) -> None:
    assert undisrupted_exit_42_fails_the_job(scenario, run(scenario))


def test_an_exit_42_may_be_ignored() -> None:
    def survives_exit_42(scenario: dict[str, Any]) -> bool:
        result = run(scenario)
        exit42 = first_exit(result, JOB, 42)
        if exit42 is None or exit42.reported is None:
            return False
        return not fails_by_next_sync(result, JOB, exit42.reported, sync_delay(scenario))

    example = find(
        scenarios(TRAINER_IGNORE_FIRST, hazards=st.just("nodeLost")),
        survives_exit_42,
        settings=FIND,
    )
    result = run(example)
    exit42 = first_exit(result, JOB, 42)
    assert exit42 is not None
    (pod,) = [p for p in pods(result, JOB) if p.name == exit42.pod]
    # Its pod got DisruptionTarget before the exit reached the controller; the Ignore rule,
    # listed first, matched it, so it did not fail the Job, nor did it count.
    assert pod.disruption is not None and pod.counted == "ignored"


# --- 6. no replacement before the pod-failure backoff --------------------------------------


def backoff(failures: int) -> float:
    """backoff_utils.go getRemainingTimeForFailuresCount: 10 s doubled per failure after the
    first, at most 10 min."""
    return min(BACKOFF_BASE * 2.0 ** (failures - 1), BACKOFF_CAP)


EXITS_ONLY = scenarios(NIGHTLY, events=st.just([]), hazards=st.sampled_from([None, "lastAttempt"]))
"""Failures by exit only: no node events, so every failed pod's finish time is its exit."""


@PROPERTY
@given(EXITS_ONLY)
def test_no_replacement_before_the_backoff(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    made = pods(result, "nightly")
    for n, (failed_pod, replacement) in enumerate(itertools.pairwise(made), start=1):
        # One pod at a time: each pod before the last failed, the n-th failure in a row.
        exit_ = failed_pod.runs[-1].end
        assert failed_pod.outcome == "failed" and exit_ is not None
        assert replacement.created - exit_ >= backoff(n) - 1e-9


def test_a_failed_pod_is_not_replaced_at_once() -> None:
    def replaced_late(scenario: dict[str, Any]) -> bool:
        made = pods(run(scenario), "nightly")
        return any(
            b.created - (a.runs[-1].end or a.created) > sync_delay(scenario)
            for a, b in itertools.pairwise(made)
            if a.runs
        )

    example = find(EXITS_ONLY, replaced_late, settings=FIND)
    first, second = pods(run(example), "nightly")[:2]
    exit_ = first.runs[-1].end
    assert first.outcome == "failed" and exit_ is not None
    assert second.created - exit_ >= BACKOFF_BASE


def test_the_backoff_may_run_out_before_the_pod_is_deleted() -> None:
    """The backoff counts from the failed pod's finish time, which for a pod on a lost node is
    its Ready=False (node NotReady), minutes before the taint manager deletes it."""

    def soon_after_deletion(scenario: dict[str, Any]) -> bool:
        made = pods(run(scenario), "nightly")
        return any(
            a.deleted is not None and b.created - a.deleted < BACKOFF_BASE
            for a, b in itertools.pairwise(made)
        )

    example = find(scenarios(NIGHTLY), soon_after_deletion, settings=FIND)
    first, second = pods(run(example), "nightly")[:2]
    assert events_of(example, "nodeDown")
    assert first.disruption == "DeletionByTaintManager" and first.deleted is not None
    assert second.created - first.deleted < BACKOFF_BASE


# --- 7. disruptions never count; a lost node may still stall the Job -----------------------


@PROPERTY
@given(scenarios(TRAINER_IGNORE_FIRST, failures=LINGERING_42))
def test_disrupted_pods_never_count_as_failed(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    disrupted = disrupted_at(result)
    for p in result.lives.pods_of(result.job_key(JOB)):
        if p.name in disrupted and p.counted_at is not None and disrupted[p.name] <= p.counted_at:
            assert p.counted != "failed", p.name


OUTAGES = scenarios(
    TRAINER_IGNORE_FIRST,
    cluster=clusters(TRAINER_IGNORE_FIRST, max_pools=1, min_nodes=2, autoscaling=False),
    events=lambda nodes: node_events(nodes=nodes, kinds=["nodeDown", "nodeUp"]),
    hazards=st.none(),
)
"""Nodes that stop reporting (and perhaps come back), with at least one other node."""


def test_a_lost_node_may_stall_the_job() -> None:
    example = find(
        OUTAGES,
        lambda s: not finished(run(s), JOB),
        settings=FIND,
    )
    result = run(example)
    stuck = terminating(result, JOB, result.end)
    assert stuck and not finished(result, JOB)
    # The stuck pod is on a node that stopped reporting and never came back; another node
    # was there to run its replacement, but podReplacementPolicy Failed waits for it to end.
    nodes = {p.name: p.node for p in pods(result, JOB)}
    down = {node for _, node in events_of(example, "nodeDown")}
    back = {
        node
        for kind in ("nodeUp", "nodeRemove", "nodeOutOfService")
        for _, node in events_of(example, kind)
    }
    assert any(nodes[name] in down - back for name in stuck)
    assert example["cluster"]["nodePools"][0]["count"] >= 2


# --- 8. suspended: no non-terminating pod runs ---------------------------------------------

SUSPENDED = scenarios(TRAINER, failures=LINGERING, events=node_events_and_suspensions)


@PROPERTY
@given(SUSPENDED)
def test_no_pod_runs_undeleted_while_suspended(scenario: dict[str, Any]) -> None:
    assert not suspended_while_running(run(scenario), JOB)


def test_containers_may_run_while_suspended() -> None:
    example = find(SUSPENDED, lambda s: ran_while_suspended(run(s), JOB, s), settings=FIND)
    result = run(example)
    # The suspend deleted the pods (not counted); their containers ran on after the deletion.
    lingering = [
        p
        for p in pods(result, JOB)
        if p.delete_reason == "JobSuspended"
        and p.deleted is not None
        and any((r.end or 0.0) > p.deleted for r in p.runs)
    ]
    assert lingering and all(p.counted is None for p in lingering)


# --- 9. Complete => succeeded == completions -----------------------------------------------


@PROPERTY
@given(scenarios(SHARDS))
def test_complete_means_every_index_succeeded(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    if condition_time(result, "shards", "Complete") is not None:
        done = status(result, "shards")
        assert done.get("succeeded") == 4 and done.get("completedIndexes") == "0-3"
        assert int(done.get("failed", 0)) <= BACKOFF_LIMIT


def test_complete_jobs_may_have_failed_pods() -> None:
    def complete_with_failures(scenario: dict[str, Any]) -> bool:
        result = run(scenario)
        return condition_time(result, "shards", "Complete") is not None and (
            int(status(result, "shards").get("failed", 0)) > 0
        )

    example = find(scenarios(SHARDS), complete_with_failures, settings=FIND)
    assert 0 < int(status(run(example), "shards").get("failed", 0)) <= BACKOFF_LIMIT


# --- 10. determinism -----------------------------------------------------------------------

RANDOM_WORKLOADS = scenarios(TRAINER, failures=workloads())
"""Random run lengths and failures, drawn from the scenario's seed."""


def result_json(scenario: dict[str, Any], seed: int | None = None) -> str:
    return json.dumps(simulate(load_scenario(scenario), seed).to_dict(), sort_keys=True)


@PROPERTY
@given(RANDOM_WORKLOADS)
def test_same_scenario_and_seed_same_result(scenario: dict[str, Any]) -> None:
    assert result_json(scenario) == result_json(scenario)


def what_happened(scenario: dict[str, Any], seed: int) -> tuple[Any, ...]:
    """Every run (without pod names, which are drawn from the seed) and condition."""
    result = simulate(load_scenario(scenario), seed)
    runs = [(r.attempt, r.node, r.start, r.end, r.exit_code, r.ended) for r in result.runs(JOB)]
    marks = [(c.t, c.type, c.status, c.reason) for c in conditions(result, JOB)]
    return tuple(runs), tuple(marks)


def renamed_json(scenario: dict[str, Any], seed: int) -> str:
    """The whole result as JSON, its pods named by creation order and its seed left out."""
    result = simulate(load_scenario(scenario), seed)
    data = result.to_dict()
    del data["seed"]
    text = json.dumps(data, sort_keys=True)
    for i, p in enumerate(result.pods()):
        text = text.replace(p["name"], f"pod#{i}")
    return text


def test_another_seed_may_change_nothing() -> None:
    example = find(
        RANDOM_WORKLOADS,
        lambda s: what_happened(s, 1) == what_happened(s, 2),
        settings=FIND,
    )
    workload = example["jobs"][0]["workload"]
    # Nothing in it is drawn: constant run lengths, no random failure; only the pods'
    # generated names differ.
    assert "failure" not in workload and not isinstance(workload["duration"], dict)
    assert renamed_json(example, 1) == renamed_json(example, 2)
