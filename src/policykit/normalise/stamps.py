"""One date value as a page writes it: its day, its written offset, its instant.

:func:`read_stamp` reads ISO 8601, RFC 822 and whatever
:func:`~policykit.normalise.dates.parse_published` reads;
:func:`utc_offset_minutes` gives the offset a value writes and :func:`local_date` the
day of an instant at an offset. :mod:`policykit.normalise.pubdate` combines the stamps
of a page (and re-exports these names).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from .dates import ZONE_ABBREVIATIONS, parse_published

UTC = _dt.UTC


@dataclass(frozen=True)
class Stamp:
    """One date value as a page writes it."""

    raw: str
    day: _dt.date  # the calendar day as written (the writer's own zone)
    offset: int | None  # minutes east of UTC as written; None when no zone is written
    instant: _dt.datetime | None  # UTC; None for a date without a time


_ISO = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T ]\s*(\d{1,2}):(\d\d)(?::(\d\d)(?:[.,]\d{1,9})?)?\s*"
    r"(Z|UTC|GMT|[+-]\d\d:?\d\d|[+-]\d\d)?)?\s*\Z"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RFC = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+"
    r"(\d{1,2}):(\d\d)(?::(\d\d))?\s*(Z|UT|UTC|GMT|[+-]\d{4}|[A-Z]{2,4})?\s*\Z"
)
#: A zone written at the end of a value: a numeric offset, GMT+8, or an abbreviation.
_TRAILING_OFFSET = re.compile(
    r"(?:\d:\d\d(?::\d\d(?:[.,]\d+)?)?|T\d{4}(?:\d\d)?)\s?(Z|[+-]\d\d:?\d\d|[+-]\d\d)\s*\Z"
)
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s?([+-])(\d{1,2})(?::?(\d\d))?\b")
_ZONE_WORD = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True)) + r")\s*"
    r"(?:\([^)]*\))?\s*\Z"
)
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*\Z")


def _minutes(text: str) -> int | None:
    """'+05:30', '-0400', '+08', 'Z', 'GMT' -> minutes east of UTC (None if out of range)."""
    if text in ("Z", "UTC", "GMT", "UT"):
        return 0
    if text in ZONE_ABBREVIATIONS:
        text = ZONE_ABBREVIATIONS[text]
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return sign * (hours * 60 + minutes)


def utc_offset_minutes(raw: str | None) -> int | None:
    """The UTC offset a date value writes, in minutes east of UTC; None if it writes none.

    >>> utc_offset_minutes("2020-05-03T23:30:00-05:00"), utc_offset_minutes("2020-05-03")
    (-300, None)
    >>> utc_offset_minutes("Wed, 04 May 2022 02:41:00 GMT"), utc_offset_minutes("9 Sep 2022 IST")
    (0, 330)
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or _EPOCH.match(text):
        return None  # an epoch is an instant: no zone is written
    match = _GMT_OFFSET.search(text)
    if match:
        sign, hours, minutes = match.groups()
        return _minutes(f"{sign}{int(hours):02d}{minutes or '00'}")
    match = _TRAILING_OFFSET.search(text)
    if match:
        return _minutes(match.group(1))
    match = _ZONE_WORD.search(text)
    if match and re.search(r"\d", text):
        return _minutes(match.group(1))
    return None


def local_date(instant: _dt.datetime | None, offset: int | None) -> _dt.date | None:
    """The calendar day of ``instant`` (UTC) at ``offset`` minutes; UTC when None.

    A value written without a zone is stored as if it were UTC, so its UTC day is the
    day as written: no offset needed.

    >>> local_date(_dt.datetime(2020, 5, 4, 4, 30, tzinfo=UTC), -300)
    datetime.date(2020, 5, 3)
    """
    if instant is None:
        return None
    return (instant + _dt.timedelta(minutes=offset or 0)).date()


def read_stamp(raw: str | None) -> Stamp | None:
    """One date value as a page writes it, or None when it is not a readable date."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 200:
        return None
    text = raw.strip()
    match = _ISO.match(text)
    if match:
        y, mo, d, h, mi, s, zone = match.groups()
        try:
            day = _dt.date(int(y), int(mo), int(d))
            if h is None:
                return Stamp(text, day, None, None)
            wall = _dt.datetime(day.year, day.month, day.day, int(h), int(mi), int(s or 0))
        except ValueError:
            return None
        offset = _minutes(zone) if zone else None
        instant = (wall - _dt.timedelta(minutes=offset or 0)).replace(tzinfo=UTC)
        return Stamp(text, day, offset, instant)
    match = _RFC.match(text)
    if match and match.group(2).lower()[:3] in _MONTHS:
        d, mon, y, h, mi, s, zone = match.groups()
        offset = (
            _minutes(zone) if zone and (zone in ZONE_ABBREVIATIONS or zone[0] in "+-") else None
        )
        try:
            wall = _dt.datetime(int(y), _MONTHS.index(mon.lower()[:3]) + 1, int(d), int(h), int(mi))
            wall = wall.replace(second=int(s or 0))
        except ValueError:
            return None
        instant = (wall - _dt.timedelta(minutes=offset or 0)).replace(tzinfo=UTC)
        return Stamp(text, wall.date(), offset, instant)
    parsed = parse_published(text)
    if parsed.value is None:
        return None
    offset = utc_offset_minutes(text)
    return Stamp(text, local_date(parsed.value, offset), offset, parsed.value)


def zoned_stamp(raw: str | None) -> Stamp | None:
    """:func:`read_stamp` of ``raw`` when it is a time written with a non-zero offset,
    else None: the same answer as filtering read_stamp's, without the fuzzy parsers.

    Most values a page carries (``<meta content>`` of viewports, image sizes, locales)
    are no dates; read_stamp hands such text to the fuzzy parsers, which cost
    milliseconds each. A value that neither ISO 8601 nor RFC 822 reads gets its offset
    from :func:`utc_offset_minutes`, so when that finds none, no stamp of it has one.

    >>> zoned_stamp("2020-05-03T23:30:00-05:00").offset, zoned_stamp("summary_large_image")
    (-300, None)
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not (_ISO.match(text) or _RFC.match(text) or utc_offset_minutes(text)):
        return None
    stamp = read_stamp(raw)
    if stamp is None or not stamp.offset or stamp.instant is None:
        return None
    return stamp
