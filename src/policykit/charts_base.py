"""Helpers shared by the chart modules: the palette, the source note, frame checks and
the geometry of bars in time (:mod:`policykit.charts` is the public module)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .charts_time import infer_interval, period_ends
from .errors import ConfigError

#: The Okabe–Ito palette in the house order (also set in the style file).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
#: Grey for "other" and context series.
GREY = "#9A9A9A"
# Rows that stand for "everything else" are drawn in grey.
_OTHER_NAMES = ("Other", "other", "(other)")
# Series this short get markers: a line needs two points, a reader needs to see each.
_MARKER_POINTS = 40


class TickPercent(PercentFormatter):
    """Percent tick labels with the fewest decimals that show every tick exactly ("20%",
    "2.5%"): matplotlib's automatic choice writes "20.0%" on an axis under 50%."""

    def __init__(self, xmax: float = 1.0):
        super().__init__(xmax, decimals=None)

    def format_ticks(self, values):
        percents = [v * 100 / self.xmax for v in values]
        for decimals in range(4):
            if all(abs(round(p, decimals) - p) < 1e-9 for p in percents):
                break
        self.decimals = decimals
        try:
            return super().format_ticks(values)
        finally:
            self.decimals = None


def _version() -> str:
    from . import __version__

    return __version__


def _fmt_date(value) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%-d %b %Y")


def _period_name(stamp: pd.Timestamp, interval: str) -> str:
    if interval == "month":
        return f"{stamp:%b %Y}"
    if interval == "quarter":
        return f"Q{stamp.quarter} {stamp.year}"
    if interval == "year":
        return f"{stamp.year}"
    return _fmt_date(stamp)


def _span(frame: pd.DataFrame):
    """The dates a note covers: the frame's ``start``–``end``, or else its periods, named
    as periods ("May 2024", "weeks of 6 May – 27 May 2024") so a note never claims days
    the data do not reach."""
    attrs = frame.attrs or {}
    start, end = attrs.get("start"), attrs.get("end")
    if start is not None and end is not None and not pd.isna(start) and not pd.isna(end):
        return f"{_fmt_date(start)} – {_fmt_date(end)}"
    if "period" not in frame.columns or not len(frame):
        return None
    periods = _periods(frame["period"]).dropna()
    if not len(periods):
        return None
    interval = infer_interval(periods, attrs)
    first = _period_name(periods.min(), interval)
    last = _period_name(periods.max(), interval)
    span = first if first == last else f"{first} – {last}"
    if interval == "week":
        return f"{'week' if first == last else 'weeks'} of {span}"
    return span


def source_note(frame: pd.DataFrame | None = None, note: str | None = None) -> str:
    """The one-line source note printed under every chart.

    Parameters
    ----------
    frame
        A trend frame. Its ``attrs`` may carry ``n_articles``, ``n_outlets``, ``start`` and
        ``end`` (set by :mod:`policykit.trends`); missing values are derived from the
        columns where that is unambiguous (``count`` summed over a frame without groups,
        distinct ``outlet`` values, the range of ``period``).
    note
        Text to use instead; the policykit version is appended.

    Returns
    -------
    str
        e.g. ``"1,204 articles from 37 outlets, 1 Jan 2024 – 30 Jun 2024; policykit v0.1.0"``.
    """
    suffix = f"policykit v{_version()}"
    if note is not None:
        return f"{note}; {suffix}"
    if frame is None:
        return f"Source: {suffix}"
    attrs = frame.attrs or {}
    n_articles = attrs.get("n_articles")
    n_outlets = attrs.get("n_outlets")
    columns = set(frame.columns)
    if n_articles is None and "count" in columns and not (columns & {"item", "group", "topic"}):
        # Coverage without groups and outlet mixes count each article once (topics overlap).
        n_articles = int(frame["count"].sum())
    if n_outlets is None and "outlet" in columns and not frame["outlet"].isin(_OTHER_NAMES).any():
        # Outlets that carry something: a zero-filled frame lists every outlet.
        carrying = frame.groupby("outlet")["count"].sum() if "count" in columns else None
        n_outlets = int((carrying > 0).sum()) if carrying is not None else frame.outlet.nunique()
    parts = []
    if n_articles is not None:
        parts.append(f"{int(n_articles):,} articles")
    if n_outlets is not None:
        outlets = "outlet" if int(n_outlets) == 1 else "outlets"
        parts.append(f"{'from ' if parts else ''}{int(n_outlets):,} {outlets}")
    text = " ".join(parts)
    span = _span(frame)
    if span:
        text = f"{text}, {span}" if text else span
    return f"{text}; {suffix}" if text else f"Source: {suffix}"


def _require(frame: pd.DataFrame, columns: list[str], func: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"{func} needs a pandas DataFrame, not {type(frame).__name__}; "
            "pass the frame a policykit.trends function returned (polars: .to_pandas())"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{func}: frame has no column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, frame.columns)) or 'no columns'}"
        )


def _periods(values) -> pd.Series:
    """Periods as naive UTC timestamps (matplotlib's date axis wants one zone)."""
    periods = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    if getattr(periods.dt, "tz", None) is not None:
        periods = periods.dt.tz_convert("UTC").dt.tz_localize(None)
    return periods


def _time_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    data = frame.copy()
    data["_period"] = _periods(data["period"]).to_numpy()
    if data["_period"].isna().any():
        raise ConfigError(
            f"{int(data['_period'].isna().sum())} row(s) have no period; drop them or give "
            "each row the first day of its period"
        )
    return data, infer_interval(data["_period"], frame.attrs)


def _geometry(starts, interval: str):
    """Left edge, width (days) and centre of a bar filling 80 % of each period."""
    starts = pd.Series(pd.to_datetime(starts)).reset_index(drop=True)
    length = period_ends(starts, interval) - starts
    return (
        (starts + length * 0.1).to_numpy(),
        (length * 0.8).dt.total_seconds() / 86400,
        (starts + length / 2).to_numpy(),
    )


def _marker(n: int) -> dict:
    return {"marker": "o", "markersize": 3.5} if n <= _MARKER_POINTS else {}


def _shorten(text, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _join(*parts) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if text else None


def _bars(ax, labels, values, colours, annotations, percent: bool = False) -> None:
    """Horizontal bars, largest first from the top, each labelled at its end."""
    y = np.arange(len(labels))
    ax.barh(y, values, color=colours)
    ax.set_yticks(y, labels)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    for yi, (value, text) in enumerate(zip(values, annotations, strict=True)):
        ax.annotate(f" {text}", xy=(value, yi), va="center", fontsize=8, color="#333333")
    top = float(np.nanmax(values)) if len(values) else 0.0
    ax.set_xlim(0, (top or 1.0) * 1.2)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ticks = MaxNLocator(nbins=6).tick_values(0, min(1.0, (top or 1.0) * 1.2))
        ax.set_xticks([t for t in ticks if 0 <= t <= min(1.0, (top or 1.0) * 1.2)])


def _top_items(frame: pd.DataFrame, column: str, top: int, value: str = "count") -> list:
    """The ``top`` items by total ``value``, leaving out items whose total is 0."""
    totals = frame.groupby(column)[value].sum().sort_values(ascending=False, kind="stable")
    return list(totals[totals > 0].index[:top])
