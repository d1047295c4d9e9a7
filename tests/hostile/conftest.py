"""Helpers for the hostile-input suite: run policykit in a child process and measure it.

Every hostile case runs in a fresh interpreter so that its peak resident memory can be
measured on its own and asserted under the ingest memory budget. ``peak_rss_mb`` is
``wait4``'s ``ru_maxrss``: the peak of the largest single process, the command or one
of the page workers it reaped. ``tree_rss_mb`` is the largest sum of RSS over the
process tree seen while sampling every 50 ms (an over-estimate: pages that forked
workers share are counted in each); it is reported, and the watchdog uses it. A
watchdog kills the child's whole process tree when it runs past a hard ceiling or a
timeout, so that a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

#: The ingest memory budget (docs/benchmarks.md: peak RSS <= 1.5 GB).
RSS_BUDGET_MB = 1536
#: Above this the watchdog kills the child: far past the budget, well short of the machine.
RSS_CEILING_MB = 4096
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Measured:
    """The outcome of one measured child process."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    seconds: float
    killed: str | None = None  # why the watchdog killed it, if it did
    tree_rss_mb: float = 0.0  # largest sampled sum over the process tree

    def assert_clean(self, budget_mb: float = RSS_BUDGET_MB) -> None:
        """No watchdog kill, no traceback, peak RSS under budget."""
        assert self.killed is None, f"killed: {self.killed}\n{self.stderr[-2000:]}"
        assert "Traceback" not in self.stderr, self.stderr[-4000:]
        assert self.peak_rss_mb < budget_mb, (
            f"peak RSS {self.peak_rss_mb:.0f} MB over the {budget_mb} MB budget"
        )

    def assert_one_line_error(self, budget_mb: float = RSS_BUDGET_MB) -> str:
        """Exit 2 with exactly one line on stderr (returned)."""
        self.assert_clean(budget_mb)
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert self.returncode == 2, (self.returncode, self.stderr[-2000:])
        assert len(lines) == 1, lines
        return lines[0]


def _tree_rss_mb(pid: int) -> float:
    try:
        import psutil
    except ImportError:  # the watchdog then only enforces the timeout
        return 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def _kill_tree(pid: int) -> None:
    try:
        import psutil

        procs = psutil.Process(pid).children(recursive=True)
    except Exception:  # noqa: BLE001 - psutil missing or the child already gone
        procs = []
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.kill()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


#: A minimal interpreter that runs the command as its own child and reports the child's
#: rusage. Linux carries a process's high-water RSS across fork and exec, so a command
#: started straight from this (large) pytest process would report at least pytest's own
#: RSS; started from this ~10 MB launcher, it reports its own peak.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    handle.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_measured(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict | None = None,
    timeout: float = 180,
    ceiling_mb: float = RSS_CEILING_MB,
) -> Measured:
    """Run ``args``; return its exit code, output, peak RSS (MB, the command and the
    children it waited for) and wall time."""
    full_env = {**os.environ, "POLICYKIT_TRACEBACK": "", **(env or {})}
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as report,
    ):
        start = time.monotonic()
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, report.name, *map(str, args)]
        proc = subprocess.Popen(launcher, cwd=cwd, env=full_env, stdout=out, stderr=err)
        killed = None
        tree = 0.0
        while proc.poll() is None:
            elapsed = time.monotonic() - start
            tree = max(tree, _tree_rss_mb(proc.pid))
            if killed is None and elapsed > timeout:
                killed = f"timeout after {timeout:.0f} s"
            elif killed is None and tree > ceiling_mb:
                killed = f"resident memory above {ceiling_mb} MB"
            if killed:
                _kill_tree(proc.pid)
            time.sleep(0.05)
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        text = report.read().strip()
        peak = int(text) / 1024 if text else float("nan")  # KiB on Linux
        # Shown by `pytest -rP` / `-s`: the measured figures of each hostile case.
        print(
            f"measured: peak RSS {peak:.0f} MB (tree {tree:.0f} MB), {seconds:.1f} s,"
            f" exit {proc.returncode}: {args[1:4]}"
        )
        return Measured(
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_rss_mb=peak,
            seconds=seconds,
            killed=killed,
            tree_rss_mb=tree,
        )


def policykit(*args: str, **kwargs) -> Measured:
    """``python -m policykit ARGS`` measured."""
    return run_measured([sys.executable, "-m", "policykit", *map(str, args)], **kwargs)


def python(code: str, **kwargs) -> Measured:
    """``python -c CODE`` measured."""
    return run_measured([sys.executable, "-c", code], **kwargs)


@pytest.fixture(autouse=True)
def _linux_only():
    if not sys.platform.startswith("linux"):
        pytest.skip("the hostile suite measures memory with Linux wait4 accounting")


class _Measure:
    """What the ``measure`` fixture gives a test."""

    budget_mb = RSS_BUDGET_MB
    run = staticmethod(run_measured)
    policykit = staticmethod(policykit)
    python = staticmethod(python)


@pytest.fixture
def measure() -> _Measure:
    """Run policykit (``measure.policykit(...)``) or Python code (``measure.python(code)``)
    in a child process; returns :class:`Measured` with ``peak_rss_mb``."""
    return _Measure()
