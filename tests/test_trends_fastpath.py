"""The filter fragments and the semi-join form of coverage_over_time and outlet_mix
(universe.sql, universe_parts.sql, coverage_parts.sql) against an independent pandas
computation from the raw rows, on random small databases and random filters (hypothesis).

Each filter (start, end, outlets, a non-UTC zone, topic) is spliced into the SQL only when
given, so every combination is a different query text: the oracle here is plain pandas.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykit import store
from policykit.trends import _core, coverage_over_time, outlet_mix

OUTLETS = ["Alpha", "Beta", "Gamma"]
BASE = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)

# One article: (outlet index, day offset, UTC hour, has topic ai). The hours straddle the
# local midnights of the zones below, where a UTC/local mix-up would show.
HOURS = [0, 2, 4, 5, 6, 12, 18, 19, 21, 23]
article = st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(HOURS), st.booleans())
corpus = st.lists(article, min_size=1, max_size=30)
day = st.one_of(st.none(), st.integers(0, 4).map(lambda d: (BASE + dt.timedelta(d)).date()))
filters = st.fixed_dictionaries(
    {
        "topic": st.sampled_from(["ai", None]),
        "start": day,
        "end": day,
        "outlets": st.one_of(st.none(), st.lists(st.sampled_from(OUTLETS), min_size=1)),
        "tz": st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York"]),
    }
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("fast") / "f.duckdb")
    # A registry, so that every outlet filter is valid even when it has no article.
    con.executemany(
        "INSERT INTO outlets VALUES (?, ?, ?, 'en', ?, 'DMY', 'registry')",
        [
            [f"{name.lower()}.example", name, country, kind]
            for name, country, kind in zip(
                OUTLETS, ["IN", "GB", "IN"], ["daily", "wire", "blog"], strict=True
            )
        ],
    )
    yield con
    con.close()


def load(con, rows) -> pd.DataFrame:
    """Fill the tables with ``rows``; return them as a frame for the pandas oracle."""
    for table in ("articles", "article_topics"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    records = []
    for i, (outlet, offset, hour, ai) in enumerate(rows):
        published = BASE + dt.timedelta(days=offset, hours=hour)
        article_id = f"f{i:03d}"
        con.execute(
            "INSERT INTO articles (article_id, domain, outlet, published_at, source_path,"
            " source_locator, ingested_at) VALUES (?, ?, ?, ?, 'f', ?, now())",
            [article_id, f"{OUTLETS[outlet].lower()}.example", OUTLETS[outlet], published, str(i)],
        )
        if ai:
            con.execute(
                "INSERT INTO article_topics SELECT $1, 'ai', 1, article_key FROM articles "
                "WHERE article_id = $1",
                [article_id],
            )
        records.append({"outlet": OUTLETS[outlet], "published": published, "ai": ai})
    # Validation needs the topic to exist: tag an article that is not otherwise tagged.
    con.execute(
        "INSERT INTO article_topics SELECT 'f000', 'ai', 1, article_key FROM articles "
        "WHERE article_id = 'f000' AND NOT EXISTS "
        "(SELECT 1 FROM article_topics)"
    )
    frame = pd.DataFrame(records)
    if not frame["ai"].any():
        frame.loc[0, "ai"] = True
    return frame


def universe(frame: pd.DataFrame, flt: dict) -> pd.DataFrame:
    """The pandas oracle of universe.sql: local days, the filters, the hit flag."""
    local = pd.to_datetime(frame["published"], utc=True).dt.tz_convert(flt["tz"])
    out = frame.assign(day=local.dt.tz_localize(None).dt.normalize())
    keep = pd.Series(True, index=out.index)
    if flt["start"] is not None:
        keep &= out["day"] >= pd.Timestamp(flt["start"])
    if flt["end"] is not None:
        keep &= out["day"] <= pd.Timestamp(flt["end"])
    if flt["outlets"] is not None:
        keep &= out["outlet"].isin(flt["outlets"])
    out = out[keep]
    return out.assign(hit=out["ai"] if flt["topic"] else True)


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(rows=corpus, flt=filters)
def test_coverage_matches_pandas(db, rows, flt):
    if flt["start"] and flt["end"] and flt["start"] > flt["end"]:
        flt["start"], flt["end"] = flt["end"], flt["start"]
    expected = universe(load(db, rows), flt)
    frame = coverage_over_time(db, interval="day", **flt)
    if expected.empty:
        assert frame.empty
        return
    lo = pd.Timestamp(flt["start"]) if flt["start"] else expected["day"].min()
    hi = pd.Timestamp(flt["end"]) if flt["end"] else expected["day"].max()
    periods = pd.date_range(lo, hi, freq="D")
    totals = expected.groupby("day").size().reindex(periods, fill_value=0)
    counts = expected[expected["hit"]].groupby("day").size().reindex(periods, fill_value=0)
    assert list(frame["period"]) == list(periods)
    assert list(frame["total_count"]) == list(totals)
    assert list(frame["count"]) == list(counts)


@SETTINGS
@given(rows=corpus, flt=filters, by=st.sampled_from([None, "outlet", "country"]))
def test_grouped_coverage_and_mix_match_pandas(db, rows, flt, by):
    if flt["start"] and flt["end"] and flt["start"] > flt["end"]:
        flt["start"], flt["end"] = flt["end"], flt["start"]
    expected = universe(load(db, rows), flt)
    # outlet_mix counts the matches per outlet.
    mix = outlet_mix(db, top=None, **flt)
    want = expected[expected["hit"]].groupby("outlet").size()
    assert dict(zip(mix["outlet"], mix["count"], strict=True)) == want.to_dict()
    # Grouped coverage sums, over its groups, to the per-period totals and counts.
    grouped = coverage_over_time(db, interval="week", by=by, **flt)
    if expected.empty:
        assert grouped.empty
        return
    week = expected["day"] - pd.to_timedelta(expected["day"].dt.day_of_week, unit="D")
    summed = grouped.groupby("period")[["count", "total_count"]].sum()
    assert summed["total_count"].sum() == len(expected)
    assert summed["count"].sum() == int(expected["hit"].sum())
    per_week = expected.groupby(week).size()
    assert (summed["total_count"].reindex(per_week.index) == per_week).all()
    if by == "outlet":
        outlets = grouped.groupby("outlet")["total_count"].sum()
        assert outlets[outlets > 0].to_dict() == expected.groupby("outlet").size().to_dict()


@pytest.mark.parametrize(
    ("kwargs", "present", "absent"),
    [
        ({}, [], ["$start_date", "$end_date", "$outlets", "timezone($tz, a.published_at)"]),
        ({"start": dt.date(2024, 3, 1)}, ["$start_date"], ["$end_date", "$outlets"]),
        ({"tz": "Asia/Kolkata"}, ["timezone($tz, a.published_at)"], ["$start_date"]),
        ({"outlets": ("Alpha",)}, ["$outlets", "$domains"], ["$end_date"]),
    ],
)
def test_absent_filters_are_not_in_the_sql(kwargs, present, absent):
    flt = _core.Filter(**{"domains": kwargs.get("outlets"), **kwargs})
    sql, params = _core.build("outlet_mix", flt, {"by": "outlet"})
    universe_text = sql.split("per_outlet AS")[0]
    for text in present:
        assert text in universe_text
    for text in absent:
        assert text not in universe_text
    assert set(params) <= {"by", "tz", "start_date", "end_date", "outlets", "domains", "topic"}
