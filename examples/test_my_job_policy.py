"""Property tests of one Job's failure policy, as the Job's owner writes them.

    pip install ".[testing]"     # in a checkout of jobsim: jobsim, hypothesis, pytest
    pytest examples/

The Job (``MANIFEST``) trains in 4 pods, 2 at a time; exit code 42 means "bad input data:
retrying is pointless", so a podFailurePolicy rule fails the whole Job on it, and pods
disrupted by the cluster (evictions, drains, lost nodes) do not count against the
``backoffLimit`` of 3. Each test states one thing that must hold under any pattern of exits,
evictions and node outages; hypothesis draws the patterns (``scenarios(MANIFEST)`` keeps the
manifest exactly as written) and, when a property fails, shrinks to the smallest scenario that
breaks it and shows it as YAML with its timeline. docs/testing.md explains each property and
the tempting ones that are false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given

from jobsim.testing import (
    assert_failed_pods_at_most,
    assert_max_active,
    assert_terminal,
    condition_time,
    failed_count,
    first_exit,
    run,
    scenarios,
    sync_delay,
)

MANIFEST = """
apiVersion: batch/v1
kind: Job
metadata:
  name: trainer
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 3
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: "registry.example/trainer:1.0"}
"""

# The same Job with its rules in the other order, as a well-meant edit might leave it: "count
# every failure, fail the Job on 42". The first rule that matches decides, so exit 42 is
# counted like any other failure and the Job retries bad data up to its backoffLimit.
BUGGY_MANIFEST = MANIFEST.replace(
    """    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]""",
    """    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]
    - action: Count
      onExitCodes: {containerName: main, operator: NotIn, values: [0]}
    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}""",
)

JOB = "trainer"
PARALLELISM = 2
BACKOFF_LIMIT = 3


@given(scenarios(MANIFEST))
def test_never_more_active_pods_than_parallelism(scenario: dict[str, Any]) -> None:
    assert_max_active(run(scenario), JOB, PARALLELISM)


def exit_42_fails_the_job(manifest: str) -> Callable[[], None]:
    """The property, for a manifest: once the controller can see a pod that exited 42, the
    Job is failing (FailureTarget, reason PodFailurePolicy) by its next sync, unless it was
    failing already."""

    @given(scenarios(manifest))
    def prop(scenario: dict[str, Any]) -> None:
        result = run(scenario)
        exit42 = first_exit(result, JOB, 42)
        if exit42 is None or exit42.reported is None:
            return  # no exit 42 reached the API server in this scenario
        failing = condition_time(result, JOB, "FailureTarget")
        if failing is not None and failing < exit42.reported:
            return  # already failing for another reason
        assert_terminal(
            result,
            JOB,
            "FailureTarget",
            reason="PodFailurePolicy",
            within=sync_delay(scenario),
            since=exit42.reported,
        )

    return prop


test_exit_42_fails_the_job_by_the_next_sync = exit_42_fails_the_job(MANIFEST)


@given(scenarios(MANIFEST))
def test_failing_by_the_sync_that_exceeds_the_backoff_limit(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    exceeded = next((t for t, n in failed_count(result, JOB) if n > BACKOFF_LIMIT), None)
    if exceeded is not None:
        # The sync that counts the failure past the limit also adds FailureTarget (or did
        # earlier, for an exit 42); nothing waits for the pods still terminating.
        failing = condition_time(result, JOB, "FailureTarget")
        assert failing is not None and failing <= exceeded, (failing, exceeded)


@given(scenarios(MANIFEST))
def test_failed_pods_at_most_backoff_limit_plus_parallelism(scenario: dict[str, Any]) -> None:
    # Not backoffLimit + 1: two pods can fail before one sync, and the pods the controller
    # deletes once the Job is failing count as failed too.
    assert_failed_pods_at_most(run(scenario), JOB, BACKOFF_LIMIT + PARALLELISM)


def test_hypothesis_finds_the_rule_order_bug() -> None:
    """The exit-42 property on BUGGY_MANIFEST fails, and hypothesis shrinks the scenario to a
    few scripted exits, one of them 42, and no node event: the bug, in a small form."""
    with pytest.raises(AssertionError) as info:
        exit_42_fails_the_job(BUGGY_MANIFEST)()
    # hypothesis adds the minimal example, and what run() noted of it (its timeline and the
    # scenario as YAML), to the exception's notes
    message = "\n".join([str(info.value), *getattr(info.value, "__notes__", [])])
    first_line = message.split("\n", 1)[0]
    # exit 42 was counted: the Job completed, or failed only on its backoffLimit
    assert first_line.startswith(
        ("Job trainer never got FailureTarget=True", "Job trainer got FailureTarget=True")
    )
    assert "PodFailurePolicy" not in first_line.replace("not PodFailurePolicy", "")
    scenario_text = message.split("replays it):\n", 1)[1].split("# end of falsifying.yaml")[0]
    smallest = yaml.safe_load(scenario_text)
    script = smallest["jobs"][0]["workload"]["script"]
    assert 42 in [entry["exitCode"] for entry in script] and len(script) <= 2
    assert "events" not in smallest
