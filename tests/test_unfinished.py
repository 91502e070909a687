"""Why a Job is not finished (issue 12, part 2): ``jobsim.unfinished``, the line ``explain`` and
``run`` add for it, and ``jobsim run --expect``.

Zero timing (``tests.helpers.ZERO``) unless a test says otherwise, so times are exact: a pod is
created, bound and started at 0. The first pod of a Job is ``job-zhrwc`` (seed 1) on ``n-0``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jobsim.api import narrate, render, unfinished
from jobsim.cli import app
from tests.helpers import job_manifest, run, scenario

runner = CliRunner()
POD = "job-zhrwc"
LONG = {"duration": "1000s"}


def _with(data: dict[str, Any], horizon: str) -> dict[str, Any]:
    return {**data, "horizon": horizon}


def _line(data: dict[str, Any]) -> tuple[list[str], str]:
    """The reason kinds of the only unfinished Job, and its line as ``explain`` ends."""
    r = run(data)
    [u] = unfinished(r)
    return [x.kind for x in u.reasons], render(narrate(r)).splitlines()[-1]


def test_pending_pod_gives_the_schedulers_last_reason() -> None:
    """A pod asking for 8 CPUs on 4-CPU nodes is never bound: the scheduler records
    FailedScheduling at 0, nothing else happens, so the run ends at 0."""
    big = job_manifest(
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "8"}}}
            ]
        }
    )
    kinds, line = _line(scenario((big, {"duration": "10s"})))
    assert kinds == ["pending"]
    assert line == (
        f"t=0s  Job default/job is not finished: pod {POD} pending since 0s (the scheduler's "
        "last reason: 0/3 nodes are available: 3 Insufficient cpu.)"
    )


def test_pod_terminating_on_a_silent_node_holds_a_failed_replacement_policy() -> None:
    """Default timing (nodeMonitorGracePeriod 50 s, tolerationSeconds 300 s, jobSyncDelay and
    containerStart 1 s): nodeDown at 100; taint eviction deletes the pod at 450, but nobody
    confirms its end while n-0 is silent, so it stays terminating; podReplacementPolicy Failed
    creates no replacement meanwhile. The eviction at 450 is the last event recorded (the
    container's exit at 1001 is unseen: the node is silent), so the run ends there."""
    data = scenario(
        (job_manifest(podReplacementPolicy="Failed"), LONG),
        timing={},
        events=[{"at": "100s", "nodeDown": "n-0"}],
    )
    kinds, line = _line(data)
    assert kinds == ["node-terminating", "held"]
    assert line == (
        f"t=7m30s  Job default/job is not finished: pod {POD} terminating on node n-0, which "
        "stopped reporting at 1m40s (released when the node reports again, is removed or gets "
        f"the out-of-service taint); no replacement while {POD} terminates "
        "(podReplacementPolicy: Failed)"
    )


def test_pod_on_a_silent_node_before_eviction() -> None:
    """Default timing: nodeDown at 100, NotReady at 150 (50 s grace period); the horizon at 200
    comes before taint eviction (150 + 300 s)."""
    data = scenario((job_manifest(), LONG), timing={}, events=[{"at": "100s", "nodeDown": "n-0"}])
    kinds, line = _line(_with(data, "200s"))
    assert kinds == ["node-unreachable"]
    assert line == (
        f"t=3m20s  Job default/job is not finished: pod {POD} on node n-0, which stopped "
        "reporting at 1m40s, not yet evicted (released by taint eviction tolerationSeconds "
        "(300s by default) after NotReady at 2m30s, or when the node reports again, is removed "
        "or gets the out-of-service taint)"
    )


def test_horizon_reached_while_a_pod_runs() -> None:
    """The pod runs from 0 for 1000 s; the horizon stops the run at 200."""
    kinds, line = _line(_with(scenario((job_manifest(), LONG)), "200s"))
    assert kinds == ["running"]
    assert (
        line == f"t=3m20s  Job default/job is not finished: pod {POD} running on node n-0 since 0s"
    )


def test_suspended_job() -> None:
    """Created suspended: the Suspended condition is set at 0 and no pod is created."""
    kinds, line = _line(scenario((job_manifest(suspend=True), {"duration": "10s"})))
    assert kinds == ["suspended"]
    assert line == "t=0s  Job default/job is not finished: suspended since 0s"


def test_suspension_with_a_pod_still_terminating() -> None:
    """Suspended at 10; the pod, deleted then, takes terminationDelay 20 s to stop, so at the
    horizon (15) it is still terminating on n-0, which reports."""
    data = scenario(
        (job_manifest(), {"duration": "100s", "terminationDelay": "20s"}),
        events=[{"at": "10s", "suspend": "job"}],
    )
    kinds, line = _line(_with(data, "15s"))
    assert kinds == ["suspended", "terminating"]
    assert line == (
        "t=15s  Job default/job is not finished: suspended since 10s; "
        f"pod {POD} terminating on node n-0 since 10s"
    )


def test_pod_failure_backoff_still_running() -> None:
    """The pod fails at 10; the controller counts it at once and waits the 10 s base backoff
    (10·2^0), until 20; the horizon at 15 comes first."""
    fails = {"duration": "10s", "failure": {"probability": 1.0, "exitCode": 1}}
    kinds, line = _line(_with(scenario((job_manifest(backoffLimit=6), fails)), "15s"))
    assert kinds == ["backoff"]
    assert line == (
        "t=15s  Job default/job is not finished: pod-failure backoff until 20s "
        "(1 failure since last success)"
    )


def test_finished_jobs_have_no_line() -> None:
    """A Job that completes gets no line, and ``--job`` keeps only the named Job's line."""
    r = run(scenario((job_manifest("done"), {"duration": "1s"}), (job_manifest(), LONG)))
    assert [u.job for u in unfinished(r)] == []
    held = _with(scenario((job_manifest("done"), {"duration": "1s"}), (job_manifest(), LONG)), "5s")
    r = run(held)
    assert [u.job for u in unfinished(r)] == ["default/job"]
    assert unfinished(r, job="done") == []


def _write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "s.json"  # JSON is YAML
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_expect_exit_codes(tmp_path: Path) -> None:
    """``--expect``: 0 when every Job ends with that condition; 1 with one line naming each
    Job that ended otherwise; 2 for a value other than Complete or Failed."""
    data = scenario((job_manifest("done"), {"duration": "1s"}), (job_manifest(), LONG))
    path = _write(tmp_path, _with(data, "5s"))
    res = runner.invoke(app, ["run", path, "--expect", "Complete"])
    assert res.exit_code == 1
    assert "t=5s  Job default/job is not finished: pod job-" in res.stdout
    assert res.stderr == "expected every Job Complete: job ended Running\n"
    res = runner.invoke(app, ["run", path, "--expect", "Failed", "--json"])
    assert res.exit_code == 1
    assert res.stderr == "expected every Job Failed: done ended Complete, job ended Running\n"
    done = _write(tmp_path, scenario((job_manifest("done"), {"duration": "1s"})))
    assert runner.invoke(app, ["run", done, "--expect", "Complete"]).exit_code == 0
    bad = runner.invoke(app, ["run", done, "--expect", "Running"])
    assert bad.exit_code == 2
    said = " ".join(bad.stderr.replace("│", " ").split())  # the usage error's box, unwrapped
    assert "'--expect'" in said and "'Running' is not one of 'Complete', 'Failed'" in said


def test_explain_command_ends_with_the_line(tmp_path: Path) -> None:
    """``jobsim explain`` prints the same last line as :func:`jobsim.api.narrate`."""
    path = _write(tmp_path, _with(scenario((job_manifest(), LONG)), "200s"))
    res = runner.invoke(app, ["explain", path])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[-1] == (
        f"t=3m20s  Job default/job is not finished: pod {POD} running on node n-0 since 0s"
    )


def test_a_job_named_ambiguously_or_not_at_all_is_a_clear_keyerror() -> None:
    """``unfinished(result, job=...)`` and ``Result.job`` resolve the name as ``job_key``
    does: an unknown name names the run's Jobs instead of quietly matching nothing."""
    r = run(scenario((job_manifest(), {"duration": "10s"})))
    with pytest.raises(KeyError, match="no Job 'nope' in this run; its Jobs: default/job"):
        unfinished(r, job="nope")
    with pytest.raises(KeyError, match="no Job 'nope' in this run"):
        r.job("nope")
    assert r.job("default/job")["name"] == "job"
