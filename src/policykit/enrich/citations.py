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
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("first_reported", re.compile(rf"{_NAME}[ \t]+(?:had[ \t]+|has[ \t]+)?first[ \t]+reported\b")),
    (
        "reported",
        re.compile(
            rf"{_NAME}[ \t]+(?:had[ \t]+|has[ \t]+|earlier[ \t]+|also[ \t]+)?reported\b(?!ly)"
        ),
    ),
    ("reported_by", re.compile(rf"\breported[ \t]+by[ \t]+{_NAME}")),
    ("told", re.compile(rf"\btold[ \t]+{_NAME}")),
    (
        "according_to",
        re.compile(
            rf"\b[Aa]ccording[ \t]+to[ \t]+(?:(?:a|the|an)[ \t]+(?:\w+[ \t]+)?"
            rf"(?:report|story|investigation|article|analysis)[ \t]+(?:by|in|from)[ \t]+)?{_NAME}"
        ),
    ),
    ("statement_to", re.compile(rf"\bstatement[ \t]+to[ \t]+{_NAME}")),
    ("interview_with", re.compile(rf"\binterview[ \t]+with[ \t]+{_NAME}")),
    (
        "pointed_out",
        re.compile(rf"{_NAME}[ \t]+(?:had[ \t]+|has[ \t]+|also[ \t]+)?pointed[ \t]+out\b"),
    ),
)


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
) -> list[Citation]:
    """The distinct ``(cited, pattern)`` citations in one article's text.

    ``persons`` are names known to be people in this article (skipped); ``resolve``
    maps a name to ``(outlet name, domain)`` when it is a registered outlet.
    """
    if not text:
        return []
    text = prepare_text(text)
    persons = persons or set()
    surnames = {p.split()[-1] for p in persons}
    seen: dict[tuple[str, str], Citation] = {}
    for pattern, rule in _RULES:
        for match in rule.finditer(text):
            raw = match.group("name").split()
            name = _clean_name(raw, gaz)
            if name is None or name in persons or name in surnames:
                continue
            domain = None
            if resolve is not None:
                resolved = resolve(name) or (
                    resolve(" ".join(raw)) if " ".join(raw) != name else None
                )
                if resolved is not None:
                    name, domain = resolved
            key = (name, pattern)
            if key not in seen:
                seen[key] = Citation(name, pattern, domain)
    # "X first reported" also matches the plain "reported" rule: keep the specific one.
    return [
        c
        for c in seen.values()
        if not (c.pattern == "reported" and (c.cited, "first_reported") in seen)
    ]


def registry_resolver() -> Callable[[str], tuple[str, str] | None] | None:
    """A name → (outlet name, domain) function over the outlet registry, or None when
    the registry module is not available."""
    try:
        from ..normalise import OutletRegistry  # type: ignore[attr-defined]
    except ImportError:
        return None
    registry = OutletRegistry.load()  # a broken user registry raises its own clear error
    cache: dict[str, tuple[str, str] | None] = {}

    def resolve(name: str) -> tuple[str, str] | None:
        if name not in cache:
            outlet = registry.resolve_name(name)
            cache[name] = (outlet.name, outlet.domain) if outlet is not None else None
        return cache[name]

    return resolve
