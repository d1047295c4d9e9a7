"""Invariants of the trend frames on random small databases (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykit import store
from policykit.trends import coverage_over_time, outlet_mix, share_of_voice

OUTLETS = ["Alpha", "Beta", "Gamma", "Delta"]

# One article: (outlet index, day offset, hour, has topic ai, has topic privacy, story)
article = st.tuples(
    st.integers(0, 3),
    st.integers(0, 20),
    st.integers(0, 23),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 4)),
)
corpus = st.lists(article, min_size=1, max_size=40)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("prop") / "p.duckdb")
    yield con
    con.close()


def load(con, rows) -> None:
    for table in ("articles", "article_topics", "story_clusters"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    for i, (outlet, day, hour, ai, privacy, story) in enumerate(rows):
        article_id = f"p{i:03d}"
        con.execute(
            "INSERT INTO articles (article_id, domain, outlet, published_at, source_path,"
            " source_locator, ingested_at) VALUES (?, ?, ?, TIMESTAMPTZ '2024-03-01 00:00:00+00'"
            " + to_days(?) + to_hours(?), 'p', ?, now())",
            [article_id, f"{OUTLETS[outlet].lower()}.example", OUTLETS[outlet], day, hour, str(i)],
        )
        for topic, flag in (("ai", ai), ("privacy", privacy)):
            if flag:
                con.execute(
                    "INSERT INTO article_topics SELECT $1, $2, 1, article_key FROM articles "
                    "WHERE article_id = $1",
                    [article_id, topic],
                )
        if story is not None:
            con.execute(
                "INSERT INTO story_clusters VALUES (?, ?, FALSE, 'minhash')",
                [f"S{story}", article_id],
            )
    # Validation needs both topics to exist; tag a dated article when a topic is absent.
    for topic in ("ai", "privacy"):
        con.execute(
            "INSERT INTO article_topics SELECT 'p000', ?, 1, article_key FROM articles "
            "WHERE article_id = 'p000' AND NOT EXISTS "
            "(SELECT 1 FROM article_topics WHERE topic = ?)",
            [topic, topic],
        )


SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(rows=corpus, interval=st.sampled_from(["day", "week", "month"]))
def test_coverage_invariants(db, rows, interval):
    load(db, rows)
    articles = coverage_over_time(db, "ai", interval=interval)
    stories = coverage_over_time(db, "ai", interval=interval, unit="stories")
    # Ratios are shares.
    assert articles["ratio"].between(0, 1).all()
    assert stories["ratio"].between(0, 1).all()
    # Zero-filled: one row per period from the first to the last, none missing.
    first = articles["period"].min()
    step = {"day": "D", "week": "W-MON", "month": "MS"}[interval]
    expected = pd.date_range(first, articles["period"].max(), freq=step)
    assert list(articles["period"]) == list(expected)
    assert list(stories["period"]) == list(expected)
    # A story is counted once, in a period where it has an article: stories <= articles.
    assert (stories["count"].to_numpy() <= articles["count"].to_numpy()).all()
    assert (stories["total_count"].to_numpy() <= articles["total_count"].to_numpy()).all()
    # Every dated article is counted exactly once in the denominator.
    assert articles["total_count"].sum() == len(rows)


@SETTINGS
@given(rows=corpus, by=st.sampled_from(["outlet", "country", "outlet_type"]))
def test_outlet_shares_sum_to_one(db, rows, by):
    load(db, rows)
    mix = outlet_mix(db, "ai", by=by, top=2)
    if len(mix):
        assert mix["ratio"].sum() == pytest.approx(1.0)
        assert 0 < mix.attrs["hhi"] <= 1
        assert mix.attrs["effective_outlets"] >= 1 - 1e-9
    grouped = coverage_over_time(db, "ai", interval="week", by="outlet")
    assert grouped["ratio"].between(0, 1).all()
    # Per-outlet series are each complete: every outlet has every period.
    assert grouped.groupby("outlet").size().nunique() <= 1


@SETTINGS
@given(rows=corpus)
def test_share_of_voice_sums_to_one(db, rows):
    load(db, rows)
    frame = share_of_voice(db, topics=["ai", "privacy"], interval="week")
    sums = frame.groupby("period")["share"].sum()
    counts = frame.groupby("period")["count"].sum()
    assert ((sums.round(9) == 1) | (counts == 0)).all()


@SETTINGS
@given(rows=corpus)
def test_views_agree_with_python(db, rows):
    load(db, rows)
    view = db.execute(
        "SELECT day AS period, count, total_count, ratio FROM coverage_daily "
        "WHERE topic = 'ai' ORDER BY day"
    ).df()
    view["period"] = pd.to_datetime(view["period"])
    python = coverage_over_time(db, "ai", interval="day")
    pd.testing.assert_frame_equal(view, python, check_dtype=False)
    mix_view = db.execute(
        "SELECT outlet, count, ratio, hhi, effective_outlets FROM outlet_mix "
        "WHERE topic = 'ai' ORDER BY count DESC, outlet"
    ).df()
    pd.testing.assert_frame_equal(mix_view, outlet_mix(db, "ai", top=None), check_dtype=False)
