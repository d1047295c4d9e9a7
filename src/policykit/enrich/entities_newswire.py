"""Wire-copy layouts for the entity recogniser: datelines, result lines and tables.

Agency copy has lines that running-text rules misread. The recogniser asks
:func:`scan_layouts` for the names in such lines first and leaves the rest of the text to the
span rules:

* **datelines**: a line of one to four words in capitals, an optional ", Region" and a
  date ("OSLO 2001-05-14", "SAN JOSE, Costa Rica 2001-05-14"), or a paragraph that
  opens with the place in capitals and the agency ("BERN (Wire) - ..."). The capitals
  are a place even when the gazetteer does not list it; "NEW YORK" stays one name.
* **result lines**: two names, each with a score ("Lyon 2 Nantes 0"), or a name, a
  score pair and a name ("Portugal 2 - 1 Wales"): the names are teams (organisations).
  Goal scorers in brackets after a score, or on a "Scorers:" line, are people.
* **table rows**: a name followed by four or more whole numbers (league standings; not
  prices): a team, unless it starts with a known given name (a golfer's row) - then a
  person.
* **individual results**: "4. Anna Berg (Sweden) Alpha Team 1:02.345": a person, the
  country in brackets a place, and the name between the bracket and the time a team.

Each hit is a cell: offsets, the role the layout gives it ("team", "person", "place")
and the layout's name (the evidence). The recogniser looks a cell up in the gazetteer
first (in capitals on all-capital lines); a listed place in a team's cell is the team.
The text may be tokenised ("( Sweden )", "Lyon 2 Nantes 0 ."): both forms are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities_words import GIVEN_NAMES, MONTHS_DAYS, _words

# One word of a name in a layout: capitalised, or in capitals ("AL-ADNAN", "St-Denis").
_W = r"[A-ZÀ-ÖØ-Þ][\w'’.&\-]*"
_NAME = rf"{_W}(?:[ \t]+(?:(?:de|da|van|von|der|of|la|del|y)[ \t]+)?{_W}){{0,4}}"
_CAPS_W = r"[A-Z][A-Z'’.&\-]+"
_CAPS = rf"{_CAPS_W}(?:[ \t]+{_CAPS_W}){{0,3}}"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    rf"|{_MONTH}[ \t]+\d{{1,2}}(?:[ \t]*,?[ \t]*\d{{4}})?|\d{{1,2}}[ \t]+{_MONTH}(?:[ \t]+\d{{4}})?)"
)
_REGION = rf"[ \t]*,[ \t]*({_NAME})"
_DATELINE_RE = re.compile(rf"^[ \t]*({_CAPS})(?:{_REGION})?[ \t]*,?[ \t]+{_DATE}[ \t]*$", re.M)
_AGENCY_RE = re.compile(
    rf"^[ \t]*({_CAPS})(?:{_REGION})?(?:[ \t]*,?[ \t]*{_DATE})?[ \t]*\([ \t]*[A-Z][\w ]*\)[ \t]*[-–—]",
    re.M,
)
_SCORE = r"\d{1,3}"
_TAIL = r"[ \t]*(?:\([^()\n]*\))?[ \t]*\.?[ \t]*$"  # "(aet)", "( halftime 1-0 )", a stop
# Goal scorers after a team's score: "( Ortiz 12 , 77 pen , Lenz 40 )".
_GOALS = r"\d{1,3}(?:[ \t]*(?:pen|og|\+\d))?\.?"
_SCORERS = rf"\([ \t]*{_NAME}[ \t]+{_GOALS}(?:[ \t]*[,;][ \t]*(?:{_NAME}[ \t]+)?{_GOALS})*[ \t]*\)"
_RESULT_RE = re.compile(
    rf"^[ \t]*({_NAME})[ \t]+{_SCORE}[ \t]*(?:({_SCORERS})[ \t]*)?,?[ \t]+({_NAME})[ \t]+{_SCORE}"
    rf"(?:[ \t]*({_SCORERS}))?{_TAIL}",
    re.M,
)
_SCORER_RE = re.compile(rf"({_NAME})[ \t]+{_GOALS}")
_SCORERS_LINE_RE = re.compile(r"^[ \t]*(?:Scorers?|Goals?)[ \t]*[:-][ \t]*(.+)$", re.M)
_PAIR_RE = re.compile(
    rf"(?<![\w.])({_NAME})[ \t]+{_SCORE}[ \t]*[-–—:][ \t]*{_SCORE}[ \t]+({_NAME})"
)
# Whole numbers only: a row of prices ("Gold 380.50 381.20 ...") is not a standings row.
_ROW_RE = re.compile(
    rf"^[ \t]*(?:\d{{1,3}}\.?[ \t]+)?({_NAME})(?:[ \t]+[-+]?\d{{1,4}}(?![\d.,:])){{4,}}{_TAIL}",
    re.M,
)
_RANKED_RE = re.compile(
    rf"^[ \t]*(?:\d{{1,3}}[.)]?[ \t]+|[=T]?\d{{1,3}}[ \t]+)?({_NAME})[ \t]*\([ \t]*({_NAME})[ \t]*\)"
    rf"(?:[ \t]+({_NAME}))?[ \t]+[-+]?\d",
    re.M,
)
_TOKEN_RE = re.compile(r"\S+")
_INITIAL_RE = re.compile(r"^(?:[A-Z]\.)+$")
#: Words that begin a line like a name but are a heading of a table or an ordinary word.
_NOT_NAMES = _words(
    """
    the a an in at on for and of to by from with group round final semifinal quarterfinal
    result results standings table played points total week day stage leg match
    halftime attendance scorers scorer note notes league division pool section half
    first second third fourth fifth last next previous home away won lost drawn draw
    """
)


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    role: str  # team | person | place
    layout: str  # dateline | result | table | ranked


def _cell(m: re.Match, group: int, role: str, layout: str) -> Cell | None:
    """The name in ``m.group(group)``, without heading words at its edges ("Group",
    "Round") and without a final full stop (kept after an initial: "J.")."""
    if m.group(group) is None:
        return None
    base = m.start(group)
    words = [
        (w.start() + base, w.end() + base, w.group()) for w in _TOKEN_RE.finditer(m.group(group))
    ]
    while words and words[0][2].lower() in _NOT_NAMES:
        words.pop(0)
    while words and words[-1][2].rstrip(".").lower() in _NOT_NAMES | MONTHS_DAYS:
        words.pop()
    if not words:
        return None
    start, end, last = words[0][0], words[-1][1], words[-1][2]
    if last.endswith(".") and not _INITIAL_RE.match(last):
        end -= 1  # a full stop after the name ends the sentence
    return Cell(start, end, role, layout)


def _scorers(text: str, start: int, end: int) -> list[Cell | None]:
    """The players in a list of goals ("Ortiz 12, 77 pen, Lenz 40")."""
    return [_cell(m, 1, "person", "scorers") for m in _SCORER_RE.finditer(text, start, end)]


def _person_or_team(m: re.Match, group: int, layout: str) -> Cell | None:
    first = m.group(group).split()[0].lower()
    return _cell(m, group, "person" if first in GIVEN_NAMES else "team", layout)


#: Result lines, table rows and datelines are short; longer lines are prose.
_SHORT_LINE = 160


def scan_layouts(text: str) -> list[Cell]:
    """The cells of the wire layouts in ``text``, in order; the span rules skip every
    word that lies inside one. Each line is matched in place (anchored patterns, no
    scan of the whole text): under 1% of the recogniser's time."""
    cells: list[Cell | None] = []
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        if end - start > 4 and not text[start].islower():
            cells += _line(text, start, end)
        start = end + 1
    out: dict[int, Cell] = {}
    for c in cells:
        if c is not None and not any(o.start < c.end and c.start < o.end for o in out.values()):
            out[c.start] = c
    return sorted(out.values(), key=lambda c: c.start)


def _line(text: str, start: int, end: int) -> list[Cell | None]:
    m = _AGENCY_RE.match(text, start, end)
    if m:
        return [_cell(m, 1, "place", "dateline"), _cell(m, 2, "place", "dateline")]
    if end - start > _SHORT_LINE:
        return []
    if m := _DATELINE_RE.match(text, start, end):
        return [_cell(m, 1, "place", "dateline"), _cell(m, 2, "place", "dateline")]
    if m := _RESULT_RE.match(text, start, end):
        cells = [_cell(m, 1, "team", "result"), _cell(m, 3, "team", "result")]
        for group in (2, 4):
            if m.group(group):
                cells += _scorers(text, m.start(group), m.end(group))
        return cells
    if m := _SCORERS_LINE_RE.match(text, start, end):
        return _scorers(text, m.start(1), m.end(1))
    if m := _RANKED_RE.match(text, start, end):
        return [
            _cell(m, 1, "person", "ranked"),
            _cell(m, 2, "place", "ranked"),
            _cell(m, 3, "team", "ranked"),
        ]
    if m := _ROW_RE.match(text, start, end):
        return [_person_or_team(m, 1, "table")]
    if m := _PAIR_RE.search(text, start, end):
        return [_cell(m, 1, "team", "result"), _cell(m, 2, "team", "result")]
    return []
