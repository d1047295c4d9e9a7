"""Worker processes shared by every pool: how many, and that they die with their parent.

Issue 9 found ``--workers 100000`` forking that many page workers and an out-of-memory
kill of the parent leaving 4,039 orphans. The page, enrichment and evaluation pools all
size themselves and start their workers through this module, so every ``--workers`` is
capped the same way and the cap is said once on stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = [
    "available_cores",
    "available_memory",
    "capped_workers",
    "worker_count",
    "die_with_parent",
    "initializer",
]


#: Memory one worker may need, sized for the heaviest pool (pages): a forked, warmed-up
#: worker holds ~100 MB of pages of its own, and parsing costs ~25x the page (8 MiB cap
#: -> ~250 MB at worst).
WORKER_MEMORY_BUDGET = 300 * 1024 * 1024
_NOTED: set[tuple[int, int]] = set()


def available_cores() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than exist)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def capped_workers(workers: int) -> tuple[int, str | None]:
    """The worker count used for a requested one, and a one-line note when it is lower.

    ``0`` means one worker per core. A request is capped by the cores available and by
    available memory / :data:`WORKER_MEMORY_BUDGET`: ``--workers 100000`` once forked
    100,000 processes, used all memory, and the parent's out-of-memory kill left 4,039
    of them orphaned.
    """
    cores = available_cores()
    wanted = workers if workers > 0 else cores
    memory = available_memory()
    by_memory = max(1, memory // WORKER_MEMORY_BUDGET) if memory is not None else wanted
    used = max(1, min(wanted, cores, by_memory))
    if used >= wanted:
        return used, None
    asked = f"--workers {workers}" if workers > 0 else "one worker per core"
    limits = [f"{cores} cores"]
    if memory is not None:
        limits.append(
            f"{memory / 2**30:.1f} GB available at {WORKER_MEMORY_BUDGET // 2**20} MB per worker"
        )
    return used, f"{asked} capped to {used} worker(s): {', '.join(limits)}"


def worker_count(workers: int) -> int:
    """The capped worker count (see :func:`capped_workers`); the cap is said once, on
    stderr, never applied silently."""
    used, note = capped_workers(workers)
    if note and (workers, used) not in _NOTED:
        _NOTED.add((workers, used))
        print(f"policykit: {note}", file=sys.stderr, flush=True)
    return used


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Run first in every pool worker: die with the parent.

    On Linux the kernel sends SIGKILL to the worker when the process that forked it
    dies (``prctl(PR_SET_PDEATHSIG)``), even when that parent was killed with SIGKILL or
    by the out-of-memory killer. Elsewhere a daemon thread polls the parent's pid.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            _watch_parent(parent)
    else:
        _watch_parent(parent)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the line above took effect


def _watch_parent(parent: int) -> None:
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="policykit-parent-watch", daemon=True).start()


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


def fork_pool(workers: int):
    """A pool of ``worker_count(workers)`` forked processes that die with this one, or None
    where a pool is no use (one worker) or not possible (no fork on this platform). Fork,
    not spawn: the workers inherit the large read-only arrays instead of unpickling them."""
    import multiprocessing

    count = worker_count(workers)
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    init, initargs = initializer(None)
    return multiprocessing.get_context("fork").Pool(count, init, initargs)
