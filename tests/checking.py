"""``EventChecker``: a test double that asserts Job invariants after every recorded event.

It keeps its own account of every pod (created, scheduled, phase, deleted, counted) from the
events alone, and reads each Job's current spec from the live :class:`Simulation` it is
attached to. Invariants, from upstream ``pkg/controller/job/`` (job_controller.go ``manageJob``,
``syncJob``, ``trackJobStatusAndRemoveFinalizers``; backoff_utils.go; indexed_job_utils.go) and
the API server's Job status validation:

Pods
  - a Job never has more active pods (created, not terminal, not being deleted) than its
    ``parallelism``; an Indexed Job never has two active pods for one index, and creates pods
    only for indexes in ``[0, completions)`` that are neither completed nor failed;
  - no pod is created once the Job has a FailureTarget, SuccessCriteriaMet, Failed or Complete
    condition, or after the Job was deleted;
  - no pod is created before the pod-failure backoff (or its index's backoff) that the
    controller said it waits for has passed, unless a pod succeeded meanwhile (backoff_utils.go);
    every such delay is in (0, podFailureBackoffMax]; with ``backoffLimitPerIndex`` an index is
    not retried after more than that many failures (indexed_job_utils.go ``isIndexFailed``);
  - phases go Pending → Running → Succeeded/Failed only (Running again on an in-place restart);
    a pod is scheduled once, runs only once scheduled, is deleted at most once, never ends
    Succeeded once deleted (a jobsim modelling choice: a deleted pod always ends Failed, see
    docs/mechanisms.md), and is counted at most once, as what it ended as.

Job status, each time it is written (the API server's status validation:
``pkg/apis/batch/validation`` ``ValidateJobUpdateStatus``, options from
``pkg/registry/batch/job/strategy.go``)
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

A violation raises :class:`EventViolation` (a ``jobsim.invariants.InvariantViolation``) at the
event that broke the rule, so hypothesis shrinks towards the first broken step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import note

from jobsim.invariants import InvariantViolation, status_violations
from jobsim.record import Recorder, StatusSource, frozen
from jobsim.results import Result
from jobsim.scenario import Scenario, load_scenario
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.simulation import Simulation

TERMINAL = ("Succeeded", "Failed")
TARGET_TYPES = ("SuccessCriteriaMet", "FailureTarget", "Complete", "Failed")


class EventViolation(InvariantViolation):
    """An invariant did not hold at virtual time ``t``."""

    def __init__(self, t: float, what: str) -> None:
        self.t = t
        self.what = what
        super().__init__(f"at t={t:g}: {what}")


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
        return self.phase not in TERMINAL and not self.deleted

    @property
    def terminating(self) -> bool:
        return self.phase not in TERMINAL and self.deleted


@dataclass
class _Job:
    pods: dict[str, _Pod] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)  # type -> status, as recorded
    status: dict[str, Any] | None = None
    done: set[int] = field(default_factory=set)  # Indexed: completed indexes, own account
    failed_indexes: set[int] = field(default_factory=set)  # as last written in status
    max_parallelism: int = 0
    completions: int | None = None
    completions_shrank: bool = False  # an elastic scale-down happened
    deleted: bool = False
    not_before: float | None = None  # pod-failure backoff: no new pod before this time
    index_not_before: dict[int, float] = field(default_factory=dict)  # per-index backoff

    def has(self, types: tuple[str, ...]) -> bool:
        return any(self.conditions.get(t) == "True" for t in types)


def parse_indexes(text: str) -> set[int]:
    """``"1,3-5,7"`` → ``{1, 3, 4, 5, 7}`` (the format the controller writes)."""
    out: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


def _true(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status.get("conditions", []) if c["status"] == "True"}


def _require(ok: bool, t: float, what: str) -> None:
    if not ok:
        raise EventViolation(t, what)


class EventChecker(Recorder):
    """A :class:`Recorder` that checks invariants after every event it records.

    Build it, build ``Simulation(scenario, recorder, seed)``, :meth:`attach` the simulation,
    run it, then call :meth:`check_final` (or use :func:`run_checked`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.sim: Simulation | None = None
        self._jobs: dict[str, _Job] = {}
        self._pods: dict[str, _Pod] = {}
        self.checked = 0  # events checked, so a test can tell the checks ran

    def attach(self, sim: Simulation) -> None:
        """Give the recorder the live simulation, to read each Job's current spec."""
        self.sim = sim
        for key, rt in sim.jobs.items():
            self._job(key).max_parallelism = rt.parallelism
            self._job(key).completions = rt.spec.completions

    # -- helpers ---------------------------------------------------------------------------
    def _runtime(self, key: str) -> JobRuntime:
        assert self.sim is not None, "EventChecker.attach(sim) was not called"
        return self.sim.jobs[key]

    def _job(self, key: str) -> _Job:
        return self._jobs.setdefault(key, _Job())

    def _active(self, key: str) -> list[_Pod]:
        return [p for p in self._job(key).pods.values() if p.active]

    # -- jobs ------------------------------------------------------------------------------
    def job_spec_changed(
        self, t: float, key: str, change: str, spec: dict[str, Any] | None = None
    ) -> None:
        super().job_spec_changed(t, key, change, spec)
        job, rt = self._job(key), self._runtime(key)
        job.max_parallelism = max(job.max_parallelism, rt.parallelism)
        completions = rt.spec.completions
        if completions is not None and job.completions is not None:
            job.completions_shrank |= completions < job.completions
        job.completions = completions

    def _check_delay(self, t: float, key: str, remaining: float, what: str) -> None:
        assert self.sim is not None
        timing = self.sim.timing
        cap = max(timing.podFailureBackoffBase, timing.podFailureBackoffMax)
        _require(0 < remaining <= cap, t, f"job {key}: {what} {remaining!r} not in (0, {cap}]")

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
        self._check_delay(t, key, remaining, "pod-failure backoff")
        self._job(key).not_before = t + remaining

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
        self._check_delay(t, key, remaining, f"backoff of index {index}")
        self._job(key).index_not_before[index] = t + remaining

    def job_deleted(self, t: float, key: str) -> None:
        super().job_deleted(t, key)
        self._job(key).deleted = True

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
        job = self._job(key)
        _require(
            not (
                type_ in TARGET_TYPES and job.conditions.get(type_) == "True" and status != "True"
            ),
            t,
            f"job {key}: terminal condition {type_} changed from True to {status}",
        )
        job.conditions[type_] = status

    def job_status(self, t: float, key: str, source: StatusSource) -> None:
        status = source()
        super().job_status(t, key, frozen(status))
        self.checked += 1
        where = f"job {key} status {status}"
        self._check_conditions(t, key, status, where)
        self._check_counts(t, key, status, where)
        self._check_reasons(t, key, status, where)
        self._check_history(t, key, status, where)
        self._job(key).status = status

    def _check_conditions(self, t: float, key: str, status: dict[str, Any], where: str) -> None:
        """The API server's status rules (``jobsim.invariants.status_violations``)."""
        rt = self._runtime(key)
        problems = status_violations(
            status,
            None,  # transitions are checked against the pods' own account below
            parallelism=rt.parallelism,
            completions=rt.spec.completions,
            indexed=rt.indexed,
            suspended=rt.suspended,
        )
        _require(not problems, t, f"{'; '.join(problems)}: {where}")

    def _check_counts(self, t: float, key: str, status: dict[str, Any], where: str) -> None:
        """The status against the pods' own account, at the moment it is written."""
        rt, job = self._runtime(key), self._job(key)
        pods = job.pods.values()
        active = sum(p.active for p in pods)
        terminating = sum(p.terminating for p in pods)
        _require(status["active"] == active, t, f"active != {active} active pods: {where}")
        _require(
            status["terminating"] == terminating,
            t,
            f"terminating != {terminating} terminating pods: {where}",
        )
        failed = sum(p.counted == "failed" for p in pods)
        _require(status["failed"] == failed, t, f"failed != {failed} pods counted so: {where}")
        completions = rt.spec.completions
        if rt.indexed:
            assert completions is not None
            job.done = {i for i in job.done if i < completions}  # elastic scale-down
            shown = parse_indexes(status.get("completedIndexes", ""))
            _require(shown == job.done, t, f"completedIndexes != {sorted(job.done)}: {where}")
            _require(
                status["succeeded"] == len(job.done), t, f"succeeded != |completedIndexes|: {where}"
            )
            job.failed_indexes = parse_indexes(status.get("failedIndexes", ""))
            _require(
                not job.failed_indexes & job.done,
                t,
                f"failedIndexes overlap completedIndexes: {where}",
            )
        else:
            n = sum(p.counted == "succeeded" for p in pods)
            _require(status["succeeded"] == n, t, f"succeeded != {n} pods counted so: {where}")
        if completions is not None:
            _require(status["succeeded"] <= completions, t, f"succeeded > completions: {where}")

    def _check_reasons(self, t: float, key: str, status: dict[str, Any], where: str) -> None:
        """What each terminal reason implies about the counts and times."""
        rt, job = self._runtime(key), self._job(key)
        true = _true(status)
        met = true.get("SuccessCriteriaMet")
        if met is not None and met["reason"] == "CompletionsReached":
            completions = rt.spec.completions
            enough = (
                status["succeeded"] > 0
                if completions is None
                else status["succeeded"] >= completions
            )
            _require(enough, t, f"CompletionsReached without enough successes: {where}")
        target = true.get("FailureTarget")
        if target is None:
            return
        if target["reason"] == "BackoffLimitExceeded" and rt.restart_policy == "Never":
            limit, par = rt.backoff_limit, job.max_parallelism
            _require(
                status["failed"] > limit, t, f"BackoffLimitExceeded, failed <= {limit}: {where}"
            )
            if "Failed" in true:
                _require(
                    status["failed"] <= limit + par,
                    t,
                    f"failed > backoffLimit {limit} + parallelism {par}: {where}",
                )
        if target["reason"] == "DeadlineExceeded":
            ads = rt.spec.activeDeadlineSeconds
            start = status.get("startTime")
            _require(
                ads is not None
                and start is not None
                and target["lastTransitionTime"] - start >= ads,
                t,
                f"DeadlineExceeded before activeDeadlineSeconds {ads}: {where}",
            )

    def _check_history(self, t: float, key: str, status: dict[str, Any], where: str) -> None:
        """The status against the one written before it."""
        prev = self._job(key).status
        if prev is None:
            return
        _require(status["failed"] >= prev["failed"], t, f"failed decreased: {where}")
        if "completedIndexes" in status:
            completions = self._runtime(key).spec.completions or 0
            kept = {i for i in parse_indexes(prev["completedIndexes"]) if i < completions}
            now_done = parse_indexes(status["completedIndexes"])
            _require(kept <= now_done, t, f"completed indexes {sorted(kept)} lost: {where}")
        else:
            _require(status["succeeded"] >= prev["succeeded"], t, f"succeeded decreased: {where}")
        before = {c["type"]: c for c in prev.get("conditions", [])}
        now = {c["type"]: c for c in status.get("conditions", [])}
        _require(before.keys() <= now.keys(), t, f"a condition was removed: {where}")
        for type_, c in before.items():
            if type_ in TARGET_TYPES and c["status"] == "True":
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
        rt = self._runtime(job)
        j = self._job(job)
        _require(name not in self._pods, t, f"pod name {name} reused")
        _require(not j.deleted, t, f"pod {name} created for deleted job {job}")
        _require(
            not j.has(TARGET_TYPES),
            t,
            f"pod {name} created after job {job} got conditions {j.conditions}",
        )
        if rt.indexed:
            completions = rt.spec.completions or 0
            _require(
                index is not None and 0 <= index < completions,
                t,
                f"pod {name} of Indexed job {job} has index {index}, completions {completions}",
            )
            _require(
                all(p.index != index for p in self._active(job)),
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
            _require(
                until is None or t >= until - 1e-9,
                t,
                f"pod {name} of {job} created before its {what} ends at {until!r}",
            )
        # backoffLimitPerIndex: no retry of an index past its limit (indexed_job_utils.go
        # isIndexFailed). Only where the deletion flag tells failures apart (no
        # podFailurePolicy, TerminatingOrFailed).
        per_index = rt.spec.backoffLimitPerIndex
        if (
            per_index is not None
            and index is not None
            and rt.spec.podFailurePolicy is None
            and not rt.only_replace_failed
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
        n = len(self._active(job))
        _require(
            n <= rt.parallelism,
            t,
            f"job {job} has {n} active pods, parallelism {rt.parallelism} (created {name})",
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
        _require(pod.phase not in TERMINAL, t, f"container of {pod.phase} pod {name} started")

    def pod_phase(self, t: float, name: str, phase: str) -> None:
        super().pod_phase(t, name, phase)
        self.checked += 1
        pod = self._pods[name]
        _require(pod.phase not in TERMINAL, t, f"pod {name} went from {pod.phase} to {phase}")
        _require(phase in ("Running", *TERMINAL), t, f"pod {name} to unexpected phase {phase}")
        if phase == "Running":
            _require(pod.scheduled, t, f"unscheduled pod {name} is Running")
        if phase == "Succeeded":
            _require(not pod.deleted, t, f"deleted pod {name} ended Succeeded")
        if phase == "Failed" and not pod.deleted:
            pod.failure = True
        if phase == "Succeeded":
            # The sync that sees it resets the backoff record (backoff_utils.go newBackoffRecord),
            # and may create pods before recording that it counted it.
            self._job(pod.job).not_before = None
        pod.phase = phase

    def pod_deleted(self, t: float, name: str, reason: str, counted: bool) -> None:
        super().pod_deleted(t, name, reason, counted)
        self.checked += 1
        pod = self._pods[name]
        _require(not pod.deleted, t, f"pod {name} deleted twice ({reason})")
        pod.deleted = True
        pod.failure |= counted

    def pod_counted(
        self, t: float, name: str, as_: str, numbers: dict[str, Any] | None = None
    ) -> None:
        super().pod_counted(t, name, as_, numbers)
        self.checked += 1
        pod = self._pods[name]
        _require(pod.counted is None, t, f"pod {name} counted as {pod.counted}, then as {as_}")
        if as_ == "succeeded":
            _require(pod.phase == "Succeeded", t, f"{pod.phase} pod {name} counted as succeeded")
            job = self._job(pod.job)
            if pod.index is not None:
                job.done.add(pod.index)
        else:
            failing = self._job(pod.job).has(("FailureTarget",))
            _require(
                pod.phase == "Failed" or pod.deleted or failing,
                t,
                f"{pod.phase} pod {name}, not deleted, counted as {as_}",
            )
        pod.counted = as_

    # -- end of run ------------------------------------------------------------------------
    def check_final(self) -> None:
        """After the run: each Job's last recorded status is its live status."""
        assert self.sim is not None, "EventChecker.attach(sim) was not called"
        t = self.sim.clock.now
        for key, live in ((k, j.status()) for k, j in self.sim.jobs.items()):
            rec = self.jobs.get(key)
            if rec is None or rec.managedBy is not None:
                continue
            _require(rec.status == live, t, f"job {key}: recorded {rec.status} != live {live}")


def run_checked(
    scenario: Scenario,
    seed: int | None = None,
    *,
    max_events: int = 200_000,
    max_events_at_one_time: int = 10_000,
) -> tuple[Simulation, EventChecker]:
    """Run ``scenario`` under a :class:`EventChecker` and return both.

    The run is stepped here, not with ``Simulation.run``, so that a run whose virtual time
    stops advancing (a zero-time livelock) or that exceeds ``max_events`` kernel events fails
    with :class:`EventViolation` instead of hanging. It stops at ``scenario.horizon``.
    """
    rec = EventChecker()
    sim = Simulation(scenario, rec, seed)
    rec.attach(sim)
    env = sim.clock.env
    horizon = float("inf") if scenario.horizon is None else scenario.horizon
    steps = same = 0
    last = env.now
    while env.peek() < horizon:
        env.step()
        steps += 1
        same = same + 1 if env.now == last else 0
        last = env.now
        _require(
            same <= max_events_at_one_time,
            env.now,
            f"virtual time does not advance: {same} kernel events at t={env.now!r}",
        )
        _require(steps <= max_events, env.now, f"more than {max_events} kernel events")
    rec.check_final()
    return sim, rec


def result_of(sim: Simulation, rec: Recorder) -> Result:
    """The :class:`Result` of a finished run, as :func:`jobsim.simulate` builds it."""
    return Result(sim.scenario.name, sim.seed, sim.clock.now, rec)


def simulate_checked(scenario: Scenario, seed: int | None = None) -> Result:
    """:func:`jobsim.simulate` under the checks of :func:`run_checked`."""
    return result_of(*run_checked(scenario, seed))


# --- drawn scenarios ---------------------------------------------------------------------


def run_drawn(data: dict[str, Any], seed: int | None = None) -> tuple[Simulation, EventChecker]:
    """Inside a hypothesis test: load and :func:`run_checked` a drawn scenario, noting it so
    that a failure report shows the scenario dict. (Where a known jobsim bug needs setting
    aside, this is the place: ``assume`` or ``reject`` the scenarios that hit it.)"""
    note(f"scenario: {data}")
    return run_checked(load_scenario(data), seed)
