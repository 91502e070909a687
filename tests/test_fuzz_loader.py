"""Fuzz of the scenario loader: whatever the input, a ``ScenarioError`` or a valid ``Scenario``.

Four sources of input: random YAML documents, random edits of the text of the shipped scenarios
(malformed YAML), and random mutations of the shipped scenarios and of their Job manifests
(a key deleted, a value of another type, a key with a typo, negative and huge numbers, a value
wrapped in a list or a mapping). Every loading goes through a file, so that the code placing
problems at a line and column runs too. 2 900 examples in all (about 15 s).
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsim.k8s.job import Job
from jobsim.locate import YAMLProblem, read_yaml
from jobsim.scenario import Scenario, ScenarioError, decode_job, load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in SCENARIOS]
DATA: list[dict[str, Any]] = [yaml.safe_load(t) for t in TEXTS]
MANIFESTS = [j["manifest"] for d in DATA for j in d.get("jobs", []) if "manifest" in j]

pytestmark = pytest.mark.slow  # every test here is a fuzz run of hundreds of examples

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Huge, up to past float's range (2**1100: float() of it raises OverflowError, which
# jobsim.units.parse_duration once let escape).
INTS = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(
    [-1, 0, 2**31, 2**63, -(2**63), 10**30, 10**300, 2**1100, -(2**1100)]
)
SCALARS = (
    st.none()
    | st.booleans()
    | INTS
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.dates()
    | st.binary(max_size=4)
    | st.sampled_from(["10s", "-5s", "1m30s", "abc", "16Gi", "-1", "500m", "1e400", "", "Job"])
)
KEYS = st.text(max_size=10) | st.sampled_from(
    ["cluster", "jobs", "events", "nodePools", "manifest", "workload", "duration", "at", "spec"]
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=4),
    max_leaves=25,
)
HUGE = [2**63, -(2**63), 10**30, 10**300, 1e308, -1e308, math.inf, -math.inf, math.nan]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def load_file(folder: Path, text: str) -> None:
    """Load ``text`` as a scenario file: it must load or raise a located ``ScenarioError``."""
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario(path)
    except ScenarioError as e:
        assert e.problems, "a ScenarioError lists at least one problem"
        for line in e.lines:
            assert line.startswith(f"{path}:"), line
        return
    assert isinstance(scenario, Scenario)
    assert all(w.startswith(f"{path}:") for w in scenario.warnings)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# -- random YAML documents --------------------------------------------------------------------


@settings(FUZZ, max_examples=600)
@given(doc=DOCUMENTS)
def test_random_documents(folder: Path, doc: Any) -> None:
    load_file(folder, dump(doc))
    if isinstance(doc, dict):
        with contextlib.suppress(ScenarioError):
            load_scenario(doc)
    result = decode_job(doc)
    assert isinstance(result, Job | list)


@settings(FUZZ, max_examples=500)
@given(
    which=st.integers(0, len(TEXTS) - 1),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1), st.integers(0, 6), st.sampled_from(list(":-[]{}&*!|>'\"#\t\n ,?%@`\\"))
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_text_edits(folder: Path, which: int, edits: list[tuple[float, int, str]]) -> None:
    """Characters that matter to YAML inserted into, or text deleted from, a valid scenario."""
    text = TEXTS[which]
    for where, cut, char in edits:
        at = int(where * len(text))
        text = text[:at] + char + text[at + cut :]
    load_file(folder, text)


# -- mutations of valid scenarios and manifests -----------------------------------------------


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a document (mapping keys and list indexes)."""
    out: list[tuple[Any, ...]] = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(paths(v, (*prefix, i)))
    return out


def typo(key: str, rnd: int) -> str:
    """A near miss: a letter dropped, doubled, swapped or changed."""
    if not key:
        return "x"
    i = rnd % len(key)
    match rnd % 4:
        case 0:
            return key[:i] + key[i + 1 :] or "x"
        case 1:
            return key[:i] + key[i] + key[i:]
        case 2:
            return key[:i] + key[i + 1 : i + 2] + key[i : i + 1] + key[i + 2 :]
        case _:
            return key[:i] + ("z" if key[i] != "z" else "y") + key[i + 1 :]


MUTATIONS = ["delete", "retype", "typo", "negative", "huge", "wrap_list", "wrap_map", "unwrap"]


def mutate(doc: Any, path: tuple[Any, ...], how: str, rnd: int, other: Any) -> Any:
    """``doc`` with one change at ``path``."""
    if not path:
        return other if how == "retype" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    value = parent[last]
    if how == "delete":
        del parent[last]
    elif how == "typo" and isinstance(parent, dict) and isinstance(last, str):
        renamed = {(typo(k, rnd) if k == last else k): v for k, v in parent.items()}
        parent.clear()
        parent.update(renamed)
    elif how == "negative":
        if isinstance(value, int | float) and not isinstance(value, bool):
            parent[last] = -value - 1
        elif isinstance(value, str) and value[:1].isdigit():
            parent[last] = "-" + value
        else:
            parent[last] = -1
    elif how == "huge":
        parent[last] = HUGE[rnd % len(HUGE)]
    elif how == "wrap_list":
        parent[last] = [value]
    elif how == "wrap_map":
        parent[last] = {"value": value}
    elif how == "unwrap" and isinstance(value, dict | list) and value:
        parent[last] = next(iter(value.values())) if isinstance(value, dict) else value[0]
    else:
        parent[last] = other
    return doc


SMALL_DOCUMENTS = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=2) | st.dictionaries(KEYS, kids, max_size=2),
    max_leaves=4,
)
MUTATION = st.tuples(
    st.floats(0, 1, exclude_max=True),
    st.sampled_from(MUTATIONS),
    st.integers(0, 10**6),
    SMALL_DOCUMENTS,
)


def apply(doc: Any, mutations: list[tuple[float, str, int, Any]]) -> Any:
    for where, how, rnd, other in mutations:
        found = paths(doc)
        doc = mutate(doc, found[int(where * len(found))], how, rnd, other)
    return doc


@settings(FUZZ, max_examples=1000)
@given(which=st.integers(0, len(DATA) - 1), mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_scenarios(
    folder: Path, which: int, mutations: list[tuple[float, str, int, Any]]
) -> None:
    doc = apply(copy.deepcopy(DATA[which]), mutations)
    load_file(folder, dump(doc))


@settings(FUZZ, max_examples=800)
@given(
    which=st.integers(0, len(MANIFESTS) - 1),
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
    inline=st.booleans(),
)
def test_mutated_manifests(
    folder: Path, which: int, mutations: list[tuple[float, str, int, Any]], inline: bool
) -> None:
    """A mutated manifest: alone (``decode_job``), inline in a scenario, or in a manifestFile."""
    manifest = apply(copy.deepcopy(MANIFESTS[which]), mutations)
    try:
        data, marks = read_yaml(dump(manifest))
    except YAMLProblem as e:  # bytes dump as !!binary, which JSON lacks: refused where it is
        assert e.mark is not None and "!!binary" in e.message, e
    else:
        result = decode_job(data, marks=marks)
        if isinstance(result, list):
            assert result and all(re.match(r"(\d+:\d+: )?\S", p) for p in result), result
    scenario = copy.deepcopy(DATA[0])
    entry: dict[str, Any] = {"workload": {"duration": "10s"}}
    if inline:
        entry["manifest"] = manifest
    else:
        (folder / "job.yaml").write_text(dump(manifest), encoding="utf-8")
        entry["manifestFile"] = "job.yaml"
    scenario["jobs"] = [entry]
    scenario["events"] = []
    load_file(folder, dump(scenario))
