"""A full disk (issue 9 items 7 and 12): one line that says what was kept, the database
stays readable and unchanged, and a re-run after freeing space matches a clean run.

On a small tmpfs (mounted by the test when it runs as root and may mount; skipped
otherwise) the disk is filled at a chosen point of a real ingest subprocess: before a
batch is loaded, before enrichment, before the copy. DuckDB then meets a real ENOSPC.
Without a tmpfs, one test still injects DuckDB's error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest

import policykit as pk
from policykit.ingest import ingest

ENV = {**os.environ, "PYTHONPATH": str(Path(pk.__file__).parents[1])}


def _write_jsonl(path: Path, start: int, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(start, start + n):
            record = {
                "url": f"https://www.thehindu.com/news/national/story-{i}.ece",
                "title": f"Story number {i} about data protection and privacy",
                "published": "2023-02-27T10:00:00+05:30",
                "text": f"Body of story {i}. The data protection board met. " * 20,
            }
            handle.write(json.dumps(record) + "\n")


def _snapshot(db: Path) -> dict:
    from test_kill import snapshot

    return snapshot(db)


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


# Fills the disk (a ballast file, written until ENOSPC) at one point of the ingest.
RUNNER = r"""
import os, sys
import policykit.ingest as I
point, ballast = sys.argv[1], sys.argv[2]

def fill():
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        block = b"\0" * (1 << 16)
        while True:
            os.write(fd, block)
    except OSError:
        pass
    finally:
        os.close(fd)

if point == "load":
    original = I._Pipeline.load_batch
    def load_batch(self, batch):
        fill()
        return original(self, batch)
    I._Pipeline.load_batch = load_batch
elif point == "enrich":
    original = I._enrich
    def enrich(con, progress, *topics):
        fill()
        return original(con, progress, *topics)
    I._enrich = enrich
elif point == "copy":
    fill()  # then give back a little: room for the lock file, not for the copy
    os.truncate(ballast, max(0, os.path.getsize(ballast) - (256 << 10)))
from policykit.cli import main
sys.argv = ["policykit", "ingest", *sys.argv[3:]]
main()
"""


@pytest.mark.parametrize("point", ["load", "enrich", "copy"])
def test_full_disk_gives_one_line_and_keeps_the_database(small_disk, tmp_path, point):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 200)
    db = small_disk / "t.duckdb"
    ingest([raw / "a.jsonl"], db=db)
    before = _snapshot(db)
    _write_jsonl(raw / "b.jsonl", 1000, 3000)
    ballast = small_disk / "ballast"
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, point, str(ballast), str(raw), "--db", str(db)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 2, (out.stdout[-1000:], out.stderr[-3000:])
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for word in ("Traceback", "TransactionException", "FatalException", "invalidated"):
        assert word not in out.stderr
    if point == "copy":
        assert "not enough disk space" in lines[0] and "the database is as before" in lines[0]
    else:
        assert "disk full" in lines[0]
        assert "nothing of this run was kept" in lines[0]
        assert "the database is as it was before it and stays readable (200 articles)" in lines[0]
    # readable, unchanged, and the partial copy is gone (its space is free again)
    assert _snapshot(db) == before
    assert not db.with_name(db.name + ".next").exists()
    ballast.unlink()
    again = subprocess.run(
        [sys.executable, "-m", "policykit", "ingest", str(raw), "--db", str(db)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    clean = tmp_path / "clean.duckdb"
    ingest([raw / "a.jsonl"], db=clean)
    ingest([raw], db=clean)
    assert _snapshot(db) == _snapshot(clean)


def test_duckdb_disk_full_error_is_one_line_without_a_mount(tmp_path, monkeypatch):
    """Fault injection: DuckDB's own exception text, raised inside a file's transaction."""
    from policykit import ingest as ingest_module
    from policykit.errors import DatabaseError

    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 20)
    db = tmp_path / "t.duckdb"
    ingest([raw / "a.jsonl"], db=db, enrich=False)
    before = _snapshot(db)
    _write_jsonl(raw / "b.jsonl", 100, 20)

    def full(self, batch):
        raise duckdb.IOException(
            'IO Error: Could not write file "t.duckdb.next.wal": No space left on device'
        )

    monkeypatch.setattr(ingest_module._Pipeline, "load_batch", full)
    with pytest.raises(DatabaseError) as caught:
        ingest([raw], db=db, enrich=False)
    message = str(caught.value)
    assert message.count("\n") == 0
    assert "disk full" in message and "(20 articles)" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert _snapshot(db) == before
    assert not db.with_name(db.name + ".next").exists()
