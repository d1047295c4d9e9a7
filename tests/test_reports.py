"""policykit.reports: helpers, escaping, parameters, failures and atomic writes.

``build_fixture_db`` makes the small hand-made database that test_notebooks.py also uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from policykit import reports, store
from policykit.errors import ConfigError, QueryError, ReportError

HOSTILE_TITLES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
OUTLETS = [
    ("medianama.com", "MediaNama", "IN", "tech-policy site"),
    ("thehindu.com", "The Hindu", "IN", "national daily"),
    ("example-wire.org", "Example <b>Wire</b>", "IN", "wire"),
    ("regional.in", "Regional Times", "IN", "regional"),
]
TOPICS = ["facial_recognition", "data_protection", "net_neutrality"]
START = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
LABEL = "Facial Recognition (FRT)"


def _articles() -> pd.DataFrame:
    rows = []
    for i in range(48):
        domain, outlet, _, _ = OUTLETS[i % len(OUTLETS)]
        title = f"Policy story {i} about {TOPICS[i % 3].replace('_', ' ')}"
        if i in (3, 7):
            title = HOSTILE_TITLES[0 if i == 3 else 1]
        published = START + dt.timedelta(days=(i * 41) % 84)
        rows.append(
            {
                "article_id": f"{i:016x}",
                "url": f"https://{domain}/news/{i}"
                if i != 7
                else "javascript:alert(document.cookie)",
                "canonical_url": f"https://{domain}/news/{i}",
                "domain": domain,
                # Article 29 has no outlet name: trend counts file it under its domain.
                "outlet": None if i == 29 else outlet,
                "title": title,
                "body": f"The ministry said facial recognition {i} police surveillance data",
                "published_at": None if i == 47 else published,
                "published_raw": published.isoformat(),
                "date_source": ["metadata", "url", "html", "sidecar"][i % 4]
                if i != 47
                else "missing",
                "source_path": "data/raw/fixture.jsonl",
                "source_locator": f"line:{i + 1}",
                "ingested_at": START,
                "word_count": 120 + i,
                "language": "en",
            }
        )
    return pd.DataFrame(rows)


def build_fixture_db(path: Path) -> Path:
    """A small database with every table the reports read, including hostile titles."""
    con = store.connect(path)
    try:
        outlets = pd.DataFrame(
            [
                {"domain": d, "name": n, "country": c, "language": "en", "type": t}
                for d, n, c, t in OUTLETS
            ]
        ).assign(date_order="DMY", origin="registry")
        articles = _articles()
        # Articles 0..29 belong to facial_recognition, and so does the undated article 47;
        # every third article also belongs to another topic.
        topics = [
            {"article_id": a, "topic": TOPICS[0], "hits": 2}
            for a in [*articles.article_id[:30], articles.article_id[47]]
        ]
        topics += [
            {"article_id": a, "topic": TOPICS[1 + n % 2], "hits": 1}
            for n, a in enumerate(articles.article_id[::3])
        ]
        # Stories: articles 0-2 and 4-5 are syndicated copies; the rest are singletons.
        clusters = []
        for n, a in enumerate(articles.article_id):
            cluster = "c0" if n <= 2 else "c4" if n in (4, 5) else f"c{n}"
            first = n in (0, 4) or cluster == f"c{n}"
            clusters.append(
                {"cluster_id": cluster, "article_id": a, "is_first": first, "method": "minhash"}
            )
        entities = pd.DataFrame(
            [
                {"entity_id": "e1", "name": "MeitY", "type": "organisation"},
                {"entity_id": "e2", "name": "<script>alert('e')</script>", "type": "person"},
                {"entity_id": "e3", "name": "Delhi Police", "type": "organisation"},
            ]
        ).assign(origin="gazetteer")
        mentions = [
            {"article_id": a, "entity_id": ["e1", "e2", "e3"][n % 3], "mentions": 1 + n % 2}
            for n, a in enumerate(articles.article_id[:30])
        ]
        citations = [
            {"article_id": a, "cited": "Reuters", "pattern": "reported", "cited_domain": None}
            for a in articles.article_id[:10]
        ]
        rejects = pd.DataFrame(
            {
                "source_path": "data/raw/fixture.jsonl",
                "source_locator": [f"line:{100 + n}" for n in range(5)],
                "reason": ["malformed_json", "malformed_json", "missing_fields", "truncated", "x"],
                "payload": "{",
                "run_id": 1,
            }
        )
        duplicates = pd.DataFrame(
            {
                "source_path": "data/raw/fixture.jsonl",
                "source_locator": ["line:200", "line:201", "line:202"],
                "article_id": articles.article_id[:3].tolist(),
                "reason": ["same_url", "same_url", "same_text"],
                "title": HOSTILE_TITLES + ["copy"],
                "run_id": 1,
            }
        )
        for table, frame in [
            ("outlets", outlets),
            ("articles", articles),
            ("article_topics", pd.DataFrame(topics)),
            ("story_clusters", pd.DataFrame(clusters)),
            ("entities", entities),
            ("article_entities", pd.DataFrame(mentions)),
            ("article_citations", pd.DataFrame(citations)),
            ("rejects", rejects),
            ("duplicates", duplicates),
            # A stored label with capitals: titles must keep its case.
            ("topics", pd.DataFrame([{"topic": TOPICS[0], "label": LABEL, "query": "x"}])),
        ]:
            con.register("frame_in", frame)
            # a topic row carries its article's integer key (migration 008)
            key = ", a.article_key" if table == "article_topics" else ""
            join = " JOIN articles a USING (article_id)" if key else ""
            con.execute(f"INSERT INTO {table} BY NAME SELECT f.*{key} FROM frame_in f{join}")  # noqa: S608
            con.unregister("frame_in")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("db") / "fx.duckdb")


@pytest.fixture
def con(fixture_db):
    connection = store.connect(fixture_db, read_only=True)
    yield connection
    connection.close()


# --- show_table ------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE_TITLES + ['"><svg onload=alert(1)>'])
def test_show_table_escapes_every_value(hostile):
    frame = pd.DataFrame({"title": [hostile], "outlet": [hostile], "url": ["https://a.in/x"]})
    markup = str(reports.show_table(frame, links={"title": "url"}))
    assert hostile not in markup
    assert reports.html_problems(markup) == []
    assert "&lt;" in markup
    assert '<a href="https://a.in/x"' in markup


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://a.in/x?a=1&b=2", True),  # kept, with & escaped
        ("http://a.in/", True),
        ("javascript:alert(1)", False),  # never a link
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("https://a.in/\nx", False),  # control characters are refused
        (None, False),
    ],
)
def test_show_table_links_only_http(url, linked):
    markup = str(reports.show_table(pd.DataFrame({"t": ["x"], "u": [url]}), links={"t": "u"}))
    assert ("<a href=" in markup) is linked
    assert reports.html_problems(markup) == []
    if linked:
        assert "&amp;b=2" in markup or "&" not in (url or "")


def test_show_table_formats_and_caps_rows():
    frame = pd.DataFrame(
        {"n": range(40), "ratio": [0.125] * 40, "when": pd.Timestamp("2024-03-01", tz="UTC")}
    )
    block = reports.show_table(frame, percent=["ratio"], max_rows=5, caption="Caps")
    markup = str(block)
    assert markup.count("<tr>") == 6  # header + 5 rows
    assert "12.5%" in markup and "2024-03-01" in markup
    assert "Showing 5 of 40 rows" in markup
    assert markup.index(">Caps</p>") < markup.index("<table")
    assert "no rows" in str(reports.show_table(frame.head(0), caption="Empty"))


def test_show_table_bad_link_column_names_columns():
    with pytest.raises(ConfigError, match="frame has columns a"):
        reports.show_table(pd.DataFrame({"a": [1]}), links={"a": "missing"})


# --- numbers ---------------------------------------------------------------------------


def test_resolve_topic(con):
    assert reports.resolve_topic(con, None) == "facial_recognition"  # the largest topic
    assert reports.resolve_topic(con, "net_neutrality") == "net_neutrality"
    with pytest.raises(
        QueryError, match="topic 'nope' is not one of data_protection, facial_recognition"
    ):
        reports.resolve_topic(con, "nope")


def test_headline_numbers_match_a_direct_count(con):
    numbers = reports.headline_numbers(con, "facial_recognition", "2024-01-29", "2024-02-25")
    got = numbers.set_index("metric")
    lo = dt.datetime(2024, 1, 29, tzinfo=dt.UTC)
    hi = dt.datetime(2024, 2, 26, tzinfo=dt.UTC)
    expected = _articles().iloc[:30]
    expected = expected[(expected.published_at >= lo) & (expected.published_at < hi)]
    assert got.at["articles", "value"] == len(expected)
    assert got.at["outlets", "value"] == expected.outlet.nunique()
    # Previous 28 days: 1 Jan - 28 Jan.
    assert numbers.attrs["previous_start"] == dt.date(2024, 1, 1)
    previous = _articles().iloc[:30]
    previous = previous[(previous.published_at >= lo - (hi - lo)) & (previous.published_at < lo)]
    assert got.at["articles", "previous"] == len(previous)
    assert got.at["articles", "change"] == pytest.approx(
        (len(expected) - len(previous)) / len(previous)
    )
    all_in_period = _articles()
    all_in_period = all_in_period[
        (all_in_period.published_at >= lo) & (all_in_period.published_at < hi)
    ]
    assert got.at["share of all coverage", "value"] == pytest.approx(
        len(expected) / len(all_in_period)
    )
    cards = str(reports.show_headline(numbers))
    assert cards.count('class="pk-card"') == 4


def test_unique_stories_count_clusters_once(con):
    numbers = reports.headline_numbers(con, "facial_recognition", "2024-01-01", "2024-03-31")
    got = numbers.set_index("metric")
    # Articles 0-2 are one story and 4-5 another, so 3 fewer stories than articles.
    assert got.at["articles", "value"] - got.at["unique stories", "value"] == 3
    # Nothing in the database precedes 2024: the cards say so instead of "+inf %".
    # Nothing in the database precedes 2024: the cards say so, never "previous period: 0".
    cards = str(reports.show_headline(numbers))
    assert cards.count("no data before 1 Jan 2024") == 4
    assert "previous period: 0" not in cards and "nothing to compare with" in cards


def _dated() -> pd.DataFrame:
    frame = _articles()
    return frame[frame.published_at.notna()]


def test_default_period_is_the_corpus_range_not_the_topics(con):
    # net_neutrality's articles are every sixth one from article 3 on: its first article
    # is later than the corpus's, and the default period must still start with the corpus.
    dated = _dated()
    topic_rows = con.execute(
        "SELECT article_id FROM article_topics WHERE topic = 'net_neutrality'"
    ).fetchall()
    topic_first = dated[dated.article_id.isin([r[0] for r in topic_rows])].published_at.min()
    assert topic_first.date() > dated.published_at.min().date()  # the case under test
    lo, hi = reports.report_period(con, "net_neutrality")
    assert (lo, hi) == (dated.published_at.min().date(), dated.published_at.max().date())
    # Given bounds are kept.
    assert reports.report_period(con, "net_neutrality", "2024-02-01", None)[0] == dt.date(
        2024, 2, 1
    )


def test_partly_covered_previous_period_is_named(con):
    # 15 Jan - 20 Feb: the previous 37 days start in December 2023, before any data.
    cards = str(
        reports.show_headline(
            reports.headline_numbers(con, "facial_recognition", "2024-01-15", "2024-02-20")
        )
    )
    assert cards.count("but no data before 1 Jan 2024") == 4
    assert "vs previous period" not in cards  # no change against a partial period


def test_undated_articles_are_counted_and_stated(fixture_db):
    with store.connect(fixture_db, read_only=True) as con:
        topics = reports.list_topics(con).set_index("topic")
        assert topics.loc["facial_recognition"].tolist() == [31, 30, 1]
        numbers = reports.headline_numbers(con, "facial_recognition")
        assert numbers.set_index("metric").at["articles", "value"] == 30
        assert numbers.attrs["undated"] == 1
        assert "1 undated article (no publication date found)" in str(
            reports.show_headline(numbers)
        )


def test_outlets_with_coverage_keeps_only_the_topics_outlets(con):
    import policykit as pk

    # One week: only some outlets ran the topic in it.
    frame = pk.coverage_over_time(
        con, "facial_recognition", interval="day", start="2024-01-01", end="2024-01-14",
        by="outlet",
    )  # fmt: skip
    dated = _dated().iloc[:30]
    week = dated[(dated.published_at >= START.replace(hour=0))
                 & (dated.published_at < dt.datetime(2024, 1, 15, tzinfo=dt.UTC))]  # fmt: skip
    expected = set(week.outlet.fillna(week.domain))  # no name: filed under its domain
    assert set(frame.outlet) > expected  # the trend frame lists every outlet, zero-filled
    shown = reports.outlets_with_coverage(frame)
    assert set(shown.outlet) == expected
    assert shown.attrs["n_articles"] == len(week) and shown.attrs["n_outlets"] == len(expected)
    plural = "s" if len(week) != 1 else ""
    assert shown.attrs["note"].startswith(
        f"{len(week)} article{plural} from {len(expected)} outlet"
    )
    top = reports.outlets_with_coverage(frame, top=1)
    assert top.outlet.nunique() == 1 and top.attrs["n_outlets_carrying"] == len(expected)
    assert f"the 1 most active of {len(expected)} outlets" in top.attrs["note"]
    assert top.attrs["n_articles"] == int(top["count"].sum())


def test_spike_table_counts_articles_and_outlets_in_the_period(con):
    # Story c0 is articles 0-2 (three outlets) on days 0, 41 and 82: in the week of
    # 1 Jan 2024 it has one article from one outlet, whatever its outlets over all dates.
    stories = pd.DataFrame(
        {"period": [pd.Timestamp("2024-01-01")], "rank": [1], "cluster_id": ["c0"],
         "articles": [1], "outlets": [3], "title": ["t"], "url": ["https://x"]}
    )  # fmt: skip
    table = reports.spike_table(con, "facial_recognition", stories, interval="week")
    assert table[["articles", "outlets"]].iloc[0].tolist() == [1, 1]
    assert "within its spike week" in table.attrs["base"]
    month = reports.spike_table(con, "facial_recognition", stories, interval="month")
    assert month[["articles", "outlets"]].iloc[0].tolist() == [1, 1]
    empty = reports.spike_table(con, "facial_recognition", stories.iloc[:0], interval="week")
    assert len(empty) == 0 and "no spike was found" in empty.attrs["caption"]
    assert table.attrs["caption"] == f"Stories behind each spike: {table.attrs['base']}"


def test_json_output_nests_the_stories():
    from policykit import cli

    frame = pd.DataFrame(
        {"period": pd.to_datetime(["2024-01-01"]), "count": [3],
         "stories": [[{"cluster_id": "c0", "articles": 2, "title": "A \"quoted\" title",
                       "first_published_at": pd.Timestamp("2024-01-01 09:00", tz="UTC")}]]}
    )  # fmt: skip
    import io

    out = io.StringIO()
    cli.emit(cli._for_output(frame, "json"), "json", out=out)
    rows = json.loads(out.getvalue())
    assert isinstance(rows[0]["stories"], list) and isinstance(rows[0]["stories"][0], dict)
    assert rows[0]["stories"][0]["title"] == 'A "quoted" title'
    assert rows[0]["stories"][0]["articles"] == 2
    csv = io.StringIO()
    cli.emit(cli._for_output(frame, "csv"), "csv", out=csv)
    cell = pd.read_csv(io.StringIO(csv.getvalue()))["stories"].iloc[0]
    assert json.loads(cell)[0]["cluster_id"] == "c0"  # one CSV cell: JSON text


def test_report_period_errors(con):
    with pytest.raises(ConfigError, match="start 'soon' is not a date"):
        reports.report_period(con, "facial_recognition", "soon", None)
    with pytest.raises(ConfigError, match="is before start"):
        reports.report_period(con, "facial_recognition", "2024-03-01", "2024-01-01")


def test_data_quality(con):
    quality = reports.data_quality(con, "facial_recognition")
    rejects = quality["rejects"].set_index("reason")["records"]
    assert rejects["malformed_json"] == 2 and rejects.sum() == 5
    assert quality["duplicates"]["records"].sum() == 3
    syndicated = quality["syndication"]
    assert sorted(syndicated["articles"].tolist()) == [2, 3]
    sources = quality["date_sources"].set_index("date_source")
    assert set(sources.index) <= {"metadata", "url", "html", "sidecar", "missing"}
    assert sources["undated_articles"].sum() == 1  # article 47
    assert quality["date_sources"]["articles_in_period"].sum() == 30


def test_provenance_escapes_parameters():
    block = reports.provenance({"topic": repr("<script>x</script>")}, "abc123", "/tmp/a.duckdb")
    markup = str(block)
    assert "<script>x" not in markup and "abc123" in markup
    assert "policykit version" in markup and "Generated" in markup


# --- parameters and the HTML audit -------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["topic=ai"], {"topic": "ai"}),
        (["top=10", "ratio=0.5"], {"top": 10, "ratio": 0.5}),
        (["start=2024-01-01"], {"start": "2024-01-01"}),  # dates stay strings
        (["flag=true", "none=null"], {"flag": True, "none": None}),
        (["q=a=b"], {"q": "a=b"}),  # only the first '=' splits
    ],
)
def test_parse_params(items, expected):
    assert reports.parse_params(items) == expected


@pytest.mark.parametrize("item", ["topic", "=x", "two words=x"])
def test_parse_params_rejects(item):
    with pytest.raises(ConfigError, match="is not of the form key=value"):
        reports.parse_params([item])


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ('<script src="https://cdn.example/x.js"></script>', "<script>"),
        ('<link rel="stylesheet" href="https://cdn.example/x.css">', "<link>"),
        ("<style>@import url(https://fonts.example/f.css);</style>", "@import"),
        ("<style>@font-face { src: url(https://f.example/a.woff) }</style>", "url()"),
        ('<img src="https://example.org/a.png">', "remote resource"),
        ('<img src="x" onerror="alert(1)">', "event handler"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ],
)
def test_html_problems_flags(markup, problem):
    found = reports.html_problems(markup)
    assert found and any(problem in p for p in found)


def test_html_problems_allows_data_images_and_links():
    clean = '<img src="data:image/png;base64,AAAA"><a href="https://a.in">a</a><style>p{}</style>'
    assert reports.html_problems(clean) == []


# --- render_report with small notebooks ----------------------------------------------------


def _notebook(path: Path, cells: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    first = nbformat.v4.new_code_cell(cells[0], metadata={"tags": ["parameters"]})
    notebook.cells = [first] + [nbformat.v4.new_code_cell(c) for c in cells[1:]]
    nbformat.write(notebook, str(path))
    return path


def test_unknown_report_and_parameter(tmp_path, fixture_db):
    with pytest.raises(ReportError, match="report 'nope' is not one of"):
        reports.render_report("nope", db=fixture_db, out=tmp_path)
    source = _notebook(tmp_path / "p.ipynb", ["db = None\ntopic = None", "1"])
    with pytest.raises(ReportError, match="parameter 'colour' is not one of db, topic"):
        reports.render_report(source, {"colour": "red"}, db=fixture_db, out=tmp_path)
    with pytest.raises(ConfigError, match="report format 'docx' is not one of html, pdf"):
        reports.render_report(source, to="docx", db=fixture_db, out=tmp_path)


def test_failing_cell_is_one_line_and_leaves_nothing(tmp_path, fixture_db):
    source = _notebook(
        tmp_path / "broken.ipynb",
        ["db = None", "x = 1", "raise ValueError('no such outlet: Foo\\nsecond line')"],
    )
    before = source.read_bytes()
    out = tmp_path / "out"
    with pytest.raises(ReportError) as info:
        reports.render_report(source, db=fixture_db, out=out)
    message = str(info.value)
    assert "\n" not in message
    assert "report broken: cell" in message
    assert (
        "raise ValueError" in message and "ValueError: no such outlet: Foo second line" in message
    )
    assert list(out.iterdir()) == []  # no half-written report, no temp folder left
    assert source.read_bytes() == before


def test_small_report_ends_with_provenance(tmp_path, fixture_db):
    source = _notebook(
        tmp_path / "tiny.ipynb",
        [
            "db = None\nnote = None",  # a free-text parameter (a topic is validated)
            "import policykit as pk\ncon = pk.connect(db, read_only=True)\n"
            "pk.show_table(con.execute('SELECT title, url FROM articles ORDER BY article_id')"
            ".df(), links={'title': 'url'})",
        ],
    )
    before = source.read_bytes()
    result = reports.render_report(
        source, {"note": "<b>t</b>"}, to=["html"], db=fixture_db, out=tmp_path / "r"
    )
    assert result.pdf is None and result.html.name == "tiny.html"
    assert source.read_bytes() == before
    markup = result.html.read_text()
    assert reports.html_problems(markup) == []
    for hostile in HOSTILE_TITLES:
        assert hostile not in markup and hostile.replace("<", "&lt;").replace(">", "&gt;") in markup
    assert 'href="javascript:' not in markup
    tail = markup[markup.index("About this report") :]
    with store.connect(fixture_db, read_only=True) as con:
        assert store.content_hash(con) in tail
    assert "note = " in tail and "&lt;b&gt;t&lt;/b&gt;" in tail and "<b>t</b>" not in tail
    executed = json.loads(result.notebook.read_text())
    assert executed["cells"][-1]["metadata"]["tags"] == ["policykit-provenance"]


def test_missing_database_is_a_clear_error(tmp_path):
    from policykit.errors import DatabaseError

    source = _notebook(tmp_path / "p.ipynb", ["db = None", "1"])
    with pytest.raises(DatabaseError, match="does not exist; run `policykit ingest` first"):
        reports.render_report(source, db=tmp_path / "none.duckdb", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_build_prints_no_kernel_noise(tmp_path, fixture_db, capfd):
    # The kernel inherits this process's stderr: ipykernel's TCP warning and the
    # KeyboardInterrupt it logged at shutdown showed on every successful build.
    source = _notebook(tmp_path / "quiet.ipynb", ["db = None", "import sys\nprint('ok')"])
    reports.render_report(source, to=["html"], db=fixture_db, out=tmp_path / "r")
    err = capfd.readouterr().err
    assert "without encryption" not in err
    assert "KeyboardInterrupt" not in err
    assert "IPKernelApp" not in err


def test_a_build_reports_its_steps(tmp_path, fixture_db):
    # `policykit report` was silent for the whole build: each step now starts and ends
    # through the progress reporter (the CLI prints them; the API stays quiet by default).
    events = []
    source = _notebook(tmp_path / "steps.ipynb", ["db = None", "1"])
    reports.render_report(
        source, to=["html"], db=fixture_db, out=tmp_path / "r", progress=events.append
    )
    ended = [(e.group, e.stage, e.done, e.total) for e in events if e.finished]
    assert ended == [("report steps", "execute", 1, 1), ("report steps", "export", 1, 1)]
    assert all(not e.finished for e in events[:1])


def test_the_report_command_prints_its_steps_without_a_terminal(tmp_path, fixture_db):
    # Lines are for steps of 2 s or more: the cell sleeps past that on any machine.
    source = _notebook(tmp_path / "steps.ipynb", ["db = None", "import time\ntime.sleep(2.5)"])
    env = {**os.environ, "POLICYKIT_PROGRESS": "lines"}
    run = subprocess.run(
        [sys.executable, "-m", "policykit", "report", str(source), "--to", "html",
         "--db", str(fixture_db), "--out", str(tmp_path / "r")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "report steps: execute 1/1 notebook in " in run.stderr
    quiet = subprocess.run(
        [sys.executable, "-m", "policykit", "report", str(source), "--to", "html", "--quiet",
         "--db", str(fixture_db), "--out", str(tmp_path / "q")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert quiet.returncode == 0 and "report steps" not in quiet.stderr


def test_kernel_errors_still_reach_stderr(tmp_path, fixture_db, capfd):
    # Only the two known lines are gone: what the kernel process itself writes to its
    # stderr (here, directly to file descriptor 2) still shows.
    source = _notebook(
        tmp_path / "loud.ipynb", ["db = None", "import os\nos.write(2, b'kernel says boom\\n')"]
    )
    reports.render_report(source, to=["html"], db=fixture_db, out=tmp_path / "r")
    assert "kernel says boom" in capfd.readouterr().err


def test_topic_label_prefers_the_stored_label(tmp_path):
    import policykit as pk

    con = pk.connect(tmp_path / "labels.duckdb")
    con.execute("INSERT INTO topics VALUES ('data_breaches', 'Data breaches', 'breach*')")
    assert pk.topic_label(con, "data_breaches") == "Data breaches"
    assert pk.topic_label(con, "internet_shutdowns") == "internet shutdowns"
    con.close()


@pytest.mark.parametrize(
    ("start", "end", "interval", "expected"),
    [
        ("2026-04-03", "2026-05-06", "day", "week"),  # 34 days: 5 weeks, not 2 months
        ("2022-01-01", "2024-12-31", "week", "month"),  # the demo: 36 months
        ("2024-01-01", "2024-01-19", "day", "day"),  # 19 days: under 4 weeks
        ("2022-01-01", "2024-12-31", "day", "month"),  # 157 weeks is more than 40
        ("2015-01-01", "2024-12-31", "year", "year"),
    ],
)
def test_coarser_interval(start, end, interval, expected):
    assert reports.coarser_interval(start, end, interval) == expected


def test_report_period_of_the_whole_database(con):
    dated = _dated()
    assert reports.report_period(con, None) == (
        dated.published_at.min().date(),
        dated.published_at.max().date(),
    )


def test_with_labels_names_topics_by_their_stored_label(con):
    frame = pd.DataFrame({"topic": ["facial_recognition", "net_neutrality"], "count": [1, 2]})
    frame.attrs["interval"] = "week"
    labelled = reports.with_labels(con, frame)
    assert labelled["topic"].tolist() == [LABEL, "net neutrality"]  # stored label, case kept
    assert labelled.attrs == {"interval": "week"} and frame["topic"].iloc[0] == "facial_recognition"
    with pytest.raises(ConfigError, match="no column 'item'"):
        reports.with_labels(con, frame, "item")


def test_period_label():
    assert reports.period_label("2025-09-07", "2025-09-07") == "7 September 2025"
    assert reports.period_label(dt.date(2026, 4, 3), "2026-05-06") == "3 April 2026 – 6 May 2026"


def test_spike_events_table_says_why_it_is_empty(con):
    import policykit as pk

    spikes = pk.spikes(con, "facial_recognition", interval="week")
    assert len(spikes) == 0  # the fixture's weekly series has no spike
    table = reports.spike_events_table(con, "facial_recognition", spikes, interval="week")
    judged = spikes.attrs["judged"]
    assert judged > 0
    assert len(table) == 0
    assert table.attrs["caption"].endswith(f"no spike was found among the {judged:,} weeks judged")
    # Too few months for any baseline: not "no spike", but nothing could be judged.
    months = pk.spikes(con, "facial_recognition", interval="month")
    assert months.attrs["judged"] == 0 and len(months) == 0
    table = reports.spike_events_table(con, "facial_recognition", months, interval="month")
    assert "no month could be judged" in table.attrs["caption"]
    assert "no spike was found" not in table.attrs["caption"]
    stories = pk.spike_stories(con, "facial_recognition", interval="month")
    table = reports.spike_table(con, "facial_recognition", stories, interval="month")
    assert "no month could be judged" in table.attrs["caption"]
    # Spikes but no grouped events (the fixture has no events stage output).
    fake = pd.DataFrame({"period": [pd.Timestamp("2024-01-01")]})
    table = reports.spike_events_table(con, "facial_recognition", fake, interval="week")
    assert "no events are grouped" in table.attrs["caption"]
