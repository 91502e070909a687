"""The Scenario model: cluster, timing, jobs (manifest + workload), outside events, seed.

Frozen pydantic models and the only place where scenario defaults live. Each ``JobEntry``
carries its decoded, defaulted and validated Job (``entry.job``), set by the loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from jobsim.distributions import Duration, DurationDistribution, non_negative
from jobsim.k8s.job import Job
from jobsim.units import (
    milli_value,
    parse_quantity,
    value,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


quantity = non_negative(parse_quantity, "a quantity such as 4, 500m or 16Gi")


Quantity = Annotated[Fraction, BeforeValidator(quantity)]


class Timing(_Model):
    """Control-plane and node latencies; the defaults are the real ones (0 where none)."""

    jobSyncDelay: Duration = 1.0
    scheduling: Duration = 0.0
    imagePull: Duration | dict[str, Duration] = 0.0
    containerStart: Duration = 1.0
    nodeMonitorGracePeriod: Duration = 50.0
    defaultTolerationSeconds: Duration = 300.0
    podFailureBackoffBase: Duration = 10.0
    podFailureBackoffMax: Duration = 600.0
    crashLoopBackoffInitial: Duration = 10.0
    crashLoopBackoffMax: Duration = 300.0
    crashLoopBackoffReset: Duration = 600.0
    podGCPeriod: Duration = 20.0

    def image_pull(self, image: str) -> float:
        """Pull time of ``image`` on a node that does not have it yet."""
        if isinstance(self.imagePull, dict):
            return self.imagePull.get(image, self.imagePull.get("default", 0.0))
        return self.imagePull


class Taint(_Model):
    """A node taint."""

    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class Capacity(_Model):
    """Allocatable resources of one node: cpu, memory, pods and extended resources."""

    model_config = ConfigDict(extra="allow", frozen=True)

    cpu: Quantity
    memory: Quantity
    pods: int = Field(default=110, ge=0)

    def as_units(self) -> dict[str, int]:
        """cpu in millicores, memory in bytes, everything else as integer counts."""
        out = {"cpu": milli_value(self.cpu), "memory": value(self.memory), "pods": self.pods}
        for k, v in (self.model_extra or {}).items():
            out[k] = value(quantity(v))
        return out


class NodeFailures(_Model):
    """Random failures of each node of a pool, from the node's own random stream.

    A plain duration is the mean of an exponential distribution (mean time between failures,
    mean time to repair); a distribution is used as written. A failed node stops reporting
    (``nodeDown``) and reports again after the repair (``nodeUp``).
    """

    mtbf: DurationDistribution
    mttr: DurationDistribution

    @field_validator("mtbf", "mttr", mode="before")
    @classmethod
    def _mean(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return v
        return {"exponential": {"mean": v}}


class Autoscaling(_Model):
    """Cluster autoscaler for one pool: adds nodes for pods that fit nowhere, removes idle ones."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    provisionDelay: Duration = 60.0
    scaleDownUnneeded: Duration = 600.0

    @model_validator(mode="after")
    def _range(self) -> Autoscaling:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be less than min ({self.min})")
        return self


class NodePool(_Model):
    """``count`` identical nodes named ``<name>-0``, ``<name>-1``, …"""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    count: int = Field(ge=0)
    capacity: Capacity
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    failures: NodeFailures | None = None
    autoscaling: Autoscaling | None = None

    @model_validator(mode="after")
    def _count_in_range(self) -> NodePool:
        a = self.autoscaling
        if a is not None and not a.min <= self.count <= a.max:
            raise ValueError(
                f"count ({self.count}) must be within autoscaling min..max ({a.min}..{a.max})"
            )
        return self


class PriorityClass(_Model):
    """A ``scheduling.k8s.io/v1`` PriorityClass."""

    name: str
    value: int = Field(ge=-2147483648, le=1000000000)
    preemptionPolicy: Literal["PreemptLowerPriority", "Never"] = "PreemptLowerPriority"
    globalDefault: bool = False


class Cluster(_Model):
    """The nodes, how the scheduler scores them, and the PriorityClasses."""

    nodePools: list[NodePool] = Field(min_length=1)
    scoring: Literal["LeastAllocated", "MostAllocated"] = "LeastAllocated"
    priorityClasses: list[PriorityClass] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Cluster:
        names = [p.name for p in self.nodePools]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"node pool names must be unique, repeated: {', '.join(dup)}")
        return self

    def node_names(self) -> list[str]:
        """Every node, in pool order then by number."""
        return [f"{p.name}-{i}" for p in self.nodePools for i in range(p.count)]


def _exit_codes(v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool):
        return {v: 1.0}
    return v


class Failure(_Model):
    """Random failures: with ``probability`` a run exits with a non-zero code.

    ``exitCode`` is one code or a weighted choice ``{1: 3, 137: 1}``. ``after`` is when the
    container exits: a fraction (0, 1] of the drawn duration, or a duration/distribution.
    """

    probability: float = Field(ge=0.0, le=1.0)
    exitCode: Annotated[dict[int, float], BeforeValidator(_exit_codes)] = Field(
        default_factory=lambda: {1: 1.0}
    )
    after: float | DurationDistribution = 1.0
    container: str | None = None  # which container fails (default: the first one)

    @field_validator("exitCode")
    @classmethod
    def _codes(cls, v: dict[int, float]) -> dict[int, float]:
        if not v:
            raise ValueError("at least one exit code is required")
        for code, w in v.items():
            if code == 0:
                raise ValueError("a failure's exit code must not be 0")
            if w <= 0:
                raise ValueError(f"weight of exit code {code} must be greater than 0")
        return v

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, v: Any) -> Any:
        if isinstance(v, float | int) and not isinstance(v, bool):
            if not 0 < v <= 1:
                raise ValueError(
                    "a number is a fraction of the run and must be in (0, 1]; "
                    "write a duration such as 5s for an absolute time"
                )
            return float(v)
        return v


class ScriptEntry(_Model):
    """An exact outcome for chosen runs; the first matching entry wins."""

    index: int | None = Field(default=None, ge=0)
    attempt: int | None = Field(default=None, ge=0)
    exitCode: int = 0
    after: Duration | None = None
    container: str | None = None  # who exits with exitCode: a container or init container
    containers: dict[str, int] = Field(default_factory=dict)  # other containers' exit codes


class Workload(_Model):
    """How the containers behave: what a manifest cannot say."""

    duration: DurationDistribution
    failure: Failure | None = None
    terminationDelay: Duration = 0.0
    script: list[ScriptEntry] = Field(default_factory=list)


class JobEntry(_Model):
    """One Job of the scenario: its manifest (inline or from a file) and its workload."""

    submitAt: Duration = 0.0
    manifest: dict[str, Any] | None = None
    manifestFile: str | None = None
    workload: Workload
    _job: Job | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_manifest(self) -> JobEntry:
        if (self.manifest is None) == (self.manifestFile is None):
            raise ValueError("exactly one of manifest or manifestFile is required")
        return self

    @property
    def job(self) -> Job:
        """The Job as the API server stores it: decoded, defaulted and validated."""
        if self._job is None:
            raise ValueError("this job entry was not loaded: use jobsim.load_scenario")
        return self._job

    @property
    def key(self) -> str:
        """``namespace/name`` of the Job."""
        return job_key(self.job)

    def with_job(self, job: Job) -> JobEntry:
        """A copy of this entry holding its decoded ``job``."""
        entry = self.model_copy()
        entry._job = job
        return entry


class ScaleSpec(_Model):
    """A change of parallelism (and, for Indexed Jobs, completions in tandem)."""

    job: str
    parallelism: int | None = Field(default=None, ge=0)
    completions: int | None = Field(default=None, ge=0)


class DeletePodSpec(_Model):
    """``kubectl delete pod`` of the oldest active pod of a job (or of one index)."""

    job: str
    index: int | None = Field(default=None, ge=0)


EVENT_KINDS = (
    "nodeDown",
    "nodeUp",
    "nodeRemove",
    "nodeOutOfService",
    "drain",
    "uncordon",
    "suspend",
    "resume",
    "scale",
    "deletePod",
)
NODE_EVENT_KINDS = ("nodeDown", "nodeUp", "nodeRemove", "nodeOutOfService", "drain", "uncordon")


class Event(_Model):
    """An outside event at virtual time ``at``: exactly one action key."""

    at: Duration
    nodeDown: str | None = None
    nodeUp: str | None = None
    nodeRemove: str | None = None
    nodeOutOfService: str | None = None
    drain: str | None = None
    uncordon: str | None = None
    suspend: str | None = None
    resume: str | None = None
    scale: ScaleSpec | None = None
    deletePod: DeletePodSpec | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Event:
        given = [k for k in EVENT_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "an event needs `at` and exactly one of: "
                + ", ".join(EVENT_KINDS)
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        """The action key."""
        return next(k for k in EVENT_KINDS if getattr(self, k) is not None)


class Scenario(_Model):
    """A whole scenario. ``jobs`` holds the defaulted, validated Job objects."""

    name: str = "scenario"
    seed: int = Field(default=0, ge=0)
    horizon: Duration | None = None  # stop the run here (needed with endless node failures)
    timing: Timing = Field(default_factory=Timing)
    cluster: Cluster
    jobs: list[JobEntry] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def manifests(self) -> list[Job]:
        """The decoded Jobs, in ``jobs`` order."""
        return [entry.job for entry in self.jobs]

    @property
    def warnings(self) -> list[str]:
        """Load-time warnings, as ``FILE:LINE:COL: path: message`` (a pod that fits no node:
        Kubernetes leaves it Pending)."""
        return list(self._warnings)

    def __eq__(self, other: object) -> bool:
        """Equal fields and decoded Jobs; the load warnings are not part of equality."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # lists inside: never hashable

    def with_jobs(self, jobs: list[Job], warnings: list[str]) -> Scenario:
        """A copy whose entries hold their decoded ``jobs``, with the load ``warnings``."""
        entries = [e.with_job(j) for e, j in zip(self.jobs, jobs, strict=True)]
        out = self.model_copy(update={"jobs": entries})
        out._warnings = tuple(warnings)
        return out

    def resolve_job(self, ref: str) -> str:
        """The ``namespace/name`` key of the Job an event names (by key or unique name)."""
        return resolve_job(self.manifests, ref)


def job_key(job: Job) -> str:
    """``namespace/name``."""
    return f"{job.metadata.namespace}/{job.metadata.name}"


JOB_EVENT_KINDS = ("suspend", "resume", "scale", "deletePod")
"""Outside events about a Job."""
SPEC_EVENT_KINDS = ("suspend", "resume", "scale")
"""Outside events that update a Job's spec."""


def event_job_ref(ev: Event) -> str:
    """The Job an event about a Job (suspend, resume, scale, deletePod) names."""
    target = getattr(ev, ev.kind)
    return target if isinstance(target, str) else str(target.job)


def resolve_job(jobs: Iterable[Job], ref: str) -> str:
    """The ``namespace/name`` key of the Job ``ref`` names (by key or unique name)."""
    for job in jobs:
        if job_key(job) == ref or job.metadata.name == ref:
            return job_key(job)
    raise KeyError(ref)


SYSTEM_PRIORITY_CLASSES = {
    "system-cluster-critical": 2000000000,
    "system-node-critical": 2000001000,
}
"""The built-in PriorityClasses every cluster has (``scheduling.k8s.io`` defaults)."""

__all__ = [
    "EVENT_KINDS",
    "JOB_EVENT_KINDS",
    "NODE_EVENT_KINDS",
    "SPEC_EVENT_KINDS",
    "SYSTEM_PRIORITY_CLASSES",
    "Autoscaling",
    "Capacity",
    "Cluster",
    "DeletePodSpec",
    "Event",
    "Failure",
    "JobEntry",
    "NodeFailures",
    "NodePool",
    "PriorityClass",
    "Quantity",
    "ScaleSpec",
    "Scenario",
    "ScriptEntry",
    "Taint",
    "Timing",
    "Workload",
    "event_job_ref",
    "job_key",
    "quantity",
    "resolve_job",
]
