"""JSON written piece by piece to a stream, byte for byte what ``json.dumps`` writes.

``write(stream, value, indent=n)`` writes the text of ``json.dumps(value, indent=n,
allow_nan=False)`` without building it: an iterator (or an ``array``) stands for a list that
is written one item at a time, so a million events never exist as one string or one list.
Inside ``Cleaned(value)`` floats are written as :func:`clean_float` makes them (whole numbers
as integers, the rest to six decimals), the form of ``jobsim run --json``. Out-of-range floats raise
``ValueError`` as ``json`` does; what was already written stays written.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring_ascii as _string
from typing import Any, Protocol

_BATCH = 2000
"""Items of a streamed list joined into one ``write``."""


class Writable(Protocol):
    """What ``write`` writes to: a text file, ``sys.stdout``, an ``io.StringIO``."""

    def write(self, s: str, /) -> int: ...


def clean_float(x: float) -> int | float:
    """A whole float as an int (so JSON reads like the timeline), any other to 6 decimals."""
    if x.is_integer():
        return int(x)
    return round(x, 6)


def _float(x: float) -> str:
    if math.isfinite(x):
        return float.__repr__(x)
    raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")


def _key(k: Any) -> str:
    if isinstance(k, str):
        return _string(k)
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return '"' + int.__repr__(k) + '"'
    if isinstance(k, float):
        return '"' + _float(k) + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


class Cleaned:
    """A value whose floats are written cleaned (:func:`clean_float`), in lists and dicts;
    inside a tuple they stay as they are, as ``jobsim run --json`` has always written them."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Rows:
    """A list of objects that all have these keys, given as tuples of their values (strings,
    numbers, None or booleans): written as the list of dicts would be, without the dicts."""

    __slots__ = ("keys", "rows")

    def __init__(self, keys: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        self.keys = keys
        self.rows = rows


class _Encoder:
    raw: _Encoder
    cleaned: _Encoder

    def __init__(self, indent: int | None, clean: bool) -> None:
        self.step = None if indent is None else " " * indent
        self.clean = clean

    def _frame(self, pad: str) -> tuple[str, str, str, str]:
        """(the inner nesting's pad, text after the opening bracket, between items, before
        the closing one), as json.dumps lays them out with this indent (None: one line)."""
        if self.step is None:
            return pad, "", ", ", ""
        inner = pad + self.step
        return inner, "\n" + inner, ",\n" + inner, "\n" + pad

    def encode(self, o: Any, pad: str) -> str:
        """``o`` as json.dumps writes it at the nesting whose indentation is ``pad``."""
        t = type(o)  # the common exact types first; subclasses go the isinstance way
        if t is str:
            return _string(o)
        if t is float and self.clean:
            return int.__repr__(int(o)) if o.is_integer() else _float(round(o, 6))
        if t is dict and o:
            inner, first, sep, last = self._frame(pad)
            enc = self.encode
            items = [
                _string(k) + ": " + (_string(v) if type(v) is str else enc(v, inner))
                if type(k) is str
                else _key(k) + ": " + enc(v, inner)
                for k, v in o.items()
            ]
            return "{" + first + sep.join(items) + last + "}"
        if isinstance(o, str):
            return _string(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if isinstance(o, int):
            return int.__repr__(o)
        if isinstance(o, float):
            if self.clean:
                c = clean_float(o)
                return int.__repr__(c) if isinstance(c, int) else _float(c)
            return _float(o)
        if isinstance(o, Cleaned):
            return self.cleaned.encode(o.value, pad)
        if isinstance(o, tuple) and self.clean:
            return self.raw.encode(o, pad)
        if isinstance(o, (list, tuple)):
            if not o:
                return "[]"
            inner, first, sep, last = self._frame(pad)
            return "[" + first + sep.join([self.encode(v, inner) for v in o]) + last + "]"
        if isinstance(o, dict):
            if not o:
                return "{}"
            inner, first, sep, last = self._frame(pad)
            items = [_key(k) + ": " + self.encode(v, inner) for k, v in o.items()]
            return "{" + first + sep.join(items) + last + "}"
        if isinstance(o, (Iterator, array)):
            return self.encode(list(o), pad)
        if isinstance(o, Rows):
            return self.encode([dict(zip(o.keys, r, strict=True)) for r in o.rows], pad)
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    def write(self, out: Writable, o: Any, pad: str) -> None:
        """Write ``o``: dicts key by key, iterators and arrays item by item in batches."""
        if isinstance(o, Cleaned):
            self.cleaned.write(out, o.value, pad)
        elif isinstance(o, dict) and o:
            inner, first, sep, last = self._frame(pad)
            out.write("{" + first)
            for i, (k, v) in enumerate(o.items()):
                out.write((sep if i else "") + _key(k) + ": ")
                self.write(out, v, inner)
            out.write(last + "}")
        elif isinstance(o, Rows):
            self._write_rows(out, o, pad)
        elif isinstance(o, (Iterator, array)) or (isinstance(o, list) and len(o) > _BATCH):
            self._write_items(out, iter(o), pad)
        else:
            out.write(self.encode(o, pad))

    def _write_items(self, out: Writable, items: Iterator[Any], pad: str) -> None:
        inner, first, sep, last = self._frame(pad)
        batch: list[str] = []
        started = False
        for v in items:
            batch.append(self.encode(v, inner))
            if len(batch) == _BATCH:
                out.write((sep if started else "[" + first) + sep.join(batch))
                started = True
                batch = []
        if batch:
            out.write((sep if started else "[" + first) + sep.join(batch))
            started = True
        out.write(last + "]" if started else "[]")

    def _write_rows(self, out: Writable, rows: Rows, pad: str) -> None:
        inner, first, sep, last = self._frame(pad)
        row_inner, row_first, row_sep, row_last = self._frame(inner)
        heads = [
            (row_first if i == 0 else row_sep) + _string(k) + ": " for i, k in enumerate(rows.keys)
        ]
        tail = row_last + "}"
        enc = self.encode
        clean = self.clean

        def text(values: tuple[Any, ...]) -> str:
            parts = ["{"]
            for head, v in zip(heads, values, strict=True):
                t = type(v)
                if t is str:
                    parts.append(head + _string(v))
                elif t is float and clean and v.is_integer():
                    parts.append(head + int.__repr__(int(v)))
                else:
                    parts.append(head + enc(v, row_inner))
            parts.append(tail)
            return "".join(parts)

        batch: list[str] = []
        started = False
        for values in rows.rows:
            batch.append(text(values))
            if len(batch) == _BATCH:
                out.write((sep if started else "[" + first) + sep.join(batch))
                started = True
                batch = []
        if batch:
            out.write((sep if started else "[" + first) + sep.join(batch))
            started = True
        out.write(last + "]" if started else "[]")


def _encoder(indent: int | None) -> _Encoder:
    raw, cleaned = _Encoder(indent, False), _Encoder(indent, True)
    for e in (raw, cleaned):
        e.raw, e.cleaned = raw, cleaned
    return raw


def write(out: Writable, value: Any, *, indent: int | None) -> None:
    """Write ``json.dumps(value, indent=indent, allow_nan=False)`` to ``out`` piece by piece."""
    _encoder(indent).write(out, value, "")


def dumps(value: Any, *, indent: int | None) -> str:
    """The text ``write`` writes, as one string (for small values)."""
    return _encoder(indent).encode(value, "")


__all__ = ["Cleaned", "Rows", "Writable", "clean_float", "dumps", "write"]
