"""A Result is data: built from the record alone, saved and loaded whole, viewed when loaded."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from jobsim import Result, load_scenario, simulate
from jobsim.narrate import explain, render
from jobsim.plot import save
from jobsim.trace import write_trace
from tests.golden import SCENARIOS, scenario_files


def _reachable_types(root: object) -> set[str]:
    """The modules of every object reachable from ``root`` (through gc referents)."""
    seen: set[int] = set()
    modules: set[str] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        modules.add(type(obj).__module__)
        todo.extend(gc.get_referents(obj))
    return modules


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_a_result_refers_to_nothing_of_the_simulation(path: Path) -> None:
    result = simulate(load_scenario(path))
    modules = _reachable_types(result)
    assert not {m for m in modules if m.startswith(("jobsim.sim", "simpy", "numpy.random"))}


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_save_and_load_give_the_same_result(path: Path, tmp_path: Path) -> None:
    result = simulate(load_scenario(path))
    saved = result.save(tmp_path / "result.json")
    loaded = Result.load(saved)
    assert loaded.to_json() == result.to_json()
    assert render(explain(loaded)) == render(explain(result))
    assert loaded.timeline() == result.timeline()
    assert loaded.stats == result.stats
    pd.testing.assert_frame_equal(loaded.pods_frame(), result.pods_frame())
    pd.testing.assert_frame_equal(loaded.jobs_frame(), result.jobs_frame())
    pd.testing.assert_frame_equal(loaded.events_frame(), result.events_frame())
    # The saved file is the --json object plus the record.
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "record"} == json.loads(result.to_json())


@pytest.mark.slow
def test_views_draw_a_loaded_result_as_they_draw_the_run(tmp_path: Path) -> None:
    result = simulate(load_scenario(SCENARIOS / "flaky-pool.yaml"))
    loaded = Result.load(result.save(tmp_path / "r.json"))
    for by in ("job", "node", "summary"):
        a = save(result, tmp_path / f"a-{by}.svg", by=by)
        b = save(loaded, tmp_path / f"b-{by}.svg", by=by)
        assert a.read_bytes() == b.read_bytes(), by
    write_trace(result, tmp_path / "a.trace.json")
    write_trace(loaded, tmp_path / "b.trace.json")
    assert (tmp_path / "a.trace.json").read_bytes() == (tmp_path / "b.trace.json").read_bytes()


def test_stats_are_computed_once() -> None:
    result = simulate(load_scenario(SCENARIOS / "pi.yaml"))
    assert result.stats is result.stats
    assert result.lives is result.lives


def test_loading_something_else_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(simulate(load_scenario(SCENARIOS / "pi.yaml")).to_json(), encoding="utf-8")
    with pytest.raises(ValueError, match=r"plain.json: not a saved jobsim Result"):
        Result.load(plain)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # interpreted, float() refuses it; compiled, the argument's type check
        (
            "startedAt",
            "soon",
            "(could not convert string to float: 'soon'|float or None object expected; got str)",
        ),
        ("attempt", -1, re.escape("PodRecord.attempt must be 0 or more, or None: -1")),
    ],
)
def test_a_bad_pod_in_a_save_is_a_located_error(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    saved = simulate(load_scenario(SCENARIOS / "pi.yaml")).save(tmp_path / "r.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    pod = data["record"]["pods"][0]
    pod[field] = value
    saved.write_text(json.dumps(data), encoding="utf-8")
    where = re.escape(f"record.pods[0] ({pod['name']!r}): ") + message
    with pytest.raises(ValueError, match=where):
        Result.load(saved)


def test_a_save_that_fails_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """The record holds a number JSON cannot (a NaN slipped into an event): the save fails,
    and the file it would have replaced, and a symlink to it, are untouched."""
    result = simulate(load_scenario(SCENARIOS / "pi.yaml"))
    result.recorder.b[0] = float("nan")
    target = tmp_path / "old.json"
    target.write_text("previous\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for path in (target, link):
        with pytest.raises(ValueError, match="not JSON compliant"):
            result.save(path)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "old.json"]


def test_a_save_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    result = simulate(load_scenario(SCENARIOS / "pi.yaml"))
    target = tmp_path / "r.json"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result.save(link)
    assert link.is_symlink()
    assert Result.load(target).to_json() == result.to_json()


def test_a_pickled_recorder_keeps_recording() -> None:
    """Its string table survives a pickle as one table (a new string after it gets the next
    number, and reads back)."""
    import pickle

    rec = simulate(load_scenario(SCENARIOS / "pi.yaml")).recorder
    copy = pickle.loads(pickle.dumps(rec))
    assert copy.strings == rec.strings
    copy.node_down(1.0, "a-node-never-named-before")
    assert copy.strings[copy.subject[-1]] == "a-node-never-named-before"
