"""The ingest pipeline end to end: accounting, dedup, idempotence, reloads, kills, locks."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import policykit as pk
from policykit.ingest import check_accounting, ingest

SCRAPED = "2023-03-01T12:00:00Z"


def _rec(i, **over):
    base = {
        "url": f"https://www.thehindu.com/news/national/story-{i}.ece",
        "title": f"Story number {i} about data protection",
        "published": "2023-02-27T10:00:00+05:30",
        "scraped_at": SCRAPED,
        "author": "By Asha Rao and Vikram Sen",
        "text": f"Body of story {i}. It has two sentences.",
    }
    base.update(over)
    return base


def _messy_lines() -> list[str]:
    """A JSONL file with every fault the issue lists; each line's fate is known."""
    good = [json.dumps(_rec(i)) for i in range(1, 6)]  # 5 new articles
    lines = list(good)
    # tracking-parameter and scheme variant of story 1 -> duplicate (same_url)
    lines.append(
        json.dumps(
            _rec(
                1,
                url="http://thehindu.com/news/national/story-1.ece?utm_source=tw&fbclid=x#top",
                scraped_at="2023-03-02T12:00:00Z",
            )
        )
    )
    # same outlet, title and day, different URL -> duplicate (same_outlet_title_day)
    lines.append(json.dumps(_rec(2, url="https://www.thehindu.com/other/story-2-copy.ece")))
    lines.append("{this is not json")  # malformed
    lines.append(json.dumps(["a", "list"]))  # not an object
    lines.append(json.dumps({"author": "nobody"}))  # no url, title or text
    lines.append(json.dumps(_rec(7, published="2031-01-01T00:00:00Z")))  # future -> date_suspect
    lines.append(json.dumps(_rec(8, published="1970-01-02")))  # before 1990 -> date_suspect
    # HTML and entities in the title, mojibake in the body: loaded, cleaned
    lines.append(
        json.dumps(
            _rec(
                9,
                title="<b>Pegasus</b> &amp; the court | The Hindu",
                text="The ministerâ€™s reply came late.",
            )
        )
    )
    # human date in a DMY outlet, relative date, no date but a dated URL
    lines.append(json.dumps(_rec(10, published="03/04/2022")))
    lines.append(json.dumps(_rec(11, published="3 hours ago")))
    lines.append(
        json.dumps(_rec(12, published=None, url="https://www.thehindu.com/2022/07/18/story-12.ece"))
    )
    lines.append('{"url": "https://www.thehindu.com/news/trunc')  # truncated last line
    return lines


EXPECTED = {"read": 17, "new": 9, "duplicates": 2, "rejects": 6}


@pytest.fixture
def messy(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    path = raw / "crawl.jsonl"
    path.write_text("\n".join(_messy_lines()), encoding="utf-8")  # no final newline
    return path


def _counts(con, path_suffix):
    def one(sql):
        return con.execute(sql, [f"%{path_suffix}"]).fetchone()[0]

    return {
        "new": one("SELECT count(*) FROM articles WHERE source_path LIKE ?"),
        "duplicates": one("SELECT count(*) FROM duplicates WHERE source_path LIKE ?"),
        "rejects": one("SELECT count(*) FROM rejects WHERE source_path LIKE ?"),
    }


def test_accounting_identity_on_messy_file(messy, tmp_path):
    db = tmp_path / "t.duckdb"
    report = ingest([messy], db=db, enrich=False)
    (result,) = report.files
    assert result.records_read == EXPECTED["read"]
    assert (result.new_articles, result.duplicates, result.rejects) == (
        EXPECTED["new"],
        EXPECTED["duplicates"],
        EXPECTED["rejects"],
    )
    assert report.balanced
    con = pk.connect(db, read_only=True)
    assert _counts(con, "crawl.jsonl") == {k: EXPECTED[k] for k in ("new", "duplicates", "rejects")}
    assert check_accounting(con).empty
    reasons = dict(con.execute("SELECT reason, count(*) FROM rejects GROUP BY 1").fetchall())
    assert reasons["date_suspect"] == 2
    assert reasons["missing_fields"] == 1
    assert reasons["malformed_json"] + reasons.get("truncated", 0) == 2
    dup_reasons = dict(con.execute("SELECT reason, count(*) FROM duplicates GROUP BY 1").fetchall())
    assert dup_reasons == {"same_url": 1, "same_outlet_title_day": 1}
    # one row per article_id
    assert con.execute("SELECT count(*) = count(DISTINCT article_id) FROM articles").fetchone()[0]
    con.close()


def test_normalised_fields(messy, tmp_path):
    db = tmp_path / "t.duckdb"
    ingest([messy], db=db, enrich=False)
    con = pk.connect(db, read_only=True)
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT canonical_url, title, body, outlet, domain, authors, published_at, date_source "
            "FROM articles"
        ).fetchall()
    }
    story1 = rows["https://thehindu.com/news/national/story-1.ece"]
    assert story1[2] == "The Hindu"
    assert story1[3] == "thehindu.com"
    assert story1[4] == ["Asha Rao", "Vikram Sen"]
    # 10:00 IST is 04:30 UTC
    assert story1[5].isoformat().startswith("2023-02-27T04:30:00")
    assert story1[6] == "metadata"
    pegasus = rows["https://thehindu.com/news/national/story-9.ece"]
    assert pegasus[0] == "Pegasus & the court"
    assert pegasus[1] == "The minister’s reply came late."
    dmy = rows["https://thehindu.com/news/national/story-10.ece"]
    assert dmy[5].date().isoformat() == "2022-04-03"  # The Hindu writes day first
    relative = rows["https://thehindu.com/news/national/story-11.ece"]
    assert relative[5].isoformat().startswith("2023-03-01T09:00:00")
    assert relative[6] == "relative"
    from_url = rows["https://thehindu.com/2022/07/18/story-12.ece"]
    assert from_url[5].date().isoformat() == "2022-07-18"
    assert from_url[6] == "url"
    raw = con.execute(
        "SELECT published_raw FROM articles WHERE canonical_url LIKE '%story-10.ece'"
    ).fetchone()[0]
    assert raw == "03/04/2022"
    con.close()


def _snapshot(db: Path) -> dict:
    con = pk.connect(db, read_only=True)
    try:
        out = {}
        for table, order in [
            ("articles", "article_id"),
            ("duplicates", "source_path, source_locator"),
            ("rejects", "source_path, source_locator"),
            ("outlets", "domain"),
        ]:
            cols = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c not in ("ingested_at", "run_id")
            ]
            out[table] = con.execute(
                f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}"
            ).fetchall()
        return out
    finally:
        con.close()


def test_ingest_twice_changes_nothing(messy, tmp_path):
    db = tmp_path / "t.duckdb"
    ingest([messy], db=db, enrich=False)
    before = _snapshot(db)
    again = ingest([messy], db=db, enrich=False)
    assert [f.status for f in again.files] == ["unchanged"]
    assert again.totals["records_read"] == 0
    assert _snapshot(db) == before
    # and a second database built from the same files is identical
    other = tmp_path / "u.duckdb"
    ingest([messy], db=other, enrich=False)
    assert _snapshot(other) == before


def test_changed_file_reloads(messy, tmp_path):
    db = tmp_path / "t.duckdb"
    ingest([messy], db=db, enrich=False)
    lines = messy.read_text(encoding="utf-8").split("\n")
    messy.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    report = ingest([messy], db=db, enrich=False)
    assert [f.status for f in report.files] == ["reloaded"]
    con = pk.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
    con.close()


def test_gzip_and_raw_dir_untouched(messy, tmp_path):
    gz = messy.with_suffix(".jsonl.gz")
    gz.write_bytes(gzip.compress(messy.read_bytes(), mtime=0))
    messy.unlink()
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in gz.parent.iterdir()}
    report = ingest([gz.parent], db=tmp_path / "t.duckdb", enrich=False)
    assert report.totals["records_read"] == EXPECTED["read"]
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in gz.parent.iterdir()}
    assert after == before


def test_duplicates_across_files_merge_fields(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    first = _rec(1, text=None, author=None, scraped_at="2023-03-02T00:00:00Z")
    later = _rec(1, url=first["url"] + "?utm_medium=email", scraped_at="2023-03-03T00:00:00Z")
    (raw / "a.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    (raw / "b.jsonl").write_text(json.dumps(later) + "\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    ingest([raw], db=db, enrich=False)
    con = pk.connect(db, read_only=True)
    body, authors, path = con.execute("SELECT body, authors, source_path FROM articles").fetchone()
    assert body.startswith("Body of story 1")  # filled in from the later copy
    assert authors == ["Asha Rao", "Vikram Sen"]
    assert path.endswith("a.jsonl")  # the earliest scrape stays the representative
    assert con.execute("SELECT reason FROM duplicates").fetchall() == [("same_url",)]
    con.close()


# The kill tests (a timer kill of the CLI, and kills at chosen points of a page corpus
# ingest, during enrichment and before the swap) are in tests/test_kill.py.


def test_locked_database_gives_one_line(tmp_path, messy):
    db = tmp_path / "t.duckdb"
    ingest([messy], db=db, enrich=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        env = {**os.environ, "PYTHONPATH": str(Path(pk.__file__).parents[1])}
        out = subprocess.run(
            [sys.executable, "-m", "policykit", "ingest", str(messy), "--db", str(db)],
            capture_output=True,
            text=True,
            env=env,
        )
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2
    assert "open in another process" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "t.duckdb"
    con = pk.connect(db)
    con.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future.sql')")
    con.close()
    with pytest.raises(pk.PolicykitError, match="newer than this policykit"):
        pk.connect(db)


def test_bad_pages_in_a_folder_get_their_own_reasons(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.html").write_bytes(b"")
    (raw / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    page = "<html><body>" + "".join(
        f"<p>paragraph {i} {i * 7919 % 104729}</p>" for i in range(2000)
    )
    packed = gzip.compress(page.encode(), mtime=0)
    (raw / "cut.html.gz").write_bytes(packed[: len(packed) // 2])
    (raw / "manifest.csv").write_text("file,url\nempty.html,https://example.com/a\n")
    report = ingest([raw], db=tmp_path / "t.duckdb", enrich=False)
    assert report.balanced
    assert dict(report.rejects_by_reason) == {
        "empty_file": 1,
        "binary_content": 1,
        "truncated_gzip": 1,
    }
    # the page manifest describes the pages; it is not loaded as data
    assert all("manifest" not in f.path for f in report.files)


SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (evaluation data) is not present")
def test_mixed_folder_of_pages_warc_feeds_and_dumps(tmp_path):
    import shutil

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SHARED / "seeds" / "000_8089164643b693ba.txt", raw / "seed.txt")
    shutil.copy(SHARED / "eval/feeds_and_warc_samples/warcio/example.warc.gz", raw)
    shutil.copy(SHARED / "eval/feeds_and_warc_samples/trafilatura_resources/feed.json", raw)
    shutil.copy(SHARED / "eval/feeds_and_warc_samples/trafilatura_resources/feed2.rss", raw)
    shutil.copy(SHARED / "eval/newspaper4k_testdata/html/cnn_article.html.gz", raw)
    report = ingest([raw], db=tmp_path / "t.duckdb", enrich=False)
    assert report.balanced
    formats = {Path(f.path).name: f.format for f in report.files}
    assert formats == {
        "seed.txt": "txt",
        "example.warc.gz": "warc",
        "feed.json": "feed",
        "feed2.rss": "feed",
        "cnn_article.html.gz": "html",
    }
    reads = {Path(f.path).name: f.records_read for f in report.files}
    assert reads["feed.json"] == 25  # the NPR JSON Feed's items
    assert reads["feed2.rss"] == 1
    assert reads["seed.txt"] == 1
    con = pk.connect(tmp_path / "t.duckdb", read_only=True)
    outlet, title, method = con.execute(
        "SELECT outlet, title, extraction_method FROM articles WHERE source_path LIKE '%seed.txt'"
    ).fetchone()
    con.close()
    assert outlet == "MediaNama"
    assert title == "Facial recognition service Clearview AI’s full client list stolen: Report"
    assert method == "textdump"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (evaluation data) is not present")
def test_real_scraper_exports_are_accounted_for(tmp_path):
    """newspaper4k metadata JSON and notnews URL lists: every record lands somewhere."""
    import json as _json

    n4k = SHARED / "eval/newspaper4k_testdata/metadata"
    notnews = [
        SHARED / "eval/notnews_top_news_urls" / name
        for name in ("propub_urls.json.gz", "politico_urls.json.gz", "npr_urls.json.gz")
    ]
    report = ingest([n4k, *notnews], db=tmp_path / "t.duckdb", enrich=False)
    assert report.balanced
    by_name = {Path(f.path).name: f for f in report.files}
    assert len([f for f in report.files if f.path.endswith(".json")]) == len(
        list(n4k.glob("*.json"))
    )
    for path in notnews:
        urls = _json.loads(gzip.decompress(path.read_bytes()))
        assert by_name[path.name].records_read == len(urls)
    con = pk.connect(tmp_path / "t.duckdb", read_only=True)
    npr = dict(
        con.execute(
            "SELECT outlet, count(*) FROM articles WHERE source_path LIKE '%npr_urls%' GROUP BY 1"
        ).fetchall()
    )
    con.close()
    # NPR's list is NPR's own pages, but for the malformed host www.npr.org2022
    assert npr.get("NPR", 0) >= by_name["npr_urls.json.gz"].new_articles - 1


def test_an_older_database_is_upgraded_not_broken(tmp_path, messy):
    import duckdb

    from policykit import store

    db = tmp_path / "old.duckdb"
    ingest([messy], db=db, enrich=False)
    # Turn it into a version-1 database: drop what later migrations added.
    con = duckdb.connect(str(db))
    later = [m for m in store.migrations() if m[0] > 1]
    for _version, _name, sql in later:
        for table in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", sql):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DELETE FROM schema_version WHERE version > 1")
    articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    con.close()
    with pytest.raises(pk.PolicykitError, match="needs upgrading"):
        pk.connect(db, read_only=True)
    con = pk.connect(db)  # a writable connection migrates
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == articles
    con.close()


def test_an_earlier_copy_in_a_later_file_keeps_the_identity_fields_consistent(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    stored = _rec(1, scraped_at="2023-03-05T00:00:00Z", text=None)
    earlier = _rec(
        1,
        url="https://www.thehindu.com/other/path-1.ece",  # another URL, same title and day
        scraped_at="2023-03-01T00:00:00Z",
        text="The earlier copy's body.",
    )
    (raw / "a.jsonl").write_text(json.dumps(stored) + "\n", encoding="utf-8")
    (raw / "b.jsonl").write_text(json.dumps(earlier) + "\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    ingest([raw / "a.jsonl"], db=db, enrich=False)
    ingest([raw / "b.jsonl"], db=db, enrich=False)
    con = pk.connect(db, read_only=True)
    url, canonical, path, body = con.execute(
        "SELECT url, canonical_url, source_path, body FROM articles"
    ).fetchone()
    (dup_url,) = con.execute("SELECT url FROM duplicates").fetchone()
    con.close()
    assert canonical == "https://thehindu.com/news/national/story-1.ece"
    assert url == stored["url"] and path.endswith("a.jsonl")  # one record's identity
    assert body == "The earlier copy's body."  # content from the earlier scrape
    assert dup_url == earlier["url"]  # the duplicate's own URL is kept
