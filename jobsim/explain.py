"""A narrated timeline: one line per decision, each with its rule and numbers.

Every line is a recorded event rendered by :func:`jobsim.record.describe`; what is added comes
from the event log too (how many pods the controller had counted failed or succeeded so far,
which condition it set at that instant) or from the Job's defaulted spec (``backoffLimit``,
``activeDeadlineSeconds``, ``completions``) and the scenario's timing when ``Result.spec`` is
set. The pod-failure backoff formula is shown with :func:`jobsim.policy.backoff.backoff_duration`,
the function the controller itself calls. Nothing here re-decides anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from jobsim.record import Kind, describe, fmt_seconds

if TYPE_CHECKING:
    from jobsim.k8s.job import JobSpec
    from jobsim.results import Result

__all__ = ["Line", "explain", "render"]

Format = Literal["text", "markdown"]

SPEC_CHANGE = re.compile(r"(\w+) \S+? -> (\S+?)(?:,|$)")
"""``field old -> new`` in a ``JOB_SPEC_CHANGED`` event's text."""

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


@dataclass
class _JobCtx:
    spec: JobSpec | None
    failed: int = 0
    succeeded: int = 0
    failed_by_index: dict[int, int] | None = None
    failure_target: tuple[float, str] | None = None
    failure_why: str = ""
    success_target: float | None = None
    start: float | None = None
    completions: int | None = None
    """spec.completions as of now: the manifest's, then as ``JOB_SPEC_CHANGED`` records it."""


def _spec_summary(spec: JobSpec) -> str:
    parts = [
        "completions unset (work queue)"
        if spec.completions is None
        else f"completions={spec.completions}",
        f"parallelism={spec.parallelism}",
    ]
    if spec.completionMode == "Indexed":
        parts.append("completionMode=Indexed")
    if spec.backoffLimitPerIndex is not None:
        parts.append(f"backoffLimitPerIndex={spec.backoffLimitPerIndex}")
    else:
        parts.append(f"backoffLimit={spec.backoffLimit}")
    if spec.activeDeadlineSeconds is not None:
        parts.append(f"activeDeadlineSeconds={spec.activeDeadlineSeconds}")
    parts.append(f"restartPolicy={spec.template.spec.restartPolicy}")
    return ", ".join(parts)


def explain(result: Result, *, job: str | None = None) -> list[Line]:
    """The narrated timeline of ``result`` (of one Job, by name or ``namespace/name``)."""
    rec = result.recorder
    specs: dict[str, JobSpec] = {}
    timing: Any = None
    if result.spec is not None:
        from jobsim.scenario import job_key

        specs = {job_key(m): m.spec for m in result.spec.manifests}
        timing = result.spec.timing
    key = None
    if job is not None:
        key = next(
            (k for k, j in rec.jobs.items() if job in (k, j.name)),
            None,
        )
        if key is None:
            raise KeyError(job)
    events = list(rec.events())
    ctx = {k: _JobCtx(specs.get(k)) for k in rec.jobs}
    for c in ctx.values():
        c.completions = None if c.spec is None else c.spec.completions
    # First pass: when each Job's FailureTarget / SuccessCriteriaMet was set, and startTime.
    for t, kind, subject, ref, _a, _b, _text in events:
        if kind is Kind.JOB_CONDITION:
            type_, status, reason = ref.split("/")
            c = ctx[subject]
            if type_ == "FailureTarget" and status == "True" and c.failure_target is None:
                c.failure_target = (t, reason)
            if type_ == "SuccessCriteriaMet" and status == "True" and c.success_target is None:
                c.success_target = t
    for k, c in ctx.items():
        c.start = rec.jobs[k].status.get("startTime")
    nodes_of_job: dict[str, set[str]] = {}
    for p in rec.pods.values():
        if p.node is not None:
            nodes_of_job.setdefault(p.job, set()).add(p.node)
    restarts: dict[str, int] = {}
    terminal: set[str] = set()
    exit_codes: dict[str, int] = {}
    deleted: set[str] = set()
    seen_backoff: set[tuple[str, int, float]] = set()
    last_text: dict[tuple[str, Kind], str] = {}
    lines: list[Line] = []
    for t, kind, subject, ref, a, b, text in events:
        pod = rec.pods.get(subject)
        owner = subject if subject in rec.jobs else (pod.job if pod is not None else None)
        # Running tallies, from the log itself.
        if kind is Kind.CONTAINER_STARTED:
            restarts[subject] = a
        elif kind is Kind.CONTAINER_EXITED:
            exit_codes[subject] = a
        elif kind is Kind.POD_PHASE and ref in ("Succeeded", "Failed"):
            terminal.add(subject)
        elif kind is Kind.POD_DELETED:
            deleted.add(subject)
        elif kind is Kind.JOB_SPEC_CHANGED and owner is not None:
            for field_, value in SPEC_CHANGE.findall(text):
                if field_ == "completions":
                    ctx[owner].completions = int(value) if value.isdigit() else None
        elif kind is Kind.POD_COUNTED and owner is not None:
            c = ctx[owner]
            if ref == "failed":
                c.failed += 1
                idx = rec.pods[subject].index
                if idx is not None:
                    c.failed_by_index = c.failed_by_index or {}
                    c.failed_by_index[idx] = c.failed_by_index.get(idx, 0) + 1
            elif ref == "succeeded":
                c.succeeded += 1
        unscheduled_failed = (
            kind is Kind.POD_PHASE and ref == "Failed" and pod is not None and pod.node is None
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
        if key is not None:
            if owner is None:
                if subject not in nodes_of_job.get(key, set()):
                    continue
            elif owner != key:
                continue
        why = _why(kind, subject, ref, a, b, t, owner, ctx, timing, rec, restarts, terminal)
        if kind is Kind.CONTAINER_EXITED and subject in deleted and a in (137, 143):
            why = "SIGKILL at the end of the grace period" if a == 137 else "SIGTERM"
        lines.append(Line(t, subject, owner, f"{sentence}{why and ': ' + why}"))
    return lines


def _why(
    kind: Kind,
    subject: str,
    ref: str,
    a: int,
    b: float,
    t: float,
    owner: str | None,
    ctx: dict[str, _JobCtx],
    timing: Any,
    rec: Any,
    restarts: dict[str, int],
    terminal: set[str],
) -> str:
    """The rule and its numbers, for the decisions of the Job controller."""
    if owner is None:
        return ""
    c = ctx[owner]
    spec = c.spec
    if kind is Kind.JOB_SUBMITTED and spec is not None:
        return _spec_summary(spec)
    if kind in (Kind.JOB_BACKOFF, Kind.JOB_INDEX_BACKOFF):
        if kind is Kind.JOB_INDEX_BACKOFF:
            if not ref.isdigit():
                return ""
            a = int(ref)
        if timing is None or a < 1:
            return ""
        from jobsim.policy.backoff import backoff_duration

        base = float(timing.podFailureBackoffBase)
        cap = float(timing.podFailureBackoffMax)
        delay = backoff_duration(a, base, cap)
        formula = f"{fmt_seconds(base)}·2^{a - 1}"
        if delay == cap and base * 2 ** (a - 1) != cap:
            formula += f" capped at {fmt_seconds(cap)}"
        return (
            f"{formula} = {fmt_seconds(delay)} after the last failure at "
            f"{fmt_seconds(t + b - delay)}, until {fmt_seconds(t + b)}"
        )
    if kind is Kind.POD_COUNTED:
        if ref == "succeeded":
            if spec is None or c.completions is None:
                return f"succeeded={c.succeeded}"
            return f"succeeded={c.succeeded} of completions={c.completions}"
        if ref == "ignored":
            return "podFailurePolicy Ignore: not counted towards the backoff limit"
        ft = c.failure_target
        on_failure = spec is not None and spec.template.spec.restartPolicy == "OnFailure"
        if ft is not None and (ft[0] < t or ft[1] != "BackoffLimitExceeded" or on_failure):
            return f"failed={c.failed}; the Job is failing ({ft[1]}), its pods count as failed"
        if spec is None:
            return f"failed={c.failed}"
        if spec.backoffLimitPerIndex is not None:
            idx = rec.pods[subject].index
            n = (c.failed_by_index or {}).get(idx, 0)
            return (
                f"index {idx} failed {n} time{'s' if n != 1 else ''}, "
                f"backoffLimitPerIndex={spec.backoffLimitPerIndex}"
            )
        limit = spec.backoffLimit
        exceeded = ft is not None and ft == (t, "BackoffLimitExceeded")
        cmp = ">" if limit is not None and c.failed > limit else "≤"
        return (
            f"failed={c.failed} {cmp} backoffLimit={limit}, "
            f"{'exceeded' if exceeded else 'not exceeded'}"
        )
    if kind is Kind.JOB_CONDITION:
        type_, status, reason = ref.split("/")
        if status != "True":
            return ""
        earlier = None
        if type_ == "Failed" and c.failure_target is not None and c.failure_target[0] < t:
            earlier = ("FailureTarget", c.failure_target[0])
        if type_ == "Complete" and c.success_target is not None and c.success_target < t:
            earlier = ("SuccessCriteriaMet", c.success_target)
        if earlier is not None:
            return f"{earlier[0]} since {fmt_seconds(earlier[1])} and no pod is left terminating"
        if type_ == "Failed" and c.failure_target is not None:
            return c.failure_why  # set in the same instant as FailureTarget: the same numbers
        if spec is None:
            return ""
        if type_ == "FailureTarget":
            c.failure_why = _condition_why(c, spec, owner, reason, t, rec, restarts, terminal)
            return c.failure_why
        return _condition_why(c, spec, owner, reason, t, rec, restarts, terminal)
    return ""


def _condition_why(
    c: _JobCtx,
    spec: JobSpec,
    owner: str,
    reason: str,
    t: float,
    rec: Any,
    restarts: dict[str, int],
    terminal: set[str],
) -> str:
    """The numbers behind a Job condition's reason."""
    if reason == "BackoffLimitExceeded":
        if spec.template.spec.restartPolicy == "OnFailure":
            n = sum(
                r
                for pod, r in restarts.items()
                if rec.pods[pod].job == owner and pod not in terminal
            )
            return f"restartCount={n} ≥ backoffLimit={spec.backoffLimit}"
        return f"failed={c.failed} > backoffLimit={spec.backoffLimit}"
    if reason == "DeadlineExceeded" and c.start is not None:
        return (
            f"activeDeadlineSeconds={spec.activeDeadlineSeconds} reached: "
            f"{fmt_seconds(t - c.start)} since startTime {fmt_seconds(c.start)}"
        )
    if reason == "CompletionsReached":
        if c.completions is None:
            return f"succeeded={c.succeeded} (work queue: a pod succeeded) and none active"
        return f"succeeded={c.succeeded} ≥ completions={c.completions} and none active"
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
