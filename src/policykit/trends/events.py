"""News events behind spikes (the events themselves: :mod:`policykit.enrich.events`)."""

from __future__ import annotations

import pandas as pd

from . import _core
from .coverage import DEFAULT_K, DEFAULT_METHOD, _spikes


def events_in_periods(db, flt: _core.Filter, interval: str, periods: list, top: int):
    """The ``top`` news events of each period in ``periods`` (long form, see
    :func:`spike_events`)."""
    sql, params = _core.build(
        "events_in_periods", flt, {"interval": interval, "periods": list(periods), "top": top}
    )
    frame = _core.run(db, sql, params)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def spike_events(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    interval: str = "day",
    start=None,
    end=None,
    outlets=None,
    method: str = DEFAULT_METHOD,
    k: float = DEFAULT_K,
    baseline: int | None = None,
    min_baseline: int | None = None,
    min_count: int = 1,
    top_events: int = 3,
    tz: str | None = None,
    backend: str = "pandas",
):
    """The news events behind each spike of :func:`~policykit.trends.spikes` (same
    parameters; ``top_events`` events per spike), one row each: how many distinct
    happenings drove the jump.

    Returns
    -------
    DataFrame
        ``period``, ``rank`` (1 = most matching articles in the period), ``event_id``,
        ``label`` (the event's representative headline), ``articles`` and ``outlets``
        (the event's matching articles in the period and their distinct outlets: one
        base), ``event_articles`` and ``event_outlets`` (all its articles inside the
        outlet and date filter), ``first_outlet`` and ``first_published_at`` (who
        published it first), ``first_url``. ``attrs`` are those of the spikes, with
        ``note`` saying why the table is empty when it is.
    """
    _core.check_positive("top_events", top_events)
    frame, _stories = _spikes(
        con, topic, query, interval, start, end, outlets, method, k, baseline, min_baseline,
        min_count, 1, tz, "pandas", with_stories=False,
    )  # fmt: skip
    periods = [p.date() for p in frame["period"]]
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        events = events_in_periods(db, flt, interval, periods, top_events)
    attrs = {**frame.attrs, "top_events": top_events}
    return _core.finish(events, backend, attrs)
