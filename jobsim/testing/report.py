"""What a failing test shows: the scenario as YAML and the narrated timeline of its Jobs.

The YAML is the scenario exactly as the test ran it, ready to save and replay with
``jobsim run``/``jobsim explain``; the timeline is :func:`jobsim.narrate.explain`'s lines.
"""

from __future__ import annotations

from typing import Any

import yaml

from jobsim.narrate import explain, render
from jobsim.results import Result

__all__ = ["failure_report", "scenario_yaml", "timeline"]

END_OF_SCENARIO = "# end of falsifying.yaml"
"""The line after the YAML: a comment, harmless if copied with it, where the YAML stops."""

MAX_LINES = 80
"""Longest timeline a message shows: its first and last lines, the middle elided."""


def scenario_yaml(data: dict[str, Any]) -> str:
    """``data`` as the YAML text of a scenario file (keys in their given order)."""
    text: str = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    return text


def timeline(result: Result, job: str | None = None, *, max_lines: int = MAX_LINES) -> str:
    """The narrated timeline of ``job`` (default: every Job), at most ``max_lines`` lines."""
    try:
        lines = explain(result, job=job)
    except KeyError:
        lines = explain(result)
    if len(lines) > max_lines:
        head, tail = max_lines // 2, max_lines - max_lines // 2
        skipped = len(lines) - max_lines
        return (
            render(lines[:head])
            + f"… {skipped} lines left out (the whole: jobsim explain) …\n"
            + render(lines[-tail:])
        )
    return render(lines)


def failure_report(result: Result, job: str | None = None) -> str:
    """The timeline of ``job`` (default: every Job) and, if the Result kept it, the scenario
    as YAML with how to replay it."""
    who = "every Job" if job is None else f"Job {job}"
    parts = [f"Timeline of {who} (jobsim explain), seed {result.seed}:", timeline(result, job)]
    if result.source is not None:
        replay = "jobsim explain falsifying.yaml" + ("" if job is None else f" --job {job}")
        if result.seed != result.source.get("seed", 0):
            replay += f" --seed {result.seed}"
        parts += [
            f"Scenario (save it as falsifying.yaml; `{replay}` replays it):",
            scenario_yaml(result.source) + END_OF_SCENARIO,
        ]
    return "\n".join(parts)
