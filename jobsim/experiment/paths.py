"""Parameters of an experiment: paths into a scenario, and the values they take.

A path names a value in the scenario file by its keys, dot-separated, as a person reads it:
``timing.podFailureBackoffBase``, ``cluster.nodePools[worker].count``,
``jobs[nightly-*].manifest.spec.parallelism``, ``jobs[etl].workload.failure.probability``.
A bracket selects list items: a number picks by position; a name picks the pools (and priority
classes) with that ``name`` and the Jobs with that ``manifest.metadata.name``; ``*`` and ``?``
match as in shell patterns, so one path may set several items. A missing last key is created (a
timing the file leaves at its default); anything else that does not exist is an error that
names the path.
"""

from __future__ import annotations

import copy
import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any

_SEGMENT = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_-]*)(?:\[(?P<sel>[^\]]+)\])?$")


class PathError(ValueError):
    """A parameter path or value that does not fit the scenario."""


def _item_name(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("name"), str):
        return str(item["name"])
    manifest = item.get("manifest")
    if isinstance(manifest, dict):
        name = (manifest.get("metadata") or {}).get("name")
        return name if isinstance(name, str) else None
    return None


def _select(items: list[Any], selector: str, where: str) -> list[int]:
    if selector.lstrip("-").isdigit():
        i = int(selector)
        if not -len(items) <= i < len(items):
            count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
            raise PathError(
                f"{where}[{selector}]: there {'are' if len(items) != 1 else 'is'} {count}"
            )
        return [i % len(items)]
    chosen = [
        i
        for i, item in enumerate(items)
        if (name := _item_name(item)) is not None and fnmatch.fnmatchcase(name, selector)
    ]
    if not chosen:
        names = [n for n in (_item_name(x) for x in items) if n is not None]
        raise PathError(
            f"{where}[{selector}]: no item named {selector!r} "
            f"(the names are: {', '.join(names) or 'none'})"
        )
    return chosen


def _parse(path: str) -> list[tuple[str, str | None]]:
    parts: list[tuple[str, str | None]] = []
    for segment in path.split("."):
        m = _SEGMENT.match(segment)
        if m is None:
            raise PathError(f"{path}: {segment!r} is not a key or key[selector]")
        parts.append((m["key"], m["sel"]))
    return parts


def check_path(path: str) -> None:
    """Raise ``PathError`` unless ``path`` is keys and ``key[selector]``s, dot-separated (its
    grammar only: whether the scenario has it is checked when it is set)."""
    _parse(path)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` to ``value`` in the scenario data, in place (every item it selects)."""
    parts = _parse(path)
    targets: list[Any] = [data]
    where = ""
    for n, (key, selector) in enumerate(parts):
        last = n == len(parts) - 1
        where = f"{where}.{key}" if where else key
        nxt: list[Any] = []
        for node in targets:
            if not isinstance(node, dict):
                raise PathError(f"{path}: {where} is inside a value that is not a mapping")
            if last and selector is None:
                node[key] = copy.deepcopy(value)
                continue
            if key not in node:
                if selector is not None:
                    raise PathError(f"{path}: {where} does not exist in the scenario")
                node[key] = {}
            child = node[key]
            if selector is None:
                nxt.append(child)
                continue
            if not isinstance(child, list):
                raise PathError(f"{path}: {where} is not a list, so [{selector}] selects nothing")
            chosen = _select(child, selector, where)
            if last:
                for i in chosen:
                    child[i] = copy.deepcopy(value)
            else:
                nxt.extend(child[i] for i in chosen)
        targets = nxt
        if selector is not None:
            where = f"{where}[{selector}]"


def get_path(data: Mapping[str, Any], path: str) -> list[Any]:
    """The values at ``path`` in the scenario data, one per item it selects; none where the
    data does not have it (a field left at its default). Raises ``PathError`` for a path that
    ``set_path`` would refuse too."""
    targets: list[Any] = [data]
    where = ""
    for key, selector in _parse(path):
        where = f"{where}.{key}" if where else key
        nxt: list[Any] = []
        for node in targets:
            if not isinstance(node, Mapping) or key not in node:
                continue
            child = node[key]
            if selector is None:
                nxt.append(child)
            elif isinstance(child, list):
                nxt.extend(child[i] for i in _select(child, selector, where))
        targets = nxt
        if selector is not None:
            where = f"{where}[{selector}]"
    return targets


def with_point(data: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the scenario data with every ``path: value`` of ``point`` set."""
    out = copy.deepcopy(dict(data))
    for path, value in point.items():
        set_path(out, path, value)
    return out


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def parse_value(text: str) -> Any:
    """A command-line value: an integer, a number, ``true``/``false``, else the text (``10s``)."""
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    n = _number(t)
    return t if n is None else n


def parse_values(text: str) -> list[Any]:
    """``V1,V2,…`` or an integer range ``A..B`` / ``A..B:STEP`` (both ends included)."""
    m = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?::\s*(\d+)\s*)?", text)
    if m is not None:
        a, b, step = int(m[1]), int(m[2]), int(m[3] or 1)
        if step <= 0 or b < a:
            raise PathError(f"{text}: a range A..B[:STEP] needs A <= B and STEP >= 1")
        return list(range(a, b + 1, step))
    if ".." in text:
        raise PathError(
            f"{text}: a range A..B[:STEP] takes whole numbers; list other values: 0.1,0.2,0.3"
        )
    values = [parse_value(v) for v in text.split(",") if v.strip()]
    if not values:
        raise PathError(f"{text!r}: no values")
    return values


def parse_vary(specs: Sequence[str]) -> dict[str, list[Any]]:
    """``PATH=VALUES`` options (``--vary``) as ``{path: values}``, in the order given."""
    out: dict[str, list[Any]] = {}
    for spec in specs:
        path, sep, values = spec.partition("=")
        if not sep or not path.strip():
            raise PathError(f"{spec!r}: expected PATH=V1,V2,… or PATH=A..B[:STEP]")
        _parse(path.strip())
        if path.strip() in out:
            raise PathError(f"{path.strip()}: varied twice; give all its values in one --vary")
        out[path.strip()] = parse_values(values)
    return out


__all__ = [
    "PathError",
    "check_path",
    "get_path",
    "parse_value",
    "parse_values",
    "parse_vary",
    "set_path",
    "with_point",
]
