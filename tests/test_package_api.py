"""`pk.ingest`, `pk.enrich` and `pk.demo` stay callable once their modules are imported.

Importing ``policykit.ingest`` sets the module as an attribute of the package, which used
to hide the lazily exported function: ``pk.ingest(...)`` then failed with "module is not
callable" in any process that had also loaded the CLI or a trend helper.
"""

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("name", ["ingest", "enrich", "demo"])
def test_export_stays_callable_after_its_module_is_imported(name):
    code = (
        "import importlib, policykit as pk\n"
        f"importlib.import_module('policykit.{name}')\n"
        f"assert callable(pk.{name}), type(pk.{name})\n"
        # the module itself is still a module, for `import policykit.X as M; M.helper`
        f"import policykit.{name} as M\n"
        "assert hasattr(M, '__file__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_ingest_through_the_package_after_the_cli_is_loaded(tmp_path):
    import policykit as pk
    import policykit.cli  # noqa: F401  (loads policykit.ingest and policykit.enrich)

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(
        '{"url": "https://example.com/a", "title": "Hello world", "published": "2024-01-02"}\n'
        '{"url": "https://example.com/b", "title": "Second story", "published": "2024-01-03"}\n'
    )
    report = pk.ingest(raw, db=tmp_path / "x.duckdb", enrich=False)
    assert report.totals["records_read"] == 2
    assert report.totals["new_articles"] == 2


def test_ingest_workers_also_size_the_enrichment(tmp_path, monkeypatch):
    # `policykit ingest --workers N` used to reach only the page readers: the enrichment
    # it ran took its pool size from the settings alone.
    # The modules from sys.modules: `import policykit.ingest as M` reads the package's
    # attribute first, which is the exported function once `pk.ingest` was looked up
    # before the module was imported (the order of the tests decides), not the module.
    enrich_module = importlib.import_module("policykit.enrich")
    ingest_module = importlib.import_module("policykit.ingest")

    seen = {}

    def record(con, **kwargs):
        seen.update(kwargs)

    monkeypatch.setattr(enrich_module, "enrich", record)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text('{"url": "https://example.com/a", "title": "One story"}\n')
    monkeypatch.setenv("POLICYKIT_WORKERS", "2")
    ingest_module.ingest(raw, db=tmp_path / "x.duckdb", workers=1)
    assert seen["workers"] == 1
