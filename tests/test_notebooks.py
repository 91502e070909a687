"""Every notebook in ``notebooks/`` runs from top to bottom (``make test``), and is stored
without outputs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.golden import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "capacity_planning.ipynb",
        "jobs_explained.ipynb",
        "property_testing.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.slow
@pytest.mark.heavy  # the capacity-planning notebook runs 551 simulations: minutes (Makefile)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_without_error(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    jupyter_client = pytest.importorskip("jupyter_client")
    nb = nbformat.read(path, as_version=4)
    if os.environ.get("JOBSIM_EXPECT_COMPILED") == "1":  # make test: the kernel imports it too
        check = "from jobsim.version import compiled\nassert compiled(), 'not compiled'"
        nb.cells.insert(0, nbformat.v4.new_code_cell(check))
    # Unix sockets of this test's own, not TCP ports: make test runs the notebooks on two
    # workers, and two kernels started at once can pick the same free port (jupyter_client
    # closes it before the kernel binds it), one then failing with "Address already in use"
    # (CI at 57bd7aa). ``ip`` is the sockets' path prefix (else "kernel-ipc", shared), short
    # (a socket's path has at most 103 to 107 bytes). The manager is nbclient's own kind, the
    # async one (a blocking one stalls its timeouts); given one, nbclient shuts the kernel
    # down only when told to (cleanup_kc).
    with tempfile.TemporaryDirectory(prefix="jk-", dir="/tmp") as sockets:
        manager = jupyter_client.AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=f"{sockets}/k"
        )
        client = nbclient.NotebookClient(
            nb, km=manager, timeout=900, resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute(cleanup_kc=True)  # raises CellExecutionError, with the cell, on an error
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
