"""kill -9 at any point of an ingest, then a re-run: the database holds exactly what a
clean run gives, table by table, and a reader never sees a half-finished run.

The page corpus has the shape of issue 9 item 2: 600 text dumps from one outlet, a JSONL
file, then 100 more dumps (a sentence of real text recurs in 50 of the last dumps: under
the 10% share that makes a line boilerplate, unless the counts are wrong). Kills land at
chosen points by wrapping one function of the ingest in a runner that SIGKILLs its own
process (a real kill, no clean-up runs); one more test kills the CLI on a timer.

Compared: every table of the database, all columns but the ones that record when or in
which run a row was written (``VOLATILE``, see docs/schema.md "Comparing databases").
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import policykit as pk
from policykit.ingest import ingest

VOLATILE = {"ingested_at", "run_id", "started_at", "finished_at", "applied_at", "loaded_at"}
ENV = {**os.environ, "PYTHONPATH": str(Path(pk.__file__).parents[1])}

MENU = ["Home", "India", "World", "Business", "Technology", "Opinion", "Sign in to continue"]
FOOTER = [
    "Subscribe to our daily newsletter for the top stories of the day.",
    "Copyright 2024 Example News Media Private Limited. All rights reserved.",
    "Follow us on social media for updates from across the country.",
]
SHARED = "The ministry said the rules would be notified after a round of public consultation."
WORDS = [
    "regulator",
    "company",
    "ministry",
    "court",
    "platform",
    "users",
    "data",
    "privacy",
    "notice",
    "rules",
    "telecom",
    "operator",
    "minister",
    "officials",
    "lawyers",
    "consent",
    "breach",
    "audit",
    "policy",
    "spectrum",
    "satellite",
    "licence",
    "tribunal",
    "startup",
    "network",
    "citizens",
    "report",
    "hearing",
    "penalty",
    "framework",
    "state",
]
SHARED_IN = range(500, 550)  # dumps (in file order) whose body holds SHARED


def _dump(i: int) -> tuple[str, dict]:
    rng = random.Random(i)
    title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize() + " question"
    body = [
        "The "
        + " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 22)))
        + ", said people who have followed the matter for months."
        for _ in range(3)
    ]
    if i in SHARED_IN:
        body.insert(1, SHARED)
    text = "\n".join([*MENU, title, "By Staff Reporter", *body, *FOOTER]) + "\n"
    sidecar = {
        "url": f"https://www.examplenews.in/news/story-{i}.html",
        "title": title,
        "published": f"2024-03-{1 + i % 28:02d}T10:00:00Z",
        "scraped_at": "2024-04-01T00:00:00Z",
    }
    return text, sidecar


def make_page_corpus(root: Path) -> Path:
    """600 dumps, a JSONL, 100 dumps (in path order), each dump with its sidecar."""
    n = 0
    for folder, count in (("a_dumps", 600), ("c_dumps", 100)):
        (root / folder).mkdir(parents=True)
        for k in range(count):
            text, sidecar = _dump(n)
            (root / folder / f"{k:04d}.txt").write_text(text, encoding="utf-8")
            (root / folder / f"{k:04d}.json").write_text(json.dumps(sidecar), encoding="utf-8")
            n += 1
    with open(root / "b_feed.jsonl", "w", encoding="utf-8") as handle:
        for j in range(50):
            record = {
                "url": f"https://www.thehindu.com/news/national/telecom-{j}.ece",
                "title": f"Telecom rules story {j} about spectrum and satellites",
                "published": "2024-03-02T10:00:00+05:30",
                "text": f"Body of telecom story {j}. The data protection board met on Monday.",
            }
            handle.write(json.dumps(record) + "\n")
    return root


def snapshot(db: Path) -> dict:
    """Every table, every column but VOLATILE, as sorted rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        for table in tables:
            cols = [
                f'"{c}"'
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c not in VOLATILE
            ]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def _committed(db: Path) -> tuple[int, int]:
    """(finished ingest runs, enrich_state rows) in the <db>.next a killed run left,
    read from a copy so that the resume sees the file untouched."""
    nxt = db.with_name(db.name + ".next")
    if not nxt.exists():
        return (0, 0)
    probe = db.with_name("probe.duckdb")
    for suffix in ("", ".wal"):
        src = Path(str(nxt) + suffix)
        if src.exists():
            shutil.copyfile(src, str(probe) + suffix)
    con = duckdb.connect(str(probe))
    try:
        runs = con.execute("SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL")
        runs = runs.fetchall()[0][0]
        state = con.execute("SELECT count(*) FROM enrich_state").fetchall()[0][0]
    finally:
        con.close()
        for suffix in ("", ".wal"):
            Path(str(probe) + suffix).unlink(missing_ok=True)
    return (runs, state)


# Wraps one function of the ingest: its (after+1)-th call SIGKILLs the process.
RUNNER = r"""
import os, signal, sys
import policykit.enrich as E, policykit.ingest as I, policykit.store as S
target, after = sys.argv[1], int(sys.argv[2])
module, name = {
    "group": (I, "_commit_evidence"),          # inside a file group's transaction
    "enrich_python": (E, "_run_python_stages"),  # topics committed, the rest not begun
    "clusters": (E, "_build_clusters"),         # inside the python stages' transaction
    "swap": (S.os, "replace"),                  # all done and checkpointed, not swapped
}[target]
original = getattr(module, name)
calls = [0]
def wrapped(*args, **kwargs):
    calls[0] += 1
    if calls[0] > after:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)
setattr(module, name, wrapped)
from policykit.cli import main
sys.argv = ["policykit", "ingest", *sys.argv[3:]]
main()
"""


def _cli(raw: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "policykit", "ingest", str(raw), "--db", str(db), *extra]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    raw = make_page_corpus(root / "raw")
    clean = root / "clean.duckdb"
    subprocess.run(_cli(raw, clean), env=ENV, check=True, capture_output=True, cwd=root)
    return root, raw, snapshot(clean)


def test_page_corpus_clean_run_keeps_the_shared_sentence(pages):
    root, raw, clean = pages
    files = sorted(p for p in raw.rglob("*.txt"))
    # independent count: the dumps that hold the sentence, from the files themselves
    holding = sum(SHARED in p.read_text(encoding="utf-8") for p in files)
    assert holding == len(SHARED_IN) == 50
    con = duckdb.connect(str(root / "clean.duckdb"), read_only=True)
    try:
        in_bodies = con.execute(
            "SELECT count(*) FROM articles WHERE contains(body, ?)", [SHARED]
        ).fetchall()[0][0]
        docs = con.execute(
            "SELECT documents FROM boilerplate_lines WHERE outlet = 'examplenews.in' AND line = ''"
        ).fetchall()
    finally:
        con.close()
    assert in_bodies == holding
    assert docs == [(len(files),)]  # one count per dump, none twice


@pytest.mark.parametrize(
    ("target", "after", "committed"),
    [
        ("group", 0, (0, 0)),  # inside the first group (500 dumps): nothing committed
        ("group", 1, (500, 0)),  # issue 9: the first 500 dumps committed, then killed
        ("enrich_python", 0, (701, None)),  # loaded, topics tagged, entities... not yet
        ("clusters", 0, (701, None)),  # inside the last enrichment transaction
        ("swap", 0, (701, None)),  # everything written, not swapped in yet
    ],
)
def test_kill_then_rerun_gives_the_clean_tables(pages, tmp_path, target, after, committed):
    root, raw, clean = pages
    db = tmp_path / "killed.duckdb"
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, target, str(after), str(raw), "--db", str(db)],
        env=ENV,
        cwd=root,
        capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    # Readers never see a half-finished run: there is no database yet.
    assert not db.exists()
    runs, state = _committed(db)
    assert runs == committed[0]
    if committed[1] is not None:
        assert state == committed[1]
    elif target != "enrich_python":
        assert state > 0
    out = subprocess.run(_cli(raw, db), env=ENV, cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    if runs:
        # the re-run resumed the killed run's work instead of starting again
        assert f"({701 - runs} loaded, {runs} unchanged)" in out.stdout
    assert not db.with_name(db.name + ".next").exists()
    assert snapshot(db) == clean


def _big_file(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            record = {
                "url": f"https://www.thehindu.com/news/national/story-{i}.ece",
                "title": f"Headline {i} on internet shutdowns",
                "published": "2023-02-27T10:00:00+05:30",
                "scraped_at": "2023-03-01T12:00:00Z",
                "text": f"Body of story {i}. It has two sentences.",
            }
            handle.write(json.dumps(record) + "\n")


def test_killed_ingest_leaves_database_as_before(tmp_path):
    """The CLI killed on a timer, half-way through a clean run's time."""
    raw = tmp_path / "raw"
    raw.mkdir()
    _big_file(raw / "a.jsonl", 3_000)
    _big_file(raw / "b.jsonl", 40_000)
    clean = tmp_path / "clean.duckdb"
    started = time.monotonic()
    subprocess.run(_cli(raw, clean, "--no-enrich"), env=ENV, check=True, capture_output=True)
    duration = time.monotonic() - started
    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(_cli(raw, db, "--no-enrich"), env=ENV, stdout=subprocess.DEVNULL)
    time.sleep(duration * 0.5)
    assert proc.poll() is None, "ingest finished before the kill; make the input larger"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert not db.exists()  # the database only ever appears whole
    runs, _ = _committed(db)
    assert runs in (0, 1)  # never a half-loaded file: a.jsonl alone, or nothing
    report = ingest([raw], db=db, enrich=False)
    assert report.balanced
    assert snapshot(db) == snapshot(clean)
