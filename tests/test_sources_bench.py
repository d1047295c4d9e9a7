"""Reading throughput for JSON lines (the W1 workload's reader part).

The test runs a small size and checks the result; run the module for the full
measurement::

    .venv/bin/python tests/test_sources_bench.py 1000000
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path

import pytest

from policykit.sources import ReadOptions
from policykit.sources.dispatch import read_file

WORDS = [
    "policy",
    "data",
    "privacy",
    "regulation",
    "court",
    "minister",
    "digital",
    "platform",
    "telecom",
    "spectrum",
    "internet",
    "shutdown",
    "encryption",
    "broadband",
    "satellite",
    "licence",
    "parliament",
    "committee",
]


def write_records(path: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` JSONL records of about 500 bytes; return the byte size."""
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            record = {
                "url": f"https://www.outlet{i % 40}.example/2024/{1 + i % 12:02d}/{i}/story-{i}",
                "title": " ".join(rnd.choices(WORDS, k=9)),
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                "author": "Staff Reporter",
                "text": " ".join(rnd.choices(WORDS, k=40)),
                "source": f"Outlet {i % 40}",
                "language": "en",
                "tags": ["tech", "policy"],
            }
            fh.write(json.dumps(record) + "\n")
    return path.stat().st_size


def read_all(path: Path) -> tuple[int, int, float, float]:
    """Read a file through the public entry point; return rows, rejects, wall s, CPU s."""
    wall, cpu = time.perf_counter(), time.process_time()
    read = read_file(path, ReadOptions())
    rows = rejects = 0
    for batch in read.batches:
        rows += batch.num_rows
        rejects += batch.num_rows - batch.column("reject_reason").null_count
    return rows, rejects, time.perf_counter() - wall, time.process_time() - cpu


@pytest.mark.slow
def test_jsonl_read_throughput_small(tmp_path):
    path = tmp_path / "w1.jsonl"
    write_records(path, 50_000)
    rows, rejects, wall, cpu = read_all(path)
    assert rows == 50_000
    assert rejects == 0
    print(f"\n50,000 JSONL records: {wall:.2f}s wall, {cpu:.2f}s CPU, {rows / wall:,.0f} rec/s")


def main(count: int) -> None:
    path = Path("/tmp") / f"policykit_bench_{count}.jsonl"
    if not path.exists():
        size = write_records(path, count)
        print(f"wrote {count:,} records ({size / 1e6:.0f} MB) to {path}")
    rows, rejects, wall, cpu = read_all(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {rows:,} rows ({rejects} rejects) in {wall:.2f}s wall, {cpu:.2f}s CPU: "
        f"{rows / wall:,.0f} rec/s wall, {rows / cpu:,.0f} rec/CPU-s; peak RSS {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
