"""The numbers of a pod counted succeeded are kept compactly and read back as the dicts they
were given, in event order: whatever is read, and when."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from jobsim import load_scenario, simulate
from jobsim.record import Kind, Recorder
from jobsim.sim.simulation import Simulation
from tests.golden import SCENARIOS, scenario_files


class DictsOnly(Recorder):
    """Every numbers dict kept as given: the record as it was before the triples."""

    def _keep_succeeded(self, numbers: dict[str, Any]) -> bool:
        return False


def _kept(rec: Recorder) -> int:
    """Succeeded counts kept as triples, not yet read back."""
    return (len(rec._succeeded) + len(rec._succeeded_pending)) // 3


def _same_numbers(rec: Recorder, plain: Recorder) -> None:
    assert list(rec.numbers.items()) == list(plain.numbers.items())  # order included
    for numbers in rec.numbers.values():
        for value in numbers.values():
            assert type(value) in (int, float, str, bool, type(None), list, dict)


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_scenario_reads_the_dicts_it_was_given(path: Path) -> None:
    scenario = load_scenario(path)
    rec = simulate(scenario).recorder
    plain = simulate(scenario, recorder=DictsOnly()).recorder
    counted = [
        i
        for i, *_, ref, _a, _b, _text in plain.select(Kind.POD_COUNTED)
        if ref == "succeeded" and list(plain.numbers.get(i, ())) == ["succeeded", "completions"]
    ]
    assert _kept(rec) == len(counted)  # each once, however many blocks were moved
    _same_numbers(rec, plain)
    assert rec.to_data() == plain.to_data()


def test_numbers_read_during_a_run_and_after_it_are_in_event_order() -> None:
    scenario = load_scenario(SCENARIOS / "indexed.yaml")
    plain = simulate(scenario, recorder=DictsOnly()).recorder
    rec = Recorder()
    sim = Simulation(scenario, rec)
    held = rec.numbers  # a reader holding the dict sees what is read later
    kept = []
    for until in (33.0, 50.0, 70.0):
        sim.run(until)
        kept.append(_kept(rec))
        assert rec.numbers == {i: n for i, n in plain.numbers.items() if i < len(rec)}
        assert _kept(rec) == 0
    sim.run(scenario.stop_time)
    kept.append(_kept(rec))
    _same_numbers(rec, plain)
    assert held is rec.numbers
    assert all(kept), kept  # every read had kept counts to merge


def _recorder_with_a_pod() -> tuple[Recorder, str, str]:
    rec = simulate(load_scenario(SCENARIOS / "pi.yaml")).recorder
    job = next(iter(rec.jobs))
    rec.pod_created(1000.0, "pi-extra", job, None)
    return rec, "pi-extra", job


@pytest.mark.parametrize(
    "numbers",
    [
        {"completions": 1, "succeeded": 1},  # the keys in another order
        {"succeeded": True, "completions": 1},  # a bool is no count
        {"succeeded": 1, "completions": -1},
        {"succeeded": -1, "completions": 1},
        {"succeeded": 2**53, "completions": 1},
        {"succeeded": 1, "completions": 2**64},
        {"succeeded": 1.0, "completions": 1},
        {"succeeded": 1, "completions": 1, "index": 0},
        {"succeeded": 1},
    ],
)
def test_other_numbers_are_kept_as_the_dict_given(numbers: dict[str, Any]) -> None:
    rec, pod, _ = _recorder_with_a_pod()
    at = len(rec)
    rec.pod_counted(1001.0, pod, "succeeded", numbers)
    assert rec.numbers[at] is numbers
    assert list(rec.numbers)[-1] == at


@pytest.mark.parametrize("completions", [None, 0, 7, 2**53 - 1])
def test_a_succeeded_count_reads_back_equal(completions: int | None) -> None:
    rec, pod, _ = _recorder_with_a_pod()
    at = len(rec)
    before = list(rec.numbers.items())
    rec.pod_counted(1001.0, pod, "succeeded", {"succeeded": 3, "completions": completions})
    assert _kept(rec) == 1  # kept as a triple
    got = rec.numbers[at]
    assert got == {"succeeded": 3, "completions": completions}
    assert list(got) == ["succeeded", "completions"]
    assert list(rec.numbers.items()) == [*before, (at, got)]
    assert _kept(rec) == 0


def test_failed_counts_keep_their_dict() -> None:
    rec, pod, _ = _recorder_with_a_pod()
    at = len(rec)
    numbers = {"succeeded": 3, "completions": 4}
    rec.pod_counted(1001.0, pod, "failed", numbers)
    assert rec.numbers[at] is numbers


def test_pickled_and_assigned_numbers() -> None:
    rec, pod, _ = _recorder_with_a_pod()
    at = len(rec)
    rec.pod_counted(1001.0, pod, "succeeded", {"succeeded": 5, "completions": None})
    copy = pickle.loads(pickle.dumps(rec))
    assert copy.numbers[at] == {"succeeded": 5, "completions": None}
    rec.numbers = {}
    assert rec.numbers == {}
