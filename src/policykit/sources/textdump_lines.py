"""Line features and the line classifier of the text-dump cleaner.

:mod:`policykit.sources.textdump` finds the article among a dump's lines; this module
says what each line (or hard-wrapped block) looks like on its own: its length, whether it
ends like a sentence, its stop-word density in the dump's language (jusText's stop lists),
and which boilerplate family of ``data/boilerplate_patterns.txt`` it belongs to. The
scores it gives feed the densest-run search in :mod:`~policykit.sources.textdump`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from .textdump_authors import byline_names as _byline_names
from .textdump_authors import date_line as _date_line

# ---------------------------------------------------------------------------------------
# Line features


_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\w+", re.UNICODE)
# Scripts written without spaces between words: a character carries about a word.
_SPACELESS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
    r"\u1000-\u109f\u1780-\u17ff\uac00-\ud7af]"
)
_SENTENCE_END = re.compile(r"[.!?。！？…:;\"'”’»)\]।॥؟۔။]\s*$")
_PUNCT = "".join(
    chr(c) for c in range(0x2070) if unicodedata.category(chr(c)).startswith(("P", "S"))
)
_TRUNCATED = re.compile(r"(\.\.\.|…|\[\.\.\.\]|\[…\])\s*$")


def normalise_line(line: str) -> str:
    """The form under which lines are compared across documents.

    Case-folded, whitespace collapsed, digit runs replaced by ``0`` (so "© 2008-2021" and
    "© 2008-2022" are the same footer line), Unicode NFKC.
    """
    text = unicodedata.normalize("NFKC", line)
    text = _WS.sub(" ", text).strip().casefold()
    return _DIGITS.sub("0", text)


def _effective_length(line: str) -> int:
    """Characters, with a character of a spaceless script counted as a short word."""
    return len(line) + 3 * len(_SPACELESS.findall(line))


def _is_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


_FULL_STOP = re.compile(r"[.!?。！？।॥؟۔။][\"'”’»)\]]*\s*$")


# ---------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class _Section:
    kind: str
    max_chars: int
    nosentence: bool
    patterns: tuple[str, ...]  # the section's patterns, as written in the file
    # The same patterns in two parts, with the same matches: those anchored at the start
    # of the line ("^..."), tried once with ``match``, and the rest, searched. One
    # alternation of both kinds retries every anchored branch at each position.
    start: re.Pattern | None = None
    anywhere: re.Pattern | None = None

    def search(self, line: str) -> bool:
        return bool(
            (self.start is not None and self.start.match(line))
            or (self.anywhere is not None and self.anywhere.search(line))
        )


def _anchored(pattern: str) -> bool:
    """The pattern can only match at the start of a line: it opens with ``^`` outside any
    alternation (so ``match`` finds what ``search`` would).

    Read with the standard library's own regular-expression parser (private, present in
    Python 3.11-3.13); where it is missing every pattern counts as unanchored, which is
    only slower (``search`` finds what ``match`` would)."""
    try:
        from re import _constants, _parser
    except ImportError:
        return False
    parsed = _parser.parse(pattern, re.IGNORECASE)
    return bool(parsed.data) and parsed.data[0] == (_constants.AT, _constants.AT_BEGINNING)


def _alternation(patterns: list[str]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


_HEADER = re.compile(r"^\[(?P<kind>[a-z]+)\s+max=(?P<max>\d+)(?P<nosentence>\s+nosentence)?\]$")


@functools.cache
def _patterns() -> tuple[_Section, ...]:
    """Sections of ``boilerplate_patterns.txt``, each with two compiled alternations."""
    text = resources.files("policykit").joinpath("data/boilerplate_patterns.txt").read_text("utf-8")
    sections: list[_Section] = []
    header = None
    lines: list[str] = []

    def flush():
        if header is not None and lines:
            anchored = [p for p in lines if _anchored(p)]
            sections.append(
                _Section(
                    header["kind"],
                    int(header["max"]),
                    bool(header["nosentence"]),
                    tuple(lines),
                    _alternation(anchored),
                    _alternation([p for p in lines if p not in anchored]),
                )
            )

    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        match = _HEADER.match(raw.strip())
        if match:
            flush()
            header, lines = match, []
        else:
            lines.append(raw.strip())
    flush()
    return tuple(sections)


def _pattern_kind(line: str) -> str | None:
    """The boilerplate kind whose pattern matches ``line``, if any."""
    collapsed = _WS.sub(" ", line).strip()
    if len(collapsed) > _longest_section():
        return None  # longer than any section applies to: a paragraph
    return _collapsed_kind(collapsed)


@functools.cache
def _longest_section() -> int:
    return max((section.max_chars for section in _patterns()), default=0)


# Menus, footers and share bars recur on every page of an outlet: the same line is looked
# up once (a pure function of the line; the cache holds at most 16384 lines, none longer
# than the longest section's limit).
@functools.lru_cache(maxsize=1 << 14)
def _collapsed_kind(collapsed: str) -> str | None:
    sentence = bool(_FULL_STOP.search(collapsed))
    for section in _patterns():
        if len(collapsed) > section.max_chars or (section.nosentence and sentence):
            continue
        if section.search(collapsed):
            return section.kind
    return None


# ---------------------------------------------------------------------------------------
# Language and stop words


# py3langid ISO 639-1 codes -> jusText stop-list names.
_STOPLIST_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian",
    "bg": "Bulgarian", "bn": "Bengali", "br": "Breton", "bs": "Bosnian", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "ht": "Haitian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic",
    "it": "Italian", "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "kn": "Kannada",
    "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam",
    "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "nb": "Norwegian_Bokmal",
    "ne": "Nepali", "nl": "Dutch", "nn": "Norwegian_Nynorsk", "no": "Norwegian_Bokmal",
    "oc": "Occitan", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "wa": "Walloon",
    "yo": "Yoruba",
}  # fmt: skip


@functools.cache
def _stoplist(language: str | None) -> frozenset[str]:
    """jusText's stop list for an ISO code; the union of all lists when unknown."""
    import justext  # imported lazily: only text dumps need it

    name = _STOPLIST_NAMES.get(language or "")
    if name:
        return frozenset(w.casefold() for w in justext.get_stoplist(name))
    # No list for this language (or the language is unknown): the union of all lists
    # still marks the function words of Latin-script languages; scripts outside the
    # union get the length-and-punctuation fallback in _classify.
    if language is None:
        words: set[str] = set()
        for any_name in justext.get_stoplists():
            words.update(w.casefold() for w in justext.get_stoplist(any_name))
        return frozenset(words)
    return frozenset()


def _detect_language(lines: Iterable[str]) -> str | None:
    """ISO code of the dump's prose (its longer lines), or None when too little text."""
    sample = " ".join(line for line in lines if len(line) >= 40)[:5000]
    if len(sample) < 40:
        return None
    import py3langid

    code, _ = py3langid.classify(sample)
    return code


# ---------------------------------------------------------------------------------------
# Classification of units (lines, or blocks of a hard-wrapped dump)


@dataclass
class _Unit:
    lines: list[str]  # input lines, stripped
    text: str  # lines joined by a space, whitespace collapsed
    kind: str = "short"  # good | neargood | short | prose_bad | a boilerplate kind
    score: float = 0.0
    removed_reason: str | None = None


# Scores for the densest-run search: prose adds, boilerplate subtracts. Ads and captions
# sit inside articles, so they cost nothing; markers that end an article cost a lot.
_KIND_SCORE = {
    "ad": 0.0,
    "caption": -1.0,
    "dateline": -1.0,
    "byline": -1.0,
    "short": -1.0,
    "widget": -2.0,
    "teaser": -8.0,
    "related": -3.0,
    "toc": 0.0,
    "prose_bad": -6.0,
    "nav": -8.0,
    "share": -6.0,
    "cookie": -20.0,
    "newsletter": -20.0,
    "footer": -20.0,
    "legal": -20.0,
    "bio": -20.0,
    "boilerplate": -12.0,
    "endmarker": -30.0,
}
_REMOVED_KINDS = set(_KIND_SCORE) - {"short"}


def _classify(unit: _Unit, stopwords: frozenset[str], spaceless: bool, known: set[str]) -> None:
    text = unit.text
    length = _effective_length(text)
    if known and normalise_line(text) in known and not _date_line(text):
        # A dateline is never boilerplate: with digits normalised, every page of a
        # month shares it ("published: 0 dec 0"), yet it dates this page alone.
        unit.kind = "boilerplate"
    elif (kind := _pattern_kind(text)) is not None:
        unit.kind = kind
    elif _byline_names(text):
        unit.kind = "byline"
    elif _date_line(text):
        unit.kind = "dateline"
    elif _TRUNCATED.search(text) and len(text.split()) >= 6:
        unit.kind = "teaser"
    elif length < 40:
        unit.kind = "short"
    else:
        sentence = _is_sentence(text)
        if spaceless or not stopwords:
            # No usable stop list (a script without spaces, or a language jusText has
            # no list for): long lines and sentences count as prose.
            density = 0.3 if sentence or length >= 150 else 0.15
        else:
            tokens = [t.strip(_PUNCT).casefold() for t in text.split()]
            density = sum(t in stopwords for t in tokens) / max(len(tokens), 1)
        full_stop = bool(_FULL_STOP.search(text)) or length >= 200
        if density >= 0.25 or (sentence and density >= 0.15):
            # Headlines of teaser lists read like prose but do not end like a sentence.
            unit.kind = "good" if length >= 70 and full_stop else "neargood"
        elif density >= 0.15 or sentence:
            unit.kind = "neargood"
        else:
            unit.kind = "prose_bad"
    if unit.kind == "good":
        unit.score = 5.0 + min(length, 600) / 20.0
    elif unit.kind == "neargood":
        # Lines that do not end like a sentence (headlines of teaser lists, subheadings)
        # neither extend nor break an article.
        unit.score = 2.0 if _FULL_STOP.search(text) else -0.5
    else:
        unit.score = _KIND_SCORE.get(unit.kind, -20.0)


def _looks_wrapped(blocks: list[list[str]]) -> bool:
    """True when paragraphs are hard-wrapped over several lines (blank lines between)."""
    multi = [b for b in blocks if len(b) >= 3]
    if len(multi) < 2:
        return False
    lines = [line for b in multi for line in b[:-1]]
    fitting = sum(40 <= len(line) <= 100 for line in lines)
    return fitting >= 0.8 * len(lines)


def _units(text: str) -> list[_Unit]:
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if _looks_wrapped(blocks):
        return [_Unit(b, _WS.sub(" ", " ".join(b))) for b in blocks]
    units: list[_Unit] = []
    for block in blocks:
        for line in block:
            if units and _continues(units[-1].lines[-1], line):
                units[-1].lines.append(line)
                units[-1].text = _WS.sub(" ", units[-1].text + " " + line)
            else:
                units.append(_Unit([line], _WS.sub(" ", line)))
    return units


#: Shortest line taken as a hard-wrapped line of a paragraph (the lines of a menu are
#: shorter).
_WRAP_MIN = 35
# "mehr: <headline>", "via: <source>": a link label, not the rest of a sentence.
_LABEL_START = re.compile(r"^\w+\s*:")
# A breadcrumb ("Home → News → <headline>") is no sentence to carry on.
_PATH_SEPARATOR = re.compile(r"[→»›|]|\s[/>]\s")


def _starts_lower(line: str) -> bool:
    first = line.lstrip("\"'„“‘«(")[:1]
    return first.isalpha() and first.islower()


def _continues(previous: str, line: str) -> bool:
    """``line`` carries on the sentence of ``previous``: a paragraph hard-wrapped without
    blank lines (text copied from a PDF or a ``<pre>``), where a line ends mid-sentence
    and the next starts in lower case."""
    return (
        len(previous) >= _WRAP_MIN
        and (previous[-1].islower() or previous[-1] in ",-–")
        and _starts_lower(line)
        and not _LABEL_START.match(line)
        and not _PATH_SEPARATOR.search(previous)
        and len(line) >= _WRAP_NEXT_MIN
        and not _BYLINE_START.match(line)
        and not _byline_names(line)
        and not _date_line(line)
    )


#: A wrapped line's continuation is a piece of a sentence, not a word or two.
_WRAP_NEXT_MIN = 15
# A byline under a headline starts in lower case too ("von Jane Roe", "by X on <date>").
_BYLINE_START = re.compile(
    r"^(by|von|vom|par|por|door|di|da|durch|vor|am|on|le|il|el|posted|published|"
    r"veröffentlicht|publié|publicado|updated|aktualisiert)\b",
    re.IGNORECASE,
)


# What a paywall shows after the visible lede: "Möchten Sie weiterlesen?", "Already a
# subscriber?", "Réservé aux abonnés".
_PAYWALL = re.compile(
    r"\b(möchten sie weiterlesen|jetzt weiterlesen|gleich können sie weiterlesen|"
    r"weiterlesen mit|lesen sie (jetzt )?weiter mit|bereits abonnent|schon abonnent|"
    r"ich bin abonnent|exklusiv für abonnenten|already a subscriber|"
    r"subscribe to (continue|keep) reading|to continue reading|continue reading with|"
    r"(for|to) subscribers only|déjà abonné|réservé aux abonnés|la suite est réservée|"
    r"ya eres suscriptor|exclusivo para suscriptores|já é assinante|"
    r"exclusivo para assinantes|sei già abbonato|riservato agli abbonati|"
    r"masz już prenumeratę|al abonnee)\b",
    re.IGNORECASE,
)


def mark_paywall_ledes(units: list[_Unit], window: int = 4) -> None:
    """A lede cut off with "…" right before a paywall is the visible article, not a
    teaser for another story: it scores as prose."""
    for i, unit in enumerate(units):
        if unit.kind != "teaser":
            continue
        if any(_PAYWALL.search(u.text) for u in units[i + 1 : i + 1 + window]):
            unit.kind = "good"
            unit.score = 5.0 + min(_effective_length(unit.text), 600) / 20.0


def mark_trailing_sentences(units: list[_Unit], window: int = 3) -> None:
    """A paragraph cut off with "…" right under a paragraph of prose, with no other such
    line around it, is the article's own last paragraph trailing off (a blog's excerpt,
    a "read on" cut), not a list of teasers for other stories: it scores as prose.

    Teaser lists come as several "…" lines together, under headlines or an end marker.
    """
    for i in range(1, len(units)):
        unit = units[i]
        if (
            unit.kind != "teaser"
            or units[i - 1].kind != "good"
            or len(unit.text) < 70
            or any(u.kind == "teaser" for u in units[i + 1 : i + 1 + window])
        ):
            continue
        unit.kind = "good"
        unit.score = 5.0 + min(_effective_length(unit.text), 600) / 20.0
