"""The SQL side of the ingest: the statements of ``sql/ingest.sql`` and :class:`_Pipeline`,
which normalises, deduplicates and stores one staging batch in DuckDB (Python only for the
residue the SQL rules cannot settle, once per distinct value).

Part of the ingest stage; re-exported by :mod:`policykit.ingest`. Imports ``normalise``
and ``store``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from importlib import resources

import duckdb
import numpy as np
import pyarrow as pa

from . import normalise, store
from .normalise import pubdate

#: DuckDB's memory limit during ingest. W1's target is a peak RSS of 1.5 GB for the whole
#: process: DuckDB fills its limit (temp tables spill to <db>.tmp beyond it), and Arrow
#: holds the batch being loaded and the one read ahead (about 190 MB each at 200k rows).
#: Not lower: a file is one transaction, and DuckDB's memory that cannot spill grows with
#: it (about 12 MB per 200k records, 233 MB after 4M); at 600MB a 5M-record file failed
#: with "Out of Memory" after 1M gave 1,413 MB. At 1GB: 1M peaks at 1,771 MB, 5M at
#: about 1.85 GB (docs/benchmarks.md, W1 at 100k/1M/5M). Committing a long file in parts
#: inside the copy-and-swap writer is what would bound it.
MEMORY_LIMIT = "1GB"

#: A residue cache (bylines, dates, hosts, outlet names) is emptied past this many entries:
#: a 5M-record file has hundreds of thousands of distinct bylines, and an entry dropped
#: only costs its recomputation.
CACHE_ENTRIES = 100_000


def _load_sql() -> dict[str, str]:
    text = (resources.files("policykit") / "sql" / "ingest.sql").read_text(encoding="utf-8")
    blocks: dict[str, str] = {}
    for chunk in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = chunk.partition("\n")
        blocks[name.strip()] = body.strip()
    return blocks


SQL = _load_sql()


def _table(con, name: str, columns: dict[str, list], types: dict[str, str]) -> None:
    """Create (replace) a temp table from Python columns with explicit DuckDB types."""
    arrow = pa.table({k: pa.array(v, type=_ARROW_TYPES[types[k]]) for k, v in columns.items()})
    store.register_once(con, "_py_tmp", arrow)
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
        self.author_rows()

    def author_rows(self) -> None:
        """``author_rows``: each record's ``authors`` by ``ord``, read once per distinct
        byline; the record's own outlet is dropped from them (as passing the outlet to
        split_authors does) in Python only for the bylines that hold the outlet's name.
        A narrow table joined at insert time, not an UPDATE of ``norm`` (which cost more
        than the splitting itself)."""
        con = self.con
        authors = [r[0] for r in con.execute(SQL["distinct_authors"]).fetchall()]
        split = [self._split_authors(raw) for raw in authors]
        _table(
            con,
            "author_split",
            {
                "authors_raw": authors,
                "authors": [names or None for names in split],
                "keys": [[normalise.text._name_key(n) for n in names] for names in split],
            },
            {"authors_raw": "VARCHAR", "authors": "VARCHAR[]", "keys": "VARCHAR[]"},
        )
        outlets = [r[0] for r in con.execute(SQL["distinct_author_outlets"]).fetchall()]
        _table(
            con,
            "outlet_key",
            {"outlet": outlets, "key": [normalise.text._name_key(o) for o in outlets]},
            {"outlet": "VARCHAR", "key": "VARCHAR"},
        )
        con.execute(SQL["author_rows"])
        pairs = con.execute(SQL["author_pairs_with_outlet"]).fetchall()
        if pairs:
            by_raw = dict(zip(authors, split, strict=True))
            _table(
                con,
                "author_fix",
                {
                    "authors_raw": [p[0] for p in pairs],
                    "outlet": [p[1] for p in pairs],
                    "authors": [_drop_outlet(by_raw[p[0]], p[1]) for p in pairs],
                },
                {"authors_raw": "VARCHAR", "outlet": "VARCHAR", "authors": "VARCHAR[]"},
            )
            con.execute(SQL["author_rows_fix"])

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

    def insert_rejects(self, payload: pa.ChunkedArray) -> None:
        """The batch's rejects, each with its raw payload (taken from the staging column
        by ``ord``, so ``norm`` never carries the payloads of the records that load)."""
        con = self.con
        ords = [r[0] for r in con.execute(SQL["reject_ords"]).fetchall()]
        if not ords:
            return
        store.register_once(
            con,
            "reject_payloads",
            pa.table({"ord": pa.array(ords, pa.int64()), "payload": payload.take(ords)}),
        )
        try:
            con.execute(SQL["insert_rejects"])
        finally:
            con.unregister("reject_payloads")

    # -- one batch
    def load_batch(self, batch: pa.Table) -> dict[int, Counter]:
        """Normalise, deduplicate and store one staging batch (with ``source_path``,
        ``run_id`` and ``layout`` columns); return the counts per run."""
        con = self.con
        for cache in (self._host_cache, self._name_cache, self._date_cache, self._author_cache):
            if len(cache) > CACHE_ENTRIES:
                cache.clear()
        batch = batch.append_column("ord", pa.array(np.arange(batch.num_rows, dtype=np.int64)))
        # Scanned once (store.register_once: the transaction would keep it otherwise);
        # only the rejects' raw payloads are read from it again, below.
        payload = batch.column("payload")
        store.register_once(con, "stg", batch)
        del batch
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
        self.insert_rejects(payload)
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
