"""What the API server does with a pod affinity term's ``matchLabelKeys``/``mismatchLabelKeys``.

Upstream (gate ``MatchLabelKeysInPodAffinity``, KEP-3633):

- ``pkg/api/pod/util.go`` ``dropDisabledMatchLabelKeysFieldInPodAffinity``: with the gate off,
  both fields of every term (required and preferred, affinity and anti-affinity) are cleared
  on create, before validation (``drop_match_label_keys``; a Job's template through
  ``DropDisabledTemplateFields`` in the Job strategy's ``PrepareForCreate``);
- ``pkg/registry/core/pod/strategy.go`` ``PrepareForCreate`` → ``mutatePodAffinity`` →
  ``applyMatchLabelKeysAndMismatchLabelKeys``: when a pod is created, each term with a
  ``labelSelector`` gets ``key In (value)`` for every ``matchLabelKeys`` key the pod's labels
  carry and ``key NotIn (value)`` for every ``mismatchLabelKeys`` one, appended to its
  ``matchExpressions`` in the keys' order (``merge_label_keys``); a key the pod lacks adds
  nothing, and a term without a selector is left alone (a nil selector matches no pod);
- ``pkg/apis/core/validation`` ``validateMatchLabelKeysAndMismatchLabelKeys``, run by
  ``ValidatePodCreate`` on the merged pod: a ``matchLabelKeys`` key whose merged expression
  finds the key already in the selector is refused ("exists in both matchLabelKeys and
  labelSelector", at ``<term>[i]``), so a pod that carries a key its template's selector also
  names is refused (``refused_pod_errors``).

Pure functions of the pydantic models; no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from jobsim.k8s.errors import FieldError
from jobsim.k8s.job import (
    Affinity,
    Job,
    LabelSelectorRequirement,
    PodAffinity,
    PodAffinityTerm,
)
from jobsim.k8s.validation_affinity import validate_match_mismatch_label_keys

__all__ = [
    "COMPLETION_INDEX_LABEL",
    "POD_REFUSED_NOTE",
    "drop_match_label_keys",
    "job_pod_errors",
    "label_keys",
    "merge_label_keys",
    "refused_pod_errors",
    "uses_label_keys",
]


def _terms(affinity: Affinity | None) -> Iterator[tuple[str, PodAffinityTerm]]:
    """Every pod (anti-)affinity term with its field path under ``affinity``."""
    if affinity is None:
        return
    for field in ("podAffinity", "podAntiAffinity"):
        pa: PodAffinity | None = getattr(affinity, field)
        if pa is None:
            continue
        req = "requiredDuringSchedulingIgnoredDuringExecution"
        for i, t in enumerate(pa.requiredDuringSchedulingIgnoredDuringExecution or ()):
            yield f"{field}.{req}[{i}]", t
        pref = "preferredDuringSchedulingIgnoredDuringExecution"
        for j, w in enumerate(pa.preferredDuringSchedulingIgnoredDuringExecution or ()):
            yield f"{field}.{pref}[{j}].podAffinityTerm", w.podAffinityTerm


def uses_label_keys(affinity: Affinity | None) -> bool:
    """``matchLabelKeysFieldInPodAffinityInUse``: some term sets either field."""
    return any(t.matchLabelKeys or t.mismatchLabelKeys for _, t in _terms(affinity))


def label_keys(affinity: Affinity | None) -> frozenset[str]:
    """Every key a term's ``matchLabelKeys`` or ``mismatchLabelKeys`` names."""
    return frozenset(
        k
        for _, t in _terms(affinity)
        for k in (*(t.matchLabelKeys or ()), *(t.mismatchLabelKeys or ()))
    )


def _map_terms(
    affinity: Affinity, change: Callable[[PodAffinityTerm], PodAffinityTerm]
) -> Affinity:
    """``affinity`` with ``change`` (a function of a term) applied to every pod term."""

    def one(pa: PodAffinity | None) -> PodAffinity | None:
        if pa is None:
            return None
        req = pa.requiredDuringSchedulingIgnoredDuringExecution
        pref = pa.preferredDuringSchedulingIgnoredDuringExecution
        return pa.model_copy(
            update={
                "requiredDuringSchedulingIgnoredDuringExecution": None
                if req is None
                else [change(t) for t in req],
                "preferredDuringSchedulingIgnoredDuringExecution": None
                if pref is None
                else [
                    w.model_copy(update={"podAffinityTerm": change(w.podAffinityTerm)})
                    for w in pref
                ],
            }
        )

    return affinity.model_copy(
        update={
            "podAffinity": one(affinity.podAffinity),
            "podAntiAffinity": one(affinity.podAntiAffinity),
        }
    )


def drop_match_label_keys(affinity: Affinity | None) -> Affinity | None:
    """``dropMatchLabelKeysFieldInPodAffnityTerm`` over every term: both fields nil. The same
    object when no term sets them."""
    if affinity is None or not uses_label_keys(affinity):
        return affinity

    def drop(t: PodAffinityTerm) -> PodAffinityTerm:
        return t.model_copy(update={"matchLabelKeys": None, "mismatchLabelKeys": None})

    return _map_terms(affinity, drop)


def _merged(term: PodAffinityTerm, labels: Mapping[str, str]) -> PodAffinityTerm:
    """``applyMatchLabelKeysAndMismatchLabelKeys`` on one term."""
    selector = term.labelSelector
    if (not term.matchLabelKeys and not term.mismatchLabelKeys) or selector is None:
        return term
    added = [
        LabelSelectorRequirement(key=k, operator=op, values=[labels[k]])
        for keys, op in ((term.matchLabelKeys, "In"), (term.mismatchLabelKeys, "NotIn"))
        for k in keys or ()
        if k in labels
    ]
    if not added:
        return term
    exprs = [*(selector.matchExpressions or ()), *added]
    return term.model_copy(
        update={"labelSelector": selector.model_copy(update={"matchExpressions": exprs})}
    )


def merge_label_keys(affinity: Affinity | None, labels: Mapping[str, str]) -> Affinity | None:
    """``mutatePodAffinity``: the affinity of a pod with ``labels`` as the API server stores it
    (the gate's fields already dropped when it is off). The same object when nothing merges."""
    if affinity is None or not uses_label_keys(affinity):
        return affinity
    return _map_terms(affinity, lambda t: _merged(t, labels))


def refused_pod_errors(
    affinity: Affinity | None, labels: Mapping[str, str], path: str
) -> list[FieldError]:
    """What ``ValidatePodCreate`` refuses in the affinity of a pod with ``labels`` whose
    template's affinity, valid, is ``affinity`` (at ``path``): the merged terms checked by
    ``validateMatchLabelKeysAndMismatchLabelKeys``, which finds a ``matchLabelKeys`` key the
    selector already had ("exists in both matchLabelKeys and labelSelector", at ``<term>[i]``)."""
    errs: list[FieldError] = []
    for tpath, term in _terms(affinity):
        merged = _merged(term, labels)
        if merged is not term:
            errs.extend(validate_match_mismatch_label_keys(merged, f"{path}.{tpath}"))
    return errs


COMPLETION_INDEX_LABEL = "batch.kubernetes.io/job-completion-index"
POD_REFUSED_NOTE = (
    " (the API server refuses each pod of this Job on create: the pod carries the label, so "
    "its merged selector names the key twice)"
)


def job_pod_errors(job: Job) -> list[FieldError]:
    """``refused_pod_errors`` for the pods the Job controller would create: the template's
    labels (defaulted: the Job's name and controller uid), plus the completion index of an
    Indexed Job; located at the template's affinity."""
    template = job.spec.template
    affinity = template.spec.affinity
    if not uses_label_keys(affinity):
        return []
    labels = dict(template.metadata.labels or {}) if template.metadata is not None else {}
    if job.spec.completionMode == "Indexed":
        labels.setdefault(COMPLETION_INDEX_LABEL, "0")
    return refused_pod_errors(affinity, labels, "spec.template.spec.affinity")
