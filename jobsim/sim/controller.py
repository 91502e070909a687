"""The Job controller: its work queue, its pod informer, and ``syncJob``.

Upstream: ``pkg/controller/job/job_controller.go``. Event-driven like upstream: a Job is synced
right after it is created or its spec changes, and ``jobSyncDelay`` (upstream
``syncJobBatchPeriod``, 1 s) after any pod change or status write; the work queue keeps at most
one pending sync per Job, at the earliest requested time. A sync whose pod creations wait for
the API client (``jobsim.sim.apiclient``) finishes once they have returned, and the Job's syncs
asked for meanwhile wait for it, as the work queue and the expectations make upstream wait.

``sync_job`` is one pass over one Job. It calls its steps in upstream order, each in its own
module and each taking the same narrow ``ControllerEnv``: ``syncctx.new_sync_ctx`` (list the
pods), ``terminal.decide_terminal``, ``manage.manage_job``, then
``tracking.track_and_remove_finalizers`` and ``tracking.finish``. Decisions come from
``jobsim.policy``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobsim.k8s.apitime import stored_time
from jobsim.k8s.conditions import (
    COMPLETE,
    MESSAGE_COMPLETIONS,
    MESSAGE_RESUMED,
    MESSAGE_SUSPENDED,
    REASON_COMPLETIONS,
    REASON_RESUMED,
    REASON_SUSPENDED,
    SUCCESS_CRITERIA_MET,
    SUSPENDED,
)
from jobsim.policy.backoff import new_backoff_record
from jobsim.record import Recorder
from jobsim.scenario.model import Timing
from jobsim.sim.apiclient import TokenBucket, batch_sizes
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.manage import create_pod_now, manage_job
from jobsim.sim.objects import Pod
from jobsim.sim.syncctx import (
    ControllerEnv,
    PodPlan,
    SyncCtx,
    Verdict,
    is_pod_failed,
    new_sync_ctx,
)
from jobsim.sim.terminal import decide_terminal
from jobsim.sim.tracking import ensure_condition, finish, track_and_remove_finalizers


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
        wall_clock: float = 0.0,
    ) -> None:
        self.clock = clock
        self.timing = timing
        # read on every pod event and creation: plain floats (a pydantic field is a lookup by
        # name, compiled); Timing is frozen
        self._sync_delay = float(timing.jobSyncDelay)
        self._api_latency = float(timing.apiRequestLatency)
        self.stored_time = stored_time(timing.apiTimestampPrecision, wall_clock)
        """What the API keeps of a written time (None: exact); ``wall_clock`` is the scenario's
        wall clock at virtual time 0, whose fraction of a second the truncation keeps."""
        self.recorder = recorder
        self._create_pod = create_pod
        self._delete_pod = delete_pod
        self._pod_gone = pod_gone
        self.job_finished = job_finished
        self.syncs = 0
        self.client = TokenBucket(timing.kubeAPIQPS, timing.kubeAPIBurst)
        # the kernel's callback at every sync, bound once (compiled, ``self.sync`` as a value
        # is a lookup by name and a new bound method)
        self._sync_cb: Callable[[JobRuntime], None] = self.sync

    @property
    def now(self) -> float:
        """The virtual time."""
        return self.clock.now

    # -- the API server's pod calls (ControllerEnv) --------------------------------------
    def create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        """POST a pod of ``job``."""
        return self._create_pod(job, index)

    def create_pods(self, job: JobRuntime, plans: list[PodPlan]) -> None:
        """``manageJob``'s slow-start batches (``jobsim.sim.apiclient``): each request when
        the client's bucket lets it go, its pod ``apiRequestLatency`` later; the next batch
        once the whole batch has returned. A pod whose request waits nothing is created at
        once; while any is waiting the Job is ``creating`` and its syncs are held."""
        self._send(job, plans, batch_sizes(len(plans)))

    def _send(self, job: JobRuntime, plans: list[PodPlan], sizes: list[int]) -> None:
        now = self.clock.now
        latency = self._api_latency
        sent = 0
        for k, size in enumerate(sizes):
            returned = now
            for plan in plans[sent : sent + size]:
                at = self.client.reserve(now) + latency
                if at == now:
                    create_pod_now(self, job, plan)
                else:
                    job.creating = True
                    self.clock.call_at(at, Prio.CONTROLLER, self._create_later, job, plan)
                    returned = max(returned, at)
            sent += size
            if returned > now:  # this batch is out: the next goes when it has returned
                rest, later = plans[sent:], sizes[k + 1 :]
                if later:
                    self.clock.call_at(returned, Prio.CONTROLLER, self._send, job, rest, later)
                else:
                    self.clock.call_at(returned, Prio.CONTROLLER, self._creations_done, job)
                return

    def _create_later(self, job: JobRuntime, plan: PodPlan) -> None:
        if not job.deleted:
            create_pod_now(self, job, plan)

    def _creations_done(self, job: JobRuntime) -> None:
        """The sync's last creation returned: its rest runs, then any sync held meanwhile."""
        job.creating = False
        then, job.then = job.then, None
        if then is not None and not job.deleted:
            then()
            if job.finished:
                self.job_finished(job)
        held, job.held_sync = job.held_sync, None
        if held is not None:
            self.enqueue(job, held - self.clock.now)

    def after_creations(self, job: JobRuntime, then: Callable[[], None]) -> None:
        """Run the rest of the sync now, or once its creations have returned."""
        if job.creating:
            job.then = then
        else:
            then()

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        """A graceful DELETE of ``pod``."""
        self._delete_pod(pod, reason, why)

    def pod_gone(self, pod: Pod) -> None:
        """The pod object is gone from the API."""
        self._pod_gone(pod)

    # -- work queue ----------------------------------------------------------------------
    def enqueue(self, job: JobRuntime, delay: float) -> None:
        """``queue.AddAfter``: keep the earlier of the pending and the requested time."""
        if job.finished or job.deleted or job.inert:
            return
        now = self.clock.now
        at = now + delay if delay > 0.0 else now
        if job.creating:  # its key is being processed: synced again once that is done
            self._hold(job, at)
            return
        if job.sync_at is not None and job.sync_at <= at:
            return
        if job.sync_call is not None:
            job.sync_call.cancel()
        job.sync_at = at
        job.sync_call = self.clock.call(at - now, Prio.CONTROLLER, self._sync_cb, job)

    @staticmethod
    def _hold(job: JobRuntime, at: float) -> None:
        if job.held_sync is None or at < job.held_sync:
            job.held_sync = at

    def forget(self, job: JobRuntime) -> None:
        """Drop the Job's pending sync: it is finished."""
        if job.sync_call is not None:
            job.sync_call.cancel()
            job.sync_call = None
            job.sync_at = None

    def job_added(self, job: JobRuntime) -> None:
        """``addJob``: sync immediately."""
        self.enqueue(job, 0.0)

    def job_spec_changed(self, job: JobRuntime) -> None:
        """``updateJob`` with a new generation: sync immediately."""
        self.enqueue(job, 0.0)

    def job_status_changed(self, job: JobRuntime) -> None:
        """``updateJob`` with the generation unchanged (a status write):
        ``enqueueSyncJobBatched``."""
        self.enqueue(job, self._sync_delay)

    # -- pod informer --------------------------------------------------------------------
    def pod_updated(self, pod: Pod) -> None:
        """A pod's status changed: ``enqueueSyncJobBatched``."""
        self.enqueue(pod.job, self._sync_delay)

    def pod_deleting(self, pod: Pod) -> None:
        """A pod got a deletionTimestamp: it is terminating, maybe already a failure."""
        job: JobRuntime = pod.job
        if job.pop_active(pod) and not pod.terminal:
            job.add_terminating(pod)
        if pod.tracked and is_pod_failed(pod, job):
            job.finished_tracked[pod.uid] = pod
        self.enqueue(job, self._sync_delay)

    def pod_terminal(self, pod: Pod) -> None:
        """A pod reached Succeeded or Failed."""
        job: JobRuntime = pod.job
        job.pop_active(pod)
        job.pop_terminating(pod)
        if pod.tracked:
            job.finished_tracked[pod.uid] = pod
        elif pod.deletion_ts is not None:
            self.pod_gone(pod)
        self.enqueue(job, self._sync_delay)

    # -- syncJob -------------------------------------------------------------------------
    def sync(self, job: JobRuntime) -> None:
        """A sync taken from the work queue."""
        job.sync_at = None
        job.sync_call = None
        if job.deleted or job.finished or job.inert:
            return
        if job.creating:  # asked for before the creations went out: held like the rest
            self._hold(job, self.clock.now)
            return
        self.syncs += 1
        sync_job(self, job)
        if job.finished:
            self.job_finished(job)


def sync_job(env: ControllerEnv, job: JobRuntime) -> None:
    """``syncJob``: one pass of the controller over one Job. The part after ``manageJob``
    runs once the pods it creates exist (``ControllerEnv.after_creations``)."""
    before = job.status_key()
    ctx = new_sync_ctx(job, env.now, env.stored_time)
    if job.start_time is None and not job.suspended:
        job.start_time = ctx.now  # exact for the rest of this sync, as upstream's memory holds it
    finished_time = ctx.finished_time
    job.backoff = new_backoff_record(
        job.backoff,
        [finished_time(p) for p in ctx.new_succeeded],
        [finished_time(p) for p in ctx.new_failed],
    )
    decide_terminal(env, ctx)
    active = len(job.active)
    ctx.ready = job.ready_active  # countReadyPods, kept up to date as pods change
    ctx.terminating = len(job.terminating)
    if ctx.finished is not None:
        ctx.active_pods = list(job.active.values())
        for pod in ctx.active_pods:  # deleteActivePods: finalizers kept
            env.delete_pod(pod, ctx.finished.reason, "Job finished")
        ctx.terminating += active
        ctx.ready = 0
        _write_status(env, ctx, 0, before)
        return
    if job.deleting is not None:  # a Job being deleted: no manageJob, no Suspended change
        _after_manage(env, ctx, active, before)
        return
    active = manage_job(env, ctx)
    env.after_creations(job, lambda: _after_manage(env, ctx, active, before))


def _after_manage(env: ControllerEnv, ctx: SyncCtx, active: int, before: tuple[Any, ...]) -> None:
    """``syncJob`` after ``manageJob``: the success check, ``Suspended``, the status."""
    job = ctx.job
    ctx.now = env.now  # later than the sync's start if its creations waited for the client
    completions = job.completions
    complete = (
        ctx.succeeded > 0 and active == 0
        if completions is None
        else ctx.succeeded >= completions and active == 0
    )
    if complete:
        ctx.finished = _success(job, ctx)
    elif job.deleting is not None:
        pass
    elif job.suspended:
        ensure_condition(env, job, SUSPENDED, "True", REASON_SUSPENDED, MESSAGE_SUSPENDED)
    elif ensure_condition(env, job, SUSPENDED, "False", REASON_RESUMED, MESSAGE_RESUMED):
        job.start_time = ctx.now  # resuming restarts the activeDeadlineSeconds clock
    _write_status(env, ctx, active, before)


def _write_status(env: ControllerEnv, ctx: SyncCtx, active: int, before: tuple[Any, ...]) -> None:
    """The status counts, the finalizers of finished pods, the terminal condition, and the
    status write (with its batched resync) if anything changed."""
    job = ctx.job
    job.status_active = active
    job.status_ready = ctx.ready
    job.status_terminating = ctx.terminating if job.report_terminating else 0  # nil: 0 here
    track_and_remove_finalizers(env, ctx)
    if ctx.finished is not None:
        finish(env, ctx)
    if job.status_key() != before:
        stored = env.stored_time  # once: env is a protocol, each read a lookup by name compiled
        if stored is not None:
            store_status_times(job, stored)
        env.recorder.job_status(ctx.now, job.key, job.status)
        env.enqueue(job, env.timing.jobSyncDelay)  # own status write: batched resync


def store_status_times(job: JobRuntime, stored: Callable[[float], float]) -> None:
    """The status write's round trip through the API (``jobsim.k8s.apitime``): ``startTime``,
    ``completionTime`` and the conditions' ``lastProbeTime``/``lastTransitionTime`` as the
    API keeps them, which is what later syncs, the TTL-after-finished and the CronJob
    controllers read (upstream ``updateStatusHandler`` returns the stored Job, and the
    informer delivers it)."""
    if job.start_time is not None:
        job.start_time = stored(job.start_time)
    if job.completion_time is not None:
        job.completion_time = stored(job.completion_time)
    for c in job.conditions:
        c["lastProbeTime"] = stored(c["lastProbeTime"])
        c["lastTransitionTime"] = stored(c["lastTransitionTime"])


def _success(job: JobRuntime, ctx: SyncCtx) -> Verdict:
    """``newSuccessCondition``: SuccessCriteriaMet first where the release delays the
    terminal condition; before JobSuccessPolicy, Complete had no reason."""
    completions = job.completions
    numbers = {"succeeded": ctx.succeeded, "completions": completions}
    type_ = SUCCESS_CRITERIA_MET if job.delay_terminal else COMPLETE
    if job.success_policy_gate:
        return Verdict(type_, REASON_COMPLETIONS, MESSAGE_COMPLETIONS, numbers)
    return Verdict(type_, "", "", numbers)


__all__ = ["JobController", "store_status_times", "sync_job"]
