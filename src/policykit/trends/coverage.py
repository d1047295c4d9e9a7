"""Attention over time: coverage, share of voice and spikes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import _core
from .stories import stories_in_periods

BY: tuple[str, ...] = ("outlet", "outlet_type", "country", "topic")
UNITS: tuple[str, ...] = ("articles", "stories", "events")
SPIKE_METHODS: tuple[str, ...] = ("zscore", "mad")
#: Scales a median absolute deviation to a standard deviation for normal data.
MAD_SCALE = 1.4826
#: Default baseline length (preceding periods) per interval: about a month of days,
#: a quarter of weeks, a year of months.
DEFAULT_BASELINE = {"day": 28, "week": 13, "month": 12, "quarter": 8, "year": 5}
#: Near the start of the data, a period with fewer than ``baseline`` periods before it is
#: judged on all of them when there are at least this many (or ``baseline``, if shorter).
MIN_BASELINE = 7
#: Default spike method and threshold: measured on the demo's planted events and on real
#: exports (docs/trends.md, "Why median/MAD and k = 3.5").
DEFAULT_METHOD = "mad"
DEFAULT_K = 3.5


def _check_smooth(smooth) -> int | None:
    if smooth in (None, 0, 1):
        return None
    if isinstance(smooth, bool) or not isinstance(smooth, int) or smooth < 1 or smooth % 2 == 0:
        raise ConfigError(
            f"smooth {smooth!r} is not an odd number of periods (3, 5, 7...): the rolling "
            "mean is centred on each period, so peaks stay where they are"
        )
    return smooth


def _smooth(frame: pd.DataFrame, group: str | None, window: int) -> pd.DataFrame:
    """Centred rolling mean over ``window`` periods, per group; partial at the edges."""
    keys = frame[group] if group else pd.Series(0, index=frame.index)
    for column in ("count", "ratio"):
        frame[f"{column}_smoothed"] = (
            frame[column]
            .astype("float64")
            .groupby(keys, sort=False)
            .transform(lambda s: s.rolling(window, center=True, min_periods=1).mean())
        )
    return frame


def coverage_over_time(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    interval: str = "day",
    start=None,
    end=None,
    outlets=None,
    by: str | None = None,
    normalise: bool = True,
    smooth: int | None = None,
    unit: str = "articles",
    tz: str | None = None,
    backend: str = "pandas",
):
    """Coverage of a topic or query per period, with every period present.

    Parameters
    ----------
    con
        A DuckDB connection from :func:`policykit.connect`, or a database path (opened
        read-only).
    topic, query
        The numerator: articles tagged with ``topic`` and/or matching the boolean
        ``query`` (:mod:`policykit.enrich.query`). Neither: every article.
    interval
        ``day``, ``week`` (starting Monday), ``month``, ``quarter`` or ``year``.
    start, end
        Dates (``YYYY-MM-DD``), both inclusive, as calendar days in ``tz``.
    outlets
        Outlet names or domains; they restrict both the numerator and the denominator.
    by
        ``None``, ``outlet``, ``outlet_type``, ``country`` or ``topic``: one series per
        group, each zero-filled.
    normalise
        Whether the headline measure (``attrs["measure"]``) is ``ratio`` (True) or
        ``count``. Every column is returned either way.
    smooth
        An odd window: adds ``count_smoothed`` and ``ratio_smoothed``, centred rolling
        means over that many periods (partial windows at the edges).
    unit
        ``articles``, or ``stories``: distinct story clusters, each counted once, in the
        period of its earliest article (an unclustered article is its own story), or
        ``events``: distinct news events (``article_events``, see
        :mod:`policykit.enrich.events`), counted the same way.
    tz
        IANA time zone for the calendar (default: the ``timezone`` setting, UTC).
    backend
        ``pandas`` (default) or ``polars``.

    Returns
    -------
    DataFrame
        ``period`` (first day of the period), the ``by`` column when grouping, ``count``,
        ``total_count`` (all articles, or stories, of the same outlets in the period),
        ``ratio`` (count / total_count; 0 when total_count is 0) and, with ``smooth``,
        ``count_smoothed`` and ``ratio_smoothed``. Periods run from ``start`` (or the
        first period of the filtered data) to ``end`` (or the last). ``attrs`` records
        the parameters and the smoothing rule.

    Examples
    --------
    >>> import policykit as pk                       # doctest: +SKIP
    >>> pk.coverage_over_time("data/processed/policykit.duckdb", "facial_recognition",
    ...                       interval="week", smooth=5)  # doctest: +SKIP
    """
    _core.check_interval(interval)
    _core.check_backend(backend)
    if by is not None:
        _core.check_choice("by", by, BY)
    _core.check_choice("unit", unit, UNITS)
    window = _check_smooth(smooth)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        frame = _coverage_frame(db, flt, interval, by, unit)
    if window:
        frame = _smooth(frame, by, window)
    attrs = {
        **_core.describe(flt),
        "interval": interval,
        "by": by,
        "unit": unit,
        "measure": "ratio" if normalise else "count",
        "smoothing": window,
        "smoothing_rule": (
            f"centred rolling mean over {window} periods ({window // 2} before, the period, "
            f"{window // 2} after); partial windows at the ends"
            if window
            else None
        ),
        "week_start": "Monday",
    }
    if unit == "articles" and by != "topic":
        attrs["n_articles"] = int(frame["count"].sum()) if len(frame) else 0
    return _core.finish(frame, backend, attrs)


def _coverage_parts(flt: _core.Filter, by: str | None) -> dict[str, str]:
    """The fixed ``{keys}`` and ``{hits}`` text of coverage.sql for this grouping and
    filter (from coverage_parts.sql)."""
    parts = _core.sql_parts("coverage_parts")
    keys = parts[
        {None: "keys_none", "outlet": "keys_outlet"}.get(by, "keys_domain")  # type: ignore[arg-type]
    ]
    filtered = flt.topic is not None or flt.query is not None
    hits = parts["hits_filtered"] if filtered else parts["hits_all"]
    return {"hits": hits.replace("{keys}", keys), "keys": keys}


# What coverage_stories.sql counts per unit: the item and the join that gives it.
_ITEMS = {
    "articles": {"item": "u.article_id", "item_join": ""},
    "stories": {
        "item": "coalesce(c.cluster_id, u.article_id)",
        "item_join": "LEFT JOIN story_clusters AS c ON c.article_id = u.article_id",
    },
    "events": {
        "item": "coalesce(e.event_id, u.article_id)",
        "item_join": "LEFT JOIN article_events AS e ON e.article_id = u.article_id",
    },
}


def _coverage_frame(db, flt: _core.Filter, interval: str, by: str | None, unit: str):
    values = {"interval": interval, "step": _core.STEPS[interval], "by": by, "unit": unit}
    if unit == "articles" and by != "topic":
        sql, params = _core.build("coverage", flt, values, **_coverage_parts(flt, by))
    else:
        sql, params = _core.build("coverage_stories", flt, values, **_ITEMS[unit])
    frame = _core.run(db, sql, params)
    frame["period"] = pd.to_datetime(frame["period"])
    if by is None:
        return frame.drop(columns="grp")
    return frame.rename(columns={"grp": by})


def share_of_voice(
    con,
    topics: list[str] | None = None,
    entities: list[str] | None = None,
    *,
    query: str | None = None,
    topic: str | None = None,
    interval: str = "month",
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """Each topic's (or entity's) share of the items' combined coverage, per period.

    Parameters
    ----------
    topics, entities
        The items to compare: topic names, or entity names or ids (give one of the two).
    topic, query, start, end, outlets, tz
        The shared filter: only articles it matches are counted.
    interval
        ``day``, ``week``, ``month`` (default), ``quarter`` or ``year``.

    Returns
    -------
    DataFrame
        ``period``, ``item``, ``count`` (matching articles that mention the item),
        ``total_count`` (the items' combined count in the period; an article about two
        items counts for both) and ``share`` (count / total_count; 0 when nothing was
        said about any item). Every period and item is present.
    """
    _core.check_interval(interval)
    _core.check_backend(backend)
    if (topics is None) == (entities is None):
        raise ConfigError("give either topics=[...] or entities=[...] to share_of_voice")
    items = list(topics if topics is not None else entities)
    if isinstance(topics if topics is not None else entities, str) or not items:
        raise ConfigError("topics/entities must be a non-empty list of names")
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        if topics is not None:
            for item in items:
                _core.check_topic(db, item, "topic")
            kind, ids, labels = "topics", items, items
        else:
            kind = "entities"
            ids, labels = _resolve_entities(db, items)
        sql, params = _core.build(
            "share_of_voice",
            flt,
            {
                "interval": interval,
                "step": _core.STEPS[interval],
                "kind": kind,
                "items": ids,
                "labels": labels,
            },
        )
        frame = _core.run(db, sql, params)
    frame["period"] = pd.to_datetime(frame["period"])
    frame = frame.rename(columns={"grp": "item", "ratio": "share"})
    attrs = {**_core.describe(flt), "interval": interval, "items": labels, "kind": kind}
    return _core.finish(frame, backend, attrs)


def _resolve_entities(db, items: list[str]) -> tuple[list[str], list[str]]:
    """Entity names or ids (case-insensitive) to (ids, canonical names)."""
    rows = db.execute("SELECT entity_id, name FROM entities ORDER BY name").fetchall()
    by_key = {}
    for entity_id, name in rows:
        by_key.setdefault(entity_id.casefold(), (entity_id, name))
        by_key.setdefault(name.casefold(), (entity_id, name))
    ids, labels = [], []
    for item in items:
        found = by_key.get(str(item).casefold())
        if found is None:
            names = [n for _, n in rows] or ["(none: run `policykit enrich` first)"]
            raise ConfigError(f"entity {item!r} is not one of {', '.join(names)}")
        ids.append(found[0])
        labels.append(found[1])
    return ids, labels


def _baseline_stats(
    counts: pd.Series, baseline: int, min_baseline: int, method: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Centre, spread and size of the up-to-``baseline`` periods before each period.

    The period itself is excluded. A period with fewer than ``min_baseline`` periods
    before it gets NaN (it cannot be judged).
    """
    past = counts.astype("float64").shift(1).rolling(baseline, min_periods=min_baseline)
    # The series is zero-filled: period i has min(i, baseline) periods before it.
    size = pd.Series(np.minimum(np.arange(len(counts)), baseline), index=counts.index)
    if method == "zscore":
        return past.mean(), past.std(ddof=1), size
    centre = past.median()

    def mad(values: np.ndarray) -> float:
        # The window can hold the NaN that shift() puts before the first period.
        return float(np.nanmedian(np.abs(values - np.nanmedian(values))))

    # Counts are counts: a baseline of mostly equal small counts has a MAD of 0 or 1,
    # which would make a week of 5 articles against a median of 3 a spike. The Poisson
    # standard deviation sqrt(median) (at least 1) is the smallest spread allowed.
    floor = np.sqrt(centre.clip(lower=1.0))
    return centre, np.maximum(past.apply(mad, raw=True) * MAD_SCALE, floor), size


def spikes(
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
    top_stories: int = 3,
    tz: str | None = None,
    backend: str = "pandas",
):
    """Periods whose coverage jumps above its recent past, and the stories behind them.

    The rule: a period is a spike when its article ``count`` is at least
    ``centre + k * spread`` of the ``baseline`` periods before it (the period itself
    excluded), strictly above ``centre``, and at least ``min_count``. With
    ``method="mad"`` (the default) the centre is the median and the spread 1.4826 x the
    median absolute deviation (comparable to a standard deviation), but never less than
    sqrt(max(median, 1)), the Poisson spread of a count: earlier spikes in the baseline
    barely move either. With ``method="zscore"`` the centre is the mean and the spread
    the sample standard deviation (a flat baseline, spread 0, makes any count above it a
    spike, with ``score`` = inf).

    Near the start of the data a period with fewer than ``baseline`` periods before it
    is judged on all of them when there are at least ``min_baseline``; earlier periods
    cannot be judged. When no period can be judged, or none is a spike, the empty result
    says why in ``attrs["note"]``.

    Parameters
    ----------
    topic, query, start, end, outlets, tz
        The shared filter (see :func:`coverage_over_time`).
    interval
        The period of the series.
    method, k
        ``"mad"`` (default) or ``"zscore"``; spreads above the centre (default 3.5).
    baseline
        Preceding periods to compare with (default: 28 days, 13 weeks, 12 months,
        8 quarters or 5 years).
    min_baseline
        Fewest preceding periods a period is judged on (default: 7, or ``baseline`` if
        shorter; at least 2 for ``"zscore"``).
    top_stories
        Stories listed per spike: the clusters with most matching articles in the period.

    Returns
    -------
    DataFrame
        One row per spike: ``period``, ``count``, ``baseline_centre``,
        ``baseline_spread``, ``threshold``, ``score`` ((count - centre) / spread),
        ``rule`` (the rule in words), ``top_title`` (title of the biggest story),
        ``stories``: a list of dicts with ``cluster_id``, ``articles`` (in the period),
        ``first_outlet``, ``first_published_at``, ``title``, ``url``, and
        ``baseline_periods`` (how many preceding periods the row was judged on). The same
        stories in long form come from :func:`spike_stories`. ``attrs["rule"]`` repeats
        the rule; ``attrs["judged"]`` counts the periods judged and ``attrs["note"]`` says
        in one line what was found (or why nothing could be judged).
    """
    frame, _stories = _spikes(
        con, topic, query, interval, start, end, outlets, method, k, baseline, min_baseline,
        min_count, top_stories, tz, backend,
    )  # fmt: skip
    return frame


def spike_stories(
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
    top_stories: int = 3,
    tz: str | None = None,
    backend: str = "pandas",
):
    """The stories behind each spike of :func:`spikes` (same parameters), one row each.

    Returns
    -------
    DataFrame
        ``period``, ``rank`` (1 = most matching articles in the period), ``cluster_id``,
        ``articles`` (matching articles of the story in the period), ``story_articles``
        (all its articles), ``outlets``, ``first_outlet``, ``first_published_at``,
        ``title``, ``url``.
    """
    _frame, stories = _spikes(
        con, topic, query, interval, start, end, outlets, method, k, baseline, min_baseline,
        min_count, top_stories, tz, backend,
    )  # fmt: skip
    return stories


def _spike_rule(method: str, k: float, baseline: int, min_baseline: int, interval: str,
                min_count: int) -> str:  # fmt: skip
    if method == "zscore":
        centre, spread = "mean", "standard deviation"
    else:
        centre, spread = "median", "max(1.4826 x MAD, sqrt(max(median, 1)))"
    start = (
        f", or of all of them (at least {min_baseline}) near the start of the data"
        if min_baseline < baseline
        else ""
    )
    return (
        f"count >= {centre} + {k:g} x {spread} of the previous {baseline} {interval}s"
        f"{start} (current {interval} excluded), count > {centre}, count >= {min_count}"
    )


def _spike_note(series: pd.DataFrame, size: pd.Series, min_baseline: int, interval: str,
                found: int) -> str:  # fmt: skip
    """One line: how many periods were judged and flagged, or why none could be."""
    n = len(series)
    judged = int((size >= min_baseline).sum())
    if n == 0:
        return "nothing can be judged: no dated article matches the filters"
    if judged == 0:
        return (
            f"nothing can be judged: the series has {n} {interval}(s), and a {interval} "
            f"needs at least {min_baseline} earlier ones (try a finer --interval or a "
            f"smaller --min-baseline)"
        )
    first = series["period"].iloc[n - judged].date().isoformat()
    return (
        f"{found} spike(s) among {judged} {interval}s judged (from {first}; the first "
        f"{n - judged} {interval}s of the data only serve as baseline)"
    )


def _spikes(
    con, topic, query, interval, start, end, outlets, method, k, baseline, min_baseline,
    min_count, top_stories, tz, backend, *, with_stories=True,
):  # fmt: skip
    """The spikes frame and the stories behind them; ``with_stories=False`` skips the
    stories query (spike_events needs only the periods and attrs): the frame's
    ``stories`` and ``top_title`` are then empty and the second value is None."""
    _core.check_interval(interval)
    _core.check_backend(backend)
    _core.check_choice("method", method, SPIKE_METHODS)
    baseline = DEFAULT_BASELINE[interval] if baseline is None else baseline
    _core.check_positive("baseline", baseline)
    if min_baseline is None:
        min_baseline = min(baseline, MIN_BASELINE)
    _core.check_positive("min_baseline", min_baseline)
    if min_baseline > baseline:
        raise ConfigError(f"min_baseline {min_baseline} is more than baseline {baseline}")
    if method == "zscore" and min_baseline < 2:
        name = "baseline" if min_baseline == baseline else "min_baseline"
        raise ConfigError(f"{name} {min_baseline} is too short: a standard deviation needs 2")
    _core.check_positive("top_stories", top_stories)
    if isinstance(k, bool) or not isinstance(k, int | float) or not k >= 0:
        raise ConfigError(f"k {k!r} is not a number >= 0")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 0:
        raise ConfigError(f"min_count {min_count!r} is not a whole number >= 0")
    rule = _spike_rule(method, k, baseline, min_baseline, interval, min_count)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        series = _coverage_frame(db, flt, interval, None, "articles")
        centre, spread, size = _baseline_stats(series["count"], baseline, min_baseline, method)
        counts = series["count"].astype("float64")
        threshold = centre + k * spread
        flagged = centre.notna() & (counts >= threshold) & (counts > centre) & (counts >= min_count)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(spread > 0, (counts - centre) / spread, np.inf)
        frame = pd.DataFrame(
            {
                "period": series["period"],
                "count": series["count"],
                "baseline_centre": centre,
                "baseline_spread": spread,
                "threshold": threshold,
                "score": score,
                "baseline_periods": size.astype("int64"),
            }
        )[flagged.to_numpy()]
        frame["rule"] = rule
        periods = [p.date() for p in frame["period"]]
        stories = (
            stories_in_periods(db, flt, interval, periods, top_stories) if with_stories else None
        )
    by_period = {}
    if stories is not None:
        records = stories.drop(columns=["story_articles", "outlets", "rank"]).copy()
        by_period = {
            period: part.drop(columns="period").to_dict("records")
            for period, part in records.groupby("period", sort=False)
        }
    frame["stories"] = [by_period.get(p, []) for p in frame["period"]]
    frame["top_title"] = [s[0]["title"] if s else None for s in frame["stories"]]
    # Documented columns first, in their documented order; added columns after them.
    frame = frame[
        ["period", "count", "baseline_centre", "baseline_spread", "threshold", "score",
         "rule", "stories", "top_title", "baseline_periods"]
    ]  # fmt: skip
    attrs = {
        **_core.describe(flt),
        "interval": interval,
        "method": method,
        "k": k,
        "baseline": baseline,
        "min_baseline": min_baseline,
        "min_count": min_count,
        "rule": rule,
        "judged": int((size >= min_baseline).sum()),
        "note": _spike_note(series, size, min_baseline, interval, len(frame)),
    }
    return (
        _core.finish(frame, backend, attrs),
        None if stories is None else _core.finish(stories, backend, attrs),
    )
