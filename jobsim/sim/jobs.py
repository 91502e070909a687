"""Per-Job state of one run: the defaulted spec, its status, its pods, its workload draws."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from jobsim.distributions import Distribution, Lognormal
from jobsim.k8s.create import NAME_ALPHABET  # k8s.io/apimachinery/pkg/util/rand
from jobsim.k8s.features import DEFAULT_GATES, FeatureGates, drop_disabled_fields
from jobsim.k8s.job import Job, JobSpec
from jobsim.k8s.resources import pod_requests
from jobsim.policy.backoff import BackoffRecord
from jobsim.policy.image_locality import normalized_image_name
from jobsim.policy.intervals import format_indexes
from jobsim.policy.placement import PodNeeds, nonzero_requests, pod_needs
from jobsim.scenario.model import Workload
from jobsim.sim import _draws
from jobsim.sim.engine import Call
from jobsim.sim.objects import Pod
from jobsim.units import MAX_DURATION_SECONDS

DOUBLE_UNIT: Final = 1.0 / 9007199254740992.0
"""2**-53: PCG64's ``next_double`` is the top 53 bits of a raw draw times this, which is what
``Generator.random()`` returns (a raw draw and this skip its argument handling)."""
MAX_DURATION: Final = float(MAX_DURATION_SECONDS)
"""Go's largest ``time.Duration`` in seconds: no draw is longer (``distributions._capped``)."""
_LOG_OVERFLOW: Final = 700.0
"""Past this, ``exp`` is far above ``MAX_DURATION`` (and ``math.exp`` would overflow)."""
_ALPHABET: Final[str] = NAME_ALPHABET  # Final: compiled, a C static, not a globals lookup
_N_ALPHABET: Final = len(NAME_ALPHABET)
# The longest Job name whose "<name>-<index>-" fits in 58 characters whatever the index (at
# most 20 digits: an int64): its Indexed pods' names are built in one go.
_SHORT_NAME: Final = 58 - 2 - 20


def stream(seed: int, *tag: str) -> np.random.Generator:
    """An independent random stream keyed by name (common random numbers across scenarios)."""
    digest = hashlib.sha256("/".join(tag).encode()).digest()
    key = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@dataclass(slots=True, init=False, unsafe_hash=True)  # frozen by Final, a compiled __init__
class RunOutcome:
    """One run of a pod's work: how long, and each container's exit code.

    ``codes`` holds the regular containers in template order; ``init_failure`` names an init
    container that fails (the regular containers then never start).
    """

    run: Final[float]
    codes: Final[tuple[tuple[str, int], ...]]
    init_failure: Final[tuple[str, int] | None]

    def __init__(
        self,
        run: float,
        codes: tuple[tuple[str, int], ...],
        init_failure: tuple[str, int] | None = None,
    ) -> None:
        self.run = run
        self.codes = codes
        self.init_failure = init_failure

    @property
    def exit_code(self) -> int:
        """The pod's exit code: the failing init container's, else the first non-zero one."""
        if self.init_failure is not None:
            return self.init_failure[1]
        return next((c for _, c in self.codes if c != 0), 0)


@dataclass(eq=False)
class JobRuntime:
    """One Job in the simulation: spec, status, pod indexes and workload."""

    key: str
    job: Job
    workload: Workload
    rng: np.random.Generator
    names: np.random.Generator
    submitted_at: float
    # status (batch/v1 JobStatus)
    start_time: float | None = None
    completion_time: float | None = None
    succeeded: int = 0
    failed: int = 0
    conditions: list[dict[str, Any]] = field(default_factory=list)
    completed_indexes: set[int] = field(default_factory=set)
    failed_indexes: set[int] = field(default_factory=set)
    status_active: int = 0
    status_ready: int = 0
    status_terminating: int = 0
    # pods
    # Pending/Running pods without a deletion timestamp, and terminating ones: change them
    # through add_active/pop_active/add_terminating/pop_terminating, which keep the counts
    # below, so a sync reads them instead of scanning every pod.
    active: dict[int, Pod] = field(default_factory=dict)
    terminating: dict[int, Pod] = field(default_factory=dict)
    ready_active: int = 0  # active pods that are Ready (status.ready)
    active_indexes: dict[int, int] = field(default_factory=dict)  # active pods per index
    live_restarts: int = 0  # restartCount summed over active and terminating pods
    finished_tracked: dict[int, Pod] = field(default_factory=dict)
    attempts: dict[int | None, int] = field(default_factory=dict)
    pods: list[Pod] = field(default_factory=list)  # its pods, kept only if keeps_pods
    keeps_pods: bool = False  # ttlSecondsAfterFinished or a deleteJob event deletes them
    used_names: set[str] = field(default_factory=set)
    # controller
    backoff: BackoffRecord = field(default_factory=BackoffRecord)
    backoff_noted: tuple[int, float] | None = None  # the last backoff wait recorded
    pending_floor: int = 0  # Indexed: every lower index is completed or failed
    # Indexed, the pending scan's memory (manage.py): every index from pending_floor up to
    # busy_floor was busy (succeeded, failed, active or terminating) at the last scan, except
    # the free ones it found (holes) and those that left active or terminating since (freed)
    busy_floor: int = 0
    holes: set[int] = field(default_factory=set)
    freed: set[int] = field(default_factory=set)
    indexes_bound: int = 2**63  # the completions the index sets were last trimmed to
    indexes_version: int = 0  # bumped on every change of completed/failed indexes
    indexes_trimmed: bool = False  # completions shrank: pods of dropped indexes may remain
    indexes_text: tuple[int, str, str] = (0, "", "")  # (version, completed, failed) text
    sync_at: float | None = None
    sync_call: Call | None = None
    creating: bool = False  # a sync's pod creations wait for the API client
    then: Callable[[], None] | None = None  # the rest of that sync, once they have returned
    held_sync: float | None = None  # the earliest sync asked for meanwhile
    finished: bool = False
    finished_at: float | None = None
    priority: int = 0
    preempts: bool = True
    deleted: bool = False
    deleting: float | None = None  # metadata.deletionTimestamp (a Foreground delete)
    inert: bool = False
    gates: FeatureGates = DEFAULT_GATES  # the cluster's Job feature gates (its release)
    cron_run: int = 0  # the how-manieth Job its CronJob made (the workload's ``cronRun``)

    def __post_init__(self) -> None:
        self.apply_spec(self.job)
        # Mersenne Twister seeded from the Job's name stream: cheap per-pod draws, the same on
        # every platform and Python version (getrandbits).
        self._name_bits = random.Random(int(self.names.integers(0, 2**63))).getrandbits
        self.name = str(self.job.metadata.name)
        self._name_prefix = f"{self.name}-"[:58]  # a NonIndexed pod's generateName
        self.namespace = str(self.job.metadata.namespace)
        self.template_spec = self.spec.template.spec  # as stored: disabled gates' fields dropped
        self.requests = pod_requests(self.job)
        spec = self.template_spec
        self.needs: PodNeeds = pod_needs(
            self.requests, spec.nodeSelector, spec.tolerations, spec.affinity
        )
        """Its pods' fit key (``sim.scheduler.fit_key``): the template and requests are fixed."""
        self.score_requests = nonzero_requests(self.requests)
        """Its pods' (cpu, memory) for scoring (``GetNonzeroRequests``)."""
        self.cpu_memory = (self.requests.get("cpu", 0), self.requests.get("memory", 0))
        """Its pods' cpu and memory requests (0 where none)."""
        self.extended_requests = tuple(
            (r, q) for r, q in self.requests.items() if r not in ("cpu", "memory", "pods")
        )
        """Its pods' requests of other resources (``Node.extended``; a request of "pods", which
        validation refuses, counts in ``Node.req_pods`` only, as one pod)."""
        self.grace = float(self.template_spec.terminationGracePeriodSeconds or 0)
        self.restart_policy = str(self.template_spec.restartPolicy)
        self.termination_delay = self.workload.terminationDelay
        self._read_workload()
        self.container_names = tuple(c.name for c in self.template_spec.containers)
        # a run's codes when the first container exits with its code and the others with 0
        self._others_zero = tuple((n, 0) for n in self.container_names[1:])
        self.init_names = tuple(c.name for c in self.template_spec.initContainers or [])
        # (image, pullPolicy, normalised name), init containers first; normalised once here
        # for the kubelet and the scheduler (ImageLocality)
        self.images = tuple(
            (image, str(c.imagePullPolicy or "IfNotPresent"), normalized_image_name(image))
            for c in [*(self.template_spec.initContainers or []), *self.template_spec.containers]
            for image in (str(c.image or ""),)
        )

    def apply_spec(self, job: Job) -> None:
        """Take a new version of the Job (an update of its spec)."""
        self.job = job
        gates = self.gates
        spec = self.spec = drop_disabled_fields(job.spec, gates)
        self.indexed = spec.completionMode == "Indexed"
        # read at every sync: native fields, not pydantic ones (each a lookup by name, compiled)
        self.completions: int | None = spec.completions
        self.active_deadline: int | None = spec.activeDeadlineSeconds
        self.backoff_limit_per_index: int | None = spec.backoffLimitPerIndex
        self.has_failure_policy = spec.podFailurePolicy is not None
        self.success_policy_gate = bool(gates.JobSuccessPolicy)
        self.suspended = bool(spec.suspend)
        # onlyReplaceFailedPods: a podFailurePolicy implies it even where podReplacementPolicy
        # was not defaulted (upstream's unit tests; API defaulting sets Failed anyway)
        self.only_replace_failed = (
            spec.podReplacementPolicy == "Failed" or spec.podFailurePolicy is not None
        )
        self.busy_floor = 0  # what counts as busy may have changed: the next scan is whole
        # trackTerminatingPods / status.terminating / delayTerminalCondition per the gates
        self.report_terminating = gates.JobPodReplacementPolicy
        self.delay_terminal = gates.delay_terminal_condition
        # Defaulting (SetDefaults_Job) guarantees both are set.
        self.backoff_limit = int(job.spec.backoffLimit or 0)
        self.parallelism = int(job.spec.parallelism or 0)

    def new_pod(self, uid: int, index: int | None, now: float) -> Pod:
        """A new pod of this Job (the API server's POST of its template), named as
        ``generateName`` names it."""
        return Pod(  # positional, in Pod's field order (keywords cost more per pod)
            uid,
            self.pod_name(index),
            self,
            index,
            now,
            self.requests,
            self.grace,
            self.restart_policy,
            self.images,
            self.priority,
            self.preempts,
        )

    # -- the pods the controller counts -----------------------------------------------------
    def add_active(self, pod: Pod) -> None:
        """A new pod is active."""
        self.active[pod.uid] = pod
        self.ready_active += pod.ready
        ix: Any = pod.index  # the pod's own int object (compiled, an int is boxed at each use)
        if ix is not None:
            counts = self.active_indexes
            counts[ix] = counts.get(ix, 0) + 1
        self.live_restarts += pod.restart_count

    def pop_active(self, pod: Pod) -> bool:
        """The pod is no longer active; whether it was."""
        if self.active.pop(pod.uid, None) is None:
            return False
        self.ready_active -= pod.ready
        ix: Any = pod.index  # the pod's own int object, as in add_active
        if ix is not None:
            counts = self.active_indexes
            left = counts[ix] - 1
            if left:
                counts[ix] = left
            else:
                del counts[ix]
                if ix < self.busy_floor:  # the index may be pending again (the scan reads
                    self.freed.add(ix)  # every index from busy_floor on anyway)
        self.live_restarts -= pod.restart_count
        return True

    def add_terminating(self, pod: Pod) -> None:
        """The pod is terminating (a deletion timestamp, not yet Succeeded or Failed)."""
        self.terminating[pod.uid] = pod
        self.live_restarts += pod.restart_count

    def pop_terminating(self, pod: Pod) -> None:
        """The pod is no longer terminating."""
        if self.terminating.pop(pod.uid, None) is not None:
            self.live_restarts -= pod.restart_count
            ix = pod.index  # podReplacementPolicy Failed counted it busy until now
            if ix is not None and ix < self.busy_floor:
                self.freed.add(ix)

    # -- spec shortcuts (set by apply_spec) ---------------------------------------------
    spec: JobSpec = field(init=False)
    """The defaulted JobSpec."""
    indexed: bool = field(init=False)
    """completionMode Indexed."""
    suspended: bool = field(init=False)
    """spec.suspend."""
    only_replace_failed: bool = field(init=False)
    """``onlyReplaceFailedPods``: podReplacementPolicy Failed, or a podFailurePolicy."""
    report_terminating: bool = field(init=False)
    """``status.terminating`` is written (JobPodReplacementPolicy); else it stays nil."""
    delay_terminal: bool = field(init=False)
    """``delayTerminalCondition``: FailureTarget/SuccessCriteriaMet first, the terminal
    condition once no pod is terminating (JobManagedBy or JobPodReplacementPolicy)."""

    # -- status --------------------------------------------------------------------------
    def status_key(self) -> tuple[Any, ...]:
        """What ``status`` depends on, cheap to compare: has the status changed?"""
        return (
            self.status_active,
            self.status_ready,
            self.status_terminating,
            self.succeeded,
            self.failed,
            self.start_time,
            self.completion_time,
            self.indexes_version,
            tuple(
                (c["type"], c["status"], c["reason"], c["message"], c["lastTransitionTime"])
                for c in self.conditions
            ),
        )

    def status(self) -> dict[str, Any]:
        """The Job's status, shaped like batch/v1 JobStatus."""
        status: dict[str, Any] = {
            "active": self.status_active,
            "ready": self.status_ready,
            "terminating": self.status_terminating if self.report_terminating else None,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "startTime": self.start_time,
            "completionTime": self.completion_time,
            "conditions": [dict(c) for c in self.conditions],
        }
        per_index = self.spec.backoffLimitPerIndex is not None
        if self.indexed or per_index:
            if self.indexes_text[0] != self.indexes_version:  # format only after a change
                self.indexes_text = (
                    self.indexes_version,
                    format_indexes(self.completed_indexes),
                    format_indexes(self.failed_indexes),
                )
            if self.indexed:
                status["completedIndexes"] = self.indexes_text[1]
            if per_index:
                status["failedIndexes"] = self.indexes_text[2]
        return status

    def spec_numbers(self) -> dict[str, Any]:
        """The defaulted spec fields the controller's rules read, for the record.

        ``podFailurePolicyRules`` is how many rules ``podFailurePolicy`` has (None: no
        policy); ``podReplacementPolicy`` is defaulted (``Failed`` with a podFailurePolicy).
        """
        spec = self.spec
        policy = spec.podFailurePolicy
        return {
            "completions": spec.completions,
            "parallelism": spec.parallelism,
            "completionMode": spec.completionMode,
            "backoffLimit": spec.backoffLimit,
            "backoffLimitPerIndex": spec.backoffLimitPerIndex,
            "maxFailedIndexes": spec.maxFailedIndexes,
            "activeDeadlineSeconds": spec.activeDeadlineSeconds,
            "restartPolicy": spec.template.spec.restartPolicy,
            "suspend": bool(spec.suspend),
            "podFailurePolicyRules": None if policy is None else len(policy.rules),
            "podReplacementPolicy": spec.podReplacementPolicy,
        }

    def condition(self, type_: str) -> dict[str, Any] | None:
        """The condition of that type, if any."""
        for c in self.conditions:
            if c["type"] == type_:
                return c
        return None

    def has_true(self, type_: str) -> bool:
        """Whether a condition of that type is True."""
        c = self.condition(type_)
        return c is not None and c["status"] == "True"

    # -- workload ------------------------------------------------------------------------
    def next_attempt(self, index: int | None) -> int:
        """The attempt number of the next start of work for ``index`` (NonIndexed: None)."""
        n = self.attempts.get(index, 0)
        self.attempts[index] = n + 1
        return n

    def _result(
        self, run: float, code: int, container: str | None, others: dict[str, int]
    ) -> RunOutcome:
        names = self.container_names
        if container is None and not others:  # container names are unique: names[0] exits
            return RunOutcome(run, ((names[0], code), *self._others_zero))
        if container is not None and container in self.init_names and code != 0:
            return RunOutcome(run, tuple((n, 0) for n in names), (container, code))
        target = container if container in names else names[0]
        codes = tuple((n, code if n == target else others.get(n, 0)) for n in names)
        return RunOutcome(run, codes)

    def _read_workload(self) -> None:
        """What ``outcome`` reads of the workload, read once (a pydantic field read costs a
        compiled run more than the arithmetic of a draw)."""
        w = self.workload
        d = w.duration
        bits = self.rng.bit_generator
        if not isinstance(bits, np.random.PCG64 | np.random.PCG64DXSM):  # 64-bit raw draws
            raise TypeError(f"a Job's stream must be PCG64, not {type(bits).__name__}")
        self._raw = bits.random_raw
        self._draw_stream = _draws.handle(self.rng)  # a lognormal run's three draws, one call
        # Lognormal.sample, inline (tests/test_workload_draws.py holds them equal)
        self._lognormal = (math.log(d.median), d.sigma) if isinstance(d, Lognormal) else None
        self._script = tuple(w.script)
        f = w.failure
        self._failure = f
        self._fail_probability = -1.0 if f is None else f.probability  # u_fail never below
        self._fail_after: float | None = None
        self._fail_after_draw: Distribution | None = None
        self._fail_codes: tuple[tuple[int, float], ...] = ()
        if f is not None:
            if isinstance(f.after, float):
                self._fail_after = f.after
            else:
                self._fail_after_draw = f.after
            codes = list(f.exitCode.items())
            total = sum(wt for _, wt in codes)
            acc, bounds = 0.0, []
            for c, wt in codes:
                acc += wt / total
                bounds.append((c, acc))
            self._fail_codes = tuple(bounds)

    def outcome(self, index: int | None, attempt: int) -> RunOutcome:
        """One run: the first matching script entry, else drawn.

        Every run draws the same four numbers from the Job's stream, so one run's outcome
        does not shift another's.
        """
        rng = self.rng
        ln = self._lognormal
        if ln is None:
            duration = self.workload.duration.sample(rng)
            raw = self._raw  # rng.random() is PCG64's next_double (test_workload_draws.py)
            u_fail, u_code = (raw() >> 11) * DOUBLE_UNIT, (raw() >> 11) * DOUBLE_UNIT
        else:  # standard_normal(), random() twice: numpy's functions (compiled: one call)
            z, u_fail, u_code = _draws.normal_and_uniforms(self._draw_stream)
            # numpy's lognormal is exp(mean + sigma * standard_normal()), in these operations
            x = ln[0] + ln[1] * z
            duration = MAX_DURATION if x > _LOG_OVERFLOW else min(math.exp(x), MAX_DURATION)
        after_draw: float | None = None
        drawn_after = self._fail_after_draw
        if drawn_after is not None:
            after_draw = drawn_after.sample(rng)
        for entry in self._script:
            if (
                (entry.index is None or entry.index == index)
                and (entry.attempt is None or entry.attempt == attempt)
                and (entry.cronRun is None or entry.cronRun == self.cron_run)
            ):
                run = duration if entry.after is None else entry.after
                return self._result(run, entry.exitCode, entry.container, entry.containers)
        if u_fail < self._fail_probability:
            codes = self._fail_codes
            code = codes[-1][0]
            for c, bound in codes:
                if u_code < bound:
                    code = c
                    break
            fraction = self._fail_after
            run = duration * fraction if fraction is not None else float(after_draw or 0.0)
            f = self._failure
            return self._result(run, code, None if f is None else f.container, {})
        return self._result(duration, 0, None, {})

    def pod_name(self, index: int | None) -> str:
        """``generateName`` + 5 random characters: ``<job>-`` or ``<job>-<index>-``."""
        # names.SimpleNameGenerator / podGenerateNameWithIndex: prefixes cut to 58 characters,
        # keeping the "-<index>-" part whole.
        with_index = index is not None and len(self.name) <= _SHORT_NAME  # built in the name
        number = -1 if index is None else index  # an int: compiled, its text is a C call
        if index is None or with_index:
            prefix = self._name_prefix  # "<job>-"
        else:
            tail = f"-{index}-"
            prefix = self.name + tail
            if len(prefix) > 58:
                prefix = self.name[: 58 - len(tail)] + tail
        a, n = _ALPHABET, _N_ALPHABET
        name_bits = self._name_bits
        used = self.used_names
        while True:
            bits = name_bits(40)
            c1, c2, c3 = a[bits % n], a[(bits >> 8) % n], a[(bits >> 16) % n]
            c4, c5 = a[(bits >> 24) % n], a[(bits >> 32) % n]
            # one string built (compiled), the index's digits included
            if with_index:
                name = f"{prefix}{number}-{c1}{c2}{c3}{c4}{c5}"
            else:
                name = f"{prefix}{c1}{c2}{c3}{c4}{c5}"
            if name not in used:
                used.add(name)
                return name


def set_ready(pod: Pod, ready: bool) -> None:
    """Set the pod's Ready, keeping its Job's count of Ready active pods."""
    if pod.ready != ready:
        pod.ready = ready
        job: JobRuntime = pod.job
        if pod.uid in job.active:
            job.ready_active += 1 if ready else -1


def add_restarts(pod: Pod, n: int) -> None:
    """Add to the pod's restartCount, keeping its Job's sum over live pods."""
    pod.restart_count += n
    job: JobRuntime = pod.job
    if pod.uid in job.active or pod.uid in job.terminating:
        job.live_restarts += n


__all__ = [
    "NAME_ALPHABET",
    "JobRuntime",
    "RunOutcome",
    "add_restarts",
    "set_ready",
    "stream",
]
