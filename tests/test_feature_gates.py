"""Job feature gates per release (``jobsim.k8s.features``, from upstream
``pkg/features/kube_features.go``) and the controller with a gate off, one sync each
(``sync_once``), as upstream ``job_controller.go`` branches on
``feature.DefaultFeatureGate.Enabled``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobsim.k8s.features import (
    DEFAULT_GATES,
    RELEASES,
    FeatureGateError,
    FeatureGates,
    feature_gates,
)
from jobsim.parity import PodSnapshot, sync_once
from jobsim.run import simulate
from jobsim.scenario import load_scenario
from tests.helpers import ROOT, job_manifest, scenario_error, write_file

PFP, BLPI, PRP, SP, MB, MLK = (
    "JobPodFailurePolicy",
    "JobBackoffLimitPerIndex",
    "JobPodReplacementPolicy",
    "JobSuccessPolicy",
    "JobManagedBy",
    "MatchLabelKeysInPodAffinity",
)


# -- the gates of each release --------------------------------------------------------------
@pytest.mark.parametrize(
    ("release", "on"),
    [
        # JobManagedBy is Alpha (off) from 1.30, Beta (on) from 1.32; JobSuccessPolicy Alpha
        # from 1.30, Beta from 1.31; MatchLabelKeysInPodAffinity Alpha from 1.29, Beta from
        # 1.31; the others are Beta or GA (on) throughout
        ("1.29", {PFP, BLPI, PRP}),
        ("1.30", {PFP, BLPI, PRP}),
        ("1.31", {PFP, BLPI, PRP, SP, MLK}),
        ("1.32", {PFP, BLPI, PRP, SP, MB, MLK}),
        ("1.33", {PFP, BLPI, PRP, SP, MB, MLK, "SchedulerPopFromBackoffQ"}),
        ("1.36", {PFP, BLPI, PRP, SP, MB, MLK, "SchedulerPopFromBackoffQ"}),
    ],
)
def test_each_release_has_its_default_gates(release: str, on: set[str]) -> None:
    values = feature_gates(release).values()
    assert {g for g, v in values.items() if v} == on


def test_scheduler_pop_from_backoff_q_is_a_gate_from_1_33() -> None:
    """Beta and on from 1.33 (kube_features.go); unknown before, settable off after."""
    assert not feature_gates("1.32").SchedulerPopFromBackoffQ
    assert feature_gates("1.33").SchedulerPopFromBackoffQ
    assert not feature_gates("1.36", {"SchedulerPopFromBackoffQ": False}).SchedulerPopFromBackoffQ
    with pytest.raises(FeatureGateError, match="unrecognized feature gate"):
        feature_gates("1.32", {"SchedulerPopFromBackoffQ": True})


def test_the_default_is_the_newest_release_every_gate_on() -> None:
    assert RELEASES[0] == "1.29" and RELEASES[-1] == "1.36"
    assert feature_gates() == DEFAULT_GATES == FeatureGates("1.36")
    assert DEFAULT_GATES.off() == ()


def test_a_beta_gate_can_be_switched_either_way() -> None:
    """JobManagedBy is Beta in 1.32-1.34 and Alpha in 1.30: settable both ways."""
    assert feature_gates("1.34", {MB: False}).off() == (MB,)
    assert feature_gates("1.30", {MB: True}).JobManagedBy


@pytest.mark.parametrize(
    ("release", "gates", "message"),
    [
        # GA and locked from 1.33 (JobSuccessPolicy, JobBackoffLimitPerIndex), 1.34
        # (JobPodReplacementPolicy), 1.35 (JobManagedBy), 1.31 (JobPodFailurePolicy)
        ("1.33", {SP: False}, "cannot set feature gate JobSuccessPolicy to false, feature is "
         "locked to true (in release 1.33)"),
        ("1.34", {PRP: False}, "cannot set feature gate JobPodReplacementPolicy to false"),
        ("1.35", {MB: False}, "cannot set feature gate JobManagedBy to false"),
        ("1.31", {PFP: False}, "cannot set feature gate JobPodFailurePolicy to false"),
        # JobPodFailurePolicy is gone from kube_features.go in 1.33; JobManagedBy and
        # JobSuccessPolicy came in 1.30
        ("1.33", {PFP: False}, "unrecognized feature gate: JobPodFailurePolicy"),
        ("1.29", {MB: True}, "unrecognized feature gate: JobManagedBy"),
        ("1.32", {"NoSuchGate": True}, "unrecognized feature gate: NoSuchGate"),
        ("1.32", {MB: "no"}, "feature gate JobManagedBy: expected true or false, got 'no'"),
        ("1.28", {}, "unknown Kubernetes release '1.28': known are 1.29, 1.30"),
    ],
)  # fmt: skip
def test_a_setting_the_release_refuses_is_a_located_error(
    release: str, gates: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        FeatureGateError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
    ):
        feature_gates(release, gates)


# -- the controller with a gate off ---------------------------------------------------------
def _job(**spec: Any) -> dict[str, Any]:
    spec = {"parallelism": 2, "completions": 2, "backoffLimit": 6, **spec}
    manifest = job_manifest("foobar", **spec)
    manifest["metadata"]["namespace"] = "default"
    return manifest


def _types(status: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["type"], c["reason"]) for c in status["conditions"]]


RUNNING = PodSnapshot("run", phase="Running")
FAILED = PodSnapshot("f", phase="Failed", finished_at=10.0)


def test_without_delay_terminal_condition_failed_is_set_at_once() -> None:
    """backoffLimit 0 and one failed pod: failed 1 > 0. With JobManagedBy and
    JobPodReplacementPolicy off (1.33), newFailureCondition gives Failed, not FailureTarget,
    and enactJobFinished does not wait for the running pod, deleted in the same sync."""
    gates = feature_gates("1.33", {MB: False, PRP: False})
    out = sync_once(_job(backoffLimit=0), {"startTime": 0.0}, [RUNNING, FAILED], 20.0, gates=gates)
    assert _types(out.status) == [("Failed", "BackoffLimitExceeded")]
    assert out.deleted == ("run",)
    assert out.status["terminating"] is None  # JobPodReplacementPolicy off: nil
    # either gate on: the interim FailureTarget, Failed only once no pod terminates
    for on in (MB, PRP):
        gates = feature_gates("1.33", {MB: on == MB, PRP: on == PRP})
        out = sync_once(
            _job(backoffLimit=0), {"startTime": 0.0}, [RUNNING, FAILED], 20.0, gates=gates
        )
        assert _types(out.status) == [("FailureTarget", "BackoffLimitExceeded")]


def test_without_job_success_policy_complete_has_no_reason() -> None:
    """Both pods succeeded. 1.32 with JobManagedBy, JobPodReplacementPolicy and
    JobSuccessPolicy off: Complete at once, reason and message empty (newSuccessCondition
    before JobSuccessPolicy); with only JobSuccessPolicy off, SuccessCriteriaMet then
    Complete, both with the empty reason."""
    done = [PodSnapshot("a", phase="Succeeded"), PodSnapshot("b", phase="Succeeded")]
    gates = feature_gates("1.32", {MB: False, PRP: False, SP: False})
    out = sync_once(_job(), {"startTime": 0.0}, done, 20.0, gates=gates)
    assert _types(out.status) == [("Complete", "")]
    assert out.status["completionTime"] == 20.0
    out = sync_once(
        _job(), {"startTime": 0.0}, done, 20.0, gates=feature_gates("1.32", {SP: False})
    )
    assert _types(out.status) == [("SuccessCriteriaMet", ""), ("Complete", "")]


def test_without_backoff_limit_per_index_failed_indexes_are_ignored() -> None:
    """Indexed, completions 3, backoffLimitPerIndex 1, index 0 failed (status). With
    JobBackoffLimitPerIndex off (1.32) the field is dropped: failedIndexes nil and index 0
    pending again, so indexes 0 and 2 (1 completed) get pods."""
    job = _job(completionMode="Indexed", completions=3, parallelism=3, backoffLimitPerIndex=1)
    status = {"startTime": 0.0, "completedIndexes": "1", "succeeded": 1, "failedIndexes": "0"}
    off = sync_once(job, status, [], 20.0, gates=feature_gates("1.32", {BLPI: False}))
    assert off.status["failedIndexes"] is None
    assert {p.index for p in off.created} == {0, 2}
    on = sync_once(job, status, [], 20.0, gates=feature_gates("1.32"))
    assert on.status["failedIndexes"] == "0"
    assert [p.index for p in on.created] == [2]


def test_without_job_managed_by_the_field_is_ignored() -> None:
    """managedBy names another controller: skipped with JobManagedBy on; with it off (1.30
    default) the built-in controller syncs the Job and creates its 2 pods."""
    job = _job(managedBy="example.com/other")
    assert sync_once(job, {}, [], 0.0, gates=feature_gates("1.32")).created == ()
    assert len(sync_once(job, {}, [], 0.0, gates=feature_gates("1.30")).created) == 2


def test_without_job_pod_failure_policy_the_policy_is_ignored() -> None:
    """A FailJob rule on exit code 42 and a pod failed with 42: FailureTarget PodFailurePolicy
    with the gate on; off (1.30, Beta) the policy is ignored: one failure of backoffLimit 6,
    the pod replaced, no condition."""
    policy = {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}]}
    job = _job(parallelism=1, completions=1, podFailurePolicy=policy)
    pod = PodSnapshot("f", phase="Failed", containers=(("main", 42),), finished_at=0.0)
    on = sync_once(job, {"startTime": 0.0}, [pod], 20.0, gates=feature_gates("1.30"))
    assert [t for t, _ in _types(on.status)] == ["FailureTarget", "Failed"]
    off = sync_once(job, {"startTime": 0.0}, [pod], 20.0, gates=feature_gates("1.30", {PFP: False}))
    assert off.status["conditions"] == []
    assert (off.status["failed"], len(off.created)) == (1, 1)


# -- the scenario keys ---------------------------------------------------------------------
def _backoff_on(tmp_path: Path, head: str) -> Path:
    """scenarios/backoff.yaml (failed = 3 > backoffLimit 2 at 45 s) with ``head`` in front."""
    text = (ROOT / "scenarios" / "backoff.yaml").read_text(encoding="utf-8")
    return write_file(tmp_path, head + text)


def test_a_scenario_runs_on_its_release_with_its_gates(tmp_path: Path) -> None:
    """backoff.yaml on 1.33 with JobManagedBy and JobPodReplacementPolicy off: Failed at
    45 s with no FailureTarget before it, status.terminating nil; on the default release the
    FailureTarget comes first (both at 45 s: no pod is left to terminate)."""
    head = (
        'kubernetesVersion: "1.33"\n'
        "featureGates: {JobManagedBy: false, JobPodReplacementPolicy: false}\n"
    )
    scenario = load_scenario(_backoff_on(tmp_path, head))
    assert scenario.gates == feature_gates("1.33", {MB: False, PRP: False})
    status = simulate(scenario).job("flaky")["status"]
    assert _types(status) == [("Failed", "BackoffLimitExceeded")]
    assert status["conditions"][0]["lastTransitionTime"] == 45.0
    assert status["terminating"] is None
    default = simulate(load_scenario(ROOT / "scenarios" / "backoff.yaml")).job("flaky")["status"]
    assert [t for t, _ in _types(default)] == ["FailureTarget", "Failed"]
    assert default["terminating"] == 0


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (
            'kubernetesVersion: "1.35"\nfeatureGates: {JobManagedBy: false}\n',
            "s.yaml:2:15: featureGates: cannot set feature gate JobManagedBy to false, feature "
            "is locked to true (in release 1.35)",
        ),
        (
            "kubernetesVersion: 1.30\n",
            's.yaml:1:20: kubernetesVersion: expected a release in quotes such as "1.30", '
            "got the number 1.3",
        ),
        (
            'kubernetesVersion: "1.28"\n',
            "s.yaml:1:20: kubernetesVersion: unknown Kubernetes release '1.28': known are 1.29",
        ),
        (
            "featureGates: {JobSuccessPolicy: false}\n",  # the newest release: locked since 1.33
            "s.yaml:1:15: featureGates: cannot set feature gate JobSuccessPolicy to false",
        ),
    ],
)
def test_a_release_or_gate_the_cluster_refuses_is_a_located_error(
    tmp_path: Path, head: str, message: str
) -> None:
    error = str(scenario_error(_backoff_on(tmp_path, head)))
    assert message in error


def test_a_condition_without_reason_or_message_is_narrated_without_them() -> None:
    """With JobSuccessPolicy off, upstream sets Complete with an empty reason and message
    (newCondition(JobComplete, True, "", "")): the narration shows neither, not "(: )"."""
    from jobsim.record import Kind, describe

    line = describe(Kind.JOB_CONDITION, "default/pi", "Complete/True/", 0, 0.0, "")
    assert line == "Job default/pi condition Complete=True"
    line = describe(Kind.JOB_CONDITION, "default/pi", "Complete/True/R", 0, 0.0, "m")
    assert line == "Job default/pi condition Complete=True (R: m)"
