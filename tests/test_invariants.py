"""The debug-mode invariants, mostly the API server's Job status validation (upstream
``pkg/apis/batch/validation`` ``ValidateJobUpdateStatus``, options from
``pkg/registry/batch/job/strategy.go``): each rule fires on a status that breaks it, none fires
on any scenario, and ``jobsim run --check`` exits 3 on a violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jobsim import load_scenario, simulate
from jobsim.cli import app
from jobsim.invariants import CheckingRecorder, InvariantViolation, status_violations
from jobsim.record import frozen
from tests.golden import scenario_files
from tests.helpers import job_manifest, scenario


def cond(type_: str) -> dict[str, Any]:
    return {"type": type_, "status": "True", "reason": "R", "message": "m", "lastTransitionTime": 1}


def status(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "active": 0,
        "ready": 0,
        "terminating": 0,
        "succeeded": 0,
        "failed": 0,
        "startTime": 0,
        "completionTime": None,
        "conditions": [],
    }
    base.update(over)
    return base


def violations(st: dict[str, Any], prev: dict[str, Any] | None = None, **spec: Any) -> list[str]:
    kw: dict[str, Any] = {"parallelism": 2, "completions": 2, "indexed": False}
    kw.update(spec)
    return status_violations(st, prev, **kw)


@pytest.mark.parametrize(
    ("st", "prev", "spec", "want"),
    [
        (
            status(
                conditions=[
                    cond("SuccessCriteriaMet"),
                    cond("Complete"),
                    cond("FailureTarget"),
                    cond("Failed"),
                ],
                completionTime=3,
            ),
            None,
            {},
            "Complete and Failed are both True",
        ),
        (
            status(conditions=[cond("Complete")], completionTime=3),
            None,
            {},
            "Complete without SuccessCriteriaMet and completionTime",
        ),
        (status(conditions=[cond("Failed")]), None, {}, "Failed without FailureTarget"),
        (status(completionTime=3), None, {}, "completionTime set without Complete"),
        (status(active=1, ready=2), None, {}, "ready (2) > active (1)"),
        (status(active=3), None, {}, "active (3) > parallelism (2)"),
        (
            status(terminating=1, conditions=[cond("FailureTarget"), cond("Failed")]),
            None,
            {},
            "a finished Job has active or terminating pods",
        ),
        (
            status(completedIndexes="0,1", failedIndexes="1", succeeded=2),
            None,
            {"indexed": True},
            "completedIndexes and failedIndexes overlap: [1]",
        ),
        (status(failed=1), status(failed=2), {}, "failed decreased (2 -> 1)"),
        (status(succeeded=1), status(succeeded=2), {}, "succeeded decreased (2 -> 1)"),
        (
            status(),
            status(conditions=[cond("FailureTarget")]),
            {},
            "terminal condition FailureTarget was removed",
        ),
    ],
)
def test_each_rule_fires(
    st: dict[str, Any], prev: dict[str, Any] | None, spec: dict[str, Any], want: str
) -> None:
    assert want in violations(st, prev, **spec)


def test_elastic_scale_down_may_lower_succeeded() -> None:
    assert (
        violations(
            status(succeeded=1, completedIndexes="0"),
            status(succeeded=2, completedIndexes="0,1"),
            indexed=True,
        )
        == []
    )


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_scenario_keeps_the_invariants(path: Path) -> None:
    simulate(load_scenario(path), check=True)


def test_checking_recorder_raises_with_job_and_time() -> None:
    """The checking recorder reads the Job's spec from the record itself."""
    rec = CheckingRecorder()
    spec = {"parallelism": 1, "completions": 1, "completionMode": "NonIndexed", "suspend": False}
    rec.job_submitted(0, "default/j", "j", "default", spec)
    with pytest.raises(InvariantViolation, match=r"Job default/j at t=5s: ready \(1\) > active"):
        rec.job_status(5, "default/j", frozen(status(ready=1)))


def test_cli_check_flag(tmp_path: Path) -> None:
    import yaml

    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(scenario((job_manifest(), {"duration": "5s"}))))
    res = CliRunner().invoke(app, ["run", str(f), "--check", "--lines", "0"])
    assert res.exit_code == 0, res.output


def test_created_suspended_with_no_completions_needs_no_start_time() -> None:
    """kubernetes#132614: Complete at once, never started; not a violation."""
    done = status(
        startTime=None,
        completionTime=0,
        conditions=[cond("SuccessCriteriaMet"), cond("Complete")],
    )
    assert violations(done, completions=0, suspended=True) == []
    assert "a finished Job has no startTime" in violations(done, completions=0)
    r = simulate(
        load_scenario(scenario((job_manifest(suspend=True, completions=0), {"duration": "1s"}))),
        check=True,
    )
    assert r.job("job")["status"]["startTime"] is None
