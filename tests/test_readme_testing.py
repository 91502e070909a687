"""The README's "Test your Job's failure policy" section is a working copy-and-paste."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.golden import ROOT


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Test your Job's failure policy\n", 1)[1].split("\n## ", 1)[0]


def test_the_install_command_names_the_extra_that_holds_what_the_test_imports() -> None:
    assert '```sh\npip install ".[testing]"\n```' in _section()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert {re.split("[<>=]", d)[0] for d in extras["testing"]} == {"hypothesis", "pytest"}


@pytest.mark.slow
def test_the_test_file_passes_as_the_readme_runs_it(tmp_path: Path) -> None:
    [code] = re.findall(r"```python\n(.*?)```", _section(), re.S)
    (tmp_path / "test_trainer.py").write_text(code, encoding="utf-8")
    [command] = re.findall(
        r"```sh\n(pytest test_trainer\.py [^\n#]*?)\s*(?:#[^\n]*)?\n```", _section()
    )
    args = command.split()[1:]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
