"""jobsim.testing.checker: the event checker, live (``run_checked``) and after the fact
(``check_record``), on the shipped scenarios and on records tampered with one event."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from jobsim import load_scenario, simulate
from jobsim.record import JobRecorder, Kind, NullRecorder, Recorder, StatusSource
from jobsim.results import Result
from jobsim.testing.checker import (
    EventChecker,
    EventViolation,
    check_record,
    replay,
    run_checked,
)
from jobsim.testing.strategies import scenarios
from tests.helpers import job_manifest, scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
KEY = "default/job"

# Two pods at a time, four in all, 10 s each (ZERO timing): pods 1 and 2 run 0-10 s, pods 3
# and 4 10-20 s; Complete at 20 s.
TWO_BY_TWO = scenario((job_manifest(completions=4, parallelism=2), {"duration": 10}))
# One pod that fails at 5 s with backoffLimit 0: FailureTarget and Failed at 5 s.
FAILS = scenario((job_manifest(backoffLimit=0), {"duration": 5, "failure": {"probability": 1.0}}))


class StatusCount(Recorder):
    """A plain Recorder that counts the Job statuses the model writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def job_status(self, t: float, key: str, status: StatusSource) -> None:
        self.writes += 1
        super().job_status(t, key, status)


# --- real runs pass, live and replayed --------------------------------------------------


def test_a_status_written_after_paced_creations_counts_as_the_sync_began() -> None:
    """100 pods at the client's QPS 20, burst 30 (zero latencies): created at 0 s (30) and
    then one every 50 ms, the last at 3.5 s; the sync's status is written then, with the
    active it counted at 0 s plus its creations (manageJob), 100, while the pods that ran
    1 s from their creation up to 2.5 s have ended: 20 active pods. Upstream's status is the
    same, so the checker allows a pod per pod that moved during the creations (80)."""
    data = scenario((job_manifest(completions=100, parallelism=100), {"duration": 1}))
    data["timing"].update({"kubeAPIQPS": 20, "kubeAPIBurst": 30})
    seen: list[tuple[float, int, int]] = []

    class Watching(EventChecker):
        def job_status(self, t: float, key: str, source: StatusSource) -> None:
            status = source()
            live = sum(p.active for p in self._jobs[key].pods.values())
            seen.append((t, status["active"], live))
            super().job_status(t, key, lambda: status)

    simulate(load_scenario(data), recorder=Watching())  # raises on a broken rule
    (t1, *first), (t2, *second) = seen[1:3]
    assert [t1, t2] == pytest.approx([3.5, 3.5])
    assert (first, second) == ([100, 20], [20, 20])  # the next sync: exact again

    class OneTooMany(EventChecker):
        """The third status write (the sync after the paced one) says one pod too many."""

        writes = 0

        def job_status(self, t: float, key: str, source: StatusSource) -> None:
            status = source()
            self.writes += 1
            if self.writes == 3:
                status = {**status, "active": status["active"] + 1}
            super().job_status(t, key, lambda: status)

    with pytest.raises(EventViolation, match="active != 20 active pods: "):
        simulate(load_scenario(data), recorder=OneTooMany())


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_passes_live_and_replayed(path: Path) -> None:
    """The checked run is the plain run byte for byte, both pass, and the replay runs every
    event check of the live run and one status check per Job instead of one per write."""
    loaded = load_scenario(path)
    live = run_checked(loaded)
    counting = StatusCount()
    plain = simulate(loaded, recorder=counting)
    assert live.to_json() == plain.to_json()
    checker = live.recorder
    assert isinstance(checker, EventChecker)
    replayed = check_record(plain.recorder)
    assert replayed > 0
    statuses = sum(1 for job in plain.recorder.jobs.values() if job.status)
    assert checker.checked - replayed == counting.writes - statuses
    assert check_record(checker) == replayed  # the checker's own record is a full one


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_replay_rebuilds_the_record(path: Path) -> None:
    """Each event goes back to the method that recorded it, with the same arguments."""
    original = simulate(load_scenario(path)).recorder
    rebuilt = Recorder()
    replay(original, rebuilt)
    assert rebuilt.to_data() == original.to_data()


def test_a_loaded_result_is_checked_like_the_run(tmp_path: Path) -> None:
    result = simulate(load_scenario(ROOT / "scenarios" / "backoff.yaml"))
    loaded = Result.load(result.save(tmp_path / "backoff.json"))
    assert check_record(loaded.recorder) == check_record(result.recorder) > 0


def test_replay_of_a_run_cut_before_a_sync_leaves_the_pods_out() -> None:
    """Cut at 11.5 s with jobSyncDelay 1 s: the pod Succeeded at 11 s and the sync that would
    see it is due at 12 s, so the last status still says active 1. The live checker saw that
    status when it was written (at 1 s, the pod Running); the replay, which sees it only at
    the end, does not compare it with the pods."""
    data = scenario(
        (job_manifest(completions=2), {"duration": 10}), timing={"jobSyncDelay": "1s"}, nodes=1
    )
    result = simulate(load_scenario(data), until=11.5)
    assert result.recorder.jobs[KEY].status["active"] == 1
    assert [p.phase for p in result.recorder.pods.values()] == ["Succeeded"]
    assert check_record(result.recorder) > 0


@pytest.mark.slow
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.floats(0.5, 600))
def test_replay_of_a_run_cut_anywhere_passes(data: dict[str, Any], until: float) -> None:
    """A run stopped at any time, maybe a sync or more short of its end, passes after the fact
    (``check_record`` raises at the first broken rule)."""
    note(f"scenario: {data}")
    check_record(simulate(load_scenario(data), until=until).recorder)


# --- tampered records --------------------------------------------------------------------


def _position(record: Recorder, kind: Kind, subject: str, ref: str) -> int:
    """The position of the first event of that kind, subject and ref."""
    return next(i for i, _, _, s, r, *_ in record.select(kind) if (s, r) == (subject, ref))


def _tampered(record: Recorder, after: int, inject: Callable[[Recorder], None]) -> Recorder:
    """The record with one more event, injected right after position ``after``."""
    out = Recorder()
    replay(record, out, stop=after + 1)
    inject(out)
    replay(record, out, start=after + 1)
    return out


def _live(record: Recorder) -> int:
    """The events of ``record`` through a checker in the mode of ``run_checked`` (here it is
    given the record's statuses only at the end, as a replay is)."""
    checker = EventChecker()
    replay(record, checker)
    return checker.checked


CHECKS = [check_record, _live]


def _pods(record: Recorder) -> list[str]:
    return list(record.pods)


@pytest.mark.parametrize("check", CHECKS, ids=["replayed", "live"])
def test_a_pod_beyond_parallelism(check: Callable[[Recorder], int]) -> None:
    """A third pod created at 0 s, while the first two (parallelism 2) are still active."""
    record = simulate(load_scenario(TWO_BY_TWO)).recorder
    second = _pods(record)[1]
    at = _position(record, Kind.POD_CREATED, second, KEY)
    bad = _tampered(record, at, lambda r: r.pod_created(0.0, "job-extra", KEY, None))
    with pytest.raises(EventViolation) as caught:
        check(bad)
    assert (caught.value.t, caught.value.what) == (
        0.0,
        f"job {KEY} has 3 active pods, parallelism 2 (created job-extra)",
    )
    assert (
        str(caught.value)
        == f"at t=0s: job {KEY} has 3 active pods, parallelism 2 (created job-extra)"
    )


@pytest.mark.parametrize("check", CHECKS, ids=["replayed", "live"])
def test_a_pod_counted_twice(check: Callable[[Recorder], int]) -> None:
    """The first pod, counted succeeded at 10 s, is counted again as failed."""
    record = simulate(load_scenario(TWO_BY_TWO)).recorder
    first = _pods(record)[0]
    at = _position(record, Kind.POD_COUNTED, first, "succeeded")
    bad = _tampered(record, at, lambda r: r.pod_counted(10.0, first, "failed"))
    with pytest.raises(EventViolation) as caught:
        check(bad)
    assert str(caught.value) == f"at t=10s: pod {first} counted as succeeded, then as failed"


@pytest.mark.parametrize("check", CHECKS, ids=["replayed", "live"])
def test_a_pod_created_after_the_job_failed(check: Callable[[Recorder], int]) -> None:
    record = simulate(load_scenario(FAILS)).recorder
    at = _position(record, Kind.JOB_CONDITION, KEY, "Failed/True/BackoffLimitExceeded")
    bad = _tampered(record, at, lambda r: r.pod_created(5.0, "job-late", KEY, None))
    with pytest.raises(EventViolation) as caught:
        check(bad)
    assert str(caught.value) == (
        f"at t=5s: pod job-late created after job {KEY} got conditions "
        "{'FailureTarget': 'True', 'Failed': 'True'}"
    )


@pytest.mark.parametrize("check", CHECKS, ids=["replayed", "live"])
def test_a_succeeded_pod_running_again(check: Callable[[Recorder], int]) -> None:
    record = simulate(load_scenario(TWO_BY_TWO)).recorder
    first = _pods(record)[0]
    at = _position(record, Kind.POD_PHASE, first, "Succeeded")
    bad = _tampered(record, at, lambda r: r.pod_phase(10.0, first, "Running"))
    with pytest.raises(EventViolation) as caught:
        check(bad)
    assert str(caught.value) == f"at t=10s: pod {first} went from Succeeded to Running"


def test_a_final_status_that_lost_a_success() -> None:
    """Complete at 20 s with four pods counted succeeded, but the status says three."""
    record = simulate(load_scenario(TWO_BY_TWO)).recorder
    status = {**record.jobs[KEY].status, "succeeded": 3}
    record.jobs[KEY].written = status
    with pytest.raises(EventViolation) as caught:
        check_record(record)
    assert caught.value.t == 20.0
    assert caught.value.what == f"succeeded != 4 pods counted so: job {KEY} status {status}"


# --- what cannot be checked -------------------------------------------------------------


@pytest.mark.parametrize(("kind", "level"), [(JobRecorder, "jobs"), (NullRecorder, "none")])
def test_a_record_without_every_event_is_refused(kind: type[Recorder], level: str) -> None:
    result = simulate(load_scenario(TWO_BY_TWO), recorder=kind())
    message = (
        f"the record has level '{level}': replaying it needs every event (level 'full', a "
        "Recorder; a JobRecorder or NullRecorder keeps too little)"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_record(result.recorder)


def test_a_record_without_the_spec_numbers_is_refused() -> None:
    """A record whose Jobs' spec numbers lack what the checks read (an older jobsim's)."""
    data: dict[str, Any] = simulate(load_scenario(TWO_BY_TWO)).recorder.to_data()
    for _, numbers in data["numbers"]:
        numbers.pop("podReplacementPolicy", None)
    message = f"job {KEY}: the record's spec numbers lack ['podReplacementPolicy']"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_record(Recorder.from_data(data))


def test_run_checked_stops_at_the_event_budget() -> None:
    with pytest.raises(EventViolation) as caught:
        run_checked(load_scenario(TWO_BY_TWO), max_events=5)
    assert caught.value.what == "more than 5 kernel events"


def test_a_failure_counted_later_can_end_a_backoff_early() -> None:
    """The backoff record's lastFailureTime is the finish time of the newest failures a sync
    counts (backoff_utils.go newBackoffRecord), which can be earlier than the last one's. Pod
    A (on a-0) never starts: a-0 is removed at 1 s. Pod B exits 1 at 15 s: at 16 s the Job
    waits 10 s, until 25 s. PodGC fails A at 20 s (node gone); the sync at 21 s counts it with
    A's earlier finish time, 2 failures: 20 s after about 0 s, over, so it creates two pods
    at 21 s, before 25 s. Upstream does the same; the checker must not call it a violation."""
    data = {
        "name": "backoff-moves-earlier",
        "seed": 0,
        "cluster": {
            "nodePools": [
                {"name": "a", "count": 2, "capacity": {"cpu": "1", "memory": "1Gi", "pods": 1}}
            ]
        },
        "jobs": [
            {
                "manifest": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": "trainer"},
                    "spec": {
                        "completions": 2,
                        "parallelism": 2,
                        "backoffLimit": 3,
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [{"name": "main", "image": "trainer:1.0"}],
                            }
                        },
                    },
                },
                "workload": {"duration": 5, "script": [{"attempt": 0, "exitCode": 1, "after": 14}]},
            }
        ],
        "horizon": "1h",
        "events": [{"at": 1, "nodeRemove": "a-0"}],
    }
    result = run_checked(load_scenario(data))
    backoffs = [(t, b) for _i, t, _k, _s, _r, _a, b, _x in result.recorder.select(Kind.JOB_BACKOFF)]
    assert backoffs == [(16.0, 9.0)]
    created = [t for _i, t, *_ in result.recorder.select(Kind.POD_CREATED)]
    assert created == [0.0, 0.0, 21.0, 21.0]
    assert result.job("trainer")["status"]["succeeded"] == 2
    assert check_record(result.recorder) > 0


DELETED_THEN_FAILED = """
name: deleted-then-failed
seed: 1
timing: {jobSyncDelay: 0, containerStart: 0}
cluster:
  nodePools:
    - {name: a, count: 2, capacity: {cpu: "1", memory: 1Gi, pods: 1}}
jobs:
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: job}
      spec:
        completions: 2
        parallelism: 2
        backoffLimit: 6
        podReplacementPolicy: Failed
        template:
          spec:
            restartPolicy: Never
            containers: [{name: main, image: busybox}]
    workload:
      duration: 1000
      script:
        - {attempt: 1, exitCode: 1, after: 95}
events:
  - {at: 10, nodeDown: a-0}
  - {at: 20, deletePod: {job: job}}
  - {at: 96, nodeRemove: a-0}
"""


def test_a_deleted_pod_that_ends_failed_later_ends_the_announced_backoff() -> None:
    """Under podReplacementPolicy Failed a pod deleted on an unreachable node counts as a
    failure only once it is Failed: PodGC fails it after its node is removed (96 s), with
    its Ready=False time (when a-0 went NotReady) as finish time, earlier than the exit at
    95 s whose backoff was announced. The sync that counts it may create a pod at once; the
    checker, live and replayed, must accept it."""
    result = run_checked(load_scenario(yaml.safe_load(DELETED_THEN_FAILED)))
    assert check_record(result.recorder) > 0


ELASTIC = """
name: elastic
timing: {jobSyncDelay: 0, containerStart: 0}
cluster:
  nodePools:
    - {name: a, count: 4, capacity: {cpu: "1", memory: 1Gi, pods: 1}}
jobs:
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: job}
      spec:
        completionMode: Indexed
        completions: 4
        parallelism: 4
        template:
          spec:
            restartPolicy: Never
            containers: [{name: main, image: busybox}]
    workload:
      duration: 100
      script: [{index: 3, after: 5, exitCode: 0}]
events:
  - {at: 10, scale: {job: job, parallelism: 2, completions: 2}}
  - {at: 20, scale: {job: job, parallelism: 4, completions: 4}}
"""


def test_a_scale_down_forgets_the_completed_indexes_it_drops_also_in_a_replay() -> None:
    """Index 3 succeeds at 5 s; the scale to 2 completions at 10 s drops it, the scale back
    to 4 at 20 s runs it again (completedIndexes keeps only indexes < completions)."""
    result = run_checked(load_scenario(yaml.safe_load(ELASTIC)))
    index3 = [p.createdAt for p in result.recorder.pods.values() if p.index == 3]
    assert index3 == [0.0, 20.0]
    assert check_record(result.recorder) > 0
