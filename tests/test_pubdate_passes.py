"""The date rule's passes over a page are made only when the rule needs them.

:func:`policykit.normalise.pubdate.choose` takes htmldate's readings and the printed
date as functions; these tests check that each is called only when its answer can
change the choice, and that the choice is the same as with every value given up front.
:func:`policykit.normalise.stamps.zoned_stamp` is checked against the filter it replaces.
"""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_pubdate import RULE_CASES, TEXT, _decide

from policykit.normalise import pubdate
from policykit.normalise.pubdate import choose, page_candidates
from policykit.normalise.stamps import read_stamp, zoned_stamp


def _zoned_by_filter(raw):
    """What offset_hints kept before: read_stamp, then a non-zero offset and an instant."""
    stamp = read_stamp(raw)
    return stamp if stamp is not None and stamp.offset and stamp.instant is not None else None


@pytest.mark.parametrize(
    "raw",
    [
        "2020-05-03T23:30:00-05:00",  # ISO with an offset
        "2020-05-03T23:30:00Z",  # UTC: no hint
        "2020-05-03T23:30:00+00:00",
        "2020-05-03",  # a date: no instant
        "Wed, 04 May 2022 02:41:00 +0200",  # RFC 822 with an offset
        "Wed, 04 May 2022 02:41:00 GMT",
        "9 Sep 2022 10:15 IST",  # a zone abbreviation, read by the fuzzy parsers
        "Sept. 9, 2022 10:15 a.m. EDT",
        "2022-09-09 10:15 GMT+8",
        "3. Mai 2021 um 10:15 Uhr",  # no zone written
        "width=device-width, initial-scale=1",  # what <meta content> mostly holds
        "summary_large_image",
        "en_US",
        "1200",
        "1620000000",  # an epoch: an instant, no zone written
        "",
        "   ",
    ],
)
def test_zoned_stamp_keeps_what_the_filter_kept(raw):
    assert zoned_stamp(raw) == _zoned_by_filter(raw)


@given(
    st.one_of(
        st.text(max_size=39),
        st.from_regex(
            r"\A\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?\s?(Z|[+-]\d\d:?\d\d|GMT|UTC|[A-Z]{3})?\Z"
        ),
        st.from_regex(r"\A\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d ?([A-Z]{2,4}|[+-]\d{4})?\Z"),
    )
)
def test_zoned_stamp_agrees_with_the_filter_on_any_text(raw):
    assert zoned_stamp(raw) == _zoned_by_filter(raw)


class _Pass:
    """A lazy pass over the page that counts its calls."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def _decide_lazily(html, url, *, htmldate, latest, crawl, sidecar):
    tree = lxml.html.document_fromstring(html)
    structured, hints = page_candidates(tree)
    passes = _Pass(htmldate), _Pass(latest), _Pass(pubdate.shown_date(tree))
    choice = choose(
        structured=structured,
        url=url,
        htmldate=passes[0],
        htmldate_latest=passes[1],
        sidecar=sidecar,
        crawl=crawl,
        hints=hints,
        shown=passes[2],
    )
    return choice, passes


@pytest.mark.parametrize(
    ("html", "url", "earliest", "latest", "crawl", "sidecar", "source", "day"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_lazy_passes_give_the_same_choice_once_each(
    html, url, earliest, latest, crawl, sidecar, source, day
):
    eager = _decide(html, url, htmldate=earliest, latest=latest, crawl=crawl, sidecar=sidecar)
    lazy, passes = _decide_lazily(
        html, url, htmldate=earliest, latest=latest, crawl=crawl, sidecar=sidecar
    )
    assert lazy == eager
    assert all(p.calls <= 1 for p in passes)
    if lazy.date_source == "htmldate":
        assert passes[0].calls == 1  # htmldate's reading decided, so it was asked for
    if lazy.date_source in ("sidecar", "url+meta"):
        assert passes[0].calls == passes[1].calls == 0


JSONLD_DATE = (
    '<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{}"}}</script>'
)


def _page(date: str, body: str = "") -> str:
    return (
        f"<html><head><title>t</title>{JSONLD_DATE.format(date)}</head>"
        f"<body><article>{body}{TEXT}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("date", "printed", "reads_page", "source", "day"),
    [
        # written with its offset: no printed day can move it, the page is not read
        (
            "2021-03-03T10:00:00+01:00",
            "<p>Veröffentlicht am 4. März 2021</p>",
            False,
            "jsonld",
            "2021-03-03",
        ),
        # a date without a time: its day is known
        ("2021-03-03", "<p>Veröffentlicht am 4. März 2021</p>", False, "jsonld", "2021-03-03"),
        # a UTC time one day off the printed day: the outlet's own day, read from the page
        (
            "2021-03-03T23:30:00Z",
            "<p>Veröffentlicht am 4. März 2021 um 00:30</p>",
            True,
            "page",
            "2021-03-04",
        ),
        ("2021-03-03T10:00:00Z", "", True, "jsonld", "2021-03-03"),
    ],
)
def test_the_printed_date_is_read_only_when_it_can_change_the_choice(
    date, printed, reads_page, source, day
):
    tree = lxml.html.document_fromstring(_page(date, printed))
    structured, hints = page_candidates(tree)
    shown = _Pass(pubdate.shown_date(tree))
    choice = choose(structured=structured, url=None, htmldate=None, hints=hints, shown=shown)
    assert (shown.calls == 1) is reads_page
    assert (choice.date_source, choice.day.isoformat()) == (source, day)


def test_disagreeing_structured_dates_ask_htmldate_only_to_arbitrate():
    head = (
        JSONLD_DATE.format("2021-03-03")
        + '<meta property="article:published_time" content="2021-03-05">'
    )
    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body>{TEXT}</body></html>")
    structured, hints = page_candidates(tree)
    reading = _Pass("2021-03-05")
    choice = choose(structured=structured, htmldate=reading, hints=hints, shown=None)
    assert reading.calls == 1
    assert choice.day.isoformat() == "2021-03-05"  # the meta date htmldate reads
