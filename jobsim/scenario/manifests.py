"""Bare Kubernetes manifests as a scenario: ``jobsim run job.yaml`` on the docs' own files.

A file (or standard input) holding ``batch/v1`` Job manifests, one or several documents (a
``kind: List`` is read as its items), runs on a default cluster and workload:

- ``nodes`` (3) nodes named ``node-0``, ``node-1``, … of ``node_cpu`` (4) cpu and
  ``node_memory`` (16Gi) memory, 110 pods each;
- every container runs ``duration`` (10s) and exits 0; with ``fail_rate`` a run fails
  instead, with ``exit_code`` (1), at the end of its duration.

A ``batch/v1`` CronJob runs by its schedule, its Jobs on the same workload, for a day of
virtual time (``BARE_CRONJOB_HORIZON``) unless ``horizon`` says how long. Documents of
other kinds (a ConfigMap, a Service) are skipped with a one-line note (the scenario's
``warnings``). Problems of a manifest are located in its file (``FILE:LINE:COL``)
as a scenario's are. ``load_input`` tells a scenario file from a manifest file and loads either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsim.k8s.create import Names
from jobsim.k8s.job import Job
from jobsim.locate import Marks, YAMLProblem, read_text, read_yaml_documents, with_mark
from jobsim.scenario.loader import (
    _decode_cronjob,
    _decode_job,
    _release_gates,
    admit,
    load_data,
    set_release,
)
from jobsim.scenario.model import Scenario
from jobsim.scenario.problems import (
    DISTRIBUTION_TAGS,
    Problem,
    ScenarioError,
    duplicate_key,
    in_file,
    join_path,
    placed,
)
from jobsim.units import UnitError, parse_duration, parse_quantity

BARE_CRONJOB_HORIZON = "24h"
"""How long a file of bare manifests holding a CronJob runs: a day of its schedule."""

STDIN = "-"
"""The source name that means standard input."""


@dataclass(frozen=True)
class BareOptions:
    """The cluster and workload a bare manifest runs on (the defaults are documented above)."""

    nodes: int = 3
    node_cpu: str = "4"
    node_memory: str = "16Gi"
    duration: str = "10s"
    fail_rate: float = 0.0
    exit_code: int = 1
    seed: int = 0
    horizon: str | None = None  # else BARE_CRONJOB_HORIZON with a CronJob, else the default
    given: tuple[str, ...] = field(default=(), compare=False)  # the options set by the caller


OPTION_FLAGS = {
    "nodes": "--nodes",
    "node_cpu": "--node-cpu",
    "node_memory": "--node-memory",
    "duration": "--duration",
    "fail_rate": "--fail-rate",
    "exit_code": "--exit-code",
    "horizon": "--horizon",
}
"""Each bare-manifest option and its command-line flag (the names in error messages)."""

Edit = Callable[[dict[str, Any]], dict[str, Any]]
"""A change of a scenario's data before it is loaded (``jobsim compare --set``): it returns
the changed copy."""


def read_documents(source: str | Path, text: str | None = None) -> list[tuple[Any, Marks]]:
    """The documents of a file (or of ``text``, e.g. standard input), empty ones left out."""
    try:
        body = read_text(Path(source)) if text is None else text
        return read_yaml_documents(body, DISTRIBUTION_TAGS)
    except YAMLProblem as e:
        raise ScenarioError(str(source), [str(e)]) from None


def is_manifests(docs: Sequence[tuple[Any, Marks]]) -> bool:
    """Whether these documents are Kubernetes manifests (each names its ``kind`` or
    ``apiVersion`` and none has a ``cluster``), not a scenario."""
    return bool(docs) and all(
        isinstance(d, dict) and ("kind" in d or "apiVersion" in d) and "cluster" not in d
        for d, _ in docs
    )


def load_input(
    source: str | Path,
    *,
    text: str | None = None,
    options: BareOptions | None = None,
    edit: Edit | None = None,
    kubernetes_version: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
) -> Scenario:
    """A scenario file or a file of bare manifests (``text``: its content, e.g. standard
    input, named ``source``), loaded. ``options`` apply to bare manifests only: a scenario
    file with ``options.given`` is an error naming the flags. ``edit`` changes the scenario's
    data (for bare manifests, the scenario built around them) before it is validated;
    ``kubernetes_version`` and ``feature_gates`` set the cluster's release and gates over the
    file's (``loader.set_release``)."""
    name = "<stdin>" if str(source) == STDIN else str(source)
    docs = read_documents(name, text)
    options = options or BareOptions()
    if is_manifests(docs):
        stem = "stdin" if str(source) == STDIN else Path(source).stem
        return scenario_from_manifests(
            [d for d, _ in docs],
            marks=[m for _, m in docs],
            source=name,
            name=stem or "manifests",
            edit=edit,
            kubernetes_version=kubernetes_version,
            feature_gates=feature_gates,
            **_fields(options),
        )
    flags = [OPTION_FLAGS[g] for g in options.given if g in OPTION_FLAGS]
    if flags:
        text_ = (
            f"{', '.join(flags)}: apply to bare Job manifests only; this is a scenario "
            "file: set its cluster and each Job's workload in the file (--seed overrides "
            "its seed)"
        )
        raise ScenarioError(name, [text_])
    if len(docs) > 1:
        first = docs[1][1].find("")
        text_ = (
            f"a scenario is one YAML document; this file has {len(docs)} "
            "(a file of Kubernetes manifests has no cluster: each document names its kind)"
        )
        raise ScenarioError(name, [with_mark(first, text_)])
    data, marks = docs[0] if docs else (None, Marks())
    base = Path.cwd() if str(source) == STDIN else Path(source).parent
    if edit is not None and isinstance(data, dict):
        data = edit(data)
    if isinstance(data, dict):
        data = set_release(data, kubernetes_version, feature_gates)
    return load_data(data, marks, name, base)


def _fields(o: BareOptions) -> dict[str, Any]:
    return {
        "nodes": o.nodes,
        "node_cpu": o.node_cpu,
        "node_memory": o.node_memory,
        "duration": o.duration,
        "fail_rate": o.fail_rate,
        "exit_code": o.exit_code,
        "seed": o.seed,
        "horizon": o.horizon,
    }


def _describe(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    kind = doc.get("kind", "a document with no kind")
    return f"{kind} {name}" if name else str(kind)


def scenario_from_manifests(
    docs: Sequence[Any],
    *,
    marks: Sequence[Marks | None] | None = None,
    source: str = "<manifests>",
    nodes: int = 3,
    node_cpu: str = "4",
    node_memory: str = "16Gi",
    duration: str = "10s",
    fail_rate: float = 0.0,
    exit_code: int = 1,
    seed: int = 0,
    horizon: str | None = None,
    name: str = "manifests",
    edit: Edit | None = None,
    kubernetes_version: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
) -> Scenario:
    """A scenario running each Job of ``docs`` (manifests as read; ``marks``: their places
    in ``source``) on the default cluster and workload, or those the options set; ``edit``
    changes the scenario's data before it is validated.

    Raises ``ScenarioError`` for a bad option (named by its flag), a bad manifest (located),
    or a file with nothing runnable.
    """
    _check_options(
        source, nodes, node_cpu, node_memory, duration, fail_rate, exit_code, seed, horizon
    )
    all_marks = list(marks) if marks is not None else [None] * len(docs)
    found: list[tuple[dict[str, Any], Marks | None, str]] = []  # manifest, marks, its path
    notes: list[str] = []
    problems: list[str] = []
    for doc, m in zip(docs, all_marks, strict=True):
        items: list[tuple[Any, str]] = [(doc, "")]
        if isinstance(doc, dict) and doc.get("kind") == "List":
            raw_items = doc.get("items")
            if not isinstance(raw_items, list):
                text = "items: a List holds its manifests under items (a sequence)"
                problems.extend(placed([Problem("items", text)], m))
                continue
            items = [(item, f"items[{k}]") for k, item in enumerate(raw_items)]
        for item, path in items:
            where = m.find(path) if m is not None else None
            if not isinstance(item, dict):
                text = f"{path or '(top level)'}: expected a manifest (a mapping)"
                problems.append(with_mark(where, text))
                continue
            kind = item.get("kind")
            if (
                isinstance(kind, str)
                and kind not in ("Job", "CronJob")
                and kind.lower() in ("job", "cronjob")
            ):
                right = "Job" if kind.lower() == "job" else "CronJob"
                at = f"{path}.kind" if path else "kind"
                problems.append(
                    with_mark(
                        m.find(at) if m is not None else where,
                        f"{at}: {kind!r} is not a kind; kinds are case-sensitive: did you mean "
                        f"{right!r}?",
                    )
                )
            elif kind not in ("Job", "CronJob"):
                notes.append(
                    with_mark(
                        where, f"skipped {_describe(item)}: jobsim runs only Jobs and CronJobs"
                    )
                )
            else:
                found.append((item, m, path))
    names = Names(seed)
    gates = _release_gates(set_release({}, kubernetes_version, feature_gates))
    admitted: list[dict[str, Any]] = []  # as the API server takes them: the scenario's Jobs
    for item, m, path in found:
        found_notes: list[Problem] = []
        taken = admit(item, names, found_notes) if isinstance(item.get("metadata"), dict) else item
        decoded: Any
        if taken.get("kind") == "CronJob":
            decoded = _decode_cronjob(taken, gates=gates)
        else:
            decoded = _decode_job(taken, gates=gates)
        notes.extend(
            placed(
                [
                    Problem(join_path(path, p.where), f"{path}: {p.text}", True) if path else p
                    for p in found_notes
                ],
                m,
            )
        )
        admitted.append(taken)
        if isinstance(decoded, Job | tuple):
            dups = [] if m is None else [duplicate_key(*d) for d in m.duplicates]
            problems.extend(placed([d for d in dups if d.where.startswith(path)], m))
            continue
        problems.extend(
            placed(
                [
                    Problem(join_path(path, p.where), f"{path}: {p.text}", p.at_key) if path else p
                    for p in decoded
                ],
                m,
            )
        )
    if problems:
        raise ScenarioError(source, problems)
    if not found:
        what = "; ".join(notes) if notes else "no documents"
        raise ScenarioError(source, [f"no Job to run ({what})"])
    failure = (
        {"failure": {"probability": fail_rate, "exitCode": exit_code}} if fail_rate > 0 else {}
    )
    data = {
        "name": name,
        "seed": seed,
        "cluster": {
            "nodePools": [
                {
                    "name": "node",
                    "count": nodes,
                    "capacity": {"cpu": node_cpu, "memory": node_memory},
                }
            ]
        },
        "jobs": [
            {"manifest": item, "workload": {"duration": duration, **failure}} for item in admitted
        ],
    }
    if horizon is not None:
        data["horizon"] = horizon
    elif any(item.get("kind") == "CronJob" for item, _, _ in found):
        data["horizon"] = BARE_CRONJOB_HORIZON
        notes.append(
            f"CronJobs run for {BARE_CRONJOB_HORIZON} of virtual time here (--horizon sets "
            "another; a scenario sets its own horizon)"
        )
    combined = _combine([(f"jobs[{i}].manifest", m, p) for i, (_, m, p) in enumerate(found)])
    if edit is not None:
        data = edit(data)
    data = set_release(data, kubernetes_version, feature_gates)
    scenario = load_data(data, combined, source, Path.cwd())
    warnings = [in_file(source, n) for n in notes]
    return scenario.with_entries(scenario.jobs, [*warnings, *scenario.warnings], bare=True)


def _combine(parts: list[tuple[str, Marks | None, str]]) -> Marks:
    """One index for the built scenario: each manifest's places under ``jobs[i].manifest``."""
    out = Marks()
    for prefix, m, path in parts:
        if m is None:
            continue
        for src, dst in ((m.keys, out.keys), (m.values, out.values)):
            for p, mark in src.items():
                if path and not (p == path or p.startswith((path + ".", path + "["))):
                    continue
                rest = p[len(path) :].lstrip(".")
                dst[join_path(prefix, rest)] = mark
    return out


def _check_options(
    source: str,
    nodes: int,
    node_cpu: str,
    node_memory: str,
    duration: str,
    fail_rate: float,
    exit_code: int,
    seed: int,
    horizon: str | None = None,
) -> None:
    problems: list[str] = []
    if nodes < 1:
        problems.append(f"--nodes: must be at least 1, got {nodes}")
    for flag, q in (("--node-cpu", node_cpu), ("--node-memory", node_memory)):
        try:
            if parse_quantity(q) <= 0:
                problems.append(f"{flag}: must be greater than 0, got {q}")
        except UnitError as e:
            problems.append(f"{flag}: {e}")
    try:
        if parse_duration(duration) < 0:
            problems.append(f"--duration: must not be negative, got {duration}")
    except UnitError as e:
        problems.append(f"--duration: {e}")
    if not 0 <= fail_rate <= 1:
        problems.append(f"--fail-rate: a probability, from 0 to 1, got {fail_rate:g}")
    if not 1 <= exit_code <= 255:
        problems.append(f"--exit-code: a failing run's exit code, from 1 to 255, got {exit_code}")
    if seed < 0:
        problems.append(f"--seed: must be at least 0, got {seed}")
    if horizon is not None:
        try:
            if parse_duration(horizon) <= 0:
                problems.append(f"--horizon: must be greater than 0, got {horizon}")
        except UnitError as e:
            problems.append(f"--horizon: {e}")
    if problems:
        raise ScenarioError(source, problems)


__all__ = [
    "BARE_CRONJOB_HORIZON",
    "OPTION_FLAGS",
    "STDIN",
    "BareOptions",
    "Edit",
    "is_manifests",
    "load_input",
    "read_documents",
    "scenario_from_manifests",
]
