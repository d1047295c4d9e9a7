"""Structural rules of the text-dump cleaner: shapes of several units taken together.

:mod:`~policykit.sources.textdump_lines` says what each unit looks like on its own; the
rules here look at a unit together with its neighbours and re-mark it before the article
run is searched (:mod:`~policykit.sources.textdump`):

* :func:`mark_contents_lists`: a table of contents under the lede ("Inhalt" and the
  article's own subheadings) costs nothing, so the lede above it stays with the story;
* :func:`ends_header_run`: an author box ("Über Jane Roe", "About the author") after the
  first paragraph ends that headline's story, even when a longer bio follows it;
* :func:`is_other_link`: a bare link to a file spells the URL slug but is no headline;
* :func:`is_key_value`: "Earrings: Silverline" inside the story is a list item, not a
  widget label;
* :func:`trailing_boilerplate`: appeals to the reader at the end of the body go;
* :func:`is_dated_phrase`: a date inside a phrase past the header is no dateline.
"""

from __future__ import annotations

import re

from .textdump_lines import _Unit, normalise_line

# The label of a table of contents, alone on its line.
_CONTENTS_LABEL = re.compile(
    r"^(inhalt|inhalte|inhaltsverzeichnis|contents|table of contents|on this page|"
    r"in this article|auf dieser seite|in diesem artikel|sommaire|índice|indice|"
    r"spis treści|inhoud|inhoudsopgave)\s*:?$",
    re.IGNORECASE,
)
#: Longest entry of a table of contents (a subheading, not a paragraph).
_ENTRY_MAX = 120


def mark_contents_lists(units: list[_Unit], min_entries: int = 2) -> None:
    """A contents label followed by short entries that come back later in the dump as
    the article's subheadings: the label and the entries are marked ``toc`` (no score,
    removed from the body), so the lede above the list and the sections below it form
    one run.

    At least ``min_entries`` entries, and at least two thirds of them, must recur after
    the list; a site menu under an "Inhalt" link does not.
    """
    for i, unit in enumerate(units):
        if not _CONTENTS_LABEL.match(unit.text):
            continue
        entries = []
        for after in units[i + 1 :]:
            if after.kind not in {"short", "neargood", "nav", "widget"}:
                break
            if len(after.text) > _ENTRY_MAX:
                break
            entries.append(after)
        # Entries end where the first one comes back: that is the article's first section.
        first = normalise_line(entries[0].text) if entries else None
        for k, entry in enumerate(entries[1:], start=1):
            if normalise_line(entry.text) == first:
                entries = entries[:k]
                break
        if len(entries) < min_entries:
            continue
        later = {normalise_line(u.text) for u in units[i + 1 + len(entries) :]}
        recurring = sum(normalise_line(e.text) in later for e in entries)
        if recurring < min_entries or 3 * recurring < 2 * len(entries):
            continue
        for marked in (unit, *entries):
            marked.kind, marked.score = "toc", 0.0


# "Über Jane Roe", "About the author", "Autorin:": the start of an author box.
_AUTHOR_BOX = re.compile(
    r"^((über|about|à propos de|sobre|o) (?-i:[A-Z][\w.'’-]+)( (?-i:[A-Z][\w.'’-]+)){1,2}|"
    r"(about the authors?|über (den autor|die autorin)|à propos de l['’]auteur|"
    r"sobre el autor|o autorze|(the )?authors?|autor(in)?|auteur|autore|autora|"
    r"zum autor|zur autorin)\s*:?)$",
    re.IGNORECASE,
)


def ends_header_run(unit: _Unit, paragraphs: int) -> bool:
    """True when the search for the run after a headline stops at ``unit``.

    An end marker after two paragraphs always stops it (a dek and then "3 Comments" is
    still the header); an author box stops it after one paragraph: the bio after it is
    about the writer, not this story.
    """
    if unit.kind == "endmarker" and paragraphs >= 2:
        return True
    # An author heading is a bio line or an end marker, by pattern.
    return (
        unit.kind in {"endmarker", "bio"} and paragraphs >= 1 and bool(_AUTHOR_BOX.match(unit.text))
    )


# An appeal to the reader after the story: subscribe, donate, write in, follow.
_APPEAL = re.compile(
    r"\b(newsletter|abonnier\w*|subscribe|subscription|abonnez|suscríbete|suscribirse|"
    r"unterstütz\w* (sie )?(uns|unsere\w*)|support (us|our)|jetzt spenden|spenden sie|"
    r"donate (now|today|to us)|make a donation|"
    r"(in|direkt in) (dein|ihr|euer) postfach|to your inbox|dans votre boîte|"
    r"verraten sie|let us know|tell us|teilen sie uns|schreiben sie uns|schreib uns|"
    r"write to us|escríbenos|escribirnos|letter to the editor|leserbrief\w*|"
    r"gefällt (dir|ihnen|euch) unser\w*|folg(e|en sie) uns|follow us|"
    r"zapraszamy|join (the|our) \w+ of)\b",
    re.IGNORECASE,
)
#: Longest trailing line taken for an appeal (a paragraph of the story is longer).
_APPEAL_MAX = 300


def trailing_boilerplate(kept: list[_Unit], max_lines: int = 3) -> int:
    """How many units at the end of the kept body are appeals to the reader (subscribe,
    donate, "let us know", "follow us"; at most 300 characters each, up to
    ``max_lines`` from the end), not the story.
    """
    cut = 0
    while cut < min(max_lines, len(kept) - 1):
        unit = kept[-1 - cut]
        if len(unit.text) > _APPEAL_MAX or not _APPEAL.search(unit.text):
            break
        cut += 1
    return cut


_LINK = re.compile(r"^\S*(://|^www\.)\S*$|^www\.\S+$", re.IGNORECASE)


def _address(text: str) -> str:
    text = re.sub(r"^[a-z]+://", "", text.strip().casefold())
    return text.removeprefix("www.").rstrip("/")


def is_other_link(text: str, url: str | None) -> bool:
    """True for a line that is a bare link to something other than the page itself
    ("https://cdn.example.org/audio/episode-12.mp3"): it spells the URL slug but is no
    headline. The page's own address (printed under the story) is not "other"."""
    if not _LINK.match(text.strip()):
        return False
    return not url or _address(text) != _address(str(url))


# "Earcuff: Zoeca", "filename=$1": a key and its value, content of a list or a table.
_KEY_VALUE = re.compile(r"^[^\W\d_][\w-]*\s*[:=]\s*\S")


def is_key_value(text: str) -> bool:
    """A short line that pairs a key with a value is content, not a widget label."""
    return bool(_KEY_VALUE.match(text))


# What a dateline says besides its date: a label, a time, "by".
_DATELINE_WORDS = re.compile(
    r"\d{1,2}[:.]\d{2}\b|\b(uhr|am|um|on|at|by|von|par|le|el|published|posted|updated|"
    r"veröffentlicht|aktualisiert|stand|zuletzt|publié|mis à jour|publicado|actualizado|"
    r"pubblicato|aggiornato|opublikowano)\b",
    re.IGNORECASE,
)


def is_dated_phrase(text: str, min_words: int = 6) -> bool:
    """A line past the article's header that holds a date inside a phrase ("A strike
    from 5 March on", "In his post of 5 January 2015 he argues"): a subheading or a
    line of the story, not a dateline. A dateline is short or carries a label or a
    time ("Updated: 3 May 2021, 10:00")."""
    words = text.split()
    return len(words) >= min_words and not _DATELINE_WORDS.search(text)
