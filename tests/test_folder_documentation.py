"""A folder's own documentation (README, LICENSE, SOURCE.md) is refused with a reason
while walking a folder, never loaded as a text-dump "article"; pages saved under other
names (including Markdown dumps) still load."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from policykit import ingest
from policykit.sources.dispatch import is_folder_documentation, scan_inputs

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

DOCUMENTATION = [
    "README.md",
    "readme.txt",
    "README",
    "LICENSE",
    "LICENSE.upstream",
    "LICENCE.txt",
    "COPYING",
    "SOURCE.md",
    "CHANGELOG.rst",
    "CITATION.cff",
    "README_en.md",
    "License-upstream.md",
]
ARTICLES = [
    "sourcecode-leak.txt",  # a slug that starts with 'source'
    "readme-and-weep.html",
    "article.md",  # a Markdown dump
    "license-plate-readers.txt",
    "README.jsonl",  # data, whatever its name
    "SOURCE.csv",
    "notes.md",
]


@pytest.mark.parametrize("name", DOCUMENTATION)
def test_documentation_names(name):
    assert is_folder_documentation(name)


@pytest.mark.parametrize("name", ARTICLES)
def test_article_names(name):
    assert not is_folder_documentation(name)


BODY = "Facial recognition rules\n\n" + "The city council voted on the new rules. " * 20


def test_scan_refuses_documentation_and_reads_it_when_named(tmp_path):
    for name in ("README.md", "LICENSE", "article.md", "story.txt"):
        (tmp_path / name).write_text(BODY, encoding="utf-8")
    scan = scan_inputs([tmp_path])
    assert sorted(p.name for p in scan.files) == ["article.md", "story.txt"]
    assert {r.path.name: r.reason for r in scan.refused} == {
        "README.md": "folder_documentation",
        "LICENSE": "folder_documentation",
    }
    # Named on the command line, the user chose it: read.
    named = scan_inputs([tmp_path / "README.md"])
    assert [p.name for p in named.files] == ["README.md"] and not named.refused


@pytest.mark.skipif(
    not (EVAL / "mediacloud_search_hantavirus").is_dir(), reason="../shared/eval absent"
)
def test_real_export_folder_loads_only_its_csv(tmp_path):
    folder = EVAL / "mediacloud_search_hantavirus"
    data = [p for p in folder.iterdir() if p.suffix == ".csv"]
    docs = sorted(p.name for p in folder.iterdir() if p.suffix != ".csv")
    assert docs  # SOURCE.md and LICENSE.upstream sit beside the CSV
    db = tmp_path / "pk.duckdb"
    ingest(folder, db, enrich=False)
    with open(data[0], newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))  # independent count
    con = duckdb.connect(str(db), read_only=True)
    try:
        paths = {r[0] for r in con.execute("SELECT DISTINCT source_path FROM articles").fetchall()}
        assert all(p.endswith(".csv") for p in paths), paths
        refused = con.execute(
            "SELECT source_path, reason FROM rejects WHERE reason = "
            "'folder_documentation' ORDER BY 1"
        ).fetchall()
        assert sorted(Path(p).name for p, _ in refused) == docs
        read = con.execute(
            "SELECT sum(records_read) FROM ingest_runs WHERE source_path LIKE '%.csv'"
        ).fetchone()[0]
    finally:
        con.close()
    assert read == rows
