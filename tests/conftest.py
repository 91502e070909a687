"""Hypothesis profiles for the whole suite, chosen with ``HYPOTHESIS_PROFILE``.

- ``ci`` (the default, what ``make test`` runs): hypothesis' usual 100 examples per test, no
  deadline (a simulation's cost varies with the scenario), failures printed with a blob to
  reproduce them. The property tests scale this (tests/test_properties.py): ≥ 500 examples
  in all.
- ``dev``: a tenth of that, for a quick local loop.
- ``thorough``: ten times as many, for a nightly or pre-release run.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=10)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
