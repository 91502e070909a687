"""``load_scenario`` and ``decode_job``: YAML (or a dict) to a validated ``Scenario``.

Every Job manifest gets the API server's defaulting and validation; every problem is collected
and raised together as a ``ScenarioError``, each located in its file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)

from jobsim.k8s.create import Names, admit_create, ignored_note
from jobsim.k8s.decoding import as_sent, is_quantity, quantity_error
from jobsim.k8s.defaults import set_defaults
from jobsim.k8s.errors import FieldError, not_supported, required
from jobsim.k8s.job import Job
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
from jobsim.scenario.changes import check_updates
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
)
from jobsim.scenario.model import (
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
) -> dict[str, Any] | list[Problem]:
    """A manifest as the API server takes it on create (``jobsim.k8s.create.admit_create``),
    or the problem of one it refuses; a note on the fields it ignores goes to ``notes``."""
    admitted = admit_create(data, names)
    if admitted.refused is not None:
        where, text = admitted.refused
        return [Problem(where, f"{where}: {text} ({RESOURCE_VERSION_HINT})", at_key=True)]
    if admitted.ignored and notes is not None:
        notes.append(Problem(admitted.ignored[0], ignored_note(admitted.ignored), at_key=True))
    return admitted.data


def _decode_job(
    data: Any, names: Names | None = None, notes: list[Problem] | None = None
) -> Job | list[Problem]:
    """``decode_job`` unplaced: ``names`` generates the names of ``generateName``; a note on
    fields the server ignores on create is appended to ``notes``."""
    if not isinstance(data, dict):
        return [Problem("", f"(top level): expected a Job manifest (a mapping), got {got(data)}")]
    problems: list[Problem] = []
    for key, want in (("apiVersion", "batch/v1"), ("kind", "Job")):
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
    admitted = admit(data, names, notes)
    if isinstance(admitted, list):
        return admitted
    data = as_sent(Job, admitted)
    try:
        job = Job.model_validate(data)
    except ValidationError as e:
        return pydantic_items(e, data, Job)
    job = set_defaults(job)
    errors: list[FieldError] = validate_job(job)
    problems = [Problem(e.field, str(e) + _hint(e)) for e in [*errors, *_quantity_errors(job)]]
    return problems or job


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
    seed = data.get("seed", 0)
    names = Names(seed if isinstance(seed, int) and not isinstance(seed, bool) else 0)
    notes: list[Problem] = []
    raw_jobs = data.get("jobs")
    for i, entry in enumerate(raw_jobs if isinstance(raw_jobs, list) else []):
        if not isinstance(entry, dict):
            continue
        raw = entry.get("manifest")
        mfile = entry.get("manifestFile")
        if isinstance(mfile, str) and raw is None:
            found = _read_manifest_file(base, mfile, f"jobs[{i}].manifestFile")
            if isinstance(found, tuple):
                bases[i] = found
            else:
                problems.extend(found)
            continue
        if not isinstance(raw, dict):
            continue  # absent, or not a mapping: the Scenario model says so
        found_notes: list[Problem] = []
        decoded = _decode_job(raw, names, found_notes)
        where = f"jobs[{i}].manifest"
        notes.extend(
            Problem(join_path(where, p.where), f"{where}: {p.text}", p.at_key) for p in found_notes
        )
        if isinstance(decoded, list):
            problems.extend(
                Problem(join_path(where, p.where), f"{where}: {p.text}", p.at_key) for p in decoded
            )
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
    for i, entry in enumerate(scenario.jobs):
        expanded, refused = _expand(i, entry, *bases[i], names)
        entries.extend(expanded)
        problems.extend(refused)
    if problems:
        raise ScenarioError(name, placed(problems, marks))
    loaded = scenario.with_entries(entries, [])
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
            if ev.kind in SPEC_EVENT_KINDS
        ]
        checks.extend(check_updates(by_key, changes))
    if checks:
        raise ScenarioError(name, placed([at_path(c) for c in checks], marks))
    warnings = [
        in_file(name, line)
        for line in placed(
            [*notes, *check_fit(loaded), *check_node_affinity(loaded), *check_endless(loaded)],
            marks,
        )
    ]
    return scenario.with_entries(entries, warnings)


def _expand(
    i: int, entry: JobEntry, raw: dict[str, Any], job: Job, names: Names
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
        generated = [job] + [_decode_job(raw, names) for _ in range(entry.replicas - 1)]
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
        decoded = _decode_job(named)
        if isinstance(decoded, list):
            return [], [
                Problem(where, f"{where}: replica {r} is Job {name}-{r}: {p.text}") for p in decoded
            ]
        out.append(entry.with_job(decoded, i, Replica(key, r, entry.replicas)))
    return out, []


def _read_manifest_file(
    base: Path, mfile: str, where: str
) -> tuple[dict[str, Any], Job] | list[Problem]:
    """A ``manifestFile``: the manifest as read and its Job, or its problems placed in that
    file."""
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
    jobs = [d for d in docs if not isinstance(d[0], dict) or d[0].get("kind", "Job") == "Job"]
    if len(docs) > 1 and len(jobs) != 1:
        names = ", ".join(
            str(d[0].get("metadata", {}).get("name", "?")) if isinstance(d[0], dict) else "?"
            for d in jobs
        )
        text = (
            f"{where}: {mfile} holds {len(jobs)} Jobs{f' ({names})' if names else ''} in "
            f"{len(docs)} documents; a manifestFile holds one Job (other kinds are ignored): "
            "give each Job its own entry, or run the file bare (jobsim run FILE)"
        )
        return [Problem(where, text)]
    raw, marks = (jobs if len(docs) > 1 else docs)[0] if docs else (None, Marks())
    found = [duplicate_key(*d) for d in marks.duplicates]
    decoded = _decode_job(raw)
    if isinstance(decoded, Job) and not found:
        assert isinstance(raw, dict)  # a Job was decoded from it
        return raw, decoded
    found += decoded if isinstance(decoded, list) else []
    return [Problem(where, f"{where}: {in_file(mfile, place(p, marks))}") for p in found]


__all__ = [
    "admit",
    "decode_job",
    "load_data",
    "load_scenario",
]
