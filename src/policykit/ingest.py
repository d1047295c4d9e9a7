"""The ingest pipeline: raw files in, normalised and deduplicated articles out.

For each file: hash it; skip it when the same path was already loaded with the same bytes;
otherwise read it (:mod:`policykit.sources`), normalise each staging batch in DuckDB with
the macros of :mod:`policykit.normalise` (Python only for the residue the SQL rules cannot
settle), deduplicate against the database and inside the batch, and load everything in
ONE transaction per file group, so a killed ingest never leaves half a file. All of it
happens in a copy of the database (:func:`policykit.store.writer`) that replaces the
database when the run ends, so readers never see a partial run; a killed run's copy is
resumed by the next one. What the run learns across files (boilerplate evidence) commits
with the files it came from. Every record read ends up in exactly one place:
``articles`` (new), ``duplicates`` or ``rejects``; :class:`IngestReport` proves it per
file. A file that cannot be read at all fails alone (status ``failed``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from . import __version__, _callable_module, normalise, store
from . import settings as _settings
from .errors import (
    ConfigError,
    DatabaseError,
    PolicykitError,
    SourceError,
    escape_line_breaks,
)
from .normalise import pubdate
from .progress import resolve as _resolve_progress
from .sources import STAGING_COLUMNS, STAGING_SCHEMA, FileRead, ReadOptions, batch_from_rows
from .sources.layouts import LayoutError

#: Page formats whose extraction runs in worker processes.
PAGE_FORMATS = {"html"}
#: DuckDB's memory limit during ingest (W1's target is a peak RSS of 1.5 GB).
MEMORY_LIMIT = "1GB"
#: At most this many small files share one transaction.
GROUP_FILES = 500


def _load_sql() -> dict[str, str]:
    text = (resources.files("policykit") / "sql" / "ingest.sql").read_text(encoding="utf-8")
    blocks: dict[str, str] = {}
    for chunk in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = chunk.partition("\n")
        blocks[name.strip()] = body.strip()
    return blocks


SQL = _load_sql()


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # loaded | reloaded | unchanged | failed
    format: str | None = None
    layout: str | None = None
    records_read: int = 0
    new_articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    #: stored records whose published value no date rule could read (NULL published_at,
    #: date_source 'unparsed'); part of new_articles + duplicates, not a fifth count
    dates_unparsed: int = 0
    skipped: dict = field(default_factory=dict)
    run_id: int | None = None
    #: why a failed file could not be read (also in ingest_runs.error)
    error: str | None = None
    #: layouts.LayoutReport of a metadata file: source fields used, notes, ignored values
    layout_report: object = None

    @property
    def balanced(self) -> bool:
        return self.records_read == self.new_articles + self.duplicates + self.rejects


@dataclass
class IngestReport:
    """The accounting of one ingest: per file, and rejects by reason.

    For every file, ``records_read == new_articles + duplicates + rejects``.
    """

    db: str
    files: list[FileResult] = field(default_factory=list)
    rejects_by_reason: Counter = field(default_factory=Counter)
    enrichment: object = None
    #: records of this ingest stored with a date value no rule could read
    dates_unparsed: int = 0

    @property
    def totals(self) -> dict[str, int]:
        return {
            key: sum(getattr(f, key) for f in self.files)
            for key in ("records_read", "new_articles", "duplicates", "rejects")
        }

    @property
    def balanced(self) -> bool:
        return all(f.balanced for f in self.files)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, status, format, layout and the four counts."""
        rows = [
            {
                "file": f.path,
                "status": f.status,
                "format": f.format,
                "layout": f.layout,
                "records_read": f.records_read,
                "new_articles": f.new_articles,
                "duplicates": f.duplicates,
                "rejects": f.rejects,
            }
            for f in self.files
        ]
        columns = [
            "file",
            "status",
            "format",
            "layout",
            "records_read",
            "new_articles",
            "duplicates",
            "rejects",
        ]
        return pd.DataFrame(rows, columns=columns)

    def summary_frame(self, max_files: int = 25) -> pd.DataFrame:
        """The per-file table, or, with more than ``max_files`` files, one row per format,
        layout and status (their common folder, a ``files`` count and the summed counts) so
        a big ingest stays readable."""
        frame = self.to_frame()
        if len(frame) <= max_files:
            return frame
        frame[["format", "layout"]] = frame[["format", "layout"]].fillna("")
        grouped = (
            frame.groupby(["format", "layout", "status"], sort=True)
            .agg(
                folder=(
                    "file",
                    lambda files: os.path.commonpath([str(Path(f).parent) for f in files]),
                ),
                files=("file", "size"),
                records_read=("records_read", "sum"),
                new_articles=("new_articles", "sum"),
                duplicates=("duplicates", "sum"),
                rejects=("rejects", "sum"),
            )
            .reset_index()
            .sort_values(["folder", "format"])
        )
        grouped = grouped[["folder", *[c for c in grouped.columns if c != "folder"]]]
        return grouped

    def rejects_frame(self) -> pd.DataFrame:
        items = sorted(self.rejects_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        return pd.DataFrame(items, columns=["reason", "records"])

    def __str__(self) -> str:
        t = self.totals
        changed = sum(f.status in ("loaded", "reloaded") for f in self.files)
        unchanged = sum(f.status == "unchanged" for f in self.files)
        failed = [f for f in self.files if f.status == "failed"]
        also = f", {len(failed)} failed" if failed else ""
        lines = [
            f"{len(self.files)} files ({changed} loaded, {unchanged} unchanged{also}) into {self.db}",
            f"records read {t['records_read']} = new articles {t['new_articles']}"
            f" + duplicates {t['duplicates']} + rejects {t['rejects']}",
        ]
        for reason, count in sorted(self.rejects_by_reason.items(), key=lambda kv: -kv[1]):
            lines.append(f"  rejected {count:>8}  {reason}")
        if self.dates_unparsed:
            lines.append(self.dates_unparsed_line())
        for f in failed:
            lines.append(f"  failed: {f.error}")
        return "\n".join(lines)

    def dates_unparsed_line(self) -> str:
        return (
            f"dates unparsed {self.dates_unparsed}: stored with no published_at"
            " (date_source 'unparsed'; see published_raw)"
        )

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be read at all; the next ingest tries them again."""
        return [f for f in self.files if f.status == "failed"]

    def layout_lines(self, max_files: int = 25) -> list[str]:
        """What layout detection did: per layout and field mapping, the source fields used
        for url, title, published_at and outlet, then each note (a column that looks like
        dates or URLs but is not loaded, with the ``--map`` that would use it)."""
        groups: dict[tuple, list[str]] = {}
        for f in self.files:
            report = f.layout_report
            if report is None:
                continue
            key = (f.layout, report.describe(), tuple(report.notes))
            groups.setdefault(key, []).append(f.path)
        lines = []
        for (layout, described, notes), paths in groups.items():
            where = paths[0] if len(paths) == 1 else f"{len(paths)} files"
            if len(paths) > 1 and len(paths) <= max_files:
                where += " (" + ", ".join(paths) + ")"
            lines.append(f"layout {layout} for {where}: {described}")
            lines.extend(f"  note: {note}" for note in notes)
        return lines


# --------------------------------------------------------------------------- helpers


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def display_path(path: Path) -> str:
    """The path as stored in source_path: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def _table(con, name: str, columns: dict[str, list], types: dict[str, str]) -> None:
    """Create (replace) a temp table from Python columns with explicit DuckDB types."""
    arrow = pa.table({k: pa.array(v, type=_ARROW_TYPES[types[k]]) for k, v in columns.items()})
    con.register("_py_tmp", arrow)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _py_tmp")
    con.unregister("_py_tmp")


def _residue(con, name: str, distinct_sql: str, fn, out_type: str = "VARCHAR") -> bool:
    """Apply a Python reference function once per distinct value that the SQL rules could
    not settle; the results land in temp table ``name(raw, value)`` for an UPDATE."""
    values = [r[0] for r in con.execute(distinct_sql).fetchall()]
    if not values:
        return False
    _table(
        con,
        name,
        {"raw": values, "value": [fn(v) for v in values]},
        {"raw": "VARCHAR", "value": out_type},
    )
    return True


_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "VARCHAR[]": pa.list_(pa.string()),
    "SMALLINT": pa.int16(),
}


# --------------------------------------------------------------------------- the pipeline


class _Pipeline:
    """Per-ingest state: the connection, the outlet registry, caches of residue results."""

    def __init__(self, con: duckdb.DuckDBPyConnection, registry, now: datetime):
        self.con = con
        self.registry = registry
        self.now = now
        self._host_cache: dict[str, tuple] = {}
        self._name_cache: dict[str, tuple] = {}
        self._date_cache: dict[tuple, tuple] = {}
        self._author_cache: dict[str, list[str]] = {}
        # A bounded buffer pool: DuckDB spills to <db>.tmp instead of growing with the
        # input (its default is 80% of RAM); insertion order is kept by the sort keys.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        normalise.install_macros(con)
        con.execute(SQL["macros"])
        con.execute(SQL["article_keys"])
        # This run's boilerplate evidence (filled by _learn_boilerplate).
        con.execute(
            "CREATE OR REPLACE TEMP TABLE bp_run (source_path VARCHAR, outlet VARCHAR, "
            "line_hash VARCHAR, line VARCHAR)"
        )

    # -- outlets
    def sync_outlets(self) -> None:
        frame = self.registry.to_frame()
        self.con.register("_registry", frame)
        self.con.execute(
            "INSERT OR REPLACE INTO outlets (domain, name, country, language, type, date_order, origin) "
            "SELECT domain, name, country, language, type, date_order, origin FROM _registry"
        )
        self.con.unregister("_registry")

    def _host_row(self, host: str) -> tuple:
        if host not in self._host_cache:
            outlet = self.registry.lookup(host)
            domain = normalise.registered_domain(host) or host
            known = outlet.origin in ("registry", "user")
            self._host_cache[host] = (domain, outlet.name, outlet.date_order, known, outlet)
        return self._host_cache[host]

    def _name_row(self, raw: str) -> tuple:
        if raw not in self._name_cache:
            outlet = self.registry.resolve_name(raw)
            cleaned = normalise.clean_title(raw) or raw
            if outlet is not None:
                # A host name in a domain field ("thehindu.com") is the record's own domain,
                # not an alias: it keeps the registry outlet whatever the URL's host.
                claimed = self.registry.lookup(raw) if "." in raw and " " not in raw else None
                alias = claimed is None or claimed.domain != outlet.domain
                self._name_cache[raw] = (outlet.name, outlet.date_order, cleaned, alias)
            else:
                self._name_cache[raw] = (cleaned, None, cleaned, False)
        return self._name_cache[raw]

    def apply_outlets(self) -> None:
        con = self.con
        hosts = [r[0] for r in con.execute(SQL["distinct_hosts"]).fetchall()]
        rows = [self._host_row(h) for h in hosts]
        _table(
            con,
            "host_map",
            {
                "host": hosts,
                "domain": [r[0] for r in rows],
                "outlet": [r[1] for r in rows],
                "date_order": [r[2] for r in rows],
                "known": [r[3] for r in rows],
            },
            {
                "host": "VARCHAR",
                "domain": "VARCHAR",
                "outlet": "VARCHAR",
                "date_order": "VARCHAR",
                "known": "BOOLEAN",
            },
        )
        con.execute(SQL["apply_host_outlets"])
        names = [r[0] for r in con.execute(SQL["distinct_outlet_names"]).fetchall()]
        mapped = [self._name_row(n) for n in names]
        _table(
            con,
            "name_map",
            {
                "outlet_raw": names,
                "outlet": [m[0] for m in mapped],
                "date_order": [m[1] for m in mapped],
                "own": [m[2] for m in mapped],
                "registered": [m[3] for m in mapped],
            },
            {
                "outlet_raw": "VARCHAR",
                "outlet": "VARCHAR",
                "date_order": "VARCHAR",
                "own": "VARCHAR",
                "registered": "BOOLEAN",
            },
        )
        con.execute(SQL["apply_name_outlets"])
        # The record's own domain wins over a name registered for another domain: a host
        # the registry does not know cannot be a registry outlet's (its lookup would have
        # found it), so Media Cloud's "CIS" at cis.org stays "CIS", not the cis-india.org
        # row's alias. Only records without a URL host take a registry outlet by name.
        con.execute(
            "UPDATE norm SET outlet = o.own, date_order = h.date_order FROM name_map o, host_map h "
            "WHERE norm.outlet_raw = o.outlet_raw AND o.registered AND norm.host = h.host "
            "AND NOT coalesce(norm.outlet_known, false)"
        )
        # Outlets not in the registry become their own outlet rows (origin 'inferred').
        con.execute(
            """
            INSERT OR IGNORE INTO outlets (domain, name, country, language, type, date_order, origin)
            SELECT domain, any_value(outlet), NULL, NULL, 'unknown', any_value(date_order), 'inferred'
            FROM norm
            WHERE domain IS NOT NULL AND outlet IS NOT NULL AND NOT coalesce(outlet_known, false)
              AND outlet NOT IN (SELECT name FROM outlets)
            GROUP BY domain
            """
        )

    # -- text
    def clean_texts(self) -> None:
        con = self.con
        con.execute(SQL["clean_fields"])
        titles = con.execute(SQL["needs_python_titles"]).fetchall()
        if titles:
            _table(
                con,
                "title_fix",
                {
                    "title_raw": [t[0] for t in titles],
                    "outlet": [t[1] for t in titles],
                    "title": [normalise.clean_title(t[0], [t[1]] if t[1] else ()) for t in titles],
                },
                {"title_raw": "VARCHAR", "outlet": "VARCHAR", "title": "VARCHAR"},
            )
            con.execute(
                "UPDATE norm SET title = f.title FROM title_fix f "
                "WHERE norm.title_py AND norm.title_raw = f.title_raw "
                "AND norm.outlet IS NOT DISTINCT FROM f.outlet"
            )
        if _residue(con, "text_fix", SQL["needs_python_texts"], normalise.clean_text):
            con.execute(
                "UPDATE norm SET summary = f.value FROM text_fix f "
                "WHERE norm.summary_py AND norm.summary_raw = f.raw"
            )
            con.execute(
                "UPDATE norm SET body = f.value FROM text_fix f "
                "WHERE norm.body_py AND norm.body_raw = f.raw"
            )
        authors = [r[0] for r in con.execute(SQL["distinct_authors"]).fetchall()]
        if authors:
            # Split each distinct byline once; dropping the record's own outlet from it
            # afterwards is the same as passing the outlet to split_authors.
            split = {raw: self._split_authors(raw) for raw in authors}
            pairs = con.execute(
                "SELECT DISTINCT authors_raw, outlet FROM norm "
                "WHERE authors_raw IS NOT NULL AND reader_reject IS NULL"
            ).fetchall()
            _table(
                con,
                "author_fix",
                {
                    "authors_raw": [p[0] for p in pairs],
                    "outlet": [p[1] for p in pairs],
                    "authors": [_drop_outlet(split[p[0]], p[1]) for p in pairs],
                },
                {"authors_raw": "VARCHAR", "outlet": "VARCHAR", "authors": "VARCHAR[]"},
            )
            con.execute(
                "UPDATE norm SET authors = f.authors FROM author_fix f "
                "WHERE norm.authors_raw = f.authors_raw AND norm.outlet IS NOT DISTINCT FROM f.outlet"
            )

    def _split_authors(self, raw: str) -> list[str]:
        if raw not in self._author_cache:
            self._author_cache[raw] = normalise.split_authors(raw)
        return self._author_cache[raw]

    # -- dates
    def _parse(self, raw, scraped_at, date_order) -> tuple:
        # Parse once per (value, date order); only relative dates depend on scraped_at.
        key = (raw, date_order)
        if key not in self._date_cache:
            parsed = normalise.parse_published(raw, date_order=date_order)
            self._date_cache[key] = (
                parsed.reason == "relative_without_reference",
                (parsed.value, parsed.source),
            )
        relative, result = self._date_cache[key]
        if relative and scraped_at is not None:
            parsed = normalise.parse_published(raw, scraped_at=scraped_at, date_order=date_order)
            return (parsed.value, parsed.source)
        return result

    def parse_dates(self) -> None:
        con = self.con

        def scraped_value(raw):
            return self._parse(raw, None, "DMY")[0]

        if _residue(
            con, "scraped_fix", SQL["distinct_residue_scraped"], scraped_value, "TIMESTAMPTZ"
        ):
            con.execute(
                "UPDATE norm SET scraped_at = f.value FROM scraped_fix f "
                "WHERE norm.scraped_at IS NULL AND norm.scraped_raw = f.raw"
            )
        # Both read scraped_at, so they run after scraped_at is settled.
        con.execute(SQL["relative_dates"])
        con.execute(SQL["human_dates"])
        residue = con.execute(SQL["distinct_residue_dates"]).fetchall()
        if residue:
            parsed = [self._parse(raw, scr, order) for raw, scr, order in residue]
            _table(
                con,
                "date_fix",
                {
                    "raw": [r[0] for r in residue],
                    "scraped_at": [r[1] for r in residue],
                    "date_order": [r[2] for r in residue],
                    "value": [p[0] for p in parsed],
                    "source": ["relative" if p[1] == "relative" else None for p in parsed],
                },
                {
                    "raw": "VARCHAR",
                    "scraped_at": "TIMESTAMPTZ",
                    "date_order": "VARCHAR",
                    "value": "TIMESTAMPTZ",
                    "source": "VARCHAR",
                },
            )
            con.execute(
                "UPDATE norm SET published_at = f.value, date_source = f.source FROM date_fix f "
                "WHERE norm.published_at IS NULL AND norm.published_raw = f.raw "
                "AND norm.scraped_at IS NOT DISTINCT FROM f.scraped_at "
                "AND coalesce(norm.date_order, 'DMY') = f.date_order"
            )
        con.execute(SQL["date_sources"])
        con.execute(SQL["dates_from_url"])
        con.execute(SQL["dates_missing"])
        self.local_dates()

    def local_dates(self) -> None:
        """published_utc_offset and published_local_date (policykit.normalise.pubdate)."""
        con = self.con
        con.execute(SQL["local_offsets"])
        if _residue(
            con,
            "offset_fix",
            SQL["distinct_residue_offsets"],
            pubdate.utc_offset_minutes,
            "SMALLINT",
        ):
            con.execute(
                "UPDATE norm SET published_utc_offset = f.value FROM offset_fix f "
                "WHERE norm.offset_py AND norm.published_raw = f.raw"
            )
        con.execute(SQL["local_dates"])

    def fix_urls(self) -> None:
        con = self.con
        distinct = "SELECT DISTINCT url FROM norm WHERE url_py AND url IS NOT NULL"
        if _residue(con, "url_fix", distinct, normalise.canonical_url):
            con.execute(
                "UPDATE norm SET canonical_url = f.value FROM url_fix f "
                "WHERE norm.url_py AND norm.url = f.raw"
            )
        con.execute(SQL["hosts"])

    # -- one batch
    def load_batch(self, batch: pa.Table) -> dict[int, Counter]:
        """Normalise, deduplicate and store one staging batch (with ``source_path``,
        ``run_id`` and ``layout`` columns); return the counts per run."""
        con = self.con
        batch = batch.append_column("ord", pa.array(np.arange(batch.num_rows, dtype=np.int64)))
        con.register("stg", batch)
        try:
            con.execute(SQL["normalise"])
        finally:
            con.unregister("stg")
        con.execute(SQL["canonical_urls"])
        self.fix_urls()
        self.apply_outlets()
        self.clean_texts()
        self.parse_dates()
        con.execute(SQL["candidates"], {"now": self.now})
        con.execute(SQL["insert_rejects"])
        con.execute(SQL["match"])
        con.execute(SQL["rank"])
        con.execute(SQL["insert_duplicates"])
        con.execute(SQL["merged"])
        con.execute(SQL["insert_articles"], {"now": self.now})
        if store.fetch_one(con, "SELECT count(*) FROM merged WHERE into_existing")[0]:
            # Only when the batch merged into stored articles: both statements scan them.
            con.execute(SQL["update_existing"])
            con.execute(SQL["refresh_merged_counts"])
        con.execute(SQL["add_article_keys"])
        counts: dict[int, Counter] = {}
        for run_id, read, rejects, duplicates, new in con.execute(SQL["counts"]).fetchall():
            counts[run_id] = Counter(read=read, rejects=rejects, duplicates=duplicates, new=new)
        # Stored records whose date value no rule could read: counted, not rejected.
        for run_id, unparsed in con.execute(
            "SELECT run_id, count(*) FROM cand WHERE reject_reason IS NULL"
            " AND date_source = 'unparsed' GROUP BY 1"
        ).fetchall():
            counts[run_id]["unparsed"] = unparsed
        return counts


def _drop_outlet(names: list[str], outlet: str | None) -> list[str] | None:
    """Authors without the publishing outlet (split_authors' own rule), or None."""
    if outlet:
        key = normalise.text._name_key(outlet)
        names = [n for n in names if normalise.text._name_key(n) != key]
    return names or None


def _forget_file(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Remove what an earlier version of a file contributed, before reloading it."""
    for table in ("articles", "duplicates", "rejects"):
        con.execute(f"DELETE FROM {table} WHERE source_path = ?", [path])  # noqa: S608


def _previous_runs(con, path: str) -> list[tuple[str, bool]]:
    return con.execute(
        "SELECT content_hash, finished_at IS NOT NULL FROM ingest_runs WHERE source_path = ? "
        "ORDER BY run_id",
        [path],
    ).fetchall()


@dataclass
class _Pending:
    """A file about to be loaded."""

    read: FileRead
    path: str
    digest: str
    size: int
    reload: bool
    run_id: int | None = None


def _tag(batch: pa.Table, item: _Pending) -> pa.Table:
    n = batch.num_rows
    batch = batch.select(list(STAGING_COLUMNS)).cast(STAGING_SCHEMA)
    return (
        batch.append_column("source_path", pa.array([item.path] * n, pa.string()))
        .append_column("run_id", pa.array([item.run_id] * n, pa.int64()))
        .append_column("layout", pa.array([item.read.layout] * n, pa.string()))
    )


def _load_group(pipe: _Pipeline, group: list[_Pending], batches) -> list[FileResult]:
    """Load whole files in ONE transaction: either all of them are in the database
    afterwards, or none (a killed ingest never leaves half a file).

    ``batches`` is a callable returning the tagged staging batches; it runs after run
    ids are assigned. Many small files (one page each) share a transaction and a batch,
    which keeps the per-statement overhead off the per-file cost.
    """
    con = pipe.con
    con.execute("BEGIN TRANSACTION")
    try:
        started = datetime.now(UTC)
        if any(item.reload for item in group):
            for item in group:
                if item.reload:
                    _forget_file(con, item.path)
            con.execute(SQL["article_keys"])
        for item in group:
            item.run_id = store.fetch_one(con, "SELECT nextval('ingest_run_seq')")[0]
            con.execute(
                "INSERT INTO ingest_runs (run_id, source_path, content_hash, size_bytes, format,"
                " layout, started_at, policykit_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    item.run_id,
                    item.path,
                    item.digest,
                    item.size,
                    item.read.format,
                    item.read.layout,
                    started,
                    __version__,
                ],
            )
        totals: dict[int, Counter] = {item.run_id: Counter() for item in group}
        for batch in batches():
            if batch.num_rows:
                for run_id, counts in pipe.load_batch(batch).items():
                    totals[run_id].update(counts)
        # What was learnt from these files commits with them (crash-consistent learning).
        _commit_evidence(con, [item.path for item in group])
        results = []
        finished = datetime.now(UTC)
        for item in group:
            t = totals[item.run_id]
            error = getattr(item.read, "error", None)
            result = FileResult(
                path=item.path,
                status="failed" if error else ("reloaded" if item.reload else "loaded"),
                format=item.read.format,
                layout=item.read.layout,
                records_read=t["read"],
                new_articles=t["new"],
                duplicates=t["duplicates"],
                rejects=t["rejects"],
                dates_unparsed=t["unparsed"],
                skipped=dict(item.read.skipped),
                run_id=item.run_id,
                layout_report=item.read.layout_report,
                error=error,
            )
            con.execute(
                "UPDATE ingest_runs SET finished_at = ?, records_read = ?, new_articles = ?,"
                " duplicates = ?, rejects = ?, error = ? WHERE run_id = ?",
                [
                    # A failed file stays unfinished, so the next ingest tries it again.
                    None if error else finished,
                    result.records_read,
                    result.new_articles,
                    result.duplicates,
                    result.rejects,
                    error,
                    item.run_id,
                ],
            )
            results.append(result)
        con.execute("COMMIT")
    except BaseException:
        # After a fatal error (disk full) DuckDB has no transaction left to roll back;
        # the original error is the one to report.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return results


def _rebatch(batches, rows: int):
    """Join a reader's (often small) batches into batches of about ``rows`` rows: each
    batch costs a fixed number of statements, some of which scan the articles table."""
    pending: list[pa.Table] = []
    count = 0
    for batch in batches:
        pending.append(batch.select(list(STAGING_COLUMNS)).cast(STAGING_SCHEMA))
        count += batch.num_rows
        if count >= rows:
            yield pa.concat_tables(pending)
            pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _load_all(pipe: _Pipeline, pending, batch_size: int, on_done) -> None:
    """Stream files into transactions: a file with several batches alone, small files
    together until ``batch_size`` rows or ``GROUP_FILES`` files."""
    group: list[_Pending] = []
    group_batches: list[pa.Table] = []
    rows = 0

    def flush():
        nonlocal group, group_batches, rows
        if group:
            # Tag inside the transaction: run ids are assigned there.
            parts = list(group_batches)
            on_done(
                _load_group(
                    pipe,
                    group,
                    lambda: (
                        [pa.concat_tables([_tag(b, item) for item, b in parts])] if parts else []
                    ),
                )
            )
        group, group_batches, rows = [], [], 0

    for item in pending:
        try:
            iterator = iter(item.read.batches)
            first = next(iterator, None)
            second = next(iterator, None) if first is not None else None
        except Exception as exc:  # noqa: BLE001 - any reader fault fails this file only
            item.read = _failed_file(Path(item.path), exc)
            iterator = iter(item.read.batches)
            first, second = next(iterator), None
        if second is None:
            group.append(item)
            if first is not None and first.num_rows:
                group_batches.append((item, first))
                rows += first.num_rows
            if rows >= batch_size or len(group) >= GROUP_FILES:
                flush()
            continue
        flush()

        def stream(item=item, first=first, second=second, rest=iterator):
            try:
                for batch in _rebatch(itertools.chain([first, second], rest), batch_size):
                    yield _tag(batch, item)
            except Exception as exc:  # noqa: BLE001 - raised by the reader, not the store
                raise _ReadFailed(exc) from exc

        try:
            on_done(_load_group(pipe, [item], stream))
        except _ReadFailed as failed:
            # The file's transaction was rolled back: none of its records are stored.
            item.read = _failed_file(Path(item.path), failed.error, part_loaded=True)
            on_done(
                _load_group(pipe, [item], lambda item=item: [_tag(next(item.read.batches), item)])
            )
    flush()


class _ReadFailed(Exception):
    """A reader failed part-way through a streamed file (inside its transaction)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _failed_file(path: Path, exc: Exception, part_loaded: bool = False) -> FileRead:
    """A file that failed while being read: one reject for the file, an unfinished run
    with the reason in ``ingest_runs.error``; the other files of the run go on."""
    if store.is_disk_full(exc) or isinstance(exc, MemoryError):
        raise exc  # not this file's fault: the whole run stops (see ingest)
    # A line break in the file's name would cut the message before its reason: the path
    # is escaped (as the CLI's table shows it) before the first line is taken.
    raw = str(exc)
    forms = {str(path), path.name}
    with contextlib.suppress(OSError, RuntimeError):
        forms.add(display_path(path))
    for form in sorted(forms, key=len, reverse=True):
        if form and form != escape_line_breaks(form):
            raw = raw.replace(form, escape_line_breaks(form))
    text = raw.strip().splitlines()[0] if raw.strip() else exc.__class__.__name__
    if isinstance(exc, OSError) and not isinstance(exc, PolicykitError):
        text = f"{escape_line_breaks(str(path))}: cannot be read ({exc.strerror or exc})"
    if part_loaded:
        text += " (the file's records read before this were rolled back: none are stored)"
    reason = "unknown_layout" if "unknown layout" in text else "unreadable_file"
    batch = batch_from_rows(
        [{"source_locator": "file", "reject_reason": reason, "reject_detail": text}]
    )
    read = FileRead(path=str(path), format="unknown", layout="none", batches=iter([batch]))
    read.error = text  # FileRead has no field for it; _load_group reads it back
    return read


def _failed_read(path: Path, exc: Exception) -> FileRead:
    """A file that cannot be read at all still leaves a trace: one reject for the file."""
    reason = "unrecognised_format" if exc.__class__.__name__ == "FormatError" else "unreadable_file"
    batch = batch_from_rows(
        [{"source_locator": "file", "reject_reason": reason, "reject_detail": str(exc)}]
    )
    return FileRead(path=str(path), format="unknown", layout="none", batches=iter([batch]))


def _reads(files: list[Path], opts: ReadOptions) -> Iterator[tuple[Path, FileRead]]:
    """Read files in order; runs of HTML pages go through the worker pool together."""
    from .sources import dispatch

    i = 0
    while i < len(files):
        path = files[i]
        try:
            fmt = opts.format or dispatch.detect_format(path)
        except OSError as exc:
            yield path, _failed_file(path, exc)
            i += 1
            continue
        except SourceError as exc:
            if not _named_html(path):
                yield path, _failed_read(path, exc)
                i += 1
                continue
            # An empty or binary file named .html: the page reader gives the specific
            # reason (empty_file, binary_content, truncated_gzip).
            fmt = "html"
        if fmt in PAGE_FORMATS and not opts.format:
            run = [path]
            j = i + 1
            while j < len(files):
                try:
                    if dispatch.detect_format(files[j]) not in PAGE_FORMATS:
                        break
                except OSError:
                    break
                except SourceError:
                    if not _named_html(files[j]):
                        break
                run.append(files[j])
                j += 1
            from .sources import pages

            yield from zip(run, pages.extract_pages(run, opts), strict=True)
            i = j
            continue
        try:
            yield path, dispatch.read_file(path, opts)
        except LayoutError as exc:  # unknown layout: this file fails, the others go on
            yield path, _failed_file(path, exc)
        except SourceError as exc:
            yield path, _failed_read(path, exc)
        except (ConfigError, OSError, ValueError, RecursionError) as exc:
            # Unknown layout, a bad spec beside the file, an I/O error: this file fails,
            # the others go on (bad --map targets are refused before any file is read).
            yield path, _failed_file(path, exc)
        i += 1


def _named_html(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".html", ".htm"))


#: A line recurring in at least this many dumps of an outlet can be boilerplate
#: (textdump.boilerplate_lines' default; boilerplate_lines keeps only such lines).
BOILERPLATE_MIN_DOCS = 3
#: Dumps larger than this teach nothing (the reader rejects or caps them on its own).
_LEARN_MAX_BYTES = 16 << 20
_DOCS_HASH = hashlib.sha256(b"").hexdigest()[:16]


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _learn_boilerplate(con, files: list[tuple[Path, str]], opts: ReadOptions, meter=None) -> None:
    """Cross-document evidence for plain-text dumps: lines that recur across many dumps of
    one outlet, over the dumps of this ingest plus the evidence stored with earlier files.

    ``files`` are ``(path, source_path)`` pairs. Each dump's distinct normalised lines go
    to the temp table ``bp_run``; :func:`_commit_evidence` moves a file's rows into
    ``boilerplate_evidence`` in the transaction that loads the file. Nothing is written
    here, so a kill at any point leaves counts that match the files in the database, and
    the re-run learns exactly what a clean run learns.
    """
    from .sources import textdump

    con.execute(
        "CREATE OR REPLACE TEMP TABLE bp_run (source_path VARCHAR, outlet VARCHAR, "
        "line_hash VARCHAR, line VARCHAR)"
    )
    dumps = [(f, shown) for f, shown in files if f.suffix.lower() == ".txt"]
    rows: dict[str, list] = {"source_path": [], "outlet": [], "line_hash": [], "line": []}
    step = (meter or _resolve_progress(False)).stage("boilerplate", len(dumps), "text dumps")

    def flush():
        if rows["line"]:
            _table(con, "bp_part", rows, dict.fromkeys(rows, "VARCHAR"))
            con.execute("INSERT INTO bp_run SELECT * FROM bp_part")
            for column in rows.values():
                column.clear()

    for path, shown in dumps:
        step.advance()
        try:
            if path.stat().st_size > _LEARN_MAX_BYTES:
                continue
            text = textdump._decode(path.read_bytes())
            sidecar = textdump.read_sidecar(path)
        except (OSError, PolicykitError, ValueError, RecursionError):
            continue  # the reader turns the file into a reject with the reason
        key = textdump.dump_outlet_key(text, sidecar)
        if key is None:
            continue
        lines = {textdump.normalise_line(line) for line in text.splitlines()}
        lines.discard(textdump.DOCS_KEY)
        for line in [textdump.DOCS_KEY, *sorted(lines)]:
            rows["source_path"].append(shown)
            rows["outlet"].append(key)
            rows["line_hash"].append(_line_hash(line))
            rows["line"].append(line)
        if len(rows["line"]) >= 200_000:
            flush()
    flush()
    step.finish()
    # Evidence stored for a file of this run (a reload, a resumed run) is replaced by it.
    _table(
        con, "bp_files", {"source_path": [shown for _, shown in files]}, {"source_path": "VARCHAR"}
    )
    learnt: dict[str, dict[str, int]] = {}
    for outlet, line, documents in con.execute(
        """
        WITH counts AS (
            SELECT outlet, line_hash, sum(documents) AS documents FROM (
                SELECT outlet, line_hash, documents FROM boilerplate_evidence
                ANTI JOIN bp_files USING (source_path)
                UNION ALL
                SELECT outlet, line_hash, 1 FROM bp_run
            ) GROUP BY ALL
            HAVING sum(documents) >= $min_docs OR line_hash = $docs_hash
        ),
        texts AS (
            SELECT outlet, line_hash, min(line) AS line FROM (
                SELECT outlet, line_hash, line FROM bp_run
                UNION ALL
                SELECT outlet, line_hash, line FROM boilerplate_lines
            ) GROUP BY ALL
        )
        SELECT c.outlet, t.line, c.documents FROM counts c JOIN texts t USING (outlet, line_hash)
        ORDER BY 1, 2
        """,
        {"min_docs": BOILERPLATE_MIN_DOCS, "docs_hash": _DOCS_HASH},
    ).fetchall():
        learnt.setdefault(outlet, {})[line] = int(documents)
    opts.boilerplate = textdump.boilerplate_lines(learnt, min_docs=BOILERPLATE_MIN_DOCS)


def _commit_evidence(con, paths: list[str]) -> None:
    """Inside a file group's transaction: replace these files' boilerplate evidence with
    what this run read from them, and re-derive ``boilerplate_lines`` for the outlet lines
    they touch (the sum over the evidence, kept when >= BOILERPLATE_MIN_DOCS)."""
    _table(con, "bp_group", {"source_path": paths}, {"source_path": "VARCHAR"})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE bp_touched AS SELECT DISTINCT outlet, line_hash FROM ("
        " SELECT outlet, line_hash FROM boilerplate_evidence SEMI JOIN bp_group USING (source_path)"
        " UNION ALL SELECT outlet, line_hash FROM bp_run SEMI JOIN bp_group USING (source_path))"
    )
    if not store.fetch_one(con, "SELECT count(*) FROM bp_touched")[0]:
        return
    con.execute(
        "DELETE FROM boilerplate_evidence WHERE source_path IN (SELECT source_path FROM bp_group)"
    )
    con.execute(
        "INSERT INTO boilerplate_evidence SELECT source_path, outlet, line_hash, 1 FROM bp_run "
        "SEMI JOIN bp_group USING (source_path) ORDER BY source_path, outlet, line_hash"
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE bp_derived AS
        WITH counts AS (
            SELECT e.outlet, e.line_hash, sum(e.documents) AS documents
            FROM boilerplate_evidence e SEMI JOIN bp_touched t USING (outlet, line_hash)
            GROUP BY ALL
            HAVING sum(e.documents) >= $min_docs OR e.line_hash = $docs_hash
        ),
        texts AS (
            SELECT outlet, line_hash, min(line) AS line FROM (
                SELECT r.outlet, r.line_hash, r.line FROM bp_run r SEMI JOIN bp_touched t USING (outlet, line_hash)
                UNION ALL
                SELECT b.outlet, b.line_hash, b.line FROM boilerplate_lines b SEMI JOIN bp_touched t USING (outlet, line_hash)
            ) GROUP BY ALL
        )
        SELECT c.outlet, c.line_hash, t.line, c.documents FROM counts c JOIN texts t USING (outlet, line_hash)
        """,
        {"min_docs": BOILERPLATE_MIN_DOCS, "docs_hash": _DOCS_HASH},
    )
    con.execute(
        "DELETE FROM boilerplate_lines b USING bp_touched t "
        "WHERE b.outlet = t.outlet AND b.line_hash = t.line_hash"
    )
    con.execute(
        "INSERT INTO boilerplate_lines SELECT outlet, line_hash, line, documents FROM bp_derived "
        "ORDER BY outlet, line_hash"
    )


def ingest(
    paths: str | Path | Iterable[str | Path] | None = None,
    db: str | Path | None = None,
    *,
    columns: list[str] | None = None,
    mapping: dict[str, str] | None = None,
    format: str | None = None,
    outlets: str | Path | None = None,
    enrich: bool = True,
    workers: int | None = None,
    progress=False,
    batch_size: int = 200_000,
    follow_symlinks: bool = False,
    topics: str | Path | None = None,
) -> IngestReport:
    """Load raw files into the database and account for every record.

    Parameters
    ----------
    paths
        Files or folders (searched recursively); default ``data/raw``.
    db
        The DuckDB file; default ``$POLICYKIT_DB`` or ``data/processed/policykit.duckdb``.
    columns
        Column names for header-less CSV/TSV files.
    mapping
        Field mapping for unknown layouts, e.g. ``{"published": "TIMESTAMP"}``.
    format
        Force a format (jsonl, json, csv, tsv, parquet, html, txt, warc, feed).
    outlets
        A user outlet registry CSV that extends and overrides the shipped one.
    enrich
        Run enrichment (topics, entities, citations, language, clusters) afterwards.
    progress
        What to show while it runs (see :mod:`policykit.progress`): ``False`` (default)
        nothing; ``True`` a bar on a terminal, else one line of counts (files, records,
        articles per stage) every 5 s; ``"bar"``, ``"lines"``, or a callable that
        receives each :class:`~policykit.progress.Event`. On stderr.
    follow_symlinks
        Read symbolic links whose target is outside the input folder. By default they,
        dangling links, FIFOs and devices are not opened: each is one reject with a reason.
    topics
        A topics.yml that replaces the stored topic definitions and tags every article
        with them, as ``policykit topics refresh --topics FILE`` does; the change (topics
        added, removed, changed, articles tagged before and after) is in
        ``report.enrichment``. Later plain ingests keep them. Default: the stored ones.

    Returns
    -------
    IngestReport
        Per file: status, records read, new articles, duplicates, rejects; rejects by reason.

    Unchanged files (same path, same bytes) are skipped; a changed file replaces what its
    earlier version contributed. Readers (``pk.connect(read_only=True)``, reports) do not
    block it. Raises :class:`~policykit.errors.DatabaseLockedError` naming the holder when
    another writer has the database, and :class:`~policykit.errors.DatabaseError` with one
    line saying what was kept when the disk is full.
    """
    from .sources import dispatch

    config = _settings.load(db=db, outlets=outlets, workers=workers)
    meter = _resolve_progress(progress)
    if paths is None:
        paths = [config.raw_dir]
    elif isinstance(paths, str | Path):
        paths = [paths]
    with meter.stage("scan", unit="files found") as step:
        scan = dispatch.scan_inputs(
            paths, follow_symlinks=follow_symlinks, on_folder=lambda n: step.set(done=n)
        )
        step.set(done=len(scan.files) + len(scan.refused))
    files = scan.files
    # Entries refused before any read (links leaving the input, FIFOs, devices...): each
    # is accounted for as one reject, and its content is never opened.
    refused = {r.path: r for r in scan.refused}
    opts = ReadOptions(
        columns=columns,
        mapping=mapping,
        format=format,
        workers=config.workers,
        batch_size=batch_size,
    )
    _check_options(mapping, format)
    topic_set = _given_topics(topics, enrich)
    registry = normalise.OutletRegistry.load(config.outlets)
    # The run writes a new version beside the database and swaps it in at the end, so a
    # notebook or report reading the database neither blocks it nor sees half of it.
    session = store.writer(config.db)
    try:
        con = session.__enter__()
    except OSError as exc:
        if store.is_disk_full(exc):
            raise _disk_full(config.db) from None
        raise
    report = IngestReport(db=str(config.db))
    try:
        pipe = _Pipeline(con, registry, datetime.now(UTC))
        con.execute("BEGIN TRANSACTION")
        pipe.sync_outlets()
        con.execute("COMMIT")

        todo: list[Path] = []
        plans: dict[Path, tuple[str, str, int, bool]] = {}
        hashing = meter.stage("hash", total=len(refused) + len(files))
        for path in [*refused, *files]:
            hashing.advance()
            refusal = refused.get(path)
            shown = refusal.shown if refusal else display_path(path)
            try:
                digest = refusal.digest if refusal else file_hash(path)
            except OSError:
                digest = ""  # the reader fails on it too, and records the reason
            previous = _previous_runs(con, shown)
            if any(h == digest and done for h, done in previous):
                report.files.append(FileResult(path=shown, status="unchanged"))
                continue
            plans[path] = (shown, digest, 0 if refusal else _size(path), bool(previous))
            todo.append(path)
        hashing.finish(unchanged=len(report.files))

        if todo:
            _learn_boilerplate(
                con, [(p, plans[p][0]) for p in todo if p not in refused], opts, meter
            )
        step = meter.stage("read", total=len(todo))
        committed = Counter()

        def pending():
            reads = _reads([p for p in todo if p not in refused], opts)
            refusals = ((p, refused[p].file_read()) for p in todo if p in refused)
            for path, read in itertools.chain(refusals, reads):
                shown, digest, size, reload = plans[path]
                step.advance()
                if step.enabled:
                    read.batches = _counted(read.batches, step)
                yield _Pending(read=read, path=shown, digest=digest, size=size, reload=reload)

        def done(results: list[FileResult]) -> None:
            report.files.extend(results)
            for r in results:
                committed.update(
                    records=r.records_read,
                    new=r.new_articles,
                    duplicates=r.duplicates,
                    rejects=r.rejects,
                )
            # records: read so far; new, duplicates, rejects: committed so far
            step.set(**{k: committed[k] for k in ("new", "duplicates", "rejects")})

        with step:
            _load_all(pipe, pending(), batch_size, done)
            step.set(records=committed["records"])
        runs = [f.run_id for f in report.files if f.run_id is not None]
        if runs:
            for reason, count in con.execute(
                "SELECT reason, count(*) FROM rejects WHERE list_contains(?, run_id) GROUP BY 1",
                [runs],
            ).fetchall():
                report.rejects_by_reason[reason] = count
        report.dates_unparsed = sum(f.dates_unparsed for f in report.files)
        report.files.sort(key=lambda f: f.path)
        if enrich:
            report.enrichment = _enrich(con, meter, topic_set, config.workers)
    except BaseException as exc:
        try:
            # discards this run's copy; returns False (not suppressed) or raises
            session.__exit__(type(exc), exc, exc.__traceback__)
        except BaseException as raised:
            if store.is_disk_full(raised):
                raise _disk_full(config.db) from None
            raise
        if store.is_disk_full(exc):
            raise _disk_full(config.db) from None
        raise
    try:
        session.__exit__(None, None, None)  # checkpoint and swap
    except Exception as exc:
        if store.is_disk_full(exc):
            raise _disk_full(config.db) from None
        raise
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _check_options(mapping: dict[str, str] | None, format: str | None) -> None:
    """Refuse a bad --map target or --format before any file is read: those would fail
    every file, and are the caller's mistake, not the file's."""
    from .sources import dispatch, layouts

    for target in mapping or {}:
        layouts.canonical_field(str(target))
    if format is not None:
        dispatch.reader_for(format.lower())


def _disk_full(db: Path) -> DatabaseError:
    """One line for a full disk: what was kept, and the way out."""
    db = Path(db)
    try:
        free = f"{shutil.disk_usage(db.parent).free / 1e6:,.0f} MB free"
    except OSError:
        free = "free space unknown"
    kept = "no database was created"
    if db.exists():
        kept = "the database is as it was before it and stays readable"
        with contextlib.suppress(PolicykitError, duckdb.Error):
            con = store.connect(db, read_only=True)
            try:
                n = store.fetch_one(con, "SELECT count(*) FROM articles")[0]
            finally:
                con.close()
            kept += f" ({n:,} articles)"
    return DatabaseError(
        f"disk full while writing the new version of {db} ({free} in {db.parent}): nothing "
        f"of this run was kept, {kept}. Free some space (a run needs the database's size "
        "again, plus the new data) and run it again"
    )


def _given_topics(topics, enrich: bool):
    """The definitions ``topics=`` names, read before any file is (a bad topics file is
    refused with nothing loaded), through the code path of ``topics refresh --topics``."""
    if topics is None:
        return None
    if not enrich:
        raise ConfigError(
            "--topics changes the stored topic definitions during enrichment, which "
            "--no-enrich skips: leave out one of them"
        )
    from .enrich.topics import read_topic_set, refresh_source

    return read_topic_set(refresh_source(topics))


def _enrich(con, progress, topics=None, workers: int | None = None):
    import importlib

    # By module path: `policykit.enrich` is also the name of the exported function.
    module = importlib.import_module("policykit.enrich")
    # The ingest's own --workers also sizes the enrichment pool (not only the settings).
    return module.enrich(con, progress=progress, topics=topics, workers=workers)


def _counted(batches, step):
    """The reader's batches, counting their rows into the progress step as they are read."""
    for batch in batches:
        step.advance(0, records=batch.num_rows)
        yield batch


def check_accounting(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per ingest run: records read vs rows in articles + duplicates + rejects.

    Returns the runs whose identity does not hold (an empty frame means all is accounted for).
    Articles later merged or removed by a reload are not counted against older runs.
    """
    return con.execute(
        """
        SELECT r.run_id, r.source_path, r.records_read, r.new_articles, r.duplicates, r.rejects
        FROM ingest_runs r
        WHERE r.finished_at IS NOT NULL
          AND r.records_read <> r.new_articles + r.duplicates + r.rejects
        """
    ).df()


__all__ = ["ingest", "IngestReport", "FileResult", "check_accounting", "PolicykitError"]


# `pk.ingest(...)` must keep working once this module is imported (see policykit/__init__.py).
_callable_module(__name__)
