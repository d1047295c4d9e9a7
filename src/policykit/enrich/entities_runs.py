"""Runs of capitalised words: the candidate names the entity recogniser reads.

``SPAN_RE`` defines a run; :func:`_spans` lists an article's runs. Every run begins
with a capital letter except a few that begin in lower case ("al-Qaida", "eBay",
"iPhone"), and those always have a capital within their first five characters. The
scan looks for capitals (a character class the regex engine skips to in C) instead
of trying ``SPAN_RE`` at every position of the text, and tries the lower-case starts
only just before the capitals they need: the same runs as ``SPAN_RE.finditer``
(tests/test_entities_runs.py compares them), for about a third less CPU on GMB texts.
"""

from __future__ import annotations

import re

_CONNECTORS = (
    r"(?:of(?:[ \t]+the)?|for(?:[ \t]+the)?|de|la|del|da|do|dos|van|von|der|den|al|bin|and|&)"
)
_CAP_WORD = (
    r"(?:[A-ZÀ-ÖØ-Þ][\w&\-]*(?:['’][A-Z][a-z]+)?[\w\-]*"  # Clearview, Ton-That, O'Brien
    r"|[a-z]{1,2}[A-Z][\w\-]*)"  # iPhone, eBay
)
_UPPER = "A-ZÀ-ÖØ-Þ"
# The rest of a word of a name after its capital: "al-Qaida", "Shi'ite", "Kwok-hung" (a
# lower-case part after a hyphen), but not "US-led" or "Scientology-owned".
_AFTER_CAPITAL = (
    r"[\w&]*(?:['’](?!s\b)[A-Za-z]+)?"
    r"(?:-(?![a-z]+ed\b|(?:based|led|run|born|style|era|made|like|wide|free|friendly|only|old|"
    r"year|type|level|specific|related|speaking|language|sponsored)\b)[\w&]+)*"
)
_LOWER_START = r"[a-z]{1,2}[A-Z][\w\-]*"  # iPhone, eBay
# A word of a name for the recogniser.
_NAME_WORD = rf"(?:(?:(?:al|el|ad|bin|ibn)-)?[{_UPPER}]{_AFTER_CAPITAL}|{_LOWER_START})"
_MORE_WORDS = rf"(?:[ \t]+(?:{_CONNECTORS}[ \t]+)?{_NAME_WORD})*"
SPAN_RE = re.compile(rf"\b{_NAME_WORD}{_MORE_WORDS}")
# SPAN_RE at a capital: the same match (a capital cannot begin the other forms of a
# word). It begins with the capital, so the engine skips to capitals; the look-behind
# is the \b (the capital is a word character, so the one before it must not be).
_CAPITAL_RUN_RE = re.compile(rf"[{_UPPER}](?<!\w\w){_AFTER_CAPITAL}{_MORE_WORDS}")
# Where SPAN_RE can begin in lower case: at a word boundary, "al-", "el-", "ad-",
# "bin-" or "ibn-" before a capital, or one or two lower-case letters before a capital.
_LOWER_RUN_START_RE = re.compile(rf"\b(?:(?:al|el|ad|bin|ibn)-[{_UPPER}]|[a-z]{{1,2}}[A-Z])")
# The capitals such a start needs, each found by the look-behind that ends at it.
_AFTER_LOWER_START_RE = re.compile(
    rf"[{_UPPER}](?:(?<=(?<!\w)[a-z][A-Z])|(?<=(?<!\w)[a-z][a-z][A-Z])"
    r"|(?<=\b(?:al|el|ad)-.)|(?<=\b(?:bin|ibn)-.))"
)


def _runs(text: str) -> list[re.Match]:
    """``list(SPAN_RE.finditer(text))``, found faster (see the module's docstring)."""
    lower = sorted(
        {
            p
            for cap in _AFTER_LOWER_START_RE.finditer(text)
            for p in range(max(0, cap.start() - 4), cap.start())
            if _LOWER_RUN_START_RE.match(text, p)
        }
    )
    if not lower:
        return list(_CAPITAL_RUN_RE.finditer(text))
    # The leftmost run from ``pos``: the next run from a capital or the next lower-case
    # start, whichever comes first (as finditer would find it).
    out: list[re.Match] = []
    pos, k, capital = 0, 0, None
    while True:
        if capital is None or capital.start() < pos:
            capital = _CAPITAL_RUN_RE.search(text, pos)
        while k < len(lower) and lower[k] < pos:
            k += 1
        if k < len(lower) and (capital is None or lower[k] < capital.start()):
            m = SPAN_RE.match(text, lower[k])
        else:
            m = capital
        if m is None:
            return out
        out.append(m)
        pos = m.end()


#: A run as :func:`_spans` gives it: its words, the offsets of its first character and
#: of its end in the text, and whether its first word begins a sentence.
Span = tuple[list[str], int, int, bool]


_OPENERS = frozenset(" \t\"“‘('-–—•*")
_CLOSERS = frozenset("\"”’')]")


def _sentence_initial(text: str, start: int) -> bool:
    """Does the word at ``start`` begin a sentence, a line or a quotation?"""
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    while i >= 0 and text[i] in _CLOSERS:
        i -= 1
    return i >= 0 and text[i] in ".!?…:"


def _spans(text: str) -> list[Span]:
    # A run glued to a lower-case prefix ("pro-Beijing", "anti-American") is a modifier.
    return [
        (m.group(0).split(), start, m.end(), _sentence_initial(text, start))
        for m in _runs(text)
        if not ((start := m.start()) > 1 and text[start - 1] == "-" and text[start - 2].isalpha())
    ]


_LOWER_RE = re.compile(r"(?<![\w'’-])[a-zà-ÿ][\w'’-]*")  # words written in lower case
_LOWER_WORD_RE = re.compile(r"[\w'’-]+")  # the characters of _LOWER_RE's words


def _written_lower(text: str, low: str) -> bool:
    """Is ``low`` one of ``_LOWER_RE.findall(text)``? Those are the maximal runs of
    word characters (and ' ’ -) that start with a lower-case letter; the text is
    searched for ``low`` (str.find) rather than listing all of them."""
    if not _LOWER_RE.fullmatch(low):
        return False
    n, i = len(low), text.find(low)
    while i >= 0:
        if (i == 0 or not _LOWER_WORD_RE.match(text, i - 1)) and _LOWER_WORD_RE.match(
            text, i
        ).end() == i + n:
            return True
        i = text.find(low, i + 1)
    return False
