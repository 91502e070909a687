"""Tests for jobsim.policy.active_pods (upstream controller_utils.go ActivePods.Less).

Cases: upstream controller_utils_test.go TestSortingActivePods "Sorts by active pod", and the
sidecar-restart comparison added by kubernetes/kubernetes#124952 (compareMaxContainerRestarts).
"""

from __future__ import annotations

import itertools
import random

from jobsim.policy.active_pods import PodRank, removal_key

NOW = 10_000.0
THEN = NOW - 30 * 86400.0  # upstream: now.AddDate(0, -1, 0)


def _pod(
    uid: int,
    *,
    scheduled: bool = True,
    phase: str = "Running",
    ready: bool = False,
    ready_since: float | None = None,
    restarts: int = 0,
    created_at: float = 0.0,
    sidecar_restarts: int = 0,
) -> PodRank:
    return PodRank(
        scheduled=scheduled,
        phase=phase,
        ready=ready,
        ready_since=ready_since,
        max_restart_count=restarts,
        created_at=created_at,
        uid=uid,
        max_sidecar_restart_count=sidecar_restarts,
    )


def test_sorting_active_pods_upstream_table() -> None:
    # TestSortingActivePods "Sorts by active pod": wantOrder is the list order. Pods without a
    # creationTimestamp upstream are decided before rule 6, so their created_at is irrelevant.
    want = [
        _pod(0, scheduled=False, phase="Pending"),  # unscheduled
        _pod(1, phase="Pending"),  # scheduledButPending
        _pod(2, phase="Unknown"),  # unknownPhase
        _pod(3, phase="Running"),  # runningButNotReady
        _pod(4, ready=True, ready_since=None, restarts=3),  # runningNoLastTransitionTime
        _pod(5, ready=True, ready_since=NOW, restarts=3),  # runningWithLastTransitionTime
        _pod(6, ready=True, ready_since=THEN, restarts=3),  # runningLongerTime
        _pod(7, ready=True, ready_since=THEN, restarts=2, created_at=NOW),  # lowerRestartCount
        _pod(8, ready=True, ready_since=THEN, restarts=2, created_at=THEN),  # oldest
    ]
    rng = random.Random(0)
    for _ in range(20):
        shuffled = want[:]
        rng.shuffle(shuffled)
        assert sorted(shuffled, key=removal_key) == want


def test_sidecar_restarts_break_regular_restart_ties() -> None:
    # compareMaxContainerRestarts: regular restarts first, then restartable-init restarts.
    more_sidecar = _pod(1, ready=True, ready_since=NOW, restarts=1, sidecar_restarts=5)
    fewer_sidecar = _pod(0, ready=True, ready_since=NOW, restarts=1, sidecar_restarts=0)
    more_regular = _pod(2, ready=True, ready_since=NOW, restarts=2, sidecar_restarts=0)
    got = sorted([fewer_sidecar, more_sidecar, more_regular], key=removal_key)
    assert got == [more_regular, more_sidecar, fewer_sidecar]


def test_ready_time_ignored_unless_both_ready() -> None:
    # rule 4 only applies when both pods are ready; otherwise restarts decide.
    a = _pod(0, ready=False, ready_since=THEN, restarts=1)
    b = _pod(1, ready=False, ready_since=NOW, restarts=2)
    assert sorted([a, b], key=removal_key) == [b, a]


def test_unknown_phase_string_ranks_as_pending() -> None:
    # podPhaseToOrdinal has no entry for other phases: the Go map yields 0 (= Pending).
    a = _pod(0, phase="Succeeded", created_at=1.0)
    b = _pod(1, phase="Pending", created_at=2.0)
    assert sorted([a, b], key=removal_key) == [b, a]  # tie on phase -> newer first


def test_full_ties_end_by_uid() -> None:
    pods = [_pod(uid, ready=True, ready_since=NOW, created_at=THEN) for uid in (3, 1, 2)]
    assert [p.uid for p in sorted(pods, key=removal_key)] == [1, 2, 3]


def test_key_is_a_total_order_consistent_with_less() -> None:
    # Every permutation of a small set sorts to the same order.
    pods = [
        _pod(0, ready=True, ready_since=5.0, created_at=1.0),
        _pod(1, ready=True, ready_since=5.0, created_at=2.0),
        _pod(2, ready=True, ready_since=None),
        _pod(3, scheduled=False, phase="Pending"),
    ]
    orders = {
        tuple(p.uid for p in sorted(perm, key=removal_key)) for perm in itertools.permutations(pods)
    }
    assert orders == {(3, 2, 1, 0)}
