"""One ``syncJob`` from a snapshot: a Job, its status, its pods and ``now``.

This is how upstream's controller unit tests (``pkg/controller/job/job_controller_test.go``)
exercise the controller: they seed an informer with a Job and its pods, run ``syncJob`` once
against a fake client and read what it created, deleted and patched and the status it wrote.
``sync_once`` does the same with jobsim's own controller code (``sim.controller.sync_job``, the
very function every simulation runs): it builds the Job's ``JobRuntime`` and its ``Pod`` objects
from the snapshot, runs one sync through a bookkeeping ``ControllerEnv`` and returns a
``SyncOutcome``.

Times are seconds on any clock the caller likes (``now`` and every timestamp on the same one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from jobsim.k8s.defaults import JOB_CONTROLLER_NAME
from jobsim.k8s.features import DEFAULT_GATES, FeatureGates
from jobsim.k8s.job import Job
from jobsim.policy.backoff import BackoffRecord
from jobsim.policy.intervals import format_indexes, parse_indexes
from jobsim.record import Recorder
from jobsim.scenario import Timing, Workload, decode_job
from jobsim.sim.controller import sync_job
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.manage import create_pod_now
from jobsim.sim.objects import FAILED, PENDING, RUNNING, SUCCEEDED, Pod
from jobsim.sim.syncctx import PodPlan, is_pod_failed

__all__ = [
    "CreatedPod",
    "PodSnapshot",
    "Seeded",
    "SnapshotEnv",
    "SnapshotError",
    "SyncOutcome",
    "seed",
    "sync_once",
]

PHASES = (PENDING, RUNNING, SUCCEEDED, FAILED)


class SnapshotError(ValueError):
    """A snapshot that cannot be built: the message says which part and why."""


@dataclass(frozen=True)
class PodSnapshot:
    """A pod of the Job as the controller's informer lists it."""

    name: str
    phase: str = PENDING
    """status.phase: Pending, Running, Succeeded or Failed."""
    index: int | None = None
    """The ``batch.kubernetes.io/job-completion-index`` annotation; None when absent or not a
    number (upstream ``getCompletionIndex`` gives -1 for both)."""
    ready: bool = False
    """Condition Ready=True."""
    deletion_timestamp: float | None = None
    """metadata.deletionTimestamp: the pod is being deleted (terminating)."""
    tracking_finalizer: bool = True
    """Holds ``batch.kubernetes.io/job-tracking``: the controller has not counted it yet."""
    failure_count: int = 0
    """``batch.kubernetes.io/job-index-failure-count``."""
    ignored_failure_count: int = 0
    """``batch.kubernetes.io/job-index-ignored-failure-count``."""
    containers: tuple[tuple[str, int | None], ...] = ()
    """Container statuses: (name, exit code), None while not terminated."""
    init_containers: tuple[tuple[str, int | None], ...] = ()
    """Init container statuses, likewise."""
    finished_at: float | None = None
    """When the last container terminated (``getFinishedTime``'s first rule); None: unknown."""
    conditions: tuple[tuple[str, str], ...] = ()
    """Other pod conditions, (type, status), e.g. ("DisruptionTarget", "True")."""
    restart_count: int = 0
    """The containers' restartCount, summed."""
    created_at: float = 0.0
    """metadata.creationTimestamp."""


@dataclass(frozen=True)
class CreatedPod:
    """A pod the sync created."""

    name: str
    index: int | None


@dataclass(frozen=True)
class SyncOutcome:
    """What one sync did.

    ``status`` is shaped like batch/v1 JobStatus; a pointer field upstream leaves nil is None
    (``failedIndexes`` without ``backoffLimitPerIndex``, ``startTime`` of a suspended Job), so
    None and 0 differ. ``status_written`` says whether the sync changed it (upstream then makes
    its status update). ``requeue_after`` is the earliest ``queue.AddAfter`` the sync asked for
    (None: none), ``requeues`` every one in order. ``recorder`` holds the sync's record: each
    decision with the numbers behind it, as a simulation records it.
    """

    created: tuple[CreatedPod, ...]
    deleted: tuple[str, ...]
    finalizers_removed: tuple[str, ...]
    status: dict[str, Any]
    status_written: bool
    requeue_after: float | None
    requeues: tuple[float, ...]
    recorder: Recorder = field(repr=False, compare=False)


@dataclass
class SnapshotEnv:
    """A ``ControllerEnv`` playing the API server and the work queue by bookkeeping, as
    upstream's fake clientset and fake queue do in the controller's unit tests."""

    now: float
    timing: Timing
    recorder: Recorder
    next_uid: int
    stored_time: Callable[[float], float] | None = None  # the fake clientset keeps exact times
    requeues: list[float] = field(default_factory=list)
    created: list[CreatedPod] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def enqueue(self, job: JobRuntime, delay: float) -> None:
        """``queue.AddAfter``: noted, in order."""
        self.requeues.append(max(delay, 0.0))

    def forget(self, job: JobRuntime) -> None:
        """``queue.Forget``: nothing is pending."""

    def create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        """POST a pod: named as the simulation names it, noted with its index."""
        self.next_uid += 1
        pod = job.new_pod(self.next_uid, index, self.now)
        self.recorder.pod_created(self.now, pod.name, job.key, index)
        self.created.append(CreatedPod(pod.name, index))
        return pod

    def create_pods(self, job: JobRuntime, plans: list[PodPlan]) -> None:
        """``manageJob``'s creations, all at once (a fake clientset has no rate limit)."""
        for plan in plans:
            create_pod_now(self, job, plan)

    def after_creations(self, job: JobRuntime, then: Callable[[], None]) -> None:
        """The creations are done: the rest of the sync runs now."""
        then()

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        """A DELETE, as ``Simulation.delete_pod`` and the informer's ``pod_deleting`` see it,
        with no kubelet behind and no informer resync noted (the sync's own requeues only)."""
        if pod.deletion_ts is not None or pod.terminal:
            return
        job: JobRuntime = pod.job
        pod.deletion_ts = self.now
        self.deleted.append(pod.name)
        failed_at_once = pod.tracked and not job.only_replace_failed
        self.recorder.pod_deleted(self.now, pod.name, reason, failed_at_once)
        if job.pop_active(pod):
            job.add_terminating(pod)
        if pod.tracked and is_pod_failed(pod, job):
            job.finished_tracked[pod.uid] = pod

    def pod_gone(self, pod: Pod) -> None:
        """The pod object is gone."""
        pod.removed = True


def _job(job: Job | Mapping[str, Any], defaulting: bool) -> Job:
    if isinstance(job, Job):
        return job
    if defaulting:
        decoded = decode_job(dict(job))
        if not isinstance(decoded, Job):
            raise SnapshotError("job: " + "; ".join(decoded))
        return decoded
    try:
        return Job.model_validate(dict(job))
    except ValidationError as e:
        raise SnapshotError(f"job: {e}") from None


def _runtime(job: Job, gates: FeatureGates) -> JobRuntime:
    workload = Workload.model_validate({"duration": "1s"})  # never run: one sync only
    meta = job.metadata
    key = f"{meta.namespace or 'default'}/{meta.name}"
    rng, names = np.random.default_rng(0), np.random.default_rng(1)
    rt = JobRuntime(key, job, workload, rng, names, 0.0, gates=gates)
    rt.namespace = str(meta.namespace or "default")
    return rt


def _seed_status(rt: JobRuntime, status: Mapping[str, Any], now: float) -> None:
    completions = rt.spec.completions or 0
    rt.start_time = status.get("startTime")
    rt.completion_time = status.get("completionTime")
    rt.succeeded = int(status.get("succeeded") or 0)
    rt.failed = int(status.get("failed") or 0)
    rt.status_active = int(status.get("active") or 0)
    rt.status_ready = int(status.get("ready") or 0)
    rt.status_terminating = int(status.get("terminating") or 0)
    for key in ("completedIndexes", "failedIndexes"):
        if key == "failedIndexes" and rt.spec.backoffLimitPerIndex is None:
            continue  # hasBackoffLimitPerIndex false: jobCtx.failedIndexes nil, not read
        indexes = set(parse_indexes(str(status.get(key) or ""), completions))
        if key == "completedIndexes":
            rt.completed_indexes = indexes
        else:
            rt.failed_indexes = indexes
    if rt.completed_indexes or rt.failed_indexes:
        rt.indexes_version = 1
    for c in status.get("conditions") or ():
        at = c.get("lastTransitionTime", now)
        rt.conditions.append(
            {
                "type": str(c["type"]),
                "status": str(c["status"]),
                "reason": str(c.get("reason") or ""),
                "message": str(c.get("message") or ""),
                "lastProbeTime": c.get("lastProbeTime", at),
                "lastTransitionTime": at,
            }
        )
    if any(c["type"] in ("Complete", "Failed") and c["status"] == "True" for c in rt.conditions):
        rt.finished = True


def _seed_pod(rt: JobRuntime, uid: int, snap: PodSnapshot) -> Pod:
    if snap.phase not in PHASES:
        raise SnapshotError(f"pod {snap.name}: phase {snap.phase!r} is not one of {PHASES}")
    pod = Pod(
        uid=uid,
        name=snap.name,
        job=rt,
        index=snap.index,
        created_at=snap.created_at,
        requests=rt.requests,
        grace=0.0,
        restart_policy=rt.restart_policy,
        images=rt.images,
    )
    pod.phase = snap.phase
    pod.ready = snap.ready and snap.phase == RUNNING
    if pod.ready:
        pod.ready_since = snap.created_at
    pod.deletion_ts = snap.deletion_timestamp
    pod.tracked = snap.tracking_finalizer
    pod.failure_count = snap.failure_count
    pod.ignored_failure_count = snap.ignored_failure_count
    pod.containers = snap.containers
    pod.init_containers = snap.init_containers
    pod.container_finished_at = snap.finished_at
    pod.restart_count = snap.restart_count
    pod.conditions = {t: (s, "", "", snap.created_at) for t, s in snap.conditions}
    rt.used_names.add(snap.name)
    if pod.terminal:  # JobController.pod_terminal
        if pod.tracked:
            rt.finished_tracked[uid] = pod
    elif pod.deletion_ts is None:
        rt.add_active(pod)
    else:  # JobController.pod_deleting
        rt.add_terminating(pod)
        if pod.tracked and is_pod_failed(pod, rt):
            rt.finished_tracked[uid] = pod
    return pod


def _status(rt: JobRuntime, written: dict[str, Any]) -> dict[str, Any]:
    status = dict(written)
    spec = rt.spec
    status["completedIndexes"] = format_indexes(rt.completed_indexes) if rt.indexed else ""
    per_index = spec.backoffLimitPerIndex is not None
    status["failedIndexes"] = format_indexes(rt.failed_indexes) if per_index else None
    status["uncountedTerminatedPods"] = {}  # jobsim counts a pod in the sync that sees it
    return status


def _unchanged(status: Mapping[str, Any]) -> dict[str, Any]:
    """A status no sync wrote: as given, with upstream's zero values (nil pointers None)."""
    out: dict[str, Any] = {
        "active": 0,
        "ready": None,
        "terminating": None,
        "succeeded": 0,
        "failed": 0,
        "startTime": None,
        "completionTime": None,
        "conditions": [],
        "completedIndexes": "",
        "failedIndexes": None,
        "uncountedTerminatedPods": None,
    }
    out.update(status)
    out["conditions"] = [dict(c) for c in out["conditions"] or []]
    return out


@dataclass
class Seeded:
    """A snapshot built into the controller's objects, before any sync: the Job's runtime
    state, its pods (in the snapshot's order) and the ``ControllerEnv`` a sync step takes."""

    job: JobRuntime
    pods: list[Pod]
    env: SnapshotEnv


def seed(
    job: Job | Mapping[str, Any],
    status: Mapping[str, Any] | None = None,
    pods: Sequence[PodSnapshot] = (),
    now: float = 0.0,
    *,
    defaulting: bool = False,
    timing: Timing | None = None,
    gates: FeatureGates = DEFAULT_GATES,
    deletion_timestamp: float | None = None,
) -> Seeded:
    """Build a snapshot (as ``sync_once`` takes it) into a ``JobRuntime``, its ``Pod``s and a
    bookkeeping ``ControllerEnv``, so that one step of a sync can run on it alone."""
    rt = _runtime(_job(job, defaulting), gates)
    rt.deleting = deletion_timestamp
    _seed_status(rt, status or {}, now)
    names = [p.name for p in pods]
    if len(set(names)) != len(names):
        raise SnapshotError("pods: names must be unique")
    seeded = [_seed_pod(rt, uid, snap) for uid, snap in enumerate(pods, start=1)]
    recorder = Recorder()
    exact = (timing or Timing()).model_copy(update={"apiTimestampPrecision": 0.0})
    env = SnapshotEnv(now=now, timing=exact, recorder=recorder, next_uid=len(seeded))
    recorder.job_submitted(now, rt.key, rt.name, rt.namespace, rt.spec_numbers())
    for pod in seeded:
        recorder.pod_created(now, pod.name, rt.key, pod.index)
    return Seeded(rt, seeded, env)


def sync_once(
    job: Job | Mapping[str, Any],
    status: Mapping[str, Any] | None = None,
    pods: Sequence[PodSnapshot] = (),
    now: float = 0.0,
    *,
    backoff: BackoffRecord | None = None,
    defaulting: bool = False,
    timing: Timing | None = None,
    gates: FeatureGates = DEFAULT_GATES,
    deletion_timestamp: float | None = None,
) -> SyncOutcome:
    """Run exactly one ``syncJob`` of ``job`` at ``now`` and say what it did.

    ``job`` is a batch/v1 Job (a ``Job`` or a manifest mapping). As in upstream's unit tests it
    is taken as given, without the API server's defaulting (so ``podReplacementPolicy`` may be
    nil); ``defaulting=True`` defaults and validates it as ``kubectl create`` would. ``status``
    is its JobStatus in camelCase (``startTime``, ``active``, ``succeeded``, ``failed``,
    ``completedIndexes``, ``failedIndexes``, ``conditions`` …; times on the clock of ``now``).
    ``pods`` are its pods; ``backoff`` is the controller's pod-failure backoff record for the
    Job (upstream ``backoffStore``); ``timing`` gives the backoff constants (defaults: 10 s,
    600 s, and the 1 s ``syncJobBatchPeriod``), its times kept exact as the fake clientset
    keeps them (``apiTimestampPrecision`` 0); ``gates`` the cluster's Job feature gates
    (``jobsim.k8s.features.feature_gates``; default: the newest release, every gate on);
    ``deletion_timestamp`` the Job's own (it is being deleted: no pod is created or deleted
    for it, every pod's tracking finalizer goes).
    """
    seeded = seed(
        job,
        status,
        pods,
        now,
        defaulting=defaulting,
        timing=timing,
        gates=gates,
        deletion_timestamp=deletion_timestamp,
    )
    rt, env, recorder = seeded.job, seeded.env, seeded.env.recorder
    missing = [f for f in ("parallelism", "backoffLimit") if getattr(rt.spec, f) is None]
    if missing:  # syncJob dereferences both; only API defaulting fills them in
        raise SnapshotError(f"job: spec.{missing[0]} must be set (or use defaulting=True)")
    if backoff is not None:
        rt.backoff = backoff
    tracked = {p.uid for p in seeded.pods if p.tracked}
    managed_by = rt.spec.managedBy
    if rt.finished or (managed_by is not None and managed_by != JOB_CONTROLLER_NAME):
        # syncJob returns early for a finished Job (IsJobFinished) and for one another
        # controller manages (isJobManagedByDefaultController): nothing changes
        return SyncOutcome((), (), (), _unchanged(status or {}), False, None, (), recorder)
    key = rt.status_key()
    sync_job(env, rt)
    # a nil ready becomes a count, and terminating a count (JobPodReplacementPolicy) or nil:
    # upstream's ptr.Equal sees a change
    given = status or {}
    terminating_changed = (given.get("terminating") is None) == rt.report_terminating
    written = rt.status_key() != key or given.get("ready") is None or terminating_changed
    removed = tuple(p.name for p in seeded.pods if p.uid in tracked and not p.tracked)
    return SyncOutcome(
        created=tuple(env.created),
        deleted=tuple(env.deleted),
        finalizers_removed=removed,
        status=_status(rt, rt.status()),
        status_written=written,
        requeue_after=min(env.requeues) if env.requeues else None,
        requeues=tuple(env.requeues),
        recorder=recorder,
    )
