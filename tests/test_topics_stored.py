"""The user's topic definitions are data: stored in the database with their source and
sha256, used by every plain ingest and enrich, changed only explicitly (issue 9, item 7).

The shape of the bug: `policykit topics refresh --topics topics.yml` tagged 316
articles, and the next plain `policykit ingest` of another file re-ran the shipped
topics, so the count fell to 0 without a word.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykit.cli import main
from policykit.enrich import enrich
from policykit.enrich import topics as topics_mod
from policykit.ingest import ingest
from policykit.store import connect

USER_TOPICS = "widgets:\n  label: Widgets\n  query: widget*\ngadgets: gadget*\n"
WIDGET = re.compile(r"\bwidget", re.I)
GADGET = re.compile(r"\bgadget", re.I)


def _write_jsonl(path: Path, first: int, n: int, month: int) -> list[dict]:
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
                "published_at": f"2024-{month:02d}-{1 + i % 27:02d}T10:00:00Z",
                "body": body * 8,
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def _text(record: dict) -> str:
    return record["title"] + " " + record["body"]


def _count(records: list[dict], pattern: re.Pattern) -> int:
    return sum(1 for r in records if pattern.search(_text(r)))


def _distinct_tagged(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT article_id) FROM article_topics").fetchall()[0][0]
    finally:
        con.close()


def _run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _tags(db: Path) -> dict[str, int]:
    con = connect(db, read_only=True)
    try:
        return dict(con.execute("SELECT topic, count(*) FROM article_topics GROUP BY 1").fetchall())
    finally:
        con.close()


def _definitions(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT version, source, content_hash, topics FROM topic_definitions ORDER BY version"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder as the working directory, with no POLICYKIT_* settings."""
    for key in ("POLICYKIT_TOPICS", "POLICYKIT_DB"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_plain_ingest_after_refresh_keeps_the_users_topics(project):
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 60, 1)
    b = _write_jsonl(project / "b.jsonl", 60, 45, 2)
    (project / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")

    first = _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    assert "stored 7 topic definitions from shipped" in first
    assert _definitions(db)[0][1] == "shipped"

    before = _distinct_tagged(db)
    refreshed = _run("topics", "refresh", "--db", str(db), "--topics", "mine.yml")
    tagged = sum(1 for r in a if WIDGET.search(_text(r)) or GADGET.search(_text(r)))
    assert "definitions from mine.yml" in refreshed and "replace those from shipped" in refreshed
    assert "added: widgets, gadgets" in refreshed
    assert "removed: facial_recognition" in refreshed
    assert f"articles tagged: {before} before, {tagged} after" in refreshed
    assert _tags(db) == {"widgets": _count(a, WIDGET), "gadgets": _count(a, GADGET)}

    # The bug: this plain ingest re-ran the shipped topics and the counts fell to 0.
    second = _run("ingest", "b.jsonl", "--db", str(db), "--workers", "1")
    assert "differs" not in second and "shipped" not in second
    both = a + b
    assert _tags(db) == {"widgets": _count(both, WIDGET), "gadgets": _count(both, GADGET)}
    versions = _definitions(db)
    assert [v[1] for v in versions] == ["shipped", "mine.yml"]
    assert versions[-1][2] == hashlib.sha256((project / "mine.yml").read_bytes()).hexdigest()
    assert versions[-1][3] == 2

    # `policykit enrich`, ingest() and enrich() use the stored definitions too.
    _run("enrich", "--db", str(db), "--workers", "1")
    c = _write_jsonl(project / "c.jsonl", 105, 30, 3)
    report = ingest(project / "c.jsonl", db=db, workers=1)
    assert report.enrichment.topic_set.source == "mine.yml"
    everything = both + c
    assert _tags(db) == {
        "widgets": _count(everything, WIDGET),
        "gadgets": _count(everything, GADGET),
    }
    con = connect(db)
    try:
        enrich(con, workers=1)
        assert dict(
            con.execute("SELECT topic, count(*) FROM article_topics GROUP BY 1").fetchall()
        ) == {"widgets": _count(everything, WIDGET), "gadgets": _count(everything, GADGET)}
    finally:
        con.close()
    assert len(_definitions(db)) == 2  # nothing was stored again


def test_topics_list_shows_what_the_database_holds(project):
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 30, 1)
    (project / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    _run("topics", "refresh", "--db", str(db), "--topics", "mine.yml")
    out = _run("topics", "list", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    digest = hashlib.sha256((project / "mine.yml").read_bytes()).hexdigest()
    assert [r["topic"] for r in rows] == ["widgets", "gadgets"]  # not the shipped ones
    assert {r["source"] for r in rows} == {"mine.yml"}
    assert {r["content_hash"] for r in rows} == {digest}
    assert {r["topic"]: int(r["articles"]) for r in rows} == {
        "widgets": _count(a, WIDGET),
        "gadgets": _count(a, GADGET),
    }
    table = _run("topics", "list", "--db", str(db))
    assert "mine.yml" in table and digest[:12] in table and "facial_recognition" not in table


def test_topics_yml_in_the_working_folder_is_picked_up_and_changes_are_explicit(project):
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 45, 1)
    (project / "topics.yml").write_text(USER_TOPICS, encoding="utf-8")
    first = _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    assert "stored 2 topic definitions from topics.yml" in first
    assert _tags(db) == {"widgets": _count(a, WIDGET), "gadgets": _count(a, GADGET)}

    # The user edits topics.yml; a plain ingest says so in one line and keeps the stored.
    (project / "topics.yml").write_text(
        "widgets:\n  label: Widgets\n  query: title:widget*\nbudget: budget\n", encoding="utf-8"
    )
    b = _write_jsonl(project / "b.jsonl", 45, 30, 2)
    second = _run("ingest", "b.jsonl", "--db", str(db), "--workers", "1")
    notes = [line for line in second.splitlines() if "differs" in line]
    assert len(notes) == 1
    assert "topics.yml differs from the stored topic definitions" in notes[0]
    assert "kept the stored ones" in notes[0] and "policykit topics refresh" in notes[0]
    both = a + b
    assert _tags(db) == {"widgets": _count(both, WIDGET), "gadgets": _count(both, GADGET)}

    # `topics refresh` without a file applies the project's topics.yml, and says what changed.
    out = _run("topics", "refresh", "--db", str(db))
    assert "added: budget; removed: gadgets; changed: widgets (query)" in out
    budget = re.compile(r"\bbudget\b", re.I)
    titled = sum(1 for r in both if WIDGET.search(r["title"]))
    before = sum(1 for r in both if WIDGET.search(_text(r)) or GADGET.search(_text(r)))
    after = sum(1 for r in both if WIDGET.search(r["title"]) or budget.search(_text(r)))
    assert f"articles tagged: {before} before, {after} after" in out
    assert f"gadgets: {_count(both, GADGET)} -> 0 articles" in out
    assert _tags(db) == {"widgets": titled, "budget": _count(both, budget)}
    again = _run("topics", "refresh", "--db", str(db))
    assert "definitions unchanged" in again
    assert [v[1] for v in _definitions(db)] == ["topics.yml", "topics.yml"]


def test_policykit_toml_topics_setting_is_stored(project):
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 30, 1)
    (project / "conf").mkdir()
    (project / "conf" / "beat.yml").write_text("gadgets: gadget*\n", encoding="utf-8")
    (project / "policykit.toml").write_text('topics = "conf/beat.yml"\n', encoding="utf-8")
    _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    assert _definitions(db)[0][1] == str(Path("conf") / "beat.yml")
    assert _tags(db) == {"gadgets": _count(a, GADGET)}


def test_shipped_flag_and_a_bad_file(project):
    db = project / "t.duckdb"
    _write_jsonl(project / "a.jsonl", 0, 30, 1)
    (project / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    _run("topics", "refresh", "--db", str(db), "--topics", "mine.yml")
    (project / "bad.yml").write_text("widgets: 'widget OR (gadget'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["topics", "refresh", "--db", str(db), "--topics", "bad.yml"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith("error: bad.yml: topic 'widgets'")
    assert [v[1] for v in _definitions(db)] == ["shipped", "mine.yml"]  # nothing replaced
    out = _run("topics", "refresh", "--db", str(db), "--shipped")
    assert "definitions from shipped" in out and "removed: widgets, gadgets" in out
    assert [v[1] for v in _definitions(db)] == ["shipped", "mine.yml", "shipped"]
    both = CliRunner().invoke(
        main, ["topics", "refresh", "--db", str(db), "--shipped", "--topics", "mine.yml"]
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_definitions_commit_with_their_tags(project, monkeypatch):
    """A failure while tagging leaves the old definitions and the old tags."""
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 30, 1)
    (project / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    _run("topics", "refresh", "--db", str(db), "--topics", "mine.yml")
    import policykit.enrich as enrich_mod

    def boom(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(enrich_mod, "materialise", boom)
    con = connect(db)
    try:
        with pytest.raises(RuntimeError):
            enrich_mod.enrich(con, topics=topics_mod.shipped_topics_path(), stages=["topics"])
    finally:
        con.close()
    assert [v[1] for v in _definitions(db)] == ["shipped", "mine.yml"]
    assert _tags(db) == {"widgets": _count(a, WIDGET), "gadgets": _count(a, GADGET)}


def test_a_database_enriched_before_stored_definitions_keeps_its_topics(project):
    """Upgrading: the topics table of the last refresh is adopted, not the shipped file."""
    db = project / "t.duckdb"
    a = _write_jsonl(project / "a.jsonl", 0, 30, 1)
    (project / "mine.yml").write_text(USER_TOPICS, encoding="utf-8")
    _run("ingest", "a.jsonl", "--db", str(db), "--workers", "1")
    _run("topics", "refresh", "--db", str(db), "--topics", "mine.yml")
    con = connect(db)
    con.execute("DELETE FROM topic_definitions")  # as a database from before migration 003
    con.close()
    b = _write_jsonl(project / "b.jsonl", 30, 30, 2)
    out = _run("ingest", "b.jsonl", "--db", str(db), "--workers", "1")
    assert "from topics table (before policykit stored definitions)" in out
    both = a + b
    assert _tags(db) == {"widgets": _count(both, WIDGET), "gadgets": _count(both, GADGET)}


def test_stored_definitions_parse_back_identically(project):
    text = project / "x.yml"
    text.write_text("# comment\r\nwidgets: widget*\r\n", encoding="utf-8", newline="")
    read = topics_mod.read_topic_set(text)
    assert read.content_hash == hashlib.sha256(text.read_bytes()).hexdigest()
    con = connect(project / "t.duckdb")
    try:
        con.execute("BEGIN TRANSACTION")
        topics_mod.store_topics(con, read)
        con.execute("COMMIT")
        back = topics_mod.stored_topics(con)
    finally:
        con.close()
    assert back.text == read.text and back.content_hash == read.content_hash
    assert [(t.name, t.query) for t in back.topics] == [("widgets", "widget*")]
    assert back.source == "x.yml" and back.version == 1
