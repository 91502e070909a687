"""Input and output that are not what a scenario file is (issue 13, part 2): special files
are refused by kind before anything is read, input is capped at 64 MiB, output that cannot
be written is one line and exit 1; never a traceback, never a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobsim import load_scenario, simulate
from jobsim.locate import MAX_INPUT_BYTES
from tests.helpers import checkout_env, job_manifest, scenario, scenario_error

JOBSIM = Path(sys.executable).with_name("jobsim")
pytestmark = pytest.mark.slow  # a subprocess per case: make test, not make check
PI = Path(__file__).resolve().parent.parent / "scenarios" / "pi.yaml"


def _cli(*args: str, stdin: int | None = None, stdout: int | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [str(JOBSIM), *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_env(),
        timeout=60,
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/dev/zero", "a character device"),  # would be read until memory runs out
        ("/dev/null", "a character device"),
    ],
)
def test_devices_are_refused_unread(path: str, kind: str) -> None:
    code, err = _cli("run", path)
    assert (code, err) == (1, f"{path}: cannot read file: it is {kind}, not a regular file\n")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    code, err = _cli("validate", str(tmp_path))
    assert (code, err) == (
        1,
        f"{tmp_path}: cannot read file: it is a directory, not a regular file\n",
    )


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO nobody writes to blocks for ever: it is refused by its kind first."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, err = _cli("run", str(fifo))
    assert (code, err) == (
        1,
        f"{fifo}: cannot read file: it is a named pipe (FIFO), not a regular file; give its "
        "text on standard input (-) instead\n",
    )


def test_a_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk
    code, err = _cli("run", str(big))
    assert (code, err) == (
        1,
        f"{big}: too large: more than 64 MiB, the most jobsim reads (a scenario or manifest is "
        "a few KiB)\n",
    )


def test_endless_standard_input_is_capped() -> None:
    with open("/dev/zero", "rb") as zero:
        code, err = _cli("run", "-", stdin=zero.fileno())
    assert (code, err) == (
        1,
        "<stdin>: too large: more than 64 MiB, the most jobsim reads (a scenario or manifest is "
        "a few KiB)\n",
    )


@pytest.mark.parametrize("args", [["run", str(PI), "--json"], ["run", str(PI)]])
def test_a_full_disk_on_standard_output_is_one_line_and_exit_1(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        code, err = _cli(*args, stdout=full.fileno())
    assert (code, err) == (1, "error: cannot write the output: No space left on device\n")


def test_horizon_zero_is_refused() -> None:
    data = scenario((job_manifest(), {"duration": "10s"}))
    data["horizon"] = 0
    assert scenario_error(data).lines == ["<scenario>: horizon: must be greater than 0, got 0"]


def test_until_at_or_before_the_start_runs_nothing() -> None:
    """``simulate(until=0)``: nothing can happen before t=0, not even the submission."""
    r = simulate(load_scenario(scenario((job_manifest(), {"duration": "10s"}))), until=0)
    assert (r.end, r.pods()) == (0.0, [])


@pytest.mark.parametrize("text", ["5:thumbs_up:s", "root:x:0:0"])
def test_user_text_is_printed_as_written_not_as_emoji(tmp_path: Path, text: str) -> None:
    """rich would turn ``:thumbs_up:`` and ``:x:`` into emoji: the CLI's consoles do not."""
    path = tmp_path / "s.yaml"
    path.write_text(PI.read_text().replace("duration: 10s", f'duration: "{text}"'))
    assert f'duration: "{text}"' in path.read_text()
    code, err = _cli("validate", str(path))
    assert code == 1
    assert f"invalid duration '{text}'" in err


def _boom(*args: object) -> None:
    raise RuntimeError("boom")


@pytest.mark.parametrize("debug", [False, True])
def test_an_error_outside_the_guards_is_one_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: bool
) -> None:
    """The backstop in ``main``: an exception no command guard caught (here, a failing
    summary table) is a jobsim bug: one line, exit 70; ``--debug`` shows the traceback."""
    import jobsim.cli as cli

    monkeypatch.setattr(cli, "_summary", _boom)
    monkeypatch.setattr(sys, "argv", ["jobsim", "run", str(PI), *(["--debug"] if debug else [])])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 70
    err = capsys.readouterr().err
    if debug:
        assert err.startswith("Traceback (most recent call last):")
        assert err.endswith("RuntimeError: boom\n")
    else:
        assert err == (
            "internal error: RuntimeError: boom (this is a jobsim bug; rerun with --debug for "
            "the traceback)\n"
        )
