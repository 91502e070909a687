"""Kubelet container restart backoff (CrashLoopBackOff).

Upstream: ``pkg/kubelet/kuberuntime/kuberuntime_manager.go: doBackOff`` on top of
``staging/src/k8s.io/client-go/util/flowcontrol/backoff.go`` (``Backoff`` built with
``NewBackOff``, i.e. no jitter). One entry per pod UID + container: a new pod starts fresh.

``doBackOff`` with ``ts`` = the exited container's ``finishedAt``::

    if backOff.IsInBackOffSince(key, ts) { return CrashLoopBackOff }   // retry later
    backOff.Next(key, ts)                                              // then start it
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CrashLoopEntry", "next_entry", "restart_delay"]


@dataclass(frozen=True, slots=True)
class CrashLoopEntry:
    """``backoffEntry{backoff, lastUpdate}``."""

    backoff: float
    last_update: float


def _has_expired(event_time: float, last_update: float, max_backoff: float) -> bool:
    """``hasExpired``: ``eventTime.Sub(lastUpdate) > maxDuration*2`` (strict)."""
    return event_time - last_update > 2 * max_backoff


def restart_delay(entry: CrashLoopEntry | None, finished_at: float, max_backoff: float) -> float:
    """How long after the container's exit (``finished_at``) the kubelet may restart it.

    ``IsInBackOffSince(key, ts)`` is ``now - ts < entry.backoff`` unless there is no entry or it
    has expired (``ts - last_update > 2 * max``), so the restart is allowed from
    ``finished_at + delay`` on, with delay ``0`` (no entry / expired) or ``entry.backoff``.
    """
    if entry is None or _has_expired(finished_at, entry.last_update, max_backoff):
        return 0.0
    return entry.backoff


def next_entry(
    entry: CrashLoopEntry | None,
    finished_at: float,
    now: float,
    initial: float,
    max_backoff: float,
) -> CrashLoopEntry:
    """``Backoff.Next(key, eventTime=finished_at)`` called when the container is restarted at
    ``now``: a new or expired entry gets ``initial`` (not capped, as upstream
    ``initEntryUnsafe``); otherwise ``min(2 * backoff, max)``; ``last_update = now``."""
    if entry is None or _has_expired(finished_at, entry.last_update, max_backoff):
        backoff = initial
    else:
        backoff = min(entry.backoff * 2, max_backoff)
    return CrashLoopEntry(backoff=backoff, last_update=now)
