"""jobsim: a deterministic discrete-event simulator of Kubernetes Job semantics.

The public API is :mod:`jobsim.api`; the names below are its everyday part, each imported on
first use (so ``import jobsim.units`` or ``jobsim --help`` loads no simulator). The narration
lives in :mod:`jobsim.narrate`, so no submodule shadows the function ``jobsim.explain``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from jobsim.version import __version__

if TYPE_CHECKING:
    from jobsim.api import (
        InvariantViolation,
        Result,
        Scenario,
        ScenarioError,
        explain,
        load_scenario,
        simulate,
    )

__all__ = [
    "InvariantViolation",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "explain",
    "load_scenario",
    "simulate",
]


def __getattr__(name: str) -> object:
    """An everyday name, from :mod:`jobsim.api` on first use; or a submodule, such as
    ``jobsim.api`` after a bare ``import jobsim`` (PEP 562)."""
    if name not in __all__:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from jobsim import api

    value = getattr(api, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
