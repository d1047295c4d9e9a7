"""Outlets (issue 9, item 10): a record's own domain wins over a name alias registered
for another domain, and a domain field that is not a host name is ignored, counted, and
the URL's host decides."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from policykit.ingest import ingest
from policykit.sources import ReadOptions
from policykit.sources.dispatch import read_file
from policykit.sources.layouts import is_host_field


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _articles(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT url, domain, outlet FROM articles ORDER BY url").fetchall()
    finally:
        con.close()


def _mediacloud(url: str, name: str, i: int) -> dict:
    return {
        "stories_id": i,
        "url": url,
        "title": f"Report number {i} on migration policy",
        "publish_date": f"2024-02-0{1 + i % 8} 10:00:00",
        "media_name": name,
    }


def test_shipped_alias_does_not_capture_another_domain(tmp_path):
    # Media Cloud's "CIS" at cis.org (Center for Immigration Studies); "CIS" is an alias of
    # the shipped cis-india.org row (Centre for Internet and Society).
    path = _jsonl(
        tmp_path / "mc.jsonl",
        [
            _mediacloud("https://cis.org/Report/one", "CIS", 1),
            _mediacloud("https://cis-india.org/internet-governance/two", "CIS", 2),
        ],
    )
    ingest(path, db=tmp_path / "db.duckdb", enrich=False)
    rows = {url: (domain, outlet) for url, domain, outlet in _articles(tmp_path / "db.duckdb")}
    assert rows["https://cis.org/Report/one"] == ("cis.org", "CIS")
    # at its own domain the registry row still names it
    assert rows["https://cis-india.org/internet-governance/two"][1] == (
        "Centre for Internet and Society"
    )


def test_user_alias_for_another_domain_loses_to_the_record_domain(tmp_path):
    registry = tmp_path / "outlets.csv"
    registry.write_text(
        "domain,name,aliases\nexample-india.org,Example Society,EXS|Example\n", encoding="utf-8"
    )
    records = [
        _mediacloud("https://exs.org/a", "EXS", 1),  # another domain: its own name
        _mediacloud("https://www.example-india.org/b", "EXS", 2),  # the registered domain
        _mediacloud("https://news.example-india.org/c", "Something else", 3),  # host wins
    ]
    path = _jsonl(tmp_path / "mc.jsonl", records)
    ingest(path, db=tmp_path / "db.duckdb", outlets=registry, enrich=False)
    rows = {url[-1]: (domain, outlet) for url, domain, outlet in _articles(tmp_path / "db.duckdb")}
    assert rows["a"] == ("exs.org", "EXS")
    assert rows["b"][1] == "Example Society"
    assert rows["c"][1] == "Example Society"


def test_junk_domain_field_is_ignored_and_counted(tmp_path):
    # A GDELT-style artlist where every record says "domain": "a": 8 articles, 8 outlets.
    hosts = [f"www.outlet{i}-news.org" for i in range(8)]
    records = [
        {
            "url": f"https://{host}/story/{i}",
            "title": f"Story {i} about the data protection bill",
            "seendate": "20240105T031200Z",
            "domain": "a",
            "language": "English",
        }
        for i, host in enumerate(hosts)
    ]
    path = _jsonl(tmp_path / "artlist.jsonl", records)
    report = ingest(path, db=tmp_path / "db.duckdb", enrich=False)
    (result,) = report.files
    assert result.layout == "gdelt"
    assert result.layout_report.ignored["outlet_not_a_host"] == len(records)
    line = report.layout_lines()[0]
    assert f"{len(records)} outlet values not a host name ignored" in line
    rows = _articles(tmp_path / "db.duckdb")
    outlets = {outlet for _, _, outlet in rows}
    assert "a" not in outlets
    assert len(outlets) == len(hosts)
    # the URL's host decided (an unknown outlet is named after its registered domain)
    assert outlets == {h.removeprefix("www.") for h in hosts}


def test_good_domain_values_are_kept(tmp_path):
    records = [
        {"url": "https://x.example.org/1", "title": "A title long enough one", "seendate": "20240105T031200Z", "domain": "thehindu.com"},
        {"url": "https://x.example.org/2", "title": "A title long enough two", "seendate": "20240105T031200Z", "domain": "https://www.medianama.com/"},
        {"url": "https://x.example.org/3", "title": "A title long enough three", "seendate": "20240105T031200Z", "domain": "N/A"},
        {"url": "https://x.example.org/4", "title": "A title long enough four", "seendate": "20240105T031200Z", "domain": "-"},
        {"url": "https://x.example.org/5", "title": "A title long enough five", "seendate": "20240105T031200Z", "domain": "डाटा.भारत"},
    ]  # fmt: skip
    read = read_file(_jsonl(tmp_path / "g.jsonl", records), ReadOptions())
    outlets = [v for batch in read.batches for v in batch.column("outlet").to_pylist()]
    assert outlets == ["thehindu.com", "https://www.medianama.com/", None, None, "डाटा.भारत"]
    assert read.layout_report.ignored["outlet_not_a_host"] == 2


def test_name_fields_are_not_host_checked(tmp_path):
    # "source" in a Scrapy export is an outlet *name*; trafilatura's source-hostname too.
    records = [{"url": f"https://x.example.org/{i}", "title": f"Title number {i} here", "source": "The Wire"} for i in range(3)]  # fmt: skip
    read = read_file(_jsonl(tmp_path / "s.jsonl", records), ReadOptions())
    outlets = [v for batch in read.batches for v in batch.column("outlet").to_pylist()]
    assert outlets == ["The Wire"] * 3
    assert not read.layout_report.ignored


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("domain", True),
        ("source_domain", True),
        ("hostname", True),
        ("media_url", True),
        ("source-hostname", False),
        ("source", False),
        ("media_name", False),
        ("sitename", False),
    ],
)
def test_host_fields(name, expected):
    assert is_host_field(name) is expected


def test_a_registered_domain_in_the_domain_field_is_not_an_alias(tmp_path):
    # GDELT-style record on an aggregator host the registry does not know, whose domain
    # field names a registered outlet: the record's own domain claim keeps that outlet.
    records = [
        {
            "url": "https://news.aggregator-example.net/r/1",
            "title": "Court hears the privacy petition today",
            "seendate": "20240105T031200Z",
            "domain": "thehindu.com",
        },
        {
            "url": "https://news.aggregator-example.net/r/2",
            "title": "Another story on the privacy petition",
            "seendate": "20240105T031200Z",
            "domain": "Hindu",  # not a host name: ignored, the URL's host decides
        },
    ]
    path = _jsonl(tmp_path / "g.jsonl", records)
    ingest(path, db=tmp_path / "db.duckdb", enrich=False)
    rows = {url[-1]: outlet for url, _, outlet in _articles(tmp_path / "db.duckdb")}
    assert rows["1"] == "The Hindu"
    assert rows["2"] == "aggregator-example.net"
