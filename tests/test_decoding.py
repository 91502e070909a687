"""A manifest value of the wrong JSON type is refused in the API server's decoder's words.

Upstream: ``sigs.k8s.io/json`` (Go's ``encoding/json``) ``UnmarshalTypeError.Error()``:
``json: cannot unmarshal <kind> into Go struct field <Struct>.<path> of type <type>``, where
``Struct`` is the innermost struct being filled and ``path`` the JSON names from the top
without list indexes or map keys (real answers: "cannot unmarshal bool into Go struct field
EnvVar.spec.template.spec.containers.env.value of type string", "cannot unmarshal bool into Go
struct field ObjectMeta.spec.jobTemplate.metadata.labels of type string"); ``literalStore``
writes ``number <literal>`` only when the target is an integer. Go types from k8s.io/api
``batch/v1``, ``core/v1`` and apimachinery ``meta/v1`` ``types.go`` (package ``v1``; ``*T``
decodes as ``T``). ``resource.Quantity.UnmarshalJSON`` parses what it gets, so its refusal is
``ParseQuantity``'s (``ErrFormatWrong``). kubectl sends YAML as JSON through
``sigs.k8s.io/yaml`` (``json.Marshal`` of the parsed YAML), so a whole float such as ``2.0``
arrives as ``2``.
"""

from __future__ import annotations

import copy
import datetime
import math
from typing import Any

import pytest

from jobsim.k8s.decoding import QUANTITY_FORMAT_MSG, go_number
from jobsim.k8s.job import Job
from jobsim.scenario import decode_job

U = "json: cannot unmarshal"
CTR = "spec.template.spec.containers"
BASE: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "pi"},
    "spec": {
        "template": {
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "perl"}]}
        }
    },
}


def edited(path: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    here: Any = data
    for part in path[:-1]:
        here = here[part] if isinstance(part, int) else here.setdefault(part, {})
    here[path[-1]] = value
    return data


SPEC: list[str | int] = ["spec"]
POD: list[str | int] = ["spec", "template", "spec"]
C0: list[str | int] = [*POD, "containers", 0]

CASES = [
    # int32 and int64: every JSON kind, a number only when it is no integer of that size
    (
        [*SPEC, "completions"],
        True,
        "spec.completions",
        f"{U} bool into Go struct field JobSpec.spec.completions of type int32",
    ),
    (
        [*SPEC, "completions"],
        "3",
        "spec.completions",
        f"{U} string into Go struct field JobSpec.spec.completions of type int32",
    ),
    (
        [*SPEC, "completions"],
        [3],
        "spec.completions",
        f"{U} array into Go struct field JobSpec.spec.completions of type int32",
    ),
    (
        [*SPEC, "completions"],
        {"n": 3},
        "spec.completions",
        f"{U} object into Go struct field JobSpec.spec.completions of type int32",
    ),
    (
        [*SPEC, "completions"],
        2.5,
        "spec.completions",
        f"{U} number 2.5 into Go struct field JobSpec.spec.completions of type int32",
    ),
    (  # json.Marshal writes 1e21 and beyond with an exponent; ParseInt refuses it
        [*SPEC, "completions"],
        1e21,
        "spec.completions",
        f"{U} number 1e+21 into Go struct field JobSpec.spec.completions of type int32",
    ),
    (  # 3e9 is written 3000000000: an integer past int32
        [*SPEC, "parallelism"],
        3e9,
        "spec.parallelism",
        f"{U} number 3000000000 into Go struct field JobSpec.spec.parallelism of type int32",
    ),
    (
        [*SPEC, "activeDeadlineSeconds"],
        "60",
        "spec.activeDeadlineSeconds",
        f"{U} string into Go struct field JobSpec.spec.activeDeadlineSeconds of type int64",
    ),
    (
        [*POD, "terminationGracePeriodSeconds"],
        False,
        "spec.template.spec.terminationGracePeriodSeconds",
        f"{U} bool into Go struct field PodSpec.spec.template.spec."
        "terminationGracePeriodSeconds of type int64",
    ),
    (  # an element of []int32: the path names the list, the type its element
        [*SPEC, "podFailurePolicy"],
        {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": ["1"]}}]},
        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
        f"{U} string into Go struct field PodFailurePolicyOnExitCodesRequirement.spec."
        "podFailurePolicy.rules.onExitCodes.values of type int32",
    ),
    # bool
    (
        [*SPEC, "suspend"],
        "true",
        "spec.suspend",
        f"{U} string into Go struct field JobSpec.spec.suspend of type bool",
    ),
    (
        [*SPEC, "manualSelector"],
        1,
        "spec.manualSelector",
        f"{U} number into Go struct field JobSpec.spec.manualSelector of type bool",
    ),
    # string, plain and named
    (
        ["metadata", "name"],
        5,
        "metadata.name",
        f"{U} number into Go struct field ObjectMeta.metadata.name of type string",
    ),
    (
        ["metadata", "uid"],
        7,
        "metadata.uid",
        f"{U} number into Go struct field ObjectMeta.metadata.uid of type types.UID",
    ),
    (
        [*C0, "image"],
        True,
        "spec.template.spec.containers[0].image",
        f"{U} bool into Go struct field Container.{CTR}.image of type string",
    ),
    (
        [*C0, "imagePullPolicy"],
        ["Always"],
        "spec.template.spec.containers[0].imagePullPolicy",
        f"{U} array into Go struct field Container.{CTR}.imagePullPolicy of type v1.PullPolicy",
    ),
    (
        [*POD, "restartPolicy"],
        False,
        "spec.template.spec.restartPolicy",
        f"{U} bool into Go struct field PodSpec.spec.template.spec.restartPolicy of type "
        "v1.RestartPolicy",
    ),
    (
        [*SPEC, "completionMode"],
        1,
        "spec.completionMode",
        f"{U} number into Go struct field JobSpec.spec.completionMode of type v1.CompletionMode",
    ),
    (
        [*POD, "tolerations"],
        [{"key": "k", "effect": 1}],
        "spec.template.spec.tolerations[0].effect",
        f"{U} number into Go struct field Toleration.spec.template.spec.tolerations.effect of "
        "type v1.TaintEffect",
    ),
    # lists and their elements
    (
        [*C0, "command"],
        "perl",
        "spec.template.spec.containers[0].command",
        f"{U} string into Go struct field Container.{CTR}.command of type []string",
    ),
    (
        [*C0, "args"],
        ["-e", 5],
        "spec.template.spec.containers[0].args[1]",
        f"{U} number into Go struct field Container.{CTR}.args of type string",
    ),
    (
        [*POD, "containers"],
        {"name": "c"},
        "spec.template.spec.containers",
        f"{U} object into Go struct field PodSpec.{CTR} of type []v1.Container",
    ),
    (
        [*POD, "containers"],
        ["c"],
        "spec.template.spec.containers[0]",
        f"{U} string into Go struct field PodSpec.{CTR} of type v1.Container",
    ),
    # structs and maps
    (
        ["spec", "template"],
        "pod",
        "spec.template",
        f"{U} string into Go struct field JobSpec.spec.template of type v1.PodTemplateSpec",
    ),
    (
        POD,
        [],
        "spec.template.spec",
        f"{U} array into Go struct field PodTemplateSpec.spec.template.spec of type v1.PodSpec",
    ),
    (
        ["spec", "template", "metadata", "labels"],
        ["a"],
        "spec.template.metadata.labels",
        f"{U} array into Go struct field ObjectMeta.spec.template.metadata.labels of type "
        "map[string]string",
    ),
    (  # a map's value: the path stops at the map
        ["spec", "template", "metadata", "labels"],
        {"app": 5},
        "spec.template.metadata.labels.app",
        f"{U} number into Go struct field ObjectMeta.spec.template.metadata.labels of type string",
    ),
    (
        [*POD, "nodeSelector"],
        {"disk": True},
        "spec.template.spec.nodeSelector.disk",
        f"{U} bool into Go struct field PodSpec.spec.template.spec.nodeSelector of type string",
    ),
    (
        [*C0, "resources"],
        {"requests": 1},
        "spec.template.spec.containers[0].resources.requests",
        f"{U} number into Go struct field ResourceRequirements.{CTR}.resources.requests of "
        "type v1.ResourceList",
    ),
    (
        ["status"],
        "done",
        "status",
        f"{U} string into Go struct field Job.status of type v1.JobStatus",
    ),
]


@pytest.mark.parametrize(("path", "value", "where", "message"), CASES)
def test_wrong_type_gets_the_decoders_words(
    path: list[str | int], value: Any, where: str, message: str
) -> None:
    """jobsim puts the value's own place first (``args[1]``, ``labels.app``), then the
    decoder's words."""
    assert decode_job(edited(path, value)) == [f"{where}: {message}"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "true"), ([1, 2], "[1,2]"), ({"a": 1}, '{\\"a\\":1}'), ("", "")],
)
def test_a_quantity_parses_what_it_is_given(value: Any, shown: str) -> None:
    """``Quantity.UnmarshalJSON`` hands the JSON text (a string without its quotes) to
    ``ParseQuantity``, which refuses it with ``ErrFormatWrong``; the text is shown quoted as
    ``%q`` quotes it."""
    got = decode_job(edited([*C0, "resources"], {"requests": {"cpu": value}}))
    assert got == [
        f'{CTR}[0].resources.requests[cpu]: Invalid value: "{shown}": {QUANTITY_FORMAT_MSG}'
    ]


@pytest.mark.parametrize("value", [2, "2", 2.0, "2000m"])
def test_a_quantity_takes_a_string_or_a_number(value: Any) -> None:
    got = decode_job(edited([*C0, "resources"], {"limits": {"cpu": value}}))
    assert isinstance(got, Job)


def test_a_null_quantity_is_zero() -> None:
    """``UnmarshalJSON`` of ``null`` leaves a zero ``Quantity``."""
    got = decode_job(edited([*C0, "resources"], {"requests": {"cpu": None}}))
    assert isinstance(got, Job)
    resources = got.spec.template.spec.containers[0].resources
    assert resources is not None and resources.requests == {"cpu": "0"}


def test_a_whole_float_is_the_integer_kubectl_sends() -> None:
    """``sigs.k8s.io/yaml`` marshals the YAML float 2.0 as ``2``, which an int32 takes."""
    got = decode_job(edited([*SPEC, "completions"], 2.0))
    assert isinstance(got, Job)
    assert got.spec.completions == 2 and isinstance(got.spec.completions, int)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (2.5, "2.5"),
        (3e9, "3000000000"),
        (1e16, "10000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),  # encoding/json cleans e-07 to e-7
        (-0.25, "-0.25"),
        (12, "12"),
    ],
)
def test_go_number_writes_as_json_marshal(number: float, text: str) -> None:
    """Go's ``json.Marshal`` of a ``float64``: 'f' from 1e-6 to below 1e21, else 'e'."""
    assert go_number(number) == text


def test_null_is_what_gos_decoder_leaves() -> None:
    """``null`` leaves a Go field as it was: a nil pointer is absent (``completions``), a
    required string is ``""`` (so validation says the name is required), a list element its
    zero value."""
    data = edited([*SPEC, "completions"], None)
    data["spec"]["template"]["spec"]["containers"][0].update(
        {"name": None, "command": ["perl", None]}
    )
    assert decode_job(data) == [f"{CTR}[0].name: Required value"]
    data["spec"]["template"]["spec"]["containers"][0]["name"] = "c"
    job = decode_job(data)
    assert isinstance(job, Job)
    assert job.spec.completions == 1  # absent, then defaulted (SetDefaults_Job)
    assert job.spec.template.spec.containers[0].command == ["perl", ""]


def test_keys_yaml_reads_as_numbers_or_booleans_are_strings() -> None:
    """``sigs.k8s.io/yaml`` writes a YAML key ``2`` as ``"2"`` and ``true`` as ``"true"``
    (the Job's own labels are added to the template's by defaulting)."""
    job = decode_job(edited(["spec", "template", "metadata", "labels"], {2: "a", True: "b"}))
    assert isinstance(job, Job)
    assert job.spec.template.metadata is not None
    labels = job.spec.template.metadata.labels or {}
    assert {k: labels[k] for k in ("2", "true")} == {"2": "a", "true": "b"}


@pytest.mark.parametrize(("number", "text"), [(math.inf, "+Inf"), (-math.inf, "-Inf")])
def test_a_number_json_cannot_hold_is_kubectls_refusal(number: float, text: str) -> None:
    """kubectl cannot marshal ``.inf`` to JSON (``json.UnsupportedValueError``)."""
    got = decode_job(edited([*SPEC, "backoffLimit"], number))
    assert got == [f"spec.backoffLimit: json: unsupported value: {text}"]


def test_a_yaml_date_is_text() -> None:
    """A YAML date reaches the API server as a string (kubectl's JSON has no dates)."""
    when = datetime.date(2000, 1, 1)
    assert decode_job(edited([*SPEC, "completions"], when)) == [
        f"spec.completions: {U} string into Go struct field JobSpec.spec.completions of type int32"
    ]
    got = decode_job(edited([*C0, "resources"], {"requests": {"cpu": [when]}}))
    assert got == [
        f'{CTR}[0].resources.requests[cpu]: Invalid value: "[\\"2000-01-01\\"]": '
        f"{QUANTITY_FORMAT_MSG}"
    ]


def test_a_null_map_key_is_refused_where_it_is() -> None:
    # sigs.k8s.io/yaml (kubectl's YAML-to-JSON) has no JSON key for a nil key and refuses the
    # document ("unsupported map key of type"); the API server never sees it.
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "x", "labels": {None: "x"}},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "c", "image": "i", "resources": {"requests": {None: 2}}}
                    ],
                }
            }
        },
    }
    null_key = "a map key is null; kubectl refuses it before sending (sigs.k8s.io/yaml: "
    null_key += "unsupported map key of type <nil>)"
    assert decode_job(manifest) == [
        f"metadata.labels: {null_key}",
        f"spec.template.spec.containers[0].resources.requests: {null_key}",
    ]
