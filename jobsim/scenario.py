"""The Scenario: cluster, timing, jobs (manifest + workload), outside events, seed.

A frozen pydantic model and the only place where scenario defaults live. ``load_scenario``
reads a YAML file (or a dict), applies the API server's defaulting and validation to every Job
manifest, and raises ``ScenarioError`` listing every problem with its location.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from jobsim.api.defaults import set_defaults
from jobsim.api.errors import FieldError
from jobsim.api.job import Job
from jobsim.api.validation import validate_job
from jobsim.distributions import Duration, DurationDistribution
from jobsim.units import UnitError, milli_value, parse_quantity, value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _quantity(v: Any) -> Fraction:
    if isinstance(v, bool):
        raise ValueError("expected a quantity such as 4, 500m or 16Gi")
    try:
        q = parse_quantity(v)
    except (UnitError, TypeError) as e:
        raise ValueError(str(e)) from None
    if q < 0:
        raise ValueError(f"must not be negative, got {v!r}")
    return q


Quantity = Annotated[Fraction, BeforeValidator(_quantity)]


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
            out[k] = value(_quantity(v))
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

    @model_validator(mode="after")
    def _one_manifest(self) -> JobEntry:
        if (self.manifest is None) == (self.manifestFile is None):
            raise ValueError("exactly one of manifest or manifestFile is required")
        return self


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
    manifests: list[Job] = Field(default_factory=list, exclude=True)


class ScenarioError(Exception):
    """Every problem found in a scenario, each as ``FILE: path: message``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "constrained-", "json-or-python")):
            continue
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def pydantic_problems(err: ValidationError, prefix: str = "") -> list[str]:
    """pydantic errors as ``path: message`` lines, in words a person understands."""
    out: list[str] = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if p not in Distribution_tags)
        path = _loc(loc)
        if prefix:
            path = prefix + ("" if path.startswith("[") else ".") + path
        typ = e["type"]
        if typ == "extra_forbidden":
            msg = f"unknown field {str(loc[-1])!r}"
        elif typ == "missing":
            msg = "required field is missing"
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
        out.append(f"{path}: {msg}")
    return out


Distribution_tags = frozenset(
    {"constant", "uniform", "exponential", "lognormal", "shiftedExponential"}
)


def decode_job(data: Any) -> Job | list[str]:
    """Decode, default and validate one Job manifest; problems as ``path: message`` lines."""
    if not isinstance(data, dict):
        return ["(top level): expected a Job manifest (a mapping)"]
    problems: list[str] = []
    if data.get("apiVersion") != "batch/v1":
        problems.append(
            f'apiVersion: Unsupported value: {data.get("apiVersion")!r}: expected "batch/v1"'
        )
    if data.get("kind") != "Job":
        problems.append(f'kind: Unsupported value: {data.get("kind")!r}: expected "Job"')
    if problems:
        return problems
    try:
        job = Job.model_validate(data)
    except ValidationError as e:
        return pydantic_problems(e)
    job = set_defaults(job)
    errors: list[FieldError] = validate_job(job)
    if errors:
        return [str(e) for e in errors]
    return job


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(str(path), [f"cannot read file: {e.strerror}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ScenarioError(str(path), [f"malformed YAML: {e}"]) from None


def load_scenario(source: str | Path | dict[str, Any], *, base_dir: Path | None = None) -> Scenario:
    """Load and validate a scenario from a YAML file path or a dict."""
    if isinstance(source, dict):
        data: Any = source
        name = "<scenario>"
        base = base_dir or Path.cwd()
    else:
        path = Path(source)
        data = _read(path)
        name = str(path)
        base = base_dir or path.parent
    if not isinstance(data, dict):
        raise ScenarioError(name, ["(top level): expected a mapping with cluster and jobs"])
    problems: list[str] = []
    manifests: list[Job] = []
    raw_jobs = data.get("jobs")
    for i, entry in enumerate(raw_jobs if isinstance(raw_jobs, list) else []):
        if not isinstance(entry, dict):
            continue
        where = f"jobs[{i}].manifest"
        raw = entry.get("manifest")
        mfile = entry.get("manifestFile")
        if isinstance(mfile, str) and raw is None:
            where = f"jobs[{i}].manifestFile ({mfile})"
            mpath = base / mfile
            if not mpath.is_file():
                problems.append(f"jobs[{i}].manifestFile: file not found: {mpath}")
                continue
            raw = _read(mpath)
        elif raw is None:
            continue
        decoded = decode_job(raw)
        if isinstance(decoded, list):
            problems.extend(f"{where}: {p}" for p in decoded)
        else:
            manifests.append(decoded)
    try:
        scenario = Scenario.model_validate({k: v for k, v in data.items() if k != "manifests"})
    except ValidationError as e:
        raise ScenarioError(name, pydantic_problems(e) + problems) from None
    if problems:
        raise ScenarioError(name, problems)
    problems.extend(_check_references(scenario, manifests))
    problems.extend(_check_priority_classes(scenario, manifests))
    if not problems:
        from jobsim.spec_changes import check_updates

        by_key = {job_key(m): m for m in manifests}
        changes = [
            (
                i,
                ev,
                resolve_job_in(
                    manifests,
                    getattr(ev, ev.kind)
                    if isinstance(getattr(ev, ev.kind), str)
                    else getattr(ev, ev.kind).job,
                ),
            )
            for i, ev in enumerate(scenario.events)
            if ev.kind in ("suspend", "resume", "scale")
        ]
        problems.extend(check_updates(by_key, changes))
    if problems:
        raise ScenarioError(name, problems)
    return scenario.model_copy(update={"manifests": manifests})


def job_key(job: Job) -> str:
    """``namespace/name``."""
    return f"{job.metadata.namespace}/{job.metadata.name}"


def _check_references(scenario: Scenario, manifests: list[Job]) -> list[str]:
    problems: list[str] = []
    keys: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for i, job in enumerate(manifests):
        key = job_key(job)
        if key in keys:
            problems.append(
                f"jobs[{i}].manifest.metadata.name: Duplicate value: job {key} is "
                f"also jobs[{keys[key]}]"
            )
        keys[key] = i
        names.setdefault(str(job.metadata.name), []).append(key)
    for i, (entry, job) in enumerate(zip(scenario.jobs, manifests, strict=False)):
        spec = job.spec.template.spec
        known = {c.name for c in spec.containers} | {c.name for c in spec.initContainers or []}
        regular = {c.name for c in spec.containers}
        wl = entry.workload
        if wl.failure is not None and wl.failure.container not in (None, *known):
            problems.append(
                f"jobs[{i}].workload.failure.container: no container named "
                f"{wl.failure.container!r} in the pod template"
            )
        for k, s in enumerate(wl.script):
            if s.container is not None and s.container not in known:
                problems.append(
                    f"jobs[{i}].workload.script[{k}].container: no container or init container "
                    f"named {s.container!r} in the pod template"
                )
            for name in s.containers:
                if name not in regular:
                    problems.append(
                        f"jobs[{i}].workload.script[{k}].containers.{name}: no container named "
                        f"{name!r} in the pod template"
                    )
    nodes = set(scenario.cluster.node_names())
    for i, ev in enumerate(scenario.events):
        kind = ev.kind
        target: Any = getattr(ev, kind)
        if kind in NODE_EVENT_KINDS:
            if target not in nodes:
                problems.append(f"events[{i}].{kind}: no node named {target!r}")
            continue
        ref = target if isinstance(target, str) else target.job
        path = f"events[{i}].{kind}" + ("" if isinstance(target, str) else ".job")
        if ref not in keys and len(names.get(ref, [])) != 1:
            why = "is ambiguous" if names.get(ref) else "does not exist"
            problems.append(f"{path}: job {ref!r} {why}")
    return problems


SYSTEM_PRIORITY_CLASSES = {
    "system-cluster-critical": 2000000000,
    "system-node-critical": 2000001000,
}


def _check_priority_classes(scenario: Scenario, manifests: list[Job]) -> list[str]:
    """The Priority admission plugin rejects pods naming an unknown PriorityClass."""
    known = {pc.name for pc in scenario.cluster.priorityClasses} | set(SYSTEM_PRIORITY_CLASSES)
    problems: list[str] = []
    defaults = [pc.name for pc in scenario.cluster.priorityClasses if pc.globalDefault]
    if len(defaults) > 1:
        problems.append(
            "cluster.priorityClasses: at most one PriorityClass may be globalDefault, got "
            + ", ".join(defaults)
        )
    for i, job in enumerate(manifests):
        name = job.spec.template.spec.priorityClassName
        if name and name not in known:
            problems.append(
                f"jobs[{i}].manifest.spec.template.spec.priorityClassName: no PriorityClass with "
                f"name {name} was found (the API server would reject every pod of this Job; "
                "declare it in cluster.priorityClasses)"
            )
    return problems


def resolve_job_in(manifests: list[Job], ref: str) -> str:
    """The ``namespace/name`` key of the job an event names (by key or unique name)."""
    for job in manifests:
        if job_key(job) == ref or job.metadata.name == ref:
            return job_key(job)
    raise KeyError(ref)


def resolve_job(scenario: Scenario, ref: str) -> str:
    """The ``namespace/name`` key of the job an event names (by key or unique name)."""
    return resolve_job_in(scenario.manifests, ref)


__all__ = ["Scenario", "ScenarioError", "decode_job", "load_scenario", "resolve_job"]
