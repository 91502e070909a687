"""``import_dumps``: a scenario from ``kubectl get nodes,jobs,pods -A -o json`` dumps.

The cluster's node pools (``importer.cluster``); every Job, its manifest cleaned of what the
server set (``importer.jobs``), submitted at its ``creationTimestamp`` counted from the
earliest Job's; and a workload fitted per Job, or per value of a label (``group_by``):

- ``duration``: fitted (``importer.fit``) to the run times of the runs that exited 0 (all
  runs when none did);
- ``failure``: ``probability`` the share of runs that exited non-zero, ``exitCode`` each
  code weighted by its count (an ``OOMKilled`` container's 137 is kept as 137, the reason
  reported beside it), ``after`` fitted to the failed runs' times, ``container`` the failing
  container when it is always the same one and not the first.

A group without a finished run keeps the default workload (``10s``, no failures), with a
warning. The scenario is loaded before it is returned: a Job the API server would refuse is
left out, with its problem.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jobsim.importer.cluster import node_pools
from jobsim.importer.dump import DumpError, Item, read_dumps
from jobsim.importer.fit import METHODS, Fit, fit_durations, seconds
from jobsim.importer.jobs import Run, clean_manifest, created_at, owner_job, pod_runs
from jobsim.scenario import ScenarioError
from jobsim.scenario.loader import load_data

DEFAULT_WORKLOAD: dict[str, Any] = {"duration": "10s"}
DEFAULT_POOL: dict[str, Any] = {
    "name": "node",
    "count": 3,
    "capacity": {"cpu": "4", "memory": "16Gi"},
}


@dataclass(frozen=True)
class GroupFit:
    """What was fitted for one group of Jobs (one Job, or one value of ``--group-by``)."""

    group: str
    jobs: tuple[str, ...]
    runs: int
    failed: int
    duration: Fit | None
    after: Fit | None = None
    exit_codes: tuple[tuple[int, int, tuple[str, ...]], ...] = ()  # code, count, reasons

    def describe(self) -> list[str]:
        """The fit as lines a person reads."""
        head = f"{self.group}: {self.runs} runs ({self.runs - self.failed} exited 0, "
        head += f"{self.failed} failed) of {len(self.jobs)} Job(s)"
        if self.duration is None:
            return [head, "  no finished run: the default workload (10s, no failures)"]
        lines = [head, f"  duration: {self.duration.describe()}"]
        if self.failed:
            codes = ", ".join(
                f"{c}×{n}" + (f" ({'/'.join(r)})" if r else "") for c, n, r in self.exit_codes
            )
            lines.append(
                f"  failure: probability {self.failed}/{self.runs} = "
                f"{self.failed / self.runs:.3g}; exit codes {codes}"
            )
            if self.after is not None:
                lines.append(f"  failed runs exit after: {self.after.describe()}")
        return lines


@dataclass
class Imported:
    """An imported scenario: its data (``to_yaml``), what was fitted, and the warnings."""

    data: dict[str, Any]
    fits: list[GroupFit]
    warnings: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()
    method: str = "best by AIC"

    def report(self) -> list[str]:
        """What ``jobsim import`` prints: the pools, then each fit."""
        pools = self.data["cluster"]["nodePools"]
        lines = [
            f"{len(self.data['jobs'])} Job(s); {sum(p['count'] for p in pools)} node(s) in "
            f"{len(pools)} pool(s): " + ", ".join(f"{p['name']} ×{p['count']}" for p in pools),
            f"fits ({self.method}; KS D: the largest gap between the sample's and the fit's "
            "cumulative distributions):",
        ]
        for f in self.fits:
            lines.extend(f.describe())
        return lines

    def to_yaml(self) -> str:
        """The scenario file, with a header saying where it comes from."""
        head = [
            "# Imported by `jobsim import` from " + ", ".join(self.sources),
            f"# Workloads fitted to the dump's runs ({self.method}):",
            *(f"#   {line}" for f in self.fits for line in f.describe()),
        ]
        body = yaml.safe_dump(self.data, sort_keys=False, width=100, allow_unicode=True)
        return "\n".join(head) + "\n" + body


def _group_of(job: Item, label: str | None, warnings: list[str]) -> str:
    if label is None:
        return job.key
    for labels in (job.meta.get("labels"), _template_labels(job)):
        if isinstance(labels, dict) and label in labels:
            return f"{label}={labels[label]}"
    warnings.append(f"{job.where}: no label {label}: its workload is fitted on its own")
    return job.key


def _template_labels(job: Item) -> Any:
    spec = job.data.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    meta = template.get("metadata") if isinstance(template, dict) else None
    return meta.get("labels") if isinstance(meta, dict) else None


def _containers(manifest: dict[str, Any]) -> list[str]:
    try:
        return [str(c["name"]) for c in manifest["spec"]["template"]["spec"]["containers"]]
    except (KeyError, IndexError, TypeError):
        return []


def _cronjob(job: Item) -> str | None:
    for ref in job.meta.get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("kind") == "CronJob":
            return f"{job.namespace}/{ref.get('name')}"
    return None


def _finished(job: Item) -> bool:
    status = job.data.get("status")
    conditions = status.get("conditions") if isinstance(status, dict) else None
    return any(
        isinstance(c, dict)
        and c.get("type") in ("Complete", "Failed")
        and c.get("status") == "True"
        for c in conditions or []
    )


def _workload(
    runs: list[Run], containers: list[str], fit: str
) -> tuple[dict[str, Any], Fit | None, Fit | None]:
    if not runs:
        return dict(DEFAULT_WORKLOAD), None, None
    ok = [r.seconds for r in runs if r.exit_code == 0]
    failed = [r for r in runs if r.exit_code != 0]
    duration = fit_durations(ok or [r.seconds for r in runs], fit)
    workload: dict[str, Any] = {"duration": duration.distribution}
    after = None
    if failed:
        codes = Counter(r.exit_code for r in failed)
        after = fit_durations([r.seconds for r in failed], fit)
        failure: dict[str, Any] = {
            "probability": round(len(failed) / len(runs), 6),
            "exitCode": dict(sorted(codes.items())),
            "after": after.distribution,
        }
        names = {r.container for r in failed}
        name = names.pop() if len(names) == 1 else None
        if name is not None and name in containers[1:]:
            failure["container"] = name
        workload["failure"] = failure
    return workload, duration, after


def import_dumps(
    paths: list[str | Path],
    *,
    group_by: str | None = None,
    name: str | None = None,
    fit: str = "best",
) -> Imported:
    """The scenario of these dumps; ``fit`` is one of ``fit.METHODS`` (the best family by
    AIC, one family, or ``empirical``). Raises ``DumpError`` for a file that cannot be read,
    for dumps with no Job, or for an unknown ``fit``."""
    if fit not in METHODS:
        raise DumpError([f"--fit: unknown fit {fit!r}; expected one of: {', '.join(METHODS)}"])
    files = [Path(p) for p in paths]
    dump = read_dumps(files)
    warnings = dump.warnings
    if not dump.jobs:
        raise DumpError(
            [f"{', '.join(map(str, files))}: no Job in the dump(s): nothing to import"], warnings
        )
    pools = node_pools(dump.nodes, warnings)
    if not pools:
        warnings.append(
            "no usable Node in the dump(s): the default pool of 3 nodes of 4 cpu and 16Gi is used"
        )
        pools = [dict(DEFAULT_POOL)]
    by_uid = {str(j.meta.get("uid")): j.key for j in dump.jobs if j.meta.get("uid")}
    by_key = {j.key: j for j in dump.jobs}
    runs: dict[str, list[Run]] = {j.key: [] for j in dump.jobs}
    running: Counter[str] = Counter()
    foreign: list[Item] = []
    for pod in dump.pods:
        uid, key = owner_job(pod)
        if key is None:
            foreign.append(pod)
            continue
        key = by_uid.get(str(uid), key) if uid else key
        if key not in by_key:
            warnings.append(f"{pod.where}: a pod of Job {key}, which is not in the dump: left out")
            continue
        found, still = pod_runs(pod, warnings)
        runs[key].extend(found)
        running[key] += still
    if foreign:
        warnings.append(
            f"{len(foreign)} pod(s) not created by a Job (the first: {foreign[0].where}): left out"
        )
    created = {j.key: created_at(j) for j in dump.jobs}
    known = [t for t in created.values() if t is not None]
    start = min(known) if known else None
    groups: dict[str, list[Item]] = {}
    for job in dump.jobs:
        if created[job.key] is None:
            warnings.append(f"{job.where}: no metadata.creationTimestamp: submitted at 0s")
        owner = _cronjob(job)
        if owner is not None:
            warnings.append(
                f"{job.where}: created by CronJob {owner}: imported as a Job of its own "
                "(the import does not read CronJobs: to run it by its schedule, put the CronJob "
                "in the scenario)"
            )
        if not _finished(job):
            active = f" ({running[job.key]} pod(s) not finished)" if running[job.key] else ""
            warnings.append(
                f"{job.where}: not finished at the time of the dump{active}: its finished runs "
                "so far are used"
            )
        groups.setdefault(_group_of(job, group_by, warnings), []).append(job)
    workloads: dict[str, dict[str, Any]] = {}
    fits: list[GroupFit] = []
    for group, members in groups.items():
        group_runs = [r for j in members for r in runs[j.key]]
        workload, duration, after = _workload(
            group_runs, _containers(clean_manifest(members[0])), fit
        )
        if duration is None:
            warnings.append(f"{group}: no finished run: the default workload (10s, no failures)")
        reasons: dict[int, set[str]] = {}
        for r in group_runs:
            if r.exit_code and r.reason:
                reasons.setdefault(r.exit_code, set()).add(r.reason)
        codes = Counter(r.exit_code for r in group_runs if r.exit_code)
        fits.append(
            GroupFit(
                group,
                tuple(j.key for j in members),
                len(group_runs),
                sum(codes.values()),
                duration,
                after,
                tuple((c, n, tuple(sorted(reasons.get(c, ())))) for c, n in sorted(codes.items())),
            )
        )
        for j in members:
            workloads[j.key] = workload
    offset = {
        k: (t - start).total_seconds() if t is not None and start is not None else 0.0
        for k, t in created.items()
    }
    entries: list[dict[str, Any]] = []
    for job in sorted(dump.jobs, key=lambda j: offset[j.key]):
        entry: dict[str, Any] = {"manifest": clean_manifest(job)}
        if offset[job.key] > 0:
            entry["submitAt"] = seconds(offset[job.key])
        entry["workload"] = workloads[job.key]
        entries.append(entry)
    stem = files[0].stem if len(files) == 1 else "imported"
    data: dict[str, Any] = {
        "name": name or re.sub(r"[^A-Za-z0-9._-]+", "-", stem),
        "seed": 0,
        "cluster": {"nodePools": pools},
        "jobs": entries,
    }
    data["jobs"] = _loadable(data, warnings)
    method = {"best": "best by AIC", "empirical": "empirical"}.get(fit, f"{fit}, as asked")
    return Imported(data, fits, warnings, tuple(map(str, files)), method)


_ENTRY = re.compile(r"^jobs\[(\d+)\]")


def _loadable(data: dict[str, Any], warnings: list[str]) -> list[dict[str, Any]]:
    """The entries that load: a Job the API server would refuse is left out, with its
    problem (the first of each Job's)."""
    entries = list(data["jobs"])
    for _attempt in range(2):
        try:
            load_data({**data, "jobs": entries}, None, "<import>", Path.cwd())
        except ScenarioError as e:
            bad: dict[int, str] = {}
            for line in e.problems:
                m = _ENTRY.match(line)
                if m is None:
                    raise DumpError(
                        [f"the imported scenario does not load: {p}" for p in e.problems]
                    ) from None
                bad.setdefault(int(m[1]), line)
            for i, problem in sorted(bad.items()):
                meta = entries[i]["manifest"].get("metadata", {})
                warnings.append(
                    f"Job {meta.get('namespace', 'default')}/{meta.get('name')}: left out, "
                    f"the API server would refuse it: {problem}"
                )
            entries = [e for i, e in enumerate(entries) if i not in bad]
            if not entries:
                raise DumpError(["no Job of the dump(s) loads: nothing to import"]) from None
        else:
            return entries
    raise DumpError(["the imported scenario does not load"])


__all__ = ["GroupFit", "Imported", "import_dumps"]
