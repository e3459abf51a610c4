"""Work on several things at once, in processes forked from this one (Linux only).

Forked processes share what this one has already built (templates, layouts) without copying
it. macOS and Windows start processes afresh, which costs more than it saves for this work,
so there everything runs one after another in this process. The parent alone handles Ctrl+C
and stop signals (and cleans up); the workers stop when it does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: list = []  # (function, items) for the forked workers, copied at fork


def default_workers() -> int:
    """The processes worth forking here: the machine's cores on Linux, else 1 (one after another)."""
    return (os.cpu_count() or 1) if sys.platform.startswith("linux") else 1


def forked_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """function(item) for each item, in the items' order, in up to `workers` forked processes.
    The results come back pickled; an exception in a worker is raised here and stops the rest."""
    workers = min(default_workers() if workers is None else workers, len(items))
    if workers <= 1:
        for item in items:
            yield function(item)
        return
    import multiprocessing

    _WORK[:] = [(function, items)]
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            yield from pool.imap(_one, range(len(items)))
    finally:
        _WORK.clear()


def _one(index: int):
    function, items = _WORK[0]
    return function(items[index])


def _quiet_worker() -> None:
    """A worker stops when told (the parent handles Ctrl+C and stop signals, and cleans up)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
