"""distinctive_terms: the informative Dirichlet prior of Monroe, Colaresi & Quinn (2008).

alpha_w = alpha0 * pi_w, pi_w = (y_bw + 1/2) / (n_b + V/2) (the background share of w
with half a count per term); by default alpha0 = 10 * (n_b + V/2). The reference below is written from the paper's equations,
independently of policykit.trends.terms:

    delta_w = log((y_wi + a_w) / (n_i + a0 - y_wi - a_w))
            - log((y_wj + a_w) / (n_j + a0 - y_wj - a_w))
    var_w   = 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
    z_w     = delta_w / sqrt(var_w)

The bug this guards against: with the old prior (each term's pooled topic+background
count) log_odds was the same (~1.2-1.35) for every topic-only unigram, whether it
occurred 2 or 350 times.
"""

from __future__ import annotations

import collections
import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from policykit import store
from policykit.cli import main
from policykit.errors import ConfigError
from policykit.trends import distinctive_terms
from policykit.trends.terms import informative_prior, log_odds_dirichlet


def reference(y_i, y_j, a):
    """The paper's equations, term by term, in plain numpy."""
    y_i, y_j, a = (np.asarray(x, dtype="float64") for x in (y_i, y_j, a))
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), a.sum()
    delta = np.log((y_i + a) / (n_i + a0 - y_i - a)) - np.log((y_j + a) / (n_j + a0 - y_j - a))
    var = 1.0 / (y_i + a) + 1.0 / (y_j + a)
    return delta, delta / np.sqrt(var)


def prior(y_j, alpha0):
    y_j = np.asarray(y_j, dtype="float64")
    share = (y_j + 0.5) / (y_j.sum() + 0.5 * len(y_j))
    return 10 * (y_j + 0.5) if alpha0 is None else alpha0 * share


# --- the formula -----------------------------------------------------------------------


def test_prior_is_alpha0_times_background_share():
    background = np.array([0, 1, 3, 96])
    alpha = informative_prior(background, 50.0)
    # n_b = 100, V = 4: shares 0.5/102, 1.5/102, 3.5/102, 96.5/102.
    assert alpha == pytest.approx([50 * 0.5 / 102, 50 * 1.5 / 102, 50 * 3.5 / 102, 50 * 96.5 / 102])
    assert alpha.sum() == pytest.approx(50.0)
    # The default: alpha0 = 10 (n_b + V/2), so alpha_w = 10 (y_bw + 1/2).
    assert informative_prior(background) == pytest.approx([5, 15, 35, 965])
    assert informative_prior(background).sum() == pytest.approx(10 * (100 + 4 / 2))
    assert informative_prior(background, 1020.0) == pytest.approx(informative_prior(background))


@settings(max_examples=200)
@given(
    table=st.integers(2, 60).flatmap(
        lambda v: st.tuples(
            hnp.arrays(np.int64, v, elements=st.integers(0, 5000)),
            hnp.arrays(np.int64, v, elements=st.integers(0, 5000)),
        )
    ),
    alpha0=st.one_of(st.none(), st.floats(0.01, 1e7)),
)
def test_agrees_with_reference_on_random_tables(table, alpha0):
    topic, background = table
    a = prior(background, alpha0)
    delta, z = log_odds_dirichlet(topic, background, informative_prior(background, alpha0))
    ref_delta, ref_z = reference(topic, background, a)
    # Two terms or more: every prior is > 0, so no denominator is 0.
    assert np.isfinite(ref_z).all() and np.isfinite(z).all()
    assert np.max(np.abs(z - ref_z)) < 1e-9
    assert np.max(np.abs(delta - ref_delta)) < 1e-9


def test_old_prior_was_flat_new_is_not():
    # Topic-only terms used 2, 10, 50 and 350 times, among shared terms.
    topic = np.array([2, 10, 50, 350, 400, 300, 200])
    background = np.array([0, 0, 0, 0, 4000, 3000, 6000])
    old, _ = log_odds_dirichlet(topic, background, topic + background)
    new, _ = log_odds_dirichlet(topic, background, informative_prior(background))
    assert np.ptp(old[:4]) < 0.05  # the bug: the same log-odds whatever the count
    assert np.all(np.diff(new[:4]) > 0.5)  # now it grows with the count
    # Default prior: 10 * (0 + 1/2) = 5 for a topic-only term, so its log-odds is
    # log(y + 5) plus a constant (up to the n_t - y in the denominator).
    assert new[3] - new[0] == pytest.approx(np.log(355 / 7), abs=0.05)


# --- end to end: counts made here, scored in the database ------------------------------

WORDS = ["zorb", "quux", "blick", "frell", "snorp", "wibble", "glarn", "tvek"]


def make_db(path, docs):
    """Articles whose titles are the given word lists; ``hit`` ones are topic 'ai'."""
    con = store.connect(path)
    con.execute(
        "INSERT INTO outlets VALUES ('a.example', 'Alpha', 'IN', 'en', 'daily', 'DMY', 'registry')"
    )
    for i, (hit, words) in enumerate(docs):
        con.execute(
            "INSERT INTO articles (article_id, url, canonical_url, domain, outlet, title,"
            " published_at, language, source_path, source_locator, ingested_at) VALUES"
            " (?, ?, ?, 'a.example', 'Alpha', ?, TIMESTAMPTZ '2024-01-01 10:00:00+00'"
            " + INTERVAL (?) DAY, 'en', 'fixture', ?, now())",
            [
                f"x{i}",
                f"https://a.example/{i}",
                f"https://a.example/{i}",
                " ".join(words),
                i % 20,
                f"row:{i}",
            ],
        )
        if hit:
            con.execute(
                "INSERT INTO article_topics SELECT $1, 'ai', 1, article_key FROM articles "
                "WHERE article_id = $1",
                [f"x{i}"],
            )
    return con


def counted(docs):
    """Unigram and bigram counts per side, by plain Python."""
    counts = {1: collections.Counter(), 2: collections.Counter()}
    for hit, words in docs:
        for w in words:
            counts[1][(w, hit)] += 1
        for w1, w2 in zip(words, words[1:], strict=False):
            counts[2][(f"{w1} {w2}", hit)] += 1
    return counts


def random_docs(seed, n_docs=60):
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        hit = i % 3 == 0
        # Topic documents lean on the first words, the background on the last ones.
        weights = np.linspace(3, 1, len(WORDS)) if hit else np.linspace(1, 3, len(WORDS))
        words = list(rng.choice(WORDS, size=int(rng.integers(3, 12)), p=weights / weights.sum()))
        docs.append((hit, words))
    return docs


@pytest.mark.parametrize(("seed", "alpha0"), [(1, None), (2, 40.0), (3, 2500.0), (4, 0.5)])
def test_distinctive_terms_matches_reference(tmp_path, seed, alpha0):
    docs = random_docs(seed)
    con = make_db(tmp_path / "t.duckdb", docs)
    got = distinctive_terms(con, "ai", n=10_000, min_count=1, alpha0=alpha0)
    con.close()
    counts = counted(docs)
    for ngram in (1, 2):
        vocab = sorted({term for term, _ in counts[ngram]})
        y_i = np.array([counts[ngram][(t, True)] for t in vocab])
        y_j = np.array([counts[ngram][(t, False)] for t in vocab])
        delta, z = reference(y_i, y_j, prior(y_j, alpha0))
        expected = pd.DataFrame({"term": vocab, "y_i": y_i, "y_j": y_j, "delta": delta, "z": z})
        expected = expected[expected["y_i"] >= 1].set_index("term")
        part = got[got["ngram"] == ngram].set_index("term")
        assert sorted(part.index) == sorted(expected.index)
        assert (part["count_topic"] == expected.loc[part.index, "y_i"]).all()
        assert (part["count_background"] == expected.loc[part.index, "y_j"]).all()
        assert np.max(np.abs(part["z"] - expected.loc[part.index, "z"])) < 1e-9
        assert np.max(np.abs(part["log_odds"] - expected.loc[part.index, "delta"])) < 1e-9


def test_topic_only_terms_of_different_frequency(tmp_path):
    # 'zorb' in 350 topic titles, 'quux' in 2, 'blick' in 20; none in the background.
    # 'frell' is everywhere, so the sides have text to compare.
    docs = [(True, ["zorb", "frell"]) for _ in range(350)]
    docs += [(True, ["quux", "frell"]) for _ in range(2)]
    docs += [(True, ["blick", "frell"]) for _ in range(20)]
    docs += [(False, ["frell", "snorp"]) for _ in range(400)]
    con = make_db(tmp_path / "t.duckdb", docs)
    frame = distinctive_terms(con, "ai", n=100, min_count=1).set_index("term")
    con.close()
    assert frame.loc[["zorb", "blick", "quux"], "count_background"].tolist() == [0, 0, 0]
    odds = frame.loc[["quux", "blick", "zorb"], "log_odds"].to_numpy()
    assert np.all(np.diff(odds) > 1.0), odds
    z = frame.loc[["quux", "blick", "zorb"], "z"].to_numpy()
    assert np.all(np.diff(z) > 0), z


def test_alpha0_changes_the_scores(tmp_path):
    docs = random_docs(7)
    con = make_db(tmp_path / "t.duckdb", docs)
    weak = distinctive_terms(con, "ai", n=100, min_count=1, alpha0=1.0).set_index("term")
    strong = distinctive_terms(con, "ai", n=100, min_count=1, alpha0=1e6).set_index("term")
    assert weak.attrs["alpha0"] == pytest.approx({"unigrams": 1.0, "bigrams": 1.0})
    default = distinctive_terms(con, "ai", n=100, min_count=1)
    counts = counted(docs)
    n_b = sum(v for (_, hit), v in counts[1].items() if not hit)
    vocabulary = len({t for t, _ in counts[1]})
    assert default.attrs["alpha0"]["unigrams"] == pytest.approx(10 * (n_b + vocabulary / 2))
    con.close()
    shared = weak.index.intersection(strong.index)
    # A stronger prior pulls every log-odds towards 0.
    assert (strong.loc[shared, "log_odds"].abs() < weak.loc[shared, "log_odds"].abs()).all()


def test_one_term_vocabulary_scores_zero(tmp_path):
    # One bigram in the whole corpus: its share is 1 on both sides and the odds are
    # infinite; nothing can set the topic apart, so log_odds and z are 0, not NaN.
    docs = [(True, ["zorb", "quux"])] * 3 + [(False, ["zorb", "quux"])] * 2
    con = make_db(tmp_path / "t.duckdb", docs)
    frame = distinctive_terms(con, "ai", n=100, min_count=1)
    con.close()
    bigram = frame[frame["ngram"] == 2]
    assert bigram["term"].tolist() == ["zorb quux"]
    assert bigram[["log_odds", "z"]].to_numpy().tolist() == [[0.0, 0.0]]
    assert np.isfinite(frame[["log_odds", "z"]].to_numpy()).all()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "ten", True])
def test_bad_alpha0_is_one_line(tmp_path, bad):
    con = make_db(tmp_path / "t.duckdb", random_docs(1, 6))
    with pytest.raises(ConfigError, match="alpha0") as info:
        distinctive_terms(con, "ai", alpha0=bad)
    con.close()
    assert "\n" not in str(info.value)


def test_cli_alpha0(tmp_path):
    docs = random_docs(5)
    make_db(tmp_path / "t.duckdb", docs).close()
    db = str(tmp_path / "t.duckdb")
    args = [
        "trends",
        "terms",
        "ai",
        "--db",
        db,
        "--format",
        "csv",
        "--n",
        "500",
        "--min-count",
        "1",
    ]
    result = CliRunner().invoke(main, [*args, "--alpha0", "40"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.output), keep_default_na=False)
    counts = counted(docs)
    vocab = sorted({t for t, _ in counts[1]})
    y_i = np.array([counts[1][(t, True)] for t in vocab])
    y_j = np.array([counts[1][(t, False)] for t in vocab])
    _, z = reference(y_i, y_j, prior(y_j, 40.0))
    want = dict(zip(vocab, z, strict=True))
    unigrams = frame[frame["ngram"] == 1]
    # CSV keeps enough digits for 1e-9 on z of this size.
    assert max(abs(row.z - want[row.term]) for row in unigrams.itertuples()) < 1e-9
    bad = CliRunner().invoke(main, [*args, "--alpha0", "-3"])
    assert bad.exit_code != 0
    assert "alpha0 -3.0 is not a positive number" in bad.output
    assert "Traceback" not in bad.output
