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
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import regex
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix, csr_matrix, identity
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

LINK_DAYS = 3
BLOCK_DAYS = 7
MAX_SPAN_DAYS = 14
CANDIDATE = 0.1
NEIGHBOURS = 40
SMOOTH_K = 10
SMOOTH_ALPHA = 1.0
THRESHOLD = 0.3
GROUP_THRESHOLD = 0.2
ATTACH_SCORE = 2.0
ATTACH_SHARE = 0.2
ATTACH_ROUNDS = 12
LEAD_WORDS = 40
LEAD_WEIGHT = 0.5
MAX_GROUP = 4000
VERSION = "2"
_ROWS = 2000  # rows of one block compared at a time
_LINK_CHUNK = 2_000_000  # links read at a time by the third level
_DENSE = 300  # connected sets up to this size use dense arrays
_FAR = 1e9  # distance of a pair that may never share an event
_DAY = 86400.0

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


@dataclass
class Links:
    """Pairs ``(a, b)`` of row indices (a > b: b is the earlier article) and their
    cosine similarity."""

    a: np.ndarray
    b: np.ndarray
    sim: np.ndarray

    @classmethod
    def empty(cls) -> Links:
        return cls(np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float32))

    @classmethod
    def concat(cls, parts: list[Links]) -> Links:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.sim for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.a)


def _top_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of each row (ties: the smaller column)."""
    if len(rows) == 0:
        return np.empty(0, np.int64)
    order = np.lexsort((cols, -vals, rows))
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[(np.arange(len(order)) - first) < k]


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
        if limit == 0:
            continue
        # Rows are L2-normalised: the sparse product is the cosine.
        sims = (matrix[chunk] @ matrix[:limit].T).tocoo()
        a = chunk[sims.row]
        b = sims.col.astype(np.int64)
        keep = (b < a) & (sims.data >= CANDIDATE)
        a, b, sim = a[keep], b[keep], sims.data[keep]
        near = np.abs(seconds[a] - seconds[b]) <= LINK_DAYS * _DAY
        a, b, sim = a[near], b[near], sim[near]
        top = _top_per_row(a, b, sim, NEIGHBOURS)
        # int32 rows and float32 cosines: 12 bytes a link (a million titles have ~17M).
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


def all_links(seconds: np.ndarray, docs: list[str]) -> Links:
    """Links of a whole time-sorted corpus, block by block (see :func:`block_links`)."""
    if len(docs) == 0:
        return Links.empty()
    blocks = block_of(seconds)
    parts = []
    for block, lo, hi in block_slices(seconds):
        found = block_links(seconds[lo:hi], docs[lo:hi], blocks[lo:hi] == block)
        parts.append(Links(found.a + lo, found.b + lo, found.sim))
    return Links.concat(parts)


def smoothed_similarity(n: int, a: np.ndarray, b: np.ndarray, sim: np.ndarray) -> csr_matrix:
    """The second-order similarity of the ``n`` members of one connected set (sparse,
    symmetric, 1 on the diagonal; 0 where not stored).

    With S the link cosines (1 on the diagonal, 0 where there is no link) and W each
    member's ``SMOOTH_K`` strongest links, member i's smoothed vector is
    ``v_i + alpha * sum_k W_ik v_k``; the similarity of i and j is the cosine of their
    smoothed vectors with j left out of i's neighbours and i out of j's, expanded in S
    (so no text is needed, only the links): with A = I + alpha W, P = A (S + I) and
    M = P A', the numerator is M_ij - alpha W_ji P_ii - alpha W_ij P_jj
    + alpha^2 W_ij W_ji (S + I)_ij and the squared norm of i's vector without j is
    M_ii - 2 alpha W_ij P_ij + alpha^2 W_ij^2.
    """
    alpha = SMOOTH_ALPHA
    rows = np.r_[a, b]
    cols = np.r_[b, a]
    vals = np.r_[sim, sim].astype(np.float64)
    eye = identity(n, format="csr")
    SI = csr_matrix((vals, (rows, cols)), shape=(n, n)) + eye
    top = _top_per_row(rows, cols, vals, SMOOTH_K)
    W = csr_matrix((vals[top], (rows[top], cols[top])), shape=(n, n))
    A = eye + alpha * W
    P = (A @ SI).tocsr()
    M = (P @ A.T).tocsr()
    p_diag = P.diagonal()
    m_diag = M.diagonal()
    # Where neither is among the other's SMOOTH_K, leaving the partner out changes
    # nothing: the plain cosine of the smoothed vectors.
    out = M.tocoo()
    i, j = out.row, out.col
    value = out.data / np.sqrt(np.maximum(m_diag[i] * m_diag[j], 1e-12))
    result = csr_matrix((value, (i, j)), shape=(n, n))
    # Elsewhere (the pairs on W's support, either way round): subtract the partner's terms.
    support = (W + W.T).tocoo()
    i, j = support.row, support.col
    w_ij = np.asarray(W[i, j]).ravel()
    w_ji = np.asarray(W[j, i]).ravel()
    m = np.asarray(M[i, j]).ravel()
    cross = m - alpha * w_ji * p_diag[i] - alpha * w_ij * p_diag[j]
    cross += alpha * alpha * w_ij * w_ji * np.asarray(SI[i, j]).ravel()
    norm_i = m_diag[i] - 2 * alpha * w_ij * np.asarray(P[i, j]).ravel() + alpha**2 * w_ij**2
    norm_j = m_diag[j] - 2 * alpha * w_ji * np.asarray(P[j, i]).ravel() + alpha**2 * w_ji**2
    fixed = cross / np.sqrt(np.maximum(norm_i * norm_j, 1e-12))
    result = result - csr_matrix((np.asarray(result[i, j]).ravel(), (i, j)), shape=(n, n))
    result = result + csr_matrix((fixed, (i, j)), shape=(n, n))
    result.data = np.clip(result.data, 0.0, 1.0)
    result.setdiag(1.0)
    return result.tocsr()


def _smoothed_dense(n: int, a: np.ndarray, b: np.ndarray, sim: np.ndarray) -> np.ndarray:
    """:func:`smoothed_similarity` with dense arrays: the same numbers, faster for the
    many small sets."""
    alpha = SMOOTH_ALPHA
    S = np.zeros((n, n))
    S[a, b] = sim
    S[b, a] = sim
    rows, cols = np.nonzero(S)
    top = _top_per_row(rows, cols, S[rows, cols], SMOOTH_K)
    W = np.zeros((n, n))
    W[rows[top], cols[top]] = S[rows[top], cols[top]]
    SI = S + np.eye(n)
    A = np.eye(n) + alpha * W
    P = A @ SI
    M = P @ A.T
    p_diag = np.diag(P)
    m_diag = np.diag(M)
    cross = M - alpha * W.T * p_diag[:, None] - alpha * W * p_diag[None, :]
    cross += alpha * alpha * W * W.T * SI
    norm_i = m_diag[:, None] - 2 * alpha * W * P + alpha * alpha * W * W
    out = cross / np.sqrt(np.maximum(norm_i * norm_i.T, 1e-12))
    np.fill_diagonal(out, 1.0)
    return np.clip(out, 0.0, 1.0)


def _condensed_distances(times: np.ndarray, similarity: csr_matrix) -> np.ndarray:
    """scipy's condensed distance vector (1 - similarity; 1 where none is stored;
    ``_FAR`` for pairs more than ``MAX_SPAN_DAYS`` apart). ``times`` ascending."""
    n = len(times)
    dist = np.ones(n * (n - 1) // 2, dtype=np.float64)
    upper = similarity.tocoo()
    keep = upper.row < upper.col
    i, j = upper.row[keep].astype(np.int64), upper.col[keep].astype(np.int64)
    dist[n * i - i * (i + 1) // 2 + (j - i - 1)] = 1.0 - upper.data[keep]
    # Members are in time order: the partners too far from i are a suffix of its row.
    limit = np.searchsorted(times, times + MAX_SPAN_DAYS * _DAY, side="right")
    for row in np.flatnonzero(limit < n):
        start = n * row - row * (row + 1) // 2
        dist[start + (limit[row] - row - 1) : start + (n - row - 1)] = _FAR
    return dist


def _merge_groups(times, labels, a, b, sim):
    """The second level: groups of one connected set merged by average linkage over
    their centroid cosines (``GROUP_THRESHOLD``), computed from the links (cosine of the
    summed TF-IDF vectors, pairs without a link counted as 0). A large event's headlines
    form several tight groups (no headline is like every other), but their centroids
    are alike; two events that share a word have unlike centroids."""
    count = int(labels.max()) + 1
    if count == 1:
        return labels
    n = len(labels)
    if n <= _DENSE:
        G = np.zeros((count, count))
        np.add.at(G, (labels[a], labels[b]), sim)
        G = G + G.T + np.diag(np.bincount(labels, minlength=count).astype(np.float64))
    else:
        member = csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, count))
        S = csr_matrix(
            (np.r_[sim, sim].astype(np.float64), (np.r_[a, b], np.r_[b, a])), shape=(n, n)
        )
        S = S + identity(n, format="csr")
        G = (member.T @ S @ member).toarray()
    d = np.sqrt(np.diag(G))
    C = G / np.outer(d, d)
    dist = np.clip(1.0 - C, 0.0, 1.0)
    # groups whose members are too far apart in time never merge
    first = np.full(count, np.inf)
    last = np.full(count, -np.inf)
    np.minimum.at(first, labels, times)
    np.maximum.at(last, labels, times)
    span = np.maximum(last[:, None], last[None, :]) - np.minimum(first[:, None], first[None, :])
    dist[span > MAX_SPAN_DAYS * _DAY] = _FAR
    np.fill_diagonal(dist, 0.0)
    tree = linkage(dist[np.triu_indices(count, 1)], method="average")
    top = fcluster(tree, t=1.0 - GROUP_THRESHOLD, criterion="distance") - 1
    return top[labels].astype(np.int64)


def _average_groups(times: np.ndarray, a: np.ndarray, b: np.ndarray, sim: np.ndarray):
    """Average-linkage groups of one connected set: (labels 0..k-1, medoid flags).
    ``times`` ascending (the members in time order)."""
    n = len(times)
    if n == 1:
        return np.zeros(1, np.int64), np.ones(1, bool)
    if n <= _DENSE:
        # The same numbers as the sparse path, without its per-call overhead (most
        # connected sets are small).
        dense = _smoothed_dense(n, a, b, sim)
        i, j = np.triu_indices(n, 1)
        dist = 1.0 - dense[i, j]
        dist[times[j] - times[i] > MAX_SPAN_DAYS * _DAY] = _FAR
        tree = linkage(dist, method="average")
        labels = (fcluster(tree, t=1.0 - THRESHOLD, criterion="distance") - 1).astype(np.int64)
        labels = _merge_groups(times, labels, a, b, sim)
        score = (dense * (labels[:, None] == labels[None, :])).sum(axis=1)
    else:
        similarity = smoothed_similarity(n, a, b, sim)
        tree = linkage(_condensed_distances(times, similarity), method="average")
        labels = (fcluster(tree, t=1.0 - THRESHOLD, criterion="distance") - 1).astype(np.int64)
        labels = _merge_groups(times, labels, a, b, sim)
        # Medoid: the largest total similarity to the other members; ties: the earliest.
        s = similarity.tocoo()
        inside = labels[s.row] == labels[s.col]
        score = np.bincount(s.row[inside], weights=s.data[inside], minlength=n)
    order = np.lexsort((np.arange(n), -score, labels))
    is_medoid = np.zeros(n, bool)
    first = np.r_[True, labels[order][1:] != labels[order][:-1]]
    is_medoid[order[first]] = True
    return labels, is_medoid


def _local(members: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions in ``members`` (sorted) of each of ``values``."""
    return np.searchsorted(members, values)


def _attach(seconds, labels, medoid, links):
    """The third level, across connected sets and their parts: a group joins the larger
    group it is most linked to when its members' links to it sum to at least
    ``ATTACH_SCORE`` per member and carry at least ``ATTACH_SHARE`` of all its link
    weight (inside links included), the span stays within ``MAX_SPAN_DAYS`` and the
    result within ``MAX_GROUP``; up to ``ATTACH_ROUNDS`` rounds. Average linkage over
    capped links dilutes a large event (each member links to at most ``NEIGHBOURS``
    others, and a giant connected set is cut into parts grouped apart), so its members
    end up in many small groups; each of them is strongly linked to the big one. A
    headline that shares one word with an event has a few weak links to it, and a
    group's own links count against a move. The joining group's medoid yields."""
    _, labels = np.unique(labels, return_inverse=True)
    medoid = medoid.copy()
    k = int(labels.max()) + 1 if len(labels) else 0
    small = labels.astype(np.int32)
    total = np.zeros(k)
    parts = []
    # In chunks, so the copies stay small next to the links (29M at a million titles).
    for start in range(0, len(links), _LINK_CHUNK):
        a = small[links.a[start : start + _LINK_CHUNK]]
        b = small[links.b[start : start + _LINK_CHUNK]]
        s = links.sim[start : start + _LINK_CHUNK]
        # A group's link weight (inside links twice) adds up when groups merge.
        total += np.bincount(a, s, minlength=k) + np.bincount(b, s, minlength=k)
        # Only links between groups matter, and a link inside a group stays inside.
        cross = a != b
        parts.append(_pair_sums(a[cross], b[cross], s[cross].astype(np.float64), k))
    la = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int32)
    lb = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int32)
    sim = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    del parts, small
    la, lb, sim = _pair_sums(la, lb, sim, k)
    for _ in range(ATTACH_ROUNDS):
        if len(la) == 0:
            break
        size = np.bincount(labels, minlength=k)
        x, y, w = la, lb, sim
        # both ways round, summed per (group, other group)
        W = coo_matrix((np.r_[w, w], (np.r_[x, y], np.r_[y, x])), shape=(k, k)).tocsr()
        W.sum_duplicates()
        W = W.tocoo()
        x, y, w = W.row, W.col, W.data
        larger = (size[y] > size[x]) | ((size[y] == size[x]) & (y < x))
        x, y, w = x[larger], y[larger], w[larger]
        order = np.lexsort((y, -w, x))
        x, y, w = x[order], y[order], w[order]
        best = np.r_[True, x[1:] != x[:-1]]
        x, y, w = x[best], y[best], w[best]
        first = np.full(k, np.inf)
        last = np.full(k, -np.inf)
        np.minimum.at(first, labels, seconds)
        np.maximum.at(last, labels, seconds)
        span = np.maximum(last[x], last[y]) - np.minimum(first[x], first[y])
        ok = (w >= ATTACH_SCORE * size[x]) & (w >= ATTACH_SHARE * total[x])
        ok &= span <= MAX_SPAN_DAYS * _DAY
        moving = np.zeros(k, bool)
        moving[x[ok]] = True
        ok &= ~moving[y]  # no chains within a round: a target stays put
        incoming = np.bincount(y[ok], size[x[ok]], minlength=k)
        ok &= size[y] + incoming[y] <= MAX_GROUP
        if not ok.any():
            break
        target = np.arange(k)
        target[x[ok]] = y[ok]
        medoid[target[labels] != labels] = False
        labels = target[labels]
        total = np.bincount(target, total, minlength=k)
        la, lb = target[la], target[lb]
        cross = la != lb
        la, lb, sim = _pair_sums(la[cross], lb[cross], sim[cross], k)
    return labels, medoid


def _pair_sums(x: np.ndarray, y: np.ndarray, w: np.ndarray, k: int):
    """The links between groups summed per unordered pair of groups (``x < y``): the
    third level needs only these sums, and there are far fewer pairs than links."""
    lo = np.minimum(x, y).astype(np.int64)
    hi = np.maximum(x, y).astype(np.int64)
    keys, inverse = np.unique(lo * k + hi, return_inverse=True)
    return (keys // k).astype(np.int32), (keys % k).astype(np.int32), np.bincount(inverse, w)


def group(seconds: np.ndarray, links: Links) -> tuple[np.ndarray, np.ndarray]:
    """Event numbers (0..k-1, in order of first member) and medoid flags for
    ``len(seconds)`` articles linked by ``links``."""
    n = len(seconds)
    labels = np.full(n, -1, dtype=np.int64)
    medoid = np.zeros(n, dtype=bool)
    if n == 0:
        return labels, medoid
    graph = coo_matrix((np.ones(len(links), np.int8), (links.a, links.b)), shape=(n, n))
    count, comp = connected_components(graph, directed=False)
    del graph
    members_of = np.argsort(comp, kind="stable")
    member_bounds = np.searchsorted(comp[members_of], np.arange(count + 1))
    link_comp = comp[links.a]
    order = np.argsort(link_comp, kind="stable")
    bounds = np.searchsorted(link_comp[order], np.arange(count + 1))
    sizes = np.diff(member_bounds)
    # Singletons need no work.
    single = members_of[member_bounds[:-1][sizes == 1]]
    labels[single] = np.arange(len(single))
    medoid[single] = True
    next_label = len(single)
    # Pairs: one link each; together when its cosine reaches the threshold (the
    # smoothed similarity of a pair is its cosine), the earlier one is the medoid.
    in_pair = sizes[link_comp] == 2
    pa, pb, ps = links.a[in_pair], links.b[in_pair], links.sim[in_pair]
    together = (ps >= THRESHOLD) & (np.abs(seconds[pa] - seconds[pb]) <= MAX_SPAN_DAYS * _DAY)
    k = len(pa)
    labels[pb] = next_label + np.arange(k)
    labels[pa] = np.where(together, labels[pb], next_label + k + np.arange(k))
    medoid[pb] = True
    medoid[pa] = ~together
    next_label += 2 * k
    # One connected set at a time (a list of them all would copy every link at once).
    pending = iter(np.flatnonzero(sizes > 2))
    work: list = []

    def next_set():
        if work:
            return work.pop()
        c = next(pending, None)
        if c is None:
            return None
        sel = order[bounds[c] : bounds[c + 1]]
        members = members_of[member_bounds[c] : member_bounds[c + 1]]
        return members, links.a[sel], links.b[sel], links.sim[sel], CANDIDATE

    while (item := next_set()) is not None:
        members, a, b, sim, cut = item
        members = np.sort(members)
        if len(members) > MAX_GROUP:
            cut = round(cut + 0.05, 4)
            strong = sim >= cut
            la = _local(members, a[strong]).astype(np.int32)
            lb = _local(members, b[strong]).astype(np.int32)
            sub = coo_matrix((np.ones(len(la), np.int8), (la, lb)), shape=(len(members),) * 2)
            del la, lb
            _, parts = connected_components(sub, directed=False)
            del sub
            link_part = parts[_local(members, a)].astype(np.int32)
            link_part[~strong] = -1
            link_order = np.argsort(link_part, kind="stable")
            count = int(parts.max()) + 1
            link_bounds = np.searchsorted(link_part[link_order], np.arange(-1, count + 1))
            member_order = np.argsort(parts, kind="stable")
            member_bounds_p = np.searchsorted(parts[member_order], np.arange(count + 1))
            for p in range(count):
                sel = link_order[link_bounds[p + 1] : link_bounds[p + 2]]
                part = member_order[member_bounds_p[p] : member_bounds_p[p + 1]]
                work.append((members[part], a[sel], b[sel], sim[sel], cut))
            continue
        if len(members) == 1:
            local, is_medoid = np.zeros(1, np.int64), np.ones(1, bool)
        else:
            la, lb = _local(members, a), _local(members, b)
            local, is_medoid = _average_groups(seconds[members], la, lb, sim)
        labels[members] = local + next_label
        medoid[members] = is_medoid
        next_label += int(local.max()) + 1
    labels, medoid = _attach(seconds, labels, medoid, links)
    # Renumber by first member, so the numbering does not depend on the work order.
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse], medoid


def cluster(seconds, titles, outlets=None, summaries=None, bodies=None):
    """Group articles into events in memory (the stage's rule, for one corpus).

    ``seconds`` are publication times (seconds since the epoch), sorted ascending.
    Returns ``(labels, medoid, links)``: an event number and a medoid flag per article,
    and the links used.
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
    links = all_links(seconds, docs)
    labels, medoid = group(seconds, links)
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
            con.register("_new_links", table)
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
    con.register(
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
