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
from jobsim.policy.placement import (
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
from jobsim.sim.scheduler import _Fit
from jobsim.sim.simulation import Simulation

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
            assert (node.req_pods, node.req_cpu, node.req_mem) == tuple(
                node.requested.get(r, 0) for r in ("pods", "cpu", "memory")
            )
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
