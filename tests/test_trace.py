"""Chrome / Perfetto trace export, validated against the Trace Event Format."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.trace import to_trace, write_trace
from tests.helpers import job_manifest, scenario

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}
METADATA = {"process_name", "thread_name", "process_sort_index", "thread_sort_index"}


def run_spec(data: dict[str, Any]) -> Result:
    return simulate(load_scenario(data))


def validate(trace: dict[str, Any]) -> None:
    """The rules of the Trace Event Format that viewers rely on."""
    assert isinstance(trace["traceEvents"], list)
    assert trace.get("displayTimeUnit") in (None, "ms", "ns")
    for ev in trace["traceEvents"]:
        assert isinstance(ev["name"], str) and ev["name"]
        assert isinstance(ev["pid"], int) and isinstance(ev["tid"], int)
        ph = ev["ph"]
        assert ph in {"X", "i", "M"}, ev
        if ph == "M":
            assert ev["name"] in METADATA
            key = "sort_index" if ev["name"].endswith("sort_index") else "name"
            assert set(ev["args"]) == {key}
            continue
        assert isinstance(ev["ts"], int | float) and ev["ts"] >= 0
        assert isinstance(ev.get("cat", ""), str)
        assert isinstance(ev.get("args", {}), dict)
        if ph == "X":
            assert isinstance(ev["dur"], int | float) and ev["dur"] >= 0
        if ph == "i":
            assert ev["s"] in {"g", "p", "t"}
    # complete events on one thread must nest: no partial overlaps
    by_thread: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for ev in trace["traceEvents"]:
        if ev["ph"] == "X":
            by_thread[(ev["pid"], ev["tid"])].append((ev["ts"], ev["ts"] + ev["dur"]))
    for spans in by_thread.values():
        stack: list[float] = []
        for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1], spans
            stack.append(end)


def names(trace: dict[str, Any], what: str) -> dict[tuple[int, int], str]:
    return {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in trace["traceEvents"]
        if e["ph"] == "M" and e["name"] == what
    }


def test_backoff_trace() -> None:
    r = run_spec(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))
    trace = to_trace(r)
    validate(trace)
    processes = names(trace, "process_name")
    assert list(processes.values()) == ["Jobs", "node n-0", "node n-1", "node n-2"]
    node0 = next(pid for (pid, _), name in processes.items() if name == "node n-0")
    threads = {tid: n for (pid, tid), n in names(trace, "thread_name").items() if pid == node0}
    assert threads == {0: "node", **{i + 1: p for i, p in enumerate(r.recorder.pods)}}
    runs = [e for e in trace["traceEvents"] if e.get("cat") == "run"]
    assert [(e["name"], e["ts"], e["dur"]) for e in runs] == [
        ("run 0: exit 1", 0, 5_000_000),
        ("run 1: exit 1", 15_000_000, 5_000_000),
        ("run 2: exit 1", 40_000_000, 5_000_000),
    ]
    backoffs = [e for e in trace["traceEvents"] if e.get("cat") == "backoff"]
    assert [(e["name"], e["ts"], e["dur"]) for e in backoffs] == [
        ("backoff 10s", 5_000_000, 10_000_000),
        ("backoff 20s", 20_000_000, 20_000_000),
    ]
    conditions = [e["name"] for e in trace["traceEvents"] if e.get("cat") == "condition"]
    assert conditions == [
        "FailureTarget=True: BackoffLimitExceeded",
        "Failed=True: BackoffLimitExceeded",
    ]


def test_node_down_and_unscheduled_pods(tmp_path: Path) -> None:
    """A node down period is a slice of the node's own thread; a pod that never fits on a
    node is a thread of the ``unscheduled`` process."""
    big = {"containers": [{"name": "m", "image": "x", "resources": {"requests": {"cpu": "64"}}}]}
    r = run_spec(
        scenario(
            (job_manifest("big", podSpec=big, activeDeadlineSeconds=30), {"duration": "1s"}),
            (job_manifest("small"), {"duration": "100s"}),
            events=[{"at": "10s", "nodeDown": "n-0"}, {"at": "20s", "nodeUp": "n-0"}],
        )
    )
    path = write_trace(r, tmp_path / "t.json")
    trace = json.loads(path.read_text(encoding="utf-8"))
    validate(trace)
    processes = names(trace, "process_name")
    assert "unscheduled" in processes.values()
    down = [e for e in trace["traceEvents"] if e["name"] == "node down"]
    assert [(e["ts"], e["dur"], e["tid"]) for e in down] == [(10_000_000, 10_000_000, 0)]
    assert processes[(down[0]["pid"], 0)] == "node n-0"


@pytest.mark.parametrize(
    "events", [[], [{"at": "60s", "nodeDown": "n-0"}, {"at": "30m", "nodeUp": "n-0"}]]
)
def test_terminating_slices_nest_in_their_run(events: list[dict[str, Any]]) -> None:
    wl = {"duration": "10m", "terminationDelay": "5s"}
    r = run_spec(scenario((job_manifest(activeDeadlineSeconds=100), wl), timing={}, events=events))
    trace = to_trace(r)
    validate(trace)
    assert any(e["name"] == "terminating" for e in trace["traceEvents"])
