"""API-server validation of a defaulted ``batch/v1`` Job, on create and on update (v1.36).

Upstream: ``pkg/apis/batch/validation/validation.go`` (``ValidateJob``,
``validateGeneratedSelector``, ``ValidateJobSpec``, ``validateJobSpec``,
``validatePodFailurePolicy*``, ``validateSuccessPolicy*``, ``validatePodReplacementPolicy``,
``ValidateJobUpdate``, ``ValidateJobSpecUpdate``, ``validateCompletions``,
``validatePodTemplateUpdate``, ``validatePodResourceUpdatesOnly``) and
``pkg/registry/batch/job/strategy.go`` (the options). Every error is collected, in upstream order.
Generic and pod-level checks live in ``jobsim.k8s.validation_core``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel

from jobsim.k8s.errors import (
    OMIT,
    FieldError,
    GoJSON,
    duplicate,
    go_json,
    go_json_list,
    go_json_struct,
    go_quote_list,
    invalid,
    not_supported,
    required,
    too_long,
    too_many,
)
from jobsim.k8s.indexes import count_indexes, parse_indexes_strict
from jobsim.k8s.job import (
    Job,
    JobSpec,
    ObjectMeta,
    PodFailurePolicy,
    PodFailurePolicyOnExitCodesRequirement,
    PodFailurePolicyOnPodConditionsPattern,
    PodFailurePolicyRule,
    PodSpec,
    PodTemplateSpec,
    SuccessPolicy,
    SuccessPolicyRule,
)
from jobsim.k8s.validation_core import (
    FIELD_IMMUTABLE_ERROR_MSG,
    blen,
    is_dns1123_label,
    is_domain_prefixed_path,
    is_qualified_name,
    label_selector_json,
    selector_matcher,
    validate_annotations,
    validate_has_label,
    validate_label_selector,
    validate_labels,
    validate_nonnegative,
    validate_object_meta,
    validate_pod_template_spec,
)

INDEXED: Final = "Indexed"
NON_INDEXED: Final = "NonIndexed"
MAX_PARALLELISM_FOR_INDEXED_JOB: Final = 100_000
MAX_FAILED_INDEXES_FOR_INDEXED_JOB: Final = 100_000
COMPLETIONS_SOFT_LIMIT: Final = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: Final = 10_000
MAX_POD_FAILURE_POLICY_RULES: Final = 20
MAX_ON_EXIT_CODES_VALUES: Final = 255
MAX_ON_POD_CONDITIONS_PATTERNS: Final = 20
MAX_MANAGED_BY_LENGTH: Final = 63
MAX_SUCCEEDED_INDEXES_LENGTH: Final = 64 * 1024
MAX_SUCCESS_POLICY_RULES: Final = 20

LEGACY_CONTROLLER_UID_LABEL: Final = "controller-uid"
LEGACY_JOB_NAME_LABEL: Final = "job-name"
CONTROLLER_UID_LABEL: Final = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"

_ACTIONS: Final = ["Count", "FailIndex", "FailJob", "Ignore"]  # sets.List: sorted
_EXIT_CODE_OPERATORS: Final = ["In", "NotIn"]
_CONDITION_STATUSES: Final = ["False", "True", "Unknown"]
_REPLACEMENT_POLICIES: Final = ["Failed", "TerminatingOrFailed"]


# --- create: ValidateJob -----------------------------------------------------------------------


def validate_job(job: Job, *, require_prefixed_labels: bool = True) -> list[FieldError]:
    """``ValidateJob``: metadata, generated selector, spec, then the Indexed hostname check.

    ``require_prefixed_labels`` is ``JobValidationOptions.RequirePrefixedLabels``: always true on
    create; on update, true only if the old template carried both prefixed labels.
    """
    errs = validate_object_meta(job.metadata, "metadata")
    errs.extend(_validate_generated_selector(job, require_prefixed_labels))
    errs.extend(_validate_job_spec_and_selector(job.spec, "spec"))
    errs.extend(_validate_indexed_hostname(job))
    return errs


def _template_labels(template: PodTemplateSpec) -> dict[str, str] | None:
    return template.metadata.labels if template.metadata else None


def _validate_generated_selector(job: Job, require_prefixed: bool) -> list[FieldError]:
    """``validateGeneratedSelector``: the generated labels are on the template and selected."""
    spec = job.spec
    if spec.manualSelector or spec.selector is None:
        return []
    uid, name = job.metadata.uid or "", job.metadata.name or ""
    labels = _template_labels(spec.template)
    path = "spec.template.metadata"
    errs: list[FieldError] = []
    if uid == "":
        errs.append(required("metadata.uid"))
    errs.extend(validate_has_label(labels, path, LEGACY_CONTROLLER_UID_LABEL, uid))
    errs.extend(validate_has_label(labels, path, LEGACY_JOB_NAME_LABEL, name))
    expected: dict[str, str] = {}
    if require_prefixed:
        errs.extend(validate_has_label(labels, path, CONTROLLER_UID_LABEL, uid))
        errs.extend(validate_has_label(labels, path, JOB_NAME_LABEL, name))
        expected[CONTROLLER_UID_LABEL] = uid
        expected[JOB_NAME_LABEL] = name
    expected[LEGACY_CONTROLLER_UID_LABEL] = uid
    expected[LEGACY_JOB_NAME_LABEL] = name
    matcher = selector_matcher(spec.selector)
    if matcher is not None and not matcher(expected):
        errs.append(
            invalid(
                "spec.selector",
                label_selector_json(spec.selector),
                "`selector` not auto-generated",
            )
        )
    return errs


def _validate_indexed_hostname(job: Job) -> list[FieldError]:
    """The last check of ``ValidateJob``: ``<name>-<completions-1>`` must be a DNS label."""
    spec = job.spec
    if spec.completionMode != INDEXED or spec.completions is None or spec.completions <= 0:
        return []
    name = job.metadata.name or ""
    hostname = f"{name}-{spec.completions - 1}"
    if not is_dns1123_label(hostname):
        return []
    detail = f"will not able to create pod with invalid DNS label: {hostname}"
    return [invalid("metadata.name", name, detail)]


def _validate_job_spec_and_selector(spec: JobSpec, path: str) -> list[FieldError]:
    """``ValidateJobSpec``: ``validateJobSpec``, the selector, then selector-vs-template labels."""
    errs = _validate_job_spec(spec, path)
    if spec.selector is None:
        errs.append(required(f"{path}.selector"))
    else:
        errs.extend(validate_label_selector(spec.selector, f"{path}.selector"))
    matcher = selector_matcher(spec.selector)
    labels = _template_labels(spec.template)
    if matcher is not None and not matcher(labels or {}):
        errs.append(
            invalid(
                f"{path}.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
            )
        )
    return errs


def _validate_job_spec(spec: JobSpec, path: str) -> list[FieldError]:
    """``validateJobSpec``, section by section in upstream order."""
    errs = _validate_counts(spec, path)
    errs.extend(_validate_managed_by(spec, path))
    errs.extend(_validate_completion_mode(spec, path))
    if spec.podFailurePolicy is not None:
        errs.extend(
            _validate_pod_failure_policy(spec, spec.podFailurePolicy, f"{path}.podFailurePolicy")
        )
    if spec.successPolicy is not None:
        sp_path = f"{path}.successPolicy"
        if (spec.completionMode or NON_INDEXED) != INDEXED:
            value = _success_policy_json(spec.successPolicy)
            errs.append(invalid(sp_path, value, "requires indexed completion mode"))
        else:
            errs.extend(_validate_success_policy(spec, spec.successPolicy, sp_path))
    errs.extend(_validate_pod_replacement_policy(spec, f"{path}.podReplacementPolicy"))
    errs.extend(validate_pod_template_spec(spec.template, f"{path}.template"))
    errs.extend(_validate_job_restart_policy(spec, f"{path}.template.spec.restartPolicy"))
    return errs


# --- counts, managedBy, completionMode: validateJobSpec -------------------------------------------


def _validate_counts(spec: JobSpec, path: str) -> list[FieldError]:
    """The ``ValidateNonnegativeField`` block of ``validateJobSpec``."""
    errs: list[FieldError] = []
    for name in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
    ):
        value = getattr(spec, name)
        if value is not None:
            errs.extend(validate_nonnegative(value, f"{path}.{name}"))
    if spec.maxFailedIndexes is not None:
        errs.extend(validate_nonnegative(spec.maxFailedIndexes, f"{path}.maxFailedIndexes"))
        if spec.backoffLimitPerIndex is None:
            errs.append(
                required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified")
            )
    return errs


def _validate_managed_by(spec: JobSpec, path: str) -> list[FieldError]:
    """``spec.managedBy``: a domain-prefixed path of at most 63 bytes."""
    if spec.managedBy is None:
        return []
    errs = is_domain_prefixed_path(f"{path}.managedBy", spec.managedBy)
    if blen(spec.managedBy) > MAX_MANAGED_BY_LENGTH:
        errs.append(too_long(f"{path}.managedBy", MAX_MANAGED_BY_LENGTH))
    return errs


def _validate_completion_mode(spec: JobSpec, path: str) -> list[FieldError]:
    """``completionMode`` and the Indexed-only / NonIndexed-forbidden limits."""
    errs: list[FieldError] = []
    mode, completions, parallelism = spec.completionMode, spec.completions, spec.parallelism
    mfi, blpi = spec.maxFailedIndexes, spec.backoffLimitPerIndex
    if mode is not None:
        if mode not in (NON_INDEXED, INDEXED):
            errs.append(not_supported(f"{path}.completionMode", mode, [NON_INDEXED, INDEXED]))
        if mode == INDEXED:
            if completions is None:
                errs.append(required(f"{path}.completions", "when completion mode is Indexed"))
            if parallelism is not None and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
                detail = (
                    f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
                    "when completion mode is Indexed"
                )
                errs.append(invalid(f"{path}.parallelism", parallelism, detail))
            if completions is not None and mfi is not None and mfi > completions:
                detail = "must be less than or equal to completions"
                errs.append(invalid(f"{path}.maxFailedIndexes", mfi, detail))
            if mfi is not None and mfi > MAX_FAILED_INDEXES_FOR_INDEXED_JOB:
                detail = f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}"
                errs.append(invalid(f"{path}.maxFailedIndexes", mfi, detail))
            if (
                completions is not None
                and completions > COMPLETIONS_SOFT_LIMIT
                and blpi is not None
            ):
                errs.extend(_validate_high_completions(parallelism, mfi, path))
    if mode is None or mode == NON_INDEXED:
        if blpi is not None:
            errs.append(
                invalid(f"{path}.backoffLimitPerIndex", blpi, "requires indexed completion mode")
            )
        if mfi is not None:
            errs.append(
                invalid(f"{path}.maxFailedIndexes", mfi, "requires indexed completion mode")
            )
    return errs


def _validate_high_completions(
    parallelism: int | None, mfi: int | None, path: str
) -> list[FieldError]:
    """Indexed, completions above 10^5 with ``backoffLimitPerIndex``: tighter caps."""
    errs: list[FieldError] = []
    suffix = (
        f"when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"
    )
    if mfi is None:
        detail = f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"
        errs.append(required(f"{path}.maxFailedIndexes", detail))
    if parallelism is not None and parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS:
        detail = f"must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}"
        errs.append(invalid(f"{path}.parallelism", parallelism, detail))
    if mfi is not None and mfi > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS:
        limit = MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS
        errs.append(
            invalid(
                f"{path}.maxFailedIndexes", mfi, f"must be less than or equal to {limit} {suffix}"
            )
        )
    return errs


# --- podFailurePolicy: validatePodFailurePolicy ---------------------------------------------------


def _validate_pod_failure_policy(
    spec: JobSpec, pfp: PodFailurePolicy, path: str
) -> list[FieldError]:
    """``validatePodFailurePolicy``."""
    errs: list[FieldError] = []
    rules_path = f"{path}.rules"
    if len(pfp.rules) > MAX_POD_FAILURE_POLICY_RULES:
        errs.append(too_many(rules_path, len(pfp.rules), MAX_POD_FAILURE_POLICY_RULES))
    pod = spec.template.spec
    names = {c.name for c in pod.containers} | {c.name for c in pod.initContainers or []}
    for i, rule in enumerate(pfp.rules):
        errs.extend(_validate_pod_failure_policy_rule(spec, rule, f"{rules_path}[{i}]", names))
    return errs


def _validate_pod_failure_policy_rule(
    spec: JobSpec, rule: PodFailurePolicyRule, path: str, container_names: set[str]
) -> list[FieldError]:
    """``validatePodFailurePolicyRule``: action, onExitCodes, onPodConditions, exactly one."""
    errs: list[FieldError] = []
    action, action_path = rule.action or "", f"{path}.action"
    if action == "":
        errs.append(required(action_path, f"valid values: {go_quote_list(_ACTIONS)}"))
    elif action == "FailIndex":
        if spec.backoffLimitPerIndex is None:
            detail = "requires the backoffLimitPerIndex to be set"
            errs.append(invalid(action_path, action, detail))
    elif action not in _ACTIONS:
        errs.append(not_supported(action_path, action, _ACTIONS))
    if rule.onExitCodes is not None:
        errs.extend(
            _validate_on_exit_codes(rule.onExitCodes, f"{path}.onExitCodes", container_names)
        )
    if rule.onPodConditions:
        errs.extend(_validate_on_pod_conditions(rule.onPodConditions, f"{path}.onPodConditions"))
    if rule.onExitCodes is not None and rule.onPodConditions:
        detail = "specifying both OnExitCodes and OnPodConditions is not supported"
        errs.append(invalid(path, OMIT, detail))
    if rule.onExitCodes is None and not rule.onPodConditions:
        detail = "specifying one of OnExitCodes and OnPodConditions is required"
        errs.append(invalid(path, OMIT, detail))
    return errs


def _validate_on_exit_codes(
    req: PodFailurePolicyOnExitCodesRequirement, path: str, container_names: set[str]
) -> list[FieldError]:
    """``validatePodFailurePolicyRuleOnExitCodes``."""
    errs: list[FieldError] = []
    operator = req.operator or ""
    if operator == "":
        detail = f"valid values: {go_quote_list(_EXIT_CODE_OPERATORS)}"
        errs.append(required(f"{path}.operator", detail))
    elif operator not in _EXIT_CODE_OPERATORS:
        errs.append(not_supported(f"{path}.operator", operator, _EXIT_CODE_OPERATORS))
    if req.containerName is not None and req.containerName not in container_names:
        detail = "must be one of the container or initContainer names in the pod template"
        errs.append(invalid(f"{path}.containerName", req.containerName, detail))
    values_path = f"{path}.values"
    values = req.values or []
    if not values:
        errs.append(invalid(values_path, req.values, "at least one value is required"))
    elif len(values) > MAX_ON_EXIT_CODES_VALUES:
        errs.append(too_many(values_path, len(values), MAX_ON_EXIT_CODES_VALUES))
    ordered, seen = True, set()
    for j, value in enumerate(values):
        if operator == "In" and value == 0:
            errs.append(invalid(f"{values_path}[{j}]", value, "must not be 0 for the In operator"))
        if value in seen:
            errs.append(duplicate(f"{values_path}[{j}]", value))
        else:
            seen.add(value)
        if j > 0 and values[j - 1] > value:
            ordered = False
    if not ordered:
        errs.append(invalid(values_path, values, "must be ordered"))
    return errs


def _validate_on_pod_conditions(
    patterns: list[PodFailurePolicyOnPodConditionsPattern], path: str
) -> list[FieldError]:
    """``validatePodFailurePolicyRuleOnPodConditions``."""
    errs: list[FieldError] = []
    if len(patterns) > MAX_ON_POD_CONDITIONS_PATTERNS:
        errs.append(too_many(path, len(patterns), MAX_ON_POD_CONDITIONS_PATTERNS))
    for j, pattern in enumerate(patterns):
        ppath = f"{path}[{j}]"
        errs.extend(
            invalid(f"{ppath}.type", pattern.type, m) for m in is_qualified_name(pattern.type)
        )
        status = pattern.status or ""
        if status == "":
            detail = f"valid values: {go_quote_list(_CONDITION_STATUSES)}"
            errs.append(required(f"{ppath}.status", detail))
        elif status not in _CONDITION_STATUSES:
            errs.append(not_supported(f"{ppath}.status", status, _CONDITION_STATUSES))
    return errs


# --- successPolicy: validateSuccessPolicy ---------------------------------------------------------


def _validate_success_policy(spec: JobSpec, sp: SuccessPolicy, path: str) -> list[FieldError]:
    """``validateSuccessPolicy``."""
    errs: list[FieldError] = []
    rules_path = f"{path}.rules"
    if not sp.rules:
        detail = "at least one rules must be specified when the successPolicy is specified"
        errs.append(required(rules_path, detail))
    if len(sp.rules) > MAX_SUCCESS_POLICY_RULES:
        errs.append(too_many(rules_path, len(sp.rules), MAX_SUCCESS_POLICY_RULES))
    for i, rule in enumerate(sp.rules):
        errs.extend(_validate_success_policy_rule(spec, rule, f"{rules_path}[{i}]"))
    return errs


def _validate_success_policy_rule(
    spec: JobSpec, rule: SuccessPolicyRule, path: str
) -> list[FieldError]:
    """``validateSuccessPolicyRule``.

    Upstream dereferences ``spec.completions`` unchecked; with it nil (already reported as
    ``Required``) the checks that need it are skipped here instead of panicking.
    """
    errs: list[FieldError] = []
    indexes, count, completions = rule.succeededIndexes, rule.succeededCount, spec.completions
    if count is None and indexes is None:
        detail = "at least one of succeededCount or succeededIndexes must be specified"
        errs.append(required(path, detail))
    total = 0
    if indexes is not None:
        indexes_path = f"{path}.succeededIndexes"
        if blen(indexes) > MAX_SUCCEEDED_INDEXES_LENGTH:
            errs.append(too_long(indexes_path, MAX_SUCCEEDED_INDEXES_LENGTH))
        if completions is not None:
            intervals, err = parse_indexes_strict(indexes, completions)
            if err is not None:
                detail = f"error parsing succeededIndexes: {err}"
                errs.append(invalid(indexes_path, indexes, detail))
            total = count_indexes(intervals)
    if count is not None and completions is not None:
        count_path = f"{path}.succeededCount"
        errs.extend(validate_nonnegative(count, count_path))
        if count > completions:
            detail = (
                f"must be less than or equal to {completions} (the number of specified completions)"
            )
            errs.append(invalid(count_path, count, detail))
        if indexes is not None and count > total:
            detail = (
                f"must be less than or equal to {total} "
                "(the number of indexes in the specified succeededIndexes field)"
            )
            errs.append(invalid(count_path, count, detail))
    return errs


# --- podReplacementPolicy, restartPolicy: validatePodReplacementPolicy, validateJobSpec -----------


def _validate_pod_replacement_policy(spec: JobSpec, path: str) -> list[FieldError]:
    """``validatePodReplacementPolicy``: only ``Failed`` with a podFailurePolicy."""
    policy = spec.podReplacementPolicy
    if policy is None:
        return []
    if spec.podFailurePolicy is not None:
        return [] if policy == "Failed" else [not_supported(path, policy, ["Failed"])]
    if policy not in _REPLACEMENT_POLICIES:
        return [not_supported(path, policy, _REPLACEMENT_POLICIES)]
    return []


def _validate_job_restart_policy(spec: JobSpec, path: str) -> list[FieldError]:
    """The Job's restartPolicy rule: OnFailure or Never; Never with a podFailurePolicy."""
    policy = spec.template.spec.restartPolicy or ""
    if policy in ("Always", ""):
        return [required(path, 'valid values: "OnFailure", "Never"')]
    if policy not in ("OnFailure", "Never"):
        return [not_supported(path, policy, ["OnFailure", "Never"])]
    if spec.podFailurePolicy is not None and policy != "Never":
        detail = 'only "Never" is supported when podFailurePolicy is specified'
        return [invalid(path, policy, detail)]
    return []


# --- Go renderings of internal batch types (no json tags: Go field names, declaration order) --


def _success_policy_json(sp: SuccessPolicy | None) -> GoJSON:
    """``json.Marshal`` of the internal ``batch.SuccessPolicy``."""
    if sp is None:
        return GoJSON("null")
    rules: GoJSON | None = None
    if sp.rules or "rules" in sp.model_fields_set:
        rules = go_json_list(
            [
                go_json_struct(
                    [("SucceededIndexes", r.succeededIndexes), ("SucceededCount", r.succeededCount)]
                )
                for r in sp.rules
            ]
        )
    return go_json_struct([("Rules", rules)])


def _pod_failure_policy_json(pfp: PodFailurePolicy | None) -> GoJSON:
    """``json.Marshal`` of the internal ``batch.PodFailurePolicy``."""
    if pfp is None:
        return GoJSON("null")
    rules: list[Any] = []
    for r in pfp.rules:
        on_exit: GoJSON | None = None
        if r.onExitCodes is not None:
            e = r.onExitCodes
            on_exit = go_json_struct(
                [
                    ("ContainerName", e.containerName),
                    ("Operator", e.operator or ""),
                    ("Values", e.values),
                ]
            )
        conds: GoJSON | None = None
        if r.onPodConditions is not None:
            conds = go_json_list(
                [
                    go_json_struct([("Type", p.type), ("Status", p.status or "")])
                    for p in r.onPodConditions
                ]
            )
        rules.append(
            go_json_struct(
                [("Action", r.action or ""), ("OnExitCodes", on_exit), ("OnPodConditions", conds)]
            )
        )
    return go_json_struct([("Rules", go_json_list(rules))])


def _model_json(model: BaseModel) -> GoJSON:
    """An approximation of a pod template's rendering (jobsim does not model every pod field)."""
    return GoJSON(go_json(model.model_dump(mode="json", exclude_none=True)))


# --- update: ValidateJobUpdate, ValidateJobSpecUpdate ---------------------------------------------


def validate_job_update(old: Job, new: Job, *, old_started: bool | None = None) -> list[FieldError]:
    """``ValidateJobUpdate``: metadata update, then ``ValidateJobSpecUpdate``.

    As upstream, this re-runs ``ValidateJobSpec`` on the new spec, so the server's full check
    (``jobStrategy.ValidateUpdate``, see ``validate_update``) reports spec errors twice.
    ``old_started`` is "old ``status.startTime`` is set"; ``None`` reads it from ``old.status``.
    """
    errs = _validate_object_meta_update(old.metadata, new.metadata, "metadata")
    errs.extend(_validate_job_spec_update(old, new, "spec", old_started))
    return errs


def validate_update(old: Job, new: Job, *, old_started: bool | None = None) -> list[FieldError]:
    """``jobStrategy.ValidateUpdate``: ``ValidateJob(new)`` + ``ValidateJobUpdate(new, old)``."""
    old_labels = _template_labels(old.spec.template) or {}
    prefixed = CONTROLLER_UID_LABEL in old_labels and JOB_NAME_LABEL in old_labels
    errs = validate_job(new, require_prefixed_labels=prefixed)
    errs.extend(validate_job_update(old, new, old_started=old_started))
    return errs


def _semantic(value: Any) -> Any:
    """A comparable form under ``apiequality.Semantic``: empty and nil slices/maps are equal."""
    if isinstance(value, BaseModel):
        return tuple((name, _semantic(getattr(value, name))) for name in type(value).model_fields)
    if isinstance(value, list):
        return tuple(_semantic(v) for v in value) or None
    if isinstance(value, Mapping):
        return tuple(sorted((k, _semantic(v)) for k, v in value.items())) or None
    return value


def _immutable(new: Any, old: Any, path: str, rendered: Any = None) -> list[FieldError]:
    """``ValidateImmutableField``: the Invalid value is the new value."""
    if _semantic(new) == _semantic(old):
        return []
    return [invalid(path, new if rendered is None else rendered, FIELD_IMMUTABLE_ERROR_MSG)]


def _validate_object_meta_update(old: ObjectMeta, new: ObjectMeta, path: str) -> list[FieldError]:
    """``ValidateObjectMetaUpdate`` for the metadata jobsim models."""
    errs: list[FieldError] = []
    for name in ("name", "namespace", "uid"):
        new_value, old_value = getattr(new, name) or "", getattr(old, name) or ""
        errs.extend(_immutable(new_value, old_value, f"{path}.{name}"))
    errs.extend(validate_labels(new.labels, f"{path}.labels"))
    errs.extend(validate_annotations(new.annotations, f"{path}.annotations"))
    return errs


def _validate_job_spec_update(
    old: Job, new: Job, path: str, old_started: bool | None
) -> list[FieldError]:
    """``ValidateJobSpecUpdate``."""
    spec, old_spec = new.spec, old.spec
    errs = _validate_job_spec_and_selector(spec, path)
    errs.extend(_validate_completions_update(spec, old_spec, f"{path}.completions"))
    errs.extend(
        _immutable(
            spec.selector, old_spec.selector, f"{path}.selector", label_selector_json(spec.selector)
        )
    )
    errs.extend(_validate_pod_template_update(old, new, path, old_started))
    errs.extend(_immutable(spec.completionMode, old_spec.completionMode, f"{path}.completionMode"))
    errs.extend(
        _immutable(
            spec.podFailurePolicy,
            old_spec.podFailurePolicy,
            f"{path}.podFailurePolicy",
            _pod_failure_policy_json(spec.podFailurePolicy),
        )
    )
    errs.extend(
        _immutable(
            spec.backoffLimitPerIndex, old_spec.backoffLimitPerIndex, f"{path}.backoffLimitPerIndex"
        )
    )
    errs.extend(_immutable(spec.managedBy, old_spec.managedBy, f"{path}.managedBy"))
    errs.extend(
        _immutable(
            spec.successPolicy,
            old_spec.successPolicy,
            f"{path}.successPolicy",
            _success_policy_json(spec.successPolicy),
        )
    )
    return errs


def _validate_completions_update(spec: JobSpec, old_spec: JobSpec, path: str) -> list[FieldError]:
    """``validateCompletions``: immutable unless Indexed and changed together with parallelism."""
    if spec.completionMode != INDEXED:
        return _immutable(spec.completions, old_spec.completions, path)
    if spec.completions == old_spec.completions or spec.completions is None:
        return []
    if spec.completions != spec.parallelism:
        detail = "can only be modified in tandem with spec.parallelism"
        return [invalid(path, spec.completions, detail)]
    return []


def _old_status(old: Job) -> tuple[bool, bool, int]:
    """(``startTime`` set, ``Suspended=True`` condition, ``active``) from the old Job's status."""
    status = old.status or {}
    conditions = status.get("conditions")
    suspended_condition = isinstance(conditions, list) and any(
        isinstance(c, Mapping) and c.get("type") == "Suspended" and c.get("status") == "True"
        for c in conditions
    )
    active = status.get("active")
    return (
        status.get("startTime") is not None,
        suspended_condition,
        active if isinstance(active, int) else 0,
    )


def _template_mutable(old: Job, old_started: bool | None = None) -> bool:
    """strategy.go (v1.36 with PR #139287): old Job suspended and never started, or suspended
    with ``Suspended=True`` and no active pods. Gates both ``AllowMutableSchedulingDirectives``
    and ``AllowMutablePodResources`` (beta, on by default in v1.36)."""
    started, suspended_condition, active = _old_status(old)
    if old_started is not None:
        started = old_started
    return bool(old.spec.suspend) and (not started or (suspended_condition and active == 0))


def _validate_pod_template_update(
    old: Job, new: Job, path: str, old_started: bool | None
) -> list[FieldError]:
    """``validatePodTemplateUpdate``: scheduling directives and resources may change while the
    old Job is suspended (see ``_template_mutable``); anything else is immutable."""
    template, old_template = new.spec.template, old.spec.template
    mutable = _template_mutable(old, old_started)
    if mutable:
        old_template = _relax_scheduling_directives(template, old_template)
    if not old.spec.suspend or not mutable:
        return _immutable(template, old_template, f"{path}.template", _model_json(template))
    return _validate_pod_resource_updates_only(
        template.spec, old_template.spec, f"{path}.template.spec"
    )


def _relax_scheduling_directives(
    template: PodTemplateSpec, old_template: PodTemplateSpec
) -> PodTemplateSpec:
    """Copy the mutable scheduling directives of the new template onto the old one."""
    new_meta = template.metadata or ObjectMeta()
    old_meta = (old_template.metadata or ObjectMeta()).model_copy(
        update={"labels": new_meta.labels, "annotations": new_meta.annotations}
    )
    old_spec = old_template.spec.model_copy(
        update={
            "nodeSelector": template.spec.nodeSelector,
            "tolerations": template.spec.tolerations,
        }
    )
    return old_template.model_copy(update={"metadata": old_meta, "spec": old_spec})


def _validate_pod_resource_updates_only(
    spec: PodSpec, old_spec: PodSpec, path: str
) -> list[FieldError]:
    """``validatePodResourceUpdatesOnly``: containers matched by index and name."""
    old_containers = list(old_spec.containers)
    if len(spec.containers) == len(old_containers):
        for i, ctr in enumerate(spec.containers):
            if old_containers[i].name == ctr.name:
                old_containers[i] = old_containers[i].model_copy(
                    update={"resources": ctr.resources}
                )
    old_init = list(old_spec.initContainers or [])
    new_init = spec.initContainers or []
    if len(new_init) == len(old_init):
        for i, ctr in enumerate(new_init):
            if old_init[i].name == ctr.name:
                old_init[i] = old_init[i].model_copy(update={"resources": ctr.resources})
    patched = old_spec.model_copy(
        update={
            "containers": old_containers,
            "initContainers": old_init if old_spec.initContainers is not None else None,
        }
    )
    return _immutable(spec, patched, path, _model_json(spec))


__all__ = ["validate_job", "validate_job_update", "validate_update"]
