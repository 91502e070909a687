"""Finish time of a pod as the Job controller sees it (upstream
``pkg/controller/job/backoff_utils.go: getFinishedTime``)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["pod_finished_time"]


def _latest_finish_time(prev: float | None, finished_at: Sequence[float | None]) -> float | None:
    """``latestFinishTime``: ``None`` as soon as one status is not terminated (or has a zero
    ``finishedAt``); else the latest of ``prev`` and every ``finishedAt``. With no statuses it
    returns ``prev`` unchanged."""
    latest = prev
    for t in finished_at:
        if t is None:
            return None
        if latest is None or latest < t:
            latest = t
    return latest


def pod_finished_time(
    *,
    container_finished_at: Sequence[float | None],
    ready_false_since: float | None,
    deletion_timestamp: float | None,
    deletion_grace_period: float | None,
    created_at: float,
    sidecar_finished_at: Sequence[float | None] = (),
) -> float:
    """``getFinishedTime``, first rule that applies:

    1. ``getFinishTimeFromContainers``: the latest ``finishedAt`` when every entry of
       ``container_finished_at`` (one per regular container status; ``None`` = not terminated, or
       terminated with a zero ``finishedAt``) is terminated and there is at least one entry.
       With ``SidecarContainers`` (GA, on) the statuses of restartable init containers
       (``sidecar_finished_at``) are folded in the same way: any running sidecar voids rule 1,
       and otherwise the latest sidecar ``finishedAt`` counts. Upstream quirk reproduced: the
       sidecar pass starts from ``nil`` when the regular pass failed, so if the regular
       containers are not all terminated but every (≥ 1) sidecar is, the latest sidecar time is
       used.
    2. ``getFinishTimeFromPodReadyFalseCondition``: ``ready_false_since`` = the
       ``lastTransitionTime`` of a ``Ready=False`` condition (``None`` if Ready is True/absent).
    3. ``getFinishTimeFromDeletionTimestamp``: ``deletion_timestamp - deletion_grace_period``
       (grace ``None`` counts as 0).
    4. ``created_at``.
    """
    finish = _latest_finish_time(None, container_finished_at)
    finish = _latest_finish_time(finish, sidecar_finished_at)
    if finish is not None:
        return finish
    if ready_false_since is not None:
        return ready_false_since
    if deletion_timestamp is not None:
        return deletion_timestamp - (deletion_grace_period or 0.0)
    return created_at
