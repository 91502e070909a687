"""A CronJob's ``spec.schedule`` parsed as the API server and the controller parse it.

Upstream both call ``cron.ParseStandard`` of ``github.com/robfig/cron/v3`` (``parser.go``:
``Parser.Parse``, ``normalizeFields``, ``getField``, ``getRange``, ``parseIntOrName``,
``mustParseInt``, ``parseDescriptor``): five fields (minute, hour, day of month, month, day of
week), names (``jan``, ``mon``) case-insensitive, ``*`` and ``?``, ranges, steps, lists, and the
descriptors ``@yearly``/``@annually``, ``@monthly``, ``@weekly``, ``@daily``/``@midnight``,
``@hourly`` and ``@every <duration>``. Errors carry robfig's words, which the API server puts
in its ``spec.schedule: Invalid value`` (``validateScheduleFormat``). This module only parses:
the times a schedule fires are ``jobsim.policy.cron``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobsim.units import UnitError, parse_duration

_MAX_INT = (1 << 63) - 1


class CronSyntaxError(ValueError):
    """``cron.ParseStandard``'s error, in its words."""


@dataclass(frozen=True, slots=True)
class _Bounds:
    min: int
    max: int
    names: dict[str, int] | None = None


_MINUTES = _Bounds(0, 59)
_HOURS = _Bounds(0, 23)
_DOM = _Bounds(1, 31)
_MONTHS = _Bounds(
    1,
    12,
    {
        m: i + 1
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        )
    },
)
_DOW = _Bounds(
    0, 6, {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
)

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
"""robfig's descriptors as the five fields they stand for (``parseDescriptor``)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field: the values it matches and whether it was ``*``/``?`` (robfig's ``starBit``,
    cleared by a step above 1)."""

    values: frozenset[int]
    star: bool


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed schedule: five fields, or ``every`` seconds (``@every``)."""

    minute: Field | None = None
    hour: Field | None = None
    dom: Field | None = None
    month: Field | None = None
    dow: Field | None = None
    every: float | None = None
    location: str | None = None  # a TZ=/CRON_TZ= prefix


def _atoi_error(expr: str, why: str) -> CronSyntaxError:
    quoted = '"' + expr.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return CronSyntaxError(
        f"failed to parse int from {expr}: strconv.Atoi: parsing {quoted}: {why}"
    )


def _must_parse_int(expr: str) -> int:
    """``mustParseInt``: Go's ``strconv.Atoi``, then no negative numbers."""
    body = expr[1:] if expr[:1] in "+-" else expr
    if not body or not body.isascii() or not body.isdigit():
        raise _atoi_error(expr, "invalid syntax")
    num = int(expr)
    if not -_MAX_INT - 1 <= num <= _MAX_INT:
        raise _atoi_error(expr, "value out of range")
    if num < 0:
        raise CronSyntaxError(f"negative number ({num}) not allowed: {expr}")
    return num


def _int_or_name(expr: str, names: dict[str, int] | None) -> int:
    if names is not None and expr.lower() in names:
        return names[expr.lower()]
    return _must_parse_int(expr)


def _get_range(expr: str, r: _Bounds) -> tuple[set[int], bool]:
    """``getRange``: one element of a list."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = r.min, r.max, True
    else:
        start = _int_or_name(low_and_high[0], r.names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], r.names)
        else:
            raise CronSyntaxError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _must_parse_int(range_and_step[1])
        if single:  # "N/step" means "N-max/step"
            end = r.max
        if step > 1:
            star = False
    else:
        raise CronSyntaxError(f"too many slashes: {expr}")
    if start < r.min:
        raise CronSyntaxError(f"beginning of range ({start}) below minimum ({r.min}): {expr}")
    if end > r.max:
        raise CronSyntaxError(f"end of range ({end}) above maximum ({r.max}): {expr}")
    if start > end:
        raise CronSyntaxError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronSyntaxError(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


def _get_field(text: str, r: _Bounds) -> Field:
    """``getField``: a comma-separated list (empty elements dropped, as ``FieldsFunc`` does)."""
    values: set[int] = set()
    star = False
    for expr in (e for e in text.split(",") if e):
        got, s = _get_range(expr, r)
        values |= got
        star = star or s
    return Field(frozenset(values), star)


def parse_standard(spec: str) -> CronSpec:
    """``cron.ParseStandard(spec)``, or ``CronSyntaxError`` with its message."""
    if not spec:
        raise CronSyntaxError("empty spec string")
    location: str | None = None
    if spec.startswith(("TZ=", "CRON_TZ=")):
        i, eq = spec.find(" "), spec.find("=")
        location = spec[eq + 1 : i] if i >= 0 else spec[eq + 1 :]
        spec = spec[i:].strip() if i >= 0 else ""
    if spec.startswith("@"):
        return _descriptor(spec, location)
    fields = spec.split()
    if len(fields) != 5:
        raise CronSyntaxError(
            f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
        )
    return CronSpec(
        _get_field(fields[0], _MINUTES),
        _get_field(fields[1], _HOURS),
        _get_field(fields[2], _DOM),
        _get_field(fields[3], _MONTHS),
        _get_field(fields[4], _DOW),
        location=location,
    )


def _descriptor(spec: str, location: str | None) -> CronSpec:
    """``parseDescriptor``: the named schedules, and ``@every <Go duration>`` (at least 1s,
    whole seconds: ``cron.Every``)."""
    if spec in DESCRIPTORS:
        parsed = parse_standard(DESCRIPTORS[spec])
        return CronSpec(
            parsed.minute, parsed.hour, parsed.dom, parsed.month, parsed.dow, location=location
        )
    every = "@every "
    if spec.startswith(every):
        text = spec[len(every) :]
        try:
            seconds = parse_duration(text)
        except UnitError:
            raise CronSyntaxError(
                f'failed to parse duration {spec}: time: invalid duration "{text}"'
            ) from None
        return CronSpec(every=max(float(int(seconds)), 1.0), location=location)
    raise CronSyntaxError(f"unrecognized descriptor: {spec}")


__all__ = ["DESCRIPTORS", "CronSpec", "CronSyntaxError", "Field", "parse_standard"]
