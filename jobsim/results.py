"""Result: job statuses, pod records and the event log of one run, and their exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jobsim import __version__
from jobsim.record import Kind, Recorder, describe


def _clean(x: Any) -> Any:
    """Floats that are whole numbers print as integers, so JSON reads like the timeline."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    if isinstance(x, float):
        return round(x, 6)
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


def outcome(status: dict[str, Any]) -> tuple[str, str]:
    """(outcome, reason) from a Job status: Complete, Failed, Suspended or Running."""
    for c in status.get("conditions", []):
        if c["type"] in ("Complete", "Failed") and c["status"] == "True":
            return c["type"], c["reason"]
    for c in status.get("conditions", []):
        if c["type"] in ("FailureTarget", "SuccessCriteriaMet") and c["status"] == "True":
            return f"{c['type']} (terminating)", c["reason"]
    for c in status.get("conditions", []):
        if c["type"] == "Suspended" and c["status"] == "True":
            return "Suspended", c["reason"]
    return "Running", ""


@dataclass
class Result:
    """What one run produced. Built from the recorder only."""

    scenario: str
    seed: int
    end: float
    recorder: Recorder

    def jobs(self) -> list[dict[str, Any]]:
        """``jobs[]``: name, namespace, deletedAt, status shaped like batch/v1 JobStatus."""
        out = []
        for rec in self.recorder.jobs.values():
            item: dict[str, Any] = {
                "name": rec.name,
                "namespace": rec.namespace,
                "submittedAt": rec.submittedAt,
                "deletedAt": rec.deletedAt,
                "podsCreated": rec.podsCreated,
                "status": rec.status,
            }
            if rec.managedBy is not None:
                item["managedBy"] = rec.managedBy
            out.append(item)
        return out

    def pods(self) -> list[dict[str, Any]]:
        """``pods[]``, in creation order."""
        return [p.to_dict() for p in self.recorder.pods.values()]

    def events(self) -> list[dict[str, Any]]:
        """``events[]``: time, kind, object and the sentence with its rule's numbers."""
        return [
            {
                "t": t,
                "kind": kind.name,
                "object": subject,
                "message": describe(kind, subject, ref, a, b, text),
            }
            for t, kind, subject, ref, a, b, text in self.recorder.events()
        ]

    def job(self, name: str) -> dict[str, Any]:
        """One job's entry, by name or ``namespace/name``."""
        for j in self.jobs():
            if name in (j["name"], f"{j['namespace']}/{j['name']}"):
                return j
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The object ``jobsim run --json`` prints."""
        cleaned: dict[str, Any] = _clean(
            {
                "scenario": self.scenario,
                "seed": self.seed,
                "jobsimVersion": __version__,
                "end": self.end,
                "jobs": self.jobs(),
                "pods": self.pods(),
                "events": self.events(),
            }
        )
        return cleaned

    def to_json(self) -> str:
        """Deterministic JSON text: same scenario and seed, same bytes."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def timeline(self, kinds: frozenset[Kind] | None = None) -> list[tuple[float, str]]:
        """(t, sentence) for the events of the given kinds (default: the main ones)."""
        keep = kinds or TIMELINE_KINDS
        return [
            (t, describe(kind, subject, ref, a, b, text))
            for t, kind, subject, ref, a, b, text in self.recorder.events()
            if kind in keep
        ]


TIMELINE_KINDS = frozenset(
    {
        Kind.JOB_SUBMITTED,
        Kind.JOB_CONDITION,
        Kind.JOB_BACKOFF,
        Kind.JOB_DELETED,
        Kind.JOB_SKIPPED,
        Kind.POD_CREATED,
        Kind.POD_SCHEDULED,
        Kind.CONTAINER_STARTED,
        Kind.CONTAINER_EXITED,
        Kind.CONTAINER_RESTART_BACKOFF,
        Kind.POD_DELETED,
        Kind.POD_CONDITION,
        Kind.NODE_DOWN,
        Kind.NODE_UP,
        Kind.NODE_NOT_READY,
        Kind.POD_UNSCHEDULABLE,
        Kind.IMAGE_PULLED,
    }
)
