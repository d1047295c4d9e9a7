"""Which calendar days each count uses: the coverage_daily view (always UTC days), the
trend functions and the brief's helpers (the ``timezone`` setting), and 'page' days."""

from __future__ import annotations

import pandas as pd
import pytest
from test_trends import con  # noqa: F401 - the shared fixture database

from policykit import notebook_helpers as nh
from policykit.errors import ConfigError
from policykit.trends import coverage_over_time


def _view(con, topic):  # noqa: F811
    frame = con.execute(
        "SELECT day, count, total_count FROM coverage_daily WHERE topic = ? ORDER BY day",
        [topic],
    ).df()
    return {pd.Timestamp(r.day).date(): (r.count, r.total_count) for r in frame.itertuples()}


def _trend(con, **kwargs):  # noqa: F811
    frame = coverage_over_time(con, "ai", interval="day", **kwargs)
    return {
        pd.Timestamp(r.period).date(): (r.count, r.total_count)
        for r in frame.itertuples()
        if r.total_count  # the view's days are those with articles, zero-filled between
    }


def test_the_view_counts_utc_days_whatever_the_setting(con, monkeypatch):  # noqa: F811
    view = {day: counts for day, counts in _view(con, "ai").items() if counts[1]}
    assert view == _trend(con)  # the default setting is UTC
    # c1 is published 2024-01-03 23:30 UTC: 2024-01-04 in Kolkata (+05:30).
    monkeypatch.setenv("POLICYKIT_TIMEZONE", "Asia/Kolkata")
    kolkata = _trend(con)
    assert kolkata != view and view == _trend(con, tz="UTC")
    assert view == {day: counts for day, counts in _view(con, "ai").items() if counts[1]}
    assert kolkata[pd.Timestamp("2024-01-04").date()][0] == 1


def test_the_brief_counts_days_in_the_setting_like_the_trends(con, monkeypatch):  # noqa: F811
    monkeypatch.setenv("POLICYKIT_TIMEZONE", "Asia/Kolkata")
    day = pd.Timestamp("2024-01-04").date()
    numbers = nh.headline_numbers(con, "ai", day, day).set_index("metric")
    assert numbers.loc["articles", "value"] == _trend(con)[day][0] == 1
    monkeypatch.setenv("POLICYKIT_TIMEZONE", "UTC")
    numbers = nh.headline_numbers(con, "ai", day, day).set_index("metric")
    assert numbers.loc["articles", "value"] == 0


def test_page_days_are_refused_by_the_brief_in_one_line(con, monkeypatch):  # noqa: F811
    monkeypatch.setenv("POLICYKIT_TIMEZONE", "page")
    assert _trend(con)  # the trend functions take it
    with pytest.raises(ConfigError, match="timezone 'page'") as info:
        nh.report_period(con, "ai")
    assert "\n" not in str(info.value) and "--tz page" in str(info.value)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-04-03", "2026-05-06", "day"),  # the hantavirus export: 34 days
        ("2024-01-01", "2024-05-18", "day"),  # 139 days
        ("2024-01-01", "2024-05-19", "week"),  # 140 days: 20 weeks
        ("2022-01-01", "2024-12-31", "week"),  # the demo: 3 years
        ("2025-09-07", "2025-09-07", "day"),
    ],
)
def test_brief_interval(start, end, expected):
    assert nh.brief_interval(start, end) == expected
