"""Real nodes (issue 16, item 2): the well-known labels and ephemeral-storage every node has,
allocatable = capacity − reserved, and required node affinity in the scheduler.

Expected values follow upstream's rules: ``component-helpers/scheduling/corev1/nodeaffinity``
(terms ORed, a term's requirements ANDed, an empty term matching nothing), apimachinery
``labels.Requirement.Matches`` (the operators), kube-scheduler's ``nodeaffinity`` Filter reason
and ``FitError`` message, ``pkg/apis/core/validation`` (``ValidateNodeSelectorRequirement`` and
friends) and the kubelet's ``validateNodeAllocatable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from jobsim import load_scenario
from jobsim.api import ScenarioError, load_input
from jobsim.policy.node_affinity import (
    NodeAffinityTerms,
    Requirement,
    Term,
    matches_node_affinity,
)
from jobsim.policy.placement import REASON_NODE_AFFINITY, PodNeeds, filter_reason
from jobsim.scenario.model import DEFAULT_EPHEMERAL_STORAGE
from tests.helpers import job_manifest, run, scenario, scenario_error
from tests.test_policy_placement import FakeNode

Gi = 1024**3
Mi = 1024**2
LABELS = {"kubernetes.io/arch": "amd64", "gpus": "4", "zone": "a"}


def term(*exprs: Requirement, fields: Sequence[Requirement] = ()) -> Term:
    return (tuple(exprs), tuple(fields))


# -- matching (labels.Requirement.Matches, NodeSelector.Match) ----------------------------------


@pytest.mark.parametrize(
    ("terms", "want"),
    [
        pytest.param(None, True, id="no-affinity-matches-all"),
        pytest.param((term(("kubernetes.io/arch", "In", ("arm64", "amd64"))),), True, id="In"),
        pytest.param((term(("kubernetes.io/arch", "In", ("arm64",))),), False, id="In-other"),
        pytest.param((term(("kubernetes.io/arch", "NotIn", ("arm64",))),), True, id="NotIn"),
        pytest.param((term(("kubernetes.io/arch", "NotIn", ("amd64",))),), False, id="NotIn-is"),
        # NotIn matches a node without the label (the requirement is "not one of")
        pytest.param((term(("disk", "NotIn", ("hdd",))),), True, id="NotIn-absent"),
        pytest.param((term(("gpus", "Exists", ())),), True, id="Exists"),
        pytest.param((term(("disk", "Exists", ())),), False, id="Exists-absent"),
        pytest.param((term(("disk", "DoesNotExist", ())),), True, id="DoesNotExist"),
        pytest.param((term(("gpus", "DoesNotExist", ())),), False, id="DoesNotExist-set"),
        # Gt/Lt compare the label and the value as integers, strictly: 4 > 3, not 4 > 4
        pytest.param((term(("gpus", "Gt", ("3",))),), True, id="Gt"),
        pytest.param((term(("gpus", "Gt", ("4",))),), False, id="Gt-strict"),
        pytest.param((term(("gpus", "Lt", ("5",))),), True, id="Lt"),
        pytest.param((term(("gpus", "Lt", ("-1",))),), False, id="Lt-negative"),
        pytest.param((term(("gpus", "Gt", ("+3",))),), True, id="Gt-signed-ParseInt"),
        pytest.param((term(("disk", "Gt", ("0",))),), False, id="Gt-absent"),
        pytest.param((term(("zone", "Gt", ("0",))),), False, id="Gt-label-not-integer"),
        pytest.param((term(("gpus", "Gt", ("x",))),), False, id="Gt-value-not-integer"),
        # terms are ORed; a term's requirements ANDed
        pytest.param(
            (term(("kubernetes.io/arch", "In", ("arm64",))), term(("gpus", "Exists", ()))),
            True,
            id="second-term",
        ),
        pytest.param(
            (term(("kubernetes.io/arch", "In", ("amd64",)), ("gpus", "DoesNotExist", ())),),
            False,
            id="and-within-term",
        ),
        # an empty term matches no node; no terms, none
        pytest.param((term(),), False, id="empty-term"),
        pytest.param((), False, id="no-terms"),
        pytest.param((term(), term(("zone", "In", ("a",)))), True, id="empty-term-skipped"),
        # matchFields: metadata.name In/NotIn one name
        pytest.param((term(fields=[("metadata.name", "In", ("n-1",))]),), True, id="field-In"),
        pytest.param((term(fields=[("metadata.name", "In", ("n-2",))]),), False, id="field-other"),
        pytest.param((term(fields=[("metadata.name", "NotIn", ("n-2",))]),), True, id="NotIn"),
        pytest.param(
            (term(("zone", "In", ("a",)), fields=[("metadata.name", "In", ("n-2",))]),),
            False,
            id="labels-and-fields",
        ),
    ],
)
def test_required_terms_match_as_upstream(terms: NodeAffinityTerms, want: bool) -> None:
    assert matches_node_affinity(terms, "n-1", LABELS) is want


def test_filter_reason_is_the_node_affinity_reason() -> None:
    """The nodeSelector and the required terms are one filter, NodeAffinity, with one reason."""
    needs = PodNeeds((), (), (), (term(("kubernetes.io/arch", "In", ("arm64",))),))
    assert filter_reason(FakeNode(labels=LABELS), needs) == REASON_NODE_AFFINITY
    assert filter_reason(FakeNode(labels={"kubernetes.io/arch": "arm64"}), needs) is None


# -- the nodes' labels, capacity and allocatable ------------------------------------------------


def pool(**fields: Any) -> dict[str, Any]:
    return {"name": "n", "count": 1, "capacity": {"cpu": "4", "memory": "16Gi"}, **fields}


def test_every_node_has_the_well_known_labels() -> None:
    """kubelet sets hostname, os and arch; the cloud provider instance type, zone and region.
    Defaults: linux, amd64, the pool's name as instance type, no zone."""
    [p] = load_scenario(scenario_with(pool())).cluster.nodePools
    assert p.node_labels("n-0") == {
        "kubernetes.io/hostname": "n-0",
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "n",
    }


def test_pool_fields_and_labels_set_the_well_known_labels() -> None:
    """The pool's arch, instanceType, zone and region; its own labels win over all."""
    [p] = load_scenario(
        scenario_with(
            pool(
                arch="arm64",
                instanceType="m7g.xlarge",
                zone="eu-west-1a",
                region="eu-west-1",
                labels={"node.kubernetes.io/instance-type": "custom", "disk": "ssd"},
            )
        )
    ).cluster.nodePools
    assert p.node_labels("n-0") == {
        "kubernetes.io/hostname": "n-0",
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "arm64",
        "node.kubernetes.io/instance-type": "custom",
        "topology.kubernetes.io/zone": "eu-west-1a",
        "topology.kubernetes.io/region": "eu-west-1",
        "disk": "ssd",
    }


def test_allocatable_is_capacity_minus_reserved() -> None:
    """cpu 4 − 100m = 3900m; memory 16Gi − 500Mi; ephemeral-storage the 100Gi default − 10Gi;
    pods untouched (110, the default)."""
    reserved = {"cpu": "100m", "memory": "500Mi", "ephemeral-storage": "10Gi"}
    [p] = load_scenario(scenario_with(pool(reserved=reserved))).cluster.nodePools
    assert p.allocatable() == {
        "cpu": 3900,
        "memory": 16 * Gi - 500 * Mi,
        "pods": 110,
        "ephemeral-storage": DEFAULT_EPHEMERAL_STORAGE - 10 * Gi,
    }
    assert 100 * Gi == DEFAULT_EPHEMERAL_STORAGE


def test_a_pool_may_name_its_ephemeral_storage() -> None:
    [p] = load_scenario(
        scenario_with(pool(capacity={"cpu": "4", "memory": "16Gi", "ephemeral-storage": "20Gi"}))
    ).cluster.nodePools
    assert p.allocatable()["ephemeral-storage"] == 20 * Gi


@pytest.mark.parametrize(
    ("reserved", "line"),
    [
        pytest.param(
            {"nvidia.com/gpu": "1"},
            "cluster.nodePools[0].reserved.nvidia.com/gpu: only cpu, memory, ephemeral-storage "
            "can be reserved (kubelet's system-reserved, kube-reserved and eviction thresholds)",
            id="not-reservable",
        ),
        pytest.param(
            {"cpu": "5"},
            'cluster.nodePools[0].reserved.cpu: resource "cpu" has a reservation of 5 but '
            "capacity of 4; expected capacity >= reservation (the kubelet would not start)",
            id="above-capacity",
        ),
    ],
)
def test_bad_reservations_are_refused_where_written(reserved: dict[str, str], line: str) -> None:
    assert scenario_error(scenario_with(pool(reserved=reserved))).lines == [f"<scenario>: {line}"]


def scenario_with(*pools: dict[str, Any], job: dict[str, Any] | None = None) -> dict[str, Any]:
    data = scenario((job or job_manifest(), {"duration": "10s"}))
    data["cluster"]["nodePools"] = list(pools)
    return data


# -- the scheduler ------------------------------------------------------------------------------


def arch_job(*values: str, completions: int = 2) -> dict[str, Any]:
    """Pods of 3 cpu (one per 4-cpu node at a time) requiring an arch."""
    return job_manifest(
        completions=completions,
        parallelism=completions,
        podSpec={
            "containers": [
                {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "3"}}}
            ],
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {
                                        "key": "kubernetes.io/arch",
                                        "operator": "In",
                                        "values": list(values),
                                    }
                                ]
                            }
                        ]
                    }
                }
            },
        },
    )


def test_pods_requiring_arm64_wait_for_the_one_arm_node() -> None:
    """Two amd64 nodes, one arm64 node, each 4 cpu; two 3-cpu pods requiring arm64. Both go to
    arm-0, one at a time (zero timing): the first at 0, the second when the first ends at 10.
    Meanwhile the second is unschedulable: the two amd64 nodes fail NodeAffinity, arm-0
    NodeResourcesFit (3 + 3 > 4 cpu); reasons by text, "Insufficient" before "node(s)"."""
    r = run(scenario_with(pool(count=2), pool(name="arm", arch="arm64"), job=arch_job("arm64")))
    assert [(p["node"], p["scheduledAt"]) for p in r.pods()] == [("arm-0", 0), ("arm-0", 10)]
    msgs = [
        e["message"].split(": ", 1)[1]
        for e in r.to_dict()["events"]
        if e["kind"] == "POD_UNSCHEDULABLE"
    ]
    assert msgs == [
        "0/3 nodes are available: 1 Insufficient cpu, "
        "2 node(s) didn't match Pod's node affinity/selector."
    ]


def test_either_arch_spreads_as_without_affinity() -> None:
    """Allowing amd64 and arm64 filters no node: the two pods start at 0 on two nodes."""
    r = run(
        scenario_with(pool(count=2), pool(name="arm", arch="arm64"), job=arch_job("amd64", "arm64"))
    )
    assert [p["scheduledAt"] for p in r.pods()] == [0, 0]


def test_match_fields_pins_a_pod_to_a_node_by_name() -> None:
    """matchFields metadata.name In [n-2]: the one feasible node is n-2 (LeastAllocated alone
    would take n-0, the first of three equally empty nodes)."""
    pin = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n-2"]}]}
                ]
            }
        }
    }
    r = run(scenario((job_manifest(podSpec={"affinity": pin}), {"duration": "10s"})))
    assert r.pods()[0]["node"] == "n-2"


# -- the API server's validation --------------------------------------------------------------

HEAD = """\
apiVersion: batch/v1
kind: Job
metadata: {name: a}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
      affinity:
        nodeAffinity:
"""
REQ = "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
TERM = f"{REQ}.nodeSelectorTerms[0]"


# Each error is placed at the offending value, or at the mapping that lacks a required one
# (the ``anchor``): its line in HEAD + text, its column where the anchor starts.
@pytest.mark.parametrize(
    ("text", "anchor", "message"),
    [
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}\n",
            "[]",
            f"{REQ}.nodeSelectorTerms: Required value: must have at least one node selector term",
            id="no-terms",
        ),
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Foo}]}]\n",
            "Foo",
            f'{TERM}.matchExpressions[0].operator: Invalid value: "Foo": not a valid selector '
            "operator",
            id="operator",
        ),
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In}]}]\n",
            "{key",
            f"{TERM}.matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or 'NotIn'",
            id="In-without-values",
        ),
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "            nodeSelectorTerms:\n"
            "            - matchExpressions: [{key: z, operator: Exists, values: [a]}]\n",
            "[a]",
            f"{TERM}.matchExpressions[0].values: Forbidden: may not be specified when "
            "`operator` is 'Exists' or 'DoesNotExist'",
            id="Exists-with-values",
        ),
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "            nodeSelectorTerms:\n"
            "            - matchExpressions: [{key: z, operator: Gt, values: ['1', '2']}]\n",
            "['1'",
            f"{TERM}.matchExpressions[0].values: Required value: must be specified single value "
            "when `operator` is 'Lt' or 'Gt'",
            id="Gt-two-values",
        ),
        pytest.param(
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "            nodeSelectorTerms:\n"
            "            - matchFields: [{key: metadata.namespace, operator: In, values: [x]}]\n",
            "metadata.namespace",
            f'{TERM}.matchFields[0].key: Invalid value: "metadata.namespace": not a valid field '
            "selector key",
            id="field-key",
        ),
        pytest.param(
            "          preferredDuringSchedulingIgnoredDuringExecution:\n"
            "          - {weight: 0, preference: {}}\n",
            "0,",
            "spec.template.spec.affinity.nodeAffinity."
            "preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must "
            "be in the range 1-100",
            id="weight",
        ),
    ],
)
def test_invalid_node_affinity_is_refused_as_the_api_server_does(
    text: str, anchor: str, message: str
) -> None:
    lines = (HEAD + text).splitlines()
    [(row, col)] = [(i + 1, ln.index(anchor) + 1) for i, ln in enumerate(lines) if anchor in ln]
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=HEAD + text)
    assert err.value.lines == [f"job.yaml:{row}:{col}: {message}"]


# -- the load's warning ---------------------------------------------------------------------------


def hostname_job(node: str) -> dict[str, Any]:
    term = {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
    aff = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [term]}]
            }
        }
    }
    return job_manifest(podSpec={"affinity": aff})


NO_NODE = (
    "matches no node any pool has or could add (by their labels and names); Kubernetes would "
    "leave the pods Pending (node(s) didn't match Pod's node affinity/selector)"
)


@pytest.mark.parametrize(
    ("pools", "job", "warning"),
    [
        # every node is linux: no warning; no node is windows: the nodeSelector is named
        pytest.param(
            [pool()],
            job_manifest(podSpec={"nodeSelector": {"kubernetes.io/os": "linux"}}),
            None,
            id="linux",
        ),
        pytest.param(
            [pool()],
            job_manifest(podSpec={"nodeSelector": {"kubernetes.io/os": "windows"}}),
            f"jobs[0].manifest: spec.template.spec.nodeSelector: {NO_NODE}",
            id="windows",
        ),
        # the selector matches, the affinity does not: the affinity is named
        pytest.param(
            [pool()],
            arch_job("arm64"),
            f"jobs[0].manifest: spec.template.spec.affinity: {NO_NODE}",
            id="arch",
        ),
        pytest.param(
            [pool(), pool(name="arm", arch="arm64")], arch_job("arm64"), None, id="arm-pool"
        ),
        # hostname differs node by node: n-1 exists with count 2, n-2 does not …
        pytest.param([pool(count=2)], hostname_job("n-1"), None, id="hostname"),
        pytest.param(
            [pool(count=2)],
            hostname_job("n-2"),
            f"jobs[0].manifest: spec.template.spec.affinity: {NO_NODE}",
            id="hostname-missing",
        ),
        # … nor would the autoscaler add it: it fits pods to a template node, whose hostname
        # is its own, not a future node's
        pytest.param(
            [pool(count=2, autoscaling={"min": 0, "max": 3})],
            hostname_job("n-2"),
            f"jobs[0].manifest: spec.template.spec.affinity: {NO_NODE}",
            id="hostname-autoscaled",
        ),
        # a pool with no node yet but room to scale matches by its labels
        pytest.param(
            [pool(count=0, arch="arm64", autoscaling={"min": 0, "max": 3})],
            arch_job("arm64"),
            None,
            id="autoscaled-arm",
        ),
    ],
)
def test_a_selector_no_node_matches_is_a_warning(
    pools: list[dict[str, Any]], job: dict[str, Any], warning: str | None
) -> None:
    loaded = load_scenario(scenario_with(*pools, job=job))
    assert loaded.warnings == ([f"<scenario>: {warning}"] if warning else [])


def test_the_autoscaler_adds_a_node_of_the_pool_whose_labels_match() -> None:
    """One amd64 node, an empty arm64 pool that may grow to 1 (provisionDelay 60 s): a pod
    requiring arm64 fits no node at 0, fits the arm pool's template (arm64 labels), so
    cluster-autoscaler's first scan, at 10, provisions a node arm-0, which joins at
    10 + 60 = 70, where the pod binds."""
    arm = pool(name="arm", count=0, arch="arm64", autoscaling={"min": 0, "max": 1})
    r = run(scenario_with(pool(), arm, job=arch_job("arm64", completions=1)))
    assert [(p["node"], p["scheduledAt"]) for p in r.pods()] == [("arm-0", 70)]
