"""Matching a failed pod against the Job's podFailurePolicy.

Upstream: ``pkg/controller/job/pod_failure_policy.go`` (``matchPodFailurePolicy``,
``matchOnExitCodes``, ``getMatchingContainerFromList``, ``isOnExitCodesOperatorMatching``,
``matchOnPodConditions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from jobsim.k8s.job import PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement

FAIL_JOB: Final = "FailJob"
IGNORE: Final = "Ignore"
COUNT: Final = "Count"
FAIL_INDEX: Final = "FailIndex"


@dataclass(frozen=True, slots=True)
class ContainerExit:
    """A container status: its name and exit code, or None while it is not terminated."""

    name: str
    exit_code: int | None


@dataclass(frozen=True, slots=True)
class FailedPod:
    """What the policy reads of a failed pod."""

    namespace: str
    name: str
    containers: Sequence[ContainerExit]
    init_containers: Sequence[ContainerExit]
    conditions: Sequence[tuple[str, str]]  # (type, status), in the pod's order


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    """``matchPodFailurePolicy``'s result: FailJob message, whether counted, matched action."""

    fail_job_message: str | None
    count_failed: bool
    action: str | None
    rule: int | None = field(default=None, compare=False)
    """The index of the matching rule in ``podFailurePolicy.rules`` (what the record says)."""


NO_MATCH = PolicyMatch(None, True, None)


def _operator_matches(code: int, req: PodFailurePolicyOnExitCodesRequirement) -> bool:
    values = req.values or []
    if req.operator == "In":
        return code in values
    if req.operator == "NotIn":
        return code not in values
    return False


def _matching_container(
    statuses: Sequence[ContainerExit], req: PodFailurePolicyOnExitCodesRequirement
) -> ContainerExit | None:
    for st in statuses:
        if st.exit_code is None:
            continue  # not terminated: no exit code to match
        if req.containerName is not None and req.containerName != st.name:
            continue
        if st.exit_code != 0 and _operator_matches(st.exit_code, req):
            return st
    return None


def match_pod_failure_policy(policy: PodFailurePolicy | None, pod: FailedPod) -> PolicyMatch:
    """Rules in order, first match wins; containers before init containers; exit code 0
    never matches. No policy or no match: counted, no action."""
    if policy is None:
        return NO_MATCH
    for index, rule in enumerate(policy.rules):
        action = rule.action
        if rule.onExitCodes is not None:
            st = _matching_container(pod.containers, rule.onExitCodes) or _matching_container(
                pod.init_containers, rule.onExitCodes
            )
            if st is None:
                continue
            message = (
                f"Container {st.name} for pod {pod.namespace}/{pod.name} failed with exit code "
                f"{st.exit_code} matching {action} rule at index {index}"
            )
        elif rule.onPodConditions is not None:
            matched: str | None = None
            for ctype, cstatus in pod.conditions:
                if any(
                    p.type == ctype and (p.status or "True") == cstatus
                    for p in rule.onPodConditions
                ):
                    matched = ctype
                    break
            if matched is None:
                continue
            message = (
                f"Pod {pod.namespace}/{pod.name} has condition {matched} "
                f"matching {action} rule at index {index}"
            )
        else:
            continue
        if action == IGNORE:
            return PolicyMatch(None, False, IGNORE, index)
        if action == COUNT:
            return PolicyMatch(None, True, COUNT, index)
        if action == FAIL_JOB:
            return PolicyMatch(message, True, FAIL_JOB, index)
        if action == FAIL_INDEX:
            return PolicyMatch(None, True, FAIL_INDEX, index)
        # An unknown action matches nothing upstream (the switch has no default).
    return NO_MATCH


__all__ = [
    "COUNT",
    "FAIL_INDEX",
    "FAIL_JOB",
    "IGNORE",
    "NO_MATCH",
    "ContainerExit",
    "FailedPod",
    "PolicyMatch",
    "match_pod_failure_policy",
]
