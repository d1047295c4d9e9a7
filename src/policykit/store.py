"""The DuckDB store: connecting, the versioned schema and its migrations.

Every connection is explicit (never DuckDB's module-level default connection) and its
session timezone is UTC, so TIMESTAMPTZ values print and bucket the same everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
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


def _holder_pid(exc: Exception) -> str | None:
    match = re.search(r"\(PID (\d+)\)", str(exc))
    return match.group(1) if match else None


def _lock_message(db_path: Path, exc: Exception, read_only: bool) -> str:
    """Who holds the database, and the way out: DuckDB says when the holder only reads
    ("you would be able to open this database in read-only mode")."""
    pid = _holder_pid(exc)
    who = f"process {pid}" if pid else "another process"
    holder_reads = "read-only mode" in str(exc)
    if holder_reads:
        # The holder already did the right thing; only an in-place writer conflicts.
        return (
            f"database {db_path} is open read-only in {who} (a notebook or report); a "
            "read-write connection writes in place and cannot open beside it: close it "
            "there and try again, or write through policykit.store.writer(), which can "
            "(as `policykit ingest`, `enrich` and `topics refresh` do)"
        )
    advice = "" if read_only else " (a notebook should use pk.connect(read_only=True))"
    return (
        f"database {db_path} is open in another process for writing ({who}); wait for it "
        f"to finish or close that connection{advice}, and try again"
    )


def resolve_db_path(path: str | Path | None = None) -> Path:
    """The database path: the argument, else ``POLICYKIT_DB``/config, else the default."""
    return Path(path) if path is not None else _settings.load().db


def connect(path: str | Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the policykit database and bring its schema up to date.

    ``path`` defaults to ``POLICYKIT_DB`` or ``data/processed/policykit.duckdb``. Notebooks
    and reports should pass ``read_only=True`` so that an ingest can still run beside
    them: the ingest writes a new version beside the database (:func:`writer`) and swaps
    it in, and a read-only connection keeps the version it opened until it is closed
    (open a new one to see the new data). A read-only connection never migrates; it
    refuses a database from a newer policykit, and one that needs upgrading.

    A read-write connection writes in place: it is refused while a reader or a
    policykit writer holds the database.
    """
    db_path = resolve_db_path(path)
    if read_only and not db_path.exists():
        raise DatabaseError(
            f"database {db_path} does not exist; run `policykit ingest` first (or pass --db)"
        )
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        busy = writer_busy(db_path)
        if busy is not None:
            # Writing in place now would be overwritten when that writer swaps its copy in.
            raise DatabaseLockedError(
                f"database {db_path} is being written by a policykit ingest ({busy}); "
                "wait for it to finish and try again (read-only connections work meanwhile)"
            )
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise DatabaseLockedError(_lock_message(db_path, exc, read_only)) from None
        raise DatabaseError(f"cannot open database {db_path}: {_first_line(exc)}") from None
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
                f"{SCHEMA_VERSION}; run `{_upgrade_command(db_path)}` once (it upgrades a "
                "copy and swaps it in, so readers may stay open), then open it again"
            )
        migrate(con)
    return con


def _upgrade_command(db_path: Path) -> str:
    """A command that upgrades the database: ``enrich`` writes through :func:`writer`,
    which migrates, and with the stored topic definitions changes nothing else that is
    not already due (``info`` only reads, so it cannot upgrade)."""
    import shlex

    from .errors import escape_line_breaks

    return f"policykit enrich --db {escape_line_breaks(shlex.quote(str(db_path)))}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


# --------------------------------------------------------------------------- the writer
#
# Readers and the writer coexist: a writer never changes the database file in place. It
# takes <db>.lock (one writer at a time), copies the database to <db>.next, writes and
# enriches there, checkpoints, and os.replace()s it over <db>. A reader that has the
# database open keeps reading the old file (its inode stays alive until it closes); a
# reader that opens afterwards sees the new version; nobody ever sees half an ingest.
# docs/architecture.md ("Readers and the writer") has the measured cost of the copy.

NEXT_SUFFIX = ".next"
LOCK_SUFFIX = ".lock"


def _sidecar(db_path: Path, suffix: str) -> Path:
    return db_path.with_name(db_path.name + suffix)


def _identity(path: Path) -> str:
    """The file's identity (inode, size, mtime): changes whenever the file is replaced or
    written. A missing file is 'absent'."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "absent"
    wal = _sidecar(path, ".wal")
    wal_size = wal.stat().st_size if wal.exists() else -1
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{wal_size}"


def _lock_holder(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "unknown"


def writer_busy(db_path: str | Path | None) -> str | None:
    """The pid line of the policykit writer holding ``<db>.lock``, or None when free."""
    lock_path = _sidecar(resolve_db_path(db_path), LOCK_SUFFIX)
    if not lock_path.exists():
        return None
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _lock_holder(lock_path)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def _foreign_writer(db_path: Path) -> None:
    """Refuse when a process outside policykit's writer lock has the database open for
    writing (a notebook's ``pk.connect()``): copying it would lose its work, and the swap
    would hide it."""
    if not db_path.exists():
        return
    try:
        probe = duckdb.connect(str(db_path), read_only=True)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise DatabaseLockedError(_lock_message(db_path, exc, read_only=False)) from None
        raise DatabaseError(f"cannot open database {db_path}: {_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot open database {db_path}: {_first_line(exc)}") from None
    probe.close()


def _discard(path: Path) -> None:
    for leftover in (_sidecar(path, ".base"), path, _sidecar(path, ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    shutil.rmtree(_sidecar(path, ".tmp"), ignore_errors=True)


def _resumable(next_path: Path, base: str) -> bool:
    """A <db>.next left by a killed writer can be resumed when it was copied, whole, from
    the database as it still is (``<db>.next.base`` is written after the copy); its
    committed files are then not read again."""
    marker = _sidecar(next_path, ".base")
    try:
        if not next_path.exists() or marker.read_text(encoding="utf-8") != base:
            return False
    except OSError:
        return False
    try:
        duckdb.connect(str(next_path)).close()  # replays the WAL of its committed work
    except duckdb.Error:
        return False
    return True


def is_disk_full(exc: BaseException) -> bool:
    """An OSError ENOSPC/EDQUOT, or DuckDB's report of one ("No space left on device"),
    anywhere in the chain: DuckDB often reports it as a later "database has been
    invalidated" or a failed ROLLBACK."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if "no space left" in text or "disk quota" in text or "not enough space" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextlib.contextmanager
def writer(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write a new version of the database beside it and swap it in on success.

    Yields a read-write connection to ``<db>.next`` (a copy of the database, migrated).
    When the block ends without an exception the copy is checkpointed and atomically
    renamed over the database; readers that hold the old version keep it until they close.
    On an exception the database is left exactly as it was and the copy is discarded; a
    copy left by a killed writer is resumed by the next writer when the database has not
    changed since, and discarded otherwise.

    Raises :class:`DatabaseLockedError` naming the holder when another policykit writer
    runs, or another process has the database open for writing.
    """
    db_path = resolve_db_path(path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _sidecar(db_path, LOCK_SUFFIX)
    next_path = _sidecar(db_path, NEXT_SUFFIX)
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseLockedError(
            f"database {db_path} is being written by another policykit process "
            f"({_lock_holder(lock_path)}); readers are not affected. Wait for it to "
            f"finish, or stop that process (its partial work is discarded), and try again"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        _foreign_writer(db_path)
        base = _identity(db_path)
        if not _resumable(next_path, base):
            _discard(next_path)
            if db_path.exists():
                _copy_database(db_path, next_path)
            marker = _sidecar(next_path, ".base")
            marker.write_text(base, encoding="utf-8")
        con = connect(next_path)
        try:
            yield con
            con.execute("CHECKPOINT")
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                con.close()
            # A Ctrl-C keeps the copy for the next run to resume, as a kill would.
            if not isinstance(exc, KeyboardInterrupt):
                _discard(next_path)
            raise
        con.close()
        if _identity(db_path) != base:
            raise DatabaseError(
                f"database {db_path} was changed by another process during this run, so "
                f"this run's version ({next_path}) was not swapped in; run it again"
            )
        # A WAL of the old file (left by an in-place writer) was copied with it; remove
        # it first so that no reader ever replays it onto the new file.
        with contextlib.suppress(FileNotFoundError):
            _sidecar(db_path, ".wal").unlink()
        os.replace(next_path, db_path)
        _discard(next_path)  # the .base marker and the temp folder
        _fsync_dir(db_path.parent)
    finally:
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
        handle.close()


def _copy_database(db_path: Path, next_path: Path) -> None:
    """Copy the database (and a WAL an in-place writer left) to ``next_path``; refuse
    early, with nothing changed, when the disk cannot hold the copy."""
    wal = _sidecar(db_path, ".wal")
    need = db_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    free = shutil.disk_usage(db_path.parent).free
    if free < need + (1 << 20):
        raise DatabaseError(
            f"not enough disk space beside {db_path} for the new version "
            f"({need / 1e6:,.0f} MB needed, {free / 1e6:,.0f} MB free); nothing was "
            "changed: the database is as before. Free some space and run again"
        )
    try:
        shutil.copyfile(db_path, next_path)
        if wal.exists():
            shutil.copyfile(wal, _sidecar(next_path, ".wal"))
    except OSError:
        _discard(next_path)
        raise


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def register_once(con: duckdb.DuckDBPyConnection, name: str, table) -> None:
    """Register an Arrow ``table`` under ``name`` for ONE scan.

    Inside a transaction DuckDB keeps every Python object registered on the connection
    alive until the transaction ends, even after ``unregister``: a file loaded in one
    transaction held every 200k-row staging batch (about 190 MB each) until its commit.
    Registered as a one-shot record-batch reader, the batches go as the scan reads them.
    A second scan of ``name`` fails loudly (DuckDB: "already been consumed"); register
    the data again for it. Call ``con.unregister(name)`` after the scan as usual.
    """
    import pyarrow as pa

    batches = table.to_batches()

    def drain():
        while batches:
            yield batches.pop(0)

    con.register(name, pa.RecordBatchReader.from_batches(table.schema, drain()))


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


#: ``articles.published_day`` (migration 008): the UTC calendar day of ``published_at``.
_PUBLISHED_DAY = "DATE '1970-01-01' + (epoch_us(published_at) // 86400000000)::INTEGER"


def fill_published_day(con: duckdb.DuckDBPyConnection) -> None:
    """Set ``articles.published_day`` to the UTC day of ``published_at`` wherever it
    differs (a row inserted without it, or whose date an ingest changed). The ingest
    runs it before it commits a load; a scan of two columns (about 0.1 s per 10M
    articles) that writes only the rows that changed."""
    con.execute(
        f"UPDATE articles SET published_day = {_PUBLISHED_DAY} "  # noqa: S608 - fixed text
        f"WHERE published_day IS DISTINCT FROM {_PUBLISHED_DAY}"
    )


#: Columns left out of :func:`content_hash`: when and by which run a row was written.
#: ``source_path`` is replaced by the content hash of the file the row came from, so
#: the same files give the same hash wherever they sit (absolute or relative, any clone).
#: ``article_key`` (migration 008) is left out too: it is the order rows were written in,
#: an internal join key (``article_id`` is the id), and ``published_day`` is derived from
#: ``published_at``, so a migrated database hashes as it did before the migration.
_VOLATILE_COLUMNS = {
    "ingested_at",
    "run_id",
    "source_path",
    "started_at",
    "finished_at",
    "article_key",
    "published_day",
}

#: The content tables and what :func:`content_hash` hashes of each.
_CONTENT_TABLES = (
    "articles",
    "duplicates",
    "rejects",
    "outlets",
    "article_topics",
    "entities",
    "article_entities",
    "article_citations",
    "story_clusters",
    "boilerplate_lines",
)


def content_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of the database's content, from content only.

    Identical inputs give the identical hash whatever their paths (absolute, relative,
    another clone) and whenever they were ingested: run ids and timestamps are left out
    and each row's ``source_path`` is replaced by the sha256 of that file's bytes
    (``ingest_runs.content_hash``). Rows are hashed as text and summed, so the order
    rows were written in does not matter. Tables missing from an old schema count as empty.
    """
    digest = hashlib.sha256()
    present = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    # The file behind each source_path: its latest run's content hash.
    files = (
        "(SELECT source_path AS _p, arg_max(content_hash, run_id) AS _file "
        "FROM ingest_runs GROUP BY source_path)"
    )
    for table in _CONTENT_TABLES:
        if table not in present:
            digest.update(f"{table}:absent;".encode())
            continue
        columns = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
        ]
        kept = [f'"{c}"' for c in columns if c not in _VOLATILE_COLUMNS]
        if "source_path" in columns:
            kept.append("_f._file")
            source = f"{table} t LEFT JOIN {files} _f ON _f._p = t.source_path"
        else:
            source = f"{table} t"
        row = fetch_one(
            con,
            f"SELECT count(*), coalesce(sum(hash(row({', '.join(kept)})::VARCHAR)), 0)::VARCHAR "  # noqa: S608 - fixed names
            f"FROM {source}",
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
