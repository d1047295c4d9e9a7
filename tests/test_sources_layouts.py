"""Known scraper layouts, mappings, YAML specs and their error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from policykit.errors import ConfigError
from policykit.sources import STAGING_COLUMNS, ReadOptions
from policykit.sources.dispatch import read_file
from policykit.sources.layouts import (
    STAGING_FIELDS,
    canonical_field,
    detect_layout,
    parse_map_options,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def rows_of(path: Path, **options) -> tuple[str, str, list[dict]]:
    read = read_file(path, ReadOptions(**options))
    rows = [row for batch in read.batches for row in batch.to_pylist()]
    for batch_row in rows:
        assert tuple(batch_row) == STAGING_COLUMNS
    return read.format, read.layout, rows


def test_scrapy_feed_export():
    fmt, layout, rows = rows_of(FIXTURES / "scrapy_feed.jsonl")
    assert (fmt, layout, len(rows)) == ("jsonl", "scrapy", 3)
    first, second, third = rows
    assert first["source_locator"] == "line:1"
    assert first["url"] == "https://www.examplenews.in/tech/data-protection-bill-tabled-1021"
    assert first["published"] == "2023-08-03T11:20:00+05:30"
    assert first["outlet"] == "Example News"
    assert json.loads(first["tags"]) == ["privacy", "parliament"]
    # link/headline/pubDate/byline/content are the same fields under other names
    assert second["url"].endswith("spectrum-auction-dates-1022")
    assert second["title"] == "Spectrum auction dates announced"
    assert second["published"] == "Fri, 04 Aug 2023 09:00:00 GMT"
    assert second["authors"] == "By Staff Writer"
    assert second["body"] == "The telecom department announced auction dates."
    # non-string values: an author list becomes JSON list text, an epoch number digits
    assert json.loads(third["authors"]) == ["A. Kumar", "B. Shah"]
    assert third["published"] == "1691400000"
    assert third["scraped_at"] == "2023-08-07T10:00:00Z"
    assert all(r["extraction_method"] == "metadata" and r["reject_reason"] is None for r in rows)


def test_news_please():
    fmt, layout, rows = rows_of(FIXTURES / "news_please_article.json")
    assert (fmt, layout, len(rows)) == ("json", "news-please", 1)
    row = rows[0]
    assert row["source_locator"] == "item:1"
    assert row["url"] == "https://news.example.org/panel-platforms"
    assert row["title"] == "Panel questions platforms on moderation"
    assert row["body"].startswith("A parliamentary standing committee")
    assert row["summary"].startswith("A parliamentary panel asked")
    assert json.loads(row["authors"]) == ["Meera Iyer"]
    assert row["published"] == "2024-02-10 18:30:00"
    assert row["scraped_at"] == "2024-02-11 08:15:02"
    assert row["outlet"] == "news.example.org"
    assert row["language"] == "en"


def test_trafilatura_json():
    fmt, layout, rows = rows_of(FIXTURES / "trafilatura_records.jsonl")
    assert (fmt, layout, len(rows)) == ("jsonl", "trafilatura", 2)
    row = rows[0]
    # trafilatura puts the URL in "source" and the site name in "source-hostname"
    assert row["url"] == "https://techpolicy.example.de/2024/03/ai-disclosure-rules"
    assert row["outlet"] == "Tech Policy Example"
    assert row["authors"] == "Lena Fischer; Tom Berger"
    assert row["published"] == "2024-03-05"
    assert row["scraped_at"] == "2024-03-06"
    assert row["summary"] == "Draft rules would require labels on AI content."
    assert row["tags"] == "AI;disclosure"
    # empty strings count as missing: tags and categories are '' in the second record
    assert rows[1]["tags"] is None and rows[1]["summary"] is None


@pytest.mark.parametrize(
    ("name", "scraped_at"),
    [
        ("mediacloud_stories.csv", "2024-01-15 07:02:11.123456"),
        ("mediacloud_legacy.csv", "2021-05-26 04:11:09.5"),
    ],
)
def test_mediacloud_csv(name, scraped_at):
    fmt, layout, rows = rows_of(FIXTURES / name)
    assert (fmt, layout, len(rows)) == ("csv", "mediacloud", 2)
    row = rows[0]
    assert row["source_locator"] == "row:1"
    assert row["url"].startswith("https://")
    assert row["published"][:4] in ("2024", "2021")
    assert row["outlet"] in ("daily.example.com", "Old Example")
    assert row["scraped_at"] == scraped_at
    assert json.loads(row["payload"])["url"] == row["url"]
    # a quoted title with a comma stays one field
    if name == "mediacloud_stories.csv":
        assert rows[1]["title"] == "Ministry issues advisory on deepfakes, platforms respond"


def test_gdelt_artlist_json():
    fmt, layout, rows = rows_of(FIXTURES / "gdelt_artlist.json")
    assert (fmt, layout, len(rows)) == ("json", "gdelt", 2)
    assert rows[0]["published"] == "20240227T101500Z"
    assert rows[0]["outlet"] == "regional.example.co.in"
    assert rows[1]["language"] == "Hindi"
    assert [r["source_locator"] for r in rows] == ["item:1", "item:2"]


def test_gdelt_artlist_csv_with_bom_and_crlf():
    fmt, layout, rows = rows_of(FIXTURES / "gdelt_artlist.csv")
    assert (fmt, layout, len(rows)) == ("csv", "gdelt", 2)
    assert rows[0]["url"] == "https://regional.example.co.in/news/net-neutrality-hearing"
    assert rows[0]["published"] == "2024-02-27 10:15:00"
    assert rows[1]["title"] == "Cyber law amendment proposed"


def test_newspaper4k():
    fmt, layout, rows = rows_of(FIXTURES / "newspaper4k_article.json")
    assert (fmt, layout, len(rows)) == ("json", "newspaper4k", 1)
    row = rows[0]
    assert row["url"] == "https://www.example-times.com/2023/11/06/tech/encryption-case/index.html"
    assert row["outlet"] == "Example Times"
    assert row["summary"].startswith("The country's top court agreed")  # meta_description first
    assert json.loads(row["authors"]) == ["Sam Ortiz", "Ana Lee"]
    assert json.loads(row["tags"]) == ["encryption", "court"]  # tags is null: keywords
    assert row["published"] == "2023-11-06T00:00:00"


def test_json_containers_keyed_objects_and_url_lists():
    _, layout, rows = rows_of(FIXTURES / "items_container.json")
    assert layout == "scrapy"
    assert [r["source_locator"] for r in rows] == ["item:1", "item:2", "item:3"]
    assert rows[0]["published"] == "2024-07-01"  # published_at
    assert rows[2]["reject_reason"] == "not_an_object"
    _, layout, rows = rows_of(FIXTURES / "keyed_object.json")
    assert [r["url"] for r in rows] == [
        "https://keyed.example.com/story-a",
        "https://keyed.example.com/story-b",
    ]
    assert rows[0]["title"] == "Story A"
    _, layout, rows = rows_of(FIXTURES / "url_list.json")
    assert layout == "url-list"
    assert [r["url"] for r in rows] == json.loads((FIXTURES / "url_list.json").read_text())


def test_headerless_tsv_with_columns():
    fmt, layout, rows = rows_of(FIXTURES / "headerless.tsv", columns=["url", "title", "date"])
    assert (fmt, layout, len(rows)) == ("tsv", "scrapy", 2)
    assert rows[0]["source_locator"] == "row:1"  # no header: the first line is row 1
    assert rows[0]["title"] == "Data centre policy unveiled"
    assert rows[1]["published"] == "2024-05-02"


def test_parquet_with_nested_and_typed_columns(tmp_path):
    path = tmp_path / "export.parquet"
    table = pa.table(
        {
            "url": ["https://p.example/1", "https://p.example/2"],
            "title": ["One", "Two"],
            "authors": [["A", "B"], []],
            "published": pa.array([1_700_000_000, None], pa.int64()),
            "meta": [{"site": "P"}, {"site": "Q"}],
        }
    )
    pq.write_table(table, path)
    fmt, layout, rows = rows_of(path)
    assert (fmt, layout) == ("parquet", "scrapy")
    assert [r["source_locator"] for r in rows] == ["row:1", "row:2"]
    assert json.loads(rows[0]["authors"]) == ["A", "B"]
    assert rows[1]["authors"] is None  # an empty list is no value
    assert rows[0]["published"] == "1700000000"
    assert json.loads(rows[0]["payload"])["meta"] == {"site": "P"}


# --------------------------------------------------------------------------- detection table

# (field names, expected layout): recognised without configuration.
LAYOUT_CASES = [
    (["url", "title", "maintext", "date_publish", "source_domain"], "news-please"),
    (["title", "source", "source-hostname", "text", "date"], "trafilatura"),
    (["title", "raw_text", "fingerprint", "hostname"], "trafilatura"),
    (["url", "canonical_link", "publish_date", "meta_site_name"], "newspaper4k"),
    (["title", "meta_lang", "publish_date", "canonical_link"], "newspaper4k"),
    (["id", "publish_date", "title", "url", "language", "media_name"], "mediacloud"),
    (["stories_id", "media_id", "publish_date", "title", "url", "collect_date"], "mediacloud"),
    (["url", "url_mobile", "title", "seendate", "domain"], "gdelt"),
    (["URL", "MobileURL", "Date", "Title"], "gdelt"),
    (["url", "title", "date", "author", "text"], "scrapy"),
    (["link", "headline", "pubDate"], "scrapy"),
    (["URL", "Headline", "Published At"], "generic"),
    (["Article URL"], "generic"),
    (["alpha", "beta"], None),
]


@pytest.mark.parametrize(("keys", "expected"), LAYOUT_CASES)
def test_detect_layout(keys, expected):
    layout = detect_layout(keys)
    assert (layout.name if layout else None) == expected


# --------------------------------------------------------------------------- mappings


def test_unknown_layout_raises_config_error_with_fields_and_example():
    with pytest.raises(ConfigError) as info:
        read_file(FIXTURES / "custom_layout.csv", ReadOptions())
    message = str(info.value)
    assert "custom_layout.csv: unknown layout" in message
    assert "Story Address, Heading, Stamp, House" in message
    assert "--map 'url=Story Address' --map title=Heading --map published=Stamp" in message


def test_explicit_mapping_with_aliases_and_case_insensitive_sources():
    mapping = {"url": "story address", "headline": "Heading", "date": "Stamp", "publisher": "House"}
    _, layout, rows = rows_of(FIXTURES / "custom_layout.csv", mapping=mapping)
    assert layout == "mapped"
    assert rows[0]["url"] == "https://blog.example.org/p/101"
    assert rows[0]["title"] == "Broadband targets missed"
    assert rows[0]["published"] == "2024-04-01T08:00:00Z"
    assert rows[0]["outlet"] == "Example Blog"


def test_mapping_overrides_detected_fields_and_keeps_the_rest():
    _, layout, rows = rows_of(FIXTURES / "scrapy_feed.jsonl", mapping={"published": "scraped_at"})
    assert layout == "mapped"
    assert rows[2]["published"] == "2023-08-07T10:00:00Z"
    assert rows[0]["published"] is None
    assert rows[0]["title"] == "Data protection bill tabled in Parliament"  # still detected


def test_nested_mapping_path(tmp_path):
    path = tmp_path / "nested.jsonl"
    path.write_text(
        json.dumps({"link": "https://n.example/1", "meta": {"publisher": {"name": "N"}}}) + "\n",
        encoding="utf-8",
    )
    _, _, rows = rows_of(path, mapping={"outlet": "meta.publisher.name"})
    assert rows[0]["outlet"] == "N"


def test_bad_mapping_target_lists_allowed_names():
    with pytest.raises(ConfigError) as info:
        read_file(FIXTURES / "custom_layout.csv", ReadOptions(mapping={"headlinez": "Heading"}))
    message = str(info.value)
    assert "mapping target 'headlinez' is not one of url, title, summary, body" in message
    assert "published_at->published" in message


def test_bad_mapping_source_lists_file_fields():
    with pytest.raises(ConfigError) as info:
        read_file(FIXTURES / "custom_layout.csv", ReadOptions(mapping={"url": "LINK"}))
    assert str(info.value).endswith(
        "mapped source field 'LINK' is not in the file; its fields are: "
        "Story Address, Heading, Stamp, House"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("published_at", "published"),
        ("date", "published"),
        ("text", "body"),
        ("source", "outlet"),
        ("publisher", "outlet"),
        ("Title", "title"),
    ]
    + [(f, f) for f in STAGING_FIELDS],
)
def test_canonical_field(name, expected):
    assert canonical_field(name) == expected


def test_parse_map_options():
    assert parse_map_options(["published=TIMESTAMP", "outlet = PUBLISHER"]) == {
        "published": "TIMESTAMP",
        "outlet": "PUBLISHER",
    }
    with pytest.raises(ConfigError, match="'published' is not of the form FIELD=SOURCE_FIELD"):
        parse_map_options(["published"])


def _copy_custom(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes((FIXTURES / "custom_layout.csv").read_bytes())
    return path


def test_yaml_spec_beside_the_file(tmp_path):
    path = _copy_custom(tmp_path)
    (tmp_path / "export.csv.policykit.yml").write_text(
        "map:\n  url: Story Address\n  title: Heading\n  published_at: Stamp\n", encoding="utf-8"
    )
    _, layout, rows = rows_of(path)
    assert layout == "mapped"
    assert rows[1]["published"] == "2024-04-02T09:30:00Z"
    assert rows[1]["outlet"] is None


def test_folder_spec_and_explicit_mapping_precedence(tmp_path):
    path = _copy_custom(tmp_path)
    (tmp_path / "policykit.yml").write_text(
        "map: {url: Story Address, title: Heading, outlet: House}\n", encoding="utf-8"
    )
    _, _, rows = rows_of(path, mapping={"title": "Stamp"})
    assert rows[0]["title"] == "2024-04-01T08:00:00Z"  # explicit beats YAML
    assert rows[0]["outlet"] == "Example Blog"  # YAML still applies to the other fields


def test_yaml_spec_with_columns_and_format(tmp_path):
    path = tmp_path / "dump.dat"
    path.write_text("https://h.example/1|ignored|Hello\n", encoding="utf-8")
    (tmp_path / "dump.dat.policykit.yml").write_text(
        "format: csv\ncolumns: [link, junk, headline]\n", encoding="utf-8"
    )
    # the '|' delimiter is not a CSV one: the whole line is one field and the row is ragged
    fmt, _, rows = rows_of(path)
    assert fmt == "csv"
    assert rows[0]["reject_reason"] == "malformed_csv"
    path.write_text("https://h.example/1,ignored,Hello\n", encoding="utf-8")
    _, layout, rows = rows_of(path)
    assert (layout, rows[0]["url"], rows[0]["title"]) == ("scrapy", "https://h.example/1", "Hello")


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("mapp: {url: a}\n", "key 'mapp' is not one of map, columns, format"),
        ("map: [url]\n", "'map' must map staging fields to source fields"),
        ("format: xlsx\n", "format 'xlsx' is not one of jsonl"),
        ("map: {url: [unclosed\n", "cannot read the YAML spec"),
        ("map: {headlinez: Heading}\n", "mapping target 'headlinez' is not one of"),
    ],
)
def test_bad_yaml_specs(tmp_path, spec, words):
    path = _copy_custom(tmp_path)
    (tmp_path / "export.csv.policykit.yml").write_text(spec, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_file(path, ReadOptions())
    assert words in str(info.value)
