"""Layout detection says what it did (issue 9, item 9).

For every detected layout the ingest output names the source fields used for url, title,
published_at and outlet; an unmapped column that looks like dates or URLs is named with
the ``--map`` that would load it; a file of unknown layout fails alone.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from policykit.errors import ConfigError, SourceError
from policykit.ingest import ingest
from policykit.sources import ReadOptions
from policykit.sources.dispatch import read_file
from policykit.sources.layouts import LAYOUTS, REPORTED_FIELDS, LayoutError, resolve_fields


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _headline_csv(path: Path, n: int = 12, offset: int = 0) -> None:
    rng = random.Random(9)
    rows = [
        [
            f"Headline {i} on data protection rules {rng.randint(0, 999)}",
            f"https://example{i % 3}.in/news/{i}",
            f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
            "Example Times",
        ]
        for i in range(offset, offset + n)
    ]
    _write_csv(path, ["headline", "link", "when", "source"], rows)


def _count_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_headline_link_when_source_names_the_fields_and_the_date_column(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _headline_csv(raw / "export.csv")
    report = ingest(raw, db=tmp_path / "db.duckdb", enrich=False)
    (result,) = report.files
    assert result.layout == "scrapy"
    lr = result.layout_report
    assert lr.fields == {
        "url": ["link"],
        "title": ["headline"],
        "published_at": [],
        "outlet": ["source"],
    }
    assert len(lr.notes) == 1
    assert "'when' looks like dates" in lr.notes[0]
    assert "--map published_at=when" in lr.notes[0]
    lines = report.layout_lines()
    assert lines[0].startswith("layout scrapy for ")
    assert "url=link, title=headline, published_at=(none), outlet=source" in lines[0]
    assert any("--map published_at=when" in line for line in lines)


def test_the_suggested_map_loads_the_dates(tmp_path):
    path = tmp_path / "export.csv"
    _headline_csv(path)
    report = ingest(path, db=tmp_path / "db.duckdb", enrich=False, mapping={"published_at": "when"})
    (result,) = report.files
    assert result.layout == "mapped"
    assert result.layout_report.fields["published_at"] == ["when"]
    assert result.layout_report.notes == []
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    dated = con.execute("SELECT count(*) FROM articles WHERE published_at IS NOT NULL").fetchone()
    con.close()
    assert dated[0] == _count_rows(path)


def test_cli_prints_fields_and_the_note(tmp_path):
    path = tmp_path / "export.csv"
    _headline_csv(path)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "policykit",
            "ingest",
            "--no-enrich",
            "--db",
            str(tmp_path / "d.duckdb"),
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "url=link, title=headline, published_at=(none), outlet=source" in out.stdout
    assert "--map published_at=when" in out.stdout


def test_unmapped_url_column_is_named(tmp_path):
    path = tmp_path / "items.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(5):
            record = {"headline": f"Story {i} about the data bill", "address": f"https://x.in/{i}"}
            handle.write(json.dumps(record) + "\n")
    read = read_file(path, ReadOptions())
    list(read.batches)
    report = read.layout_report
    assert report.fields["url"] == []
    assert any("'address' looks like URLs" in n and "--map url=address" in n for n in report.notes)


def test_no_note_for_columns_that_do_not_look_like_dates(tmp_path):
    path = tmp_path / "export.csv"
    rows = [[f"Headline {i} about rules", f"https://x.in/{i}", "politics", "7"] for i in range(8)]
    _write_csv(path, ["headline", "link", "section2", "rank"], rows)
    read = read_file(path, ReadOptions())
    list(read.batches)
    assert read.layout_report.notes == []


def test_mostly_dates_is_enough_but_a_few_are_not(tmp_path):
    mostly = tmp_path / "mostly.csv"
    rows = [
        [f"Headline {i} about rules", f"https://x.in/{i}", f"2024-01-{i + 1:02d}"] for i in range(9)
    ]
    _write_csv(
        mostly,
        ["headline", "link", "stamp"],
        [*rows, ["Last headline here", "https://x.in/z", "n/a"]],
    )
    read = read_file(mostly, ReadOptions())
    assert any("'stamp' looks like dates" in n for n in read.layout_report.notes)
    few = tmp_path / "few.csv"
    rows = [[f"Headline {i} about rules", f"https://x.in/{i}", "soon"] for i in range(9)]
    _write_csv(
        few, ["headline", "link", "stamp"], [*rows, ["Last one", "https://x.in/z", "2024-01-01"]]
    )
    assert read_file(few, ReadOptions()).layout_report.notes == []


@pytest.mark.parametrize("layout", [layout.name for layout in LAYOUTS])
def test_every_detected_layout_reports_the_four_fields(layout):
    spec = next(lay for lay in LAYOUTS if lay.name == layout)
    # The first signature's keys plus each reported field's first candidate.
    keys = sorted(next(iter(spec.signatures)))
    keys += [spec.fields[s][0] for s in REPORTED_FIELDS if s in spec.fields]
    if layout == "generic":  # url + title would be scrapy's exact signature
        keys = ["permalink", "name", "date", "publisher"]
    resolution = resolve_fields(list(dict.fromkeys(keys)), "x.jsonl")
    assert resolution.layout == layout
    assert set(resolution.report.fields) == set(REPORTED_FIELDS.values())
    for staging, shown in REPORTED_FIELDS.items():
        if staging in spec.fields:
            assert resolution.report.fields[shown], (layout, shown)


def test_unknown_layout_is_a_source_error_naming_the_file(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"foo": 1, "bar": 2}) + "\n", encoding="utf-8")
    with pytest.raises(LayoutError) as info:
        read_file(path, ReadOptions())
    assert isinstance(info.value, SourceError) and isinstance(info.value, ConfigError)
    assert str(path) in str(info.value) and "--map" in str(info.value)
    assert "\n" not in str(info.value)


def test_one_file_of_unknown_layout_fails_alone(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _headline_csv(raw / "a_first.csv")
    (raw / "b_odd.jsonl").write_text(json.dumps({"foo": 1}) + "\n", encoding="utf-8")
    _headline_csv(raw / "c_last.csv", n=7, offset=100)
    report = ingest(raw, db=tmp_path / "db.duckdb", enrich=False)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["a_first.csv"].new_articles == _count_rows(raw / "a_first.csv")
    assert by_name["c_last.csv"].new_articles == _count_rows(raw / "c_last.csv")
    odd = by_name["b_odd.jsonl"]
    assert odd.new_articles == 0 and odd.rejects == 1
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    reason, detail = con.execute(
        "SELECT reason, detail FROM rejects WHERE source_path LIKE '%b_odd.jsonl'"
    ).fetchone()
    con.close()
    assert reason == "unknown_layout"
    assert "b_odd.jsonl" in detail and "--map" in detail


def test_unknown_layout_example_maps_the_columns_by_their_values(tmp_path):
    # The Times of India headline export: no URL, YYYYMMDD dates, the headline last.
    path = tmp_path / "headlines.csv"
    rows = [
        [f"200101{d:02d}", "unknown", f"Headline number {d} about the state budget"]
        for d in range(1, 9)
    ]
    _write_csv(path, ["publish_date", "headline_category", "headline_text"], rows)
    with pytest.raises(LayoutError) as info:
        read_file(path, ReadOptions())
    assert "e.g. --map title=headline_text --map published=publish_date " in str(info.value)
    # and the suggested mapping loads every row with its date
    report = ingest(
        path,
        db=tmp_path / "db.duckdb",
        enrich=False,
        mapping={"title": "headline_text", "published": "publish_date"},
    )
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    dated = con.execute("SELECT count(*) FROM articles WHERE published_at IS NOT NULL").fetchone()[
        0
    ]
    con.close()
    assert report.files[0].records_read == _count_rows(path) == dated
