"""Counting finished pods, removing tracking finalizers, and the Job's conditions.

Upstream: ``pkg/controller/job/job_controller.go`` (``trackJobStatusAndRemoveFinalizers``,
``canRemoveFinalizer``, ``flushUncountedAndRemoveFinalizers``, ``enactJobFinished``,
``ensureJobConditionStatus``). Status writes are instantaneous here, so the two status updates
upstream makes around the finalizer removal happen at the same instant.
"""

from __future__ import annotations

from typing import Any

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    SUCCESS_CRITERIA_MET,
)
from jobsim.policy.pod_failure_policy import IGNORE
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import SUCCEEDED, Pod
from jobsim.sim.syncctx import ControllerEnv, SyncCtx, policy_match


def _can_remove_finalizer(ctx: SyncCtx, pod: Pod, considered_failed: bool) -> bool:
    """``canRemoveFinalizer``: a Job finishing or being deleted, a Succeeded pod, or a
    failure not held back for its replacement (backoffLimitPerIndex keeps the latest failed
    pod of a pending index)."""
    if ctx.finished is not None or pod.phase == SUCCEEDED or ctx.job.deleting is not None:
        return True
    if not considered_failed:
        return False
    if pod.index is not None:
        held = ctx.delayed.get(pod.index)
        if held is not None and held.uid == pod.uid:
            return False
    return True


def track_and_remove_finalizers(env: ControllerEnv, ctx: SyncCtx) -> None:
    """Count pods into ``succeeded``/``failed`` (Indexed: ``completedIndexes``) and remove
    their finalizers. Pods are judged as the sync first listed them; when the Job is failing,
    every non-terminal pod counts as failed. Pods matching an Ignore rule are not counted."""
    job = ctx.job
    now = ctx.now
    recorder = env.recorder  # once: env is a protocol, each read a lookup by name compiled
    completions = job.completions or 0
    failing = ctx.finished is not None and ctx.finished.type in (FAILURE_TARGET, FAILED)
    established = failing and job.has_true(FAILURE_TARGET)  # failing since an earlier sync
    snapshot = ctx.snapshot
    if ctx.finished is not None:
        # A finishing Job also settles its live pods, judged as first listed (not failed).
        snapshot = snapshot + [(p, False) for p in ctx.active_pods] + ctx.terminating_tracked
    elif job.deleting is not None:  # every pod's finalizer goes; only failures count
        snapshot = snapshot + [(p, False) for p in job.active.values()] + ctx.terminating_tracked
    if job.indexed:
        snapshot = sorted(snapshot, key=lambda x: -1 if x[0].index is None else x[0].index)
    for pod, considered_failed in snapshot:
        if not pod.tracked:
            continue  # its finalizer was removed earlier in this sync (deleteJobPods)
        if not _can_remove_finalizer(ctx, pod, considered_failed):
            continue
        ix: Any = pod.index  # the pod's own int object (compiled, an int is boxed at each use)
        valid = not job.indexed or (ix is not None and ix < completions)
        # Judged as listed: a deleted pod counted failed then (isPodFailed) that has ended
        # Succeeded since, during the sync's paced creations, still counts as failed.
        if pod.phase == SUCCEEDED and not considered_failed:
            if not job.indexed:
                job.succeeded += 1
                recorder.pod_counted(
                    now, pod.name, "succeeded", _succeeded_numbers(job, job.succeeded)
                )
            elif valid and ix not in job.completed_indexes:
                job.completed_indexes.add(ix)
                job.indexes_version += 1
                recorder.pod_counted(
                    now, pod.name, "succeeded", _succeeded_numbers(job, len(job.completed_indexes))
                )
        elif (considered_failed or failing) and valid:
            match = policy_match(pod, job)
            if match.count_failed:
                job.failed += 1
                if failing and (established or not considered_failed):
                    assert ctx.finished is not None
                    numbers = {"failed": job.failed, "failing": ctx.finished.reason}
                else:
                    numbers = _failed_numbers(ctx, pod)
                if match.action is not None:
                    numbers |= {"action": match.action, "rule": match.rule}
                recorder.pod_counted(now, pod.name, "failed", numbers)
            elif match.action == IGNORE:
                numbers = {"action": IGNORE, "rule": match.rule}
                recorder.pod_counted(now, pod.name, "ignored", numbers)
        remove_finalizer(env, pod)
    if job.indexed:
        job.succeeded = len(job.completed_indexes)
        if ctx.failed_indexes is not None and ctx.failed_indexes != job.failed_indexes:
            job.failed_indexes = set(ctx.failed_indexes)
            job.indexes_version += 1


def _succeeded_numbers(job: JobRuntime, succeeded: int) -> dict[str, Any]:
    return {"succeeded": succeeded, "completions": job.completions}


def _failed_numbers(ctx: SyncCtx, pod: Pod) -> dict[str, Any]:
    """The limit a pod's own counted failure is weighed against, and whether it is exceeded."""
    job = ctx.job
    per_index = job.backoff_limit_per_index
    if per_index is not None:
        return {
            "index": pod.index,
            "indexFailures": pod.failure_count + 1,
            "backoffLimitPerIndex": per_index,
        }
    limit = job.backoff_limit
    return {"failed": job.failed, "backoffLimit": limit, "exceeded": job.failed > limit}


def remove_finalizer(env: ControllerEnv, pod: Pod) -> None:
    """The tracking finalizer is gone: a deleted terminal pod disappears."""
    pod.tracked = False
    job: JobRuntime = pod.job  # Pod.job is Any: typed here, its fields are read natively
    if pod.uid in job.finished_tracked:  # compiled, dict.pop is a method call by name
        del job.finished_tracked[pod.uid]
    if pod.terminal and pod.deletion_ts is not None:
        env.pod_gone(pod)


def finish(env: ControllerEnv, ctx: SyncCtx) -> None:
    """Interim ``FailureTarget``/``SuccessCriteriaMet``, then ``enactJobFinished``: the
    terminal condition only once no pod is terminating (with ``delayTerminalCondition``;
    without it, a Failed/Complete verdict is set at once)."""
    assert ctx.finished is not None
    job = ctx.job
    verdict = ctx.finished
    type_, reason, message = verdict.type, verdict.reason, verdict.message
    if type_ == FAILURE_TARGET:
        append_condition(env, job, FAILURE_TARGET, reason, message, verdict.numbers)
        type_ = FAILED
    elif type_ == SUCCESS_CRITERIA_MET:
        if job.condition(SUCCESS_CRITERIA_MET) is None:
            append_condition(env, job, SUCCESS_CRITERIA_MET, reason, message, verdict.numbers)
        type_ = COMPLETE
    if job.delay_terminal and ctx.terminating > 0:  # enactJobFinished
        return
    interim = job.condition(FAILURE_TARGET if type_ == FAILED else SUCCESS_CRITERIA_MET)
    since = verdict.numbers if interim is None else {"since": interim["lastTransitionTime"]}
    ensure_condition(env, job, type_, "True", reason, message, since)
    if type_ == COMPLETE:
        job.completion_time = ctx.now
    job.finished = True
    job.finished_at = ctx.now
    job.backoff = type(job.backoff)()
    job.used_names.clear()  # a finished Job names no more pods: no name of its to keep
    env.forget(job)


def append_condition(
    env: ControllerEnv,
    job: JobRuntime,
    type_: str,
    reason: str,
    message: str,
    numbers: dict[str, Any] | None = None,
) -> None:
    """Append a True condition stamped now; ``numbers`` say why."""
    now = env.now
    job.conditions.append(
        {
            "type": type_,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastProbeTime": now,
            "lastTransitionTime": now,
        }
    )
    env.recorder.job_condition(now, job.key, type_, "True", reason, message, numbers)


def ensure_condition(
    env: ControllerEnv,
    job: JobRuntime,
    type_: str,
    status: str,
    reason: str,
    message: str,
    numbers: dict[str, Any] | None = None,
) -> bool:
    """``ensureJobConditionStatus``: update in place, or append unless it would be False."""
    now = env.now
    cond = job.condition(type_)
    if cond is not None:
        if (cond["status"], cond["reason"], cond["message"]) == (status, reason, message):
            return False
        cond.update(
            status=status, reason=reason, message=message, lastProbeTime=now, lastTransitionTime=now
        )
    elif status == "False":
        return False
    else:
        job.conditions.append(
            {
                "type": type_,
                "status": status,
                "reason": reason,
                "message": message,
                "lastProbeTime": now,
                "lastTransitionTime": now,
            }
        )
    env.recorder.job_condition(now, job.key, type_, status, reason, message, numbers)
    return True


__all__ = [
    "append_condition",
    "ensure_condition",
    "finish",
    "remove_finalizer",
    "track_and_remove_finalizers",
]
