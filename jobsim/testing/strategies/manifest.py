"""Job manifests: random ones (:func:`job_specs`), and the one a user fixes, decoded once
into the facts the other strategies tune their draws to."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import yaml

from jobsim.k8s.job import Job
from jobsim.policy.pod_failure_policy import (
    COUNT,
    ContainerExit,
    FailedPod,
    match_pod_failure_policy,
)
from jobsim.scenario import decode_job
from jobsim.testing.strategies._common import _check_int, _check_strategy, _maybe, _plain

__all__ = ["job_specs"]

UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
IMAGES = ("busybox:1.36", "python:3.12-slim", "busybox")  # untagged: pulled Always
DEFAULT_BACKOFF_LIMIT = 6


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
