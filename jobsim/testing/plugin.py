"""The pytest plugin of ``jobsim[testing]``, registered under the ``pytest11`` entry point.

It loads wherever pytest runs beside jobsim, so it imports nothing beyond pytest until it is
used.
"""

from __future__ import annotations

__all__: list[str] = []
