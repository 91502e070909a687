"""YAML reading (issue 13, part 5): libyaml's loader where PyYAML has it, with exactly the
pure-Python loader's values, places and problems; the alias guard counts alias expansions
only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import jobsim.locate as locate
from jobsim.locate import MAX_VALUES, YAMLProblem, read_yaml

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").rglob("*.yaml")) + sorted((ROOT / "notebooks").glob("*.yaml"))


def test_pyyaml_here_has_libyaml() -> None:
    """The fast path is taken on this machine (PyYAML's wheels ship libyaml)."""
    assert locate._FAST_LOADER is getattr(yaml, "CSafeLoader", None) is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_loaders_read_the_same_values_and_places(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    docs_fast = locate.read_yaml_documents(text)
    monkeypatch.setattr(locate, "_FAST_LOADER", None)
    docs_pure = locate.read_yaml_documents(text)
    assert [d for d, _ in docs_fast] == [d for d, _ in docs_pure]
    for (_, a), (_, b) in zip(docs_fast, docs_pure, strict=True):
        assert (a.values, a.keys, a.duplicates) == (b.values, b.keys, b.duplicates)


def test_a_problem_keeps_the_pure_loaders_words_and_place() -> None:
    """libyaml says "mapping values are not allowed in this context"; the message stays the
    pure loader's, at its line and column."""
    with pytest.raises(YAMLProblem) as info:
        read_yaml("a:\n  b: c: d\n")
    assert str(info.value) == "2:7: malformed YAML: mapping values are not allowed here"


def test_billion_laughs_is_refused() -> None:
    """Nine levels of nine aliases: 9**9 values from a few lines."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(YAMLProblem) as info:
        read_yaml("\n".join(lines) + "\n")
    assert str(info.value) == (
        f"the document's aliases (*name) expand to more than {MAX_VALUES} values; "
        "write the values out instead"
    )


@pytest.mark.slow
def test_values_written_out_do_not_count_as_alias_expansions() -> None:
    """More plain values than the alias limit, and no alias: read (the 64 MiB cap bounds
    the input instead)."""
    n = MAX_VALUES + 10
    data, _ = read_yaml("v: [" + ", ".join(["0"] * n) + "]\n")
    assert len(data["v"]) == n
