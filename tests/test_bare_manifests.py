"""Bare Kubernetes manifests run: ``jobsim run job.yaml`` on the Kubernetes docs' own files,
several documents, ``kind: List``, standard input; the default cluster and workload and the
flags that change them (``jobsim.scenario.manifests``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jobsim.api import ScenarioError, load_input, load_scenario, scenario_from_manifests, simulate
from jobsim.cli import app

runner = CliRunner()

# https://kubernetes.io/docs/concepts/workloads/controllers/job/ (controllers/job.yaml)
PI = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
"""

# The docs' Indexed Job (controllers/job-indexed.yaml, trimmed to its Job fields)
INDEXED = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: 'indexed-job'
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: 'worker'
        image: 'docker.io/library/busybox'
        command: ["rev", "/input/data.txt"]
"""

# The docs' pod failure policy example (controllers/job-pod-failure-policy-example.yaml)
POD_FAILURE_POLICY = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: job-pod-failure-policy-example
spec:
  completions: 12
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: docker.io/library/bash:5
        command: ["bash"]
        args:
        - -c
        - echo "Hello world!" && sleep 5 && exit 42
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        containerName: main
        operator: In
        values: [42]
    - action: Ignore
      onPodConditions:
      - type: DisruptionTarget
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
          restartPolicy: OnFailure
"""


def job(name: str, completions: int = 1) -> str:
    return f"""\
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  completions: {completions}
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: main, image: busybox}}]
"""


def write(tmp_path: Path, text: str, name: str = "job.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_json(*args: str, stdin: str | None = None) -> dict[str, Any]:
    res = runner.invoke(app, ["run", *args, "--json"], input=stdin)
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def outcomes(data: dict[str, Any]) -> dict[str, tuple[str, str, float | None, int]]:
    """Each Job's last True condition (type, reason), its time, and its pods created."""
    out = {}
    for j in data["jobs"]:
        [last] = [c for c in j["status"]["conditions"] if c["type"] in ("Complete", "Failed")]
        out[j["name"]] = (
            last["type"],
            last["reason"],
            last["lastTransitionTime"],
            j["podsCreated"],
        )
    return out


def test_the_docs_pi_job_runs_on_the_default_cluster(tmp_path: Path) -> None:
    """The docs' pi Job completes at 12 s with one pod.

    Derivation (docs/mechanisms.md, ``Timing`` defaults; the lines of ``jobsim explain``):
    the Job is created at 0 s and synced at once, so its pod is created and bound at 0 s
    (scheduling 0 s, imagePull 0 s); the container starts ``containerStart`` = 1 s later, at
    1 s; the default workload runs it 10 s, so it exits 0 at 11 s; the pod's change syncs the
    Job ``jobSyncDelay`` = 1 s later, at 12 s, which counts it succeeded (1 of completions=1)
    and sets Complete (CompletionsReached).
    """
    data = run_json(str(write(tmp_path, PI)))
    assert data["scenario"] == "job"
    assert outcomes(data) == {"pi": ("Complete", "CompletionsReached", 12.0, 1)}
    assert [n["name"] for n in data["nodes"]] == ["node-0", "node-1", "node-2"]
    res = runner.invoke(app, ["explain", str(write(tmp_path, PI))])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == (
        "t=0s   Job default/pi created: completions=1, parallelism=1, backoffLimit=4, "
        "restartPolicy=Never"
    )
    assert "t=1s   pod" in res.stdout
    assert "container started (start 1 of the Job's work)" in res.stdout
    assert "t=11s  pod" in res.stdout and "container exited with code 0" in res.stdout
    assert res.stdout.splitlines()[-1].startswith("t=12s  Job default/pi condition Complete=True")


# The docs' pi Job with what real pod templates carry: the docs' nodeSelector on a well-known
# label (concepts/scheduling-eviction/assign-pod-node), an arch node affinity (required and
# preferred) and an ephemeral-storage request (concepts/configuration/manage-resources-containers).
PI_ON_LINUX = PI.replace(
    "    spec:\n      containers:",
    """    spec:
      nodeSelector:
        kubernetes.io/os: linux
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/arch
                operator: In
                values: [amd64, arm64]
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            preference:
              matchExpressions:
              - {key: kubernetes.io/arch, operator: In, values: [arm64]}
      containers:""",
).replace(
    "      restartPolicy: Never",
    "        resources:\n          requests: {ephemeral-storage: 2Gi}\n      restartPolicy: Never",
)


def test_a_template_on_well_known_labels_runs_as_the_docs_pi_job(tmp_path: Path) -> None:
    """Every default node is linux/amd64 with 100Gi of ephemeral-storage, so the pod fits the
    first node as the pi Job's does and the Job completes at the same 12 s (see above)."""
    assert "kubernetes.io/os: linux" in PI_ON_LINUX and "ephemeral-storage: 2Gi" in PI_ON_LINUX
    data = run_json(str(write(tmp_path, PI_ON_LINUX)))
    assert outcomes(data) == {"pi": ("Complete", "CompletionsReached", 12.0, 1)}
    assert [p["node"] for p in data["pods"]] == ["node-0"]


def test_a_multi_document_file_runs_every_job_and_notes_what_it_skips(tmp_path: Path) -> None:
    text = f"{CONFIGMAP}---\n{job('one')}---\n{job('two', completions=2)}---\n"
    path = write(tmp_path, text, "multi.yaml")
    res = runner.invoke(app, ["run", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert (
        res.stderr
        == f"warning: {path}:1:1: skipped ConfigMap settings: jobsim runs only Jobs and CronJobs\n"
    )
    assert outcomes(json.loads(res.stdout)) == {
        "one": ("Complete", "CompletionsReached", 12.0, 1),
        "two": ("Complete", "CompletionsReached", 24.0, 2),
    }
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert res.stdout == f"{path}: OK (2 Jobs: default/one, default/two)\n"


def test_a_list_runs_its_items(tmp_path: Path) -> None:
    items = "".join(
        "- " + "\n  ".join(doc.splitlines()) + "\n" for doc in (job("one"), CONFIGMAP, job("two"))
    )
    path = write(tmp_path, f"apiVersion: v1\nkind: List\nitems:\n{items}", "list.yaml")
    res = runner.invoke(app, ["run", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert set(outcomes(json.loads(res.stdout))) == {"one", "two"}
    assert (
        res.stderr
        == f"warning: {path}:13:3: skipped ConfigMap settings: jobsim runs only Jobs and CronJobs\n"
    )


def test_standard_input() -> None:
    data = run_json("-", stdin=PI)
    assert data["scenario"] == "stdin"
    assert outcomes(data) == {"pi": ("Complete", "CompletionsReached", 12.0, 1)}
    res = runner.invoke(app, ["validate", "-"], input=PI)
    assert (res.exit_code, res.stdout) == (0, "<stdin>: OK (Job default/pi)\n")


@pytest.mark.slow  # a day of a CronJob through the CLI, 3-4 s: not in make check
def test_a_cronjob_runs_for_a_day(tmp_path: Path) -> None:
    """The docs' every-minute CronJob runs bare for a day of virtual time: a Job at each
    minute from 00:01 to 23:59 (the one at 24:00:00.1 is past the horizon), named after its
    scheduled minute since the epoch (the default wall clock, 2026-01-05T00:00:00Z, is minute
    29459520)."""
    path = write(tmp_path, CRONJOB, "cron.yaml")
    res = runner.invoke(app, ["run", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == (
        f"warning: {path}: CronJobs run for 24h of virtual time here (--horizon sets another; "
        "a scenario sets its own horizon)\n"
    )
    jobs = json.loads(res.stdout)["jobs"]
    assert len(jobs) == 1439
    assert (jobs[0]["name"], jobs[0]["submittedAt"]) == ("hello-29459521", 60.1)
    assert {j["cronJob"] for j in jobs} == {"default/hello"}


def test_horizon_shortens_a_cronjobs_run(tmp_path: Path) -> None:
    """``--horizon 10m``: the Jobs of minutes 1 to 9 (each created 100 ms after its minute;
    the one of minute 10, at 10m0.1s, is past the horizon), and no note about the day."""
    path = write(tmp_path, CRONJOB, "cron.yaml")
    res = runner.invoke(app, ["run", str(path), "--json", "--horizon", "10m"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    jobs = json.loads(res.stdout)["jobs"]
    assert [(j["name"], j["submittedAt"]) for j in jobs] == [
        (f"hello-{29459520 + k}", 60 * k + 0.1) for k in range(1, 10)
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0s", "--horizon: must be greater than 0, got 0s"),
        ("-5m", "--horizon: must be greater than 0, got -5m"),
        (
            "3x",
            "--horizon: invalid duration '3x': unknown unit 'x'; expected a Go duration such as "
            '"300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h; a bare number needs a '
            "unit unless it is 0)",
        ),
    ],
)
def test_a_bad_horizon_is_named(tmp_path: Path, value: str, message: str) -> None:
    path = write(tmp_path, CRONJOB, "cron.yaml")
    res = runner.invoke(app, ["run", str(path), "--horizon", value])
    assert (res.exit_code, res.stderr) == (1, f"{path}: {message}\n")


def test_horizon_on_a_scenario_file_is_refused() -> None:
    res = runner.invoke(app, ["run", "scenarios/pi.yaml", "--horizon", "1h"])
    assert res.exit_code == 1
    assert res.stderr.startswith("scenarios/pi.yaml: --horizon: apply to bare Job manifests only")


@pytest.mark.slow  # a day of a CronJob and a Job through the CLI, 3 s
def test_a_cronjob_beside_a_job_runs_too(tmp_path: Path) -> None:
    path = write(tmp_path, f"{CRONJOB}---\n{job('one')}", "both.yaml")
    res = runner.invoke(app, ["run", str(path), "--json"])
    assert res.exit_code == 0, res.output
    names = set(outcomes(json.loads(res.stdout)))
    assert "one" in names and "hello-29459521" in names


def test_nothing_runnable(tmp_path: Path) -> None:
    path = write(tmp_path, CONFIGMAP, "cm.yaml")
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 1
    assert res.stderr == (
        f"{path}: no Job to run (1:1: skipped ConfigMap settings: jobsim runs only Jobs and "
        "CronJobs)\n"
    )


def test_a_broken_manifest_is_located(tmp_path: Path) -> None:
    text = CONFIGMAP + "---\n" + PI.replace("backoffLimit: 4", "backoffLimit: -1")
    path = write(tmp_path, text)
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 1
    assert res.stderr == (
        f"{path}:18:17: spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0\n"
    )
    res = runner.invoke(app, ["run", str(write(tmp_path, PI + "  backoffLimit: 5\n"))])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"{path}:14:3: spec.backoffLimit: duplicate key")


def test_the_flags_change_the_run(tmp_path: Path) -> None:
    """Every run fails with code 3: backoffLimit 4 allows 4 failures, the 5th pod's ends it."""
    path = str(write(tmp_path, PI))
    data = run_json(path, "--fail-rate", "1", "--exit-code", "3")
    [(kind, reason, _, pods)] = outcomes(data).values()
    assert (kind, reason, pods) == ("Failed", "BackoffLimitExceeded", 5)
    assert data["stats"]["jobs"][0]["failuresByExitCode"] == {"3": 5}
    data = run_json(
        path, "--nodes", "1", "--node-cpu", "2", "--node-memory", "1Gi", "--duration", "1m"
    )
    assert outcomes(data) == {"pi": ("Complete", "CompletionsReached", 62.0, 1)}
    assert [n["name"] for n in data["nodes"]] == ["node-0"]


def test_bad_flag_values_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, PI)
    res = runner.invoke(app, ["run", str(path), "--nodes", "0", "--fail-rate", "2"])
    assert res.exit_code == 1
    assert res.stderr == (
        f"{path}: --nodes: must be at least 1, got 0\n"
        f"{path}: --fail-rate: a probability, from 0 to 1, got 2\n"
    )


def test_the_flags_on_a_scenario_file_are_refused() -> None:
    res = runner.invoke(app, ["run", "scenarios/pi.yaml", "--nodes", "2", "--duration", "1s"])
    assert res.exit_code == 1
    assert res.stderr == (
        "scenarios/pi.yaml: --nodes, --duration: apply to bare Job manifests only; this is a "
        "scenario file: set its cluster and each Job's workload in the file (--seed overrides "
        "its seed)\n"
    )


@pytest.mark.parametrize("command", ["run", "explain", "validate"])
@pytest.mark.parametrize("text", [INDEXED, POD_FAILURE_POLICY], ids=["indexed", "pod-failure"])
def test_the_docs_other_examples(tmp_path: Path, command: str, text: str) -> None:
    res = runner.invoke(app, [command, str(write(tmp_path, text))])
    assert res.exit_code == 0, res.output


def test_the_docs_other_examples_end_as_their_workload_says(tmp_path: Path) -> None:
    assert outcomes(run_json(str(write(tmp_path, INDEXED))))["indexed-job"][:2] == (
        "Complete",
        "CompletionsReached",
    )
    data = run_json(
        str(write(tmp_path, POD_FAILURE_POLICY)), "--fail-rate", "1", "--exit-code", "42"
    )
    [(kind, reason, _, pods)] = outcomes(data).values()
    assert (kind, reason, pods) == ("Failed", "PodFailurePolicy", 3)


def test_plot(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    res = runner.invoke(app, ["plot", str(write(tmp_path, PI)), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 0


def test_the_library_builds_the_same_scenario() -> None:
    import yaml

    s = scenario_from_manifests([yaml.safe_load(PI)], name="pi", nodes=2, duration="5s")
    assert s.bare and [e.job.metadata.name for e in s.jobs] == ["pi"]
    assert s.cluster.node_names() == ["node-0", "node-1"]
    [job_] = simulate(s).jobs()
    assert job_["status"]["completionTime"] == 7.0
    cron = scenario_from_manifests([yaml.safe_load(CRONJOB)], source="x.yaml")
    assert [e.cronjob.metadata.name for e in cron.cronjobs if e.cronjob] == ["hello"]
    assert cron.horizon == 24 * 3600


def test_a_manifest_file_may_hold_other_documents_but_one_job(tmp_path: Path) -> None:
    write(tmp_path, f"{CONFIGMAP}---\n{PI}", "pi.yaml")
    write(tmp_path, f"{job('one')}---\n{job('two')}", "two.yaml")
    cluster = "cluster: {nodePools: [{name: a, count: 1, capacity: {cpu: '1', memory: 1Gi}}]}\n"
    good = write(
        tmp_path,
        cluster + "jobs:\n  - {manifestFile: pi.yaml, workload: {duration: 1s}}\n",
        "s.yaml",
    )
    assert [m.metadata.name for m in load_scenario(good).manifests] == ["pi"]
    bad = write(
        tmp_path,
        cluster + "jobs:\n  - {manifestFile: two.yaml, workload: {duration: 1s}}\n",
        "b.yaml",
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert e.value.lines == [
        f"{bad}:3:20: jobs[0].manifestFile: two.yaml holds 2 Jobs (one, two) in 2 documents; "
        "a manifestFile holds one Job or CronJob (other kinds are ignored): give each its own "
        "entry, or run the file bare (jobsim run FILE)"
    ]


@pytest.mark.parametrize(("written", "meant"), [("job", "Job"), ("cronjob", "CronJob")])
def test_a_kind_in_the_wrong_case_is_named(written: str, meant: str) -> None:
    """Kinds are case-sensitive: ``kind: job`` is no Job, and saying only "skipped" would
    hide the typo; the error points at the kind and names the right spelling."""
    text = f"apiVersion: batch/v1\nkind: {written}\nmetadata: {{name: x}}\n"
    with pytest.raises(ScenarioError) as info:
        load_input("-", text=text)
    assert info.value.lines == [
        f"<stdin>:2:7: kind: {written!r} is not a kind; kinds are case-sensitive: did you mean "
        f"{meant!r}?"
    ]
