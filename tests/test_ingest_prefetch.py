"""The ingest reads one batch ahead in a thread (ingest_files._prefetch): same batches in
the same order, a reader's error raised in the consumer at its batch, and the thread gone
when the consumer stops early."""

from __future__ import annotations

import threading
import time

import pytest

from policykit.ingest_files import _prefetch


def _threads():
    return [t for t in threading.enumerate() if t.name == "policykit-read-ahead"]


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_same_batches_in_order(n):
    assert list(_prefetch(iter(range(n)))) == list(range(n))
    assert not _threads()


def test_reader_error_is_raised_at_its_batch():
    def reader():
        yield "a"
        yield "b"
        raise ValueError("line 3 is not JSON")

    got = []
    with pytest.raises(ValueError, match="line 3"):
        for batch in _prefetch(reader()):
            got.append(batch)
    assert got == ["a", "b"]
    assert not _threads()


def test_consumer_stopping_early_stops_the_reader():
    read = []

    def reader():
        for i in range(1000):
            read.append(i)
            yield i

    stream = _prefetch(reader())
    assert next(stream) == 0
    stream.close()  # what a failed transaction does to the generator
    assert not _threads()
    # one batch handed over, at most one waiting in the slot and one being offered
    assert len(read) <= 3


def test_reads_ahead_while_the_consumer_works():
    read = []

    def reader():
        for i in range(3):
            read.append(i)
            yield i

    stream = _prefetch(reader())
    assert next(stream) == 0
    deadline = time.monotonic() + 5
    while len(read) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(read) >= 2  # batch 1 was read while batch 0 was being loaded
    assert list(stream) == [1, 2]
