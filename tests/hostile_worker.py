"""The hostile corpus' worker: runs the cases named on standard input under a memory and time cap.

``python -m tests.hostile_worker`` reads one case path a line and writes one JSON line a case
(:func:`outcome`), in the same order, flushed at once, so the parent knows which case a hang or
a crash belongs to. The whole process lives under ``RLIMIT_AS`` (:data:`MEMORY_BYTES`, set
before jobsim is imported), and each case under a ``SIGALRM`` of :data:`SECONDS`; the parent
(tests/test_hostile.py) kills the worker if a case outlives that (a loop in C code), and starts
a new one for the cases left when a worker stops after a case's error.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

MEMORY_BYTES = 1024**3
"""The address space a worker may use (1 GiB): jobsim, numpy and a case fit in a third."""

SECONDS = 10
"""The wall-clock cap per case, in seconds."""


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def outcome(path: Path) -> dict[str, Any]:
    """What loading and running the case did: ``refused`` (the problems, file name cut),
    ``ok`` (end, warnings), ``stuck`` (RunStuck's time and causes) or ``error`` (anything else:
    a traceback, MemoryError, the time cap, output that is not strict JSON)."""
    from jobsim.api import RunStuck, ScenarioError, load_scenario, simulate

    try:
        try:
            scenario = load_scenario(path)
        except ScenarioError as e:
            return {"refused": e.problems}
        warnings = [w.removeprefix(f"{path}:") for w in scenario.warnings]
        try:
            result = simulate(scenario, 0)
        except RunStuck as e:
            stuck = {"now": e.now, "causes": e.causes, "message": str(e), "warnings": warnings}
            return {"stuck": stuck}
        _strict_json(result.to_json())
        return {"ok": {"end": result.end, "warnings": warnings}}
    except BaseException:  # the test reports every other failure, time-outs included
        return {"error": traceback.format_exc(limit=-8)}


def _stop(signum: int, frame: object) -> None:
    raise TimeoutError(f"more than {SECONDS}s")


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    signal.signal(signal.SIGALRM, _stop)
    for line in sys.stdin:
        path = Path(line.rstrip("\n"))
        signal.alarm(SECONDS)
        try:
            out = outcome(path)
        finally:
            signal.alarm(0)
        sys.stdout.write(json.dumps({"case": str(path), **out}) + "\n")
        sys.stdout.flush()
        if "error" in out:
            return  # after a MemoryError or a time-out nothing here is trusted: a new worker


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
