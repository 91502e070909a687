"""Tests for jobsim.policy.crashloop (kubelet doBackOff + client-go flowcontrol.Backoff).

Expected values: upstream ``pkg/kubelet/kuberuntime/kuberuntime_manager.go`` ``doBackOff``
(initial 10 s, max 300 s from ``pkg/kubelet/kubelet.go``),
``k8s.io/client-go/util/flowcontrol/backoff.go`` and its backoff_test.go (TestSlowBackoff,
TestBackoffHighWaterMark, TestBackoffReset).
"""

from __future__ import annotations

import pytest

from jobsim.policy.crashloop import CrashLoopEntry, next_entry, restart_delay

INITIAL = 10.0  # initialCrashLoopBackOff
MAX = 300.0  # MaxContainerBackOff


def _crash_loop(run_times: list[float]) -> list[float]:
    """Container starts at 0, runs run_times[k] seconds before its k-th exit; the kubelet
    restarts it as early as doBackOff allows. Returns the delay after each exit."""
    entry: CrashLoopEntry | None = None
    started = 0.0
    delays: list[float] = []
    for run in run_times:
        finished = started + run
        delay = restart_delay(entry, finished, MAX)
        delays.append(delay)
        started = finished + delay
        entry = next_entry(entry, finished, started, INITIAL, MAX)
    return delays


@pytest.mark.parametrize(
    ("run_times", "delays"),
    [
        # doBackOff: restart delays after successive crashes 0, 10, 20, 40, 80, 160, 300, 300 …
        pytest.param(
            [1.0] * 8, [0, 10, 20, 40, 80, 160, 300, 300], id="default_delays_after_successive"
        ),
        # hasExpired: eventTime.Sub(lastUpdate) > maxDuration*2 (600 s). lastUpdate is the restart
        # time, so a run of more than 600 s since the last restart restarts immediately and the
        # sequence starts again at 10 s.
        pytest.param(
            [1.0] * 8 + [600.5, 1.0, 1.0],
            [0, 10, 20, 40, 80, 160, 300, 300, 0, 10, 20],
            id="reset_after_running_longer_than_twice_max",
        ),
        # strict `>`: exactly 600 s is not expired; the backoff keeps its 300 s high-water mark.
        pytest.param(
            [1.0] * 8 + [600.0, 1.0],
            [0, 10, 20, 40, 80, 160, 300, 300, 300, 300],
            id="no_reset_at_exactly_twice_max",
        ),
        # Expiry is relative to lastUpdate, whatever the current backoff: 0, 10, 20, then a long
        # run.
        pytest.param([1.0, 1.0, 1.0, 700.0, 1.0], [0, 10, 20, 0, 10], id="reset_mid_sequence"),
    ],
)
def test_crash_loop_delays(run_times: list[float], delays: list[float]) -> None:
    """The restart delays of a container that runs ``run_times[k]`` seconds before exit k."""
    assert _crash_loop(run_times) == delays


def test_slow_backoff_sequence() -> None:
    # client-go TestSlowBackoff: step 1 s, initial 1 s, max 50 s; Get() before each Next() reads
    # 0, 1, 2, 4, 8, 16, 32, 50, 50, 50.
    entry: CrashLoopEntry | None = None
    got: list[float] = []
    now = 0.0
    for _ in range(10):
        now += 1.0
        got.append(0.0 if entry is None else entry.backoff)
        entry = next_entry(entry, now, now, 1.0, 50.0)
    assert got == [0, 1, 2, 4, 8, 16, 32, 50, 50, 50]


def test_high_water_mark() -> None:
    # client-go TestBackoffHighWaterMark: after reaching max (5 s), a Next() max+step (6 s)
    # later keeps the backoff at max (not expired until > 2*max).
    entry: CrashLoopEntry | None = None
    now = 0.0
    for _ in range(6):
        now += 1.0
        entry = next_entry(entry, now, now, 1.0, 5.0)
    assert entry is not None and entry.backoff == 5.0
    now += 6.0
    entry = next_entry(entry, now, now, 1.0, 5.0)
    assert entry.backoff == 5.0


def test_backoff_reset_in_backoff_since() -> None:
    # client-go TestBackoffReset: at max (5 s) the entry is in backoff for eventTime = now; 11 s
    # later it is not (IsInBackOffSince = now - eventTime < backoff).
    entry: CrashLoopEntry | None = None
    now = 0.0
    for _ in range(6):
        now += 1.0
        entry = next_entry(entry, now, now, 1.0, 5.0)
    last_update = now
    delay = restart_delay(entry, last_update, 5.0)
    assert delay == 5.0  # in backoff at now == eventTime
    assert not (now + 11.0) - last_update < delay


def test_new_or_expired_entry_gets_initial_uncapped() -> None:
    # Next: `if !ok || hasExpired(...) { entry = p.initEntryUnsafe(id) }` -> defaultDuration.
    assert next_entry(None, 5.0, 7.0, 10.0, 300.0) == CrashLoopEntry(10.0, 7.0)
    old = CrashLoopEntry(backoff=300.0, last_update=0.0)
    assert next_entry(old, 601.0, 602.0, 10.0, 300.0) == CrashLoopEntry(10.0, 602.0)
    assert restart_delay(old, 601.0, 300.0) == 0.0
    assert restart_delay(None, 5.0, 300.0) == 0.0
