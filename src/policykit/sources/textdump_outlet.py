"""Which outlet a plain-text dump comes from, and the lines that recur across its dumps.

* :func:`detect_outlet`: the outlet a dump names itself by (self-references, copyright
  lines), resolved through the outlet registry when :mod:`policykit.normalise` has one;
* :func:`dump_outlet_key`, :func:`learn_boilerplate`, :func:`boilerplate_lines`: the
  cross-document evidence. A line that recurs in many dumps of the same outlet is
  boilerplate; the counts are kept per outlet and merged over ingests.

Split from :mod:`.textdump` (which re-exports these names); imports point one way:
this module uses :mod:`.textdump_io`, :mod:`.textdump_lines` and
:mod:`.textdump_authors`, never :mod:`.textdump`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SourceError
from .textdump_authors import NOT_A_NAME as _NOT_A_NAME
from .textdump_io import MAX_DUMP_BYTES, _decode, _read_capped, read_sidecar
from .textdump_lines import _WS, normalise_line

#: Key in a learnt-boilerplate mapping that holds the number of dumps seen per outlet.
#: The empty string never occurs as a real (normalised, non-empty) line.
DOCS_KEY = ""


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
