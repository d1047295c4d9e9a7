"""Raw batches of JSON-lines and JSON files (see :mod:`policykit.sources.formats`).

:func:`jsonl_raw` gives one row per physical line (``line:N``), found with numpy over the
bytes so lines never become Python objects one by one. :func:`json_raw` gives one row
per item of a document's record list (``item:N``): a top-level array is streamed item
by item, any other document is parsed whole up to :data:`MAX_JSON_DOCUMENT_BYTES`.
Lines or items longer than ``streams.MAX_RECORD_BYTES`` are ``too_large`` rejects, nesting
too deep for the parser is ``too_deep``, and a damaged gzip stream ends in one
``truncated_gzip`` (or ``decompression_bomb``) row.

Imports only :mod:`.streams` from this package.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import streams
from .streams import (
    DECODE_FALLBACK_DETAIL,
    ByteStream,
    RawRead,
    _strip_bom,
    damage_row,
    decode_lines,
    decode_text,
    is_valid_utf8,
    raw_table,
)

#: JSONL is read in chunks of this size (batches are at most batch_size rows, often fewer).
JSONL_CHUNK_BYTES = 8 << 20
#: A JSON document that is not an array is parsed whole: above this it is ``too_large``.
MAX_JSON_DOCUMENT_BYTES = 256 << 20

#: Top-level keys of a JSON object that hold the list of records (GDELT uses "articles").
CONTAINER_KEYS: tuple[str, ...] = (
    "items",
    "articles",
    "records",
    "results",
    "stories",
    "entries",
    "documents",
    "docs",
    "data",
    "rows",
)


def _lines_array(data: bytes, ends: np.ndarray) -> pa.Array:
    """Lines of ``data`` as an Arrow binary array without copying into Python objects.

    ``ends`` are the offsets just past each line's newline; the newline is sliced off.
    """
    offsets = np.empty(len(ends) + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:] = ends
    with_newline = pa.Array.from_buffers(
        pa.binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pc.binary_slice(with_newline, 0, -1)


def _binary_to_text(lines: pa.Array) -> tuple[pa.Array, list[str | None] | None]:
    """Validate UTF-8 in C++ for the whole batch; decode line by line only when that fails."""
    try:
        text = lines.cast(pa.string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        texts, details = decode_lines(lines.to_pylist())
        return pa.array(texts, pa.string()), details
    return text, None


def _too_large_row(number: int, excerpt: bytes, size: int, what: str = "line") -> pa.Table:
    text, _ = decode_text(excerpt[: streams.EXCERPT_BYTES])
    detail = (
        f"a {what} of {size} bytes is longer than {streams.MAX_RECORD_BYTES} bytes: not read whole"
    )
    return raw_table([number], [text], ["too_large"], [detail])


#: The payload of a line that held nothing but NUL bytes (see :func:`_strip_nuls`).
NUL_ONLY_MARKER = "(only NUL bytes)"


def _strip_nuls(text: pa.Array, details: list[str | None] | None):
    """Drop NUL bytes (no text format means them); the record says how many went."""
    counts = pc.count_substring(text, "\x00")
    text = pc.replace_substring(text, "\x00", "")
    # A line that held only NULs (and blanks) is still a physical record: left blank, it
    # would be skipped like an empty line and vanish from the count. A marker that is not
    # JSON makes it a malformed_json reject whose detail says what the line held.
    emptied = pc.and_(pc.greater(counts, 0), pc.equal(pc.utf8_trim_whitespace(text), ""))
    if pc.any(emptied).as_py():
        text = pc.if_else(emptied, NUL_ONLY_MARKER, text)
    out = list(details) if details is not None else [None] * len(text)
    for i, count in enumerate(counts.to_pylist()):
        if count:
            note = f"{count} NUL byte{'s' if count > 1 else ''} removed"
            out[i] = f"{out[i]}; {note}" if out[i] else note
    return text, out


# --------------------------------------------------------------------------- JSONL


def jsonl_raw(path: Path, batch_size: int) -> RawRead:
    """Raw batches for a JSON-lines file: one row per line, blank lines counted as skipped.

    Newlines are found with numpy and each batch becomes an Arrow array over the same
    bytes, so a million lines never become a million Python objects. A line longer than
    :data:`~.streams.MAX_RECORD_BYTES` is one ``too_large`` row (a bounded excerpt); the reader
    skips to its end without holding it. NUL bytes are removed and noted in the detail.
    """
    raw = RawRead(iter(()), "line:")

    def emit(data: pa.Buffer, ends: np.ndarray, first: int, nul: bool) -> pa.Table:
        lines = _lines_array(data, ends)
        text, details = _binary_to_text(lines)
        if details is None and pc.any(pc.ends_with(text, "\r")).as_py():
            text = pc.utf8_rtrim(text, characters="\r")
        if nul:
            text, details = _strip_nuls(text, details)
        numbers = np.arange(first, first + len(ends), dtype=np.int64)
        table = raw_table(numbers, text, None, details)
        lengths = pc.binary_length(lines)
        if (pc.max(lengths).as_py() or 0) > streams.MAX_RECORD_BYTES:
            big = pc.greater(lengths, streams.MAX_RECORD_BYTES)
            excerpt = pc.utf8_slice_codeunits(text, 0, streams.EXCERPT_BYTES)
            detail = pc.binary_join_element_wise(
                "a line of ",
                pc.cast(lengths, pa.string()),
                f" bytes is longer than {streams.MAX_RECORD_BYTES} bytes: not read whole",
                "",
            )
            table = raw_table(
                numbers,
                pc.if_else(big, excerpt, text),
                pc.if_else(big, "too_large", table.column("reject_reason")),
                pc.if_else(big, detail, table.column("reject_detail")),
            )
        return table

    def split(buffer: bytes, cut: int, first: int) -> Iterator[tuple[pa.Table, int]]:
        """Every complete line in ``buffer[:cut]``, in batches: (table, line count)."""
        newlines = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8, count=cut) == 10) + 1
        whole = pa.py_buffer(buffer)
        nul = buffer.find(b"\x00", 0, cut) >= 0
        for done in range(0, len(newlines), batch_size):
            ends = newlines[done : done + batch_size]
            start = int(newlines[done - 1]) if done else 0
            # Zero-copy slice of the buffer for this batch.
            piece = whole.slice(start, int(ends[-1]) - start)
            yield emit(piece, ends - start, first, nul), len(ends)
            first += len(ends)

    def batches() -> Iterator[pa.Table]:
        stream = ByteStream(Path(path), chunk_size=JSONL_CHUNK_BYTES)
        parts: list[bytes] = []
        held = 0
        skipping: list | None = None  # [number, excerpt, size] of a line too long to hold
        first = 1
        for chunk in stream:
            if skipping is not None:
                newline = chunk.find(b"\n")
                if newline < 0:
                    skipping[2] += len(chunk)
                    continue
                skipping[2] += newline
                yield _too_large_row(*skipping)
                first += 1
                skipping = None
                chunk = chunk[newline + 1 :]
                if not chunk:
                    continue
            if b"\n" not in chunk:
                parts.append(chunk)
                held += len(chunk)
                if held > streams.MAX_RECORD_BYTES:
                    head = b"".join(parts)
                    skipping = [first, head[: streams.EXCERPT_BYTES], len(head)]
                    parts, held = [], 0
                continue
            buffer = b"".join([*parts, chunk]) if parts else chunk
            cut = buffer.rfind(b"\n") + 1
            for table, count in split(buffer, cut, first):
                first += count
                yield table
            parts = [buffer[cut:]] if cut < len(buffer) else []
            held = len(buffer) - cut
        if skipping is not None:
            yield _too_large_row(*skipping)
            first += 1
        tail = b"".join(parts)
        if stream.damage:
            yield damage_row(first, tail, stream)
        elif tail:
            # A last line without a newline: a 'truncated' candidate if it does not parse.
            raw.tail_number = first
            nul = b"\x00" in tail
            yield emit(pa.py_buffer(tail + b"\n"), np.array([len(tail) + 1]), first, nul)

    raw.batches = batches()
    return raw


# --------------------------------------------------------------------------- JSON


def _records_of(document) -> tuple[list, list | None]:
    """Return (records, keys) for a parsed JSON document; keys are set for keyed objects."""
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict):
        for key in CONTAINER_KEYS:
            if isinstance(document.get(key), list):
                return document[key], None
        values = list(document.values())
        if values and all(isinstance(v, dict) for v in values):
            return values, list(document.keys())
        return [document], None
    return [document], None


def _item_text(item, key: str | None) -> str:
    # An object keyed by URL: the key is the record's URL unless the record has one.
    if (
        isinstance(item, dict)
        and key is not None
        and key.lower().startswith(("http://", "https://"))
        and not any(k in item for k in ("url", "link", "URL", "canonical_link", "source"))
    ):
        item = {"url": key, **item}
    return json.dumps(item, ensure_ascii=False)


def _latin1_errors(error: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined: those decode as latin-1 (as decode_text does).
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("policykit_latin1", _latin1_errors)


def _text_chunks(stream: ByteStream, utf8: bool) -> Iterator[str]:
    """The stream decoded incrementally: UTF-8, or cp1252 (latin-1 for its holes)."""
    if utf8:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    else:
        decoder = codecs.getincrementaldecoder("cp1252")(errors="policykit_latin1")
    for chunk in stream:
        text = decoder.decode(chunk)
        if text:
            yield text
    text = decoder.decode(b"", final=True)
    if text:
        yield text


def _cut_short(exc: ValueError, text: str) -> bool:
    """A JSON error that only says the text ends too early (more input may complete it)."""
    message = getattr(exc, "msg", "")
    pos = getattr(exc, "pos", None)
    return message.startswith("Unterminated string") or (pos is not None and pos >= len(text) - 6)


def json_raw(path: Path, batch_size: int) -> RawRead:
    """Raw batches for a JSON document: each item of the record list is one row.

    A top-level array is streamed item by item, so memory holds one item at a time, a
    document cut off mid-way (a truncated download or gzip) keeps every complete item and
    gives one reject for the rest, and an item larger than :data:`~.streams.MAX_RECORD_BYTES` is a
    ``too_large`` reject for the rest of the document. Any other document is parsed whole
    (up to :data:`MAX_JSON_DOCUMENT_BYTES`); a bare scalar (``42``, ``null``) is one
    record, rejected downstream as ``not_an_object``. Nesting deeper than Python's JSON
    parser allows (about 1,000 levels) is a ``too_deep`` reject, never a RecursionError.
    """
    raw = RawRead(iter(()), "item:")

    def batches() -> Iterator[pa.Table]:
        utf8 = is_valid_utf8(Path(path))
        detail = None if utf8 else DECODE_FALLBACK_DETAIL
        stream = ByteStream(Path(path))
        chunks = _text_chunks(stream, utf8)
        text = ""
        for piece in chunks:
            text += piece
            if text.strip():
                break
        text = _strip_bom(text).lstrip()
        if text.startswith("["):
            yield from _array_items(raw, stream, chunks, text, batch_size, detail)
            return
        parts, size = [text], len(text)
        for piece in chunks:
            parts.append(piece)
            size += len(piece)
            if size > MAX_JSON_DOCUMENT_BYTES:
                excerpt = "".join(parts)[: streams.EXCERPT_BYTES]
                message = (
                    f"a JSON document (not an array) larger than {MAX_JSON_DOCUMENT_BYTES} "
                    "bytes is not parsed whole; convert it to JSON lines"
                )
                yield raw_table([None], [excerpt], ["too_large"], [message])
                return
        text = "".join(parts)
        del parts
        items: list[str] = []
        number = 0
        failure: tuple[str, str, str] | None = None
        try:
            document = json.loads(text)
            records, keys = _records_of(document)
            texts = [_item_text(item, keys[i] if keys else None) for i, item in enumerate(records)]
        except RecursionError:
            failure = ("too_deep", "JSON nested deeper than the parser's limit", text)
        except ValueError as exc:
            if _probably_json_lines(text, exc):
                # Several values one per line: JSON lines after all, read line by line.
                raw.prefix, raw.fmt = "line:", "jsonl"
                lines = jsonl_raw(Path(path), batch_size)
                for table in lines.batches:
                    raw.tail_number = lines.tail_number
                    yield table
                return
            reason = "truncated" if stream.damage or _runs_to_end(text, exc) else "malformed_json"
            failure = (reason, f"{exc}", text)
        else:
            for item in texts:
                items.append(item)
                number += 1
                if len(items) >= batch_size:
                    yield _items_table(number - len(items) + 1, items, detail)
                    items = []
        if items:
            yield _items_table(number - len(items) + 1, items, detail)
        if stream.damage:
            tail = failure[2] if failure else ""
            yield damage_row(number + 1, tail.encode("utf-8", "replace"), stream)
        elif failure:
            reason, message, tail = failure
            locator_number = number + 1 if number else None  # None -> locator 'file'
            yield raw_table(
                [locator_number], [tail[: streams.PAYLOAD_EXCERPT]], [reason], [message]
            )

    raw.batches = batches()
    return raw


def _array_items(raw, stream, chunks, text, batch_size, detail) -> Iterator[pa.Table]:
    """Stream the items of a top-level array (``text`` starts with '[')."""
    decoder = json.JSONDecoder()
    pos = 1
    number = 0
    items: list[str] = []
    expect_item = True
    at_end = False
    failure: tuple[str, str] | None = None

    def more(need: int = 0) -> bool:
        nonlocal text, pos, at_end
        added = []
        size = 0
        for piece in chunks:
            added.append(piece)
            size += len(piece)
            if size >= max(need, 1):
                break
        if not added:
            at_end = True
            return False
        text = text[pos:] + "".join(added)
        pos = 0
        return True

    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            if at_end or not more():
                failure = ("truncated", "array not closed")
                break
            continue
        char = text[pos]
        if char == "]":
            break
        if char == ",":
            if expect_item:
                failure = ("malformed_json", f"unexpected comma at character {pos}")
                break
            expect_item = True
            pos += 1
            continue
        if not expect_item:
            failure = ("malformed_json", "expected , or ] between items")
            break
        try:
            _, end = decoder.raw_decode(text, pos)
        except RecursionError:
            failure = ("too_deep", "JSON nested deeper than the parser's limit")
            break
        except ValueError as exc:
            if not at_end and _cut_short(exc, text):
                if len(text) - pos > streams.MAX_RECORD_BYTES:
                    failure = (
                        "too_large",
                        f"an item longer than {streams.MAX_RECORD_BYTES} bytes: it and the rest of "
                        "the document are not read",
                    )
                    break
                more(need=len(text) - pos)  # double the window: each item parses O(1) times
                continue
            reason = "truncated" if stream.damage or _runs_to_end(text, exc) else "malformed_json"
            failure = (reason, f"{exc}")
            break
        if end >= len(text) and text[end - 1] not in '}]"' and not at_end:
            more()  # a number or literal at the window's edge may go on
            continue
        items.append(text[pos:end])
        number += 1
        pos = end
        expect_item = False
        if len(items) >= batch_size:
            yield _items_table(number - len(items) + 1, items, detail)
            items = []
    if items:
        yield _items_table(number - len(items) + 1, items, detail)
    if failure is None:
        return
    rest = text[pos : pos + streams.PAYLOAD_EXCERPT].lstrip(" \t\r\n,")
    if stream.damage:
        yield damage_row(number + 1, rest.encode("utf-8", "replace"), stream)
    else:
        yield raw_table([number + 1 if number else None], [rest], [failure[0]], [failure[1]])


def _probably_json_lines(text: str, exc: ValueError) -> bool:
    """A JSON parse error that means 'more than one value', on a text with several lines."""
    message = getattr(exc, "msg", "")
    return message == "Extra data" and text.strip().count("\n") >= 1


def _runs_to_end(text: str, exc: ValueError) -> bool:
    """True when a JSON error is at the very end of the text (the document was cut off)."""
    pos = getattr(exc, "pos", None)
    return pos is not None and not text[pos:].strip()


def _items_table(first: int, items: list[str], detail: str | None) -> pa.Table:
    numbers = np.arange(first, first + len(items), dtype=np.int64)
    details = None if detail is None else [detail] * len(items)
    return raw_table(numbers, items, None, details)
