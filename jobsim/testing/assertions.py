"""Assertions about one run of a Job, whose messages show what happened.

Each raises :class:`jobsim.testing.JobsimFailure` (an ``AssertionError`` holding the run as
``result``) whose message says what was expected and what the run did,
followed by the narrated timeline of the Job (``jobsim explain``) and, when the Result kept
it (:func:`jobsim.testing.run` does), the scenario as YAML, ready to save and replay. Inside
a hypothesis test, :func:`jobsim.testing.run` has noted those already for the minimal failing
example, so the message is the first line alone. Jobs are
named by ``metadata.name`` or ``namespace/name``.
"""

from __future__ import annotations

from typing import NoReturn

from jobsim.queries import active_pods, conditions, max_active, pods
from jobsim.results import Result
from jobsim.stats import ContainerRun
from jobsim.testing.checker import EventViolation, check_record
from jobsim.testing.report import failure_report
from jobsim.testing.runner import JobsimFailure, noted
from jobsim.testing.strategies._common import _seconds_of
from jobsim.units import format_duration

__all__ = [
    "TERMINAL_TYPES",
    "assert_failed_pods_at_most",
    "assert_invariants",
    "assert_max_active",
    "assert_terminal",
]

TERMINAL_TYPES = ("Complete", "Failed", "SuccessCriteriaMet", "FailureTarget")
"""The Job condition types :func:`assert_terminal` knows."""


def _fail(result: Result, job: str | None, what: str) -> NoReturn:
    """Raise the assertion, always from this one line: hypothesis tells failures apart by
    where they are raised, and one broken property should read as one failure. Inside a
    hypothesis test, a Result from :func:`jobsim.testing.run` has its report noted already."""
    message = what if noted(result) else f"{what}\n\n{failure_report(result, job)}"
    raise JobsimFailure(message, result)


def assert_invariants(result: Result) -> None:
    """The run kept every invariant of the Job controller that its record shows, event by
    event (:func:`jobsim.testing.checker.check_record`; a :func:`jobsim.testing.run` checks
    every status write as well, as it happens)."""
    try:
        check_record(result.recorder)
    except EventViolation as e:
        problem = str(e)
    else:
        return
    _fail(result, None, f"invariant broken {problem}")


def assert_max_active(result: Result, job: str, n: int) -> None:
    """The Job never had more than ``n`` active pods at once (created, not finished, not being
    deleted: what ``status.active`` counts)."""
    most = max_active(result, job)
    if most <= n:
        return
    when = next(t for t, v in active_pods(result, job) if v == most)
    names = [
        p.name
        for p in pods(result, job)
        if p.created <= when and all(s is None or s > when for s in (p.finished, p.deleted))
    ]
    _fail(
        result,
        job,
        f"Job {job} had {most} active pods at t={format_duration(when)}, more than {n}: "
        + ", ".join(names),
    )


def assert_terminal(
    result: Result,
    job: str,
    condition: str,
    *,
    reason: str | None = None,
    within: float | str | None = None,
    since: float | ContainerRun | None = None,
) -> None:
    """The Job got condition ``condition`` (``Complete``, ``Failed``, ``SuccessCriteriaMet`` or
    ``FailureTarget``) set to True, with ``reason`` if given, at most ``within`` (seconds or a
    Go duration such as ``"5m"``) after ``since``: a time, or a container run, from its exit
    (``end``; pass ``run.reported`` for when the controller saw it). Default: when the Job
    was created."""
    if condition not in TERMINAL_TYPES:
        raise ValueError(f"condition must be one of {TERMINAL_TYPES}, not {condition!r}")
    marks = conditions(result, job)
    got = next((c for c in marks if c.type == condition and c.status == "True"), None)
    if got is None:
        seen = ", ".join(
            f"{c.type}={c.status} ({c.reason}) at {format_duration(c.t)}" for c in marks
        )
        _fail(
            result,
            job,
            f"Job {job} never got {condition}=True by the end of the run at "
            f"{format_duration(result.end)}; its conditions: {seen or 'none'}",
        )
    if reason is not None and got.reason != reason:
        _fail(
            result,
            job,
            f"Job {job} got {condition}=True at {format_duration(got.t)} with reason {got.reason}, "
            f"not {reason}: {got.message}",
        )
    if within is not None:
        limit = _seconds_of("within", within)
        if isinstance(since, ContainerRun):
            if since.end is None:
                raise ValueError(
                    f"the run of pod {since.pod} (attempt {since.attempt}) never exited"
                )
            since = since.end
        start = result.lives.submitted[result.job_key(job)] if since is None else since
        if got.t - start > limit:
            _fail(
                result,
                job,
                f"Job {job} got {condition}=True at {format_duration(got.t)}, "
                f"{format_duration(got.t - start)} after {format_duration(start)}: "
                f"more than {format_duration(limit)}",
            )


def assert_failed_pods_at_most(result: Result, job: str, n: int) -> None:
    """The Job controller counted at most ``n`` of the Job's pods as failed (its final
    ``status.failed``; podFailurePolicy ``Ignore`` matches do not count)."""
    key = result.job_key(job)
    failed = int(result.recorder.jobs[key].status.get("failed", 0))
    if failed <= n:
        return
    counted = [p for p in pods(result, job) if p.counted == "failed"]
    listed = ", ".join(f"{p.name} ({p.outcome}, exit {p.exit_code})" for p in counted)
    _fail(result, job, f"Job {job} has failed={failed}, more than {n}: {listed}")
