"""What each command imports (issue 12, part 3: start-up time). ``jobsim --help`` must not pay
for the simulator, ``validate`` for the simulation, ``run`` for the experiments or the plots.
Pinned by the modules a fresh interpreter holds after each step, never by timing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from jobsim import cli
from jobsim.api import METRICS
from tests.helpers import ROOT

WATCHED = (
    "numpy",
    "pydantic",
    "yaml",
    "simpy",
    "pandas",
    "scipy",
    "matplotlib",
    "distributed",
    "plotly",
    "hypothesis",
    "markdown_it",  # typer's rich help (rich.markdown): click's plain help is used instead
    "pygments",  # likewise (rich.syntax)
    "rich",  # only for what prints a table or markup: cli.py's consoles are made on first use
    "jobsim.scenario",
    "jobsim.sim",
    "jobsim.run",
    "jobsim.experiment",
    "jobsim.plot",
    "jobsim.trace",
    "jobsim.narrate",
    "jobsim.stats",
    "jobsim.k8s.cronparse",  # a CronJob's schedule: parsed only when a scenario has one
    "jobsim.policy.cron",
)

# In one fresh interpreter: import, then --version, then validate, then run, noting after each
# step which WATCHED modules are loaded (each step can only add to the set).
SCRIPT = """
import contextlib, io, json, sys
watched = {watched!r}
seen = {{}}
def note(step):
    tops = {{m.split(".")[0] for m in sys.modules}} | {{m.rsplit(".", 1)[0] for m in sys.modules}}
    seen[step] = sorted(w for w in watched if w in tops or w in sys.modules)
import jobsim
note("import jobsim")
from jobsim.cli import app
note("import jobsim.cli")
for step, args in [("--version", ["--version"]), ("--help", ["--help"]),
                   ("validate", ["validate", "scenarios/pi.yaml"]),
                   ("run", ["run", "scenarios/pi.yaml"])]:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            app(args, prog_name="jobsim")
        except SystemExit as e:
            assert not e.code, (step, e.code)
    note(step)
assert callable(jobsim.experiment.sweep)  # a submodule not yet imported, as an attribute
print(json.dumps(seen))
"""


def _loaded() -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's jobsim, not an installed one
    code = SCRIPT.format(watched=WATCHED)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_each_command_imports_only_what_it_needs() -> None:
    loaded = _loaded()
    # the package root and the command line: neither the model nor any third-party library
    assert loaded["import jobsim"] == []
    assert loaded["import jobsim.cli"] == []
    assert loaded["--version"] == []
    assert loaded["--help"] == []
    # validate: the scenario's models and YAML; no simulation, no numpy (no stream is drawn),
    # no rich (its one line is plain text)
    assert loaded["validate"] == ["jobsim.scenario", "pydantic", "yaml"]
    # run: the simulation and its result; no experiments, plots, traces, tables or statistics
    # libraries (--trace, --timeline and --out import theirs when given); the kernel is
    # jobsim's own heap (jobsim/sim/engine.py), so not even SimPy
    assert loaded["run"] == [
        "jobsim.k8s.cronparse",  # the simulation's CronJob controller imports it
        "jobsim.policy.cron",
        "jobsim.run",
        "jobsim.scenario",
        "jobsim.sim",
        "jobsim.stats",  # the run's table: its Jobs' statistics
        "numpy",
        "pydantic",
        "rich",  # the run's tables
        "yaml",
    ]


def test_the_help_lists_every_metric() -> None:
    """cli.py writes the names out (importing them would load the experiments on --help)."""
    assert cli._METRICS == METRICS


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=400))
def test_a_plain_line_is_what_rich_writes(text: str) -> None:
    """cli.py's consoles write a line of printable ASCII themselves until rich is loaded: the
    bytes rich writes for it with their options, on a pipe and on a terminal, wider lines too."""
    from rich.console import Console

    for terminal in (False, True):
        for width in (160, 20):
            buffer = io.StringIO()
            Console(
                file=buffer,
                force_terminal=terminal,
                highlight=False,
                emoji=False,
                soft_wrap=True,
                width=width,
            ).print(text, markup=False)
            assert buffer.getvalue() == text + "\n"


def test_plain_lines_leave_rich_unloaded_and_the_rest_go_through_it() -> None:
    code = (
        "import io, sys\n"
        "from jobsim import cli\n"
        "sys.stdout = io.StringIO()\n"
        "cli.out.print('a [b] c', markup=False)\n"
        "before = 'rich' in sys.modules\n"
        "cli.out.print('tab\\there', markup=False)\n"  # not printable: rich expands the tab
        "text, sys.stdout = sys.stdout.getvalue(), sys.__stdout__\n"
        "print(repr((before, 'rich' in sys.modules, text)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == repr((False, True, "a [b] c\ntab     here\n"))


def test_what_typer_and_pydantic_read_at_start_is_not_a_string() -> None:
    """The commands' and the models' annotations are objects, not postponed strings: typer reads
    every command's signature two or three times a start and pydantic every field once, and
    each string costs a compile and an eval (cli.py and the model modules have no ``from
    __future__ import annotations``)."""
    from jobsim.distributions import Lognormal
    from jobsim.k8s.cronjob import CronJob
    from jobsim.k8s.job import Job, PodSpec
    from jobsim.k8s.pdb import PodDisruptionBudget
    from jobsim.scenario.model import Cluster, Scenario

    commands = [c.callback for c in cli.app.registered_commands]
    assert len(commands) == 11
    assert cli.app.registered_callback is not None
    for fn in [*commands, cli.app.registered_callback.callback]:
        assert fn is not None
        assert not [a for a in fn.__annotations__.values() if isinstance(a, str)], fn
    for model in (Lognormal, CronJob, Job, PodSpec, PodDisruptionBudget, Cluster, Scenario):
        assert not [a for a in model.__annotations__.values() if isinstance(a, str)], model


def _names(group: typer.Typer) -> list[str]:
    """The commands typer builds for ``group``, by their names on the command line."""
    built = typer.main.get_command(group)
    assert isinstance(built, typer.core.TyperGroup)
    return list(built.commands)


def test_a_command_named_first_is_built_alone_and_answers_the_same() -> None:
    """``main`` builds only the command the line names first (typer converts every command's
    parameters before parsing: about 4 % of ``validate``): the same name, help, usage errors."""
    from typer.testing import CliRunner

    names = _names(cli.app)
    assert len(names) == 11
    runner = CliRunner()
    for name in names:
        one = cli._for_argv(["jobsim", name, "--help"])
        assert one is not cli.app
        assert _names(one) == [name]
        for args in ([name, "--help"], [name], [name, "--no-such-option"]):
            whole = runner.invoke(cli.app, args, prog_name="jobsim")
            alone = runner.invoke(one, args, prog_name="jobsim")
            assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
    assert _names(cli.app) == names  # the app itself is left whole


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["valdate"], ["--debug", "run"]])
def test_anything_else_gets_the_whole_command_line(argv: list[str]) -> None:
    assert cli._for_argv(["jobsim", *argv]) is cli.app


def test_shell_completion_gets_the_whole_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_JOBSIM_COMPLETE", "complete_bash")
    assert cli._for_argv(["jobsim", "validate"]) is cli.app


def _models() -> list[type[BaseModel]]:
    import jobsim.scenario.model  # noqa: F401  # every model of a scenario, CronJobs and PDBs too

    found: list[type[BaseModel]] = []
    todo = list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        if model.__module__.startswith("jobsim."):
            found.append(model)
    return found


def test_no_model_default_is_made_by_a_builtin_with_a_text_signature() -> None:
    """pydantic reads a ``default_factory``'s signature when it builds the model, and a builtin
    with a text signature (``list``, ``tuple``; not ``dict`` nor ``set``) has it parsed by the
    tokenizer, its big regex compiled first: about 2 % of ``validate``. A default list is
    written as a value (``= []``), which pydantic copies for each instance."""
    models = _models()
    assert len(models) > 50
    for model in models:
        for name, field in model.model_fields.items():
            made_by = field.default_factory
            assert getattr(made_by, "__text_signature__", None) is None, (model, name)


def test_a_default_list_is_each_instances_own() -> None:
    from jobsim.scenario.model import NodePool

    a, b = (
        NodePool.model_validate({"name": n, "count": 1, "capacity": {"cpu": 1, "memory": "1Gi"}})
        for n in "ab"
    )
    assert a.taints == [] and a.taints is not b.taints
    assert a.labels == {} and a.labels is not b.labels
