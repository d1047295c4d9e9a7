"""One validation for every door (issue 9, item 8): report parameters (`policykit report
--param`, `render_report(params=...)`) go through the validators of the trend functions
and the CLI, and a wrong topic, outlet or interval gets the closest match suggested.

The shape of the bug: `policykit trends coverage --start 01/02/2024` was refused, while
`policykit report coverage-brief --param start=01/02/2024` built a brief starting
2 January for an analyst who meant 1 February.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from test_reports import build_fixture_db

from policykit import reports, store
from policykit.cli import main
from policykit.errors import ConfigError, PolicykitError
from policykit.trends import coverage_over_time
from policykit.trends._core import check_parameters, closest, parse_date

TOI = ("timesofindia.indiatimes.com", "The Times of India")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = build_fixture_db(tmp_path_factory.mktemp("params") / "p.duckdb")
    con = store.connect(path)
    try:
        con.execute(
            "INSERT INTO outlets (domain, name, country, language, type, date_order, origin) "
            "VALUES (?, ?, 'IN', 'en', 'national daily', 'DMY', 'registry')",
            list(TOI),
        )
        con.execute(
            "INSERT INTO articles (article_id, url, domain, outlet, title, published_at, "
            "source_path, source_locator, ingested_at) VALUES ('toi1', "
            "'https://timesofindia.indiatimes.com/a', ?, ?, 'A TOI story', "
            "TIMESTAMPTZ '2024-02-01 10:00:00+00', 'x.jsonl', 'line:1', now())",
            list(TOI),
        )
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def notebook(tmp_path_factory) -> Path:
    """A notebook declaring the shared parameters; it only records what it received."""
    path = tmp_path_factory.mktemp("nb") / "params.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "db = None\ntopic = None\nstart = None\nend = None\noutlets = None\n"
            "interval = 'week'\ntopics = None",
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(
            "import policykit as pk\n"
            "pk.record_parameters(topic=topic, start=start, end=end, outlets=outlets, "
            "topics=topics)"
        ),
    ]
    nbformat.write(nb, str(path))
    return path


def _cli_error(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def _api_error(call) -> str:
    with pytest.raises(PolicykitError) as info:
        call()
    return str(info.value)


# --- dates: the same refusal through every door ---------------------------------------------


@pytest.mark.parametrize("bad", ["01/02/2024", "1.2.2024", "13-01-2024", "2024-02-30", "soon"])
def test_a_date_is_refused_the_same_way_by_every_door(db, notebook, tmp_path, bad):
    out = tmp_path / "out"
    trends_cli = _cli_error("trends", "coverage", "--db", str(db), "--start", bad)
    trends_api = _api_error(lambda: coverage_over_time(db, start=bad))
    report_cli = _cli_error(
        "report", str(notebook), "--param", f"start={bad}", "--db", str(db), "--out", str(out)
    )
    report_api = _api_error(
        lambda: reports.render_report(notebook, {"start": bad}, db=db, out=out, to="html")
    )
    assert trends_cli == trends_api == report_cli == report_api
    assert trends_cli.startswith(f"start {bad!r} is not a date; write it as YYYY-MM-DD")
    # The notebook's own helper reads dates the same way.
    con = store.connect(db, read_only=True)
    try:
        assert _api_error(lambda: reports.report_period(con, "facial_recognition", bad)) == (
            trends_api
        )
    finally:
        con.close()
    assert not out.exists() or not any(out.iterdir())  # refused before anything ran


def test_day_month_ambiguity_is_named():
    with pytest.raises(ConfigError) as info:
        parse_date("start", "01/02/2024")
    assert "ambiguous: 1 February or January 2?" in str(info.value)


def test_iso_dates_pass_and_reach_the_notebook_as_iso_text(db, notebook, tmp_path):
    result = reports.render_report(
        notebook,
        reports.parse_params(["start=20240102", "end=2024-02-01"]),
        db=db,
        out=tmp_path / "out",
        to="html",
    )
    assert result.parameters["start"] == repr("2024-01-02")
    assert result.parameters["end"] == repr("2024-02-01")
    con = store.connect(db, read_only=True)
    try:
        assert check_parameters(con, {"start": dt.date(2024, 1, 2)})["start"] == "2024-01-02"
        with pytest.raises(ConfigError, match="start 2024-03-01 is after end 2024-01-01"):
            check_parameters(con, {"start": "2024-03-01", "end": "2024-01-01"})
    finally:
        con.close()


# --- topics, outlets and intervals: suggestions in the shared validator ------------------------


def test_a_wrong_topic_gets_the_closest_match_at_every_door(db, notebook, tmp_path):
    out = tmp_path / "out"
    trends_cli = _cli_error("trends", "coverage", "facial_recogniton", "--db", str(db))
    trends_api = _api_error(lambda: coverage_over_time(db, "facial_recogniton"))
    report_cli = _cli_error(
        "report", str(notebook), "-p", "topic=facial_recogniton", "--db", str(db), "--out", str(out)
    )
    report_api = _api_error(
        lambda: reports.render_report(notebook, {"topic": "facial_recogniton"}, db=db, out=out)
    )
    assert trends_cli == trends_api == report_cli == report_api
    assert trends_cli.endswith("did you mean facial_recognition?")
    con = store.connect(db, read_only=True)
    try:  # the notebook helper for a default topic says the same
        assert _api_error(lambda: reports.resolve_topic(con, "facial_recogniton")) == trends_api
    finally:
        con.close()
    # A list of topics (landscape) is checked topic by topic, comma-separated on the CLI.
    listed = _cli_error(
        "report", str(notebook), "-p", "topics=data_protection,net_neutraility", "--db", str(db)
    )
    assert listed.startswith("topic 'net_neutraility' is not one of")
    assert listed.endswith("did you mean net_neutrality?")


def test_a_wrong_outlet_gets_the_closest_match_at_every_door(db, notebook, tmp_path):
    out = tmp_path / "out"
    trends_cli = _cli_error("trends", "coverage", "--db", str(db), "--outlets", "The Times of Inda")
    trends_api = _api_error(lambda: coverage_over_time(db, outlets=["The Times of Inda"]))
    report_cli = _cli_error(
        "report",
        str(notebook),
        "-p",
        "outlets=The Times of Inda",
        "--db",
        str(db),
        "--out",
        str(out),
    )
    report_api = _api_error(
        lambda: reports.render_report(notebook, {"outlets": ["The Times of Inda"]}, db=db, out=out)
    )
    assert trends_cli == trends_api == report_cli == report_api
    assert trends_cli.endswith("did you mean The Times of India?")
    # A right outlet, by name or domain in any case, passes.
    result = reports.render_report(
        notebook, {"outlets": "the times of india,thehindu.com"}, db=db, out=out, to="html"
    )
    assert result.parameters["outlets"] == repr(["the times of india", "thehindu.com"])


def test_a_wrong_interval_gets_the_closest_match_at_every_door(db, notebook, tmp_path):
    out = tmp_path / "out"
    trends_cli = _cli_error("trends", "coverage", "--db", str(db), "--interval", "weekly")
    report_cli = _cli_error(
        "report", str(notebook), "-p", "interval=weekly", "--db", str(db), "--out", str(out)
    )
    assert trends_cli == report_cli
    assert trends_cli == (
        "interval 'weekly' is not one of day, week, month, quarter, year; did you mean week?"
    )


@pytest.mark.parametrize(
    ("value", "allowed", "expected"),
    [
        ("The Times of Inda", ["The Hindu", "The Times of India"], "The Times of India"),
        ("the hindu", ["The Hindu", "The Times of India"], "The Hindu"),
        ("zzzz", ["The Hindu", "The Times of India"], None),
        ("", ["a"], None),
        (None, ["a"], None),
    ],
)
def test_closest(value, allowed, expected):
    assert closest(value, allowed) == expected


def test_a_long_list_of_outlets_is_shortened():
    from policykit.trends._core import not_one_of

    names = [f"Outlet {i:03d}" for i in range(200)] + ["The Times of India"]
    message = not_one_of("outlet", "times of indiaa", names, "outlets")
    assert "(201 outlets in all)" in message and "Outlet 199" not in message
    assert message.endswith("did you mean The Times of India?")


def test_a_defined_topic_without_articles_has_zero_coverage(tmp_path):
    """A topic in the definitions in force that matched nothing is a known topic with
    no coverage, at every door, not an unknown name."""
    db = build_fixture_db(tmp_path / "q.duckdb")
    con = store.connect(db)
    try:
        con.execute("INSERT INTO topics VALUES ('quiet', 'Quiet', 'zzzqqq')")
        total = con.execute(
            "SELECT count(*) FROM articles WHERE published_at IS NOT NULL"
        ).fetchall()[0][0]
    finally:
        con.close()
    frame = coverage_over_time(db, "quiet", interval="month")
    assert frame["count"].sum() == 0 and frame["total_count"].sum() == total
    out = CliRunner().invoke(main, ["trends", "coverage", "quiet", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert _api_error(lambda: coverage_over_time(db, "quite")).endswith("did you mean quiet?")
