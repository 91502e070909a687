"""The Job controller's API client: token bucket, slow-start batches, syncs held meanwhile.

Expected times follow upstream: client-go's token bucket (``golang.org/x/time/rate``: starts
full with ``burst`` tokens, one per request, refilled at ``qps``), kube-controller-manager's
defaults ``--kube-api-qps`` 20 and ``--kube-api-burst`` 30, and ``manageJob``'s batches of
1, 2, 4, … with the next batch sent once the whole batch has returned.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import load_scenario, simulate
from jobsim.record import Recorder, StatusSource
from jobsim.scenario import ScenarioError
from jobsim.sim.apiclient import TokenBucket, batch_sizes
from jobsim.sim.simulation import Simulation
from jobsim.testing import run as run_checked
from tests.helpers import created_times, job_manifest, run, scenario


def test_the_bucket_starts_full_then_refills_at_qps() -> None:
    bucket = TokenBucket(20.0, 30)
    times = [bucket.reserve(0.0) for _ in range(33)]
    assert times[:30] == [0.0] * 30  # the burst
    assert times[30:] == pytest.approx([0.05, 0.10, 0.15])  # then 1/qps apart
    # 10 s idle: refilled to the burst (not beyond): 30 at once again, then waiting
    later = [bucket.reserve(10.0) for _ in range(31)]
    assert later[:30] == [10.0] * 30
    assert later[30] == pytest.approx(10.05)


def test_qps_zero_is_no_limit() -> None:
    bucket = TokenBucket(0.0, 1)
    assert [bucket.reserve(1.0) for _ in range(1000)] == [1.0] * 1000


def test_slow_start_batches_double() -> None:
    assert batch_sizes(0) == []
    assert batch_sizes(1) == [1]
    assert batch_sizes(7) == [1, 2, 4]
    assert batch_sizes(200) == [1, 2, 4, 8, 16, 32, 64, 73]


def wide(parallelism: int, **timing: Any) -> dict[str, Any]:
    """One Job of ``parallelism`` pods, all fitting at once, each running 30 s."""
    manifest = job_manifest(
        "job",
        completions=parallelism,
        parallelism=parallelism,
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "10m"}}}
            ]
        },
    )
    return scenario((manifest, {"duration": "30s"}), timing=timing, nodes=10, cpu="16")


def test_default_client_paces_creations_after_the_burst() -> None:
    # 100 pods asked for at once: 30 tokens at t=0, then one every 1/20 s: 70 more by 3.5 s.
    result = run(wide(100, kubeAPIQPS=20, kubeAPIBurst=30))
    times = created_times(result)
    assert times[:30] == [0.0] * 30
    assert times[30:] == pytest.approx([0.05 * k for k in range(1, 71)])
    status = result.job("job")["status"]
    assert status["succeeded"] == 100 and len(result.pods()) == 100  # no pod created twice


def test_the_defaults_are_kube_controller_managers() -> None:
    timing = load_scenario(wide(1)).timing
    assert (timing.kubeAPIQPS, timing.kubeAPIBurst, timing.apiRequestLatency) == (20.0, 30, 0.0)


def test_no_limit_creates_everything_at_once() -> None:
    assert created_times(run(wide(100, kubeAPIQPS=0))) == [0.0] * 100


def test_request_latency_shows_the_slow_start() -> None:
    # No rate limit, 0.1 s per request: batches of 1, 2, 4 return at 0.1, 0.2, 0.3.
    times = created_times(run(wide(7, kubeAPIQPS=0, apiRequestLatency="100ms")))
    assert times == pytest.approx([0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3])


def test_the_sync_writes_its_status_after_its_creations() -> None:
    # The status write and the sync held meanwhile wait for the last creation (3.5 s): every
    # status the checker sees counts only pods that exist (active == the pods' own account).
    checked = run_checked(wide(100, kubeAPIQPS=20, kubeAPIBurst=30))
    assert checked.job("job")["status"]["succeeded"] == 100
    # the same with check=True (the API server's status rules on every write)
    simulate(load_scenario(wide(100)), check=True)


def test_a_held_sync_runs_when_the_creations_are_done() -> None:
    # Pods created at 0: their sync is asked for at 1 s, during the creations, and held until
    # the last returns at 3.5 s. Pods start 1 s after creation (containerStart), from 1 s to
    # 4.5 s, and exit 30 s later, from 31 s to 34.5 s. The first exit asks for a sync at 32 s;
    # each sync that counts pods writes the status and resyncs 1 s later (33, 34, 35 s): the
    # one at 35 s counts the last pod and completes the Job.
    result = run(wide(100, kubeAPIQPS=20, kubeAPIBurst=30, containerStart="1s"))
    starts = sorted(p["startedAt"] for p in result.pods())
    assert starts[0] == 1.0 and starts[-1] == pytest.approx(4.5)
    assert result.job("job")["status"]["completionTime"] == 35.0


@pytest.mark.parametrize(
    ("timing", "where"),
    [({"kubeAPIQPS": -1}, "kubeAPIQPS"), ({"kubeAPIBurst": 0}, "kubeAPIBurst")],
)
def test_bad_client_settings_are_located(timing: dict[str, Any], where: str) -> None:
    with pytest.raises(ScenarioError, match=where):
        load_scenario(wide(1, **timing))


class Writes(Recorder):
    """Notes each status write's time and ``active``."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[float, int]] = []

    def job_status(self, t: float, key: str, status: StatusSource) -> None:
        super().job_status(t, key, status)
        self.writes.append((t, status()["active"]))


def test_no_sync_runs_while_its_creations_wait() -> None:
    # The sync at 0 sends 30 creations at once and 70 paced ones; its status (active 100) is
    # written when the last returns, at 3.5 s, not at 0: no status counts a pod that does not
    # exist yet, and no sync in between creates more.
    recorder = Writes()
    sim = Simulation(load_scenario(wide(100, kubeAPIQPS=20, kubeAPIBurst=30)), recorder)
    sim.run()
    submitted, (first_t, first_active) = recorder.writes[:2]  # the Job's empty status, its sync's
    assert submitted == (0.0, 0)
    assert first_t == pytest.approx(3.5) and first_active == 100
    assert all(active <= 100 for _, active in recorder.writes)
