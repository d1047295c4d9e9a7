"""Migration 008 (integer keys): a database of schema 7 upgrades, and its trends give the
same numbers as the rows it holds (counted here by plain Python) and as a database built
fresh at the new schema from the same rows."""

from __future__ import annotations

import collections
import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from policykit import store
from policykit.trends import coverage_over_time, outlet_mix

OUTLETS = [("Alpha", "a.example"), ("Beta", "b.example"), (None, "c.example"), (None, None)]
TOPICS = ("ai", "privacy")
START = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def _rows(seed: int = 8, n: int = 300) -> tuple[list[tuple], list[tuple]]:
    """Articles (id, outlet, domain, published_at or None) and topic rows (id, topic),
    with times near midnight so UTC and a zone east of it disagree on the day."""
    rnd = random.Random(seed)
    articles, topics = [], []
    for i in range(n):
        outlet, domain = rnd.choice(OUTLETS)
        minutes = rnd.randrange(0, 20 * 24 * 60)
        published = None if i % 17 == 0 else START + dt.timedelta(minutes=minutes)
        article_id = f"{rnd.getrandbits(64):016x}"
        articles.append((article_id, outlet, domain, published))
        for topic in TOPICS:
            if rnd.random() < (0.3 if topic == "ai" else 0.1):
                topics.append((article_id, topic))
    # a topic row whose article is gone: it counts nowhere, before or after
    topics.append(("0000000000000000", "ai"))
    return articles, topics


def _schema_7(path: Path) -> None:
    """A database as policykit wrote it before migration 008: migrations 001-007 only."""
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "CREATE TABLE schema_version ("
            " version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ DEFAULT now())"
        )
        for version, name, sql in store.migrations():
            if version <= 7:
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name]
                )
    finally:
        con.close()


def _insert(con, articles, topics, with_keys: bool) -> None:
    con.executemany(
        "INSERT INTO articles (article_id, outlet, domain, published_at, source_path, "
        "source_locator, ingested_at) VALUES (?, ?, ?, ?, 'f', ?, now())",
        [[a, o, d, p, f"row:{i}"] for i, (a, o, d, p) in enumerate(articles)],
    )
    if with_keys:
        con.executemany(
            "INSERT INTO article_topics SELECT $1, $2, 1, article_key FROM articles "
            "WHERE article_id = $1",
            [list(t) for t in topics],
        )
        store.fill_published_day(con)
    else:
        con.executemany("INSERT INTO article_topics VALUES (?, ?, 1)", [list(t) for t in topics])


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> tuple[Path, Path]:
    """(migrated, fresh): the same rows, one stored at schema 7 then upgraded, one stored
    at the current schema."""
    articles, topics = _rows()
    folder = tmp_path_factory.mktemp("m008")
    old = folder / "old.duckdb"
    _schema_7(old)
    con = duckdb.connect(str(old))
    try:
        assert "article_key" not in {r[0] for r in con.execute("DESCRIBE articles").fetchall()}
        _insert(con, articles, topics, with_keys=False)
    finally:
        con.close()
    store.connect(old).close()  # a writable connection upgrades it
    fresh = folder / "fresh.duckdb"
    con = store.connect(fresh)
    try:
        _insert(con, articles, topics, with_keys=True)
    finally:
        con.close()
    return old, fresh


def _python_coverage(topic: str, tz: str) -> pd.DataFrame:
    articles, topics = _rows()
    tagged = {a for a, t in topics if t == topic}
    zone = dt.UTC if tz == "UTC" else __import__("zoneinfo").ZoneInfo(tz)
    days = [p.astimezone(zone).date() for _, _, _, p in articles if p is not None]
    hits = collections.Counter(
        p.astimezone(zone).date() for a, _, _, p in articles if p is not None and a in tagged
    )
    totals = collections.Counter(days)
    span = pd.date_range(min(days), max(days), freq="D")
    return pd.DataFrame(
        {
            "period": span,
            "count": [hits[d.date()] for d in span],
            "total_count": [totals[d.date()] for d in span],
        }
    )


def test_the_upgrade_keys_every_article_and_topic_row(databases):
    old, _ = databases
    articles, topics = _rows()
    con = store.connect(old, read_only=True)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 8
        keys = con.execute("SELECT article_id, article_key FROM articles ORDER BY rowid").fetchall()
        # numbered in stored order, one key each
        assert [k for _, k in keys] == list(range(1, len(articles) + 1))
        assert [a for a, _ in keys] == [a for a, _, _, _ in articles]
        day = con.execute(
            "SELECT count(*) FROM articles WHERE published_day IS DISTINCT FROM "
            "CAST(timezone('UTC', published_at) AS DATE)"
        ).fetchone()[0]
        assert day == 0
        stored = con.execute(
            "SELECT t.article_id, t.topic, t.article_key = a.article_key "
            "FROM article_topics t LEFT JOIN articles a USING (article_id)"
        ).fetchall()
        live = {a for a, _, _, _ in articles}
        assert sorted((a, t) for a, t, _ in stored) == sorted(
            (a, t) for a, t in topics if a in live
        )
        assert all(same for _, _, same in stored)
        # a writer that leaves the key out is refused, not dropped from every trend
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO article_topics VALUES ('x', 'ai', 1)")
    finally:
        con.close()


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
def test_coverage_after_the_upgrade_counts_the_rows(databases, topic, tz):
    expected = _python_coverage(topic, tz)
    for db in databases:
        con = store.connect(db, read_only=True)
        try:
            frame = coverage_over_time(con, topic, interval="day", tz=tz)
        finally:
            con.close()
        got = frame[["period", "count", "total_count"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("interval", ["week", "month"])
def test_migrated_and_fresh_give_the_same_trends(databases, topic, interval):
    frames = []
    for db in databases:
        con = store.connect(db, read_only=True)
        try:
            frames.append(
                (
                    coverage_over_time(con, topic, interval=interval),
                    coverage_over_time(con, topic, interval=interval, by="outlet"),
                    outlet_mix(con, topic, top=None),
                    con.execute(
                        "SELECT * FROM coverage_daily WHERE topic = ? ORDER BY day", [topic]
                    ).df(),
                    con.execute(
                        "SELECT * FROM outlet_mix WHERE topic = ? ORDER BY outlet", [topic]
                    ).df(),
                )
            )
        finally:
            con.close()
    for migrated, fresh in zip(*frames, strict=True):
        pd.testing.assert_frame_equal(migrated, fresh)
    articles, topics = _rows()
    tagged = {a for a, t in topics if t == topic}
    mix = collections.Counter(
        o or d or "unknown" for a, o, d, p in articles if p is not None and a in tagged
    )
    got = frames[0][2]
    assert dict(zip(got["outlet"], got["count"], strict=True)) == dict(mix)


def test_the_content_hash_survives_the_upgrade(tmp_path):
    """article_key and published_day are left out of store.content_hash: the upgrade
    changes no content (here no topic row of a deleted article, which it drops)."""
    articles, topics = _rows(seed=3, n=40)
    topics = topics[:-1]
    old = tmp_path / "old.duckdb"
    _schema_7(old)
    con = duckdb.connect(str(old))
    try:
        con.execute("SET TimeZone = 'UTC'")
        _insert(con, articles, topics, with_keys=False)
        before = store.content_hash(con)
    finally:
        con.close()
    con = store.connect(old)
    try:
        assert store.content_hash(con) == before
        con.execute("DELETE FROM article_topics WHERE topic = 'privacy'")
        assert store.content_hash(con) != before  # and it still sees content
    finally:
        con.close()
