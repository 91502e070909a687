"""Grammar fuzz of load and run: a shipped scenario, mutated, is refused cleanly or runs cleanly.

tests/test_fuzz_loader.py checks that loading never crashes; this goes on to the run. Each
example takes a valid scenario (scenarios/*.yaml, scenarios/teaching/*.yaml) and applies one to
three drawn mutations at drawn places of its document:

- a value replaced by one of another type (bool, str, float, int, None, list, dict);
- a magnitude: 0, -1, 2**31, 2**63, 2**1100, 1e308, inf, nan, -inf, a huge string, and
  edge values that are often valid (1, 2, ``0s``, ``1ms``, Go's largest duration);
- a key deleted (required or not), an unknown key added;
- a value wrapped in a list; a list element duplicated.

Then exactly one of:

- ``load_scenario`` raises ``ScenarioError`` whose every line names the scenario and a field
  path (``<scenario>: jobs[0].workload.duration: ...``); no other exception escapes;
- the scenario loads, ``simulate`` (cut at 1 h of virtual time, the stall guard on) ends,
  raising nothing but ``RunStuck``, and ``Result.to_json()`` is strict JSON (no ``Infinity``,
  ``NaN``), within the time hypothesis allows.

Examples: five times the profile's (tests/conftest.py): 500 under ``ci``, derandomized, of
which about one in six loads and runs.
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jobsim.api import RunStuck, ScenarioError, load_scenario, simulate
from jobsim.scenario.loader import load_data

ROOT = Path(__file__).parent.parent
SOURCES = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "teaching").glob("*.yaml")
)
DOCS: list[tuple[Path, dict[str, Any]]] = [(p, yaml.safe_load(p.read_text())) for p in SOURCES]
CUT = 3600.0
"""Virtual seconds a run may last here: a scenario's own horizon or 1 h, whichever is first."""

pytestmark = pytest.mark.slow  # hundreds of loads and runs

EXAMPLES = 5 * settings().max_examples  # 500 under ``ci``: about 18 s, most of it at-scale's runs
FUZZ = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MAGNITUDES: list[Any] = [
    *(0, -1, 2**31, 2**63, 2**1100, 1e308, math.inf, -math.inf, math.nan, "9" * 400),
    *(1, 2, 0.0, "0s", "1ms", "2562047h"),  # often valid: edge values that reach a run
]
"""Not 2**31 - 1: a NonIndexed Job of that parallelism is valid and creates pods without end
(about a million in an hour of virtual time: minutes of run, a gigabyte of JSON), a known
scale limit reported with this fuzzer."""
OTHER_TYPES = st.sampled_from([True, False, "x", "10s", 0.5, 7, None, [], {}, [1], {"a": 1}])
HOW = ["retype", "magnitude", "delete", "add_key", "wrap", "duplicate"]
"""The mutations, each at a place drawn among the document's paths."""

# ``<scenario>: PATH: message`` where PATH is a field path (``(top level)`` for the whole;
# a key may hold a colon: ``timing.imagePull.perl:5.34.0``).
LOCATED = re.compile(r"^<scenario>: (\(top level\)|[A-Za-z_]\S*): ")


def places(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a document (mapping keys and list indexes), the root first."""
    out: list[tuple[Any, ...]] = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(places(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(places(v, (*prefix, i)))
    return out


def mutate(doc: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    """``doc`` with one change at ``path`` (the root is replaced or wrapped itself)."""
    if not path:
        return [doc] if how == "wrap" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    here = parent[last]
    if how == "delete":
        del parent[last]
    elif how == "add_key" and isinstance(here, dict):
        here["unknownField"] = value
    elif how == "wrap":
        parent[last] = [here]
    elif how == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(here))
    else:
        parent[last] = value
    return doc


MUTATION = st.tuples(
    st.floats(0, 1, exclude_max=True),
    st.sampled_from(HOW),
    st.sampled_from(MAGNITUDES),
    OTHER_TYPES,
)


def strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} in the JSON output")

    return json.loads(text, parse_constant=refuse)


def check(doc: Any, base: Path) -> str:
    """Load and run ``doc``; what happened (``refused``, ``stuck`` or ``ran``)."""
    try:
        if isinstance(doc, dict):
            scenario = load_scenario(doc, base_dir=base)
        else:  # the root wrapped in a list: what load_scenario does with such a file's data
            scenario = load_data(doc, None, "<scenario>", base)
    except ScenarioError as e:
        assert e.problems, "a ScenarioError lists at least one problem"
        for line in e.lines:
            assert LOCATED.match(line), f"not located: {line!r}"
        return "refused"
    horizon = scenario.horizon if scenario.horizon is not None else math.inf
    try:
        result = simulate(scenario, until=min(horizon, CUT))
    except RunStuck:
        return "stuck"
    strict_json(result.to_json())
    assert 0 <= result.end <= min(horizon, CUT)
    return "ran"


@settings(FUZZ)
@given(
    which=st.integers(0, len(DOCS) - 1),
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
)
def test_mutated_scenario_is_refused_or_runs(
    which: int, mutations: list[tuple[float, str, Any, Any]]
) -> None:
    path, original = DOCS[which]
    doc: Any = copy.deepcopy(original)
    for where, how, magnitude, other in mutations:
        found = places(doc)
        value = magnitude if how == "magnitude" else other
        doc = mutate(doc, found[int(where * len(found))], how, copy.deepcopy(value))
    event(check(doc, path.parent))


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_shipped_scenarios_run_cleanly(path: Path) -> None:
    """The fuzzer's seeds: each shipped scenario, unmutated, loads and runs cleanly."""
    assert check(copy.deepcopy(dict(DOCS[SOURCES.index(path)][1])), path.parent) == "ran"
