"""The CronJob controller in virtual time: upstream ``cronjob_controllerv2.go``.

One sync (``CronJobController.sync``) is upstream's ``sync``: ``cleanupFinishedJobs`` (the
oldest finished Jobs over ``successfulJobsHistoryLimit``/``failedJobsHistoryLimit`` deleted,
ordered by ``byJobStartTime``), then ``syncCronJob`` (finished Jobs leave ``status.active``
with ``SawCompletedJob``, ``lastSuccessfulTime`` kept, vanished ones ``MissingJob``; nothing
more while suspended; the most recent unmet schedule time, ``TooManyMissedTimes``,
``MissSchedule`` past ``startingDeadlineSeconds``, ``JobAlreadyActive`` under Forbid, the
active Jobs deleted under Replace, then ``SuccessfulCreate`` of ``<name>-<minutes>``), and a
requeue ``nextScheduleDelta`` after the next schedule time. A Job it controls but has not in
``status.active`` (one made by ``kubectl create job --from=cronjob/…``) is ``UnexpectedJob``
at every sync. A sync runs when the CronJob is created, at each requeue, when one of its Jobs
finishes or is deleted or a Job it controls is made (the Job informer's ``updateJob``/
``deleteJob``/``addJob``), and when it is updated (``updateCronJob``: a new schedule or time
zone requeues for its next time, any other change syncs at once): never once a minute, so a
week of nightly runs is a handful of calls. The queue is upstream's: ``queue.Add`` now, and
one waiting ``queue.AddAfter`` entry per CronJob, the earliest. Times on the record are
virtual seconds; the schedule reads wall-clock seconds, ``wall + t``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jobsim.k8s.conditions import COMPLETE
from jobsim.k8s.conditions import FAILED as FAILED_CONDITION
from jobsim.k8s.cronjob import FORBID, REPLACE, CronJob
from jobsim.k8s.cronparse import parse_standard
from jobsim.policy.cron import (
    NEXT_SCHEDULE_DELTA,
    InvalidSchedule,
    Missed,
    Schedule,
    job_name,
    most_recent_schedule_time,
    next_schedule_after,
    rfc1123z,
)
from jobsim.record import Recorder
from jobsim.sim.engine import Call, Clock, Prio
from jobsim.sim.jobs import JobRuntime


@dataclass(eq=False)
class CronJobRuntime:
    """One CronJob in a run: its spec, its status and the Jobs it made."""

    key: str
    cronjob: CronJob
    created: float  # virtual time of creation (creationTimestamp)
    last_schedule: float | None = None  # status.lastScheduleTime, wall-clock seconds
    last_successful: float | None = None  # status.lastSuccessfulTime, virtual seconds
    active: list[JobRuntime] = field(default_factory=list)  # status.active, in order
    jobs: list[JobRuntime] = field(default_factory=list)  # its Jobs that still exist
    made: int = 0  # Jobs created so far (the workload's ``cronRun``)
    queued: Call | None = None  # ``queue.Add``: a sync at this instant
    waiting: Call | None = None  # ``queue.AddAfter``: the delaying queue's entry, the earliest
    waiting_at: float | None = None

    def __post_init__(self) -> None:
        self.name = str(self.cronjob.metadata.name)
        self.set_spec(self.cronjob)

    def set_spec(self, cronjob: CronJob) -> None:
        """The CronJob after an update (its status kept): the schedule parsed again."""
        self.cronjob = cronjob
        spec = cronjob.spec
        self.schedule = Schedule(parse_standard(spec.schedule), spec.timeZone)

    def status(self, wall: float) -> dict[str, Any]:
        """``status`` shaped like batch/v1 CronJobStatus, times in virtual seconds."""
        last = None if self.last_schedule is None else self.last_schedule - wall
        return {
            "active": [j.name for j in self.active],
            "lastScheduleTime": last,
            "lastSuccessfulTime": self.last_successful,
        }


def _delay_to(now: float, when: float) -> float:
    """The delay that ``Clock.call`` turns back into exactly ``when`` (``now + delay``), 0 if
    ``when`` has passed."""
    if when <= now:
        return 0.0
    delay = when - now
    while now + delay < when:
        delay = math.nextafter(delay, math.inf)
    while now + delay > when:
        delay = math.nextafter(delay, 0.0)
    return delay


def _finished_type(job: JobRuntime) -> str | None:
    """``getFinishedStatus``: Complete or Failed, if one is True."""
    for c in job.conditions:
        if c["type"] in (COMPLETE, FAILED_CONDITION) and c["status"] == "True":
            return str(c["type"])
    return None


def _by_start_time(job: JobRuntime) -> tuple[bool, float, str]:
    """``byJobStartTime``: by status.startTime (none last), then name."""
    return (job.start_time is None, job.start_time or 0.0, job.name)


class CronJobController:
    """``ControllerV2``: a work queue of CronJobs, each with at most one pending sync."""

    def __init__(
        self,
        clock: Clock,
        recorder: Recorder,
        wall: float,
        create_job: Callable[[CronJobRuntime, str, float], tuple[JobRuntime, bool] | None],
        delete_job: Callable[[JobRuntime, str], None],
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.wall = wall
        self.create_job = create_job
        self.delete_job = delete_job
        self.by_job: dict[str, CronJobRuntime] = {}  # Job key -> its CronJob

    def _event(self, cj: CronJobRuntime, warning: bool, reason: str, message: str) -> None:
        self.recorder.cronjob_event(self.clock.now, cj.key, reason, message, warning)

    def enqueue(self, cj: CronJobRuntime) -> None:
        """``queue.Add``: a sync now, once however often it is asked for before it runs. It
        leaves a delayed entry (``enqueue_at``) in place, as the delaying queue does."""
        if cj.queued is None:
            cj.queued = self.clock.call(0.0, Prio.CRONJOB, self._run_queued, cj)

    def enqueue_at(self, cj: CronJobRuntime, at: float) -> None:
        """``queue.AddAfter`` until virtual time ``at``: the delaying queue holds one entry
        per key and keeps the earlier time (client-go ``delaying_queue.go`` ``insert``); a
        time not after now is ``queue.Add``. At an equal time the entry moves behind the
        calls already made for that instant (upstream's heap leaves such ties unordered;
        jobsim orders CronJobs due at one instant by their latest request)."""
        if at <= self.clock.now:
            self.enqueue(cj)
            return
        if cj.waiting is not None and cj.waiting_at is not None:
            if cj.waiting_at < at:
                return
            cj.waiting.cancel()
        cj.waiting_at = at
        cj.waiting = self.clock.call(
            _delay_to(self.clock.now, at), Prio.CRONJOB, self._run_waiting, cj
        )

    def _run_queued(self, cj: CronJobRuntime) -> None:
        cj.queued = None
        self.sync(cj)

    def _run_waiting(self, cj: CronJobRuntime) -> None:
        """The delayed entry is ready: it joins the queue, where a pending ``Add`` of the
        same key already stands for it (one sync)."""
        cj.waiting = cj.waiting_at = None
        if cj.queued is None:
            self.sync(cj)

    def adopt(self, cj: CronJobRuntime, job: JobRuntime) -> None:
        """A Job made outside the controller with ``cj`` as its controller owner (``kubectl
        create job --from=cronjob/…``): one of its Jobs to reconcile, not in ``active``; the
        Job informer's ``addJob`` syncs the CronJob at once."""
        cj.jobs.append(job)
        self.by_job[job.key] = cj
        self.enqueue(cj)

    def job_changed(self, job: JobRuntime) -> None:
        """The Job informer: a Job of a CronJob was created, finished or was deleted."""
        cj = self.by_job.get(job.key)
        if cj is not None:
            self.enqueue(cj)

    def update(self, cj: CronJobRuntime, new: CronJob) -> None:
        """``updateCronJob``: the informer sees the CronJob updated. A new schedule or
        timeZone requeues it for the new schedule's next time (``nextScheduleTimeDuration``
        of the new spec; a delayed entry already waiting for an earlier time stays, so the
        sync at the old schedule's time comes first); any other change syncs it now."""
        old = cj.cronjob.spec
        cj.set_spec(new)
        spec = new.spec
        if old.schedule != spec.schedule or old.timeZone != spec.timeZone:
            at = self._next_sync_at(cj)
            # robfig's zero time for a schedule that never fires: a negative delay, at once
            self.enqueue_at(cj, self.clock.now if at is None else at)
            return
        self.enqueue(cj)

    def _next_sync_at(self, cj: CronJobRuntime) -> float | None:
        """The virtual time of the sync for the next schedule time (``nextScheduleTimeDuration``:
        ``nextScheduleDelta`` after it, computed from wall-clock seconds, then made virtual
        exactly); None if the schedule never fires again."""
        nxt = next_schedule_after(
            cj.schedule,
            self.wall + cj.created,
            cj.last_schedule,
            cj.cronjob.spec.startingDeadlineSeconds,
            self.wall + self.clock.now,
        )
        return None if nxt is None else (nxt - self.wall) + NEXT_SCHEDULE_DELTA

    # -- one sync --------------------------------------------------------------------------
    def sync(self, cj: CronJobRuntime) -> None:
        """Upstream ``sync``: cleanup, ``syncCronJob``, the status write, the requeue."""
        jobs = [j for j in cj.jobs if not j.deleted]
        self._cleanup_finished(cj, jobs)
        requeue_at = self._sync_cronjob(cj, jobs)
        cj.jobs = [j for j in cj.jobs if not j.deleted]
        suspended = bool(cj.cronjob.spec.suspend)
        self.recorder.cronjob_status(self.clock.now, cj.key, cj.status(self.wall), suspended)
        if requeue_at is not None:
            self.enqueue_at(cj, requeue_at)

    def _cleanup_finished(self, cj: CronJobRuntime, jobs: list[JobRuntime]) -> None:
        """``cleanupFinishedJobs`` and ``removeOldestJobs``."""
        spec = cj.cronjob.spec
        done = [(j, _finished_type(j)) for j in jobs]
        for kind, limit in (
            (COMPLETE, spec.successfulJobsHistoryLimit),
            (FAILED_CONDITION, spec.failedJobsHistoryLimit),
        ):
            if limit is None:
                continue
            finished = sorted((j for j, t in done if t == kind), key=_by_start_time)
            for job in finished[: max(len(finished) - limit, 0)]:
                self._delete(cj, job, "history limit")

    def _delete(self, cj: CronJobRuntime, job: JobRuntime, why: str) -> None:
        """``deleteJob``: DELETE with Background propagation, out of ``status.active``."""
        self.delete_job(job, why)
        if job in cj.active:
            cj.active.remove(job)
        self._event(cj, False, "SuccessfulDelete", f"Deleted job {job.name}")

    def _sync_cronjob(self, cj: CronJobRuntime, jobs: list[JobRuntime]) -> float | None:
        """``syncCronJob``: the virtual time to requeue at, or None for no requeue."""
        now = self.clock.now
        wall_now = self.wall + now
        for j in jobs:
            finished = _finished_type(j)
            if finished is None:
                if j not in cj.active:
                    # not ours by status: warned at every sync, never added to active
                    self._event(
                        cj,
                        True,
                        "UnexpectedJob",
                        f"Saw a job that the controller did not create or forgot: {j.name}",
                    )
                continue
            if j in cj.active:
                cj.active.remove(j)
                self._event(
                    cj,
                    False,
                    "SawCompletedJob",
                    f"Saw completed job: {j.name}, condition: {finished}",
                )
            done_at = j.completion_time if finished == COMPLETE else None
            if done_at is not None and (cj.last_successful is None or done_at > cj.last_successful):
                cj.last_successful = done_at
        for j in list(cj.active):
            if j.deleted:
                self._event(cj, False, "MissingJob", f"Active job went missing: {j.name}")
                cj.active.remove(j)
        spec = cj.cronjob.spec
        if spec.suspend:
            return None
        sched = cj.schedule
        created_at = self.wall + cj.created
        deadline = spec.startingDeadlineSeconds

        try:
            _, scheduled, missed = most_recent_schedule_time(
                sched, created_at, cj.last_schedule, deadline, wall_now, True
            )
        except InvalidSchedule as e:
            self._event(cj, True, "InvalidSchedule", f"invalid schedule: {spec.schedule} : {e}")
            return None
        if scheduled is None:
            return self._next_sync_at(cj)
        if missed is Missed.MANY:
            self._event(
                cj,
                True,
                "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                "or check clock skew",
            )
        if deadline is not None and scheduled + deadline < wall_now:
            self._event(
                cj,
                True,
                "MissSchedule",
                f"Missed scheduled time to start a job: {rfc1123z(scheduled)}",
            )
            return self._next_sync_at(cj)
        name = job_name(cj.name, scheduled)
        if any(j.name == name for j in cj.active) or cj.last_schedule == scheduled:
            return self._next_sync_at(cj)
        if spec.concurrencyPolicy == FORBID and cj.active:
            self._event(
                cj,
                False,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy "
                "is Forbid",
            )
            return self._next_sync_at(cj)
        if spec.concurrencyPolicy == REPLACE:
            for j in list(cj.active):
                self._delete(cj, j, "concurrencyPolicy Replace")
        made = self.create_job(cj, name, scheduled)
        if made is None:  # AlreadyExists, not ours: another actor keeps the status
            return None
        job, created = made
        if created:
            cj.made += 1
            cj.jobs.append(job)
            self.by_job[job.key] = cj
            self._event(cj, False, "SuccessfulCreate", f"Created job {name}")
        elif job in cj.active:  # AlreadyExists, ours and active: nothing to do, no requeue
            return None
        # (AlreadyExists, ours, not active: "Job already exists", added to active again)
        cj.active.append(job)
        cj.last_schedule = scheduled
        return self._next_sync_at(cj)


__all__ = ["CronJobController", "CronJobRuntime"]
