"""The Scenario model: cluster, timing, jobs (manifest + workload), outside events, seed.

Frozen pydantic models and the only place where scenario defaults live. Each ``JobEntry``
carries its decoded, defaulted and validated Job (``entry.job``), set by the loader. An entry
with ``replicas`` stands for that many Jobs: the loader expands it into one entry per replica,
each knowing where it comes from (``entry.source``, ``entry.replica``), and its ``arrival``
says when each replica is submitted.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from jobsim.distributions import (
    Constant,
    Distribution,
    Duration,
    DurationDistribution,
    non_negative,
)
from jobsim.k8s.cronjob import CronJob
from jobsim.k8s.features import RELEASES, FeatureGates, feature_gates
from jobsim.k8s.job import Job
from jobsim.k8s.pdb import PodDisruptionBudget
from jobsim.k8s.validation_core import MAX_INT32
from jobsim.policy.image_locality import normalized_image_name
from jobsim.units import (
    milli_value,
    parse_duration,
    parse_quantity,
    value,
)

if TYPE_CHECKING:  # the streams come from the run; loading a scenario needs no numpy
    import numpy as np


class _Model(BaseModel):
    """Unknown keys are errors, and nothing is coerced: ``true`` and ``"3"`` are not numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


quantity = non_negative(parse_quantity, "a quantity such as 4, 500m or 16Gi")


Quantity = Annotated[Fraction, BeforeValidator(quantity)]

_duration = non_negative(parse_duration, "a duration such as 10s, 1m30s or a number of seconds")


def _positive_duration(v: Any) -> float:
    seconds = _duration(v)
    if seconds == 0:
        raise ValueError(f"must be greater than 0, got {v!r}")
    return seconds


PositiveDuration = Annotated[float, BeforeValidator(_positive_duration)]
"""Seconds greater than 0, written as a Go duration or a number of seconds."""


def _constant(seconds: float) -> Distribution:
    """A distribution that is always ``seconds``."""
    return Constant(value=seconds)


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
    kubeAPIQPS: float = Field(default=20.0, ge=0, allow_inf_nan=False)
    """The Job controller's client rate (kube-controller-manager ``--kube-api-qps``); 0: none."""
    kubeAPIBurst: StrictInt = Field(default=30, ge=1, le=MAX_INT32)
    """Its token bucket's size (``--kube-api-burst``)."""
    apiRequestLatency: Duration = 0.0
    """How long one pod creation request takes once it leaves the client."""
    apiTimestampPrecision: Duration = 1.0
    """What the API keeps of a time the controllers read back (``metav1.Time``): ``1s``, whole
    seconds as on a real cluster (the default), or 0, the exact time (the ideal model)."""

    @field_validator("apiTimestampPrecision")
    @classmethod
    def _whole_seconds_or_exact(cls, v: float) -> float:
        if v not in (0.0, 1.0):
            raise ValueError(
                f"must be 0 (exact times) or 1s (metav1.Time keeps whole seconds), got {v:g}s"
            )
        return v

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

    model_config = ConfigDict(extra="allow", frozen=True, strict=True, defer_build=True)

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

    @field_validator("mtbf", "mttr")
    @classmethod
    def _not_always_zero(cls, v: Distribution, info: ValidationInfo) -> Distribution:
        if v.most == 0:
            what = (
                "a node would fail again the instant it is repaired"
                if info.field_name == "mtbf"
                else "a failed node would be repaired the instant it failed"
            )
            raise ValueError(f"every draw is 0s: {what}; give it a positive value")
        return v


MAX_POOL_NODES = 100_000
"""The most nodes one pool may have (``count``, ``autoscaling.max``): twenty times the 5,000
nodes Kubernetes supports in a cluster; 100,000 take seconds, a billion would never start."""


class Autoscaling(_Model):
    """Cluster autoscaler for one pool: adds nodes for pods that fit nowhere, removes idle ones."""

    min: int = Field(ge=0, le=MAX_POOL_NODES)
    max: int = Field(ge=0, le=MAX_POOL_NODES)
    provisionDelay: DurationDistribution = Field(default_factory=lambda: _constant(60.0))
    scaleDownUnneeded: Duration = 600.0

    @model_validator(mode="after")
    def _range(self) -> "Autoscaling":
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be less than min ({self.min})")
        return self


DEFAULT_EPHEMERAL_STORAGE = 100 * 1024**3
"""A node's ``ephemeral-storage`` when its pool's capacity names none: 100Gi, a common root
disk of a cloud node."""

RESERVABLE = ("cpu", "memory", "ephemeral-storage")
"""What a pool's ``reserved`` may hold back: the resources of kubelet's ``--system-reserved``,
``--kube-reserved`` and hard eviction thresholds."""


HOSTNAME_LABEL: Final = "kubernetes.io/hostname"
"""The node's name, set by the kubelet (a pool's ``labels`` may set it instead)."""


class NodePool(_Model):
    """``count`` identical nodes named ``<name>-0``, ``<name>-1``, …

    Each node carries the well-known labels a real node has (``node_labels``), the pool's
    ``labels`` winning, and ``allocatable`` = ``capacity`` − ``reserved`` (``allocatable``).
    ``images`` are preloaded on every node of the pool (no pull; in its ``status.images``
    from the start), each sized in ``cluster.images``.
    """

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    count: int = Field(ge=0, le=MAX_POOL_NODES)
    capacity: Capacity
    reserved: dict[str, Quantity] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[Taint] = []
    failures: NodeFailures | None = None
    autoscaling: Autoscaling | None = None
    arch: str = "amd64"
    instanceType: str | None = None
    zone: str | None = None
    region: str | None = None
    images: list[str] = []

    @model_validator(mode="after")
    def _count_in_range(self) -> "NodePool":
        a = self.autoscaling
        if a is not None and not a.min <= self.count <= a.max:
            raise ValueError(
                f"count ({self.count}) must be within autoscaling min..max ({a.min}..{a.max})"
            )
        return self

    def reserved_units(self) -> dict[str, int]:
        """``reserved`` in units (cpu in millicores)."""
        return {k: milli_value(v) if k == "cpu" else value(v) for k, v in self.reserved.items()}

    def capacity_units(self) -> dict[str, int]:
        """A node's ``status.capacity`` in units (``Capacity.as_units``), ``ephemeral-storage``
        ``DEFAULT_EPHEMERAL_STORAGE`` unless the pool names it."""
        units = self.capacity.as_units()
        units.setdefault("ephemeral-storage", DEFAULT_EPHEMERAL_STORAGE)
        return units

    def allocatable(self) -> dict[str, int]:
        """A node's ``status.allocatable`` in units: capacity minus ``reserved``, never below 0
        (``check_cluster`` refuses a reservation above capacity, as the kubelet does)."""
        units = self.capacity_units()
        for name, amount in self.reserved_units().items():
            units[name] = max(units.get(name, 0) - amount, 0)
        return units

    def node_labels(self, node: str) -> dict[str, str]:
        """The labels of node ``node``: the well-known ones the kubelet and cloud provider set
        (hostname, ``linux``, the pool's ``arch``, its ``instanceType`` or else its name, and
        its ``zone``/``region`` when given), then the pool's ``labels``, which win."""
        labels = {
            HOSTNAME_LABEL: node,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": self.arch,
            "node.kubernetes.io/instance-type": self.instanceType or self.name,
        }
        if self.zone is not None:
            labels["topology.kubernetes.io/zone"] = self.zone
        if self.region is not None:
            labels["topology.kubernetes.io/region"] = self.region
        return {**labels, **self.labels}


class PriorityClass(_Model):
    """A ``scheduling.k8s.io/v1`` PriorityClass."""

    name: str
    value: int = Field(ge=-MAX_INT32 - 1, le=MAX_INT32)  # int32; above 10^9: system classes only
    preemptionPolicy: Literal["PreemptLowerPriority", "Never"] = "PreemptLowerPriority"
    globalDefault: bool = False


class Kubelet(_Model):
    """The real kubelet's pod startup (``cluster.kubelet``, on by default; ``off``: the ideal
    kubelet, which pulls any number of images at once).

    ``serializeImagePulls`` and ``maxParallelImagePulls`` are KubeletConfiguration's fields with
    its defaults (``true``, nil): one pull at a time per node, or at most N at once when not
    serialized (nil: no limit). A pod's startup is a sandbox (``RunPodSandbox``), then its
    images pulled one after another (``SyncPod`` starts its containers in order, each after its
    image), then ``containerStart``; each step is a distribution drawn from the node's stream.
    ``imagePull`` and ``containerStart`` default to ``timing``'s values.
    """

    serializeImagePulls: bool = True
    maxParallelImagePulls: int | None = None
    podSandbox: DurationDistribution = Field(default_factory=lambda: _constant(0.0))
    imagePull: DurationDistribution | dict[str, DurationDistribution] | None = None
    containerStart: DurationDistribution | None = None

    @model_validator(mode="after")
    def _pulls(self) -> "Kubelet":
        """``ValidateKubeletConfiguration`` (``pkg/kubelet/apis/config/validation``)."""
        n = self.maxParallelImagePulls
        if n is not None and n < 1:
            raise ValueError(
                f"invalid configuration: maxParallelImagePulls {n} must be a positive number"
            )
        if self.serializeImagePulls and n is not None and n > 1:
            raise ValueError(
                "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless "
                "SerializeImagePulls (--serialize-image-pulls) is set to false"
            )
        return self

    @property
    def pull_slots(self) -> int | None:
        """How many pulls may run at once on a node (None: any number)."""
        if self.serializeImagePulls:
            return 1
        return self.maxParallelImagePulls


class NodeLifecycle(_Model):
    """kube-controller-manager's rate limits of the NoExecute tainting of NotReady nodes, per
    zone (``cluster.nodeLifecycle``, on by default; ``off``: every NotReady node tainted at
    once). The defaults
    are the flags' (``--node-eviction-rate``, ``--secondary-node-eviction-rate``,
    ``--unhealthy-zone-threshold``, ``--large-cluster-size-threshold``)."""

    nodeEvictionRate: float = Field(default=0.1, ge=0)
    secondaryNodeEvictionRate: float = Field(default=0.01, ge=0)
    unhealthyZoneThreshold: float = Field(default=0.55, ge=0, le=1)
    largeClusterSizeThreshold: int = Field(default=50, ge=0)


class ClusterAutoscaler(_Model):
    """cluster-autoscaler's loop (``cluster.autoscaler``, on by default, for the pools with
    ``autoscaling``; ``off``: decisions at the instant a pod is unschedulable). Defaults are its
    flags': ``--scan-interval`` 10s,
    ``--scale-down-utilization-threshold`` 0.5, ``--max-node-provision-time`` 15m; a pool's
    ``autoscaling.scaleDownUnneeded`` is ``--scale-down-unneeded-time`` (10m)."""

    scanInterval: PositiveDuration = 10.0
    scaleDownUtilizationThreshold: float = Field(default=0.5, ge=0, le=1)
    maxNodeProvisionTime: PositiveDuration = 900.0


class KubeScheduler(_Model):
    """kube-scheduler's queue and throughput (``cluster.scheduler``; absent: the ideal
    scheduler, which places a pod the instant it is due and retries pending pods the instant
    capacity frees). The defaults are ``KubeSchedulerConfiguration``'s
    (``pkg/scheduler/apis/config/v1/defaults.go``) and the scheduling queue's
    (``pkg/scheduler/backend/queue``), except ``schedulingCycle``, calibrated on published
    throughput (docs/mechanisms.md)."""

    schedulingCycle: Duration = 0.01
    """One pod's scheduling and binding (``scheduleOne``), one pod at a time; 0: free."""
    clientQPS: float = Field(default=50.0, ge=0, allow_inf_nan=False)
    """The scheduler's client rate (``clientConnection.qps``), charged per binding; 0: none."""
    clientBurst: StrictInt = Field(default=100, ge=1, le=MAX_INT32)
    """Its token bucket's size (``clientConnection.burst``)."""
    percentageOfNodesToScore: StrictInt = Field(default=0, ge=0, le=100)
    """0: adaptive (``50 - nodes/125`` %, at least 5 %); 100: every node."""
    podInitialBackoffSeconds: StrictInt = Field(default=1, ge=0, le=MAX_INT32)
    podMaxBackoffSeconds: StrictInt = Field(default=10, ge=0, le=MAX_INT32)
    podMaxInUnschedulablePodsDuration: PositiveDuration = 300.0
    """How long a pod may wait unschedulable before the 30 s flush retries it."""

    @model_validator(mode="after")
    def _backoff(self) -> "KubeScheduler":
        """``ValidateKubeSchedulerConfiguration``: the maximum backoff is at least the
        initial one."""
        if self.podMaxBackoffSeconds < self.podInitialBackoffSeconds:
            raise ValueError(
                f"podMaxBackoffSeconds ({self.podMaxBackoffSeconds}) must be greater than or "
                f"equal to podInitialBackoffSeconds ({self.podInitialBackoffSeconds})"
            )
        return self


def _off(v: Any) -> Any:
    """A mechanism's switch: ``off`` (YAML 1.1 reads it as ``false``), ``false`` or null is the
    ideal model; ``on`` (``true``) is upstream's defaults, as ``{}``."""
    if v is False:
        return None
    if v is True:
        return {}
    return v


class Cluster(_Model):
    """The nodes, how the scheduler scores them, and the PriorityClasses; ``kubelet``,
    ``nodeLifecycle`` and ``autoscaler`` are the real control plane's mechanisms, at upstream's
    defaults unless given (``off``: the ideal model); ``scheduler`` (kube-scheduler's queue and
    throughput) is on only when given. ``images`` sizes container images (name → bytes, a
    quantity) for the scheduler's ImageLocality score; an image it does not size scores
    nothing."""

    nodePools: list[NodePool] = Field(min_length=1)
    scoring: Literal["LeastAllocated", "MostAllocated"] = "LeastAllocated"
    priorityClasses: list[PriorityClass] = []
    kubelet: Annotated[Kubelet | None, BeforeValidator(_off)] = Field(default_factory=Kubelet)
    nodeLifecycle: Annotated[NodeLifecycle | None, BeforeValidator(_off)] = Field(
        default_factory=NodeLifecycle
    )
    autoscaler: Annotated[ClusterAutoscaler | None, BeforeValidator(_off)] = Field(
        default_factory=ClusterAutoscaler
    )
    images: dict[str, Quantity] = Field(default_factory=dict)
    scheduler: Annotated[KubeScheduler | None, BeforeValidator(_off)] = None

    @model_validator(mode="after")
    def _unique(self) -> "Cluster":
        names = [p.name for p in self.nodePools]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"node pool names must be unique, repeated: {', '.join(dup)}")
        return self

    def image_sizes(self) -> dict[str, int]:
        """``images`` by normalised name (``name:latest`` for an untagged one), in bytes."""
        return {normalized_image_name(k): value(v) for k, v in self.images.items()}

    def node_names(self) -> list[str]:
        """Every node, in pool order then by number."""
        return [f"{p.name}-{i}" for p in self.nodePools for i in range(p.count)]


MAX_EXIT_CODE = 255
"""A container's exit status is one byte (``wait(2)``): 0 to 255."""
EXIT_CODE_RANGE = (
    "is out of range: a container's exit code is 0 to 255 (the status byte of wait(2))"
)

ExitCode = Annotated[StrictInt, Field(ge=0, le=MAX_EXIT_CODE)]
"""An exit code a container can really exit with."""


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
            if not 0 < code <= MAX_EXIT_CODE:
                raise ValueError(f"exit code {code} {EXIT_CODE_RANGE}")
            if not math.isfinite(w) or w <= 0:
                raise ValueError(
                    f"weight of exit code {code} must be a finite number greater than 0, got {w!r}"
                )
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
    cronRun: int | None = Field(default=None, ge=0)  # a CronJob's Jobs, counted from 0
    exitCode: ExitCode = 0
    after: Duration | None = None
    container: str | None = None  # who exits with exitCode: a container or init container
    containers: dict[str, ExitCode] = Field(default_factory=dict)  # other containers' exit codes


class Workload(_Model):
    """How the containers behave: what a manifest cannot say."""

    duration: DurationDistribution
    failure: Failure | None = None
    terminationDelay: Duration = 0.0
    script: list[ScriptEntry] = []


class UniformArrival(_Model):
    """Each replica at an independent uniform draw in ``[submitAt, submitAt + over)``."""

    over: Duration


class PoissonArrival(_Model):
    """A Poisson process from ``submitAt``: exponential gaps of mean ``mean`` between
    arrivals (replica 0 arrives one gap after ``submitAt``)."""

    mean: PositiveDuration

    @model_validator(mode="before")
    @classmethod
    def _no_rate(cls, v: Any) -> Any:
        if isinstance(v, dict) and "rate" in v and "mean" not in v:
            raise ValueError(
                "poisson takes mean, the mean time between arrivals "
                "(a rate of 2 per minute is mean: 30s)"
            )
        return v


ARRIVAL_KINDS = ("every", "uniform", "poisson", "at")


class Arrival(_Model):
    """When the replicas of an entry are submitted, counted from its ``submitAt``: exactly one
    of ``every`` (replica i at i·every), ``uniform``, ``poisson`` (random: drawn from the run's
    seed) or ``at`` (one offset per replica)."""

    every: PositiveDuration | None = None
    uniform: UniformArrival | None = None
    poisson: PoissonArrival | None = None
    at: list[Duration] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Arrival":
        given = [k for k in ARRIVAL_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "an arrival is exactly one of: "
                + ", ".join(ARRIVAL_KINDS)
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        """The key given."""
        return next(k for k in ARRIVAL_KINDS if getattr(self, k) is not None)

    @property
    def random(self) -> bool:
        """Whether the times are drawn (``uniform``, ``poisson``) rather than given."""
        return self.uniform is not None or self.poisson is not None

    def offsets(self, count: int, rng: "np.random.Generator | None" = None) -> list[float]:
        """The submission offsets from ``submitAt`` of replicas ``0 … count-1``, in replica
        order. Random kinds draw all of them from ``rng`` at once."""
        if self.every is not None:
            return [i * self.every for i in range(count)]
        if self.at is not None:
            return list(self.at[:count])
        if rng is None:
            raise ValueError(f"a {self.kind} arrival draws its times: it needs a random stream")
        if self.uniform is not None:
            return [float(x) for x in rng.uniform(0.0, self.uniform.over, size=count)]
        assert self.poisson is not None
        import numpy as np

        return [float(x) for x in np.cumsum(rng.exponential(self.poisson.mean, size=count))]

    def earliest(self, index: int) -> float:
        """The earliest offset replica ``index`` can have: its own for ``every`` and ``at``,
        0 for the random kinds."""
        if self.random:
            return 0.0
        return self.offsets(index + 1)[index]


@dataclass(frozen=True, slots=True)
class Replica:
    """A loaded entry's place in its group: the entry of the file stands for ``count`` Jobs,
    this is number ``index``. ``group`` is ``namespace/name`` of the manifest as written (the
    Jobs are ``name-0`` …): it keys the group's random arrival stream."""

    group: str
    index: int
    count: int


MAX_REPLICAS = 100_000
"""The most Jobs one entry may stand for."""


class JobEntry(_Model):
    """One Job of the scenario: its manifest (inline or from a file) and its workload.

    With ``replicas`` the entry of the file stands for that many Jobs, ``<name>-0`` …; once
    loaded, a scenario holds one entry per replica, each with its own ``job``, and its fields as
    written in the file (``submitAt``, ``manifest``, ``replicas``, ``arrival``).
    """

    submitAt: Duration = 0.0
    manifest: dict[str, Any] | None = None
    manifestFile: str | None = None
    workload: Workload
    replicas: StrictInt | None = Field(default=None, ge=1, le=MAX_REPLICAS)
    arrival: Arrival | None = None
    _job: Job | None = PrivateAttr(default=None)
    _source: int | None = PrivateAttr(default=None)
    _replica: Replica | None = PrivateAttr(default=None)
    _cronjob: CronJob | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_manifest(self) -> "JobEntry":
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

    @property
    def source(self) -> int:
        """The position of the entry in the file's ``jobs`` list (replicas share it)."""
        if self._source is None:
            raise ValueError("this job entry was not loaded: use jobsim.load_scenario")
        return self._source

    @property
    def replica(self) -> Replica | None:
        """Its group, number and group size: set when the entry has ``replicas`` or an
        ``arrival`` (a lone entry with an arrival is a group of one)."""
        return self._replica

    @property
    def earliest_submit(self) -> float:
        """The earliest time this Job can be submitted: its time for ``every`` and ``at``,
        ``submitAt`` for random arrivals (drawn at run time from the seed)."""
        if self.arrival is None or self._replica is None:
            return self.submitAt
        return self.submitAt + self.arrival.earliest(self._replica.index)

    @property
    def cronjob(self) -> CronJob | None:
        """The CronJob of an entry whose manifest is one (decoded, defaulted, validated);
        its ``job`` is then the Job its template makes, as checked at load."""
        return self._cronjob

    def with_cronjob(self, cronjob: CronJob) -> "JobEntry":
        """A copy of this loaded entry holding the ``cronjob`` its manifest is."""
        entry = self.model_copy()
        entry._cronjob = cronjob
        return entry

    def with_job(self, job: Job, source: int = 0, replica: Replica | None = None) -> "JobEntry":
        """A copy of this entry holding its decoded ``job``: entry ``source`` of the file,
        and its ``replica`` place if it has one."""
        entry = self.model_copy()
        entry._job = job
        entry._source = source
        entry._replica = replica
        entry._cronjob = self._cronjob
        return entry


class ScaleSpec(_Model):
    """A change of parallelism (and, for Indexed Jobs, completions in tandem)."""

    job: str
    parallelism: int | None = Field(default=None, ge=0, le=MAX_INT32)  # spec fields: int32
    completions: int | None = Field(default=None, ge=0, le=MAX_INT32)

    @model_validator(mode="after")
    def _changes_something(self) -> "ScaleSpec":
        if self.parallelism is None and self.completions is None:
            raise ValueError("a scale event sets parallelism, completions or both")
        return self


class DeletePodSpec(_Model):
    """``kubectl delete pod`` of the oldest active pod of a job (or of one index)."""

    job: str
    index: int | None = Field(default=None, ge=0)


class DeleteJobSpec(_Model):
    """``kubectl delete job``: the Job and, by the garbage collector, its pods
    (``propagationPolicy``: Background, kubectl's default ``--cascade=background``;
    Foreground, the pods first; Orphan, the pods are left running)."""

    job: str
    propagationPolicy: Literal["Background", "Foreground", "Orphan"] = "Background"


class PatchCronJobSpec(_Model):
    """``kubectl patch cronjob CRONJOB --type merge -p '{"spec": SPEC}'``: a JSON merge patch
    (RFC 7386) of the CronJob's spec: a key set replaces the value (maps merge key by key),
    ``null`` removes it, lists are replaced whole. Checked as the API server checks an
    update (``ValidateCronJobUpdate``); its status is kept."""

    cronJob: str
    spec: dict[str, Any]


class CreateJobSpec(_Model):
    """``kubectl create job NAME --from=cronjob/CRONJOB``: a Job made now from the CronJob's
    template, controlled by the CronJob (an ownerReference with ``controller: true``) but
    not created by it."""

    name: str
    cronJob: str


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
    "deleteJob",
    "patchCronJob",
    "createJob",
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
    deleteJob: DeleteJobSpec | None = None
    patchCronJob: PatchCronJobSpec | None = None
    createJob: CreateJobSpec | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Event":
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


DEFAULT_WALL_CLOCK = "2026-01-05T00:00:00Z"
"""The wall-clock time of virtual time 0 when a scenario names none (a Monday, midnight UTC):
CronJob schedules fire by it."""


def _wall_clock(v: Any) -> Any:
    """An RFC 3339 time (or the timestamp YAML reads from one) as seconds since the epoch."""
    import datetime as dt

    if isinstance(v, dt.datetime):
        when = v
    elif isinstance(v, str):
        try:
            when = dt.datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"expected an RFC 3339 time such as 2026-01-05T00:00:00Z, got {v!r}"
            ) from None
    else:
        raise ValueError(f"expected an RFC 3339 time such as 2026-01-05T00:00:00Z, got {v!r}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return float(when.timestamp())


WallClock = Annotated[float, BeforeValidator(_wall_clock)]
"""A wall-clock time, written in RFC 3339, held as seconds since the Unix epoch."""

DEFAULT_HORIZON = 30 * 24 * 3600.0
"""Where a run stops when the scenario sets no ``horizon`` (30 days of virtual time): a Job
that would retry for ever (``backoffLimit: 2147483647``) still ends."""


IDEAL_CONTROL_PLANE: dict[str, dict[str, Any]] = {
    "timing": {"kubeAPIQPS": 0.0, "apiTimestampPrecision": 0.0},
    "cluster": {"kubelet": None, "nodeLifecycle": None, "autoscaler": None, "scheduler": None},
}
"""What ``controlPlane: ideal`` sets where the scenario does not: every control-plane mechanism
off (docs/mechanisms.md, "The real control plane")."""


def _ideal(section: Any, off: dict[str, Any]) -> Any:
    """``section`` (a mapping, a model or absent) with ``off``'s keys where it has none."""
    if section is None:
        return dict(off)
    if isinstance(section, dict):
        return {**off, **section}
    if isinstance(section, BaseModel):
        return section.model_copy(
            update={k: v for k, v in off.items() if k not in section.model_fields_set}
        )
    return section  # not a mapping: its own validation says so


class Scenario(_Model):
    """A whole scenario. ``jobs`` holds the defaulted, validated Job objects.

    ``controlPlane`` is ``real`` (the default: each control-plane mechanism at upstream's
    defaults) or ``ideal`` (each one the scenario does not set is off: ``IDEAL_CONTROL_PLANE``).
    """

    name: str = "scenario"
    seed: int = Field(default=0, ge=0)
    horizon: PositiveDuration | None = None  # stop the run here (else DEFAULT_HORIZON)
    timing: Timing = Field(default_factory=Timing)
    cluster: Cluster
    jobs: list[JobEntry] = []
    events: list[Event] = []
    podDisruptionBudgets: list[PodDisruptionBudget] = []
    kubernetesVersion: str | None = None  # the release the cluster runs (default: the newest)
    featureGates: dict[str, bool] = Field(default_factory=dict)  # gates set on the release
    wallClock: WallClock = Field(default_factory=lambda: _wall_clock(DEFAULT_WALL_CLOCK))
    controlPlane: Literal["real", "ideal"] = "real"
    _warnings: tuple[str, ...] = PrivateAttr(default=())
    _cronjobs: tuple[JobEntry, ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _ideal_control_plane(cls, data: Any) -> Any:
        """``controlPlane: ideal``: the mechanisms the scenario does not set, off."""
        if not isinstance(data, dict) or data.get("controlPlane") != "ideal":
            return data
        out = dict(data)
        for key, off in IDEAL_CONTROL_PLANE.items():
            if key in out or key == "timing":
                out[key] = _ideal(out.get(key), off)
        return out

    @field_validator("kubernetesVersion", mode="before")
    @classmethod
    def _quoted_release(cls, v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError(f'expected a release in quotes such as "1.30", got the number {v}')
        return v

    @field_validator("kubernetesVersion")
    @classmethod
    def _known_release(cls, v: str | None) -> str | None:
        if v is not None and v not in RELEASES:
            raise ValueError(f"unknown Kubernetes release {v!r}: known are {', '.join(RELEASES)}")
        return v

    @field_validator("featureGates")
    @classmethod
    def _settable_gates(cls, v: dict[str, bool], info: ValidationInfo) -> dict[str, bool]:
        if v:  # FeatureGateError (a ValueError): unknown or locked in the release
            feature_gates(info.data.get("kubernetesVersion"), v)
        return v

    @property
    def gates(self) -> FeatureGates:
        """The Job feature gates of ``kubernetesVersion`` with ``featureGates`` set."""
        return feature_gates(self.kubernetesVersion, self.featureGates)

    _bare: bool = PrivateAttr(default=False)

    @property
    def bare(self) -> bool:
        """Built from bare Job manifests on the default cluster and workload
        (``jobsim.scenario.manifests``), not read from a scenario file."""
        return self._bare

    @property
    def stop_time(self) -> float:
        """Where a run of it stops at the latest: ``horizon``, else ``DEFAULT_HORIZON``."""
        return DEFAULT_HORIZON if self.horizon is None else self.horizon

    @property
    def cronjobs(self) -> list[JobEntry]:
        """The entries whose manifest is a CronJob (``entry.cronjob``), in file order; they
        are not among ``jobs``: their Jobs are created as the schedule fires."""
        return list(self._cronjobs)

    def with_cronjobs(self, entries: list[JobEntry]) -> "Scenario":
        """A copy holding these loaded CronJob ``entries``."""
        out = self.model_copy()
        out._cronjobs = tuple(entries)
        return out

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
        """Equal fields, decoded Jobs and CronJobs; the load warnings are not part of
        equality."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self._cronjobs == other._cronjobs
        )

    __hash__ = None  # type: ignore[assignment]  # lists inside: never hashable

    def with_jobs(self, jobs: list[Job], warnings: list[str]) -> "Scenario":
        """A copy whose entries (one Job each) hold their decoded ``jobs``, with the load
        ``warnings``."""
        entries = [e.with_job(j, i) for i, (e, j) in enumerate(zip(self.jobs, jobs, strict=True))]
        return self.with_entries(entries, warnings)

    def with_entries(
        self, entries: list[JobEntry], warnings: list[str], *, bare: bool | None = None
    ) -> "Scenario":
        """A copy holding these loaded ``entries`` (one per Job), with the load ``warnings``
        (``bare``: whether built from bare manifests; unchanged if None)."""
        out = self.model_copy(update={"jobs": entries})
        out._warnings = tuple(warnings)
        if bare is not None:
            out._bare = bare
        return out

    def resolve_job(self, ref: str) -> str:
        """The ``namespace/name`` key of the Job an event names (by key or unique name)."""
        return resolve_job(self.manifests, ref)

    def resolve_cronjob(self, ref: str) -> str | None:
        """The ``namespace/name`` key of the CronJob an event names, if it names one and no
        Job (``suspend``/``resume`` of a CronJob)."""
        if any(ref in (job_key(j), j.metadata.name) for j in self.manifests):
            return None
        for entry in self._cronjobs:
            cj = entry.cronjob
            assert cj is not None
            key = f"{cj.metadata.namespace}/{cj.metadata.name}"
            if ref in (key, cj.metadata.name):
                return key
        return None


def job_key(job: Job) -> str:
    """``namespace/name``."""
    return f"{job.metadata.namespace}/{job.metadata.name}"


JOB_EVENT_KINDS = ("suspend", "resume", "scale", "deletePod", "deleteJob")
"""Outside events about a Job."""
SPEC_EVENT_KINDS = ("suspend", "resume", "scale")
"""Outside events that update a Job's spec."""
CRONJOB_EVENT_KINDS = ("patchCronJob", "createJob")
"""Outside events about a CronJob only (``suspend`` and ``resume`` name a Job or a CronJob)."""


def event_job_ref(ev: Event) -> str:
    """The Job an event about a Job (suspend, resume, scale, deletePod, deleteJob) names, or
    the CronJob of ``patchCronJob`` and ``createJob``."""
    target = getattr(ev, ev.kind)
    if isinstance(target, str):
        return target
    if isinstance(target, PatchCronJobSpec | CreateJobSpec):
        return target.cronJob
    return str(target.job)


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
    "ARRIVAL_KINDS",
    "CRONJOB_EVENT_KINDS",
    "DEFAULT_EPHEMERAL_STORAGE",
    "DEFAULT_WALL_CLOCK",
    "EVENT_KINDS",
    "EXIT_CODE_RANGE",
    "HOSTNAME_LABEL",
    "JOB_EVENT_KINDS",
    "MAX_EXIT_CODE",
    "MAX_REPLICAS",
    "NODE_EVENT_KINDS",
    "RESERVABLE",
    "SPEC_EVENT_KINDS",
    "SYSTEM_PRIORITY_CLASSES",
    "Arrival",
    "Autoscaling",
    "Capacity",
    "Cluster",
    "ClusterAutoscaler",
    "CreateJobSpec",
    "DeleteJobSpec",
    "DeletePodSpec",
    "Event",
    "ExitCode",
    "Failure",
    "JobEntry",
    "KubeScheduler",
    "Kubelet",
    "NodeFailures",
    "NodeLifecycle",
    "NodePool",
    "PatchCronJobSpec",
    "PoissonArrival",
    "PositiveDuration",
    "PriorityClass",
    "Quantity",
    "Replica",
    "ScaleSpec",
    "Scenario",
    "ScriptEntry",
    "Taint",
    "Timing",
    "UniformArrival",
    "Workload",
    "event_job_ref",
    "job_key",
    "quantity",
    "resolve_job",
]
