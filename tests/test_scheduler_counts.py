"""The scheduler reads a Node's capacity and requests as numbers (``cap_*``, ``req_*``) for pods
that request only cpu and memory: they must stay equal to the ``capacity`` and ``requested``
maps the filters and scores read by name, and the number-reading filter and scores must
decide as those do."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobsim import load_scenario
from jobsim.policy.image_locality import normalized_image_name
from jobsim.policy.placement import (
    PodNeeds,
    _percent,
    feasible,
    fits_cpu_memory,
    insufficient_resource,
    least_allocated,
    least_allocated_of,
    most_allocated,
    most_allocated_of,
)
from jobsim.policy.scoring import balanced_allocation, balanced_allocation_of
from jobsim.record import NullRecorder
from jobsim.sim.objects import Node
from jobsim.sim.scheduler import _Fit, _FitIndex
from jobsim.sim.simulation import Simulation
from tests.helpers import job_manifest, scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

amounts = st.integers(min_value=0, max_value=40)


def _maps(
    pods: int, req_cpu: int, req_mem: int, cap: tuple[int, int, int], missing: frozenset[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """``requested`` and ``capacity`` as the Node keeps them; ``missing`` resources unlisted."""
    requested = {"pods": pods, "cpu": req_cpu, "memory": req_mem}
    capacity = dict(zip(("pods", "cpu", "memory"), cap, strict=True))
    for r in missing:
        requested.pop(r, None)
        capacity.pop(r, None)
    return requested, capacity


@given(
    amounts,
    amounts,
    amounts,
    amounts,
    amounts,
    st.tuples(amounts, amounts, amounts),
    st.frozensets(st.sampled_from(["pods", "cpu", "memory"])),
)
def test_numbers_decide_as_the_maps(
    cpu: int,
    memory: int,
    pods: int,
    req_cpu: int,
    req_mem: int,
    cap: tuple[int, int, int],
    missing: frozenset[str],
) -> None:
    requested, capacity = _maps(pods, req_cpu, req_mem, cap, missing)
    # a resource the node does not list counts as 0, as the maps' .get(r, 0)
    n_pods, n_cpu, n_mem = (requested.get(r, 0) for r in ("pods", "cpu", "memory"))
    c_pods, c_cpu, c_mem = (capacity.get(r, 0) for r in ("pods", "cpu", "memory"))
    requests = (("cpu", cpu), ("memory", memory))
    assert fits_cpu_memory(cpu, memory, n_pods, n_cpu, n_mem, c_pods, c_cpu, c_mem) is (
        insufficient_resource(requested, capacity, requests) is None
    )
    assert least_allocated_of(n_cpu, n_mem, c_cpu, c_mem) == least_allocated(n_cpu, n_mem, capacity)
    assert most_allocated_of(n_cpu, n_mem, c_cpu, c_mem) == most_allocated(n_cpu, n_mem, capacity)
    assert balanced_allocation_of(cpu, memory, n_cpu, n_mem, c_cpu, c_mem) == (
        balanced_allocation(cpu, memory, requested, capacity)
    )


@pytest.mark.parametrize(
    "name", ["pi", "preemption", "placement", "node-failure", "autoscaling", "drain", "spread"]
)
def test_node_numbers_follow_the_maps(name: str) -> None:
    """At every tenth of the run, each node's numbers equal its maps, and the filter and index
    score of every Job's pods agree with ``feasible`` and the scores on the maps
    (NodeResourcesFit, either strategy, plus BalancedAllocation)."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    whole = Simulation(scenario, NullRecorder())
    whole.run(scenario.stop_time)
    end = whole.clock.last  # the last thing that happens
    sim = Simulation(scenario, NullRecorder())
    checked = 0
    for tenth in range(1, 11):
        sim.run(end * tenth / 10)
        for node in sim.scheduler.nodes:
            assert (node.cap_pods, node.cap_cpu, node.cap_mem) == tuple(
                node.capacity.get(r, 0) for r in ("pods", "cpu", "memory")
            )
            bound: dict[str, int] = {"cpu": 0, "memory": 0, "pods": len(node.pods)}
            for pod in node.pods.values():
                for r, q in pod.requests.items():
                    bound[r] = bound.get(r, 0) + q
            assert (node.req_pods, node.req_cpu, node.req_mem) == tuple(
                bound[r] for r in ("pods", "cpu", "memory")
            )
            assert {r: q for r, q in node.requested.items() if q} == {
                r: q for r, q in bound.items() if q
            }
            assert not {"cpu", "memory", "pods"} & set(node.extended or ())
            for job in sim.jobs.values():
                assert _Fit(job.needs).fits(node) is feasible(node, job.needs)
                cpu, memory = (dict(job.needs.requests).get(r, 0) for r in ("cpu", "memory"))
                balanced = balanced_allocation(cpu, memory, node.requested, node.capacity)
                for most, fit in ((False, least_allocated), (True, most_allocated)):
                    assert _Fit(job.needs, most).score(node) == (
                        fit(node.score_cpu, node.score_mem, node.capacity) + balanced
                    )
                checked += 1
    assert checked  # some Job met some node


def test_nodes_are_what_their_pool_describes() -> None:
    """A pool's nodes, built from what the simulation reads of the pool once: each node's
    labels are ``NodePool.node_labels`` of its name (in the same order: a pool's own
    ``kubernetes.io/hostname`` wins), its taints, allocatable and preloaded images the pool's."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    data["cluster"]["nodePools"] = [
        {
            "name": "plain",
            "count": 2,
            "capacity": {"cpu": "4", "memory": "16Gi"},
        },
        {
            "name": "zoned",
            "count": 3,
            "capacity": {"cpu": "8", "memory": "32Gi", "pods": 20},
            "zone": "z-1",
            "region": "r",
            "instanceType": "big",
            "labels": {"team": "a", "kubernetes.io/os": "windows"},
            "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}],
            "images": ["busybox"],
        },
        {
            "name": "named",
            "count": 2,
            "capacity": {"cpu": "2", "memory": "8Gi"},
            "labels": {"kubernetes.io/hostname": "same"},
        },
    ]
    data["cluster"]["images"] = {"busybox": "500Mi"}
    loaded = load_scenario(data)
    sim = Simulation(loaded, NullRecorder())
    pools = {p.name: p for p in loaded.cluster.nodePools}
    assert [n.name for n in sim.scheduler.nodes] == [
        "plain-0",
        "plain-1",
        "zoned-0",
        "zoned-1",
        "zoned-2",
        "named-0",
        "named-1",
    ]
    for node in sim.scheduler.nodes:
        pool = pools[node.pool]
        assert list(node.labels.items()) == list(pool.node_labels(node.name).items())
        assert node.taints == tuple((t.key, t.value, t.effect) for t in pool.taints)
        assert node.capacity == pool.allocatable()
        assert list(node.images) == [normalized_image_name(i) for i in pool.images]
    zoned = sim.scheduler.nodes[2]
    assert zoned.labels["kubernetes.io/hostname"] == "zoned-0"
    assert zoned.labels["kubernetes.io/os"] == "windows"
    assert zoned.images == {"busybox:latest": 0.0}
    assert sim.scheduler.nodes[5].labels["kubernetes.io/hostname"] == "same"
    nodes = sim.scheduler.nodes
    assert nodes[2].labels is not nodes[3].labels  # its own hostname
    assert nodes[2].taints is nodes[3].taints  # the pool's, shared
    # a taint added to one node (node.kubernetes.io/out-of-service) is that node's alone
    sim.lifecycle.node_out_of_service(nodes[3])
    pool_taints = (("k", "v", "NoSchedule"),)
    assert nodes[3].taints == (
        *pool_taints,
        ("node.kubernetes.io/out-of-service", "nodeshutdown", "NoExecute"),
    )
    assert nodes[2].taints == nodes[4].taints == pool_taints
    assert sim._pool_shapes["zoned"].taints == pool_taints


GI = 1 << 30


_CHANGES = ("bind", "release", "cordon", "uncordon", "remove")


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=11), st.sampled_from(_CHANGES)), max_size=300
    )
)
def test_the_fit_index_reads_the_best_node(ops: list[tuple[int, str]]) -> None:
    """After any binds, releases, cordons and removals, each re-filed, on nodes of two sizes of
    which up to six join later (past the tree's eight leaves), ``best`` is the feasible node of
    highest index score, the first in scenario order among equals (what a scan of every node
    gives), in the index that saw the changes and in one built afterwards, whose tree is the
    same."""

    def node(i: int) -> Node:
        cpu = 4000 if i % 3 else 6000
        return Node(f"n-{i}", i, "n", {"cpu": cpu, "memory": 8 * GI, "pods": 3}, {}, ())

    nodes = [node(i) for i in range(6)]
    fit = _Fit(PodNeeds((("cpu", 1000), ("memory", GI)), (), ()))
    index = _FitIndex(fit, nodes)
    for i, change in ops:
        while i >= len(nodes):  # a node joins
            nodes.append(node(len(nodes)))
            index.update(nodes[-1])
        n = nodes[i]
        if change in ("bind", "release"):
            sign = 1 if change == "bind" else -1
            if sign < 0 and not n.req_pods:
                continue
            n.req_cpu += sign * 1000
            n.req_mem += sign * GI
            n.req_pods += sign
            n.score_cpu += sign * 1000
            n.score_mem += sign * GI
        elif change == "remove":
            n.removed = True
        else:
            n.cordoned = change == "cordon"
        index.update(n)
        ranked = [(-fit.score(m), m.seq) for m in nodes if not m.removed and fit.fits(m)]
        assert index.best() == (min(ranked)[1] if ranked else None)
        # an index built now (a fit key's first pod, mid-run) reads the same node
        fresh = _FitIndex(fit, nodes)
        assert fresh.best() == index.best()
        assert (fresh.size, fresh.tree) == (index.size, index.tree)
        assert index.tree[index.size : index.size + len(nodes)] == [
            -1 if m.removed or not fit.fits(m) else fit.score(m) for m in nodes
        ]


_EDGES = [0, 1, -1, 2**30, 2**56 - 1, 2**56, 2**56 + 1, 2**57, 2**62 - 1, 2**63, -(2**56)]
integers = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(_EDGES)


@given(integers, integers.filter(bool))
def test_percent_is_integer_arithmetic(x: int, capacity: int) -> None:
    """``_percent`` gives ``x * 100 // capacity`` for any ints: in a machine word where the
    product fits one, else as Python does (compiled, the two paths differ)."""
    assert _percent(x, capacity) == x * 100 // capacity


amounts_of_bytes = st.integers(min_value=0, max_value=2**64) | st.sampled_from(_EDGES[:7])


@given(amounts_of_bytes, amounts_of_bytes, amounts_of_bytes, amounts_of_bytes)
def test_scores_of_bytes_are_upstreams(cpu: int, memory: int, cap_cpu: int, cap_mem: int) -> None:
    """The NodeResourcesFit scores on any amounts, memory in bytes included: upstream's
    ``(capacity - requested) * 100 / capacity`` (LeastAllocated, 0 when over-requested) and
    ``requested * 100 / capacity`` (MostAllocated), each resource of capacity 0 scoring 0."""

    def least(r: int, c: int) -> int:
        return max((c - r) * 100 // c, 0) if c else 0

    def most(r: int, c: int) -> int:
        return min(r, c) * 100 // c if c else 0

    want = (least(cpu, cap_cpu) + least(memory, cap_mem)) // 2
    assert least_allocated_of(cpu, memory, cap_cpu, cap_mem) == want
    assert (
        most_allocated_of(cpu, memory, cap_cpu, cap_mem)
        == (most(cpu, cap_cpu) + most(memory, cap_mem)) // 2
    )


def test_the_fit_index_takes_equal_nodes_in_seq_order() -> None:
    """On 1,000 equal nodes, each pod bound to ``best`` (LeastAllocated): the first 1,000 go
    to nodes 0 to 999 in order, and so do the next 1,000; a node released is the best again,
    and stays so while others fill up."""
    nodes = [
        Node(f"n-{i}", i, "n", {"cpu": 4000, "memory": 8 * GI, "pods": 3}, {}, ())
        for i in range(1000)
    ]
    fit = _Fit(PodNeeds((("cpu", 1000), ("memory", GI)), (), ()))
    index = _FitIndex(fit, nodes)
    assert index.size == 1024

    def bind(sign: int, n: Node) -> None:
        n.req_cpu += sign * 1000
        n.req_mem += sign * GI
        n.req_pods += sign
        n.score_cpu += sign * 1000
        n.score_mem += sign * GI
        index.update(n)

    taken = []
    for _ in range(2000):
        seq = index.best()
        assert seq is not None
        taken.append(seq)
        bind(1, nodes[seq])
    assert taken == [*range(1000), *range(1000)]
    bind(-1, nodes[500])
    assert index.best() == 500
    for n in nodes[:3]:  # full: three pods each
        bind(1, n)
    assert index.best() == 500


def test_the_fit_index_on_no_node_one_node_and_a_node_joining_far_past_its_leaves() -> None:
    """An index of no node reads none; of one node (a tree of one leaf, its root), that node
    while it fits; a node joining with a seq far past the leaves (the autoscaler's, after
    others left) grows the tree to the next power of two above it, as one built afresh."""
    fit = _Fit(PodNeeds((("cpu", 1000), ("memory", GI)), (), ()))

    def node(i: int) -> Node:
        return Node(f"n-{i}", i, "n", {"cpu": 4000, "memory": 8 * GI, "pods": 3}, {}, ())

    empty = _FitIndex(fit, [])
    assert (empty.size, empty.best()) == (1, None)
    one = node(0)
    index = _FitIndex(fit, [one])
    assert (index.size, index.best()) == (1, 0)
    one.cordoned = True
    index.update(one)
    assert index.best() is None
    far = node(37)
    index.update(far)
    assert (index.size, index.best()) == (64, 37)
    fresh = _FitIndex(fit, [one, far])
    assert (fresh.size, fresh.tree) == (index.size, index.tree)
    empty.update(far)
    assert (empty.size, empty.best()) == (64, 37)
