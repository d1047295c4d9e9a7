"""Distinctive terms: what sets a topic's coverage apart from the rest.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", section 3.5: the log-odds ratio of
each term with an informative Dirichlet prior, divided by its standard error.
"""

from __future__ import annotations

import functools
import re

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
#: A token: a run of letters, combining marks and digits of any script. \p{M} keeps
#: Indic vowel signs and viramas (and decomposed accents) inside the word, and
#: U+200C/U+200D (zero-width non-joiner/joiner, "Extend" in Unicode's word rules) may
#: join two runs. Apostrophes, hyphens and dashes split, as in Unicode's word breaks:
#: "minister's" counts as "minister" (the "s" is one character, dropped) and French
#: "l'état" as "état". RE2 syntax: DuckDB runs it (terms.sql), and so does tokens().
TOKEN_PATTERN = r"[\p{L}\p{M}\p{N}]+(?:[\x{200C}\x{200D}]+[\p{L}\p{M}\p{N}]+)*"
_SUBTAG = re.compile(r"[a-z]{2,3}")


def primary_language(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: ``"en-US"``, ``"en_us"``,
    ``"EN"`` -> ``"en"``; ``"zh-Hant-TW"`` -> ``"zh"``. None for an empty or malformed
    tag (one that does not start with 2-3 ASCII letters)."""
    if not isinstance(tag, str):
        return None
    head = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return head if _SUBTAG.fullmatch(head) else None


def tokens(text: str) -> list[str]:
    """``text`` split into tokens exactly as distinctive_terms does (lower-cased, by
    TOKEN_PATTERN, in DuckDB), before stop words and one-character tokens are dropped."""
    db = _tokenizer()
    return db.execute(
        f"SELECT regexp_extract_all(lower($t), '{TOKEN_PATTERN}')", {"t": text}
    ).fetchone()[0]


@functools.cache
def _tokenizer():
    import duckdb

    return duckdb.connect()


@functools.cache
def stopwords(language: str | None) -> frozenset[str]:
    """The justext stop list for a language tag's primary subtag (``"en-US"`` uses the
    English list); empty when justext has none or the tag is malformed."""
    import justext

    code = primary_language(language)
    if code is None:
        return frozenset()
    try:
        from babel import Locale

        name = Locale.parse(code).get_language_name("en")
    except Exception:  # noqa: BLE001 - unknown code: no stop list
        return frozenset()
    name = _JUSTEXT_NAMES.get(name, name).replace(" ", "_")
    if name not in justext.get_stoplists():
        return frozenset()
    return frozenset(w.lower() for w in justext.get_stoplist(name))


def _stopword_frame(db) -> pd.DataFrame:
    # Keyed by the tag as stored (terms.sql joins on it), listed by its primary subtag:
    # 'en-us', 'EN' and 'en_GB' all get the English list.
    languages = [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT coalesce(a.language, o.language, 'en') FROM articles a "
            "LEFT JOIN outlets o ON o.domain = a.domain"
        ).fetchall()
    ]
    rows = [(lang, word) for lang in languages for word in sorted(stopwords(lang))]
    return pd.DataFrame(rows, columns=["lang", "word"]).astype("object")


#: The default prior weighs PRIOR_WEIGHT times the background (docs/trends.md: with 1
#: or 3, terms the background never uses fall out of the top of the list).
PRIOR_WEIGHT = 10


def informative_prior(counts_background: np.ndarray, alpha0: float | None = None) -> np.ndarray:
    """The informative Dirichlet prior alpha_w = alpha0 * pi_w of Monroe et al. (2008).

    pi_w is the background share of w with half a count added to every term of the
    vocabulary (Jeffreys), pi_w = (y_bw + 1/2) / (n_b + V/2), so that a term the
    background never uses still has a prior above zero (its variance would otherwise be
    infinite). The alpha_w sum to alpha0. ``alpha0=None`` is the default,
    alpha0 = PRIOR_WEIGHT * (n_b + V/2), which makes alpha_w = 10 * (y_bw + 1/2).
    """
    b = np.asarray(counts_background, dtype="float64")
    if alpha0 is None:
        return PRIOR_WEIGHT * (b + 0.5)
    return alpha0 * (b + 0.5) / (b.sum() + 0.5 * len(b))


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
    alpha0: float | None = None,
    backend: str = "pandas",
):
    """Words and two-word phrases that distinguish a topic's coverage from the rest.

    The text of an article is its title, summary and body, lower-cased and cut into
    runs of letters, combining marks and digits of any script (TOKEN_PATTERN). Stop
    words (the justext list of the primary subtag of the article's language, else its
    outlet's, else English: ``en-US`` uses the English list), one-character tokens and
    numbers are dropped, and so is every bigram containing one. Unigrams and bigrams are
    scored separately (each against its own totals) and ranked together by ``z``.

    The score is the log-odds ratio with an informative Dirichlet prior (Monroe,
    Colaresi & Quinn 2008): alpha_w = alpha0 * (background share of w), see
    :func:`informative_prior`, and ``z`` is the log-odds divided by its standard error.
    ``z`` above 1.96 means a term is used more in the topic than the background would
    suggest, at about the 5 % level.

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
    alpha0
        Strength of the prior, in pseudo-tokens (a positive number). None (default):
        ten times the background's size plus half a count per term, so alpha_w =
        10 * (y_bw + 1/2). Smaller values shrink less, but give the terms the background
        never uses a prior near zero, a huge variance and a ``z`` near 0, so they fall
        out of the list (measured in docs/trends.md).

    Returns
    -------
    DataFrame
        ``term``, ``ngram`` (1 or 2), ``count_topic``, ``count_background``,
        ``log_odds`` and ``z``.
    """
    _core.check_backend(backend)
    _core.check_positive("n", n)
    _core.check_positive("min_count", min_count)
    _check_alpha0(alpha0)
    columns = ["term", "ngram", "count_topic", "count_background", "log_odds", "z"]
    with _core.connection(con) as db:
        flt = _core.make_filter(db, topic, query, start, end, outlets, tz)
        if against != BACKGROUND:
            try:
                _core.check_topic(db, against, "against")
            except ConfigError as exc:
                raise ConfigError(f"{exc} (or {BACKGROUND!r})") from None
        sql, params = _core.build(
            "terms",
            flt,
            {"against": None if against == BACKGROUND else against},
            token_pattern=TOKEN_PATTERN,
        )
        db.register("pk_stopwords", _stopword_frame(db))
        try:
            counts = _core.run(db, sql, params)
        finally:
            db.unregister("pk_stopwords")
    parts = []
    used = {}  # the alpha0 of each n-gram size, for attrs
    for ngram, part in counts.groupby("n", sort=True):
        topic_counts = part["count_topic"].to_numpy()
        background_counts = part["count_background"].to_numpy()
        if len(part) == 1:
            # One term only: its share is 1 on both sides, the odds are infinite, and
            # nothing sets the topic apart.
            delta = z = np.zeros(1)
        else:
            prior = informative_prior(background_counts, alpha0)
            delta, z = log_odds_dirichlet(topic_counts, background_counts, prior)
            used["unigrams" if ngram == 1 else "bigrams"] = float(prior.sum())
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
        "method": "log-odds ratio, informative Dirichlet prior alpha_w = alpha0 x "
        "background share of w (+1/2 count per term) (Monroe, Colaresi & Quinn 2008); "
        + ("alpha0 = 10 x (background tokens + V/2)" if alpha0 is None else "alpha0 given"),
        "alpha0": used,
    }
    return _core.finish(frame[columns], backend, attrs)


def _check_alpha0(alpha0) -> None:
    if alpha0 is None:
        return
    ok = isinstance(alpha0, int | float) and not isinstance(alpha0, bool)
    if not ok or not np.isfinite(alpha0) or alpha0 <= 0:
        raise ConfigError(f"alpha0 {alpha0!r} is not a positive number (or None, the default)")
