"""The command line: a thin mirror of the Python API, same names, same parameters.

Every command that touches the database takes ``--db PATH`` (falling back to
``POLICYKIT_DB`` and then the configured default). A :class:`PolicykitError` becomes one
line on stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import io
import sys
from pathlib import Path

import click

from .errors import PolicykitError

FORMATS = ("table", "csv", "json")


def handle_errors(func):
    """Turn a PolicykitError into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PolicykitError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $POLICYKIT_DB or data/processed/policykit.duckdb).",
)


def emit(frame, fmt: str = "table", out=None, title: str | None = None) -> None:
    """Print a pandas DataFrame as a table, CSV, JSON (records) or Parquet (to ``out``)."""
    out = out or sys.stdout
    if fmt == "csv":
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

        table = Table(title=title, show_lines=False)
        for column in frame.columns:
            numeric = frame[column].dtype.kind in "iuf"
            table.add_column(str(column), justify="right" if numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*["" if _isnull(v) else _fmt_cell(v) for v in row])
        Console(file=out, width=200 if not out.isatty() else None).print(table)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@handle_errors
def ingest(paths, db, columns, mapping, format, outlets, no_enrich, workers):
    """Load raw files (default data/raw) and print the accounting table.

    Every record read is a new article, a duplicate or a reject with a reason; unchanged
    files are skipped by content hash; each file loads in one transaction.
    """
    from .ingest import ingest as run

    report = run(
        list(paths) or None,
        db=db,
        columns=[c.strip() for c in columns.split(",")] if columns else None,
        mapping=_parse_mapping(mapping),
        format=format,
        outlets=outlets,
        enrich=not no_enrich,
        workers=workers,
        progress=sys.stderr.isatty(),
    )
    frame = report.to_frame()
    total = frame[["records_read", "new_articles", "duplicates", "rejects"]].sum()
    frame.loc[len(frame)] = ["TOTAL", "", "", "", *total.tolist()]
    emit(frame, "table", title="Ingest accounting: records read = new + duplicates + rejects")
    if len(report.rejects_by_reason):
        emit(report.rejects_frame(), "table", title="Rejects by reason")
    click.echo(str(report).splitlines()[0])


@main.command("sql")
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@handle_errors
def sql_command(query, db, fmt):
    """Run a read-only SQL QUERY against the database and print the result."""
    from .store import sql as run

    emit(run(query, db=db), fmt)


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
@handle_errors
def report(name, params, to, out, db):
    """Build report NAME (a notebook in notebooks/: coverage-brief, landscape, explore).

    Executes the notebook with papermill into OUT/NAME.ipynb (the source is never
    modified), then writes a self-contained OUT/NAME.html (inputs hidden, images
    embedded, no scripts) and an A4 OUT/NAME.pdf (WeasyPrint; no LaTeX, no browser).
    Prints the paths written.
    """
    from .reports import parse_params, render_report

    result = render_report(
        name, parse_params(params), to=tuple(to) or ("html", "pdf"), out=out, db=db
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
    type=click.Choice(["language", "topics", "entities", "citations", "clusters"]),
    help="Run only this stage (repeatable; default: all).",
)
@click.option("--workers", type=int, help="Worker processes (0 = one per core).")
@handle_errors
def enrich_command(db, topics, gazetteer, stages, workers):
    """Bring topics, entities, citations, language and story clusters up to date.

    Incremental: only new or changed articles are processed, and every article when
    topics.yml or the gazetteer changed.
    """
    from .enrich import enrich
    from .store import connect

    con = connect(db)
    try:
        report = enrich(
            con,
            topics=topics,
            gazetteer=gazetteer,
            stages=list(stages) or None,
            workers=workers,
            progress=sys.stderr.isatty(),
        )
    finally:
        con.close()
    click.echo(str(report))


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
@handle_errors
def topics_list(db, topics_file, fmt):
    """List the topics of topics.yml with their queries (and article counts when the
    database exists and has been enriched)."""
    import pandas as pd

    from .enrich.topics import load_topics
    from .store import connect, resolve_db_path

    loaded = load_topics(topics_file)
    counts: dict[str, int] = {}
    if resolve_db_path(db).exists():
        con = connect(db, read_only=True)
        try:
            counts = dict(
                con.execute("SELECT topic, count(*) FROM article_topics GROUP BY topic").fetchall()
            )
        finally:
            con.close()
    frame = pd.DataFrame(
        {
            "topic": [t.name for t in loaded],
            "label": [t.label for t in loaded],
            "articles": [counts.get(t.name, 0) for t in loaded],
            "query": [t.query for t in loaded],
        }
    )
    emit(frame, fmt)


@topics.command("test")
@click.option(
    "--query", "query", required=True, help="A query, e.g. '\"facial recognition\" OR clearview'."
)
@db_option
@click.option("--limit", type=int, default=10, show_default=True, help="Matching articles to show.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@handle_errors
def topics_test(query, db, limit, fmt):
    """Try a query against the database: how many articles match, and the top ones."""
    from .enrich.query import compile_hits, compile_query
    from .errors import QueryError
    from .store import connect

    try:
        where, where_params = compile_query(query)
        hits, hits_params = compile_hits(query)
    except QueryError as exc:
        raise QueryError(f"--query {query!r}: {exc}") from None
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
    click.echo(f"{found:,} of {total:,} articles match {query}")
    emit(frame, fmt)


@topics.command("refresh")
@db_option
@click.option(
    "--topics",
    "topics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="topics.yml to use.",
)
@handle_errors
def topics_refresh(db, topics_file):
    """Re-run the topics stage: all articles when topics.yml changed, else new ones."""
    from .enrich import enrich
    from .store import connect

    con = connect(db)
    try:
        report = enrich(con, topics=topics_file, stages=["topics"])
    finally:
        con.close()
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
    "--seed", type=int, default=20200227, show_default=True, help="Same seed, same bytes."
)
@click.option("--start", default="2022-01-01", show_default=True, help="First day (ISO date).")
@click.option("--years", type=int, default=3, show_default=True, help="Years of coverage.")
@click.option("--no-pages", is_flag=True, help="Skip HTML pages, text dumps, the WARC and feeds.")
@click.option("--force", is_flag=True, help="Replace a previous demo corpus in --out.")
@handle_errors
def demo_command(out_dir, n_articles, seed, start, years, no_pages, force):
    """Write a synthetic, deterministic demo corpus of scraped news (about 3 years, 19 outlets).

    The files come in the layouts real scrapes do (Scrapy JSONL, news-please, trafilatura,
    Media Cloud CSV, GDELT, newspaper4k, HTML pages, text dumps, WARC, RSS) and carry the
    usual faults; their counts are in OUT/.manifest.json. Refuses a non-empty folder
    unless --force (which replaces only a previous demo corpus's files).
    """
    from .demo import generate

    manifest = generate(
        out_dir,
        n_articles=n_articles,
        seed=seed,
        start=start,
        years=years,
        pages=not no_pages,
        force=force,
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
