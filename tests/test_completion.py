"""Shell completion and choice-valued options (issue 12, part 3): ``jobsim completion SHELL``,
typer's ``--show-completion``, and what the completion callback offers after an option."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jobsim.api import METRICS
from jobsim.cli import app

runner = CliRunner()


def _complete(words: str) -> list[str]:
    """What ``jobsim`` answers bash's completion request for the last word of ``words``: the
    request the script of ``jobsim completion bash`` sends (COMP_WORDS, COMP_CWORD and
    _JOBSIM_COMPLETE=complete_bash in the environment)."""
    cwords = words.split(" ")
    env = {
        "_JOBSIM_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(cwords) - 1),
    }
    res = runner.invoke(app, [], env=env, prog_name="jobsim")
    assert res.exit_code == 0, res.output
    return res.stdout.split()


def test_completion_prints_the_bash_script() -> None:
    res = runner.invoke(app, ["completion", "bash"])
    assert res.exit_code == 0, res.output
    # the function asks `jobsim` itself, and bash completes file names when it offers none
    assert "_JOBSIM_COMPLETE=complete_bash $1" in res.stdout
    assert res.stdout.rstrip().endswith("complete -o default -F _jobsim_completion jobsim")


@pytest.mark.parametrize(
    ("shell", "line"), [("zsh", "#compdef jobsim"), ("fish", "--command jobsim")]
)
def test_completion_other_shells(shell: str, line: str) -> None:
    res = runner.invoke(app, ["completion", shell])
    assert res.exit_code == 0, res.output
    assert line in res.stdout and "_JOBSIM_COMPLETE=complete_" + shell in res.stdout


def test_completion_rejects_an_unknown_shell_listing_the_known() -> None:
    res = runner.invoke(app, ["completion", "tcsh"])
    assert res.exit_code == 2
    said = " ".join(res.stderr.replace("│", " ").split())
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish', 'powershell'" in said


def test_show_completion_for_a_named_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer's ``--show-completion bash``; shell detection off, so the test does not depend on
    the shell it runs in (with detection, the option takes no value). Set before the runner
    builds the command, which reads it."""
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    res = runner.invoke(app, ["--show-completion", "bash"], prog_name="jobsim")
    assert res.exit_code == 0, res.output
    assert "_JOBSIM_COMPLETE=complete_bash $1" in res.stdout
    assert res.stdout.rstrip().endswith("complete -o default -F _jobsim_completion jobsim")


def test_commands_complete() -> None:
    assert _complete("jobsim pl") == ["plot"]
    assert {"run", "validate", "plot", "explain", "sweep", "search", "completion"} <= set(
        _complete("jobsim ")
    )


@pytest.mark.parametrize(
    ("words", "choices"),
    [
        ("jobsim plot s.yaml --by ", ["job", "node", "summary"]),
        ("jobsim plot s.yaml --by s", ["summary"]),
        ("jobsim run s.yaml --expect ", ["Complete", "Failed"]),
        ("jobsim explain s.yaml --format ", ["text", "markdown"]),
        ("jobsim sweep s.yaml --executor ", ["auto", "serial", "process"]),
        ("jobsim search s.yaml --executor p", ["process"]),
        ("jobsim completion ", ["bash", "zsh", "fish", "powershell"]),
    ],
)
def test_choices_complete(words: str, choices: list[str]) -> None:
    assert _complete(words) == choices


def test_metrics_complete_with_the_colon_of_an_argument() -> None:
    # cost:POOL=PRICE,… and deadline_hits:T complete to the name and its colon
    expected = [m.split(":")[0] + ":" if ":" in m else m for m in METRICS]
    assert _complete("jobsim sweep s.yaml --metric ") == expected
    assert _complete("jobsim search s.yaml --metric dead") == ["deadline_hits:"]


def test_a_file_argument_leaves_completion_to_the_shell() -> None:
    """No candidates for FILE or -o: the script's ``complete -o default`` lets bash complete
    file names."""
    assert _complete("jobsim run scen") == []
    assert _complete("jobsim plot s.yaml -o ") == []


@pytest.mark.parametrize(
    ("command", "option", "bad", "choices"),
    [
        (["plot", "s.yaml", "-o", "x.png"], "--by", "pod", "'job', 'node', 'summary'"),
        (["run", "s.yaml"], "--expect", "Done", "'Complete', 'Failed'"),
        (["explain", "s.yaml"], "--format", "html", "'text', 'markdown'"),
        (["sweep", "s.yaml"], "--executor", "dask", "'auto', 'serial', 'process'"),
        (
            ["search", "s.yaml", "--vary", "p=1..2"],
            "--executor",
            "x",
            "'auto', 'serial', 'process'",
        ),
    ],
)
def test_a_bad_choice_is_a_usage_error_listing_the_choices(
    command: list[str], option: str, bad: str, choices: str
) -> None:
    """Checked while parsing, before the file is read (s.yaml does not exist)."""
    res = runner.invoke(app, [*command, option, bad])
    assert res.exit_code == 2
    said = " ".join(res.stderr.replace("│", " ").split())
    assert f"'{option}'" in said and f"'{bad}' is not one of {choices}" in said


@pytest.mark.parametrize(
    ("command", "option", "shown"),
    [
        ("plot", "--by", "<job|node|summary>"),
        ("run", "--expect", "<Complete|Failed>"),
        ("explain", "--format", "<text|markdown>"),
        ("sweep", "--executor", "<auto|serial|process>"),
        ("search", "--executor", "<auto|serial|process>"),
    ],
)
def test_help_shows_the_choices(command: str, option: str, shown: str) -> None:
    res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    line = next(x for x in res.stdout.splitlines() if f" {option} " in x)
    assert shown in line
