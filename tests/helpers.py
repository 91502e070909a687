"""Builders for small scenarios in tests, and the pieces of scenario files the error tests share."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from jobsim import Result, ScenarioError, load_scenario, simulate
from jobsim.record import Recorder
from jobsim.scenario.model import Scenario

ROOT = Path(__file__).resolve().parent.parent

ZERO = {
    "jobSyncDelay": 0,
    "containerStart": 0,
    "scheduling": 0,
    "imagePull": 0,
}


def job_manifest(name: str = "job", **spec: Any) -> dict[str, Any]:
    """A batch/v1 Job with one container; ``spec`` keys override the Job spec."""
    restart = spec.pop("restartPolicy", "Never")
    template_spec = {
        "containers": [{"name": "main", "image": "busybox:1.36"}],
        "restartPolicy": restart,
    }
    template_spec.update(spec.pop("podSpec", {}))
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"template": {"spec": template_spec}, **spec},
    }


def scenario(
    *jobs: tuple[dict[str, Any], dict[str, Any]],
    timing: dict[str, Any] | None = None,
    nodes: int = 3,
    cpu: str = "4",
    events: list[dict[str, Any]] | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    """A scenario dict: each job is (manifest, workload)."""
    return {
        "name": "test",
        "seed": seed,
        "timing": copy.deepcopy(ZERO if timing is None else timing),
        "cluster": {
            "nodePools": [{"name": "n", "count": nodes, "capacity": {"cpu": cpu, "memory": "16Gi"}}]
        },
        "jobs": [{"manifest": m, "workload": w} for m, w in jobs],
        "events": events or [],
    }


def run(data: dict[str, Any], seed: int | None = None) -> Result:
    """Load and simulate a scenario dict."""
    return simulate(load_scenario(data), seed)


def condition_times(result: Result, job: str = "job") -> list[tuple[str, str, str, float]]:
    """(type, status, reason, lastTransitionTime) of a job's conditions, in list order."""
    return [
        (c["type"], c["status"], c["reason"], c["lastTransitionTime"])
        for c in result.job(job)["status"]["conditions"]
    ]


def created_times(result: Result, job: str = "job") -> list[float]:
    """Creation times of a job's pods, in order."""
    return [p["createdAt"] for p in result.pods() if p["job"].endswith("/" + job)]


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that imports ``jobsim``: this checkout first on
    ``PYTHONPATH``. The ``jobsim`` console script puts its own folder first on ``sys.path``, so
    without this it would import whichever checkout the virtualenv was installed from (an
    editable install of another worktree, say), not the code under test."""
    path = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path), **extra}


# --- scenario files with mistakes (tests/test_cli_errors.py, tests/test_scenario_errors.py) ---

# The start of a jobs[] entry: the Job ``pi``, one perl container, in flow style; 9 lines, the
# entry's workload goes after it. Tests that pin LINE:COL count these lines.
PI_JOB_ENTRY = """\
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: pi}
      spec:
        template:
          spec:
            containers: [{name: main, image: perl}]
            restartPolicy: Never
"""

# What a message about an unparsable duration says after its first ';'.
DURATION_EXPECTED = (
    'expected a Go duration such as "300ms", "1.5h" or "2h45m" '
    "(units ns, us, µs, ms, s, m, h; a bare number needs a unit unless it is 0)"
)


def write_file(folder: Path, text: str, name: str = "s.yaml") -> Path:
    """``text`` written to ``folder/name``, as UTF-8."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def scenario_error(source: Path | dict[str, Any]) -> ScenarioError:
    """The ``ScenarioError`` that loading ``source`` raises; the test fails if it loads."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return info.value


def without_resources(result: Result) -> Result:
    """A copy of ``result`` whose record holds no pod requests and no node resources (as a
    recorder that was never told them would have it)."""
    rec = Recorder.from_data(result.recorder.to_data())
    for job in rec.jobs.values():
        job.requests = None
    for node in rec.nodes.values():
        node.capacity = None
    return Result(result.scenario, result.seed, result.end, rec)


DRAWN = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
"""Settings for a test that draws whole scenarios (``jobsim.testing.strategies.scenarios``)
and takes a function-scoped fixture (``monkeypatch``)."""


def load_drawn(data: dict[str, Any]) -> Scenario | None:
    """A drawn scenario, or None when the API server would refuse it."""
    try:
        return load_scenario(data)
    except ScenarioError:
        return None
