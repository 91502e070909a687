"""A dump's Jobs as manifests to create, and their pods' container runs.

``clean_manifest`` keeps what a user wrote and drops what the API server set: ``status``; in
``metadata`` the uid, resourceVersion, generation, creationTimestamp, managedFields, selfLink,
ownerReferences, finalizers and kubectl's last-applied annotation; the generated
``spec.selector`` (unless ``manualSelector: true``) and the labels the server put in it and in
the template: ``controller-uid``, ``batch.kubernetes.io/controller-uid``, ``job-name``,
``batch.kubernetes.io/job-name`` (``pkg/registry/batch/job/strategy.go`` ``generateSelector``).

``pod_runs`` reads a pod's runs from its container statuses: the current
``state.terminated`` of every regular container (one run of the pod: the earliest
``startedAt`` to the latest ``finishedAt``; its exit code the first non-zero one in container
order) and each container's ``lastState.terminated`` (the run before a restart, under
``restartPolicy: OnFailure``). Times have the API's one-second resolution.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobsim.importer.dump import Item, parse_time

GENERATED_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)
SERVER_METADATA = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "ownerReferences",
    "finalizers",
)
SERVER_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "batch.kubernetes.io/job-tracking",
)


def clean_manifest(job: Item) -> dict[str, Any]:
    """The Job's manifest as a user would create it again."""
    data = copy.deepcopy(job.data)
    data.pop("status", None)
    data.setdefault("apiVersion", "batch/v1")
    data.setdefault("kind", "Job")
    meta = data.get("metadata")
    if isinstance(meta, dict):
        for k in SERVER_METADATA:
            meta.pop(k, None)
        _drop(meta, "annotations", SERVER_ANNOTATIONS)
        _drop(meta, "labels", GENERATED_LABELS)
    spec = data.get("spec")
    if isinstance(spec, dict):
        if spec.get("manualSelector") is not True:
            spec.pop("selector", None)
            spec.pop("manualSelector", None)
        template = spec.get("template")
        tmeta = template.get("metadata") if isinstance(template, dict) else None
        if isinstance(tmeta, dict):
            tmeta.pop("creationTimestamp", None)
            _drop(tmeta, "labels", GENERATED_LABELS)
            if not tmeta:
                template.pop("metadata")  # type: ignore[union-attr]
    return data


def _drop(meta: dict[str, Any], field: str, keys: tuple[str, ...]) -> None:
    values = meta.get(field)
    if isinstance(values, dict):
        for k in keys:
            values.pop(k, None)
        if not values:
            meta.pop(field)


def created_at(item: Item) -> datetime | None:
    """The object's ``metadata.creationTimestamp``."""
    return parse_time(item.meta.get("creationTimestamp"))


def owner_job(pod: Item) -> tuple[str | None, str | None]:
    """The uid and ``namespace/name`` of the Job that controls the pod, from its controller
    ``ownerReference`` (else its ``job-name`` labels), or ``(None, None)``."""
    for ref in pod.meta.get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("kind") == "Job" and ref.get("controller", True):
            return ref.get("uid"), f"{pod.namespace}/{ref.get('name')}"
    labels = pod.meta.get("labels")
    if isinstance(labels, dict):
        name = labels.get("batch.kubernetes.io/job-name") or labels.get("job-name")
        if name:
            return None, f"{pod.namespace}/{name}"
    return None, None


@dataclass(frozen=True)
class Run:
    """One finished run of a pod: seconds from start to finish, the exit code, the container
    that failed, and the reason (``OOMKilled``, ``Error``, or the pod's, such as
    ``DeadlineExceeded``)."""

    seconds: float
    exit_code: int
    container: str | None = None
    reason: str | None = None


def _terminated(state: Any) -> dict[str, Any] | None:
    t = state.get("terminated") if isinstance(state, dict) else None
    return t if isinstance(t, dict) else None


def _span(term: dict[str, Any]) -> float | None:
    start, end = parse_time(term.get("startedAt")), parse_time(term.get("finishedAt"))
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def _code(term: dict[str, Any]) -> int | None:
    code = term.get("exitCode")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _lacks(terms: list[dict[str, Any]]) -> str:
    """What keeps terminated states from giving a run, naming only what is wrong:
    "without startedAt and finishedAt", "with finishedAt before startedAt"."""
    missing = [
        f for f in ("startedAt", "finishedAt") if any(parse_time(t.get(f)) is None for t in terms)
    ]
    if any(_code(t) is None for t in terms):
        missing.append("exitCode")
    if not missing:
        return "with finishedAt before startedAt"
    return "without " + (
        " and ".join(missing) if len(missing) < 3 else "startedAt, finishedAt and exitCode"
    )


def pod_runs(pod: Item, warnings: list[str]) -> tuple[list[Run], bool]:
    """The pod's finished runs, and whether it is still running (or pending)."""
    status = pod.data.get("status")
    status = status if isinstance(status, dict) else {}
    statuses = [s for s in status.get("containerStatuses") or [] if isinstance(s, dict)]
    pod_reason = status.get("reason") if isinstance(status.get("reason"), str) else None
    runs: list[Run] = []
    for s in statuses:  # the runs before a restart
        last = _terminated(s.get("lastState"))
        if last is None:
            continue
        seconds, code = _span(last), _code(last)
        if seconds is None or code is None:
            warnings.append(
                f"{pod.where}: container {s.get('name')}: lastState.terminated {_lacks([last])}: "
                "that run is left out"
            )
            continue
        runs.append(Run(seconds, code, str(s.get("name")) if code else None, last.get("reason")))
    if not statuses or any(_terminated(s.get("state")) is None for s in statuses):
        phase = status.get("phase")
        if phase in ("Succeeded", "Failed"):
            warnings.append(
                f"{pod.where}: phase {phase} but not every container has state.terminated: "
                "its last run is left out"
            )
            return runs, False
        return runs, True
    terms = [(str(s.get("name")), t) for s in statuses if (t := _terminated(s.get("state")))]
    spans = [(parse_time(t.get("startedAt")), parse_time(t.get("finishedAt"))) for _, t in terms]
    starts = [a for a, _ in spans if a is not None]
    ends = [b for _, b in spans if b is not None]
    codes = [(name, _code(t), t.get("reason")) for name, t in terms]
    if len(starts) < len(spans) or len(ends) < len(spans) or any(c is None for _, c, _ in codes):
        lacks = _lacks([t for _, t in terms])
        never = " (a container that never started?)" if "startedAt" in lacks else ""
        warnings.append(f"{pod.where}: state.terminated {lacks}{never}: its run is left out")
        return runs, False
    seconds = max((max(ends) - min(starts)).total_seconds(), 0.0)
    failed = next(((n, c, r) for n, c, r in codes if c), None)
    if failed is None:
        runs.append(Run(seconds, 0))
    else:
        name, code, reason = failed
        runs.append(Run(seconds, int(code or 0), name, pod_reason or reason))
    return runs, False


__all__ = [
    "GENERATED_LABELS",
    "Run",
    "clean_manifest",
    "created_at",
    "owner_job",
    "pod_runs",
]
