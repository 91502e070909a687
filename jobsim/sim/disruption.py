"""The Eviction API's PodDisruptionBudget check, with the disruption controller's status
computed at the instant it is read (informers are instantaneous, as everywhere in jobsim).

Upstream: ``pkg/registry/core/pod/storage/eviction.go`` (``EvictionREST.Create``,
``canIgnorePDB``, ``checkAndDecrement``, ``getPodDisruptionBudgets``) and
``pkg/controller/disruption/disruption.go`` (``getExpectedPodCount``, ``countHealthyPods``,
``updatePdbStatus``, ``failSafe``). An evicted pod gets its deletionTimestamp at once, so it
no longer counts as healthy: that stands for the ``DisruptedPods`` map of the budget's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from jobsim.k8s.pdb import PodDisruptionBudget, desired_healthy, disruptions_allowed
from jobsim.k8s.validation_core import Matcher, selector_matcher
from jobsim.sim.objects import RUNNING, Pod

__all__ = ["MULTIPLE_BUDGETS", "VIOLATES_BUDGET", "Budgets", "Refusal", "pod_labels"]

VIOLATES_BUDGET: Final = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_BUDGETS = (
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not "
    "support."
)
INDEX_LABEL: Final = "batch.kubernetes.io/job-completion-index"


@dataclass(frozen=True, slots=True)
class Refusal:
    """An eviction the API server refused: HTTP ``code`` (429 retryable, 500 not)."""

    code: int
    budget: str
    message: str


def pod_labels(pod: Pod) -> Mapping[str, str]:
    """A Job pod's labels: its template's (the Job controller's labels included, added by
    the API server's defaulting) and, for an Indexed Job, the completion index
    (``batch.kubernetes.io/job-completion-index``, PodIndexLabel)."""
    labels: dict[str, str] = dict(pod.job.job.spec.template.metadata.labels or {})
    if pod.index is not None:
        labels[INDEX_LABEL] = str(pod.index)
    return labels


class Budgets:
    """The scenario's PodDisruptionBudgets, asked by each eviction."""

    def __init__(
        self, budgets: list[PodDisruptionBudget], pods: Callable[[str], Iterable[Pod]]
    ) -> None:
        self.budgets = budgets
        self.pods = pods  # the live pods of a namespace
        self._matchers: list[Matcher] = [
            selector_matcher(b.spec.selector) or (lambda _labels: False) for b in budgets
        ]
        self._labels: dict[tuple[str, int | None], Mapping[str, str]] = {}

    def _labels_of(self, pod: Pod) -> Mapping[str, str]:
        """``pod_labels``, once per Job and index."""
        key = (pod.job.key, pod.index)
        labels = self._labels.get(key)
        if labels is None:
            labels = self._labels[key] = pod_labels(pod)
        return labels

    def check(self, pod: Pod) -> Refusal | None:
        """``EvictionREST.Create``'s decision for ``pod``: None to evict it, else why not."""
        if pod.phase != RUNNING or pod.deletion_ts is not None:
            return None  # canIgnorePDB: Pending, Succeeded, Failed or already being deleted
        ns = pod.job.namespace
        labels = self._labels_of(pod)
        found = [
            i for i, b in enumerate(self.budgets) if b.namespace == ns and self._matchers[i](labels)
        ]
        if len(found) > 1:
            return Refusal(500, self.budgets[found[0]].name, MULTIPLE_BUDGETS)
        if not found:
            return None
        i = found[0]
        budget = self.budgets[i]
        covered = [p for p in self.pods(ns) if self._matchers[i](self._labels_of(p))]
        healthy = sum(1 for p in covered if p.deletion_ts is None and p.ready)
        counts = desired_healthy(budget.spec, len(covered))
        if counts is None:
            # failSafe (a Job has no scale): disruptionsAllowed 0, the status' other numbers
            # as they were, 0 for a budget the controller never synced.
            healthy, desired, allowed = 0, 0, 0
        else:
            expected, desired = counts
            allowed = disruptions_allowed(healthy, desired, expected)
        if not pod.ready:
            if budget.spec.unhealthyPodEvictionPolicy == "AlwaysAllow":
                return None
            if healthy >= desired > 0:
                return None  # IfHealthyBudget: the application is not disrupted now
        if allowed == 0:
            return Refusal(
                429,
                budget.name,
                f"{VIOLATES_BUDGET} The disruption budget {budget.name} needs {desired} "
                f"healthy pods and has {healthy} currently",
            )
        return None
