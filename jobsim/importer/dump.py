"""Reading ``kubectl get … -o json`` (or ``-o yaml``) dumps: the objects and where each is.

A dump is a ``v1 List`` (what kubectl prints for ``get nodes,jobs,pods -A -o json``), a typed
list as the API returns it (``PodList``: its items carry no ``kind``, the list names it), a
single object, or YAML documents of any of these. Each object becomes an ``Item`` that knows
its place (``FILE: items[3] (Pod default/pi-x2kz9)``), so every warning about it is located.
Nothing here raises on a broken dump but ``DumpError`` for a file that cannot be read at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

KINDS = ("Node", "Job", "Pod")
"""The kinds an import reads; others are counted and skipped."""


class DumpError(Exception):
    """A dump that cannot be read: each line is ``FILE: what is wrong``; ``warnings`` are
    those of the reading that came before (what was skipped, and why)."""

    def __init__(self, lines: list[str], warnings: list[str] | None = None) -> None:
        self.lines = lines
        self.warnings = list(warnings or [])
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Item:
    """One object of a dump: its kind, its data as read, and its place."""

    kind: str
    data: dict[str, Any]
    where: str

    @property
    def meta(self) -> dict[str, Any]:
        m = self.data.get("metadata")
        return m if isinstance(m, dict) else {}

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "default")

    @property
    def key(self) -> str:
        """``namespace/name`` (a Node: its name)."""
        return self.name if self.kind == "Node" else f"{self.namespace}/{self.name}"


@dataclass
class Dump:
    """The Nodes, Jobs and Pods of one or several dumps, and the warnings on reading them."""

    nodes: list[Item]
    jobs: list[Item]
    pods: list[Item]
    warnings: list[str]


def _documents(path: Path, text: str) -> list[Any]:
    """A file's documents: JSON (one value) or YAML (one or several documents)."""
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise DumpError([f"{path}{at}: neither JSON nor YAML: {problem}"]) from None


def _describe(kind: str, data: dict[str, Any]) -> str:
    meta = data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name")
    ns = meta.get("namespace")
    if not name:
        return kind or "an object"
    return f"{kind} {ns}/{name}" if ns and kind != "Node" else f"{kind} {name}"


def read_dumps(paths: list[Path]) -> Dump:
    """Every Node, Job and Pod of the files, in file order; the first of two objects with
    one kind and name wins. Raises ``DumpError`` for a file that is missing or unreadable."""
    out = Dump([], [], [], [])
    errors: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    skipped: dict[str, int] = {}
    read: set[Path] = set()
    for path in paths:
        if path.resolve() in read:
            out.warnings.append(f"{path}: given twice: read once")
            continue
        read.add(path.resolve())
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            errors.append(
                f"{path}: not UTF-8 text (byte {e.start}): a dump is kubectl's JSON or YAML"
            )
            continue
        except OSError as e:
            errors.append(f"{path}: cannot read the file: {e.strerror or e}")
            continue
        try:
            docs = _documents(path, text)
        except DumpError as e:
            errors.extend(e.lines)
            continue
        for d, doc in enumerate(docs):
            prefix = f"{path}: " if len(docs) == 1 else f"{path}: document {d + 1}: "
            for item in _items(doc, prefix, out.warnings):
                if item.kind not in KINDS:
                    skipped[item.kind] = skipped.get(item.kind, 0) + 1
                    continue
                if not item.name:
                    out.warnings.append(
                        f"{item.where}: a {item.kind} without metadata.name: skipped"
                    )
                    continue
                first = seen.get((item.kind, item.key))
                if first is not None:
                    out.warnings.append(f"{item.where}: also at {first}: the first is kept")
                    continue
                seen[(item.kind, item.key)] = item.where
                {"Node": out.nodes, "Job": out.jobs, "Pod": out.pods}[item.kind].append(item)
    if errors:
        raise DumpError(errors)
    if skipped:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(skipped.items()))
        out.warnings.append(
            f"skipped objects of other kinds ({kinds}): an import reads Nodes, Jobs and Pods"
        )
    return out


def _items(doc: Any, prefix: str, warnings: list[str]) -> list[Item]:
    """The objects of one document: a List's items, or the document itself."""
    if not isinstance(doc, dict):
        warnings.append(f"{prefix}(top level): not a Kubernetes List or object: skipped")
        return []
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        items = doc.get("items")
        if not isinstance(items, list):
            warnings.append(f"{prefix}items: a {kind} holds its objects under items (a sequence)")
            return []
        inherited = kind[: -len("List")] or None  # PodList: items without their kind
        out: list[Item] = []
        for i, it in enumerate(items):
            if not isinstance(it, dict):
                warnings.append(f"{prefix}items[{i}]: not an object: skipped")
                continue
            k = it.get("kind") or inherited
            if not isinstance(k, str):
                warnings.append(f"{prefix}items[{i}]: an object without kind: skipped")
                continue
            out.append(Item(k, it, f"{prefix}items[{i}] ({_describe(k, it)})"))
        return out
    if not isinstance(kind, str):
        warnings.append(f"{prefix}(top level): not a Kubernetes List or object (no kind): skipped")
        return []
    return [Item(kind, doc, f"{prefix}({_describe(kind, doc)})")]


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it (``2026-03-01T02:00:05Z``), or ``None``."""
    if isinstance(value, datetime):  # YAML read an unquoted timestamp itself
        return value if value.tzinfo is not None else None
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


__all__ = ["KINDS", "Dump", "DumpError", "Item", "parse_time", "read_dumps"]
