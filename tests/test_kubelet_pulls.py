"""The real kubelet's pod startup (``cluster.kubelet``): sandbox, image pulls through the
node's puller, container start.

Upstream: ``pkg/kubelet/images/puller.go`` (``serialImagePuller``: one worker, requests in
order; ``parallelImagePuller``: at most ``maxParallelImagePulls`` at once, nil unlimited),
``kuberuntime_manager.go`` ``SyncPod`` (``RunPodSandbox`` first, then each container in order,
``EnsureImageExists`` before it starts) and ``pkg/kubelet/apis/config/validation``.

The scenario: one node; Jobs ``a`` and ``b`` created at 0, one pod each, bound at 0 in that
order, images ``img-a:1`` (20 s to pull) and ``img-b:1`` (30 s), ``containerStart`` 1 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import ScenarioError
from jobsim.distributions import Uniform
from jobsim.sim.jobs import stream
from tests.helpers import job_manifest, run, scenario

PULLS = {"img-a:1": "20s", "img-b:1": "30s"}


def _image(name: str, image: str) -> dict[str, Any]:
    return job_manifest(name, podSpec={"containers": [{"name": "main", "image": image}]})


def _scenario(
    kubelet: dict[str, Any] | bool | None, images: tuple[str, str] = ("img-a:1", "img-b:1")
) -> dict[str, Any]:
    """``kubelet``: the ``cluster.kubelet`` value (``False``: ``off``), None: no key."""
    data = scenario(
        (_image("a", images[0]), {"duration": "10s"}),
        (_image("b", images[1]), {"duration": "10s"}),
        nodes=1,
        timing={"jobSyncDelay": 0, "scheduling": 0, "containerStart": "1s", "imagePull": PULLS},
    )
    if kubelet is not None:
        data["cluster"]["kubelet"] = kubelet
    return data


def _starts(kubelet: dict[str, Any] | bool | None, **kw: Any) -> dict[str, tuple[float, ...]]:
    """Per Job: (image pulled at, container started at)."""
    r = run(_scenario(kubelet, **kw))
    out: dict[str, list[float]] = {}
    for e in r.to_dict()["events"]:
        if e["kind"] in ("IMAGE_PULLED", "CONTAINER_STARTED"):
            out.setdefault(e["object"].rsplit("-", 1)[0], []).append(e["t"])
    return {k: tuple(v) for k, v in out.items()}


def test_ideal_kubelet_pulls_different_images_at_once() -> None:
    """``kubelet: off``: both pulls start at binding (0): a at 20, b at 30, each container 1 s
    later."""
    assert _starts(False) == {"a": (20, 21), "b": (30, 31)}


@pytest.mark.parametrize("kubelet", [None, {}, True], ids=["absent", "empty", "on"])
def test_serialized_pulls_by_default(kubelet: dict[str, Any] | bool | None) -> None:
    """No ``cluster.kubelet``, ``{}`` or ``on`` is the real kubelet's default,
    ``serializeImagePulls: true``: b's pull waits for a's, 20 to 50; b starts at 51."""
    assert _starts(kubelet) == {"a": (20, 21), "b": (50, 51)}


def test_sandbox_then_pulls_then_start() -> None:
    """``podSandbox: 2s``: each pod's sandbox is ready at 2, then a pulls 2–22 and b 22–52."""
    assert _starts({"podSandbox": "2s"}) == {"a": (22, 23), "b": (52, 53)}


def test_parallel_pulls_when_not_serialized() -> None:
    """``serializeImagePulls: false`` with no limit: both pulls from 2, b done at 32; a limit of
    1 is the serial puller again."""
    assert _starts({"serializeImagePulls": False, "podSandbox": "2s"}) == {
        "a": (22, 23),
        "b": (32, 33),
    }
    limited = {"serializeImagePulls": False, "maxParallelImagePulls": 1, "podSandbox": "2s"}
    assert _starts(limited) == {"a": (22, 23), "b": (52, 53)}


def test_an_image_being_pulled_is_waited_for_not_pulled_again() -> None:
    """Both pods need ``img-a:1``: one pull (0–20), both containers start at 21."""
    r = run(_scenario({}, images=("img-a:1", "img-a:1")))
    events = [(e["t"], e["kind"]) for e in r.to_dict()["events"]]
    assert events.count((20, "IMAGE_PULLED")) == 1
    assert [p["startedAt"] for p in r.pods()] == [21, 21]


def test_startup_steps_are_drawn_from_the_node_stream() -> None:
    """Distributions draw from the node's own stream (``kubelet``, node name), in the order
    the steps happen: a's sandbox, b's sandbox, a's start, b's start (pulls are 0 here)."""
    sandbox = {"uniform": {"min": "1s", "max": "3s"}}
    start = {"uniform": {"min": "0s", "max": "1s"}}
    data = _scenario({"podSandbox": sandbox, "containerStart": start})
    data["timing"]["imagePull"] = 0
    r = run(data)
    rng = stream(1, "kubelet", "n-0")
    s, c = Uniform(min=1, max=3), Uniform(min=0, max=1)
    sa, sb = s.sample(rng), s.sample(rng)
    ca, cb = c.sample(rng), c.sample(rng)
    assert [p["startedAt"] for p in r.pods()] == [sa + ca, sb + cb]


@pytest.mark.parametrize(
    ("kubelet", "message"),
    [
        (
            {"maxParallelImagePulls": 0, "serializeImagePulls": False},
            "invalid configuration: maxParallelImagePulls 0 must be a positive number",
        ),
        (
            {"maxParallelImagePulls": 2},
            "invalid configuration: maxParallelImagePulls cannot be larger than 1 unless "
            "SerializeImagePulls (--serialize-image-pulls) is set to false",
        ),
    ],
)
def test_kubelet_configuration_validation(kubelet: dict[str, Any], message: str) -> None:
    """``ValidateKubeletConfiguration``'s words, at ``cluster.kubelet``."""
    with pytest.raises(ScenarioError) as e:
        run(_scenario(kubelet))
    assert str(e.value).splitlines() == [f"<scenario>: cluster.kubelet: {message}"]


def test_pull_times_by_image_with_a_default() -> None:
    """``imagePull`` in ``cluster.kubelet`` is a map by image (with ``default``), each a
    distribution: img-a 5 s, img-b the default 7 s, serialized: a 0–5, b 5–12."""
    kubelet = {"imagePull": {"img-a:1": {"constant": "5s"}, "default": "7s"}}
    assert _starts(kubelet) == {"a": (5, 6), "b": (12, 13)}
