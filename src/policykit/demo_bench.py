"""Benchmark data at any size, written with the demo corpus's vocabulary and templates.

- :func:`write_metadata_jsonl`: N Scrapy-style JSONL records (short or no bodies), vectorised
  with polars.
- :func:`write_articles_parquet`: N rows shaped like the ``articles`` table (plus an
  ``article_topics`` companion file), generated inside DuckDB from ``range(n)`` and streamed
  to Parquet.
- :func:`load_articles`: the same rows inserted straight into a database.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np

from .demo_plan import _start_day
from .demo_text import (
    BACKGROUND,
    DEFAULT_SEED,
    NAMES,
    OUTLETS,
    TOPICS,
    UTC,
    _body_paragraphs,
    _corpus,
    _ensure_non_ascii,
    _Filler,
    _mojibake,
    _slug,
    _title,
)
from .errors import ConfigError


def _text_pools(seed: int, n_titles: int, n_paragraphs: int = 0) -> tuple[list[str], list[str]]:
    """Distinct headlines and body paragraphs written by the demo templates."""
    rng = random.Random(f"{seed}:pools")
    f = _Filler(rng, "")
    kinds = list(TOPICS) + list(BACKGROUND) * 3  # background dominates, as in the demo
    titles: dict[str, None] = {}
    tries = 0
    while len(titles) < n_titles and tries < n_titles * 5:
        tries += 1
        titles.setdefault(_title(f, rng.choice(kinds), None), None)
    pool = list(titles)
    while len(pool) < n_titles:  # a tiny template set cannot reach n_titles distinct ones
        pool.append(f"{pool[len(pool) % len(titles)]} ({len(pool)})")
    paragraphs: list[str] = []
    while len(paragraphs) < n_paragraphs:
        paragraphs.extend(_body_paragraphs(f, rng.choice(kinds)))
    return pool, paragraphs[:n_paragraphs]


def _kind_pools(seed: int, per_titles: int, per_bodies: int) -> tuple[list[str], list[str]]:
    """Headlines and whole bodies per kind (TOPICS then BACKGROUND), kind-major, so a
    row's title and body agree on its subject."""
    titles: list[str] = []
    bodies: list[str] = []
    for kind in TOPICS + BACKGROUND:
        rng = random.Random(f"{seed}:pool:{kind}")
        f = _Filler(rng, "")
        seen: dict[str, None] = {}
        for _ in range(per_titles * 4):
            seen.setdefault(_title(f, kind, None), None)
            if len(seen) == per_titles:
                break
        block = list(seen)
        while len(block) < per_titles:  # few templates: headlines recur, as they do
            block.append(block[len(block) % len(seen)])
        titles += block
        bodies += ["\n\n".join(_body_paragraphs(f, kind)) for _ in range(per_bodies)]
    return titles, bodies


def write_metadata_jsonl(
    path: str | Path,
    n_records: int = 1_000_000,
    *,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    duplicate_rate: float = 0.03,
    body_rate: float = 0.3,
) -> Path:
    """Write ``n_records`` Scrapy-style JSONL metadata records, fast (vectorised, polars).

    Records average about 450-550 bytes: url, title, author, date, summary, a short body for
    ``body_rate`` of them, section, spider and scraped_at. Like a real scrape they carry
    faults: ``duplicate_rate`` of the records repeat an earlier article (half with the same
    URL, half with a tracking-parameter or http variant), and dates come in mixed formats
    (ISO UTC, ISO +05:30, "Mar 01, 2023 10:15 AM IST", epoch milliseconds as digits,
    "3 hours ago" with a matching scraped_at, ambiguous 03/04/2023, missing). About 0.5% of
    titles are mojibake. The same arguments give byte-identical files.

    Returns the path written.
    """
    import polars as pl

    if not isinstance(n_records, int) or n_records < 1:
        raise ConfigError(f"n_records {n_records!r} is not a positive integer")
    for name, rate in (("duplicate_rate", duplicate_rate), ("body_rate", body_rate)):
        if not 0 <= rate < 1:
            raise ConfigError(f"{name} {rate!r} is not a fraction from 0 to 1")
    start_day = _start_day(start, years)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = n_records
    n_titles = min(50_000, max(1_000, n // 4))
    titles, paragraphs = _text_pools(seed, n_titles, n_paragraphs=min(20_000, max(200, n // 20)))
    slugs = [_slug(t, 9) for t in titles]
    n_days = (start_day.replace(year=start_day.year + years) - start_day).days

    # Which article each record shows: duplicates point back at an earlier article.
    n_dup = int(n * duplicate_rate)
    article = np.arange(n)
    dup_pos = (
        np.sort(rng.choice(np.arange(1, n), size=n_dup, replace=False))
        if n_dup
        else np.array([], int)
    )
    article[dup_pos] = (rng.random(n_dup) * dup_pos).astype(np.int64)
    while True:  # a duplicate of a duplicate: follow it back to the first record
        again = article[article] != article
        if not again.any():
            break
        article = np.where(again, article[article], article)

    volume = np.array([o[3] for o in OUTLETS])
    outlet_of = rng.choice(len(OUTLETS), size=n, p=volume / volume.sum())[article]
    weekday = (np.arange(n_days) + start_day.weekday()) % 7
    day_w = np.where(weekday >= 5, 0.6, 1.0)
    day_of = rng.choice(n_days, size=n, p=day_w / day_w.sum())[article]
    minute_of = rng.integers(60, 18 * 60, size=n)[article]
    t0 = int(dt.datetime.combine(start_day, dt.time(), tzinfo=UTC).timestamp())
    published = t0 + day_of.astype(np.int64) * 86_400 + minute_of.astype(np.int64) * 60
    delay_h = rng.integers(1, 60, size=n)
    title_ix = (article * 7919) % n_titles

    date_kind = rng.choice(7, size=n, p=[0.55, 0.17, 0.15, 0.04, 0.015, 0.02, 0.055])
    # 0 iso utc, 1 iso +05:30, 2 "Mar 01, 2023 10:15 AM IST", 3 epoch ms, 4 missing,
    # 5 dd/mm/yyyy, 6 relative "N hours ago"
    scraped = published + np.where(date_kind == 6, delay_h % 23 + 1, delay_h) * 3600
    variant = np.zeros(n, dtype=np.int8)
    variant[dup_pos] = rng.choice(3, size=n_dup)  # 0 same URL, 1 utm, 2 http
    body_ix = np.where(rng.random(n) < body_rate, rng.integers(0, len(paragraphs), size=n), -1)
    mojibake = rng.random(n) < 0.005
    n_people = 4_000
    people = [
        f"{p} {q}"
        for p, q in zip(
            np.random.default_rng(seed + 5).choice(_corpus()["first_names"], n_people),
            np.random.default_rng(seed + 6).choice(_corpus()["last_names"], n_people),
            strict=True,
        )
    ]
    author_kind = rng.choice(
        4, size=n, p=[0.62, 0.15, 0.05, 0.18]
    )  # one, "By A and B", outlet, none

    hosts = pl.Series([o[2] for o in OUTLETS])
    outlet_names = pl.Series(NAMES)
    frame = pl.DataFrame(
        {
            "article": article,
            "outlet": outlet_of.astype(np.int32),
            "published": published,
            "scraped": scraped,
            "title_ix": title_ix,
            "date_kind": date_kind.astype(np.int8),
            "variant": variant,
            "body_ix": body_ix,
            "mojibake": mojibake,
            "lead_ix": rng.integers(0, len(paragraphs), size=n),
            "has_summary": rng.random(n) < 0.7,
            "delay_h": ((scraped - published) // 3600).astype(np.int64),
            "a1": rng.integers(0, n_people, size=n),
            "a2": rng.integers(0, n_people, size=n),
            "author_kind": author_kind.astype(np.int8),
        }
    )
    title_s = pl.Series(titles)
    moji_s = pl.Series([_mojibake(_ensure_non_ascii(t)) for t in titles])
    slug_s = pl.Series(slugs)
    para_s = pl.Series(paragraphs)
    people_s = pl.Series(people)
    pub = pl.from_epoch(pl.col("published"), time_unit="s").dt.replace_time_zone("UTC")
    ist = pub.dt.convert_time_zone("Asia/Kolkata")
    out = frame.with_columns(
        host=hosts.gather(frame["outlet"]),
        outlet_name=outlet_names.gather(frame["outlet"]),
        slug=slug_s.gather(frame["title_ix"]),
        clean_title=title_s.gather(frame["title_ix"]),
        moji_title=moji_s.gather(frame["title_ix"]),
        para=para_s.gather(frame["body_ix"].clip(0)),
        lead=para_s.gather(frame["lead_ix"]),
        p1=people_s.gather(frame["a1"]),
        p2=people_s.gather(frame["a2"]),
    ).with_columns(
        base_url=pl.concat_str(
            [
                pl.lit("https://"),
                pl.col("host"),
                pl.lit("/news/"),
                pl.col("slug"),
                pl.lit("-"),
                pl.col("article").cast(pl.String),
            ]
        ),
    )
    records = out.select(
        url=pl.when(pl.col("variant") == 1)
        .then(pl.col("base_url") + "?utm_source=twitter&utm_medium=social")
        .when(pl.col("variant") == 2)
        .then(pl.col("base_url").str.replace("https://", "http://", literal=True))
        .otherwise(pl.col("base_url")),
        title=pl.when(pl.col("mojibake"))
        .then(pl.col("moji_title"))
        .otherwise(pl.col("clean_title")),
        author=pl.when(pl.col("author_kind") == 0)
        .then(pl.col("p1"))
        .when(pl.col("author_kind") == 1)
        .then(pl.concat_str([pl.lit("By "), pl.col("p1"), pl.lit(" and "), pl.col("p2")]))
        .when(pl.col("author_kind") == 2)
        .then(pl.col("outlet_name"))
        .otherwise(None),
        date=pl.when(pl.col("date_kind") == 0)
        .then(pub.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .when(pl.col("date_kind") == 1)
        .then(ist.dt.strftime("%Y-%m-%dT%H:%M:%S+05:30"))
        .when(pl.col("date_kind") == 2)
        .then(ist.dt.strftime("%b %d, %Y %I:%M %p IST"))
        .when(pl.col("date_kind") == 3)
        .then((pl.col("published") * 1000).cast(pl.String))
        .when(pl.col("date_kind") == 5)
        .then(ist.dt.strftime("%d/%m/%Y"))
        .when(pl.col("date_kind") == 6)
        .then(pl.concat_str([pl.col("delay_h").cast(pl.String), pl.lit(" hours ago")]))
        .otherwise(None),
        summary=pl.when(pl.col("has_summary"))
        .then(pl.col("lead").str.slice(0, 160))
        .otherwise(None),
        text=pl.when(pl.col("body_ix") >= 0).then(pl.col("para")).otherwise(None),
        section=pl.lit("news"),
        spider=pl.col("host").str.replace(r"^www\.", "").str.split(".").list.first(),
        scraped_at=pl.from_epoch(pl.col("scraped"), time_unit="s").dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
    )
    records.write_ndjson(path)
    return path


def _outlet_slots() -> list[tuple[int, str, str, str, float]]:
    """1,000 slots shared out by outlet volume, so ``hash % 1000`` picks a weighted outlet."""
    volume = np.array([o[3] for o in OUTLETS])
    bounds = np.round(np.cumsum(volume) / volume.sum() * 1000).astype(int)
    slots, k = [], 0
    for slot in range(1000):
        while slot >= bounds[k]:
            k += 1
        d, name, host, _, share, _ = OUTLETS[k]
        slots.append((slot, d, name, host, share))
    return slots


ARTICLE_COLUMNS: tuple[str, ...] = (
    "article_id", "url", "canonical_url", "domain", "outlet", "title", "summary", "body",
    "authors", "published_at", "published_raw", "date_source", "language", "word_count",
    "scraped_at", "source_path", "source_locator", "extraction_method", "body_missing_reason",
    "layout", "ingested_at", "content_hash", "published_local_date", "published_utc_offset",
    "published_day",
)  # fmt: skip


def _bench_params(con, seed: int, with_bodies: bool, start: str, years: int, n: int) -> dict:
    """Register the lookup relations bench_articles.sql joins, and return its parameters."""
    import pyarrow as pa

    start_day = _start_day(start, years)
    n_days = (start_day.replace(year=start_day.year + years) - start_day).days
    per_titles = min(1_500, max(50, n // 20))  # pools grow with n up to a fixed size
    per_bodies = min(400, max(20, n // 50)) if with_bodies else 1
    titles, paragraphs = _kind_pools(seed, per_titles, per_bodies)
    slots = _outlet_slots()
    con.register(
        "bench_outlet_slots",
        pa.table(
            {
                "slot": pa.array([s[0] for s in slots], pa.uint64()),
                "domain": [s[1] for s in slots],
                "name": [s[2] for s in slots],
                "host": [s[3] for s in slots],
                "topic_share": [s[4] for s in slots],
            }
        ),
    )
    con.register(
        "bench_titles",
        pa.table(
            {
                "t": pa.array(range(len(titles)), pa.uint64()),
                "title": titles,
                "slug": [_slug(t, 9) for t in titles],
            }
        ),
    )
    con.register(
        "bench_bodies",
        pa.table({"b": pa.array(range(len(paragraphs)), pa.uint64()), "body": paragraphs}),
    )
    return {
        "seed": seed,
        "days": n_days,
        "start_day": (start_day - dt.date(1970, 1, 1)).days,
        "with_bodies": with_bodies,
        "topics": list(TOPICS),
        "per_titles": per_titles,
        "per_bodies": per_bodies,
    }


def _bench_sql() -> str:
    return (Path(__file__).parent / "sql" / "bench_articles.sql").read_text(encoding="utf-8")


def _check_size(n: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"n {n!r} is not a positive integer")


def write_articles_parquet(
    path: str | Path,
    n: int = 100_000,
    *,
    with_bodies: bool = True,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
) -> tuple[Path, Path]:
    """Write ``n`` rows shaped like the ``articles`` table to Parquet, plus their topics.

    Generated inside DuckDB from ``range(n)`` and streamed to Parquet in batches, so 10M rows
    without bodies need little memory. Outlets follow the demo volumes, dates span
    ``years`` years with fewer weekend stories, and about one article in six carries one
    tech-policy topic (the outlet's topic share decides). Bodies (``with_bodies``) are
    three paragraphs from a pool of 8,000 written by the demo templates, with entities and
    citation phrases for enrichment to find.

    Returns ``(articles_path, topics_path)``: the articles file has exactly the columns of
    the ``articles`` table (:data:`ARTICLE_COLUMNS`) but the database's own ``article_key``
    (its DEFAULT fills it: insert ``BY NAME``); ``<stem>-topics.parquet`` has
    ``article_id, topic, hits`` like ``article_topics``.
    """
    import duckdb
    import pyarrow.parquet as pq

    _check_size(n)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    topics_path = path.with_name(path.stem + "-topics.parquet")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        params = _bench_params(con, seed, with_bodies, start, years, n) | {"lo": 0, "hi": n}
        reader = con.sql(_bench_sql(), params=params).to_arrow_reader(250_000)
        writer = topics = None
        try:
            for batch in reader:
                import pyarrow as pa

                table = pa.Table.from_batches([batch])
                articles = table.select(list(ARTICLE_COLUMNS))
                tagged = table.filter(table["topic"].is_valid())
                tag_rows = pa.table(
                    {
                        "article_id": tagged["article_id"],
                        "topic": tagged["topic"],
                        "hits": pa.array([1] * tagged.num_rows, pa.int32()),
                    }
                )
                if writer is None:
                    writer = pq.ParquetWriter(path, articles.schema)
                    topics = pq.ParquetWriter(topics_path, tag_rows.schema)
                writer.write_table(articles)
                topics.write_table(tag_rows)
        finally:
            if writer is not None:
                writer.close()
                topics.close()
    finally:
        con.close()
    return path, topics_path


def load_articles(
    con,
    n: int,
    *,
    with_bodies: bool = False,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    chunk: int = 1_000_000,
) -> int:
    """Insert ``n`` synthetic rows into ``articles`` and their topics into ``article_topics``.

    ``con`` is a connection from :func:`policykit.store.connect` (the schema must exist);
    the rows are the same as :func:`write_articles_parquet` writes. Inserted in chunks of
    ``chunk`` rows so memory stays flat (the trends benchmark loads 10M rows this way).
    Returns ``n``.
    """
    _check_size(n)
    con = con.cursor()  # its own result and registrations; the caller's connection is untouched
    params = _bench_params(con, seed, with_bodies, start, years, n)
    columns = ", ".join(ARTICLE_COLUMNS)
    sql = _bench_sql()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE bench_topics "
        "(article_id VARCHAR, topic VARCHAR, hits INTEGER, article_key BIGINT)"
    )
    for lo in range(0, n, chunk):
        # Each row's article_key from the articles' own sequence (migration 008), so the
        # topic rows can carry it without a join back to articles.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE bench_chunk AS "
            f"SELECT nextval('article_key_seq') AS article_key, * FROM ({sql})",  # fixed text
            params | {"lo": lo, "hi": min(n, lo + chunk)},
        )
        con.execute(
            f"INSERT INTO articles (article_key, {columns}) "  # noqa: S608 - fixed names
            f"SELECT article_key, {columns} FROM bench_chunk"
        )
        con.execute(
            "INSERT INTO bench_topics "
            "SELECT article_id, topic, 1, article_key FROM bench_chunk WHERE topic IS NOT NULL"
        )
    # In (topic, article_key) order, as migration 008 leaves article_topics: a topic's rows
    # sit in a few row groups, and the others are skipped by their min/max.
    con.execute(
        "INSERT INTO article_topics (article_id, topic, hits, article_key) "
        "SELECT * FROM bench_topics ORDER BY topic, article_key"
    )
    con.execute("DROP TABLE IF EXISTS bench_chunk")
    con.execute("DROP TABLE IF EXISTS bench_topics")
    con.close()
    return n
