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

Run: ``.venv/bin/python -m bench.w2_pages [size]``.
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


def run(size: int | None = None) -> dict:
    """Measure W2 on ``size`` pages (default: all 990). Returns a flat dict of results."""
    paths = page_paths(size)
    n = len(paths)
    default_s, default_rss = _time_default(paths)
    single_s, single_rss, _ = _time_pages(paths, workers=1)
    parallel_s, parallel_rss, bodies = _time_pages(paths, workers=0)
    result = {
        "workload": "W2 pages",
        "pages": n,
        "cores": os.cpu_count(),
        "pages_with_body": bodies,
        "trafilatura_default_pps": round(n / default_s, 1),
        "single_pps": round(n / single_s, 1),
        "parallel_pps": round(n / parallel_s, 1),
        "speedup_vs_single": round(single_s / parallel_s, 2),
        "speedup_vs_trafilatura_default": round(default_s / parallel_s, 2),
        "target_speedup": TARGET_SPEEDUP,
        "peak_rss_mb_default": round(default_rss / 2**20),
        "peak_rss_mb_single": round(single_rss / 2**20),
        "peak_rss_mb_parallel": round(parallel_rss / 2**20),
    }
    result["meets_target"] = result["speedup_vs_single"] >= TARGET_SPEEDUP
    return result


if __name__ == "__main__":
    for key, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else None).items():
        print(f"{key:32s} {value}")
