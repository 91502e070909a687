"""Inter-pod affinity, topology spread and the default scores (issue 16, item 2).

Every expected placement is derived by hand from kube-scheduler's rules
(``pkg/scheduler/framework/plugins/``: ``interpodaffinity`` ``filtering.go``/``scoring.go``,
``podtopologyspread`` ``filtering.go``/``scoring.go``/``common.go``, ``nodeaffinity``,
``tainttoleration``, ``noderesources/balanced_allocation.go``; weights from
``apis/config/v1/default_plugins.go``), with ties going to the first node in scenario order.
Zero timing: a pod is created, scheduled and started at its Job's submission; each runs 10 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.api import ScenarioError, load_input
from jobsim.k8s.job import LabelSelector
from jobsim.policy.inter_pod_affinity import (
    AffinityTerm,
    InterPodTerms,
    PlacedPod,
    affinity_scores,
    label_selector,
)
from jobsim.policy.scoring import balanced_allocation, default_normalize
from jobsim.policy.topology_spread import SpreadConstraint, SpreadNode, spread_scores
from tests.helpers import job_manifest, run, scenario

HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def pool(name: str, count: int = 1, cpu: str = "4", **fields: Any) -> dict[str, Any]:
    return {"name": name, "count": count, "capacity": {"cpu": cpu, "memory": "16Gi"}, **fields}


def job(
    name: str = "job",
    pods: int = 1,
    labels: dict[str, str] | None = None,
    cpu: str | None = None,
    **pod_spec: Any,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "main", "image": "busybox:1.36"}
    if cpu is not None:
        container["resources"] = {"requests": {"cpu": cpu}}
    m = job_manifest(
        name, completions=pods, parallelism=pods, podSpec={"containers": [container], **pod_spec}
    )
    m["spec"]["template"]["metadata"] = {"labels": labels or {"app": name}}
    return m


def simulate(pools: list[dict[str, Any]], *jobs: dict[str, Any], at: list[float] | None = None):  # type: ignore[no-untyped-def]
    data = scenario(*[(j, {"duration": "10s"}) for j in jobs])
    data["cluster"]["nodePools"] = pools
    for entry, t in zip(data["jobs"], at or [], strict=False):
        entry["submitAt"] = f"{t}s"
    return run(data)


def placements(r: Any, name: str | None = None) -> list[tuple[str | None, float | None]]:
    return [
        (p["node"], p["scheduledAt"])
        for p in r.pods()
        if name is None or p["job"].endswith("/" + name)
    ]


def unschedulable(r: Any) -> list[str]:
    return [
        e["message"].split(": ", 1)[1]
        for e in r.to_dict()["events"]
        if e["kind"] == "POD_UNSCHEDULABLE"
    ]


def term(key: str, **labels: str) -> dict[str, Any]:
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": key}


def spread(
    key: str, max_skew: int = 1, when: str = "DoNotSchedule", **extra: Any
) -> dict[str, Any]:
    return {
        "maxSkew": max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": when,
        "labelSelector": {"matchLabels": {"app": "job"}},
        **extra,
    }


# -- required anti-affinity -------------------------------------------------------------------


def test_hostname_anti_affinity_puts_one_pod_per_node_and_leaves_the_fourth_pending() -> None:
    """Four pods, each refusing a node holding an ``app=job`` pod, on three empty nodes: the
    first three take n-0, n-1, n-2 (each filters the nodes already taken; the rest tie, first
    in order). The fourth finds every node holding one (``satisfyPodAntiAffinity``) and waits
    until the pod on n-0 ends at 10 s (the first one released)."""
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, app="job")]
        }
    }
    r = simulate([pool("n", 3)], job(pods=4, affinity=anti))
    assert placements(r) == [("n-0", 0), ("n-1", 0), ("n-2", 0), ("n-0", 10)]
    assert unschedulable(r) == [
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
    ]


def test_zone_anti_affinity_counts_the_whole_zone() -> None:
    """Two zones of two nodes; anti-affinity on the zone key: the second pod avoids both nodes
    of zone a, the third finds both zones taken."""
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [term(ZONE, app="job")]
        }
    }
    pools = [pool("a", 2, zone="z-a"), pool("b", 2, zone="z-b")]
    r = simulate(pools, job(pods=3, affinity=anti))
    assert placements(r) == [("a-0", 0), ("b-0", 0), ("a-0", 10)]
    assert unschedulable(r) == [
        "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules."
    ]


def test_existing_pods_anti_affinity_keeps_other_pods_away() -> None:
    """``guard`` (on n-0) refuses ``app=web`` pods on its node. ``web`` has no terms of its own,
    yet its pods avoid n-0 (``satisfyExistingPodsAntiAffinity``): two 3-cpu pods take n-1 and
    n-2; the third finds those full and n-0 refused. At 10 s guard's pod ends first (created
    first) and frees n-0: the third web pod takes it."""
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, app="web")]
        }
    }
    r = simulate([pool("n", 3)], job("guard", affinity=anti), job("web", pods=3, cpu="3"))
    assert placements(r, "guard") == [("n-0", 0)]
    assert placements(r, "web") == [("n-1", 0), ("n-2", 0), ("n-0", 10)]
    assert unschedulable(r) == [
        "0/3 nodes are available: 2 Insufficient cpu, "
        "1 node(s) didn't satisfy existing pods anti-affinity rules."
    ]


# -- required affinity --------------------------------------------------------------------------


def test_the_first_pod_of_a_self_affine_group_is_placed_then_the_rest_follow_its_zone() -> None:
    """Pods requiring a zone holding an ``app=job`` pod: the first finds none anywhere and matches
    its own term (upstream's first-pod special case), so it goes where it would without the
    term (a-0); the next three 3-cpu pods must share zone a (a-1, then wait for it), never b."""
    aff = {
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term(ZONE, app="job")]}
    }
    pools = [pool("a", 2, zone="z-a"), pool("b", 2, zone="z-b")]
    r = simulate(pools, job(pods=3, cpu="3", affinity=aff))
    assert placements(r) == [("a-0", 0), ("a-1", 0), ("a-0", 10)]
    assert unschedulable(r) == [
        "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) didn't match pod affinity rules."
    ]


def test_affinity_to_another_job_waits_for_it_and_follows_it() -> None:
    """``web`` requires a node holding an ``app=db`` pod. Submitted first, it fits nowhere (no
    db pod; web does not match its own term, so no first-pod exception); when db's pod is
    placed at 5 s (n-0), web's pod is retried and joins it there."""
    aff = {
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, app="db")]}
    }
    r = simulate([pool("n", 3)], job("web", affinity=aff), job("db"), at=[0, 5])
    assert placements(r, "web") == [("n-0", 5)]
    assert placements(r, "db") == [("n-0", 5)]
    assert unschedulable(r) == [
        "0/3 nodes are available: 3 node(s) didn't match pod affinity rules."
    ]


def test_affinity_needs_the_topology_label_on_the_node() -> None:
    """Nodes without a zone label fail a zone term outright ("all topology labels must exist on
    the node"), even for the first pod of a group."""
    aff = {
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term(ZONE, app="job")]}
    }
    r = simulate([pool("n", 2)], job(affinity=aff))
    assert placements(r) == [(None, None)]
    assert unschedulable(r) == [
        "0/2 nodes are available: 2 node(s) didn't match pod affinity rules."
    ]


def test_namespaces_limit_which_pods_a_term_sees() -> None:
    """A term without ``namespaces`` sees its own namespace only: ``db`` runs in namespace
    ``other``, so ``web`` (default namespace) finds no db pod; listing ``other`` finds it."""
    db = job("db")
    db["metadata"]["namespace"] = "other"
    plain = {
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, app="db")]}
    }
    listed = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {**term(HOST, app="db"), "namespaces": ["other"]}
            ]
        }
    }
    r = simulate([pool("n", 2)], db, job("web", affinity=plain), job("web2", affinity=listed))
    assert placements(r, "web") == [(None, None)]
    assert placements(r, "web2") == [("n-0", 0)]


def test_the_generated_labels_are_pod_labels() -> None:
    """The API server's ``batch.kubernetes.io/job-name`` label (defaulting) selects the Job's
    pods: one per node on two nodes, the third when n-0's pod ends. In an Indexed Job the
    controller's ``batch.kubernetes.io/job-completion-index`` label does too: pods 1 and 2
    require the node of index 0, which, the first of the group, went to n-0."""
    by_name = {"batch.kubernetes.io/job-name": "job"}
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": by_name}, "topologyKey": HOST}
    ]}}  # fmt: skip
    r = simulate([pool("n", 2)], job(pods=3, affinity=anti))
    assert placements(r) == [("n-0", 0), ("n-1", 0), ("n-0", 10)]
    index0 = {"batch.kubernetes.io/job-completion-index": "0"}
    aff = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": index0}, "topologyKey": HOST}
    ]}}  # fmt: skip
    indexed = job(pods=3, affinity=aff)
    indexed["spec"]["completionMode"] = "Indexed"
    r = simulate([pool("n", 2)], indexed)
    assert placements(r) == [("n-0", 0), ("n-0", 0), ("n-0", 0)]


# -- topology spread ----------------------------------------------------------------------------


def test_zone_spread_max_skew_1_over_three_zones() -> None:
    """Six 1-cpu pods, maxSkew 1 on the zone, three zones of two 4-cpu nodes. Pod 1: every zone
    0, a-0 (first). Pod 2: zone a would reach skew 2, so b-0; pod 3: c-0. Pods 4–6: every zone
    at 1, all feasible; the emptier node of each zone scores higher (LeastAllocated,
    BalancedAllocation), a-1, then b-1, c-1."""
    pools = [pool("a", 2, zone="z-a"), pool("b", 2, zone="z-b"), pool("c", 2, zone="z-c")]
    r = simulate(pools, job(pods=6, cpu="1", topologySpreadConstraints=[spread(ZONE)]))
    assert placements(r) == [
        ("a-0", 0), ("b-0", 0), ("c-0", 0), ("a-1", 0), ("b-1", 0), ("c-1", 0)
    ]  # fmt: skip


def test_a_tainted_zone_still_counts_unless_taints_are_honoured() -> None:
    """Zone c's one node has a NoSchedule taint. With the default ``nodeTaintsPolicy: Ignore``
    it is still a domain with 0 pods, so after a-0 and b-0 the third pod would make skew 2
    anywhere it may go: Pending until a-0's pod ends at 10 s (zone a back to 0). With
    ``Honor``, zone c is no domain: the minimum is 1 and the third pod goes to a-0 at once."""
    taint = [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    pools = [pool("a", zone="z-a"), pool("b", zone="z-b"), pool("c", zone="z-c", taints=taint)]
    ignore = simulate(pools, job(pods=3, cpu="1", topologySpreadConstraints=[spread(ZONE)]))
    assert placements(ignore) == [("a-0", 0), ("b-0", 0), ("a-0", 10)]
    assert unschedulable(ignore) == [
        "0/3 nodes are available: 2 node(s) didn't match pod topology spread constraints, "
        "1 node(s) had untolerated taint {dedicated: x}."
    ]
    honor = spread(ZONE, nodeTaintsPolicy="Honor")
    r = simulate(pools, job(pods=3, cpu="1", topologySpreadConstraints=[honor]))
    assert placements(r) == [("a-0", 0), ("b-0", 0), ("a-0", 0)]


def test_min_domains_takes_the_minimum_as_0_while_domains_are_too_few() -> None:
    """Two zones, ``minDomains: 3``: the global minimum counts as 0, so each zone holds at most
    maxSkew (1) matching pod; the third pod is Pending until a-0's pod ends at 10 s."""
    pools = [pool("a", zone="z-a"), pool("b", zone="z-b")]
    c = spread(ZONE, minDomains=3)
    r = simulate(pools, job(pods=3, cpu="1", topologySpreadConstraints=[c]))
    assert placements(r) == [("a-0", 0), ("b-0", 0), ("a-0", 10)]
    assert unschedulable(r) == [
        "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints."
    ]


def test_nodes_without_the_topology_key_fail_with_the_missing_label_reason() -> None:
    """A zone constraint on pools without zones."""
    r = simulate([pool("n", 2)], job(topologySpreadConstraints=[spread(ZONE)]))
    assert unschedulable(r) == [
        "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints "
        "(missing required label)."
    ]


def test_schedule_anyway_prefers_the_emptier_zone_but_never_blocks() -> None:
    """ScheduleAnyway on the zone: zone a (two nodes) holds an app=job pod from an earlier Job;
    the new pod scores zone b higher (fewer matching pods) and goes to b-0, though a-1 is as
    empty and comes first."""
    pools = [pool("a", 2, zone="z-a"), pool("b", 1, zone="z-b")]
    first = job("first", labels={"app": "job"})
    later = job(topologySpreadConstraints=[spread(ZONE, when="ScheduleAnyway")])
    r = simulate(pools, first, later, at=[0, 1])
    assert placements(r, "first") == [("a-0", 0)]
    assert placements(r, "job") == [("b-0", 1)]


def test_spread_scores_as_upstream() -> None:
    """``scoring.go`` on two zones, a with 2 matching pods and b with 0, maxSkew 1: weight
    ln(2 + 2); raw round(2·1.386) = 3 and 0; normalised 100·(3 + 0 − s) // 3: 0 and 100."""
    app = label_selector(LabelSelector(matchLabels={"app": "x"}))
    c = SpreadConstraint(1, ZONE, app)
    pod = PlacedPod({"app": "x"}, "default", InterPodTerms())
    a = SpreadNode({ZONE: "a"}, True, True, [pod, pod])
    b = SpreadNode({ZONE: "b"}, True, True, [])
    assert spread_scores(pod, (c,), [a, b], [a, b]) == [0, 100]


# -- preferred terms and the other scores --------------------------------------------------------


def preferred_hosts(*weights: tuple[int, str]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": w,
                    "preference": {
                        "matchExpressions": [{"key": HOST, "operator": "In", "values": [n]}]
                    },
                }
                for w, n in weights
            ]
        }
    }


def test_preferred_node_affinity_picks_the_heaviest_match() -> None:
    """Weight 1 for n-1, 5 for n-2: normalised 0, 20, 100 (×2); the empty nodes otherwise
    tie, so n-2."""
    r = simulate([pool("n", 3)], job(affinity=preferred_hosts((1, "n-1"), (5, "n-2"))))
    assert placements(r) == [("n-2", 0)]


def test_preferred_pod_affinity_and_anti_affinity() -> None:
    """``db`` runs on n-0 (first). A pod preferring db's node (weight 100) joins it:
    InterPodAffinity's 100·2 outweighs n-0's lower resource score. One preferring to
    avoid it goes to n-1."""
    near = {
        "podAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term(HOST, app="db")}
            ]
        }
    }
    away = {"podAntiAffinity": near["podAffinity"]}
    r = simulate(
        [pool("n", 3)], job("db", cpu="1"), job("near", affinity=near), job("away", affinity=away),
        at=[0, 1, 1],
    )  # fmt: skip
    assert placements(r, "near") == [("n-0", 1)]
    assert placements(r, "away") == [("n-1", 1)]


def test_prefer_no_schedule_taints_steer_pods_away() -> None:
    """n-0 (first in order) has a PreferNoSchedule taint: TaintToleration scores it 0 and n-1
    100 (×3); a pod tolerating it scores both 100 and takes n-0."""
    taint = [{"key": "spot", "value": "yes", "effect": "PreferNoSchedule"}]
    tol = [{"key": "spot", "operator": "Exists"}]
    pools = [pool("t", taints=taint), pool("n")]
    r = simulate(pools, job("plain"), job("tolerant", tolerations=tol), at=[0, 20])
    assert placements(r, "plain") == [("n-0", 0)]
    assert placements(r, "tolerant") == [("t-0", 20)]


def test_score_helpers_as_upstream() -> None:
    """DefaultNormalizeScore, BalancedAllocation and InterPodAffinity's NormalizeScore on
    small cases worked by hand."""
    assert default_normalize([0, 1, 5]) == [0, 20, 100]
    assert default_normalize([0, 1, 2], reverse=True) == [100, 50, 0]
    assert default_normalize([0, 0], reverse=True) == [100, 100]
    # cpu (1000 + 1000)/4000 = 0.5, memory 0: std 0.25 → 75; best effort: not scored
    assert balanced_allocation(1000, 0, {"cpu": 1000}, {"cpu": 4000, "memory": 1}) == 75
    assert balanced_allocation(0, 0, {}, {"cpu": 4000, "memory": 1}) == 0
    # 29/100 of the way: float64(100)·(29/100) = 28.999… → 28, as Go truncates
    t = AffinityTerm((), frozenset({"d"}), None, HOST, 1)
    me = PlacedPod({}, "d", InterPodTerms(preferred_affinity=(t,)))
    other = PlacedPod({}, "d", InterPodTerms())
    nodes = [({HOST: "a"}, [other] * 29), ({HOST: "b"}, [other] * 100), ({HOST: "c"}, [])]
    assert affinity_scores(me, nodes, [n for n, _ in nodes]) == [28, 100, 0]


# -- the docs' templates ------------------------------------------------------------------------


def test_well_known_label_affinity_templates_schedule() -> None:
    """A template with nodeSelector os=linux, required arch affinity, zone spread and hostname
    anti-affinity, on two zones of two nodes: four pods, one per node."""
    spec: dict[str, Any] = {
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/arch",
                                    "operator": "In",
                                    "values": ["amd64", "arm64"],
                                }
                            ]
                        }
                    ]
                }
            },
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [term(HOST, app="job")]
            },
        },
        "topologySpreadConstraints": [spread(ZONE)],
    }
    pools = [pool("a", 2, zone="z-a"), pool("b", 2, zone="z-b")]
    r = simulate(pools, job(pods=4, **spec))
    assert sorted(str(n) for n, _ in placements(r)) == ["a-0", "a-1", "b-0", "b-1"]


# The Kubernetes docs' templates (kubernetes/website content/en/examples/pods/), in a Job.
DOCS_TWO_CONSTRAINTS = [  # topology-spread-constraints/two-constraints.yaml
    {
        "maxSkew": 1,
        "topologyKey": "zone",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"foo": "bar"}},
    },
    {
        "maxSkew": 1,
        "topologyKey": "node",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"foo": "bar"}},
    },
]
DOCS_POD_AFFINITY = {  # pod-with-pod-affinity.yaml
    "podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {
                    "matchExpressions": [{"key": "security", "operator": "In", "values": ["S1"]}]
                },
                "topologyKey": "topology.kubernetes.io/zone",
            }
        ]
    },
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 100,
                "podAffinityTerm": {
                    "labelSelector": {
                        "matchExpressions": [
                            {"key": "security", "operator": "In", "values": ["S2"]}
                        ]
                    },
                    "topologyKey": "topology.kubernetes.io/zone",
                },
            }
        ]
    },
}
DOCS_NODE_AFFINITY = {  # pod-with-node-affinity.yaml
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {
                            "key": "topology.kubernetes.io/zone",
                            "operator": "In",
                            "values": ["antarctica-east1", "antarctica-west1"],
                        }
                    ]
                }
            ]
        },
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 1,
                "preference": {
                    "matchExpressions": [
                        {
                            "key": "another-node-label-key",
                            "operator": "In",
                            "values": ["another-node-label-value"],
                        }
                    ]
                },
            }
        ],
    }
}


def test_the_docs_topology_spread_example() -> None:
    """The docs' cluster: zoneA = node1, node2; zoneB = node3, node4; one ``foo: bar`` pod on
    each of node1–node3 (placed by a one-per-node anti-affinity on their own label). With the
    zone constraint alone mypod may only go to zoneB (zoneA would make skew 2), and node4, empty,
    outscores node3; with both constraints node4 is the only node allowed, as the docs say."""
    pools = [
        pool(f"node{i}", labels={"zone": "zoneA" if i < 3 else "zoneB", "node": f"node{i}"})
        for i in range(1, 5)
    ]
    one_per_node = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        term(HOST, group="existing")
    ]}}  # fmt: skip
    existing = job("existing", pods=3, labels={"foo": "bar", "group": "existing"})
    existing["spec"]["template"]["spec"]["affinity"] = one_per_node
    for constraints in (DOCS_TWO_CONSTRAINTS[:1], DOCS_TWO_CONSTRAINTS):
        mypod = job("mypod", labels={"foo": "bar"}, topologySpreadConstraints=constraints)
        r = simulate(pools, existing, mypod, at=[0, 1])
        assert placements(r, "existing") == [("node1-0", 0), ("node2-0", 0), ("node3-0", 0)]
        assert placements(r, "mypod") == [("node4-0", 1)]


def test_the_docs_affinity_examples_schedule() -> None:
    """pod-with-node-affinity: the two antarctica zones are allowed, the node labelled
    ``another-node-label-key`` preferred. pod-with-pod-affinity: it must share a zone with a
    ``security: S1`` pod (east), and prefers a zone without S2 pods; the only S2 pod is in the
    other zone (west), so east it is, on the emptier east node."""
    label = {"another-node-label-key": "another-node-label-value"}
    pools = [
        pool("east", 2, zone="antarctica-east1"),
        pool("west", 1, zone="antarctica-west1", labels=label),
        pool("north", 1, zone="arctic-1"),
    ]
    r = simulate(
        pools,
        job("s1", labels={"security": "S1"}, nodeSelector={ZONE: "antarctica-east1"}),
        job("s2", labels={"security": "S2"}, nodeSelector={ZONE: "antarctica-west1"}),
        job("with-node-affinity", affinity=DOCS_NODE_AFFINITY),
        job("with-pod-affinity", affinity=DOCS_POD_AFFINITY),
        at=[0, 0, 1, 2],
    )
    assert placements(r, "s1") == [("east-0", 0)]
    assert placements(r, "s2") == [("west-0", 0)]
    assert placements(r, "with-node-affinity") == [("west-0", 1)]
    assert placements(r, "with-pod-affinity") == [("east-1", 2)]


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
"""
PA = "spec.template.spec.affinity.podAntiAffinity"
TSC = "spec.template.spec.topologySpreadConstraints[0]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "      affinity:\n        podAntiAffinity:\n"
            "          requiredDuringSchedulingIgnoredDuringExecution:\n"
            "          - topologyKey: zone\n"
            "            labelSelector: {matchExpressions: [{key: app, operator: In}]}\n",
            f"{PA}.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector."
            "matchExpressions[0].values: Required value: must be specified when `operator` is "
            "'In' or 'NotIn'",
            id="selector-In-without-values",
        ),
        pytest.param(
            "      affinity:\n        podAffinity:\n"
            "          preferredDuringSchedulingIgnoredDuringExecution:\n"
            "          - {weight: 101, podAffinityTerm: {topologyKey: zone}}\n",
            "spec.template.spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuring"
            "Execution[0].weight: Invalid value: 101: must be in the range 1-100",
            id="weight",
        ),
        pytest.param(
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n",
            f"{TSC}.maxSkew: Invalid value: 0: must be greater than zero",
            id="maxSkew",
        ),
        pytest.param(
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never}\n",
            f'{TSC}.whenUnsatisfiable: Unsupported value: "Never": supported values: '
            '"DoNotSchedule", "ScheduleAnyway"',
            id="whenUnsatisfiable",
        ),
        pytest.param(
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway,\n"
            "         minDomains: 2}\n",
            f"{TSC}.minDomains: Invalid value: 2: can only use minDomains if "
            "whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
            id="minDomains-ScheduleAnyway",
        ),
        pytest.param(
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule,\n"
            "         nodeTaintsPolicy: Always}\n",
            f'{TSC}.nodeTaintsPolicy: Unsupported value: "Always": supported values: "Honor", '
            '"Ignore"',
            id="nodeTaintsPolicy",
        ),
        pytest.param(
            "      topologySpreadConstraints:\n"
            "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule,\n"
            "         matchLabelKeys: [app]}\n",
            f"{TSC}.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set",
            id="matchLabelKeys-without-selector",
        ),
    ],
)
def test_invalid_terms_are_refused_as_the_api_server_does(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=HEAD + text)
    [line] = err.value.lines
    assert line.split(": ", 1)[1] == message


def test_an_empty_topology_key_is_required_and_no_label_name() -> None:
    """``validatePodAffinityTerm``: Required, then ``ValidateLabelName("")``'s two messages."""
    text = HEAD + (
        "      affinity:\n        podAntiAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {}}]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    path = f"{PA}.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"
    assert [ln.split(": ", 1)[1] for ln in err.value.lines] == [
        f"{path}: Required value: can not be empty",
        f'{path}: Invalid value: "": name part must be non-empty',
        f"{path}: Invalid value: \"\": name part must consist of alphanumeric characters, '-', "
        "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
        "'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]


def test_a_repeated_spread_constraint_is_a_duplicate() -> None:
    text = HEAD + (
        "      topologySpreadConstraints:\n"
        "      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n"
        "      - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    [line] = err.value.lines
    assert line.split(": ", 1)[1] == (
        f'{TSC}.{{topologyKey, whenUnsatisfiable}}: Duplicate value: "{{zone, DoNotSchedule}}"'
    )


def test_balanced_allocation_breaks_a_least_allocated_tie() -> None:
    """Plain pods (the fit-key index) are scored NodeResourcesFit + BalancedAllocation. On two
    4-cpu/16Gi nodes, A (2 cpu, 4Gi) takes n-0 at 0 and B (1 cpu, 8Gi) n-1 at 1 (LeastAllocated
    62 vs 100). C (1 cpu, 512Mi) at 2: LeastAllocated ties, (50 + 75) // 2 = (75 + 50) // 2 = 62;
    BalancedAllocation with C placed: n-0 |3/4 − 4.5/16| / 2 → int(76.6) = 76, n-1
    |2/4 − 8.5/16| / 2 → int(98.4) = 98: n-1, not the first node."""

    def sized(name: str, cpu: str, memory: str) -> dict[str, Any]:
        m = job(name)
        requests = {"cpu": cpu, "memory": memory}
        m["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": requests}
        return m

    r = simulate(
        [pool("n", 2)],
        sized("a", "2", "4Gi"),
        sized("b", "1", "8Gi"),
        sized("c", "1", "512Mi"),
        at=[0, 1, 2],
    )
    assert [placements(r, j) for j in "abc"] == [[("n-0", 0)], [("n-1", 1)], [("n-1", 2)]]
