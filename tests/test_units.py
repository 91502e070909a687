"""Tests for jobsim.units, built from the upstream Go and Kubernetes test tables."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim.units import (
    UnitError,
    format_bytes,
    format_duration,
    format_quantity_millis,
    milli_value,
    parse_duration,
    parse_quantity,
    value,
)

NS = 1
US = 1000 * NS
MS = 1000 * US
SEC = 1000 * MS
MIN = 60 * SEC
HOUR = 60 * MIN
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)


def seconds(ns: int) -> float:
    """Nanoseconds to float seconds, correctly rounded."""
    return ns / SEC


def dec(mantissa: int, exponent: int) -> Fraction:
    """Kubernetes' decQuantity(mantissa, exponent, _) as an exact value."""
    return Fraction(mantissa) * Fraction(10) ** exponent


# ---------------------------------------------------------------------------
# parse_duration
# ---------------------------------------------------------------------------

# Go src/time/time_test.go: parseDurationTests.
GO_PARSE_DURATION_TESTS: list[tuple[str, int]] = [
    # simple
    ("0", 0),
    ("5s", 5 * SEC),
    ("30s", 30 * SEC),
    ("1478s", 1478 * SEC),
    # sign
    ("-5s", -5 * SEC),
    ("+5s", 5 * SEC),
    ("-0", 0),
    ("+0", 0),
    # decimal
    ("5.0s", 5 * SEC),
    ("5.6s", 5 * SEC + 600 * MS),
    ("5.s", 5 * SEC),
    (".5s", 500 * MS),
    ("1.0s", 1 * SEC),
    ("1.00s", 1 * SEC),
    ("1.004s", 1 * SEC + 4 * MS),
    ("1.0040s", 1 * SEC + 4 * MS),
    ("100.00100s", 100 * SEC + 1 * MS),
    # different units
    ("10ns", 10 * NS),
    ("11us", 11 * US),
    ("12µs", 12 * US),  # U+00B5
    ("12μs", 12 * US),  # U+03BC
    ("13ms", 13 * MS),
    ("14s", 14 * SEC),
    ("15m", 15 * MIN),
    ("16h", 16 * HOUR),
    # composite durations
    ("3h30m", 3 * HOUR + 30 * MIN),
    ("10.5s4m", 4 * MIN + 10 * SEC + 500 * MS),
    ("-2m3.4s", -(2 * MIN + 3 * SEC + 400 * MS)),
    ("1h2m3s4ms5us6ns", 1 * HOUR + 2 * MIN + 3 * SEC + 4 * MS + 5 * US + 6 * NS),
    ("39h9m14.425s", 39 * HOUR + 9 * MIN + 14 * SEC + 425 * MS),
    # large value
    ("52763797000ns", 52763797000 * NS),
    # more than 9 digits after decimal point, see https://golang.org/issue/6617
    ("0.3333333333333333333h", 20 * MIN),
    # 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64
    ("9007199254740993ns", ((1 << 53) + 1) * NS),
    # largest duration that can be represented by int64 in nanoseconds
    ("9223372036854775807ns", INT64_MAX),
    ("9223372036854775.807us", INT64_MAX),
    ("9223372036s854ms775us807ns", INT64_MAX),
    ("-9223372036854775808ns", INT64_MIN),
    ("-9223372036854775.808us", INT64_MIN),
    ("-9223372036s854ms775us808ns", INT64_MIN),
    # largest negative round trip value, see https://golang.org/issue/48629
    ("-2562047h47m16.854775808s", INT64_MIN),
    # huge string; issue 15011.
    ("0.100000000000000000000h", 6 * MIN),
    # This value tests the first overflow check in leadingFraction.
    ("0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827 * NS),
]

# The examples named in parse_duration's contract.
CONTRACT_DURATION_TESTS: list[tuple[str, int]] = [
    ("300ms", 300 * MS),
    ("-1.5h", -(HOUR + 30 * MIN)),
    ("2h45m", 2 * HOUR + 45 * MIN),
    ("1m30s", MIN + 30 * SEC),
    ("0", 0),
    ("1.5s", SEC + 500 * MS),
    ("10us", 10 * US),
    ("10µs", 10 * US),
    ("10μs", 10 * US),
    ("5ns", 5 * NS),
    ("+5s", 5 * SEC),
    ("1.s", SEC),
    (".5s", 500 * MS),
]


@pytest.mark.parametrize(("text", "ns"), GO_PARSE_DURATION_TESTS + CONTRACT_DURATION_TESTS)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == seconds(ns)


# Go src/time/time_test.go: parseDurationErrorTests. Go strings are bytes, so
# the invalid-UTF-8 inputs become the code points with the same values here.
GO_PARSE_DURATION_ERROR_TESTS: list[str] = [
    # invalid
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "\x85\x85",
    "\xffff",
    "hello \xffff world",
    "\ufffd",
    "\ufffd hello \ufffd world",
    # overflow
    "9223372036854775810ns",
    "9223372036854775808ns",
    "-9223372036854775809ns",
    "9223372036854776us",
    "3000000h",
    "9223372036854775.808us",
    "9223372036854ms775us808ns",
]

# Inputs named in parse_duration's contract, plus spacing and case variants.
CONTRACT_DURATION_ERRORS: list[str] = ["1", "1d", "5 s", " 5s", "5s ", "5S", "1e3s", "1.5", "-"]


@pytest.mark.parametrize("text", GO_PARSE_DURATION_ERROR_TESTS + CONTRACT_DURATION_ERRORS)
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(UnitError, match="invalid duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1", "missing unit"),
        ("1d", "unknown unit 'd'"),
        (".s", "no digits"),
        ("3000000h", "out of range"),
        ("", "no number"),
    ],
)
def test_parse_duration_error_says_what_and_expected(text: str, fragment: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_duration(text)
    message = str(info.value)
    assert fragment in message
    assert "expected a Go duration" in message


@pytest.mark.parametrize(
    ("number", "expected"), [(0, 0.0), (5, 5.0), (1.5, 1.5), (-2, -2.0), (0.25, 0.25)]
)
def test_parse_duration_numbers_are_seconds(number: int | float, expected: float) -> None:
    result = parse_duration(number)
    assert result == expected
    assert isinstance(result, float)


@pytest.mark.parametrize("bad", [True, False, float("nan"), float("inf"), float("-inf")])
def test_parse_duration_rejects_bools_and_non_finite(bad: float) -> None:
    with pytest.raises(UnitError):
        parse_duration(bad)


def test_unit_error_is_value_error() -> None:
    assert issubclass(UnitError, ValueError)


# ---------------------------------------------------------------------------
# format_duration
# ---------------------------------------------------------------------------

# Go src/time/time_test.go: durationTests (TestDurationString).
GO_DURATION_STRING_TESTS: list[tuple[str, int]] = [
    ("0s", 0),
    ("1ns", 1 * NS),
    ("1.1µs", 1100 * NS),
    ("2.2ms", 2200 * US),
    ("3.3s", 3300 * MS),
    ("4m5s", 4 * MIN + 5 * SEC),
    ("4m5.001s", 4 * MIN + 5001 * MS),
    ("5h6m7.001s", 5 * HOUR + 6 * MIN + 7001 * MS),
    ("8m0.000000001s", 8 * MIN + 1 * NS),
    ("2562047h47m16.854775807s", INT64_MAX),
    ("-2562047h47m16.854775808s", INT64_MIN),
]

# The examples named in format_duration's contract.
CONTRACT_FORMAT_TESTS: list[tuple[str, int]] = [
    ("0s", 0),
    ("1.5s", 1500 * MS),
    ("1m30s", 90 * SEC),
    ("2h0m0s", 2 * HOUR),
    ("300ms", 300 * MS),
    ("1µs", 1 * US),
]


@pytest.mark.parametrize(("text", "ns"), GO_DURATION_STRING_TESTS + CONTRACT_FORMAT_TESTS)
def test_format_duration(text: str, ns: int) -> None:
    assert format_duration(seconds(ns)) == text
    if 0 < ns < INT64_MAX:
        # TestDurationString also checks the negation. Float seconds cannot hold
        # -(2**63-1) ns, which clamps to -2**63, so that row is left out.
        assert format_duration(-seconds(ns)) == "-" + text


def test_format_duration_clamps_to_int64_nanoseconds() -> None:
    assert format_duration(1e12) == "2562047h47m16.854775807s"
    assert format_duration(-1e12) == "-2562047h47m16.854775808s"


def test_format_duration_rounds_to_nearest_nanosecond() -> None:
    assert format_duration(1.4e-9) == "1ns"
    assert format_duration(1.6e-9) == "2ns"
    assert format_duration(0.1) == "100ms"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), True])
def test_format_duration_rejects_non_finite_and_bools(bad: float) -> None:
    with pytest.raises(UnitError):
        format_duration(bad)


def test_duration_round_trip_random_milliseconds() -> None:
    # Go TestParseDurationRoundTrip: Duration(rand.Int31()) * Millisecond.
    rng = random.Random(20240611)
    for _ in range(100):
        ns = rng.randrange(1 << 31) * MS
        text = format_duration(seconds(ns))
        assert parse_duration(text) == seconds(ns)


@pytest.mark.parametrize("ns", [INT64_MAX, INT64_MIN])
def test_duration_round_trip_extremes(ns: int) -> None:
    # Go TestParseDurationRoundTrip: math.MaxInt64 and math.MinInt64.
    text = format_duration(seconds(ns))
    assert parse_duration(text) == seconds(ns)


# ---------------------------------------------------------------------------
# parse_quantity
# ---------------------------------------------------------------------------

# kubernetes staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_test.go:
# TestQuantityParse, table of valid inputs (expected value; the Format is not modelled).
K8S_QUANTITY_PARSE_TABLE: list[tuple[str, Fraction]] = [
    ("0", dec(0, 0)),
    ("0n", dec(0, 0)),
    ("0u", dec(0, 0)),
    ("0m", dec(0, 0)),
    ("0Ki", dec(0, 0)),
    ("0k", dec(0, 0)),
    ("0Mi", dec(0, 0)),
    ("0M", dec(0, 0)),
    ("0Gi", dec(0, 0)),
    ("0G", dec(0, 0)),
    ("0Ti", dec(0, 0)),
    ("0T", dec(0, 0)),
    # Quantity less numbers are allowed
    ("1", dec(1, 0)),
    # Binary suffixes
    ("1Ki", dec(1024, 0)),
    ("8Ki", dec(8 * 1024, 0)),
    ("7Mi", dec(7 * 1024**2, 0)),
    ("6Gi", dec(6 * 1024**3, 0)),
    ("5Ti", dec(5 * 1024**4, 0)),
    ("4Pi", dec(4 * 1024**5, 0)),
    ("3Ei", dec(3 * 1024**6, 0)),
    ("10Ti", dec(10 * 1024**4, 0)),
    ("100Ti", dec(100 * 1024**4, 0)),
    # Decimal suffixes
    ("5n", dec(5, -9)),
    ("4u", dec(4, -6)),
    ("3m", dec(3, -3)),
    ("9", dec(9, 0)),
    ("8k", dec(8, 3)),
    ("50k", dec(5, 4)),
    ("7M", dec(7, 6)),
    ("6G", dec(6, 9)),
    ("5T", dec(5, 12)),
    ("40T", dec(4, 13)),
    ("300T", dec(3, 14)),
    ("2P", dec(2, 15)),
    ("1E", dec(1, 18)),
    # Decimal exponents
    ("1E-3", dec(1, -3)),
    ("1e3", dec(1, 3)),
    ("1E6", dec(1, 6)),
    ("1e9", dec(1, 9)),
    ("1E12", dec(1, 12)),
    ("1e15", dec(1, 15)),
    ("1E18", dec(1, 18)),
    # Nonstandard but still parsable
    ("1e14", dec(1, 14)),
    ("1e13", dec(1, 13)),
    ("100.035k", dec(100035, 0)),
    # Things that look like floating point
    ("0.001", dec(1, -3)),
    ("0.0005k", dec(5, -1)),
    ("0.005", dec(5, -3)),
    ("0.05", dec(5, -2)),
    ("0.5", dec(5, -1)),
    ("0.00050k", dec(5, -1)),
    ("0.00500", dec(5, -3)),
    ("0.05000", dec(5, -2)),
    ("0.50000", dec(5, -1)),
    ("0.5e0", dec(5, -1)),
    ("0.5e-1", dec(5, -2)),
    ("0.5e-2", dec(5, -3)),
    ("10.035M", dec(10035, 3)),
    ("1.2e3", dec(12, 2)),
    ("1.3E+6", dec(13, 5)),
    ("1.40e9", dec(14, 8)),
    ("1.53E12", dec(153, 10)),
    ("1.6e15", dec(16, 14)),
    ("1.7E18", dec(17, 17)),
    ("9.01", dec(901, -2)),
    ("8.1k", dec(81, 2)),
    ("7.123456M", dec(7123456, 0)),
    ("6.987654321G", dec(6987654321, 0)),
    ("5.444T", dec(5444, 9)),
    ("40.1T", dec(401, 11)),
    ("300.2T", dec(3002, 11)),
    ("2.5P", dec(25, 14)),
    ("1.01E", dec(101, 16)),
    # Things that saturate/round
    ("3.001n", dec(4, -9)),
    ("1.1E-9", dec(2, -9)),
    ("0.0000000001", dec(1, -9)),
    ("0.0000000005", dec(1, -9)),
    ("0.00000000050", dec(1, -9)),
    ("0.5e-9", dec(1, -9)),
    ("0.9n", dec(1, -9)),
    ("0.00000012345", dec(124, -9)),
    ("0.00000012354", dec(124, -9)),
    ("9Ei", Fraction(INT64_MAX)),
    ("9223372036854775807Ki", Fraction(INT64_MAX)),
    ("12E", dec(12, 18)),
    # We'll accept fractional binary stuff, too.
    ("100.035Ki", dec(10243584, -2)),
    ("0.5Mi", dec(512 * 1024, 0)),
    ("0.05Gi", dec(536870912, -1)),
    ("0.025Ti", dec(274877906944, -1)),
    # Things written by trolls
    ("0.000000000001Ki", dec(2, -9)),  # rounds up, changes format
    (".001", dec(1, -3)),
    (".0001k", dec(100, -3)),
    ("1.", dec(1, 0)),
    ("1.G", dec(1, 9)),
]


@pytest.mark.parametrize("sign", ["", "-", "+"])
@pytest.mark.parametrize(("text", "expected"), K8S_QUANTITY_PARSE_TABLE)
def test_parse_quantity(text: str, expected: Fraction, sign: str) -> None:
    # TestQuantityParse also parses every row with a leading "-" and "+".
    result = parse_quantity(sign + text)
    assert result == (-expected if sign == "-" else expected)
    assert isinstance(result, Fraction)


# quantity_test.go: TestParseQuantityString (rows that are valid quantities),
# TestQuantityParseEmit (expected canonical string, read as a value) and
# checked_accessors_test.go rows, plus the edge cases named in the contract.
OTHER_QUANTITY_VALUES: list[tuple[str, Fraction]] = [
    ("0.025Ti", Fraction(25, 1000) * 2**40),
    ("1.025Ti", Fraction(1025, 1000) * 2**40),
    ("-1.025Ti", -Fraction(1025, 1000) * 2**40),
    ("1E-3", Fraction(1, 1000)),
    ("1024Mi", Fraction(2**30)),
    ("1000M", dec(1, 9)),
    (".001Ki", dec(1024, -3)),
    (".000001Ki", dec(1024, -6)),
    (".000000001Ki", dec(1024, -9)),
    (".000000000001Ki", dec(2, -9)),
    ("8Ei", Fraction(INT64_MAX)),
    ("-8Ei", Fraction(-INT64_MAX)),
    ("20Ei", Fraction(INT64_MAX)),
    ("9223372036854775808", Fraction(2**63)),  # decimal quantities are not capped
    ("18446744073709551616", Fraction(2**64)),
    ("100E", dec(1, 20)),
    ("-1e30", dec(-1, 30)),
    ("-9.5000000001Gi", Fraction(-10200547328107374183, 10**9)),
    # contract edge cases
    ("0.9Gi", Fraction(9, 10) * 2**30),
    ("500m", Fraction(1, 2)),
    ("1.5Gi", Fraction(3 * 2**29)),
    ("100M", Fraction(10**8)),
    ("1e3", Fraction(1000)),
    ("12Ki", Fraction(12288)),
    (".5", Fraction(1, 2)),
    ("-1", Fraction(-1)),
    ("+1", Fraction(1)),
    ("0.001m", Fraction(1, 10**6)),
    ("007", Fraction(7)),
    ("-0", Fraction(0)),
    ("1e-2147483647", dec(1, -9)),  # far below a nano: rounds up to 1n
    ("0e2147483647", Fraction(0)),
]


@pytest.mark.parametrize(("text", "expected"), OTHER_QUANTITY_VALUES)
def test_parse_quantity_values(text: str, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


# quantity_test.go: TestQuantityParse `invalid` list, TestQuantityParse's empty
# string, TestQuantityParseNonNumericPanic, TestInterpretExponentInt32Bounds
# (exponents past int32), and the rejections named in the contract.
K8S_INVALID_QUANTITIES: list[str] = [
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    "1e4294967297",
    " 1",
    "1 ",
    "",
    "Non-Numeric",
    "1E2147483648",
    "1E-2147483648",
    "1E9223372036854775808",
    # contract
    "1.1.1",
    "1Gb",
    "1 Gi",
    "1\tGi",
    "1Gi\n",
    "1e",
    "1ki",
    "1KI",
    "1K",
    "1e1.5",
    "1e3m",
    "--1",
    "1,5",
    "١",  # ARABIC-INDIC DIGIT ONE is not an ASCII digit
]

# No digits: ParseQuantity's int64 fast path reads these as 0, but the
# documented <number> grammar needs a digit, so parse_quantity rejects them.
DIGITLESS_QUANTITIES: list[str] = ["Gi", ".", "-", "+", "m", "-.", ".Gi", "E", "e3"]


@pytest.mark.parametrize("text", K8S_INVALID_QUANTITIES + DIGITLESS_QUANTITIES)
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(UnitError, match="invalid quantity"):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1Gb", "unexpected text 'Gb'"),
        ("1i", "unknown suffix 'i'"),
        ("Gi", "no digits"),
        ("", "empty"),
        ("1e4294967297", "int32"),
    ],
)
def test_parse_quantity_error_says_what_and_expected(text: str, fragment: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_quantity(text)
    message = str(info.value)
    assert fragment in message
    assert "expected a Kubernetes quantity" in message


def test_parse_quantity_guards_sizes_python_cannot_afford() -> None:
    with pytest.raises(UnitError, match="too large"):
        parse_quantity("1e2147483647")
    with pytest.raises(UnitError, match="longer than"):
        parse_quantity("1" * 5000)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, Fraction(0)),
        (2, Fraction(2)),
        (-3, Fraction(-3)),
        (0.5, Fraction(1, 2)),
        (0.1, Fraction(1, 10)),  # read from repr, not the binary float
        (1e-05, Fraction(1, 100000)),
        (2.5e9, Fraction(2500000000)),
        (1e-10, dec(1, -9)),
    ],
)
def test_parse_quantity_numbers(number: int | float, expected: Fraction) -> None:
    assert parse_quantity(number) == expected


@pytest.mark.parametrize("bad", [True, False, float("nan"), float("inf")])
def test_parse_quantity_rejects_bools_and_non_finite(bad: float) -> None:
    with pytest.raises(UnitError):
        parse_quantity(bad)


# ---------------------------------------------------------------------------
# value / milli_value
# ---------------------------------------------------------------------------

# checked_accessors_test.go: quantityAccessorCases rows (Value and MilliValue
# where upstream has no overflow TODO), quantity_test.go TestQuantityRoundUp
# (scale 0 is Value, scale -3 is MilliValue), and the contract's edge cases.
ACCESSOR_TABLE: list[tuple[str, int, int]] = [
    # input, Value(), MilliValue()
    ("1E", 10**18, 10**21),
    ("-9.5Gi", -10200547328, -10200547328000),
    ("-9.5000000001Gi", -10200547329, -10200547328108),
    ("9.01", 10, 9010),
    ("-9.01", -10, -9010),
    # contract
    ("0.9Gi", 966367642, 966367641600),
    ("500m", 1, 500),
    ("1.5Gi", 1610612736, 1610612736000),
    ("100M", 10**8, 10**11),
    ("1e3", 1000, 10**6),
    ("1E-3", 1, 1),
    ("12Ki", 12288, 12288000),
    (".5", 1, 500),
    ("-1", -1, -1000),
    ("+1", 1, 1000),
    ("0.001m", 1, 1),
    ("0.1m", 1, 1),
    ("1.5", 2, 1500),
    ("0", 0, 0),
    ("100m", 1, 100),
    ("1n", 1, 1),
]


@pytest.mark.parametrize(("text", "expected_value", "expected_milli"), ACCESSOR_TABLE)
def test_value_and_milli_value(text: str, expected_value: int, expected_milli: int) -> None:
    q = parse_quantity(text)
    assert value(q) == expected_value
    assert milli_value(q) == expected_milli


@pytest.mark.parametrize(
    ("text", "expected_value"),
    # checked_accessors_test.go: rows whose Value is exact in Go (capped at parse time).
    [("9223372036854775807", INT64_MAX), ("8Ei", INT64_MAX), ("-8Ei", -INT64_MAX)],
)
def test_value_at_int64_bounds(text: str, expected_value: int) -> None:
    q = parse_quantity(text)
    assert value(q) == expected_value
    # Go's MilliValue wraps here; Python ints keep the exact product.
    assert milli_value(q) == expected_value * 1000


# ---------------------------------------------------------------------------
# format_quantity_millis / format_bytes
# ---------------------------------------------------------------------------

# quantity_test.go: TestQuantityString, DecimalSI rows (as milli-units), plus
# the contract's examples.
FORMAT_MILLIS_TABLE: list[tuple[int, str]] = [
    (1, "1m"),
    (80, "80m"),
    (1080, "1080m"),
    (10**12, "1G"),
    (1000 * 10**9, "1G"),
    (3 * 10**6, "3k"),
    (300 * 10**9, "300M"),
    (10**15, "1T"),
    (10**21, "1E"),
    (10**24, "1e21"),
    (5 * 10**24, "5e21"),
    (1234567 * 10**9, "1234567M"),
    (0, "0"),
    # contract
    (500, "500m"),
    (2000, "2"),
    (1500, "1500m"),
    (250, "250m"),
    (100000, "100"),
]


@pytest.mark.parametrize(("millis", "expected"), FORMAT_MILLIS_TABLE)
def test_format_quantity_millis(millis: int, expected: str) -> None:
    assert format_quantity_millis(millis) == expected
    if millis:
        assert format_quantity_millis(-millis) == "-" + expected


# quantity_test.go: TestQuantityString, BinarySI rows, plus the contract's examples.
FORMAT_BYTES_TABLE: list[tuple[int, str]] = [
    (1024**3, "1Gi"),
    (300 * 1024**2, "300Mi"),
    (6 * 1024, "6Ki"),
    (1001 * 1024**3, "1001Gi"),
    (1024**4, "1Ti"),
    (5, "5"),
    (1025, "1025"),
    (0, "0"),
    # contract
    (17179869184, "16Gi"),
    (1000, "1000"),
    (1536, "1536"),
    (1536 * 1024, "1536Ki"),
    (1024**6, "1Ei"),
    (1024**7, "1024Ei"),
]


@pytest.mark.parametrize(("n", "expected"), FORMAT_BYTES_TABLE)
def test_format_bytes(n: int, expected: str) -> None:
    assert format_bytes(n) == expected
    if n:
        assert format_bytes(-n) == "-" + expected


@pytest.mark.parametrize("bad", [True, 1.5])
def test_formatters_reject_non_ints(bad: float) -> None:
    with pytest.raises(UnitError):
        format_bytes(bad)  # type: ignore[arg-type]
    with pytest.raises(UnitError):
        format_quantity_millis(bad)  # type: ignore[arg-type]


@settings(database=None, max_examples=300)
@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_format_quantity_millis_round_trips(millis: int) -> None:
    assert milli_value(parse_quantity(format_quantity_millis(millis))) == millis


@settings(database=None, max_examples=300)
@given(st.integers(min_value=-INT64_MAX, max_value=INT64_MAX))
def test_format_bytes_round_trips(n: int) -> None:
    assert value(parse_quantity(format_bytes(n))) == n


def test_format_bytes_of_minus_two_to_63_parses_back_capped() -> None:
    # "-8Ei" is binary-suffixed, so ParseQuantity caps its magnitude at 2**63-1.
    assert format_bytes(INT64_MIN) == "-8Ei"
    assert parse_quantity("-8Ei") == -INT64_MAX


@settings(database=None, max_examples=300)
@given(st.integers(min_value=INT64_MIN, max_value=INT64_MAX))
def test_format_duration_parses_back_within_float_precision(ns: int) -> None:
    assert parse_duration(format_duration(seconds(ns))) == pytest.approx(seconds(ns), rel=1e-15)


def test_huge_integer_duration_is_a_unit_error() -> None:
    """float(10**400) overflows: a UnitError, not an OverflowError escaping the loader."""
    with pytest.raises(UnitError, match="too large"):
        parse_duration(10**400)


def test_a_quantity_text_is_parsed_once_and_its_errors_every_time() -> None:
    """``parse_quantity`` caches a text's value (a Simulation reads its Jobs' requests again and
    again): the same Fraction object the second time; a bad text raises each time."""
    first = parse_quantity("1536Mi")
    assert first == Fraction(1536 * 2**20)
    assert parse_quantity("1536Mi") is first
    for _ in range(2):
        with pytest.raises(UnitError, match="unexpected text 'Gb' after the number"):
            parse_quantity("1Gb")
