"""Publication date of a page: the candidates, the consistency rule, the page's own day.

The HTML snippets are shaped on real pages of ../shared/eval/trafilatura_eval (the host
each is modelled on is named in a comment); the instants and offsets are theirs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.ingest import ingest
from policykit.normalise import pubdate
from policykit.normalise.pubdate import DATE_SOURCES, choose, page_candidates
from policykit.sources.html import extract_html

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"
MIGRATIONS = REPO / "src" / "policykit" / "sql" / "migrations"

TEXT = (
    "<p>The regional government agreed new rules on data retention on Tuesday, after "
    "months of talks with the telecom operators and the privacy regulator. Operators "
    "will have to delete location data after ninety days, and the regulator gains the "
    "power to audit their systems without notice.</p>"
) * 2


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>New rules</title>{head}</head><body><article>{TEXT}{body}</article></body></html>"


def _jsonld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def _decide(html: str, url: str | None, *, htmldate=None, latest=None, crawl=None, sidecar=None):
    tree = lxml.html.document_fromstring(html)
    structured, hints = page_candidates(tree)
    return choose(
        structured=structured,
        url=url,
        htmldate=htmldate,
        htmldate_latest=latest,
        sidecar=sidecar,
        crawl=crawl,
        hints=hints,
        shown=pubdate.shown_date(tree),
    )


CRAWL_2024 = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)

# (id, html, url, htmldate earliest, htmldate latest, crawl, sidecar, date_source, day)
RULE_CASES = [
    # pagesix.com: a UTC timestamp 02:25Z and a URL day one earlier -> the URL's day
    (
        "url+meta, UTC timestamp takes the URL day",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "2020-02-25T02:25:54Z"})),
        "https://pagesix.example/2020/02/24/press-secretary-story/",
        "2020-02-24",
        None,
        None,
        None,
        "url+meta",
        "2020-02-24",
    ),
    # elpais.com: the URL keeps the draft's day, the metadata has the day and an offset
    (
        "url+meta, written offset wins over the URL day",
        _page('<meta property="article:published_time" content="2020-02-19T18:37:32+01:00">'),
        "https://elpais.example/elpais/2020/02/18/ciencia/1582045946_459487.html",
        "2020-02-18",
        None,
        None,
        None,
        "url+meta",
        "2020-02-19",
    ),
    # tagblatt.ch: JSON-LD of the article, no date in the URL
    (
        "jsonld",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "2019-10-19T03:00:00.000Z"})),
        "https://tagblatt.example/kultur/mit-allen-wassern-gewaschen-ld.1161246",
        "2019-10-18",
        None,
        None,
        None,
        "jsonld",
        "2019-10-19",
    ),
    # a JSON-LD @graph with the WebPage first and the article inside
    (
        "jsonld in @graph, article before WebPage",
        _page(
            _jsonld(
                {
                    "@graph": [
                        {"@type": "WebPage", "datePublished": "2021-01-01T00:00:00+00:00"},
                        {"@type": "BlogPosting", "datePublished": "2021-03-04T09:00:00+01:00"},
                    ]
                }
            )
        ),
        "https://blog.example/posts/new-rules",
        None,
        None,
        None,
        None,
        "jsonld",
        "2021-03-04",
    ),
    (
        "meta",
        _page('<meta property="article:published_time" content="2024-03-05T09:30:00+05:30">'),
        "https://policyledger.example/regulator-consultation",
        None,
        None,
        CRAWL_2024,
        None,
        "meta",
        "2024-03-05",
    ),
    # larepublica.pe-like: a URL day and only a metadata date a week later (an update)
    (
        "url beats a later metadata date",
        _page('<meta property="article:published_time" content="2023-07-21T06:00:00-05:00">'),
        "https://news.example/2023/07/14/board-report",
        "2023-07-14",
        None,
        None,
        None,
        "url",
        "2023-07-14",
    ),
    (
        "metadata far before the URL date is another date",
        _page('<meta name="date" content="2015-01-01">'),
        "https://news.example/2020/06/10/story",
        None,
        None,
        None,
        None,
        "url",
        "2020-06-10",
    ),
    (
        "htmldate when there is no structured date",
        _page(),
        "https://blog.example/laufen-im-winter",
        "2019-02-10",
        "2019-02-10",
        None,
        None,
        "htmldate",
        "2019-02-10",
    ),
    # bettycrocker.com: htmldate's earliest reading is 2004, its latest 2019 -> sidebar
    (
        "sidebar: earliest reading 15 years before the latest",
        _page(),
        "https://recipes.example/easy-pineapple-upside-down-cake/c4d3321d",
        "2004-01-01",
        "2019-06-13",
        None,
        None,
        "htmldate",
        "2019-06-13",
    ),
    (
        "a date after the crawl is impossible",
        _page('<meta property="article:published_time" content="2024-03-05T09:30:00+05:30">'),
        "https://policyledger.example/regulator-consultation",
        "2024-02-20",
        None,
        dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC),
        None,
        "htmldate",
        "2024-02-20",
    ),
    # 24ora.com: the article's UTC instant is written with its own offset in a <time>
    (
        "a UTC instant re-expressed in the page's own offset",
        _page(
            '<meta property="article:published_time" content="2022-05-04T03:37:37+00:00">',
            '<time datetime="2022-05-03T23:37:37-04:00">3 May</time>',
        ),
        "https://24ora.example/minister-president-fashion-show",
        "2022-05-04",
        None,
        None,
        None,
        "meta",
        "2022-05-03",
    ),
    # utopia.de: two structured dates disagree; the day the page shows settles it
    (
        "disagreeing metadata: htmldate's reading arbitrates",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2023-11-03T10:25:56+00:00"})
            + '<meta property="article:published_time" content="2023-11-06T14:25:00+00:00">'
        ),
        "https://utopia.example/news/bhs-und-eisberge",
        "2023-11-06",
        None,
        None,
        None,
        "meta",
        "2023-11-06",
    ),
    # kas.de: a date-only value serialised as local midnight in UTC+1
    (
        "local midnight east of UTC",
        _page('<meta property="article:published_time" content="2021-11-04T23:00Z">'),
        "https://kas.example/de/laenderberichte/detail/kommunalwahlen",
        None,
        None,
        None,
        None,
        "meta",
        "2021-11-05",
    ),
    (
        "the sidecar wins as given",
        _page('<meta property="article:published_time" content="2024-03-05T09:30:00+05:30">'),
        "https://policyledger.example/regulator-consultation",
        None,
        None,
        None,
        "2024-03-04",
        "sidecar",
        "2024-03-04",
    ),
    # caritas.de: a TYPO3 <meta name=date> is the day the page was last saved; the page
    # prints "Erschienen am: 13.10.2021" above the press release
    (
        "a labelled dateline beats a generic meta date",
        _page(
            '<meta name="date" content="2021-10-15"><meta name="dc.date" content="2021-10-15">',
            '<div class="eventbox"><span>Erschienen am:</span> <h2>13.10.2021</h2></div>',
        ),
        "https://verband.example/presse/neue-praesidentin",
        "2021-10-15",
        None,
        None,
        None,
        "page",
        "2021-10-13",
    ),
    # umweltbundesamt.de: the article header's <time> against dcterms.date
    (
        "a <time> in the article beats a generic meta date",
        _page(
            '<meta name="dcterms.date" content="2022-01-21T09:43+01:00">',
            '<div class="article-meta"><time datetime="2022-01-25T08:00:00+01:00">25.01.2022'
            "</time></div>",
        ),
        "https://amt.example/themen/taxonomie",
        "2022-01-21",
        None,
        None,
        None,
        "page",
        "2022-01-25",
    ),
    # ... but not a strong key: article:published_time keeps its day against a printed
    # date days away (an update the page prints)
    (
        "a printed date days away does not beat article:published_time",
        _page(
            '<meta property="article:published_time" content="2021-11-22T18:42:22+01:00">',
            "<time>1. Januar 2023</time>",
        ),
        "https://magazin.example/artikel/wellness-hotels",
        "2021-11-22",
        None,
        None,
        None,
        "meta",
        "2021-11-22",
    ),
    # resonator-podcast.de: no structured date; htmldate reads a comment's <time>, the
    # episode says "Veröffentlicht am 16.08.2019"
    (
        "a labelled dateline beats htmldate's reading",
        _page(
            body="<p>Veröffentlicht am 16.08.2019<br>Dauer: 1 Stunde</p>"
            '<div class="comments"><time datetime="2019-08-24T03:36:11+02:00">24. August 2019'
            "</time></div>",
        ),
        "https://podcast.example/2019/folge-158/",
        "2019-08-24",
        None,
        None,
        None,
        "page",
        "2019-08-16",
    ),
    (
        "a comment's date is not the page's",
        _page(
            body='<div class="comment-list"><time datetime="2019-08-24T03:36:11+02:00">'
            "24. August 2019</time></div>"
        ),
        "https://podcast.example/folge-158",
        "2019-08-20",
        None,
        None,
        None,
        "htmldate",
        "2019-08-20",
    ),
    # lanacion.com.ar: datePublished in UTC (00:25Z on 4 May) and the page prints
    # "3 de mayo de 2022 21:25": the instant kept, at the offset the page shows (-03:00)
    (
        "a UTC instant one day off the printed day and clock: the page's zone",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "Wed, 04 May 2022 00:25:56 GMT"}),
            '<span class="mod-date"><time datetime="3 de mayo de 2022">3 de mayo de 2022 21:25'
            "</time></span>",
        ),
        "https://diario.example/politica/boleta-unica-nid03052022/",
        "2022-05-04",
        None,
        None,
        None,
        "page",
        "2022-05-03",
    ),
    # the same without a printed clock: the printed day, as a date
    (
        "a UTC instant one day off the printed day: the printed day",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2022-05-04T00:25:56Z"}),
            "<p class='byline'><time>3 de mayo de 2022</time></p>",
        ),
        "https://diario.example/politica/boleta-unica",
        None,
        None,
        None,
        None,
        "page",
        "2022-05-03",
    ),
    # ... but JSON-LD written with its own offset is the outlet's day already
    (
        "JSON-LD with an offset keeps its day against a printed day one off",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2022-05-05T21:00:00-05:00"}),
            "<time>6 May 2022</time>",
        ),
        "https://noticias.example/judicial/macrocasos",
        None,
        None,
        None,
        None,
        "jsonld",
        "2022-05-05",
    ),
    # tagblatt.ch: JSON-LD (19 Oct, 03:00Z) and <meta itemprop=datePublished> (18 Oct)
    # disagree; the header prints 19.10.2019, so JSON-LD stands (htmldate read the 18th)
    (
        "a printed date, not htmldate, settles disagreeing metadata",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2019-10-19T03:00:00.000Z"})
            + '<meta itemprop="datePublished" content="2019-10-18">',
            '<div class="metainfo"><time class="metainfo__date" datetime="2019-10-19T03:00:00Z">'
            "19.10.2019, 05:00 Uhr</time></div>",
        ),
        "https://zeitung.example/kultur/mit-allen-wassern-gewaschen-ld.1161246",
        "2019-10-18",
        None,
        None,
        None,
        "jsonld",
        "2019-10-19",
    ),
    # energiezukunft.eu: the story's first paragraph opens with its date
    (
        "a paragraph that opens with its date",
        _page(
            body="<p>29.11.2022 – Mehrfach und vehement hatte die Branche gewarnt, dass die "
            "Regierung die Förderung kürzen werde, und nun ist es so weit gekommen.</p>"
        ),
        "https://energie.example/biomasse/bioenergie-branche-protestiert/",
        "2022-12-02",
        None,
        None,
        None,
        "page",
        "2022-11-29",
    ),
    # a date in a teaser link and the masthead's "today" are other stories' dates
    (
        "dates in links and in the masthead are not the page's",
        "<html><head><title>t</title></head><body><header><span class='date'>Mittwoch, "
        "26.02.2020</span></header><article><h1>Neue Regeln</h1>"
        + TEXT
        + "</article><ul><li><a href='/x'><span class='date'>01. Mai 2020</span></a></li>"
        "</ul></body></html>",
        "https://sender.example/titanic",
        "2017-05-01",
        None,
        None,
        None,
        "htmldate",
        "2017-05-01",
    ),
    # eldeber.com.bo: datePublished "Wed, 04 May 2022 02:41:00 GMT", no offset anywhere
    # on the page: 22:41 on 3 May in La Paz (UTC-4), the day the paper printed
    (
        "a UTC time on a ccTLD with one zone: the day in that country",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "Wed, 04 May 2022 02:41:00 GMT"})),
        "https://diario.example.bo/santa-cruz/investigador-chileno_276757",
        None,
        None,
        None,
        None,
        "jsonld",
        "2022-05-03",
    ),
    (
        "the same UTC time on a .com: its UTC day",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "Wed, 04 May 2022 02:41:00 GMT"})),
        "https://diario.example.com/santa-cruz/investigador-chileno_276757",
        None,
        None,
        None,
        None,
        "jsonld",
        "2022-05-04",
    ),
    (
        "exactly midnight UTC is a date, not a time: no country zone",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "2022-05-04T00:00:00Z"})),
        "https://diario.example.pe/politica/nota",
        None,
        None,
        None,
        None,
        "jsonld",
        "2022-05-04",
    ),
    # talent.ch: a WordPress clock set to UTC prints "26/12/2019" for 23:07:45+00:00
    (
        "a UTC time whose UTC day the page prints keeps that day",
        _page(
            body='<time class="entry-date published" datetime="2019-12-26T23:07:45+00:00"'
            ' itemprop="datePublished">26.12.2019</time>'
        ),
        "https://www.blog.example.ch/?p=5031",
        None,
        None,
        None,
        None,
        "meta",
        "2019-12-26",
    ),
    (
        "without the printed day, the same value is 27 December in Zurich",
        _page('<meta property="article:published_time" content="2019-12-26T23:07:45+00:00">'),
        "https://www.blog.example.ch/?p=5031",
        None,
        None,
        None,
        None,
        "meta",
        "2019-12-27",
    ),
    # ejwue.de (TYPO3 news): <div class="news-single-timedata">05.02.2020 - Redaktion: ...
    # against a generic <meta name="date"> (the day the page was last saved)
    (
        "a date-classed element that opens with the date, then its byline",
        _page(
            '<meta name="date" content="2020-02-12">',
            '<div class="news-single-timedata">05.02.2020 <span>- Redaktion: Eberhard Fuhr'
            " (Pressesprecher des Evangelischen Jugendwerks in Württemberg)</span></div>",
        ),
        "https://www.verband.example/aktuell/news/faire-lieferketten/",
        "2020-02-12",
        None,
        None,
        None,
        "page",
        "2020-02-05",
    ),
    (
        "a long date-classed element with the date inside it is no dateline",
        _page(
            '<meta name="date" content="2020-02-12">',
            '<div class="news-single-timedata">Redaktion: Eberhard Fuhr (Pressesprecher des'
            " Evangelischen Jugendwerks), Termin am 05.02.2020</div>",
        ),
        "https://www.verband.example/aktuell/news/faire-lieferketten/",
        "2020-02-12",
        None,
        None,
        None,
        "meta",
        "2020-02-12",
    ),
    # elpais.com: URL /2020/02/18/, JSON-LD and article:published_time 19 Feb 18:37,
    # itemprop=datePublished 18 Feb (the draft); htmldate reads the 18th
    (
        "the strongest date agreeing with the URL wins, not htmldate's pick",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2020-02-19T18:37:32+01:00"})
            + '<meta itemprop="datePublished" content="2020-02-18T18:12:26+01:00">'
        ),
        "https://diario.example.com/elpais/2020/02/18/ciencia/1582045946_459487.html",
        "2020-02-18",
        None,
        None,
        None,
        "url+meta",
        "2020-02-19",
    ),
    # larepublica.pe: URL /2022/05/02/, datePublished 8 May, the page prints "08 May 2022"
    (
        "a later structured date the page prints beats the URL date",
        _page(
            _jsonld({"@type": "NewsArticle", "datePublished": "2022-05-08T06:00:00-05:00"}),
            "<time>08 May 2022</time>",
        ),
        "https://diario.example.com/respuestas/2022/05/02/cronograma-vacaciones/",
        "2022-05-02",
        None,
        None,
        None,
        "page",
        "2022-05-08",
    ),
    (
        "the same later structured date, not printed: the URL date",
        _page(_jsonld({"@type": "NewsArticle", "datePublished": "2022-05-08T06:00:00-05:00"})),
        "https://diario.example.com/respuestas/2022/05/02/cronograma-vacaciones/",
        "2022-05-02",
        None,
        None,
        None,
        "url",
        "2022-05-02",
    ),
    # golf.de: <p>1. Februar 2022 , Daniel Dillenburg</p> under the headline; htmldate
    # reads a teaser's 21 January
    (
        "a short paragraph of a date and a byline is the page's dateline",
        _page(body="<p>1. Februar 2022 , Daniel Dillenburg</p>"),
        "https://verband.example/i7484_1.html",
        "2022-01-21",
        None,
        None,
        None,
        "page",
        "2022-02-01",
    ),
    (
        "a short paragraph of a date and a sentence is not",
        _page(body="<p>1. Februar 2022, da war es noch kalt.</p>"),
        "https://verband.example/i7484_1.html",
        "2022-01-21",
        None,
        None,
        None,
        "htmldate",
        "2022-01-21",
    ),
    (
        "nothing at all",
        _page(),
        "https://blog.example/about",
        None,
        None,
        None,
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("html", "url", "earliest", "latest", "crawl", "sidecar", "source", "day"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_combination_rule(html, url, earliest, latest, crawl, sidecar, source, day):
    choice = _decide(html, url, htmldate=earliest, latest=latest, crawl=crawl, sidecar=sidecar)
    assert choice.date_source == source
    assert (choice.day.isoformat() if choice.day else None) == day
    # what ingest will store for that value is the same day
    if source is not None:
        assert pubdate.stored_day(choice.published, source, url).isoformat() == day


@pytest.mark.parametrize(
    ("text", "day", "clock"),
    [
        ("am 3. Februar 2022 um 21:17", "2022-02-03", (21, 17)),  # German, "um" before the time
        ("19.2.2020 klo 14.00", "2020-02-19", (14, 0)),  # yle.fi: Finnish "klo", dotted time
        ("3 de mayo de 2022", "2022-05-03", None),  # Spanish month name
        ("January 17, 2020", "2020-01-17", None),  # English, month first
        ("6 May 2022  - 2:00 p. m.", "2022-05-06", (14, 0)),  # elespectador: "p. m."
        ("Dienstag, 01. Februar 2022 12:10", "2022-02-01", (12, 10)),  # weekday first
        ("29.04.2020, 12:01 Uhr", "2020-04-29", (12, 1)),
        ("03/05/2022 21:44", None, None),  # slashes: day or month first? not read
        ("Lesungen: 61", None, None),
    ],
)
def test_read_shown(text, day, clock):
    shown = pubdate.read_shown(text)
    assert (shown.day.isoformat() if shown else None) == day
    assert (shown.clock if shown else None) == clock


@pytest.mark.parametrize(
    ("body", "day"),
    [
        # an update label or class is not the publication date
        ("<p>Aktualisiert am 11.04.2020</p><time>Aktualisiert: 11.04.2020</time>", None),
        ('<time class="last-modified">11.04.2020</time>', None),
        # WordPress marks its published date 'entry-date updated': still published
        (
            '<time class="entry-date updated" datetime="2020-01-17T21:08:00+00:00">January 17,'
            " 2020</time>",
            "2020-01-17",
        ),  # fmt: skip
        # a label wins over an earlier <time>
        ("<time>01.01.2020</time><p>Published on 5 March 2020</p>", "2020-03-05"),
        # a labelled date in a comment thread is a reader's
        ('<div id="comments"><p>Veröffentlicht am 02.02.2020</p></div>', None),
    ],
)
def test_shown_date(body, day):
    shown = pubdate.shown_date(lxml.html.document_fromstring(_page(body=body)))
    assert (shown.day.isoformat() if shown else None) == day


def test_modified_and_video_dates_are_not_candidates():
    html = _page(
        '<meta property="article:modified_time" content="2020-01-20T09:49:32Z">'
        '<meta name="sailthru.date" content="2020-01-20T09:49:32Z">'
        + _jsonld({"@type": "VideoObject", "uploadDate": "2020-01-21T10:00:00Z"})
        + _jsonld({"@type": "NewsArticle", "dateModified": "2020-01-20T09:49:32Z"})
    )
    structured, _ = page_candidates(lxml.html.document_fromstring(html))
    assert structured == []


@pytest.mark.parametrize(
    ("raw", "offset"),
    [
        ("2020-05-03T23:30:00-05:00", -300),
        ("2020-05-03T23:30:00.123+0530", 330),
        ("2020-05-03T23:30:00+05", 300),
        ("2020-05-04T04:30:00Z", 0),
        ("Wed, 04 May 2022 02:41:00 GMT", 0),  # eldeber.com.bo JSON-LD
        ("Tue, 05 Mar 2024 09:30:00 +0530", 330),
        ("Sep 07, 2022 05:56 PM IST", 330),
        ("Fri Sep 23 2016 10:34:51 GMT+0800 (CST)", 480),  # JavaScript's Date string
        ("20200121T003000Z", 0),  # GDELT seendate
        ("2020-05-03", None),
        ("2020-05-03 23:30", None),
        ("2022-5-5 22:17:36", None),
        ("10/05/2022 05:22 pm", None),
        ("1588555800", None),
        ("3 hours ago", None),
        ("", None),
    ],
)
def test_utc_offset_as_written(raw, offset):
    assert pubdate.utc_offset_minutes(raw) == offset


def _ingest_jsonl(tmp_path: Path, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    lines = [json.dumps(r) for r in rows]
    (raw / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    ingest([raw], db=db, enrich=False)
    con = duckdb.connect(str(db))
    con.execute("SET TimeZone = 'UTC'")
    return con


def test_the_23_30_eastern_case_through_ingest(tmp_path):
    """23:30 at -05:00 is that day on the page and the next day in UTC."""
    con = _ingest_jsonl(
        tmp_path,
        [
            {
                "url": "https://a.example/story-one",
                "title": "Late evening council vote on data centres",
                "published": "2020-05-03T23:30:00-05:00",
                "body": "The council voted late on Sunday.",
            }
        ],
    )
    at, local, offset = con.execute(
        "SELECT published_at, published_local_date, published_utc_offset FROM articles"
    ).fetchone()
    assert at == dt.datetime(2020, 5, 4, 4, 30, tzinfo=dt.UTC)
    assert local == dt.date(2020, 5, 3)
    assert offset == -300


def _warc(path: Path, url: str, html: str, warc_date: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html.encode("utf-8")),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": warc_date},
        )
        writer.write_record(record)


def test_a_warc_page_keeps_its_own_day_and_offset(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    html = _page(
        _jsonld({"@type": "NewsArticle", "datePublished": "2022-05-05T21:00:00-05:00"})
        + '<meta property="article:published_time" content="2022-05-06T02:00:00Z">'
    )
    _warc(
        raw / "crawl.warc.gz",
        "https://noticias.example/judicial/macrocasos",
        html,
        "2022-05-06T12:00:00Z",
    )
    ingest([raw], db=tmp_path / "w.duckdb", enrich=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        "SELECT published_raw, date_source, published_at, published_local_date, published_utc_offset"
        " FROM articles"
    ).fetchone()
    assert row == (
        "2022-05-05T21:00:00-05:00",
        "jsonld",
        dt.datetime(2022, 5, 6, 2, 0, tzinfo=dt.UTC),
        dt.date(2022, 5, 5),
        -300,
    )


def test_sidebar_dates_do_not_win_over_the_articles_metadata():
    # htmldate's default (original_date=False) reads 2005 from the archive list here
    html = (
        '<html lang="de"><head><title>Neue Regeln</title>'
        + _jsonld({"@type": "NewsArticle", "datePublished": "2020-06-12T10:15:00+02:00"})
        + "</head><body><article><h1>Neue Regeln</h1>"
        + TEXT
        + '</article><aside><h3>Archiv</h3><ul><li><a href="/a">Alte Meldung</a> '
        '<span class="date">12.03.2005</span></li><li><a href="/b">Andere</a> '
        '<span class="date">01.02.2015</span></li></ul></aside></body></html>'
    )
    from htmldate import find_date

    assert find_date(html, original_date=False) == "2005-03-12"
    rec = extract_html(
        html, url="https://land.example/meldungen/neue-regeln", scraped_at="2020-06-20T08:00:00Z"
    )
    assert rec["published"] == "2020-06-12T10:15:00+02:00"
    assert rec["date_source"] == "jsonld"


def test_migration_006_backfills_stored_rows():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name in sorted(p.name for p in MIGRATIONS.glob("00[1-4]_*.sql")):
        con.execute((MIGRATIONS / name).read_text(encoding="utf-8"))
    rows = [
        ("a", "2020-05-04 04:30:00+00", "2020-05-03T23:30:00-05:00"),
        ("b", "2020-05-04 04:30:00+00", "2020-05-04T04:30:00Z"),
        ("c", "2020-05-03 00:00:00+00", "2020-05-03"),
        ("d", "2020-05-03 18:00:00+00", "Sun, 03 May 2020 23:30:00 +0530"),
    ]
    for article_id, at, raw in rows:
        con.execute(
            "INSERT INTO articles (article_id, published_at, published_raw, source_path,"
            " source_locator, ingested_at) VALUES (?, ?::TIMESTAMPTZ, ?, 'f', 'line:1', now())",
            [article_id, at, raw],
        )
    con.execute((MIGRATIONS / "006_published_local.sql").read_text(encoding="utf-8"))
    got = con.execute(
        "SELECT article_id, published_local_date, published_utc_offset FROM articles ORDER BY 1"
    ).fetchall()
    assert got == [
        ("a", dt.date(2020, 5, 3), -300),
        ("b", dt.date(2020, 5, 4), 0),
        ("c", dt.date(2020, 5, 3), None),
        ("d", dt.date(2020, 5, 3), 330),
    ]


# --- real data ---------------------------------------------------------------------------

NP4K = SHARED / "newspaper4k_testdata" / "metadata"


@pytest.mark.skipif(not NP4K.is_dir(), reason="../shared/eval/newspaper4k_testdata is absent")
def test_newspaper4k_offsets_give_the_day_as_written():
    """Each publish_date with an offset (e.g. 2018-06-19T05:50:00+09:00) keeps its
    written day as the local day, whatever its UTC day is."""
    checked = 0
    for path in sorted(NP4K.glob("*.json")):
        value = json.loads(path.read_text(encoding="utf-8")).get("publish_date")
        if not isinstance(value, str) or len(value) < 19:
            continue
        offset = pubdate.utc_offset_minutes(value)
        if offset is None:
            continue
        checked += 1
        day = pubdate.stored_day(value, "metadata", None)
        assert day == dt.date.fromisoformat(value[:10]), value
    assert checked >= 5


# --- invariants --------------------------------------------------------------------------

_days = st.dates(min_value=dt.date(1985, 1, 1), max_value=dt.date(2031, 12, 31))
_offsets = st.sampled_from([None, 0, -300, -240, 60, 120, 330, 540, 600, -600, 765])


@st.composite
def _stamps(draw):
    day = draw(_days)
    offset = draw(_offsets)
    clock = draw(st.one_of(st.none(), st.times()))
    if clock is None:
        return day.isoformat()
    text = f"{day.isoformat()}T{clock.strftime('%H:%M:%S')}"
    if offset is None:
        return text
    if offset == 0:
        return text + draw(st.sampled_from(["Z", "+00:00"]))
    sign = "-" if offset < 0 else "+"
    return f"{text}{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


_KEYS = st.sampled_from(["article:published_time", "date", "pubdate", "dc.date.issued"])


@st.composite
def _pages(draw):
    metas = draw(st.lists(st.tuples(_KEYS, _stamps()), max_size=3))
    jsonld = draw(st.one_of(st.none(), _stamps()))
    head = "".join(f'<meta name="{k}" content="{v}">' for k, v in metas)
    if jsonld:
        head += _jsonld({"@type": "NewsArticle", "datePublished": jsonld})
    url_day = draw(st.one_of(st.none(), _days))
    url = "https://news.example/" + (url_day.strftime("%Y/%m/%d/") if url_day else "") + "story"
    return _page(head), url


@settings(max_examples=200)
@given(
    page=_pages(),
    earliest=st.one_of(st.none(), _days),
    latest=st.one_of(st.none(), _days),
    crawl=st.datetimes(
        min_value=dt.datetime(1995, 1, 1),
        max_value=dt.datetime(2030, 1, 1),
        timezones=st.just(dt.UTC),
    ),
)
def test_never_after_the_crawl_and_sources_from_the_vocabulary(page, earliest, latest, crawl):
    html, url = page
    choice = _decide(
        html,
        url,
        htmldate=earliest and earliest.isoformat(),
        latest=latest and latest.isoformat(),
        crawl=crawl,
    )
    assert choice.date_source is None or choice.date_source in DATE_SOURCES
    assert (choice.published is None) == (choice.date_source is None) == (choice.day is None)
    if choice.day is not None:
        assert choice.day <= (crawl + pubdate.AHEAD_OF_UTC).date()
        assert choice.day >= pubdate.EARLIEST
        # ingest stores the same day for the chosen value
        assert pubdate.stored_day(choice.published, choice.date_source, url) == choice.day


_RAW_VALUES = st.one_of(
    _stamps(),
    st.builds(
        lambda d, t, z: f"{d.strftime('%a, %d %b %Y')} {t.strftime('%H:%M:%S')} {z}",
        st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2030, 1, 1)),
        st.times(),
        st.sampled_from(["GMT", "+0000", "-0500", "+0530", "UTC", "+1400"]),
    ),
    st.sampled_from(["Sep 07, 2022 05:56 PM IST", "17/06/2024", "1588555800", "2 hours ago"]),
)


@settings(max_examples=3)
@given(values=st.lists(_RAW_VALUES, min_size=20, max_size=40, unique=True))
def test_ingest_stores_what_pubdate_computes(tmp_path_factory, values):
    """The SQL twin (local_offsets / local_dates) agrees with utc_offset_minutes and
    stored_day on every generated value, URL date or not."""
    tmp = tmp_path_factory.mktemp("twin")
    rows = []
    for i, value in enumerate(values):
        url_day = dt.date(2020, 1, 1) + dt.timedelta(days=i * 37)
        path = url_day.strftime("%Y/%m/%d/") if i % 2 else ""
        rows.append(
            {
                "url": f"https://twin.example/{path}story-{i}",
                "title": f"Story number {i} about the data rules",
                "published": value,
                "scraped_at": "2031-01-01T00:00:00Z",
                "body": "text",
            }
        )
    con = _ingest_jsonl(tmp, rows)
    got = con.execute(
        "SELECT url, published_raw, date_source, published_local_date, published_utc_offset"
        " FROM articles WHERE published_at IS NOT NULL"
    ).fetchall()
    assert got
    crawl = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    for url, raw, source, local, offset in got:
        assert offset == pubdate.utc_offset_minutes(raw), raw
        assert local == pubdate.stored_day(raw, source, url, crawl), (raw, url)


# --- make eval ---------------------------------------------------------------------------


def test_eval_scores_the_stored_local_day_and_the_htmldate_anchors():
    from policykit import evaluate

    page = evaluate.Page(url="https://x.example/a", path=Path("a"), with_=[], without=[])
    page.date = "2020-05-03"
    late_evening = {"published": "2020-05-03T23:30:00-05:00", "date_source": "meta"}
    found = evaluate.Extraction(date=evaluate._stored_day(late_evening, page.url))
    result = {
        "dates": {"htmldate_default": "2020-05-04", "htmldate_extensive": "2020-05-03"},
        "lang": "en",
        "policykit_html": found,
    }
    table = evaluate._date_tallies([page], [result])
    assert table["policykit_html"] == {"all": [True], "en": [True]}
    assert table["htmldate_default"]["all"] == [False]
    values = evaluate.measured_dates({"dates": table})
    assert values == {
        "dates.policykit_html_day_accuracy": 1.0,
        "dates.htmldate_default_day_accuracy": 0.0,
        "dates.htmldate_extensive_day_accuracy": 1.0,
    }
    text = evaluate.format_dates({"dates": table})
    assert "policykit (stored local day)" in text and "htmldate original_date=False" in text


def test_trends_by_the_pages_own_day(tmp_path):
    """tz='page' buckets each article on published_local_date; UTC on the instant."""
    import policykit as pk

    _ingest_jsonl(
        tmp_path,
        [
            {
                "url": "https://a.example/one",
                "title": "Late evening council vote on data centres",
                "published": "2020-05-03T23:30:00-05:00",
                "body": "The council voted late on Sunday.",
            },
            {
                "url": "https://a.example/two",
                "title": "Morning report on the data centre vote",
                "published": "2020-05-04T10:00:00Z",
                "body": "A report the next morning.",
            },
        ],
    ).close()
    con = pk.connect(tmp_path / "t.duckdb")
    days = {}
    for tz in ("UTC", "page", "PAGE"):
        frame = pk.coverage_over_time(
            con, tz=tz, start="2020-05-03", end="2020-05-04", normalise=False
        )
        days[tz] = [
            (str(p)[:10], int(c)) for p, c in zip(frame["period"], frame["count"], strict=True)
        ]
    assert days["UTC"] == [("2020-05-03", 0), ("2020-05-04", 2)]
    assert days["page"] == days["PAGE"] == [("2020-05-03", 1), ("2020-05-04", 1)]
    # the period filter is on the page's day too
    frame = pk.coverage_over_time(con, tz="page", start="2020-05-03", end="2020-05-03")
    assert [int(c) for c in frame["count"]] == [1]


MEDIACLOUD = SHARED / "mediacloud_search_hantavirus"
NPR_FEED = SHARED / "feeds_and_warc_samples" / "trafilatura_resources" / "feed.json"


def _ingest_files(tmp_path: Path, *files: Path) -> duckdb.DuckDBPyConnection:
    import shutil

    raw = tmp_path / "raw"
    raw.mkdir()
    for f in files:
        shutil.copy(f, raw / f.name)
    ingest([raw], db=tmp_path / "r.duckdb", enrich=False)
    con = duckdb.connect(str(tmp_path / "r.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    return con


@pytest.mark.skipif(not NPR_FEED.is_file(), reason="../shared/eval feed sample is absent")
def test_npr_feed_items_keep_their_written_day_and_offset(tmp_path):
    """NPR's JSON Feed writes date_published with -04:00: each item's local day and
    offset are read back from the file independently (json module, string slices)."""
    items = json.loads(NPR_FEED.read_text(encoding="utf-8"))["items"]
    expected = {}
    for item in items:
        value = item["date_published"]
        sign = -1 if value[-6] == "-" else 1
        expected[item["url"]] = (
            dt.date.fromisoformat(value[:10]),
            sign * (int(value[-5:-3]) * 60 + int(value[-2:])),
        )
    con = _ingest_files(tmp_path, NPR_FEED)
    got = con.execute(
        "SELECT url, published_local_date, published_utc_offset FROM articles"
    ).fetchall()
    assert len(got) == len(expected) == 25
    assert {url: (day, offset) for url, day, offset in got} == expected


@pytest.mark.skipif(not MEDIACLOUD.is_dir(), reason="../shared/eval/mediacloud is absent")
def test_mediacloud_date_only_values_are_their_own_day(tmp_path):
    """publish_date is date-only: the stored local day is that date, with no offset."""
    import csv

    path = next(MEDIACLOUD.glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as fh:
        gold = {row["url"]: row["publish_date"] for row in csv.DictReader(fh)}
    con = _ingest_files(tmp_path, path)
    got = con.execute(
        "SELECT url, published_local_date, published_utc_offset FROM articles"
        " WHERE published_at IS NOT NULL"
    ).fetchall()
    assert len(got) > 1500
    assert all(offset is None for _, _, offset in got)
    assert all(day.isoformat() == gold[url] for url, day, _ in got)


@pytest.mark.parametrize(
    ("url", "instant", "offset"),
    [
        ("https://www.zeit.de/x", dt.datetime(2022, 1, 10, 12, tzinfo=dt.UTC), 60),
        ("https://www.zeit.de/x", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), 120),  # CEST
        ("https://www.bbc.co.uk/news/x", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), 60),
        ("https://indianexpress.in/x", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), 330),
        ("https://www.lanacion.com.ar/x", dt.datetime(2022, 5, 4, tzinfo=dt.UTC), -180),
        ("https://www.example.com/x", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), None),
        ("https://lenta.ru/x", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), None),  # 11 zones
        ("not a url", dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), None),
        (None, dt.datetime(2022, 7, 10, 12, tzinfo=dt.UTC), None),
    ],
)
def test_country_offset(url, instant, offset):
    from policykit.normalise.zones import country_offset

    assert country_offset(url, instant) == offset
