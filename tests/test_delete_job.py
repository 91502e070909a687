"""``deleteJob``: ``kubectl delete job`` with its propagation policy, the garbage collector
and the Job controller's part. Times follow from the semantics (pkg/controller/garbagecollector,
apiserver ``markAsDeleting``, job_controller.go ``syncJob``/``canRemoveFinalizer``/
``syncOrphanPod``): 4 completions, 2 at a time, 60 s pods that stop 10 s after SIGTERM, zero
latencies; the first two pods succeed at 60 s, the next two start at 60 s, the delete is at 90 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import load_scenario, simulate
from jobsim.record import Kind, PodRecord, Recorder
from tests.helpers import ROOT, job_manifest, scenario, scenario_error

WORK = {"duration": "60s", "terminationDelay": "10s"}


def _run(policy: str | None, at: str = "90s", **spec: Any) -> Recorder:
    delete: dict[str, Any] = {"job": "j"}
    if policy is not None:
        delete["propagationPolicy"] = policy
    manifest = job_manifest("j", completions=4, parallelism=2, **spec)
    data = scenario((manifest, WORK), events=[{"at": at, "deleteJob": delete}])
    return simulate(load_scenario(data)).recorder


def _pods(rec: Recorder) -> tuple[list[PodRecord], list[PodRecord]]:
    """The first two pods (done at 60 s) and the two running at 90 s."""
    pods = sorted(rec.pods.values(), key=lambda p: (p.createdAt, p.name))
    assert [p.createdAt for p in pods] == [0.0, 0.0, 60.0, 60.0]
    return pods[:2], pods[2:]


def _kinds(rec: Recorder, *kinds: Kind) -> list[tuple[float, Kind, str]]:
    return [(t, k, text) for _i, t, k, _s, _r, _a, _b, text in rec.select(*kinds)]


@pytest.mark.parametrize("policy", [None, "Background"])
def test_background_deletes_the_job_then_its_pods_uncounted(policy: str | None) -> None:
    """kubectl's default: the Job object goes at 90 s (no finalizer); the garbage collector
    deletes its pods, the controller removes their finalizers (their Job is gone): the two
    running pods stop at 100 s and are gone then, counted by no one."""
    rec = _run(policy)
    job = rec.jobs["default/j"]
    assert job.deletedAt == 90.0
    deletions = _kinds(rec, Kind.JOB_DELETED, Kind.JOB_DELETING)
    assert deletions == [
        (90.0, Kind.JOB_DELETED, "kubectl delete job, propagationPolicy Background")
    ]
    done, running = _pods(rec)
    for p in done:
        assert (p.phase, p.counted, p.deletedAt, p.removedAt) == ("Succeeded", "succeeded", 90, 90)
    for p in running:
        assert (p.deletedAt, p.finishedAt, p.removedAt) == (90.0, 100.0, 100.0)
        assert (p.phase, p.exitCode, p.counted) == ("Failed", 143, None)
    status = job.status
    assert (status["succeeded"], status["failed"]) == (2, 0)
    assert len(rec.pods) == 4  # nothing created after the delete


def test_foreground_deletes_the_pods_first_and_the_job_with_the_last() -> None:
    """deletionTimestamp at 90 s (foregroundDeletion finalizer); the garbage collector
    deletes the pods; the sync the generation bump queues creates nothing and removes every
    finalizer, counting the two terminating pods as failed (isPodFailed: no
    podFailurePolicy, so terminating is failed); the Job goes with its last pod at 100 s."""
    rec = _run("Foreground")
    job = rec.jobs["default/j"]
    deletions = _kinds(rec, Kind.JOB_DELETED, Kind.JOB_DELETING)
    assert deletions == [
        (90.0, Kind.JOB_DELETING, "kubectl delete job, propagationPolicy Foreground"),
        (100.0, Kind.JOB_DELETED, "propagationPolicy Foreground: its pods are gone"),
    ]
    assert job.deletedAt == 100.0
    done, running = _pods(rec)
    for p in done:
        assert (p.deletedAt, p.removedAt) == (90.0, 90.0)
    for p in running:
        assert (p.deletedAt, p.finishedAt, p.removedAt) == (90.0, 100.0, 100.0)
        assert p.counted == "failed"
    status = job.status
    assert (status["succeeded"], status["failed"], status["active"]) == (2, 2, 0)
    assert status["terminating"] == 2
    assert not [c for c in status["conditions"] if c["status"] == "True"]
    assert len(rec.pods) == 4


def test_orphan_leaves_the_pods_running_without_an_owner() -> None:
    """The garbage collector orphans the pods and the Job goes at 90 s; the pods run to
    their end at 120 s and stay: nobody deletes or counts them."""
    rec = _run("Orphan")
    assert rec.jobs["default/j"].deletedAt == 90.0
    done, running = _pods(rec)
    for p in [*done, *running]:
        assert p.deletedAt is None and p.removedAt is None
    for p in running:
        assert (p.phase, p.finishedAt, p.counted) == ("Succeeded", 120.0, None)
    assert rec.jobs["default/j"].status["succeeded"] == 2


def test_deleting_a_finished_job_in_the_foreground_is_at_once() -> None:
    """Finished at 120 s: its pods hold no finalizer, so at 200 s they are deleted and gone
    at once, and the Job with them."""
    rec = _run("Foreground", at="200s")
    deletions = _kinds(rec, Kind.JOB_DELETED, Kind.JOB_DELETING)
    assert [(t, k) for t, k, _ in deletions] == [
        (200.0, Kind.JOB_DELETING),
        (200.0, Kind.JOB_DELETED),
    ]
    assert all(p.removedAt == 200.0 for p in rec.pods.values())
    assert rec.jobs["default/j"].status["succeeded"] == 4


def test_a_podfailurepolicy_job_deleted_in_the_foreground_counts_no_failure() -> None:
    """With a podFailurePolicy, onlyReplaceFailedPods: a terminating pod is no failure, so
    the sync removes the finalizers without counting; the pods end at 100 s as Failed
    (exit 143), uncounted."""
    policy = {"rules": [{"action": "Ignore", "onExitCodes": {"operator": "In", "values": [9]}}]}
    rec = _run("Foreground", podFailurePolicy=policy)
    _, running = _pods(rec)
    assert [p.counted for p in running] == [None, None]
    assert rec.jobs["default/j"].status["failed"] == 0
    assert rec.jobs["default/j"].deletedAt == 100.0


def test_the_shipped_scenario_narrates_each_policy() -> None:
    rec = simulate(load_scenario(ROOT / "scenarios" / "delete-job.yaml")).recorder
    gone = {k: j.deletedAt for k, j in rec.jobs.items()}
    assert gone == {"default/background": 90, "default/foreground": 100, "default/orphan": 90}
    ignored = _kinds(rec, Kind.EVENT_IGNORED)
    assert ignored == [
        (95.0, Kind.EVENT_IGNORED, "deleteJob: the Job is being deleted"),
        (95.0, Kind.EVENT_IGNORED, "suspend: the Job was deleted"),
    ]


def test_a_bad_policy_is_a_located_error() -> None:
    data = scenario(
        (job_manifest("j"), WORK),
        events=[{"at": "1s", "deleteJob": {"job": "j", "propagationPolicy": "Cascade"}}],
    )
    err = scenario_error(data)
    assert "events[0].deleteJob.propagationPolicy" in str(err)
    assert "'Background', 'Foreground' or 'Orphan'" in str(err)
    missing = scenario((job_manifest("j"), WORK), events=[{"at": "1s", "deleteJob": {"job": "x"}}])
    assert "job 'x' does not exist" in str(scenario_error(missing))


def test_the_timeline_marks_each_deletion() -> None:
    """kubectl deletions are their own mark (dashed), the TTL controller's keep theirs."""
    from jobsim.plot.marks import marks

    rec = simulate(load_scenario(ROOT / "scenarios" / "delete-job.yaml")).recorder
    got = [(m.t, m.kind, m.subject) for m in marks(rec)]
    assert got == [
        (90.0, "delete", "default/background"),
        (90.0, "delete", "default/foreground"),
        (90.0, "delete", "default/orphan"),
        (100.0, "delete", "default/foreground"),
    ]
    ttl = simulate(load_scenario(ROOT / "scenarios" / "ttl.yaml")).recorder
    assert [(m.kind, m.text) for m in marks(ttl)] == [("ttl", "TTL: Job deleted")]


@pytest.mark.parametrize(("at", "outcome"), [("90s", "Deleted"), ("200s", "Complete")])
def test_the_outcome_of_a_deleted_job_is_deleted_unless_it_had_finished(
    at: str, outcome: str
) -> None:
    """Deleted at 90 s, before its last pods end (120 s): no condition ever says how it ended,
    so every view calls it Deleted, not Running; deleted at 200 s it had Completed at 120 s."""
    from jobsim import api

    manifest = job_manifest("j", completions=4, parallelism=2)
    data = scenario((manifest, WORK), events=[{"at": at, "deleteJob": {"job": "j"}}])
    result = simulate(load_scenario(data))
    job = result.jobs()[0]
    assert api.job_outcome(job["status"], job["deletedAt"])[0] == outcome
    assert [j.outcome for j in result.stats.jobs] == [outcome]
