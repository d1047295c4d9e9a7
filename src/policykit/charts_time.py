"""Time axes for :mod:`policykit.charts`: period extents, ticks and labels that fit the data.

A chart of 19 days and a chart of 6 years need different ticks: days ("3 May"), weeks
(Mondays), months ("Mar"), quarters, years. The axis always spans exactly the periods
drawn (first period's start to last period's end, plus 1 %), never matplotlib's
two-year fallback around a single date.

Ticks are computed here, not by matplotlib's AutoDateLocator, so that the same data always
gets the same ticks, day ticks sit in the middle of their day (under the day's bar), and
a year is printed on the first tick and wherever it changes.

>>> plan = tick_plan(pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-20"), "day", 19)
>>> plan.unit, plan.step, plan.centred
('day', 3, True)
>>> suggest_interval("2024-05-01", "2024-05-19")
'day'
>>> suggest_interval("2021-01-01", "2024-12-31")
'quarter'
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, Formatter, NullLocator

#: Intervals, finest first (the trend functions' ``interval`` values).
INTERVALS = ("day", "week", "month", "quarter", "year")
_OFFSET = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
    "year": pd.DateOffset(years=1),
}
_PERIOD_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
_FREQ = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS", "year": "YS"}
_NOUN = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}
#: Coarse periods (months, quarters, years) are labelled one by one up to this many.
MAX_CENTRED = 12


def plural(n: int, interval: str) -> str:
    """``"1 day"``, ``"19 days"``."""
    noun = _NOUN.get(interval, interval)
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def infer_interval(periods, attrs: dict | None = None) -> str:
    """The interval of a frame: ``attrs["interval"]`` when the trend function set it, else
    the median gap between distinct periods (one period alone: ``day``)."""
    interval = (attrs or {}).get("interval")
    if interval in INTERVALS:
        return interval
    unique = np.sort(pd.to_datetime(pd.Series(periods)).dropna().unique())
    if len(unique) < 2:
        return "day"
    gap = float(np.median(np.diff(unique).astype("timedelta64[s]").astype(float))) / 86400
    for name, limit in (("day", 1.5), ("week", 8), ("month", 32), ("quarter", 95)):
        if gap <= limit:
            return name
    return "year"


def period_ends(starts: pd.Series, interval: str) -> pd.Series:
    """The end (exclusive) of each period that starts at ``starts``."""
    starts = pd.Series(pd.to_datetime(starts)).reset_index(drop=True)
    return pd.Series([s + _OFFSET[interval] for s in starts], dtype=starts.dtype)


def full_grid(starts, interval: str) -> pd.DatetimeIndex:
    """Every period from the first to the last start, when ``starts`` lie on the
    interval's grid (as trend frames do); otherwise the distinct starts themselves."""
    unique = pd.DatetimeIndex(pd.to_datetime(pd.Series(starts)).dropna().unique()).sort_values()
    if len(unique) < 2:
        return unique
    grid = pd.date_range(unique[0], unique[-1], freq=_FREQ[interval])
    return grid if unique.isin(grid).all() else unique


def extent(starts, interval: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First period's start and last period's end."""
    starts = pd.to_datetime(pd.Series(starts)).dropna()
    return starts.min(), starts.max() + _OFFSET[interval]


def suggest_interval(start, end, min_periods: int = 6) -> str:
    """The coarsest interval that splits ``start``–``end`` (inclusive days) into at least
    ``min_periods`` periods: a share "per month" over 19 days becomes a share per day.

    Use it to pick an interval for a period you do not know in advance.
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    for name in reversed(INTERVALS):
        if len(pd.period_range(first, last, freq=_PERIOD_FREQ[name])) >= min_periods:
            return name
    return "day"


@dataclass(frozen=True)
class TickPlan:
    """Which ticks a time axis gets: ``unit`` (day, week, month, year, or ``period`` for
    one label per coarse period), every ``step`` units, ``centred`` in their unit."""

    unit: str
    step: int
    centred: bool


# Candidate ticks, finest first: (unit, step, typical days between ticks).
_CANDIDATES = (
    ("day", 1, 1),
    ("day", 2, 2),
    ("day", 3, 3),
    ("week", 1, 7),
    ("week", 2, 14),
    ("month", 1, 30.4),
    ("month", 2, 60.9),
    ("month", 3, 91.3),
    ("month", 6, 182.6),
    ("year", 1, 365.25),
    ("year", 2, 730.5),
    ("year", 5, 1826),
    ("year", 10, 3652),
    ("year", 25, 9131),
    ("year", 100, 36525),
)
_FINEST = {"day": 0, "week": 3, "month": 5, "quarter": 5, "year": 9}
# Width of a tick label (inches at 9 pt), to fit the ticks to the axes.
_LABEL_INCHES = {"day": 0.62, "week": 0.62, "month": 0.42, "year": 0.5, "period": 0.4}


def tick_plan(
    left: pd.Timestamp,
    right: pd.Timestamp,
    interval: str,
    n_periods: int,
    axes_inches: float = 5.5,
) -> TickPlan:
    """The finest ticks over ``left``–``right`` whose labels fit ``axes_inches`` (at most
    ten; twelve one-period labels), never finer than the data: weekly data gets Mondays,
    monthly data months."""

    def fits(unit: str, count: float) -> bool:
        most = 12 if unit == "period" else 10
        return count <= min(most, max(2, int(axes_inches / _LABEL_INCHES[unit]))) + 0.05

    if interval in ("month", "quarter", "year") and n_periods <= MAX_CENTRED:
        step = 1
        while not fits("period", n_periods / step):
            step += 1
        return TickPlan("period", step, True)
    days = (right - left) / pd.Timedelta(days=1)
    for unit, step, every in _CANDIDATES[_FINEST[interval] :]:
        if fits(unit, days / every):
            return TickPlan(unit, step, unit == "day")
    return TickPlan("year", 100, False)


def tick_dates(
    left: pd.Timestamp, right: pd.Timestamp, plan: TickPlan, starts=None, interval="day"
) -> pd.DatetimeIndex:
    """Tick positions for ``plan`` inside ``left``–``right``."""
    first = left.normalize()
    if plan.unit == "period":
        periods = pd.DatetimeIndex(sorted(pd.to_datetime(pd.Series(starts)).dropna().unique()))
        ends = pd.DatetimeIndex(period_ends(pd.Series(periods), interval))
        return (periods + (ends - periods) / 2)[:: plan.step]
    if plan.unit == "day":
        ticks = pd.date_range(first, right, freq=f"{plan.step}D")
        ticks = ticks + pd.Timedelta(hours=12)
    elif plan.unit == "week":
        ticks = pd.date_range(first, right, freq="W-MON")[:: plan.step]
    elif plan.unit == "month":
        ticks = pd.date_range(first, right, freq="MS")
        ticks = ticks[(ticks.month - 1) % plan.step == 0]
    else:
        ticks = pd.date_range(first, right, freq="YS")
        ticks = ticks[ticks.year % plan.step == 0]
    ticks = ticks[(ticks >= left) & (ticks <= right)]
    if not len(ticks):
        # No round date inside the span (a long span on a narrow axis): its middle.
        middle = left + (right - left) / 2
        ticks = pd.DatetimeIndex([middle.normalize() if plan.unit != "year" else middle])
    return ticks


def tick_labels(ticks: pd.DatetimeIndex, plan: TickPlan, interval: str) -> list[str]:
    """Labels with the year on the first tick and wherever the year changes."""
    labels, previous_year = [], None
    for tick in ticks:
        if plan.unit == "year" or (plan.unit == "period" and interval == "year"):
            labels.append(f"{tick.year}")
            continue
        if plan.unit in ("day", "week"):
            text = f"{tick.day} {tick:%b}"
        elif plan.unit == "period" and interval == "quarter":
            text = f"Q{tick.quarter}"
        else:
            text = f"{tick:%b}"
        if tick.year != previous_year:
            text = f"{text}\n{tick.year}"
        previous_year = tick.year
        labels.append(text)
    return labels


class _FixedDateLabels(Formatter):
    """Labels computed with their ticks (a Formatter so matplotlib keeps them aligned)."""

    def __init__(self, positions, labels):
        self._labels = dict(zip(np.round(positions, 6), labels, strict=True))

    def __call__(self, x, pos=None):
        return self._labels.get(round(float(x), 6), "")


def fit_time_axis(ax, starts, interval: str, pad: float = 0.01) -> TickPlan:
    """Limit ``ax``'s x axis to the periods drawn and give it ticks that fit the span.

    Returns the :class:`TickPlan` used (the tests read it)."""
    left, right = extent(starts, interval)
    n_periods = int(pd.Series(pd.to_datetime(pd.Series(starts))).nunique())
    span = right - left
    ax.set_xlim(left - span * pad, right + span * pad)
    figure_inches = ax.figure.get_size_inches()[0]
    plan = tick_plan(
        left, right, interval, n_periods, 0.9 * ax.get_position().width * figure_inches
    )
    ticks = tick_dates(left, right, plan, starts, interval)
    positions = mdates.date2num(ticks.to_pydatetime()) if len(ticks) else np.array([])
    ax.xaxis.set_major_locator(FixedLocator(positions))
    ax.xaxis.set_major_formatter(_FixedDateLabels(positions, tick_labels(ticks, plan, interval)))
    ax.xaxis.set_minor_locator(NullLocator())
    return plan
