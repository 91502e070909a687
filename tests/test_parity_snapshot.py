"""``jobsim.parity.sync_once``: one ``syncJob`` from a snapshot, through the controller code
every simulation runs. Expectations follow upstream ``pkg/controller/job/job_controller.go``
(``syncJob``, ``manageJob``, ``onlyReplaceFailedPods``, ``trackJobStatusAndRemoveFinalizers``)
and ``backoff_utils.go``."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import api
from jobsim.parity import CreatedPod, PodSnapshot, SnapshotError, sync_once
from tests.helpers import job_manifest


def _job(**spec: Any) -> dict[str, Any]:
    """A Job as upstream's tests build it: parallelism, completions and backoffLimit set,
    nothing defaulted."""
    spec = {"parallelism": 1, "completions": 1, "backoffLimit": 6, **spec}
    manifest = job_manifest("foobar", **spec)
    manifest["metadata"]["namespace"] = "default"
    return manifest


def test_an_indexed_job_creates_its_lowest_pending_index_and_counts_a_success() -> None:
    """Indexed, completions 4, parallelism 3; index 0 completed earlier (status), index 1
    running and Ready, index 2 newly Succeeded. Succeeded = {0, 2}, so want = min(4 - 2, 3) = 2
    with 1 active: one pod, of the lowest index not succeeded or active, 3. The succeeded pod
    is counted and its finalizer removed; the status write asks for the batched resync (1 s)."""
    out = sync_once(
        _job(completionMode="Indexed", completions=4, parallelism=3),
        {"startTime": 0.0, "completedIndexes": "0", "succeeded": 1, "active": 2},
        [
            PodSnapshot("a", phase="Running", index=1, ready=True),
            PodSnapshot("b", phase="Succeeded", index=2, finished_at=90.0),
        ],
        now=100.0,
    )
    assert [p.index for p in out.created] == [3]
    assert out.created[0].name.startswith("foobar-3-")  # podGenerateNameWithIndex
    assert out.deleted == ()
    assert out.finalizers_removed == ("b",)
    status = out.status
    assert (status["active"], status["ready"], status["succeeded"]) == (2, 1, 2)
    assert status["completedIndexes"] == "0,2"
    assert status["terminating"] == 0  # counted (JobPodReplacementPolicy is GA): 0, not nil
    assert status["failedIndexes"] is None  # no backoffLimitPerIndex: the pointer stays nil
    assert status["startTime"] == 0.0
    assert out.status_written
    assert out.requeues == (1.0,) and out.requeue_after == 1.0


def test_a_podfailurepolicy_job_without_defaulting_does_not_replace_terminating_pods() -> None:
    """onlyReplaceFailedPods is true whenever the Job has a podFailurePolicy, even with
    podReplacementPolicy nil (no API defaulting, as in upstream's unit tests): the terminating
    pod is not a failure (isPodFailed), keeps its finalizer, and is not replaced:
    want 2 - terminating 1 - active 1 = 0 pods to create."""
    job = _job(parallelism=2, completions=2, podFailurePolicy={"rules": []})
    pods = [
        PodSnapshot("running", phase="Running"),
        PodSnapshot("leaving", phase="Running", deletion_timestamp=50.0),
    ]
    out = sync_once(job, {"startTime": 0.0}, pods, now=60.0)
    assert out.created == ()
    assert out.finalizers_removed == ()
    assert (out.status["failed"], out.status["terminating"], out.status["active"]) == (0, 1, 1)
    # API defaulting sets podReplacementPolicy Failed for such a Job: the same sync
    assert sync_once(job, {"startTime": 0.0}, pods, now=60.0, defaulting=True).status == out.status


def test_without_a_podfailurepolicy_a_terminating_pod_is_failed_and_replaced() -> None:
    """podReplacementPolicy nil and no podFailurePolicy: TerminatingOrFailed behaviour, the
    terminating pod counts as failed at once (its finalizer removed) and is replaced."""
    pods = [
        PodSnapshot("running", phase="Running"),
        PodSnapshot("leaving", phase="Running", deletion_timestamp=50.0),
    ]
    out = sync_once(_job(parallelism=2, completions=2), {"startTime": 0.0}, pods, now=60.0)
    assert len(out.created) == 1
    assert out.finalizers_removed == ("leaving",)
    assert (out.status["failed"], out.status["terminating"]) == (1, 1)


def test_a_new_failure_waits_out_the_pod_failure_backoff() -> None:
    """One pod failed 4 s ago, no earlier failure: the backoff is 10 s·2^0, 6 s remain, so no
    pod is created and the sync asks to be requeued in 6 s; the failure is counted, and the
    status write asks for the 1 s batched resync too (the queue keeps the earliest)."""
    out = sync_once(
        _job(backoffLimit=6),
        {"startTime": 0.0},
        [PodSnapshot("f", phase="Failed", finished_at=96.0)],
        now=100.0,
    )
    assert out.created == ()
    assert out.requeues == (6.0, 1.0)
    assert out.requeue_after == 1.0
    assert out.status["failed"] == 1
    assert out.finalizers_removed == ("f",)


def test_a_backoff_record_from_earlier_syncs_is_honoured() -> None:
    """The controller's backoff store says 2 failures, the last 15 s ago: 10 s·2 = 20 s, so
    5 s remain and nothing is created (upstream getRemainingTime)."""
    from jobsim.policy.backoff import BackoffRecord

    out = sync_once(_job(), {"startTime": 0.0}, [], now=100.0, backoff=BackoffRecord(2, 85.0))
    assert out.created == ()
    assert out.requeues == (5.0,)
    assert out.status_written  # ready and terminating, nil before, are now 0 (ptr.Equal)
    again = sync_once(
        _job(),
        {"startTime": 0.0, "ready": 0, "terminating": 0},
        [],
        now=100.0,
        backoff=BackoffRecord(2, 85.0),
    )
    assert not again.status_written  # nothing changed


def test_the_last_success_completes_the_job() -> None:
    """completions 1, its pod Succeeded: SuccessCriteriaMet then, no pod terminating,
    Complete in the same sync, completionTime now."""
    out = sync_once(
        _job(), {"startTime": 0.0}, [PodSnapshot("p", phase="Succeeded", finished_at=9.0)], 10.0
    )
    types = [(c["type"], c["reason"]) for c in out.status["conditions"]]
    assert types == [
        ("SuccessCriteriaMet", "CompletionsReached"),
        ("Complete", "CompletionsReached"),
    ]
    assert out.status["completionTime"] == 10.0
    assert out.status["uncountedTerminatedPods"] == {}


def test_a_job_another_controller_manages_is_left_as_it_is() -> None:
    """managedBy another controller: syncJob returns at once; the status stays as given, its
    nil pointers nil (ready, terminating, uncountedTerminatedPods), and nothing is created."""
    out = sync_once(_job(managedBy="example.com/other"), {"active": 1}, [], now=5.0)
    assert out.created == () and not out.status_written
    assert out.status["active"] == 1
    assert out.status["terminating"] is None and out.status["ready"] is None
    assert out.status["uncountedTerminatedPods"] is None


def test_a_finished_job_is_not_synced() -> None:
    """A Job with Complete=True: IsJobFinished, syncJob does nothing."""
    done = {"type": "Complete", "status": "True", "reason": "", "message": ""}
    out = sync_once(_job(), {"conditions": [done]}, [PodSnapshot("p", phase="Running")], 5.0)
    assert out.created == () and out.deleted == ()
    assert [c["type"] for c in out.status["conditions"]] == ["Complete"]


@pytest.mark.parametrize(
    ("job", "pods", "message"),
    [
        (_job(), [PodSnapshot("a"), PodSnapshot("a")], "pods: names must be unique"),
        (_job(), [PodSnapshot("a", phase="Done")], "pod a: phase 'Done'"),
        ({"spec": {"parallelism": "many"}}, [], "job: "),
        (job_manifest("foobar"), [], r"job: spec.parallelism must be set \(or use defaulting"),
    ],
)
def test_a_snapshot_that_cannot_be_built_says_why(
    job: dict[str, Any], pods: list[PodSnapshot], message: str
) -> None:
    with pytest.raises(SnapshotError, match=message):
        sync_once(job, {}, pods, 0.0)


def test_the_public_api_exports_it() -> None:
    assert api.sync_once is sync_once
    assert api.CreatedPod is CreatedPod


# -- a Job being deleted (metadata.deletionTimestamp) -------------------------------------
def test_a_job_being_deleted_creates_nothing_and_lets_every_pod_go() -> None:
    """syncJob of a Job with a deletionTimestamp: manageJob is not called
    (``satisfiedExpectations && job.DeletionTimestamp == nil``), so completions 5 with one
    success, parallelism 3 and two active pods creates nothing; canRemoveFinalizer is true
    for every pod (``jobCtx.job.DeletionTimestamp != nil``): the Pending and Running pods
    lose their finalizer too, without being counted (neither Succeeded nor failed)."""
    pods = [
        PodSnapshot("pending"),
        PodSnapshot("running", phase="Running"),
        PodSnapshot("done", phase="Succeeded", finished_at=50.0),
    ]
    job = _job(parallelism=3, completions=5)
    out = sync_once(job, {"startTime": 0.0}, pods, now=60.0, deletion_timestamp=55.0)
    assert out.created == () and out.deleted == ()
    assert out.finalizers_removed == ("pending", "running", "done")
    status = out.status
    assert (status["active"], status["succeeded"], status["failed"]) == (2, 1, 0)
    assert status["conditions"] == []
    # the same Job not being deleted: min(5 - 1, 3) = 3 pods wanted, two active: one created
    alive = sync_once(job, {"startTime": 0.0}, pods, now=60.0)
    assert len(alive.created) == 1 and alive.finalizers_removed == ("done",)


def test_a_suspended_job_being_deleted_keeps_its_pods_and_gets_no_condition() -> None:
    """Suspended and being deleted: no manageJob, so no suspension deletions, and the
    Suspended condition is set only where manageJob ran (``manageJobCalled``)."""
    pods = [PodSnapshot("a", phase="Running"), PodSnapshot("b", phase="Running")]
    job = _job(parallelism=2, completions=4, suspend=True)
    out = sync_once(job, {}, pods, now=60.0, deletion_timestamp=60.0)
    assert out.deleted == ()
    assert out.finalizers_removed == ("a", "b")
    assert out.status["active"] == 2 and out.status["conditions"] == []
    assert out.status["startTime"] is None  # suspended: never started
    suspended = sync_once(job, {}, pods, now=60.0)
    assert suspended.deleted == ("a", "b")
    assert [c["type"] for c in suspended.status["conditions"]] == ["Suspended"]


def test_a_job_being_deleted_still_completes() -> None:
    """The success check runs whether or not manageJob did: both pods succeeded, none
    active: SuccessCriteriaMet and Complete (no pod left terminating)."""
    pods = [PodSnapshot(n, phase="Succeeded", finished_at=50.0) for n in ("a", "b")]
    job = _job(parallelism=2, completions=2)
    out = sync_once(job, {"startTime": 0.0}, pods, now=60.0, deletion_timestamp=55.0)
    assert [c["type"] for c in out.status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert out.status["succeeded"] == 2
