"""Golden results: every ``scenarios/*.yaml`` has its ``--json`` result committed in
``scenarios/expected/<name>.json`` and its ``jobsim explain`` text in
``scenarios/expected/<name>.explain.txt``; CI compares both byte for byte. ``make golden``
regenerates them so that a change of behaviour shows up as a reviewed diff.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def explain_path(scenario: Path) -> Path:
    """Where a scenario's golden narration lives."""
    return EXPECTED / f"{scenario.stem}.explain.txt"


def render(scenario: Path) -> str:
    """The scenario's ``jobsim run --json`` text."""
    return simulate(load_scenario(scenario)).to_json() + "\n"


def render_explain(scenario: Path) -> str:
    """The scenario's ``jobsim explain`` text (with its lines on unfinished Jobs)."""
    return render_lines(narrate(simulate(load_scenario(scenario))))


def main(argv: list[str] | None = None) -> int:
    """``--regenerate`` rewrites every golden file; without it, report the differing ones."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    EXPECTED.mkdir(exist_ok=True)
    bad = 0
    for path in scenario_files():
        for text, target in (
            (render(path), expected_path(path)),
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
