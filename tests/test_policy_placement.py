"""Tests for jobsim.policy.placement: kube-scheduler's filters, scores and FailedScheduling text.

Expected values come from the upstream rules (``pkg/scheduler/framework/plugins/``
NodeUnschedulable, TaintToleration with ``core/v1`` ``ToleratesTaint``, NodeAffinity,
NodeResourcesFit ``fitsRequest``, ``leastRequestedScore`` / ``mostRequestedScore``, and
``FitError.Error``), worked out by hand, and from jobsim's documented simplifications (Ready as a
hard filter, one reason per node, reasons sorted by text), never from running the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jobsim.k8s.job import Toleration as K8sToleration
from jobsim.policy.placement import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    REASON_NODE_AFFINITY,
    REASON_TOO_MANY_PODS,
    REASON_UNSCHEDULABLE,
    PodNeeds,
    Taint,
    Toleration,
    feasible,
    filter_reason,
    insufficient_numbers,
    insufficient_reason,
    insufficient_resource,
    least_allocated,
    matches_node_selector,
    most_allocated,
    nonzero_requests,
    placeable,
    pod_needs,
    tolerates,
    toleration,
    unschedulable_message,
    untolerated_taint,
    untolerated_taint_reason,
    usable,
)

Gi = 1024**3
CAP = {"cpu": 4000, "memory": 8 * Gi, "pods": 110}


@dataclass
class FakeNode:
    """A ``NodeView``: just the fields the filters read."""

    name: str = "node-0"
    capacity: dict[str, int] = field(default_factory=lambda: dict(CAP))
    requested: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    ready: bool = True
    cordoned: bool = False


# -- NodeResourcesFit (fitsRequest) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "allocatable", "requests", "want"),
    [
        pytest.param({}, CAP, (("cpu", 500),), None, id="empty-node-fits"),
        pytest.param({"cpu": 3500, "pods": 3}, CAP, (("cpu", 500),), None, id="exactly-full-fits"),
        pytest.param({"cpu": 3501, "pods": 3}, CAP, (("cpu", 500),), "cpu", id="1m-short"),
        pytest.param(
            {"cpu": 1000, "memory": 7 * Gi, "pods": 2},
            CAP,
            (("cpu", 500), ("memory", 2 * Gi)),
            "memory",
            id="memory-short",
        ),
        pytest.param(
            {"cpu": 4000, "memory": 8 * Gi, "pods": 2},
            CAP,
            (("cpu", 500), ("memory", Gi)),
            "cpu",
            id="both-short-first-in-order",
        ),
        pytest.param({"pods": 110}, CAP, (), "pods", id="pod-count-full-no-requests"),
        pytest.param({"pods": 110}, CAP, (("cpu", 9000),), "pods", id="pods-before-cpu"),
        pytest.param({}, {"cpu": 4000}, (), "pods", id="no-pods-allocatable"),
        pytest.param(
            {}, CAP, (("nvidia.com/gpu", 1),), "nvidia.com/gpu", id="resource-not-on-node"
        ),
        pytest.param({}, CAP, (("nvidia.com/gpu", 0),), None, id="zero-request-ignored"),
        pytest.param(
            {"nvidia.com/gpu": 1, "pods": 1},
            {**CAP, "nvidia.com/gpu": 2},
            (("nvidia.com/gpu", 1),),
            None,
            id="extended-resource-fits",
        ),
    ],
)
def test_insufficient_resource(
    requested: dict[str, int],
    allocatable: dict[str, int],
    requests: tuple[tuple[str, int], ...],
    want: str | None,
) -> None:
    assert insufficient_resource(requested, allocatable, requests) == want
    extended = {r: q for r, q in requested.items() if r not in ("cpu", "memory", "pods")}
    pods, cpu, memory = (requested.get(r, 0) for r in ("pods", "cpu", "memory"))
    assert insufficient_numbers(pods, cpu, memory, extended, allocatable, requests) == want


@pytest.mark.parametrize(
    ("resource", "want"),
    [("pods", "Too many pods"), ("cpu", "Insufficient cpu"), ("memory", "Insufficient memory")],
)
def test_insufficient_reason(resource: str, want: str) -> None:
    assert insufficient_reason(resource) == want


# -- TaintToleration (ToleratesTaint, FindMatchingUntoleratedTaint) ------------------------------

TAINT = ("dedicated", "gpu", "NoSchedule")


@pytest.mark.parametrize(
    ("tolerations", "taint", "want"),
    [
        pytest.param((), TAINT, False, id="no-tolerations"),
        pytest.param((("dedicated", "Equal", "gpu", "NoSchedule"),), TAINT, True, id="equal"),
        pytest.param((("dedicated", None, "gpu", "NoSchedule"),), TAINT, True, id="no-op-is-equal"),
        pytest.param(
            (("dedicated", "Equal", "cpu", "NoSchedule"),), TAINT, False, id="equal-value"
        ),
        pytest.param((("other", "Equal", "gpu", "NoSchedule"),), TAINT, False, id="equal-key"),
        pytest.param((("dedicated", "Equal", "gpu", None),), TAINT, True, id="no-effect-any"),
        pytest.param(
            (("dedicated", "Equal", "gpu", "NoExecute"),), TAINT, False, id="other-effect"
        ),
        pytest.param((("dedicated", "Exists", None, "NoSchedule"),), TAINT, True, id="exists"),
        pytest.param(
            (("dedicated", "Exists", None, "NoExecute"),), TAINT, False, id="exists-other-effect"
        ),
        pytest.param(((None, "Exists", None, None),), TAINT, True, id="exists-empty-key-all"),
        pytest.param((("", "Exists", None, None),), TAINT, True, id="exists-blank-key-all"),
        pytest.param(
            ((None, "Exists", None, "NoSchedule"),),
            ("x", "y", "NoExecute"),
            False,
            id="exists-empty-key-effect-only",
        ),
        # an empty key needs Exists (validation rejects Equal); jobsim never matches it
        pytest.param(((None, "Equal", "gpu", None),), TAINT, False, id="equal-empty-key"),
        pytest.param((("k", "Equal", None, None),), ("k", "", "NoSchedule"), True, id="empty-val"),
        pytest.param(
            (("other", "Exists", None, None), ("dedicated", "Equal", "gpu", None)),
            TAINT,
            True,
            id="any-of-several",
        ),
    ],
)
def test_tolerates(tolerations: tuple[Toleration, ...], taint: Taint, want: bool) -> None:
    assert tolerates(tolerations, *taint) is want


NO_EXEC = ("node.kubernetes.io/out-of-service", "nodeshutdown", "NoExecute")
PREFER = ("spot", "true", "PreferNoSchedule")


@pytest.mark.parametrize(
    ("taints", "tolerations", "want"),
    [
        pytest.param([], (), None, id="no-taints"),
        pytest.param([PREFER], (), None, id="prefer-no-schedule-never-filters"),
        pytest.param([TAINT], (), TAINT, id="no-schedule"),
        pytest.param([NO_EXEC], (), NO_EXEC, id="no-execute"),
        pytest.param([TAINT, NO_EXEC], (), TAINT, id="first-untolerated"),
        pytest.param(
            [TAINT, NO_EXEC], (("dedicated", "Exists", None, None),), NO_EXEC, id="second"
        ),
        pytest.param([TAINT, NO_EXEC], ((None, "Exists", None, None),), None, id="all-tolerated"),
    ],
)
def test_untolerated_taint(
    taints: list[Taint], tolerations: tuple[Toleration, ...], want: Taint | None
) -> None:
    assert untolerated_taint(taints, tolerations) == want


def test_untolerated_taint_reason() -> None:
    assert untolerated_taint_reason(TAINT) == "node(s) had untolerated taint {dedicated: gpu}"
    assert (
        untolerated_taint_reason(("node.kubernetes.io/unreachable", "", "NoSchedule"))
        == "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
    )


# -- NodeAffinity (nodeSelector) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "selector", "want"),
    [
        pytest.param({}, (), True, id="no-selector"),
        pytest.param({"tier": "gpu", "zone": "a"}, (("tier", "gpu"),), True, id="match"),
        pytest.param(
            {"tier": "gpu", "zone": "a"}, (("tier", "gpu"), ("zone", "a")), True, id="all-match"
        ),
        pytest.param(
            {"tier": "gpu", "zone": "a"}, (("tier", "gpu"), ("zone", "b")), False, id="one"
        ),
        pytest.param({"tier": "cpu"}, (("tier", "gpu"),), False, id="other-value"),
        pytest.param({}, (("tier", "gpu"),), False, id="missing-label"),
        pytest.param({}, (("tier", ""),), False, id="empty-value-needs-the-label"),
        pytest.param({"tier": ""}, (("tier", ""),), True, id="empty-value"),
    ],
)
def test_matches_node_selector(
    labels: dict[str, str], selector: tuple[tuple[str, str], ...], want: bool
) -> None:
    assert matches_node_selector(labels, selector) is want


# -- a node: every filter, in order --------------------------------------------------------------

NEEDS = PodNeeds((("cpu", 1000), ("memory", Gi)), (("tier", "gpu"),), ())
GPU = {"tier": "gpu"}
UNREACHABLE = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
TAINTED = "node(s) had untolerated taint {dedicated: gpu}"


@pytest.mark.parametrize(
    ("node", "want"),
    [
        pytest.param(FakeNode(labels=GPU), None, id="feasible"),
        pytest.param(FakeNode(labels=GPU, ready=False), UNREACHABLE, id="not-ready"),
        pytest.param(FakeNode(labels=GPU, cordoned=True), REASON_UNSCHEDULABLE, id="cordoned"),
        pytest.param(FakeNode(labels={"tier": "cpu"}), REASON_NODE_AFFINITY, id="selector"),
        pytest.param(FakeNode(labels=GPU, taints=[TAINT]), TAINTED, id="taint"),
        pytest.param(FakeNode(labels=GPU, taints=[PREFER]), None, id="prefer-taint"),
        pytest.param(
            FakeNode(labels=GPU, requested={"cpu": 3001, "pods": 1}), "Insufficient cpu", id="cpu"
        ),
        pytest.param(
            FakeNode(labels=GPU, requested={"pods": 110}), REASON_TOO_MANY_PODS, id="pod-count"
        ),
        # the first failing filter gives the reason: Ready, cordon, selector, taints, resources
        pytest.param(
            FakeNode(labels=GPU, ready=False, cordoned=True), UNREACHABLE, id="ready-first"
        ),
        pytest.param(
            FakeNode(cordoned=True, taints=[TAINT]), REASON_UNSCHEDULABLE, id="cordon-before-rest"
        ),
        pytest.param(FakeNode(taints=[TAINT]), REASON_NODE_AFFINITY, id="selector-before-taint"),
        pytest.param(
            FakeNode(labels=GPU, taints=[TAINT], requested={"pods": 110}),
            TAINTED,
            id="taint-before-resources",
        ),
    ],
)
def test_filter_reason_and_feasible(node: FakeNode, want: str | None) -> None:
    assert filter_reason(node, NEEDS) == want
    assert feasible(node, NEEDS) is (want is None)
    plain = NEEDS._replace(node_selector=())  # no selector, no affinity
    usable_ = usable(node.ready, node.cordoned, node.taints, plain.tolerations)
    fits = insufficient_resource(node.requested, node.capacity, plain.requests) is None
    assert (usable_ and fits) is feasible(node, plain)
    resources_only = want is not None and want.startswith(("Insufficient", "Too many"))
    assert placeable(node, NEEDS) is (want is None or resources_only)


def test_not_ready_is_a_hard_filter() -> None:
    """jobsim's simplification: tolerating every taint does not make a NotReady node usable."""
    tolerate_all = NEEDS._replace(tolerations=((None, "Exists", None, None),))
    assert filter_reason(FakeNode(labels=GPU, ready=False), tolerate_all) == UNREACHABLE
    assert filter_reason(FakeNode(labels=GPU, taints=[TAINT]), tolerate_all) is None


def test_cordon_ignores_tolerations() -> None:
    tolerate_all = NEEDS._replace(tolerations=((None, "Exists", None, None),))
    assert filter_reason(FakeNode(labels=GPU, cordoned=True), tolerate_all) == REASON_UNSCHEDULABLE


# -- FailedScheduling message (FitError.Error) ---------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "want"),
    [
        pytest.param(
            ["Insufficient cpu"], "0/1 nodes are available: 1 Insufficient cpu.", id="one-node"
        ),
        pytest.param(
            ["Insufficient cpu", REASON_UNSCHEDULABLE, "Insufficient cpu"],
            "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable.",
            id="counted",
        ),
        pytest.param(
            [REASON_NODE_AFFINITY, "Insufficient nvidia.com/gpu"] * 2 + [REASON_NODE_AFFINITY],
            "0/5 nodes are available: 2 Insufficient nvidia.com/gpu, "
            "3 node(s) didn't match Pod's node affinity/selector.",
            id="placement-golden",
        ),
        # sorted by reason text (upstream sorts "<count> <reason>": "1 node(s)…" first)
        pytest.param(
            ["Insufficient cpu"] * 10 + [REASON_UNSCHEDULABLE],
            "0/11 nodes are available: 10 Insufficient cpu, 1 node(s) were unschedulable.",
            id="by-reason-text",
        ),
        pytest.param(
            ["Insufficient cpu", None],
            "0/2 nodes are available: 1 Insufficient cpu.",
            id="a-feasible-node-counts-in-the-total",
        ),
        # schedule_one.go schedulePod: NumNodes() == 0 returns ErrNoNodesAvailable
        pytest.param([], "no nodes available to schedule pods", id="no-node-at-all"),
    ],
)
def test_unschedulable_message(reasons: list[str | None], want: str) -> None:
    assert unschedulable_message(reasons) == want


def test_unschedulable_message_of_a_small_cluster() -> None:
    """Four nodes, each filtered for a different reason, for a pod needing 1 cpu."""
    needs = PodNeeds((("cpu", 1000),), (), ())
    nodes = [
        FakeNode(ready=False),
        FakeNode(cordoned=True),
        FakeNode(requested={"cpu": 3500, "pods": 7}),
        FakeNode(taints=[TAINT]),
    ]
    assert unschedulable_message([filter_reason(n, needs) for n in nodes]) == (
        "0/4 nodes are available: 1 Insufficient cpu, "
        "1 node(s) had untolerated taint {dedicated: gpu}, "
        "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
        "1 node(s) were unschedulable."
    )


# -- scores (leastRequestedScore / mostRequestedScore, cpu and memory weight 1) ------------------


@pytest.mark.parametrize(
    ("cpu", "memory", "allocatable", "least", "most"),
    [
        # cpu (4000-1000)·100/4000 = 75, memory (8-2)·100/8 = 75; most: 25 and 25
        pytest.param(1000, 2 * Gi, CAP, 75, 25, id="quarter-each"),
        # cpu 75, memory (8-6)·100/8 = 25 -> 50; most: 25 and 75 -> 50
        pytest.param(1000, 6 * Gi, CAP, 50, 50, id="mixed"),
        # cpu 25, memory 200/3 = 66 -> 91 // 2 = 45; most: 75 and 100/3 = 33 -> 108 // 2 = 54
        pytest.param(3000, Gi, {"cpu": 4000, "memory": 3 * Gi}, 45, 54, id="floors"),
        # over-requested cpu: least 0, most clamps to 100; memory unused: 100 / 0
        pytest.param(5000, 0, CAP, 50, 50, id="over-requested"),
        # no memory capacity: that resource scores 0 but still counts in the mean
        pytest.param(2000, 0, {"cpu": 4000}, 25, 25, id="no-memory-capacity"),
        pytest.param(0, 0, CAP, 100, 0, id="empty"),
        pytest.param(4000, 8 * Gi, CAP, 0, 100, id="full"),
        # one default-request pod (100m, 200Mi) on a 1-cpu 1Gi node:
        # least cpu 90, memory (1024-200)·100/1024 = 80 -> 85; most 10 and 19 -> 14
        pytest.param(
            DEFAULT_MILLI_CPU_REQUEST,
            DEFAULT_MEMORY_REQUEST,
            {"cpu": 1000, "memory": Gi},
            85,
            14,
            id="default-requests",
        ),
    ],
)
def test_scores(cpu: int, memory: int, allocatable: dict[str, int], least: int, most: int) -> None:
    assert least_allocated(cpu, memory, allocatable) == least
    assert most_allocated(cpu, memory, allocatable) == most


@pytest.mark.parametrize(
    ("requests", "want"),
    [
        pytest.param({}, (100, 200 * 1024 * 1024), id="nothing"),
        pytest.param({"cpu": 250}, (250, 200 * 1024 * 1024), id="cpu-only"),
        pytest.param({"cpu": 0, "memory": Gi}, (100, Gi), id="zero-cpu"),
        pytest.param({"nvidia.com/gpu": 1}, (100, 200 * 1024 * 1024), id="other-resource"),
    ],
)
def test_nonzero_requests(requests: dict[str, int], want: tuple[int, int]) -> None:
    assert nonzero_requests(requests) == want


# -- a pod's needs -------------------------------------------------------------------------------


def test_pod_needs_is_order_free_and_hashable() -> None:
    tol = K8sToleration(key="dedicated", operator="Exists", effect="NoSchedule")
    a = pod_needs({"memory": Gi, "cpu": 500}, {"zone": "a", "tier": "gpu"}, [tol])
    b = pod_needs({"cpu": 500, "memory": Gi}, {"tier": "gpu", "zone": "a"}, [tol])
    assert a == b
    assert hash(a) == hash(b)
    assert a == PodNeeds(
        (("cpu", 500), ("memory", Gi)),
        (("tier", "gpu"), ("zone", "a")),
        (("dedicated", "Exists", None, "NoSchedule"),),
    )
    assert pod_needs({}, None, None) == PodNeeds((), (), ())


def test_toleration_tuple() -> None:
    t = K8sToleration(key="k", operator="Equal", value="v", effect="NoExecute", tolerationSeconds=5)
    assert toleration(t) == ("k", "Equal", "v", "NoExecute")


_RESOURCES = ("cpu", "memory", "pods", "nvidia.com/gpu", "ephemeral-storage")
_AMOUNTS = st.integers(-3, 12)


@given(
    st.dictionaries(st.sampled_from(_RESOURCES), _AMOUNTS),
    st.dictionaries(st.sampled_from(_RESOURCES), _AMOUNTS),
    st.lists(st.tuples(st.sampled_from(_RESOURCES), _AMOUNTS), max_size=4),
)
@example({"pods": 2}, {"pods": 5}, [("pods", 4)])  # a request of "pods" counts the bound pods
@example({"cpu": 3, "nvidia.com/gpu": 1}, {"cpu": 4}, [("nvidia.com/gpu", 1), ("cpu", 2)])
def test_insufficient_numbers_is_insufficient_resource_on_the_whole_map(
    requested: dict[str, int], allocatable: dict[str, int], requests: list[tuple[str, int]]
) -> None:
    """A node's numbers and its map of other resources decide as the map of all of them,
    whatever the values (zero, negative, missing, a request naming "pods")."""
    pods, cpu, memory = (requested.get(r, 0) for r in ("pods", "cpu", "memory"))
    extended = {r: q for r, q in requested.items() if r not in ("cpu", "memory", "pods")}
    want = insufficient_resource(requested, allocatable, tuple(requests))
    got = insufficient_numbers(pods, cpu, memory, extended, allocatable, tuple(requests))
    assert got == want
