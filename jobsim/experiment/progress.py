"""A progress bar for sweeps: runs done, runs per second, time left (rich; in a terminal and in
Jupyter alike). ``sweep(..., progress=bar)`` takes it as its progress callback."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _RunsPerSecond(ProgressColumn):
    """Runs per second, once there is a rate."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:.1f} runs/s")


class ProgressBar:
    """``with ProgressBar("sweep") as bar: sweep(..., progress=bar)``."""

    def __init__(self, description: str = "runs", *, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RunsPerSecond(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
        )
        self._description = description
        self._task: TaskID | None = None
        self._base = 0  # runs of earlier batches (a search runs one sweep after another)
        self._last = (0, 0)

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, done: int, total: int) -> None:
        if self._task is None:
            self._task = self._progress.add_task(self._description, total=total)
        last_done, last_total = self._last
        if last_total and last_done == last_total:  # the previous batch is complete: a new one
            self._base += last_total
        self._last = (done, total)
        self._progress.update(self._task, completed=self._base + done, total=self._base + total)


__all__ = ["ProgressBar"]
