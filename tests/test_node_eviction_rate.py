"""Rate limits of the node lifecycle controller's NoExecute tainting (``cluster.nodeLifecycle``).

Upstream ``pkg/controller/nodelifecycle/node_lifecycle_controller.go``: NotReady nodes queue in
their zone's ``zoneNoExecuteTainter``, a token bucket of burst 1 (``EvictionRateLimiterBurst``)
at ``--node-eviction-rate`` 0.1/s; ``ComputeZoneState`` (FullDisruption with no Ready node,
PartialDisruption with more than 2 NotReady nodes making at least
``--unhealthy-zone-threshold`` 0.55 of the zone, else Normal); ``setLimiterInZone`` (Partial:
``ReducedQPSFunc``, ``--secondary-node-eviction-rate`` 0.01 above
``--large-cluster-size-threshold`` 50 nodes, else 0); ``handleDisruption`` (every zone
FullDisruption: no tainting and every taint removed); ``SwapLimiter`` (the new bucket has a
token only if the old one had). The taint manager evicts a pod 300 s after its node's taint
(``defaultTolerationSeconds``).

The scenario: five nodes in zone ``z1``, one pod on each from 1 s (runs 5000 s); nodes go down
at 100, so NotReady at 150 (``nodeMonitorGracePeriod`` 50 s), in node order.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import job_manifest, run, scenario


def _run(
    down: list[str], lifecycle: dict[str, Any] | bool | None, nodes: int = 5, up: str = ""
) -> Any:
    """``lifecycle``: ``cluster.nodeLifecycle`` (``False``: ``off``), None: no key."""
    events: list[dict[str, Any]] = [{"at": "100s", "nodeDown": n} for n in down]
    if up:
        events.append({"at": "1000s", "nodeUp": up})
    data = scenario(
        (job_manifest(parallelism=nodes, completions=nodes), {"duration": "5000s"}),
        nodes=nodes,
        timing={"jobSyncDelay": 0, "scheduling": 0, "containerStart": "1s", "imagePull": 0},
        events=events,
    )
    data["cluster"]["nodePools"][0]["zone"] = "z1"
    if lifecycle is not None:
        data["cluster"]["nodeLifecycle"] = lifecycle
    return run(data)


def _tainted(r: Any) -> list[tuple[float, str]]:
    return [(e["t"], e["object"]) for e in r.to_dict()["events"] if e["kind"] == "NODE_TAINTED"]


def _evicted(r: Any) -> list[tuple[str, float]]:
    return sorted((p["node"], p["deletedAt"]) for p in r.pods() if p["deletedAt"] is not None)


def test_ideal_model_taints_every_node_at_once() -> None:
    """``nodeLifecycle: off``: both nodes tainted at 150, both pods evicted at 450."""
    r = _run(["n-0", "n-1"], False)
    assert _tainted(r) == [(150, "n-0"), (150, "n-1")]
    assert _evicted(r) == [("n-0", 450), ("n-1", 450)]


@pytest.mark.parametrize("lifecycle", [None, {}, True], ids=["absent", "empty", "on"])
def test_normal_zone_taints_one_node_per_10s(lifecycle: dict[str, Any] | bool | None) -> None:
    """2 of 5 NotReady is Normal: n-0 takes the bucket's token at 150, n-1 the next one at
    160; evictions 300 s later. The rate limits are on by default, as kube-controller-manager
    always applies them."""
    r = _run(["n-0", "n-1"], lifecycle)
    assert _tainted(r) == [(150, "n-0"), (160, "n-1")]
    assert _evicted(r) == [("n-0", 450), ("n-1", 460)]


def test_partial_disruption_of_a_small_zone_stops_tainting() -> None:
    """The third NotReady node (3 of 5 = 0.6 ≥ 0.55) makes the zone PartialDisruption; it has
    at most 50 nodes, so the rate is 0: n-1 and n-2 wait. n-2 back at 1000 makes the zone
    Normal again: the new bucket starts empty (the old one had no token), so n-1 is tainted at
    1010 and its pod evicted at 1310."""
    r = _run(["n-0", "n-1", "n-2"], {}, up="n-2")
    assert _tainted(r) == [(150, "n-0"), (1010, "n-1")]
    assert _evicted(r) == [("n-0", 450), ("n-1", 1310)]


def test_partial_disruption_of_a_large_zone_slows_down() -> None:
    """With ``largeClusterSizeThreshold: 4`` the zone of 5 is large: PartialDisruption tainting
    goes on at 0.01/s. The bucket had no token at 150 (n-0 took it), so the new one is empty:
    n-1 at 250, n-2 at 350."""
    r = _run(["n-0", "n-1", "n-2"], {"largeClusterSizeThreshold": 4})
    assert _tainted(r) == [(150, "n-0"), (250, "n-1"), (350, "n-2")]
    assert _evicted(r) == [("n-0", 450), ("n-1", 550), ("n-2", 650)]


def test_every_zone_fully_disrupted_stops_all_evictions() -> None:
    """Two nodes, both down: n-0 is tainted at 150, then n-1 makes every zone FullDisruption
    (master disruption mode): n-0's taint is removed and its eviction cancelled. n-1 back at
    1000: the zone is Normal again with an empty bucket, so n-0 is tainted again at 1010 and
    its pod evicted at 1310."""
    r = _run(["n-0", "n-1"], {}, nodes=2, up="n-1")
    assert _tainted(r) == [(150, "n-0"), (1010, "n-0")]
    assert _evicted(r) == [("n-0", 1310)]


def test_zones_are_separate() -> None:
    """Two pools in two zones, one node of each down: each zone's bucket has its token, so both
    are tainted at 150."""
    data = scenario(
        (job_manifest(parallelism=4, completions=4), {"duration": "5000s"}),
        nodes=2,
        timing={"jobSyncDelay": 0, "scheduling": 0, "containerStart": "1s", "imagePull": 0},
        events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "100s", "nodeDown": "m-0"}],
    )
    pool = data["cluster"]["nodePools"][0]
    data["cluster"]["nodePools"] = [
        {**pool, "zone": "z1"},
        {**pool, "name": "m", "zone": "z2"},
    ]
    data["cluster"]["nodeLifecycle"] = {}
    r = run(data)
    assert _tainted(r) == [(150, "n-0"), (150, "m-0")]
