"""`policykit trends ...` and `policykit export` on the hand-built fixture database."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from test_trends import con  # noqa: F401 - the shared fixture database

from policykit.cli import main


@pytest.fixture
def db_path(con, tmp_path):  # noqa: F811
    con.close()  # the CLI opens the file itself, read-only
    return str(tmp_path / "t.duckdb")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_coverage_csv(db_path):
    result = invoke("trends", "coverage", "ai", "--db", db_path, "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output))
    # Same hand-computed series as test_coverage_daily_zero_filled.
    assert list(frame["period"]) == [f"2024-01-0{d}" for d in range(1, 6)]
    assert list(frame["count"]) == [2, 0, 2, 0, 0]
    assert list(frame["total_count"]) == [3, 1, 2, 0, 1]


def test_outlets_json_and_table(db_path):
    result = invoke("trends", "outlets", "--topic", "ai", "--db", db_path, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["outlet"] for r in rows] == ["Alpha", "Beta", "Gamma"]
    assert [r["count"] for r in rows] == [2, 1, 1]
    table = invoke("trends", "outlets", "ai", "--db", db_path)
    assert "HHI 0.375" in table.output and "2.7 effective outlets" in table.output


def test_parquet_to_file(db_path, tmp_path):
    out = tmp_path / "voice.parquet"
    result = invoke(
        "trends", "voice", "--topics", "ai,privacy", "--interval", "week",
        "--db", db_path, "--format", "parquet", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    # ai a1 a3 b1 c1 = 4, privacy c1 c2 = 2: shares 4/6 and 2/6.
    assert frame.set_index("item")["share"].to_dict() == pytest.approx(
        {"ai": 4 / 6, "privacy": 2 / 6}
    )


@pytest.mark.parametrize(
    "command",
    [
        ["spikes", "ai", "--baseline", "2"],
        ["terms", "ai", "--n", "5"],
        ["entities", "ai"],
        ["citations", "ai"],
        ["stories", "ai", "--n", "2"],
        ["first-movers", "ai"],
        ["coverage", "--query", "title:cricket", "--interval", "week", "--by", "outlet"],
    ],
)
def test_other_commands_run(db_path, command):
    result = invoke("trends", *command, "--db", db_path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)


def test_errors_are_one_line_exit_2(db_path):
    result = invoke("trends", "coverage", "ai", "--interval", "fortnight", "--db", db_path)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: interval 'fortnight' is not one of day, week, month, quarter, year"
    )
    result = invoke("trends", "outlets", "crypto", "--db", db_path)
    assert result.exit_code == 2
    assert "topic 'crypto' is not one of ai, privacy" in result.output


def test_export(db_path, tmp_path):
    out = tmp_path / "export"
    result = invoke("export", "--db", db_path, "--out", str(out), "--format", "parquet")
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out / "articles.parquet").shape[0] == 8
    assert pd.read_parquet(out / "coverage_daily.parquet").shape[0] == 10  # 5 days x 2 topics
    assert pd.read_parquet(out / "article_facts.parquet").shape[0] == 8
    result = invoke("export", "--db", db_path, "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "topics.csv").shape[0] == 7


def test_tz_help_lists_every_value_the_code_accepts(db_path):
    # The values check_tz treats specially, beside IANA names: both must be in --help.
    from policykit.trends._core import PAGE_DAY, check_tz

    text = " ".join(invoke("trends", "coverage", "--help").output.split())
    assert check_tz("UTC") == "UTC" and check_tz(PAGE_DAY) == PAGE_DAY
    assert "UTC" in text and f"'{PAGE_DAY}'" in text and "IANA" in text, text
    # And each value the help names is taken by the command.
    for tz in ("UTC", PAGE_DAY, "Asia/Kolkata"):
        result = invoke("trends", "coverage", "ai", "--db", db_path, "--tz", tz)
        assert result.exit_code == 0, (tz, result.output)
