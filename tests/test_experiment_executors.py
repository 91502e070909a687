"""The same sweep gives the same table, to the byte, in this process, in a pool of processes
and on a Dask ``LocalCluster``; the results come back in (point, replication) order."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim.experiment import sweep
from tests.golden import SCENARIOS

KW: dict[str, Any] = {
    "vary": {"cluster.nodePools[worker].count": [3, 4]},
    "replications": 4,
    "metrics": ["makespan", "work_done", "pods_evicted", "cost:worker=0.5"],
}


@pytest.mark.slow
def test_serial_process_and_dask_tables_are_identical() -> None:
    distributed = pytest.importorskip("distributed")
    path = SCENARIOS / "flaky-pool.yaml"
    done: list[tuple[int, int]] = []
    serial = sweep(path, executor="serial", progress=lambda d, t: done.append((d, t)), **KW)
    assert done == [(i, 8) for i in range(1, 9)]
    process = sweep(path, executor="process", workers=2, **KW)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = sweep(path, executor=client, **KW)
        by_address = sweep(path, executor=cluster.scheduler_address, **KW)
    want = serial.runs.to_csv()
    assert process.runs.to_csv() == want
    assert dask.runs.to_csv() == want
    assert by_address.runs.to_csv() == want
    assert serial.summary().to_csv() == dask.summary().to_csv()
