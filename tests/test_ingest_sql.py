"""The ingest pipeline's fast-path macros give exactly what the full rules give."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_normalise_urls import CANONICAL_CASES, url_parts

from policykit.ingest import SQL
from policykit.normalise import canonical_url, install_macros


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    install_macros(connection)
    connection.execute(SQL["macros"])
    yield connection
    connection.close()


def _fast_url(con, url):
    return con.execute(
        "SELECT pk_url_is_plain($u), pk_canonical_url_fast($u), pk_url_needs_python($u)",
        {"u": url},
    ).fetchone()


PLAIN = [
    # (url, plain?) one comment per edge case
    ("https://www.thehindu.com/news/a-1.ece", True),  # the common case
    ("HTTP://WWW.Example.COM/A/B/", True),  # case and trailing slash
    ("http://m.example.com", True),  # no path at all
    ("https://www.m.example.com/x", True),  # stacked prefixes
    ("https://example.com./x", True),  # trailing dot in the host
    ("https://example.com/amp", False),  # AMP marker: full macro
    ("https://example.com/x?utm_source=a", False),  # query: full macro
    ("https://example.com:443/x", False),  # port: full macro
    ("https://example.com/a%20b", False),  # escapes: full macro
    ("https://example.com/x#frag", False),  # fragment: full macro
    ("https://ex_ample.com/x", False),  # underscore host: full macro
]


@pytest.mark.parametrize("url,plain", PLAIN)
def test_plain_url_class(con, url, plain):
    is_plain, fast, _ = _fast_url(con, url)
    assert is_plain is plain
    assert fast == canonical_url(url)


@pytest.mark.parametrize("url", [c[0] for c in CANONICAL_CASES])
def test_fast_url_agrees_on_the_reference_table(con, url):
    is_plain, fast, needs_python = _fast_url(con, url)
    if is_plain or not needs_python:
        assert fast == canonical_url(url)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(url_parts())
def test_fast_url_agrees_with_python(con, url):
    is_plain, fast, needs_python = _fast_url(con, url.strip())
    if is_plain or not needs_python:
        assert fast == canonical_url(url.strip())


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.sampled_from(list("ab .,\n\r\t\u00a0\u3000é") + ["e\u0301"]), max_size=40).map(
        "".join
    )
)
def test_fast_whitespace_cleaning_agrees_with_full_macro(con, text):
    fast, full = con.execute("SELECT pk_clean_ws_fast($t), pk_clean_ws($t)", {"t": text}).fetchone()
    assert fast == full


RELATIVE = st.tuples(
    st.sampled_from(["", "about ", "nearly "]),
    st.integers(min_value=0, max_value=9999),
    st.sampled_from(["", " "]),
    st.sampled_from(
        ["sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "hr", "hrs"]
        + ["hour", "hours", "day", "days", "week", "weeks", "month", "year"]
    ),
).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]} ago")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(RELATIVE)
def test_relative_dates_in_sql_agree_with_python(con, text):
    import datetime as dt

    from policykit.normalise import parse_published

    scraped = dt.datetime(2023, 3, 1, 12, 0, tzinfo=dt.UTC)
    (fast,) = con.execute(
        "SELECT pk_relative_timestamp($t, $s)", {"t": text, "s": scraped}
    ).fetchone()
    if fast is not None:  # months, years and words are left to Python
        assert fast == parse_published(text, scraped_at=scraped).value


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@example(title="The Hindu:\tA", outlet="The Hindu")  # a tab after the colon is still a separator
@given(
    st.lists(
        st.sampled_from(list("Ab |-:.é \t\n\u00a0") + ["The Hindu", "MediaNama", "NDTV.com"])
    ).map("".join),
    st.sampled_from(["The Hindu", "MediaNama", "NDTV", None]),
)
def test_titles_without_separator_clean_without_the_outlet(con, title, outlet):
    from policykit.normalise import clean_title

    has_separator, needs_python = con.execute(
        "SELECT pk_title_has_separator($t), pk_text_needs_python($t) "
        "OR pk_title_needs_python($t, NULL)",
        {"t": title},
    ).fetchone()
    if not has_separator and not needs_python:
        (early,) = con.execute("SELECT pk_title_plain($t)", {"t": title}).fetchone()
        assert early == clean_title(title, [outlet] if outlet else ())


HUMAN = st.one_of(
    st.tuples(
        st.integers(0, 35), st.integers(0, 35), st.integers(1985, 2030), st.sampled_from("/")
    ).map(lambda t: f"{t[0]:02d}/{t[1]}/{t[2]}"),
    st.tuples(
        st.sampled_from(["Jan", "Feb", "Sep", "Dec", "Xyz"]),
        st.integers(0, 32),
        st.integers(1985, 2030),
        st.integers(0, 13),
        st.integers(0, 60),
        st.sampled_from(["AM", "PM"]),
    ).map(lambda t: f"{t[0]} {t[1]:02d}, {t[2]} {t[3]:02d}:{t[4]:02d} {t[5]} IST"),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(HUMAN, st.sampled_from(["DMY", "MDY"]))
def test_human_dates_in_sql_agree_with_python(con, text, order):
    from policykit.normalise import parse_published

    (fast,) = con.execute("SELECT pk_human_timestamp($t, $o)", {"t": text, "o": order}).fetchone()
    if fast is not None:  # what SQL cannot read goes to Python
        assert fast == parse_published(text, date_order=order).value


@pytest.mark.parametrize(
    "text,order,expected",
    [
        ("17/06/2024", "MDY", "2024-06-17T00:00:00+00:00"),  # day > 12 reads either way
        ("03/04/2023", "DMY", "2023-04-03T00:00:00+00:00"),  # the outlet's order decides
        ("03/04/2023", "MDY", "2023-03-04T00:00:00+00:00"),
        ("Sep 07, 2022 05:56 PM IST", "DMY", "2022-09-07T12:26:00+00:00"),  # IST is +05:30
        ("31/02/2023", "DMY", None),  # impossible: left to Python
    ],
)
def test_human_dates_table(con, text, order, expected):
    (fast,) = con.execute("SELECT pk_human_timestamp($t, $o)", {"t": text, "o": order}).fetchone()
    assert (fast.isoformat() if fast else None) == expected
