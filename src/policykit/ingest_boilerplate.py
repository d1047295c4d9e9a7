"""Boilerplate learning for plain-text dumps: lines that recur across many dumps of one
outlet, learnt before the files are read and committed with the files they came from.

Part of the ingest stage; re-exported by :mod:`policykit.ingest`. Imports
``ingest_pipeline`` (temp tables), ``store``, ``progress`` and ``sources``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import store
from .errors import PolicykitError
from .ingest_pipeline import _table
from .progress import resolve as _resolve_progress
from .sources import ReadOptions

#: A line recurring in at least this many dumps of an outlet can be boilerplate
#: (textdump.boilerplate_lines' default; boilerplate_lines keeps only such lines).
BOILERPLATE_MIN_DOCS = 3
#: Dumps larger than this teach nothing (the reader rejects or caps them on its own).
_LEARN_MAX_BYTES = 16 << 20
_DOCS_HASH = hashlib.sha256(b"").hexdigest()[:16]


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _learn_boilerplate(con, files: list[tuple[Path, str]], opts: ReadOptions, meter=None) -> None:
    """Cross-document evidence for plain-text dumps: lines that recur across many dumps of
    one outlet, over the dumps of this ingest plus the evidence stored with earlier files.

    ``files`` are ``(path, source_path)`` pairs. Each dump's distinct normalised lines go
    to the temp table ``bp_run``; :func:`_commit_evidence` moves a file's rows into
    ``boilerplate_evidence`` in the transaction that loads the file. Nothing is written
    here, so a kill at any point leaves counts that match the files in the database, and
    the re-run learns exactly what a clean run learns.
    """
    from .sources import textdump

    con.execute(
        "CREATE OR REPLACE TEMP TABLE bp_run (source_path VARCHAR, outlet VARCHAR, "
        "line_hash VARCHAR, line VARCHAR)"
    )
    dumps = [(f, shown) for f, shown in files if f.suffix.lower() == ".txt"]
    rows: dict[str, list] = {"source_path": [], "outlet": [], "line_hash": [], "line": []}
    step = (meter or _resolve_progress(False)).stage("boilerplate", len(dumps), "text dumps")

    def flush():
        if rows["line"]:
            _table(con, "bp_part", rows, dict.fromkeys(rows, "VARCHAR"))
            con.execute("INSERT INTO bp_run SELECT * FROM bp_part")
            for column in rows.values():
                column.clear()

    for path, shown in dumps:
        step.advance()
        try:
            if path.stat().st_size > _LEARN_MAX_BYTES:
                continue
            text = textdump._decode(path.read_bytes())
            sidecar = textdump.read_sidecar(path)
        except (OSError, PolicykitError, ValueError, RecursionError):
            continue  # the reader turns the file into a reject with the reason
        key = textdump.dump_outlet_key(text, sidecar)
        if key is None:
            continue
        lines = {textdump.normalise_line(line) for line in text.splitlines()}
        lines.discard(textdump.DOCS_KEY)
        for line in [textdump.DOCS_KEY, *sorted(lines)]:
            rows["source_path"].append(shown)
            rows["outlet"].append(key)
            rows["line_hash"].append(_line_hash(line))
            rows["line"].append(line)
        if len(rows["line"]) >= 200_000:
            flush()
    flush()
    step.finish()
    # Evidence stored for a file of this run (a reload, a resumed run) is replaced by it.
    _table(
        con, "bp_files", {"source_path": [shown for _, shown in files]}, {"source_path": "VARCHAR"}
    )
    learnt: dict[str, dict[str, int]] = {}
    for outlet, line, documents in con.execute(
        """
        WITH counts AS (
            SELECT outlet, line_hash, sum(documents) AS documents FROM (
                SELECT outlet, line_hash, documents FROM boilerplate_evidence
                ANTI JOIN bp_files USING (source_path)
                UNION ALL
                SELECT outlet, line_hash, 1 FROM bp_run
            ) GROUP BY ALL
            HAVING sum(documents) >= $min_docs OR line_hash = $docs_hash
        ),
        texts AS (
            SELECT outlet, line_hash, min(line) AS line FROM (
                SELECT outlet, line_hash, line FROM bp_run
                UNION ALL
                SELECT outlet, line_hash, line FROM boilerplate_lines
            ) GROUP BY ALL
        )
        SELECT c.outlet, t.line, c.documents FROM counts c JOIN texts t USING (outlet, line_hash)
        ORDER BY 1, 2
        """,
        {"min_docs": BOILERPLATE_MIN_DOCS, "docs_hash": _DOCS_HASH},
    ).fetchall():
        learnt.setdefault(outlet, {})[line] = int(documents)
    opts.boilerplate = textdump.boilerplate_lines(learnt, min_docs=BOILERPLATE_MIN_DOCS)


def _commit_evidence(con, paths: list[str]) -> None:
    """Inside a file group's transaction: replace these files' boilerplate evidence with
    what this run read from them, and re-derive ``boilerplate_lines`` for the outlet lines
    they touch (the sum over the evidence, kept when >= BOILERPLATE_MIN_DOCS)."""
    _table(con, "bp_group", {"source_path": paths}, {"source_path": "VARCHAR"})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE bp_touched AS SELECT DISTINCT outlet, line_hash FROM ("
        " SELECT outlet, line_hash FROM boilerplate_evidence SEMI JOIN bp_group USING (source_path)"
        " UNION ALL SELECT outlet, line_hash FROM bp_run SEMI JOIN bp_group USING (source_path))"
    )
    if not store.fetch_one(con, "SELECT count(*) FROM bp_touched")[0]:
        return
    con.execute(
        "DELETE FROM boilerplate_evidence WHERE source_path IN (SELECT source_path FROM bp_group)"
    )
    con.execute(
        "INSERT INTO boilerplate_evidence SELECT source_path, outlet, line_hash, 1 FROM bp_run "
        "SEMI JOIN bp_group USING (source_path) ORDER BY source_path, outlet, line_hash"
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE bp_derived AS
        WITH counts AS (
            SELECT e.outlet, e.line_hash, sum(e.documents) AS documents
            FROM boilerplate_evidence e SEMI JOIN bp_touched t USING (outlet, line_hash)
            GROUP BY ALL
            HAVING sum(e.documents) >= $min_docs OR e.line_hash = $docs_hash
        ),
        texts AS (
            SELECT outlet, line_hash, min(line) AS line FROM (
                SELECT r.outlet, r.line_hash, r.line FROM bp_run r SEMI JOIN bp_touched t USING (outlet, line_hash)
                UNION ALL
                SELECT b.outlet, b.line_hash, b.line FROM boilerplate_lines b SEMI JOIN bp_touched t USING (outlet, line_hash)
            ) GROUP BY ALL
        )
        SELECT c.outlet, c.line_hash, t.line, c.documents FROM counts c JOIN texts t USING (outlet, line_hash)
        """,
        {"min_docs": BOILERPLATE_MIN_DOCS, "docs_hash": _DOCS_HASH},
    )
    con.execute(
        "DELETE FROM boilerplate_lines b USING bp_touched t "
        "WHERE b.outlet = t.outlet AND b.line_hash = t.line_hash"
    )
    con.execute(
        "INSERT INTO boilerplate_lines SELECT outlet, line_hash, line, documents FROM bp_derived "
        "ORDER BY outlet, line_hash"
    )
