"""The README starts with a bare manifest, the Kubernetes docs' pi Job, and what ``jobsim run
job.yaml`` prints for it; both stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobsim import cli
from tests.golden import ROOT


def _opening() -> tuple[str, str, str]:
    """The README's title, its first YAML block and its first text block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    title = text.splitlines()[0]
    first_yaml = re.search(r"```yaml\n(.*?)```", text, re.S)
    first_text = re.search(r"```text\n(.*?)```", text, re.S)
    assert first_yaml and first_text
    assert first_yaml.start() < first_text.start() < text.index("\n## ")  # before any section
    return title, first_yaml.group(1), first_text.group(1)


def test_the_readme_opens_with_the_docs_pi_job() -> None:
    title, manifest, _ = _opening()
    assert title == "# jobsim"
    docs = ROOT / "scenarios" / "teaching" / "manifests" / "job.yaml"
    assert manifest == docs.read_text(encoding="utf-8")


def test_the_shown_output_is_what_the_cli_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest saved as job.yaml and run as shown, in a terminal 100 columns wide (as the
    README says), prints the README's lines exactly."""
    _, manifest, shown = _opening()
    command, _, expected = shown.partition("\n")
    assert command == "$ jobsim run job.yaml"
    (tmp_path / "job.yaml").write_text(manifest, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.out, "width", cli.out.width)  # COLUMNS sets it; restored after
    res = CliRunner().invoke(cli.app, command.split()[2:], env={"COLUMNS": "100"})
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == expected
