"""Chrome / Perfetto trace export (the Trace Event Format), to explore a run in a trace viewer
(``chrome://tracing``, https://ui.perfetto.dev).

Layout: process 1 is ``Jobs``, with one thread per Job (its life, pod-failure backoffs as
slices and condition changes as instant events); then one process per node, with thread 0 for
the node itself (down periods) and one thread per pod bound to it (pending, image pull and start,
each run, termination, CrashLoopBackOff); pods never bound to a node are threads of a last
``unscheduled`` process. Timestamps are microseconds of virtual time.

Reference: "Trace Event Format", https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobsim.record import fmt_seconds
from jobsim.stats import Lives, PodLife

if TYPE_CHECKING:
    from jobsim.results import Result

__all__ = ["to_trace", "write_trace"]

US = 1_000_000


def _us(t: float) -> float:
    """Seconds to microseconds, rounded to whole nanoseconds so output is stable."""
    return round(t * US, 3)


def to_trace(result: Result) -> dict[str, Any]:
    """The run as a Trace Event Format JSON object (``traceEvents`` plus metadata)."""
    lv = result.lives
    events: list[dict[str, Any]] = []

    def meta(name: str, pid: int, tid: int | None, value: str | int) -> None:
        ev: dict[str, Any] = {"name": name, "ph": "M", "pid": pid, "tid": tid or 0}
        ev["args"] = {"sort_index": value} if name.endswith("sort_index") else {"name": value}
        events.append(ev)

    def span(
        name: str, cat: str, pid: int, tid: int, t0: float, t1: float, args: dict[str, Any]
    ) -> None:
        if t1 < t0:
            return
        events.append(
            {
                "name": name,
                "cat": cat,
                "ph": "X",
                "ts": _us(t0),
                "dur": _us(t1 - t0),
                "pid": pid,
                "tid": tid,
                "args": args,
            }
        )

    def instant(name: str, cat: str, pid: int, tid: int, t: float, args: dict[str, Any]) -> None:
        events.append(
            {
                "name": name,
                "cat": cat,
                "ph": "i",
                "s": "t",
                "ts": _us(t),
                "pid": pid,
                "tid": tid,
                "args": args,
            }
        )

    # -- Jobs ----------------------------------------------------------------------------
    jobs_pid = 1
    meta("process_name", jobs_pid, None, "Jobs")
    meta("process_sort_index", jobs_pid, None, 0)
    job_tid = {job: i + 1 for i, job in enumerate(lv.jobs)}
    for job, tid in job_tid.items():
        meta("thread_name", jobs_pid, tid, job)
        meta("thread_sort_index", jobs_pid, tid, tid)
        start = lv.submitted[job]
        end = lv.finished.get(job, lv.end)
        rec = result.recorder.jobs[job]
        span(f"Job {rec.name}", "job", jobs_pid, tid, start, end, {"podsCreated": rec.podsCreated})
    for gap in lv.backoffs:
        end = min(gap.end, lv.finished.get(gap.job, gap.end))
        span(
            f"backoff {fmt_seconds(gap.end - gap.start)}",
            "backoff",
            jobs_pid,
            job_tid[gap.job],
            gap.start,
            end,
            {"failuresSinceLastSuccess": gap.failures, "decidedAt": gap.decided_at},
        )
    for c in lv.conditions:
        instant(
            f"{c.type}={c.status}: {c.reason}",
            "condition",
            jobs_pid,
            job_tid[c.job],
            c.t,
            {"type": c.type, "status": c.status, "reason": c.reason, "message": c.message},
        )

    # -- nodes and their pods ------------------------------------------------------------
    node_pid = {node: i + 2 for i, node in enumerate(lv.nodes)}
    for p in lv.pods.values():
        if p.node is not None and p.node not in node_pid:
            node_pid[p.node] = len(node_pid) + 2
    unscheduled_pid = len(node_pid) + 2
    for node, pid in node_pid.items():
        meta("process_name", pid, None, f"node {node}")
        meta("process_sort_index", pid, None, pid)
        meta("thread_name", pid, 0, "node")
    for d in lv.node_down:
        if d.node in node_pid:
            span(
                "node down",
                "node",
                node_pid[d.node],
                0,
                d.start,
                d.end if d.end is not None else lv.end,
                {},
            )
    next_tid: dict[int, int] = {}
    named_unscheduled = False
    for p in lv.pods.values():
        pid = node_pid[p.node] if p.node is not None else unscheduled_pid
        if pid == unscheduled_pid and not named_unscheduled:
            meta("process_name", pid, None, "unscheduled")
            meta("process_sort_index", pid, None, pid)
            named_unscheduled = True
        tid = next_tid.get(pid, 0) + 1
        next_tid[pid] = tid
        meta("thread_name", pid, tid, p.name)
        meta("thread_sort_index", pid, tid, tid)
        _pod_events(p, pid, tid, lv, span)
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "scenario": result.scenario,
            "seed": result.seed,
            "clock": "virtual time since the scenario's start",
        },
    }


def _pod_events(p: PodLife, pid: int, tid: int, lv: Lives, span: Any) -> None:
    end = lv.end
    args = {"job": p.job, "index": p.index}
    bound = p.scheduled if p.scheduled is not None else (p.terminal or p.removed or end)
    span("pending", "pod", pid, tid, p.created, bound, args)
    if p.scheduled is not None:
        first = p.first_start
        stop = first if first is not None else (p.terminal or p.removed or end)
        span("image pull / start", "pod", pid, tid, p.scheduled, stop, args)
    for i, run in enumerate(p.runs):
        stop = lv.run_end(run)
        outcome = "running" if run.exit_code is None else f"exit {run.exit_code}"
        span(
            f"run {run.attempt}: {outcome}",
            "run",
            pid,
            tid,
            run.start,
            stop,
            {
                **args,
                "attempt": run.attempt,
                "exitCode": run.exit_code,
                "useful": run.useful,
                "reportedAt": run.reported,
                "podOutcome": p.outcome if i == len(p.runs) - 1 else None,
            },
        )
        if i == len(p.runs) - 1 and p.deleted is not None and run.start <= p.deleted <= stop:
            span(
                "terminating", "pod", pid, tid, p.deleted, stop, {**args, "reason": p.delete_reason}
            )
    for lo, hi in p.crashloops:
        span("CrashLoopBackOff", "pod", pid, tid, lo, hi, args)


def write_trace(result: Result, path: str | Path) -> Path:
    """Write the trace JSON to ``path``."""
    out = Path(path)
    out.write_text(json.dumps(to_trace(result), indent=1) + "\n", encoding="utf-8")
    return out
