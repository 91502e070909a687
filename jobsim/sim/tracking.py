"""Counting finished pods, removing tracking finalizers, and the Job's conditions.

Upstream: ``pkg/controller/job/job_controller.go`` (``trackJobStatusAndRemoveFinalizers``,
``canRemoveFinalizer``, ``flushUncountedAndRemoveFinalizers``, ``enactJobFinished``,
``ensureJobConditionStatus``). Status writes are instantaneous here, so the two status updates
upstream makes around the finalizer removal happen at the same instant.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from jobsim.policy.intervals import format_indexes
from jobsim.policy.pod_failure_policy import IGNORE
from jobsim.record import StatusSource
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import SUCCEEDED, Pod
from jobsim.sim.syncctx import SyncCtx, policy_match

if TYPE_CHECKING:
    from jobsim.sim.controller import JobController


def _can_remove_finalizer(ctx: SyncCtx, pod: Pod, considered_failed: bool) -> bool:
    """``canRemoveFinalizer``: finishing Job, Succeeded pod, or a failure not held back for
    its replacement (backoffLimitPerIndex keeps the latest failed pod of a pending index)."""
    if ctx.finished is not None or pod.phase == SUCCEEDED:
        return True
    if not considered_failed:
        return False
    if pod.index is not None:
        held = ctx.delayed.get(pod.index)
        if held is not None and held.uid == pod.uid:
            return False
    return True


def track_and_remove_finalizers(ctl: JobController, ctx: SyncCtx) -> None:
    """Count pods into ``succeeded``/``failed`` (Indexed: ``completedIndexes``) and remove
    their finalizers. Pods are judged as the sync first listed them; when the Job is failing,
    every non-terminal pod counts as failed. Pods matching an Ignore rule are not counted."""
    job = ctx.job
    now = ctx.now
    completions = job.spec.completions or 0
    failing = ctx.finished is not None and ctx.finished[0] in ("FailureTarget", "Failed")
    snapshot = ctx.snapshot
    if ctx.finished is not None:
        # A finishing Job also settles its live pods, judged as first listed (not failed).
        snapshot = snapshot + [(p, False) for p in ctx.active_pods] + ctx.terminating_tracked
    if job.indexed:
        snapshot = sorted(snapshot, key=lambda x: -1 if x[0].index is None else x[0].index)
    for pod, considered_failed in snapshot:
        if not pod.tracked:
            continue  # its finalizer was removed earlier in this sync (deleteJobPods)
        if not _can_remove_finalizer(ctx, pod, considered_failed):
            continue
        valid = not job.indexed or (pod.index is not None and pod.index < completions)
        if pod.phase == SUCCEEDED:
            if not job.indexed:
                job.succeeded += 1
                ctl.recorder.pod_counted(now, pod.name, "succeeded")
            elif valid and pod.index not in job.completed_indexes:
                assert pod.index is not None
                job.completed_indexes.add(pod.index)
                job.indexes_version += 1
                ctl.recorder.pod_counted(now, pod.name, "succeeded")
        elif (considered_failed or failing) and valid:
            match = policy_match(pod, job)
            if match.count_failed:
                job.failed += 1
                ctl.recorder.pod_counted(now, pod.name, "failed")
            elif match.action == IGNORE:
                ctl.recorder.pod_counted(now, pod.name, "ignored")
        remove_finalizer(ctl, pod)
    if job.indexed:
        job.succeeded = len(job.completed_indexes)
        if ctx.failed_indexes is not None and ctx.failed_indexes != job.failed_indexes:
            job.failed_indexes = set(ctx.failed_indexes)
            job.indexes_version += 1


def remove_finalizer(ctl: JobController, pod: Pod) -> None:
    """The tracking finalizer is gone: a deleted terminal pod disappears."""
    pod.tracked = False
    pod.job.finished_tracked.pop(pod.uid, None)
    if pod.terminal and pod.deletion_ts is not None:
        ctl.pod_gone(pod)


def finish(ctl: JobController, ctx: SyncCtx) -> None:
    """Interim ``FailureTarget``/``SuccessCriteriaMet``, then ``enactJobFinished``: the
    terminal condition only once no pod is terminating."""
    assert ctx.finished is not None
    job = ctx.job
    type_, reason, message = ctx.finished
    if type_ == "FailureTarget":
        append_condition(ctl, job, "FailureTarget", reason, message)
        type_ = "Failed"
    elif type_ == "SuccessCriteriaMet":
        if job.condition("SuccessCriteriaMet") is None:
            append_condition(ctl, job, "SuccessCriteriaMet", reason, message)
        type_ = "Complete"
    if ctx.terminating > 0:
        return
    ensure_condition(ctl, job, type_, "True", reason, message)
    if type_ == "Complete":
        job.completion_time = ctx.now
    job.finished = True
    job.finished_at = ctx.now
    job.backoff = type(job.backoff)()
    if job.sync_call is not None:
        job.sync_call.cancel()
        job.sync_call = None
        job.sync_at = None


def append_condition(
    ctl: JobController, job: JobRuntime, type_: str, reason: str, message: str
) -> None:
    """Append a True condition stamped now."""
    now = ctl.clock.now
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
    ctl.recorder.job_condition(now, job.key, type_, "True", reason, message)


def ensure_condition(
    ctl: JobController, job: JobRuntime, type_: str, status: str, reason: str, message: str
) -> bool:
    """``ensureJobConditionStatus``: update in place, or append unless it would be False."""
    now = ctl.clock.now
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
    ctl.recorder.job_condition(now, job.key, type_, status, reason, message)
    return True


def status_source(job: JobRuntime) -> StatusSource:
    """The Job's live status, for the recorder: built only when someone reads it."""
    return partial(job_status, job)


def status_key(job: JobRuntime) -> tuple[Any, ...]:
    """What ``job_status`` depends on, cheap to compare: has the status changed?"""
    return (
        job.status_active,
        job.status_ready,
        job.status_terminating,
        job.succeeded,
        job.failed,
        job.start_time,
        job.completion_time,
        job.indexes_version,
        tuple(
            (c["type"], c["status"], c["reason"], c["message"], c["lastTransitionTime"])
            for c in job.conditions
        ),
    )


def job_status(job: JobRuntime) -> dict[str, Any]:
    """The Job's status, shaped like batch/v1 JobStatus."""
    status: dict[str, Any] = {
        "active": job.status_active,
        "ready": job.status_ready,
        "terminating": job.status_terminating,
        "succeeded": job.succeeded,
        "failed": job.failed,
        "startTime": job.start_time,
        "completionTime": job.completion_time,
        "conditions": [dict(c) for c in job.conditions],
    }
    if job.indexed or job.spec.backoffLimitPerIndex is not None:
        if job.indexes_text[0] != job.indexes_version:  # format only after a change
            job.indexes_text = (
                job.indexes_version,
                format_indexes(job.completed_indexes),
                format_indexes(job.failed_indexes),
            )
        if job.indexed:
            status["completedIndexes"] = job.indexes_text[1]
        if job.spec.backoffLimitPerIndex is not None:
            status["failedIndexes"] = job.indexes_text[2]
    return status
