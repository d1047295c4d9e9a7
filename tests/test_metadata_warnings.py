"""Packaging metadata builds without warnings (issue 10, item 5).

setuptools deprecated the ``license = { text = "MIT" }`` table (PEP 639): every
``pip install -e .`` printed a deprecation block. pyproject.toml now says
``license = "MIT"`` (an SPDX expression) and requires a setuptools that reads it. The
metadata is built here with the installed setuptools, offline, from a copy of the
project, and its output must not mention a deprecation.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _setuptools_requirement() -> Requirement:
    (req,) = [
        Requirement(r) for r in PROJECT["build-system"]["requires"] if r.startswith("setuptools")
    ]
    return req


def test_license_is_an_spdx_expression_and_setuptools_can_read_it():
    assert PROJECT["project"]["license"] == "MIT"
    req = _setuptools_requirement()
    # PEP 639 license expressions are read from setuptools 77 on.
    assert not req.specifier.contains("76.9")
    assert req.specifier.contains("77.0")
    installed = Version(metadata.version("setuptools"))
    assert req.specifier.contains(installed), (
        f"the environment's setuptools {installed} is older than pyproject.toml needs "
        f"({req}): pip install 'setuptools{req.specifier}'"
    )


def test_metadata_builds_without_a_deprecation_warning(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    script = (
        "import sys; from setuptools import setup; "
        "setup(script_args=['egg_info', '--egg-base', sys.argv[1]])"
    )
    out = subprocess.run(
        [sys.executable, "-W", "default", "-c", script, str(tmp_path)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    said = (out.stdout + out.stderr).lower()
    assert "deprecat" not in said, out.stderr[-3000:]
    info = (tmp_path / "policykit.egg-info" / "PKG-INFO").read_text(encoding="utf-8")
    assert "License-Expression: MIT" in info.splitlines()
