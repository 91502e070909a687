"""The API server's checks of a pod's ``affinity.nodeAffinity``.

Upstream ``pkg/apis/core/validation/validation.go``: ``validateNodeAffinity``,
``ValidateNodeSelector``, ``ValidateNodeSelectorTerm``, ``ValidateNodeSelectorRequirement``,
``ValidateNodeFieldSelectorRequirement`` and ``ValidatePreferredSchedulingTerms``, with their
messages. A new pod's required terms have their values checked as label values
(``AllowInvalidLabelValueInRequiredNodeAffinity`` is false on create).
"""

from __future__ import annotations

from typing import Final

from jobsim.k8s.content import is_label_value, is_qualified_name, name_is_dns_subdomain
from jobsim.k8s.errors import FieldError, forbidden, invalid, required
from jobsim.k8s.job import Affinity, NodeSelectorRequirement, NodeSelectorTerm

__all__ = ["OBJECT_NAME_FIELD", "validate_affinity"]

OBJECT_NAME_FIELD: Final = "metadata.name"  # metav1.ObjectNameField, the one node field key


def validate_affinity(affinity: Affinity | None, path: str) -> list[FieldError]:
    """``validateAffinity``, node affinity part (pod affinity is not modelled)."""
    if affinity is None or affinity.nodeAffinity is None:
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
