"""Exceptions. Every message names the bad value and what is allowed instead.

The CLI prints ``str(error)`` on one line and exits with code 2.
"""

from __future__ import annotations

import re


class PolicykitError(Exception):
    """Base class for every error policykit raises on purpose."""


class ConfigError(PolicykitError):
    """A bad setting, parameter or mapping."""


class SourceError(PolicykitError):
    """A raw file cannot be opened or recognised at all (per-record problems become rejects)."""


class FormatError(SourceError):
    """The format of a file cannot be detected, or is not one of the supported ones."""


class DatabaseError(PolicykitError):
    """The DuckDB file cannot be opened, is locked or has an unknown schema."""


class DatabaseLockedError(DatabaseError):
    """Another process (often a notebook) holds the database open."""


class QueryError(PolicykitError):
    """A topic query or SQL statement is invalid."""


class ReportError(PolicykitError):
    """A report build failed."""


def one_of(name: str, value: object, allowed) -> str:
    """Format "interval 'fortnight' is not one of day, week, month"."""
    return f"{name} {value!r} is not one of {', '.join(str(a) for a in allowed)}"


_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def one_line(message: str) -> str:
    """``message`` on one line: line breaks become `` / ``, other control characters
    (an ESC would start a terminal escape sequence) and the lone surrogates of an
    undecodable file name are written as ``\\xNN``/``\\udcNN``."""
    message = _LINE_BREAKS.sub(" / ", message.strip())
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


#: Characters of user input quoted in an error message: a 5,000-term query must not make
#: the "one line" 60 KB long.
EXCERPT_CHARS = 200


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)``, bounded: a string longer than ``limit`` characters is cut there
    and marked ``…`` with its full length, so an error line stays readable."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = limit
    text = short.repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


_ONE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def escape_line_breaks(text: str) -> str:
    """``text`` with each line break written as ``\\n``, ``\\r``, ``\\u2028``...: a file
    name that contains one then stays one piece of one line, as the CLI's tables show it."""
    return _ONE_BREAK.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
