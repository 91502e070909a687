"""The recorder finds a pod that is still running its course in a small map of live pods
(``Recorder._live``) instead of ``pods`` and the string table: the record must be the same as
when every pod is looked up in full, and the map must hold only pods not yet counted nor
removed."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from jobsim import load_scenario
from jobsim import record as record_module
from jobsim.record import _POD_FIELDS, Kind, NullRecorder, PodRecord, Recorder
from jobsim.results import _events_table
from jobsim.sim.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class Uncached(Recorder):
    """Looks every pod up in ``pods``, as the recorder did before it kept live pods."""

    def _pod(self, name: str) -> PodRecord:
        return self.pods[name]

    def _pod_id(self, name: str) -> int:
        return self.pods[name].number if name in self.pods else self._id(name)


class Watched(Recorder):
    """Checks at every count and removal that the live map holds exactly the pods created and
    not yet counted nor removed."""

    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    def _check(self) -> None:
        want = {n for n, p in self.pods.items() if p.counted is None and p.removedAt is None}
        assert set(self._live) == want
        for name, live in self._live.items():
            assert live is self.pods[name]
            assert self.strings[live.number] == name
        self.checks += 1

    def pod_counted(
        self, t: float, name: str, as_: str, numbers: dict[str, Any] | None = None
    ) -> None:
        super().pod_counted(t, name, as_, numbers)
        self._check()

    def pod_removed(self, t: float, name: str) -> None:
        super().pod_removed(t, name)
        self._check()


# scenarios whose pods are deleted, evicted, removed or given conditions after, or before,
# they are counted, beside ones that only run their pods
NAMES = [
    "pi",
    "indexed",
    "node-failure",
    "drain-budget",
    "delete-job",
    "ttl",
    "pod-failure-policy",
    "replacement-policy",
    "preemption",
    "elastic",
    "suspend",
    "node-removal",
]


@pytest.mark.parametrize("name", NAMES)
def test_live_pods_change_nothing_in_the_record(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    full = Uncached()
    Simulation(scenario, full).run(scenario.stop_time)
    live = Recorder()
    Simulation(scenario, live).run(scenario.stop_time)
    assert live.to_data() == full.to_data()


@pytest.mark.parametrize("name", NAMES)
def test_the_live_map_holds_the_pods_not_yet_counted_nor_removed(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    rec = Watched()
    Simulation(scenario, rec).run(scenario.stop_time)
    assert rec.checks > 0
    rec.seal()
    assert not rec._live


def test_a_record_pickled_before_it_kept_live_pods_still_seals() -> None:
    """A recorder unpickled from a jobsim that had no ``_live`` seals and saves as before."""
    rec = Recorder()
    scenario = load_scenario(SCENARIOS / "pi.yaml")
    Simulation(scenario, rec).run(scenario.stop_time)
    state = dict(rec.__getstate__())
    del state["_live"]
    old = Recorder.__new__(Recorder)
    old.__setstate__(state)
    assert old.to_data() == rec.to_data()


# -- a pod's name is numbered when it is created, outside the string table's dict ----------


def _subjects(rec: Recorder) -> dict[str, set[int]]:
    """Each subject string's numbers in the record's events."""
    out: dict[str, set[int]] = {}
    for n in rec.subject:
        out.setdefault(rec.strings[n], set()).add(n)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_a_pods_events_share_one_number_kept_out_of_the_string_tables_dict(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    rec = Recorder()
    Simulation(scenario, rec).run(scenario.stop_time)
    rec.seal()
    assert rec.pods
    assert not set(rec.pods) & set(rec._ids)
    subjects = _subjects(rec)
    for pod in rec.pods:
        assert len(subjects[pod]) == 1, pod


def _two_pods() -> Recorder:
    """Two pods, each counted (no longer live) and then removed, the second created after
    the first's removal read the POD_CREATED entries; a node named as the first pod."""
    rec = Recorder()
    rec.job_submitted(0.0, "default/j", "j", "default")
    rec.pod_created(1.0, "p1", "default/j", None)
    rec.pod_counted(2.0, "p1", "succeeded")
    rec.pod_removed(3.0, "p1")
    rec.node_down(3.5, "p1")
    rec.pod_created(4.0, "p2", "default/j", None)
    rec.pod_counted(5.0, "p2", "failed")
    rec.pod_condition(6.0, "p2", "DisruptionTarget", "True", "PodGC", "gone")
    rec.pod_removed(7.0, "p2")
    return rec


def test_a_pod_no_longer_live_keeps_its_number() -> None:
    rec = _two_pods()
    kinds = [Kind(k) for k in rec.kind]
    subject = list(rec.subject)
    p1 = [s for k, s in zip(kinds, subject, strict=True) if k.name.startswith("POD")][:3]
    assert len(set(p1)) == 1 and rec.strings[p1[0]] == "p1" == rec.pods["p1"].name
    assert rec.pods["p1"].number == p1[0]
    assert kinds[4] is Kind.NODE_DOWN and subject[4] != p1[0] and rec.strings[subject[4]] == "p1"
    assert [rec.strings[s] for s in subject[5:]] == ["p2"] * 4
    assert set(subject[5:]) == {rec.pods["p2"].number}
    assert rec.strings.count("p1") == 2 and rec.strings.count("p2") == 1


def test_a_name_no_pod_had_is_numbered_as_a_string() -> None:
    rec = _two_pods()
    n = rec._pod_id("stranger")
    assert rec.strings[n] == "stranger" and rec._ids["stranger"] == n
    assert rec._pod_id("stranger") == n


def test_the_number_is_no_field_of_a_pods_row() -> None:
    assert "number" not in _POD_FIELDS and len(_POD_FIELDS) == 16
    p = _two_pods().pods["p2"]
    assert "number" not in p.asdict() and "number" not in repr(p)
    q = PodRecord(**p.asdict())
    assert q == p and q.number == -1


def test_a_loaded_or_unpickled_record_finds_the_numbers_of_its_pods() -> None:
    rec = _two_pods()
    rec.seal()
    numbers = {p: rec.pods[p].number for p in rec.pods}
    copy = pickle.loads(pickle.dumps(rec))
    assert {p: copy._pod(p).number for p in copy.pods} == numbers
    assert copy.to_data() == rec.to_data()
    loaded = Recorder.from_data(rec.to_data())  # its ``_ids`` holds every string
    assert [loaded.pods[p].number for p in loaded.pods] == [-1, -1]
    for p in loaded.pods:
        assert loaded.strings[loaded._pod(p).number] == p
    assert pickle.loads(pickle.dumps(rec.pods["p1"])).number == numbers["p1"]


def test_events_parquet_decodes_a_text_numbered_twice() -> None:
    rec = _two_pods()
    table = _events_table(rec)
    objects = ["default/j", "p1", "p1", "p1", "p1"] + ["p2"] * 4
    assert table.column("object").to_pylist() == objects
    assert table.to_pandas()["object"].tolist() == objects


@pytest.mark.parametrize("name", NAMES)
def test_a_null_recorder_keeps_no_event(name: str) -> None:
    """Pod events log through ``_log_id``, not ``_log``: a NullRecorder drops both."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    rec = NullRecorder()
    Simulation(scenario, rec).run(scenario.stop_time)
    assert len(rec) == 0 and rec.strings == [""]


class _OldLivePod:
    """Pickles as a recorder before ``PodRecord.number`` pickled a live pod."""

    def __init__(self, record: PodRecord, id_: int) -> None:
        self.record, self.id = record, id_

    def __reduce__(self) -> tuple[Any, ...]:
        return (record_module._LivePod, (self.record, self.id))


def test_an_older_pickles_live_pod_loads_as_its_numbered_record() -> None:
    p = PodRecord("p1", "default/j", None, 1.0)
    data = pickle.dumps({"p1": _OldLivePod(p, 7)})
    assert b"_LivePod" in data
    live = pickle.loads(data)
    assert type(live["p1"]) is PodRecord and live["p1"].number == 7 and live["p1"] == p
