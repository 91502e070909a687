"""A narrated timeline: one line per decision, each with its rule and numbers.

Every line is a recorded event rendered by :func:`jobsim.record.describe`; the "why" added to a
decision is the numbers the controller recorded with it (``Recorder.numbers``): the Job's
defaulted spec when it was submitted, the count and limit behind a counted pod or a condition
(``failed=4 > backoffLimit=3``), the deadline and startTime, the whole pod-failure backoff and
its constants. A deleted pod's line says whether and when the controller counted it, as its
``POD_COUNTED`` event (or its absence) records. Nothing here re-decides or re-computes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from jobsim.k8s.conditions import (
    COMPLETE,
    FAILED,
    FAILURE_TARGET,
    PHASE_FAILED,
    SUCCESS_CRITERIA_MET,
)
from jobsim.record import Kind, describe, fmt_seconds
from jobsim.results import Result

__all__ = ["Line", "explain", "render"]

Format = Literal["text", "markdown"]

SILENT = frozenset({Kind.POD_PHASE, Kind.POD_REMOVED})
"""Kinds that are bookkeeping rather than decisions (a pod never bound that is marked Failed is
still narrated). Every other kind, including ones added later, is narrated."""


@dataclass(frozen=True, slots=True)
class Line:
    """One narrated decision: when, about what, and the sentence."""

    t: float
    subject: str
    job: str | None
    text: str
    kind: Kind | None = None
    """The recorded event it narrates (``None``: a line added after the record, such as why a
    Job is unfinished)."""


@dataclass
class _JobCtx:
    failure_target: float | None = None
    """When the Job's FailureTarget was set, and the numbers behind it."""
    failure_why: str = ""
    success_target: float | None = None
    success_why: str = ""


def _spec_summary(spec: dict[str, Any]) -> str:
    completions = spec["completions"]
    parts = [
        "completions unset (work queue)" if completions is None else f"completions={completions}",
        f"parallelism={spec['parallelism']}",
    ]
    if spec["completionMode"] == "Indexed":
        parts.append("completionMode=Indexed")
    if spec["backoffLimitPerIndex"] is not None:
        parts.append(f"backoffLimitPerIndex={spec['backoffLimitPerIndex']}")
    else:
        parts.append(f"backoffLimit={spec['backoffLimit']}")
    if spec["activeDeadlineSeconds"] is not None:
        parts.append(f"activeDeadlineSeconds={spec['activeDeadlineSeconds']}")
    parts.append(f"restartPolicy={spec['restartPolicy']}")
    return ", ".join(parts)


def explain(result: Result, *, job: str | None = None) -> list[Line]:
    """The narrated timeline of ``result`` (of one Job, by name or ``namespace/name``)."""
    rec = result.recorder
    key = None
    if job is not None:
        key = next(
            (k for k, j in rec.jobs.items() if job in (k, j.name)),
            None,
        )
        if key is None:
            raise KeyError(job)
    ctx = {k: _JobCtx() for k in rec.jobs}
    nodes_of_job: dict[str, set[str]] = {}
    for p in rec.pods.values():
        if p.node is not None:
            nodes_of_job.setdefault(p.job, set()).add(p.node)
    deleted: set[str] = set()
    counted = {
        subject: (i, t, ref, rec.numbers.get(i, {}))
        for i, t, _kind, subject, ref, *_rest in rec.select(Kind.POD_COUNTED)
    }
    seen_backoff: set[tuple[str, int, float]] = set()
    last_text: dict[tuple[str, Kind], str] = {}
    lines: list[Line] = []
    for i, (t, kind, subject, ref, a, b, text) in enumerate(rec.events()):
        pod = rec.pods.get(subject)
        owner = subject if subject in rec.jobs else (pod.job if pod is not None else None)
        if kind is Kind.POD_DELETED:
            deleted.add(subject)
        unscheduled_failed = (
            kind is Kind.POD_PHASE and ref == PHASE_FAILED and pod is not None and pod.node is None
        )
        if kind in SILENT and not unscheduled_failed:
            continue
        if kind is Kind.NODE_ADDED and t == 0:
            continue  # the cluster as the scenario gives it, not a decision
        if kind in (Kind.JOB_BACKOFF, Kind.JOB_INDEX_BACKOFF):
            expiry = (subject, a if kind is Kind.JOB_INDEX_BACKOFF else -1, t + b)
            if expiry in seen_backoff:
                continue  # a later sync still waiting for the same backoff: no new decision
            seen_backoff.add(expiry)
        sentence = describe(kind, subject, ref, a, b, text)
        if kind is Kind.POD_UNSCHEDULABLE:
            if last_text.get((subject, kind)) == sentence:
                continue
            last_text[(subject, kind)] = sentence
        numbers = rec.numbers.get(i, {})
        why = "" if owner is None else _why(kind, ref, a, t, b, numbers, ctx[owner])
        if kind is Kind.POD_DELETED:
            why = _deletion_why(i, a, counted.get(subject))
        if kind is Kind.CONTAINER_EXITED and subject in deleted and a in (137, 143):
            why = "SIGKILL at the end of the grace period" if a == 137 else "SIGTERM"
        if key is not None:
            if owner is None:
                if subject not in nodes_of_job.get(key, set()):
                    continue
            elif owner != key:
                continue
        lines.append(Line(t, subject, owner, f"{sentence}{why and ': ' + why}", kind))
    return lines


def _why(
    kind: Kind, ref: str, a: int, t: float, b: float, numbers: dict[str, Any], c: _JobCtx
) -> str:
    """The rule and its numbers, as the event that recorded the decision carries them."""
    if kind is Kind.JOB_SUBMITTED and numbers:
        return _spec_summary(numbers)
    if kind in (Kind.JOB_BACKOFF, Kind.JOB_INDEX_BACKOFF):
        if kind is Kind.JOB_INDEX_BACKOFF:
            if not ref.isdigit():
                return ""
            a = int(ref)
        if "delay" not in numbers or a < 1:
            return ""
        base, cap, delay = numbers["base"], numbers["cap"], numbers["delay"]
        formula = f"{fmt_seconds(base)}·2^{a - 1}"
        uncapped = base * 2 ** (a - 1) if a <= 64 else float("inf")  # no float overflow
        if delay == cap and uncapped != cap:
            formula += f" capped at {fmt_seconds(cap)}"
        return (
            f"{formula} = {fmt_seconds(delay)} after the last failure at "
            f"{fmt_seconds(t + b - delay)}, until {fmt_seconds(t + b)}"
        )
    if kind is Kind.POD_COUNTED:
        return _counted_why(ref, numbers)
    if kind is Kind.JOB_CONDITION:
        type_, status, _reason = ref.split("/")
        if status != "True":
            return ""
        if type_ == FAILURE_TARGET and c.failure_target is None:
            c.failure_target, c.failure_why = t, _condition_why(numbers)
            return c.failure_why
        if type_ == SUCCESS_CRITERIA_MET and c.success_target is None:
            c.success_target, c.success_why = t, _condition_why(numbers)
            return c.success_why
        interim = {FAILED: FAILURE_TARGET, COMPLETE: SUCCESS_CRITERIA_MET}.get(type_)
        since = numbers.get("since")
        if interim is not None and since is not None and since < t:
            return f"{interim} since {fmt_seconds(since)} and no pod is left terminating"
        if type_ == FAILED and c.failure_target is not None:
            return c.failure_why  # set in the same instant as FailureTarget: the same numbers
        if type_ == COMPLETE and c.success_target is not None:
            return c.success_why
        return _condition_why(numbers)
    return ""


def _deletion_why(
    position: int, failed_at_once: int, counted: tuple[int, float, str, dict[str, Any]] | None
) -> str:
    """Whether and when the Job controller counted a pod deleted at event ``position``: its
    ``POD_COUNTED`` event, and the deletion's own flag (a failure at once, ``isPodFailed``)."""
    if counted is None:
        return "not counted"
    at, t, as_, numbers = counted
    when = f"counted as {as_} at {fmt_seconds(t)}"
    if at < position:
        return f"already {when}"
    if numbers.get("failing") is not None:
        return f"{when} because the Job is failing"
    if failed_at_once and as_ == "failed":
        return f"a failure at once, {when}"
    ended = "Succeeded" if as_ == "succeeded" else "Failed"
    return f"{when}, once {ended} (only failed pods are replaced)"


def _counted_why(as_: str, n: dict[str, Any]) -> str:
    """Why a counted pod counts: the Job's count and the limit it is weighed against."""
    if as_ == "succeeded":
        if "succeeded" not in n:
            return ""
        if n.get("completions") is None:
            return f"succeeded={n['succeeded']}"
        return f"succeeded={n['succeeded']} of completions={n['completions']}"
    if as_ == "ignored":
        return "podFailurePolicy Ignore: not counted towards the backoff limit"
    rule = ""
    if n.get("action") in ("FailJob", "FailIndex"):
        what = "the Job" if n["action"] == "FailJob" else "its index"
        rule = f"; podFailurePolicy rule {n['rule']} ({n['action']}) fails {what}"
    if n.get("failing") is not None:
        failing = n["failing"]
        return f"failed={n['failed']}; the Job is failing ({failing}), its pods count as failed"
    if "backoffLimitPerIndex" in n:
        count = n["indexFailures"]
        return (
            f"index {n['index']} failed {count} time{'s' if count != 1 else ''}, "
            f"backoffLimitPerIndex={n['backoffLimitPerIndex']}{rule}"
        )
    if "backoffLimit" in n:
        limit, exceeded = n["backoffLimit"], n["exceeded"]
        cmp = ">" if n["failed"] > limit else "≤"
        counts = f"failed={n['failed']} {cmp} backoffLimit={limit}"
        if rule:  # the rule decides, whatever the count says: name it first
            return f"{rule[2:]} ({counts})"
        return f"{counts}, {'exceeded' if exceeded else 'not exceeded'}"
    return f"failed={n['failed']}{rule}" if "failed" in n else ""


def _condition_why(n: dict[str, Any]) -> str:
    """The numbers behind a Job condition's reason, as the controller recorded them."""
    if "restartCount" in n:
        return f"restartCount={n['restartCount']} ≥ backoffLimit={n['backoffLimit']}"
    if "failed" in n and "backoffLimit" in n:
        return f"failed={n['failed']} > backoffLimit={n['backoffLimit']}"
    if "activeDeadlineSeconds" in n and "elapsed" in n:
        return (
            f"activeDeadlineSeconds={n['activeDeadlineSeconds']} reached: "
            f"{fmt_seconds(n['elapsed'])} since startTime {fmt_seconds(n['startTime'])}"
        )
    if "maxFailedIndexes" in n:
        return f"failedIndexes={n['failedIndexes']} > maxFailedIndexes={n['maxFailedIndexes']}"
    if "failedIndexes" in n:
        return (
            f"failedIndexes={n['failedIndexes']} + succeeded={n['succeeded']} ≥ "
            f"completions={n['completions']}: every index is finished, some failed"
        )
    if "succeeded" in n and "completions" in n:
        if n["completions"] is None:
            return f"succeeded={n['succeeded']} (work queue: a pod succeeded) and none active"
        return f"succeeded={n['succeeded']} ≥ completions={n['completions']} and none active"
    return ""


def render(lines: list[Line], fmt: Format = "text") -> str:
    """The lines as plain text (``t=20s  …``) or as a Markdown table."""
    if fmt == "markdown":
        out = ["| t | what happened, and why |", "|---:|:---|"]
        for ln in lines:
            text = ln.text.replace("|", "\\|")
            out.append(f"| {fmt_seconds(ln.t)} | {text} |")
        return "\n".join(out) + "\n"
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: expected text or markdown")
    stamps = [f"t={fmt_seconds(ln.t)}" for ln in lines]
    width = max((len(s) for s in stamps), default=0)
    return "".join(f"{s:<{width}}  {ln.text}\n" for s, ln in zip(stamps, lines, strict=True))
