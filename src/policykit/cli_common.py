"""What every command of the CLI shares: one-line errors (:func:`handle_errors`,
:class:`PolicykitGroup`), the common options, and output (:func:`emit`, :func:`printable`).

Part of the CLI; re-exported by :mod:`policykit.cli`. Imports ``errors`` (and, inside
functions, the stages the commands call).
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
