"""Progress while ``policykit demo`` writes its corpus.

As tests/test_progress.py does for ingest: the CLI's count lines are compared with counts
taken independently from the files written (files on disk, rows of the ground-truth CSV,
unreadable lines of the Scrapy exports), ``--quiet`` prints nothing, the Python API is
quiet unless asked, and progress never changes a byte of the corpus.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import policykit as pk
from policykit import progress
from policykit.cli import main

N = 300


class TTY(io.StringIO):
    def isatty(self):
        return True


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _independent_counts(folder: Path) -> dict[str, int]:
    """Files (not the hidden manifest and truth), records and distinct articles, read
    from the files themselves: every ground-truth row is one record written, and the
    cut-off Scrapy line is one more."""
    visible = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
    with gzip.open(folder / ".truth.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    broken = 0
    for path in folder.glob("scrapy/*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh.read().split("\n"):
                if not line:
                    continue
                try:
                    json.loads(line)
                except ValueError:
                    broken += 1
    return {
        "files": len(visible),
        "records": len(rows) + broken,
        "articles": len({r["article"] for r in rows}),
    }


def _numbers(line: str) -> dict[str, int]:
    return {k: int(v.replace(",", "")) for k, v in re.findall(r"(\w+) ([\d,]+)", line)}


def test_cli_demo_without_a_terminal_prints_count_lines_that_match(tmp_path, monkeypatch):
    # Every update is due and every step long enough: the small corpus shows them all.
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)
    monkeypatch.setenv("POLICYKIT_PROGRESS", "auto")  # conftest turns it off
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--articles", str(N)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    plan = [x for x in lines if x.startswith("demo: plan ")]
    write = [x for x in lines if x.startswith("demo: write ")]
    assert plan and write, result.stderr
    assert re.fullmatch(rf"demo: plan {N}/{N} articles in \d+\.\d s", plan[-1]), plan[-1]
    final = write[-1]
    assert final.startswith(f"demo: write {N}/{N} articles; records ") and " in " in final
    truth = _independent_counts(out)
    nums = _numbers(final.split(" in ")[0])
    assert truth["articles"] == N
    assert nums["records"] == truth["records"] and nums["files"] == truth["files"]
    # earlier lines count up to the final ones, never past them
    for group in (plan, write):
        done = [int(re.match(r"demo: \w+ (\d+)/", x).group(1)) for x in group]
        assert done == sorted(done) and done[-1] == N and len(done) >= 2
    records = [_numbers(x.split(" (")[0]).get("records", 0) for x in write]
    assert records == sorted(records) and records[-1] == truth["records"]
    # the plan ends before the writing starts; stdout keeps only the summary
    assert lines.index(plan[-1]) < lines.index(write[0])
    assert "demo:" not in result.stdout
    assert f"wrote {N} articles in {truth['records']} records" in result.stdout


def test_cli_demo_quiet_prints_no_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)
    monkeypatch.setenv("POLICYKIT_PROGRESS", "lines")
    args = ["demo", "--out", str(tmp_path / "d"), "--articles", str(N), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_cli_demo_refuses_an_unknown_progress_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKIT_PROGRESS", "always")
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--articles", "200"])
    assert result.exit_code == 2
    assert "POLICYKIT_PROGRESS='always'" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "d").exists()


def test_python_api_is_quiet_by_default_and_progress_changes_no_byte(tmp_path, capsys):
    quiet = pk.demo(tmp_path / "a", n_articles=N, seed=5)
    assert capsys.readouterr().err == ""
    events = []
    shown = pk.demo(tmp_path / "b", n_articles=N, seed=5, progress=events.append)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert quiet.records == shown.records
    assert [e.group for e in events] == ["demo"] * len(events)
    assert [s for s in dict.fromkeys(e.stage for e in events)] == ["plan", "write"]
    for stage in ("plan", "write"):
        mine = [e for e in events if e.stage == stage]
        assert [e.done for e in mine] == sorted(e.done for e in mine)
        assert mine[-1].finished and mine[-1].done == mine[-1].total == N
        assert not any(e.finished for e in mine[:-1])
    last = events[-1]
    assert last.counts == {"records": shown.records, "files": len(shown.files)}
    assert _independent_counts(tmp_path / "b")["files"] == len(shown.files)


def test_bar_on_a_terminal_ends_with_the_final_lines(tmp_path):
    out = TTY()
    pk.demo(tmp_path / "c", n_articles=N, progress=progress.Bar(out, min_seconds=0.0))
    text = out.getvalue()
    assert "demo plan:" in text and "demo write:" in text  # tqdm's bars
    ends = [x for x in text.replace("\r", "\n").splitlines() if x.startswith("demo: ")]
    assert [x.split(" ")[1] for x in ends] == ["plan", "write"]
    assert text.split("\r")[-1].startswith(f"demo: write {N}/{N} articles; records ")


@pytest.mark.parametrize("mode", ["lines", "off"])
def test_environment_mode_reaches_the_demo(tmp_path, monkeypatch, mode):
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)
    monkeypatch.setenv("POLICYKIT_PROGRESS", mode)
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--articles", "200"])
    assert result.exit_code == 0, result.output
    said = [x for x in result.stderr.splitlines() if x.startswith("demo: ")]
    assert len(said) == (2 if mode == "lines" else 0), result.stderr
