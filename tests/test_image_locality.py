"""kube-scheduler's ImageLocality score (issue 16, item 2).

Upstream ``pkg/scheduler/framework/plugins/imagelocality/image_locality.go``: each of the pod's
(init) container images a node holds adds ``int(size · nodes holding it / all nodes)``; the
sum, clamped to [23 MiB, 1000 MiB per container], scales to ``100·(sum − 23 MiB) //
(max − 23 MiB)``; weight 1 (``default_plugins.go``). Expected placements are computed by hand
from those formulas and the other default scores (LeastAllocated: per resource
``(allocatable − requested)·100 // allocatable`` averaged, a pod requesting nothing counting
100m and 200Mi; BalancedAllocation skips a best-effort pod). Zero timing, each pod runs 10 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.api import ScenarioError
from jobsim.policy.image_locality import (
    calculate_priority,
    image_locality,
    normalized_image_name,
    scaled_image_score,
)
from jobsim.run import simulate
from jobsim.scenario import load_scenario
from tests.helpers import job_manifest, scenario
from tests.test_inter_pod_scheduling import placements

MI = 1024 * 1024


# -- the formula ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("busybox", "busybox:latest"),
        ("busybox:1.36", "busybox:1.36"),
        # upstream's TestNormalizedImageName: a registry port is no tag; a digest is kept
        ("registry:5000/train", "registry:5000/train:latest"),
        ("registry:5000/train:v1", "registry:5000/train:v1"),
        ("busybox@sha256:abc", "busybox@sha256:abc"),
    ],
)
def test_normalized_image_name_adds_latest_to_an_untagged_name(name: str, normalized: str) -> None:
    assert normalized_image_name(name) == normalized


def test_calculate_priority_clamps_and_scales_per_container() -> None:
    """Below 23 MiB: 0; 1000 MiB per container: 100; 500 MiB over two containers:
    100·(500 − 23) MiB // (2000 − 23) MiB = 24."""
    assert calculate_priority(0, 1) == 0
    assert calculate_priority(23 * MI, 1) == 0
    assert calculate_priority(1000 * MI, 1) == 100
    assert calculate_priority(5000 * MI, 1) == 100
    assert calculate_priority(500 * MI, 2) == 100 * (477 * MI) // (1977 * MI) == 24


def test_the_score_scales_by_the_share_of_nodes_holding_the_image() -> None:
    """2000 MiB on 1 of 3 nodes: int(2097152000 / 3) = 699050666, 100·(699050666 − 24117248)
    // 1024458752 = 65 (upstream's ``TestImageLocalityPriority`` case "if exceed limit, use
    limit": "(2000M/3 - 23M)/(1000M - 23M) = 65"); on all 3: the whole size, clamped to
    1000 MiB: 100. An image the node lacks, or without a size, adds nothing."""
    assert scaled_image_score(2000 * MI, 1, 3) == 699050666
    sizes = {"t:v1": 2000 * MI}
    assert image_locality(["t:v1"], {"t:v1"}, sizes, {"t:v1": 1}, 3) == 65
    assert image_locality(["t:v1"], {"t:v1"}, sizes, {"t:v1": 3}, 3) == 100
    assert image_locality(["t:v1"], set(), sizes, {"t:v1": 1}, 3) == 0
    assert image_locality(["u:v1"], {"u:v1"}, sizes, {"u:v1": 3}, 3) == 0
    # an init container's image counts, and the container count raises the ceiling: 500 MiB
    # on every node, two containers: 100·(500 − 23) MiB // (2000 − 23) MiB = 24
    sizes = {"init:v1": 500 * MI}
    held = {"init:v1"}
    assert image_locality(["init:v1", "main:v1"], held, sizes, {"init:v1": 3}, 3) == 24


# -- placements -------------------------------------------------------------------------------


def _job(name: str, image: str = "train:v1", **pod: Any) -> dict[str, Any]:
    return job_manifest(name, podSpec={"containers": [{"name": "main", "image": image}], **pod})


def _run(pools: list[dict[str, Any]], *jobs: dict[str, Any], images: Any = None) -> Any:
    data = scenario(*[(j, {"duration": "10s"}) for j in jobs])
    data["cluster"]["nodePools"] = pools
    if images is not None:
        data["cluster"]["images"] = images
    for i, entry in enumerate(data["jobs"]):
        entry["submitAt"] = f"{i}s"
    return simulate(load_scenario(data))


def _pool(name: str, count: int, **fields: Any) -> dict[str, Any]:
    return {"name": name, "count": count, "capacity": {"cpu": "4", "memory": "16Gi"}, **fields}


def test_a_node_that_pulled_the_image_draws_the_next_pod() -> None:
    """Three empty nodes; ``train:v1`` is 500 MiB. Job a (at 0) ties everywhere: n-0, whose
    kubelet pulls the image at once. Job b (at 1 s), same image: n-0 holds it, on 1 of 3
    nodes: int(524288000 / 3) = 174762666 → 100·(174762666 − 24117248) // 1024458752 = 14.
    LeastAllocated: n-0 holds a's 100m/200Mi: cpu 3900·100 // 4000 = 97, memory
    16184·100 // 16384 = 98, (97 + 98) // 2 = 97, against 100 on n-1: 97 + 14 > 100, so
    n-0. Without the image's size the score is 0 and b takes n-1."""
    pools = [_pool("n", 3)]
    r = _run(pools, _job("a"), _job("b"), images={"train:v1": "500Mi"})
    assert placements(r) == [("n-0", 0), ("n-0", 1)]
    r = _run(pools, _job("a"), _job("b"))
    assert placements(r) == [("n-0", 0), ("n-1", 1)]


def test_a_preloaded_image_against_a_busier_node() -> None:
    """Pool a (two nodes) and pool b (one node, ``train:v1`` preloaded). A filler of 2 cpu is
    pinned to b-0 at 0 (nodeSelector on its instance type). Job t (at 1 s, best effort) then
    scores b-0 LeastAllocated cpu (4000 − 2100)·100 // 4000 = 47, memory 98: 72, a-0 100.
    At 2000 MiB, on 1 of 3 nodes, ImageLocality gives b-0 65: 137 > 100, b-0. At 500 MiB it
    gives 14: 86 < 100, a-0."""
    filler = _job(
        "filler", image="busybox:1.36", nodeSelector={"node.kubernetes.io/instance-type": "b"}
    )
    filler["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "2"}}
    pools = [_pool("a", 2), _pool("b", 1, images=["train:v1"])]
    r = _run(pools, filler, _job("t"), images={"train:v1": "2000Mi"})
    assert placements(r, "t") == [("b-0", 1)]
    r = _run(pools, filler, _job("t"), images={"train:v1": "500Mi"})
    assert placements(r, "t") == [("a-0", 1)]


def test_a_preloaded_image_is_not_pulled() -> None:
    """imagePull 5s: on a node of a pool preloading ``train`` (``train:latest``), a pod of
    image ``train:latest`` with ``imagePullPolicy: IfNotPresent`` (``:latest`` defaults to
    Always) starts at once; elsewhere it waits for the pull."""
    timing = {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": "5s"}
    for pools, started in (
        ([_pool("p", 1, images=["train"])], 0),
        ([_pool("p", 1)], 5),
    ):
        manifest = _job("a", image="train:latest")
        manifest["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
        data = scenario((manifest, {"duration": "10s"}), timing=timing)
        data["cluster"]["nodePools"] = pools
        data["cluster"]["images"] = {"train": "1Gi"}
        r = simulate(load_scenario(data))
        assert [p["startedAt"] for p in r.pods()] == [started]


# -- the scenario format ----------------------------------------------------------------------


def _error(cluster: dict[str, Any]) -> list[str]:
    data = scenario((_job("a"), {"duration": "10s"}))
    data["cluster"].update(cluster)
    with pytest.raises(ScenarioError) as err:
        load_scenario(data)
    return [str(p) for p in err.value.problems]


def test_a_preloaded_image_needs_a_size() -> None:
    pools = [_pool("p", 1, images=["train:v1"])]
    assert _error({"nodePools": pools}) == [
        "cluster.nodePools[0].images[0]: image 'train:v1' has no size: add it to cluster.images "
        "(e.g. 'train:v1': 500Mi)"
    ]


def test_one_image_sized_twice_is_refused() -> None:
    assert _error({"images": {"train": "1Gi", "train:latest": "1Gi"}}) == [
        "cluster.images.train:latest: the same image as 'train' (train:latest): size it once"
    ]


def test_a_size_is_a_non_negative_quantity() -> None:
    [problem] = _error({"images": {"train": "-1Gi"}})
    assert problem.startswith("cluster.images.train: ")
