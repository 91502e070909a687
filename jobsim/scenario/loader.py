"""``load_scenario`` and ``decode_job``: YAML (or a dict) to a validated ``Scenario``.

Every Job manifest gets the API server's defaulting and validation; every problem is collected
and raised together as a ``ScenarioError``, each located in its file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, overload

from pydantic import (
    ValidationError,
)

from jobsim.k8s.create import (
    RESOURCE_VERSION_SET_ON_CREATE,
    Names,
    admit_create,
    ignored_note,
    sets_version,
)
from jobsim.k8s.cronjob import (
    CronJob,
    job_manifest,
    manual_job_manifest,
    set_cronjob_defaults,
    validate_cronjob,
)
from jobsim.k8s.decoding import as_sent, is_quantity, quantity_error
from jobsim.k8s.defaults import set_defaults
from jobsim.k8s.errors import FieldError, not_supported, required
from jobsim.k8s.features import (
    DEFAULT_GATES,
    FeatureGateError,
    FeatureGates,
    drop_disabled_fields,
    feature_gates,
    gate_spec,
)
from jobsim.k8s.job import Job
from jobsim.k8s.pod_affinity import POD_REFUSED_NOTE, job_pod_errors
from jobsim.k8s.validation import validate_job
from jobsim.k8s.validation_resources import (
    CONTAINER_RESOURCE_MSG,
    STANDARD_CONTAINER_RESOURCES,
)
from jobsim.locate import (
    Marks,
    YAMLProblem,
    did_you_mean,
    read_text,
    read_yaml_documents,
    read_yaml_file,
)
from jobsim.scenario.changes import check_updates, merge_patch
from jobsim.scenario.checks import (
    check_arrivals,
    check_cluster,
    check_disruption_budgets,
    check_endless,
    check_event_times,
    check_fit,
    check_node_affinity,
    check_priority_classes,
    check_references,
    cronjob_event,
)
from jobsim.scenario.model import (
    MAX_REPLICAS,
    SPEC_EVENT_KINDS,
    JobEntry,
    Replica,
    Scenario,
    event_job_ref,
    job_key,
    resolve_job,
)
from jobsim.scenario.problems import (
    DISTRIBUTION_TAGS,
    Problem,
    ScenarioError,
    at_path,
    duplicate_key,
    got,
    in_file,
    join_path,
    place,
    placed,
    pydantic_items,
)
from jobsim.units import format_duration


def decode_job(data: Any, *, marks: Marks | None = None) -> Job | list[str]:
    """Decode, default and validate one Job manifest as the API server creates it
    (``jobsim.k8s.create``; a ``generateName`` draws from seed 0); problems as
    ``path: message`` lines.

    With the ``marks`` of the file it was read from (``jobsim.locate.read_yaml_file``), each
    problem starts with its ``LINE:COL: ``.
    """
    decoded = _decode_job(data)
    if isinstance(decoded, Job):
        return decoded
    return [place(p, marks) for p in decoded]


def admit(
    data: dict[str, Any], names: Names | None = None, notes: list[Problem] | None = None
) -> dict[str, Any]:
    """A manifest as the API server takes it on create (``jobsim.k8s.create.admit_create``);
    a note on the fields it ignores goes to ``notes``. A ``resourceVersion`` stays, for
    ``_stored`` to refuse once validation has passed."""
    admitted = admit_create(data, names)
    if admitted.ignored and notes is not None:
        notes.append(Problem(admitted.ignored[0], ignored_note(admitted.ignored), at_key=True))
    return admitted.data


def _stored(data: dict[str, Any]) -> list[Problem]:
    """The storage's refusal of a valid object (``etcd3/store.go`` ``Create``: a
    ``resourceVersion`` set), which the API server meets only after ``rest.BeforeCreate``'s
    validation passed (``registry/store.go`` ``Store.Create``): none, or its problem."""
    meta = data.get("metadata")
    if not isinstance(meta, dict) or not sets_version(meta.get("resourceVersion")):
        return []
    where = "metadata.resourceVersion"
    text = f"{where}: {RESOURCE_VERSION_SET_ON_CREATE} ({RESOURCE_VERSION_HINT})"
    return [Problem(where, text, at_key=True)]


def _admitted(
    data: dict[str, Any], kind: str, names: Names | None, notes: list[Problem] | None
) -> dict[str, Any] | list[Problem]:
    """A ``batch/v1`` ``kind`` as kubectl sends it and the API server admits it on create:
    apiVersion and kind checked, null map keys refused, then ``admit``."""
    problems: list[Problem] = []
    for key, want in (("apiVersion", "batch/v1"), ("kind", kind)):
        if key not in data:
            problems.append(Problem("", str(required(key, f'expected "{want}"'))))
        elif data[key] != want:
            problems.append(Problem(key, str(not_supported(key, _jsonable(data[key]), [want]))))
    problems += [
        Problem(
            path,
            f"{path}: a map key is null; kubectl refuses it before sending "
            "(sigs.k8s.io/yaml: unsupported map key of type <nil>)",
        )
        for path in _null_keys(data, "")
    ]
    if problems:
        return problems
    return admit(data, names, notes)


def _decode_job(
    data: Any,
    names: Names | None = None,
    notes: list[Problem] | None = None,
    gates: FeatureGates = DEFAULT_GATES,
) -> Job | list[Problem]:
    """``decode_job`` unplaced: ``names`` generates the names of ``generateName``; a note on
    fields the server ignores on create is appended to ``notes``; ``gates`` are the cluster's:
    the fields of a disabled gate are dropped before validation (``PrepareForCreate``'s
    ``dropDisabledFields`` runs before ``Validate``), so they are never checked."""
    if not isinstance(data, dict):
        return [Problem("", f"(top level): expected a Job manifest (a mapping), got {got(data)}")]
    admitted = _admitted(data, "Job", names, notes)
    if isinstance(admitted, list):
        return admitted
    data = as_sent(Job, admitted)
    try:
        job = Job.model_validate(data)
    except ValidationError as e:
        return pydantic_items(e, data, Job)
    unknown = _fields_of_later_releases(job, gates)
    if unknown:
        return unknown
    job = set_defaults(job)
    if gates is not DEFAULT_GATES:
        spec = drop_disabled_fields(job.spec, gates)
        if spec is not job.spec:
            job = job.model_copy(update={"spec": spec})
    errors: list[FieldError] = validate_job(job)
    problems = [Problem(e.field, str(e) + _hint(e)) for e in [*errors, *_quantity_errors(job)]]
    if not problems:  # validation passed: on to the storage
        problems = _stored(admitted)
    if not problems:  # what the API server would refuse in each pod the Job makes
        problems = [Problem(e.field, str(e) + POD_REFUSED_NOTE) for e in job_pod_errors(job)]
    return problems or job


TEMPLATE_JOB_NAME = "{name}-00000000"
"""The Job a CronJob's template is checked as at load (its real Jobs are named by their
scheduled minute, ``<name>-<minutes since the epoch>``: the same length)."""

STAND_IN_NAME = "cronjob"
"""The CronJob name the template's Job is checked under when the CronJob's own name is
refused: ``ValidateCronJobCreate`` checks the template without a Job name (no job-name
labels), so a bad name gives its ``metadata.name`` errors and no others."""


def _decode_cronjob(
    data: dict[str, Any],
    names: Names | None = None,
    notes: list[Problem] | None = None,
    gates: FeatureGates = DEFAULT_GATES,
) -> tuple[CronJob, Job] | list[Problem]:
    """Decode, default and validate a ``batch/v1`` CronJob as the API server creates it
    (``ValidateCronJobCreate``): the CronJob, and the Job its template makes, as checked."""
    admitted = _admitted(data, "CronJob", names, notes)
    if isinstance(admitted, list):
        return admitted
    sent = as_sent(CronJob, admitted)
    try:
        cj = CronJob.model_validate(sent)
    except ValidationError as e:
        return pydantic_items(e, sent, CronJob)
    cj = set_cronjob_defaults(cj)
    name = cj.metadata.name or ""
    spec = cj.spec.jobTemplate.spec.model_copy(update={"selector": None, "manualSelector": None})
    template = cj.model_copy(
        update={
            "spec": cj.spec.model_copy(
                update={"jobTemplate": cj.spec.jobTemplate.model_copy(update={"spec": spec})}
            )
        }
    )
    problems = [Problem(e.field, str(e)) for e in validate_cronjob(cj, [])]
    if any(p.where == "metadata.name" for p in problems):
        name = STAND_IN_NAME
    decoded = _decode_job(
        job_manifest(template, TEMPLATE_JOB_NAME.format(name=name), {}), gates=gates
    )
    where = "spec.jobTemplate."
    template_problems = (
        []
        if isinstance(decoded, Job)
        else [
            Problem(where + p.where, where + p.text, p.at_key)
            for p in decoded
            if p.where.startswith("spec")
        ]
    )
    problems.extend(template_problems)
    if not problems and isinstance(decoded, Job):  # validation passed: on to the storage
        problems = _stored(admitted)
    if problems or not isinstance(decoded, Job):
        return problems or [Problem("", "(top level): not a valid CronJob")]
    return cj, decoded


# The JobSpec fields a gate brought (``pkg/apis/batch/types.go`` of the release that added it).
_GATE_FIELDS = {"JobSuccessPolicy": "successPolicy", "JobManagedBy": "managedBy"}


def _fields_of_later_releases(job: Job, gates: FeatureGates) -> list[Problem]:
    """A field the release's API does not have yet is an unknown field to its API server's
    strict decoding (``kubectl``'s default ``--validate=strict``): successPolicy and managedBy
    came with their gates in 1.30."""
    out = []
    for gate, name in _GATE_FIELDS.items():
        if getattr(job.spec, name) is not None and gate_spec(gate, gates.release) is None:
            path = f"spec.{name}"
            text = f"{path}: unknown field {name!r} (Kubernetes {gates.release} has no such field)"
            out.append(Problem(path, text, at_key=True))
    return out


def _null_keys(data: Any, path: str) -> list[str]:
    """Where a mapping of the manifest has a ``null`` key (``{null: x}``, ``{~: x}``)."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k is None:
                out.append(path or "(top level)")
            else:
                out.extend(_null_keys(v, f"{path}.{k}" if path else str(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_null_keys(v, f"{path}[{i}]"))
    return out


RESOURCE_VERSION_HINT = (
    "this looks like a live object as kubectl get prints it: `jobsim import` makes a "
    "scenario of a cluster's dump, or remove the fields the server set"
)


def _hint(e: FieldError) -> str:
    """jobsim's "did you mean" after the API server's words, for a misspelt resource name."""
    if e.detail != CONTAINER_RESOURCE_MSG or not isinstance(e.value, str):
        return ""
    close = did_you_mean(e.value, STANDARD_CONTAINER_RESOURCES)
    return "" if close is None else f" (did you mean '{close}'?)"


def _jsonable(v: Any) -> Any:
    """``v`` if JSON can render it (as error messages do), else its text (a date, bytes)."""
    try:
        json.dumps(v)
    except (TypeError, ValueError, RecursionError):
        return str(v)
    return v


def _quantity_errors(job: Job) -> list[FieldError]:
    """Container requests and limits that are not quantities (a decode error upstream; the
    amounts themselves are checked by ``validate_job``)."""
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
                    if not is_quantity(v):
                        field = f"spec.template.spec.{kind}[{i}].resources.{part}[{name}]"
                        errors.append(quantity_error(field, v))
    return errors


def _read(path: Path) -> tuple[Any, Marks]:
    """A YAML file's data and the place of each of its keys and values."""
    try:
        return read_yaml_file(path, DISTRIBUTION_TAGS)
    except YAMLProblem as e:
        raise ScenarioError(str(path), [str(e)]) from None


def set_release(
    data: dict[str, Any],
    kubernetes_version: str | None = None,
    gates: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """The scenario data with ``kubernetesVersion`` replaced and ``gates`` set over its
    ``featureGates`` (what ``--kubernetes-version`` and ``--feature-gates`` do).
    ``FeatureGateError`` when the result is a setting the cluster refuses and the file's
    own is not (the file's own problems are the loader's to place)."""
    if kubernetes_version is None and not gates:
        return data
    out = dict(data)
    if kubernetes_version is not None:
        out["kubernetesVersion"] = kubernetes_version
    if gates:
        given = out.get("featureGates")
        out["featureGates"] = {**(given if isinstance(given, dict) else {}), **gates}
    if _release_gates(data, strict=True) is not None:
        release = out.get("kubernetesVersion")
        feature_gates(None if release is None else str(release), out.get("featureGates"))
    return out


@overload
def _release_gates(data: dict[str, Any]) -> FeatureGates: ...
@overload
def _release_gates(data: dict[str, Any], *, strict: bool) -> FeatureGates | None: ...
def _release_gates(data: dict[str, Any], *, strict: bool = False) -> FeatureGates | None:
    """The Job gates the scenario's cluster runs with (``kubernetesVersion``,
    ``featureGates``); when those are not valid (the Scenario model then says why), the
    newest release's, or None if ``strict``."""
    release, overrides = data.get("kubernetesVersion"), data.get("featureGates")
    if release is None and not overrides:
        return DEFAULT_GATES
    if release is not None and not isinstance(release, str):
        return None if strict else DEFAULT_GATES
    try:
        return feature_gates(release, overrides if isinstance(overrides, dict) else None)
    except FeatureGateError:
        return None if strict else DEFAULT_GATES


def load_scenario(
    source: str | Path | dict[str, Any],
    *,
    base_dir: Path | None = None,
    kubernetes_version: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
) -> Scenario:
    """Load and validate a scenario from a YAML file path or a dict.

    ``kubernetes_version`` replaces the scenario's ``kubernetesVersion`` and
    ``feature_gates`` are set over its ``featureGates``: the Jobs are admitted (fields of
    disabled gates dropped) and validated as that release's API server does. Problems raise
    ``ScenarioError``; warnings (a pod that fits no node) are kept on the returned
    scenario's ``warnings``.
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
    if isinstance(data, dict):
        data = set_release(data, kubernetes_version, feature_gates)
    return load_data(data, marks, name, base)


def load_data(data: Any, marks: Marks | None, name: str, base: Path) -> Scenario:
    """``load_scenario`` of data already read: ``marks`` place its problems in ``name``, and
    ``manifestFile`` paths are relative to ``base``."""
    if not isinstance(data, dict):
        what = "an empty document" if data is None else got(data)
        text = (
            "(top level): expected a Job manifest (kind: Job) or a scenario (a mapping with "
            f"cluster and jobs), got {what}"
        )
        raise ScenarioError(name, placed([Problem("", text)], marks))
    if "cluster" not in data and data.get("kind") == "Job":
        text = (
            "(top level): this is a Job manifest, not a scenario: a scenario has a cluster "
            "and lists each Job under jobs[].manifest (or jobs[].manifestFile) with its workload"
        )
        raise ScenarioError(name, placed([Problem("", text)], marks))
    problems = [duplicate_key(*d) for d in (marks.duplicates if marks is not None else [])]
    bases: dict[int, tuple[dict[str, Any], Job]] = {}  # entry -> its manifest, as read and decoded
    crons: dict[int, CronJob] = {}  # entry -> the CronJob its manifest is
    seed = data.get("seed", 0)
    names = Names(seed if isinstance(seed, int) and not isinstance(seed, bool) else 0)
    notes: list[Problem] = []
    gates = _release_gates(data)
    raw_jobs = data.get("jobs")
    for i, entry in enumerate(raw_jobs if isinstance(raw_jobs, list) else []):
        if not isinstance(entry, dict):
            continue
        raw = entry.get("manifest")
        mfile = entry.get("manifestFile")
        if isinstance(mfile, str) and raw is None:
            found = _read_manifest_file(base, mfile, f"jobs[{i}].manifestFile", gates)
            if isinstance(found, list):
                problems.extend(found)
            elif isinstance(found[1], tuple):
                crons[i], bases[i] = found[1][0], (found[0], found[1][1])
            else:
                bases[i] = (found[0], found[1])
            continue
        if not isinstance(raw, dict):
            continue  # absent, or not a mapping: the Scenario model says so
        found_notes: list[Problem] = []
        decoded: Job | tuple[CronJob, Job] | list[Problem]
        if raw.get("kind") == "CronJob":
            decoded = _decode_cronjob(raw, names, found_notes, gates)
        else:
            decoded = _decode_job(raw, names, found_notes, gates)
        where = f"jobs[{i}].manifest"
        notes.extend(
            Problem(join_path(where, p.where), f"{where}: {p.text}", p.at_key) for p in found_notes
        )
        if isinstance(decoded, list):
            problems.extend(
                Problem(join_path(where, p.where), f"{where}: {p.text}", p.at_key) for p in decoded
            )
        elif isinstance(decoded, tuple):
            crons[i], bases[i] = decoded[0], (raw, decoded[1])
        else:
            bases[i] = (raw, decoded)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(
            name, placed(pydantic_items(e, data, Scenario) + problems, marks)
        ) from None
    problems.extend(check_cluster(scenario))
    problems.extend(check_disruption_budgets(scenario))
    problems.extend(at_path(c) for c in check_arrivals(scenario))
    if problems:
        raise ScenarioError(name, placed(problems, marks))
    entries: list[JobEntry] = []
    cron_entries: list[JobEntry] = []
    for i, entry in enumerate(scenario.jobs):
        if i in crons:
            for key in ("replicas", "arrival"):
                if getattr(entry, key) is not None:
                    problems.append(
                        Problem(
                            f"jobs[{i}].{key}",
                            f"jobs[{i}].{key}: a CronJob makes its Jobs by its schedule; "
                            f"{key} applies to Jobs only",
                        )
                    )
            cron_entries.append(entry.with_job(bases[i][1], i).with_cronjob(crons[i]))
            continue
        expanded, refused = _expand(i, entry, *bases[i], names, gates)
        entries.extend(expanded)
        problems.extend(refused)
    problems.extend(_check_cron_names(cron_entries))
    problems.extend(_check_cron_counts(cron_entries, scenario))
    if problems:
        raise ScenarioError(name, placed(problems, marks))
    loaded = scenario.with_entries(entries, []).with_cronjobs(cron_entries)
    checks = check_references(loaded)
    checks.extend(check_priority_classes(loaded))
    if not checks:
        checks.extend(check_event_times(loaded))
    if not checks:
        manifests = loaded.manifests
        by_key = {job_key(m): m for m in manifests}
        changes = [
            (i, ev, resolve_job(manifests, event_job_ref(ev)))
            for i, ev in enumerate(scenario.events)
            if ev.kind in SPEC_EVENT_KINDS and cronjob_event(loaded, ev) is None
        ]
        checks.extend(check_updates(by_key, changes))
    problems = [at_path(c) for c in checks]
    if not checks:
        problems.extend(check_cronjob_events(loaded, gates))
    if problems:
        raise ScenarioError(name, placed(problems, marks))
    warnings = [
        in_file(name, line)
        for line in placed(
            [*notes, *check_fit(loaded), *check_node_affinity(loaded), *check_endless(loaded)],
            marks,
        )
    ]
    return scenario.with_entries(entries, warnings).with_cronjobs(cron_entries)


def patch_cronjob(
    cj: CronJob, spec: dict[str, Any], gates: FeatureGates = DEFAULT_GATES
) -> CronJob | list[Problem]:
    """The CronJob after a merge patch of its spec (``patchCronJob``), defaulted and checked
    as the API server updates it, or the problems, their paths in the CronJob.

    ``ValidateCronJobUpdate`` is ``validateCronJobSpec`` with the old spec, and differs from
    create only where a CronJob jobsim created cannot differ: a ``TZ`` in the schedule is
    allowed only if the old schedule had one (create refuses it), ``timeZone`` is checked
    only when it changes (the old one passed), and the 52-character name limit is skipped
    (the name does not change). So the patched object is checked as on create."""
    live = cj.model_dump(mode="json", exclude_none=True)
    merged = {**live, "spec": merge_patch(live["spec"], spec)}
    decoded = _decode_cronjob(merged, gates=gates)
    return decoded[0] if isinstance(decoded, tuple) else decoded


def manual_job(cj: CronJob, name: str, gates: FeatureGates = DEFAULT_GATES) -> Job | list[Problem]:
    """``kubectl create job NAME --from=cronjob/…`` of ``cj`` as the API server creates it
    (``manual_job_manifest``), or the problems, their paths in the Job."""
    return _decode_job(manual_job_manifest(cj, name), gates=gates)


def check_cronjob_events(scenario: Scenario, gates: FeatureGates = DEFAULT_GATES) -> list[Problem]:
    """``patchCronJob`` and ``createJob`` events, in time order, each on the CronJob as the
    earlier ones (and ``suspend``/``resume``) left it: a patch the API server would refuse,
    or a Job it would refuse (its name) or that exists already (``AlreadyExists``)."""
    current = {_cron_key(e.cronjob): e.cronjob for e in scenario.cronjobs if e.cronjob is not None}
    keys = {e.key for e in scenario.jobs}
    problems: list[Problem] = []
    order = sorted(enumerate(scenario.events), key=lambda x: (x[1].at, x[0]))
    for i, ev in order:
        entry = cronjob_event(scenario, ev)
        if entry is None or entry.cronjob is None:
            continue
        name = _cron_key(entry.cronjob)
        cj = current[name]
        at = format_duration(ev.at)
        if ev.suspend is not None or ev.resume is not None:
            spec = cj.spec.model_copy(update={"suspend": ev.suspend is not None})
            current[name] = cj.model_copy(update={"spec": spec})
        elif ev.patchCronJob is not None:
            patched = patch_cronjob(cj, ev.patchCronJob.spec, gates)
            where = f"events[{i}].patchCronJob"
            if isinstance(patched, list):
                problems.extend(
                    Problem(
                        join_path(where, p.where),
                        (
                            f"{where}.{p.text}"
                            if p.text.startswith(p.where) and p.where
                            else f"{where}: {p.text}"
                        )
                        + f" (at {at})",
                    )
                    for p in patched
                )
            else:
                current[name] = patched
                count = _fires(patched, scenario, ev.at)
                if patched.spec.schedule != cj.spec.schedule and count > MAX_CRONJOB_JOBS:
                    problems.append(
                        Problem(
                            f"{where}.spec.schedule",
                            f"{where}.spec.schedule: {_too_many(count, scenario)} (at {at})",
                        )
                    )
        elif ev.createJob is not None:
            where = f"events[{i}].createJob.name"
            job = manual_job(cj, ev.createJob.name, gates)
            if isinstance(job, list):
                problems.extend(Problem(where, f"{where}: Job {p.text} (at {at})") for p in job)
                continue
            key = job_key(job)
            if key in keys:
                problems.append(
                    Problem(
                        where,
                        f'{where}: jobs.batch "{job.metadata.name}" already exists (at {at})',
                    )
                )
            keys.add(key)
    return problems


def _cron_key(cj: CronJob) -> str:
    """``namespace/name``: two CronJobs of one name in two namespaces are two CronJobs."""
    return f"{cj.metadata.namespace or 'default'}/{cj.metadata.name}"


MAX_CRONJOB_JOBS = MAX_REPLICAS
"""The most Jobs one CronJob may be scheduled to create before the run stops (as an entry's
``replicas``): an every-second schedule over the default 30 days would never finish."""


def _check_cron_counts(crons: list[JobEntry], scenario: Scenario) -> list[Problem]:
    """A CronJob that would create more than ``MAX_CRONJOB_JOBS`` Jobs before the run
    stops: estimated from its first two schedule times after its creation."""
    problems: list[Problem] = []
    for entry in crons:
        cj = entry.cronjob
        assert cj is not None
        count = _fires(cj, scenario, entry.submitAt)
        if count > MAX_CRONJOB_JOBS:
            where, named = _manifest_path(entry, "spec.schedule")
            problems.append(Problem(where, f"{named}: {_too_many(count, scenario)}"))
    return problems


def _fires(cj: CronJob, scenario: Scenario, since: float) -> int:
    """About how many times ``cj``'s schedule fires from virtual time ``since`` until the run
    stops: from its first two times after ``since``."""
    # Imported here: scenarios without CronJobs never need them (see k8s.cronjob).
    from jobsim.k8s.cronparse import parse_standard
    from jobsim.policy.cron import Schedule

    schedule = Schedule(parse_standard(cj.spec.schedule), cj.spec.timeZone)
    stop = scenario.wallClock + scenario.stop_time
    t1 = schedule.next(scenario.wallClock + since)
    t2 = None if t1 is None else schedule.next(t1)
    if t1 is None or t2 is None or t1 > stop:
        return 0
    return 1 + int((stop - t1) // (t2 - t1))


def _too_many(count: int, scenario: Scenario) -> str:
    return (
        f"the schedule fires about {count:,} times before the run stops at "
        f"{format_duration(scenario.stop_time)}, more than {MAX_CRONJOB_JOBS:,} Jobs; "
        "set a shorter horizon"
    )


def _manifest_path(entry: JobEntry, field: str) -> tuple[str, str]:
    """Where a field of an entry's manifest is placed and how the problem names it: in the
    scenario, or (a ``manifestFile``) at the entry's ``manifestFile``, the field after it."""
    if entry.manifestFile is not None and entry.manifest is None:
        where = f"jobs[{entry.source}].manifestFile"
        return where, f"{where}: {entry.manifestFile}: {field}"
    where = f"jobs[{entry.source}].manifest.{field}"
    return where, where


def _check_cron_names(crons: list[JobEntry]) -> list[Problem]:
    """Two CronJobs of one ``namespace/name`` are one object: the second is AlreadyExists."""
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for entry in crons:
        cj = entry.cronjob
        assert cj is not None
        key = f"{cj.metadata.namespace}/{cj.metadata.name}"
        if key in seen:
            where, named = _manifest_path(entry, "metadata.name")
            problems.append(
                Problem(
                    where,
                    f"{named}: Duplicate value: cronjob {key} is also jobs[{seen[key]}]",
                )
            )
        seen.setdefault(key, entry.source)
    return problems


def _expand(
    i: int,
    entry: JobEntry,
    raw: dict[str, Any],
    job: Job,
    names: Names,
    gates: FeatureGates = DEFAULT_GATES,
) -> tuple[list[JobEntry], list[Problem]]:
    """Entry ``i`` of the file as loaded entries: itself, or one per replica, each with its
    own Job ``<name>-<r>`` (or, from a ``generateName``, its own generated name) decoded and
    validated as the API server would. A replica the API server would refuse (a name too
    long) is a problem placed at ``replicas``: the first one only, the others would say the
    same."""
    key = job_key(job)
    if entry.replicas is None:
        replica = None if entry.arrival is None else Replica(key, 0, 1)
        return [entry.with_job(job, i, replica)], []
    where = f"jobs[{i}].replicas"
    meta = raw.get("metadata")
    if isinstance(meta, dict) and not meta.get("name") and meta.get("generateName"):
        generated = [job] + [
            _decode_job(raw, names, gates=gates) for _ in range(entry.replicas - 1)
        ]
        return [
            entry.with_job(g, i, Replica(key, r, entry.replicas))
            for r, g in enumerate(generated)
            if isinstance(g, Job)  # decoded once already: the others decode alike
        ], []
    name = job.metadata.name
    if not name:
        text = (
            f"{where}: replicas are named after the manifest's metadata.name "
            "(<name>-0, <name>-1, …), and it has none"
        )
        return [], [Problem(where, text)]
    out: list[JobEntry] = []
    for r in range(entry.replicas):
        named = {**raw, "metadata": {**raw["metadata"], "name": f"{name}-{r}"}}
        decoded = _decode_job(named, gates=gates)
        if isinstance(decoded, list):
            return [], [
                Problem(where, f"{where}: replica {r} is Job {name}-{r}: {p.text}") for p in decoded
            ]
        out.append(entry.with_job(decoded, i, Replica(key, r, entry.replicas)))
    return out, []


def _read_manifest_file(
    base: Path, mfile: str, where: str, gates: FeatureGates = DEFAULT_GATES
) -> tuple[dict[str, Any], Job | tuple[CronJob, Job]] | list[Problem]:
    """A ``manifestFile``: the manifest as read and its Job (or its CronJob and the Job its
    template makes), or its problems placed in that file. A file of several documents holds
    one Job or CronJob; its other kinds are ignored."""
    mpath = base / mfile
    try:
        exists = mpath.is_file()
    except (OSError, ValueError):  # a name too long, a NUL character
        exists = False
    if not exists:
        return [Problem(where, f"{where}: file not found: {mpath}")]
    try:
        docs = read_yaml_documents(read_text(mpath))
    except YAMLProblem as e:
        return [Problem(where, f"{where}: {in_file(mfile, str(e))}")]
    jobs = [
        d
        for d in docs
        if not isinstance(d[0], dict) or d[0].get("kind", "Job") in ("Job", "CronJob")
    ]
    if len(docs) > 1 and len(jobs) != 1:
        names = ", ".join(
            str(d[0].get("metadata", {}).get("name", "?")) if isinstance(d[0], dict) else "?"
            for d in jobs
        )
        crons = sum(1 for d in jobs if isinstance(d[0], dict) and d[0].get("kind") == "CronJob")
        what = (
            f"{len(jobs)} Jobs" if not crons else f"{len(jobs) - crons} Jobs and {crons} CronJobs"
        )
        text = (
            f"{where}: {mfile} holds {what}{f' ({names})' if names else ''} in "
            f"{len(docs)} documents; a manifestFile holds one Job or CronJob (other kinds are "
            "ignored): give each its own entry, or run the file bare (jobsim run FILE)"
        )
        return [Problem(where, text)]
    raw, marks = (jobs if len(docs) > 1 else docs)[0] if docs else (None, Marks())
    found = [duplicate_key(*d) for d in marks.duplicates]
    decoded: Job | tuple[CronJob, Job] | list[Problem]
    if isinstance(raw, dict) and raw.get("kind") == "CronJob":
        decoded = _decode_cronjob(raw, gates=gates)
    else:
        decoded = _decode_job(raw, gates=gates)
    if not isinstance(decoded, list) and not found:
        assert isinstance(raw, dict)  # a Job or CronJob was decoded from it
        return raw, decoded
    found += decoded if isinstance(decoded, list) else []
    return [Problem(where, f"{where}: {in_file(mfile, place(p, marks))}") for p in found]


__all__ = [
    "admit",
    "check_cronjob_events",
    "decode_job",
    "load_data",
    "load_scenario",
    "manual_job",
    "patch_cronjob",
    "set_release",
]
