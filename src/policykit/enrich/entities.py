"""Entities: the people, organisations and places an article mentions.

Two sources work together, both offline:

1. **The gazetteer**: the shipped starter list for the tech-policy beat
   (``data/gazetteer.csv``) plus the user's list (``Settings.gazetteer``), CSV with the
   columns ``name,type,aliases`` (aliases separated by ``|``). A user row with the same
   name replaces the shipped one. Aliases are matched case-sensitively, as written.
2. **A rule-based recogniser** for names that are not in the gazetteer. It looks at
   runs of capitalised words (joined by "of", "for", "de", "van"...):

   * drops the first word of a sentence when it is an ordinary word ("However",
     "Following") or occurs in lower case elsewhere in the document;
   * drops boilerplate ("Advertisement", "Written By") and dates (months, weekdays);
   * removes titles and what precedes them ("US Senator Edward Markey" gives the
     person "Edward Markey"; "US Senator" alone gives nothing);
   * types a span by its cues: a title, an appositive (", Clearview AI's CEO") or a
     later bare surname means a **person**; a corporate suffix (Inc, Ltd, Pvt, Corp,
     Technologies...), an agency pattern (Ministry of X, X Commission, X Court...), an
     acronym or a source phrase ("told X") means an **organisation**;
   * skips laws and documents (X Act, X Bill, First Amendment).

   A span with a cue is *strong*. A span without one (a bare two-word capitalised name)
   is *weak*: it is kept only when the same name occurs in at least ``min_df``
   articles of the database (or strongly somewhere). Within one article a bare surname
   ("Ton-That", "Markey") counts as a mention of the full name found there.

Precision limits (documented, measured on the seed only): the recogniser is tuned for
English news prose. Title-case headlines are read with the gazetteer only. A name that
starts a sentence and is also an ordinary word ("Will", "Apple") may be missed or
mistyped; two adjacent names without punctuation merge; names in non-Latin scripts are
not recognised; an unknown entity is typed by cues and the canonical name is the longest
form seen in the article. Places come from the gazetteer only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

ENTITY_TYPES = ("person", "organisation", "place")

# --- word lists -----------------------------------------------------------------

#: Ordinary words that are capitalised only because they begin a sentence or a line.
COMMON_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "according",
        "across",
        "after",
        "afterwards",
        "again",
        "against",
        "all",
        "also",
        "although",
        "among",
        "an",
        "and",
        "another",
        "any",
        "anyone",
        "apart",
        "are",
        "around",
        "as",
        "at",
        "back",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "besides",
        "between",
        "beyond",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "despite",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "earlier",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "following",
        "for",
        "former",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "if",
        "in",
        "including",
        "inside",
        "instead",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "later",
        "latest",
        "least",
        "less",
        "let",
        "like",
        "many",
        "may",
        "meanwhile",
        "might",
        "more",
        "moreover",
        "most",
        "much",
        "must",
        "my",
        "near",
        "neither",
        "never",
        "nevertheless",
        "new",
        "next",
        "no",
        "nonetheless",
        "nor",
        "not",
        "nothing",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "others",
        "otherwise",
        "our",
        "out",
        "over",
        "overall",
        "per",
        "perhaps",
        "please",
        "previously",
        "rather",
        "recently",
        "regardless",
        "said",
        "same",
        "several",
        "she",
        "should",
        "similarly",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "themselves",
        "then",
        "there",
        "therefore",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "today",
        "together",
        "tomorrow",
        "too",
        "toward",
        "towards",
        "under",
        "unless",
        "unlike",
        "until",
        "up",
        "upon",
        "us",
        "was",
        "we",
        "were",
        "what",
        "whatever",
        "when",
        "whenever",
        "where",
        "whereas",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yesterday",
        "yet",
        "you",
        "your",
        "meanwhile",
        "speaking",
        "asked",
        "according",
        "additionally",
        "currently",
        "notably",
        "separately",
        "earlier",
        "importantly",
        "interestingly",
        "initially",
        "finally",
        "first",
        "second",
        "third",
        "here's",
        "it's",
        "what's",
        "that's",
        "there's",
        "read",
        "click",
        "scroll",
        "watch",
        "see",
        "also",
        "update",
        "updated",
        "related",
    ]
)

#: Words that page furniture puts in capitals: never part of a name.
BOILERPLATE_WORDS = frozenset(
    [
        "advertisement",
        "advertisements",
        "scroll",
        "continue",
        "reading",
        "written",
        "by",
        "subscribe",
        "newsletter",
        "sign",
        "login",
        "log",
        "click",
        "share",
        "tweet",
        "email",
        "print",
        "comments",
        "comment",
        "sponsored",
        "read",
        "more",
        "also",
        "related",
        "photo",
        "image",
        "credit",
        "source",
        "file",
        "representational",
        "copyright",
        "follow",
        "us",
        "updated",
        "published",
        "posted",
        "edited",
        "disclaimer",
        "menu",
        "home",
        "search",
        "developed",
        "powered",
        "designed",
    ]
)

MONTHS_DAYS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)

#: Titles and honorifics: what follows them is a person's name.
TITLES = frozenset(
    [
        "senator",
        "sen",
        "representative",
        "rep",
        "congressman",
        "congresswoman",
        "minister",
        "president",
        "premier",
        "chancellor",
        "governor",
        "gov",
        "mayor",
        "secretary",
        "commissioner",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "justice",
        "judge",
        "director",
        "ceo",
        "cto",
        "coo",
        "cfo",
        "cpo",
        "founder",
        "co-founder",
        "cofounder",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "professor",
        "prof",
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "sir",
        "dame",
        "lord",
        "lady",
        "mp",
        "mla",
        "mep",
        "attorney",
        "advocate",
        "superintendent",
        "inspector",
        "commander",
        "ambassador",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "activist",
        "researcher",
        "analyst",
        "executive",
        "officer",
        "head",
        "lawyer",
        "editor",
        "reporter",
        "economist",
        "historian",
        "author",
        "petitioner",
        "councillor",
        "councilor",
    ]
)

#: A span ending in (or, for "Ministry of X", starting with) one of these is an organisation.
ORG_HEADS = frozenset(
    [
        "collective",
        "league",
        "club",
        "sena",
        "dal",
        "morcha",
        "samiti",
        "sangh",
        "aayog",
        "parishad",
        "kings",
        "riders",
        "challengers",
        "titans",
        "royals",
        "capitals",
        "indians",
        "giants",
        "ministry",
        "department",
        "commission",
        "court",
        "agency",
        "authority",
        "council",
        "board",
        "bureau",
        "tribunal",
        "committee",
        "parliament",
        "assembly",
        "police",
        "foundation",
        "institute",
        "university",
        "college",
        "school",
        "association",
        "federation",
        "party",
        "bank",
        "fund",
        "trust",
        "society",
        "centre",
        "center",
        "organisation",
        "organization",
        "office",
        "service",
        "forum",
        "network",
        "alliance",
        "coalition",
        "watch",
        "group",
        "inc",
        "ltd",
        "llc",
        "llp",
        "pvt",
        "corp",
        "corporation",
        "co",
        "company",
        "technologies",
        "technology",
        "tech",
        "labs",
        "lab",
        "systems",
        "solutions",
        "networks",
        "media",
        "holdings",
        "industries",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "nv",
        "limited",
        "ventures",
        "capital",
        "partners",
        "software",
        "communications",
        "telecom",
        "airlines",
        "motors",
        "news",
        "times",
        "post",
        "journal",
        "herald",
        "express",
        "tribune",
        "gazette",
        "magazine",
        "press",
        "radio",
        "television",
        "tv",
        "studios",
        "games",
        "bureau",
        "union",
        "guild",
        "cell",
        "army",
        "navy",
        "force",
        "forces",
    ]
)

#: Corporate suffixes: a strong organisation cue even on a single mention.
CORPORATE_SUFFIXES = frozenset(
    [
        "inc",
        "ltd",
        "llc",
        "llp",
        "pvt",
        "corp",
        "corporation",
        "co",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "nv",
        "limited",
        "technologies",
    ]
)

#: A span ending in one of these names a law or a document, not an entity.
DOCUMENT_HEADS = frozenset(
    [
        "act",
        "bill",
        "amendment",
        "amendments",
        "rules",
        "rule",
        "regulation",
        "regulations",
        "directive",
        "code",
        "policy",
        "guidelines",
        "order",
        "report",
        "constitution",
        "article",
        "section",
        "ordinance",
        "notification",
        "framework",
        "strategy",
        "draft",
    ]
)

#: All-capital words that are not organisations on their own.
NOT_ACRONYMS = frozenset(
    [
        "AI",
        "US",
        "UK",
        "EU",
        "IT",
        "TV",
        "PM",
        "AM",
        "CEO",
        "CTO",
        "COO",
        "CFO",
        "OK",
        "FAQ",
        "PDF",
        "URL",
        "HTTP",
        "HTML",
        "API",
        "APP",
        "APPS",
        "ID",
        "GB",
        "MB",
        "KB",
        "SMS",
        "OTP",
        "VPN",
        "IP",
        "ML",
        "AR",
        "VR",
        "FIR",
        "RTI",
        "GDPR",
        "DPDP",
        "PIL",
        "SIM",
        "UPI",
        "CCTV",
        "FRT",
        "LED",
        "USB",
        "NEW",
        "THE",
        "AND",
        "FOR",
        "GDP",
        "GST",
        "IPO",
        "EV",
        "EVS",
        "KYC",
        "NPA",
        "EMI",
        "MSP",
        "FDI",
        "CSR",
        "ESG",
        "AQI",
        "IPL",
        "ODI",
        "CCTV",
        "SOP",
        "FAQS",
        "AI-",
        "OTT",
        "VPNS",
        "DNA",
        "SEO",
        "SAAS",
        "B2B",
        "PPP",
        "MOU",
        "NOC",
        "RTI",
        "IST",
        "UTC",
        "GMT",
        "ET",
        "PT",
        "EST",
    ]
)

_CONNECTORS = r"(?:of(?:[ \t]+the)?|for|de|la|del|da|do|dos|van|von|der|den|al|bin|and|&)"
_CAP_WORD = (
    r"(?:[A-ZÀ-ÖØ-Þ][\w&\-]*(?:['’][A-Z][a-z]+)?[\w\-]*"  # Clearview, Ton-That, O'Brien
    r"|[a-z]{1,2}[A-Z][\w\-]*)"  # iPhone, eBay
)
SPAN_RE = re.compile(rf"\b{_CAP_WORD}(?:[ \t]+(?:{_CONNECTORS}[ \t]+)?{_CAP_WORD})*")
# Abbreviations whose full stop would otherwise end a sentence or split a name.
# (Not Ltd, Inc, Corp: their full stop usually does end the name.)
_ABBREVIATIONS = frozenset(
    [
        "Pvt",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Sen",
        "Rep",
        "Gov",
        "St",
        "Hon",
        "Gen",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Supt",
        "Adv",
        "No",
        "Govt",
        "Dept",
    ]
)
# A short capitalised word and a full stop; the word is checked against the set above
# (a character class first is much faster than an alternation of words).
_ABBREV_RE = re.compile(r"\b([A-Z][a-z]{0,3})\.(?=[ \t,)])")
_INITIALS_RE = re.compile(r"\b([A-Z])\.([A-Z])\.(?:([A-Z])\.)?")
_APPOSITIVE_RE = re.compile(
    r",\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[\w&’'.\-]+\s+){0,4}?(?:"
    + "|".join(sorted(TITLES - {"head"}, key=len, reverse=True))
    + r")\b",
    re.I,
)
_CITATION_BEFORE = (" told", "according to", "statement to", "interview with", "reported by")
_CITATION_AFTER_RE = re.compile(r"^\s+(?:first\s+|had\s+|has\s+)?(?:reported\b(?!ly)|pointed out)")
_PUNCT = ".,;:!?\"'“”‘’()[]"


def prepare_text(text: str) -> str:
    """Remove full stops that do not end a sentence (Pvt. Ltd., Mr., U.S.)."""
    text = _ABBREV_RE.sub(_drop_abbreviation_stop, text)
    if "." in text:
        text = _INITIALS_RE.sub(lambda m: "".join(g for g in m.groups() if g), text)
    return text


def _drop_abbreviation_stop(m: re.Match) -> str:
    return m.group(1) if m.group(1) in _ABBREVIATIONS else m.group(0)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def entity_id(name: str) -> str:
    """16 hex characters of sha256 of the case-folded canonical name."""
    return hashlib.sha256(("entity:" + _key(name)).encode()).hexdigest()[:16]


# --- the gazetteer --------------------------------------------------------------


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    origin: str  # gazetteer | user


@dataclass
class Gazetteer:
    """Canonical names and aliases; lookup by tuples of words."""

    entries: dict[str, GazetteerEntry] = field(default_factory=dict)  # key -> entry
    index: dict[tuple[str, ...], str] = field(default_factory=dict)  # words -> key
    longest: int = 1

    @classmethod
    def load(cls, user: str | Path | None = None, shipped: bool = True) -> Gazetteer:
        """The shipped gazetteer, extended (and overridden by name) by ``user``."""
        gaz = cls()
        if shipped:
            text = (resources.files("policykit") / "data" / "gazetteer.csv").read_text("utf-8")
            gaz.add_csv(text, "gazetteer.csv (shipped)", "gazetteer")
        if user is not None:
            path = Path(user)
            if path.exists() and not path.is_file():  # /dev/zero would be read forever
                raise ConfigError(f"gazetteer {path} is not a regular file")
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ConfigError(f"gazetteer {path} does not exist") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"gazetteer {path} cannot be read as UTF-8 text: {exc}") from None
            gaz.add_csv(text, str(path), "user")
        return gaz

    def add_csv(self, text: str, source: str, origin: str) -> None:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"name", "type"} - set(reader.fieldnames or [])
        if missing:
            raise ConfigError(
                f"{source}: missing column(s) {', '.join(sorted(missing))}; "
                "the columns are name,type,aliases"
            )
        for row in reader:
            line = reader.line_num
            name = " ".join((row.get("name") or "").split())
            etype = (row.get("type") or "").strip().lower()
            if not name:
                raise ConfigError(f"{source}: line {line}: empty name")
            if etype not in ENTITY_TYPES:
                raise ConfigError(
                    f"{source}: line {line}: type {etype!r} is not one of {', '.join(ENTITY_TYPES)}"
                )
            aliases = tuple(
                " ".join(a.split()) for a in (row.get("aliases") or "").split("|") if a.strip()
            )
            self.add(GazetteerEntry(name, etype, aliases, origin))

    def add(self, entry: GazetteerEntry) -> None:
        key = _key(entry.name)
        old = self.entries.get(key)
        if old is not None:  # a user row replaces the shipped one
            self.index = {k: v for k, v in self.index.items() if v != key}
        self.entries[key] = entry
        for form in (entry.name, *entry.aliases):
            words = tuple(prepare_text(form).split())
            self.index[words] = key
            if words and words[0] == "The":  # "The Daily Beast" is also written "the Daily Beast"
                self.index[("the", *words[1:])] = key
            self.longest = max(self.longest, len(words))

    def fingerprint(self) -> str:
        parts = sorted(f"{e.name}|{e.type}|{'|'.join(e.aliases)}" for e in self.entries.values())
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def match(self, words: list[str], start: int) -> tuple[int, str] | None:
        """The longest entry starting at ``words[start]``: ``(length, key)``."""
        for n in range(min(self.longest, len(words) - start), 0, -1):
            key = self.index.get(tuple(words[start : start + n]))
            if key is not None:
                return n, key
        return None


# --- the per-article recogniser -------------------------------------------------


@dataclass
class Found:
    """One entity found in one article."""

    name: str
    type: str
    origin: str  # gazetteer | user | recogniser
    mentions: int
    strong: bool


@dataclass
class _Span:
    words: list[str]
    start: int  # offset of the first word in the text
    end: int
    initial: bool  # the first word begins a sentence


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


def _spans(text: str) -> list[_Span]:
    return [
        _Span(m.group(0).split(), m.start(), m.end(), _sentence_initial(text, m.start()))
        for m in SPAN_RE.finditer(text)
    ]


def _split_connectors(words: list[str]) -> list[list[str]]:
    """Split at "and"/"&" unless the span is an agency name ("Ministry of X and Y");
    drop connectors left at either end."""
    parts: list[list[str]] = [[]]
    agency = bool(words) and words[0].lower() in ORG_HEADS
    for w in words:
        if w in ("and", "&") and not agency:
            parts.append([])
        else:
            parts[-1].append(w)
    cleaned = []
    for part in parts:
        while part and (part[0].islower() or part[0] == "&"):
            part = part[1:]
        while part and (part[-1].islower() or part[-1] == "&"):
            part = part[:-1]
        if part:
            cleaned.append(part)
    return cleaned


def _is_acronym(word: str) -> bool:
    letters = word.replace("-", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


_CAMEL_RE = re.compile(r"^[A-Za-z]+[a-z][A-Z][A-Za-z]*$")


def _is_camel(word: str) -> bool:
    return _CAMEL_RE.match(word) is not None


class _Doc:
    """The analysis of one article's text."""

    def __init__(self, text: str, gaz: Gazetteer, headline: str | None = None):
        self.text = text  # already through prepare_text
        self.gaz = gaz
        self.found: dict[str, Found] = {}
        self.singles: Counter = Counter()  # bare capitalised words, for surname merging
        self.persons_full: dict[str, str] = {}  # last word -> full name
        self.orgs_first: dict[str, str] = {}
        self._lower_words: set[str] | None = None  # words written in lower case, on demand
        for span in _spans(self.text):
            self._span(span)
        if headline:
            self._headline(prepare_text(headline))
        self._merge_singles()

    # A found name, its type and whether the evidence is strong.
    def _add(self, name: str, etype: str, origin: str, strong: bool, count: int = 1) -> None:
        key = _key(name)
        old = self.found.get(key)
        if old is None:
            self.found[key] = Found(name, etype, origin, count, strong)
            return
        old.mentions += count
        if strong and not old.strong:
            old.strong, old.type = True, etype

    def _headline(self, headline: str) -> None:
        # Headlines are often in title case: gazetteer names only.
        for span in _spans(headline):
            words = span.words
            i = 0
            while i < len(words):
                hit = self.gaz.match(words, i)
                if hit:
                    entry = self.gaz.entries[hit[1]]
                    self._add(entry.name, entry.type, entry.origin, True)
                    i += hit[0]
                else:
                    i += 1

    def _span(self, span: _Span) -> None:
        words = span.words
        if len(words) == 1 and self._single(span, words[0]):
            return
        rest: list[list[str]] = [[]]
        firsts: list[bool] = [span.initial]
        i = 0
        while i < len(words):
            hit = self.gaz.match(words, i)
            if hit and not self._ordinary_initial(words, i, span.initial, hit[0]):
                entry = self.gaz.entries[hit[1]]
                self._add(entry.name, entry.type, entry.origin, True)
                i += hit[0]
                rest.append([])
                firsts.append(False)
            else:
                rest[-1].append(words[i])
                i += 1
        after = self.text[span.end : span.end + 80]
        before = self.text[max(0, span.start - 30) : span.start]
        for k, part in enumerate(rest):
            is_last = k == len(rest) - 1
            for j, piece in enumerate(_split_connectors(part)):
                self._recognise(
                    piece,
                    initial=firsts[k] and j == 0 and part and piece[0] == part[0],
                    after=after if is_last else "",
                    before=before if k == 0 and j == 0 else "",
                )

    def _single(self, span: _Span, word: str) -> bool:
        """The fast path for a one-word span (most spans); False to take the full path."""
        low = word.lower()
        initial = span.initial
        key = self.gaz.index.get((word,))
        if key is not None and not (initial and low in COMMON_WORDS):
            entry = self.gaz.entries[key]
            self._add(entry.name, entry.type, entry.origin, True)
            return True
        if initial and (low in COMMON_WORDS or self._lower_elsewhere(word)):
            return True
        if low in BOILERPLATE_WORDS or low in MONTHS_DAYS or low in TITLES:
            return True
        if (_is_acronym(word) and word not in NOT_ACRONYMS) or _is_camel(word):
            return False  # a possible organisation: look at its context
        if not initial:
            before = self.text[max(0, span.start - 30) : span.start]
            after = self.text[span.end : span.end + 40]
            if before.rstrip().lower().endswith(_CITATION_BEFORE) or _CITATION_AFTER_RE.match(
                after
            ):
                return False  # "told Reuters": a source, see _recognise
        self.singles[word] += 1
        return True

    def _ordinary_initial(self, words: list[str], i: int, initial: bool, n: int) -> bool:
        """A one-word gazetteer hit that is just an ordinary word starting a sentence."""
        return i == 0 and initial and n == 1 and words[0].lower() in COMMON_WORDS

    def _lower_elsewhere(self, word: str) -> bool:
        if self._lower_words is None:
            self._lower_words = {w.strip(_PUNCT) for w in self.text.split()}
        low = word.lower()
        return low != word and low in self._lower_words

    def _recognise(self, words: list[str], initial: bool, after: str, before: str) -> None:
        words = list(words)
        if initial and words:
            first = words[0]
            if first.lower() in COMMON_WORDS or self._lower_elsewhere(first):
                words = words[1:]
            elif len(words) > 2 and words[1] in ("of", "for") and first.lower() not in ORG_HEADS:
                words = words[2:]  # "Shares of Orbital Inc": "Shares" only starts the sentence
        # A leading "The" mid-sentence is part of a name ("told The Daily Beast").
        if words and words[0] in ("The", "the") and (initial or len(words) == 1):
            words = words[1:]
        if any(w.lower() in BOILERPLATE_WORDS for w in words):
            # Page furniture splits a run ("Developed By PixelVJ"): recognise the pieces.
            piece: list[str] = []
            for w in [*words, "by"]:
                if w.lower() in BOILERPLATE_WORDS:
                    if piece:
                        self._recognise(piece, initial=False, after="", before="")
                    piece = []
                else:
                    piece.append(w)
            return
        while words and (words[-1].lower() in MONTHS_DAYS or words[-1].lower() in COMMON_WORDS):
            words = words[:-1]
        while words and words[0].lower() in MONTHS_DAYS:
            words = words[1:]
        if not words:
            return
        # Titles: keep what follows the last title ("US Senator Edward Markey").
        title_at = max((i for i, w in enumerate(words) if w.lower() in TITLES), default=-1)
        titled = False
        if title_at >= 0:
            if title_at == len(words) - 1:
                return  # "US Senator", "Clearview CEO": a description, not a name
            words, titled = words[title_at + 1 :], True
        low = [w.lower() for w in words]
        if low[-1] in DOCUMENT_HEADS or (len(low) > 1 and low[0] in DOCUMENT_HEADS):
            return
        name = " ".join(words)
        cited = before.rstrip().lower().endswith(_CITATION_BEFORE) or bool(
            _CITATION_AFTER_RE.match(after)
        )
        if len(words) == 1:
            word = words[0]
            if titled:
                self._add(word, "person", "recogniser", True)
            elif (_is_acronym(word) and word not in NOT_ACRONYMS) or _is_camel(word):
                self._add(word, "organisation", "recogniser", cited)
            elif cited and not initial:
                self._add(word, "organisation", "recogniser", True)
            else:
                self.singles[word] += 1
            return
        if any(w.lower() in TITLES for w in words):
            return
        if low[-1] in CORPORATE_SUFFIXES:
            self._add(name, "organisation", "recogniser", True)
            self.orgs_first.setdefault(words[0], name)
        elif low[-1] in ORG_HEADS or low[0] in ORG_HEADS or "of" in low[1:]:
            self._add(name, "organisation", "recogniser", True)
        elif titled or _APPOSITIVE_RE.match(after):
            self._add(name, "person", "recogniser", True)
            self.persons_full[words[-1]] = name
        elif cited:
            self._add(name, "organisation", "recogniser", True)
        elif any(_is_acronym(w) and w not in NOT_ACRONYMS for w in words):
            self._add(name, "organisation", "recogniser", False)
        elif len(words) <= 4 and all(w[:1].isupper() and not w.isupper() for w in words):
            if any(self._lower_elsewhere(w) for w in words):
                # "Star Health", "Free Speech Collective": made of ordinary words that the
                # article also writes in lower case, so a brand or a group, not a person.
                self._add(name, "organisation", "recogniser", False)
            else:
                self._add(name, "person", "recogniser", False)
                self.persons_full.setdefault(words[-1], name)

    def _merge_singles(self) -> None:
        """Count bare surnames as mentions of the full name seen in this article, and a
        repeated surname as evidence that a weak two-word name is a person."""
        for word, count in self.singles.items():
            full = self.persons_full.get(word)
            if full is not None:
                found = self.found[_key(full)]
                found.mentions += count
                if found.type == "person":
                    found.strong = True
                continue
            org = self.orgs_first.get(word)
            if org is not None:
                self.found[_key(org)].mentions += count

    def results(self) -> list[Found]:
        # A person's one-word form ("Markey" after "Senator Markey") joins the full name.
        out = dict(self.found)
        for key, f in list(out.items()):
            if f.type == "person" and " " not in f.name and f.name in self.persons_full:
                full = out.get(_key(self.persons_full[f.name]))
                if full is not None and full is not f:
                    full.mentions += f.mentions
                    full.strong = full.strong or f.strong
                    del out[key]
        return list(out.values())


def find_entities(
    text: str | None, gaz: Gazetteer, headline: str | None = None, prepared: bool = False
) -> list[Found]:
    """The entities in one article's text (and, gazetteer-only, its headline).

    ``prepared``: the text has already been through :func:`prepare_text`."""
    if not text and not headline:
        return []
    return _Doc(text if prepared else prepare_text(text or ""), gaz, headline).results()


def person_names(found: list[Found]) -> set[str]:
    return {f.name for f in found if f.type == "person"}
