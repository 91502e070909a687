"""The suite's hypothesis profile, chosen with ``HYPOTHESIS_PROFILE`` (default ``ci``).

The profiles are jobsim's own, registered by its pytest plugin (jobsim/pytest_plugin.py):

- ``ci`` (the default, what ``make test`` runs): hypothesis' usual 100 examples per test, no
  deadline (a simulation's cost varies with the scenario), failures printed with a blob to
  reproduce them, and derandomized: the same examples on every run, so a submission's CI
  result does not depend on luck. The property tests scale this (tests/test_properties.py):
  ≥ 500 examples in all.
- ``dev``: a tenth of that, random, for a quick local loop.
- ``thorough``: ten times as many, random, for a nightly or pre-release hunt.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# pytest-xdist's workers (make check runs two) set COLUMNS=80; the CLI sizes its tables by it,
# and the tests expect the width a pipe gets (160), as in a serial run.
os.environ.pop("COLUMNS", None)

# make test-compiled runs this suite on the mypyc-compiled core (setup.py): refuse to run it on
# the interpreted sources instead, which would pass without checking anything new.
if os.environ.get("JOBSIM_EXPECT_COMPILED") == "1":
    from jobsim.version import compiled

    if not compiled():
        raise RuntimeError("JOBSIM_EXPECT_COMPILED=1 but jobsim's core is not compiled")


def _runs_at_scale(item: pytest.Item) -> bool:
    """Whether the test runs ``scenarios/at-scale.yaml`` (2,000 pods on 200 nodes, 5-10 s a
    run): tests/test_at_scale.py, and every case of a test parametrized by the shipped
    scenarios whose id names it."""
    return item.path.name == "test_at_scale.py" or "[at-scale" in item.nodeid


@pytest.hookimpl(tryfirst=True)  # before -m selects by the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run the at-scale scenario ``scale``: make check leaves them out
    (they were 200 of its 380 CPU-seconds), make test and the compiled run keep them.

    Then sort the tests marked ``heavy`` (minutes each) first, otherwise in file order: make
    test's two workers run the rest beside them, instead of one of them ending alone on a long
    test. The order is the same in every worker, as pytest-xdist requires."""
    for item in items:
        if _runs_at_scale(item):
            item.add_marker(pytest.mark.scale)
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)
