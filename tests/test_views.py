"""The SQL views give the same numbers as the Python API, and exist on an empty database."""

from __future__ import annotations

import pandas as pd
import pytest
from test_trends import con  # noqa: F401 - the shared fixture database

from policykit import store
from policykit.trends import coverage_over_time, outlet_mix

VIEWS = ("article_facts", "coverage_daily", "outlet_mix", "story_facts")


def test_views_exist_and_run_on_an_empty_database(tmp_path):
    db = store.connect(tmp_path / "empty.duckdb")
    for view in VIEWS:
        assert db.execute(f"SELECT count(*) FROM {view}").fetchall() == [(0,)]  # noqa: S608


@pytest.mark.parametrize("topic", ["ai", "privacy"])
def test_coverage_daily_matches_python(con, topic):  # noqa: F811
    view = con.execute(
        "SELECT day AS period, count, total_count, ratio FROM coverage_daily "
        "WHERE topic = ? ORDER BY day",
        [topic],
    ).df()
    view["period"] = pd.to_datetime(view["period"])
    python = coverage_over_time(con, topic, interval="day")
    pd.testing.assert_frame_equal(view, python, check_dtype=False)
    assert len(view) == 5  # 2024-01-01 .. 2024-01-05, the 4th zero-filled


@pytest.mark.parametrize("topic", ["ai", "privacy"])
def test_outlet_mix_view_matches_python(con, topic):  # noqa: F811
    view = con.execute(
        "SELECT outlet, count, ratio, hhi, effective_outlets FROM outlet_mix "
        "WHERE topic = ? ORDER BY count DESC, outlet",
        [topic],
    ).df()
    python = outlet_mix(con, topic, top=None)
    pd.testing.assert_frame_equal(view, python, check_dtype=False)


def test_article_facts(con):  # noqa: F811
    facts = (
        con.execute("SELECT * FROM article_facts ORDER BY article_id").df().set_index("article_id")
    )
    assert len(facts) == 8  # one row per article, dated or not
    assert list(facts.loc["c1", "topics"]) == ["ai", "privacy"]
    assert list(facts.loc["a2", "topics"]) == []
    # a2 has no story_clusters row: it is its own story.
    assert facts.loc["a2", "cluster_id"] == "a2"
    assert facts.loc["a2", "cluster_method"] == "singleton"
    assert facts.loc["a1", "cluster_size"] == 2
    assert facts.loc["c1", "country"] == "IN"
    assert str(facts.loc["c1", "day"])[:10] == "2024-01-03"


def test_story_facts(con):  # noqa: F811
    stories = (
        con.execute("SELECT * FROM story_facts ORDER BY cluster_id").df().set_index("cluster_id")
    )
    # S2 = a3 (Alpha, 09:00) + c1 (Gamma, 23:30); a4 is undated and left out.
    assert stories.loc["S2", "articles"] == 2
    assert stories.loc["S2", "first_outlet"] == "Alpha"
    assert stories.loc["S2", "title"] == "Police use facial recognition"
    assert "a4" not in stories.index
