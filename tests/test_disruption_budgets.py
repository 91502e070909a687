"""PodDisruptionBudgets (``policy/v1``) and ``kubectl drain``.

Upstream: ``pkg/registry/core/pod/storage/eviction.go`` (``canIgnorePDB``: Pending, terminal
and terminating pods are evicted without a budget; more than one budget is a 500;
``checkAndDecrement``: 429 ``Cannot evict pod as it would violate the pod's disruption
budget.`` while ``disruptionsAllowed`` is 0), ``pkg/controller/disruption/disruption.go``
(``getExpectedPodCount``: an integer ``minAvailable`` is the desired healthy count; a Job has no
scale subresource, so ``maxUnavailable`` or a percentage fails the sync and ``failSafe`` leaves
``disruptionsAllowed`` 0; ``countHealthyPods``: Ready pods not being deleted),
``staging/src/k8s.io/kubectl/pkg/drain/drain.go`` (``evictPods``: on 429 "will retry after
5s"; any other error ends the pod's loop) and ``pkg/apis/policy/validation``.

The scenario: two nodes, MostAllocated, a Job of parallelism 2 (1 cpu each, runs 1000 s) whose
pods both go to n-0 at 0 and are Ready at 1 (containerStart 1 s); ``jobSyncDelay`` 0.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import ScenarioError
from tests.helpers import job_manifest, run, scenario

SELECTOR = {"matchLabels": {"batch.kubernetes.io/job-name": "job"}}
REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."


def _pdb(spec: dict[str, Any], name: str = "budget") -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": spec,
    }


def _scenario(
    pdbs: list[dict[str, Any]], duration: str = "1000s", start: str = "1s"
) -> dict[str, Any]:
    pod = {
        "containers": [
            {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}
        ]
    }
    data = scenario(
        (job_manifest(parallelism=2, completions=2, podSpec=pod), {"duration": duration}),
        nodes=2,
        timing={"jobSyncDelay": 0, "scheduling": 0, "containerStart": start, "imagePull": 0},
        events=[{"at": "10s", "drain": "n-0"}],
    )
    data["cluster"]["scoring"] = "MostAllocated"
    data["podDisruptionBudgets"] = pdbs
    return data


def _refusals(r: Any) -> list[tuple[float, str]]:
    return [
        (e["t"], e["message"]) for e in r.to_dict()["events"] if e["kind"] == "EVICTION_REFUSED"
    ]


def test_drain_waits_for_the_budget_and_retries_every_5s() -> None:
    """minAvailable 1 of 2 Ready pods: the first eviction at 10 is allowed (2 healthy, 1
    wanted); the second is refused (1 healthy left) at 10 and retried at 15 and 20. The first
    pod's replacement (failure at 10, 10 s backoff) is created at 20 on n-1 and Ready at 21, so
    the retry at 25 evicts the second pod."""
    r = run(_scenario([_pdb({"minAvailable": 1, "selector": SELECTOR})]))
    first, second, third, fourth = r.pods()
    assert (first["node"], first["deletedAt"]) == ("n-0", 10)
    assert (second["node"], second["deletedAt"]) == ("n-0", 25)
    assert (third["node"], third["createdAt"], third["startedAt"]) == ("n-1", 20, 21)
    assert fourth["createdAt"] == 45  # two failures: 20 s backoff from 25
    message = (
        f"eviction of pod {second['name']} refused (429, PodDisruptionBudget budget): "
        f"{REFUSED} The disruption budget budget needs 1 healthy pods and has 1 currently"
    )
    assert _refusals(r) == [(10, message), (15, message), (20, message)]


def test_no_budget_evicts_at_once() -> None:
    """Without a budget both pods are evicted at 10 (the ideal drain)."""
    r = run(_scenario([]))
    assert [p["deletedAt"] for p in r.pods()[:2]] == [10, 10]
    assert _refusals(r) == []


@pytest.mark.parametrize(
    "spec", [{"minAvailable": "50%"}, {"maxUnavailable": 1}, {"maxUnavailable": "50%"}]
)
def test_job_pods_need_an_integer_min_available(spec: dict[str, Any]) -> None:
    """A Job has no scale: with ``maxUnavailable`` or a percentage the budget never allows a
    disruption (its status: 0 desired, 0 healthy). The pods run 60 s (1 to 61): refused at 10,
    15, …, 60; at 65 they have finished and drain is done."""
    r = run(_scenario([_pdb({**spec, "selector": SELECTOR})], duration="60s"))
    times = [t for t, _ in _refusals(r)]
    assert times == [t for t in range(10, 61, 5) for _pod in (1, 2)]
    assert all(m.endswith("needs 0 healthy pods and has 0 currently") for _, m in _refusals(r))
    assert [p["deletedAt"] for p in r.pods()] == [None, None]


def test_two_budgets_are_an_error_not_retried() -> None:
    """Two budgets select the pods: 500 for each pod at 10, and drain gives up on them."""
    pdbs = [_pdb({"minAvailable": 0, "selector": SELECTOR}, n) for n in ("one", "two")]
    r = run(_scenario(pdbs))
    refusals = _refusals(r)
    assert [t for t, _ in refusals] == [10, 10]
    assert refusals[0][1].endswith(
        "refused (500, PodDisruptionBudget one): This pod has more than one "
        "PodDisruptionBudget, which the eviction subresource does not support."
    )
    assert [p["deletedAt"] for p in r.pods()] == [None, None]


def test_pending_pods_ignore_the_budget() -> None:
    """``containerStart`` 20 s: at 10 the pods are still Pending, so the budget is not
    consulted (``canIgnorePDB``) and both are evicted."""
    r = run(_scenario([_pdb({"minAvailable": 2, "selector": SELECTOR})], start="20s"))
    assert [p["deletedAt"] for p in r.pods()[:2]] == [10, 10]


def test_a_selector_that_matches_nothing_does_not_cover() -> None:
    """``minAvailable: 2`` over other pods' labels: both evicted at 10."""
    other = {"matchLabels": {"app": "web"}}
    r = run(_scenario([_pdb({"minAvailable": 2, "selector": other})]))
    assert [p["deletedAt"] for p in r.pods()[:2]] == [10, 10]


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        (
            {"minAvailable": 1, "maxUnavailable": 1},
            [
                "podDisruptionBudgets[0].spec: Invalid value: minAvailable and maxUnavailable "
                "cannot be both set"
            ],
        ),
        (
            {"minAvailable": "150%"},
            [
                'podDisruptionBudgets[0].spec.minAvailable: Invalid value: "150%": must not be '
                "greater than 100%"
            ],
        ),
        (
            {"maxUnavailable": "half"},
            [
                'podDisruptionBudgets[0].spec.maxUnavailable: Invalid value: "half": a valid '
                "percent string must be a numeric string followed by an ending '%' (e.g. '1%',  "
                "or '93%', regex used for validation is '[0-9]+%')"
            ],
        ),
        (
            {"minAvailable": -1},
            [
                "podDisruptionBudgets[0].spec.minAvailable: Invalid value: -1: must be greater "
                "than or equal to 0"
            ],
        ),
        (
            {"selector": {"matchExpressions": [{"key": "a", "operator": "In"}]}},
            [
                "podDisruptionBudgets[0].spec.selector.matchExpressions[0].values: Required "
                "value: must be specified when `operator` is 'In' or 'NotIn'"
            ],
        ),
        (
            {"unhealthyPodEvictionPolicy": "Never"},
            [
                "podDisruptionBudgets[0].spec.unhealthyPodEvictionPolicy: Unsupported value: "
                '"Never": supported values: "AlwaysAllow", "IfHealthyBudget"'
            ],
        ),
    ],
)
def test_validation(spec: dict[str, Any], lines: list[str]) -> None:
    """``ValidatePodDisruptionBudgetSpec``'s words."""
    with pytest.raises(ScenarioError) as e:
        run(_scenario([_pdb(spec)]))
    assert str(e.value).splitlines() == [f"<scenario>: {line}" for line in lines]


def test_a_budget_created_twice_is_refused() -> None:
    with pytest.raises(ScenarioError) as e:
        run(_scenario([_pdb({"minAvailable": 1}), _pdb({"minAvailable": 2})]))
    assert str(e.value).splitlines() == [
        '<scenario>: podDisruptionBudgets[1].metadata.name: poddisruptionbudgets.policy "budget" '
        "already exists (also podDisruptionBudgets[0])"
    ]


def _unhealthy(policy: str | None, parallelism: int) -> Any:
    """Pods of 1 cpu on 2-cpu nodes (MostAllocated): two on n-0, the third (if any) on n-1.
    n-0 stops reporting at 100 and is NotReady at 150: its pods stay Running but not Ready.
    ``kubectl drain n-0`` at 200."""
    pod = {
        "containers": [
            {"name": "main", "image": "busybox:1.36", "resources": {"requests": {"cpu": "1"}}}
        ]
    }
    spec: dict[str, Any] = {"minAvailable": 1, "selector": SELECTOR}
    if policy is not None:
        spec["unhealthyPodEvictionPolicy"] = policy
    data = scenario(
        (
            job_manifest(parallelism=parallelism, completions=parallelism, podSpec=pod),
            {"duration": "1000s"},
        ),
        nodes=2,
        cpu="2",
        timing={"jobSyncDelay": 0, "scheduling": 0, "containerStart": "1s", "imagePull": 0},
        events=[{"at": "100s", "nodeDown": "n-0"}, {"at": "200s", "drain": "n-0"}],
    )
    data["cluster"]["scoring"] = "MostAllocated"
    data["podDisruptionBudgets"] = [_pdb(spec)]
    return run(data)


def test_unhealthy_pods_wait_while_the_budget_is_not_met() -> None:
    """IfHealthyBudget (the default): the two pods of n-0 are not Ready, none is healthy, 1 is
    wanted: refused at 200 and every 5 s after, until the taint manager deletes them at 450
    (150 + 300 s); the retry at 450 comes first at that instant (outside events before the
    node lifecycle) and is refused too."""
    r = _unhealthy(None, 2)
    assert [p["deletedAt"] for p in r.pods()[:2]] == [450, 450]
    assert [t for t, _ in _refusals(r)] == [t for t in range(200, 451, 5) for _pod in (1, 2)]


def test_unhealthy_pods_go_when_the_budget_is_met() -> None:
    """A third pod, Ready on n-1, meets ``minAvailable: 1``: the unhealthy pods of n-0 are
    evicted at 200 without spending the budget."""
    r = _unhealthy(None, 3)
    assert [p["deletedAt"] for p in r.pods()[:3]] == [200, 200, None]
    assert _refusals(r) == []


def test_always_allow_evicts_unhealthy_pods() -> None:
    """``unhealthyPodEvictionPolicy: AlwaysAllow``: not-Ready pods are evicted at 200 even
    though no pod is healthy."""
    r = _unhealthy("AlwaysAllow", 2)
    assert [p["deletedAt"] for p in r.pods()[:2]] == [200, 200]
