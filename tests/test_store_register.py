"""store.register_once: an Arrow table scanned inside a transaction is freed by the scan,
not held until the commit, and a second scan fails loudly instead of seeing no rows."""

from __future__ import annotations

import gc

import duckdb
import pyarrow as pa
import pytest

from policykit import store


def _table(rows: int) -> pa.Table:
    return pa.table({"text": pa.array([f"{i:08d}" * 8 for i in range(rows)], pa.string())})


def test_scanned_table_is_freed_inside_a_transaction():
    con = duckdb.connect()
    con.execute("BEGIN")
    before = pa.total_allocated_bytes()
    for _ in range(3):
        table = _table(200_000)  # about 14 MB of Arrow each
        store.register_once(con, "t", table)
        del table
        con.execute("CREATE OR REPLACE TEMP TABLE copy AS SELECT * FROM t")
        con.unregister("t")
        gc.collect()
    # all three would still be alive (about 40 MB) if the transaction held them
    assert pa.total_allocated_bytes() - before < 5_000_000
    assert con.execute("SELECT count(*) FROM copy").fetchall() == [(200_000,)]
    con.execute("COMMIT")


def test_second_scan_fails_loudly():
    con = duckdb.connect()
    store.register_once(con, "t", _table(10))
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(10,)]
    with pytest.raises(duckdb.Error, match="consumed"):
        con.execute("SELECT count(*) FROM t").fetchall()


def test_same_rows_as_the_table():
    con = duckdb.connect()
    table = pa.table({"a": [3, 1, 2], "b": ["x", None, "z"]})
    store.register_once(con, "t", table)
    assert con.execute("SELECT a, b FROM t").fetchall() == [(3, "x"), (1, None), (2, "z")]
