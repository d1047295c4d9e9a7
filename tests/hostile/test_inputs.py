"""Hostile input folders: the input stays inside the input, odd names, huge dumps and
sidecars. Each case asserts a reject with a reason (or a clean load), no traceback, and
a peak RSS under the ingest budget, measured in a child process."""

from __future__ import annotations

import gzip
import json
import os
import socket
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.sources.dispatch import scan_inputs
from policykit.sources.textdump import MAX_DUMP_BYTES

SECRET = "pk-secret-7f3a9c"  # a marker that must never reach the database

ARTICLE = '{{"url": "https://news.example.org/{n}", "title": "Article number {n} on data"}}\n'
DUMP = (
    "Example Times\nHome | World | Tech\nPrivacy regulators fine a platform\n"
    + (
        "The regulator said the platform had broken the data protection law for years, "
        "and it ordered changes within three months. "
    )
    * 6
    + "\n"
)


def _unique(text: str, key: str) -> str:
    """The dump with a sentence of its own, so no two test dumps are duplicates."""
    return text.replace("for years,", f"for years in the {key} case,")


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _all_text(db: Path) -> str:
    """Every VARCHAR value in every table, as one string: to search for the secret."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        parts = []
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
        ).fetchall():
            parts += [
                str(v[0])
                for v in con.execute(f'SELECT "{column}" FROM "{table}"').fetchall()  # noqa: S608
                if v[0] is not None
            ]
        return "\n".join(parts)
    finally:
        con.close()


def _hostile_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An input folder with one good file and every kind of entry that must not be read;
    returns it with the expected reject reason per entry name."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n" + DUMP, encoding="utf-8")
    (outside / "article.jsonl").write_text(
        json.dumps({"url": "https://x.example/s", "title": SECRET}) + "\n", encoding="utf-8"
    )
    (outside / "folder").mkdir()
    (outside / "folder" / "more.jsonl").write_text(ARTICLE.format(n=99), encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.jsonl").write_text(ARTICLE.format(n=1), encoding="utf-8")
    expected = {}
    (raw / "passwd.txt").symlink_to(outside / "secret.txt")
    expected["passwd.txt"] = "outside_input"
    (raw / "elsewhere.jsonl").symlink_to(outside / "article.jsonl")
    expected["elsewhere.jsonl"] = "outside_input"
    (raw / "linked_folder").symlink_to(outside / "folder", target_is_directory=True)
    expected["linked_folder"] = "outside_input"
    (raw / "dangling.jsonl").symlink_to(tmp_path / "missing.jsonl")
    expected["dangling.jsonl"] = "dangling_link"
    (raw / "loop_a.jsonl").symlink_to(raw / "loop_b.jsonl")
    (raw / "loop_b.jsonl").symlink_to(raw / "loop_a.jsonl")
    expected["loop_a.jsonl"] = expected["loop_b.jsonl"] = "link_loop"
    os.mkfifo(raw / "pipe.jsonl")
    expected["pipe.jsonl"] = "not_a_regular_file"
    if Path("/dev/zero").exists():
        (raw / "zero.txt").symlink_to("/dev/zero")
        expected["zero.txt"] = "outside_input"  # outside first; a device either way
    if Path("/etc/passwd").exists():
        (raw / "etc_passwd.txt").symlink_to("/etc/passwd")
        expected["etc_passwd.txt"] = "outside_input"
    # A socket (AF_UNIX paths are limited to ~107 bytes: bind through a short cwd).
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = Path.cwd()
    try:
        os.chdir(raw)
        sock.bind("sock.jsonl")
        expected["sock.jsonl"] = "not_a_regular_file"
    except OSError:
        pass
    finally:
        os.chdir(here)
        sock.close()
    return raw, expected


def test_scan_refuses_what_leaves_the_input_and_reads_nothing(tmp_path):
    raw, expected = _hostile_folder(tmp_path)
    scan = scan_inputs([raw])
    assert [p.name for p in scan.files] == ["good.jsonl"]
    assert {r.path.name: r.reason for r in scan.refused} == expected
    # Every entry of the folder is either read or refused: none is dropped without a record.
    assert len(scan.files) + len(scan.refused) == len(os.listdir(raw))


def test_ingest_accounts_for_refused_entries_without_reading_them(tmp_path, measure):
    raw, expected = _hostile_folder(tmp_path)
    db = tmp_path / "pk.duckdb"
    run = measure.policykit("ingest", raw, "--db", db, "--no-enrich", cwd=tmp_path, timeout=240)
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    rejects = dict(_rows(db, "SELECT source_path, reason FROM rejects"))
    assert rejects == {f"raw/{name}": reason for name, reason in expected.items()}
    assert _rows(db, "SELECT count(*) FROM rejects WHERE payload IS NOT NULL") == [(0,)]
    assert _rows(db, "SELECT url FROM articles") == [("https://news.example.org/1",)]
    assert SECRET not in _all_text(db)
    # One run per entry, each balanced: read = new + duplicates + rejects.
    runs = _rows(
        db, "SELECT records_read, new_articles, duplicates, rejects FROM ingest_runs ORDER BY 1"
    )
    assert len(runs) == len(os.listdir(raw))
    assert all(read == new + dup + rej for read, new, dup, rej in runs)
    # A re-run finds the same refusals unchanged: no second reject per entry.
    again = measure.policykit("ingest", raw, "--db", db, "--no-enrich", cwd=tmp_path, timeout=240)
    again.assert_clean()
    assert _rows(db, "SELECT count(*) FROM rejects") == [(len(expected),)]


def test_follow_symlinks_is_explicit(tmp_path):
    from policykit.ingest import ingest

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.jsonl").write_text(ARTICLE.format(n=7), encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "b.jsonl").write_text(ARTICLE.format(n=8), encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").symlink_to(outside / "a.jsonl")
    (raw / "linked").symlink_to(outside / "folder", target_is_directory=True)
    db = tmp_path / "pk.duckdb"
    report = ingest(raw, db=db, enrich=False)
    assert report.totals["new_articles"] == 0
    assert dict(report.rejects_by_reason) == {"outside_input": 2}
    report = ingest(raw, db=tmp_path / "followed.duckdb", enrich=False, follow_symlinks=True)
    assert report.totals["new_articles"] == 2
    assert sorted(
        u for (u,) in _rows(tmp_path / "followed.duckdb", "SELECT url FROM articles")
    ) == [
        "https://news.example.org/7",
        "https://news.example.org/8",
    ]


def test_links_inside_the_input_are_followed_once(tmp_path):
    raw = tmp_path / "raw"
    (raw / "real").mkdir(parents=True)
    (raw / "real" / "a.jsonl").write_text(ARTICLE.format(n=1), encoding="utf-8")
    (raw / "alias.jsonl").symlink_to(raw / "real" / "a.jsonl")
    (raw / "again").symlink_to(raw / "real", target_is_directory=True)
    (raw / "real" / "up").symlink_to(raw, target_is_directory=True)  # a loop back up
    scan = scan_inputs([raw])
    assert len(scan.files) == 1 and scan.files[0].resolve() == (raw / "real" / "a.jsonl")
    assert scan.refused == []


_KINDS = ["file", "folder", "link_in", "link_out", "dangling", "fifo", "folder_link_out"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_KINDS), st.integers(0, 3)), min_size=1, max_size=12),
    st.booleans(),
)
def test_every_entry_is_read_inside_the_input_or_refused(entries, follow):
    """Random trees of files, folders, links in and out, dangling links and FIFOs: every
    regular file is read once, nothing outside the input is read unless asked, and
    every other entry is refused with a reason."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        outside = tmp / "outside"
        (outside / "dir").mkdir(parents=True)
        (outside / "out.jsonl").write_text("{}\n")
        (outside / "dir" / "deep.jsonl").write_text("{}\n")
        raw = tmp / "raw"
        folders = [raw]
        raw.mkdir()
        regular, refused, out_files = set(), {}, set()
        for i, (kind, where) in enumerate(entries):
            parent = folders[where % len(folders)]
            path = parent / f"e{i}.jsonl"
            if kind == "file":
                path.write_text("{}\n")
                regular.add(path)
            elif kind == "folder":
                path = parent / f"d{i}"
                path.mkdir()
                folders.append(path)
            elif kind == "link_in":
                target = raw / f"t{i}.jsonl"
                target.write_text("{}\n")
                regular.add(target)
                path.symlink_to(target)
            elif kind == "link_out":
                path.symlink_to(outside / "out.jsonl")
                refused[path] = "outside_input"
                out_files.add(outside / "out.jsonl")
            elif kind == "folder_link_out":
                path = parent / f"d{i}"
                path.symlink_to(outside / "dir", target_is_directory=True)
                refused[path] = "outside_input"
                out_files.add(outside / "dir" / "deep.jsonl")
            elif kind == "dangling":
                path.symlink_to(tmp / f"missing{i}")
                refused[path] = "dangling_link"
            else:
                os.mkfifo(path)
                refused[path] = "not_a_regular_file"
        scan = scan_inputs([raw], follow_symlinks=follow)
        real = [p.resolve() for p in scan.files]
        assert len(real) == len(set(real))  # each file once, however many links lead to it
        expected = {p.resolve() for p in regular}
        if follow:
            expected |= {p.resolve() for p in out_files}
            refused = {p: r for p, r in refused.items() if r != "outside_input"}
        assert set(real) == expected
        assert {r.path: r.reason for r in scan.refused} == refused


def _odd_names(raw: Path) -> dict[bytes, str]:
    """Files with odd names; the value is the expected outcome ('article' or a reason)."""
    names = {
        b"x" * 245
        + b".jsonl": "article",  # 251 characters: legal, but name + '.policykit.yml' is not
        b"y" * 247 + b".txt": "article",  # a text dump whose '<name>.json' sidecar name is too long
        b"z" * 246 + b".html": "article",
        b"new\nline.jsonl": "article",
        b"[bold]open.jsonl": "article",
        b"bad\xff\xfename.jsonl": "undecodable_name",
    }
    base = os.fsencode(raw)
    for i, (name, _) in enumerate(names.items()):
        if name.endswith(b".txt"):
            data = DUMP.encode()
        elif name.endswith(b".html"):
            data = (
                "<html><head><title>Page title here</title></head><body><article><h1>A page"
                "</h1><p>" + DUMP.replace("\n", " ") + "</p></article></body></html>"
            ).encode()
        else:
            data = ARTICLE.format(n=100 + i).encode()
        with open(os.path.join(base, name), "wb") as handle:
            handle.write(data)
    # A folder whose name closes a markup tag, "x[/bold]y", and one not valid UTF-8.
    os.makedirs(os.path.join(base, b"x["), exist_ok=True)
    os.makedirs(os.path.join(base, b"x[", b"bold]y"), exist_ok=True)
    with open(os.path.join(base, b"x[", b"bold]y", b"in.jsonl"), "wb") as handle:
        handle.write(ARTICLE.format(n=200).encode())
    os.makedirs(os.path.join(base, b"dir\xff"), exist_ok=True)
    with open(os.path.join(base, b"dir\xff", b"in.jsonl"), "wb") as handle:
        handle.write(ARTICLE.format(n=201).encode())
    names[b"x[/bold]y/in.jsonl"] = "article"
    names[b"dir\xff"] = "undecodable_name"
    return names


def test_odd_file_names_load_or_are_rejected_with_a_reason(tmp_path, measure):
    raw = tmp_path / "raw"
    raw.mkdir()
    try:
        names = _odd_names(raw)
    except OSError as exc:  # a file system that refuses such names cannot host the test
        pytest.skip(f"file system refuses odd names: {exc}")
    db = tmp_path / "pk.duckdb"
    run = measure.policykit("ingest", raw, "--db", db, "--no-enrich", cwd=tmp_path, timeout=240)
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    articles = sum(outcome == "article" for outcome in names.values())
    assert _rows(db, "SELECT count(DISTINCT source_path) FROM articles") == [(articles,)]
    refused = sorted(
        (os.fsencode(raw.name) + b"/" + n).decode("utf-8", "backslashreplace")
        for n, outcome in names.items()
        if outcome != "article"
    )
    assert _rows(db, "SELECT source_path, reason FROM rejects ORDER BY 1") == [
        (path, "undecodable_name") for path in refused
    ]


def test_dumps_and_sidecars_are_bounded(tmp_path, measure):
    """A dump over the cap, sidecars nested 100,000 deep, too large, gzip bombs or links
    out of the folder: each a reject with its reason; the dumps themselves still load."""
    raw = tmp_path / "raw"
    raw.mkdir()
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"title": SECRET}), encoding="utf-8")
    line = DUMP.encode()
    with open(raw / "huge.txt", "wb") as handle:
        for _ in range(MAX_DUMP_BYTES // len(line) + 2):
            handle.write(line)
    expected = {"raw/huge.txt": ("file", "too_large")}
    cases = {
        "deep_list": b"[" * 100_000 + b"]" * 100_000,
        "deep_object": b'{"title": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
        "big": json.dumps({"title": "x" * (5 << 20)}).encode(),
    }
    for stem, sidecar in cases.items():
        (raw / f"{stem}.txt").write_text(_unique(DUMP, stem), encoding="utf-8")
        (raw / f"{stem}.json").write_bytes(sidecar)
    expected["raw/deep_list.txt"] = ("sidecar:deep_list.json", "too_deep")
    expected["raw/deep_object.txt"] = ("sidecar:deep_object.json", "too_deep")
    expected["raw/big.txt"] = ("sidecar:big.json", "too_large")
    (raw / "linked.txt").write_text(_unique(DUMP, "linked"), encoding="utf-8")
    (raw / "linked.json").symlink_to(outside)
    expected["raw/linked.txt"] = ("sidecar:linked.json", "outside_input")
    # An HTML page whose gzipped sidecar inflates to 64 MiB, and one linked out of the folder.
    page = "<html><body><article><p>{}</p></article></body></html>"
    (raw / "bomb.html").write_text(page.format(_unique(DUMP, "bomb")), encoding="utf-8")
    (raw / "bomb.json.gz").write_bytes(gzip.compress(b" " * (64 << 20), compresslevel=9))
    expected["raw/bomb.html"] = ("sidecar:bomb.json.gz", "too_large")
    (raw / "page.html").write_text(page.format(_unique(DUMP, "page")), encoding="utf-8")
    (raw / "page.json").symlink_to(outside)
    expected["raw/page.html"] = ("sidecar:page.json", "outside_input")
    db = tmp_path / "pk.duckdb"
    run = measure.policykit(
        "ingest", raw, "--db", db, "--no-enrich", "--workers", "1", cwd=tmp_path, timeout=240
    )
    run.assert_clean()
    assert run.returncode == 0, run.stderr[-2000:]
    found = {
        path: (locator, reason)
        for path, locator, reason in _rows(
            db, "SELECT source_path, source_locator, reason FROM rejects"
        )
    }
    assert found == expected
    # The dumps and pages with a refused sidecar still load, without the sidecar's fields.
    loaded = {p for (p,) in _rows(db, "SELECT source_path FROM articles")}
    assert loaded == set(expected) - {"raw/huge.txt"}
    assert SECRET not in _all_text(db)
    payload = _rows(db, "SELECT length(payload) FROM rejects WHERE source_path = 'raw/huge.txt'")
    assert payload[0][0] <= 512
    # No reject holds more than a bounded excerpt (the 5 MiB sidecar is not copied in).
    assert _rows(db, "SELECT coalesce(max(length(payload)), 0) <= 65536 FROM rejects") == [(True,)]


@pytest.mark.fuzz
def test_a_1_gib_text_dump_is_rejected_in_bounded_memory(tmp_path, measure):
    raw = tmp_path / "raw"
    raw.mkdir()
    line = DUMP.encode()
    with open(raw / "huge.txt", "wb") as handle:
        block = line * ((1 << 20) // len(line) + 1)
        for _ in range(1024):
            handle.write(block)
    db = tmp_path / "pk.duckdb"
    run = measure.policykit("ingest", raw, "--db", db, "--no-enrich", cwd=tmp_path, timeout=600)
    run.assert_clean()
    assert _rows(db, "SELECT reason FROM rejects") == [("too_large",)]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_a_broken_manifest_costs_its_metadata_not_the_page(tmp_path):
    from policykit.sources.html import page_rows

    body = "Regulators said the platform broke the data protection law. " * 10
    page = tmp_path / "a.html"
    page.write_text(f"<html><body><article><p>{body}</p></article></body></html>", "utf-8")
    # One field over the csv module's 128 KiB field limit.
    (tmp_path / "manifest.csv").write_text(f'file,title\na.html,"{"x" * 200_000}"\n', "utf-8")
    rows = page_rows(page)
    assert [(r["source_locator"], r.get("reject_reason")) for r in rows] == [
        ("file", None),
        ("sidecar:manifest", "malformed_sidecar"),
    ]
    assert body.strip()[:40] in rows[0]["body"]
