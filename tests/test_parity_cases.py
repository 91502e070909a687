"""The upstream-cases runner (``jobsim parity``): the case file of ``tests/upstream/``, cases it
never saw, the comparison rules of the format, and the command line."""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from jobsim.cli import app
from jobsim.parity import CaseFileError, load_cases, run_cases, verdict_counts
from jobsim.parity.compare import diff, merged_expect, status_exact_view
from jobsim.parity.values import (
    NOW,
    CaseInputError,
    as_failure_count,
    as_index,
    as_intervals,
    as_time,
)
from tests.helpers import ROOT

CASES = ROOT / "tests" / "upstream" / "upstream-cases.yaml"
runner = CliRunner()


def _kinds(details: tuple[str, ...]) -> tuple[str, ...]:
    """A reason's kind: its words before the first ':' or '('."""
    return tuple(re.split(r"[:(]", d)[0].strip() for d in details)


def test_the_upstream_cases_verdicts_are_pinned() -> None:
    """The 202 transcribed cases, each on its release with its ``gates``: every case passes
    but the 10 that inject API errors or unsatisfied informer expectations, the two kinds
    jobsim does not model (its API calls never fail, its informer is instantaneous). A
    change here is a change of jobsim's agreement with upstream: look at the verdicts before
    updating the counts."""
    verdicts = run_cases(load_cases(CASES))
    assert len(verdicts) == 202
    assert verdict_counts(verdicts) == "192 passed, 0 failed, 10 unsupported"
    reasons = collections.Counter(_kinds(v.details) for v in verdicts if v.outcome == "UNSUPPORTED")
    keys = "case keys not understood by a single sync"
    assert reasons == {
        ("API errors",): 5,
        ("informer expectations",): 4,
        ("API errors", keys): 1,  # TestJobApiBackoffReset: its steps inject the errors
    }
    passed = collections.Counter(v.test for v in verdicts if v.outcome == "PASS")
    # every sync table runs with its gates (each of them switches some gate off)
    assert passed["TestControllerSyncJob"] == 32  # + deleting job, suspending a deleted job x2
    assert passed["TestSyncJobWithJobPodFailurePolicy"] == 15
    assert passed["TestSyncJobWithJobSuccessPolicy"] == 11
    assert passed["TestSyncJobWithJobBackoffLimitPerIndex"] == 7
    assert passed["TestJobBackoffForOnFailure"] == 9
    assert passed["TestSyncJobPastDeadline"] == 6
    assert passed["TestJobBackoffOnRestartPolicyNever"] == 3
    assert passed["TestSyncJobWhenManagedBy"] == 3
    assert passed["TestMatchPodFailurePolicy"] == 15  # + the rule name
    # + the gate-off case: success_policy_test.go predates JobSuccessPolicy GA, so the case
    # runs on 1.32, the newest release that lets it switch the gate off
    assert passed["TestMatchSuccessPolicy"] == 21
    for test in (
        "TestIntervalsHaveIndex",
        "TestGetIndexFailureCount",
    ):
        assert passed[test] == 4
    for test in (
        "TestPastDeadlineJobFinished",
        "TestSyncJobDeleted",
        "TestSyncJobUpdateRequeue",
        "TestUpdateJobRequeue",
        "TestSyncJobExpectations",
    ):
        assert passed[test] == 1


def test_gated_cases_run_with_every_gate_on_on_request() -> None:
    """``ignore_gates``: the gate-off cases run on the newest release; 39 that pass with their
    gates then differ by what the gates change (nil terminating, Failed/Complete without the
    interim condition, an empty Complete reason, failedIndexes reset), and the locked-gate
    case runs instead of being refused."""
    verdicts = run_cases(load_cases(CASES), ignore_gates=True)
    assert verdict_counts(verdicts) == "150 passed, 42 failed, 10 unsupported"


def _file(tmp_path: Path, cases: list[dict[str, Any]], harness: dict[str, Any]) -> Path:
    path = tmp_path / "cases.yaml"
    data = {"format": "upstream-controller-cases/v1", "harness": harness, "cases": cases}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


HARNESS = {
    "MyNewSyncTest": {
        "expectDefaults": {
            "creations": 0,
            "deletions": 0,
            "active": 0,
            "succeeded": 0,
            "failed": 0,
            "conditions": [],
        }
    }
}
JOB = {"parallelism": 2, "completions": 4, "backoffLimit": 6}
PODS = [{"phase": "Running", "count": 1}, {"phase": "Succeeded", "count": 1}]


def _sync(name: str, expect: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "test": "MyNewSyncTest",
        "name": name,
        "job": JOB,
        "pods": PODS,
        "expect": expect,
        **extra,
    }


def test_cases_never_seen_are_judged_by_the_format(tmp_path: Path) -> None:
    """completions 4, parallelism 2, one pod running and one succeeded: want
    min(4 - 1, 2) = 2, so one creation; the success is counted and its finalizer removed
    (one pod patch). Expectations left out take the test's ``expectDefaults`` (deletions 0,
    failed 0, no conditions)."""
    right = {"creations": 1, "active": 2, "succeeded": 1, "podPatches": 1}
    succeeded_both = [
        {"uid": "a", "index": "0", "phase": "Succeeded"},
        {"uid": "b", "index": "1", "phase": "Succeeded"},
    ]
    met = "Reached expected number of succeeded pods"
    cases = [
        _sync("right", right),
        _sync("wrong", {**right, "creations": 2, "failed": 1}),
        _sync("gated", right, gates={"JobManagedBy": False}),
        _sync("gated nowhere", right, gates={"NoSuchGate": True}),
        # 1.32, JobManagedBy, JobPodReplacementPolicy and JobSuccessPolicy off (all Beta
        # there, so they may be): both pods succeeded, so Complete at once, without
        # SuccessCriteriaMet (no delayTerminalCondition) and with an empty reason (no
        # JobSuccessPolicy); both finalizers go; status.terminating stays nil
        _sync(
            "gated on 1.32",
            {
                "succeeded": 2,
                "podPatches": 2,
                "terminating": None,
                "conditions": [{"type": "Complete", "status": "True", "reason": "", "message": ""}],
            },
            emulationVersion="1.32",
            gates={
                "JobManagedBy": False,
                "JobPodReplacementPolicy": False,
                "JobSuccessPolicy": False,
            },
            job={**JOB, "completions": 2},
            pods=[{"phase": "Succeeded", "count": 2}],
        ),
        _sync("api errors", right, apiErrors=True, podControlError="boom"),
        {"test": "TestSomethingElse", "name": "no job", "expect": {"x": 1}},
        {
            "test": "MyNewSyncTest",
            "name": "indexed, every index succeeded",
            "job": {**JOB, "completions": 2, "completionMode": "Indexed"},
            "pods": succeeded_both,
            # the whole status but startTime, completionTime and ready: completedIndexes
            # "0,1" (two adjacent indexes are written with a comma), both conditions
            "expect": {
                "statusExact": {
                    "succeeded": 2,
                    "terminating": 0,
                    "completedIndexes": "0,1",
                    "uncountedTerminatedPods": {},
                    "conditions": [
                        {
                            "type": "SuccessCriteriaMet",
                            "status": "True",
                            "reason": "CompletionsReached",
                            "message": met,
                        },
                        {
                            "type": "Complete",
                            "status": "True",
                            "reason": "CompletionsReached",
                            "message": met,
                        },
                    ],
                }
            },
        },
        {
            # 2 failures: 10 s doubled once = 20 s after the last failure, 5 s on: 15 s left
            "test": "TestGetRemainingBackoffTime",
            "name": "two failures, five seconds on",
            "backoffRecord": {"lastFailureTime": "T", "failuresAfterLastSuccess": 2},
            "currentTime": "T+5s",
            "defaultBackoffSeconds": 10,
            "maxBackoffSeconds": 600,
            "expect": {"remainingSeconds": 15},
        },
    ]
    verdicts = run_cases(load_cases(_file(tmp_path, cases, HARNESS)))
    lines = [v.line() for v in verdicts]
    assert lines[0] == "PASS MyNewSyncTest / right"
    assert lines[1] == (
        "FAIL MyNewSyncTest / wrong: creations: expected 2, got 1; failed: expected 1, got 0"
    )
    # no emulationVersion: the newest release that lets the case switch JobManagedBy off,
    # 1.34 (GA and locked from 1.35); JobPodReplacementPolicy keeps the interim conditions
    assert lines[2] == "PASS MyNewSyncTest / gated"
    # a gate no release knows: refused with the newest release's words
    assert lines[3] == (
        "FAIL MyNewSyncTest / gated nowhere: input not accepted: gates: unrecognized feature "
        "gate: NoSuchGate (in release 1.36)"
    )
    assert lines[4] == "PASS MyNewSyncTest / gated on 1.32"
    assert lines[5].startswith("UNSUPPORTED MyNewSyncTest / api errors: API errors: the case")
    assert lines[6].startswith("UNSUPPORTED TestSomethingElse / no job: no runner for test")
    assert lines[7] == "PASS MyNewSyncTest / indexed, every index succeeded"
    assert lines[8] == "PASS TestGetRemainingBackoffTime / two failures, five seconds on"
    assert verdict_counts(verdicts) == "5 passed, 2 failed, 2 unsupported"


def test_a_running_sidecar_voids_the_containers_finish_time(tmp_path: Path) -> None:
    """getFinishedTime with SidecarContainers: the regular container terminated at T-1s but a
    restartable init container still runs, so the time falls back to deletionTimestamp T."""
    case = {
        "test": "TestGetFinishedTime",
        "name": "running sidecar",
        "pod": {
            "containers": [{"terminated": {"finishedAt": "T-1s"}}],
            "initContainers": [{"restartPolicy": "Always", "running": True}],
            "deletionTimestamp": "T",
        },
        "expect": {"finishedTime": "T"},
    }
    (verdict,) = run_cases(load_cases(_file(tmp_path, [case], {})))
    assert verdict.line() == "PASS TestGetFinishedTime / running sidecar"


def test_keys_the_runner_does_not_know_make_a_case_unsupported(tmp_path: Path) -> None:
    cases = [
        _sync("pod key", {}, pods=[{"phase": "Running", "nodeName": "n1"}]),
        _sync("status key", {}, initialStatus={"active": 1, "collisionCount": 2}),
        _sync("expect key", {"queueLen": 1}),
    ]
    verdicts = run_cases(load_cases(_file(tmp_path, cases, HARNESS)))
    assert [v.details for v in verdicts] == [
        ("pod keys not understood: nodeName",),
        ("initialStatus keys not understood: collisionCount",),
        ("expectations jobsim does not show: queueLen",),
    ]
    assert {v.outcome for v in verdicts} == {"UNSUPPORTED"}


def test_a_case_whose_input_cannot_be_built_fails_with_the_reason(tmp_path: Path) -> None:
    case = _sync("bad pod", {}, pods=[{"phase": "Sleeping"}])
    (verdict,) = run_cases(load_cases(_file(tmp_path, [case], HARNESS)))
    assert verdict.outcome == "FAIL"
    assert verdict.details == (
        "input not accepted: pod pod-0: phase 'Sleeping' is not one of "
        "('Pending', 'Running', 'Succeeded', 'Failed')",
    )
    shapes = [_sync("pods not mappings", {}, pods=["abc"]), _sync("job a list", {}, job=[1])]
    verdicts = run_cases(load_cases(_file(tmp_path, shapes, HARNESS)))
    assert [v.details for v in verdicts] == [
        ("input not accepted: pods[0]: expected a mapping",),
        ("input not accepted: job: expected a mapping",),
    ]


# -- the comparison rules ----------------------------------------------------------------
def test_diff_names_each_differing_field_and_keeps_nil_apart_from_zero() -> None:
    expected = {"terminating": None, "failed": 0, "ready": 1, "statusUpdated": True}
    actual = {"terminating": 0, "failed": 0.0, "ready": True, "statusUpdated": True, "x": 9}
    assert diff(expected, actual) == [
        "terminating: expected None, got 0",
        "ready: expected 1, got True",  # a bool is not a count
    ]
    assert diff({"missing": 0}, {}) == ["missing: expected 0, got None"]


def test_conditions_are_an_ordered_list() -> None:
    a = {"type": "FailureTarget", "status": "True", "reason": "r", "message": "m"}
    b = {"type": "Failed", "status": "True", "reason": "r", "message": "m"}
    assert diff({"conditions": [a, b]}, {"conditions": [a, b]}) == []
    assert diff({"conditions": [a, b]}, {"conditions": [b, a]}) != []
    assert diff({"conditions": [a]}, {"conditions": [a, b]}) != []


def test_status_exact_fills_what_it_leaves_out_and_ignores_times_and_ready() -> None:
    view = status_exact_view({"failed": 1, "startTime": 5, "ready": 3, "conditions": None})
    assert view == {
        "active": 0,
        "succeeded": 0,
        "failed": 1,
        "terminating": None,
        "completedIndexes": "",
        "failedIndexes": None,
        "uncountedTerminatedPods": None,
        "conditions": [],
    }
    nested = diff({"s": status_exact_view({"failed": 1})}, {"s": status_exact_view({})})
    assert nested == ["s.failed: expected 1, got 0"]


def test_a_case_overrides_its_tests_defaults() -> None:
    assert merged_expect({"active": 2}, {"active": 0, "failed": 0}) == {"active": 2, "failed": 0}


# -- the format's values -----------------------------------------------------------------
def test_symbolic_times() -> None:
    """Seconds since Go's zero time; ``T``, ``T0`` and ``now`` are 2009-11-10T23:00:00Z."""
    assert as_time("T-1ms", "t") == pytest.approx(NOW - 0.001)
    assert as_time("T+6s", "t") == NOW + 6
    assert as_time("now", "t") == as_time("T0", "t") == NOW
    assert as_time("zero", "t") == 0.0
    assert as_time("0001-01-01T00:00:01Z", "t") == 1.0  # the harness' testFinishedAt
    assert as_time(dt.datetime(1, 1, 1, 0, 0, 1, tzinfo=dt.UTC), "t") == 1.0
    assert as_time(None, "t") is None
    with pytest.raises(CaseInputError, match=re.escape("pod.finishedAt: 'yesterday'")):
        as_time("yesterday", "pod.finishedAt")


def test_annotations_read_as_upstream_reads_them() -> None:
    """getCompletionIndex: -1 (None) when absent, not a number or negative; parseInt32 for the
    failure counts: 0 when absent, not an int32 or negative."""
    assert [as_index(v) for v in ("3", "none", "invalid", "-2", None)] == [
        3,
        None,
        None,
        None,
        None,
    ]
    counts = ("3", None, "2147483648", "-1", "xyz", "2147483647")
    assert [as_failure_count(v) for v in counts] == [3, 0, 0, 0, 0, 2147483647]
    assert as_intervals([0, 1, 2, 5]) == [[0, 2], [5, 5]]
    assert as_intervals([]) is None


# -- the command line --------------------------------------------------------------------
def test_the_command_prints_a_line_per_case_then_the_counts() -> None:
    res = runner.invoke(app, ["parity", str(CASES)])
    assert res.exit_code == 0  # no FAIL (see test_the_upstream_cases_verdicts_are_pinned)
    lines = res.output.splitlines()
    assert len(lines) == 203
    assert lines[-1] == "192 passed, 0 failed, 10 unsupported"
    assert all(line.split(" ", 1)[0] in ("PASS", "FAIL", "UNSUPPORTED") for line in lines[:-1])


def test_the_command_exits_1_on_a_failure_and_gives_json(tmp_path: Path) -> None:
    path = _file(tmp_path, [_sync("wrong", {"creations": 5})], HARNESS)
    res = runner.invoke(app, ["parity", str(path), "--json"])
    assert res.exit_code == 1
    doc = json.loads(res.output)
    assert (doc["passed"], doc["failed"], doc["unsupported"]) == (0, 1, 0)
    assert doc["cases"][0]["verdict"] == "FAIL"
    assert doc["cases"][0]["details"][0] == "creations: expected 5, got 1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cases: [", "not YAML"),
        ("format: other/v9\ncases: []\n", "format is 'other/v9'"),
        ("format: upstream-controller-cases/v1\ncases: 3\n", "cases: expected a list"),
    ],
)
def test_a_file_not_of_the_format_is_one_located_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError, match=re.escape(message)):
        load_cases(path)
    res = runner.invoke(app, ["parity", str(path)])
    assert res.exit_code == 1
    assert res.output.startswith(f"error: {path}")


def test_a_rule_name_is_the_matched_rules(tmp_path: Path) -> None:
    """TestMatchPodFailurePolicy reads the matched rule's ``name`` (KEP-4443, in no release
    jobsim models, so the runner takes it from the case's rule that matched by index): the
    DisruptionTarget pod matches the second rule; an unnamed rule gives null."""
    rules = [
        {"name": "0", "action": "FailJob", "onPodConditions": [{"type": "Other"}]},
        {"name": "Host", "action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
    ]
    disrupted = {"conditions": [{"type": "DisruptionTarget", "status": "True"}]}
    base = {"message": None, "countFailed": False, "action": "Ignore"}

    def case(name: str, policy_rules: list[dict[str, Any]], rule_name: Any) -> dict[str, Any]:
        return {
            "test": "TestMatchPodFailurePolicy",
            "name": name,
            "podFailurePolicy": {"rules": policy_rules},
            "pod": disrupted,
            "expect": {**base, "ruleName": rule_name},
        }

    unnamed = [{k: v for k, v in r.items() if k != "name"} for r in rules]
    cases = [case("named", rules, "Host"), case("unnamed", unnamed, None), case("no", rules, "0")]
    lines = [v.line() for v in run_cases(load_cases(_file(tmp_path, cases, {})))]
    assert lines == [
        "PASS TestMatchPodFailurePolicy / named",
        "PASS TestMatchPodFailurePolicy / unnamed",
        "FAIL TestMatchPodFailurePolicy / no: ruleName: expected '0', got 'Host'",
    ]


def test_a_helper_case_switching_a_gate_off_runs_on_a_release_that_allows_it(
    tmp_path: Path,
) -> None:
    """matchSuccessPolicy returns no match with JobSuccessPolicy off (its first check): a
    case that switches the gate off without an emulationVersion runs on 1.32 (the gate is
    locked on from 1.33), and the policy that would match does not."""
    case = {
        "test": "TestMatchSuccessPolicy",
        "completions": 10,
        "succeededIntervals": [[0, 2]],
        "successPolicy": {"rules": [{"succeededCount": 2}]},
    }
    met = {"metSuccessPolicy": True, "message": "Matched rules at index 0"}
    unmet = {"metSuccessPolicy": False, "message": ""}
    cases = [
        {**case, "name": "on", "expect": met},
        {**case, "name": "off", "gates": {"JobSuccessPolicy": False}, "expect": unmet},
        {**case, "name": "off claims met", "gates": {"JobSuccessPolicy": False}, "expect": met},
        {
            **case,
            "name": "off on 1.34",
            "gates": {"JobSuccessPolicy": False},
            "emulationVersion": "1.34",
            "expect": unmet,
        },
    ]
    lines = [v.line() for v in run_cases(load_cases(_file(tmp_path, cases, {})))]
    assert lines == [
        "PASS TestMatchSuccessPolicy / on",
        "PASS TestMatchSuccessPolicy / off",
        "FAIL TestMatchSuccessPolicy / off claims met: metSuccessPolicy: expected True, got "
        "False; message: expected 'Matched rules at index 0', got ''",
        "FAIL TestMatchSuccessPolicy / off on 1.34: input not accepted: gates: cannot set "
        "feature gate JobSuccessPolicy to false, feature is locked to true (in release 1.34)",
    ]


def test_index_helpers_without_a_sync(tmp_path: Path) -> None:
    """TestIntervalsHaveIndex and TestGetIndexFailureCount through their policy functions."""
    cases: list[dict[str, Any]] = [
        {
            "test": "TestIntervalsHaveIndex",
            "name": "gap",
            "intervals": [[2, 4], [6, 8]],
            "index": 5,
            "expect": {"has": False},
        },
        {
            "test": "TestIntervalsHaveIndex",
            "name": "last",
            "intervals": [[2, 4], [6, 8]],
            "index": 8,
            "expect": {"has": True},
        },
        {
            "test": "TestGetIndexFailureCount",
            "name": "three",
            "pod": {"indexFailureCount": "3"},
            "expect": {"indexFailureCount": 3},
        },
        {
            "test": "TestGetIndexFailureCount",
            "name": "spaced",
            "pod": {"indexFailureCount": " 3"},
            "expect": {"indexFailureCount": 3},
        },
    ]
    lines = [v.line() for v in run_cases(load_cases(_file(tmp_path, cases, {})))]
    assert lines == [
        "PASS TestIntervalsHaveIndex / gap",
        "PASS TestIntervalsHaveIndex / last",
        "PASS TestGetIndexFailureCount / three",
        "FAIL TestGetIndexFailureCount / spaced: indexFailureCount: expected 3, got 0",
    ]
