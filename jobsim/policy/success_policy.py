"""Matching a Job's successPolicy against its succeeded indexes.

Upstream: ``pkg/controller/job/success_policy.go`` (``matchSuccessPolicy``,
``matchSucceededIndexesRule``).
"""

from __future__ import annotations

from collections.abc import Set

from jobsim.k8s.job import SuccessPolicy
from jobsim.policy.intervals import parse_indexes


def match_success_policy(
    policy: SuccessPolicy | None, completions: int, succeeded: Set[int]
) -> str | None:
    """``Matched rules at index <i>`` for the first rule met, else None.

    Rules are skipped when their succeededIndexes parse to nothing. With succeededIndexes, a
    rule is met when every listed index succeeded, or when succeededCount is set and at least
    that many listed indexes succeeded; with only succeededCount, when that many indexes
    succeeded. Nothing matches before the first success.
    """
    if policy is None or not succeeded:
        return None
    for index, rule in enumerate(policy.rules):
        if rule.succeededIndexes is not None:
            required = parse_indexes(rule.succeededIndexes, completions)
            if not required:
                continue
            contains = sum(1 for i in required if i in succeeded)
            if contains == len(required) or (
                rule.succeededCount is not None and contains >= rule.succeededCount
            ):
                return f"Matched rules at index {index}"
        elif rule.succeededCount is not None and len(succeeded) >= rule.succeededCount:
            return f"Matched rules at index {index}"
    return None


__all__ = [
    "match_success_policy",
]
