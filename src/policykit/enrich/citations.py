"""Citations: which outlets and organisations an article names as its source.

A citation is a capitalised name in one of these phrases (``pattern`` in
``article_citations``):

==================  ===========================================================
``reported``        "The Daily Beast reported", "NYT had reported"
``first_reported``  "Reuters first reported"
``reported_by``     "as reported by MediaNama"
``told``            "The company told The Daily Beast" (the name must be capitalised,
                    so "told its customers" is not a citation)
``according_to``    "according to Reuters", "according to a report by Mint"
``statement_to``    "in a statement to CNN"
``interview_with``  "in an interview with CNN Business"
``pointed_out``     "The Daily Beast pointed out"
==================  ===========================================================

"Clearview AI reportedly told its customers" cites nobody: "reportedly" is not
"reported", and "its customers" is not a name. A name that is a person (by title, or
found as a person by the entity recogniser in the same article) is not a source
outlet and is skipped. A name resolves through the gazetteer ("NYT" → "The New York
Times") and then through the outlet registry, which fills ``cited_domain``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .entities import (
    _CAP_WORD,
    COMMON_WORDS,
    MONTHS_DAYS,
    TITLES,
    Gazetteer,
    _sentence_initial,
    prepare_text,
)

# Ordinary words stripped from the front of a captured name ("In January Reuters");
# not "New", which starts many outlet names.
_LEADING_NOISE = COMMON_WORDS - {"new", "first", "one", "next"}

PATTERNS = (
    "reported",
    "first_reported",
    "reported_by",
    "told",
    "according_to",
    "statement_to",
    "interview_with",
    "pointed_out",
)

# A name: capitalised words (with "of", "&" inside), optionally after "The".
_NAME = rf"(?P<name>(?:The[ \t]+)?{_CAP_WORD}(?:[ \t]+(?:(?:of|for|&)[ \t]+)?{_CAP_WORD}){{0,6}})"
# The cue words are found first (a fast literal search); the name is then read from
# the text just before or after the cue.
_CUE_RE = re.compile(r"\b(reported|told|[Aa]ccording|statement|interview|pointed)\b")
_NAME_AFTER_RE = re.compile(_NAME)
_NAME_BEFORE_RE = re.compile(rf"{_NAME}$")
_MODIFIERS_RE = re.compile(r"(?:[ \t]+(?:had|has|have|earlier|also|first|originally))*[ \t]+$")
_AFTER_CUE = {
    "reported": re.compile(r"[ \t]+by[ \t]+"),
    "told": re.compile(r"[ \t]+"),
    "according": re.compile(
        r"[ \t]+to[ \t]+(?:(?:a|the|an)[ \t]+(?:\w+[ \t]+)?"
        r"(?:report|story|investigation|article|analysis)[ \t]+(?:by|in|from)[ \t]+)?"
    ),
    "statement": re.compile(r"[ \t]+to[ \t]+"),
    "interview": re.compile(r"[ \t]+with[ \t]+"),
}
_POINTED_OUT_RE = re.compile(r"[ \t]+out\b")
_WINDOW = 120


def _cited_names(text: str):
    """Yield ``(pattern, words, offset)`` for every cue phrase with a capitalised name."""
    for cue in _CUE_RE.finditer(text):
        word = cue.group(1)
        key = word.lower()
        end = cue.end()
        if key in _AFTER_CUE:
            follow = _AFTER_CUE[key].match(text, end)
            if follow is not None:
                name = _NAME_AFTER_RE.match(text, follow.end())
                if name is not None:
                    pattern = {
                        "reported": "reported_by",
                        "told": "told",
                        "according": "according_to",
                        "statement": "statement_to",
                        "interview": "interview_with",
                    }[key]
                    yield pattern, name.group("name").split(), name.start()
                continue
        if key not in ("reported", "pointed"):
            continue
        if key == "pointed" and _POINTED_OUT_RE.match(text, end) is None:
            continue
        offset = max(0, cue.start() - _WINDOW)
        before = text[offset : cue.start()]
        mods = _MODIFIERS_RE.search(before)
        if mods is None:
            continue
        name = _NAME_BEFORE_RE.search(before, 0, mods.start())
        if name is None:
            continue
        if key == "pointed":
            pattern = "pointed_out"
        else:
            pattern = "first_reported" if "first" in mods.group(0).split() else "reported"
        yield pattern, name.group("name").split(), offset + name.start()


@dataclass(frozen=True)
class Citation:
    cited: str
    pattern: str
    cited_domain: str | None = None


def _clean_name(words: list[str], gaz: Gazetteer) -> str | None:
    """The cited name from the words the pattern captured, or None when it is no name."""
    # Prefer the longest gazetteer name that ends the run ("In January New York Times").
    for i in range(len(words)):
        hit = gaz.match(words, i)
        if hit and i + hit[0] == len(words):
            return gaz.entries[hit[1]].name
    while words and (words[0].lower() in _LEADING_NOISE or words[0].lower() in MONTHS_DAYS):
        if words[0] in ("The",) and len(words) > 1 and words[1][:1].isupper():
            break  # "The Intercept" keeps its article
        words = words[1:]
    if not words or all(w.lower() in COMMON_WORDS for w in words):
        return None
    if any(w.lower() in TITLES for w in words):
        return None  # "told Senator Markey": a person, not a source outlet
    return " ".join(words)


def find_citations(
    text: str | None,
    gaz: Gazetteer,
    persons: set[str] | None = None,
    resolve: Callable[[str], tuple[str, str] | None] | None = None,
    prepared: bool = False,
) -> list[Citation]:
    """The distinct ``(cited, pattern)`` citations in one article's text.

    ``persons`` are names known to be people in this article (skipped); ``resolve``
    maps a name to ``(outlet name, domain)`` when it is a registered outlet.
    """
    if not text:
        return []
    if not prepared:
        text = prepare_text(text)
    persons = persons or set()
    surnames = {p.split()[-1] for p in persons}
    seen: dict[tuple[str, str], Citation] = {}
    for pattern, raw, start in _cited_names(text):
        name = _clean_name(raw, gaz)
        if name is None or name in persons or name in surnames:
            continue
        if len(raw) == 1 and (raw[0],) not in gaz.index and _sentence_initial(text, start):
            continue  # "Users reported ...": an ordinary word starting a sentence
        domain = None
        if resolve is not None:
            written = " ".join(raw)
            resolved = resolve(name) or (resolve(written) if written != name else None)
            if resolved is not None:
                name, domain = resolved
        seen.setdefault((name, pattern), Citation(name, pattern, domain))
    return list(seen.values())


def registry_resolver() -> Callable[[str], tuple[str, str] | None] | None:
    """A name → (outlet name, domain) function over the outlet registry, or None when
    the registry module is not available."""
    try:
        from ..normalise import OutletRegistry  # type: ignore[attr-defined]
    except ImportError:
        return None
    from .. import settings

    # The shipped registry plus the configured user registry; a broken user file raises
    # its own clear error. (Outlets loaded by `ingest --outlets` are in the database's
    # outlets table, which citations_resolve.sql uses as well.)
    registry = OutletRegistry.load(settings.load().outlets)
    cache: dict[str, tuple[str, str] | None] = {}

    def resolve(name: str) -> tuple[str, str] | None:
        if name not in cache:
            outlet = registry.resolve_name(name)
            cache[name] = (outlet.name, outlet.domain) if outlet is not None else None
        return cache[name]

    return resolve
