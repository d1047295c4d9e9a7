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
