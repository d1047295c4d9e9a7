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

The commands live here, except two groups beside this module: :mod:`~policykit.cli_topics`
(``policykit topics``) and :mod:`~policykit.cli_trends` (``policykit trends``); what every
command shares is in :mod:`~policykit.cli_common`. None of them imports this module.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

# Every name of the parts stays importable as policykit.cli.NAME.
from .cli_common import (  # noqa: F401
    _UNPRINTABLE,
    FORMATS,
    PolicykitGroup,
    _fault_message,
    _fmt_cell,
    _isnull,
    _writer,
    db_option,
    emit,
    handle_errors,
    printable,
    quiet_option,
    raw_csv_option,
    raw_csv_option_help,
)
from .cli_topics import topics, topics_list, topics_refresh, topics_test  # noqa: F401
from .cli_trends import (  # noqa: F401
    _RAW_CSV_KEY,
    TREND_FORMATS,
    _emit_trend,
    _filter_kwargs,
    _for_output,
    _remember_raw_csv,
    _split,
    _trend_options,
    prepare_out_file,
    trends_citations,
    trends_coverage,
    trends_entities,
    trends_first_movers,
    trends_group,
    trends_outlets,
    trends_spike_events,
    trends_spikes,
    trends_stories,
    trends_terms,
    trends_voice,
)
from .errors import one_line


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


main.add_command(topics)


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


# --- trends (policykit.trends): in cli_trends -------------------------------------

main.add_command(trends_group)


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
