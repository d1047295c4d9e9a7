"""The report notebooks, executed once against the small fixture database.

One module-scoped fixture builds coverage-brief and landscape (HTML and PDF) and explore
(HTML, through the CLI); the tests below only inspect the files.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from test_reports import HOSTILE_TITLES, LABEL, _articles, build_fixture_db

from policykit import __version__, reports, store
from policykit.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    db = build_fixture_db(root / "fx.duckdb")
    sources = sorted(NOTEBOOKS.glob("*.ipynb"))
    before = {p.name: _digest(p) for p in sources}
    out = root / "out"
    brief = reports.render_report(
        "coverage-brief", {"topic": "facial_recognition", "interval": "week"}, db=db, out=out
    )
    landscape = reports.render_report("landscape", db=db, out=out)
    cli = CliRunner().invoke(
        main, ["report", "explore", "--to", "html", "--out", str(out), "--db", str(db)]
    )
    after = {p.name: _digest(p) for p in sources}
    return {
        "db": db,
        "out": out,
        "brief": brief,
        "landscape": landscape,
        "cli": cli,
        "sources_unchanged": before == after,
    }


@pytest.fixture(scope="module", params=["brief", "landscape"])
def result(request, built):
    return built[request.param]


def test_sources_are_never_modified(built):
    assert built["sources_unchanged"]


def test_paths_and_no_leftovers(built):
    out = built["out"]
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"{n}.{ext}"
        for n, exts in [
            ("coverage-brief", "html ipynb pdf"),
            ("landscape", "html ipynb pdf"),
            ("explore", "html ipynb"),
        ]
        for ext in exts.split()
    )


def test_cli_prints_the_paths(built):
    cli = built["cli"]
    assert cli.exit_code == 0, cli.output
    assert cli.output.split() == [
        str(built["out"] / "explore.ipynb"),
        str(built["out"] / "explore.html"),
    ]


def test_cli_unknown_report_is_one_line(built):
    cli = CliRunner().invoke(main, ["report", "nope", "--db", str(built["db"])])
    assert cli.exit_code == 2
    assert cli.output.count("\n") == 1 and "report 'nope' is not one of" in cli.output


class _Fetches(HTMLParser):
    """Every script, stylesheet, font or other resource a browser would fetch."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.fetched: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for key, value in attrs:
            if key.startswith("on"):
                self.handlers.append(f"{tag} {key}")
            if key in ("src", "href") and tag != "a" and value:
                self.fetched.append(value)


def test_html_fetches_nothing_from_the_network(result):
    markup = result.html.read_text(encoding="utf-8")
    parser = _Fetches()
    parser.feed(markup)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(src.startswith("data:") for src in parser.fetched)
    assert not re.search(r"<(script|link)\b", markup, re.I)
    assert not re.search(r"@import|@font-face|url\(\s*['\"]?https?:", markup, re.I)
    assert not re.search(r"(src|href)\s*=\s*['\"]?https?://[^'\"]*\.(js|css|woff2?|ttf)", markup)
    assert reports.html_problems(markup) == []


def test_hostile_data_is_shown_as_text(built):
    markup = built["brief"].html.read_text(encoding="utf-8")
    parser = _Fetches()
    parser.feed(markup)
    assert parser.handlers == []
    for hostile in HOSTILE_TITLES:
        assert hostile not in markup
    # The hostile titles are in the tables (syndication, samples), as visible text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup or "&lt;img src=x" in markup
    assert "<b>Wire</b>" not in markup  # an outlet name with markup stays text too
    assert 'href="javascript:' not in markup.lower()


def test_every_report_ends_with_its_provenance(result, built):
    markup = result.html.read_text(encoding="utf-8")
    tail = markup[markup.rindex("About this report") :]
    with store.connect(built["db"], read_only=True) as con:
        assert store.content_hash(con) in tail
    assert __version__ in tail and "Generated" in tail and "UTC" in tail
    for name in ("interval", "start", "end"):
        assert f"{name} = " in tail
    assert result.content_hash in tail


def test_brief_has_its_sections(built):
    markup = built["brief"].html.read_text(encoding="utf-8")
    for heading in [
        f"Coverage brief: {LABEL}",  # the stored label, case kept
        "Headline numbers",
        "Coverage over time",
        "The stories behind the spikes",
        "Outlet mix",
        "Who is mentioned, and who is cited",
        "Distinctive terms",
        "Stories to read",
        "Appendix: data quality",
    ]:
        assert heading in markup, heading
    assert markup.count('class="pk-card"') == 4
    assert "Traceback" not in markup and "Error" not in markup


def _alts(markup: str) -> list[str]:
    return [html.unescape(a) for a in re.findall(r'<img\b[^>]*\balt="([^"]*)"', markup)]


def test_brief_says_when_there_is_no_data_to_compare(built):
    markup = html.unescape(built["brief"].html.read_text(encoding="utf-8"))
    # The fixture's first dated article is on 1 Jan 2024 and the default period starts
    # there, so the previous period has no data at all.
    first = _articles().published_at.dropna().min()
    assert markup.count(f"no data before {first:%-d %b %Y}") == 4
    assert "previous period: 0" not in markup
    assert "The topic also has 1 undated article" in markup  # article 47


def test_brief_titles_keep_the_labels_case(built):
    alts = _alts(built["brief"].html.read_text(encoding="utf-8"))
    titled = [a for a in alts if a.startswith(f"{LABEL}: ")]
    assert len(titled) == len(alts) >= 4
    assert not any(LABEL.lower() in a for a in alts)


def test_landscape_names_topics_by_label(built):
    alts = _alts(built["landscape"].html.read_text(encoding="utf-8"))
    panels = [a for a in alts if a.startswith("Coverage over time by topic")]
    assert len(panels) == 1 and LABEL in panels[0]  # the panel titles
    assert not any("facial_recognition" in a for a in alts)
    # The per-topic table names the topic by its label too, not its key.
    markup = built["landscape"].html.read_text(encoding="utf-8")
    start = markup.index("Articles per topic (all, dated, undated)")
    table = markup[start : markup.index("</table>", start)]
    assert LABEL in table and "facial_recognition" not in table


def test_brief_chart_notes_count_the_topics_articles(built):
    # Independent count: the fixture's topic articles are the first 30, all dated.
    topic = _articles().iloc[:30]
    outlets = topic.outlet.fillna(topic.domain).nunique()  # no name: counted by domain
    expected = re.compile(f"{len(topic)} articles from (the )?{outlets} outlets")
    alts = _alts(built["brief"].html.read_text(encoding="utf-8"))
    heatmap = [a for a in alts if "by outlet and week" in a]
    share = [a for a in alts if "share per " in a]
    assert len(heatmap) == len(share) == 1
    assert expected.search(heatmap[0]) and expected.search(share[0])


def test_brief_shows_the_spike_note(built):
    import policykit as pk

    with store.connect(built["db"], read_only=True) as con:
        start, end = pk.report_period(con, "facial_recognition")
        found = pk.spikes(con, "facial_recognition", interval="week", start=start, end=end)
    markup = html.unescape(built["brief"].html.read_text(encoding="utf-8"))
    assert found.attrs["note"] and found.attrs["note"] in markup
    # The spike table states its base, or that there is no spike.
    if len(found):
        assert "within its spike week" in markup
    else:
        assert "Stories behind the spikes: no spike was found" in markup


class _Tables(HTMLParser):
    """Each pk-caption and the rows (cell texts) of the table that follows it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._in_caption = False
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "p" and ("class", "pk-caption") in attrs:
            self._in_caption, self._caption = True, ""
        elif tag == "tr" and self._caption is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "p" and self._in_caption:
            self._in_caption = False
            self.tables[self._caption] = []
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._caption].append(self._row)
            self._row = None
        elif tag == "table":
            self._caption = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def test_explore_sql_counts_are_the_api_counts(built):
    parser = _Tables()
    parser.feed((built["out"] / "explore.html").read_text(encoding="utf-8"))
    tables = parser.tables
    api, sql = tables["pk.outlet_mix"], tables["the same counts in SQL"]
    count = api[0].index("count")
    api_rows = [(r[0], r[count]) for r in api[1:] if r[0] != "Other"]
    assert api_rows == [tuple(r[:2]) for r in sql[1:]]
    assert api_rows  # not two empty tables
    topics_api, topics_sql = tables["pk.list_topics(con)"], tables["the same in SQL"]
    assert topics_api == topics_sql and len(topics_api) > 1
    per_period = tables["counts per period in SQL (bound parameters $topic, $interval, $tz)"]
    coverage = tables["pk.coverage_over_time"]
    header = coverage[0]
    api_counts = {r[header.index("period")]: r[header.index("count")] for r in coverage[1:]}
    assert all(
        api_counts.get(period, "0") == n for period, n in per_period[1:] if period in api_counts
    )


def _pdf_images(path: Path) -> list[tuple[int, tuple[float, float, float, float], float]]:
    found = []
    pdf = pdfium.PdfDocument(str(path))
    for index in range(len(pdf)):
        page = pdf[index]
        for obj in page.get_objects():
            if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                found.append((index, obj.get_bounds(), page.get_width()))
    return found


def test_pdf_has_every_chart_whole_on_a_page(result):
    markup = result.html.read_text(encoding="utf-8")
    charts_in_html = len(re.findall(r"<img\b[^>]*src=\"data:image/png", markup))
    assert charts_in_html >= 2
    images = _pdf_images(result.pdf)
    assert len(images) == charts_in_html
    for _page, (left, bottom, right, top), width in images:
        # Inside the page and its margins: nothing cut at a page edge.
        assert 0 < left < right < width and bottom > 0 and top > bottom


def test_pdf_tables_fit_the_page_width(result):
    pdf = pdfium.PdfDocument(str(result.pdf))
    for index in range(len(pdf)):
        page = pdf[index]
        width = page.get_width()
        text = page.get_textpage()
        for i in range(text.count_rects()):
            left, _bottom, right, _top = text.get_rect(i)
            assert left >= 0 and right <= width - 20, f"page {index + 1}: text beyond margin"


def test_pdf_pages_are_not_blank(result):
    pdf = pdfium.PdfDocument(str(result.pdf))
    assert len(pdf) >= 2
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    low, high = image.getextrema()
    assert high - low > 100  # ink on paper
    dark = sum(image.histogram()[:200])
    assert dark > 0.01 * image.width * image.height


def test_pdf_has_no_half_empty_page_but_the_last(result):
    from test_print_fit import _blank_bottom

    shares = _blank_bottom(result.pdf)  # from the rendered pixels
    assert all(share < 0.5 for share in shares[:-1]), [f"{s:.0%}" for s in shares]


def test_page_footer_has_numbers(result):
    pdf = pdfium.PdfDocument(str(result.pdf))
    last = pdf[len(pdf) - 1].get_textpage().get_text_range()
    assert f"Page {len(pdf)} of {len(pdf)}" in last


def _chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )


# CI installs Debian's chromium (.ci/run), so there the test runs or fails; elsewhere a
# machine without it skips.
@pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
)
def test_html_renders_in_headless_chromium(built, tmp_path):
    shot = tmp_path / "shot.png"
    uri = built["brief"].html.as_uri()
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", uri)
    from PIL import Image

    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert high - low > 100
    # Ink beyond the page background: text and charts were laid out, not a blank page.
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height
    # The browser parsed the whole report: its title, the cards and every chart.
    dom = _chromium(tmp_path, "--dump-dom", uri).stdout
    assert f"Coverage brief: {LABEL}" in dom
    assert dom.count('class="pk-card"') == 4
    markup = built["brief"].html.read_text(encoding="utf-8")
    assert dom.count("data:image/png") == markup.count("data:image/png") >= 4
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


# --- the source notebooks themselves (no execution) -------------------------------------


@pytest.mark.parametrize("name", ["coverage-brief", "landscape", "explore"])
def test_notebook_is_thin_paired_and_read_only(name):
    import jupytext
    import nbformat

    notebook = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    paired = jupytext.read(str(NOTEBOOKS / f"{name}.py"))
    assert [c.source for c in notebook.cells] == [c.source for c in paired.cells]
    assert notebook.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code)  # sources are stored without outputs
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "db = None" in tagged[0].source
    text = "\n".join(c.source for c in code)
    assert "import policykit as pk" in text
    # Thin: helpers belong in the package, not in notebooks.
    assert not re.search(r"^\s*(def|class)\s|lambda\b", text, re.M)
    assert re.findall(r"pk\.connect\([^)]*\)", text) == ["pk.connect(db, read_only=True)"]
