"""jobsim's version: it goes into every result (``jobsimVersion``)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
