"""The command line: a thin mirror of the Python API, same names, same parameters.

Every command that touches the database takes ``--db PATH`` (falling back to
``POLICYKIT_DB`` and then the configured default).

Errors: a mistake or a fault (a :class:`PolicykitError`, a bad option value, a file that
cannot be read or written, a DuckDB error) becomes one line ``error: ...`` on stderr and
exit code 2. Anything else is a bug: one line ``error: internal error ...`` and exit code
1, with the traceback only when ``POLICYKIT_TRACEBACK=1``.

Output: scraped text is printed as text, never as terminal markup (rich tables get
:class:`rich.text.Text` cells, and control characters are shown escaped), and CSV text
cells that a spreadsheet would run as a formula get a leading ``'`` unless ``--raw-csv``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
from pathlib import Path

import click

from .errors import PolicykitError, one_line

FORMATS = ("table", "csv", "json")


def _fault_message(exc: BaseException) -> str | None:
    """The one-line message for a mistake or fault, or None for a bug."""
    import duckdb

    if isinstance(exc, PolicykitError):
        return str(exc)
    if isinstance(exc, OSError):
        path = exc.filename
        what = exc.strerror or str(exc) or type(exc).__name__
        if path is not None and exc.filename2 is not None:
            return f"{path} -> {exc.filename2}: {what}"
        return f"{path}: {what}" if path is not None else what
    if isinstance(exc, duckdb.Error):
        return f"database: {exc}"
    if isinstance(exc, OverflowError):
        return f"a number is too large ({exc})"
    if isinstance(exc, RecursionError):
        return "input nested too deeply to process (Python's recursion limit)"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return None


def handle_errors(func):
    """Turn a mistake or fault into one line on stderr and exit code 2.

    PolicykitError, OSError (with the path it names), DuckDB errors, RecursionError and
    MemoryError are faults of the input or the machine; anything else reaches
    :meth:`PolicykitGroup.main`, which reports it as an internal error.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            raise  # the reader went away: PolicykitGroup.main stops quietly
        except Exception as exc:
            message = _fault_message(exc)
            if message is None:
                raise
            if os.environ.get("POLICYKIT_TRACEBACK") == "1":
                raise
            click.echo(f"error: {one_line(message)}", err=True)
            sys.exit(2)

    return wrapper


class PolicykitGroup(click.Group):
    """The top-level group: every error, click's usage errors included, is one line.

    click prints a usage error as "Usage: ... / Try ... / Error: ...". Here it is
    "error: ... (see `policykit COMMAND -h`)", one line, still exit code 2.
    """

    def main(self, args=None, prog_name=None, complete_var=None, **extra):
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see `{exc.ctx.command_path} -h`)"
            click.echo(f"error: {one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"error: {one_line(exc.format_message())}", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`policykit sql ... | head`): stop quietly, as cat does.
            # Point stdout at /dev/null so the flush at exit does not fail a second time.
            # (Not possible under click's test runner, whose stdout has no descriptor.)
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            message = _fault_message(exc)
            if message is not None:  # a fault raised outside a command body
                click.echo(f"error: {one_line(message)}", err=True)
                sys.exit(2)
            if os.environ.get("POLICYKIT_TRACEBACK") == "1":
                raise
            click.echo(
                f"error: internal error ({type(exc).__name__}: {one_line(str(exc))[:300]}); "
                "this is a bug in policykit: POLICYKIT_TRACEBACK=1 shows the traceback",
                err=True,
            )
            sys.exit(1)
        # As click's standalone mode: `--help` and `ctx.exit(n)` return their exit code.
        sys.exit(rv if isinstance(rv, int) else 0)


quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress on stderr (by default: a bar on a terminal, else a line of counts "
    "every 5 s for steps longer than 2 s; $POLICYKIT_PROGRESS=auto|bar|lines|off).",
)

db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $POLICYKIT_DB or data/processed/policykit.duckdb).",
)

raw_csv_option_help = (
    "CSV: write text cells as stored (by default a cell starting with = + - @, tab "
    "or CR gets a leading ' so spreadsheets do not run it as a formula)."
)
raw_csv_option = click.option("--raw-csv", is_flag=True, help=raw_csv_option_help)


def emit(frame, fmt: str = "table", out=None, title: str | None = None, raw_csv=False) -> None:
    """Print a pandas DataFrame as a table, CSV, JSON (records) or Parquet (to ``out``).

    Table cells and titles are :class:`rich.text.Text`, so a scraped ``[/bold]`` is
    printed, not parsed as markup; CSV text cells are protected from formula injection
    unless ``raw_csv``.
    """
    out = out or sys.stdout
    if fmt == "csv":
        if not raw_csv:
            from .trends.export import protect_csv

            frame = protect_csv(frame)
        frame.to_csv(out, index=False)
    elif fmt == "json":
        out.write(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        out.write("\n")
    elif fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        sys.stdout.buffer.write(buffer.getvalue())
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=Text(printable(title)) if title else None, show_lines=False)
        for column in frame.columns:
            numeric = frame[column].dtype.kind in "iuf"
            table.add_column(Text(printable(str(column))), justify="right" if numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*[Text("" if _isnull(v) else printable(_fmt_cell(v))) for v in row])
        console = Console(
            file=out,
            width=200 if not out.isatty() else None,
            markup=False,
            emoji=False,
            highlight=False,
        )
        console.print(table)


# Control characters (an ESC starts a terminal escape sequence; a newline in a file name
# would draw a fake table row) and bidi overrides (which reorder what the reader sees)
# are shown as escapes, never sent to the terminal; so are the lone surrogates of an
# undecodable file name, which stdout cannot encode.
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str | None) -> str:
    """``text`` with control characters (tab aside) and bidi overrides written as
    ``\\xNN``/``\\uNNNN``."""
    if not text:
        return text or ""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _isnull(value) -> bool:
    try:
        import pandas as pd

        return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


def _fmt_cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@click.group(cls=PolicykitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykit")
def main() -> None:
    """policykit: from folders of scraped news to defensible coverage reports.

    Load scraped metadata and pages into DuckDB (ingest), enrich them, compute trends
    and build HTML/PDF reports. Run `policykit COMMAND --help` for each command.
    """


# --- commands are added below, one section per stage -------------------------------


def _parse_mapping(pairs: tuple[str, ...]) -> dict[str, str] | None:
    from .errors import ConfigError

    mapping = {}
    for pair in pairs:
        field, sep, source = pair.partition("=")
        if not sep or not field.strip() or not source.strip():
            raise ConfigError(
                f"--map {pair!r} is not FIELD=SOURCE, e.g. --map published_at=TIMESTAMP"
            )
        mapping[field.strip()] = source.strip()
    return mapping or None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@db_option
@click.option("--columns", help="Column names for header-less CSV/TSV, e.g. url,title,date.")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=SOURCE",
    help="Map a source field to a policykit field (repeatable), e.g. --map published_at=TIMESTAMP.",
)
@click.option("--format", "format", help="Force the input format instead of detecting it.")
@click.option("--outlets", type=click.Path(path_type=Path), help="User outlet registry CSV.")
@click.option("--no-enrich", is_flag=True, help="Skip topics/entities/citations/clusters.")
@click.option("--workers", type=int, help="Worker processes for page extraction (0 = cores).")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Read symbolic links that lead outside the input folder (refused by default).",
)
@click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="topics.yml to store and tag with from this run on (prints what changed).",
)
@quiet_option
@handle_errors
def ingest(
    paths,
    db,
    columns,
    mapping,
    format,
    outlets,
    no_enrich,
    workers,
    follow_symlinks,
    topics_file,
    quiet,
):
    """Load raw files (default data/raw) and print the accounting table.

    Every record read is a new article, a duplicate or a reject with a reason; unchanged
    files are skipped by content hash; each file loads in one transaction.
    """
    from .ingest import ingest as run
    from .progress import cli_choice, resolve

    # The heartbeat keeps a log from going quiet during a long step; closed on any exit.
    with resolve(cli_choice(quiet), heartbeat=True) as meter:
        report = run(
            list(paths) or None,
            db=db,
            columns=[c.strip() for c in columns.split(",")] if columns else None,
            mapping=_parse_mapping(mapping),
            format=format,
            outlets=outlets,
            enrich=not no_enrich,
            workers=workers,
            progress=meter,
            follow_symlinks=follow_symlinks,
            topics=topics_file,
        )
    frame = report.summary_frame().astype(object)
    counts = ["records_read", "new_articles", "duplicates", "rejects"]
    total = frame[counts].sum()
    frame.loc[len(frame)] = {
        **{c: "" for c in frame.columns},
        frame.columns[0]: "TOTAL",
        **({"files": len(report.files)} if "files" in frame.columns else {}),
        **total.to_dict(),
    }
    emit(frame, "table", title="Ingest accounting: records read = new + duplicates + rejects")
    if len(report.rejects_by_reason):
        emit(report.rejects_frame(), "table", title="Rejects by reason")
    # What layout detection did (fields used; unmapped date/URL columns with a --map).
    for line in report.layout_lines():
        click.echo(printable(line))  # field names come from the scraped files
    click.echo(str(report).splitlines()[0])
    if report.dates_unparsed:
        click.echo(report.dates_unparsed_line())
    if report.enrichment is not None:
        click.echo(str(report.enrichment))
    if report.failed:
        # Exit 1, after the accounting: the other files are in the database, but a
        # scripted build must not go on as if every file had loaded (exit 2 = nothing done).
        for failed in report.failed:
            click.echo(f"failed: {one_line(str(failed.error))}", err=True)
        click.echo(
            f"{len(report.failed)} of {len(report.files)} files failed and were not loaded; "
            "the others were. Fix them and run again (failed files are retried)",
            err=True,
        )
        sys.exit(1)


@main.command("sql")
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@raw_csv_option
@handle_errors
def sql_command(query, db, fmt, raw_csv):
    """Run a read-only SQL QUERY against the database and print the result."""
    from .store import sql as run

    emit(run(query, db=db), fmt, raw_csv=raw_csv)


@main.command()
@db_option
@handle_errors
def info(db):
    """What is in the database: articles, outlets, date range, rejects by reason."""
    from .store import info as run

    result = run(db)
    emit(
        result["summary"].T.reset_index().set_axis(["what", "value"], axis=1),
        "table",
        title=f"Database (content hash {result['content_hash']})",
    )
    emit(result["outlets"], "table", title="Articles per outlet")
    emit(result["date_sources"], "table", title="Where publication dates came from")
    emit(result["rejects"], "table", title="Rejects by reason")


# --- reports (policykit.reports) ----------------------------------------------------


@main.command()
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A notebook parameter, e.g. --param topic=facial_recognition (repeatable).",
)
@click.option(
    "--to",
    "to",
    multiple=True,
    type=click.Choice(["html", "pdf"]),
    help="Output format (repeatable; default: html and pdf).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: reports/).",
)
@db_option
@quiet_option
@handle_errors
def report(name, params, to, out, db, quiet):
    """Build report NAME (a notebook in notebooks/: coverage-brief, landscape, explore).

    Executes the notebook with papermill into OUT/NAME.ipynb (the source is never
    modified), then writes a self-contained OUT/NAME.html (inputs hidden, images
    embedded, no scripts) and an A4 OUT/NAME.pdf (WeasyPrint; no LaTeX, no browser).
    Prints the paths written.
    """
    from .progress import cli_choice, resolve
    from .reports import parse_params, render_report

    with resolve(cli_choice(quiet), heartbeat=True) as meter:
        result = render_report(
            name,
            parse_params(params),
            to=tuple(to) or ("html", "pdf"),
            out=out,
            db=db,
            progress=meter,
        )
    for path in result.paths:
        click.echo(str(path))


# --- enrichment (policykit.enrich) --------------------------------------------------


@main.command("enrich")
@db_option
@click.option(
    "--topics", type=click.Path(dir_okay=False, path_type=Path), help="topics.yml to use."
)
@click.option(
    "--gazetteer", type=click.Path(dir_okay=False, path_type=Path), help="User gazetteer CSV."
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(["language", "topics", "entities", "citations", "clusters", "events"]),
    help="Run only this stage (repeatable; default: all).",
)
@click.option("--workers", type=int, help="Worker processes (0 = one per core).")
@click.option(
    "--entities",
    "entities",
    default="builtin",
    show_default=True,
    help="Recogniser for names not in the gazetteer: builtin, spacy or spacy:MODEL.",
)
@quiet_option
@handle_errors
def enrich_command(db, topics, gazetteer, stages, workers, entities, quiet):
    """Bring topics, entities, citations, language and story clusters up to date.

    Incremental: only new or changed articles are processed, and every article when
    topics.yml or the gazetteer changed.
    """
    from .enrich import enrich
    from .progress import cli_choice, resolve

    meter = resolve(cli_choice(quiet), heartbeat=True)
    with meter, _writer(db) as con:  # a copy, swapped in: readers neither block nor see half
        report = enrich(
            con,
            topics=topics,
            gazetteer=gazetteer,
            stages=list(stages) or None,
            workers=workers,
            entities=entities,
            progress=meter,
        )
    click.echo(str(report))


@contextlib.contextmanager
def _writer(db):
    """``store.writer(db)``: write a copy and swap it in, so a notebook holding the
    database read-only neither blocks the command nor sees half of it; a full disk is one
    line saying what was kept, as for ingest."""
    from . import store
    from .ingest import _disk_full

    try:
        with store.writer(db) as con:
            yield con
    except Exception as exc:
        if store.is_disk_full(exc):
            raise _disk_full(store.resolve_db_path(db)) from None
        raise


@main.group()
def topics() -> None:
    """Topics: named boolean queries from topics.yml (list, test, refresh)."""


@topics.command("list")
@db_option
@click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="topics.yml to read.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@raw_csv_option
@handle_errors
def topics_list(db, topics_file, fmt, raw_csv):
    """List the topic definitions the database holds (source, sha256, queries, article
    counts); with --topics, that file's instead. A database without stored definitions
    shows the ones its next ingest will store (./topics.yml or the shipped example)."""
    from .enrich.topics import definitions_frame

    frame, title = definitions_frame(db, topics_file)
    if fmt == "table":  # the title names the source and hash once
        frame = frame.drop(columns=["source", "content_hash"])
    emit(frame, fmt, title=title, raw_csv=raw_csv)


@topics.command("test")
@click.option(
    "--query", "query", required=True, help="A query, e.g. '\"facial recognition\" OR clearview'."
)
@db_option
@click.option("--limit", type=int, default=10, show_default=True, help="Matching articles to show.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@raw_csv_option
@handle_errors
def topics_test(query, db, limit, fmt, raw_csv):
    """Try a query against the database: how many articles match, and the top ones."""
    from .enrich.query import compile_hits, compile_query
    from .errors import QueryError, excerpt
    from .store import connect

    try:
        where, where_params = compile_query(query)
        hits, hits_params = compile_hits(query)
    except QueryError as exc:  # the query quoted as a bounded excerpt, not 60 KB
        raise QueryError(f"--query {excerpt(query)}: {exc}") from None
    con = connect(db, read_only=True)
    try:
        total, found = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {where}) FROM articles a", where_params
        ).fetchone()
        frame = con.execute(
            f"SELECT {hits} AS hits, strftime(a.published_at, '%Y-%m-%d') AS date, a.outlet, "
            f"a.title FROM articles a WHERE {where} "
            "ORDER BY hits DESC, a.published_at DESC NULLS LAST, a.article_id LIMIT ?",
            [*hits_params, *where_params, limit],
        ).df()
    finally:
        con.close()
    # On stderr for csv/json, so the output stays one parseable document.
    click.echo(f"{found:,} of {total:,} articles match {printable(query)}", err=fmt != "table")
    emit(frame, fmt, raw_csv=raw_csv)


@topics.command("refresh")
@db_option
@click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="topics.yml to store and tag with (default: the topics setting, else ./topics.yml).",
)
@click.option("--shipped", is_flag=True, help="Go back to the shipped example topics.")
@handle_errors
def topics_refresh(db, topics_file, shipped):
    """Replace the stored topic definitions and re-tag: prints the topics added, removed
    and changed and the articles tagged before and after. Without a file (and no
    ./topics.yml or topics setting), re-tags new articles with the stored definitions."""
    from .enrich import enrich
    from .enrich.topics import refresh_source

    source = refresh_source(topics_file, shipped)
    with _writer(db) as con:  # beside readers, as ingest and enrich
        report = enrich(con, topics=source, stages=["topics"])
    click.echo(str(report))


# --- demo corpus (policykit.demo) ---------------------------------------------------


@main.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/raw/demo"),
    show_default=True,
    help="Folder to write the corpus into.",
)
@click.option(
    "--articles",
    "n_articles",
    type=int,
    default=30_000,
    show_default=True,
    help="Distinct articles (200 to 200000).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),  # numpy's seed range
    default=20200227,
    show_default=True,
    help="Same seed, same bytes.",
)
@click.option("--start", default="2022-01-01", show_default=True, help="First day (ISO date).")
@click.option("--years", type=int, default=3, show_default=True, help="Years of coverage.")
@click.option("--no-pages", is_flag=True, help="Skip HTML pages, text dumps, the WARC and feeds.")
@click.option("--force", is_flag=True, help="Replace a previous demo corpus in --out.")
@quiet_option
@handle_errors
def demo_command(out_dir, n_articles, seed, start, years, no_pages, force, quiet):
    """Write a synthetic, deterministic demo corpus of scraped news (about 3 years, 19 outlets).

    The files come in the layouts real scrapes do (Scrapy JSONL, news-please, trafilatura,
    Media Cloud CSV, GDELT, newspaper4k, HTML pages, text dumps, WARC, RSS) and carry the
    usual faults; their counts are in OUT/.manifest.json. Refuses a non-empty folder
    unless --force (which replaces only a previous demo corpus's files).
    """
    from .demo import generate
    from .progress import cli_choice, resolve

    with resolve(cli_choice(quiet), heartbeat=True) as meter:
        manifest = generate(
            out_dir,
            n_articles=n_articles,
            seed=seed,
            start=start,
            years=years,
            pages=not no_pages,
            force=force,
            progress=meter,
        )
    click.echo(
        f"wrote {manifest.articles} articles in {manifest.records} records "
        f"({manifest.duplicate_records} duplicate records) to {len(manifest.files)} files "
        f"under {out_dir} in {manifest.seconds:.1f} s"
    )
    for layout, records in manifest.layouts.items():
        click.echo(f"  {layout:<12} {records:>7} records")
    faults = ", ".join(f"{k} {v}" for k, v in manifest.faults.items())
    click.echo(f"faults: {faults}")
    click.echo(f"manifest: {Path(out_dir) / '.manifest.json'}")


# --- trends (policykit.trends) ------------------------------------------------------

TREND_FORMATS = ("table", "csv", "json", "parquet")


def _split(values: tuple[str, ...]) -> list[str] | None:
    """Repeatable and/or comma-separated option values as one list (None when empty)."""
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return items or None


_RAW_CSV_KEY = "policykit.raw_csv"


def _remember_raw_csv(ctx, _param, value):
    ctx.meta[_RAW_CSV_KEY] = value


def _trend_options(func):
    """The shared filter, output and database options of every `trends` command."""
    options = [
        click.argument("topic_arg", metavar="[TOPIC]", required=False),
        click.option("--topic", help="Topic name (same as the TOPIC argument)."),
        click.option("--query", help="Boolean query, e.g. '\"facial recognition\" OR clearview'."),
        click.option("--start", help="First day, YYYY-MM-DD (inclusive, in --tz)."),
        click.option("--end", help="Last day, YYYY-MM-DD (inclusive, in --tz)."),
        click.option(
            "--outlets",
            multiple=True,
            help="Outlet names or domains (repeatable or comma-separated).",
        ),
        click.option(
            "--tz",
            help="Calendar days: an IANA time zone such as Asia/Kolkata, UTC, or 'page' "
            "(each article's own day, as its page shows it; the UTC day where none is "
            "stored). Default: the timezone setting, else UTC.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(TREND_FORMATS),
            default="table",
            show_default=True,
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to this file instead of stdout (parquet: required unless piped).",
        ),
        click.option(
            "--raw-csv",
            is_flag=True,
            expose_value=False,  # read by _emit_trend, so no command repeats it
            callback=_remember_raw_csv,
            help=raw_csv_option_help,
        ),
        db_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db) -> dict:
    from .errors import ConfigError
    from .store import resolve_db_path

    if topic_arg and topic and topic_arg != topic:
        raise ConfigError(f"TOPIC {topic_arg!r} and --topic {topic!r} disagree; give one")
    return {
        "con": resolve_db_path(db),
        "topic": topic or topic_arg,
        "query": query,
        "start": start,
        "end": end,
        "outlets": _split(outlets),
        "tz": tz,
    }


def _for_output(frame, fmt: str):
    """Dates as YYYY-MM-DD; nested story lists stay nested in JSON (a list of objects),
    become JSON text in a CSV cell, and are dropped in a table."""
    import json

    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        dated = pd.api.types.is_datetime64_any_dtype(series) and fmt in ("table", "csv")
        if (
            dated
            and series.dt.tz is None
            and series.dropna().dt.normalize().eq(series.dropna()).all()
        ):
            frame[column] = series.dt.strftime("%Y-%m-%d")
    if fmt == "table" and "rule" in frame.columns:
        frame = frame.drop(columns="rule")  # the table title states it
    nested = "stories" in frame.columns and frame["stories"].map(type).eq(list).any()
    if nested:
        if fmt == "table":
            frame = frame.drop(columns="stories")
        elif fmt == "csv":
            frame["stories"] = [json.dumps(s, default=str) for s in frame["stories"]]
    return frame


def _emit_trend(frame, fmt: str, out: Path | None, title: str) -> None:
    from .errors import ConfigError

    frame = _for_output(frame, fmt)
    raw_csv = click.get_current_context().meta.get(_RAW_CSV_KEY, False)
    if out is None:
        if fmt == "parquet" and sys.stdout.isatty():
            raise ConfigError("--format parquet writes binary: give --out FILE or pipe the output")
        emit(frame, fmt, title=title, raw_csv=raw_csv)
        return
    prepare_out_file(out)
    try:
        if fmt == "parquet":
            frame.to_parquet(out, index=False)
        else:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                emit(frame, fmt, out=handle, title=title, raw_csv=raw_csv)
    except OSError as exc:
        if out.is_file():
            out.unlink(missing_ok=True)  # half a file reads as a whole one: leave none
        raise ConfigError(f"--out {out}: cannot write ({exc.strerror or exc})") from None


def prepare_out_file(out: Path) -> None:
    """Create the folders of an output file, or say in one line why it cannot be written."""
    from .errors import ConfigError

    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder; give a file name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--out {out}: cannot create the folder {out.parent} ({exc.strerror or exc})"
        ) from None


@main.group("trends")
def trends_group() -> None:
    """Coverage trends as tables (or CSV, JSON, Parquet): the policykit.trends functions.

    Every command takes the shared filter: a TOPIC (or --topic) and/or --query, --start,
    --end, --outlets and --tz, plus --format and --out. See docs/trends.md.
    """


@trends_group.command("coverage")
@_trend_options
@click.option(
    "--interval",
    default="day",
    show_default=True,
    help="day, week (from Monday), month, quarter or year.",
)
@click.option("--by", help="One series per outlet, outlet_type, country or topic.")
@click.option(
    "--normalise/--no-normalise", default=True, show_default=True, help="Headline measure: ratio."
)
@click.option("--smooth", type=int, help="Centred rolling mean over this odd number of periods.")
@click.option("--unit", default="articles", show_default=True, help="articles, stories or events.")
@handle_errors
def trends_coverage(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, by, normalise,
    smooth, unit,
):  # fmt: skip
    """Coverage per period, every period present: count, total_count, ratio."""
    from .trends import coverage_over_time

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = coverage_over_time(
        **kwargs, interval=interval, by=by, normalise=normalise, smooth=smooth, unit=unit
    )
    _emit_trend(frame, fmt, out, f"Coverage per {interval}")


@trends_group.command("outlets")
@_trend_options
@click.option("--top", type=int, default=10, show_default=True, help="Groups listed by name.")
@click.option("--other/--no-other", default=True, show_default=True, help="Sum the rest as Other.")
@click.option("--by", default="outlet", show_default=True, help="outlet, outlet_type or country.")
@click.option(
    "--compare-to",
    nargs=2,
    metavar="START END",
    help="A second period: adds the change in share in percentage points.",
)
@handle_errors
def trends_outlets(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, top, other, by, compare_to
):
    """Outlet mix: count and share per outlet, with the HHI and effective number of outlets."""
    from .trends import outlet_mix

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = outlet_mix(
        **kwargs, top=top, other=other, by=by, compare_to=tuple(compare_to) if compare_to else None
    )
    hhi = frame.attrs.get("hhi")
    title = f"Outlet mix (HHI {hhi:.3f}, {1 / hhi:.1f} effective outlets)" if hhi else "Outlet mix"
    _emit_trend(frame, fmt, out, title)


@trends_group.command("voice")
@_trend_options
@click.option(
    "--topics", "items_topics", multiple=True, help="Topics to compare (comma-separated)."
)
@click.option("--entities", "items_entities", multiple=True, help="Entities to compare.")
@click.option("--interval", default="month", show_default=True, help="day ... year.")
@handle_errors
def trends_voice(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, items_topics, items_entities,
    interval,
):  # fmt: skip
    """Share of voice: each topic's (or entity's) share of their combined coverage."""
    from .trends import share_of_voice

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = share_of_voice(
        **kwargs, topics=_split(items_topics), entities=_split(items_entities), interval=interval
    )
    _emit_trend(frame, fmt, out, f"Share of voice per {interval}")


@trends_group.command("spikes")
@_trend_options
@click.option("--interval", default="day", show_default=True, help="day ... year.")
@click.option("--method", default="mad", show_default=True, help="mad or zscore.")
@click.option("--k", type=float, default=3.5, show_default=True, help="Spreads above the centre.")
@click.option("--baseline", type=int, help="Preceding periods compared (default per interval).")
@click.option(
    "--min-baseline", type=int, help="Fewest preceding periods judged on, near the start (7)."
)
@click.option("--min-count", type=int, default=1, show_default=True, help="Smallest spike.")
@click.option("--top-stories", type=int, default=3, show_default=True, help="Stories per spike.")
@handle_errors
def trends_spikes(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, method, k,
    baseline, min_baseline, min_count, top_stories,
):  # fmt: skip
    """Spikes: periods far above their trailing baseline, with the stories behind them.

    The line under the table (on stderr) says how many periods were judged, or why none
    could be: an empty table is never left unexplained.
    """
    from .trends import spikes

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = spikes(
        **kwargs,
        interval=interval,
        method=method,
        k=k,
        baseline=baseline,
        min_baseline=min_baseline,
        min_count=min_count,
        top_stories=top_stories,
    )
    note = frame.attrs["note"]
    _emit_trend(frame, fmt, out, f"Spikes ({frame.attrs['rule']}): {note}")
    # On stderr, so CSV, JSON and Parquet output stay machine-readable.
    click.echo(f"spikes: {note}", err=True)


@trends_group.command("spike-events")
@_trend_options
@click.option("--interval", default="day", show_default=True, help="day ... year.")
@click.option("--method", default="mad", show_default=True, help="mad or zscore.")
@click.option("--k", type=float, default=3.5, show_default=True, help="Spreads above the centre.")
@click.option("--baseline", type=int, help="Preceding periods compared (default per interval).")
@click.option(
    "--min-baseline", type=int, help="Fewest preceding periods judged on, near the start (7)."
)
@click.option("--min-count", type=int, default=1, show_default=True, help="Smallest spike.")
@click.option("--top-events", type=int, default=3, show_default=True, help="Events per spike.")
@handle_errors
def trends_spike_events(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, interval, method, k,
    baseline, min_baseline, min_count, top_events,
):  # fmt: skip
    """The news events behind each spike: label, articles, outlets, first publisher.

    Same spike rule and options as `trends spikes`; one row per event and spike.
    """
    from .trends import spike_events

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = spike_events(
        **kwargs,
        interval=interval,
        method=method,
        k=k,
        baseline=baseline,
        min_baseline=min_baseline,
        min_count=min_count,
        top_events=top_events,
    )
    note = frame.attrs["note"]
    _emit_trend(frame, fmt, out, f"Events behind spikes ({frame.attrs['rule']}): {note}")
    click.echo(f"spikes: {note}", err=True)


@trends_group.command("terms")
@_trend_options
@click.option("--against", default="background", show_default=True, help="background or a topic.")
@click.option("--n", type=int, default=30, show_default=True, help="Terms listed.")
@click.option("--min-count", type=int, default=2, show_default=True, help="Least uses in topic.")
@click.option(
    "--alpha0", type=float, help="Prior strength in pseudo-tokens (default: 10x the background)."
)
@handle_errors
def trends_terms(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, against, n, min_count,
    alpha0,
):  # fmt: skip
    """Distinctive terms: weighted log-odds with an informative Dirichlet prior."""
    from .trends import distinctive_terms

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    frame = distinctive_terms(**kwargs, against=against, n=n, min_count=min_count, alpha0=alpha0)
    _emit_trend(frame, fmt, out, "Distinctive terms")


@trends_group.command("entities")
@_trend_options
@click.option("--n", type=int, default=20, show_default=True, help="Entities listed.")
@click.option("--type", "entity_type", help="person, organisation, place or event.")
@handle_errors
def trends_entities(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n, entity_type):
    """Top entities: mentioned in the most matching articles."""
    from .trends import top_entities

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(top_entities(**kwargs, n=n, type=entity_type), fmt, out, "Top entities")


@trends_group.command("citations")
@_trend_options
@click.option("--n", type=int, default=20, show_default=True, help="Sources listed.")
@handle_errors
def trends_citations(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n):
    """Top citations: the sources matching articles cite."""
    from .trends import top_citations

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(top_citations(**kwargs, n=n), fmt, out, "Top citations")


@trends_group.command("stories")
@_trend_options
@click.option("--n", type=int, default=10, show_default=True, help="Stories sampled.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same sample.")
@handle_errors
def trends_stories(topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, n, seed):
    """A reproducible random sample of stories to read."""
    from .trends import sample_stories

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(sample_stories(**kwargs, n=n, seed=seed), fmt, out, "Sample of stories")


@trends_group.command("first-movers")
@_trend_options
@click.option("--min-outlets", type=int, default=2, show_default=True, help="Outlets per story.")
@handle_errors
def trends_first_movers(
    topic_arg, topic, query, start, end, outlets, tz, fmt, out, db, min_outlets
):
    """First movers: which outlets break multi-outlet stories first, and by how much."""
    from .trends import first_movers

    kwargs = _filter_kwargs(topic_arg, topic, query, start, end, outlets, tz, db)
    _emit_trend(first_movers(**kwargs, min_outlets=min_outlets), fmt, out, "First movers")


@main.command("export")
@db_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/processed/export"),
    show_default=True,
    help="Folder to write into.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True
)
@raw_csv_option
@handle_errors
def export_command(db, out, fmt, raw_csv):
    """Export the analysis set (articles, article_facts, outlets, topics, entities,
    citations, clusters, rejects, duplicates, coverage_daily...) to Parquet or CSV.

    In CSV, a text cell starting with = + - @, tab or CR gets a leading ' (spreadsheets
    would run it as a formula); --raw-csv writes the text as stored."""
    from .store import resolve_db_path
    from .trends import export

    written = export(resolve_db_path(db), out=out, format=fmt, raw_csv=raw_csv)
    emit(written, "table", title=f"Exported to {out}")


# Every plain integer option takes at most nine digits: a count, window or worker number
# beyond that is a typo, and it would overflow inside pandas or numpy instead of being
# refused here in one line. Done by walking the commands, so new ones are covered too.
_INT_LIMIT = 999_999_999


def _bound_integer_options(group: click.Group) -> None:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _bound_integer_options(command)
            continue
        for param in command.params:
            if isinstance(param, click.Option) and param.type is click.INT:
                param.type = click.IntRange(-_INT_LIMIT, _INT_LIMIT)


_bound_integer_options(main)
