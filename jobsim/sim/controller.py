"""The Job controller: ``syncJob`` of ``pkg/controller/job/job_controller.go``.

Event-driven like upstream: a Job is synced right after it is created or its spec changes, and
``jobSyncDelay`` (upstream ``syncJobBatchPeriod``, 1 s) after any pod change or status write; the
work queue keeps at most one pending sync per Job, at the earliest requested time. The informer
is instantaneous, so expectations are always satisfied and are not modelled. Decisions come from
``jobsim.policy``; ``manage.py`` is ``manageJob``, ``tracking.py`` the pod accounting and the
conditions.
"""

from __future__ import annotations

from collections.abc import Callable

from jobsim.policy.backoff import nanoseconds, new_backoff_record
from jobsim.policy.pod_failure_policy import FAIL_JOB
from jobsim.policy.success_policy import match_success_policy
from jobsim.record import Recorder
from jobsim.scenario import Timing
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.manage import manage_job
from jobsim.sim.objects import SUCCEEDED, Pod
from jobsim.sim.syncctx import (
    IndexUnion,
    SyncCtx,
    finished_time,
    is_index_failed,
    is_pod_failed,
    policy_match,
)
from jobsim.sim.tracking import (
    ensure_condition,
    finish,
    status_key,
    status_source,
    track_and_remove_finalizers,
)

REASON_BACKOFF_LIMIT = "BackoffLimitExceeded"
MESSAGE_BACKOFF_LIMIT = "Job has reached the specified backoff limit"
REASON_DEADLINE = "DeadlineExceeded"
MESSAGE_DEADLINE = "Job was active longer than specified deadline"
REASON_POD_FAILURE_POLICY = "PodFailurePolicy"
REASON_MAX_FAILED_INDEXES = "MaxFailedIndexesExceeded"
MESSAGE_MAX_FAILED_INDEXES = "Job has exceeded the specified maximal number of failed indexes"
REASON_FAILED_INDEXES = "FailedIndexes"
MESSAGE_FAILED_INDEXES = "Job has failed indexes"
REASON_SUCCESS_POLICY = "SuccessPolicy"
REASON_COMPLETIONS = "CompletionsReached"
MESSAGE_COMPLETIONS = "Reached expected number of succeeded pods"


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
        job_finished: Callable[[JobRuntime], None] = lambda job: None,
    ) -> None:
        self.clock = clock
        self.timing = timing
        self.recorder = recorder
        self.create_pod = create_pod
        self.delete_pod = delete_pod
        self.pod_gone = pod_gone
        self.job_finished = job_finished
        self.syncs = 0

    # -- work queue ----------------------------------------------------------------------
    def enqueue(self, job: JobRuntime, delay: float) -> None:
        """``queue.AddAfter``: keep the earlier of the pending and the requested time."""
        if job.finished or job.deleted or job.inert:
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
        before = status_key(job)
        ctx = self._list_pods(job)
        if job.start_time is None and not job.suspended:
            job.start_time = ctx.now
        job.backoff = new_backoff_record(
            job.backoff,
            [finished_time(p) for p in ctx.new_succeeded],
            [finished_time(p) for p in ctx.new_failed],
        )
        self._decide_terminal(ctx)
        ctx.active_pods = list(job.active.values())
        active = len(ctx.active_pods)
        ctx.ready = sum(1 for p in ctx.active_pods if p.ready)
        ctx.terminating = len(job.terminating)
        if ctx.finished is not None:
            for pod in ctx.active_pods:  # deleteActivePods: finalizers kept
                self.delete_pod(pod, ctx.finished[1], "Job finished")
            ctx.terminating += active
            active = 0
            ctx.ready = 0
        else:
            active = manage_job(self, ctx)
            completions = job.spec.completions
            complete = (
                ctx.succeeded > 0 and active == 0
                if completions is None
                else ctx.succeeded >= completions and active == 0
            )
            if complete:
                ctx.finished = ("SuccessCriteriaMet", REASON_COMPLETIONS, MESSAGE_COMPLETIONS)
            elif job.suspended:
                ensure_condition(self, job, "Suspended", "True", "JobSuspended", "Job suspended")
            elif ensure_condition(self, job, "Suspended", "False", "JobResumed", "Job resumed"):
                job.start_time = ctx.now  # resuming restarts the activeDeadlineSeconds clock
        job.status_active = active
        job.status_ready = ctx.ready
        job.status_terminating = ctx.terminating
        track_and_remove_finalizers(self, ctx)
        if ctx.finished is not None:
            finish(self, ctx)
        if status_key(job) != before:
            self.recorder.job_status(ctx.now, job.key, status_source(job))
            self.enqueue(job, self.timing.jobSyncDelay)  # own status write: batched resync
        if job.finished:
            self.job_finished(job)

    def _list_pods(self, job: JobRuntime) -> SyncCtx:
        """The pods as this sync first sees them, and the new counters (``getNewFinishedPods``,
        ``nonIgnoredFailedPodsCount``)."""
        ctx = SyncCtx(job=job, now=self.clock.now)
        completions = job.spec.completions or 0
        for pod in sorted(job.finished_tracked.values(), key=lambda p: p.uid):
            failed = is_pod_failed(pod, job)
            ctx.snapshot.append((pod, failed))
            if job.indexed and (pod.index is None or pod.index >= completions):
                continue
            if pod.phase == SUCCEEDED:
                ctx.new_succeeded.append(pod)
            elif failed:
                ctx.new_failed.append(pod)
        ctx.terminating_tracked = [
            (p, is_pod_failed(p, job))
            for p in job.terminating.values()
            if p.tracked and p.uid not in job.finished_tracked
        ]
        ctx.succeeded = job.succeeded + len(ctx.new_succeeded)
        ctx.failed = job.failed + sum(
            1 for p in ctx.new_failed if policy_match(p, job).count_failed
        )
        return ctx

    def _decide_terminal(self, ctx: SyncCtx) -> None:
        """Terminal-state evaluation in upstream order: SuccessCriteriaMet, FailureTarget,
        FailJob rule, backoffLimit, activeDeadlineSeconds, then (Indexed) maxFailedIndexes,
        failed indexes, successPolicy. Completions are checked after manageJob."""
        job, now, spec = ctx.job, ctx.now, ctx.job.spec
        met = job.condition("SuccessCriteriaMet")
        if met is not None and met["status"] == "True":
            ctx.finished = ("Complete", met["reason"], met["message"])
        if ctx.finished is None:
            target = job.condition("FailureTarget")
            if target is not None and target["status"] == "True":
                ctx.finished = ("Failed", target["reason"], target["message"])
            elif spec.podFailurePolicy is not None:
                for pod, failed in ctx.snapshot:
                    if failed:
                        m = policy_match(pod, job)
                        if m.action == FAIL_JOB and m.fail_job_message is not None:
                            ctx.finished = (
                                "FailureTarget",
                                REASON_POD_FAILURE_POLICY,
                                m.fail_job_message,
                            )
                            break
        if ctx.finished is None:
            if ctx.failed > job.backoff_limit or self._past_backoff_limit_on_failure(job):
                ctx.finished = ("FailureTarget", REASON_BACKOFF_LIMIT, MESSAGE_BACKOFF_LIMIT)
            elif self._past_active_deadline(job):
                ctx.finished = ("FailureTarget", REASON_DEADLINE, MESSAGE_DEADLINE)
            elif spec.activeDeadlineSeconds is not None and not job.suspended:
                assert job.start_time is not None
                self.enqueue(job, spec.activeDeadlineSeconds - (now - job.start_time))
        if not job.indexed:
            return
        completions = spec.completions or 0
        # parseIndexesFromString(status.completedIndexes, completions): an elastic scale-down
        # drops completed and failed indexes >= completions.
        if completions < job.indexes_bound:
            job.completed_indexes = {i for i in job.completed_indexes if i < completions}
            job.failed_indexes = {i for i in job.failed_indexes if i < completions}
            job.pending_floor = min(job.pending_floor, completions)
            job.indexes_version += 1
            job.indexes_trimmed = True  # pods of indexes >= completions must go
        job.indexes_bound = completions
        new = {
            p.index
            for p in ctx.new_succeeded
            if p.index is not None
            and p.index < completions
            and p.index not in job.completed_indexes
        }
        ctx.succeeded_indexes = IndexUnion(job.completed_indexes, new)
        ctx.succeeded = len(job.completed_indexes) + len(new)
        if spec.backoffLimitPerIndex is not None:
            failed_indexes = set(job.failed_indexes)
            failed_indexes.update(
                p.index
                for p, _ in ctx.snapshot
                if p.index is not None and p.index < completions and is_index_failed(p, job)
            )
            ctx.failed_indexes = failed_indexes
            if ctx.finished is None:
                if (
                    spec.maxFailedIndexes is not None
                    and len(failed_indexes) > spec.maxFailedIndexes
                ):
                    ctx.finished = (
                        "FailureTarget",
                        REASON_MAX_FAILED_INDEXES,
                        MESSAGE_MAX_FAILED_INDEXES,
                    )
                elif failed_indexes and len(failed_indexes) + ctx.succeeded >= completions:
                    ctx.finished = ("FailureTarget", REASON_FAILED_INDEXES, MESSAGE_FAILED_INDEXES)
            ctx.delayed = self._pods_with_delayed_deletion(ctx)
        if ctx.finished is None:
            msg = (
                None
                if spec.successPolicy is None
                else match_success_policy(
                    spec.successPolicy, completions, set(ctx.succeeded_indexes)
                )
            )
            if msg is not None:
                ctx.finished = ("SuccessCriteriaMet", REASON_SUCCESS_POLICY, msg)

    def _pods_with_delayed_deletion(self, ctx: SyncCtx) -> dict[int, Pod]:
        """``getPodsWithDelayedDeletionPerIndex``: per pending index, its latest failed pod,
        whose finalizer stays until the replacement (which copies its failure counts) exists."""
        job = ctx.job
        completions = job.spec.completions or 0
        active_indexes = {p.index for p in job.active.values()}
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
                and finished_time(pod) >= finished_time(last)
            ):
                out[ix] = pod
        return out

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
        return nanoseconds(self.clock.now - job.start_time) >= nanoseconds(ads)
