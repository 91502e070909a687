"""Hypothesis strategies for Job failure properties: failure patterns, node events, clusters
and whole scenarios around a Job manifest you fix, or around random ones.

Say what must hold of your Job and let hypothesis hunt the pattern of exits, evictions and
node outages that breaks it::

    from hypothesis import given
    from jobsim import load_scenario, simulate
    from jobsim.testing.strategies import scenarios

    MANIFEST = '''
    apiVersion: batch/v1
    kind: Job
    metadata: {name: trainer}
    spec:
      parallelism: 2
      completions: 2
      backoffLimit: 3
      podFailurePolicy:
        rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]
      template:
        spec:
          restartPolicy: Never
          containers: [{name: main, image: busybox}]
    '''

    @given(scenarios(MANIFEST))
    def test_never_more_than_parallelism(data):
        result = simulate(load_scenario(data))
        ...  # read result.pods(), result.job("trainer")

:func:`scenarios` keeps the manifest exactly as written (its name and spec) and draws around
it: a cluster its pods fit, a failure pattern (:func:`failure_patterns`: which attempt of
which index exits with which code, after how long) tuned to its podFailurePolicy and
backoffLimit, node events (:func:`node_events`), and, in part of the examples, a hazard aimed
at on purpose (:data:`HAZARDS`: a node lost or drained while a pod runs on it, two pods failing
at one instant, a failure at the last attempt the backoffLimit allows), so that properties
those rare patterns break are found within hypothesis' default 100 examples. Drawn events never
suspend, scale or delete your Job unless you pass ``events`` that do. Without a manifest,
:func:`scenarios` draws up to ``max_jobs`` random Jobs (:func:`job_specs`) and events about
them too: that fuzzes jobsim itself.

Conventions, after ``xarray.testing.strategies``: every knob but the manifest is keyword-only;
knobs that draw a whole value (a cluster, a workload, a list of events, a timing) take a
hypothesis strategy (use ``st.just(...)`` for a fixed value; ``cluster`` and ``timing`` also
take the fixed mapping itself); knobs that list the values a draw picks from (``exit_codes``,
``nodes``, ``kinds``, ``containers``) take a sequence, and shrinking prefers its first item;
``max_*`` knobs bound the size of what is drawn. A wrong argument raises ``TypeError`` or
``ValueError`` when the strategy is built, never while drawing. Shrinking goes toward fewer
events and script entries, shorter runs, attempt 0, index 0, the first exit code, the first
node and no hazard, so a failing example reads as a small scenario.

What is drawn is plain data (dicts, lists, strings, numbers), exactly what a scenario YAML file
holds: it passes :func:`jobsim.load_scenario` and ``yaml.safe_dump``.

Random manifests (:func:`job_specs`) cover ``completions`` (also unset: work queue),
``parallelism``, ``completionMode``, ``backoffLimit``, ``backoffLimitPerIndex`` and
``maxFailedIndexes``, ``podFailurePolicy`` (exit-code and ``DisruptionTarget`` rules),
``successPolicy``, ``activeDeadlineSeconds``, ``podReplacementPolicy``, ``suspend``,
``ttlSecondsAfterFinished``, pod templates with ``restartPolicy`` Never or OnFailure, a cpu
request, a grace period and a toleration of the unreachable taint. They do not draw random
node failures (they need a ``horizon``), PriorityClasses and preemption, sidecar and init
containers, or ``managedBy``; ``backoffLimitPerIndex`` is not drawn with ``restartPolicy:
OnFailure`` (its default ``backoffLimit``, MaxInt32, lets a crashing container restart for
ever: correct, but it never ends).

Importing this module needs the ``hypothesis`` package (the ``testing`` extra).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeAlias

import hypothesis.strategies as st
import yaml

from jobsim import load_scenario, simulate
from jobsim.k8s.job import Job
from jobsim.k8s.resources import pod_requests
from jobsim.policy.pod_failure_policy import (
    COUNT,
    ContainerExit,
    FailedPod,
    match_pod_failure_policy,
)
from jobsim.scenario import Scenario, ScenarioError, decode_job
from jobsim.scenario.model import (
    JOB_EVENT_KINDS,
    NODE_EVENT_KINDS,
    SYSTEM_PRIORITY_CLASSES,
)
from jobsim.units import UnitError, parse_duration

__all__ = [
    "DEFAULT_TIMING",
    "HAZARDS",
    "ZERO_TIMING",
    "aimed",
    "clusters",
    "failure_patterns",
    "job_specs",
    "node_events",
    "scenarios",
    "workloads",
]

ZERO_TIMING: Mapping[str, Any] = MappingProxyType(
    {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0}
)
"""Control-plane and kubelet latencies all 0: exact, "ideal" timelines."""

DEFAULT_TIMING: Mapping[str, Any] = MappingProxyType({})
"""No ``timing`` overrides: the real defaults (jobSyncDelay 1 s, containerStart 1 s, …)."""

HAZARDS: tuple[str, ...] = ("nodeLost", "drain", "simultaneousFailures", "lastAttempt")
"""The rare hazards :func:`scenarios` and :func:`aimed` aim at on purpose:

- ``nodeLost``: a node stops reporting (``nodeDown``, perhaps followed by ``nodeUp`` or
  ``nodeOutOfService``) or is deleted (``nodeRemove``) while a container runs on it;
- ``drain``: a node is drained (perhaps ``uncordon``-ed later) while a container runs on it;
- ``simultaneousFailures``: two pods of one Job fail at the same instant, so that one sync
  sees both failures;
- ``lastAttempt``: one index (the NonIndexed Job) fails every attempt up to the last one its
  ``backoffLimit`` (``backoffLimitPerIndex``) allows, and that last attempt fails too.
"""

UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
IMAGES = ("busybox:1.36", "python:3.12-slim", "busybox")  # untagged: pulled Always
NODE_EVENTS = NODE_EVENT_KINDS
JOB_EVENTS = JOB_EVENT_KINDS
SEQUEL_KINDS = ("nodeUp", "uncordon")
"""Node events drawn only as the sequel of another on the same node (alone they do nothing)."""
DEFAULT_BACKOFF_LIMIT = 6
AIM_MAX_AFTER = 60
"""Longest run, in seconds, of the script entries a ``lastAttempt`` aim adds."""
AIM_MAX_SEQUEL = 600
"""Longest time, in seconds, from an aimed node event to its sequel (nodeUp, uncordon …)."""

EventLists: TypeAlias = st.SearchStrategy[list[dict[str, Any]]]
EventsKnob: TypeAlias = EventLists | Callable[[list[str]], EventLists]
"""``events``: a strategy of event lists, or a function from the drawn cluster's node names
(``<pool>-<i>``, as jobsim names them) to one."""


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


def _check_values(name: str, value: object, item: type, example: str) -> tuple[Any, ...]:
    """A knob listing the values a draw picks from: a sequence (not a strategy, not a str),
    each item of type ``item``; duplicates dropped, order kept (shrinking prefers the first)."""
    if isinstance(value, st.SearchStrategy):
        raise TypeError(
            f"{name} lists the values to draw from: pass a sequence such as {example}, "
            "not a strategy"
        )
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(
            f"{name} must be a sequence (a list or tuple) such as {example}, "
            f"got {type(value).__name__} {value!r}"
        )
    out: list[Any] = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, item):
            raise TypeError(
                f"{name} must hold only {item.__name__} values, got {type(v).__name__} {v!r}"
            )
        if v not in out:
            out.append(v)
    return tuple(out)


def _seconds_of(name: str, value: object) -> float:
    """A knob given as seconds or as a Go duration (``"10m"``), as seconds >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(
            f"{name} must be a number of seconds or a Go duration such as '10m', "
            f"got {type(value).__name__} {value!r}"
        )
    try:
        seconds = parse_duration(value)
    except UnitError as e:
        raise ValueError(f"{name}: {e}") from None
    if seconds < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return seconds


def _plain(value: Any) -> Any:
    """A deep copy made of dicts and lists: what ``yaml.safe_dump`` writes."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


def _seconds(max_value: int) -> st.SearchStrategy[int | str]:
    """A duration written as a number of seconds or as a Go duration: ``7`` or ``"7s"``."""
    n = st.integers(0, max_value)
    return st.one_of(n, n.map(lambda s: f"{s}s"))


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    """``None`` (shrinks first) or a value of ``strategy``."""
    return draw(st.none() | strategy)


# --- a fixed manifest ----------------------------------------------------------------------


@dataclass(frozen=True)
class _JobFacts:
    """What the strategies read of a decoded, defaulted Job."""

    job: Job
    parallel: int  # pods that may run at once (at least 1)
    indexes: int  # completions of an Indexed Job; 0 when NonIndexed
    last_attempt: int  # the last attempt (of one index) its backoff limit lets fail
    codes: tuple[int, ...]  # 1, then the exit codes its podFailurePolicy names
    containers: tuple[str, ...]
    init_containers: tuple[str, ...]  # those a script may fail (not sidecars)


def _facts(job: Job) -> _JobFacts:
    spec = job.spec
    pod = spec.template.spec
    indexed = spec.completionMode == "Indexed"
    parallel = spec.parallelism if spec.parallelism is not None else 1
    if spec.completions is not None:
        parallel = min(parallel, spec.completions)
    if indexed and spec.backoffLimitPerIndex is not None:
        limit = spec.backoffLimitPerIndex
    else:
        limit = spec.backoffLimit if spec.backoffLimit is not None else DEFAULT_BACKOFF_LIMIT
    # Never: the Job fails once failed > backoffLimit, at attempt `limit`. OnFailure: once the
    # restarts reach it (exceed 0 when it is 0), so attempt `limit - 1` is the last to exit.
    last = limit if pod.restartPolicy != "OnFailure" else max(limit - 1, 0)
    named: set[int] = set()
    for rule in spec.podFailurePolicy.rules if spec.podFailurePolicy is not None else []:
        if rule.onExitCodes is not None:
            named.update(rule.onExitCodes.values or [])
    return _JobFacts(
        job=job,
        parallel=max(parallel, 1),
        indexes=(spec.completions or 0) if indexed else 0,
        last_attempt=last,
        codes=(1, *sorted(named - {0, 1})),
        containers=tuple(c.name for c in pod.containers),
        init_containers=tuple(
            c.name for c in pod.initContainers or [] if c.restartPolicy != "Always"
        ),
    )


def _counted(job: Job, code: int) -> bool:
    """Whether a run whose first container exits ``code`` counts toward the backoff limit
    (no podFailurePolicy rule matches it, or a ``Count`` rule does)."""
    pod = job.spec.template.spec
    names = [c.name for c in pod.containers]
    failed = FailedPod(
        namespace="default",
        name="pod",
        containers=[ContainerExit(n, code if i == 0 else 0) for i, n in enumerate(names)],
        init_containers=[ContainerExit(c.name, 0) for c in pod.initContainers or []],
        conditions=[],
    )
    match = match_pod_failure_policy(job.spec.podFailurePolicy, failed)
    return code != 0 and match.action in (None, COUNT)


def _fixed_manifest(manifest: object) -> tuple[dict[str, Any], Job]:
    """The manifest as plain data (YAML text parsed once) and decoded; raises at once if it
    is not a valid Job."""
    if isinstance(manifest, str):
        try:
            data = yaml.safe_load(manifest)
        except yaml.YAMLError as e:
            raise ValueError(f"manifest is not valid YAML: {e}") from None
    elif isinstance(manifest, Mapping):
        data = manifest
    else:
        raise TypeError(
            "manifest must be a Job manifest: a mapping or its YAML text, "
            f"got {type(manifest).__name__}"
        )
    if not isinstance(data, Mapping):
        raise ValueError(
            f"manifest must be a Job manifest (a mapping), but its YAML holds {data!r}"
        )
    plain: dict[str, Any] = _plain(data)
    decoded = decode_job(copy.deepcopy(plain))
    if not isinstance(decoded, Job):
        raise ValueError("manifest is not a valid Job:\n  " + "\n  ".join(decoded))
    return plain, decoded


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

POOL_NAMES = "abcdefgh"


def clusters(
    manifest: Mapping[str, Any] | str | None = None,
    *,
    max_pools: int = 2,
    min_nodes: int = 0,
    max_nodes: int = 3,
    autoscaling: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """``cluster`` mappings: node pools named ``a``, ``b``, … of small nodes.

    Without a manifest the nodes are small (1, 2 or 4 cpus, 16Gi, perhaps a pod limit), and a
    drawn Job may fit none of them. With one, each node holds a whole number of its pods (1 up
    to its parallelism, shrinking toward all of them on one node): its capacity is that many
    times the pod's requests (at least 1 cpu and 1Gi each), and ``pods`` that many; pools carry
    the pod template's ``nodeSelector`` as labels, and the cluster its ``priorityClassName``.

    Args:
        manifest: a Job manifest (a mapping or YAML text) whose pods every node takes.
        max_pools: most node pools (at most 8).
        min_nodes: fewest nodes in each pool.
        max_nodes: most nodes in each pool (initially, when autoscaled).
        autoscaling: whether a pool may be autoscaled (up to ``max_nodes + 1`` nodes).
    """
    _check_int("max_pools", max_pools, 1)
    if max_pools > len(POOL_NAMES):
        raise ValueError(f"max_pools must be at most {len(POOL_NAMES)}, got {max_pools}")
    _check_int("min_nodes", min_nodes, 0)
    _check_int("max_nodes", max_nodes, min_nodes)
    if not isinstance(autoscaling, bool):
        raise TypeError(f"autoscaling must be a bool, got {type(autoscaling).__name__}")
    if manifest is None:
        return _clusters(max_pools, min_nodes, max_nodes, autoscaling)
    _, job = _fixed_manifest(manifest)
    return _sized_clusters(_facts(job), max_pools, min_nodes, max_nodes, autoscaling)


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
        pool: dict[str, Any] = {"name": POOL_NAMES[i], "count": count, "capacity": capacity}
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


GI = 2**30


def _capacity(need: Mapping[str, int], slots: int) -> dict[str, Any]:
    """Room for ``slots`` pods that each request ``need`` (cpu in millicores, the rest in
    units), and at least 1 cpu and 1Gi each."""
    cpu = max(need.get("cpu", 0), 1000) * slots
    memory = max(need.get("memory", 0), GI) * slots
    out: dict[str, Any] = {
        "cpu": str(cpu // 1000) if cpu % 1000 == 0 else f"{cpu}m",
        "memory": f"{memory // GI}Gi" if memory % GI == 0 else str(memory),
        "pods": slots,
    }
    for name, amount in sorted(need.items()):
        if name not in ("cpu", "memory"):
            out[name] = str(amount * slots)
    return out


@st.composite
def _sized_clusters(
    draw: st.DrawFn,
    facts: _JobFacts,
    max_pools: int,
    min_nodes: int,
    max_nodes: int,
    autoscaling: bool,
) -> dict[str, Any]:
    need = pod_requests(facts.job)
    pod = facts.job.spec.template.spec
    pools = []
    for i in range(draw(st.integers(1, max_pools))):
        slots = facts.parallel - draw(st.integers(0, facts.parallel - 1))
        count = draw(st.integers(min_nodes, max_nodes))
        pool: dict[str, Any] = {
            "name": POOL_NAMES[i],
            "count": count,
            "capacity": _capacity(need, slots),
        }
        if pod.nodeSelector:
            pool["labels"] = dict(pod.nodeSelector)
        if autoscaling and draw(st.booleans()):
            pool["autoscaling"] = {
                "min": draw(st.integers(0, count)),
                "max": draw(st.integers(count, max_nodes + 1)),
                "provisionDelay": draw(st.integers(0, 60)),
                "scaleDownUnneeded": draw(st.integers(0, 600)),
            }
        pools.append(pool)
    out: dict[str, Any] = {"nodePools": pools}
    scoring = _maybe(draw, st.sampled_from(["LeastAllocated", "MostAllocated"]))
    if scoring is not None:
        out["scoring"] = scoring
    priority_class = pod.priorityClassName
    if priority_class and priority_class not in SYSTEM_PRIORITY_CLASSES:
        out["priorityClasses"] = [{"name": priority_class, "value": 0}]
    return out


def _node_names(cluster: Mapping[str, Any]) -> list[str]:
    """The initial nodes of a cluster, named as jobsim names them (``<pool>-<i>``)."""
    return [f"{p['name']}-{i}" for p in cluster["nodePools"] for i in range(p["count"])]


# --- failure patterns ----------------------------------------------------------------------


def failure_patterns(
    *,
    exit_codes: Sequence[int] = (1,),
    max_attempts: int = 3,
    max_indexes: int = 0,
    containers: Sequence[str] = ("main",),
    init_containers: Sequence[str] = (),
    max_duration: int = 60,
    max_entries: int = 3,
    max_termination_delay: int = 0,
) -> st.SearchStrategy[dict[str, Any]]:
    """Workload mappings that say exactly how runs end: a constant ``duration`` for the runs
    the script does not name, and a ``script`` of up to ``max_entries`` entries, each naming
    one attempt (of one index) and the code it exits with after how long.

    An entry ``{index: 1, attempt: 0, exitCode: 42, after: 5}`` makes the first run of index 1
    exit 42 five seconds after its container starts (docs/mechanisms.md: ``attempt`` counts
    every start of the work of one index, of the whole Job when NonIndexed, from 0, container
    restarts under ``OnFailure`` included). Entries name distinct (index, attempt) pairs and are
    listed in that order. When there are several containers an entry may say which one exits
    with ``exitCode`` (``container``, the first one when left out; an init container fails
    before the others start) and the codes of the others (``containers``, 0 when left out).
    Nothing is random: the same pattern gives the same runs under every seed.

    Args:
        exit_codes: the codes a scripted run exits with; shrinking prefers the first.
        max_attempts: entries name attempts ``0 … max_attempts - 1``.
        max_indexes: entries name indexes ``0 … max_indexes - 1`` (an Indexed Job's
            completions); 0: they name none, so each matches every index, as a NonIndexed Job
            needs.
        containers: the pod template's containers (the first is the one that exits with
            ``exitCode`` by default).
        init_containers: init containers a script may make fail (not sidecars).
        max_duration: longest run in seconds, for ``duration`` (at least 1 s) and ``after``.
        max_entries: most script entries.
        max_termination_delay: longest ``terminationDelay`` (time to exit after SIGTERM), in
            seconds; 0 leaves it out (exit at once).
    """
    codes = _check_values("exit_codes", exit_codes, int, "[1, 42]")
    if not codes:
        raise ValueError("exit_codes must hold at least one exit code")
    _check_int("max_attempts", max_attempts, 1)
    _check_int("max_indexes", max_indexes, 0)
    names = _check_values("containers", containers, str, '["main"]')
    inits = _check_values("init_containers", init_containers, str, '["setup"]')
    if not names:
        raise ValueError("containers must name at least one container")
    if "" in names or "" in inits:
        raise ValueError("container names must not be empty")
    both = sorted(set(names) & set(inits))
    if both:
        raise ValueError(f"{', '.join(both)}: both a container and an init container")
    _check_int("max_duration", max_duration, 1)
    _check_int("max_entries", max_entries, 0)
    _check_int("max_termination_delay", max_termination_delay, 0)
    return _failure_patterns(
        codes,
        max_attempts,
        max_indexes,
        names,
        inits,
        max_duration,
        max_entries,
        max_termination_delay,
    )


def _entry_key(entry: Mapping[str, Any]) -> tuple[int, int]:
    return (entry.get("index", -1), entry.get("attempt", -1))


@st.composite
def _script_entry(
    draw: st.DrawFn,
    codes: tuple[int, ...],
    max_attempts: int,
    max_indexes: int,
    names: tuple[str, ...],
    inits: tuple[str, ...],
    max_duration: int,
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if max_indexes:
        entry["index"] = draw(st.integers(0, max_indexes - 1))
    entry["attempt"] = draw(st.integers(0, max_attempts - 1))
    entry["exitCode"] = draw(st.sampled_from(codes))
    entry["after"] = draw(st.integers(0, max_duration))
    who = (None, *names[1:], *inits)
    container = draw(st.sampled_from(who)) if len(who) > 1 else None
    if container is not None:
        entry["container"] = container
    if container not in inits:
        target = container if container is not None else names[0]
        others = [n for n in names if n != target]
        if others:
            other_codes = draw(
                st.dictionaries(st.sampled_from(others), st.sampled_from((0, *codes)))
            )
            if other_codes:
                entry["containers"] = {n: other_codes[n] for n in others if n in other_codes}
    return entry


@st.composite
def _failure_patterns(
    draw: st.DrawFn,
    codes: tuple[int, ...],
    max_attempts: int,
    max_indexes: int,
    names: tuple[str, ...],
    inits: tuple[str, ...],
    max_duration: int,
    max_entries: int,
    max_termination_delay: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {"duration": draw(st.integers(1, max_duration))}
    entry = _script_entry(codes, max_attempts, max_indexes, names, inits, max_duration)
    script = draw(st.lists(entry, max_size=max_entries, unique_by=_entry_key))
    if script:
        out["script"] = sorted(script, key=_entry_key)
    if max_termination_delay:
        delay = draw(st.integers(0, max_termination_delay))
        if delay:
            out["terminationDelay"] = delay
    return out


def _failures_for(facts: _JobFacts) -> st.SearchStrategy[dict[str, Any]]:
    """:func:`failure_patterns` tuned to one Job: the codes its podFailurePolicy names and 1,
    attempts up to one past the last its backoff limit lets fail, its indexes, its
    containers."""
    return failure_patterns(
        exit_codes=facts.codes,
        max_attempts=facts.last_attempt + 2,
        max_indexes=facts.indexes,
        containers=facts.containers,
        init_containers=facts.init_containers,
    )


# --- node events ---------------------------------------------------------------------------


def node_events(
    *,
    nodes: Sequence[str],
    kinds: Sequence[str] = NODE_EVENTS,
    max_events: int = 3,
    within: float | str = "10m",
) -> EventLists:
    """Lists of node events in time order: outages (``nodeDown``, perhaps followed by
    ``nodeUp`` or ``nodeOutOfService`` on that node), drains (perhaps followed by
    ``uncordon``), removals (``nodeRemove``) and ``nodeOutOfService`` taints.

    Each event is ``{at: <seconds>, <kind>: <node>}``. ``nodeUp`` and ``uncordon`` are drawn
    only as the sequel of a ``nodeDown`` or ``drain`` of the same node (alone they would do
    nothing); a sequel comes 1 s to ``within`` after it, so a list holds at most
    ``2 × max_events`` events. What each does: docs/mechanisms.md, "Nodes" and "Node failures,
    drain, removal".

    Args:
        nodes: the node names to pick from (jobsim names a pool's nodes ``<pool>-0``,
            ``<pool>-1``, …); none: every list is empty.
        kinds: the kinds of event to draw, among ``nodeDown``, ``nodeUp``, ``nodeRemove``,
            ``nodeOutOfService``, ``drain``, ``uncordon``.
        max_events: most events, sequels not counted.
        within: events start within this long from the start: seconds or a Go duration.
    """
    names = _check_values("nodes", nodes, str, '["a-0", "a-1"]')
    chosen = _check_values("kinds", kinds, str, '["nodeDown", "drain"]')
    unknown = [k for k in chosen if k not in NODE_EVENT_KINDS]
    if unknown:
        raise ValueError(
            f"kinds: unknown node event kind {unknown[0]!r}; expected some of "
            + ", ".join(NODE_EVENT_KINDS)
        )
    firsts = tuple(k for k in chosen if k not in SEQUEL_KINDS)
    if not firsts:
        raise ValueError(
            "kinds must hold a kind that starts something (nodeDown, nodeRemove, "
            "nodeOutOfService or drain): nodeUp and uncordon only follow nodeDown and drain"
        )
    _check_int("max_events", max_events, 0)
    window = math.floor(_seconds_of("within", within))
    if not names or not max_events:
        return st.just([])
    sequels: dict[str, tuple[str, ...]] = {
        "nodeDown": tuple(k for k in ("nodeUp", "nodeOutOfService") if k in chosen),
        "drain": ("uncordon",) if "uncordon" in chosen else (),
    }
    return _node_events(names, firsts, sequels, max_events, window)


@st.composite
def _node_events(
    draw: st.DrawFn,
    names: tuple[str, ...],
    firsts: tuple[str, ...],
    sequels: Mapping[str, tuple[str, ...]],
    max_events: int,
    window: int,
) -> list[dict[str, Any]]:
    # Every event draws the same choices, its sequel's included, so that the simplest list
    # is made of the first kind (not of whichever kind draws fewest choices).
    one = st.tuples(
        st.integers(0, window),
        st.sampled_from(firsts),
        st.sampled_from(names),
        st.integers(0, 2),  # 0: no sequel, else which one
        st.integers(1, max(window, 1)),  # when, after the event
    )
    out: list[dict[str, Any]] = []
    for at, kind, node, which, later in draw(st.lists(one, max_size=max_events)):
        out.append({"at": at, kind: node})
        then = sequels.get(kind, ())
        if 0 < which <= len(then):
            out.append({"at": at + later, then[which - 1]: node})
    return sorted(out, key=lambda e: e["at"])


# --- hazards -------------------------------------------------------------------------------


def aimed(
    scenario: Mapping[str, Any], *, hazards: st.SearchStrategy[str | None] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Variants of one fixed scenario, each aimed at a hazard of :data:`HAZARDS`.

    The scenario is loaded once, here (a ``ScenarioError`` if it is not valid); the first
    draw that needs it runs it once without changes, which takes milliseconds, and reads when
    and where each container ran. An aimed variant then adds to it:

    - ``nodeLost`` / ``drain``: a ``nodeDown`` or ``nodeRemove`` (``drain``) of the node a
      drawn run is on, at a time strictly inside that run (a whole second when one fits), and
      perhaps its sequel (``nodeUp`` or ``nodeOutOfService``; ``uncordon``) 1 s to 10 min later;
    - ``simultaneousFailures``: two script entries that make two runs of one Job that overlap
      fail at one instant inside both (both exits computed to the same float);
    - ``lastAttempt``: two script entries for one index (the NonIndexed Job): its last
      attempt the backoff limit lets fail exits with a code the Job's podFailurePolicy names
      or 1, every other attempt with a code it counts.

    Nothing before the added event or exits changes, so the aimed moment happens as drawn. A
    hazard the scenario cannot show (no run on an initial node, no two runs at once, no Job
    whose failures count) leaves the scenario as it is. Jobs of an entry with ``replicas`` are
    not aimed at (their entries share one script).

    Args:
        scenario: a scenario as data (what its YAML file holds).
        hazards: strategy for the hazard of each example: one of :data:`HAZARDS`, or
            ``None`` for the scenario unchanged. Default: each of :data:`HAZARDS`.
    """
    if not isinstance(scenario, Mapping):
        raise TypeError(f"scenario must be a scenario mapping, got {type(scenario).__name__}")
    _check_strategy("hazards", hazards)
    base = _Base(_plain(scenario))
    _ = base.loaded  # a ScenarioError now, not while drawing
    return _aimed(base, hazards if hazards is not None else st.sampled_from(HAZARDS))


class _Base:
    """A scenario to aim at, loaded and run once, when first needed."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._loaded: Scenario | None = None
        self._runs: list[_Run] | None = None

    @property
    def loaded(self) -> Scenario:
        if self._loaded is None:
            self._loaded = load_scenario(copy.deepcopy(self.data))
        return self._loaded

    @property
    def runs(self) -> list[_Run]:
        """Every container run of the Jobs aimed at, in pod creation order."""
        if self._runs is None:
            self._runs = _runs(self.loaded, _targets(self.loaded))
        return self._runs


@st.composite
def _aimed(draw: st.DrawFn, base: _Base, hazards: st.SearchStrategy[str | None]) -> dict[str, Any]:
    hazard = draw(hazards)
    if hazard is None:
        return copy.deepcopy(base.data)
    return _aim(draw, base, hazard)


@dataclass(frozen=True)
class _Run:
    """One container run as the unchanged scenario ran it: of which Job, index and attempt,
    on which node, and from when until its container exited or its pod was deleted."""

    job: str
    index: int | None
    attempt: int
    node: str | None
    start: float
    end: float


DRY_RUN_UNTIL = 7 * 24 * 3600.0
"""Where the unchanged run of a scenario without a horizon stops, in seconds."""
MAX_RUNS = 64
"""Runs looked at for a pair failing at one instant (pairs grow as their square)."""


def _targets(loaded: Scenario) -> dict[str, int]:
    """The Jobs to aim at, by key: their position in ``jobs`` (entries without replicas)."""
    return {e.key: e.source for e in loaded.jobs if e.replicas is None}


def _runs(loaded: Scenario, targets: Mapping[str, int]) -> list[_Run]:
    # A scenario without a horizon may never end (a rule that ignores every failure retries
    # for ever): the run that aims stops after a week of virtual time all the same.
    result = simulate(loaded, until=DRY_RUN_UNTIL if loaded.horizon is None else None)
    out = []
    for pod in result.lives.pods.values():
        if pod.job not in targets:
            continue
        for run in pod.runs:
            ends = [t for t in (run.end, pod.deleted) if t is not None]
            end = min(ends) if ends else result.end
            if end > run.start:
                out.append(_Run(pod.job, pod.index, run.attempt, pod.node, run.start, end))
    return out


def _aim(draw: st.DrawFn, base: _Base, hazard: str) -> dict[str, Any]:
    """``base`` changed to show ``hazard`` (see :func:`aimed`); a new dict."""
    if hazard not in HAZARDS:
        raise ValueError(f"unknown hazard {hazard!r}; expected one of {', '.join(HAZARDS)}")
    data = copy.deepcopy(base.data)
    if hazard == "lastAttempt":
        return _aim_last_attempt(draw, data, base.loaded)
    if hazard == "simultaneousFailures":
        return _aim_simultaneous(draw, data, base.loaded, base.runs)
    return _aim_node(draw, data, base.runs, hazard)


def _at(seconds: float) -> int | float:
    """A time as the scenario writes it: a whole number of seconds as an int."""
    return int(seconds) if float(seconds).is_integer() else seconds


def _inside(draw: st.DrawFn, start: float, end: float) -> int | float:
    """A time strictly between ``start`` and ``end``: a whole second if one fits."""
    low, high = math.floor(start) + 1, math.ceil(end) - 1
    if low <= high:
        return draw(st.integers(low, high))
    return _at((start + end) / 2)


def _initial_node(cluster: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` is one of the cluster's initial nodes (events may name only those)."""
    pool, _, number = name.rpartition("-")
    counts = {p["name"]: p["count"] for p in cluster["nodePools"]}
    return number.isdigit() and str(int(number)) == number and int(number) < counts.get(pool, 0)


def _with_events(data: dict[str, Any], added: list[dict[str, Any]]) -> dict[str, Any]:
    """``data`` with ``added`` among its events, in time order (after those at equal times)."""
    events = [*data.get("events", []), *added]
    data["events"] = sorted(events, key=lambda e: parse_duration(e["at"]))
    return data


def _aim_node(
    draw: st.DrawFn, data: dict[str, Any], runs: list[_Run], hazard: str
) -> dict[str, Any]:
    windows = [r for r in runs if r.node is not None and _initial_node(data["cluster"], r.node)]
    if not windows:
        return data
    run = draw(st.sampled_from(windows))
    assert run.node is not None
    at = _inside(draw, run.start, run.end)
    if hazard == "nodeLost":
        kind = draw(st.sampled_from(("nodeDown", "nodeRemove")))
        sequels: tuple[str | None, ...] = (
            (None, "nodeUp", "nodeOutOfService") if kind == "nodeDown" else (None,)
        )
    else:
        kind, sequels = "drain", (None, "uncordon")
    added: list[dict[str, Any]] = [{"at": at, kind: run.node}]
    sequel = draw(st.sampled_from(sequels))
    if sequel is not None:
        added.append({"at": _at(at + draw(st.integers(1, AIM_MAX_SEQUEL))), sequel: run.node})
    return _with_events(data, added)


def _scripted(
    data: dict[str, Any],
    source: int,
    added: list[dict[str, Any]],
    shadowed: Callable[[Mapping[str, Any]], bool],
) -> None:
    """Put ``added`` first in the script of ``jobs[source]``, dropping the entries they
    shadow (the first matching entry wins)."""
    workload = data["jobs"][source]["workload"]
    kept = [e for e in workload.get("script", []) if not shadowed(e)]
    workload["script"] = [*added, *kept]


def _aim_simultaneous(
    draw: st.DrawFn, data: dict[str, Any], loaded: Scenario, runs: list[_Run]
) -> dict[str, Any]:
    head = runs[:MAX_RUNS]
    pairs = []
    for i, a in enumerate(head):
        for b in head[i + 1 :]:
            low, high = max(a.start, b.start), min(a.end, b.end)
            if a.job == b.job and (a.index, a.attempt) != (b.index, b.attempt) and low <= high:
                pairs.append((a, b, low, high))
    if not pairs:
        return data
    a, b, low, high = draw(st.sampled_from(pairs))
    whole_low, whole_high = math.ceil(low), math.floor(high)
    t = draw(st.integers(whole_low, whole_high)) if whole_low <= whole_high else low
    after_a = t - a.start
    after_b = (a.start + after_a) - b.start
    if min(after_a, after_b) < 0 or a.start + after_a != b.start + after_b:
        return data  # float round-off: no exact common instant
    entries = {e.key: e for e in loaded.jobs}
    codes = _facts(entries[a.job].job).codes
    added = []
    for run, after in ((a, after_a), (b, after_b)):
        entry: dict[str, Any] = {} if run.index is None else {"index": run.index}
        entry.update(attempt=run.attempt, exitCode=draw(st.sampled_from(codes)), after=_at(after))
        added.append(entry)
    keys = {(e.get("index"), e["attempt"]) for e in added}
    _scripted(
        data,
        entries[a.job].source,
        added,
        lambda e: "attempt" in e and (e.get("index"), e["attempt"]) in keys,
    )
    return data


def _aim_last_attempt(draw: st.DrawFn, data: dict[str, Any], loaded: Scenario) -> dict[str, Any]:
    targets = [e for e in loaded.jobs if e.replicas is None]
    if not targets:
        return data
    target = draw(st.sampled_from(targets))
    facts = _facts(target.job)
    indexed = target.job.spec.completionMode == "Indexed"
    if indexed and not facts.indexes:
        return data
    index = draw(st.integers(0, facts.indexes - 1)) if indexed else None
    last = facts.last_attempt
    counted = next((c for c in (*facts.codes, *range(2, 256)) if _counted(target.job, c)), None)
    if last > 0 and counted is None:
        return data  # every failure is ignored or ends the Job: no attempt is the last
    at_index: dict[str, Any] = {} if index is None else {"index": index}
    code = draw(st.sampled_from(facts.codes))
    after = draw(st.integers(0, AIM_MAX_AFTER))
    added = [{**at_index, "attempt": last, "exitCode": code, "after": after}]
    if last > 0:
        added.append({**at_index, "exitCode": counted, "after": after})

    def shadowed(e: Mapping[str, Any]) -> bool:
        if indexed and e.get("index") != index:
            return False
        return last > 0 or e.get("attempt") == 0

    _scripted(data, target.source, added, shadowed)
    return data


# --- scenarios -----------------------------------------------------------------------------

EMPTY_CLUSTER = {"nodePools": [{"name": "a", "count": 0, "capacity": {"cpu": "1", "memory": "1"}}]}


def _check_fixed(name: str, data: dict[str, Any]) -> None:
    """Load ``data`` once, so that a fixed knob that is not valid fails here."""
    try:
        load_scenario(copy.deepcopy(data))
    except ScenarioError as e:
        raise ValueError(f"{name} is not valid:\n{e}") from None


def scenarios(
    manifest: Mapping[str, Any] | str | None = None,
    *,
    cluster: Mapping[str, Any] | st.SearchStrategy[dict[str, Any]] | None = None,
    failures: st.SearchStrategy[dict[str, Any]] | None = None,
    events: EventsKnob | None = None,
    timing: Mapping[str, Any] | st.SearchStrategy[Mapping[str, Any]] | None = None,
    horizon: float | str | None = "6h",
    hazards: st.SearchStrategy[str | None] | None = None,
    max_events: int = 3,
    max_jobs: int | None = None,
    jobs: st.SearchStrategy[dict[str, Any]] | None = None,
    event_kinds: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Whole scenario dicts, ready for :func:`jobsim.load_scenario`.

    **With a manifest** each scenario holds that one Job, exactly as given (name, namespace,
    spec: the YAML text is parsed and the Job validated once, here, and a manifest that is
    not a valid Job raises ``ValueError``), submitted at 0 s, with a drawn failure pattern,
    cluster, node events and timing. Drawn events are node events only: nothing suspends,
    scales or deletes your Job unless ``events`` does. In part of the examples a hazard is
    aimed at on purpose (``hazards``, :func:`aimed`): it adds at most two events, or two
    script entries, to what ``events`` and ``failures`` drew.

    **Without a manifest** it draws 1 to ``max_jobs`` random Jobs (``jobs``, default
    :func:`job_specs`), renamed ``job0``, ``job1``, … so that names are unique, submitted
    within the first 30 s, with random workloads (:func:`workloads`), clusters
    (:func:`clusters`) and up to ``max_events`` node and Job events within the first 15 min
    (``event_kinds``), each event about a Job once the Job is submitted: that fuzzes jobsim.

    Args:
        manifest: your Job manifest: a mapping, or its YAML text.
        cluster: the cluster: a fixed mapping (checked here) or a strategy. Default, with a
            manifest: one pool of 1 to 4 nodes that each take 1 to ``parallelism`` of its
            pods (:func:`clusters` sized for it); without: :func:`clusters`.
        failures: strategy for the Job's workload. Default, with a manifest:
            :func:`failure_patterns` tuned to it (the exit codes its podFailurePolicy names,
            and 1; attempts up to one past the last its backoffLimit or backoffLimitPerIndex
            lets fail; its indexes and containers); without: :func:`workloads`.
        events: strategy for the ``events`` list, or a function from the drawn cluster's
            initial node names to one (e.g. ``lambda nodes: node_events(nodes=nodes,
            kinds=["drain"])``). Default, with a manifest: :func:`node_events` on the drawn
            nodes, up to ``max_events``.
        timing: the ``timing`` overrides: a fixed mapping or a strategy (default:
            :data:`ZERO_TIMING` or :data:`DEFAULT_TIMING`).
        horizon: the scenario's ``horizon``, seconds or a Go duration (``None``: none). Some
            scenarios never end on their own, as on a real cluster: e.g. a podFailurePolicy
            ``Ignore`` rule matching every failure retries for ever, 10 min apart.
        hazards: strategy for the hazard each example aims at: one of :data:`HAZARDS`, or
            ``None`` for a plain draw (what it shrinks to). Default, with a manifest: each of
            them and ``None`` alike; without: ``None``. ``st.none()`` turns aiming off.
        max_events: most drawn events (default events only).
        max_jobs: most random Jobs (at least one is drawn; default 3); not with a manifest.
        jobs: strategy for the random manifests (default :func:`job_specs`); not with a
            manifest.
        event_kinds: strategy for the kind of each random event (default: every node and Job
            event; ``max_events=0`` for none); not with a manifest nor with ``events``.
    """
    for knob, value in (
        ("failures", failures),
        ("hazards", hazards),
        ("jobs", jobs),
        ("event_kinds", event_kinds),
    ):
        _check_strategy(knob, value)
    _check_int("max_events", max_events, 0)
    if events is not None and not isinstance(events, st.SearchStrategy) and not callable(events):
        raise TypeError(
            "events must be a strategy of event lists, or a function from node names to one, "
            f"got {type(events).__name__}"
        )
    if horizon is not None and _seconds_of("horizon", horizon) == 0:
        raise ValueError("horizon must be greater than 0 (None: no horizon)")
    if events is not None and event_kinds is not None:
        raise ValueError("event_kinds draws the default events: not with events")
    timing_s = _fixed_or_drawn(
        "timing", timing, st.sampled_from([ZERO_TIMING, DEFAULT_TIMING]), EMPTY_CLUSTER
    )
    if manifest is None:
        _check_int("max_jobs", 3 if max_jobs is None else max_jobs, 1)
        return _scenarios(
            3 if max_jobs is None else max_jobs,
            max_events,
            jobs if jobs is not None else job_specs(),
            failures if failures is not None else workloads(),
            _fixed_or_drawn("cluster", cluster, clusters()),
            timing_s,
            event_kinds if event_kinds is not None else st.sampled_from(NODE_EVENTS + JOB_EVENTS),
            horizon,
            events,
            hazards,
        )
    for knob, given in (("max_jobs", max_jobs), ("jobs", jobs), ("event_kinds", event_kinds)):
        if given is not None:
            raise ValueError(f"{knob} draws random Jobs: not with a fixed manifest")
    data, job = _fixed_manifest(manifest)
    facts = _facts(job)
    sized = clusters(
        data, max_pools=1, min_nodes=1, max_nodes=min(facts.parallel, 3) + 1, autoscaling=False
    )
    if isinstance(cluster, Mapping):
        _check_fixed(
            "cluster",
            {"cluster": _plain(cluster), "jobs": [{"manifest": data, "workload": {"duration": 1}}]},
        )
    return _manifest_scenarios(
        data,
        _fixed_or_drawn("cluster", cluster, sized),
        failures if failures is not None else _failures_for(facts),
        events if events is not None else _default_node_events(max_events),
        timing_s,
        horizon,
        hazards if hazards is not None else st.sampled_from((None, *HAZARDS)),
    )


def _fixed_or_drawn(
    name: str,
    value: Mapping[str, Any] | st.SearchStrategy[Any] | None,
    default: st.SearchStrategy[Any],
    cluster: Mapping[str, Any] | None = None,
) -> st.SearchStrategy[Any]:
    """A knob given as a fixed mapping (a copy in each example) or as a strategy."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping or a hypothesis strategy of mappings, "
            f"got {type(value).__name__}"
        )
    fixed = _plain(value)
    if cluster is not None:
        _check_fixed(name, {"cluster": _plain(cluster), name: fixed})
    elif name == "cluster":
        _check_fixed(name, {"cluster": fixed})
    return st.builds(lambda: copy.deepcopy(fixed))


def _default_node_events(max_events: int) -> Callable[[list[str]], EventLists]:
    return lambda nodes: node_events(nodes=nodes, max_events=max_events)


def _draw_events(draw: st.DrawFn, events: EventsKnob, nodes: list[str]) -> list[dict[str, Any]]:
    strategy = events if isinstance(events, st.SearchStrategy) else events(list(nodes))
    return list(draw(strategy))


@st.composite
def _manifest_scenarios(
    draw: st.DrawFn,
    manifest: dict[str, Any],
    cluster: st.SearchStrategy[dict[str, Any]],
    failures: st.SearchStrategy[dict[str, Any]],
    events: EventsKnob,
    timing: st.SearchStrategy[Mapping[str, Any]],
    horizon: float | str | None,
    hazards: st.SearchStrategy[str | None],
) -> dict[str, Any]:
    c = draw(cluster)
    out: dict[str, Any] = {
        "name": "property",
        "seed": draw(st.integers(0, 2**63 - 1)),
        "cluster": c,
        "jobs": [{"manifest": copy.deepcopy(manifest), "workload": draw(failures)}],
    }
    if horizon is not None:
        out["horizon"] = horizon
    t = draw(timing)
    if t:
        out["timing"] = dict(t)
    drawn = _draw_events(draw, events, _node_names(c))
    if drawn:
        out["events"] = drawn
    hazard = draw(hazards)
    return out if hazard is None else _aim(draw, _Base(out), hazard)


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
    horizon: float | str | None,
    given_events: EventsKnob | None,
    hazards: st.SearchStrategy[str | None] | None,
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
    events: list[dict[str, Any]] = []
    if given_events is not None:
        events = _draw_events(draw, given_events, nodes)
        drawn = []
    else:
        drawn = draw(st.lists(st.tuples(st.integers(0, 900), event_kinds), max_size=max_events))
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
    hazard = draw(hazards) if hazards is not None else None
    return out if hazard is None else _aim(draw, _Base(out), hazard)
