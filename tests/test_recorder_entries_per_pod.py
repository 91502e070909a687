"""The deterministic size of the record: recorder entries (``len(Recorder)``) per pod.

The record is jobsim's output, so its entries per pod must not change when the model gets
faster (``tests/test_events_per_pod.py`` pins the kernel's work, which may shrink). Counted
with the default ``Recorder``, what ``simulate`` uses; every count follows from the record's
one method per Kubernetes event.

A pod that runs once records seven entries: ``POD_CREATED`` (the Job controller's create),
``POD_SCHEDULED`` (bound to a node), ``CONTAINER_STARTED``, ``POD_PHASE`` Running,
``CONTAINER_EXITED``, ``POD_PHASE`` Succeeded or Failed, and ``POD_COUNTED`` (the controller
counts it succeeded or failed and drops its tracking finalizer). A pod evicted from a node
that stopped reporting adds four: ``POD_CONDITION`` Ready=False (``MarkPodsNotReady``),
``POD_CONDITION`` DisruptionTarget, ``POD_DELETED`` (the taint manager) and ``POD_REMOVED``
(gone from the API once its node reports again). Beside the pods: one ``NODE_ADDED`` per
node, one ``IMAGE_PULLED`` per node that pulls an image with a pull time, one
``JOB_SUBMITTED`` per Job and its conditions (SuccessCriteriaMet and Complete), one
``JOB_BACKOFF`` per sync that delays replacements after failures, and one
``POD_UNSCHEDULABLE`` when a pod finds no node and starts a queue of waiting pods (pods
joining the queue behind it record nothing).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.run import synthetic_scenario
from jobsim import load_scenario, simulate
from tests.helpers import job_manifest
from tests.test_events_per_pod import wave_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
PER_POD = 7  # created, scheduled, started, Running, exited, Succeeded/Failed, counted
PER_EVICTED_POD = 4  # Ready=False, DisruptionTarget, deleted, removed


def record(data: dict[str, object] | Path) -> tuple[int, int, Counter[str]]:
    """(entries, pods, entries by kind) of one run with the default recorder."""
    rec = simulate(load_scenario(data)).recorder
    kinds = Counter(kind.name for _, kind, *_ in rec.events())
    return len(rec), len(rec.pods), kinds


def pod_kinds(pods: int) -> dict[str, int]:
    """The seven entries of ``pods`` pods that ran once each."""
    return {
        "POD_CREATED": pods,
        "POD_SCHEDULED": pods,
        "CONTAINER_STARTED": pods,
        "CONTAINER_EXITED": pods,
        "POD_PHASE": 2 * pods,  # Running, then Succeeded or Failed
        "POD_COUNTED": pods,
    }


def test_pi() -> None:
    # 3 nodes added, 1 Job submitted, 1 pod (7), perl pulled once on its node (1),
    # SuccessCriteriaMet and Complete (2): 3 + 1 + 7 + 1 + 2 = 14.
    entries, pods, kinds = record(SCENARIOS / "pi.yaml")
    assert pods == 1
    assert kinds == Counter(
        NODE_ADDED=3, JOB_SUBMITTED=1, IMAGE_PULLED=1, JOB_CONDITION=2, **pod_kinds(1)
    )
    assert entries == 3 + 1 + PER_POD + 1 + 2 == 14


def test_failure_and_replacement() -> None:
    # One pod at a time; the first run (attempt 0) exits 1. The sync 1 s later counts it failed
    # and, one failure since the last success, waits the 10 s pod-failure backoff (JOB_BACKOFF,
    # 9 s left); its replacement succeeds. 2 pods × 7, 1 node, 1 Job, 1 backoff, 2 conditions.
    manifest = job_manifest("once")
    data = {
        "name": "once",
        "seed": 1,
        "cluster": {
            "nodePools": [{"name": "n", "count": 1, "capacity": {"cpu": "4", "memory": "16Gi"}}]
        },
        "jobs": [
            {
                "manifest": manifest,
                "workload": {"duration": "10s", "script": [{"attempt": 0, "exitCode": 1}]},
            }
        ],
    }
    entries, pods, kinds = record(data)
    assert pods == 2
    assert kinds == Counter(
        NODE_ADDED=1, JOB_SUBMITTED=1, JOB_BACKOFF=1, JOB_CONDITION=2, **pod_kinds(2)
    )
    assert entries == 2 * PER_POD + 1 + 1 + 1 + 2 == 19


def test_waves() -> None:
    # test_events_per_pod's 200 pods in 10 waves on 5 nodes: 200 × 7, 5 nodes, 1 Job,
    # 2 conditions, and one POD_UNSCHEDULABLE: the 21st pod finds no room and starts the
    # queue; the 179 behind it join it silently, and it never empties before the last binds.
    entries, pods, kinds = record(wave_scenario())
    assert pods == 200
    assert kinds == Counter(
        NODE_ADDED=5, JOB_SUBMITTED=1, POD_UNSCHEDULABLE=1, JOB_CONDITION=2, **pod_kinds(200)
    )
    assert entries == 200 * PER_POD + 5 + 1 + 1 + 2 == 1409
    assert entries / pods == 7.045


def test_node_outage() -> None:
    # scenarios/node-failure.yaml: the pod on worker-0 is evicted while its node is down
    # (7 + 4, its exit reported late at nodeUp), its replacement runs once (7); 2 nodes added,
    # then NODE_DOWN, NODE_NOT_READY, NODE_TAINTED (unreachable) and NODE_UP of worker-0;
    # 1 Job and its 2 conditions. 11 + 7 + 2 + 4 + 1 + 2 = 27.
    entries, pods, kinds = record(SCENARIOS / "node-failure.yaml")
    assert pods == 2
    assert kinds == Counter(
        NODE_ADDED=2,
        NODE_DOWN=1,
        NODE_NOT_READY=1,
        NODE_TAINTED=1,
        NODE_UP=1,
        JOB_SUBMITTED=1,
        JOB_CONDITION=2,
        POD_CONDITION=2,
        POD_DELETED=1,
        POD_REMOVED=1,
        **pod_kinds(2),
    )
    assert entries == 2 * PER_POD + PER_EVICTED_POD + 2 + 4 + 1 + 2 == 27


def test_benchmark_workload_with_outage() -> None:
    # The benchmark's scenario (benchmarks/run.py) at 5000 completions on 4 nodes (64 pod
    # slots, so about 80 min of work) with its outage: node-0 stops reporting at 1 h and
    # reports again at 1 h 10 min. The queue of waiting pods is never empty then, so node-0
    # holds 16 pods (its slots) at 1 h; it is NotReady and tainted 50 s later, takes no new
    # pod, and all 16 are evicted 300 s after that (4 entries more each). 5 Jobs (5000 / 1000)
    # with 2 conditions each; 4 nodes added and 4 image pulls; 4 node events.
    # With seed 1, 288 runs fail and are replaced (5288 pods), 216 syncs delay replacements
    # and 1 pod starts the queue: these three are measured, not derived (random draws).
    entries, pods, kinds = record(synthetic_scenario(5000, 4, outage=True))
    assert pods == 5288
    evicted = kinds["POD_DELETED"]
    assert evicted == kinds["POD_REMOVED"] == kinds["POD_CONDITION"] // 2 == 16
    assert (kinds["JOB_BACKOFF"], kinds["POD_UNSCHEDULABLE"]) == (216, 1)
    node_events = kinds["NODE_DOWN"] + kinds["NODE_NOT_READY"] + kinds["NODE_TAINTED"]
    assert node_events + kinds["NODE_UP"] == 4
    jobs = kinds["JOB_SUBMITTED"] + kinds["JOB_CONDITION"]
    assert jobs == 5 + 10
    assert entries == PER_POD * pods + PER_EVICTED_POD * evicted + 4 + 4 + 4 + jobs + 216 + 1
    assert entries == 37324


def test_a_null_recorder_keeps_no_entry() -> None:
    """A ``NullRecorder`` keeps the Jobs' and nodes' rows and no entry at all, nodes' included
    (every event it does not keep goes through its no-op ``_log`` or an override), nor a
    string beside the empty one."""
    from jobsim.record import NullRecorder
    from jobsim.sim.simulation import Simulation

    for name in ("pi", "autoscaling", "node-failure", "preemption"):
        scenario = load_scenario(Path(__file__).resolve().parent.parent / f"scenarios/{name}.yaml")
        rec = NullRecorder()
        Simulation(scenario, rec).run(scenario.stop_time)
        assert (len(rec), rec.strings) == (0, [""]), name
        assert rec.nodes and rec.jobs
