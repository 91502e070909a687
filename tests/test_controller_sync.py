"""One ``syncJob`` driven through the controller interface, with a fake and hand-made pods.

``sync_job(env, job)`` takes a ``ControllerEnv``: here a fake that records what the sync asks
of the API server and the work queue, with no scheduler, kubelet or SimPy behind it. The
expected creations, deletions, counters and conditions follow upstream
``pkg/controller/job/job_controller.go`` (``syncJob``, ``manageJob``,
``trackJobStatusAndRemoveFinalizers``, ``getRemainingTimeForFailuresCount``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jobsim.k8s.job import Job
from jobsim.record import Kind, Recorder
from jobsim.scenario import Timing, Workload, decode_job
from jobsim.sim.controller import sync_job
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.manage import create_pod_now
from jobsim.sim.objects import FAILED, RUNNING, SUCCEEDED, Pod
from jobsim.sim.syncctx import ControllerEnv, PodPlan
from tests.helpers import job_manifest


@dataclass
class FakeEnv:
    """A ``ControllerEnv`` that plays the API server and the work queue by bookkeeping."""

    now: float
    timing: Timing = field(default_factory=Timing)
    recorder: Recorder = field(default_factory=Recorder)
    enqueued: list[float] = field(default_factory=list)
    created: list[int | None] = field(default_factory=list)
    deleted: list[tuple[str, str, str]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    stored_time: Callable[[float], float] | None = None

    def enqueue(self, job: JobRuntime, delay: float) -> None:
        self.enqueued.append(delay)

    def forget(self, job: JobRuntime) -> None:
        self.forgotten.append(job.key)

    def create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        self.created.append(index)
        pod = make_pod(job, 100 + len(self.created), index=index, created_at=self.now)
        self.recorder.pod_created(self.now, pod.name, job.key, index)
        return pod

    def create_pods(self, job: JobRuntime, plans: list[PodPlan]) -> None:
        for plan in plans:
            create_pod_now(self, job, plan)

    def after_creations(self, job: JobRuntime, then: Callable[[], None]) -> None:
        then()

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        pod.deletion_ts = self.now
        self.deleted.append((pod.name, reason, why))
        job: JobRuntime = pod.job
        if job.pop_active(pod):
            job.add_terminating(pod)

    def pod_gone(self, pod: Pod) -> None:
        self.gone.append(pod.name)


def make_job(env: FakeEnv, **spec: Any) -> JobRuntime:
    decoded = decode_job(job_manifest(**spec))
    assert isinstance(decoded, Job), decoded
    workload = Workload.model_validate({"duration": "10s"})
    rng = np.random.default_rng(0)
    job = JobRuntime("default/job", decoded, workload, rng, np.random.default_rng(1), 0.0)
    job.start_time = 0.0
    env.recorder.job_submitted(0.0, job.key, job.name, job.namespace, job.spec_numbers())
    return job


def make_pod(
    job: JobRuntime,
    uid: int,
    *,
    phase: str = RUNNING,
    index: int | None = None,
    created_at: float = 0.0,
    finished_at: float | None = None,
) -> Pod:
    pod = Pod(uid, f"job-{uid}", job, index, created_at, {}, 30.0, "Never", ())
    pod.phase = phase
    pod.container_finished_at = finished_at
    if phase == RUNNING:
        pod.ready, pod.ready_since = True, created_at
    return pod


def add(env: FakeEnv, job: JobRuntime, pod: Pod) -> Pod:
    """A pod the Job's informer has listed: active, or finished and still tracked."""
    env.recorder.pod_created(pod.created_at, pod.name, job.key, pod.index)
    if pod.terminal:
        job.finished_tracked[pod.uid] = pod
    else:
        job.add_active(pod)
    return pod


def condition_events(env: FakeEnv) -> list[tuple[str, dict[str, Any]]]:
    rec = env.recorder
    return [
        (ref, rec.numbers.get(i, {}))
        for i, (_t, kind, _s, ref, *_rest) in enumerate(rec.events())
        if kind is Kind.JOB_CONDITION
    ]


def test_failures_past_backoff_limit_fail_the_job_and_delete_active_pods() -> None:
    """backoffLimit 2, three failed pods: failed=3 > 2 is BackoffLimitExceeded. The running
    pod is deleted (deleteActivePods) and, the Job failing, counted as failed too; Failed waits
    until no pod is terminating (enactJobFinished), so only FailureTarget is set."""
    env = FakeEnv(now=40.0)
    job = make_job(env, backoffLimit=2, parallelism=2, completions=5)
    for uid, at in ((1, 10.0), (2, 20.0), (3, 30.0)):
        add(env, job, make_pod(job, uid, phase=FAILED, finished_at=at))
    running = add(env, job, make_pod(job, 4, created_at=30.0))
    sync_job(env, job)
    assert env.created == []
    assert env.deleted == [(running.name, "BackoffLimitExceeded", "Job finished")]
    status = job.status()
    assert (status["active"], status["terminating"], status["failed"]) == (0, 1, 4)
    assert condition_events(env) == [
        ("FailureTarget/True/BackoffLimitExceeded", {"failed": 3, "backoffLimit": 2})
    ]  # the numbers the decision was made on: three failures, not the four counted after
    assert not job.finished
    assert env.enqueued == [1.0]  # its own status write: a batched resync


def test_a_failure_within_the_limit_waits_out_the_pod_failure_backoff() -> None:
    """One failure at 10 s, sync at 15 s: the backoff is 10 s·2^0 = 10 s, so 5 s remain; no pod
    is created, the sync is requeued for then, and the failed pod is counted. (The cap is
    MaxJobPodFailureBackOff, 10 minutes.)"""
    env = FakeEnv(now=15.0)
    job = make_job(env, backoffLimit=6)
    failed = add(env, job, make_pod(job, 1, phase=FAILED, finished_at=10.0))
    sync_job(env, job)
    assert env.created == []
    assert env.enqueued == [5.0, 1.0]
    assert job.status()["failed"] == 1
    assert not failed.tracked  # its finalizer is removed once counted
    rec = env.recorder
    backoffs = [
        (a, b, rec.numbers[i])
        for i, (_t, kind, _s, _r, a, b, _x) in enumerate(rec.events())
        if kind is Kind.JOB_BACKOFF
    ]
    assert backoffs == [(1, 5.0, {"delay": 10.0, "base": 10.0, "cap": 600.0})]


def test_after_the_backoff_a_replacement_is_created() -> None:
    """The same Job at 20 s: the 10 s backoff after the 10 s failure has passed."""
    env = FakeEnv(now=20.0)
    job = make_job(env, backoffLimit=6)
    add(env, job, make_pod(job, 1, phase=FAILED, finished_at=10.0))
    sync_job(env, job)
    assert env.created == [None]
    assert job.status()["active"] == 1


def test_the_last_success_completes_the_job_in_one_sync() -> None:
    """completions 2, two succeeded pods, none active: SuccessCriteriaMet (CompletionsReached)
    and, with no pod terminating, Complete and completionTime in the same sync."""
    env = FakeEnv(now=12.0)
    job = make_job(env, completions=2, parallelism=2)
    for uid in (1, 2):
        add(env, job, make_pod(job, uid, phase=SUCCEEDED, finished_at=11.0))
    sync_job(env, job)
    status = job.status()
    assert (status["succeeded"], status["completionTime"]) == (2, 12.0)
    assert condition_events(env) == [
        ("SuccessCriteriaMet/True/CompletionsReached", {"succeeded": 2, "completions": 2}),
        ("Complete/True/CompletionsReached", {"since": 12.0}),
    ]
    assert job.finished
    assert env.created == [] and env.deleted == []
    assert env.forgotten == ["default/job"]  # a finished Job's pending sync is dropped


def test_indexed_job_creates_the_lowest_pending_indexes() -> None:
    """Indexed, completions 4, parallelism 2, index 0 succeeded and index 2 running: the sync
    creates index 1 (firstPendingIndexes), one pod to reach parallelism."""
    env = FakeEnv(now=5.0)
    job = make_job(env, completions=4, parallelism=2, completionMode="Indexed")
    add(env, job, make_pod(job, 1, phase=SUCCEEDED, index=0, finished_at=4.0))
    add(env, job, make_pod(job, 2, index=2))
    sync_job(env, job)
    assert env.created == [1]
    status = job.status()
    assert (status["completedIndexes"], status["succeeded"], status["active"]) == ("0", 1, 2)


def test_the_fake_is_a_controller_env() -> None:
    env: ControllerEnv = FakeEnv(now=0.0)  # mypy checks the protocol here
    assert env.now == 0.0
