"""kube-scheduler's ImageLocality score: nodes that already hold a pod's images score higher.

Upstream ``pkg/scheduler/framework/plugins/imagelocality/image_locality.go`` (default weight 1,
``apis/config/v1/default_plugins.go``; no normalisation, ``ScoreExtensions`` nil):

- ``normalizedImageName``: an image without a tag after its last ``/`` gets ``:latest``;
- ``sumImageScores``: over the pod's init containers then containers, each image the node holds
  adds ``scaledImageScore`` = ``int64(float64(size) · numNodes / totalNumNodes)``, where
  ``numNodes`` is how many nodes hold the image (the scheduler cache's ``ImageStateSummary``)
  and ``totalNumNodes`` every node of the snapshot — an image on every node counts fully, one
  on few nodes little (against the "node heating problem");
- ``calculatePriority``: the sum clamped to ``[minThreshold, maxThreshold]`` (23 MiB, and
  1000 MiB per container, init containers included), scaled to
  ``100 · (sum − 23 MiB) / (maxThreshold − 23 MiB)``, integer division.

Pure functions of plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Final

__all__ = [
    "MAX_CONTAINER_THRESHOLD",
    "MIN_THRESHOLD",
    "WEIGHT_IMAGE_LOCALITY",
    "calculate_priority",
    "image_locality",
    "normalized_image_name",
    "scaled_image_score",
]

MB: Final = 1024 * 1024
MIN_THRESHOLD: Final = 23 * MB
MAX_CONTAINER_THRESHOLD: Final = 1000 * MB
MAX_NODE_SCORE: Final = 100
WEIGHT_IMAGE_LOCALITY: Final = 1


def normalized_image_name(name: str) -> str:
    """``normalizedImageName``: ``name:latest`` when the name has no tag."""
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


def scaled_image_score(size: int, num_nodes: int, total_nodes: int) -> int:
    """``scaledImageScore``: the size scaled by the share of nodes holding the image."""
    spread = num_nodes / total_nodes
    return int(size * spread)


def calculate_priority(sum_scores: int, num_containers: int) -> int:
    """``calculatePriority``: the summed scores, clamped, on the 0–100 scale."""
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    sum_scores = min(max(sum_scores, MIN_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (sum_scores - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


def image_locality(
    images: Iterable[str],
    held: Collection[str],
    sizes: Mapping[str, int],
    num_nodes: Mapping[str, int],
    total_nodes: int,
) -> int:
    """A node's ImageLocality score for a pod whose containers (init containers first) run
    ``images`` (normalised names): ``held`` are the node's images, ``sizes`` their sizes in
    bytes, ``num_nodes`` how many nodes hold each, of ``total_nodes``."""
    total = 0
    count = 0
    for image in images:
        count += 1
        if image in held:
            total += scaled_image_score(sizes.get(image, 0), num_nodes[image], total_nodes)
    return calculate_priority(total, count)
