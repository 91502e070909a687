"""DataFrames: documented columns and dtypes, values, and the ``--out`` directory export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.record import Kind
from jobsim.results import EVENT_COLUMNS, JOB_COLUMNS, POD_COLUMNS, RUN_COLUMNS
from jobsim.stats import RUN_ENDINGS, ContainerRun
from tests.helpers import job_manifest, run, scenario, without_resources

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}


@pytest.fixture
def backoff() -> Result:
    return run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))


def _dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {str(c): str(t) for c, t in df.dtypes.items()}


def test_jobs_frame_columns_and_dtypes(backoff: Result) -> None:
    df = backoff.jobs_frame()
    assert list(df.columns) == list(JOB_COLUMNS)
    assert _dtypes(df) == JOB_COLUMNS
    row = df.iloc[0]
    assert (row["job"], row["outcome"], row["reason"]) == (
        "default/job",
        "Failed",
        "BackoffLimitExceeded",
    )
    assert (row["podsCreated"], row["failed"], row["succeeded"]) == (3, 3, 0)
    assert row["wastedPodSeconds"] == 15
    assert pd.isna(row["completionTime"]) and pd.isna(row["managedBy"])


def test_pods_frame_columns_and_dtypes(backoff: Result) -> None:
    df = backoff.pods_frame()
    assert list(df.columns) == list(POD_COLUMNS)
    assert _dtypes(df) == POD_COLUMNS
    assert df["createdAt"].tolist() == [0, 15, 40]
    assert df["wastedSeconds"].tolist() == [5, 5, 5]
    assert df["exitCode"].tolist() == [1, 1, 1]
    assert df["attempt"].tolist() == [0, 1, 2]
    assert df["index"].isna().all()
    assert set(df["outcome"]) == {"failed"}
    assert df["cpu"].tolist() == [0, 0, 0]


def test_pods_frame_without_requests_in_the_record() -> None:
    r = without_resources(simulate(load_scenario(scenario((job_manifest(), {"duration": "1s"})))))
    df = r.pods_frame()
    assert _dtypes(df) == POD_COLUMNS
    assert df["cpu"].isna().all() and df["memory"].isna().all()


def test_runs_frame_columns_and_dtypes(backoff: Result) -> None:
    """backoffLimit 2, every run fails after 5 s, zero latencies: pods at 0, then 15 (backoff
    10 s after the failure at 5) and 40 (20 s after 20), each run 5 s long; attempts count the
    Job's starts of work, 0, 1, 2."""
    df = backoff.runs_frame()
    assert list(df.columns) == list(RUN_COLUMNS)
    assert _dtypes(df) == RUN_COLUMNS
    assert df["pod"].tolist() == list(backoff.recorder.pods)
    assert df["attempt"].tolist() == [0, 1, 2]
    assert df["start"].tolist() == [0, 15, 40]
    assert df["end"].tolist() == [5, 20, 45]
    assert df["seconds"].tolist() == [5, 5, 5]
    assert df["exitCode"].tolist() == [1, 1, 1]
    assert df["ended"].tolist() == ["failed"] * 3
    assert df["index"].isna().all()
    assert set(df["job"]) == {"default/job"}


def test_runs_are_typed_rows_in_start_order(backoff: Result) -> None:
    runs = backoff.runs()
    assert all(isinstance(r, ContainerRun) for r in runs)
    first = runs[0]
    assert (first.job, first.index, first.attempt, first.node) == ("default/job", None, 0, "n-0")
    assert (first.start, first.end, first.seconds, first.exit_code) == (0, 5, 5, 1)
    assert backoff.runs("job") == backoff.runs("default/job") == runs


def test_a_restart_under_on_failure_is_a_run_of_the_same_pod() -> None:
    """OnFailure: attempt 0 exits 2 at 5 s; the first CrashLoopBackOff delay is 0 s, so
    attempt 1 starts at 5 s in the same pod and exits 0 at 10 s."""
    wl = {"duration": "5s", "script": [{"attempt": 0, "exitCode": 2}]}
    r = run(scenario((job_manifest(restartPolicy="OnFailure"), wl)))
    [pod] = r.recorder.pods
    assert [(x.pod, x.attempt, x.start, x.end, x.exit_code, x.ended) for x in r.runs()] == [
        (pod, 0, 0, 5, 2, "failed"),
        (pod, 1, 5, 10, 0, "succeeded"),
    ]
    assert r.pods_frame()["runs"].tolist() == [2]


def _node_events(*events: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"at": at, kind: node} for at, kind, node in events]


def test_how_runs_end_when_their_node_goes() -> None:
    """One 1000 s run on n-0, which stops reporting at 10 s. Default node timing: NotReady at
    60 s, evicted (DisruptionTarget, DELETE) at 60 + 300 = 360 s; the replacement starts on n-1
    at once (its backoff ran from the Ready=False at 60 s). If n-0 reports again at 400 s, the
    kubelet kills the container then (exit 143, terminationDelay 0): evicted. If n-0 is
    deleted at 100 s instead, PodGC (every 20 s) fails the pod at 100 s and its run is never
    seen to exit: lost."""
    wl = {"duration": "1000s"}
    back = run(
        scenario(
            (job_manifest(), wl),
            nodes=2,
            events=_node_events(("10s", "nodeDown", "n-0"), ("400s", "nodeUp", "n-0")),
        )
    )
    assert [(x.attempt, x.node, x.start, x.end, x.exit_code, x.ended) for x in back.runs()] == [
        (0, "n-0", 0, 400, 143, "evicted"),
        (1, "n-1", 360, 1360, 0, "succeeded"),
    ]
    gone = run(
        scenario(
            (job_manifest(), wl),
            nodes=2,
            events=_node_events(("10s", "nodeDown", "n-0"), ("100s", "nodeRemove", "n-0")),
        )
    )
    assert [(x.attempt, x.start, x.end, x.exit_code, x.ended) for x in gone.runs()] == [
        (0, 0, None, None, "lost"),
        (1, 100, 1100, 0, "succeeded"),
    ]
    frame = gone.runs_frame()
    assert pd.isna(frame["end"][0]) and pd.isna(frame["exitCode"][0])


def test_an_exit_on_an_unreachable_node_is_reported_when_it_reports_again() -> None:
    """A 30 s run on n-0, which stops reporting at 10 s and reports again at 100 s (before
    its pods' eviction at 60 + 300 s): the container exited at 30 s, the API server (and the
    Job controller) learn it at 100 s."""
    late = run(
        scenario(
            (job_manifest(), {"duration": "30s"}),
            nodes=2,
            events=_node_events(("10s", "nodeDown", "n-0"), ("100s", "nodeUp", "n-0")),
        )
    )
    assert [(x.start, x.end, x.reported, x.exit_code, x.ended) for x in late.runs()] == [
        (0, 30, 100, 0, "succeeded")
    ]
    assert late.runs_frame()["reported"].tolist() == [100.0]


def test_a_run_cut_by_the_horizon_is_running() -> None:
    data = scenario((job_manifest(), {"duration": "1000s"}))
    data["horizon"] = "50s"
    [only] = run(data).runs()
    assert (only.start, only.end, only.exit_code, only.ended) == (0, None, None, "running")
    assert only.seconds is None
    assert set(RUN_ENDINGS) == {"succeeded", "failed", "evicted", "deleted", "lost", "running"}


def test_runs_of_an_unknown_job_name_the_jobs_there_are(backoff: Result) -> None:
    with pytest.raises(KeyError, match=r"no Job 'nope' in this run; its Jobs: default/job"):
        backoff.runs("nope")


def test_a_name_two_namespaces_share_is_ambiguous() -> None:
    a, b = job_manifest("same"), job_manifest("same")
    b["metadata"]["namespace"] = "other"
    r = run(scenario((a, {"duration": "1s"}), (b, {"duration": "2s"})))
    with pytest.raises(KeyError, match="ambiguous: default/same, other/same"):
        r.runs("same")
    assert [x.end for x in r.runs("other/same")] == [2]


def test_events_frame_columns_and_dtypes(backoff: Result) -> None:
    df = backoff.events_frame()
    assert list(df.columns) == list(EVENT_COLUMNS)
    assert _dtypes(df) == EVENT_COLUMNS
    assert len(df) == len(backoff.recorder)
    assert list(df["kind"].cat.categories) == [k.name for k in Kind]
    created = df[df["kind"] == "POD_CREATED"]
    assert created["t"].tolist() == [0, 15, 40]
    assert created["ref"].tolist() == ["default/job"] * 3
    submitted = df[df["kind"] == "JOB_SUBMITTED"]
    assert submitted["message"].tolist() == ["Job default/job created"]


def test_empty_frames_keep_their_dtypes() -> None:
    r = run(scenario((job_manifest(completions=0), {"duration": "1s"})))
    pods = r.pods_frame()
    assert len(pods) == 0
    assert _dtypes(pods) == POD_COLUMNS
    runs = r.runs_frame()
    assert len(runs) == 0
    assert _dtypes(runs) == RUN_COLUMNS


def test_export_directory(backoff: Result, tmp_path: Path) -> None:
    paths = backoff.export(tmp_path / "out")
    assert [p.name for p in paths] == [
        "jobs.csv",
        "pods.csv",
        "runs.csv",
        "nodes.csv",
        "events.jsonl",
        "result.json",
    ]
    jobs = pd.read_csv(paths[0])
    assert list(jobs.columns) == list(JOB_COLUMNS)
    pods = pd.read_csv(paths[1])
    assert pods["wastedSeconds"].sum() == 15
    runs = pd.read_csv(paths[2])
    assert list(runs.columns) == list(RUN_COLUMNS)
    assert runs["exitCode"].tolist() == [1, 1, 1]
    lines = paths[4].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(backoff.recorder)
    events = [json.loads(line) for line in lines]
    assert {
        "t": 0,
        "kind": "JOB_SUBMITTED",
        "object": "default/job",
        "message": "Job default/job created",
    } in events
    result = json.loads(paths[5].read_text(encoding="utf-8"))
    assert result["stats"]["wastedPodSeconds"] == 15
    assert result["jobs"] == backoff.to_dict()["jobs"]
