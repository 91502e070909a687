"""Problems of a bad scenario, located in its file, in words a person understands.

``ScenarioError`` carries them; the rest places a problem at its ``LINE:COL`` and renders
pydantic's errors the way the API server words its own.
"""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ValidationError,
)

from jobsim.k8s.cronjob import CronJob
from jobsim.k8s.decoding import QUANTITY_GO_TYPE, go_field, quantity_error, unmarshal_message
from jobsim.k8s.job import GO_INT_RANGE, Job, unmodelled_fields
from jobsim.locate import Mark, Marks, did_you_mean, with_mark
from jobsim.scenario.model import Scenario


class ScenarioError(Exception):
    """Every problem found in a scenario.

    ``problems`` holds ``LINE:COL: path: message`` where the place in the file is known, else
    ``path: message`` (a dict has no lines). ``lines`` and ``str()`` put the file first:
    ``FILE:LINE:COL: path: message`` or ``FILE: path: message``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        """Each problem with its file: what a person reads."""
        return [in_file(self.source, p) for p in self.problems]


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "constrained-", "json-or-python")):
            continue
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def pydantic_problems(
    err: ValidationError, prefix: str = "", *, data: Any = None, model: type[BaseModel] = Scenario
) -> list[str]:
    """pydantic errors as ``path: message`` lines, in words a person understands.

    ``data`` (the validated input) tells the input's keys from pydantic's union-branch tags;
    ``model`` (the validated model) gives the field names behind "did you mean".
    """
    out: list[str] = []
    for p in pydantic_items(err, data, model):
        path = p.text.split(": ", 1)[0]
        if prefix:
            joined = prefix + ("" if path.startswith("[") else ".") + path
            out.append(joined + p.text[len(path) :])
        else:
            out.append(p.text)
    return out


# -- placing problems in the file ------------------------------------------------------------


class Problem(NamedTuple):
    """A problem before it is placed: the key path to point at, and ``path: message``."""

    where: str
    text: str
    at_key: bool = False  # point at the key (an unknown field), not at its value
    mark: Mark | None = None  # a known place, used instead of looking ``where`` up


_LOCATED = re.compile(r"\d+:\d+: ")
_MANIFEST_PATH = re.compile(r"^(jobs\[\d+\])\.manifest(?=[.\[]|$)")


def in_file(source: str, problem: str) -> str:
    """``FILE:LINE:COL: ...`` for a located problem, ``FILE: ...`` otherwise."""
    return f"{source}:{problem}" if _LOCATED.match(problem) else f"{source}: {problem}"


def _mark_of(p: Problem, marks: Marks | None) -> Mark | None:
    if p.mark is not None or marks is None:
        return p.mark
    where = p.where
    m = _MANIFEST_PATH.match(where)
    if m and f"{m[1]}.manifest" not in marks.values:  # the manifest is in a manifestFile
        where = f"{m[1]}.manifestFile"
    return marks.find(where, key=p.at_key)


def place(p: Problem, marks: Marks | None) -> str:
    """``LINE:COL: path: message`` where the place is known."""
    return with_mark(_mark_of(p, marks), p.text)


def placed(problems: list[Problem], marks: Marks | None) -> list[str]:
    """Each problem once, placed, in the order of the file (unplaced ones keep their order,
    after the placed ones)."""
    unplaced = (1 << 62, 0)
    found = [(_mark_of(p, marks), p) for p in _unique(problems)]
    found.sort(key=lambda mp: mp[0] or unplaced)
    return [with_mark(m, p.text) for m, p in found]


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once; the same words at two known places (a key written three times) are
    two problems."""
    seen: set[tuple[str, str, Mark | None]] = set()
    out: list[Problem] = []
    for p in problems:
        if (p.where, p.text, p.mark) not in seen:
            seen.add((p.where, p.text, p.mark))
            out.append(p)
    return out


def at_path(text: str) -> Problem:
    """A ``path: message`` line, placed at its path."""
    return Problem(text.split(": ", 1)[0], text)


def join_path(parent: str, child: str) -> str:
    if not child:
        return parent
    return parent + ("" if child.startswith("[") else ".") + child


def duplicate_key(path: str, first: Mark, again: Mark) -> Problem:
    return Problem(
        path,
        f"{path}: duplicate key (first at line {first[0]}, column {first[1]}); "
        "YAML would keep only the last value",
        mark=again,
    )


# -- pydantic errors in words ----------------------------------------------------------------

DISTRIBUTION_TAGS = frozenset(
    {
        "constant",
        "uniform",
        "exponential",
        "lognormal",
        "shiftedExponential",
        "gamma",
        "weibull",
        "empirical",
    }
)
"""The one-key mappings that name a distribution: their keys are not field names."""

_MISSING: Any = object()
_TYPE_TAGS = frozenset({"bool", "date", "datetime", "dict", "float", "int", "list", "none", "str"})
_TAG_PREFIXES = ("function-", "constrained-", "json-or-python", "lax-", "strict-", "nullable")


def _child(here: Any, part: str | int) -> Any:
    """The input value under ``part``; a distribution's parameters are named directly."""
    if isinstance(here, dict):
        if part in here:
            return here[part]
        if len(here) == 1:
            ((kind, params),) = here.items()
            if kind in DISTRIBUTION_TAGS and isinstance(params, dict) and part in params:
                return params[part]
        return _MISSING
    if isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
        return here[part]
    return _MISSING


def _is_tag(part: str | int, here: Any) -> bool:
    """A part of a pydantic ``loc`` that names a union branch, not a key of the input."""
    if not isinstance(part, str) or (isinstance(here, dict) and part in here):
        return False
    return (
        part in _TYPE_TAGS
        or part in DISTRIBUTION_TAGS
        or "[" in part
        or "(" in part
        or part.startswith(_TAG_PREFIXES)
    )


def _walk_loc(loc: tuple[str | int, ...], data: Any) -> tuple[list[str | int], int | None]:
    """The loc's keys and indexes, and the position of its first union-branch tag."""
    parts: list[str | int] = []
    first_tag: int | None = None
    here = data
    for i, part in enumerate(loc):
        if _is_tag(part, here):
            if first_tag is None:
                first_tag = i
            continue
        parts.append(part)
        here = _child(here, part)
    return parts, first_tag


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def got(v: Any) -> str:
    """A bad input value, briefly."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, int | float):
        text = repr(v)
        return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"
    if isinstance(v, str):
        return repr(v) if len(v) <= 60 else repr(v[:57] + "...")
    return f"{type(v).__name__} {str(v)[:60]}"


_EXPECTED = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "list_type": "expected a list",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "greater than or equal to"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "less than or equal to"),
    "less_than": ("lt", "less than"),
}
_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


def _union_branches(
    found: list[tuple[Any, list[str | int], int | None]],
) -> dict[tuple[str | int, ...], str | int]:
    """For each union that failed, the branch to report: the one that got deepest into the
    input, and on a tie one with our own message (a value error) over a type mismatch."""
    best: dict[tuple[str | int, ...], tuple[str | int, tuple[int, bool]]] = {}
    for e, _, tag in found:
        if tag is None:
            continue
        loc = tuple(e["loc"])
        rank = (len(loc) - tag, e["type"] == "value_error")
        if loc[:tag] not in best or rank > best[loc[:tag]][1]:
            best[loc[:tag]] = (loc[tag], rank)
    return {k: v[0] for k, v in best.items()}


def pydantic_items(err: ValidationError, data: Any, model: type[BaseModel]) -> list[Problem]:
    found = [(e, *_walk_loc(tuple(e["loc"]), data)) for e in err.errors()]
    branches = _union_branches(found)
    out: list[Problem] = []
    for e, parts, tag in found:
        if tag is not None and branches[tuple(e["loc"])[:tag]] != e["loc"][tag]:
            continue
        if model in (Job, CronJob) and (e["type"] == GO_INT_RANGE or e["type"] in _EXPECTED):
            out.append(_go_decode(e, parts, model))
            continue
        path = _path(parts)
        message, at_key = _message(e, parts, data, model)
        out.append(Problem(path, f"{path or '(top level)'}: {message}", at_key))
    return _unique(out)


def _message(e: Any, parts: list[str | int], data: Any, model: type[BaseModel]) -> tuple[str, bool]:
    """What is wrong and what is expected; and whether to point at the key."""
    typ: str = e["type"]
    ctx: dict[str, Any] = e.get("ctx") or {}
    given = got(e.get("input"))
    name = parts[-1] if parts else None
    if typ == "extra_forbidden":
        word = str(name)
        models = _models_at(model, parts[:-1], data)
        names = _field_names(models)
        message = f"unknown field {word!r}"
        close = did_you_mean(word, names)
        if close is not None:
            message += f" (did you mean {close!r}?)"
        elif names and not any(unmodelled_fields(m) for m in models):
            message += "; expected one of: " + ", ".join(names)
        return message, True
    if typ == "missing":
        return "required field is missing", False
    if name == "probability" and (typ in _BOUNDS or typ in _EXPECTED):
        return f"expected a probability between 0 and 1, got {given}", False
    if typ in _EXPECTED:
        return f"{_EXPECTED[typ]}, got {given}", False
    if typ in _BOUNDS:
        key, words = _BOUNDS[typ]
        return f"must be {words} {ctx.get(key)}, got {given}", False
    if typ == "literal_error":
        return f"expected {ctx.get('expected')}, got {given}", False
    if typ == "too_short":
        n = ctx.get("min_length")
        return f"must have at least {n} item{'' if n == 1 else 's'}", False
    if typ == "string_pattern_mismatch" and ctx.get("pattern") == _DNS_LABEL:
        return (
            "must consist of lower case alphanumeric characters or '-', and must start and "
            f"end with an alphanumeric character (e.g. 'my-name', or '123-abc'), got {given}"
        ), False
    return str(e["msg"]).removeprefix("Value error, "), False


def _go_decode(e: Any, parts: list[str | int], model: type[BaseModel] = Job) -> Problem:
    """The API server's decode error for a manifest value its Go field cannot hold
    (``jobsim.k8s.decoding``); a quantity's is ``ParseQuantity``'s, placed at the amount as
    jobsim places a quantity string that does not parse."""
    value = (e.get("ctx") or {}).get("value") if e["type"] == GO_INT_RANGE else e.get("input")
    field = go_field(model, parts)
    if field.go_type != QUANTITY_GO_TYPE or not parts or isinstance(parts[-1], int):
        path = _path(parts)
        return Problem(path, f"{path or '(top level)'}: {unmarshal_message(value, field)}")
    err = quantity_error(_path(parts[:-1]) + f"[{parts[-1]}]", value)
    return Problem(err.field, str(err))


def _members(types: list[Any], here: Any) -> list[Any]:
    """The alternatives of these annotations; of several distributions, the one written."""
    out: list[Any] = []
    todo = list(types)
    while todo:
        t = todo.pop(0)
        origin = get_origin(t)
        if origin is Annotated:
            todo.insert(0, get_args(t)[0])
        elif origin is Union or origin is UnionType:
            todo[0:0] = list(get_args(t))
        elif t is not type(None):
            out.append(t)
    if isinstance(here, dict) and len(here) == 1:
        (kind,) = here
        chosen = [
            t
            for t in out
            if isinstance(t, type)
            and issubclass(t, BaseModel)
            and "kind" in t.model_fields
            and t.model_fields["kind"].default == kind
        ]
        if chosen:
            return chosen
    return out


def _models_at(model: type[BaseModel], parts: list[str | int], data: Any) -> list[type[BaseModel]]:
    """The models that may read the mapping at ``parts``."""
    types: list[Any] = [model]
    here = data
    for part in parts:
        nxt: list[Any] = []
        for t in _members(types, here):
            if isinstance(t, type) and issubclass(t, BaseModel):
                for fname, f in t.model_fields.items():
                    if part in (fname, f.alias):
                        nxt.append(f.annotation)
            elif get_origin(t) is list and isinstance(part, int):
                nxt.append(get_args(t)[0])
            elif get_origin(t) is dict:
                nxt.append(get_args(t)[1])
        types = nxt
        here = _child(here, part)
    return [t for t in _members(types, here) if isinstance(t, type) and issubclass(t, BaseModel)]


def _field_names(models: list[type[BaseModel]]) -> list[str]:
    """The keys these models accept: their fields, then the Kubernetes fields they drop."""
    names: list[str] = []
    for t in models:
        for fname, f in t.model_fields.items():
            if f.exclude is True or (fname == "kind" and get_origin(f.annotation) is Literal):
                continue
            names.append(f.alias or fname)
        names.extend(sorted(unmodelled_fields(t)))
    return list(dict.fromkeys(names))


__all__ = [
    "DISTRIBUTION_TAGS",
    "Problem",
    "ScenarioError",
    "at_path",
    "duplicate_key",
    "got",
    "in_file",
    "join_path",
    "place",
    "placed",
    "pydantic_items",
    "pydantic_problems",
]
