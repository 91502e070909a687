"""The release on the command line and in the Python API: ``--kubernetes-version`` and
``--feature-gates`` (run, validate, plot, explain, report), ``simulate(...,
kubernetes_version=, feature_gates=)`` and ``load_scenario(...)``'s, with the semantics of the
scenario keys ``kubernetesVersion``/``featureGates``: the gates of that release, set over the
scenario's; fields of a disabled gate dropped at admission and so never validated
(``dropDisabledFields`` runs in ``PrepareForCreate``, before ``Validate``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobsim import api
from jobsim.cli import app
from jobsim.k8s.features import FeatureGateError, feature_gates, parse_feature_gates
from jobsim.run import simulate
from jobsim.scenario import load_scenario
from tests.helpers import ROOT, job_manifest, scenario, scenario_error

runner = CliRunner()
SUCCESS = ROOT / "scenarios" / "success-policy.yaml"


def _conditions(status: dict[str, object]) -> list[tuple[object, object, object]]:
    conditions = status["conditions"]
    assert isinstance(conditions, list)
    return [(c["type"], c["reason"], c["lastTransitionTime"]) for c in conditions]


# -- --feature-gates as component-base parses it --------------------------------------------
def test_feature_gates_parse_as_the_flag_does() -> None:
    """``Key=value`` pairs, values as Go ``strconv.ParseBool`` (1, t, TRUE, False, …)."""
    got = parse_feature_gates("JobManagedBy=false, JobSuccessPolicy=T,JobPodReplacementPolicy=0")
    assert got == {
        "JobManagedBy": False,
        "JobSuccessPolicy": True,
        "JobPodReplacementPolicy": False,
    }
    assert parse_feature_gates("") == {}
    with pytest.raises(FeatureGateError, match='parsing "yes": invalid syntax'):
        parse_feature_gates("JobManagedBy=yes")
    with pytest.raises(FeatureGateError, match="missing bool value"):
        parse_feature_gates("JobManagedBy")


# -- simulate() and load_scenario() ------------------------------------------------------------
def test_simulate_on_1_30_drops_the_success_policy() -> None:
    """success-policy.yaml: index 0 exits 0 two minutes after it starts (1 s containerStart),
    the workers run an hour. On 1.36 the leader's success meets the rule: SuccessCriteriaMet
    at 2m2s (the 1 s batched sync after the pod ended), then Complete once the workers have
    stopped (10 s). On 1.30 JobSuccessPolicy is Alpha and off: the field is dropped at
    admission, so the Job waits for every index (1h0m1s + the 1 s batch), and 1.30 has no
    delayTerminalCondition (1.31): Complete at once, without reason (before
    JobSuccessPolicy). 1.31 delays it (JobPodReplacementPolicy is on): SuccessCriteriaMet
    first."""
    loaded = load_scenario(SUCCESS)
    new = simulate(loaded).job("leader-worker")["status"]
    assert _conditions(new) == [
        ("SuccessCriteriaMet", "SuccessPolicy", 122.0),
        ("Complete", "SuccessPolicy", 133.0),
    ]
    old = simulate(loaded, kubernetes_version="1.30").job("leader-worker")["status"]
    assert _conditions(old) == [("Complete", "", 3602.0)]
    assert old["succeeded"] == 4
    # a gate set over the release's defaults, as featureGates does: the rule is met, and
    # Complete follows at once (no delayTerminalCondition before 1.31)
    on = simulate(loaded, kubernetes_version="1.30", feature_gates={"JobSuccessPolicy": True})
    assert _conditions(on.job("leader-worker")["status"]) == [
        ("SuccessCriteriaMet", "SuccessPolicy", 122.0),
        ("Complete", "SuccessPolicy", 122.0),
    ]
    later = simulate(loaded, kubernetes_version="1.31").job("leader-worker")["status"]
    assert _conditions(later) == _conditions(new)


def test_simulate_refuses_what_the_cluster_refuses() -> None:
    loaded = load_scenario(SUCCESS)
    with pytest.raises(FeatureGateError, match="locked to true"):
        simulate(loaded, feature_gates={"JobSuccessPolicy": False})
    with pytest.raises(FeatureGateError, match=r"unknown Kubernetes release '1\.9'"):
        simulate(loaded, kubernetes_version="1.9")
    assert api.simulate is simulate and api.FeatureGateError is FeatureGateError


def test_validation_follows_the_release() -> None:
    """An invalid successPolicy (index 9 of 4 completions) is refused on 1.36; on 1.30, with
    JobSuccessPolicy off, the field is dropped before validation, so the Job is admitted
    without it."""
    manifest = job_manifest(
        "j",
        completionMode="Indexed",
        completions=4,
        parallelism=4,
        successPolicy={"rules": [{"succeededIndexes": "9"}]},
    )
    data = scenario((manifest, {"duration": "10s"}))
    error = str(scenario_error(data))
    assert "spec.successPolicy.rules[0].succeededIndexes" in error
    old = load_scenario(data, kubernetes_version="1.30")
    assert old.manifests[0].spec.successPolicy is None
    assert old.gates == feature_gates("1.30")
    same = load_scenario({**data, "kubernetesVersion": "1.30"})
    assert same.manifests[0].spec == old.manifests[0].spec


# -- the command line ----------------------------------------------------------------------
def test_the_command_line_runs_on_another_release() -> None:
    res = runner.invoke(app, ["run", str(SUCCESS), "--json", "--kubernetes-version", "1.30"])
    assert res.exit_code == 0, res.output
    assert '"reason": "SuccessPolicy"' not in res.output
    res = runner.invoke(
        app,
        [
            "explain",
            str(SUCCESS),
            "--kubernetes-version",
            "1.30",
            "--feature-gates",
            "JobSuccessPolicy=true",
        ],
    )
    assert res.exit_code == 0
    assert (
        "condition SuccessCriteriaMet=True (SuccessPolicy: Matched rules at index 0)" in res.output
    )
    res = runner.invoke(app, ["validate", str(SUCCESS), "--kubernetes-version", "1.31"])
    assert res.exit_code == 0 and "OK" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--kubernetes-version", "1.9"],
            "--kubernetes-version: unknown Kubernetes release '1.9': known are 1.29, 1.30, "
            "1.31, 1.32, 1.33, 1.34, 1.35, 1.36",
        ),
        (
            ["--feature-gates", "JobManagedBy=maybe"],
            "--feature-gates: invalid value of JobManagedBy: maybe, err: strconv.ParseBool: "
            'parsing "maybe": invalid syntax',
        ),
        (
            ["--kubernetes-version", "1.36", "--feature-gates", "JobManagedBy=false"],
            "--feature-gates: cannot set feature gate JobManagedBy to false, feature is locked "
            "to true (in release 1.36)",
        ),
        (  # the scenario's release (the newest): known only once the file is read
            ["--feature-gates", "JobManagedBy=false"],
            "--feature-gates: cannot set feature gate JobManagedBy to false, feature is locked "
            "to true (in release 1.36)",
        ),
        (
            ["--kubernetes-version", "1.30", "--feature-gates", "Nope=true"],
            "--feature-gates: unrecognized feature gate: Nope (in release 1.30)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate", "explain"])
def test_a_release_option_the_cluster_refuses_exits_2(
    command: str, args: list[str], message: str
) -> None:
    res = runner.invoke(app, [command, str(SUCCESS), *args])
    assert res.exit_code == 2
    assert res.output.strip() == message


def test_the_options_apply_to_bare_manifests(tmp_path: Path) -> None:
    """A bare manifest with an invalid successPolicy: refused on the newest release,
    admitted without it on 1.30."""
    import yaml

    manifest = job_manifest(
        "j",
        completionMode="Indexed",
        completions=2,
        parallelism=2,
        successPolicy={"rules": [{"succeededIndexes": "5"}]},
    )
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 1 and "succeededIndexes" in res.output
    res = runner.invoke(app, ["validate", str(path), "--kubernetes-version", "1.30"])
    assert res.exit_code == 0, res.output


def test_a_field_the_release_does_not_have_is_an_unknown_field() -> None:
    """successPolicy and managedBy came with their gates in 1.30: 1.29's API server refuses
    them as unknown fields (strict decoding), 1.30's drops them (Alpha, off) and admits the
    Job."""
    manifest = job_manifest(
        "j",
        completionMode="Indexed",
        completions=2,
        parallelism=2,
        managedBy="kueue.x-k8s.io/multikueue",
        successPolicy={"rules": [{"succeededIndexes": "0"}]},
    )
    data = scenario((manifest, {"duration": "10s"}))
    lines = scenario_error({**data, "kubernetesVersion": "1.29"}).lines
    assert sorted(lines) == [
        "<scenario>: jobs[0].manifest: spec.managedBy: unknown field 'managedBy' (Kubernetes "
        "1.29 has no such field)",
        "<scenario>: jobs[0].manifest: spec.successPolicy: unknown field 'successPolicy' "
        "(Kubernetes 1.29 has no such field)",
    ]
    spec = load_scenario(data, kubernetes_version="1.30").manifests[0].spec
    assert (spec.managedBy, spec.successPolicy) == (None, None)
