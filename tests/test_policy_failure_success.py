"""podFailurePolicy and successPolicy matching (upstream pod_failure_policy.go,
success_policy.go; cases modelled on pod_failure_policy_test.go / success_policy_test.go)."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.k8s.job import PodFailurePolicy, SuccessPolicy
from jobsim.policy.pod_failure_policy import (
    NO_MATCH,
    ContainerExit,
    FailedPod,
    PolicyMatch,
    match_pod_failure_policy,
)
from jobsim.policy.success_policy import match_success_policy


def pfp(*rules: dict[str, Any]) -> PodFailurePolicy:
    return PodFailurePolicy.model_validate({"rules": list(rules)})


def pod(
    containers: dict[str, int | None] | None = None,
    init: dict[str, int | None] | None = None,
    conditions: list[tuple[str, str]] | None = None,
) -> FailedPod:
    return FailedPod(
        "default",
        "p",
        [ContainerExit(n, c) for n, c in (containers or {}).items()],
        [ContainerExit(n, c) for n, c in (init or {}).items()],
        conditions or [],
    )


ON_42_FAIL = {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}
IGNORE_DISRUPTION = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}


def test_no_policy_counts() -> None:
    assert match_pod_failure_policy(None, pod({"main": 1})) == PolicyMatch(None, True, None)


def test_fail_job_message_names_container_pod_code_and_rule_index() -> None:
    m = match_pod_failure_policy(pfp(IGNORE_DISRUPTION, ON_42_FAIL), pod({"main": 42}))
    assert m == PolicyMatch(
        "Container main for pod default/p failed with exit code 42 matching FailJob rule at "
        "index 1",
        True,
        "FailJob",
    )
    assert m.rule == 1


def test_the_match_names_its_rule_index() -> None:
    """First match wins: rule 0 (Ignore on DisruptionTarget) before rule 1 (FailJob on 42)."""
    policy = pfp(IGNORE_DISRUPTION, ON_42_FAIL)
    disrupted = pod({"main": 42}, conditions=[("DisruptionTarget", "True")])
    assert (match_pod_failure_policy(policy, disrupted).rule, NO_MATCH.rule) == (0, None)


def test_condition_rule_matches_default_status_true() -> None:
    policy = pfp(
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    )
    m = match_pod_failure_policy(
        policy, pod({"main": 137}, conditions=[("DisruptionTarget", "True")])
    )
    assert m == PolicyMatch(None, False, "Ignore")
    assert match_pod_failure_policy(
        policy, pod({"main": 137}, conditions=[("DisruptionTarget", "False")])
    ) == PolicyMatch(None, True, None)


def test_fail_job_on_condition_message() -> None:
    policy = pfp(
        {"action": "FailJob", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    )
    m = match_pod_failure_policy(
        policy, pod({"main": 143}, conditions=[("DisruptionTarget", "True")])
    )
    assert m.fail_job_message == (
        "Pod default/p has condition DisruptionTarget matching FailJob rule at index 0"
    )


def test_first_matching_rule_wins() -> None:
    policy = pfp(
        {"action": "Count", "onExitCodes": {"operator": "In", "values": [1, 42]}},
        ON_42_FAIL,
    )
    assert match_pod_failure_policy(policy, pod({"main": 42})).action == "Count"


@pytest.mark.parametrize(
    ("operator", "values", "code", "matches"),
    [
        ("In", [1, 2], 2, True),
        ("In", [1, 2], 3, False),
        ("NotIn", [1, 2], 3, True),
        ("NotIn", [1, 2], 1, False),
        ("Bogus", [1], 1, False),
    ],
)
def test_operators(operator: str, values: list[int], code: int, matches: bool) -> None:
    policy = pfp({"action": "Ignore", "onExitCodes": {"operator": operator, "values": values}})
    assert (match_pod_failure_policy(policy, pod({"main": code})).action == "Ignore") is matches


def test_exit_code_zero_never_matches_even_with_not_in() -> None:
    policy = pfp({"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [1]}})
    assert match_pod_failure_policy(policy, pod({"a": 0, "b": None})).action is None


def test_containers_before_init_containers_and_container_name() -> None:
    policy = pfp({"action": "FailJob", "onExitCodes": {"operator": "In", "values": [3, 5]}})
    m = match_pod_failure_policy(policy, pod({"main": 5}, init={"setup": 3}))
    assert m.fail_job_message is not None and m.fail_job_message.startswith("Container main ")
    named = pfp(
        {
            "action": "FailJob",
            "onExitCodes": {"containerName": "setup", "operator": "In", "values": [3, 5]},
        }
    )
    m = match_pod_failure_policy(named, pod({"main": 5}, init={"setup": 3}))
    assert m.fail_job_message is not None and m.fail_job_message.startswith("Container setup ")
    assert "exit code 3" in m.fail_job_message


def test_not_terminated_containers_are_skipped() -> None:
    policy = pfp({"action": "Ignore", "onExitCodes": {"operator": "NotIn", "values": [0]}})
    assert match_pod_failure_policy(policy, pod({"main": None}, init={"i": 2})).action == "Ignore"
    assert match_pod_failure_policy(policy, pod({"main": None})).action is None


def test_fail_index_counts() -> None:
    policy = pfp({"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [9]}})
    assert match_pod_failure_policy(policy, pod({"main": 9})) == PolicyMatch(
        None, True, "FailIndex"
    )


def sp(*rules: dict[str, Any]) -> SuccessPolicy:
    return SuccessPolicy.model_validate({"rules": list(rules)})


@pytest.mark.parametrize(
    ("rules", "completions", "succeeded", "want"),
    [
        ([{"succeededIndexes": "0"}], 5, {0}, "Matched rules at index 0"),
        ([{"succeededIndexes": "0-2"}], 5, {0, 1}, None),
        ([{"succeededIndexes": "0-2"}], 5, {0, 1, 2}, "Matched rules at index 0"),
        ([{"succeededIndexes": "0-2", "succeededCount": 2}], 5, {0, 2}, "Matched rules at index 0"),
        ([{"succeededIndexes": "0-2", "succeededCount": 2}], 5, {0, 3, 4}, None),
        ([{"succeededCount": 3}], 5, {1, 3}, None),
        ([{"succeededCount": 3}], 5, {1, 3, 4}, "Matched rules at index 0"),
        ([{"succeededIndexes": "7"}, {"succeededCount": 1}], 5, {4}, "Matched rules at index 1"),
        ([{"succeededIndexes": "4", "succeededCount": 0}], 5, {1}, "Matched rules at index 0"),
        ([{"succeededCount": 0}], 5, set(), None),
    ],
)
def test_success_policy(
    rules: list[dict[str, Any]], completions: int, succeeded: set[int], want: str | None
) -> None:
    assert match_success_policy(sp(*rules), completions, succeeded) == want
