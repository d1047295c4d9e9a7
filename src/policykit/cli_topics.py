"""``policykit topics``: list, test and refresh the topic definitions.

Part of the CLI; :mod:`policykit.cli` adds the group to ``policykit``. Imports ``cli_common``.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import FORMATS, _writer, db_option, emit, handle_errors, printable, raw_csv_option


@click.group()
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
