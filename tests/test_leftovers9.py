"""Leftovers of issue 9, each with the shape of the bug it closes.

1. `policykit enrich` and `topics refresh` wrote the database in place, so a notebook
   holding it read-only (another process) made them refuse.
2. The "needs upgrading" message advised `policykit info`, which only reads and refuses too.
3. `topics test --query` quoted the whole query in its error: ~60 KB for 5,000 terms.
4. The enrichment and evaluation pools were not capped, and their workers outlived a
   killed parent.
5. A failing file whose name holds a newline got a `failed:` line cut before its reason.
6. `policykit ingest` had no `--topics FILE`.

Readers, writers and killed parents are real subprocesses.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import policykit as pk
from policykit import store
from policykit.cli import main
from policykit.errors import EXCERPT_CHARS, excerpt
from policykit.ingest import ingest

ENV = {**os.environ, "PYTHONPATH": str(Path(pk.__file__).parents[1])}
ENV.pop("POLICYKIT_TOPICS", None)
ENV.pop("POLICYKIT_DB", None)

USER_TOPICS = "widgets:\n  label: Widgets\n  query: widget*\ngadgets: gadget*\n"
WIDGET = re.compile(r"\bwidget", re.I)
GADGET = re.compile(r"\bgadget", re.I)


def _write_jsonl(path: Path, first: int, n: int) -> list[dict]:
    """n records; every third is about widgets, every fifth about gadgets."""
    records = []
    for i in range(first, first + n):
        if i % 3 == 0:
            title, body = f"Widget rules, part {i}", "The ministry discussed widget standards. "
        elif i % 5 == 0:
            title, body = f"Gadget tax, part {i}", "Gadgets will be taxed from April. "
        else:
            title, body = f"Budget session day {i}", "Parliament met to discuss the budget. "
        records.append(
            {
                "url": f"https://example.com/news/{i}",
                "title": title,
                "published_at": f"2024-03-{1 + i % 27:02d}T10:00:00Z",
                "body": body * 8,
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def _matching(records: list[dict], *patterns: re.Pattern) -> int:
    return sum(1 for r in records if any(p.search(r["title"] + " " + r["body"]) for p in patterns))


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policykit", *args],
        env=ENV,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def _query(db: Path, sql: str):
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder as working directory, no POLICYKIT_* settings, 60 articles loaded
    without enrichment."""
    for key in ("POLICYKIT_TOPICS", "POLICYKIT_DB"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    records = _write_jsonl(tmp_path / "a.jsonl", 0, 60)
    db = tmp_path / "t.duckdb"
    ingest([tmp_path / "a.jsonl"], db=db, enrich=False)
    return tmp_path, db, records


# A notebook: holds the database read-only, counts tagged articles, waits, counts again
# on the same connection (the version it opened), then on a new connection.
READER = r"""
import sys
import policykit as pk
con = pk.connect(sys.argv[1], read_only=True)
count = "SELECT count(*) FROM article_topics"
print(con.execute(count).fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute(count).fetchall()[0][0], flush=True)
con.close()
fresh = pk.connect(sys.argv[1], read_only=True)
print(fresh.execute(count).fetchall()[0][0], flush=True)
"""


def _reader(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", READER, str(db)],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline().strip()
    assert first.isdigit(), proc.stderr.read()
    return proc, int(first)


def _finish(proc: subprocess.Popen) -> list[int]:
    out, err = proc.communicate("go\n", timeout=120)
    assert proc.returncode == 0, err
    return [int(x) for x in out.split()]


# --- 1. enrich and topics refresh beside a reader -----------------------------------


def test_enrich_runs_beside_a_reader_who_keeps_the_version_it_opened(project):
    tmp_path, db, records = project
    proc, before = _reader(db)
    try:
        out = _cli("enrich", "--db", str(db), "--workers", "1", cwd=tmp_path)
    finally:
        counts = _finish(proc)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    # The shipped topics: what they tag is whatever the database now says; the reader's
    # open connection saw none of it (no half-done change), a new one sees all of it.
    tagged = _query(db, "SELECT count(*) FROM article_topics")[0][0]
    assert before == 0
    assert counts == [0, tagged]
    # The enrichment really ran: every article has a language state now.
    done = _query(db, "SELECT count(DISTINCT article_id) FROM enrich_state WHERE stage='topics'")
    assert done[0][0] == len(records)
    assert not db.with_name(db.name + ".next").exists()


def test_topics_refresh_runs_beside_a_reader(project):
    tmp_path, db, records = project
    (tmp_path / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    proc, before = _reader(db)
    try:
        out = _cli("topics", "refresh", "--db", str(db), "--topics", "mine.yml", cwd=tmp_path)
    finally:
        counts = _finish(proc)
    assert out.returncode == 0, out.stderr
    expected = _matching(records, WIDGET) + _matching(records, GADGET)
    assert counts == [before, expected]
    assert "stored 2 topic definitions from mine.yml" in out.stdout
    sources = _query(db, "SELECT source FROM topic_definitions ORDER BY version DESC LIMIT 1")
    assert sources == [("mine.yml",)]


def test_no_cli_command_writes_the_database_in_place():
    """Every writer in the package goes through store.writer: no read-write connect()."""
    src = Path(pk.__file__).parent
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "store.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bconnect\((?!\)|\.\.\.)", line) and "read_only=True" not in line:
                if "duckdb.connect(" in line or ">>>" in line or ":memory:" in line:
                    continue
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


# --- 2. the upgrade advice upgrades -------------------------------------------------


def _old_database(tmp_path: Path) -> tuple[Path, int]:
    raw = tmp_path / "o.jsonl"
    _write_jsonl(raw, 0, 12)
    db = tmp_path / "old.duckdb"
    ingest([raw], db=db, enrich=False)
    con = duckdb.connect(str(db))
    for _version, _name, sql in [m for m in store.migrations() if m[0] > 1]:
        for table in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", sql):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DELETE FROM schema_version WHERE version > 1")
    articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    con.close()
    return db, articles


def test_the_upgrade_message_names_a_command_that_upgrades(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db, articles = _old_database(tmp_path)
    with pytest.raises(pk.PolicykitError, match="needs upgrading") as raised:
        pk.connect(db, read_only=True)
    message = str(raised.value)
    assert "policykit info" not in message
    # `info` only reads, so it cannot be the advice: it refuses the same way.
    info = _cli("info", "--db", str(db), cwd=tmp_path)
    assert info.returncode == 2 and "needs upgrading" in info.stderr
    # Run exactly the command the message names.
    command = re.search(r"`(policykit [^`]+)`", message).group(1)
    args = shlex.split(command)[1:]
    assert args[0] == "enrich"
    done = _cli(*args, "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    con = pk.connect(db, read_only=True)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == articles
    finally:
        con.close()


def test_the_upgrade_command_quotes_an_odd_path(tmp_path):
    odd = tmp_path / "my data" / "a'b.duckdb"
    command = store._upgrade_command(odd)
    assert shlex.split(command) == ["policykit", "enrich", "--db", str(odd)]


# --- 3. bounded quotes of user input --------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, EXCERPT_CHARS - 1, EXCERPT_CHARS, EXCERPT_CHARS + 1, 60_000])
def test_excerpt_is_bounded_and_exact_when_short(n):
    text = "".join(chr(ord("a") + i % 26) for i in range(n))
    shown = excerpt(text)
    if n <= EXCERPT_CHARS:
        assert shown == repr(text)
    else:
        assert shown.startswith(repr(text[:EXCERPT_CHARS]) + "…")
        assert f"{n:,} characters" in shown
    assert len(shown) <= EXCERPT_CHARS + 40
    assert len(excerpt(list(range(n)))) <= EXCERPT_CHARS + 1


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[:500]
    return lines[0]


def test_topics_test_with_5000_terms_says_why_in_a_short_line(project):
    tmp_path, db, _ = project
    query = " OR ".join(f"term{i}" for i in range(5000))
    assert len(query) > 50_000
    result = CliRunner().invoke(main, ["topics", "test", "--query", query, "--db", str(db)])
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "5,000 terms" in line and "limit of 2,000" in line
    assert len(line) < 2 * EXCERPT_CHARS + 200
    assert line.count("term") < 100


@pytest.mark.parametrize(
    "query",
    [
        "a" * 60_000 + ":x",  # unknown field: the field name is quoted
        '("' + "long phrase " * 5_000 + '" AND',  # a phrase shown beside the error
        "ok AND " + "x" * 60_000 + " )",  # an unexpected word
    ],
)
def test_query_errors_quote_a_bounded_excerpt(project, query):
    tmp_path, db, _ = project
    result = CliRunner().invoke(main, ["topics", "test", "--query", query, "--db", str(db)])
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert len(line) < 4 * EXCERPT_CHARS + 300, len(line)


def test_an_empty_long_trend_query_is_a_short_line(project):
    tmp_path, db, _ = project
    result = CliRunner().invoke(
        main, ["trends", "coverage", "--query", " " * 60_000, "--db", str(db)]
    )
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "empty" in line and len(line) < 2 * EXCERPT_CHARS + 200


# --- 4. capped pools whose workers die with their parent ------------------------------


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def test_enrich_workers_200_is_capped_and_said_once(project):
    tmp_path, db, _ = project
    if _cores() >= 200:
        pytest.skip("a machine with 200 cores needs no cap")
    out = _cli("enrich", "--db", str(db), "--workers", "200", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if "capped to" in line]
    assert len(notes) == 1, out.stderr
    assert notes[0].startswith("policykit: --workers 200 capped to ")
    used = int(notes[0].split("capped to ")[1].split()[0])
    assert 1 <= used <= _cores()


def test_the_enrich_pool_starts_capped_workers_that_die_with_their_parent(
    project, monkeypatch, capsys
):
    """In-process: the pool is made (threshold lowered) with workers=200, and each worker
    reports its parent and its parent-death signal through a file."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux")
    import ctypes

    import policykit.enrich as enrich_module
    from policykit import workers
    from policykit.enrich import _work

    tmp_path, db, _ = project
    monkeypatch.setattr(enrich_module, "_POOL_MIN", 1)
    monkeypatch.setattr(workers, "_NOTED", set())
    marks = tmp_path / "marks"
    marks.mkdir()
    original = _work.init

    def init(gazetteer):  # runs in each forked worker, after die_with_parent
        libc = ctypes.CDLL(None, use_errno=True)
        sig = ctypes.c_int(0)
        libc.prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
        (marks / str(os.getpid())).write_text(f"{os.getppid()} {sig.value}")
        original(gazetteer)

    monkeypatch.setattr(_work, "init", init)
    used = workers.capped_workers(200)[0]
    with store.writer(db) as con:
        enrich_module.enrich(con, workers=200, stages=["language", "clusters"])
    seen = [m.read_text().split() for m in marks.iterdir()]
    assert len(seen) == used
    assert all(int(ppid) == os.getpid() and int(sig) == signal.SIGKILL for ppid, sig in seen)
    err = capsys.readouterr().err
    assert err.count("capped to") == (1 if used < 200 else 0)


_ORPHAN_SCRIPT = r"""
import sys, time
import policykit.enrich as E
from policykit import store
from policykit.enrich import _work

def slow(rows):
    time.sleep(120)
    return {}

E._POOL_MIN = 1
_work.process = slow
with store.writer(sys.argv[1]) as con:
    E.enrich(con, workers=2, stages=["language"])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork workers: Linux")
def test_sigkill_of_enrich_leaves_no_orphan_workers(project):
    psutil = pytest.importorskip("psutil")
    tmp_path, db, _ = project
    if psutil.cpu_count() < 1:
        pytest.skip("no cores")
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT, str(db)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    want = min(2, _cores())
    workers = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            workers = psutil.Process(parent.pid).children(recursive=True)
            if len(workers) >= want and want > 1:
                break
            time.sleep(0.2)
        if want < 2:
            pytest.skip("one core: enrichment runs in-process")
        assert len(workers) >= 2, "the pool never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)

        def alive():
            out = []
            for proc in workers:
                try:
                    if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                        out.append(proc)
                except psutil.NoSuchProcess:
                    pass
            return out

        deadline = time.monotonic() + 10
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive() == [], "enrichment workers outlived their parent"
    finally:
        for proc in workers:
            with contextlib.suppress(psutil.Error):  # already gone
                proc.kill()
        if parent.poll() is None:
            parent.kill()


EVAL_DATA = Path(__file__).parents[1] / ".." / "shared" / "eval" / "trafilatura_eval"


@pytest.mark.skipif(not (EVAL_DATA / "manifest.tsv").exists(), reason="shared eval data absent")
def test_the_eval_pool_is_capped_and_said_once(monkeypatch, capsys):
    from policykit import workers
    from policykit.evaluate import run_eval

    if _cores() >= 200:
        pytest.skip("a machine with 200 cores needs no cap")
    monkeypatch.setattr(workers, "_NOTED", set())
    result = run_eval(limit=2, workers=200, data=EVAL_DATA)
    assert result["pages"] == 2
    notes = [line for line in capsys.readouterr().err.splitlines() if "capped to" in line]
    assert len(notes) == 1 and notes[0].startswith("policykit: --workers 200 capped to ")


# --- 5. a newline in a failing file's name --------------------------------------------


def test_failed_line_of_a_file_named_with_a_newline_says_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    names = ["we\nird.csv", "b\rad\u2028x.csv"]
    for name in names:
        (raw / name).write_text("foo,bar,baz\n1,2,3\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    result = CliRunner().invoke(main, ["ingest", "raw", "--db", str(db), "--no-enrich"])
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == len(names)
    for name in names:
        shown = name.encode("unicode_escape").decode("ascii")
        line = next(line for line in failed if shown in line)
        assert "unknown layout" in line and "--map" in line
    # The stored reason is whole too.
    errors = _query(db, "SELECT error FROM ingest_runs WHERE error IS NOT NULL")
    assert len(errors) == len(names)
    assert all("unknown layout" in e and "\n" not in e and "\r" not in e for (e,) in errors)


# --- 6. ingest --topics ---------------------------------------------------------------


def _definitions(db: Path) -> list[tuple]:
    return _query(db, "SELECT version, source, content_hash FROM topic_definitions ORDER BY 1")


def _tags(db: Path) -> dict[str, int]:
    return dict(_query(db, "SELECT topic, count(*) FROM article_topics GROUP BY 1"))


def test_ingest_topics_changes_the_definitions_and_a_plain_ingest_keeps_them(project):
    tmp_path, db, a = project
    runner = CliRunner()
    first = runner.invoke(main, ["enrich", "--db", str(db), "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert _definitions(db)[-1][1] == "shipped"
    (tmp_path / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    b = _write_jsonl(tmp_path / "b.jsonl", 60, 45)
    changed = runner.invoke(
        main, ["ingest", "b.jsonl", "--db", str(db), "--topics", "mine.yml", "--workers", "1"]
    )
    assert changed.exit_code == 0, changed.output
    assert "definitions from mine.yml" in changed.stdout
    assert "replace those from shipped" in changed.stdout
    assert "added: widgets, gadgets" in changed.stdout
    tagged = _matching(a + b, WIDGET, GADGET)
    assert re.search(rf"articles tagged: [\d,]+ before, {tagged:,} after", changed.stdout)
    held = _definitions(db)
    assert held[-1][1] == "mine.yml"
    assert _tags(db) == {"widgets": _matching(a + b, WIDGET), "gadgets": _matching(a + b, GADGET)}

    c = _write_jsonl(tmp_path / "c.jsonl", 105, 30)
    plain = runner.invoke(main, ["ingest", "c.jsonl", "--db", str(db), "--workers", "1"])
    assert plain.exit_code == 0, plain.output
    assert _definitions(db) == held  # no new version: the user's definitions stay
    every = a + b + c
    assert _tags(db) == {"widgets": _matching(every, WIDGET), "gadgets": _matching(every, GADGET)}


def test_pk_ingest_topics_is_the_python_door(project):
    tmp_path, db, a = project
    (tmp_path / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    b = _write_jsonl(tmp_path / "b.jsonl", 60, 20)
    report = pk.ingest([tmp_path / "b.jsonl"], db=db, topics="mine.yml", workers=1)
    change = report.enrichment.topic_change
    assert change is not None and set(change.added) == {"widgets", "gadgets"}
    assert change.tagged_after == _matching(a + b, WIDGET, GADGET)
    assert _definitions(db)[-1][1] == "mine.yml"


def test_ingest_topics_problems_are_refused_before_anything_loads(project):
    tmp_path, db, _ = project
    _write_jsonl(tmp_path / "b.jsonl", 60, 20)
    (tmp_path / "bad.yml").write_text("widgets:\n  query: (widget\n", encoding="utf-8")
    before = _query(db, "SELECT count(*) FROM articles")
    for extra in (
        ["--topics", "bad.yml"],
        ["--topics", "missing.yml"],
        ["--topics", str(tmp_path / "mine.yml"), "--no-enrich"],
    ):
        (tmp_path / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
        result = CliRunner().invoke(main, ["ingest", "b.jsonl", "--db", str(db), *extra])
        assert result.exit_code == 2, (extra, result.output)
        _one_error_line(result)
        assert _query(db, "SELECT count(*) FROM articles") == before


# --- a full disk during `policykit enrich` (now a writer like ingest) -----------------

ENRICH_FULL = r"""
import os, sys
import policykit.enrich as E
ballast = sys.argv[1]
original = E.enrich

def enrich(con, **kwargs):
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * (1 << 16))
    except OSError:
        pass
    finally:
        os.close(fd)
    return original(con, **kwargs)

E.enrich = enrich
from policykit.cli import main
sys.argv = ["policykit", "enrich", *sys.argv[2:]]
main()
"""


def test_a_full_disk_during_enrich_is_one_line_and_keeps_the_database(tmp_path):
    import uuid

    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        records = _write_jsonl(tmp_path / "a.jsonl", 0, 3000)
        db = mount / "t.duckdb"
        ingest([tmp_path / "a.jsonl"], db=db, enrich=False)
        out = subprocess.run(
            [sys.executable, "-c", ENRICH_FULL, str(mount / "ballast"), "--db", str(db)],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 2, out.stderr[-2000:]
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1, out.stderr
        assert "disk full" in lines[0] and f"({len(records):,} articles)" in lines[0]
        assert not db.with_name(db.name + ".next").exists()
        assert _query(db, "SELECT count(*) FROM article_topics") == [(0,)]
        assert _query(db, "SELECT count(*) FROM articles") == [(len(records),)]
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
