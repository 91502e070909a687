"""How many of a CronJob's Jobs a table lists: all of a few, the first and last of many.

An every-minute CronJob makes 1,439 Jobs in a day; a table listing each of them buries
everything else. The command line's tables and the report's list a CronJob's Jobs under a
row summing them up, and past ``ELIDE_ABOVE`` Jobs only the first ``HEAD`` and the last
``TAIL``, with a row saying how many are left out. Runs with fewer Jobs are listed whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

ELIDE_ABOVE = 10
"""A CronJob with more Jobs than this has the middle ones left out of tables."""

HEAD = 3
"""The first Jobs of an elided CronJob a table lists."""

TAIL = 3
"""The last Jobs of an elided CronJob a table lists."""

T = TypeVar("T")


def elide(
    items: Sequence[T], above: int = ELIDE_ABOVE, head: int = HEAD, tail: int = TAIL
) -> tuple[list[T], int, list[T]]:
    """(the first items, how many are left out, the last items): every item first, 0 and
    none last when there are at most ``above``; else the first ``head`` and last ``tail``."""
    if len(items) <= above:
        return list(items), 0, []
    return list(items[:head]), len(items) - head - tail, list(items[len(items) - tail :])


def more_jobs(hidden: int, cronjob: str) -> str:
    """The row text for the left-out Jobs: "… 1,433 more Jobs of default/hello"."""
    return f"… {hidden:,} more Job{'s' if hidden != 1 else ''} of {cronjob}"


__all__ = ["ELIDE_ABOVE", "HEAD", "TAIL", "elide", "more_jobs"]
