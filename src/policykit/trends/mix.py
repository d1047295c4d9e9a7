"""Who covers a topic, whom it mentions and whom it cites."""

from __future__ import annotations

import pandas as pd

from ..enrich.entities_gazetteer import ENTITY_TYPES
from ..errors import ConfigError
from . import _core

MIX_BY: tuple[str, ...] = ("outlet", "outlet_type", "country")
OTHER = "Other"


def _mix(db, flt: _core.Filter, by: str) -> tuple[pd.DataFrame, float | None]:
    """Every group's count and share, and the HHI over all of them."""
    sql, params = _core.build("outlet_mix", flt, {"by": by})
    frame = _core.run(db, sql, params)
    hhi = float(frame["hhi"].iloc[0]) if len(frame) else None
    return frame.drop(columns="hhi").rename(columns={"grp": by}), hhi


def _top(frame: pd.DataFrame, by: str, top: int | None, other: bool) -> pd.DataFrame:
    """The ``top`` groups by count (ties by name), plus one ``Other`` row for the rest."""
    frame = frame.sort_values(["count", by], ascending=[False, True], kind="stable")
    if top is None or len(frame) <= top:
        return frame
    head, rest = frame.iloc[:top], frame.iloc[top:]
    if not other:
        return head
    row = {by: OTHER, "count": int(rest["count"].sum()), "ratio": float(rest["ratio"].sum())}
    for column in ("ratio_compare", "ratio_change_pp"):
        if column in frame:
            row[column] = float(rest[column].sum())
    return pd.concat([head, pd.DataFrame([row])], ignore_index=True)


def outlet_mix(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    start=None,
    end=None,
    outlets=None,
    top: int | None = 10,
    other: bool = True,
    by: str = "outlet",
    compare_to: tuple | None = None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """Which outlets (or outlet types, or countries) carry a topic, and how concentrated
    its coverage is.

    Parameters
    ----------
    topic, query, start, end, outlets, tz
        The shared filter (see :func:`policykit.trends.coverage_over_time`).
    top
        Groups listed by name (``None``: all); with ``other`` the rest are summed into
        one ``Other`` row, so the ratios still sum to 1.
    by
        ``outlet``, ``outlet_type`` or ``country`` (unknown attributes: ``unknown``).
    compare_to
        ``(start, end)`` of a second period: adds ``ratio_compare`` (the group's share
        then) and ``ratio_change_pp`` (the change in share, in percentage points).

    Returns
    -------
    DataFrame
        ``<by>``, ``count`` (matching articles), ``ratio`` (share of them), then
        ``hhi`` (the Herfindahl-Hirschman index, the sum of squared shares over ALL
        groups, not only the top ones: 1/N for N equal groups, 1 for a monopoly) and
        ``effective_outlets`` (1/hhi, the number of equal groups that would give the
        same concentration), repeated on every row and also in ``attrs``. With
        ``compare_to``: ``ratio_compare``, ``ratio_change_pp``, and ``attrs``
        ``hhi_compare`` and ``effective_outlets_compare``.
    """
    _core.check_backend(backend)
    _core.check_choice("by", by, MIX_BY)
    _core.check_positive("top", top, allow_none=True)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        frame, hhi = _mix(db, flt, by)
        attrs = {
            **_core.describe(flt),
            "by": by,
            "hhi": hhi,
            "effective_outlets": 1 / hhi if hhi else None,
            "n_articles": int(frame["count"].sum()),
        }
        if compare_to is not None:
            if not isinstance(compare_to, list | tuple) or len(compare_to) != 2:
                raise ConfigError(f"compare_to {compare_to!r} is not a (start, end) pair")
            before = _core.make_filter(
                db, topic, query, compare_to[0], compare_to[1], outlets, flt.tz
            )
            then, hhi_then = _mix(db, before, by)
            frame = frame.merge(
                then[[by, "ratio"]].rename(columns={"ratio": "ratio_compare"}), on=by, how="outer"
            )
            frame["count"] = frame["count"].fillna(0).astype("int64")
            frame["ratio"] = frame["ratio"].fillna(0.0)
            frame["ratio_compare"] = frame["ratio_compare"].fillna(0.0)
            frame["ratio_change_pp"] = (frame["ratio"] - frame["ratio_compare"]) * 100
            attrs["compare_to"] = [str(before.start), str(before.end)]
            attrs["hhi_compare"] = hhi_then
            attrs["effective_outlets_compare"] = 1 / hhi_then if hhi_then else None
    frame = _top(frame, by, top, other)
    frame["hhi"] = hhi
    frame["effective_outlets"] = attrs["effective_outlets"]
    return _core.finish(frame, backend, attrs)


def top_entities(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    n: int = 20,
    type: str | None = None,  # noqa: A002 - the entity attribute's own name
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """The people, organisations and places mentioned in the most matching articles.

    Returns
    -------
    DataFrame
        ``entity_id``, ``name``, ``type``, ``articles`` (matching articles mentioning
        it), ``mentions`` (total mentions in them) and ``ratio`` (articles / all
        matching articles), most articles first.
    """
    _core.check_backend(backend)
    _core.check_positive("n", n)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        if type is not None:  # the recogniser's types (event too), and any stored one
            stored = [r[0] for r in db.execute("SELECT DISTINCT type FROM entities").fetchall()]
            _core.check_choice("type", type, sorted({*ENTITY_TYPES, *stored}))
        sql, params = _core.build("top_entities", flt, {"n": n, "entity_type": type})
        frame = _core.run(db, sql, params)
    return _core.finish(frame, backend, {**_core.describe(flt), "n": n, "type": type})


def top_citations(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    n: int = 20,
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """The sources the matching articles cite ("X reported", "according to X"...).

    Returns
    -------
    DataFrame
        ``cited`` (outlet name when resolved, else as written), ``cited_domain``,
        ``articles`` (matching articles citing it), ``citations`` (all citations) and
        ``ratio`` (articles / all matching articles), most articles first.
    """
    _core.check_backend(backend)
    _core.check_positive("n", n)
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        sql, params = _core.build("top_citations", flt, {"n": n})
        frame = _core.run(db, sql, params)
    return _core.finish(frame, backend, {**_core.describe(flt), "n": n})
