"""parse_published: table of shapes, relative dates, options, and never raising."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.errors import ConfigError
from policykit.normalise import ParsedDate, parse_published


def utc(*parts):
    return dt.datetime(*parts, tzinfo=dt.UTC)


SCRAPED = utc(2022, 7, 18, 12, 0)

CASES = [
    # ISO 8601 date only: midnight in default_tz
    ("2022-07-18", utc(2022, 7, 18), "iso"),
    # ISO with offset
    ("2022-07-18T10:15:00+05:30", utc(2022, 7, 18, 4, 45), "iso"),
    # ISO with Z and fraction
    ("2022-07-18T10:15:00.5Z", utc(2022, 7, 18, 10, 15, 0, 500000), "iso"),
    # ISO basic date, as some URL-derived exports write it
    ("20220718", utc(2022, 7, 18), "iso"),
    # ISO basic date-time, GDELT's seendate: year first, never read day-first
    ("20220104T031200Z", utc(2022, 1, 4, 3, 12), "iso"),
    ("20220104T0312Z", utc(2022, 1, 4, 3, 12), "iso"),
    # RFC 2822 with numeric offset
    ("Mon, 18 Jul 2022 10:15:00 -0400", utc(2022, 7, 18, 14, 15), "rfc2822"),
    # RFC 2822 with a US zone name (obsolete RFC 822 form)
    ("Mon, 18 Jul 2022 10:15:00 EST", utc(2022, 7, 18, 15, 15), "rfc2822"),
    # RFC 2822 with IST: India, +05:30 (not Israel, not Irish)
    ("Mon, 18 Jul 2022 10:15:00 IST", utc(2022, 7, 18, 4, 45), "rfc2822"),
    # epoch seconds and milliseconds as digit strings
    ("1658102400", utc(2022, 7, 18), "epoch_s"),
    ("1658102400000", utc(2022, 7, 18), "epoch_ms"),
    # human, month name first
    ("Feb 27, 2020", utc(2020, 2, 27), "human"),
    # human with an IST time
    ("27 February 2020, 10:15 IST", utc(2020, 2, 27, 4, 45), "human"),
    # other zone abbreviations
    ("27 February 2020 10:15 PST", utc(2020, 2, 27, 18, 15), "human"),
    ("27 February 2020 10:15 BST", utc(2020, 2, 27, 9, 15), "human"),
    ("27 February 2020 10:15 CET", utc(2020, 2, 27, 9, 15), "human"),
    ("27 February 2020 10:15 GMT", utc(2020, 2, 27, 10, 15), "human"),
    # numeric offset written after a human date
    ("February 27, 2020 10:15 AM +05:30", utc(2020, 2, 27, 4, 45), "human"),
    # a label in front ("Updated: ", "Published on")
    ("Updated: Feb 27, 2020 10:15 IST", utc(2020, 2, 27, 4, 45), "human"),
    ("Published on 27 Feb 2020", utc(2020, 2, 27), "human"),
    # DMY numeric (default order)
    ("27/02/2020", utc(2020, 2, 27), "human"),
    ("03/04/2020", utc(2020, 4, 3), "human"),
    # dotted German numeric
    ("27.02.2020", utc(2020, 2, 27), "human"),
    # year first is always Y-M-D, whatever the order setting
    ("2020/02/03", utc(2020, 2, 3), "human"),
    # other languages through dateparser
    ("27 février 2020", utc(2020, 2, 27), "human"),
]


@pytest.mark.parametrize(("raw", "value", "source"), CASES)
def test_parse_published(raw, value, source):
    assert parse_published(raw) == ParsedDate(value, source, None)


ORDER_CASES = [
    # ambiguous: the order decides
    ("03/04/2020", "DMY", utc(2020, 4, 3)),
    ("03/04/2020", "MDY", utc(2020, 3, 4)),
    # unambiguous: parses the same either way
    ("13/02/2020", "DMY", utc(2020, 2, 13)),
    ("13/02/2020", "MDY", utc(2020, 2, 13)),
    ("02/13/2020", "DMY", utc(2020, 2, 13)),
]


@pytest.mark.parametrize(("raw", "order", "value"), ORDER_CASES)
def test_date_order(raw, order, value):
    assert parse_published(raw, date_order=order).value == value


def test_naive_values_use_default_tz():
    # 10:15 in Kolkata is 04:45 UTC
    got = parse_published("2022-07-18 10:15", default_tz="Asia/Kolkata")
    assert got == ParsedDate(utc(2022, 7, 18, 4, 45), "iso", None)
    # an explicit offset wins over default_tz
    got = parse_published("2022-07-18T10:15Z", default_tz="Asia/Kolkata")
    assert got.value == utc(2022, 7, 18, 10, 15)


RELATIVE_CASES = [
    # hours, days, weeks, months before scraped_at
    ("2 hours ago", utc(2022, 7, 18, 10, 0)),
    ("an hour ago", utc(2022, 7, 18, 11, 0)),
    ("3 days ago", utc(2022, 7, 15, 12, 0)),
    ("1 week ago", utc(2022, 7, 11, 12, 0)),
    ("2 months ago", utc(2022, 5, 18, 12, 0)),
    ("45 mins ago", utc(2022, 7, 18, 11, 15)),
    # words
    ("yesterday", utc(2022, 7, 17, 12, 0)),
    ("Today", SCRAPED),
    ("just now", SCRAPED),
    # a label in front
    ("Updated 5 hours ago", utc(2022, 7, 18, 7, 0)),
    # another language, through dateparser
    ("hace 2 horas", utc(2022, 7, 18, 10, 0)),
]


@pytest.mark.parametrize(("raw", "value"), RELATIVE_CASES)
def test_relative_dates(raw, value):
    assert parse_published(raw, scraped_at=SCRAPED) == ParsedDate(value, "relative", None)


@pytest.mark.parametrize("raw", ["2 hours ago", "yesterday", "hace 2 horas"])
def test_relative_without_reference(raw):
    assert parse_published(raw) == ParsedDate(None, None, "relative_without_reference")


def test_naive_scraped_at_is_in_default_tz():
    got = parse_published("2 hours ago", scraped_at=dt.datetime(2022, 7, 18, 12), default_tz="UTC")
    assert got.value == utc(2022, 7, 18, 10)


NUMBER_CASES = [
    # int seconds, float seconds, int milliseconds
    (1658102400, utc(2022, 7, 18), "epoch_s"),
    (1658102400.25, utc(2022, 7, 18, 0, 0, 0, 250000), "epoch_s"),
    (1658102400000, utc(2022, 7, 18), "epoch_ms"),
    # datetime and date objects pass through (naive ones in default_tz)
    (dt.datetime(2022, 7, 18, 10, 15), utc(2022, 7, 18, 10, 15), "iso"),
    (dt.date(2022, 7, 18), utc(2022, 7, 18), "iso"),
]


@pytest.mark.parametrize(("raw", "value", "source"), NUMBER_CASES)
def test_numbers_and_objects(raw, value, source):
    assert parse_published(raw) == ParsedDate(value, source, None)


# Issue 11: shapes the fuzzy parsers misread or missed, and their families.
# (raw, outlet date order, UTC value)
PEER_CASES = [
    # dotted day-first, a space after a dot, a two-digit year (dateparser's tests)
    ("26. 10.21", "DMY", utc(2021, 10, 26)),
    ("26 . 10.21", "DMY", utc(2021, 10, 26)),
    ("30 . 09 . 22 12.12", "DMY", utc(2022, 9, 30, 12, 12)),
    # ... with a dotted time: 14.12 is 14:12, not the year 2014
    ("26. 10.21 14.12", "DMY", utc(2021, 10, 26, 14, 12)),
    ("29.02.2020 13.12", "DMY", utc(2020, 2, 29, 13, 12)),
    ("18.10.14 um 22:56 Uhr", "DMY", utc(2014, 10, 18, 22, 56)),
    ("5.7.2018 5.45 pm", "DMY", utc(2018, 7, 5, 17, 45)),
    # the outlet's order decides an ambiguous one; a day over 12 reads either way
    ("03.04.21", "MDY", utc(2021, 3, 4)),
    ("26.10.21", "MDY", utc(2021, 10, 26)),
    # two-digit years: 00-69 are 20xx, 70-99 are 19xx
    ("10.10.98", "DMY", utc(1998, 10, 10)),
    # digit runs: year first when the year is plausible (12 and 14 digits: with time)
    ("201709011234", "DMY", utc(2017, 9, 1, 12, 34)),
    ("20170901123456", "DMY", utc(2017, 9, 1, 12, 34, 56)),
    ("20041212", "DMY", utc(2004, 12, 12)),
    # ... else day and month by the outlet's order, then the year
    ("12122004", "DMY", utc(2004, 12, 12)),
    ("03042004", "DMY", utc(2004, 4, 3)),
    ("03042004", "MDY", utc(2004, 3, 4)),
    ("25122004", "MDY", utc(2004, 12, 25)),
    # a dotted 12-hour time keeps its minutes
    ("Wed, 22nd June, 2016, 12.16 pm.", "DMY", utc(2016, 6, 22, 12, 16)),
    ("Wednesday, 22nd June, 2016, 12.16 pm.", "DMY", utc(2016, 6, 22, 12, 16)),
    ("June 22, 2016, 9.05 a.m.", "DMY", utc(2016, 6, 22, 9, 5)),
    ("20 Mar 2013 10h11", "DMY", utc(2013, 3, 20, 10, 11)),
    # JavaScript Date.toString(): the offset is east of UTC, the bracketed name ignored
    ("Fri Sep 23 2016 10:34:51 GMT+0800 (CST)", "DMY", utc(2016, 9, 23, 2, 34, 51)),
    ("Thu Oct 06 2022 09:15:00 GMT-0400 (Eastern Daylight Time)", "DMY", utc(2022, 10, 6, 13, 15)),
    ("Wed, 19 Feb 2012 22:40:00 GMT-01:01", "DMY", utc(2012, 2, 19, 23, 41)),
    # a label in any script before the date
    ("发布时间: 2022-02-25 14:34", "DMY", utc(2022, 2, 25, 14, 34)),
    ("Stand: 03.04.2019", "DMY", utc(2019, 4, 3)),
    # an IANA zone name after the time
    ("Wed, 19 Aug 2009 18:28:00 Etc/GMT", "DMY", utc(2009, 8, 19, 18, 28)),
    ("Wed, 19 Aug 2009 18:28:00 Europe/Berlin", "DMY", utc(2009, 8, 19, 16, 28)),
    ("Wed, 19 Aug 2009 18:28:00 Asia/Kolkata", "DMY", utc(2009, 8, 19, 12, 58)),
    # a weekday (or a placeholder) the parsers do not know, with 'den'
    ("XXTag, den 29. Februar 2008", "DMY", utc(2008, 2, 29)),
    ("Donnerstag, den 29. Februar 2008", "DMY", utc(2008, 2, 29)),
    # German zone names (feedparser's MET/MEST)
    ("Thu, 30 Apr 2015 08:57:00 MEST", "DMY", utc(2015, 4, 30, 6, 57)),
    ("Fr, 1 Sep 2017 16:27:51 MESZ", "DMY", utc(2017, 9, 1, 14, 27, 51)),
    # Google's extra zero in the month (feedparser's tests)
    ("2003-012-31T10:14:55+00:00", "DMY", utc(2003, 12, 31, 10, 14, 55)),
    # year-first numeric dates are year-month-day
    ("2004-2-12", "DMY", utc(2004, 2, 12)),
    ("2020.02.03", "MDY", utc(2020, 2, 3)),
]


@pytest.mark.parametrize(("raw", "order", "value"), PEER_CASES)
def test_peer_families(raw, order, value):
    assert parse_published(raw, date_order=order).value == value


PEER_FAILURES = [
    # a fourth date number is not a time (feedparser's w3dtf test: too many parts)
    ("2013-01-27-01", "unparseable"),
    ("2013-01-27-01 10:00", "unparseable"),
    # two ISO dates run together: which one is meant? (dateparser does not parse it)
    ("2015-03-17t16:37:51+00:002015-03-17t15:24:37+00:00", "unparseable"),
    # year-first is never year-day-month; a fuzzy year 1212 is a misread
    ("1212-20-04", "out_of_range"),
    ("2004-20-12", "out_of_range"),
    # digit runs whose parts do not exist
    ("33132004", "out_of_range"),
    ("201713011234", "out_of_range"),
    # a dotted date with no such day or month
    ("33.20.2004", "out_of_range"),
    ("30.02.21", "out_of_range"),
    ("XXTag, den 30. Februar 2008", "unparseable"),
    # an IANA-looking zone that does not exist
    ("Wed, 19 Aug 2009 18:28:00 Mars/Olympus", "unknown_timezone"),
]


@pytest.mark.parametrize(("raw", "reason"), PEER_FAILURES)
def test_peer_failures(raw, reason):
    assert parse_published(raw) == ParsedDate(None, None, reason)


FAILURES = [
    # nothing there
    (None, "empty"),
    ("", "empty"),
    ("   ", "empty"),
    # not a date
    ("garbage", "unparseable"),
    ("Posted by admin", "unparseable"),
    # a time without a day, a month without a day
    ("10:15", "incomplete"),
    ("March 2020", "incomplete"),
    # a day that does not exist
    ("2022-02-30", "out_of_range"),
    # epoch numbers outside 1990..2100
    (12345, "out_of_range"),
    (10**20, "out_of_range"),
    # a zone abbreviation we do not know would silently shift the time
    ("27 February 2020 10:15 XYZ", "unknown_timezone"),
    # booleans, NaN, infinities, containers
    (True, "unparseable"),
    (float("nan"), "unparseable"),
    (float("inf"), "unparseable"),
    (["2022-07-18"], "unparseable"),
    # absurdly long text is not fed to the fuzzy parsers
    ("2022 " * 100, "unparseable"),
]


@pytest.mark.parametrize(("raw", "reason"), FAILURES)
def test_reasons(raw, reason):
    assert parse_published(raw) == ParsedDate(None, None, reason)


def test_future_dates_are_returned_not_judged():
    assert parse_published("2099-01-01").value == utc(2099, 1, 1)


def test_bad_options_raise_config_error():
    with pytest.raises(ConfigError, match="date_order 'YMD' is not one of DMY, MDY"):
        parse_published("2022-07-18", date_order="YMD")
    with pytest.raises(ConfigError, match="default_tz 'Mars/Olympus'"):
        parse_published("2022-07-18", default_tz="Mars/Olympus")


anything = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.text(alphabet="0123456789-:T+Z ./,APMIST", max_size=40),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.binary(max_size=20),
)


@settings(max_examples=150, deadline=None)
@given(anything, st.sampled_from(["DMY", "MDY"]), st.sampled_from(["UTC", "Asia/Kolkata"]))
def test_parse_published_never_raises(raw, order, tz):
    got = parse_published(raw, scraped_at=SCRAPED, date_order=order, default_tz=tz)
    assert isinstance(got, ParsedDate)
    # a value or a reason, never both, never neither
    assert (got.value is None) != (got.reason is None)
    if got.value is not None:
        assert got.value.utcoffset() == dt.timedelta(0)
        assert got.source in ("iso", "rfc2822", "epoch_s", "epoch_ms", "human", "relative")


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    assert parse_published(np.int64(1658102400)).value == utc(2022, 7, 18)
    assert parse_published(np.float64(1658102400.5)).source == "epoch_s"


def test_a_slipped_year_is_read_and_the_ingest_rejects_it_as_suspect(tmp_path):
    # The demo's "year two centuries out" fault: a parseable date, so it must not become
    # 'unparsed' (NULL, loaded); it is read, and the ingest rejects it as date_suspect.
    from policykit.ingest import ingest

    parsed = parse_published("2222-04-27T13:52:00+05:30")
    assert parsed.value == dt.datetime(2222, 4, 27, 8, 22, tzinfo=dt.UTC)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(
        '{"url": "https://example.com/a", "title": "Slipped year", '
        '"published": "2222-04-27T13:52:00+05:30"}\n'
        '{"url": "https://example.com/b", "title": "Fine", "published": "2024-04-27"}\n'
    )
    report = ingest(raw, db=tmp_path / "x.duckdb", enrich=False)
    assert report.rejects_by_reason == {"date_suspect": 1}
    assert report.totals["new_articles"] == 1
