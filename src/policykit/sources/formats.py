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
everything before the damage plus one ``truncated_gzip`` reject row (``decompression_bomb``
when the output passes the size or ratio cap). Records are counted independently of the
parsers (physical lines; an RFC 4180 scan for CSV), and records too large or too deep to
parse safely are ``too_large`` / ``too_deep`` rejects: see docs/layouts.md, "What counts
as a record".

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
import re
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
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
#: One record (a JSONL line, a CSV record, a JSON array item) longer than this is a
#: ``too_large`` reject; it is skipped without being held whole in memory.
MAX_RECORD_BYTES = 64 << 20
#: A JSON document that is not an array is parsed whole: above this it is ``too_large``.
MAX_JSON_DOCUMENT_BYTES = 256 << 20
#: Reject payloads for records the reader rejects itself hold at most this much text.
EXCERPT_BYTES = 4096

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


#: Decompressed output above this many bytes is a bomb, whatever the ratio.
MAX_DECOMPRESSED_BYTES = 32 << 30
#: Above GZIP_RATIO_FLOOR decompressed bytes, an output/input ratio above this is a bomb
#: (text compresses 5-20x; deflate's ceiling is about 1032x, which only filler reaches).
MAX_GZIP_RATIO = 200
GZIP_RATIO_FLOOR = 128 << 20
#: Compressed bytes fed to zlib per call: a corrupt stream loses at most the output of
#: one such piece before it is replayed in small steps.
GZIP_PIECE = 64 << 10
#: Byte-order marks that mean "transcode to UTF-8" (UTF-32 before UTF-16: FF FE 00 00).
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass
class ByteStream:
    """The decompressed bytes of a file, in chunks; damage is recorded, never raised.

    After iteration, :attr:`damage` is ``None`` for a clean read, or says what went wrong
    with the gzip stream (``truncated`` or corrupt data), and :attr:`reason` is the reject
    reason for it: ``truncated_gzip`` or ``decompression_bomb`` (the output passed
    :data:`MAX_DECOMPRESSED_BYTES`, or :data:`MAX_GZIP_RATIO` times the input).

    A UTF-8 byte-order mark is dropped and text with a UTF-16 or UTF-32 byte-order mark
    is transcoded to UTF-8, so every reader sees UTF-8 (or legacy 8-bit) bytes.
    """

    path: Path
    chunk_size: int = 0  # 0: CHUNK_SIZE, read when the stream is made (tests shrink it)
    gzipped: bool = False
    damage: str | None = None
    reason: str = "truncated_gzip"
    compressed_read: int = 0
    #: set when a UTF-16/32 byte-order mark was found ('utf-16-le', ...)
    encoding: str | None = None

    def __post_init__(self) -> None:
        self.chunk_size = self.chunk_size or CHUNK_SIZE

    def __iter__(self) -> Iterator[bytes]:
        chunks = self._chunks()
        first = b""
        for chunk in chunks:
            first += chunk
            if len(first) >= 4:
                break
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        for bom, encoding in BOMS:
            if first.startswith(bom):
                self.encoding = encoding
                yield from self._transcode(first[len(bom) :], chunks, encoding)
                return
        if first:
            yield first
        yield from chunks

    @staticmethod
    def _transcode(first: bytes, chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        out = decoder.decode(first)
        if out:
            yield out.encode("utf-8")
        for chunk in chunks:
            out = decoder.decode(chunk)
            if out:
                yield out.encode("utf-8")
        out = decoder.decode(b"", final=True)
        if out:
            yield out.encode("utf-8")

    def _chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as fh:
            first = fh.read(self.chunk_size)
            if not first.startswith(GZIP_MAGIC):
                while first:
                    yield first
                    first = fh.read(self.chunk_size)
                return
            self.gzipped = True
            yield from self._gunzip(fh, first)

    def _inflate(self, decomp, piece: bytes, out: list[bytes]):
        """Inflate one piece into ``out``, never more than a chunk per zlib call.

        Returns the decompressor to go on with; raises zlib.error on damage (``out``
        then holds what came out before it).
        """
        data = piece
        while data:
            out.append(decomp.decompress(data, self.chunk_size))
            data = decomp.unconsumed_tail
            if decomp.eof:
                break
        return decomp

    def _gunzip(self, fh, data: bytes) -> Iterator[bytes]:
        # zlib instead of gzip.open: gzip.open loses the bytes it had already decompressed
        # when it hits a truncated stream, and we want every byte before the damage.
        decomp = zlib.decompressobj(wbits=31)
        produced = 0
        pending = data
        while True:
            if not pending:
                pending = fh.read(self.chunk_size)
                if not pending:
                    break
            piece, pending = pending[:GZIP_PIECE], pending[GZIP_PIECE:]
            self.compressed_read += len(piece)
            saved = decomp.copy()
            out: list[bytes] = []
            try:
                self._inflate(decomp, piece, out)
            except zlib.error as exc:
                # Replay the piece from the saved state in small steps, so the output
                # right up to the damage is kept.
                out, error = self._replay(saved, piece)
                yield from (part for part in out if part)
                offset = self.compressed_read - len(piece) + error[0]
                self.damage = f"corrupt gzip data at compressed byte {offset} ({error[1] or exc})"
                return
            for part in out:
                if part:
                    produced += len(part)
                    yield part
            if produced > MAX_DECOMPRESSED_BYTES or (
                produced > GZIP_RATIO_FLOOR and produced > MAX_GZIP_RATIO * self.compressed_read
            ):
                self.reason = "decompression_bomb"
                self.damage = (
                    f"decompression bomb: {produced} bytes from the first "
                    f"{self.compressed_read} compressed bytes (limits: "
                    f"{MAX_GZIP_RATIO}x, {MAX_DECOMPRESSED_BYTES} bytes); the rest is not read"
                )
                return
            if decomp.eof:
                rest = decomp.unused_data + pending
                pending = b""
                if not rest:
                    rest = fh.read(self.chunk_size)
                if not rest.strip(b"\x00"):
                    if not fh.read(1):
                        return
                    rest = rest + fh.read(self.chunk_size)
                if not rest.startswith(GZIP_MAGIC):
                    self.damage = "unexpected bytes after the end of the gzip stream"
                    return
                # Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream.
                decomp = zlib.decompressobj(wbits=31)
                pending = rest
        tail = decomp.flush()
        if tail:
            yield tail
        if not decomp.eof:
            self.damage = (
                "gzip stream ends before its end marker (file truncated after "
                f"{self.compressed_read} compressed bytes)"
            )

    def _replay(self, decomp, piece: bytes) -> tuple[list[bytes], tuple[int, str]]:
        """Feed ``piece`` 256 bytes, then 1 byte, at a time: (output, (bad offset, message))."""
        out: list[bytes] = []
        step = 256
        start = 0
        while start < len(piece):
            sub = piece[start : start + step]
            saved = decomp.copy()
            part: list[bytes] = []
            try:
                self._inflate(decomp, sub, part)
            except zlib.error as exc:
                if step == 1:
                    out.extend(part)
                    return out, (start, str(exc))
                decomp, step = saved, 1
                continue
            out.extend(part)
            start += len(sub)
            if decomp.eof:
                break
        return out, (start, "")


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


def damage_row(number: int | None, tail: bytes, stream: ByteStream) -> pa.Table:
    """The one reject row for a damaged or capped stream: a bounded excerpt of the tail."""
    text, _ = decode_text(tail[:EXCERPT_BYTES])
    return raw_table([number], [text], [stream.reason], [stream.damage])


# --------------------------------------------------------------------------- detection


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _is_binary(head: bytes) -> bool:
    sample = head[:8192]
    # A few NUL bytes in text are damage the readers strip and count; many mean binary.
    if sample.count(b"\x00") > len(sample) // 100:
        return True
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
        except (ValueError, RecursionError):
            return False
    shaped = 0
    for line in judged[:50]:
        if line[:1] not in '{["':
            continue
        if line.startswith("{") and line.endswith("}") and len(line) > 2:
            shaped += 1
        try:
            json.loads(line)
        except (ValueError, RecursionError):
            continue
        return True
    return shaped >= 2


#: Delimiters tried when sniffing; '|' and '~' only for files named as delimited tables.
_DELIMITERS: tuple[tuple[str, str], ...] = (("\t", "tsv"), (",", "csv"), (";", "csv"))
_NAMED_DELIMITERS: tuple[tuple[str, str], ...] = (("|", "csv"), ("~", "csv"))
_TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".psv", ".dsv")


def _sniff_delimiter(text: str, suffix: str) -> str | None:
    """The delimiter that splits the first lines into the most consistent table."""
    lines = [line for line in text.split("\n")[:40] if line.strip()]
    # Drop a possibly truncated last line of the sniffed head.
    if len(lines) > 2:
        lines = lines[:-1]
    if not lines:
        return None
    candidates = _DELIMITERS + (_NAMED_DELIMITERS if suffix in _TABLE_SUFFIXES else ())
    best: tuple[float, str] | None = None
    for delimiter, _ in candidates:
        if delimiter not in lines[0]:
            continue
        # TSV has no quoting: a title that starts with '"' must not join lines here.
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        try:
            rows = list(csv.reader(lines, delimiter=delimiter, quoting=quoting))
        except csv.Error:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        # A header has short cells; a headerless table named .csv may start with a long one.
        header_ok = all(len(cell) <= 200 for cell in rows[0]) or suffix in _TABLE_SUFFIXES
        if not header_ok:
            continue
        if len(rows) == 1:
            if suffix in _TABLE_SUFFIXES:
                same = 1.0
            else:
                continue
        else:
            same = sum(1 for row in rows[1:] if len(row) == width) / (len(rows) - 1)
        consistent = same >= 0.8 or (suffix in _TABLE_SUFFIXES and same >= 0.5)
        if consistent and (best is None or same > best[0]):
            best = (same, delimiter)
    return best[1] if best else None


def _delimited_kind(text: str, suffix: str) -> str | None:
    """'csv' or 'tsv' when the first lines look like a consistent delimited table."""
    delimiter = _sniff_delimiter(text, suffix)
    if delimiter is None:
        return None
    return "tsv" if delimiter == "\t" else "csv"


_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".jsonlines")


def _bare_json_scalar(text: str, suffix: str, complete: bool) -> bool:
    """A whole file that is one JSON number, string or literal (``42``, ``null``): one
    record (a reject downstream), not a text dump. Any .json suffix, or a literal."""
    body = text.strip()
    if not complete or not body or len(body) > 4096:
        return False
    if suffix == ".txt" or (suffix not in _JSON_SUFFIXES and body not in ("null", "true", "false")):
        return False
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


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
    text, _ = decode_text(head.replace(b"\x00", b""))
    # Every line end (LF, CRLF, CR) counts: CR-only CSV is still CSV.
    text = _strip_bom(text).replace("\r\n", "\n").replace("\r", "\n")
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
    if _bare_json_scalar(stripped, suffix, complete=len(head) < SNIFF_BYTES):
        return "json"
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
    #: the independent count of a delimited file (:class:`DelimitedScan`)
    scan: object = None


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
    text, _ = decode_text(excerpt[:EXCERPT_BYTES])
    detail = f"a {what} of {size} bytes is longer than {MAX_RECORD_BYTES} bytes: not read whole"
    return raw_table([number], [text], ["too_large"], [detail])


def _strip_nuls(text: pa.Array, details: list[str | None] | None):
    """Drop NUL bytes (no text format means them); the record says how many went."""
    counts = pc.count_substring(text, "\x00")
    text = pc.replace_substring(text, "\x00", "")
    out = list(details) if details is not None else [None] * len(text)
    for i, count in enumerate(counts.to_pylist()):
        if count:
            note = f"{count} NUL byte{'s' if count > 1 else ''} removed"
            out[i] = f"{out[i]}; {note}" if out[i] else note
    return text, out


def jsonl_raw(path: Path, batch_size: int) -> RawRead:
    """Raw batches for a JSON-lines file: one row per line, blank lines counted as skipped.

    Newlines are found with numpy and each batch becomes an Arrow array over the same
    bytes, so a million lines never become a million Python objects. A line longer than
    :data:`MAX_RECORD_BYTES` is one ``too_large`` row (a bounded excerpt); the reader
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
        if (pc.max(lengths).as_py() or 0) > MAX_RECORD_BYTES:
            big = pc.greater(lengths, MAX_RECORD_BYTES)
            excerpt = pc.utf8_slice_codeunits(text, 0, EXCERPT_BYTES)
            detail = pc.binary_join_element_wise(
                "a line of ",
                pc.cast(lengths, pa.string()),
                f" bytes is longer than {MAX_RECORD_BYTES} bytes: not read whole",
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
                if held > MAX_RECORD_BYTES:
                    head = b"".join(parts)
                    skipping = [first, head[:EXCERPT_BYTES], len(head)]
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
    gives one reject for the rest, and an item larger than :data:`MAX_RECORD_BYTES` is a
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
                excerpt = "".join(parts)[:EXCERPT_BYTES]
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
            yield raw_table([locator_number], [tail[:PAYLOAD_EXCERPT]], [reason], [message])

    raw.batches = batches()
    return raw


#: The rest of a JSON document that failed to parse keeps at most this much text.
PAYLOAD_EXCERPT = 65_536


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
                if len(text) - pos > MAX_RECORD_BYTES:
                    failure = (
                        "too_large",
                        f"an item longer than {MAX_RECORD_BYTES} bytes: it and the rest of "
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
    rest = text[pos : pos + PAYLOAD_EXCERPT].lstrip(" \t\r\n,")
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


@dataclass
class DelimitedScan:
    """What an independent pass over a delimited file's bytes finds (numpy, no parser).

    ``records`` counts non-blank records as RFC 4180 delimits them (a line end inside a
    quoted field does not end a record); ``lines`` counts non-blank physical lines. LF,
    CRLF and a lone CR all end a line. Both include the header line.
    """

    records: int = 0
    lines: int = 0
    quotes: int = 0
    #: every quote stands where RFC 4180 allows one (opening a field, closing it, doubled)
    strict: bool = True
    #: byte offset of the first quote RFC 4180 does not allow
    violation: int | None = None
    nul_bytes: int = 0
    valid_utf8: bool = True
    endings: dict = field(default_factory=lambda: {"LF": 0, "CRLF": 0, "CR": 0})
    #: byte offset just past the first non-blank record (quote-aware) and line (quote-blind)
    first_record_end: int | None = None
    first_line_end: int | None = None
    damaged: bool = False
    #: bytes in the longest record (quote-aware) and the longest physical line
    longest_record: int = 0
    longest_line: int = 0


def _prev_bytes(a: np.ndarray, pos: np.ndarray, before: int) -> np.ndarray:
    out = a[np.maximum(pos - 1, 0)].astype(np.int16)
    out[pos == 0] = before
    return out


def _next_bytes(a: np.ndarray, pos: np.ndarray) -> np.ndarray:
    out = np.full(len(pos), -1, dtype=np.int16)
    inside = pos + 1 < len(a)
    out[inside] = a[pos[inside] + 1]
    return out


def _merge_ends(lf_ends, lf_starts, cr_ends) -> tuple[np.ndarray, np.ndarray]:
    """LF and lone-CR line ends in file order (most files have no lone CR: no sort)."""
    if not len(cr_ends):
        return lf_ends, lf_starts
    ends = np.concatenate((lf_ends, cr_ends))
    starts = np.concatenate((lf_starts, cr_ends))
    order = np.argsort(ends, kind="stable")
    return ends[order], starts[order]


def _count_records(state: dict, key: str, ends: np.ndarray, starts: np.ndarray, base: int):
    """Add the non-empty records ending at ``ends`` (terminator starts ``starts``)."""
    if not len(ends):
        return 0, None
    previous = np.concatenate(([state[key] - base], ends[:-1] + 1))
    nonempty = starts > previous
    state[f"{key}_longest"] = max(state[f"{key}_longest"], int((starts - previous).max()))
    state[key] = base + int(ends[-1]) + 1
    count = int(np.count_nonzero(nonempty))
    first = base + int(ends[int(np.argmax(nonempty))]) + 1 if count else None
    return count, first


def scan_delimited(path: Path, delimiter: str) -> DelimitedScan:
    """Count records and lines of a delimited file, and check its quotes, chunk by chunk."""
    scan = DelimitedScan()
    d = ord(delimiter)
    # 1 MiB chunks stay in cache for the several passes over each (faster than 8 MiB).
    stream = ByteStream(Path(path))
    decoder = codecs.getincrementaldecoder("utf-8")()
    state = {"record": 0, "line": 0, "record_longest": 0, "line_longest": 0}
    parity = 0
    base = 0
    before = -1  # the byte before the buffer; -1 at the start of the file
    held = b""
    # Bytes a quote may stand next to: the delimiter, line ends, another quote, the file's edge.
    edges = np.zeros(257, dtype=bool)
    edges[[0, d + 1, 11, 14, 35]] = True

    def part(buf: bytes, final: bool) -> None:
        nonlocal parity
        a = np.frombuffer(buf, dtype=np.uint8)
        m = len(a) if final else len(a) - 1
        view = a[:m]
        q = np.flatnonzero(view == 34)
        lf = np.flatnonzero(view == 10)
        cr = np.flatnonzero(view == 13)
        if len(q):
            opening = (parity + np.arange(len(q))) % 2 == 0
            # Index a lookup table by byte + 1 (-1, the start or end of the file, is slot 0).
            ok_open = edges[_prev_bytes(a, q, before) + 1]
            ok_close = edges[_next_bytes(a, q) + 1]
            bad = (opening & ~ok_open) | (~opening & ~ok_close)
            if scan.strict and bad.any():
                scan.strict = False
                scan.violation = base + int(q[int(np.argmax(bad))])
        crlf = _prev_bytes(a, lf, before) == 13 if len(lf) else np.zeros(0, bool)
        lone_cr = cr[_next_bytes(a, cr) != 10] if len(cr) else cr
        scan.endings["CRLF"] += int(np.count_nonzero(crlf))
        scan.endings["LF"] += len(lf) - int(np.count_nonzero(crlf))
        scan.endings["CR"] += len(lone_cr)
        # Quote-blind: every line end.
        ends, starts = _merge_ends(lf, lf - crlf, lone_cr)
        count, first = _count_records(state, "line", ends, starts, base)
        scan.lines += count
        if scan.first_line_end is None:
            scan.first_line_end = first
        # Quote-aware: line ends outside quoted fields (an even number of quotes before).
        outside_lf = (parity + np.searchsorted(q, lf)) % 2 == 0
        outside_cr = (parity + np.searchsorted(q, lone_cr)) % 2 == 0
        if outside_lf.all():
            lf_ends, lf_starts = lf, lf - crlf
        else:
            lf_ends, lf_starts = lf[outside_lf], (lf - crlf)[outside_lf]
        ends, starts = _merge_ends(lf_ends, lf_starts, lone_cr[outside_cr])
        count, first = _count_records(state, "record", ends, starts, base)
        scan.records += count
        if scan.first_record_end is None:
            scan.first_record_end = first
        parity = (parity + len(q)) % 2
        scan.quotes += len(q)

    for chunk in stream:
        # ASCII (checked word by word in C) needs no decoding unless a character is open.
        if scan.valid_utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                scan.valid_utf8 = False
        if b"\x00" in chunk:
            scan.nul_bytes += chunk.count(b"\x00")
        buf = held + chunk
        if len(buf) < 2:
            held = buf
            continue
        part(buf, final=False)
        base += len(buf) - 1
        before = buf[-2]
        held = buf[-1:]
    if held:
        part(held, final=True)
        base += len(held)
    if scan.valid_utf8 and not stream.damage:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            scan.valid_utf8 = False
    # A last record without a line end.
    if base > state["record"]:
        scan.records += 1
        scan.first_record_end = scan.first_record_end or base
    if base > state["line"]:
        scan.lines += 1
        scan.first_line_end = scan.first_line_end or base
    if parity and scan.strict:
        scan.strict = False  # a quoted field still open at the end of the file
        scan.violation = base
    scan.longest_record = max(state["record_longest"], base - state["record"])
    scan.longest_line = max(state["line_longest"], base - state["line"])
    scan.damaged = stream.damage is not None
    return scan


# The inside of a quoted field: anything but a quote, or a doubled quote.
_QUOTED_BODY = re.compile(r'[^"]*(?:""[^"]*)*')
#: A quoted field may span at most this many lines before the quote counts as unbalanced.
MAX_QUOTED_LINES = 10_000
_LINE = re.compile(rb"([^\r\n]*)(\r\n|\n|\r)")
_LINE_END = re.compile(rb"\r\n|\n|\r")


def split_record(text: str, delimiter: str) -> tuple[list[str], bool, bool]:
    """The fields of one record's text: (fields, complete, clean).

    ``complete`` is False when a quoted field is still open at the end of the text;
    ``clean`` is False when a closing quote is followed by more text (kept as is, the way
    lenient readers do), which RFC 4180 does not allow. A quote inside an unquoted field
    is an ordinary character.
    """
    fields: list[str] = []
    pos, n, clean = 0, len(text), True
    while True:
        if pos < n and text[pos] == '"':
            end = _QUOTED_BODY.match(text, pos + 1).end()
            if end >= n:
                return fields, False, clean
            value = text[pos + 1 : end].replace('""', '"')
            pos = end + 1
            if pos < n and text[pos] != delimiter:
                clean = False
                stop = text.find(delimiter, pos)
                stop = n if stop < 0 else stop
                value += text[pos:stop]
                pos = stop
        else:
            stop = text.find(delimiter, pos)
            stop = n if stop < 0 else stop
            value = text[pos:stop]
            pos = stop
        fields.append(value)
        if pos >= n:
            return fields, True, clean
        pos += 1  # the delimiter
        if pos == n:
            fields.append("")
            return fields, True, clean


@dataclass
class _Line:
    number: int
    text: str
    end: str
    note: str | None
    #: set (to the line's size) for a line longer than MAX_RECORD_BYTES; text is an excerpt
    size: int = 0


def _physical_lines(stream: ByteStream, tail: list) -> Iterator[_Line]:
    """Decoded physical lines (LF, CRLF or CR), numbered from 1, NUL bytes removed.

    A damaged stream leaves its last incomplete line in ``tail[0]`` (bytes).
    """
    number = 0
    pending = b""

    def line(content: bytes, end: bytes) -> _Line:
        nonlocal number
        number += 1
        notes = []
        if b"\x00" in content:
            count = content.count(b"\x00")
            content = content.replace(b"\x00", b"")
            notes.append(f"{count} NUL byte{'s' if count > 1 else ''} removed")
        text, fallback = decode_text(content)
        if fallback:
            notes.insert(0, DECODE_FALLBACK_DETAIL)
        return _Line(number, text, end.decode("ascii"), "; ".join(notes) or None)

    skipping: list | None = None  # [excerpt, size] of a line too long to hold
    for chunk in stream:
        if skipping is not None:
            found = _LINE_END.search(chunk)
            if found is None:
                skipping[1] += len(chunk)
                continue
            skipping[1] += found.start()
            huge = line(skipping[0], found.group())
            huge.size = skipping[1]
            yield huge
            skipping = None
            chunk = chunk[found.end() :]
        data = pending + chunk
        # A CR at the very end may be half of a CRLF: keep it for the next chunk.
        limit = len(data) - 1 if data.endswith(b"\r") else len(data)
        cut = max(data.rfind(b"\n", 0, limit), data.rfind(b"\r", 0, limit)) + 1
        for match in _LINE.finditer(data, 0, cut):
            yield line(match.group(1), match.group(2))
        pending = data[cut:]
        if len(pending) > MAX_RECORD_BYTES:
            skipping, pending = [pending[:EXCERPT_BYTES], len(pending)], b""
    if skipping is not None:
        huge = line(skipping[0], b"")
        huge.size = skipping[1]
        yield huge
    if stream.damage:
        tail[0] = pending
        return
    if pending:
        if pending.endswith(b"\r"):
            yield line(pending[:-1], b"\r")
        else:
            yield line(pending, b"")


def recovering_records(
    lines: Iterator[_Line], delimiter: str, quoting: bool, width: int | None
) -> Iterator[tuple[_Line, str, list[str] | None, str | None, str | None]]:
    """Records of a delimited file, recovering from unbalanced quotes.

    Yields (first line, record text, fields, reject reason, detail). A quoted field that
    runs over several lines must close where RFC 4180 allows and give a record of
    ``width`` fields; otherwise its opening line alone is an ``unbalanced_quote`` reject
    and reading resumes on the next line, so a stray quote never swallows later rows.
    Blank (empty) lines are not records and are not yielded.
    """
    back: deque[_Line] = deque()

    def pull() -> _Line | None:
        if back:
            return back.popleft()
        return next(lines, None)

    while True:
        first = pull()
        if first is None:
            return
        if first.size:
            detail = (
                f"line {first.number}: {first.size} bytes, longer than {MAX_RECORD_BYTES}: "
                "not read whole"
            )
            yield first, first.text, None, "too_large", detail
            continue
        if not first.text:
            continue
        if not quoting or '"' not in first.text:
            fields = first.text.split(delimiter)
            yield first, first.text, fields, *_width_check(first, fields, width)
            continue
        fields, complete, clean = split_record(first.text, delimiter)
        taken = [first]
        size = len(first.text)
        while not complete and len(taken) <= MAX_QUOTED_LINES and size <= MAX_RECORD_BYTES:
            extra = pull()
            if extra is None:
                break
            if extra.size:
                back.appendleft(extra)
                break
            taken.append(extra)
            size += len(extra.text) + 1
            if '"' in extra.text:
                text = "".join(item.text + item.end for item in taken[:-1]) + extra.text
                fields, complete, clean = split_record(text, delimiter)
        if len(taken) > 1 and (
            not complete or not clean or (width is not None and len(fields) != width)
        ):
            back.extendleft(reversed(taken[1:]))
            taken = [first]
            complete = False
        if not complete:
            detail = (
                f"line {first.number}: a quoted field opened on this line does not close "
                "where RFC 4180 allows; the following lines are read on their own"
            )
            yield first, first.text, None, "unbalanced_quote", detail
            continue
        text = "".join(item.text + item.end for item in taken[:-1]) + taken[-1].text
        notes = "; ".join(item.note for item in taken if item.note) or None
        reason, detail = _width_check(first, fields, width)
        yield first, text, fields, reason, detail or notes


def _width_check(line: _Line, fields: list[str], width: int | None):
    if width is not None and len(fields) != width:
        return (
            "malformed_csv",
            f"line {line.number}: {len(fields)} fields where the header has {width}",
        )
    return None, line.note


def _recovering_batches(
    path: Path,
    batch_size: int,
    delimiter: str,
    names: list[str],
    header: bool,
    quoting: bool,
    to_json,
) -> Iterator[pa.Table]:
    """Rows of a delimited file read in Python with quote recovery (the careful path).

    Used for files whose quotes break RFC 4180, that are not valid UTF-8, hold NUL bytes
    or are damaged. ``row:N`` numbers data records from 1, as the fast path does.
    """
    stream = ByteStream(Path(path))
    tail = [b""]
    width = len(names)
    records = recovering_records(_physical_lines(stream, tail), delimiter, quoting, width)
    if header:
        next(records, None)  # the header record (its cells are the names)
    number = 0
    numbers, columns, reasons, details, texts = [], [[] for _ in names], [], [], []

    def flush() -> pa.Table:
        strings = pa.table(
            {name: pa.array(col, pa.string()) for name, col in zip(names, columns, strict=True)}
        )
        payloads = to_json(strings).to_pylist()
        # Rejected rows keep their raw text (a bounded excerpt) instead of a JSON rendering.
        merged = [
            text[:PAYLOAD_EXCERPT] if reason else payload
            for payload, reason, text in zip(payloads, reasons, texts, strict=True)
        ]
        return raw_table(numbers, merged, reasons, details)

    for _line, text, fields, reason, detail in records:
        number += 1
        numbers.append(number)
        texts.append(text)
        reasons.append(reason)
        details.append(detail)
        good = reason is None
        for i, col in enumerate(columns):
            col.append(fields[i] if good else None)
        if len(numbers) >= batch_size:
            yield flush()
            numbers, reasons, details, texts = [], [], [], []
            columns = [[] for _ in names]
    if numbers:
        yield flush()
    if stream.damage:
        text, _ = decode_text(tail[0][:EXCERPT_BYTES])
        yield raw_table([number + 1], [text], [stream.reason], [stream.damage])


def _header_cells(path: Path, delimiter: str, quoting: bool, end: int | None) -> list[str]:
    """The cells of the first non-blank record (``end`` is the byte just past it)."""
    if not end:
        return []
    head = read_head(path, min(end, LONG_SNIFF_BYTES))
    text, _ = decode_text(head[:end].replace(b"\x00", b""))
    text = _strip_bom(text).lstrip("\r\n").rstrip("\r\n")
    if quoting:
        return split_record(text, delimiter)[0]
    return text.split(delimiter)


def delimited_raw(
    path: Path,
    batch_size: int,
    delimiter: str,
    columns: list[str] | None,
    to_json,
    quoting: bool | None = None,
) -> tuple[RawRead, list[str]]:
    """Raw batches for CSV/TSV, counted independently of the parser.

    A numpy pass (:func:`scan_delimited`) counts the file's records and checks its quotes
    first. A file whose quotes all stand where RFC 4180 allows (most files) is parsed by
    pyarrow's streaming CSV reader, and its row count is checked against the scan; any
    other file (a stray or unbalanced quote, bytes that are not UTF-8, NUL bytes, a damaged
    gzip stream) takes :func:`recovering_records`, which rejects the line of an unbalanced
    quote as ``unbalanced_quote`` and reads the lines after it.

    CSV is always read with quotes. TSV is read without quote processing (IANA's
    text/tab-separated-values has none) unless the whole file is quoted consistently.

    ``row:N`` numbers data records from 1; a header is not counted. Records with the
    wrong number of fields become ``malformed_csv`` rejects with their text.
    ``to_json`` turns an Arrow table of string columns into a JSON text per row.
    Returns the raw read and the column names.
    """
    import pyarrow.csv as pacsv

    path = Path(path)
    scan = scan_delimited(path, delimiter)
    if quoting is None:
        quoting = delimiter != "\t" or (scan.strict and scan.quotes > 0)
    expected = scan.records if quoting else scan.lines
    end = scan.first_record_end if quoting else scan.first_line_end
    if columns:
        names, header = unique_names(list(columns)), False
    else:
        names, header = unique_names(_header_cells(path, delimiter, quoting, end)), True
        expected = max(expected - 1, 0)
    raw = RawRead(iter(()), "row:")
    raw.scan = scan
    if not names or (expected == 0 and not scan.damaged):
        return raw, names  # nothing but a header (or nothing at all)
    longest = scan.longest_record if quoting else scan.longest_line
    careful = (
        scan.damaged
        or not scan.valid_utf8
        or scan.nul_bytes
        or (quoting and not scan.strict)
        or longest > MAX_RECORD_BYTES  # the careful path skips those without holding them
    )
    if careful:
        raw.batches = _recovering_batches(
            path, batch_size, delimiter, names, header, quoting, to_json
        )
        return raw, names
    invalid: list[tuple[int, str, str]] = []  # (data row number, text, detail)

    def on_invalid(row) -> str:
        # The header bytes are skipped before pyarrow sees the stream, so its row
        # numbers are data-row numbers.
        detail = f"{row.actual_columns} fields where the header has {row.expected_columns}"
        if quoting and ("\n" in row.text or "\r" in row.text):
            # A quote swallowed line ends and the result has the wrong width: split the
            # text again the careful way, so the swallowed rows are recovered.
            invalid.extend(_resplit(row.number, row.text, delimiter, names))
            return "skip"
        invalid.append((row.number, row.text[:PAYLOAD_EXCERPT], detail, "malformed_csv"))
        return "skip"

    def parsed() -> Iterator[pa.Table]:
        stream = ByteStream(path)
        source = _StreamReader(stream, skip_bytes=end if header else 0)
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
                    quote_char='"' if quoting else False,
                    newlines_in_values=quoting,
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

    def batches() -> Iterator[pa.Table]:
        emitted = 0
        for table in parsed():
            emitted += table.num_rows
            yield table
        if emitted < expected:
            # The independent count saw records the parser did not return: each one is
            # a reject, so records_read never shrinks to what the parser liked.
            missing = expected - emitted
            detail = f"the file holds {expected} records by an RFC 4180 count; the parser returned {emitted}"
            yield raw_table(
                np.arange(emitted + 1, expected + 1, dtype=np.int64),
                [""] * missing,
                ["count_mismatch"] * missing,
                [detail] * missing,
            )

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
    bad_numbers = sorted(item[0] for item in invalid if item[0] is not None)
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
    numbers = [item[0] for item in items]
    texts = [item[1] for item in items]
    details = [item[2] for item in items]
    reasons = [item[3] for item in items]
    return raw_table(numbers, texts, reasons, details)


def _text_lines(text: str) -> Iterator[_Line]:
    for number, match in enumerate(re.finditer(r"([^\r\n]*)(\r\n|\n|\r|$)", text), start=1):
        if match.start() == len(text) and not match.group(0):
            return
        yield _Line(number, match.group(1), match.group(2), None)


def _resplit(number, text: str, delimiter: str, names: list[str]) -> list[tuple]:
    """Records of a parser row that ran over several lines, found the careful way."""
    out = []
    records = recovering_records(_text_lines(text), delimiter, True, len(names))
    for k, (_line, record, fields, reason, detail) in enumerate(records):
        # Consecutive data-row numbers from the parser row's own: the good rows of the
        # block are numbered around them.
        at = None if number is None else number + k
        where = "a parser row that ran over several lines"
        detail = f"{detail}, in {where}" if detail else f"recovered from {where}"
        if reason is None:
            payload = json.dumps(dict(zip(names, fields, strict=True)), ensure_ascii=False)
            out.append((at, payload, detail, None))
        else:
            out.append((at, record[:PAYLOAD_EXCERPT], detail, reason))
    return out


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
    resolution = resolve_fields(
        keys, str(path), opts.mapping, has_strings=has_strings, sample=first
    )
    projector = Projector(resolution.paths, raw.prefix, report=resolution.report)
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

    return FileRead(str(path), fmt, resolution.layout, batches(), skipped, resolution.report)


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
    """The sniffed delimiter (',' ';' '|' '~'), else ',' unless the header line has more
    semicolons than commas (European exports)."""
    text, _ = decode_text(read_head(path).replace(b"\x00", b""))
    text = _strip_bom(text).replace("\r\n", "\n").replace("\r", "\n")
    suffixes = _suffixes(Path(path))
    sniffed = _sniff_delimiter(text, suffixes[-1] if suffixes else "")
    if sniffed and sniffed != "\t":
        return sniffed
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def read_parquet(path: Path, opts):
    """Read a Parquet file (``row:N``); nested values arrive as JSON text."""
    from .layouts import reader_connection, rows_to_json

    raw, names = parquet_raw(
        Path(path), opts.batch_size, lambda t: rows_to_json(reader_connection(), t)
    )
    return _file_read(Path(path), "parquet", raw, opts, keys=names)
