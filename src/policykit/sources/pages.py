"""Shared helpers for page readers: safe byte loading, sidecar metadata, a worker pool.

A scraped page arrives as ``page.html`` (or ``.htm``, gzipped or not). Before any parser
sees it, :func:`load_page_bytes` settles the cheap failures (empty, binary, truncated
gzip, too large) so that a bad file costs a stat and a few KiB of reading, never the
whole file in memory.

Sidecar metadata written by the scraper overrides what extraction finds, field by
field (:func:`load_sidecar`):

1. a manifest, ``manifest.csv`` or ``manifest.tsv``, in the page's folder or its parent,
   with a ``file`` (or ``html``/``path``) column holding the page path relative to the
   manifest, and any of the columns ``url``, ``title``, ``published``/``date``,
   ``outlet``, ``authors``, ``language``, ``summary``, ``tags``, ``scraped_at``; a
   ``metadata`` column may name a JSON sidecar (relative to the manifest);
2. the JSON named by the manifest's ``metadata`` column;
3. ``<stem>.json``, ``<stem>.meta.json`` or ``<page name>.json`` beside the page
   (``page.html.gz`` -> ``page.json``, ``page.meta.json``, ``page.html.json``; each may
   be gzipped).

Later sources win. :func:`extract_pages` runs page extraction in worker processes with a
bounded number of tasks in flight and yields results in input order.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import json
import os
import sys
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..workers import die_with_parent, worker_count
from . import FileRead, ReadOptions, batch_from_rows

#: Largest page (after gunzip) we extract; bigger ones are rejected as ``too_large``
#: without being read. News pages are 20 KiB to 2 MiB (the largest of the 990 pages in
#: trafilatura's evaluation set is 1.6 MB). Parsing costs ~25x the page size in memory
#: and ~0.7 s per MB (a 19 MB page took 14 s and 530 MB), so 8 MiB keeps one worker
#: under ~250 MB and ~6 s on the worst page.
MAX_PAGE_BYTES = 8 * 1024 * 1024
#: Bytes sniffed to tell binary content from text.
SNIFF_BYTES = 4096
#: Cap on the payload text kept for a reject (the rejects table caps at 64 KiB anyway).
PAYLOAD_SAMPLE = 512

#: Below this many pages, extract_pages works in-process instead of starting workers.
MIN_PAGES_FOR_POOL = 8

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
MANIFEST_NAMES = ("manifest.csv", "manifest.tsv")
MANIFEST_FILE_COLUMNS = ("file", "html", "path")

#: Magic numbers of formats scrapers save by mistake under an .html name.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x7fELF",
    b"RIFF",  # webp, wav
    b"\x00\x00\x01\x00",  # ico
    b"BZh",
    b"\xfd7zXZ",
    b"OggS",
    b"ID3",
    b"wOFF",
    b"wOF2",
)

#: Sidecar/manifest key -> staging field. The first key present wins.
SIDECAR_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "canonical_link", "canonical_url", "link"),
    "title": ("title", "headline"),
    "published": (
        "published",
        "date",
        "publish_date",
        "date_publish",
        "published_at",
        "datePublished",
        "pubdate",
    ),
    "authors": ("authors", "author", "byline"),
    "outlet": ("outlet", "source", "site_name", "sitename", "meta_site_name", "publisher"),
    "language": ("language", "lang", "meta_lang"),
    "summary": ("summary", "description", "meta_description"),
    "tags": ("tags", "keywords", "meta_keywords", "categories"),
    "scraped_at": ("scraped_at", "date_download", "crawled_at", "fetched_at", "scraped"),
}


@dataclass
class PageBytes:
    """The outcome of loading one page file: bytes, or a reject reason with detail."""

    data: bytes | None
    size: int  # bytes on disk
    reject_reason: str | None = None
    detail: str | None = None
    sample: bytes = b""  # the first bytes, kept as provenance for rejects


def looks_binary(head: bytes) -> bool:
    """True when ``head`` (the first few KiB) is not text a browser would render as HTML.

    UTF-16 pages are full of NUL bytes, so a BOM or a regular every-other-byte NUL
    pattern counts as text.
    """
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        # UTF-16 without a BOM: ASCII markup leaves one of the two byte lanes all NUL.
        utf16 = even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)
        return not utf16
    # Control bytes other than tab, newline, form feed, carriage return, escape.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > 0.05 * len(head)


def _is_gzip(head: bytes) -> bool:
    # By magic number, not by name: scrapers save plain HTML as .gz and vice versa.
    return head[:2] == b"\x1f\x8b"


def _read_gzip_capped(path: Path, cap: int) -> tuple[bytes | None, str | None, str | None]:
    """Gunzip at most ``cap + 1`` bytes; return (data, reject_reason, detail)."""
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read(cap + 1)
    except EOFError as exc:
        return None, "truncated_gzip", f"gzip stream ends early: {exc}"
    except (gzip.BadGzipFile, zlib.error) as exc:
        return None, "truncated_gzip", f"corrupt gzip stream: {exc}"
    if len(data) > cap:
        return None, "too_large", f"decompressed size exceeds the {cap} byte cap"
    return data, None, None


def load_page_bytes(path: Path, cap: int = MAX_PAGE_BYTES) -> PageBytes:
    """Read one page file safely (gunzipping ``.gz``), or say why it is rejected.

    Reasons: ``empty_file``, ``too_large`` (over ``cap`` bytes on disk or after gunzip;
    the file is not read), ``truncated_gzip``, ``binary_content``.
    """
    size = path.stat().st_size
    if size == 0:
        return PageBytes(None, size, "empty_file", "0 bytes")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if _is_gzip(head):
        data, reason, detail = _read_gzip_capped(path, cap)
        if reason:
            return PageBytes(None, size, reason, detail, head[:PAYLOAD_SAMPLE])
        head = data[:SNIFF_BYTES]
    elif size > cap:
        return PageBytes(
            None, size, "too_large", f"{size} bytes exceeds the {cap} byte cap", head[:64]
        )
    else:
        data = path.read_bytes()
    if not data.strip():
        return PageBytes(None, size, "empty_file", f"{len(data)} bytes of whitespace")
    if looks_binary(head):
        return PageBytes(None, size, "binary_content", _binary_detail(head), head[:64])
    return PageBytes(data, size)


def _binary_detail(head: bytes) -> str:
    return f"not text: starts with {head[:16]!r}"


def sample_text(data: bytes) -> str:
    """A short, printable rendering of raw bytes for a reject's payload."""
    return data[:PAYLOAD_SAMPLE].decode("utf-8", errors="backslashreplace")


# --- sidecars -----------------------------------------------------------------------------


def _safe_is_file(path: Path) -> bool:
    # A sibling name built from a legal 251-character page name can be too long for the
    # file system (ENAMETOOLONG, which Path.is_file raises in Python 3.11).
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def page_stem(path: Path) -> str:
    """``a/page.html.gz`` -> ``page``; ``a/page.htm`` -> ``page``."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and f".{suffix.lower()}" in PAGE_SUFFIXES else name


def sidecar_names(path: Path) -> list[str]:
    """JSON sidecar names for a page, in increasing precedence.

    ``page.html.gz`` -> ``page.json``, ``page.meta.json``, ``page.html.json`` (each also
    gzipped, ``.json.gz``).
    """
    stem = page_stem(path)
    full = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    names = []
    for base in (f"{stem}.json", f"{stem}.meta.json", f"{full}.json"):
        names += [base, f"{base}.gz"]
    return list(dict.fromkeys(names))


def sidecar_fields(record: dict) -> dict:
    """Map a scraper's metadata record onto staging fields, dropping empty values."""
    out = {}
    for target, keys in SIDECAR_FIELDS.items():
        for key in keys:
            value = _clean_value(record.get(key))
            if value is not None:
                out[target] = value
                break
    return out


def _clean_value(value) -> str | None:
    """Text for a staging field: lists become JSON list text; empty values become None."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("name")
        return _clean_value(value)
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return json.dumps(items, ensure_ascii=False) if items else None
    text = str(value).strip()
    return text or None


@dataclass
class Sidecar:
    """Metadata found for one page, and problems found while loading it."""

    fields: dict
    sources: list[str]
    problems: list[tuple[str, str, str]]  # (locator, reason, detail)


#: Largest JSON sidecar read (after gunzip): scraper metadata is a few KiB; news-please
#: records with the full text stay under 1 MiB. Bigger ones are a ``too_large`` problem.
MAX_SIDECAR_BYTES = 4 * 1024 * 1024
#: Deepest nesting accepted in a sidecar. Real metadata nests 3-4 levels (JSON-LD ~6);
#: a hostile file nested 100,000 deep would otherwise end in a RecursionError.
MAX_SIDECAR_DEPTH = 64


def _nesting_exceeds(value, limit: int) -> bool:
    """True when ``value`` nests dicts/lists deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def contained(candidate: Path, folders: Iterable[Path]) -> bool:
    """True when ``candidate``'s real path is inside one of ``folders`` (real paths).

    A sidecar is metadata about a page, so it is read only from where the page is: its
    folder (or the folder its link points to) or the manifest's folder. A sidecar that is
    a link to ``/etc/passwd``, or a manifest entry ``../../secret.json``, is refused.
    """
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return any(real.parent == f or f in real.parents for f in folders)


def read_json_sidecar(
    path: Path, folders: Iterable[Path] | None = None
) -> tuple[dict | None, str | None, str | None]:
    """Load one JSON sidecar, bounded: ``(record, None, None)`` or ``(None, reason, detail)``.

    Reasons: ``outside_input`` (its real path leaves ``folders``), ``too_large`` (over
    :data:`MAX_SIDECAR_BYTES`, on disk or after gunzip), ``too_deep`` (nested deeper than
    :data:`MAX_SIDECAR_DEPTH`), ``malformed_sidecar`` (unreadable, not JSON, not an
    object). The file is never read whole when it is too large.
    """
    name = path.name
    if folders is not None and not contained(path, folders):
        return None, "outside_input", f"{name}: a link leaving the page's folder; not read"
    cap = MAX_SIDECAR_BYTES
    try:
        if not path.is_file():
            return None, "malformed_sidecar", f"{name}: not a regular file"
        with path.open("rb") as handle:
            data = handle.read(cap + 1)
        if data[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                data = handle.read(cap + 1)
        if len(data) > cap:
            return None, "too_large", f"{name}: over the {cap} byte cap for a sidecar"
        record = json.loads(data)
    except RecursionError:
        return None, "too_deep", f"{name}: nested deeper than {MAX_SIDECAR_DEPTH} levels"
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return None, "malformed_sidecar", f"{name}: {exc}"
    if not isinstance(record, dict):
        return (
            None,
            "malformed_sidecar",
            f"{name}: top level is {type(record).__name__}, expected an object",
        )
    if _nesting_exceeds(record, MAX_SIDECAR_DEPTH):
        return None, "too_deep", f"{name}: nested deeper than {MAX_SIDECAR_DEPTH} levels"
    return record, None, None


def _real_folders(*paths: Path) -> list[Path]:
    """The folders a page's sidecars may come from: each path's folder, resolved, and the
    folder a linked page really lives in."""
    folders = []
    for p in paths:
        try:
            folders += [p.parent.resolve(), p.resolve().parent]
        except (OSError, RuntimeError):
            continue
    return list(dict.fromkeys(folders))


#: Largest manifest indexed: 256 MiB is over a million page rows. Its index is held in
#: each worker, so a bigger one is a ``too_large`` problem, not gigabytes per worker.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


class _ManifestTooLarge(Exception):
    pass


@lru_cache(maxsize=64)
def _manifest_index(manifest: Path, mtime_ns: int) -> dict[str, dict]:
    """Rows of a manifest keyed by the resolved page path. ``mtime_ns`` busts the cache."""
    size = manifest.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise _ManifestTooLarge(
            f"{manifest.name}: {size} bytes exceeds the {MAX_MANIFEST_BYTES} byte cap"
        )
    delimiter = "\t" if manifest.suffix == ".tsv" else ","
    index: dict[str, dict] = {}
    with manifest.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        for row in csv.DictReader(handle, delimiter=delimiter):
            for column in MANIFEST_FILE_COLUMNS:
                rel = (row.get(column) or "").strip()
                if rel:
                    index[str((manifest.parent / rel).resolve())] = row
                    break
    return index


def _manifest_row(path: Path) -> tuple[Path, dict] | None:
    resolved = str(path.resolve())
    for folder in (path.parent, path.parent.parent):
        for name in MANIFEST_NAMES:
            manifest = folder / name
            if _safe_is_file(manifest):
                row = _manifest_index(manifest, manifest.stat().st_mtime_ns).get(resolved)
                if row is not None:
                    return manifest, row
    return None


def load_sidecar(path: Path) -> Sidecar:
    """Collect scraper metadata for a page from its manifest row and JSON sidecars."""
    fields: dict = {}
    sources: list[str] = []
    problems: list[tuple[str, str, str]] = []
    try:
        found = _manifest_row(path)
    except (OSError, csv.Error, UnicodeError) as exc:
        # A broken manifest costs its metadata, never the page (the page still loads).
        found = None
        problems.append(("sidecar:manifest", "malformed_sidecar", f"manifest: {exc}"))
    except _ManifestTooLarge as exc:
        found = None
        problems.append(("sidecar:manifest", "too_large", str(exc)))
    if found is not None:
        manifest, row = found
        fields.update(sidecar_fields(row))
        sources.append(manifest.name)
        meta = (row.get("metadata") or "").strip()
        if meta:
            folders = _real_folders(manifest, path)
            record, reason, error = read_json_sidecar(manifest.parent / meta, folders)
            if error:
                problems.append((f"sidecar:{meta}", reason, error))
            else:
                fields.update(sidecar_fields(record))
                sources.append(meta)
    for name in sidecar_names(path):
        candidate = path.with_name(name)
        if _safe_is_file(candidate):
            record, reason, error = read_json_sidecar(candidate, _real_folders(path))
            if error:
                problems.append((f"sidecar:{name}", reason, error))
            else:
                fields.update(sidecar_fields(record))
                sources.append(name)
    return Sidecar(fields, sources, problems)


# --- the worker pool ----------------------------------------------------------------------


def pool_context(warm: bool):
    """The multiprocessing context for page workers.

    With ``warm`` on Linux: warm this process up once (import
    :mod:`policykit.sources.page_worker`: libraries loaded, dateparser's patterns
    compiled) and fork the workers from it, so they start in milliseconds, already warm,
    sharing those pages copy-on-write. Fork also spares callers the
    ``if __name__ == "__main__":`` guard that spawn-style start methods need. Workers
    only run extraction code; they never touch the caller's database handles.
    Elsewhere, the platform default (spawn) is used and each worker warms up lazily.
    """
    import multiprocessing

    if warm and sys.platform.startswith("linux"):
        importlib.import_module("policykit.sources.page_worker")
        return multiprocessing.get_context("fork")
    return None


def ordered_map(
    func: Callable,
    items: Iterable,
    workers: int,
    on_error: Callable,
    in_flight: int = 0,
    warm: bool = False,
) -> Iterator:
    """``map(func, items)`` in worker processes, in input order, memory bounded.

    At most ``in_flight`` (default ``4 * workers``) items are submitted and not yet
    yielded, so a million pages never sit in memory at once. ``on_error(item, exc)``
    turns a failure (including a worker killed by the OS) into a result instead of
    stopping the run; after a worker dies, the task at the head is retried alone (so
    only the culprit is blamed), the pool is replaced and the rest resubmitted.
    With one worker, everything runs in this process. ``warm`` starts workers from a
    warmed-up fork server (see :func:`pool_context`).
    """
    workers = worker_count(workers)
    if workers == 1:
        for item in items:
            try:
                yield func(item)
            except Exception as exc:  # noqa: BLE001 - a bad page must not stop the run
                yield on_error(item, exc)
        return
    limit = in_flight or 4 * workers
    iterator = iter(items)
    context = pool_context(warm)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    pool = new_pool()
    pending: deque[tuple[object, Future]] = deque()
    try:
        while True:
            while len(pending) < limit:
                item = next(iterator, _DONE)
                if item is _DONE:
                    break
                pending.append((item, pool.submit(func, item)))
            if not pending:
                return
            item, future = pending.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                # A worker died (killed by the OS, a crash in C code). Every task in
                # flight fails with it, so retry this one alone to find out whether it
                # is the culprit, then carry on with a fresh pool.
                pool.shutdown(wait=False, cancel_futures=True)
                yield _run_alone(func, item, context, on_error)
                pool = new_pool()
                pending = deque((i, pool.submit(func, i)) for i, _ in pending)
            except Exception as exc:  # noqa: BLE001
                yield on_error(item, exc)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_DONE = object()


def _run_alone(func: Callable, item, context, on_error: Callable):
    """Run one task in a one-off worker; its failure is then its own."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as solo:
        try:
            return solo.submit(func, item).result()
        except Exception as exc:  # noqa: BLE001 - includes BrokenProcessPool
            return on_error(item, exc)


def _page_task(path: str) -> list[dict]:
    from .html import page_rows  # imported in the worker: keeps pages.py import light

    # Only the path crosses to the worker: options can carry large boilerplate sets.
    return page_rows(Path(path))


def _page_failed(path: str, exc: BaseException) -> list[dict]:
    return [
        {
            "source_locator": "file",
            "reject_reason": "extraction_failed",
            "reject_detail": f"{type(exc).__name__}: {exc}",
        }
    ]


def _html_reads(paths: list[Path], opts: ReadOptions) -> Iterator[FileRead]:
    tasks = (str(p) for p in paths)
    # Starting warm workers costs a few seconds once; a handful of pages is quicker here.
    # Never more workers than pages: a fork server starts them all up front.
    workers = min(worker_count(opts.workers), len(paths)) if len(paths) > MIN_PAGES_FOR_POOL else 1
    results = ordered_map(_page_task, tasks, workers, _page_failed, warm=True)
    for path, rows in zip(paths, results, strict=True):
        yield FileRead(
            path=str(path),
            format="html",
            layout="page",
            batches=iter([batch_from_rows(rows)]),
            skipped=Counter(),
        )


def _page_format(path: Path, opts: ReadOptions) -> str | None:
    """The format of a page-like file; None when it cannot even be detected."""
    from ..errors import SourceError
    from .dispatch import detect_format

    if opts.format:
        return opts.format.lower()
    try:
        return detect_format(path)
    except SourceError:
        return None


def _other_read(path: Path, opts: ReadOptions) -> FileRead:
    """Read a non-HTML file of a run (WARC, feed, text dump...) with its own reader."""
    from ..errors import ConfigError, SourceError
    from .dispatch import read_file

    try:
        return read_file(path, opts)
    except ConfigError:
        raise
    except SourceError as exc:
        row = {
            "source_locator": "file",
            "reject_reason": "unreadable_file",
            "reject_detail": str(exc),
        }
        return FileRead(str(path), "unknown", "none", iter([batch_from_rows([row])]))


def extract_pages(paths: list[Path], opts: ReadOptions) -> Iterator[FileRead]:
    """Read a run of page files; one :class:`FileRead` per path, in input order.

    HTML pages are extracted in ``opts.workers`` processes (0 = one per core): each page
    is read, decoded, extracted with trafilatura and overlaid with its sidecar metadata
    in the worker, so only small row dicts cross process boundaries. Other files in the
    run (WARC/ARC, feeds, sitemaps, text dumps) go to their own readers, in order; the
    WARC reader runs its own pool. An empty, binary or undetectable ``.html`` file still
    reaches the HTML reader, which turns it into a reject with a reason.

    Examples
    --------
    >>> reads = list(extract_pages([], ReadOptions(workers=1)))
    >>> reads
    []
    """
    paths = [Path(p) for p in paths]
    is_html = [_page_format(p, opts) in (None, "html") for p in paths]
    i = 0
    while i < len(paths):
        if not is_html[i]:
            yield _other_read(paths[i], opts)
            i += 1
            continue
        j = i + 1
        while j < len(paths) and is_html[j]:
            j += 1
        yield from _html_reads(paths[i:j], opts)
        i = j
