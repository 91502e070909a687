"""The teaching material: the Kubernetes docs' Job manifests run bare, as the docs write them
(``scenarios/teaching/manifests/``), and each concept's small scenario
(``scenarios/teaching/*.yaml``, the sections of ``notebooks/jobs_explained.ipynb``) shows what
Kubernetes does, at the times its rules give.

Unless a test says otherwise, the teaching scenarios set ``jobSyncDelay`` and
``containerStart`` to 0, so a pod starts when it is created and the Job controller counts it
the instant it exits; the bare manifests run with the default timing (``containerStart`` 1 s,
``jobSyncDelay`` 1 s) on the default cluster (3 nodes of 4 cpu) and workload (every run 10 s,
exit 0): a pod created at t runs from t+1 to t+11 and is counted at t+12.
"""

from __future__ import annotations

import json
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jobsim.api import Result, load_scenario, queries, simulate, unfinished
from jobsim.cli import app
from tests.golden import ROOT

TEACHING = ROOT / "scenarios" / "teaching"
MANIFESTS = TEACHING / "manifests"
runner = CliRunner()


def run_bare(path: Path, *args: str) -> dict[str, Any]:
    """``jobsim run PATH --json`` as a user types it."""
    res = runner.invoke(app, ["run", str(path), *args, "--json"])
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def ending(data: dict[str, Any]) -> tuple[str, str, float, int, int, int]:
    """The one Job's terminal condition (type, reason, time), succeeded, failed, pods created."""
    [job] = data["jobs"]
    [last] = [c for c in job["status"]["conditions"] if c["type"] in ("Complete", "Failed")]
    status = job["status"]
    return (
        last["type"],
        last["reason"],
        last["lastTransitionTime"],
        status.get("succeeded", 0),
        status.get("failed", 0),
        job["podsCreated"],
    )


# Each of the docs' manifests, run bare: how it ends, derived from the rules.
BARE = {
    # One pod, created at 0: runs 1-11 s, counted at 12 s.
    "job.yaml": ("Complete", "CompletionsReached", 12.0, 1, 0, 1),
    # completions 5, parallelism 3, Indexed: indexes 0-2 at 0 s are counted at 12 s, when
    # indexes 3 and 4 are created; those are counted at 24 s. The init container "input" takes
    # no time of its own in jobsim's model (a pod's run is its workload's duration).
    "indexed-job.yaml": ("Complete", "CompletionsReached", 24.0, 5, 0, 5),
    # completions 12, parallelism 3: four waves of three pods, 12 s each: 48 s. Every run
    # exits 0, so neither rule of the podFailurePolicy matches.
    "job-pod-failure-policy-example.yaml": ("Complete", "CompletionsReached", 48.0, 12, 0, 12),
    # completions 10, parallelism 3, Indexed: waves of 3, 3, 3 and 1 pods at 0, 12, 24, 36 s;
    # the last is counted at 48 s.
    "job-backoff-limit-per-index-example.yaml": (
        "Complete",
        "CompletionsReached",
        48.0,
        10,
        0,
        10,
    ),
    # parallelism 10: all ten indexes at 0 s (pods request nothing), counted at 12 s; the
    # successPolicy is checked before the completions, so its rule 0 (index 0 among 0,2-3
    # succeeded) gives the reason.
    "job-success-policy.yaml": ("Complete", "SuccessPolicy", 12.0, 10, 0, 10),
    # A native sidecar (an init container with restartPolicy Always) does not hold the Job
    # back: the pod completes when its regular container exits, as the pi Job's does.
    "job-sidecar.yaml": ("Complete", "CompletionsReached", 12.0, 1, 0, 1),
    # A work queue (completions unset), parallelism 2: both workers exit 0 at 11 s; once a pod
    # has succeeded and none is active, the Job is Complete: 12 s, succeeded 2.
    "job-wq-2.yaml": ("Complete", "CompletionsReached", 12.0, 2, 0, 2),
}


def test_every_docs_manifest_has_its_expected_ending() -> None:
    assert sorted(p.name for p in MANIFESTS.glob("*.yaml")) == sorted(BARE)


@pytest.mark.parametrize("name", sorted(BARE))
def test_the_docs_manifest_runs_as_written(name: str) -> None:
    assert ending(run_bare(MANIFESTS / name)) == BARE[name]
    res = runner.invoke(app, ["validate", str(MANIFESTS / name)])
    assert (res.exit_code, res.stderr) == (0, ""), res.output


def test_the_pod_failure_policy_example_fails_on_exit_42() -> None:
    """The docs' scenario: the container exits 42. The three pods of the first wave exit at
    11 s; the sync at 12 s matches the FailJob rule: FailureTarget, and Failed at once since
    no pod is left terminating."""
    path = MANIFESTS / "job-pod-failure-policy-example.yaml"
    data = run_bare(path, "--fail-rate", "1", "--exit-code", "42")
    assert ending(data) == ("Failed", "PodFailurePolicy", 12.0, 0, 3, 3)


# The teaching scenarios, one per concept.


def run(name: str) -> Result:
    return simulate(load_scenario(TEACHING / f"{name}.yaml"), check=True)


def created(result: Result, job: str) -> list[float]:
    return [p.created for p in queries.pods(result, job)]


def finished(result: Result, job: str) -> tuple[str, float]:
    """The Job's outcome and when it was reached."""
    [row] = [j for j in result.jobs_frame().to_dict("records") if j["name"] == job]
    return str(row["outcome"]), float(row["finishedAt"])


def test_every_teaching_scenario_is_tested() -> None:
    names = {p.stem for p in TEACHING.glob("*.yaml")}
    tested = {
        "pi",
        "completions",
        "backoff",
        "backoff-cap",
        "backoff-limit",
        "termination",
        "resources",
        "logging",
        "idempotency",
        "cleanup",
    }
    assert names == tested


def test_pi() -> None:
    """The docs' manifest file under the default timing: Complete at 12 s, as bare."""
    r = run("pi")
    assert finished(r, "pi") == ("Complete", 12.0)
    assert created(r, "pi") == [0.0]


def test_completions_and_parallelism() -> None:
    """fixed: 4 completions, 2 at a time, 10 s runs: two waves, at 0 and 10 s; done at 20 s.
    indexed: one pod per index 0-2, all at once; done at 10 s. queue (completions unset, 3
    workers running 10, 20 and 30 s): no pod is created after the first success at 10 s and
    the Job is Complete when the last worker exits, at 30 s, with succeeded 3."""
    r = run("completions")
    assert created(r, "fixed") == [0.0, 0.0, 10.0, 10.0]
    assert finished(r, "fixed") == ("Complete", 20.0)
    assert queries.max_active(r, "fixed") == 2
    assert [p.index for p in queries.pods(r, "indexed")] == [0, 1, 2]
    assert finished(r, "indexed") == ("Complete", 10.0)
    assert created(r, "queue") == [0.0, 0.0, 0.0]
    assert finished(r, "queue") == ("Complete", 30.0)
    assert r.jobs_frame().set_index("name").loc["queue", "succeeded"] == 3


def test_backoff_doubles_and_a_success_resets_it() -> None:
    """5 s runs. Failures at 5, 20, 45 s wait 10, 20, 40 s: pods at 0, 15, 40, 85 s. The 4th
    succeeds at 90 s: the count of failures since the last success is 0, so the next pod
    starts at once, at 90 s; it fails at 95 s, 1 failure since the success: 10 s, 105 s."""
    r = run("backoff")
    assert created(r, "retry") == [0.0, 15.0, 40.0, 85.0, 90.0, 105.0]
    assert finished(r, "retry") == ("Complete", 110.0)
    assert queries.failed_count(r, "retry")[-1][1] == 4


def test_backoff_is_capped_at_ten_minutes() -> None:
    """30 s runs. Each pod starts 10·2^(n-1) s after the n-th failure, capped at 600 s
    (upstream MaxJobPodFailureBackOff): gaps 10, 20, 40, 80, 160, 320, then 600 not 640. The
    8th failure exceeds backoffLimit 7: Failed at 1440 + 30 = 1470 s."""
    r = run("backoff-cap")
    starts = created(r, "stubborn")
    gaps = [b - (a + 30) for a, b in pairwise(starts)]
    assert gaps == [10, 20, 40, 80, 160, 320, 600]
    assert starts == [0, 40, 90, 160, 270, 460, 810, 1440]
    assert finished(r, "stubborn") == ("Failed", 1470.0)


def test_backoff_limit_counts_failed_pods_and_restarts() -> None:
    """never: failed pods at 5, 20, 45 s; failed = 3 > backoffLimit 2 at 45 s. onfailure: one
    pod, restarted in place at 5 s (the kubelet's first restart has no delay) and at 20 s
    (10 s CrashLoopBackOff after the exit at 10 s): restartCount 2 >= backoffLimit 2, Failed
    at 20 s."""
    r = run("backoff-limit")
    assert created(r, "never") == [0.0, 15.0, 40.0]
    assert finished(r, "never") == ("Failed", 45.0)
    [pod] = queries.pods(r, "onfailure")
    assert [run_.start for run_ in r.runs("onfailure")] == [0.0, 5.0, 20.0]
    assert finished(r, "onfailure") == ("Failed", 20.0)
    assert r.jobs_frame().set_index("name").loc["never", "reason"] == "BackoffLimitExceeded"
    assert r.jobs_frame().set_index("name").loc["onfailure", "reason"] == "BackoffLimitExceeded"
    assert pod.name.startswith("onfailure-")


def test_termination_sigterm_and_sigkill() -> None:
    """Both pods deleted at 60 s. graceful exits 5 s after SIGTERM: 143 at 65 s. stubborn
    would need 60 s, but the default grace period is 30 s: SIGKILL, 137 at 90 s. With
    podReplacementPolicy Failed each replacement follows its predecessor's end by the 10 s
    backoff (75, 100 s) and runs 2 minutes (195, 220 s)."""
    r = run("termination")
    first = {p.job.split("/")[1]: p for p in r.runs() if p.attempt == 0}
    assert (first["graceful"].exit_code, first["graceful"].end) == (143, 65.0)
    assert (first["stubborn"].exit_code, first["stubborn"].end) == (137, 90.0)
    assert created(r, "graceful") == [0.0, 75.0]
    assert created(r, "stubborn") == [0.0, 100.0]
    assert finished(r, "graceful") == ("Complete", 195.0)
    assert finished(r, "stubborn") == ("Complete", 220.0)


def test_resources_pending_and_a_pod_that_fits_no_node() -> None:
    """batch: 3 pods of 3 cpu on two 4-cpu nodes: the third is bound when one exits at 60 s
    and runs until 120 s. huge (8 cpu) fits no node: Pending until the 5-minute horizon,
    with the scheduler's message."""
    r = run("resources")
    pods = r.pods_frame().set_index("name")
    batch = pods[pods["job"] == "default/batch"]
    assert sorted(batch["scheduledAt"]) == [0.0, 0.0, 60.0]
    assert finished(r, "batch") == ("Complete", 120.0)
    huge = pods[pods["job"] == "default/huge"]
    assert list(huge["phase"]) == ["Pending"] and math.isnan(huge["scheduledAt"].iloc[0])
    [why] = unfinished(r)
    assert why.job == "default/huge"
    assert "0/2 nodes are available: 2 Insufficient cpu." in why.text


def test_logging_pods_and_their_logs_last_until_cleanup() -> None:
    """kept (no TTL): both pods, the failed one too, still exist at the end. swept
    (ttlSecondsAfterFinished 60): Complete at 20 s (fail at 5 s, 10 s backoff, 5 s run), so
    both pods are gone at 80 s."""
    r = run("logging")
    pods = r.pods_frame()
    kept = pods[pods["job"] == "default/kept"]
    swept = pods[pods["job"] == "default/swept"]
    assert len(kept) == 2 and kept["removedAt"].isna().all()
    assert finished(r, "swept") == ("Complete", 20.0)
    assert list(swept["removedAt"]) == [80.0, 80.0]


def test_idempotency_a_retried_index_runs_twice_and_overlaps() -> None:
    """Index 1's pod deleted at 60 s needs 20 s to stop (until 80 s); under the default
    TerminatingOrFailed it is a failure at once and its replacement starts after 10 s, at
    70 s: index 1 runs twice, overlapping 10 s; it completes at 70 + 120 = 190 s."""
    r = run("idempotency")
    [job] = r.stats.jobs
    assert job.attemptsPerIndex == {"0": 1, "1": 2}
    assert job.reExecutions == 1
    [overlap] = job.overlappingExecutions
    assert (overlap.index, overlap.start, overlap.seconds) == (1, 70.0, 10.0)
    assert finished(r, "shards") == ("Complete", 190.0)


def test_cleanup_ttl_deletes_the_job_with_its_pods() -> None:
    """ttlSecondsAfterFinished 30: done (Complete at 10 s) is deleted at 40 s, broken (Failed
    at 5 s, backoffLimit 0) at 35 s, each with its pod."""
    r = run("cleanup")
    jobs = r.jobs_frame().set_index("name")
    assert (jobs.loc["done", "finishedAt"], jobs.loc["done", "deletedAt"]) == (10.0, 40.0)
    assert (jobs.loc["broken", "finishedAt"], jobs.loc["broken", "deletedAt"]) == (5.0, 35.0)
    pods = r.pods_frame().set_index("job")
    assert pods.loc["default/done", "removedAt"] == 40.0
    assert pods.loc["default/broken", "removedAt"] == 35.0
