"""Which active pods the Job controller deletes first.

Upstream ``pkg/controller/controller_utils.go: ActivePods.Less``, used by ``job_controller.go:
activePodsForRemoval`` and, for duplicated indexes, by
``appendPodsWithSameIndexForRemovalAndRemaining`` (which keeps the *greatest* pod of an index).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PodRank", "removal_key"]

# podPhaseToOrdinal; any other phase is absent from the Go map and so reads as 0.
_PHASE_ORDINAL: dict[str, int] = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True, slots=True)
class PodRank:
    """What ``ActivePods.Less`` reads from a pod.

    ``scheduled``: ``spec.nodeName != ""``; ``ready``: ``Ready`` condition True; ``ready_since``:
    its ``lastTransitionTime`` (``None`` = zero time); ``max_restart_count``: max ``restartCount``
    over regular container statuses; ``max_sidecar_restart_count``: the same over restartable init
    containers (current master, kubernetes/kubernetes#124952); ``uid``: simulator tie-break only.
    """

    scheduled: bool
    phase: str
    ready: bool
    ready_since: float | None
    max_restart_count: int
    created_at: float
    uid: int
    max_sidecar_restart_count: int = 0


def removal_key(p: PodRank) -> tuple[int, int, int, int, float, int, int, float, int]:
    """Sort key whose ascending order is ``ActivePods.Less`` order (deleted first):

    1. unscheduled < scheduled;
    2. Pending < Unknown < Running (other phases rank as Pending);
    3. not ready < ready;
    4. both ready: ``afterOrZero(readyTime_i, readyTime_j)`` – a zero ready time first, then the
       more recently ready (later ``ready_since``) first; not compared unless both are ready;
    5. more regular-container restarts first, then (master) more sidecar restarts first
       (``compareMaxContainerRestarts``);
    6. ``afterOrZero(creation_i, creation_j)``: newer ``created_at`` first;
    7. upstream returns ``false`` both ways here (``sort.Sort`` is not stable, so the real order
       of such ties is unspecified); we end with ``uid`` for determinism.
    """
    if p.ready and p.ready_since is not None:
        ready_zero, ready_rank = 1, -p.ready_since
    else:
        ready_zero, ready_rank = 0, 0.0
    return (
        int(p.scheduled),
        _PHASE_ORDINAL.get(p.phase, 0),
        int(p.ready),
        ready_zero,
        ready_rank,
        -p.max_restart_count,
        -p.max_sidecar_restart_count,
        -p.created_at,
        p.uid,
    )
