"""Provenance that reproduces (issue 9, item 14): "About this report" lists the
parameters the notebook actually used and the resolved period, the input files with
their sha256 and the database content hash; identical inputs give identical provenance
but for the generation time; killed builds leave no build folders behind; `--out` into a
missing folder creates it.

The shapes of the bugs: a brief about data_breaches recorded `topic = None` (the
notebook resolved the default after the parameters were recorded), and killed builds
left hidden `.coverage-brief-*` folders of partial output in reports/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from test_reports import _articles, build_fixture_db

from policykit import reports, store
from policykit.cli import main
from policykit.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, parameters: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


def _provenance_text(result) -> str:
    """The plain-text provenance block of an executed notebook."""
    executed = json.loads(result.notebook.read_text(encoding="utf-8"))
    cell = executed["cells"][-1]
    assert cell["metadata"]["tags"] == ["policykit-provenance"]
    text = cell["outputs"][0]["data"]["text/plain"]
    return "".join(text) if isinstance(text, list) else text


def _tail(result) -> str:
    """The HTML provenance block as text (entities decoded)."""
    markup = result.html.read_text(encoding="utf-8")
    return html.unescape(markup[markup.rindex("About this report") :])


# --- the parameters actually used ----------------------------------------------------------


def test_brief_records_the_topic_and_period_it_resolved(tmp_path):
    """coverage-brief with no topic: the largest topic (data_breaches) is what it used."""
    db = build_fixture_db(tmp_path / "b.duckdb")
    articles = _articles()
    breach_ids = articles.article_id[5:41].tolist()  # 36 articles: more than any other topic
    con = store.connect(db)
    try:
        con.executemany(
            "INSERT INTO article_topics SELECT $1, 'data_breaches', 1, article_key FROM articles"
            " WHERE article_id = $1",
            [[a] for a in breach_ids],
        )
    finally:
        con.close()
    # The default period is the database's dated range, not the topic's (issue 10 §4:
    # the quiet days before a topic's first article show).
    dated = articles[articles.published_at.notna()]
    assert min(dated.published_at) < min(
        articles[articles.article_id.isin(breach_ids)].published_at.dropna()
    )
    first = min(dated.published_at).date()
    last = max(dated.published_at).date()

    result = reports.render_report("coverage-brief", db=db, out=tmp_path / "out", to="html")
    tail = _tail(result)
    assert "topic = None" not in tail
    assert "topic = 'data_breaches'" in tail
    assert f"start = '{first.isoformat()}'" in tail
    assert f"end = '{last.isoformat()}'" in tail
    assert f"{first.isoformat()} to {last.isoformat()} (inclusive)" in tail
    assert result.parameters["topic"] == repr("data_breaches")
    # The record_parameters line is for the analyst's notebook, not the readers' HTML.
    assert "Parameters used:" not in result.html.read_text(encoding="utf-8")
    assert "Parameters used:" in result.notebook.read_text(encoding="utf-8")


# --- identical inputs, identical provenance ---------------------------------------------------


def _write_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True)
    files = {}
    for name, first in (("a.jsonl", 0), ("b.jsonl", 40)):
        lines = [
            json.dumps(
                {
                    "url": f"https://example.com/story/{i}",
                    "title": f"Data breach at registry {i}" if i % 2 else f"Budget note {i}",
                    "published_at": f"2024-03-{1 + i % 28:02d}T08:00:00Z",
                    "body": "A data breach exposed records, officials said. " * 6,
                }
            )
            for i in range(first, first + 40)
        ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[name] = folder / name
    return files


TINY = (
    "import policykit as pk\n"
    "con = pk.connect(db, read_only=True)\n"
    "topic = pk.resolve_topic(con, topic)\n"
    "start, end = pk.report_period(con, topic, start, end)\n"
    "pk.record_parameters(topic=topic, start=start, end=end)\n"
    "pk.show_headline(pk.headline_numbers(con, topic, start, end))"
)


def _build_clone(root: Path, relative: bool, monkeypatch) -> tuple[str, object]:
    """Ingest the same two files in a fresh folder and build the same small report:
    from inside the folder by relative paths, or from outside it by absolute paths."""
    files = _write_inputs(root / "data" / "raw")
    (root / "topics.yml").write_text("data_breaches: 'data breach*'\n", encoding="utf-8")
    notebook = _notebook(
        root / "tiny.ipynb", "db = None\ntopic = None\nstart = None\nend = None", TINY
    )
    db = root / "clone.duckdb"
    if relative:
        monkeypatch.chdir(root)
        monkeypatch.delenv("POLICYKIT_TOPICS", raising=False)
        ingest([Path("data/raw")], db=db, workers=1)
    else:
        elsewhere = root.parent / f"elsewhere-{root.name}"
        elsewhere.mkdir()
        monkeypatch.chdir(elsewhere)
        monkeypatch.setenv("POLICYKIT_TOPICS", str(root / "topics.yml"))
        ingest([files["a.jsonl"].parent.resolve()], db=db, workers=1)
        con = store.connect(db, read_only=True)
        try:  # the paths really are absolute here
            paths = [r[0] for r in con.execute("SELECT source_path FROM ingest_runs").fetchall()]
        finally:
            con.close()
        assert paths and all(Path(p).is_absolute() for p in paths)
    result = reports.render_report(notebook, db=db, out=root / "reports", to="html")
    return _provenance_text(result), result


def test_identical_inputs_give_identical_provenance(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYKIT_TOPICS", raising=False)
    one, first = _build_clone(tmp_path / "clone1", True, monkeypatch)
    two, second = _build_clone(tmp_path / "clone2", False, monkeypatch)

    def without_time(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("Generated:")]

    assert without_time(one) == without_time(two)
    assert first.content_hash == second.content_hash
    # The input files, each with the sha256 of its bytes and its records (= its lines).
    raw = tmp_path / "clone1" / "data" / "raw"
    for name in ("a.jsonl", "b.jsonl"):
        digest = hashlib.sha256((raw / name).read_bytes()).hexdigest()
        lines = (raw / name).read_bytes().count(b"\n")
        assert f"  {name}  {digest[:16]}  {lines}" in one.splitlines()
    assert "Input files: 2 files, 80 records read" in one
    assert (
        "Topic definitions: 1 topics from topics.yml, sha256 "
        + hashlib.sha256((tmp_path / "clone1" / "topics.yml").read_bytes()).hexdigest()
        in one
    )
    assert (
        "topic = 'data_breaches'" in one and f"Database content hash: {first.content_hash}" in one
    )


# --- killed builds leave nothing behind --------------------------------------------------------

SLOW = "import os, pathlib, time\npathlib.Path(mark).write_text(str(os.getpid()))\ntime.sleep(120)"


def _start_build(tmp_path: Path, out: Path) -> tuple[subprocess.Popen, Path]:
    db = tmp_path / "k.duckdb"
    if not db.exists():
        build_fixture_db(db)
    mark = tmp_path / f"kernel-{time.monotonic_ns()}.pid"
    notebook = _notebook(tmp_path / "slow.ipynb", "db = None\nmark = ''", SLOW)
    code = (
        "import sys\nfrom policykit.reports import render_report\n"
        "render_report(sys.argv[1], {'mark': sys.argv[2]}, db=sys.argv[3], out=sys.argv[4],"
        " to='html')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(notebook), str(mark), str(db), str(out)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not mark.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the build did not start: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    return proc, mark


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def _hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def _kill_kernel(mark: Path) -> None:
    with contextlib.suppress(ProcessLookupError, ValueError, OSError):
        os.kill(int(mark.read_text()), signal.SIGKILL)


def test_sigterm_during_a_build_removes_its_folder(tmp_path):
    out = tmp_path / "out"
    proc, mark = _start_build(tmp_path, out)
    try:
        assert len(_hidden(out)) == 1  # the build folder exists while the notebook runs
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        assert _hidden(out) == [] and list(out.iterdir()) == []
        assert _gone(int(mark.read_text()), 30), "the kernel outlived its build"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        _kill_kernel(mark)


def test_a_sigkilled_build_is_swept_by_the_next_build(tmp_path):
    out = tmp_path / "out"
    proc, mark = _start_build(tmp_path, out)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # cannot be caught: the folder stays, for now
        proc.wait(timeout=30)
        leftovers = _hidden(out)
        assert len(leftovers) == 1 and leftovers[0].startswith(".pk-build-slow-")
        assert _gone(int(mark.read_text()), 30), "the kernel outlived its killed build"
    finally:
        _kill_kernel(mark)
    # A folder of the old naming with only this report's files is swept too; a user's
    # hidden folder is not.
    legacy = out / ".tiny-ab12cd34"
    legacy.mkdir()
    (legacy / "tiny.ipynb").write_text("{}")
    mine = out / ".tiny-notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    tiny = _notebook(tmp_path / "tiny.ipynb", "db = None", "1 + 1")
    result = reports.render_report(tiny, db=tmp_path / "k.duckdb", out=out, to="html")
    assert _hidden(out) == [".tiny-notes"]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "tiny.html",
        "tiny.ipynb",
    ]
    assert result.html.exists()


def test_a_live_build_folder_is_not_swept(tmp_path):
    out = tmp_path / "out"
    proc, mark = _start_build(tmp_path, out)
    try:
        tiny = _notebook(tmp_path / "tiny.ipynb", "db = None", "1 + 1")
        reports.render_report(tiny, db=tmp_path / "k.duckdb", out=out, to="html")
        assert len([n for n in _hidden(out) if n.startswith(".pk-build-slow-")]) == 1
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _kill_kernel(mark)


# --- --out ------------------------------------------------------------------------------------


def test_out_into_a_missing_folder_creates_it(tmp_path):
    db = build_fixture_db(tmp_path / "o.duckdb")
    tiny = _notebook(tmp_path / "tiny.ipynb", "db = None", "1 + 1")
    out = tmp_path / "not" / "yet" / "there"
    result = CliRunner().invoke(
        main, ["report", str(tiny), "--to", "html", "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(out / "tiny.ipynb"), str(out / "tiny.html")]
    assert (out / "tiny.html").stat().st_size > 0


@pytest.mark.parametrize("target", ["/dev/full/reports", "/proc/self/x", "FILE"])
def test_out_that_cannot_be_a_folder_is_one_line(tmp_path, target):
    db = build_fixture_db(tmp_path / "o.duckdb")
    tiny = _notebook(tmp_path / "tiny.ipynb", "db = None", "1 + 1")
    if target == "FILE":
        target = str(tmp_path / "a-file")
        Path(target).write_text("x")
    if not Path(target).parent.exists():
        pytest.skip(f"{Path(target).parent} is absent here")
    result = CliRunner().invoke(
        main, ["report", str(tiny), "--to", "html", "--out", target, "--db", str(db)]
    )
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert target in result.output


def test_generated_is_the_only_moving_part():
    block = reports.provenance(
        {"topic": "'ai'"},
        "abc",
        "/x/y.duckdb",
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        period=("2024-01-01", "2024-01-31"),
        inputs=[("/a/raw/x.jsonl", "0" * 64, 3), ("/a/raw/y.jsonl", "1" * 64, 4)],
    )
    other = reports.provenance(
        {"topic": "'ai'"},
        "abc",
        "/elsewhere/y.duckdb",
        dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
        period=("2024-01-01", "2024-01-31"),
        inputs=[("b/raw/x.jsonl", "0" * 64, 3), ("b/raw/y.jsonl", "1" * 64, 4)],
    )
    strip = [ln for ln in block.text.splitlines() if not ln.startswith("Generated")]
    assert strip == [ln for ln in other.text.splitlines() if not ln.startswith("Generated")]
    assert "Input files: 2 files, 7 records read" in block.text
