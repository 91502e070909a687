"""The hostile-input corpus (``tests/hostile/<category>/*.yaml``): each file is a scenario with
one mistake, or none, and says what must happen in its first lines (tests/hostile/README.md):

- ``# expect: ok``: it loads, and a run ends cleanly (within ``horizon`` or on its own), with
  JSON output that is strict JSON; ``# warn: LINE:COL: path: message`` lines are exactly its
  load warnings (none without them), and ``# end: DURATION`` its end;
- ``# expect: LINE:COL: path: message`` (one line per problem, in the order of the file): the
  exact problems ``load_scenario`` raises, which ``jobsim validate`` and ``run`` print;
- ``# expect: stuck at DURATION: CAUSE; CAUSE``: it loads (with the ``# warn:`` lines as its
  warnings), and the run raises ``RunStuck`` at that virtual time, naming those zero delays.

The expected messages are the rules' own words (the API server's for Kubernetes objects),
written when each case was made; see docs/mechanisms.md, "Input it refuses".

Each case runs in a worker process (tests/hostile_worker.py) under a memory cap
(``RLIMIT_AS``, 1 GiB) and a time cap (10 s): nothing it does may hang, crash or eat memory.
The cases are shared among a few workers, each running a chunk, so the corpus costs about a
second of wall time per 300 cases and core.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from jobsim.units import format_duration, parse_duration
from tests.hostile_worker import SECONDS

ROOT = Path(__file__).parent.parent
CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(CORPUS.glob("*/*.yaml"))
WORKERS = max(1, min(4, os.cpu_count() or 1))


def header(path: Path) -> list[tuple[str, str]]:
    """The ``# KEY: value`` lines a case starts with (a byte-order mark before them skipped;
    the rest of the file may be any bytes)."""
    out = []
    for raw in path.read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines():
        line = raw.decode("utf-8", errors="replace")
        key, sep, value = line.removeprefix("# ").partition(": ")
        if not line.startswith("# ") or not sep or key not in ("expect", "warn", "end"):
            break
        out.append((key, value))
    assert out and out[0][0] == "expect", f"{path}: no '# expect:' line first"
    return out


def _run_chunk(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Each case's outcome from workers; a case that kills or outlives its worker is an
    ``error`` and the rest go to a new worker."""
    out: dict[str, dict[str, Any]] = {}
    todo = [str(p.relative_to(ROOT)) for p in paths]
    while todo:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hostile_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(f"{c}\n" for c in todo))
        proc.stdin.close()
        while todo:
            ready, _, _ = select.select([proc.stdout], [], [], SECONDS + 20)
            line = proc.stdout.readline() if ready else ""
            if line:
                answer = json.loads(line)
                assert answer["case"] == todo[0]
                out[todo.pop(0)] = answer
                continue
            try:
                stopped = ready and proc.wait(SECONDS) == 0
            except subprocess.TimeoutExpired:
                stopped = False
            if stopped:  # it stopped after a case's error (already answered): go on
                break
            proc.kill()
            _, err = proc.communicate()
            why = "hung" if not ready else f"worker died (exit {proc.returncode})"
            out[todo.pop(0)] = {"error": f"{why}: {err[-2000:]}"}
            break
        proc.wait()
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
    return out


SLOW = frozenset({"aliases", "endless"})
"""Categories whose cases take seconds (30 days of retries, 200,000 stalled calls, a billion
laughs): ``make test`` runs them, ``make check`` leaves them out."""

_OUTCOMES: dict[str, dict[str, Any]] = {}


def outcome_of(path: Path) -> dict[str, Any]:
    """A case's outcome; the first case asked of a group (slow or not) runs the whole group,
    its chunks in parallel workers."""
    key = str(path.relative_to(ROOT))
    if key not in _OUTCOMES:
        group = [p for p in CASES if (p.parent.name in SLOW) == (path.parent.name in SLOW)]
        chunks = [group[i::WORKERS] for i in range(WORKERS)]
        with ThreadPoolExecutor(WORKERS) as pool:
            for found in pool.map(_run_chunk, chunks):
                _OUTCOMES.update(found)
    return _OUTCOMES[key]


def test_the_corpus_is_large_enough() -> None:
    """Issue 13 asks for at least 300 inputs in all, across its categories."""
    assert len(CASES) >= 300
    assert {p.parent.name for p in CASES} == {
        "aliases",
        "coercion",
        "control-plane",
        "distributions",
        "duplicate-keys",
        "duration",
        "endless",
        "events",
        "exit-code",
        "extreme-numbers",
        "int-range",
        "malformed-yaml",
        "nodes",
        "priority-class",
        "references",
        "resources",
        "yaml-tag",
    }


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=[pytest.mark.slow] if p.parent.name in SLOW else []) for p in CASES],
    ids=[f"{p.parent.name}/{p.stem}" for p in CASES],
)
def test_hostile_input(path: Path) -> None:
    got = outcome_of(path)
    assert "error" not in got, got["error"]
    lines = header(path)
    expect = [v for k, v in lines if k == "expect"]
    if expect == ["ok"]:
        assert "ok" in got, got
        assert got["ok"]["warnings"] == [v for k, v in lines if k == "warn"]
        for end in (v for k, v in lines if k == "end"):
            assert format_duration(got["ok"]["end"]) == format_duration(parse_duration(end))
    elif expect[0].startswith("stuck at "):
        assert "stuck" in got, got
        at, _, causes = expect[0].removeprefix("stuck at ").partition(": ")
        assert got["stuck"]["now"] == parse_duration(at)
        assert got["stuck"]["causes"] == causes.split("; ")
        assert got["stuck"]["message"].startswith(f"the run is stuck at t={at}: ")
        assert got["stuck"]["warnings"] == [v for k, v in lines if k == "warn"]
    else:
        assert got.get("refused") == expect
