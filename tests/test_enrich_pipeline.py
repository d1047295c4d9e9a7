"""enrich(con) over small fixture databases: tables filled, incremental runs, clusters,
configuration errors, the documented example queries and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import policykit.enrich as enrich_mod
from policykit.cli import main
from policykit.enrich import enrich
from policykit.enrich.topics import load_topics, parse_topics
from policykit.errors import ConfigError, QueryError
from policykit.store import connect

DOCS = Path(__file__).resolve().parents[1] / "docs" / "enrichment.md"

BODY = (
    "US-based facial recognition company Clearview AI informed its customers that its "
    "complete list of clients was stolen in a data breach, The Daily Beast reported. "
    "In a statement to The Daily Beast, Clearview AI said that data breaches are part of "
    "life. The company told Reuters that the vulnerability had been fixed.\n\n"
    "US Senator Edward Markey said the breach shows the grave privacy risks of the "
    "service, which reportedly has more than three billion images scraped from Facebook, "
    "Instagram and Twitter. Hoan Ton-That, Clearview AI's CEO, said in an interview with "
    "CNN Business that the images are public. Ton-That called it a search engine for faces."
)
OTHER = (
    "The Ministry of Electronics and Information Technology notified new rules on Monday "
    "that require social media platforms to remove unlawful content within 36 hours of a "
    "government order. According to Reuters, the Internet Freedom Foundation said the "
    "takedown rules were drafted without consultation and would chill speech online. "
    "Officials said the rules would be reviewed after six months of operation."
)
HINDI = (
    "सरकार ने सोशल मीडिया कंपनियों के लिए नए नियम जारी किए हैं जिनके तहत उन्हें सरकारी आदेश "
    "मिलने के छत्तीस घंटे के भीतर गैरकानूनी सामग्री हटानी होगी।"
)


def _add(
    con,
    aid,
    title,
    body,
    *,
    outlet="MediaNama",
    domain="medianama.com",
    when="2020-02-27 10:00:00+00",
    language=None,
    content_hash=None,
):
    con.execute(
        "INSERT INTO articles (article_id, title, body, outlet, domain, published_at, "
        "language, content_hash, source_path, source_locator, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'fixture', 'line:1', now())",
        [aid, title, body, outlet, domain, when, language, content_hash],
    )


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "fx.duckdb"
    con = connect(path)
    _add(con, "a1", "Clearview AI's client list stolen", BODY)
    # a reprint one day earlier, with a dateline and a closing line
    _add(
        con,
        "a2",
        "Clearview AI client list stolen in breach",
        "NEW YORK (Wire) - " + BODY + " Additional reporting by staff.",
        outlet="Wire Service",
        domain="wire.example",
        when="2020-02-26 09:00:00+00",
    )
    # a title-only record of the wire story, same title within 48 hours
    _add(
        con,
        "a3",
        "Clearview AI client list stolen in breach",
        None,
        outlet="Aggregator",
        domain="agg.example",
        when="2020-02-26 20:00:00+00",
    )
    # the same title a week later: another story
    _add(
        con,
        "a4",
        "Clearview AI client list stolen in breach",
        None,
        outlet="Late",
        domain="late.example",
        when="2020-03-06 20:00:00+00",
    )
    _add(
        con, "a5", "New IT rules on takedowns", OTHER, language="en", when="2020-02-28 10:00:00+00"
    )
    _add(
        con,
        "a6",
        "सोशल मीडिया के लिए नए नियम",
        HINDI,
        outlet="Hindi Daily",
        domain="hindi.example",
        when="2020-02-28 11:00:00+00",
    )
    yield path, con
    con.close()


def _rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_enrich_fills_every_table(db):
    _, con = db
    report = enrich(con, workers=1)
    assert report.processed["topics"] == 6
    topics = dict(_rows(con, "SELECT article_id || ':' || topic, hits FROM article_topics"))
    assert topics["a1:facial_recognition"] >= 4
    assert "a5:content_takedowns" in topics and "a5:facial_recognition" not in topics
    names = {r[0] for r in _rows(con, "SELECT name FROM entities")}
    assert {"Clearview AI", "Edward Markey", "Hoan Ton-That", "The Daily Beast"} <= names
    assert "Ministry of Electronics and Information Technology" in names
    assert "Internet Freedom Foundation" in names
    cites = set(_rows(con, "SELECT article_id, cited, pattern FROM article_citations"))
    assert ("a5", "Reuters", "according_to") in cites
    assert any(c[0] == "a1" and c[2] == "statement_to" for c in cites)
    # every article has exactly one cluster row
    assert _rows(con, "SELECT count(*), count(DISTINCT article_id) FROM story_clusters") == [(6, 6)]


def test_clusters_minhash_title_window_and_first_publisher(db):
    _, con = db
    enrich(con, workers=1)
    clusters = {
        r[0]: r[1:]
        for r in _rows(con, "SELECT article_id, cluster_id, is_first, method FROM story_clusters")
    }
    # a1 (body) and a2 (reprint) by MinHash; a3 (title only) by title within 48 h
    assert clusters["a1"][0] == clusters["a2"][0] == clusters["a3"][0] == "a2"
    assert clusters["a2"][1] is True and clusters["a1"][1] is False and clusters["a3"][1] is False
    assert clusters["a1"][2] == "minhash"
    # the same title nine days later is another story
    assert clusters["a4"] == ("a4", True, "singleton")
    assert clusters["a5"] == ("a5", True, "singleton")


def test_language_detected_only_where_missing(db):
    _, con = db
    con.execute("UPDATE articles SET language = 'xx' WHERE article_id = 'a1'")
    enrich(con, stages=["language"], workers=1)
    langs = dict(_rows(con, "SELECT article_id, language FROM articles"))
    assert langs["a1"] == "xx"  # metadata is never overwritten
    assert langs["a2"] == "en" and langs["a6"] == "hi"
    assert langs["a4"] == "en"  # title only: enough letters


def test_second_run_processes_nothing_and_changes_nothing(db):
    _, con = db
    enrich(con, workers=1)
    before = {
        t: _rows(con, f"SELECT * FROM {t} ORDER BY ALL")
        for t in (
            "article_topics",
            "entities",
            "article_entities",
            "article_citations",
            "story_clusters",
        )
    }
    report = enrich(con, workers=1)
    assert set(report.processed.values()) == {0}
    after = {t: _rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in before}
    assert before == after


def test_changed_and_new_articles_are_processed_incrementally(db):
    _, con = db
    enrich(con, workers=1)
    con.execute(
        "UPDATE articles SET body = body || ' Surveillance cameras were added.' WHERE article_id = 'a5'"
    )
    _add(
        con,
        "a7",
        "Clearview breach: the client list",
        "Copy desk: " + BODY,
        outlet="Copy Desk",
        domain="copy.example",
        when="2020-02-28 08:00:00+00",
    )
    report = enrich(con, workers=1)
    assert report.processed == {s: 2 for s in report.processed}
    assert ("a5", "surveillance") in set(_rows(con, "SELECT article_id, topic FROM article_topics"))
    # the new copy joins the existing cluster, whose first publisher stays a2
    cluster = dict(_rows(con, "SELECT article_id, cluster_id FROM story_clusters"))
    assert cluster["a7"] == cluster["a1"] == "a2"


def test_deleted_articles_lose_their_enrichment(db):
    _, con = db
    enrich(con, workers=1)
    con.execute("DELETE FROM articles WHERE article_id = 'a2'")
    enrich(con, workers=1)
    for table in (
        "article_topics",
        "article_entities",
        "article_citations",
        "story_clusters",
        "enrich_state",
    ):
        assert _rows(con, f"SELECT count(*) FROM {table} WHERE article_id = 'a2'") == [(0,)], table
    cluster = dict(_rows(con, "SELECT article_id, cluster_id FROM story_clusters"))
    assert cluster["a1"] == "a1"  # a2 is gone: a1 is now its own first publisher
    assert cluster["a3"] == "a3"


def test_new_topics_file_reruns_topics_for_all(db, tmp_path):
    _, con = db
    enrich(con, workers=1)
    custom = tmp_path / "topics.yml"
    custom.write_text("clearview: clearview\ntakedowns:\n  label: Takedowns\n  query: takedown*\n")
    report = enrich(con, topics=custom, stages=["topics"], workers=1)
    assert report.processed["topics"] == 6
    assert {r[0] for r in _rows(con, "SELECT DISTINCT topic FROM article_topics")} == {
        "clearview",
        "takedowns",
    }
    assert _rows(con, "SELECT topic, label FROM topics ORDER BY topic") == [
        ("clearview", "Clearview"),
        ("takedowns", "Takedowns"),
    ]
    assert enrich(con, topics=custom, stages=["topics"], workers=1).processed["topics"] == 0


def test_min_df_filters_weak_names(db):
    _, con = db
    # Names at the start of a sentence with no other evidence (no title, no known given
    # name, no repetition) are weak: the corpus decides.
    for i, other in enumerate(("Orla", "Pema", "Quon")):
        _add(
            con,
            f"w{i}",
            f"Note {i}",
            f"Varkey Desai met the panel. Tandon {other} spoke at length about many things in detail today.",
        )
    enrich(con, stages=["entities"], workers=1, min_df=3)
    names = {r[0] for r in _rows(con, "SELECT name FROM entities")}
    assert "Varkey Desai" in names  # no cue, but in three articles
    assert not any(n.startswith("Tandon") for n in names)  # no cue, one article each


def test_worker_pool_gives_the_same_result(db, monkeypatch):
    path, con = db
    enrich(con, workers=1)
    single = {
        t: _rows(con, f"SELECT * FROM {t} ORDER BY ALL")
        for t in ("entity_mentions", "article_citations", "story_clusters")
    }
    con.execute("DELETE FROM enrich_state WHERE stage <> 'topics'")
    monkeypatch.setattr(enrich_mod, "_POOL_MIN", 1)
    monkeypatch.setattr(enrich_mod, "_TASK", 2)
    enrich(con, workers=2)
    pooled = {t: _rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in single}
    assert pooled == single


def test_bad_stage_is_a_clear_error(db):
    _, con = db
    with pytest.raises(ConfigError, match="stage 'tags' is not one of language, topics"):
        enrich(con, stages=["tags"])


# --- topics files ---------------------------------------------------------------


def test_topic_syntax_error_names_topic_and_column():
    with pytest.raises(QueryError) as info:
        parse_topics("surveillance: 'cctv OR camera) AND police'\n", "topics.yml")
    assert str(info.value) == "topics.yml: topic 'surveillance': unexpected ')' at column 15"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: b: c\n",
            r"^topics\.yml: invalid YAML at line 1, column 5: mapping values are not allowed here$",
        ),
        ("x:\n  query: 'a\n", r"^topics\.yml: invalid YAML at line 3, column 1: .*"),
        ("- a\n- b\n", "expected a mapping of topic name to query"),
        ("'bad name': x\n", "topic name 'bad name' is not an identifier"),
        ("t:\n  qeury: x\n", "unknown key\\(s\\) qeury"),
        ("t: ''\n", "the query must be a non-empty string"),
    ],
)
def test_malformed_topics_file_is_one_line(text, message):
    with pytest.raises(ConfigError) as info:
        parse_topics(text, "topics.yml")
    assert re.search(message, str(info.value)), str(info.value)
    assert "\n" not in str(info.value)


def test_shipped_topics_cover_the_beat():
    names = {
        t.name for t in load_topics(Path(enrich_mod.__file__).parents[1] / "data" / "topics.yml")
    }
    assert names == {
        "facial_recognition",
        "data_protection_law",
        "internet_shutdowns",
        "content_takedowns",
        "surveillance",
        "platform_regulation",
        "data_breaches",
    }


def test_missing_topics_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_topics(tmp_path / "nope.yml")


# --- the documented example queries -----------------------------------------------


def _doc_query(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"```sql\n-- example: {name}\n(.*?)```", text, re.S)
    assert match, f"docs/enrichment.md has no example {name!r}"
    return match.group(1)


def _run_doc_query(path, name):
    con = connect(path, read_only=True)
    try:
        return con.execute(_doc_query(name)).df()
    finally:
        con.close()


def test_doc_query_top_entities(db):
    path, con = db
    enrich(con, workers=1)
    con.close()
    frame = _run_doc_query(path, "top-entities")
    top = frame.iloc[0]
    # a1, a2 by body; a3, a4 by the gazetteer name in their titles
    assert top["name"] == "Clearview AI" and top["articles"] == 4
    assert {"Edward Markey", "The Daily Beast"} <= set(frame["name"])
    assert len(frame) <= 10


def test_doc_query_syndicated_share(db):
    path, con = db
    enrich(con, workers=1)
    con.close()
    row = _run_doc_query(path, "syndicated-share").iloc[0]
    # a2 is first; a1 (reprint) and a3 (title-only copy) are syndicated copies
    assert (row["articles"], row["stories"], row["syndicated_copies"]) == (6, 4, 2)
    assert row["share_syndicated"] == pytest.approx(2 / 6, abs=1e-4)


@pytest.mark.parametrize("name", ["top-entities", "syndicated-share"])
def test_doc_queries_through_policykit_sql(db, name):
    path, con = db
    enrich(con, workers=1)
    con.close()
    result = CliRunner().invoke(
        main, ["sql", "--db", str(path), "--format", "csv", _doc_query(name)]
    )
    assert result.exit_code == 0, result.output
    expected = _run_doc_query(path, name)
    assert result.output.splitlines()[0] == ",".join(expected.columns)
    assert len(result.output.splitlines()) == len(expected) + 1


# --- CLI -------------------------------------------------------------------------


def test_cli_enrich_topics_and_errors(db, tmp_path):
    path, con = db
    con.close()
    runner = CliRunner()
    result = runner.invoke(main, ["enrich", "--db", str(path), "--stage", "topics"])
    assert result.exit_code == 0, result.output
    assert "topics" in result.output
    result = runner.invoke(
        main,
        [
            "topics",
            "test",
            "--db",
            str(path),
            "--query",
            "clearview AND NOT title:rules",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 of 6 articles match")
    result = runner.invoke(
        main, ["topics", "test", "--db", str(path), "--query", "clearview AND (x"]
    )
    assert result.exit_code == 2
    assert "missing ')' for the '(' at column 15" in result.output
    bad = tmp_path / "bad.yml"
    bad.write_text("surveillance: 'cctv OR (camera'\n")
    result = runner.invoke(main, ["topics", "refresh", "--db", str(path), "--topics", str(bad)])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: {bad}: topic 'surveillance': missing ')' for the '(' at column 9 (found end of query at column 16)"
    )
    result = runner.invoke(main, ["topics", "list", "--db", str(path), "--format", "csv"])
    assert result.exit_code == 0 and "facial_recognition" in result.output
