"""Readers: raw files in, staging batches out.

Every reader turns one raw file into :class:`FileRead`: an iterator of Arrow tables whose
columns are exactly :data:`STAGING_COLUMNS`, all strings (nullable). One row is one input
record. A record the reader cannot even parse (a malformed JSON line, a CSV row with the
wrong number of fields, a truncated gzip tail) is still a row, with ``reject_reason``
set and the raw text in ``payload``: nothing is dropped silently. Normalisation,
deduplication and accounting happen downstream in :mod:`policykit.ingest`.

Files are only ever opened for reading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

#: The staging contract between readers and the ingest pipeline.
STAGING_COLUMNS: tuple[str, ...] = (
    "source_locator",  # 'line:12', 'row:4', 'offset:1234', 'item:3', 'record:7', 'file'
    "payload",  # the raw record as text (JSON for structured rows), for rejects and provenance
    "reject_reason",  # set when the reader could not parse the record (then other fields may be NULL)
    "reject_detail",
    "url",
    "title",
    "summary",
    "body",
    "authors",  # a JSON list text '["A", "B"]' or a free string "By A and B"
    "published",  # the raw date value as text (epoch numbers as digits)
    "outlet",  # an outlet/site name as the source gives it
    "language",
    "scraped_at",  # raw crawl time as text
    "tags",  # JSON list text or comma-separated
    "extraction_method",  # metadata | trafilatura | textdump | feed | ...
    "date_source",  # set by readers that already know where the date came from (html, sidecar, ...)
    "body_missing_reason",  # why body is NULL for a page (too_short, all_script, ...)
)

STAGING_SCHEMA = pa.schema([(name, pa.string()) for name in STAGING_COLUMNS])


@dataclass
class FileRead:
    """The result of reading one file."""

    path: str
    format: str  # jsonl | json | csv | tsv | parquet | html | txt | warc | feed
    layout: str  # scrapy | news-please | trafilatura | mediacloud | gdelt | newspaper4k | mapped | generic | page
    batches: Iterator[pa.Table]
    #: Records counted and skipped by design (WARC request/revisit records...), by kind.
    skipped: Counter = field(default_factory=Counter)
    #: What layout detection did (layouts.LayoutReport: fields used, notes, ignored values).
    layout_report: object = None


def empty_batch() -> pa.Table:
    return STAGING_SCHEMA.empty_table()


def batch_from_rows(rows: list[dict]) -> pa.Table:
    """Build a staging batch from dicts (missing keys become NULL; values become str)."""
    columns = {
        name: pa.array(
            [None if r.get(name) is None else str(r.get(name)) for r in rows], type=pa.string()
        )
        for name in STAGING_COLUMNS
    }
    return pa.table(columns, schema=STAGING_SCHEMA)


@dataclass
class ReadOptions:
    """Options every reader receives (readers ignore what does not apply to them)."""

    #: column names for a header-less CSV/TSV (``--columns a,b,c``)
    columns: list[str] | None = None
    #: explicit field mapping, canonical staging name -> source field (``--map published=TIMESTAMP``)
    mapping: dict[str, str] | None = None
    #: force a format instead of detecting it
    format: str | None = None
    #: rows per Arrow batch (bounds memory on huge files)
    batch_size: int = 200_000
    #: worker processes for page extraction (0 = one per core)
    workers: int = 0
    #: boilerplate lines learnt per outlet for plain-text dumps: outlet -> set of normalised lines
    boilerplate: dict[str, set[str]] = field(default_factory=dict)


# Re-exports of the reader entry points, loaded lazily (the readers import DuckDB).
_DISPATCH_EXPORTS = ("iter_input_files", "detect_format", "read_file")


def __getattr__(name: str):
    if name in _DISPATCH_EXPORTS:
        from . import dispatch

        return getattr(dispatch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
