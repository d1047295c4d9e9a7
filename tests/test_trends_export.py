"""export covers every table and view of a database but the ones it names as left out."""

from __future__ import annotations

import pandas as pd

from policykit import store
from policykit.trends import export
from policykit.trends.export import EXPORT_TABLES, NOT_EXPORTED


def _relations(con) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def test_every_table_is_exported_or_named_as_left_out(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")  # every migration applied
    relations = _relations(con)
    exported = set(EXPORT_TABLES.values())
    assert not exported & set(NOT_EXPORTED), exported & set(NOT_EXPORTED)
    assert relations - exported - set(NOT_EXPORTED) == set(), "neither exported nor left out"
    assert exported | set(NOT_EXPORTED) <= relations, "names no table of the schema"
    assert {"entity_spans", "article_events", "event_facts"} <= exported
    con.close()


def test_entity_spans_are_exported_row_for_row(tmp_path):
    con = store.connect(tmp_path / "spans.duckdb")
    spans = [("a1", "e:org:who", "body", 0, 3), ("a1", "e:org:who", "body", 40, 43),
             ("a2", "e:place:spain", "summary", 7, 12)]  # fmt: skip
    con.executemany("INSERT INTO entity_spans VALUES (?, ?, ?, ?, ?)", spans)
    written = export(con, tmp_path / "out", format="parquet").set_index("name")
    assert written.loc["entity_spans", "rows"] == 3
    frame = pd.read_parquet(tmp_path / "out" / "entity_spans.parquet")
    assert sorted(frame.itertuples(index=False, name=None)) == sorted(spans)
    export(con, tmp_path / "csv", format="csv")
    csv = pd.read_csv(tmp_path / "csv" / "entity_spans.csv")
    assert list(csv.columns) == ["article_id", "entity_id", "field", "span_start", "span_end"]
    assert sorted(csv.itertuples(index=False, name=None)) == sorted(spans)
    con.close()


def test_an_interval_column_is_written_as_seconds(tmp_path):
    con = store.connect(tmp_path / "events.duckdb")
    con.execute(
        "INSERT INTO events VALUES ('e1', TIMESTAMPTZ '2024-01-01 00:00+00', "
        "TIMESTAMPTZ '2024-01-02 12:00+00', 3, 2, 'A headline', 'e1'), "
        "('e2', NULL, NULL, 1, 1, 'Undated', 'e2')"
    )
    written = export(con, tmp_path / "out", format="parquet").set_index("name")
    frame = pd.read_parquet(written.loc["event_facts", "path"]).set_index("event_id")
    assert "span" not in frame.columns
    assert frame.loc["e1", "span_seconds"] == 36 * 3600  # 1 day 12 hours
    assert pd.isna(frame.loc["e2", "span_seconds"])
    export(con, tmp_path / "csv", format="csv")
    csv = pd.read_csv(tmp_path / "csv" / "event_facts.csv").set_index("event_id")
    assert csv.loc["e1", "span_seconds"] == 36 * 3600
    con.close()
