"""Job manifests as the API server takes them on create (``jobsim.k8s.create``).

Upstream: apiserver ``registry/rest/create.go`` ``BeforeCreate`` (the name from
``generateName`` by ``names.SimpleNameGenerator``: the prefix cut to
``MaxGeneratedNameLength`` = 63 - 5 = 58 characters, then 5 characters of ``util/rand``'s
alphabet), ``FillObjectMetaSystemFields`` (uid, creationTimestamp), the Job strategy's
``PrepareForCreate`` (status cleared, generation 1) and the storage's ``Create``
(``ErrResourceVersionSetOnCreate`` for a non-zero ``resourceVersion``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from jobsim import ScenarioError, load_scenario
from jobsim.api import load_input
from jobsim.k8s.create import NAME_ALPHABET, Names, admit_create, generate_name
from jobsim.k8s.defaults import job_uid
from tests.helpers import job_manifest, scenario

SUFFIX = f"[{NAME_ALPHABET}]{{5}}"


def generated(base: str) -> dict[str, Any]:
    m = job_manifest()
    m["metadata"] = {"generateName": base}
    return m


def test_generated_name_is_the_prefix_and_five_characters() -> None:
    assert re.fullmatch(f"pi-{SUFFIX}", generate_name("pi-", 0, 0))
    # A 70-character prefix is cut to 58, so the name is 58 + 5 = 63 characters.
    name = generate_name("a" * 70, 0, 0)
    assert len(name) == 63 and name.startswith("a" * 58)


def test_generated_names_follow_the_seed_and_never_repeat() -> None:
    assert generate_name("pi-", 7, 0) == generate_name("pi-", 7, 0)
    assert {generate_name("pi-", s, 0) for s in range(20)} != {generate_name("pi-", 0, 0)}
    names = Names(seed=3)
    assert len({names.generate("pi-") for _ in range(50)}) == 50


def test_a_bare_generate_name_job_gets_its_name_and_pods_follow_it() -> None:
    text = "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: pi-}\n" + (
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: pi, image: perl}]\n"
    )
    loaded = load_input("job.yaml", text=text)
    (entry,) = loaded.jobs
    name = entry.job.metadata.name
    assert name is not None and re.fullmatch(f"pi-{SUFFIX}", name)
    assert entry.key == f"default/{name}"
    # the generated selector's labels carry the generated name (generateSelector)
    labels = entry.job.spec.template.metadata.labels  # type: ignore[union-attr]
    assert labels is not None and labels["job-name"] == name
    # the same file gives the same name; two Jobs with one prefix get two names
    assert load_input("job.yaml", text=text).jobs[0].job.metadata.name == name
    two = load_input("job.yaml", text=text + "---\n" + text)
    assert len({e.job.metadata.name for e in two.jobs}) == 2


def test_replicas_of_a_generate_name_entry_each_get_a_name() -> None:
    data = scenario((generated("batch-"), {"duration": "10s"}))
    data["jobs"][0]["replicas"] = 3
    names = [e.job.metadata.name or "" for e in load_scenario(data).jobs]
    assert len(set(names)) == 3
    assert all(re.fullmatch(f"batch-{SUFFIX}", n) for n in names)


def test_a_resource_version_is_refused_on_create(tmp_path: Any) -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\n  resourceVersion: '4711'\n"
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: pi, image: perl}]\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    (line,) = err.value.lines
    assert line.startswith(
        "job.yaml:5:3: metadata.resourceVersion: resourceVersion should not be set on objects "
        "to be created (this looks like a live object"
    )


@pytest.mark.parametrize("rv", ["", "0", "-1", "abc"])
def test_a_resource_version_the_versioner_cannot_read_passes(rv: str) -> None:
    # APIObjectVersioner.ObjectResourceVersion: "" and "0" are version 0; "-1" and "abc" do not
    # parse as uint64, so the storage's check (err == nil && version != 0) lets them through
    # (kubernetes/kubernetes#113847), and the version is dropped.
    m = job_manifest()
    m["metadata"]["resourceVersion"] = rv
    admitted = admit_create(m)
    assert admitted.refused is None
    assert "resourceVersion" not in admitted.data["metadata"]


def test_server_set_fields_are_ignored_with_a_note() -> None:
    m = job_manifest("pi")
    m["metadata"].update(
        uid="0b6c3c55-0000-0000-0000-000000000001",
        creationTimestamp="2026-01-01T00:00:00Z",
        generation=3,
        managedFields=[{"manager": "kubectl-create"}],
        selfLink="/apis/batch/v1/namespaces/default/jobs/pi",
    )
    m["status"] = {"active": 1}
    loaded = load_scenario(scenario((m, {"duration": "10s"})))
    assert loaded.warnings == [
        "<scenario>: jobs[0].manifest: metadata.uid, metadata.creationTimestamp, "
        "metadata.generation, metadata.managedFields, metadata.selfLink, status: set by the API "
        "server, ignored on create"
    ]
    # the uid is the server's (jobsim's stand-in), not the manifest's
    assert loaded.jobs[0].job.metadata.uid == job_uid("default", "pi")
    assert loaded.jobs[0].job.status is None


def test_a_dumped_selector_is_refused_as_the_server_refuses_it() -> None:
    # A dump's selector and template labels carry the old uid; the new Job's uid differs, so
    # validateGeneratedSelector refuses the labels (kubectl create of a dump fails the same way).
    m = job_manifest("pi")
    old = "0b6c3c55-0000-0000-0000-000000000001"
    m["metadata"]["uid"] = old
    m["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": old}}
    m["spec"]["template"]["metadata"] = {
        "labels": {"batch.kubernetes.io/controller-uid": old, "controller-uid": old}
    }
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario((m, {"duration": "10s"})))
    new = job_uid("default", "pi")
    assert any(f"must be '{new}'" in line for line in err.value.lines)
    assert any("`selector` not auto-generated" in line for line in err.value.lines)


def test_an_unknown_metadata_field_is_still_refused() -> None:
    m = copy.deepcopy(job_manifest("pi"))
    m["metadata"]["resourceVersoin"] = "1"
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario((m, {"duration": "10s"})))
    assert err.value.lines == [
        "<scenario>: jobs[0].manifest: metadata.resourceVersoin: unknown field "
        "'resourceVersoin' (did you mean 'resourceVersion'?)"
    ]
