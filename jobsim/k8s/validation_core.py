"""Generic (apimachinery) and core/v1 validation that Job validation builds on.

Upstream (v1.36): the string formats of ``jobsim.k8s.content`` (re-exported here),
``pkg/api/validation`` (``ValidateObjectMeta``, ``ValidateAnnotations``),
``pkg/apis/meta/v1/validation`` (``ValidateLabels``, ``ValidateLabelSelector``),
``metav1.LabelSelectorAsSelector`` and ``pkg/apis/core/validation`` (``ValidateHasLabel``,
``ValidatePodTemplateSpec`` and the parts of ``ValidatePodSpec`` that jobsim's models carry).

Go iterates maps in random order; here map entries are checked in sorted key order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from jobsim.k8s.content import (
    blen,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_domain_prefixed_path,
    is_label_value,
    is_qualified_name,
    name_is_dns_subdomain,
)
from jobsim.k8s.errors import (
    FieldError,
    GoJSON,
    duplicate,
    forbidden,
    go_json_list,
    go_json_struct,
    invalid,
    not_supported,
    required,
    too_long,
)
from jobsim.k8s.job import (
    Container,
    LabelSelector,
    ObjectMeta,
    PodSpec,
    PodTemplateSpec,
    Toleration,
)
from jobsim.k8s.validation_affinity import validate_affinity, validate_topology_spread_constraints
from jobsim.k8s.validation_resources import validate_resource_requirements

MAX_INT32: Final = 2147483647
TOTAL_ANNOTATION_SIZE_LIMIT_B: Final = 256 * 1024
IS_NEGATIVE_ERROR_MSG: Final = "must be greater than or equal to 0"
FIELD_IMMUTABLE_ERROR_MSG: Final = "field is immutable"

# --- generic field validators ------------------------------------------------------------------


def validate_nonnegative(value: int, path: str) -> list[FieldError]:
    """``ValidateNonnegativeField``."""
    return [invalid(path, value, IS_NEGATIVE_ERROR_MSG)] if value < 0 else []


def validate_labels(labels: Mapping[str, str] | None, path: str) -> list[FieldError]:
    """``metav1 validation.ValidateLabels``: key, then value, per entry."""
    errs: list[FieldError] = []
    labels = labels or {}
    for key in sorted(labels):
        value = labels[key]
        errs.extend(invalid(path, key, m) for m in is_qualified_name(key))
        errs.extend(invalid(path, value, m) for m in is_label_value(value))
    return errs


def validate_annotations(annotations: Mapping[str, str] | None, path: str) -> list[FieldError]:
    """``ValidateAnnotations``: keys are case-insensitive qualified names; 256 KiB in total."""
    errs: list[FieldError] = []
    annotations = annotations or {}
    for key in sorted(annotations):
        errs.extend(invalid(path, key, m) for m in is_qualified_name(key.lower()))
    if sum(blen(k) + blen(v) for k, v in annotations.items()) > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_B))
    return errs


def validate_object_meta(meta: ObjectMeta, path: str) -> list[FieldError]:
    """``ValidateObjectMeta`` with ``NameIsDNSSubdomain``, namespaced.

    A name the server would generate from ``generateName`` is not required here.
    """
    errs: list[FieldError] = []
    if meta.generateName:
        errs.extend(
            invalid(f"{path}.generateName", meta.generateName, m)
            for m in name_is_dns_subdomain(meta.generateName, True)
        )
    if not meta.name:
        if not meta.generateName:
            errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errs.extend(
            invalid(f"{path}.name", meta.name, m) for m in name_is_dns_subdomain(meta.name, False)
        )
    if not meta.namespace:
        errs.append(required(f"{path}.namespace"))
    else:
        errs.extend(
            invalid(f"{path}.namespace", meta.namespace, m)
            for m in is_dns1123_label(meta.namespace)
        )
    errs.extend(validate_labels(meta.labels, f"{path}.labels"))
    errs.extend(validate_annotations(meta.annotations, f"{path}.annotations"))
    return errs


def validate_has_label(
    labels: Mapping[str, str] | None, path: str, key: str, expected: str
) -> list[FieldError]:
    """``ValidateHasLabel``: the Invalid value is the whole label map."""
    field = f"{path}.labels[{key}]"
    if labels is None or key not in labels:
        return [required(field, f"must be '{expected}'")]
    if labels[key] != expected:
        return [invalid(field, dict(labels), f"must be '{expected}'")]
    return []


# --- label selectors ---------------------------------------------------------------------------

_SELECTOR_OPS: Final = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: LabelSelector, path: str) -> list[FieldError]:
    """``ValidateLabelSelector`` (invalid label values not tolerated, as on create)."""
    errs = validate_labels(selector.matchLabels, f"{path}.matchLabels")
    for i, expr in enumerate(selector.matchExpressions or []):
        epath = f"{path}.matchExpressions[{i}]"
        values = expr.values or []
        if expr.operator in ("In", "NotIn"):
            if not values:
                errs.append(
                    required(
                        f"{epath}.values", "must be specified when `operator` is 'In' or 'NotIn'"
                    )
                )
        elif expr.operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    forbidden(
                        f"{epath}.values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errs.append(
                invalid(f"{epath}.operator", expr.operator, "not a valid selector operator")
            )
        errs.extend(invalid(f"{epath}.key", expr.key, m) for m in is_qualified_name(expr.key))
        for j, value in enumerate(values):
            errs.extend(invalid(f"{epath}.values[{j}]", value, m) for m in is_label_value(value))
    return errs


Matcher = Callable[[Mapping[str, str]], bool]


def selector_matcher(selector: LabelSelector | None) -> Matcher | None:
    """``metav1.LabelSelectorAsSelector``: ``None`` where Go returns a conversion error.

    A nil selector matches nothing; an empty one matches everything.
    """
    if selector is None:
        return lambda _labels: False
    match_labels = selector.matchLabels or {}
    exprs = selector.matchExpressions or []
    if not match_labels and not exprs:
        return lambda _labels: True
    reqs: list[tuple[str, str, frozenset[str]]] = []
    for key, value in match_labels.items():
        if is_qualified_name(key) or is_label_value(value):
            return None
        reqs.append(("In", key, frozenset([value])))
    for expr in exprs:
        values = expr.values or []
        if expr.operator not in _SELECTOR_OPS or is_qualified_name(expr.key):
            return None
        if (expr.operator in ("In", "NotIn")) != bool(values):
            return None
        if any(is_label_value(v) for v in values):
            return None
        reqs.append((expr.operator, expr.key, frozenset(values)))

    def matches(labels: Mapping[str, str]) -> bool:
        for op, key, values in reqs:
            present = key in labels
            if op == "In" and not (present and labels[key] in values):
                return False
            if op == "NotIn" and present and labels[key] in values:
                return False
            if op == "Exists" and not present:
                return False
            if op == "DoesNotExist" and present:
                return False
        return True

    return matches


def label_selector_json(selector: LabelSelector | None) -> GoJSON:
    """``json.Marshal`` of a ``*metav1.LabelSelector`` (omitempty fields, declaration order)."""
    if selector is None:
        return GoJSON("null")
    fields: list[tuple[str, object]] = []
    if selector.matchLabels:
        fields.append(("matchLabels", dict(selector.matchLabels)))
    if selector.matchExpressions:
        exprs: list[object] = []
        for e in selector.matchExpressions:
            efields: list[tuple[str, object]] = [("key", e.key), ("operator", e.operator)]
            if e.values:
                efields.append(("values", list(e.values)))
            exprs.append(go_json_struct(efields))
        fields.append(("matchExpressions", go_json_list(exprs)))
    return go_json_struct(fields)


# --- pod template (core/v1) --------------------------------------------------------------------

_PULL_POLICIES: Final = ["Always", "IfNotPresent", "Never"]
_POD_RESTART_POLICIES: Final = ["Always", "OnFailure", "Never"]
_TAINT_EFFECTS: Final = ["NoSchedule", "PreferNoSchedule", "NoExecute"]


def validate_pod_template_spec(template: PodTemplateSpec, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpec``: metadata syntax under ``<path>.labels``, then the pod spec."""
    meta = template.metadata or ObjectMeta()
    errs = validate_labels(meta.labels, f"{path}.labels")
    errs.extend(validate_annotations(meta.annotations, f"{path}.annotations"))
    errs.extend(_validate_pod_spec(template.spec, f"{path}.spec"))
    if template.spec.ephemeralContainers:
        errs.append(
            forbidden(
                f"{path}.spec.ephemeralContainers",
                "ephemeral containers not allowed in pod template",
            )
        )
    return errs


def _validate_pod_spec(spec: PodSpec, path: str) -> list[FieldError]:
    """``ValidatePodSpec``, restricted to the fields of jobsim's ``PodSpec``, in upstream order."""
    errs: list[FieldError] = []
    if spec.terminationGracePeriodSeconds is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    errs.extend(_validate_containers(spec.containers, f"{path}.containers"))
    errs.extend(
        _validate_init_containers(
            spec.initContainers or [], spec.containers, f"{path}.initContainers"
        )
    )
    errs.extend(_validate_restart_policy(spec.restartPolicy or "", f"{path}.restartPolicy"))
    errs.extend(validate_labels(spec.nodeSelector, f"{path}.nodeSelector"))
    errs.extend(validate_affinity(spec.affinity, f"{path}.affinity"))
    if spec.nodeName:
        errs.extend(
            invalid(f"{path}.nodeName", spec.nodeName, m)
            for m in name_is_dns_subdomain(spec.nodeName, False)
        )
    if spec.activeDeadlineSeconds is not None and not (
        1 <= spec.activeDeadlineSeconds <= MAX_INT32
    ):
        errs.append(
            invalid(
                f"{path}.activeDeadlineSeconds",
                spec.activeDeadlineSeconds,
                f"must be between 1 and {MAX_INT32}, inclusive",
            )
        )
    if spec.tolerations:
        errs.extend(_validate_tolerations(spec.tolerations, f"{path}.tolerations"))
    if spec.priorityClassName:
        errs.extend(
            invalid(f"{path}.priorityClassName", spec.priorityClassName, m)
            for m in name_is_dns_subdomain(spec.priorityClassName, False)
        )
    errs.extend(
        validate_topology_spread_constraints(
            spec.topologySpreadConstraints, f"{path}.topologySpreadConstraints"
        )
    )
    return errs


def _validate_container_common(ctr: Container, path: str) -> list[FieldError]:
    """``validateContainerCommon``: name, image, imagePullPolicy, resources."""
    errs: list[FieldError] = []
    if ctr.name == "":
        errs.append(required(f"{path}.name"))
    else:
        errs.extend(invalid(f"{path}.name", ctr.name, m) for m in is_dns1123_label(ctr.name))
    if not ctr.image:
        errs.append(required(f"{path}.image"))
    policy = ctr.imagePullPolicy or ""
    if policy == "":
        errs.append(required(f"{path}.imagePullPolicy"))
    elif policy not in _PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))
    if ctr.resources is not None:
        errs.extend(validate_resource_requirements(ctr.resources, f"{path}.resources"))
    return errs


def _validate_containers(containers: list[Container], path: str) -> list[FieldError]:
    """``validateContainers``: at least one; names unique among regular containers."""
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        errs.extend(_validate_container_common(ctr, f"{path}[{i}]"))
        if ctr.name in names:
            errs.append(duplicate(f"{path}[{i}].name", ctr.name))
        else:
            names.add(ctr.name)
    return errs


def _validate_init_containers(
    init: list[Container], regular: list[Container], path: str
) -> list[FieldError]:
    """``validateInitContainers``: names unique across regular and init containers."""
    errs: list[FieldError] = []
    names = {c.name for c in regular}
    for i, ctr in enumerate(init):
        errs.extend(_validate_container_common(ctr, f"{path}[{i}]"))
        if ctr.name in names:
            errs.append(duplicate(f"{path}[{i}].name", ctr.name))
        elif ctr.name:
            names.add(ctr.name)
    return errs


def _validate_restart_policy(policy: str, path: str) -> list[FieldError]:
    """``validateRestartPolicy`` (pod level: Always is fine here)."""
    if policy == "":
        return [required(path)]
    if policy not in _POD_RESTART_POLICIES:
        return [not_supported(path, policy, _POD_RESTART_POLICIES)]
    return []


def _validate_tolerations(tolerations: list[Toleration], path: str) -> list[FieldError]:
    """``ValidateTolerations``."""
    errs: list[FieldError] = []
    for i, tol in enumerate(tolerations):
        ipath = f"{path}[{i}]"
        key, operator, value = tol.key or "", tol.operator or "", tol.value or ""
        effect = tol.effect or ""
        if key:
            errs.extend(invalid(f"{ipath}.key", key, m) for m in is_qualified_name(key))
        if key == "" and operator != "Exists":
            errs.append(
                invalid(
                    f"{ipath}.operator",
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values '
                    'and all keys"',
                )
            )
        if tol.tolerationSeconds is not None and effect != "NoExecute":
            errs.append(
                invalid(
                    f"{ipath}.effect",
                    effect,
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
        if operator in ("Equal", ""):
            msgs = is_label_value(value)
            if msgs:
                errs.append(invalid(f"{ipath}.operator", value, ";".join(msgs)))
        elif operator == "Exists":
            if value:
                errs.append(
                    invalid(
                        f"{ipath}.operator",
                        value,
                        "value must be empty when `operator` is 'Exists'",
                    )
                )
        else:
            errs.append(not_supported(f"{ipath}.operator", operator, ["Equal", "Exists"]))
        if effect and effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{ipath}.effect", effect, _TAINT_EFFECTS))
    return errs


__all__ = [
    "FIELD_IMMUTABLE_ERROR_MSG",
    "MAX_INT32",
    "blen",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_domain_prefixed_path",
    "is_label_value",
    "is_qualified_name",
    "label_selector_json",
    "selector_matcher",
    "validate_annotations",
    "validate_has_label",
    "validate_label_selector",
    "validate_labels",
    "validate_nonnegative",
    "validate_object_meta",
    "validate_pod_template_spec",
]
