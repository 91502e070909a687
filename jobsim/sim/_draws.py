"""A run's three draws from its Job's stream in one call: ``Generator.standard_normal()`` and
then ``Generator.random()`` twice (``JobRuntime.outcome``, a lognormal duration).

This is the pure-Python version. The compiled core (setup.py) builds ``_draws.c`` beside it,
an extension module of the same name that Python imports first: the same two functions, by
numpy's own C functions in one call. tests/test_workload_draws.py holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_UNIT = 1.0 / 9007199254740992.0
"""2**-53: PCG64's next_double is the top 53 bits of a raw draw times it (numpy's pcg64.h)."""


def handle(rng: np.random.Generator) -> Any:
    """What ``normal_and_uniforms`` reads the stream by, holding the Generator: here its
    ``standard_normal`` and its BitGenerator's ``random_raw`` (compiled: the BitGenerator's C
    interface)."""
    return rng.standard_normal, rng.bit_generator.random_raw


def normal_and_uniforms(stream: Any) -> tuple[float, float, float]:
    """``standard_normal()``, then ``random()`` twice, from the stream ``handle`` gave:
    ``random()`` as its raw draws (tests/test_workload_draws.py holds them equal)."""
    normal: Callable[[], float]
    raw: Callable[[], int]
    normal, raw = stream
    return normal(), (raw() >> 11) * _UNIT, (raw() >> 11) * _UNIT


__all__ = ["handle", "normal_and_uniforms"]
