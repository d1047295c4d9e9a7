"""Bad input never raises a traceback and never loses a record: it becomes a reject row."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policykit.errors import FormatError
from policykit.sources import ReadOptions, delimited
from policykit.sources.dispatch import read_file
from policykit.sources.formats import DECODE_FALLBACK_DETAIL
from policykit.sources.jsonrecords import NUL_ONLY_MARKER
from policykit.sources.layouts import BLANK_CHARS as BLANKS
from policykit.sources.layouts import EMPTY_VALUES

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def read_rows(path: Path, **options) -> tuple[list[dict], object]:
    read = read_file(path, ReadOptions(**options))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    return rows, read


def record(i: int) -> str:
    return json.dumps({"url": f"https://r.example/{i}", "title": f"Story {i}"})


def test_malformed_jsonl_lines_become_rejects_with_raw_text(tmp_path):
    lines = [
        record(1),
        "{not json",
        "[1, 2]",
        "42",
        "{}",
        '"just words"',
        '"https://r.example/bare"',
        record(8),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, read = read_rows(path)
    assert [r["source_locator"] for r in rows] == [f"line:{i}" for i in range(1, 9)]
    assert [r["reject_reason"] for r in rows] == [
        None,
        "malformed_json",
        "not_an_object",
        "not_an_object",
        "empty_record",
        "not_an_object",
        None,  # a bare URL string is a URL record
        None,
    ]
    assert [r["payload"] for r in rows] == lines
    assert rows[6]["url"] == "https://r.example/bare"
    assert rows[2]["reject_detail"] == "a JSON array, not an object"
    assert rows[1]["url"] is None and rows[1]["extraction_method"] is None


def test_blank_lines_are_counted_not_rows(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text(record(1) + "\n\n   \n" + record(4) + "\n", encoding="utf-8")
    rows, read = read_rows(path)
    assert [r["source_locator"] for r in rows] == ["line:1", "line:4"]
    assert read.skipped["blank_line"] == 2


def test_truncated_last_line(tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text(record(1) + "\n" + record(2)[:20], encoding="utf-8")
    rows, _ = read_rows(path)
    assert [r["reject_reason"] for r in rows] == [None, "truncated"]
    assert rows[1]["payload"] == record(2)[:20]
    assert rows[1]["source_locator"] == "line:2"


def test_complete_last_line_without_newline_is_fine(tmp_path):
    path = tmp_path / "nonl.jsonl"
    path.write_text(record(1) + "\r\n" + record(2), encoding="utf-8")
    rows, _ = read_rows(path)
    assert [r["reject_reason"] for r in rows] == [None, None]
    assert rows[0]["payload"] == record(1)  # the \r of a CRLF line ending is dropped


def test_truncated_gzip_keeps_everything_before_the_damage(tmp_path):
    lines = [record(i) for i in range(1, 3001)]
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    rows, _ = read_rows(path)
    good = [r for r in rows if r["reject_reason"] is None]
    bad = [r for r in rows if r["reject_reason"] is not None]
    assert len(bad) == 1 and bad[0]["reject_reason"] == "truncated_gzip"
    assert "gzip stream ends before its end marker" in bad[0]["reject_detail"]
    assert len(good) > 100
    # every good row is exactly the input line with its number, in order
    assert [r["payload"] for r in good] == lines[: len(good)]
    assert bad[0]["source_locator"] == f"line:{len(good) + 1}"
    assert lines[len(good)].startswith(bad[0]["payload"])


def test_truncated_gzip_json_array_and_csv(tmp_path):
    items = [{"url": f"https://r.example/{i}", "title": f"T{i}"} for i in range(2000)]
    data = gzip.compress(json.dumps(items).encode("utf-8"))
    path = tmp_path / "cut.json.gz"
    path.write_bytes(data[: len(data) // 2])
    rows, _ = read_rows(path)
    assert rows[-1]["reject_reason"] == "truncated_gzip"
    assert all(r["reject_reason"] is None for r in rows[:-1])
    assert [r["url"] for r in rows[:-1]] == [i["url"] for i in items[: len(rows) - 1]]
    csv_text = "url,title\n" + "".join(f"https://r.example/{i},T{i}\n" for i in range(3000))
    data = gzip.compress(csv_text.encode("utf-8"))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    rows, _ = read_rows(path)
    assert rows[-1]["reject_reason"] == "truncated_gzip"
    good = rows[:-1]
    assert all(r["reject_reason"] is None for r in good)
    assert [r["url"] for r in good] == [f"https://r.example/{i}" for i in range(len(good))]
    assert rows[-1]["source_locator"] == f"row:{len(good) + 1}"


def test_corrupt_gzip_data(tmp_path):
    data = bytearray(gzip.compress(("\n".join(record(i) for i in range(500)) + "\n").encode()))
    data[40:60] = b"\x00" * 20
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(data))
    rows, _ = read_rows(path, format="jsonl")
    assert rows[-1]["reject_reason"] == "truncated_gzip"
    assert "corrupt gzip data" in rows[-1]["reject_detail"]


def test_truncated_json_document(tmp_path):
    items = [{"url": f"https://r.example/{i}", "title": f"T{i}"} for i in range(10)]
    text = json.dumps(items, indent=1)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    rows, _ = read_rows(path)
    assert rows[-1]["reject_reason"] == "truncated"
    assert all(r["reject_reason"] is None for r in rows[:-1])
    assert len(rows) - 1 >= 5


def test_json_lines_under_a_forced_json_format_are_read_line_by_line(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text(record(1) + "\n{broken\n" + record(3) + "\n", encoding="utf-8")
    read = read_file(path, ReadOptions(format="json"))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    assert read.format == "jsonl"
    assert [(r["source_locator"], r["reject_reason"]) for r in rows] == [
        ("line:1", None),
        ("line:2", "malformed_json"),
        ("line:3", None),
    ]


def test_malformed_json_object_document(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"items": [{"url": "https://r.example/1"}], oops}', encoding="utf-8")
    rows, _ = read_rows(path)
    assert len(rows) == 1
    assert rows[0]["reject_reason"] == "malformed_json"
    assert rows[0]["source_locator"] == "file"
    assert "oops" in rows[0]["payload"]


def test_non_utf8_bytes_are_decoded_as_cp1252_and_flagged(tmp_path):
    path = tmp_path / "latin.jsonl"
    good = record(1).encode("utf-8")
    latin = '{"url": "https://r.example/2", "title": "Caf\u00e9 \u2013 d\u00e9bat"}'.encode(
        "cp1252"
    )
    path.write_bytes(good + b"\n" + latin + b"\n")
    rows, _ = read_rows(path)
    assert [r["reject_reason"] for r in rows] == [None, None]
    assert rows[0]["reject_detail"] is None
    assert rows[1]["title"] == "Caf\u00e9 \u2013 d\u00e9bat"
    assert rows[1]["reject_detail"] == DECODE_FALLBACK_DETAIL


def test_non_utf8_csv_values(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"url,title\nhttps://r.example/1,Caf\xe9\nhttps://r.example/2,Plain\n")
    rows, _ = read_rows(path)
    assert rows[0]["title"] == "Caf\u00e9"
    assert rows[0]["reject_detail"] == DECODE_FALLBACK_DETAIL
    assert rows[1]["reject_detail"] is None


def test_non_utf8_csv_with_ragged_rows_and_truncated_gzip(tmp_path):
    lines = [b"url,title"]
    for i in range(1, 2001):
        title = b"Caf\xe9 %d" % i if i % 3 == 0 else b"Plain %d" % i
        extra = b",extra" if i % 50 == 0 else b""
        lines.append(b"https://r.example/%d,%s%s" % (i, title, extra))
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "legacy.csv"
    path.write_bytes(data)
    rows, _ = read_rows(path)
    assert [r["source_locator"] for r in rows] == [f"row:{i}" for i in range(1, 2001)]
    assert rows[2]["title"] == "Caf\u00e9 3"
    assert rows[2]["reject_detail"] == DECODE_FALLBACK_DETAIL
    assert rows[0]["reject_detail"] is None
    assert rows[49]["reject_reason"] == "malformed_csv"
    assert rows[49]["payload"] == "https://r.example/50,Plain 50,extra"
    assert sum(r["reject_reason"] == "malformed_csv" for r in rows) == 40
    packed = gzip.compress(data)
    cut = tmp_path / "legacy.csv.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    rows, _ = read_rows(cut, format="csv")
    assert rows[-1]["reject_reason"] == "truncated_gzip"
    good = rows[:-1]
    assert [r["source_locator"] for r in good] == [f"row:{i}" for i in range(1, len(good) + 1)]
    assert len(good) > 100


def test_empty_file_is_a_format_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match="empty.jsonl: is empty"):
        read_rows(path)
    # with the format forced, an empty file reads as zero rows
    rows, read = read_rows(path, format="jsonl")
    assert rows == [] and read.layout == "generic"


def test_ragged_csv_rows_are_rejects_in_file_order():
    rows, _ = read_rows(FIXTURES / "ragged.csv")
    assert [r["source_locator"] for r in rows] == [f"row:{i}" for i in range(1, 6)]
    assert [r["reject_reason"] for r in rows] == [
        None,
        "malformed_csv",
        None,
        "malformed_csv",
        None,
    ]
    assert rows[1]["payload"] == "https://x.example.com/2,Missing date"
    assert rows[3]["reject_detail"] == "4 fields where the header has 3"
    assert rows[2]["title"] == "Quoted, with comma"


def test_csv_with_quoted_newlines_counts_rows_not_lines(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text(
        'url,title\nhttps://m.example/1,"two\nlines"\nhttps://m.example/2,bad,row\n'
        "https://m.example/3,three\n",
        encoding="utf-8",
    )
    rows, _ = read_rows(path)
    assert [(r["source_locator"], r["reject_reason"]) for r in rows] == [
        ("row:1", None),
        ("row:2", "malformed_csv"),
        ("row:3", None),
    ]
    assert rows[0]["title"] == "two\nlines"


@pytest.mark.parametrize("block", [256, 4096, 1 << 22])
def test_csv_row_numbers_across_parser_blocks(tmp_path, monkeypatch, block):
    monkeypatch.setattr(delimited, "CSV_BLOCK_BYTES", block)
    lines, expected = [], []
    for i in range(1, 601):
        if i % 37 == 0:
            lines.append(f"https://r.example/{i},too,many")
            expected.append((f"row:{i}", "malformed_csv", None))
        else:
            lines.append(f'https://r.example/{i},"T {i}"')
            expected.append((f"row:{i}", None, f"https://r.example/{i}"))
    path = tmp_path / "blocks.csv"
    path.write_text("url,title\n" + "\n".join(lines) + "\n", encoding="utf-8")
    rows, _ = read_rows(path)
    assert [(r["source_locator"], r["reject_reason"], r["url"]) for r in rows] == expected


def test_payload_is_capped(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(
        json.dumps({"url": "https://b.example/1", "text": "x" * 100_000}) + "\n", encoding="utf-8"
    )
    rows, _ = read_rows(path)
    assert len(rows[0]["payload"]) == 65_536
    assert len(rows[0]["body"]) == 100_000


def test_batches_respect_batch_size(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(record(i) + "\n" for i in range(1, 1001)), encoding="utf-8")
    read = read_file(path, ReadOptions(batch_size=128))
    sizes = [batch.num_rows for batch in read.batches]
    assert sum(sizes) == 1000 and max(sizes) <= 128
    csv_path = tmp_path / "many.csv"
    csv_path.write_text(
        "url,title\n" + "".join(f"https://r.example/{i},T{i}\n" for i in range(1000)),
        encoding="utf-8",
    )
    read = read_file(csv_path, ReadOptions(batch_size=100))
    batches = list(read.batches)
    assert sum(b.num_rows for b in batches) == 1000
    assert max(b.num_rows for b in batches) <= 100
    locators = [loc for b in batches for loc in b.column("source_locator").to_pylist()]
    assert locators == [f"row:{i}" for i in range(1, 1001)]


# --------------------------------------------------------------------------- property

json_records = st.fixed_dictionaries(
    {"url": st.text(min_size=1, max_size=30), "title": st.text(max_size=30)},
    optional={"date": st.integers(), "tags": st.lists(st.text(max_size=5), max_size=3)},
)
# Junk: text that is never a JSON object or a URL string (and never blank: blank lines
# are skipped, not records).
junk_lines = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() and not s.lstrip().startswith(("{", '"')))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.one_of(json_records, junk_lines), min_size=1, max_size=30))
@example(lines=[{"url": "0", "title": ""}, "0\x00"])  # make fuzz: NUL stripped from a junk line
@example(lines=[{"url": "0", "title": ""}, "\x00"])  # make fuzz: a line of only NUL bytes
def test_property_rows_out_equal_lines_in(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("prop") / "random.jsonl"
    texts = [json.dumps(line) if isinstance(line, dict) else line for line in lines]
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    read = read_file(path, ReadOptions(format="jsonl", mapping={"url": "url"}))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    assert len(rows) == len(texts)
    for text, line, row in zip(texts, lines, rows, strict=True):
        if isinstance(line, dict):
            assert row["reject_reason"] is None
            # values that are empty (after trimming ASCII blanks) or placeholders are missing
            missing = line["url"].strip(BLANKS) in EMPTY_VALUES
            assert row["url"] == (None if missing else line["url"])
        else:
            assert row["reject_reason"] in ("malformed_json", "not_an_object")
            # NUL bytes are stripped (and noted); a line of nothing else keeps a marker
            stripped = text.replace("\x00", "")
            assert row["payload"] == (stripped if stripped.strip() else NUL_ONLY_MARKER)


# --------------------------------------------------------------------------- real data

needs_shared = pytest.mark.skipif(
    not (SHARED / "eval").is_dir(), reason="../shared/eval is not available"
)


@needs_shared
def test_every_newspaper4k_metadata_file_reads_one_record():
    files = sorted((SHARED / "eval" / "newspaper4k_testdata" / "metadata").glob("*.json"))
    assert files
    for path in files:
        rows, read = read_rows(path)
        assert read.layout == "newspaper4k", path.name
        assert len(rows) == 1, path.name
        row = rows[0]
        assert row["reject_reason"] is None, path.name
        assert row["title"], path.name
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("url"):
            assert row["url"] == document["url"]
        else:
            # video_article_01.json: an older key set with a bare id as canonical_link
            assert row["url"] is None
            assert row["outlet"] == document["meta_site_name"]


@needs_shared
def test_every_notnews_url_list_reads_with_every_url_accounted_for():
    files = sorted((SHARED / "eval" / "notnews_top_news_urls").glob("*.json.gz"))
    assert files
    for path in files:
        urls = json.loads(gzip.decompress(path.read_bytes()))
        rows, read = read_rows(path)
        assert read.layout == "url-list", path.name
        assert len(rows) == len(urls), path.name
        rejected = [r for r in rows if r["reject_reason"]]
        accepted = [r["url"] for r in rows if not r["reject_reason"]]
        # every string is either a URL record (same text) or a reject carrying the string
        assert len(accepted) + len(rejected) == len(urls)
        assert all(json.loads(r["payload"]) in urls for r in rejected)
        assert set(accepted) <= {u.strip() for u in urls}
