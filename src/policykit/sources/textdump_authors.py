"""Bylines and datelines in plain-text page dumps (used by :mod:`.textdump`).

A dump keeps the byline as the page laid it out, so the same fact comes in many shapes:

* one line: "By Jane Roe and John Doe", "Von Jane Roe | 3. Mai 2019", "Par Jean Dupont le
  14.09.2020", "Written by Jane Roe on July 27, 2017", "Por Ana Ruiz 4 mayo, 2022";
* split over two lines, the lead word alone ("By" / "Por" / "Autor:") and the name on the
  next line, often with a handle, an e-mail or an agency after it ("Jane Roe |
  jroe@example.com", "Peter Muster/SP-X");
* a bare name beside the dateline under the headline ("Jane Roe" / "27.04.2020 - 18:50
  Uhr"), or in front of the date on one line ("Jane Roe / 16.11.2018, 03:00 Uhr");
* inside a meta line: "Veröffentlicht am 3. Mai 2019 von Heiko", "Posted by Jane Roe at
  18:52";
* after the story, under a heading ("About the author", "Über die Autorin", "Contact the
  author:").

:func:`find_authors` tries them in that order and returns the names as written (trimmed of
handles, dates, agencies and roles), or ``[]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

_WS = re.compile(r"\s+")

# ---------------------------------------------------------------------------------------
# Datelines


# Short date lines ("31. Mai 2012", "May 3, 2022 10:15 am", "2022-05-03"): metadata, not body.
_MONTHS = (
    r"jan(?:uary|uar|vier|\.)?|feb(?:ruary|ruar|rero|\.)?|f[ée]vrier|m[aä]r(?:ch|z|s|\.)?|"
    r"marzo|apr(?:il|ile|\.)?|avril|abril|ma[iy]|mai|mayo|maggio|jun(?:e|i|\.)?|juin|junio|"
    r"jul(?:y|i|\.)?|juillet|julio|aug(?:ust|\.)?|ao[uû]t|agosto|sep(?:tember|t\.?|\.)?|"
    r"septembre|septiembre|oct(?:ober|\.)?|okt(?:ober|\.)?|octobre|octubre|nov(?:ember|embre|\.)?|"
    r"noviembre|dec(?:ember|\.)?|dez(?:ember|\.)?|d[ée]cembre|diciembre|"
    # Polish (genitive), Italian, Portuguese, Dutch
    r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrze[sś]nia|"
    r"pa[zź]dziernika|listopada|grudnia|gennaio|febbraio|giugno|luglio|settembre|ottobre|"
    r"novembre|dicembre|janeiro|fevereiro|mar[cç]o|maio|junho|julho|setembro|outubro|"
    r"novembro|dezembro|januari|februari|maart|mei|juni|juli|augustus|oktober"
)
_DATE_IN_LINE = re.compile(
    rf"(?P<date>\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{2,4}}\b|"
    rf"\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\s*,?\s*\d{{4}}\b|"
    rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b|"
    rf"\b\d{{1,2}}\s+de\s+(?:{_MONTHS})(?:\s+de\s+\d{{4}})?\b)",
    re.IGNORECASE,
)


def date_line(line: str) -> str | None:
    """The date text if ``line`` is a short line carrying a date (a dateline, not prose)."""
    collapsed = _WS.sub(" ", line).strip()
    if len(collapsed) > 80 or len(collapsed.split()) > 10:
        return None
    match = _DATE_IN_LINE.search(collapsed)
    return match["date"] if match else None


# ---------------------------------------------------------------------------------------
# Names

#: Words that start a phrase, never a name ("The council", "Our team", "Der Autor").
NOT_A_NAME = {
    "the", "this", "our", "we", "it", "all", "copyright", "more", "about", "he", "she",
    "der", "die", "das", "den", "dem", "la", "le", "les", "el", "los", "a", "an",
}  # fmt: skip

_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\boraz\b)\s*")
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*$")
_NAME_PARTICLE = {"de", "da", "del", "van", "von", "der", "den", "di", "la", "le", "du", "bin"}
# What follows a name on a byline: a date, a time, a verb, a handle, an e-mail, a count.
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|,–—/·•-]\s*)?(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\w+ \d{1,2},? \d{4}|"
    r"\d{1,2}\.? \w+,? \d{4}|\d{4}-\d{2}-\d{2}|updated\b|published\b|aktualisiert\b|"
    r"veröffentlicht\b|actualizado\b|mis à jour\b|publicado\b|publié\b).*$",
    re.IGNORECASE,
)
# A separator, handle or preposition after which the rest of the line is not the name.
_NAME_END = re.compile(
    r"\s+(?-i:on|am|le|el|il|em|at|um|in|às|a las|op)(?:\s+.*)?$|\s*(?:\s[|/·•~]\s?|\s-\s|\s–\s|"
    r"\s—\s|\s\S*@|@|\(|\|).*$|\s*[|/]\s*$|\d.*$|,?\s*[\w-]+\s*:(\s.*)?$",
    re.IGNORECASE,
)
# A last part that names the agency or outlet, not a person ("Jane Roe, CNN").
_AGENCY = re.compile(r"^(?:[A-Z]{2,6}|[\w-]+\.(?:com|org|net|de|co\.uk|ch|at|fr|es|it))$")
_AGENCIES = {
    "reuters", "ap", "afp", "dpa", "epa", "efe", "apa", "sda", "kna", "epd", "ansa", "pap",
    "staff", "staff writer", "redaktion", "agencies", "agenturen", "phys.org",
}  # fmt: skip
_ROLE = re.compile(
    r"redaktion|redakteur|editor|reporter|correspondent|korrespondent|marketing|writer|"
    r"staff|contributor|journalist|columnist|producer|fotograf|photographer|\bteam\b|\bdesk\b|"
    r"manager|director|officer|spokes|sprecher|redacción|rédaction|redaktor",
    re.IGNORECASE,
)
# Words of section names, site names and headings that a bare "name" line never holds.
_GENERIC = {
    "news", "tech", "recipes", "posts", "post", "recent", "latest", "blog", "magazin",
    "magazine", "online", "redaktion", "team", "aktuell", "aktuelle", "meldungen", "home",
    "international", "future", "ag", "gmbh", "inc", "ltd", "llc", "media", "verlag",
    "schweiz", "deutschland", "österreich", "politik", "wirtschaft", "kultur", "sport",
    "lokales", "ratgeber", "service", "energie", "nachrichten", "noticias", "actualités",
    "video", "videos", "fotos", "photos", "podcast", "newsletter", "kontakt", "impressum",
    "weihnachten", "startseite", "menu", "menü", "archiv", "archive", "kategorie",
    "category", "tags", "themen", "topics", "more", "mehr", "weitere", "related",
}  # fmt: skip
_ABBREVIATION = re.compile(r"(?:\b(?:jr|sr|st|dr)|\b[A-Z])\.$", re.IGNORECASE)


def looks_like_name(text: str) -> bool:
    """One to five capitalised tokens (particles such as "von", "de" aside)."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5:
        return False
    capitalised = [t for t in tokens if t.casefold() not in _NAME_PARTICLE]
    return bool(capitalised) and all(_NAME_TOKEN.match(t) for t in capitalised)


def _strip_name(name: str) -> str:
    """A name without the punctuation around it; "Jr." and an initial keep their dot."""
    name = name.strip(" ,:;|*")
    if name.endswith(".") and not _ABBREVIATION.search(name):
        name = name.rstrip(".").rstrip()
    return name.lstrip(". ")


def names_from(text: str) -> list[str] | None:
    """The names in the text after a byline's lead word, or None if it holds no names.

    "Jane Roe and John Doe | 3 May 2022" -> both names; "Jane Roe, CNN" -> Jane Roe.
    """
    text = _WS.sub(" ", text).strip(" |:")
    text = _BYLINE_TAIL.sub("", text)
    text = _NAME_END.sub("", text).strip(" ,:;|")
    if not text:
        return None
    names = [_strip_name(n) for n in _NAME_SPLIT.split(text) if n and _strip_name(n)]
    # A role ("Jane Roe, Online-Redaktion") ends the names; what follows it is the desk
    # or the employer ("Jane Roe, Project Marketing, Example Inc").
    for k, name in enumerate(names):
        if k and _ROLE.search(name):
            names = names[:k]
            break
    # A trailing agency or outlet ("Jane Roe, CNN", "Bob Yirka, Phys.org") is not a name.
    while len(names) > 1 and (names[-1].casefold() in _AGENCIES or _AGENCY.match(names[-1])):
        names.pop()
    if not names or not all(looks_like_name(n) for n in names):
        return None
    if any(_DOMAIN.search(n) for n in names):
        return None  # "Redaktion example.com": the site, not a person
    if all(_fold(t) in _GENERIC for n in names for t in n.split()):
        return None  # "Recent Posts", "Aktuelle Meldungen": a heading
    return names


_DOMAIN = re.compile(r"\w\.(?:com|org|net|de|co\.uk|ch|at|fr|es|it|io|info|eu)\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Bylines

# One-line bylines: "By A and B", "Von A", "Written by A", "Author: A".
_LEAD = (
    r"(?:text von|erstellt von|verfasst von|geschrieben von|"
    r"(?:written |reported |posted |text |story |words |photos and words )?by|von|par|por|"
    r"door|di|av|przez|autor(?:in)?|autor\*in|autorka|author|auteur|text|texto|testo|reporting by|"
    r"escrito por|écrit par|scritto da|redacción|redaktion)"
)
_BYLINE = re.compile(rf"^\|?\s*{_LEAD}\s*:?\s+(?P<names>\S.{{1,90}})$", re.IGNORECASE)
# The lead word glued to the name, as a dump of "<span>By</span><a>Jane Roe</a>" has it;
# also after a verb ("Geschrieben vonJane Roe", "Posted byJane Roe") or as a label
# ("AuthorJane Roe").
_GLUED_BYLINE = re.compile(
    r"^(?:(?:By|Por|Par|Von)(?P<names>[A-ZÀ-Þ]\S*(?: \S+){0,8})|"
    r"(?:(?:Geschrieben|Veröffentlicht|Verfasst|Erstellt) von|(?:Written|Posted|Published) by|"
    r"Autor|Autorin|Author)(?P<labelled>[A-ZÀ-Þ][a-zà-ÿ]\S*(?: \S+){0,8}))$"
)
# The lead word alone on its line; the names are on the next one.
_LEAD_ALONE = re.compile(rf"^\|?\s*{_LEAD}\s*:?\s*\|?$", re.IGNORECASE)


def byline_names(line: str) -> list[str] | None:
    """Author names if ``line`` is a byline, else None."""
    text = _WS.sub(" ", line).strip()
    match = _BYLINE.match(text) or _GLUED_BYLINE.match(text)
    if not match:
        return None
    return names_from(match["names"] or match.groupdict().get("labelled") or "")


# A byline inside a meta line: "Veröffentlicht am 3. Mai 2019 von Heiko",
# "Posted on 2015-04-05 by marc | Leave a comment", "Erstellt von Fabian am Dienstag".
_EMBEDDED_BYLINE = re.compile(
    r"\b(?:by|von|par|por|door|author:?|autor(?:in)?:?|redaktion:)\s+"
    r"(?P<name>[\w.'’-]+(?: [A-ZÀ-Þ][\w.'’-]*){0,3}(?: (?:und|and|&|et|y) [A-ZÀ-Þ][\w.'’-]*"
    r"(?: [A-ZÀ-Þ][\w.'’-]*){0,3})?)\s*(?:$|[|·•,~/–—]| - | am | on | in | um | le | at | \d)",
    re.IGNORECASE,
)
_META_VERB = re.compile(
    r"\b(posted|published|veröffentlicht|publiziert|erstellt|geschrieben|written|verfasst|"
    r"publicado|publié|pubblicato)\b",
    re.IGNORECASE,
)


def embedded_byline(line: str) -> list[str]:
    """The names in a short meta line that carries a date or a "posted" verb, else []."""
    text = _WS.sub(" ", line).strip()
    if len(text) > 150 or not (_DATE_IN_LINE.search(text) or _META_VERB.search(text)):
        return []
    match = _EMBEDDED_BYLINE.search(text)
    if not match:
        return []
    name = _NAME_END.sub("", match["name"]).strip(" .")
    if not name or name.split()[0].casefold() in NOT_A_NAME or name[:1].isdigit() or len(name) < 2:
        return []
    parts = [_strip_name(n) for n in _NAME_SPLIT.split(name) if _strip_name(n)]
    if len(parts) > 1 and all(looks_like_name(p) for p in parts):
        return parts
    return [name]


def _fold(token: str) -> str:
    return token.casefold().strip(".,:;'’\"()")


def _variants(token: str) -> set[str]:
    """A folded token as a URL slug may spell it: "grüne" -> grüne, grune, gruene."""
    folded = _fold(token).replace("ß", "ss")
    umlauts = folded.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    plain = {
        "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
        for w in (folded, umlauts)
    }
    return {folded, umlauts} | plain


def _bare_name(
    text: str, stopwords: frozenset[str], avoid: frozenset[str] = frozenset()
) -> list[str] | None:
    """A line that is nothing but one to three people's names (2-4 tokens each), with no
    function word, no section or site word and no word of the headline or the URL in it:
    "Jane Roe", "Ibtisam Mahdi, Ruwaida Kamal Amer"."""
    text = _WS.sub(" ", text).strip()
    if len(text) > 60 or not text or text[-1] in ".!?:" or re.search(r"\d", text):
        return None
    names = names_from(text)
    if not names or len(names) > 3:
        return None
    for name in names:
        tokens = name.split()
        if not 2 <= len(tokens) <= 4:
            return None
        for token in map(_fold, tokens):
            if token in _NAME_PARTICLE:
                continue
            if token in stopwords or token in _GENERIC or "." in token:
                return None
            if _variants(token) & avoid:
                return None
    return names


def _names_in_dateline(
    text: str, stopwords: frozenset[str], avoid: frozenset[str]
) -> list[str] | None:
    """The names in a part of a dateline: "Jane Roe / 16.11.2018, 03:00 Uhr",
    "04.02.2022 | 13:10 Uhr | Jane Roe"."""
    for part in re.split(r"\s+[|/·•–—-]\s+|\s*\|\s*", text):
        part = part.strip(" ,")
        if part and not re.search(r"\d", part):
            names = _bare_name(part, stopwords, avoid)
            if names:
                return names
    return _name_before_date(text, stopwords, avoid)


def _name_before_date(
    text: str, stopwords: frozenset[str], avoid: frozenset[str] = frozenset()
) -> list[str] | None:
    """The names at the head of a dateline: "Jane Roe / 16.11.2018, 03:00 Uhr"."""
    match = _DATE_IN_LINE.search(text)
    if not match or match.start() == 0:
        return None
    head = text[: match.start()].strip(" |/·•,–—-")
    return _bare_name(head, stopwords, avoid) if head else None


# After the story: "About the author" / "Über die Autorin" / "Contact the author:", then
# the name (the heading may carry it: "Über den Autor: Jane Roe").
_AUTHOR_HEADING = re.compile(
    r"^(?:about the authors?|über (?:den|die) autor(?:in)?|zum autor|zur autorin|"
    r"à propos de l['’]auteur|sobre (?:el|la) autora?|o autorze|contact the authors?|"
    r"(?:written|posted|reported) by|die autorin|der autor|autor(?:in)?|author)\s*:?\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)


class _UnitLike(Protocol):
    text: str
    kind: str


_HEADER_KINDS = {"dateline", "short", "neargood", "prose_bad", "widget", "byline"}


def find_authors(
    units: Sequence[_UnitLike],
    header: tuple[int, int],
    end: int,
    stopwords: frozenset[str] = frozenset(),
    avoid: frozenset[str] = frozenset(),
) -> list[str]:
    """The article's authors from the units of a dump.

    ``header`` is the [from, to) range of units around the headline and the first lines of
    the article; ``end`` is where the article ends (the author box search starts there).
    ``avoid`` holds folded words of the headline, the URL and the host: a "name" made of
    them is a heading or the site, not a person.
    """
    lo, hi = max(0, header[0]), min(header[1], len(units))
    zone = list(range(lo, hi))
    # 1. a byline on one line
    for i in zone:
        if units[i].kind == "byline":
            names = byline_names(units[i].text)
            if names:
                return names
    # 2. the lead word alone, the names on the next line
    for i in zone:
        if _LEAD_ALONE.match(_WS.sub(" ", units[i].text).strip()) and i + 1 < len(units):
            names = _names_over_lines(units, i + 1, avoid)
            if names:
                return names
    # 3. a name inside a meta line
    for i in zone:
        if units[i].kind in _HEADER_KINDS:
            names = embedded_byline(units[i].text)
            if names:
                return names
    # 4. a bare name beside the dateline, or in front of the date on the dateline
    for i in zone:
        if units[i].kind != "dateline":
            continue
        names = _names_in_dateline(_WS.sub(" ", units[i].text).strip(), stopwords, avoid)
        if names:
            return names
        for j in (i - 1, i + 1, i - 2):
            if lo <= j < len(units) and units[j].kind in {"short", "widget"}:
                names = _bare_name(units[j].text, stopwords, avoid)
                if names:
                    return names
    # (A bare name under the headline with no dateline beside it was tried: on the dev
    # set it found 6 more right authors and 21 wrong ones, so it is not a rule.)
    # 5. an author heading or an explicit byline after the story
    for i in range(max(0, end - 1), min(end + 40, len(units))):
        text = _WS.sub(" ", units[i].text).strip()
        if units[i].kind == "byline" or _BYLINE.match(text):
            names = byline_names(text)
            if names:
                return names
    for i in range(max(0, end - 1), min(end + 40, len(units))):
        match = _AUTHOR_HEADING.match(_WS.sub(" ", units[i].text).strip())
        if not match or units[i].kind == "good":
            continue
        rest = match["rest"].strip()
        names = names_from(rest) if rest else None
        if not names and i + 1 < len(units):
            names = _bare_name(units[i + 1].text, stopwords, avoid)
        if names:
            return names
    return []


_JOINER_LINE = re.compile(r"^(?:and|und|et|y|e|i|oraz|&|,)$", re.IGNORECASE)


def _names_over_lines(
    units: Sequence[_UnitLike], first: int, avoid: frozenset[str]
) -> list[str] | None:
    """Names after a lone lead word, one name or joiner a line: "David Brand" / "and" /
    "Ramsey Khalifeh", "Jane Roe und" / "John Doe"."""
    parts: list[str] = []
    for unit in units[first : first + 6]:
        text = _WS.sub(" ", unit.text).strip()
        if not parts or _JOINER_LINE.match(text) or _JOINER_LINE.match(parts[-1].split()[-1]):
            parts.append(text)
        else:
            break
    joined = " ".join(parts)
    if not joined[:1].isupper():
        return None
    names = names_from(joined)
    if not names:
        return None
    if any(_fold(t) in _GENERIC or _variants(t) & avoid for n in names for t in n.split()):
        return None
    return names
