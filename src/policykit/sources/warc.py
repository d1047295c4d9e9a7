"""WARC and ARC archives: one record per archived HTML page.

warcio walks the archive (ARC records are converted to WARC on the fly). HTML
``response`` and ``resource`` records become staging records with ``url`` =
``WARC-Target-URI``, ``scraped_at`` = ``WARC-Date`` and locator ``offset:<byte offset
of the record>``; their bodies (chunked and content-encoded bodies decoded) go through
:func:`policykit.sources.html.extract_html` in worker processes.

Everything else is counted in ``FileRead.skipped`` by kind and skipped by design:
``request``, ``revisit`` (no payload of its own), ``metadata``, ``warcinfo``,
``conversion``, ``non_html`` (images, scripts, PDFs...) and ``too_large`` responses
are counted as rows (rejects) instead, since they were meant to be pages.

A damaged archive (a record cut short, a broken gzip member) yields every record before
the damage and exactly one reject row, ``truncated_archive``, whose detail names the
offset. ``FileRead.skipped`` fills in as the batches are consumed.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from . import FileRead, ReadOptions, batch_from_rows
from .pages import MAX_PAGE_BYTES, looks_binary, ordered_map, sample_text

#: Content types extracted as pages; a missing type is sniffed instead.
HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+html", "text/xml+html")
PAGE_RECORD_TYPES = ("response", "resource")
#: How a WARC record (after gunzip) or an ARC file begins.
ARCHIVE_MAGIC = (b"WARC/", b"filedesc://")
#: Rows per staging batch; bodies are large, so batches stay small.
WARC_BATCH_ROWS = 500


def _content_type(record) -> str:
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    return (headers.get_header("Content-Type") or "").strip()


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _is_html(content_type: str, head: bytes) -> bool:
    media = content_type.split(";")[0].strip().lower()
    if media:
        return media in HTML_TYPES
    sniff = head[:1024].lstrip().lower()
    return not looks_binary(head) and sniff.startswith((b"<!doctype html", b"<html", b"<head"))


def _http_status(record) -> str | None:
    if record.http_headers is None or record.rec_type != "response":
        return None
    return record.http_headers.get_statuscode()


class _Damage(Exception):
    """The archive ends or breaks inside a record."""

    def __init__(self, offset: int, detail: str):
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def _next_record(iterator, stderr: io.StringIO):
    # warcio prints a warning for a record whose Content-Length does not match; keep it.
    with contextlib.redirect_stderr(stderr):
        return next(iterator, None)


def _page_items(path: Path, skipped: Counter, damage: list) -> Iterator[dict]:
    """Yield one task dict per HTML page record; count the rest; note damage."""
    from warcio.archiveiterator import ArchiveIterator

    warnings = io.StringIO()
    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle, arc2warc=True)
        offset = end = 0
        while True:
            try:
                record = _next_record(iterator, warnings)
                if record is None:
                    break
                offset = iterator.offset
                item = _record_item(record, offset, skipped)
                # Where this record ends (gzip member included): anything after the last
                # end that warcio did not turn into a record is damage.
                with contextlib.redirect_stderr(warnings):
                    end = offset + iterator.get_record_length()
            except _Damage as exc:
                damage.append(exc)
                return
            except Exception as exc:  # noqa: BLE001 - warcio raises many types on bad bytes
                # warcio has moved its offset to the start of the record it failed on.
                offset = max(offset, iterator.offset)
                damage.append(_Damage(offset, f"unreadable from offset {offset}: {exc}"))
                return
            if item is not None:
                yield item
            if _member_cut_short(iterator, handle):
                detail = f"the gzip member of the record at offset {offset} is cut short"
                damage.append(_Damage(offset, detail))
                return
        _check_tail(handle, end, damage)
    if warnings.getvalue().strip() and not damage:
        # A Content-Length that does not match the bytes: warcio resynchronised on the
        # next record, but the record before the reported offset is damaged. Say so once.
        note = " ".join(warnings.getvalue().split())
        found = re.search(r"Offset: (\d+)", note)
        at = int(found.group(1)) if found else offset
        damage.append(_Damage(at, f"record boundary broken at offset {at}: {note}"))


def _member_cut_short(iterator, handle) -> bool:
    """True when the file is used up but the current gzip member never ended.

    zlib decompresses a member cut before its trailer without complaint, so a record
    can read back whole from a truncated file; the missing end of stream gives it away.
    """
    decompressor = getattr(iterator.reader, "decompressor", None)
    if decompressor is None or getattr(decompressor, "eof", True):
        return False
    position = handle.tell()
    size = handle.seek(0, io.SEEK_END)
    handle.seek(position)
    return position >= size


def _check_tail(handle, end: int, damage: list) -> None:
    """Bytes left after the last record warcio could read: a record cut short.

    warcio ends quietly when a gzip member is cut inside its WARC headers.
    """
    size = handle.seek(0, io.SEEK_END)
    if end >= size:
        return
    handle.seek(end)
    if handle.read(256).strip(b"\r\n\t \x00"):
        detail = (
            f"{size - end} bytes from offset {end} to the end of the file are not a "
            "complete record (cut short or corrupt)"
        )
        damage.append(_Damage(end, detail))


def _record_item(record, offset: int, skipped: Counter) -> dict | None:
    kind = record.rec_type
    length = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not kind or not length.isdigit():
        # Every WARC record (and every converted ARC record) names its type and length:
        # without them the header block itself was cut.
        raise _Damage(offset, f"record at offset {offset} has an incomplete header block")
    if kind not in PAGE_RECORD_TYPES:
        _drain(record, offset)
        skipped[kind] += 1
        return None
    content_type = _content_type(record)
    stream = record.content_stream()
    body = stream.read(MAX_PAGE_BYTES + 1)
    if len(body) > MAX_PAGE_BYTES:
        _drain(record, offset)
        return {"offset": offset, "reject": ("too_large", f"payload over {MAX_PAGE_BYTES} bytes")}
    _drain(record, offset)
    if not _is_html(content_type, body[:4096]):
        skipped["non_html"] += 1
        return None
    return {
        "offset": offset,
        "body": body,
        "charset": _charset(content_type),
        "url": record.rec_headers.get_header("WARC-Target-URI"),
        "scraped_at": record.rec_headers.get_header("WARC-Date"),
        "status": _http_status(record),
    }


def _drain(record, offset: int) -> None:
    """Read what is left of the record; a short read means the archive is cut here."""
    while record.raw_stream.read(1 << 16):
        pass
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        declared = record.rec_headers.get_header("Content-Length")
        raise _Damage(
            offset,
            f"{record.rec_type} record at offset {offset} declares Content-Length "
            f"{declared} but the archive ends {missing} bytes short",
        )


def _extract_item(item: dict) -> dict:
    """Worker task: one archived page -> one staging row."""
    from .html import extract_html

    row = {"source_locator": f"offset:{item['offset']}", "scraped_at": item.get("scraped_at")}
    if "reject" in item:
        row["reject_reason"], row["reject_detail"] = item["reject"]
        return row
    record = extract_html(
        item["body"], url=item["url"], charset=item["charset"], scraped_at=item.get("scraped_at")
    )
    provenance = {
        "offset": item["offset"],
        "http_status": item["status"],
        "encoding": record.pop("encoding"),
        "encoding_source": record.pop("encoding_source"),
    }
    record["extraction_method"] = "warc+trafilatura"
    record.update(row, payload=json.dumps(provenance))
    return record


def _failed_item(item: dict, exc: BaseException) -> dict:
    return {
        "source_locator": f"offset:{item['offset']}",
        "reject_reason": "extraction_failed",
        "reject_detail": f"{type(exc).__name__}: {exc}",
        "payload": sample_text(item.get("body") or b""),
    }


def _archive_problem(path: Path) -> tuple[str, str] | None:
    """A reject (reason, detail) when the file is empty or does not start like WARC/ARC."""
    if path.stat().st_size == 0:
        return "empty_file", "0 bytes"
    with path.open("rb") as handle:
        head = handle.read(64)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                head = handle.read(64)
        except (OSError, EOFError, zlib.error) as exc:
            return "truncated_archive", f"first gzip member unreadable: {exc}"
    if not head.lstrip(b"\r\n").startswith(ARCHIVE_MAGIC):
        return "malformed_archive", f"not a WARC/ARC file: starts with {head[:24]!r}"
    return None


def _batches(path: Path, opts: ReadOptions, skipped: Counter) -> Iterator:
    problem = _archive_problem(path)
    if problem is not None:
        reason, detail = problem
        yield batch_from_rows(
            [{"source_locator": "offset:0", "reject_reason": reason, "reject_detail": detail}]
        )
        return
    damage: list[_Damage] = []
    rows: list[dict] = []
    size = max(1, min(opts.batch_size, WARC_BATCH_ROWS))
    items = _page_items(path, skipped, damage)
    for row in ordered_map(_extract_item, items, opts.workers, _failed_item, warm=True):
        rows.append(row)
        if len(rows) >= size:
            yield batch_from_rows(rows)
            rows = []
    for exc in damage[:1]:
        rows.append(
            {
                "source_locator": f"offset:{exc.offset}",
                "reject_reason": "truncated_archive",
                "reject_detail": exc.detail,
            }
        )
    if rows:
        yield batch_from_rows(rows)


def read_warc(path: Path, opts: ReadOptions) -> FileRead:
    """Read a WARC or ARC file (plain or gzipped) into staging records, one per HTML page.

    ``FileRead.skipped`` counts request/revisit/metadata/warcinfo/non-HTML records; it is
    complete once the batches have been consumed.
    """
    path = Path(path)
    skipped: Counter = Counter()
    fmt = "arc" if ".arc" in path.name.lower() else "warc"
    return FileRead(
        path=str(path),
        format=fmt,
        layout="page",
        batches=_batches(path, opts, skipped),
        skipped=skipped,
    )
