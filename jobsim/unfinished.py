"""Why a Job is not finished when the run ends: a view of the record, as ``explain`` is.

A Job is finished once it has a ``Complete`` or ``Failed`` condition. For every other Job
(left alone by a ``managedBy`` controller or not), :func:`unfinished` gives the reasons the
record shows at the run's end, each a :class:`Reason`: what holds the Job and, where the
record knows it, what would release it. Nothing is re-decided: pods, nodes, conditions and
backoffs are read as they were last recorded.

The reasons, in the order they are given:

- ``deleted``: the Job was deleted (``deleteJob``) before it finished: nothing else is said;
- ``managed``: another controller (``managedBy``) owns the Job;
- ``suspended``: its ``Suspended`` condition is True;
- ``backoff``: a pod-failure (or per-index) backoff recorded to end after the run;
- ``pending``: a pod not bound to a node; the scheduler's last ``FailedScheduling`` message;
- ``node-terminating``: a pod deleted on a node that stopped reporting and has not reported
  again: the kubelet cannot confirm its end, so it stays terminating until the node reports
  again, is removed, or gets the ``node.kubernetes.io/out-of-service`` taint;
- ``node-unreachable``: a pod not deleted yet on such a node, which taint eviction deletes
  ``tolerationSeconds`` after the node's NotReady taint (50 s ``nodeMonitorGracePeriod`` and
  300 s ``tolerationSeconds`` by default);
- ``terminating``: a pod deleted on a reporting node, in its grace period;
- ``held``: with ``podReplacementPolicy: Failed``, the Job creates no replacement while pods
  terminate;
- ``running``: pods still running (or starting) when the run stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jobsim.k8s.conditions import TERMINAL_PHASES, job_outcome
from jobsim.record import Kind, PodRecord, fmt_seconds
from jobsim.results import Result

__all__ = ["OUT_OF_SERVICE", "Reason", "ReasonKind", "Unfinished", "unfinished"]

ReasonKind = Literal[
    "deleted",
    "managed",
    "suspended",
    "backoff",
    "pending",
    "node-terminating",
    "node-unreachable",
    "terminating",
    "held",
    "running",
]

OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"

_RELEASE = "released when the node reports again, is removed or gets the out-of-service taint"


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing that keeps a Job from finishing, in words (``text``)."""

    kind: ReasonKind
    text: str
    pod: str | None = None


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A Job without a Complete or Failed condition at the run's end (``t``), and why."""

    job: str
    t: float
    outcome: str
    reasons: tuple[Reason, ...]

    @property
    def text(self) -> str:
        """``Job KEY is not finished: reason; reason``."""
        why = "; ".join(r.text for r in self.reasons) or "no reason in the record"
        return f"Job {self.job} is not finished: {why}"


@dataclass
class _Node:
    down: float | None = None
    """When the node stopped reporting, if it has not reported again since."""
    not_ready: float | None = None
    out_of_service: bool = False
    removed: bool = False


def _nodes(result: Result) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    kinds = (Kind.NODE_DOWN, Kind.NODE_UP, Kind.NODE_NOT_READY, Kind.NODE_TAINTED)
    for _i, t, kind, node, ref, *_rest in result.recorder.select(*kinds, Kind.NODE_REMOVED):
        n = nodes.setdefault(node, _Node())
        if kind is Kind.NODE_DOWN:
            n.down, n.not_ready = t, None
        elif kind is Kind.NODE_UP:
            n.down = n.not_ready = None
        elif kind is Kind.NODE_NOT_READY:
            n.not_ready = t
        elif kind is Kind.NODE_TAINTED:
            n.out_of_service |= ref.startswith(OUT_OF_SERVICE)
        else:
            n.removed = True
    return nodes


def _pod_reason(pod: PodRecord, node: _Node | None, unschedulable: dict[str, str]) -> Reason:
    name = pod.name
    if pod.node is None:
        msg = unschedulable.get(name)
        why = f"the scheduler's last reason: {msg}" if msg else "not yet tried by the scheduler"
        return Reason("pending", f"pod {name} pending since {fmt_seconds(pod.createdAt)} ({why})")
    down = node is not None and node.down is not None and not node.removed
    if down and node is not None and node.down is not None:
        since = fmt_seconds(node.down)
        where = f"on node {pod.node}, which stopped reporting at {since}"
        if pod.deletedAt is not None:
            return Reason("node-terminating", f"pod {name} terminating {where} ({_RELEASE})", name)
        if node.not_ready is not None:
            ready = fmt_seconds(node.not_ready)
            evict = f"taint eviction tolerationSeconds (300s by default) after NotReady at {ready}"
        else:
            evict = (
                "taint eviction nodeMonitorGracePeriod + tolerationSeconds after that "
                "(50s + 300s by default)"
            )
        return Reason(
            "node-unreachable",
            f"pod {name} {where}, not yet evicted (released by {evict}, or when the node reports "
            "again, is removed or gets the out-of-service taint)",
            name,
        )
    if pod.deletedAt is not None:
        return Reason(
            "terminating",
            f"pod {name} terminating on node {pod.node} since {fmt_seconds(pod.deletedAt)}",
            name,
        )
    if pod.startedAt is None:
        return Reason("running", f"pod {name} starting on node {pod.node}", name)
    return Reason(
        "running", f"pod {name} running on node {pod.node} since {fmt_seconds(pod.startedAt)}", name
    )


def unfinished(result: Result, *, job: str | None = None) -> list[Unfinished]:
    """The Jobs of ``result`` (or only ``job``, by name or ``namespace/name``) that end with
    no Complete or Failed condition, each with its reasons, in the record's Job order."""
    rec = result.recorder
    end = result.end
    nodes = _nodes(result)
    unschedulable: dict[str, str] = {}
    for _i, _t, _k, pod, _ref, _a, _b, text in rec.select(Kind.POD_UNSCHEDULABLE):
        unschedulable[pod] = text
    backoff: dict[str, tuple[float, str]] = {}
    replacement: dict[str, str | None] = {}
    for i, t, kind, key, _ref, a, b, _text in rec.select(
        Kind.JOB_BACKOFF, Kind.JOB_INDEX_BACKOFF, Kind.JOB_SUBMITTED, Kind.JOB_SPEC_CHANGED
    ):
        numbers = rec.numbers.get(i, {})
        if kind in (Kind.JOB_SUBMITTED, Kind.JOB_SPEC_CHANGED):
            if "podReplacementPolicy" in numbers:
                replacement[key] = numbers["podReplacementPolicy"]
            continue
        if kind is Kind.JOB_BACKOFF:
            what = f"{a} failure{'s' if a != 1 else ''} since last success"
            backoff[key] = (t + b, f"pod-failure backoff until {fmt_seconds(t + b)} ({what})")
        else:
            backoff[key] = (t + b, f"index {a} backoff until {fmt_seconds(t + b)}")
    pods_of: dict[str, list[PodRecord]] | None = None  # made for the first Job unfinished:
    # a run whose Jobs all finished never asks for its pods' rows (``Recorder.pods``)
    only = None if job is None else result.job_key(job)
    out: list[Unfinished] = []
    for key, j in rec.jobs.items():
        if only is not None and key != only:
            continue
        status = j.status
        what, _reason = job_outcome(status)
        if what in ("Complete", "Failed"):
            continue
        if j.deletedAt is not None:
            gone = Reason("deleted", f"deleted at {fmt_seconds(j.deletedAt)}")
            out.append(Unfinished(key, end, "deleted", (gone,)))
            continue
        if j.managedBy is not None:
            managed = Reason("managed", f"managed by {j.managedBy}, not the built-in controller")
            out.append(Unfinished(key, end, "not managed", (managed,)))
            continue
        reasons: list[Reason] = []
        if what == "Suspended":
            since = next(
                c["lastTransitionTime"]
                for c in status.get("conditions", [])
                if c["type"] == "Suspended" and c["status"] == "True"
            )
            reasons.append(Reason("suspended", f"suspended since {fmt_seconds(since)}"))
        if key in backoff and backoff[key][0] > end:
            reasons.append(Reason("backoff", backoff[key][1]))
        if pods_of is None:
            pods_of = {}
            for p in rec.pods.values():
                pods_of.setdefault(p.job, []).append(p)
        live = [
            p
            for p in pods_of.get(key, [])
            if p.removedAt is None and p.phase not in TERMINAL_PHASES
        ]
        pod_reasons = [_pod_reason(p, nodes.get(p.node or ""), unschedulable) for p in live]
        order: tuple[ReasonKind, ...] = (
            "pending",
            "node-terminating",
            "node-unreachable",
            "terminating",
            "running",
        )
        for k in order[:4]:
            reasons.extend(r for r in pod_reasons if r.kind == k)
        terminating = [r for r in pod_reasons if r.kind in ("node-terminating", "terminating")]
        if terminating and replacement.get(key) == "Failed":
            names = ", ".join(r.pod or "" for r in terminating)
            reasons.append(
                Reason(
                    "held",
                    f"no replacement while {names} terminate"
                    f"{'s' if len(terminating) == 1 else ''} (podReplacementPolicy: Failed)",
                )
            )
        reasons.extend(r for r in pod_reasons if r.kind == order[4])
        out.append(Unfinished(key, end, what, tuple(reasons)))
    return out
