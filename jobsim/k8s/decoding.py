"""The API server's JSON decoder's words for a manifest value of the wrong type.

Upstream: ``sigs.k8s.io/json`` (Go's ``encoding/json``, kept case-sensitive), whose
``UnmarshalTypeError.Error()`` reads ``json: cannot unmarshal <JSON kind> into Go struct field
<Struct>.<path> of type <Go type>``: ``Struct`` is the innermost struct being filled, ``path``
the JSON field names from the top, without list indexes or map keys; a number into an integer
type shows its literal (``number 2.5``), into anything else only ``number``. A
``resource.Quantity`` parses whatever it is given (``Quantity.UnmarshalJSON``: a string, a
number, or the JSON text of anything else) and returns ``ParseQuantity``'s error.

kubectl sends a YAML manifest as JSON (``sigs.k8s.io/yaml``: ``json.Marshal`` of the parsed
YAML), so a number is written as Go writes a ``float64``: ``3.0`` arrives as ``3``, ``1e16`` as
``10000000000000000``, ``1e21`` as ``1e+21``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Final, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel

from jobsim.k8s.errors import FieldError, go_json, invalid
from jobsim.units import UnitError, parse_quantity

QUANTITY_PATTERN: Final = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
"""``splitREString`` of apimachinery's ``resource`` package."""
QUANTITY_FORMAT_MSG: Final = (
    f"quantities must match the regular expression '{QUANTITY_PATTERN.pattern}'"
)
"""``resource.ErrFormatWrong``."""
GO_TYPE_KEY: Final = "GO_TYPES"
"""The class attribute of a model naming the Go types of its fields that are named types
(``CompletionMode``, ``types.UID``); the others follow from their annotations."""
QUANTITY_GO_TYPE: Final = "resource.Quantity"
_INT_TYPES: Final = frozenset({"int", "int32", "int64"})
_MARSHAL_FIXED_MAX: Final = 1e21


def json_kind(v: Any) -> str:
    """The kind of JSON value ``encoding/json`` names in the error: bool, string, number,
    array or object."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, str):
        return "string"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, list | tuple):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "string"  # a YAML date or the like: kubectl's JSON holds it as text


def go_number(v: int | float) -> str:
    """A number as Go's ``json.Marshal`` writes a ``float64`` (``int`` as is): the shortest
    digits, fixed-point below 1e21 (and from 1e-6), else ``1e+21``, ``1e-7``."""
    if isinstance(v, int):
        return str(v)
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if math.isnan(v):
        return "NaN"
    if v.is_integer() and abs(v) < _MARSHAL_FIXED_MAX:
        return str(int(v))
    if 1e-6 <= abs(v) < _MARSHAL_FIXED_MAX:
        return format(Decimal(repr(v)), "f")
    mantissa, exponent = repr(v).split("e")
    sign = exponent[0] if exponent[0] in "+-" else "+"
    return f"{mantissa}e{sign}{int(exponent.lstrip('+-'))}"


def integral_number(v: Any) -> Any:
    """A whole ``float`` below 1e21 as the ``int`` kubectl's JSON holds (``3.0`` is ``3``);
    anything else unchanged."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < _MARSHAL_FIXED_MAX:
        return int(v)
    return v


class GoField(NamedTuple):
    """Where a value sits in the Go types: the innermost struct, the JSON path without
    indexes and keys, and the Go type of the value itself."""

    struct: str
    path: str
    go_type: str


def go_field(model: type[BaseModel], parts: list[str | int]) -> GoField:
    """The Go field of the value at ``parts`` (keys and list indexes from the top of
    ``model``)."""
    struct = model.__name__
    names: list[str] = []
    ann: Any = model
    go = f"v1.{model.__name__}"
    for part in parts:
        inner = _unwrap(ann)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            field = inner.model_fields.get(str(part))
            if field is None:
                break
            struct = inner.__name__
            names.append(str(part))
            ann = field.annotation
            go = getattr(inner, GO_TYPE_KEY, {}).get(str(part)) or _go_type(ann)
        elif get_origin(inner) is list:
            ann, go = get_args(inner)[0], go.removeprefix("[]")
        elif get_origin(inner) is dict:
            ann, go = get_args(inner)[1], _map_value(go)
        else:
            break
    return GoField(struct, ".".join(names), go)


def _map_value(go: str) -> str:
    if go == "v1.ResourceList":
        return QUANTITY_GO_TYPE
    return go.split("]", 1)[1] if go.startswith("map[") else go


def _unwrap(ann: Any) -> Any:
    """The annotation without ``| None`` and ``Annotated``."""
    while True:
        origin = get_origin(ann)
        if origin is Annotated:
            ann = get_args(ann)[0]
        elif origin is Union or origin is UnionType:
            args = [a for a in get_args(ann) if a is not type(None)]
            if len(args) != 1:
                return ann
            ann = args[0]
        else:
            return ann


class GoType(NamedTuple):
    """``Annotated`` metadata: the Go type of a field whose Python type does not say it."""

    name: str


def _go_type(ann: Any) -> str:
    """The Go type of a field from its annotation (``Int32`` is ``int32``; a model ``v1.X``)."""
    origin = get_origin(ann)
    if origin is Annotated:
        for meta in get_args(ann)[1:]:
            if isinstance(meta, GoType):
                return meta.name
        return _go_type(get_args(ann)[0])
    if origin is Union or origin is UnionType:
        args = [a for a in get_args(ann) if a is not type(None)]
        # a pointer is decoded into what it points to; str | int | float is a quantity
        return _go_type(args[0]) if len(args) == 1 else QUANTITY_GO_TYPE
    if origin is list:
        return "[]" + _go_type(get_args(ann)[0])
    if origin is dict:
        key, val = get_args(ann)
        return f"map[{_go_type(key)}]{_go_type(val)}"
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return f"v1.{ann.__name__}"
    return {str: "string", bool: "bool", int: "int", float: "float64"}.get(ann, "interface {}")


def unsupported_value(value: Any) -> str | None:
    """kubectl's refusal of a number JSON cannot hold (``json.Marshal`` of ``.inf`` or
    ``.nan``: ``UnsupportedValueError``), else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"json: unsupported value: {go_number(value)}"
    return None


def unmarshal_message(value: Any, field: GoField) -> str:
    """``UnmarshalTypeError.Error()`` for ``value`` put into ``field`` (kubectl's own refusal
    for a number JSON cannot hold)."""
    unsupported = unsupported_value(value)
    if unsupported is not None:
        return unsupported
    kind = json_kind(value)
    if kind == "number" and field.go_type in _INT_TYPES:
        kind += " " + go_number(value)
    return (
        f"json: cannot unmarshal {kind} into Go struct field {field.struct}.{field.path} "
        f"of type {field.go_type}"
    )


def quantity_text(value: Any) -> str:
    """What ``Quantity.UnmarshalJSON`` parses: a string without its quotes, else the JSON
    text of the value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return go_number(value)
    if isinstance(value, list | tuple | dict):
        return go_json(_as_json(value))
    return str(value)  # a YAML date: kubectl's JSON holds it as text


def _as_json(value: Any) -> Any:
    """``value`` with what JSON has no type for (a YAML date) as its text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def quantity_error(path: str, value: Any) -> FieldError:
    """``Quantity.UnmarshalJSON``'s refusal of ``value``, as a field error at ``path`` (the
    API server answers the bare ``ParseQuantity`` error; jobsim adds where and what)."""
    text = quantity_text(value)
    detail = unsupported_value(value) or QUANTITY_FORMAT_MSG
    if detail == QUANTITY_FORMAT_MSG and QUANTITY_PATTERN.match(text):
        try:
            parse_quantity(text)
        except UnitError as e:
            detail = str(e)
    return invalid(path, text, detail)


def as_sent(model: type[BaseModel], data: Any) -> Any:
    """A manifest as the API server decodes it after kubectl: keys that YAML read as numbers
    or booleans are strings (``sigs.k8s.io/yaml``: ``1`` is ``"1"``, ``true`` is ``"true"``),
    and ``null`` is what Go's decoder leaves: a field absent (a nil pointer, or a zero value
    jobsim models as absent), a required field, list element or map value its zero value
    (``""``, ``0``, ``false``, empty; a ``Quantity`` ``0``)."""
    return _sent(model, data)


def _sent(ann: Any, data: Any) -> Any:
    inner = _unwrap(ann)
    if isinstance(data, dict):
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out: dict[Any, Any] = {}
            for key, v in data.items():
                k = _json_key(key)
                f = inner.model_fields.get(k) if isinstance(k, str) else None
                if f is None:
                    out[k] = v
                elif v is not None:
                    out[k] = _sent(f.annotation, v)
                elif f.is_required():
                    out[k] = _zero(f.annotation)
            return out
        if get_origin(inner) is dict:
            val = get_args(inner)[1]
            return {
                _json_key(k): _zero(val) if v is None else _sent(val, v) for k, v in data.items()
            }
    if isinstance(data, list) and get_origin(inner) is list:
        el = get_args(inner)[0]
        return [_zero(el) if x is None else _sent(el, x) for x in data]
    return data


def _json_key(key: Any) -> Any:
    """``sigs.k8s.io/yaml``'s string for a YAML key (a bool, a number, a date); ``null`` is
    left for the model to refuse."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return go_number(key)
    return key if key is None or isinstance(key, str) else str(key)  # a date: its text


def _zero(ann: Any) -> Any:
    """The JSON form of a Go zero value of ``ann``'s type."""
    inner = _unwrap(ann)
    if get_origin(inner) in (Union, UnionType):
        return "0"  # str | int | float: a zero Quantity
    if get_origin(inner) is list:
        return []
    if get_origin(inner) is dict or (isinstance(inner, type) and issubclass(inner, BaseModel)):
        return {}
    return {str: "", bool: False, int: 0, float: 0.0}.get(inner)


def is_quantity(value: Any) -> bool:
    """Whether ``Quantity.UnmarshalJSON`` takes ``value``."""
    try:
        parse_quantity(quantity_text(value))
    except UnitError:
        return False
    return True


__all__ = [
    "GO_TYPE_KEY",
    "QUANTITY_FORMAT_MSG",
    "QUANTITY_GO_TYPE",
    "QUANTITY_PATTERN",
    "GoField",
    "GoType",
    "as_sent",
    "go_field",
    "go_number",
    "integral_number",
    "is_quantity",
    "json_kind",
    "quantity_error",
    "quantity_text",
    "unmarshal_message",
    "unsupported_value",
]
