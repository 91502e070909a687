"""Outputs that scale (issue 14, goal 4): the JSON is streamed with the exact bytes the
in-memory form had; ``--out --format parquet`` writes the tables the CSV files hold; output
that cannot be written is a clean error."""

from __future__ import annotations

import io
import json
import math
import sys
from array import array
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from jobsim import Result, load_scenario, simulate
from jobsim.cli import app
from jobsim.jsonstream import Cleaned, Rows, dumps, write
from jobsim.results import EVENT_COLUMNS, NODE_COLUMNS, MissingExtra, _clean, require_parquet
from tests.golden import SCENARIOS, scenario_files

runner = CliRunner()
SHIPPED = [*scenario_files(), *sorted((SCENARIOS / "teaching").rglob("*.yaml"))]
SHIPPED = [p for p in SHIPPED if p.parent.name != "manifests"]  # bare manifests: no scenario


def _ids(p: Path) -> str:
    return str(p.relative_to(SCENARIOS))


# -- the streamed JSON is the in-memory JSON, byte for byte -------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=_ids)
def test_streamed_outputs_are_the_in_memory_bytes(path: Path, tmp_path: Path) -> None:
    result = simulate(load_scenario(path))
    # --json: what ``to_json`` built before it streamed, json.dumps of the whole object
    data = result.to_dict(with_stats=True)
    assert result.to_json() == json.dumps(data, indent=2, allow_nan=False)
    # --events and --out's events.jsonl: one compact object a line
    buf = io.StringIO()
    result.write_events(buf)
    assert buf.getvalue() == "".join(json.dumps(e, allow_nan=False) + "\n" for e in data["events"])
    # Result.save: the --json object (cleaned) plus the record as it is, at indent 1
    whole = {**data, "record": {"format": 1, "end": result.end, **result.recorder.to_data()}}
    saved = result.save(tmp_path / "r.json").read_text(encoding="utf-8")
    assert saved == json.dumps(whole, indent=1, allow_nan=False) + "\n"


def test_the_golden_results_are_streamed_bytes() -> None:
    # The golden files were written by json.dumps of the whole object; the stream matches.
    path = SCENARIOS / "backoff.yaml"
    buf = io.StringIO()
    simulate(load_scenario(path)).write_json(buf)
    expected = (SCENARIOS / "expected" / "backoff.json").read_text(encoding="utf-8")
    assert buf.getvalue() + "\n" == expected


VALUES: list[Any] = [
    {},
    [],
    {"a": [], "b": {}, "c": [{}], "d": [[]]},
    {"é": 'naïve ☃ \n "quoted" \t', "x": None, "t": True, "f": False},
    {3: "int key", 2.5: "float key", True: "bool key", False: "no", None: "none key"},
    [0, -1, 2**70, 1.5, -0.0, 1e-7, 1e300, 3.0],
    {"nested": {"deep": [{"k": [1, [2, [3]]]}]}},
    ("a", [1.25, 2.0], {"t": (3.0,)}),
    list(range(5000)),  # longer than one batch of a streamed list
]


@pytest.mark.parametrize("indent", [None, 1, 2])
@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_jsonstream_writes_what_json_dumps_writes(value: Any, indent: int | None) -> None:
    expected = json.dumps(value, indent=indent, allow_nan=False)
    assert dumps(value, indent=indent) == expected
    buf = io.StringIO()
    write(buf, value, indent=indent)
    assert buf.getvalue() == expected
    # Cleaned: floats as `jobsim run --json` has always written them (results._clean)
    cleaned = json.dumps(_clean(value), indent=indent, allow_nan=False)
    assert dumps(Cleaned(value), indent=indent) == cleaned


def test_jsonstream_streams_iterators_and_arrays_as_lists() -> None:
    buf = io.StringIO()
    value = {"gen": (i * 0.5 for i in range(4001)), "arr": array("d", [1.0, 2.5]), "no": iter(())}
    write(buf, Cleaned(value), indent=2)
    plain = {"gen": [i * 0.5 for i in range(4001)], "arr": [1.0, 2.5], "no": []}
    assert buf.getvalue() == json.dumps(_clean(plain), indent=2)


class _Counting(io.StringIO):
    """Counts the writes and remembers the longest piece written at once."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.longest = 0

    def write(self, s: str, /) -> int:
        self.writes += 1
        self.longest = max(self.longest, len(s))
        return super().write(s)


def test_jsonstream_never_writes_the_whole_list_at_once() -> None:
    # 20,000 items of ~40 characters: written in batches of 2,000, no piece near the whole.
    out = _Counting()
    write(out, ({"name": f"node-{i}", "t": i} for i in range(20_000)), indent=2)
    assert out.writes >= 10
    assert out.longest < len(out.getvalue()) / 5


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_jsonstream_refuses_what_json_cannot_hold(bad: float) -> None:
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        dumps({"x": [bad]}, indent=2)
    with pytest.raises(ValueError, match="Out of range"):
        dumps(Cleaned({"x": bad}), indent=2)


def test_jsonstream_refuses_what_json_cannot_serialize() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        dumps({"x": {1}}, indent=2)
    with pytest.raises(TypeError, match="keys must be"):
        dumps({(1, 2): 1}, indent=2)


# -- a save that cannot be finished leaves no file ----------------------------------------


def _backoff() -> Result:
    return simulate(load_scenario(SCENARIOS / "backoff.yaml"))


def test_save_of_an_infinite_end_writes_nothing(tmp_path: Path) -> None:
    result = _backoff()
    result.end = math.inf
    with pytest.raises(ValueError, match="end=inf: an infinite `until`"):
        result.save(tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_save_that_fails_midway_removes_the_partial_file(tmp_path: Path) -> None:
    result = _backoff()
    result.recorder.b[-1] = math.nan  # a number no JSON holds, deep in the record
    with pytest.raises(ValueError, match="Out of range"):
        result.save(tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_save_to_a_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _backoff().save(tmp_path / "no" / "r.json")


# -- Parquet ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["backoff", "node-failure", "indexed", "autoscaling"])
def test_parquet_tables_equal_the_csv_tables(name: str, tmp_path: Path) -> None:
    result = simulate(load_scenario(SCENARIOS / f"{name}.yaml"))
    paths = result.export(tmp_path / "pq", format="parquet")
    assert [p.name for p in paths] == [
        "jobs.parquet",
        "pods.parquet",
        "runs.parquet",
        "nodes.parquet",
        "events.parquet",
    ]
    csv = result.export(tmp_path / "csv")
    frames = {
        "jobs": result.jobs_frame(),
        "pods": result.pods_frame(),
        "runs": result.runs_frame(),
        "nodes": result.nodes_frame(),
    }
    for table, frame in frames.items():
        back = pd.read_parquet(tmp_path / "pq" / f"{table}.parquet")
        pd.testing.assert_frame_equal(back, frame)  # same values, same dtypes
        # and the same as the CSV file, read back with those dtypes
        from_csv = pd.read_csv(tmp_path / "csv" / f"{table}.csv", dtype=dict(frame.dtypes))
        pd.testing.assert_frame_equal(back, from_csv)
    # events: the record's columns; ``message`` (the sentence) is made from them on reading
    events = pd.read_parquet(tmp_path / "pq" / "events.parquet")
    pd.testing.assert_frame_equal(events, result.events_frame().drop(columns="message"))
    assert list(events.columns) == [c for c in EVENT_COLUMNS if c != "message"]
    lines = [json.loads(x) for x in csv[4].read_text(encoding="utf-8").splitlines()]
    assert [e["object"] for e in lines] == events["object"].tolist()
    assert [e["kind"] for e in lines] == events["kind"].tolist()


def test_parquet_dtypes_are_typed_not_objects(tmp_path: Path) -> None:
    result = _backoff()
    result.export(tmp_path, format="parquet")
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert str(events["t"].dtype) == "float64"
    assert str(events["a"].dtype) == "int64"
    assert isinstance(events["kind"].dtype, pd.CategoricalDtype)
    assert str(events["object"].dtype) == "string"
    nodes = pd.read_parquet(tmp_path / "nodes.parquet")
    assert {c: str(nodes[c].dtype) for c in nodes} == NODE_COLUMNS
    # backoff.yaml: two nodes of pool worker, cpu "2" and memory 8Gi = 8 * 2**30 bytes
    assert nodes["name"].tolist() == ["worker-0", "worker-1"]
    assert nodes["cpu"].tolist() == [2.0, 2.0]
    assert nodes["memory"].tolist() == [8 * 2**30] * 2


def test_unknown_export_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xlsx': one of csv, parquet"):
        _backoff().export(tmp_path, format="xlsx")


def test_missing_pyarrow_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    with pytest.raises(MissingExtra, match=r"pip install 'jobsim\[parquet\]'"):
        require_parquet()
    with pytest.raises(MissingExtra):
        _backoff().export(tmp_path / "out", format="parquet")
    assert not (tmp_path / "out").exists()
    res = runner.invoke(
        app, ["run", str(SCENARIOS / "backoff.yaml"), "--out", str(tmp_path), "--format", "parquet"]
    )
    assert res.exit_code == 1
    assert res.stderr == "error: Parquet output needs pyarrow: pip install 'jobsim[parquet]'\n"
    assert res.stdout == ""  # said before the run, nothing printed


def test_cli_writes_parquet(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["run", str(SCENARIOS / "backoff.yaml"), "--out", str(tmp_path), "--format", "parquet"],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "events.parquet",
        "jobs.parquet",
        "nodes.parquet",
        "pods.parquet",
        "runs.parquet",
    ]


def test_format_without_out_is_a_usage_error() -> None:
    res = runner.invoke(app, ["run", str(SCENARIOS / "backoff.yaml"), "--format", "parquet"])
    assert res.exit_code == 2
    assert res.stderr == "--format parquet is the format of --out: give --out DIR\n"


# -- output that cannot be written ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_unwritable_out_folder_is_a_clean_error(fmt: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    res = runner.invoke(
        app,
        ["run", str(SCENARIOS / "backoff.yaml"), "--out", str(blocker / "x"), "--format", fmt],
    )
    assert res.exit_code == 1
    assert res.stderr == f"error: {blocker / 'x'}: Not a directory\n"


def test_unwritable_events_file_is_a_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "events.jsonl"
    res = runner.invoke(app, ["run", str(SCENARIOS / "backoff.yaml"), "--events", str(target)])
    assert res.exit_code == 1
    assert res.stderr == f"error: {target}: No such file or directory\n"


@pytest.mark.parametrize("indent", [None, 2])
def test_rows_are_written_as_their_dicts(indent: int | None) -> None:
    keys = ("t", "name", "list")
    rows = [(1.0, "a", []), (2.5, "b", [{"x": 3.0}]), (1e-9, "é", None)]
    dicts = [dict(zip(keys, r, strict=True)) for r in rows]
    for n in (0, 3):
        buf = io.StringIO()
        write(buf, Cleaned({"rows": Rows(keys, iter(rows[:n]))}), indent=indent)
        expected = json.dumps(_clean({"rows": dicts[:n]}), indent=indent)
        assert buf.getvalue() == expected
        assert dumps(Cleaned({"rows": Rows(keys, rows[:n])}), indent=indent) == expected
