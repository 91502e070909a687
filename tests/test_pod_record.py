"""``PodRecord`` keeps a pod's times as machine numbers and makes its conditions list on first
use, yet reads, compares, prints, pickles and saves as the dataclass it was; a Job keeps the
names it drew for its pods only until it finishes."""

from __future__ import annotations

import copy
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsim import load_scenario
from jobsim.k8s.job import Job
from jobsim.record import _POD_FIELDS, PodRecord, Recorder
from jobsim.scenario import Workload, decode_job
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.simulation import Simulation
from tests.helpers import job_manifest

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TIMES = ("scheduledAt", "startedAt", "finishedAt", "deletedAt", "removedAt")


def _full() -> PodRecord:
    return PodRecord(
        "pi-abcde",
        "default/pi",
        3,
        1.5,
        attempt=2,
        node="node-1",
        phase="Failed",
        exitCode=1,
        restarts=4,
        scheduledAt=2.0,
        startedAt=3.0,
        finishedAt=4.0,
        deletedAt=5.0,
        removedAt=6.0,
        counted="failed",
        conditions=[{"type": "DisruptionTarget", "status": "True"}],
    )


def test_a_new_record_reads_none_for_every_time_it_has_not_reached() -> None:
    p = PodRecord("pi-abcde", "default/pi", None, 0.0)
    assert [getattr(p, t) for t in TIMES] == [None] * 5
    assert p.index is None and p.attempt is None
    assert p.createdAt == 0.0 and p.conditions == [] and p.phase == "Pending"


def test_a_time_set_reads_back_as_a_float_and_none_unsets_it() -> None:
    p = PodRecord("pi-abcde", "default/pi", None, 0)
    assert p.createdAt == 0.0 and type(p.createdAt) is float
    for i, name in enumerate(TIMES, start=1):
        setattr(p, name, i)  # an int from a user's data
        value = getattr(p, name)
        assert value == float(i) and type(value) is float
        setattr(p, name, None)
        assert getattr(p, name) is None


@pytest.mark.parametrize("field", ["index", "attempt"])
def test_an_index_or_attempt_reads_back_and_none_unsets_it(field: str) -> None:
    p = PodRecord("pi-abcde", "default/pi", None, 0.0)
    for n in (0, 1, 300, 100_000, 2**40):
        setattr(p, field, n)
        assert getattr(p, field) == n
    setattr(p, field, None)
    assert getattr(p, field) is None
    with pytest.raises(ValueError, match=f"PodRecord.{field} must be 0 or more, or None: -1"):
        setattr(p, field, -1)
    with pytest.raises(ValueError, match=f"PodRecord.{field} must be 0 or more"):
        PodRecord(**{**_full().asdict(), field: -2})


def test_each_record_has_its_own_conditions_list() -> None:
    a = PodRecord("a", "default/pi", None, 0.0)
    b = PodRecord("b", "default/pi", None, 0.0)
    a.conditions.append({"type": "DisruptionTarget"})
    assert a.conditions == [{"type": "DisruptionTarget"}] and b.conditions == []
    given: list[dict[str, Any]] = []
    c = PodRecord("c", "default/pi", None, 0.0, conditions=given)
    assert c.conditions is given


def test_a_record_compares_and_prints_by_its_fields_in_order() -> None:
    p = _full()
    assert p == _full() and (p != _full()) is False
    q = _full()
    q.finishedAt = None
    assert p != q
    assert p != ("pi-abcde",) and p.__eq__(("pi-abcde",)) is NotImplemented
    with pytest.raises(TypeError):
        hash(p)  # mutable: unhashable, as a dataclass with eq
    assert repr(p) == (
        "PodRecord(name='pi-abcde', job='default/pi', index=3, createdAt=1.5, attempt=2, "
        "node='node-1', phase='Failed', exitCode=1, restarts=4, scheduledAt=2.0, "
        "startedAt=3.0, finishedAt=4.0, deletedAt=5.0, removedAt=6.0, counted='failed', "
        "conditions=[{'type': 'DisruptionTarget', 'status': 'True'}])"
    )


def test_asdict_gives_every_field_and_copies_the_conditions() -> None:
    p = _full()
    d = p.asdict()
    assert tuple(d) == _POD_FIELDS
    assert d["removedAt"] == 6.0 and d["scheduledAt"] == 2.0
    assert d["conditions"] == p.conditions and d["conditions"][0] is not p.conditions[0]
    assert PodRecord(**d) == p
    assert "removedAt" not in p.to_dict()  # the result's pods[] entry, as before


def test_a_record_pickles_and_copies_with_its_number() -> None:
    p = _full()
    p.number = 7
    for q in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert q == p and q.number == 7


def test_a_run_makes_no_conditions_list_for_a_pod_without_conditions() -> None:
    scenario = load_scenario(SCENARIOS / "node-failure.yaml")
    rec = Recorder()
    Simulation(scenario, rec).run(scenario.stop_time)
    with_conditions = [p for p in rec.pods.values() if p._conditions]
    without = [p for p in rec.pods.values() if not p._conditions]
    assert with_conditions and without
    assert all(p._conditions is None for p in without)
    for p in rec.pods.values():  # NaN stands for "not yet", never a time
        assert all(v is None or not math.isnan(v) for v in (getattr(p, t) for t in TIMES))


def _job(name: str = "pi") -> JobRuntime:
    decoded = decode_job(job_manifest(name=name))
    assert isinstance(decoded, Job), decoded
    workload = Workload.model_validate({"duration": 1.0})
    return JobRuntime(
        f"default/{name}",
        decoded,
        workload,
        np.random.default_rng(1),
        np.random.default_rng(2),
        0.0,
    )


def test_a_job_never_names_two_pods_alike() -> None:
    job = _job()
    draws = iter([0, 0, 1])  # the second draw repeats the first: drawn again
    job._name_bits = lambda bits: next(draws)
    assert job.pod_name(None) == "pi-bbbbb"
    assert job.pod_name(None) == "pi-cbbbb"
    assert job.used_names == {"pi-bbbbb", "pi-cbbbb"}


@pytest.mark.parametrize(
    ("name", "index", "want"),
    [
        ("pi", 7, "pi-7-bbbbb"),
        ("a" * 36, 12345, "a" * 36 + "-12345-bbbbb"),  # the longest name built in one go
        ("a" * 36, 2**31 - 1, "a" * 36 + "-2147483647-bbbbb"),
        ("a" * 50, 1_000_000, "a" * 49 + "-1000000-bbbbb"),
        ("a" * 37, 12345, "a" * 37 + "-12345-bbbbb"),
        ("a" * 51, 12345, "a" * 51 + "-12345-bbbbb"),  # 58 characters before the random ones
        ("a" * 52, 12345, "a" * 51 + "-12345-bbbbb"),  # cut, the "-<index>-" kept whole
        ("a" * 63, 0, "a" * 55 + "-0-bbbbb"),
    ],
)
def test_an_indexed_pod_is_named_job_index_and_five_characters(
    name: str, index: int, want: str
) -> None:
    """``podGenerateNameWithIndex``: ``<job>-<index>-``, the Job's name cut so that the
    prefix is at most 58 characters (``MaxGeneratedNameLength``), then 5 random ones; a name
    drawn again for the same index is drawn anew."""
    job = _job()
    job.name = name
    job._name_prefix = f"{name}-"[:58]
    draws = iter([0, 0, 1])
    job._name_bits = lambda bits: next(draws)
    assert job.pod_name(index) == want
    assert len(want) <= 63
    again = job.pod_name(index)
    assert again == want[:-5] + "cbbbb"


def _upstream_indexed_prefix(job_name: str, index: int) -> str:
    """``podGenerateNameWithIndex``, as upstream writes it."""
    append_index = f"-{index}-"
    prefix = job_name + append_index
    if len(prefix) > 58:  # names.MaxGeneratedNameLength
        prefix = prefix[: 58 - len(append_index)] + append_index
    return prefix


def test_every_job_name_length_and_index_width_names_pods_as_upstream() -> None:
    job = _job()
    job._name_bits = lambda bits: 0
    for length in range(1, 64):
        job.name = "j" * length
        job._name_prefix = f"{job.name}-"[:58]  # as JobRuntime sets it from the name
        for index in (0, 7, 12345, 1_000_000, 2**31 - 1):
            job.used_names.clear()
            assert job.pod_name(index) == _upstream_indexed_prefix(job.name, index) + "bbbbb"


@pytest.mark.parametrize("name", ["pi", "node-failure", "pod-failure-policy"])
def test_a_finished_job_keeps_no_names(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    rec = Recorder()
    sim = Simulation(scenario, rec)
    sim.run(scenario.stop_time)
    finished = [j for j in sim.jobs.values() if j.finished]
    assert finished
    assert all(not j.used_names for j in finished)
    assert len(rec.pods) == sim.pods_created  # every pod's name its own
