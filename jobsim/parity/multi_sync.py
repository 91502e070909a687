"""Cases that run more than one sync: the controller's work queue over virtual time.

Upstream tests of this kind (``TestPastDeadlineJobFinished``, ``TestSyncJobUpdateRequeue``,
``TestUpdateJobRequeue``, ``TestSyncJobDeleted``) start the controller's worker or call its
event handlers, then look at the queue or poll the Job. Here the snapshot is seeded into
jobsim's own ``JobController`` (``sim.controller``), whose work queue runs on a virtual clock:

- pods it creates stay Pending (nothing schedules them), as in upstream's fake clientset;
- a pod it deletes is gone at once: the fake clientset removes the object, and a pod that
  never ran has nothing to stop (``Simulation`` likewise fails a never-scheduled pod on delete);
- ``update`` (``status.*`` keys) is an ``updateJob`` event with the generation unchanged;
- ``requeued``: a sync is queued within ``fastJobApiBackoff`` (10 ms) of the first;
  ``requeuedImmediately``: one is queued at once;
- ``eventually``/``never``: the statements the format uses, checked on the run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jobsim.parity.compare import diff
from jobsim.parity.snapshot import Seeded
from jobsim.parity.values import NOW, CaseUnsupported
from jobsim.sim.controller import JobController
from jobsim.sim.engine import Clock, Prio
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.objects import FAILED, Pod

__all__ = ["MULTI_SYNC_EXPECT", "run_multi_sync"]

FAST_JOB_API_BACKOFF = 0.010
"""``fastJobApiBackoff`` of job_controller_test.go: the API back-off the tests shorten to."""
HORIZON = 3600.0
"""How long (virtual seconds) an ``eventually`` case runs at most."""

MULTI_SYNC_EXPECT = frozenset(
    {"requeued", "requeuedImmediately", "eventually", "never", "syncError"}
)
"""Expectations only a run of the work queue shows."""

_CONDITION = re.compile(r"^condition (\w+)=(\w+) reason (\w+) appears$")
_NOT_BEFORE = re.compile(
    r"^(\w+) before clock\.since\(status\.startTime\) >= activeDeadlineSeconds$"
)


class _Cluster:
    """The API server of upstream's fake clientset, for a ``JobController`` on a clock."""

    def __init__(self, s: Seeded, clock: Clock) -> None:
        self.s, self.clock = s, clock
        self.controller = JobController(
            clock, s.env.timing, s.env.recorder, self.create_pod, self.delete_pod, s.env.pod_gone
        )

    def create_pod(self, job: JobRuntime, index: int | None) -> Pod:
        self.s.env.now = self.clock.now
        return self.s.env.create_pod(job, index)

    def delete_pod(self, pod: Pod, reason: str, why: str) -> None:
        self.s.env.now = self.clock.now
        self.s.env.delete_pod(pod, reason, why)
        self.clock.call(0.0, Prio.KUBELET, self._gone, pod)

    def _gone(self, pod: Pod) -> None:
        if not pod.terminal:
            pod.phase = FAILED
            self.controller.pod_terminal(pod)


def _statements(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v).strip() for v in (value if isinstance(value, list) else [value])]


def _condition_time(job: JobRuntime, type_: str, status: str, reason: str) -> float | None:
    for c in job.conditions:
        if c["type"] == type_ and c["status"] == status and c["reason"] == reason:
            return float(c["lastTransitionTime"])
    return None


def _check(statement: str, job: JobRuntime, never: bool) -> str | None:
    """The difference a statement finds on the run (None: it holds)."""
    if never:
        m = _NOT_BEFORE.match(statement)
        if m is None:
            raise CaseUnsupported(f"a 'never' statement not understood: {statement!r}")
        deadline = job.spec.activeDeadlineSeconds
        at = next(
            (float(c["lastTransitionTime"]) for c in job.conditions if c["reason"] == m.group(1)),
            None,
        )
        if at is None or job.start_time is None or deadline is None:
            return None
        if at - job.start_time < deadline:
            return f"never: {m.group(1)} {at - job.start_time:g} s after startTime"
        return None
    if statement == "status.startTime is set":
        return None if job.start_time is not None else "eventually: status.startTime never set"
    m = _CONDITION.match(statement)
    if m is None:
        raise CaseUnsupported(f"an 'eventually' statement not understood: {statement!r}")
    if _condition_time(job, *m.groups()) is None:
        return f"eventually: no condition {m.group(1)}={m.group(2)} reason {m.group(3)}"
    return None


def _update(cluster: _Cluster, job: JobRuntime, update: Any) -> None:
    if not isinstance(update, Mapping):
        raise CaseUnsupported("update: expected a mapping of status.* fields")
    spec_keys = [str(k) for k in update if not str(k).startswith("status.")]
    if spec_keys:
        raise CaseUnsupported(f"update of {', '.join(spec_keys)}: only status updates")
    if "status.startTime" in update:
        job.start_time = cluster.clock.now
    cluster.controller.job_status_changed(job)


def run_multi_sync(case: Mapping[str, Any], s: Seeded) -> list[str]:
    """Run the seeded Job through ``JobController``'s work queue as the case says; the
    differences from its multi-sync expectations."""
    clock = Clock()
    clock.now = NOW
    cluster = _Cluster(s, clock)
    job = s.job
    expect = dict(case.get("expect") or {})
    actual: dict[str, Any] = {}
    if "update" in case:
        _update(cluster, job, case["update"])
        actual["requeuedImmediately"] = job.sync_at is not None and job.sync_at <= clock.now
    else:  # processNextWorkItem: the worker takes the key and syncs
        cluster.controller.sync(job)
    if "requeued" in expect:
        actual["requeued"] = job.sync_at is not None and job.sync_at <= NOW + FAST_JOB_API_BACKOFF
    differences: list[str] = []
    if "eventually" in expect or "never" in expect:
        clock.run(NOW + HORIZON)
        for statement in _statements(expect.pop("eventually", None)):
            differences += [d for d in [_check(statement, job, False)] if d]
        for statement in _statements(expect.pop("never", None)):
            differences += [d for d in [_check(statement, job, True)] if d]
    actual["syncError"] = False  # jobsim's API calls do not fail
    actual["creations"] = len(s.env.created)
    actual["deletions"] = len(s.env.deleted)
    return differences + diff(expect, actual)
