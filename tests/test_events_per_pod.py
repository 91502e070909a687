"""The deterministic work per pod: kernel events scheduled and Job controller syncs.

Event counts do not depend on the machine, so these pin the work that ``benchmarks/`` only
times: a change that makes a pod's life cost more events, or a sync per pod event, fails here
without timing anything. Every event is a ``Clock.call``; ``clock.scheduled`` counts them all,
cancelled ones included. Default timing: ``jobSyncDelay`` 1 s, ``containerStart``
1 s, ``scheduling`` 0 s, no image pull unless the scenario says so.

A pod that never waits for anything else costs four events: the scheduling attempt (a pod
that finds no room waits in the scheduler's queue and is bound, without a new event, when a
pod on some node ends), the end of its sandbox (the real kubelet's ``RunPodSandbox``, then
``SyncPod`` goes on to the images), the container start and the container exit. An image pull
adds two events on the node that pulls it: one records the pull, one resumes the pod's
``SyncPod`` when it is done. The ideal kubelet (``controlPlane: ideal``) has no sandbox step
and does not resume after a pull: three events a pod, one more per pull. A Job costs one
submission event plus one per sync, and a sync is batched: ``jobSyncDelay`` after a pod change
or a status write, one pending sync per Job at a time.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.run import synthetic_scenario
from jobsim import load_scenario
from jobsim.record import NullRecorder, Recorder
from jobsim.sim.simulation import Simulation
from tests.helpers import job_manifest

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def run(data: dict[str, object] | Path, recorder: Recorder | None = None) -> Simulation:
    """Run a scenario to the end (with a recorder that keeps nothing unless given one)."""
    sim = Simulation(load_scenario(data), NullRecorder() if recorder is None else recorder)
    sim.run()
    return sim


def test_pi() -> None:
    # One Job, one pod, 3 nodes, perl pulled in 5 s, run 10 s.
    #   t=0   submit ........................................................ event 1
    #         -> sync@0 .................................................... event 2
    #   sync 1 @0: creates the pod -> schedule@0 ............................ event 3
    #         pod change -> sync@1 ........................................... event 4
    #         (its status write also asks for sync@1: already pending)
    #   schedule @0: binds; the sandbox (0 s) ends @0 ....................... event 5
    #   sandbox @0: perl is pulled 0-5 s: recorded @5 ....................... event 6
    #         and SyncPod resumes @5 ........................................ event 7
    #   sync 2 @1: nothing changed, no status write
    #   pulled @5: container start @6 (1 s start) ........................... event 8
    #   start @6: Running, Ready -> exit @16 ................................ event 9
    #         pod change -> sync@7 ........................................... event 10
    #   sync 3 @7: status ready 0 -> 1, a write -> sync@8 ................... event 11
    #   sync 4 @8: nothing changed
    #   exit @16: Succeeded -> sync@17 ...................................... event 12
    #   sync 5 @17: counts it, Complete; a finished Job is not synced again.
    # Per pod 6 (schedule, sandbox, pull recorded, pull done, start, exit); per Job 1
    # submission + 5 syncs.
    sim = run(SCENARIOS / "pi.yaml")
    assert (sim.clock.scheduled, sim.controller.syncs, sim.clock.now) == (12, 5, 17.0)


def test_pi_ideal() -> None:
    # The same with the ideal kubelet, which binds and schedules the pull's record (@5) and
    # the start (@6) at once: per pod 4 (schedule, pull, start, exit), 2 events fewer, same
    # timeline.
    data = yaml.safe_load((SCENARIOS / "pi.yaml").read_text())
    sim = run({**data, "controlPlane": "ideal"})
    assert (sim.clock.scheduled, sim.controller.syncs, sim.clock.now) == (10, 5, 17.0)


def wave_scenario() -> dict[str, object]:
    """200 pods of 1 cpu, 10 s each, on 5 nodes of 4 cpu: 10 waves of 20 pods."""
    container = {
        "name": "main",
        "image": "busybox:1.36",
        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
    }
    manifest = job_manifest(
        "wave", completions=200, parallelism=200, podSpec={"containers": [container]}
    )
    return {
        "name": "wave",
        "seed": 1,
        "cluster": {
            "nodePools": [{"name": "n", "count": 5, "capacity": {"cpu": "4", "memory": "16Gi"}}]
        },
        "jobs": [{"manifest": manifest, "workload": {"duration": "10s"}}],
        "timing": {"kubeAPIQPS": 0},  # no client rate limit: all 200 created by one sync at 0
    }


def test_synthetic_waves() -> None:
    # 1 submission.
    # Sync @0 creates all 200 pods (one scheduling event each); 20 fit (5 nodes x 4 cpu),
    # 180 wait in the scheduler's queue. Start @1 for the first wave.
    # Wave k (k = 1..10) starts at 11k - 10 and exits at 11k; each exit frees a node slot
    # and binds the next waiting pod at once, which starts 1 s later (wave k + 1 at 11k + 1):
    # no scheduling event beyond the one each pod had at creation.
    # Every pod: schedule + sandbox + start + exit = 4 events, 800 in all (busybox pulls in
    # 0 s: no pull event).
    # Syncs: @0 (creates), @1 (pods changed; the 20 starts at 1 run first, KUBELET before
    # CONTROLLER, so ready 0 -> 20 is written), @2 (the write's resync: no change) = 3;
    # then per wave k = 1..9: @11k+1 (counts 20 Succeeded; the next wave has started
    # at the same instant) and @11k+2 (the write's resync) = 18; wave 10: @111 counts the last
    # 20 and completes the Job = 1. 3 + 18 + 1 = 22 syncs, none cancelled.
    # Events: 1 + 800 + 22 = 823, i.e. 4.115 per pod; with the ideal kubelet (no sandbox
    # step) 1 + 600 + 22 = 623, the same timeline.
    sim = run(wave_scenario())
    assert (sim.clock.scheduled, sim.controller.syncs, sim.clock.now) == (823, 22, 111.0)
    ideal = run({**wave_scenario(), "controlPlane": "ideal"})
    assert (ideal.clock.scheduled, ideal.controller.syncs, ideal.clock.now) == (623, 22, 111.0)


def test_benchmark_workload() -> None:
    # The benchmark's scenario at 200 completions: 2 Jobs of 100 (parallelism 50, submitted
    # at 0 and 60 s) on 4 nodes of 16 pod slots, log-normal run times, 5 % failures.
    # With seed 1, 8 runs fail and are replaced: 208 pods, 3 events each = 624
    # (a pod that finds no room waits in the queue: still one scheduling event).
    # Plus 2 submissions, 4 image pulls (one per node), 303 syncs, and 10 sync calls that
    # never run: each pod-failure backoff schedules a sync 10 s ahead, which the next pod
    # change replaces with an earlier one. 624 + 2 + 4 + 303 + 10 = 943.
    # The random draws make 208, 303 and 10 measured values, not derived ones; the
    # 3 events per pod and 1 per Job and per node are the model's.
    sim = run(synthetic_scenario(200, 4, pods_per_job=100, parallelism=50), NullRecorder())
    pods, syncs = sim.pods_created, sim.controller.syncs
    assert (pods, syncs) == (208, 303)
    assert sim.clock.scheduled == 3 * pods + 2 + 4 + syncs + 10 == 943


def test_pods_created_counts_every_pod_recorded() -> None:
    # The benchmark counts a NullRecorder run's pods with Simulation.pods_created.
    recorder = Recorder()
    sim = run(synthetic_scenario(200, 4, pods_per_job=100, parallelism=50), recorder)
    assert sim.pods_created == len(recorder.pods) == 208
