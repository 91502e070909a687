"""The real control plane's switches (``cluster.kubelet``, ``cluster.nodeLifecycle``,
``cluster.autoscaler``, ``cluster.scheduler``): ``off`` is the ideal model, so every shipped
scenario's golden result is byte-identical with all of them off; ``on`` is upstream's
defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jobsim import load_scenario, simulate
from jobsim.scenario.model import ClusterAutoscaler, Kubelet, NodeLifecycle
from tests.golden import expected_path, scenario_files
from tests.helpers import job_manifest, scenario

OFF = "{kubelet: off, nodeLifecycle: off, autoscaler: off, scheduler: off}"


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_mechanism_off_is_the_golden_result(path: Path) -> None:
    """The scenario with ``kubelet: off``, ``nodeLifecycle: off``, ``autoscaler: off`` and
    ``scheduler: off`` written out (where it does not set them itself) gives its golden
    ``--json`` bytes."""
    data = yaml.safe_load(path.read_text())
    off = yaml.safe_load(OFF)
    assert set(off.values()) == {False}  # YAML 1.1: off is false
    for key, value in off.items():
        data["cluster"].setdefault(key, value)
    got = simulate(load_scenario(data, base_dir=path.parent)).to_json() + "\n"
    assert got == expected_path(path).read_text()


def test_on_is_upstream_defaults() -> None:
    """``on`` (true) is ``{}``: the flags' defaults."""
    data = scenario((job_manifest(), {"duration": "10s"}))
    data["cluster"].update({"kubelet": True, "nodeLifecycle": True, "autoscaler": True})
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
