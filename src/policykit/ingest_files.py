"""The files of an ingest: their hash and shown path, reading them in order (runs of HTML
pages through the worker pool), the trace a file that cannot be read leaves (one reject,
an unfinished run), and the staging batches tagged with their file and run.

Part of the ingest stage; re-exported by :mod:`policykit.ingest`. Imports ``sources``,
``store`` and ``errors``.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from . import store
from .errors import ConfigError, PolicykitError, SourceError, escape_line_breaks
from .sources import STAGING_COLUMNS, STAGING_SCHEMA, FileRead, ReadOptions, batch_from_rows
from .sources.layouts import LayoutError

#: Page formats whose extraction runs in worker processes.
PAGE_FORMATS = {"html"}


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


def _rebatch(batches, rows: int):
    """Join a reader's (often small) batches into batches of about ``rows`` rows: each
    batch costs a fixed number of statements, some of which scan the articles table."""
    pending: list[pa.Table] = []
    count = 0
    for batch in batches:
        pending.append(batch.select(list(STAGING_COLUMNS)).cast(STAGING_SCHEMA))
        count += batch.num_rows
        del batch  # not kept alive (beside its cast) while the joined batch is loaded
        if count >= rows:
            joined, pending, count = pa.concat_tables(pending), [], 0
            yield joined
            del joined
    if pending:
        yield pa.concat_tables(pending)


_DONE = object()


def _prefetch(batches, depth: int = 1):
    """Yield ``batches`` while a thread reads ahead up to ``depth`` batches: the next
    batch is parsed while DuckDB normalises this one (both release the GIL for most of
    their work). A reader's error is raised here, in the consumer, at the batch where it
    happened; when the consumer stops early (a failed transaction) the thread stops too.
    One batch in flight is the memory this costs."""
    slots: queue.Queue = queue.Queue()
    # One token per batch the thread may read before the consumer takes one: at most
    # ``depth`` batches wait beside the one being loaded (a bounded queue alone would let
    # the thread hold one more, blocked in put).
    tokens = threading.Semaphore(depth)
    stop = threading.Event()

    def wait_token() -> bool:
        while not stop.is_set():
            if tokens.acquire(timeout=0.1):
                return True
        return False

    def run():
        try:
            iterator = iter(batches)
            while wait_token():
                batch = next(iterator, _DONE)
                slots.put((batch, None))
                if batch is _DONE:
                    return
                del batch
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            slots.put((None, exc))

    thread = threading.Thread(target=run, name="policykit-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            batch, error = slots.get()
            if error is not None:
                raise error
            if batch is _DONE:
                return
            tokens.release()
            yield batch
            del batch
    finally:
        stop.set()
        thread.join()


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
