"""Tests for jobsim.policy.finish_time (upstream backoff_utils.go getFinishedTime).

Cases are upstream TestGetFinishedTime (backoff_utils_test.go) plus rules read from
getFinishTimeFromContainers / latestFinishTime.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jobsim.policy.finish_time import pod_finished_time

T = 1000.0  # upstream defaultTestTime

# Each row: the regular containers' finishedAt, the sidecars' finishedAt (() = no sidecar, the
# default), Ready=False since, deletionTimestamp, deletion grace period, creationTimestamp, and
# the expected finish time. None = not terminated / not set.
CASES = [
    # TestGetFinishedTime "Pod with multiple containers and all containers terminated"
    pytest.param([T - 1, T, T - 2], (), None, None, None, 0.0, T, id="all_containers_terminated"),
    # TestGetFinishedTime "Pod with multiple containers; two containers in terminated state and
    # one in running state; fallback to deletionTimestamp"
    pytest.param([T - 1, None, T - 2], (), None, T, None, 0.0, T, id="one_running_to_deletion"),
    # TestGetFinishedTime "fallback to deletionTimestamp"
    pytest.param([None], (), None, T, None, 0.0, T, id="fallback_to_deletion_timestamp"),
    # TestGetFinishedTime "fallback to deletionTimestamp, decremented by grace period"
    pytest.param([None], (), None, T, 30.0, 0.0, T - 30, id="fallback_to_deletion_minus_grace"),
    # TestGetFinishedTime "fallback to PodReady.LastTransitionTime when status of the condition is
    # False" (the container is Terminated with a zero finishedAt -> None here)
    pytest.param([None], (), T, None, None, 0.0, T, id="fallback_to_ready_false_transition"),
    # TestGetFinishedTime "skip fallback to PodReady.LastTransitionTime when status of the
    # condition is True" (Ready=True -> ready_false_since None)
    pytest.param([None], (), None, T, None, 0.0, T, id="ready_true_is_skipped"),
    # TestGetFinishedTime "fallback to creationTimestamp"
    pytest.param([None], (), None, None, None, T, T, id="fallback_to_creation_timestamp"),
    # TestGetFinishedTime "Pod with sidecar container and all containers terminated"
    pytest.param([T - 1], [T], None, None, None, 0.0, T, id="sidecar_finishing_later_counts"),
    # latestFinishTime(nil, []) returns nil: rule 1 needs at least one status.
    pytest.param([], (), T - 5, T, None, 0.0, T - 5, id="no_container_statuses_uses_next_rule"),
    # getFinishedTime order: Ready=False (2) before deletionTimestamp (3).
    pytest.param([None], (), T - 40, T, 30.0, 0.0, T - 40, id="ready_false_wins_over_deletion"),
    # latestFinishTime on InitContainerStatuses returns nil for a non-terminated sidecar.
    pytest.param([T - 1], [None], T - 3, None, None, 0.0, T - 3, id="running_sidecar_voids_rule1"),
    # getFinishTimeFromContainers: finishTime = latestFinishTime(nil, regular) is nil, then
    # latestFinishTime(finishTime, sidecars) starts from that nil, so all-terminated sidecars
    # alone produce a finish time (e.g. a failure in an init container after the sidecar).
    pytest.param([None], [T - 7], T - 9, None, None, 0.0, T - 7, id="sidecar_pass_starts_from_nil"),
]


@pytest.mark.parametrize(
    ("containers", "sidecars", "ready_false_since", "deletion", "grace", "created_at", "expected"),
    CASES,
)
def test_pod_finished_time(
    containers: Sequence[float | None],
    sidecars: Sequence[float | None],
    ready_false_since: float | None,
    deletion: float | None,
    grace: float | None,
    created_at: float,
    expected: float,
) -> None:
    got = pod_finished_time(
        container_finished_at=containers,
        sidecar_finished_at=sidecars,
        ready_false_since=ready_false_since,
        deletion_timestamp=deletion,
        deletion_grace_period=grace,
        created_at=created_at,
    )
    assert got == expected
