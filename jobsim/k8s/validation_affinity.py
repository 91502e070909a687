"""The API server's checks of a pod's ``affinity`` and ``topologySpreadConstraints``.

Upstream ``pkg/apis/core/validation/validation.go``: ``validateNodeAffinity``,
``ValidateNodeSelector``, ``ValidateNodeSelectorTerm``, ``ValidateNodeSelectorRequirement``,
``ValidateNodeFieldSelectorRequirement`` and ``ValidatePreferredSchedulingTerms``;
``validatePodAffinity``, ``validatePodAntiAffinity``, ``validatePodAffinityTerm`` (label and
namespace selectors, ``namespaces`` as namespace names,
``validateMatchLabelKeysAndMismatchLabelKeys``, ``topologyKey`` a non-empty label name)
and ``validateWeightedPodAffinityTerms``; ``validateTopologySpreadConstraints``
(``ValidateMaxSkew``, ``ValidateTopologyKey``, ``ValidateWhenUnsatisfiable``,
``ValidateSpreadConstraintNotRepeat``, ``validateMinDomains``, ``validateNodeInclusionPolicy``,
``validateMatchLabelKeysInTopologySpread``, the label selector), with their messages. A new
pod's required node affinity values and selector values are checked as label values (the
``AllowInvalid…`` options are false on create).
"""

from __future__ import annotations

from typing import Final

from jobsim.k8s.content import (
    is_dns1123_label,
    is_label_value,
    is_qualified_name,
    name_is_dns_subdomain,
)
from jobsim.k8s.errors import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from jobsim.k8s.job import (
    Affinity,
    LabelSelector,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    TopologySpreadConstraint,
)

__all__ = [
    "OBJECT_NAME_FIELD",
    "validate_affinity",
    "validate_match_mismatch_label_keys",
    "validate_topology_spread_constraints",
]

OBJECT_NAME_FIELD: Final = "metadata.name"  # metav1.ObjectNameField, the one node field key


IS_NOT_POSITIVE_ERROR_MSG: Final = "must be greater than zero"
_SCHEDULE_ACTIONS: Final = ["DoNotSchedule", "ScheduleAnyway"]
_INCLUSION_POLICIES: Final = ["Honor", "Ignore"]


def validate_affinity(affinity: Affinity | None, path: str) -> list[FieldError]:
    """``validateAffinity``: node affinity, pod affinity, pod anti-affinity."""
    if affinity is None:
        return []
    errs = _node_affinity(affinity, path)
    if affinity.podAffinity is not None:
        errs.extend(_pod_affinity(affinity.podAffinity, f"{path}.podAffinity"))
    if affinity.podAntiAffinity is not None:
        errs.extend(_pod_affinity(affinity.podAntiAffinity, f"{path}.podAntiAffinity"))
    return errs


def _node_affinity(affinity: Affinity, path: str) -> list[FieldError]:
    """``validateNodeAffinity``."""
    if affinity.nodeAffinity is None:
        return []
    na, path = affinity.nodeAffinity, f"{path}.nodeAffinity"
    errs: list[FieldError] = []
    req = na.requiredDuringSchedulingIgnoredDuringExecution
    if req is not None:
        rpath = f"{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        if not req.nodeSelectorTerms:
            errs.append(required(rpath, "must have at least one node selector term"))
        for i, term in enumerate(req.nodeSelectorTerms or []):
            errs.extend(_term(term, f"{rpath}[{i}]"))
    for i, pref in enumerate(na.preferredDuringSchedulingIgnoredDuringExecution or []):
        ppath = f"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        if not 0 < pref.weight <= 100:
            errs.append(invalid(f"{ppath}.weight", pref.weight, "must be in the range 1-100"))
        errs.extend(_term(pref.preference, f"{ppath}.preference"))
    return errs


def _term(term: NodeSelectorTerm, path: str) -> list[FieldError]:
    """``ValidateNodeSelectorTerm``."""
    errs: list[FieldError] = []
    for j, r in enumerate(term.matchExpressions or []):
        errs.extend(_requirement(r, f"{path}.matchExpressions[{j}]"))
    for j, r in enumerate(term.matchFields or []):
        errs.extend(_field_requirement(r, f"{path}.matchFields[{j}]"))
    return errs


def _requirement(r: NodeSelectorRequirement, path: str) -> list[FieldError]:
    """``ValidateNodeSelectorRequirement``: values as the operator needs, a label key, label
    values."""
    errs: list[FieldError] = []
    values = r.values or []
    if r.operator in ("In", "NotIn"):
        if not values:
            errs.append(
                required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'")
            )
    elif r.operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(
                forbidden(
                    f"{path}.values",
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
    elif r.operator in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(
                required(
                    f"{path}.values",
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                )
            )
    else:
        errs.append(invalid(f"{path}.operator", r.operator, "not a valid selector operator"))
    errs.extend(invalid(f"{path}.key", r.key, m) for m in is_qualified_name(r.key))
    for i, v in enumerate(values):
        errs.extend(invalid(f"{path}.values[{i}]", v, m) for m in is_label_value(v))
    return errs


def _field_requirement(r: NodeSelectorRequirement, path: str) -> list[FieldError]:
    """``ValidateNodeFieldSelectorRequirement``: ``metadata.name`` ``In``/``NotIn`` one node
    name."""
    errs: list[FieldError] = []
    if r.operator in ("In", "NotIn"):
        if len(r.values or []) != 1:
            errs.append(
                required(
                    f"{path}.values",
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field "
                    "selector",
                )
            )
    else:
        errs.append(invalid(f"{path}.operator", r.operator, "not a valid selector operator"))
    if r.key != OBJECT_NAME_FIELD:
        errs.append(invalid(f"{path}.key", r.key, "not a valid field selector key"))
    else:
        for i, v in enumerate(r.values or []):
            errs.extend(
                invalid(f"{path}.values[{i}]", v, m) for m in name_is_dns_subdomain(v, False)
            )
    return errs


def _label_selector(selector: LabelSelector | None, path: str) -> list[FieldError]:
    """``ValidateLabelSelector`` (nothing for a nil selector)."""
    # validation_core imports this module: import its selector check when called
    from jobsim.k8s.validation_core import validate_label_selector

    return [] if selector is None else validate_label_selector(selector, path)


def _pod_affinity(pa: PodAffinity, path: str) -> list[FieldError]:
    """``validatePodAffinity`` / ``validatePodAntiAffinity``: the required terms, then the
    weighted ones."""
    errs: list[FieldError] = []
    rpath = f"{path}.requiredDuringSchedulingIgnoredDuringExecution"
    for i, term in enumerate(pa.requiredDuringSchedulingIgnoredDuringExecution or []):
        errs.extend(_pod_affinity_term(term, f"{rpath}[{i}]"))
    ppath = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    for j, weighted in enumerate(pa.preferredDuringSchedulingIgnoredDuringExecution or []):
        if not 0 < weighted.weight <= 100:
            errs.append(
                invalid(f"{ppath}[{j}].weight", weighted.weight, "must be in the range 1-100")
            )
        errs.extend(_pod_affinity_term(weighted.podAffinityTerm, f"{ppath}[{j}].podAffinityTerm"))
    return errs


def _pod_affinity_term(term: PodAffinityTerm, path: str) -> list[FieldError]:
    """``validatePodAffinityTerm``: selectors, namespace names (reported at ``.namespace``,
    as upstream names the field), ``matchLabelKeys``/``mismatchLabelKeys``, a non-empty
    label-name ``topologyKey``."""
    errs = _label_selector(term.labelSelector, f"{path}.labelSelector")
    errs.extend(_label_selector(term.namespaceSelector, f"{path}.namespaceSelector"))
    for name in term.namespaces or []:
        errs.extend(invalid(f"{path}.namespace", name, m) for m in is_dns1123_label(name))
    errs.extend(validate_match_mismatch_label_keys(term, path))
    if not term.topologyKey:
        errs.append(required(f"{path}.topologyKey", "can not be empty"))
    errs.extend(
        invalid(f"{path}.topologyKey", term.topologyKey, m)
        for m in is_qualified_name(term.topologyKey)
    )
    return errs


def validate_match_mismatch_label_keys(term: PodAffinityTerm, path: str) -> list[FieldError]:
    """``validateMatchLabelKeysAndMismatchLabelKeys``: both lists label names and only with a
    ``labelSelector`` (``validateLabelKeys``); a ``matchLabelKeys`` key in a match expression
    when the selector already has it (``matchLabels`` or an earlier expression), reported at
    ``<term>[i]`` as upstream's ``fldPath.Index(i)`` does; a key in both lists."""
    errs: list[FieldError] = []
    selector = term.labelSelector
    for field in ("matchLabelKeys", "mismatchLabelKeys"):
        keys: list[str] = getattr(term, field) or []
        if not keys:
            continue
        if selector is None:
            errs.append(
                forbidden(f"{path}.{field}", "must not be specified when labelSelector is not set")
            )
            continue
        for i, key in enumerate(keys):
            errs.extend(invalid(f"{path}.{field}[{i}]", key, m) for m in is_qualified_name(key))
    if selector is not None:
        at = {k: i for i, k in enumerate(term.matchLabelKeys or [])}
        seen = set(selector.matchLabels or {})
        for e in selector.matchExpressions or []:
            at_i = at.get(e.key)
            if at_i is not None and e.key in seen:
                errs.append(
                    invalid(
                        f"{path}[{at_i}]", e.key, "exists in both matchLabelKeys and labelSelector"
                    )
                )
            seen.add(e.key)
    mismatch = set(term.mismatchLabelKeys or [])
    for i, key in enumerate(term.matchLabelKeys or []):
        if key in mismatch:
            errs.append(
                invalid(
                    f"{path}.matchLabelKeys[{i}]",
                    key,
                    "exists in both matchLabelKeys and mismatchLabelKeys",
                )
            )
    return errs


def validate_topology_spread_constraints(
    constraints: list[TopologySpreadConstraint] | None, path: str
) -> list[FieldError]:
    """``validateTopologySpreadConstraints``."""
    errs: list[FieldError] = []
    constraints = constraints or []
    for i, c in enumerate(constraints):
        cpath = f"{path}[{i}]"
        if c.maxSkew <= 0:
            errs.append(invalid(f"{cpath}.maxSkew", c.maxSkew, IS_NOT_POSITIVE_ERROR_MSG))
        if not c.topologyKey:
            errs.append(required(f"{cpath}.topologyKey", "can not be empty"))
        if c.whenUnsatisfiable not in _SCHEDULE_ACTIONS:
            errs.append(
                not_supported(f"{cpath}.whenUnsatisfiable", c.whenUnsatisfiable, _SCHEDULE_ACTIONS)
            )
        for rest in constraints[i + 1 :]:
            if (rest.topologyKey, rest.whenUnsatisfiable) == (c.topologyKey, c.whenUnsatisfiable):
                errs.append(
                    duplicate(
                        f"{cpath}.{{topologyKey, whenUnsatisfiable}}",
                        f"{{{c.topologyKey}, {c.whenUnsatisfiable}}}",
                    )
                )
                break
        if c.minDomains is not None:
            if c.minDomains <= 0:
                errs.append(invalid(f"{cpath}.minDomains", c.minDomains, IS_NOT_POSITIVE_ERROR_MSG))
            if c.whenUnsatisfiable != "DoNotSchedule":
                errs.append(
                    invalid(
                        f"{cpath}.minDomains",
                        c.minDomains,
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, "
                        f"not {c.whenUnsatisfiable}",
                    )
                )
        for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = getattr(c, field)
            if policy is not None and policy not in _INCLUSION_POLICIES:
                errs.append(not_supported(f"{cpath}.{field}", policy, _INCLUSION_POLICIES))
        errs.extend(_match_label_keys(c, f"{cpath}.matchLabelKeys"))
        errs.extend(_label_selector(c.labelSelector, f"{cpath}.labelSelector"))
    return errs


def _match_label_keys(c: TopologySpreadConstraint, path: str) -> list[FieldError]:
    """``validateMatchLabelKeysInTopologySpread``: label names, only with a labelSelector, and
    none of the selector's own keys."""
    if not c.matchLabelKeys:
        return []
    errs: list[FieldError] = []
    selector_keys: set[str] = set()
    if c.labelSelector is None:
        errs.append(forbidden(path, "must not be specified when labelSelector is not set"))
    else:
        selector_keys.update(c.labelSelector.matchLabels or {})
        selector_keys.update(e.key for e in c.labelSelector.matchExpressions or [])
    for i, key in enumerate(c.matchLabelKeys):
        errs.extend(invalid(f"{path}[{i}]", key, m) for m in is_qualified_name(key))
        if key in selector_keys:
            errs.append(
                invalid(f"{path}[{i}]", key, "exists in both matchLabelKeys and labelSelector")
            )
    return errs
