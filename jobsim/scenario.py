"""The Scenario: cluster, timing, jobs (manifest + workload), outside events, seed.

A frozen pydantic model and the only place where scenario defaults live. ``load_scenario``
reads a YAML file (or a dict), applies the API server's defaulting and validation to every Job
manifest, and raises ``ScenarioError`` listing every problem with its location.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

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
from jobsim.api.errors import FieldError, invalid, not_supported, required
from jobsim.api.job import Job
from jobsim.api.validation import validate_job
from jobsim.distributions import Duration, DurationDistribution, non_negative
from jobsim.locate import Mark, Marks, YAMLProblem, did_you_mean, read_yaml_file, with_mark
from jobsim.units import (
    UnitError,
    format_bytes,
    format_quantity_millis,
    milli_value,
    parse_quantity,
    value,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_quantity = non_negative(parse_quantity, "a quantity such as 4, 500m or 16Gi")


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

    @property
    def warnings(self) -> list[str]:
        """Load-time warnings, as ``FILE:LINE:COL: path: message`` (a pod that fits no node:
        Kubernetes leaves it Pending). Not a field: outside equality and serialization."""
        return list(self.__dict__.get("_load_warnings", ()))


class ScenarioError(Exception):
    """Every problem found in a scenario.

    ``problems`` holds ``LINE:COL: path: message`` where the place in the file is known, else
    ``path: message`` (a dict has no lines). ``lines`` and ``str()`` put the file first:
    ``FILE:LINE:COL: path: message`` or ``FILE: path: message``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        """Each problem with its file: what a person reads."""
        return [_in_file(self.source, p) for p in self.problems]


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


def pydantic_problems(
    err: ValidationError, prefix: str = "", *, data: Any = None, model: type[BaseModel] = Scenario
) -> list[str]:
    """pydantic errors as ``path: message`` lines, in words a person understands.

    ``data`` (the validated input) tells the input's keys from pydantic's union-branch tags;
    ``model`` (the validated model) gives the field names behind "did you mean".
    """
    out: list[str] = []
    for p in _pydantic_items(err, data, model):
        path = p.text.split(": ", 1)[0]
        if prefix:
            joined = prefix + ("" if path.startswith("[") else ".") + path
            out.append(joined + p.text[len(path) :])
        else:
            out.append(p.text)
    return out


Distribution_tags = frozenset(
    {"constant", "uniform", "exponential", "lognormal", "shiftedExponential"}
)


def decode_job(data: Any, *, marks: Marks | None = None) -> Job | list[str]:
    """Decode, default and validate one Job manifest; problems as ``path: message`` lines.

    With the ``marks`` of the file it was read from (``jobsim.locate.read_yaml_file``), each
    problem starts with its ``LINE:COL: ``.
    """
    decoded = _decode_job(data)
    if isinstance(decoded, Job):
        return decoded
    return [_place(p, marks) for p in decoded]


def _decode_job(data: Any) -> Job | list[_Problem]:
    if not isinstance(data, dict):
        return [_Problem("", f"(top level): expected a Job manifest (a mapping), got {_got(data)}")]
    problems: list[_Problem] = []
    for key, want in (("apiVersion", "batch/v1"), ("kind", "Job")):
        if key not in data:
            problems.append(_Problem("", str(required(key, f'expected "{want}"'))))
        elif data[key] != want:
            problems.append(_Problem(key, str(not_supported(key, _jsonable(data[key]), [want]))))
    if problems:
        return problems
    try:
        job = Job.model_validate(data)
    except ValidationError as e:
        return _pydantic_items(e, data, Job)
    job = set_defaults(job)
    errors: list[FieldError] = validate_job(job)
    problems = [_Problem(e.field, str(e)) for e in [*errors, *_quantity_errors(job)]]
    return problems or job


def _jsonable(v: Any) -> Any:
    """``v`` if JSON can render it (as error messages do), else its text (a date, bytes)."""
    try:
        json.dumps(v)
    except (TypeError, ValueError, RecursionError):
        return str(v)
    return v


_QUANTITY_PATTERN = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")


def _quantity_errors(job: Job) -> list[FieldError]:
    """Container requests and limits: quantities, not negative (core ``ValidatePodSpec``)."""
    spec = job.spec.template.spec
    errors: list[FieldError] = []
    for kind, containers in (
        ("containers", spec.containers),
        ("initContainers", spec.initContainers),
    ):
        for i, c in enumerate(containers or []):
            for part in ("requests", "limits"):
                values = getattr(c.resources, part, None) or {}
                for name, v in values.items():
                    field = f"spec.template.spec.{kind}[{i}].resources.{part}[{name}]"
                    try:
                        q = parse_quantity(v)
                    except UnitError as e:
                        text = v if isinstance(v, str) else repr(v)
                        detail = (
                            str(e)
                            if _QUANTITY_PATTERN.match(text)
                            else "quantities must match the regular expression "
                            f"'{_QUANTITY_PATTERN.pattern}'"
                        )
                        errors.append(invalid(field, text, detail))
                        continue
                    if q < 0:
                        errors.append(invalid(field, str(v), "must be greater than or equal to 0"))
    return errors


def _read(path: Path) -> tuple[Any, Marks]:
    """A YAML file's data and the place of each of its keys and values."""
    try:
        return read_yaml_file(path, Distribution_tags)
    except YAMLProblem as e:
        raise ScenarioError(str(path), [str(e)]) from None


def load_scenario(source: str | Path | dict[str, Any], *, base_dir: Path | None = None) -> Scenario:
    """Load and validate a scenario from a YAML file path or a dict.

    Problems raise ``ScenarioError``; warnings (a pod that fits no node) are kept on the
    returned scenario's ``warnings``.
    """
    marks: Marks | None = None
    if isinstance(source, dict):
        data: Any = source
        name = "<scenario>"
        base = base_dir or Path.cwd()
    else:
        path = Path(source)
        data, marks = _read(path)
        name = str(path)
        base = base_dir or path.parent

    if not isinstance(data, dict):
        got = "an empty document" if data is None else _got(data)
        text = f"(top level): expected a mapping with cluster and jobs, got {got}"
        raise ScenarioError(name, _placed([_Problem("", text)], marks))
    if "cluster" not in data and data.get("kind") == "Job":
        text = (
            "(top level): this is a Job manifest, not a scenario: a scenario has a cluster "
            "and lists each Job under jobs[].manifest (or jobs[].manifestFile) with its workload"
        )
        raise ScenarioError(name, _placed([_Problem("", text)], marks))
    problems = [_duplicate_key(*d) for d in (marks.duplicates if marks is not None else [])]
    manifests: list[Job] = []
    raw_jobs = data.get("jobs")
    for i, entry in enumerate(raw_jobs if isinstance(raw_jobs, list) else []):
        if not isinstance(entry, dict):
            continue
        raw = entry.get("manifest")
        mfile = entry.get("manifestFile")
        if isinstance(mfile, str) and raw is None:
            found = _read_manifest_file(base, mfile, f"jobs[{i}].manifestFile")
            if isinstance(found, Job):
                manifests.append(found)
            else:
                problems.extend(found)
            continue
        if not isinstance(raw, dict):
            continue  # absent, or not a mapping: the Scenario model says so
        decoded = _decode_job(raw)
        where = f"jobs[{i}].manifest"
        if isinstance(decoded, list):
            problems.extend(
                _Problem(_join_path(where, p.where), f"{where}: {p.text}", p.at_key)
                for p in decoded
            )
        else:
            manifests.append(decoded)
    clean = {k: v for k, v in data.items() if k != "manifests"}
    try:
        scenario = Scenario.model_validate(clean)
    except ValidationError as e:
        raise ScenarioError(
            name, _placed(_pydantic_items(e, clean, Scenario) + problems, marks)
        ) from None
    if problems:
        raise ScenarioError(name, _placed(problems, marks))
    checks = _check_references(scenario, manifests)
    checks.extend(_check_priority_classes(scenario, manifests))
    if not checks:
        checks.extend(_check_event_times(scenario, manifests))
    if not checks:
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
        checks.extend(check_updates(by_key, changes))
    if checks:
        raise ScenarioError(name, _placed([_at_path(c) for c in checks], marks))
    result = scenario.model_copy(update={"manifests": manifests})
    warnings = [_in_file(name, line) for line in _placed(_check_fit(scenario, manifests), marks)]
    result.__dict__["_load_warnings"] = warnings  # not a field: outside equality and dumps
    return result


def job_key(job: Job) -> str:
    """``namespace/name``."""
    return f"{job.metadata.namespace}/{job.metadata.name}"


JOB_EVENT_KINDS = ("suspend", "resume", "scale", "deletePod")


def event_job_ref(ev: Event) -> str:
    """The job an event about a Job names."""
    target = getattr(ev, ev.kind)
    return target if isinstance(target, str) else str(target.job)


def _check_event_times(scenario: Scenario, manifests: list[Job]) -> list[str]:
    """An event about a Job before the Job is submitted would get NotFound from the API."""
    submit = {job_key(m): entry.submitAt for m, entry in zip(manifests, scenario.jobs, strict=True)}
    problems: list[str] = []
    for i, ev in enumerate(scenario.events):
        if ev.kind not in JOB_EVENT_KINDS:
            continue
        key = resolve_job_in(manifests, event_job_ref(ev))
        if ev.at < submit[key]:
            problems.append(
                f"events[{i}].{ev.kind}: job {key} does not exist yet at {ev.at:g}s (it is "
                f"submitted at {submit[key]:g}s), so the API server would answer NotFound; "
                "to create a Job suspended, set spec.suspend in its manifest"
            )
    return problems


def _check_references(scenario: Scenario, manifests: list[Job]) -> list[str]:
    problems: list[str] = []
    keys: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for k, pool in enumerate(scenario.cluster.nodePools):
        for rname, v in (pool.capacity.model_extra or {}).items():
            try:
                _quantity(v)
            except ValueError as e:
                problems.append(f"cluster.nodePools[{k}].capacity.{rname}: {e}")
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
    for i, ev in enumerate(scenario.events):
        kind = ev.kind
        target: Any = getattr(ev, kind)
        if kind in NODE_EVENT_KINDS:
            if not _is_node(scenario, target):
                problems.append(
                    f"events[{i}].{kind}: no node named {target!r}{_node_hint(scenario, target)}"
                )
            continue
        ref = target if isinstance(target, str) else target.job
        path = f"events[{i}].{kind}" + ("" if isinstance(target, str) else ".job")
        if ref not in keys and len(names.get(ref, [])) != 1:
            if names.get(ref):
                why = f"is ambiguous: write one of {', '.join(names[ref])}"
            else:
                close = did_you_mean(ref, [*names, *keys])
                why = "does not exist" + (
                    f" (did you mean {close!r}?)"
                    if close
                    else f"; the jobs are: {', '.join(names) or 'none'}"
                )
            problems.append(f"{path}: job {ref!r} {why}")
    return problems


def _is_node(scenario: Scenario, name: str) -> bool:
    """Whether ``name`` is one of the cluster's nodes (without listing them: a pool's count
    may be huge)."""
    for p in scenario.cluster.nodePools:
        m = re.fullmatch(rf"{re.escape(p.name)}-(0|[1-9][0-9]*)", name)
        if m and int(m[1]) < p.count:
            return True
    return False


def _node_hint(scenario: Scenario, name: str) -> str:
    """Which nodes exist, for an event naming one that does not."""
    pools = scenario.cluster.nodePools
    if any(p.name == name for p in pools):
        return f" (that is a pool; its nodes are named {name}-0, {name}-1, …)"
    ranges = [f"{p.name}-0…{p.name}-{p.count - 1}" for p in pools if p.count > 0]
    for p in pools:
        if re.fullmatch(rf"{re.escape(p.name)}-\d+", name):
            nodes = f"nodes {p.name}-0…{p.name}-{p.count - 1}" if p.count else "no nodes"
            return f"; pool {p.name} has {nodes} (count {p.count})"
    some = [f"{p.name}-{i}" for p in pools for i in range(min(p.count, 100))]
    close = did_you_mean(name, some)
    if close is not None:
        return f" (did you mean {close!r}?)"
    return f"; the nodes are {', '.join(ranges)}" if ranges else "; the cluster has no nodes"


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


# -- placing problems in the file ------------------------------------------------------------


class _Problem(NamedTuple):
    """A problem before it is placed: the key path to point at, and ``path: message``."""

    where: str
    text: str
    at_key: bool = False  # point at the key (an unknown field), not at its value
    mark: Mark | None = None  # a known place, used instead of looking ``where`` up


_LOCATED = re.compile(r"\d+:\d+: ")
_MANIFEST_PATH = re.compile(r"^(jobs\[\d+\])\.manifest(?=[.\[]|$)")


def _in_file(source: str, problem: str) -> str:
    """``FILE:LINE:COL: ...`` for a located problem, ``FILE: ...`` otherwise."""
    return f"{source}:{problem}" if _LOCATED.match(problem) else f"{source}: {problem}"


def _mark_of(p: _Problem, marks: Marks | None) -> Mark | None:
    if p.mark is not None or marks is None:
        return p.mark
    where = p.where
    m = _MANIFEST_PATH.match(where)
    if m and f"{m[1]}.manifest" not in marks.values:  # the manifest is in a manifestFile
        where = f"{m[1]}.manifestFile"
    return marks.find(where, key=p.at_key)


def _place(p: _Problem, marks: Marks | None) -> str:
    """``LINE:COL: path: message`` where the place is known."""
    return with_mark(_mark_of(p, marks), p.text)


def _placed(problems: list[_Problem], marks: Marks | None) -> list[str]:
    """Each problem once, placed, in the order of the file (unplaced ones keep their order,
    after the placed ones)."""
    unplaced = (1 << 62, 0)
    found = [(_mark_of(p, marks), p) for p in _unique(problems)]
    found.sort(key=lambda mp: mp[0] or unplaced)
    return [with_mark(m, p.text) for m, p in found]


def _unique(problems: list[_Problem]) -> list[_Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[_Problem] = []
    for p in problems:
        if (p.where, p.text) not in seen:
            seen.add((p.where, p.text))
            out.append(p)
    return out


def _at_path(text: str) -> _Problem:
    """A ``path: message`` line, placed at its path."""
    return _Problem(text.split(": ", 1)[0], text)


def _join_path(parent: str, child: str) -> str:
    if not child:
        return parent
    return parent + ("" if child.startswith("[") else ".") + child


def _read_manifest_file(base: Path, mfile: str, where: str) -> Job | list[_Problem]:
    """A ``manifestFile``: its Job, or its problems placed in that file."""
    mpath = base / mfile
    try:
        exists = mpath.is_file()
    except (OSError, ValueError):  # a name too long, a NUL character
        exists = False
    if not exists:
        return [_Problem(where, f"{where}: file not found: {mpath}")]
    try:
        raw, marks = read_yaml_file(mpath)
    except YAMLProblem as e:
        return [_Problem(where, f"{where}: {_in_file(mfile, str(e))}")]
    found = [_duplicate_key(*d) for d in marks.duplicates]
    decoded = _decode_job(raw)
    if isinstance(decoded, Job) and not found:
        return decoded
    found += decoded if isinstance(decoded, list) else []
    return [_Problem(where, f"{where}: {_in_file(mfile, _place(p, marks))}") for p in found]


def _duplicate_key(path: str, first: Mark, again: Mark) -> _Problem:
    return _Problem(
        path,
        f"{path}: duplicate key (first at line {first[0]}, column {first[1]}); "
        "YAML would keep only the last value",
        mark=again,
    )


# -- pydantic errors in words ----------------------------------------------------------------

_MISSING: Any = object()
_TYPE_TAGS = frozenset({"bool", "date", "datetime", "dict", "float", "int", "list", "none", "str"})
_TAG_PREFIXES = ("function-", "constrained-", "json-or-python", "lax-", "strict-", "nullable")


def _child(here: Any, part: str | int) -> Any:
    """The input value under ``part``; a distribution's parameters are named directly."""
    if isinstance(here, dict):
        if part in here:
            return here[part]
        if len(here) == 1:
            ((kind, params),) = here.items()
            if kind in Distribution_tags and isinstance(params, dict) and part in params:
                return params[part]
        return _MISSING
    if isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
        return here[part]
    return _MISSING


def _is_tag(part: str | int, here: Any) -> bool:
    """A part of a pydantic ``loc`` that names a union branch, not a key of the input."""
    if not isinstance(part, str) or (isinstance(here, dict) and part in here):
        return False
    return (
        part in _TYPE_TAGS
        or part in Distribution_tags
        or "[" in part
        or "(" in part
        or part.startswith(_TAG_PREFIXES)
    )


def _walk_loc(loc: tuple[str | int, ...], data: Any) -> tuple[list[str | int], int | None]:
    """The loc's keys and indexes, and the position of its first union-branch tag."""
    parts: list[str | int] = []
    first_tag: int | None = None
    here = data
    for i, part in enumerate(loc):
        if _is_tag(part, here):
            if first_tag is None:
                first_tag = i
            continue
        parts.append(part)
        here = _child(here, part)
    return parts, first_tag


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _got(v: Any) -> str:
    """A bad input value, briefly."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, int | float):
        text = repr(v)
        return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
    if isinstance(v, str):
        return repr(v) if len(v) <= 60 else repr(v[:57] + "...")
    return f"{type(v).__name__} {str(v)[:60]}"


_EXPECTED = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "list_type": "expected a list",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "greater than or equal to"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "less than or equal to"),
    "less_than": ("lt", "less than"),
}
_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


def _union_branches(
    found: list[tuple[Any, list[str | int], int | None]],
) -> dict[tuple[str | int, ...], str | int]:
    """For each union that failed, the branch to report: the one that got deepest into the
    input, and on a tie one with our own message (a value error) over a type mismatch."""
    best: dict[tuple[str | int, ...], tuple[str | int, tuple[int, bool]]] = {}
    for e, _, tag in found:
        if tag is None:
            continue
        loc = tuple(e["loc"])
        rank = (len(loc) - tag, e["type"] == "value_error")
        if loc[:tag] not in best or rank > best[loc[:tag]][1]:
            best[loc[:tag]] = (loc[tag], rank)
    return {k: v[0] for k, v in best.items()}


def _pydantic_items(err: ValidationError, data: Any, model: type[BaseModel]) -> list[_Problem]:
    found = [(e, *_walk_loc(tuple(e["loc"]), data)) for e in err.errors()]
    branches = _union_branches(found)
    out: list[_Problem] = []
    for e, parts, tag in found:
        if tag is not None and branches[tuple(e["loc"])[:tag]] != e["loc"][tag]:
            continue
        path = _path(parts)
        message, at_key = _message(e, parts, data, model)
        out.append(_Problem(path, f"{path or '(top level)'}: {message}", at_key))
    return _unique(out)


def _message(e: Any, parts: list[str | int], data: Any, model: type[BaseModel]) -> tuple[str, bool]:
    """What is wrong and what is expected; and whether to point at the key."""
    typ: str = e["type"]
    ctx: dict[str, Any] = e.get("ctx") or {}
    got = _got(e.get("input"))
    name = parts[-1] if parts else None
    if typ == "extra_forbidden":
        word = str(name)
        names = _field_names(model, parts[:-1], data)
        message = f"unknown field {word!r}"
        close = did_you_mean(word, names)
        if close is not None:
            message += f" (did you mean {close!r}?)"
        elif names:
            message += "; expected one of: " + ", ".join(names)
        return message, True
    if typ == "missing":
        return "required field is missing", False
    if name == "probability" and (typ in _BOUNDS or typ in _EXPECTED):
        return f"expected a probability between 0 and 1, got {got}", False
    if typ in _EXPECTED:
        return f"{_EXPECTED[typ]}, got {got}", False
    if typ in _BOUNDS:
        key, words = _BOUNDS[typ]
        return f"must be {words} {ctx.get(key)}, got {got}", False
    if typ == "literal_error":
        return f"expected {ctx.get('expected')}, got {got}", False
    if typ == "too_short":
        n = ctx.get("min_length")
        return f"must have at least {n} item{'' if n == 1 else 's'}", False
    if typ == "string_pattern_mismatch" and ctx.get("pattern") == _DNS_LABEL:
        return (
            "must consist of lower case alphanumeric characters or '-', and must start and "
            f"end with an alphanumeric character (e.g. 'my-name', or '123-abc'), got {got}"
        ), False
    return str(e["msg"]).removeprefix("Value error, "), False


def _members(types: list[Any], here: Any) -> list[Any]:
    """The alternatives of these annotations; of several distributions, the one written."""
    out: list[Any] = []
    todo = list(types)
    while todo:
        t = todo.pop(0)
        origin = get_origin(t)
        if origin is Annotated:
            todo.insert(0, get_args(t)[0])
        elif origin is Union or origin is UnionType:
            todo[0:0] = list(get_args(t))
        elif t is not type(None):
            out.append(t)
    if isinstance(here, dict) and len(here) == 1:
        (kind,) = here
        chosen = [
            t
            for t in out
            if isinstance(t, type)
            and issubclass(t, BaseModel)
            and "kind" in t.model_fields
            and t.model_fields["kind"].default == kind
        ]
        if chosen:
            return chosen
    return out


def _field_names(model: type[BaseModel], parts: list[str | int], data: Any) -> list[str]:
    """The keys the model accepts at ``parts``."""
    types: list[Any] = [model]
    here = data
    for part in parts:
        nxt: list[Any] = []
        for t in _members(types, here):
            if isinstance(t, type) and issubclass(t, BaseModel):
                for fname, f in t.model_fields.items():
                    if part in (fname, f.alias):
                        nxt.append(f.annotation)
            elif get_origin(t) is list and isinstance(part, int):
                nxt.append(get_args(t)[0])
            elif get_origin(t) is dict:
                nxt.append(get_args(t)[1])
        types = nxt
        here = _child(here, part)
    names: list[str] = []
    for t in _members(types, here):
        if isinstance(t, type) and issubclass(t, BaseModel):
            for fname, f in t.model_fields.items():
                if f.exclude is True or (fname == "kind" and get_origin(f.annotation) is Literal):
                    continue
                names.append(f.alias or fname)
    return list(dict.fromkeys(names))


# -- warnings ------------------------------------------------------------------------------


def _check_fit(scenario: Scenario, manifests: list[Job]) -> list[_Problem]:
    """A pod whose requests no node can hold: Kubernetes leaves it Pending (a warning)."""
    from jobsim.sim.jobs import pod_requests

    caps = [
        p.capacity.as_units()
        for p in scenario.cluster.nodePools
        if p.count > 0 or (p.autoscaling is not None and p.autoscaling.max > 0)
    ]
    if not caps:
        return []
    out: list[_Problem] = []
    for i, job in enumerate(manifests):
        req = {**pod_requests(job), "pods": 1}
        if any(all(q <= cap.get(r, 0) for r, q in req.items()) for cap in caps):
            continue
        most = {r: max(cap.get(r, 0) for cap in caps) for r in req}
        over = [r for r in sorted(req) if req[r] > most[r]] or sorted(req)
        field = _request_field(job, over[0])
        wanted = ", ".join(f"{r} {_amount(r, req[r])}" for r in over)
        has = ", ".join(f"{r} {_amount(r, most[r])}" for r in over)
        out.append(
            _Problem(
                f"jobs[{i}].manifest.{field}",
                f"jobs[{i}].manifest: {field}: each pod requests {wanted}, which fits no node "
                f"(the most a node has: {has}); Kubernetes would leave the pods Pending",
            )
        )
    return out


def _request_field(job: Job, resource: str) -> str:
    """The first container request (or limit) of ``resource``, as a field path."""
    spec = job.spec.template.spec
    for kind, containers in (
        ("containers", spec.containers),
        ("initContainers", spec.initContainers),
    ):
        for i, c in enumerate(containers or []):
            for part in ("requests", "limits"):
                if resource in (getattr(c.resources, part, None) or {}):
                    return f"spec.template.spec.{kind}[{i}].resources.{part}[{resource}]"
    return "spec.template.spec"


def _amount(resource: str, units: int) -> str:
    if resource == "cpu":
        return format_quantity_millis(units)
    if resource == "memory" or resource.startswith(("ephemeral-storage", "hugepages-")):
        return format_bytes(units)
    return str(units)


__all__ = ["Scenario", "ScenarioError", "decode_job", "load_scenario", "resolve_job"]
