"""Changes to a Job's spec made by scenario events (``suspend``, ``resume``, ``scale``).

Each change is a real update of the Job object: it is applied to the spec and checked with the
API server's update validation (``ValidateJobUpdate``), so a scale that the API server would
reject is rejected at load time with its message and the event's time.
"""

from __future__ import annotations

from typing import Any

from jobsim.k8s.job import Job
from jobsim.k8s.validation import validate_update
from jobsim.scenario.model import Event
from jobsim.units import format_duration


def changed_spec(job: Job, event: Event) -> Job:
    """The Job after ``event`` (one of suspend, resume, scale) is applied to it."""
    spec = job.spec
    if event.suspend is not None:
        spec = spec.model_copy(update={"suspend": True})
    elif event.resume is not None:
        spec = spec.model_copy(update={"suspend": False})
    elif event.scale is not None:
        upd: dict[str, int] = {}
        if event.scale.parallelism is not None:
            upd["parallelism"] = event.scale.parallelism
        if event.scale.completions is not None:
            upd["completions"] = event.scale.completions
        spec = spec.model_copy(update=upd)
    return job.model_copy(update={"spec": spec})


def check_updates(jobs: dict[str, Job], events: list[tuple[int, Event, str]]) -> list[str]:
    """Validate every spec change in time order; ``events`` holds (position, event, job key)."""
    current = dict(jobs)
    problems: list[str] = []
    for i, ev, key in sorted(events, key=lambda x: (x[1].at, x[0])):
        new = changed_spec(current[key], ev)
        errors = validate_update(current[key], new, old_started=True)
        if errors:
            at = format_duration(ev.at)
            problems.extend(f"events[{i}].{ev.kind}: {e} (at {at})" for e in errors)
            continue
        current[key] = new
    return problems


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``kubectl patch --type merge``): a mapping merges key by
    key, ``null`` removes the key, anything else (a list too) replaces the value."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


__all__ = [
    "changed_spec",
    "check_updates",
    "merge_patch",
]
