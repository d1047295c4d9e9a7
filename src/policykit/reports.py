"""Reports: notebooks executed with papermill, exported to self-contained HTML and PDF.

``render_report("coverage-brief", {"topic": "facial_recognition"})`` runs
``notebooks/coverage-brief.ipynb`` into ``reports/coverage-brief.ipynb`` (the source
notebook is never modified), exports HTML with the input cells hidden and the images
embedded, and prints that HTML to an A4 PDF with WeasyPrint: no LaTeX, no browser, no
network. Every report ends with its parameters, the database's content hash, the
policykit version and the time it was generated.

The module also holds the small helpers the notebooks call, so that notebooks stay thin:
:func:`show_table` (HTML-escaped tables), :func:`headline_numbers` and
:func:`show_headline`, :func:`resolve_topic`, :func:`data_quality`.

Everything that comes from data (titles, outlet names, entities, parameters) is escaped
before it reaches the HTML, and the finished HTML is checked for scripts and remote
resources before it is written.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import shutil
import tempfile
import time
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
        raise QueryError(one_of("topic", topic, topics))
    return topic


def topic_label(con, topic: str) -> str:
    """The topic's display label from ``topics.yml`` (stored in the ``topics`` table), or
    its name with underscores as spaces."""
    rows = con.execute("SELECT label FROM topics WHERE topic = ?", [topic]).fetchall()
    if rows and rows[0][0]:
        return rows[0][0]
    return topic.replace("_", " ")


def _day(value, name: str) -> dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ConfigError(f"{name} {value!r} is not a date like 2024-01-31") from None
    if pd.isna(stamp):
        raise ConfigError(f"{name} {value!r} is not a date like 2024-01-31")
    if stamp.tz is not None:
        stamp = stamp.tz_convert(_timezone())
    return stamp.date()


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


def provenance(
    parameters: dict, content_hash: str, db_path: str | Path | None = None, generated_at=None
) -> HTMLBlock:
    """The closing block of every report: parameters, data hash, version, time.

    ``parameters`` maps names to their values as Python source (``{"topic": "'ai'"}``).
    """
    from . import __version__

    generated_at = generated_at or dt.datetime.now(dt.UTC)
    # Values are shown as Python literals, exactly as the parameters cell received them.
    shown = "; ".join(f"{k} = {v}" for k, v in sorted(parameters.items())) or "(none)"
    rows = [("Parameters", shown)]
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
    markup = (
        '<section class="pk-provenance"><h2>About this report</h2>'
        "<p>The same database and parameters give the same numbers.</p>"
        f"<table>{body}</table></section>"
    )
    return HTMLBlock(markup, "\n".join(f"{k}: {v}" for k, v in rows))


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


def _check_parameters(notebook: Path, params: dict) -> dict:
    import papermill

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


def _append_provenance(path: Path, block: HTMLBlock):
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
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
            ]
    return clean


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
    from . import settings as _settings
    from . import store

    formats = (to,) if isinstance(to, str) else tuple(to)
    for fmt in formats:
        if fmt not in REPORT_FORMATS:
            raise ConfigError(one_of("report format", fmt, REPORT_FORMATS))
    source = find_notebook(name)
    report_name = source.stem
    params = dict(params or {})
    declared = _check_parameters(source, params)
    db_path = store.resolve_db_path(db).resolve()
    if "db" in declared:
        params["db"] = str(db_path)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    con = store.connect(db_path, read_only=True)
    try:
        db_hash = store.content_hash(con)
    finally:
        con.close()
    out_dir = Path(out) if out is not None else _settings.load().reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{report_name}-", dir=out_dir))
    try:
        executed = work / f"{report_name}.ipynb"
        _execute(source, executed, params, report_name, timeout)
        timings["execute"] = time.perf_counter() - clock
        effective = {k: v["default"] for k, v in declared.items()}
        effective.update({k: repr(v) for k, v in params.items()})
        effective = {k: v for k, v in effective.items() if k != "db"}
        block = provenance(effective, db_hash, db_path)
        notebook = _append_provenance(executed, block)
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
