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

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .charts_base import (
    _OTHER_NAMES,
    GREY,
    PALETTE,
    TickPercent,
    _bars,
    _count,
    _geometry,
    _join,
    _marker,
    _periods,
    _require,
    _shorten,
    _time_frame,
    source_note,
)
from .charts_labels import GAP_PT, defer_placement
from .charts_layout import (
    FIXED_METADATA,
    HALF_PAGE_MM,
    MM,
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
from .charts_share import plot_outlet_heatmap, plot_outlet_share_over_time, plot_share_of_voice
from .charts_time import extent, fit_time_axis, plural
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
SAVE_FORMATS = ("png", "svg", "pdf")
_KNOWN_COVERAGE_COLUMNS = {"period", "count", "total_count", "ratio"}


def _group_column(frame: pd.DataFrame, known: set[str]) -> str | None:
    extra = [c for c in frame.columns if c not in known and frame[c].dtype.kind not in "iufb"]
    extra = [c for c in extra if not c.startswith("_")]
    return extra[0] if extra else None


def _smoothing_label(frame: pd.DataFrame) -> str | None:
    smoothing = (frame.attrs or {}).get("smoothing")
    if smoothing in (None, "", 0, 1, "none"):
        return None
    if isinstance(smoothing, int | float):
        # "3-day", "3-week": the reader should not have to work out what a period is.
        unit = (frame.attrs or {}).get("interval") or "period"
        return f"{int(smoothing)}-{unit} rolling mean"
    return str(smoothing)


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
        ratio_ax.yaxis.set_major_formatter(TickPercent(1.0))
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
    ax.set_ylim(0, top * 1.25 if top > 0 else 1)
    # Biggest first; the rest keep their marker (the table in the report lists them all).
    order = np.argsort(-heights, kind="stable")[:labelled]
    lo, hi = extent(data["_period"], interval)
    span = hi - lo
    annotations = []
    for i in sorted(order, key=lambda j: spike_periods.iloc[j]):
        centre, height = centres.iloc[i], heights[i]
        text = f"{int(height)}"
        if label_column is not None and not pd.isna(spikes[label_column].iloc[i]):
            text = f"{text}: {_shorten(spikes[label_column].iloc[i], 34)}"
        position = (centre - lo) / span
        ha = "left" if position < 0.25 else "right" if position > 0.75 else "center"
        annotations.append(
            ax.annotate(
                text,
                xy=(centre, height),
                xytext=(0, GAP_PT),
                textcoords="offset points",
                ha=ha,
                va="bottom",
                fontsize=7.5,
                color="#333333",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "lw": 0},
                # The leader leaves the label at its aligned edge, straight above the
                # marker: from the label's middle it ran under the label stacked below
                # and seemed to belong to it.
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#999999",
                    "lw": 0.6,
                    "shrinkA": 0,
                    "relpos": {"left": (0.0, 0.0), "center": (0.5, 0.0), "right": (1.0, 0.0)}[ha],
                },
            )
        )
    # Lifted clear of each other and of the bars once the layout is known.
    defer_placement(ax.figure, ax, annotations)


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
        height = min(HALF_PAGE_MM, 38 * nrows + 24) * MM
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
                ax.yaxis.set_major_formatter(TickPercent(1.0))
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
