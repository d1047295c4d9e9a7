"""Distinctive terms: what sets a topic's coverage apart from the rest.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", section 3.5: the log-odds ratio of
each term with an informative Dirichlet prior, divided by its standard error.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import _core

BACKGROUND = "background"
#: babel's English language names that justext spells differently.
_JUSTEXT_NAMES = {
    "Bangla": "Bengali",
    "Punjabi": "Western_Panjabi",
    "Norwegian Bokmål": "Norwegian_Bokmal",
}


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    """The justext stop list for an ISO 639-1 code (empty when justext has none)."""
    import justext

    try:
        from babel import Locale

        name = Locale.parse(language).get_language_name("en")
    except Exception:  # noqa: BLE001 - unknown or malformed code: no stop list
        return frozenset()
    name = _JUSTEXT_NAMES.get(name, name).replace(" ", "_")
    if name not in justext.get_stoplists():
        return frozenset()
    return frozenset(justext.get_stoplist(name))


def _stopword_frame(db) -> pd.DataFrame:
    languages = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT coalesce(a.language, o.language, 'en') FROM articles a "
            "LEFT JOIN outlets o ON o.domain = a.domain"
        ).fetchall()
    ]
    rows = [(lang, word) for lang in languages for word in sorted(stopwords(lang))]
    return pd.DataFrame(rows, columns=["lang", "word"]).astype("object")


def log_odds_dirichlet(counts_a: np.ndarray, counts_b: np.ndarray, prior: np.ndarray):
    """Weighted log-odds of each term in corpus a vs b, and its z-score.

    ``prior`` holds the pseudo-counts alpha_w. Returns ``(delta, z)`` with
    delta_w = log((y_aw + alpha_w) / (n_a + alpha_0 - y_aw - alpha_w))
            - log((y_bw + alpha_w) / (n_b + alpha_0 - y_bw - alpha_w))
    and z_w = delta_w / sqrt(1 / (y_aw + alpha_w) + 1 / (y_bw + alpha_w)).
    """
    a = counts_a.astype("float64")
    b = counts_b.astype("float64")
    alpha = prior.astype("float64")
    alpha0, n_a, n_b = alpha.sum(), a.sum(), b.sum()
    delta = np.log((a + alpha) / (n_a + alpha0 - a - alpha)) - np.log(
        (b + alpha) / (n_b + alpha0 - b - alpha)
    )
    variance = 1.0 / (a + alpha) + 1.0 / (b + alpha)
    return delta, delta / np.sqrt(variance)


def distinctive_terms(
    con,
    topic: str | None = None,
    query: str | None = None,
    *,
    against: str = BACKGROUND,
    n: int = 30,
    min_count: int = 2,
    start=None,
    end=None,
    outlets=None,
    tz: str | None = None,
    backend: str = "pandas",
):
    """Words and two-word phrases that distinguish a topic's coverage from the rest.

    The text of an article is its title, summary and body, lower-cased and split on
    anything that is not a letter or digit. Stop words (the justext list of the
    article's language, else its outlet's, else English), one-character tokens and
    numbers are dropped, and so is every bigram containing one. Unigrams and bigrams are
    scored separately (each against its own totals) and ranked together by ``z``.

    The score is the log-odds ratio with an informative Dirichlet prior (Monroe,
    Colaresi & Quinn 2008): the prior pseudo-count of a term is its count in the
    combined corpus (topic + background), and ``z`` is the log-odds divided by its
    standard error. ``z`` above 1.96 means a term is used more in the topic than the
    background would suggest, at about the 5 % level.

    Parameters
    ----------
    topic, query, start, end, outlets, tz
        The shared filter: the topic corpus is the matching articles.
    against
        ``"background"`` (the other articles in the outlet/date filter) or a topic name
        (that topic's articles that do not match).
    n
        Terms returned, highest ``z`` first.
    min_count
        Ignore terms used fewer times in the topic's articles.

    Returns
    -------
    DataFrame
        ``term``, ``ngram`` (1 or 2), ``count_topic``, ``count_background``,
        ``log_odds`` and ``z``.
    """
    _core.check_backend(backend)
    _core.check_positive("n", n)
    _core.check_positive("min_count", min_count)
    columns = ["term", "ngram", "count_topic", "count_background", "log_odds", "z"]
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        if against != BACKGROUND:
            try:
                _core.check_topic(db, against, "against")
            except ConfigError as exc:
                raise ConfigError(f"{exc} (or {BACKGROUND!r})") from None
        sql, params = _core.build(
            "terms", flt, {"against": None if against == BACKGROUND else against}
        )
        db.register("pk_stopwords", _stopword_frame(db))
        try:
            counts = _core.run(db, sql, params)
        finally:
            db.unregister("pk_stopwords")
    parts = []
    for ngram, part in counts.groupby("n", sort=True):
        topic_counts = part["count_topic"].to_numpy()
        background_counts = part["count_background"].to_numpy()
        delta, z = log_odds_dirichlet(
            topic_counts, background_counts, topic_counts + background_counts
        )
        parts.append(
            pd.DataFrame(
                {
                    "term": part["term"].to_numpy(),
                    "ngram": int(ngram),
                    "count_topic": topic_counts,
                    "count_background": background_counts,
                    "log_odds": delta,
                    "z": z,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    frame = frame[frame["count_topic"] >= min_count]
    frame = frame.sort_values(["z", "term"], ascending=[False, True], kind="stable").head(n)
    attrs = {
        **_core.describe(flt),
        "against": against,
        "method": "log-odds ratio, informative Dirichlet prior = combined counts "
        "(Monroe, Colaresi & Quinn 2008)",
    }
    return _core.finish(frame[columns], backend, attrs)
