"""Reports: notebooks executed with papermill, exported to self-contained HTML and PDF.

``render_report("coverage-brief", {"topic": "facial_recognition"})`` runs
``notebooks/coverage-brief.ipynb`` into ``reports/coverage-brief.ipynb`` (the source
notebook is never modified), exports HTML with the input cells hidden and the images
embedded, and prints that HTML to an A4 PDF with WeasyPrint: no LaTeX, no browser, no
network. Every report ends with "About this report": the parameters the notebook
actually used (defaults it resolved itself included, via :func:`record_parameters`), the
resolved period, the topic definitions, the input files with their sha256, the
database's content hash, the policykit version and the time it was generated. Identical
inputs give an identical block but for that time.

Report parameters go through the validators of :mod:`policykit.trends` (dates, topics,
intervals, outlets) before the notebook runs, so ``--param start=01/02/2024`` is refused
as ``policykit trends coverage --start 01/02/2024`` is.

The module also holds the small helpers the notebooks call, so that notebooks stay thin:
:func:`show_table` (HTML-escaped tables), :func:`headline_numbers` and
:func:`show_headline`, :func:`resolve_topic`, :func:`data_quality`.

Everything that comes from data (titles, outlet names, entities, parameters) is escaped
before it reaches the HTML, and the finished HTML is checked for scripts and remote
resources before it is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import ConfigError, QueryError, ReportError, one_of

REPORT_FORMATS = ("html", "pdf")
TEMPLATE_NAME = "policykit_html"
_URL_SCHEMES = ("http://", "https://")


# --- small display helpers for notebooks ---------------------------------------------


class HTMLBlock:
    """A block of (already escaped) HTML that Jupyter displays as HTML.

    ``text`` is the plain-text fallback shown where HTML is not rendered.
    """

    def __init__(self, markup: str, text: str = ""):
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text or self.markup

    def __str__(self) -> str:
        return self.markup


def _sql(name: str) -> str:
    return (resources.files("policykit") / "sql" / "reports" / f"{name}.sql").read_text("utf-8")


def _cell_text(value, percent: bool = False) -> str:
    """One table cell as plain text (escaped later)."""
    if isinstance(value, list | tuple):
        return ", ".join(_cell_text(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        listed = value.tolist()
        if isinstance(listed, list):
            return ", ".join(_cell_text(v) for v in listed)
        value = listed
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tz is not None:
            stamp = stamp.tz_convert("UTC")
        if stamp.hour == stamp.minute == stamp.second == 0:
            return stamp.strftime("%Y-%m-%d")
        return stamp.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if percent:
            return f"{value:.1%}"
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int) and not percent:
        return f"{value:,}"
    return str(value)


def _safe_href(url) -> str | None:
    """An http(s) URL, escaped for an attribute; anything else (javascript:, data:) is refused."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(_URL_SCHEMES) or any(ch in url for ch in "\r\n\t"):
        return None
    return html.escape(url, quote=True)


def _column_widths(
    frame: pd.DataFrame, shown: list, links: dict, columns: dict | None = None
) -> list[float]:
    """Percent widths for a fixed-layout table: text and links get room, numbers little."""
    weights = []
    for c in shown:
        kind = frame[c].dtype.kind
        if c in links:
            weights.append(5.0)
        elif kind in "iufb":
            # Wide enough for the header on one or two lines, not more.
            label = str((columns or {}).get(c, c))
            weights.append(min(2.2, max(1.0, 0.16 * len(label))))
        elif kind == "M":
            weights.append(1.8)
        else:
            longest = frame[c].head(50).astype(str).str.len().max() if len(frame) else 0
            weights.append(1.5 if longest <= 12 else 3.0)
    total = sum(weights) or 1.0
    return [100 * w / total for w in weights]


def show_table(
    frame: pd.DataFrame,
    *,
    links: dict[str, str] | None = None,
    percent: tuple[str, ...] | list[str] = (),
    max_rows: int = 30,
    caption: str | None = None,
    columns: dict[str, str] | None = None,
) -> HTMLBlock:
    """Display a frame as an HTML table in which every value is escaped.

    Parameters
    ----------
    frame
        Any pandas frame (a polars frame is converted).
    links
        ``{text_column: url_column}``: the text becomes a link to the URL (http and
        https only; other schemes show as plain text) and the URL column is hidden.
    percent
        Columns of fractions to show as percentages.
    max_rows
        Rows shown; a note says how many were left out.
    caption
        A caption above the table.
    columns
        Display names, ``{column: label}``.

    Returns
    -------
    HTMLBlock
        Jupyter displays it as a table; ``str()`` gives the HTML.

    Examples
    --------
    >>> str(show_table(pd.DataFrame({"title": ["<b>x</b>"]})))  # doctest: +ELLIPSIS
    '<table ...&lt;b&gt;x&lt;/b&gt;...'
    """
    if hasattr(frame, "to_pandas") and not isinstance(frame, pd.DataFrame):
        frame = frame.to_pandas()
    links = links or {}
    columns = columns or {}
    for text_col, url_col in links.items():
        if text_col not in frame.columns or url_col not in frame.columns:
            raise ConfigError(
                f"show_table links {text_col!r} -> {url_col!r}: frame has columns "
                f"{', '.join(map(str, frame.columns))}"
            )
    hidden = set(links.values()) - set(links)
    shown = [c for c in frame.columns if c not in hidden]
    numeric = {c for c in shown if frame[c].dtype.kind in "iuf"}
    head = "".join(
        f"<th{' class=pk-num' if c in numeric else ''}>{html.escape(str(columns.get(c, c)))}</th>"
        for c in shown
    )
    rows = []
    # Per-row Python is fine here: displayed tables are capped at max_rows.
    for record in frame.head(max_rows).to_dict("records"):
        cells = []
        for c in shown:
            text = html.escape(_cell_text(record[c], percent=c in percent), quote=True)
            if c in links:
                href = _safe_href(record[links[c]])
                if href:
                    text = f'<a href="{href}" rel="noopener noreferrer">{text}</a>'
            cells.append(f"<td{' class=pk-num' if c in numeric else ''}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f'<p class="pk-caption">{html.escape(caption)}</p>' if caption else ""
    # A short table moves to the next page whole, with its caption, rather than split.
    klass = "pk-tablewrap pk-short" if len(frame) <= 20 else "pk-tablewrap"
    cols = "".join(
        f'<col style="width:{w:.1f}%">' for w in _column_widths(frame, shown, links, columns)
    )
    markup = (
        f"<div class='{klass}'>{cap}<table class=pk-table><colgroup>{cols}</colgroup>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    if not len(frame):
        markup = f'<p class="pk-note">{html.escape(caption or "Table")}: no rows.</p>'
    elif len(frame) > max_rows:
        markup += f'<p class="pk-note">Showing {max_rows} of {len(frame):,} rows.</p>'
    text = frame.head(max_rows).to_string(index=False) if len(frame) else "(no rows)"
    return HTMLBlock(markup, text)


def show_title(title: str, subtitle: str | None = None) -> HTMLBlock:
    """A report title (``<h1>``) and optional subtitle, both escaped."""
    markup = f"<h1>{html.escape(title)}</h1>"
    if subtitle:
        markup += f'<p class="pk-note">{html.escape(subtitle)}</p>'
    return HTMLBlock(markup, title + (f"\n{subtitle}" if subtitle else ""))


def show_note(text: str) -> HTMLBlock:
    """A short escaped note in muted type (e.g. a caveat computed from data)."""
    return HTMLBlock(f'<p class="pk-note">{html.escape(text)}</p>', text)


# --- numbers for the notebooks ---------------------------------------------------------


def list_topics(con) -> pd.DataFrame:
    """Topics in the database with their article counts (``topic``, ``articles``)."""
    return con.execute(_sql("topics")).df()


def resolve_topic(con, topic: str | None) -> str:
    """Check ``topic`` exists; ``None`` picks the topic with the most articles."""
    topics = list_topics(con)["topic"].tolist()
    if not topics:
        raise QueryError(
            "the database has no topic assignments; run enrichment (`policykit enrich`) first"
        )
    if topic is None:
        return topics[0]
    if topic not in topics:
        from .trends._core import check_topic

        try:  # the message of every other door, with its suggestion
            check_topic(con, topic)
        except ConfigError as exc:
            raise QueryError(str(exc)) from None
    return topic


def topic_label(con, topic: str) -> str:
    """The topic's display label from ``topics.yml`` (stored in the ``topics`` table), or
    its name with underscores as spaces."""
    rows = con.execute("SELECT label FROM topics WHERE topic = ?", [topic]).fetchall()
    if rows and rows[0][0]:
        return rows[0][0]
    return topic.replace("_", " ")


def _day(value, name: str) -> dt.date:
    """A report day. Text and dates go through the trend functions' parser (ISO only:
    ``01/02/2024`` is refused, not read as 2 January); instants from the database are
    taken in the configured time zone."""
    from .trends._core import parse_date

    if isinstance(value, dt.datetime | pd.Timestamp) and not pd.isna(value):
        stamp = pd.Timestamp(value)
        if stamp.tz is not None:
            stamp = stamp.tz_convert(_timezone())
        return stamp.date()
    return parse_date(name, value)


def _timezone() -> str:
    """The calendar the report counts days in (the ``timezone`` setting, as trends do)."""
    from . import settings as _settings

    return _settings.load().timezone


def report_period(con, topic: str, start=None, end=None) -> tuple[dt.date, dt.date]:
    """The report period as calendar days ``(start, end)``, both inclusive.

    Missing bounds default to the days of the topic's first and last dated article (in
    the configured ``timezone``, like :mod:`policykit.trends`).
    """
    first, last = con.execute(_sql("topic_range"), {"topic": topic}).fetchone()
    if start is None and first is None or end is None and last is None:
        raise QueryError(f"topic {topic!r} has no dated articles; pass start and end")
    lo = _day(start if start is not None else first, "start")
    hi = _day(end if end is not None else last, "end")
    if hi < lo:
        raise ConfigError(f"end {hi} is before start {lo}")
    return lo, hi


def _bounds(lo: dt.date, hi: dt.date) -> dict:
    """Half-open instants [start, end) of the days lo..hi, and of the period before."""
    tz = _timezone()
    start = pd.Timestamp(lo).tz_localize(tz)
    end = pd.Timestamp(hi + dt.timedelta(days=1)).tz_localize(tz)
    prev_start = pd.Timestamp(lo - (hi - lo) - dt.timedelta(days=1)).tz_localize(tz)
    return {
        "start": start.to_pydatetime(),
        "end": end.to_pydatetime(),
        "prev_start": prev_start.to_pydatetime(),
    }


def headline_numbers(con, topic: str, start=None, end=None) -> pd.DataFrame:
    """The brief's headline numbers against the previous period of equal length.

    Parameters
    ----------
    con
        An open connection (read-only is fine).
    topic
        The topic (``article_topics.topic``).
    start, end
        Report days, inclusive (default: the topic's dated range).

    Returns
    -------
    pandas.DataFrame
        Columns ``metric`` (articles, unique stories, outlets, share of all coverage),
        ``value``, ``previous`` (the same measure over the equal-length period just
        before ``start``) and ``change`` (relative change; NaN when ``previous`` is 0).
        ``attrs`` holds ``topic``, ``start``, ``end``, ``previous_start``,
        ``previous_end`` (dates, inclusive).
    """
    lo, hi = report_period(con, topic, start, end)
    bounds = _bounds(lo, hi)
    rows = con.execute(_sql("headline"), {"topic": topic, **bounds}).df().set_index("period")
    metrics = []
    for metric, column in [
        ("articles", "articles"),
        ("unique stories", "stories"),
        ("outlets", "outlets"),
    ]:
        metrics.append((metric, rows.at["current", column], rows.at["previous", column]))
    share = [
        rows.at[p, "articles"] / rows.at[p, "all_articles"] if rows.at[p, "all_articles"] else 0.0
        for p in ("current", "previous")
    ]
    metrics.append(("share of all coverage", share[0], share[1]))
    frame = pd.DataFrame(metrics, columns=["metric", "value", "previous"])
    previous = frame["previous"].astype(float)
    frame["change"] = (frame["value"].astype(float) - previous) / previous.where(previous != 0)
    frame.attrs.update(
        topic=topic,
        start=lo,
        end=hi,
        previous_start=bounds["prev_start"].date(),
        previous_end=lo - dt.timedelta(days=1),
        # The database holds nothing at all before the period (not even other topics).
        previous_empty=bool(rows.at["previous", "all_articles"] == 0),
    )
    return frame


def show_headline(numbers: pd.DataFrame) -> HTMLBlock:
    """Headline numbers (from :func:`headline_numbers`) as a row of cards."""
    attrs = numbers.attrs
    cards = []
    for row in numbers.itertuples(index=False):
        is_share = row.metric.startswith("share")
        value = f"{row.value:.1%}" if is_share else f"{int(row.value):,}"
        previous = f"{row.previous:.1%}" if is_share else f"{int(row.previous):,}"
        if pd.isna(row.change) and attrs.get("previous_empty"):
            change = "no articles in the previous period"
        elif pd.isna(row.change):
            change = f"previous period: {previous}"
        else:
            change = f"{row.change:+.0%} vs previous period ({previous})"
        cards.append(
            '<div class="pk-card">'
            f'<div class="pk-value">{html.escape(value)}</div>'
            f'<div class="pk-label">{html.escape(row.metric)}</div>'
            f'<div class="pk-change">{html.escape(change)}</div></div>'
        )
    note = ""
    if "previous_start" in attrs:
        note = (
            f'<p class="pk-note">Period {attrs["start"]:%-d %b %Y} – {attrs["end"]:%-d %b %Y}; '
            f"compared with {attrs['previous_start']:%-d %b %Y} – "
            f"{attrs['previous_end']:%-d %b %Y}.</p>"
        )
    return HTMLBlock(
        f'<div class="pk-headline">{"".join(cards)}</div>{note}',
        numbers.to_string(index=False),
    )


def data_quality(con, topic: str, start=None, end=None) -> dict[str, pd.DataFrame]:
    """The data-quality appendix: what was set aside, merged, and where dates came from.

    Returns
    -------
    dict of pandas.DataFrame
        ``rejects`` (reason, records, files; whole database), ``duplicates`` (reason,
        records, articles; whole database), ``syndication`` (cluster_id, title, articles,
        outlets, first_published: stories carried more than once in the topic and
        period) and ``date_sources`` (date_source, articles_in_period, undated_articles).
    """
    lo, hi = report_period(con, topic, start, end)
    bounds = _bounds(lo, hi)
    params = {"topic": topic, "start": bounds["start"], "end": bounds["end"]}
    return {
        "rejects": con.execute(_sql("rejects_by_reason")).df(),
        "duplicates": con.execute(_sql("duplicates_by_reason")).df(),
        "syndication": con.execute(_sql("syndication"), params).df(),
        "date_sources": con.execute(_sql("date_sources"), params).df(),
    }


# --- provenance -----------------------------------------------------------------------

#: The MIME type of the output :func:`record_parameters` leaves in an executed notebook.
PARAMETERS_MIME = "application/vnd.policykit.parameters+json"
#: Input files listed one by one in "About this report"; the rest are counted.
INPUTS_SHOWN = 25


def _plain(value):
    """A JSON value for a recorded parameter (dates as ISO text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        return value.item()  # numpy scalars
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        listed = value.tolist() if hasattr(value, "tolist") else value
        return [_plain(v) for v in listed]
    return str(value)


def record_parameters(**used) -> None:
    """Record the parameter values a notebook actually used, after resolving its
    defaults (``topic = pk.resolve_topic(con, topic)``), for "About this report".

    In a notebook this displays a line (``Parameters used: topic='ai'``) that
    :func:`render_report` reads and keeps out of the HTML and PDF; elsewhere it does
    nothing. A parameter the notebook never records is shown as it was passed.
    """
    values = {k: _plain(v) for k, v in used.items()}
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    text = "Parameters used: " + ", ".join(f"{k}={v!r}" for k, v in values.items())
    display({PARAMETERS_MIME: values, "text/plain": text}, raw=True)


def used_parameters(notebook) -> dict:
    """The values recorded by :func:`record_parameters` in an executed notebook (later
    records win)."""
    used: dict = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PARAMETERS_MIME in data and isinstance(data[PARAMETERS_MIME], dict):
                used.update(data[PARAMETERS_MIME])
    return used


def input_files(con) -> list[tuple[str, str, int | None]]:
    """``(source_path, sha256, records_read)`` of every file in the database: each
    path's latest finished ingest run, by path."""
    rows = con.execute(
        "SELECT source_path, arg_max(content_hash, run_id), arg_max(records_read, run_id) "
        "FROM ingest_runs WHERE finished_at IS NOT NULL GROUP BY source_path ORDER BY 1"
    ).fetchall()
    return [(p, h, n) for p, h, n in rows]


def _shown_paths(paths: list[str]) -> list[str]:
    """Paths relative to the folder all inputs share, so the same files give the same
    list wherever they were ingested from (another clone, absolute or relative paths)."""
    if not paths:
        return []
    if len(paths) == 1:
        return [os.path.basename(paths[0]) or paths[0]]
    try:
        common = os.path.commonpath(paths)
    except ValueError:  # a mix of absolute and relative paths
        return list(paths)
    return [os.path.relpath(p, common) if common else p for p in paths]


def inputs_digest(inputs) -> str:
    """One sha256 over the (path, sha256) pairs of the input files, as listed."""
    paths = _shown_paths([p for p, _, _ in inputs])
    text = "".join(f"{p}\t{h}\n" for p, (_, h, _) in zip(paths, inputs, strict=True))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def provenance(
    parameters: dict,
    content_hash: str,
    db_path: str | Path | None = None,
    generated_at=None,
    *,
    period: tuple | None = None,
    inputs: list[tuple[str, str, int | None]] | None = None,
    topic_definitions=None,
) -> HTMLBlock:
    """The closing block of every report: parameters, period, topic definitions, input
    files, data hash, version, time.

    ``parameters`` maps names to their values as Python source (``{"topic": "'ai'"}``);
    ``period`` is ``(start, end)``; ``inputs`` is :func:`input_files`;
    ``topic_definitions`` a :class:`~policykit.enrich.topics.TopicSet`.
    """
    from . import __version__

    generated_at = generated_at or dt.datetime.now(dt.UTC)
    # Values are shown as Python literals, as the notebook used them.
    shown = "; ".join(f"{k} = {v}" for k, v in sorted(parameters.items())) or "(none)"
    rows = [("Parameters", shown)]
    if period is not None:
        lo, hi = period
        shown_period = (
            f"{lo or 'the first dated article'} to {hi or 'the last dated article'} (inclusive)"
            if lo or hi
            else "every dated article"
        )
        rows.append(("Period", shown_period))
    if topic_definitions is not None:
        rows.append(
            (
                "Topic definitions",
                # The file's name, not its folder: the same file in another clone.
                f"{len(topic_definitions.topics)} topics from "
                f"{Path(topic_definitions.source).name or topic_definitions.source}, "
                f"sha256 {topic_definitions.content_hash}",
            )
        )
    if inputs is not None and not inputs:
        rows.append(("Input files", "none recorded (no `policykit ingest` runs in the database)"))
    elif inputs is not None:
        records = sum(n or 0 for _, _, n in inputs)
        rows.append(
            (
                "Input files",
                f"{len(inputs):,} files, {records:,} records read; sha256 of the list "
                f"{inputs_digest(inputs)[:16]}",
            )
        )
    if db_path is not None:
        rows.append(("Database", Path(db_path).name))
    rows += [
        ("Database content hash", content_hash),
        ("policykit version", __version__),
        ("Generated", generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
    )
    files = ""
    text_files = []
    if inputs:
        paths = _shown_paths([p for p, _, _ in inputs])
        listed = list(zip(paths, inputs, strict=True))[:INPUTS_SHOWN]
        cells = "".join(
            f"<tr><td>{html.escape(p)}</td><td>{html.escape(h[:16])}</td>"
            f"<td class=pk-num>{'' if n is None else f'{n:,}'}</td></tr>"
            for p, (_, h, n) in listed
        )
        more = len(inputs) - len(listed)
        note = f'<p class="pk-note">and {more:,} more files.</p>' if more > 0 else ""
        files = (
            "<table class=pk-inputs><thead><tr><th>Input file</th><th>sha256 (first 16)</th>"
            f"<th class=pk-num>records</th></tr></thead><tbody>{cells}</tbody></table>{note}"
        )
        text_files = [f"  {p}  {h[:16]}  {n}" for p, (_, h, n) in listed]
    markup = (
        '<section class="pk-provenance"><h2>About this report</h2>'
        "<p>The same database and parameters give the same numbers.</p>"
        f"<table>{body}</table>{files}</section>"
    )
    return HTMLBlock(markup, "\n".join([*(f"{k}: {v}" for k, v in rows), *text_files]))


# --- building reports --------------------------------------------------------------------


@dataclass
class ReportResult:
    """What :func:`render_report` wrote, and how long each step took (seconds)."""

    name: str
    notebook: Path
    html: Path | None = None
    pdf: Path | None = None
    parameters: dict = field(default_factory=dict)
    content_hash: str = ""
    timings: dict = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.notebook, self.html, self.pdf) if p is not None]


def notebook_dirs() -> list[Path]:
    """Where report notebooks are looked up: ``./notebooks``, then the source checkout's."""
    dirs = [Path.cwd() / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"]
    unique = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def available_reports() -> list[str]:
    """Names of the notebooks :func:`render_report` can build."""
    names = set()
    for folder in notebook_dirs():
        names.update(p.stem for p in folder.glob("*.ipynb"))
    return sorted(names)


def find_notebook(name: str | Path) -> Path:
    """Resolve a report name (``coverage-brief``) or a path to an ``.ipynb`` notebook."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb":
        if candidate.is_file():
            return candidate
        raise ReportError(f"notebook {str(name)!r} does not exist")
    for folder in notebook_dirs():
        path = folder / f"{name}.ipynb"
        if path.is_file():
            return path
    raise ReportError(one_of("report", str(name), available_reports() or ["(none found)"]))


def parse_params(items) -> dict:
    """``["topic=ai", "top=10"]`` -> ``{"topic": "ai", "top": 10}``.

    Values that parse as JSON (numbers, true/false/null, lists) keep that type; anything
    else stays a string (dates included).
    """
    params = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"parameter {item!r} is not of the form key=value")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@contextmanager
def _quiet_nbformat():
    """A hand-written notebook without cell ids is fine (papermill adds them); nbformat's
    MissingIDFieldWarning on stderr would break the one-line-error promise."""
    import warnings

    try:
        from nbformat.validator import MissingIDFieldWarning
    except ImportError:  # older nbformat: nothing to silence
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        yield


def _check_parameters(notebook: Path, params: dict) -> dict:
    import papermill

    with _quiet_nbformat():
        declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ReportError(
            f"notebook {notebook} has no cell tagged 'parameters'; tag one so that "
            "reports can be parameterised"
        )
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ReportError(one_of("parameter", unknown[0], sorted(declared)))
    return declared


class _ResourceAudit(HTMLParser):
    """Collects what in an HTML page would run a script or fetch a resource."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.problems.append(f"<script> element (src={attrs.get('src')!r})")
        if tag in ("link", "iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        for key, value in attrs.items():
            if key.startswith("on"):
                self.problems.append(f"<{tag}> event handler attribute {key}")
            if (
                key in ("src", "srcset", "poster", "data")
                and value
                and not value.startswith("data:")
            ):
                self.problems.append(f"<{tag} {key}={value[:60]!r}> loads a remote resource")
            if key == "href" and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag}> javascript: link")
            if key == "style" and value and re.search(r"url\(\s*['\"]?(?!data:)", value, re.I):
                self.problems.append(f"<{tag}> style attribute loads a resource")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and (
            re.search(r"@import", data, re.I) or re.search(r"url\(\s*['\"]?(?!data:)", data, re.I)
        ):
            self.problems.append("stylesheet imports or loads a resource (@import/url())")


def html_problems(markup: str) -> list[str]:
    """Scripts, event handlers and remote resources in an HTML page (empty list = clean)."""
    audit = _ResourceAudit()
    audit.feed(markup)
    audit.close()
    return audit.problems


def _template_dir() -> Path:
    return Path(str(resources.files("policykit") / "templates"))


def export_html(notebook_node, title: str) -> str:
    """Export an executed notebook to self-contained HTML with the inputs hidden."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = TEMPLATE_NAME
    config.HTMLExporter.extra_template_basedirs = [str(_template_dir())]
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=config)
    body, _ = exporter.from_notebook_node(notebook_node, resources={"metadata": {"name": title}})
    return body


def export_pdf(markup: str, target: Path) -> None:
    """Print the report HTML to an A4 PDF with WeasyPrint; only data: URLs are loaded."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    HTML(string=markup, url_fetcher=fetcher, media_type="print").write_pdf(str(target))


def _first_line(source: str) -> str:
    lines = [ln.strip() for ln in str(source).splitlines() if ln.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= 60 else line[:59] + "…"


def _execute(source: Path, target: Path, params: dict, name: str, timeout: int | None) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=params,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            cwd=str(Path.cwd()),
        )
    except PapermillExecutionError as exc:
        evalue = " ".join(str(exc.evalue).split())
        raise ReportError(
            f"report {name}: cell {exc.cell_index} ({_first_line(exc.source)!r}) failed: "
            f"{exc.ename}: {evalue}"
        ) from None


def _append_provenance(path: Path, notebook, block: HTMLBlock):
    import nbformat

    cell = nbformat.v4.new_code_cell(
        source="# Provenance, added by policykit.render_report",
        metadata={"tags": ["policykit-provenance"]},
    )
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": block.markup, "text/plain": block.text}
        )
    ]
    notebook.cells.append(cell)
    nbformat.write(notebook, str(path))
    return notebook


def _for_readers(notebook):
    """A copy without stderr streams: warnings are for the analyst (they stay in the
    executed .ipynb), not for the brief's readers."""
    import copy

    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.get("outputs"):
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                # the record_parameters line: its values are in "About this report"
                and PARAMETERS_MIME not in o.get("data", {})
            ]
    return clean


# --- the build folder: nothing left behind, even by a killed build ---------------------

_BUILD_PREFIX = ".pk-build-"
_OWNER = ".owner"
# Folders of builds from before the owner marker (tempfile.mkdtemp(prefix=".NAME-")).
_LEGACY_RE = re.compile(r"^\.(?P<name>[A-Za-z0-9_.\-]+)-[a-z0-9_]{8}$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _sweep_leftovers(out_dir: Path, report_name: str) -> list[Path]:
    """Remove build folders of earlier builds that were killed (SIGKILL cannot be
    caught, so such a build cannot clean up after itself): folders whose owner marker
    names a process of this host that is gone, and marker-less folders of the old
    naming that hold nothing but this report's own files."""
    removed = []
    host = socket.gethostname()
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return removed
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_dir():
                continue
            if entry.name.startswith(_BUILD_PREFIX):
                owner = (entry / _OWNER).read_text(encoding="utf-8").split()
                if len(owner) != 2 or owner[0] != host or _alive(int(owner[1])):
                    continue
            else:
                legacy = _LEGACY_RE.match(entry.name)
                if not legacy or legacy.group("name") != report_name:
                    continue
                if any(p.stem != report_name or p.is_dir() for p in entry.iterdir()):
                    continue
            shutil.rmtree(entry)
            removed.append(entry)
        except (OSError, ValueError):
            continue  # not ours to judge, or already gone
    return removed


def _make_build_dir(out_dir: Path, report_name: str) -> Path:
    work = out_dir / f"{_BUILD_PREFIX}{report_name}-{os.getpid()}-{secrets.token_hex(4)}"
    work.mkdir()
    (work / _OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
    return work


@contextmanager
def _exit_on_signals():
    """Turn SIGTERM and SIGHUP into SystemExit while a build runs, so that its
    ``finally`` removes the build folder (SIGINT already raises KeyboardInterrupt).
    Handlers the caller installed are left alone; ours are removed afterwards."""
    installed = {}
    if threading.current_thread() is threading.main_thread():

        def _raise(signum, _frame):
            raise SystemExit(128 + signum)

        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
                installed[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, previous in installed.items():
            signal.signal(sig, previous)


def _out_dir(out) -> Path:
    from . import settings as _settings

    out_dir = Path(out) if out is not None else _settings.load().reports_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"output folder {out_dir} is a file, not a folder") from None
    except OSError as exc:
        raise ReportError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ReportError(f"output folder {out_dir} is not writable")
    return out_dir


def render_report(
    name: str | Path,
    params: dict | None = None,
    *,
    to: tuple[str, ...] | list[str] | str = REPORT_FORMATS,
    out: str | Path | None = None,
    db: str | Path | None = None,
    timeout: int | None = 600,
) -> ReportResult:
    """Build a report: execute a notebook, then export HTML and/or PDF.

    Parameters
    ----------
    name
        A notebook in ``notebooks/`` (``"coverage-brief"``, ``"landscape"``,
        ``"explore"``) or a path to an ``.ipynb`` file.
    params
        Values for the notebook's ``parameters`` cell; unknown names are an error. The
        database path is passed as ``db`` when the notebook declares it.
    to
        ``"html"``, ``"pdf"`` or both (the default). The executed notebook is always kept.
    out
        Output folder (default: the configured ``reports_dir``, ``reports/``).
    db
        The database (default: ``POLICYKIT_DB`` or the configured path).
    timeout
        Seconds allowed per cell.

    Returns
    -------
    ReportResult
        Paths of ``NAME.ipynb``, ``NAME.html`` and ``NAME.pdf`` and per-step timings.

    Raises
    ------
    ReportError
        On an unknown report or parameter, or when a cell fails (naming the cell and
        its exception). Nothing is written under the final names unless every step
        succeeded: files are built in a temporary folder and renamed at the end.
    """
    from . import store
    from .enrich.topics import stored_topics
    from .trends._core import check_parameters

    formats = (to,) if isinstance(to, str) else tuple(to)
    for fmt in formats:
        if fmt not in REPORT_FORMATS:
            raise ConfigError(one_of("report format", fmt, REPORT_FORMATS))
    source = find_notebook(name)
    report_name = source.stem
    if params is not None and not isinstance(params, dict):
        raise ConfigError(f"params {params!r} is not a mapping of parameter name to value")
    params = dict(params or {})
    declared = _check_parameters(source, params)
    db_path = store.resolve_db_path(db).resolve()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    con = store.connect(db_path, read_only=True)
    try:
        # The validators of the trend functions and the CLI, before anything runs.
        params = check_parameters(con, params)
        db_hash = store.content_hash(con)
        inputs = input_files(con)
        definitions = stored_topics(con)
    finally:
        con.close()
    if "db" in declared:
        params["db"] = str(db_path)
    out_dir = _out_dir(out)
    _sweep_leftovers(out_dir, report_name)
    with _exit_on_signals(), _quiet_nbformat():
        return _build(
            source, report_name, params, declared, formats, out_dir, timeout, timings, clock,
            db_path, db_hash, inputs, definitions,
        )  # fmt: skip


def _build(
    source, report_name, params, declared, formats, out_dir, timeout, timings, clock,
    db_path, db_hash, inputs, definitions,
) -> ReportResult:  # fmt: skip
    """Execute and export in a build folder inside ``out_dir``, then rename into place."""
    import nbformat

    try:
        work = _make_build_dir(out_dir, report_name)
    except OSError as exc:
        raise ReportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    try:
        executed = work / f"{report_name}.ipynb"
        _execute(source, executed, params, report_name, timeout)
        timings["execute"] = time.perf_counter() - clock
        notebook = nbformat.read(str(executed), as_version=4)
        effective = {k: v["default"] for k, v in declared.items()}
        effective.update({k: repr(v) for k, v in params.items()})
        used = used_parameters(notebook)
        effective.update({k: repr(v) for k, v in used.items()})
        effective = {k: v for k, v in effective.items() if k != "db"}
        period = None
        if {"start", "end"} & (set(declared) | set(used)):
            period = (
                used.get("start", params.get("start")),
                used.get("end", params.get("end")),
            )
        block = provenance(
            effective,
            db_hash,
            db_path,
            period=period,
            inputs=inputs,
            topic_definitions=definitions,
        )
        notebook = _append_provenance(executed, notebook, block)
        built = {"notebook": executed}
        if formats:
            clock = time.perf_counter()
            markup = export_html(_for_readers(notebook), report_name)
            problems = html_problems(markup)
            if problems:
                raise ReportError(
                    f"report {report_name}: the HTML is not self-contained and safe: "
                    f"{problems[0]} (and {len(problems) - 1} more); display data through "
                    "pk.show_table and the plot_* functions"
                )
            timings["html"] = time.perf_counter() - clock
            if "html" in formats:
                built["html"] = work / f"{report_name}.html"
                built["html"].write_text(markup, encoding="utf-8")
            if "pdf" in formats:
                clock = time.perf_counter()
                built["pdf"] = work / f"{report_name}.pdf"
                export_pdf(markup, built["pdf"])
                timings["pdf"] = time.perf_counter() - clock
        final = {}
        for kind, path in built.items():
            target = out_dir / path.name
            os.replace(path, target)
            final[kind] = target
    except OSError as exc:  # a full disk, a folder removed under us
        where = exc.filename or out_dir
        raise ReportError(
            f"report {report_name}: cannot write {where}: {exc.strerror or exc}; "
            "the report was not completed"
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ReportResult(
        name=report_name,
        notebook=final["notebook"],
        html=final.get("html"),
        pdf=final.get("pdf"),
        parameters=effective,
        content_hash=db_hash,
        timings=timings,
    )
