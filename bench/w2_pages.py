"""W2: HTML page extraction throughput, parallel vs one process, and peak memory.

Pages: the 990 gzipped pages of trafilatura's evaluation set (``../shared/eval/
trafilatura_eval/pages``), cycled when ``size`` asks for more, so memory can be checked
on runs longer than the corpus.

Three timings on the same pages, in this order:

- ``trafilatura_default``: ``trafilatura.extract(html)`` with default settings, one process;
- ``single``: :func:`policykit.sources.pages.extract_pages` with ``workers=1`` (our full
  per-page work: byte checks, sidecars, decoding, trafilatura with metadata, htmldate);
- ``parallel``: the same with ``workers=0`` (one worker per core).

Peak memory is the largest sum of proportional set size (PSS; RSS where the platform has
no PSS) over this process and its children, sampled every 200 ms.

Targets (through the harness, ``python -m bench --only W2``): the parallel run at least
1.8x faster than plain trafilatura in one process on the same pages
(``x_trafilatura`` = trafilatura seconds / parallel seconds, both measured in the same
run), and its peak memory (PSS over the process tree) at most 1.5 GB.

Run: ``python -m bench --only W2`` or, alone, ``.venv/bin/python -m bench.w2_pages
[size] [modes]``, e.g. ``990`` or ``3000 parallel``. The load average is reported
because the machine may be shared: speed-ups measured while other processes compete
for the cores understate scaling.
"""

from __future__ import annotations

import gzip
import itertools
import os
import sys
import threading
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "eval" / "trafilatura_eval" / "pages"
TARGET_SPEEDUP = 1.8
#: bound on the parallel run's peak memory (PSS summed over the process tree), MB
TARGET_PEAK_MB = 1536
MODES = ("default", "single", "parallel")


class PeakRSS:
    """Sample the resident memory of this process tree in a background thread."""

    def __init__(self, interval: float = 0.2):
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0

    def _total(self) -> int:
        import psutil

        total = 0
        for proc in [self._proc, *self._proc.children(recursive=True)]:
            try:
                # PSS splits pages shared copy-on-write between the fork server and its
                # workers, so the sum is not inflated by counting them once per process.
                info = proc.memory_full_info()
                total += getattr(info, "pss", info.rss)
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(self._interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def page_paths(size: int | None) -> list[Path]:
    """``size`` pages from the evaluation set, cycling through it when size > 990."""
    pages = sorted(PAGES.glob("*.html.gz"))
    if not pages:
        raise SystemExit(f"W2 needs the trafilatura evaluation pages in {PAGES}")
    size = size or len(pages)
    return list(itertools.islice(itertools.cycle(pages), size))


def _time_default(paths: list[Path]) -> tuple[float, int]:
    import trafilatura

    started = time.perf_counter()
    with PeakRSS() as rss:
        for path in paths:
            trafilatura.extract(gzip.decompress(path.read_bytes()))
    return time.perf_counter() - started, rss.peak


def _time_pages(paths: list[Path], workers: int) -> tuple[float, int, int]:
    from policykit.sources import ReadOptions
    from policykit.sources.pages import extract_pages

    started = time.perf_counter()
    bodies = 0
    with PeakRSS() as rss:
        for read in extract_pages(paths, ReadOptions(workers=workers)):
            for batch in read.batches:
                bodies += batch.column("body").null_count < batch.num_rows
    return time.perf_counter() - started, rss.peak, bodies


def run(size: int | None = None, modes: tuple[str, ...] = MODES) -> dict:
    """Measure W2 on ``size`` pages (default: all 990). Returns a flat dict of results.

    ``modes`` picks among ``default``, ``single`` and ``parallel`` (e.g. only
    ``parallel`` to check that peak memory stays flat on a long run).
    """
    paths = page_paths(size)
    n = len(paths)
    result: dict = {"workload": "W2 pages", "pages": n, "cores": os.cpu_count()}
    result["load_average_before"] = round(os.getloadavg()[0], 1)
    seconds: dict[str, float] = {}
    result["seconds"] = seconds  # unrounded, for the harness
    if "default" in modes:
        seconds["default"], peak = _time_default(paths)
        result["trafilatura_default_pps"] = round(n / seconds["default"], 1)
        result["peak_mb_default"] = round(peak / 2**20)
    for mode, workers in (("single", 1), ("parallel", 0)):
        if mode in modes:
            seconds[mode], peak, bodies = _time_pages(paths, workers)
            result[f"{mode}_pps"] = round(n / seconds[mode], 1)
            result[f"peak_mb_{mode}"] = round(peak / 2**20)
            result["files_with_body"] = bodies
    if "single" in seconds and "parallel" in seconds:
        result["speedup_vs_single"] = round(seconds["single"] / seconds["parallel"], 2)
        result["target_speedup"] = TARGET_SPEEDUP
        result["meets_target"] = result["speedup_vs_single"] >= TARGET_SPEEDUP
    if "default" in seconds and "parallel" in seconds:
        result["speedup_vs_trafilatura_default"] = round(
            seconds["default"] / seconds["parallel"], 2
        )
    result["load_average_after"] = round(os.getloadavg()[0], 1)
    return result


try:  # register with the harness (python -m bench --only W2)
    from bench import Context, Target, WorkloadUnavailable, workload

    @workload(
        "W2",
        "extract N saved pages in worker processes vs trafilatura in one process",
        default_size=990,
        targets=[
            Target("x_trafilatura", ">=", TARGET_SPEEDUP, "x"),
            Target("peak_mb_parallel", "<=", TARGET_PEAK_MB, " MB"),
        ],
        repeat=1,  # about 3 passes over 990 pages per run
    )
    def extract_saved_pages(ctx: Context) -> dict:
        if not any(PAGES.glob("*.html.gz")):
            raise WorkloadUnavailable(
                f"W2 needs trafilatura's evaluation pages in {PAGES} (../shared is absent)"
            )
        numbers = run(ctx.size)
        seconds = numbers.pop("seconds")
        pages = numbers["pages"]
        return {
            "seconds": seconds["parallel"],  # the timed part: extract_pages, all cores
            "pages": pages,
            "trafilatura_s": seconds["default"],
            "single_s": seconds["single"],
            # ratios of timings taken in this same run, on the same pages
            "x_trafilatura": seconds["default"] / seconds["parallel"],
            "x_single": seconds["single"] / seconds["parallel"],
            "parallel_pps": pages / seconds["parallel"],
            "trafilatura_pps": pages / seconds["default"],
            "peak_mb_parallel": numbers["peak_mb_parallel"],
            "peak_mb_single": numbers["peak_mb_single"],
            "peak_mb_trafilatura": numbers["peak_mb_default"],
            "files_with_body": numbers["files_with_body"],
            "load_average_before": numbers["load_average_before"],
            "load_average_after": numbers["load_average_after"],
        }

except ImportError:  # pragma: no cover - run as a plain script without the harness
    pass


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else None
    modes = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else MODES
    for key, value in run(size, modes).items():
        print(f"{key:32s} {value}")
