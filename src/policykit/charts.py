"""Charts: a tidy frame from :mod:`policykit.trends` in, a matplotlib Figure out.

Every ``plot_*`` function takes the frame that the matching trend function returns (see
``docs/trends.md`` for the column contracts), an optional ``ax`` to draw into, and returns
the :class:`~matplotlib.figure.Figure`. Chart functions never query the database: the
source note under each chart ("N articles from M outlets, dates; policykit vX") is
computed from the frame and its ``attrs``, or passed in as ``note=``.

The house style lives in ``styles/policykit.mplstyle`` (Okabe–Ito colours, readable type)
and is applied only while a chart is drawn, never globally.

Figures are built without pyplot, so a notebook shows each one exactly once and no
figure leaks into pyplot's registry. :func:`save_figure` writes byte-stable PNG, SVG and
PDF files (no timestamps or software versions in the metadata).

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "period": pd.date_range("2024-01-01", periods=3, freq="MS"),
...     "count": [3, 9, 4], "total_count": [60, 90, 80], "ratio": [0.05, 0.1, 0.05]})
>>> fig = plot_coverage(frame)
>>> [ax.get_ylabel() for ax in fig.axes]
['Articles', 'Share of all articles']
"""

from __future__ import annotations

import contextlib
import io
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.style as mstyle
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .errors import ConfigError

#: The Okabe–Ito palette in the house order (also set in the style file).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
#: Grey for "other" and context series.
GREY = "#9A9A9A"
SAVE_FORMATS = ("png", "svg", "pdf")

# Metadata that would otherwise change on every save (dates, library versions).
_FIXED_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}
_KNOWN_COVERAGE_COLUMNS = {"period", "count", "total_count", "ratio"}
# Rows that stand for "everything else" are drawn in grey.
_OTHER_NAMES = ("Other", "other", "(other)")
# Space kept free at the bottom of a figure for the source note (figure fraction).
_NOTE_BAND = 0.07


class ReportFigure(Figure):
    """A Figure that shows itself in Jupyter as a high-resolution PNG.

    IPython calls ``_repr_png_``; the width/height metadata make the 2x image display at
    its natural size, so it stays sharp in the HTML report and in print.
    """

    def _repr_png_(self):
        buffer = io.BytesIO()
        with style():
            self.savefig(buffer, format="png", dpi=200, metadata=_FIXED_METADATA["png"])
        width, height = self.get_size_inches() * 100
        return buffer.getvalue(), {
            "width": int(width),
            "height": int(height),
            "alt": self.alt_text(),
        }

    def alt_text(self) -> str:
        """A text alternative for the image: the chart titles and the source note."""
        parts = [self._suptitle.get_text()] if self._suptitle is not None else []
        for ax in self.axes:
            parts += [ax.get_title(loc=loc) for loc in ("left", "center")]
        note = getattr(self, "_policykit_note", None)
        parts.append(note.get_text() if note is not None else "")
        return ". ".join(p for p in parts if p) or "Chart"


def style_path() -> Path:
    """The path of the house matplotlib style file."""
    return Path(str(resources.files("policykit") / "styles" / "policykit.mplstyle"))


@contextlib.contextmanager
def style():
    """Apply the house style inside a ``with`` block (restores rcParams afterwards)."""
    with mstyle.context(str(style_path())):
        yield


def _version() -> str:
    from . import __version__

    return __version__


def _fmt_date(value) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%-d %b %Y")


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
    start, end = attrs.get("start"), attrs.get("end")
    columns = set(frame.columns)
    if n_articles is None and "count" in columns and not (columns & {"item", "group", "topic"}):
        # Coverage without groups and outlet mixes count each article once (topics overlap).
        n_articles = int(frame["count"].sum())
    if n_outlets is None and "outlet" in columns and not frame["outlet"].isin(_OTHER_NAMES).any():
        n_outlets = int(frame["outlet"].nunique())
    if (start is None or end is None) and "period" in columns and len(frame):
        periods = pd.to_datetime(frame["period"])
        start = periods.min() if start is None else start
        end = periods.max() if end is None else end
    parts = []
    if n_articles is not None:
        parts.append(f"{int(n_articles):,} articles")
    if n_outlets is not None:
        parts.append(f"{'from ' if parts else ''}{int(n_outlets):,} outlets")
    text = " ".join(parts)
    if start is not None and end is not None and not pd.isna(start) and not pd.isna(end):
        span = f"{_fmt_date(start)} – {_fmt_date(end)}"
        text = f"{text}, {span}" if text else span
    return f"{text}; {suffix}" if text else f"Source: {suffix}"


def _new_figure(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    fig = ReportFigure(figsize=figsize or mpl.rcParams["figure.figsize"])
    fig.set_layout_engine("constrained", rect=(0, _NOTE_BAND, 1, 1 - _NOTE_BAND))
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _add_note(fig: Figure, text: str) -> None:
    # One note per figure, even when several charts share it through ax=.
    existing = getattr(fig, "_policykit_note", None)
    if existing is not None:
        if text in existing.get_text():
            return
        existing.set_text(f"{existing.get_text()}\n{text}")
        return
    fig._policykit_note = fig.text(
        0.01, 0.012, text, ha="left", va="bottom", fontsize=7.5, color="#555555"
    )


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


def _bar_width(periods: pd.Series) -> float:
    """Bar width in days: 80% of the smallest gap between periods."""
    unique = np.sort(periods.dropna().unique())
    if len(unique) < 2:
        return 0.8
    gaps = np.diff(unique).astype("timedelta64[s]").astype(float) / 86400
    return float(max(gaps.min(), 1 / 24) * 0.8)


def _group_column(frame: pd.DataFrame, known: set[str]) -> str | None:
    extra = [c for c in frame.columns if c not in known and frame[c].dtype.kind not in "iufb"]
    return extra[0] if extra else None


def _format_date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)
    formatter.offset_formats = ["", "%Y", "%b %Y", "%b %Y", "%-d %b %Y", "%-d %b %Y %H:%M"]
    ax.xaxis.set_major_formatter(formatter)


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
        when ``ax`` is given.
    """
    _require(frame, ["period", "count", "ratio"], "plot_coverage")
    with style():
        if ax is None:
            fig, axes = _new_figure(2, 1, figsize=(8, 5.2), sharex=True, height_ratios=[3, 2])
            count_ax, ratio_ax = axes[0, 0], axes[1, 0]
        else:
            fig, count_ax = ax.figure, ax
            ratio_ax = ax.twinx()
            ratio_ax.grid(False)
        group = _group_column(frame, _KNOWN_COVERAGE_COLUMNS)
        data = frame.copy()
        data["_period"] = _periods(data["period"]).to_numpy()
        if group is None:
            data = data.sort_values("_period")
            count_ax.bar(
                data["_period"],
                data["count"],
                width=_bar_width(data["_period"]),
                color=PALETTE[0],
                label="Articles",
            )
            if "ratio_smoothed" in data.columns:
                # Raw share faint, the smoothed line carries the reading.
                ratio_ax.plot(data["_period"], data["ratio"], color=PALETTE[1], lw=1, alpha=0.35)
                ratio_ax.plot(data["_period"], data["ratio_smoothed"], color=PALETTE[1])
            else:
                ratio_ax.plot(data["_period"], data["ratio"], color=PALETTE[1], label="Share")
        else:
            for i, (name, part) in enumerate(data.groupby(group, sort=True)):
                part = part.sort_values("_period")
                colour = PALETTE[i % len(PALETTE)]
                count_ax.plot(part["_period"], part["count"], color=colour, label=str(name))
                ratio_ax.plot(part["_period"], part["ratio"], color=colour, label=str(name))
            count_ax.legend(loc="upper left", ncols=min(4, data[group].nunique()))
        count_ax.set_ylabel("Articles")
        count_ax.set_ylim(bottom=0)
        smoothing = _smoothing_label(frame)
        ratio_ax.set_ylabel("Share of all articles")
        ratio_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        ratio_ax.set_ylim(bottom=0)
        if smoothing:
            ratio_ax.set_title(f"Share ({smoothing})", fontsize=9, fontweight="normal")
        if spikes is not None and len(spikes):
            _annotate_spikes(count_ax, data, spikes, group)
        _format_date_axis(ratio_ax if ax is None else count_ax)
        count_ax.set_title(title or "Coverage over time")
        _add_note(fig, source_note(frame, note))
    return fig


def _annotate_spikes(
    ax, data: pd.DataFrame, spikes: pd.DataFrame, group: str | None, labelled: int = 4
) -> None:
    """Mark every spike; label the ``labelled`` biggest with their count and top story."""
    _require(spikes, ["period"], "plot_coverage(spikes=)")
    spike_periods = _periods(spikes["period"])
    if "count" in spikes.columns:
        heights = spikes["count"].to_numpy(dtype=float)
    else:
        totals = data.groupby("_period")["count"].max()
        heights = totals.reindex(spike_periods).fillna(0).to_numpy(dtype=float)
    label_column = next((c for c in ("top_title", "title", "label") if c in spikes.columns), None)
    ax.scatter(spike_periods, heights, marker="v", s=36, color=PALETTE[3], zorder=5, label="Spike")
    top = max(float(np.nanmax(heights)) if len(heights) else 0, float(data["count"].max()))
    ax.set_ylim(0, top * 1.3 if top > 0 else 1)
    # Biggest first; the rest keep their marker (the table in the report lists them all).
    order = np.argsort(-heights, kind="stable")[:labelled]
    lo, hi = data["_period"].min(), data["_period"].max()
    span = (hi - lo) if hi > lo else pd.Timedelta(days=1)
    for rank, i in enumerate(sorted(order, key=lambda j: spike_periods.iloc[j])):
        period, height = spike_periods.iloc[i], heights[i]
        text = f"{int(height)}"
        if label_column is not None and not pd.isna(spikes[label_column].iloc[i]):
            text = f"{text}: {_shorten(spikes[label_column].iloc[i], 34)}"
        position = (period - lo) / span
        ha = "left" if position < 0.25 else "right" if position > 0.75 else "center"
        ax.annotate(
            text,
            xy=(period, height),
            xytext=(0, 8 + 11 * (rank % 2)),
            textcoords="offset points",
            ha=ha,
            fontsize=7.5,
            color="#333333",
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
        How many outlets to show; the rest are summed into "Other outlets".

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
    named = data[~is_other].sort_values(["count", "outlet"], ascending=[False, True])
    # "Other" rows from outlet_mix and the outlets beyond `top` become one grey bar.
    rest = pd.concat([named.iloc[top:], data[is_other]])
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
            height = max(2.5, 0.32 * len(data) + 1.4)
            fig, axes = _new_figure(figsize=(8, height))
            ax = axes[0, 0]
        fig = ax.figure
        labels = [_shorten(o, 34) for o in data["outlet"]]
        colours = [
            GREY if str(o).startswith("Other outlets") or o in _OTHER_NAMES else PALETTE[0]
            for o in data["outlet"]
        ]
        y = np.arange(len(data))
        ax.barh(y, data["count"], color=colours)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel("Articles")
        for yi, (count, share) in enumerate(zip(data["count"], data["_share"], strict=True)):
            ax.annotate(
                f" {int(count)} ({share:.0%})",
                xy=(count, yi),
                va="center",
                fontsize=8,
                color="#333333",
            )
        ax.set_xlim(0, float(data["count"].max() or 1) * 1.18)
        ax.set_title(title or "Outlet mix")
        concentration = _effective_outlets_label(frame)
        if concentration:
            ax.text(
                1.0,
                1.01,
                concentration,
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=8,
                color="#444444",
            )
        _add_note(fig, source_note(frame, note))
    return fig


def _top_items(frame: pd.DataFrame, column: str, top: int) -> list:
    totals = frame.groupby(column)["count"].sum().sort_values(ascending=False, kind="stable")
    return list(totals.index[:top])


def plot_outlet_share_over_time(
    frame: pd.DataFrame,
    *,
    top: int = 6,
    ax=None,
    title: str | None = None,
    note: str | None = None,
) -> Figure:
    """Each outlet's share of the coverage per period, as a stacked area.

    Parameters
    ----------
    frame
        ``period``, ``outlet``, ``count`` (one row per outlet and period).
    top
        Outlets drawn separately (by total count); the rest become "Other outlets".

    Returns
    -------
    Figure
    """
    _require(frame, ["period", "outlet", "count"], "plot_outlet_share_over_time")
    return _stacked_share(
        frame, "outlet", top, ax, title or "Outlet share over time", note, "Other outlets"
    )


def _stacked_share(frame, column, top, ax, title, note, other_label) -> Figure:
    data = frame.copy()
    data["_period"] = _periods(data["period"]).to_numpy()
    keep = _top_items(data, column, top)
    data["_item"] = data[column].where(data[column].isin(keep), other_label)
    table = data.pivot_table(
        index="_period", columns="_item", values="count", aggfunc="sum", fill_value=0
    )
    order = [k for k in keep if k in table.columns]
    if other_label in table.columns:
        order.append(other_label)
    table = table[order]
    # A period with no coverage at all has no shares: it stays a gap, not a fall to 0 %.
    sums = table.sum(axis=1).replace(0, np.nan)
    shares = table.div(sums, axis=0)
    with style():
        if ax is None:
            fig, axes = _new_figure()
            ax = axes[0, 0]
        fig = ax.figure
        colours = [
            GREY if name == other_label else PALETTE[i % len(PALETTE)]
            for i, name in enumerate(order)
        ]
        ax.stackplot(
            shares.index,
            *[shares[c].to_numpy() for c in order],
            labels=[_shorten(c, 30) for c in order],
            colors=colours,
            linewidth=0,
        )
        ax.set_ylim(0, 1)
        ax.set_xlim(shares.index.min(), shares.index.max())
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("Share of articles")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), reverse=True)
        _format_date_axis(ax)
        ax.set_title(title)
        _add_note(fig, source_note(frame, note))
    return fig


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
        Outlets shown (rows, by total), most active first.

    Returns
    -------
    Figure
        One Axes (the heatmap) plus its colour bar.
    """
    _require(frame, ["period", "outlet", value], "plot_outlet_heatmap")
    data = frame.copy()
    data["_period"] = _periods(data["period"]).to_numpy()
    if "count" in data.columns:
        keep = _top_items(data, "outlet", top)
    else:
        keep = list(data.groupby("outlet")[value].sum().sort_values(ascending=False).index[:top])
    data = data[data["outlet"].isin(keep)]
    table = data.pivot_table(
        index="outlet", columns="_period", values=value, aggfunc="sum", fill_value=0
    )
    table = table.reindex(keep)
    with style():
        if ax is None:
            height = max(2.6, 0.3 * len(table) + 1.6)
            fig, axes = _new_figure(figsize=(8, height))
            ax = axes[0, 0]
        fig = ax.figure
        image = ax.imshow(
            table.to_numpy(dtype=float), aspect="auto", interpolation="nearest", cmap="Blues"
        )
        ax.grid(False)
        ax.set_yticks(np.arange(len(table)), [_shorten(o, 30) for o in table.index])
        columns = list(table.columns)
        step = max(1, -(-len(columns) // 7))  # at most 7 labels: they must not overlap
        ticks = np.arange(0, len(columns), step)
        ax.set_xticks(ticks, [_period_label(columns[i], columns) for i in ticks])
        ax.tick_params(axis="x", labelrotation=0)
        ax.spines[:].set_visible(False)
        bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
        bar.set_label("Articles" if value == "count" else value.replace("_", " ").capitalize())
        ax.set_title(title or "Coverage by outlet and period")
        _add_note(fig, source_note(frame, note))
    return fig


def _period_label(value, all_values) -> str:
    stamp = pd.Timestamp(value)
    stamps = [pd.Timestamp(v) for v in all_values]
    if len(stamps) < 2:
        return stamp.strftime("%-d %b %Y")
    monthly = min(b - a for a, b in zip(stamps, stamps[1:], strict=False)).days >= 28
    # Over more than a year, day labels would hide which year a column is in.
    if monthly or (stamps[-1] - stamps[0]).days > 300:
        return stamp.strftime("%b %Y")
    return stamp.strftime("%-d %b")


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
        ``share``. Several periods draw a stacked area of shares; a single period draws
        horizontal bars.
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
            fig, axes = _new_figure(figsize=(8, max(2.5, 0.35 * len(totals) + 1.4)))
            ax = axes[0, 0]
        fig = ax.figure
        y = np.arange(len(totals))
        ax.barh(y, totals["share"], color=PALETTE[0])
        ax.set_yticks(y, [_shorten(i, 34) for i in totals.index])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("Share of voice")
        ax.set_title(title or "Share of voice")
        _add_note(fig, source_note(frame, note))
    return fig


def plot_coverage_small_multiples(
    frame: pd.DataFrame,
    *,
    by: str | None = None,
    value: str = "ratio",
    ncols: int = 3,
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

    Returns
    -------
    Figure
        One Axes per group (unused grid cells are hidden).
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
    data = frame.copy()
    data["_period"] = _periods(data["period"]).to_numpy()
    groups = sorted(data[by].dropna().unique(), key=str)
    ncols = max(1, min(ncols, len(groups)))
    nrows = max(1, -(-len(groups) // ncols))
    with style():
        fig, axes = _new_figure(
            nrows, ncols, figsize=(8, 1.9 * nrows + 0.9), sharex=True, sharey=True
        )
        for i, ax in enumerate(axes.flat):
            if i >= len(groups):
                ax.set_visible(False)
                continue
            if i + ncols >= len(groups):
                # The panel below is empty: this panel carries the column's date labels.
                ax.xaxis.set_tick_params(labelbottom=True)
            part = data[data[by] == groups[i]].sort_values("_period")
            ax.fill_between(part["_period"], part[value], color=PALETTE[0], alpha=0.25, lw=0)
            ax.plot(part["_period"], part[value], color=PALETTE[0], lw=1.6)
            ax.set_title(_shorten(groups[i], 28), fontsize=10)
            if value == "ratio":
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            _format_date_axis(ax)
        # One scale for every panel (set once: set_ylim per panel would freeze the first).
        top = float(data[value].max()) if len(data) else 0.0
        axes[0, 0].set_ylim(0, top * 1.08 if top > 0 else 1)
        label = "Share of all articles" if value == "ratio" else "Articles"
        fig.supylabel(label, fontsize=10)
        fig.suptitle(title or "Coverage over time by topic", x=0.01, ha="left", fontweight="bold")
        _add_note(fig, source_note(frame, note))
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
            fig, axes = _new_figure(figsize=(8, max(2.5, 0.28 * len(data) + 1.4)))
            ax = axes[0, 0]
        fig = ax.figure
        y = np.arange(len(data))
        colours = [PALETTE[2] if v >= 0 else PALETTE[3] for v in data[score]]
        ax.barh(y, data[score], color=colours)
        ax.set_yticks(y, [_shorten(t, 30) for t in data["term"]])
        ax.invert_yaxis()
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
        ax.set_xlim(min(0.0, float(data[score].min()) if len(data) else 0.0), right * 1.2 or 1.0)
        ax.set_title(title or "Distinctive terms")
        ax.text(
            1.0,
            1.01,
            "labels: count in topic / in background",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color="#444444",
        )
        _add_note(fig, source_note(frame, note))
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
        fig.savefig(path, format=fmt, metadata=_FIXED_METADATA[fmt])
    return path
