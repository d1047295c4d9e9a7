"""What every trend function shares: the connection, the filter, the SQL files and the
output conversion.

The filter (topic, query, start, end, outlets, tz) is validated once here and becomes
the ``universe`` CTE of ``sql/trends/universe.sql``; each trend's own SQL file follows it.
User values only ever travel as bound parameters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from .. import settings as _settings
from .. import store
from ..errors import ConfigError, QueryError, excerpt, one_of

INTERVALS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
#: generate_series steps between consecutive periods.
STEPS = {
    "day": "1 day",
    "week": "7 days",
    "month": "1 month",
    "quarter": "3 months",
    "year": "1 year",
}
BACKENDS: tuple[str, ...] = ("pandas", "polars")


@dataclass(frozen=True)
class Filter:
    """A validated filter: the numerator (topic, query) inside the universe (the rest)."""

    topic: str | None = None
    query: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    outlets: tuple[str, ...] | None = None  # outlet names as stored in articles.outlet
    domains: tuple[str, ...] | None = None  # and their domains
    tz: str = "UTC"


# --- connections ------------------------------------------------------------------


@contextmanager
def connection(con) -> Iterator[duckdb.DuckDBPyConnection]:
    """Use ``con`` as given, or open a path read-only (and close it afterwards)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        yield con
        return
    if isinstance(con, str | Path):
        opened = store.connect(con, read_only=True)
        try:
            yield opened
        finally:
            opened.close()
        return
    raise ConfigError(
        f"con {con!r} is not a DuckDB connection or a database path; "
        "pass pk.connect(...) or the path of a policykit database"
    )


# --- SQL files --------------------------------------------------------------------


@functools.cache
def sql_file(name: str) -> str:
    """The text of ``sql/trends/<name>.sql``."""
    path = resources.files("policykit") / "sql" / "trends" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _named_placeholders(fragment: str, prefix: str) -> tuple[str, list[str]]:
    """Turn the ``?`` placeholders of a compiled fragment into ``$prefix0, $prefix1...``.

    DuckDB cannot mix ``?`` and ``$name`` in one statement. Quoted SQL strings in the
    fragment are left alone.
    """
    out, names, quoted = [], [], False
    for ch in fragment:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            names.append(f"{prefix}{len(names)}")
            out.append(f"${names[-1]}")
        else:
            out.append(ch)
    return "".join(out), names


def compile_query_filter(text: str) -> tuple[str, dict]:
    """The query compiled by :mod:`policykit.enrich.query`, with named parameters."""
    try:
        from ..enrich.query import compile_query
    except ImportError as exc:  # enrichment not installed: say so, don't guess
        raise QueryError(f"query= needs policykit.enrich.query ({exc})") from None
    where, params = compile_query(text, alias="a")
    where, names = _named_placeholders(where, "pk_q")
    return where, dict(zip(names, params, strict=True))


def _strip_comments(sql: str) -> str:
    """Drop whole-line ``--`` comments (they mention parameters that are not bound)."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


@functools.cache
def sql_parts(name: str) -> dict[str, str]:
    """The fixed fragments of ``sql/trends/<name>.sql``, each after a ``-- part: <x>``
    header, by that name."""
    parts: dict[str, list[str]] = {}
    current = None
    for line in sql_file(name).splitlines():
        header = re.fullmatch(r"--\s*part:\s*(\w+)\s*", line.strip())
        if header:
            current = parts.setdefault(header.group(1), [])
        elif current is not None and not line.lstrip().startswith("--"):
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in parts.items()}


_HIT_LINE = "(/*topic*/ TRUE) AND (/*query*/ TRUE) AS hit,"
#: universe.sql's day in UTC: the stored day (migration 008), else the instant's day.
_UTC_DAY = "coalesce(a.published_day - DATE '1970-01-01', epoch_us(a.published_at) // 86400000000)"


def _universe(flt: Filter) -> str:
    """``universe.sql`` with a slot filled only for each filter actually given, so an
    absent filter costs nothing per article."""
    universe = _strip_comments(sql_file("universe"))
    fragments = sql_parts("universe_parts")
    page = flt.tz == PAGE_DAY
    if flt.tz != "UTC":
        if universe.count(_UTC_DAY) != 1:  # a broken package file, not user input
            raise QueryError(f"universe.sql must have exactly one {_UTC_DAY!r}")
        universe = universe.replace(_UTC_DAY, fragments["local_day"])
        local = fragments["page_local" if page else "local"]
        universe = universe.replace("/*local*/ a.published_at", local)
    for name, given in (
        ("start", flt.start is not None),
        ("end", flt.end is not None),
        ("outlets", flt.outlets is not None),
    ):
        if given:
            part = f"page_{name}" if page and name in ("start", "end") else name
            universe = universe.replace(f"/*{name}*/ TRUE", fragments[part])
    return universe


def _split(universe: str) -> str:
    """``universe`` without its hit column, and ``matches``: the articles that match,
    with the topic and query as WHERE conditions (a semi-join, not a mark on every row)."""
    lines = universe.splitlines()
    hit = [line for line in lines if line.strip() == _HIT_LINE]
    if len(hit) != 1:  # a broken package file, not user input
        raise QueryError(f"universe.sql must have exactly one line {_HIT_LINE!r}")
    plain = "\n".join(line for line in lines if line.strip() != _HIT_LINE)
    matches = plain.replace("universe AS (", "matches AS (", 1).replace(
        "/*match*/ TRUE", _HIT_LINE.removesuffix(" AS hit,")
    )
    return plain + ",\n" + matches


def build(name: str, flt: Filter, params: dict | None = None, **parts: str) -> tuple[str, dict]:
    """Compose ``universe.sql`` + ``<name>.sql`` (+ ``fill.sql``) and its parameters.

    A ``{matches}`` slot in ``<name>.sql`` asks for the split form (see universe.sql):
    ``universe`` without ``hit`` plus ``matches``, spliced together at ``{universe}``.
    ``parts`` fill other ``{marker}`` slots with fixed SQL text from this package.
    """
    sql = _strip_comments(sql_file(name))
    universe = _universe(flt)
    if "{matches}" in sql:
        universe = _split(universe)
        sql = sql.replace(",\n{matches}", "").replace("{matches}", "")
    values: dict = {
        "tz": flt.tz,
        "start_date": flt.start,
        "end_date": flt.end,
        "outlets": list(flt.outlets) if flt.outlets is not None else None,
        "domains": list(flt.domains) if flt.domains is not None else None,
        "topic": flt.topic,
    }
    if flt.topic is not None:
        universe = universe.replace("/*topic*/ TRUE", _strip_comments(sql_file("topic_filter")))
    if flt.query is not None:
        where, query_params = compile_query_filter(flt.query)
        universe = universe.replace("/*query*/ TRUE", f"({where})")
        values.update(query_params)
    sql = sql.replace("{universe}", universe)
    if "{fill}" in sql:
        sql = sql.replace("{fill}", _strip_comments(sql_file("fill")))
    for marker, text in parts.items():
        sql = sql.replace("{" + marker + "}", _strip_comments(text))
    values.update(params or {})
    used = set(_PARAM_RE.findall(sql))
    return sql, {k: v for k, v in values.items() if k in used}


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """Execute and fetch a pandas frame; a DuckDB error becomes a QueryError."""
    try:
        return con.execute(sql, params).df()
    except duckdb.Error as exc:
        raise QueryError(f"trend query failed: {exc}") from None


# --- validation -------------------------------------------------------------------
#
# One set of validators for every door: the trend functions, the CLI (which calls them)
# and report parameters (``policykit report --param``, ``pk.render_report(params=...)``,
# through :func:`check_parameters`), so a value is read the same way everywhere.

_LISTED = 40  # allowed values listed in an error message before it is shortened


def closest(value, allowed: Iterable) -> str | None:
    """The allowed value most like ``value`` (case-insensitive, difflib), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    by_key: dict[str, str] = {}
    for item in allowed:
        if item is not None:
            by_key.setdefault(str(item).casefold(), str(item))
    found = difflib.get_close_matches(value.strip().casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[found[0]] if found else None


def not_one_of(name: str, value, allowed: Iterable, what: str | None = None) -> str:
    """``"outlet 'Times of Inda' is not one of ...; did you mean The Times of India?"``."""
    allowed = [a for a in allowed if a is not None]
    if len(allowed) > _LISTED:
        listed = ", ".join(map(str, allowed[:_LISTED]))
        message = (
            f"{name} {value!r} is not one of {listed}, ... ({len(allowed)} {what or 'values'} "
            "in all)"
        )
    else:
        message = one_of(name, value, allowed)
    hint = closest(value, allowed)
    return f"{message}; did you mean {hint}?" if hint else message


def check_choice(name: str, value, allowed: Iterable) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ConfigError(not_one_of(name, value, allowed))


def check_interval(interval: str) -> str:
    check_choice("interval", interval, INTERVALS)
    return interval


def check_backend(backend: str) -> str:
    check_choice("backend", backend, BACKENDS)
    return backend


def check_positive(name: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} {value!r} is not a positive whole number")


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")


def parse_date(name: str, value) -> dt.date | None:
    """A date from a ``date``, ``datetime``, pandas Timestamp or ISO text (``YYYY-MM-DD``
    or ``YYYYMMDD``). ``01/02/2024`` is refused: day/month and month/day both read it."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        ambiguous = _DAY_MONTH.match(value)
        if ambiguous:
            a, b = int(ambiguous.group(1)), int(ambiguous.group(2))
            months = calendar.month_name
            readings = (
                f"{a} {months[b]} or {months[a]} {b}?" if 1 <= min(a, b) <= max(a, b) <= 12 else ""
            )
            raise ConfigError(
                f"{name} {value!r} is not a date; write it as YYYY-MM-DD"
                + (f" (ambiguous: {readings})" if readings else "")
            )
    raise ConfigError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


#: ``tz="page"``: bucket each article on its own calendar day (``published_local_date``,
#: the day the page shows in its outlet's zone; the UTC day when none is stored).
PAGE_DAY = "page"


def check_tz(tz: str | None) -> str:
    """The bucketing time zone: the argument, else the configured one (UTC by default);
    ``"page"`` for each article's own calendar day."""
    tz = tz or _settings.load().timezone or "UTC"
    if tz.upper() == "UTC":
        return "UTC"
    if tz.lower() == PAGE_DAY:
        return PAGE_DAY
    if tz not in _zones():
        raise ConfigError(
            f"tz {tz!r} is not an IANA time zone name (such as UTC, Europe/London, "
            "Asia/Kolkata, America/New_York) or 'page' (each article's own day)"
        )
    return tz


def known_topics(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Topics with tagged articles, and topics defined in the definitions in force (the
    ``topics`` table): a defined topic that matched nothing has zero coverage, not an
    unknown name."""
    rows = con.execute(
        "SELECT topic FROM article_topics UNION SELECT topic FROM topics ORDER BY topic"
    ).fetchall()
    return [r[0] for r in rows]


def check_topic(con: duckdb.DuckDBPyConnection, topic: str | None, name: str = "topic") -> None:
    if topic is None:
        return
    # The cheap check first; list every topic only for the error message.
    if (
        isinstance(topic, str)
        and con.execute(
            "SELECT 1 FROM article_topics WHERE topic = ? UNION ALL "
            "SELECT 1 FROM topics WHERE topic = ? LIMIT 1",
            [topic, topic],
        ).fetchall()
    ):
        return
    topics = known_topics(con)
    if topic not in topics:
        if not topics:
            raise ConfigError(
                f"{name} {topic!r} is not one of (none: run `policykit enrich` first)"
            )
        raise ConfigError(not_one_of(name, topic, topics, "topics"))


def resolve_outlets(
    con: duckdb.DuckDBPyConnection, outlets
) -> tuple[tuple[str, ...], tuple[str, ...]] | tuple[None, None]:
    """Map outlet names or domains (case-insensitive) to (names, domains) in the data."""
    if outlets is None:
        return None, None
    if isinstance(outlets, str):
        outlets = [outlets]
    rows = con.execute(
        "SELECT DISTINCT coalesce(a.outlet, a.domain) AS name, a.domain FROM articles a "
        "UNION SELECT name, domain FROM outlets"
    ).fetchall()
    by_key: dict[str, set[tuple[str | None, str | None]]] = {}
    for name, domain in rows:
        for key in (name, domain):
            if key:
                by_key.setdefault(key.casefold(), set()).add((name, domain))
    names: set[str] = set()
    domains: set[str] = set()
    for value in outlets:
        found = by_key.get(str(value).casefold())
        if not found:
            allowed = sorted({n for n, _ in rows if n})
            if not allowed:
                raise ConfigError(one_of("outlet", value, ["(no outlets: ingest first)"]))
            message = not_one_of("outlet", value, allowed, "outlets")
            if "did you mean" not in message:  # a domain may be the closer spelling
                hint = closest(value, sorted({d for _, d in rows if d}))
                message += f"; did you mean {hint}?" if hint else ""
            raise ConfigError(message)
        for name, domain in found:
            if name:
                names.add(name)
            if domain:
                domains.add(domain)
    return tuple(sorted(names)), tuple(sorted(domains))


def make_filter(
    con: duckdb.DuckDBPyConnection,
    topic: str | None = None,
    query: str | None = None,
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
) -> Filter:
    """Validate the shared filter arguments and return a :class:`Filter`."""
    start_date, end_date = parse_date("start", start), parse_date("end", end)
    if start_date and end_date and start_date > end_date:
        raise ConfigError(f"start {start_date} is after end {end_date}")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise QueryError(f"query {excerpt(query)} is empty; give a query or leave it out")
    check_topic(con, topic)
    names, domains = resolve_outlets(con, outlets)
    return Filter(
        topic=topic,
        query=query,
        start=start_date,
        end=end_date,
        outlets=names,
        domains=domains,
        tz=check_tz(tz),
    )


def _as_list(name: str, value) -> list:
    """A list parameter given as a list, or as comma-separated text (``--param a,b``)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    raise ConfigError(f"{name} {value!r} is not a list (give a list, or names separated by commas)")


def _date_text(name: str, value) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # --param start=20240102 arrives as a number
    day = parse_date(name, value)
    return day.isoformat() if day is not None else None


#: Parameter names every door reads the same way, and what each must be.
DATE_PARAMETERS = ("start", "end")
INTERVAL_PARAMETERS = ("interval", "share_interval")
COUNT_PARAMETERS = ("top_outlets", "sample_size", "top", "n")


def check_parameters(con: duckdb.DuckDBPyConnection, params: dict) -> dict:
    """Validate report parameters with the validators the trend functions and the CLI
    use: dates (``start``, ``end``: ISO only, so ``01/02/2024`` is refused), ``topic``
    and ``topics``, intervals, ``outlets``, ``tz`` and counts. Returns the parameters
    normalised: dates as ``YYYY-MM-DD`` text and comma-separated lists as lists. Other
    names pass through unchanged."""
    out = dict(params)
    for name in DATE_PARAMETERS:
        if out.get(name) is not None:
            out[name] = _date_text(name, out[name])
    if out.get("start") and out.get("end") and out["start"] > out["end"]:
        raise ConfigError(f"start {out['start']} is after end {out['end']}")
    for name in INTERVAL_PARAMETERS:
        if out.get(name) is not None:
            check_interval(out[name])
    if out.get("topic") is not None:
        if not isinstance(out["topic"], str):
            raise ConfigError(f"topic {out['topic']!r} is not a topic name")
        check_topic(con, out["topic"])
    if out.get("topics") is not None:
        out["topics"] = _as_list("topics", out["topics"])
        for topic in out["topics"]:
            check_topic(con, topic)
    if out.get("outlets") is not None:
        out["outlets"] = _as_list("outlets", out["outlets"])
        resolve_outlets(con, out["outlets"])
    if out.get("tz") is not None:
        out["tz"] = check_tz(out["tz"])
    for name in COUNT_PARAMETERS:
        if out.get(name) is not None:
            check_positive(name, out[name])
    return out


def describe(flt: Filter) -> dict:
    """The filter as plain values, for ``DataFrame.attrs``."""
    return {
        "topic": flt.topic,
        "query": flt.query,
        "start": flt.start.isoformat() if flt.start else None,
        "end": flt.end.isoformat() if flt.end else None,
        "outlets": list(flt.outlets) if flt.outlets is not None else None,
        "tz": flt.tz,
    }


# --- output -----------------------------------------------------------------------


def finish(frame: pd.DataFrame, backend: str, attrs: dict | None = None):
    """Attach ``attrs`` and convert to the requested backend."""
    frame = frame.reset_index(drop=True)
    frame.attrs.update(attrs or {})
    if backend == "polars":
        import polars as pl

        return pl.from_pandas(frame)
    return frame
