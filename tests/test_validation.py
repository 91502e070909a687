"""Job validation against the API server's rules (v1.36).

Expected messages come from upstream ``pkg/apis/batch/validation`` (validation.go
``ValidateJob`` / ``ValidateJobUpdate``, validation_test.go) and apimachinery's message builders
(``pkg/util/validation/field/errors.go``); manifests are defaulted first, as upstream
``SetDefaults_Job`` (``pkg/apis/batch/v1/defaults.go``) does. Where a case has several errors
the list follows upstream check order.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

import pytest

from jobsim.k8s.defaults import set_defaults
from jobsim.k8s.errors import aggregate_message
from jobsim.k8s.indexes import count_indexes, parse_indexes_strict
from jobsim.k8s.job import Job
from jobsim.k8s.validation import validate_job, validate_job_update, validate_update

DELETE: Final = object()

BASE: Final[dict[str, Any]] = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "myjob", "namespace": "default", "uid": "1a2b3c"},
    "spec": {
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "ctr", "image": "busybox"}],
            }
        }
    },
}


def deep_patch(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into a copy of ``base``: mappings merge, ``DELETE`` removes, else replace."""
    out = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, Mapping):
            current = out.get(key)
            out[key] = deep_patch(current if isinstance(current, dict) else {}, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def merge(*patches: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for p in patches:
        result = deep_patch(result, p)
    return result


def make_job(patch: Mapping[str, Any] | None = None) -> Job:
    return set_defaults(Job.model_validate(deep_patch(BASE, patch or {})))


def messages(patch: Mapping[str, Any]) -> list[str]:
    return [str(e) for e in validate_job(make_job(patch))]


def spec(**fields: Any) -> dict[str, Any]:
    return {"spec": fields}


def pod(**fields: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": fields}}}


def pfp(*rules: Any) -> dict[str, Any]:
    return spec(podFailurePolicy={"rules": list(rules)})


def indexed(completions: int = 5, **fields: Any) -> dict[str, Any]:
    return spec(completionMode="Indexed", completions=completions, **fields)


def succ(*rules: Any, completions: int = 5) -> dict[str, Any]:
    return indexed(completions, successPolicy={"rules": list(rules)})


def exit_rule(operator: str | None, values: Any = DELETE, **extra: Any) -> dict[str, Any]:
    on_exit: dict[str, Any] = {} if operator is None else {"operator": operator}
    if values is not DELETE:
        on_exit["values"] = values
    return {"action": extra.pop("action", "FailJob"), "onExitCodes": on_exit | extra}


# Message fragments, verbatim from the reference / apimachinery.
SUBDOMAIN_MSG: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS_LABEL_MSG: Final = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE_MSG: Final = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_PART_MSG: Final = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
NONNEG: Final = "must be greater than or equal to 0"
GEN_LABELS: Final = (
    '"batch.kubernetes.io/controller-uid":"1a2b3c","batch.kubernetes.io/job-name":"myjob",'
    '"controller-uid":"1a2b3c","job-name":"myjob"'
)
NO_MATCH: Final = "`selector` does not match template `labels`"
RP_REQUIRED: Final = (
    'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'
)
PF: Final = "spec.podFailurePolicy.rules[0]"
SP: Final = "spec.successPolicy.rules[0]"
SI: Final = f"{SP}.succeededIndexes"
MFI: Final = "spec.maxFailedIndexes"
HIGH: Final = "when completions are above 100000 and used with backoff limit per index"
LONG_NAME: Final = "a" * 64
HUGE_NAME: Final = "a" * 254
NAME62: Final = "a" * 62
LONG_INDEXES: Final = "1" * 65537


def _index_error(text: str, err: str, completions: int = 6) -> Any:
    return pytest.param(
        succ({"succeededIndexes": text}, completions=completions),
        [f'{SI}: Invalid value: "{text}": error parsing succeededIndexes: {err}'],
        id=f"succeededIndexes-{text!r}-c{completions}",
    )


INVALID: Final = [
    # --- metadata (ValidateObjectMeta; Indexed hostname check in ValidateJob) ------------------
    pytest.param(
        {"metadata": {"name": "MyJob"}},
        [f'metadata.name: Invalid value: "MyJob": {SUBDOMAIN_MSG}'],
        id="name-uppercase",
    ),
    pytest.param(
        {"metadata": {"name": DELETE}},
        ["metadata.name: Required value: name or generateName is required"],
        id="name-missing",
    ),
    pytest.param(
        {"metadata": {"name": LONG_NAME}},
        [f'spec.template.labels: Invalid value: "{LONG_NAME}": must be no more than 63 bytes'] * 2,
        id="name-64-chars-generated-label-too-long",
    ),
    pytest.param(
        {"metadata": {"name": HUGE_NAME}},
        [f'metadata.name: Invalid value: "{HUGE_NAME}": must be no more than 253 bytes']
        + [f'spec.template.labels: Invalid value: "{HUGE_NAME}": must be no more than 63 bytes']
        * 2,
        id="name-254-chars",
    ),
    pytest.param(
        {"metadata": {"namespace": "Bad_NS"}},
        [f'metadata.namespace: Invalid value: "Bad_NS": {DNS_LABEL_MSG}'],
        id="namespace-not-dns-label",
    ),
    pytest.param(
        {"metadata": {"labels": {"app": "x" * 64}}},
        [f'metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 bytes'],
        id="job-label-value-too-long",
    ),
    pytest.param(
        {"metadata": {"labels": {"bad key": "v"}}},
        [f'metadata.labels: Invalid value: "bad key": {NAME_PART_MSG}'],
        id="job-label-key-invalid",
    ),
    pytest.param(
        {"metadata": {"labels": {"app": "-bad"}}},
        [f'metadata.labels: Invalid value: "-bad": {LABEL_VALUE_MSG}'],
        id="job-label-value-invalid",
    ),
    pytest.param(
        {"metadata": {"annotations": {"/foo": "x"}}},
        ['metadata.annotations: Invalid value: "/foo": prefix part must be non-empty'],
        id="annotation-key-empty-prefix",
    ),
    pytest.param(
        {"spec": {"template": {"metadata": {"labels": {"app": "-bad"}}}}},
        [
            f'metadata.labels: Invalid value: "-bad": {LABEL_VALUE_MSG}',
            f'spec.template.labels: Invalid value: "-bad": {LABEL_VALUE_MSG}',
        ],
        id="template-label-invalid-copied-to-job-labels",
    ),
    pytest.param(
        merge({"metadata": {"name": NAME62}}, indexed(10)),
        [
            f'metadata.name: Invalid value: "{NAME62}": will not able to create pod with invalid '
            f"DNS label: {NAME62}-9"
        ],
        id="indexed-hostname-too-long",
    ),
    pytest.param(
        merge({"metadata": {"name": "my.job"}}, indexed(1)),
        [
            'metadata.name: Invalid value: "my.job": will not able to create pod with invalid '
            "DNS label: my.job-0"
        ],
        id="indexed-hostname-with-dot",
    ),
    # --- selector / generated labels (validateGeneratedSelector, ValidateHasLabel) ----------
    pytest.param(
        spec(selector={"matchLabels": {"a": "b"}}),
        [
            'spec.selector: Invalid value: {"matchLabels":{"a":"b",'
            '"batch.kubernetes.io/controller-uid":"1a2b3c"}}: `selector` not auto-generated',
            f"spec.template.metadata.labels: Invalid value: {{{GEN_LABELS}}}: {NO_MATCH}",
        ],
        id="generated-selector-with-extra-matchLabel",
    ),
    pytest.param(
        {"spec": {"template": {"metadata": {"labels": {"job-name": "other"}}}}},
        [
            "spec.template.metadata.labels[job-name]: Invalid value: "
            '{"batch.kubernetes.io/controller-uid":"1a2b3c","batch.kubernetes.io/job-name":"myjob",'
            '"controller-uid":"1a2b3c","job-name":"other"}: must be \'myjob\''
        ],
        id="user-job-name-label-mismatch",
    ),
    pytest.param(
        {
            "spec": {
                "template": {"metadata": {"labels": {"batch.kubernetes.io/controller-uid": "x"}}}
            }
        },
        [
            "spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Invalid value: "
            '{"batch.kubernetes.io/controller-uid":"x","batch.kubernetes.io/job-name":"myjob",'
            '"controller-uid":"1a2b3c","job-name":"myjob"}: must be \'1a2b3c\'',
            "spec.template.metadata.labels: Invalid value: "
            '{"batch.kubernetes.io/controller-uid":"x","batch.kubernetes.io/job-name":"myjob",'
            f'"controller-uid":"1a2b3c","job-name":"myjob"}}: {NO_MATCH}',
        ],
        id="user-prefixed-controller-uid-mismatch",
    ),
    pytest.param(
        spec(manualSelector=True),
        [
            "spec.selector: Required value",
            f"spec.template.metadata.labels: Invalid value: null: {NO_MATCH}",
        ],
        id="manual-selector-missing",
    ),
    pytest.param(
        merge(
            spec(manualSelector=True, selector={"matchLabels": {"a": "b"}}),
            {"spec": {"template": {"metadata": {"labels": {"y": "z"}}}}},
        ),
        [f'spec.template.metadata.labels: Invalid value: {{"y":"z"}}: {NO_MATCH}'],
        id="manual-selector-does-not-match-template",
    ),
    pytest.param(
        merge(
            spec(
                manualSelector=True,
                selector={"matchExpressions": [{"key": "a", "operator": "Foo", "values": ["b"]}]},
            ),
            {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
        ),
        [
            'spec.selector.matchExpressions[0].operator: Invalid value: "Foo": '
            "not a valid selector operator"
        ],
        id="selector-bad-operator",
    ),
    pytest.param(
        merge(
            spec(
                manualSelector=True,
                selector={"matchExpressions": [{"key": "a", "operator": "In"}]},
            ),
            {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
        ),
        [
            "spec.selector.matchExpressions[0].values: Required value: "
            "must be specified when `operator` is 'In' or 'NotIn'"
        ],
        id="selector-in-without-values",
    ),
    pytest.param(
        merge(
            spec(
                manualSelector=True,
                selector={
                    "matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]
                },
            ),
            {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
        ),
        [
            "spec.selector.matchExpressions[0].values: Forbidden: "
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        ],
        id="selector-exists-with-values",
    ),
    pytest.param(
        merge(
            spec(manualSelector=True, selector={"matchLabels": {"a": "-b"}}),
            {"spec": {"template": {"metadata": {"labels": {"a": "-b"}}}}},
        ),
        [
            f'metadata.labels: Invalid value: "-b": {LABEL_VALUE_MSG}',
            f'spec.template.labels: Invalid value: "-b": {LABEL_VALUE_MSG}',
            f'spec.selector.matchLabels: Invalid value: "-b": {LABEL_VALUE_MSG}',
        ],
        id="manual-selector-invalid-label-value-everywhere",
    ),
    # --- counts (validateJobSpec, ValidateNonnegativeField) -------------------------------------
    pytest.param(
        spec(parallelism=-1),
        [f"spec.parallelism: Invalid value: -1: {NONNEG}"],
        id="parallelism-neg",
    ),
    pytest.param(
        spec(completions=-1),
        [f"spec.completions: Invalid value: -1: {NONNEG}"],
        id="completions-neg",
    ),
    pytest.param(
        spec(activeDeadlineSeconds=-1),
        [f"spec.activeDeadlineSeconds: Invalid value: -1: {NONNEG}"],
        id="activeDeadlineSeconds-neg",
    ),
    pytest.param(
        spec(backoffLimit=-1),
        [f"spec.backoffLimit: Invalid value: -1: {NONNEG}"],
        id="backoffLimit-neg",
    ),
    pytest.param(
        spec(ttlSecondsAfterFinished=-1),
        [f"spec.ttlSecondsAfterFinished: Invalid value: -1: {NONNEG}"],
        id="ttl-neg",
    ),
    pytest.param(
        indexed(3, backoffLimitPerIndex=-1),
        [f"spec.backoffLimitPerIndex: Invalid value: -1: {NONNEG}"],
        id="backoffLimitPerIndex-neg",
    ),
    pytest.param(
        indexed(3, backoffLimitPerIndex=1, maxFailedIndexes=-1),
        [f"spec.maxFailedIndexes: Invalid value: -1: {NONNEG}"],
        id="maxFailedIndexes-neg",
    ),
    pytest.param(
        indexed(3, maxFailedIndexes=1),
        ["spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"],
        id="maxFailedIndexes-without-backoffLimitPerIndex",
    ),
    pytest.param(
        spec(backoffLimitPerIndex=1),
        ["spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"],
        id="backoffLimitPerIndex-nonindexed",
    ),
    pytest.param(
        spec(backoffLimitPerIndex=1, maxFailedIndexes=1),
        [
            "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
            "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode",
        ],
        id="per-index-fields-nonindexed",
    ),
    pytest.param(
        spec(parallelism=-1, completions=-2, backoffLimit=-3),
        [
            f"spec.parallelism: Invalid value: -1: {NONNEG}",
            f"spec.completions: Invalid value: -2: {NONNEG}",
            f"spec.backoffLimit: Invalid value: -3: {NONNEG}",
        ],
        id="several-negative-counts-in-order",
    ),
    # --- managedBy (validateJobSpec, IsDomainPrefixedPath) --------------------------------------
    pytest.param(
        spec(managedBy="invalid custom controller name"),
        [
            'spec.managedBy: Invalid value: "invalid custom controller name": must be a '
            'domain-prefixed path (such as "acme.io/foo")'
        ],
        id="managedBy-not-a-path",
    ),
    pytest.param(spec(managedBy=""), ["spec.managedBy: Required value"], id="managedBy-empty"),
    pytest.param(
        spec(managedBy="example.com/" + "x" * 60),
        ["spec.managedBy: Too long: may not be more than 63 bytes"],
        id="managedBy-too-long",
    ),
    pytest.param(
        spec(managedBy="Example.com/foo"),
        [f'spec.managedBy: Invalid value: "Example.com": {SUBDOMAIN_MSG}'],
        id="managedBy-bad-host",
    ),
    pytest.param(
        spec(managedBy="example.com/foo bar"),
        [
            'spec.managedBy: Invalid value: "foo bar": Invalid path (regex used for validation '
            "is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"
        ],
        id="managedBy-bad-path",
    ),
    # --- completionMode and Indexed limits (validateJobSpec) ------------------------------------
    pytest.param(
        spec(completionMode="Foo"),
        [
            'spec.completionMode: Unsupported value: "Foo": supported values: "NonIndexed", '
            '"Indexed"'
        ],
        id="completionMode-unknown",
    ),
    pytest.param(
        spec(completionMode=""),
        ['spec.completionMode: Unsupported value: "": supported values: "NonIndexed", "Indexed"'],
        id="completionMode-empty",
    ),
    pytest.param(
        spec(completionMode="Indexed", parallelism=2),
        ["spec.completions: Required value: when completion mode is Indexed"],
        id="indexed-without-completions",
    ),
    pytest.param(
        indexed(2, parallelism=100001),
        [
            "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when "
            "completion mode is Indexed"
        ],
        id="indexed-parallelism-cap",
    ),
    pytest.param(
        indexed(10, backoffLimitPerIndex=1, maxFailedIndexes=11),
        ["spec.maxFailedIndexes: Invalid value: 11: must be less than or equal to completions"],
        id="maxFailedIndexes-above-completions",
    ),
    pytest.param(
        indexed(100_001, backoffLimitPerIndex=1),
        [
            "spec.maxFailedIndexes: Required value: must be specified when completions is "
            "above 100000"
        ],
        id="high-completions-need-maxFailedIndexes",
    ),
    pytest.param(
        indexed(100_001, parallelism=50_000, backoffLimitPerIndex=1, maxFailedIndexes=1),
        [f"spec.parallelism: Invalid value: 50000: must be less than or equal to 10000 {HIGH}"],
        id="high-completions-parallelism-cap",
    ),
    pytest.param(
        indexed(100_001, backoffLimitPerIndex=1, maxFailedIndexes=100_001),
        [
            "spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 100000",
            f"{MFI}: Invalid value: 100001: must be less than or equal to 10000 {HIGH}",
        ],
        id="maxFailedIndexes-both-caps",
    ),
    pytest.param(
        indexed(100_001, backoffLimitPerIndex=1, maxFailedIndexes=50_000),
        [f"{MFI}: Invalid value: 50000: must be less than or equal to 10000 {HIGH}"],
        id="high-completions-maxFailedIndexes-cap",
    ),
    # --- podFailurePolicy (validatePodFailurePolicy, validatePodFailurePolicyRule) ------------
    pytest.param(
        pfp({"action": "FailJob"}),
        [f"{PF}: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"],
        id="pfp-rule-without-requirement",
    ),
    pytest.param(
        pfp(exit_rule("In", [11, 11])),
        [f"{PF}.onExitCodes.values[1]: Duplicate value: 11"],
        id="pfp-duplicate-exit-code",
    ),
    pytest.param(
        pfp(exit_rule("In", [12, 13, 13, 13])),
        [
            f"{PF}.onExitCodes.values[2]: Duplicate value: 13",
            f"{PF}.onExitCodes.values[3]: Duplicate value: 13",
        ],
        id="pfp-every-repeat-reported",
    ),
    pytest.param(
        pfp(exit_rule("In", [19, 11])),
        [f"{PF}.onExitCodes.values: Invalid value: [19,11]: must be ordered"],
        id="pfp-unordered-exit-codes",
    ),
    pytest.param(
        pfp(exit_rule("In", [])),
        [f"{PF}.onExitCodes.values: Invalid value: []: at least one value is required"],
        id="pfp-empty-exit-codes",
    ),
    pytest.param(
        pfp(exit_rule("In")),
        [f"{PF}.onExitCodes.values: Invalid value: null: at least one value is required"],
        id="pfp-omitted-exit-codes",
    ),
    pytest.param(
        pfp({"onExitCodes": {"operator": "In", "values": [1, 2, 3]}}),
        [f'{PF}.action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'],
        id="pfp-action-missing",
    ),
    pytest.param(
        pfp(exit_rule(None, [1, 2, 3])),
        [f'{PF}.onExitCodes.operator: Required value: valid values: ["In" "NotIn"]'],
        id="pfp-operator-missing",
    ),
    pytest.param(
        pfp(
            exit_rule("In", [1, 2, 3], containerName="ctr")
            | {"onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
        ),
        [f"{PF}: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported"],
        id="pfp-both-requirements",
    ),
    pytest.param(
        pfp(exit_rule("In", [1, 0, 2], action="Ignore")),
        [
            f"{PF}.onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
            f"{PF}.onExitCodes.values: Invalid value: [1,0,2]: must be ordered",
        ],
        id="pfp-zero-with-in",
    ),
    pytest.param(
        pfp(
            exit_rule("In", [1, 2, 3], action="Ignore", containerName="ctr"),
            exit_rule("In", [5, 6, 7], containerName="xyz"),
        ),
        [
            'spec.podFailurePolicy.rules[1].onExitCodes.containerName: Invalid value: "xyz": '
            "must be one of the container or initContainer names in the pod template"
        ],
        id="pfp-unknown-container",
    ),
    pytest.param(
        pfp(exit_rule("In", [1, 2, 3], action="UnknownAction", containerName="ctr")),
        [
            f'{PF}.action: Unsupported value: "UnknownAction": supported values: "Count", '
            '"FailIndex", "FailJob", "Ignore"'
        ],
        id="pfp-unknown-action",
    ),
    pytest.param(
        pfp(exit_rule("UnknownOperator", [1, 2, 3], action="Ignore")),
        [
            f'{PF}.onExitCodes.operator: Unsupported value: "UnknownOperator": supported values: '
            '"In", "NotIn"'
        ],
        id="pfp-unknown-operator",
    ),
    pytest.param(
        pfp(
            {
                "action": "Ignore",
                "onPodConditions": [{"type": "DisruptionTarget", "status": "UnknownStatus"}],
            }
        ),
        [
            f'{PF}.onPodConditions[0].status: Unsupported value: "UnknownStatus": supported '
            'values: "False", "True", "Unknown"'
        ],
        id="pfp-unknown-condition-status",
    ),
    pytest.param(
        pfp(
            {
                "action": "Ignore",
                "onPodConditions": [{"type": "Invalid Condition Type", "status": "True"}],
            }
        ),
        [f'{PF}.onPodConditions[0].type: Invalid value: "Invalid Condition Type": {NAME_PART_MSG}'],
        id="pfp-bad-condition-type",
    ),
    pytest.param(
        pfp({"action": "Ignore", "onPodConditions": [{"type": "", "status": "True"}]}),
        [
            f'{PF}.onPodConditions[0].type: Invalid value: "": name part must be non-empty',
            f'{PF}.onPodConditions[0].type: Invalid value: "": {NAME_PART_MSG}',
        ],
        id="pfp-empty-condition-type",
    ),
    pytest.param(
        pfp(exit_rule("In", [10], action="FailIndex")),
        [f'{PF}.action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set'],
        id="pfp-failindex-without-backoffLimitPerIndex",
    ),
    pytest.param(
        pfp(*[exit_rule("In", [i + 1]) for i in range(21)]),
        ["spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items"],
        id="pfp-too-many-rules",
    ),
    pytest.param(
        pfp(
            {
                "action": "FailJob",
                "onPodConditions": [
                    {"type": f"CustomType_{i}", "status": "True"} for i in range(21)
                ],
            }
        ),
        [f"{PF}.onPodConditions: Too many: 21: must have at most 20 items"],
        id="pfp-too-many-patterns",
    ),
    pytest.param(
        pfp(exit_rule("In", list(range(1, 257)))),
        [f"{PF}.onExitCodes.values: Too many: 256: must have at most 255 items"],
        id="pfp-too-many-exit-codes",
    ),
    pytest.param(
        merge(pfp(), pod(restartPolicy="OnFailure")),
        [
            'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is '
            "supported when podFailurePolicy is specified"
        ],
        id="pfp-requires-never",
    ),
    pytest.param(
        merge(
            pfp({"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}),
            spec(podReplacementPolicy="TerminatingOrFailed"),
        ),
        [
            'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported '
            'values: "Failed"'
        ],
        id="pfp-requires-replacement-failed",
    ),
    # --- successPolicy (validateSuccessPolicy, validateSuccessPolicyRule) ---------------------
    pytest.param(
        spec(successPolicy={"rules": []}),
        ['spec.successPolicy: Invalid value: {"Rules":[]}: requires indexed completion mode'],
        id="successPolicy-nonindexed-empty",
    ),
    pytest.param(
        spec(successPolicy={"rules": [{"succeededIndexes": "0-2"}]}),
        [
            'spec.successPolicy: Invalid value: {"Rules":[{"SucceededIndexes":"0-2",'
            '"SucceededCount":null}]}: requires indexed completion mode'
        ],
        id="successPolicy-nonindexed-with-rule",
    ),
    pytest.param(
        indexed(5, successPolicy={}),
        [
            "spec.successPolicy.rules: Required value: at least one rules must be specified when "
            "the successPolicy is specified"
        ],
        id="successPolicy-no-rules",
    ),
    pytest.param(
        succ({}),
        [
            f"{SP}: Required value: at least one of succeededCount or succeededIndexes must be "
            "specified"
        ],
        id="successPolicy-empty-rule",
    ),
    pytest.param(
        succ({"succeededIndexes": "invalid-format"}),
        [
            f'{SI}: Invalid value: "invalid-format": error parsing succeededIndexes: cannot '
            'convert string to integer for index: "invalid"'
        ],
        id="successPolicy-invalid-format",
    ),
    pytest.param(
        succ({"succeededIndexes": LONG_INDEXES}),
        [
            f"{SI}: Too long: may not be more than 65536 bytes",
            f'{SI}: Invalid value: "{LONG_INDEXES}": error parsing succeededIndexes: cannot '
            f'convert string to integer for index: "{LONG_INDEXES}"',
        ],
        id="successPolicy-indexes-too-long",
    ),
    pytest.param(
        succ({"succeededCount": -1}),
        [f"{SP}.succeededCount: Invalid value: -1: {NONNEG}"],
        id="successPolicy-negative-count",
    ),
    pytest.param(
        succ({"succeededCount": 6}),
        [
            f"{SP}.succeededCount: Invalid value: 6: must be less than or equal to 5 (the number "
            "of specified completions)"
        ],
        id="successPolicy-count-above-completions",
    ),
    pytest.param(
        succ({"succeededCount": 4, "succeededIndexes": "0-2"}),
        [
            f"{SP}.succeededCount: Invalid value: 4: must be less than or equal to 3 (the number "
            "of indexes in the specified succeededIndexes field)"
        ],
        id="successPolicy-count-above-indexes",
    ),
    pytest.param(
        succ({"succeededCount": 1, "succeededIndexes": ""}),
        [
            f"{SP}.succeededCount: Invalid value: 1: must be less than or equal to 0 (the number "
            "of indexes in the specified succeededIndexes field)"
        ],
        id="successPolicy-empty-indexes-with-count",
    ),
    pytest.param(
        succ(*[{"succeededCount": 5}] * 21),
        ["spec.successPolicy.rules: Too many: 21: must have at most 20 items"],
        id="successPolicy-too-many-rules",
    ),
    pytest.param(
        spec(
            completionMode="Indexed",
            parallelism=2,
            successPolicy={"rules": [{"succeededIndexes": "0"}]},
        ),
        ["spec.completions: Required value: when completion mode is Indexed"],
        id="successPolicy-indexed-without-completions",
    ),
    _index_error("0,1-3, 5", 'cannot convert string to integer for index: " 5"'),
    _index_error("0,1-3,5", 'too large index: "5"', completions=5),
    _index_error("1-3,0,5", "non-increasing order, previous: 3, current: 0"),
    _index_error("0,0,5", "non-increasing order, previous: 0, current: 0"),
    _index_error("0,1-1,5", "non-increasing order, previous: 1, current: 1"),
    _index_error("-1,0", 'cannot convert string to integer for index: ""'),
    _index_error("0,1-", 'cannot convert string to integer for index: ""'),
    _index_error(
        "0,1--3",
        'the fragment "1--3" violates the requirement that an index interval can have at most '
        "two parts separated by '-'",
    ),
    _index_error("0,,1,3", 'cannot convert string to integer for index: ""'),
    # --- podReplacementPolicy, restartPolicy, pod template (validateJobSpec) ----------------
    pytest.param(
        spec(podReplacementPolicy=""),
        [
            'spec.podReplacementPolicy: Unsupported value: "": supported values: "Failed", '
            '"TerminatingOrFailed"'
        ],
        id="podReplacementPolicy-empty",
    ),
    pytest.param(
        spec(podReplacementPolicy="Foo"),
        [
            'spec.podReplacementPolicy: Unsupported value: "Foo": supported values: "Failed", '
            '"TerminatingOrFailed"'
        ],
        id="podReplacementPolicy-unknown",
    ),
    pytest.param(pod(restartPolicy=DELETE), [RP_REQUIRED], id="restartPolicy-omitted"),
    pytest.param(pod(restartPolicy="Always"), [RP_REQUIRED], id="restartPolicy-always"),
    pytest.param(
        pod(restartPolicy="Invalid"),
        [
            'spec.template.spec.restartPolicy: Unsupported value: "Invalid": supported values: '
            '"Always", "OnFailure", "Never"',
            'spec.template.spec.restartPolicy: Unsupported value: "Invalid": supported values: '
            '"OnFailure", "Never"',
        ],
        id="restartPolicy-unknown",
    ),
    pytest.param(
        pod(containers=[]), ["spec.template.spec.containers: Required value"], id="no-containers"
    ),
    pytest.param(
        pod(containers=[], restartPolicy=DELETE),
        ["spec.template.spec.containers: Required value", RP_REQUIRED],
        id="no-containers-no-restartPolicy",
    ),
    pytest.param(
        pod(containers=[{"name": "Bad_Name", "image": "busybox"}]),
        [f'spec.template.spec.containers[0].name: Invalid value: "Bad_Name": {DNS_LABEL_MSG}'],
        id="container-name-invalid",
    ),
    pytest.param(
        pod(containers=[{"name": "my.ctr", "image": "busybox"}]),
        ['spec.template.spec.containers[0].name: Invalid value: "my.ctr": must not contain dots'],
        id="container-name-with-dot",
    ),
    pytest.param(
        pod(containers=[{"name": "", "image": "busybox"}]),
        ["spec.template.spec.containers[0].name: Required value"],
        id="container-name-empty",
    ),
    pytest.param(
        pod(containers=[{"name": "ctr", "image": "a"}, {"name": "ctr", "image": "b"}]),
        ['spec.template.spec.containers[1].name: Duplicate value: "ctr"'],
        id="container-name-duplicate",
    ),
    pytest.param(
        pod(initContainers=[{"name": "ctr", "image": "busybox"}]),
        ['spec.template.spec.initContainers[0].name: Duplicate value: "ctr"'],
        id="init-container-name-clash",
    ),
    pytest.param(
        pod(containers=[{"name": "ctr"}]),
        ["spec.template.spec.containers[0].image: Required value"],
        id="container-image-missing",
    ),
    pytest.param(
        pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}]),
        [
            "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not "
            "allowed in pod template"
        ],
        id="ephemeral-containers-in-template",
    ),
    pytest.param(
        pod(containers=[{"name": "ctr", "image": "busybox", "imagePullPolicy": "Sometimes"}]),
        [
            'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": '
            'supported values: "Always", "IfNotPresent", "Never"'
        ],
        id="imagePullPolicy-unknown",
    ),
    pytest.param(
        pod(activeDeadlineSeconds=0),
        [
            "spec.template.spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and "
            "2147483647, inclusive"
        ],
        id="pod-activeDeadlineSeconds-zero",
    ),
    pytest.param(
        pod(nodeSelector={"disk": "-ssd"}),
        [f'spec.template.spec.nodeSelector: Invalid value: "-ssd": {LABEL_VALUE_MSG}'],
        id="nodeSelector-invalid-value",
    ),
    pytest.param(
        pod(tolerations=[{"key": "k", "operator": "Exists", "value": "v"}]),
        [
            'spec.template.spec.tolerations[0].operator: Invalid value: "v": value must be empty '
            "when `operator` is 'Exists'"
        ],
        id="toleration-exists-with-value",
    ),
    # --- several sections at once: upstream order ---------------------------------------------
    pytest.param(
        merge(
            {"metadata": {"name": "MyJob"}},
            spec(parallelism=-1, managedBy=""),
            pod(restartPolicy="Always"),
        ),
        [
            f'metadata.name: Invalid value: "MyJob": {SUBDOMAIN_MSG}',
            f"spec.parallelism: Invalid value: -1: {NONNEG}",
            "spec.managedBy: Required value",
            RP_REQUIRED,
        ],
        id="errors-from-several-sections",
    ),
]


@pytest.mark.parametrize(("patch", "expected"), INVALID)
def test_invalid_manifest(patch: dict[str, Any], expected: list[str]) -> None:
    assert messages(patch) == expected


VALID: Final = [
    pytest.param({}, id="base"),
    pytest.param(spec(activeDeadlineSeconds=0), id="activeDeadlineSeconds-zero"),
    pytest.param(spec(completions=0), id="completions-zero"),
    pytest.param(spec(parallelism=0), id="parallelism-zero"),
    pytest.param(spec(backoffLimit=0), id="backoffLimit-zero"),
    pytest.param(spec(backoffLimit=2147483647), id="backoffLimit-no-upper-bound"),
    pytest.param(spec(completions=2, parallelism=100000), id="parallelism-above-completions"),
    pytest.param(indexed(2, parallelism=100000), id="indexed-parallelism-at-cap"),
    pytest.param(succ({"succeededIndexes": ""}), id="empty-succeededIndexes"),
    pytest.param(succ({"succeededCount": 0}), id="succeededCount-zero"),
    pytest.param(
        succ(
            {"succeededCount": 1, "succeededIndexes": "0,2,4"},
            {"succeededIndexes": "1,3,5-9"},
            completions=10,
        ),
        id="successPolicy-upstream-example",
    ),
    pytest.param(
        succ({"succeededIndexes": "0,1-3,5,7-10", "succeededCount": 9}, completions=12),
        id="succeededIndexes-count-equals-total",
    ),
    pytest.param(succ({"succeededIndexes": "+1,02"}), id="succeededIndexes-atoi-sign-and-zero"),
    pytest.param(
        pfp(exit_rule("NotIn", [-1073741819, -1073741676, -1073741510])),
        id="negative-exit-codes",
    ),
    pytest.param(pfp(exit_rule("In", [256, 1000])), id="exit-codes-above-255"),
    pytest.param(pfp(), id="pfp-no-rules"),
    pytest.param(
        pfp({"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}),
        id="pfp-condition-status-defaulted",
    ),
    pytest.param(
        merge(indexed(2, backoffLimitPerIndex=1), pfp(exit_rule("In", [10], action="FailIndex"))),
        id="pfp-failindex-with-backoffLimitPerIndex",
    ),
    pytest.param(spec(manualSelector=True, selector={}), id="manual-selector-empty-matches-all"),
    pytest.param(
        merge(
            spec(manualSelector=True, selector={"matchLabels": {"a": "b"}}),
            {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
        ),
        id="manual-selector-matching",
    ),
    pytest.param(
        indexed(100_000, parallelism=100_000, maxFailedIndexes=100_000, backoffLimitPerIndex=1),
        id="indexed-at-soft-limit",
    ),
    pytest.param(
        indexed(1_000_000_000, parallelism=10_000, maxFailedIndexes=10_000, backoffLimitPerIndex=1),
        id="indexed-huge-completions",
    ),
    pytest.param(spec(managedBy="example.com/foo"), id="managedBy-custom"),
    pytest.param(spec(managedBy="kubernetes.io/job-controller"), id="managedBy-builtin"),
    pytest.param({"metadata": {"name": "my.job"}}, id="name-with-dot-nonindexed-warning-only"),
    pytest.param({"metadata": {"name": "a" * 63}}, id="name-63-chars"),
    pytest.param(
        merge(indexed(3, backoffLimitPerIndex=1), pod(restartPolicy="OnFailure")),
        id="backoffLimitPerIndex-with-onfailure-not-enforced",
    ),
    pytest.param(spec(podReplacementPolicy="TerminatingOrFailed"), id="replacement-explicit"),
    pytest.param(spec(suspend=True), id="suspended"),
]


@pytest.mark.parametrize("patch", VALID)
def test_valid_manifest(patch: dict[str, Any]) -> None:
    assert messages(patch) == []


# --- index-list grammar (validateIndexesFormat, parseIndexInterval) ----------------------------


@pytest.mark.parametrize(
    ("text", "completions", "count"),
    [("", 6, 0), ("1-3", 6, 3), ("0,1-3,5,7-10", 12, 9), ("+1,02", 6, 2)],
)
def test_parse_indexes_valid(text: str, completions: int, count: int) -> None:
    intervals, err = parse_indexes_strict(text, completions)
    assert err is None
    assert count_indexes(intervals) == count


def test_parse_indexes_error_returns_no_intervals() -> None:
    assert parse_indexes_strict("1-3,0,5", 6) == (
        [],
        "non-increasing order, previous: 3, current: 0",
    )


# --- update rules (ValidateJobUpdate, ValidateJobSpecUpdate) ---------------------------------


def update_messages(
    old_patch: Mapping[str, Any], new_patch: Mapping[str, Any], **kwargs: Any
) -> list[str]:
    old, new = make_job(old_patch), make_job(new_patch)
    return [str(e) for e in validate_job_update(old, new, **kwargs)]


SUSPENDED: Final = spec(suspend=True)


@pytest.mark.parametrize(
    ("old_patch", "new_patch", "kwargs", "expected"),
    [
        pytest.param(
            spec(parallelism=5, activeDeadlineSeconds=2, ttlSecondsAfterFinished=1),
            spec(
                parallelism=2,
                activeDeadlineSeconds=3,
                ttlSecondsAfterFinished=2,
                backoffLimit=1,
                suspend=True,
            ),
            {},
            [],
            id="mutable-fields",
        ),
        pytest.param(
            spec(completions=2),
            spec(completions=4),
            {},
            ["spec.completions: Invalid value: 4: field is immutable"],
            id="nonindexed-completions-immutable",
        ),
        pytest.param(
            indexed(1, parallelism=1),
            indexed(2, parallelism=3),
            {},
            [
                "spec.completions: Invalid value: 2: can only be modified in tandem with "
                "spec.parallelism"
            ],
            id="indexed-completions-not-in-tandem",
        ),
        pytest.param(
            indexed(1, parallelism=2), indexed(3, parallelism=3), {}, [], id="indexed-in-tandem"
        ),
        pytest.param(
            indexed(2, parallelism=2),
            indexed(2, parallelism=3),
            {},
            [],
            id="indexed-parallelism-only",
        ),
        pytest.param(
            indexed(1, parallelism=1),
            spec(completionMode="Indexed", parallelism=3),
            {},
            ["spec.completions: Required value: when completion mode is Indexed"],
            id="indexed-completions-to-nil",
        ),
        pytest.param(
            indexed(2),
            spec(completionMode="NonIndexed", completions=2),
            {},
            ['spec.completionMode: Invalid value: "NonIndexed": field is immutable'],
            id="completionMode-immutable",
        ),
        pytest.param(
            {},
            spec(managedBy="example.com/custom-controller"),
            {},
            ['spec.managedBy: Invalid value: "example.com/custom-controller": field is immutable'],
            id="managedBy-set",
        ),
        pytest.param(
            indexed(3, backoffLimitPerIndex=1),
            indexed(3, backoffLimitPerIndex=2),
            {},
            ["spec.backoffLimitPerIndex: Invalid value: 2: field is immutable"],
            id="backoffLimitPerIndex-immutable",
        ),
        pytest.param(
            indexed(3, backoffLimitPerIndex=1, maxFailedIndexes=1),
            indexed(3, backoffLimitPerIndex=1, maxFailedIndexes=2),
            {},
            [],
            id="maxFailedIndexes-mutable",
        ),
        pytest.param(
            indexed(5),
            succ({"succeededCount": 2}),
            {},
            [
                'spec.successPolicy: Invalid value: {"Rules":[{"SucceededIndexes":null,'
                '"SucceededCount":2}]}: field is immutable'
            ],
            id="successPolicy-added",
        ),
        pytest.param(
            pfp({"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}),
            {},
            {},
            ["spec.podFailurePolicy: Invalid value: null: field is immutable"],
            id="podFailurePolicy-removed",
        ),
        pytest.param(
            merge(
                spec(manualSelector=True, selector={"matchLabels": {"a": "b"}}),
                {"spec": {"template": {"metadata": {"labels": {"a": "b", "c": "d"}}}}},
            ),
            merge(
                spec(manualSelector=True, selector={"matchLabels": {"a": "b", "c": "d"}}),
                {"spec": {"template": {"metadata": {"labels": {"a": "b", "c": "d"}}}}},
            ),
            {},
            ['spec.selector: Invalid value: {"matchLabels":{"a":"b","c":"d"}}: field is immutable'],
            id="selector-immutable",
        ),
        pytest.param(
            SUSPENDED,
            merge(SUSPENDED, pod(nodeSelector={"disk": "ssd"})),
            {"old_started": False},
            [],
            id="scheduling-directives-suspended-never-started",
        ),
        pytest.param(
            merge(SUSPENDED, {"status": {"startTime": "2026-01-01T00:00:00Z"}}),
            merge(SUSPENDED, pod(nodeSelector={"disk": "ssd"})),
            {},
            ["spec.template: Invalid value: <template>: field is immutable"],
            id="scheduling-directives-suspended-after-start",
        ),
        pytest.param(
            merge(
                SUSPENDED,
                {
                    "status": {
                        "startTime": "2026-01-01T00:00:00Z",
                        "active": 0,
                        "conditions": [{"type": "Suspended", "status": "True"}],
                    }
                },
            ),
            merge(SUSPENDED, pod(nodeSelector={"disk": "ssd"})),
            {},
            [],
            id="scheduling-directives-suspended-condition-no-active",
        ),
        pytest.param(
            {},
            pod(containers=[{"name": "ctr", "image": "busybox:1.36"}]),
            {},
            ["spec.template: Invalid value: <template>: field is immutable"],
            id="template-immutable-when-running",
        ),
        pytest.param(
            SUSPENDED,
            merge(
                SUSPENDED,
                pod(
                    containers=[
                        {
                            "name": "ctr",
                            "image": "busybox",
                            "resources": {"requests": {"cpu": "200m"}},
                        }
                    ]
                ),
            ),
            {"old_started": False},
            [],
            id="resources-mutable-when-suspended",
        ),
        pytest.param(
            SUSPENDED,
            merge(SUSPENDED, pod(containers=[{"name": "ctr", "image": "nginx:latest"}])),
            {"old_started": False},
            ["spec.template.spec: Invalid value: <template>: field is immutable"],
            id="image-immutable-when-suspended",
        ),
    ],
)
def test_validate_job_update(
    old_patch: dict[str, Any],
    new_patch: dict[str, Any],
    kwargs: dict[str, Any],
    expected: list[str],
) -> None:
    got = update_messages(old_patch, new_patch, **kwargs)
    # The template's Invalid value is the whole internal PodTemplateSpec, which jobsim only
    # models in part: compare path, type and detail, not the rendered value.
    normalized = []
    for text in got:
        head, _, rest = text.partition(": Invalid value: ")
        if head in ("spec.template", "spec.template.spec"):
            assert rest.startswith("{") and rest.endswith("}: field is immutable"), text
            text = f"{head}: Invalid value: <template>: field is immutable"
        normalized.append(text)
    assert normalized == expected


def test_update_reports_spec_errors_twice_and_message_collapses_them() -> None:
    old = make_job(spec(completions=1, parallelism=1))
    new = make_job(spec(completions=1, parallelism=-1))
    errs = validate_update(old, new)
    assert [str(e) for e in errs] == [f"spec.parallelism: Invalid value: -1: {NONNEG}"] * 2
    assert aggregate_message("Job.batch", "myjob", errs) == (
        f'Job.batch "myjob" is invalid: spec.parallelism: Invalid value: -1: {NONNEG}'
    )


def test_update_prefixed_labels_required_only_if_old_had_them() -> None:
    legacy_only = {
        "spec": {
            "selector": {"matchLabels": {"controller-uid": "1a2b3c"}},
            "manualSelector": True,
            "template": {"metadata": {"labels": {"controller-uid": "1a2b3c", "job-name": "myjob"}}},
        }
    }
    old = make_job(legacy_only)
    new = old.model_copy(update={"spec": old.spec.model_copy(update={"manualSelector": False})})
    assert validate_update(old, new) == []
    assert [str(e) for e in validate_job(new)] == [
        "spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Required value: "
        "must be '1a2b3c'",
        "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Required value: "
        "must be 'myjob'",
    ]
