"""The API server's defaulting of a Job on create.

Upstream: ``pkg/apis/batch/v1/defaults.go`` (``SetDefaults_Job``,
``SetDefaults_PodFailurePolicyOnPodConditionsPattern``), core/v1 ``SetDefaults_PodSpec`` and
``SetDefaults_Container``, and ``pkg/registry/batch/job/strategy.go`` (``PrepareForCreate``,
``generateSelector``).
"""

from __future__ import annotations

import uuid
from typing import Final

from jobsim.k8s.job import (
    Container,
    Job,
    LabelSelector,
    ObjectMeta,
    PodFailurePolicy,
    PodFailurePolicyOnPodConditionsPattern,
    PodFailurePolicyRule,
    PodSpec,
)

MAX_INT32: Final = 2147483647
DEFAULT_BACKOFF_LIMIT: Final = 6
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: Final = 30
JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
LEGACY_JOB_NAME_LABEL: Final = "job-name"
CONTROLLER_UID_LABEL: Final = "batch.kubernetes.io/controller-uid"
LEGACY_CONTROLLER_UID_LABEL: Final = "controller-uid"
JOB_CONTROLLER_NAME: Final = "kubernetes.io/job-controller"

_UID_NAMESPACE: Final = uuid.UUID("6f6a6f62-7369-6d00-0000-000000000000")


def job_uid(namespace: str, name: str) -> str:
    """A deterministic stand-in for the UID the API server assigns (same name, same UID)."""
    return str(uuid.uuid5(_UID_NAMESPACE, f"{namespace}/{name}"))


def _image_pull_policy(image: str | None) -> str:
    """``SetDefaults_Container``: ``Always`` for ``:latest`` or untagged images."""
    if not image:
        return "Always"
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    if ":" not in last or last.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def _default_container(c: Container) -> Container:
    if c.imagePullPolicy:
        return c
    return c.model_copy(update={"imagePullPolicy": _image_pull_policy(c.image)})


def _default_pod_spec(spec: PodSpec) -> PodSpec:
    update: dict[str, object] = {
        "containers": [_default_container(c) for c in spec.containers],
    }
    if spec.initContainers is not None:
        update["initContainers"] = [_default_container(c) for c in spec.initContainers]
    if not spec.restartPolicy:
        update["restartPolicy"] = "Always"
    if spec.terminationGracePeriodSeconds is None:
        update["terminationGracePeriodSeconds"] = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
    if not spec.schedulerName:
        update["schedulerName"] = "default-scheduler"
    return spec.model_copy(update=update)


def _default_pod_failure_policy(pfp: PodFailurePolicy) -> PodFailurePolicy:
    rules: list[PodFailurePolicyRule] = []
    for rule in pfp.rules:
        if rule.onPodConditions:
            patterns = [
                p if p.status else p.model_copy(update={"status": "True"})
                for p in rule.onPodConditions
            ]
            rule = rule.model_copy(update={"onPodConditions": patterns})
        rules.append(rule)
    return pfp.model_copy(update={"rules": rules})


def set_defaults(job: Job) -> Job:
    """Apply ``SetDefaults_Job``, pod-template defaults and selector generation, in that order."""
    spec = job.spec
    meta = job.metadata
    namespace = meta.namespace or "default"
    name = meta.name or ""
    uid = meta.uid or job_uid(namespace, name)
    upd: dict[str, object] = {}
    if spec.completions is None and spec.parallelism is None:
        upd["completions"] = 1
        upd["parallelism"] = 1
    elif spec.parallelism is None:
        upd["parallelism"] = 1
    if spec.backoffLimit is None:
        upd["backoffLimit"] = (
            MAX_INT32 if spec.backoffLimitPerIndex is not None else DEFAULT_BACKOFF_LIMIT
        )
    template_meta = spec.template.metadata or ObjectMeta()
    job_labels = meta.labels
    if not job_labels and template_meta.labels is not None:
        job_labels = dict(template_meta.labels)
    if spec.completionMode is None:
        upd["completionMode"] = "NonIndexed"
    if spec.suspend is None:
        upd["suspend"] = False
    if spec.podReplacementPolicy is None:
        upd["podReplacementPolicy"] = (
            "Failed" if spec.podFailurePolicy is not None else "TerminatingOrFailed"
        )
    if spec.manualSelector is None:
        upd["manualSelector"] = False
    if spec.podFailurePolicy is not None:
        upd["podFailurePolicy"] = _default_pod_failure_policy(spec.podFailurePolicy)

    template_labels = dict(template_meta.labels or {})
    selector = spec.selector
    if not spec.manualSelector:
        for key, value in (
            (JOB_NAME_LABEL, name),
            (LEGACY_JOB_NAME_LABEL, name),
            (CONTROLLER_UID_LABEL, uid),
            (LEGACY_CONTROLLER_UID_LABEL, uid),
        ):
            template_labels.setdefault(key, value)
        match = dict((selector.matchLabels if selector else None) or {})
        match.setdefault(CONTROLLER_UID_LABEL, uid)
        selector = (selector or LabelSelector()).model_copy(update={"matchLabels": match})
        upd["selector"] = selector
    template = spec.template.model_copy(
        update={
            "metadata": template_meta.model_copy(
                update={"labels": template_labels or template_meta.labels}
            ),
            "spec": _default_pod_spec(spec.template.spec),
        }
    )
    upd["template"] = template
    new_meta = meta.model_copy(update={"namespace": namespace, "uid": uid, "labels": job_labels})
    return job.model_copy(update={"spec": spec.model_copy(update=upd), "metadata": new_meta})


__all__ = [
    "CONTROLLER_UID_LABEL",
    "DEFAULT_BACKOFF_LIMIT",
    "JOB_CONTROLLER_NAME",
    "JOB_NAME_LABEL",
    "MAX_INT32",
    "PodFailurePolicyOnPodConditionsPattern",
    "job_uid",
    "set_defaults",
]
