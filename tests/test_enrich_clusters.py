"""MinHash signatures and cluster components."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.enrich import clusters

WORDS = [f"w{i}" for i in range(400)]


def _text(seed: int, n: int = 200) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(WORDS, size=n))


def test_identical_bodies_have_identical_signatures():
    body = _text(1)
    assert clusters.signature(body) == clusters.signature(body.upper())
    assert clusters.similarity(clusters.signature(body), clusters.signature(body)) == 1.0


def test_reprint_is_similar_and_other_story_is_not():
    body = _text(1)
    reprint = "NEW DELHI (PTI) - " + body + " With inputs from agencies."
    other = _text(2)
    sig = clusters.signature(body)
    assert clusters.similarity(sig, clusters.signature(reprint)) >= clusters.THRESHOLD
    assert clusters.similarity(sig, clusters.signature(other)) < 0.2


def test_signature_matches_datasketch_update_batch_over_the_shingles():
    body = _text(3)
    m = MinHash(num_perm=clusters.NUM_PERM, seed=clusters.SEED, hashfunc=int)
    m.update_batch(clusters.shingle_hashes(body).tolist())
    assert clusters.signature(body) == m.hashvalues.astype(np.uint32).tobytes()


def test_short_or_missing_bodies_get_no_signature():
    assert clusters.signature(None) is None
    assert clusters.signature("too short " * 5) is None


def test_lsh_parameters_come_from_datasketch():
    assert clusters.BANDS * clusters.ROWS <= clusters.NUM_PERM
    assert len(clusters.bands(clusters.signature(_text(4)))) == clusters.BANDS


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 15), st.integers(0, 15), st.sampled_from(["minhash", "title_window"])
        ),
        max_size=30,
    )
)
def test_components_are_connected_components(links):
    links = [(f"a{x}", f"a{y}", m) for x, y, m in links if x != y]
    comp = clusters.components(links)
    # linked articles share a root; the root is the smallest id of its component
    for a, b, _ in links:
        assert comp[a][0] == comp[b][0]
    roots = {}
    for node, (root, method) in comp.items():
        roots.setdefault(root, set()).add(node)
        assert method in ("minhash", "title_window")
    for root, members in roots.items():
        assert root == min(members)
        has_minhash = any(m == "minhash" and a in members for a, _, m in links)
        assert all(comp[n][1] == ("minhash" if has_minhash else "title_window") for n in members)
