"""spike_events does not run the stories query of spikes (it needs only the periods)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_events import _spike_db

from policykit.trends import _core, coverage, spike_events, spikes
from policykit.trends.events import events_in_periods


@pytest.mark.parametrize("interval, top", [("week", 5), ("day", 2)])
def test_spike_events_skip_the_stories_query_and_give_the_same_rows(
    tmp_path, monkeypatch, interval, top
):
    con = _spike_db(tmp_path / "spike.duckdb")
    # The reference: the spikes with their stories, then the events of those periods.
    flagged = spikes(con, interval=interval)
    assert len(flagged) and flagged["stories"].map(len).min() >= 1
    flt = _core.make_filter(con, None, None, None, None, None, None)
    periods = [p.date() for p in flagged["period"]]
    expected = events_in_periods(con, flt, interval, periods, top)

    def refuse(*_args, **_kwargs):
        raise AssertionError("spike_events ran the stories query")

    monkeypatch.setattr(coverage, "stories_in_periods", refuse)
    got = spike_events(con, interval=interval, top_events=top)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert got.attrs["note"] == flagged.attrs["note"] and got.attrs["top_events"] == top
    # spikes itself still needs the query.
    with pytest.raises(AssertionError, match="stories query"):
        spikes(con, interval=interval)
    con.close()
