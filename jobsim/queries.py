"""Queries a test of a Job's failure policy reads naturally: pure functions of a Result.

Each takes the Result and a Job, by name or ``namespace/name`` (``KeyError`` naming the run's
Jobs if there is none), and reads only the record, through ``Result.lives`` and
``Result.runs``. Times are seconds of virtual time; a step series is a list of ``(t, value)``
points, each value holding from ``t`` until the next point, the first at the Job's submission.
The pod queries need the pod events of a full record (the default ``Recorder``). ::

    from jobsim.queries import condition_time, first_exit, max_active, time_to_condition

    assert max_active(result, "trainer") <= 2
    exit42 = first_exit(result, "trainer", 42)
    assert time_to_condition(result, "trainer", "Failed", since=exit42) == 1.0
"""

from __future__ import annotations

from dataclasses import dataclass

from jobsim.k8s.conditions import SUSPENDED, TERMINAL_CONDITIONS, TERMINAL_PHASES
from jobsim.record import Kind
from jobsim.results import Result
from jobsim.stats import POD_OUTCOMES, ConditionMark, ContainerRun, PodLife

__all__ = [
    "JOB_CONDITION_TYPES",
    "POD_OUTCOMES",
    "ConditionMark",
    "ContainerRun",
    "PodSummary",
    "active_pods",
    "condition_time",
    "conditions",
    "created_after",
    "evicted_pods",
    "failed_count",
    "failed_pods",
    "first_exit",
    "max_active",
    "pods",
    "succeeded_pods",
    "suspended_while_running",
    "time_to_condition",
]

Steps = list[tuple[float, int]]


@dataclass(frozen=True, slots=True)
class PodSummary:
    """One pod of a Job, as the record tells its life."""

    name: str
    job: str
    """The Job's ``namespace/name``."""
    index: int | None
    """Its completion index (``None`` for NonIndexed Jobs)."""
    node: str | None
    created: float
    finished: float | None
    """When it reached Succeeded or Failed."""
    deleted: float | None
    """When it got its deletion timestamp."""
    delete_reason: str | None
    phase: str
    """Its last phase: Pending, Running, Succeeded or Failed."""
    outcome: str
    """succeeded, failed, evicted, deleted, running or pending (``POD_OUTCOMES``): evicted if it
    got a ``DisruptionTarget`` condition, deleted if it got a deletion timestamp before it
    ended, else its last phase."""
    disruption: str | None
    """The reason of its ``DisruptionTarget=True`` condition, if it got one."""
    exit_code: int | None
    """The exit code of its last run."""
    restarts: int
    """Its restartCount."""
    counted: str | None
    """How the Job controller counted it: succeeded, failed, ignored, or ``None``."""
    runs: tuple[ContainerRun, ...]
    """Its container runs, in start order."""


def _job(result: Result, job: str) -> str:
    key = result.job_key(job)
    if result.recorder.level != "full":
        raise ValueError(
            f"the record holds no pod events (level {result.recorder.level!r}): "
            "simulate with the default Recorder"
        )
    return key


def _steps(start: float, deltas: list[tuple[float, int]]) -> Steps:
    """A step series from ``(t, change)`` pairs: one point per instant that changes the value,
    holding the value after every change of that instant."""
    out: Steps = [(start, 0)]
    value = 0
    for t, d in sorted(deltas, key=lambda x: x[0]):
        value += d
        if t <= out[-1][0]:
            out[-1] = (out[-1][0], value)
        else:
            out.append((t, value))
    return [p for i, p in enumerate(out) if i == 0 or p[1] != out[i - 1][1]]


def active_pods(result: Result, job: str) -> Steps:
    """The Job's active pods over time, as a sync at that instant would count
    ``status.active``: created, not Succeeded or Failed, and without a deletion timestamp (the
    status as written lags by the controller's ``jobSyncDelay``)."""
    key = _job(result, job)
    lv = result.lives
    deltas: list[tuple[float, int]] = []
    for p in lv.pods_of(key):
        deltas.append((p.created, 1))
        stops = [t for t in (p.terminal, p.deleted, p.removed) if t is not None]
        if stops:
            deltas.append((min(stops), -1))
    return _steps(lv.submitted[key], deltas)


def max_active(result: Result, job: str) -> int:
    """The most active pods the Job had at once (:func:`active_pods`)."""
    return max(v for _, v in active_pods(result, job))


def failed_count(result: Result, job: str) -> Steps:
    """``status.failed`` over time: the pods the Job controller counted as failed, at the
    instants it counted them (podFailurePolicy ``Ignore`` matches are not counted)."""
    key = _job(result, job)
    lv = result.lives
    deltas = [
        (p.counted_at, 1)
        for p in lv.pods_of(key)
        if p.counted == "failed" and p.counted_at is not None
    ]
    return _steps(lv.submitted[key], deltas)


def _summary(p: PodLife, runs: list[ContainerRun]) -> PodSummary:
    return PodSummary(
        name=p.name,
        job=p.job,
        index=p.index,
        node=p.node,
        created=p.created,
        finished=p.terminal,
        deleted=p.deleted,
        delete_reason=p.delete_reason,
        phase=p.phase,
        outcome=p.outcome,
        disruption=p.disruption,
        exit_code=p.exit_code,
        restarts=p.restarts,
        counted=p.counted,
        runs=tuple(r for r in runs if r.pod == p.name),
    )


def pods(result: Result, job: str, outcome: str | None = None) -> list[PodSummary]:
    """The Job's pods in creation order, or only those with this ``outcome``
    (``POD_OUTCOMES``)."""
    if outcome is not None and outcome not in POD_OUTCOMES:
        raise ValueError(f"unknown pod outcome {outcome!r}: expected one of {POD_OUTCOMES}")
    key = _job(result, job)
    runs = result.runs(key)
    return [
        _summary(p, runs)
        for p in result.lives.pods_of(key)
        if outcome is None or p.outcome == outcome
    ]


def failed_pods(result: Result, job: str) -> list[PodSummary]:
    """The Job's pods that failed on their own (a container exited non-zero, the pod ended
    Failed), not deleted or evicted first; ``PodSummary.counted`` says how the controller
    counted them."""
    return pods(result, job, "failed")


def succeeded_pods(result: Result, job: str) -> list[PodSummary]:
    """The Job's pods that ended Succeeded."""
    return pods(result, job, "succeeded")


def evicted_pods(result: Result, job: str) -> list[PodSummary]:
    """The Job's pods that got a ``DisruptionTarget`` condition (taint eviction, drain,
    preemption, PodGC)."""
    return pods(result, job, "evicted")


def conditions(result: Result, job: str) -> list[ConditionMark]:
    """Every change of the Job's conditions, in order."""
    key = result.job_key(job)
    return [c for c in result.lives.conditions if c.job == key]


JOB_CONDITION_TYPES = (*TERMINAL_CONDITIONS, SUSPENDED)
"""The Job condition types the controller sets."""


def _known(type: str) -> None:
    if type not in JOB_CONDITION_TYPES:
        raise ValueError(
            f"unknown Job condition type {type!r}: expected one of {', '.join(JOB_CONDITION_TYPES)}"
        )


def condition_time(result: Result, job: str, type: str, status: str = "True") -> float | None:
    """When the Job's condition ``type`` first got ``status`` (``None``: never)."""
    _known(type)
    return next(
        (c.t for c in conditions(result, job) if c.type == type and c.status == status), None
    )


def time_to_condition(
    result: Result,
    job: str,
    type: str,
    since: float | ContainerRun | None,
    status: str = "True",
) -> float | None:
    """Seconds from ``since`` until the Job's condition ``type`` next got ``status`` (at or
    after ``since``). ``since`` is a time or a container run (its exit: e.g.
    ``first_exit(result, job, 42)``); ``None`` when ``since`` is ``None`` or the condition never
    came. ``ValueError`` for a run never seen to exit.

    A run counts from when it exited (``end``), not from when the Job controller could see it
    (``reported``, later if its node was unreachable): for the controller's reaction, pass
    ``since=run.reported``."""
    _known(type)
    if since is None:
        return None
    if isinstance(since, ContainerRun):
        if since.end is None:
            raise ValueError(f"the run of pod {since.pod} (attempt {since.attempt}) never exited")
        since = since.end
    t = next(
        (
            c.t
            for c in conditions(result, job)
            if c.type == type and c.status == status and c.t >= since
        ),
        None,
    )
    return None if t is None else t - since


def first_exit(result: Result, job: str, code: int) -> ContainerRun | None:
    """The Job's container run that exited first with ``code`` (by exit time, then start order;
    ``None`` if none did)."""
    _job(result, job)
    runs = [r for r in result.runs(job) if r.exit_code == code and r.end is not None]
    return min(runs, key=lambda r: r.end or 0.0, default=None)


def created_after(result: Result, pod: str) -> list[str]:
    """The pods of ``pod``'s Job created after ``pod`` stopped being active (it reached
    Succeeded or Failed, or got a deletion timestamp, whichever came first), in creation order:
    after a failure, its replacements. Empty if ``pod`` was active to the end."""
    life = result.lives.pods.get(pod)
    if life is None:
        raise KeyError(f"no pod {pod!r} in this run")
    stopped = False
    out = []
    kinds = (Kind.POD_CREATED, Kind.POD_PHASE, Kind.POD_DELETED, Kind.POD_REMOVED)
    for _i, _t, kind, subject, ref, *_rest in result.recorder.select(*kinds):
        if not stopped:
            terminal = kind is Kind.POD_PHASE and ref in TERMINAL_PHASES
            stopped = subject == pod and (terminal or kind in (Kind.POD_DELETED, Kind.POD_REMOVED))
        elif kind is Kind.POD_CREATED and ref == life.job:
            out.append(subject)
    return out


def _suspended(result: Result, key: str) -> list[tuple[float, float]]:
    """The intervals in which the Job's ``spec.suspend`` was true, as the record's spec
    numbers (at submission and at each spec change) say."""
    rec = result.recorder
    out: list[tuple[float, float]] = []
    since: float | None = None
    for i, t, _kind, subject, *_rest in rec.select(Kind.JOB_SUBMITTED, Kind.JOB_SPEC_CHANGED):
        if subject != key:
            continue
        suspend = bool(rec.numbers.get(i, {}).get("suspend"))
        if suspend and since is None:
            since = t
        elif not suspend and since is not None:
            out.append((since, t))
            since = None
    if since is not None:
        out.append((since, result.end))
    return out


def suspended_while_running(result: Result, job: str) -> bool:
    """Whether one of the Job's containers ran, for a positive time, while the Job's
    ``spec.suspend`` was true and its pod had no deletion timestamp.

    Suspending deletes the active pods (``JobSuspended``), whose containers may run on through
    their grace period: being deleted, they do not count, nor does a container that started in
    the very instant of the suspend, before the controller's sync deleted its pod. A run never
    seen to exit is taken to run until its node was removed, or to the end of the run."""
    key = _job(result, job)
    lv = result.lives
    spans = _suspended(result, key)
    for p in lv.pods_of(key):
        for run in p.runs:
            stop = lv.run_end(run)
            if p.deleted is not None:
                stop = min(stop, p.deleted)
            if any(max(run.start, s) < min(stop, e) for s, e in spans):
                return True
    return False
