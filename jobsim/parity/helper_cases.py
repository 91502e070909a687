"""Helper cases of the upstream-cases format, each run through its ``jobsim.policy`` function.

| upstream test | jobsim function |
|---|---|
| TestNewBackoffRecord | ``policy.backoff.new_backoff_record`` |
| TestGetRemainingBackoffTime | ``policy.backoff.remaining_time`` |
| TestGetRemainingBackoffTimePerIndex | ``policy.backoff.index_remaining_time`` |
| TestGetFinishedTime | ``policy.finish_time.pod_finished_time`` |
| TestMatchPodFailurePolicy | ``policy.pod_failure_policy.match_pod_failure_policy`` |
| TestMatchSuccessPolicy | ``policy.success_policy.match_success_policy`` |
| TestFirstPendingIndexes | ``policy.intervals.first_pending_indexes`` |
| TestCalculateSucceededIndexes | ``policy.intervals.parse_indexes``, new succeeded pods added |
| TestIntervalsHaveIndex | ``policy.intervals.intervals_have_index`` |
| TestGetIndexFailureCount | ``policy.backoff.index_failure_count`` |

Each returns the differences from the case's ``expect`` (empty: it passes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from jobsim.k8s.features import FeatureGates
from jobsim.k8s.job import PodFailurePolicy, SuccessPolicy
from jobsim.parity.compare import diff
from jobsim.parity.values import (
    CaseInputError,
    as_failure_count,
    as_index,
    as_int,
    as_intervals,
    as_time,
    container_state,
)
from jobsim.policy.backoff import (
    BackoffRecord,
    index_failure_count,
    index_remaining_time,
    new_backoff_record,
    remaining_time,
)
from jobsim.policy.finish_time import pod_finished_time
from jobsim.policy.intervals import first_pending_indexes, intervals_have_index, parse_indexes
from jobsim.policy.pod_failure_policy import ContainerExit, FailedPod, match_pod_failure_policy
from jobsim.policy.success_policy import match_success_policy

__all__ = ["GATED_HELPERS", "HELPERS", "NOT_MODELLED"]

Case = Mapping[str, Any]


def _expect(case: Case) -> dict[str, Any]:
    return dict(case.get("expect") or {})


def _times(values: Any, where: str) -> list[float]:
    out: list[float] = []
    for i, v in enumerate(values or []):
        t = as_time(v, f"{where}[{i}]")
        if t is None:
            raise CaseInputError(f"{where}[{i}]: expected a time")
        out.append(t)
    return out


def _record(data: Any, where: str) -> BackoffRecord:
    if data is None:
        return BackoffRecord()
    return BackoffRecord(
        as_int(data.get("failuresAfterLastSuccess"), f"{where}.failuresAfterLastSuccess"),
        as_time(data.get("lastFailureTime"), f"{where}.lastFailureTime"),
    )


def _time_expect(expect: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if key in expect:
            expect[key] = as_time(expect[key], f"expect.{key}")
    return expect


def _new_backoff_record_case(case: Case) -> list[str]:
    """``newBackoffRecord`` from the store before and the new pods' finish times."""
    record = new_backoff_record(
        _record(case.get("storeBefore"), "storeBefore"),
        _times(case.get("newSucceededFinishedAt"), "newSucceededFinishedAt"),
        _times(case.get("newFailedFinishedAt"), "newFailedFinishedAt"),
    )
    actual = {
        "lastFailureTime": record.last_failure_time,
        "failuresAfterLastSuccess": record.failures_after_last_success,
    }
    return diff(_time_expect(_expect(case), "lastFailureTime"), actual)


def _remaining_time_case(case: Case) -> list[str]:
    """``getRemainingTime`` of a backoff record at ``currentTime``."""
    now = as_time(case.get("currentTime"), "currentTime") or 0.0
    remaining = remaining_time(
        _record(case.get("backoffRecord"), "backoffRecord"),
        now,
        float(as_int(case.get("defaultBackoffSeconds"), "defaultBackoffSeconds", 10)),
        float(as_int(case.get("maxBackoffSeconds"), "maxBackoffSeconds", 600)),
    )
    return diff(_expect(case), {"remainingSeconds": remaining})


def _finished_time(pod: Mapping[str, Any], where: str) -> float:
    """``getFinishedTime`` of a pod written as the helper tests write it. An init container
    with ``restartPolicy: Always`` is a sidecar, whose status counts (SidecarContainers, GA);
    a zero (or no) ``finishedAt`` counts as not terminated."""
    finished = [
        container_state(c, f"{where}.containers[{i}]")[2] or None
        for i, c in enumerate(pod.get("containers") or [])
    ]
    sidecars = [
        container_state(c, f"{where}.initContainers[{i}]")[2] or None
        for i, c in enumerate(pod.get("initContainers") or [])
        if isinstance(c, Mapping) and c.get("restartPolicy") == "Always"
    ]
    ready_false = None
    for c in pod.get("conditions") or []:
        if c.get("type") == "Ready" and c.get("status") == "False":
            ready_false = as_time(c.get("lastTransitionTime"), f"{where}.conditions")
    deletion = as_time(pod.get("deletionTimestamp"), f"{where}.deletionTimestamp")
    grace = pod.get("deletionGracePeriodSeconds")
    return pod_finished_time(
        container_finished_at=finished,
        ready_false_since=ready_false,
        deletion_timestamp=deletion,
        deletion_grace_period=None if grace is None else float(grace),
        created_at=as_time(pod.get("creationTimestamp"), f"{where}.creationTimestamp") or 0.0,
        sidecar_finished_at=sidecars,
    )


def _finished_time_case(case: Case) -> list[str]:
    """``getFinishedTime`` of one pod."""
    pod = case.get("pod")
    if not isinstance(pod, Mapping):
        raise CaseInputError("pod: expected a mapping")
    actual = {"finishedTime": _finished_time(pod, "pod")}
    return diff(_time_expect(_expect(case), "finishedTime"), actual)


def _remaining_time_per_index_case(case: Case) -> list[str]:
    """``getRemainingTimePerIndex`` from the index's last failed pod."""
    now = as_time(case.get("currentTime"), "currentTime") or 0.0
    base = float(as_int(case.get("defaultBackoffSeconds"), "defaultBackoffSeconds", 10))
    cap = float(as_int(case.get("maxBackoffSeconds"), "maxBackoffSeconds", 600))
    pod = case.get("lastFailedPod")
    remaining = 0.0
    if isinstance(pod, Mapping):
        remaining = index_remaining_time(
            as_failure_count(pod.get("indexFailureCount")),
            as_failure_count(pod.get("indexIgnoredFailureCount")),
            _finished_time(pod, "lastFailedPod"),
            now,
            base,
            cap,
        )
    return diff(_expect(case), {"remainingSeconds": remaining})


def _exits(entries: Any, where: str) -> list[ContainerExit]:
    out = []
    for i, c in enumerate(entries or []):
        name, code, _ = container_state(c, f"{where}[{i}]")
        out.append(ContainerExit(name, code))
    return out


def _match_pod_failure_policy_case(case: Case) -> list[str]:
    """``matchPodFailurePolicy`` for a failed pod ``default/mypod``: the message, whether it
    counts, and the matched rule's action and ``name`` (``ruleName``, null when unset;
    upstream returns the matched rule itself)."""
    data = case.get("podFailurePolicy")
    names: list[Any] = []
    if isinstance(data, Mapping) and isinstance(data.get("rules"), list):
        # rules[].name (KEP-4443, gate PodFailurePolicyName, alpha targeted at 1.38) is in
        # no release jobsim models: read here, the rule matched by its index
        names = [r.get("name") if isinstance(r, Mapping) else None for r in data["rules"]]
        rules = [_without_name(r) for r in data["rules"]]
        data = {**data, "rules": rules}
    try:
        policy = PodFailurePolicy.model_validate(data)
    except ValidationError as e:
        return [f"podFailurePolicy not accepted: {_first_error(e)}"]
    pod = case.get("pod") or {}
    view = FailedPod(
        "default",
        str(pod.get("name") or "mypod"),
        _exits(pod.get("containers"), "pod.containers"),
        _exits(pod.get("initContainers"), "pod.initContainers"),
        [(str(c["type"]), str(c.get("status", "True"))) for c in pod.get("conditions") or []],
    )
    m = match_pod_failure_policy(policy, view)
    actual = {
        "message": m.fail_job_message,
        "countFailed": m.count_failed,
        "action": m.action,
        "ruleName": None if m.rule is None else names[m.rule],
    }
    return diff(_expect(case), actual)


def _without_name(rule: Any) -> Any:
    if isinstance(rule, Mapping) and "name" in rule:
        return {k: v for k, v in rule.items() if k != "name"}
    return rule


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def _intervals(data: Any, where: str) -> set[int]:
    out: set[int] = set()
    for i, pair in enumerate(data or []):
        first, last = (as_int(v, f"{where}[{i}]") for v in pair)
        out.update(range(first, last + 1))
    return out


def _match_success_policy_case(case: Case, gates: FeatureGates) -> list[str]:
    """``matchSuccessPolicy`` over the succeeded intervals; with JobSuccessPolicy off it
    matches nothing (its first check; jobsim's sync checks the gate before calling)."""
    data = case.get("successPolicy")
    try:
        policy = None if data is None else SuccessPolicy.model_validate(data)
    except ValidationError as e:
        return [f"successPolicy not accepted: {_first_error(e)}"]
    completions = as_int(case.get("completions"), "completions")
    succeeded = _intervals(case.get("succeededIntervals"), "succeededIntervals")
    message = match_success_policy(policy, completions, succeeded)
    if not gates.JobSuccessPolicy:
        message = None
    actual = {"metSuccessPolicy": message is not None, "message": message or ""}
    return diff(_expect(case), actual)


def _first_pending_indexes_case(case: Case) -> list[str]:
    """``firstPendingIndexes`` over active pods, succeeded and failed intervals."""
    completions = as_int(case.get("completions"), "completions")
    done = _intervals(case.get("succeededIntervals"), "succeededIntervals")
    done |= _intervals(case.get("failedIntervals"), "failedIntervals")
    for p in case.get("activePods") or []:
        ix = as_index(p.get("index"))
        if ix is not None:
            done.add(ix)
    got = first_pending_indexes(done, as_int(case.get("cnt"), "cnt"), completions)
    return diff(_expect(case), {"indexes": got})


def _calculate_succeeded_indexes_case(case: Case) -> list[str]:
    """``calculateSucceededIndexes``: the status' completed indexes (``parseIndexesFromString``)
    and those with the new succeeded pods of a valid index added."""
    completions = as_int(case.get("completions"), "completions")
    initial = case.get("initialStatus") or {}
    previous = parse_indexes(str(initial.get("completedIndexes") or ""), completions)
    new = {
        ix
        for p in case.get("pods") or []
        if p.get("phase") == "Succeeded"
        and (ix := as_index(p.get("index"))) is not None
        and ix < completions
    }
    actual = {
        "statusIntervals": as_intervals(previous),
        "intervals": as_intervals(sorted(set(previous) | new)),
    }
    return diff(_expect(case), actual)


def _intervals_have_index_case(case: Case) -> list[str]:
    """``orderedIntervals.has`` of one index."""
    intervals = [
        (as_int(a, f"intervals[{i}]"), as_int(b, f"intervals[{i}]"))
        for i, (a, b) in enumerate(case.get("intervals") or [])
    ]
    got = intervals_have_index(intervals, as_int(case.get("index"), "index"))
    return diff(_expect(case), {"has": got})


def _index_failure_count_case(case: Case) -> list[str]:
    """``getIndexFailureCount`` of a pod's annotation (null: no annotation)."""
    pod = case.get("pod") or {}
    value = pod.get("indexFailureCount")
    if isinstance(value, bool):
        raise CaseInputError("pod.indexFailureCount: expected an annotation value")
    got = index_failure_count(None if value is None else str(value))
    return diff(_expect(case), {"indexFailureCount": got})


NOT_MODELLED: dict[str, str] = {}
"""Helper tests of upstream functions jobsim has no counterpart of, with the reason."""

GATED_HELPERS: dict[str, Callable[[Case, FeatureGates], list[str]]] = {
    "TestMatchSuccessPolicy": _match_success_policy_case,
}
"""The helper tests whose upstream function reads a Job feature gate: run with the case's."""

HELPERS: dict[str, Callable[[Case], list[str]]] = {
    "TestNewBackoffRecord": _new_backoff_record_case,
    "TestGetRemainingBackoffTime": _remaining_time_case,
    "TestGetRemainingBackoffTimePerIndex": _remaining_time_per_index_case,
    "TestGetFinishedTime": _finished_time_case,
    "TestMatchPodFailurePolicy": _match_pod_failure_policy_case,
    "TestFirstPendingIndexes": _first_pending_indexes_case,
    "TestCalculateSucceededIndexes": _calculate_succeeded_indexes_case,
    "TestIntervalsHaveIndex": _intervals_have_index_case,
    "TestGetIndexFailureCount": _index_failure_count_case,
}
"""The helper tests the runner knows, by upstream test function."""
