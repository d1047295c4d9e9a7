"""Spikes people can trust (issue 10 §2): a baseline robust to earlier spikes, the demo's
planted events found with few false alarms, and a short series judged or explained.

The figures of docs/trends.md ("Why median/MAD and k = 3") are printed by
``pytest -s tests/test_spikes_robust.py -k measure`` (full demo; set PK_SPIKES_DEMO_N).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import random
import statistics
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

import policykit as pk
from policykit.cli import main
from policykit.demo import DEFAULT_SEED, generate
from policykit.errors import ConfigError
from policykit.ingest import ingest
from policykit.trends import spikes

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
MC_CSV = "mc-onlinenews-mediacloud-20260507155422-content.csv"
#: The demo generator's topic names that the shipped topics.yml spells differently.
STORED_TOPIC = {"data_protection": "data_protection_law"}
#: Smallest demo (default seed) that keeps every planted event and the full demo's
#: proportions (event sizes scale with n; each keeps >= 28 articles at 6,000).
DEMO_N = int(os.environ.get("PK_SPIKES_DEMO_N", "6000"))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _write_scrape(path: Path, per_day: dict[dt.date, int]) -> int:
    """A CSV export as a scraper writes it: one row per article, distinct URLs."""
    outlets = ["alpha.example", "beta.example", "gamma.example", "delta.example"]
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["url", "title", "published_at", "outlet"])
        for day, count in sorted(per_day.items()):
            for i in range(count):
                outlet = outlets[i % len(outlets)]
                stamp = f"{day.isoformat()}T{8 + i % 10:02d}:{i % 60:02d}:00Z"
                out.writerow(
                    [f"https://{outlet}/{day:%Y%m%d}/{i}", f"Report {i} of {day}", stamp, outlet]
                )
                rows += 1
    return rows


def _count_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _ingested(tmp_path: Path, per_day: dict[dt.date, int]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    written = _write_scrape(raw / "scrape.csv", per_day)
    assert _count_rows(raw / "scrape.csv") == written == sum(per_day.values())
    db = tmp_path / "pk.duckdb"
    ingest(raw, db, enrich=False)
    return db


# --- a one-month daily scrape with one spike --------------------------------------------


@pytest.fixture
def month(tmp_path):
    """30 days from 2024-03-01 with 3-7 articles a day and 40 on 2024-03-20."""
    rng = random.Random(11)
    first = dt.date(2024, 3, 1)
    per_day = {first + dt.timedelta(days=i): rng.randint(3, 7) for i in range(30)}
    spike_day = dt.date(2024, 3, 20)
    per_day[spike_day] = 40
    return _ingested(tmp_path, per_day), spike_day, per_day


def test_one_month_daily_finds_the_spike_on_a_shorter_stated_baseline(month):
    db, spike_day, per_day = month
    with duckdb.connect(str(db), read_only=True) as con:
        frame = spikes(con, interval="day")
    # The 28-day baseline cannot be filled in 30 days; days with >= 7 earlier days are
    # judged on all of them, and the rule says so.
    assert [p.date() for p in frame["period"]] == [spike_day]
    row = frame.iloc[0]
    assert row["count"] == per_day[spike_day]
    assert row["baseline_periods"] == (spike_day - min(per_day)).days  # all earlier days
    assert "at least 7" in frame.attrs["rule"]
    assert frame.attrs["judged"] == len(per_day) - 7
    assert "1 spike(s) among 23 days judged" in frame.attrs["note"]


def test_one_month_cli_prints_the_spike_and_the_rule(month):
    db, spike_day, _ = month
    result = CliRunner().invoke(
        main, ["trends", "spikes", "--interval", "day", "--db", str(db), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith(spike_day.isoformat())
    assert "spikes: 1 spike(s) among 23 days judged" in result.stderr
    table = CliRunner().invoke(main, ["trends", "spikes", "--interval", "day", "--db", str(db)])
    text = " ".join(table.stdout.split())  # the title wraps
    assert "(at least 7) near the start" in text and spike_day.isoformat() in text


def test_a_series_too_short_to_judge_says_why(tmp_path):
    first = dt.date(2024, 3, 1)
    db = _ingested(tmp_path, {first + dt.timedelta(days=i): 3 + 10 * (i == 4) for i in range(5)})
    with duckdb.connect(str(db), read_only=True) as con:
        frame = spikes(con, interval="day")
    assert frame.empty
    note = frame.attrs["note"]
    assert note.startswith("nothing can be judged: the series has 5 day(s)")
    assert "at least 7" in note
    result = CliRunner().invoke(
        main, ["trends", "spikes", "--interval", "day", "--db", str(db), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"
    assert len(result.stderr.strip().splitlines()) == 1 and "nothing can be judged" in (
        result.stderr
    )


def test_a_quiet_series_reports_how_much_was_judged(tmp_path):
    first = dt.date(2024, 3, 1)
    db = _ingested(tmp_path, {first + dt.timedelta(days=i): 4 for i in range(20)})
    with duckdb.connect(str(db), read_only=True) as con:
        frame = spikes(con, interval="day")
    assert frame.empty and "0 spike(s) among 13 days judged" in frame.attrs["note"]


def test_min_baseline_is_checked(tmp_path):
    db = _ingested(tmp_path, {dt.date(2024, 3, 1): 1})
    with duckdb.connect(str(db), read_only=True) as con:
        with pytest.raises(ConfigError, match="more than baseline"):
            spikes(con, interval="day", baseline=5, min_baseline=6)
        with pytest.raises(ConfigError, match="positive whole number"):
            spikes(con, interval="day", min_baseline=0)


# --- an earlier spike in the baseline -----------------------------------------------------


def test_an_earlier_spike_does_not_hide_a_later_one(tmp_path):
    """Weekly counts 8-12, a 150-article week, then five weeks later a 60-article week
    (the shape of the data_breaches weeks of 2023-06-12 and 2023-08-07)."""
    rng = random.Random(5)
    first = dt.date(2024, 1, 1)  # a Monday
    weekly = [rng.randint(8, 12) for _ in range(30)]
    weekly[15], weekly[21] = 150, 60
    per_day = {}
    for w, count in enumerate(weekly):
        for i in range(count):  # spread over the week's weekdays
            day = first + dt.timedelta(weeks=w, days=i % 5)
            per_day[day] = per_day.get(day, 0) + 1
    db = _ingested(tmp_path, per_day)
    later = first + dt.timedelta(weeks=21)
    with duckdb.connect(str(db), read_only=True) as con:
        robust = {p.date() for p in spikes(con, interval="week")["period"]}
        mean_sd = {p.date() for p in spikes(con, interval="week", method="zscore", k=2.0)["period"]}
    assert later in robust and first + dt.timedelta(weeks=15) in robust
    # The mean and standard deviation are dragged up by the 150: the later week is lost.
    assert later not in mean_sd


# --- a real export -----------------------------------------------------------------------


def test_media_cloud_outbreak_days(tmp_path):
    """A 34-day Media Cloud export: the outbreak days are flagged, the quiet days before
    them (0-2 articles a day) are not. Expected days from the file itself (csv module)."""
    path = EVAL / "mediacloud_search_hantavirus" / MC_CSV
    if not path.is_file():
        pytest.skip(f"{path} absent")
    with open(path, newline="", encoding="utf-8") as handle:
        per_day: dict[str, int] = {}
        for row in csv.DictReader(handle):
            per_day[row["publish_date"]] = per_day.get(row["publish_date"], 0) + 1
    # The outbreak: the days with more than 10 stories (the rest have at most 2).
    outbreak = sorted(d for d, n in per_day.items() if n > 10)
    assert max(n for d, n in per_day.items() if d not in outbreak) <= 2
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / MC_CSV).write_bytes(path.read_bytes())
    ingest(raw, tmp_path / "pk.duckdb", enrich=False)
    with duckdb.connect(str(tmp_path / "pk.duckdb"), read_only=True) as con:
        frame = spikes(con, interval="day")
    assert sorted(p.date().isoformat() for p in frame["period"]) == outbreak
    assert frame.attrs["judged"] > 20  # not just the last days, as with a 28-day baseline


# --- the demo's planted events ------------------------------------------------------------


def _demo_db(root: Path, n: int, pages: bool = False) -> tuple[Path, list[dict]]:
    manifest = generate(root / "raw", n_articles=n, seed=DEFAULT_SEED, pages=pages)
    db = root / "pk.duckdb"
    ingest(root / "raw", db, enrich=False)
    con = pk.connect(str(db))
    try:
        pk.enrich(con, stages=("topics",))
    finally:
        con.close()
    return db, manifest.events


def _score(db: Path, events: list[dict], rule=None, **kwargs) -> dict:
    """Planted events whose week is flagged for their topic, and flagged weeks more than
    a week from any planted event (events of other topics count: their articles are
    tagged with several topics). ``rule(counts) -> flags`` replaces :func:`spikes`."""
    planted = [
        (STORED_TOPIC.get(e["topic"], e["topic"]), dt.date.fromisoformat(e["date"])) for e in events
    ]
    flagged = {}
    with duckdb.connect(str(db), read_only=True) as con:
        topics = [t for (t,) in con.execute("SELECT DISTINCT topic FROM article_topics").fetchall()]
        for t in topics:
            if rule is None:
                frame = spikes(con, t, interval="week", **kwargs)
                flagged[t] = {p.date() for p in frame["period"]}
            else:
                series = pk.coverage_over_time(con, t, interval="week")
                flags = rule(list(series["count"]))
                flagged[t] = {p.date() for p, f in zip(series["period"], flags, strict=True) if f}
    missed = [(t, d.isoformat()) for t, d in planted if _monday(d) not in flagged.get(t, set())]
    weeks = [w for f in flagged.values() for w in f]
    far = [w for w in weeks if all(abs((w - _monday(d)).days) > 7 for _, d in planted)]
    return {"events": len(planted), "missed": missed, "flagged": len(weeks), "far": len(far)}


def _alternative(robust: bool, k: float, floor: bool, exclude: bool):
    """Rules the API does not offer, for the comparison only: up to 13 earlier weeks (at
    least 7), optionally leaving out the weeks already flagged."""

    def rule(counts: list[int]) -> list[bool]:
        flags: list[bool] = []
        for i, count in enumerate(counts):
            past = [c for j, c in enumerate(counts[max(0, i - 13) : i], max(0, i - 13))
                    if not (exclude and flags[j])]  # fmt: skip
            if min(i, 13) < 7 or len(past) < 2:
                flags.append(False)
                continue
            if robust:
                centre = statistics.median(past)
                spread = 1.4826 * statistics.median(abs(c - centre) for c in past)
            else:
                centre, spread = statistics.fmean(past), statistics.stdev(past)
            if floor:
                spread = max(spread, math.sqrt(max(centre, 1.0)))
            flags.append(count >= centre + k * spread and count > centre and count >= 1)
        return flags

    return rule


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return _demo_db(tmp_path_factory.mktemp("demo"), DEMO_N)


@pytest.mark.slow
def test_default_rule_finds_every_planted_event_with_few_false_alarms(demo):
    db, events = demo
    assert len(events) == 12  # the smaller demo still has every planted event
    got = _score(db, events)
    print(got)
    assert got["missed"] == []
    assert got["far"] <= got["flagged"] / 5, got
    # The old default (mean/sd, k = 2, no shorter baseline) fails both conditions here.
    old = _score(db, events, method="zscore", k=2.0, min_baseline=13)
    assert old["missed"] and old["far"] > old["flagged"] / 5, old


def _print_score(name, got: dict) -> None:
    share = got["far"] / max(got["flagged"], 1)
    print(f"  {name}: missed {len(got['missed'])} {got['missed']}, flagged {got['flagged']},"
          f" far {got['far']} ({share:.0%})")  # fmt: skip


@pytest.mark.skipif(not os.environ.get("PK_SPIKES_MEASURE"), reason="set PK_SPIKES_MEASURE=1")
def test_measure_rules_on_the_demo_and_real_exports(tmp_path):
    """Prints the tables of docs/trends.md. Full demo: PK_SPIKES_DEMO_N=30000."""
    db, events = _demo_db(tmp_path / "demo", DEMO_N, pages=True)  # as `policykit demo`
    print(f"\ndemo n={DEMO_N} seed={DEFAULT_SEED}: weekly, 12 planted events")
    with duckdb.connect(str(db), read_only=True) as con:
        week = pk.coverage_over_time(con, "data_breaches", interval="week").set_index("period")
        print("  data_breaches 2023-08-07:", week.loc["2023-08-07", ["count", "ratio"]].to_dict())
        for kwargs in ({"method": "zscore", "k": 2.0, "min_baseline": 13}, {}):
            flagged = spikes(con, "data_breaches", interval="week", **kwargs)["period"]
            print(
                f"    flagged by {kwargs or 'default'}:", pd.Timestamp("2023-08-07") in set(flagged)
            )
    for kwargs in (
        {"method": "zscore", "k": 2.0, "min_baseline": 13},
        {"method": "zscore", "k": 2.0},
        {"method": "zscore", "k": 3.0},
        {"k": 2.0},
        {"k": 2.5},
        {},
        {"k": 4.0},
    ):
        _print_score(kwargs or "default", _score(db, events, **kwargs))
    for robust, k, floor, exclude in (
        (False, 2.0, False, True),
        (False, 3.0, False, True),
        (True, 3.5, False, False),
        (True, 3.5, True, True),
    ):
        name = (f"{'median/MAD' if robust else 'mean/sd'} k={k:g}"
                f"{' Poisson floor' if floor else ''}{' flagged weeks left out' if exclude else ''}")  # fmt: skip
        _print_score(name, _score(db, events, _alternative(robust, k, floor, exclude)))
    for name, path, as_name in (
        ("mediacloud", EVAL / "mediacloud_search_hantavirus" / MC_CSV, MC_CSV),
        ("gdelt", EVAL / "gdelt_doc_artlist_seafood" / "fullArticleData.txt", "artlist.json"),
    ):
        if not path.is_file():
            print(f"{name}: {path} absent")
            continue
        raw = tmp_path / name  # the export alone, without its SOURCE.md
        raw.mkdir()
        (raw / as_name).write_bytes(path.read_bytes())
        real = tmp_path / f"{name}.duckdb"
        ingest(raw, real, enrich=False)
        with duckdb.connect(str(real), read_only=True) as con:
            top = pk.coverage_over_time(con, interval="day").nlargest(12, "count")
            for kwargs in ({"method": "zscore", "k": 2.0, "min_baseline": 28}, {}):
                frame = spikes(con, interval="day", **kwargs)
                days = {p.date() for p in frame["period"]}
                shown = sorted(d.isoformat() for d in days) if len(days) < 10 else ""
                print(
                    f"{name} {kwargs or 'default'}: {len(frame)} days flagged {shown}; "
                    f"12 busiest days flagged: {sum(p.date() in days for p in top['period'])}; "
                    f"{frame.attrs['note']}"
                )
