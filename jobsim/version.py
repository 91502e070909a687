"""jobsim's version: it goes into every result (``jobsimVersion``); and its build."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec

__version__ = "0.1.0"


def compiled() -> bool:
    """Whether the simulation core is mypyc's build (``JOBSIM_MYPYC=1``, setup.py): the same
    results, faster. Nothing is imported to tell."""
    spec = find_spec("jobsim.sim.engine")
    return spec is not None and str(spec.origin).endswith(tuple(EXTENSION_SUFFIXES))


__all__ = ["__version__", "compiled"]
