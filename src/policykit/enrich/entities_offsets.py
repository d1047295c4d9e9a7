"""Offsets of the entity recogniser: the full stops that :func:`prepare_text` removes
("Mr.", "U.S."), and the map from spans of the prepared text back to the text."""

from __future__ import annotations

import bisect
import functools
import re

from .entities_gazetteer import _ABBREVIATIONS

# The first capital, then "r." of "Mr." (2) or ".S." of "U.S." (3, 4): the regex begins
# with a character class, which the engine skips to; the look-behind after the capital
# is the word boundary before it (\b first would be tried at every position, 3 times
# slower on GMB).
_STOPS_RE = re.compile(r"([A-Z])(?<!\w\w)(?:([a-z]{0,3})\.(?=[ \t,)])|\.([A-Z])\.(?:([A-Z])\.)?)")


def prepare_with_map(text: str) -> tuple[str, list[int]]:
    """:func:`prepare_text` and the offsets (in ``text``) of the full stops it removed,
    so that spans found in the prepared text map back (:func:`original_span`)."""
    if "." not in text:
        return text, []
    removed = []
    for m in _STOPS_RE.finditer(text):  # one pass for both kinds of full stop
        if m.group(3) is None:
            if m.group(1) + m.group(2) in _ABBREVIATIONS:
                removed.append(m.end() - 1)
        else:
            removed.extend(m.end(i) for i in (1, 3, 4) if m.group(i))
    if not removed:
        return text, []
    removed = sorted(set(removed))
    parts, last = [], 0
    for pos in removed:
        parts.append(text[last:pos])
        last = pos + 1
    parts.append(text[last:])
    return "".join(parts), removed


def original_span(removed: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a span of the prepared text back to the text (a removed final stop included:
    "U.S." rather than "U.S")."""
    if not removed:
        return start, end
    return span_map(removed)(start, end)


def span_map(removed: list[int]):
    """:func:`original_span` for many spans of one text (the removals read once)."""
    if not removed:
        return lambda start, end: (start, end)
    shifted = [pos - i for i, pos in enumerate(removed)]  # where each removal sits
    return functools.partial(_map_span, removed, shifted)


def _map_span(removed: list[int], shifted: list[int], start: int, end: int):
    s = start + bisect.bisect_right(shifted, start)
    e = end - 1 + bisect.bisect_right(shifted, end - 1) + 1
    k = bisect.bisect_left(removed, e)
    if k < len(removed) and removed[k] == e:
        e += 1
    return s, e
