"""The Job controller's invariants, checked at every recorded event.

:class:`EventChecker` is a :class:`~jobsim.record.Recorder` that keeps its own account of
every pod (created, scheduled, phase, deleted, counted) from the events alone, reads each
Job's spec from the record (the ``spec`` numbers of ``job_submitted`` and
``job_spec_changed``), and raises :class:`EventViolation` at the first event that breaks a
rule, so hypothesis shrinks towards the first broken step. :func:`run_checked` runs a scenario
under it; :func:`check_record` replays a finished record through it, so that the Result of a
plain :func:`jobsim.simulate` can be checked after the fact.

The rules, from upstream ``pkg/controller/job/`` (job_controller.go ``manageJob``,
``syncJob``, ``trackJobStatusAndRemoveFinalizers``; backoff_utils.go; indexed_job_utils.go) and
the API server's Job status validation:

Pods
  - a Job never has more active pods (created, not terminal, not being deleted) than its
    ``parallelism``; an Indexed Job never has two active pods for one index, and creates pods
    only for indexes in ``[0, completions)`` that are neither completed nor failed;
  - no pod is created once the Job has a FailureTarget, SuccessCriteriaMet, Failed or Complete
    condition, or after the Job was deleted;
  - no pod is created before the pod-failure backoff (or its index's backoff) that the
    controller said it waits for has passed, unless a pod succeeded or a new failure came
    meanwhile, after which the controller's next sync decides afresh (backoff_utils.go);
    every such delay is in (0, max(podFailureBackoffBase, podFailureBackoffMax)], the constants
    the backoff event carries; with ``backoffLimitPerIndex`` an index is not retried after more
    than that many failures (indexed_job_utils.go ``isIndexFailed``), checked where the pods'
    own account tells those failures apart: without a podFailurePolicy, under
    ``podReplacementPolicy: TerminatingOrFailed`` and with no elastic scale-down;
  - phases go Pending → Running → Succeeded/Failed only (Running again on an in-place restart);
    a pod is scheduled once, runs only once scheduled, is deleted at most once, ends
    Succeeded only with exit code 0 (deleted or not: kubelet ``getPhase``), and is counted at
    most once, as what it ended as.

Job status, each time it is written (in a replay, each Job's last status only: see
:func:`check_record`; the API server's status validation: ``pkg/apis/batch/validation``
``ValidateJobUpdateStatus``, options from ``pkg/registry/batch/job/strategy.go``)
  - never Complete and Failed together; Complete ⇒ SuccessCriteriaMet and a completionTime
    ≥ startTime; Failed ⇒ FailureTarget; conditions are never removed; terminal conditions,
    completionTime and (while never suspended) startTime never change;
  - ready ≤ active; finished Jobs have active = terminating = 0 and a startTime (except a Job
    created suspended with completions 0, kubernetes#132614);
  - active and terminating equal the pods' own account; failed and (NonIndexed) succeeded
    equal the pods counted so; Indexed: completedIndexes are the indexes < completions of
    pods counted succeeded, succeeded is their number, and failedIndexes do not overlap them;
  - failed never decreases, nor does succeeded (Indexed: no completed index < completions is
    lost); succeeded ≤ completions;
  - SuccessCriteriaMet (CompletionsReached) ⇒ enough successes; BackoffLimitExceeded under
    ``restartPolicy: Never`` ⇒ backoffLimit < failed ≤ backoffLimit + parallelism (the largest
    parallelism the Job had); DeadlineExceeded ⇒ activeDeadlineSeconds passed since startTime.

Progress
  - :func:`run_checked` steps the simulation itself and fails when virtual time stops
    advancing (a zero-time livelock) or a run exceeds its event budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from jobsim.invariants import InvariantViolation, status_violations
from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    PHASE_RUNNING,
    PHASE_SUCCEEDED,
    TERMINAL_CONDITIONS,
    TERMINAL_PHASES,
)
from jobsim.record import Kind, Recorder, StatusSource, frozen
from jobsim.results import Result
from jobsim.scenario import Scenario
from jobsim.sim.simulation import Simulation
from jobsim.units import format_duration

_SPEC_FIELDS = (
    "parallelism",
    "completions",
    "completionMode",
    "suspend",
    "restartPolicy",
    "backoffLimit",
    "backoffLimitPerIndex",
    "activeDeadlineSeconds",
    "podFailurePolicyRules",
    "podReplacementPolicy",
)


class EventViolation(InvariantViolation):
    """An invariant did not hold at virtual time ``t``; ``what`` says which and how.
    ``record`` is the run's record up to and with the event that broke it, when the checker
    of a live run raised it (:func:`run_checked`)."""

    def __init__(self, t: float, what: str) -> None:
        self.t = t
        self.what = what
        self.record: Recorder | None = None
        super().__init__(f"at t={format_duration(t)}: {what}")


@dataclass(frozen=True, slots=True)
class _Spec:
    """The spec fields the rules read, from a Job's recorded spec numbers."""

    parallelism: int
    completions: int | None
    indexed: bool
    suspended: bool
    restart_policy: str
    backoff_limit: int
    backoff_limit_per_index: int | None
    active_deadline: float | None
    pod_failure_policy: bool
    only_replace_failed: bool

    @classmethod
    def of(cls, key: str, numbers: dict[str, Any] | None) -> _Spec:
        missing = [f for f in _SPEC_FIELDS if f not in (numbers or {})]
        if numbers is None or missing:
            raise ValueError(f"job {key}: the record's spec numbers lack {missing}")
        return cls(
            parallelism=int(numbers["parallelism"] or 0),
            completions=numbers["completions"],
            indexed=numbers["completionMode"] == "Indexed",
            suspended=bool(numbers["suspend"]),
            restart_policy=str(numbers["restartPolicy"]),
            backoff_limit=int(numbers["backoffLimit"] or 0),
            backoff_limit_per_index=numbers["backoffLimitPerIndex"],
            active_deadline=numbers["activeDeadlineSeconds"],
            pod_failure_policy=numbers["podFailurePolicyRules"] is not None,
            only_replace_failed=numbers["podReplacementPolicy"] == "Failed",
        )


@dataclass
class _Pod:
    job: str
    index: int | None
    phase: str = "Pending"
    scheduled: bool = False
    deleted: bool = False
    counted: str | None = None
    failure: bool = False  # ended Failed before any delete, or deleted and counted failed

    @property
    def active(self) -> bool:
        return self.phase not in TERMINAL_PHASES and not self.deleted

    @property
    def terminating(self) -> bool:
        return self.phase not in TERMINAL_PHASES and self.deleted


@dataclass
class _Job:
    spec: _Spec
    max_parallelism: int
    finish_spec: _Spec | None = None  # the spec when Complete or Failed became True
    pods: dict[str, _Pod] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)  # type -> status, as recorded
    status: dict[str, Any] | None = None
    done: set[int] = field(default_factory=set)  # Indexed: completed indexes, own account
    failed_indexes: set[int] = field(default_factory=set)  # as last written in status
    completions_shrank: bool = False  # an elastic scale-down happened
    deleted: bool = False
    not_before: float | None = None  # pod-failure backoff: no new pod before this time
    index_not_before: dict[int, float] = field(default_factory=dict)  # per-index backoff
    # A sync whose creations the API client paces writes its status after the last one, with
    # the active and terminating it counted when it began (manageJob adds what it creates): a
    # pod that ends or is deleted meanwhile is in that status as it was. Since the first
    # creation after the last status write: when, and how many pods moved since.
    creating_since: float | None = None
    moved: int = 0

    def has(self, types: tuple[str, ...]) -> bool:
        return any(self.conditions.get(t) == "True" for t in types)

    def active(self) -> list[_Pod]:
        return [p for p in self.pods.values() if p.active]


def _indexes(text: str) -> set[int]:
    """``"1,3-5,7"`` → ``{1, 3, 4, 5, 7}``: strict and unbounded, unlike the controller's own
    lenient parser, so that an index out of range shows."""
    out: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


def _true(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status.get("conditions", []) if c["status"] == "True"}


def _moved(n: int) -> str:
    return f" (give or take {n} that moved during the sync's paced creations)" if n else ""


def _require(ok: bool, t: float, what: str) -> None:
    if not ok:
        raise EventViolation(t, what)


class EventChecker(Recorder):
    """A full-level :class:`Recorder` that checks the Job controller's invariants at every
    event it records, raising :class:`EventViolation` at the first broken rule.

    Pass it to ``Simulation(scenario, checker, seed)`` and call :meth:`check_final` after the
    run, or use :func:`run_checked`. It reads nothing of the simulation during the run.

    ``replay=True`` (what :func:`check_record` uses) says that the only status it is given of
    each Job is its last one, after all the events: see :func:`check_record`.
    """

    def __init__(self, *, replay: bool = False) -> None:
        super().__init__()
        self.replay = replay
        self.checked = 0
        """How many checks ran: one per checked event and one per checked status."""
        self._jobs: dict[str, _Job] = {}
        self._pods: dict[str, _Pod] = {}

    # -- jobs ------------------------------------------------------------------------------
    def job_submitted(
        self,
        t: float,
        key: str,
        name: str,
        namespace: str,
        spec: dict[str, Any] | None = None,
        requests: dict[str, int] | None = None,
    ) -> None:
        super().job_submitted(t, key, name, namespace, spec, requests)
        parsed = _Spec.of(key, spec)
        self._jobs[key] = _Job(parsed, parsed.parallelism)

    def job_spec_changed(
        self, t: float, key: str, change: str, spec: dict[str, Any] | None = None
    ) -> None:
        super().job_spec_changed(t, key, change, spec)
        job, new = self._jobs[key], _Spec.of(key, spec)
        job.max_parallelism = max(job.max_parallelism, new.parallelism)
        old = job.spec.completions
        if new.completions is not None and old is not None:
            job.completions_shrank |= new.completions < old
            # An elastic scale-down forgets the completed indexes it drops
            # (parseIndexesFromString keeps those < completions): a scale-up re-runs them.
            # A finished Job is not synced again, so its status keeps them.
            if not job.has((COMPLETE, FAILED)):
                job.done = {i for i in job.done if i < new.completions}
        job.spec = new

    def _check_delay(
        self, t: float, key: str, remaining: float, numbers: dict[str, Any] | None, what: str
    ) -> None:
        n = numbers or {}
        cap = max(n["base"], n["cap"]) if "base" in n and "cap" in n else float("inf")
        if not 0 < remaining <= cap:
            top = "∞" if cap == float("inf") else format_duration(cap)
            wait = format_duration(remaining)
            raise EventViolation(t, f"job {key}: {what} {wait} not in (0s, {top}]")

    def job_backoff(
        self,
        t: float,
        key: str,
        failures: int,
        remaining: float,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        super().job_backoff(t, key, failures, remaining, numbers)
        self.checked += 1
        _require(failures > 0, t, f"job {key}: pod-failure backoff with {failures} failures")
        self._check_delay(t, key, remaining, numbers, "pod-failure backoff")
        self._jobs[key].not_before = t + remaining

    def job_index_backoff(
        self,
        t: float,
        key: str,
        index: int,
        failures: int,
        remaining: float,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        super().job_index_backoff(t, key, index, failures, remaining, numbers)
        self.checked += 1
        self._check_delay(t, key, remaining, numbers, f"backoff of index {index}")
        self._jobs[key].index_not_before[index] = t + remaining

    def job_deleted(self, t: float, key: str, how: str = "") -> None:
        super().job_deleted(t, key, how)
        self._jobs[key].deleted = True

    def job_condition(
        self,
        t: float,
        key: str,
        type_: str,
        status: str,
        reason: str,
        message: str,
        numbers: dict[str, Any] | None = None,
    ) -> None:
        super().job_condition(t, key, type_, status, reason, message, numbers)
        self.checked += 1
        job = self._jobs[key]
        _require(
            not (
                type_ in TERMINAL_CONDITIONS
                and job.conditions.get(type_) == "True"
                and status != "True"
            ),
            t,
            f"job {key}: terminal condition {type_} changed from True to {status}",
        )
        if type_ in (COMPLETE, FAILED) and status == "True" and job.finish_spec is None:
            job.finish_spec = job.spec
        job.conditions[type_] = status

    def job_status(self, t: float, key: str, source: StatusSource) -> None:
        status = source()
        super().job_status(t, key, frozen(status))
        self.checked += 1
        job = self._jobs[key]
        where = f"job {key} status {status}"
        finished = bool(_true(status).keys() & {COMPLETE, FAILED})
        # A replayed status is the Job's last. A finished Job's was written by the sync that
        # finished it, under the spec of that moment (a finished Job is not synced again), and
        # its pods were all terminal then and stay so. An unfinished Job's was written at or
        # before its last sync (a spec update is synced at once), but its pods may have moved
        # on since: the run may have stopped before the sync that would see them.
        spec = (job.finish_spec or job.spec) if self.replay else job.spec
        self._check_conditions(t, spec, status, where)
        if finished or not self.replay:
            self._check_pods(t, job, status, where)
        self._check_counted(t, job, spec, status, where)
        self._check_reasons(t, job, spec, status, where)
        if not self.replay:
            self._check_history(t, job, status, where)
        job.status = status
        job.creating_since, job.moved = None, 0

    def _check_conditions(self, t: float, spec: _Spec, status: dict[str, Any], where: str) -> None:
        """The API server's status rules (``jobsim.invariants.status_violations``)."""
        problems = status_violations(
            status,
            None,  # transitions are checked against the pods' own account below
            parallelism=spec.parallelism,
            completions=spec.completions,
            indexed=spec.indexed,
            suspended=spec.suspended,
        )
        _require(not problems, t, f"{'; '.join(problems)}: {where}")

    def _check_pods(self, t: float, job: _Job, status: dict[str, Any], where: str) -> None:
        """Active and terminating against the pods' own account."""
        active = sum(p.active for p in job.pods.values())
        terminating = sum(p.terminating for p in job.pods.values())
        slack = job.moved  # pods only leave active and terminating while creations go on
        _require(
            0 <= status["active"] - active <= slack,
            t,
            f"active != {active} active pods{_moved(slack)}: {where}",
        )
        _require(
            abs(status["terminating"] - terminating) <= slack,
            t,
            f"terminating != {terminating} terminating pods{_moved(slack)}: {where}",
        )

    def _check_counted(
        self, t: float, job: _Job, spec: _Spec, status: dict[str, Any], where: str
    ) -> None:
        """Failed and succeeded against the pods counted so (the sync that counts a pod
        writes the status)."""
        failed = sum(p.counted == "failed" for p in job.pods.values())
        _require(status["failed"] == failed, t, f"failed != {failed} pods counted so: {where}")
        completions = spec.completions
        if spec.indexed:
            assert completions is not None
            if not job.has((COMPLETE, FAILED)):  # a finished Job's status stays as written
                job.done = {i for i in job.done if i < completions}  # elastic scale-down
            shown = _indexes(status.get("completedIndexes", ""))
            _require(shown == job.done, t, f"completedIndexes != {sorted(job.done)}: {where}")
            _require(
                status["succeeded"] == len(job.done), t, f"succeeded != |completedIndexes|: {where}"
            )
            job.failed_indexes = _indexes(status.get("failedIndexes", ""))
            _require(
                not job.failed_indexes & job.done,
                t,
                f"failedIndexes overlap completedIndexes: {where}",
            )
        else:
            n = sum(p.counted == "succeeded" for p in job.pods.values())
            _require(status["succeeded"] == n, t, f"succeeded != {n} pods counted so: {where}")
        if completions is not None:
            _require(status["succeeded"] <= completions, t, f"succeeded > completions: {where}")

    def _check_reasons(
        self, t: float, job: _Job, spec: _Spec, status: dict[str, Any], where: str
    ) -> None:
        """What each terminal reason implies about the counts and times."""
        true = _true(status)
        met = true.get("SuccessCriteriaMet")
        if met is not None and met["reason"] == "CompletionsReached":
            completions = spec.completions
            enough = (
                status["succeeded"] > 0
                if completions is None
                else status["succeeded"] >= completions
            )
            _require(enough, t, f"CompletionsReached without enough successes: {where}")
        target = true.get(FAILURE_TARGET)
        if target is None:
            return
        if target["reason"] == "BackoffLimitExceeded" and spec.restart_policy == "Never":
            limit, par = spec.backoff_limit, job.max_parallelism
            _require(
                status["failed"] > limit, t, f"BackoffLimitExceeded, failed <= {limit}: {where}"
            )
            if FAILED in true:
                _require(
                    status["failed"] <= limit + par,
                    t,
                    f"failed > backoffLimit {limit} + parallelism {par}: {where}",
                )
        if target["reason"] == "DeadlineExceeded":
            ads = spec.active_deadline
            start = status.get("startTime")
            _require(
                ads is not None
                and start is not None
                and target["lastTransitionTime"] - start >= ads,
                t,
                f"DeadlineExceeded before activeDeadlineSeconds {ads}: {where}",
            )

    def _check_history(self, t: float, job: _Job, status: dict[str, Any], where: str) -> None:
        """The status against the one written before it."""
        prev = job.status
        if prev is None:
            return
        _require(status["failed"] >= prev["failed"], t, f"failed decreased: {where}")
        if "completedIndexes" in status:
            completions = job.spec.completions or 0
            kept = {i for i in _indexes(prev["completedIndexes"]) if i < completions}
            now_done = _indexes(status["completedIndexes"])
            _require(kept <= now_done, t, f"completed indexes {sorted(kept)} lost: {where}")
        else:
            _require(status["succeeded"] >= prev["succeeded"], t, f"succeeded decreased: {where}")
        before = {c["type"]: c for c in prev.get("conditions", [])}
        now = {c["type"]: c for c in status.get("conditions", [])}
        _require(before.keys() <= now.keys(), t, f"a condition was removed: {where}")
        for type_, c in before.items():
            if type_ in TERMINAL_CONDITIONS and c["status"] == "True":
                _require(now[type_] == c, t, f"terminal condition {type_} changed: {where}")
        if prev.get("startTime") is not None and "Suspended" not in now:
            _require(
                status.get("startTime") == prev["startTime"],
                t,
                f"startTime changed from {prev['startTime']}: {where}",
            )
        if prev.get("completionTime") is not None:
            _require(
                status.get("completionTime") == prev["completionTime"],
                t,
                f"completionTime changed from {prev['completionTime']}: {where}",
            )

    # -- pods ------------------------------------------------------------------------------
    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        super().pod_created(t, name, job, index)
        self.checked += 1
        j = self._jobs[job]
        spec = j.spec
        _require(name not in self._pods, t, f"pod name {name} reused")
        _require(not j.deleted, t, f"pod {name} created for deleted job {job}")
        if j.creating_since is None:
            j.creating_since = t
        _require(
            not j.has(TERMINAL_CONDITIONS),
            t,
            f"pod {name} created after job {job} got conditions {j.conditions}",
        )
        if spec.indexed:
            completions = spec.completions or 0
            _require(
                index is not None and 0 <= index < completions,
                t,
                f"pod {name} of Indexed job {job} has index {index}, completions {completions}",
            )
            _require(
                all(p.index != index for p in j.active()),
                t,
                f"pod {name}: job {job} already has an active pod for index {index}",
            )
            _require(index not in j.done, t, f"pod {name} for completed index {index} of {job}")
            _require(
                index not in j.failed_indexes, t, f"pod {name} for failed index {index} of {job}"
            )
        else:
            _require(index is None, t, f"pod {name} of NonIndexed job {job} has index {index}")
        # No replacement before the pod-failure backoff it waited for has passed
        # (backoff_utils.go getRemainingTimeForFailuresCount / getRemainingTimePerIndex).
        for until, what in (
            (j.not_before, "pod-failure backoff"),
            (None if index is None else j.index_not_before.get(index), f"index {index} backoff"),
        ):
            if until is not None and t < until - 1e-9:  # the message only when it is broken
                ends = f"pod {name} of {job} created before its {what} ends at "
                raise EventViolation(t, ends + format_duration(until))
        # backoffLimitPerIndex: no retry of an index past its limit (indexed_job_utils.go
        # isIndexFailed). Only where the deletion flag tells failures apart (no
        # podFailurePolicy, TerminatingOrFailed).
        per_index = spec.backoff_limit_per_index
        if (
            per_index is not None
            and index is not None
            and not spec.pod_failure_policy
            and not spec.only_replace_failed
            and not j.completions_shrank
        ):
            failures = sum(p.failure for p in j.pods.values() if p.index == index)
            _require(
                failures <= per_index,
                t,
                f"pod {name}: index {index} of {job} retried after {failures} failures, "
                f"backoffLimitPerIndex {per_index}",
            )
        pod = _Pod(job, index)
        self._pods[name] = pod
        j.pods[name] = pod
        n = len(j.active())
        _require(
            n <= spec.parallelism,
            t,
            f"job {job} has {n} active pods, parallelism {spec.parallelism} (created {name})",
        )

    def pod_scheduled(self, t: float, name: str, node: str) -> None:
        super().pod_scheduled(t, name, node)
        self.checked += 1
        pod = self._pods[name]
        _require(not pod.scheduled, t, f"pod {name} scheduled twice")
        _require(pod.phase == "Pending", t, f"pod {name} scheduled while {pod.phase}")
        pod.scheduled = True

    def container_started(self, t: float, name: str, restarts: int, attempt: int) -> None:
        super().container_started(t, name, restarts, attempt)
        self.checked += 1
        pod = self._pods[name]
        _require(pod.scheduled, t, f"container of unscheduled pod {name} started")
        _require(
            pod.phase not in TERMINAL_PHASES, t, f"container of {pod.phase} pod {name} started"
        )

    def pod_phase(self, t: float, name: str, phase: str) -> None:
        super().pod_phase(t, name, phase)
        self.checked += 1
        pod = self._pods[name]
        _require(
            pod.phase not in TERMINAL_PHASES, t, f"pod {name} went from {pod.phase} to {phase}"
        )
        _require(
            phase in (PHASE_RUNNING, *TERMINAL_PHASES), t, f"pod {name} to unexpected phase {phase}"
        )
        if phase in TERMINAL_PHASES:
            self._moving(pod, t)
        if phase == PHASE_RUNNING:
            _require(pod.scheduled, t, f"unscheduled pod {name} is Running")
        elif phase == PHASE_SUCCEEDED:
            # kubelet getPhase: Succeeded when every regular container exited 0, a pod being
            # deleted too (its containers may exit on their own within the grace period).
            code = self.pods[name].exitCode
            _require(code == 0, t, f"pod {name} ended Succeeded with exit code {code}")
            # The sync that sees it resets the backoff record (backoff_utils.go
            # newBackoffRecord), and may create pods before recording that it counted it;
            # not a deleted pod counted (as failed) already, which no sync sees again.
            if pod.counted is None:
                self._jobs[pod.job].not_before = None
        else:  # Failed
            pod.failure |= not pod.deleted
            # A deleted pod that ends Failed is a failure too, counted once it is terminal
            # under podReplacementPolicy Failed, with its Ready=False time as finish time.
            self._new_failure(pod)
        pod.phase = phase

    def _new_failure(self, pod: _Pod) -> None:
        """A failure the next sync counts supersedes the backoff announced before it: the new
        backoff record's lastFailureTime is the finish time of the newest failures it counts
        (backoff_utils.go newBackoffRecord), which can be earlier than the last one's (an exit
        reported late by an unreachable node, a pod that never ran failed by PodGC), so the
        wait may already be over. That sync announces the new wait, if any, before it creates
        a pod."""
        job = self._jobs[pod.job]
        job.not_before = None
        if pod.index is not None:
            job.index_not_before.pop(pod.index, None)

    def _moving(self, pod: _Pod, t: float) -> None:
        """A pod leaves active or terminating while its Job's sync paces its creations."""
        job = self._jobs[pod.job]
        if job.creating_since is not None and t > job.creating_since:
            job.moved += 1

    def pod_deleted(self, t: float, name: str, reason: str, counted: bool) -> None:
        super().pod_deleted(t, name, reason, counted)
        self.checked += 1
        pod = self._pods[name]
        _require(not pod.deleted, t, f"pod {name} deleted twice ({reason})")
        self._moving(pod, t)
        pod.deleted = True
        pod.failure |= counted
        if counted:
            self._new_failure(pod)

    def pod_counted(
        self, t: float, name: str, as_: str, numbers: dict[str, Any] | None = None
    ) -> None:
        super().pod_counted(t, name, as_, numbers)
        self.checked += 1
        pod = self._pods[name]
        _require(pod.counted is None, t, f"pod {name} counted as {pod.counted}, then as {as_}")
        if as_ == "succeeded":
            _require(
                pod.phase == PHASE_SUCCEEDED, t, f"{pod.phase} pod {name} counted as succeeded"
            )
            if pod.index is not None:
                self._jobs[pod.job].done.add(pod.index)
        else:
            failing = self._jobs[pod.job].has((FAILURE_TARGET,))
            _require(
                pod.phase == "Failed" or pod.deleted or failing,
                t,
                f"{pod.phase} pod {name}, not deleted, counted as {as_}",
            )
        pod.counted = as_

    # -- end of run ------------------------------------------------------------------------
    def check_final(self, sim: Simulation) -> None:
        """After the run of ``sim``: each Job's last recorded status is its live status."""
        t = sim.clock.now
        for key, rt in sim.jobs.items():
            rec = self.jobs.get(key)
            if rec is None or rec.managedBy is not None:
                continue
            live = rt.status()
            _require(rec.status == live, t, f"job {key}: recorded {rec.status} != live {live}")


def replay(record: Recorder, into: Recorder, *, start: int = 0, stop: int | None = None) -> None:
    """Call ``into``'s method for each event of ``record`` at positions ``start`` to ``stop``
    (exclusive; None: to the end), in order, with the numbers recorded with it.

    A record keeps no status but each Job's (and CronJob's) last: when the replay reaches the
    end, ``into`` is given that one (``job_status``, at the time of the record's last event),
    and each Job's CronJob owner. Replaying a
    whole record into a fresh :class:`Recorder` rebuilds it (``to_data`` is equal). ``record``
    must hold every event (``level`` ``full``); ``ValueError`` if not.
    """
    if record.level != "full":
        raise ValueError(
            f"the record has level {record.level!r}: replaying it needs every event "
            "(level 'full', a Recorder; a JobRecorder or NullRecorder keeps too little)"
        )
    n = len(record)
    stop = n if stop is None else min(stop, n)
    events = islice(enumerate(record.events()), start, stop)
    for i, (t, kind, subject, ref, a, b, text) in events:
        _replay_one(record, into, t, kind, subject, ref, a, b, text, record.numbers.get(i))
    if stop == n:
        end = record.t[n - 1] if n else 0.0
        for key, job in record.jobs.items():
            status = job.status
            if status:
                into.job_status(end, key, frozen(status))
            if job.cronJob is not None:  # its owner: no event of its own
                into.job_owned(key, job.cronJob)
        for key, cj in record.cronjobs.items():
            if cj.get("status"):
                into.cronjob_status(end, key, dict(cj["status"]), bool(cj.get("suspend")))


def _replay_one(
    record: Recorder,
    into: Recorder,
    t: float,
    kind: Kind,
    subject: str,
    ref: str,
    a: int,
    b: float,
    text: str,
    numbers: dict[str, Any] | None,
) -> None:
    """One event, as the model recorded it (``Kind`` says what ``ref``, ``a`` and ``b`` hold)."""
    if kind is Kind.JOB_SUBMITTED:
        job = record.jobs[subject]
        requests = None if job.requests is None else dict(job.requests)
        into.job_submitted(t, subject, job.name, job.namespace, numbers, requests)
    elif kind is Kind.JOB_CONDITION:
        type_, status, reason = ref.split("/", 2)
        into.job_condition(t, subject, type_, status, reason, text, numbers)
    elif kind is Kind.JOB_BACKOFF:
        into.job_backoff(t, subject, a, b, numbers)
    elif kind is Kind.JOB_DELETED:
        into.job_deleted(t, subject, text)
    elif kind is Kind.JOB_DELETING:
        into.job_deleting(t, subject, text)
    elif kind is Kind.JOB_SKIPPED:
        into.job_skipped(t, subject, ref)
    elif kind is Kind.JOB_INDEX_BACKOFF:
        into.job_index_backoff(t, subject, a, int(ref), b, numbers)
    elif kind is Kind.JOB_SPEC_CHANGED:
        into.job_spec_changed(t, subject, text, numbers)
    elif kind is Kind.EVENT_IGNORED:
        into.event_ignored(t, subject, text, ref or "Job")
    elif kind is Kind.POD_CREATED:
        into.pod_created(t, subject, ref, None if a < 0 else a)
    elif kind is Kind.POD_SCHEDULED:
        into.pod_scheduled(t, subject, ref)
    elif kind is Kind.POD_UNSCHEDULABLE:
        into.pod_unschedulable(t, subject, text)
    elif kind is Kind.IMAGE_PULLED:
        into.image_pulled(t, subject, ref, b)
    elif kind is Kind.CONTAINER_STARTED:
        into.container_started(t, subject, a, int(b))
    elif kind is Kind.CONTAINER_EXITED:
        into.container_exited(t, subject, a, b)
    elif kind is Kind.CONTAINER_RESTART_BACKOFF:
        into.container_restart_backoff(t, subject, b)
    elif kind is Kind.POD_PHASE:
        into.pod_phase(t, subject, ref)
    elif kind is Kind.POD_DELETED:
        into.pod_deleted(t, subject, ref, bool(a))
    elif kind is Kind.POD_CONDITION:
        type_, status, reason = ref.split("/", 2)
        into.pod_condition(t, subject, type_, status, reason, text)
    elif kind is Kind.POD_COUNTED:
        into.pod_counted(t, subject, ref, numbers)
    elif kind is Kind.POD_REMOVED:
        into.pod_removed(t, subject)
    elif kind is Kind.EVICTION_REFUSED:
        into.eviction_refused(t, subject, a, ref, text)
    elif kind is Kind.NODE_DOWN:
        into.node_down(t, subject)
    elif kind is Kind.NODE_UP:
        into.node_up(t, subject)
    elif kind is Kind.NODE_NOT_READY:
        into.node_not_ready(t, subject)
    elif kind is Kind.NODE_TAINTED:
        into.node_tainted(t, subject, ref)
    elif kind is Kind.NODE_CORDONED:
        into.node_cordoned(t, subject, bool(a))
    elif kind is Kind.NODE_ADDED:
        node = record.nodes.get(subject)
        capacity = None if node is None or node.capacity is None else dict(node.capacity)
        into.node_added(t, subject, ref, capacity)
    elif kind is Kind.NODE_REMOVED:
        into.node_removed(t, subject)
    elif kind is Kind.CRONJOB_CREATED:
        cj = record.cronjobs.get(subject, {})
        into.cronjob_created(t, subject, str(cj.get("name")), str(cj.get("namespace")), text)
    elif kind is Kind.CRONJOB_EVENT:
        into.cronjob_event(t, subject, ref, text, bool(a))
    else:  # pragma: no cover - every Kind is handled above
        raise ValueError(f"event {kind!r} cannot be replayed")


def check_record(record: Recorder) -> int:
    """Check a finished record (``result.recorder`` of :func:`jobsim.simulate`, a loaded
    Result's too) by replaying it through a fresh :class:`EventChecker`; return how many
    checks ran. Raises :class:`EventViolation` at the first broken rule, ``ValueError`` for a
    record whose ``level`` is not ``full``.

    Every event-level rule runs as in a live run, except that "no pod for a failed index"
    knows the failed indexes a status wrote, here only the last. A record keeps only each
    Job's last status,
    so the status rules run on that one only, at the time of the record's last event, and
    without the comparisons with the status written before it. A finished Job's last status is
    checked under the spec it finished with; an unfinished one's under its last spec, and
    without comparing active and terminating with its pods, which may have moved on after the
    status was written (a run that stopped at its horizon). A live run (:func:`run_checked`)
    checks every status when it is written.
    """
    checker = EventChecker(replay=True)
    replay(record, checker)
    return checker.checked


def run_checked(
    scenario: Scenario,
    seed: int | None = None,
    *,
    max_events: int = 200_000,
    max_events_at_one_time: int = 10_000,
) -> Result:
    """:func:`jobsim.simulate` under an :class:`EventChecker`: the same Result, whose
    ``recorder`` is the checker, and :meth:`EventChecker.check_final` after the run.

    The run is stepped here, not with ``Simulation.run``, so that a run whose virtual time
    stops advancing (more than ``max_events_at_one_time`` kernel events at one time: a
    zero-time livelock) or that exceeds ``max_events`` kernel events fails with
    :class:`EventViolation` instead of hanging; the violation holds the record so far
    (``record``). Like ``simulate``, it stops at ``scenario.horizon`` (else
    ``DEFAULT_HORIZON``) and ends when the last thing happened.
    """
    checker = EventChecker()
    sim = Simulation(scenario, checker, seed)
    clock = sim.clock
    horizon = scenario.stop_time
    steps = same = 0
    last = clock.now
    try:
        while clock.peek() < horizon:
            clock.step()
            steps += 1
            same = same + 1 if clock.now == last else 0
            last = clock.now
            _require(
                same <= max_events_at_one_time,
                clock.now,
                f"virtual time does not advance: {same} kernel events at one time",
            )
            _require(steps <= max_events, clock.now, f"more than {max_events} kernel events")
    except EventViolation as e:
        e.record = checker
        raise
    if clock.now < horizon:
        sim.run(horizon)  # nothing is left before it: the clock moves on, as in simulate
    checker.check_final(sim)
    return Result(scenario.name, sim.seed, sim.end(horizon), checker)


__all__ = [
    "EventChecker",
    "EventViolation",
    "check_record",
    "replay",
    "run_checked",
]
