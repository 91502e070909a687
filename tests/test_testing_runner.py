"""jobsim.testing.run, its failure reports and the pytest plugin, as a user meets them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import settings

from jobsim import ScenarioError, load_scenario, simulate
from jobsim.testing.report import failure_report, scenario_yaml
from jobsim.testing.runner import JobsimFailure, forget_runs, last_run, run, sync_delay

pytest_plugins = ["pytester"]

PI: dict[str, Any] = {
    "name": "pi",
    "seed": 3,
    "cluster": {
        "nodePools": [{"name": "w", "count": 1, "capacity": {"cpu": "4", "memory": "16Gi"}}]
    },
    "timing": {"jobSyncDelay": 0, "containerStart": 0, "scheduling": 0, "imagePull": 0},
    "jobs": [
        {
            "manifest": {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {"name": "pi"},
                "spec": {
                    "backoffLimit": 1,
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "pi", "image": "perl:5.34.0"}],
                        }
                    },
                },
            },
            "workload": {"duration": "10s", "script": [{"attempt": 0, "exitCode": 1}]},
        }
    ],
}


def test_run_keeps_the_scenario_data_and_gives_the_same_result_as_simulate() -> None:
    result = run(PI)
    assert result.source is PI
    assert result.to_json() == simulate(load_scenario(PI)).to_json()
    # attempt 0 exits 1 at 10 s; the replacement waits the 10 s backoff and succeeds at 30 s
    status = result.job("pi")["status"]
    assert (status["failed"], status["succeeded"], status["completionTime"]) == (1, 1, 30)
    assert last_run() is result
    forget_runs()
    assert last_run() is None


def test_run_reads_a_scenario_file_and_a_scenario_object() -> None:
    from_file = run("scenarios/backoff.yaml")
    assert from_file.source is not None and from_file.source["name"] == "backoff"
    loaded = load_scenario("scenarios/backoff.yaml")
    from_object = run(loaded)
    assert from_object.source is None
    assert from_object.to_json() == from_file.to_json()


def test_run_refuses_what_is_not_a_scenario() -> None:
    with pytest.raises(TypeError, match="takes scenario data"):
        run(42)  # type: ignore[arg-type]
    bad = copy.deepcopy(PI)
    bad["jobs"][0]["manifest"]["spec"]["backoffLimit"] = -1
    with pytest.raises(ScenarioError, match="backoffLimit"):
        run(bad)


def test_an_endless_run_fails_with_its_timeline_instead_of_hanging() -> None:
    endless = copy.deepcopy(PI)
    spec = endless["jobs"][0]["manifest"]["spec"]
    # An Ignore rule matching every failure retries for ever (10 min apart, no horizon).
    spec["podFailurePolicy"] = {
        "rules": [{"action": "Ignore", "onExitCodes": {"operator": "NotIn", "values": [0]}}]
    }
    endless["jobs"][0]["workload"] = {"duration": "1s", "failure": {"probability": 1.0}}
    with pytest.raises(JobsimFailure) as info:
        run(endless, max_events=2000)
    text = str(info.value)
    assert text.startswith("at t=")
    assert "more than 2000 kernel events" in text
    assert "Timeline of every Job (jobsim explain), seed 3:" in text
    assert "Scenario (save it as falsifying.yaml; `jobsim explain falsifying.yaml` replays" in text


def test_the_failure_report_holds_the_timeline_and_a_scenario_that_replays() -> None:
    result = run(PI, seed=9)
    text = failure_report(result, "pi")
    head, _, tail = text.partition("Scenario (save it as falsifying.yaml; ")
    assert head.startswith("Timeline of Job pi (jobsim explain), seed 9:\n")
    assert "t=10s  pod pi-" in head and "container exited with code 1" in head
    assert tail.startswith("`jobsim explain falsifying.yaml --job pi --seed 9` replays it):\n")
    yaml_text = tail.split("\n", 1)[1]
    assert yaml_text.endswith("\n# end of falsifying.yaml")
    replayed = yaml.safe_load(yaml_text)
    assert replayed == PI
    assert simulate(load_scenario(replayed), 9).to_json() == result.to_json()
    assert yaml.safe_load(scenario_yaml(PI)) == PI


def test_the_plugin_registers_the_profiles() -> None:
    assert settings.get_profile("ci").derandomize
    assert settings.get_profile("ci").max_examples == 100
    assert settings.get_profile("dev").max_examples == 10
    assert settings.get_profile("thorough").max_examples == 1000


USER_TEST = """
import copy
from hypothesis import given, strategies as st
from tests.test_testing_runner import PI

@given(code=st.sampled_from([1, 42]))
def test_policy(jobsim_run, code):
    data = copy.deepcopy(PI)
    data["jobs"][0]["workload"]["script"][0]["exitCode"] = code
    result = jobsim_run(data)
    assert result.job("pi")["status"]["failed"] == 1
    assert code != 42, "exit 42 should have failed the Job"
"""


@pytest.mark.slow
def test_the_plugin_explains_a_failing_test_and_hypothesis_shows_the_scenario(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    pytester.syspathinsert(str(__import__("pathlib").Path(__file__).parent.parent))
    # in-process: jobsim is imported already, which pytest warns cannot be assertion-rewritten
    quiet = ("-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning")
    out = pytester.runpytest(*quiet, "--jobsim-explain", "--hypothesis-profile=ci")
    out.assert_outcomes(failed=1)
    text = out.stdout.str()
    assert "test case: test_policy(" in text and "code=42," in text
    # the note hypothesis prints for the minimal example: the timeline, then the YAML
    assert "Timeline of every Job (jobsim explain), seed 3:" in text
    assert "exitCode: 42" in text
    # --jobsim-explain: the section with the whole narrative of the last run
    section = text.partition("- jobsim explain -")[2]
    assert "t=10s  pod pi-" in section and "container exited with code 42" in section
    without = pytester.runpytest(*quiet)
    assert "- jobsim explain -" not in without.stdout.str()


WITHOUT_HYPOTHESIS = """
import sys
sys.modules["hypothesis"] = None  # as if jobsim were installed without the testing extra
import jobsim, jobsim.pytest_plugin
print("plugin ok")
try:
    import jobsim.testing
except ImportError as e:
    print(e)
"""


def test_without_the_extra_the_plugin_loads_and_the_toolkit_says_what_to_install() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_HYPOTHESIS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "plugin ok"
    assert lines[1].startswith("jobsim.testing needs hypothesis (")
    assert lines[1].endswith(
        "): install jobsim with its testing extra (in a checkout of jobsim: "
        'pip install ".[testing]")'
    )


def test_a_violation_reports_the_record_up_to_it_and_is_the_last_run() -> None:
    # the budget runs out at t=0: five kernel events in, the pod not even started
    with pytest.raises(JobsimFailure) as info:
        run(PI, max_events=5)
    failure = info.value
    assert str(failure).startswith("at t=0s: more than 5 kernel events\n\n")
    assert failure.result is not None and failure.result.end == 0
    assert failure.result.source is PI
    assert last_run() is failure.result
    assert "Job default/pi created" in str(failure)


def test_sync_delay_reads_the_scenarios_timing() -> None:
    assert sync_delay({}) == 1.0
    assert sync_delay({"timing": {"jobSyncDelay": "500ms"}}) == 0.5
    assert sync_delay(PI) == 0.0
