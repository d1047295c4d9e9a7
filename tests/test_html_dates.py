"""htmldate inside trafilatura's metadata pass is deferred to the date rule.

:func:`policykit.sources.html.extract_html` records the htmldate call trafilatura's
metadata extraction makes and makes it later, on the same page, only when the date rule
asks for htmldate's reading. These tests check that the call is skipped when a URL date
decides, made when it decides, that trafilatura outside extract_html is unaffected, and
that records on real pages are the same as with trafilatura's own call.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import trafilatura.metadata
from htmldate import find_date

from policykit.sources import html as html_mod
from policykit.sources.html import extract_html

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "eval" / "trafilatura_eval" / "pages"

TEXT = (
    "<p>The data protection board published its annual report on Monday, listing "
    "complaints about consent banners, location tracking and the sale of browsing "
    "histories to advertisers. The board said most complaints were settled within "
    "ninety days, but cross-border cases still took more than a year.</p>"
) * 2
#: No structured date and no URL date: only htmldate's reading of the text dates it.
UNDATED_META = (
    "<html><head><title>Annual report</title></head><body><article>"
    "<h1>Annual report</h1><p class='byline'>Report of 14 March 2023</p>"
    f"{TEXT}</article></body></html>"
)


@pytest.fixture
def htmldate_calls(monkeypatch):
    """Counts the real htmldate calls made for extract_html."""
    extract_html("<html><body><p>warm</p></body></html>")  # installs the deferral
    real = html_mod._find_date_or_defer.real
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(html_mod._find_date_or_defer, "real", counting)
    return calls


def test_a_url_date_decides_without_htmldate(htmldate_calls):
    rec = extract_html(UNDATED_META, url="https://news.example/2023/07/14/board-report")
    assert (rec["published"], rec["date_source"]) == ("2023-07-14", "url")
    assert htmldate_calls == []


def test_htmldate_is_asked_when_nothing_else_dates_the_page(htmldate_calls):
    rec = extract_html(UNDATED_META)
    assert rec["date_source"] == "htmldate"
    # the reading is htmldate's own, with the options trafilatura passes it
    assert rec["published"] == find_date(UNDATED_META, extensive_search=True, original_date=True)
    assert htmldate_calls and htmldate_calls[0]["original_date"] is True
    assert htmldate_calls[0]["extensive_search"] is True


def test_trafilatura_outside_extract_html_still_dates_pages(htmldate_calls):
    doc = trafilatura.metadata.extract_metadata(UNDATED_META)
    assert doc.date == find_date(UNDATED_META, extensive_search=True, original_date=True)
    assert doc.date is not None


@pytest.mark.skipif(not PAGES.is_dir(), reason="shared trafilatura_eval pages not available")
def test_records_match_trafilaturas_own_htmldate_call(monkeypatch):
    paths = sorted(PAGES.glob("*.html.gz"))[::25]  # 40 of the 990 pages
    deferred = [extract_html(gzip.decompress(p.read_bytes())) for p in paths]
    # trafilatura's own call, as before the deferral, and its reading handed over eagerly
    monkeypatch.setattr(trafilatura.metadata, "find_date", html_mod._find_date_or_defer.real)
    monkeypatch.setattr(html_mod, "_defer_trafilatura_dates", lambda: None)
    eager = [extract_html(gzip.decompress(p.read_bytes())) for p in paths]
    assert deferred == eager
    assert sum(r["date_source"] == "htmldate" for r in eager) >= 5  # the reading mattered
