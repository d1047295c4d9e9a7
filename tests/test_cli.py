"""The CLI mirrors the API: every command documented, errors on one line with exit 2."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from policykit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "policykit"):
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        yield full, command
        if isinstance(command, click.Group):
            yield from _commands(command, full)


ALL = list(_commands(main))


def _docs_text() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(parts)


@pytest.mark.parametrize("full,command", ALL, ids=[c[0] for c in ALL])
def test_every_command_has_help_and_is_documented(full, command):
    assert (command.help or "").strip(), f"{full} has no help text"
    result = CliRunner().invoke(main, [*full.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert full in _docs_text(), f"`{full}` is not mentioned in README.md or docs/*.md"


def test_core_commands_exist():
    names = {c[0] for c in ALL}
    assert {"policykit ingest", "policykit sql", "policykit info", "policykit demo"} <= names


def test_usage_errors_are_one_line_exit_2(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(
        main, ["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]
    )
    assert missing.exit_code == 2
    assert "nope" in missing.output
    assert "Traceback" not in missing.output
    bad_map = runner.invoke(
        main, ["ingest", str(tmp_path), "--map", "published", "--db", str(tmp_path / "x.db")]
    )
    assert bad_map.exit_code == 2
    assert "FIELD=SOURCE" in bad_map.output


def test_sql_on_missing_database_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["sql", "select 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
