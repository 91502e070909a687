"""Input the API server refuses, and input a strict format refuses, is refused with its place.

Issue 13, parts 3 and 4: one case per example of the issue, each an edit of the valid
``BASE`` of ``test_scenario_errors``, with the exact lines. Messages of the API server are its
own words (upstream sources in each group's comment); jobsim's own rules say what is expected.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from jobsim import load_scenario, simulate
from jobsim.distributions import Exponential, Lognormal
from jobsim.scenario import decode_job
from jobsim.units import MAX_DURATION_SECONDS, canonical_quantity
from tests.helpers import DURATION_EXPECTED, scenario_error, write_file
from tests.test_cli_errors import jobsim, located
from tests.test_scenario_errors import BASE

# content.IsLabelKey / IsLabelValue / IsDNS1123Subdomain (apimachinery), as the API server
# words them (two spaces after each example's comma: Go's loop leaves them).
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
NODE_RESOURCE = (
    "must be a standard resource (cpu, memory, ephemeral-storage, pods, hugepages-<size>) or "
    "an extended resource with a domain prefix (e.g. 'example.com/gpu')"
)
EXIT_RANGE = "is out of range: a container's exit code is 0 to 255 (the status byte of wait(2))"
CTR = "s.yaml:{line}:{col}: jobs[0].manifest: spec.template.spec.containers[0].resources"
RESOURCES = "image: perl\n                resources: "  # line 19 holds the resources mapping


def decode(completions: int) -> str:
    """The API server's JSON decoder on ``spec.completions`` (``encoding/json``
    ``UnmarshalTypeError``: innermost struct, JSON path, Go type)."""
    return (
        f"json: cannot unmarshal number {completions} into Go struct field "
        "JobSpec.spec.completions of type int32"
    )


# (case, edits of BASE as (old, new), the exact lines)
CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    # -- int32/int64: the JSON decoder refuses a number its Go field cannot hold (JobSpec's
    #    counts are *int32, activeDeadlineSeconds and tolerationSeconds *int64); nothing after
    #    decoding runs, as the API server answers 400 before validation.
    (
        "completions 2^31 overflows int32",
        [("backoffLimit: 2", "backoffLimit: 2\n        completions: 2147483648")],
        [f"s.yaml:14:22: jobs[0].manifest: spec.completions: {decode(2147483648)}"],
    ),
    (
        "parallelism 2^31 overflows int32",
        [("backoffLimit: 2", "backoffLimit: 2\n        parallelism: 2147483648")],
        [
            "s.yaml:14:22: jobs[0].manifest: spec.parallelism: json: cannot unmarshal number "
            "2147483648 into Go struct field JobSpec.spec.parallelism of type int32"
        ],
    ),
    (
        "backoffLimit 2^31 overflows int32",
        [("backoffLimit: 2", "backoffLimit: 2147483648")],
        [
            "s.yaml:13:23: jobs[0].manifest: spec.backoffLimit: json: cannot unmarshal number "
            "2147483648 into Go struct field JobSpec.spec.backoffLimit of type int32"
        ],
    ),
    (
        "ttlSecondsAfterFinished 2^31 overflows int32",
        [("backoffLimit: 2", "backoffLimit: 2\n        ttlSecondsAfterFinished: 2147483648")],
        [
            "s.yaml:14:34: jobs[0].manifest: spec.ttlSecondsAfterFinished: json: cannot "
            "unmarshal number 2147483648 into Go struct field "
            "JobSpec.spec.ttlSecondsAfterFinished of type int32"
        ],
    ),
    (
        "backoffLimitPerIndex below -2^31 overflows int32",
        [("backoffLimit: 2", "backoffLimitPerIndex: -2147483649")],
        [
            "s.yaml:13:31: jobs[0].manifest: spec.backoffLimitPerIndex: json: cannot unmarshal "
            "number -2147483649 into Go struct field JobSpec.spec.backoffLimitPerIndex of type "
            "int32"
        ],
    ),
    (
        "activeDeadlineSeconds 2^63 overflows int64",
        [("backoffLimit: 2", "activeDeadlineSeconds: 9223372036854775808")],
        [
            "s.yaml:13:32: jobs[0].manifest: spec.activeDeadlineSeconds: json: cannot unmarshal "
            "number 9223372036854775808 into Go struct field JobSpec.spec.activeDeadlineSeconds "
            "of type int64"
        ],
    ),
    (
        "an exit code value 2^32: the innermost struct, the path without the list index",
        [
            (
                "backoffLimit: 2",
                "podFailurePolicy: {rules: [{action: FailJob, onExitCodes: "
                "{operator: In, values: [4294967296]}}]}",
            )
        ],
        [
            "s.yaml:13:91: jobs[0].manifest: spec.podFailurePolicy.rules[0].onExitCodes"
            ".values[0]: json: cannot unmarshal number 4294967296 into Go struct field "
            "PodFailurePolicyOnExitCodesRequirement.spec.podFailurePolicy.rules.onExitCodes"
            ".values of type int32"
        ],
    ),
    (
        "a scale to 2^31 pods: the Job's parallelism is an int32",
        [("{at: 5s, nodeDown: pool-0}", "{at: 5s, scale: {job: pi, parallelism: 2147483648}}")],
        [
            "s.yaml:24:44: events[0].scale.parallelism: must be less than or equal to "
            "2147483647, got 2147483648"
        ],
    ),
    # -- ValidateResourceRequirements (pkg/apis/core/validation): the bad value is the request
    #    as Quantity.String() prints it, the path the whole requests map.
    (
        "requests.cpu 2 over limits.cpu 1",
        [(RESOURCES[:11], RESOURCES + "{requests: {cpu: 2}, limits: {cpu: 1}}")],
        [
            CTR.format(line=19, col=39) + '.requests: Invalid value: "2": must be less than or '
            "equal to cpu limit of 1"
        ],
    ),
    (
        "a memory request over its limit, both in canonical form",
        [(RESOURCES[:11], RESOURCES + "{requests: {memory: 2048Mi}, limits: {memory: 1024Mi}}")],
        [
            CTR.format(line=19, col=39) + '.requests: Invalid value: "2Gi": must be less than '
            "or equal to memory limit of 1Gi"
        ],
    ),
    (
        "a fractional extended resource (ValidateResourceQuantityValue: 0.5 is 500m)",
        [(RESOURCES[:11], RESOURCES + "{limits: {nvidia.com/gpu: 0.5}}")],
        [
            CTR.format(line=19, col=54) + '.limits[nvidia.com/gpu]: Invalid value: "500m": '
            "must be an integer"
        ],
    ),
    (
        "an extended resource without a limit (it cannot be overcommitted)",
        [(RESOURCES[:11], RESOURCES + "{requests: {nvidia.com/gpu: 1}}")],
        [
            CTR.format(line=19, col=28) + ".limits: Required value: Limit must be set for non "
            "overcommitable resources"
        ],
    ),
    (
        "an extended resource whose request is not its limit",
        [
            (
                RESOURCES[:11],
                RESOURCES + "{requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}",
            )
        ],
        [
            CTR.format(line=19, col=39) + '.requests: Invalid value: "1": must be equal to '
            "nvidia.com/gpu limit of 2"
        ],
    ),
    (
        "a container resource name misspelt (validateContainerResourceName), with a hint",
        [(RESOURCES[:11], RESOURCES + "{requests: {memroy: 1Gi}}")],
        [
            CTR.format(line=19, col=48) + '.requests[memroy]: Invalid value: "memroy": must be '
            "a standard resource type or fully qualified",
            CTR.format(line=19, col=48) + '.requests[memroy]: Invalid value: "memroy": must be '
            "a standard resource for containers (did you mean 'memory'?)",
        ],
    ),
    # -- the cluster: node names, labels and taints (ValidateNode, validateNodeTaints), node
    #    capacity names (jobsim: what a container could request) and amounts
    #    (ValidateNodeResources), PriorityClasses (ValidatePriorityClass, AlreadyExists).
    (
        "a capacity typo is not an extended resource",
        [("memory: 16Gi}", "memory: 16Gi, memroy: 8Gi}")],
        [
            f's.yaml:6:42: cluster.nodePools[0].capacity.memroy: Invalid value: "memroy": '
            f"{NODE_RESOURCE}; did you mean 'memory'?"
        ],
    ),
    (
        "a fractional extended resource on a node",
        [("memory: 16Gi}", "memory: 16Gi, example.com/gpu: 1.5}")],
        [
            "s.yaml:6:59: cluster.nodePools[0].capacity.example.com/gpu: Invalid value: "
            '"1500m": must be an integer'
        ],
    ),
    (
        "an invalid taint key",
        [
            (
                "      count: 2\n",
                "      count: 2\n      taints: [{key: 'a b', effect: NoSchedule}]\n",
            )
        ],
        [f's.yaml:6:22: cluster.nodePools[0].taints[0].key: Invalid value: "a b": {NAME_PART}'],
    ),
    (
        "an invalid taint value",
        [
            (
                "      count: 2\n",
                "      count: 2\n      taints: [{key: a, value: 'x y', effect: NoSchedule}]\n",
            )
        ],
        [f's.yaml:6:32: cluster.nodePools[0].taints[0].value: Invalid value: "x y": {LABEL_VALUE}'],
    ),
    (
        "two taints with the same key and effect",
        [
            (
                "      count: 2\n",
                "      count: 2\n      taints: [{key: a, effect: NoSchedule}, "
                "{key: a, value: b, effect: NoSchedule}]\n",
            )
        ],
        [
            's.yaml:6:46: cluster.nodePools[0].taints[1]: Duplicate value: {"key":"a","value":'
            '"b","effect":"NoSchedule"}: taints must be unique by key and effect pair'
        ],
    ),
    (
        "an invalid label value on a pool",
        [("      count: 2\n", "      count: 2\n      labels: {tier: 'not ok'}\n")],
        [f's.yaml:6:22: cluster.nodePools[0].labels: Invalid value: "not ok": {LABEL_VALUE}'],
    ),
    (
        "an invalid label key on a pool, placed at the key",
        [("      count: 2\n", "      count: 2\n      labels: {'bad key': x}\n")],
        [f's.yaml:6:16: cluster.nodePools[0].labels: Invalid value: "bad key": {NAME_PART}'],
    ),
    (
        "a pool whose last node name is longer than a DNS subdomain",
        [("name: pool", "name: " + "p" * 251), ("count: 2", "count: 100")],
        [
            "s.yaml:4:13: cluster.nodePools[0].name: node metadata.name: Invalid value: "
            f'"{"p" * 251}-99": must be no more than 253 bytes'
        ],
    ),
    (
        "a PriorityClass created twice",
        [
            (
                "\njobs:",
                "\n  priorityClasses: [{name: high, value: 10}, {name: high, value: 20}]\njobs:",
            )
        ],
        [
            "s.yaml:7:53: cluster.priorityClasses[1].name: priorityclasses.scheduling.k8s.io "
            '"high" already exists (also cluster.priorityClasses[0])'
        ],
    ),
    (
        "a PriorityClass name that is not a DNS subdomain",
        [("\njobs:", "\n  priorityClasses: [{name: Urgent_1, value: 10}]\njobs:")],
        [f's.yaml:7:28: cluster.priorityClasses[0].name: Invalid value: "Urgent_1": {SUBDOMAIN}'],
    ),
    (
        "a user PriorityClass above 10^9",
        [("\njobs:", "\n  priorityClasses: [{name: top, value: 1000000001}]\njobs:")],
        [
            "s.yaml:7:40: cluster.priorityClasses[0].value: Forbidden: maximum allowed value of "
            "a user defined priority is 1000000000"
        ],
    ),
    (
        "a system- PriorityClass that is not a built-in one",
        [("\njobs:", "\n  priorityClasses: [{name: system-mine, value: 1}]\njobs:")],
        [
            "s.yaml:7:28: cluster.priorityClasses[0].name: Forbidden: priority class names with "
            "'system-' prefix are reserved for system use only. error: system-mine is not a "
            "known system priority class"
        ],
    ),
    (
        "a built-in PriorityClass declared again",
        [
            (
                "\njobs:",
                "\n  priorityClasses: [{name: system-node-critical, value: 2000001000}]\njobs:",
            )
        ],
        [
            "s.yaml:7:28: cluster.priorityClasses[0].name: priorityclasses.scheduling.k8s.io "
            '"system-node-critical" already exists (a built-in class of every cluster)'
        ],
    ),
    # -- the scenario format: no coercion (pydantic strict types), Go's duration range, exit
    #    codes of one byte, finite positive weights, no YAML-only types.
    (
        "count: true is not one node",
        [("count: 2", "count: true")],
        ["s.yaml:5:14: cluster.nodePools[0].count: expected an integer, got true"],
    ),
    (
        'count: "3" is a string',
        [("count: 2", 'count: "3"')],
        ["s.yaml:5:14: cluster.nodePools[0].count: expected an integer, got '3'"],
    ),
    (
        "count: 2.0 is not an integer",
        [("count: 2", "count: 2.0")],
        ["s.yaml:5:14: cluster.nodePools[0].count: expected an integer, got 2.0"],
    ),
    (
        'seed: "3" is a string',
        [("name: t\n", 'name: t\nseed: "3"\n')],
        ["s.yaml:2:7: seed: expected an integer, got '3'"],
    ),
    (
        'probability: "0.5" is a string',
        [("probability: 0.5", 'probability: "0.5"')],
        [
            "s.yaml:22:30: jobs[0].workload.failure.probability: expected a probability "
            "between 0 and 1, got '0.5'"
        ],
    ),
    (
        "pods: true in a capacity",
        [("memory: 16Gi}", "memory: 16Gi, pods: true}")],
        ["s.yaml:6:48: cluster.nodePools[0].capacity.pods: expected an integer, got true"],
    ),
    (
        "a !!binary name",
        [("name: t\n", "name: !!binary dA==\n")],
        [
            "s.yaml:1:7: the tag !!binary is not allowed: jobsim reads plain YAML values "
            "(strings, numbers, true/false, null, lists and mappings), as JSON has them"
        ],
    ),
    (
        "a !!set of labels",
        [("      count: 2\n", "      count: 2\n      labels: !!set {a, b}\n")],
        [
            "s.yaml:6:15: the tag !!set is not allowed: jobsim reads plain YAML values "
            "(strings, numbers, true/false, null, lists and mappings), as JSON has them"
        ],
    ),
    (
        "a numeric duration past Go's time.Duration",
        [("duration: 10s", "duration: 1.0e+308")],
        [
            "s.yaml:21:17: jobs[0].workload.duration: invalid duration 1e+308: out of range "
            "(more than about 292 years, Go's largest time.Duration 2562047h47m16.854775807s); "
            f"{DURATION_EXPECTED}"
        ],
    ),
    (
        "a numeric event time one second past Go's time.Duration",
        [("at: 5s", "at: 9223372037")],
        [
            "s.yaml:24:10: events[0].at: invalid duration 9223372037: out of range (more than "
            "about 292 years, Go's largest time.Duration 2562047h47m16.854775807s); "
            f"{DURATION_EXPECTED}"
        ],
    ),
    (
        "an infinite horizon",
        [("name: t\n", "name: t\nhorizon: .inf\n")],
        [f"s.yaml:2:10: horizon: invalid duration inf: not a finite number; {DURATION_EXPECTED}"],
    ),
    (
        "a failure's exit code 256",
        [("probability: 0.5}", "probability: 0.5, exitCode: 256}")],
        [f"s.yaml:22:45: jobs[0].workload.failure.exitCode: exit code 256 {EXIT_RANGE}"],
    ),
    (
        "a failure's exit code 300 in a weighted choice",
        [("probability: 0.5}", "probability: 0.5, exitCode: {1: 1, 300: 1}}")],
        [f"s.yaml:22:45: jobs[0].workload.failure.exitCode: exit code 300 {EXIT_RANGE}"],
    ),
    (
        "a failure's exit code -1",
        [("probability: 0.5}", "probability: 0.5, exitCode: -1}")],
        [f"s.yaml:22:45: jobs[0].workload.failure.exitCode: exit code -1 {EXIT_RANGE}"],
    ),
    (
        "an infinite weight",
        [("probability: 0.5}", "probability: 0.5, exitCode: {1: .inf, 2: 1}}")],
        [
            "s.yaml:22:45: jobs[0].workload.failure.exitCode: weight of exit code 1 must be a "
            "finite number greater than 0, got inf"
        ],
    ),
    (
        "a NaN weight",
        [("probability: 0.5}", "probability: 0.5, exitCode: {1: .nan}}")],
        [
            "s.yaml:22:45: jobs[0].workload.failure.exitCode: weight of exit code 1 must be a "
            "finite number greater than 0, got nan"
        ],
    ),
    (
        "a scripted exit code 256",
        [("failure: {probability: 0.5}", "script: [{exitCode: 256}]")],
        [
            "s.yaml:22:27: jobs[0].workload.script[0].exitCode: must be less than or equal to 255, "
            "got 256"
        ],
    ),
    (
        "a scripted exit code of another container, -1",
        [("failure: {probability: 0.5}", "script: [{exitCode: 1, containers: {main: -1}}]")],
        [
            "s.yaml:22:49: jobs[0].workload.script[0].containers.main: must be greater than or "
            "equal to 0, got -1"
        ],
    ),
]


def write(folder: Path, edits: list[tuple[str, str]]) -> Path:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return write_file(folder, text)


def lines_of(folder: Path, path: Path) -> list[str]:
    return [line.replace(f"{folder}/", "") for line in scenario_error(path).lines]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_its_place(
    tmp_path: Path, edits: list[tuple[str, str]], expected: list[str]
) -> None:
    assert lines_of(tmp_path, write(tmp_path, edits)) == expected


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param([("count: 2", "count: 2\n      labels: {tier: batch}")], id="pool-label"),
        pytest.param([("probability: 0.5", "probability: 1")], id="an-int-for-a-float"),
        pytest.param([("at: 5s", "at: 9223372036")], id="just-within-time.Duration"),
        pytest.param(
            [("at: 5s", "at: 2562047h47m16.854775807s")], id="Go's-largest-duration-as-text"
        ),
        pytest.param([("backoffLimit: 2", "backoffLimit: 2147483647")], id="int32-max"),
        pytest.param(
            [("probability: 0.5}", "probability: 0.5, exitCode: {1: 3, 255: 1}}")],
            id="exit-code-255",
        ),
        pytest.param(
            [
                (
                    RESOURCES[:11],
                    RESOURCES + "{requests: {cpu: 500m}, limits: {cpu: 1, example.com/x: 2}}",
                )
            ],
            id="request-under-limit-and-extended-limit-only",
        ),
        pytest.param(
            [("memory: 16Gi}", "memory: 16Gi, example.com/gpu: 2, hugepages-2Mi: 1Gi}")],
            id="extended-and-hugepages-capacity",
        ),
    ],
)
def test_accepted(tmp_path: Path, edits: list[tuple[str, str]]) -> None:
    """Values at the edge of each rule, and an int where a float is meant, are not refused."""
    load_scenario(write(tmp_path, edits))


def test_decode_job_refuses_int32_overflow_alone() -> None:
    """A bare manifest gets the decoder's message too (``kubectl apply`` answers the same)."""
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {
            "completions": 2147483648,
            "template": {
                "spec": {"containers": [{"name": "c", "image": "i"}], "restartPolicy": "Never"}
            },
        },
    }
    assert decode_job(job) == [f"spec.completions: {decode(2147483648)}"]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        # Quantity.String(): DecimalSI with the exponent a multiple of 3 and no trailing zeros;
        # BinarySI kept while whole and at least 1024; a float is read from its repr.
        ("1.5", "1500m"),
        ("2000m", "2"),
        ("1000", "1k"),
        ("1024Mi", "1Gi"),
        ("1536Mi", "1536Mi"),
        ("0.5Ki", "512"),
        ("1e3", "1e3"),
        ("100M", "100M"),
        (0.5, "500m"),
        (2, "2"),
        ("-1", "-1"),
    ],
)
def test_canonical_quantity(written: str | float, canonical: str) -> None:
    assert canonical_quantity(written) == canonical


def test_long_tails_never_exceed_go_durations() -> None:
    """A draw is capped at Go's largest duration, so no time can become infinite."""
    rng = __import__("numpy").random.default_rng(0)
    wild = Lognormal(median=3600, sigma=1000)
    draws = [wild.sample(rng) for _ in range(50)]
    assert max(draws) == float(MAX_DURATION_SECONDS)
    assert all(math.isfinite(d) for d in draws)
    assert Exponential(mean=9e9).sample(rng) <= float(MAX_DURATION_SECONDS)


def test_json_output_never_holds_infinity(tmp_path: Path) -> None:
    """A run whose pod draws a duration of 292 years still writes strict JSON."""
    path = write(tmp_path, [("duration: 10s", "duration: {lognormal: {median: 1h, sigma: 1000}}")])
    text = simulate(load_scenario(path), 0).to_json()

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("command", ["validate", "run"])
def test_validate_and_run_agree(tmp_path: Path, command: str) -> None:
    """Both commands refuse the same input with the same located lines, exit 1."""
    path = write(
        tmp_path,
        [
            ("count: 2", "count: true"),
            ("backoffLimit: 2", "backoffLimit: 2147483648"),
            ("probability: 0.5}", "probability: 0.5, exitCode: 256}"),
        ],
    )
    res = jobsim(command, str(path))
    assert res.returncode == 1, res.stderr
    assert located(res.stderr) == scenario_error(path).lines
    assert len(res.stderr.splitlines()) == 3
