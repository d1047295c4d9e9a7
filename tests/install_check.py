"""`make install-check`: install policykit the way a library user does, and use it.

A fresh venv in a temporary folder, ``pip install <repo>`` from PyPI with pyproject.toml
alone (no requirements.lock, no editable install), then the installed ``policykit``
ingests an HTML page, a text dump and a JSONL file from another folder. Fails on a pip
warning about a missing extra, on a traceback, or on counts that differ from what the
inputs hold. Needs the network (PyPI); not part of ``make test``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_install import _inputs  # noqa: E402  (the same inputs as the offline test)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="policykit-install-") as tmp:
        tmp = Path(tmp)
        venv = tmp / "venv"
        started = time.monotonic()
        _run([sys.executable, "-m", "venv", str(venv)]).check_returncode()
        py = venv / "bin" / "python"
        _run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"]).check_returncode()
        pip = _run([py, "-m", "pip", "install", str(ROOT)])
        output = pip.stdout + pip.stderr
        if pip.returncode != 0:
            print(output[-4000:])
            return 1
        warnings = [line for line in output.splitlines() if "WARNING" in line]
        extra = [w for w in warnings if "does not provide the extra" in w]
        print(
            f"pip install . took {time.monotonic() - started:.0f} s; {len(warnings)} pip warnings,"
            f" {len(extra)} about a missing extra: {extra or 'none'}"
        )
        if extra:
            return 1
        check = _run([py, "-c", "import lxml.html.clean, policykit; print(policykit.__file__)"])
        print(check.stdout.strip() or check.stderr.strip())
        if check.returncode != 0 or str(ROOT / "src") in check.stdout:
            return 1
        expected = _inputs(tmp / "raw")
        ingest = _run(
            [venv / "bin" / "policykit", "ingest", "--no-enrich", "--db", tmp / "db.duckdb", "raw"],
            cwd=tmp,
        )
        print(ingest.stdout[-3000:], ingest.stderr[-3000:])
        if ingest.returncode != 0:
            return 1
        code = (
            "import duckdb, json, sys, os; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps({os.path.basename(p): n for p, n in con.execute("
            "'SELECT source_path, count(*) FROM articles GROUP BY 1').fetchall()}))"
        )
        got = json.loads(_run([py, "-c", code, tmp / "db.duckdb"]).stdout)
        print(f"articles per file: {got}; expected: {expected}")
        return 0 if got == expected else 1


if __name__ == "__main__":
    sys.exit(main())
