"""Field errors rendered exactly as the API server renders them.

Upstream: k8s.io/apimachinery/pkg/util/validation/field/errors.go (v1.36): ``Error()`` is
``"<field>: " + ErrorBody()``; values are rendered with ``%v`` for numbers, ``%q`` for plain
strings and JSON for everything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final


class ErrorType(StrEnum):
    """``field.ErrorType``: the ``reason`` of a ``status.details.causes[]`` entry."""

    REQUIRED = "FieldValueRequired"
    FORBIDDEN = "FieldValueForbidden"
    TOO_LONG = "FieldValueTooLong"
    INVALID = "FieldValueInvalid"
    NOT_SUPPORTED = "FieldValueNotSupported"
    DUPLICATE = "FieldValueDuplicate"
    TOO_MANY = "FieldValueTooMany"


class _Omit:
    """``field.OmitValueType``: the value is not shown in the message."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit()


@dataclass(frozen=True, slots=True)
class GoJSON:
    """A bad value already rendered (e.g. a Go struct whose JSON keeps field order, not sorted)."""

    text: str

    def __str__(self) -> str:
        return self.text


def go_json(value: Any) -> str:
    """``json.Marshal``: compact, map keys sorted, ``<``, ``>``, ``&`` escaped as Go does."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return _go_html_escape(text)


def go_json_struct(fields: list[tuple[str, Any]]) -> GoJSON:
    """``json.Marshal`` of a struct: keys in declaration order; values may be ``GoJSON``."""
    parts = [f"{json.dumps(k)}:{_render_json_part(v)}" for k, v in fields]
    return GoJSON("{" + ",".join(parts) + "}")


def go_json_list(items: list[Any]) -> GoJSON:
    """``json.Marshal`` of a slice whose elements may be ``GoJSON``."""
    return GoJSON("[" + ",".join(_render_json_part(v) for v in items) + "]")


def _render_json_part(value: Any) -> str:
    if isinstance(value, GoJSON):
        return value.text
    return go_json(value)


def _go_html_escape(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_GO_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def go_quote(text: str) -> str:
    """Go ``strconv.Quote`` / ``%q`` of a string."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def go_quote_list(values: list[str]) -> str:
    """Go ``%q`` of a ``[]string``: ``["In" "NotIn"]`` (space-separated, bracketed)."""
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def render_value(value: Any) -> str:
    """Render a bad value the way ``field.Error`` does (v1.34+)."""
    if isinstance(value, GoJSON):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation error: (type, field path, bad value, detail), rendered once."""

    type: ErrorType
    field: str
    value: Any = OMIT
    detail: str = ""

    def body(self) -> str:
        """``ErrorBody()``: the message without the field path."""
        t = self.type
        if t in (ErrorType.REQUIRED, ErrorType.FORBIDDEN):
            label = "Required value" if t is ErrorType.REQUIRED else "Forbidden"
            return f"{label}: {self.detail}" if self.detail else label
        if t is ErrorType.TOO_LONG:
            return f"Too long: {self.detail}" if self.detail else "Too long"
        if t is ErrorType.DUPLICATE:
            text = f"Duplicate value: {render_value(self.value)}"
            return f"{text}: {self.detail}" if self.detail else text
        if t is ErrorType.TOO_MANY:
            return f"Too many: {render_value(self.value)}: {self.detail}"
        label = "Invalid value" if t is ErrorType.INVALID else "Unsupported value"
        if self.value is OMIT:
            return f"{label}: {self.detail}"
        return f"{label}: {render_value(self.value)}: {self.detail}"

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def with_detail(self, detail: str) -> FieldError:
        """A copy with ``Detail`` set, as upstream sets it on a ``field.Duplicate``."""
        return FieldError(self.type, self.field, self.value, detail)


def required(field: str, detail: str = "") -> FieldError:
    """``field.Required``."""
    return FieldError(ErrorType.REQUIRED, field, OMIT, detail)


def forbidden(field: str, detail: str) -> FieldError:
    """``field.Forbidden``."""
    return FieldError(ErrorType.FORBIDDEN, field, OMIT, detail)


def invalid(field: str, value: Any, detail: str) -> FieldError:
    """``field.Invalid``; pass ``OMIT`` to leave the value out."""
    return FieldError(ErrorType.INVALID, field, value, detail)


def not_supported(field: str, value: Any, supported: list[str]) -> FieldError:
    """``field.NotSupported``: lists the supported values, each quoted."""
    listed = ", ".join(json.dumps(s) for s in supported)
    return FieldError(ErrorType.NOT_SUPPORTED, field, value, f"supported values: {listed}")


def duplicate(field: str, value: Any) -> FieldError:
    """``field.Duplicate``."""
    return FieldError(ErrorType.DUPLICATE, field, value)


def too_many(field: str, actual: int, limit: int) -> FieldError:
    """``field.TooMany``."""
    noun = "item" if limit == 1 else "items"
    return FieldError(ErrorType.TOO_MANY, field, actual, f"must have at most {limit} {noun}")


def too_long(field: str, limit: int) -> FieldError:
    """``field.TooLong`` (v1.32+ wording; the value is never shown)."""
    return FieldError(ErrorType.TOO_LONG, field, OMIT, f"may not be more than {limit} bytes")


def aggregate_message(kind: str, name: str, errors: list[FieldError]) -> str:
    """``apierrors.NewInvalid`` message: identical texts collapse, several are bracketed."""
    texts: list[str] = []
    for e in errors:
        s = str(e)
        if s not in texts:
            texts.append(s)
    agg = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return f'{kind} "{name}" is invalid: {agg}'


__all__ = [
    "OMIT",
    "ErrorType",
    "FieldError",
    "GoJSON",
    "aggregate_message",
    "duplicate",
    "forbidden",
    "go_json",
    "go_json_list",
    "go_json_struct",
    "go_quote",
    "go_quote_list",
    "invalid",
    "not_supported",
    "render_value",
    "required",
    "too_long",
    "too_many",
]
