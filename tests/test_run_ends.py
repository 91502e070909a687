"""Every run ends (issue 13, part 1): a stalled clock is an error naming its zero delays,
degenerate failure distributions are refused, a run with nothing left to change stops, a run
with no horizon stops at the default one, and ``end`` is when the last thing happened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jobsim import load_scenario, simulate
from jobsim.api import DEFAULT_HORIZON, RunStuck, job_outcome
from jobsim.sim.engine import Clock, Prio, Stalled
from tests.helpers import checkout_env, job_manifest, run, scenario, scenario_error, write_file

JOBSIM = Path(sys.executable).with_name("jobsim")
FAILS = {"duration": "8s", "failure": {"probability": 1.0, "exitCode": 2}}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JOBSIM), *args], capture_output=True, text=True, env=checkout_env(), timeout=120
    )


# -- the stall guard -------------------------------------------------------------------------


def test_clock_stalls_after_its_limit_of_calls_at_one_instant() -> None:
    """A call that schedules itself again at once: the limit's call is the last allowed."""
    clock = Clock(stall_limit=50)
    ran: list[float] = []

    def again() -> None:
        ran.append(clock.now)
        clock.call(0.0, Prio.KUBELET, again)

    clock.call(5.0, Prio.KUBELET, again)
    with pytest.raises(Stalled) as info:
        clock.run()
    # the first call (delay 5) does not count; then 50 zero-delay calls are allowed and the
    # 51st is refused while being scheduled by the 50th run
    assert (info.value.now, info.value.calls, len(ran)) == (5.0, 51, 51)


def test_a_delay_below_float_resolution_counts_as_no_time() -> None:
    """At t=1e6, 1e-300 s later is the same float: time does not advance."""
    clock = Clock(stall_limit=10)

    def again() -> None:
        clock.call(1e-300, Prio.KUBELET, again)

    clock.call(1e6, Prio.KUBELET, again)
    with pytest.raises(Stalled) as info:
        clock.run()
    assert info.value.now == 1e6


def test_calls_at_one_instant_then_time_moves_on_do_not_stall() -> None:
    """The count restarts when virtual time advances."""
    clock = Clock(stall_limit=10)
    left = [25]

    def tick() -> None:
        left[0] -= 1
        for _ in range(9):  # 9 zero-delay calls per instant, under the limit of 10
            clock.call(0.0, Prio.KUBELET, lambda: None)
        if left[0]:
            clock.call(1.0, Prio.KUBELET, tick)

    clock.call(0.0, Prio.KUBELET, tick)
    clock.run()
    assert clock.now == 24.0


def _zero_loop() -> dict[str, Any]:
    """OnFailure, containers that fail after 0 s, no container start or restart delay."""
    data = scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=3), {**FAILS}))
    data["jobs"][0]["workload"]["duration"] = "0s"
    data["timing"]["crashLoopBackoffInitial"] = "0s"
    data["horizon"] = "1h"
    return data


@pytest.mark.slow
def test_a_zero_delay_restart_loop_is_stuck_and_says_why() -> None:
    """containerStart 0, crashLoopBackoffInitial 0 and a 0 s run: the kubelet restarts the
    container at t=0 for ever (the horizon is never reached); the error names the three."""
    loaded = load_scenario(_zero_loop())
    assert loaded.warnings == [
        "<scenario>: jobs[0].workload.duration: containers run 0s, restart after 0s "
        "(timing.crashLoopBackoffInitial and timing.containerStart are 0s) and restartPolicy is "
        "OnFailure: a failing container restarts at the same instant for ever and the run "
        "stops as stuck"
    ]
    with pytest.raises(RunStuck) as info:
        simulate(loaded)
    text = str(info.value)
    assert text.startswith("the run is stuck at t=0s: ")
    assert "so virtual time would never advance" in text
    assert text.endswith(
        "Zero delays that allow it: timing.jobSyncDelay 0s; timing.containerStart 0s; "
        "timing.crashLoopBackoffInitial 0s; jobs[0].workload.duration 0s. Make one of them "
        "positive"
    )
    assert "container exited of job-" in text  # what kept repeating


@pytest.mark.slow
def test_the_cli_reports_a_stuck_run_and_exits_1(tmp_path: Path) -> None:
    import yaml

    path = write_file(tmp_path, yaml.safe_dump(_zero_loop()))
    done = _cli("run", str(path))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "error: the run is stuck at t=0s:" in done.stderr


# -- degenerate failure distributions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "field", "what"),
    [
        (
            {"mtbf": {"constant": "0s"}, "mttr": "5m"},
            "mtbf",
            "a node would fail again the instant it is repaired",
        ),
        (
            {"mtbf": {"uniform": {"min": 0, "max": 0}}, "mttr": "5m"},
            "mtbf",
            "a node would fail again the instant it is repaired",
        ),
        (
            {"mtbf": "1h", "mttr": {"constant": 0}},
            "mttr",
            "a failed node would be repaired the instant it failed",
        ),
    ],
)
def test_failures_whose_every_draw_is_zero_are_refused(
    failures: dict[str, Any], field: str, what: str
) -> None:
    data = scenario((job_manifest(), {"duration": "10s"}))
    data["horizon"] = "1h"
    data["cluster"]["nodePools"][0]["failures"] = failures
    lines = scenario_error(data).lines
    assert lines == [
        f"<scenario>: cluster.nodePools[0].failures.{field}: every draw is 0s: {what}; "
        "give it a positive value"
    ]


# -- quiescence and the default horizon ------------------------------------------------------


def _failing_pool(data: dict[str, Any]) -> dict[str, Any]:
    data["cluster"]["nodePools"][0]["failures"] = {"mtbf": "1h", "mttr": "5m"}
    return data


def test_random_failures_without_a_horizon_warn() -> None:
    loaded = load_scenario(_failing_pool(scenario((job_manifest(), {"duration": "10s"}))))
    assert loaded.warnings == [
        "<scenario>: cluster.nodePools[0].failures: random node failures and no `horizon`: "
        "the run ends when no Job is left that could change, at the latest after 720h0m0s of "
        "virtual time; set `horizon:` to say where it ends"
    ]


def test_a_suspended_job_under_random_failures_ends_the_run_at_once() -> None:
    """Suspended from the start, it creates no pod: only node failures are left, so they stop
    and the run ends at the last event, the submission at 0."""
    r = run(_failing_pool(scenario((job_manifest(suspend=True), {"duration": "10s"}))))
    assert r.end == 0.0
    assert job_outcome(r.job("job")["status"])[0] == "Suspended"


def test_a_job_that_fits_no_node_under_random_failures_ends_the_run() -> None:
    """8 cpu on 4-cpu nodes and no autoscaler: Pending for ever; the run ends at t=0, where
    the scheduler last said why."""
    big = job_manifest(
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox", "resources": {"requests": {"cpu": "8"}}}
            ]
        }
    )
    r = run(_failing_pool(scenario((big, {"duration": "10s"}))))
    assert r.end == 0.0
    assert [p["phase"] for p in r.pods()] == ["Pending"]


@pytest.mark.slow
def test_a_job_that_never_ends_stops_at_the_default_horizon() -> None:
    """OnFailure restarts count toward backoffLimit, which 2**31-1 restarts never reach: the
    run stops at the default horizon, 30 days of virtual time, the Job still running."""
    data = scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=2**31 - 1), FAILS))
    r = run(data)
    assert DEFAULT_HORIZON == 30 * 24 * 3600
    assert r.end == DEFAULT_HORIZON
    assert job_outcome(r.job("job")["status"])[0] == "Running"


@pytest.mark.slow
def test_the_cli_warns_when_the_default_horizon_stops_a_run(tmp_path: Path) -> None:
    import yaml

    data = scenario((job_manifest(restartPolicy="OnFailure", backoffLimit=2**31 - 1), FAILS))
    path = write_file(tmp_path, yaml.safe_dump(data))
    done = _cli("run", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"warning: {path}: the scenario sets no horizon and Jobs were still running at the "
        "default one, 720h0m0s of virtual time, where the run stopped; set `horizon:` to "
        "choose where it ends\n"
    )


# -- end -------------------------------------------------------------------------------------


def test_end_is_the_last_event_not_the_horizon_when_jobs_finish_early() -> None:
    """Zero latencies, one 10 s pod: Complete at 10, well before the 1 h horizon."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    data["horizon"] = "1h"
    r = run(data)
    assert job_outcome(r.job("job")["status"])[0] == "Complete"
    assert r.end == 10.0


def test_end_is_the_horizon_when_a_job_is_still_running_there() -> None:
    data = scenario((job_manifest(), {"duration": "2h"}))
    data["horizon"] = "1h"
    assert run(data).end == 3600.0


def test_a_cancelled_timer_does_not_move_the_end() -> None:
    """activeDeadlineSeconds 1e6 arms a timer the Job's completion at 10 cancels."""
    data = scenario((job_manifest(activeDeadlineSeconds=1_000_000), {"duration": "10s"}))
    assert run(data).end == 10.0
