"""jobsim's pods per second against a bare SimPy model of the same pods, in one process.

    .venv/bin/python benchmarks/run.py                      # 10 000 and 100 000 pods, 100 nodes
    .venv/bin/python benchmarks/run.py --nodes 100 1000 10000   # growth with nodes, 10 000 pods
    .venv/bin/python benchmarks/run.py --quick              # a few seconds, for a smoke test

The synthetic cluster: ``nodes`` identical nodes (8 cpu, 32Gi, 110 pods), Jobs of 1000
completions and parallelism 250 submitted every 60 s, pods requesting 500m cpu and 1Gi (16 per
node), run times log-normal (median 60 s, sigma 0.5), 5 % of runs failing with exit code 1 and
``backoffLimit`` equal to the completions, so no Job fails. Replacement pods of failed runs
are pods too: "pods" counts every pod jobsim created.

The bare model runs as many pods as jobsim created, with the same run-time distribution: one
``simpy.Resource`` with one slot per pod slot of the cluster, one process per pod holding one
request for one ``env.timeout``. It is the floor: what SimPy alone costs for those pods. (SimPy
releases a request with ``list.remove`` on the resource's users, so the floor itself gets
slower when thousands of pods run at once, as with 1000 nodes or more.)

Wall time comes from ``time.perf_counter`` around building and running each model (the
scenario is validated beforehand), the best of up to three runs when a run is short. Peak
memory is the growth of the peak RSS (Linux ``VmHWM``, the per-process figure behind
``getrusage`` ``ru_maxrss``; ``ru_maxrss`` elsewhere) while each model runs once more in a
fresh process of its own, after resetting the high-water mark to the current RSS on Linux (so
setup, or another run, cannot hide it); ``--no-memory`` skips it. The bare model
holds every pod's process from the start, jobsim only the pods that exist (at most the Jobs'
parallelism), so their peaks measure different things.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import simpy
from rich.console import Console
from rich.table import Table

from jobsim import Scenario, load_scenario
from jobsim.record import NullRecorder
from jobsim.sim.simulation import Simulation

NODE_CPU = 8  # cores
NODE_MEMORY_GI = 32
NODE_PODS = 110
POD_CPU_MILLI = 500
POD_MEMORY_GI = 1
SLOTS_PER_NODE = min(NODE_PODS, NODE_CPU * 1000 // POD_CPU_MILLI, NODE_MEMORY_GI // POD_MEMORY_GI)
PODS_PER_JOB = 1000
PARALLELISM = 250
SUBMIT_EVERY = 60.0  # seconds between two Job submissions
MEDIAN_RUN = 60.0  # seconds
SIGMA_RUN = 0.5
FAILURE_PROBABILITY = 0.05
IMAGE = "registry.example/batch/worker:1.0"
IMAGE_PULL = 3.0  # seconds, once per node

DEFAULT_PODS = (10_000, 100_000)
DEFAULT_NODES = (100,)
NODE_SWEEP_PODS = 10_000  # pods when only --nodes is given
QUICK_PODS = (2_000,)
QUICK_NODES = (20,)
SLOW_RUN = 60.0  # seconds: runs slower than this are flagged


def synthetic_scenario(
    pods: int,
    nodes: int,
    *,
    pods_per_job: int = PODS_PER_JOB,
    parallelism: int = PARALLELISM,
    seed: int = 1,
) -> dict[str, Any]:
    """The benchmark's scenario dict: Jobs whose completions add up to ``pods``."""
    n_jobs = max(1, math.ceil(pods / pods_per_job))
    base, extra = divmod(pods, n_jobs)
    jobs = []
    for i in range(n_jobs):
        completions = base + (1 if i < extra else 0)
        manifest = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": f"batch-{i:05d}"},
            "spec": {
                "completions": completions,
                "parallelism": min(parallelism, completions),
                "backoffLimit": completions,
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "worker",
                                "image": IMAGE,
                                "resources": {
                                    "requests": {
                                        "cpu": f"{POD_CPU_MILLI}m",
                                        "memory": f"{POD_MEMORY_GI}Gi",
                                    }
                                },
                            }
                        ],
                        "restartPolicy": "Never",
                    }
                },
            },
        }
        workload = {
            "duration": {"lognormal": {"median": MEDIAN_RUN, "sigma": SIGMA_RUN}},
            "failure": {"probability": FAILURE_PROBABILITY, "exitCode": 1},
        }
        jobs.append({"submitAt": i * SUBMIT_EVERY, "manifest": manifest, "workload": workload})
    capacity = {"cpu": str(NODE_CPU), "memory": f"{NODE_MEMORY_GI}Gi", "pods": NODE_PODS}
    return {
        "name": f"bench-{pods}-pods-{nodes}-nodes",
        "seed": seed,
        "timing": {"imagePull": {IMAGE: IMAGE_PULL}},
        "cluster": {"nodePools": [{"name": "node", "count": nodes, "capacity": capacity}]},
        "jobs": jobs,
    }


class CountingRecorder(NullRecorder):
    """Keeps nothing but the number of pods created."""

    def __init__(self) -> None:
        super().__init__()
        self.created = 0

    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        self.created += 1


@dataclass(frozen=True)
class JobsimRun:
    """What one jobsim run did (deterministic) and how long it took (not)."""

    pods: int
    scheduled: int  # SimPy events scheduled
    syncs: int
    end: float  # virtual seconds
    seconds: float


def run_jobsim(scenario: Scenario) -> JobsimRun:
    """Build and run the simulation with a recorder that keeps nothing."""
    start = time.perf_counter()
    recorder = CountingRecorder()
    sim = Simulation(scenario, recorder)
    sim.run()
    seconds = time.perf_counter() - start
    return JobsimRun(
        recorder.created, sim.clock.scheduled, sim.controller.syncs, sim.clock.now, seconds
    )


def run_bare(durations: Sequence[float], capacity: int) -> float:
    """The bare SimPy model: one Resource request and one timeout per pod. Returns wall time."""
    start = time.perf_counter()
    env = simpy.Environment()
    slots = simpy.Resource(env, capacity=capacity)

    def pod(duration: float) -> Generator[simpy.events.Event, Any, None]:
        with slots.request() as req:
            yield req
            yield env.timeout(duration)

    for d in durations:
        env.process(pod(d))
    env.run()
    return time.perf_counter() - start


def best_of(
    fn: Callable[[], float], *, first: float | None = None, runs: int = 3, budget: float = 3.0
) -> float:
    """The least of up to ``runs`` wall times of ``fn`` (``first`` counting as one), stopping
    once ``budget`` seconds are spent: short runs are noisy, long ones are run once."""
    times = [fn() if first is None else first]
    while len(times) < runs and sum(times) < budget:
        times.append(fn())
    return min(times)


def _peak_rss_bytes() -> int:
    """The process's peak RSS: ``VmHWM`` on Linux, else ``ru_maxrss``.

    ``ru_maxrss`` also keeps the high-water mark of the process image an ``exec`` replaced,
    here the parent's, which hides a child's smaller peak; ``VmHWM`` is this image's alone.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss) if sys.platform == "darwin" else int(rss) * 1024  # Linux reports KiB


def _reset_peak_rss() -> None:
    """Linux: lower the high-water mark to the current RSS (``echo 5 > clear_refs``), so
    what imports and setup touched and freed does not hide a smaller run. Elsewhere: no-op."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_growth(model: str, pods: int, nodes: int, seed: int, run_pods: int) -> int:
    """Growth of the peak RSS while one model runs, in bytes. Call it in a fresh process."""
    fn: Callable[[], object]
    if model == "jobsim":
        run_jobsim(load_scenario(synthetic_scenario(50, 2, seed=seed)))  # warm up
        fn = partial(run_jobsim, load_scenario(synthetic_scenario(pods, nodes, seed=seed)))
    else:
        run_bare(bare_durations(50, seed), 2 * SLOTS_PER_NODE)  # warm up
        fn = partial(run_bare, bare_durations(run_pods, seed), nodes * SLOTS_PER_NODE)
    gc.collect()
    _reset_peak_rss()
    before = _peak_rss_bytes()
    fn()
    return _peak_rss_bytes() - before


def bare_durations(n: int, seed: int) -> list[float]:
    """Run times for the bare model, from the distribution the scenario's pods use."""
    draws = np.random.default_rng(seed).lognormal(math.log(MEDIAN_RUN), SIGMA_RUN, n)
    return [float(d) for d in draws]


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    nodes: int
    jobsim: JobsimRun
    bare_seconds: float
    jobsim_peak: int | None
    bare_peak: int | None
    wall: float = 0.0  # seconds the whole measurement took, memory runs included


def measure(pods: int, nodes: int, *, memory: bool, seed: int = 1) -> Row:
    """Time jobsim and the bare model on the same pods (best of up to 3 runs each); then, if
    asked, measure each one's peak memory in a fresh process of its own."""
    start = time.perf_counter()
    scenario = load_scenario(synthetic_scenario(pods, nodes, seed=seed))
    gc.collect()
    js = run_jobsim(scenario)
    js = replace(js, seconds=best_of(lambda: run_jobsim(scenario).seconds, first=js.seconds))
    durations = bare_durations(js.pods, seed)
    gc.collect()
    bare = best_of(partial(run_bare, durations, nodes * SLOTS_PER_NODE))
    js_peak = bare_peak = None
    if memory:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(2, mp_context=spawn, max_tasks_per_child=1) as pool:
            js_f = pool.submit(peak_growth, "jobsim", pods, nodes, seed, js.pods)
            bare_f = pool.submit(peak_growth, "bare", pods, nodes, seed, js.pods)
            js_peak, bare_peak = js_f.result(), bare_f.result()
    return Row(nodes, js, bare, js_peak, bare_peak, time.perf_counter() - start)


def _mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.1f}"


def table(rows: list[Row]) -> Table:
    """The results as a rich table."""
    t = Table(title="jobsim vs bare SimPy (same process, NullRecorder)")
    for name in (
        "pods",
        "nodes",
        "jobsim s",
        "jobsim pods/s",
        "bare pods/s",
        "bare/jobsim",
        "events/pod",
        "syncs/pod",
        "jobsim MiB",
        "bare MiB",
    ):
        t.add_column(name, justify="right")
    for r in rows:
        js = r.jobsim
        js_rate = js.pods / js.seconds
        bare_rate = js.pods / r.bare_seconds
        slow = " (slow)" if r.wall > SLOW_RUN else ""
        t.add_row(
            f"{js.pods:,}",
            f"{r.nodes:,}",
            f"{js.seconds:.2f}{slow}",
            f"{js_rate:,.0f}",
            f"{bare_rate:,.0f}",
            f"{bare_rate / js_rate:.1f}",
            f"{js.scheduled / js.pods:.2f}",
            f"{js.syncs / js.pods:.3f}",
            _mib(r.jobsim_peak),
            _mib(r.bare_peak),
        )
    return t


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, run every (pods, nodes) pair and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pods", type=int, nargs="+", help="completions per run (10k 100k)")
    parser.add_argument(
        "--nodes", type=int, nargs="+", help="node counts (100); --nodes alone runs 10k pods"
    )
    parser.add_argument("--quick", action="store_true", help="one small run (2000 pods, 20 nodes)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.quick:
        pods_list, nodes_list = list(QUICK_PODS), list(QUICK_NODES)
    else:
        nodes_list = args.nodes or list(DEFAULT_NODES)
        if args.pods:
            pods_list = args.pods
        elif args.nodes:
            pods_list = [NODE_SWEEP_PODS]
        else:
            pods_list = list(DEFAULT_PODS)
    console = Console(width=120)
    rows: list[Row] = []
    for pods in pods_list:
        for nodes in nodes_list:
            console.log(f"{pods:,} pods on {nodes:,} nodes …")
            rows.append(measure(pods, nodes, memory=not args.no_memory, seed=args.seed))
    console.print(table(rows))
    console.print(
        "pods: every pod jobsim created (replacements of failed runs included); the bare model "
        "runs the same number. jobsim s: wall time of one jobsim run (best of up to 3). "
        "events/pod: SimPy events jobsim scheduled (Simulation.clock.scheduled) per pod. MiB: "
        "growth of peak RSS (VmHWM, i.e. ru_maxrss) in one run in a fresh process (scenario "
        "validation excluded). "
        f"(slow): the whole measurement of that row took over {SLOW_RUN:g} s."
    )


if __name__ == "__main__":
    main()
