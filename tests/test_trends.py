"""policykit.trends on hand-built fixture databases whose numbers are computed by hand.

The main fixture (UTC times; 2024-01-01 is a Monday):

    id  outlet (domain, country, type)      published_at        topics         story
    a1  Alpha (a.example, IN, daily)        2024-01-01 10:00    ai             S1 (first)
    a2  Alpha                               2024-01-01 12:00    -              -
    a3  Alpha                               2024-01-03 09:00    ai             S2 (first)
    a4  Alpha                               (undated)           ai             -
    b1  Beta  (b.example, GB, wire)         2024-01-01 11:00    ai             S1
    b2  Beta                                2024-01-02 08:00    -              -
    c1  Gamma (c.example, IN, blog)         2024-01-03 23:30    ai, privacy    S2
    c2  Gamma                               2024-01-05 10:00    privacy        -

Undated articles (a4) are outside every trend.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import polars as pl
import pytest

from policykit import store
from policykit.errors import ConfigError, QueryError
from policykit.trends import (
    coverage_over_time,
    distinctive_terms,
    first_movers,
    outlet_mix,
    sample_stories,
    share_of_voice,
    spike_stories,
    spikes,
    top_citations,
    top_entities,
)
from policykit.trends.terms import log_odds_dirichlet

OUTLETS = [
    ("a.example", "Alpha", "IN", "en", "national daily", "DMY", "registry"),
    ("b.example", "Beta", "GB", "en", "wire", "DMY", "registry"),
    ("c.example", "Gamma", "IN", "en", "blog", "DMY", "registry"),
]


def insert_article(con, article_id, outlet, domain, published, title="", body=None, url=None):
    con.execute(
        "INSERT INTO articles (article_id, url, canonical_url, domain, outlet, title, body,"
        " published_at, language, source_path, source_locator, ingested_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, 'en', 'fixture', ?, now())",
        [
            article_id,
            url or f"https://{domain}/{article_id}",
            url or f"https://{domain}/{article_id}",
            domain,
            outlet,
            title,
            body,
            published,
            f"row:{article_id}",
        ],
    )


@pytest.fixture
def con(tmp_path):
    db = store.connect(tmp_path / "t.duckdb")
    db.executemany("INSERT INTO outlets VALUES (?, ?, ?, ?, ?, ?, ?)", OUTLETS)
    rows = [
        ("a1", "Alpha", "a.example", "2024-01-01 10:00:00+00", "Facial recognition at airports"),
        ("a2", "Alpha", "a.example", "2024-01-01 12:00:00+00", "Cricket match report"),
        ("a3", "Alpha", "a.example", "2024-01-03 09:00:00+00", "Police use facial recognition"),
        ("a4", "Alpha", "a.example", None, "Undated facial recognition piece"),
        ("b1", "Beta", "b.example", "2024-01-01 11:00:00+00", "Airports adopt facial recognition"),
        ("b2", "Beta", "b.example", "2024-01-02 08:00:00+00", "Cricket match preview"),
        ("c1", "Gamma", "c.example", "2024-01-03 23:30:00+00", "Facial recognition and privacy"),
        ("c2", "Gamma", "c.example", "2024-01-05 10:00:00+00", "Privacy bill tabled"),
    ]
    for article_id, outlet, domain, published, title in rows:
        insert_article(db, article_id, outlet, domain, published, title)
    db.executemany(
        "INSERT INTO article_topics SELECT $1, $2, 1, article_key FROM articles "
        "WHERE article_id = $1",
        [["a1", "ai"], ["a3", "ai"], ["a4", "ai"], ["b1", "ai"], ["c1", "ai"]]
        + [["c1", "privacy"], ["c2", "privacy"]],
    )
    db.executemany(
        "INSERT INTO story_clusters VALUES (?, ?, ?, 'minhash')",
        [["S1", "a1", True], ["S1", "b1", False], ["S2", "a3", True], ["S2", "c1", False]],
    )
    db.executemany(
        "INSERT INTO entities VALUES (?, ?, ?, [], 'gazetteer')",
        [["e1", "Clearview AI", "organisation"], ["e2", "Delhi", "place"]],
    )
    db.executemany(
        "INSERT INTO article_entities VALUES (?, ?, ?)",
        [["a1", "e1", 2], ["b1", "e1", 1], ["a3", "e2", 1], ["c2", "e2", 3]],
    )
    db.executemany(
        "INSERT INTO article_citations VALUES (?, ?, ?, ?)",
        [
            ["a1", "Reuters", "reported", None],
            ["a3", "Reuters", "according_to", None],
            ["a3", "Reuters", "reported", None],
            ["c1", "Beta", "told", "b.example"],
        ],
    )
    yield db
    db.close()


def days(*values):
    return list(pd.to_datetime(values))


# --- coverage_over_time -------------------------------------------------------------


def test_coverage_daily_zero_filled(con):
    frame = coverage_over_time(con, "ai", interval="day")
    assert list(frame.columns) == ["period", "count", "total_count", "ratio"]
    assert list(frame["period"]) == days(
        "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"
    )
    # 01: a1, b1 of a1, a2, b1; 02: none of b2; 03: a3, c1 of the same; 04: nothing at
    # all (zero-filled); 05: none of c2. a4 is undated.
    assert list(frame["count"]) == [2, 0, 2, 0, 0]
    assert list(frame["total_count"]) == [3, 1, 2, 0, 1]
    assert list(frame["ratio"]) == pytest.approx([2 / 3, 0, 1, 0, 0])


def test_coverage_start_end_extend_the_range(con):
    frame = coverage_over_time(con, "ai", interval="day", start="2023-12-30", end="2024-01-02")
    # 2023-12-30 and -31 have no articles but are inside start..end.
    assert list(frame["count"]) == [0, 0, 2, 0]
    assert list(frame["total_count"]) == [0, 0, 3, 1]


def test_coverage_weeks_start_monday(con):
    frame = coverage_over_time(con, "ai", interval="week")
    # 2024-01-01 is a Monday: every dated article falls in that one week; 4 of 7 are ai.
    assert list(frame["period"]) == days("2024-01-01")
    assert list(frame["count"]) == [4]
    assert list(frame["total_count"]) == [7]


def test_coverage_timezone(con):
    frame = coverage_over_time(con, "ai", interval="day", tz="Asia/Kolkata")
    # +05:30 moves c1 (23:30 UTC on the 3rd) to 05:00 on the 4th; nothing else changes day.
    assert list(frame["count"]) == [2, 0, 1, 1, 0]
    assert list(frame["total_count"]) == [3, 1, 1, 1, 1]
    assert frame.attrs["tz"] == "Asia/Kolkata"


def test_coverage_stories(con):
    frame = coverage_over_time(con, "ai", interval="day", unit="stories")
    # Stories: S1 {a1, b1} on the 1st (ai), a2 on the 1st, b2 on the 2nd, S2 {a3, c1} on
    # the 3rd (ai), c2 on the 5th.
    assert list(frame["count"]) == [1, 0, 1, 0, 0]
    assert list(frame["total_count"]) == [2, 1, 1, 0, 1]


def test_coverage_by_outlet(con):
    frame = coverage_over_time(con, "ai", interval="day", by="outlet")
    assert list(frame.columns) == ["period", "outlet", "count", "total_count", "ratio"]
    assert len(frame) == 15  # 3 outlets x 5 days, each zero-filled
    alpha = frame[frame["outlet"] == "Alpha"]
    # Alpha: 1st a1 of a1, a2; 3rd a3 of a3.
    assert list(alpha["count"]) == [1, 0, 1, 0, 0]
    assert list(alpha["total_count"]) == [2, 0, 1, 0, 0]
    assert list(alpha["ratio"]) == pytest.approx([0.5, 0, 1, 0, 0])


def test_coverage_by_country_and_type(con):
    frame = coverage_over_time(con, "ai", interval="week", by="country")
    # IN = Alpha + Gamma: ai a1, a3, c1 of a1, a2, a3, c1, c2; GB = Beta: b1 of b1, b2.
    assert frame.set_index("country")["count"].to_dict() == {"GB": 1, "IN": 3}
    assert frame.set_index("country")["total_count"].to_dict() == {"GB": 2, "IN": 5}
    frame = coverage_over_time(con, "ai", interval="week", by="outlet_type")
    assert frame.set_index("outlet_type")["count"].to_dict() == {
        "blog": 1,
        "national daily": 2,
        "wire": 1,
    }


def test_coverage_by_topic(con):
    frame = coverage_over_time(con, interval="week", by="topic")
    # Every dated article matches (no topic filter); split by topic: ai a1 a3 b1 c1,
    # privacy c1 c2; the denominator is every dated article (7) for both.
    assert frame.set_index("topic")["count"].to_dict() == {"ai": 4, "privacy": 2}
    assert set(frame["total_count"]) == {7}


def test_coverage_outlet_filter_restricts_the_denominator(con):
    frame = coverage_over_time(con, "ai", interval="week", outlets=["b.example", "Gamma"])
    # Beta + Gamma: ai b1, c1 of b1, b2, c1, c2.
    assert list(frame["count"]) == [2]
    assert list(frame["total_count"]) == [4]


def test_coverage_smoothing_is_centred(con):
    frame = coverage_over_time(con, "ai", interval="day", smooth=3)
    # counts 2 0 2 0 0 -> centred means over 3 (2 at the ends): 1, 4/3, 2/3, 2/3, 0
    assert list(frame["count_smoothed"]) == pytest.approx([1, 4 / 3, 2 / 3, 2 / 3, 0])
    assert frame.attrs["smoothing"] == 3
    assert "centred" in frame.attrs["smoothing_rule"]


def test_coverage_polars(con):
    frame = coverage_over_time(con, "ai", interval="week", backend="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame["count"].to_list() == [4]


def test_coverage_query(con):
    frame = coverage_over_time(con, query="title:cricket", interval="week")
    # a2 and b2 have "Cricket" in the title.
    assert list(frame["count"]) == [2]


def test_empty_filter_gives_empty_frame(con):
    frame = coverage_over_time(con, "ai", start="2025-01-01", end="2025-01-31")
    assert list(frame.columns) == ["period", "count", "total_count", "ratio"]
    assert frame.empty
    mix = outlet_mix(con, "ai", start="2025-01-01", end="2025-01-31")
    assert mix.empty and "ratio" in mix.columns


# --- outlet_mix ---------------------------------------------------------------------


def test_outlet_mix_and_concentration(con):
    frame = outlet_mix(con, "ai")
    # Alpha a1 a3, Beta b1, Gamma c1 (a4 undated): shares .5 .25 .25;
    # HHI = .25 + .0625 + .0625 = .375, effective outlets 1 / .375 = 2.667.
    assert list(frame["outlet"]) == ["Alpha", "Beta", "Gamma"]
    assert list(frame["count"]) == [2, 1, 1]
    assert list(frame["ratio"]) == pytest.approx([0.5, 0.25, 0.25])
    assert frame.attrs["hhi"] == pytest.approx(0.375)
    assert frame.attrs["effective_outlets"] == pytest.approx(1 / 0.375)
    assert list(frame["hhi"]) == pytest.approx([0.375] * 3)


def test_outlet_mix_top_and_other(con):
    frame = outlet_mix(con, "ai", top=1)
    assert list(frame["outlet"]) == ["Alpha", "Other"]
    assert list(frame["count"]) == [2, 2]
    # The HHI is still over all three outlets, not over Alpha + Other.
    assert frame.attrs["hhi"] == pytest.approx(0.375)
    assert len(outlet_mix(con, "ai", top=1, other=False)) == 1


def test_outlet_mix_compare(con):
    frame = outlet_mix(con, "ai", compare_to=("2024-01-01", "2024-01-01"))
    # Then (the 1st): Alpha a1, Beta b1 -> .5, .5, Gamma 0. Now: .5, .25, .25.
    change = frame.set_index("outlet")["ratio_change_pp"].to_dict()
    assert change == pytest.approx({"Alpha": 0.0, "Beta": -25.0, "Gamma": 25.0})
    assert frame.attrs["hhi_compare"] == pytest.approx(0.5)


def test_outlet_mix_by_country(con):
    frame = outlet_mix(con, "ai", by="country")
    # IN: a1 a3 c1 = 3, GB: b1 = 1.
    assert frame.set_index("country")["count"].to_dict() == {"IN": 3, "GB": 1}


# --- share of voice, entities, citations --------------------------------------------


def test_share_of_voice_topics(con):
    frame = share_of_voice(con, topics=["ai", "privacy"], interval="day")
    assert list(frame.columns) == ["period", "item", "count", "total_count", "share"]
    share = frame.pivot(index="period", columns="item", values="share")
    # 01: ai 2, privacy 0; 02: nothing; 03: ai a3 c1, privacy c1 -> 2/3, 1/3;
    # 04: nothing; 05: privacy c2 -> 0, 1.
    assert list(share["ai"]) == pytest.approx([1, 0, 2 / 3, 0, 0])
    assert list(share["privacy"]) == pytest.approx([0, 0, 1 / 3, 0, 1])


def test_share_of_voice_entities(con):
    frame = share_of_voice(con, entities=["clearview ai", "e2"], interval="week")
    # Clearview AI: a1 b1; Delhi: a3 c2 -> 2 and 2 of 4.
    assert frame.set_index("item")["share"].to_dict() == pytest.approx(
        {"Clearview AI": 0.5, "Delhi": 0.5}
    )


def test_top_entities_and_citations(con):
    entities = top_entities(con, "ai")
    # ai articles a1 a3 b1 c1: Clearview AI in a1 (2) b1 (1); Delhi in a3 (1).
    assert list(entities["name"]) == ["Clearview AI", "Delhi"]
    assert list(entities["articles"]) == [2, 1]
    assert list(entities["mentions"]) == [3, 1]
    assert list(entities["ratio"]) == pytest.approx([0.5, 0.25])
    citations = top_citations(con, "ai")
    # Reuters: a1 once, a3 twice -> 2 articles, 3 citations; Beta: c1.
    assert list(citations["cited"]) == ["Reuters", "Beta"]
    assert list(citations["citations"]) == [3, 1]
    assert list(citations["ratio"]) == pytest.approx([0.5, 0.25])


# --- stories ------------------------------------------------------------------------


def test_first_movers(con):
    frame = first_movers(con, "ai").set_index("outlet")
    # S1: Alpha 10:00, Beta 11:00 (lag 1 h); S2: Alpha 09:00, Gamma 23:30 (lag 14.5 h).
    assert frame.loc["Alpha", "first_count"] == 2
    assert frame.loc["Alpha", "stories"] == 2
    assert frame.loc["Alpha", "median_lag_hours"] == pytest.approx((1 + 14.5) / 2)
    assert frame.loc["Beta", "first_count"] == 0
    assert math.isnan(frame.loc["Gamma", "median_lag_hours"])


def test_sample_stories_reproducible(con):
    first = sample_stories(con, "ai", n=2, seed=7)
    again = sample_stories(con, "ai", n=2, seed=7)
    pd.testing.assert_frame_equal(first, again)
    # ai stories: S1 and S2 (a4 is undated); both fit in n=2.
    assert sorted(first["cluster_id"]) == ["S1", "S2"]
    s1 = first.set_index("cluster_id").loc["S1"]
    assert s1["first_outlet"] == "Alpha"
    assert s1["title"] == "Facial recognition at airports"
    assert s1["articles"] == 2


# --- spikes -------------------------------------------------------------------------


@pytest.fixture
def spiky(tmp_path):
    """Ten days of 'ai' articles per day: 1 2 3 2 1 8 2 2 2 2 (Alpha), on day 6 a story
    of five articles (X, first Beta), one of two (Y) and one singleton."""
    db = store.connect(tmp_path / "s.duckdb")
    db.executemany("INSERT INTO outlets VALUES (?, ?, ?, ?, ?, ?, ?)", OUTLETS)
    counts = [1, 2, 3, 2, 1, 8, 2, 2, 2, 2]
    n = 0
    clusters = []
    for day, count in enumerate(counts, start=1):
        for i in range(count):
            n += 1
            article_id = f"x{n:03d}"
            outlet, domain = ("Beta", "b.example") if (day, i) == (6, 0) else ("Alpha", "a.example")
            published = f"2024-02-{day:02d} {10 + i:02d}:00:00+00"
            insert_article(db, article_id, outlet, domain, published, f"story {day}-{i}")
            db.execute(
                "INSERT INTO article_topics SELECT $1, 'ai', 1, article_key FROM articles "
                "WHERE article_id = $1",
                [article_id],
            )
            if day == 6 and i < 5:
                clusters.append(["X", article_id, i == 0])
            elif day == 6 and i < 7:
                clusters.append(["Y", article_id, i == 5])
    db.executemany("INSERT INTO story_clusters VALUES (?, ?, ?, 'minhash')", clusters)
    yield db
    db.close()


def test_spikes_zscore(spiky):
    frame = spikes(spiky, "ai", interval="day", baseline=5, method="zscore", k=2.0, top_stories=2)
    # Day 6: previous five 1 2 3 2 1, mean 1.8, sample sd sqrt(2.8 / 4) = 0.8367,
    # threshold 1.8 + 2 x 0.8367 = 3.473 <= 8. Later days have 8 in their baseline.
    assert list(frame["period"]) == days("2024-02-06")
    row = frame.iloc[0]
    assert row["count"] == 8
    assert row["baseline_centre"] == pytest.approx(1.8)
    assert row["baseline_spread"] == pytest.approx(math.sqrt(0.7))
    assert row["score"] == pytest.approx((8 - 1.8) / math.sqrt(0.7))
    assert "previous 5 days" in row["rule"] and frame.attrs["rule"] == row["rule"]
    stories = row["stories"]
    assert [s["cluster_id"] for s in stories] == ["X", "Y"]
    assert [s["articles"] for s in stories] == [5, 2]
    assert stories[0]["first_outlet"] == "Beta"
    assert row["top_title"] == "story 6-0"


def test_spikes_mad(spiky):
    frame = spikes(spiky, "ai", interval="day", baseline=5, method="mad", k=2.0)
    # Day 6: median 2, |deviations| 1 0 1 0 1 -> MAD 1, spread 1.4826;
    # score (8 - 2) / 1.4826 = 4.047.
    assert list(frame["period"]) == days("2024-02-06")
    assert frame.iloc[0]["baseline_spread"] == pytest.approx(1.4826)
    assert frame.iloc[0]["score"] == pytest.approx(6 / 1.4826)


def test_spike_stories_long_form(spiky):
    frame = spike_stories(spiky, "ai", interval="day", baseline=5, top_stories=3)
    # X (5 articles), Y (2), then the earliest of the 1 singleton on day 6.
    assert list(frame["rank"]) == [1, 2, 3]
    assert list(frame["articles"]) == [5, 2, 1]


# --- distinctive terms ----------------------------------------------------------------


def test_log_odds_dirichlet_by_hand():
    import numpy as np

    delta, z = log_odds_dirichlet(np.array([2, 0]), np.array([0, 2]), np.array([2, 2]))
    # alpha0 = 4, n_a = n_b = 2: delta0 = log(4 / 2) - log(2 / 4) = 2 ln 2;
    # var0 = 1/4 + 1/2 = 0.75; z0 = 2 ln 2 / sqrt(0.75) = 1.6008.
    assert delta[0] == pytest.approx(2 * math.log(2))
    assert z[0] == pytest.approx(2 * math.log(2) / math.sqrt(0.75))
    assert z[1] == pytest.approx(-z[0])


def test_distinctive_terms(con):
    frame = distinctive_terms(con, "ai", n=5)
    assert list(frame.columns) == [
        "term",
        "ngram",
        "count_topic",
        "count_background",
        "log_odds",
        "z",
    ]
    terms = frame.set_index("term")
    # ai titles (a1 a3 b1 c1) all say "facial recognition"; the background (a2 b2 c2)
    # never does. "and" (c1) and "at" (a1) are English stop words.
    assert terms.loc["facial recognition", "count_topic"] == 4
    assert terms.loc["facial recognition", "count_background"] == 0
    assert frame.iloc[0]["term"] in {"facial", "recognition", "facial recognition"}
    everything = distinctive_terms(con, "ai", n=100, min_count=1)
    assert "and" not in set(everything["term"])
    assert not any(" and" in t or "at " in t for t in everything["term"])


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"interval": "fortnight"},
            "interval 'fortnight' is not one of day, week, month, quarter, year",
        ),
        ({"topic": "crypto"}, "topic 'crypto' is not one of ai, privacy"),
        ({"outlets": ["Delta"]}, "outlet 'Delta' is not one of Alpha, Beta, Gamma"),
        ({"start": "2024-02-01", "end": "2024-01-01"}, "start 2024-02-01 is after end 2024-01-01"),
        ({"start": "yesterday"}, "start 'yesterday' is not a date"),
        ({"by": "city"}, "by 'city' is not one of outlet, outlet_type, country, topic"),
        ({"unit": "words"}, "unit 'words' is not one of articles, stories"),
        ({"tz": "Mars/Base"}, "tz 'Mars/Base' is not an IANA time zone"),
        ({"smooth": 4}, "smooth 4 is not an odd number"),
    ],
)
def test_errors_name_the_bad_value(con, kwargs, message):
    with pytest.raises(ConfigError) as info:
        coverage_over_time(con, **kwargs)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_query_is_a_query_error(con):
    with pytest.raises(QueryError):
        coverage_over_time(con, query="(facial")


def test_path_is_opened_read_only(con, tmp_path):
    con.close()
    frame = coverage_over_time(tmp_path / "t.duckdb", "ai", interval="week")
    assert list(frame["count"]) == [4]


def test_start_end_accept_dates(con):
    frame = coverage_over_time(con, "ai", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 3))
    assert list(frame["count"]) == [2]


def test_coverage_stories_by_topic(con):
    frame = coverage_over_time(con, interval="week", by="topic", unit="stories")
    # ai: S1 {a1, b1} and S2 {a3, c1}; privacy: S2 (via c1) and c2. Denominator: the five
    # stories S1, a2, b2, S2, c2, the same for both topics.
    assert frame.set_index("topic")["count"].to_dict() == {"ai": 2, "privacy": 2}
    assert set(frame["total_count"]) == {5}


def test_top_entities_by_type_event(con):
    # No event is stored yet: the type is still accepted and the table is empty.
    assert top_entities(con, "ai", type="event").empty
    con.execute("INSERT INTO entities VALUES ('e3', 'World Cup', 'event', [], 'recogniser')")
    con.execute("INSERT INTO article_entities VALUES ('a1', 'e3', 2), ('b1', 'e3', 1)")
    frame = top_entities(con, "ai", type="event")
    assert list(frame["name"]) == ["World Cup"]
    assert list(frame["articles"]) == [2]
    assert set(top_entities(con, "ai", type="place")["type"]) == {"place"}


def test_unknown_entity_and_type(con):
    with pytest.raises(ConfigError, match="entity 'Nobody' is not one of Clearview AI, Delhi"):
        share_of_voice(con, entities=["Nobody"])
    with pytest.raises(
        ConfigError, match="type 'animal' is not one of event, organisation, person, place"
    ):
        top_entities(con, "ai", type="animal")
