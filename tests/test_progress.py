"""Progress while ingest and enrichment run, and per-stage timings.

The reporter rules (throttling, short steps, mode choice) run on an injected clock; the
pipeline tests ingest small folders written here and compare what the progress lines say
with counts taken independently (lines written, rows in the database). No timing
assertions: the per-stage timings are checked with a fake clock that only advances
inside each stage's own code.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

import policykit as pk
import policykit.enrich as enrich_mod
from policykit import progress, store
from policykit.cli import main
from policykit.enrich import _work
from policykit.errors import ConfigError


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class TTY(io.StringIO):
    def isatty(self):
        return True


# --------------------------------------------------------------------------- reporter


# (seconds at which the step is updated, its end, the seconds whose line is printed)
THROTTLE_CASES = [
    # short step: nothing at all
    ([0.5, 1.0, 1.5], 1.9, []),
    # a line at most every INTERVAL (5 s) once the step is 2 s old, then its end line
    ([1.0, 2.5, 4.0, 5.0, 6.0, 9.9, 10.0, 12.0], 13.0, [5.0, 10.0, 13.0]),
    # no update for a long time: the next update prints at once
    ([30.0], 31.0, [30.0, 31.0]),
    # exactly MIN_SECONDS long: the end line is printed
    ([], 2.0, [2.0]),
]


@pytest.mark.parametrize(("updates", "end", "printed"), THROTTLE_CASES)
def test_lines_are_throttled_and_short_steps_stay_quiet(updates, end, printed):
    clock, out = FakeClock(), io.StringIO()
    meter = progress.Lines(out, clock=clock)
    step = meter.stage("read", total=len(updates))
    for t in updates:
        clock.now = t
        step.advance(records=10)
    clock.now = end
    step.finish()
    lines = out.getvalue().splitlines()
    assert [_seconds(x) for x in lines] == printed
    if printed:
        assert lines[-1].endswith(f"in {end:.1f} s")
        assert f"read {len(updates)}/{len(updates)} files" in lines[-1]
    if printed and updates:
        assert f"records {10 * len(updates):,}" in lines[-1]


def _seconds(line: str) -> float:
    """The time a line shows: ``(12 s)`` while a step runs, ``in 12.0 s`` at its end."""
    found = re.search(r"\((\d+) s\)$", line) or re.search(r" in ([\d.]+) s$", line)
    return float(found.group(1))


def test_a_failed_step_prints_no_end_line():
    clock, out = FakeClock(), io.StringIO()
    with pytest.raises(RuntimeError), progress.Lines(out, clock=clock).stage("read") as step:
        clock.now = 3.0
        raise RuntimeError("boom")
    assert step.finished and out.getvalue() == ""


def test_event_line_format():
    event = progress.Event("ingest", "read", 240, 670, "files", {"records": 12345, "new": 12001})
    assert event.line() == "ingest: read 240/670 files; records 12,345, new 12,001 (0 s)"
    done = progress.Event("enrich", "topics", 5, None, "articles", {}, 25.14, True)
    assert done.line() == "enrich: topics 5 articles in 25.1 s"


def test_resolve_picks_the_reporter():
    assert not progress.resolve(False).enabled
    assert not progress.resolve(None).enabled
    assert not progress.resolve("off").enabled
    assert type(progress.resolve(True, stream=TTY())) is progress.Bar
    assert type(progress.resolve("auto", stream=io.StringIO())) is progress.Lines
    assert type(progress.resolve("bar")) is progress.Bar
    assert type(progress.resolve("lines")) is progress.Lines
    assert type(progress.resolve(lambda e: None)) is progress.Callback
    mine = progress.Lines()
    assert progress.resolve(mine) is mine
    with pytest.raises(ConfigError, match="progress 'loud'"):
        progress.resolve("loud")


@pytest.mark.parametrize(
    ("quiet", "env", "expected"),
    [
        (False, {}, "auto"),
        (True, {"POLICYKIT_PROGRESS": "lines"}, "off"),
        (False, {"POLICYKIT_PROGRESS": "Lines "}, "lines"),
        (False, {"POLICYKIT_PROGRESS": "off"}, "off"),
        (False, {"POLICYKIT_PROGRESS": ""}, "auto"),
    ],
)
def test_cli_choice(quiet, env, expected):
    assert progress.cli_choice(quiet, env) == expected


def test_cli_choice_refuses_an_unknown_mode():
    with pytest.raises(ConfigError, match="POLICYKIT_PROGRESS='always'"):
        progress.cli_choice(False, {"POLICYKIT_PROGRESS": "always"})


def test_bar_on_a_terminal_ends_with_the_final_line():
    clock, out = FakeClock(), TTY()
    step = progress.Bar(out, clock=clock).stage("read", total=3)
    for t in (1.0, 2.5, 3.0):
        clock.now = t
        step.advance(records=2)
    step.finish()
    assert out.getvalue().splitlines()[-1].endswith("read 3/3 files; records 6 in 3.0 s")


# --------------------------------------------------------------------------- ingest


def _corpus(root, files=3, per_file=40):
    """JSONL files: ``per_file`` records each, every 10th a repeat of the one before it
    (a duplicate), and one unreadable line per file (a reject)."""
    root.mkdir()
    lines_written = 0
    for f in range(files):
        lines = []
        for i in range(per_file):
            n = f * 1000 + (i - 1 if i % 10 == 9 else i)
            lines.append(
                json.dumps(
                    {
                        "url": f"https://www.example.org/news/story-{n}",
                        "title": f"Regulator opens inquiry number {n} into data brokers",
                        "date": "2023-05-04T10:00:00Z",
                        "text": f"Story {n}. The regulator said the inquiry would take months.",
                    }
                )
            )
        lines.append("{not json")
        (root / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        lines_written += len(lines)
    return lines_written


def _final_read_line(stderr: str) -> str:
    lines = [x for x in stderr.splitlines() if x.startswith("ingest: read ")]
    assert lines, stderr
    assert lines[-1].endswith(" s") and " in " in lines[-1]
    return lines[-1]


def test_cli_ingest_without_a_terminal_prints_count_lines_that_match(tmp_path, monkeypatch):
    written = _corpus(tmp_path / "raw")
    db = tmp_path / "p.duckdb"
    # Every update is due and every step long enough: the small corpus shows them all.
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)
    monkeypatch.setenv("POLICYKIT_PROGRESS", "auto")  # conftest turns it off
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "raw"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    final = _final_read_line(result.stderr)
    nums = {k: int(v.replace(",", "")) for k, v in re.findall(r"(\w+) ([\d,]+)", final)}
    con = store.connect(db, read_only=True)
    try:
        stored = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("articles", "duplicates", "rejects")
        }
    finally:
        con.close()
    assert final.startswith("ingest: read 3/3 files; ")
    assert nums["records"] == written == 123
    assert (nums["new"], nums["duplicates"], nums["rejects"]) == (
        stored["articles"],
        stored["duplicates"],
        stored["rejects"],
    )
    assert nums["duplicates"] > 0 and nums["rejects"] == 3
    # earlier lines count up to the final one, never past it
    read_lines = [x for x in result.stderr.splitlines() if x.startswith("ingest: read ")]
    done = [int(re.match(r"ingest: read (\d+)/", x).group(1)) for x in read_lines]
    assert done == sorted(done) and done[-1] == 3 and len(done) >= 2
    # the enrichment stages report their articles
    assert re.search(r"^enrich: topics \d+/\d+ articles", result.stderr, re.M)
    n = stored["articles"]
    assert re.search(
        rf"^enrich: language\+entities\+citations\+clusters {n}/{n} articles; "
        rf"entities {n}, citations {n}, clusters {n}, language {n} in ",
        result.stderr,
        re.M,
    ), result.stderr
    # stdout keeps only the report
    assert "ingest: read" not in result.stdout


def test_cli_quiet_prints_no_progress(tmp_path, monkeypatch):
    _corpus(tmp_path / "raw")
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    monkeypatch.setattr(progress, "MIN_SECONDS", 0.0)
    monkeypatch.setenv("POLICYKIT_PROGRESS", "lines")
    args = ["ingest", str(tmp_path / "raw"), "--db", str(tmp_path / "p.duckdb"), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_python_api_is_quiet_by_default_and_calls_a_callback(tmp_path, capsys):
    written = _corpus(tmp_path / "raw")
    report = pk.ingest(tmp_path / "raw", db=tmp_path / "a.duckdb", enrich=False)
    assert capsys.readouterr().err == ""
    events = []
    _corpus(tmp_path / "raw2")
    report = pk.ingest(
        tmp_path / "raw2", db=tmp_path / "b.duckdb", enrich=False, progress=events.append
    )
    stages = [e.stage for e in events]
    assert {"scan", "hash", "read"} <= set(stages)
    last = [e for e in events if e.stage == "read"][-1]
    assert last.finished and last.done == last.total == 3
    t = report.totals
    assert last.counts == {
        "records": written,
        "new": t["new_articles"],
        "duplicates": t["duplicates"],
        "rejects": t["rejects"],
    }
    # files are counted as they are read, one event each at least
    assert sorted({e.done for e in events if e.stage == "read"}) == [0, 1, 2, 3]


# --------------------------------------------------------------------------- timings


def test_enrich_stage_timings_are_measured_per_stage(tmp_path, monkeypatch):
    _corpus(tmp_path / "raw")
    db = tmp_path / "t.duckdb"
    pk.ingest(tmp_path / "raw", db=db, enrich=False)
    clock = FakeClock()
    monkeypatch.setattr(enrich_mod, "_clock", clock)
    monkeypatch.setattr(_work, "_clock", clock)
    # Each stage's own code costs a different, known amount of fake time per article.
    cost = {"language": 1.0, "entities": 2.0, "citations": 4.0, "clusters": 8.0, "topics": 16.0}
    calls = dict.fromkeys(cost, 0)

    def costly(stage, func):
        def run(*args, **kwargs):
            calls[stage] += 1
            clock.now += cost[stage]
            return func(*args, **kwargs)

        return run

    monkeypatch.setattr(_work, "detect_language", costly("language", _work.detect_language))
    monkeypatch.setattr(_work, "find_entities", costly("entities", _work.find_entities))
    monkeypatch.setattr(_work, "find_citations", costly("citations", _work.find_citations))
    monkeypatch.setattr(_work, "signature", costly("clusters", _work.signature))
    monkeypatch.setattr(enrich_mod, "materialise", costly("topics", enrich_mod.materialise))
    con = store.connect(db)
    try:
        report = enrich_mod.enrich(con, workers=1)
    finally:
        con.close()
    assert all(calls.values()), calls
    for stage in cost:
        assert report.seconds[stage] == pytest.approx(calls[stage] * cost[stage]), stage
    # the old bug: the four Python stages all showed the same elapsed time
    assert len({round(report.seconds[s], 6) for s in cost}) == len(cost)
    text = str(report)
    for stage in ("language", "entities", "citations", "clusters"):
        assert f"in {calls[stage] * cost[stage]:.2f} s" in text


def test_shared_time_is_split_by_the_stages_own_work():
    clock = enrich_mod._StageClock(["entities", "clusters"])
    clock.seconds.update(entities=1.0, clusters=0.5)
    clock.work.update(entities=3.0, clusters=1.0)
    clock.shared = 8.0
    assert clock.split() == {"entities": 7.0, "clusters": 2.5}
    idle = enrich_mod._StageClock(["a", "b"])
    idle.shared = 4.0
    assert idle.split() == {"a": 2.0, "b": 2.0}  # no work measured: an even split


def test_bar_size_on_a_terminal_that_does_not_say_it():
    # tqdm draws nothing when told the terminal has 0 rows (a pseudo-terminal without a
    # size): the bar falls back to 80 x 24 there
    assert progress._width(TTY()) == {"ncols": 80, "nrows": 24}


def test_heartbeat_prints_a_quiet_step_and_stops_with_it():
    clock, out = FakeClock(), io.StringIO()
    meter = progress.Lines(out, clock=clock, heartbeat=True)
    step = meter.stage("read", total=10)
    ticker = meter._ticker
    assert ticker is not None and ticker.is_alive()
    step.advance(records=5)
    # the ticker's calls, on the fake clock (the thread's own see the same times)
    for t in (4.0, 6.0, 7.0, 11.0):
        clock.now = t
        meter._tick()
    assert [_seconds(x) for x in out.getvalue().splitlines()] == [6.0, 11.0]
    assert "read 1/10 files; records 5 (6 s)" in out.getvalue()
    clock.now = 12.0
    step.finish()
    ticker.join(timeout=30)
    assert not ticker.is_alive() and meter._ticker is None
    assert out.getvalue().splitlines()[-1].endswith("in 12.0 s")


def test_closing_a_reporter_ends_open_steps_quietly():
    clock, out = FakeClock(), io.StringIO()
    with progress.Lines(out, interval=1000, clock=clock, heartbeat=True) as meter:
        step = meter.stage("hash", total=3)
        ticker = meter._ticker
        clock.now = 30.0
    ticker.join(timeout=30)
    assert step.finished and not ticker.is_alive() and out.getvalue() == ""
    # a reporter without a heartbeat starts no thread
    quiet = progress.Lines(io.StringIO(), clock=clock)
    quiet.stage("read")
    assert quiet._ticker is None


def test_a_bar_drawn_by_the_heartbeat_is_cleared_before_the_final_line():
    # tqdm clears a bar on close only if it drew it itself after its delay; a bar that
    # only the heartbeat's refresh drew (no update since) must not be left in front of
    # the step's final line
    clock, out = FakeClock(), TTY()
    meter = progress.Bar(out, clock=clock)
    step = meter.stage("read", total=10)
    step.advance(records=2)
    clock.now = 3.0
    meter._tick()
    assert "ingest read:" in out.getvalue()  # the bar is on the screen
    step.finish()
    assert out.getvalue().split("\r")[-1] == "ingest: read 1/10 files; records 2 in 3.0 s\n"
