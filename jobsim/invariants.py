"""Invariants of a Job's status, checked after every status write in debug mode.

The API server's status validation with JobManagedBy (``pkg/registry/batch/job/strategy.go``
``getStatusValidationOptions``, ``pkg/apis/batch/validation/validation.go``
``ValidateJobUpdateStatus``) rejects a status that breaks them; so must jobsim's controller
never produce one. ``CheckingRecorder`` raises ``InvariantViolation`` at the first broken rule,
naming the Job, the time and the rule. It reads the Job's spec from the record itself (the
numbers of ``job_submitted`` and ``job_spec_changed``).
"""

from __future__ import annotations

from typing import Any

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    SUCCESS_CRITERIA_MET,
    TERMINAL_CONDITIONS,
    is_true,
)
from jobsim.policy.intervals import parse_indexes
from jobsim.record import Recorder, StatusSource, frozen
from jobsim.units import format_duration


class InvariantViolation(AssertionError):
    """A Job status broke a rule the API server enforces."""


def _true(status: dict[str, Any], type_: str) -> bool:
    return is_true(status.get("conditions", []), type_)


def status_violations(
    status: dict[str, Any],
    previous: dict[str, Any] | None,
    *,
    parallelism: int,
    completions: int | None,
    indexed: bool,
    suspended: bool = False,
) -> list[str]:
    """The rules ``status`` breaks, given the Job's previous status and its spec."""
    out: list[str] = []
    complete, failed = _true(status, COMPLETE), _true(status, FAILED)
    if complete and failed:
        out.append("Complete and Failed are both True")
    if complete and not (
        _true(status, SUCCESS_CRITERIA_MET) and status["completionTime"] is not None
    ):
        out.append("Complete without SuccessCriteriaMet and completionTime")
    done_at, start = status["completionTime"], status["startTime"]
    if done_at is not None and start is not None and done_at < start:
        out.append("completionTime < startTime")
    if failed and not _true(status, FAILURE_TARGET):
        out.append("Failed without FailureTarget")
    if status["completionTime"] is not None and not complete:
        out.append("completionTime set without Complete")
    if status["ready"] > status["active"]:
        out.append(f"ready ({status['ready']}) > active ({status['active']})")
    if status["active"] > parallelism:
        out.append(f"active ({status['active']}) > parallelism ({parallelism})")
    if (complete or failed) and (status["active"] or status["terminating"]):
        out.append("a finished Job has active or terminating pods")
    # kubernetes#132614: a Job created suspended with completions 0 is Complete at once.
    exempt = complete and suspended and completions == 0
    if (complete or failed) and start is None and not exempt:
        out.append("a finished Job has no startTime")
    if indexed and completions is not None:
        done = set(parse_indexes(status.get("completedIndexes", ""), completions))
        bad = set(parse_indexes(status.get("failedIndexes", "") or "", completions))
        if done & bad:
            out.append(f"completedIndexes and failedIndexes overlap: {sorted(done & bad)}")
        if status["succeeded"] > completions:
            out.append(f"succeeded ({status['succeeded']}) > completions ({completions})")
    if previous is not None:
        if status["failed"] < previous["failed"]:
            out.append(f"failed decreased ({previous['failed']} -> {status['failed']})")
        if status["succeeded"] < previous["succeeded"] and not indexed:
            out.append(f"succeeded decreased ({previous['succeeded']} -> {status['succeeded']})")
        for c in previous.get("conditions", []):
            if c["type"] in TERMINAL_CONDITIONS and (
                c["status"] == "True" and not _true(status, c["type"])
            ):
                out.append(f"terminal condition {c['type']} was removed")
    return out


class CheckingRecorder(Recorder):
    """A Recorder that checks every Job status it is given (debug mode)."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: dict[str, dict[str, Any]] = {}
        """Each Job's spec numbers as last recorded."""

    def job_submitted(
        self,
        t: float,
        key: str,
        name: str,
        namespace: str,
        spec: dict[str, Any] | None = None,
        requests: dict[str, int] | None = None,
    ) -> None:
        if spec is not None:
            self.specs[key] = spec
        super().job_submitted(t, key, name, namespace, spec, requests)

    def job_spec_changed(
        self, t: float, key: str, change: str, spec: dict[str, Any] | None = None
    ) -> None:
        if spec is not None:
            self.specs[key] = spec
        super().job_spec_changed(t, key, change, spec)

    def job_status(self, t: float, key: str, source: StatusSource) -> None:
        status = source()
        previous = self.jobs[key].status or None
        spec = self.specs.get(key)
        if spec is not None:
            problems = status_violations(
                status,
                previous,
                parallelism=int(spec["parallelism"] or 0),
                completions=spec["completions"],
                indexed=spec["completionMode"] == "Indexed",
                suspended=bool(spec["suspend"]),
            )
            if problems:
                when = format_duration(t)
                raise InvariantViolation(f"Job {key} at t={when}: " + "; ".join(problems))
        super().job_status(t, key, frozen(status))


__all__ = ["CheckingRecorder", "InvariantViolation", "status_violations"]
