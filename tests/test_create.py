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
from pathlib import Path
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


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_dump_gets_its_validation_errors_before_the_resource_version() -> None:
    """``Store.Create`` validates first (``rest.BeforeCreate``: the strategy's ``Validate``,
    422 with every field error) and reaches the storage's resourceVersion check
    (``etcd3/store.go`` ``Create``) only when the object is valid: a ``kubectl get job -o
    yaml`` dump is refused for its generated selector and uid labels, never for its
    resourceVersion."""
    path = FIXTURES / "getjob-rv.yaml"
    with pytest.raises(ScenarioError) as err:
        load_input(path)
    old = "0f6a4d2c-7c0e-4a4e-9a55-3b2a1e0c9d11"
    labels = (
        f'{{"batch.kubernetes.io/controller-uid":"{old}","batch.kubernetes.io/job-name":"pi",'
        f'"controller-uid":"{old}","job-name":"pi"}}'
    )
    new = job_uid("default", "pi")
    assert [line.split(": ", 1)[1] for line in err.value.lines] == [
        "spec.selector: Invalid value: "
        f'{{"matchLabels":{{"batch.kubernetes.io/controller-uid":"{old}"}}}}: '
        "`selector` not auto-generated",
        "spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Invalid value: "
        f"{labels}: must be '{new}'",
        f"spec.template.metadata.labels[controller-uid]: Invalid value: {labels}: must be '{new}'",
    ]
    assert [line.split(": ", 1)[0] for line in err.value.lines] == [
        f"{path}:23:5",
        f"{path}:30:45",
        f"{path}:32:25",
    ]


def test_a_valid_object_with_a_resource_version_is_refused_by_the_storage() -> None:
    """The same dump with the selector and the uid labels removed passes validation, and the
    storage refuses it for its resourceVersion, alone."""
    import yaml

    dump = yaml.safe_load((FIXTURES / "getjob-rv.yaml").read_text(encoding="utf-8"))
    del dump["spec"]["selector"]
    dump["spec"]["template"]["metadata"]["labels"] = {}
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=yaml.safe_dump(dump))
    (line,) = err.value.lines
    assert line.startswith(
        "job.yaml:13:3: metadata.resourceVersion: resourceVersion should not be set on objects "
        "to be created ("
    )


def cronjob_dump(schedule: str) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "resourceVersion": "4711"},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {"spec": job_manifest()["spec"]},
        },
    }


def test_a_cronjob_with_a_resource_version_is_validated_first() -> None:
    """A CronJob too: its schedule's error, not the storage's, when the schedule is bad."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario((cronjob_dump("61 * * * *"), {"duration": "10s"})))
    assert err.value.lines == [
        '<scenario>: jobs[0].manifest: spec.schedule: Invalid value: "61 * * * *": '
        "end of range (61) above maximum (59): 61"
    ]
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario((cronjob_dump("0 2 * * *"), {"duration": "10s"})))
    (line,) = err.value.lines
    assert line.startswith(
        "<scenario>: jobs[0].manifest: metadata.resourceVersion: resourceVersion should not be "
        "set on objects to be created ("
    )
