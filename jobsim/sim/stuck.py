"""Runs that would never end: the diagnosis of a stalled clock and the quiescence test.

A run stalls when calls keep scheduling calls for the instant they run at (zero delays all
round): :class:`RunStuck` names the zero delays of the scenario that allow it and the events
that kept repeating. A run is quiescent when nothing but random node failures (and the
timers they set) could change a Job: every Job left is suspended or its pods fit no node.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice

from jobsim.k8s.job import Job
from jobsim.k8s.resources import pod_requests
from jobsim.policy.placement import insufficient_resource
from jobsim.record import Recorder
from jobsim.scenario.model import Scenario
from jobsim.units import format_duration

LOOP_TIMINGS = (
    "jobSyncDelay",
    "containerStart",
    "podFailureBackoffBase",
    "crashLoopBackoffInitial",
)
"""The control-plane delays whose zero lets one instant repeat (``scheduling`` and
``imagePull`` are zero by default and cannot loop on their own)."""


class RunStuck(Exception):
    """Virtual time stopped advancing: the run would never end."""

    def __init__(self, now: float, calls: int, causes: list[str], repeating: str) -> None:
        why = "; ".join(causes) if causes else "no zero delay of the scenario explains it"
        super().__init__(
            f"the run is stuck at t={format_duration(now)}: {calls:,} calls in a row were due "
            f"at that same instant, so virtual time would never advance{repeating}. Zero delays "
            f"that allow it: {why}. Make one of them positive"
        )
        self.now = now
        self.causes = causes


def zero_delays(scenario: Scenario) -> list[str]:
    """The scenario's zero delays that can let calls repeat at one instant, as field paths."""
    out = [f"timing.{n} 0s" for n in LOOP_TIMINGS if getattr(scenario.timing, n) == 0]
    for entry in scenario.jobs:
        if entry.workload.duration.most == 0:
            out.append(f"jobs[{entry.source}].workload.duration 0s")
    return out


def repeating(recorder: Recorder, last: int = 1000) -> str:
    """`` (repeating: …)``: the most frequent events among the ``last`` recorded."""
    kinds = getattr(recorder, "kind", None)
    if not kinds:
        return ""
    start = max(len(kinds) - last, 0)
    counts = Counter(
        (kind.name.lower().replace("_", " "), subject)
        for _, kind, subject, *_ in islice(recorder.events(), start, None)
    )
    top = ", ".join(f"{what} of {who} ×{n:,}" for (what, who), n in counts.most_common(3))
    return f" (the last {len(kinds) - start:,} events recorded: {top})"


def never_fits(scenario: Scenario) -> set[str]:
    """Keys of the Jobs whose pods fit no node the cluster has or can add (by resources)."""
    caps = [
        p.capacity.as_units()
        for p in scenario.cluster.nodePools
        if p.count > 0 or (p.autoscaling is not None and p.autoscaling.max > 0)
    ]
    out: set[str] = set()
    for entry in scenario.jobs:
        if not _fits_any(entry.job, caps):
            out.add(entry.key)
    return out


def _fits_any(job: Job, caps: list[dict[str, int]]) -> bool:
    own = pod_requests(job)
    return any(insufficient_resource({}, cap, tuple(own.items())) is None for cap in caps)


__all__ = ["LOOP_TIMINGS", "RunStuck", "never_fits", "repeating", "zero_delays"]
