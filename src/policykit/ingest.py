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

The parts live beside this module, which keeps :func:`ingest`, the file-group
transactions and the public names: :mod:`~policykit.ingest_report` (the accounting
records), :mod:`~policykit.ingest_pipeline` (the SQL statements and the per-batch
pipeline), :mod:`~policykit.ingest_files` (hashing, reading, failed files, tagged batches)
and :mod:`~policykit.ingest_boilerplate` (boilerplate learning). None of them imports this
module.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from . import __version__, _callable_module, normalise, store
from . import settings as _settings
from .errors import ConfigError, DatabaseError, PolicykitError

# Every name of the parts stays importable as policykit.ingest.NAME (tests patch some).
from .ingest_boilerplate import (  # noqa: F401
    _DOCS_HASH,
    _LEARN_MAX_BYTES,
    BOILERPLATE_MIN_DOCS,
    _commit_evidence,
    _learn_boilerplate,
    _line_hash,
)
from .ingest_files import (  # noqa: F401
    PAGE_FORMATS,
    _failed_file,
    _failed_read,
    _forget_file,
    _named_html,
    _Pending,
    _prefetch,
    _previous_runs,
    _ReadFailed,
    _reads,
    _rebatch,
    _tag,
    display_path,
    file_hash,
)
from .ingest_pipeline import (  # noqa: F401
    _ARROW_TYPES,
    MEMORY_LIMIT,
    SQL,
    _drop_outlet,
    _load_sql,
    _Pipeline,
    _residue,
    _table,
)
from .ingest_report import FileResult, IngestReport
from .progress import resolve as _resolve_progress
from .sources import ReadOptions

#: At most this many small files share one transaction.
GROUP_FILES = 500


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
        # The stored UTC day of new or re-dated articles (migration 008), in this transaction.
        store.fill_published_day(con)
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
        # The stream owns the two batches read so far: each is freed once it is loaded,
        # not held for the whole file (at 200k rows a batch is about 190 MB of Arrow).
        head = [first, second]
        first = second = None

        def stream(item=item, head=head, rest=iterator):
            def source():
                while head:
                    yield head.pop(0)
                yield from rest

            try:
                for batch in _prefetch(_rebatch(source(), batch_size)):
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
