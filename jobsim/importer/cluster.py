"""Node pools from a dump's Nodes: nodes alike are one pool with a count.

Nodes are alike when their ``status.allocatable``, their labels (without the per-node
``kubernetes.io/hostname``) and their taints (without ``timeAdded``) are the same. A pool is
named after its nodes' ``node.kubernetes.io/instance-type`` and ``topology.kubernetes.io/zone``
labels when they have them (``m5-xlarge-us-east-1a``), else ``pool-<n>``. Taints that the node
lifecycle controller sets for a node's state at the time of the dump (``node.kubernetes.io/…``:
not-ready, unreachable, unschedulable…) are dropped, with a note.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jobsim.importer.dump import Item

HOSTNAME = "kubernetes.io/hostname"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
ZONE = "topology.kubernetes.io/zone"
STATE_TAINT_PREFIX = "node.kubernetes.io/"
"""The node lifecycle controller's taints (``pkg/apis/core/v1/well_known_taints.go``)."""
BASE_RESOURCES = ("cpu", "memory")


def _pool_name(labels: dict[str, str], used: set[str]) -> str:
    parts = [labels[k] for k in (INSTANCE_TYPE, ZONE) if labels.get(k)]
    base = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:40].strip("-")
    base = base or "pool"
    name, n = base, 0
    while name in used or (base == "pool" and n == 0):
        name = f"{base}-{n}"
        n += 1
    used.add(name)
    return name


def node_pools(nodes: list[Item], warnings: list[str]) -> list[dict[str, Any]]:
    """The scenario's ``cluster.nodePools`` from these Nodes, in the order first seen."""
    groups: dict[str, dict[str, Any]] = {}
    for node in nodes:
        status = node.data.get("status")
        alloc = status.get("allocatable") if isinstance(status, dict) else None
        if not isinstance(alloc, dict) or not all(k in alloc for k in BASE_RESOURCES):
            warnings.append(f"{node.where}: no status.allocatable cpu and memory: skipped")
            continue
        labels = node.meta.get("labels")
        labels = {k: str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
        labels.pop(HOSTNAME, None)
        spec = node.data.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        taints: list[dict[str, str]] = []
        dropped: list[str] = []
        for t in spec.get("taints") or []:
            if not isinstance(t, dict) or not t.get("key") or not t.get("effect"):
                continue
            if str(t["key"]).startswith(STATE_TAINT_PREFIX):
                dropped.append(str(t["key"]))
                continue
            taint = {"key": str(t["key"]), "effect": str(t["effect"])}
            if t.get("value"):
                taint["value"] = str(t["value"])
            taints.append(taint)
        if dropped or spec.get("unschedulable"):
            what = ", ".join(dropped) or "spec.unschedulable"
            warnings.append(
                f"{node.where}: {what}: the node's state at the time of the dump (cordoned, "
                "not ready…), not its pool's: imported as a ready, schedulable node"
            )
        capacity: dict[str, Any] = {k: str(alloc[k]) for k in BASE_RESOURCES}
        if "pods" in alloc:
            try:
                capacity["pods"] = int(str(alloc["pods"]))
            except ValueError:
                warnings.append(f"{node.where}: status.allocatable.pods is not a number: 110 used")
        for k in sorted(alloc):
            if k not in (*BASE_RESOURCES, "pods"):
                capacity[k] = str(alloc[k])
        key = json.dumps([capacity, sorted(labels.items()), taints], sort_keys=True)
        group = groups.get(key)
        if group is None:
            groups[key] = {"labels": labels, "capacity": capacity, "taints": taints, "count": 0}
            group = groups[key]
        group["count"] += 1
    used: set[str] = set()
    pools: list[dict[str, Any]] = []
    for g in groups.values():
        pool: dict[str, Any] = {"name": _pool_name(g["labels"], used), "count": g["count"]}
        pool["capacity"] = g["capacity"]
        if g["labels"]:
            pool["labels"] = dict(sorted(g["labels"].items()))
        if g["taints"]:
            pool["taints"] = g["taints"]
        pools.append(pool)
    return pools


__all__ = ["HOSTNAME", "INSTANCE_TYPE", "ZONE", "node_pools"]
