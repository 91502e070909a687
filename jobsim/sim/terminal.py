"""The terminal-state evaluation of ``syncJob``: is the Job failing or succeeding, and why.

Upstream: ``pkg/controller/job/job_controller.go`` (``syncJob``'s evaluation order,
``pastBackoffLimitOnFailure``, ``pastActiveDeadline``, ``getPodsWithDelayedDeletionPerIndex``)
and ``indexed_job_utils.go`` (``getFailedIndexes``). Each verdict carries the numbers behind
it, so the record can say why.
"""

from __future__ import annotations

from typing import Any

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    MESSAGE_BACKOFF_LIMIT,
    MESSAGE_DEADLINE,
    MESSAGE_FAILED_INDEXES,
    MESSAGE_MAX_FAILED_INDEXES,
    REASON_BACKOFF_LIMIT,
    REASON_DEADLINE,
    REASON_FAILED_INDEXES,
    REASON_MAX_FAILED_INDEXES,
    REASON_POD_FAILURE_POLICY,
    REASON_SUCCESS_POLICY,
    SUCCESS_CRITERIA_MET,
)
from jobsim.policy.backoff import nanoseconds
from jobsim.policy.pod_failure_policy import FAIL_JOB
from jobsim.policy.success_policy import match_success_policy
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import Pod
from jobsim.sim.syncctx import (
    ControllerEnv,
    IndexUnion,
    SyncCtx,
    Verdict,
    is_index_failed,
    policy_match,
)


def decide_terminal(env: ControllerEnv, ctx: SyncCtx) -> None:
    """Terminal-state evaluation in upstream order: SuccessCriteriaMet, FailureTarget,
    FailJob rule, backoffLimit, activeDeadlineSeconds, then (Indexed) maxFailedIndexes,
    failed indexes, successPolicy. Completions are checked after manageJob."""
    job, now, spec = ctx.job, ctx.now, ctx.job.spec
    # hasSuccessCriteriaMetCondition: only with JobSuccessPolicy
    met = job.condition(SUCCESS_CRITERIA_MET) if job.success_policy_gate else None
    if met is not None and met["status"] == "True":
        ctx.finished = Verdict(COMPLETE, met["reason"], met["message"])
    if ctx.finished is None:
        target = job.condition(FAILURE_TARGET)
        if target is not None and target["status"] == "True":
            ctx.finished = Verdict(FAILED, target["reason"], target["message"])
        elif job.has_failure_policy:
            for pod, failed in ctx.snapshot:
                if failed:
                    m = policy_match(pod, job)
                    if m.action == FAIL_JOB and m.fail_job_message is not None:
                        matched = {"pod": pod.name, "action": FAIL_JOB, "rule": m.rule}
                        ctx.finished = Verdict(
                            FAILURE_TARGET, REASON_POD_FAILURE_POLICY, m.fail_job_message, matched
                        )
                        break
    if ctx.finished is None:
        if ctx.failed > job.backoff_limit or past_backoff_limit_on_failure(job):
            numbers: dict[str, object] = (
                {"failed": ctx.failed}
                if ctx.failed > job.backoff_limit
                else {"restartCount": restart_count(job), "restartPolicy": "OnFailure"}
            )
            numbers["backoffLimit"] = job.backoff_limit
            ctx.finished = Verdict(
                failure_type(job), REASON_BACKOFF_LIMIT, MESSAGE_BACKOFF_LIMIT, numbers
            )
        elif past_active_deadline(job, now):
            assert job.start_time is not None
            ctx.finished = Verdict(
                failure_type(job),
                REASON_DEADLINE,
                MESSAGE_DEADLINE,
                {
                    "activeDeadlineSeconds": job.active_deadline,
                    "startTime": job.start_time,
                    "elapsed": now - job.start_time,
                },
            )
        elif job.active_deadline is not None and not job.suspended:
            assert job.start_time is not None
            env.enqueue(job, job.active_deadline - (now - job.start_time))
    if not job.indexed:
        return
    completions = job.completions or 0
    # parseIndexesFromString(status.completedIndexes, completions): an elastic scale-down
    # drops completed and failed indexes >= completions.
    if completions < job.indexes_bound:
        job.completed_indexes = {i for i in job.completed_indexes if i < completions}
        job.failed_indexes = {i for i in job.failed_indexes if i < completions}
        job.pending_floor = min(job.pending_floor, completions)
        job.indexes_version += 1
        job.indexes_trimmed = True  # pods of indexes >= completions must go
    job.indexes_bound = completions
    new: set[int] = set()
    for p in ctx.new_succeeded:
        ix: Any = p.index  # the pod's own int object (compiled, an int is boxed at each use)
        if ix is not None and ix < completions and ix not in job.completed_indexes:
            new.add(ix)
    ctx.succeeded_indexes = IndexUnion(job.completed_indexes, new)
    ctx.succeeded = len(job.completed_indexes) + len(new)
    if job.backoff_limit_per_index is not None:
        failed_indexes = set(job.failed_indexes)
        failed_indexes.update(
            p.index
            for p, _ in ctx.snapshot
            if p.index is not None and p.index < completions and is_index_failed(p, job)
        )
        ctx.failed_indexes = failed_indexes
        if ctx.finished is None:
            if spec.maxFailedIndexes is not None and len(failed_indexes) > spec.maxFailedIndexes:
                ctx.finished = Verdict(
                    failure_type(job),
                    REASON_MAX_FAILED_INDEXES,
                    MESSAGE_MAX_FAILED_INDEXES,
                    {
                        "failedIndexes": len(failed_indexes),
                        "maxFailedIndexes": spec.maxFailedIndexes,
                    },
                )
            elif failed_indexes and len(failed_indexes) + ctx.succeeded >= completions:
                ctx.finished = Verdict(
                    failure_type(job),
                    REASON_FAILED_INDEXES,
                    MESSAGE_FAILED_INDEXES,
                    {
                        "failedIndexes": len(failed_indexes),
                        "succeeded": ctx.succeeded,
                        "completions": completions,
                    },
                )
        ctx.delayed = pods_with_delayed_deletion(ctx)
    if ctx.finished is None and spec.successPolicy is not None:
        msg = match_success_policy(spec.successPolicy, completions, set(ctx.succeeded_indexes))
        if msg is not None:
            ctx.finished = Verdict(SUCCESS_CRITERIA_MET, REASON_SUCCESS_POLICY, msg)


def failure_type(job: JobRuntime) -> str:
    """``newFailureCondition``'s type: the interim FailureTarget with
    ``delayTerminalCondition`` (JobManagedBy or JobPodReplacementPolicy on), else Failed."""
    return FAILURE_TARGET if job.delay_terminal else FAILED


def pods_with_delayed_deletion(ctx: SyncCtx) -> dict[int, Pod]:
    """``getPodsWithDelayedDeletionPerIndex``: per pending index, its latest failed pod,
    whose finalizer stays until the replacement (which copies its failure counts) exists."""
    job = ctx.job
    completions = job.completions or 0
    active_indexes = job.active_indexes
    failed = ctx.failed_indexes or set()
    out: dict[int, Pod] = {}
    for pod, was_failed in ctx.snapshot:
        ix = pod.index
        if not was_failed or ix is None or ix >= completions:
            continue
        if ix in ctx.succeeded_indexes or ix in failed or ix in active_indexes:
            continue
        last = out.get(ix)
        if last is None or (
            last.failure_count + last.ignored_failure_count
            <= pod.failure_count + pod.ignored_failure_count
            and ctx.finished_time(pod) >= ctx.finished_time(last)
        ):
            out[ix] = pod
    return out


def restart_count(job: JobRuntime) -> int:
    """The restarts of the Job's Pending/Running pods, terminating ones included."""
    return job.live_restarts


def past_backoff_limit_on_failure(job: JobRuntime) -> bool:
    """``pastBackoffLimitOnFailure``: restarts of Pending/Running pods reach the limit."""
    if job.restart_policy != "OnFailure":
        return False
    restarts = restart_count(job)
    limit = job.backoff_limit
    return restarts > 0 if limit == 0 else restarts >= limit


def past_active_deadline(job: JobRuntime, now: float) -> bool:
    """``pastActiveDeadline``: ``now - startTime >= activeDeadlineSeconds``, not suspended."""
    ads = job.active_deadline
    if ads is None or job.start_time is None or job.suspended:
        return False
    return nanoseconds(now - job.start_time) >= nanoseconds(ads)


__all__ = [
    "decide_terminal",
    "failure_type",
    "past_active_deadline",
    "past_backoff_limit_on_failure",
    "pods_with_delayed_deletion",
    "restart_count",
]
