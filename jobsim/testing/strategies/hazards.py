"""Hazards aimed at on purpose (:data:`HAZARDS`, :func:`aimed`): a scenario is run once
unchanged, then an event or two script entries are added at a moment that run shows."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st

from jobsim import load_scenario, simulate
from jobsim.scenario import Scenario
from jobsim.testing.strategies._common import _check_strategy, _plain
from jobsim.testing.strategies.manifest import _counted, _facts
from jobsim.units import parse_duration

__all__ = ["HAZARDS", "aimed"]

HAZARDS: tuple[str, ...] = ("nodeLost", "drain", "simultaneousFailures", "lastAttempt")
"""The rare hazards :func:`scenarios` and :func:`aimed` aim at on purpose:

- ``nodeLost``: a node stops reporting (``nodeDown``, perhaps followed by ``nodeUp`` or
  ``nodeOutOfService``) or is deleted (``nodeRemove``) while a container runs on it (when it
  is the cluster's only node, the node lifecycle controller's master disruption mode evicts
  nothing: its pods wait for it, unless ``cluster.nodeLifecycle`` is ``off``);
- ``drain``: a node is drained (perhaps ``uncordon``-ed later) while a container runs on it;
- ``simultaneousFailures``: two pods of one Job fail at the same instant, so that one sync
  sees both failures;
- ``lastAttempt``: one index (the NonIndexed Job) fails every attempt up to the last one its
  ``backoffLimit`` (``backoffLimitPerIndex``) allows, and that last attempt fails too.
"""

AIM_MAX_AFTER = 60
"""Longest run, in seconds, of the script entries a ``lastAttempt`` aim adds."""
AIM_MAX_SEQUEL = 600
"""Longest time, in seconds, from an aimed node event to its sequel (nodeUp, uncordon …)."""


def aimed(
    scenario: Mapping[str, Any], *, hazards: st.SearchStrategy[str | None] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Variants of one fixed scenario, each aimed at a hazard of :data:`HAZARDS`.

    The scenario is loaded once, here (a ``ScenarioError`` if it is not valid); the first
    draw that needs it runs it once without changes, which takes milliseconds, and reads when
    and where each container ran. An aimed variant then adds to it:

    - ``nodeLost`` / ``drain``: a ``nodeDown`` or ``nodeRemove`` (``drain``) of the node a
      drawn run is on, at a time strictly inside that run (a whole second when one fits), and
      perhaps its sequel (``nodeUp`` or ``nodeOutOfService``; ``uncordon``) 1 s to 10 min later;
    - ``simultaneousFailures``: two script entries that make two runs of one Job that overlap
      fail at one instant inside both (both exits computed to the same float);
    - ``lastAttempt``: two script entries for one index (the NonIndexed Job): its last
      attempt the backoff limit lets fail exits with a code the Job's podFailurePolicy names
      or 1, every other attempt with a code it counts.

    Nothing before the added event or exits changes, so the aimed moment happens as drawn. A
    hazard the scenario cannot show (no run on an initial node, no two runs at once, no Job
    whose failures count) leaves the scenario as it is. Jobs of an entry with ``replicas`` are
    not aimed at (their entries share one script).

    Args:
        scenario: a scenario as data (what its YAML file holds).
        hazards: strategy for the hazard of each example: one of :data:`HAZARDS`, or
            ``None`` for the scenario unchanged. Default: each of :data:`HAZARDS`.
    """
    if not isinstance(scenario, Mapping):
        raise TypeError(f"scenario must be a scenario mapping, got {type(scenario).__name__}")
    _check_strategy("hazards", hazards)
    base = _Base(_plain(scenario))
    _ = base.loaded  # a ScenarioError now, not while drawing
    return _aimed(base, hazards if hazards is not None else st.sampled_from(HAZARDS))


class _Base:
    """A scenario to aim at, loaded and run once, when first needed."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._loaded: Scenario | None = None
        self._runs: list[_Run] | None = None

    @property
    def loaded(self) -> Scenario:
        if self._loaded is None:
            self._loaded = load_scenario(copy.deepcopy(self.data))
        return self._loaded

    @property
    def runs(self) -> list[_Run]:
        """Every container run of the Jobs aimed at, in pod creation order."""
        if self._runs is None:
            self._runs = _runs(self.loaded, _targets(self.loaded))
        return self._runs


@st.composite
def _aimed(draw: st.DrawFn, base: _Base, hazards: st.SearchStrategy[str | None]) -> dict[str, Any]:
    hazard = draw(hazards)
    if hazard is None:
        return copy.deepcopy(base.data)
    return _aim(draw, base, hazard)


@dataclass(frozen=True)
class _Run:
    """One container run as the unchanged scenario ran it: of which Job, index and attempt,
    on which node, and from when until its container exited or its pod was deleted."""

    job: str
    index: int | None
    attempt: int
    node: str | None
    start: float
    end: float


DRY_RUN_UNTIL = 7 * 24 * 3600.0
"""Where the unchanged run of a scenario without a horizon stops, in seconds."""
MAX_RUNS = 64
"""Runs looked at for a pair failing at one instant (pairs grow as their square)."""


def _targets(loaded: Scenario) -> dict[str, int]:
    """The Jobs to aim at, by key: their position in ``jobs`` (entries without replicas)."""
    return {e.key: e.source for e in loaded.jobs if e.replicas is None}


def _runs(loaded: Scenario, targets: Mapping[str, int]) -> list[_Run]:
    # A scenario without a horizon may never end (a rule that ignores every failure retries
    # for ever): the run that aims stops after a week of virtual time all the same.
    result = simulate(loaded, until=DRY_RUN_UNTIL if loaded.horizon is None else None)
    out = []
    for pod in result.lives.pods.values():
        if pod.job not in targets:
            continue
        for run in pod.runs:
            ends = [t for t in (run.end, pod.deleted) if t is not None]
            end = min(ends) if ends else result.end
            if end > run.start:
                out.append(_Run(pod.job, pod.index, run.attempt, pod.node, run.start, end))
    return out


def _aim(draw: st.DrawFn, base: _Base, hazard: str) -> dict[str, Any]:
    """``base`` changed to show ``hazard`` (see :func:`aimed`); a new dict."""
    if hazard not in HAZARDS:
        raise ValueError(f"unknown hazard {hazard!r}; expected one of {', '.join(HAZARDS)}")
    data = copy.deepcopy(base.data)
    if hazard == "lastAttempt":
        return _aim_last_attempt(draw, data, base.loaded)
    if hazard == "simultaneousFailures":
        return _aim_simultaneous(draw, data, base.loaded, base.runs)
    return _aim_node(draw, data, base.runs, hazard)


def _at(seconds: float) -> int | float:
    """A time as the scenario writes it: a whole number of seconds as an int."""
    return int(seconds) if float(seconds).is_integer() else seconds


def _inside(draw: st.DrawFn, start: float, end: float) -> int | float:
    """A time strictly between ``start`` and ``end``: a whole second if one fits."""
    low, high = math.floor(start) + 1, math.ceil(end) - 1
    if low <= high:
        return draw(st.integers(low, high))
    return _at((start + end) / 2)


def _initial_node(cluster: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` is one of the cluster's initial nodes (events may name only those)."""
    pool, _, number = name.rpartition("-")
    counts = {p["name"]: p["count"] for p in cluster["nodePools"]}
    return number.isdigit() and str(int(number)) == number and int(number) < counts.get(pool, 0)


def _with_events(data: dict[str, Any], added: list[dict[str, Any]]) -> dict[str, Any]:
    """``data`` with ``added`` among its events, in time order (after those at equal times)."""
    events = [*data.get("events", []), *added]
    data["events"] = sorted(events, key=lambda e: parse_duration(e["at"]))
    return data


def _aim_node(
    draw: st.DrawFn, data: dict[str, Any], runs: list[_Run], hazard: str
) -> dict[str, Any]:
    windows = [r for r in runs if r.node is not None and _initial_node(data["cluster"], r.node)]
    if not windows:
        return data
    run = draw(st.sampled_from(windows))
    assert run.node is not None
    at = _inside(draw, run.start, run.end)
    if hazard == "nodeLost":
        kind = draw(st.sampled_from(("nodeDown", "nodeRemove")))
        sequels: tuple[str | None, ...] = (
            (None, "nodeUp", "nodeOutOfService") if kind == "nodeDown" else (None,)
        )
    else:
        kind, sequels = "drain", (None, "uncordon")
    added: list[dict[str, Any]] = [{"at": at, kind: run.node}]
    sequel = draw(st.sampled_from(sequels))
    if sequel is not None:
        added.append({"at": _at(at + draw(st.integers(1, AIM_MAX_SEQUEL))), sequel: run.node})
    return _with_events(data, added)


def _scripted(
    data: dict[str, Any],
    source: int,
    added: list[dict[str, Any]],
    shadowed: Callable[[Mapping[str, Any]], bool],
) -> None:
    """Put ``added`` first in the script of ``jobs[source]``, dropping the entries they
    shadow (the first matching entry wins)."""
    workload = data["jobs"][source]["workload"]
    kept = [e for e in workload.get("script", []) if not shadowed(e)]
    workload["script"] = [*added, *kept]


def _aim_simultaneous(
    draw: st.DrawFn, data: dict[str, Any], loaded: Scenario, runs: list[_Run]
) -> dict[str, Any]:
    head = runs[:MAX_RUNS]
    pairs = []
    for i, a in enumerate(head):
        for b in head[i + 1 :]:
            low, high = max(a.start, b.start), min(a.end, b.end)
            # runs that only touch (one ends as the other starts) cannot fail together: the
            # second starts because of the first one's end
            if a.job == b.job and (a.index, a.attempt) != (b.index, b.attempt) and low < high:
                pairs.append((a, b, low, high))
    if not pairs:
        return data
    a, b, low, high = draw(st.sampled_from(pairs))
    whole_low, whole_high = math.ceil(low), math.floor(high)
    t = draw(st.integers(whole_low, whole_high)) if whole_low <= whole_high else low
    after_a = t - a.start
    after_b = (a.start + after_a) - b.start
    if min(after_a, after_b) < 0 or a.start + after_a != b.start + after_b:
        return data  # float round-off: no exact common instant
    entries = {e.key: e for e in loaded.jobs}
    codes = _facts(entries[a.job].job).codes
    added = []
    for run, after in ((a, after_a), (b, after_b)):
        entry: dict[str, Any] = {} if run.index is None else {"index": run.index}
        entry.update(attempt=run.attempt, exitCode=draw(st.sampled_from(codes)), after=_at(after))
        added.append(entry)
    keys = {(e.get("index"), e["attempt"]) for e in added}
    _scripted(
        data,
        entries[a.job].source,
        added,
        lambda e: "attempt" in e and (e.get("index"), e["attempt"]) in keys,
    )
    return data


def _aim_last_attempt(draw: st.DrawFn, data: dict[str, Any], loaded: Scenario) -> dict[str, Any]:
    targets = [e for e in loaded.jobs if e.replicas is None]
    if not targets:
        return data
    target = draw(st.sampled_from(targets))
    facts = _facts(target.job)
    indexed = target.job.spec.completionMode == "Indexed"
    if indexed and not facts.indexes:
        return data
    index = draw(st.integers(0, facts.indexes - 1)) if indexed else None
    last = facts.last_attempt
    counted = next((c for c in (*facts.codes, *range(2, 256)) if _counted(target.job, c)), None)
    if last > 0 and counted is None:
        return data  # every failure is ignored or ends the Job: no attempt is the last
    at_index: dict[str, Any] = {} if index is None else {"index": index}
    code = draw(st.sampled_from(facts.codes))
    after = draw(st.integers(0, AIM_MAX_AFTER))
    added = [{**at_index, "attempt": last, "exitCode": code, "after": after}]
    if last > 0:
        added.append({**at_index, "exitCode": counted, "after": after})

    def shadowed(e: Mapping[str, Any]) -> bool:
        if indexed and e.get("index") != index:
            return False
        return last > 0 or e.get("attempt") == 0

    _scripted(data, target.source, added, shadowed)
    return data
