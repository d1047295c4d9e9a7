"""Stories: samples to read, the stories behind spikes, and who breaks them first."""

from __future__ import annotations

import pandas as pd

from . import _core


def stories_in_periods(db, flt: _core.Filter, interval: str, periods: list, top: int):
    """The ``top`` stories of each period in ``periods`` (long form, see spike_stories)."""
    sql, params = _core.build(
        "stories",
        flt,
        {"interval": interval, "periods": list(periods), "top": top},
        stories_tail=_core.sql_file("stories_in_periods"),
    )
    frame = _core.run(db, sql, params)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def sample_stories(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    n: int = 10,
    seed: int = 0,
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """A reproducible random sample of stories to read.

    Every story (story cluster) with at least one matching article is equally likely;
    the same database, filter and ``seed`` give the same sample.

    Returns
    -------
    DataFrame
        ``cluster_id``, ``articles`` (its articles in the outlet/date filter),
        ``outlets`` (distinct outlets among them), ``first_outlet``,
        ``first_published_at``, ``title`` and ``url`` (of its first article), ordered
        by ``first_published_at``.
    """
    _core.check_backend(backend)
    _core.check_positive("n", n)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _core.ConfigError(f"seed {seed!r} is not a whole number")
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        sql, params = _core.build(
            "stories",
            flt,
            {"interval": "day", "seed": seed, "n": n},
            stories_tail=_core.sql_file("stories_sample"),
        )
        frame = _core.run(db, sql, params)
    return _core.finish(frame, backend, {**_core.describe(flt), "n": n, "seed": seed})


def first_movers(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    min_outlets: int = 2,
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """Which outlets break stories first.

    Only stories carried by at least ``min_outlets`` outlets count. An outlet's time in
    a story is its earliest article there; the outlet with the earliest time leads
    (exact ties go to the alphabetically first outlet).

    Returns
    -------
    DataFrame
        ``outlet``, ``first_count`` (stories it led), ``stories`` (multi-outlet stories
        it carried), ``first_share`` (first_count / stories) and ``median_lag_hours``
        (over the stories it led: the median delay of every other outlet's first
        article; empty when it led none), by ``first_count`` descending.
    """
    _core.check_backend(backend)
    _core.check_positive("min_outlets", min_outlets)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        sql, params = _core.build("first_movers", flt, {"min_outlets": min_outlets})
        frame = _core.run(db, sql, params)
    return _core.finish(frame, backend, {**_core.describe(flt), "min_outlets": min_outlets})
