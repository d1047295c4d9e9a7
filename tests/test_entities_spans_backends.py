"""Entities in the database: entity_spans lead back to the sentence behind a count, and
the optional spaCy backend goes through the same tables.

spaCy is not a dependency: the backend's adapter is tested with a stand-in ``spacy``
module (its ``load`` returns a pipeline whose ``ents`` are fixed), and the missing-spaCy
error only where spaCy is really absent.
"""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

from policykit import connect
from policykit.enrich import enrich
from policykit.enrich import entities_spacy as sp
from policykit.enrich.entities import Gazetteer
from policykit.errors import ConfigError

BODY = (
    "WASHINGTON (Wire) - The talks were led by Kofi Annan of Ghana on Monday. "
    "Mr. Annan met U.S. officials. Annan said the plan would work."
)


def _add(con, aid, body, title="Talks"):
    con.execute(
        "INSERT INTO articles (article_id, title, body, outlet, domain, published_at, "
        "source_path, source_locator, ingested_at) VALUES (?, ?, ?, 'Wire', 'wire.example', "
        "'2020-02-27 10:00:00+00', 'fixture', 'line:1', now())",
        [aid, title, body],
    )


@pytest.fixture()
def con(tmp_path):
    con = connect(tmp_path / "spans.duckdb")
    _add(con, "a1", BODY)
    yield con
    con.close()


def test_entity_spans_give_the_sentences_behind_a_count(con):
    enrich(con, stages=["entities"], workers=1)
    rows = con.execute(
        "SELECT e.name, s.field, substr(a.body, s.span_start + 1, s.span_end - s.span_start) "
        "FROM entity_spans s JOIN article_entities ae USING (article_id, entity_id) "
        "JOIN entities e USING (entity_id) JOIN articles a USING (article_id) "
        "ORDER BY s.span_start"
    ).fetchall()
    by_name: dict[str, list[str]] = {}
    for name, field, surface in rows:
        assert field == "body"
        by_name.setdefault(name, []).append(surface)
    assert by_name["Kofi Annan"] == ["Kofi Annan", "Annan", "Annan"]
    assert by_name["United States"] == ["U.S."]
    assert by_name["Washington"] == ["WASHINGTON"]
    # the count in article_entities is the number of spans
    mentions = dict(
        con.execute(
            "SELECT e.name, ae.mentions FROM article_entities ae JOIN entities e USING (entity_id)"
        ).fetchall()
    )
    assert mentions["Kofi Annan"] == 3
    # a re-run on changed text replaces the spans, deleting the article removes them
    con.execute("UPDATE articles SET body = 'Nothing here.', content_hash = 'x'")
    enrich(con, stages=["entities"], workers=1)
    assert con.execute("SELECT count(*) FROM entity_spans").fetchone()[0] == 0
    con.execute("UPDATE articles SET body = ?, content_hash = 'y'", [BODY])
    enrich(con, stages=["entities"], workers=1)
    assert con.execute("SELECT count(*) FROM entity_spans").fetchone()[0] > 0
    con.execute("DELETE FROM articles")
    enrich(con, stages=["entities"], workers=1)
    assert con.execute("SELECT count(*) FROM entity_spans").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("builtin", None)),
        ("builtin", ("builtin", None)),
        ("spacy", ("spacy", "en_core_web_sm")),
        ("spacy:en_core_web_trf", ("spacy", "en_core_web_trf")),
    ],
)
def test_parse_backend(value, expected):
    assert sp.parse_backend(value) == expected


@pytest.mark.parametrize("value", ["stanza", "spaCy", "spacy-large", 3])
def test_parse_backend_refuses_others(value):
    with pytest.raises(ConfigError, match="not a recogniser"):
        sp.parse_backend(value)


@pytest.mark.skipif(importlib.util.find_spec("spacy") is not None, reason="spaCy is installed")
def test_missing_spacy_is_one_line(con):
    sp.load_model.cache_clear()
    with pytest.raises(ConfigError) as err:
        enrich(con, stages=["entities"], workers=1, entities="spacy")
    message = str(err.value)
    assert "\n" not in message and "pip install spacy" in message
    assert con.execute("SELECT count(*) FROM entity_mentions").fetchone()[0] == 0


class _Ent(types.SimpleNamespace):
    pass


def _fake_spacy(text_ents):
    """A stand-in spacy module: nlp(text).ents are the given (text, label) pairs, found
    at their first occurrences from left to right."""

    def load(model, exclude=()):
        if model != "fake_model":
            raise OSError(f"[E050] Can't find model '{model}'.")

        def nlp(text):
            ents, pos = [], 0
            for surface, label in text_ents:
                start = text.find(surface, pos)
                if start < 0:
                    continue
                ents.append(
                    _Ent(
                        text=surface, label_=label, start_char=start, end_char=start + len(surface)
                    )
                )
                pos = start + len(surface)
            return types.SimpleNamespace(ents=ents)

        nlp.meta = {"version": "0.0-test"}
        return nlp

    return types.SimpleNamespace(load=load)


ENTS = [
    ("WASHINGTON", "GPE"),
    ("Kofi Annan", "PERSON"),
    ("Ghana", "GPE"),
    ("Monday", "DATE"),  # not an entity type here
    ("Annan", "PERSON"),
    ("U.S.", "GPE"),
    ("Annan", "PERSON"),
]


def test_spacy_adapter_maps_labels_and_merges_surnames(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", _fake_spacy(ENTS))
    sp.load_model.cache_clear()
    try:
        found = {f.name: f for f in sp.find_entities_spacy(BODY, Gazetteer.load(), "fake_model")}
    finally:
        sp.load_model.cache_clear()
    assert found["Kofi Annan"].type == "person" and found["Kofi Annan"].mentions == 3
    assert "Annan" not in found and "Monday" not in found
    # listed names keep the gazetteer's canonical name
    assert found["United States"].type == "place" and found["Ghana"].type == "place"
    assert [BODY[s:e] for s, e in found["Kofi Annan"].spans] == ["Kofi Annan", "Annan", "Annan"]


def test_spacy_backend_fills_the_same_tables(con, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", _fake_spacy(ENTS))
    sp.load_model.cache_clear()
    try:
        enrich(con, stages=["entities"], workers=1, entities="spacy:fake_model")
        origins = dict(con.execute("SELECT name, origin FROM entities").fetchall())
        assert origins["Kofi Annan"] == "spacy"
        spans = con.execute("SELECT count(*) FROM entity_spans").fetchone()[0]
        assert spans == 6  # every mapped mention, DATE left out
        with pytest.raises(ConfigError, match="python -m spacy download no_such_model"):
            enrich(con, stages=["entities"], workers=1, entities="spacy:no_such_model")
    finally:
        sp.load_model.cache_clear()


def test_cli_enrich_entities_option(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from policykit.cli import main

    db = tmp_path / "cli.duckdb"
    con = connect(db)
    _add(con, "a1", BODY)
    con.close()
    runner = CliRunner()
    bad = runner.invoke(main, ["enrich", "--db", str(db), "--entities", "stanza"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "'stanza' is not a recogniser" in bad.output
    monkeypatch.setitem(sys.modules, "spacy", _fake_spacy(ENTS))
    sp.load_model.cache_clear()
    try:
        args = ["enrich", "--db", str(db), "--stage", "entities", "--workers", "1", "--quiet"]
        ok = runner.invoke(main, [*args, "--entities", "spacy:fake_model"])
        assert ok.exit_code == 0, ok.output
        con = connect(db, read_only=True)
        origins = dict(con.execute("SELECT name, origin FROM entities").fetchall())
        con.close()
        assert origins["Kofi Annan"] == "spacy"
        # back to the built-in recogniser: the stage re-runs, names come from it
        again = runner.invoke(main, [*args, "--entities", "builtin"])
        assert again.exit_code == 0, again.output
        con = connect(db, read_only=True)
        origins = dict(con.execute("SELECT name, origin FROM entities").fetchall())
        con.close()
        assert origins["Kofi Annan"] == "recogniser"
    finally:
        sp.load_model.cache_clear()
