"""Hostile metadata files: each ingest ends with a reject, in bounded memory and time.

Every case runs ``policykit ingest`` in a child process (tests/hostile/conftest.py) and
asserts no traceback, peak RSS under the ingest budget, the expected reject reason, and
that the records around the hostile one still load. The heaviest sizes (the issue's 5 GiB
bomb) are marked ``fuzz`` and run in ``make fuzz`` only.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import duckdb
import pytest


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _record(i: int) -> bytes:
    return json.dumps({"url": f"https://b.example/{i}", "title": f"A plain story {i}"}).encode()


def _gzip_bomb(path: Path, line_bytes: int) -> None:
    """A gzip file: one good line, then one JSONL line of ``line_bytes`` filler, no end."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"x" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(comp.compress(_record(1) + b'\n{"title": "'))
        for _ in range(line_bytes >> 20):
            fh.write(comp.compress(block))
        fh.write(comp.compress(b'"}\n' + _record(3) + b"\n"))
        fh.write(comp.flush())


def _ingest(measure, tmp_path: Path, timeout: float = 240):
    db = tmp_path / "pk.duckdb"
    run = measure.policykit(
        "ingest", tmp_path / "raw", "--db", db, "--no-enrich", cwd=tmp_path, timeout=timeout
    )
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    return db, run


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    return raw


@pytest.mark.parametrize("gib", [1, pytest.param(5, marks=pytest.mark.fuzz)])
def test_gzip_bomb_holding_one_huge_jsonl_line(tmp_path, measure, gib):
    raw = _raw(tmp_path)
    _gzip_bomb(raw / "bomb.jsonl.gz", gib << 30)
    assert (raw / "bomb.jsonl.gz").stat().st_size < (6 << 20) * gib
    db, run = _ingest(measure, tmp_path)
    reasons = {r for (r,) in _rows(db, "SELECT reason FROM rejects")}
    assert "decompression_bomb" in reasons
    assert _rows(db, "SELECT url FROM articles") == [("https://b.example/1",)]
    # The ratio cap stops it long before the whole stream is inflated.
    assert run.seconds < 60
    longest = _rows(db, "SELECT max(length(payload)) FROM rejects")[0][0]
    assert longest <= 65_536


def test_a_200_mb_jsonl_line_is_too_large(tmp_path, measure):
    raw = _raw(tmp_path)
    with open(raw / "long.jsonl", "wb") as fh:
        fh.write(_record(1) + b"\n")
        fh.write(b'{"url": "https://b.example/2", "title": "')
        block = b"y" * (1 << 20)
        for _ in range(200):
            fh.write(block)
        fh.write(b'"}\n' + _record(3) + b"\n")
    db, _ = _ingest(measure, tmp_path)
    assert _rows(db, "SELECT source_locator, reason FROM rejects") == [("line:2", "too_large")]
    urls = sorted(u for (u,) in _rows(db, "SELECT url FROM articles"))
    assert urls == ["https://b.example/1", "https://b.example/3"]
    assert _rows(db, "SELECT records_read FROM ingest_runs") == [(3,)]


def test_a_json_array_with_a_300_mb_title(tmp_path, measure):
    raw = _raw(tmp_path)
    with open(raw / "array.json", "wb") as fh:
        fh.write(b"[" + _record(1) + b',\n{"url": "https://b.example/2", "title": "')
        block = b"z" * (1 << 20)
        for _ in range(300):
            fh.write(block)
        fh.write(b'"},\n' + _record(3) + b"]\n")
    db, _ = _ingest(measure, tmp_path)
    assert _rows(db, "SELECT source_locator, reason FROM rejects") == [("item:2", "too_large")]
    assert _rows(db, "SELECT url FROM articles") == [("https://b.example/1",)]


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl", "deep_item.json"])
def test_json_nested_100000_deep(tmp_path, measure, name):
    raw = _raw(tmp_path)
    deep = b"[" * 100_000 + b"]" * 100_000
    if name == "deep.json":
        content = b'{"url": "https://b.example/9", "x": ' + deep + b"}"
    elif name == "deep.jsonl":
        content = _record(1) + b'\n{"url": "https://b.example/2", "x": ' + deep + b"}\n"
    else:
        content = b"[" + _record(1) + b"," + deep + b"]"
    (raw / name).write_bytes(content)
    db, _ = _ingest(measure, tmp_path)
    accounts = _rows(
        db, "SELECT records_read, new_articles + duplicates + rejects FROM ingest_runs"
    )
    assert accounts[0][0] == accounts[0][1] >= 1
    if name != "deep.jsonl":  # DuckDB's JSON reader has no recursion limit: that line loads
        assert ("too_deep",) in _rows(db, "SELECT reason FROM rejects")


def test_a_200_mb_csv_field_is_too_large(tmp_path, measure):
    raw = _raw(tmp_path)
    with open(raw / "long.csv", "wb") as fh:
        fh.write(b"url,title\nhttps://b.example/1,One plain story title\n")
        fh.write(b'https://b.example/2,"')
        block = b"v" * (1 << 20)
        for _ in range(200):
            fh.write(block)
        fh.write(b'"\nhttps://b.example/3,Three plain story title\n')
    db, _ = _ingest(measure, tmp_path)
    assert _rows(db, "SELECT source_locator, reason FROM rejects") == [("row:2", "too_large")]
    urls = sorted(u for (u,) in _rows(db, "SELECT url FROM articles"))
    assert urls == ["https://b.example/1", "https://b.example/3"]
