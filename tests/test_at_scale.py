"""``scenarios/at-scale.yaml`` (issue 17): a 2,000-pod Job on 200 nodes with every control-plane
mechanism at upstream's defaults, and the README's table of what each mechanism adds
(``benchmarks/control_plane.py``).

The expected times come from the upstream rules, not from a run:

- ``manageJob`` (``pkg/controller/job/job_controller.go``) creates at most
  ``MaxPodCreateDeletePerSync`` (500) pods per sync (``diff`` is cut to it), in batches of
  1, 2, 4, … (``batchSize`` from ``SlowStartInitialBatchSize`` 1, ``min(2*batchSize, diff)``),
  each batch once the whole batch before has returned (``wait.Wait()``);
- every creation takes a token from the Job controller's client bucket (client-go's
  ``flowcontrol.NewTokenBucketRateLimiter``, a ``rate.Limiter`` of ``--kube-api-qps`` 20 and
  ``--kube-api-burst`` 30, full at the start), waiting for it when there is none.

So the 30 tokens go to batches 1, 2, 4, 8 (15 creations) and the first 15 of the batch of 16,
all at 0 s. From the 31st creation on the bucket is empty whenever a request is made: the 16th
of that batch waits for the token due at 0.05 s, and each later batch starts when its
predecessor's last request returned, which is the instant that request's token was due, so
the bucket is empty again. The k-th creation (from 1) goes at ``(k - 30) / 20`` s, across the
4 syncs of 500 (the next sync of the Job runs as soon as the sync before has returned: the
syncs asked for meanwhile are due already), the 2,000th at 98.5 s.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.control_plane import MECHANISMS, SCENARIO, table
from jobsim.api import Result, load_side, parse_settings, simulate
from jobsim.scenario.model import ClusterAutoscaler, Kubelet, KubeScheduler, NodeLifecycle
from tests.golden import ROOT

QPS = 20
BURST = 30
MAX_PER_SYNC = 500
COMPLETIONS = 2000


@pytest.fixture(scope="module")
def run() -> Result:
    return simulate(load_side("A", SCENARIO).scenario)


def slow_start_batches(n: int) -> list[int]:
    """``slowStartBatch``'s batch sizes for ``n`` creations: 1, 2, 4, … capped by the rest."""
    sizes, size = [], 1
    while n > 0:
        size = min(size, n)
        sizes.append(size)
        n -= size
        size *= 2
    return sizes


def test_the_first_30_creations_are_at_once_then_20_per_second(run: Result) -> None:
    first = sorted(p["createdAt"] for p in run.pods())[:COMPLETIONS]
    syncs = [MAX_PER_SYNC] * (COMPLETIONS // MAX_PER_SYNC)
    assert syncs == [500, 500, 500, 500]
    batches = slow_start_batches(MAX_PER_SYNC)
    assert batches == [1, 2, 4, 8, 16, 32, 64, 128, 245]
    # the burst: batches 1, 2, 4 and 8, and 15 of the 16
    assert sum(batches[:4]) + 15 == BURST
    want = [max(0.0, (k - BURST) / QPS) for k in range(1, COMPLETIONS + 1)]
    assert first == pytest.approx(want, abs=1e-9)  # the bucket's float arithmetic
    assert first.count(0.0) == BURST
    assert first[BURST] == pytest.approx(0.05)
    assert first[-1] == pytest.approx(98.5)


def test_the_zone_is_tainted_at_the_secondary_rate_and_its_replacements_paced(
    run: Result,
) -> None:
    """Zone d stops reporting at 6m (360 s): NotReady after nodeMonitorGracePeriod, 50 s. The
    autoscaler had added 10 nodes to it, so 50 of its 60 nodes are NotReady: more than 2 and
    at least 0.55 of the zone, PartialDisruption, and the zone has more than 50 nodes, so the
    rate is the secondary one, 0.01/s, its bucket (burst 1) holding a token for the first
    (``ComputeZoneState``, ``ReducedQPSFunc``). One node every 100 s from 410 s, until the
    zone is back at 21m (1,260 s): 9 nodes. A tainted node's pods are evicted 300 s later
    (defaultTolerationSeconds): those tainted by 960 s, 6 nodes of 8 pods. At 1,260 s their
    kubelets report again: a pod whose container had exited 0 meanwhile ends Succeeded
    (kubelet getPhase), one still running is stopped, exits 143 and ends Failed; only those
    are replaced (podReplacementPolicy Failed). The sync that counts them also counts the
    zone's earlier successes, whose finish times come before the failures', so it holds the
    replacements back for the pod-failure backoff (backoff_utils.go newBackoffRecord: the
    failures after the last success); the next pod to succeed resets it, and the sync 1 s
    after its exit (jobSyncDelay) replaces them from a full bucket: 30 at once, then one
    every 50 ms."""
    events = run.to_dict()["events"]
    zone_d = [e for e in events if e["kind"] == "NODE_ADDED" and e["object"].startswith("zone-d")]
    assert sum(e["t"] < 360 for e in zone_d) == 60
    taints = [
        e["t"]
        for e in events
        if e["kind"] == "NODE_TAINTED" and e["object"].startswith("zone-d") and e["t"] < 1260
    ]
    assert taints == [410 + 100 * k for k in range(9)]
    evicted = sorted({e["t"] for e in events if e["kind"] == "POD_DELETED"})
    assert evicted == [t + 300 for t in taints if t + 300 <= 1260]
    assert len([e for e in events if e["kind"] == "POD_DELETED"]) == 6 * 8
    deleted = [p for p in run.pods() if p["deletedAt"] is not None]
    ended = sorted((p["phase"], p["exitCode"], p["finishedAt"]) for p in deleted)
    done = sum(p["phase"] == "Succeeded" for p in deleted)
    assert ended == [("Failed", 143, 1260)] * (48 - done) + [("Succeeded", 0, 1260)] * done
    assert 0 < done < 48
    reset = min(
        p["finishedAt"]
        for p in run.pods()
        if p["phase"] == "Succeeded" and p["finishedAt"] > 1260 and p["exitCode"] == 0
    )
    later = sorted(p["createdAt"] for p in run.pods())[COMPLETIONS:]
    want = [reset + 1 + max(0.0, (k - BURST) / QPS) for k in range(1, 48 - done + 1)]
    assert later == pytest.approx(want, abs=1e-9)


def test_the_scenario_turns_every_mechanism_on_at_upstreams_defaults() -> None:
    scenario = load_side("A", SCENARIO).scenario
    assert (scenario.timing.kubeAPIQPS, scenario.timing.kubeAPIBurst) == (QPS, BURST)
    assert scenario.timing.apiTimestampPrecision == 1.0  # metav1.Time: whole seconds
    assert scenario.cluster.kubelet == Kubelet()
    assert scenario.cluster.nodeLifecycle == NodeLifecycle()
    assert scenario.cluster.autoscaler == ClusterAutoscaler()
    assert scenario.cluster.scheduler == KubeScheduler()  # opt-in: written out
    assert [b.metadata.name for b in scenario.podDisruptionBudgets] == ["render"]


def test_the_ideal_variant_turns_every_mechanism_off() -> None:
    """Every row's settings together: the ideal model."""
    off = [s for m in MECHANISMS for s in m.off]
    scenario = load_side("B", SCENARIO, parse_settings(off, "--set")).scenario
    assert (scenario.timing.kubeAPIQPS, scenario.timing.apiTimestampPrecision) == (0, 0)
    cluster = scenario.cluster
    assert (cluster.kubelet, cluster.nodeLifecycle, cluster.autoscaler) == (None, None, None)
    assert cluster.scheduler is None
    assert scenario.podDisruptionBudgets == []


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The control plane at scale\n", 1)[1].split("\n## ", 1)[0]
    found: list[str] = re.findall(r"^\| control plane \|.*?\n(?:\|.*\n)+", section, re.M)
    assert len(found) == 1
    return found[0]


@pytest.mark.slow
def test_the_readme_table_is_the_scripts_output() -> None:
    """``python benchmarks/control_plane.py``, as the README runs it: the README's table, byte
    for byte (every run is deterministic)."""
    done = subprocess.run(
        [sys.executable, str(Path("benchmarks") / "control_plane.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == _readme_table()
    lines = done.stdout.splitlines()
    assert len(lines) == 2 + 1 + len(MECHANISMS)  # header, ideal, one row per mechanism


def test_table_shape() -> None:
    """The table's columns, from rows the script would make."""
    from benchmarks.control_plane import Row

    text = table([Row("ideal", 60.0, 10, None, None), Row("+ x", 90.5, 12, 30.5, -2.0)])
    assert text.splitlines() == [
        "| control plane | makespan | added by this row | this mechanism alone | pods created |",
        "|---|---:|---:|---:|---:|",
        "| ideal | 1m0s |  |  | 10 |",
        "| + x | 1m30.5s | +30.5s | −2s | 12 |",
    ]


def test_a_backoff_reset_by_a_success_ends_at_the_next_creation(run: Result) -> None:
    """The sync at 21m0.49s announces the pod-failure backoff of the 41 failures (until 31m);
    the next success resets it (backoff_utils.go newBackoffRecord) and the replacements are
    created at once, so the backoff drawn (``Lives.backoffs``) ends at their creation."""
    [gap] = [g for g in run.lives.backoffs if g.job == "default/render"]
    later = sorted(p["createdAt"] for p in run.pods())[COMPLETIONS:]
    assert gap.decided_at == pytest.approx(1260.487286)
    assert gap.end == later[0] < gap.decided_at + 600
