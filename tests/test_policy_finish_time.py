"""Tests for jobsim.policy.finish_time (upstream backoff_utils.go getFinishedTime).

Cases are upstream TestGetFinishedTime (backoff_utils_test.go) plus rules read from
getFinishTimeFromContainers / latestFinishTime.
"""

from __future__ import annotations

from jobsim.policy.finish_time import pod_finished_time

T = 1000.0  # upstream defaultTestTime


def test_all_containers_terminated() -> None:
    # TestGetFinishedTime "Pod with multiple containers and all containers terminated"
    got = pod_finished_time(
        container_finished_at=[T - 1, T, T - 2],
        ready_false_since=None,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_one_running_falls_back_to_deletion_timestamp() -> None:
    # TestGetFinishedTime "Pod with multiple containers; two containers in terminated state and
    # one in running state; fallback to deletionTimestamp"
    got = pod_finished_time(
        container_finished_at=[T - 1, None, T - 2],
        ready_false_since=None,
        deletion_timestamp=T,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_fallback_to_deletion_timestamp() -> None:
    # TestGetFinishedTime "fallback to deletionTimestamp"
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=None,
        deletion_timestamp=T,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_fallback_to_deletion_timestamp_minus_grace() -> None:
    # TestGetFinishedTime "fallback to deletionTimestamp, decremented by grace period"
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=None,
        deletion_timestamp=T,
        deletion_grace_period=30.0,
        created_at=0.0,
    )
    assert got == T - 30


def test_fallback_to_ready_false_transition() -> None:
    # TestGetFinishedTime "fallback to PodReady.LastTransitionTime when status of the condition is
    # False" (the container is Terminated with a zero finishedAt -> None here)
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=T,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_ready_true_is_skipped() -> None:
    # TestGetFinishedTime "skip fallback to PodReady.LastTransitionTime when status of the
    # condition is True" (Ready=True -> ready_false_since None)
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=None,
        deletion_timestamp=T,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_fallback_to_creation_timestamp() -> None:
    # TestGetFinishedTime "fallback to creationTimestamp"
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=None,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=T,
    )
    assert got == T


def test_sidecar_finishing_later_counts() -> None:
    # TestGetFinishedTime "Pod with sidecar container and all containers terminated"
    got = pod_finished_time(
        container_finished_at=[T - 1],
        sidecar_finished_at=[T],
        ready_false_since=None,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T


def test_no_container_statuses_uses_next_rule() -> None:
    # latestFinishTime(nil, []) returns nil: rule 1 needs at least one status.
    got = pod_finished_time(
        container_finished_at=[],
        ready_false_since=T - 5,
        deletion_timestamp=T,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T - 5


def test_ready_false_wins_over_deletion() -> None:
    # getFinishedTime order: Ready=False (2) before deletionTimestamp (3).
    got = pod_finished_time(
        container_finished_at=[None],
        ready_false_since=T - 40,
        deletion_timestamp=T,
        deletion_grace_period=30.0,
        created_at=0.0,
    )
    assert got == T - 40


def test_running_sidecar_voids_rule_one() -> None:
    # latestFinishTime on InitContainerStatuses returns nil for a non-terminated sidecar.
    got = pod_finished_time(
        container_finished_at=[T - 1],
        sidecar_finished_at=[None],
        ready_false_since=T - 3,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T - 3


def test_sidecar_pass_starts_from_nil_when_regular_pass_failed() -> None:
    # getFinishTimeFromContainers: finishTime = latestFinishTime(nil, regular) is nil, then
    # latestFinishTime(finishTime, sidecars) starts from that nil, so all-terminated sidecars
    # alone produce a finish time (e.g. a failure in an init container after the sidecar).
    got = pod_finished_time(
        container_finished_at=[None],
        sidecar_finished_at=[T - 7],
        ready_false_since=T - 9,
        deletion_timestamp=None,
        deletion_grace_period=None,
        created_at=0.0,
    )
    assert got == T - 7
