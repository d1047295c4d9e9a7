"""Rendered charts: no empty panel and no overlapping text, on every chart function and
every data shape (policykit.charts_check, which renders with Agg and reads the pixels).

The checks are first shown to fail on figures made to be wrong (a blank Axes, bars in the
background colour, a title over the data, a long title not wrapped, the old corner note),
then required to pass on every chart × {short, long, single, zeros}, on long titles and
notes, and on a demo-like frame.
"""

from __future__ import annotations

import chart_frames as F
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import policykit
from policykit import charts, charts_check
from policykit.charts_layout import new_figure

matplotlib.use("Agg")

# Small renders keep the suite fast; the checks work in pixels of whatever dpi is used.
DPI = 60
LONG_TITLE = (
    "GDPR, the EU AI Act and the Digital Services Act: coverage across Indian and European "
    "outlets, per period, with the spikes that stand out marked and labelled"
)
LONG_NOTE = (
    "Media Cloud export of 12 collections, the GDELT DOC API artlist for the same query "
    "and a Scrapy crawl of 19 outlets, deduplicated by URL and content hash; undated "
    "articles are left out (https://example.org/a/very/long/path/that/cannot/break/at/"
    "spaces/anywhere/in/it)"
)


def _monthly(frame: pd.DataFrame) -> pd.DataFrame:
    """by_outlet aggregated to months, as coverage_over_time(interval="month") would be."""
    out = frame.assign(period=frame["period"].dt.to_period("M").dt.start_time)
    out = out.groupby(["period", "outlet"], as_index=False)[["count", "total_count"]].sum()
    out["ratio"] = out["count"] / out["total_count"]
    out.attrs.update(interval="month")
    return out


CHARTS = {
    "coverage": lambda c, **kw: charts.plot_coverage(F.coverage(c), F.spikes(c), **kw),
    "outlet_share": lambda c, **kw: charts.plot_outlet_share_over_time(F.by_outlet(c), **kw),
    "outlet_share_per_month": lambda c, **kw: charts.plot_outlet_share_over_time(
        _monthly(F.by_outlet(c)), **kw
    ),
    "heatmap": lambda c, **kw: charts.plot_outlet_heatmap(F.by_outlet(c), **kw),
    "outlet_mix": lambda c, **kw: charts.plot_outlet_mix(F.mix(c), **kw),
    "share_of_voice": lambda c, **kw: charts.plot_share_of_voice(F.voice(c), **kw),
    "small_multiples": lambda c, **kw: charts.plot_coverage_small_multiples(F.by_topic(c), **kw),
    "terms": lambda c, **kw: charts.plot_terms(F.terms(c), **kw),
}


# --- the checks fail on what they are meant to catch ---------------------------------


def test_blank_axes_is_empty():
    fig, _ = new_figure(figsize=(4, 3))
    assert [name for name, _ in charts_check.empty_axes(fig)] == ["axes 0"]
    assert charts_check.problems(fig, dpi=DPI) == ["axes 0: empty (0.00% ink)"]


def test_gridlines_alone_are_not_ink():
    fig, axes = new_figure(figsize=(4, 3))
    ax = axes[0, 0]
    ax.grid(True, axis="both", color="#b0b0b0", linewidth=1.5)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    assert len(charts_check.empty_axes(fig)) == 1


@pytest.mark.parametrize(
    "spoil",
    [
        # bars drawn in the background colour
        lambda ax: ax.bar([1, 2, 3], [3, 4, 5], color="white"),
        # data outside the view
        lambda ax: (ax.plot([20, 30], [1, 2]), ax.set_xlim(0, 10)),
        # an all-zero bar chart: nothing to see
        lambda ax: ax.bar([1, 2, 3], [0, 0, 0]),
    ],
    ids=["background-colour", "outside-view", "zero-bars"],
)
def test_spoiled_axes_are_empty(spoil):
    fig, axes = new_figure(figsize=(4, 3))
    spoil(axes[0, 0])
    assert len(charts_check.empty_axes(fig)) == 1


def test_chart_with_its_data_removed_is_empty():
    fig = charts.plot_outlet_mix(F.mix("short"))
    assert charts_check.empty_axes(fig) == []
    (ax,) = fig.axes
    for artist in [*ax.patches, *ax.texts]:
        artist.remove()
    assert len(charts_check.empty_axes(fig)) == 1


def test_one_small_bar_is_not_empty():
    fig, axes = new_figure(figsize=(4, 3))
    ax = axes[0, 0]
    ax.bar([5.5], [1], width=0.8)
    ax.set_xlim(0, 19)
    ax.set_ylim(0, 30)  # the bar fills 1/30 of the height and 1/24 of the width
    assert charts_check.empty_axes(fig) == []


def test_overlap_found_for_the_old_corner_note():
    # The layout before issue 10: a left title and a right-aligned corner text above the Axes.
    fig = Figure(figsize=(6.7, 3.5), layout="constrained")
    ax = fig.subplots()
    ax.bar(range(5), range(1, 6))
    with charts.style():
        ax.set_title("Coverage of the EU AI Act and GDPR across outlets", loc="left")
        ax.text(
            1.0,
            1.01,
            "HHI 0.071, effective number of outlets 14.0",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
        )
    found = charts_check.text_overlaps(fig)
    assert ("axes 0 left title", "axes 0 text 'HHI 0.071, effective'") in found


def test_overlap_found_when_the_title_is_not_wrapped():
    fig = charts.plot_outlet_mix(F.mix("short"), title=LONG_TITLE)
    fig._policykit_wrap = []  # what a figure without the wrapping would do
    assert ("title", "figure edge") in charts_check.text_overlaps(fig)


def test_overlap_found_when_the_title_sits_on_the_data():
    fig = charts.plot_terms(F.terms("long"))
    fig._suptitle.set_in_layout(False)
    fig._policykit_wrap = [(a, ax) for a, ax in fig._policykit_wrap if a is not fig._suptitle]
    fig._suptitle.set_position((0.3, 0.55))
    found = charts_check.text_overlaps(fig)
    assert any("title" in pair for pair in found)


# --- every chart passes on every shape of data ---------------------------------------


@pytest.mark.parametrize("case", F.CASES)
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_no_empty_panel_and_no_overlap(chart, case):
    fig = CHARTS[chart](case)
    assert charts_check.problems(fig, dpi=DPI) == []


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_long_title_and_note_fit(chart):
    fig = CHARTS[chart]("short", title=LONG_TITLE, note=LONG_NOTE)
    assert charts_check.problems(fig, dpi=DPI) == []
    # Wrapped, not cut: every word is still there, on more than one line.
    title = fig._suptitle.get_text()
    assert title.count("\n") >= 1 and title.split() == LONG_TITLE.split()
    note = fig._policykit_note.get_text()
    assert note.count("\n") >= 2 and "".join(note.split()) == "".join(
        f"{LONG_NOTE}; policykit v{policykit.__version__}".split()
    )


def test_long_title_at_print_resolution():
    fig = CHARTS["coverage"]("long", title=LONG_TITLE, note=LONG_NOTE)
    assert charts_check.problems(fig, dpi=200) == []


def test_demo_like_heatmap_and_share():
    frame = F.demo_like()
    fig = charts.plot_outlet_heatmap(frame, top=12)
    assert charts_check.problems(fig, dpi=DPI) == []
    fig = charts.plot_outlet_share_over_time(frame)
    assert charts_check.problems(fig, dpi=DPI) == []
    fig = charts.plot_outlet_share_over_time(_monthly(frame))
    assert charts_check.problems(fig, dpi=DPI) == []


def test_ink_share_grows_with_the_data():
    # A sanity check of the measure itself: more bars, more ink.
    shares = []
    for n in (1, 4, 16):
        fig, axes = new_figure(figsize=(4, 3))
        ax = axes[0, 0]
        ax.bar(np.arange(n), np.ones(n), width=0.8)
        ax.set_xlim(-0.5, 15.5)
        ax.set_ylim(0, 1)
        rgba = charts_check.render(fig, DPI)
        shares.append(charts_check.ink(fig, ax, rgba))
    assert shares[0] < shares[1] < shares[2]
    assert shares[2] == pytest.approx(0.8, abs=0.08)


def _close_spikes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three years of weeks with four spikes in five weeks (as the demo's data_breaches
    series has), each with a long top title, and a tall bar beside the first."""
    periods = pd.date_range("2022-01-03", periods=156, freq="W-MON", tz="UTC")
    counts = np.full(156, 20)
    weeks = [60, 61, 63, 64]
    counts[weeks] = [150, 156, 140, 149]
    counts[59] = 155  # a neighbour nearly as tall as the spikes
    totals = counts + 400
    frame = pd.DataFrame(
        {"period": periods, "count": counts, "total_count": totals, "ratio": counts / totals}
    )
    frame.attrs.update(n_outlets=19, start="2022-01-03", end="2024-12-29")
    spikes = pd.DataFrame(
        {
            "period": periods[weeks],
            "count": counts[weeks],
            "top_title": [
                f"Regulator fines retailer over breach of {n} million records" for n in weeks
            ],
        }
    )
    return frame, spikes


def _label_and_bar_boxes(fig):
    from matplotlib.text import Text

    charts_check.render(fig, dpi=DPI)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [Text.get_window_extent(t, renderer) for t in ax.texts]
    bars = [p.get_window_extent(renderer) for p in ax.patches]
    return labels, bars, ax.get_window_extent(renderer)


def _meet(a, b) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5


def test_overlap_found_for_two_spike_labels_on_each_other():
    # Spike labels as they were placed before: adjacent weeks, the same offset.
    frame, spikes = _close_spikes()
    fig = charts.plot_coverage(frame, spikes)
    fig._policykit_before_draw = []  # no placement
    found = charts_check.text_overlaps(fig, slack=0.5)
    pairs = [(a, b) for a, b in found if " text " in a and " text " in b]
    assert pairs, found
    assert all(a.startswith("axes 0 text") and b.startswith("axes 0 text") for a, b in pairs)


def test_close_spike_labels_clear_each_other_and_the_bars():
    frame, spikes = _close_spikes()
    fig = charts.plot_coverage(frame, spikes)
    assert charts_check.text_overlaps(fig) == []
    assert charts_check.problems(fig, dpi=DPI) == []
    labels, bars, frame_box = _label_and_bar_boxes(fig)
    assert len(labels) == 4
    for i, a in enumerate(labels):
        assert not any(_meet(a, b) for b in labels[i + 1 :])
        assert not any(_meet(a, bar) for bar in bars)
        # Inside the counts panel (headroom grown when stacking needs it).
        assert frame_box.x0 - 0.5 <= a.x0 and a.x1 <= frame_box.x1 + 0.5
        assert a.y1 <= frame_box.y1 + 0.5


def _outbreak_days():
    """The hantavirus brief by day: 34 days, quiet, then spikes on the last four days
    (96, 349, 363, 562 topic articles), right at the end of the axis."""
    periods = pd.date_range("2026-04-03", periods=34, freq="D", tz="UTC")
    counts = np.zeros(34, dtype=int)
    counts[[0, 4, 11, 14, 20, 27, 28]] = [2, 1, 1, 1, 1, 2, 2]
    counts[-4:] = [96, 349, 363, 562]
    totals = counts + 5
    frame = pd.DataFrame(
        {"period": periods, "count": counts, "total_count": totals, "ratio": counts / totals}
    )
    frame.attrs.update(n_outlets=215, start="2026-04-03", end="2026-05-06")
    spikes = pd.DataFrame(
        {
            "period": periods[-4:],
            "count": counts[-4:],
            "top_title": [
                "Three dead in suspected hantavirus outbreak on Atlantic cruise ship",
                "What to Know About Hantavirus, the Illness Suspected in a Cruise Ship",
                "How a deadly hantavirus outbreak unfolded on a cruise ship for weeks",
                "Hantavirus is on the rise in Argentina, where a stricken cruise ship began",
            ],  # titles from the Media Cloud export (../shared/eval/mediacloud_search_hantavirus)
        }
    )
    return frame, spikes


@pytest.mark.parametrize("case", ["outbreak", "close"])
def test_a_leader_line_runs_to_its_own_marker_under_no_other_label(case):
    frame, spikes = _outbreak_days() if case == "outbreak" else _close_spikes()
    fig = charts.plot_coverage(frame, spikes)
    charts_check.render(fig, dpi=DPI)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    from matplotlib.text import Text

    labels = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    boxes = [Text.get_window_extent(a, renderer) for a in labels]
    leaders = crossings = 0
    for i, annotation in enumerate(labels):
        leader = annotation.arrow_patch
        if not leader.get_visible():
            continue
        leaders += 1
        points = leader.get_path().vertices  # display pixels
        x_data, y_data = annotation.xy
        marker = ax.transData.transform((ax.xaxis.convert_units(x_data), y_data))
        # It ends at its own marker and leaves its label straight above it.
        assert np.abs(points[:, 0] - marker[0]).max() <= 1.5, (annotation.get_text(), points)
        top = points[np.argmax(points[:, 1])]
        assert abs(top[1] - boxes[i].y0) <= 1.5
        for t in np.linspace(0, 1, 25):
            x, y = points[0] + t * (points[-1] - points[0])
            for j, other in enumerate(boxes):
                if j != i:
                    inside = (
                        other.x0 + 0.5 < x < other.x1 - 0.5 and other.y0 + 0.5 < y < other.y1 - 0.5
                    )
                    if inside:
                        crossings += 1
                        # Hidden under a lower label (drawn over it), never over its text.
                        assert labels[j].get_zorder() > annotation.get_zorder()
    assert leaders >= 1  # the case stacks labels, so some are lifted
    if case == "outbreak":
        # Right-aligned labels at the end of the axis: each leader clears the others.
        assert crossings == 0
