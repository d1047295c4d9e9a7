"""policykit.charts: structure of each chart, the source note, byte-stable files.

Frames are built by hand with exactly the columns the trend functions document.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import policykit
from policykit import charts
from policykit.errors import ConfigError

matplotlib.use("Agg")

PERIODS = pd.date_range("2024-01-01", periods=12, freq="W-MON", tz="UTC")
OUTLETS = ["MediaNama", "The Hindu", "Scroll", "<script>alert(1)</script>", "Mint", "NDTV"]
TOPICS = ["facial_recognition", "data_protection", "net_neutrality", "ai_regulation"]


@pytest.fixture
def coverage() -> pd.DataFrame:
    counts = np.array([3, 5, 4, 0, 6, 18, 7, 5, 4, 6, 3, 2])
    totals = counts + 100
    frame = pd.DataFrame(
        {"period": PERIODS, "count": counts, "total_count": totals, "ratio": counts / totals}
    )
    frame.attrs.update(n_outlets=6, start="2024-01-01", end="2024-03-24")
    return frame


@pytest.fixture
def spikes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": PERIODS[[5]],
            "count": [18],
            "score": [4.2],
            "top_title": ["Minister defends <img src=x onerror=alert(1)> rollout"],
        }
    )


@pytest.fixture
def by_outlet() -> pd.DataFrame:
    rows = [
        (p, o, (i * 7 + j * 3) % 5) for i, p in enumerate(PERIODS) for j, o in enumerate(OUTLETS)
    ]
    frame = pd.DataFrame(rows, columns=["period", "outlet", "count"])
    frame["total_count"] = 100
    frame["ratio"] = frame["count"] / 100
    return frame


@pytest.fixture
def mix() -> pd.DataFrame:
    counts = np.array([40, 25, 15, 10, 6, 4])
    frame = pd.DataFrame({"outlet": OUTLETS, "count": counts, "ratio": counts / counts.sum()})
    hhi = float((frame["ratio"] ** 2).sum())
    frame.attrs.update(hhi=hhi, effective_outlets=1 / hhi, n_articles=100)
    return frame


@pytest.fixture
def voice() -> pd.DataFrame:
    rows = [
        (p, t, (i + 2 * j) % 6 + 1) for i, p in enumerate(PERIODS) for j, t in enumerate(TOPICS)
    ]
    frame = pd.DataFrame(rows, columns=["period", "item", "count"])
    frame["total_count"] = frame.groupby("period")["count"].transform("sum")
    frame["share"] = frame["count"] / frame["total_count"]
    return frame


@pytest.fixture
def terms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["facial recognition", "police", "cctv", "the", "aadhaar"],
            "ngram": [2, 1, 1, 1, 1],
            "count_topic": [40, 30, 12, 5, 3],
            "count_background": [4, 60, 2, 500, 40],
            "log_odds": [2.1, 0.4, 1.7, -1.2, -0.5],
            "z": [6.0, 1.5, 3.1, -4.0, -1.1],
        }
    )


def _note(fig: Figure) -> str:
    return fig._policykit_note.get_text()


def test_plot_coverage_two_panels(coverage, spikes):
    fig = charts.plot_coverage(coverage, spikes, title="Coverage")
    assert isinstance(fig, Figure)
    count_ax, ratio_ax = fig.axes
    assert count_ax.get_ylabel() == "Articles" and ratio_ax.get_ylabel() == "Share of all articles"
    assert fig._suptitle.get_text() == "Coverage"
    assert len(count_ax.patches) == len(coverage)  # one bar per period
    assert [b.get_height() for b in count_ax.patches] == coverage["count"].tolist()
    assert len(ratio_ax.lines) == 1
    np.testing.assert_allclose(ratio_ax.lines[0].get_ydata(), coverage["ratio"])
    # The spike is marked and labelled with its count and (shortened) title.
    assert len(count_ax.collections) == 1
    labels = [t.get_text() for t in count_ax.texts]
    assert any(t.startswith("18: Minister defends") for t in labels)
    assert _note(fig).startswith(f"{coverage['count'].sum()} articles from 6 outlets, 1 Jan 2024")
    assert _note(fig).endswith(f"policykit v{policykit.__version__}")


def test_plot_coverage_smoothed_and_grouped(coverage, voice):
    smoothed = coverage.assign(
        count_smoothed=coverage["count"].rolling(3, center=True, min_periods=1).mean(),
        ratio_smoothed=coverage["ratio"].rolling(3, center=True, min_periods=1).mean(),
    )
    smoothed.attrs.update(smoothing=3)
    fig = charts.plot_coverage(smoothed)
    ratio_ax = fig.axes[1]
    assert len(ratio_ax.lines) == 2  # raw (faint) and smoothed
    assert "3-period rolling mean" in ratio_ax.get_title(loc="left")
    for interval in ("day", "week"):
        smoothed.attrs.update(interval=interval)
        title = charts.plot_coverage(smoothed).axes[1].get_title(loc="left")
        assert f"3-{interval} rolling mean" in title
    grouped = voice.rename(columns={"item": "topic", "share": "ratio"})
    fig = charts.plot_coverage(grouped)
    assert len(fig.axes[0].lines) == len(TOPICS) == len(fig.axes[1].lines)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == sorted(TOPICS)


def test_plot_coverage_into_given_ax(coverage):
    fig = Figure()
    ax = fig.subplots()
    assert charts.plot_coverage(coverage, ax=ax) is fig
    assert len(fig.axes) == 2  # the given ax and its twin for the ratio


def test_plot_outlet_mix_bars(mix):
    fig = charts.plot_outlet_mix(mix, top=4)
    (ax,) = fig.axes
    assert len(ax.patches) == 5  # 4 outlets + "Other outlets (2)"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "MediaNama" and labels[-1] == "Other outlets (2)"
    assert [p.get_width() for p in ax.patches] == [40, 25, 15, 10, 10]
    assert ax.patches[-1].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(charts.GREY)
    )
    # The concentration is the subtitle, under the title (no corner text to collide with).
    hhi = mix.attrs["hhi"]
    assert ax.get_title(loc="left") == f"HHI {hhi:.3f}, effective number of outlets {1 / hhi:.1f}"
    assert _note(fig).startswith("100 articles from 6 outlets")


def test_plot_outlet_mix_area_and_share_over_time(by_outlet):
    fig = charts.plot_outlet_mix(by_outlet, kind="area", top=3)
    (ax,) = fig.axes
    assert len(ax.collections) == 4  # three outlets + Other outlets, stacked bars
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "Other outlets" and len(legend) == 4
    assert ax.get_ylim() == (0, 1)
    with pytest.raises(ConfigError, match="kind 'pie' is not one of bar, area"):
        charts.plot_outlet_mix(by_outlet, kind="pie")


def test_plot_outlet_heatmap(by_outlet):
    fig = charts.plot_outlet_heatmap(by_outlet, top=4)
    ax = fig.axes[0]
    (mesh,) = ax.collections
    assert mesh.get_array().shape == (4, len(PERIODS))
    assert len(fig.axes) == 2  # heatmap + colour bar
    assert fig.axes[1].get_ylabel() == "Articles"
    totals = by_outlet.groupby("outlet")["count"].sum().sort_values(ascending=False, kind="stable")
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown == [charts._shorten(o, 30) for o in totals.index[:4]]


def test_plot_share_of_voice(voice):
    fig = charts.plot_share_of_voice(voice)
    (ax,) = fig.axes
    assert len(ax.collections) == len(TOPICS)
    # Stacked to 100 % in every period: the top layer's bars all end at 1.
    tops = [path.vertices[:, 1].max() for path in ax.collections[-1].get_paths()]
    assert len(tops) == len(PERIODS) and tops == pytest.approx([1.0] * len(PERIODS))
    one_period = voice[voice["period"] == PERIODS[0]]
    fig = charts.plot_share_of_voice(one_period)
    assert len(fig.axes[0].patches) == len(TOPICS)


def test_plot_small_multiples(voice):
    grouped = voice.rename(columns={"item": "topic", "share": "ratio"})
    fig = charts.plot_coverage_small_multiples(grouped, ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(TOPICS) and len(fig.axes) == 6
    assert [ax.get_title(loc="left") for ax in visible] == sorted(TOPICS)
    top = grouped["ratio"].max()
    assert all(ax.get_ylim()[1] >= top for ax in visible)  # one shared scale
    with pytest.raises(ConfigError, match="value 'share' is not one of ratio, count"):
        charts.plot_coverage_small_multiples(grouped, value="share")


def test_plot_terms(terms):
    fig = charts.plot_terms(terms, top=4)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "facial recognition",
        "cctv",
        "police",
        "aadhaar",
    ]
    assert ax.get_xlabel() == "z-score"
    assert "40 / 4" in [t.get_text().strip() for t in ax.texts]
    fig = charts.plot_terms(terms, score="log_odds")
    assert fig.axes[0].get_xlabel().startswith("Log-odds")


@pytest.mark.parametrize(
    ("func", "frame", "missing"),
    [
        (charts.plot_coverage, pd.DataFrame({"period": []}), "count, ratio"),
        (charts.plot_outlet_mix, pd.DataFrame({"outlet": []}), "count"),
        (charts.plot_terms, pd.DataFrame({"term": []}), "count_topic"),
        (charts.plot_share_of_voice, pd.DataFrame({"item": []}), "period"),
    ],
)
def test_missing_columns_are_named(func, frame, missing):
    with pytest.raises(ConfigError, match=f"has no column\\(s\\) {missing}"):
        func(frame)


def test_polars_frames_get_a_clear_error(coverage):
    with pytest.raises(ConfigError, match=r"\.to_pandas\(\)"):
        charts.plot_coverage(coverage.to_dict())


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        (
            {"n_articles": 1204, "n_outlets": 37},
            "1,204 articles from 37 outlets, weeks of 1 Jan 2024 – 18 Mar 2024",
        ),
        ({"start": "2023-12-01", "end": "2024-01-31"}, "articles, 1 Dec 2023 – 31 Jan 2024"),
    ],
)
def test_source_note_from_attrs(coverage, attrs, expected):
    frame = coverage.copy()
    frame.attrs = attrs
    assert expected in charts.source_note(frame)


def test_source_note_override_and_groups(voice):
    assert charts.source_note(voice, note="Media Cloud export") == (
        f"Media Cloud export; policykit v{policykit.__version__}"
    )
    # Topics overlap, so a share-of-voice frame does not claim an article count.
    assert "articles" not in charts.source_note(voice)


@pytest.mark.parametrize("fmt", charts.SAVE_FORMATS)
def test_save_figure_is_byte_stable(tmp_path, coverage, spikes, fmt):
    first = charts.save_figure(charts.plot_coverage(coverage, spikes), tmp_path / f"a.{fmt}")
    second = charts.save_figure(charts.plot_coverage(coverage, spikes), tmp_path / f"b.{fmt}")
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size > 1000


def test_save_figure_bad_format(tmp_path, coverage):
    with pytest.raises(ConfigError, match="figure format 'jpg' .* is not one of png, svg, pdf"):
        charts.save_figure(charts.plot_coverage(coverage), tmp_path / "a.jpg")


def test_figures_display_as_png_once(coverage):
    data, metadata = charts.plot_coverage(coverage)._repr_png_()
    assert data.startswith(b"\x89PNG")
    # Shown at print size: 170 mm x 100 mm in CSS pixels (96 per inch).
    assert (metadata["width"], metadata["height"]) == (
        round(170 / 25.4 * 96),
        round(100 / 25.4 * 96),
    )
    assert metadata["alt"].startswith("Coverage over time. ")
    assert metadata["alt"].endswith(f"policykit v{policykit.__version__}")


def test_style_is_not_global(coverage):
    before = matplotlib.rcParams["axes.prop_cycle"]
    charts.plot_coverage(coverage)
    assert matplotlib.rcParams["axes.prop_cycle"] == before


# --- issue 10: every chart on short and long periods, A4 sizes, labels, notes ---------

import datetime as dt  # noqa: E402

import chart_frames as F  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from policykit import charts_layout, charts_time  # noqa: E402

TIME_CHARTS = {
    "coverage": lambda c, **kw: charts.plot_coverage(F.coverage(c), F.spikes(c), **kw),
    "outlet_share": lambda c, **kw: charts.plot_outlet_share_over_time(F.by_outlet(c), **kw),
    "heatmap": lambda c, **kw: charts.plot_outlet_heatmap(F.by_outlet(c), **kw),
    "share_of_voice": lambda c, **kw: charts.plot_share_of_voice(F.voice(c), **kw),
    "small_multiples": lambda c, **kw: charts.plot_coverage_small_multiples(F.by_topic(c), **kw),
}
ALL_CHARTS = {
    **TIME_CHARTS,
    "outlet_mix": lambda c, **kw: charts.plot_outlet_mix(F.mix(c), **kw),
    "terms": lambda c, **kw: charts.plot_terms(F.terms(c), **kw),
}


def _render(fig):
    from policykit import charts_check

    charts_check.render(fig, 50)


def _date_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]


@pytest.mark.parametrize("case", ["short", "long", "single"])
@pytest.mark.parametrize("chart", sorted(TIME_CHARTS))
def test_time_axis_fits_the_data(chart, case):
    if case == "single" and chart in ("outlet_share", "share_of_voice"):
        pytest.skip("one period is drawn as bars of shares, without a time axis")
    fig = TIME_CHARTS[chart](case)
    index, interval = F.periods(case)
    first = mdates.date2num(index[0])
    last = mdates.date2num(index[-1] + charts_time._OFFSET[interval])
    span = last - first
    _render(fig)
    shown = []
    for ax in _date_axes(fig):
        low, high = ax.get_xlim()
        # The axis spans the periods drawn: no 2015-2018 axis around 19 days of data.
        assert first - 0.02 * span <= low <= first and last <= high <= last + 0.02 * span
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert 1 <= len(ticks) <= 10
        labels = [lab.get_text() for lab in ax.get_xticklabels() if lab.get_text()]
        if labels:  # the upper panels of a shared axis show none
            assert len(labels) == len(set(labels)) == len(ticks)
        shown += labels
    assert shown, "the date axis has labels"
    if case == "short":
        # Day labels ("3 May"), the year on the first only.
        assert all(lab.split("\n")[0].split()[1] == "May" for lab in shown)
        assert all(lab.count("2024") <= 1 for lab in shown)
    elif case == "long":
        # Years (month names at most), never day labels over six years.
        years = {int(w) for lab in shown for w in lab.split() if w.isdigit() and len(w) == 4}
        assert len(years) >= 2 and years <= set(range(2019, 2026))
        assert not any(lab.split()[0].isdigit() and len(lab.split()[0]) <= 2 for lab in shown)
    else:
        assert any("2024" in lab for lab in shown)


@pytest.mark.parametrize(
    ("left", "right", "interval", "n", "inches", "expected"),
    [
        ("2024-05-01", "2024-05-08", "day", 7, 5.3, ("day", 1, True)),
        ("2024-05-01", "2024-05-20", "day", 19, 5.3, ("day", 3, True)),
        ("2024-05-01", "2024-05-20", "day", 19, 1.5, ("week", 2, False)),
        ("2024-05-06", "2024-05-27", "week", 3, 5.3, ("week", 1, False)),
        ("2024-01-01", "2024-07-01", "week", 26, 5.3, ("month", 1, False)),
        ("2022-01-01", "2025-01-01", "week", 157, 5.3, ("month", 6, False)),
        ("2019-01-07", "2025-01-06", "week", 313, 5.3, ("year", 1, False)),
        ("2024-05-01", "2024-06-01", "month", 1, 5.3, ("period", 1, True)),
        ("2024-01-01", "2025-01-01", "month", 12, 5.3, ("period", 1, True)),
        ("2024-01-01", "2025-01-01", "month", 12, 3.0, ("period", 2, True)),
        ("2022-01-01", "2025-01-01", "month", 36, 5.3, ("month", 6, False)),
        ("1990-01-01", "2025-01-01", "year", 35, 5.3, ("year", 5, False)),
    ],
)
def test_tick_plan(left, right, interval, n, inches, expected):
    plan = charts_time.tick_plan(pd.Timestamp(left), pd.Timestamp(right), interval, n, inches)
    assert (plan.unit, plan.step, plan.centred) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-05-01", "2024-05-19", "day"),
        ("2024-05-01", "2024-07-31", "week"),
        ("2024-01-01", "2024-12-31", "month"),
        ("2021-01-01", "2024-12-31", "quarter"),
        ("2010-01-01", "2024-12-31", "year"),
    ],
)
def test_suggest_interval(start, end, expected):
    assert charts_time.suggest_interval(start, end) == expected


def test_tick_labels_name_the_year_once_and_at_changes():
    ticks = pd.DatetimeIndex(["2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01"])
    plan = charts_time.TickPlan("month", 1, False)
    assert charts_time.tick_labels(ticks, plan, "month") == ["Nov\n2023", "Dec", "Jan\n2024", "Feb"]


def test_infer_interval_from_gaps():
    assert charts_time.infer_interval(pd.date_range("2024-01-01", periods=5, freq="D")) == "day"
    assert (
        charts_time.infer_interval(pd.date_range("2024-01-01", periods=5, freq="W-MON")) == "week"
    )
    assert charts_time.infer_interval(pd.date_range("2024-01-01", periods=5, freq="MS")) == "month"
    assert (
        charts_time.infer_interval(pd.date_range("2024-01-01", periods=5, freq="QS")) == "quarter"
    )
    assert charts_time.infer_interval(pd.date_range("2020-01-01", periods=5, freq="YS")) == "year"
    assert charts_time.infer_interval([pd.Timestamp("2024-01-01")], {"interval": "week"}) == "week"


def test_heatmap_rows_only_for_outlets_with_articles():
    frame = F.demo_like()
    fig = charts.plot_outlet_heatmap(frame, top=12)
    ax = fig.axes[0]
    # Independent count: outlets whose column of counts has anything in it.
    totals = {o: int(frame.loc[frame.outlet == o, "count"].sum()) for o in frame.outlet.unique()}
    carrying = sorted((o for o, n in totals.items() if n), key=lambda o: (-totals[o], o))
    assert [t.get_text() for t in ax.get_yticklabels()] == carrying
    assert len(carrying) == 7
    (mesh,) = ax.collections
    assert mesh.get_array().shape == (7, 28)
    assert (
        ax.get_title(loc="left")
        == "Rows: every outlet with articles; 63 outlets with no article left out"
    )
    assert fig._policykit_note.get_text().startswith(
        "28 articles from the 7 outlets shown, 1 Aug 2023 – 28 Aug 2023"
    )


def test_heatmap_note_counts_the_rows_shown_and_the_rest():
    frame = F.demo_like()
    fig = charts.plot_outlet_heatmap(frame, top=3)
    totals = frame.groupby("outlet")["count"].sum()
    shown = sorted(totals[totals > 0].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    n_shown = sum(n for _, n in shown)
    note = " ".join(fig._policykit_note.get_text().split())
    assert note.startswith(
        f"{n_shown} articles from the 3 outlets shown ({28 - n_shown} more from 4 other outlets)"
    )
    assert (
        fig.axes[0]
        .get_title(loc="left")
        .startswith("Rows: the 3 of 7 outlets with the most articles")
    )


def test_share_per_month_on_19_days_is_not_empty():
    frame = F.by_outlet("short")
    monthly = frame.assign(period=pd.Timestamp("2024-05-01"))
    monthly = monthly.groupby(["period", "outlet"], as_index=False)["count"].sum()
    monthly.attrs.update(interval="month")
    fig = charts.plot_outlet_share_over_time(monthly)
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    total = monthly["count"].sum()
    assert sum(widths) == pytest.approx(1.0) and len(widths) == 7  # 6 outlets + Other
    assert ax.get_title(loc="left").startswith(
        f"One month only (from 1 May 2024): shares of its {total} articles"
    )
    assert ax.get_xlim()[1] <= 1.25  # a share axis, not a time axis


def test_share_forms_by_number_of_periods():
    fig = charts.plot_outlet_share_over_time(F.by_outlet("short"))
    assert fig.axes[0].get_title(loc="left").startswith("One bar per day")
    dense = F.by_outlet("long")
    dense["count"] += 1  # no empty week: more than 36 periods draw a stacked area
    fig = charts.plot_outlet_share_over_time(dense)
    (ax,) = fig.axes
    assert ax.get_title(loc="left") == ""
    assert len(ax.collections) == 7
    assert type(ax.collections[0]).__name__ == "FillBetweenPolyCollection"


def test_zero_data_says_so_in_every_panel():
    for name, make in ALL_CHARTS.items():
        fig = make("zeros")
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(t.startswith("No ") for t in texts), name


def test_coverage_gap_where_no_article_at_all():
    frame = F.coverage("short")
    frame.loc[[3, 4], ["count", "total_count", "ratio"]] = 0
    fig = charts.plot_coverage(frame)
    ratio = fig.axes[1].lines[0].get_ydata()
    assert np.isnan(ratio[3]) and np.isnan(ratio[4]) and not np.isnan(ratio[5])
    assert (
        fig.axes[0].get_title(loc="left") == "2 days of 19 had no articles at all: no share drawn"
    )


@pytest.mark.parametrize("title", ["GDPR", "EU AI Act: coverage per week", "DPDP Act, 2023"])
@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_titles_keep_their_case(chart, title):
    fig = ALL_CHARTS[chart]("short", title=title)
    _render(fig)  # the title is wrapped when drawn; a short one stays as given
    assert fig._suptitle.get_text() == title
    assert fig.alt_text().startswith(title)


def test_panel_titles_keep_their_case():
    fig = charts.plot_coverage_small_multiples(F.by_topic("short"))
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert titles == sorted(F.TOPICS)


def test_small_multiples_labels():
    fig = charts.plot_coverage_small_multiples(
        F.by_topic("short"), labels={"data_breaches": "Data breaches"}
    )
    assert "Data breaches" in [ax.get_title(loc="left") for ax in fig.axes]


@pytest.mark.parametrize("chart", sorted(ALL_CHARTS))
def test_sizes_planned_for_a4(chart):
    fig = ALL_CHARTS[chart]("long")
    width, height = fig.get_size_inches() * 25.4
    assert width == pytest.approx(170)
    assert charts_layout.SMALL_MM - 0.01 <= height <= charts_layout.HALF_PAGE_MM + 0.01
    # Two charts and 50 mm of headings and text fit the 263 mm A4 text block.
    assert 2 * height + 50 <= 263


def test_long_title_makes_the_figure_taller_not_the_plot_smaller():
    short = charts.plot_outlet_mix(F.mix("short"), title="Outlets")
    long = charts.plot_outlet_mix(F.mix("short"), title="Outlets " * 30)
    assert long.get_size_inches()[1] > short.get_size_inches()[1]
    assert long.get_size_inches()[0] == short.get_size_inches()[0]


def test_wrap_text_fits_and_keeps_every_character():
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(1, 1, 72)
    prop = FontProperties(size=10)
    text = "GDPR and the EU AI Act " * 6 + "https://example.org/" + "x" * 120
    wrapped = charts_layout.wrap_text(text, 200, prop, renderer)
    lines = wrapped.split("\n")
    assert len(lines) > 3
    for line in lines:
        assert renderer.get_text_width_height_descent(line, prop, ismath=False)[0] <= 200
    assert "".join(wrapped.split()) == "".join(text.split())


@given(
    start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    n=st.integers(min_value=1, max_value=400),
    interval=st.sampled_from(charts_time.INTERVALS),
    inches=st.floats(min_value=1.2, max_value=7.0),
)
def test_ticks_fit_any_span(start, n, interval, inches):
    # Period starts as the trend functions make them, then the axis that fit_time_axis
    # would set: every tick inside the data's extent, at most 12, labels distinct.
    first = pd.Timestamp(start)
    first = {
        "week": first - pd.Timedelta(days=first.weekday()),
        "month": first.replace(day=1),
        "quarter": first.to_period("Q").start_time,
        "year": first.replace(month=1, day=1),
    }.get(interval, first)
    starts = pd.date_range(first, periods=n, freq=charts_time._FREQ[interval])
    left, right = charts_time.extent(starts, interval)
    plan = charts_time.tick_plan(left, right, interval, n, inches)
    ticks = charts_time.tick_dates(left, right, plan, starts, interval)
    labels = charts_time.tick_labels(ticks, plan, interval)
    assert 1 <= len(ticks) <= 12
    assert ((ticks >= left) & (ticks <= right)).all()
    assert all(labels)
    if plan.unit == "year" or interval == "year":
        assert labels == [str(t.year) for t in ticks]
        return
    # Read left to right, each label names one date: the year is given on the first
    # label and on every label where it changes.
    year, read = None, []
    for tick, label in zip(ticks, labels, strict=True):
        first_line, *rest = label.split("\n")
        year = int(rest[0]) if rest else year
        assert year == tick.year
        read.append((first_line, year))
    assert len(set(read)) == len(read)


@pytest.mark.parametrize(
    ("periods", "interval", "expected"),
    [
        (pd.date_range("2024-05-01", "2024-05-19"), "day", "1 May 2024 – 19 May 2024"),
        (
            pd.date_range("2024-05-06", periods=4, freq="W-MON"),
            "week",
            "weeks of 6 May 2024 – 27 May 2024",
        ),
        (pd.DatetimeIndex(["2024-05-06"]), "week", "week of 6 May 2024"),
        (pd.DatetimeIndex(["2024-05-01"]), "month", "May 2024"),
        (pd.date_range("2024-01-01", periods=12, freq="MS"), "month", "Jan 2024 – Dec 2024"),
        (pd.date_range("2023-04-01", periods=3, freq="QS"), "quarter", "Q2 2023 – Q4 2023"),
        (pd.date_range("2020-01-01", periods=5, freq="YS"), "year", "2020 – 2024"),
    ],
)
def test_note_names_the_periods_it_covers(periods, interval, expected):
    # Without start/end, a note names periods: a single month is "May 2024", never
    # "1 May 2024 – 1 May 2024" (which claimed one day) or days the data do not reach.
    frame = pd.DataFrame({"period": periods, "count": 1})
    frame.attrs.update(interval=interval)
    assert charts.source_note(frame).startswith(f"{len(periods)} articles, {expected}; ")


def test_into_a_callers_figure_the_subtitle_joins_the_note():
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    frame = F.mix("short")
    frame.loc[len(frame)] = ["Silent outlet", 0, 0.0]
    charts.plot_outlet_mix(frame, ax=ax, title="GDPR: outlets")
    assert ax.get_title(loc="left") == "GDPR: outlets"  # the caller's figure: on the Axes
    assert fig._suptitle is None
    note = fig._policykit_note.get_text()
    assert "1 outlet with no article not shown" in note and note.startswith("HHI ")


def test_percent_ticks_carry_no_needless_decimals():
    import re

    # The landscape's small multiples: shares under 50% were labelled "20.0%".
    fig = charts.plot_coverage_small_multiples(F.by_topic("long"))
    fig.canvas.draw()
    shown = 0
    for ax in fig.axes:
        low, high = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if low - 1e-12 <= t <= high + 1e-12]
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        for tick, text in zip(ticks, labels, strict=False):
            shown += 1
            assert re.fullmatch(r"\d+(\.\d*[1-9])?%", text), text  # no "20.0%"
            assert float(text.rstrip("%")) == pytest.approx(tick * 100)
    assert shown
