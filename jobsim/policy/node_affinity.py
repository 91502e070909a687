"""Required node affinity: which nodes a pod's ``nodeSelectorTerms`` match.

Upstream ``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go``
(``NodeSelector.Match``, ``nodeSelectorTerm.match``) over apimachinery's label and field
selectors (``labels.Requirement.Matches``, ``fields.OneTermEqualSelector``):

- the terms are ORed: the node matches when some term does; no terms match no node;
- a term ANDs its ``matchExpressions`` (on the node's labels) and ``matchFields`` (on
  ``metadata.name``, the one node field); a term with neither matches no node;
- ``In``: the label is set to one of the values; ``NotIn``: the label is absent or set to none
  of them; ``Exists``/``DoesNotExist``: the label is set/absent; ``Gt``/``Lt``: the label is
  set, and it and the one value are integers (``strconv.ParseInt``, base 10) with the label
  greater/less. A requirement that cannot be a selector (``Gt`` on ``"abc"``, an unknown
  operator, a field other than ``metadata.name``) makes its term match nothing, as upstream's
  ``LazyErrorNodeSelector`` skips a term that does not parse.

Pure functions of plain, hashable values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from jobsim.k8s import job as k8s

__all__ = [
    "NodeAffinityTerms",
    "Requirement",
    "Term",
    "matches_node_affinity",
    "preferred_terms",
    "required_terms",
    "requirement_matches",
]

Requirement = tuple[str, str, tuple[str, ...]]
"""``(key, operator, values)`` of a ``NodeSelectorRequirement``."""

Term = tuple[tuple[Requirement, ...], tuple[Requirement, ...]]
"""A ``NodeSelectorTerm``: ``(matchExpressions, matchFields)``."""

NodeAffinityTerms = tuple[Term, ...] | None
"""A pod's required ``nodeSelectorTerms``; ``None`` when it sets no required node affinity."""

OBJECT_NAME_FIELD: Final = "metadata.name"
_INT64: Final = re.compile(r"[+-]?[0-9]+")
_INT64_RANGE: Final = range(-(1 << 63), 1 << 63)


def _requirements(reqs: Iterable[k8s.NodeSelectorRequirement] | None) -> tuple[Requirement, ...]:
    return tuple((r.key, r.operator, tuple(r.values or ())) for r in reqs or ())


def required_terms(affinity: k8s.Affinity | None) -> NodeAffinityTerms:
    """The hashable form of ``affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuring
    Execution``, ``None`` when the pod has none."""
    na = affinity.nodeAffinity if affinity is not None else None
    req = na.requiredDuringSchedulingIgnoredDuringExecution if na is not None else None
    if req is None:
        return None
    return tuple(
        (_requirements(t.matchExpressions), _requirements(t.matchFields))
        for t in req.nodeSelectorTerms or ()
    )


def preferred_terms(affinity: k8s.Affinity | None) -> tuple[tuple[int, Term], ...]:
    """``affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`` as
    ``(weight, term)``, without the terms upstream's ``NewPreferredSchedulingTerms`` skips
    (weight 0, or neither matchExpressions nor matchFields)."""
    na = affinity.nodeAffinity if affinity is not None else None
    prefs = na.preferredDuringSchedulingIgnoredDuringExecution if na is not None else None
    return tuple(
        (
            p.weight,
            (_requirements(p.preference.matchExpressions), _requirements(p.preference.matchFields)),
        )
        for p in prefs or ()
        if p.weight and (p.preference.matchExpressions or p.preference.matchFields)
    )


def _int64(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``, ``None`` on an error."""
    if not _INT64.fullmatch(text):
        return None
    n = int(text)
    return n if n in _INT64_RANGE else None


def requirement_matches(req: Requirement, values: Mapping[str, str]) -> bool:
    """``labels.Requirement.Matches`` of one requirement against a label (or field) set."""
    key, op, wanted = req
    present = key in values
    if op == "In":
        return present and values[key] in wanted
    if op == "NotIn":
        return not present or values[key] not in wanted
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(wanted) == 1:
        have, bound = _int64(values[key]), _int64(wanted[0])
        if have is None or bound is None:
            return False
        return have > bound if op == "Gt" else have < bound
    return False  # Gt/Lt on an absent label, or a requirement that is no selector


def _field_matches(req: Requirement, name: str) -> bool:
    """``nodeSelectorRequirementsAsFieldSelector``: ``metadata.name`` ``In``/``NotIn`` one
    value."""
    key, op, wanted = req
    if key != OBJECT_NAME_FIELD or op not in ("In", "NotIn") or len(wanted) != 1:
        return False
    return (name == wanted[0]) == (op == "In")


def matches_node_affinity(terms: NodeAffinityTerms, name: str, labels: Mapping[str, str]) -> bool:
    """Whether the node ``name`` with ``labels`` matches the required terms (always, for
    ``None``)."""
    if terms is None:
        return True
    for exprs, fields in terms:
        if not exprs and not fields:
            continue
        if all(requirement_matches(r, labels) for r in exprs) and all(
            _field_matches(r, name) for r in fields
        ):
            return True
    return False
