"""The strategies of jobsim.testing.strategies: what they draw, that it loads and runs, that the
rare hazards they aim at are found within hypothesis' default 100 examples, how they shrink,
and the errors a wrong argument gets when a strategy is built.

Tests that assert something is found (``find``, or a count over the examples) are derandomized
with no example database, so that they do not depend on luck or on earlier runs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from jobsim import Result, ScenarioError, load_scenario, simulate
from jobsim.testing.strategies import (
    HAZARDS,
    ZERO_TIMING,
    aimed,
    clusters,
    failure_patterns,
    job_specs,
    node_events,
    scenarios,
)
from tests.helpers import ROOT

# The user's Job: two pods at once, backoffLimit 3, exit 42 fails the Job.
TRAINER_YAML = """\
apiVersion: batch/v1
kind: Job
metadata: {name: trainer, namespace: ml}
spec:
  parallelism: 2
  completions: 2
  backoffLimit: 3
  podFailurePolicy:
    rules:
      - action: FailJob
        onExitCodes: {containerName: main, operator: In, values: [42]}
      - action: Ignore
        onPodConditions: [{type: DisruptionTarget}]
  template:
    spec:
      restartPolicy: Never
      containers:
        - {name: main, image: "python:3.12-slim", resources: {requests: {cpu: 1500m}}}
"""
TRAINER = yaml.safe_load(TRAINER_YAML)

INDEXED = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "shards"},
    "spec": {
        "completionMode": "Indexed",
        "completions": 4,
        "parallelism": 2,
        "backoffLimitPerIndex": 1,
        "maxFailedIndexes": 1,
        "podFailurePolicy": {
            "rules": [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [3]}}]
        },
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "initContainers": [{"name": "setup", "image": "busybox"}],
                "containers": [
                    {"name": "main", "image": "busybox"},
                    {"name": "side", "image": "busybox"},
                ],
                "nodeSelector": {"disk": "ssd"},
            }
        },
    },
}

ON_FAILURE = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "crashy"},
    "spec": {
        "parallelism": 3,
        "backoffLimit": 2,
        "template": {
            "spec": {
                "restartPolicy": "OnFailure",
                "priorityClassName": "batch",
                "containers": [
                    {
                        "name": "main",
                        "image": "busybox",
                        "resources": {"limits": {"nvidia.com/gpu": "1"}},
                    }
                ],
            }
        },
    },
}

CLUSTER = {
    "nodePools": [
        {
            "name": "a",
            "count": 1,
            "capacity": {"cpu": 4, "memory": "8Gi"},
            "labels": {"disk": "ssd"},
        }
    ]
}

FOUND = settings(derandomize=True, database=None, max_examples=100, deadline=None)
"""Hypothesis' default example count, derandomized: what "found by default" means here."""
GENERATE = (Phase.explicit, Phase.generate)


def _run(data: dict[str, Any]) -> Result:
    return simulate(load_scenario(data))


# --- a fixed manifest ----------------------------------------------------------------------


@given(scenarios(TRAINER_YAML))
def test_fixed_manifest_comes_out_unchanged(data: dict[str, Any]) -> None:
    """The Job is the user's, name, namespace and spec, in every scenario; drawn events are
    node events only (nothing suspends, scales or deletes the Job); it is plain data."""
    assert [entry["manifest"] for entry in data["jobs"]] == [TRAINER]
    for event in data.get("events", []):
        assert set(event) - {"at"} <= {
            "nodeDown",
            "nodeUp",
            "nodeRemove",
            "nodeOutOfService",
            "drain",
            "uncordon",
        }
        assert "trainer" not in event.values()
    assert yaml.safe_load(yaml.safe_dump(data)) == data


def test_fixed_manifest_is_copied() -> None:
    """Changing a drawn scenario changes neither the user's dict nor the next scenario."""
    manifest = copy.deepcopy(INDEXED)

    @settings(FOUND, max_examples=5)
    @given(scenarios(manifest))
    def scribble(data: dict[str, Any]) -> None:
        assert data["jobs"][0]["manifest"] == INDEXED
        data["jobs"][0]["manifest"]["spec"]["completions"] = 99

    scribble()
    assert manifest == INDEXED


@pytest.mark.parametrize(
    "manifest", [TRAINER_YAML, INDEXED, ON_FAILURE], ids=["trainer", "indexed", "onfailure"]
)
def test_every_drawn_scenario_loads_and_runs(manifest: dict[str, Any] | str) -> None:
    """Every scenario around a manifest loads, runs to its end and dumps to YAML: scripts name
    its containers and init containers, pools carry its nodeSelector and fit its requests,
    the cluster has its PriorityClass."""
    ran = []

    @FOUND
    @given(scenarios(manifest))
    def runs(data: dict[str, Any]) -> None:
        result = _run(data)
        assert result.pods(), "the Job ran no pod"
        yaml.safe_dump(data)
        ran.append(data)

    runs()
    assert len(ran) == 100


def test_job_events_only_when_events_say_so() -> None:
    """``events`` may touch the Job; node events come from a function of the node names."""
    scale = [{"at": 5, "scale": {"job": "trainer", "parallelism": 1}}]

    @settings(FOUND, max_examples=20)
    @given(scenarios(TRAINER, events=st.just(scale), hazards=st.none()))
    def scaled(data: dict[str, Any]) -> None:
        assert data["events"] == scale
        _run(data)

    @settings(FOUND, max_examples=20)
    @given(
        scenarios(
            TRAINER,
            events=lambda nodes: node_events(nodes=nodes, kinds=["drain", "uncordon"]),
            hazards=st.none(),
        )
    )
    def drained(data: dict[str, Any]) -> None:
        assert {k for e in data.get("events", []) for k in e} <= {"at", "drain", "uncordon"}
        _run(data)

    scaled()
    drained()


@pytest.mark.parametrize("kind", ["suspend", "resume", "scale", "deletePod", "deleteJob"])
def test_each_job_event_kind_is_drawn_as_itself(kind: str) -> None:
    """``event_kinds`` of a Job event (random Jobs): the event drawn is that kind
    (``deleteJob`` with one of kubectl's propagation policies), and it loads and runs."""

    @settings(FOUND, max_examples=10)
    @given(scenarios(event_kinds=st.just(kind)))
    def drawn(data: dict[str, Any]) -> None:
        assert {k for e in data.get("events", []) for k in e} <= {"at", kind}
        for e in data.get("events", []):
            if kind == "deleteJob":
                assert e[kind]["job"].startswith("job")
                assert e[kind]["propagationPolicy"] in ("Background", "Foreground", "Orphan")
        _run(data)

    drawn()


@pytest.mark.slow  # a search and its shrinking, 6-7 s: not in make check
def test_a_drawn_delete_job_deletes_its_job() -> None:
    """The simplest scenario with a ``deleteJob`` deletes its Job at the event's time."""
    example = find(
        scenarios(event_kinds=st.just("deleteJob")), lambda d: bool(d.get("events")), settings=FOUND
    )
    [event] = example["events"]
    job = _run(example).job(event["deleteJob"]["job"])
    assert job["deletedAt"] == float(str(event["at"]).rstrip("s"))


def test_fixed_cluster_and_timing() -> None:
    """A fixed cluster and timing go into every scenario as given."""
    cluster = {"nodePools": [{"name": "gpu", "count": 2, "capacity": {"cpu": 8, "memory": "32Gi"}}]}

    @settings(FOUND, max_examples=20)
    @given(scenarios(TRAINER, cluster=cluster, timing=ZERO_TIMING))
    def fixed(data: dict[str, Any]) -> None:
        assert data["cluster"] == cluster
        assert data["timing"] == dict(ZERO_TIMING)
        for event in data.get("events", []):
            assert {v for k, v in event.items() if k != "at"} <= {"gpu-0", "gpu-1"}
        _run(data)

    fixed()


# --- failure patterns and node events ------------------------------------------------------


def test_exit_codes_42_mostly_drawn() -> None:
    """``exit_codes=[42]``: most patterns exit 42 somewhere (a new user saw 4.8 % by default)."""
    seen = []

    @FOUND
    @given(failure_patterns(exit_codes=[42]))
    def count(workload: dict[str, Any]) -> None:
        seen.append(any(e["exitCode"] == 42 for e in workload.get("script", [])))

    count()
    assert sum(seen) > 50


@given(
    failure_patterns(
        exit_codes=[3, 1],
        max_attempts=2,
        max_indexes=4,
        containers=["main", "side"],
        init_containers=["setup"],
        max_entries=5,
        max_termination_delay=10,
    )
)
def test_failure_patterns_stay_in_bounds(workload: dict[str, Any]) -> None:
    """Entries name distinct (index, attempt) pairs in order, within the bounds, and load with
    a manifest that has those containers."""
    script = workload.get("script", [])
    keys = [(e["index"], e["attempt"]) for e in script]
    assert keys == sorted(set(keys))
    assert len(script) <= 5
    for e in script:
        assert 0 <= e["index"] < 4 and 0 <= e["attempt"] < 2
        assert e["exitCode"] in (1, 3) and 0 <= e["after"] <= 60
        assert e.get("container", "main") in ("main", "side", "setup")
        assert set(e.get("containers", {})) <= {"main", "side"} - {e.get("container", "main")}
    assert 1 <= workload["duration"] <= 60
    assert 1 <= workload.get("terminationDelay", 10) <= 10  # 0 is left out
    load_scenario({"cluster": CLUSTER, "jobs": [{"manifest": INDEXED, "workload": workload}]})


@given(node_events(nodes=["a-0", "b-0"], kinds=["nodeDown", "nodeUp", "drain"], max_events=4))
def test_node_events_in_time_order(events: list[dict[str, Any]]) -> None:
    """Time order, the given nodes and kinds, a nodeUp only after a nodeDown of its node."""
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    down: set[str] = set()
    firsts = 0
    for e in events:
        ((kind, node),) = ((k, v) for k, v in e.items() if k != "at")
        assert node in ("a-0", "b-0") and kind in ("nodeDown", "nodeUp", "drain")
        if kind == "nodeUp":
            assert node in down
        else:
            firsts += 1
            down |= {node} if kind == "nodeDown" else set()
    assert firsts <= 4 and all(e["at"] <= 1200 for e in events)


@pytest.mark.slow
def test_minimal_draws() -> None:
    """What each strategy shrinks to: the simplest value it can draw."""
    assert find(failure_patterns(), lambda _: True, settings=FOUND) == {"duration": 1}
    assert find(node_events(nodes=["a-0"]), lambda _: True, settings=FOUND) == []
    first = [{"at": 0, "nodeDown": "a-0"}]
    assert find(node_events(nodes=["a-0", "a-1"]), bool, settings=FOUND) == first
    assert find(failure_patterns(max_indexes=3), lambda w: "script" in w, settings=FOUND) == {
        "duration": 1,
        "script": [{"index": 0, "attempt": 0, "exitCode": 1, "after": 0}],
    }


# --- hazards found at the default example count --------------------------------------------


def _disrupted(data: dict[str, Any]) -> bool:
    """Some pod was ended by a node event while it ran (evicted, garbage-collected, drained)."""
    return any(
        c["type"] == "DisruptionTarget" and c["status"] == "True"
        for pod in _run(data).pods()
        for c in pod["conditions"]
    )


def _disrupted_ideal_tainting(data: dict[str, Any]) -> bool:
    """``_disrupted`` with every NotReady node tainted at once (``nodeLifecycle: off``)."""
    return _disrupted({**data, "cluster": {**data["cluster"], "nodeLifecycle": False}})


def _exited(pod: dict[str, Any]) -> bool:
    """The pod failed on its own: its container exited non-zero, not killed (137, 143)."""
    return pod["phase"] == "Failed" and pod["exitCode"] not in (None, 0, 137, 143)


def _failed_together(data: dict[str, Any]) -> bool:
    """Two pods failed on their own at one instant."""
    times = [p["finishedAt"] for p in _run(data).pods() if _exited(p)]
    return len(times) != len(set(times))


def _failed_last_attempt(data: dict[str, Any]) -> bool:
    """A pod failed on its own at attempt 3, the last backoffLimit 3 allows."""
    return any(p["attempt"] == 3 and _exited(p) for p in _run(data).pods())


@pytest.mark.parametrize(
    "broken",
    [_disrupted, _failed_together, _failed_last_attempt],
    ids=["node-event-while-running", "two-at-once", "last-attempt"],
)
def test_hazards_found_by_default(broken: Callable[[dict[str, Any]], bool]) -> None:
    """With a fixed 2-pod Job and the default mix, hypothesis falsifies "no pod is ended by a
    node event while it runs", "no two pods fail at one instant" and "no pod fails at the
    last attempt backoffLimit allows" within 100 derandomized examples."""
    # Found is what counts here: no shrinking, which would run many more simulations.
    example = find(scenarios(TRAINER_YAML), broken, settings=settings(FOUND, phases=GENERATE))
    assert example["jobs"][0]["manifest"] == TRAINER


@pytest.mark.parametrize("hazard", HAZARDS)
def test_each_hazard_is_hit_when_aimed_at(hazard: str) -> None:
    """Aiming at one hazard, and drawing no other event (a drawn node removal at 0 s would
    leave nothing to aim at), most examples show it. A ``nodeDown`` of a one-node cluster
    evicts nothing on the real control plane (the node lifecycle controller's master
    disruption mode), so ``nodeLost`` is aimed with the ideal tainting."""
    show = {
        "nodeLost": _disrupted_ideal_tainting,
        "drain": _disrupted,
        "simultaneousFailures": _failed_together,
        "lastAttempt": _failed_last_attempt,
    }[hazard]
    hits = []
    # Two pods fail together only where two run at once: a cluster with room for both.
    both = {"nodePools": [{"name": "a", "count": 1, "capacity": {"cpu": "4", "memory": "4Gi"}}]}
    cluster = both if hazard == "simultaneousFailures" else None

    @settings(FOUND, max_examples=30)
    @given(scenarios(TRAINER, hazards=st.just(hazard), cluster=cluster, events=st.just([])))
    def aim(data: dict[str, Any]) -> None:
        hits.append(show(data))

    aim()
    assert sum(hits) >= 0.9 * len(hits)


def test_aimed_at_a_shipped_scenario() -> None:
    """``aimed`` takes a scenario as written: a drain lands while a container runs."""
    base = yaml.safe_load((ROOT / "scenarios" / "pi.yaml").read_text(encoding="utf-8"))
    hits = []

    @settings(FOUND, max_examples=20)
    @given(aimed(base, hazards=st.just("drain")))
    def drain(data: dict[str, Any]) -> None:
        assert data["jobs"] == base["jobs"]
        hits.append(_disrupted(data))

    drain()
    assert all(hits)


def test_random_jobs_may_be_aimed_at_too() -> None:
    """Without a manifest the hazards are off by default; asked for, they aim at any Job."""

    @settings(FOUND, max_examples=40)
    @given(scenarios(max_jobs=2, hazards=st.sampled_from(HAZARDS)))
    def runs(data: dict[str, Any]) -> None:
        _run(data)

    runs()


# --- shrinking -----------------------------------------------------------------------------

ONCE = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "once"},
    "spec": {
        "backoffLimit": 0,
        "template": {
            "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}
        },
    },
}


def test_never_fails_shrinks_to_one_failed_first_attempt() -> None:
    """ "The Job never fails", backoffLimit 0: the minimal counterexample is the first attempt
    exiting 1 at once, on one node, with no events and no hazard."""

    def failed(data: dict[str, Any]) -> bool:
        status = _run(data).job("once")["status"]
        return any(c["type"] == "Failed" and c["status"] == "True" for c in status["conditions"])

    assert find(scenarios(ONCE), failed, settings=FOUND) == {
        "name": "property",
        "seed": 0,
        "cluster": {
            "nodePools": [
                {"name": "a", "count": 1, "capacity": {"cpu": "1", "memory": "1Gi", "pods": 1}}
            ]
        },
        "jobs": [
            {
                "manifest": ONCE,
                "workload": {
                    "duration": 1,
                    "script": [{"attempt": 0, "exitCode": 1, "after": 0}],
                },
            }
        ],
        "horizon": "6h",
        "timing": dict(ZERO_TIMING),
    }


# --- argument errors -----------------------------------------------------------------------


def _bad(build: Callable[[], object], error: type[Exception], match: str) -> Any:
    return pytest.param(build, error, match, id=match)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        _bad(lambda: scenarios("spec: [unclosed"), ValueError, "not valid YAML"),
        _bad(lambda: scenarios("- a\n- b\n"), ValueError, "a mapping"),
        _bad(lambda: scenarios(42), TypeError, "a mapping or its YAML text"),  # type: ignore[arg-type]
        _bad(
            lambda: scenarios({"apiVersion": "batch/v1", "kind": "Job"}),
            ValueError,
            "not a valid Job",
        ),
        _bad(lambda: scenarios(TRAINER, max_jobs=2), ValueError, "max_jobs draws random Jobs"),
        _bad(lambda: scenarios(TRAINER, jobs=job_specs()), ValueError, "jobs draws random"),
        _bad(
            lambda: scenarios(TRAINER, event_kinds=st.just("scale")),
            ValueError,
            "event_kinds draws random",
        ),
        _bad(
            lambda: scenarios(event_kinds=st.just("scale"), events=st.just([])),
            ValueError,
            "not with events",
        ),
        _bad(
            lambda: scenarios(TRAINER, cluster={"nodePools": []}),
            ValueError,
            "cluster is not valid",
        ),
        _bad(lambda: scenarios(TRAINER, cluster=["a"]), TypeError, "cluster must be a mapping"),  # type: ignore[arg-type]
        _bad(
            lambda: scenarios(TRAINER, timing={"jobSyncDelay": "soon"}),
            ValueError,
            "timing is not valid",
        ),
        _bad(
            lambda: scenarios(TRAINER, failures={"duration": 1}),  # type: ignore[arg-type]
            TypeError,
            "failures must be a hypothesis",
        ),
        _bad(lambda: scenarios(TRAINER, events=[]), TypeError, "events must be a strategy"),  # type: ignore[arg-type]
        _bad(lambda: scenarios(TRAINER, hazards="nodeLost"), TypeError, "st.just|just"),  # type: ignore[arg-type]
        _bad(lambda: scenarios(TRAINER, horizon=0), ValueError, "horizon must be greater"),
        _bad(lambda: scenarios(TRAINER, horizon="soon"), ValueError, "horizon: "),
        _bad(lambda: scenarios(TRAINER, max_events=-1), ValueError, "max_events must be"),
        _bad(lambda: scenarios(max_jobs=0), ValueError, "max_jobs must be"),
        _bad(lambda: failure_patterns(exit_codes=st.just(42)), TypeError, "not a strategy"),  # type: ignore[arg-type]
        _bad(lambda: failure_patterns(exit_codes=42), TypeError, "must be a sequence"),  # type: ignore[arg-type]
        _bad(lambda: failure_patterns(exit_codes=[]), ValueError, "at least one exit code"),
        _bad(lambda: failure_patterns(exit_codes=[True]), TypeError, "only int"),
        _bad(lambda: failure_patterns(max_attempts=0), ValueError, "max_attempts must be"),
        _bad(lambda: failure_patterns(containers="main"), TypeError, "containers must be"),
        _bad(lambda: failure_patterns(containers=[]), ValueError, "at least one container"),
        _bad(
            lambda: failure_patterns(init_containers=["main"]),
            ValueError,
            "both a container and an init container",
        ),
        _bad(lambda: failure_patterns(max_duration=0), ValueError, "max_duration must be"),
        _bad(lambda: node_events(nodes="a-0"), TypeError, "nodes must be a sequence"),
        _bad(
            lambda: node_events(nodes=["a-0"], kinds=["reboot"]),
            ValueError,
            "unknown node event kind",
        ),
        _bad(lambda: node_events(nodes=["a-0"], kinds=["nodeUp"]), ValueError, "starts something"),
        _bad(lambda: node_events(nodes=["a-0"], within="soon"), ValueError, "within: "),
        _bad(lambda: node_events(nodes=["a-0"], within=-1), ValueError, "must not be negative"),
        _bad(
            lambda: node_events(nodes=["a-0"], max_events=1.5),  # type: ignore[arg-type]
            ValueError,
            "max_events must be",
        ),
        _bad(lambda: clusters(max_pools=9), ValueError, "max_pools must be at most 8"),
        _bad(lambda: clusters("kind: [", max_pools=1), ValueError, "not valid YAML"),
        _bad(lambda: aimed([]), TypeError, "scenario must be a scenario mapping"),  # type: ignore[arg-type]
        _bad(lambda: aimed({"cluster": {}}), ScenarioError, "nodePools"),
        _bad(lambda: aimed({"cluster": CLUSTER}, hazards="drain"), TypeError, "st.just|just"),  # type: ignore[arg-type]
    ],
)
def test_argument_errors_at_construction(
    build: Callable[[], object], error: type[Exception], match: str
) -> None:
    """A wrong argument raises at once, with a message that says what to pass."""
    with pytest.raises(error, match=match):
        build()


def test_unknown_hazard_drawn() -> None:
    """A hazards strategy is drawn from per example: an unknown name fails the draw."""

    @settings(FOUND, max_examples=1)
    @given(scenarios(TRAINER, hazards=st.just("meteor")))
    def draw(data: dict[str, Any]) -> None:
        pass

    with pytest.raises(ValueError, match="unknown hazard 'meteor'"):
        draw()


GPU_JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: gpu}
spec:
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {accelerator: a100}
      containers: [{name: main, image: x, resources: {requests: {cpu: "2"}}}]
"""


def test_a_fixed_cluster_that_cannot_run_the_pods_is_refused() -> None:
    """Such a cluster would run no container, and every property would pass vacuously."""
    pool = {"name": "gpu", "count": 2, "capacity": {"cpu": "8", "memory": "64Gi"}}
    with pytest.raises(ValueError, match=r"spec.template.spec.nodeSelector: matches no node"):
        scenarios(GPU_JOB, cluster={"nodePools": [pool]})
    small = {**pool, "labels": {"accelerator": "a100"}, "capacity": {"cpu": "1", "memory": "1Gi"}}
    with pytest.raises(ValueError, match=r"each pod requests cpu 2, which fits no node"):
        scenarios(GPU_JOB, cluster={"nodePools": [small]})
    scenarios(GPU_JOB, cluster={"nodePools": [{**pool, "labels": {"accelerator": "a100"}}]})
