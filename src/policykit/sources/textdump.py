"""Plain-text page dumps: find the article in every visible line a scraper saved.

A text dump is what a scraper writes when it keeps the visible text of a page and
nothing else: menus, the headline, captions, the article, ads, author bios, teasers,
newsletter forms and the footer, one block per line. :func:`clean_dump` keeps the
article and says why every other line went.

Two kinds of evidence decide:

* per-document cues: the line's length, whether it reads like a sentence, its stop-word
  density (language-aware through jusText's stop lists; scripts written without spaces
  fall back to length and sentence punctuation), known ad/footer/caption/newsletter
  patterns (``data/boilerplate_patterns.txt``), and position: the article is the densest
  run of prose, and it ends at the first "Written by" / "Related" / "Comments" marker;
* cross-document evidence: a line that recurs in many dumps from the same outlet is
  boilerplate. :func:`learn_boilerplate` counts such lines over a whole ingest (and
  merges the counts kept from earlier ingests); :func:`boilerplate_lines` turns the counts
  into the per-outlet sets that :class:`~policykit.sources.ReadOptions` carries.

:func:`read_textdump` is the reader: one staging row per file, with field-by-field
metadata from a sidecar ``<stem>.json`` beside the dump and/or a ``manifest.tsv`` next to
it or one folder up.

Sibling modules: :mod:`.textdump_lines` (line features and the classifier),
:mod:`.textdump_authors` (bylines and datelines), :mod:`.textdump_io` (sidecars, manifests,
the capped read), :mod:`.textdump_structure` (structural line tests), :mod:`.textdump_outlet`
(the outlet a dump names, and the cross-document boilerplate counts).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SourceError
from . import FileRead, ReadOptions, batch_from_rows
from .textdump_authors import date_line as _date_line
from .textdump_authors import find_authors
from .textdump_authors import looks_like_name as _looks_like_name
from .textdump_io import (  # noqa: F401  (re-exported: ingest and tests use them)
    MAX_DUMP_BYTES,
    PAYLOAD_EXCERPT,
    _as_text,
    _decode,
    _read_capped,
    _size,
    load_sidecar,
    read_sidecar,
)
from .textdump_lines import (  # noqa: F401  (re-exported: tests and evaluate use them)
    _DIGITS,
    _FULL_STOP,
    _KIND_SCORE,
    _PUNCT,
    _REMOVED_KINDS,
    _SENTENCE_END,
    _SPACELESS,
    _STOPLIST_NAMES,
    _TRUNCATED,
    _WORD,
    _WS,
    _classify,
    _detect_language,
    _effective_length,
    _is_sentence,
    _pattern_kind,
    _patterns,
    _stoplist,
    _Unit,
    _units,
    mark_paywall_ledes,
    mark_trailing_sentences,
    normalise_line,
)
from .textdump_outlet import (  # noqa: F401  (re-exported: ingest and tests use them)
    DOCS_KEY,
    boilerplate_lines,
    detect_outlet,
    dump_outlet_key,
    learn_boilerplate,
)
from .textdump_structure import (
    ends_header_run,
    is_dated_phrase,
    is_key_value,
    is_other_link,
    mark_contents_lists,
    trailing_boilerplate,
)

__all__ = [
    "DumpResult",
    "boilerplate_lines",
    "clean_dump",
    "detect_outlet",
    "dump_outlet_key",
    "learn_boilerplate",
    "normalise_line",
    "load_sidecar",
    "read_sidecar",
    "read_textdump",
]


def _densest_run(units: list[_Unit], offset: int = 0) -> tuple[int, int, float]:
    """[start, end) of the run of units with the largest total score (Kadane), and the
    score; ``offset`` is the first unit considered."""
    best, best_span = 0.0, (offset, offset)
    total, start = 0.0, offset
    for i in range(offset, len(units)):
        if total <= 0:
            total, start = 0.0, i
        total += units[i].score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span[0], best_span[1], best


def _run_from(units: list[_Unit], first: int, last: int) -> tuple[int, int, float]:
    """The best-scoring run that starts in [first, last): the article after a headline."""
    best, best_span = 0.0, (first, first)
    paragraphs = 0
    for start in range(first, min(last, len(units))):
        if ends_header_run(units[start], paragraphs):
            # Paragraphs, then "Comments" or an author box: what follows is not this
            # headline's story (textdump_structure).
            break
        paragraphs += units[start].kind == "good"
        if units[start].score <= 0:
            continue  # a best run never starts on a loss
        total = 0.0
        for end in range(start, len(units)):
            total += units[end].score
            if total > best:
                best, best_span = total, (start, end + 1)
    return best_span[0], best_span[1], best


def _cut_at_endmarker(units: list[_Unit], start: int, end: int) -> int:
    """The article ends at the first end marker ("Written by", "Related", "Comments")
    once some prose has been seen."""
    seen_prose = False
    for i in range(start, end):
        if units[i].kind == "good":
            seen_prose = True
        elif (
            units[i].kind == "endmarker"
            and seen_prose
            and not _marker_in_header(units, start, i, end)
            and not _marker_inline(units, start, i, end)
        ):
            return i
    return end


_COMMENT_MARKER = re.compile(
    r"comment|kommentar|antwort|repl(y|ies)|respons|réaction|comentario|komentarz|commenti|"
    r"reactie|discussion|diskussion|dyskusj|gedanken|thoughts|leave a|schreib|tags?\b|"
    r"author|autor|written|posted|published|verfasst",
    re.IGNORECASE,
)


_BOX_KINDS = {"short", "neargood", "caption", "widget", "byline", "share"}


def _marker_inline(units: list[_Unit], start: int, i: int, end: int, window: int = 15) -> bool:
    """A "Related" / "Most popular" box inside the story: within ``window`` units of
    headlines, names and captions after the marker the prose resumes, and at least three
    paragraphs follow, as much prose as came before it, before the next marker (the
    same box recurring further down does not count as one). Comment and author markers
    always end the article. The box's lines are marked ``related`` (removed).
    """
    if _COMMENT_MARKER.search(units[i].text):
        return False
    following = units[i + 1 : end]
    resume = next((k for k, u in enumerate(following[:window]) if u.kind == "good"), None)
    if resume is None or any(u.kind not in _BOX_KINDS for u in following[:resume]):
        return False
    same = normalise_line(units[i].text)
    stop = next(
        (
            k
            for k, u in enumerate(following)
            if u.kind == "endmarker" and normalise_line(u.text) != same
        ),
        len(following),
    )
    after = [u for u in following[:stop] if u.kind == "good"]
    if len(after) < 3 or _prose_mass(after) < _prose_mass(units[start:i]):
        return False
    for unit in following[:resume]:  # the box's headlines and names are not the story
        unit.kind, unit.score = "related", _KIND_SCORE["related"]
    return True


def _prose_mass(units: list[_Unit]) -> float:
    return sum(u.score for u in units if u.kind == "good")


def _marker_in_header(units: list[_Unit], start: int, i: int, end: int) -> bool:
    """A marker in the article's header is a link, not the end: "3 Comments" or "Read
    more" beside the byline, a share bar's "Comments", with the story still to come.

    It is one when at most two paragraphs precede it and the prose that follows it (up
    to the end of the run) outweighs them twice over.
    """
    before = [u for u in units[start:i] if u.kind == "good"]
    meta = any(u.kind in {"dateline", "byline"} for u in units[max(start, i - 4) : i])
    if len(before) > 2 and not meta:
        return False
    return _prose_mass(units[i + 1 : end]) >= 2 * _prose_mass(before)


def _fold(text: str) -> str:
    """Lower-case ASCII-ish form, so URL slugs and headlines compare."""
    text = text.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folded_tokens(text: str) -> set[str]:
    plain = _fold(text)
    umlauts = _fold(text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
    return set(re.findall(r"[^\W_]+", plain)) | set(re.findall(r"[^\W_]+", umlauts))


# Path words that name a section or a page type, not the story.
_GENERIC_SLUG_WORDS = {
    "article", "articles", "artikel", "news", "story", "stories", "index", "blog", "post",
    "posts", "detail", "details", "content", "view", "page", "amp", "html", "nachrichten",
    "aktuell", "aktuelles", "meldung", "meldungen", "noticias", "noticia", "actualites",
    "features", "feature", "item", "entry", "show", "display", "read", "default",
}  # fmt: skip


def _slug_tokens(url: str | None) -> set[str]:
    """Words of the most descriptive path segment of a URL ("hund-vertreibt-einbrecher")."""
    if not url:
        return set()
    try:
        path = urlsplit(str(url)).path
    except ValueError:
        return set()
    # The article's slug is the last segment that spells words (later ones are ids).
    for segment in reversed(path.split("/")):
        segment = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", segment, flags=re.IGNORECASE)
        words = {
            w
            for w in re.split(r"[-_.+,]+", _fold(segment))
            if len(w) >= 3 and not w.isdigit() and re.fullmatch(r"[a-z0-9]+", w)
        }
        words -= _GENERIC_SLUG_WORDS
        if len(words) >= 2 or (len(words) == 1 and len(next(iter(words))) >= 6):
            return words
    return set()


# Breadcrumbs and tickers repeat the headline with the path to it: not the headline.
_BREADCRUMB = re.compile(
    r"[»›]|\s/\s|\s>\s|\||^\[|^(sie sind hier|you are here|home|startseite)\b", re.IGNORECASE
)


def _headline_candidates(units: list[_Unit], sidecar: dict) -> list[int]:
    """Units that repeat the sidecar title or spell out the URL slug."""
    title = sidecar.get("title")
    if title:
        key = normalise_line(str(title))
        found = [i for i, u in enumerate(units) if normalise_line(u.text) == key]
        if found:
            return found
    slug = _slug_tokens(sidecar.get("url"))
    if not slug:
        return []
    found = []
    for i, unit in enumerate(units):
        if (
            len(unit.text) > 300
            or unit.kind in {"good", "endmarker"}
            or _BREADCRUMB.search(unit.text)
            or is_other_link(unit.text, sidecar.get("url"))
        ):
            # An end marker repeats the slug too ("5 comments on <headline>"): the
            # comments follow it, not the story. So does a link to another file
            # (".../koa039-live.mp3"); the page's own address printed under the story
            # still counts (textdump_structure.is_other_link).
            continue
        tokens = _folded_tokens(unit.text)
        joined = "".join(sorted(tokens))
        hits = sum(1 for w in slug if w in tokens or (len(w) >= 6 and w in joined))
        if hits / len(slug) >= 0.6:
            found.append(i)
    return found


def _article_span(units: list[_Unit], sidecar: dict) -> tuple[int, int, int | None]:
    """(start, end, headline index or None) of the article among the units.

    With a headline located from the sidecar (title or URL slug), the article is the
    densest run that starts soon after it; otherwise the densest run of the dump.
    """
    best: tuple[float, int, int, int] | None = None
    for i in _headline_candidates(units, sidecar)[:8]:
        start, end, score = _run_from(units, i + 1, i + 16)
        if end > start and (best is None or score > best[0]):
            best = (score, start, end, i)
    if best is not None:
        _, start, end, headline = best
    else:
        start, end, _ = _densest_run(units)
        headline = None
    return start, _cut_at_endmarker(units, start, end), headline


def _mark_author_boxes(units: list[_Unit]) -> list[str]:
    """An author box: a name on its own line, then a paragraph that starts with the name
    ("Jane Roe is a reporter..."). The name line ends the article; the names are returned.
    """
    names = []
    for unit, after in zip(units, units[1:], strict=False):
        name = unit.text
        if (
            unit.kind in {"short", "byline"}
            and _looks_like_name(name)
            and len(name.split()) >= 2
            and after.text.startswith(name.split()[0])
            and after.text.split()[:2] == name.split()[:2]
            and len(after.text) > len(name) + 20
        ):
            unit.kind, unit.score = "endmarker", _KIND_SCORE["endmarker"]
            after.kind, after.score = "bio", _KIND_SCORE["bio"]
            names.append(name)
    return names


_CONTENTISH = re.compile(r"\d|[,;:!?()„“\"]|\.\S|\.$|^\w+ [a-zäöüéèàç]\w* \w+")


def _extend_tail(units: list[_Unit], start: int, end: int, limit: int = 20) -> int:
    """Take in the list, table or sign-off that follows the last paragraph.

    Lines that carry digits, punctuation or a lower-case word read as content (times,
    addresses, ingredients); a bare label ("Our Team") or any boilerplate kind stops it.
    """
    if end <= start or end >= len(units) or units[end - 1].kind == "endmarker":
        return end
    stop = end
    for i in range(end, min(end + limit, len(units))):
        unit = units[i]
        if unit.kind not in {"short", "neargood", "widget"} or not _CONTENTISH.search(unit.text):
            break
        stop = i + 1
    return stop


# What follows a label or another story's headline inside the article: chrome, not the
# paragraph a subheading would head.
_CHROME_AFTER = {
    "footer", "ad", "nav", "newsletter", "endmarker", "share", "cookie", "legal", "bio",
    "related", "boilerplate",
}  # fmt: skip


_LIST_ITEM = re.compile(r"^\s*(\d+[.)]|[-•*–])\s")


def _mark_dangling_labels(
    units: list[_Unit], start: int, end: int, title_index: int | None
) -> None:
    """A headline-like line inside the article that heads chrome, not prose: a teaser
    for another story above its "Read more" button, "Highlights from the issue" above
    a share bar. It does not end like a sentence and the unit after it is a flagged kind;
    it is marked ``widget`` (removed). Only the line right above the chrome: the kinds
    are read before any is changed, so a stack of such lines is not chained (chaining
    lowered half A of the dev set).
    """
    marked = []
    for i in range(start, min(end, len(units) - 1)):
        unit, after = units[i], units[i + 1]
        if (
            unit.kind in {"short", "neargood"}
            and i > (start if title_index is None else title_index) + 2
            and not _LIST_ITEM.match(unit.text)
            and after.kind in _CHROME_AFTER
            and not _SENTENCE_END.search(unit.text)
            and not is_key_value(unit.text)
        ):
            marked.append(unit)
    for unit in marked:
        unit.kind = "widget"


def _take_dek(units: list[_Unit], start: int, title_index: int | None, limit: int = 3) -> int:
    """The run's start moved up over the dek right above the first paragraph.

    A standfirst ("First clinical trial of an automated blood drawing device") reads
    almost like a sentence but has no final stop, so it scores a little below zero
    and the densest run begins under it. Up to ``limit`` ``neargood`` lines directly
    above the start are taken, never the headline. Called only when no headline sits
    within twelve units above the run (otherwise the whole header is kept).
    """
    while (
        limit > 0 and start > 0 and start - 1 != title_index and units[start - 1].kind == "neargood"
    ):
        start -= 1
        limit -= 1
    return start


# ---------------------------------------------------------------------------------------
# Title


def _content_tokens(text: str) -> set[str]:
    tokens = {t.casefold() for t in _WORD.findall(text) if len(t) > 3 or _SPACELESS.search(t)}
    if _SPACELESS.search(text):  # no word boundaries: compare character pairs
        tokens |= {text[i : i + 2] for i in range(len(text) - 1) if _SPACELESS.search(text[i])}
    return tokens


def _pick_title(units: list[_Unit], start: int, body_tokens: set[str]) -> int | None:
    """Index of the headline among the units just before the body (or its first unit)."""
    best, best_score = None, 0.0
    first = max(0, start - 15)
    for i in range(first, start):
        unit = units[i]
        if unit.kind not in {"short", "neargood", "good", "prose_bad", "boilerplate"}:
            continue
        text = unit.text
        words = len(text.split())
        spaceless = bool(_SPACELESS.search(text))
        if spaceless:
            if not 4 <= len(text) <= 150:
                continue
        elif not 2 <= words <= 30 or len(text) > 250:
            continue
        if text.endswith(".") and not text.endswith("..."):
            continue  # headlines rarely end with a full stop; sentences do
        tokens = _content_tokens(text)
        if not tokens:
            continue
        overlap = len(tokens & body_tokens) / len(tokens)
        score = overlap + 0.02 * min(words, 12) - 0.01 * (start - i)
        if i + 1 < len(units) and units[i + 1].kind in {"dateline", "byline"}:
            score += 0.3  # the headline sits right above its dateline or byline
        if unit.kind == "boilerplate":
            # The site name repeats on every page. A line with digits may recur only
            # once its digits are normalised away: a templated headline such as
            # "Sensex ends 33 points higher", so it is penalised less.
            score -= 0.1 if _DIGITS.search(text) else 0.5
        if score > best_score:
            best, best_score = i, score
    return best if best_score >= 0.3 else None


# ---------------------------------------------------------------------------------------
# clean_dump


@dataclass
class DumpResult:
    """What :func:`clean_dump` found in one dump."""

    title: str | None
    body: str | None  # paragraphs joined by a blank line
    outlet: str | None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # the raw date text of a dateline near the headline
    language: str | None = None
    #: (line, reason) for every input line not in the body, in input order
    removed: list[tuple[str, str]] = field(default_factory=list)


def clean_dump(
    text: str, *, boilerplate: set[str] | frozenset[str] = frozenset(), sidecar: dict | None = None
) -> DumpResult:
    """Keep the article of a plain-text page dump and say why each other line went.

    Parameters
    ----------
    text
        The dump, as a scraper saved it (one block of visible text per line).
    boilerplate
        Normalised lines (:func:`normalise_line`) known to recur across this outlet's
        dumps; they are removed wherever they appear.
    sidecar
        Metadata given with the dump (keys as :func:`read_sidecar` returns them); its
        ``title``, ``outlet`` and ``authors`` win over what the text suggests.

    Returns
    -------
    DumpResult
        Pure function of its inputs. Body lines are always input lines (stripped): the
        cleaner removes, it never rewrites.
    """
    sidecar = sidecar or {}
    text = text or ""
    units = _units(text)
    language = sidecar.get("language") or _detect_language(u.text for u in units)
    language = (language or "").split("-")[0].split("_")[0].lower() or None
    spaceless = language in {"zh", "ja", "th", "lo", "km", "my"} or (
        sum(bool(_SPACELESS.search(u.text)) for u in units) > len(units) / 2 if units else False
    )
    stopwords = _stoplist(language)
    known = set(boilerplate)
    for unit in units:
        _classify(unit, stopwords, spaceless, known)
    mark_paywall_ledes(units)
    mark_trailing_sentences(units)
    mark_contents_lists(units)
    box_authors = _mark_author_boxes(units)

    start, end, headline = _article_span(units, sidecar)
    body_tokens = set().union(*(_content_tokens(u.text) for u in units[start:end]))
    title_index = headline
    if title_index is None and end > start:
        title_index = _pick_title(units, start, body_tokens)
    end = _extend_tail(units, start, end)
    # Between the headline and the prose sit the dek, the dateline and lists (ingredients,
    # facts): part of the article unless a pattern says otherwise.
    header_end = start
    if title_index is not None and 0 < start - title_index <= 12:
        start = title_index + 1
        # Labels there ("Print Recipe", "Bild via", "Filed under") are no dek: a short
        # line in the header stays only when it reads as content.
        for unit in units[start:header_end]:
            if unit.kind == "short" and not _CONTENTISH.search(unit.text):
                unit.kind = "widget"
    else:
        start = _take_dek(units, start, title_index)
    title = sidecar.get("title") or (units[title_index].text if title_index is not None else None)
    title_key = normalise_line(title) if title else None

    published = None
    header_from = max(0, (title_index if title_index is not None else start) - 3)
    header_to = min(end, start + 8) if end > start else 0
    for unit in units[header_from:header_to]:
        if published is None and unit.kind == "dateline":
            published = _date_line(unit.text)
    # Words of the headline and the URL slug: a bare "name" made of them is a heading.
    # (Not the host: a blog's host is often its author's name.)
    avoid = _slug_tokens(sidecar.get("url")) | (_folded_tokens(title) if title else set())
    authors = find_authors(units, (header_from, header_to), end, stopwords, frozenset(avoid))
    for unit in units[header_to:end]:
        if unit.kind == "dateline" and is_dated_phrase(unit.text):
            unit.kind = "neargood"

    kept: list[_Unit] = []
    removed: list[tuple[str, str]] = []
    for i in range(start, end):
        # Widget labels inside the article ("Download", "123 KB", "NDR Info"): one or two
        # words that neither end a sentence nor head the paragraph that follows.
        unit, after = units[i], units[i + 1] if i + 1 < len(units) else None
        if (
            unit.kind == "short"
            and len(unit.text.split()) <= 2
            and not _SENTENCE_END.search(unit.text)
            and not is_key_value(unit.text)
            and (after is None or after.kind not in {"good", "neargood"})
        ):
            unit.kind = "widget"
    _mark_dangling_labels(units, start, end, title_index)
    for i, unit in enumerate(units):
        if i == title_index or (title_key and normalise_line(unit.text) == title_key):
            reason = "title"
        elif not start <= i < end:
            reason = unit.kind if unit.kind in _REMOVED_KINDS else "outside_article"
        elif unit.kind in _REMOVED_KINDS - {"teaser", "prose_bad"}:
            # Inside the article only flagged lines go. A line ending in "..." there is a
            # sentence trailing off (teaser lists sit after the end marker), and a
            # low-stop-word line is a list item, code or a reference.
            reason = unit.kind
        else:
            kept.append(unit)
            continue
        removed.extend((line, reason) for line in unit.lines)

    # Short lines that trail the article (a lone "Share" or a site name) are not body.
    while kept and kept[-1].kind == "short":
        removed.extend((line, "outside_article") for line in kept.pop().lines)
    for _ in range(trailing_boilerplate(kept)):
        removed.extend((line, "trailing") for line in kept.pop().lines)
    while kept and kept[-1].kind == "short":
        removed.extend((line, "outside_article") for line in kept.pop().lines)

    body = "\n\n".join("\n".join(u.lines) for u in kept) or None
    outlet = sidecar.get("outlet") or detect_outlet(text)
    if not authors and box_authors:
        authors = box_authors[:1]
    if sidecar.get("authors"):
        authors = list(sidecar["authors"])
    return DumpResult(
        title=title,
        body=body,
        outlet=outlet,
        authors=authors,
        published=published,
        language=language,
        removed=removed,
    )


# ---------------------------------------------------------------------------------------
# The reader


def read_textdump(path: Path | str, opts: ReadOptions | None = None) -> FileRead:
    """Read one plain-text page dump into one staging row (``source_locator='file'``).

    Sidecar fields (see :func:`read_sidecar`) win over what the text suggests. A file
    that is empty, binary or has a broken sidecar becomes a reject row with the reason.
    """
    opts = opts or ReadOptions()
    path = Path(path)
    try:
        data = _read_capped(path)
    except OSError as exc:
        raise SourceError(f"text dump {path} cannot be read: {exc.strerror or exc}") from exc

    def reject(reason: str, detail: str, payload: str | None) -> FileRead:
        row = {
            "source_locator": "file",
            "payload": payload,
            "reject_reason": reason,
            "reject_detail": detail,
        }
        return FileRead(str(path), "txt", "page", iter([batch_from_rows([row])]))

    if len(data) > MAX_DUMP_BYTES:
        excerpt = data[:PAYLOAD_EXCERPT].decode("utf-8", "backslashreplace")
        size = _size(path)
        return reject(
            "too_large",
            f"{path.name}: {size} bytes exceeds the {MAX_DUMP_BYTES} byte cap for a text dump",
            excerpt,
        )
    try:
        text = _decode(data)
    except SourceError as exc:
        return reject("not_text", str(exc), None)
    if not text.strip():
        return reject("empty_file", f"{path.name} holds no text", text)
    sidecar, problems = load_sidecar(path)
    problem_rows = [
        {"source_locator": loc, "reject_reason": reason, "reject_detail": detail}
        for loc, reason, detail in problems
    ]

    key = dump_outlet_key(text, sidecar)
    known = opts.boilerplate.get(key, set()) if key else set()
    result = clean_dump(text, boilerplate=known, sidecar=sidecar)
    row = {
        "source_locator": "file",
        "payload": text,
        "url": sidecar.get("url"),
        "title": result.title,
        "summary": sidecar.get("summary"),
        "body": result.body,
        "authors": _as_text(result.authors) if result.authors else None,
        "published": _as_text(sidecar.get("published")) or result.published,
        "outlet": result.outlet,
        "language": sidecar.get("language") or result.language,
        "scraped_at": _as_text(sidecar.get("scraped_at")),
        "tags": _as_text(sidecar.get("tags")),
        "extraction_method": "textdump",
        "date_source": (
            "sidecar" if sidecar.get("published") else ("text" if result.published else None)
        ),
        "body_missing_reason": None if result.body else "no_article_text",
    }
    return FileRead(str(path), "txt", "page", iter([batch_from_rows([row, *problem_rows])]))
