"""Sweeps: runs per second serially and on worker processes, and the cost of a run beyond the
simulation itself.

    .venv/bin/python benchmarks/sweep.py            # 2 000-pod runs, 16 replications
    .venv/bin/python benchmarks/sweep.py --quick    # a smoke test

The scenario is ``notebooks/nightly-batch.yaml`` cut to about 2 000 pods (30 Jobs of 66
completions) on 24 nodes; the metrics are Job-level (makespan, work_done, node_hours), so each
run records only the Jobs' events. "overhead" is a serial sweep's time per run (setting up the
point's scenario once, running, computing the metrics, building the table) over the bare
``simulate`` of the same runs, minus one. "speed-up" is the serial time over the process-pool
time, both in this process (the pool's start-up included).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobsim.experiment import sweep  # noqa: E402
from jobsim.experiment.sweep import prepare  # noqa: E402
from jobsim.record import JobRecorder  # noqa: E402
from jobsim.run import simulate  # noqa: E402

SCENARIO = ROOT / "notebooks" / "nightly-batch.yaml"
POINT = {"cluster.nodePools[worker].count": 24, "jobs[nightly].manifest.spec.completions": 66}
METRICS = ["makespan", "work_done", "node_hours"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--replications", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="4 replications")
    args = parser.parse_args()
    reps = 4 if args.quick else args.replications
    [scenario] = prepare(SCENARIO, [POINT])
    bare, pods = 0.0, 0
    for seed in range(reps):
        t0 = time.perf_counter()
        result = simulate(scenario, seed, recorder=JobRecorder())
        bare += time.perf_counter() - t0
        pods += sum(j.podsCreated for j in result.recorder.jobs.values())
    t0 = time.perf_counter()
    sweep(SCENARIO, points=[POINT], replications=reps, metrics=METRICS, executor="serial")
    serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    sweep(
        SCENARIO,
        points=[POINT],
        replications=reps,
        metrics=METRICS,
        executor="process",
        workers=args.workers,
    )
    pool = time.perf_counter() - t0
    table = Table(title=f"sweep of {reps} runs of ~{pods // reps:,} pods ({os.cpu_count()} cores)")
    for col in (
        "bare s/run",
        "serial runs/s",
        f"{args.workers} workers runs/s",
        "speed-up",
        "overhead",
    ):
        table.add_column(col, justify="right")
    table.add_row(
        f"{bare / reps:.3f}",
        f"{reps / serial:.2f}",
        f"{reps / pool:.2f}",
        f"{serial / pool:.2f}×",
        f"{serial / bare - 1:.0%}",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
