"""The demo corpus: deterministic, realistic in shape, and its manifest tells the truth.

The fault counts in the manifest are checked against counts taken from the files
themselves, with readers written here independently of the generator.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import ftfy
import pytest
from click.testing import CliRunner

from policykit.cli import main as cli
from policykit.demo import (
    ARTICLE_COLUMNS,
    DOMAINS,
    MANIFEST_NAME,
    NAMES,
    TRUTH_NAME,
    generate,
    load_articles,
    write_articles_parquet,
    write_metadata_jsonl,
)
from policykit.errors import ConfigError

N = 1_500


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "corpus"
    manifest = generate(out, n_articles=N, seed=7)
    return out, manifest


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- reading back


def _outlet_of(url: str) -> str:
    host = url.split("/")[2]
    for domain, name in zip(DOMAINS, NAMES, strict=True):
        if host == domain or host.endswith("." + domain):
            return name
    raise AssertionError(f"unknown host in {url}")


def _records(folder: Path) -> list[dict]:
    """Every metadata record as {layout, file, url, title, date, scraped, author(s), body}."""
    rows = []
    for path in sorted(folder.glob("scrapy/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        for line in lines:
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                rows.append({"layout": "scrapy", "file": path, "truncated": True})
                continue
            rows.append(
                {"layout": "scrapy", "file": path, "url": r["url"], "title": r["title"],
                 "date": r["date"], "scraped": r["scraped_at"], "author": r["author"],
                 "body": r["text"]}
            )  # fmt: skip
    for path in sorted(folder.glob("mediacloud/*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append(
                    {"layout": "mediacloud", "file": path, "url": r["url"], "title": r["title"],
                     "date": r["publish_date"] or None, "scraped": r["indexed_date"]}
                )  # fmt: skip
    for path in sorted(folder.glob("gdelt/*.json")):
        for r in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            rows.append(
                {"layout": "gdelt", "file": path, "url": r["url"], "title": r["title"],
                 "date": r["seendate"]}
            )  # fmt: skip
    for path in sorted(folder.glob("trafilatura/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append(
                {"layout": "trafilatura", "file": path, "url": r["source"], "title": r["title"],
                 "date": r["date"], "scraped": r["filedate"], "authors": r["author"],
                 "body": r["text"]}
            )  # fmt: skip
    for path in sorted(folder.glob("newspaper4k/*.json")):
        for r in json.loads(path.read_text(encoding="utf-8")):
            rows.append(
                {"layout": "newspaper4k", "file": path, "url": r["url"], "title": r["title"],
                 "date": r["publish_date"], "authors": r["authors"], "body": r["text"]}
            )  # fmt: skip
    for path in sorted(folder.glob("news-please/*/*.json")):
        r = json.loads(path.read_text(encoding="utf-8"))
        rows.append(
            {"layout": "news-please", "file": path, "url": r["url"], "title": r["title"],
             "date": r["date_publish"], "scraped": r["date_download"], "authors": r["authors"],
             "body": r["maintext"]}
        )  # fmt: skip
    return rows


def _parse(value: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _count_faults(folder: Path, manifest) -> Counter:
    crawl_end = _parse(manifest.scraped_at)
    count: Counter = Counter()
    for r in _records(folder):
        if r.get("truncated"):
            count["truncated_lines"] += 1
            continue
        title, url, date, layout = r["title"], r["url"], r["date"], r["layout"]
        if "<script" in title or "onerror=" in title:
            count["hostile_titles"] += 1
        elif "<b>" in title or "&amp;" in title:
            count["html_titles"] += 1
        if "â€" in title or "Ã" in title:
            count["mojibake_titles"] += 1
        if r.get("body") and ("â€" in r["body"] or "Ã" in r["body"]):
            count["mojibake_bodies"] += 1
        name = _outlet_of(url.replace("\\/", "/"))
        if title.endswith((f" | {name}", f" - {name}")):
            count["site_suffix_titles"] += 1
        if "\\/" in url:
            count["escaped_urls"] += 1
        url = url.replace("\\/", "/")
        for kind, marker in [("utm", "utm_source="), ("fbclid", "fbclid="), ("amp", "amp=1"),
                             ("mobile", "://m."), ("http", "http://")]:  # fmt: skip
            if marker in url:
                count[f"tracking_variants_{kind}"] += 1
        if layout == "gdelt":
            continue
        if date is None:
            count["missing_dates"] += 1
        elif isinstance(date, int):
            count["epoch_ms_dates"] += 1
        elif re.fullmatch(r"\d+ hours? ago", date):
            count["relative_dates"] += 1
        elif re.fullmatch(r"\d\d/\d\d/\d{4}", date):
            count["ambiguous_dates"] += 1
        elif re.search(r"\b(IST|GMT|BST)\b", date):
            count["zone_name_dates"] += 1
        elif re.match(r"\d{4}-\d\d-\d\d", date) and _parse(date) > crawl_end:
            count["future_dates"] += 1
        author = r.get("author")
        if author and author.startswith("By ") and " and " in author:
            count["multi_author_strings"] += 1
        authors = r.get("authors")
        if author == name or authors == name or authors == [name]:
            count["outlet_as_author"] += 1
    count["feed_items"] = sum(
        p.read_text(encoding="utf-8").count("<item>") for p in folder.glob("feeds/*.xml")
    )
    return count


# --------------------------------------------------------------------------- tests


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, corpus):
    out, _ = corpus
    again = generate(tmp_path / "again", n_articles=N, seed=7)
    assert _digest(tmp_path / "again") == _digest(out)
    assert again.files
    other = generate(tmp_path / "other", n_articles=N, seed=8)
    first, second = _digest(out), _digest(tmp_path / "other")
    unchanged = [rel for rel, digest in first.items() if second.get(rel) == digest]
    assert unchanged == []
    assert other.articles == N


def test_files_and_record_counts_match_the_manifest(corpus):
    out, m = corpus
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(m.files) | {MANIFEST_NAME, TRUTH_NAME}
    records = Counter(str(r["file"].relative_to(out)) for r in _records(out))
    for rel, n in records.items():
        assert m.files[rel] == n, rel
    pages = [rel for rel in m.files if rel.startswith(("pages/", "feeds/"))]
    assert sum(records.values()) + sum(m.files[p] for p in pages) == m.records
    assert m.records == m.articles + m.duplicate_records + m.faults["truncated_lines"]
    saved = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert saved["faults"] == m.faults and saved["files"] == m.files


def test_distinct_articles_match_the_manifest(corpus):
    out, m = corpus
    urls = set()
    for r in _records(out):
        if r.get("truncated"):
            continue
        url = r["url"].replace("\\/", "/").split("?")[0].replace("http://", "https://")
        urls.add(url)
    originals = set()
    for url in urls:  # a mobile variant maps back to the outlet's usual host
        if "://m." in url:
            bare = url.replace("://m.", "://", 1)
            www = url.replace("://m.", "://www.", 1)
            url = www if www in urls else bare
        originals.add(url)
    for page in out.glob("pages/html/*/*.html"):
        originals.add(re.search(r'rel="canonical" href="([^"]+)"', page.read_text()).group(1))
    from warcio.archiveiterator import ArchiveIterator

    with open(out / "pages/crawl.warc.gz", "rb") as fh:
        warc_urls = [
            rec.rec_headers.get_header("WARC-Target-URI")
            for rec in ArchiveIterator(fh)
            if rec.rec_type == "response"
        ]
    originals |= set(warc_urls)
    text_dumps = list(out.glob("pages/text/*/*.txt"))
    assert len(originals) + len(text_dumps) == m.articles == N
    feed_links = set()
    for feed in out.glob("feeds/*.xml"):
        feed_links |= set(
            re.findall(r"<item><title>[^<]*</title><link>([^<]+)</link>", feed.read_text())
        )
    assert feed_links <= originals  # feed items repeat articles written elsewhere


def test_fault_counts_in_the_manifest_appear_in_the_files(corpus):
    out, m = corpus
    counted = _count_faults(out, m)
    for fault in [
        "truncated_lines", "hostile_titles", "html_titles", "mojibake_titles",
        "mojibake_bodies", "site_suffix_titles", "escaped_urls", "missing_dates",
        "epoch_ms_dates", "relative_dates", "ambiguous_dates", "zone_name_dates",
        "future_dates", "multi_author_strings", "outlet_as_author", "feed_items",
        "tracking_variants_utm", "tracking_variants_fbclid", "tracking_variants_amp",
        "tracking_variants_mobile", "tracking_variants_http",
    ]:  # fmt: skip
        assert counted[fault] == m.faults.get(fault, 0), fault
    # every kind of fault actually occurs at this size
    assert all(
        m.faults.get(f, 0) > 0 for f in ("missing_dates", "relative_dates", "mojibake_titles")
    )
    assert m.faults["hostile_titles"] == 2 and m.faults["truncated_lines"] == 1


def test_span_outlets_topics_and_events(corpus):
    _, m = corpus
    assert len(m.outlets) >= 15 and set(m.outlets) == set(NAMES)
    assert sum(m.outlets.values()) == m.articles
    span = dt.date.fromisoformat(m.end) - dt.date.fromisoformat(m.start)
    assert 3 * 365 - 10 <= span.days <= 3 * 366
    policy = sum(m.topics.get(t, 0) for t in ("data_protection", "internet_shutdowns",
                                                "surveillance", "data_breaches"))  # fmt: skip
    assert 0.05 < policy / m.articles < 0.5  # a topic share means something
    assert m.outlets["The Times of India"] > 3 * m.outlets["Tech Policy Press"]
    assert 8 <= len(m.events) <= 12 and all(e["articles"] > 0 for e in m.events)


def _day(r: dict) -> dt.date | None:
    """The UTC (GDELT) or stated calendar day of a record with a machine-readable date."""
    date = r.get("date")
    if r["layout"] == "gdelt":
        return dt.datetime.strptime(date, "%Y%m%dT%H%M%SZ").date()
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d\d-\d\d([ T][\d:]+([+-][\d:]+|Z)?)?", date):
        return dt.date.fromisoformat(date[:10])
    return None


def test_event_days_are_spikes_and_weekends_quieter(tmp_path):
    m = generate(tmp_path / "c", n_articles=9_000, seed=3, pages=False)
    days = Counter(d for r in _records(tmp_path / "c") if "url" in r and (d := _day(r)))
    first, last = dt.date.fromisoformat(m.start), dt.date.fromisoformat(m.end)
    span = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    mean = sum(days.values()) / len(span)
    for event in m.events:
        day = dt.date.fromisoformat(event["date"])
        burst = days[day] + days[day + dt.timedelta(days=1)]
        assert burst > 1.5 * 2 * mean, (event, burst, mean)
    weekday = [days[d] for d in span if d.weekday() < 5]
    weekend = [days[d] for d in span if d.weekday() >= 5]
    assert sum(weekend) / len(weekend) < 0.8 * sum(weekday) / len(weekday)


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", ftfy.fix_text(text).lower())
    return {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}


@functools.lru_cache(maxsize=4096)
def _shingles_of(text: str) -> frozenset[str]:
    return frozenset(_shingles(text))


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles_of(a), _shingles_of(b)
    return len(x & y) / len(x | y)


def test_wire_copies_are_near_duplicates_and_other_pairs_are_not(corpus):
    out, m = corpus
    bodies = {  # URL variants repeat their article's body: leave them out
        r["url"]: r["body"]
        for r in _records(out)
        if r.get("body")
        and "?" not in r["url"]
        and r["url"].startswith("https://")
        and "://m." not in r["url"]
    }
    pairs = [(c, w) for c, w in m.syndicated_pairs if c in bodies and w in bodies]
    assert len(pairs) >= 10
    for copy, wire in pairs:
        assert copy.split("/")[2] != wire.split("/")[2]
        assert bodies[copy] != bodies[wire]
        assert _jaccard(bodies[copy], bodies[wire]) >= 0.75, (copy, wire)
    linked = {u for pair in m.syndicated_pairs for u in pair}
    urls = sorted(u for u in bodies if u not in linked)
    worst = max(_jaccard(bodies[a], bodies[b]) for a, b in zip(urls, urls[1:], strict=False))
    assert worst < 0.5


def test_bodies_mention_entities_and_cite_outlets(corpus):
    out, _ = corpus
    bodies = [r["body"] for r in _records(out) if r.get("body")]
    cites = re.compile(r"(told|according to|reported|in a statement to|in an interview with)")
    assert sum(bool(cites.search(b)) for b in bodies) > len(bodies) / 3
    assert sum("Internet Freedom Foundation" in b or "CERT-In" in b for b in bodies) > 5


def test_text_dumps_carry_recurring_site_chrome(corpus):
    out, _ = corpus
    for folder in (out / "pages" / "text").iterdir():
        pages = [p.read_text(encoding="utf-8").splitlines() for p in folder.glob("*.txt")]
        if len(pages) < 3:
            continue
        common = set(pages[0]).intersection(*pages[1:]) - {""}
        assert "Written By" in common and any(line.startswith("©") for line in common)


def test_writes_nothing_outside_its_folder(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    generate(work / "out", n_articles=300, seed=1)
    outside = [
        p for p in tmp_path.rglob("*") if p.is_file() and "out" not in p.relative_to(work).parts[:1]
    ]
    assert outside == []


def test_refuses_a_non_empty_folder_and_force_replaces_only_demo_files(tmp_path):
    out = tmp_path / "c"
    generate(out, n_articles=300, seed=1, pages=False)
    with pytest.raises(ConfigError, match="not empty.*--force"):
        generate(out, n_articles=300, seed=1)
    keep = out / "notes" / "mine.txt"
    keep.parent.mkdir()
    keep.write_text("mine")
    generate(out, n_articles=400, seed=2, force=True)
    assert keep.read_text() == "mine"
    assert json.loads((out / MANIFEST_NAME).read_text())["articles"] == 400
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "data.csv").write_text("a,b\n")
    with pytest.raises(ConfigError, match="holds no demo corpus"):
        generate(foreign, n_articles=300, force=True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_articles": 10}, "n_articles 10"),
        ({"n_articles": 10**7}, "at most 200000"),
        ({"years": 0}, "years 0"),
        ({"start": "yesterday"}, "start 'yesterday'"),
        ({"seed": "x"}, "seed 'x'"),
    ],
)
def test_bad_arguments_name_the_value(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        generate(tmp_path / "x", **kwargs)


def test_cli_demo_writes_then_refuses_without_force(tmp_path):
    out = tmp_path / "cli"
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--out", str(out), "--articles", "300", "--no-pages"])
    assert first.exit_code == 0, first.output
    assert "wrote 300 articles" in first.output and ".manifest.json" in first.output
    second = runner.invoke(cli, ["demo", "--out", str(out), "--articles", "300"])
    assert second.exit_code == 2 and "--force" in second.output
    third = runner.invoke(cli, ["demo", "--out", str(out), "--articles", "300", "--force"])
    assert third.exit_code == 0, third.output


# --------------------------------------------------------------------------- bench data


def test_metadata_jsonl_is_deterministic_and_realistic(tmp_path):
    a = write_metadata_jsonl(tmp_path / "a.jsonl", 6_000, seed=5)
    b = write_metadata_jsonl(tmp_path / "b.jsonl", 6_000, seed=5)
    c = write_metadata_jsonl(tmp_path / "c.jsonl", 6_000, seed=6)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6_000
    records = [json.loads(line) for line in lines]
    assert 350 <= a.stat().st_size / len(lines) <= 700
    canonical = {r["url"].split("?")[0].replace("http://", "https://") for r in records}
    assert 0.95 * 6_000 <= len(canonical) < 6_000  # about 3% repeat an earlier article
    dates = [r["date"] for r in records]
    assert sum(d is None for d in dates) > 0
    assert sum(bool(d and d.isdigit() and len(d) == 13) for d in dates) > 0
    assert sum(bool(d and d.endswith("ago")) for d in dates) > 0
    assert len({_outlet_of(r["url"]) for r in records}) == len(NAMES)


def test_articles_parquet_matches_the_articles_table(tmp_path):
    from policykit.store import connect

    path, topics = write_articles_parquet(tmp_path / "a.parquet", 3_000, with_bodies=True, seed=2)
    con = connect(tmp_path / "pk.duckdb")
    try:
        table_columns = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
        # every column but the database's own integer key (filled by its DEFAULT)
        assert list(ARTICLE_COLUMNS) == [c for c in table_columns if c != "article_key"]
        con.execute("INSERT INTO articles BY NAME SELECT * FROM read_parquet(?)", [str(path)])
        n, ids, bodies = con.execute(
            "SELECT count(*), count(DISTINCT article_id), count(body) FROM articles"
        ).fetchone()
        assert n == ids == bodies == 3_000
        tagged = con.execute("SELECT count(*) FROM read_parquet(?)", [str(topics)]).fetchone()[0]
        assert 0.05 * n < tagged < 0.5 * n
        assert load_articles(con, 2_000, seed=9, chunk=700) == 2_000
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5_000
        assert con.execute("SELECT count(*) FROM article_topics").fetchone()[0] > 0
    finally:
        con.close()
    other = duckdb.connect()
    try:
        again, _ = write_articles_parquet(tmp_path / "b.parquet", 3_000, with_bodies=True, seed=2)
        same = other.execute(
            "SELECT count(*) FROM (SELECT * FROM read_parquet(?) EXCEPT SELECT * FROM read_parquet(?))",
            [str(path), str(again)],
        ).fetchone()[0]
        assert same == 0
    finally:
        other.close()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda p: write_metadata_jsonl(p, 0), "n_records 0"),
        (lambda p: write_metadata_jsonl(p, 10, duplicate_rate=1.5), "duplicate_rate 1.5"),
        (lambda p: write_metadata_jsonl(p, 10, start="2022-13-01"), "start '2022-13-01'"),
        (lambda p: write_articles_parquet(p, -1), "n -1"),
    ],
)
def test_bench_writers_reject_bad_arguments(tmp_path, call, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        call(tmp_path / "x")


# --------------------------------------------------------------------------- future dates

# What a loader may assume (policykit rejects a date more than 2 hours after the record's
# crawl time): a naive time is read as UTC, as the pipeline reads it.
TOLERANCE = dt.timedelta(hours=2)


def _when(value) -> dt.datetime | None:
    """An ISO date or date-time (naive read as UTC), or None for anything else."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d", value):
        return None
    try:
        return _parse(value.replace(" ", "T", 1))
    except ValueError:
        return None


def test_every_future_date_is_detectable_whatever_the_run_day(tmp_path):
    # Big enough that the layouts with and without a crawl time both get the fault.
    m = generate(tmp_path / "c", n_articles=8_000, seed=11, pages=False)
    corpus_end = dt.datetime.fromisoformat(m.end).replace(tzinfo=dt.UTC) + dt.timedelta(days=2)
    far = corpus_end.replace(year=corpus_end.year + 100)
    found: Counter = Counter()
    for r in _records(tmp_path / "c"):
        if r.get("truncated") or r["layout"] == "gdelt":
            continue
        published, scraped = _when(r["date"]), _when(r.get("scraped"))
        if published is None:
            continue
        if published > corpus_end:  # an injected future date
            if scraped is not None:
                found["after_crawl"] += 1
                assert published > scraped + TOLERANCE, r["file"]
            else:  # no crawl time: only a date far past any run day is detectable
                found["far_future"] += 1
                assert published > far, (r["file"], r["date"])
        elif scraped is not None:  # an ordinary date never looks like one
            assert published <= scraped + TOLERANCE, (r["file"], r["date"], r.get("scraped"))
    assert found["after_crawl"] > 0 and found["far_future"] > 0, found
    assert found.total() == m.faults["future_dates"]


# --------------------------------------------------------------------------- ground truth

# Measured on this corpus (seed 5, 2,000 articles) with the pipeline of 2026-11-26; floors
# only go up. Known pipeline loss: GDELT seendate "20220110T081000Z" read day-first.
FLOORS = {"outlet_right": 0.99, "day_right": 0.93}


def test_ingest_agrees_with_the_ground_truth(tmp_path):
    from policykit.demo import truth_agreement
    from policykit.ingest import ingest

    out = tmp_path / "raw" / "demo"
    m = generate(out, n_articles=2_000, seed=5)
    assert (out / TRUTH_NAME).is_file()
    db = tmp_path / "pk.duckdb"
    ingest(out, db, enrich=False)
    with duckdb.connect(str(db), read_only=True) as con:
        got = truth_agreement(con, out)
        rejected = con.execute(
            "SELECT count(*) FROM rejects WHERE reason = 'date_suspect'"
        ).fetchone()[0]
    print(got)  # the measured figures, for the record (pytest -s)
    assert got["articles"] == m.articles
    # Every article loads but those whose only record had an impossible date.
    assert rejected == m.faults["future_dates"]
    assert m.articles - rejected <= got["loaded"] <= m.articles
    assert got["duplicates_recognised"] == got["duplicate_groups"] > 0
    assert got["false_merges"] == 0
    assert got["outlet_right"] / got["loaded"] >= FLOORS["outlet_right"]
    assert got["day_right"] / got["dated"] >= FLOORS["day_right"]


def test_truth_file_lists_every_record_once(corpus):
    out, m = corpus
    with gzip.open(out / TRUTH_NAME, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Every record but the half line the truncated export ends with.
    assert len(rows) == m.records - m.faults["truncated_lines"]
    per_file = Counter(r["file"] for r in rows)
    short = [rel for rel, n in m.files.items() if per_file[rel] != n]
    assert len(short) == 1 and short[0].startswith("scrapy/")  # the truncated export
    assert per_file[short[0]] == m.files[short[0]] - 1
    assert set(per_file) == set(m.files)
    articles = {r["article"]: r for r in rows}
    assert len(articles) == m.articles
    assert Counter(r["outlet"] for r in articles.values()) == Counter(m.outlets)
    for r in rows:  # a record's URL names its true outlet's host
        if r["url"]:
            assert _outlet_of(r["url"]) == r["outlet"], r
        assert m.start <= r["published"][:10] <= m.end


def test_truth_agreement_needs_the_truth_file(tmp_path):
    from policykit.demo import truth_agreement

    with duckdb.connect() as con, pytest.raises(ConfigError, match=r"\.truth\.csv\.gz is missing"):
        truth_agreement(con, tmp_path)
