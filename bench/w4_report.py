"""W4: building the coverage brief, against plain ``jupyter nbconvert --execute``.

The database: ``n`` synthetic articles with bodies from :func:`policykit.demo.load_articles`
in a fresh file, enriched (topics, entities, citations, clusters) as ``make report``
would. Then, on the same database and the same notebook (its default parameters: the
topic with the most articles, over its whole range):

- ``report_html_s``: ``policykit.render_report("coverage-brief", to="html")``: papermill,
  then the self-contained HTML (inputs hidden, images embedded);
- ``report_pdf_s``: the same with ``to=("html", "pdf")`` (adds the WeasyPrint PDF);
- ``nbconvert_html_s`` (the baseline): ``jupyter nbconvert --execute --to html`` of
  ``notebooks/coverage-brief.ipynb`` in a subprocess, the database passed through
  ``POLICYKIT_DB``. It keeps the inputs, links require.js and MathJax from a CDN and makes
  no PDF, so it is the lower bound of "execute and export".

``x_nbconvert`` is report_html_s / nbconvert_html_s (``x_nbconvert_pdf`` the same for
the HTML+PDF build), all timed in the same run. Through the harness the enriched
database is built once per size under ``bench-data/`` (untimed) and each run works on a
copy; the harness runs W4 three times by default. The machine is shared, so the 1-minute load
average is reported beside the timings.

Run: ``python -m bench --only W4``, or alone ``.venv/bin/python -m bench.w4_report [n]``
(default 20,000; builds its own database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "coverage-brief.ipynb"
STAGES = ["topics", "entities", "citations", "clusters"]
#: Target for the whole report (HTML and PDF) on the demo-sized database.
TARGET_REPORT_S = 30.0


def build_database(path: Path, n: int) -> None:
    """A fresh database of ``n`` enriched synthetic articles."""
    from policykit.demo import load_articles
    from policykit.enrich import enrich
    from policykit.store import connect

    con = connect(path)
    try:
        load_articles(con, n, with_bodies=True)
        enrich(con, stages=STAGES, workers=0)
    finally:
        con.close()


def time_nbconvert(db: Path, out_dir: Path) -> float:
    """Seconds for ``jupyter nbconvert --execute --to html`` of the coverage brief."""
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {**os.environ, "POLICYKIT_DB": str(db), "MPLBACKEND": "Agg"}
    started = time.perf_counter()
    subprocess.run(
        [
            str(jupyter),
            "nbconvert",
            "--execute",
            "--to",
            "html",
            "--output-dir",
            str(out_dir),
            str(NOTEBOOK),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def run(n: int = 20_000, database: Path | None = None) -> dict:
    """Measure W4 on ``n`` articles. Returns a flat dict of results.

    ``database``: an already built database of ``n`` articles to work on (a copy of it is
    used); without it one is built, and its build time is reported as ``build_db_s``.
    """
    from policykit.reports import render_report

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "w4.duckdb"
        started = time.perf_counter()
        if database is None:
            build_database(db, n)
        else:
            from policykit.store import connect

            shutil.copyfile(database, db)
            connect(db).close()  # bring a cached database up to the current schema
        build_s = time.perf_counter() - started

        started = time.perf_counter()
        render_report("coverage-brief", to="html", db=db, out=tmp / "html")
        html_s = time.perf_counter() - started

        started = time.perf_counter()
        result = render_report("coverage-brief", to=("html", "pdf"), db=db, out=tmp / "pdf")
        pdf_s = time.perf_counter() - started

        baseline_s = time_nbconvert(db, tmp / "nbconvert")
        pdf_kb = result.pdf.stat().st_size / 1024
    return {
        "workload": "W4 report",
        "articles": n,
        "build_db_s": round(build_s, 1),
        "report_html_s": html_s,
        "report_pdf_s": pdf_s,
        "execute_s": result.timings.get("execute", 0.0),
        "export_html_s": result.timings.get("html", 0.0),
        "export_pdf_s": result.timings.get("pdf", 0.0),
        "nbconvert_html_s": baseline_s,
        # both built in this run from the same database and notebook
        "x_nbconvert": html_s / baseline_s,
        "x_nbconvert_pdf": pdf_s / baseline_s,
        "pdf_kb": round(pdf_kb),
        "target_report_s": TARGET_REPORT_S,
        "meets_target": pdf_s <= TARGET_REPORT_S,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


try:  # register with the harness when it is there (python -m bench --only W4)
    from bench import Context, Target, workload

    def _cached_database(ctx: Context) -> Path:
        """The enriched database of ``ctx.size`` articles, built once under bench-data/."""
        return ctx.cached("w4-enriched", lambda path: build_database(path, ctx.size), ".duckdb")

    @workload(
        "W4",
        "build the coverage brief (HTML+PDF) vs jupyter nbconvert --execute --to html",
        default_size=20_000,
        targets=[Target("seconds", "<=", TARGET_REPORT_S, " s")],
        repeat=3,  # under a minute a run at 20,000 articles
        prepare=lambda ctx: _cached_database(ctx),
    )
    def report_build(ctx: Context) -> dict:
        numbers = run(ctx.size, _cached_database(ctx))
        return {
            "seconds": numbers["report_pdf_s"],
            **{
                k: v
                for k, v in numbers.items()
                if isinstance(v, int | float) and k not in {"target_report_s", "meets_target"}
            },
        }

except ImportError:  # pragma: no cover - the harness is optional for a direct run
    pass


if __name__ == "__main__":
    import json

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(json.dumps(run(size), indent=2))
