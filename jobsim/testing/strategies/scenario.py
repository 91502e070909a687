"""Whole scenarios (:func:`scenarios`), around a Job manifest you fix or around random Jobs,
and the two timings they draw by default (:data:`ZERO_TIMING`, :data:`DEFAULT_TIMING`)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import hypothesis.strategies as st

from jobsim import load_scenario
from jobsim.scenario import Scenario, ScenarioError
from jobsim.testing.strategies._common import (
    _check_int,
    _check_strategy,
    _maybe,
    _plain,
    _seconds_of,
)
from jobsim.testing.strategies.cluster import _node_names, clusters
from jobsim.testing.strategies.events import (
    JOB_EVENTS,
    NODE_EVENTS,
    EventsKnob,
    _default_node_events,
    _draw_events,
    _job_event,
)
from jobsim.testing.strategies.hazards import HAZARDS, _aim, _Base
from jobsim.testing.strategies.manifest import _facts, _fixed_manifest, job_specs
from jobsim.testing.strategies.workload import _failures_for, workloads

__all__ = ["DEFAULT_TIMING", "ZERO_TIMING", "scenarios"]

ZERO_TIMING: Mapping[str, Any] = MappingProxyType(
    {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0}
)
"""Control-plane and kubelet latencies all 0: exact, "ideal" timelines."""

DEFAULT_TIMING: Mapping[str, Any] = MappingProxyType({})
"""No ``timing`` overrides: the real defaults (jobSyncDelay 1 s, containerStart 1 s, …)."""

EMPTY_CLUSTER = {"nodePools": [{"name": "a", "count": 0, "capacity": {"cpu": "1", "memory": "1"}}]}


def _check_fixed(name: str, data: dict[str, Any]) -> Scenario:
    """Load ``data`` once, so that a fixed knob that is not valid fails here."""
    try:
        return load_scenario(copy.deepcopy(data))
    except ScenarioError as e:
        raise ValueError(f"{name} is not valid:\n{e}") from None


def _check_fits(loaded: Scenario) -> None:
    """A fixed cluster must be able to run the Job's pods: one that cannot would pass every
    property without running a container. The load's warnings say so: requests no node holds
    (``check_fit``), a nodeSelector or node affinity no node matches (``check_node_affinity``)."""
    if loaded.warnings:
        raise ValueError("cluster cannot run the Job's pods: " + "; ".join(loaded.warnings))


def scenarios(
    manifest: Mapping[str, Any] | str | None = None,
    *,
    cluster: Mapping[str, Any] | st.SearchStrategy[dict[str, Any]] | None = None,
    failures: st.SearchStrategy[dict[str, Any]] | None = None,
    events: EventsKnob | None = None,
    timing: Mapping[str, Any] | st.SearchStrategy[Mapping[str, Any]] | None = None,
    horizon: float | str | None = "6h",
    hazards: st.SearchStrategy[str | None] | None = None,
    max_events: int = 3,
    max_jobs: int | None = None,
    jobs: st.SearchStrategy[dict[str, Any]] | None = None,
    event_kinds: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Whole scenario dicts, ready for :func:`jobsim.load_scenario`.

    **With a manifest** each scenario holds that one Job, exactly as given (name, namespace,
    spec: the YAML text is parsed and the Job validated once, here, and a manifest that is
    not a valid Job raises ``ValueError``), submitted at 0 s, with a drawn failure pattern,
    cluster, node events and timing. Drawn events are node events only: nothing suspends,
    scales or deletes your Job unless ``events`` does. In part of the examples a hazard is
    aimed at on purpose (``hazards``, :func:`aimed`): it adds at most two events, or two
    script entries, to what ``events`` and ``failures`` drew.

    **Without a manifest** it draws 1 to ``max_jobs`` random Jobs (``jobs``, default
    :func:`job_specs`), renamed ``job0``, ``job1``, … so that names are unique, submitted
    within the first 30 s, with random workloads (:func:`workloads`), clusters
    (:func:`clusters`) and up to ``max_events`` node and Job events within the first 15 min
    (``event_kinds``), each event about a Job once the Job is submitted: that fuzzes jobsim.

    Args:
        manifest: your Job manifest: a mapping, or its YAML text.
        cluster: the cluster: a fixed mapping (checked here) or a strategy. Default, with a
            manifest: one pool of 1 to min(parallelism, 3) + 1 nodes that each take 1 to
            ``parallelism`` of its pods (:func:`clusters` sized for it); without:
            :func:`clusters`.
        failures: strategy for the Job's workload. Default, with a manifest:
            :func:`failure_patterns` tuned to it (the exit codes its podFailurePolicy names,
            and 1; attempts up to one past the last its backoffLimit or backoffLimitPerIndex
            lets fail; its indexes and containers); without: :func:`workloads`.
        events: strategy for the ``events`` list, or a function from the drawn cluster's
            initial node names to one (e.g. ``lambda nodes: node_events(nodes=nodes,
            kinds=["drain"])``). Default, with a manifest: :func:`node_events` on the drawn
            nodes, up to ``max_events``.
        timing: the ``timing`` overrides: a fixed mapping or a strategy (default:
            :data:`ZERO_TIMING` or :data:`DEFAULT_TIMING`).
        horizon: the scenario's ``horizon``, seconds or a Go duration (default 6 h; ``None``:
            none); a Result's ``end`` is then the horizon, even when the Job finished long
            before. Some scenarios never end on their own, as on a real cluster: e.g. a
            podFailurePolicy ``Ignore`` rule matching every failure retries for ever, 10 min
            apart.
        hazards: strategy for the hazard each example aims at: one of :data:`HAZARDS`, or
            ``None`` for a plain draw (what it shrinks to). Default, with a manifest: each of
            them and ``None`` alike; without: ``None``. ``st.none()`` turns aiming off.
        max_events: most drawn events (default events only).
        max_jobs: most random Jobs (at least one is drawn; default 3); not with a manifest.
        jobs: strategy for the random manifests (default :func:`job_specs`); not with a
            manifest.
        event_kinds: strategy for the kind of each random event (default: every node and Job
            event; ``max_events=0`` for none); not with a manifest nor with ``events``.
    """
    for knob, value in (
        ("failures", failures),
        ("hazards", hazards),
        ("jobs", jobs),
        ("event_kinds", event_kinds),
    ):
        _check_strategy(knob, value)
    _check_int("max_events", max_events, 0)
    if events is not None and not isinstance(events, st.SearchStrategy) and not callable(events):
        raise TypeError(
            "events must be a strategy of event lists, or a function from node names to one, "
            f"got {type(events).__name__}"
        )
    if horizon is not None and _seconds_of("horizon", horizon) == 0:
        raise ValueError("horizon must be greater than 0 (None: no horizon)")
    if events is not None and event_kinds is not None:
        raise ValueError("event_kinds draws the default events: not with events")
    timing_s = _fixed_or_drawn(
        "timing", timing, st.sampled_from([ZERO_TIMING, DEFAULT_TIMING]), EMPTY_CLUSTER
    )
    if manifest is None:
        _check_int("max_jobs", 3 if max_jobs is None else max_jobs, 1)
        return _scenarios(
            3 if max_jobs is None else max_jobs,
            max_events,
            jobs if jobs is not None else job_specs(),
            failures if failures is not None else workloads(),
            _fixed_or_drawn("cluster", cluster, clusters()),
            timing_s,
            event_kinds if event_kinds is not None else st.sampled_from(NODE_EVENTS + JOB_EVENTS),
            horizon,
            events,
            hazards,
        )
    for knob, given in (("max_jobs", max_jobs), ("jobs", jobs), ("event_kinds", event_kinds)):
        if given is not None:
            raise ValueError(f"{knob} draws random Jobs: not with a fixed manifest")
    data, job = _fixed_manifest(manifest)
    facts = _facts(job)
    sized = clusters(
        data, max_pools=1, min_nodes=1, max_nodes=min(facts.parallel, 3) + 1, autoscaling=False
    )
    if isinstance(cluster, Mapping):
        _check_fits(
            _check_fixed(
                "cluster",
                {
                    "cluster": _plain(cluster),
                    "jobs": [{"manifest": data, "workload": {"duration": 1}}],
                },
            )
        )
    return _manifest_scenarios(
        data,
        _fixed_or_drawn("cluster", cluster, sized),
        failures if failures is not None else _failures_for(facts),
        events if events is not None else _default_node_events(max_events),
        timing_s,
        horizon,
        hazards if hazards is not None else st.sampled_from((None, *HAZARDS)),
    )


def _fixed_or_drawn(
    name: str,
    value: Mapping[str, Any] | st.SearchStrategy[Any] | None,
    default: st.SearchStrategy[Any],
    cluster: Mapping[str, Any] | None = None,
) -> st.SearchStrategy[Any]:
    """A knob given as a fixed mapping (a copy in each example) or as a strategy."""
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping or a hypothesis strategy of mappings, "
            f"got {type(value).__name__}"
        )
    fixed = _plain(value)
    if cluster is not None:
        _check_fixed(name, {"cluster": _plain(cluster), name: fixed})
    elif name == "cluster":
        _check_fixed(name, {"cluster": fixed})
    return st.builds(lambda: copy.deepcopy(fixed))


@st.composite
def _manifest_scenarios(
    draw: st.DrawFn,
    manifest: dict[str, Any],
    cluster: st.SearchStrategy[dict[str, Any]],
    failures: st.SearchStrategy[dict[str, Any]],
    events: EventsKnob,
    timing: st.SearchStrategy[Mapping[str, Any]],
    horizon: float | str | None,
    hazards: st.SearchStrategy[str | None],
) -> dict[str, Any]:
    c = draw(cluster)
    out: dict[str, Any] = {
        "name": "property",
        "seed": draw(st.integers(0, 2**63 - 1)),
        "cluster": c,
        "jobs": [{"manifest": copy.deepcopy(manifest), "workload": draw(failures)}],
    }
    if horizon is not None:
        out["horizon"] = horizon
    t = draw(timing)
    if t:
        out["timing"] = dict(t)
    drawn = _draw_events(draw, events, _node_names(c))
    if drawn:
        out["events"] = drawn
    hazard = draw(hazards)
    return out if hazard is None else _aim(draw, _Base(out), hazard)


@st.composite
def _scenarios(
    draw: st.DrawFn,
    max_jobs: int,
    max_events: int,
    jobs: st.SearchStrategy[dict[str, Any]],
    workload: st.SearchStrategy[dict[str, Any]],
    cluster: st.SearchStrategy[dict[str, Any]],
    timing: st.SearchStrategy[Mapping[str, Any]],
    event_kinds: st.SearchStrategy[str],
    horizon: float | str | None,
    given_events: EventsKnob | None,
    hazards: st.SearchStrategy[str | None] | None,
) -> dict[str, Any]:
    c = draw(cluster)
    entries: list[dict[str, Any]] = []
    submitted: list[int] = []  # each job's submitAt, in seconds
    for i in range(draw(st.integers(1, max_jobs))):
        manifest = draw(jobs)
        manifest = {**manifest, "metadata": {**manifest["metadata"], "name": f"job{i}"}}
        entry: dict[str, Any] = {"manifest": manifest, "workload": draw(workload)}
        submit = _maybe(draw, st.integers(0, 30))
        if submit is not None:
            entry["submitAt"] = draw(st.sampled_from([submit, f"{submit}s"]))
        submitted.append(submit or 0)
        entries.append(entry)
    nodes = _node_names(c)
    events: list[dict[str, Any]] = []
    if given_events is not None:
        events = _draw_events(draw, given_events, nodes)
        drawn = []
    else:
        drawn = draw(st.lists(st.tuples(st.integers(0, 900), event_kinds), max_size=max_events))
    completions: dict[str, int | None] = {}
    # Drawn in time order, so that each scale sees the completions set by the earlier ones.
    for at, kind in sorted(drawn, key=lambda x: x[0]):
        if kind in NODE_EVENTS:
            if not nodes:
                continue
            event = {kind: draw(st.sampled_from(nodes))}
        else:
            i = draw(st.integers(0, len(entries) - 1))
            # An event about a Job before it is submitted is refused at load (NotFound).
            # Moving it to the submission keeps each job's events in time order.
            at = max(at, submitted[i])
            spec = dict(entries[i]["manifest"]["spec"])
            name = f"job{i}"
            if name in completions:
                spec["completions"] = completions[name]
            event = _job_event(draw, kind, name, spec, completions)
        forms: list[int | str] = [at, f"{at}s"]
        events.append({"at": draw(st.sampled_from(forms)), **event})
    out: dict[str, Any] = {
        "name": "property",
        "seed": draw(st.integers(0, 2**63 - 1)),
        "cluster": c,
        "jobs": entries,
    }
    if horizon is not None:
        out["horizon"] = horizon
    t = draw(timing)
    if t:
        out["timing"] = dict(t)
    if events:
        out["events"] = events
    hazard = draw(hazards) if hazards is not None else None
    return out if hazard is None else _aim(draw, _Base(out), hazard)
