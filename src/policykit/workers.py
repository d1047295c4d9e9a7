"""Worker processes shared by every pool: how many, and that they die with their parent.

The logic lives with the page workers (:mod:`policykit.sources.pages`), where issue 9
found 100,000 forked workers and 4,039 orphans; the enrichment and evaluation pools use
it from here, so every ``--workers`` is capped the same way and said once on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .sources.pages import _worker_init as die_with_parent
from .sources.pages import available_cores, available_memory, capped_workers, worker_count

__all__ = [
    "available_cores",
    "available_memory",
    "capped_workers",
    "worker_count",
    "die_with_parent",
    "initializer",
]


def initializer(then: Callable | None = None, *args) -> tuple[Callable, tuple]:
    """``(initializer, initargs)`` for a process pool made in this process: each worker
    first arranges to die with this process (``PR_SET_PDEATHSIG`` on Linux), then runs
    ``then(*args)``. The pool must fork or spawn its workers from this process (not from
    a fork server), since the worker checks that its parent is this process."""
    return _init, (os.getpid(), then, args)


def _init(parent: int, then: Callable | None, args: tuple) -> None:
    die_with_parent(parent)
    if then is not None:
        then(*args)
