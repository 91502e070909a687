"""Every scenario in ``scenarios/`` runs, reaches its expected outcome, and matches its golden
result byte for byte (``make golden`` regenerates after a reviewed change of behaviour)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from jobsim import load_scenario, simulate
from jobsim.k8s.conditions import job_outcome as outcome
from tests.golden import expected_path, explain_path, render, render_explain, scenario_files

# (scenario, job) -> (outcome, reason, succeeded, failed), from the rules each file describes.
OUTCOMES = {
    ("pi", "pi"): ("Complete", "CompletionsReached", 1, 0),
    ("backoff", "flaky"): ("Failed", "BackoffLimitExceeded", 0, 3),
    ("indexed", "shards"): ("Complete", "CompletionsReached", 6, 1),
    ("node-failure", "report"): ("Complete", "CompletionsReached", 1, 1),
    ("onfailure", "crashloop"): ("Failed", "BackoffLimitExceeded", 0, 1),
    ("pod-failure-policy", "trainer"): ("Failed", "PodFailurePolicy", 0, 1),
    ("backoff-per-index", "job-backoff-limit-per-index-example"): (
        "Failed",
        "FailedIndexes",
        5,
        10,
    ),
    ("success-policy", "leader-worker"): ("Complete", "SuccessPolicy", 1, 0),
    ("replacement-policy", "eager"): ("Complete", "CompletionsReached", 1, 1),
    ("replacement-policy", "careful"): ("Complete", "CompletionsReached", 1, 1),
    ("suspend", "batch"): ("Complete", "CompletionsReached", 3, 0),
    ("elastic", "shards"): ("Complete", "CompletionsReached", 5, 0),
    ("ttl", "cleanup"): ("Complete", "CompletionsReached", 1, 0),
    # deleted at 90 s, two pods done: the last status each wrote (no terminal condition);
    # in the foreground the two terminating pods count as failed (isPodFailed)
    ("delete-job", "background"): ("Running", "", 2, 0),
    ("delete-job", "foreground"): ("Running", "", 2, 2),
    ("delete-job", "orphan"): ("Running", "", 2, 0),
    ("node-removal", "etl"): ("Complete", "CompletionsReached", 3, 2),
    ("flaky-pool", "nightly"): ("Complete", "CompletionsReached", 40, 5),
    ("drain", "render"): ("Complete", "CompletionsReached", 4, 2),
    ("drain-budget", "render"): ("Complete", "CompletionsReached", 4, 2),
    ("placement", "train"): ("Complete", "CompletionsReached", 6, 0),
    ("placement", "preprocess"): ("Complete", "CompletionsReached", 8, 0),
    ("spread", "shards"): ("Complete", "CompletionsReached", 6, 0),
    ("spread", "exclusive"): ("Complete", "CompletionsReached", 4, 0),
    ("preemption", "backfill"): ("Complete", "CompletionsReached", 12, 3),
    ("preemption", "hotfix"): ("Complete", "CompletionsReached", 3, 0),
    ("autoscaling", "wave-1"): ("Complete", "CompletionsReached", 12, 0),
    ("autoscaling", "wave-2"): ("Complete", "CompletionsReached", 2, 0),
    ("nightly", "report-0"): ("Complete", "CompletionsReached", 20, 0),
    # Wednesday's overrunning Job of the Forbid CronJob, and Thursday's of the Allow one,
    # which ran beside Wednesday's (the Forbid CronJob made none for Thursday)
    ("cronjob-nightly", "etl-forbid-29462460"): ("Complete", "CompletionsReached", 8, 0),
    ("cronjob-nightly", "etl-allow-29463900"): ("Complete", "CompletionsReached", 8, 0),
    ("nightly", "report-1"): ("Complete", "CompletionsReached", 20, 1),
    ("nightly", "report-2"): ("Complete", "CompletionsReached", 20, 1),
    ("nightly", "report-3"): ("Complete", "CompletionsReached", 20, 0),
    ("nightly", "report-4"): ("Complete", "CompletionsReached", 20, 0),
    ("nightly", "report-5"): ("Complete", "CompletionsReached", 20, 0),
    # imported from scenarios/imported/cluster.json: train's runs all exited 137, so p = 1 and
    # backoffLimit 1 fails it after 2 pods; report has the default workload; the etl Jobs
    # fail a run with p = 1/15, which seed 0 never draws in their 15 runs.
    ("imported", "etl-0301"): ("Complete", "CompletionsReached", 12, 0),
    ("imported", "train"): ("Failed", "BackoffLimitExceeded", 0, 2),
    ("imported", "etl-0302"): ("Complete", "CompletionsReached", 3, 0),
    ("imported", "report"): ("Complete", "CompletionsReached", 1, 0),
    # the zone outage's evictions are DisruptionTarget failures, which its podFailurePolicy
    # ignores: none is counted
    ("at-scale", "render"): ("Complete", "CompletionsReached", 2000, 0),
}


def test_every_scenario_has_an_outcome_and_a_golden_file() -> None:
    names = {p.stem for p in scenario_files()}
    assert names == {s for s, _ in OUTCOMES}
    for p in scenario_files():
        assert expected_path(p).exists(), f"run `make golden` for {p.name}"
        assert explain_path(p).exists(), f"run `make golden` for {p.name}"


@pytest.mark.parametrize(("name", "job"), sorted(OUTCOMES))
def test_outcome(name: str, job: str) -> None:
    result = simulate(load_scenario(Path("scenarios") / f"{name}.yaml"))
    status = result.job(job)["status"]
    want = OUTCOMES[(name, job)]
    assert (*outcome(status), status["succeeded"], status["failed"]) == want


@pytest.mark.parametrize("kind", ["json", "explain"])
@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_golden(path: Path, kind: str) -> None:
    """The ``--json`` result and the ``explain`` narration, byte for byte."""
    got = render(path) if kind == "json" else render_explain(path)
    want = (expected_path(path) if kind == "json" else explain_path(path)).read_text(
        encoding="utf-8"
    )
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(True), got.splitlines(True), "expected", "got", n=2
            )
        )
        pytest.fail(f"{path.name} differs from its golden result (make golden):\n{diff[:4000]}")


def test_replacement_policy_timelines() -> None:
    """Deleted at 60 with a 30 s termination: TerminatingOrFailed counts it at 61 with failure
    time 60 (the DELETE) and replaces it at 70; Failed waits for the exit at 90, then backs off
    from it: 100."""
    result = simulate(load_scenario("scenarios/replacement-policy.yaml"))
    created: dict[str, list[float]] = {}
    for p in result.pods():
        created.setdefault(p["job"], []).append(p["createdAt"])
    assert created == {"default/eager": [0, 70], "default/careful": [0, 100]}


def test_ttl_and_managed_by() -> None:
    result = simulate(load_scenario("scenarios/ttl.yaml"))
    assert result.job("cleanup")["deletedAt"] == 132
    assert result.job("elsewhere")["podsCreated"] == 0


def test_preemption_timeline() -> None:
    """hotfix (3 × 1 cpu) at 120 on a full cluster: each pod preempts one backfill pod (5 s to
    stop), binds at 125, starts at 126 (containerStart 1 s), ends at 186: Complete at 187."""
    result = simulate(load_scenario("scenarios/preemption.yaml"))
    hot = [p for p in result.pods() if p["job"] == "default/hotfix"]
    assert [p["scheduledAt"] for p in hot] == [125, 125, 125]
    assert result.job("hotfix")["status"]["completionTime"] == 187
    victims = [p for p in result.pods() if p["deletedAt"] == 120]
    assert len(victims) == 3
    assert all(v["conditions"][-1]["reason"] == "PreemptionByScheduler" for v in victims)


def test_autoscaling_timeline() -> None:
    """cluster-autoscaler's first scan, at 10 s, asks for 4 nodes (max 5), which join at 100;
    they run pods 101..401; the scan at 410 finds them empty, so the one at 1010, 10 m later,
    removes them."""
    result = simulate(load_scenario("scenarios/autoscaling.yaml"))
    nodes = [
        (e["t"], e["kind"], e["object"])
        for e in result.to_dict()["events"]
        if e["kind"] in ("NODE_ADDED", "NODE_REMOVED")
    ]
    assert nodes == [(0, "NODE_ADDED", "burst-0")] + [
        (100, "NODE_ADDED", f"burst-{i}") for i in range(1, 5)
    ] + [(1010, "NODE_REMOVED", f"burst-{i}") for i in range(1, 5)]


def test_placement() -> None:
    """GPU pods only on the tainted gpu pool (2 GPUs per node: 4 at once, the other 2 after
    the first end at 631 with a fresh 30 s pull); cpu pods bin-packed on 2 of the 3 cpu nodes.
    imagePullPolicy Always pulls for each pod, and the kubelet pulls one image at a time
    (``serializeImagePulls: true``): on each gpu node the second pod's pull runs 30-60 s, so
    it starts at 61."""
    result = simulate(load_scenario("scenarios/placement.yaml"))
    train = [p for p in result.pods() if p["job"] == "default/train"]
    assert {p["node"] for p in train} == {"gpu-0", "gpu-1"}
    assert sorted(p["startedAt"] for p in train) == [31, 31, 61, 61, 662, 662]
    prep = [p for p in result.pods() if p["job"] == "default/preprocess"]
    assert sorted({p["node"] for p in prep}) == ["cpu-0", "cpu-1"]


def test_spread() -> None:
    """shards: six pods, zone maxSkew 1, one per zone in turn, each zone's emptier node second
    (a-0, b-0, c-0, a-1, b-1, c-1). exclusive (at 10 s): one pod per zone (a-0, b-0, c-0, every
    node equally loaded, the first of each zone); the fourth waits, Pending with the
    anti-affinity reason on all six nodes, until the first of them ends and joins its node."""
    result = simulate(load_scenario("scenarios/spread.yaml"))
    shards = [p["node"] for p in result.pods() if p["job"] == "default/shards"]
    assert shards == ["a-0", "b-0", "c-0", "a-1", "b-1", "c-1"]
    exclusive = [p for p in result.pods() if p["job"] == "default/exclusive"]
    assert [(p["node"], p["scheduledAt"]) for p in exclusive[:3]] == [
        ("a-0", 10),
        ("b-0", 10),
        ("c-0", 10),
    ]
    first = min(exclusive[:3], key=lambda p: p["finishedAt"])
    assert (exclusive[3]["node"], exclusive[3]["scheduledAt"]) == (
        first["node"],
        first["finishedAt"],
    )
    messages = [
        e["message"].split(": ", 1)[1]
        for e in result.to_dict()["events"]
        if e["kind"] == "POD_UNSCHEDULABLE"
    ]
    assert messages == ["0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules."]


def test_pi_timeline() -> None:
    """pi: created 0, image pulled by 5, container started 6 (containerStart 1 s), exits 16,
    Complete at 17 (jobSyncDelay 1 s)."""
    result = simulate(load_scenario("scenarios/pi.yaml"))
    pod = result.pods()[0]
    assert (pod["createdAt"], pod["startedAt"], pod["finishedAt"]) == (0, 6, 16)
    status = result.job("pi")["status"]
    assert (status["startTime"], status["completionTime"]) == (0, 17)
