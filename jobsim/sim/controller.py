"""The Job controller: ``syncJob`` and ``manageJob`` of ``pkg/controller/job/job_controller.go``.

Event-driven like upstream: a Job is synced right after it is created or its spec changes, and
``jobSyncDelay`` (upstream ``syncJobBatchPeriod``, 1 s) after any pod change or status write; the
work queue keeps at most one pending sync per Job, at the earliest requested time. The informer
is instantaneous, so expectations are always satisfied and are not modelled. Decisions come from
``jobsim.policy``; this module waits, asks, acts and records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jobsim.policy.active_pods import PodRank, removal_key
from jobsim.policy.backoff import new_backoff_record, remaining_time
from jobsim.policy.finish_time import pod_finished_time
from jobsim.policy.intervals import first_pending_indexes, format_indexes
from jobsim.record import Recorder
from jobsim.scenario import Timing
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import FAILED, PENDING, RUNNING, SUCCEEDED, Pod

MAX_POD_CREATE_DELETE_PER_SYNC = 500

REASON_BACKOFF_LIMIT = "BackoffLimitExceeded"
MESSAGE_BACKOFF_LIMIT = "Job has reached the specified backoff limit"
REASON_DEADLINE = "DeadlineExceeded"
MESSAGE_DEADLINE = "Job was active longer than specified deadline"
REASON_COMPLETIONS = "CompletionsReached"
MESSAGE_COMPLETIONS = "Reached expected number of succeeded pods"

Finished = tuple[str, str, str]  # (condition type, reason, message)


def is_pod_failed(pod: Pod, job: JobRuntime) -> bool:
    """``isPodFailed``: Failed, or (TerminatingOrFailed) being deleted and not Succeeded."""
    if pod.phase == FAILED:
        return True
    return not job.only_replace_failed and pod.deletion_ts is not None and pod.phase != SUCCEEDED


def finished_time(pod: Pod) -> float:
    """``getFinishedTime`` of a pod (its failure time for the backoff)."""
    return pod_finished_time(
        container_finished_at=[pod.container_finished_at],
        ready_false_since=None if pod.ready else pod.ready_false_at,
        deletion_timestamp=None if pod.deletion_ts is None else pod.deletion_ts + pod.grace,
        deletion_grace_period=None if pod.deletion_ts is None else pod.grace,
        created_at=pod.created_at,
    )


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


class JobController:
    """Syncs Jobs: counts pods, decides terminal conditions, creates and deletes pods."""

    def __init__(
        self,
        clock: Clock,
        timing: Timing,
        recorder: Recorder,
        create_pod: Callable[[JobRuntime, int | None], Pod],
        delete_pod: Callable[[Pod, str, str], None],
        pod_gone: Callable[[Pod], None],
    ) -> None:
        self.clock = clock
        self.timing = timing
        self.recorder = recorder
        self.create_pod = create_pod
        self.delete_pod = delete_pod
        self.pod_gone = pod_gone
        self.syncs = 0

    # -- work queue ----------------------------------------------------------------------
    def enqueue(self, job: JobRuntime, delay: float) -> None:
        """``queue.AddAfter``: keep the earlier of the pending and the requested time."""
        if job.finished or job.deleted:
            return
        at = self.clock.now + max(delay, 0.0)
        if job.sync_at is not None and job.sync_at <= at:
            return
        if job.sync_call is not None:
            job.sync_call.cancel()
        job.sync_at = at
        job.sync_call = self.clock.call(at - self.clock.now, Prio.CONTROLLER, self.sync, job)

    def job_added(self, job: JobRuntime) -> None:
        """``addJob``: sync immediately."""
        self.enqueue(job, 0.0)

    def job_spec_changed(self, job: JobRuntime) -> None:
        """``updateJob`` with a new generation: sync immediately."""
        self.enqueue(job, 0.0)

    # -- pod informer --------------------------------------------------------------------
    def pod_updated(self, pod: Pod) -> None:
        """A pod's status changed: ``enqueueSyncJobBatched``."""
        self.enqueue(pod.job, self.timing.jobSyncDelay)

    def pod_deleting(self, pod: Pod) -> None:
        """A pod got a deletionTimestamp: it is terminating, maybe already a failure."""
        job: JobRuntime = pod.job
        if job.active.pop(pod.uid, None) is not None and not pod.terminal:
            job.terminating[pod.uid] = pod
        if pod.tracked and is_pod_failed(pod, job):
            job.finished_tracked[pod.uid] = pod
        self.enqueue(job, self.timing.jobSyncDelay)

    def pod_terminal(self, pod: Pod) -> None:
        """A pod reached Succeeded or Failed."""
        job: JobRuntime = pod.job
        job.active.pop(pod.uid, None)
        job.terminating.pop(pod.uid, None)
        if pod.tracked:
            job.finished_tracked[pod.uid] = pod
        elif pod.deletion_ts is not None:
            self.pod_gone(pod)
        self.enqueue(job, self.timing.jobSyncDelay)

    # -- syncJob -------------------------------------------------------------------------
    def sync(self, job: JobRuntime) -> None:
        """``syncJob``: one pass of the controller over one Job."""
        job.sync_at = None
        job.sync_call = None
        if job.deleted or job.finished or job.inert:
            return
        self.syncs += 1
        now = self.clock.now
        spec = job.spec
        completions: int | None = spec.completions
        before = self._status(job)

        new_succeeded: list[Pod] = []
        new_failed: list[Pod] = []
        for pod in job.finished_tracked.values():
            if job.indexed and not self._valid_index(job, pod):
                continue
            if pod.phase == SUCCEEDED:
                new_succeeded.append(pod)
            elif is_pod_failed(pod, job):
                new_failed.append(pod)
        succeeded = job.succeeded + len(new_succeeded)
        failed = job.failed + len(new_failed)
        # The pods as this sync first sees them (upstream lists pods once, at the start).
        snapshot: list[tuple[Pod, bool]] = [
            (p, is_pod_failed(p, job)) for p in job.finished_tracked.values()
        ]
        snapshot += [(p, False) for p in job.active.values() if p.tracked]
        snapshot += [
            (p, is_pod_failed(p, job))
            for p in job.terminating.values()
            if p.tracked and p.uid not in job.finished_tracked
        ]
        if job.start_time is None and not job.suspended:
            job.start_time = now
        job.backoff = new_backoff_record(
            job.backoff,
            [finished_time(p) for p in new_succeeded],
            [finished_time(p) for p in new_failed],
        )

        # ---- terminal-state evaluation, in upstream order ----
        finished: Finished | None = None
        met = job.condition("SuccessCriteriaMet")
        if met is not None and met["status"] == "True":
            finished = ("Complete", met["reason"], met["message"])
        if finished is None:
            target = job.condition("FailureTarget")
            if target is not None and target["status"] == "True":
                finished = ("Failed", target["reason"], target["message"])
        if finished is None:
            if failed > job.backoff_limit or self._past_backoff_limit_on_failure(job):
                finished = ("FailureTarget", REASON_BACKOFF_LIMIT, MESSAGE_BACKOFF_LIMIT)
            elif self._past_active_deadline(job):
                finished = ("FailureTarget", REASON_DEADLINE, MESSAGE_DEADLINE)
            elif spec.activeDeadlineSeconds is not None and not job.suspended:
                assert job.start_time is not None
                self.enqueue(job, spec.activeDeadlineSeconds - (now - job.start_time))
        succeeded_indexes = job.completed_indexes
        if job.indexed:
            assert completions is not None
            succeeded_indexes = set(job.completed_indexes)
            succeeded_indexes.update(
                p.index for p in new_succeeded if p.index is not None and p.index < completions
            )
            succeeded = len(succeeded_indexes)

        # ---- act ----
        active_pods = list(job.active.values())
        active = len(active_pods)
        ready = sum(1 for p in active_pods if p.ready)
        terminating = len(job.terminating)
        if finished is not None:
            for pod in active_pods:  # deleteActivePods: finalizers kept
                self.delete_pod(pod, finished[1], "Job finished")
            terminating += active
            active = 0
            ready = 0
        else:
            active, terminating = self._manage(
                job, active_pods, succeeded, succeeded_indexes, terminating
            )
            complete = (
                succeeded > 0 and active == 0
                if completions is None
                else succeeded >= completions and active == 0
            )
            if complete:
                finished = ("SuccessCriteriaMet", REASON_COMPLETIONS, MESSAGE_COMPLETIONS)
            elif job.suspended:
                self._ensure_condition(job, "Suspended", "True", "JobSuspended", "Job suspended")
            elif self._ensure_condition(job, "Suspended", "False", "JobResumed", "Job resumed"):
                job.start_time = now  # resumed Jobs restart the activeDeadlineSeconds clock
        job.status_active = active
        job.status_ready = ready
        job.status_terminating = terminating

        self._track_and_remove_finalizers(job, finished, snapshot)
        if finished is not None:
            self._finish(job, finished, terminating)
        after = self._status(job)
        if after != before:
            self.recorder.job_status(now, job.key, after)
            self.enqueue(job, self.timing.jobSyncDelay)  # own status write: batched resync

    def _valid_index(self, job: JobRuntime, pod: Pod) -> bool:
        return pod.index is not None and pod.index < (job.spec.completions or 0)

    def _past_backoff_limit_on_failure(self, job: JobRuntime) -> bool:
        """``pastBackoffLimitOnFailure``: restarts of Pending/Running pods reach the limit."""
        if job.restart_policy != "OnFailure":
            return False
        restarts = sum(p.restart_count for p in job.active.values()) + sum(
            p.restart_count for p in job.terminating.values()
        )
        limit = job.backoff_limit
        return restarts > 0 if limit == 0 else restarts >= limit

    def _past_active_deadline(self, job: JobRuntime) -> bool:
        """``pastActiveDeadline``: ``now - startTime >= activeDeadlineSeconds``, not suspended."""
        ads = job.spec.activeDeadlineSeconds
        if ads is None or job.start_time is None or job.suspended:
            return False
        return self.clock.now - job.start_time >= ads

    # -- manageJob -----------------------------------------------------------------------
    def _manage(
        self,
        job: JobRuntime,
        active_pods: list[Pod],
        succeeded: int,
        succeeded_indexes: set[int],
        terminating: int,
    ) -> tuple[int, int]:
        """``manageJob``: returns the new (active, terminating)."""
        spec = job.spec
        active = len(active_pods)
        if job.suspended:
            removed = self._delete_job_pods(active_pods, "JobSuspended")
            return active - removed, terminating + removed
        parallelism = job.parallelism
        completions: int | None = spec.completions
        if completions is None:
            want = active if succeeded > 0 else parallelism
        else:
            want = min(max(completions - succeeded, 0), parallelism)
        to_delete = self._pods_for_removal(job, active_pods, max(active - want, 0))
        if to_delete:
            removed = self._delete_job_pods(to_delete[:MAX_POD_CREATE_DELETE_PER_SYNC], "ScaleDown")
            return active - removed, terminating + removed
        diff = want - (terminating if job.only_replace_failed else 0) - active
        if diff <= 0:
            return active, terminating
        now = self.clock.now
        remaining = remaining_time(
            job.backoff, now, self.timing.podFailureBackoffBase, self.timing.podFailureBackoffMax
        )
        if remaining > 0:
            self.recorder.job_backoff(
                now, job.key, job.backoff.failures_after_last_success, remaining
            )
            self.enqueue(job, max(remaining, self.timing.jobSyncDelay))
            return active, terminating
        diff = min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
        indexes: list[int | None]
        if job.indexed:
            assert completions is not None
            busy = set(succeeded_indexes) | job.failed_indexes
            busy.update(p.index for p in active_pods if p.index is not None)
            if job.only_replace_failed:
                busy.update(p.index for p in job.terminating.values() if p.index is not None)
            indexes = list(first_pending_indexes(busy, diff, completions))
        else:
            indexes = [None] * diff
        for index in indexes:
            pod = self.create_pod(job, index)
            job.active[pod.uid] = pod
        return active + len(indexes), terminating

    def _pods_for_removal(self, job: JobRuntime, pods: list[Pod], at_least: int) -> list[Pod]:
        """``activePodsForRemoval``: out-of-range and duplicate indexes first, then by rank."""
        chosen: list[Pod] = []
        rest = pods
        if job.indexed:
            completions = job.spec.completions or 0
            rest = []
            by_index: dict[int, list[Pod]] = {}
            for p in pods:
                if p.index is None or p.index >= completions:
                    chosen.append(p)
                else:
                    by_index.setdefault(p.index, []).append(p)
            for group in by_index.values():
                group.sort(key=lambda p: removal_key(_rank(p)))
                chosen.extend(group[:-1])
                rest.append(group[-1])
        if len(chosen) < at_least:
            rest = sorted(rest, key=lambda p: removal_key(_rank(p)))
            chosen.extend(rest[: at_least - len(chosen)])
        return chosen

    def _delete_job_pods(self, pods: Iterable[Pod], reason: str) -> int:
        """``deleteJobPods``: remove the tracking finalizer first, so the pod is not counted."""
        n = 0
        for pod in pods:
            if pod.tracked:
                pod.tracked = False
                pod.job.finished_tracked.pop(pod.uid, None)
            self.delete_pod(pod, reason, "not counted")
            n += 1
        return n

    # -- trackJobStatusAndRemoveFinalizers -----------------------------------------------
    def _track_and_remove_finalizers(
        self, job: JobRuntime, finished: Finished | None, snapshot: list[tuple[Pod, bool]]
    ) -> None:
        """Count finished pods into status and remove their tracking finalizer.

        ``snapshot`` holds each pod with the finalizer and whether it counted as failed at the
        start of the sync. When the Job is failing, every non-terminal pod counts as failed.
        """
        now = self.clock.now
        completions = job.spec.completions
        failing = finished is not None and finished[0] in ("FailureTarget", "Failed")
        for pod, considered_failed in snapshot:
            if not pod.tracked:
                continue  # its finalizer was removed earlier in this sync (deleteJobPods)
            if not (finished is not None or pod.phase == SUCCEEDED or considered_failed):
                continue
            valid = not job.indexed or (pod.index is not None and pod.index < (completions or 0))
            if pod.phase == SUCCEEDED:
                if job.indexed:
                    if valid and pod.index not in job.completed_indexes:
                        job.completed_indexes.add(pod.index)  # type: ignore[arg-type]
                        self.recorder.pod_counted(now, pod.name, "succeeded")
                else:
                    job.succeeded += 1
                    self.recorder.pod_counted(now, pod.name, "succeeded")
            elif (considered_failed or failing) and valid:
                job.failed += 1
                self.recorder.pod_counted(now, pod.name, "failed")
            self._remove_finalizer(pod)
        if job.indexed:
            job.succeeded = len(job.completed_indexes)

    def _remove_finalizer(self, pod: Pod) -> None:
        pod.tracked = False
        pod.job.finished_tracked.pop(pod.uid, None)
        if pod.terminal and pod.deletion_ts is not None:
            self.pod_gone(pod)

    # -- conditions ----------------------------------------------------------------------
    def _finish(self, job: JobRuntime, finished: Finished, terminating: int) -> None:
        """Interim FailureTarget/SuccessCriteriaMet, then ``enactJobFinished``."""
        type_, reason, message = finished
        if type_ == "FailureTarget":
            self._append_condition(job, "FailureTarget", reason, message)
            type_ = "Failed"
        elif type_ == "SuccessCriteriaMet":
            if job.condition("SuccessCriteriaMet") is None:
                self._append_condition(job, "SuccessCriteriaMet", reason, message)
            type_ = "Complete"
        if terminating > 0:
            return  # the terminal condition waits until no pod is terminating
        self._ensure_condition(job, type_, "True", reason, message)
        if type_ == "Complete":
            job.completion_time = self.clock.now
        job.finished = True
        job.backoff = type(job.backoff)()
        if job.sync_call is not None:
            job.sync_call.cancel()
            job.sync_call = None
            job.sync_at = None

    def _append_condition(self, job: JobRuntime, type_: str, reason: str, message: str) -> None:
        now = self.clock.now
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
        self.recorder.job_condition(now, job.key, type_, "True", reason, message)

    def _ensure_condition(
        self, job: JobRuntime, type_: str, status: str, reason: str, message: str
    ) -> bool:
        """``ensureJobConditionStatus``: update in place, or append unless it would be False."""
        now = self.clock.now
        cond = job.condition(type_)
        if cond is not None:
            if (cond["status"], cond["reason"], cond["message"]) == (status, reason, message):
                return False
            cond.update(
                status=status,
                reason=reason,
                message=message,
                lastProbeTime=now,
                lastTransitionTime=now,
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
        self.recorder.job_condition(now, job.key, type_, status, reason, message)
        return True

    def _status(self, job: JobRuntime) -> dict[str, Any]:
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
        if job.indexed:
            status["completedIndexes"] = format_indexes(job.completed_indexes)
        if job.spec.backoffLimitPerIndex is not None:
            status["failedIndexes"] = format_indexes(job.failed_indexes)
        return status
