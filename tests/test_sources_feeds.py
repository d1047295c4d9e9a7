"""Feed reader: RSS, Atom, JSON Feed items as metadata records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policykit.sources import STAGING_COLUMNS, ReadOptions
from policykit.sources.feeds import read_feed, read_sitemap, strip_html

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RESOURCES = SHARED / "eval" / "feeds_and_warc_samples" / "trafilatura_resources"
needs_samples = pytest.mark.skipif(
    not RESOURCES.is_dir(), reason="shared feeds_and_warc_samples not available"
)


def read_rows(path: Path) -> list[dict]:
    read = read_feed(path, ReadOptions())
    assert read.format == "feed"
    return [row for batch in read.batches for row in batch.to_pylist()]


@needs_samples
def test_npr_json_feed_items_urls_and_raw_dates():
    source = json.loads((RESOURCES / "feed.json").read_text())
    rows = read_rows(RESOURCES / "feed.json")
    assert len(rows) == 25
    assert [r["source_locator"] for r in rows] == [f"item:{n}" for n in range(1, 26)]
    assert [r["url"] for r in rows] == [item["url"] for item in source["items"]]
    assert [r["published"] for r in rows] == [item["date_published"] for item in source["items"]]
    assert all(r["published"].endswith("-04:00") for r in rows)
    assert rows[0]["url"].startswith("https://www.npr.org/2021/10/29/1050315385/")
    assert rows[0]["title"] == "Keller Rinaudo: How can delivery drones save lives?"
    assert {r["outlet"] for r in rows} == {"Technology"}
    assert all(r["reject_reason"] is None for r in rows)
    assert all("<" not in (r["summary"] or "") for r in rows)
    assert set(rows[0]) == set(STAGING_COLUMNS)


@needs_samples
def test_atom_example_feed():
    rows = read_rows(RESOURCES / "feed1.atom")
    assert len(rows) == 2
    assert rows[0]["url"] == "http://example.org/2003/12/13/atom03"
    assert rows[0]["title"] == "Atom-Powered Robots Run Amok"
    # no <published>: the raw <updated> value is used
    assert [r["published"] for r in rows] == ["2003-12-13T18:30:02Z"] * 2
    assert rows[0]["summary"] == "Some text."
    assert rows[0]["outlet"] == "Example Feed"
    # entries inherit the feed-level author
    assert json.loads(rows[0]["authors"]) == ["John Doe"]


@needs_samples
def test_rss_example_feed():
    (row,) = read_rows(RESOURCES / "feed2.rss")
    assert row["url"] == "http://www.example.com/blog/post/1"
    assert row["published"] == "Sun, 06 Sep 2009 16:20:00 +0000"
    assert row["title"] == "Example entry"
    assert row["outlet"] == "RSS Title"
    assert row["date_source"] == "metadata"


RSS_WITH_EXTRAS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Policy Wire</title><link>https://wire.example/</link><language>en-in</language>
<item>
  <title>Draft &lt;b&gt;telecom&lt;/b&gt; bill tabled</title>
  <link>https://wire.example/2024/telecom-bill</link>
  <dc:creator>Meera Iyer</dc:creator>
  <category>Telecom</category><category>Parliament</category>
  <pubDate>Tue, 05 Mar 2024 10:00:00 +0530</pubDate>
  <description><![CDATA[<p>The draft bill <a href="/x">was tabled</a> on Tuesday.</p><img src="p.gif"/>]]></description>
  <content:encoded><![CDATA[<p>The draft bill was tabled on Tuesday.</p><p>It replaces the colonial-era telegraph act and
  gives the government powers to suspend services.</p>]]></content:encoded>
</item>
<item><title>No link here</title><description>Only a title.</description></item>
</channel></rss>
"""


def test_rss_extras_tags_authors_body_and_stripped_summary(tmp_path):
    target = tmp_path / "wire.rss"
    target.write_text(RSS_WITH_EXTRAS)
    first, second = read_rows(target)
    assert first["summary"] == "The draft bill was tabled on Tuesday."
    assert first["body"].startswith("The draft bill was tabled on Tuesday. It replaces")
    assert json.loads(first["tags"]) == ["Telecom", "Parliament"]
    assert json.loads(first["authors"]) == ["Meera Iyer"]
    assert first["language"] == "en-in"
    assert first["title"] == "Draft telecom bill tabled"
    assert first["extraction_method"] == "feed"
    # an item without link is kept; ingest decides what a missing URL means
    assert second["url"] is None and second["title"] == "No link here"
    assert second["published"] is None and second["date_source"] is None


def test_json_feed_1_1_authors_and_content_text(tmp_path):
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Digital Rights Daily",
        "language": "en",
        "authors": [{"name": "Desk"}],
        "items": [
            {
                "id": "1",
                "url": "https://drd.example/a",
                "title": "A",
                "authors": [{"name": "Lena Park"}, {"name": "Omar Said"}],
                "content_text": "Full text of the story, longer than the summary.",
                "summary": "Short.",
                "date_modified": "2024-05-01T08:00:00Z",
                "tags": ["encryption", "encryption", " "],
            },
            {"id": "2", "url": "https://drd.example/b", "title": "B"},
            "not an item",
        ],
    }
    target = tmp_path / "feed.json"
    target.write_text(json.dumps(feed))
    a, b, bad = read_rows(target)
    assert json.loads(a["authors"]) == ["Lena Park", "Omar Said"]
    assert a["body"] == "Full text of the story, longer than the summary."
    assert a["published"] == "2024-05-01T08:00:00Z"
    assert json.loads(a["tags"]) == ["encryption"]
    assert json.loads(b["authors"]) == ["Desk"]  # inherited from the feed
    assert b["body"] is None and b["summary"] is None
    assert (bad["source_locator"], bad["reject_reason"]) == ("item:3", "malformed_feed")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.rss", b"", "empty_file"),
        ("broken.rss", b"<rss><channel><title>x</ti", "malformed_feed"),
        (
            "noitems.xml",
            b'<rss version="2.0"><channel><title>T</title></channel></rss>',
            "empty_feed",
        ),
        ("broken.json", b'{"items": [', "malformed_feed"),
        ("list.json", b"[1, 2]", "malformed_feed"),
        ("noitems.json", b'{"version": "1", "title": "x"}', "malformed_feed"),
        ("image.rss", b"\x89PNG\r\n\x1a\n" + bytes(200), "binary_content"),
    ],
)
def test_bad_feeds_give_one_reject(tmp_path, name, content, reason):
    target = tmp_path / name
    target.write_bytes(content)
    (row,) = read_rows(target)
    assert row["source_locator"] == "item:0"
    assert row["reject_reason"] == reason
    assert row["reject_detail"]


def test_truncated_feed_keeps_recovered_items_and_records_the_damage(tmp_path):
    target = tmp_path / "cut.rss"
    target.write_text(
        RSS_WITH_EXTRAS[: RSS_WITH_EXTRAS.index("<item><title>No link")] + "<item><ti"
    )
    rows = read_rows(target)
    assert rows[0]["url"] == "https://wire.example/2024/telecom-bill"
    assert rows[0]["reject_reason"] is None
    assert [r["reject_reason"] for r in rows if r["reject_reason"]] == ["malformed_feed"]
    assert "items recovered" in rows[-1]["reject_detail"]


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>One</p><p>Two</p>", "One Two"),  # blocks are separated
        ("a <b>bold</b>, word", "a bold, word"),  # inline tags add no space
        ("x<br>y", "x y"),
        ("<script>evil()</script>kept", "kept"),
        ("AT&amp;T", "AT&T"),
        ("plain text", "plain text"),
        ("<img src='a.gif'/>", None),  # nothing visible
        ("", None),
        (None, None),
    ],
)
def test_strip_html(fragment, text):
    assert strip_html(fragment) == text


@given(st.text(max_size=300))
def test_strip_html_never_raises_and_is_trimmed(fragment):
    out = strip_html(fragment)
    assert out is None or (out == out.strip() and "  " not in out and out)


# --- sitemaps -----------------------------------------------------------------------------


def sitemap_rows(path: Path):
    read = read_sitemap(path, ReadOptions())
    return [row for batch in read.batches for row in batch.to_pylist()], read


@needs_samples
@pytest.mark.parametrize("name", ["sitemap.xml", "sitemap.xml.gz"])
def test_sitemaps_org_sitemap(name):
    rows, read = sitemap_rows(RESOURCES / name)
    text = (RESOURCES / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>(.*?)</loc>", text)
    assert len(rows) == len(locs) == 84
    assert [r["url"] for r in rows] == locs
    assert rows[0]["published"] == "2016-11-21"
    assert rows[0]["date_source"] == "lastmod"
    assert rows[-1]["source_locator"] == "item:84"
    assert read.format == "sitemap"


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://wire.example/2024/ai-rules</loc><lastmod>2024-03-09</lastmod>
  <news:news><news:publication><news:name>Policy Wire</news:name><news:language>en</news:language></news:publication>
   <news:publication_date>2024-03-05T10:00:00+05:30</news:publication_date>
   <news:title>AI rules notified</news:title><news:keywords>AI, regulation</news:keywords></news:news></url>
 <url><loc>https://wire.example/about</loc></url>
</urlset>"""


def test_news_sitemap_fields(tmp_path):
    target = tmp_path / "news.xml"
    target.write_bytes(NEWS_SITEMAP)
    (news, plain), _ = sitemap_rows(target)
    assert news["url"] == "https://wire.example/2024/ai-rules"
    assert news["title"] == "AI rules notified"
    assert news["published"] == "2024-03-05T10:00:00+05:30"  # the news date, not lastmod
    assert news["date_source"] == "metadata"
    assert news["outlet"] == "Policy Wire"
    assert news["language"] == "en"
    assert json.loads(news["tags"]) == ["AI", "regulation"]
    assert plain["url"] == "https://wire.example/about"
    assert plain["published"] is None and plain["date_source"] is None


def test_sitemap_index_entries_are_counted_not_fetched(tmp_path):
    target = tmp_path / "index.xml"
    target.write_bytes(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://a.example/s1.xml</loc></sitemap>"
        b"<sitemap><loc>https://a.example/s2.xml</loc></sitemap></sitemapindex>"
    )
    rows, read = sitemap_rows(target)
    assert rows == []
    assert read.skipped == {"sitemap_index_entry": 2}


def test_broken_sitemap_keeps_earlier_entries_and_rejects_once(tmp_path):
    target = tmp_path / "cut.xml"
    target.write_bytes(
        NEWS_SITEMAP[: NEWS_SITEMAP.index(b"<url><loc>https://wire.example/about")] + b"<url><lo"
    )
    rows, _ = sitemap_rows(target)
    assert [r["url"] for r in rows if not r["reject_reason"]] == [
        "https://wire.example/2024/ai-rules"
    ]
    assert [r["reject_reason"] for r in rows if r["reject_reason"]] == ["malformed_sitemap"]


def test_sitemap_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    target = tmp_path / "xxe.xml"
    target.write_text(
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example/&x;</loc></url></urlset>"
    )
    rows, _ = sitemap_rows(target)
    assert all("TOPSECRET" not in (r["url"] or "") for r in rows)
