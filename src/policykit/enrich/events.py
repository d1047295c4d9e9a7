"""News events: articles about the same happening, across outlets and headlines.

A *story* (:mod:`policykit.enrich.clusters`) is one text and its copies. An *event* is
one thing that happened, however many outlets wrote it up and however differently they
headlined it. Events work from titles alone and use the lead of the summary (or body)
when there is one. The rule in short (docs/enrichment.md, "News events", says why):

**Vectors.** An article is its headline (the outlet's name cut from either end, as in
"Growth gains momentum - Quincy Herald-Whig", and a trailing "..." dropped) twice, then
the first ``LEAD_WORDS = 40`` words of its summary, else of its body. Words are runs of
Unicode letters, digits and combining marks (Devanagari and Bengali words stay whole),
case-folded, English possessives cut, stop words dropped. Scikit-learn's
``TfidfVectorizer`` weighs them (sublinear tf, smoothed idf, L2 norm); the idf is that of
the articles of the same time block, so a word everyone uses that week weighs less than
a name only one event uses.

**Links.** Articles are compared only with articles published within ``LINK_DAYS = 3``
days. The timeline is cut into blocks of ``BLOCK_DAYS = 7`` days; a block's articles are
compared with the block and the ``LINK_DAYS`` before it (scikit-learn's sparse
``cosine_similarity``, ``_ROWS`` rows at a time), so memory is bounded by one block,
never by the corpus. Each article keeps its ``NEIGHBOURS = 30`` most similar earlier
articles with cosine at least ``CANDIDATE = 0.1``; these are the links (``event_links``),
and the links of a block depend only on the block and the days before it, so an
incremental run recomputes only the blocks new articles fall in (and the next one).

**Grouping: average linkage, not connected components.** Connected components chain:
A~B and B~C put A with C however unlike they are, and one generic headline ("Markets
fall as ...") glues unrelated events together. Each connected set of links is instead
clustered by average linkage (UPGMA, scipy): two groups merge only while the *average*
similarity over all their cross pairs is at least ``THRESHOLD = 0.3``; a pair without a
link counts as 0. The similarity of a pair is second-order: each article's vector is
smoothed with its ``SMOOTH_K = 10`` nearest linked neighbours (weight = their cosine,
times ``SMOOTH_ALPHA = 1``), leaving the partner itself out, computed from the links
alone. Two headlines of one event rarely share more than a name, but they share
neighbours; two events that share one name (three SXSW talks on one day) do not. An
isolated pair has no third party to lean on, so it merges only on its own cosine.
The groups of one connected set are then merged by average linkage over their centroid
cosines (from the links) at ``GROUP_THRESHOLD = 0.2``: a large event's headlines form
several tight groups whose centroids are alike.
No event holds two articles more than ``MAX_SPAN_DAYS = 14`` days apart (such a pair
makes a merge impossible). A connected set larger than ``MAX_GROUP = 4000`` articles is
first split by dropping its weakest links (raising the cut in steps of 0.05) until every
part fits: dropping a link only lowers averages, so this never merges anything.

**Ids and labels.** An event's id is the article_id of its earliest article
(published_at, then article_id); its label is its medoid headline: the title of the
member most similar on average to the others (ties: the earliest). Undated articles are
each their own event. Every article has exactly one event.

This module holds the text, the links and the stage; the grouping is
:mod:`policykit.enrich.events_grouping` (its names are re-exported here).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import regex
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from ..store import register_once
from .events_grouping import (  # noqa: F401  (the grouping, re-exported: ev.group, ...)
    _DAY,
    _DENSE,
    _FAR,
    _LINK_CHUNK,
    ATTACH_ROUNDS,
    ATTACH_SCORE,
    ATTACH_SHARE,
    CANDIDATE,
    GROUP_THRESHOLD,
    MAX_GROUP,
    MAX_SPAN_DAYS,
    SMOOTH_ALPHA,
    SMOOTH_K,
    THRESHOLD,
    Links,
    _attach,
    _average_groups,
    _condensed_distances,
    _local,
    _merge_groups,
    _pair_sums,
    _smoothed_dense,
    _top_per_row,
    group,
    smoothed_similarity,
)

LINK_DAYS = 3
BLOCK_DAYS = 7
NEIGHBOURS = 40
LEAD_WORDS = 40
LEAD_WEIGHT = 0.5
VERSION = "3"
_ROWS = 2000  # rows of one block compared at a time
_POOL_MIN = 50_000  # articles below which linking stays in this process

#: Words that say nothing about which event a headline reports.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "says", "said", "say", "new", "update", "updated", "updates", "video", "photos",
    "photo", "watch", "live", "report", "reports", "news", "breaking", "exclusive",
    "today", "week", "year", "just", "amp", "quot",
}  # fmt: skip

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*")
_POSSESSIVE = regex.compile(r"['’]s\b")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ASCII_POSSESSIVE = re.compile(r"'s\b")
_ELLIPSIS = re.compile(r"\s*(\.\.\.|…)\s*$")
_SEPARATOR = re.compile(r"\s+[-|–—:]\s+")


def parameters() -> dict:
    """The rule's parameters, as documented (for reports and the config hash)."""
    return {
        "version": VERSION,
        "link_days": LINK_DAYS,
        "block_days": BLOCK_DAYS,
        "max_span_days": MAX_SPAN_DAYS,
        "candidate": CANDIDATE,
        "neighbours": NEIGHBOURS,
        "smooth_k": SMOOTH_K,
        "smooth_alpha": SMOOTH_ALPHA,
        "threshold": THRESHOLD,
        "group_threshold": GROUP_THRESHOLD,
        "attach_score": ATTACH_SCORE,
        "attach_share": ATTACH_SHARE,
        "attach_rounds": ATTACH_ROUNDS,
        "lead_words": LEAD_WORDS,
        "lead_weight": LEAD_WEIGHT,
        "max_group": MAX_GROUP,
    }


def config_fingerprint() -> str:
    text = "events:" + ":".join(f"{k}={v}" for k, v in parameters().items())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def headline(title: str | None, outlet: str | None = None) -> str:
    """The title without a trailing ``...`` and without the outlet's name at either end
    ("OECD: growth gains momentum - Quincy Herald-Whig ..." -> "OECD: growth gains
    momentum")."""
    if not title:
        return ""
    text = _ELLIPSIS.sub("", title.strip())
    name = _fold(outlet) if outlet else ""
    if name:
        parts = _SEPARATOR.split(text)
        if len(parts) > 1:
            last, first = _fold(parts[-1]), _fold(parts[0])
            if last and (last.startswith(name) or name.startswith(last)):
                parts = parts[:-1]
            elif first == name:
                parts = parts[1:]
            text = " - ".join(parts)
    return text


def tokens(text: str) -> list[str]:
    """Case-folded words (letters, digits, combining marks), possessives cut, stop words
    and one-letter Latin words dropped."""
    if text.isascii():  # the same words, found faster
        words = _ASCII_WORD.findall(_ASCII_POSSESSIVE.sub("", text.lower()))
        return [w for w in words if len(w) > 1 and w not in STOP_WORDS]
    words = _WORD.findall(_POSSESSIVE.sub("", text.casefold()))
    return [w for w in words if w not in STOP_WORDS and (len(w) > 1 or not w.isascii())]


def document(title: str | None, outlet: str | None, summary: str | None, body: str | None):
    """The text an article is compared on: its headline, then (after a newline) its
    lead, the first ``LEAD_WORDS`` words of the summary, else of the body."""
    head = headline(title, outlet).replace("\n", " ")
    lead = " ".join((summary or body or "").split()[:LEAD_WORDS])
    return f"{head}\n{lead}" if lead else head


def document_tokens(doc: str) -> tuple[list[str], list[str]]:
    """The headline's and the lead's words of a :func:`document`."""
    head, _, lead = doc.partition("\n")
    return tokens(head), tokens(lead)


def _identity(words):
    return words


def vectorise(docs) -> csr_matrix:
    """TF-IDF rows of ``docs`` (texts from :func:`document`, or their
    :func:`document_tokens`): the headline's vector plus ``LEAD_WEIGHT`` times the
    lead's, each L2-normalised, the sum normalised again; the idf is that of these
    documents. A corpus without a word gives zero rows."""
    pairs = [document_tokens(d) if isinstance(d, str) else d for d in docs]
    heads = [h for h, _ in pairs]
    has_lead = any(lead for _, lead in pairs)
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
    try:
        if not has_lead:
            return vectorizer.fit_transform(heads).tocsr()
        vectorizer.fit([h + lead for h, lead in pairs])
    except ValueError:  # no word at all (every document empty or stop words only)
        return csr_matrix((len(pairs), 1), dtype=np.float32)
    matrix = vectorizer.transform(heads) + LEAD_WEIGHT * vectorizer.transform(
        [lead for _, lead in pairs]
    )
    return csr_matrix(normalize(matrix), dtype=np.float32)


def block_of(seconds: np.ndarray) -> np.ndarray:
    """The block number of each time (seconds since the epoch)."""
    return np.floor(np.asarray(seconds, dtype=np.float64) / (_DAY * BLOCK_DAYS)).astype(np.int64)


def block_links(seconds: np.ndarray, docs: list[str], in_block: np.ndarray) -> Links:
    """Links of one block: each article flagged ``in_block`` with its ``NEIGHBOURS``
    most similar earlier articles (in the given order, which is by time) within
    ``LINK_DAYS`` and with cosine at least ``CANDIDATE``.

    ``seconds`` and ``docs`` hold the block and its context (the ``LINK_DAYS`` before
    it), sorted by time; the idf is that of these documents.
    """
    n = len(docs)
    if n < 2 or not in_block.any():
        return Links.empty()
    matrix = vectorise(docs)
    rows = np.flatnonzero(in_block)
    parts = []
    for start in range(0, len(rows), _ROWS):
        chunk = rows[start : start + _ROWS]
        limit = int(chunk[-1])  # only earlier articles can be partners
        # ... and only those within LINK_DAYS of the chunk's first article
        lo = int(np.searchsorted(seconds, seconds[chunk[0]] - LINK_DAYS * _DAY, side="left"))
        if limit <= lo:
            continue
        # Rows are L2-normalised: the sparse product is the cosine (each one summed
        # over the same words in the same order, whichever columns are asked for).
        sims = (matrix[chunk] @ matrix[lo:limit].T).tocoo()
        a = chunk[sims.row]
        b = sims.col.astype(np.int64) + lo
        keep = (b < a) & (sims.data >= CANDIDATE)
        a, b, sim = a[keep], b[keep], sims.data[keep]
        del sims
        near = np.abs(seconds[a] - seconds[b]) <= LINK_DAYS * _DAY
        a, b, sim = a[near], b[near], sim[near]
        top = _top_per_row(a, b, sim, NEIGHBOURS)
        # int32 rows and float32 cosines: 12 bytes a link (a million titles have ~29M).
        parts.append(Links(a[top].astype(np.int32), b[top].astype(np.int32), sim[top]))
    return Links.concat(parts)


def block_slices(seconds: np.ndarray):
    """``(block, lo, hi)`` for each block of a time-sorted array: rows ``lo:hi`` are the
    block and its context (the ``LINK_DAYS`` before the block starts)."""
    blocks = block_of(seconds)
    for block in np.unique(blocks):
        start_time = block * BLOCK_DAYS * _DAY
        lo = int(np.searchsorted(seconds, start_time - LINK_DAYS * _DAY, side="left"))
        hi = int(np.searchsorted(blocks, block, side="right"))
        yield int(block), lo, hi


#: What forked linking workers read (set in the parent just before the fork, so the
#: texts are shared copy-on-write instead of sent through a pipe).
_SHARED: tuple | None = None


def _link_block(task: tuple[int, int, int]) -> Links:
    block, lo, hi = task
    seconds, docs, blocks = _SHARED
    found = block_links(seconds[lo:hi], docs[lo:hi], blocks[lo:hi] == block)
    return Links(found.a + lo, found.b + lo, found.sim)


def _link_pool(workers: int, n: int):
    """A bounded pool of forked workers for :func:`all_links`, or None where one is no
    use (one worker, a small corpus) or not possible (no fork on this platform)."""
    from ..workers import fork_pool

    return None if n < _POOL_MIN else fork_pool(workers)


def all_links(seconds: np.ndarray, docs: list[str], workers: int = 0) -> Links:
    """Links of a whole time-sorted corpus, block by block (see :func:`block_links`).

    Blocks are independent, so ``workers`` processes link them side by side (0: one per
    core; 1: in this process); the links come out in block order either way, the same
    links. They are written into arrays sized for the most there can be (``NEIGHBOURS``
    per article): untouched pages of those cost no memory, and the blocks' links are
    freed as they arrive instead of being concatenated at the end."""
    global _SHARED
    n = len(docs)
    if n == 0:
        return Links.empty()
    blocks = block_of(seconds)
    tasks = list(block_slices(seconds))
    cap = NEIGHBOURS * n
    a, b, sim = np.empty(cap, np.int32), np.empty(cap, np.int32), np.empty(cap, np.float32)
    used = 0
    _SHARED = (seconds, docs, blocks)
    pool = _link_pool(workers, n)
    try:
        found_all = pool.imap(_link_block, tasks) if pool else map(_link_block, tasks)
        for found in found_all:
            m = len(found)
            a[used : used + m], b[used : used + m], sim[used : used + m] = (
                found.a,
                found.b,
                found.sim,
            )
            used += m
    finally:
        _SHARED = None
        if pool is not None:
            pool.close()
            pool.join()
    return Links(a[:used], b[:used], sim[:used])


def cluster(seconds, titles, outlets=None, summaries=None, bodies=None, workers: int = 0):
    """Group articles into events in memory (the stage's rule, for one corpus).

    ``seconds`` are publication times (seconds since the epoch), sorted ascending.
    ``workers``: processes that link the time blocks and group the connected sets (0:
    one per core, capped as every pool is; 1: none; small corpora stay in this
    process); the result does not depend on it. Returns ``(labels,
    medoid, links)``: an event number and a medoid flag per article, and the links used.
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if len(seconds) > 1 and np.any(np.diff(seconds) < 0):
        raise ValueError("cluster() needs articles sorted by time")
    n = len(seconds)
    outlets = outlets if outlets is not None else [None] * n
    summaries = summaries if summaries is not None else [None] * n
    bodies = bodies if bodies is not None else [None] * n
    # Texts, not word lists: each block tokenizes its own slice, so memory holds one
    # block's words at a time.
    docs = [
        document(t, o, s, b) for t, o, s, b in zip(titles, outlets, summaries, bodies, strict=True)
    ]
    links = all_links(seconds, docs, workers)
    del docs
    labels, medoid = group(seconds, links, workers)
    return labels, medoid, links


# --- the enrichment stage ------------------------------------------------------------


def _sql(name: str) -> str:
    from .clusters import sql

    text = sql(name)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def _statements(name: str) -> list[str]:
    return [s for s in _sql(name).split(";\n") if s.strip()]


def _needs_work(con, pending: int) -> bool:
    """Whether anything changed since the last run: new or changed articles, deleted
    ones, a changed publication time, or tables that do not cover every article."""
    if pending:
        return True
    row = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_events), "
        "(SELECT count(*) FROM event_inputs), "
        "(SELECT count(*) FROM event_inputs e LEFT JOIN articles a USING (article_id) "
        " WHERE a.article_id IS NULL OR a.published_at IS DISTINCT FROM e.published_at)"
    ).fetchall()[0]
    articles, assigned, inputs, moved = row
    return bool(moved) or assigned != articles or inputs != articles


def stale_blocks(con) -> list[int]:
    """Blocks whose links must be recomputed (needs the temp table ``_pending_events``):
    the blocks of new, changed, moved or deleted articles, and each one's successor."""
    block_seconds = BLOCK_DAYS * _DAY
    found = [
        int(r[0])
        for r in con.execute(_sql("events_stale.sql"), {"block_seconds": block_seconds}).fetchall()
        if r[0] is not None
    ]
    return sorted(set(found) | {b + 1 for b in found})


def _relink(con, blocks: list[int], progress=None) -> int:
    """Recompute the links of ``blocks``; return how many links they now have."""
    import pyarrow as pa

    total = 0
    query = _sql("events_block.sql")
    for k, block in enumerate(blocks):
        con.execute("DELETE FROM event_links WHERE block = ?", [block])
        start = block * BLOCK_DAYS * _DAY
        rows = con.execute(
            query, {"lo": start - LINK_DAYS * _DAY, "hi": start + BLOCK_DAYS * _DAY}
        ).fetchall()
        if len(rows) < 2:
            continue
        ids = [r[0] for r in rows]
        seconds = np.array([r[1] for r in rows], dtype=np.float64)
        docs = [document(r[2], r[3], r[4], None) for r in rows]
        found = block_links(seconds, docs, block_of(seconds) == block)
        if len(found):
            table = pa.table(
                {
                    "article_a": pa.array([ids[i] for i in found.a], pa.string()),
                    "article_b": pa.array([ids[i] for i in found.b], pa.string()),
                    "block": pa.array(np.full(len(found), block, np.int64)),
                    "similarity": pa.array(found.sim, pa.float32()),
                }
            )
            register_once(con, "_new_links", table)
            con.execute("INSERT INTO event_links SELECT * FROM _new_links")
            con.unregister("_new_links")
            total += len(found)
        if progress is not None:
            progress(k + 1)
    return total


def _regroup(con) -> int:
    """Group every dated article from the stored links and rewrite article_events,
    events and event_inputs; return the number of events."""
    import pyarrow as pa

    con.execute(
        "CREATE OR REPLACE TEMP TABLE _event_rows AS SELECT "
        "(row_number() OVER (ORDER BY published_at, article_id) - 1)::BIGINT AS i, "
        "article_id, epoch(published_at) AS seconds FROM articles WHERE published_at IS NOT NULL"
    )
    seconds = con.execute("SELECT seconds FROM _event_rows ORDER BY i").fetchnumpy()["seconds"]
    found = con.execute(
        "SELECT ra.i AS a, rb.i AS b, l.similarity AS sim FROM event_links AS l "
        "JOIN _event_rows AS ra ON ra.article_id = l.article_a "
        "JOIN _event_rows AS rb ON rb.article_id = l.article_b"
    ).fetchnumpy()
    links = Links(
        np.asarray(found["a"], dtype=np.int32),
        np.asarray(found["b"], dtype=np.int32),
        np.asarray(found["sim"], dtype=np.float32),
    )
    labels, medoid = group(np.asarray(seconds, dtype=np.float64), links)
    register_once(
        con,
        "_event_groups",
        pa.table(
            {
                "i": pa.array(np.arange(len(labels), dtype=np.int64)),
                "label": pa.array(labels),
                "medoid": pa.array(medoid),
            }
        ),
    )
    try:
        for statement in _statements("events_rebuild.sql"):
            params = {"block_seconds": BLOCK_DAYS * _DAY} if "$block_seconds" in statement else None
            con.execute(statement, params)
    finally:
        con.unregister("_event_groups")
        con.execute("DROP TABLE IF EXISTS _event_rows")
    return con.execute("SELECT count(*) FROM events").fetchall()[0][0]


def update(con, pending: int, progress=None) -> dict:
    """Bring article_events and events up to date (inside the caller's transaction).

    ``pending`` is the size of the temp table ``_pending_events`` (articles new or
    changed for this stage); ``progress(n)`` is told after each of the stale blocks. Nothing is read or written when nothing changed. Otherwise
    the links of the stale blocks are recomputed, and every dated article is regrouped
    from the stored links (grouping needs no text, so this is the cheap part).
    """
    if not _needs_work(con, pending):
        return {"blocks": 0, "links": 0, "events": None}
    blocks = stale_blocks(con)
    # Links whose later article is gone or moved out of its block are stale too.
    con.execute(
        "DELETE FROM event_links WHERE article_a NOT IN (SELECT article_id FROM articles) "
        "OR article_b NOT IN (SELECT article_id FROM articles)"
    )
    linked = _relink(con, blocks, progress)
    events = _regroup(con)
    return {"blocks": len(blocks), "links": linked, "events": events}
