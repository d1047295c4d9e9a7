"""The topic query language: parsing, errors with columns, SQL compilation, matching."""

from __future__ import annotations

import contextlib

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.enrich.query import (
    And,
    Not,
    Or,
    Term,
    articles_matching,
    compile_hits,
    compile_query,
    match_query,
    parse_query,
)
from policykit.errors import QueryError

# (query, record fields, expected hits or None when it must not match)
MATCH_CASES = [
    # word boundaries: 'ai' is not inside 'said'
    ("ai", {"body": "He said so."}, None),
    ("ai", {"body": "AI is here; A.I. is not the same word"}, 1),
    ("ai", {"body": "ai ai ai"}, 3),
    # case-insensitive
    ("clearview", {"title": "CLEARVIEW AI"}, 1),
    # a phrase spans spaces and dashes, not other words
    ('"facial recognition"', {"body": "facial-recognition and facial  recognition"}, 2),
    ('"facial recognition"', {"body": "facial and recognition"}, None),
    # trailing wildcard
    ("surveil*", {"body": "Surveillance and surveilling"}, 2),
    ("surveil*", {"body": "unsurveilled"}, None),
    # implicit AND between adjacent terms
    ("data breach", {"body": "a data leak"}, None),
    ("data breach", {"body": "a breach of data"}, 2),
    ("data OR breach", {"body": "a data leak"}, 1),
    # NOT, and precedence: NOT > AND > OR
    ("aadhaar NOT leak", {"body": "aadhaar leak"}, None),
    ("aadhaar AND NOT leak", {"body": "aadhaar rollout"}, 1),
    ("a OR b AND c", {"body": "a"}, 1),
    ("(a OR b) AND c", {"body": "a"}, None),
    # field prefixes
    ("title:aadhaar", {"title": "Aadhaar", "body": "nothing"}, 1),
    ("title:aadhaar", {"title": "Other", "body": "aadhaar"}, None),
    ("body:aadhaar", {"title": "Aadhaar", "body": "x"}, None),
    ("outlet:medianama", {"outlet": "MediaNama", "body": "x"}, 1),
    ("outlet:medianama", {"domain": "medianama.com"}, 1),
    ('title:(pegasus OR "nso group")', {"title": "NSO Group sued"}, 1),
    # apostrophes: straight in the query, curly in the text
    ("clearview's", {"body": "Clearview’s systems"}, 1),
    # signs inside terms
    ("at&t OR #metoo", {"body": "AT&T and #MeToo"}, 2),
    # non-Latin script terms get Unicode word boundaries
    ("आधार", {"body": "यह आधार है"}, 1),
    ("आधार", {"body": "यहआधार है"}, None),
    # lower-case words in quotes are terms, not operators
    ('"and"', {"body": "this and that"}, 1),
    # NOT-only queries match what lacks the term, with zero hits
    ("NOT foo", {"body": "bar"}, 0),
    ("NOT foo", {"body": "foo"}, None),
    # a phrase does not run from the title into the body
    ('"stolen report"', {"title": "list stolen", "body": "report says"}, None),
]


@pytest.mark.parametrize(("query", "fields", "expected"), MATCH_CASES)
def test_match(query, fields, expected):
    assert match_query(query, **fields) == expected


# (query, message fragment): every error names what is wrong and where
ERROR_CASES = [
    ("", "empty query"),
    ("(a OR b))", "unexpected ')' at column 9"),
    ("surveillance AND (cctv OR camera))", "unexpected ')' at column 34"),
    ("a AND", "expected a term after 'AND' at column 6"),
    ("NOT", "expected a term after 'NOT' at column 4"),
    ("(a OR b", "missing ')' for the '(' at column 1"),
    ('"abc', "unterminated phrase starting at column 1"),
    ("foo or bar", "lower-case operator 'or' at column 5"),
    ("http://x", "unknown field 'http' at column 1"),
    ("a*b", "only a trailing * is allowed"),
    ("a*", "too short"),
    ("title:", "is not followed by a term"),
    ('""', "empty phrase"),
    ("title:(body:x)", "nested field prefix"),
    ("()", "unexpected ')' at column 2"),
]


@pytest.mark.parametrize(("query", "fragment"), ERROR_CASES)
def test_errors_name_the_column(query, fragment):
    with pytest.raises(QueryError) as info:
        compile_query(query)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_parse_tree_shape():
    tree = parse_query('a b OR NOT title:"c d"')
    assert isinstance(tree, Or)
    assert isinstance(tree.children[0], And)
    assert isinstance(tree.children[1], Not)
    term = tree.children[1].child
    assert isinstance(term, Term) and term.field == "title" and term.text == '"c d"'


def test_user_text_never_enters_the_sql():
    hostile = "x'); DROP TABLE articles; --"
    where, params = compile_query(f'"{hostile}"')
    hits, hit_params = compile_hits(f'"{hostile}"')
    assert "DROP" not in where and "DROP" not in hits
    assert any("drop" in p for p in params) and any("drop" in p for p in hit_params)
    assert match_query(f'"{hostile}"', body=f"text {hostile} text") == 1


def test_alias_must_be_an_identifier():
    with pytest.raises(QueryError, match="not a plain SQL identifier"):
        compile_query("a", alias="a; DROP")


def test_articles_matching_and_compile_query_over_a_table():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE articles (article_id VARCHAR, title VARCHAR, summary VARCHAR, "
        "body VARCHAR, outlet VARCHAR, domain VARCHAR)"
    )
    con.executemany(
        "INSERT INTO articles VALUES (?, ?, NULL, ?, 'X', 'x.example')",
        [
            ["1", "Facial recognition at airports", "Digi Yatra uses facial recognition."],
            ["2", "Said and done", "He said AI was fine."],
            ["3", "Budget", "Nothing here."],
        ],
    )
    rows = articles_matching(con, '"facial recognition" OR ai').order("article_id").fetchall()
    assert rows == [("1", 2), ("2", 1)]
    where, params = compile_query("NOT budget", alias="x")
    count = con.execute(f"SELECT count(*) FROM articles x WHERE {where}", params).fetchone()[0]
    assert count == 2


# --- properties -----------------------------------------------------------------

WORDS = ["ai", "data", "leak", "aadhaar", "pegasus", "court"]


@st.composite
def queries(draw, depth=0):
    """Random well-formed queries and their trees, as (text, evaluate(words) -> bool)."""
    kind = draw(
        st.sampled_from(["term", "term", "not", "and", "or", "group"] if depth < 3 else ["term"])
    )
    if kind == "term":
        word = draw(st.sampled_from(WORDS))
        return word, lambda ws, w=word: w in ws
    if kind == "not":
        text, ev = draw(queries(depth + 1))
        return f"NOT ({text})", lambda ws, ev=ev: not ev(ws)
    if kind == "group":
        text, ev = draw(queries(depth + 1))
        return f"({text})", ev
    (lt, le), (rt, re_) = draw(queries(depth + 1)), draw(queries(depth + 1))
    if kind == "and":
        return f"({lt}) AND ({rt})", lambda ws, a=le, b=re_: a(ws) and b(ws)
    return f"({lt}) OR ({rt})", lambda ws, a=le, b=re_: a(ws) or b(ws)


@settings(max_examples=60, deadline=None)
@given(queries(), st.lists(st.sampled_from([*WORDS, "said", "plain"]), max_size=6))
def test_compiled_sql_agrees_with_boolean_logic(query, words):
    text, evaluate = query
    body = " ".join(words)
    assert (match_query(text, body=body) is not None) == evaluate(set(words))


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet='ab ()"*:ANDORT', max_size=20))
def test_parser_raises_only_query_errors(text):
    with contextlib.suppress(QueryError):
        compile_query(text)
