"""Format detection and the structured-metadata readers: JSONL, JSON, CSV/TSV and Parquet.

Every reader here reduces its input to *raw batches*: Arrow tables with one row per input
record and the columns ``n`` (the record's 1-based number: line, item or row),
``payload`` (the record as text; JSON for structured rows), ``reject_reason`` and
``reject_detail`` (set when the reader already knows the record is broken). The field
extraction that turns raw batches into staging batches is shared and vectorised in DuckDB
(:class:`policykit.sources.layouts.Projector`), so no reader loops over record dicts in
Python.

Gzip is transparent everywhere: a file that starts with the gzip magic bytes ``1f 8b`` is
decompressed on the fly whatever its suffix, and a damaged or truncated gzip stream yields
everything before the damage plus one ``truncated_gzip`` reject row.

Bytes that are not valid UTF-8 are decoded per line (or per CSV value) as cp1252, or
latin-1 for the few bytes cp1252 leaves undefined; the record is kept and
``reject_detail`` says ``not valid UTF-8: decoded as cp1252`` while ``reject_reason``
stays NULL (a warning, not a reject).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import FormatError

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
CHUNK_SIZE = 1 << 20
SNIFF_BYTES = 64 * 1024
LONG_SNIFF_BYTES = 4 << 20
#: pyarrow's CSV reader parses blocks of this size.
CSV_BLOCK_BYTES = 4 << 20
#: JSONL is read in chunks of this size (batches are at most batch_size rows, often fewer).
JSONL_CHUNK_BYTES = 8 << 20

#: Formats this module reads.
METADATA_FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "tsv", "parquet")
#: Formats detected here but read by the page readers.
PAGE_FORMATS: tuple[str, ...] = ("html", "txt", "warc", "arc", "feed", "sitemap")
SUPPORTED_FORMATS: tuple[str, ...] = METADATA_FORMATS + PAGE_FORMATS

RAW_SCHEMA = pa.schema(
    [
        ("n", pa.int64()),
        ("payload", pa.string()),
        ("reject_reason", pa.string()),
        ("reject_detail", pa.string()),
    ]
)

DECODE_FALLBACK_DETAIL = "not valid UTF-8: decoded as cp1252"

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


# --------------------------------------------------------------------------- bytes


@dataclass
class ByteStream:
    """The decompressed bytes of a file, in chunks; damage is recorded, never raised.

    After iteration, :attr:`damage` is ``None`` for a clean read, or says what went wrong
    with the gzip stream (``truncated`` or corrupt data).
    """

    path: Path
    chunk_size: int = CHUNK_SIZE
    gzipped: bool = False
    damage: str | None = None
    compressed_read: int = 0

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            first = fh.read(self.chunk_size)
            if not first.startswith(GZIP_MAGIC):
                while first:
                    yield first
                    first = fh.read(self.chunk_size)
                return
            self.gzipped = True
            yield from self._gunzip(fh, first)

    def _gunzip(self, fh, data: bytes) -> Iterator[bytes]:
        # zlib instead of gzip.open: gzip.open loses the bytes it had already decompressed
        # when it hits a truncated stream, and we want every byte before the damage.
        decomp = zlib.decompressobj(wbits=31)
        while True:
            if not data:
                data = fh.read(self.chunk_size)
                if not data:
                    break
            self.compressed_read += len(data)
            try:
                out = decomp.decompress(data)
            except zlib.error as exc:
                self.damage = (
                    f"corrupt gzip data after {self.compressed_read} compressed bytes ({exc})"
                )
                return
            data = b""
            if out:
                yield out
            if decomp.eof:
                rest = decomp.unused_data or fh.read(self.chunk_size)
                if not rest.strip(b"\x00"):
                    if not fh.read(1):
                        return
                    rest = rest + fh.read(self.chunk_size)
                if not rest.startswith(GZIP_MAGIC):
                    self.damage = "unexpected bytes after the end of the gzip stream"
                    return
                # Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream.
                decomp = zlib.decompressobj(wbits=31)
                data = rest
        tail = decomp.flush()
        if tail:
            yield tail
        if not decomp.eof:
            self.damage = (
                "gzip stream ends before its end marker (file truncated after "
                f"{self.compressed_read} compressed bytes)"
            )


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` decompressed bytes of a file (a damaged gzip gives what it can)."""
    stream = ByteStream(Path(path), chunk_size=min(size, CHUNK_SIZE))
    parts, total = [], 0
    for chunk in stream:
        parts.append(chunk)
        total += len(chunk)
        if total >= size:
            break
    return b"".join(parts)[:size]


# --------------------------------------------------------------------------- text


def decode_text(data: bytes) -> tuple[str, bool]:
    """Decode bytes as UTF-8, else cp1252, else latin-1; return (text, used_fallback)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), True
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


def decode_lines(lines: list[bytes]) -> tuple[list[str], list[str | None] | None]:
    """Decode a batch of lines; the second value flags lines that needed the fallback.

    The whole batch is decoded in one call when it is valid UTF-8 (the normal case);
    only a batch with bad bytes is decoded line by line.
    """
    if not lines:
        return [], None
    try:
        return b"\n".join(lines).decode("utf-8").split("\n"), None
    except UnicodeDecodeError:
        pass
    texts: list[str] = []
    details: list[str | None] = []
    for line in lines:
        text, fallback = decode_text(line)
        texts.append(text)
        details.append(DECODE_FALLBACK_DETAIL if fallback else None)
    return texts, details


def _nulls(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())


def raw_table(
    numbers,
    payloads: list[str | None] | pa.Array,
    reasons: list[str | None] | None = None,
    details: list[str | None] | None = None,
) -> pa.Table:
    """Build a raw batch (see the module docstring)."""
    payload_arr = payloads if isinstance(payloads, pa.Array) else pa.array(payloads, pa.string())
    count = len(payload_arr)
    return pa.table(
        {
            "n": pa.array(numbers, type=pa.int64()),
            "payload": payload_arr,
            "reject_reason": _nulls(count) if reasons is None else pa.array(reasons, pa.string()),
            "reject_detail": _nulls(count) if details is None else pa.array(details, pa.string()),
        },
        schema=RAW_SCHEMA,
    )


def damage_row(number: int | None, tail: bytes, damage: str) -> pa.Table:
    text, _ = decode_text(tail)
    return raw_table([number], [text], ["truncated_gzip"], [damage])


# --------------------------------------------------------------------------- detection


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _is_binary(head: bytes) -> bool:
    if b"\x00" in head[:8192]:
        return True
    sample = head[:8192]
    if not sample:
        return False
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / len(sample) > 0.05


def _json_lines_look_like_jsonl(text: str, complete: bool) -> bool:
    """True when the text holds two or more lines that look like one JSON value each.

    Pretty-printed JSON has a bracket alone in column 0 at its start and end only, so a
    column-0 line that parses on its own, or two lines that open and close an object in
    column 0, mean JSON lines. ``complete``: the text is the whole file (its last line
    can be judged too).
    """
    lines = [line.rstrip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return False
    judged = lines if complete else lines[:-1]
    if lines[0].startswith("["):
        # An array document may list one object per line ("[", "{...},", "{...}", "]"):
        # only call it JSON lines when its first line is a whole value itself.
        try:
            json.loads(lines[0])
        except ValueError:
            return False
    shaped = 0
    for line in judged[:50]:
        if line[:1] not in '{["':
            continue
        if line.startswith("{") and line.endswith("}") and len(line) > 2:
            shaped += 1
        try:
            json.loads(line)
        except ValueError:
            continue
        return True
    return shaped >= 2


def _delimited_kind(text: str, suffix: str) -> str | None:
    """'csv' or 'tsv' when the first lines look like a consistent delimited table."""
    lines = [line for line in text.split("\n")[:40] if line.strip()]
    # Drop a possibly truncated last line of the sniffed head.
    if len(lines) > 2:
        lines = lines[:-1]
    if not lines:
        return None
    for delimiter, kind in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        if delimiter not in lines[0]:
            continue
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        header_ok = all(len(cell) <= 200 for cell in rows[0])
        if len(rows) == 1:
            if suffix in (".csv", ".tsv", ".tab") and header_ok:
                return kind
            continue
        same = sum(1 for row in rows[1:] if len(row) == width) / (len(rows) - 1)
        if header_ok and (same >= 0.8 or (suffix in (".csv", ".tsv", ".tab") and same >= 0.5)):
            return kind
    return None


def _suffixes(path: Path) -> list[str]:
    return [s.lower() for s in path.suffixes if s.lower() != ".gz"]


def sniff_format(head: bytes, path: Path) -> str | None:
    """Detect a format from the first bytes (already decompressed); ``None`` if unknown."""
    suffixes = _suffixes(path)
    suffix = suffixes[-1] if suffixes else ""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"filedesc://"):
        return "arc"
    if not head.strip():
        return None
    if _is_binary(head):
        return None
    text, _ = decode_text(head)
    text = _strip_bom(text).replace("\r\n", "\n")
    stripped = text.lstrip()
    lowered = stripped[:4096].lower()
    if stripped.startswith("<"):
        if "<rss" in lowered or "<feed" in lowered or "<rdf:rdf" in lowered:
            return "feed"
        if "<urlset" in lowered or "<sitemapindex" in lowered:
            return "sitemap"
        return "html"
    if stripped[:1] in "{[":
        if _json_lines_look_like_jsonl(stripped, complete=len(head) < SNIFF_BYTES):
            return "jsonl"
        if stripped.startswith("{") and "jsonfeed.org/version" in lowered.replace("\\/", "/"):
            return "feed"
        if suffix in (".jsonl", ".ndjson", ".jsonlines") and "\n" not in stripped.strip():
            return "jsonl"
        return "json"
    if "<html" in lowered or "<!doctype html" in lowered:
        return "html"
    delimited = _delimited_kind(text, suffix)
    if delimited:
        return delimited
    return "txt"


def detect_format(path: Path) -> str:
    """Detect a file's format from its content, using the suffix only as a hint.

    Raises
    ------
    FormatError
        When the file is empty, binary or otherwise not one of :data:`SUPPORTED_FORMATS`.
    """
    path = Path(path)
    head = read_head(path)
    fmt = sniff_format(head, path)
    if fmt == "json" and len(head) == SNIFF_BYTES and head.count(b"\n") < 3:
        # Long first records (a JSONL line with a 100 KB body): look further before
        # deciding that this is one JSON document.
        head = read_head(path, LONG_SNIFF_BYTES)
        fmt = sniff_format(head, path)
    if fmt is None:
        what = "is empty" if not head.strip() else "is binary or in an unknown format"
        raise FormatError(
            f"{path}: {what}; supported formats: {', '.join(SUPPORTED_FORMATS)} "
            "(gzip-compressed or not)"
        )
    return fmt


# --------------------------------------------------------------------------- JSONL


@dataclass
class RawRead:
    """Raw batches of one file, plus what the projection needs to know about them."""

    batches: Iterator[pa.Table]
    prefix: str  # 'line:' | 'item:' | 'row:'
    #: the record number of a final line that had no newline (a 'truncated' candidate)
    tail_number: int = -1
    #: set when the reader found the file to be another format than detected
    fmt: str | None = None


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


def jsonl_raw(path: Path, batch_size: int) -> RawRead:
    """Raw batches for a JSON-lines file: one row per line, blank lines counted as skipped.

    Newlines are found with numpy and each batch becomes an Arrow array over the same
    bytes, so a million lines never become a million Python objects.
    """
    raw = RawRead(iter(()), "line:")

    def emit(data: pa.Buffer, ends: np.ndarray, first: int) -> pa.Table:
        lines = _lines_array(data, ends)
        text, details = _binary_to_text(lines)
        if details is None and pc.any(pc.ends_with(text, "\r")).as_py():
            text = pc.utf8_rtrim(text, characters="\r")
        numbers = np.arange(first, first + len(ends), dtype=np.int64)
        return raw_table(numbers, text, None, details)

    def split(buffer: bytes, cut: int, first: int) -> Iterator[tuple[pa.Table, int]]:
        """Every complete line in ``buffer[:cut]``, in batches: (table, line count)."""
        newlines = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8, count=cut) == 10) + 1
        whole = pa.py_buffer(buffer)
        for done in range(0, len(newlines), batch_size):
            ends = newlines[done : done + batch_size]
            start = int(newlines[done - 1]) if done else 0
            # Zero-copy slice of the buffer for this batch.
            yield emit(whole.slice(start, int(ends[-1]) - start), ends - start, first), len(ends)
            first += len(ends)

    def batches() -> Iterator[pa.Table]:
        stream = ByteStream(Path(path), chunk_size=JSONL_CHUNK_BYTES)
        parts: list[bytes] = []
        first = 1
        for chunk in stream:
            if first == 1 and not parts:
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")
            if b"\n" not in chunk:
                parts.append(chunk)
                continue
            buffer = b"".join([*parts, chunk]) if parts else chunk
            cut = buffer.rfind(b"\n") + 1
            for table, count in split(buffer, cut, first):
                first += count
                yield table
            parts = [buffer[cut:]] if cut < len(buffer) else []
        tail = b"".join(parts)
        if stream.damage:
            yield damage_row(first, tail, stream.damage)
        elif tail:
            # A last line without a newline: a 'truncated' candidate if it does not parse.
            raw.tail_number = first
            yield emit(pa.py_buffer(tail + b"\n"), np.array([len(tail) + 1]), first)

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


def _iter_array_items(text: str, start: int) -> Iterator[tuple[int, str]]:
    """Yield (end_offset, raw_text) of each item of the array opening at ``text[start]``.

    Raises ValueError (with ``.pos``) at the first item that does not parse, so the caller
    can keep the items before the damage.
    """
    decoder = json.JSONDecoder()
    pos = start + 1
    length = len(text)
    expect_item = True
    while True:
        while pos < length and text[pos] in " \t\r\n":
            pos += 1
        if pos >= length:
            raise json.JSONDecodeError("array not closed", text, pos)
        char = text[pos]
        if char == "]":
            return
        if char == ",":
            if expect_item:
                raise json.JSONDecodeError("unexpected comma", text, pos)
            expect_item = True
            pos += 1
            continue
        if not expect_item:
            raise json.JSONDecodeError("expected , or ]", text, pos)
        _, end = decoder.raw_decode(text, pos)
        yield end, text[pos:end]
        pos = end
        expect_item = False


def json_raw(path: Path, batch_size: int) -> RawRead:
    """Raw batches for a JSON document: each item of the record list is one row.

    A top-level array is walked item by item, so a document cut off mid-way (a truncated
    download or gzip) keeps every complete item and gives one reject for the rest.
    """
    raw = RawRead(iter(()), "item:")

    def batches() -> Iterator[pa.Table]:
        stream = ByteStream(Path(path))
        data = b"".join(stream)
        text, fallback = decode_text(data)
        detail = DECODE_FALLBACK_DETAIL if fallback else None
        text = _strip_bom(text)
        start = len(text) - len(text.lstrip())
        items: list[str] = []
        number = 0
        failure: tuple[str, str, str] | None = None
        if text[start : start + 1] == "[":
            resume = start + 1
            try:
                for end, item in _iter_array_items(text, start):
                    items.append(item)
                    number += 1
                    if len(items) >= batch_size:
                        yield _items_table(number - len(items) + 1, items, detail)
                        items = []
                    resume = end
            except ValueError as exc:
                reason = (
                    "truncated" if stream.damage or _runs_to_end(text, exc) else "malformed_json"
                )
                failure = (reason, f"{exc}", text[resume:].lstrip(" \t\r\n,"))
        else:
            try:
                document = json.loads(text)
            except ValueError as exc:
                if _probably_json_lines(text, exc):
                    # Several values one per line: JSON lines after all, read line by line.
                    raw.prefix, raw.fmt = "line:", "jsonl"
                    lines = jsonl_raw(Path(path), batch_size)
                    for table in lines.batches:
                        raw.tail_number = lines.tail_number
                        yield table
                    return
                reason = (
                    "truncated" if stream.damage or _runs_to_end(text, exc) else "malformed_json"
                )
                failure = (reason, f"{exc}", text)
            else:
                records, keys = _records_of(document)
                for i, item in enumerate(records):
                    items.append(_item_text(item, keys[i] if keys else None))
                    number += 1
                    if len(items) >= batch_size:
                        yield _items_table(number - len(items) + 1, items, detail)
                        items = []
        if items:
            yield _items_table(number - len(items) + 1, items, detail)
        if stream.damage:
            tail = failure[2] if failure else ""
            yield raw_table([number + 1], [tail], ["truncated_gzip"], [stream.damage])
        elif failure:
            reason, message, tail = failure
            locator_number = number + 1 if number else None  # None -> locator 'file'
            yield raw_table([locator_number], [tail], [reason], [message])

    raw.batches = batches()
    return raw


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


# --------------------------------------------------------------------------- CSV / TSV


class _StreamReader(io.RawIOBase):
    """A file-like view of a :class:`ByteStream`, for pyarrow's CSV reader.

    When the stream is damaged, the bytes after the last newline are held back (they are
    reported as the truncated_gzip reject) so the CSV parser never sees half a row.
    """

    def __init__(self, stream: ByteStream, skip_bytes: int = 0):
        self._chunks = iter(stream)
        self._stream = stream
        self._buffer = b""
        self._skip = skip_bytes
        self._done = False
        self.held_tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while len(self._buffer) < len(target) and not self._done:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._done = True
                if self._stream.damage:
                    cut = self._buffer.rfind(b"\n") + 1
                    self.held_tail = self._buffer[cut:]
                    self._buffer = self._buffer[:cut]
                break
            if self._skip:
                dropped = min(self._skip, len(chunk))
                chunk = chunk[dropped:]
                self._skip -= dropped
            self._buffer += chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def read_header(path: Path, delimiter: str) -> tuple[list[str], int]:
    """The header cells of a delimited file and the byte length of the header record."""
    head = read_head(path)
    text, _ = decode_text(head)
    reader = csv.reader(io.StringIO(_strip_bom(text), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], 0
    # Count bytes up to the newline that ends the header record (it may span lines when
    # a header cell is quoted), on the raw bytes so any encoding works.
    end = -1
    for _ in range(reader.line_num):
        end = head.find(b"\n", end + 1)
        if end < 0:
            return header, len(head)
    return header, end + 1


def unique_names(names: list[str]) -> list[str]:
    """Make column names non-empty and unique ('' -> 'column_3', repeats get '_2')."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names, start=1):
        name = name.strip() or f"column_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _decode_column(column: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray | None]:
    """Binary column -> string column; returns a mask of values that needed the fallback."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    try:
        return column.cast(pa.string()), None
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    values, flags = [], []
    for value in column.to_pylist():
        if value is None:
            values.append(None)
            flags.append(False)
            continue
        text, fallback = decode_text(value)
        values.append(text)
        flags.append(fallback)
    return pa.array(values, pa.string()), np.array(flags, dtype=bool)


def delimited_raw(
    path: Path,
    batch_size: int,
    delimiter: str,
    columns: list[str] | None,
    to_json,
) -> tuple[RawRead, list[str]]:
    """Raw batches for CSV/TSV through pyarrow's streaming CSV reader.

    ``row:N`` numbers data rows from 1; a header line is not counted. Rows with the wrong
    number of fields become ``malformed_csv`` rejects with the row's text.
    ``to_json`` turns an Arrow table of string columns into a JSON text per row.
    Returns the raw read and the column names.
    """
    import pyarrow.csv as pacsv

    path = Path(path)
    if columns:
        names, skip = unique_names(list(columns)), 0
    else:
        header, skip = read_header(path, delimiter)
        names = unique_names(header)
    raw = RawRead(iter(()), "row:")
    if not is_valid_utf8(path):
        # pyarrow cannot hand back the text of a malformed row that is not UTF-8, so
        # legacy-encoded files take the (slower) csv-module path with per-line decoding.
        raw.batches = _python_csv_batches(path, batch_size, delimiter, names, skip, to_json)
        return raw, names
    invalid: list[tuple[int, str, str]] = []  # (data row number, text, detail)

    def on_invalid(row) -> str:
        # The header bytes are skipped before pyarrow sees the stream, so its row
        # numbers are data-row numbers.
        number = row.number
        invalid.append(
            (
                number,
                row.text,
                f"{row.actual_columns} fields where the header has {row.expected_columns}",
            )
        )
        return "skip"

    def batches() -> Iterator[pa.Table]:
        stream = ByteStream(path)
        source = _StreamReader(stream, skip_bytes=skip)
        reader = None
        next_row = 1
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    use_threads=False,
                    block_size=CSV_BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.binary() for name in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for record_batch in reader:
                table = pa.Table.from_batches([record_batch])
                next_row, out = _delimited_batch(table, names, next_row, invalid, to_json)
                yield from out
        except (pa.ArrowInvalid, OSError) as exc:
            yield from _flush_invalid(invalid, next_row)
            yield raw_table([None], [""], ["malformed_csv"], [f"CSV parse error: {exc}"])
            return
        yield from _flush_invalid(invalid, next_row)
        if stream.damage:
            tail, _ = decode_text(source.held_tail)
            yield raw_table([next_row + len(invalid)], [tail], ["truncated_gzip"], [stream.damage])

    raw.batches = batches()
    return raw, names


def is_valid_utf8(path: Path) -> bool:
    """True when the whole (decompressed) file is valid UTF-8; a damaged tail is ignored."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream = ByteStream(Path(path))
    try:
        for chunk in stream:
            decoder.decode(chunk)
    except UnicodeDecodeError:
        return False
    if stream.damage:
        return True  # an incomplete character at the cut is the damage row's business
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _python_csv_batches(
    path: Path, batch_size: int, delimiter: str, names: list[str], skip: int, to_json
) -> Iterator[pa.Table]:
    """CSV rows through the csv module, for files that are not valid UTF-8.

    Each physical line is decoded on its own (UTF-8, else cp1252); a row built from a
    fallback-decoded line is flagged in ``reject_detail``.
    """
    stream = ByteStream(Path(path))
    consumed: list[str] = []
    flagged = [False]
    held_tail = [b""]

    def lines() -> Iterator[str]:
        pending = b""
        skipped = 0
        for chunk in stream:
            data = pending + chunk
            if skipped < skip:
                dropped = min(skip - skipped, len(data))
                data = data[dropped:]
                skipped += dropped
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            for line in data[:cut].splitlines(keepends=True):
                text, fallback = decode_text(line)
                flagged[0] = flagged[0] or fallback
                consumed.append(text)
                yield text
        if stream.damage:
            held_tail[0] = pending
        elif pending:
            text, fallback = decode_text(pending)
            flagged[0] = flagged[0] or fallback
            consumed.append(text)
            yield text

    reader = csv.reader(lines(), delimiter=delimiter)
    width = len(names)
    numbers, payload_columns, reasons, details, raw_texts = [], [[] for _ in names], [], [], []
    number = 0

    def flush() -> pa.Table:
        strings = pa.table(
            {
                name: pa.array(col, pa.string())
                for name, col in zip(names, payload_columns, strict=True)
            }
        )
        payloads = to_json(strings).to_pylist()
        # Malformed rows keep their raw text instead of a JSON rendering.
        merged = [
            raw_text if reason else payload
            for payload, reason, raw_text in zip(payloads, reasons, raw_texts, strict=True)
        ]
        return raw_table(numbers, merged, reasons, details)

    while True:
        try:
            row = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as exc:
            row, error = None, f"CSV parse error: {exc}"
        if row == [] and not error:
            consumed.clear()
            flagged[0] = False
            continue  # a blank line is not a record
        number += 1
        text = "".join(consumed).rstrip("\r\n")
        consumed.clear()
        numbers.append(number)
        raw_texts.append(text)
        if error or len(row) != width:
            reasons.append("malformed_csv")
            details.append(error or f"{len(row)} fields where the header has {width}")
            for col in payload_columns:
                col.append(None)
        else:
            reasons.append(None)
            details.append(DECODE_FALLBACK_DETAIL if flagged[0] else None)
            for col, value in zip(payload_columns, row, strict=True):
                col.append(value)
        flagged[0] = False
        if len(numbers) >= batch_size:
            yield flush()
            numbers, reasons, details, raw_texts = [], [], [], []
            payload_columns = [[] for _ in names]
    if numbers:
        yield flush()
    if stream.damage:
        tail, _ = decode_text(held_tail[0])
        yield raw_table([number + 1], [tail], ["truncated_gzip"], [stream.damage])


def _delimited_batch(table, names, next_row, invalid, to_json):
    """Number the good rows of one parsed block around the invalid rows seen so far."""
    out = []
    count = table.num_rows
    decoded, fallback = [], np.zeros(count, dtype=bool)
    for name in names:
        column, mask = _decode_column(table.column(name))
        decoded.append(column)
        if mask is not None:
            fallback |= mask
    strings = pa.table(dict(zip(names, decoded, strict=True)))
    bad_numbers = sorted(n for n, _, _ in invalid if n is not None)
    candidates = np.arange(next_row, next_row + count + len(bad_numbers) + 1, dtype=np.int64)
    if bad_numbers:
        candidates = candidates[~np.isin(candidates, np.array(bad_numbers, dtype=np.int64))]
    numbers = candidates[:count]
    # Invalid rows that fall before the end of this block are emitted now, in order.
    last = int(numbers[-1]) if count else next_row - 1
    ready = [item for item in invalid if item[0] is not None and item[0] <= last]
    for item in ready:
        invalid.remove(item)
    if count:
        payload = to_json(strings)
        details = None
        if fallback.any():
            details = [DECODE_FALLBACK_DETAIL if f else None for f in fallback.tolist()]
        out.append(raw_table(numbers, payload, None, details))
    if ready:
        out.append(_invalid_table(ready))
    if len(out) > 1:
        # Keep file order: the malformed rows go back between the good ones.
        out = [pa.concat_tables(out).sort_by("n")]
    return last + 1, out


def _invalid_table(items) -> pa.Table:
    numbers = [n for n, _, _ in items]
    texts = [text for _, text, _ in items]
    details = [detail for _, _, detail in items]
    return raw_table(numbers, texts, ["malformed_csv"] * len(items), details)


def _flush_invalid(invalid, next_row) -> Iterator[pa.Table]:
    if invalid:
        items = sorted(invalid, key=lambda item: (item[0] is None, item[0] or 0))
        invalid.clear()
        yield _invalid_table(items)


# --------------------------------------------------------------------------- Parquet


def parquet_raw(path: Path, batch_size: int, to_json) -> tuple[RawRead, list[str]]:
    """Raw batches for a Parquet file: ``row:N`` from 1, payload = the row as JSON."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FormatError(f"{path}: not a readable Parquet file ({exc})") from None
    names = parquet.schema_arrow.names
    raw = RawRead(iter(()), "row:")

    def batches() -> Iterator[pa.Table]:
        first = 1
        try:
            for record_batch in parquet.iter_batches(batch_size=batch_size):
                table = pa.Table.from_batches([record_batch])
                numbers = np.arange(first, first + table.num_rows, dtype=np.int64)
                yield raw_table(numbers, to_json(table))
                first += table.num_rows
        except (pa.ArrowInvalid, OSError) as exc:
            yield raw_table([first], [""], ["truncated"], [f"Parquet read error: {exc}"])

    raw.batches = batches()
    return raw, names


# --------------------------------------------------------------------------- readers


def _file_read(path: Path, fmt: str, raw: RawRead, opts, keys: list[str] | None = None):
    """Resolve the layout from the first raw batch, then project every batch lazily."""
    import itertools
    from collections import Counter

    from . import FileRead
    from .layouts import Projector, resolve_fields, sample_keys

    first = next(raw.batches, None)
    fmt = raw.fmt or fmt
    if keys is None:
        keys, has_strings = sample_keys(first) if first is not None else ([], False)
    else:
        has_strings = False
    resolution = resolve_fields(keys, str(path), opts.mapping, has_strings=has_strings)
    projector = Projector(resolution.paths, raw.prefix)
    skipped: Counter = Counter()

    def batches() -> Iterator[pa.Table]:
        try:
            pending = [first] if first is not None else []
            for raw_batch in itertools.chain(pending, raw.batches):
                projector.tail_number = raw.tail_number
                out = projector(raw_batch)
                if projector.blank_lines:
                    skipped["blank_line"] = projector.blank_lines
                # Parsers hand over blocks of their own size; slices keep batch_size a bound.
                for start in range(0, out.num_rows, opts.batch_size):
                    yield out.slice(start, opts.batch_size)
        finally:
            projector.close()

    return FileRead(str(path), fmt, resolution.layout, batches(), skipped)


def read_jsonl(path: Path, opts):
    """Read a JSON-lines file (``line:N``; blank lines are counted in ``skipped``)."""
    return _file_read(Path(path), "jsonl", jsonl_raw(Path(path), opts.batch_size), opts)


def read_json(path: Path, opts):
    """Read a JSON document: an array of records, ``{"items": [...]}``-style, keyed or single."""
    return _file_read(Path(path), "json", json_raw(Path(path), opts.batch_size), opts)


def _read_delimited(path: Path, opts, fmt: str, delimiter: str):
    from .layouts import reader_connection, rows_to_json

    raw, names = delimited_raw(
        Path(path),
        opts.batch_size,
        delimiter,
        opts.columns,
        lambda t: rows_to_json(reader_connection(), t),
    )
    return _file_read(Path(path), fmt, raw, opts, keys=names)


def read_csv(path: Path, opts):
    """Read a CSV file with a header, or header-less with ``opts.columns`` (``row:N``)."""
    return _read_delimited(path, opts, "csv", _csv_delimiter(Path(path)))


def read_tsv(path: Path, opts):
    """Read a tab-separated file (same rules as :func:`read_csv`)."""
    return _read_delimited(path, opts, "tsv", "\t")


def _csv_delimiter(path: Path) -> str:
    """',' unless the header line has more semicolons than commas (European exports)."""
    text, _ = decode_text(read_head(path, 8192))
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def read_parquet(path: Path, opts):
    """Read a Parquet file (``row:N``); nested values arrive as JSON text."""
    from .layouts import reader_connection, rows_to_json

    raw, names = parquet_raw(
        Path(path), opts.batch_size, lambda t: rows_to_json(reader_connection(), t)
    )
    return _file_read(Path(path), "parquet", raw, opts, keys=names)
