"""The database content hash does not depend on when the ingest ran.

Found by ingesting the same demo corpus twice, from two folders, minutes apart: the
hashes differed only in ``rejects.detail``, which quoted the ingest's clock time for
future-dated records that carry no crawl time.
"""

import shutil
import time

import policykit.ingest as ingest_module
from policykit import store

RECORDS = (
    # no crawl time: judged against the time of the ingest
    '{"url": "https://e.example/a", "title": "Slipped year", '
    '"published": "2222-04-27T13:52:00+05:30"}\n'
    # a crawl time: judged against it
    '{"url": "https://e.example/b", "title": "Ahead of its crawl", '
    '"published": "2030-01-01", "scraped_at": "2024-01-01"}\n'
    '{"url": "https://e.example/c", "title": "An ordinary story", "published": "2024-02-03"}\n'
)


def _hash(db) -> str:
    con = store.connect(db, read_only=True)
    try:
        return store.content_hash(con)
    finally:
        con.close()


def test_same_inputs_at_different_times_and_places_give_the_same_hash(tmp_path):
    first = tmp_path / "one" / "raw"
    first.mkdir(parents=True)
    (first / "a.jsonl").write_text(RECORDS)
    second = tmp_path / "two" / "deeper" / "raw"
    shutil.copytree(first, second)

    a = ingest_module.ingest(first, db=tmp_path / "a.duckdb", enrich=False)
    time.sleep(1.1)  # the reject detail had second resolution
    b = ingest_module.ingest(second, db=tmp_path / "b.duckdb", enrich=False)
    assert a.rejects_by_reason == b.rejects_by_reason == {"date_suspect": 2}
    assert _hash(tmp_path / "a.duckdb") == _hash(tmp_path / "b.duckdb")
