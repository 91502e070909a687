"""The command line on bad input: every problem with its place, exit 1; usage errors exit 2;
never a traceback. Runs the installed ``jobsim`` script, as a user does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import (
    DURATION_EXPECTED,
    PI_JOB_ENTRY,
    checkout_env,
    scenario_error,
    write_file,
)

JOBSIM = Path(sys.executable).with_name("jobsim")

# lines 5-13 are PI_JOB_ENTRY (its template at line 10)
GOOD = (
    """\
cluster:
  nodePools:
    - {name: pool, count: 2, capacity: {cpu: "4", memory: 16Gi}}
jobs:
"""
    + PI_JOB_ENTRY
    + """\
    workload: {duration: 10s}
events:
  - {at: 5s, nodeDown: pool-0}
"""
)
# several mistakes at once: a wrong type, a typo'd key, a bad duration, a manifest typo
BAD = (
    GOOD.replace("count: 2", "count: two")
    .replace("duration: 10s", "duraton: 10s")
    .replace("at: 5s", "at: soon")
    .replace("        template:", "        backofLimit: 1\n        template:")
)
# loads, but an event names a node that does not exist
BAD_REFERENCE = GOOD.replace("pool-0", "pool-9")
MALFORMED = GOOD.replace("count: 2,", "count: 2: 3,")
BARE_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      containers: [{name: main, image: perl}]
      restartPolicy: Sometimes
"""


def jobsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(JOBSIM), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=checkout_env(),
    )


def located(stderr: str) -> list[str]:
    """The problem lines, as ``FILE:LINE:COL: path: message`` (the CLI may print a space
    after ``FILE:``; it prints what ``ScenarioError.problems`` hold)."""
    return [re.sub(r"^(.+?): (\d+:\d+: )", r"\1:\2", line) for line in stderr.splitlines()]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("text", [BAD, BAD_REFERENCE], ids=["bad", "bad-reference"])
def test_bad_scenario_prints_every_located_problem(tmp_path: Path, command: str, text: str) -> None:
    path = write_file(tmp_path, text)
    res = jobsim(command, str(path))
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    lines = scenario_error(path).lines
    assert located(res.stderr) == lines
    for line in lines:
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S+: ", line), line


# not slow: one run of the installed script stays in the fast loop (make check)
def test_bad_scenario_lines(tmp_path: Path) -> None:
    """What the user reads for BAD, in the order of the file."""
    path = write_file(tmp_path, BAD)
    assert located(jobsim("run", str(path)).stderr) == [
        f"{path}:3:27: cluster.nodePools[0].count: expected an integer, got 'two'",
        f"{path}:10:9: jobs[0].manifest: spec.backofLimit: unknown field 'backofLimit' "
        "(did you mean 'backoffLimit'?)",
        f"{path}:15:15: jobs[0].workload.duration: required field is missing",
        f"{path}:15:16: jobs[0].workload.duraton: unknown field 'duraton' "
        "(did you mean 'duration'?)",
        f"{path}:17:10: events[0].at: invalid duration 'soon': unexpected 's' where a number "
        f"should start; {DURATION_EXPECTED}",
    ]


@pytest.mark.slow
def test_run_malformed_yaml(tmp_path: Path) -> None:
    path = write_file(tmp_path, MALFORMED)
    res = jobsim("run", str(path))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert located(res.stderr) == [
        f"{path}:3:28: malformed YAML: expected ',' or '}}', but got ':' "
        "(while parsing a flow mapping at 3:7)"
    ]


@pytest.mark.slow
def test_run_bare_job_with_a_problem(tmp_path: Path) -> None:
    """A bare Job manifest runs (tests/test_bare_manifests.py); a bad one is located."""
    path = write_file(tmp_path, BARE_JOB)
    res = jobsim("run", str(path))
    assert res.returncode == 1
    assert located(res.stderr) == [  # the pod's rule, then the Job's (as the API server says)
        f'{path}:8:22: spec.template.spec.restartPolicy: Unsupported value: "Sometimes": '
        f'supported values: "{values}"'
        for values in ('Always", "OnFailure", "Never', 'OnFailure", "Never')
    ]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_file(tmp_path: Path, command: str) -> None:
    res = jobsim(command, str(tmp_path / "nope.yaml"))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert (
        res.stderr.strip()
        == f"{tmp_path / 'nope.yaml'}: cannot read file: No such file or directory"
    )


@pytest.mark.slow
def test_validate_bare_job_with_a_problem(tmp_path: Path) -> None:
    path = write_file(tmp_path, BARE_JOB, "job.yaml")
    res = jobsim("validate", str(path))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert 'spec.template.spec.restartPolicy: Unsupported value: "Sometimes"' in res.stderr


@pytest.mark.slow
def test_validate_good_scenario(tmp_path: Path) -> None:
    res = jobsim("validate", str(write_file(tmp_path, GOOD)))
    assert res.returncode == 0, res.stderr
    assert "OK (scenario scenario: 1 job(s), 2 node(s), 1 event(s))" in res.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["run"],
        ["validate", "s.yaml", "--no-such-option"],
        ["run", "s.yaml", "--seed", "many"],
        ["frobnicate"],
    ],
    ids=["validate-no-file", "run-no-file", "unknown-option", "bad-option-value", "no-command"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    write_file(tmp_path, GOOD)
    res = subprocess.run(
        [str(JOBSIM), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=checkout_env(),
    )
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert "Usage:" in res.stderr
