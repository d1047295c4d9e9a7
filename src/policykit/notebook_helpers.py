"""The small helpers report notebooks call, so that notebooks stay thin.

Display: :class:`HTMLBlock` (HTML that Jupyter shows as HTML), :func:`show_table`
(every value HTML-escaped, links http(s) only), :func:`show_title`, :func:`show_note`.
Numbers: :func:`list_topics`, :func:`resolve_topic`, :func:`topic_label`,
:func:`report_period`, :func:`headline_numbers` and :func:`show_headline`,
:func:`data_quality`. Their SQL lives in ``sql/reports/*.sql``.

Everything that comes from data (titles, outlet names, entities) is escaped before it
reaches the HTML. Notebooks call these as ``pk.show_table`` and so on; they are also
importable from :mod:`policykit.reports`. This module imports neither
:mod:`policykit.reports` nor :mod:`policykit.provenance`.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from importlib import resources

import pandas as pd

from .errors import ConfigError, QueryError

_URL_SCHEMES = ("http://", "https://")


# --- display ---------------------------------------------------------------------------


class HTMLBlock:
    """A block of (already escaped) HTML that Jupyter displays as HTML.

    ``text`` is the plain-text fallback shown where HTML is not rendered.
    """

    def __init__(self, markup: str, text: str = ""):
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text or self.markup

    def __str__(self) -> str:
        return self.markup


def _sql(name: str) -> str:
    return (resources.files("policykit") / "sql" / "reports" / f"{name}.sql").read_text("utf-8")


def _cell_text(value, percent: bool = False) -> str:
    """One table cell as plain text (escaped later)."""
    if isinstance(value, list | tuple):
        return ", ".join(_cell_text(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        listed = value.tolist()
        if isinstance(listed, list):
            return ", ".join(_cell_text(v) for v in listed)
        value = listed
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tz is not None:
            stamp = stamp.tz_convert("UTC")
        if stamp.hour == stamp.minute == stamp.second == 0:
            return stamp.strftime("%Y-%m-%d")
        return stamp.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if percent:
            return f"{value:.1%}"
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int) and not percent:
        return f"{value:,}"
    return str(value)


def _safe_href(url) -> str | None:
    """An http(s) URL, escaped for an attribute; anything else (javascript:, data:) is refused."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(_URL_SCHEMES) or any(ch in url for ch in "\r\n\t"):
        return None
    return html.escape(url, quote=True)


def _column_widths(
    frame: pd.DataFrame, shown: list, links: dict, columns: dict | None = None
) -> list[float]:
    """Percent widths for a fixed-layout table: text and links get room, numbers little."""
    weights = []
    for c in shown:
        kind = frame[c].dtype.kind
        if c in links:
            weights.append(5.0)
        elif kind in "iufb":
            # Wide enough for the header on one or two lines, not more.
            label = str((columns or {}).get(c, c))
            weights.append(min(2.2, max(1.0, 0.16 * len(label))))
        elif kind == "M":
            weights.append(1.8)
        else:
            longest = frame[c].head(50).astype(str).str.len().max() if len(frame) else 0
            weights.append(1.5 if longest <= 12 else 3.0)
    total = sum(weights) or 1.0
    return [100 * w / total for w in weights]


def show_table(
    frame: pd.DataFrame,
    *,
    links: dict[str, str] | None = None,
    percent: tuple[str, ...] | list[str] = (),
    max_rows: int = 30,
    caption: str | None = None,
    columns: dict[str, str] | None = None,
) -> HTMLBlock:
    """Display a frame as an HTML table in which every value is escaped.

    Parameters
    ----------
    frame
        Any pandas frame (a polars frame is converted).
    links
        ``{text_column: url_column}``: the text becomes a link to the URL (http and
        https only; other schemes show as plain text) and the URL column is hidden.
    percent
        Columns of fractions to show as percentages.
    max_rows
        Rows shown; a note says how many were left out.
    caption
        A caption above the table.
    columns
        Display names, ``{column: label}``.

    Returns
    -------
    HTMLBlock
        Jupyter displays it as a table; ``str()`` gives the HTML.

    Examples
    --------
    >>> str(show_table(pd.DataFrame({"title": ["<b>x</b>"]})))  # doctest: +ELLIPSIS
    '<table ...&lt;b&gt;x&lt;/b&gt;...'
    """
    if hasattr(frame, "to_pandas") and not isinstance(frame, pd.DataFrame):
        frame = frame.to_pandas()
    links = links or {}
    columns = columns or {}
    for text_col, url_col in links.items():
        if text_col not in frame.columns or url_col not in frame.columns:
            raise ConfigError(
                f"show_table links {text_col!r} -> {url_col!r}: frame has columns "
                f"{', '.join(map(str, frame.columns))}"
            )
    hidden = set(links.values()) - set(links)
    shown = [c for c in frame.columns if c not in hidden]
    numeric = {c for c in shown if frame[c].dtype.kind in "iuf"}
    head = "".join(
        f"<th{' class=pk-num' if c in numeric else ''}>{html.escape(str(columns.get(c, c)))}</th>"
        for c in shown
    )
    rows = []
    # Per-row Python is fine here: displayed tables are capped at max_rows.
    for record in frame.head(max_rows).to_dict("records"):
        cells = []
        for c in shown:
            text = html.escape(_cell_text(record[c], percent=c in percent), quote=True)
            if c in links:
                href = _safe_href(record[links[c]])
                if href:
                    text = f'<a href="{href}" rel="noopener noreferrer">{text}</a>'
            cells.append(f"<td{' class=pk-num' if c in numeric else ''}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f'<p class="pk-caption">{html.escape(caption)}</p>' if caption else ""
    # A short table moves to the next page whole, with its caption, rather than split.
    # Up to 6 rows: a longer table kept whole left the page before it half empty, and
    # its header row repeats on the next page anyway.
    klass = "pk-tablewrap pk-short" if min(len(frame), max_rows) <= 6 else "pk-tablewrap"
    cols = "".join(
        f'<col style="width:{w:.1f}%">' for w in _column_widths(frame, shown, links, columns)
    )
    markup = (
        f"<div class='{klass}'>{cap}<table class=pk-table><colgroup>{cols}</colgroup>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    if not len(frame):
        markup = f'<p class="pk-note">{html.escape(caption or "Table")}: no rows.</p>'
    elif len(frame) > max_rows:
        markup += f'<p class="pk-note">Showing {max_rows} of {len(frame):,} rows.</p>'
    text = frame.head(max_rows).to_string(index=False) if len(frame) else "(no rows)"
    return HTMLBlock(markup, text)


def show_title(title: str, subtitle: str | None = None) -> HTMLBlock:
    """A report title (``<h1>``) and optional subtitle, both escaped."""
    markup = f"<h1>{html.escape(title)}</h1>"
    if subtitle:
        markup += f'<p class="pk-note">{html.escape(subtitle)}</p>'
    return HTMLBlock(markup, title + (f"\n{subtitle}" if subtitle else ""))


def show_note(text: str) -> HTMLBlock:
    """A short escaped note in muted type (e.g. a caveat computed from data)."""
    return HTMLBlock(f'<p class="pk-note">{html.escape(text)}</p>', text)


# --- numbers for the notebooks ---------------------------------------------------------


def list_topics(con) -> pd.DataFrame:
    """Topics in the database with their article counts (``topic``, ``articles``)."""
    return con.execute(_sql("topics")).df()


def resolve_topic(con, topic: str | None) -> str:
    """Check ``topic`` exists; ``None`` picks the topic with the most articles."""
    topics = list_topics(con)["topic"].tolist()
    if not topics:
        raise QueryError(
            "the database has no topic assignments; run enrichment (`policykit enrich`) first"
        )
    if topic is None:
        return topics[0]
    if topic not in topics:
        from .trends._core import check_topic

        try:  # the message of every other door, with its suggestion
            check_topic(con, topic)
        except ConfigError as exc:
            raise QueryError(str(exc)) from None
    return topic


def topic_label(con, topic: str) -> str:
    """The topic's display label from ``topics.yml`` (stored in the ``topics`` table), or
    its name with underscores as spaces."""
    rows = con.execute("SELECT label FROM topics WHERE topic = ?", [topic]).fetchall()
    if rows and rows[0][0]:
        return rows[0][0]
    return topic.replace("_", " ")


def _day(value, name: str) -> dt.date:
    """A report day. Text and dates go through the trend functions' parser (ISO only:
    ``01/02/2024`` is refused, not read as 2 January); instants from the database are
    taken in the configured time zone."""
    from .trends._core import parse_date

    if isinstance(value, dt.datetime | pd.Timestamp) and not pd.isna(value):
        stamp = pd.Timestamp(value)
        if stamp.tz is not None:
            stamp = stamp.tz_convert(_timezone())
        return stamp.date()
    return parse_date(name, value)


def _timezone() -> str:
    """The calendar the report counts days in (the ``timezone`` setting, as trends do).

    ``"page"`` (each article's own day) is a trend option the brief's period and headline
    SQL cannot follow yet (they bound instants): refused in one line, not a traceback."""
    from . import settings as _settings
    from .trends._core import PAGE_DAY, check_tz

    tz = check_tz(_settings.load().timezone)
    if tz == PAGE_DAY:
        raise ConfigError(
            f"timezone {PAGE_DAY!r}: reports count calendar days in a time zone (UTC or an "
            f"IANA name); '{PAGE_DAY}' days work in `policykit trends --tz {PAGE_DAY}`"
        )
    return tz


def report_period(con, topic: str | None, start=None, end=None) -> tuple[dt.date, dt.date]:
    """The report period as calendar days ``(start, end)``, both inclusive.

    Missing bounds default to the days of the first and last dated article in the whole
    database (in the configured ``timezone``, like :mod:`policykit.trends`), not of the
    topic: the quiet days before a topic's first article are part of its story, and a
    chart that starts at the first article hides them. A topic with no dated article at
    all is an error (there is nothing to place in time). ``topic=None``: the period of
    the whole database (the landscape's).
    """
    corpus_first, corpus_last = con.execute(_sql("corpus_range")).fetchone()
    if topic is not None:
        first = con.execute(_sql("topic_range"), {"topic": topic}).fetchone()[0]
        if first is None and (start is None or end is None):
            raise QueryError(f"topic {topic!r} has no dated articles; pass start and end")
    elif corpus_first is None and (start is None or end is None):
        raise QueryError("the database has no dated articles; pass start and end")
    lo = _day(start if start is not None else corpus_first, "start")
    hi = _day(end if end is not None else corpus_last, "end")
    if hi < lo:
        raise ConfigError(f"end {hi} is before start {lo}")
    return lo, hi


def data_start(con) -> dt.date | None:
    """The day of the first dated article in the database (``timezone`` calendar)."""
    first, _last = con.execute(_sql("corpus_range")).fetchone()
    return None if first is None else _day(first, "start")


def undated_articles(con, topic: str) -> int:
    """How many of the topic's articles have no publication date (they fall in no
    period, so period counts and charts leave them out)."""
    return int(con.execute(_sql("topic_range"), {"topic": topic}).fetchone()[3])


def _bounds(lo: dt.date, hi: dt.date) -> dict:
    """Half-open instants [start, end) of the days lo..hi, and of the period before."""
    tz = _timezone()
    start = pd.Timestamp(lo).tz_localize(tz)
    end = pd.Timestamp(hi + dt.timedelta(days=1)).tz_localize(tz)
    prev_start = pd.Timestamp(lo - (hi - lo) - dt.timedelta(days=1)).tz_localize(tz)
    return {
        "start": start.to_pydatetime(),
        "end": end.to_pydatetime(),
        "prev_start": prev_start.to_pydatetime(),
    }


def headline_numbers(con, topic: str, start=None, end=None) -> pd.DataFrame:
    """The brief's headline numbers against the previous period of equal length.

    Parameters
    ----------
    con
        An open connection (read-only is fine).
    topic
        The topic (``article_topics.topic``).
    start, end
        Report days, inclusive (default: the topic's dated range).

    Returns
    -------
    pandas.DataFrame
        Columns ``metric`` (articles, unique stories, outlets, share of all coverage),
        ``value``, ``previous`` (the same measure over the equal-length period just
        before ``start``) and ``change`` (relative change; NaN when ``previous`` is 0).
        ``attrs`` holds ``topic``, ``start``, ``end``, ``previous_start``,
        ``previous_end`` (dates, inclusive).
    """
    lo, hi = report_period(con, topic, start, end)
    bounds = _bounds(lo, hi)
    rows = con.execute(_sql("headline"), {"topic": topic, **bounds}).df().set_index("period")
    metrics = []
    for metric, column in [
        ("articles", "articles"),
        ("unique stories", "stories"),
        ("outlets", "outlets"),
    ]:
        metrics.append((metric, rows.at["current", column], rows.at["previous", column]))
    share = [
        rows.at[p, "articles"] / rows.at[p, "all_articles"] if rows.at[p, "all_articles"] else 0.0
        for p in ("current", "previous")
    ]
    metrics.append(("share of all coverage", share[0], share[1]))
    frame = pd.DataFrame(metrics, columns=["metric", "value", "previous"])
    previous = frame["previous"].astype(float)
    frame["change"] = (frame["value"].astype(float) - previous) / previous.where(previous != 0)
    frame.attrs.update(
        topic=topic,
        start=lo,
        end=hi,
        previous_start=bounds["prev_start"].date(),
        previous_end=lo - dt.timedelta(days=1),
        # The database holds nothing at all in the previous period (not even other topics).
        previous_empty=bool(rows.at["previous", "all_articles"] == 0),
        # The first dated day of the database: a previous period before it has no data,
        # and one that starts before it is only partly covered.
        data_start=data_start(con),
        undated=undated_articles(con, topic),
    )
    return frame


def _comparison(row, attrs: dict, previous: str) -> str:
    """What a headline card says about the previous period. A period the data does not
    cover is named as such, never shown as a count of 0 (or a change from 0)."""
    first = attrs.get("data_start")
    prev_start, prev_end = attrs.get("previous_start"), attrs.get("previous_end")
    if first is not None and prev_end is not None and prev_end < first:
        return f"no data before {first:%-d %b %Y}"
    if attrs.get("previous_empty"):
        return "no articles at all in the previous period"
    if first is not None and prev_start is not None and prev_start < first:
        # Part of the previous period lies before the data: a change would compare a
        # full period with a partial one.
        return f"previous period {previous}, but no data before {first:%-d %b %Y}"
    if pd.isna(row.change):
        return f"previous period: {previous}"
    return f"{row.change:+.0%} vs previous period ({previous})"


def show_headline(numbers: pd.DataFrame) -> HTMLBlock:
    """Headline numbers (from :func:`headline_numbers`) as a row of cards."""
    attrs = numbers.attrs
    cards = []
    for row in numbers.itertuples(index=False):
        is_share = row.metric.startswith("share")
        value = f"{row.value:.1%}" if is_share else f"{int(row.value):,}"
        previous = f"{row.previous:.1%}" if is_share else f"{int(row.previous):,}"
        change = _comparison(row, attrs, previous)
        cards.append(
            '<div class="pk-card">'
            f'<div class="pk-value">{html.escape(value)}</div>'
            f'<div class="pk-label">{html.escape(row.metric)}</div>'
            f'<div class="pk-change">{html.escape(change)}</div></div>'
        )
    note = ""
    if "previous_start" in attrs:
        first = attrs.get("data_start")
        span = f"{attrs['previous_start']:%-d %b %Y} – {attrs['previous_end']:%-d %b %Y}"
        if first is not None and attrs["previous_end"] < first:
            compared = f"nothing to compare with: no article is dated before {first:%-d %b %Y}"
        else:
            compared = f"compared with {span}"
        note = (
            f'<p class="pk-note">Period {attrs["start"]:%-d %b %Y} – {attrs["end"]:%-d %b %Y}; '
            f"{html.escape(compared)}.</p>"
        )
    undated = attrs.get("undated")
    if undated:
        one = undated == 1
        note += (
            f'<p class="pk-note">The topic also has {undated:,} undated '
            f"article{'' if one else 's'} (no publication date found): in no period, "
            f"{'it is' if one else 'they are'} left out of this brief's counts and charts "
            "and included in whole-database topic counts.</p>"
        )
    return HTMLBlock(
        f'<div class="pk-headline">{"".join(cards)}</div>{note}',
        numbers.to_string(index=False),
    )


def data_quality(con, topic: str, start=None, end=None) -> dict[str, pd.DataFrame]:
    """The data-quality appendix: what was set aside, merged, and where dates came from.

    Returns
    -------
    dict of pandas.DataFrame
        ``rejects`` (reason, records, files; whole database), ``duplicates`` (reason,
        records, articles; whole database), ``syndication`` (cluster_id, title, articles,
        outlets, first_published: stories carried more than once in the topic and
        period) and ``date_sources`` (date_source, articles_in_period, undated_articles).
    """
    lo, hi = report_period(con, topic, start, end)
    bounds = _bounds(lo, hi)
    params = {"topic": topic, "start": bounds["start"], "end": bounds["end"]}
    return {
        "rejects": con.execute(_sql("rejects_by_reason")).df(),
        "duplicates": con.execute(_sql("duplicates_by_reason")).df(),
        "syndication": con.execute(_sql("syndication"), params).df(),
        "date_sources": con.execute(_sql("date_sources"), params).df(),
    }


# --- what a chart or table of the brief shows ------------------------------------------


def _span(attrs: dict) -> str:
    start, end = attrs.get("start"), attrs.get("end")
    if not start or not end:
        return ""
    return f", {pd.Timestamp(start):%-d %b %Y} – {pd.Timestamp(end):%-d %b %Y}"


def outlets_with_coverage(frame: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Keep only the outlets of a ``coverage_over_time(..., by="outlet")`` frame that
    carried the topic (``count`` > 0 in some period), optionally the ``top`` most active.

    The trend frame has a zero-filled row for every outlet of the database; a heatmap
    of it fills its rows with outlets that never ran the topic, and a note counting its
    outlets counts all of them. The result's ``attrs`` say what is left: ``n_articles``
    and ``n_outlets`` (what a chart of it shows), ``n_outlets_carrying`` (all outlets
    with an article) and ``note``, a source note in words for ``note=`` of a chart.
    """
    if "outlet" not in frame.columns or "count" not in frame.columns:
        raise ConfigError("outlets_with_coverage needs a frame with outlet and count columns")
    totals = frame.groupby("outlet")["count"].sum()
    totals = totals[totals > 0].sort_values(ascending=False, kind="stable")
    carrying = len(totals)
    keep = list(totals.index if top is None else totals.index[:top])
    shown = frame[frame["outlet"].isin(keep)].reset_index(drop=True)
    shown.attrs = dict(frame.attrs)
    n_articles = int(shown["count"].sum())
    plural = "s" if n_articles != 1 else ""
    if len(keep) < carrying:
        who = f"the {len(keep)} most active of {carrying} outlets carrying the topic"
    else:
        who = f"{carrying} outlet{'s' if carrying != 1 else ''}"
    shown.attrs.update(
        n_articles=n_articles,
        n_outlets=len(keep),
        n_outlets_carrying=carrying,
        note=f"{n_articles:,} article{plural} from {who}{_span(frame.attrs)}",
    )
    return shown


def _no_spike(what: str, attrs: dict, interval: str) -> str:
    """The caption of an empty spike table: no spike among the periods judged, or none
    could be judged at all (too few periods for the baseline), which is not the same."""
    if attrs.get("judged") == 0:
        return f"{what}: none, as no {interval} could be judged (the spike rule below says why)"
    judged = attrs.get("judged")
    among = f" among the {judged:,} {interval}s judged" if judged else ""
    return f"{what}: no spike was found{among}"


def spike_table(con, topic: str, stories: pd.DataFrame, *, interval: str, start=None,
                end=None) -> pd.DataFrame:  # fmt: skip
    """The stories behind the spikes (from ``spike_stories``) on one base: ``articles``
    and ``outlets`` both count the topic's articles of the story inside the spike period
    (``spike_stories`` gives the story's outlets over all dates). ``attrs["base"]`` says
    so in words and ``attrs["caption"]`` is the table's caption (it says when there is no
    spike)."""
    from .trends import _core

    base = (
        f"articles and outlets count the topic's articles of each story within its spike "
        f"{interval}, and the outlets that ran them"
    )
    frame = stories.copy()
    if not len(frame):
        caption = _no_spike("Stories behind the spikes", stories.attrs, interval)
        frame.attrs.update(base=base, caption=caption)
        return frame
    periods = sorted({pd.Timestamp(p).date() for p in frame["period"]})
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, None, start, end, None, None)
        sql, params = _core.build(
            "stories",
            flt,
            {"interval": interval, "periods": periods},
            stories_tail=_sql("spike_story_outlets"),
        )
        counts = _core.run(db, sql, params)
    counts["period"] = pd.to_datetime(counts["period"])
    frame["period"] = pd.to_datetime(frame["period"])
    frame = frame.drop(columns=[c for c in ("outlets",) if c in frame.columns]).merge(
        counts, on=["period", "cluster_id"], how="left"
    )
    frame["articles"] = frame["period_articles"].fillna(0).astype("int64")
    frame["outlets"] = frame["period_outlets"].fillna(0).astype("int64")
    frame = frame.drop(columns=["period_articles", "period_outlets"])
    frame.attrs = dict(stories.attrs, base=base, caption=f"Stories behind each spike: {base}")
    return frame


_INTERVALS = ("day", "week", "month", "quarter", "year")
_DAYS = {"day": 1, "week": 7, "month": 30.44, "quarter": 91.31, "year": 365.25}


def coarser_interval(start, end, interval: str, *, most: int = 40, fewest: int = 4) -> str:
    """An interval for a share chart over the days ``start``..``end``: the next one
    coarser than ``interval`` (stacked shares of single days or weeks are noise) as long
    as it still gives at least ``fewest`` periods, and coarser still while there would
    be more than ``most``. A 34-day brief by day gets weeks, not two monthly bars; a
    three-year brief by week gets months."""
    from .trends._core import check_interval

    check_interval(interval)
    days = (_day(end, "end") - _day(start, "start")).days + 1
    i = _INTERVALS.index(interval)
    choice = interval
    if i + 1 < len(_INTERVALS) and days / _DAYS[_INTERVALS[i + 1]] >= fewest:
        choice = _INTERVALS[i + 1]
    while choice != "year" and days / _DAYS[choice] > most:
        choice = _INTERVALS[_INTERVALS.index(choice) + 1]
    return choice


#: The shortest period (in weeks) a brief counts by week when no interval is given.
WEEKS_FOR_WEEKLY = 20


def brief_interval(start, end) -> str:
    """The brief's interval when none is given: ``"week"``, or ``"day"`` for a period
    shorter than :data:`WEEKS_FOR_WEEKLY` weeks. A week is judged for spikes only with at
    least 7 weeks before it (13 when the data allow), so a weekly series of a month's
    scrape has nothing to judge and six bars, while its days show the outbreak."""
    days = (_day(end, "end") - _day(start, "start")).days + 1
    return "week" if days >= 7 * WEEKS_FOR_WEEKLY else "day"


def with_labels(con, frame: pd.DataFrame, column: str = "topic") -> pd.DataFrame:
    """``frame`` with topic names in ``column`` replaced by their display labels (the
    stored ``topics.yml`` label, case kept; a topic without one keeps its name with
    underscores as spaces), so that charts drawn from it name topics as people do.
    ``attrs`` are kept."""
    if column not in frame.columns:
        raise ConfigError(f"with_labels: frame has no column {column!r}")
    names = frame[column].dropna().unique().tolist()
    labels = {name: topic_label(con, name) for name in names}
    out = frame.assign(**{column: frame[column].map(lambda v: labels.get(v, v))})
    out.attrs = dict(frame.attrs)
    return out


def period_label(start, end) -> str:
    """``"3 April 2026 – 6 May 2026"``, or one day as ``"7 September 2025"``."""
    lo, hi = _day(start, "start"), _day(end, "end")
    if lo == hi:
        return f"{lo:%-d %B %Y}"
    return f"{lo:%-d %B %Y} – {hi:%-d %B %Y}"


def spike_events_table(con, topic: str, spikes: pd.DataFrame, *, interval: str, start=None,
                       end=None, top_events: int = 3) -> pd.DataFrame:  # fmt: skip
    """The news events behind the spikes (:func:`policykit.trends.spike_events`, whose
    ``articles`` and ``outlets`` already share one base: the event's topic articles in
    the spike period), with ``attrs["caption"]`` saying that base, or why the table is
    empty: no spike, or no events grouped yet (the events stage has not run)."""
    from .trends import spike_events

    events = spike_events(
        con, topic, interval=interval, start=start, end=end, top_events=top_events
    )
    if len(events):
        caption = (
            f"News events behind each spike: articles and outlets count the topic's "
            f"articles of each event within its spike {interval}, and the outlets that ran them"
        )
    elif not len(spikes):
        caption = _no_spike("News events behind the spikes", spikes.attrs, interval)
    else:
        caption = (
            "News events behind the spikes: no events are grouped in this database "
            "(run `policykit enrich` to group them)"
        )
    events.attrs["caption"] = caption
    return events
