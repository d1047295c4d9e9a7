"""Export the analysis set (tables and views) to Parquet or CSV files."""

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
    "rejects": "rejects",
    "duplicates": "duplicates",
    "coverage_daily": "coverage_daily",
    "outlet_mix": "outlet_mix",
}
_BATCH_ROWS = 100_000


def export(con, out: str | Path = "data/processed/export", format: str = "parquet"):  # noqa: A002
    """Write every analysis table and view to ``out/<name>.<format>``.

    Rows stream through Arrow record batches, so the export does not hold a table in
    memory. Existing files of the same names are replaced.

    Returns
    -------
    DataFrame
        ``name``, ``source`` (table or view), ``rows`` and ``path`` of each file.
    """
    _core.check_choice("format", format, EXPORT_FORMATS)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"out {str(out)!r} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with _core.connection(con) as db:
        present = {
            r[0] for r in db.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        for name, source in EXPORT_TABLES.items():
            if source not in present:
                continue  # a view from a newer policykit than the database was made with
            path = out / f"{name}.{format}"
            reader = db.sql(_select(db, source, format)).to_arrow_reader(_BATCH_ROWS)
            rows.append(
                {
                    "name": name,
                    "source": source,
                    "rows": _write(reader, path, format),
                    "path": str(path),
                }
            )
    return pd.DataFrame(rows, columns=["name", "source", "rows", "path"])


def _select(db, source: str, fmt: str) -> str:
    """``SELECT *`` of a fixed table name; for CSV, list and struct columns as JSON text."""
    if fmt != "csv":
        return f"SELECT * FROM {source}"  # noqa: S608 - names from EXPORT_TABLES
    described = db.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
    columns = [
        f'to_json("{name}")::VARCHAR AS "{name}"'
        if kind.endswith("[]") or kind.startswith(("STRUCT", "MAP"))
        else f'"{name}"'
        for name, kind, *_ in described
    ]
    return f"SELECT {', '.join(columns)} FROM {source}"  # noqa: S608


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
