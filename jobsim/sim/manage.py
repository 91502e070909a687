"""``manageJob``: how many pods a Job wants, which to delete, which to create.

Upstream: ``pkg/controller/job/job_controller.go`` (``manageJob``, ``activePodsForRemoval``,
``getPodCreationInfoForIndependentIndexes``) and ``indexed_job_utils.go``
(``firstPendingIndexes``, ``getNewIndexFailureCounts``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from jobsim.policy.active_pods import PodRank, removal_key
from jobsim.policy.backoff import backoff_duration, index_remaining_time, remaining_time
from jobsim.policy.intervals import first_pending_indexes
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import PENDING, RUNNING, Pod
from jobsim.sim.syncctx import (
    ControllerEnv,
    IndexUnion,
    PodPlan,
    SyncCtx,
    policy_match,
)

MAX_POD_CREATE_DELETE_PER_SYNC = 500


def _rank(pod: Pod) -> PodRank:
    return PodRank(
        scheduled=pod.node is not None,
        phase=RUNNING if pod.phase == RUNNING else PENDING,
        ready=pod.ready,
        ready_since=pod.ready_since,
        max_restart_count=pod.restart_count,
        created_at=pod.created_at,
        uid=pod.uid,
    )


def pods_for_removal(job: JobRuntime, pods: list[Pod], at_least: int) -> list[Pod]:
    """``activePodsForRemoval``: out-of-range and duplicate indexes first, then by rank."""
    chosen: list[Pod] = []
    rest = pods
    if job.indexed and (job.indexes_trimmed or at_least > 0):
        completions = job.completions or 0
        rest = []
        by_index: dict[int, list[Pod]] = {}
        for p in pods:
            if p.index is None or p.index >= completions:
                chosen.append(p)
            else:
                by_index.setdefault(p.index, []).append(p)
        for ix in sorted(i for i, g in by_index.items() if len(g) > 1):
            group = sorted(by_index[ix], key=lambda p: removal_key(_rank(p)))
            chosen.extend(group[:-1])
            by_index[ix] = group[-1:]
        # appendDuplicatedIndexPodsForRemoval: by index (none first), each repeated index's
        # extra pods in removal order, the out-of-range ones after (the 500-per-sync cut)
        chosen.sort(key=lambda p: -1 if p.index is None else p.index)
        rest = [g[0] for g in by_index.values()]
        job.indexes_trimmed = bool(chosen)  # after a scale-down, until its pods are gone
    if len(chosen) < at_least:
        rest = sorted(rest, key=lambda p: removal_key(_rank(p)))
        chosen.extend(rest[: at_least - len(chosen)])
    return chosen


def delete_job_pods(env: ControllerEnv, pods: Iterable[Pod], reason: str) -> int:
    """``deleteJobPods``: remove the tracking finalizer first, so the pod is never counted."""
    n = 0
    for pod in pods:
        if pod.tracked:
            pod.tracked = False
            pod.job.finished_tracked.pop(pod.uid, None)
        env.delete_pod(pod, reason, "not counted")
        n += 1
    return n


def new_index_failure_counts(job: JobRuntime, replaced: Pod | None) -> tuple[int, int]:
    """``getNewIndexFailureCounts``: (failure count, ignored failure count) of a new pod."""
    if replaced is None:
        return 0, 0
    if policy_match(replaced, job).count_failed:
        return replaced.failure_count + 1, replaced.ignored_failure_count
    return replaced.failure_count, replaced.ignored_failure_count + 1


def _pending_indexes(job: JobRuntime, busy: IndexUnion, count: int, completions: int) -> list[int]:
    """``firstPendingIndexes(busy, count, completions)``, scanning only above ``busy_floor``:
    below it the free indexes are among the holes the last scan found and the indexes freed
    since (``JobRuntime.pop_active``/``pop_terminating``); the floors only rise."""
    floor = max(job.pending_floor, min(job.busy_floor, completions))
    # The candidates less each part of busy, each a C call over the candidates left (a set's
    # or a dict's keys by lookup). Most holes are the indexes the last scan handed out, active
    # now; most freed indexes succeeded: the active pods' first, then the rest in turn.
    free = job.holes.difference(job.active_indexes)
    free.update(job.freed)
    job.freed.clear()
    for part in busy.parts:
        if not free:
            break
        free = free.difference(part)
    pending = job.pending_floor
    low = sorted(i for i in free if pending <= i < floor)
    if len(low) >= count:
        job.holes = set(low)
        return low[:count]
    # Above a floor a scan has set, nothing is busy yet: pods go only to the indexes a scan
    # finds, all below the floor it sets. From the pending floor (the first scan, or after a
    # spec change reset busy_floor), the active pods lie ahead: the first window spans them.
    # (The estimate sizes the window; it never changes what is found.)
    ahead = len(job.active_indexes) if floor <= job.pending_floor else 0
    found = first_pending_indexes(busy, count - len(low), completions, floor, busy_above=ahead)
    job.holes = set(low).union(found)
    # every index from the floor up to the last one found is busy but those found; if fewer
    # were found than asked for, every index up to completions is
    job.busy_floor = found[-1] + 1 if len(found) == count - len(low) else completions
    return low + found


def manage_job(env: ControllerEnv, ctx: SyncCtx) -> int:
    """``manageJob``: returns the new ``active``; updates ``ctx.terminating``/``ctx.ready``."""
    job = ctx.job
    active = len(job.active)
    if job.suspended:
        pods = ctx.active_pods = list(job.active.values())
        removed = delete_job_pods(env, pods_for_removal(job, pods, active), "JobSuspended")
        ctx.terminating += removed
        ctx.ready = 0
        return active - removed
    completions = job.completions
    if completions is None:
        want = active if ctx.succeeded > 0 else job.parallelism
    else:
        want = min(max(completions - ctx.succeeded, 0), job.parallelism)
    to_delete: list[Pod] = []
    if active > want or job.indexes_trimmed:  # else activePodsForRemoval finds nothing
        pods = ctx.active_pods = list(job.active.values())
        to_delete = pods_for_removal(job, pods, max(active - want, 0))
        del to_delete[MAX_POD_CREATE_DELETE_PER_SYNC:]
    if to_delete:
        ctx.ready -= sum(1 for p in to_delete if p.ready)
        removed = delete_job_pods(env, to_delete, "ScaleDown")
        ctx.terminating += removed
        return active - removed
    diff = want - (ctx.terminating if job.only_replace_failed else 0) - active
    if diff <= 0:
        return active
    timing = env.timing
    base, cap = timing.podFailureBackoffBase, timing.podFailureBackoffMax
    per_index = job.backoff_limit_per_index is not None
    if not per_index:
        remaining = remaining_time(job.backoff, ctx.now, base, cap)
        if remaining > 0:
            note = (job.backoff.failures_after_last_success, ctx.now + remaining)
            if note != job.backoff_noted:  # a resync in the same wait says nothing new
                job.backoff_noted = note
                numbers = _backoff_numbers(note[0], base, cap)
                env.recorder.job_backoff(ctx.now, job.key, note[0], remaining, numbers)
            env.enqueue(job, max(remaining, timing.jobSyncDelay))
            return active
    diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
    indexes: list[int | None]
    if job.indexed:
        assert completions is not None
        live: Collection[int] = job.active_indexes  # its keys; a dict: C-level differences
        if job.only_replace_failed:
            live = IndexUnion(
                live, {p.index for p in job.terminating.values() if p.index is not None}
            )
        busy = IndexUnion(ctx.succeeded_indexes, live, ctx.failed_indexes or frozenset())
        while job.pending_floor in job.completed_indexes or job.pending_floor in job.failed_indexes:
            job.pending_floor += 1  # every index below is finished for good
        pending = _pending_indexes(job, busy, diff, completions)
        if per_index:
            ready_now, wait = independent_indexes(ctx, pending, base, cap)
            if not ready_now:
                if wait is not None:
                    remaining, ix, failures = wait
                    numbers = _backoff_numbers(failures, base, cap)
                    env.recorder.job_index_backoff(
                        ctx.now, job.key, ix, failures, remaining, numbers
                    )
                    env.enqueue(job, max(remaining, timing.jobSyncDelay))
                return active
            pending = ready_now
        indexes = list(pending)
    else:
        indexes = [None] * diff
    plans: list[PodPlan] = []
    for index in indexes:
        replaced = ctx.delayed.get(index) if index is not None else None
        failures, ignored = new_index_failure_counts(job, replaced) if per_index else (0, 0)
        plans.append(PodPlan(index, failures, ignored))
    env.create_pods(job, plans)  # active += diff: counted before they exist, as upstream
    return active + len(indexes)


def create_pod_now(env: ControllerEnv, job: JobRuntime, plan: PodPlan) -> Pod:
    """POST one pod of ``plan``; it is active from now on."""
    pod = env.create_pod(job, plan.index)
    pod.failure_count, pod.ignored_failure_count = plan.failures, plan.ignored
    job.add_active(pod)
    return pod


def _backoff_numbers(failures: int, base: float, cap: float) -> dict[str, Any]:
    """The whole delay of a pod-failure backoff and the constants it comes from."""
    return {"delay": backoff_duration(failures, base, cap), "base": base, "cap": cap}


def independent_indexes(
    ctx: SyncCtx, indexes: list[int], base: float, cap: float
) -> tuple[list[int], tuple[float, int, int] | None]:
    """``getPodCreationInfoForIndependentIndexes``: the indexes whose own backoff has passed;
    if none, the smallest (remaining time, index, failures) among them."""
    ready: list[int] = []
    wait: tuple[float, int, int] | None = None
    for i in indexes:
        last = ctx.delayed.get(i)
        if last is None:
            ready.append(i)
            continue
        remaining = index_remaining_time(
            last.failure_count,
            last.ignored_failure_count,
            ctx.finished_time(last),
            ctx.now,
            base,
            cap,
        )
        if remaining == 0:
            ready.append(i)
        elif wait is None or remaining < wait[0]:
            wait = (remaining, i, last.failure_count + last.ignored_failure_count + 1)
    return (ready, None) if ready else ([], wait)


__all__ = [
    "MAX_POD_CREATE_DELETE_PER_SYNC",
    "create_pod_now",
    "delete_job_pods",
    "independent_indexes",
    "manage_job",
    "new_index_failure_counts",
    "pods_for_removal",
]
