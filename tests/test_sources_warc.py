"""WARC/ARC reader: page records, skipped kinds, damaged archives."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from policykit.sources import STAGING_COLUMNS, ReadOptions
from policykit.sources.warc import read_warc

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WARCIO = SHARED / "eval" / "feeds_and_warc_samples" / "warcio"
needs_samples = pytest.mark.skipif(
    not WARCIO.is_dir(), reason="shared feeds_and_warc_samples/warcio not available"
)

ARTICLE = (
    "<html><head><title>{title}</title></head><body><article><p>"
    + "The spectrum auction rules were published with a reserve price for each band. " * 8
    + "</p></article></body></html>"
)


def read_all(path: Path, workers: int = 1):
    read = read_warc(path, ReadOptions(workers=workers))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    return rows, read


def write_warc(path: Path, records: list[tuple[str, str, str, bytes]], compress: bool = True):
    """records: (kind, uri, content type, payload)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for kind, uri, content_type, payload in records:
            if kind == "response":
                http = StatusAndHeaders(
                    "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
                )
                record = writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(payload), http_headers=http
                )
            else:
                record = writer.create_warc_record(
                    uri, kind, payload=io.BytesIO(payload), warc_content_type=content_type
                )
            writer.write_record(record)


def write_arc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    """A version-1 ARC file: a filedesc record, then one record per (url, type, body)."""
    version = b"1 0 policykit\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://%s 0.0.0.0 20240101000000 text/plain %d\n" % (
        path.name.encode(),
        len(version),
    )
    out += version + b"\n"
    for url, content_type, body in records:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n%s" % (content_type.encode(), body)
        out += f"{url} 192.0.2.1 20240102030405 {content_type} {len(http)}\n".encode()
        out += http + b"\n"
    path.write_bytes(out)


@needs_samples
def test_example_warc_one_response_and_counted_skips():
    rows, read = read_all(WARCIO / "example.warc.gz")
    assert len(rows) == 1
    (row,) = rows
    assert row["url"] == "http://example.com/"
    assert row["scraped_at"] == "2017-03-06T04:02:06Z"
    assert row["source_locator"].startswith("offset:")
    assert row["title"] == "Example Domain"
    assert row["extraction_method"] == "warc+trafilatura"
    assert dict(read.skipped) == {"warcinfo": 2, "request": 2, "revisit": 1}
    assert set(row) == set(STAGING_COLUMNS)


@needs_samples
def test_locator_is_the_record_byte_offset():
    rows, _ = read_all(WARCIO / "example.warc.gz")
    offset = int(rows[0]["source_locator"].split(":")[1])
    with (WARCIO / "example.warc.gz").open("rb") as handle:
        handle.seek(offset)
        member = gzip.GzipFile(fileobj=handle).read(200)
    assert member.startswith(b"WARC/1.0")
    assert b"WARC-Type: response" in member


@needs_samples
def test_chunked_body_is_decoded():
    rows, read = read_all(WARCIO / "example-iana.org-chunked.warc")
    (row,) = rows
    assert row["url"] == "http://www.iana.org/"
    assert row["title"] == "Internet Assigned Numbers Authority"
    assert "Root Zone" in row["body"]
    assert dict(read.skipped) == {"warcinfo": 1, "request": 1}


@needs_samples
def test_resource_records_are_pages():
    rows, read = read_all(WARCIO / "example-resource.warc.gz")
    assert [r["url"] for r in rows] == ["http://example.com/"]
    assert rows[0]["scraped_at"] == "2017-04-29T01:30:30Z"
    assert dict(read.skipped) == {"warcinfo": 2}


@needs_samples
def test_damaged_sample_yields_its_page_and_one_reject():
    rows, _ = read_all(WARCIO / "example-trunc.warc")
    pages = [r for r in rows if r["reject_reason"] is None]
    rejects = [r for r in rows if r["reject_reason"] is not None]
    assert [r["url"] for r in pages] == ["http://example.com/"]
    assert len(rejects) == 1
    assert rejects[0]["reject_reason"] == "truncated_archive"
    offset = rejects[0]["source_locator"].removeprefix("offset:")
    assert f"offset {offset}" in rejects[0]["reject_detail"]


@pytest.mark.parametrize("compress", [True, False])
def test_archive_cut_mid_record_keeps_earlier_pages(tmp_path, compress):
    full = tmp_path / "full.warc"
    write_warc(
        full,
        [
            ("response", "https://a.example/1", "text/html", ARTICLE.format(title="One").encode()),
            ("response", "https://a.example/2", "text/html", ARTICLE.format(title="Two").encode()),
        ],
        compress=compress,
    )
    data = full.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: len(data) - 300])
    rows, _ = read_all(cut)
    assert [r["title"] for r in rows if r["reject_reason"] is None] == ["One"]
    rejects = [r for r in rows if r["reject_reason"]]
    assert [r["reject_reason"] for r in rejects] == ["truncated_archive"]
    assert "offset" in rejects[0]["reject_detail"]


def test_non_html_metadata_and_charset(tmp_path):
    target = tmp_path / "mixed.warc.gz"
    latin = ARTICLE.format(title="Café réglementation").encode("cp1252")
    write_warc(
        target,
        [
            ("response", "https://a.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" * 20),
            ("response", "https://a.example/fr", "text/html; charset=windows-1252", latin),
            ("metadata", "https://a.example/fr", "application/warc-fields", b"outlinks: 3\r\n"),
            ("resource", "https://a.example/feed.json", "application/json", b"{}"),
        ],
    )
    rows, read = read_all(target)
    assert [r["title"] for r in rows] == ["Café réglementation"]
    assert json.loads(rows[0]["payload"])["encoding_source"] == "http"
    assert dict(read.skipped) == {"warcinfo": 1, "non_html": 2, "metadata": 1}


def test_arc_files_are_converted(tmp_path):
    target = tmp_path / "crawl.arc"
    write_arc(
        target,
        [
            ("http://example.org/news/a", "text/html", ARTICLE.format(title="ARC page").encode()),
            ("http://example.org/logo.png", "image/png", b"\x89PNG...."),
        ],
    )
    rows, read = read_all(target)
    assert [(r["url"], r["title"]) for r in rows] == [("http://example.org/news/a", "ARC page")]
    assert rows[0]["scraped_at"] == "2024-01-02T03:04:05Z"
    assert read.format == "arc"
    assert read.skipped["non_html"] == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty_file"),
        (b"this is a text file, not an archive\n" * 5, "malformed_archive"),
        (gzip.compress(b"<html>not a warc</html>", mtime=0), "malformed_archive"),
    ],
)
def test_not_an_archive_is_one_reject(tmp_path, content, reason):
    target = tmp_path / "x.warc"
    target.write_bytes(content)
    rows, _ = read_all(target)
    assert [(r["source_locator"], r["reject_reason"]) for r in rows] == [("offset:0", reason)]


def test_workers_give_the_same_rows_in_order(tmp_path):
    target = tmp_path / "many.warc.gz"
    titles = [f"Story {i}" for i in range(12)]
    write_warc(
        target,
        [
            ("response", f"https://a.example/{i}", "text/html", ARTICLE.format(title=t).encode())
            for i, t in enumerate(titles)
        ],
    )
    serial, _ = read_all(target, workers=1)
    parallel, _ = read_all(target, workers=2)
    assert [r["title"] for r in parallel] == titles
    assert parallel == serial


@pytest.fixture(scope="module")
def three_page_archive(tmp_path_factory) -> tuple[bytes, set[int]]:
    """A three-page archive and the byte offsets where its records start or end."""
    from warcio.archiveiterator import ArchiveIterator

    target = tmp_path_factory.mktemp("warc") / "three.warc.gz"
    write_warc(
        target,
        [
            ("response", f"https://a.example/{t}", "text/html", ARTICLE.format(title=t).encode())
            for t in ("A", "B", "C")
        ],
    )
    with target.open("rb") as handle:
        iterator = ArchiveIterator(handle)
        boundaries = {iterator.offset for _ in iterator} | {iterator.offset}
    return target.read_bytes(), boundaries


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=1, max_value=10_000))
def test_any_truncation_yields_a_prefix_and_at_most_one_reject(tmp_path, three_page_archive, cut):
    data, boundaries = three_page_archive
    keep = max(1, len(data) - cut)
    target = tmp_path / "cut.warc.gz"
    target.write_bytes(data[:keep])
    rows, _ = read_all(target)
    titles = [r["title"] for r in rows if r["reject_reason"] is None]
    assert titles == ["A", "B", "C"][: len(titles)]
    rejects = [r for r in rows if r["reject_reason"] is not None]
    assert len(rejects) <= 1
    # A cut exactly between records leaves a valid, shorter archive: nothing to detect.
    # Anywhere else, a lost page is accounted for by the reject.
    if keep not in boundaries:
        assert len(titles) == 3 or len(rejects) == 1
