"""A page's publication date: its candidates, one consistency rule, and its own day.

A news page usually states its date several times: in the URL path, in structured
metadata (JSON-LD ``datePublished``, ``article:published_time``, ``<meta name=date>``...),
in visible text that htmldate reads, and the crawler knows when it fetched the page.
:func:`choose` combines them with the rule documented in ``docs/pages.md``
("Publication date") and names the rule that decided in ``date_source`` (one of
:data:`DATE_SOURCES`).

The day a reader of the page sees is the day *as written* in the outlet's own zone,
not the UTC day of the instant: ``2020-05-03T23:30:00-05:00`` is 3 May on the page and
4 May in UTC. :func:`utc_offset_minutes` and :func:`local_date` give the offset the
source wrote and that local day, the values ingest stores in ``published_utc_offset``
and ``published_local_date``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from .dates import parse_published
from .stamps import (  # noqa: F401  (re-exported: callers read them from here)
    UTC,
    Stamp,
    local_date,
    read_stamp,
    utc_offset_minutes,
    zoned_stamp,
)
from .urls import date_from_url
from .zones import country_offset

#: Every value :func:`choose` may put in ``date_source`` (plus None: no date at all).
#: Ordered from the strongest evidence to the weakest.
DATE_SOURCES = (
    "sidecar",  # the scraper's own metadata record for the page
    "url+meta",  # a structured metadata date that agrees with the date in the URL path
    "jsonld",  # JSON-LD datePublished of the page's article, no URL date to confirm it
    "meta",  # a <meta>/<time> publication date, no URL date to confirm it
    "url",  # the date in the URL path, which no metadata date agrees with
    "page",  # the date the page shows its reader (a labelled dateline, a <time>)
    "htmldate",  # htmldate's reading of the page (no structured date, no URL date)
)

#: How far (days) a metadata date may sit from the URL date and still agree with it:
#: a URL is often made from the draft's day, and a UTC timestamp crosses midnight.
AGREE_DAYS = 1
#: A candidate more than this many days before the URL date is another date on the page
#: (a sidebar, a "first published" of an older story, a revision history).
BEFORE_URL_DAYS = 2
#: A local day can run ahead of UTC by at most UTC+14:00, so a day after the crawl's
#: UTC day plus this is impossible.
AHEAD_OF_UTC = _dt.timedelta(hours=14)
#: htmldate's earliest reading this many days before its latest is a sidebar's date.
SIDEBAR_DAYS = 30
#: A UTC time of exactly HH:00:00 with HH in this range is a local midnight east of UTC
#: (a date-only value serialised by a CMS in UTC+1..UTC+4): its day is the next day.
MIDNIGHT_HOURS = range(20, 24)
#: Dates before this are not publication dates of web pages (ingest rejects them).
EARLIEST = _dt.date(1990, 1, 1)


@dataclass(frozen=True)
class Candidate:
    """A dated statement on or about the page."""

    kind: str  # jsonld | meta | url | htmldate | sidecar
    stamp: Stamp
    field: str = ""  # where it was found (the meta key, the JSON-LD type...)


@dataclass(frozen=True)
class Choice:
    """The outcome of :func:`choose`: the value to store and the rule that decided."""

    published: str | None  # the raw value for ``published`` (kept with its offset)
    date_source: str | None  # one of DATE_SOURCES, None when no date at all
    day: _dt.date | None  # the page's own day (what published_local_date will be)


# --- collecting candidates from a page ------------------------------------------------

#: <meta> keys (property, name or itemprop, lower-cased) that state the publication
#: date, strongest first. Modification dates and mail-tool dates (sailthru.date is
#: often the last update) are left out on purpose.
META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "article:published",
    "article.published",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "pubdate",
    "citation_publication_date",
    "cxenseparse:recs:publishtime",
    "date",
    "dc.date",
    "dcterms.date",
)
_META_RANK = {key: i for i, key in enumerate(META_KEYS)}
#: Keys that name no event: CMSs (TYPO3, Drupal, Plone...) fill them with the day the
#: page was last saved, so a date the page shows its reader beats them.
GENERIC_KEYS = frozenset({"date", "dc.date", "dcterms.date"})

#: JSON-LD types whose datePublished is the page's article (WebPage only if no article).
_ARTICLE_TYPE = re.compile(r"Article|BlogPosting|Report|NewsArticle|Posting|Review", re.I)
_PAGE_TYPE = re.compile(r"WebPage|ItemPage", re.I)
_MAX_JSONLD = 200_000  # characters of one JSON-LD block we read


def _jsonld_objects(value, depth: int = 0):
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value[:200]:
            yield from _jsonld_objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _jsonld_objects(value[key], depth + 1)


def _types(obj: dict) -> str:
    kind = obj.get("@type")
    if isinstance(kind, list):
        return " ".join(str(k) for k in kind)
    return str(kind or "")


def jsonld_candidates(tree) -> list[Candidate]:
    """datePublished (else dateCreated) of article objects, then of WebPage objects."""
    articles, pages = [], []
    for script in tree.xpath("//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip()[:_MAX_JSONLD]
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        for obj in _jsonld_objects(data):
            types = _types(obj)
            target = (
                articles
                if _ARTICLE_TYPE.search(types)
                else pages
                if _PAGE_TYPE.search(types)
                else None
            )
            if target is None:
                continue
            for key in ("datePublished", "dateCreated"):
                value = obj.get(key)
                stamp = read_stamp(value) if isinstance(value, str) else None
                if stamp is not None:
                    target.append(Candidate("jsonld", stamp, f"{types}.{key}"))
                    break
    return articles + pages


def meta_candidates(tree) -> list[Candidate]:
    """Publication dates in <meta> tags and <time itemprop=datePublished|pubdate>, by key rank."""
    found: list[tuple[int, int, Candidate]] = []
    for i, meta in enumerate(tree.xpath("//meta[@content]")):
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key in _META_RANK:
                stamp = read_stamp(meta.get("content"))
                if stamp is not None:
                    found.append((_META_RANK[key], i, Candidate("meta", stamp, key)))
                break
    for i, node in enumerate(tree.xpath("//time[@datetime]")):
        if (node.get("itemprop") or "").lower() == "datepublished" or node.get(
            "pubdate"
        ) is not None:
            stamp = read_stamp(node.get("datetime"))
            if stamp is not None:
                found.append(
                    (_META_RANK["datepublished"], 10_000 + i, Candidate("meta", stamp, "time"))
                )
    return [c for _, _, c in sorted(found, key=lambda t: (t[0], t[1]))]


def offset_hints(tree) -> list[Stamp]:
    """Every <time datetime> and meta date written with a non-zero offset: the page's
    own zone, to re-express a UTC instant stated elsewhere on the page."""
    hints = []
    values = [n.get("datetime") for n in tree.xpath("//time[@datetime]")]
    values += [m.get("content") for m in tree.xpath("//meta[@content]")]
    for value in values[:500]:
        stamp = zoned_stamp(value) if value and len(value) < 40 else None
        if stamp is not None:
            hints.append(stamp)
    return hints


def _in_zone(stamp: Stamp, hints: list[Stamp]) -> Stamp:
    """A UTC-written stamp re-expressed as the same instant the page writes with an
    offset elsewhere (within a minute), else unchanged."""
    if stamp.instant is None or stamp.offset not in (None, 0):
        return stamp
    for hint in hints:
        if abs((hint.instant - stamp.instant).total_seconds()) <= 60:
            return hint
    return stamp


def _in_country(stamp: Stamp, url: str | None, shown: Callable[[], Shown | None]) -> Stamp:
    """A time written in UTC (``Z``, ``+00:00``, ``GMT``), with no offset for it
    elsewhere on the page, re-expressed in the zone of the outlet's country
    (:func:`~policykit.normalise.zones.country_offset`), else unchanged.

    Exactly 00:00:00 UTC is a date written as a midnight, not a time: it keeps its day.
    So does a time whose UTC day is the day the page prints (``shown``, asked only
    when the zone moves the day): that site's clock runs in UTC.
    """
    if stamp.offset != 0 or stamp.instant is None or stamp.instant.time() == _dt.time(0):
        return stamp
    offset = country_offset(url, stamp.instant)
    if not offset:
        return stamp
    local = stamp.instant.astimezone(_dt.timezone(_dt.timedelta(minutes=offset)))
    if local.date() != stamp.day:
        printed = shown()
        if printed is not None and printed.day == stamp.day:
            return stamp
    return Stamp(local.replace(microsecond=0).isoformat(), local.date(), offset, stamp.instant)


# --- dates the page shows its reader --------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A date printed on the page: a labelled dateline or a ``<time>`` element."""

    raw: str  # the text (or datetime attribute) it was read from
    day: _dt.date
    clock: tuple[int, int] | None  # the wall-clock time shown beside it, if any
    labelled: bool  # introduced by a publication label ("Erschienen am", "Published on")
    structured: bool = False  # a <time itemprop=datePublished|pubdate>: a candidate already


#: Containers whose dates belong to other stories or to readers: comment threads,
#: teaser and related-article lists, sidebars, menus, tickers (a class or id word that
#: starts with one of these; a word naming the main column does not count).
_OTHER_STORIES = re.compile(
    r"(?:^|[-_])(?:comment|kommentar|teaser|related|sidebar|widget|recommend|popular"
    r"|breadcrumb|ticker|more-?news|weitere|latest|archive|similar|most-?read|trending"
    r"|promo|carousel|slider|menu|navbar)",
    re.I,
)
_READERS = re.compile(r"(?:^|[-_])(?:comment|kommentar|menu|navbar)", re.I)
_MAIN_COLUMN = re.compile(r"main|content|article|body|layout|^lay-|^has-|^no-|wrap|container", re.I)
_OTHER_TAGS = frozenset({"nav"})
#: A shown date introduced as an update is not the publication date.
_UPDATE_WORDS = re.compile(
    r"^\W*(?:zuletzt\s+)?(?:aktualisiert|updated|last\s+updated|last\s+modified|letzte\s+änderung"
    r"|zuletzt\s+geändert|geändert|actualizado|actualizada|mis\s+à\s+jour|modifié|aggiornato"
    r"|päivitetty|bijgewerkt|uppdaterad|opdateret|zaktualizowano|edited|editiert|stand)\b",
    re.I,
)
_UPDATE_CLASS = re.compile(r"modif|updat|actualiza|edited", re.I)
_PUBLISH_CLASS = re.compile(r"publish|entry-date|creat|post-date|dateline", re.I)
_MONTH_WORD = r"[^\W\d_]{3,12}\.?"
#: A date as pages print it: numeric day-first or ISO, or with a month name.
_SHOWN_DATE = re.compile(
    r"(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d\d)(?![\d.])"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\.?\s+(?:de\s+)?" + _MONTH_WORD + r",?\s+(?:de\s+)?\d{4}"
    r"|" + _MONTH_WORD + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    r"(?:[,\s]*(?:-|–|um|at|à|a\s+las|klo|kl\.|T)?\s*(\d{1,2})[:.h](\d\d)(?!\d)"
    r"(?:\s*([ap])\.?\s?m\b\.?)?)?",
    re.I,
)
#: Labels that introduce a publication date, in the languages of the press.
_PUBLISHED_LABEL = re.compile(
    r"(?<!\w)(?:erschienen\s+am|ver(?:ö|oe)ffentlicht(?:\s+am)?|publiziert(?:\s+am)?|erstellt\s+am"
    r"|(?:first\s+)?published(?:\s+on)?|posted\s+on|written|publication\s+date"
    r"|publicad[oa](?:\s+el)?|publié\s+le|pubblicato\s+il|gepubliceerd\s+op"
    r"|opublikowano|julkaistu|publicerad|udgivet)\s*[:：]?\s*(?:[^\W\d_]{2,12}\.?,?\s+)?",
    re.I,
)
_SHOWN_SCAN = 300_000  # characters of visible text scanned for labelled datelines
_SHOWN_TIMES = 40  # <time> elements looked at


def _other_story(node, labelled: bool = False) -> bool:
    """True when ``node`` sits in a comment thread, a teaser list, a sidebar or a menu.
    A labelled dateline only counts as another story's in a comment or a menu: pages
    print their own "Erschienen am" in boxes their CMS calls teasers or events."""
    pattern = _READERS if labelled else _OTHER_STORIES
    for anc in node.iterancestors():
        if anc.tag in ("body", "html"):
            break
        if anc.tag in _OTHER_TAGS:
            return True
        words = f"{anc.get('class') or ''} {anc.get('id') or ''}".split()
        if any(pattern.search(w) and not _MAIN_COLUMN.search(w) for w in words):
            return True
    return False


def read_shown(text: str) -> Shown | None:
    """The first printed date in ``text`` (day-first numbers, ISO, month names in any
    language dateparser reads), with the clock time beside it; None if none.

    >>> shown = read_shown("am 3. Februar 2022 um 21:17")
    >>> shown.raw, shown.day, shown.clock
    ('3. Februar 2022 um 21:17', datetime.date(2022, 2, 3), (21, 17))
    """
    match = _SHOWN_DATE.search(text)
    if match is None:
        return None
    date_part = text[match.start() : match.start(1) if match.group(1) else match.end()]
    parsed = parse_published(date_part.strip(" ,-–T"))
    if parsed.value is None:
        return None
    clock = None
    if match.group(1):
        hour, minute = int(match.group(1)), int(match.group(2))
        if match.group(3):
            hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
        clock = (hour, minute) if hour < 24 and minute < 60 else None
    return Shown(match.group(0).strip(), parsed.value.date(), clock, False)


def _labelled(tree) -> Shown | None:
    body = tree.find(".//body")
    nodes = (body if body is not None else tree).xpath(
        ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
        " and not(ancestor::template)]"
    )
    parts, starts, size = [], [], 0
    for node in nodes:
        text = " ".join(str(node).split())
        if not text:
            continue
        starts.append((size, node))
        parts.append(text)
        size += len(text) + 1
        if size > _SHOWN_SCAN:
            break
    joined = " ".join(parts)
    for label in _PUBLISHED_LABEL.finditer(joined):
        shown = read_shown(joined[label.end() : label.end() + 60])
        if shown is None or not joined[label.end() :].startswith(shown.raw[:4]):
            continue
        owner = next((n for start, n in reversed(starts) if start <= label.start()), None)
        if owner is not None and _other_story(owner.getparent(), labelled=True):
            continue
        return Shown(shown.raw, shown.day, shown.clock, True)
    return None


def _is_update(node, text: str) -> bool:
    """An element introduced or classed as an update (not WordPress's 'entry-date
    updated', its published date)."""
    cls = node.get("class") or ""
    if _UPDATE_WORDS.search(text):
        return True
    return bool(_UPDATE_CLASS.search(cls)) and not _PUBLISH_CLASS.search(cls)


def _time_elements(tree) -> Shown | None:
    for node in tree.xpath("//body//time")[:_SHOWN_TIMES]:
        text = " ".join(node.text_content().split())
        if _other_story(node) or _is_update(node, text):
            continue
        shown = read_shown(text) if text and len(text) < 80 else None
        stamp = read_stamp(node.get("datetime") or "")
        structured = (node.get("itemprop") or "").lower() == "datepublished" or (
            node.get("pubdate") is not None
        )
        if shown is not None:
            # the day the reader sees, whatever zone the datetime attribute is written in
            return Shown(shown.raw, shown.day, shown.clock, False, structured)
        if stamp is not None:
            return Shown(stamp.raw, page_day(stamp, None), None, False, structured)
    return None


def _in_link_or_masthead(node) -> bool:
    """A date in a link or a list item is another story's (a teaser list); one in a
    <header> without the headline is the site's masthead showing today's date."""
    for anc in node.iterancestors():
        if anc.tag in ("a", "li"):
            return True
        if anc.tag == "header" and not anc.xpath(".//h1"):
            return True
    return False


def _date_classed(tree) -> Shown | None:
    """The first short element whose class names a date (``span.date``, ``p.Dateline``,
    ``div.news-single-timedata``) and whose text is a date."""
    nodes = tree.xpath(
        "//body//*[contains(@class, 'date') or contains(@class, 'Date')"
        " or contains(@class, 'datum') or contains(@class, 'timedata')]"
    )
    for node in nodes[:_SHOWN_TIMES]:
        if node.tag in ("time", "body", "html", "article", "section", "main"):
            continue  # <time> is read above; a whole section is no date
        text = " ".join(node.text_content().split())
        if not text or len(text) > 200 or _other_story(node) or _is_update(node, text):
            continue
        if _in_link_or_masthead(node):
            continue
        # a longer element (a date and its byline) counts when it opens with the date
        shown = read_shown(text if len(text) <= 60 else text[:40])
        if shown is not None and (len(text) <= 60 or text.startswith(shown.raw[:4])):
            return shown
    return None


#: A paragraph that opens with its date: "29.11.2022 – Mehrfach ...", "(21. November
#: 2022) Energieverbraucher ...", the news agency dateline.
_DATELINE = re.compile(r"^\(?\s*(?=\d)(.{6,40}?)\)?\s*[–—-]?\s")


_BY = frozenset({"von", "by", "par", "por", "di", "door", "av", "af"})


def _is_byline(text: str) -> bool:
    """One to four capitalised words, after an optional "von"/"by"...: an author's name
    ("Daniel Dillenburg") or a section ("Botschaft"), as printed after a dateline."""
    words = text.split()
    if words and words[0].lower() in _BY:
        words = words[1:]
    return 0 < len(words) <= 4 and all(w[0].isupper() and not w[0].isdigit() for w in words)


def _paragraph_dateline(tree) -> Shown | None:
    for node in tree.xpath("//body//p")[: _SHOWN_TIMES * 2]:
        text = " ".join(node.text_content().split())
        match = _DATELINE.match(text)
        if match is None or _other_story(node) or _in_link_or_masthead(node):
            continue
        shown = read_shown(text[:60])
        if shown is None or not text.lstrip("( ").startswith(shown.raw[:4]):
            continue
        rest = text.lstrip("( ")[len(shown.raw) :].lstrip(" )")
        if len(text) >= 80 and (rest[:1] in "–—-" or text.startswith("(")):
            return shown
        if len(text) < 80 and rest[:1] in ",|" and _is_byline(rest[1:]):
            return shown  # "1. Februar 2022, Daniel Dillenburg", "2021-10-16 | Botschaft"
    return None


def shown_date(tree) -> Shown | None:
    """The publication date the page shows its reader: the first labelled dateline
    ("Erschienen am 13.10.2021", "Published on May 3, 2022") outside comments and
    lists of other stories, else the first such ``<time>`` element; None if neither."""
    return (
        _labelled(tree) or _time_elements(tree) or _date_classed(tree) or _paragraph_dateline(tree)
    )


# --- the rule -------------------------------------------------------------------------


def _latest_day(crawl: _dt.datetime | None, now: _dt.datetime | None) -> _dt.date:
    ref = crawl or now or _dt.datetime.now(UTC)
    if ref.tzinfo is None:
        ref = ref.replace(tzinfo=UTC)
    return (ref.astimezone(UTC) + AHEAD_OF_UTC).date()


def _day(value: str | None) -> _dt.date | None:
    stamp = read_stamp(value) if value else None
    return stamp.day if stamp else None


def choose(
    *,
    structured: list[Candidate],
    url: str | None = None,
    htmldate: str | Callable[[], str | None] | None = None,
    htmldate_latest: str | Callable[[], str | None] | None = None,
    sidecar: str | None = None,
    crawl: _dt.datetime | None = None,
    hints: list[Stamp] | None = None,
    now: _dt.datetime | None = None,
    shown: Shown | Callable[[], Shown | None] | None = None,
) -> Choice:
    """Combine a page's date candidates; the rule, in order (docs/pages.md):

    1. The scraper's sidecar date wins as given (``sidecar``).
    2. A candidate dated after the crawl (its day past the crawl's UTC day + 14 h) or
       before 1990 is impossible and dropped; so is a metadata or htmldate date more
       than 2 days before the URL date (another date on the page).
    3. The first structured date (JSON-LD article ``datePublished``, then the <meta>
       keys in :data:`META_KEYS` order) that lies within a day of the URL date:
       ``url+meta`` (htmldate's reading does not pick among them: it reads one of them).
    4. A URL date with no structured date within a day: ``url`` (a CMS writes the path
       when the story is created; a later metadata date is an update); but when the
       page prints the first structured date's day and it is after the URL date, that
       date (``page``: the path was the draft's day).
    5. No URL date: the first structured date, ``jsonld`` or ``meta``; when the
       structured dates disagree, the one on the day the page prints (``shown``, see
       :func:`shown_date`; a printed ``<time itemprop=datePublished>`` is a candidate
       itself and does not count), else the one htmldate reads. The printed day wins
       (``page``) when every structured date is a generic key (:data:`GENERIC_KEYS`, a
       CMS's save date), or when the chosen value is a time in UTC (or with no zone)
       one day off the printed day: the outlet's calendar day. Then the instant is kept
       at the offset the printed clock time shows, when it shows one.
    6. No structured date: the printed date (``page``) when htmldate reads another day
       (htmldate often reads a comment's or a sidebar's date).
    7. Otherwise htmldate's reading (``htmldate``), None when there is nothing. htmldate
       reads the earliest plausible date (``original_date=True``); when that is more
       than 30 days before its latest reading (``htmldate_latest``), the earliest is
       an older story in a sidebar or a revision history, and the latest is taken.

    Each value written in UTC is first re-expressed with the offset the page writes the
    same instant with elsewhere (``hints``, or another structured date), else in the
    zone of the outlet's country (:func:`_in_country`), so its day is the page's own;
    candidates "disagree" only when these days differ.

    ``shown``, ``htmldate`` and ``htmldate_latest`` may be given as functions without
    arguments: each is another pass over the page, called only when the rule gets that
    far (a URL date, or structured dates that agree, usually decide first).
    """
    if sidecar is not None and str(sidecar).strip():
        return Choice(str(sidecar).strip(), "sidecar", _day(str(sidecar)))
    latest = _latest_day(crawl, now)
    url_day = date_from_url(url)
    if url_day is not None and not EARLIEST <= url_day <= latest:
        url_day = None

    def possible(day: _dt.date) -> bool:
        if not EARLIEST <= day <= latest:
            return False
        return url_day is None or day >= url_day - _dt.timedelta(days=BEFORE_URL_DAYS)

    # The page's own offsets: <time>/<meta> values and structured dates written with one.
    zoned = list(hints or [])
    zoned += [c.stamp for c in structured if c.stamp.offset and c.stamp.instant is not None]
    pool = [Candidate(c.kind, _in_zone(c.stamp, zoned), c.field) for c in structured]
    printed: list[Shown | None] = []

    def shown_once() -> Shown | None:
        if not printed:
            printed.append(shown() if callable(shown) else shown)
        return printed[0]

    pool = [Candidate(c.kind, _in_country(c.stamp, url, shown_once), c.field) for c in pool]
    pool = [c for c in pool if possible(c.stamp.day)]
    read: list[str | None] = []

    def htmldate_once() -> str | None:
        if not read:
            read.append(htmldate() if callable(htmldate) else htmldate)
        return read[0]

    if url_day is not None:
        agree = [c for c in pool if abs((c.stamp.day - url_day).days) <= AGREE_DAYS]
        if agree:
            stamp = _arbitrate(agree, lambda: None).stamp
            return Choice(stamp.raw, "url+meta", page_day(stamp, url_day))
        if pool:
            printed = shown_once()
            first = pool[0]
            if (
                printed is not None
                and not printed.structured
                and printed.day == page_day(first.stamp, None)
                and printed.day > url_day
            ):
                return Choice(first.stamp.raw, "page", printed.day)
        return Choice(url_day.isoformat(), "url", url_day)
    if pool and _settled(pool):
        # agreeing structured dates that no printed day can overrule: the page is not read
        stamp = pool[0].stamp
        return Choice(stamp.raw, pool[0].kind, page_day(stamp, None))
    shown = shown_once()
    shown_day = shown.day if shown is not None and possible(shown.day) else None
    if pool:
        # a printed date settles a disagreement, unless it is one of the candidates itself
        independent = shown_day
        if shown is not None and (
            shown.structured or any(c.field == "time" and c.stamp.day == shown_day for c in pool)
        ):
            independent = None
        cand = _arbitrate(pool, lambda: independent or _day(htmldate_once()))
        if shown_day is None or shown_day == page_day(cand.stamp, None):
            return Choice(cand.stamp.raw, cand.kind, page_day(cand.stamp, None))
        # The page shows another day than its metadata says.
        if all(c.field in GENERIC_KEYS for c in pool):
            # a CMS's save date against the printed date: the printed date
            return _shown_choice(shown, None)
        if _one_day_apart(cand.stamp, shown_day):
            # a UTC instant, or a value with no zone, printed in the outlet's own zone
            return _shown_choice(shown, cand.stamp)
        return Choice(cand.stamp.raw, cand.kind, page_day(cand.stamp, None))
    seen = _day(htmldate_once())
    if shown_day is not None and shown_day != seen:
        # htmldate's reading (often a sidebar's or a comment's date) against the date
        # the page prints for its story
        return _shown_choice(shown, None)
    if callable(htmldate_latest):
        htmldate_latest = htmldate_latest()
    latest_seen = _day(htmldate_latest)
    earliest_suspect = seen is None or not possible(seen)
    if latest_seen is not None and not earliest_suspect:
        earliest_suspect = (latest_seen - seen).days > SIDEBAR_DAYS
    if latest_seen is not None and possible(latest_seen) and earliest_suspect:
        return Choice(htmldate_latest, "htmldate", latest_seen)
    if seen is not None and possible(seen):
        return Choice(htmldate_once(), "htmldate", seen)
    return Choice(None, None, None)


def _zone_unsure(stamp: Stamp) -> bool:
    """A time written in UTC or with no zone: the outlet's own day may be another."""
    return (
        stamp.instant is not None
        and not stamp.offset
        and not _is_local_midnight(stamp.instant)  # a date-only value: its day is known
    )


def _one_day_apart(stamp: Stamp, day: _dt.date) -> bool:
    """A time written in UTC or with no zone, one day from ``day``."""
    return _zone_unsure(stamp) and abs((page_day(stamp, None) - day).days) == 1


def _settled(pool: list[Candidate]) -> bool:
    """True when the printed day cannot change the choice among ``pool`` (rule 5): the
    candidates agree on the day, one is not a generic key, and the first is written
    with its zone or as a date. The printed date only arbitrates a disagreement,
    overrules generic keys, or moves a UTC time by a day."""
    return (
        len({c.stamp.day for c in pool}) == 1
        and not all(c.field in GENERIC_KEYS for c in pool)
        and not _zone_unsure(pool[0].stamp)
    )


def _shown_choice(shown: Shown, stamp: Stamp | None) -> Choice:
    """The printed day as the value to store. When the page prints a clock time that is
    ``stamp``'s instant at a whole quarter-hour offset, the instant is kept, written at
    that offset (so both the instant and the page's day survive); else the day alone."""
    if stamp is not None and shown.clock is not None:
        wall = _dt.datetime.combine(shown.day, _dt.time(*shown.clock), tzinfo=UTC)
        minutes = round(
            (wall - stamp.instant.replace(second=0, microsecond=0)).total_seconds() / 60
        )
        if minutes and minutes % 15 == 0 and abs(minutes) <= AHEAD_OF_UTC.total_seconds() / 60:
            zone = _dt.timezone(_dt.timedelta(minutes=minutes))
            local = stamp.instant.astimezone(zone).replace(microsecond=0)
            return Choice(local.isoformat(), "page", local.date())
    return Choice(shown.day.isoformat(), "page", shown.day)


def _arbitrate(pool: list[Candidate], seen: Callable[[], _dt.date | None]) -> Candidate:
    """The first candidate; when the candidates disagree on the day, the first whose day
    is the one the page shows (``seen()``, asked only then: the visible date settles it)."""
    if len({c.stamp.day for c in pool}) > 1:
        day = seen()
        for cand in pool:
            if day is not None and cand.stamp.day == day:
                return cand
    return pool[0]


def page_day(stamp: Stamp, url_day: _dt.date | None) -> _dt.date:
    """The page's own day for a value and the page's URL date.

    A value written with a non-zero offset is its own day. A timestamp written in UTC
    (or with no zone) within a day of the URL date is the URL's day: the path was
    written in the outlet's calendar, the timestamp in UTC (23:11Z on 31 December is
    1 January in Berlin). Otherwise the day as written.
    """
    if stamp.offset or stamp.instant is None:
        return stamp.day
    if url_day is not None and abs((stamp.day - url_day).days) <= AGREE_DAYS:
        return url_day
    if stamp.offset == 0 and _is_local_midnight(stamp.instant):
        return stamp.day + _dt.timedelta(days=1)
    return stamp.day


def _is_local_midnight(instant: _dt.datetime) -> bool:
    return (
        instant.hour in MIDNIGHT_HOURS
        and instant.minute == 0
        and instant.second == 0
        and instant.microsecond == 0
    )


def page_candidates(tree) -> tuple[list[Candidate], list[Stamp]]:
    """The structured candidates of a parsed page (JSON-LD first) and its offset hints."""
    return jsonld_candidates(tree) + meta_candidates(tree), offset_hints(tree)


def stored_day(
    published: str | None,
    date_source: str | None,
    url: str | None,
    scraped_at: _dt.datetime | None = None,
) -> _dt.date | None:
    """The ``published_local_date`` ingest stores for a page's ``published`` value: the
    Python twin of the ``local_offsets``/``local_dates`` statements of ``ingest.sql``
    (``scraped_at`` anchors relative values such as "2 hours ago")."""
    if not published:
        return None
    parsed = parse_published(published, scraped_at=scraped_at)
    if parsed.value is None:
        return None
    if date_source == "url":
        return parsed.value.date()
    offset = utc_offset_minutes(published)
    if offset:
        return local_date(parsed.value, offset)
    url_day = date_from_url(url)
    utc_day = parsed.value.date()
    has_time = re.search(r"\d:\d\d", published) is not None
    if url_day is not None and has_time and abs((url_day - utc_day).days) <= AGREE_DAYS:
        return url_day
    if offset == 0 and _is_local_midnight(parsed.value):
        return utc_day + _dt.timedelta(days=1)
    return utc_day
