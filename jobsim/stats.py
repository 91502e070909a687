"""Statistics of one run, and the pod lives that the plots, the trace and the frames draw.

Everything here is read from the record alone, in one pass over the event log (:func:`lives`):
the events, and the rows the record keeps of every Job (its pods' requests), pod and node (its
allocatable resources). A run's ``Result`` is what these functions are given.

Definitions (every time is seconds of virtual time):

- A **run** (an attempt) is one start of a pod's container: from ``CONTAINER_STARTED`` to the
  moment the container exited (``CONTAINER_EXITED``'s exit time, even when the node reported it
  late). A restart under ``restartPolicy: OnFailure`` is a new run of the same pod.
- A run's **attempt** is the number of that start of the work: per completion index for
  Indexed Jobs, per Job for NonIndexed ones, from 0, counting new pods and restarts alike (what
  a workload ``script`` entry's ``attempt`` matches). How a run **ended** (``ContainerRun``):
  ``succeeded`` (exited 0), ``failed`` (exited non-zero), ``evicted`` / ``deleted`` (its pod
  got a deletion timestamp while it ran, with / without a ``DisruptionTarget`` condition;
  whatever its exit code, usually 143 or 137), ``lost`` (never seen to exit, and its pod ended
  without it: PodGC failed the pod of a node that is gone) or ``running`` (not seen to exit by
  the end of the run; it may run unseen on an unreachable node).
- A run is **useful** when it exited 0, is its pod's last run and the Job controller counted
  the pod as succeeded. Every other run that exited is **wasted**. A run never seen to exit (its
  node never came back) counts in neither.
- **wasted/useful pod-seconds** sum the lengths of wasted/useful runs. Pending, image pull and
  container start times are not included.
- **re-executions**: runs that redo the work of an earlier run known not to succeed (it exited
  non-zero, its pod was deleted while it ran, or its pod was counted failed). The work is the
  index for Indexed Jobs and the Job for NonIndexed ones; each earlier run is redone at most
  once, in order.
- **overlapping executions**: re-executions that started while the run they redo was still
  running (a replacement next to a predecessor that still terminates, or runs unseen on an
  unreachable node). Non-idempotent work is done twice at the same time. A run whose exit was
  never reported is taken to run until its node was removed, or until the end of the run; such
  an overlap is marked unconfirmed.
- **wait until running**: first run start of the Job minus its submission time.
- **wall time**: the time of the Job's ``Complete`` or ``Failed`` condition minus its
  submission time.
- The **observation window** is ``[0, horizon]``; ``horizon`` is the time the last Job
  finished (``Complete``/``Failed``), or the end of the run if a Job never finished.
  **makespan** is ``horizon`` minus the first submission. Time-weighted means are taken over
  the window.
- **by CronJob** (``RunStats.cronJobs``): the Jobs a CronJob created (``JobStats.cronJob``),
  taken together: their number and outcomes, the mean and longest wall time of the finished
  ones, and their wasted and useful pod-seconds.
- **pending pods**: created and not yet bound to a node (the scheduler's queue).
- **requested resources**: the requests of the pods bound to nodes, from binding until the pod
  is ``Succeeded``/``Failed`` (when the kubelet releases them); **allocatable**: the capacity of
  the nodes in the cluster at that time (from ``NODE_ADDED`` to ``NODE_REMOVED``; a node that is
  down or cordoned still counts). **utilisation** is requested / allocatable; its mean is
  ∫requested / ∫allocatable over the window. **node-hours**: the time each node spent in the
  cluster within the window, summed, / 3600.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from jobsim.k8s.conditions import (
    COMPLETE,
    DISRUPTION_TARGET,
    FAILED,
    PHASE_FAILED,
    TERMINAL_PHASES,
    job_outcome,
)
from jobsim.record import Kind, Recorder, fmt_seconds


class RunRecord(Protocol):
    """What the statistics read: a run's record and the time it ended
    (``jobsim.results.Result`` is one)."""

    @property
    def recorder(self) -> Recorder:
        """The run's record."""
        ...

    @property
    def end(self) -> float:
        """The virtual time the run ended."""
        ...


__all__ = [
    "POD_OUTCOMES",
    "RUN_ENDINGS",
    "BackoffGap",
    "ConditionMark",
    "ContainerRun",
    "CronJobStats",
    "JobStats",
    "Lives",
    "NodeDown",
    "Overlap",
    "PodLife",
    "ResourceStats",
    "RunRecord",
    "RunSpan",
    "RunStats",
    "Utilisation",
    "by_cronjob",
    "compute",
    "container_runs",
    "lives",
    "requests_by_job",
    "step_at",
    "step_mean",
    "utilisation_series",
]

Series = list[tuple[float, float]]
"""A step function: ``(t, value)`` points, each value holding until the next point."""


@dataclass(slots=True)
class RunSpan:
    """One run of a pod's container (an attempt)."""

    pod: str
    attempt: int
    start: float
    end: float | None = None
    """When the container exited (``None``: never seen to exit)."""
    exit_code: int | None = None
    reported: float | None = None
    """When its exit was reported (later than ``end`` if the node was unreachable)."""
    useful: bool = False
    doomed_at: float | None = None
    """When it became known not to succeed (non-zero exit, deletion, counted failed)."""
    deleted_while_running: bool = False
    """Its pod got a deletion timestamp before its exit was seen."""

    @property
    def seconds(self) -> float | None:
        """Its length, if it exited."""
        return None if self.end is None else self.end - self.start


@dataclass(slots=True)
class PodLife:
    """One pod's life, as the event log tells it."""

    name: str
    job: str
    index: int | None
    created: float
    node: str | None = None
    scheduled: float | None = None
    deleted: float | None = None
    delete_reason: str | None = None
    disruption: str | None = None
    """The reason of a ``DisruptionTarget=True`` condition, if the pod got one."""
    terminal: float | None = None
    phase: str = "Pending"
    removed: float | None = None
    counted: str | None = None
    counted_at: float | None = None
    restarts: int = 0
    runs: list[RunSpan] = field(default_factory=list)
    pulls: list[tuple[float, float]] = field(default_factory=list)
    crashloops: list[tuple[float, float]] = field(default_factory=list)

    @property
    def first_start(self) -> float | None:
        """When its first run started."""
        return self.runs[0].start if self.runs else None

    @property
    def exit_code(self) -> int | None:
        """The exit code of its last run."""
        return self.runs[-1].exit_code if self.runs else None

    @property
    def succeeded(self) -> bool:
        """Ended Succeeded and not counted as failed (a deleted pod is, once deleted, unless
        only failed pods are replaced)."""
        return self.phase == "Succeeded" and self.counted != "failed"

    @property
    def outcome(self) -> str:
        """succeeded, failed, evicted (disrupted), deleted, running or pending
        (``POD_OUTCOMES``): ``succeeded`` if it ``succeeded`` (deleted or not), else
        ``evicted`` if it got a ``DisruptionTarget`` condition, else ``deleted`` if it got a
        deletion timestamp before it ended, else its last phase, or ``running``/``pending``
        whether a container started or not."""
        if self.succeeded:
            return "succeeded"  # deleted or evicted too: its containers exited 0 first
        if self.disruption is not None:
            return "evicted"
        if self.deleted is not None and (self.terminal is None or self.deleted <= self.terminal):
            return "deleted"
        if self.phase == PHASE_FAILED:
            return "failed"
        return "running" if self.runs else "pending"

    @property
    def failure_reason(self) -> str:
        """Why it failed: the disruption or deletion reason, else ``Error`` (non-zero exit)."""
        if self.disruption is not None:
            return self.disruption
        if self.deleted is not None and (self.terminal is None or self.deleted <= self.terminal):
            return self.delete_reason or "Deleted"
        return "Error" if self.runs else "Unknown"

    def released(self, end: float) -> float:
        """When its node stopped holding its requests (terminal), or ``end``."""
        return self.terminal if self.terminal is not None else end


@dataclass(frozen=True, slots=True)
class BackoffGap:
    """A pod-failure backoff of a Job (or of one index, with ``backoffLimitPerIndex``): from
    the last failure until the controller may create pods (for that index) again."""

    job: str
    start: float
    end: float
    failures: int
    decided_at: float
    index: int | None = None

    @property
    def seconds(self) -> float:
        """Its length."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class ConditionMark:
    """A Job condition change."""

    job: str
    t: float
    type: str
    status: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class NodeDown:
    """A node that stopped reporting, until it reported again (``end``) or the run ended."""

    node: str
    start: float
    end: float | None


@dataclass(frozen=True, slots=True)
class Overlap:
    """A re-execution that ran while the run it redoes was still running."""

    job: str
    index: int | None
    pod: str
    predecessor: str
    start: float
    seconds: float
    confirmed: bool = True
    """False when the predecessor's exit was never reported (its node never came back)."""


@dataclass(slots=True)
class Lives:
    """Everything the event log says about pods, Jobs and nodes, ready to draw or count."""

    end: float
    horizon: float
    pods: dict[str, PodLife]
    jobs: list[str]
    submitted: dict[str, float]
    finished: dict[str, float]
    conditions: list[ConditionMark]
    backoffs: list[BackoffGap]
    node_down: list[NodeDown]
    nodes: list[str]
    node_spans: dict[str, tuple[float, float | None, str | None]]
    """Each node's (added, removed, pool)."""
    pending: Series
    redo: list[tuple[RunSpan, RunSpan, str, int | None]]
    """(predecessor, re-execution, job, index) pairs."""
    _by_job: dict[str, list[PodLife]] | None = None

    def pods_of(self, job: str) -> list[PodLife]:
        """The Job's pods in creation order (indexed once: linear in pods for all Jobs)."""
        if self._by_job is None:
            self._by_job = {}
            for p in self.pods.values():
                self._by_job.setdefault(p.job, []).append(p)
        return list(self._by_job.get(job, ()))

    def run_end(self, run: RunSpan) -> float:
        """When a run ended: its exit, else the removal of its node, else the end of the run."""
        if run.end is not None:
            return run.end
        node = self.pods[run.pod].node
        removed = self.node_spans.get(node, (0.0, None, None))[1] if node else None
        return removed if removed is not None else self.end


def _cut_short(gaps: list[BackoffGap], pods: dict[str, PodLife]) -> list[BackoffGap]:
    """Each backoff ends at the first pod its Job (or index) creates after announcing it, if
    that comes before the announced end: a later success reset the backoff record
    (backoff_utils.go ``newBackoffRecord``)."""
    if not gaps:
        return gaps
    jobs = {g.job for g in gaps}
    created: dict[tuple[str, int | None], list[float]] = {}  # in creation order: sorted
    for p in pods.values():
        if p.job in jobs:
            created.setdefault((p.job, None), []).append(p.created)
            if p.index is not None:
                created.setdefault((p.job, p.index), []).append(p.created)
    out = []
    for gap in gaps:
        times = created.get((gap.job, gap.index), [])
        i = bisect_right(times, gap.decided_at)
        first = times[i] if i < len(times) and times[i] < gap.end else None
        out.append(gap if first is None else replace(gap, end=first))
    return out


def lives(result: RunRecord) -> Lives:
    """Read the whole event log once."""
    rec = result.recorder
    pods: dict[str, PodLife] = {}
    jobs: list[str] = []
    submitted: dict[str, float] = {}
    finished: dict[str, float] = {}
    conditions: list[ConditionMark] = []
    backoffs: list[BackoffGap] = []
    seen_backoff: set[tuple[str, int, float]] = set()
    down: dict[str, float] = {}
    node_down: list[NodeDown] = []
    nodes: list[str] = []
    pending_now = 0
    pending: Series = [(0.0, 0.0)]
    queues: dict[tuple[str, int | None], deque[RunSpan]] = {}
    redo: list[tuple[RunSpan, RunSpan, str, int | None]] = []

    def set_pending(t: float, n: int) -> None:
        if pending and pending[-1][0] == t:
            pending[-1] = (t, float(n))
        else:
            pending.append((t, float(n)))

    def doom(p: PodLife, t: float) -> None:
        if not p.runs:
            return
        run = p.runs[-1]
        if run.doomed_at is not None:
            return
        if run.end is not None and run.exit_code == 0 and p.counted != "failed":
            return
        run.doomed_at = t
        queues.setdefault((p.job, p.index), deque()).append(run)

    for i, (t, kind, subject, ref, a, b, text) in enumerate(rec.events()):
        if kind is Kind.POD_CREATED:
            pods[subject] = PodLife(subject, ref, None if a < 0 else a, t)
            pending_now += 1
            set_pending(t, pending_now)
        elif kind is Kind.POD_SCHEDULED:
            p = pods[subject]
            p.node, p.scheduled = ref, t
            if ref not in nodes:
                nodes.append(ref)
            pending_now -= 1
            set_pending(t, pending_now)
        elif kind is Kind.IMAGE_PULLED:
            pods[subject].pulls.append((t - b, t))
        elif kind is Kind.CONTAINER_STARTED:
            p = pods[subject]
            if p.runs and p.runs[-1].end is not None and p.runs[-1].end < t:
                p.crashloops.append((p.runs[-1].end or t, t))
            run = RunSpan(subject, int(b), t)
            p.runs.append(run)
            p.restarts = a
            q = queues.get((p.job, p.index))
            if q:
                redo.append((q.popleft(), run, p.job, p.index))
        elif kind is Kind.CONTAINER_EXITED:
            p = pods[subject]
            if p.runs and p.runs[-1].end is None:
                run = p.runs[-1]
                run.end, run.exit_code, run.reported = b, a, t
                if a != 0:
                    doom(p, t)
        elif kind is Kind.POD_PHASE:
            p = pods[subject]
            if ref in TERMINAL_PHASES:
                p.terminal, p.phase = t, ref
                if p.scheduled is None and p.removed is None:
                    pending_now -= 1
                    set_pending(t, pending_now)
            else:
                p.phase = ref
        elif kind is Kind.POD_DELETED:
            p = pods[subject]
            p.deleted, p.delete_reason = t, ref
            if p.runs and p.runs[-1].end is None:
                p.runs[-1].deleted_while_running = True
                doom(p, t)
        elif kind is Kind.POD_CONDITION:
            type_, status, reason = ref.split("/")
            if type_ == DISRUPTION_TARGET and status == "True":
                pods[subject].disruption = reason
        elif kind is Kind.POD_COUNTED:
            p = pods[subject]
            p.counted, p.counted_at = ref, t
            if ref == "failed":
                doom(p, t)
            elif ref == "succeeded" and p.runs and p.runs[-1].doomed_at is not None:
                # deleted, then Succeeded (its container exited 0) and counted so: not redone
                run = p.runs[-1]
                run.doomed_at = None
                q = queues.get((p.job, p.index))
                if q is not None and run in q:
                    q.remove(run)
                else:  # a later start took it as the work it redoes: it redoes nothing
                    redo[:] = [r for r in redo if r[0] is not run]
        elif kind is Kind.POD_REMOVED:
            p = pods[subject]
            if p.scheduled is None and p.terminal is None:
                pending_now -= 1
                set_pending(t, pending_now)
            p.removed = t
        elif kind is Kind.JOB_SUBMITTED:
            jobs.append(subject)
            submitted[subject] = t
        elif kind is Kind.JOB_CONDITION:
            type_, status, reason = ref.split("/")
            conditions.append(ConditionMark(subject, t, type_, status, reason, text))
            if type_ in (COMPLETE, FAILED) and status == "True":
                finished.setdefault(subject, t)
        elif kind is Kind.JOB_BACKOFF:
            if (subject, -1, t + b) in seen_backoff:
                continue  # a later sync still waiting for the same expiry
            seen_backoff.add((subject, -1, t + b))
            delay = rec.numbers.get(i, {}).get("delay")
            start = t + b - delay if delay is not None else t
            backoffs.append(BackoffGap(subject, start, t + b, a, t))
        elif kind is Kind.JOB_INDEX_BACKOFF:
            if (subject, a, t + b) in seen_backoff:
                continue
            seen_backoff.add((subject, a, t + b))
            failures = int(ref) if ref.isdigit() else 0
            delay = rec.numbers.get(i, {}).get("delay")
            start = t + b - delay if delay is not None else t
            backoffs.append(BackoffGap(subject, start, t + b, failures, t, a))
        elif kind is Kind.NODE_DOWN:
            down[subject] = t
            if subject not in nodes:
                nodes.append(subject)
        elif kind in (Kind.NODE_UP, Kind.NODE_REMOVED):
            since = down.pop(subject, None)
            if since is not None:
                node_down.append(NodeDown(subject, since, t))
    pending = [pt for i, pt in enumerate(pending) if i == 0 or pt[1] != pending[i - 1][1]]
    node_down.extend(NodeDown(n, s, None) for n, s in down.items())
    node_down.sort(key=lambda d: (d.start, d.node))
    spans: dict[str, tuple[float, float | None, str | None]] = {
        n.name: (n.addedAt, n.removedAt, n.pool) for n in rec.nodes.values()
    }
    for n in sorted(nodes):
        spans.setdefault(n, (0.0, None, None))
    nodes = list(spans)
    live_jobs = [j for j in jobs if rec.jobs[j].managedBy is None]
    horizon = result.end
    if live_jobs and all(j in finished for j in live_jobs):
        horizon = max(finished[j] for j in live_jobs)
    for p in pods.values():
        if p.runs:
            last = p.runs[-1]
            last.useful = last.exit_code == 0 and p.counted == "succeeded"
    return Lives(
        end=result.end,
        horizon=horizon,
        pods=pods,
        jobs=jobs,
        submitted=submitted,
        finished=finished,
        conditions=conditions,
        backoffs=_cut_short(backoffs, pods),
        node_down=node_down,
        nodes=nodes,
        node_spans=spans,
        pending=pending,
        redo=redo,
    )


POD_OUTCOMES: tuple[str, ...] = ("succeeded", "failed", "evicted", "deleted", "running", "pending")
"""A pod's outcome (``PodLife.outcome``)."""

RUN_ENDINGS: tuple[str, ...] = ("succeeded", "failed", "evicted", "deleted", "lost", "running")
"""How a container run ended (``ContainerRun.ended``; defined in the module docstring)."""


@dataclass(frozen=True, slots=True)
class ContainerRun:
    """One run of a pod's container (an attempt), with how it ended: one per start of the
    container, restarts under ``restartPolicy: OnFailure`` included."""

    pod: str
    job: str
    """The Job's ``namespace/name``."""
    index: int | None
    """Its pod's completion index (``None`` for NonIndexed Jobs)."""
    attempt: int
    """The number of this start of the work, per index (NonIndexed: per Job), from 0: what a
    workload ``script`` entry's ``attempt`` matches."""
    node: str | None
    start: float
    end: float | None
    """When the container exited, even if its node reported it late; ``None``: never seen to
    exit."""
    exit_code: int | None
    ended: str
    """succeeded, failed, evicted, deleted, lost or running (``RUN_ENDINGS``)."""
    reported: float | None = None
    """When the exit reached the API server, and so the Job controller: ``end``, or later if
    its node was unreachable when it exited; ``None``: never."""

    @property
    def seconds(self) -> float | None:
        """Its length, if it was seen to exit."""
        return None if self.end is None else self.end - self.start


def _ended(p: PodLife, run: RunSpan) -> str:
    if run.end is None:
        return "lost" if p.terminal is not None or p.removed is not None else "running"
    if run.exit_code == 0 and p.succeeded:
        return "succeeded"  # deleted while it ran, but it finished first and counts so
    if run.deleted_while_running and p.deleted is not None and run.end >= p.deleted:
        return "evicted" if p.disruption is not None else "deleted"
    return "succeeded" if run.exit_code == 0 else "failed"


def container_runs(result: RunRecord, lv: Lives) -> list[ContainerRun]:
    """Every container run of the record, in the order they started."""
    seen: dict[str, int] = {}
    out = []
    for _i, _t, _kind, name, *_rest in result.recorder.select(Kind.CONTAINER_STARTED):
        n = seen.get(name, 0)
        seen[name] = n + 1
        p = lv.pods[name]
        run = p.runs[n]
        out.append(
            ContainerRun(
                pod=name,
                job=p.job,
                index=p.index,
                attempt=run.attempt,
                node=p.node,
                start=run.start,
                end=run.end,
                exit_code=run.exit_code,
                ended=_ended(p, run),
                reported=run.reported,
            )
        )
    return out


def step_mean(series: Series, t0: float, t1: float) -> float:
    """The time-weighted mean of a step function over ``[t0, t1]`` (its value at ``t0`` if the
    window is empty)."""
    if not series:
        return 0.0
    if t1 <= t0:
        return step_at(series, t0)
    parts = []
    for i, (t, v) in enumerate(series):
        nxt = series[i + 1][0] if i + 1 < len(series) else t1
        lo, hi = max(t, t0), min(nxt, t1)
        if hi > lo:
            parts.append((v, hi - lo))
    try:
        mean = math.fsum(v * d for v, d in parts) / (t1 - t0)
    except OverflowError:
        mean = math.inf
    if math.isfinite(mean):
        return mean
    # amounts near float's limit (a capacity of 1e400 cores): weigh by share, never inf
    return min(math.fsum(v * (d / (t1 - t0)) for v, d in parts), max(v for v, _ in parts))


def step_at(series: Series, t: float) -> float:
    """The value of a step function at ``t``."""
    v = 0.0
    for ts, val in series:
        if ts > t:
            break
        v = val
    return v


def _within(series: Series, t1: float) -> Series:
    return [(t, v) for t, v in series if t <= t1]


# -- statistics ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobStats:
    """One Job's statistics (see the module docstring for the definitions)."""

    job: str
    name: str
    outcome: str
    reason: str
    submittedAt: float
    finishedAt: float | None
    waitUntilRunning: float | None
    wallTime: float | None
    podsCreated: int
    attempts: int
    attemptsPerIndex: dict[str, int]
    failuresByExitCode: dict[str, int]
    failuresByReason: dict[str, int]
    wastedPodSeconds: float
    usefulPodSeconds: float
    reExecutions: int
    overlappingExecutions: list[Overlap]
    cronJob: str | None = None
    """``namespace/name`` of the CronJob that created the Job, if one did."""

    def to_dict(self) -> dict[str, Any]:
        """Its ``stats.jobs[]`` entry (``cronJob`` only for a CronJob's Job)."""
        out = self._dict()
        if self.cronJob is not None:
            out["cronJob"] = self.cronJob
        return out

    def _dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "name": self.name,
            "outcome": self.outcome,
            "reason": self.reason,
            "submittedAt": self.submittedAt,
            "finishedAt": self.finishedAt,
            "waitUntilRunning": self.waitUntilRunning,
            "wallTime": self.wallTime,
            "podsCreated": self.podsCreated,
            "attempts": self.attempts,
            "attemptsPerIndex": dict(self.attemptsPerIndex),
            "failuresByExitCode": dict(self.failuresByExitCode),
            "failuresByReason": dict(self.failuresByReason),
            "wastedPodSeconds": self.wastedPodSeconds,
            "usefulPodSeconds": self.usefulPodSeconds,
            "reExecutions": self.reExecutions,
            "overlappingExecutions": [
                {
                    "pod": o.pod,
                    "predecessor": o.predecessor,
                    "index": o.index,
                    "start": o.start,
                    "seconds": o.seconds,
                    "confirmed": o.confirmed,
                }
                for o in self.overlappingExecutions
            ],
        }


@dataclass(frozen=True, slots=True)
class ResourceStats:
    """Requested and allocatable amounts of one resource over the window (time-weighted
    means; cpu in cores, memory in bytes)."""

    meanAllocatable: float
    meanRequested: float
    peakRequested: float
    peakUtilisation: float

    @property
    def meanUtilisation(self) -> float:
        """∫requested / ∫allocatable over the window."""
        return self.meanRequested / self.meanAllocatable if self.meanAllocatable else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "meanAllocatable": self.meanAllocatable,
            "meanRequested": self.meanRequested,
            "peakRequested": self.peakRequested,
            "meanUtilisation": self.meanUtilisation,
            "peakUtilisation": self.peakUtilisation,
        }


@dataclass(frozen=True, slots=True)
class CronJobStats:
    """The Jobs of one CronJob, taken together: how many, their outcomes, their wall times
    (of the finished ones) and pod-seconds."""

    cronJob: str
    jobs: int
    jobsByOutcome: dict[str, int]
    meanWallTime: float | None
    maxWallTime: float | None
    wastedPodSeconds: float
    usefulPodSeconds: float

    def to_dict(self) -> dict[str, Any]:
        """Its ``stats.cronJobs[]`` entry."""
        return {
            "cronJob": self.cronJob,
            "jobs": self.jobs,
            "jobsByOutcome": dict(self.jobsByOutcome),
            "meanWallTime": self.meanWallTime,
            "maxWallTime": self.maxWallTime,
            "wastedPodSeconds": self.wastedPodSeconds,
            "usefulPodSeconds": self.usefulPodSeconds,
        }


def by_cronjob(jobs: list[JobStats]) -> list[CronJobStats]:
    """The Jobs grouped by the CronJob that created them, in order of its first Job."""
    groups: dict[str, list[JobStats]] = {}
    for j in jobs:
        if j.cronJob is not None:
            groups.setdefault(j.cronJob, []).append(j)
    out = []
    for key, members in groups.items():
        outcomes: dict[str, int] = {}
        for j in members:
            outcomes[j.outcome] = outcomes.get(j.outcome, 0) + 1
        walls = [j.wallTime for j in members if j.wallTime is not None]
        out.append(
            CronJobStats(
                cronJob=key,
                jobs=len(members),
                jobsByOutcome=dict(sorted(outcomes.items())),
                meanWallTime=sum(walls) / len(walls) if walls else None,
                maxWallTime=max(walls) if walls else None,
                wastedPodSeconds=sum(j.wastedPodSeconds for j in members),
                usefulPodSeconds=sum(j.usefulPodSeconds for j in members),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class RunStats:
    """Statistics of one run: per Job (``jobs``) and for the whole run.

    ``cpu`` (cores), ``memory`` (bytes) and the utilisation series need the nodes' allocatable
    resources in the record; they are ``None``/empty without them.
    """

    windowStart: float
    windowEnd: float
    makespan: float
    jobsByOutcome: dict[str, int]
    nodes: int | None
    nodeHours: float | None
    cpu: ResourceStats | None
    memory: ResourceStats | None
    meanPending: float
    peakPending: int
    wastedPodSeconds: float
    usefulPodSeconds: float
    utilisation: list[tuple[float, float, float, float, float]]
    """Step points ``(t, cpu requested, cpu allocatable, memory requested, memory
    allocatable)``, cpu in cores and memory in bytes."""
    pending: Series
    jobs: list[JobStats]
    cronJobs: list[CronJobStats] = field(default_factory=list)
    """The Jobs of each CronJob taken together (``by_cronjob``)."""

    def job(self, name: str) -> JobStats:
        """One Job's statistics, by name or ``namespace/name``."""
        for j in self.jobs:
            if name in (j.name, j.job):
                return j
        raise KeyError(name)

    @property
    def warnings(self) -> list[str]:
        """Hazards worth a user's attention: overlapping executions."""
        out = []
        for j in self.jobs:
            for o in j.overlappingExecutions:
                where = f"index {o.index}" if o.index is not None else "its work"
                was = "was still" if o.confirmed else "may still have been"
                unseen = "" if o.confirmed else ", its exit never reported"
                overlap = f"{fmt_seconds(o.seconds)} overlap from t={fmt_seconds(o.start)}"
                out.append(
                    f"Job {j.job}: pod {o.pod} ran {where} while {o.predecessor} {was} "
                    f"running ({overlap}{unseen}); "
                    "non-idempotent work runs twice"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``stats`` object of ``jobsim run --json``."""
        return {
            "window": {"start": self.windowStart, "end": self.windowEnd},
            "makespan": self.makespan,
            "jobsByOutcome": dict(self.jobsByOutcome),
            "nodes": self.nodes,
            "nodeHours": self.nodeHours,
            "cpu": None if self.cpu is None else self.cpu.to_dict(),
            "memory": None if self.memory is None else self.memory.to_dict(),
            "pending": {"mean": self.meanPending, "peak": self.peakPending},
            "wastedPodSeconds": self.wastedPodSeconds,
            "usefulPodSeconds": self.usefulPodSeconds,
            "warnings": self.warnings,
            "series": {
                "utilisation": [list(p) for p in self.utilisation],
                "pending": [list(p) for p in self.pending],
            },
            "jobs": [j.to_dict() for j in self.jobs],
            **({"cronJobs": [c.to_dict() for c in self.cronJobs]} if self.cronJobs else {}),
        }


def requests_by_job(result: RunRecord) -> dict[str, dict[str, int]]:
    """Each Job's pod requests (cpu in millicores, memory in bytes), where the record knows
    them."""
    return {
        key: job.requests for key, job in result.recorder.jobs.items() if job.requests is not None
    }


def _job_stats(result: RunRecord, lv: Lives, key: str) -> JobStats:
    rec = result.recorder.jobs[key]
    what, reason = job_outcome(rec.status, rec.deletedAt)
    if rec.managedBy is not None:
        what, reason = "NotManaged", f"managedBy {rec.managedBy}"
    pods = lv.pods_of(key)
    starts = [p.first_start for p in pods if p.first_start is not None]
    finished = lv.finished.get(key)
    attempts = sum(len(p.runs) for p in pods)
    per_index: dict[str, int] = {}
    for p in pods:
        if p.index is not None:
            per_index[str(p.index)] = per_index.get(str(p.index), 0) + len(p.runs)
    by_code: dict[str, int] = {}
    wasted = useful = 0.0
    for p in pods:
        for run in p.runs:
            if run.exit_code is not None and run.exit_code != 0:
                by_code[str(run.exit_code)] = by_code.get(str(run.exit_code), 0) + 1
            if run.seconds is None:
                continue
            if run.useful:
                useful += run.seconds
            else:
                wasted += run.seconds
    by_reason: dict[str, int] = {}
    for p in pods:
        if p.counted == "failed":
            by_reason[p.failure_reason] = by_reason.get(p.failure_reason, 0) + 1
    redo = [(a, b, i) for a, b, j, i in lv.redo if j == key]
    overlaps = []
    for pred, run, index in redo:
        seconds = min(lv.run_end(pred), lv.run_end(run)) - run.start
        if seconds > 0:
            overlaps.append(
                Overlap(key, index, run.pod, pred.pod, run.start, seconds, pred.end is not None)
            )
    submitted = rec.submittedAt
    return JobStats(
        job=key,
        name=rec.name,
        outcome=what,
        reason=reason,
        submittedAt=submitted,
        finishedAt=finished,
        waitUntilRunning=min(starts) - submitted if starts else None,
        wallTime=None if finished is None else finished - submitted,
        podsCreated=rec.podsCreated,
        attempts=attempts,
        attemptsPerIndex=dict(sorted(per_index.items(), key=lambda kv: int(kv[0]))),
        failuresByExitCode=dict(sorted(by_code.items(), key=lambda kv: int(kv[0]))),
        failuresByReason=dict(sorted(by_reason.items())),
        wastedPodSeconds=wasted,
        usefulPodSeconds=useful,
        reExecutions=len(redo),
        overlappingExecutions=overlaps,
        cronJob=rec.cronJob,
    )


Utilisation = list[tuple[float, float, float, float, float]]
"""``(t, cpu requested, cpu allocatable, memory requested, memory allocatable)`` points."""


def _real(amount: int, per: int = 1) -> float:
    """``amount / per`` as a float; an amount past float's range (a capacity of ``1e400``
    cores, which the API server takes) is the largest float, not an OverflowError."""
    try:
        return amount / per
    except OverflowError:
        return sys.float_info.max if amount > 0 else -sys.float_info.max


def utilisation_series(result: RunRecord, lv: Lives) -> Utilisation:
    """Step points ``(t, cpu requested, cpu allocatable, memory requested, memory
    allocatable)`` (cores, bytes); empty when the record has nodes but not their resources."""
    nodes = result.recorder.nodes
    if nodes and all(n.capacity is None for n in nodes.values()):
        return []
    reqs = requests_by_job(result)
    # (t, order, d cpu requested, d cpu allocatable, d memory requested, d memory allocatable)
    deltas: list[tuple[float, int, int, int, int, int]] = []
    for order, (name, (added, removed, _)) in enumerate(lv.node_spans.items()):
        node = nodes.get(name)
        cap = (node.capacity if node is not None else None) or {}
        c, m = cap.get("cpu", 0), cap.get("memory", 0)
        deltas.append((added, order, 0, c, 0, m))
        if removed is not None:
            deltas.append((removed, order, 0, -c, 0, -m))
    base = len(lv.node_spans)
    for order, p in enumerate(lv.pods.values(), start=base):
        if p.scheduled is None:
            continue
        r = reqs.get(p.job, {})
        c, m = r.get("cpu", 0), r.get("memory", 0)
        deltas.append((p.scheduled, order, c, 0, m, 0))
        if p.terminal is not None:
            deltas.append((p.terminal, order, -c, 0, -m, 0))
    deltas.sort(key=lambda d: (d[0], d[1]))
    out: list[tuple[float, float, float, float, float]] = [(0.0, 0.0, 0.0, 0.0, 0.0)]
    now = [0, 0, 0, 0]  # exact integers: millicores and bytes
    for t, _, *d in deltas:
        for i in range(4):
            now[i] += d[i]
        point = (t, _real(now[0], 1000), _real(now[1], 1000), _real(now[2]), _real(now[3]))
        if out[-1][0] == t:
            out[-1] = point
        else:
            out.append(point)
    return out


def _resource(
    util: list[tuple[float, float, float, float, float]], req: int, alloc: int, t0: float, t1: float
) -> ResourceStats:
    requested = [(u[0], u[req]) for u in util]
    allocatable = [(u[0], u[alloc]) for u in util]
    return ResourceStats(
        meanAllocatable=step_mean(allocatable, t0, t1),
        meanRequested=step_mean(requested, t0, t1),
        peakRequested=max((v for _, v in requested), default=0.0),
        peakUtilisation=max((u[req] / u[alloc] for u in util if u[alloc]), default=0.0),
    )


def compute(result: RunRecord, lv: Lives | None = None) -> RunStats:
    """The statistics of ``result`` (see the module docstring for definitions); ``lv``: its
    pod lives, if already read."""
    lv = lives(result) if lv is None else lv
    t0, t1 = 0.0, lv.horizon
    jobs = [_job_stats(result, lv, key) for key in lv.jobs]
    by_outcome: dict[str, int] = {}
    for j in jobs:
        by_outcome[j.outcome] = by_outcome.get(j.outcome, 0) + 1
    first = min(lv.submitted.values()) if lv.submitted else 0.0
    util = utilisation_series(result, lv)
    cpu = memory = None
    nodes: int | None = len(lv.node_spans)
    node_hours: float | None = (
        sum(
            max(0.0, min(t1 if removed is None else removed, t1) - max(added, t0))
            for added, removed, _ in lv.node_spans.values()
        )
        / 3600
    )
    if not lv.node_spans:
        nodes = node_hours = None
    if util:
        inside = [u for u in util if u[0] <= t1]
        cpu = _resource(inside, 1, 2, t0, t1)
        memory = _resource(inside, 3, 4, t0, t1)
    pending = _within(lv.pending, t1)
    return RunStats(
        windowStart=t0,
        windowEnd=t1,
        makespan=t1 - first,
        jobsByOutcome=dict(sorted(by_outcome.items())),
        nodes=nodes,
        nodeHours=node_hours,
        cpu=cpu,
        memory=memory,
        meanPending=step_mean(pending, t0, t1),
        peakPending=int(max((v for _, v in pending), default=0.0)),
        wastedPodSeconds=sum(j.wastedPodSeconds for j in jobs),
        usefulPodSeconds=sum(j.usefulPodSeconds for j in jobs),
        utilisation=util,
        pending=pending,
        jobs=jobs,
        cronJobs=by_cronjob(jobs),
    )
