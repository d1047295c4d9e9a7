"""Entry points for :mod:`policykit.ingest`: find input files, detect formats, read files.

Readers are looked up by import string in :data:`READERS`, so a page reader that is not
installed (or fails to import) gives a clear :class:`FormatError` when a file of that
format is read, not an ImportError when policykit is imported.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import FormatError, SourceError, one_of
from . import FileRead, ReadOptions, batch_from_rows
from .formats import detect_format as _detect_format
from .layouts import SPEC_NAMES, canonical_field, find_spec, is_spec_file, load_spec

__all__ = [
    "READERS",
    "InputScan",
    "RefusedInput",
    "detect_format",
    "iter_input_files",
    "read_file",
    "reader_for",
    "scan_inputs",
]

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
#: A folder's own documentation (``README.md``, ``LICENSE``, ``SOURCE.md``): found while
#: walking a folder, it is refused as ``folder_documentation`` rather than loaded as a text
#: dump (an export's SOURCE.md became an undated "article" in its brief). Matched on the
#: name before its first dot, with no suffix or a documentation suffix, so scraped pages
#: saved as ``.md`` (Markdown dumps) still load; a file named on the command line is read.
DOCUMENTATION_STEMS: frozenset[str] = frozenset(
    {
        "readme", "license", "licence", "copying", "notice", "source", "sources",
        "changelog", "citation", "authors", "contributing", "datasheet",
    }
)  # fmt: skip
DOCUMENTATION_SUFFIXES: frozenset[str] = frozenset(
    {"", ".md", ".markdown", ".txt", ".rst", ".upstream", ".cff"}
)


def is_folder_documentation(name: str) -> bool:
    """True for a name like ``README.md``, ``LICENSE``, ``LICENSE.upstream``, ``SOURCE.md``."""
    stem, dot, rest = name.partition(".")
    stem = stem.lower().replace("-", "_")
    # LICENSE_upstream, README_en; not license_plate_readers (a slug)
    base, _, tail = stem.partition("_")
    qualified = base in DOCUMENTATION_STEMS and (len(tail) == 2 or tail in ("upstream", "orig"))
    if stem not in DOCUMENTATION_STEMS and not qualified:
        return False
    suffix = f".{rest.lower()}" if dot else ""
    return suffix in DOCUMENTATION_SUFFIXES


def detect_format(path: Path) -> str:
    """Detect a file's format from its content (see :func:`policykit.sources.formats.detect_format`)."""
    return _detect_format(Path(path))


def _sidecar_stem(name: str) -> str | None:
    lowered = name.lower()
    for suffix in (".meta.json", ".json", ".meta.json.gz", ".json.gz"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return None


def safe_is_file(path: Path) -> bool:
    """``Path.is_file`` that answers False instead of raising: a sibling name built from a
    legal 251-character file name (``<name>.policykit.yml``) is too long for the file
    system, and Python 3.11 raises ENAMETOOLONG from ``is_file``."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_sidecar(path: Path) -> bool:
    """True for ``page.json``/``page.meta.json``/``page.html.json`` beside ``page.html``/``.txt``."""
    stem = _sidecar_stem(path.name)
    if not stem:
        return False
    if Path(stem).suffix.lower() in SIDECAR_PAGE_SUFFIXES and safe_is_file(path.parent / stem):
        return True
    return any(
        safe_is_file(path.parent / f"{stem}{suffix}")
        or safe_is_file(path.parent / f"{stem}{suffix}.gz")
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
            header = fh.readline(65536)
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


# --- input discovery ------------------------------------------------------------------


@dataclass(frozen=True)
class RefusedInput:
    """An entry of the input folder that is not read, and why.

    Reasons: ``folder_documentation`` (a README, LICENSE or SOURCE file met while
    walking a folder), ``outside_input`` (a symbolic link whose target leaves the input folder;
    ``--follow-symlinks`` reads it), ``dangling_link`` (its target does not exist),
    ``link_loop``, ``not_a_regular_file`` (a FIFO, socket or device such as a link to
    ``/dev/zero``), ``undecodable_name`` (a file name that is not valid UTF-8, which the
    database cannot store as text), ``unreadable_folder``. Nothing of its content is
    opened: the reject row holds the reason and the link's target, never a payload.
    """

    path: Path  # as found in the input folder, never resolved
    reason: str
    detail: str

    @property
    def shown(self) -> str:
        """The entry's own path (not its target), relative to the working directory when
        inside it, with undecodable bytes written as ``\\xNN``."""
        # The folder resolved as ingest's display_path does, the last part left alone.
        absolute = Path(os.path.abspath(self.path))
        absolute = absolute.parent.resolve() / absolute.name
        with contextlib.suppress(ValueError):
            absolute = absolute.relative_to(Path.cwd().resolve())
        return printable_path(absolute)

    @property
    def digest(self) -> str:
        """Stands in for a content hash: the same refusal on a re-run is ``unchanged``."""
        text = f"refused\0{self.reason}\0{self.detail}"
        return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()

    def file_read(self) -> FileRead:
        """The accounting of a refused entry: one reject, no payload."""
        row = {"source_locator": "file", "reject_reason": self.reason, "reject_detail": self.detail}
        return FileRead(self.shown, "unknown", "none", iter([batch_from_rows([row])]))


@dataclass
class InputScan:
    """What :func:`scan_inputs` found: files to read, and entries refused with a reason."""

    files: list[Path]
    refused: list[RefusedInput]


def printable_path(path: Path | str) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 (kept by
    Python as surrogate escapes) become ``\\xNN``."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _decodable(path: Path | str) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _inside(target: Path, root: Path) -> bool:
    return target == root or root in target.parents


class _Scanner:
    """One walk over the given paths; see :func:`scan_inputs`."""

    def __init__(self, follow_symlinks: bool):
        self.follow = follow_symlinks
        self.found: dict[Path, Path] = {}
        self.refused: dict[str, RefusedInput] = {}
        self.seen_dirs: set[Path] = set()
        #: called with the number of entries found so far after each folder (progress)
        self.on_folder: Callable[[int], object] | None = None

    def refuse(self, path: Path, reason: str, detail: str) -> None:
        entry = RefusedInput(path, reason, detail)
        self.refused.setdefault(entry.shown, entry)

    def add_file(self, path: Path, real: Path, mode: int) -> None:
        if not stat.S_ISREG(mode):
            self.refuse(path, "not_a_regular_file", f"{printable_path(path.name)} is {_kind(mode)}")
        elif not _skip(path):
            self.found.setdefault(real, path)

    def given(self, given: str | Path) -> None:
        root = Path(given)
        if not _decodable(root):
            self.refuse(root, "undecodable_name", "the path is not valid UTF-8")
            return
        try:
            real = root.resolve(strict=True)
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            raise SourceError(f"input path {printable_path(root)!r} does not exist") from None
        except (OSError, RuntimeError) as exc:
            raise SourceError(
                f"input path {printable_path(root)!r} cannot be opened: {exc}"
            ) from None
        # A path named on the command line is read even when it is a link: the user chose it.
        if stat.S_ISDIR(mode):
            self.walk(root, real)
        else:
            self.add_file(root, real, mode)

    def walk(self, top: Path, root: Path) -> None:
        """Walk ``top`` (whose real path is ``root``, the input folder) without following
        links out of it."""
        stack = [(top, root)]
        while stack:
            folder, real_folder = stack.pop()
            if real_folder in self.seen_dirs:
                continue  # a link loop, or a folder reached twice
            self.seen_dirs.add(real_folder)
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.refuse(folder, "unreadable_folder", f"cannot list the folder: {exc.strerror}")
                continue
            subfolders = []
            for entry in entries:
                if entry.name.startswith(".") or entry.name in SKIPPED_NAMES:
                    continue
                path = Path(entry.path)
                if not _decodable(entry.name):
                    self.refuse(
                        path,
                        "undecodable_name",
                        f"the name {printable_path(entry.name)!r} is not valid UTF-8; rename it",
                    )
                    continue
                if is_spec_file(path) or is_sidecar(path):
                    # Read (or refused) by the readers of the file they describe; checked
                    # by name first, so a linked sidecar is not refused twice.
                    continue
                try:
                    if entry.is_symlink():
                        resolved = self.link(path, root)
                        if resolved is None:
                            continue
                        real, mode = resolved
                    else:
                        real = real_folder / entry.name
                        # The entry's type from the directory listing: no stat per file.
                        if entry.is_dir(follow_symlinks=False):
                            mode = stat.S_IFDIR
                        elif entry.is_file(follow_symlinks=False):
                            mode = stat.S_IFREG
                        else:
                            mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as exc:
                    self.refuse(path, "unreadable_file", f"cannot stat: {exc.strerror or exc}")
                    continue
                if stat.S_ISDIR(mode):
                    subfolders.append((path, real))
                elif stat.S_ISREG(mode) and is_folder_documentation(entry.name):
                    self.refuse(
                        path,
                        "folder_documentation",
                        f"{printable_path(entry.name)} reads as the folder's documentation "
                        "(README, LICENSE, SOURCE...), not as an article; name the file "
                        "itself on the command line to load it",
                    )
                else:
                    self.add_file(path, real, mode)
            stack.extend(reversed(subfolders))
            if self.on_folder is not None:
                self.on_folder(len(self.found) + len(self.refused))

    def link(self, path: Path, root: Path) -> tuple[Path, int] | None:
        """The real path and mode of a link's target, or None when the link is refused."""
        target = os.readlink(path)
        shown_target = printable_path(target)
        try:
            real = path.resolve(strict=True)
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            self.refuse(
                path, "dangling_link", f"symbolic link to {shown_target!r}, which does not exist"
            )
            return None
        except RuntimeError:
            self.refuse(path, "link_loop", f"symbolic link to {shown_target!r} loops")
            return None
        except OSError as exc:
            reason = "link_loop" if exc.errno == errno.ELOOP else "dangling_link"
            self.refuse(path, reason, f"symbolic link to {shown_target!r}: {exc.strerror}")
            return None
        if not self.follow and not _inside(real, root):
            what = "folder" if stat.S_ISDIR(mode) else "file"
            self.refuse(
                path,
                "outside_input",
                f"symbolic link to the {what} {printable_path(real)!r} outside the input "
                "folder; not read (pass --follow-symlinks to read it)",
            )
            return None
        return real, mode


def scan_inputs(
    paths: Iterable[str | Path],
    follow_symlinks: bool = False,
    on_folder: Callable[[int], object] | None = None,
) -> InputScan:
    """Every input file under the given files and folders, and the entries refused.

    Folders are walked recursively, in sorted order. Hidden files and folders,
    ``.gitkeep``, YAML mapping specs, page sidecars and page manifests (``manifest.tsv``
    with a txt/html/path/file column) are left out. The input stays inside the input: a
    symbolic link is followed only when its target is inside the folder being walked
    (unless ``follow_symlinks``), and only regular files are read; every other entry
    (links leaving the input, dangling links, FIFOs, sockets, devices, undecodable
    names) becomes a :class:`RefusedInput` with a reason, never opened. A path given
    explicitly is read even when it is a link. A path that does not exist raises
    SourceError naming it. ``on_folder(n)`` is called after each folder with the number of
    entries found so far (for progress).
    """
    scanner = _Scanner(follow_symlinks)
    scanner.on_folder = on_folder
    for given in paths:
        scanner.given(given)
    files = sorted(scanner.found.values(), key=lambda p: str(p))
    refused = [scanner.refused[k] for k in sorted(scanner.refused)]
    return InputScan(files, refused)


def iter_input_files(paths: Iterable[str | Path], follow_symlinks: bool = False) -> list[Path]:
    """The files :func:`scan_inputs` would read, sorted (refused entries left out)."""
    return scan_inputs(paths, follow_symlinks).files


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
    try:
        spec_path = find_spec(path)
    except OSError:
        # "<name>.policykit.yml" is too long for the file system: no per-file spec can
        # exist, but the folder's policykit.yml still applies.
        spec_path = next(
            (path.parent / n for n in SPEC_NAMES if safe_is_file(path.parent / n)), None
        )
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
