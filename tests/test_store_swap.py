"""Readers and the writer coexist (issue 9 items 6 and 8), the content hash reproduces
(item 14), and a bad file never stops the others (item 1).

Every process here is a real subprocess: a notebook is a Python process holding
``pk.connect(read_only=True)``, a report is ``policykit info``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import policykit as pk
from policykit import store
from policykit.ingest import ingest

ENV = {**os.environ, "PYTHONPATH": str(Path(pk.__file__).parents[1])}


def _write_jsonl(path: Path, start: int, n: int, outlet: str = "thehindu.com") -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(start, start + n):
            record = {
                "url": f"https://www.{outlet}/news/national/story-{i}.ece",
                "title": f"Story number {i} about data protection",
                "published": "2023-02-27T10:00:00+05:30",
                "scraped_at": "2023-03-01T12:00:00Z",
                "text": f"Body of story {i}. It has two sentences.",
            }
            handle.write(json.dumps(record) + "\n")


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policykit", *args],
        env=ENV,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


NOTEBOOK = r"""
import sys, time
import policykit as pk
con = pk.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
sys.stdin.readline()  # hold the database until told
print(con.execute("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
fresh = pk.connect(sys.argv[1], read_only=True) if False else None
"""


@pytest.fixture()
def loaded(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 40)
    db = tmp_path / "t.duckdb"
    ingest([raw / "a.jsonl"], db=db, enrich=False)
    return tmp_path, raw, db


def test_a_notebook_holding_the_database_does_not_block_ingest(loaded):
    tmp_path, raw, db = loaded
    _write_jsonl(raw / "b.jsonl", 1000, 25)
    notebook = subprocess.Popen(
        [sys.executable, "-c", NOTEBOOK, str(db)],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(notebook.stdout.readline())
        assert before == _lines(raw / "a.jsonl")
        out = _cli("ingest", str(raw / "b.jsonl"), "--db", str(db), "--no-enrich")
        assert out.returncode == 0, out.stderr
        # A report (a reader) works while the notebook still holds the old version.
        info = _cli("info", "--db", str(db))
        assert info.returncode == 0, info.stderr
        # The notebook keeps the version it opened: never half of the new one.
        notebook.stdin.write("\n")
        notebook.stdin.flush()
        assert int(notebook.stdout.readline()) == before
    finally:
        notebook.kill()
        notebook.wait()
    con = pk.connect(db, read_only=True)
    after = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    con.close()
    assert after == _lines(raw / "a.jsonl") + _lines(raw / "b.jsonl")
    assert not db.with_name(db.name + ".next").exists()


WATCHER = r"""
import sys, time
import duckdb
seen = set()
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        con = duckdb.connect(sys.argv[1], read_only=True)
    except duckdb.Error as exc:
        print("ERROR", exc, flush=True)
        break
    row = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM ingest_runs), "
        "(SELECT count(*) FROM ingest_runs WHERE finished_at IS NULL)"
    ).fetchall()[0]
    con.close()
    if row not in seen:
        seen.add(row)
        print(*row, flush=True)
    time.sleep(0.02)
"""


def test_a_reader_never_sees_a_half_finished_ingest(loaded):
    tmp_path, raw, db = loaded
    # Three files that each commit on their own: an in-place writer would show 1 or 2.
    for k in range(3):
        _write_jsonl(raw / f"n{k}.jsonl", 10_000 * (k + 1), 6_000)
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(db), "60"],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    out = _cli("ingest", str(raw), "--db", str(db), "--no-enrich")
    assert out.returncode == 0, out.stderr
    time.sleep(1.0)
    watcher.terminate()
    seen = watcher.communicate(timeout=60)[0].splitlines()
    assert not any(line.startswith("ERROR") for line in seen), seen
    states = {tuple(int(x) for x in line.split()) for line in seen}
    before = (_lines(raw / "a.jsonl"), 1, 0)
    after = (sum(_lines(p) for p in raw.glob("*.jsonl")), 4, 0)
    assert before in states or after in states
    assert states <= {before, after}, states


HOLDER = r"""
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
time.sleep(120)
"""


def _holding(db: Path, mode: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), mode], env=ENV, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_an_in_place_writer_beside_a_reader_names_the_reader(loaded):
    """A read-write `pk.connect()` writes in place; the reader already did the right
    thing, so the advice is not "open it with read_only=True". `policykit enrich` writes
    a copy (store.writer) and runs beside the reader (tests/test_leftovers9.py)."""
    tmp_path, raw, db = loaded
    holder = _holding(db, "ro")
    try:
        with pytest.raises(pk.PolicykitError) as raised:
            pk.connect(db)
        out = _cli("enrich", "--db", str(db))
    finally:
        holder.kill()
        holder.wait()
    message = str(raised.value)
    assert len(message.splitlines()) == 1
    assert f"read-only in process {holder.pid}" in message
    assert "read_only=True" not in message
    assert out.returncode == 0, out.stderr


def test_a_foreign_writer_is_named_and_the_database_is_untouched(loaded):
    tmp_path, raw, db = loaded
    _write_jsonl(raw / "b.jsonl", 1000, 5)
    holder = _holding(db, "rw")
    try:
        out = _cli("ingest", str(raw / "b.jsonl"), "--db", str(db), "--no-enrich")
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert f"for writing (process {holder.pid})" in out.stderr
    assert "Traceback" not in out.stderr
    con = pk.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == _lines(raw / "a.jsonl")
    con.close()


def test_two_writers_the_second_names_the_first(loaded):
    tmp_path, raw, db = loaded
    lock = db.with_name(db.name + ".lock")
    # A running writer, as `store.writer` holds it: an exclusive flock with its pid.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from policykit import store\n"
            "with store.writer(sys.argv[1]) as con:\n"
            "    print('ready', flush=True); time.sleep(120)",
            str(db),
        ],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert lock.read_text().strip() == f"pid {holder.pid}"
        out = _cli("ingest", str(raw / "a.jsonl"), "--db", str(db), "--no-enrich")
        inplace = _cli("enrich", "--db", str(db))
        report = _cli("info", "--db", str(db))  # readers still work
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert f"pid {holder.pid}" in out.stderr and "Wait for it to finish" in out.stderr
    assert inplace.returncode == 2 and f"pid {holder.pid}" in inplace.stderr
    assert report.returncode == 0, report.stderr
    # The killed holder's copy is discarded or resumed: the next ingest just works.
    again = _cli("ingest", str(raw / "a.jsonl"), "--db", str(db), "--no-enrich")
    assert again.returncode == 0, again.stderr


def test_a_leftover_copy_of_another_database_is_discarded(loaded):
    tmp_path, raw, db = loaded
    nxt = db.with_name(db.name + ".next")
    other = tmp_path / "other.duckdb"
    _write_jsonl(raw / "x.jsonl", 5000, 7)
    ingest([raw / "x.jsonl"], db=other, enrich=False)
    shutil.copyfile(other, nxt)  # a copy that is not of this database
    db.with_name(db.name + ".next.base").write_text("1:2:3:-1", encoding="utf-8")
    _write_jsonl(raw / "b.jsonl", 1000, 5)
    ingest([raw / "b.jsonl"], db=db, enrich=False)
    con = pk.connect(db, read_only=True)
    paths = {p for (p,) in con.execute("SELECT DISTINCT source_path FROM articles").fetchall()}
    con.close()
    assert not any(p.endswith("x.jsonl") for p in paths)
    assert not nxt.exists()


# --- the content hash -----------------------------------------------------------------


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    _write_jsonl(folder / "a.jsonl", 0, 30)
    (folder / "pages").mkdir()
    (folder / "pages" / "p.txt").write_text(
        "Home\nWorld\nA title for a dump about data protection\n"
        + "The board met on Monday to discuss the rules for consent and data retention.\n" * 3,
        encoding="utf-8",
    )
    with open(folder / "b.jsonl", "w", encoding="utf-8") as handle:
        handle.write("{broken\n")
        handle.write(json.dumps({"url": "https://www.thehindu.com/news/national/story-3.ece"}))
        handle.write("\n")
    return folder


def test_content_hash_is_the_same_for_the_same_files_anywhere(tmp_path):
    one = _corpus(tmp_path / "clone-one" / "data" / "raw")
    two = _corpus(tmp_path / "elsewhere" / "two" / "raw")
    db_one = tmp_path / "one.duckdb"
    db_two = tmp_path / "two.duckdb"
    # one by absolute path, the other relative to its working folder, a moment later
    ingest([one], db=db_one)
    time.sleep(1.1)
    out = _cli("ingest", "raw", "--db", str(db_two), cwd=two.parent)
    assert out.returncode == 0, out.stderr
    hashes = []
    for db in (db_one, db_two):
        con = pk.connect(db, read_only=True)
        hashes.append(store.content_hash(con))
        paths = con.execute("SELECT DISTINCT source_path FROM articles").fetchall()
        con.close()
        assert paths  # the paths differ between the two...
    assert hashes[0] == hashes[1]  # ...the content does not
    # and the hash does move with the content
    with open(one / "a.jsonl", "a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({"url": "https://www.thehindu.com/news/x/new.ece", "title": "A new one"})
        )
        handle.write("\n")
    ingest([one], db=db_one, enrich=False)
    con = pk.connect(db_one, read_only=True)
    assert store.content_hash(con) != hashes[0]
    con.close()


# --- a bad file never stops the others ------------------------------------------------


def test_a_file_of_unknown_layout_fails_alone(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 12)
    with open(raw / "m.jsonl", "w", encoding="utf-8") as handle:
        for i in range(5):
            handle.write(json.dumps({"foo": f"x{i}", "bar": i}) + "\n")
    _write_jsonl(raw / "z.jsonl", 100, 9)
    db = tmp_path / "t.duckdb"
    out = _cli("ingest", str(raw), "--db", str(db), "--no-enrich")
    # accounting printed, then exit 1 with one summary line
    assert out.returncode == 1, out.stderr
    assert "Ingest accounting" in out.stdout
    assert "Traceback" not in out.stderr
    assert "unknown layout" in out.stderr
    assert "1 of 3 files failed" in out.stderr
    con = pk.connect(db, read_only=True)
    articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    failed = con.execute(
        "SELECT source_path, error FROM ingest_runs WHERE finished_at IS NULL"
    ).fetchall()
    rejects = con.execute("SELECT reason, source_locator FROM rejects").fetchall()
    con.close()
    assert articles == _lines(raw / "a.jsonl") + _lines(raw / "z.jsonl")
    assert len(failed) == 1 and failed[0][0].endswith("m.jsonl")
    assert "unknown layout" in failed[0][1]
    assert rejects == [("unknown_layout", "file")]
    # the failed file is tried again next time (here with the mapping it needed)
    again = _cli("ingest", str(raw), "--db", str(db), "--no-enrich", "--map", "title=foo")
    assert again.returncode == 0, again.stderr
    con = pk.connect(db, read_only=True)
    latest = con.execute(
        "SELECT arg_max(finished_at IS NOT NULL, run_id) FROM ingest_runs "
        "WHERE source_path LIKE '%m.jsonl'"
    ).fetchall()
    loaded = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    con.close()
    assert latest == [(True,)]
    assert loaded == articles + _lines(raw / "m.jsonl")


def test_an_unreadable_file_fails_alone(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 4)
    _write_jsonl(raw / "b.jsonl", 50, 6)
    _write_jsonl(raw / "c.jsonl", 90, 3)
    from policykit.sources import dispatch

    real = dispatch.read_file

    def failing(path, opts=None):
        if Path(path).name == "b.jsonl":
            raise OSError(5, "Input/output error")
        return real(path, opts)

    monkeypatch.setattr(dispatch, "read_file", failing)
    report = ingest([raw], db=tmp_path / "t.duckdb", enrich=False)
    assert [f.status for f in report.files] == ["loaded", "failed", "loaded"]
    assert "Input/output error" in report.failed[0].error
    assert report.totals["new_articles"] == _lines(raw / "a.jsonl") + _lines(raw / "c.jsonl")
    assert report.balanced


def test_a_bad_map_target_is_refused_before_any_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write_jsonl(raw / "a.jsonl", 0, 3)
    out = _cli("ingest", str(raw), "--db", str(tmp_path / "t.duckdb"), "--map", "nosuch=foo")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t.duckdb").exists()


def test_holder_message_is_read_from_duckdb(tmp_path):
    """The pid and the holder's mode come from DuckDB's own lock message."""
    db = tmp_path / "t.duckdb"
    duckdb.connect(str(db)).close()
    holder = _holding(db, "rw")
    try:
        with pytest.raises(pk.PolicykitError, match=rf"process {holder.pid}\)"):
            pk.connect(db, read_only=True)
    finally:
        holder.kill()
        holder.wait()
