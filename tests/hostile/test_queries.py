"""Hostile queries: deep nesting, long NOT chains and long OR lists compile in bounded
depth and memory, or are refused with one line that states the limit."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.enrich.query import (
    _FIELD_SQL,
    MAX_DEPTH,
    MAX_TERMS,
    And,
    Not,
    Term,
    articles_matching,
    compile_query,
    match_query,
    parse_query,
)
from policykit.enrich.topics import parse_topics
from policykit.errors import QueryError

WORDS = ["data", "privacy", "ai", "ban", "court", "surveil*", '"facial recognition"']


def _articles(con: duckdb.DuckDBPyConnection, texts: list[str]) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE articles (article_id INTEGER, title VARCHAR, summary VARCHAR,"
        " body VARCHAR, outlet VARCHAR, domain VARCHAR)"
    )
    con.executemany(
        "INSERT INTO articles VALUES (?, ?, NULL, ?, 'Outlet', 'outlet.example')",
        [[i, t.split(".")[0], t] for i, t in enumerate(texts)],
    )


def test_nesting_up_to_the_limit_compiles_and_beyond_is_one_line():
    ok = "(" * MAX_DEPTH + "data" + ")" * MAX_DEPTH
    assert match_query(ok, body="open data") == 1
    for depth in (MAX_DEPTH + 1, 400, 100_000 // 2):
        with pytest.raises(QueryError) as info:
            parse_query("(" * depth + "data" + ")" * depth)
        message = str(info.value)
        assert "\n" not in message and f"limit of {MAX_DEPTH}" in message


def test_field_groups_count_towards_the_depth():
    query = "title:(" + "(" * (MAX_DEPTH - 1) + "data" + ")" * MAX_DEPTH
    assert match_query(query, title="data") == 1
    with pytest.raises(QueryError, match=f"limit of {MAX_DEPTH}"):
        parse_query("title:(" + "(" * MAX_DEPTH + "data" + ")" * (MAX_DEPTH + 1))


@pytest.mark.parametrize("nots", [1, 2, 999, 1000, 1001, 5000])
def test_a_thousand_nots_keep_their_parity(nots):
    query = "NOT " * nots + "court"
    hit = match_query(query, body="the court ruled")
    miss = match_query(query, body="nothing here")
    negated = nots % 2 == 1
    assert (hit is None) == negated
    assert (miss is None) == (not negated)


@pytest.mark.parametrize("terms", [1_000, MAX_TERMS])
def test_long_or_lists_run_in_duckdb(terms):
    query = " OR ".join(f"word{i}" for i in range(terms))
    con = duckdb.connect()
    try:
        _articles(con, [f"Title {i}. body with word{i * 7} in it" for i in range(300)])
        rows = articles_matching(con, query).fetchall()
    finally:
        con.close()
    # word{7i} is in the list exactly when 7i < terms: counted independently.
    assert len(rows) == sum(1 for i in range(300) if i * 7 < terms)
    assert all(hits == 1 for _, hits in rows)


@pytest.mark.parametrize("terms", [MAX_TERMS + 1, 5_000, 10_000])
def test_more_terms_than_the_limit_are_refused_in_one_line(terms):
    with pytest.raises(QueryError) as info:
        compile_query(" OR ".join(f"word{i}" for i in range(terms)))
    message = str(info.value)
    assert "\n" not in message
    assert f"{terms:,} terms" in message and f"limit of {MAX_TERMS:,}" in message


def test_long_and_lists_run_in_duckdb():
    words = [f"w{i}" for i in range(1_500)]
    assert match_query(" ".join(words), body=" ".join(reversed(words))) == 1_500
    assert match_query(" ".join(words), body=" ".join(words[:-1])) is None


def test_a_topic_nested_500_deep_is_refused_at_load_naming_the_topic():
    text = "ok: data\nhostile:\n  query: '" + "(" * 500 + "ai" + ")" * 500 + "'\n"
    with pytest.raises(QueryError) as info:
        parse_topics(text, "topics.yml")
    message = str(info.value)
    assert "\n" not in message
    assert "topics.yml" in message and "'hostile'" in message and str(MAX_DEPTH) in message


def test_ingest_refuses_a_deep_topic_before_loading_data(tmp_path, measure):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(
        '{"url": "https://a.example/1", "title": "AI rules"}\n', encoding="utf-8"
    )
    topics = tmp_path / "deep_topics.yml"
    topics.write_text("deep: '" + "(" * 500 + "ai" + ")" * 500 + "'\n", encoding="utf-8")
    db = tmp_path / "pk.duckdb"
    run = measure.policykit(
        "ingest", raw, "--db", db, cwd=tmp_path, env={"POLICYKIT_TOPICS": str(topics)}
    )
    line = run.assert_one_line_error()
    assert "'deep'" in line and f"limit of {MAX_DEPTH}" in line
    if db.exists():  # refused before the data loaded: no article was stored
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        finally:
            con.close()


def test_cli_query_limits_are_one_line(tmp_path, measure):
    db = tmp_path / "pk.duckdb"
    con = duckdb.connect(str(db))
    con.close()
    deep = "(" * 400 + "ai" + ")" * 400
    run = measure.policykit("topics", "test", "--query", deep, "--db", db, cwd=tmp_path)
    assert f"limit of {MAX_DEPTH}" in run.assert_one_line_error()
    many = " OR ".join(f"w{i}" for i in range(5_000))
    run = measure.policykit("topics", "test", "--query", many, "--db", db, cwd=tmp_path)
    assert f"limit of {MAX_TERMS:,}" in run.assert_one_line_error()


def test_the_largest_accepted_query_compiles_and_runs_in_bounded_memory(measure):
    code = f"""
import duckdb
from policykit.enrich.query import articles_matching
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE articles AS SELECT i AS article_id, 'Title ' || i AS title, "
            "NULL::VARCHAR AS summary, 'body w' || i AS body, 'o' AS outlet, 'o.example' AS domain "
            "FROM range(20000) t(i)")
query = " OR ".join(f"w{{i}}" for i in range({MAX_TERMS}))
print(len(articles_matching(con, query).fetchall()))
query = "(" * {MAX_DEPTH} + " ".join(f"w{{i}}" for i in range({MAX_TERMS})) + ")" * {MAX_DEPTH}
print(len(articles_matching(con, query).fetchall()))
"""
    run = measure.python(code, timeout=300)
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [str(MAX_TERMS), "0"]


# --- the balanced, merged compilation means the same as the plain one -------------------


def _plain_where(node, params: list) -> str:
    """The compilation before trees were balanced and OR terms merged: one
    regexp_matches per term, flat joins. An independent reference."""
    if isinstance(node, Term):
        params.append(node.pattern)
        return f"regexp_matches({_FIELD_SQL[node.field].format(a='a')}, ?)"
    if isinstance(node, Not):
        return f"(NOT {_plain_where(node.child, params)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(_plain_where(c, params) for c in node.children) + ")"


_leaf = st.sampled_from(WORDS).flatmap(
    lambda w: st.sampled_from([w, f"title:{w}", f"body:{w}"] if '"' not in w else [w])
)
_queries = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=6).map(lambda xs: "(" + " OR ".join(xs) + ")"),
        st.lists(inner, min_size=2, max_size=4).map(lambda xs: "(" + " AND ".join(xs) + ")"),
        inner.map(lambda x: f"NOT {x}"),
    ),
    max_leaves=25,
)
_texts = st.lists(
    st.lists(
        st.sampled_from(
            [
                "data",
                "privacy",
                "AI",
                "ban",
                "court",
                "surveillance",
                "facial recognition",
                "said",
                "the",
            ]
        ),
        max_size=8,
    ).map(" ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(_queries, _texts, _texts)
def test_balanced_compilation_matches_the_plain_one(query, titles, bodies):
    node = parse_query(query)
    plain_params: list = []
    plain = _plain_where(node, plain_params)
    where, params = compile_query(query)
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE articles (article_id INTEGER, title VARCHAR, summary VARCHAR, "
            "body VARCHAR, outlet VARCHAR, domain VARCHAR)"
        )
        rows = [
            [i, t, None, b, "o", "o.example"]
            for i, (t, b) in enumerate(zip(titles, bodies, strict=False))
        ]
        con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)", rows)
        ours = con.execute(
            f"SELECT article_id FROM articles a WHERE {where} ORDER BY 1", params
        ).fetchall()
        reference = con.execute(
            f"SELECT article_id FROM articles a WHERE {plain} ORDER BY 1", plain_params
        ).fetchall()
    finally:
        con.close()
    assert ours == reference
    # The compiled SQL nests no deeper than the query itself plus a balanced tree.
    assert max(_depths(where)) <= 2 * (query.count("(") + 1) + 2 * 12


def _depths(sql: str):
    depth = 0
    for ch in re.sub(r"'[^']*'", "", sql):
        depth += ch == "("
        depth -= ch == ")"
        yield depth
