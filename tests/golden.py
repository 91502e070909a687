"""Golden results: every ``scenarios/*.yaml`` has its ``--json`` result committed in
``scenarios/expected/<name>.json`` and its ``jobsim explain`` text in
``scenarios/expected/<name>.explain.txt``; CI compares both byte for byte. ``make golden``
regenerates them so that a change of behaviour shows up as a reviewed diff.

A scenario whose result with ``controlPlane: ideal`` (every control-plane mechanism it does
not set, off) differs from its result also has that one committed, in
``scenarios/expected/ideal/<name>.json``: the ideal model's timeline, kept byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from jobsim import load_scenario, simulate
from jobsim.api import narrate
from jobsim.narrate import render as render_lines

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPECTED = SCENARIOS / "expected"


def scenario_files() -> list[Path]:
    """Every scenario file, sorted."""
    return sorted(SCENARIOS.glob("*.yaml"))


def expected_path(scenario: Path) -> Path:
    """Where a scenario's golden result lives."""
    return EXPECTED / f"{scenario.stem}.json"


def ideal_path(scenario: Path) -> Path:
    """Where a scenario's golden result with ``controlPlane: ideal`` lives when it differs."""
    return EXPECTED / "ideal" / f"{scenario.stem}.json"


def explain_path(scenario: Path) -> Path:
    """Where a scenario's golden narration lives."""
    return EXPECTED / f"{scenario.stem}.explain.txt"


def render(scenario: Path) -> str:
    """The scenario's ``jobsim run --json`` text."""
    return simulate(load_scenario(scenario)).to_json() + "\n"


def ideal_data(scenario: Path) -> dict[str, Any]:
    """The scenario file's data with ``controlPlane: ideal``."""
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["controlPlane"] = "ideal"
    return data


def render_ideal(scenario: Path) -> str:
    """The scenario's ``--json`` text with ``controlPlane: ideal``."""
    ideal = load_scenario(ideal_data(scenario), base_dir=scenario.parent)
    return simulate(ideal).to_json() + "\n"


def render_explain(scenario: Path) -> str:
    """The scenario's ``jobsim explain`` text (with its lines on unfinished Jobs)."""
    return render_lines(narrate(simulate(load_scenario(scenario))))


def main(argv: list[str] | None = None) -> int:
    """``--regenerate`` rewrites every golden file; without it, report the differing ones."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    (EXPECTED / "ideal").mkdir(parents=True, exist_ok=True)
    bad = 0
    for path in scenario_files():
        real, ideal = render(path), render_ideal(path)
        target = ideal_path(path)
        if args.regenerate and ideal == real:
            target.unlink(missing_ok=True)
        elif args.regenerate:
            target.write_text(ideal, encoding="utf-8")
            sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
        elif ideal != real and (not target.exists() or target.read_text(encoding="utf-8") != ideal):
            bad += 1
            sys.stdout.write(f"differs: {target.relative_to(ROOT)}\n")
        for text, target in (
            (real, expected_path(path)),
            (render_explain(path), explain_path(path)),
        ):
            if args.regenerate:
                target.write_text(text, encoding="utf-8")
                sys.stdout.write(f"wrote {target.relative_to(ROOT)}\n")
            elif not target.exists() or target.read_text(encoding="utf-8") != text:
                bad += 1
                sys.stdout.write(f"differs: {target.relative_to(ROOT)}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
