"""Plain-text page dumps: find the article in every visible line a scraper saved.

A text dump is what a scraper writes when it keeps the visible text of a page and
nothing else: menus, the headline, captions, the article, ads, author bios, teasers,
newsletter forms and the footer, one block per line. :func:`clean_dump` keeps the
article and says why every other line went.

Two kinds of evidence decide:

* per-document cues: the line's length, whether it reads like a sentence, its stop-word
  density (language-aware through jusText's stop lists; scripts written without spaces
  fall back to length and sentence punctuation), known ad/footer/caption/newsletter
  patterns (``data/boilerplate_patterns.txt``), and position: the article is the densest
  run of prose, and it ends at the first "Written by" / "Related" / "Comments" marker;
* cross-document evidence: a line that recurs in many dumps from the same outlet is
  boilerplate. :func:`learn_boilerplate` counts such lines over a whole ingest (and
  merges the counts kept from earlier ingests); :func:`boilerplate_lines` turns the counts
  into the per-outlet sets that :class:`~policykit.sources.ReadOptions` carries.

:func:`read_textdump` is the reader: one staging row per file, with field-by-field
metadata from a sidecar ``<stem>.json`` beside the dump and/or a ``manifest.tsv`` next to
it or one folder up.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SourceError
from . import FileRead, ReadOptions, batch_from_rows
from .textdump_authors import NOT_A_NAME as _NOT_A_NAME
from .textdump_authors import byline_names as _byline_names
from .textdump_authors import date_line as _date_line
from .textdump_authors import find_authors
from .textdump_authors import looks_like_name as _looks_like_name

__all__ = [
    "DumpResult",
    "boilerplate_lines",
    "clean_dump",
    "detect_outlet",
    "dump_outlet_key",
    "learn_boilerplate",
    "normalise_line",
    "load_sidecar",
    "read_sidecar",
    "read_textdump",
]

#: Key in a learnt-boilerplate mapping that holds the number of dumps seen per outlet.
#: The empty string never occurs as a real (normalised, non-empty) line.
DOCS_KEY = ""

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
    regex: re.Pattern


_HEADER = re.compile(r"^\[(?P<kind>[a-z]+)\s+max=(?P<max>\d+)(?P<nosentence>\s+nosentence)?\]$")


@functools.cache
def _patterns() -> tuple[_Section, ...]:
    """Sections of ``boilerplate_patterns.txt``, one compiled alternation per section."""
    text = resources.files("policykit").joinpath("data/boilerplate_patterns.txt").read_text("utf-8")
    sections: list[_Section] = []
    header = None
    lines: list[str] = []

    def flush():
        if header is not None and lines:
            regex = re.compile("|".join(f"(?:{p})" for p in lines), re.IGNORECASE)
            sections.append(
                _Section(header["kind"], int(header["max"]), bool(header["nosentence"]), regex)
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
    sentence = bool(_FULL_STOP.search(collapsed))
    for section in _patterns():
        if len(collapsed) > section.max_chars or (section.nosentence and sentence):
            continue
        if section.regex.search(collapsed):
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


def _densest_run(units: list[_Unit], offset: int = 0) -> tuple[int, int, float]:
    """[start, end) of the run of units with the largest total score (Kadane), and the
    score; ``offset`` is the first unit considered."""
    best, best_span = 0.0, (offset, offset)
    total, start = 0.0, offset
    for i in range(offset, len(units)):
        if total <= 0:
            total, start = 0.0, i
        total += units[i].score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span[0], best_span[1], best


def _run_from(units: list[_Unit], first: int, last: int) -> tuple[int, int, float]:
    """The best-scoring run that starts in [first, last): the article after a headline."""
    best, best_span = 0.0, (first, first)
    for start in range(first, min(last, len(units))):
        if units[start].score <= 0:
            continue  # a best run never starts on a loss
        total = 0.0
        for end in range(start, len(units)):
            total += units[end].score
            if total > best:
                best, best_span = total, (start, end + 1)
    return best_span[0], best_span[1], best


def _cut_at_endmarker(units: list[_Unit], start: int, end: int) -> int:
    """The article ends at the first end marker ("Written by", "Related", "Comments")
    once some prose has been seen."""
    seen_prose = False
    for i in range(start, end):
        if units[i].kind == "good":
            seen_prose = True
        elif (
            units[i].kind == "endmarker"
            and seen_prose
            and not _marker_in_header(units, start, i, end)
            and not _marker_inline(units, start, i, end)
        ):
            return i
    return end


_COMMENT_MARKER = re.compile(
    r"comment|kommentar|antwort|repl(y|ies)|respons|réaction|comentario|komentarz|commenti|"
    r"reactie|discussion|diskussion|dyskusj|gedanken|thoughts|leave a|schreib|tags?\b|"
    r"author|autor|written|posted|published|verfasst",
    re.IGNORECASE,
)


_BOX_KINDS = {"short", "neargood", "caption", "widget", "byline", "share"}


def _marker_inline(units: list[_Unit], start: int, i: int, end: int, window: int = 15) -> bool:
    """A "Related" / "Most popular" box inside the story: within ``window`` units of
    headlines, names and captions after the marker the prose resumes, and at least three
    paragraphs follow, as much prose as came before it, before the next marker (the
    same box recurring further down does not count as one). Comment and author markers
    always end the article. The box's lines are marked ``related`` (removed).
    """
    if _COMMENT_MARKER.search(units[i].text):
        return False
    following = units[i + 1 : end]
    resume = next((k for k, u in enumerate(following[:window]) if u.kind == "good"), None)
    if resume is None or any(u.kind not in _BOX_KINDS for u in following[:resume]):
        return False
    same = normalise_line(units[i].text)
    stop = next(
        (
            k
            for k, u in enumerate(following)
            if u.kind == "endmarker" and normalise_line(u.text) != same
        ),
        len(following),
    )
    after = [u for u in following[:stop] if u.kind == "good"]
    if len(after) < 3 or _prose_mass(after) < _prose_mass(units[start:i]):
        return False
    for unit in following[:resume]:  # the box's headlines and names are not the story
        unit.kind, unit.score = "related", _KIND_SCORE["related"]
    return True


def _prose_mass(units: list[_Unit]) -> float:
    return sum(u.score for u in units if u.kind == "good")


def _marker_in_header(units: list[_Unit], start: int, i: int, end: int) -> bool:
    """A marker in the article's header is a link, not the end: "3 Comments" or "Read
    more" beside the byline, a share bar's "Comments", with the story still to come.

    It is one when at most two paragraphs precede it and the prose that follows it (up
    to the end of the run) outweighs them twice over.
    """
    before = [u for u in units[start:i] if u.kind == "good"]
    meta = any(u.kind in {"dateline", "byline"} for u in units[max(start, i - 4) : i])
    if len(before) > 2 and not meta:
        return False
    return _prose_mass(units[i + 1 : end]) >= 2 * _prose_mass(before)


def _fold(text: str) -> str:
    """Lower-case ASCII-ish form, so URL slugs and headlines compare."""
    text = text.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folded_tokens(text: str) -> set[str]:
    plain = _fold(text)
    umlauts = _fold(text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
    return set(re.findall(r"[^\W_]+", plain)) | set(re.findall(r"[^\W_]+", umlauts))


# Path words that name a section or a page type, not the story.
_GENERIC_SLUG_WORDS = {
    "article", "articles", "artikel", "news", "story", "stories", "index", "blog", "post",
    "posts", "detail", "details", "content", "view", "page", "amp", "html", "nachrichten",
    "aktuell", "aktuelles", "meldung", "meldungen", "noticias", "noticia", "actualites",
    "features", "feature", "item", "entry", "show", "display", "read", "default",
}  # fmt: skip


def _slug_tokens(url: str | None) -> set[str]:
    """Words of the most descriptive path segment of a URL ("hund-vertreibt-einbrecher")."""
    if not url:
        return set()
    try:
        path = urlsplit(str(url)).path
    except ValueError:
        return set()
    # The article's slug is the last segment that spells words (later ones are ids).
    for segment in reversed(path.split("/")):
        segment = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", segment, flags=re.IGNORECASE)
        words = {
            w
            for w in re.split(r"[-_.+,]+", _fold(segment))
            if len(w) >= 3 and not w.isdigit() and re.fullmatch(r"[a-z0-9]+", w)
        }
        words -= _GENERIC_SLUG_WORDS
        if len(words) >= 2 or (len(words) == 1 and len(next(iter(words))) >= 6):
            return words
    return set()


# Breadcrumbs and tickers repeat the headline with the path to it: not the headline.
_BREADCRUMB = re.compile(
    r"[»›]|\s/\s|\s>\s|\||^\[|^(sie sind hier|you are here|home|startseite)\b", re.IGNORECASE
)


def _headline_candidates(units: list[_Unit], sidecar: dict) -> list[int]:
    """Units that repeat the sidecar title or spell out the URL slug."""
    title = sidecar.get("title")
    if title:
        key = normalise_line(str(title))
        found = [i for i, u in enumerate(units) if normalise_line(u.text) == key]
        if found:
            return found
    slug = _slug_tokens(sidecar.get("url"))
    if not slug:
        return []
    found = []
    for i, unit in enumerate(units):
        if len(unit.text) > 300 or unit.kind == "good" or _BREADCRUMB.search(unit.text):
            continue
        tokens = _folded_tokens(unit.text)
        joined = "".join(sorted(tokens))
        hits = sum(1 for w in slug if w in tokens or (len(w) >= 6 and w in joined))
        if hits / len(slug) >= 0.6:
            found.append(i)
    return found


def _article_span(units: list[_Unit], sidecar: dict) -> tuple[int, int, int | None]:
    """(start, end, headline index or None) of the article among the units.

    With a headline located from the sidecar (title or URL slug), the article is the
    densest run that starts soon after it; otherwise the densest run of the dump.
    """
    best: tuple[float, int, int, int] | None = None
    for i in _headline_candidates(units, sidecar)[:8]:
        start, end, score = _run_from(units, i + 1, i + 16)
        if end > start and (best is None or score > best[0]):
            best = (score, start, end, i)
    if best is not None:
        _, start, end, headline = best
    else:
        start, end, _ = _densest_run(units)
        headline = None
    return start, _cut_at_endmarker(units, start, end), headline


def _mark_author_boxes(units: list[_Unit]) -> list[str]:
    """An author box: a name on its own line, then a paragraph that starts with the name
    ("Jane Roe is a reporter..."). The name line ends the article; the names are returned.
    """
    names = []
    for unit, after in zip(units, units[1:], strict=False):
        name = unit.text
        if (
            unit.kind in {"short", "byline"}
            and _looks_like_name(name)
            and len(name.split()) >= 2
            and after.text.startswith(name.split()[0])
            and after.text.split()[:2] == name.split()[:2]
            and len(after.text) > len(name) + 20
        ):
            unit.kind, unit.score = "endmarker", _KIND_SCORE["endmarker"]
            after.kind, after.score = "bio", _KIND_SCORE["bio"]
            names.append(name)
    return names


_CONTENTISH = re.compile(r"\d|[,;:!?()„“\"]|\.\S|\.$|^\w+ [a-zäöüéèàç]\w* \w+")


def _extend_tail(units: list[_Unit], start: int, end: int, limit: int = 20) -> int:
    """Take in the list, table or sign-off that follows the last paragraph.

    Lines that carry digits, punctuation or a lower-case word read as content (times,
    addresses, ingredients); a bare label ("Our Team") or any boilerplate kind stops it.
    """
    if end <= start or end >= len(units) or units[end - 1].kind == "endmarker":
        return end
    stop = end
    for i in range(end, min(end + limit, len(units))):
        unit = units[i]
        if unit.kind not in {"short", "neargood", "widget"} or not _CONTENTISH.search(unit.text):
            break
        stop = i + 1
    return stop


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
    return [_Unit([line], _WS.sub(" ", line)) for b in blocks for line in b]


# ---------------------------------------------------------------------------------------
# Outlet


# A name is capitalised words; lower-case joiners may sit between two of them
# ("Rest of World", "Times of India", "Economic and Political Weekly").
_JOINERS = r"(?: (?:of|the|and|for|on|in|de|del|della|des|di|du|la|le|van|von))"
_NAME = rf"(?P<name>[A-Z0-9][\w&.'’-]*(?:{_JOINERS}{{0,2}} [A-Z0-9&][\w&.'’-]*){{0,4}})"
_OUTLET_CLUES: tuple[tuple[re.Pattern, float], ...] = (
    (re.compile(rf"^{_NAME}['’]s mission is\b"), 3.0),
    (
        re.compile(
            rf"^{_NAME} is (?:the|a|an)\b[^.!?]{{0,60}}\b(?:source|publication|publisher|"
            r"news|newsroom|newspaper|magazine|website|site|platform|outlet|portal|media)\b"
        ),
        3.0,
    ),
    (re.compile(rf"\bmore about {_NAME}(?:,| and)", re.IGNORECASE), 2.0),
    (re.compile(rf"^(?:about|über) {_NAME}\s*$"), 1.5),
    (re.compile(rf"\b(?:follow|subscribe to|support) {_NAME} on\b"), 1.0),
    (re.compile(rf"\b{_NAME} is a registered trademark\b"), 2.0),
    (
        re.compile(rf"(?:©|\(c\)|copyright)\s*(?:\d{{4}}(?:\s*[-–]\s*\d{{4}})?)?\s*,?\s*{_NAME}"),
        1.0,
    ),
    (re.compile(rf"^{_NAME}\s*(?:©|\(c\))"), 1.0),
)
_COMPANY_SUFFIX = re.compile(
    r"[,\s]+(?:pvt\.?|private|ltd\.?|limited|inc\.?|llc|gmbh|ag|s\.?a\.?|plc|co\.?|corp\.?|"
    r"& co\.? kg|kg|all rights reserved.*)+\s*$",
    re.IGNORECASE,
)


def _resolver():
    """``OutletRegistry().resolve_name`` when the registry module is available, else None.

    Imported lazily and optionally: a resolvable candidate wins the vote and is returned
    under its registry name.
    """
    try:
        from policykit.normalise import OutletRegistry  # noqa: PLC0415
    except ImportError:
        return None
    try:
        return OutletRegistry.load().resolve_name
    except Exception:  # a broken user registry must not break reading dumps
        return None


@functools.cache
def _cached_resolver():
    return _resolver()


def _clean_name(name: str) -> str | None:
    name = re.split(r"\.\s", name)[0]  # "The Ledger. All rights reserved"
    name = _COMPANY_SUFFIX.sub("", name).strip(" .,-–|")
    if not name or name.casefold() in _NOT_A_NAME or len(name) > 60:
        return None
    return name


def detect_outlet(text: str) -> str | None:
    """The outlet a dump names itself by, from self-references and copyright lines.

    Every clue ("X's mission is...", "X is the leading source of...", "More about X",
    "© 2021 X") votes with a weight; the name with the most weight wins, and a name the
    outlet registry knows (when :mod:`policykit.normalise` provides one) wins ties and is
    returned under its registry name.

    >>> detect_outlet("Story text.\\n\\nThe Ledger is the leading source of city news.")
    'The Ledger'
    """
    votes: dict[str, float] = {}
    spelling: dict[str, str] = {}
    for raw in text.splitlines():
        line = _WS.sub(" ", raw).strip()
        if not line or len(line) > 400:
            continue
        for regex, weight in _OUTLET_CLUES:
            for match in regex.finditer(line):
                name = _clean_name(match["name"])
                if name:
                    key = name.casefold()
                    votes[key] = votes.get(key, 0.0) + weight
                    spelling.setdefault(key, name)
    if not votes:
        return None
    resolve = _cached_resolver()
    resolved: dict[str, str] = {}
    if resolve is not None:
        for key in votes:
            outlet = resolve(spelling[key])
            if outlet is not None:
                resolved[key] = getattr(outlet, "name", None) or spelling[key]
    best = max(votes, key=lambda k: (votes[k], k in resolved, -len(k)))
    return resolved.get(best, spelling[best])


# ---------------------------------------------------------------------------------------
# Title


def _content_tokens(text: str) -> set[str]:
    tokens = {t.casefold() for t in _WORD.findall(text) if len(t) > 3 or _SPACELESS.search(t)}
    if _SPACELESS.search(text):  # no word boundaries: compare character pairs
        tokens |= {text[i : i + 2] for i in range(len(text) - 1) if _SPACELESS.search(text[i])}
    return tokens


def _pick_title(units: list[_Unit], start: int, body_tokens: set[str]) -> int | None:
    """Index of the headline among the units just before the body (or its first unit)."""
    best, best_score = None, 0.0
    first = max(0, start - 15)
    for i in range(first, start):
        unit = units[i]
        if unit.kind not in {"short", "neargood", "good", "prose_bad", "boilerplate"}:
            continue
        text = unit.text
        words = len(text.split())
        spaceless = bool(_SPACELESS.search(text))
        if spaceless:
            if not 4 <= len(text) <= 150:
                continue
        elif not 2 <= words <= 30 or len(text) > 250:
            continue
        if text.endswith(".") and not text.endswith("..."):
            continue  # headlines rarely end with a full stop; sentences do
        tokens = _content_tokens(text)
        if not tokens:
            continue
        overlap = len(tokens & body_tokens) / len(tokens)
        score = overlap + 0.02 * min(words, 12) - 0.01 * (start - i)
        if i + 1 < len(units) and units[i + 1].kind in {"dateline", "byline"}:
            score += 0.3  # the headline sits right above its dateline or byline
        if unit.kind == "boilerplate":
            # The site name repeats on every page. A line with digits may recur only
            # once its digits are normalised away: a templated headline such as
            # "Sensex ends 33 points higher", so it is penalised less.
            score -= 0.1 if _DIGITS.search(text) else 0.5
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 0.3 else None


# ---------------------------------------------------------------------------------------
# clean_dump


@dataclass
class DumpResult:
    """What :func:`clean_dump` found in one dump."""

    title: str | None
    body: str | None  # paragraphs joined by a blank line
    outlet: str | None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # the raw date text of a dateline near the headline
    language: str | None = None
    #: (line, reason) for every input line not in the body, in input order
    removed: list[tuple[str, str]] = field(default_factory=list)


def clean_dump(
    text: str, *, boilerplate: set[str] | frozenset[str] = frozenset(), sidecar: dict | None = None
) -> DumpResult:
    """Keep the article of a plain-text page dump and say why each other line went.

    Parameters
    ----------
    text
        The dump, as a scraper saved it (one block of visible text per line).
    boilerplate
        Normalised lines (:func:`normalise_line`) known to recur across this outlet's
        dumps; they are removed wherever they appear.
    sidecar
        Metadata given with the dump (keys as :func:`read_sidecar` returns them); its
        ``title``, ``outlet`` and ``authors`` win over what the text suggests.

    Returns
    -------
    DumpResult
        Pure function of its inputs. Body lines are always input lines (stripped): the
        cleaner removes, it never rewrites.
    """
    sidecar = sidecar or {}
    text = text or ""
    units = _units(text)
    language = sidecar.get("language") or _detect_language(u.text for u in units)
    language = (language or "").split("-")[0].split("_")[0].lower() or None
    spaceless = language in {"zh", "ja", "th", "lo", "km", "my"} or (
        sum(bool(_SPACELESS.search(u.text)) for u in units) > len(units) / 2 if units else False
    )
    stopwords = _stoplist(language)
    known = set(boilerplate)
    for unit in units:
        _classify(unit, stopwords, spaceless, known)
    box_authors = _mark_author_boxes(units)

    start, end, headline = _article_span(units, sidecar)
    body_tokens = set().union(*(_content_tokens(u.text) for u in units[start:end]))
    title_index = headline
    if title_index is None and end > start:
        title_index = _pick_title(units, start, body_tokens)
    end = _extend_tail(units, start, end)
    # Between the headline and the prose sit the dek, the dateline and lists (ingredients,
    # facts): part of the article unless a pattern says otherwise.
    header_end = start
    if title_index is not None and 0 < start - title_index <= 12:
        start = title_index + 1
        # Labels there ("Print Recipe", "Bild via", "Filed under") are no dek: a short
        # line in the header stays only when it reads as content.
        for unit in units[start:header_end]:
            if unit.kind == "short" and not _CONTENTISH.search(unit.text):
                unit.kind = "widget"
    title = sidecar.get("title") or (units[title_index].text if title_index is not None else None)
    title_key = normalise_line(title) if title else None

    published = None
    header_from = max(0, (title_index if title_index is not None else start) - 3)
    header_to = min(end, start + 8) if end > start else 0
    for unit in units[header_from:header_to]:
        if published is None and unit.kind == "dateline":
            published = _date_line(unit.text)
    # Words of the headline and the URL slug: a bare "name" made of them is a heading.
    # (Not the host: a blog's host is often its author's name.)
    avoid = _slug_tokens(sidecar.get("url")) | (_folded_tokens(title) if title else set())
    authors = find_authors(units, (header_from, header_to), end, stopwords, frozenset(avoid))

    kept: list[_Unit] = []
    removed: list[tuple[str, str]] = []
    for i in range(start, end):
        # Widget labels inside the article ("Download", "123 KB", "NDR Info"): one or two
        # words that neither end a sentence nor head the paragraph that follows.
        unit, after = units[i], units[i + 1] if i + 1 < len(units) else None
        if (
            unit.kind == "short"
            and len(unit.text.split()) <= 2
            and not _SENTENCE_END.search(unit.text)
            and (after is None or after.kind not in {"good", "neargood"})
        ):
            unit.kind = "widget"
    for i, unit in enumerate(units):
        if i == title_index or (title_key and normalise_line(unit.text) == title_key):
            reason = "title"
        elif not start <= i < end:
            reason = unit.kind if unit.kind in _REMOVED_KINDS else "outside_article"
        elif unit.kind in _REMOVED_KINDS - {"teaser", "prose_bad"}:
            # Inside the article only flagged lines go. A line ending in "..." there is a
            # sentence trailing off (teaser lists sit after the end marker), and a
            # low-stop-word line is a list item, code or a reference.
            reason = unit.kind
        else:
            kept.append(unit)
            continue
        removed.extend((line, reason) for line in unit.lines)

    # Short lines that trail the article (a lone "Share" or a site name) are not body.
    while kept and kept[-1].kind == "short":
        removed.extend((line, "outside_article") for line in kept.pop().lines)

    body = "\n\n".join("\n".join(u.lines) for u in kept) or None
    outlet = sidecar.get("outlet") or detect_outlet(text)
    if not authors and box_authors:
        authors = box_authors[:1]
    if sidecar.get("authors"):
        authors = list(sidecar["authors"])
    return DumpResult(
        title=title,
        body=body,
        outlet=outlet,
        authors=authors,
        published=published,
        language=language,
        removed=removed,
    )


# ---------------------------------------------------------------------------------------
# Cross-document evidence


def dump_outlet_key(text: str, sidecar: dict | None = None) -> str | None:
    """The key under which a dump's recurring lines are counted and looked up.

    The sidecar's outlet, else the host of its URL, else the outlet the text names.
    """
    sidecar = sidecar or {}
    if sidecar.get("outlet"):
        return str(sidecar["outlet"]).strip().casefold()
    if sidecar.get("url"):
        host = urlsplit(str(sidecar["url"])).hostname
        if host:
            return host.removeprefix("www.")
    outlet = detect_outlet(text)
    return outlet.casefold() if outlet else None


def learn_boilerplate(
    paths: list[Path],
    known: dict[str, dict[str, int]] | None = None,
    *,
    min_docs: int = 3,
    min_share: float = 0.1,
) -> dict[str, dict[str, int]]:
    """Count, per outlet, in how many dumps each normalised line occurs.

    Parameters
    ----------
    paths
        The ``.txt`` dumps of this ingest run. Unreadable files are skipped here (the
        reader reports them as rejects).
    known
        Counts learnt in earlier ingests (``outlet -> {line: documents}``), merged in.
    min_docs, min_share
        Lines seen in fewer than ``min_docs`` dumps of an outlet are not kept in the
        result unless they were already in ``known``: the counts stay small, yet a line
        can still reach the threshold over several ingests. ``min_share`` is used by
        :func:`boilerplate_lines`; it is accepted here so callers pass one set of knobs.

    Returns
    -------
    dict
        ``outlet -> {normalised line: documents}``; the entry under :data:`DOCS_KEY`
        (the empty string) is the number of dumps seen for that outlet.
    """
    del min_share  # applied when the counts are turned into line sets
    counts: dict[str, dict[str, int]] = {o: dict(lines) for o, lines in (known or {}).items()}
    fresh: dict[str, dict[str, int]] = {}
    for path in paths:
        try:
            data = _read_capped(Path(path))
            if len(data) > MAX_DUMP_BYTES:
                continue  # the reader rejects it as too_large
            text = _decode(data)
            sidecar = read_sidecar(Path(path))
        except (OSError, SourceError):
            continue
        key = dump_outlet_key(text, sidecar)
        if key is None:
            continue
        lines = {normalise_line(line) for line in text.splitlines()} - {DOCS_KEY}
        bucket = fresh.setdefault(key, {})
        bucket[DOCS_KEY] = bucket.get(DOCS_KEY, 0) + 1
        for line in lines:
            bucket[line] = bucket.get(line, 0) + 1
    for outlet, lines in fresh.items():
        target = counts.setdefault(outlet, {})
        for line, n in lines.items():
            total = target.get(line, 0) + n
            if line == DOCS_KEY or line in target or total >= min_docs:
                target[line] = total
    return counts


def boilerplate_lines(
    learnt: dict[str, dict[str, int]], *, min_docs: int = 3, min_share: float = 0.1
) -> dict[str, set[str]]:
    """Per outlet, the lines that occur in at least ``min_docs`` dumps and in at least
    ``min_share`` of that outlet's dumps: the sets for ``ReadOptions.boilerplate``."""
    result: dict[str, set[str]] = {}
    for outlet, lines in learnt.items():
        docs = lines.get(DOCS_KEY, 0)
        chosen = {
            line
            for line, n in lines.items()
            if line != DOCS_KEY and n >= min_docs and (docs == 0 or n / docs >= min_share)
        }
        if chosen:
            result[outlet] = chosen
    return result


# ---------------------------------------------------------------------------------------
# Sidecars and the reader


# sidecar/manifest field -> staging column
_SIDECAR_FIELDS = {
    "url": ("url", "canonical_link", "link", "source_url"),
    "title": ("title", "headline"),
    "authors": ("authors", "author", "byline"),
    "published": (
        "published",
        "publish_date",
        "date_published",
        "datePublished",
        "published_at",
        "date",
        "pubdate",
    ),
    "outlet": ("outlet", "site_name", "meta_site_name", "sitename", "source", "publisher"),
    "language": ("language", "lang", "meta_lang"),
    "summary": ("summary", "description", "meta_description"),
    "tags": ("tags", "keywords", "meta_keywords"),
    "scraped_at": ("scraped_at", "crawled_at", "download_date", "date_download"),
}


def _pick_fields(record: dict) -> dict:
    """Map a sidecar/manifest record onto staging names (first non-empty alias wins)."""
    picked: dict = {}
    for column, aliases in _SIDECAR_FIELDS.items():
        for alias in aliases:
            value = record.get(alias)
            if value in (None, "", [], {}):
                continue
            if isinstance(value, dict):
                value = value.get("name") or value.get("@value")
                if not value:
                    continue
            picked[column] = value
            break
    if isinstance(picked.get("authors"), str):
        picked["authors"] = [picked["authors"]]
    return picked


_MANIFEST_NAMES = ("manifest.tsv", "manifest.csv")
_MANIFEST_FILE_COLUMNS = ("txt", "file", "path")


def _manifest_row(path: Path) -> tuple[dict, Path] | None:
    """The manifest row naming ``path`` (``manifest.tsv``/``.csv`` in the dump's folder or
    one up; the dump's path relative to the manifest in a ``txt``, ``file`` or ``path``
    column), with the manifest's folder."""
    resolved = path.resolve()
    for folder in (path.parent, path.parent.parent):
        for name in _MANIFEST_NAMES:
            manifest = folder / name
            if not _is_file(manifest):
                continue
            delimiter = "\t" if name.endswith(".tsv") else ","
            try:
                with manifest.open(encoding="utf-8-sig", newline="") as handle:
                    for row in csv.DictReader(handle, delimiter=delimiter):
                        for column in _MANIFEST_FILE_COLUMNS:
                            named = (row.get(column) or "").strip()
                            if named and (folder / named).resolve() == resolved:
                                return row, folder
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise SourceError(f"manifest {manifest} cannot be read: {exc}") from exc
    return None


class _SidecarProblem(SourceError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _load_json(path: Path, folders: list[Path]) -> dict:
    """A bounded read (size, depth, and only from the dump's or manifest's folder): the
    page readers' :func:`~policykit.sources.pages.read_json_sidecar`."""
    from .pages import read_json_sidecar

    record, reason, detail = read_json_sidecar(path, folders)
    if record is None:
        raise _SidecarProblem(reason, f"sidecar {detail}")
    return record


def load_sidecar(path: Path) -> tuple[dict, list[tuple[str, str, str]]]:
    """Metadata for a dump, field by field, later sources winning: the manifest row, the
    JSON its ``metadata`` column names, then ``<stem>.json``, ``<stem>.meta.json`` and
    ``<name>.json`` beside the dump (the same order as for HTML pages).

    Returns the fields (staging names) and the problems found, as
    ``(locator, reason, detail)`` for reject rows: a broken sidecar never hides the dump.
    """
    path = Path(path)
    merged: dict = {}
    problems: list[tuple[str, str, str]] = []
    try:
        found = _manifest_row(path)
    except SourceError as exc:
        found = None
        problems.append(("sidecar:manifest", "malformed_sidecar", str(exc)))
    if found:
        row, folder = found
        merged.update(_pick_fields({k: v for k, v in row.items() if k and v}))
        metadata = (row.get("metadata") or "").strip()
        if metadata:
            try:
                merged.update(_pick_fields(_load_json(folder / metadata, _folders(folder, path))))
            except SourceError as exc:
                problems.append((f"sidecar:{metadata}", _problem_reason(exc), str(exc)))
    for name in dict.fromkeys((f"{path.stem}.json", f"{path.stem}.meta.json", f"{path.name}.json")):
        beside = path.with_name(name)
        if _is_file(beside):
            try:
                merged.update(_pick_fields(_load_json(beside, _folders(path.parent, path))))
            except SourceError as exc:
                problems.append((f"sidecar:{name}", _problem_reason(exc), str(exc)))
    return merged, problems


def _problem_reason(exc: SourceError) -> str:
    return getattr(exc, "reason", "malformed_sidecar")


def _folders(folder: Path, dump: Path) -> list[Path]:
    """Where a dump's sidecar may live: the given folder and the folder the dump really
    is in (through a link), as real paths."""
    try:
        return list(dict.fromkeys([folder.resolve(), dump.resolve().parent]))
    except (OSError, RuntimeError):
        return []


def _is_file(path: Path) -> bool:
    # "<251-character name>.json" is too long for the file system: Python 3.11's is_file
    # raises ENAMETOOLONG instead of answering False.
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_sidecar(path: Path) -> dict:
    """The sidecar fields of :func:`load_sidecar`, problems ignored."""
    return load_sidecar(path)[0]


#: Largest plain-text dump read, as for HTML pages (pages.MAX_PAGE_BYTES): a page's
#: visible text is 2-200 KiB; line classification costs ~20x the size in memory, so a
#: 1 GiB dump would need tens of GB. Bigger files are ``too_large``, never read whole.
MAX_DUMP_BYTES = 8 * 1024 * 1024
#: Bytes of a rejected dump kept as its payload.
PAYLOAD_EXCERPT = 512


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _read_capped(path: Path) -> bytes:
    """The file's bytes, at most ``MAX_DUMP_BYTES + 1`` of them (the stat is not trusted:
    a file can grow, and a device reports size 0)."""
    with path.open("rb") as handle:
        return handle.read(MAX_DUMP_BYTES + 1)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SourceError("file holds NUL bytes: not a plain-text dump")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_textdump(path: Path | str, opts: ReadOptions | None = None) -> FileRead:
    """Read one plain-text page dump into one staging row (``source_locator='file'``).

    Sidecar fields (see :func:`read_sidecar`) win over what the text suggests. A file
    that is empty, binary or has a broken sidecar becomes a reject row with the reason.
    """
    opts = opts or ReadOptions()
    path = Path(path)
    try:
        data = _read_capped(path)
    except OSError as exc:
        raise SourceError(f"text dump {path} cannot be read: {exc.strerror or exc}") from exc

    def reject(reason: str, detail: str, payload: str | None) -> FileRead:
        row = {
            "source_locator": "file",
            "payload": payload,
            "reject_reason": reason,
            "reject_detail": detail,
        }
        return FileRead(str(path), "txt", "page", iter([batch_from_rows([row])]))

    if len(data) > MAX_DUMP_BYTES:
        excerpt = data[:PAYLOAD_EXCERPT].decode("utf-8", "backslashreplace")
        size = _size(path)
        return reject(
            "too_large",
            f"{path.name}: {size} bytes exceeds the {MAX_DUMP_BYTES} byte cap for a text dump",
            excerpt,
        )
    try:
        text = _decode(data)
    except SourceError as exc:
        return reject("not_text", str(exc), None)
    if not text.strip():
        return reject("empty_file", f"{path.name} holds no text", text)
    sidecar, problems = load_sidecar(path)
    problem_rows = [
        {"source_locator": loc, "reject_reason": reason, "reject_detail": detail}
        for loc, reason, detail in problems
    ]

    key = dump_outlet_key(text, sidecar)
    known = opts.boilerplate.get(key, set()) if key else set()
    result = clean_dump(text, boilerplate=known, sidecar=sidecar)
    row = {
        "source_locator": "file",
        "payload": text,
        "url": sidecar.get("url"),
        "title": result.title,
        "summary": sidecar.get("summary"),
        "body": result.body,
        "authors": _as_text(result.authors) if result.authors else None,
        "published": _as_text(sidecar.get("published")) or result.published,
        "outlet": result.outlet,
        "language": sidecar.get("language") or result.language,
        "scraped_at": _as_text(sidecar.get("scraped_at")),
        "tags": _as_text(sidecar.get("tags")),
        "extraction_method": "textdump",
        "date_source": (
            "sidecar" if sidecar.get("published") else ("text" if result.published else None)
        ),
        "body_missing_reason": None if result.body else "no_article_text",
    }
    return FileRead(str(path), "txt", "page", iter([batch_from_rows([row, *problem_rows])]))
