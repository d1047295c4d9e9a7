"""Provenance: the "About this report" block that closes every report.

A notebook records the parameter values it actually used, defaults it resolved itself
included, with :func:`record_parameters` (``pk.record_parameters``);
:func:`used_parameters` reads them back from the executed notebook. :func:`provenance`
builds the block: those parameters, the resolved period, the topic definitions, the
input files with their sha256 (:func:`input_files`, :func:`inputs_digest`), the
database's content hash, the policykit version and the time it was generated. Identical
inputs give an identical block but for that time. :func:`policykit.reports.render_report`
appends it to the executed notebook (:func:`_append_provenance`).

Imports :mod:`policykit.notebook_helpers` (for :class:`HTMLBlock`), never
:mod:`policykit.reports`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
from pathlib import Path

import pandas as pd

from .notebook_helpers import HTMLBlock

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
