"""Sync cases of the upstream-cases format: a Job, its status and pods, one ``syncJob``.

Each case becomes a ``sync_once`` snapshot as ``harness`` describes upstream's test helpers:
a Job ``foobar`` in ``default`` with one container and no API defaulting, pods grouped as
``{phase, count}``, ``terminating`` pods Running with a deletionTimestamp, the tracking
finalizer on every pod unless ``trackingFinalizer: false``. The outcome is read as the
``expectMeaning`` of ``harness`` says (``creations``, ``deletions``, ``podPatches`` =
tracking-finalizer removals, the status counters) and compared with ``expect`` over the test's
``expectDefaults``, or with ``statusExact``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from jobsim.k8s.features import (
    DEFAULT_GATES,
    RELEASES,
    FeatureGateError,
    FeatureGates,
    feature_gates,
)
from jobsim.parity.compare import (
    conditions_view,
    diff,
    merged_expect,
    status_exact_view,
)
from jobsim.parity.multi_sync import MULTI_SYNC_EXPECT, run_multi_sync
from jobsim.parity.snapshot import PodSnapshot, SnapshotError, SyncOutcome, seed, sync_once
from jobsim.parity.values import (
    NOW,
    CaseInputError,
    CaseUnsupported,
    as_failure_count,
    as_index,
    as_int,
    as_time,
    container_state,
)
from jobsim.policy.backoff import BackoffRecord

__all__ = [
    "CASE_KEYS",
    "EXPECT_KEYS",
    "case_gates",
    "case_manifest",
    "case_pods",
    "gates_off_reason",
    "implicit_expect",
    "run_sync_case",
    "unsupported_reasons",
]

# Keys a sync case may have that the runner understands (the rest makes it UNSUPPORTED).
CASE_KEYS = frozenset(
    {
        "test",
        "name",
        "gates",
        "matchesCurrentDefaults",
        "emulationVersion",
        "job",
        "initialStatus",
        "pods",
        "expect",
        "note",
        "upstreamRef",
        "backoffRecord",
        "controllerClock",
        "harness",
        "apiErrors",
        "podControlError",
        "podCreateLimit",
        "statusUpdateError",
        "expectSyncError",
        "pendingExpectations",
        "podAppearsDuringExpectationsCheck",
        "update",
    }
)
# What one sync from a snapshot shows.
EXPECT_KEYS = frozenset(
    {
        "creations",
        "deletions",
        "podPatches",
        "active",
        "ready",
        "succeeded",
        "failed",
        "terminating",
        "completedIndexes",
        "failedIndexes",
        "conditions",
        "createdIndexes",
        "statusExact",
        "statusUpdated",
        "conditionCount",
        "conditionsOfTypeFailed",
        "failedConditionStatus",
    }
    | MULTI_SYNC_EXPECT
)
# Keys of a case's job that are not JobSpec fields; every other key is one.
_JOB_HARNESS_KEYS = frozenset({"name", "restartPolicy", "deleting", "notInInformer"})
_POD_KEYS = frozenset(
    {
        "phase",
        "count",
        "uid",
        "name",
        "index",
        "indexFailureCount",
        "indexIgnoredFailureCount",
        "ready",
        "terminating",
        "deleted",
        "deletedAgoSeconds",
        "trackingFinalizer",
        "containers",
        "initContainers",
        "conditions",
        "restartCounts",
    }
)
_STATUS_KEYS = frozenset(
    {
        "active",
        "ready",
        "terminating",
        "succeeded",
        "failed",
        "completedIndexes",
        "failedIndexes",
        "startTime",
        "startTimeAgoSeconds",
        "completionTime",
        "conditions",
        "uncountedTerminatedPods",
    }
)


def unsupported_reasons(case: Mapping[str, Any]) -> list[str]:
    """Why a sync case cannot run on jobsim today (empty: it can)."""
    reasons: list[str] = []
    if case.get("apiErrors"):
        kinds = [k for k in ("podControlError", "podCreateLimit", "statusUpdateError") if k in case]
        what = ", ".join(kinds) if kinds else "in its steps"
        reasons.append(f"API errors: the case injects fake-client failures ({what})")
    if case.get("pendingExpectations"):
        reasons.append(
            "informer expectations: unsatisfied expectations "
            f"({case['pendingExpectations']}) are not modelled (jobsim's informer is instantaneous)"
        )
    extra = sorted(str(k) for k in case if k not in CASE_KEYS)
    if extra:
        reasons.append(f"case keys not understood by a single sync: {', '.join(extra)}")
    expect = case.get("expect") or {}
    if isinstance(expect, Mapping):
        unknown = sorted(str(k) for k in expect if k not in EXPECT_KEYS)
        if unknown:
            reasons.append(f"expectations jobsim does not show: {', '.join(unknown)}")
    return reasons


def case_gates(case: Mapping[str, Any]) -> FeatureGates:
    """The feature gates a case runs with: those of its ``emulationVersion`` with its
    ``gates`` set (``gates: defaults``: none). Without an ``emulationVersion`` the case runs
    on the newest release that lets it set its gates: upstream's test then set them with
    ``SetFeatureGateDuringTest`` alone, which only a release where they were not yet locked
    allowed (the test file predates the lock; e.g. success_policy_test.go switches
    JobSuccessPolicy off, GA and locked from 1.33: it runs on 1.32). ``CaseInputError`` with
    the API server's words for a gate no release lets the case set."""
    gates = case.get("gates")
    overrides = gates if isinstance(gates, Mapping) else None
    release = case.get("emulationVersion")
    try:
        if release is None and overrides:
            for candidate in reversed(RELEASES):
                try:
                    return feature_gates(candidate, overrides)
                except FeatureGateError:
                    continue
        return feature_gates(None if release is None else str(release), overrides)
    except FeatureGateError as e:
        where = "emulationVersion" if str(e).startswith("unknown Kubernetes release") else "gates"
        raise CaseInputError(f"{where}: {e}") from None


def gates_off_reason(case: Mapping[str, Any]) -> str | None:
    """The reason a helper case that switches feature gates off cannot run (the helpers
    run on the newest release); None if it switches none off (``gates: defaults`` or every
    gate it names on)."""
    gates = case.get("gates")
    if not isinstance(gates, Mapping):
        return None
    off = sorted(str(g) for g, on in gates.items() if on is False)
    if not off:
        return None
    return (
        f"feature gates off ({', '.join(off)}): helper functions run on the newest release, "
        "every Job gate on"
    )


def case_manifest(job: Mapping[str, Any]) -> dict[str, Any]:
    """The batch/v1 manifest of a case's ``job``: ``harness.common.jobIdentity`` (foobar in
    default, selector and labels foo=bar, one container foo/bar) and the spec fields given,
    nothing defaulted."""
    spec: dict[str, Any] = {k: v for k, v in job.items() if k not in _JOB_HARNESS_KEYS}
    template_spec: dict[str, Any] = {"containers": [{"name": "foo", "image": "foo/bar"}]}
    if job.get("restartPolicy") is not None:
        template_spec["restartPolicy"] = job["restartPolicy"]
    spec["selector"] = {"matchLabels": {"foo": "bar"}}
    spec["template"] = {"metadata": {"labels": {"foo": "bar"}}, "spec": template_spec}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": str(job.get("name") or "foobar"), "namespace": "default"},
        "spec": spec,
    }


def _status(initial: Mapping[str, Any], now: float) -> dict[str, Any]:
    unknown = sorted(str(k) for k in initial if k not in _STATUS_KEYS)
    if unknown:
        raise CaseUnsupported(f"initialStatus keys not understood: {', '.join(unknown)}")
    uncounted = initial.get("uncountedTerminatedPods") or {}
    if any(uncounted.values()):
        raise CaseUnsupported(
            "uncounted terminated pods in the initial status: jobsim counts a pod in the sync "
            "that first sees it finished, and keeps no uncountedTerminatedPods"
        )
    status: dict[str, Any] = {}
    if "completionTime" in initial:
        status["completionTime"] = as_time(initial["completionTime"], "initialStatus")
    for key in ("active", "ready", "terminating", "succeeded", "failed"):
        if initial.get(key) is not None:
            status[key] = as_int(initial[key], f"initialStatus.{key}")
    for key in ("completedIndexes", "failedIndexes"):
        if key in initial:
            status[key] = initial[key]
    if "startTimeAgoSeconds" in initial:
        ago = as_int(initial["startTimeAgoSeconds"], "initialStatus.startTimeAgoSeconds")
        status["startTime"] = now - ago
    elif "startTime" in initial:
        status["startTime"] = as_time(initial["startTime"], "initialStatus.startTime")
    status["conditions"] = [
        {**c, "lastTransitionTime": now} for c in initial.get("conditions") or []
    ]
    return status


def _exits(entries: Any, where: str) -> tuple[tuple[tuple[str, int | None], ...], float | None]:
    """Container statuses (name, exit code) and the latest finishedAt if every one has it."""
    exits: list[tuple[str, int | None]] = []
    times: list[float | None] = []
    for i, c in enumerate(entries or []):
        name, code, finished_at = container_state(c, f"{where}[{i}]")
        exits.append((name, code))
        times.append(finished_at)
    finished = max(t for t in times if t is not None) if times and None not in times else None
    return tuple(exits), finished


_POSITION_NAME = re.compile(r"named (\S+)-<position>")


def case_pods(groups: Any, now: float, harness_pods: str) -> list[PodSnapshot]:
    """The case's pods; named ``<prefix>-<position>`` where the harness says so (e.g.
    "named mypod-<position>"), else by their ``uid`` or ``name``."""
    m = _POSITION_NAME.search(harness_pods)
    pods: list[PodSnapshot] = []
    for g, group in enumerate(groups or []):
        where = f"pods[{g}]"
        if not isinstance(group, Mapping):
            raise CaseInputError(f"{where}: expected a mapping")
        unknown = sorted(str(k) for k in group if k not in _POD_KEYS)
        if unknown:
            raise CaseUnsupported(f"pod keys not understood: {', '.join(unknown)}")
        phase = str(group.get("phase") or "Pending")
        deletion: float | None = None
        if group.get("terminating"):
            phase, deletion = "Running", now
        if group.get("deleted"):
            deletion = now
        if group.get("deletedAgoSeconds") is not None:
            deletion = now - as_int(group["deletedAgoSeconds"], f"{where}.deletedAgoSeconds")
        containers, finished = _exits(group.get("containers"), f"{where}.containers")
        inits, _ = _exits(group.get("initContainers"), f"{where}.initContainers")
        base = PodSnapshot(
            name="",
            phase=phase,
            index=as_index(group.get("index")),
            ready=bool(group.get("ready")),
            deletion_timestamp=deletion,
            tracking_finalizer=group.get("trackingFinalizer") is not False,
            failure_count=as_failure_count(group.get("indexFailureCount")),
            ignored_failure_count=as_failure_count(group.get("indexIgnoredFailureCount")),
            containers=containers,
            init_containers=inits,
            finished_at=finished,
            conditions=tuple(
                (str(c["type"]), str(c.get("status", "True")))
                for c in group.get("conditions") or []
            ),
        )
        restarts = group.get("restartCounts")
        counts = (
            [as_int(r, f"{where}.restartCounts") for r in restarts]
            if restarts is not None
            else [0] * as_int(group.get("count"), f"{where}.count", default=1)
        )
        for k, restart in enumerate(counts):
            if m is not None:
                name = f"{m.group(1)}-{len(pods)}"
            else:
                name = group.get("uid") or group.get("name") or f"pod-{g}"
                if len(counts) > 1:
                    name = f"{name}-{k}"
            pods.append(replace(base, name=str(name), restart_count=restart))
    return pods


def _actual(outcome: SyncOutcome) -> dict[str, Any]:
    status = outcome.status
    conditions = status.get("conditions") or []
    failed_conditions = [c for c in conditions if c["type"] == "Failed"]
    return {
        "creations": len(outcome.created),
        "deletions": len(outcome.deleted),
        "podPatches": len(outcome.finalizers_removed),
        "active": status.get("active"),
        "ready": status.get("ready"),
        "succeeded": status.get("succeeded"),
        "failed": status.get("failed"),
        "terminating": status.get("terminating"),
        "completedIndexes": status.get("completedIndexes"),
        "failedIndexes": status.get("failedIndexes"),
        "conditions": conditions_view(conditions),
        "startTimeSet": status.get("startTime") is not None,
        "createdIndexes": sorted(p.index for p in outcome.created if p.index is not None),
        "statusExact": status_exact_view(status),
        "statusUpdated": outcome.status_written,
        "conditionCount": len(conditions),
        "conditionsOfTypeFailed": len(failed_conditions),
        "failedConditionStatus": failed_conditions[0]["status"] if failed_conditions else None,
    }


def run_sync_case(
    case: Mapping[str, Any], harness: Mapping[str, Any], *, ignore_gates: bool = False
) -> list[str]:
    """Run one sync case with its feature gates (``case_gates``; ``ignore_gates``: the
    newest release, every gate on); the differences from its expectations (empty: it passes).

    Raises ``CaseInputError`` or ``SnapshotError`` for a case the snapshot cannot be built from.
    """
    gates = DEFAULT_GATES if ignore_gates else case_gates(case)
    job = case.get("job") or {}
    if not isinstance(job, Mapping):
        raise CaseInputError("job: expected a mapping")
    now = NOW
    if case.get("controllerClock") is not None:
        now = as_time(case["controllerClock"], "controllerClock") or NOW
    backoff = None
    record = case.get("backoffRecord")
    if isinstance(record, Mapping):
        failures = record.get("failuresAfterLastSuccess")
        backoff = BackoffRecord(
            as_int(failures, "backoffRecord.failuresAfterLastSuccess"),
            as_time(record.get("lastFailureTime"), "backoffRecord.lastFailureTime"),
        )
    test_harness = harness.get(str(case.get("test")), {}) or {}
    groups = list(case.get("pods") or [])
    if case.get("podAppearsDuringExpectationsCheck") is not None:
        # listed after the expectations check, as syncJob lists pods: the sync sees it
        groups.append(case["podAppearsDuringExpectationsCheck"])
    pods = case_pods(groups, now, str(test_harness.get("pods", "")))
    status = _status(case.get("initialStatus") or {}, now)
    deletion = now if job.get("deleting") else None
    expect_keys = set(case.get("expect") or {})
    try:
        if job.get("notInInformer") or "update" in case or expect_keys & MULTI_SYNC_EXPECT:
            seeded = seed(
                case_manifest(job), status, pods, now, gates=gates, deletion_timestamp=deletion
            )
            seeded.job.deleted = bool(job.get("notInInformer"))  # the lister answers NotFound
            if backoff is not None:
                seeded.job.backoff = backoff
            return run_multi_sync(case, seeded)
        outcome = sync_once(
            case_manifest(job),
            status,
            pods,
            now,
            backoff=backoff,
            gates=gates,
            deletion_timestamp=deletion,
        )
    except SnapshotError as e:
        raise CaseInputError(str(e)) from None
    defaults = test_harness.get("expectDefaults", {}) or {}
    expect = dict(case.get("expect") or {})
    expected: dict[str, Any]
    if "statusExact" in expect:
        expected = {"statusExact": status_exact_view(expect["statusExact"] or {})}
        expected.update({k: v for k, v in expect.items() if k != "statusExact"})
    else:
        expected = merged_expect(expect, defaults)
    if "conditions" in expected:
        expected["conditions"] = conditions_view(expected["conditions"])
    expected.update(implicit_expect(test_harness, job))
    actual = _actual(outcome)
    if _NIL_AS_ZERO in str(test_harness.get("note", "")):
        actual["terminating"] = actual["terminating"] or 0
    return diff(expected, actual)


# A harness note: the test compares status.terminating with ptr.Deref(…, 0).
_NIL_AS_ZERO = "terminating is compared with nil treated as 0"


def implicit_expect(test_harness: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, Any]:
    """What a test asserts of every case without listing it, as its harness says:
    ``expectMeaning.startTime`` "nil when spec.suspend is true, set otherwise"
    (TestControllerSyncJob) and ``alsoAsserted: status.startTime != nil``."""
    meaning = str((test_harness.get("expectMeaning") or {}).get("startTime", ""))
    if "nil when spec.suspend is true, set otherwise" in meaning:
        return {"startTimeSet": not job.get("suspend")}
    if str(test_harness.get("alsoAsserted", "")).strip() == "status.startTime != nil":
        return {"startTimeSet": True}
    return {}
