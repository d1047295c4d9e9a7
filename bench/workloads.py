"""The workloads. Each function runs once in a fresh subprocess and returns its numbers.

W1  ingest N metadata records (Scrapy-style JSONL) into a new database
B1  DuckDB's own read_json of the same file into a table (W1's baseline)
W5  re-ingest the same file with nothing changed (after a first full ingest)
G1  generate N metadata records (policykit.demo.write_metadata_jsonl)
G2  generate the demo corpus (policykit.demo.generate, N articles)

W2 (page extraction, bench/w2_pages.py), W3 (trends, bench/w3_trends.py), W4 (report
build, bench/w4_report.py) and W6 (enrichment, bench/w6_enrich.py) register with the
same @workload decorator from their own modules (listed in bench.WORKLOAD_MODULES).
"""

from __future__ import annotations

import time

from bench import Context, Target, WorkloadUnavailable, workload


def metadata_file(ctx: Context):
    """The cached JSONL of ``ctx.size`` records (generated once per size and seed)."""
    from policykit.demo import DATA_VERSION, write_metadata_jsonl

    return ctx.cached(
        f"metadata-v{DATA_VERSION}",
        lambda path: write_metadata_jsonl(path, ctx.size, seed=ctx.seed),
        suffix=".jsonl",
    )


def _ingest_function():
    try:
        from policykit.ingest import ingest
    except ImportError as exc:  # the pipeline is not there (yet): report, don't crash
        raise WorkloadUnavailable(f"policykit.ingest.ingest is not available: {exc}") from None
    return ingest


def _timed_ingest(path, db) -> tuple[float, object]:
    ingest = _ingest_function()
    started = time.perf_counter()
    report = ingest([path], db=db, enrich=False, progress=False)
    return time.perf_counter() - started, report


@workload(
    "W1",
    "ingest N metadata records (JSONL) into a new database",
    default_size=1_000_000,
    targets=[
        Target("records_per_s", ">=", 100_000, " rec/s"),
        Target("peak_rss_mb", "<=", 1536, " MB"),
    ],
    baseline="B1",
    baseline_targets=[Target("x_baseline", "<=", 3.0, "x")],
    prepare=metadata_file,
    repeat=2,  # minutes per run at 1M records
)
def ingest_metadata(ctx: Context) -> dict:
    path = metadata_file(ctx)
    seconds, report = _timed_ingest(path, ctx.tmp / "w1.duckdb")
    totals = report.totals
    return {
        "seconds": seconds,
        "records": totals["records_read"],
        "records_per_s": totals["records_read"] / seconds,
        "new_articles": totals["new_articles"],
        "duplicates": totals["duplicates"],
        "rejects": totals["rejects"],
    }


@workload(
    "B1",
    "baseline: DuckDB read_json of the same file into a table",
    default_size=1_000_000,
    prepare=metadata_file,
    default=False,  # runs whenever W1 does
)
def duckdb_read_json(ctx: Context) -> dict:
    import duckdb

    path = metadata_file(ctx)
    con = duckdb.connect(str(ctx.tmp / "b1.duckdb"))
    try:
        started = time.perf_counter()
        con.execute(
            "CREATE TABLE t AS SELECT * FROM read_json(?, format = 'newline_delimited')",
            [str(path)],
        )
        seconds = time.perf_counter() - started
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        con.close()
    return {"seconds": seconds, "records": rows, "records_per_s": rows / seconds}


@workload(
    "W5",
    "re-ingest the same file, nothing changed (% of the first ingest)",
    default_size=1_000_000,
    targets=[Target("pct_of_first", "<=", 5.0, "%")],
    prepare=metadata_file,
    repeat=1,  # each run is a full ingest plus the re-ingest
)
def reingest_unchanged(ctx: Context) -> dict:
    path = metadata_file(ctx)
    db = ctx.tmp / "w5.duckdb"
    first, _ = _timed_ingest(path, db)
    seconds, report = _timed_ingest(path, db)
    unchanged = sum(f.status == "unchanged" for f in report.files)
    return {
        "seconds": seconds,
        "first_ingest_s": first,
        "pct_of_first": 100 * seconds / first,
        "files_unchanged": unchanged,
        "new_articles": report.totals["new_articles"],
    }


@workload(
    "G1",
    "generate N metadata records (write_metadata_jsonl)",
    default_size=1_000_000,
    targets=[Target("seconds", "<=", 30.0, " s")],
    default=False,
)
def generate_metadata(ctx: Context) -> dict:
    from policykit.demo import write_metadata_jsonl

    started = time.perf_counter()
    path = write_metadata_jsonl(ctx.tmp / "g1.jsonl", ctx.size, seed=ctx.seed)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "records_per_s": ctx.size / seconds,
        "mb": path.stat().st_size / 1e6,
        "bytes_per_record": path.stat().st_size / ctx.size,
    }


@workload(
    "G2",
    "generate the demo corpus (N articles, with pages)",
    default_size=30_000,
    targets=[Target("seconds", "<=", 15.0, " s")],
    default=False,
)
def generate_demo(ctx: Context) -> dict:
    from policykit.demo import generate

    started = time.perf_counter()
    manifest = generate(ctx.tmp / "demo", n_articles=ctx.size, seed=ctx.seed)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "records": manifest.records, "files": len(manifest.files)}
