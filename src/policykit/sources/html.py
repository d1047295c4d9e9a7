"""HTML pages: main text and metadata with trafilatura, the date with htmldate.

One file is one record (locator ``'file'``). The page's bytes are checked first
(:func:`policykit.sources.pages.load_page_bytes`: empty, binary, truncated gzip, too
large become rejects), decoded with the declared charset or a detected one, and handed
to :func:`extract_html`. Sidecar metadata from the scraper overrides extracted values
field by field.

A page with no usable main text is still an article: ``body`` is NULL and
``body_missing_reason`` says why (``too_short``, ``no_main_text``, ``all_script``).
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from contextvars import ContextVar
from pathlib import Path

from . import FileRead, ReadOptions, batch_from_rows
from .pages import PageBytes, Sidecar, load_page_bytes, load_sidecar, sample_text

#: Fewer words than this (and fewer than MIN_BODY_CHARS characters, for scripts written
#: without spaces) is not an article body: a cookie wall, a teaser, a video caption.
MIN_BODY_WORDS = 25
MIN_BODY_CHARS = 200

#: htmldate options: look everywhere, and prefer the original publication date over
#: the last modification. Its reading is one candidate of
#: :func:`policykit.normalise.pubdate.choose`; ``max_date`` is set to the crawl day.
DATE_PARAMS = {"extensive_search": True, "original_date": True}

#: trafilatura settings, chosen on a 300-page sample of the trafilatura evaluation set
#: (snippet F1: default 0.922, favor_precision 0.912, favor_recall 0.915, these 0.927).
#: Reader comments are not part of an article's body.
EXTRACT_OPTIONS = {"include_comments": False, "include_tables": True}

#: The staging fields :func:`extract_html` fills (always present, None when unknown).
EXTRACTED_FIELDS = (
    "url",
    "title",
    "summary",
    "body",
    "authors",
    "published",
    "outlet",
    "language",
    "tags",
    "extraction_method",
    "date_source",
    "body_missing_reason",
)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
#: WHATWG: browsers decode these labels as windows-1252, and so do we.
_AS_CP1252 = {"iso8859-1", "latin-1", "ascii", "cp1252"}


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, charset: str | None = None) -> tuple[str, str, str]:
    """Decode page bytes; never raises.

    Order: a byte-order mark, then ``charset`` (from an HTTP header), then the
    ``<meta charset>`` in the first 4 KiB, then UTF-8, then detection with
    charset_normalizer. A declared charset that does not decode cleanly is ignored.

    Returns
    -------
    (text, encoding, how) with ``how`` in bom | http | meta | utf-8 | detected | fallback.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec, "bom"
    match = _META_CHARSET.search(data[:4096])
    declared = [(_codec(charset), "http")]
    declared.append((_codec(match.group(1).decode("ascii", "ignore")) if match else None, "meta"))
    for codec, how in declared:
        if codec is None:
            continue
        # Pages labelled latin-1 are very often UTF-8: valid UTF-8 is a safer bet.
        if codec == "cp1252" and (text := _try_decode(data, "utf-8")) is not None:
            return text, "utf-8", how
        if (text := _try_decode(data, codec)) is not None:
            return text, codec, how
    if (text := _try_decode(data, "utf-8")) is not None:
        return text, "utf-8", "utf-8"
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is not None and best.encoding:
        encoding = best.encoding
        # Pages with few non-ASCII bytes leave several single-byte codecs equally clean
        # (coherence is a weak language guess on short text); browsers fall back to
        # windows-1252, the most common legacy web encoding, so break ties towards it.
        tied = [m for m in matches if m.chaos <= best.chaos]
        if any("cp1252" in m.could_be_from_charset for m in tied):
            encoding = "cp1252"
        return data.decode(encoding, errors="replace"), encoding, "detected"
    return data.decode("cp1252", errors="replace"), "cp1252", "fallback"


def _word_count(text: str) -> int:
    return len(text.split())


#: Text a reader would see (also in fragments without <body>).
_VISIBLE_TEXT = (
    "//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    " and not(ancestor::template) and not(ancestor::head) and not(ancestor::title)]"
)


def _missing_reason(tree) -> str:
    """Why trafilatura found no main text: all_script, too_short or no_main_text."""
    visible = " ".join(t.strip() for t in tree.xpath(_VISIBLE_TEXT) if t.strip())
    if not visible:
        has_script = tree.xpath("//script[@src]") or any(
            (s.text or "").strip() for s in tree.xpath("//script|//style|//template")
        )
        return "all_script" if has_script else "no_main_text"
    if _word_count(visible) < MIN_BODY_WORDS and len(visible) < MIN_BODY_CHARS:
        return "too_short"
    return "no_main_text"


def _page_language(tree) -> str | None:
    """The language the page declares: <html lang>, then Content-Language, then og:locale."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        if value and value.strip():
            return value.strip()
    return None


def _parse(text: str, load_html):
    """An lxml tree: trafilatura's loader, then plain lxml for bare fragments it refuses."""
    if not text.strip():
        return None
    tree = load_html(text)
    if tree is None:
        import lxml.html
        from lxml.etree import ParserError

        try:
            tree = lxml.html.document_fromstring(text)
        except (ParserError, ValueError):
            return None
    return tree


def _crawl_time(scraped_at: str | None):
    """The crawl instant (UTC) from a raw crawl time, or None."""
    if not scraped_at:
        return None
    from ..normalise import parse_published

    return parse_published(str(scraped_at)).value


def _date_params(crawl) -> dict:
    if crawl is None:
        return dict(DATE_PARAMS)
    from ..normalise.pubdate import AHEAD_OF_UTC

    return {**DATE_PARAMS, "max_date": (crawl + AHEAD_OF_UTC).date().isoformat()}


def _latest_reading(tree, url: str | None, params: dict) -> str | None:
    """htmldate's latest plausible date on the page (original_date=False)."""
    from htmldate import find_date

    try:
        return find_date(tree, url=url, **{**params, "original_date": False})
    except Exception:  # htmldate on a hostile page: the candidate is simply missing
        return None


#: The htmldate calls trafilatura's metadata extraction makes while this holds a list:
#: their arguments are recorded there, and the call returns None at once.
_DEFERRED_DATES: ContextVar[list | None] = ContextVar("policykit_deferred_dates", default=None)


def _find_date_or_defer(htmlobject, *args, **kwargs):
    """Stands in for htmldate's ``find_date`` inside ``trafilatura.metadata``."""
    calls = _DEFERRED_DATES.get()
    if calls is None:  # anyone else's trafilatura call: the real thing
        return _find_date_or_defer.real(htmlobject, *args, **kwargs)
    calls.append((args, kwargs))
    return None


def _defer_trafilatura_dates() -> None:
    """Make trafilatura's own htmldate pass deferrable (once per process).

    trafilatura's metadata extraction always runs htmldate with an extensive search,
    the dearest pass over the page after the main text; the date rule needs its reading
    only when neither a URL date nor agreeing structured dates decide
    (:func:`policykit.normalise.pubdate.choose`). While :data:`_DEFERRED_DATES` holds a
    list, trafilatura's call is recorded instead, and :func:`extract_html` makes it
    later, on the same page and with the same arguments, if the rule asks.
    """
    import trafilatura.metadata as metadata

    if metadata.find_date is not _find_date_or_defer:
        _find_date_or_defer.real = metadata.find_date
        metadata.find_date = _find_date_or_defer


def _deferred_reading(tree, calls: list) -> str | None:
    """htmldate's reading of the page, as trafilatura's last recorded call asked for it."""
    args, kwargs = calls[-1]
    try:
        return _nonempty(_find_date_or_defer.real(tree, *args, **kwargs))
    except Exception:  # htmldate on a hostile page: the candidate is simply missing
        return None


def _choose_date(tree, htmldate, url: str | None, crawl) -> tuple[str | None, str | None]:
    """(published, date_source) by the consistency rule of policykit.normalise.pubdate.

    ``htmldate`` is htmldate's reading (original_date=True) or a function giving it.
    """
    from ..normalise import pubdate

    structured, hints = pubdate.page_candidates(tree)
    choice = pubdate.choose(
        structured=structured,
        url=url,
        htmldate=htmldate,
        # more passes over the page, made only when the rule needs them
        htmldate_latest=lambda: _latest_reading(tree, url, _date_params(crawl)),
        crawl=crawl,
        hints=hints,
        shown=lambda: pubdate.shown_date(tree),
    )
    return choice.published, choice.date_source


def _tags(doc) -> str | None:
    items: list[str] = []
    for value in (doc.categories or []) + (doc.tags or []):
        value = str(value).strip()
        if value and value not in items:
            items.append(value)
    return json.dumps(items, ensure_ascii=False) if items else None


def _nonempty(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def extract_html(
    html: bytes | str,
    *,
    url: str | None = None,
    sidecar: dict | None = None,
    charset: str | None = None,
    scraped_at: str | None = None,
) -> dict:
    """Extract staging fields from one HTML page.

    Parameters
    ----------
    html : the page, as bytes (decoded with ``charset``, the ``<meta>`` charset or a
        detected one) or text.
    url : the address the page was fetched from; wins over the page's canonical link.
    sidecar : staging fields from the scraper (see :func:`policykit.sources.pages.load_sidecar`);
        each non-empty value overrides the extracted one.
    charset : a charset label from the HTTP response, if known.
    scraped_at : the crawl time (WARC-Date, a sidecar's ``scraped_at``): no publication
        date may lie after it.

    Returns
    -------
    dict with the staging fields url, title, summary, body, authors, published, outlet,
    language, tags, extraction_method, date_source, body_missing_reason, plus
    ``encoding`` and ``encoding_source`` (how the bytes were decoded) for provenance.

    Examples
    --------
    >>> rec = extract_html("<html><body><p>Too short.</p></body></html>")
    >>> rec["body"], rec["body_missing_reason"]
    (None, 'too_short')
    """
    import trafilatura
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    if isinstance(html, bytes):
        text, encoding, how = decode_html(html, charset)
    else:
        text, encoding, how = html, None, "text"
    record = dict.fromkeys(EXTRACTED_FIELDS)
    record.update(
        url=_nonempty(url),
        extraction_method="trafilatura",
        encoding=encoding,
        encoding_source=how,
    )
    tree = _parse(text, load_html)
    if tree is None:
        record["body_missing_reason"] = "no_main_text"
        return _overlay(record, sidecar)
    crawl = _crawl_time(scraped_at or (sidecar or {}).get("scraped_at"))
    params = _date_params(crawl)
    _defer_trafilatura_dates()
    dates: list = []
    token = _DEFERRED_DATES.set(dates)
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, date_extraction_params=params, **EXTRACT_OPTIONS
        )
        if doc is None:
            # trafilatura returns nothing when the text is too short; keep the metadata.
            doc = extract_metadata(tree, url, params)
            body = None
        else:
            body = _nonempty(doc.text)
    finally:
        _DEFERRED_DATES.reset(token)
    record.update(
        url=record["url"] or _nonempty(doc.url),
        title=_nonempty(doc.title),
        summary=_nonempty(doc.description),
        authors=_nonempty(doc.author),
        outlet=_nonempty(doc.sitename),
        language=_nonempty(getattr(doc, "language", None)) or _page_language(tree),
        tags=_tags(doc),
    )

    def reading() -> str | None:
        # htmldate reads our tree: trafilatura's metadata pass had its copy, unchanged
        # yet. No recorded call: trafilatura's htmldate ran itself (not deferred).
        return _deferred_reading(tree, dates) if dates else _nonempty(doc.date)

    record["published"], record["date_source"] = _choose_date(tree, reading, url or doc.url, crawl)
    if body is None:
        record["body_missing_reason"] = _missing_reason(tree)
    elif _word_count(body) < MIN_BODY_WORDS and len(body) < MIN_BODY_CHARS:
        record["body_missing_reason"] = "too_short"
    else:
        record["body"] = body
    return _overlay(record, sidecar)


def _overlay(record: dict, sidecar: dict | None) -> dict:
    """Sidecar values win field by field; the date then comes from the sidecar."""
    for key, value in (sidecar or {}).items():
        value = _nonempty(value)
        if value is None:
            continue
        record[key] = value
        if key == "published":
            record["date_source"] = "sidecar"
    return record


def _reject_row(page: PageBytes, path: Path) -> dict:
    payload = {"file": path.name, "size_bytes": page.size, "head": sample_text(page.sample)}
    return {
        "source_locator": "file",
        "reject_reason": page.reject_reason,
        "reject_detail": page.detail,
        "payload": json.dumps(payload, ensure_ascii=False),
    }


def _sidecar_reject_rows(side: Sidecar) -> list[dict]:
    return [
        {"source_locator": loc, "reject_reason": reason, "reject_detail": detail}
        for loc, reason, detail in side.problems
    ]


def page_rows(path: Path, opts: ReadOptions | None = None) -> list[dict]:
    """Staging rows for one page file: its record (or reject) plus sidecar problems."""
    side = load_sidecar(path)
    page = load_page_bytes(path)
    if page.data is None:
        return [_reject_row(page, path)] + _sidecar_reject_rows(side)
    record = extract_html(page.data, url=side.fields.get("url"), sidecar=side.fields)
    provenance = {
        "file": path.name,
        "size_bytes": page.size,
        "encoding": record.pop("encoding"),
        "encoding_source": record.pop("encoding_source"),
        "sidecars": side.sources,
    }
    record["source_locator"] = "file"
    record["payload"] = json.dumps(provenance, ensure_ascii=False)
    return [record] + _sidecar_reject_rows(side)


def read_html(path: Path, opts: ReadOptions) -> FileRead:
    """Read one ``.html``/``.htm`` page (gzipped or not) into one staging record.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "empty.html"
    >>> _ = p.write_bytes(b"")
    >>> read_html(p, ReadOptions()).batches.__next__().column("reject_reason")[0].as_py()
    'empty_file'
    """
    path = Path(path)
    return FileRead(
        path=str(path),
        format="html",
        layout="page",
        batches=iter([batch_from_rows(page_rows(path, opts))]),
        skipped=Counter(),
    )
