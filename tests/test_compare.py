"""``jobsim compare``: the four teaching pairs of ``scenarios/teaching/compare/``, their table
pinned from Kubernetes semantics, the picture, the options and the errors.

Every pair runs with zero latencies (``jobSyncDelay``, ``containerStart``, scheduling and image
pull all 0), so each time follows from the upstream rules alone: the pod-failure backoff is
``10s·2^(failures-1)`` from the last failure's finish time (``backoff_utils.go``), a NonIndexed
Job with ``restartPolicy: Never`` fails when ``failed > backoffLimit``, one with ``OnFailure``
when the containers' ``restartCount`` sum reaches ``backoffLimit`` (``>=``,
``pastBackoffLimitOnFailure``), and the kubelet restarts a crashed container at once the first
time, then after the CrashLoopBackOff 10 s, 20 s, …
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from matplotlib.figure import Figure
from typer.testing import CliRunner

from jobsim.api import (
    Comparison,
    JobSide,
    PathError,
    SettingError,
    compare,
    draw_comparison,
    load_side,
    parse_settings,
)
from jobsim.cli import app
from jobsim.compare import figure
from tests.helpers import ROOT, checkout_env

PAIRS = ROOT / "scenarios" / "teaching" / "compare"
BACKOFF = PAIRS / "backoff-limit.yaml"
RESTART = PAIRS / "restart-policy.yaml"
REPLACEMENT = PAIRS / "pod-replacement-policy.yaml"
PFP = PAIRS / "pod-failure-policy.yaml"

# each pair: its file and the setting that makes side B (side A is the file as written)
SET = {
    "backoff-limit": (BACKOFF, "jobs[flaky].manifest.spec.backoffLimit=6"),
    "restart-policy": (RESTART, "jobs[flaky].manifest.spec.template.spec.restartPolicy=OnFailure"),
    "pod-replacement-policy": (
        REPLACEMENT,
        "jobs[train].manifest.spec.podReplacementPolicy=Failed",
    ),
    "pod-failure-policy": (PFP, "jobs[trainer].manifest.spec.podFailurePolicy=null"),
}

runner = CliRunner()


def pair(name: str) -> Comparison:
    file, setting = SET[name]
    a = load_side("A", file)
    b = load_side("B", file, parse_settings([setting], "--set"))
    return compare(a, b)


def side(
    outcome: str,
    reason: str,
    finished: float | None,
    pods: int,
    runs: int,
    failed: int,
    wasted: float,
    overlaps: int = 0,
) -> JobSide:
    return JobSide(outcome, reason, finished, pods, runs, failed, wasted, overlaps)


# -- the four pairs --------------------------------------------------------------------------


def test_backoff_limit_2_vs_6() -> None:
    """Four crashes (exit 1 after 5 s), then a 20 s success.

    Pods start at 0, 15 (5 + 10), 40 (20 + 20) s. backoffLimit 2: the third failure, at 45 s,
    makes failed = 3 > 2: Failed, BackoffLimitExceeded; 3 runs of 5 s wasted = 15 pod-s.
    backoffLimit 6: two more pods, at 85 (45 + 40) and 170 (90 + 80) s; the fifth attempt runs
    20 s and succeeds: Complete at 190 s; 4 failed runs of 5 s wasted = 20 pod-s (the
    successful run is useful)."""
    c = pair("backoff-limit")
    [job] = c.jobs
    assert job.job == "default/flaky"
    assert job.a == side("Failed", "BackoffLimitExceeded", 45, 3, 3, 3, 15)
    assert job.b == side("Complete", "CompletionsReached", 190, 5, 5, 4, 20)
    assert (c.a.label, c.b.label) == ("backoffLimit=2", "backoffLimit=6")
    assert job.difference("outcome") is True
    assert job.difference("finished") == 145
    assert job.difference("podsCreated") == 2
    assert job.difference("failedPods") == 1
    assert job.difference("wastedPodSeconds") == 5
    assert job.difference("overlappingRuns") == 0


def test_restart_policy_never_vs_onfailure() -> None:
    """Three crashes (exit 1 after 5 s), then a 20 s success; backoffLimit 3.

    Never: new pods after the pod-failure backoff, at 0, 15, 40, 85 s; three failures are not
    more than 3, so the fourth pod runs 85–105 s: Complete at 105 s; 3 × 5 s wasted.
    OnFailure: one pod, its container restarted in place at 5 s (at once), 20 s (10 s
    CrashLoopBackOff after the exit at 10 s) and 45 s (20 s after 25 s); the third restart
    makes restartCount 3 >= backoffLimit 3: Failed at 45 s, the pod deleted and counted as
    failed (1), its fourth run killed as it starts (0 s): 3 × 5 s + 0 s wasted."""
    c = pair("restart-policy")
    [job] = c.jobs
    assert job.a == side("Complete", "CompletionsReached", 105, 4, 4, 3, 15)
    assert job.b == side("Failed", "BackoffLimitExceeded", 45, 1, 4, 1, 15)
    assert (c.a.label, c.b.label) == ("restartPolicy=Never", "restartPolicy=OnFailure")
    assert job.difference("finished") == -60
    assert job.difference("podsCreated") == -3
    assert job.difference("containerRuns") == 0


def test_pod_replacement_policy_terminating_or_failed_vs_failed() -> None:
    """The pod is deleted at 60 s and takes 30 s to stop (exit at 90 s); 5 m of work.

    TerminatingOrFailed counts the terminating pod as failed at 60 s: the replacement comes
    after the 10 s backoff, at 70 s, while the old pod runs until 90 s (one overlapping run);
    it succeeds at 70 + 300 = 370 s. Failed waits for the old pod's Failed phase (90 s), then
    the backoff: replacement at 100 s, Complete at 400 s, no overlap. Both waste the deleted
    pod's 90 s run and count one failed pod."""
    c = pair("pod-replacement-policy")
    [job] = c.jobs
    assert job.a == side("Complete", "CompletionsReached", 370, 2, 2, 1, 90, overlaps=1)
    assert job.b == side("Complete", "CompletionsReached", 400, 2, 2, 1, 90, overlaps=0)
    assert c.a.label == "podReplacementPolicy=TerminatingOrFailed"
    assert c.b.label == "podReplacementPolicy=Failed"
    assert job.difference("outcome") is False
    assert job.difference("finished") == 30
    assert job.difference("overlappingRuns") == -1


def test_with_and_without_a_pod_failure_policy() -> None:
    """Every run exits 42 after 60 s; backoffLimit 4.

    With the policy, exit 42 matches FailJob: Failed, PodFailurePolicy, at 60 s, one pod.
    Without it: pods at 0, 70, 150, 250, 390 s (backoffs 10, 20, 40, 80 s after each exit);
    the fifth failure, at 450 s, makes failed = 5 > 4: BackoffLimitExceeded; 5 × 60 s wasted."""
    c = pair("pod-failure-policy")
    [job] = c.jobs
    assert job.a == side("Failed", "PodFailurePolicy", 60, 1, 1, 1, 60)
    assert job.b == side("Failed", "BackoffLimitExceeded", 450, 5, 5, 5, 300)
    assert (c.a.label, c.b.label) == ("podFailurePolicy={…}", "podFailurePolicy=null")
    assert job.difference("outcome") is False
    assert job.difference("reason") is True
    assert job.difference("wastedPodSeconds") == 240


# -- the command -------------------------------------------------------------------------------


def table_rows(output: str) -> list[list[str]]:
    """The body rows of the rich tables in ``output``, as stripped cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_cli_prints_the_table_with_go_durations_and_differences() -> None:
    res = runner.invoke(app, ["compare", str(BACKOFF), "--set", SET["backoff-limit"][1]])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[:4] == [
        f"A: {BACKOFF}",
        f"B: {BACKOFF} with jobs[flaky].manifest.spec.backoffLimit=6",
        "both run with seed 1 (common random numbers)",
        "Job default/flaky",
    ]
    assert "A: backoffLimit=2" in res.output and "B: backoffLimit=6" in res.output
    assert table_rows(res.output) == [
        ["outcome", "Failed", "Complete", "changed"],
        ["reason", "BackoffLimitExceeded", "CompletionsReached", "changed"],
        ["finished at", "45s", "3m10s", "+2m25s"],
        ["pods created", "3", "5", "+2"],
        ["container runs", "3", "5", "+2"],
        ["failed pods", "3", "4", "+1"],
        ["wasted pod-seconds", "15", "20", "+5"],
        ["overlapping runs", "0", "0", "same"],
    ]


def test_cli_json() -> None:
    file, setting = SET["pod-failure-policy"]
    res = runner.invoke(app, ["compare", str(file), "--set-b", setting, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["seed"] == 1
    assert data["sides"]["B"]["settings"] == {"jobs[trainer].manifest.spec.podFailurePolicy": None}
    [job] = data["jobs"]
    assert job["a"]["reason"] == "PodFailurePolicy"
    assert job["b"]["finished"] == 450
    assert job["difference"]["podsCreated"] == 4
    assert job["difference"]["reason"] is True


def test_two_files_and_set_a(tmp_path: Path) -> None:
    """Two files: each side its own; --set-a changes A; the labels name the files."""
    data = yaml.safe_load(BACKOFF.read_text(encoding="utf-8"))
    data["jobs"][0]["manifest"]["spec"]["backoffLimit"] = 6
    other = tmp_path / "six.yaml"
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    res = runner.invoke(
        app,
        ["compare", str(BACKOFF), str(other), "--set-a", "jobs[0].manifest.spec.backoffLimit=3"],
    )
    assert res.exit_code == 0, res.output
    assert "A: backoff-limit.yaml, backoffLimit=3" in res.output
    assert "B: six.yaml, backoffLimit=6" in res.output
    # backoffLimit 3: a fourth pod at 85 s fails at 90 s, failed = 4 > 3
    assert ["finished at", "1m30s", "3m10s", "+1m40s"] in table_rows(res.output)


def test_bare_manifests_with_their_flags_on_both_sides(tmp_path: Path) -> None:
    """The docs' pi Job, every run failing (--fail-rate 1), default timing: each run starts
    1 s after its pod (containerStart), lasts 10 s, and is counted at the next sync 1 s later;
    the backoff runs from the failure. backoffLimit 2: pods at 0, 21 (11 + 10), 52 (32 + 20);
    the third failure at 63 s is counted at 64 s: Failed at 1m4s. backoffLimit 4: pods at 103
    (63 + 40) and 194 (114 + 80); the fifth failure at 205 s, Failed at 206 s = 3m26s."""
    job = tmp_path / "job.yaml"
    job.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "pi"},
                "spec": {
                    "backoffLimit": 2,
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "pi", "image": "perl:5.34.0"}],
                        }
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    res = runner.invoke(
        app,
        ["compare", str(job), "--fail-rate", "1", "--set", "jobs[pi].manifest.spec.backoffLimit=4"],
    )
    assert res.exit_code == 0, res.output
    rows = table_rows(res.output)
    assert ["finished at", "1m4s", "3m26s", "+2m22s"] in rows
    assert ["pods created", "3", "5", "+2"] in rows
    assert ["wasted pod-seconds", "30", "50", "+20"] in rows


def test_one_seed_for_both_sides(tmp_path: Path) -> None:
    """B's file says seed 9; both sides run with A's seed (1), or with --seed."""
    data = yaml.safe_load(BACKOFF.read_text(encoding="utf-8"))
    data["seed"] = 9
    other = tmp_path / "nine.yaml"
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    c = compare(load_side("A", BACKOFF), load_side("B", other))
    assert c.seed == 1
    assert [r.seed for r in c.results] == [1, 1]
    c = compare(load_side("A", BACKOFF), load_side("B", other), seed=4)
    assert [r.seed for r in c.results] == [4, 4]


def test_a_job_on_one_side_only(tmp_path: Path) -> None:
    data = yaml.safe_load(BACKOFF.read_text(encoding="utf-8"))
    data["jobs"][0]["manifest"]["metadata"]["name"] = "steady"
    other = tmp_path / "steady.yaml"
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    c = compare(load_side("A", BACKOFF), load_side("B", other))
    assert [(j.job, j.a is None, j.b is None) for j in c.jobs] == [
        ("default/flaky", False, True),
        ("default/steady", True, False),
    ]
    assert c.jobs[0].difference("finished") is None
    res = runner.invoke(app, ["compare", str(BACKOFF), str(other)])
    assert res.exit_code == 0, res.output
    assert "Job default/flaky (only in A)" in res.output
    assert "Job default/steady (only in B)" in res.output


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6", 6),
        ("0.5", 0.5),
        ("null", None),
        ("Failed", "Failed"),
        ("10s", "10s"),
        ("true", True),
        ("{rules: []}", {"rules": []}),
    ],
)
def test_values_are_yaml(text: str, value: Any) -> None:
    [s] = parse_settings([f"jobs[0].manifest.spec.x={text}"], "--set")
    assert (s.path, s.value) == ("jobs[0].manifest.spec.x", value)


# -- the picture -------------------------------------------------------------------------------


def test_figure_stacks_both_timelines_on_one_time_axis() -> None:
    c = pair("backoff-limit")
    fig = figure(c)
    assert isinstance(fig, Figure)
    top, bottom = fig.axes
    assert top.get_shared_x_axes().joined(top, bottom)
    # the axis spans the longer run (B: Complete at 190 s) on both
    assert top.get_xlim() == bottom.get_xlim()
    assert top.get_xlim()[1] >= 190
    assert top.get_title().startswith(
        "A: backoffLimit=2 — flaky Failed (BackoffLimitExceeded) at 45s"
    )
    assert bottom.get_title().startswith("B: backoffLimit=6 — flaky Complete")
    # A: three pods, three lanes; B: five
    assert [round(ax.get_ylim()[0] + 0.5) for ax in (top, bottom)] == [3, 5]


def test_bar_labels_follow_the_shared_axis() -> None:
    """timeline_by_job labels a bar at least 5 % of its axis wide (CrashLoopBackOff in full
    from 15 %); on the shared axis the rule holds for the longer span. backoff-limit: A's 5 s
    runs were labelled on A's own 45 s axis; on 190 s they are < 9.5 s: no label. restart-
    policy, 105 s axis: B's 10 s CrashLoopBackOff (≥ 5.25 s, < 15.75 s) keeps its length only;
    its 20 s one keeps the full label."""

    def labels(ax: Any, gid: str) -> list[str]:
        return [t.get_text() for t in ax.texts if t.get_gid() == gid]

    top, bottom = figure(pair("backoff-limit")).axes
    assert labels(top, "exit-code") == labels(bottom, "exit-code") == []
    top, bottom = figure(pair("restart-policy")).axes
    assert labels(bottom, "crashloop-label") == ["10s", "CrashLoopBackOff 20s"]


def test_draw_comparison_writes_a_png(tmp_path: Path) -> None:
    out = draw_comparison(pair("restart-policy"), tmp_path / "compare.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_output_png(tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    file, setting = SET["pod-replacement-policy"]
    res = runner.invoke(app, ["compare", str(file), "--set", setting, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- errors ------------------------------------------------------------------------------------


def test_setting_errors_name_the_option_and_the_field() -> None:
    with pytest.raises(PathError, match=r"^--set-b: jobs\[nope\]: no item named 'nope'"):
        load_side(
            "B",
            BACKOFF,
            parse_settings(["jobs[nope].manifest.spec.backoffLimit=6"], "x"),
            where="--set-b",
        )
    with pytest.raises(SettingError) as info:
        load_side(
            "B",
            BACKOFF,
            parse_settings(["jobs[0].manifest.spec.backofLimit=6"], "--set-b"),
            where="--set-b",
        )
    assert info.value.lines == [
        f"--set-b: {BACKOFF}:23:9: jobs[0].manifest: spec.backofLimit: unknown field "
        "'backofLimit' (did you mean 'backoffLimit'?)"
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.yaml", "--set", "a=1"], 1, "missing.yaml: cannot read file"),
        (
            [str(BACKOFF), "--set", "jobs[0].manifest.spec.backofLimit=6"],
            1,
            "--set: .*: jobs\\[0\\].manifest: spec.backofLimit: unknown field 'backofLimit' "
            "\\(did you mean 'backoffLimit'\\?\\)",
        ),
        (
            [str(BACKOFF), "--set-b", "jobs[0].manifest.spec.backoffLimit=-1"],
            1,
            "--set-b: .*spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            [str(BACKOFF), "--set", "jobs[0].manifest.spec.backoffLimit=many"],
            1,
            "--set: .*spec.backoffLimit: json: cannot unmarshal string into Go struct field "
            "JobSpec.spec.backoffLimit of type int32",
        ),
        ([str(BACKOFF), "--set", "backoffLimit"], 1, "--set 'backoffLimit': expected PATH=VALUE"),
        ([str(BACKOFF), "--set", "x={a"], 1, "--set x={a: the value is not YAML"),
        ([str(BACKOFF)], 2, "nothing to compare"),
        ([str(BACKOFF), str(RESTART), "--set", "a=1"], 2, "--set: with two files"),
        ([str(BACKOFF), str(RESTART), str(PFP)], 2, "expected one or two files"),
        ([str(BACKOFF), "--set", "a=1", "-o", "c.gif"], 2, "must end in .png, .svg or .pdf"),
        ([str(BACKOFF), "--nodes", "2", "--set", "a=1"], 1, "--nodes: apply to bare Job"),
    ],
)
def test_cli_errors_are_one_line(args: list[str], code: int, message: str) -> None:
    res = runner.invoke(app, ["compare", *args])
    assert res.exit_code == code, res.output
    assert isinstance(res.exception, SystemExit)
    [line] = res.stderr.splitlines()
    assert re.search(message, line), line


def test_installed_script_bad_path_no_traceback() -> None:
    """As a user runs it: exit 1, one line on stderr, nothing on stdout."""
    res = subprocess.run(
        [
            str(Path(sys.executable).with_name("jobsim")),
            "compare",
            str(BACKOFF),
            "--set",
            "jobs[nope].manifest.spec.backoffLimit=6",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=checkout_env(),
    )
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        "error: --set: jobs[nope]: no item named 'nope' (the names are: flaky)"
    ]
