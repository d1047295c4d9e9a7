"""HTML page reader: extraction, sidecars, bad pages, the worker pool."""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykit.sources import STAGING_COLUMNS, ReadOptions
from policykit.sources.html import EXTRACTED_FIELDS, decode_html, extract_html, read_html
from policykit.sources.pages import (
    MAX_PAGE_BYTES,
    extract_pages,
    load_page_bytes,
    looks_binary,
    ordered_map,
    page_stem,
    sidecar_names,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAF_EVAL = SHARED / "eval" / "trafilatura_eval"
NP4K = SHARED / "eval" / "newspaper4k_testdata"

ARTICLE_TEXT = (
    "<p>The data protection board published its annual report on Monday, listing "
    "complaints about consent banners, location tracking and the sale of browsing "
    "histories to advertisers. The board said most complaints were settled within "
    "ninety days, but cross-border cases still took more than a year.</p>"
)


def rows_of(read) -> list[dict]:
    return [row for batch in read.batches for row in batch.to_pylist()]


def read_one(path: Path) -> list[dict]:
    return rows_of(read_html(path, ReadOptions()))


def page(body: str, head: str = "<title>Annual report</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# --- extraction ---------------------------------------------------------------------------


def test_extract_html_returns_every_field_and_the_metadata():
    rec = extract_html((FIXTURES / "article.html").read_bytes())
    assert set(EXTRACTED_FIELDS) <= set(rec)
    assert rec["title"] == "Regulator opens consultation on data retention rules"
    assert rec["authors"] == "Asha Menon"
    # the <meta article:published_time> value, kept with its offset (normalise.pubdate)
    assert rec["published"] == "2024-03-05T09:30:00+05:30"
    assert rec["date_source"] == "meta"
    assert rec["outlet"] == "The Policy Ledger"
    assert rec["language"] == "en-GB"
    assert json.loads(rec["tags"]) == ["data protection", "telecom"]
    assert rec["url"] == "https://policyledger.example/2024/regulator-consultation-data-retention"
    assert rec["summary"].startswith("A twelve-week consultation")
    assert rec["extraction_method"] == "trafilatura"
    assert rec["body_missing_reason"] is None
    # Main text in, navigation and footer out.
    assert "transparency reports" in rec["body"]
    assert "Subscribe to our newsletter" not in rec["body"]
    assert "Privacy policy" not in rec["body"]


def test_given_url_wins_over_canonical_and_dates_from_url_are_labelled():
    html = page(ARTICLE_TEXT * 2)
    url = "https://news.example/2023/07/14/board-report"
    rec = extract_html(html, url=url)
    assert rec["url"] == url
    assert rec["published"] == "2023-07-14"
    assert rec["date_source"] == "url"


def test_no_date_anywhere_gives_null_date_and_source():
    rec = extract_html(page(ARTICLE_TEXT * 2))
    assert rec["published"] is None
    assert rec["date_source"] is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # one short sentence: a teaser, not an article
        ("<p>Read the full report on our website.</p>", "too_short"),
        # markup without any text
        ("<div><span></span></div>", "no_main_text"),
    ],
)
def test_short_or_missing_text_keeps_the_article_with_a_reason(body, reason):
    rec = extract_html(page(body))
    assert rec["body"] is None
    assert rec["body_missing_reason"] == reason
    assert rec["title"] == "Annual report"  # metadata survives


def test_all_script_page_is_an_article_with_null_body():
    (row,) = read_one(FIXTURES / "all_script.html")
    assert row["reject_reason"] is None
    assert row["body"] is None
    assert row["body_missing_reason"] == "all_script"
    assert row["title"] == "Loading"


def test_sidecar_json_overrides_field_by_field():
    rows = read_one(FIXTURES / "article.html")
    assert len(rows) == 1
    row = rows[0]
    side = json.loads((FIXTURES / "article.meta.json").read_text())
    assert row["url"] == side["url"]
    assert row["published"] == side["published"]
    assert row["date_source"] == "sidecar"
    assert json.loads(row["authors"]) == side["authors"]
    # An empty sidecar value does not blank the extracted one.
    assert row["title"] == "Regulator opens consultation on data retention rules"
    assert row["outlet"] == "The Policy Ledger"
    assert json.loads(row["payload"])["sidecars"] == ["article.meta.json"]
    assert set(row) == set(STAGING_COLUMNS)


def test_plain_json_sidecar_beats_manifest(tmp_path):
    (tmp_path / "html").mkdir()
    target = tmp_path / "html" / "story.html.gz"
    target.write_bytes(gzip.compress(page(ARTICLE_TEXT * 2).encode()))
    with (tmp_path / "manifest.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "url", "date", "outlet"])
        writer.writerow(["html/story.html.gz", "https://a.example/story", "2022-02-02", "A Daily"])
        writer.writerow(["html/other.html", "https://a.example/other", "2022-02-03", "A Daily"])
    (tmp_path / "html" / "story.json").write_text(json.dumps({"outlet": "Sidecar Name"}))
    (row,) = read_one(target)
    assert row["url"] == "https://a.example/story"
    assert row["published"] == "2022-02-02"
    assert row["date_source"] == "sidecar"
    assert row["outlet"] == "Sidecar Name"
    assert json.loads(row["payload"])["sidecars"] == ["manifest.csv", "story.json"]


def test_malformed_sidecar_is_a_reject_and_the_page_is_kept(tmp_path):
    target = tmp_path / "p.html"
    target.write_text(page(ARTICLE_TEXT * 2))
    (tmp_path / "p.json").write_text("{not json")
    rows = read_one(target)
    assert [r["source_locator"] for r in rows] == ["file", "sidecar:p.json"]
    assert rows[0]["reject_reason"] is None and rows[0]["body"]
    assert rows[1]["reject_reason"] == "malformed_sidecar"
    assert "p.json" in rows[1]["reject_detail"]


@pytest.mark.skipif(not NP4K.is_dir(), reason="shared newspaper4k_testdata not available")
def test_newspaper4k_manifest_and_metadata_sidecars():
    manifest = list(csv.DictReader((NP4K / "manifest.tsv").open(), delimiter="\t"))
    entry = next(r for r in manifest if r["key"] == "cnn_article")
    meta = json.loads((NP4K / entry["metadata"]).read_text())
    (row,) = read_one(NP4K / entry["html"])
    assert row["url"] == meta["url"]
    assert row["title"] == meta["title"]
    assert row["published"] == meta["publish_date"]
    assert row["date_source"] == "sidecar"
    assert json.loads(row["authors"]) == meta["authors"]
    assert row["outlet"] == meta["meta_site_name"]
    assert row["body"] and "Thanksgiving" in row["body"]


# --- bad pages ----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("image.html", PNG, "binary_content"),  # an image saved under a page name
        ("nul.html", b"\x00\x01\x02\x03garbage" * 200, "binary_content"),  # random binary
        ("empty.html", b"", "empty_file"),
        ("blank.html", b" \n\t\r\n  ", "empty_file"),  # whitespace only
        ("cut.html.gz", gzip.compress(page(ARTICLE_TEXT).encode(), mtime=0)[:60], "truncated_gzip"),
        ("emptygz.html.gz", gzip.compress(b"", mtime=0), "empty_file"),
    ],
)
def test_bad_files_become_rejects(tmp_path, name, content, reason):
    target = tmp_path / name
    target.write_bytes(content)
    (row,) = read_one(target)
    assert row["source_locator"] == "file"
    assert row["reject_reason"] == reason
    assert row["reject_detail"]
    assert json.loads(row["payload"])["file"] == name


def test_fifty_megabyte_page_is_rejected_quickly_without_reading_it(tmp_path):
    target = tmp_path / "huge.html"
    with target.open("wb") as handle:
        handle.write(b"<html><body>")
        chunk = b"<p>" + b"word " * 200 + b"</p>\n"
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    started = time.perf_counter()
    (row,) = read_one(target)
    assert time.perf_counter() - started < 5
    assert row["reject_reason"] == "too_large"
    assert str(target.stat().st_size) in row["reject_detail"]


def test_gzip_bomb_is_capped_after_decompression(tmp_path):
    target = tmp_path / "bomb.html.gz"
    with gzip.open(target, "wb") as handle:
        for _ in range(MAX_PAGE_BYTES // (1 << 20) + 2):
            handle.write(b" " * (1 << 20))
    result = load_page_bytes(target)
    assert result.data is None and result.reject_reason == "too_large"


def test_undeclared_windows_1252_is_detected_and_recorded():
    (row,) = read_one(FIXTURES / "windows1252.html")
    assert row["reject_reason"] is None
    assert row["title"] == "Café owners challenge the naïve licensing regime"
    assert "\u201csingle window\u201d" in row["body"]
    provenance = json.loads(row["payload"])
    assert provenance["encoding"] == "cp1252"
    assert provenance["encoding_source"] == "detected"


def test_wrong_declared_charset_falls_back_to_detection():
    html = page(ARTICLE_TEXT, '<meta charset="utf-8"><title>Zürich café</title>')
    text, encoding, how = decode_html(html.encode("cp1252"))
    assert "Zürich café" in text
    assert how == "detected"


@pytest.mark.parametrize(
    ("data", "expected_how"),
    [
        ("\ufeff<p>ü</p>".encode("utf-16-le"), "bom"),  # UTF-16 with a BOM
        ("\ufeff<p>ü</p>".encode(), "bom"),  # UTF-8 with a BOM
        (b'<meta charset="ISO-8859-1"><p>caf\xe9</p>', "meta"),  # latin-1 label -> cp1252
        ("<p>café</p>".encode(), "utf-8"),  # undeclared UTF-8
    ],
)
def test_decode_html_sources(data, expected_how):
    text, _, how = decode_html(data)
    assert how == expected_how
    assert "ü" in text or "café" in text


@pytest.mark.parametrize(
    ("head", "binary"),
    [
        (b"<html><body>plain</body></html>", False),
        ("<html>".encode("utf-16-le"), False),  # UTF-16 without BOM is text
        (b"%PDF-1.7\n", True),
        (b"\xff\xd8\xff\xe0JFIF", True),
        (b"PK\x03\x04", True),
        (b"abc\x01\x02\x03\x04\x05\x06\x07\x08" * 10, True),  # control bytes
    ],
)
def test_looks_binary(head, binary):
    assert looks_binary(head) is binary


@pytest.mark.parametrize(
    ("name", "stem"),
    [("page.html", "page"), ("page.html.gz", "page"), ("a.b.htm", "a.b"), ("x.gz", "x")],
)
def test_page_stem(name, stem):
    assert page_stem(Path("/d") / name) == stem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_extract_html_never_raises_on_arbitrary_bytes(data):
    rec = extract_html(data)
    assert set(EXTRACTED_FIELDS) <= set(rec)
    # body and its missing reason exclude each other
    assert (rec["body"] is None) != (rec["body_missing_reason"] is None)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500), st.sampled_from([None, "utf-8", "latin-1", "bogus", "utf-16"]))
def test_decode_html_never_raises(data, charset):
    text, encoding, how = decode_html(data, charset)
    assert isinstance(text, str) and how


# --- the worker pool ----------------------------------------------------------------------


def _double(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return 2 * x


def test_ordered_map_keeps_order_and_reports_errors():
    out = list(ordered_map(_double, range(10), 2, lambda item, exc: f"err:{item}"))
    assert out == [0, 2, 4, "err:3", 8, 10, 12, 14, 16, 18]


def _die_on_five(x: int) -> int:
    if x == 5:
        os._exit(1)  # a worker killed mid-task, as by the OOM killer
    return 2 * x


def test_ordered_map_survives_a_dead_worker_and_blames_only_its_task():
    out = list(ordered_map(_die_on_five, range(10), 2, lambda item, exc: f"err:{item}"))
    assert out == [0, 2, 4, 6, 8, "err:5", 12, 14, 16, 18]


def test_ordered_map_bounds_the_items_in_flight():
    pulled = []

    def source():
        for i in range(1000):
            pulled.append(i)
            yield i

    results = ordered_map(abs, source(), 2, lambda item, exc: None, in_flight=5)
    assert next(results) == 0
    assert len(pulled) <= 6
    results.close()


def _eval_pages(n: int) -> list[Path]:
    pages = sorted((TRAF_EVAL / "pages").glob("*.html.gz"))
    return random.Random(11).sample(pages, n)


@pytest.mark.skipif(not TRAF_EVAL.is_dir(), reason="shared trafilatura_eval not available")
def test_extract_pages_in_parallel_matches_single_process(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_bytes(PNG)
    paths = _eval_pages(5)
    paths.insert(2, bad)
    parallel = list(extract_pages(paths, ReadOptions(workers=2)))
    serial = list(extract_pages(paths, ReadOptions(workers=1)))
    assert [r.path for r in parallel] == [str(p) for p in paths]
    assert [rows_of(r) for r in parallel] == [rows_of(r) for r in serial]
    (bad_row,) = rows_of(read_html(bad, ReadOptions()))
    assert bad_row["reject_reason"] == "binary_content"


# --- quality against trafilatura's defaults -----------------------------------------------


def _snippet_f1(texts: dict[str, str], gold: dict) -> float:
    def norm(s):
        return re.sub(r"\s+", " ", s or "").strip()

    tp = fn = fp = 0
    for url, text in texts.items():
        text = norm(text)
        for snippet in gold[url]["with"]:
            if norm(snippet) in text:
                tp += 1
            else:
                fn += 1
        fp += sum(1 for s in gold[url]["without"] if norm(s) in text)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not TRAF_EVAL.is_dir(), reason="shared trafilatura_eval not available")
def test_body_f1_on_a_sample_is_not_below_trafilatura_defaults():
    import trafilatura

    gold = json.loads((TRAF_EVAL / "evaldata.json").read_text())
    manifest = {
        r["url"]: r for r in csv.DictReader((TRAF_EVAL / "manifest.tsv").open(), delimiter="\t")
    }
    urls = random.Random(5).sample(sorted(gold), 30)
    ours, default = {}, {}
    for url in urls:
        html = gzip.decompress((TRAF_EVAL / manifest[url]["stored_path"]).read_bytes())
        # Our body is NULL for short pages by design; score the text we would have kept.
        rec = extract_html(html, url=url)
        ours[url] = rec["body"] or ""
        default[url] = trafilatura.extract(html, url=url) or ""
    # A 30-page sample is noisy: allow one point below the default.
    assert _snippet_f1(ours, gold) >= _snippet_f1(default, gold) - 0.01


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "p.html",
            [
                "p.json",
                "p.json.gz",
                "p.meta.json",
                "p.meta.json.gz",
                "p.html.json",
                "p.html.json.gz",
            ],
        ),
        (
            "p.htm.gz",
            ["p.json", "p.json.gz", "p.meta.json", "p.meta.json.gz", "p.htm.json", "p.htm.json.gz"],
        ),
    ],
)
def test_sidecar_names(name, expected):
    assert sidecar_names(Path(name)) == expected


def test_gzipped_page_dot_html_json_sidecar(tmp_path):
    target = tmp_path / "p.html"
    target.write_text(page(ARTICLE_TEXT * 2))
    (tmp_path / "p.html.json.gz").write_bytes(gzip.compress(b'{"outlet": "Gz Sidecar"}'))
    (row,) = read_one(target)
    assert row["outlet"] == "Gz Sidecar"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared eval data not available")
def test_extract_pages_sends_other_page_formats_to_their_readers(tmp_path):
    resources = SHARED / "eval" / "feeds_and_warc_samples"
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    paths = [
        FIXTURES / "article.html",
        resources / "trafilatura_resources" / "feed2.rss",
        resources / "warcio" / "example.warc.gz",
        empty,
        FIXTURES / "all_script.html",
    ]
    reads = list(extract_pages(paths, ReadOptions(workers=1)))
    assert [r.path for r in reads] == [str(p) for p in paths]
    assert [r.format for r in reads] == ["html", "feed", "warc", "html", "html"]
    rows = [rows_of(r) for r in reads]
    assert rows[1][0]["url"] == "http://www.example.com/blog/post/1"
    assert rows[2][0]["url"] == "http://example.com/"
    assert reads[2].skipped["request"] == 2
    assert rows[3][0]["reject_reason"] == "empty_file"
    assert rows[4][0]["body_missing_reason"] == "all_script"
