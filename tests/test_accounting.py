"""records_read comes from an independent count, not from what a parser returned.

Each test builds a file with the shape of a bug seen on real data (issue 9, item 1), and
checks the reader's rows against a count made here with plain line counting or the csv
module, and an ingest's read = new + duplicates + rejects.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import zlib
from pathlib import Path

import pytest

import policykit
from policykit.sources import ReadOptions, formats, jsonrecords, streams
from policykit.sources.dispatch import detect_format, read_file


def read_rows(path: Path, **options) -> tuple[list[dict], object]:
    read = read_file(path, ReadOptions(**options))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    return rows, read


def ingest_one(path: Path, tmp_path: Path, **options):
    report = policykit.ingest([path], db=tmp_path / "t.duckdb", enrich=False, **options)
    (result,) = report.files
    assert result.records_read == result.new_articles + result.duplicates + result.rejects
    return result


def news_row(i: int) -> list[str]:
    return [
        f"https://news.example/{i}",
        f"Story number {i} about the budget",
        f"2024-03-{i % 28 + 1:02d}",
        "Example News",
    ]


# --------------------------------------------------------------------------- TSV


def test_headerless_tsv_title_starting_with_a_quote_swallows_nothing(tmp_path):
    rows = [news_row(i) for i in range(1, 301)]
    rows[40][1] = '"Unclosed quote opens this headline'
    rows[90][1] = '"Quoted" words start this one'
    rows[150][1] = 'ends with a quote"'
    text = "".join("\t".join(r) + "\n" for r in rows)
    path = tmp_path / "export.tsv"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == "tsv"
    got, _ = read_rows(path, columns=["url", "title", "published", "outlet"])
    assert len(got) == text.count("\n")  # one record per physical line
    assert [r["reject_reason"] for r in got] == [None] * len(rows)
    # No quote processing: the cell is the text between tabs, quotes and all.
    assert [r["title"] for r in got][40] == rows[40][1]
    assert got[91]["url"] == rows[91][0]
    result = ingest_one(path, tmp_path, columns=["url", "title", "published", "outlet"])
    assert result.records_read == len(rows)
    assert result.rejects == 0


def test_consistently_quoted_tsv_keeps_quote_processing(tmp_path):
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["url", "title", "body"])
    for i in range(50):
        writer.writerow([f"https://q.example/{i}", f'Title "{i}"', f"line one\nline\ttwo {i}"])
    path = tmp_path / "quoted.tsv"
    path.write_text(out.getvalue(), encoding="utf-8")
    expected = list(csv.reader(io.StringIO(out.getvalue()), delimiter="\t"))[1:]
    got, _ = read_rows(path)
    assert len(got) == len(expected) == 50
    assert all(r["reject_reason"] is None for r in got)
    assert [r["title"] for r in got] == [e[1] for e in expected]
    assert [r["body"] for r in got] == [e[2] for e in expected]


# --------------------------------------------------------------------------- CSV


def test_csv_with_one_unclosed_quote_recovers_every_later_row(tmp_path):
    rows = [["url", "title", "published"]] + [news_row(i)[:3] for i in range(1, 10_001)]
    rows[5][1] = '"unclosed title, with a comma'
    rows[700][1] = "A title, quoted properly"  # the writer quotes this one
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = out.getvalue().replace(
        '"""unclosed title, with a comma"', '"unclosed title, with a comma'
    )
    path = tmp_path / "big.csv"
    path.write_text(text, encoding="utf-8")
    got, _ = read_rows(path)
    lines = text.count("\n") - 1  # data lines (the header is not a record)
    assert len(got) == lines == 10_000
    bad = [r for r in got if r["reject_reason"]]
    assert [(r["source_locator"], r["reject_reason"]) for r in bad] == [
        ("row:5", "unbalanced_quote")
    ]
    assert "line 6" in bad[0]["reject_detail"]
    assert len(bad[0]["payload"]) < 200  # the line alone, not the rest of the file
    assert got[5]["url"] == rows[6][0]
    assert got[699]["title"] == "A title, quoted properly"
    assert got[-1]["url"] == rows[-1][0]
    result = ingest_one(path, tmp_path)
    assert result.records_read == 10_000
    assert result.rejects == 1


def test_csv_unclosed_quote_that_a_later_quote_closes_cleanly(tmp_path):
    # The quote opened on row 5 is closed by a field that ends in a quote on row 9, right
    # before a comma: well-formed RFC 4180, but the record it makes has too many fields,
    # so the parser's row is split again and rows 6-9 are recovered.
    lines = ["url,title,outlet"] + [f"https://c.example/{i},t{i},o" for i in range(1, 20)]
    lines[5] = 'https://c.example/5,"t5,o'
    lines[9] = 'https://c.example/9,t9",o,extra'
    path = tmp_path / "closed_later.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, _ = read_rows(path)
    assert len(got) == len(lines) - 1
    reasons = sorted(r["reject_reason"] for r in got if r["reject_reason"])
    assert reasons == ["malformed_csv", "unbalanced_quote"]
    urls = {r["url"] for r in got if r["reject_reason"] is None}
    assert urls == {f"https://c.example/{i}" for i in range(1, 20)} - {
        "https://c.example/5",
        "https://c.example/9",
    }
    result = ingest_one(path, tmp_path)
    assert result.records_read == len(lines) - 1


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
@pytest.mark.parametrize("delimiter", [",", "\t"], ids=["csv", "tsv"])
def test_delimited_files_with_any_line_ending(tmp_path, ending, delimiter):
    header = ["url", "title", "published", "outlet"]
    rows = [news_row(i) for i in range(200)]
    text = ending.join(delimiter.join(r) for r in [header, *rows]) + ending
    suffix = ".csv" if delimiter == "," else ".tsv"
    path = tmp_path / f"rows{suffix}"
    path.write_bytes(text.encode("utf-8"))
    assert detect_format(path) == suffix[1:]
    got, _ = read_rows(path)
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:]
    assert len(got) == len(expected) == 200
    assert [r["url"] for r in got] == [e[0] for e in expected]
    assert all(r["reject_reason"] is None for r in got)


def test_csv_with_nul_bytes_strips_and_counts_them(tmp_path):
    lines = ["url,title"] + [f"https://n.example/{i},Title {i}" for i in range(30)]
    lines[7] = "https://n.example/6,Tit\x00le\x00 6"
    path = tmp_path / "nul.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, _ = read_rows(path)
    assert len(got) == 30
    assert got[6]["title"] == "Title 6"
    assert "2 NUL bytes removed" in got[6]["reject_detail"]
    assert got[6]["reject_reason"] is None


# --------------------------------------------------------------------------- JSONL


def jsonl_record(i: int) -> str:
    return json.dumps({"url": f"https://j.example/{i}", "title": f"Story {i} of the day"})


def test_damaged_jsonl_gz_keeps_every_line_before_the_damage(tmp_path):
    text = "".join(jsonl_record(i) + "\n" for i in range(4000))
    data = bytearray(gzip.compress(text.encode(), mtime=0))
    middle = len(data) // 2
    data[middle : middle + 64] = random.Random(9).randbytes(64)
    path = tmp_path / "damaged.jsonl.gz"
    path.write_bytes(bytes(data))
    assert detect_format(path) == "jsonl"
    got, _ = read_rows(path)
    # Independently: what zlib yields fed one byte at a time, and how many of its lines
    # are the original lines (deflate may emit garbage for a while after the damage).
    decomp = zlib.decompressobj(wbits=31)
    recovered = b""
    for i in range(len(data)):
        try:
            recovered += decomp.decompress(bytes(data[i : i + 1]))
        except zlib.error:
            break
    original = text.encode().split(b"\n")
    intact = 0
    for line in recovered.split(b"\n")[:-1]:
        if line != original[intact]:
            break
        intact += 1
    assert 1000 < intact < 4000
    assert got[-1]["reject_reason"] == "truncated_gzip"
    assert "compressed byte" in got[-1]["reject_detail"]
    assert len(got) == recovered[: recovered.rfind(b"\n") + 1].count(b"\n") + 1
    assert [r["payload"] for r in got[:intact]] == [x.decode() for x in original[:intact]]
    assert all(r["reject_reason"] is None for r in got[:intact])
    result = ingest_one(path, tmp_path)
    assert result.records_read == len(got)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_jsonl_with_a_utf16_or_utf32_bom_is_decoded(tmp_path, encoding):
    text = "".join(jsonl_record(i) + "\n" for i in range(20))
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "wide.jsonl"
    path.write_bytes(data)
    assert detect_format(path) == "jsonl"
    got, _ = read_rows(path)
    assert len(got) == text.count("\n") == 20
    assert [r["url"] for r in got] == [f"https://j.example/{i}" for i in range(20)]


def test_jsonl_with_nul_bytes_loads_every_line(tmp_path):
    lines = [jsonl_record(i) for i in range(330)]
    for i in range(0, 330, 37):
        lines[i] = lines[i].replace("Story", "St\x00ory")
    path = tmp_path / "nul.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_format(path) == "jsonl"
    got, _ = read_rows(path)
    assert len(got) == 330
    assert all(r["reject_reason"] is None for r in got)
    assert got[37]["title"] == "Story 37 of the day"
    assert "NUL byte removed" in got[37]["reject_detail"]


def test_oversized_jsonl_line_is_too_large_and_the_next_lines_load(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "MAX_RECORD_BYTES", 1 << 20)
    monkeypatch.setattr(jsonrecords, "JSONL_CHUNK_BYTES", 1 << 16)
    huge = json.dumps({"url": "https://j.example/huge", "title": "x" * (3 << 20)})
    lines = [jsonl_record(0), huge, jsonl_record(2), huge[: 2 << 20] + "x" * 10, jsonl_record(4)]
    path = tmp_path / "huge.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, _ = read_rows(path)
    assert len(got) == 5
    assert [r["reject_reason"] for r in got] == [None, "too_large", None, "too_large", None]
    assert len(got[1]["payload"]) <= formats.EXCERPT_BYTES
    assert got[4]["source_locator"] == "line:5"


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("content", ["42", "null", "true", '"a string"', "3.5e2"])
def test_bare_json_scalar_is_one_record(tmp_path, content):
    path = tmp_path / "value.json"
    path.write_text(content + "\n", encoding="utf-8")
    assert detect_format(path) == "json"
    result = ingest_one(path, tmp_path)
    assert result.records_read == 1
    assert result.rejects == 1


def test_json_nested_100000_deep_is_too_deep_not_a_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    got, _ = read_rows(path)
    assert [r["reject_reason"] for r in got] == ["too_deep"]
    array = tmp_path / "deep_array.json"
    items = [jsonl_record(1), "[" * 100_000 + "]" * 100_000, jsonl_record(3)]
    array.write_text("[" + ",".join(items) + "]", encoding="utf-8")
    got, _ = read_rows(array)
    assert [r["reject_reason"] for r in got] == [None, "too_deep"]
    assert len(got[1]["payload"]) <= formats.PAYLOAD_EXCERPT


def test_json_array_with_an_oversized_item_is_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "MAX_RECORD_BYTES", 1 << 20)
    items = [jsonl_record(1), json.dumps({"title": "y" * (3 << 20)}), jsonl_record(3)]
    path = tmp_path / "big_item.json"
    path.write_text("[" + ",".join(items) + "]", encoding="utf-8")
    got, _ = read_rows(path)
    assert [r["reject_reason"] for r in got] == [None, "too_large"]
    assert got[1]["source_locator"] == "item:2"


def test_json_array_streamed_in_small_chunks_matches_json_module(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "CHUNK_SIZE", 7)
    records = [
        {"url": f"https://a.example/{i}", "n": i * 1.5, "t": "é" * (i % 5)} for i in range(60)
    ]
    records.append(12345678901234567890)
    path = tmp_path / "array.json"
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    read = formats.json_raw(path, batch_size=10)
    payloads = [p for b in read.batches for p in b.column("payload").to_pylist()]
    assert [json.loads(p) for p in payloads] == records


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_oversized_csv_record_is_too_large_and_the_next_rows_load(tmp_path, monkeypatch, quoted):
    monkeypatch.setattr(streams, "MAX_RECORD_BYTES", 1 << 20)
    huge = "w" * (3 << 20)
    if quoted:
        huge = f'"{huge}"'
    lines = ["url,title", "https://l.example/1,One", f"https://l.example/2,{huge}"]
    lines.append("https://l.example/3,Three")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, _ = read_rows(path)
    assert [r["reject_reason"] for r in got] == [None, "too_large", None]
    assert len(got[1]["payload"]) <= formats.EXCERPT_BYTES
    assert got[2]["url"] == "https://l.example/3"


@pytest.mark.parametrize("first", [True, False], ids=["first-line", "later-line"])
def test_jsonl_line_nested_100000_deep_never_raises(tmp_path, first):
    deep = '{"url": "https://j.example/deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [jsonl_record(1), jsonl_record(2)]
    lines.insert(0 if first else 1, deep)
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_format(path) == "jsonl"
    result = ingest_one(path, tmp_path)
    assert result.records_read == 3


def test_json_feed_nested_100000_deep_is_too_deep(tmp_path):
    path = tmp_path / "feed.json"
    body = '{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 100_000
    path.write_text(body + "]" * 100_000 + "}", encoding="utf-8")
    rows, _ = read_rows(path)
    assert [r["reject_reason"] for r in rows] == ["too_deep"]


def test_recovered_rows_keep_file_order_and_row_numbers(tmp_path):
    lines = ["url,title,outlet"] + [f"https://o.example/{i},t{i},o" for i in range(1, 13)]
    lines[3] = 'https://o.example/3,"t3,o'
    lines[6] = 'https://o.example/6,t6",o,extra'
    path = tmp_path / "order.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got, _ = read_rows(path)
    assert [r["source_locator"] for r in got] == [f"row:{i}" for i in range(1, 13)]
    assert got[2]["reject_reason"] == "unbalanced_quote"
    assert [r["url"] for r in got[3:5]] == ["https://o.example/4", "https://o.example/5"]
    assert got[5]["reject_reason"] == "malformed_csv"


def test_utf16_csv_with_bom_is_decoded(tmp_path):
    text = "url,title\r\n" + "".join(f"https://u.example/{i},Tïtle {i}\r\n" for i in range(25))
    path = tmp_path / "wide.csv"
    path.write_bytes(text.encode("utf-16"))
    assert detect_format(path) == "csv"
    got, _ = read_rows(path)
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert [(r["url"], r["title"]) for r in got] == [tuple(e) for e in expected]


def test_gzip_bomb_in_a_csv_keeps_the_rows_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "GZIP_RATIO_FLOOR", 1 << 20)
    rows = "url,title\n" + "".join(f"https://g.example/{i},Title {i}\n" for i in range(100))
    filler = "https://g.example/x," + "a" * (40 << 20) + "\n"
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress((rows + filler).encode(), mtime=0))
    got, _ = read_rows(path)
    assert [r["url"] for r in got[:100]] == [f"https://g.example/{i}" for i in range(100)]
    assert got[-1]["reject_reason"] == "decompression_bomb"
    assert len(got[-1]["payload"]) <= formats.EXCERPT_BYTES


def test_json_document_over_the_cap_is_one_too_large_reject(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonrecords, "MAX_JSON_DOCUMENT_BYTES", 1 << 20)
    monkeypatch.setattr(streams, "CHUNK_SIZE", 1 << 16)
    document = {"articles": [json.loads(jsonl_record(i)) for i in range(30_000)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    got, _ = read_rows(path)
    assert [(r["source_locator"], r["reject_reason"]) for r in got] == [("file", "too_large")]
    assert len(got[0]["payload"]) <= formats.EXCERPT_BYTES


def test_a_line_of_only_nul_bytes_is_a_record_and_a_reject(tmp_path):
    # Found by make fuzz: stripping the NULs left a blank line, which was skipped like an
    # empty one, so the physical record vanished from records_read.
    raw = tmp_path / "raw"
    raw.mkdir()
    good = b'{"url": "https://e.example/%d", "title": "Story %d here"}\n'
    body = good % (1, 1) + b"\x00\x00\n" + b"".join(good % (i, i) for i in range(2, 30))
    (raw / "nul.jsonl").write_bytes(body)
    physical = sum(1 for line in body.split(b"\n") if line)  # independent: non-empty lines
    report = policykit.ingest(raw, db=tmp_path / "x.duckdb", enrich=False)
    assert report.totals["records_read"] == physical == 30
    assert report.rejects_by_reason == {"malformed_json": 1}
    assert report.totals["new_articles"] == 29
