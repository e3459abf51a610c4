"""Progress of a long run, on standard error, only when it is a terminal.

On a terminal the stages (read, check, calculate, lay out, write) show as a live list
with elapsed times (rich); when standard error is a file or a pipe (scheduled runs,
CI, tests) nothing extra is printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stages:
    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.timings: dict[str, float] = {}
        self._progress = None

    def __enter__(self) -> Stages:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def stage(self, description: str) -> Iterator[None]:
        """Time a stage, and show it while it runs."""
        task = self._progress.add_task(description, total=1) if self._progress is not None else None
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[description] = time.perf_counter() - started
            if task is not None:
                self._progress.update(task, completed=1)
