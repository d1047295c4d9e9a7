"""Entry points for :mod:`policykit.ingest`: find input files, detect formats, read files.

Readers are looked up by import string in :data:`READERS`, so a page reader that is not
installed (or fails to import) gives a clear :class:`FormatError` when a file of that
format is read, not an ImportError when policykit is imported.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from ..errors import FormatError, SourceError, one_of
from . import FileRead, ReadOptions
from .formats import detect_format as _detect_format
from .layouts import canonical_field, find_spec, is_spec_file, load_spec

__all__ = ["READERS", "detect_format", "iter_input_files", "read_file", "reader_for"]

#: format -> "module:function"; every reader has the signature (path, opts) -> FileRead.
READERS: dict[str, str] = {
    "jsonl": "policykit.sources.formats:read_jsonl",
    "json": "policykit.sources.formats:read_json",
    "csv": "policykit.sources.formats:read_csv",
    "tsv": "policykit.sources.formats:read_tsv",
    "parquet": "policykit.sources.formats:read_parquet",
    "html": "policykit.sources.html:read_html",
    "txt": "policykit.sources.textdump:read_textdump",
    "warc": "policykit.sources.warc:read_warc",
    "arc": "policykit.sources.warc:read_warc",
    "feed": "policykit.sources.feeds:read_feed",
    "sitemap": "policykit.sources.feeds:read_sitemap",
}

#: Files that sit next to pages and describe them; the page readers read them.
SIDECAR_PAGE_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".xhtml", ".shtml", ".txt")
#: A page manifest (read by the text-dump reader) names page files in one of these columns.
MANIFEST_FILE_COLUMNS: frozenset[str] = frozenset({"txt", "html", "path", "file"})
SKIPPED_NAMES: frozenset[str] = frozenset({".gitkeep", ".DS_Store", "Thumbs.db"})


def detect_format(path: Path) -> str:
    """Detect a file's format from its content (see :func:`policykit.sources.formats.detect_format`)."""
    return _detect_format(Path(path))


def _sidecar_stem(name: str) -> str | None:
    lowered = name.lower()
    for suffix in (".meta.json", ".json", ".meta.json.gz", ".json.gz"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return None


def is_sidecar(path: Path) -> bool:
    """True for ``page.json``/``page.meta.json``/``page.html.json`` beside ``page.html``/``.txt``."""
    stem = _sidecar_stem(path.name)
    if not stem:
        return False
    if Path(stem).suffix.lower() in SIDECAR_PAGE_SUFFIXES and (path.parent / stem).is_file():
        return True
    return any(
        (path.parent / f"{stem}{suffix}").is_file()
        or (path.parent / f"{stem}{suffix}.gz").is_file()
        for suffix in SIDECAR_PAGE_SUFFIXES
    )


def is_page_manifest(path: Path) -> bool:
    """True for a ``manifest.tsv``/``manifest.csv`` that lists page files (the page readers
    use it)."""
    name = path.name.lower()
    if name not in ("manifest.tsv", "manifest.csv"):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
    except OSError:
        return False
    separator = "\t" if name.endswith(".tsv") else ","
    columns = {c.strip().strip('"').lower() for c in header.lstrip("\ufeff").split(separator)}
    return bool(columns & MANIFEST_FILE_COLUMNS)


def _skip(path: Path) -> bool:
    return (
        path.name in SKIPPED_NAMES
        or is_spec_file(path)
        or is_sidecar(path)
        or is_page_manifest(path)
    )


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every input file under the given files and folders, sorted, recursively.

    Hidden files and folders (found by walking), ``.gitkeep``, YAML mapping specs, page
    sidecars and page manifests (``manifest.tsv`` with a txt/html/path/file column) are
    left out. A path that does not exist raises SourceError naming it.
    """
    found: dict[Path, Path] = {}
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise SourceError(f"input path {str(root)!r} does not exist")
        if root.is_file():
            if not _skip(root):
                found.setdefault(root.resolve(), root)
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                if path.is_file() and not _skip(path):
                    found.setdefault(path.resolve(), path)
    return sorted(found.values(), key=lambda p: str(p))


def reader_for(fmt: str) -> Callable[[Path, ReadOptions], FileRead]:
    """Import the reader of a format; FormatError when the format or its module is unknown."""
    target = READERS.get(fmt)
    if target is None:
        raise FormatError(one_of("format", fmt, READERS))
    module_name, _, function_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, function_name)
    except (ImportError, AttributeError) as exc:
        raise FormatError(
            f"format {fmt!r} has no reader available ({target} cannot be loaded: {exc})"
        ) from None


def effective_options(path: Path, opts: ReadOptions) -> ReadOptions:
    """Layer a YAML spec beside the file under the explicit options.

    An explicit mapping wins field by field over the spec's ``map``; explicit ``columns``
    and ``format`` win over the spec's.
    """
    spec_path = find_spec(path)
    if spec_path is None:
        if opts.mapping:
            return replace(opts, mapping={canonical_field(k): v for k, v in opts.mapping.items()})
        return opts
    spec = load_spec(spec_path)
    mapping = {canonical_field(k): v for k, v in spec.get("map", {}).items()}
    mapping.update({canonical_field(k): v for k, v in (opts.mapping or {}).items()})
    return replace(
        opts,
        mapping=mapping or None,
        columns=opts.columns or spec.get("columns"),
        format=opts.format or spec.get("format"),
    )


def read_file(path: Path, opts: ReadOptions | None = None) -> FileRead:
    """Read one file into staging batches, dispatching on ``opts.format`` or detection.

    Raises
    ------
    SourceError
        The file does not exist or cannot be opened.
    FormatError
        The format is unknown, undetectable or its reader is unavailable.
    ConfigError
        A bad mapping or YAML spec, or a layout that needs a mapping.
    """
    path = Path(path)
    opts = opts or ReadOptions()
    if not path.is_file():
        raise SourceError(f"input file {str(path)!r} does not exist or is not a file")
    opts = effective_options(path, opts)
    fmt = (opts.format or detect_format(path)).lower()
    reader = reader_for(fmt)
    try:
        return reader(path, opts)
    except PermissionError as exc:
        raise SourceError(f"cannot open {str(path)!r}: {exc.strerror}") from None
