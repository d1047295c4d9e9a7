"""Story clusters: syndicated copies and near-duplicates of one story across outlets.

Two ways to link two articles:

**Near-duplicate bodies (MinHash).** A body is lower-cased and split at white space; its
shingles are the overlapping runs of ``SHINGLE = 5`` words, from the first
``MAX_WORDS = 1500`` words (wire copy is reprinted from the top; long tails add cost,
not evidence). Each shingle is hashed (crc32 of its words, combined) and the set is
summarised by a datasketch ``MinHash`` with ``NUM_PERM = 128`` permutations (seed 1).
Two bodies are the same story when their estimated Jaccard similarity is at least
``THRESHOLD = 0.5``. Why these values: five-word shingles rarely repeat between
different articles on the same topic (their Jaccard is typically below 0.1), while a
reprint that adds a dateline, a byline, a standfirst or a closing paragraph keeps well
above 0.5; a press-release rewrite that keeps half of the release's sentences reaches
about 0.5. 128 permutations estimate a Jaccard of 0.5 with a standard error of about
0.044. Candidates come from LSH banding with the (bands, rows) that datasketch's
``MinHashLSH`` chooses for this threshold and ``num_perm`` (25 bands of 5 rows); the
bands are stored in ``minhash_bands`` and the signatures in ``article_minhash``, so
new articles are compared with all earlier ones without recomputing them, then every
candidate pair is checked against the threshold. The two articles must also be published
within ``WINDOW_DAYS = 30`` days of each other (or one be undated): syndication and
rewrites happen within days or weeks, while the same text years apart is a re-run or
shared boilerplate, not one story's coverage. Bodies with fewer than
``MIN_WORDS = 40`` words get no signature.

**Same title within a time window.** A record without a signature (only a title, or a
very short text) is linked to any record whose normalised title is identical
(lower case, the outlet's name removed from the end, punctuation folded) and that was
published within ``WINDOW_HOURS = 48`` hours: the time a wire story takes to be
picked up, short enough that a recurring headline ("Live updates") a week later is a
different story. Titles need at least ``MIN_TITLE_WORDS = 4`` words.

Clusters are the connected components of these links; every article has one
(singletons too). The earliest publisher (published_at, then article_id) has
``is_first`` and names the cluster (``cluster_id`` is its article_id).
"""

from __future__ import annotations

import hashlib
import zlib
from importlib import resources

import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

from ..store import register_once

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.5
MAX_WORDS = 1500
MIN_WORDS = 40
WINDOW_HOURS = 48
WINDOW_DAYS = 30
MIN_TITLE_WORDS = 4
SEED = 1

_MASK = np.uint64(0xFFFFFFFF)
_lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _lsh.b, _lsh.r
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)


def config_fingerprint() -> str:
    text = (
        f"clusters-v2:{SHINGLE}:{NUM_PERM}:{THRESHOLD}:{MAX_WORDS}:{MIN_WORDS}:{SEED}:{WINDOW_DAYS}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shingle_hashes(body: str | None) -> np.ndarray | None:
    """32-bit hashes of the 5-word shingles of ``body``; None when it is too short."""
    if not body:
        return None
    words = body.lower().split()[:MAX_WORDS]
    if len(words) < MIN_WORDS:
        return None
    h = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE + 1
    # A polynomial of the word hashes in each window, modulo 2**32: order-sensitive.
    acc = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):
        acc = (acc * np.uint64(1000003) + h[k : k + n]) & _MASK
    return np.unique(acc)


def signature(body: str | None) -> bytes | None:
    """The MinHash signature of a body (NUM_PERM uint32 values), or None."""
    hashes = shingle_hashes(body)
    if hashes is None:
        return None
    m = _TEMPLATE.copy()
    m.update_batch(hashes.tolist())
    return m.hashvalues.astype(np.uint32).tobytes()


def bands(sig: bytes) -> list[tuple[int, int]]:
    """The LSH ``(band, bucket)`` keys of a signature (bucket: a signed 64-bit hash)."""
    out = []
    width = ROWS * 4
    for b in range(BANDS):
        chunk = sig[b * width : (b + 1) * width]
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        out.append((b, int.from_bytes(digest, "little", signed=True)))
    return out


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    a = np.frombuffer(sig_a, dtype=np.uint32)
    b = np.frombuffer(sig_b, dtype=np.uint32)
    return float(np.mean(a == b))


def sql(name: str) -> str:
    return (resources.files("policykit") / "sql" / "enrich" / name).read_text("utf-8")


def link_minhash(con) -> int:
    """Insert the minhash links of the articles in ``_pending_clusters``; return the count."""
    pairs = con.execute(sql("minhash_candidates.sql"), {"window_days": WINDOW_DAYS}).fetchall()
    if not pairs:
        return 0
    ids = sorted({i for pair in pairs for i in pair})
    register_once(con, "_cand_ids", pa.table({"article_id": ids}))
    rows = con.execute(
        "SELECT m.article_id, m.signature FROM article_minhash m JOIN _cand_ids USING (article_id)"
    ).fetchall()
    con.unregister("_cand_ids")
    index = {aid: k for k, (aid, _) in enumerate(rows)}
    matrix = np.stack([np.frombuffer(sig, dtype=np.uint32) for _, sig in rows])
    left = np.array([index[a] for a, _ in pairs])
    right = np.array([index[b] for _, b in pairs])
    sims = (matrix[left] == matrix[right]).mean(axis=1)
    keep = np.flatnonzero(sims >= THRESHOLD)
    if len(keep) == 0:
        return 0
    links = pa.table(
        {
            "article_a": [pairs[k][0] for k in keep],
            "article_b": [pairs[k][1] for k in keep],
            "method": ["minhash"] * len(keep),
            "similarity": sims[keep].astype(float),
        }
    )
    register_once(con, "_links", links)
    con.execute("INSERT INTO story_links SELECT * FROM _links")
    con.unregister("_links")
    return len(keep)


def components(links: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """Union-find over ``(a, b, method)`` links: article_id -> (root, method), where the
    method is 'minhash' when any link of the component is, else 'title_window'."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b, _ in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    minhash_roots = set()
    for a, _, method in links:
        if method == "minhash":
            minhash_roots.add(find(a))
    out = {}
    for node in {n for a, b, _ in links for n in (a, b)}:
        root = find(node)
        out[node] = (root, "minhash" if root in minhash_roots else "title_window")
    return out
