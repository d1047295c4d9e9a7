"""News events, the grouping: links to events (see :mod:`policykit.enrich.events`, whose
docstring states the whole rule, and docs/enrichment.md, "News events").

Three levels, all computed from the links alone (no text): average linkage over the
second-order similarity of each connected set (:func:`smoothed_similarity`), average
linkage over the centroids of its groups (:func:`_merge_groups`), and, across sets,
small groups joining the larger group they are strongly linked to (:func:`_attach`).
The grouping parameters live here; :mod:`policykit.enrich.events` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix, identity

from .events_memory import (
    _components,
    _fix_mmap_threshold,
    _row_chunks,
    _trim_heap,
)

try:  # scipy's compiled linkage routines (see _average_tree_labels)
    from scipy.cluster import _hierarchy
except ImportError:  # pragma: no cover - another scipy layout: the public functions
    _hierarchy = None

MAX_SPAN_DAYS = 14
CANDIDATE = 0.1
SMOOTH_K = 10
SMOOTH_ALPHA = 1.0
THRESHOLD = 0.3
GROUP_THRESHOLD = 0.2
# 2.0 merged large stories on real UCI gold (P 0.751 -> 0.885 at 3.0; docs/enrichment.md)
ATTACH_SCORE = 3.0
ATTACH_SHARE = 0.2
ATTACH_ROUNDS = 12
MAX_GROUP = 4000
_LINK_CHUNK = 2_000_000  # links (and pairs of groups) read at a time by the passes over them all
_DENSE = 300  # connected sets up to this size use dense arrays
_FAR = 1e9  # distance of a pair that may never share an event
_DAY = 86400.0


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


def _sort_key(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> np.ndarray | None:
    """One uint64 per entry that sorts as (row, value descending, column), or None when
    the three do not fit in 64 bits (rows and columns together in 32 bits, values
    float32 and not negative: their bit patterns then sort as the values do)."""
    vals32 = vals.astype(np.float32, copy=False)
    if vals.dtype != np.float32 and not np.array_equal(vals32, vals):
        return None
    if vals32.min() < 0:
        return None
    row0, col0 = int(rows.min()), int(cols.min())
    row_bits = max(1, (int(rows.max()) - row0).bit_length())
    col_bits = max(1, (int(cols.max()) - col0).bit_length())
    if row_bits + col_bits > 32:
        return None
    key = (rows - row0).astype(np.uint64) << np.uint64(32 + col_bits)
    key |= (np.uint64(0xFFFFFFFF) - vals32.view(np.uint32).astype(np.uint64)) << np.uint64(col_bits)
    key |= (cols - col0).astype(np.uint64)
    return key


def _top_per_row(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values of each row (ties: the smaller column), in
    order of row, then value (largest first), then column."""
    if len(rows) == 0:
        return np.empty(0, np.int64)
    key = _sort_key(rows, cols, vals)
    # A stable sort of one integer key (numpy's radix sort) gives the order of the
    # three-key lexsort, an order of magnitude faster.
    order = np.lexsort((cols, -vals, rows)) if key is None else np.argsort(key, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[(np.arange(len(order)) - first) < k]


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
    for upper in _row_chunks(similarity):
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
    top = _average_tree_labels(dist[np.triu_indices(count, 1)], count, 1.0 - GROUP_THRESHOLD)
    return top[labels]


def _average_tree_labels(dist: np.ndarray, n: int, cut: float) -> np.ndarray:
    """Flat clusters (0..k-1) of average linkage over a condensed distance vector, cut
    at distance ``cut``: scipy's ``fcluster(linkage(dist, "average"), cut, "distance")``.
    Its compiled routines are called directly where they are there: the public functions
    validate their arguments through the array-API layer on every call, which cost more
    than the clustering itself over the ~100,000 small sets of a million titles."""
    if _hierarchy is None:
        tree = linkage(dist, method="average")
        return (fcluster(tree, t=cut, criterion="distance") - 1).astype(np.int64)
    tree = _hierarchy.nn_chain(np.ascontiguousarray(dist, dtype=np.float64), n, 2)
    flat = np.zeros(n, dtype="i")
    _hierarchy.cluster_dist(tree, flat, float(cut), int(n))
    return (flat - 1).astype(np.int64)


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
        labels = _average_tree_labels(dist, n, 1.0 - THRESHOLD)
        labels = _merge_groups(times, labels, a, b, sim)
        score = (dense * (labels[:, None] == labels[None, :])).sum(axis=1)
    else:
        similarity = smoothed_similarity(n, a, b, sim)
        labels = _average_tree_labels(_condensed_distances(times, similarity), n, 1.0 - THRESHOLD)
        labels = _merge_groups(times, labels, a, b, sim)
        # Medoid: the largest total similarity to the other members; ties: the earliest.
        # (a row's entries are summed in the same order whatever the chunks)
        score = np.zeros(n)
        for s in _row_chunks(similarity):
            inside = labels[s.row] == labels[s.col]
            score += np.bincount(s.row[inside], weights=s.data[inside], minlength=n)
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
    keys, sim, total = _cross_pairs(labels.astype(np.int32), links, k)
    for _ in range(ATTACH_ROUNDS):
        if len(keys) == 0:
            break
        size = np.bincount(labels, minlength=k)
        x, y, w = _strongest_larger(keys, sim, size, k)
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
        moved = np.zeros(k, bool)
        moved[x[ok]] = True
        rest, where, sum_keys, sums = _move_pairs(keys, sim, target, moved, k)
        # the pairs kept, compacted in place, then the new sums put in
        keys = np.insert(_compact(keys, rest), where, sum_keys)
        sim = np.insert(_compact(sim, rest), where, sums)
        del rest, where, sum_keys, sums
    return labels, medoid


def _chunks(length: int):
    """Slices of ``_LINK_CHUNK`` over ``range(length)``: the passes over all pairs of
    groups go a chunk at a time, so their temporary arrays stay small."""
    return (slice(start, start + _LINK_CHUNK) for start in range(0, length, _LINK_CHUNK))


def _compact(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values[keep]`` written over the front of ``values`` (a chunk at a time: no copy
    of the whole array), returned as a view of that front."""
    used = 0
    for part in _chunks(len(values)):
        kept = values[part][keep[part]]
        values[used : used + len(kept)] = kept
        used += len(kept)
    return values[:used]


def _cross_pairs(small: np.ndarray, links: Links, k: int):
    """``(keys, sums, total)``: the links between groups (``small``: each article's
    group) summed per unordered pair of groups, as sorted keys ``lo * k + hi``
    (``lo < hi``) and their sums, and each group's link weight (inside links twice).
    The links are read ``_LINK_CHUNK`` at a time; each chunk's pair sums are added to
    those of the chunks before it (:func:`_merge_sums`), which adds the same numbers in
    the same order as summing all chunks' sums at the end would, without holding them."""
    total = np.zeros(k)
    keys, sums = np.empty(0, np.int64), np.empty(0)
    for part in _chunks(len(links)):
        a = small[links.a[part]]
        b = small[links.b[part]]
        s = links.sim[part]
        # A group's link weight (inside links twice) adds up when groups merge.
        total += np.bincount(a, s, minlength=k) + np.bincount(b, s, minlength=k)
        # Only links between groups matter, and a link inside a group stays inside.
        cross = a != b
        la, lb, ls = _pair_sums(a[cross], b[cross], s[cross].astype(np.float64), k)
        del a, b, s, cross
        chunk_keys = la.astype(np.int64) * k + lb
        del la, lb
        where, fresh_keys, fresh_sums = _merge_sums(keys, sums, chunk_keys, ls)
        del chunk_keys, ls
        # one array grown at a time, the old one freed before the next (with both
        # arrays' old and new copies alive at once, these were 4 x 16 bytes a pair)
        keys = np.insert(keys, where, fresh_keys)
        sums = np.insert(sums, where, fresh_sums)
        del where, fresh_keys, fresh_sums
    return keys, sums, total


def _merge_sums(keys, sums, new_keys, new_sums):
    """Sorted unique ``keys`` with ``sums``, and ``new_keys`` (sorted, unique) with
    theirs: a key in both gets its sum plus the new one (in place), the others are to be
    put in order: returns ``(where, fresh_keys, fresh_sums)`` for ``np.insert``."""
    at = np.searchsorted(keys, new_keys)
    found = at < len(keys)
    found[found] = keys[at[found]] == new_keys[found]
    sums[at[found]] += new_sums[found]
    fresh = ~found
    return at[fresh], new_keys[fresh], new_sums[fresh]


def _strongest_larger(keys: np.ndarray, sim: np.ndarray, size: np.ndarray, k: int):
    """For each group with a link to a larger group (equal size: the smaller number),
    that larger group with the largest link sum (ties: the smaller number): ``(x, y,
    w)``, ascending ``x``. Linear in the pairs: a maximum and a minimum per group
    instead of sorting them (each unordered pair is stored once, so no sums are needed),
    a chunk of pairs at a time."""
    best_w = np.full(k, -np.inf)
    best_y = np.full(k, k, dtype=np.int64)
    for step in (0, 1):
        for part in _chunks(len(keys)):
            lo, hi = keys[part] // k, keys[part] % k
            w = sim[part]
            # each pair both ways round: (lo joins hi) and (hi joins lo)
            for x, y in ((lo, hi), (hi, lo)):
                larger = (size[y] > size[x]) | ((size[y] == size[x]) & (y < x))
                if step == 0:
                    np.maximum.at(best_w, x[larger], w[larger])
                else:
                    xs, ys = x[larger], y[larger]
                    top = w[larger] == best_w[xs]
                    np.minimum.at(best_y, xs[top], ys[top])
    x = np.flatnonzero(best_y < k)
    return x, best_y[x], best_w[x]


def _move_pairs(keys, sim, target, moved, k):
    """What becomes of the pair sums when the groups flagged ``moved`` join ``target``:
    ``(rest, where, sum_keys, sums)``, the pairs left as they are (a mask), and the
    summed pairs to insert at ``where`` among them (pairs that became one group are
    dropped, pairs that became the same pair summed). Only the pairs a move touched are
    summed again, in their stored order, so every sum adds the same numbers in the same
    order as summing all pairs afresh would."""
    changed = np.empty(len(keys), bool)
    for part in _chunks(len(keys)):
        changed[part] = moved[keys[part] // k] | moved[keys[part] % k]
    at_changed = np.flatnonzero(changed)
    old = keys[at_changed]
    tlo, thi = target[old // k], target[old % k]
    del old, at_changed
    new_keys = np.minimum(tlo, thi).astype(np.int64) * k + np.maximum(tlo, thi)
    new_keys[tlo == thi] = -1  # now inside one group: dropped
    del tlo, thi
    touched = np.unique(new_keys[new_keys >= 0])
    # an untouched pair whose key a moved pair now shares is summed with it
    at = np.searchsorted(keys, touched)
    valid = at < len(keys)
    at = at[valid][keys[at[valid]] == touched[valid]]
    del touched, valid
    summed = np.zeros(len(keys), bool)
    summed[at] = True
    del at
    summed |= changed
    at_summed = np.flatnonzero(summed)
    picked = keys[at_summed]
    picked[changed[at_summed]] = new_keys
    del new_keys, changed
    weights = sim[at_summed]
    keep = picked >= 0
    sum_keys, inverse = np.unique(picked[keep], return_inverse=True)
    sums = np.bincount(inverse, weights[keep])
    del picked, weights, keep, inverse
    # where each sum goes among the pairs left: before the pairs with a smaller key
    before = np.searchsorted(keys, sum_keys)
    where = before - np.searchsorted(at_summed, before)
    return ~summed, where, sum_keys, sums


def _pair_sums(x: np.ndarray, y: np.ndarray, w: np.ndarray, k: int):
    """The links between groups summed per unordered pair of groups (``x < y``): the
    third level needs only these sums, and there are far fewer pairs than links."""
    keys = np.minimum(x, y).astype(np.int64)
    keys *= k
    keys += np.maximum(x, y)
    keys, inverse = np.unique(keys, return_inverse=True)
    return (keys // k).astype(np.int32), (keys % k).astype(np.int32), np.bincount(inverse, w)


_POOL_LINKS = 500_000  # links below which grouping stays in this process
_BATCH_LINKS = 200_000  # links of the small sets sent to a worker at a time


def _starts(values: np.ndarray, count: int) -> np.ndarray:
    """Where each value 0..count-1 starts in ``values`` sorted, and the end: the
    ``searchsorted`` of the sorted array, from counts (no sorted copy)."""
    return np.r_[0, np.cumsum(np.bincount(values, minlength=count))]


def _set_chunks(comp: np.ndarray, links: Links):
    """``(start, stop, set of each link)`` over the links in chunks of ``_LINK_CHUNK``:
    the links' connected sets without an array of them all (4 bytes a link)."""
    for start in range(0, len(links), _LINK_CHUNK):
        stop = min(start + _LINK_CHUNK, len(links))
        yield start, stop, comp[links.a[start:stop]]


def _order_by_set(comp: np.ndarray, links: Links, wanted: np.ndarray):
    """``(order, bounds)``: the positions of the links of the sets flagged ``wanted``,
    grouped by set and ascending within it (what a stable argsort of the links' sets
    gives), as int32, and where each set's start in it. A counting sort, chunk by
    chunk: no array over all links is made."""
    count = len(wanted)
    per_set = np.zeros(count, np.int64)
    for _, _, sets in _set_chunks(comp, links):
        per_set += np.bincount(sets[wanted[sets]], minlength=count)
    bounds = np.r_[0, np.cumsum(per_set)]
    order = np.empty(int(bounds[-1]), np.int32)
    cursor = bounds[:-1].copy()
    for start, _, sets in _set_chunks(comp, links):
        at = np.flatnonzero(wanted[sets])
        keys = sets[at]
        by_set = np.argsort(keys, kind="stable")
        keys = keys[by_set]
        first = _starts(keys, count)[:-1]
        dest = cursor[keys] + (np.arange(len(keys)) - first[keys])
        order[dest] = at[by_set] + start
        cursor += np.bincount(keys, minlength=count)
    return order, bounds


def _strong_links(comp: np.ndarray, links: Links, c: int, cut: float):
    """``(a, b, sim)`` of the links of connected set ``c`` with cosine at least ``cut``,
    in their order: the only ones a part of the split set can keep."""
    total = 0
    for start, stop, sets in _set_chunks(comp, links):
        total += int(np.count_nonzero((sets == c) & (links.sim[start:stop] >= cut)))
    a, b = np.empty(total, np.int32), np.empty(total, np.int32)
    sim = np.empty(total, np.float32)
    used = 0
    for start, stop, sets in _set_chunks(comp, links):
        keep = np.flatnonzero((sets == c) & (links.sim[start:stop] >= cut)) + start
        m = len(keep)
        a[used : used + m], b[used : used + m] = links.a[keep], links.b[keep]
        sim[used : used + m] = links.sim[keep]
        used += m
    return a, b, sim


def _strong_chunks(sim: np.ndarray, cut: float):
    """``(slice, mask)`` over ``sim`` a chunk at a time: which links reach ``cut``."""
    for part in _chunks(len(sim)):
        yield part, sim[part] >= cut


def _stable_order(keys: np.ndarray, count: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for ``keys`` in ``0..count-1``, as int32 and a
    chunk at a time (a counting sort: 4 bytes a key instead of the argsort's 8)."""
    order = np.empty(len(keys), np.int32)
    cursor = _starts(keys, count)[:-1]
    for part in _chunks(len(keys)):
        chunk = keys[part]
        by_key = np.argsort(chunk, kind="stable")
        sorted_keys = chunk[by_key]
        first = _starts(sorted_keys, count)[:-1]
        order[cursor[sorted_keys] + (np.arange(len(chunk)) - first[sorted_keys])] = (
            by_key + part.start
        )
        cursor += np.bincount(chunk, minlength=count)
    return order


def _split(members: np.ndarray, a: np.ndarray, b: np.ndarray, sim: np.ndarray, cut: float):
    """The parts (``members, a, b, sim``) of a connected set over ``MAX_GROUP``, split by
    dropping its weakest links (the cut raised by 0.05 until every part fits), depth
    first, the last part first. ``members`` (sorted) and the links (``sim`` at least
    ``round(cut + 0.05, 4)``) are reordered in place: each part is a slice of them, its
    links in their given order, so no part is a copy of the set's links."""
    pos = np.empty(int(members.max()) + 1, np.int32)
    work = [(0, len(members), 0, len(a), cut)]
    while work:
        m_lo, m_hi, l_lo, l_hi, cut = work.pop()
        part_members = members[m_lo:m_hi]
        if m_hi - m_lo <= MAX_GROUP:
            yield part_members.copy(), a[l_lo:l_hi], b[l_lo:l_hi], sim[l_lo:l_hi]
            continue
        cut = round(cut + 0.05, 4)
        m = m_hi - m_lo
        pos[part_members] = np.arange(m, dtype=np.int32)
        la, lb, ls = a[l_lo:l_hi], b[l_lo:l_hi], sim[l_lo:l_hi]
        count, parts = _components(
            m, ((pos[la[c][s]], pos[lb[c][s]]) for c, s in _strong_chunks(ls, cut))
        )
        link_part = np.empty(len(la), np.int32)
        for c, s in _strong_chunks(ls, cut):
            link_part[c] = np.where(s, parts[pos[la[c]]], -1)
        # where each part's links start in that order (-1: the dropped links, first)
        link_part += 1  # 0: the dropped links
        link_bounds = _starts(link_part, count + 1) + l_lo
        link_order = _stable_order(link_part, count + 1)
        del link_part
        for column in (la, lb, ls):
            column[:] = column[link_order]
        del link_order
        member_order = np.argsort(parts, kind="stable")
        part_members[:] = part_members[member_order]
        member_bounds = _starts(parts, count) + m_lo
        del member_order, parts
        for p in range(count):
            work.append(
                (
                    member_bounds[p],
                    member_bounds[p + 1],
                    link_bounds[p + 1],
                    link_bounds[p + 2],
                    cut,
                )
            )


def _leaf_sets(seconds, links, comp, count):
    """``(members, a, b, sim)`` of each connected set over two articles, and of each
    part of one over ``MAX_GROUP`` (:func:`_split`), in order of the sets."""
    sizes = np.bincount(comp, minlength=count)
    members_of = np.argsort(comp, kind="stable")
    member_bounds = _starts(comp, count)
    small = (sizes > 2) & (sizes <= MAX_GROUP)
    order, bounds = _order_by_set(comp, links, small)
    for c in np.flatnonzero(sizes > 2):
        members = members_of[member_bounds[c] : member_bounds[c + 1]]
        if small[c]:
            sel = order[bounds[c] : bounds[c + 1]]
            yield members, links.a[sel], links.b[sel], links.sim[sel]
            continue
        cut = round(CANDIDATE + 0.05, 4)  # the first split drops every link below this
        a, b, sim = _strong_links(comp, links, c, cut)
        yield from _split(members.copy(), a, b, sim, CANDIDATE)
        del a, b, sim


def _group_sets(batch: list) -> list:
    """The worker's task: :func:`_average_groups` of each set of a batch."""
    return [_average_groups(times, la, lb, sim) for times, la, lb, sim in batch]


def _group_sets_in_worker(batch: list) -> list:
    """:func:`_group_sets` in a pool worker, which gives freed arrays back."""
    _fix_mmap_threshold()
    return _group_sets(batch)


def _group_pool(workers: int, links: int):
    """A pool of forked workers for the linkage, or None (few links, one worker, no
    fork on this platform)."""
    from ..workers import fork_pool

    return None if links < _POOL_LINKS else fork_pool(workers)


def _map_in_order(pool, seconds, sets):
    """``(members, _average_groups(...))`` of each set, in the order of ``sets``: here,
    or batched through ``pool`` with at most two batches per worker in flight (so the
    sets waiting to be sent never pile up in memory)."""
    from collections import deque

    def tasks():
        batch, members_of, size = [], [], 0
        for members, a, b, sim in sets:
            batch.append((seconds[members], _local(members, a), _local(members, b), sim))
            members_of.append(members)
            size += len(a)
            if size >= _BATCH_LINKS:
                yield members_of, batch
                batch, members_of, size = [], [], 0
        if batch:
            yield members_of, batch

    if pool is None:
        for members_of, batch in tasks():
            yield from zip(members_of, _group_sets(batch), strict=True)
        return
    window: deque = deque()
    limit = 2 * pool._processes
    for members_of, batch in tasks():
        window.append((members_of, pool.apply_async(_group_sets_in_worker, (batch,))))
        del batch
        while len(window) >= limit:
            members_of, result = window.popleft()
            yield from zip(members_of, result.get(), strict=True)
    while window:
        members_of, result = window.popleft()
        yield from zip(members_of, result.get(), strict=True)


def group(seconds: np.ndarray, links: Links, workers: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Event numbers (0..k-1, in order of first member) and medoid flags for
    ``len(seconds)`` articles linked by ``links``. ``workers``: processes that run the
    average linkage of the connected sets (0: one per core; 1: none; with few links it
    runs here); the result is the same."""
    if len(seconds) == 0:
        return np.empty(0, np.int64), np.zeros(0, bool)
    # The workers are forked first, while this process holds little beyond the links
    # (which it never writes), and after the freed heap is given back: a page the parent
    # frees or rewrites after the fork stays resident in each worker (copy-on-write
    # keeps the old one), so forking after the work below left each worker a copy of it.
    _trim_heap()
    pool = _group_pool(workers, len(links))
    try:
        labels, medoid = _grouped(seconds, links, pool)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    labels, medoid = _attach(seconds, labels, medoid, links)
    # Renumber by first member, so the numbering does not depend on the work order.
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse], medoid


def _grouped(seconds, links, pool):
    """:func:`group` up to the third level: ``(labels, medoid)`` of every connected set
    grouped (in ``pool``'s workers when there is one)."""
    n = len(seconds)
    labels = np.full(n, -1, dtype=np.int64)
    medoid = np.zeros(n, dtype=bool)
    count, comp = _components(n, ((links.a[c], links.b[c]) for c in _chunks(len(links))))
    sizes = np.bincount(comp, minlength=count)
    # Singletons need no work.
    single = np.flatnonzero(sizes[comp] == 1)
    single = single[np.argsort(comp[single], kind="stable")]  # in order of their sets
    labels[single] = np.arange(len(single))
    medoid[single] = True
    next_label = len(single)
    # Pairs: one link each; together when its cosine reaches the threshold (the
    # smoothed similarity of a pair is its cosine), the earlier one is the medoid.
    in_pair = (sizes == 2)[comp[links.a]]
    pa, pb, ps = links.a[in_pair], links.b[in_pair], links.sim[in_pair]
    together = (ps >= THRESHOLD) & (np.abs(seconds[pa] - seconds[pb]) <= MAX_SPAN_DAYS * _DAY)
    k = len(pa)
    labels[pb] = next_label + np.arange(k)
    labels[pa] = np.where(together, labels[pb], next_label + k + np.arange(k))
    medoid[pb] = True
    medoid[pa] = ~together
    next_label += 2 * k
    del in_pair, pa, pb, ps, together, single
    # One connected set at a time (a list of them all would copy every link at once),
    # the sets over MAX_GROUP split on the way; in worker processes when there are
    # many links, the results taken in the order the sets were sent.
    sets = _leaf_sets(seconds, links, comp, count)
    for members, (local, is_medoid) in _map_in_order(pool, seconds, sets):
        labels[members] = local + next_label
        medoid[members] = is_medoid
        next_label += int(local.max()) + 1
    return labels, medoid
