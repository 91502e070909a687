"""Hypothesis strategies for Job manifests, workloads, clusters and whole scenarios.

Modelled on ``xarray.testing.strategies``: every knob is keyword-only, knobs that choose values
take a hypothesis strategy (use ``st.just(...)`` for a fixed value; anything else raises a
``TypeError`` saying so), and the defaults are small so that a failing example shrinks to
something a person can read. What is drawn is plain data (dicts, lists, strings, numbers),
exactly what a scenario YAML file holds, and it passes :func:`jobsim.load_scenario`.

What is drawn, all of it simulated by jobsim today:

- Job specs: ``completions`` (also unset: work queue), ``parallelism``, ``completionMode``,
  ``backoffLimit``, ``backoffLimitPerIndex`` and ``maxFailedIndexes``, ``podFailurePolicy``
  (exit-code and ``DisruptionTarget`` rules), ``successPolicy``, ``activeDeadlineSeconds``,
  ``podReplacementPolicy``, ``suspend``, ``ttlSecondsAfterFinished``; pod templates with
  ``restartPolicy`` Never or OnFailure, a cpu request, a grace period and a toleration of the
  unreachable taint.
- Workloads: constant, uniform and exponential durations, random failures with weighted exit
  codes, termination delays, and scripts keyed by index and attempt.
- Clusters: one or two pools of up to three small nodes, ``LeastAllocated``/``MostAllocated``
  scoring, optionally an autoscaled pool.
- Events: ``nodeDown``, ``nodeUp``, ``nodeRemove``, ``nodeOutOfService``, ``drain``,
  ``uncordon`` on the drawn nodes, and ``suspend``, ``resume``, ``scale`` (valid updates only)
  and ``deletePod`` on the drawn jobs.

Not drawn: random node failures (they need a ``horizon``), PriorityClasses and preemption,
sidecar and init containers, and ``managedBy``. ``backoffLimitPerIndex`` is not drawn with
``restartPolicy: OnFailure``: its default ``backoffLimit`` (MaxInt32) lets a crashing container
restart for ever, which is correct but never ends.

Example::

    from hypothesis import given
    from jobsim import load_scenario, simulate
    from jobsim.testing.strategies import scenarios

    @given(scenarios(max_jobs=2))
    def test_runs(data):
        simulate(load_scenario(data))

Importing this module needs the ``hypothesis`` package (a test dependency).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import hypothesis.strategies as st

__all__ = [
    "DEFAULT_TIMING",
    "ZERO_TIMING",
    "clusters",
    "job_specs",
    "scenarios",
    "workloads",
]

ZERO_TIMING: Mapping[str, Any] = MappingProxyType(
    {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0}
)
"""Control-plane and kubelet latencies all 0: exact, "ideal" timelines."""

DEFAULT_TIMING: Mapping[str, Any] = MappingProxyType({})
"""No ``timing`` overrides: the real defaults (jobSyncDelay 1 s, containerStart 1 s, …)."""

UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
IMAGES = ("busybox:1.36", "python:3.12-slim", "busybox")  # untagged: pulled Always
NODE_EVENTS = ("nodeDown", "nodeUp", "nodeRemove", "nodeOutOfService", "drain", "uncordon")
JOB_EVENTS = ("suspend", "resume", "scale", "deletePod")


def _check_strategy(name: str, value: object) -> None:
    """xarray's rule: knobs that choose values are strategies; fixed values need ``st.just``."""
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise TypeError(
            f"{name} must be a hypothesis.strategies.SearchStrategy or None, but got "
            f"{type(value).__name__}. To fix it to one value, use "
            f"hypothesis.strategies.just({value!r})."
        )


def _check_int(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _seconds(max_value: int) -> st.SearchStrategy[int | str]:
    """A duration written as a number of seconds or as a Go duration: ``7`` or ``"7s"``."""
    n = st.integers(0, max_value)
    return st.one_of(n, n.map(lambda s: f"{s}s"))


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    """``None`` (shrinks first) or a value of ``strategy``."""
    return draw(st.none() | strategy)


# --- Job manifests -------------------------------------------------------------------------


def job_specs(
    *,
    name: st.SearchStrategy[str] | None = None,
    completion_mode: st.SearchStrategy[str | None] | None = None,
    max_completions: int = 4,
    max_parallelism: int = 4,
    max_backoff_limit: int = 3,
    restart_policy: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid ``batch/v1`` Job manifests, as dicts, that pass jobsim's loader.

    Args:
        name: strategy for ``metadata.name`` (default: one of a few short DNS labels).
        completion_mode: strategy for ``spec.completionMode``; a drawn ``None`` leaves the key
            out (NonIndexed after defaulting). Default: left out, NonIndexed or Indexed.
        max_completions: largest ``completions``; 0 (and, NonIndexed, unset) are drawn too.
        max_parallelism: largest ``parallelism``; 0 and unset are drawn too.
        max_backoff_limit: largest explicit ``backoffLimit`` and ``backoffLimitPerIndex``
            (unset ``backoffLimit`` means the default, 6).
        restart_policy: strategy for the pod template's ``restartPolicy``
            (default: ``Never`` or ``OnFailure``).
    """
    _check_strategy("name", name)
    _check_strategy("completion_mode", completion_mode)
    _check_strategy("restart_policy", restart_policy)
    _check_int("max_completions", max_completions, 0)
    _check_int("max_parallelism", max_parallelism, 0)
    _check_int("max_backoff_limit", max_backoff_limit, 0)
    return _job_specs(
        name if name is not None else st.sampled_from(["job", "pi", "work"]),
        (
            completion_mode
            if completion_mode is not None
            else st.sampled_from([None, "NonIndexed", "Indexed"])
        ),
        max_completions,
        max_parallelism,
        max_backoff_limit,
        restart_policy if restart_policy is not None else st.sampled_from(["Never", "OnFailure"]),
    )


def _pod_failure_policy(
    draw: st.DrawFn, per_index: bool, containers: list[str]
) -> dict[str, Any] | None:
    """A ``podFailurePolicy`` of one or two rules (exit codes of ``main`` or DisruptionTarget)."""
    actions = ["FailJob", "Ignore", "Count"] + (["FailIndex"] if per_index else [])
    rules = []
    for _ in range(draw(st.integers(1, 2))):
        rule: dict[str, Any] = {"action": draw(st.sampled_from(actions))}
        if draw(st.booleans()):
            operator = draw(st.sampled_from(["In", "NotIn"]))
            pool = [1, 2, 42, 137, 143] if operator == "In" else [0, 1, 42]
            values = sorted(draw(st.sets(st.sampled_from(pool), min_size=1, max_size=3)))
            on_exit: dict[str, Any] = {"operator": operator, "values": values}
            container = _maybe(draw, st.sampled_from(containers))
            if container is not None:
                on_exit["containerName"] = container
            rule["onExitCodes"] = on_exit
        else:
            pattern: dict[str, Any] = {"type": "DisruptionTarget"}
            status = _maybe(draw, st.sampled_from(["True", "False"]))
            if status is not None:
                pattern["status"] = status
            rule["onPodConditions"] = [pattern]
        rules.append(rule)
    return {"rules": rules}


def _success_policy(draw: st.DrawFn, completions: int) -> dict[str, Any]:
    """A ``successPolicy`` of one or two valid rules for ``completions >= 1`` indexes."""
    rules = []
    for _ in range(draw(st.integers(1, 2))):
        rule: dict[str, Any] = {}
        total = completions
        if draw(st.booleans()):
            first = draw(st.integers(0, completions - 1))
            last = draw(st.integers(first, completions - 1))
            rule["succeededIndexes"] = str(first) if first == last else f"{first}-{last}"
            total = last - first + 1
        count = draw(st.none() | st.integers(0, total)) if rule else draw(st.integers(0, total))
        if count is not None:
            rule["succeededCount"] = count
        rules.append(rule)
    return {"rules": rules}


@st.composite
def _job_specs(
    draw: st.DrawFn,
    names: st.SearchStrategy[str],
    modes: st.SearchStrategy[str | None],
    max_completions: int,
    max_parallelism: int,
    max_backoff_limit: int,
    policies: st.SearchStrategy[str],
) -> dict[str, Any]:
    mode = draw(modes)
    restart = draw(policies)
    spec: dict[str, Any] = {}
    if mode is not None:
        spec["completionMode"] = mode
    indexed = mode == "Indexed"
    completions = st.integers(0, max_completions)
    c = draw(completions) if indexed else _maybe(draw, completions)  # Indexed requires it
    if c is not None:
        spec["completions"] = c
    p = _maybe(draw, st.integers(0, max_parallelism))
    if p is not None:
        spec["parallelism"] = p
    limit = _maybe(draw, st.integers(0, max_backoff_limit))
    if limit is not None:
        spec["backoffLimit"] = limit
    per_index = None
    if indexed and restart == "Never":
        per_index = _maybe(draw, st.integers(0, max_backoff_limit))
    if per_index is not None:
        spec["backoffLimitPerIndex"] = per_index
        max_failed = _maybe(draw, st.integers(0, c or 0))
        if max_failed is not None:
            spec["maxFailedIndexes"] = max_failed
    pfp = None
    if restart == "Never" and draw(st.booleans()):
        pfp = _pod_failure_policy(draw, per_index is not None, ["main"])
        spec["podFailurePolicy"] = pfp
    replacement = (
        _maybe(draw, st.just("Failed"))
        if pfp is not None
        else _maybe(draw, st.sampled_from(["TerminatingOrFailed", "Failed"]))
    )
    if replacement is not None:
        spec["podReplacementPolicy"] = replacement
    if indexed and c and draw(st.booleans()):
        spec["successPolicy"] = _success_policy(draw, c)
    optional: dict[str, st.SearchStrategy[Any]] = {
        "activeDeadlineSeconds": st.integers(0, 600),
        "suspend": st.booleans(),
        "ttlSecondsAfterFinished": st.integers(0, 30),
    }
    for key, strategy in optional.items():
        v = _maybe(draw, strategy)
        if v is not None:
            spec[key] = v
    container: dict[str, Any] = {"name": "main", "image": draw(st.sampled_from(IMAGES))}
    cpu = _maybe(draw, st.sampled_from(["500m", "1", "2", "8"]))
    if cpu is not None:
        container["resources"] = {"requests": {"cpu": cpu}}
    pod: dict[str, Any] = {"containers": [container], "restartPolicy": restart}
    grace = _maybe(draw, st.integers(0, 30))
    if grace is not None:
        pod["terminationGracePeriodSeconds"] = grace
    toleration = _maybe(draw, st.integers(0, 60))
    if toleration is not None:
        pod["tolerations"] = [
            {
                "key": UNREACHABLE_TAINT,
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": toleration,
            }
        ]
    spec["template"] = {"spec": pod}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": draw(names)},
        "spec": spec,
    }


# --- workloads -----------------------------------------------------------------------------


def workloads(
    *, max_duration: int = 60, max_index: int = 3, max_attempt: int = 3, max_script: int = 3
) -> st.SearchStrategy[dict[str, Any]]:
    """Workload mappings: run durations, random failures and scripted outcomes.

    Args:
        max_duration: longest run, in whole seconds (constant or uniform), and the largest
            mean of an exponential duration.
        max_index: largest ``index`` a script entry names.
        max_attempt: largest ``attempt`` a script entry names.
        max_script: most script entries.
    """
    _check_int("max_duration", max_duration, 0)
    _check_int("max_index", max_index, 0)
    _check_int("max_attempt", max_attempt, 0)
    _check_int("max_script", max_script, 0)
    return _workloads(max_duration, max_index, max_attempt, max_script)


@st.composite
def _workloads(
    draw: st.DrawFn, max_duration: int, max_index: int, max_attempt: int, max_script: int
) -> dict[str, Any]:
    secs = st.integers(0, max_duration)
    duration = draw(
        st.one_of(
            _seconds(max_duration),
            st.tuples(secs, secs).map(lambda ab: {"uniform": {"min": min(ab), "max": max(ab)}}),
            st.integers(1, max(max_duration, 1)).map(lambda m: {"exponential": {"mean": m}}),
        )
    )
    out: dict[str, Any] = {"duration": duration}
    failure = _maybe(
        draw,
        st.fixed_dictionaries(
            {"probability": st.sampled_from([1.0, 0.5, 0.0]) | st.floats(0.0, 1.0)},
            optional={
                "exitCode": st.integers(1, 255)
                | st.dictionaries(st.sampled_from([1, 42, 137]), st.integers(1, 3), min_size=1),
                # a number is a fraction of the run; an absolute time is a Go duration
                "after": st.sampled_from([1.0, 0.5]) | secs.map(lambda s: f"{s}s"),
            },
        ),
    )
    if failure is not None:
        out["failure"] = failure
    delay = _maybe(draw, _seconds(40))
    if delay is not None:
        out["terminationDelay"] = delay
    entry = st.fixed_dictionaries(
        {},
        optional={
            "index": st.integers(0, max_index),
            "attempt": st.integers(0, max_attempt),
            "exitCode": st.sampled_from([0, 1, 42]),
            "after": _seconds(max_duration),
        },
    )
    script = draw(st.lists(entry, max_size=max_script))
    if script:
        out["script"] = script
    return out


# --- clusters ------------------------------------------------------------------------------


def clusters(
    *, max_pools: int = 2, min_nodes: int = 0, max_nodes: int = 3, autoscaling: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """``cluster`` mappings: node pools named ``a``, ``b``, … of small nodes.

    Args:
        max_pools: most node pools.
        min_nodes: fewest nodes in each pool.
        max_nodes: most nodes in each pool (initially, when autoscaled).
        autoscaling: whether a pool may be autoscaled (up to ``max_nodes + 1`` nodes).
    """
    _check_int("max_pools", max_pools, 1)
    _check_int("min_nodes", min_nodes, 0)
    _check_int("max_nodes", max_nodes, min_nodes)
    return _clusters(max_pools, min_nodes, max_nodes, autoscaling)


@st.composite
def _clusters(
    draw: st.DrawFn, max_pools: int, min_nodes: int, max_nodes: int, autoscaling: bool
) -> dict[str, Any]:
    pools = []
    for i in range(draw(st.integers(1, max_pools))):
        capacity: dict[str, Any] = {"cpu": draw(st.sampled_from(["4", "2", "1"])), "memory": "16Gi"}
        pods = _maybe(draw, st.integers(1, 3))
        if pods is not None:
            capacity["pods"] = pods
        count = draw(st.integers(min_nodes, max_nodes))
        pool: dict[str, Any] = {"name": "abcdefgh"[i], "count": count, "capacity": capacity}
        if autoscaling and draw(st.booleans()):
            pool["autoscaling"] = {
                "min": draw(st.integers(0, count)),
                "max": draw(st.integers(count, max_nodes + 1)),
                "provisionDelay": draw(_seconds(60)),
                "scaleDownUnneeded": draw(_seconds(600)),
            }
        pools.append(pool)
    out: dict[str, Any] = {"nodePools": pools}
    scoring = _maybe(draw, st.sampled_from(["LeastAllocated", "MostAllocated"]))
    if scoring is not None:
        out["scoring"] = scoring
    return out


def _node_names(cluster: Mapping[str, Any]) -> list[str]:
    """The initial nodes of a drawn cluster, named as jobsim names them (``<pool>-<i>``)."""
    return [f"{p['name']}-{i}" for p in cluster["nodePools"] for i in range(p["count"])]


# --- scenarios -----------------------------------------------------------------------------


def scenarios(
    *,
    max_jobs: int = 3,
    max_events: int = 3,
    jobs: st.SearchStrategy[dict[str, Any]] | None = None,
    workload: st.SearchStrategy[dict[str, Any]] | None = None,
    cluster: st.SearchStrategy[dict[str, Any]] | None = None,
    timing: st.SearchStrategy[Mapping[str, Any]] | None = None,
    event_kinds: st.SearchStrategy[str] | None = None,
    horizon: str | None = "6h",
) -> st.SearchStrategy[dict[str, Any]]:
    """Whole scenario dicts, ready for :func:`jobsim.load_scenario`.

    Jobs are named ``job0``, ``job1``, … (whatever name ``jobs`` draws is replaced, so names
    are unique) and submitted within the first 30 s; events happen within the first 15 min,
    each event about a Job once the Job is submitted.

    Args:
        max_jobs: most jobs (at least one is drawn).
        max_events: most outside events.
        jobs: strategy for the manifests (default :func:`job_specs`).
        workload: strategy for the workloads (default :func:`workloads`).
        cluster: strategy for the cluster (default :func:`clusters`).
        timing: strategy for ``timing`` (default: :data:`ZERO_TIMING` or :data:`DEFAULT_TIMING`).
        event_kinds: strategy for the kind of each event (default: every node and job event;
            use ``max_events=0`` for none).
        horizon: the scenario's ``horizon`` (``None``: none). Some drawn scenarios never end
            on their own, as on a real cluster: e.g. a podFailurePolicy ``Ignore`` rule
            matching every failure retries for ever, 10 min apart.
    """
    _check_int("max_jobs", max_jobs, 1)
    _check_int("max_events", max_events, 0)
    for knob, value in (
        ("jobs", jobs),
        ("workload", workload),
        ("cluster", cluster),
        ("timing", timing),
        ("event_kinds", event_kinds),
    ):
        _check_strategy(knob, value)
    return _scenarios(
        max_jobs,
        max_events,
        jobs if jobs is not None else job_specs(),
        workload if workload is not None else workloads(),
        cluster if cluster is not None else clusters(),
        timing if timing is not None else st.sampled_from([ZERO_TIMING, DEFAULT_TIMING]),
        event_kinds if event_kinds is not None else st.sampled_from(NODE_EVENTS + JOB_EVENTS),
        horizon,
    )


def _job_event(
    draw: st.DrawFn, kind: str, name: str, spec: dict[str, Any], completions: dict[str, int | None]
) -> dict[str, Any]:
    """``suspend``/``resume``/``scale``/``deletePod`` of job ``name``; ``completions`` holds
    each job's completions as updated by the scales drawn so far (drawn in time order)."""
    if kind in ("suspend", "resume"):
        return {kind: name}
    if kind == "deletePod":
        out: dict[str, Any] = {"job": name}
        if spec.get("completionMode") == "Indexed":
            index = _maybe(draw, st.integers(0, max(spec["completions"] - 1, 0)))
            if index is not None:
                out["index"] = index
        return {"deletePod": out}
    parallelism = draw(st.integers(0, 4))
    scale: dict[str, Any] = {"job": name, "parallelism": parallelism}
    # Elastic Indexed Jobs: completions change only in tandem with parallelism
    # (validateCompletions); successPolicy and maxFailedIndexes must stay valid for the new
    # completions, so not with them.
    elastic = (
        spec.get("completionMode") == "Indexed"
        and "successPolicy" not in spec
        and "maxFailedIndexes" not in spec
    )
    if elastic and draw(st.booleans()):
        scale["completions"] = parallelism
        completions[name] = parallelism
    return {"scale": scale}


@st.composite
def _scenarios(
    draw: st.DrawFn,
    max_jobs: int,
    max_events: int,
    jobs: st.SearchStrategy[dict[str, Any]],
    workload: st.SearchStrategy[dict[str, Any]],
    cluster: st.SearchStrategy[dict[str, Any]],
    timing: st.SearchStrategy[Mapping[str, Any]],
    event_kinds: st.SearchStrategy[str],
    horizon: str | None,
) -> dict[str, Any]:
    c = draw(cluster)
    entries: list[dict[str, Any]] = []
    submitted: list[int] = []  # each job's submitAt, in seconds
    for i in range(draw(st.integers(1, max_jobs))):
        manifest = draw(jobs)
        manifest = {**manifest, "metadata": {**manifest["metadata"], "name": f"job{i}"}}
        entry: dict[str, Any] = {"manifest": manifest, "workload": draw(workload)}
        submit = _maybe(draw, st.integers(0, 30))
        if submit is not None:
            entry["submitAt"] = draw(st.sampled_from([submit, f"{submit}s"]))
        submitted.append(submit or 0)
        entries.append(entry)
    nodes = _node_names(c)
    drawn = draw(st.lists(st.tuples(st.integers(0, 900), event_kinds), max_size=max_events))
    events: list[dict[str, Any]] = []
    completions: dict[str, int | None] = {}
    # Drawn in time order, so that each scale sees the completions set by the earlier ones.
    for at, kind in sorted(drawn, key=lambda x: x[0]):
        if kind in NODE_EVENTS:
            if not nodes:
                continue
            event = {kind: draw(st.sampled_from(nodes))}
        else:
            i = draw(st.integers(0, len(entries) - 1))
            # An event about a Job before it is submitted is refused at load (NotFound).
            # Moving it to the submission keeps each job's events in time order.
            at = max(at, submitted[i])
            spec = dict(entries[i]["manifest"]["spec"])
            name = f"job{i}"
            if name in completions:
                spec["completions"] = completions[name]
            event = _job_event(draw, kind, name, spec, completions)
        forms: list[int | str] = [at, f"{at}s"]
        events.append({"at": draw(st.sampled_from(forms)), **event})
    out: dict[str, Any] = {
        "name": "property",
        "seed": draw(st.integers(0, 2**63 - 1)),
        "cluster": c,
        "jobs": entries,
    }
    if horizon is not None:
        out["horizon"] = horizon
    t = draw(timing)
    if t:
        out["timing"] = dict(t)
    if events:
        out["events"] = events
    return out
