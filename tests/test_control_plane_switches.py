"""The real control plane's switches (``timing.kubeAPIQPS``, ``timing.apiTimestampPrecision``,
``cluster.kubelet``, ``cluster.nodeLifecycle``, ``cluster.autoscaler``, ``cluster.scheduler``):
``off`` (0) is the ideal model, ``on`` upstream's defaults; ``controlPlane: ideal`` turns off
every one a scenario does not set. Each shipped scenario with every mechanism off gives its ideal
golden result (``scenarios/expected/ideal/``, or its golden result where the two are the same)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jobsim import load_scenario, simulate
from jobsim.scenario.model import ClusterAutoscaler, Kubelet, KubeScheduler, NodeLifecycle
from tests.golden import expected_path, ideal_path, scenario_files
from tests.helpers import job_manifest, scenario

OFF = "{kubelet: off, nodeLifecycle: off, autoscaler: off, scheduler: off}"
TIMING_OFF = {"kubeAPIQPS": 0, "apiTimestampPrecision": 0}


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_mechanism_off_is_the_ideal_golden_result(path: Path) -> None:
    """The scenario with ``kubelet: off``, ``nodeLifecycle: off``, ``autoscaler: off``,
    ``scheduler: off``, ``kubeAPIQPS: 0`` and ``apiTimestampPrecision: 0`` written out (where it
    does not set them itself) gives its ideal golden ``--json`` bytes."""
    data = yaml.safe_load(path.read_text())
    off = yaml.safe_load(OFF)
    assert set(off.values()) == {False}  # YAML 1.1: off is false
    for key, value in off.items():
        data["cluster"].setdefault(key, value)
    for key, value in TIMING_OFF.items():
        data.setdefault("timing", {}).setdefault(key, value)
    got = simulate(load_scenario(data, base_dir=path.parent)).to_json() + "\n"
    want = ideal_path(path) if ideal_path(path).exists() else expected_path(path)
    assert got == want.read_text()


def test_ideal_is_every_mechanism_off() -> None:
    """``controlPlane: ideal`` is every switch off (the scheduler's queue is off unless given
    anyway); without it they are upstream's defaults."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    real = load_scenario(data)
    assert (real.controlPlane, real.timing.kubeAPIQPS, real.timing.kubeAPIBurst) == ("real", 20, 30)
    ideal = load_scenario({**data, "controlPlane": "ideal"})
    assert (ideal.timing.kubeAPIQPS, ideal.timing.apiTimestampPrecision) == (0, 0)
    cluster = ideal.cluster
    assert (cluster.kubelet, cluster.nodeLifecycle, cluster.autoscaler, cluster.scheduler) == (
        None,
        None,
        None,
        None,
    )
    data["timing"].update(TIMING_OFF)
    data["cluster"].update(yaml.safe_load(OFF))
    assert load_scenario(data).model_copy(update={"controlPlane": "ideal"}) == ideal


def test_ideal_keeps_what_the_scenario_sets() -> None:
    """A mechanism the scenario sets stays on under ``controlPlane: ideal`` (one mechanism
    alone on the ideal model), with or without a ``timing`` section."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    del data["timing"]
    data["cluster"]["kubelet"] = {}
    data["cluster"]["scheduler"] = {}
    ideal = load_scenario({**data, "controlPlane": "ideal"})
    assert (ideal.cluster.kubelet, ideal.cluster.nodeLifecycle) == (Kubelet(), None)
    assert ideal.cluster.scheduler == KubeScheduler()
    assert (ideal.timing.kubeAPIQPS, ideal.timing.jobSyncDelay) == (0, 1.0)
    data["timing"] = {"kubeAPIQPS": 5}
    assert load_scenario({**data, "controlPlane": "ideal"}).timing.kubeAPIQPS == 5


@pytest.mark.parametrize("on", [True, {}, None], ids=["on", "empty", "absent"])
def test_on_is_upstream_defaults(on: bool | dict[str, object] | None) -> None:
    """``on`` (true), ``{}`` and no key are the flags' defaults: a real cluster's."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    if on is not None:
        data["cluster"].update({"kubelet": on, "nodeLifecycle": on, "autoscaler": on})
    cluster = load_scenario(data).cluster
    assert cluster.kubelet == Kubelet()
    assert (cluster.kubelet.serializeImagePulls, cluster.kubelet.pull_slots) == (True, 1)
    assert cluster.nodeLifecycle == NodeLifecycle(
        nodeEvictionRate=0.1,
        secondaryNodeEvictionRate=0.01,
        unhealthyZoneThreshold=0.55,
        largeClusterSizeThreshold=50,
    )
    assert cluster.autoscaler == ClusterAutoscaler(
        scanInterval=10.0, scaleDownUtilizationThreshold=0.5, maxNodeProvisionTime=900.0
    )
