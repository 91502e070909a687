"""``jobsim run | validate``: the command line. The only module that prints."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console
from rich.table import Table

from jobsim.api_public import simulate
from jobsim.results import Result, outcome
from jobsim.scenario import ScenarioError, decode_job, load_scenario
from jobsim.sim.run import NotImplementedYet

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="jobsim: replay Kubernetes Jobs on a simulated cluster, in virtual time.",
)
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")

DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]


def _guard(debug: bool, fn: Callable[[], T]) -> T:
    """Bad input: its problems and exit 1. An internal error: one line and exit 70."""
    try:
        return fn()
    except ScenarioError as e:
        for p in e.problems:
            err.print(f"{e.source}: {p}", markup=False)
        raise typer.Exit(1) from None
    except NotImplementedYet as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    except Exception as e:
        if debug:
            traceback.print_exc()
        else:
            err.print(
                f"internal error: {type(e).__name__}: {e} "
                "(this is a jobsim bug; rerun with --debug for the traceback)",
                markup=False,
            )
        raise typer.Exit(70) from None


def _t(x: Any) -> str:
    return "-" if x is None else f"{x:g}s"


def _summary(result: Result) -> None:
    table = Table(title=f"scenario {result.scenario} (seed {result.seed})")
    for col in (
        "job",
        "outcome",
        "reason",
        "start",
        "completion",
        "duration",
        "succeeded",
        "failed",
        "pods created",
    ):
        table.add_column(
            col, justify="right" if col not in ("job", "outcome", "reason") else "left"
        )
    for j in result.jobs():
        st = j["status"]
        if "managedBy" in j:
            table.add_row(
                j["name"],
                "not managed",
                f"managedBy {j['managedBy']}",
                "-",
                "-",
                "-",
                "-",
                "-",
                "0",
            )
            continue
        what, reason = outcome(st)
        end = st.get("completionTime")
        if end is None:
            for c in st.get("conditions", []):
                if c["type"] == "Failed" and c["status"] == "True":
                    end = c["lastTransitionTime"]
        start = st.get("startTime")
        dur = None if end is None or start is None else end - start
        table.add_row(
            j["name"],
            what,
            reason,
            _t(start),
            _t(end),
            _t(dur),
            str(st.get("succeeded", 0)),
            str(st.get("failed", 0)),
            str(j["podsCreated"]),
        )
    out.print(table)


def _timeline(result: Result, limit: int) -> None:
    lines = result.timeline()
    out.print("timeline:")
    shown = (
        lines if len(lines) <= limit else [*lines[: limit // 2], (-1.0, "…"), *lines[-limit // 2 :]]
    )
    for t, line in shown:
        out.print(f"  {'' if t < 0 else f't={t:g}s':>10}  {line}", markup=False)


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.", min=0)] = None,
    events: Annotated[
        Path | None, typer.Option(help="Write the event log as JSON lines to this file.")
    ] = None,
    timeline_lines: Annotated[int, typer.Option("--lines", help="Timeline lines to show.")] = 40,
    debug: DebugOpt = False,
) -> None:
    """Run a scenario and print its summary and timeline (or --json)."""
    scenario = _guard(debug, lambda: load_scenario(file))
    result = _guard(debug, lambda: simulate(scenario, seed))
    if events is not None:
        with events.open("w", encoding="utf-8") as fh:
            for ev in result.to_dict()["events"]:
                fh.write(json.dumps(ev) + "\n")
    if json_out:
        sys.stdout.write(result.to_json() + "\n")
        return
    _summary(result)
    _timeline(result, timeline_lines)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A scenario or a bare Job manifest.")],
    debug: DebugOpt = False,
) -> None:
    """Check a scenario or a Job manifest the way the API server would."""

    def check() -> str:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as e:
            raise ScenarioError(str(file), [f"cannot read file: {e.strerror}"]) from None
        except yaml.YAMLError as e:
            raise ScenarioError(str(file), [f"malformed YAML: {e}"]) from None
        if isinstance(data, dict) and data.get("kind") == "Job":
            decoded = decode_job(data)
            if isinstance(decoded, list):
                raise ScenarioError(str(file), decoded)
            return f"{file}: OK (Job {decoded.metadata.namespace}/{decoded.metadata.name})"
        s = load_scenario(file)
        return (
            f"{file}: OK (scenario {s.name}: {len(s.manifests)} job(s), "
            f"{len(s.cluster.node_names())} node(s), {len(s.events)} event(s))"
        )

    out.print(_guard(debug, check), markup=False)


def main() -> None:
    """Console entry point."""
    app()
