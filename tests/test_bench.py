"""The benchmark harness: small runs, real subprocesses, real numbers in the JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from bench.__main__ import main  # noqa: E402

try:
    from policykit.ingest import ingest  # noqa: F401

    HAVE_INGEST = True
except ImportError:
    HAVE_INGEST = False


def _run(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "bench.json"
    code = main([*args, "--data-dir", str(tmp_path / "data"), "--json", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.skipif(not HAVE_INGEST, reason="policykit.ingest.ingest is not available yet")
def test_w1_small_run_accounts_for_every_record(tmp_path, capsys):
    code, report = _run(tmp_path, "--only", "W1", "--size", "2000", "--repeat", "1")
    assert code == 0
    w1, b1 = report["workloads"]["W1"], report["workloads"]["B1"]  # the baseline runs too
    run = w1["runs"][0]
    assert "error" not in run, run
    assert run["records"] == 2000
    assert run["new_articles"] + run["duplicates"] + run["rejects"] == 2000
    assert 1_900 <= run["new_articles"] < 2000  # the generator repeats about 3% of articles
    assert run["records_per_s"] == pytest.approx(2000 / run["seconds"])
    assert b1["median"]["records"] == 2000
    assert w1["median"]["x_baseline"] == pytest.approx(
        w1["median"]["seconds"] / b1["median"]["seconds"]
    )
    assert run["peak_rss_mb"] > 20 and run["cpu_s"] > 0
    checked = {t["metric"]: t for t in w1["targets"]}
    assert set(checked) == {"records_per_s", "peak_rss_mb", "x_baseline"}
    assert all(isinstance(t["pass"], bool) for t in checked.values())
    printed = capsys.readouterr().out
    assert "records_per_s" in printed and ">= 100000" in printed
    # the input is cached by size and seed, so a second run reuses it
    cached = list((tmp_path / "data").glob("metadata-v*-2000-*.jsonl"))
    assert len(cached) == 1


def test_generator_workload_and_machine_info(tmp_path):
    code, report = _run(tmp_path, "--only", "G1", "--size", "1000", "--repeat", "3")
    assert code == 0
    g1 = report["workloads"]["G1"]
    assert len(g1["runs"]) == 3 and all("error" not in r for r in g1["runs"])
    assert 350 < g1["median"]["bytes_per_record"] < 700
    times = sorted(r["seconds"] for r in g1["runs"])
    assert g1["median"]["seconds"] == times[1]
    assert report["machine"]["cpus"] >= 1 and report["args"]["repeat"] == 3
    assert not list((tmp_path / "data" / "tmp").iterdir())  # scratch folders are removed


def test_a_new_workload_is_one_decorated_function(tmp_path, monkeypatch):
    module = tmp_path / "extra_bench.py"
    module.write_text(
        "from bench import Target, WorkloadUnavailable, workload\n"
        "@workload('X1', 'sum a range', default_size=1000, targets=[Target('total', '>=', 1)],\n"
        "          repeat=2)\n"
        "def x1(ctx):\n"
        "    return {'seconds': 0.001, 'total': sum(range(ctx.size))}\n"
        "@workload('X2', 'needs a module that is missing', default_size=1)\n"
        "def x2(ctx):\n"
        "    raise WorkloadUnavailable('policykit.nothing is not available')\n"
        "@workload('X3', 'crashes', default_size=1)\n"
        "def x3(ctx):\n"
        "    raise RuntimeError('boom')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("BENCH_MODULES", "extra_bench")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, report = _run(tmp_path, "--only", "X1,X2", "--scale", "0.01")
    assert code == 0  # an unavailable workload is reported, not a failure
    x1 = report["workloads"]["X1"]
    assert x1["size"] == 10 and x1["median"]["total"] == 45
    assert x1["repeat"] == 2 and len(x1["runs"]) == 2  # the workload's own default
    assert x1["targets"][0]["pass"] is True
    x2 = report["workloads"]["X2"]
    assert len(x2["runs"]) == 1 and "policykit.nothing" in x2["runs"][0]["error"]
    code, report = _run(tmp_path, "--only", "X3", "--repeat", "1")
    assert code == 1 and "RuntimeError: boom" in report["workloads"]["X3"]["runs"][0]["error"]


def test_unknown_workload_names_the_choices(tmp_path):
    with pytest.raises(SystemExit, match="'W9' is not one of .*W1"):
        main(["--only", "W9", "--data-dir", str(tmp_path)])


def test_list_names_every_workload_with_its_default_runs(capsys):
    assert main(["--list"]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert {"B1", "W1", "W2", "W3", "W4", "W5", "W6"} <= set(listed)
    assert "default size 10,000,000, 3 runs" in listed["W3"]
    assert "default size 990, 1 runs" in listed["W2"]


def test_w3_small_run_compares_with_pandas_on_the_same_numbers(tmp_path):
    code, report = _run(tmp_path, "--only", "W3", "--size", "3000", "--repeat", "1")
    assert code == 0
    w3 = report["workloads"]["W3"]
    run = w3["runs"][0]
    assert "error" not in run, run
    assert len(w3["runs"]) == 1 and run["same_numbers"] == 1
    assert run["x_pandas_coverage"] == pytest.approx(run["pandas_coverage_s"] / run["coverage_s"])
    assert run["seconds"] == pytest.approx(run["coverage_s"] + run["outlet_mix_s"])
    checked = {t["metric"] for t in w3["targets"]}
    assert checked == {
        "coverage_s", "outlet_mix_s", "x_pandas_coverage", "x_pandas_outlet_mix", "same_numbers"
    }  # fmt: skip
    assert list((tmp_path / "data").glob("w3-articles-3000.duckdb"))  # built once, cached


@pytest.mark.skipif(
    not (SHARED / "eval" / "trafilatura_eval" / "pages").is_dir(),
    reason="W2 reads ../shared/eval/trafilatura_eval/pages, absent here",
)
def test_w2_small_run_times_three_ways_on_the_same_pages(tmp_path):
    code, report = _run(tmp_path, "--only", "W2", "--size", "12")
    assert code == 0
    run = report["workloads"]["W2"]["runs"][0]
    assert "error" not in run, run
    assert run["pages"] == 12 and 0 < run["files_with_body"] <= 12
    assert run["x_trafilatura"] == pytest.approx(run["trafilatura_s"] / run["seconds"])
    assert run["x_single"] == pytest.approx(run["single_s"] / run["seconds"])
    assert run["peak_mb_parallel"] > 0
