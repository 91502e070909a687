"""The recorder finds a pod that is still running its course in a small map of live pods
(``Recorder._live``) instead of ``pods`` and the string table: the record must be the same as
when every pod is looked up in full, and the map must hold only pods not yet counted nor
removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobsim import load_scenario
from jobsim.record import Recorder, _LivePod
from jobsim.sim.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


class Uncached(Recorder):
    """Looks every pod up in full, as the recorder did before it kept live pods."""

    def _pod(self, name: str) -> _LivePod:
        return _LivePod(self.pods[name], self._id(name))


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
            assert live.record is self.pods[name]
            assert self.strings[live.id] == name
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
