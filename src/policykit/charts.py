"""Charts: a tidy frame from :mod:`policykit.trends` in, a matplotlib Figure out.

Every ``plot_*`` function takes the frame that the matching trend function returns (see
``docs/trends.md`` for the column contracts), an optional ``ax`` to draw into, and returns
the :class:`~matplotlib.figure.Figure`. Chart functions never query the database: the
source note under each chart ("N articles from M outlets, dates; policykit vX") is
computed from the frame and its ``attrs``, or passed in as ``note=``.

Every chart fits its data, from a few days to many years (:mod:`policykit.charts_time`),
and never leaves a panel empty: data too thin for the chart's form gets a form that shows
it (one period: bars of shares; a few or sparse periods: one stacked bar per period), and
no data at all gets a message in the panel. What a chart changed or left out is said in
its subtitle. Sizes, titles and notes are laid out for the A4 report
(:mod:`policykit.charts_layout`); :mod:`policykit.charts_check` finds empty panels and
overlapping texts in a rendered figure.

The house style lives in ``styles/policykit.mplstyle`` (Okabe–Ito colours, readable type)
and is applied only while a chart is drawn, never globally. Figures are built without
pyplot, so a notebook shows each one exactly once. :func:`save_figure` writes byte-stable
PNG, SVG and PDF files (no timestamps or software versions in the metadata).

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "period": pd.date_range("2024-01-01", periods=3, freq="MS"),
...     "count": [3, 9, 4], "total_count": [60, 90, 80], "ratio": [0.05, 0.1, 0.05]})
>>> fig = plot_coverage(frame)
>>> [ax.get_ylabel() for ax in fig.axes]
['Articles', 'Share of all articles']
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .charts_layout import (
    FIXED_METADATA,
    FULL_PAGE_MM,
    MM,
    STANDARD,
    TALL,
    WIDTH,
    ReportFigure,
    add_note,
    height_for_rows,
    new_figure,
    no_data,
    set_header,
    style,
    style_path,
)
from .charts_time import extent, fit_time_axis, full_grid, infer_interval, period_ends, plural
from .errors import ConfigError

__all__ = [
    "GREY",
    "PALETTE",
    "SAVE_FORMATS",
    "ReportFigure",
    "plot_coverage",
    "plot_coverage_small_multiples",
    "plot_outlet_heatmap",
    "plot_outlet_mix",
    "plot_outlet_share_over_time",
    "plot_share_of_voice",
    "plot_terms",
    "save_figure",
    "source_note",
    "style",
    "style_path",
]

#: The Okabe–Ito palette in the house order (also set in the style file).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
#: Grey for "other" and context series.
GREY = "#9A9A9A"
SAVE_FORMATS = ("png", "svg", "pdf")
_KNOWN_COVERAGE_COLUMNS = {"period", "count", "total_count", "ratio"}
# Rows that stand for "everything else" are drawn in grey.
_OTHER_NAMES = ("Other", "other", "(other)")
# Up to this many periods, a share over time is drawn as one stacked bar per period.
_MAX_BAR_PERIODS = 36
# A period with fewer articles than this has a share bar drawn lighter (a noisy share).
_FEW_ARTICLES = 5
# Series this short get markers: a line needs two points, a reader needs to see each.
_MARKER_POINTS = 40


def _version() -> str:
    from . import __version__

    return __version__


def _fmt_date(value) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%-d %b %Y")


def _span(frame: pd.DataFrame):
    attrs = frame.attrs or {}
    start, end = attrs.get("start"), attrs.get("end")
    if (start is None or end is None) and "period" in frame.columns and len(frame):
        periods = pd.to_datetime(frame["period"])
        start = periods.min() if start is None else start
        end = periods.max() if end is None else end
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    return f"{_fmt_date(start)} – {_fmt_date(end)}"


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


def _group_column(frame: pd.DataFrame, known: set[str]) -> str | None:
    extra = [c for c in frame.columns if c not in known and frame[c].dtype.kind not in "iufb"]
    extra = [c for c in extra if not c.startswith("_")]
    return extra[0] if extra else None


def _smoothing_label(frame: pd.DataFrame) -> str | None:
    smoothing = (frame.attrs or {}).get("smoothing")
    if smoothing in (None, "", 0, 1, "none"):
        return None
    if isinstance(smoothing, int | float):
        return f"{int(smoothing)}-period rolling mean"
    return str(smoothing)


def _shorten(text, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _join(*parts) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if text else None


def plot_coverage(
    frame: pd.DataFrame,
    spikes: pd.DataFrame | None = None,
    *,
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Coverage over time: article counts and their share of all coverage.

    Parameters
    ----------
    frame
        From :func:`policykit.trends.coverage_over_time`: ``period``, an optional group
        column (``topic``, ``outlet``…), ``count``, ``total_count``, ``ratio``. A
        ``smoothing`` entry in ``frame.attrs`` is named in the ratio panel's label.
    spikes
        Optional, from :func:`policykit.trends.spikes`: one row per spike with its
        ``period`` (and ``count``); each spike is marked and labelled on the count panel,
        with its top story title when the frame has a ``title`` or ``top_title`` column.
    ax
        Draw into this Axes (counts) with the ratio on a twin axis, instead of a new
        two-panel figure.
    title, note
        The chart title, and a source note to use instead of the computed one.

    Returns
    -------
    Figure
        Two panels (counts on top, ratio below; shared x axis), or one Axes and its twin
        when ``ax`` is given. Bars fill 80 % of their period; the x axis spans the
        periods in the frame. A period in which no article at all was published has no
        share (a gap, said in the subtitle), not a share of 0 %.
    """
    _require(frame, ["period", "count", "ratio"], "plot_coverage")
    data, interval = _time_frame(frame)
    with style():
        if ax is None:
            fig, axes = new_figure(2, 1, figsize=TALL, sharex=True, height_ratios=[3, 2])
            count_ax, ratio_ax = axes[0, 0], axes[1, 0]
        else:
            fig, count_ax = ax.figure, ax
            ratio_ax = ax.twinx()
            ratio_ax.grid(False)
        group = _group_column(frame, _KNOWN_COVERAGE_COLUMNS)
        silent = 0
        if "total_count" in data.columns:
            # No article at all in the period: no share, rather than a share of 0 %.
            quiet = data["total_count"].fillna(0) <= 0
            silent = int(data.loc[quiet, "_period"].nunique())
            for column in ("ratio", "ratio_smoothed"):
                if column in data.columns:
                    data[column] = data[column].astype(float).mask(quiet)
        if group is None:
            data = data.sort_values("_period")
            left, width, centre = _geometry(data["_period"], interval)
            count_ax.bar(
                left, data["count"], width=width, align="edge", color=PALETTE[0], label="Articles"
            )
            marker = _marker(len(data))
            if "ratio_smoothed" in data.columns:
                # Raw share faint, the smoothed line carries the reading.
                ratio_ax.plot(centre, data["ratio"], color=PALETTE[1], lw=1, alpha=0.35)
                ratio_ax.plot(centre, data["ratio_smoothed"], color=PALETTE[1], **marker)
            else:
                ratio_ax.plot(centre, data["ratio"], color=PALETTE[1], label="Share", **marker)
        else:
            for i, (name, part) in enumerate(data.groupby(group, sort=True)):
                part = part.sort_values("_period")
                centre = _geometry(part["_period"], interval)[2]
                colour = PALETTE[i % len(PALETTE)]
                marker = _marker(len(part))
                count_ax.plot(centre, part["count"], color=colour, label=str(name), **marker)
                ratio_ax.plot(centre, part["ratio"], color=colour, label=str(name), **marker)
            count_ax.legend(loc="upper left", ncols=min(4, data[group].nunique()))
        count_ax.set_ylabel("Articles")
        count_ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto"))
        count_ax.set_ylim(0, max(1.0, float(data["count"].max() or 0) * 1.08))
        smoothing = _smoothing_label(frame)
        ratio_ax.set_ylabel("Share of all articles")
        ratio_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        top_ratio = data["ratio"].max()
        ratio_ax.set_ylim(0, float(top_ratio) * 1.1 if top_ratio and top_ratio > 0 else 0.01)
        if smoothing:
            ratio_ax.set_title(f"Share ({smoothing})", fontsize=9, fontweight="normal")
        if float(data["count"].sum()) == 0:
            no_data(count_ax, f"No articles in {plural(data['_period'].nunique(), interval)}")
            if ax is None:
                no_data(ratio_ax, "No share to show: no articles")
        if spikes is not None and len(spikes):
            _annotate_spikes(count_ax, data, spikes, interval)
        fit_time_axis(ratio_ax if ax is None else count_ax, data["_period"], interval)
        n = data["_period"].nunique()
        subtitle = (
            f"{plural(silent, interval)} of {n} had no articles at all: no share drawn"
            if silent
            else None
        )
        set_header(fig, count_ax, title or "Coverage over time", subtitle)
        add_note(fig, source_note(frame, note))
    return fig


def _annotate_spikes(
    ax, data: pd.DataFrame, spikes: pd.DataFrame, interval: str, labelled: int = 4
) -> None:
    """Mark every spike; label the ``labelled`` biggest with their count and top story."""
    _require(spikes, ["period"], "plot_coverage(spikes=)")
    spike_periods = _periods(spikes["period"])
    centres = pd.Series(_geometry(spike_periods, interval)[2])
    if "count" in spikes.columns:
        heights = spikes["count"].to_numpy(dtype=float)
    else:
        totals = data.groupby("_period")["count"].max()
        heights = totals.reindex(spike_periods).fillna(0).to_numpy(dtype=float)
    label_column = next((c for c in ("top_title", "title", "label") if c in spikes.columns), None)
    ax.scatter(centres, heights, marker="v", s=36, color=PALETTE[3], zorder=5, label="Spike")
    top = max(float(np.nanmax(heights)) if len(heights) else 0, float(data["count"].max()))
    ax.set_ylim(0, top * 1.35 if top > 0 else 1)
    # Biggest first; the rest keep their marker (the table in the report lists them all).
    order = np.argsort(-heights, kind="stable")[:labelled]
    lo, hi = extent(data["_period"], interval)
    span = hi - lo
    for rank, i in enumerate(sorted(order, key=lambda j: spike_periods.iloc[j])):
        centre, height = centres.iloc[i], heights[i]
        text = f"{int(height)}"
        if label_column is not None and not pd.isna(spikes[label_column].iloc[i]):
            text = f"{text}: {_shorten(spikes[label_column].iloc[i], 34)}"
        position = (centre - lo) / span
        ha = "left" if position < 0.25 else "right" if position > 0.75 else "center"
        ax.annotate(
            text,
            xy=(centre, height),
            xytext=(0, 8 + 11 * (rank % 2)),
            textcoords="offset points",
            ha=ha,
            fontsize=7.5,
            color="#333333",
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.8, "lw": 0},
        )


def _effective_outlets_label(frame: pd.DataFrame) -> str | None:
    attrs = frame.attrs or {}
    hhi = attrs.get("hhi")
    effective = attrs.get("effective_outlets", attrs.get("effective_number"))
    if hhi is None and effective is None and "ratio" in frame.columns and len(frame):
        shares = frame["ratio"].astype(float)
        hhi = float((shares**2).sum())
        effective = 1 / hhi if hhi > 0 else None
    parts = []
    if hhi is not None:
        parts.append(f"HHI {float(hhi):.3f}")
    if effective is not None:
        parts.append(f"effective number of outlets {float(effective):.1f}")
    return ", ".join(parts) or None


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


def plot_outlet_mix(
    frame: pd.DataFrame,
    *,
    kind: str = "bar",
    top: int = 15,
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Which outlets carry the coverage.

    Parameters
    ----------
    frame
        ``kind="bar"``: from :func:`policykit.trends.outlet_mix` (``outlet``, ``count``,
        ``ratio``; ``attrs`` may carry ``hhi`` and ``effective_outlets``, otherwise they
        are computed from ``ratio``). ``kind="area"``: a frame with ``period``, ``outlet``
        and ``count``, drawn by :func:`plot_outlet_share_over_time`.
    kind
        ``"bar"`` (a horizontal bar chart of the top outlets) or ``"area"``.
    top
        How many outlets to show; the rest are summed into "Other outlets". Outlets with
        no article are left out (the subtitle says how many).

    Returns
    -------
    Figure
    """
    if kind == "area":
        return plot_outlet_share_over_time(frame, top=min(top, 7), ax=ax, title=title, note=note)
    if kind != "bar":
        raise ConfigError(f"kind {kind!r} is not one of bar, area")
    _require(frame, ["outlet", "count"], "plot_outlet_mix")
    total = float(frame["count"].sum())
    shares = frame["ratio"] if "ratio" in frame.columns else frame["count"] / (total or 1)
    data = frame.assign(_share=shares.astype(float))
    is_other = data["outlet"].isin(_OTHER_NAMES)
    silent = int(((data["count"] <= 0) & ~is_other).sum())
    named = data[~is_other & (data["count"] > 0)]
    named = named.sort_values(["count", "outlet"], ascending=[False, True])
    # "Other" rows from outlet_mix and the outlets beyond `top` become one grey bar.
    rest = pd.concat([named.iloc[top:], data[is_other & (data["count"] > 0)]])
    data = named.iloc[:top]
    if len(rest):
        label = f"Other outlets ({len(named) - top})" if len(named) > top else "Other outlets"
        if is_other.any():
            label = "Other outlets"
        other = pd.DataFrame(
            {"outlet": [label], "count": [rest["count"].sum()], "_share": [rest["_share"].sum()]}
        )
        data = pd.concat([data, other], ignore_index=True)
    data = data.reset_index(drop=True)
    with style():
        if ax is None:
            fig, axes = new_figure(figsize=height_for_rows(len(data)))
            ax = axes[0, 0]
        fig = ax.figure
        colours = [
            GREY if str(o).startswith("Other outlets") or o in _OTHER_NAMES else PALETTE[0]
            for o in data["outlet"]
        ]
        _bars(
            ax,
            [_shorten(o, 34) for o in data["outlet"]],
            data["count"].to_numpy(dtype=float),
            colours,
            [f"{int(c)} ({s:.0%})" for c, s in zip(data["count"], data["_share"], strict=True)],
        )
        ax.set_xlabel("Articles")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not len(data):
            no_data(ax, "No articles from any outlet")
        left_out = f"{_count(silent, 'outlet')} with no article not shown" if silent else None
        subtitle = _join(_effective_outlets_label(frame) if len(data) else None, left_out)
        set_header(fig, ax, title or "Outlet mix", subtitle)
        add_note(fig, source_note(frame, note))
    return fig


def _top_items(frame: pd.DataFrame, column: str, top: int, value: str = "count") -> list:
    """The ``top`` items by total ``value``, leaving out items whose total is 0."""
    totals = frame.groupby(column)[value].sum().sort_values(ascending=False, kind="stable")
    return list(totals[totals > 0].index[:top])


def plot_outlet_share_over_time(
    frame: pd.DataFrame,
    *,
    top: int = 6,
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Each outlet's share of the coverage per period.

    Parameters
    ----------
    frame
        ``period``, ``outlet``, ``count`` (one row per outlet and period).
    top
        Outlets drawn separately (by total count); the rest become "Other outlets".

    Returns
    -------
    Figure
        A stacked area over many periods; one stacked bar per period when there are few
        periods or many without articles (lighter when a period has fewer than 5
        articles); bars of each outlet's share when there is a single period. The
        subtitle says which, and how many periods had no articles.
    """
    _require(frame, ["period", "outlet", "count"], "plot_outlet_share_over_time")
    return _stacked_share(
        frame, "outlet", top, ax, title or "Outlet share over time", note, "Other outlets"
    )


def _stacked_share(frame, column, top, ax, title, note, other_label) -> Figure:
    data, interval = _time_frame(frame)
    keep = _top_items(data, column, top)
    data["_item"] = data[column].where(data[column].isin(keep), other_label)
    table = data.pivot_table(
        index="_period", columns="_item", values="count", aggfunc="sum", fill_value=0
    )
    table = table.reindex(full_grid(data["_period"], interval), fill_value=0)
    order = [k for k in keep if k in table.columns]
    if other_label in table.columns and table[other_label].sum() > 0:
        order.append(other_label)
    table = table[order]
    totals = table.sum(axis=1)
    n, silent = len(table), int((totals <= 0).sum())
    with style():
        if ax is None:
            fig, axes = new_figure(figsize=height_for_rows(len(order)) if n == 1 else STANDARD)
            ax = axes[0, 0]
        fig = ax.figure
        colours = [
            GREY if name == other_label else PALETTE[i % len(PALETTE)]
            for i, name in enumerate(order)
        ]
        labels = [_shorten(c, 24) for c in order]
        if float(totals.sum()) == 0:
            no_data(ax, f"No articles in {plural(n, interval)}")
            ax.set_xticks([])
            ax.set_yticks([])
            subtitle = None
        elif n == 1:
            # One period has no "over time": each item's share of it, as bars.
            shares = table.iloc[0] / totals.iloc[0]
            _bars(
                ax,
                labels,
                shares.to_numpy(),
                colours,
                [f"{s:.0%} ({int(c)})" for s, c in zip(shares, table.iloc[0], strict=True)],
                percent=True,
            )
            ax.set_xlabel("Share of articles")
            period = pd.Timestamp(table.index[0])
            subtitle = (
                f"One {interval} only (from {_fmt_date(period)}): shares of its "
                f"{int(totals.iloc[0]):,} articles; a finer interval shows change"
            )
        else:
            shares = table.div(totals.replace(0, np.nan), axis=0)
            if n <= _MAX_BAR_PERIODS or silent > 0.2 * n:
                subtitle = _share_bars(ax, shares, totals, colours, labels, interval)
            else:
                # Steps: each period's share holds over the whole period; none is a gap.
                ends = period_ends(pd.Series(shares.index[-1:]), interval)
                x = list(shares.index) + list(ends)
                values = [np.append(shares[c].to_numpy(), shares[c].iloc[-1]) for c in order]
                ax.stackplot(x, *values, labels=labels, colors=colours, linewidth=0, step="post")
                subtitle = None
            if silent:
                gap = "no bar" if subtitle is not None else "a gap"
                subtitle = _join(subtitle, f"{silent} of {n} {interval}s had no articles ({gap})")
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_ylabel("Share of articles")
            handles = [
                Patch(facecolor=c, label=lab) for c, lab in zip(colours, labels, strict=True)
            ]
            ax.legend(handles=handles[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0))
            fit_time_axis(ax, table.index, interval)
        set_header(fig, ax, title, subtitle)
        add_note(fig, source_note(frame, note))
    return fig


def _share_bars(ax, shares, totals, colours, labels, interval) -> str | None:
    """One 100 % bar per period (one PolyCollection per item: thousands of Rectangle
    patches are slow to draw); periods with few articles lighter. Returns the subtitle."""
    left, width, _ = _geometry(shares.index, interval)
    x0 = mdates.date2num(pd.DatetimeIndex(left).to_pydatetime())
    x1 = x0 + width.to_numpy()
    few = (totals > 0) & (totals < _FEW_ARTICLES)
    alpha = np.where(few.to_numpy(), 0.4, 1.0)
    bottom = np.zeros(len(shares))
    for name, colour, label in zip(shares.columns, colours, labels, strict=True):
        values = shares[name].fillna(0).to_numpy()
        top = bottom + values
        drawn = values > 0
        verts = [
            [(a, b), (a, t), (c, t), (c, b)]
            for a, c, b, t in zip(x0[drawn], x1[drawn], bottom[drawn], top[drawn], strict=True)
        ]
        rgba = [mcolors.to_rgba(colour, a) for a in alpha[drawn]]
        ax.add_collection(PolyCollection(verts, facecolors=rgba, linewidths=0, label=label))
        bottom = top
    text = f"one bar per {interval}"
    if few.any():
        text += f"; lighter: fewer than {_FEW_ARTICLES} articles in the {interval}"
    return text


def plot_outlet_heatmap(
    frame: pd.DataFrame,
    *,
    top: int = 20,
    value: str = "count",
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Outlet × period heatmap of coverage.

    Parameters
    ----------
    frame
        ``period``, ``outlet`` and ``value`` (``count`` by default, or ``ratio``).
    top
        Outlets shown (rows, by total), most active first. Outlets whose total is 0 (a
        zero-filled frame lists every outlet) get no row; the subtitle says how many.

    Returns
    -------
    Figure
        One Axes (the heatmap) plus its colour bar. The source note counts the articles
        and outlets in the rows shown, and what the rows leave out.
    """
    _require(frame, ["period", "outlet", value], "plot_outlet_heatmap")
    data, interval = _time_frame(frame)
    rank_by = "count" if "count" in data.columns else value
    totals = data.groupby("outlet")[rank_by].sum()
    carrying = int((totals > 0).sum())
    silent = int(data["outlet"].nunique()) - carrying
    keep = _top_items(data, "outlet", top, rank_by)
    grid = full_grid(data["_period"], interval)
    table = data[data["outlet"].isin(keep)].pivot_table(
        index="outlet", columns="_period", values=value, aggfunc="sum", fill_value=0
    )
    table = table.reindex(index=keep, columns=grid, fill_value=0)
    with style():
        if ax is None:
            fig, axes = new_figure(figsize=height_for_rows(max(len(table), 3), 5.0, 32))
            ax = axes[0, 0]
        fig = ax.figure
        ax.grid(False)
        ax.spines[:].set_visible(False)
        if len(table):
            ends = period_ends(pd.Series(grid[-1:]), interval)
            edges = mdates.date2num(list(grid.to_pydatetime()) + list(ends.dt.to_pydatetime()))
            values = table.to_numpy(dtype=float)
            image = ax.pcolormesh(
                edges, np.arange(len(table) + 1), values, cmap="Blues", vmin=0, shading="flat"
            )
            ax.set_ylim(len(table), 0)
            ax.set_yticks(np.arange(len(table)) + 0.5, [_shorten(o, 30) for o in table.index])
            ax.tick_params(axis="y", length=0)
            bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
            label = "Articles" if value == "count" else value.replace("_", " ").capitalize()
            bar.set_label(label)
            if value == "count":
                bar.locator = MaxNLocator(integer=True)
                bar.update_ticks()
            fit_time_axis(ax, grid, interval, pad=0)
        else:
            no_data(ax, "No articles from any outlet")
            ax.set_xticks([])
            ax.set_yticks([])
        shown = (
            "every outlet with articles"
            if len(keep) == carrying
            else (f"the {len(keep)} of {carrying} outlets with the most articles")
        )
        subtitle = _join(
            f"Rows: {shown}" if len(keep) else None,
            f"{_count(silent, 'outlet')} with no article left out" if silent else None,
        )
        set_header(fig, ax, title or "Coverage by outlet and period", subtitle)
        if note is None and "count" in data.columns:
            note = _heatmap_note(data, keep, totals, frame)
            add_note(fig, f"{note}; policykit v{_version()}")
        else:
            add_note(fig, source_note(frame, note))
    return fig


def _heatmap_note(data, keep, totals, frame) -> str:
    shown = int(totals.reindex(keep).sum()) if keep else 0
    text = f"{shown:,} articles from the {_count(len(keep), 'outlet')} shown"
    rest = totals.drop(index=keep)
    rest = rest[rest > 0]
    if len(rest):
        text += f" ({int(rest.sum()):,} more from {_count(len(rest), 'other outlet')})"
    span = _span(frame)
    return f"{text}, {span}" if span else text


def plot_share_of_voice(
    frame: pd.DataFrame,
    *,
    top: int = 7,
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Each item's (topic's, entity's…) share of voice.

    Parameters
    ----------
    frame
        From :func:`policykit.trends.share_of_voice`: ``period``, ``item``, ``count``,
        ``share``. Several periods draw shares over time (as
        :func:`plot_outlet_share_over_time` does); a single period draws horizontal bars.
    top
        Items shown separately; the rest become "Other".

    Returns
    -------
    Figure
    """
    _require(frame, ["period", "item", "count", "share"], "plot_share_of_voice")
    if frame["period"].nunique() > 1:
        return _stacked_share(frame, "item", top, ax, title or "Share of voice", note, "Other")
    totals = frame.groupby("item")[["count", "share"]].sum().sort_values("count", ascending=False)
    with style():
        if ax is None:
            fig, axes = new_figure(figsize=height_for_rows(len(totals)))
            ax = axes[0, 0]
        fig = ax.figure
        _bars(
            ax,
            [_shorten(i, 34) for i in totals.index],
            totals["share"].to_numpy(dtype=float),
            [PALETTE[0]] * len(totals),
            [f"{s:.0%} ({int(c)})" for s, c in zip(totals["share"], totals["count"], strict=True)],
            percent=True,
        )
        ax.set_xlabel("Share of voice")
        if not float(totals["count"].sum()):
            no_data(ax, "No articles for any item")
        set_header(fig, ax, title or "Share of voice")
        add_note(fig, source_note(frame, note))
    return fig


def plot_coverage_small_multiples(
    frame: pd.DataFrame,
    *,
    by: str | None = None,
    value: str = "ratio",
    ncols: int = 3,
    labels: dict | None = None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Coverage over time in small multiples: one panel per group, shared axes.

    Parameters
    ----------
    frame
        :func:`policykit.trends.coverage_over_time` with a group column (``topic`` for
        all topics); ``by`` names it (default: the first text column that is not
        ``period``).
    value
        ``"ratio"`` (share of all coverage, the default) or ``"count"``.
    labels
        Panel titles for group values (e.g. topic labels); other groups show their value.

    Returns
    -------
    Figure
        One Axes per group (unused grid cells are hidden); a group with no articles says
        so in its panel.
    """
    if value not in ("ratio", "count"):
        raise ConfigError(f"value {value!r} is not one of ratio, count")
    by = by or _group_column(frame, _KNOWN_COVERAGE_COLUMNS)
    if by is None:
        raise ConfigError(
            "plot_coverage_small_multiples needs a group column (e.g. topic); "
            f"frame has {', '.join(map(str, frame.columns))}"
        )
    _require(frame, ["period", by, value], "plot_coverage_small_multiples")
    data, interval = _time_frame(frame)
    groups = sorted(data[by].dropna().unique(), key=str)
    ncols = max(1, min(ncols, len(groups)))
    nrows = max(1, -(-len(groups) // ncols))
    labels = labels or {}
    with style():
        height = min(FULL_PAGE_MM, 38 * nrows + 24) * MM
        fig, axes = new_figure(nrows, ncols, figsize=(WIDTH, height), sharex=True, sharey=True)
        for i, ax in enumerate(axes.flat):
            if i >= len(groups):
                ax.set_visible(False)
                continue
            if i + ncols >= len(groups):
                # The panel below is empty: this panel carries the column's date labels.
                ax.xaxis.set_tick_params(labelbottom=True)
            part = data[data[by] == groups[i]].sort_values("_period")
            centre = _geometry(part["_period"], interval)[2]
            ax.fill_between(centre, part[value], color=PALETTE[0], alpha=0.25, lw=0)
            ax.plot(centre, part[value], color=PALETTE[0], lw=1.6, **_marker(len(part)))
            ax.set_title(_shorten(labels.get(groups[i], groups[i]), 28), fontsize=10)
            if value == "ratio":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            counts = part["count"] if "count" in part.columns else part[value]
            if not float(counts.sum()):
                no_data(ax, "No articles")
        if not groups:
            no_data(axes[0, 0], "No groups to show")
        else:
            fit_time_axis(axes[0, 0], data["_period"], interval)
        # One scale for every panel (set once: set_ylim per panel would freeze the first).
        top = float(data[value].max()) if len(data) else 0.0
        axes[0, 0].set_ylim(0, top * 1.08 if top > 0 else 1)
        label = "Share of all articles" if value == "ratio" else "Articles"
        fig.supylabel(label, fontsize=10)
        set_header(fig, axes[0, 0], title or "Coverage over time by topic")
        add_note(fig, source_note(frame, note))
    return fig


def plot_terms(
    frame: pd.DataFrame,
    *,
    top: int = 20,
    score: str = "z",
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """The terms that most distinguish a topic's coverage from the background.

    Parameters
    ----------
    frame
        From :func:`policykit.trends.distinctive_terms`: ``term``, ``count_topic``,
        ``count_background``, ``log_odds``, ``z``.
    score
        The column bars are drawn by: ``"log_odds"`` or ``"z"``.
    top
        How many terms (highest score first).

    Returns
    -------
    Figure
    """
    if score not in ("log_odds", "z"):
        raise ConfigError(f"score {score!r} is not one of log_odds, z")
    _require(frame, ["term", "count_topic", "count_background", score], "plot_terms")
    data = frame.sort_values([score, "term"], ascending=[False, True]).head(top)
    with style():
        if ax is None:
            fig, axes = new_figure(figsize=height_for_rows(len(data), 4.6))
            ax = axes[0, 0]
        fig = ax.figure
        y = np.arange(len(data))
        colours = [PALETTE[2] if v >= 0 else PALETTE[3] for v in data[score]]
        ax.barh(y, data[score], color=colours)
        ax.set_yticks(y, [_shorten(t, 30) for t in data["term"]])
        ax.set_ylim(max(len(data), 1) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.axvline(0, color="#888888", lw=0.8)
        ax.set_xlabel("Log-odds ratio vs. background" if score == "log_odds" else "z-score")
        for yi, (value, n_topic, n_back) in enumerate(
            zip(data[score], data["count_topic"], data["count_background"], strict=True)
        ):
            ax.annotate(
                f" {int(n_topic)} / {int(n_back)}",
                xy=(max(value, 0), yi),
                va="center",
                fontsize=7.5,
                color="#444444",
            )
        right = float(data[score].max()) if len(data) else 1.0
        left = min(0.0, float(data[score].min()) if len(data) else 0.0)
        ax.set_xlim(left, right * 1.2 if right > 0 else 1.0)
        if not len(data):
            no_data(ax, "No distinctive terms: too few articles")
        elif not data[score].abs().max():
            no_data(ax, "No term stands out: every score is 0")
        subtitle = "Labels: count in topic / in background" if len(data) else None
        set_header(fig, ax, title or "Distinctive terms", subtitle)
        add_note(fig, source_note(frame, note))
    return fig


def save_figure(fig: Figure, path: str | Path, *, format: str | None = None) -> Path:
    """Write a figure as PNG, SVG or PDF with fixed metadata, so files are byte-stable.

    Parameters
    ----------
    fig
        The figure.
    path
        Target file; its suffix gives the format unless ``format`` is passed.
    format
        ``"png"``, ``"svg"`` or ``"pdf"``.

    Returns
    -------
    Path
        The written path.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in SAVE_FORMATS:
        raise ConfigError(
            f"figure format {fmt!r} (from {path.name!r}) is not one of {', '.join(SAVE_FORMATS)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with style():
        fig.savefig(path, format=fmt, metadata=FIXED_METADATA[fmt])
    return path
