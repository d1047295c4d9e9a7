"""Format detection from content, and walking input folders."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from policykit.errors import FormatError, SourceError
from policykit.sources import ReadOptions
from policykit.sources.dispatch import READERS, detect_format, iter_input_files, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

JSONL = (
    b'{"url": "https://a.example/1", "title": "A"}\n{"url": "https://a.example/2", "title": "B"}\n'
)
JSON_ARRAY = b'[\n  {"url": "https://a.example/1",\n   "title": "A"}\n]\n'
CSV = b"url,title,date\nhttps://a.example/1,A,2024-01-01\nhttps://a.example/2,B,2024-01-02\n"
TSV = b"url\ttitle\tdate\nhttps://a.example/1\tA\t2024-01-01\nhttps://a.example/2\tB\t2024-01-02\n"
HTML = b"<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>Hi</p></body></html>\n"
RSS = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n'
ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>\n'
)
SITEMAP = b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}\n'
TEXT = (
    b"Government tables data bill\n\nThe government on Monday tabled the bill, which critics say,\n"
    b"weakens oversight. Officials said the rules would follow.\n"
)
WARC = b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n"
ARC = b"filedesc://example.arc 0.0.0.0 20240101000000 text/plain 70\n"


# (file name, bytes, expected format): the suffix is only a hint, content decides.
DETECTION_CASES = [
    ("a.jsonl", JSONL, "jsonl"),
    ("a.json", JSONL, "jsonl"),  # a .json that is really JSON lines
    ("a.txt", JSONL, "jsonl"),  # a .txt that is JSON lines
    ("a.json", JSON_ARRAY, "json"),
    ("a.jsonl", JSON_ARRAY, "json"),  # pretty-printed JSON under a .jsonl name
    ("a.csv", CSV, "csv"),
    ("a.txt", CSV, "csv"),
    ("a.tsv", TSV, "tsv"),
    ("a.csv", TSV, "tsv"),  # tabs win over the suffix
    ("a.html", HTML, "html"),
    ("a.dat", HTML, "html"),
    ("a.xml", RSS, "feed"),
    ("a.atom", ATOM, "feed"),
    ("a.xml", SITEMAP, "sitemap"),
    ("a.json", JSON_FEED, "feed"),
    ("a.txt", TEXT, "txt"),
    ("a.warc", WARC, "warc"),
    ("a.arc", ARC, "arc"),
    ("a.jsonl", b'{"url": "https://a.example/1"}', "jsonl"),  # one line, suffix decides
    # JSON lines whose lines are all broken still look like JSON lines
    (
        "a.json",
        b'{"url": "https://a.example/1",}\n{"url": "https://a.example/2"}{"x": 1}\n',
        "jsonl",
    ),
    # an array written one object per line is one JSON document
    ("a.json", b'[\n{"url": "https://a.example/1"},\n{"url": "https://a.example/2"}\n]\n', "json"),
    ("a.json", b'["https://a.example/1"]\n["https://a.example/2"]\n', "jsonl"),
    ("a.json", b'{"url": "https://a.example/1"}', "json"),
]


@pytest.mark.parametrize(("name", "data", "expected"), DETECTION_CASES)
def test_detect_format_from_content(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert detect_format(path) == expected


@pytest.mark.parametrize(("name", "data", "expected"), DETECTION_CASES)
def test_detect_format_sees_through_gzip_whatever_the_suffix(tmp_path, name, data, expected):
    gz = tmp_path / (name + ".gz")
    gz.write_bytes(gzip.compress(data))
    assert detect_format(gz) == expected
    # No .gz suffix at all: the magic bytes decide.
    bare = tmp_path / ("bare_" + name)
    bare.write_bytes(gzip.compress(data))
    assert detect_format(bare) == expected


def test_jsonl_with_long_first_lines(tmp_path):
    path = tmp_path / "long.json"
    line = json.dumps({"url": "https://a.example/1", "text": "word " * 30_000})
    path.write_text(line + "\n" + line + "\n", encoding="utf-8")
    assert detect_format(path) == "jsonl"


def test_detect_parquet(tmp_path):
    path = tmp_path / "data.bin"
    pq.write_table(pa.table({"url": ["https://a.example/1"]}), path)
    assert detect_format(path) == "parquet"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "binary"),
    ],
)
def test_undetectable_files_raise_format_error_naming_file_and_formats(tmp_path, data, words):
    path = tmp_path / "mystery.bin"
    path.write_bytes(data)
    with pytest.raises(FormatError) as info:
        detect_format(path)
    message = str(info.value)
    assert "mystery.bin" in message
    assert words in message
    assert "jsonl" in message and "parquet" in message and "warc" in message


def test_read_file_with_unknown_forced_format(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(JSONL)
    with pytest.raises(FormatError, match="format 'xml' is not one of jsonl, json, csv"):
        read_file(path, ReadOptions(format="xml"))


def test_page_reader_that_cannot_be_imported_gives_format_error(tmp_path, monkeypatch):
    monkeypatch.setitem(READERS, "html", "policykit.sources.not_a_module:read_html")
    path = tmp_path / "a.html"
    path.write_bytes(HTML)
    with pytest.raises(FormatError, match="format 'html' has no reader available"):
        read_file(path, ReadOptions())


def test_read_file_missing_path(tmp_path):
    with pytest.raises(SourceError, match="nope.jsonl"):
        read_file(tmp_path / "nope.jsonl", ReadOptions())


def _touch(path: Path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_iter_input_files_walks_sorted_and_skips_what_is_not_input(tmp_path):
    root = tmp_path / "raw"
    _touch(root / "b.jsonl")
    _touch(root / "a.csv")
    _touch(root / "sub" / "c.json.gz")
    _touch(root / ".gitkeep")
    _touch(root / ".hidden.jsonl")
    _touch(root / ".cache" / "d.jsonl")
    _touch(root / "pages" / "story.html")
    _touch(root / "pages" / "story.json")  # sidecar of story.html
    _touch(root / "pages" / "other.txt")
    _touch(root / "pages" / "other.meta.json")  # sidecar of other.txt
    _touch(root / "pages" / "lonely.json")  # no page beside it: a metadata file
    _touch(root / "pages" / "manifest.tsv", b"key\ttxt\turl\nstory\tother.txt\thttps://a/\n")
    _touch(root / "tables" / "manifest.tsv", b"url\ttitle\nhttps://a/\tA\n")  # plain data
    _touch(root / "pages" / "wide.xhtml")
    _touch(root / "pages" / "wide.html.json")  # no wide.html beside it: not a sidecar
    _touch(root / "policykit.yml")
    _touch(root / "a.csv.policykit.yml")
    found = iter_input_files([root])
    assert [p.relative_to(root).as_posix() for p in found] == [
        "a.csv",
        "b.jsonl",
        "pages/lonely.json",
        "pages/other.txt",
        "pages/story.html",
        "pages/wide.html.json",
        "pages/wide.xhtml",
        "sub/c.json.gz",
        "tables/manifest.tsv",
    ]


def test_iter_input_files_accepts_files_and_dedupes(tmp_path):
    _touch(tmp_path / "x.jsonl")
    _touch(tmp_path / "y.jsonl")
    found = iter_input_files([tmp_path / "y.jsonl", tmp_path, str(tmp_path / "x.jsonl")])
    assert [p.name for p in found] == ["x.jsonl", "y.jsonl"]


def test_iter_input_files_missing_path_names_it(tmp_path):
    with pytest.raises(SourceError, match="does-not-exist"):
        iter_input_files([tmp_path / "does-not-exist"])


def test_fixture_formats_are_detected():
    expected = {
        "scrapy_feed.jsonl": "jsonl",
        "news_please_article.json": "json",
        "mediacloud_stories.csv": "csv",
        "gdelt_artlist.csv": "csv",
        "headerless.tsv": "tsv",
        "url_list.json": "json",
    }
    for name, fmt in expected.items():
        assert detect_format(FIXTURES / name) == fmt, name


@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="../shared/eval is not available")
def test_shared_samples_are_detected():
    samples = SHARED / "eval" / "feeds_and_warc_samples"
    expected = {
        "trafilatura_resources/feed1.atom": "feed",
        "trafilatura_resources/feed2.rss": "feed",
        "trafilatura_resources/feed.json": "feed",
        "trafilatura_resources/sitemap.xml": "sitemap",
        "trafilatura_resources/sitemap.xml.gz": "sitemap",
        "trafilatura_resources/webpage.html.gz": "html",
        "warcio/example.warc.gz": "warc",
        "warcio/example-iana.org-chunked.warc": "warc",
        "warcio/example-trunc.warc": "warc",
    }
    for name, fmt in expected.items():
        path = samples / name
        if path.exists():
            assert detect_format(path) == fmt, name
    metadata = SHARED / "eval" / "newspaper4k_testdata" / "metadata"
    for path in sorted(metadata.glob("*.json")):
        assert detect_format(path) == "json", path.name
        json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_every_reader_target_resolves(fmt):
    from policykit.sources.dispatch import reader_for

    try:
        reader = reader_for(fmt)
    except FormatError as exc:  # a page reader another module owns may be missing
        if fmt in ("jsonl", "json", "csv", "tsv", "parquet"):
            raise
        pytest.skip(str(exc))
    assert callable(reader)
