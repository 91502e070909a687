"""jobsim's pods per second, with the default recorder and with a ``NullRecorder``, against a
bare SimPy model of the same pods in one process; and the time of three everyday commands.

    .venv/bin/python benchmarks/run.py                 # every row (about 6 minutes)
    .venv/bin/python benchmarks/run.py --no-million    # without the 1 000 000-pod row
    .venv/bin/python benchmarks/run.py --quick         # a smoke test: one small row
    .venv/bin/python benchmarks/run.py --pods 20000 --nodes 100 1000   # chosen rows
    .venv/bin/python benchmarks/run.py --commands      # only the commands' times (seconds)

The synthetic cluster: ``nodes`` identical nodes (8 cpu, 32Gi, 110 pods), Jobs of 1000
completions and parallelism 250 submitted every 60 s, pods requesting 500m cpu and 1Gi (16 per
node), run times log-normal (median 60 s, sigma 0.5), 5 % of runs failing with exit code 1 and
``backoffLimit`` equal to the completions, so no Job fails. The rows run on the ideal control
plane (``controlPlane: ideal``: no client rate limit, exact API times, the ideal kubelet, node
lifecycle and autoscaler), as the bare model has none, except the last: the reference row's
pods on the real control plane (every mechanism at upstream's defaults, jobsim's default, and the
opt-in kube-scheduler queue), so
its cost column is the cost per pod of all mechanisms on.
Replacement pods of failed runs are pods too: "pods" counts every pod jobsim created. The
default rows are issue 14's: 10 000
and 100 000 completions on 100 nodes, 10 000 on 1 000 and on 10 000 nodes, 1 000 000 on 1 000
nodes with one node outage (``nodeDown`` of ``node-0`` at 1 h, ``nodeUp`` 10 min later, so its
pods are evicted after the 50 s grace period and the 300 s toleration), and one Indexed Job of
100 000 completions at parallelism 1000 on 100 nodes; then the first row again on the real
control plane (``--real`` runs the chosen rows so).

Each row runs jobsim with the default recorder (``jobsim.simulate``: ``jobsim.record.Recorder``,
every event), with a ``NullRecorder`` (the model alone), and the bare model: as many pods as
jobsim created, with the same run-time distribution, one ``simpy.Resource`` with one slot per
pod slot of the cluster, one process per pod holding one request for one ``env.timeout``. It is
the floor: what SimPy alone costs for those pods. Wall time is ``time.perf_counter`` around
building and running each model (the scenario is validated beforehand), the best of each over
up to five rounds, a round timing the three in turn, while the rounds add up to under 15 s
(short runs are the noisiest; in rounds, a slowdown of the machine falls on all three alike).
"ratio" is jobsim's pods/s over the bare model's (1 or more: jobsim is as fast). "cost" is
the default recorder's seconds per pod over the 10 000-pod, 100-node row's, that row run
again in each other row's rounds (the machine's speed drifts by a third within minutes, and
the first row's own rounds were minutes earlier), back to back for as long as the other
row's run lasts, the mean of the best round (``Sustained``), in the first round right after
the row's own run (before its NullRecorder's and bare model's: the 1 M-pod row's first round
spends the budget, and its bare model alone takes minutes; a second round times its run and
reference alone): both sides of a cost are then the machine's speed
over equally long, adjacent stretches of time, where one short reference run caught
whatever speed the machine had for a fraction of a second (the JSON's ``cost_single``, over
the least of each round's first reference run, is the measure before). The reference's runs
count in the rounds' 15 s, so a long row has fewer rounds. "peak RSS" is the
peak resident memory (Linux ``VmHWM``, else ``ru_maxrss``) of a fresh process that loads the
scenario and runs ``simulate`` once, interpreter and imports included (``--no-memory`` skips
it); the JSON also holds its growth during the run alone.

The commands are ``jobsim --help``, ``jobsim validate scenarios/pi.yaml`` and ``jobsim run
scenarios/pi.yaml`` of this checkout (its pure-Python sources, as jobsim installs by default,
also when the rows measure the compiled core), each the best of 5 fresh processes (wall time of the
process, interpreter start included) after one untimed run that may write the bytecode cache
(``__pycache__``, even under ``PYTHONDONTWRITEBYTECODE``): the commands as an installed jobsim
runs them, whose bytecode pip compiles, rather than compiling jobsim's sources each time, which
costs more than the whole of ``validate``. Everything is also written as JSON (``--json``) with the
machine: CPU, cores, Python, git commit, date and the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import json
import math
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
# The checkout's jobsim, unless one is importable already: the compiled build of
# ``make bench`` (``PYTHONPATH=build/compiled``) or an installed one.
if importlib.util.find_spec("jobsim") is None:
    sys.path.insert(0, str(ROOT))

from jobsim import Scenario, load_scenario, simulate  # noqa: E402
from jobsim.record import NullRecorder  # noqa: E402
from jobsim.sim.simulation import Simulation  # noqa: E402
from jobsim.version import compiled  # noqa: E402

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
OUTAGE_NODE = "node-0"
OUTAGE_AT = "1h"
OUTAGE_UNTIL = "1h10m"  # longer than the 50 s grace period + 300 s toleration: evictions

SLOW_RUN = 60.0  # seconds: a row whose whole measurement took longer is flagged
JSON_OUT = ROOT / "benchmarks" / "results.json"
COMMANDS = (["--help"], ["validate", "scenarios/pi.yaml"], ["run", "scenarios/pi.yaml"])
COMMAND_TARGETS = (0.3, 0.3, 0.6)  # seconds, issue 14 goal 3
COMMAND_RUNS = 5


@dataclass(frozen=True)
class Case:
    """One row's cluster and workload."""

    completions: int
    nodes: int
    outage: bool = False
    indexed: bool = False
    real: bool = False  # the real control plane (every mechanism at upstream's defaults)

    @property
    def label(self) -> str:
        extra = " + outage" if self.outage else " Indexed, parallelism 1000" if self.indexed else ""
        extra += ", real control plane" if self.real else ""
        return f"{self.completions:,} completions, {self.nodes:,} nodes{extra}"

    def scenario(self, seed: int) -> dict[str, Any]:
        if self.indexed:
            return synthetic_scenario(
                self.completions,
                self.nodes,
                pods_per_job=self.completions,
                parallelism=1000,
                indexed=True,
                seed=seed,
            )
        return synthetic_scenario(
            self.completions,
            self.nodes,
            outage=self.outage,
            seed=seed,
            control_plane="real" if self.real else "ideal",
        )


REFERENCE = Case(10_000, 100)
"""The row the cost per pod is relative to."""
MILLION = Case(1_000_000, 1000, outage=True)
DEFAULT_CASES = (
    REFERENCE,
    Case(100_000, 100),
    Case(10_000, 1000),
    Case(10_000, 10_000),
    MILLION,
    Case(100_000, 100, indexed=True),
    Case(10_000, 100, real=True),
)
QUICK_CASES = (Case(2_000, 20),)


def synthetic_scenario(
    pods: int,
    nodes: int,
    *,
    pods_per_job: int = PODS_PER_JOB,
    parallelism: int = PARALLELISM,
    indexed: bool = False,
    outage: bool = False,
    seed: int = 1,
    control_plane: str = "ideal",
) -> dict[str, Any]:
    """The benchmark's scenario dict: Jobs whose completions add up to ``pods``, on the ideal
    control plane unless ``control_plane`` is ``real``."""
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
                **({"completionMode": "Indexed"} if indexed else {}),
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
    data: dict[str, Any] = {
        "name": f"bench-{pods}-pods-{nodes}-nodes",
        "seed": seed,
        "controlPlane": control_plane,
        "timing": {"imagePull": {IMAGE: IMAGE_PULL}},
        "cluster": {"nodePools": [{"name": "node", "count": nodes, "capacity": capacity}]},
        "jobs": jobs,
    }
    if control_plane == "real":  # every mechanism: the defaults and the opt-in scheduler queue
        data["cluster"]["scheduler"] = {}
    if outage:
        data["events"] = [
            {"at": OUTAGE_AT, "nodeDown": OUTAGE_NODE},
            {"at": OUTAGE_UNTIL, "nodeUp": OUTAGE_NODE},
        ]
    return data


@dataclass(frozen=True)
class NullRun:
    """What one jobsim run with a ``NullRecorder`` did (deterministic) and how long it took."""

    pods: int
    scheduled: int  # kernel events scheduled (Simulation.clock.scheduled)
    syncs: int
    end: float  # virtual seconds
    seconds: float


def run_jobsim(scenario: Scenario) -> NullRun:
    """Build and run the simulation with a recorder that keeps nothing."""
    start = time.perf_counter()
    sim = Simulation(scenario, NullRecorder())  # not subclassed: a compiled recorder
    sim.run(scenario.stop_time)
    seconds = time.perf_counter() - start
    return NullRun(
        sim.pods_created,
        sim.clock.scheduled,
        sim.controller.syncs,
        sim.end(scenario.stop_time),
        seconds,
    )


@dataclass(frozen=True)
class FullRun:
    """One ``simulate`` run with the default recorder: pods, recorder entries, wall time."""

    pods: int
    entries: int  # len(recorder): events in the record
    seconds: float


def run_full(scenario: Scenario) -> FullRun:
    """``simulate`` as a user calls it: the default ``Recorder``, a ``Result``, and its pods'
    rows by name. ``Recorder.pods`` files them when first read (since ee039b8; before, as each
    pod was created, inside ``simulate``): timed here, the measure means what it meant before.
    A reader of the Jobs alone never pays for it (``jobsim run`` when every Job finished)."""
    start = time.perf_counter()
    result = simulate(scenario)
    pods = len(result.recorder.pods)
    seconds = time.perf_counter() - start
    return FullRun(pods, len(result.recorder), seconds)


def _full_seconds(scenario: Scenario) -> float:
    return run_full(scenario).seconds


class Sustained:
    """The reference row's seconds a run, timed in another row's rounds for as long as that
    row's run lasts: back-to-back runs (at least one) until they add up to ``duration``, their
    mean. A row that runs for 20 s is the machine's average speed over 20 s, where one run of
    the reference is a fraction of a second at whatever speed the machine has then: the same
    work repeated 100 times ran at 12.4 to 52.8 us a pod, median 17.2 and 19.0, so a long row
    over one short reference read half as fast again with no more work a pod. ``single`` keeps
    the least of each round's first run, the cost's denominator before (JSON
    ``ref_single_seconds``)."""

    def __init__(self, scenario: Scenario, duration: float) -> None:
        self.scenario = scenario
        self.duration = duration
        self.single = math.inf

    def _run(self) -> float:
        gc.collect()
        return _full_seconds(self.scenario)

    def __call__(self, first: float | None = None) -> float:
        times = [self._run() if first is None else first]
        while sum(times) < self.duration:
            times.append(self._run())
        self.single = min(self.single, times[0])
        return sum(times) / len(times)


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


def bare_durations(n: int, seed: int) -> list[float]:
    """Run times for the bare model, from the distribution the scenario's pods use."""
    draws = np.random.default_rng(seed).lognormal(math.log(MEDIAN_RUN), SIGMA_RUN, n)
    return [float(d) for d in draws]


def best_of_rounds(
    fns: Sequence[Callable[[], float]],
    *,
    firsts: Sequence[float] = (),
    runs: int = 5,
    budget: float = 15.0,
    twice: Sequence[int] = (),
) -> list[float]:
    """The least wall time of each of ``fns`` over up to ``runs`` rounds, a round timing each
    once in turn (``firsts``: the first round's times, taken already), stopping once the
    rounds have spent ``budget`` seconds. In rounds, a slowdown of the machine for a few
    seconds (another process, the host's throttling) falls on all of them alike, and a later
    round finds them all at full speed: timed one after another, a ratio took the slowdown's
    whole weight on one side. ``twice``: the positions of ``fns`` timed in a second round
    even when the first spent the budget (the 1 M-pod row's run and its reference: one run of
    14 s at whatever speed the machine had then read a cost of 1.25x in a full run, where two
    later measurements of the same build read 1.12x)."""
    rounds = [list(firsts)] if firsts else []
    while len(rounds) < runs and sum(map(sum, rounds)) < budget:
        times = []
        for fn in fns:
            gc.collect()
            times.append(fn())
        rounds.append(times)
    if len(rounds) < 2 and twice:
        again = [math.inf] * len(fns)
        for i in twice:
            gc.collect()
            again[i] = fns[i]()
        rounds.append(again)
    return [min(r[i] for r in rounds) for i in range(len(fns))]


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
    what validation touched and freed does not count as the run's growth. Elsewhere: no-op."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss(case: Case, seed: int) -> tuple[int, int]:
    """(peak RSS of this process, its growth during the run) in bytes, after loading ``case``
    and running ``simulate`` once. Call it in a fresh process."""
    scenario = load_scenario(case.scenario(seed))
    gc.collect()
    before = _peak_rss_bytes()
    _reset_peak_rss()
    start = _peak_rss_bytes()
    result = simulate(scenario)
    peak = _peak_rss_bytes()
    del result
    return max(before, peak), peak - start


@dataclass(frozen=True)
class Row:
    """One line of the table, as the JSON holds it."""

    completions: int
    nodes: int
    outage: bool
    indexed: bool
    pods: int
    full_seconds: float
    null_seconds: float
    bare_seconds: float
    events: int  # kernel events (clock.scheduled)
    syncs: int
    entries: int  # recorder entries (len(Recorder))
    end: float  # virtual seconds
    peak_rss: int | None  # bytes, whole fresh process, default recorder
    peak_growth: int | None  # bytes, during the run alone
    wall: float  # seconds the row's measurement took, memory run included
    real: bool = False  # the real control plane
    # the reference row's pods and seconds (default recorder), timed in this row's rounds:
    # the best round's mean over as long as this row's run (``Sustained``), and its least
    # single run (the cost's denominator before)
    ref_pods: int | None = None
    ref_seconds: float | None = None
    ref_single_seconds: float | None = None

    @property
    def full_rate(self) -> float:
        return self.pods / self.full_seconds

    @property
    def null_rate(self) -> float:
        return self.pods / self.null_seconds

    @property
    def bare_rate(self) -> float:
        return self.pods / self.bare_seconds


def measure(
    case: Case,
    *,
    memory: bool,
    seed: int = 1,
    console: Console | None = None,
    reference: Case | None = None,
) -> Row:
    """Time jobsim (default recorder and ``NullRecorder``) and the bare model on the same pods,
    in rounds, with the ``reference`` row's default recorder too (its cost's denominator, timed
    beside it: the machine's speed drifts by a third within minutes); then, if asked, the
    default recorder's peak memory in a fresh process."""

    def log(message: str) -> None:
        if console is not None:
            console.log(message)

    start = time.perf_counter()
    scenario = load_scenario(case.scenario(seed))
    ref_scenario = None
    if reference is not None and reference != case:
        ref_scenario = load_scenario(reference.scenario(seed))
    gc.collect()
    full = run_full(scenario)
    sustained = ref_first = ref_pods = None
    if ref_scenario is not None:
        # the first round's reference right after the row's run, before the NullRecorder's
        # and the bare model's (the 1 M-pod row's takes minutes: the machine's speed drifts)
        sustained = Sustained(ref_scenario, full.seconds)
        gc.collect()
        ref_run = run_full(ref_scenario)
        ref_pods = ref_run.pods
        ref_first = sustained(ref_run.seconds)
    gc.collect()
    null = run_jobsim(scenario)
    if null.pods != full.pods:
        raise RuntimeError(f"{case.label}: {full.pods} pods recorded, {null.pods} created")
    durations = bare_durations(null.pods, seed)
    bare = partial(run_bare, durations, case.nodes * SLOTS_PER_NODE)
    fns: list[Callable[[], float]] = [
        partial(_full_seconds, scenario),
        lambda: run_jobsim(scenario).seconds,
        bare,
    ]
    if sustained is not None:
        fns.append(sustained)
    gc.collect()
    firsts = [full.seconds, null.seconds, bare()]
    if ref_first is not None:
        firsts.append(ref_first)
    # the row's run and its reference in two rounds at least (the 1 M-pod row has one)
    twice = (0, 3) if sustained is not None else ()
    full_s, null_s, bare_s, *ref_s = best_of_rounds(fns, firsts=firsts, twice=twice)
    ref_single = sustained.single if sustained is not None else None
    del durations, bare, fns, ref_scenario, sustained  # before the memory run
    log(f"  default recorder: {full.pods / full_s:,.0f} pods/s")
    log(f"  NullRecorder: {null.pods / null_s:,.0f} pods/s")
    log(f"  bare SimPy: {null.pods / bare_s:,.0f} pods/s")
    rss = growth = None
    if memory:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            rss, growth = pool.submit(peak_rss, case, seed).result()
        log(f"  peak RSS: {rss / 2**20:,.0f} MiB")
    return Row(
        case.completions,
        case.nodes,
        case.outage,
        case.indexed,
        null.pods,
        full_s,
        null_s,
        bare_s,
        null.scheduled,
        null.syncs,
        full.entries,
        null.end,
        rss,
        growth,
        time.perf_counter() - start,
        case.real,
        ref_pods,
        ref_s[0] if ref_s else None,
        ref_single,
    )


@dataclass(frozen=True)
class CommandTime:
    """The best wall time of one command in fresh processes, against its target."""

    command: str
    seconds: float
    target: float
    runs: int


def time_command(args: Sequence[str], runs: int = COMMAND_RUNS) -> float:
    """Best wall time of ``jobsim ARGS`` in ``runs`` fresh processes, after one untimed that
    may write the bytecode cache. It runs this checkout's pure-Python sources (``-c`` in the
    checkout puts it first on ``sys.path``, before the compiled copy the rows may measure),
    as jobsim installs by default: the commands' time is imports, compiled or not (the same
    within a few milliseconds)."""
    code = "import sys; from jobsim.cli import main; sys.argv[0] = 'jobsim'; main()"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")
    }
    best = math.inf
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if i:
            best = min(best, time.perf_counter() - start)
    return best


def time_commands() -> list[CommandTime]:
    """Goal 3's commands, each the best of ``COMMAND_RUNS`` fresh processes."""
    return [
        CommandTime("jobsim " + " ".join(args), time_command(args), target, COMMAND_RUNS)
        for args, target in zip(COMMANDS, COMMAND_TARGETS, strict=True)
    ]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out + ("+dirty" if dirty else "")


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": _git_commit(),
        "jobsim": "compiled" if compiled() else "interpreted",  # make bench / bench-interpreted
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


HEADERS = (
    "pods",
    "nodes",
    "pods/s",
    "ratio",
    "Null pods/s",
    "Null ratio",
    "events/pod",
    "entries/pod",
    "cost",
    "peak RSS",
)


def cost(row: Row, reference: Row | None, *, single: bool = False) -> float | None:
    """The row's seconds per pod (default recorder) over the reference row's: as timed in the
    row's own rounds if it was (``single``: over its least single run there, the measure
    before ``Sustained``), else in the reference row's."""
    ref_seconds = row.ref_single_seconds if single else row.ref_seconds
    if ref_seconds is not None and row.ref_pods:
        return (row.full_seconds / row.pods) / (ref_seconds / row.ref_pods)
    if reference is None:
        return None
    return (row.full_seconds / row.pods) / (reference.full_seconds / reference.pods)


def _cells(row: Row, reference: Row | None) -> list[str]:
    what = " +outage" if row.outage else " Indexed" if row.indexed else ""
    what += " real CP" if row.real else ""
    c = cost(row, reference)
    cost_cell = "-" if c is None else f"{c:.2f}×"
    slow = " (slow)" if row.wall > SLOW_RUN else ""
    return [
        f"{row.pods:,}{what}",
        f"{row.nodes:,}",
        f"{row.full_rate:,.0f}{slow}",
        f"{row.full_rate / row.bare_rate:.2f}×",
        f"{row.null_rate:,.0f}",
        f"{row.null_rate / row.bare_rate:.2f}×",
        f"{row.events / row.pods:.2f}",
        f"{row.entries / row.pods:.2f}",
        cost_cell,
        "-" if row.peak_rss is None else f"{row.peak_rss / 2**20:,.0f} MiB",
    ]


def _reference(rows: Sequence[Row]) -> Row | None:
    for r in rows:
        if (r.completions, r.nodes, r.outage, r.indexed, r.real) == (
            REFERENCE.completions,
            REFERENCE.nodes,
            REFERENCE.outage,
            REFERENCE.indexed,
            REFERENCE.real,
        ):
            return r
    return None


def table(rows: Sequence[Row]) -> Table:
    """The pods table."""
    t = Table(title="jobsim pods/s: default recorder and NullRecorder vs bare SimPy, one process")
    for name in HEADERS:
        t.add_column(name, justify="right")
    ref = _reference(rows)
    for r in rows:
        t.add_row(*_cells(r, ref))
    return t


def _met(c: CommandTime) -> str:
    return "yes" if c.seconds <= c.target else "NO"


def command_table(commands: Sequence[CommandTime]) -> Table:
    """The commands table."""
    t = Table(title=f"Commands: best of {COMMAND_RUNS} fresh processes")
    for name in ("command", "seconds", "target", "met"):
        t.add_column(name, justify="left" if name == "command" else "right")
    for c in commands:
        t.add_row(c.command, f"{c.seconds:.2f}", f"{c.target:.1f}", _met(c))
    return t


def markdown(rows: Sequence[Row], commands: Sequence[CommandTime]) -> str:
    """Both tables as Markdown, for the README."""
    ref = _reference(rows)
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---:|" * len(HEADERS)] if rows else []
    lines += ["| " + " | ".join(_cells(r, ref)) + " |" for r in rows]
    if commands:
        lines += [""] * bool(rows) + [
            "| command | seconds | target | met |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| `{c.command}` | {c.seconds:.2f} | {c.target:.1f} | {_met(c)} |" for c in commands
        ]
    return "\n".join(lines)


NOTE = (
    "pods: every pod jobsim created (replacements of failed runs included; the bare model runs "
    "as many). pods/s: jobsim with the default recorder (simulate, every event kept); ratio: "
    "over the bare SimPy model's pods/s in this process (≥ 1: as fast). Null: with a "
    "NullRecorder (goal ≥ 2×). events/pod: kernel events (clock.scheduled); entries/pod: "
    "recorder entries (len(Recorder)). cost: seconds per pod with the default recorder over "
    "the 10,000-pod, 100-node row's, run in the same rounds for as long as the row's run "
    "(goal ≤ 1.3×). peak RSS: a "
    "fresh process loading and simulating the row (default recorder). (slow): that row took "
    f"over {SLOW_RUN:g} s."
)


def _cases(args: argparse.Namespace) -> list[Case]:
    if args.commands:
        return []
    if args.quick:
        return list(QUICK_CASES)
    if args.pods or args.nodes:
        return [
            Case(p, n, real=args.real)
            for p in args.pods or [REFERENCE.completions]
            for n in args.nodes or [100]
        ]
    return [c for c in DEFAULT_CASES if not (args.no_million and c == MILLION)]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, measure every row and the commands, print and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pods", type=int, nargs="+", help="completions per row (10000)")
    parser.add_argument("--nodes", type=int, nargs="+", help="node counts (100)")
    parser.add_argument("--quick", action="store_true", help="one small row (2000 pods, 20 nodes)")
    parser.add_argument(
        "--real", action="store_true", help="--pods/--nodes rows on the real control plane"
    )
    parser.add_argument("--no-million", action="store_true", help="skip the 1,000,000-pod row")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak RSS runs")
    parser.add_argument("--no-commands", action="store_true", help="skip the command timings")
    parser.add_argument(
        "--commands", action="store_true", help="only the command timings (JSON only with --json)"
    )
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    parser.add_argument(
        "--json", type=Path, default=None, help=f"(default {JSON_OUT}; with --commands, none)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    console = Console(width=130)
    started = time.perf_counter()
    info = machine()
    load_before = _load()
    rows: list[Row] = []
    cases = _cases(args)
    beside = REFERENCE if REFERENCE in cases else None  # each row's cost against it, beside
    for case in cases:
        console.log(f"{case.label} …")
        rows.append(
            measure(
                case,
                memory=not args.no_memory,
                seed=args.seed,
                console=console,
                reference=beside,
            )
        )
    commands = [] if args.no_commands else time_commands()
    total = time.perf_counter() - started
    info.update(load_before=load_before, load_after=_load(), seconds=round(total, 1))
    if rows:
        where = Path(str(sys.modules["jobsim"].__file__)).parent
        console.log(f"jobsim's core: {info['jobsim']} (from {where})")
        console.print(table(rows))
        console.print(NOTE)
    if commands:
        console.print(command_table(commands))
        loads = f"load average {info['load_before']} before, {info['load_after']} after"
        console.print(loads, markup=False, highlight=False)
    if args.markdown:
        console.print(markdown(rows, commands), markup=False, highlight=False)
    ref = _reference(rows)
    data = {
        "machine": info,
        "rows": [
            {
                **asdict(r),
                "pods_per_s": r.full_rate,
                "ratio": r.full_rate / r.bare_rate,
                "null_pods_per_s": r.null_rate,
                "null_ratio": r.null_rate / r.bare_rate,
                "bare_pods_per_s": r.bare_rate,
                "events_per_pod": r.events / r.pods,
                "entries_per_pod": r.entries / r.pods,
                "cost": cost(r, ref),
                "cost_single": cost(r, ref, single=True),
            }
            for r in rows
        ],
        "commands": [asdict(c) for c in commands],
    }
    written = args.json or (None if args.commands else JSON_OUT)
    if written is None:
        return
    written.write_text(json.dumps(data, indent=2) + "\n")
    console.print(f"written: {written} ({total:.0f} s in all)", markup=False, highlight=False)


if __name__ == "__main__":
    main()
