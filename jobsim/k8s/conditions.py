"""Job and pod condition types, reasons and messages, word for word as upstream writes them.

Upstream: ``pkg/apis/batch/types.go`` (``JobConditionType``, ``JobReason*``),
``pkg/controller/job/job_controller.go`` (the messages of ``syncJob`` and ``enactJobFinished``)
and ``staging/src/k8s.io/api/core/v1/types.go`` (``DisruptionTarget``, ``PodPhase``).
"""

from __future__ import annotations

from typing import Any, Final

# Job condition types (batch/v1 JobConditionType).
COMPLETE: Final = "Complete"
FAILED: Final = "Failed"
SUSPENDED: Final = "Suspended"
FAILURE_TARGET: Final = "FailureTarget"
SUCCESS_CRITERIA_MET: Final = "SuccessCriteriaMet"
TERMINAL_CONDITIONS = (COMPLETE, FAILED, FAILURE_TARGET, SUCCESS_CRITERIA_MET)
"""Conditions that, once True, stay True (the API server's status validation)."""

# Reasons and messages of the Job controller's conditions.
REASON_BACKOFF_LIMIT: Final = "BackoffLimitExceeded"
MESSAGE_BACKOFF_LIMIT: Final = "Job has reached the specified backoff limit"
REASON_DEADLINE: Final = "DeadlineExceeded"
MESSAGE_DEADLINE: Final = "Job was active longer than specified deadline"
REASON_POD_FAILURE_POLICY: Final = "PodFailurePolicy"
REASON_MAX_FAILED_INDEXES: Final = "MaxFailedIndexesExceeded"
MESSAGE_MAX_FAILED_INDEXES: Final = (
    "Job has exceeded the specified maximal number of failed indexes"
)
REASON_FAILED_INDEXES: Final = "FailedIndexes"
MESSAGE_FAILED_INDEXES: Final = "Job has failed indexes"
REASON_SUCCESS_POLICY: Final = "SuccessPolicy"
REASON_COMPLETIONS: Final = "CompletionsReached"
MESSAGE_COMPLETIONS: Final = "Reached expected number of succeeded pods"
REASON_SUSPENDED: Final = "JobSuspended"
MESSAGE_SUSPENDED: Final = "Job suspended"
REASON_RESUMED: Final = "JobResumed"
MESSAGE_RESUMED: Final = "Job resumed"

# Pod conditions.
DISRUPTION_TARGET: Final = "DisruptionTarget"
READY: Final = "Ready"

# Pod phases (core/v1 PodPhase).
PHASE_PENDING: Final = "Pending"
PHASE_RUNNING: Final = "Running"
DELETED: Final = "Deleted"
"""The outcome of a Job deleted before it finished (no condition says so: the Job is gone)."""
PHASE_SUCCEEDED: Final = "Succeeded"
PHASE_FAILED: Final = "Failed"
TERMINAL_PHASES: Final = (PHASE_SUCCEEDED, PHASE_FAILED)


def is_true(conditions: list[dict[str, Any]], type_: str) -> bool:
    """Whether a condition of ``type_`` is present with status True."""
    return any(c["type"] == type_ and c["status"] == "True" for c in conditions)


def job_outcome(status: dict[str, Any], deleted_at: float | None = None) -> tuple[str, str]:
    """(outcome, reason) of a Job status: Complete, Failed, Deleted (``deleted_at`` is when
    the Job was deleted before it finished), "<interim> (terminating)", Suspended or
    Running."""
    conditions = status.get("conditions", [])
    for c in conditions:
        if c["type"] in (COMPLETE, FAILED) and c["status"] == "True":
            return c["type"], c["reason"]
    if deleted_at is not None:
        return DELETED, ""
    for c in conditions:
        if c["type"] in (FAILURE_TARGET, SUCCESS_CRITERIA_MET) and c["status"] == "True":
            return f"{c['type']} (terminating)", c["reason"]
    for c in conditions:
        if c["type"] == SUSPENDED and c["status"] == "True":
            return SUSPENDED, c["reason"]
    return "Running", ""


def job_finished_at(status: dict[str, Any]) -> float | None:
    """When a Job status says the Job finished: ``completionTime`` (Complete), else the
    ``Failed`` condition's ``lastTransitionTime``; None while it runs."""
    end = status.get("completionTime")
    if end is None:
        for c in status.get("conditions", []):
            if c["type"] == FAILED and c["status"] == "True":
                end = c["lastTransitionTime"]
    return None if end is None else float(end)


__all__ = [
    "COMPLETE",
    "DELETED",
    "DISRUPTION_TARGET",
    "FAILED",
    "FAILURE_TARGET",
    "MESSAGE_BACKOFF_LIMIT",
    "MESSAGE_COMPLETIONS",
    "MESSAGE_DEADLINE",
    "MESSAGE_FAILED_INDEXES",
    "MESSAGE_MAX_FAILED_INDEXES",
    "MESSAGE_RESUMED",
    "MESSAGE_SUSPENDED",
    "PHASE_FAILED",
    "PHASE_PENDING",
    "PHASE_RUNNING",
    "PHASE_SUCCEEDED",
    "READY",
    "REASON_BACKOFF_LIMIT",
    "REASON_COMPLETIONS",
    "REASON_DEADLINE",
    "REASON_FAILED_INDEXES",
    "REASON_MAX_FAILED_INDEXES",
    "REASON_POD_FAILURE_POLICY",
    "REASON_RESUMED",
    "REASON_SUCCESS_POLICY",
    "REASON_SUSPENDED",
    "SUCCESS_CRITERIA_MET",
    "SUSPENDED",
    "TERMINAL_CONDITIONS",
    "TERMINAL_PHASES",
    "is_true",
    "job_finished_at",
    "job_outcome",
]
