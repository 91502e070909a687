"""Pod affinity ``matchLabelKeys``/``mismatchLabelKeys`` (issue 16, item 2).

Upstream: the API server merges the pod's own label values into each term's selector when it
creates the pod (``pkg/registry/core/pod/strategy.go`` ``applyMatchLabelKeysAndMismatchLabelKeys``:
``key In (value)`` for ``matchLabelKeys``, ``key NotIn (value)`` for ``mismatchLabelKeys``, only
keys the pod has); ``validateMatchLabelKeysAndMismatchLabelKeys`` checks them; gate
``MatchLabelKeysInPodAffinity`` (Alpha, off, 1.29–1.30; Beta 1.31; GA 1.33), off: the fields
are dropped on create (``dropDisabledMatchLabelKeysFieldInPodAffinity``). Placements are
derived by hand with kube-scheduler's rules as in ``test_inter_pod_scheduling.py``: zero
timing, each pod runs 10 s, LeastAllocated ties to the first node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from jobsim.api import ScenarioError, load_input
from jobsim.cli import app
from jobsim.k8s.features import FeatureGateError, feature_gates
from jobsim.k8s.job import Affinity
from jobsim.k8s.pod_affinity import merge_label_keys
from jobsim.run import simulate
from jobsim.scenario import load_scenario
from tests.helpers import scenario
from tests.test_inter_pod_scheduling import (
    HEAD,
    HOST,
    PA,
    job,
    placements,
    pool,
    term,
    unschedulable,
)

UID = "batch.kubernetes.io/controller-uid"
GATE = "MatchLabelKeysInPodAffinity"


def _anti(**keys: list[str]) -> dict[str, Any]:
    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{**term(HOST, app="batch"), **keys}]
        }
    }


def _run(
    nodes: int,
    *jobs: dict[str, Any],
    version: str | None = None,
    gates: dict[str, bool] | None = None,
) -> Any:
    data = scenario(*[(j, {"duration": "10s"}) for j in jobs])
    data["cluster"]["nodePools"] = [pool("n", nodes)]
    for i, entry in enumerate(data["jobs"]):
        entry["submitAt"] = f"{i}s"
    return simulate(load_scenario(data, kubernetes_version=version, feature_gates=gates))


def _two_jobs(affinity: dict[str, Any]) -> list[dict[str, Any]]:
    return [job(n, pods=2, labels={"app": "batch"}, affinity=affinity) for n in "ab"]


# -- the merge --------------------------------------------------------------------------------


def test_the_merge_appends_in_then_notin_for_the_keys_the_pod_has() -> None:
    """``applyLabelKeysToLabelSelector``: matchLabelKeys first (In), then mismatchLabelKeys
    (NotIn), each in its list's order, after the selector's own expressions; ``missing`` is no
    label of the pod and adds nothing; a term without a selector is left alone."""
    affinity = Affinity.model_validate(
        {
            "podAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "labelSelector": {"matchExpressions": [{"key": "x", "operator": "Exists"}]},
                        "topologyKey": HOST,
                        "matchLabelKeys": ["missing", "app"],
                        "mismatchLabelKeys": ["team"],
                    },
                    {"topologyKey": HOST, "matchLabelKeys": ["app"]},
                ]
            }
        }
    )
    merged = merge_label_keys(affinity, {"app": "web", "team": "t1"})
    assert merged is not None and merged.podAffinity is not None
    first, second = merged.podAffinity.requiredDuringSchedulingIgnoredDuringExecution or []
    assert first.labelSelector is not None
    assert [(e.key, e.operator, e.values) for e in first.labelSelector.matchExpressions or []] == [
        ("x", "Exists", None),
        ("app", "In", ["web"]),
        ("team", "NotIn", ["t1"]),
    ]
    assert second.labelSelector is None
    assert merge_label_keys(affinity, {}) == affinity


# -- placements -------------------------------------------------------------------------------


def test_match_label_keys_on_the_controller_uid_makes_anti_affinity_per_job() -> None:
    """Jobs a (at 0) and b (at 1 s), two ``app=batch`` pods each, refuse a node holding an
    ``app=batch`` pod *of their own Job* (``matchLabelKeys: [controller-uid]`` merges
    ``controller-uid In (<own uid>)``), on three nodes. a: n-0, then n-1 (n-0 filtered, the
    rest tie). b's terms match none of a's pods, nor a's b's: b-0 takes the emptiest node,
    n-2 (LeastAllocated), b-1 is filtered from n-2 and ties n-0/n-1 → n-0, all at 1 s."""
    r = _run(3, *_two_jobs(_anti(matchLabelKeys=[UID])))
    assert placements(r, "a") == [("n-0", 0), ("n-1", 0)]
    assert placements(r, "b") == [("n-2", 1), ("n-0", 1)]
    assert unschedulable(r) == []


def test_without_match_label_keys_the_anti_affinity_spans_both_jobs() -> None:
    """The same terms without the key: every ``app=batch`` pod repels the others, so b-1 finds
    the three nodes taken and waits for a-0 to end on n-0 at 10 s."""
    r = _run(3, *_two_jobs(_anti()))
    assert placements(r) == [("n-0", 0), ("n-1", 0), ("n-2", 1), ("n-0", 10)]
    assert unschedulable(r) == [
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
    ]


@pytest.mark.parametrize(
    ("version", "gates"),
    [("1.30", None), ("1.29", None), ("1.32", {GATE: False})],
    ids=["1.30", "1.29", "1.32-gate-off"],
)
def test_with_the_gate_off_the_keys_are_dropped_on_create(
    version: str, gates: dict[str, bool] | None
) -> None:
    """Alpha (off) in 1.29 and 1.30, or set off in 1.32 (Beta): the fields are cleared on
    create, so the terms span both Jobs as without them."""
    r = _run(3, *_two_jobs(_anti(matchLabelKeys=[UID])), version=version, gates=gates)
    assert placements(r) == [("n-0", 0), ("n-1", 0), ("n-2", 1), ("n-0", 10)]


def test_mismatch_label_keys_repels_only_other_jobs() -> None:
    """Job a (one pod, at 0) takes n-0. Job b (two pods, at 1 s) refuses nodes with an
    ``app=batch`` pod of *another* Job (``mismatchLabelKeys`` merges ``controller-uid NotIn
    (<b's uid>)``) on two nodes: both b pods go to n-1, the second beside the first. Without
    the key b-1 finds both nodes holding an ``app=batch`` pod and waits for a's pod to end at
    10 s on n-0."""
    a = job("a", pods=1, labels={"app": "batch"})
    b_keys = job("b", pods=2, labels={"app": "batch"}, affinity=_anti(mismatchLabelKeys=[UID]))
    r = _run(2, a, b_keys)
    assert placements(r) == [("n-0", 0), ("n-1", 1), ("n-1", 1)]
    b_plain = job("b", pods=2, labels={"app": "batch"}, affinity=_anti())
    r = _run(2, a, b_plain)
    assert placements(r) == [("n-0", 0), ("n-1", 1), ("n-0", 10)]


def test_a_completion_index_key_merges_each_pods_own_index() -> None:
    """A one-pod Indexed Job a puts its index-0 pod on n-0 (at 0). Indexed Job b (at 1 s) wants
    ``app=batch`` pods of the *same* index (``matchLabelKeys: [job-completion-index]``, merged
    per pod): its pod 0 must join a's on n-0; its pod 1 (``index In (1)``) matches no placed
    pod and matches its own term, so it may go anywhere (``satisfyPodAffinity``'s first-pod
    rule): the emptiest node, n-1. Merged with the Job's labels alone it would follow a to
    n-0."""
    idx = "batch.kubernetes.io/job-completion-index"
    aff = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {**term(HOST, app="batch"), "matchLabelKeys": [idx]}
            ]
        }
    }
    first = job("a", pods=1, labels={"app": "batch"})
    first["spec"]["completionMode"] = "Indexed"
    second = job("b", pods=2, labels={"app": "batch"}, affinity=aff)
    second["spec"]["completionMode"] = "Indexed"
    r = _run(2, first, second)
    assert placements(r, "a") == [("n-0", 0)]
    assert placements(r, "b") == [("n-0", 1), ("n-1", 1)]


# -- the gate ---------------------------------------------------------------------------------


def test_the_gate_per_release() -> None:
    """kube_features.go: Alpha (off) 1.29, Beta (on) 1.31, GA and locked 1.33."""
    assert [feature_gates(v).MatchLabelKeysInPodAffinity for v in ("1.29", "1.30", "1.31")] == [
        False,
        False,
        True,
    ]
    assert feature_gates("1.30", {GATE: True}).MatchLabelKeysInPodAffinity
    with pytest.raises(FeatureGateError, match="^cannot set feature gate " + GATE):
        feature_gates("1.33", {GATE: False})


# -- validation -------------------------------------------------------------------------------

REQ = f"{PA}.requiredDuringSchedulingIgnoredDuringExecution[0]"
PREF = f"{PA}.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm"
NO_SELECTOR = "must not be specified when labelSelector is not set"
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def _required(term_text: str) -> str:
    return HEAD + (
        "      affinity:\n        podAntiAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution:\n"
        f"          - {term_text}\n"
    )


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        pytest.param(
            _required("{topologyKey: zone, matchLabelKeys: [app]}"),
            [f"{REQ}.matchLabelKeys: Forbidden: {NO_SELECTOR}"],
            id="no-selector",
        ),
        pytest.param(
            HEAD + "      affinity:\n        podAntiAffinity:\n"
            "          preferredDuringSchedulingIgnoredDuringExecution:\n"
            "          - weight: 1\n"
            "            podAffinityTerm: {topologyKey: zone, mismatchLabelKeys: [a]}\n",
            [f"{PREF}.mismatchLabelKeys: Forbidden: {NO_SELECTOR}"],
            id="preferred-no-selector",
        ),
        pytest.param(
            _required("{topologyKey: zone, labelSelector: {}, mismatchLabelKeys: ['bad key']}"),
            [f'{REQ}.mismatchLabelKeys[0]: Invalid value: "bad key": {NAME_PART}'],
            id="key-format",
        ),
        pytest.param(
            _required(
                "{topologyKey: zone, labelSelector: {}, matchLabelKeys: [x, app], "
                "mismatchLabelKeys: [app]}"
            ),
            [
                f'{REQ}.matchLabelKeys[1]: Invalid value: "app": exists in both matchLabelKeys '
                "and mismatchLabelKeys"
            ],
            id="in-both-lists",
        ),
        pytest.param(
            _required(
                "{topologyKey: zone, matchLabelKeys: [app], labelSelector: "
                "{matchLabels: {app: x}, matchExpressions: [{key: app, operator: Exists}]}}"
            ),
            # upstream's path: fldPath.Index(i) on the term's own path
            [f'{REQ}[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector'],
            id="in-selector-twice",
        ),
    ],
)
def test_invalid_keys_are_refused_as_the_api_server_does(text: str, messages: list[str]) -> None:
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    assert [ln.split(": ", 1)[1] for ln in err.value.lines] == messages


def test_a_key_the_selector_names_refuses_every_pod() -> None:
    """The template passes (one ``app`` in the selector), but each pod carries ``app``, so its
    merged selector has ``app`` from ``matchLabels`` and from the merge: ``ValidatePodCreate``
    refuses it. jobsim refuses the Job at load, located, with upstream's message."""
    text = HEAD.replace("    spec:\n", "    metadata: {labels: {app: a}}\n    spec:\n", 1) + (
        "      affinity:\n        podAntiAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "          - {topologyKey: zone, matchLabelKeys: [app], labelSelector: "
        "{matchLabels: {app: a}}}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    [line] = err.value.lines
    where, message = line.split(": ", 1)
    assert where == "job.yaml:13:13"
    assert message.startswith(
        f'{REQ}[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector '
        "(the API server refuses each pod of this Job on create"
    )
    # the gate off (1.30): the fields are dropped first, nothing is refused
    assert load_input("job.yaml", text=text, kubernetes_version="1.30") is not None


def test_invalid_keys_pass_when_the_gate_drops_them() -> None:
    """``PrepareForCreate`` drops the fields before ``Validate``: on 1.30 they are never
    checked."""
    text = _required("{topologyKey: zone, matchLabelKeys: [app]}")
    assert load_input("job.yaml", text=text, kubernetes_version="1.30") is not None


# -- the command line -------------------------------------------------------------------------


def test_the_command_line_on_1_30_drops_the_keys(tmp_path: Path) -> None:
    """``jobsim run --kubernetes-version 1.30`` on the two Jobs of the per-Job anti-affinity:
    b's second pod finds every node taken and waits until a's first pod ends (10 s); on the
    newest release it is placed at once. Setting the gate off where it is GA is refused,
    exit 2."""
    data = scenario(*[(j, {"duration": "10s"}) for j in _two_jobs(_anti(matchLabelKeys=[UID]))])
    data["cluster"]["nodePools"] = [pool("n", 3)]
    data["jobs"][1]["submitAt"] = "1s"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    for args, nodes in (
        ([], [("n-0", 0), ("n-1", 0), ("n-2", 1), ("n-0", 1)]),
        (["--kubernetes-version", "1.30"], [("n-0", 0), ("n-1", 0), ("n-2", 1), ("n-0", 10)]),
    ):
        res = runner.invoke(app, ["run", str(path), "--json", *args])
        assert res.exit_code == 0, res.output
        pods = json.loads(res.output)["pods"]
        assert [(p["node"], p["scheduledAt"]) for p in pods] == nodes
    res = runner.invoke(app, ["run", str(path), "--feature-gates", f"{GATE}=false"])
    assert res.exit_code == 2
    assert f"cannot set feature gate {GATE} to false, feature is locked to true" in res.output
