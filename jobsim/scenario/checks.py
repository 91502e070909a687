"""Checks of a whole scenario beyond its schema: the cluster's nodes and PriorityClasses,
references, event times, PriorityClass names, arrival lists, and the warning for a pod that fits
no node.

All but ``check_arrivals`` read a loaded scenario (one entry per Job, replicas expanded) and
name each problem after the entry of the file (``jobs[i]``) its Job comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from jobsim.k8s.content import is_qualified_name
from jobsim.k8s.errors import FieldError, invalid
from jobsim.k8s.job import Job
from jobsim.k8s.pdb import validate_pdb
from jobsim.k8s.resources import pod_requests
from jobsim.k8s.validation_core import validate_labels
from jobsim.k8s.validation_resources import (
    NODE_RESOURCES,
    is_extended,
    is_hugepages,
    is_native,
    validate_node_name,
    validate_node_taints,
    validate_priority_class,
    validate_quantity_value,
)
from jobsim.locate import did_you_mean
from jobsim.policy.image_locality import normalized_image_name
from jobsim.policy.node_affinity import matches_node_affinity
from jobsim.policy.placement import (
    PodNeeds,
    insufficient_resource,
    matches_node_selector,
    pod_needs,
)
from jobsim.scenario.model import (
    CRONJOB_EVENT_KINDS,
    DEFAULT_HORIZON,
    JOB_EVENT_KINDS,
    NODE_EVENT_KINDS,
    RESERVABLE,
    SYSTEM_PRIORITY_CLASSES,
    Event,
    JobEntry,
    NodePool,
    Scenario,
    event_job_ref,
    quantity,
)
from jobsim.scenario.problems import Problem
from jobsim.units import (
    format_bytes,
    format_duration,
    format_quantity_millis,
)


def _pool_image_problems(scenario: Scenario, k: int) -> list[Problem]:
    """A pool's preloaded ``images`` are sized in ``cluster.images`` (by normalised name)."""
    sized = scenario.cluster.image_sizes()
    path = f"cluster.nodePools[{k}].images"
    return [
        Problem(
            f"{path}[{i}]",
            f"{path}[{i}]: image {name!r} has no size: add it to cluster.images "
            f"(e.g. {name!r}: 500Mi)",
        )
        for i, name in enumerate(scenario.cluster.nodePools[k].images)
        if normalized_image_name(name) not in sized
    ]


def _image_table_problems(scenario: Scenario) -> list[Problem]:
    """Two names of ``cluster.images`` for one image (``busybox`` is ``busybox:latest``)."""
    seen: dict[str, str] = {}
    out = []
    for name in scenario.cluster.images:
        same = seen.setdefault(normalized_image_name(name), name)
        if same != name:
            out.append(
                Problem(
                    f"cluster.images.{name}",
                    f"cluster.images.{name}: the same image as {same!r} "
                    f"({normalized_image_name(name)}): size it once",
                    at_key=True,
                )
            )
    return out


def check_cluster(scenario: Scenario) -> list[Problem]:
    """The nodes and PriorityClasses as the API server validates them: node names, labels and
    taints (``ValidateNode``), capacity names and amounts (``ValidateNodeResources``, and
    names a container could request), PriorityClass names and values
    (``ValidatePriorityClass``), and no PriorityClass created twice (``AlreadyExists``);
    each image sized once, each pool's preloaded image sized."""
    out: list[Problem] = _image_table_problems(scenario)
    for k, pool in enumerate(scenario.cluster.nodePools):
        path = f"cluster.nodePools[{k}]"
        if pool.count > 0:
            last = f"{pool.name}-{pool.count - 1}"
            out.extend(
                Problem(f"{path}.name", f"{path}.name: node {e}")
                for e in validate_node_name(last, "metadata.name")
            )
        for key in sorted(pool.labels):
            errs = validate_labels({key: pool.labels[key]}, f"{path}.labels")
            out.extend(Problem(f"{path}.labels.{key}", str(e), at_key=e.value == key) for e in errs)
        for field, value in (
            ("arch", pool.arch),
            ("instanceType", pool.instanceType),
            ("zone", pool.zone),
            ("region", pool.region),
        ):
            if value is not None:  # each becomes a label value (``NodePool.node_labels``)
                out.extend(
                    Problem(f"{path}.{field}", f"{path}.{field}: {e.body()}")
                    for e in validate_labels({"k": value}, f"{path}.{field}")
                )
        out.extend(_reserved_problems(pool, f"{path}.reserved"))
        out.extend(_pool_image_problems(scenario, k))
        taints = [(t.key, t.value, t.effect) for t in pool.taints]
        out.extend(at_problem(e) for e in validate_node_taints(taints, f"{path}.taints"))
        extra = pool.capacity.model_extra or {}
        for name in sorted(extra):
            field = f"{path}.capacity.{name}"
            errs = _capacity_name_errors(name, field)
            try:
                quantity(extra[name])
            except ValueError as e:
                out.append(Problem(field, f"{field}: {e}"))
            else:
                errs.extend(validate_quantity_value(name, extra[name], field))
            out.extend(Problem(field, str(e), at_key=e.value == name) for e in errs)
    seen: dict[str, int] = {}
    for i, pc in enumerate(scenario.cluster.priorityClasses):
        path = f"cluster.priorityClasses[{i}]"
        errs = validate_priority_class(pc.name, pc.value, pc.globalDefault, path)
        out.extend(at_problem(e) for e in errs)
        if pc.name in SYSTEM_PRIORITY_CLASSES or pc.name in seen:
            where = (
                "a built-in class of every cluster"
                if pc.name not in seen
                else f"also cluster.priorityClasses[{seen[pc.name]}]"
            )
            out.append(
                Problem(
                    f"{path}.name",
                    f'{path}.name: priorityclasses.scheduling.k8s.io "{pc.name}" already exists '
                    f"({where})",
                )
            )
        seen.setdefault(pc.name, i)
    return out


def check_disruption_budgets(scenario: Scenario) -> list[Problem]:
    """The PodDisruptionBudgets as the API server validates them
    (``ValidatePodDisruptionBudget``), and none created twice in a namespace
    (``AlreadyExists``)."""
    out: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for i, pdb in enumerate(scenario.podDisruptionBudgets):
        path = f"podDisruptionBudgets[{i}]"
        out.extend(at_problem(e) for e in validate_pdb(pdb, path))
        key = (pdb.namespace, pdb.name)
        if key in seen:
            out.append(
                Problem(
                    f"{path}.metadata.name",
                    f'{path}.metadata.name: poddisruptionbudgets.policy "{pdb.name}" already '
                    f"exists (also podDisruptionBudgets[{seen[key]}])",
                )
            )
        seen.setdefault(key, i)
    return out


def _reserved_problems(pool: NodePool, path: str) -> list[Problem]:
    """A pool's ``reserved``: only what the kubelet reserves (``RESERVABLE``), and no more than
    the capacity (kubelet's ``validateNodeAllocatable`` refuses to start otherwise)."""
    out: list[Problem] = []
    for name in pool.reserved:
        if name not in RESERVABLE:
            out.append(
                Problem(
                    f"{path}.{name}",
                    f"{path}.{name}: only {', '.join(RESERVABLE)} can be reserved (kubelet's "
                    "system-reserved, kube-reserved and eviction thresholds)",
                    at_key=True,
                )
            )
    if out:
        return out
    try:
        cap = pool.capacity_units()
    except ValueError:
        return out  # a bad capacity amount, reported at it
    for name, amount in pool.reserved_units().items():
        if amount > cap.get(name, 0):
            fmt = format_quantity_millis if name == "cpu" else format_bytes
            out.append(
                Problem(
                    f"{path}.{name}",
                    f'{path}.{name}: resource "{name}" has a reservation of {fmt(amount)} but '
                    f"capacity of {fmt(cap.get(name, 0))}; expected capacity >= reservation "
                    "(the kubelet would not start)",
                )
            )
    return out


def at_problem(e: FieldError) -> Problem:
    """A field error, placed at its path."""
    return Problem(e.field, str(e))


def _capacity_name_errors(name: str, path: str) -> list[FieldError]:
    """A capacity names a resource some container could request: a standard one or a
    domain-prefixed extended one (jobsim's rule: a Node may carry any name, but a pod could
    never ask for ``memroy``, so it is a typo; ``validateContainerResourceName``)."""
    errs = [invalid(path, name, m) for m in is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name:
        if name not in NODE_RESOURCES and not is_hugepages(name):
            detail = (
                "must be a standard resource (cpu, memory, ephemeral-storage, pods, "
                "hugepages-<size>) or an extended resource with a domain prefix "
                "(e.g. 'example.com/gpu')"
            )
            close = did_you_mean(name, NODE_RESOURCES)
            if close is not None:
                detail += f"; did you mean '{close}'?"
            errs.append(invalid(path, name, detail))
    elif not is_native(name) and not is_extended(name):
        errs.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def check_arrivals(scenario: Scenario) -> list[str]:
    """An ``at`` arrival gives one time per replica (of a scenario as validated, not yet
    expanded)."""
    problems: list[str] = []
    for i, entry in enumerate(scenario.jobs):
        at = None if entry.arrival is None else entry.arrival.at
        n = entry.replicas or 1
        if at is not None and len(at) != n:
            stands = (
                f"replicas is {n}" if entry.replicas is not None else "replicas is not set: 1 Job"
            )
            problems.append(
                f"jobs[{i}].arrival.at: {len(at)} time{'' if len(at) == 1 else 's'} for "
                f"{n} Job{'' if n == 1 else 's'} ({stands}): give one time per replica"
            )
    return problems


def _firsts(scenario: Scenario) -> list[JobEntry]:
    """One loaded entry per entry of the file: its replicas share manifest and workload."""
    return [e for e in scenario.jobs if e.replica is None or e.replica.index == 0]


def _which(entry: JobEntry) -> str:
    """`` (replica r)`` for a replica of an entry with ``replicas``."""
    r = entry.replica
    return "" if r is None or entry.replicas is None else f" (replica {r.index})"


def cronjob_event(scenario: Scenario, ev: Event) -> JobEntry | None:
    """The CronJob entry an event names (by ``namespace/name`` or name): the CronJob of
    ``patchCronJob`` and ``createJob``; of an event about a Job, if it names a CronJob and
    no Job (``suspend`` and ``resume`` set its ``spec.suspend``)."""
    if ev.kind not in JOB_EVENT_KINDS and ev.kind not in CRONJOB_EVENT_KINDS:
        return None
    ref = event_job_ref(ev)
    if ev.kind in JOB_EVENT_KINDS and any(
        ref in (e.key, e.job.metadata.name) for e in scenario.jobs
    ):
        return None
    for entry in scenario.cronjobs:
        cj = entry.cronjob
        assert cj is not None
        if ref in (f"{cj.metadata.namespace}/{cj.metadata.name}", cj.metadata.name):
            return entry
    return None


def check_event_times(scenario: Scenario) -> list[str]:
    """An event about a Job before the Job is submitted would get NotFound from the API.

    A Job whose arrival is random is checked against the earliest time it can arrive
    (``submitAt``); at run time an event before it exists is ignored.
    """
    entries = {e.key: e for e in scenario.jobs}
    problems: list[str] = []
    for i, ev in enumerate(scenario.events):
        if ev.kind not in JOB_EVENT_KINDS or cronjob_event(scenario, ev) is not None:
            continue
        key = scenario.resolve_job(event_job_ref(ev))
        entry = entries[key]
        submit = entry.earliest_submit
        if ev.at < submit:
            drawn = entry.arrival is not None and entry.arrival.random
            when = (
                f"at the earliest at {format_duration(submit)}: its arrival is random"
                if drawn
                else (f"at {format_duration(submit)}")
            )
            problems.append(
                f"events[{i}].{ev.kind}: job {key} does not exist yet at "
                f"{format_duration(ev.at)} (it is submitted {when}), so the API server would "
                "answer NotFound; "
                "to create a Job suspended, set spec.suspend in its manifest"
            )
    return problems


def check_references(scenario: Scenario) -> list[str]:
    problems: list[str] = []
    keys: dict[str, JobEntry] = {}
    names: dict[str, list[str]] = {}
    groups: dict[str, JobEntry] = {}  # the name and key of an entry with replicas
    for entry in scenario.jobs:
        job, key = entry.job, entry.key
        if key in keys:
            other = keys[key]
            problems.append(
                f"jobs[{entry.source}].manifest.metadata.name: Duplicate value: job {key}"
                f"{_which(entry)} is also jobs[{other.source}]{_which(other)}"
            )
        keys[key] = entry
        names.setdefault(str(job.metadata.name), []).append(key)
        if entry.replicas is not None and entry.replica is not None:
            groups.setdefault(entry.replica.group, entry)
            groups.setdefault(entry.replica.group.split("/", 1)[1], entry)
    for entry in _firsts(scenario):
        i = entry.source
        spec = entry.job.spec.template.spec
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
        ref = event_job_ref(ev)
        field = "cronJob" if kind in CRONJOB_EVENT_KINDS else "job"
        path = f"events[{i}].{kind}" + ("" if isinstance(target, str) else f".{field}")
        cron = cronjob_event(scenario, ev)
        if cron is None and kind in CRONJOB_EVENT_KINDS:
            crons = [str(e.cronjob.metadata.name) for e in scenario.cronjobs if e.cronjob]
            close = did_you_mean(ref, crons)
            why = (
                f" (did you mean {close!r}?)"
                if close
                else f"; the CronJobs are: {', '.join(crons) or 'none'}"
            )
            problems.append(f"{path}: no CronJob named {ref!r}{why}")
            continue
        if cron is not None:
            if kind not in ("suspend", "resume", *CRONJOB_EVENT_KINDS):
                problems.append(
                    f"{path}: {ref!r} is a CronJob: only suspend, resume, patchCronJob and "
                    "createJob apply"
                )
            elif ev.at < cron.submitAt:
                problems.append(
                    f"{path}: CronJob {ref!r} does not exist yet at {format_duration(ev.at)} "
                    f"(it is created at {format_duration(cron.submitAt)})"
                )
            continue
        if ref not in keys and len(names.get(ref, [])) != 1:
            if names.get(ref):
                why = f"is ambiguous: write one of {', '.join(names[ref])}"
            elif ref in groups:
                g = groups[ref]
                assert g.replica is not None  # an entry with replicas
                base = g.replica.group.split("/", 1)[1]
                why = (
                    f"does not exist: jobs[{g.source}] stands for its {g.replicas} replicas, "
                    f"{_replica_names(base, g.replicas or 1)}; name one of them"
                )
            else:
                crons = [str(e.cronjob.metadata.name) for e in scenario.cronjobs if e.cronjob]
                takes_cronjob = kind in ("suspend", "resume")
                close = did_you_mean(ref, [*names, *keys, *(crons if takes_cronjob else [])])
                listed = f"; the jobs are: {', '.join(names) or 'none'}"
                if takes_cronjob and crons:  # suspend and resume name a CronJob too
                    listed += f"; the CronJobs are: {', '.join(crons)}"
                why = "does not exist" + (f" (did you mean {close!r}?)" if close else listed)
            problems.append(f"{path}: job {ref!r} {why}")
            continue
        entry = keys[ref] if ref in keys else keys[names[ref][0]]
        index = ev.deletePod.index if ev.deletePod is not None else None
        if index is not None and entry.job.spec.completionMode != "Indexed":
            problems.append(
                f"events[{i}].deletePod.index: job {ref!r} is NonIndexed: its pods have no "
                "index (leave index out to delete its oldest active pod)"
            )
    return problems


def _replica_names(base: str, count: int) -> str:
    """``a-0``, ``a-0 and a-1``, ``a-0 … a-5``."""
    if count == 1:
        return f"{base}-0"
    if count == 2:
        return f"{base}-0 and {base}-1"
    return f"{base}-0 … {base}-{count - 1}"


def _is_node(scenario: Scenario, name: str) -> bool:
    """Whether ``name`` is one of the cluster's nodes (without listing them: a pool's count
    may be huge)."""
    for p in scenario.cluster.nodePools:
        m = re.fullmatch(rf"{re.escape(p.name)}-(0|[1-9][0-9]*)", name)
        if m and int(m[1]) < p.count:
            return True
    return False


def _span(pool: str, count: int) -> str:
    """A pool's node names: ``a-0`` alone, or ``a-0…a-2``."""
    return f"{pool}-0" if count == 1 else f"{pool}-0…{pool}-{count - 1}"


def _node_hint(scenario: Scenario, name: str) -> str:
    """Which nodes exist, for an event naming one that does not."""
    pools = scenario.cluster.nodePools
    if any(p.name == name for p in pools):
        return f" (that is a pool; its nodes are named {name}-0, {name}-1, …)"
    ranges = [_span(p.name, p.count) for p in pools if p.count > 0]
    for p in pools:
        if re.fullmatch(rf"{re.escape(p.name)}-\d+", name):
            nodes = f"nodes {_span(p.name, p.count)}" if p.count else "no nodes"
            return f"; pool {p.name} has {nodes} (count {p.count})"
    some = [f"{p.name}-{i}" for p in pools for i in range(min(p.count, 100))]
    close = did_you_mean(name, some)
    if close is not None:
        return f" (did you mean {close!r}?)"
    return f"; the nodes are {', '.join(ranges)}" if ranges else "; the cluster has no nodes"


def check_priority_classes(scenario: Scenario) -> list[str]:
    """The Priority admission plugin rejects pods naming an unknown PriorityClass."""
    known = {pc.name for pc in scenario.cluster.priorityClasses} | set(SYSTEM_PRIORITY_CLASSES)
    problems: list[str] = []
    defaults = [pc.name for pc in scenario.cluster.priorityClasses if pc.globalDefault]
    if len(defaults) > 1:
        problems.append(
            "cluster.priorityClasses: at most one PriorityClass may be globalDefault, got "
            + ", ".join(defaults)
        )
    for entry in _firsts(scenario):
        name = entry.job.spec.template.spec.priorityClassName
        if name and name not in known:
            problems.append(
                f"jobs[{entry.source}].manifest.spec.template.spec.priorityClassName: no "
                f"PriorityClass with name {name} was found (the API server would reject every "
                "pod of this Job; declare it in cluster.priorityClasses)"
            )
    return problems


# -- warnings ------------------------------------------------------------------------------


def check_fit(scenario: Scenario) -> list[Problem]:
    """A pod whose requests no node can hold, empty (NodeResourcesFit, ``placement``):
    Kubernetes leaves it Pending (a warning)."""
    caps = [
        p.allocatable()
        for p in scenario.cluster.nodePools
        if p.count > 0 or (p.autoscaling is not None and p.autoscaling.max > 0)
    ]
    if not caps:
        return []
    out: list[Problem] = []
    for entry in _firsts(scenario):
        i, job = entry.source, entry.job
        own = pod_requests(job)
        if any(insufficient_resource({}, cap, tuple(own.items())) is None for cap in caps):
            continue
        req = {**own, "pods": 1}
        most = {r: max(cap.get(r, 0) for cap in caps) for r in req}
        over = [r for r in sorted(req) if req[r] > most[r]] or sorted(req)
        field = _request_field(job, over[0])
        wanted = ", ".join(f"{r} {_amount(r, req[r])}" for r in over)
        has = ", ".join(f"{r} {_amount(r, most[r])}" for r in over)
        out.append(
            Problem(
                f"jobs[{i}].manifest.{field}",
                f"jobs[{i}].manifest: {field}: each pod requests {wanted}, which fits no node "
                f"(the most a node has: {has}); Kubernetes would leave the pods Pending",
            )
        )
    return out


_PER_NODE: Final = frozenset({"kubernetes.io/hostname"})  # labels that differ node by node


def check_node_affinity(scenario: Scenario) -> list[Problem]:
    """A pod whose ``nodeSelector`` or required node affinity matches no node a pool has or
    could add (NodeAffinity, ``placement``): Kubernetes leaves it Pending (a warning)."""
    out: list[Problem] = []
    for entry in _firsts(scenario):
        spec = entry.job.spec.template.spec
        needs = pod_needs({}, spec.nodeSelector, None, spec.affinity)
        if not needs.node_selector and needs.node_affinity is None:
            continue
        views = list(_node_views(scenario, needs))
        selected = [(n, ls) for n, ls in views if matches_node_selector(ls, needs.node_selector)]
        if needs.node_affinity is None and selected:
            continue
        if any(matches_node_affinity(needs.node_affinity, n, ls) for n, ls in selected):
            continue
        by_selector = not selected
        field = "nodeSelector" if by_selector else "affinity"
        i = entry.source
        out.append(
            Problem(
                f"jobs[{i}].manifest.spec.template.spec.{field}",
                f"jobs[{i}].manifest: spec.template.spec.{field}: matches no node any pool has "
                "or could add (by their labels and names); Kubernetes would leave the pods "
                "Pending (node(s) didn't match Pod's node affinity/selector)",
            )
        )
    return out


def _node_views(scenario: Scenario, needs: PodNeeds) -> Iterator[tuple[str, dict[str, str]]]:
    """The nodes each pool has or could add (``autoscaling.max``), one per pool, when the pod
    reads neither node names nor a per-node label; else each node a pool has (the autoscaler
    fits a pod to its template node, whose name and hostname are no future node's)."""
    keys = {k for k, _ in needs.node_selector}
    per_node = False
    for exprs, fields in needs.node_affinity or ():
        keys.update(k for k, _, _ in exprs)
        per_node = per_node or bool(fields)
    per_node = per_node or not keys.isdisjoint(_PER_NODE)
    for pool in scenario.cluster.nodePools:
        n = max(pool.count, pool.autoscaling.max if pool.autoscaling is not None else 0)
        for k in range(pool.count if per_node else min(n, 1)):
            name = f"{pool.name}-{k}"
            yield name, pool.node_labels(name)


def check_endless(scenario: Scenario) -> list[Problem]:
    """Runs that may not end by themselves: random node failures without a ``horizon`` (the
    run then stops when no Job can change, or at ``DEFAULT_HORIZON``), and an ``OnFailure``
    container that can fail in 0s and restart at once, for ever (the run would stall)."""
    out: list[Problem] = []
    if scenario.horizon is None:
        for i, pool in enumerate(scenario.cluster.nodePools):
            if pool.failures is not None:
                path = f"cluster.nodePools[{i}].failures"
                out.append(
                    Problem(
                        path,
                        f"{path}: random node failures and no `horizon`: the run ends when no "
                        "Job is left that could change, at the latest after "
                        f"{format_duration(DEFAULT_HORIZON)} of virtual time; set `horizon:` "
                        "to say where it ends",
                    )
                )
    t = scenario.timing
    if t.crashLoopBackoffInitial == 0 and t.containerStart == 0:
        for entry in _firsts(scenario):
            w = entry.workload
            if (
                entry.job.spec.template.spec.restartPolicy == "OnFailure"
                and w.duration.most == 0
                and (w.failure is not None or w.script)
            ):
                path = f"jobs[{entry.source}].workload.duration"
                out.append(
                    Problem(
                        path,
                        f"{path}: containers run 0s, restart after 0s "
                        "(timing.crashLoopBackoffInitial and timing.containerStart are 0s) and "
                        "restartPolicy is OnFailure: a failing container restarts at the same "
                        "instant for ever and the run stops as stuck",
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


__all__ = [
    "at_problem",
    "check_arrivals",
    "check_cluster",
    "check_disruption_budgets",
    "check_endless",
    "check_event_times",
    "check_fit",
    "check_node_affinity",
    "check_priority_classes",
    "check_references",
    "cronjob_event",
]
