"""API-server validation of resource names and amounts, of Nodes and of PriorityClasses.

Upstream (v1.36): ``pkg/apis/core/validation/validation.go`` (``validateResourceRequirements``,
``ValidateResourceQuantityValue``, ``validateResourceQuantityHugePageValue``,
``validateContainerResourceName``, ``validateResourceName``,
``ValidateNodeResources``, ``validateNodeTaints``), ``pkg/apis/core/helper/helpers.go``
(``IsExtendedResourceName``, ``IsNativeResource``, ``IsOvercommitAllowed``,
``IsIntegerResourceName``, ``IsStandardContainerResourceName``,
``IsHugePageResourceValueDivisible``, ``HugePageSizeFromResourceName``) and
``pkg/apis/scheduling/validation/validation.go`` (``ValidatePriorityClass``).

Go iterates maps in random order; here resource names are checked in sorted order.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Final

from jobsim.k8s.content import (
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
)
from jobsim.k8s.errors import (
    FieldError,
    GoJSON,
    duplicate,
    forbidden,
    go_json_struct,
    invalid,
    not_supported,
    required,
)
from jobsim.k8s.job import ResourceRequirements
from jobsim.units import UnitError, canonical_quantity, milli_value, parse_quantity
from jobsim.units import value as whole_value

NOT_INTEGER_MSG: Final = "must be an integer"
CONTAINER_RESOURCE_MSG: Final = "must be a standard resource for containers"
HUGEPAGES_PREFIX: Final = "hugepages-"
HUGEPAGES_NEED_CPU_OR_MEMORY_MSG: Final = "HugePages require cpu or memory"
_QOS_COMPUTE_RESOURCES: Final = frozenset({"cpu", "memory"})
DEFAULT_NAMESPACE_PREFIX: Final = "kubernetes.io/"
REQUESTS_PREFIX: Final = "requests."
STANDARD_CONTAINER_RESOURCES: Final = ("cpu", "memory", "ephemeral-storage")
NODE_RESOURCES: Final = (*STANDARD_CONTAINER_RESOURCES, "pods")
"""The standard resources a node offers (``hugepages-<size>`` aside)."""
_INTEGER_RESOURCES: Final = frozenset(
    {
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)
_STANDARD_RESOURCES: Final = _INTEGER_RESOURCES | {
    *STANDARD_CONTAINER_RESOURCES,
    *(f"{kind}.{r}" for kind in ("requests", "limits") for r in STANDARD_CONTAINER_RESOURCES),
    "storage",
    "requests.storage",
}
_TAINT_EFFECTS: Final = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
HIGHEST_USER_DEFINABLE_PRIORITY: Final = 1_000_000_000
SYSTEM_PRIORITY_CLASS_PREFIX: Final = "system-"


# --- helpers (pkg/apis/core/helper) -------------------------------------------------------------


def is_hugepages(name: str) -> bool:
    """``IsHugePageResourceName``."""
    return name.startswith(HUGEPAGES_PREFIX)


def is_native(name: str) -> bool:
    """``IsNativeResource``: no domain, or in ``kubernetes.io/``."""
    return "/" not in name or DEFAULT_NAMESPACE_PREFIX in name


def is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: domain-prefixed outside ``kubernetes.io/``, and a qualified
    name once ``requests.`` is put before it (as quota does)."""
    if is_native(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not is_qualified_name(REQUESTS_PREFIX + name)


def hugepage_size(name: str) -> Fraction | None:
    """``HugePageSizeFromResourceName``: the page size in bytes named after ``hugepages-``;
    None when the name is not a hugepages one or its size is not a quantity."""
    if not is_hugepages(name):
        return None
    try:
        return parse_quantity(name.removeprefix(HUGEPAGES_PREFIX))
    except UnitError:
        return None


def is_hugepage_value_divisible(name: str, q: Fraction) -> bool:
    """``IsHugePageResourceValueDivisible``: the page size parses, is positive and whole, and
    ``Value()`` (rounded up) is a multiple of it (0 is)."""
    size = hugepage_size(name)
    if size is None or size <= 0 or milli_value(size) % 1000 != 0:
        return False
    return whole_value(q) % whole_value(size) == 0


def is_overcommit_allowed(name: str) -> bool:
    """``IsOvercommitAllowed``: native and not hugepages."""
    return is_native(name) and not is_hugepages(name)


def is_integer_resource(name: str) -> bool:
    """``IsIntegerResourceName``: object counts and every extended resource."""
    return name in _INTEGER_RESOURCES or is_extended(name)


def _is_standard_resource(name: str) -> bool:
    """``IsStandardResourceName`` (with ``IsQuotaHugePageResourceName``)."""
    return (
        name in _STANDARD_RESOURCES
        or is_hugepages(name)
        or name.startswith(REQUESTS_PREFIX + HUGEPAGES_PREFIX)
    )


def is_standard_container_resource(name: str) -> bool:
    """``IsStandardContainerResourceName``."""
    return name in STANDARD_CONTAINER_RESOURCES or is_hugepages(name)


# --- names and amounts -------------------------------------------------------------------------


def _validate_resource_name(name: str, path: str) -> list[FieldError]:
    """``validateResourceName``: a qualified name; unprefixed, a standard resource."""
    errs = [invalid(path, name, m) for m in is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name and not _is_standard_resource(name):
        errs.append(invalid(path, name, "must be a standard resource type or fully qualified"))
    return errs


def validate_container_resource_name(name: str, path: str) -> list[FieldError]:
    """``validateContainerResourceName``."""
    errs = _validate_resource_name(name, path)
    if "/" not in name:
        if not is_standard_container_resource(name):
            errs.append(invalid(path, name, CONTAINER_RESOURCE_MSG))
    elif not is_native(name) and not is_extended(name):
        errs.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return errs


def validate_quantity_value(name: str, amount: str | int | float, path: str) -> list[FieldError]:
    """``ValidateResourceQuantityValue``: not negative; whole for integer resources. A value
    that is not a quantity at all is left to the decoder's message."""
    try:
        q = parse_quantity(amount)
    except UnitError:
        return []
    errs: list[FieldError] = []
    if q < 0:
        errs.append(invalid(path, canonical_quantity(amount), "must be greater than or equal to 0"))
    if is_integer_resource(name) and milli_value(q) % 1000 != 0:
        errs.append(invalid(path, canonical_quantity(amount), NOT_INTEGER_MSG))
    return errs


def _parsed(amount: str | int | float) -> bool:
    try:
        parse_quantity(amount)
    except UnitError:
        return False
    return True


def _hugepage_value_errors(name: str, amount: str | int | float, path: str) -> list[FieldError]:
    """``validateResourceQuantityHugePageValue`` (``AllowIndivisibleHugePagesValues`` is false
    for a new object): a hugepages amount is a whole number of pages."""
    if not is_hugepages(name) or not _parsed(amount):
        return []
    if is_hugepage_value_divisible(name, parse_quantity(amount)):
        return []
    shown = canonical_quantity(amount)
    return [invalid(path, shown, f"{shown} is not positive integer multiple of {name}")]


def validate_resource_requirements(res: ResourceRequirements, path: str) -> list[FieldError]:
    """``validateResourceRequirements``: limits, then requests with ``requests ≤ limits`` (equal
    for resources that cannot be overcommitted, which also need a limit); hugepages amounts a
    whole number of pages, and only beside a cpu or memory request or limit. A template's
    requests are not defaulted from its limits (``SetDefaults_Pod`` does that for Pods only)."""
    errs: list[FieldError] = []
    limits, requests = res.limits or {}, res.requests or {}
    lim_path, req_path = f"{path}.limits", f"{path}.requests"
    for name in sorted(limits):
        field = f"{lim_path}[{name}]"
        errs.extend(validate_container_resource_name(name, field))
        errs.extend(validate_quantity_value(name, limits[name], field))
        errs.extend(_hugepage_value_errors(name, limits[name], field))
    for name in sorted(requests):
        field = f"{req_path}[{name}]"
        amount = requests[name]
        errs.extend(validate_container_resource_name(name, field))
        errs.extend(validate_quantity_value(name, amount, field))
        if name in limits:
            errs.extend(_request_to_limit_errors(name, amount, limits[name], req_path))
        elif not is_overcommit_allowed(name):
            errs.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        errs.extend(_hugepage_value_errors(name, amount, field))
    names = {*limits, *requests}
    if any(map(is_hugepages, names)) and _QOS_COMPUTE_RESOURCES.isdisjoint(names):
        errs.append(forbidden(path, HUGEPAGES_NEED_CPU_OR_MEMORY_MSG))
    return errs


def _request_to_limit_errors(
    name: str, amount: str | int | float, limit: str | int | float, req_path: str
) -> list[FieldError]:
    """A request equal to its limit where overcommit is not allowed, else at most the limit."""
    if not (_parsed(amount) and _parsed(limit)):
        return []
    shown, limit_shown = canonical_quantity(amount), canonical_quantity(limit)
    q, lq = parse_quantity(amount), parse_quantity(limit)
    if q != lq and not is_overcommit_allowed(name):
        return [invalid(req_path, shown, f"must be equal to {name} limit of {limit_shown}")]
    if q > lq:
        detail = f"must be less than or equal to {name} limit of {limit_shown}"
        return [invalid(req_path, shown, detail)]
    return []


# --- nodes -------------------------------------------------------------------------------------


def _taint_json(key: str, value: str, effect: str) -> GoJSON:
    """``json.Marshal`` of a ``core.Taint`` (``value`` omitted when empty)."""
    fields: list[tuple[str, object]] = [("key", key)]
    if value:
        fields.append(("value", value))
    fields.append(("effect", effect))
    return go_json_struct(fields)


def validate_node_taints(taints: Sequence[tuple[str, str, str]], path: str) -> list[FieldError]:
    """``validateNodeTaints`` of ``(key, value, effect)`` triples: key a qualified name, value a
    label value, a known effect, and unique by key and effect."""
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for i, (key, value, effect) in enumerate(taints):
        ipath = f"{path}[{i}]"
        errs.extend(invalid(f"{ipath}.key", key, m) for m in is_qualified_name(key))
        msgs = is_label_value(value)
        if msgs:
            errs.append(invalid(f"{ipath}.value", value, ";".join(msgs)))
        if effect == "":
            errs.append(required(f"{ipath}.effect"))
        elif effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{ipath}.effect", effect, _TAINT_EFFECTS))
        if (key, effect) in seen:
            err = duplicate(f"{ipath}", _taint_json(key, value, effect))
            errs.append(err.with_detail("taints must be unique by key and effect pair"))
            continue
        seen.add((key, effect))
    return errs


def validate_node_name(name: str, path: str) -> list[FieldError]:
    """``ValidateNodeName`` (``NameIsDNSSubdomain``)."""
    return [invalid(path, name, m) for m in is_dns1123_subdomain(name)]


# --- PriorityClass -------------------------------------------------------------------------------

SYSTEM_PRIORITY_CLASSES: Final = {
    "system-cluster-critical": 2_000_000_000,
    "system-node-critical": 2_000_001_000,
}
"""``SystemPriorityClasses()`` (neither is globalDefault)."""


def validate_priority_class(
    name: str, value: int, global_default: bool, path: str
) -> list[FieldError]:
    """``ValidatePriorityClass``: the name a DNS subdomain; ``system-`` names reserved; a
    user-defined value at most 10^9. Paths are placed under ``path`` (upstream: the object)."""
    errs = [invalid(f"{path}.name", name, m) for m in is_dns1123_subdomain(name)]
    if name.startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        reason = _known_system_class_error(name, value, global_default)
        if reason is not None:
            detail = (
                f"priority class names with '{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are "
                f"reserved for system use only. error: {reason}"
            )
            errs.append(forbidden(f"{path}.name", detail))
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        detail = (
            f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
        )
        errs.append(forbidden(f"{path}.value", detail))
    return errs


def _known_system_class_error(name: str, value: int, global_default: bool) -> str | None:
    """``IsKnownSystemPriorityClass``'s error, or None for a known one."""
    if name not in SYSTEM_PRIORITY_CLASSES:
        return f"{name} is not a known system priority class"
    if SYSTEM_PRIORITY_CLASSES[name] != value:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return None


__all__ = [
    "CONTAINER_RESOURCE_MSG",
    "HIGHEST_USER_DEFINABLE_PRIORITY",
    "HUGEPAGES_NEED_CPU_OR_MEMORY_MSG",
    "NODE_RESOURCES",
    "NOT_INTEGER_MSG",
    "STANDARD_CONTAINER_RESOURCES",
    "SYSTEM_PRIORITY_CLASSES",
    "hugepage_size",
    "is_extended",
    "is_hugepage_value_divisible",
    "is_hugepages",
    "is_integer_resource",
    "is_native",
    "is_overcommit_allowed",
    "is_standard_container_resource",
    "validate_container_resource_name",
    "validate_node_name",
    "validate_node_taints",
    "validate_priority_class",
    "validate_quantity_value",
    "validate_resource_requirements",
]
