"""News feeds: RSS, Atom (feedparser), JSON Feed (json) and XML sitemaps. One record per item.

Items are metadata records: ``title``, ``link`` -> ``url``, ``published`` (else
``updated``) -> ``published`` as the raw string, author(s) -> ``authors`` (a JSON list),
``summary`` with its HTML stripped, categories -> ``tags``, and the feed's title ->
``outlet``. When an item carries full content (``content:encoded``, Atom ``content``,
JSON Feed ``content_html``/``content_text``) longer than its summary, its text becomes
``body``. Locators are ``item:N``, counting from 1 in document order.

As the Atom and JSON Feed specifications say, an item without an author inherits the
feed's author.

Sitemaps (:func:`read_sitemap`): each ``<url>`` gives ``url`` from ``<loc>``; Google News
entries add title, publication date, publication name and keywords. Without a news
date, ``<lastmod>`` fills ``published`` with ``date_source = 'lastmod'``.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import feedparser

from . import FileRead, ReadOptions, batch_from_rows
from .pages import PAYLOAD_SAMPLE, load_page_bytes, sample_text

#: The sitemap protocol allows 50 MB uncompressed.
MAX_SITEMAP_BYTES = 52_428_800

#: feedparser complaints that do not mean lost items.
_LENIENT_OK = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)

_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote")


def strip_html(fragment: str | None) -> str | None:
    """Visible text of an HTML fragment, whitespace collapsed; None when empty.

    Examples
    --------
    >>> strip_html("<p>In rural <b>areas</b>,</p><p>basic care</p><img src='x.png'/>")
    'In rural areas, basic care'
    >>> strip_html("   ") is None
    True
    """
    if fragment is None or not str(fragment).strip():
        return None
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(str(fragment), create_parent="div")
    except (ParserError, ValueError):
        return " ".join(str(fragment).split()) or None
    for node in root.xpath(".//script|.//style"):
        node.drop_tree()
    # Block elements end a run of text; inline ones (b, a, span) must not add spaces.
    for node in root.iter(*_BLOCK_TAGS):
        node.tail = "\n" + (node.tail or "")
    text = " ".join(root.text_content().split())
    return text or None


def _authors(names: list) -> str | None:
    clean = []
    for name in names:
        if isinstance(name, dict):
            name = name.get("name") or name.get("email")
        name = (name or "").strip() if isinstance(name, str) else None
        if name and name not in clean:
            clean.append(name)
    return json.dumps(clean, ensure_ascii=False) if clean else None


def _tags(terms: list) -> str | None:
    clean = []
    for term in terms:
        if isinstance(term, dict):
            term = term.get("term") or term.get("label")
        term = term.strip() if isinstance(term, str) else None
        if term and term not in clean:
            clean.append(term)
    return json.dumps(clean, ensure_ascii=False) if clean else None


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _body(content: str | None, summary: str | None) -> str | None:
    """Full content as text, when it says more than the summary."""
    text = strip_html(content)
    if text is None or (summary and len(text) <= len(summary)):
        return None
    return text


def _json_feed_rows(feed: dict) -> list[dict]:
    """Rows for a JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    outlet = _text(feed.get("title"))
    language = _text(feed.get("language"))
    feed_authors = feed.get("authors") or ([feed["author"]] if feed.get("author") else [])
    rows = []
    items = feed.get("items")
    if not isinstance(items, list):
        return [_reject("item:0", "malformed_feed", "JSON Feed without an 'items' list", feed)]
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(_reject(f"item:{n}", "malformed_feed", "item is not an object", item))
            continue
        summary = strip_html(item.get("summary"))
        content = item.get("content_html") or item.get("content_text")
        item_authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        rows.append(
            {
                "source_locator": f"item:{n}",
                "payload": json.dumps(item, ensure_ascii=False)[:65536],
                "url": _text(item.get("url")) or _text(item.get("external_url")),
                "title": strip_html(item.get("title")),
                "summary": summary,
                "body": _body(content, summary),
                "authors": _authors(item_authors or feed_authors),
                "published": _text(item.get("date_published")) or _text(item.get("date_modified")),
                "outlet": outlet,
                "language": _text(item.get("language")) or language,
                "tags": _tags(item.get("tags") or []),
                "extraction_method": "feed",
                "date_source": "metadata"
                if item.get("date_published") or item.get("date_modified")
                else None,
            }
        )
    return rows


def _xml_feed_rows(parsed) -> list[dict]:
    """Rows for an RSS or Atom feed parsed by feedparser."""
    feed = parsed.feed
    outlet = _text(feed.get("title"))
    language = _text(feed.get("language"))
    feed_authors = feed.get("authors") or []
    rows = []
    for n, entry in enumerate(parsed.entries, start=1):
        summary = strip_html(entry.get("summary"))
        contents = entry.get("content") or []
        content = max((c.get("value") or "" for c in contents), key=len, default=None)
        # dict.get: feedparser's own get() maps a missing 'updated' to 'published', with
        # a deprecation warning.
        published = _text(dict.get(entry, "published")) or _text(dict.get(entry, "updated"))
        rows.append(
            {
                "source_locator": f"item:{n}",
                "payload": json.dumps(_entry_payload(entry), ensure_ascii=False)[:65536],
                "url": _text(entry.get("link")) or _permalink(entry),
                "title": strip_html(entry.get("title")),
                "summary": summary,
                "body": _body(content, summary),
                "authors": _authors(entry.get("authors") or feed_authors),
                "published": published,
                "outlet": outlet,
                "language": language,
                "tags": _tags(entry.get("tags") or []),
                "extraction_method": "feed",
                "date_source": "metadata" if published else None,
            }
        )
    return rows


def _permalink(entry) -> str | None:
    guid = _text(entry.get("id"))
    return guid if guid and guid.startswith(("http://", "https://")) else None


def _entry_payload(entry) -> dict:
    keep = ("id", "title", "link", "published", "updated", "author", "summary")
    return {k: dict.get(entry, k) for k in keep if dict.get(entry, k) is not None}


def _reject(locator: str, reason: str, detail: str, payload) -> dict:
    if isinstance(payload, bytes):
        text = sample_text(payload)
    else:
        text = json.dumps(payload, ensure_ascii=False, default=str)[:65536]
    return {
        "source_locator": locator,
        "reject_reason": reason,
        "reject_detail": detail,
        "payload": text,
    }


def feed_rows(path: Path) -> list[dict]:
    """Staging rows for one feed file (RSS, Atom or JSON Feed, gzipped or not)."""
    page = load_page_bytes(path)
    if page.data is None:
        return [_reject("item:0", page.reject_reason, page.detail, page.sample)]
    data = page.data
    if data.lstrip()[:1] in (b"{", b"["):
        try:
            feed = json.loads(data)
        except RecursionError:
            return [
                _reject("item:0", "too_deep", "JSON nested deeper than the parser's limit", data)
            ]
        except ValueError as exc:
            return [_reject("item:0", "malformed_feed", f"invalid JSON: {exc}", data)]
        if not isinstance(feed, dict):
            return [_reject("item:0", "malformed_feed", "JSON Feed must be an object", data)]
        return _json_feed_rows(feed)
    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.bozo:
            detail = f"not a parseable RSS/Atom feed: {parsed.get('bozo_exception')}"
            return [_reject("item:0", "malformed_feed", detail, data)]
        return [_reject("item:0", "empty_feed", "the feed has no items", data)]
    rows = _xml_feed_rows(parsed)
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), _LENIENT_OK):
        # feedparser recovered items from broken XML (often a truncated download): keep
        # them, and record the damage once.
        detail = f"feed parsed leniently, {len(rows)} items recovered: {parsed.bozo_exception}"
        rows.append(_reject("item:0", "malformed_feed", detail, data[-PAYLOAD_SAMPLE:]))
    return rows


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element, *path: str) -> str | None:
    """Text of the first descendant matching the local-name path, namespaces ignored."""
    node = element
    for name in path:
        node = next((c for c in node if _local(c.tag) == name), None)
        if node is None:
            return None
    return _text(node.text)


def _sitemap_row(n: int, url) -> dict:
    news = next((c for c in url if _local(c.tag) == "news"), None)
    row = {
        "source_locator": f"item:{n}",
        "url": _child_text(url, "loc"),
        "extraction_method": "sitemap",
    }
    if news is not None:
        keywords = _child_text(news, "keywords")
        row.update(
            title=_child_text(news, "title"),
            published=_child_text(news, "publication_date"),
            outlet=_child_text(news, "publication", "name"),
            language=_child_text(news, "publication", "language"),
            tags=_tags(keywords.split(",")) if keywords else None,
        )
        row["date_source"] = "metadata" if row["published"] else None
    if row.get("published") is None:
        # <lastmod> is the last change, not the publication: labelled so ingest can tell.
        row["published"] = _child_text(url, "lastmod")
        row["date_source"] = "lastmod" if row["published"] else None
    row["payload"] = json.dumps({k: v for k, v in row.items() if v is not None})
    return row


def sitemap_rows(path: Path, skipped: Counter) -> list[dict]:
    """Staging rows for an XML sitemap (``<urlset>``, with Google News extensions).

    A ``<sitemapindex>`` only names other sitemaps, which are not fetched: its entries
    are counted in ``skipped['sitemap_index_entry']``.
    """
    from lxml import etree

    page = load_page_bytes(path, cap=MAX_SITEMAP_BYTES)
    if page.data is None:
        return [_reject("item:0", page.reject_reason, page.detail, page.sample)]
    rows: list[dict] = []
    events = etree.iterparse(
        io.BytesIO(page.data), events=("end",), resolve_entities=False, no_network=True
    )
    root_seen = False
    try:
        for _, element in events:
            name = _local(element.tag)
            if name in ("urlset", "sitemapindex"):
                root_seen = True
            elif name == "url":
                rows.append(_sitemap_row(len(rows) + 1, element))
                element.clear()
            elif name == "sitemap":
                skipped["sitemap_index_entry"] += 1
                element.clear()
    except etree.XMLSyntaxError as exc:
        detail = f"XML broken after {len(rows)} entries: {exc}"
        rows.append(_reject("item:0", "malformed_sitemap", detail, page.data[-PAYLOAD_SAMPLE:]))
        return rows
    if not root_seen:
        rows.append(
            _reject("item:0", "malformed_sitemap", "no <urlset> or <sitemapindex>", page.data)
        )
    return rows


def read_sitemap(path: Path, opts: ReadOptions) -> FileRead:
    """Read an XML sitemap into metadata records, one per ``<url>`` (locator ``item:N``)."""
    path = Path(path)
    skipped: Counter = Counter()
    rows = sitemap_rows(path, skipped)
    size = max(1, opts.batch_size)
    batches = [batch_from_rows(rows[i : i + size]) for i in range(0, len(rows), size)]
    return FileRead(
        path=str(path), format="sitemap", layout="sitemap", batches=iter(batches), skipped=skipped
    )


def read_feed(path: Path, opts: ReadOptions) -> FileRead:
    """Read an RSS, Atom or JSON Feed file into staging records, one per item.

    A feed that cannot be parsed, or has no items, gives one reject row at ``item:0``
    (``malformed_feed``, ``empty_feed``, or a file-level reason such as ``empty_file``).
    """
    path = Path(path)
    rows = feed_rows(path)
    size = max(1, opts.batch_size)
    batches = [batch_from_rows(rows[i : i + size]) for i in range(0, len(rows), size)]
    return FileRead(
        path=str(path), format="feed", layout="feed", batches=iter(batches), skipped=Counter()
    )
