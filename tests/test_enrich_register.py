"""The enrichment's inserts inside its one transaction: each chunk of worker rows is freed
once inserted (store.register_once), not held by DuckDB until the commit, and the rows
written are the rows given."""

from __future__ import annotations

import gc

import duckdb
import pyarrow as pa
import pytest

from policykit.enrich import _insert

COLUMNS = ["article_id", "cited", "pattern"]


def _chunk(k: int, rows: int) -> list:
    ids = [f"a{k}-{i:07d}" for i in range(rows)]
    return [
        pa.record_batch(
            [
                pa.array(ids),
                pa.array([f"outlet {i % 97} " * 6 for i in range(rows)]),
                pa.array(["said"] * rows),
            ],
            names=COLUMNS,
        )
    ]


def _tuples(k: int, rows: int) -> list:
    return [(f"a{k}-{i:07d}", f"outlet {i % 97} " * 6, "said") for i in range(rows)]


@pytest.mark.parametrize("make", [_chunk, _tuples], ids=["record batches", "tuples"])
def test_inserted_chunks_are_freed_inside_the_transaction(make):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE article_citations (article_id VARCHAR, cited VARCHAR, pattern VARCHAR)"
    )
    con.execute("BEGIN TRANSACTION")
    gc.collect()
    before = pa.total_allocated_bytes()
    chunks, rows = 4, 100_000
    for k in range(chunks):
        _insert(con, "article_citations", COLUMNS, make(k, rows))
        gc.collect()
    # four chunks of about 6 MB each would still be alive if the transaction held them
    assert pa.total_allocated_bytes() - before < 3_000_000
    con.execute("COMMIT")
    got = con.execute(
        "SELECT count(*), count(DISTINCT article_id), min(article_id), max(article_id) "
        "FROM article_citations"
    ).fetchall()
    assert got == [(chunks * rows, chunks * rows, "a0-0000000", f"a{chunks - 1}-{rows - 1:07d}")]


def test_empty_rows_insert_nothing():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE article_citations (article_id VARCHAR, cited VARCHAR, pattern VARCHAR)"
    )
    _insert(con, "article_citations", COLUMNS, [])
    assert con.execute("SELECT count(*) FROM article_citations").fetchall() == [(0,)]
