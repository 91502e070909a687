"""Cases that run the controller's work queue (``jobsim.parity.multi_sync``): upstream's
TestPastDeadlineJobFinished, TestSyncJobUpdateRequeue, TestUpdateJobRequeue and
TestSyncJobDeleted, and cases of the same kinds the file does not hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from jobsim.parity import load_cases, run_cases
from jobsim.parity.multi_sync import run_multi_sync
from jobsim.parity.snapshot import seed
from jobsim.parity.sync_cases import case_manifest
from jobsim.parity.values import NOW

JOB = {"name": "job2", "parallelism": 1, "completions": 1, "backoffLimit": 6}


def _file(tmp_path: Path, cases: list[dict[str, Any]]) -> Path:
    path = tmp_path / "cases.yaml"
    data = {"format": "upstream-controller-cases/v1", "harness": {}, "cases": cases}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _case(name: str, expect: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"test": "MyQueueTest", "name": name, "job": JOB, "expect": expect, **extra}


def test_past_deadline_fails_the_job_once_the_deadline_is_reached(tmp_path: Path) -> None:
    """activeDeadlineSeconds 1 from startTime now: the first sync creates the pod and queues
    itself for the deadline (AddAfter 1 s); then FailureTarget DeadlineExceeded, the pod's
    DELETE (gone at once, as in the fake clientset), and Failed on the next sync."""
    deadline = {
        "eventually": [
            "status.startTime is set",
            "condition Failed=True reason DeadlineExceeded appears",
        ],
        "never": "DeadlineExceeded before clock.since(status.startTime) >= activeDeadlineSeconds",
    }
    job = {**JOB, "activeDeadlineSeconds": 1}
    cases = [
        _case("deadline", deadline, job=job, initialStatus={"startTime": "now"}),
        _case("no deadline", deadline, initialStatus={"startTime": "now"}),
        _case(
            "backoff",
            {"eventually": "condition Failed=True reason BackoffLimitExceeded appears"},
            job=job,
        ),
        _case("prose", {"eventually": "the Job is happy"}, job=job),
    ]
    lines = [v.line() for v in run_cases(load_cases(_file(tmp_path, cases)))]
    assert lines == [
        "PASS MyQueueTest / deadline",
        "FAIL MyQueueTest / no deadline: eventually: no condition Failed=True reason "
        "DeadlineExceeded",
        "FAIL MyQueueTest / backoff: eventually: no condition Failed=True reason "
        "BackoffLimitExceeded",
        "UNSUPPORTED MyQueueTest / prose: an 'eventually' statement not understood: "
        "'the Job is happy'",
    ]


def test_the_deadline_run_has_the_upstream_timeline() -> None:
    """Created at NOW; FailureTarget at NOW + 1 s (the deadline); the pod is deleted then and
    the status write queues the next sync 1 s later (syncJobBatchPeriod): Failed at NOW + 2 s."""
    s = seed(case_manifest({**JOB, "activeDeadlineSeconds": 1}), {"startTime": NOW}, [], NOW)
    case = {"expect": {"eventually": ["condition Failed=True reason DeadlineExceeded appears"]}}
    assert run_multi_sync(case, s) == []
    times = {c["type"]: c["lastTransitionTime"] - NOW for c in s.job.conditions}
    assert times == {"FailureTarget": 1.0, "Failed": 2.0}
    assert len(s.env.created) == 1 and len(s.env.deleted) == 1


def test_requeues_after_a_sync_and_after_a_status_update(tmp_path: Path) -> None:
    """A sync that succeeds queues nothing within the API back-off (its status write's
    resync comes a batch period later); a status update (same generation) is batched, not
    immediate (updateJob: enqueueSyncJobBatched)."""
    cases = [
        _case("no error", {"requeued": False}),
        _case("claims requeue", {"requeued": True}),
        _case("status update", {"requeuedImmediately": False}, update={"status.startTime": "now"}),
        _case("spec update", {"requeuedImmediately": True}, update={"spec.parallelism": 2}),
        _case("gone", {"syncError": False, "creations": 0}, job={**JOB, "notInInformer": True}),
        _case("not gone", {"creations": 0, "syncError": False}),
    ]
    lines = [v.line() for v in run_cases(load_cases(_file(tmp_path, cases)))]
    assert lines == [
        "PASS MyQueueTest / no error",
        "FAIL MyQueueTest / claims requeue: requeued: expected True, got False",
        "PASS MyQueueTest / status update",
        "UNSUPPORTED MyQueueTest / spec update: update of spec.parallelism: only status updates",
        "PASS MyQueueTest / gone",
        "FAIL MyQueueTest / not gone: creations: expected 0, got 1",
    ]
