"""Synthetic trend frames for the chart tests, in the shapes policykit.trends returns.

Four cases per chart: ``short`` (19 days by day, the topic of issue 10), ``long`` (six
years by week), ``single`` (one period) and ``zeros`` (no topic article at all). Counts
come from a seeded generator, so every case is the same on every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CASES = ("short", "long", "single", "zeros")
OUTLETS = [
    "MediaNama",
    "The Hindu",
    "Scroll.in",
    "<script>alert(1)</script>",
    "Mint",
    "NDTV",
    "Deccan Herald",
    "The Wire",
    "Reuters",
    "BBC",
]
# Outlets in the denominator that never carry the topic (the heatmap must leave them out).
SILENT_OUTLETS = ["Al Jazeera", "Associated Press", "Press Trust of India"]
TOPICS = ["GDPR", "EU AI Act", "data_breaches", "internet_shutdowns"]


def periods(case: str) -> tuple[pd.DatetimeIndex, str]:
    if case in ("short", "zeros"):
        return pd.date_range("2024-05-01", "2024-05-19", freq="D"), "day"
    if case == "long":
        return pd.date_range("2019-01-07", "2024-12-30", freq="W-MON"), "week"
    return pd.DatetimeIndex(["2024-05-01"]), "month"


def _counts(case: str, n: int, seed: int, scale: float = 3.0) -> np.ndarray:
    if case == "zeros":
        return np.zeros(n, dtype=int)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(scale, n)
    if n > 10:
        counts[n // 3] += 25  # a planted spike
    if case == "single":
        counts = np.maximum(counts, 1)
    return counts


def coverage(case: str) -> pd.DataFrame:
    index, interval = periods(case)
    counts = _counts(case, len(index), 1)
    totals = counts + 40 + (np.arange(len(index)) % 7) * 5
    frame = pd.DataFrame(
        {"period": index, "count": counts, "total_count": totals, "ratio": counts / totals}
    )
    frame.attrs.update(interval=interval, n_articles=int(counts.sum()))
    return frame


def spikes(case: str) -> pd.DataFrame:
    frame = coverage(case)
    top = frame.sort_values("count", ascending=False).head(1 if case != "zeros" else 0)
    return top.assign(top_title="Minister defends <b>GDPR</b> rollout")[
        ["period", "count", "top_title"]
    ]


def by_outlet(case: str) -> pd.DataFrame:
    index, interval = periods(case)
    rows = []
    for j, outlet in enumerate(OUTLETS + SILENT_OUTLETS):
        silent = outlet in SILENT_OUTLETS
        counts = np.zeros(len(index), int) if silent else _counts(case, len(index), 10 + j, 1)
        rows += [(p, outlet, int(c)) for p, c in zip(index, counts, strict=True)]
    frame = pd.DataFrame(rows, columns=["period", "outlet", "count"])
    frame["total_count"] = frame.groupby("period")["count"].transform("sum") + 20
    frame["ratio"] = frame["count"] / frame["total_count"]
    frame.attrs.update(interval=interval, by="outlet", n_articles=int(frame["count"].sum()))
    return frame


def mix(case: str) -> pd.DataFrame:
    n = {"short": 6, "long": 40, "single": 1, "zeros": 5}[case]
    names = [f"Outlet {i:02d}" for i in range(n)]
    counts = np.zeros(n, int) if case == "zeros" else np.sort(_counts(case, n, 3, 20))[::-1] + 1
    total = counts.sum()
    frame = pd.DataFrame({"outlet": names, "count": counts, "ratio": counts / (total or 1)})
    frame.attrs.update(n_articles=int(total))
    return frame


def voice(case: str) -> pd.DataFrame:
    index, interval = periods(case)
    rows = []
    for j, item in enumerate(TOPICS):
        counts = _counts(case, len(index), 20 + j, 2)
        rows += [(p, item, int(c)) for p, c in zip(index, counts, strict=True)]
    frame = pd.DataFrame(rows, columns=["period", "item", "count"])
    total = frame.groupby("period")["count"].transform("sum")
    frame["total_count"] = total
    frame["share"] = frame["count"] / total.replace(0, np.nan)
    frame["share"] = frame["share"].fillna(0)
    frame.attrs.update(interval=interval)
    return frame


def by_topic(case: str) -> pd.DataFrame:
    frame = voice(case).rename(columns={"item": "topic"})
    frame["total_count"] = frame["total_count"] + 30
    frame["ratio"] = frame["count"] / frame["total_count"]
    return frame.drop(columns="share")


def terms(case: str) -> pd.DataFrame:
    n = {"short": 5, "long": 40, "single": 1, "zeros": 4}[case]
    rng = np.random.default_rng(5)
    z = np.zeros(n) if case == "zeros" else np.sort(rng.normal(2, 2, n))[::-1]
    return pd.DataFrame(
        {
            "term": [f"term {i}" for i in range(n)],
            "ngram": 1,
            "count_topic": rng.integers(1, 50, n),
            "count_background": rng.integers(1, 500, n),
            "log_odds": z / 3,
            "z": z,
        }
    )


def demo_like(seed: int = 7) -> pd.DataFrame:
    """28 days by day and 70 outlets, of which 7 carry the topic's 28 articles: the
    frame behind issue 10's heatmap ("28 articles from 70 outlets")."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2023-08-01", periods=28, freq="D")
    outlets = [f"Outlet {i:02d}" for i in range(70)]
    carrying = set(rng.choice(70, 7, replace=False))
    counts = np.zeros((70, 28), int)
    for article in range(28):
        counts[sorted(carrying)[article % 7], rng.integers(0, 28)] += 1
    rows = [(p, outlets[i], int(counts[i, d])) for i in range(70) for d, p in enumerate(index)]
    frame = pd.DataFrame(rows, columns=["period", "outlet", "count"])
    frame["total_count"] = 50
    frame["ratio"] = frame["count"] / 50
    frame.attrs.update(
        interval="day", by="outlet", n_articles=28, start="2023-08-01", end="2023-08-28"
    )
    return frame
