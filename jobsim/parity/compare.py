"""Comparing what jobsim did with what an upstream case expects.

A case's ``expect`` lists only the values that differ from ``harness.<test>.expectDefaults``;
``statusExact`` is the whole Job status except ``startTime``, ``completionTime`` and ``ready``,
with every field it leaves out zero or nil. Conditions are ordered lists compared on type,
status, reason and message only (``harness.common.conditionsCompare``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "CONDITION_KEYS",
    "STATUS_EXACT_DEFAULTS",
    "STATUS_EXACT_IGNORED",
    "conditions_view",
    "diff",
    "merged_expect",
    "status_exact_view",
]

CONDITION_KEYS = ("type", "status", "reason", "message")
STATUS_EXACT_IGNORED = frozenset({"startTime", "completionTime", "ready"})
STATUS_EXACT_DEFAULTS: dict[str, Any] = {
    "active": 0,
    "succeeded": 0,
    "failed": 0,
    "terminating": None,
    "completedIndexes": "",
    "failedIndexes": None,
    "uncountedTerminatedPods": None,
    "conditions": [],
}


def conditions_view(conditions: Any) -> list[dict[str, str]]:
    """Conditions as the format compares them: type, status, reason, message, in order."""
    return [{k: str(c.get(k) or "") for k in CONDITION_KEYS} for c in conditions or []]


def merged_expect(expect: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The case's expectations over its test's ``expectDefaults``."""
    return {**defaults, **expect}


def status_exact_view(status: Mapping[str, Any]) -> dict[str, Any]:
    """A status, or a ``statusExact`` expectation, as compared: the ignored fields dropped,
    the missing ones zero or nil, conditions reduced to their compared keys."""
    view = {k: v for k, v in STATUS_EXACT_DEFAULTS.items()}
    view.update({k: v for k, v in status.items() if k not in STATUS_EXACT_IGNORED})
    view["conditions"] = conditions_view(view["conditions"])
    return view


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        keys = set(expected) | set(actual)
        return all(_same(expected.get(k), actual.get(k)) for k in keys)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _same(e, a) for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def diff(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """``key: expected E, got A`` for every expected key whose value differs (a missing
    actual value is None); nested statuses name the field (``statusExact.failed``)."""
    out: list[str] = []
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, Mapping) and isinstance(got, Mapping) and key != "status":
            out.extend(f"{key}.{d}" for d in diff(want, got))
        elif not _same(want, got):
            out.append(f"{key}: expected {_show(want)}, got {_show(got)}")
    return out


def _show(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return "[" + ", ".join("/".join(str(v.get(k, "")) for k in v) for v in value) + "]"
    return repr(value)
