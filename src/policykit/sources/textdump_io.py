"""Sidecars, manifests and bounded reads for plain-text dumps.

The input side of :mod:`policykit.sources.textdump`: field-by-field metadata from a
manifest row and JSON sidecars beside a dump (later sources win, problems become reject
rows), and the capped, decoded read of the dump itself.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..errors import SourceError

# ---------------------------------------------------------------------------------------
# Sidecars, manifests and the capped read


# sidecar/manifest field -> staging column
_SIDECAR_FIELDS = {
    "url": ("url", "canonical_link", "link", "source_url"),
    "title": ("title", "headline"),
    "authors": ("authors", "author", "byline"),
    "published": (
        "published",
        "publish_date",
        "date_published",
        "datePublished",
        "published_at",
        "date",
        "pubdate",
    ),
    "outlet": ("outlet", "site_name", "meta_site_name", "sitename", "source", "publisher"),
    "language": ("language", "lang", "meta_lang"),
    "summary": ("summary", "description", "meta_description"),
    "tags": ("tags", "keywords", "meta_keywords"),
    "scraped_at": ("scraped_at", "crawled_at", "download_date", "date_download"),
}


def _pick_fields(record: dict) -> dict:
    """Map a sidecar/manifest record onto staging names (first non-empty alias wins)."""
    picked: dict = {}
    for column, aliases in _SIDECAR_FIELDS.items():
        for alias in aliases:
            value = record.get(alias)
            if value in (None, "", [], {}):
                continue
            if isinstance(value, dict):
                value = value.get("name") or value.get("@value")
                if not value:
                    continue
            picked[column] = value
            break
    if isinstance(picked.get("authors"), str):
        picked["authors"] = [picked["authors"]]
    return picked


_MANIFEST_NAMES = ("manifest.tsv", "manifest.csv")
_MANIFEST_FILE_COLUMNS = ("txt", "file", "path")


def _manifest_row(path: Path) -> tuple[dict, Path] | None:
    """The manifest row naming ``path`` (``manifest.tsv``/``.csv`` in the dump's folder or
    one up; the dump's path relative to the manifest in a ``txt``, ``file`` or ``path``
    column), with the manifest's folder."""
    resolved = path.resolve()
    for folder in (path.parent, path.parent.parent):
        for name in _MANIFEST_NAMES:
            manifest = folder / name
            if not _is_file(manifest):
                continue
            delimiter = "\t" if name.endswith(".tsv") else ","
            try:
                with manifest.open(encoding="utf-8-sig", newline="") as handle:
                    for row in csv.DictReader(handle, delimiter=delimiter):
                        for column in _MANIFEST_FILE_COLUMNS:
                            named = (row.get(column) or "").strip()
                            if named and (folder / named).resolve() == resolved:
                                return row, folder
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise SourceError(f"manifest {manifest} cannot be read: {exc}") from exc
    return None


class _SidecarProblem(SourceError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _load_json(path: Path, folders: list[Path]) -> dict:
    """A bounded read (size, depth, and only from the dump's or manifest's folder): the
    page readers' :func:`~policykit.sources.pages.read_json_sidecar`."""
    from .pages import read_json_sidecar

    record, reason, detail = read_json_sidecar(path, folders)
    if record is None:
        raise _SidecarProblem(reason, f"sidecar {detail}")
    return record


def load_sidecar(path: Path) -> tuple[dict, list[tuple[str, str, str]]]:
    """Metadata for a dump, field by field, later sources winning: the manifest row, the
    JSON its ``metadata`` column names, then ``<stem>.json``, ``<stem>.meta.json`` and
    ``<name>.json`` beside the dump (the same order as for HTML pages).

    Returns the fields (staging names) and the problems found, as
    ``(locator, reason, detail)`` for reject rows: a broken sidecar never hides the dump.
    """
    path = Path(path)
    merged: dict = {}
    problems: list[tuple[str, str, str]] = []
    try:
        found = _manifest_row(path)
    except SourceError as exc:
        found = None
        problems.append(("sidecar:manifest", "malformed_sidecar", str(exc)))
    if found:
        row, folder = found
        merged.update(_pick_fields({k: v for k, v in row.items() if k and v}))
        metadata = (row.get("metadata") or "").strip()
        if metadata:
            try:
                merged.update(_pick_fields(_load_json(folder / metadata, _folders(folder, path))))
            except SourceError as exc:
                problems.append((f"sidecar:{metadata}", _problem_reason(exc), str(exc)))
    for name in dict.fromkeys((f"{path.stem}.json", f"{path.stem}.meta.json", f"{path.name}.json")):
        beside = path.with_name(name)
        if _is_file(beside):
            try:
                merged.update(_pick_fields(_load_json(beside, _folders(path.parent, path))))
            except SourceError as exc:
                problems.append((f"sidecar:{name}", _problem_reason(exc), str(exc)))
    return merged, problems


def _problem_reason(exc: SourceError) -> str:
    return getattr(exc, "reason", "malformed_sidecar")


def _folders(folder: Path, dump: Path) -> list[Path]:
    """Where a dump's sidecar may live: the given folder and the folder the dump really
    is in (through a link), as real paths."""
    try:
        return list(dict.fromkeys([folder.resolve(), dump.resolve().parent]))
    except (OSError, RuntimeError):
        return []


def _is_file(path: Path) -> bool:
    # "<251-character name>.json" is too long for the file system: Python 3.11's is_file
    # raises ENAMETOOLONG instead of answering False.
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_sidecar(path: Path) -> dict:
    """The sidecar fields of :func:`load_sidecar`, problems ignored."""
    return load_sidecar(path)[0]


#: Largest plain-text dump read, as for HTML pages (pages.MAX_PAGE_BYTES): a page's
#: visible text is 2-200 KiB; line classification costs ~20x the size in memory, so a
#: 1 GiB dump would need tens of GB. Bigger files are ``too_large``, never read whole.
MAX_DUMP_BYTES = 8 * 1024 * 1024
#: Bytes of a rejected dump kept as its payload.
PAYLOAD_EXCERPT = 512


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _read_capped(path: Path) -> bytes:
    """The file's bytes, at most ``MAX_DUMP_BYTES + 1`` of them (the stat is not trusted:
    a file can grow, and a device reports size 0)."""
    with path.open("rb") as handle:
        return handle.read(MAX_DUMP_BYTES + 1)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SourceError("file holds NUL bytes: not a plain-text dump")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
