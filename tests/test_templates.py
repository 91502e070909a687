"""Scenario templates: an entry with ``replicas`` stands for N Jobs ``<name>-0 …``, submitted
by its ``arrival`` (every, at, uniform, poisson) from ``submitAt``.

Deterministic arrivals are exact for every seed; random ones are drawn at run time from the
run's seed on the entry's own stream (``stream(seed, "arrival", "<namespace>/<name>")``), so
they vary with the seed and with nothing else in the scenario.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsim import load_scenario, simulate
from jobsim.record import Kind, Recorder
from jobsim.scenario import Scenario
from jobsim.sim.jobs import stream
from jobsim.sim.simulation import Simulation
from tests.helpers import PI_JOB_ENTRY, job_manifest, scenario, scenario_error, write_file


def template(
    replicas: Any = None,
    arrival: dict[str, Any] | None = None,
    *,
    name: str = "pi",
    submit: Any = None,
    events: list[dict[str, Any]] | None = None,
    nodes: int = 3,
    seed: int = 1,
) -> dict[str, Any]:
    """A scenario whose one entry is ``name`` with these ``replicas`` and ``arrival``."""
    data = scenario(
        (job_manifest(name), {"duration": "10s"}), events=events, nodes=nodes, seed=seed
    )
    entry = data["jobs"][0]
    if replicas is not None:
        entry["replicas"] = replicas
    if arrival is not None:
        entry["arrival"] = arrival
    if submit is not None:
        entry["submitAt"] = submit
    return data


def submitted(data: dict[str, Any], seed: int | None = None) -> list[tuple[float, str]]:
    """``(t, job)`` of every recorded JOB_SUBMITTED, in order."""
    result = simulate(load_scenario(data), seed)
    return [(t, s) for t, kind, s, *_ in result.recorder.events() if kind is Kind.JOB_SUBMITTED]


def submit_times(loaded: Scenario, seed: int | None = None) -> dict[str, float]:
    """Each Job's submission time as a run with ``seed`` schedules it (without running)."""
    sim = Simulation(loaded, Recorder(), seed)
    return {key: job.submitted_at for key, job in sim.jobs.items()}


# -- replicas ---------------------------------------------------------------------------------


def test_replicas_are_jobs_named_after_the_entry() -> None:
    loaded = load_scenario(template(replicas=4))
    assert [e.key for e in loaded.jobs] == [f"default/pi-{i}" for i in range(4)]
    assert [str(e.job.metadata.name) for e in loaded.jobs] == ["pi-0", "pi-1", "pi-2", "pi-3"]
    assert [e.source for e in loaded.jobs] == [0, 0, 0, 0]
    assert [(r.group, r.index, r.count) for e in loaded.jobs if (r := e.replica)] == [
        ("default/pi", i, 4) for i in range(4)
    ]
    # Each replica is a Job of its own: its labels and uid follow its name.
    metas = [e.job.spec.template.metadata for e in loaded.jobs]
    labels = [m.labels["job-name"] for m in metas if m is not None and m.labels is not None]
    assert labels == ["pi-0", "pi-1", "pi-2", "pi-3"]
    assert len({e.job.metadata.uid for e in loaded.jobs}) == 4


def test_replicas_without_arrival_are_submitted_together() -> None:
    assert submitted(template(replicas=3, submit="20s")) == [
        (20.0, "default/pi-0"),
        (20.0, "default/pi-1"),
        (20.0, "default/pi-2"),
    ]


def test_replicas_1_still_names_the_replica() -> None:
    assert [e.key for e in load_scenario(template(replicas=1)).jobs] == ["default/pi-0"]


def test_an_entry_without_replicas_is_unchanged() -> None:
    (entry,) = load_scenario(template()).jobs
    assert (entry.key, entry.source, entry.replica, entry.replicas) == ("default/pi", 0, None, None)


def test_a_lone_entry_with_an_arrival_keeps_its_name() -> None:
    data = template(arrival={"every": "1m"}, submit="5s")
    (entry,) = load_scenario(data).jobs
    assert entry.key == "default/pi"
    assert submitted(data) == [(5.0, "default/pi")]


def test_replicas_run_as_separate_jobs() -> None:
    result = simulate(load_scenario(template(replicas=3, arrival={"every": "30s"})))
    assert [(j["name"], j["submittedAt"], j["status"]["succeeded"]) for j in result.jobs()] == [
        ("pi-0", 0.0, 1),
        ("pi-1", 30.0, 1),
        ("pi-2", 60.0, 1),
    ]
    assert sorted(p["job"] for p in result.pods()) == [f"default/pi-{i}" for i in range(3)]


# -- deterministic arrivals -------------------------------------------------------------------


def test_every_is_a_fixed_interval_from_submit_at() -> None:
    data = template(replicas=4, arrival={"every": "1m30s"}, submit="10s")
    want = [(10.0, "default/pi-0"), (100.0, "default/pi-1"), (190.0, "default/pi-2")]
    want.append((280.0, "default/pi-3"))
    assert submitted(data) == want
    assert submitted(data, seed=99) == want  # the same for every seed


def test_at_lists_each_replicas_offset() -> None:
    data = template(replicas=3, arrival={"at": ["0s", "5m", 720]}, submit="30s")
    want = [(30.0, "default/pi-0"), (330.0, "default/pi-1"), (750.0, "default/pi-2")]
    assert submitted(data) == want
    assert submitted(data, seed=7) == want


def test_at_need_not_be_sorted() -> None:
    data = template(replicas=3, arrival={"at": ["2m", "0s", "1m"]})
    assert submitted(data) == [
        (0.0, "default/pi-1"),
        (60.0, "default/pi-2"),
        (120.0, "default/pi-0"),
    ]


# -- random arrivals --------------------------------------------------------------------------


def test_uniform_draws_from_the_entrys_own_stream() -> None:
    data = template(replicas=5, arrival={"uniform": {"over": "10m"}}, submit="1m", seed=4)
    times = submit_times(load_scenario(data))
    drawn = stream(4, "arrival", "default/pi").uniform(0.0, 600.0, size=5)
    assert [times[f"default/pi-{i}"] for i in range(5)] == [60.0 + float(x) for x in drawn]
    assert all(60.0 <= t < 660.0 for t in times.values())


def test_uniform_is_the_same_for_a_seed_and_differs_across_seeds() -> None:
    loaded = load_scenario(template(replicas=6, arrival={"uniform": {"over": "1h"}}, seed=1))
    first = submit_times(loaded)
    assert submit_times(loaded) == first
    assert submit_times(load_scenario(template(6, {"uniform": {"over": "1h"}}, seed=1))) == first
    assert submit_times(loaded, seed=1) == first  # the scenario's seed is the default
    other = submit_times(loaded, seed=2)
    assert all(other[k] != first[k] for k in first)
    # The run uses them: the recorded submissions are the scheduled times, in time order.
    assert submitted(template(6, {"uniform": {"over": "1h"}}, seed=1)) == sorted(
        (t, k) for k, t in first.items()
    )


def test_uniform_does_not_depend_on_the_rest_of_the_scenario() -> None:
    """Common random numbers: another Job entry (before this one) or another cluster size
    leaves the draws alone."""
    data = template(replicas=4, arrival={"uniform": {"over": "30m"}}, seed=8)
    base = submit_times(load_scenario(data))
    more = copy.deepcopy(data)
    other: dict[str, Any] = {
        "manifest": job_manifest("etl"),
        "workload": {"duration": "1m"},
        "replicas": 3,
        "arrival": {"uniform": {"over": "30m"}},
    }
    more["jobs"].insert(0, other)
    with_other = submit_times(load_scenario(more))
    assert {k: with_other[k] for k in base} == base
    bigger = copy.deepcopy(data)
    bigger["cluster"]["nodePools"][0]["count"] = 50
    assert submit_times(load_scenario(bigger)) == base


def test_uniform_over_zero_is_submit_at() -> None:
    times = submit_times(load_scenario(template(3, {"uniform": {"over": "0s"}}, submit="2m")))
    assert sorted(times.values()) == [120.0, 120.0, 120.0]


@pytest.mark.slow  # 2,000 replicas loaded, 2 s: not in make check
def test_poisson_has_exponential_gaps_of_the_mean() -> None:
    n = 2000
    data = template(replicas=n, arrival={"poisson": {"mean": "30s"}}, submit="10s", seed=5)
    times = submit_times(load_scenario(data))
    ordered = [times[f"default/pi-{i}"] for i in range(n)]
    gaps = np.diff([10.0, *ordered])
    assert (gaps > 0).all()  # increasing in replica order, the first after submitAt
    assert 27.0 < gaps.mean() < 33.0  # mean 30 s, standard error 30/sqrt(2000) ≈ 0.67 s
    assert 27.0 < gaps.std() < 33.0  # exponential: the deviation equals the mean
    drawn = np.cumsum(stream(5, "arrival", "default/pi").exponential(30.0, size=n))
    assert ordered == [10.0 + float(x) for x in drawn]


def test_poisson_is_the_same_for_a_seed_and_differs_across_seeds() -> None:
    loaded = load_scenario(template(replicas=3, arrival={"poisson": {"mean": "1m"}}))
    assert submit_times(loaded, 3) == submit_times(loaded, 3)
    assert submit_times(loaded, 3) != submit_times(loaded, 4)


# -- events about replicas --------------------------------------------------------------------


def test_an_event_names_a_replica() -> None:
    events = [{"at": "45s", "suspend": "pi-1"}, {"at": "2m", "resume": "default/pi-1"}]
    data = template(replicas=2, arrival={"every": "30s"}, events=events)
    result = simulate(load_scenario(data))
    changed = [
        (t, s, x)
        for t, kind, s, _, _, _, x in result.recorder.events()
        if kind is Kind.JOB_SPEC_CHANGED
    ]
    assert changed == [
        (45.0, "default/pi-1", "suspend False -> True"),
        (120.0, "default/pi-1", "suspend True -> False"),
    ]
    assert [j["status"]["succeeded"] for j in result.jobs()] == [1, 1]


def test_an_event_before_a_random_arrival_is_ignored() -> None:
    events: list[dict[str, Any]] = [
        {"at": "0s", "suspend": "pi-0"},
        {"at": "0s", "deletePod": {"job": "pi-0"}},
        {"at": "0s", "scale": {"job": "pi-0", "parallelism": 2}},
    ]
    data = template(replicas=2, arrival={"uniform": {"over": "1h"}}, events=events)
    loaded = load_scenario(data)
    arrival = submit_times(loaded)["default/pi-0"]
    assert arrival > 0.0
    result = simulate(loaded, check=True)
    ignored = [
        (t, s, x)
        for t, kind, s, _, _, _, x in result.recorder.events()
        if kind is Kind.EVENT_IGNORED
    ]
    assert ignored == [
        (0.0, "default/pi-0", "suspend: the Job does not exist yet"),
        (0.0, "default/pi-0", "deletePod: the Job does not exist yet"),
        (0.0, "default/pi-0", "scale: the Job does not exist yet"),
    ]
    job = result.job("pi-0")
    assert job["submittedAt"] == arrival
    assert job["status"]["succeeded"] == 1  # never suspended, as if the events were not sent
    assert (
        "Job default/pi-0: outside event had no effect (suspend: the Job does not exist yet)"
        in [e["message"] for e in result.events()]
    )


def test_an_event_after_a_random_arrival_applies() -> None:
    data = template(replicas=2, arrival={"uniform": {"over": "1m"}}, events=[])
    data["jobs"][0]["workload"] = {"duration": "1h"}
    data["events"] = [{"at": "5m", "suspend": "pi-1"}]
    result = simulate(load_scenario(data))
    assert [
        (t, s) for t, kind, s, *_ in result.recorder.events() if kind is Kind.JOB_SPEC_CHANGED
    ] == [(300.0, "default/pi-1")]


# -- located problems -------------------------------------------------------------------------

BASE = (
    """\
name: t
cluster:
  nodePools:
    - name: pool
      count: 2
      capacity: {cpu: "4", memory: 16Gi}
jobs:
"""
    + PI_JOB_ENTRY
    + """\
    submitAt: 10s
    replicas: 3
    arrival: {every: 1m}
    workload:
      duration: 10s
events:
  - {at: 5s, nodeDown: pool-0}
"""
)

CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "replicas 0",
        [("replicas: 3", "replicas: 0")],
        ["s.yaml:18:15: jobs[0].replicas: must be greater than or equal to 1, got 0"],
    ),
    (
        "replicas -1",
        [("replicas: 3", "replicas: -1")],
        ["s.yaml:18:15: jobs[0].replicas: must be greater than or equal to 1, got -1"],
    ),
    (
        "replicas a word",
        [("replicas: 3", "replicas: x")],
        ["s.yaml:18:15: jobs[0].replicas: expected an integer, got 'x'"],
    ),
    (
        "replicas a fraction",
        [("replicas: 3", "replicas: 2.5")],
        ["s.yaml:18:15: jobs[0].replicas: expected an integer, got 2.5"],
    ),
    (
        "replicas true",
        [("replicas: 3", "replicas: true")],
        ["s.yaml:18:15: jobs[0].replicas: expected an integer, got true"],
    ),
    (
        "replicas too many",
        [("replicas: 3", "replicas: 1000000")],
        ["s.yaml:18:15: jobs[0].replicas: must be less than or equal to 100000, got 1000000"],
    ),
    (
        "unknown arrival kind, a near miss",
        [("{every: 1m}", "{evry: 1m}")],
        ["s.yaml:19:15: jobs[0].arrival.evry: unknown field 'evry' (did you mean 'every'?)"],
    ),
    (
        "unknown arrival kind",
        [("{every: 1m}", "{burst: 1m}")],
        [
            "s.yaml:19:15: jobs[0].arrival.burst: unknown field 'burst'; expected one of: every, "
            "uniform, poisson, at"
        ],
    ),
    (
        "two arrival kinds",
        [("{every: 1m}", "{every: 1m, at: [0s]}")],
        [
            "s.yaml:19:14: jobs[0].arrival: an arrival is exactly one of: every, uniform, "
            "poisson, at (got every, at)"
        ],
    ),
    (
        "every zero",
        [("{every: 1m}", "{every: 0s}")],
        ["s.yaml:19:22: jobs[0].arrival.every: must be greater than 0, got '0s'"],
    ),
    (
        "every negative",
        [("{every: 1m}", "{every: -1m}")],
        ["s.yaml:19:22: jobs[0].arrival.every: must not be negative, got '-1m'"],
    ),
    (
        "poisson mean zero",
        [("{every: 1m}", "{poisson: {mean: 0}}")],
        ["s.yaml:19:31: jobs[0].arrival.poisson.mean: must be greater than 0, got 0"],
    ),
    (
        "poisson with a rate",
        [("{every: 1m}", "{poisson: {rate: 2}}")],
        [
            "s.yaml:19:24: jobs[0].arrival.poisson: poisson takes mean, the mean time between "
            "arrivals (a rate of 2 per minute is mean: 30s)"
        ],
    ),
    (
        "uniform over negative",
        [("{every: 1m}", "{uniform: {over: -5m}}")],
        ["s.yaml:19:31: jobs[0].arrival.uniform.over: must not be negative, got '-5m'"],
    ),
    (
        "at: fewer times than replicas",
        [("{every: 1m}", "{at: [0s, 5m]}")],
        [
            "s.yaml:19:19: jobs[0].arrival.at: 2 times for 3 Jobs (replicas is 3): give one "
            "time per replica"
        ],
    ),
    (
        "at: a list without replicas",
        [("    replicas: 3\n", ""), ("{every: 1m}", "{at: [0s, 5m]}")],
        [
            "s.yaml:18:19: jobs[0].arrival.at: 2 times for 1 Job (replicas is not set: 1 "
            "Job): give one time per replica"
        ],
    ),
    (
        "at: a negative time",
        [("{every: 1m}", "{at: [0s, 5m, -1s]}")],
        ["s.yaml:19:28: jobs[0].arrival.at[2]: must not be negative, got '-1s'"],
    ),
    (
        "a replica name too long for the job-name label",
        [("{name: pi}", "{name: " + "a" * 62 + "}")],
        [
            "s.yaml:18:15: jobs[0].replicas: replica 0 is Job " + "a" * 62 + "-0: "
            'spec.template.labels: Invalid value: "' + "a" * 62 + '-0": must be no more '
            "than 63 bytes"
        ],
    ),
    (
        "an event naming the entry, not a replica",
        [("nodeDown: pool-0", "suspend: pi")],
        [
            "s.yaml:23:23: events[0].suspend: job 'pi' does not exist: jobs[0] stands for "
            "its 3 replicas, pi-0 … pi-2; name one of them"
        ],
    ),
    (
        "an event before its replica's fixed arrival",
        [("{at: 5s, nodeDown: pool-0}", "{at: 30s, suspend: pi-1}")],
        [
            # pi-1 arrives at submitAt + 1·every = 10s + 1m, written as Go writes 70 seconds
            "s.yaml:23:24: events[0].suspend: job default/pi-1 does not exist yet at 30s (it "
            "is submitted at 1m10s), so the API server would answer NotFound; to create a Job "
            "suspended, set spec.suspend in its manifest"
        ],
    ),
    (
        "an event before a random arrival can start",
        [
            ("{every: 1m}", "{uniform: {over: 1m}}"),
            ("{at: 5s, nodeDown: pool-0}", "{at: 5s, suspend: pi-1}"),
        ],
        [
            "s.yaml:23:23: events[0].suspend: job default/pi-1 does not exist yet at 5s (it "
            "is submitted at the earliest at 10s: its arrival is random), so the API server "
            "would answer NotFound; to create a Job suspended, set spec.suspend in its manifest"
        ],
    ),
    (
        "a replica's name taken by another entry",
        [
            (
                "events:",
                "  - manifest: {apiVersion: batch/v1, kind: Job, metadata: {name: pi-1}, "
                "spec: {template: {spec: {containers: [{name: c, image: i}], "
                "restartPolicy: Never}}}}"
                "\n    workload: {duration: 1s}\nevents:",
            )
        ],
        [
            "s.yaml:22:66: jobs[1].manifest.metadata.name: Duplicate value: job default/pi-1 "
            "is also jobs[0] (replica 1)"
        ],
    ),
    (
        "a problem of the entry is reported once, not per replica",
        [("duration: 10s", "duration: 10s\n      failure: {probability: 0.1, container: side}")],
        [
            "s.yaml:22:46: jobs[0].workload.failure.container: no container named 'side' in "
            "the pod template"
        ],
    ),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_base_is_valid(folder: Path) -> None:
    loaded = load_scenario(write_file(folder, BASE))
    assert [e.key for e in loaded.jobs] == ["default/pi-0", "default/pi-1", "default/pi-2"]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_located_problem(folder: Path, edits: list[tuple[str, str]], expected: list[str]) -> None:
    text = BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = write_file(folder, text)
    error = scenario_error(path)
    assert [line.replace(f"{folder}/", "") for line in error.lines] == expected


def test_a_lone_entry_draws_apart_from_a_group_of_the_same_name() -> None:
    """Entry report (2 replicas) and a lone Job also named report, both uniform: the lone one
    has its own stream, so its time is not report-0's."""
    data = template(2, {"uniform": {"over": "10m"}}, name="report")
    lone = copy.deepcopy(data["jobs"][0])
    del lone["replicas"]
    data["jobs"].append(lone)
    times = submit_times(load_scenario(data))
    assert set(times) == {"default/report-0", "default/report-1", "default/report"}
    assert times["default/report"] != times["default/report-0"]
    rng = stream(1, "arrival-single", "default/report")
    assert times["default/report"] == pytest.approx(float(rng.uniform(0, 600)))
