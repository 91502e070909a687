"""A run's three draws from its Job's stream in one call: ``Generator.standard_normal()`` and
then ``Generator.random()`` twice (``JobRuntime.outcome``, a lognormal duration).

This is the pure-Python version. The compiled core (setup.py) builds ``_draws.c`` beside it,
an extension module of the same name that Python imports first: the same two functions, by
numpy's own C functions in one call. tests/test_workload_draws.py holds the two equal.
"""

from __future__ import annotations

import numpy as np


def handle(rng: np.random.Generator) -> object:
    """What ``normal_and_uniforms`` reads the stream by: here the Generator itself (compiled:
    its BitGenerator's C interface). The caller keeps ``rng`` alive while it draws."""
    return rng


def normal_and_uniforms(stream: object) -> tuple[float, float, float]:
    """``standard_normal()``, then ``random()`` twice, from the stream ``handle`` gave."""
    rng: np.random.Generator = stream  # type: ignore[assignment]  # what handle() returns
    return float(rng.standard_normal()), float(rng.random()), float(rng.random())


__all__ = ["handle", "normal_and_uniforms"]
