"""Determinism: all randomness comes from the scenario's seed, one stream per Job keyed by a
stable name, never from a global RNG or ``hash()`` (docs/mechanisms.md, "Randomness").

- Same scenario and seed ⇒ byte-identical ``to_json()``, in one process and across processes
  with different ``PYTHONHASHSEED`` and unrelated draws from the global ``random`` and
  ``numpy.random`` generators before the run.
- Different seeds ⇒ different draws.
- Common random numbers: each Job draws from its own stream, keyed by its name, so adding a Job
  to a cluster large enough that scheduling does not interact leaves every pod of the first
  Job exactly as it was (exit codes, durations, times).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsim import load_scenario, simulate
from jobsim.testing.checker import run_checked
from jobsim.testing.strategies import DEFAULT_TIMING, ZERO_TIMING, job_specs, scenarios, workloads
from tests.checking import run_drawn
from tests.helpers import checkout_env, job_manifest, scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLES = settings().max_examples  # from the loaded profile (tests/conftest.py)
SIM = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- same seed, same bytes -----------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_twice_same_bytes(path: Path) -> None:
    """Each shipped scenario, run twice in one process: the same JSON, byte for byte."""
    first = simulate(load_scenario(path)).to_json()
    assert simulate(load_scenario(path)).to_json() == first


@pytest.mark.slow
@settings(SIM, max_examples=EXAMPLES)
@given(scenarios(max_jobs=2), st.integers(0, 2**63 - 1))
def test_drawn_scenarios_twice_same_bytes(data: dict[str, Any], seed: int) -> None:
    """Any drawn scenario and seed, run twice: the same JSON, byte for byte."""
    result = run_drawn(data, seed)
    first = result.to_json()
    assert run_checked(load_scenario(data), seed).to_json() == first
    assert result.seed == seed


def _cli(script: str, hash_seed: str) -> bytes:
    """``jobsim run … --json`` in a fresh interpreter; ``script`` is its Python program."""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=checkout_env(PYTHONHASHSEED=hash_seed),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def _program(path: str, prelude: str) -> str:
    """Unrelated global RNG draws (and hash-ordered set iteration), then the CLI."""
    return (
        "import random, sys\n"
        "import numpy\n"
        f"{prelude}\n"
        "_ = sorted({str(i) for i in range(100)}, key=hash)\n"
        "from jobsim.cli import main\n"
        f"sys.argv = ['jobsim', 'run', {path!r}, '--json']\n"
        "main()\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pi", "indexed"])
def test_cli_bytes_ignore_hash_seed_and_global_rngs(name: str) -> None:
    """``jobsim run scenarios/<name>.yaml --json`` under PYTHONHASHSEED 0 and 12345, after
    different draws from ``random`` and ``numpy.random``: the same bytes. (``indexed`` draws
    uniform durations, so its random streams are exercised too.)"""
    path = f"scenarios/{name}.yaml"
    console = Path(sys.executable).with_name("jobsim")
    outputs = []
    if console.exists():
        proc = subprocess.run(
            [str(console), "run", path, "--json"],
            cwd=ROOT,
            env=checkout_env(PYTHONHASHSEED="0"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout)
    outputs.append(
        _cli(
            _program(
                path, "random.seed(1); random.random(); numpy.random.seed(2); numpy.random.rand(3)"
            ),
            "0",
        )
    )
    outputs.append(
        _cli(
            _program(
                path,
                "random.seed(99); [random.random() for _ in range(7)]; "
                "numpy.random.seed(12345); numpy.random.standard_normal(50)",
            ),
            "12345",
        )
    )
    assert outputs[0].startswith(b"{")
    assert all(out == outputs[0] for out in outputs[1:])


# --- different seeds, different draws ------------------------------------------------------

RANDOM_JOB = (
    job_manifest(completions=6, parallelism=3, backoffLimit=20),
    {
        "duration": {"exponential": {"mean": "30s"}},
        "failure": {"probability": 0.5, "exitCode": {1: 1, 42: 1}},
    },
)


def _outcomes(result: Any, job: str = "job") -> list[tuple[Any, ...]]:
    """Per pod of ``job``: (index, attempt, exit code, run time)."""
    return [
        (p["index"], p["attempt"], p["exitCode"], p["finishedAt"] - p["startedAt"])
        for p in result.pods()
        if p["job"].endswith("/" + job) and p["startedAt"] is not None
    ]


def test_different_seeds_give_different_results() -> None:
    """Five seeds, five different runs: durations and failures come from the seed."""
    loaded = load_scenario(scenario(RANDOM_JOB, nodes=3))
    runs = [run_checked(loaded, seed) for seed in range(1, 6)]
    assert [r.seed for r in runs] == [1, 2, 3, 4, 5]
    outcomes = [_outcomes(r) for r in runs]
    assert len({tuple(o) for o in outcomes}) == len(outcomes)
    assert len({r.to_json() for r in runs}) == len(runs)
    # the scenario's own seed is used when none is given
    assert run_checked(loaded).to_json() == simulate(loaded, loaded.seed).to_json()


# --- common random numbers -----------------------------------------------------------------

BIG_CLUSTER = {
    "nodePools": [{"name": "big", "count": 12, "capacity": {"cpu": "64", "memory": "256Gi"}}]
}


def _pods_of(result: Any, job: str) -> list[dict[str, Any]]:
    """Every pod of ``job`` as the result reports it, except the node it landed on."""
    return [
        {k: v for k, v in p.items() if k != "node"}
        for p in result.pods()
        if p["job"] == f"default/{job}"
    ]


@pytest.mark.slow
@settings(SIM, max_examples=EXAMPLES)
@given(
    first=st.tuples(job_specs(name=st.just("first")), workloads(), st.integers(0, 30)),
    second=st.tuples(job_specs(name=st.just("second")), workloads(), st.integers(0, 30)),
    second_goes_first=st.booleans(),
    timing=st.sampled_from([ZERO_TIMING, DEFAULT_TIMING]),
    seed=st.integers(0, 2**63 - 1),
)
def test_adding_a_job_leaves_another_jobs_pods_unchanged(
    first: tuple[dict[str, Any], dict[str, Any], int],
    second: tuple[dict[str, Any], dict[str, Any], int],
    second_goes_first: bool,
    timing: dict[str, Any],
    seed: int,
) -> None:
    """Common random numbers: with room for every pod, the first Job's pods (names, exit
    codes, durations, every time) and status are the same with or without a second Job,
    listed before or after it."""

    def entry(job: tuple[dict[str, Any], dict[str, Any], int]) -> dict[str, Any]:
        return {"manifest": job[0], "workload": job[1], "submitAt": job[2]}

    alone = [entry(first)]
    both = [entry(second), entry(first)] if second_goes_first else [entry(first), entry(second)]
    base = {"name": "crn", "seed": seed, "cluster": BIG_CLUSTER, "horizon": "6h"}
    if timing:
        base["timing"] = dict(timing)
    runs = []
    for jobs in (alone, both):
        runs.append(run_checked(load_scenario({**base, "jobs": jobs})))
    one, two = runs
    assert _pods_of(two, "first") == _pods_of(one, "first")
    assert two.job("first")["status"] == one.job("first")["status"]
