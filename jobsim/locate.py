"""Where each key and value of a YAML document is, so that every problem names a line and column.

``read_yaml`` parses a document once, keeps its node tree, and indexes the start of every
mapping key and of every value by *key path*, written as problems write them:
``jobs[0].workload.duration``, ``cluster.nodePools[1].capacity.cpu``. ``Marks.find`` maps a
problem's path to the closest indexed place: the path itself, else its longest indexed prefix
(a missing field is reported at the mapping that lacks it). Lines and columns are 1-based, as
editors show them.
"""

from __future__ import annotations

import difflib
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

Mark = tuple[int, int]
"""A 1-based (line, column)."""

MAX_VALUES = 200_000
"""A document whose aliases expand to more values than this is refused ("billion laughs");
values written out count for nothing (the input's size is capped instead)."""

MAX_DEPTH = 100
"""Nesting deeper than this (only reachable through aliases) is refused."""


REFUSED_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("binary", "set", "omap", "pairs"))
"""YAML types that JSON, and so the API server's decoder, does not have: never implicit, so
only an explicit tag (``!!binary``) makes one. ``!!python/...`` tags are not even constructed."""


class YAMLProblem(Exception):
    """A file that cannot be read, or text that is not one valid YAML document."""

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark

    def __str__(self) -> str:
        return with_mark(self.mark, self.message)


def with_mark(mark: Mark | None, text: str) -> str:
    """``LINE:COL: text``, or ``text`` where the place is unknown."""
    return text if mark is None else f"{mark[0]}:{mark[1]}: {text}"


@dataclass(frozen=True)
class Marks:
    """Start of every key (``keys``) and value (``values``) of a document, by key path."""

    keys: dict[str, Mark] = field(default_factory=dict)
    values: dict[str, Mark] = field(default_factory=dict)
    only_key: dict[str, str] = field(default_factory=dict)  # {transparent key: ...} -> key
    duplicates: list[tuple[str, Mark, Mark]] = field(default_factory=list)  # path, first, again

    def find(self, path: str, *, key: bool = False) -> Mark | None:
        """The place of ``path`` (of its key if ``key``), else of its closest indexed parent.

        ``requests[cpu]`` is read as ``requests.cpu``. Where the closest parent is a mapping
        with one transparent key (a distribution ``{uniform: {...}}``, whose parameters
        problems name directly), the path is looked up again through that key.
        """
        path = _BRACKETED_NAME.sub(r".\1", path)
        for _ in range(8):
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            prefix = self._prefix(path)
            if prefix is None:
                return None
            inner = self.only_key.get(prefix)
            if inner is None:
                return self.values[prefix]
            path = _join(prefix, inner) + path[len(prefix) :]
        return None

    def _prefix(self, path: str) -> str | None:
        """The longest proper prefix of ``path`` (cut before a ``.`` or ``[``) that is indexed."""
        for cut in range(len(path) - 1, -1, -1):
            if path[cut] in ".[" and path[:cut] in self.values:
                return path[:cut]
        return "" if "" in self.values and path else None


_BRACKETED_NAME = re.compile(r"\[([^\]\d][^\]]*)\]")


def _join(parent: str, key: str) -> str:
    return key if not parent else f"{parent}.{key}"


def _mark(m: yaml.Mark) -> Mark:
    return (m.line + 1, m.column + 1)


def index(root: yaml.Node | None, transparent: frozenset[str] = frozenset()) -> Marks:
    """Index a composed document (aliases expanded, so every path the data has is indexed).

    ``transparent``: keys that problems leave out of their paths when they are the only key
    of their mapping (see ``Marks.find``).
    """
    marks = Marks()
    if root is None:
        return marks
    stack: list[tuple[str, yaml.Node, int]] = [("", root, 0)]
    visited: set[int] = set()
    expanded = 0  # values visited again: reached through an alias (*name)
    while stack:
        path, node, depth = stack.pop()
        if id(node) in visited:
            expanded += 1
            if expanded > MAX_VALUES:
                raise YAMLProblem(
                    f"the document's aliases (*name) expand to more than {MAX_VALUES} values; "
                    "write the values out instead"
                )
        else:
            visited.add(id(node))
        if depth > MAX_DEPTH:
            raise YAMLProblem(
                f"values nested more than {MAX_DEPTH} levels deep (an alias inside its own "
                "anchor?)",
                _mark(node.start_mark),
            )
        if node.tag in REFUSED_TAGS:
            short = "!!" + node.tag.rsplit(":", 1)[1]
            raise YAMLProblem(
                f"the tag {short} is not allowed: jobsim reads plain YAML values (strings, "
                "numbers, true/false, null, lists and mappings), as JSON has them",
                _mark(node.start_mark),
            )
        marks.values.setdefault(path, _mark(node.start_mark))
        children: list[tuple[str, yaml.Node, int]] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, Mark] = {}
            merged: list[tuple[str, yaml.Node, int]] = []  # ``<<: *base``: after its own keys
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    continue
                if k.value == "<<" and k.tag == "tag:yaml.org,2002:merge":
                    more = v.value if isinstance(v, yaml.SequenceNode) else [v]
                    merged.extend((path, m, depth + 1) for m in more)
                    continue
                p = _join(path, k.value)
                if k.value in seen:
                    marks.duplicates.append((p, seen[k.value], _mark(k.start_mark)))
                seen.setdefault(k.value, _mark(k.start_mark))
                marks.keys.setdefault(p, _mark(k.start_mark))
                children.append((p, v, depth + 1))
            children.extend(merged)
            first_key = node.value[0][0] if len(node.value) == 1 else None
            if isinstance(first_key, yaml.ScalarNode) and first_key.value in transparent:
                marks.only_key.setdefault(path, first_key.value)
        elif isinstance(node, yaml.SequenceNode):
            children = [(f"{path}[{i}]", item, depth + 1) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return marks


def read_yaml(text: str, transparent: frozenset[str] = frozenset()) -> tuple[Any, Marks]:
    """Parse one YAML document (safe types only) and index its places.

    Raises ``YAMLProblem`` with the parser's line and column for malformed YAML.
    """
    [doc] = _parse(text, transparent, many=False)
    return doc


def read_yaml_documents(
    text: str, transparent: frozenset[str] = frozenset()
) -> list[tuple[Any, Marks]]:
    """Every document of a YAML stream (``---`` separated), each with its places (lines and
    columns count from the start of the stream). Empty documents (a trailing ``---``) are
    left out."""
    return [
        (data, marks) for data, marks in _parse(text, transparent, many=True) if data is not None
    ]


_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's loader where PyYAML was built with it: the same nodes, marks and values, many
times faster than the pure-Python one, which still reads any text libyaml refuses so that
the problems keep their words and places."""


def _parse(text: str, transparent: frozenset[str], *, many: bool) -> list[tuple[Any, Marks]]:
    if _FAST_LOADER is not None:
        try:
            yaml.reader.Reader(text)  # the pure reader's check that every character is allowed
            return _compose(_FAST_LOADER, text, transparent, many=many)
        except (YAMLProblem, yaml.YAMLError):
            pass  # the pure-Python loader below finds it again and says what and where
    return _compose(yaml.SafeLoader, text, transparent, many=many)


def _compose(
    cls: type[yaml.SafeLoader], text: str, transparent: frozenset[str], *, many: bool
) -> list[tuple[Any, Marks]]:
    loader: yaml.SafeLoader | None = None
    node: yaml.Node | None = None
    docs: list[tuple[Any, Marks]] = []
    try:
        loader = cls(text)  # the pure-Python one checks that every character is allowed
        if not many:
            node = loader.get_single_node()
            marks = index(node, transparent)  # before the constructor flattens merge keys (<<)
            docs.append((None if node is None else loader.construct_document(node), marks))
        else:
            while loader.check_node():
                node = loader.get_node()
                marks = index(node, transparent)
                docs.append((None if node is None else loader.construct_document(node), marks))
    except yaml.MarkedYAMLError as e:
        raise _problem(e) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        at = text[: e.position]
        mark = (at.count("\n") + 1, e.position - at.rfind("\n"))
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise YAMLProblem(
            f"malformed YAML: character U+{ord(char):04X} is not allowed in YAML text", mark
        ) from None
    except yaml.YAMLError as e:
        raise YAMLProblem(f"malformed YAML: {e}") from None
    except RecursionError:
        raise YAMLProblem("malformed YAML: values nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as e:  # e.g. a date 2024-13-45, !!int abc
        raise YAMLProblem(
            f"malformed YAML: a value cannot be read: {e}", _bad_scalar(node)
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return docs


def read_yaml_file(path: Path, transparent: frozenset[str] = frozenset()) -> tuple[Any, Marks]:
    """``read_yaml`` of a UTF-8 file; ``YAMLProblem`` if it cannot be read or parsed."""
    return read_yaml(read_text(path), transparent)


MAX_INPUT_BYTES = 64 * 1024 * 1024
"""The largest scenario or manifest file read (64 MiB): a larger one is refused unread."""

_NOT_A_FILE = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_text(path: Path) -> str:
    """A UTF-8 file's text; ``YAMLProblem`` if it cannot be read or decoded, is not a regular
    file (a directory, FIFO, device or socket: refused by kind, unread) or is larger than
    ``MAX_INPUT_BYTES``."""
    try:
        mode = path.stat().st_mode
        for test, kind in _NOT_A_FILE:
            if test(mode):
                hint = "; give its text on standard input (-) instead" if "FIFO" in kind else ""
                raise YAMLProblem(f"cannot read file: it is {kind}, not a regular file{hint}")
        with path.open("rb") as f:
            raw = f.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise YAMLProblem(f"cannot read file: {e.strerror or e}") from None
    return decode_text(_capped(raw))


def read_stream(stream: BinaryIO) -> str:
    """Standard input (or any stream) as UTF-8 text, at most ``MAX_INPUT_BYTES``."""
    return decode_text(_capped(stream.read(MAX_INPUT_BYTES + 1)))


def _capped(raw: bytes) -> bytes:
    if len(raw) > MAX_INPUT_BYTES:
        raise YAMLProblem(
            f"too large: more than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, the most jobsim "
            "reads (a scenario or manifest is a few KiB)"
        )
    return raw


def decode_text(raw: bytes) -> str:
    """UTF-8 bytes as text; ``YAMLProblem`` at the first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise YAMLProblem(
            f"not UTF-8 text: byte 0x{raw[e.start]:02x} cannot be decoded", (line, col)
        ) from None
    return text


def _bad_scalar(root: yaml.Node | None) -> Mark | None:
    """Where the first scalar that cannot be constructed (``2024-13-45``) is."""
    stack = [] if root is None else [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError):
                return _mark(node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for kv in reversed(node.value) for n in reversed(kv))
    return None


def _problem(e: yaml.MarkedYAMLError) -> YAMLProblem:
    what = e.problem or e.context or "not valid YAML"
    if e.context and e.problem and e.problem.startswith("but "):
        what = f"{e.context}, {e.problem}"
    elif e.context and e.problem:
        where = ""
        cm, pm = e.context_mark, e.problem_mark
        if cm is not None and (pm is None or (cm.line, cm.column) != (pm.line, pm.column)):
            where = f" at {cm.line + 1}:{cm.column + 1}"
        what = f"{what} ({e.context}{where})"
    mark = e.problem_mark or e.context_mark
    return YAMLProblem(f"malformed YAML: {what}", None if mark is None else _mark(mark))


def did_you_mean(word: str, names: Iterable[str]) -> str | None:
    """The closest of ``names`` to ``word`` (ignoring case), if it is a near miss."""
    by_lower: dict[str, str] = {}
    for n in names:
        by_lower.setdefault(n.lower(), n)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


__all__ = [
    "MAX_INPUT_BYTES",
    "REFUSED_TAGS",
    "Mark",
    "Marks",
    "YAMLProblem",
    "decode_text",
    "did_you_mean",
    "index",
    "read_stream",
    "read_text",
    "read_yaml",
    "read_yaml_documents",
    "read_yaml_file",
    "with_mark",
]
