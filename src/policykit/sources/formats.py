"""Format detection and the entry points of the structured-metadata readers.

Formats: JSONL, JSON, CSV/TSV and Parquet (:data:`METADATA_FORMATS`); the page formats
(:data:`PAGE_FORMATS`) are detected here and read by the page readers.

Every reader reduces its input to *raw batches*: Arrow tables with one row per input
record and the columns ``n`` (the record's 1-based number: line, item or row),
``payload`` (the record as text; JSON for structured rows), ``reject_reason`` and
``reject_detail`` (set when the reader already knows the record is broken). The field
extraction that turns raw batches into staging batches is shared and vectorised in DuckDB
(:class:`policykit.sources.extraction.Projector`), so no reader loops over record dicts in
Python.

The readers live in their own modules, and import one way (none imports this one):

- :mod:`.streams`: the byte stream (gzip decompressed on the fly whatever the suffix,
  with its truncation and bomb caps), text decoding, the raw-batch schema and the shared
  record caps;
- :mod:`.jsonrecords`: JSON lines and JSON documents (``line:N``, ``item:N``);
- :mod:`.delimited`: CSV/TSV, with the independent RFC 4180 count
  (:func:`scan_delimited`) and the careful path that recovers from unbalanced quotes;
- this module: detection (:func:`detect_format`, delimiter sniffing), Parquet, and the
  ``read_*`` entry points that :mod:`.dispatch` calls.

A damaged or truncated gzip stream yields everything before the damage plus one
``truncated_gzip`` reject row (``decompression_bomb`` when the output passes the size or
ratio cap). Records are counted independently of the parsers (physical lines; an RFC 4180
scan for CSV), and records too large or too deep to parse safely are ``too_large`` /
``too_deep`` rejects: see docs/layouts.md, "What counts as a record".

Bytes that are not valid UTF-8 are decoded per line (or per CSV value) as cp1252, or
latin-1 for the few bytes cp1252 leaves undefined; the record is kept and
``reject_detail`` says ``not valid UTF-8: decoded as cp1252`` while ``reject_reason``
stays NULL (a warning, not a reject).

The names below are re-exported from the reader modules so that
``policykit.sources.formats.X`` keeps working. They are copies: to change a cap in a
test, patch the module that owns it (``streams.MAX_RECORD_BYTES``,
``streams.CHUNK_SIZE``, ``jsonrecords.JSONL_CHUNK_BYTES``, ``delimited.CSV_BLOCK_BYTES``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import FormatError
from .delimited import (  # noqa: F401  (re-exported)
    CSV_BLOCK_BYTES,
    MAX_QUOTED_LINES,
    DelimitedScan,
    delimited_raw,
    recovering_records,
    scan_delimited,
    split_record,
    unique_names,
)
from .jsonrecords import (  # noqa: F401  (re-exported)
    CONTAINER_KEYS,
    JSONL_CHUNK_BYTES,
    MAX_JSON_DOCUMENT_BYTES,
    json_raw,
    jsonl_raw,
)
from .streams import (  # noqa: F401  (re-exported)
    BOMS,
    CHUNK_SIZE,
    DECODE_FALLBACK_DETAIL,
    EXCERPT_BYTES,
    GZIP_MAGIC,
    GZIP_PIECE,
    GZIP_RATIO_FLOOR,
    LONG_SNIFF_BYTES,
    MAX_DECOMPRESSED_BYTES,
    MAX_GZIP_RATIO,
    MAX_RECORD_BYTES,
    PAYLOAD_EXCERPT,
    RAW_SCHEMA,
    SNIFF_BYTES,
    ByteStream,
    RawRead,
    _strip_bom,
    damage_row,
    decode_lines,
    decode_text,
    is_valid_utf8,
    raw_table,
    read_head,
)

PARQUET_MAGIC = b"PAR1"
#: Formats this module reads.
METADATA_FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "tsv", "parquet")
#: Formats detected here but read by the page readers.
PAGE_FORMATS: tuple[str, ...] = ("html", "txt", "warc", "arc", "feed", "sitemap")
SUPPORTED_FORMATS: tuple[str, ...] = METADATA_FORMATS + PAGE_FORMATS


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
    from .extraction import Projector, sample_keys
    from .layouts import resolve_fields

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
    from .extraction import reader_connection, rows_to_json

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
    from .extraction import reader_connection, rows_to_json

    raw, names = parquet_raw(
        Path(path), opts.batch_size, lambda t: rows_to_json(reader_connection(), t)
    )
    return _file_read(Path(path), "parquet", raw, opts, keys=names)
