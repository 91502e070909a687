"""Property tests: examples per second of a property of a small Job, on one core.

    .venv/bin/python benchmarks/properties.py            # 300 examples per property
    .venv/bin/python benchmarks/properties.py --quick    # 50, a smoke test

The Job is examples/test_my_job_policy.py's ``trainer`` (completions 4, parallelism 2,
backoffLimit 3, a podFailurePolicy); each property draws ``scenarios(MANIFEST)`` (a failure
pattern, a small cluster, node events, a hazard aimed at in part of the examples), runs it with
``jobsim.testing.run`` (every event checked against the controller's invariants) and asserts
on the Result, as the example file does. Examples are derandomized, so every run of the
benchmark draws the same ones; the wall time (``time.perf_counter``) covers hypothesis'
generation, the run and the assertion, in this one process. "simulate only" is the same
scenarios run by plain ``jobsim.simulate``, drawn beforehand: what the property costs beyond
the simulation. The target is 50 examples per second; the script exits with status 1 below it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.test_my_job_policy import JOB, MANIFEST, PARALLELISM  # noqa: E402
from jobsim import load_scenario, simulate  # noqa: E402
from jobsim.testing import (  # noqa: E402
    assert_max_active,
    assert_terminal,
    first_exit,
    run,
    scenarios,
)

TARGET = 50.0  # examples per second


def _max_active(scenario: dict[str, Any]) -> None:
    assert_max_active(run(scenario), JOB, PARALLELISM)


def _exit_42(scenario: dict[str, Any]) -> None:
    result = run(scenario)
    exit42 = first_exit(result, JOB, 42)
    if exit42 is not None and exit42.reported is not None:
        assert_terminal(result, JOB, "FailureTarget")


PROPERTIES: dict[str, Callable[[dict[str, Any]], None]] = {
    "never more active pods than parallelism": _max_active,
    "exit 42 fails the Job": _exit_42,
}


def measure(prop: Callable[[dict[str, Any]], None], examples: int) -> tuple[float, float]:
    """(examples per second of the property, of plain ``simulate`` on the same scenarios)."""
    drawn: list[dict[str, Any]] = []
    opts = settings(max_examples=examples, derandomize=True, database=None, deadline=None)

    @opts
    @given(scenarios(MANIFEST))
    def test(scenario: dict[str, Any]) -> None:
        drawn.append(scenario)
        prop(scenario)

    t0 = time.perf_counter()
    test()
    rate = len(drawn) / (time.perf_counter() - t0)
    loaded = [load_scenario(d) for d in drawn]
    t0 = time.perf_counter()
    for s in loaded:
        simulate(s)
    return rate, len(loaded) / (time.perf_counter() - t0)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each property and print the table; 1 if one is below the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=300, help="examples per property")
    parser.add_argument("--quick", action="store_true", help="50 examples per property")
    args = parser.parse_args(argv)
    examples = 50 if args.quick else args.examples
    console = Console(width=120)
    table = Table(title=f"Property tests of a small Job, {examples} examples each, one core")
    for col in ("property", "examples/s", "simulate only, runs/s", f"≥ {TARGET:g}/s"):
        table.add_column(col, justify="left" if col == "property" else "right")
    slow = False
    for name, prop in PROPERTIES.items():
        console.log(f"{name} …")
        rate, bare = measure(prop, examples)
        slow |= rate < TARGET
        table.add_row(name, f"{rate:,.0f}", f"{bare:,.0f}", "yes" if rate >= TARGET else "NO")
    console.print(table)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
