"""W3: trends over 10 million articles, against the same computation in pandas.

Data: ``n`` rows from :func:`policykit.demo.load_articles` (articles plus their
article_topics), loaded once into ``bench-data/w3-articles-<n>.duckdb`` and reused.

Timed, in one process, on the same data (median of ``repeat`` warm runs, after one
untimed warm-up run each):

- ``coverage``: ``coverage_over_time(con, topic, interval="day")``: daily counts, all
  articles per day (the denominator), ratio, zero-filled;
- ``outlet_mix``: ``outlet_mix(con, topic)``: per-outlet counts, shares, HHI;
- the same two results computed with pandas from frames already in memory (loading
  them is not part of the comparison; its time is reported separately, for context): ``isin`` on the topic's article ids, ``groupby`` per day / outlet,
  a reindex over every day for the zero fill.

The results of the two are compared (counts must be equal), so the speed-up is for the
same numbers. Targets: each policykit call <= 0.5 s and >= 10x faster than pandas. The
machine is shared, so the 1-minute load average is reported beside the times, and so
is the CPU time of each call (``time.process_time``: this process and all its threads)
with the best case it allows on two otherwise idle cores (CPU seconds / 2, as DuckDB
runs on both; pandas runs on one).

Run: ``python -m bench --only W3`` (one harness run; the figures inside it are medians
of warm calls) or ``.venv/bin/python -m bench.w3_trends [n] [repeat]`` (default
10,000,000 and 5). Through the harness the ratios are ``x_pandas_coverage`` and
``x_pandas_outlet_mix``: pandas seconds / policykit seconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
TARGET_SPEEDUP = 10.0
DATA_DIR = Path(__file__).resolve().parents[1] / "bench-data"


def database(n: int, data_dir: Path = DATA_DIR) -> Path:
    """The cached benchmark database of ``n`` articles (built once, brought up to the
    current schema when reused: the timed connection is read-only and cannot migrate)."""
    from policykit.demo import load_articles
    from policykit.store import connect

    path = data_dir / f"w3-articles-{n}.duckdb"
    if path.exists():
        connect(path).close()
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    con = connect(partial)
    load_articles(con, n)
    con.execute("CHECKPOINT")
    con.close()
    partial.rename(path)
    return path


def _timed(func, repeat: int) -> tuple[float, float, object]:
    """Median wall-clock and median CPU seconds (this process, all its threads) of
    ``repeat`` runs after one untimed warm-up run."""
    result = func()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _pandas_coverage(articles, topic_ids):
    import pandas as pd

    day = articles["published_at"].dt.floor("D")
    hit = articles["article_id"].isin(topic_ids)
    totals = day.groupby(day).size()
    counts = day[hit].groupby(day[hit]).size()
    full = pd.date_range(totals.index.min(), totals.index.max(), freq="D", tz=totals.index.tz)
    frame = pd.DataFrame(
        {
            "count": counts.reindex(full, fill_value=0),
            "total_count": totals.reindex(full, fill_value=0),
        }
    )
    frame["ratio"] = (frame["count"] / frame["total_count"]).fillna(0.0)
    return frame


def _pandas_mix(articles, topic_ids):
    hit = articles["article_id"].isin(topic_ids)
    counts = articles.loc[hit, "outlet"].value_counts()
    ratio = counts / counts.sum()
    return counts, ratio, float((ratio**2).sum())


def run(n: int = 10_000_000, repeat: int = 5, data_dir: Path = DATA_DIR) -> dict:
    """Measure W3 on ``n`` articles; returns a flat dict of results."""
    from policykit.store import connect
    from policykit.trends import coverage_over_time, outlet_mix

    started = time.perf_counter()
    path = database(n, data_dir)
    prepare_s = time.perf_counter() - started
    con = connect(path, read_only=True)
    topic = con.execute(
        "SELECT topic FROM article_topics GROUP BY topic ORDER BY count(*) DESC, topic LIMIT 1"
    ).fetchall()[0][0]
    matched = con.execute(
        "SELECT count(*) FROM article_topics WHERE topic = ?", [topic]
    ).fetchall()[0][0]

    cov_s, cov_cpu, cov = _timed(lambda: coverage_over_time(con, topic, interval="day"), repeat)
    mix_s, mix_cpu, mix = _timed(lambda: outlet_mix(con, topic, top=None), repeat)

    # pandas: the same data, in memory before the clock starts.
    load_wall, load_cpu = time.perf_counter(), time.process_time()
    articles = con.execute(
        "SELECT article_id, coalesce(outlet, domain, 'unknown') AS outlet, published_at "
        "FROM articles WHERE published_at IS NOT NULL"
    ).df()
    topic_ids = con.execute("SELECT article_id FROM article_topics WHERE topic = ?", [topic]).df()[
        "article_id"
    ]
    load_wall, load_cpu = time.perf_counter() - load_wall, time.process_time() - load_cpu
    pd_repeat = max(1, repeat // 2)
    pd_cov_s, pd_cov_cpu, pd_cov = _timed(lambda: _pandas_coverage(articles, topic_ids), pd_repeat)
    pd_mix_s, pd_mix_cpu, pd_mix = _timed(lambda: _pandas_mix(articles, topic_ids), pd_repeat)
    load_avg = os.getloadavg()[0]
    con.close()

    same_coverage = list(cov["count"]) == list(pd_cov["count"]) and list(
        cov["total_count"]
    ) == list(pd_cov["total_count"])
    same_mix = dict(zip(mix["outlet"], mix["count"], strict=True)) == pd_mix[0].to_dict()
    return {
        "workload": "W3 trends",
        "articles": n,
        "topic": topic,
        "topic_articles": matched,
        "prepare_s": round(prepare_s, 1),
        "seconds": {
            "coverage": cov_s,
            "coverage_pandas": pd_cov_s,
            "outlet_mix": mix_s,
            "outlet_mix_pandas": pd_mix_s,
        },  # unrounded, for the harness
        "coverage_s": round(cov_s, 3),
        "coverage_pandas_s": round(pd_cov_s, 3),
        "coverage_speedup": round(pd_cov_s / cov_s, 1),
        "coverage_periods": len(cov),
        "coverage_cpu_s": round(cov_cpu, 3),
        "coverage_pandas_cpu_s": round(pd_cov_cpu, 3),
        # What two otherwise idle cores would need at best (DuckDB runs on both).
        "coverage_cpu_bound_s_2_cores": round(cov_cpu / 2, 3),
        "coverage_cpu_speedup": round(pd_cov_cpu / cov_cpu, 1),
        "outlet_mix_s": round(mix_s, 3),
        "outlet_mix_pandas_s": round(pd_mix_s, 3),
        "outlet_mix_speedup": round(pd_mix_s / mix_s, 1),
        "outlet_mix_cpu_s": round(mix_cpu, 3),
        "outlet_mix_pandas_cpu_s": round(pd_mix_cpu, 3),
        "outlet_mix_cpu_bound_s_2_cores": round(mix_cpu / 2, 3),
        "outlet_mix_cpu_speedup": round(pd_mix_cpu / mix_cpu, 1),
        # Context only, not in the ratios: fetching the two frames pandas works on.
        "pandas_frames_load_s": round(load_wall, 2),
        "pandas_frames_load_cpu_s": round(load_cpu, 2),
        "same_numbers": same_coverage and same_mix,
        "load_average_1min": round(load_avg, 1),
        "cores": os.cpu_count(),
        "meets_target": (
            cov_s <= TARGET_SECONDS
            and mix_s <= TARGET_SECONDS
            and pd_cov_s / cov_s >= TARGET_SPEEDUP
            and pd_mix_s / mix_s >= TARGET_SPEEDUP
        ),
    }


try:  # register with the harness (python -m bench --only W3)
    from bench import Context, Target, workload

    @workload(
        "W3",
        "coverage_over_time and outlet_mix over N articles vs pandas in the same process",
        default_size=10_000_000,
        targets=[
            Target("coverage_s", "<=", TARGET_SECONDS, " s"),
            Target("outlet_mix_s", "<=", TARGET_SECONDS, " s"),
            Target("x_pandas_coverage", ">=", TARGET_SPEEDUP, "x"),
            Target("x_pandas_outlet_mix", ">=", TARGET_SPEEDUP, "x"),
            Target("same_numbers", ">=", 1),
        ],
        # 3 runs (under a minute each at 10M); each run's figures are themselves medians
        # of 5 warm calls (pandas: 2)
        prepare=lambda ctx: database(ctx.size, ctx.data_dir),
    )
    def trends(ctx: Context) -> dict:
        numbers = run(ctx.size, 5, ctx.data_dir)
        sec = numbers["seconds"]
        return {
            "seconds": sec["coverage"] + sec["outlet_mix"],
            "coverage_s": sec["coverage"],
            "outlet_mix_s": sec["outlet_mix"],
            "pandas_coverage_s": sec["coverage_pandas"],
            "pandas_outlet_mix_s": sec["outlet_mix_pandas"],
            # pandas seconds / policykit seconds, both timed in this process
            "x_pandas_coverage": sec["coverage_pandas"] / sec["coverage"],
            "x_pandas_outlet_mix": sec["outlet_mix_pandas"] / sec["outlet_mix"],
            "x_pandas_coverage_cpu": numbers["coverage_cpu_speedup"],
            "x_pandas_outlet_mix_cpu": numbers["outlet_mix_cpu_speedup"],
            "coverage_cpu_s": numbers["coverage_cpu_s"],
            "outlet_mix_cpu_s": numbers["outlet_mix_cpu_s"],
            "topic_articles": numbers["topic_articles"],
            "pandas_frames_load_s": numbers["pandas_frames_load_s"],
            "same_numbers": int(numbers["same_numbers"]),
            "load_average_1min": numbers["load_average_1min"],
        }

except ImportError:  # pragma: no cover - run as a plain script without the harness
    pass


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for key, value in run(size, reps).items():
        print(f"{key:24s} {value}")
