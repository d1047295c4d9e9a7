"""Publication dates: any raw value in, a UTC datetime or a reason out.

:func:`parse_published` never raises on its ``raw`` argument. Unambiguous shapes
(ISO 8601, RFC 2822 with a numeric or GMT/UTC zone, epoch digits) take a fast path
written with the same regular expressions as the ``pk_fast_timestamp`` macro; the
long tail goes to dateutil, then dateparser.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as _du_parser
from dateutil.relativedelta import relativedelta

from ..errors import ConfigError, one_of

UTC = _dt.UTC
DATE_ORDERS = ("DMY", "MDY")

#: Epoch values are accepted between these instants (inclusive), in seconds.
EPOCH_MIN = 631_152_000  # 1990-01-01T00:00:00Z
EPOCH_MAX = 4_102_444_800  # 2100-01-01T00:00:00Z

#: Zone abbreviations, as UTC offsets. IST is India Standard Time (+05:30), the main
#: market (dateparser reads it as Israel time, dateutil does not know it). CST is US
#: Central. Abbreviations not listed here make a date 'unknown_timezone'.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "UTC": "+00:00", "UT": "+00:00", "GMT": "+00:00", "Z": "+00:00",
    "IST": "+05:30", "PKT": "+05:00", "NPT": "+05:45", "BDT": "+06:00",
    "SGT": "+08:00", "HKT": "+08:00", "JST": "+09:00", "KST": "+09:00",
    "AEST": "+10:00", "AEDT": "+11:00",
    "WET": "+00:00", "WEST": "+01:00", "BST": "+01:00", "CET": "+01:00",
    "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "MEZ": "+01:00", "MESZ": "+02:00", "MET": "+01:00", "MEST": "+02:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
}  # fmt: skip

#: Languages dateparser tries for the long tail: English, the languages of India's
#: press, and the major languages of the international press. A short list keeps
#: dateparser's start-up and per-call cost down.
DATEPARSER_LANGUAGES = (
    "en", "hi", "mr", "bn", "ta", "te", "ml", "kn", "gu", "pa", "ur",
    "fr", "de", "es", "pt", "it", "nl", "ru", "zh", "ja", "ar",
)  # fmt: skip

#: Tried only when the list above reads nothing: the other languages of the press whose
#: month and weekday names appear in the peers' tests (Turkish 'Aralık', Croatian
#: 'studenoga', Thai, Vietnamese, Korean, ...). Not dateparser's full set: a rare
#: language reads English text wrongly (Tongan 'Sun' is June).
DATEPARSER_MORE_LANGUAGES = (
    "tr", "ro", "cs", "sk", "pl", "hr", "sr", "sl", "bs", "bg", "uk", "be", "th", "vi", "ka",
    "fi", "sv", "da", "nb", "hu", "el", "he", "id", "ms", "tl", "fil", "ko", "fa", "sq", "lt",
    "lv", "et", "ca", "eu", "gl", "af", "sw",
)  # fmt: skip

SOURCES = ("iso", "rfc2822", "epoch_s", "epoch_ms", "human", "relative")

#: Four-digit years a run of digits or a numeric date may carry (20041212 yes, 1212 no).
YEAR_MIN, YEAR_MAX = 1900, 2100


@dataclass(frozen=True)
class ParsedDate:
    """The outcome of :func:`parse_published`.

    ``value`` is a timezone-aware UTC datetime, or None; ``source`` says which rule
    parsed it (one of :data:`SOURCES`); ``reason`` says why there is no value
    ('empty', 'unparseable', 'incomplete', 'unknown_timezone',
    'relative_without_reference', 'out_of_range').
    """

    value: _dt.datetime | None
    source: str | None
    reason: str | None


def _fail(reason: str) -> ParsedDate:
    return ParsedDate(None, None, reason)


# --- fast path: the same patterns as pk_fast_timestamp in sql/normalise.sql ---------

_ISO = re.compile(
    r"^((?:18|19|20|21)\d\d)-(\d\d)-(\d\d)"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)? ?(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?)?\Z"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?(\d{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ((?:18|19|20|21)\d\d) "
    r"(\d\d):(\d\d)(?::(\d\d))? (GMT|UTC|UT|Z|[+-]\d{4})\Z"
)
_EPOCH = re.compile(r"^(\d{9,10})(?:\.(\d{1,9}))?\Z|^(\d{12,13})\Z")
# ISO 8601 basic format: 20220104, 20220104T031200Z (GDELT's seendate). Year first, so
# never read day-first whatever the outlet's date order.
_COMPACT_DATE = re.compile(r"^((?:19|20|21)\d\d)(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)?(Z)?)?\Z")


def _offset(text: str | None) -> _dt.timezone | None:
    """'+05:30', '+0530', '+05', 'Z', 'GMT' -> a fixed timezone (None for no zone)."""
    if text is None:
        return None
    if text in ("Z", "UTC", "GMT", "UT", "-0000"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text!r} out of range")
    return _dt.timezone(sign * _dt.timedelta(hours=hours, minutes=minutes))


def _aware(naive: _dt.datetime, tz: _dt.tzinfo | None, default_tz: str) -> _dt.datetime:
    zone = tz if tz is not None else _zone(default_tz)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _fast(text: str, default_tz: str) -> ParsedDate | None:
    """Parse the unambiguous shapes, or return None to fall through."""
    match = _ISO.match(text)
    if match:
        y, mo, d, h, mi, s, frac, zone = match.groups()
        micro = int(frac[:6].ljust(6, "0")) if frac else 0
        naive = _dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        naive = naive.replace(microsecond=micro)
        return ParsedDate(_aware(naive, _offset(zone), default_tz), "iso", None)
    match = _RFC.match(text)
    if match:
        d, mon, y, h, mi, s, zone = match.groups()
        naive = _dt.datetime(int(y), _MONTHS.index(mon) + 1, int(d), int(h), int(mi), int(s or 0))
        return ParsedDate(_aware(naive, _offset(zone), default_tz), "rfc2822", None)
    match = _EPOCH.match(text)
    if match:
        seconds, frac, millis = match.groups()
        if millis is not None:
            value = int(millis)
            if EPOCH_MIN * 1000 <= value <= EPOCH_MAX * 1000:
                return ParsedDate(_from_epoch_us(value * 1000), "epoch_ms", None)
            return None
        value = int(seconds)
        if EPOCH_MIN <= value <= EPOCH_MAX:
            micro = int(frac[:6].ljust(6, "0")) if frac else 0
            return ParsedDate(_from_epoch_us(value * 1_000_000 + micro), "epoch_s", None)
        return None
    match = _COMPACT_DATE.match(text)
    if match:
        *parts, zone = match.groups()
        try:
            naive = _dt.datetime(*(int(g) for g in parts if g is not None))
        except ValueError:
            return None  # 12122004 is not year 1212: the digit-run rule reads it
        return ParsedDate(_aware(naive, _offset(zone), default_tz), "iso", None)
    return None


def _from_epoch_us(micros: int) -> _dt.datetime:
    return _dt.datetime(1970, 1, 1, tzinfo=UTC) + _dt.timedelta(microseconds=micros)


# --- relative dates -----------------------------------------------------------------

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
_UNITS = {
    "sec": "seconds", "second": "seconds", "min": "minutes", "minute": "minutes",
    "hr": "hours", "hour": "hours", "day": "days", "week": "weeks",
    "month": "months", "year": "years",
}  # fmt: skip
_RELATIVE = re.compile(
    r"^(?:about |around |over |nearly )?(\d{1,4}|an?|one|two|three|four|five|six|seven|eight|"
    r"nine|ten) ?(secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|years?) ago$"
)
_RELATIVE_WORDS = {"just now": 0, "now": 0, "today": 0, "yesterday": 1}


def _relative_delta(text: str) -> relativedelta | None:
    lowered = " ".join(text.lower().split())
    if lowered in _RELATIVE_WORDS:
        return relativedelta(days=_RELATIVE_WORDS[lowered])
    match = _RELATIVE.match(lowered)
    if match is None:
        return None
    number, unit = match.groups()
    count = _NUMBER_WORDS.get(number) or int(number)
    return relativedelta(**{_UNITS[unit.rstrip("s")]: count})


# --- the long tail ------------------------------------------------------------------

_PREFIX = re.compile(
    r"^(?:(?:last |first )?(?:updated|published|posted|modified)(?: on| at)?|date|on"
    # the same labels in the languages of the press ('veröffentlicht am 6.12.06')
    r"|(?:veröffentlicht|aktualisiert|erschienen)(?: am)?|am|publié(?: le)?|mis à jour(?: le)?"
    r"|publicado(?: el)?|actualizado(?: el)?|pubblicato(?: il)?|gepubliceerd(?: op)?)"
    r"(?=[\s:\-])\s*[:\-]?\s*",
    re.I,
)
_ZONE_WORD = re.compile(
    r"\b(" + "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)
# The same abbreviations in lower case, right after a clock time ('10:15 ist', '10:15 pm
# ist', '10:15ist'): dateparser would read 'ist' as Israel time. Only after a time, so
# words ('est', 'cet') stay words.
_ZONE_WORD_AFTER_TIME = re.compile(
    r"(?<=:\d\d)(\s?(?:[ap]\.?m\.?\s?)?)("
    + "|".join(sorted((z for z in ZONE_ABBREVIATIONS if len(z) > 2), key=len, reverse=True))
    + r")\b",
    re.I,
)
_YEAR_FIRST = re.compile(r"^\d{4}\b")
_RFC_LOOSE = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d(?::\d\d)? \S+$"
)
_DEFAULT_A = _dt.datetime(2000, 1, 1)
# A four-digit year as a word of its own (not the 2021 of '20210304').
_YEAR_WORD = re.compile(r"(?<![\d:.])((?:19|20|21)\d\d)(?![\d:])")
_LETTERS = re.compile(r"[^\W\d_]")
_DEFAULT_B = _dt.datetime(2001, 2, 2)


def _with_offsets(text: str) -> str:
    """Replace zone abbreviations by offsets: '10:15 IST' -> '10:15 +05:30'."""
    text = _ZONE_WORD_AFTER_TIME.sub(lambda m: f"{m[1].rstrip()} {m[2].upper()}", text)
    return _ZONE_WORD.sub(lambda m: ZONE_ABBREVIATIONS[m.group(1)], text)


def _dateutil(text: str, date_order: str, default_tz: str) -> ParsedDate | None:
    dayfirst = date_order == "DMY" and not _YEAR_FIRST.match(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            first = _du_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_A)
            second = _du_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_B)
        except (ValueError, OverflowError, TypeError, ArithmeticError):
            return None
    if any(issubclass(w.category, _du_parser.UnknownTimezoneWarning) for w in caught):
        return _fail("unknown_timezone")
    if first.date() != second.date():
        # A part of the date (day, month or year) came from the default: not a full date.
        return _fail("incomplete")
    years = {int(y) for y in _YEAR_WORD.findall(text)}
    if years and first.year not in years:
        # dateutil read the written year as a clock time and another number as the year
        # ('June 12-14, 2021' -> 2014-06-12 20:21, '5 06 Mar 2009' -> 2005 at 20:09)
        return None
    return ParsedDate(_aware(first.replace(tzinfo=None), first.tzinfo, default_tz), "human", None)


def _dateparser(
    text: str, date_order: str, default_tz: str, scraped_at: _dt.datetime | None
) -> ParsedDate | None:
    import dateparser  # slow import: only for the long tail

    def parse(base: _dt.datetime) -> _dt.datetime | None:
        settings = {
            "DATE_ORDER": date_order,
            "TIMEZONE": default_tz,
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RELATIVE_BASE": base.astimezone(_zone(default_tz)).replace(tzinfo=None),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = dateparser.parse(text, languages=list(DATEPARSER_LANGUAGES), settings=settings)
            if value is None and _LETTERS.search(text):
                # a month or weekday word of a language off the short list
                languages = list(DATEPARSER_MORE_LANGUAGES)
                value = dateparser.parse(text, languages=languages, settings=settings)
            return value

    base_a = _dt.datetime(2001, 2, 2, 12, tzinfo=UTC)
    base_b = _dt.datetime(2011, 5, 7, 3, tzinfo=UTC)
    first = parse(base_a)
    if first is None:
        return None
    if first != parse(base_b):
        # The result moves with the reference time: a relative date.
        if scraped_at is None:
            return _fail("relative_without_reference")
        value = parse(scraped_at)
        return ParsedDate(value.astimezone(UTC), "relative", None) if value else None
    return ParsedDate(first.astimezone(UTC), "human", None)


# --- strict shapes before the fuzzy parsers -----------------------------------------
# dateutil guesses: it read '26. 10.21 14.12' as 2014-10-26 and '12122004' as year 1212.
# These shapes are read by rules here, so the fuzzy parsers never see them.


def _year(text: str) -> int:
    """A two-digit year is 2000-2069 or 1970-1999 (the POSIX strptime %y pivot)."""
    value = int(text)
    if len(text) == 2:
        return value + (2000 if value < 70 else 1900)
    return value


def _day_month(a: int, b: int, date_order: str) -> tuple[int, int]:
    """(day, month) of two numbers: the outlet's order, unless only the other fits."""
    day, month = (a, b) if date_order == "DMY" else (b, a)
    if month > 12 and day <= 12:
        day, month = month, day
    return day, month


def _clock(h, mi, s, ampm) -> tuple[int, int, int]:
    hour, minute, second = int(h or 0), int(mi or 0), int(s or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("12-hour clock out of range")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    return hour, minute, second


# A run of digits: YYYYMMDD, DDMMYYYY / MMDDYYYY, YYYYMMDDHHMM, YYYYMMDDHHMMSS.
_DIGIT_RUN = re.compile(r"^\d{8}(?:\d{4}(?:\d\d)?)?\Z")
# Numeric day-month-year with one separator ('.', '/', '-'), spaces allowed around it
# ('26. 10.21', '30 . 09 . 22'), then an optional time with ':' or '.' ('14.12',
# '5.45 pm', '22:56 Uhr') and an optional zone.
_NUMERIC = re.compile(
    r"^(\d{1,2}) ?([./-]) ?(\d{1,2}) ?\2 ?(\d{4}|\d\d)\.?"
    r"(?:,? (?:um |u |klo |at |à |@ )?(\d{1,2})[:.h](\d\d)(?:[:.](\d\d))?"
    r"(?: ?([AaPp])\.? ?[Mm]\.?)?(?: Uhr)?)?"
    r"(?: ?\(?(Z|UTC|GMT|[+-]\d\d:?\d\d)\)?)?\Z"
)
# JavaScript's Date.toString(): 'Fri Sep 23 2016 10:34:51 GMT+0800 (China Standard Time)'.
# The offset is east of UTC (not POSIX-inverted); the name in brackets is ignored.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC) ?([+-])(\d\d?)(?::?(\d\d))?\b")
_ZONE_NAME = re.compile(
    r"(?<=[+-]\d\d\d\d) ?\([^()]{1,40}\)\Z|(?<=[+-]\d\d:\d\d) ?\([^()]{1,40}\)\Z"
)
# An IANA zone name at the end: 'Wed, 19 Aug 2009 18:28:00 Etc/GMT'.
_IANA_SUFFIX = re.compile(r"^(.*\d) ([A-Z][A-Za-z_]+(?:/[A-Za-z_+\-0-9]+){1,2})\Z")
# A label of words (any script) and a colon before the date: '发布时间: 2022-02-25 14:34'.
_LABEL = re.compile(r"^[^\d:：]{1,24}[:：]\s*(?=\d)")
# A leading word and comma the parsers do not know: 'XXTag, den 29. Februar 2008'.
_LEADING_WORD = re.compile(r"^[^\W\d_]{2,20}\.?,\s*(?:den |le |el |il |de )?", re.UNICODE)
# A trailing word after the date or time ('1. September 2017 um 15:36 Uhr schrieb'); five
# letters or more, so a zone abbreviation ('ist', 'wib') is never dropped.
_TRAILING_WORD = re.compile(r"^(.*\d(?: Uhr)?)\s+[^\W\d_]{5,20}\.?\Z", re.UNICODE)
# A dotted 12-hour time: '12.16 pm.' (dateutil drops the minutes of it).
_DOTTED_AMPM = re.compile(r"\b(\d{1,2})[.h](\d\d) ?([AaPp])\.? ?[Mm]\b\.?")
# A dotted or 'h' time after a four-digit year: '22 June 2016, 12.16', '20 Mar 2013 10h11'.
_DOTTED_TIME = re.compile(r"(\d{4}),? (\d{1,2})[.h](\d\d)\b(?![.:]\d)")
# A year-first numeric date is year-month-day, never year-day-month: '1212-20-04' is no
# date (dateutil swapped it to 1212-04-20).
_YMD = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})\.?\Z")
# An ISO date followed by a fourth number: '2013-01-27-01' is not 01:00 (feedparser's
# w3dtf and dateparser reject it).
_ISO_EXTRA = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-\d")
# Two ISO dates run together (dateparser's own not-parsed case): which one is meant?
_TWO_ISO = re.compile(r"\d{4}-\d\d-\d\d.*\d{4}-\d\d-\d\d")
# A range of days ('June 12-14, 2021', '12-14 June 2021', '12.-14.06.2021'): the first day
# (dateparser's reading); dateutil took '2021' for a clock time.
_RANGE_AFTER_MONTH = re.compile(r"^([^\W\d_]{3,}\.? \d{1,2})\s*[-–]\s*\d{1,2}\b(?=,? \d{4})")
_RANGE_BEFORE_MONTH = re.compile(r"^(\d{1,2})(\.?)\s*[-–]\s*\d{1,2}(\.?)(?=\s*[^\W\d_]{3,}|\d)")
# US zone names without standard/daylight ('16:31:00 ET', feedparser's tests): the zone of
# the place, which knows whether daylight time applied on that day.
_US_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
             "PT": "America/Los_Angeles", "AT": "America/Halifax"}  # fmt: skip
_US_ZONE_SUFFIX = re.compile(r"^(.*\d) (ET|CT|MT|PT|AT)\Z")
# Six digits alone: YYMMDD (feedparser), DDMMYY or MMDDYY? No rule can tell.
_SIX_DIGITS = re.compile(r"^\d{6}\Z")
# Two bare numbers before a month name ('12 13 December'): which one is the year? And
# two before a month name and a year ('5 06 Mar 2009', 'Mar 5 06 2009'): which is the day?
_TWO_NUMBERS_MONTH = re.compile(r"^\d{1,2} \d{1,2} [^\W\d_]{3,}\.?\Z")
_TOO_MANY_NUMBERS = re.compile(
    r"^(?=.*[^\W\d_]{3})(?:[^\d]*?(?<![\d:.])\d{1,2}(?![\d:.])){2,}[^\d]*(?:19|20|21)\d\d\b"
)
# Google's extra zero in the month ('2003-012-31T10:14:55+00:00', in feedparser's tests).
_ISO_MONTH_ZERO = re.compile(r"^(\d{4})-0(\d\d)-(?=\d\d(?:[T ]|\Z))")


def _digit_run(text: str, date_order: str, default_tz: str) -> ParsedDate | None:
    if not _DIGIT_RUN.match(text):
        return None
    year = int(text[:4])
    if YEAR_MIN <= year <= YEAR_MAX:
        try:
            parts = [int(text[i : i + 2]) for i in range(4, len(text), 2)]
            naive = _dt.datetime(year, *parts)
            return ParsedDate(_aware(naive, None, default_tz), "iso", None)
        except ValueError:
            if len(text) > 8:
                return _fail("out_of_range")
    if len(text) != 8:
        return _fail("out_of_range")
    year = int(text[4:])
    if not YEAR_MIN <= year <= YEAR_MAX:
        return _fail("out_of_range")
    day, month = _day_month(int(text[:2]), int(text[2:4]), date_order)
    naive = _dt.datetime(year, month, day)  # ValueError -> out_of_range
    return ParsedDate(_aware(naive, None, default_tz), "human", None)


def _numeric(text: str, date_order: str, default_tz: str) -> ParsedDate | None:
    match = _NUMERIC.match(text)
    if match is None:
        return None
    a, _sep, b, y, h, mi, s, ampm, zone = match.groups()
    day, month = _day_month(int(a), int(b), date_order)
    naive = _dt.datetime(_year(y), month, day, *_clock(h, mi, s, ampm))
    return ParsedDate(_aware(naive, _offset(zone), default_tz), "human", None)


def _strict(text: str, date_order: str, default_tz: str) -> ParsedDate | None:
    match = _YMD.match(text)
    if match:
        naive = _dt.datetime(int(match[1]), int(match[3]), int(match[4]))
        return ParsedDate(_aware(naive, None, default_tz), "human", None)
    return _digit_run(text, date_order, default_tz) or _numeric(text, date_order, default_tz)


def _rewrite(text: str) -> str:
    """Spellings the fuzzy parsers misread, rewritten to ones they read right."""
    text = _GMT_OFFSET.sub(lambda m: f"{m[1]}{int(m[2]):02d}{m[3] or '00'}", text)
    text = _ZONE_NAME.sub("", text)
    text = _DOTTED_AMPM.sub(lambda m: f"{m[1]}:{m[2]} {m[3].lower()}m", text)
    return _DOTTED_TIME.sub(r"\1 \2:\3", text)


# --- public entry point -------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> _dt.tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(
            f"default_tz {name!r} is not an IANA timezone name (e.g. UTC, Asia/Kolkata)"
        ) from None


def _check_options(date_order: str, default_tz: str) -> None:
    if date_order not in DATE_ORDERS:
        raise ConfigError(one_of("date_order", date_order, DATE_ORDERS))
    _zone(default_tz)


@lru_cache(maxsize=131072)
def _parse_text(
    text: str, scraped_at: _dt.datetime | None, date_order: str, default_tz: str
) -> ParsedDate:
    text = " ".join(text.split())
    if not text:
        return _fail("empty")
    fast = _fast(text, default_tz)
    if fast is not None:
        return fast
    text = _ISO_MONTH_ZERO.sub(r"\1-\2-", _LABEL.sub("", _PREFIX.sub("", text)))
    fast = _fast(text, default_tz)
    if fast is not None:
        return fast
    delta = _relative_delta(text)
    if delta is not None:
        if scraped_at is None:
            return _fail("relative_without_reference")
        return ParsedDate((scraped_at - delta).astimezone(UTC), "relative", None)
    if not re.search(r"\d", text):
        # No digit: only a month-name-only or a foreign relative phrase can be here.
        result = _dateparser(text, date_order, default_tz, scraped_at)
        return result or _fail("unparseable")
    strict = _strict(text, date_order, default_tz)
    if strict is not None:
        return strict
    if (
        _ISO_EXTRA.match(text)
        or _TWO_ISO.search(text)
        or _SIX_DIGITS.match(text)
        or _TWO_NUMBERS_MONTH.match(text)
    ):
        return _fail("unparseable")
    us_zone = _US_ZONE_SUFFIX.match(text)
    if us_zone:
        return _parse_text(us_zone[1], scraped_at, date_order, _US_ZONES[us_zone[2]])
    ranged = _RANGE_BEFORE_MONTH.sub(r"\1\3 ", _RANGE_AFTER_MONTH.sub(r"\1", text))
    if ranged != text:
        text = ranged
        strict = _strict(text, date_order, default_tz)
        if strict is not None:
            return strict
    if _TOO_MANY_NUMBERS.match(text):
        return _fail("unparseable")
    zoned = _IANA_SUFFIX.match(text)
    if zoned and "/" in zoned[2]:
        try:
            _zone(zoned[2])
        except ConfigError:
            return _fail("unknown_timezone")
        return _parse_text(zoned[1], scraped_at, date_order, zoned[2])
    text = _rewrite(text)
    result = _fuzzy(text, date_order, default_tz, scraped_at)
    if (result is None or result.value is None) and _LEADING_WORD.match(text):
        # 'XXTag, den 29. Februar 2008': a weekday (or a placeholder) the parsers
        # do not know; only tried when the whole text gave no date.
        retry = _fuzzy(_LEADING_WORD.sub("", text), date_order, default_tz, scraped_at)
        if retry is not None and retry.value is not None:
            result = retry
    if (result is None or result.reason == "unparseable") and _TRAILING_WORD.match(text):
        # a verb or a word after the date ('... um 15:36 Uhr schrieb'): tried last
        retry = _fuzzy(_TRAILING_WORD.sub(r"\1", text), date_order, default_tz, scraped_at)
        if retry is not None and retry.value is not None:
            result = retry
    if result is None:
        return _fail("unparseable")
    if result.value is not None and result.source == "human" and _RFC_LOOSE.match(text):
        return ParsedDate(result.value, "rfc2822", None)
    return result


def _fuzzy(
    text: str, date_order: str, default_tz: str, scraped_at: _dt.datetime | None
) -> ParsedDate | None:
    offsets = _with_offsets(text)
    result = _dateutil(offsets, date_order, default_tz)
    if result is None:
        result = _dateparser(offsets, date_order, default_tz, scraped_at)
    value = result.value if result is not None else None
    if value is not None and value.year < YEAR_MIN:
        # A fuzzy reading with year 1212 is a misread, not an old article. A year past
        # YEAR_MAX is kept: '2222-04-27T13:52:00+05:30' is a real (slipped) date, and
        # the ingest rejects it as date_suspect (after the crawl) for a reader to see.
        return _fail("out_of_range")
    return result


def _parse_number(raw: float, integral: bool) -> ParsedDate:
    if not math.isfinite(raw):
        return _fail("unparseable")
    if EPOCH_MIN <= raw <= EPOCH_MAX:
        micros = int(raw) * 1_000_000 if integral else round(raw * 1_000_000)
        return ParsedDate(_from_epoch_us(micros), "epoch_s", None)
    if EPOCH_MIN * 1000 <= raw <= EPOCH_MAX * 1000:
        micros = int(raw) * 1000 if integral else round(raw * 1000)
        return ParsedDate(_from_epoch_us(micros), "epoch_ms", None)
    return _fail("out_of_range")


def parse_published(
    raw,
    *,
    scraped_at: _dt.datetime | None = None,
    date_order: str = "DMY",
    default_tz: str = "UTC",
) -> ParsedDate:
    """Parse a raw publication date into a UTC datetime, or say why not.

    Parameters
    ----------
    raw
        A string, an int or float (epoch seconds or milliseconds between 1990 and
        2100), a datetime/date, or anything else (which gives 'unparseable').
    scraped_at
        Reference time for relative dates ('2 hours ago', 'yesterday'); without it
        those give reason 'relative_without_reference'. Naive values are in
        ``default_tz``.
    date_order
        'DMY' or 'MDY': how to read an ambiguous numeric date such as 03/04/2020.
        An unambiguous one (13/02/2020) parses either way.
    default_tz
        IANA zone for values without a zone.

    Returns
    -------
    ParsedDate
        Never raises for any ``raw``; a bad ``date_order`` or ``default_tz`` raises
        :class:`~policykit.errors.ConfigError`. Future or very old dates are returned
        as parsed: judging them is the pipeline's job.

    Examples
    --------
    >>> parse_published("27 February 2020, 10:15 IST").value.isoformat()
    '2020-02-27T04:45:00+00:00'
    """
    _check_options(date_order, default_tz)
    if scraped_at is not None and isinstance(scraped_at, _dt.datetime):
        if scraped_at.tzinfo is None:
            scraped_at = scraped_at.replace(tzinfo=_zone(default_tz))
        scraped_at = scraped_at.astimezone(UTC)
    elif scraped_at is not None:
        scraped_at = None
    try:
        if raw is None:
            return _fail("empty")
        if isinstance(raw, bool):
            return _fail("unparseable")
        if isinstance(raw, numbers.Integral):
            raw = int(raw)
            return _parse_number(float(raw), True) if abs(raw) < 10**15 else _fail("out_of_range")
        if isinstance(raw, numbers.Real):
            return _parse_number(float(raw), False)
        if isinstance(raw, _dt.datetime):
            return ParsedDate(_aware(raw.replace(tzinfo=None), raw.tzinfo, default_tz), "iso", None)
        if isinstance(raw, _dt.date):
            naive = _dt.datetime(raw.year, raw.month, raw.day)
            return ParsedDate(_aware(naive, None, default_tz), "iso", None)
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        if not isinstance(raw, str):
            return _fail("unparseable")
        if len(raw) > 200:
            # No date is that long; do not feed paragraphs to the fuzzy parsers.
            return _fail("unparseable")
        return _parse_text(raw, scraped_at, date_order, default_tz)
    except (ValueError, OverflowError, ArithmeticError):
        return _fail("out_of_range")
    except Exception:  # noqa: BLE001 - third-party parsers raise anything; never let it out
        return _fail("unparseable")
