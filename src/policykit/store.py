"""The DuckDB store: connecting, the versioned schema and its migrations.

Every connection is explicit (never DuckDB's module-level default connection) and its
session timezone is UTC, so TIMESTAMPTZ values print and bucket the same everywhere.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import duckdb

from . import settings as _settings
from .errors import DatabaseError, DatabaseLockedError

# One file per schema version in sql/migrations/, applied in order inside a transaction.
_MIGRATION_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """Return ``(version, name, sql)`` for every shipped migration, in order."""
    folder = resources.files("policykit") / "sql" / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(v for v, _, _ in migrations())


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def resolve_db_path(path: str | Path | None = None) -> Path:
    """The database path: the argument, else ``POLICYKIT_DB``/config, else the default."""
    return Path(path) if path is not None else _settings.load().db


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the policykit database and bring its schema up to date.

    ``path`` defaults to ``POLICYKIT_DB`` or ``data/processed/policykit.duckdb``. Notebooks
    and reports should pass ``read_only=True`` so that an ingest can still run beside
    them. A read-only connection never migrates; it refuses a database from a newer
    policykit, and one that needs upgrading.
    """
    db_path = resolve_db_path(path)
    if read_only and not db_path.exists():
        raise DatabaseError(
            f"database {db_path} does not exist; run `policykit ingest` first (or pass --db)"
        )
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise DatabaseLockedError(
                f"database {db_path} is open in another process (a notebook or another "
                "policykit command?); close it there, or open it with read_only=True, "
                "and try again"
            ) from None
        raise DatabaseError(f"cannot open database {db_path}: {exc}") from None
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot open database {db_path}: {exc}") from None
    con.execute("SET TimeZone = 'UTC'")
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        con.close()
        raise DatabaseError(
            f"database {db_path} has schema version {version}, newer than this policykit "
            f"understands ({SCHEMA_VERSION}); upgrade policykit"
        )
    if version == SCHEMA_VERSION and not read_only:
        _refresh_views(con)
    if version < SCHEMA_VERSION:
        if read_only:
            con.close()
            raise DatabaseError(
                f"database {db_path} has schema version {version} and needs upgrading to "
                f"{SCHEMA_VERSION}; open it once without read_only (e.g. `policykit info`)"
            )
        migrate(con)
    return con


def fetch_one(con: duckdb.DuckDBPyConnection, query: str, params=None) -> tuple | None:
    """The first row of a query, with the result fully consumed.

    DuckDB 2 keeps a partly fetched result open and refuses other work on the connection
    until it is finished, so ``execute(...).fetchone()`` is a trap; fetch everything.
    """
    rows = con.execute(query, params).fetchall() if params else con.execute(query).fetchall()
    return rows[0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the database (0 for an empty database)."""
    exists = fetch_one(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )[0]
    if not exists:
        return 0
    return int(fetch_one(con, "SELECT max(version) FROM schema_version")[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations in order; return the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ DEFAULT now())"
    )
    current = schema_version(con)
    applied = []
    for version, name, sql in migrations():
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise DatabaseError(f"migration {name} failed: {exc}") from None
        applied.append(version)
    install_views(con)
    return applied


def _views_sql() -> list[tuple[str, str]]:
    folder = resources.files("policykit") / "sql" / "views"
    if not folder.is_dir():
        return []
    return [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    ]


def _views_hash() -> str:
    digest = hashlib.sha256()
    for name, text in _views_sql():
        digest.update(name.encode() + b"\0" + text.encode())
    return digest.hexdigest()[:16]


def _refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """Reinstall the views when the shipped SQL differs from what the database has, so an
    upgraded policykit never answers with stale views."""
    row = fetch_one(con, "SELECT value FROM meta WHERE key = 'views_hash'")
    if row is None or row[0] != _views_hash():
        install_views(con)


def install_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the SQL views shipped in ``sql/views/*.sql``, in file-name order.

    Views are derived objects, so they are replaced on every migration rather than
    versioned: the SQL a notebook and the CLI run is always the shipped one.
    """
    for _name, text in _views_sql():
        con.execute(text)
    con.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('views_hash', ?)", [_views_hash()]
    )


def content_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of the database's content (articles, enrichment, rejects), independent of
    file layout, so a report can state exactly which data produced it."""
    digest = hashlib.sha256()
    for table, key in [
        ("articles", "article_id"),
        ("duplicates", "source_path, source_locator"),
        ("rejects", "source_path, source_locator"),
        ("article_topics", "article_id, topic"),
        ("article_entities", "article_id, entity_id"),
        ("article_citations", "article_id, cited, pattern"),
        ("story_clusters", "article_id"),
    ]:
        # Hash of each row's JSON text, aggregated in a fixed order: stable across runs.
        row = fetch_one(
            con,
            f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0)::VARCHAR "  # noqa: S608 - fixed names
            f"FROM (SELECT * FROM {table} ORDER BY {key}) t",
        )
        digest.update(f"{table}:{row[0]}:{row[1]};".encode())
    return digest.hexdigest()[:16]


BACKENDS = ("pandas", "polars")


def to_backend(relation: duckdb.DuckDBPyRelation, backend: str = "pandas"):
    """Materialise a relation as a pandas (default) or polars frame."""
    from .errors import ConfigError, one_of

    if backend == "pandas":
        return relation.df()
    if backend == "polars":
        return relation.pl()
    raise ConfigError(one_of("backend", backend, BACKENDS))


def sql(query: str, db: str | Path | None = None, *, params=None, backend: str = "pandas"):
    """Run one SQL statement against the database (read-only) and return a frame.

    Mirrors ``policykit sql "QUERY"``. Use bound ``params`` (``?`` or ``$name``) for values.
    """
    from .errors import QueryError

    con = connect(db, read_only=True)
    try:
        try:
            relation = con.sql(query, params=params)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise QueryError(f"SQL error: {first}") from None
        if relation is None:
            raise QueryError("the statement returned no rows (policykit sql is read-only)")
        return to_backend(relation, backend)
    finally:
        con.close()


def info(db: str | Path | None = None) -> dict:
    """What is in the database: counts, date range, outlets, rejects by reason.

    Returns a dict with ``summary`` (one-row frame), ``outlets`` (articles per outlet) and
    ``rejects`` (count per reason) frames. Mirrors ``policykit info``.
    """
    con = connect(db, read_only=True)
    try:
        summary = con.sql(
            """
            SELECT
                (SELECT count(*) FROM articles) AS articles,
                (SELECT count(DISTINCT outlet) FROM articles) AS outlets,
                (SELECT min(published_at) FROM articles) AS first_published,
                (SELECT max(published_at) FROM articles) AS last_published,
                (SELECT count(*) FROM articles WHERE body IS NOT NULL) AS with_body,
                (SELECT count(*) FROM duplicates) AS duplicates,
                (SELECT count(*) FROM rejects) AS rejects,
                (SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL) AS files_loaded,
                (SELECT max(version) FROM schema_version) AS schema_version
            """
        ).df()
        outlets = con.sql(
            "SELECT outlet, count(*) AS articles FROM articles GROUP BY 1 ORDER BY 2 DESC, 1"
        ).df()
        rejects = con.sql(
            "SELECT reason, count(*) AS records FROM rejects GROUP BY 1 ORDER BY 2 DESC, 1"
        ).df()
        dates = con.sql(
            "SELECT coalesce(date_source, 'missing') AS date_source, count(*) AS articles "
            "FROM articles GROUP BY 1 ORDER BY 2 DESC"
        ).df()
        return {
            "summary": summary,
            "outlets": outlets,
            "rejects": rejects,
            "date_sources": dates,
            "content_hash": content_hash(con),
        }
    finally:
        con.close()
