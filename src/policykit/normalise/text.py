"""Text rules: article text, titles, author lists, word counts.

The whitespace rule of :func:`clean_text` is written with the same regular
expressions as the ``pk_clean_ws`` macro; ``pk_text_needs_python`` flags the texts
that need more than that (mojibake, HTML, control characters).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable

import ftfy

# Repair mojibake, decode entities where no markup is present, fix C1 controls and
# ligatures, NFC. Curly quotes and full-width characters are real text: keep them.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_FTFY_NO_HTML = ftfy.TextFixerConfig(
    unescape_html=False, uncurl_quotes=False, fix_character_width=False, explain=False
)

# --- whitespace: the same patterns as pk_clean_ws -------------------------------------

_CRLF = re.compile(r"\r\n?")
_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_EDGE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")
_EDGES = re.compile(r"^[ \n]+|[ \n]+\Z")
# Characters ftfy or we would drop: C0/C1 controls except tab/newline/CR, zero-width
# space, BOM, deprecated format characters, interlinear annotation, object replacement.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u206a-\u206f\ufeff\ufff9-\ufffc]"
)
# What pk_text_needs_python flags (sql/normalise.sql), plus lone surrogates: a text with
# none of it is only NFC and whitespace to clean_text, so one pass settles it.
_NEEDS_FTFY = re.compile(
    "[<\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\u052f\u200b\u2020-\u2022\u2028-\u202e"
    "\u2030-\u206f\u20ac\u2100-\u2bff\ue000-\uf8ff\ufb00-\ufb4f\ufe00-\ufe0f\ufeff"
    "\ufff9-\ufffd\ud800-\udfff]|&[#A-Za-z]"
)


def _clean_ws(text: str) -> str:
    text = _CRLF.sub("\n", text)
    text = _HSPACE.sub(" ", text)
    text = _LINE_EDGE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return _EDGES.sub("", text)


def clean_text(text: str | None) -> str | None:
    """Return article text repaired and tidied, or None when nothing is left.

    Repairs mojibake with ftfy (``donâ€™t`` -> ``don’t``), decodes HTML entities
    when the text holds no markup, normalises to NFC, drops control characters,
    turns every run of horizontal whitespace into one space, trims each line and
    keeps paragraph breaks as one blank line (``\\n\\n``).

    >>> clean_text("  Caf\\u00c3\\u00a9   society\\r\\n\\r\\n\\r\\nNext  ")
    'Café society\\n\\nNext'
    """
    if not isinstance(text, str):
        return None
    once = _clean_text_once(text)
    if once == text or not _NEEDS_FTFY.search(once):
        return once or None  # settled: another pass could only redo NFC and whitespace
    return _fixpoint(_clean_text_once, once) or None


#: Passes before a cleaner gives up looking for its fixed point (see _fixpoint).
MAX_PASSES = 8


def _fixpoint(step, text: str, *args) -> str:
    """Apply ``step`` until the text stops changing, so that cleaning twice is cleaning once.

    One pass is not enough: dropping a control character can join two characters into
    new mojibake (``'\\x9dÜ\\x86'`` -> ``'Ü†'`` -> ``'܆'``), and stripping a site name can
    bare another one. A pass that shortens the text always earns another try (length
    bounds those); passes that keep the length are capped at MAX_PASSES.
    """
    for _ in range(MAX_PASSES):
        fixed = step(text, *args)
        if fixed == text:
            return fixed
        text = fixed
    while True:
        fixed = step(text, *args)
        if fixed == text or len(fixed) >= len(text):
            return fixed
        text = fixed


def _clean_text_once(text: str) -> str:
    text = ftfy.fix_text(text, _FTFY)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", _clean_ws(text))


def word_count(text) -> int:
    """Count whitespace-separated tokens that contain a letter or digit.

    Scripts written without spaces (Chinese, Japanese, Thai) count one word per run.
    """
    if not isinstance(text, str):
        return 0
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


# --- titles -------------------------------------------------------------------------

_SCRIPT = re.compile(r"(?is)<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)")
_COMMENT = re.compile(r"(?s)<!--.*?(?:-->|\Z)")
_BREAK = re.compile(r"(?i)<br\s*/?>")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ANY_SPACE = re.compile(r"\s+")
# Separators between a headline and a site name.
_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ")
_DOMAIN_LIKE = re.compile(
    r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|in|org|net|news|co\.uk|co\.in|io|press|tv)$", re.I
)


def _strip_html(text: str) -> str:
    text = _SCRIPT.sub("", text)
    text = _COMMENT.sub("", text)
    text = _BREAK.sub(" ", text)
    text = _TAG.sub("", text)
    # Feeds double-escape ('&amp;#8217;'): decode twice at most.
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def _name_keys(outlet_names) -> set[str]:
    # A lone string is one name, not an iterable of letters.
    if isinstance(outlet_names, str):
        outlet_names = [outlet_names]
    return {_name_key(n) for n in outlet_names or () if isinstance(n, str) and n.strip()}


def _name_key(name: str) -> str:
    key = " ".join(name.casefold().split())
    return key[4:] if key.startswith("the ") else key


def _is_site_name(segment: str, names: set[str]) -> bool:
    segment = segment.strip()
    key = _name_key(segment)
    if not key:
        return False
    # A bare site address ('NDTV.com', 'Scroll.in') is never part of a headline.
    return key in names or bool(_DOMAIN_LIKE.match(segment))


def _strip_site(title: str, names: set[str]) -> str:
    for sep in _SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head.strip() and _is_site_name(tail, names):
            title = head.strip()
            break
    for sep in (*_SEPARATORS, ": "):
        head, found, tail = title.partition(sep)
        if found and tail.strip() and _is_site_name(head, names) and _name_key(head) in names:
            title = tail.strip()
            break
    return title


def clean_title(title: str | None, outlet_names: Iterable[str] = ()) -> str | None:
    """Return a clean headline, or None when nothing is left.

    Drops ``<script>``/``<style>`` elements with their content (code is never a
    headline) and every other tag while keeping its text, decodes entities, repairs
    mojibake, NFC, collapses whitespace. A trailing site name after a separator
    (``" | MediaNama"``, ``" - The Hindu"``, ``" — Reuters"``) is removed when it
    matches one of ``outlet_names`` (case-insensitive, a leading "The" optional) or
    is a bare site address (``" - NDTV.com"``); a leading one (``"The Hindu: ..."``)
    only when it matches ``outlet_names``. Other segments (``"Report: X - analysis"``)
    stay.

    >>> clean_title("Govt notifies &lt;b&gt;DPDP&lt;/b&gt; rules | MediaNama", ["MediaNama"])
    'Govt notifies DPDP rules'
    """
    if not isinstance(title, str):
        return None
    return _fixpoint(_clean_title_once, title, _name_keys(outlet_names)) or None


def _clean_title_once(title: str, names: set[str]) -> str:
    text = _strip_html(title)
    text = _strip_html(text) if "<" in text else text
    text = ftfy.fix_text(text, _FTFY_NO_HTML)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", _ANY_SPACE.sub(" ", text).strip())
    return _strip_site(text, names) if text else text


# --- authors ------------------------------------------------------------------------

_BY = re.compile(
    r"^(?:(?:written|reported|posted|authored|edited|compiled|text|story)\s+)?by\s*[:\-]?\s+",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\||\n|/|\s&\s|\sand\s|\sund\s|\set\s)\s*", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URLISH = re.compile(r"(?i)https?://\S+|www\.\S+|\b[\w-]+\.(?:com|in|org|net|co\.uk|co\.in)\b\S*")
# Bylines that name a desk, not a person. Wire agencies (PTI, Reuters, AP...) are real
# attribution and are kept unless they are the publishing outlet (outlet_names).
_GENERIC = re.compile(
    r"^(?:(?:our|special|staff|senior|chief|political|legal|tech|technology|business|"
    r"national|foreign|city|web|news|online|digital|editorial|express|ht|toi|et|"
    r"the)\s+)*"
    r"(?:staff|staff writer|staff reporter|reporter|writer|correspondent|correspondents|"
    r"desk|bureau|team|editor|editors|editorial board|board|agencies|agency|"
    r"news service|news network|admin|administrator|guest|contributor|"
    r"tnn|ens|pti staff)$",
    re.I,
)
_MAX_NAME_WORDS = 6
# Lower-case function words never found in a person's name: a piece holding one is a
# sentence caught as a byline ("Click here to read more").
_NOT_NAME_WORDS = frozenset(
    [
        "the",
        "to",
        "of",
        "about",
        "this",
        "that",
        "here",
        "more",
        "read",
        "click",
        "other",
        "for",
        "from",
        "is",
        "are",
        "was",
        "were",
        "our",
        "your",
        "in",
        "on",
        "at",
        "with",
        "news",
        "follow",
        "share",
    ]
)


def _author_items(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return [str(x) for x in loaded if x is not None]
        return [text]
    if isinstance(raw, (list, tuple)):
        return [str(x) for x in raw if x is not None]
    return [str(raw)]


def _clean_author(piece: str) -> str:
    piece = _BY.sub("", piece.strip())
    piece = " ".join(piece.split()).strip(" .,:;-–—|[]\"'")
    return piece


def split_authors(raw, outlet_names: Iterable[str] = ()) -> list[str]:
    """Split a byline into person names, in order, without duplicates.

    Accepts a JSON list text, a Python list, or a free string ("By A and B",
    "A, B and C", "A & B", "A; B", "By A | Reuters"). Removes "By"/"Written by",
    e-mail addresses and URLs, and drops pieces that are not people: desk and role
    words ("Staff", "Web Desk", "Special Correspondent", "Agencies"), the publishing
    outlet (any of ``outlet_names``), pieces with no letter, and pieces longer than
    six words. Wire bylines such as "PTI" or "Reuters" are kept as attribution unless
    they are in ``outlet_names``. "Last, First" bylines cannot be told from two
    names and are split.

    >>> split_authors("By Jane Doe and John Roe | Reuters", ["Reuters"])
    ['Jane Doe', 'John Roe']
    """
    names = _name_keys(outlet_names)
    if isinstance(raw, str) and (plain := _plain_byline(raw, names)) is not None:
        return plain
    return _split_authors_full(raw, names)


# Names of one to four capitalised ASCII words, an optional "By " and ", "/" and "
# between names ("By Priya Sharma and Rahul Rao"): the commonest bylines, and ones the
# full path only splits, unless a piece is a "By ..." prefix, holds a separator word
# ("A And B"), is a desk name or the outlet; those go the full way. The shortcut is
# most of the ingest's byline time (tests/test_normalise_text.py compares the paths).
_PLAIN_NAME = r"[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}"
_PLAIN_BYLINE = re.compile(rf"(?:By )?({_PLAIN_NAME}(?:(?:, | and ){_PLAIN_NAME})*)")
_PLAIN_SEPARATOR = re.compile(r", | and ")
_SPLIT_WORDS = frozenset(["and", "und", "et"])  # _AUTHOR_SPLIT's words


def _plain_byline(raw: str, names: set[str]) -> list[str] | None:
    """split_authors(raw) for a plain byline, or None when raw is not one."""
    match = _PLAIN_BYLINE.fullmatch(raw)
    if match is None:
        return None
    out: list[str] = []
    seen: set[str] = set()
    for piece in _PLAIN_SEPARATOR.split(match.group(1)):
        if (
            # "Priya And and Rao": the full path splits at the first separator word in
            # any case, which a plain split on " and " cannot follow (found by make fuzz)
            any(word.casefold() in _SPLIT_WORDS for word in piece.split())
            or _BY.match(piece + " ")
            or _AUTHOR_SPLIT.search(piece)
            or _GENERIC.match(piece)
            or _name_key(piece) in names
        ):
            return None
        key = piece.casefold()
        if key not in seen:
            seen.add(key)
            out.append(piece)
    return out


def _split_authors_full(raw, names: set[str]) -> list[str]:
    out = _split_authors_once(raw, names)
    # Splitting the names again must change nothing (cleaning a piece can bare new
    # mojibake or a new separator): repeat on the output until it is stable.
    for _ in range(MAX_PASSES):
        again = _split_authors_once(out, names)
        if again == out:
            break
        out = again
    return out


def _split_authors_once(raw, names: set[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in _author_items(raw):
        item = _strip_html(item)
        if not item.isascii() or "\x1b" in item:
            # ftfy can only change non-ASCII text or terminal escapes; skipping it on
            # plain ASCII bylines is the ingest hot path's biggest saving.
            item = ftfy.fix_text(item, _FTFY_NO_HTML)
        item = _EMAIL.sub(" ", item)
        item = _URLISH.sub(" ", item)
        for piece in _AUTHOR_SPLIT.split(_BY.sub("", item.strip())):
            name = unicodedata.normalize("NFC", _clean_author(piece))
            key = name.casefold()
            if (
                not name
                or not any(c.isalpha() for c in name)
                or len(name.split()) > _MAX_NAME_WORDS
                or any(w in _NOT_NAME_WORDS for w in name.split())
                or _GENERIC.match(name)
                or _name_key(name) in names
                or key in seen
            ):
                continue
            seen.add(key)
            out.append(name)
    return out
