"""Differential accounting: records_read against an independent count, on real and on
generated files.

1. Every delimited, JSON-lines and JSON file under ../shared/eval (third-party data; the
   tests skip when it is absent) is ingested on its own, and ``records_read`` must equal a
   count made here without policykit: non-blank lines for JSONL and TSV, Python's csv
   module with the file's delimiter for CSV, the json module for JSON. Every file must
   balance: read = new + duplicates + rejects. The counts SOURCE.md states are checked too.
2. Hypothesis generates delimited and JSONL files with stray quotes, BOMs, CR/LF/CRLF
   mixes, embedded tabs and newlines, NUL bytes and blank lines, and checks the same
   identity against the small reference reader below (written from RFC 4180 and the
   rules in docs/layouts.md, char by char, sharing no code with policykit).

What a record is (docs/layouts.md, "What counts as a record"): a blank line (empty, or in
JSONL only whitespace) is not a record; every other line of a JSONL or unquoted TSV file
is one; a CSV record is what RFC 4180 delimits, except that a quote opened in a record
that runs over several lines and does not close cleanly into a record of the header's
width is an ``unbalanced_quote`` reject for its first line only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policykit
from policykit.sources import ReadOptions
from policykit.sources.dispatch import read_file

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
SUFFIXES = (".csv", ".tsv", ".jsonl", ".json", ".json.gz", ".jsonl.gz")

#: Per file: the delimiter, header-less column names, and a mapping for layouts that are
#: not detected (these are facts from each folder's SOURCE.md).
DELIMITERS = {"all_loksatta_articles.csv": "|", "all_mt_times_articles.csv": "|"}
LOKSATTA_COLUMNS = ["title", "description", "date", "content"]
OPTIONS: dict[str, dict] = {
    "loksatta_articles.csv": {"columns": LOKSATTA_COLUMNS},
    "entities.jsonl": {"mapping": {"title": "mention_text"}},
    "india-news-headlines.apadkavyrava-nlp-headlines.csv": {
        "mapping": {"title": "headline_text", "published": "publish_date"}
    },
    "india-news-headlines.hrPrathigna-tie.csv": {
        "mapping": {"title": "headline_text", "published": "publish_date"}
    },
}
#: Counts stated in SOURCE.md (data records).
STATED = {
    "US_articles.csv": 4948,
    "indian_news_dataset.csv": 1815,
    "all_loksatta_articles.csv": 195,
    "all_mt_times_articles.csv": 241,
    "loksatta_articles.csv": 195,
    "mc-onlinenews-mediacloud-20260507155422-content.csv": 2093,
    "india-news-headlines.hrPrathigna-tie.csv": 26017,
}


def eval_files() -> list[Path]:
    if not EVAL.is_dir():
        return []
    found = []
    for path in sorted(EVAL.rglob("*")):
        if not path.is_file() or "pages" in path.parts or "html" in path.parts:
            continue
        if path.name.lower().endswith(SUFFIXES):
            found.append(path)
    return found


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def independent_count(path: Path) -> int:
    """Records in a file, counted with the standard library only."""
    name = path.name.lower().removesuffix(".gz")
    text = _text(path)
    if name.endswith(".jsonl"):
        return sum(1 for line in text.split("\n") if line.strip())
    if name.endswith(".json"):
        document = json.loads(text)
        if isinstance(document, list):
            return len(document)
        if isinstance(document, dict):
            # The record-list keys docs/layouts.md names (GDELT's "articles", feeds' "items").
            for key in ("items", "articles", "records", "results", "stories", "entries"):
                if isinstance(document.get(key), list):
                    return len(document[key])
            for key in ("documents", "docs", "data", "rows"):
                if isinstance(document.get(key), list):
                    return len(document[key])
            if document and all(isinstance(v, dict) for v in document.values()):
                return len(document)
        return 1
    header = 0 if "columns" in OPTIONS.get(path.name, {}) else 1
    if name.endswith(".tsv"):
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return sum(1 for line in lines if line) - header
    delimiter = DELIMITERS.get(path.name, "~" if path.name == "loksatta_articles.csv" else ",")
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row]
    return len(rows) - header


FILES = eval_files()


@pytest.mark.skipif(not FILES, reason="../shared/eval is not present")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(EVAL)) for p in FILES])
def test_eval_file_records_read_equals_an_independent_count(path, tmp_path):
    expected = independent_count(path)
    if path.name in STATED:
        assert expected == STATED[path.name]
    options = OPTIONS.get(path.name, {})
    if path.name == "manifest.tsv":
        # A page manifest (an ingest hands it to the page readers): read here as a table.
        options = {"mapping": {"title": _text(path).split("\t", 1)[0]}}
    # The reader's own rows (page manifests are read by the page readers in an ingest).
    read = read_file(path, ReadOptions(**options))
    rows = sum(batch.num_rows for batch in read.batches)
    assert rows == expected
    report = policykit.ingest([path], db=tmp_path / "e.duckdb", enrich=False, **options)
    if path.name.startswith("manifest."):
        assert report.files == [] or report.files[0].records_read == expected
        return
    (result,) = report.files
    assert result.records_read == expected
    assert result.records_read == result.new_articles + result.duplicates + result.rejects


# --------------------------------------------------------------------------- generated


def reference_records(data: bytes, delimiter: str, quoting: bool, width: int) -> int:
    """Count records the documented way, char by char (a reference, not fast)."""
    text = data.decode("utf-8", "replace").replace("\x00", "")
    text = text.removeprefix("\ufeff")
    lines: list[tuple[str, str]] = []  # (content, line end)
    i = start = 0
    while i < len(text):
        ch = text[i]
        if ch in "\r\n":
            end = "\r\n" if text[i : i + 2] == "\r\n" else ch
            lines.append((text[start:i], end))
            i += len(end)
            start = i
        else:
            i += 1
    if start < len(text):
        lines.append((text[start:], ""))

    def parse(record: str) -> tuple[int, bool, bool]:
        """(fields, complete, clean) by an RFC 4180 state machine, lenient after a quote."""
        fields, state, clean = 1, "start", True
        for ch in record:
            if state == "start":
                state = "quoted" if ch == '"' else ("start" if ch == delimiter else "plain")
                fields += ch == delimiter
            elif state == "plain":
                if ch == delimiter:
                    fields += 1
                    state = "start"
            elif state == "quoted":
                if ch == '"':
                    state = "closing"
            elif state == "closing":
                if ch == '"':
                    state = "quoted"
                elif ch == delimiter:
                    fields += 1
                    state = "start"
                else:
                    clean = False
                    state = "plain"
        return fields, state != "quoted", clean

    count = 0
    k = 0
    while k < len(lines):
        content = lines[k][0]
        if not content:
            k += 1
            continue
        if not quoting:
            count += 1
            k += 1
            continue
        taken = 1
        record = content
        fields, complete, clean = parse(record)
        while not complete and k + taken < len(lines):
            record += lines[k + taken - 1][1] + lines[k + taken][0]
            taken += 1
            fields, complete, clean = parse(record)
        if taken > 1 and (not complete or not clean or fields != width):
            taken = 1  # an unbalanced quote: this line alone is a record (a reject)
        count += 1
        k += taken
    return count


FIELD = st.text(
    alphabet=st.sampled_from(list('ab ,"\t\n\r\x00é;')) | st.characters(codec="utf-8"),
    max_size=12,
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def _to_json(table):
    from policykit.sources.extraction import reader_connection, rows_to_json

    return rows_to_json(reader_connection(), table)


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@st.composite
def delimited_files(draw):
    delimiter = draw(st.sampled_from([",", "\t"]))
    width = draw(st.integers(2, 4))
    header = [f"h{i}" for i in range(width)]
    # CSV always quotes; a TSV is generated either consistently quoted or raw.
    quote_all = delimiter == "," or draw(st.booleans())
    parts = [delimiter.join(_quoted(h) if delimiter == "\t" and quote_all else h for h in header)]
    parts.append(draw(ENDINGS))
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["good", "good", "raw", "blank"]))
        if kind == "blank":
            parts.append("")
        else:
            cells = draw(st.lists(FIELD, min_size=width, max_size=width))
            if kind == "good" and quote_all:
                cells = [_quoted(c) for c in cells]
            parts.append(delimiter.join(cells))
        parts.append(draw(ENDINGS))
    if draw(st.booleans()):
        parts.pop()  # no line end after the last record
    text = "".join(parts)
    bom = draw(st.booleans())
    return delimiter, width, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=delimited_files(), chunk=st.sampled_from([1, 2, 3, 5, 1 << 20]))
def test_generated_delimited_files_count_like_the_reference(tmp_path, case, chunk):
    delimiter, width, data = case
    path = tmp_path / ("g.csv" if delimiter == "," else "g.tsv")
    path.write_bytes(data)
    from policykit.sources import formats, streams

    saved = streams.CHUNK_SIZE
    streams.CHUNK_SIZE = chunk  # chunk edges inside CRLF, quotes and characters
    try:
        scan = formats.scan_delimited(path, delimiter)
        quoting = delimiter == "," or (scan.strict and scan.quotes > 0)
        expected = reference_records(data, delimiter, quoting, width) - 1  # the header
        raw, _ = formats.delimited_raw(path, 7, delimiter, None, _to_json)
        rows = sum(batch.num_rows for batch in raw.batches)
    finally:
        streams.CHUNK_SIZE = saved
    assert rows == max(expected, 0)


@st.composite
def jsonl_files(draw):
    parts = []
    for i in range(draw(st.integers(0, 15))):
        kind = draw(st.sampled_from(["good", "good", "junk", "blank", "spaces", "nul"]))
        if kind == "good":
            title = draw(st.text(max_size=10))
            parts.append(json.dumps({"url": f"https://h.example/{i}", "title": title}))
        elif kind == "junk":
            parts.append(draw(st.text(alphabet='{}[]"ab\t\r', max_size=8)))
        elif kind == "blank":
            parts.append("")
        elif kind == "spaces":
            parts.append(" \t ")
        else:
            parts.append('{"url": "https://h.example/n\x00", "title": "N\x00UL"}')
        parts.append(draw(st.sampled_from(["\n", "\r\n"])))
    if parts and draw(st.booleans()):
        parts.pop()
    text = "".join(parts)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
    return text, text.encode(encoding)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=jsonl_files())
def test_generated_jsonl_files_count_physical_lines(tmp_path, case):
    text, data = case
    path = tmp_path / "g.jsonl"
    path.write_bytes(data)
    read = read_file(path, ReadOptions(format="jsonl"))
    rows = sum(batch.num_rows for batch in read.batches)
    non_blank = sum(1 for line in text.split("\n") if line.strip())
    assert rows + read.skipped.get("blank_line", 0) == text.count("\n") + (
        not text.endswith("\n") and text != ""
    )
    assert rows == non_blank


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=delimited_files())
def test_generated_files_balance_in_an_ingest(tmp_path_factory, case):
    delimiter, width, data = case
    folder = tmp_path_factory.mktemp("balance")
    path = folder / ("g.csv" if delimiter == "," else "g.tsv")
    path.write_bytes(data)
    from policykit.sources import formats

    _, names = formats.delimited_raw(path, 7, delimiter, None, _to_json)
    mapping = {"title": names[0], "url": names[1]}
    report = policykit.ingest([path], db=folder / "b.duckdb", enrich=False, mapping=mapping)
    assert len(report.files) == 1
    for result in report.files:
        assert result.records_read == result.new_articles + result.duplicates + result.rejects
