"""``jobsim import``: a scenario from ``kubectl get nodes,jobs,pods -A -o json``.

The fixture ``tests/fixtures/import/cluster.json`` (written by ``make_cluster_dump.py`` in the
same folder, objects shaped as the API server returns them) holds three Nodes of two kinds,
four Jobs created at 0 s, 120 s, 600 s and 660 s, their pods, and four broken or foreign pods.
Expected values follow from the fixture's numbers and the definitions in
``jobsim.importer`` (the maximum-likelihood log-normal, the AIC), computed here by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from jobsim import load_scenario, simulate
from jobsim.cli import app
from jobsim.importer import DumpError, import_dumps
from jobsim.importer.fit import fit_durations
from jobsim.k8s.conditions import job_outcome
from jobsim.units import parse_duration
from tests.helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "import" / "cluster.json"
ETL_0301_OK = [62, 75, 58, 91, 70, 66, 84, 73, 59, 102, 68, 77]  # its 12 pods' run times
runner = CliRunner()


@pytest.fixture(scope="module")
def imported() -> Any:
    return import_dumps([FIXTURE])


def entry(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in data["jobs"] if e["manifest"]["metadata"]["name"] == name)


def test_nodes_alike_are_one_pool_named_by_instance_type_and_zone(imported: Any) -> None:
    pools = imported.data["cluster"]["nodePools"]
    assert [(p["name"], p["count"]) for p in pools] == [
        ("m5-xlarge-us-east-1a", 2),  # two nodes alike but for their hostname
        ("c5-2xlarge-us-east-1b", 1),
    ]
    m5, c5 = pools
    assert m5["capacity"] == {
        "cpu": "3920m",
        "memory": "15147584Ki",
        "pods": 58,
        "ephemeral-storage": "95491281146",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
    }
    assert "kubernetes.io/hostname" not in m5["labels"]
    assert m5["labels"]["kubernetes.io/os"] == "linux"
    assert c5["taints"] == [{"key": "dedicated", "effect": "NoSchedule", "value": "batch"}]


def test_manifests_lose_what_the_server_set(imported: Any) -> None:
    m = entry(imported.data, "etl-0301")["manifest"]
    assert m["metadata"] == {"labels": {"app": "etl"}, "name": "etl-0301", "namespace": "batch"}
    assert "status" not in m
    spec = m["spec"]
    assert "selector" not in spec and "manualSelector" not in spec
    assert spec["template"]["metadata"] == {"labels": {"app": "etl"}}  # no uid, no job-name
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (12, 4, 6)


def test_jobs_are_submitted_at_their_creation_after_the_first(imported: Any) -> None:
    # creationTimestamps 02:00:00, 02:02:00, 02:10:00, 02:11:00: offsets from the earliest
    got = [(e["manifest"]["metadata"]["name"], e.get("submitAt")) for e in imported.data["jobs"]]
    assert got == [
        ("etl-0301", None),
        ("train", "2m0s"),
        ("etl-0302", "10m0s"),
        ("report", "11m0s"),
    ]


def test_a_jobs_workload_is_fitted_to_its_runs(imported: Any) -> None:
    work = entry(imported.data, "etl-0301")["workload"]
    # The log-normal's maximum-likelihood fit with loc 0: median e^mean(ln x), sigma the
    # population standard deviation of ln x.
    logs = [math.log(x) for x in ETL_0301_OK]
    mu = sum(logs) / len(logs)
    sigma = math.sqrt(sum((v - mu) ** 2 for v in logs) / len(logs))
    median = math.exp(mu)
    got = work["duration"]["lognormal"]
    assert got["sigma"] == float(f"{sigma:.4g}")
    assert parse_duration(got["median"]) == pytest.approx(median, abs=5e-4)
    # 13 runs: 12 exited 0, one exited 1 after 45 s
    assert work["failure"] == {
        "probability": round(1 / 13, 6),
        "exitCode": {1: 1},
        "after": {"constant": "45s"},
    }
    fit = next(f for f in imported.fits if f.group == "batch/etl-0301")
    assert fit.duration.n == 12 and fit.duration.family == "lognormal"
    # AIC = 2k - 2 ln L, k = 2, L the log-normal likelihood at the fit
    loglik = sum(
        -math.log(x * sigma * math.sqrt(2 * math.pi)) - (math.log(x) - mu) ** 2 / (2 * sigma**2)
        for x in ETL_0301_OK
    )
    assert fit.duration.aic == pytest.approx(4 - 2 * loglik, rel=1e-6)


def test_oomkilled_runs_keep_their_exit_code_and_reason(imported: Any) -> None:
    failure = entry(imported.data, "train")["workload"]["failure"]
    assert failure["probability"] == 1.0 and failure["exitCode"] == {137: 2}
    # two runs (170 s, 175 s): too few to fit a family, so their range
    assert failure["after"] == {"uniform": {"min": "2m50s", "max": "2m55s"}}
    fit = next(f for f in imported.fits if f.group == "batch/train")
    assert fit.exit_codes == ((137, 2, ("OOMKilled",)),)
    assert "exit codes 137×2 (OOMKilled)" in "\n".join(fit.describe())


def test_group_by_fits_one_workload_per_label_value() -> None:
    got = import_dumps([FIXTURE], group_by="app")
    assert [(f.group, f.jobs, f.runs) for f in got.fits] == [
        ("app=etl", ("batch/etl-0301", "batch/etl-0302"), 15),  # 13 + the 2 finished of 0302
        ("app=train", ("batch/train",), 2),
        ("app=report", ("batch/report",), 0),
    ]
    assert entry(got.data, "etl-0301")["workload"] is entry(got.data, "etl-0302")["workload"]


def test_broken_and_partial_dumps_give_located_warnings(imported: Any) -> None:
    f = str(FIXTURE)
    assert imported.warnings == [
        f"{f}: items[25] (Pod batch/etl-0228-mqtx4): a pod of Job batch/etl-0228, which is not "
        "in the dump: left out",
        f"{f}: items[26] (Pod batch/etl-0301-x47bf): state.terminated without startedAt and "
        "finishedAt (a container that never started?): its run is left out",
        f"1 pod(s) not created by a Job (the first: {f}: items[27] (Pod "
        "batch/web-6d9f8c7b5-58cgk)): left out",
        f"{f}: items[5] (Job batch/etl-0302): not finished at the time of the dump (1 pod(s) "
        "not finished): its finished runs so far are used",
        "batch/report: no finished run: the default workload (10s, no failures)",
    ]


def test_round_trip_import_load_simulate(imported: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(imported.to_yaml(), encoding="utf-8")
    result = simulate(load_scenario(path))
    outcomes = {j["name"]: job_outcome(j["status"])[0] for j in result.to_dict()["jobs"]}
    # train's runs all exited 137 (p = 1) and backoffLimit is 1: Failed after two pods
    assert outcomes == {
        "etl-0301": "Complete",
        "train": "Failed",
        "etl-0302": "Complete",
        "report": "Complete",
    }


def write(tmp_path: Path, name: str, data: Any) -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def dump_items() -> list[Any]:
    return list(json.loads(FIXTURE.read_text())["items"])


def test_yaml_documents_and_typed_lists_are_read(tmp_path: Path) -> None:
    items = dump_items()
    nodes = [i for i in items if i["kind"] == "Node"]
    jobs = [i for i in items if i["kind"] == "Job"]
    for it in nodes:  # the API's NodeList: items without their kind
        it.pop("kind")
    a = write(tmp_path, "nodes.json", {"apiVersion": "v1", "kind": "NodeList", "items": nodes})
    b = write(tmp_path, "jobs.yaml", yaml.safe_dump_all(jobs))
    got = import_dumps([a, b])
    assert [p["count"] for p in got.data["cluster"]["nodePools"]] == [2, 1]
    assert len(got.data["jobs"]) == 4
    assert all(f.runs == 0 for f in got.fits)  # no pods in these files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json: [", "neither JSON nor YAML"),
        ('{"apiVersion": "v1", "kind": "List", "items": []}', "no Job in the dump(s)"),
        ("42", "no Job in the dump(s)"),
    ],
)
def test_dumps_that_cannot_be_imported_are_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    p = write(tmp_path, "d.json", content)
    with pytest.raises(DumpError) as err:
        import_dumps([p])
    assert message in str(err.value)


def test_the_warnings_come_with_the_error_of_an_empty_import(tmp_path: Path) -> None:
    """A dump whose only Job has no metadata.name: nothing to import, and the warning that
    says why is printed before the error."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {}, "spec": {}}
    p = write(tmp_path, "d.json", {"apiVersion": "v1", "kind": "List", "items": [job]})
    res = runner.invoke(app, ["import", str(p), "-o", str(tmp_path / "s.yaml")])
    assert res.exit_code == 1
    assert res.stderr == (
        f"warning: {p}: items[0] (Job): a Job without metadata.name: skipped\n"
        f"error: {p}: no Job in the dump(s): nothing to import\n"
    )


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DumpError) as err:
        import_dumps([tmp_path / "nope.json"])
    assert err.value.lines == [
        f"{tmp_path / 'nope.json'}: cannot read the file: No such file or directory"
    ]


def test_odd_objects_are_skipped_with_their_place(tmp_path: Path) -> None:
    items = [i for i in dump_items() if i["kind"] == "Job"][:1]
    job = items[0]
    del job["metadata"]["creationTimestamp"]
    items += ["a string", {"kind": "ConfigMap", "metadata": {"name": "c"}}, {"metadata": {}}]
    items.append(
        {
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "batch", "labels": {"job-name": "etl-0301"}},
        }
    )
    p = write(tmp_path, "d.json", {"apiVersion": "v1", "kind": "List", "items": items})
    got = import_dumps([p])
    assert got.warnings == [
        f"{p}: items[1]: not an object: skipped",
        f"{p}: items[3]: an object without kind: skipped",
        "skipped objects of other kinds (1 ConfigMap): an import reads Nodes, Jobs and Pods",
        "no usable Node in the dump(s): the default pool of 3 nodes of 4 cpu and 16Gi is used",
        f"{p}: items[0] (Job batch/etl-0301): no metadata.creationTimestamp: submitted at 0s",
        "batch/etl-0301: no finished run: the default workload (10s, no failures)",
    ]  # the pod without status is still pending: no run, no warning of its own


def test_a_job_the_api_server_would_refuse_is_left_out(tmp_path: Path) -> None:
    items = [i for i in dump_items() if i["kind"] == "Job"][:2]
    items[1]["spec"]["backoffLimit"] = -1
    p = write(tmp_path, "d.json", {"apiVersion": "v1", "kind": "List", "items": items})
    got = import_dumps([p])
    assert [e["manifest"]["metadata"]["name"] for e in got.data["jobs"]] == ["etl-0301"]
    assert got.warnings[-1] == (
        "Job batch/train: left out, the API server would refuse it: jobs[1].manifest: "
        "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"
    )


def test_fits_pick_the_family_with_the_least_aic() -> None:
    rng = np.random.default_rng(11)
    assert fit_durations(list(rng.lognormal(math.log(60), 0.5, 400))).family == "lognormal"
    assert fit_durations(list(rng.weibull(4.0, 400) * 90)).family == "weibull"
    assert fit_durations(list(rng.exponential(30, 400))).family == "exponential"
    assert fit_durations([10, 10, 10]).distribution == {"constant": "10s"}
    # a 0 s run (the API's one-second resolution) counts as 0.5 s, and says so
    fit = fit_durations([0, 3, 5, 8, 13, 21])
    assert fit.zeros == 1 and "1 run(s) of 0s counted as 500ms" in fit.describe()


def test_cli_import_writes_a_runnable_scenario(tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    res = runner.invoke(app, ["import", str(FIXTURE), "-o", str(out), "--group-by", "app"])
    assert res.exit_code == 0, res.output
    assert "app=etl: 15 runs (14 exited 0, 1 failed) of 2 Job(s)" in res.stdout
    assert "duration: lognormal(" in res.stdout and "KS D=" in res.stdout
    assert f"wrote {out}" in res.stdout
    assert load_scenario(out).name == "cluster"


def test_cli_import_of_a_bad_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["import", str(tmp_path / "nope.json"), "-o", str(tmp_path / "s.yaml")]
    )
    assert res.exit_code == 1
    assert (
        res.stderr
        == f"error: {tmp_path / 'nope.json'}: cannot read the file: No such file or directory\n"
    )


def test_the_shipped_imported_scenario_is_the_fixtures_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shipped = ROOT / "scenarios" / "imported"
    assert (shipped / "cluster.json").read_bytes() == FIXTURE.read_bytes()
    monkeypatch.chdir(ROOT)
    got = import_dumps([Path("scenarios/imported/cluster.json")], group_by="app", name="imported")
    assert (ROOT / "scenarios" / "imported.yaml").read_text(encoding="utf-8") == got.to_yaml()


def test_fit_empirical_lists_the_runs_themselves(tmp_path: Path) -> None:
    got = import_dumps([FIXTURE], fit="empirical")
    work = entry(got.data, "etl-0301")["workload"]
    # the 12 runs that exited 0, in the dump's order, as durations
    want = [parse_duration(f"{x}s") for x in ETL_0301_OK]
    assert [parse_duration(x) for x in work["duration"]["empirical"]["samples"]] == want
    assert work["failure"]["after"] == {"empirical": {"samples": ["45s"]}}
    path = tmp_path / "s.yaml"
    path.write_text(got.to_yaml(), encoding="utf-8")
    assert simulate(load_scenario(path)).to_dict()["jobs"][0]["podsCreated"] >= 12


def test_fit_empirical_of_many_runs_gives_percentiles() -> None:
    fit = fit_durations([float(x) for x in range(1, 202)], "empirical")  # 1 s … 201 s
    q = fit.distribution["empirical"]["quantiles"]
    # 101 percentiles, linear between order statistics: p of 201 evenly spread values
    # 1…201 is 1 + 200p
    assert len(q) == 101
    assert (q[0.0], q[0.5], q[0.99], q[1.0]) == ("1s", "1m41s", "3m19s", "3m21s")


def test_fit_one_family_as_asked() -> None:
    got = import_dumps([FIXTURE], fit="gamma")
    duration = next(f for f in got.fits if f.group == "batch/etl-0301").duration
    assert duration is not None and duration.family == "gamma"
    assert {c.family for c in duration.others} == {"lognormal", "weibull", "exponential"}
    assert "gamma" in entry(got.data, "etl-0301")["workload"]["duration"]
    with pytest.raises(DumpError, match="--fit: unknown fit 'erlang'"):
        import_dumps([FIXTURE], fit="erlang")


def test_restarted_containers_give_their_previous_run(tmp_path: Path) -> None:
    # restartPolicy OnFailure: the pod's container failed once (lastState.terminated, exit 2
    # after 30 s) and then succeeded (state.terminated, 40 s): two runs.
    items = [i for i in dump_items() if i["kind"] == "Job"][:1]
    pod = next(i for i in dump_items() if i["kind"] == "Pod")
    status = pod["status"]["containerStatuses"][0]
    status["restartCount"] = 1
    status["lastState"] = {
        "terminated": {
            "exitCode": 2,
            "reason": "Error",
            "startedAt": "2026-03-01T02:00:02Z",
            "finishedAt": "2026-03-01T02:00:32Z",
        }
    }
    status["state"]["terminated"].update(
        startedAt="2026-03-01T02:00:45Z", finishedAt="2026-03-01T02:01:25Z"
    )
    p = write(tmp_path, "d.json", {"apiVersion": "v1", "kind": "List", "items": [*items, pod]})
    got = import_dumps([p])
    (fit,) = got.fits
    assert (fit.runs, fit.failed) == (2, 1)
    work = got.data["jobs"][0]["workload"]
    assert work["duration"] == {"constant": "40s"}
    assert work["failure"] == {"probability": 0.5, "exitCode": {2: 1}, "after": {"constant": "30s"}}


def test_an_object_in_two_dumps_is_read_once(tmp_path: Path) -> None:
    copy = write(tmp_path, "copy.json", FIXTURE.read_text(encoding="utf-8"))
    got = import_dumps([FIXTURE, copy, FIXTURE])
    again = [w for w in got.warnings if "also at" in w]
    assert len(again) == len(dump_items())  # every object of the copy
    node = "items[0] (Node ip-10-0-1-11.ec2.internal)"
    assert again[0] == f"{copy}: {node}: also at {FIXTURE}: {node}: the first is kept"
    assert f"{FIXTURE}: given twice: read once" in got.warnings
    assert [p["count"] for p in got.data["cluster"]["nodePools"]] == [2, 1]


def test_a_binary_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "d.json"
    p.write_bytes(b"{\x00\xff")
    with pytest.raises(DumpError) as err:
        import_dumps([p])
    assert err.value.lines == [f"{p}: not UTF-8 text (byte 2): a dump is kubectl's JSON or YAML"]


def test_a_cronjobs_job_comes_in_as_a_job_with_a_warning(tmp_path: Path) -> None:
    job = next(i for i in dump_items() if i["kind"] == "Job")
    job["metadata"]["ownerReferences"] = [
        {"apiVersion": "batch/v1", "kind": "CronJob", "name": "etl", "uid": "u", "controller": True}
    ]
    p = write(tmp_path, "d.json", {"apiVersion": "v1", "kind": "List", "items": [job]})
    got = import_dumps([p])
    assert "ownerReferences" not in got.data["jobs"][0]["manifest"]["metadata"]
    assert (
        f"{p}: items[0] (Job batch/etl-0301): created by CronJob batch/etl: imported as a Job "
        "of its own (the import does not read CronJobs: to run it by its schedule, put the "
        "CronJob in the scenario)"
    ) in got.warnings


def test_importing_loads_scipy_only_to_fit() -> None:
    import subprocess
    import sys

    code = "import sys, jobsim.importer; print('scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "False", done.stderr
