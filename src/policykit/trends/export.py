"""Export the analysis set (tables and views) to Parquet or CSV files.

CSV is opened by spreadsheets, which run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or CR before one) as a formula. Scraped titles can start that way, so
every text cell of a CSV written by policykit that starts with one of those characters
gets a leading single quote (OWASP's CSV-injection rule). Numeric columns are never
touched, so a negative number stays a number. ``raw_csv=True`` (``--raw-csv``) turns
the protection off. Parquet and JSON keep the text as it is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..errors import ConfigError
from . import _core

EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv")
#: file stem -> the table or view it holds. Fixed names, never user input.
EXPORT_TABLES: dict[str, str] = {
    "articles": "articles",
    "article_facts": "article_facts",
    "outlets": "outlets",
    "topics": "article_topics",
    "entities": "entities",
    "article_entities": "article_entities",
    "citations": "article_citations",
    "clusters": "story_clusters",
    "story_facts": "story_facts",
    "entity_spans": "entity_spans",
    "article_events": "article_events",
    "event_facts": "event_facts",
    "rejects": "rejects",
    "duplicates": "duplicates",
    "coverage_daily": "coverage_daily",
    "outlet_mix": "outlet_mix",
}
#: Tables and views the export leaves out, and why: every other one is exported (a test
#: compares both with a new database, so a new table is a decision, not an omission).
NOT_EXPORTED: dict[str, str] = {
    "schema_version": "bookkeeping: the migrations applied",
    "meta": "bookkeeping: facts about the database file",
    "ingest_runs": "bookkeeping: one row per file load (the report's provenance lists it)",
    "enrich_state": "bookkeeping: what each enrichment stage has processed",
    "boilerplate_lines": "ingest internals: repeated lines stripped from bodies",
    "boilerplate_evidence": "ingest internals: where those lines were seen",
    "topic_definitions": "configuration: the history of topics.yml",
    "topics": "configuration: the topic queries in force (topics.yml)",
    "entity_mentions": "internals: every candidate before the min_df filter (entities, "
    "article_entities and entity_spans are the result)",
    "article_minhash": "internals: MinHash signatures behind story_clusters",
    "minhash_bands": "internals: the LSH index behind story_clusters",
    "story_links": "internals: the pairs behind story_clusters",
    "event_links": "internals: the pairs compared when grouping events",
    "event_inputs": "internals: the times events were linked with",
    "events": "in event_facts (every column, plus who published first)",
    "event_articles": "article_events joined with articles and event_facts",
}
_BATCH_ROWS = 100_000
#: A text cell starting with one of these is a formula to a spreadsheet (OWASP).
CSV_FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def protect_csv_value(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in CSV_FORMULA_PREFIXES:
        return "'" + value
    return value


def protect_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a spreadsheet formula.

    Only text cells change (numbers, dates, booleans and missing values are left as they
    are); a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``.
    """
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if series.dtype.kind == "O" or pd.api.types.is_string_dtype(series.dtype):
            frame[column] = series.map(protect_csv_value, na_action="ignore")
    return frame


def export(
    con,
    out: str | Path = "data/processed/export",
    format: str = "parquet",  # noqa: A002
    raw_csv: bool = False,
):
    """Write every analysis table and view to ``out/<name>.<format>``.

    Rows stream through Arrow record batches, so the export does not hold a table in
    memory. Existing files of the same names are replaced. In CSV, a text cell that
    starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` so that a
    spreadsheet shows it as text instead of running it; ``raw_csv=True`` writes the
    text as stored.

    Returns
    -------
    DataFrame
        ``name``, ``source`` (table or view), ``rows`` and ``path`` of each file.
    """
    _core.check_choice("format", format, EXPORT_FORMATS)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"out {str(out)!r} exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out {str(out)!r}: cannot create the folder ({exc.strerror})") from None
    rows = []
    with _core.connection(con) as db:
        present = {
            r[0] for r in db.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        for name, source in EXPORT_TABLES.items():
            if source not in present:
                continue  # a view from a newer policykit than the database was made with
            path = out / f"{name}.{format}"
            reader = db.sql(_select(db, source, format, raw_csv)).to_arrow_reader(_BATCH_ROWS)
            try:
                written = _write(reader, path, format)
            except OSError as exc:
                raise ConfigError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
            rows.append({"name": name, "source": source, "rows": written, "path": str(path)})
    return pd.DataFrame(rows, columns=["name", "source", "rows", "path"])


def _select(db, source: str, fmt: str, raw_csv: bool = False) -> str:
    """Every column of a fixed table name (an INTERVAL as ``<name>_seconds``); for CSV,
    list and struct columns as JSON text, and text columns protected from formula
    injection unless ``raw_csv``."""
    described = db.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
    columns = []
    for name, kind, *_ in described:
        quoted = '"' + name.replace('"', '""') + '"'
        if kind == "INTERVAL":
            # Parquet has no type for DuckDB's interval (and CSV would spell it
            # '1 day 02:00:00'): seconds, under a name that says so.
            seconds = '"' + (name + "_seconds").replace('"', '""') + '"'
            columns.append(f"epoch({quoted}) AS {seconds}")
        elif fmt != "csv":
            columns.append(quoted)
        elif kind.endswith("[]") or kind.startswith(("STRUCT", "MAP")):
            columns.append(f"to_json({quoted})::VARCHAR AS {quoted}")
        elif kind == "VARCHAR" and not raw_csv:
            columns.append(f"{_protect_sql(quoted)} AS {quoted}")
        else:
            columns.append(quoted)
    return f"SELECT {', '.join(columns)} FROM {source}"  # noqa: S608


def _protect_sql(column: str) -> str:
    """The SQL twin of :func:`protect_csv_value` for one VARCHAR column."""
    firsts = ", ".join(
        f"chr({ord(c)})" if c in "\t\r" else "'" + c + "'" for c in CSV_FORMULA_PREFIXES
    )
    return f"CASE WHEN left({column}, 1) IN ({firsts}) THEN chr(39) || {column} ELSE {column} END"


def _write(reader, path: Path, fmt: str) -> int:
    count = 0
    if fmt == "parquet":
        with pq.ParquetWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                count += batch.num_rows
    else:
        with pa_csv.CSVWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                count += batch.num_rows
    return count
