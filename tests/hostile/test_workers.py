"""Page workers: ``--workers`` is capped by cores and memory (and says so), and workers
die with their parent, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from policykit import workers

psutil = pytest.importorskip("psutil")

PAGE = (
    "<html><head><title>Story {n} about privacy</title></head><body><article>"
    "<h1>Story {n} about privacy</h1><p>"
    + "Regulators said the platform broke the data protection law in case {n}. " * 12
    + "</p></article></body></html>"
)


def test_requests_are_capped_by_cores_and_memory(monkeypatch):
    monkeypatch.setattr(workers, "available_cores", lambda: 4)
    monkeypatch.setattr(workers, "available_memory", lambda: 64 * 2**30)
    assert workers.capped_workers(2) == (2, None)
    assert workers.capped_workers(4) == (4, None)
    used, note = workers.capped_workers(200)
    assert used == 4 and "--workers 200 capped to 4" in note and "4 cores" in note
    # 1 GB available at 300 MB per worker: 3 workers, whatever the cores.
    monkeypatch.setattr(workers, "available_memory", lambda: 10**9)
    used, note = workers.capped_workers(0)
    assert used == 10**9 // workers.WORKER_MEMORY_BUDGET == 3
    assert "one worker per core capped to 3" in note and "0.9 GB available" in note
    monkeypatch.setattr(workers, "available_memory", lambda: 0)
    assert workers.capped_workers(100_000)[0] == 1


def test_the_cap_is_said_once_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(workers, "available_cores", lambda: 2)
    monkeypatch.setattr(workers, "available_memory", lambda: 64 * 2**30)
    monkeypatch.setattr(workers, "_NOTED", set())
    assert workers.worker_count(500) == 2
    assert workers.worker_count(500) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "policykit: --workers 500 capped to 2 worker(s): 2 cores, 64.0 GB available at 300 MB per worker"
    ]
    assert workers.worker_count(1) == 1
    assert capsys.readouterr().err == ""


def test_workers_200_on_20_pages_is_capped_and_bounded(tmp_path, measure):
    raw = tmp_path / "raw"
    raw.mkdir()
    for n in range(20):
        (raw / f"story{n}.html").write_text(PAGE.format(n=n), encoding="utf-8")
    db = tmp_path / "pk.duckdb"
    cores = workers.available_cores()
    # The watchdog sums RSS over the tree, counting the pages forked workers share once
    # per worker: allow for one worker per core on a big machine.
    ceiling = max(4096, 400 * min(cores, 20) + 1024)
    run = measure.policykit(
        "ingest",
        raw,
        "--db",
        db,
        "--no-enrich",
        "--workers",
        "200",
        cwd=tmp_path,
        timeout=300,
        ceiling_mb=ceiling,
    )
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    notes = [line for line in run.stderr.splitlines() if "capped to" in line]
    assert len(notes) == 1 and notes[0].startswith("policykit: --workers 200 capped to ")
    used = int(notes[0].split("capped to ")[1].split()[0])
    assert 1 <= used <= cores


_ORPHAN_SCRIPT = """
import sys, time
from policykit.sources.pages import ordered_map

def slow(x):
    time.sleep(120)
    return x

print("started", flush=True)
for _ in ordered_map(slow, range(50), 2, lambda item, exc: None, warm=True):
    pass
"""


def _live_children(pid: int, timeout: float) -> list:
    """The worker processes of ``pid`` once there are two, else what there is."""
    deadline = time.monotonic() + timeout
    kids = []
    while time.monotonic() < deadline:
        try:
            kids = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        if len(kids) >= 2:
            return kids
        time.sleep(0.2)
    return kids


def _alive(procs) -> list:
    out = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except psutil.NoSuchProcess:
            continue
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork workers: Linux")
def test_sigkill_of_the_parent_leaves_no_orphan_workers():
    import subprocess

    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = []
    try:
        workers = _live_children(parent.pid, timeout=120)
        assert len(workers) >= 2, "the pool never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(workers) == [], "workers outlived their parent"
    finally:
        for proc in _alive(workers):
            proc.kill()
        if parent.poll() is None:
            parent.kill()
