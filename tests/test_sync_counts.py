"""The counts a Job keeps so that a sync does not scan its pods (``ready_active``,
``active_indexes``, ``live_restarts``) equal what scanning would give, at every sync.

Upstream's ``syncJob`` lists the Job's pods and counts them (``countReadyPods``,
``pastBackoffLimitOnFailure``, the active indexes of ``firstPendingIndexes``); jobsim keeps the
same numbers up to date as pods change, so a sync costs what its changed pods cost. Each test
wraps ``sync_job`` and recounts by scanning before every sync.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from jobsim import load_scenario, simulate
from jobsim.scenario.model import Scenario
from jobsim.sim import controller
from jobsim.sim.jobs import JobRuntime
from jobsim.sim.syncctx import ControllerEnv
from jobsim.testing.strategies import scenarios
from tests.golden import scenario_files
from tests.helpers import DRAWN, load_drawn


def scanned(job: JobRuntime) -> tuple[int, dict[int, int], int]:
    """The counts as a scan of the Job's pods gives them."""
    ready = sum(1 for p in job.active.values() if p.ready)
    indexes = Counter(p.index for p in job.active.values() if p.index is not None)
    restarts = sum(p.restart_count for p in job.active.values()) + sum(
        p.restart_count for p in job.terminating.values()
    )
    return ready, dict(indexes), restarts


def kept(job: JobRuntime) -> tuple[int, dict[int, int], int]:
    """The counts the Job keeps."""
    return job.ready_active, dict(job.active_indexes), job.live_restarts


def run_counting(monkeypatch: pytest.MonkeyPatch, sc: Scenario) -> int:
    """Run ``sc`` checking the counts before and after every sync; the syncs checked."""
    checked = 0
    real = controller.sync_job

    def sync_job(env: ControllerEnv, job: JobRuntime) -> None:
        nonlocal checked
        assert kept(job) == scanned(job), f"{job.key} before the sync at {env.now}"
        real(env, job)
        assert kept(job) == scanned(job), f"{job.key} after the sync at {env.now}"
        checked += 1

    monkeypatch.setattr(controller, "sync_job", sync_job)
    simulate(sc)
    return checked


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_kept_counts_match_a_scan_on_every_shipped_scenario(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    assert run_counting(monkeypatch, load_scenario(path)) > 0


@pytest.mark.slow
@DRAWN
@given(scenarios())
def test_kept_counts_match_a_scan_on_drawn_scenarios(
    monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]
) -> None:
    sc = load_drawn(data)
    if sc is not None:
        run_counting(monkeypatch, sc)
