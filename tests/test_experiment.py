"""Experiments: parameter paths, sweeps with common random numbers, intervals, search."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from jobsim import load_scenario, simulate
from jobsim.experiment import (
    Metric,
    MetricError,
    PathError,
    SweepError,
    metric,
    parse_values,
    parse_vary,
    search,
    set_path,
    sweep,
)
from jobsim.experiment.intervals import (
    mean_interval,
    order_statistic_interval,
    paired_mean_interval,
    paired_quantile_interval,
    quantile,
    quantile_interval,
    runs_to_bound,
)
from jobsim.record import JobRecorder, NullRecorder
from jobsim.results import Result
from tests.golden import SCENARIOS
from tests.helpers import job_manifest, scenario

FLAKY = SCENARIOS / "flaky-pool.yaml"


def _data() -> dict[str, Any]:
    data = scenario(
        (job_manifest("etl-a", parallelism=2, completions=4), {"duration": "10s"}),
        (job_manifest("etl-b", parallelism=2, completions=4), {"duration": "10s"}),
        (job_manifest("report"), {"duration": "5s"}),
        nodes=2,
    )
    data["cluster"]["nodePools"].append(
        {"name": "gpu", "count": 1, "capacity": {"cpu": "8", "memory": "32Gi"}}
    )
    return data


# -- paths ---------------------------------------------------------------------------------


def test_paths_select_pools_and_jobs_by_name_glob_or_position() -> None:
    data = _data()
    set_path(data, "cluster.nodePools[gpu].count", 3)
    set_path(data, "jobs[etl-*].manifest.spec.parallelism", 1)
    set_path(data, "jobs[2].workload.duration", "7s")
    set_path(data, "timing.podFailureBackoffBase", "5s")  # a key the file leaves out
    assert [p["count"] for p in data["cluster"]["nodePools"]] == [2, 3]
    assert [j["manifest"]["spec"].get("parallelism") for j in data["jobs"]] == [1, 1, None]
    assert data["jobs"][2]["workload"]["duration"] == "7s"
    assert data["timing"]["podFailureBackoffBase"] == "5s"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("cluster.nodePools[cpu].count", "no item named 'cpu' (the names are: n, gpu)"),
        ("cluster.nodePools[5].count", "cluster.nodePools[5]: there are 2 items"),
        ("timing[0].x", "timing is not a list"),
        ("jobs[report]..spec", "'' is not a key or key[selector]"),
        ("cluster.nodes[a].count", "cluster.nodes does not exist in the scenario"),
    ],
)
def test_bad_paths_name_themselves(path: str, message: str) -> None:
    with pytest.raises(PathError, match=re.escape(message)):
        set_path(_data(), path, 1)


def test_values_from_the_command_line() -> None:
    assert parse_values("2..6:2") == [2, 4, 6]
    assert parse_values("1,2.5,10s,true") == [1, 2.5, "10s", True]
    assert parse_vary(["a.b=1..3", "c=x"]) == {"a.b": [1, 2, 3], "c": ["x"]}
    with pytest.raises(PathError, match="A <= B"):
        parse_values("5..2")
    with pytest.raises(PathError, match="expected PATH=V1"):
        parse_vary(["count"])


# -- sweeps --------------------------------------------------------------------------------


def test_an_invalid_point_is_an_error_before_any_run() -> None:
    calls: list[int] = []
    with pytest.raises(SweepError) as e:
        sweep(
            _data(),
            {"cluster.nodePools[n].count": [1, -1]},
            replications=2,
            progress=lambda done, total: calls.append(done),
        )
    assert str(e.value).startswith("<scenario>: point cluster.nodePools[n].count=-1: ")
    assert "cluster.nodePools[0].count" in str(e.value)
    assert calls == []  # nothing ran
    with pytest.raises(SweepError, match=r"point jobs\[nightly\]\.x=1: .*no item named"):
        sweep(_data(), {"jobs[nightly].x": [1]})
    with pytest.raises(SweepError, match="unknown metric 'speed'"):
        sweep(_data(), metrics=["speed"])


def test_common_random_numbers_and_one_row_per_run() -> None:
    s = sweep(FLAKY, {"cluster.nodePools[worker].count": [3, 4]}, replications=3, seed=7)
    runs = s.runs
    assert list(runs.columns) == [
        "point",
        "cluster.nodePools[worker].count",
        "replication",
        "seed",
        "makespan",
        "error",
    ]
    assert runs["seed"].tolist() == [7, 8, 9, 7, 8, 9]
    assert runs["cluster.nodePools[worker].count"].tolist() == [3, 3, 3, 4, 4, 4]
    # Each run is the run simulate gives for that point and seed (4 nodes is the file's count).
    one = simulate(load_scenario(FLAKY), 8)
    assert runs["makespan"].iloc[4] == metric("makespan")(one)


def test_paired_differences_are_narrower_than_unpaired_ones() -> None:
    """Common random numbers: replication r meets the same node failures and run times at 4 and
    5 nodes, so the per-replication differences vary less than the runs themselves."""
    s = sweep(FLAKY, {"cluster.nodePools[worker].count": [4, 5]}, replications=8)
    [row] = s.paired("makespan").to_dict("records")
    assert row["change"] == "cluster.nodePools[worker].count: 4 -> 5"
    paired = row["high"] - row["low"]
    unpaired = row["unpaired_high"] - row["unpaired_low"]
    assert 0 < paired < unpaired
    x, y = s.values(0, "makespan"), s.values(1, "makespan")
    assert row["difference"] == pytest.approx(sum(y) / 8 - sum(x) / 8)


def test_summary_holds_means_quantiles_and_their_intervals() -> None:
    s = sweep(FLAKY, replications=5, metrics=["makespan", "pods_failed"])
    summary = s.summary(confidence=0.9, quantiles=(0.5, 0.95))
    assert summary["metric"].tolist() == ["makespan", "pods_failed"]
    row = summary.iloc[0]
    x = s.values(0, "makespan")
    assert row["n"] == 5
    assert (row["mean"], row["mean_low"], row["mean_high"]) == mean_interval(x, 0.9)
    assert row["p95"] == quantile(x, 0.95)
    assert row["p95_low"] <= row["p95"] <= row["p95_high"]


def test_a_failing_run_is_reported_and_the_others_finish() -> None:
    def fragile(result: Result) -> float:
        if result.seed == 1:
            raise RuntimeError("boom")
        return 1.0

    s = sweep(_data(), replications=3, metrics=[fragile, "makespan"], executor="serial")
    assert s.runs["error"].tolist() == ["", "metric fragile: RuntimeError: boom", ""]
    assert s.failures == ["point (base scenario), seed 1: metric fragile: RuntimeError: boom"]
    assert s.values(0, "fragile") == [1.0, 1.0]
    assert s.values(0, "makespan") == [20.0, 20.0, 20.0]  # the other metric stands


# -- metrics -------------------------------------------------------------------------------


def test_metrics_measure_what_they_say() -> None:
    """Zero latencies, pods without requests: the etl Jobs run two waves of two 10 s pods
    (Complete at 20 s), report one 5 s pod (Complete at 5 s); three nodes for 20 s."""
    r = simulate(load_scenario(_data()))
    assert metric("makespan")(r) == 20
    assert metric("work_done")(r) == 20
    assert metric("mean_wall_time")(r) == pytest.approx((20 + 20 + 5) / 3)
    assert metric("jobs_failed")(r) == 0
    assert metric("pods_failed")(r) == 0
    assert metric("useful_pod_seconds")(r) == 4 * 10 + 4 * 10 + 5
    assert metric("node_hours")(r) == pytest.approx(3 * 20 / 3600)
    assert metric("cost:n=2,gpu=10")(r) == pytest.approx((2 * 2 + 10) * 20 / 3600)
    assert metric("deadline_hits:6s")(r) == pytest.approx(1 / 3)
    assert metric("deadline_hits:20s")(r) == 1


def test_an_unfinished_job_makes_makespan_infinite_not_the_horizon() -> None:
    data = scenario((job_manifest(), {"duration": "1h"}))
    data["horizon"] = "10m"
    r = simulate(load_scenario(data))
    assert metric("makespan")(r) == math.inf
    assert metric("work_done")(r) == math.inf


def test_a_null_recorder_gives_no_metric() -> None:
    r = simulate(load_scenario(_data()), recorder=NullRecorder())
    with pytest.raises(MetricError, match=r"kept no event \(level none\)"):
        metric("makespan")(r)


def test_job_metrics_need_only_the_jobs_events() -> None:
    """A JobRecorder run gives the Job-level metrics exactly, keeps no pod event, and refuses
    a metric that needs them; a sweep of Job-level metrics records only that."""
    scenario_ = load_scenario(FLAKY)
    full, light = simulate(scenario_, 3), simulate(scenario_, 3, recorder=JobRecorder())
    for name in ("makespan", "work_done", "mean_wall_time", "node_hours", "cost:worker=2"):
        assert metric(name)(light) == metric(name)(full), name
    assert len(light.recorder) < len(full.recorder) / 5 and not light.recorder.pods
    with pytest.raises(MetricError, match="pods_failed needs every event"):
        metric("pods_failed")(light)
    assert metric("makespan").needs == "jobs" and metric("pods_failed").needs == "full"


def test_metric_names_and_arguments() -> None:
    assert isinstance(metric("deadline_hits:2h"), Metric)
    assert metric("deadline_hits:2h").name == "deadline_hits:2h"  # named as written
    with pytest.raises(MetricError, match="cost:POOL=PRICE"):
        metric("cost:worker")
    with pytest.raises(MetricError, match="deadline_hits:x"):
        metric("deadline_hits:x")


# -- intervals -----------------------------------------------------------------------------


def test_the_mean_interval_is_students_t() -> None:
    from scipy import stats as st  # here: at the top, every pytest worker imported it (1-2 s)

    x = [1.0, 2.0, 3.0, 4.0]
    half = st.t.ppf(0.975, 3) * st.sem(x)
    assert mean_interval(x, 0.95) == pytest.approx((2.5, 2.5 - half, 2.5 + half))
    assert mean_interval([3.0, 3.0], 0.95) == (3.0, 3.0, 3.0)
    assert paired_mean_interval([1.0, 2.0], [2.0, 3.0], 0.95) == (1.0, 1.0, 1.0)


def test_quantiles_and_their_bootstrap() -> None:
    x = [float(v) for v in range(1, 21)]
    assert quantile(x, 0.5) == 10.5
    assert quantile(x, 0.95) == pytest.approx(19.05)
    est, low, high = quantile_interval(x, 0.5, 0.95)
    assert (est, low, high) == quantile_interval(x, 0.5, 0.95)  # a fixed bootstrap stream
    assert low < est < high
    est, low, high = quantile_interval([*x[:-1], math.inf], 0.5, 0.95)
    assert math.isfinite(est) and math.isfinite(high)


# -- search --------------------------------------------------------------------------------


def test_search_finds_the_fewest_nodes_that_meet_the_bound() -> None:
    """Eight one-cpu pods of 60 s on 4-cpu nodes: one node needs two waves (about 2 minutes),
    two nodes one wave; the bound 90 s is met from 2 nodes on."""
    data = scenario(
        (
            job_manifest(
                parallelism=8,
                completions=8,
                podSpec={
                    "containers": [
                        {
                            "name": "main",
                            "image": "busybox:1.36",
                            "resources": {"requests": {"cpu": "1"}},
                        }
                    ]
                },
            ),
            {"duration": {"uniform": {"min": "50s", "max": "60s"}}},
        ),
        nodes=1,
    )
    found = search(
        data,
        "cluster.nodePools[n].count",
        [1, 2, 3, 4],
        "makespan",
        quantile=0.95,
        at_most="90s",
        replications=5,
        executor="serial",
    )
    assert found.answer == 2
    assert [v.value for v in found.verdicts] == [4, 2, 1]
    assert [v.verdict for v in found.verdicts] == ["met", "met", "missed"]
    # A p95 bounded from above at 95 % needs 72 runs or more (1 - 0.95^n >= 0.975): "met"
    # takes 5, 10, 20, 40 then 80 runs; "missed" is clear at once (the p95's lower end).
    assert [v.n for v in found.verdicts] == [80, 80, 5]
    assert found.runs == 165
    assert found.describe().startswith("cluster.nodePools[n].count = 2 is the fewest")
    assert list(found.table.columns)[:3] == ["cluster.nodePools[n].count", "n", "makespan p95"]


def test_paired_changes_in_a_grid_move_one_parameter() -> None:
    """A 2×2 grid: neighbours (count 1 -> 2 at each timing) are compared; the step from the end
    of one row to the start of the next changes both parameters and is left out."""
    s = sweep(
        _data(),
        {"timing.jobSyncDelay": ["0s", "1s"], "cluster.nodePools[n].count": [1, 2]},
        replications=2,
        executor="serial",
    )
    assert s.paired("makespan")["change"].tolist() == [
        "cluster.nodePools[n].count: 1 -> 2",
        "cluster.nodePools[n].count: 1 -> 2",
    ]


def test_a_run_that_never_finished_has_no_paired_mean() -> None:
    est, low, high = paired_mean_interval([1.0, math.inf], [2.0, math.inf], 0.95)
    assert math.isnan(est) and math.isnan(low) and math.isnan(high)


def test_the_order_statistic_interval_is_distribution_free() -> None:
    """B ~ Binomial(n, q) runs fall below the q-quantile: for n = 20, q = 0.5 at 95 %, the
    interval is [X(6), X(15)] (binom.ppf(0.025, 20, 0.5) = 6, ppf(0.975) + 1 = 15); a p95 from
    20 runs has no upper end (1 - 0.95^20 < 0.975)."""
    x = [float(v) for v in range(1, 21)]
    assert order_statistic_interval(x, 0.5, 0.95) == (6.0, 15.0)
    low, high = order_statistic_interval(x, 0.95, 0.95)
    assert low == 17.0 and high == math.inf
    _, qlow, qhigh = quantile_interval(x, 0.95, 0.95)
    assert qhigh == math.inf and qlow <= 17.0


def test_bad_sweep_settings_are_refused_before_any_run() -> None:
    with pytest.raises(PathError, match="varied twice"):
        parse_vary(["a=1", "a=2"])
    with pytest.raises(PathError, match="takes whole numbers; list other values"):
        parse_values("0.1..0.5")
    with pytest.raises(SweepError, match=r"cost:gpu=1: no pool named gpu \(the pools are: n\)"):
        sweep(
            scenario((job_manifest(), {"duration": "1s"})), metrics=["cost:gpu=1"], replications=1
        )


def test_a_tail_quantile_needs_enough_runs_to_be_bounded() -> None:
    """q^n <= (1 - c)/2: a p95 at 95 % from 72 runs, a p99 from 368; a search that could never
    bound its quantile says so before running."""
    assert runs_to_bound(0.95, 0.95) == 72 and runs_to_bound(0.99, 0.95) == 368
    with pytest.raises(SweepError, match="only from 368 runs: raise max_replications"):
        search(
            _data(), "cluster.nodePools[n].count", [1, 2], "makespan", quantile=0.99, at_most="1h"
        )
    low, high = paired_quantile_interval([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], 0.95, 0.95)[1:]
    assert (low, high) == (-math.inf, math.inf)  # three runs bound no p95, nor its change


def test_the_seed_and_the_baseline_are_checked() -> None:
    with pytest.raises(SweepError, match="seed is the sweep's own"):
        sweep(_data(), {"seed": [1, 2]})
    with pytest.raises(SweepError, match="no points to run"):
        sweep(_data(), points=[])
    s = sweep(_data(), {"cluster.nodePools[n].count": [1, 2]}, replications=1, executor="serial")
    with pytest.raises(SweepError, match=r"baseline 5: the points are 0 … 1"):
        s.paired("makespan", baseline=5)
