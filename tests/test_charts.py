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
        ({"n_articles": 1204, "n_outlets": 37}, "1,204 articles from 37 outlets, 1 Jan 2024"),
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
