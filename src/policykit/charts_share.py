"""Charts of shares and grids over time: each outlet's (or item's) share per period, the
outlet × period heatmap and share of voice (re-exported by :mod:`policykit.charts`)."""

from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .charts_base import (
    GREY,
    PALETTE,
    _bars,
    _count,
    _fmt_date,
    _geometry,
    _join,
    _require,
    _shorten,
    _span,
    _time_frame,
    _top_items,
    _version,
    source_note,
)
from .charts_layout import (
    STANDARD,
    add_note,
    height_for_rows,
    new_figure,
    no_data,
    set_header,
    style,
)
from .charts_time import fit_time_axis, full_grid, period_ends, plural

# Up to this many periods, a share over time is drawn as one stacked bar per period.
_MAX_BAR_PERIODS = 36
# A period with fewer articles than this has a share bar drawn lighter (a noisy share).
_FEW_ARTICLES = 5


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
    text = f"One bar per {interval}"
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
