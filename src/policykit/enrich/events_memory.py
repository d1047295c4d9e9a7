"""News events, the grouping's memory-lean building blocks (used by
:mod:`policykit.enrich.events_grouping`): connected components a chunk of links at a
time, a similarity matrix read a chunk of rows at a time, and glibc's malloc told to give
freed memory back. Issue 10: a million titles in 1.5 GB over the process and its workers.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

_ROW_CHUNK_ENTRIES = 500_000  # entries of a similarity matrix read at a time


def _row_chunks(similarity: csr_matrix):
    """The entries of ``similarity`` as COO matrices of whole rows (row numbers those of
    the whole matrix), about ``_ROW_CHUNK_ENTRIES`` at a time: a 4,000-member part's
    matrix can hold millions, and its COO copy and index arithmetic cost 8-16 bytes an
    entry each."""
    n = similarity.shape[0]
    step = max(1, int(n * _ROW_CHUNK_ENTRIES / max(similarity.nnz, 1)))
    for start in range(0, n, step):
        part = similarity[start : start + step].tocoo()
        part.row += start
        yield part


def _components(n: int, edges) -> tuple[int, np.ndarray]:
    """``(count, labels)`` of the connected components of the undirected graph over ``n``
    nodes whose edges come as chunks ``(a, b)``: what scipy's ``connected_components``
    gives for all of them at once (the same numbering, by smallest node), without its
    copies of the whole graph (a float64 CSR matrix and its transpose, ~40 bytes a link:
    over 1 GB for the 29M links of a million titles). Each chunk is joined to the
    components so far: ``rep`` maps each node to its component among the chunks seen,
    and a chunk's edges between those components merge them."""
    rep = np.arange(n, dtype=np.int32)
    for a, b in edges:
        if len(a) == 0:
            continue
        graph = coo_matrix((np.ones(len(a), np.int8), (rep[a], rep[b])), shape=(n, n))
        _, merged = connected_components(graph, directed=False)
        del graph
        rep = merged.astype(np.int32, copy=False)[rep]
    _, first, inverse = np.unique(rep, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int32)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int32)
    return len(first), rank[inverse.ravel()]


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_THRESHOLD_FIXED = False


def _fix_mmap_threshold() -> None:
    """Have glibc's malloc give back every freed block over 128 KiB (once per process).

    It serves such blocks from mmap and unmaps them when freed, but each such free raises
    the threshold (up to 32 MiB), so later arrays of a few MB come from the heap and stay
    resident after they are freed. A worker grouping the large parts (a 4,000-member
    part's distance vector alone is 64 MB) then holds its highest point for good: fixing
    the threshold took the largest 1M-title parts, grouped one after another in one
    process, from 462 to 378 MB peak RSS. Not glibc: nothing done."""
    global _THRESHOLD_FIXED
    if _THRESHOLD_FIXED:
        return
    _THRESHOLD_FIXED = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 128 * 1024)
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        pass


def _trim_heap() -> None:
    """Give the freed heap back to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # pragma: no cover - not glibc
        pass
