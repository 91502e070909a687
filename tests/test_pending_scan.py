"""The Indexed pending scan that starts above the indexes it knows to be busy
(``manage._pending_indexes``) gives what upstream's ``firstPendingIndexes`` over every index
gives, at every sync that creates pods.

It remembers, between syncs, the highest index up to which everything was busy, the free
indexes below it and the indexes freed since; these tests wrap it and compare each answer
with the whole scan, on the shipped scenarios, on a large Indexed Job with failures (whose
indexes finish out of order) and on drawn scenarios.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from jobsim import load_scenario, simulate
from jobsim.policy.intervals import first_pending_indexes
from jobsim.scenario.model import Scenario
from jobsim.sim import manage
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.syncctx import IndexUnion
from jobsim.testing.strategies import scenarios
from tests.golden import scenario_files
from tests.helpers import DRAWN, load_drawn

INDEXED = {
    "indexed",
    "elastic",
    "backoff-per-index",
    "success-policy",
}


def run_checking(monkeypatch: pytest.MonkeyPatch, sc: Scenario) -> int:
    """Run ``sc`` comparing every pending scan with the whole one; the scans checked."""
    checked = 0
    real = manage._pending_indexes

    def pending(job: JobRuntime, busy: IndexUnion, count: int, completions: int) -> list[int]:
        nonlocal checked
        got = real(job, busy, count, completions)
        want = first_pending_indexes(busy, count, completions)
        assert got == want, f"{job.key}: {got} from index {job.busy_floor}, {want} in all"
        checked += 1
        return got

    monkeypatch.setattr(manage, "_pending_indexes", pending)
    simulate(sc)
    return checked


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_the_scan_matches_the_whole_scan_on_every_shipped_scenario(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    checked = run_checking(monkeypatch, load_scenario(path))
    assert checked > 0 or path.stem not in INDEXED


def test_indexes_that_finish_out_of_order_are_found_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """3,000 completions at parallelism 300, 20 % of runs failing: the failed indexes are
    holes far below the highest index created, each found by the scan that follows."""
    data = {
        "name": "holes",
        "cluster": {
            "nodePools": [{"name": "w", "count": 20, "capacity": {"cpu": "16", "memory": "64Gi"}}]
        },
        "jobs": [
            {
                "manifest": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": "holes"},
                    "spec": {
                        "completionMode": "Indexed",
                        "completions": 3000,
                        "parallelism": 300,
                        "backoffLimit": 3000,
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "w",
                                        "image": "w",
                                        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
                                    }
                                ],
                            }
                        },
                    },
                },
                "workload": {
                    "duration": {"lognormal": {"median": "60s", "sigma": 0.5}},
                    "failure": {"probability": 0.2, "exitCode": 1},
                },
            }
        ],
    }
    assert run_checking(monkeypatch, load_scenario(data)) > 100


@pytest.mark.slow
@DRAWN
@given(scenarios())
def test_the_scan_matches_the_whole_scan_on_drawn_scenarios(
    monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    sc = load_drawn(data)
    if sc is not None:
        run_checking(monkeypatch, sc)
