"""docs/schema.md covers the database, and the database nothing more (issue 10, item 5).

A fresh database (every migration, the views installed, then a small ingest with
enrichment, in case a stage creates a table of its own) is listed from DuckDB's
information_schema, and docs/schema.md is parsed: each ``###`` heading names the tables
or views it documents in backticks, and its section names their columns in backticks
(in a column table, in a list, or as a signature like ``name(a, b, c)``). Compared in
both directions: every table, view and column is documented; every documented table
or view exists, and every name in the first cell of a column table is one of its
columns. Headings under ``## Views`` must be views, the others base tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import policykit as pk
from policykit import store

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def parse_doc(text: str) -> dict[str, dict]:
    """``{object: {"kind": "view" | "table", "columns": set, "listed": set}}``:
    ``columns`` are the identifiers named in backticks in the object's section,
    ``listed`` those in the first cell of its column tables."""
    objects: dict[str, dict] = {}
    lines = text.splitlines()
    part = ""
    i = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        i += 1
        if match is None:
            continue
        level, title = len(match.group(1)), match.group(2)
        if level <= 2:
            part = title.strip().lower()
            continue
        if level != 3:
            continue
        names = re.findall(rf"`({_IDENT})`", title.split(":")[0])
        body = []
        while i < len(lines):
            nxt = _HEADING.match(lines[i])
            if nxt and len(nxt.group(1)) <= 3 and not _in_code(lines, i):
                break
            body.append(lines[i])
            i += 1
        columns, listed = section_columns("\n".join(body))
        for name in names:
            objects[name] = {
                "kind": "view" if part == "views" else "table",
                "columns": columns,
                "listed": listed,
            }
    return objects


def _in_code(lines: list[str], index: int) -> bool:
    return sum(1 for line in lines[:index] if line.startswith("```")) % 2 == 1


def section_columns(body: str) -> tuple[set[str], set[str]]:
    """The identifiers a section names in backticks (a signature ``t(a, b)`` names its
    arguments), and those in the first cell of its table rows."""
    body = re.sub(r"(?ms)^```.*?^```", "", body)  # code blocks name no columns
    names: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", body):
        signature = re.fullmatch(rf"({_IDENT})\((.*)\)", span.strip())
        if signature:
            names.update(a.strip() for a in signature.group(2).split(",") if a.strip())
        elif re.fullmatch(_IDENT, span.strip()):
            names.add(span.strip())
    listed: set[str] = set()
    for line in body.splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            first = line.split("|")[1]
            listed.update(re.findall(rf"`({_IDENT})`", first))
    return names, listed


# --------------------------------------------------------------------------- the parser


PARSER_CASES = [
    # a column table: names in the first cell, several per cell
    (
        "## Tables\n### `t`: rows\n| column | rule |\n|---|---|\n| `a`, `b` | x `c` |\n",
        {"t": ("table", {"a", "b", "c"}, {"a", "b"})},
    ),
    # a heading naming two tables, a signature, a view part
    (
        "## Tables\n### `x` and `y`\n`x(p, q)` and `r`.\n## Views\n### `v`: a view\n`k`, `l`\n",
        {
            "x": ("table", {"p", "q", "r"}, set()),
            "y": ("table", {"p", "q", "r"}, set()),
            "v": ("view", {"k", "l"}, set()),
        },
    ),
    # a heading without a backticked name documents nothing; code blocks are skipped
    (
        "## Tables\n### Notes\n`n`\n### `t`\n```sql\n### `fake`\n```\n`m`\n",
        {"t": ("table", {"m"}, set())},
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARSER_CASES)
def test_parser(text, expected):
    got = parse_doc(text)
    assert {k: (v["kind"], v["columns"], v["listed"]) for k, v in got.items()} == expected


# --------------------------------------------------------------------------- the database


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> dict[str, dict]:
    """``{object: {"kind": ..., "columns": [...]}}`` of a migrated, ingested, enriched
    database."""
    root = tmp_path_factory.mktemp("schema")
    raw = root / "raw"
    raw.mkdir()
    records = [
        {
            "url": f"https://www.example.org/2024/05/0{i}/regulator-fines-broker-{i}",
            "title": f"Regulator fines data broker over leak, Reuters reported {i}",
            "date": f"2024-05-0{i}T09:00:00Z",
            "text": "The regulator fined the broker, Reuters reported. " * 12,
        }
        for i in range(1, 4)
    ]
    (raw / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    db = root / "s.duckdb"
    pk.ingest(raw, db=db)
    con = store.connect(db, read_only=True)
    try:
        objects = {
            name: {"kind": "view" if kind == "VIEW" else "table", "columns": []}
            for name, kind in con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_catalog = current_database()"
            ).fetchall()
        }
        for name, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_catalog = current_database() "
            "ORDER BY table_name, ordinal_position"
        ).fetchall():
            objects[name]["columns"].append(column)
    finally:
        con.close()
    # the listing itself found the database (independent of the doc)
    assert {"articles", "rejects", "story_clusters", "article_facts"} <= set(objects)
    return objects


@pytest.fixture(scope="module")
def documented() -> dict[str, dict]:
    return parse_doc(DOC.read_text(encoding="utf-8"))


def test_every_table_and_view_is_documented(database, documented):
    missing = sorted(set(database) - set(documented))
    assert not missing, f"docs/schema.md has no section for: {', '.join(missing)}"


def test_every_documented_table_or_view_exists(database, documented):
    extra = sorted(set(documented) - set(database))
    assert not extra, f"docs/schema.md documents what the database lacks: {', '.join(extra)}"


def test_every_column_is_documented(database, documented):
    missing = {
        name: [c for c in spec["columns"] if c not in documented[name]["columns"]]
        for name, spec in database.items()
        if name in documented
    }
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"columns missing from docs/schema.md: {missing}"


def test_documented_columns_exist(database, documented):
    wrong = {
        name: sorted(spec["listed"] - set(database[name]["columns"]))
        for name, spec in documented.items()
        if name in database
    }
    # a section naming two tables lists the columns of both
    for name, spec in documented.items():
        siblings = [o for o, s in documented.items() if s["listed"] is spec["listed"]]
        if name in wrong and len(siblings) > 1:
            union = set().union(*(database.get(o, {"columns": []})["columns"] for o in siblings))
            wrong[name] = sorted(spec["listed"] - union)
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"docs/schema.md column tables name columns that do not exist: {wrong}"


def test_views_and_tables_are_documented_as_what_they_are(database, documented):
    kinds = {
        name: (spec["kind"], database[name]["kind"])
        for name, spec in documented.items()
        if name in database and spec["kind"] != database[name]["kind"]
    }
    assert not kinds, f"(documented as, is): {kinds}"
