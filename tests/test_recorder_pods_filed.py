"""``Recorder.pods`` files a new pod's row by its name when it is next read, not when the pod is
created (the index of a million names missed the caches at each insert): what it holds when read
is what the recorder held when every row was filed at once."""

from __future__ import annotations

import pickle

import pytest

from jobsim import load_scenario
from jobsim.record import Kind, PodRecord, Recorder
from jobsim.sim.simulation import Simulation
from tests.test_recorder_live_pods import NAMES, SCENARIOS, Uncached


def _run(name: str, rec: Recorder) -> Simulation:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    sim = Simulation(scenario, rec)
    sim.run(scenario.stop_time)
    return sim


@pytest.mark.parametrize("name", NAMES)
def test_the_rows_are_filed_when_read_in_the_order_the_pods_were_created(name: str) -> None:
    rec = Recorder()
    sim = _run(name, rec)
    created = [
        rec.strings[s] for k, s in zip(rec.kind, rec.subject, strict=True) if k == Kind.POD_CREATED
    ]
    assert len(created) == sim.pods_created > 0
    # each row is filed (a lookup of a pod no longer live asked for it) or waits
    unfiled = len(rec._unfiled)
    assert unfiled + len(rec._filed) == len(created)
    pods = rec.pods
    assert not rec._unfiled
    assert list(pods) == list(dict.fromkeys(created))  # a name created again keeps its place
    assert rec.pods is pods  # filed once
    # and the same rows as a recorder that read them at every event (Uncached)
    full = Uncached()
    _run(name, full)
    assert rec.to_data() == full.to_data()


def test_a_run_that_only_ran_its_pods_files_none_of_them() -> None:
    rec = Recorder()
    sim = _run("pi", rec)
    assert rec._filed == {}
    assert len(rec._unfiled) == sim.pods_created == 1


def test_a_name_created_again_files_its_newest_row() -> None:
    rec = Recorder()
    rec.job_submitted(0.0, "default/j", "j", "default")
    rec.pod_created(1.0, "p", "default/j", None)
    rec.pod_counted(2.0, "p", "failed")
    rec.pod_created(3.0, "p", "default/j", None)
    assert [p.createdAt for p in rec._unfiled] == [1.0, 3.0]
    assert list(rec.pods) == ["p"]
    assert rec.pods["p"].createdAt == 3.0


def test_a_name_filed_then_created_again_keeps_its_place_and_takes_the_newest_row() -> None:
    rec = Recorder()
    rec.job_submitted(0.0, "default/j", "j", "default")
    for name in ("p", "q"):
        rec.pod_created(1.0, name, "default/j", None)
    rec.pod_counted(2.0, "p", "failed")
    assert list(rec.pods) == ["p", "q"]  # filed
    rec.pod_created(3.0, "p", "default/j", None)  # waits
    assert [p.createdAt for p in rec._unfiled] == [3.0]
    assert list(rec.pods) == ["p", "q"]
    assert rec.pods["p"].createdAt == 3.0


def test_a_pickle_keeps_the_rows_not_yet_filed() -> None:
    rec = Recorder()
    _run("indexed", rec)
    rec.seal()  # the Jobs' live statuses become data; the rows wait still
    assert rec._unfiled
    loaded = pickle.loads(pickle.dumps(rec))
    assert not loaded._unfiled
    assert loaded.pods == rec.pods
    assert list(loaded.pods) == list(rec.pods)


def test_rows_set_whole_replace_the_ones_not_yet_filed() -> None:
    rec = Recorder()
    rec.job_submitted(0.0, "default/j", "j", "default")
    rec.pod_created(1.0, "p", "default/j", None)
    row = PodRecord("q", "default/j", None, 0.5)
    rec.pods = {"q": row}
    assert rec.pods == {"q": row}
