"""jobsim's pytest plugin, registered under the ``pytest11`` entry point.

- the ``jobsim_run`` fixture: :func:`jobsim.testing.run` (session-scoped, so hypothesis'
  ``@given`` tests may use it);
- ``--jobsim-explain``: a failing test's report gets a "jobsim explain" section, the narrated
  timeline of the last run the test made with ``jobsim_run`` or ``jobsim.testing.run``;
- hypothesis profiles, chosen with pytest's ``--hypothesis-profile=NAME`` (or
  ``settings.load_profile``): ``ci`` (100 examples, derandomized: the same examples on every
  run, no deadline, database off, a reproduction blob printed), ``dev`` (10 random examples,
  for a quick loop) and ``thorough`` (1000 random examples, for a nightly hunt). A profile of
  the same name registered in your ``conftest.py`` replaces ours.

It loads wherever pytest runs beside jobsim, with or without the ``testing`` extra: without
hypothesis it registers no profile and the fixture says what to install.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from typing import Any

import pytest

__all__ = ["jobsim_run", "pytest_addoption", "pytest_runtest_makereport", "pytest_runtest_setup"]

try:
    from hypothesis import settings
except ImportError:  # pragma: no cover - jobsim installed without the testing extra
    pass
else:
    settings.register_profile(
        "ci", max_examples=100, deadline=None, derandomize=True, database=None, print_blob=True
    )
    settings.register_profile("dev", max_examples=10, deadline=None)
    settings.register_profile("thorough", max_examples=1000, deadline=None)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--jobsim-explain``."""
    group = parser.getgroup("jobsim")
    group.addoption(
        "--jobsim-explain",
        action="store_true",
        default=False,
        help="show the narrated timeline (jobsim explain) of a failing test's last jobsim run",
    )


@pytest.fixture(scope="session")
def jobsim_run() -> Callable[..., Any]:
    """:func:`jobsim.testing.run`: a checked run of a scenario, returning its Result."""
    try:
        from jobsim.testing.runner import run
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise pytest.UsageError(f"the jobsim_run fixture: {e}") from None
    return run


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Forget the previous test's runs, so a failure explains only its own."""
    runner = sys.modules.get("jobsim.testing.runner")
    if runner is not None:
        runner.forget_runs()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With ``--jobsim-explain``, add the last run's timeline to a failing test's report."""
    report = yield
    if report.when == "call" and report.failed and item.config.getoption("jobsim_explain"):
        runner = sys.modules.get("jobsim.testing.runner")
        result = runner.last_run() if runner is not None else None
        if result is not None:
            from jobsim.testing.report import timeline

            report.sections.append(("jobsim explain", timeline(result, max_lines=10_000)))
    return report
