"""Helper cases whose upstream function is a part of one sync: run on a seeded snapshot
through the sync step that holds it in jobsim.

| upstream test | jobsim |
|---|---|
| TestIsIndexFailed | ``sim.syncctx.is_index_failed`` |
| TestCalculateFailedIndexes | ``sim.terminal.decide_terminal`` (``ctx.failed_indexes``) |
| TestGetPodsWithDelayedDeletionPerIndex | ``sim.terminal.decide_terminal`` (``ctx.delayed``) |
| TestGetNewIndexFailureCountValue | ``sim.manage.new_index_failure_counts`` |
| TestGetPodCreationInfoForIndependentIndexes | ``sim.manage.independent_indexes`` |
| TestAppendDuplicatedIndexPodsForRemoval | ``sim.manage.pods_for_removal`` |
| TestEnsureJobConditions | ``sim.tracking.ensure_condition`` |
| TestPodGenerateNameWithIndex | ``sim.jobs.JobRuntime.pod_name`` (its prefix) |
| TestJobBackoff | ``sim.controller.JobController``'s informer (``pod_updated``/``pod_terminal``) |

Upstream builds these tests' Jobs with only the fields the case gives; a Job with
``backoffLimitPerIndex`` is Indexed (the API allows nothing else), so the runner makes it so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobsim.parity.compare import conditions_view, diff
from jobsim.parity.snapshot import Seeded, seed
from jobsim.parity.sync_cases import case_manifest, case_pods
from jobsim.parity.values import (
    NOW,
    CaseInputError,
    CaseUnsupported,
    as_index,
    as_int,
    as_intervals,
    as_time,
)
from jobsim.sim.controller import JobController
from jobsim.sim.engine import Clock
from jobsim.sim.manage import independent_indexes, new_index_failure_counts, pods_for_removal
from jobsim.sim.syncctx import SyncCtx, is_index_failed, new_sync_ctx
from jobsim.sim.terminal import decide_terminal
from jobsim.sim.tracking import ensure_condition

__all__ = ["STEPS"]

Case = Mapping[str, Any]


def _seeded(case: Case, pods: Any, status: Mapping[str, Any] | None = None) -> Seeded:
    job = dict(case.get("job") or {})
    if "backoffLimitPerIndex" in job:
        job.setdefault("completionMode", "Indexed")
    status = dict(status if status is not None else case.get("initialStatus") or {})
    return seed(case_manifest(job), status, case_pods(pods, NOW, ""), NOW)


def _expect(case: Case) -> dict[str, Any]:
    return dict(case.get("expect") or {})


def _is_index_failed_case(case: Case) -> list[str]:
    """``isIndexFailed`` of one pod."""
    s = _seeded(case, [case.get("pod") or {}])
    return diff(_expect(case), {"indexFailed": is_index_failed(s.pods[0], s.job)})


def _terminal_ctx(s: Seeded) -> SyncCtx:
    ctx = new_sync_ctx(s.job, s.env.now)
    decide_terminal(s.env, ctx)
    return ctx


def _calculate_failed_indexes_case(case: Case) -> list[str]:
    """``calculateFailedIndexes``: the status' failed indexes and the newly failed ones."""
    ctx = _terminal_ctx(_seeded(case, case.get("pods")))
    got = as_intervals(sorted(ctx.failed_indexes or ()))
    return diff(_expect(case), {"failedIntervals": got})


def _delayed_deletion_case(case: Case) -> list[str]:
    """``getPodsWithDelayedDeletionPerIndex``: per index, the failed pod kept for its
    replacement."""
    ctx = _terminal_ctx(_seeded(case, case.get("pods")))
    names = [ctx.delayed[ix].name for ix in sorted(ctx.delayed)]
    return diff(_expect(case), {"podsWithDelayedDeletion": names})


def _new_index_failure_count_case(case: Case) -> list[str]:
    """``getNewIndexFailureCounts`` of a pod replacing ``replacedPod`` (null: the first)."""
    replaced = case.get("replacedPod")
    s = _seeded(case, [] if replaced is None else [replaced])
    failures, ignored = new_index_failure_counts(s.job, s.pods[0] if s.pods else None)
    actual = {"indexFailureCount": failures, "indexIgnoredFailureCount": ignored}
    return diff(_expect(case), actual)


def _pod_creation_info_case(case: Case) -> list[str]:
    """``getPodCreationInfoForIndependentIndexes``: the indexes whose backoff is over, else
    the shortest remaining wait."""
    delayed = case.get("podsWithDelayedDeletionPerIndex") or {}
    pods = [{"phase": "Failed", **p, "index": str(ix)} for ix, p in delayed.items()]
    now = as_time(case.get("clock"), "clock") or NOW
    s = _seeded(case, pods)
    ctx = SyncCtx(job=s.job, now=now)
    ctx.delayed = {p.index: p for p in s.pods if p.index is not None}
    indexes = [as_int(i, "indexesToAdd") for i in case.get("indexesToAdd") or []]
    timing = s.env.timing
    ready, wait = independent_indexes(
        ctx, indexes, timing.podFailureBackoffBase, timing.podFailureBackoffMax
    )
    actual = {"indexesToAdd": ready or None, "remainingSeconds": 0 if wait is None else wait[0]}
    return diff(_expect(case), actual)


def _duplicated_index_pods_case(case: Case) -> list[str]:
    """``appendDuplicatedIndexPodsForRemoval``: pods of no, out-of-range or repeated indexes
    to remove, in order; the kept pods (the rest, by index) alongside."""
    given = list(case.get("pods") or [])
    job = {"completionMode": "Indexed", "completions": as_int(case.get("completions"), "c")}
    s = _seeded({"job": job}, [{**p, "name": f"pod-{i}"} for i, p in enumerate(given)])
    s.job.indexes_trimmed = True  # look for them even with nothing to scale down
    chosen = pods_for_removal(s.job, list(s.job.active.values()), 0)
    by_name = {f"pod-{i}": p for i, p in enumerate(given)}
    removed = {p.name for p in chosen}
    kept = sorted(
        (p for p in s.pods if p.name not in removed),
        key=lambda p: -1 if p.index is None else p.index,
    )

    def view(names: list[str]) -> list[dict[str, str]]:
        return [{"index": str(by_name[n]["index"]), "phase": by_name[n]["phase"]} for n in names]

    actual = {
        "removeOrdered": view([p.name for p in chosen]),
        "keepOrdered": view([p.name for p in kept]),
    }
    return diff(_expect(case), actual)


def _ensure_conditions_case(case: Case) -> list[str]:
    """``ensureJobConditionStatus`` on the ``have`` list with the ``want`` condition."""
    s = _seeded({"job": {}}, [], {"conditions": case.get("have") or []})
    want = case.get("want") or {}
    updated = ensure_condition(
        s.env,
        s.job,
        str(want.get("type")),
        str(want.get("status")),
        str(want.get("reason") or ""),
        str(want.get("message") or ""),
    )
    actual = {"list": conditions_view(s.job.conditions), "updated": updated}
    expect = _expect(case)
    expect["list"] = conditions_view(expect.get("list"))
    return diff(expect, actual)


def _generate_name_case(case: Case) -> list[str]:
    """``podGenerateNameWithIndex``: the generateName of a pod of an index."""
    index = as_index(case.get("index"))
    if index is None:
        raise CaseInputError("index: expected a completion index")
    s = _seeded({"job": {"name": str(case.get("jobName") or "")}}, [])
    name = s.job.pod_name(index)
    return diff(_expect(case), {"generateName": name[:-5]})  # 5 random characters follow


def _pod_update_case(case: Case) -> list[str]:
    """A pod update seen by the informer (``updatePod``): the Job's next sync is queued after
    the batch period, whatever the pod-failure backoff (``enqueueAfterSeconds``)."""
    event = case.get("event") or {}
    update = event.get("podUpdate") if isinstance(event, Mapping) else None
    if not isinstance(update, Mapping):
        raise CaseUnsupported("event: only a podUpdate is understood")
    old, new = str(update.get("oldPhase", "Running")), str(update.get("newPhase", "Running"))
    s = _seeded(case, [{"name": "pod", "phase": old}])
    clock = Clock()
    controller = JobController(
        clock, s.env.timing, s.env.recorder, s.env.create_pod, s.env.delete_pod, s.env.pod_gone
    )
    pod = s.pods[0]
    pod.phase = new
    if pod.terminal:  # the kubelet's report of a finished pod
        controller.pod_terminal(pod)
    else:
        controller.pod_updated(pod)
    queued = None if s.job.sync_at is None else s.job.sync_at - clock.now
    return diff(_expect(case), {"enqueueAfterSeconds": queued})


STEPS: dict[str, Callable[[Case], list[str]]] = {
    "TestIsIndexFailed": _is_index_failed_case,
    "TestCalculateFailedIndexes": _calculate_failed_indexes_case,
    "TestGetPodsWithDelayedDeletionPerIndex": _delayed_deletion_case,
    "TestGetNewIndexFailureCountValue": _new_index_failure_count_case,
    "TestGetPodCreationInfoForIndependentIndexes": _pod_creation_info_case,
    "TestAppendDuplicatedIndexPodsForRemoval": _duplicated_index_pods_case,
    "TestEnsureJobConditions": _ensure_conditions_case,
    "TestPodGenerateNameWithIndex": _generate_name_case,
    "TestJobBackoff": _pod_update_case,
}
"""The helper tests run through a sync step, by upstream test function."""
