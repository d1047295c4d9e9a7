"""The bytes under every metadata reader: decompression with its caps, text decoding, raw batches.

:class:`ByteStream` yields a file's bytes in chunks, decompressing gzip on the fly (a file
that starts with ``1f 8b`` is gzip whatever its suffix). A damaged or truncated gzip
stream is recorded on the stream, never raised, so a reader keeps everything before the
damage and adds one ``truncated_gzip`` reject row (``decompression_bomb`` when the output
passes :data:`MAX_DECOMPRESSED_BYTES`, or :data:`MAX_GZIP_RATIO` times the input).

The caps shared by the readers (:data:`MAX_RECORD_BYTES`, :data:`EXCERPT_BYTES`,
:data:`PAYLOAD_EXCERPT`) live here, and :mod:`.jsonrecords` and :mod:`.delimited` read
them as ``streams.NAME`` at call time, so one patched value reaches every reader.

Every reader reduces its input to *raw batches* (:data:`RAW_SCHEMA`, built by
:func:`raw_table`); see :mod:`policykit.sources.formats`. This module imports nothing
else from :mod:`policykit.sources`.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_SIZE = 1 << 20
#: The head read for format detection, and the longer one for long first records.
SNIFF_BYTES = 64 * 1024
LONG_SNIFF_BYTES = 4 << 20
#: One record (a JSONL line, a CSV record, a JSON array item) longer than this is a
#: ``too_large`` reject; it is skipped without being held whole in memory.
MAX_RECORD_BYTES = 64 << 20
#: Reject payloads for records the reader rejects itself hold at most this much text.
EXCERPT_BYTES = 4096
#: The rest of a JSON document that failed to parse keeps at most this much text.
PAYLOAD_EXCERPT = 65_536

RAW_SCHEMA = pa.schema(
    [
        ("n", pa.int64()),
        ("payload", pa.string()),
        ("reject_reason", pa.string()),
        ("reject_detail", pa.string()),
    ]
)

DECODE_FALLBACK_DETAIL = "not valid UTF-8: decoded as cp1252"


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


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


# --------------------------------------------------------------------------- raw batches


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
