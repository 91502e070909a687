"""Clusters: node pools of small nodes (:func:`clusters`), perhaps sized to hold a Job's
pods, and the names jobsim gives their nodes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import hypothesis.strategies as st

from jobsim.k8s.resources import pod_requests
from jobsim.scenario.model import SYSTEM_PRIORITY_CLASSES
from jobsim.testing.strategies._common import _check_int, _maybe, _seconds
from jobsim.testing.strategies.manifest import _facts, _fixed_manifest, _JobFacts

__all__ = ["clusters"]

POOL_NAMES = "abcdefgh"


def clusters(
    manifest: Mapping[str, Any] | str | None = None,
    *,
    max_pools: int = 2,
    min_nodes: int = 0,
    max_nodes: int = 3,
    autoscaling: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """``cluster`` mappings: node pools named ``a``, ``b``, … of small nodes.

    Without a manifest the nodes are small (1, 2 or 4 cpus, 16Gi, perhaps a pod limit), and a
    drawn Job may fit none of them. With one, each node holds a whole number of its pods (1 up
    to its parallelism, shrinking toward all of them on one node): its capacity is that many
    times the pod's requests (at least 1 cpu and 1Gi each), and ``pods`` that many; pools carry
    the pod template's ``nodeSelector`` as labels, and the cluster its ``priorityClassName``.

    Args:
        manifest: a Job manifest (a mapping or YAML text) whose pods every node takes.
        max_pools: most node pools (at most 8).
        min_nodes: fewest nodes in each pool.
        max_nodes: most nodes in each pool (initially, when autoscaled).
        autoscaling: whether a pool may be autoscaled (up to ``max_nodes + 1`` nodes).
    """
    _check_int("max_pools", max_pools, 1)
    if max_pools > len(POOL_NAMES):
        raise ValueError(f"max_pools must be at most {len(POOL_NAMES)}, got {max_pools}")
    _check_int("min_nodes", min_nodes, 0)
    _check_int("max_nodes", max_nodes, min_nodes)
    if not isinstance(autoscaling, bool):
        raise TypeError(f"autoscaling must be a bool, got {type(autoscaling).__name__}")
    if manifest is None:
        return _clusters(max_pools, min_nodes, max_nodes, autoscaling)
    _, job = _fixed_manifest(manifest)
    return _sized_clusters(_facts(job), max_pools, min_nodes, max_nodes, autoscaling)


@st.composite
def _clusters(
    draw: st.DrawFn, max_pools: int, min_nodes: int, max_nodes: int, autoscaling: bool
) -> dict[str, Any]:
    pools = []
    for i in range(draw(st.integers(1, max_pools))):
        capacity: dict[str, Any] = {"cpu": draw(st.sampled_from(["4", "2", "1"])), "memory": "16Gi"}
        pods = _maybe(draw, st.integers(1, 3))
        if pods is not None:
            capacity["pods"] = pods
        count = draw(st.integers(min_nodes, max_nodes))
        pool: dict[str, Any] = {"name": POOL_NAMES[i], "count": count, "capacity": capacity}
        if autoscaling and draw(st.booleans()):
            pool["autoscaling"] = {
                "min": draw(st.integers(0, count)),
                "max": draw(st.integers(count, max_nodes + 1)),
                "provisionDelay": draw(_seconds(60)),
                "scaleDownUnneeded": draw(_seconds(600)),
            }
        pools.append(pool)
    out: dict[str, Any] = {"nodePools": pools}
    scoring = _maybe(draw, st.sampled_from(["LeastAllocated", "MostAllocated"]))
    if scoring is not None:
        out["scoring"] = scoring
    return out


GI = 2**30


def _capacity(need: Mapping[str, int], slots: int) -> dict[str, Any]:
    """Room for ``slots`` pods that each request ``need`` (cpu in millicores, the rest in
    units), and at least 1 cpu and 1Gi each."""
    cpu = max(need.get("cpu", 0), 1000) * slots
    memory = max(need.get("memory", 0), GI) * slots
    out: dict[str, Any] = {
        "cpu": str(cpu // 1000) if cpu % 1000 == 0 else f"{cpu}m",
        "memory": f"{memory // GI}Gi" if memory % GI == 0 else str(memory),
        "pods": slots,
    }
    for name, amount in sorted(need.items()):
        if name not in ("cpu", "memory"):
            out[name] = str(amount * slots)
    return out


@st.composite
def _sized_clusters(
    draw: st.DrawFn,
    facts: _JobFacts,
    max_pools: int,
    min_nodes: int,
    max_nodes: int,
    autoscaling: bool,
) -> dict[str, Any]:
    need = pod_requests(facts.job)
    pod = facts.job.spec.template.spec
    pools = []
    for i in range(draw(st.integers(1, max_pools))):
        slots = facts.parallel - draw(st.integers(0, facts.parallel - 1))
        count = draw(st.integers(min_nodes, max_nodes))
        pool: dict[str, Any] = {
            "name": POOL_NAMES[i],
            "count": count,
            "capacity": _capacity(need, slots),
        }
        if pod.nodeSelector:
            pool["labels"] = dict(pod.nodeSelector)
        if autoscaling and draw(st.booleans()):
            pool["autoscaling"] = {
                "min": draw(st.integers(0, count)),
                "max": draw(st.integers(count, max_nodes + 1)),
                "provisionDelay": draw(st.integers(0, 60)),
                "scaleDownUnneeded": draw(st.integers(0, 600)),
            }
        pools.append(pool)
    out: dict[str, Any] = {"nodePools": pools}
    scoring = _maybe(draw, st.sampled_from(["LeastAllocated", "MostAllocated"]))
    if scoring is not None:
        out["scoring"] = scoring
    priority_class = pod.priorityClassName
    if priority_class and priority_class not in SYSTEM_PRIORITY_CLASSES:
        out["priorityClasses"] = [{"name": priority_class, "value": 0}]
    return out


def _node_names(cluster: Mapping[str, Any]) -> list[str]:
    """The initial nodes of a cluster, named as jobsim names them (``<pool>-<i>``)."""
    return [f"{p['name']}-{i}" for p in cluster["nodePools"] for i in range(p["count"])]
