"""A recorder's columns: entries written to its writers read back exactly, with reads in
between, across pickles, and from records pickled before the writers."""

from __future__ import annotations

import math
import pickle
from array import array
from pathlib import Path
from typing import Any, TypeVar

import pytest
from librt.strings import BytesWriter

from jobsim import load_scenario, record
from jobsim.invariants import CheckingRecorder
from jobsim.record import _BLOCK, _NOT_STATE, _STATE, JobRecorder, Recorder, _Interned
from jobsim.sim.simulation import Simulation
from jobsim.version import compiled

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
COLUMNS = ("t", "kind", "subject", "ref", "a", "b", "text")

# (t, kind, subject, ref, a, b, text): each column's extremes
EXTREMES = [
    (0.0, 0, 0, 0, 0, 0.0, 0),
    (-0.0, 255, 2**31 - 1, 1, -(2**63), -1.5, 2**31 - 1),
    (1e300, 1, 1, 2**31 - 1, 2**63 - 1, math.inf, 2),
    (5e-324, 17, 70_000, 65_536, -1, -math.inf, 256),
    (86_400.25, 200, 3, 4, 2**53 + 1, 1e-300, 5),
]


def _columns(rec: Recorder) -> list[list[Any]]:
    return [list(getattr(rec, c)) for c in COLUMNS]


def _rows(n: int) -> list[tuple[float, int, int, int, int, float, int]]:
    return [EXTREMES[i % len(EXTREMES)] for i in range(n)]


@pytest.mark.parametrize("n", [1, 5, _BLOCK - 1, _BLOCK, _BLOCK + 1, 2 * _BLOCK + 7])
def test_rows_read_back_exactly_across_blocks(n: int) -> None:
    rec = Recorder()
    rows = _rows(n)
    for row in rows:
        rec._row(*row)
    assert len(rec) == n
    assert _columns(rec) == [list(c) for c in zip(*rows, strict=True)]
    assert [getattr(rec, c).typecode for c in COLUMNS] == ["d", "B", "I", "I", "q", "d", "I"]
    for c, values in zip(("t", "b"), ([r[0] for r in rows], [r[5] for r in rows]), strict=True):
        assert getattr(rec, c).tobytes() == array("d", values).tobytes()  # -0.0 kept


def test_a_nan_reads_back_as_nan() -> None:
    rec = Recorder()
    rec._row(math.nan, 1, 0, 0, 0, math.nan, 0)
    assert math.isnan(rec.t[0]) and math.isnan(rec.b[0])


def test_reads_between_writes_see_every_entry_so_far() -> None:
    """A column read moves every column's written entries; the writers start again."""
    rec = Recorder()
    n = _BLOCK + 300
    rows = _rows(n)
    reads = sorted({0, 1, 2, 3, 4, 5, 6, 500, _BLOCK - 2, _BLOCK - 1, _BLOCK, _BLOCK + 1, n - 1})
    for i, row in enumerate(rows):
        assert len(rec) == i
        rec._row(*row)
        if i in reads:
            c = reads.index(i) % len(COLUMNS)  # each column read first in turn
            assert list(getattr(rec, COLUMNS[c])) == [r[c] for r in rows[: i + 1]]
            assert len(rec) == i + 1
    assert _columns(rec) == [list(c) for c in zip(*rows, strict=True)]
    assert len(rec) == n


R = TypeVar("R", bound=Recorder)


def test_an_empty_ref_or_text_is_the_empty_string() -> None:
    rec = Recorder()
    for name in ("node-a", "node-b", "node-c"):
        rec.node_added(1.0, name, "pool")
    rec.node_down(2.0, "node-b")
    assert (rec.strings[rec.subject[-1]], rec.strings[rec.ref[-1]]) == ("node-b", "")
    assert rec.strings[rec.text[-1]] == ""


@pytest.mark.skipif(compiled(), reason="compiled, _BIG_ENDIAN is a constant in the code")
def test_a_big_endian_machine_reads_the_writers_bytes_swapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writers write little-endian; on a big-endian machine an array is big-endian."""
    monkeypatch.setattr(record, "_BIG_ENDIAN", True)
    for typecode, value in (("d", -1.5e300), ("I", 2**31 - 5), ("q", -(2**62) - 3)):
        swapped = array(typecode, [value])
        swapped.byteswap()  # here, what a big-endian machine's array reads from the writer
        writer = BytesWriter()
        writer.write(swapped.tobytes())
        column = array(typecode, [7])
        record._append(column, writer)
        assert list(column) == [7, value]


def test_a_pickle_keeps_every_attribute_a_recorder_has() -> None:
    rec = Recorder()
    names = set(type(rec).__mypyc_attrs__) if compiled() else set(vars(rec))  # type: ignore[attr-defined]
    assert names - _NOT_STATE - {"__dict__"} <= set(_STATE) | {"level"}
    assert {"level", "_live", "views", "_strings"} <= set(_STATE)


def test_a_pickle_keeps_a_loaded_records_level() -> None:
    data = _run("backoff", JobRecorder()).to_data()
    loaded = Recorder.from_data(data)
    assert loaded.level == "jobs"
    assert pickle.loads(pickle.dumps(loaded)).level == "jobs"


def _run(name: str, rec: R) -> R:
    """``rec`` after a run of the shipped scenario, sealed (as a Result seals it: a live
    Job's status is a view of it, which no pickle holds)."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    Simulation(scenario, rec).run(scenario.stop_time)
    rec.seal()
    return rec


@pytest.mark.parametrize("kind", [Recorder, JobRecorder, CheckingRecorder])
@pytest.mark.parametrize("name", ["pi", "backoff", "node-failure"])
def test_a_pickle_keeps_every_entry_and_records_on(kind: type[Recorder], name: str) -> None:
    """Unpickled mid-block (entries still in the writers), the copy holds the same record
    and numbers new strings and entries as the original does."""
    rec = _run(name, kind())
    copy = pickle.loads(pickle.dumps(rec))
    assert type(copy) is kind
    assert copy.to_data() == rec.to_data()
    for r in (rec, copy):
        r.node_down(1e6, "a-node-never-named-before")
        r.node_down(1e6 + 1, "node-0")
    assert copy.to_data() == rec.to_data()
    assert copy.strings[copy.subject[-2]] == "a-node-never-named-before"


class Counting(Recorder):
    """A user's recorder with its own attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.created = 0

    def pod_created(self, t: float, name: str, job: str, index: int | None) -> None:
        super().pod_created(t, name, job, index)
        self.created += 1


class SlottedCounting(Counting):
    """The same, its attribute a slot."""

    __slots__ = ("created",)


@pytest.mark.parametrize("kind", [Counting, SlottedCounting])
def test_a_subclass_keeps_its_own_attributes_in_a_pickle(kind: type[Counting]) -> None:
    rec = _run("pi", kind())
    assert "created" not in vars(rec) or kind is Counting
    copy = pickle.loads(pickle.dumps(rec))
    assert copy.created == rec.created > 0
    assert copy.to_data() == rec.to_data()


def _old_state(rec: Recorder, pending: int) -> dict[str, Any]:
    """``rec``'s state as a recorder before the writers pickled it: its last ``pending``
    entries in lists, its strings in an ``_Interned``."""
    state = dict(rec.__getstate__())
    columns = _columns(rec)
    cut = len(rec) - pending
    for c, values in zip(COLUMNS, columns, strict=True):
        state[f"_{c}"] = array(getattr(rec, c).typecode, values[:cut])
    state["_pending"] = tuple(values[cut:] for values in columns)
    state["_ids"] = _Interned(state.pop("_strings"))
    return state


@pytest.mark.parametrize("pending", [0, 1, 40])
def test_a_record_pickled_before_the_writers_reads_back(pending: int) -> None:
    rec = _run("backoff", Recorder())
    state = _old_state(rec, pending)
    old = Recorder.__new__(Recorder)
    old.__setstate__(state)
    assert old.to_data() == rec.to_data()
    assert type(old._ids) is dict
    for r in (rec, old):
        r.node_down(1e6, "a-node-never-named-before")
    assert old.to_data() == rec.to_data()


def _indexed_jobs() -> Recorder:
    """Two indexes whose containers always fail, restarted in place (OnFailure) until the
    Job's backoffLimit of 3 restarts; another Indexed Job of two indexes and a NonIndexed
    Job's pod, both succeeding."""

    def job(name: str, spec: dict[str, Any], restart: str = "Never") -> dict[str, Any]:
        template = {
            "spec": {
                "restartPolicy": restart,
                "containers": [{"name": "main", "image": "busybox:1.36"}],
            }
        }
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name},
            "spec": {**spec, "template": template},
        }

    indexed = {"completionMode": "Indexed", "completions": 2, "parallelism": 2}
    scenario = load_scenario(
        {
            "name": "indexed-texts",
            "cluster": {
                "nodePools": [{"name": "w", "count": 1, "capacity": {"cpu": "4", "memory": "8Gi"}}]
            },
            "jobs": [
                {
                    "manifest": job("crash", {**indexed, "backoffLimit": 3}, "OnFailure"),
                    "workload": {"duration": "8s", "failure": {"probability": 1.0}},
                },
                {"manifest": job("other", indexed), "workload": {"duration": "5s"}},
                {"manifest": job("plain", {}), "workload": {"duration": "5s"}},
            ],
        }
    )
    sim = Simulation(scenario, Recorder())
    sim.run()
    return sim.recorder


def test_container_starts_refer_to_their_index_and_share_its_text() -> None:
    """``CONTAINER_STARTED``'s ref is the pod's completion index as text (the empty string
    for a NonIndexed pod). Every start of an index, a restart in place or another Job's pod
    of the same index, refers to one text: the string table grows with the indexes, not with
    the starts."""
    rec = _indexed_jobs()
    refs: dict[str, set[int]] = {}
    starts = {"crash": 0, "other": 0, "plain": 0}
    for i, _t, _kind, pod, ref, _restarts, _b, _text in rec.select(record.Kind.CONTAINER_STARTED):
        job = pod.split("-")[0]
        starts[job] += 1
        assert ref == ("" if job == "plain" else str(rec.pods[pod].index))
        refs.setdefault(ref, set()).add(rec.ref[i])
    assert starts["crash"] >= 4 and starts["other"] == 2 and starts["plain"] == 1
    assert set(refs) == {"0", "1", ""}
    assert all(len(numbers) == 1 for numbers in refs.values())
    assert refs[""] == {0}  # the empty string's number


def test_a_pickle_taken_mid_run_numbers_index_texts_as_the_original() -> None:
    """A record pickled while an Indexed pod still runs gives its next start the number the
    original gives it (the index's text is not numbered again)."""
    rec = Recorder()
    rec.job_submitted(0.0, "default/j", "j", "default")
    rec.pod_created(1.0, "j-3-abcde", "default/j", 3)
    rec.container_started(2.0, "j-3-abcde", 0, 0)
    copy = pickle.loads(pickle.dumps(rec))
    for r in (rec, copy):
        r.container_started(3.0, "j-3-abcde", 1, 0)
    assert copy.strings == rec.strings and list(copy.ref) == list(rec.ref)
    assert rec.ref[-1] == rec.ref[-2] and rec.strings[rec.ref[-1]] == "3"
