"""DataFrames: documented columns and dtypes, values, and the ``--out`` directory export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.record import Kind
from jobsim.results import EVENT_COLUMNS, JOB_COLUMNS, POD_COLUMNS
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


def test_export_directory(backoff: Result, tmp_path: Path) -> None:
    paths = backoff.export(tmp_path / "out")
    assert [p.name for p in paths] == ["jobs.csv", "pods.csv", "events.jsonl", "result.json"]
    jobs = pd.read_csv(paths[0])
    assert list(jobs.columns) == list(JOB_COLUMNS)
    pods = pd.read_csv(paths[1])
    assert pods["wastedSeconds"].sum() == 15
    lines = paths[2].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(backoff.recorder)
    events = [json.loads(line) for line in lines]
    assert {
        "t": 0,
        "kind": "JOB_SUBMITTED",
        "object": "default/job",
        "message": "Job default/job created",
    } in events
    result = json.loads(paths[3].read_text(encoding="utf-8"))
    assert result["stats"]["wastedPodSeconds"] == 15
    assert result["jobs"] == backoff.to_dict()["jobs"]
