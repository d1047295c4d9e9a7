"""Raw batches of CSV/TSV files, counted independently of the parser.

Three parts: :func:`scan_delimited`, a numpy pass over the bytes that counts records
(RFC 4180, quote-aware) and physical lines and checks every quote; the careful path
(:func:`recovering_records`), which reads records in Python and turns the line of an
unbalanced quote into an ``unbalanced_quote`` reject instead of letting it swallow the
rows after it; and :func:`delimited_raw`, which picks pyarrow's streaming CSV reader for
clean files or the careful path for the rest, and checks the parser's row count against
the scan. Delimiter sniffing stays with format detection in :mod:`.formats`.

Imports only :mod:`.streams` from this package.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import streams
from .streams import (
    DECODE_FALLBACK_DETAIL,
    LONG_SNIFF_BYTES,
    ByteStream,
    RawRead,
    _strip_bom,
    decode_text,
    raw_table,
    read_head,
)

#: pyarrow's CSV reader parses blocks of this size.
CSV_BLOCK_BYTES = 4 << 20


# --------------------------------------------------------------------------- parser input


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


# --------------------------------------------------------------------------- independent scan


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


# --------------------------------------------------------------------------- careful path


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
        if len(pending) > streams.MAX_RECORD_BYTES:
            skipping, pending = [pending[: streams.EXCERPT_BYTES], len(pending)], b""
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
                f"line {first.number}: {first.size} bytes, longer than {streams.MAX_RECORD_BYTES}: "
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
        while not complete and len(taken) <= MAX_QUOTED_LINES and size <= streams.MAX_RECORD_BYTES:
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
            text[: streams.PAYLOAD_EXCERPT] if reason else payload
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
        text, _ = decode_text(tail[0][: streams.EXCERPT_BYTES])
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


# --------------------------------------------------------------------------- reader


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
        or longest > streams.MAX_RECORD_BYTES  # the careful path skips those without holding them
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
        invalid.append((row.number, row.text[: streams.PAYLOAD_EXCERPT], detail, "malformed_csv"))
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
            out.append((at, record[: streams.PAYLOAD_EXCERPT], detail, reason))
    return out


def _flush_invalid(invalid, next_row) -> Iterator[pa.Table]:
    if invalid:
        items = sorted(invalid, key=lambda item: (item[0] is None, item[0] or 0))
        invalid.clear()
        yield _invalid_table(items)
