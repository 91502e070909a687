"""One ``syncJob`` pass: what it may call (``ControllerEnv``), what it knows (``SyncCtx``,
upstream ``syncJobCtx``), how it lists the pods, and the pod predicates its steps share.

Upstream: ``pkg/controller/job/job_controller.go`` (``syncJobCtx``, ``getNewFinishedPods``,
``isPodFailed``, ``getFinishedTime``) and ``indexed_job_utils.go`` (``isIndexFailed``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from jobsim.k8s.conditions import READY
from jobsim.policy.finish_time import pod_finished_time
from jobsim.policy.pod_failure_policy import (
    FAIL_INDEX,
    NO_MATCH,
    ContainerExit,
    FailedPod,
    PolicyMatch,
    match_pod_failure_policy,
)
from jobsim.record import Recorder
from jobsim.scenario.model import Timing
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import FAILED, SUCCEEDED, Pod


@dataclass(slots=True, init=False, unsafe_hash=True)  # frozen by Final, a compiled __init__
class PodPlan:
    """A pod ``manageJob`` creates: its completion index (Indexed Jobs) and the failure
    counts it carries (``backoffLimitPerIndex``'s annotations)."""

    index: Final[int | None]
    failures: Final[int]
    ignored: Final[int]

    def __init__(self, index: int | None, failures: int, ignored: int) -> None:
        self.index = index
        self.failures = failures
        self.ignored = ignored


class ControllerEnv(Protocol):
    """What one sync of the Job controller reads and does: the time, the timing, the
    recorder, its work queue and the API server's pod calls. ``JobController`` is one; a test
    drives a sync with a fake."""

    @property
    def now(self) -> float:
        """The virtual time of the sync."""
        ...

    @property
    def timing(self) -> Timing:
        """Control-plane latencies and the pod-failure backoff constants."""
        ...

    @property
    def recorder(self) -> Recorder:
        """Where every decision is recorded, with its numbers."""
        ...

    @property
    def stored_time(self) -> Callable[[float], float] | None:
        """What the API keeps of a time written to it (``metav1.Time``, whole seconds;
        ``jobsim.k8s.apitime``), or ``None`` when times are kept exact
        (``timing.apiTimestampPrecision: 0``)."""
        ...

    def enqueue(self, job: JobRuntime, delay: float) -> None:
        """``queue.AddAfter``: sync ``job`` again after ``delay`` seconds."""

    def forget(self, job: JobRuntime) -> None:
        """Drop the pending sync of a finished ``job`` (``queue.Forget``)."""

    def create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        """POST a pod of ``job`` (of completion ``index``, Indexed Jobs)."""
        ...

    def create_pods(self, job: JobRuntime, plans: list[PodPlan]) -> None:
        """``manageJob``'s creations: each plan's pod, made active once it exists
        (``manage.create_pod_now``), at once or as the API client lets it."""

    def after_creations(self, job: JobRuntime, then: Callable[[], None]) -> None:
        """Run ``then`` (the rest of the sync) once the pods it creates exist."""

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        """A graceful DELETE of ``pod``."""

    def pod_gone(self, pod: Pod) -> None:
        """The pod object is gone from the API (no finalizer left, deleted)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A terminal decision of a sync: the condition to set, and the numbers behind it."""

    type: str  # FailureTarget, SuccessCriteriaMet, or (an interim one set earlier) Failed/Complete
    reason: str
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)


def is_pod_failed(pod: Pod, job: JobRuntime) -> bool:
    """``isPodFailed``: Failed, or (TerminatingOrFailed) being deleted and not Succeeded."""
    if pod.phase == FAILED:
        return True
    return not job.only_replace_failed and pod.deletion_ts is not None and pod.phase != SUCCEEDED


def finished_time(pod: Pod) -> float:
    """``getFinishedTime`` of a pod (its failure time for the backoff), times exact."""
    return pod_finished_time(
        container_finished_at=[pod.container_finished_at],
        ready_false_since=None if pod.ready else pod.ready_false_at,
        deletion_timestamp=None if pod.deletion_ts is None else pod.deletion_ts + pod.grace,
        deletion_grace_period=None if pod.deletion_ts is None else pod.grace,
        created_at=pod.created_at,
    )


def stored_finished_time(stored: Callable[[float], float]) -> Callable[[Pod], float]:
    """``getFinishedTime`` of a pod as the controller reads it from its informer: each time it
    reads (a container's ``finishedAt``, the ``Ready`` condition's ``lastTransitionTime``,
    ``deletionTimestamp``, ``creationTimestamp``) is a ``metav1.Time`` the API kept as
    ``stored`` does. Truncating the result is the same: the latest of truncated times is the
    truncated latest, and the grace period (``deletionTimestamp`` minus
    ``deletionGracePeriodSeconds``) is whole seconds."""

    def read(pod: Pod) -> float:
        return stored(finished_time(pod))

    return read


def policy_match(pod: Pod, job: JobRuntime) -> PolicyMatch:
    """``matchPodFailurePolicy`` for a pod of ``job``."""
    policy = job.spec.podFailurePolicy
    if policy is None:
        return NO_MATCH
    conditions = [(t, v[0]) for t, v in pod.conditions.items()]
    conditions.append((READY, "True" if pod.ready else "False"))
    view = FailedPod(
        job.namespace,
        pod.name,
        [ContainerExit(n, c) for n, c in pod.containers],
        [ContainerExit(n, c) for n, c in pod.init_containers],
        conditions,
    )
    return match_pod_failure_policy(policy, view)


def is_index_failed(pod: Pod, job: JobRuntime) -> bool:
    """``isIndexFailed``: a counted failure at the per-index limit, or a FailIndex match."""
    if not is_pod_failed(pod, job):
        return False
    m = policy_match(pod, job)
    if m.action == FAIL_INDEX:
        return True
    limit = job.spec.backoffLimitPerIndex or 0
    return m.count_failed and pod.failure_count >= limit


class IndexUnion(AbstractSet[int]):
    """A read-only union of index collections, without copying them (membership is what syncs
    ask). A part may be a dict (its keys: the active pods per index), so that a set's
    ``difference`` with it is one C call, where a keys view is walked whole."""

    parts: tuple[Collection[int], ...]

    def __init__(self, *parts: Collection[int]) -> None:
        flat: list[Collection[int]] = []
        for p in parts:
            if isinstance(p, IndexUnion):
                flat.extend(p.parts)
            elif p:
                flat.append(p)
        self.parts = tuple(flat)

    def __contains__(self, x: object) -> bool:
        for p in self.parts:  # noqa: SIM110 - a plain loop: any(genexpr) is 2x slower here
            if x in p:
                return True
        return False

    def __iter__(self) -> Iterator[int]:
        return iter(set().union(*self.parts))

    def __len__(self) -> int:
        return len(set().union(*self.parts))


@dataclass(init=False)  # a compiled __init__ (mypyc runs a generated one)
class SyncCtx:
    """What one sync knows: counters, index sets and the pods as first listed."""

    job: JobRuntime
    now: float
    succeeded: int
    failed: int
    new_succeeded: list[Pod]
    new_failed: list[Pod]
    # finished pods holding the tracking finalizer, with isPodFailed at the start of the sync
    snapshot: list[tuple[Pod, bool]]
    # terminating pods holding it that are not (yet) failures, likewise
    terminating_tracked: list[tuple[Pod, bool]]
    # the active pods as listed before any deletion; listed only when the sync deletes some
    # (the Job finishing or suspended, manageJob scaling down): counts come from JobRuntime
    active_pods: list[Pod]
    succeeded_indexes: AbstractSet[int]
    failed_indexes: set[int] | None
    delayed: dict[int, Pod]  # podsWithDelayedDeletionPerIndex
    finished: Verdict | None
    terminating: int
    ready: int
    # getFinishedTime as this sync reads it: exact, or from whole-second API times
    finished_time: Callable[[Pod], float]

    def __init__(self, job: JobRuntime, now: float) -> None:
        """A sync's context before it lists anything."""
        self.job = job
        self.now = now
        self.succeeded = 0
        self.failed = 0
        self.new_succeeded = []
        self.new_failed = []
        self.snapshot = []
        self.terminating_tracked = []
        self.active_pods = []
        self.succeeded_indexes = frozenset()
        self.failed_indexes = None
        self.delayed = {}
        self.finished = None
        self.terminating = 0
        self.ready = 0
        self.finished_time = finished_time


def new_sync_ctx(
    job: JobRuntime, now: float, stored: Callable[[float], float] | None = None
) -> SyncCtx:
    """The pods as this sync first sees them, and the new counters (``getNewFinishedPods``,
    ``nonIgnoredFailedPodsCount``); ``stored`` is ``ControllerEnv.stored_time``."""
    ctx = SyncCtx(job=job, now=now)
    if stored is not None:
        ctx.finished_time = stored_finished_time(stored)
    completions = job.completions or 0
    tracked = job.finished_tracked  # by uid: its keys sorted are the pods by uid
    for uid in sorted(tracked):
        pod = tracked[uid]
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
    ctx.failed = job.failed + sum(1 for p in ctx.new_failed if policy_match(p, job).count_failed)
    return ctx


__all__ = [
    "ControllerEnv",
    "IndexUnion",
    "PodPlan",
    "SyncCtx",
    "Verdict",
    "finished_time",
    "is_index_failed",
    "is_pod_failed",
    "new_sync_ctx",
    "policy_match",
    "stored_finished_time",
]
