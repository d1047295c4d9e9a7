"""Installs that work outside the Makefile (issue 9, item 13), offline.

* The dependency list in pyproject.toml names every third-party module the package
  imports (an AST scan of src/policykit, each module mapped to the distribution that
  installs it), directly or through a declared dependency's own requirements; and
  ``lxml_html_clean`` directly, not through an extra that lxml no longer declares.
* The built package (a wheel when the ``wheel`` package is there, else setuptools'
  build_py, which is what a wheel's contents are built from) holds every file under
  sql/, templates/, styles/ and data/: compared with an independent listing of the source
  tree.
* That built copy, imported instead of the source tree, ingests an HTML page, a text
  dump and a JSONL file.

The networked check (a real ``pip install .`` into a fresh venv, without the lock) is
``make install-check``; it is not part of ``make test``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata, util
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "policykit"
DATA_DIRS = ("sql", "templates", "styles", "data")

pytestmark = pytest.mark.slow


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


def _closure(requirements: list[Requirement]) -> set[str]:
    """Canonical names of the declared distributions and everything they require,
    following requested extras, as the installed metadata says."""
    seen: set[str] = set()
    todo = [(r, frozenset(r.extras)) for r in requirements]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            sub = Requirement(text)
            envs = [{**default_environment(), "extra": e} for e in ("", *extras)]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append((sub, frozenset(sub.extras)))
    return {k.split("[")[0] for k in seen}


def _imports() -> dict[str, set[str]]:
    """Absolute imports of src/policykit: dotted module name -> files importing it."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _owner(module: str) -> set[str]:
    """Distributions whose files include the module's own file (lxml.html.clean may be
    a different distribution from lxml)."""
    top = module.split(".")[0]
    owners = {canonicalize_name(d) for d in metadata.packages_distributions().get(top, [])}
    if len(owners) <= 1:
        return owners
    try:
        spec = util.find_spec(module)  # imports the parent packages: only when needed
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return owners
    origin = Path(spec.origin).resolve()
    exact = set()
    for dist in owners:
        for file in metadata.distribution(dist).files or []:
            if Path(file.locate()).resolve() == origin:
                exact.add(dist)
    return exact or owners


def test_lxml_html_clean_is_a_direct_dependency():
    names = {canonicalize_name(r.name): r for r in _declared()}
    assert "lxml-html-clean" in names
    assert not names["lxml"].extras, "lxml[...] extras: lxml no longer declares html_clean"


def _optional() -> set[str]:
    """Distributions of the user-facing extras (not dev): imported only when asked for,
    so they may be absent here (spaCy for enrich(entities="spacy"))."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return {
        canonicalize_name(Requirement(r).name)
        for name, reqs in extras.items()
        if name != "dev"
        for r in reqs
    }


def test_every_third_party_import_is_declared():
    allowed = _closure(_declared())
    optional = _optional()
    missing = {}
    for module, files in sorted(_imports().items()):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top == "policykit" or top == "__future__":
            continue
        owners = _owner(module)
        if not owners and canonicalize_name(top) in optional:
            continue  # an extra the user installs; the import names what to install
        if not owners:
            missing[module] = ("not installed", sorted(files))
        elif not owners & allowed:
            missing[module] = (sorted(owners), sorted(files))
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"


def test_the_html_cleaner_imports():
    # What trafilatura/jusText need for every HTML page.
    import lxml.html.clean  # noqa: F401


def _source_data_files() -> set[str]:
    files = set()
    for folder in DATA_DIRS:
        for dirpath, dirnames, filenames in os.walk(SRC / folder):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if name.endswith((".pyc", ".pyo")):
                    continue
                rel = Path(dirpath, name).relative_to(SRC.parent)
                files.add(rel.as_posix())
    return files


def _tracked_data_files() -> set[str] | None:
    """The same listing from git (what a clone has), or None outside a git checkout."""
    out = subprocess.run(
        ["git", "ls-files", *[f"src/policykit/{d}" for d in DATA_DIRS]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return None
    return {line.removeprefix("src/") for line in out.stdout.splitlines() if line}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The package as built for installation: a wheel's contents, unpacked."""
    out = tmp_path_factory.mktemp("built")
    # Build from a copy: a build writes egg-info and build/ folders beside the sources.
    project = out / "project"
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    if util.find_spec("wheel") is not None:
        wheels = out / "wheels"
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "-q", "-w", str(wheels), str(project)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        (wheel,) = wheels.glob("policykit-*.whl")
        lib = out / "lib"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(lib)
        return lib
    # No `wheel` package offline: build_py is the step whose output a wheel packs.
    lib = out / "lib"
    script = (
        "import sys; from setuptools import setup; "
        "setup(script_args=['-q', 'build_py', '--build-lib', sys.argv[1]])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(lib)],
        cwd=project, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return lib


def test_package_data_is_complete(built):
    expected = _source_data_files()
    assert len(expected) > 20  # the listing itself found the data
    tracked = _tracked_data_files()
    if tracked is not None:
        # every tracked data file is in the source listing (and so must be built)
        assert tracked <= expected
    got = {
        p.relative_to(built).as_posix()
        for p in (built / "policykit").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    missing = sorted(f for f in expected if f not in got)
    assert missing == [], f"package data missing from the built package: {missing}"
    modules = {p.relative_to(SRC.parent).as_posix() for p in SRC.rglob("*.py")}
    assert sorted(modules - got) == []


def _inputs(folder: Path) -> dict[str, int]:
    """A page, a dump and a JSONL file; returns file name -> records it holds."""
    folder.mkdir()
    sentence = "The data protection board issued its first orders on consent notices today. "
    (folder / "page.html").write_text(
        "<html><head><title>Board issues consent orders | Example News</title>"
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<link rel="canonical" href="https://news.example.in/2024/03/05/board-orders"></head>'
        "<body><article><h1>Board issues consent orders</h1>"
        + "".join(f"<p>{sentence}Paragraph {i}.</p>" for i in range(8))
        + "</article></body></html>",
        encoding="utf-8",
    )
    (folder / "dump.txt").write_text(
        "Court hears the privacy petition\n\n" + sentence * 6, encoding="utf-8"
    )
    records = [
        {
            "url": f"https://news.example.in/2024/03/0{i}/story-{i}",
            "title": f"Story {i} on the telecom bill and privacy",
            "published": f"2024-03-0{i}T10:00:00Z",
        }
        for i in range(1, 4)
    ]
    (folder / "items.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    return {"page.html": 1, "dump.txt": 1, "items.jsonl": len(records)}


def test_the_built_package_ingests_a_page_a_dump_and_jsonl(built, tmp_path):
    expected = _inputs(tmp_path / "raw")
    env = {**os.environ, "PYTHONPATH": str(built), "POLICYKIT_DB": str(tmp_path / "db.duckdb")}
    env.pop("POLICYKIT_OUTLETS", None)
    where = subprocess.run(
        [sys.executable, "-c", "import policykit; print(policykit.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # the built copy is what runs, not the source tree
    assert Path(where).resolve().is_relative_to(built.resolve())
    code = (
        "import json, policykit.ingest as i; r = i.ingest(['raw'], enrich=False); "
        "print(json.dumps({__import__('os').path.basename(f.path): "
        "[f.status, f.records_read, f.new_articles] for f in r.files}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    files = json.loads(out.stdout.strip().splitlines()[-1])
    assert {name: files[name][1] for name in expected} == expected
    assert {name: files[name][2] for name in expected} == expected
    assert all(files[name][0] == "loaded" for name in expected)


def test_install_check_target_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^install-check:", makefile, re.M)
