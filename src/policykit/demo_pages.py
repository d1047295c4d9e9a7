"""The demo corpus's pages: saved HTML with an outlet's site chrome, plain-text page
dumps, a WARC of request/response pairs and RSS feeds.
"""

from __future__ import annotations

import hashlib
import html
import io
import random
from dataclasses import dataclass

from .demo_formats import _iso
from .demo_plan import _Article
from .demo_text import INDIAN, IST, TOPICS, _category, _corpus, _Filler


@dataclass
class _Chrome:
    """An outlet's site furniture: the same on every page of that outlet."""

    nav: list[str]
    teasers: list[str]
    about: str
    footer: str


def _chrome(domain: str, name: str, seed: int) -> _Chrome:
    c = _corpus()["chrome"]
    rng = random.Random(f"{seed}:chrome:{domain}")
    f = _Filler(rng, name)
    topics = list(TOPICS)
    teasers = []
    for _ in range(6):
        line = f.fill(rng.choice(_category(rng.choice(topics))["sentences"]))
        teasers.append(line[: rng.randint(70, 140)].rsplit(" ", 1)[0] + "...")
    about = rng.choice(
        (
            f"{name} covers technology, law and public policy, with a focus on how they shape everyday life.",
            f"{name} is an independent newsroom. Our reporting is free to read and relies on readers like you.",
            f"{name} has reported on India since its founding. Read our corrections policy and contact details here.",
        )
    )
    year = 2024
    footer = f"© {rng.choice((2004, 2008, 2011, 2015))}-{year} {name}. All rights reserved."
    return _Chrome(nav=rng.sample(c["nav"], k=9), teasers=teasers, about=about, footer=footer)


def _human_date(a: _Article) -> str:
    local = a.published.astimezone(IST) if a.domain in INDIAN else a.published
    zone = "IST" if a.domain in INDIAN else "UTC"
    return f"Published: {local.strftime('%d %b %Y, %H:%M')} {zone}"


def _html_page(a: _Article, chrome: _Chrome, rng: random.Random, meta_date: bool = True) -> str:
    c = _corpus()["chrome"]
    esc = html.escape
    by = ", ".join(a.authors) or a.name
    nav = "".join(f'<li><a href="/{esc(n.lower())}/">{esc(n)}</a></li>' for n in chrome.nav)
    paras = []
    for i, p in enumerate(a.paragraphs):
        paras.append(f"<p>{esc(p)}</p>")
        if i in (1, 4):
            paras.append(f'<div class="ad-slot"><span>{esc(rng.choice(c["ads"]))}</span></div>')
    teasers = "".join(
        f'<li><a href="/related/{k}">{esc(t)}</a></li>' for k, t in enumerate(chrome.teasers)
    )
    iso = a.published.isoformat()
    date_meta = f'<meta property="article:published_time" content="{iso}">\n' if meta_date else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(a.title)} | {esc(a.name)}</title>\n"
        f'<link rel="canonical" href="{esc(a.url)}">\n'
        f'<meta property="og:title" content="{esc(a.title)}">\n'
        f'<meta property="og:site_name" content="{esc(a.name)}">\n'
        f'<meta property="og:url" content="{esc(a.url)}">\n'
        f"{date_meta}"
        f'<meta name="author" content="{esc(by)}">\n'
        f'<meta name="description" content="{esc(a.summary)}">\n'
        "<script>window.dataLayer = window.dataLayer || []; dataLayer.push({'page': 'article'});</script>\n"
        "</head>\n<body>\n"
        f'<header><div class="brand">{esc(a.name)}</div><nav><ul>{nav}</ul></nav>'
        '<form class="search"><input type="search" placeholder="Search"></form></header>\n'
        "<main>\n<article>\n"
        f"<h1>{esc(a.title)}</h1>\n"
        f'<div class="byline">By <span class="author">{esc(by)}</span></div>\n'
        f'<time datetime="{iso}">{esc(_human_date(a))}</time>\n'
        f'<div class="share">{" ".join(esc(s) for s in c["share"])}</div>\n'
        f'<div class="article-body">\n{chr(10).join(paras)}\n</div>\n'
        "</article>\n"
        f'<aside class="related"><h3>{esc(rng.choice(c["teaser_heads"]))}</h3><ul>{teasers}</ul></aside>\n'
        "</main>\n<footer>\n"
        f'<form class="newsletter"><label>{esc(c["newsletter"][0])}</label>'
        f'<input type="email" placeholder="{esc(c["newsletter"][1])}"><button>{esc(c["newsletter"][2])}</button></form>\n'
        f"<p>{esc(chrome.about)}</p>\n<p>{esc(chrome.footer)}</p>\n"
        "</footer>\n</body>\n</html>\n"
    )


def _text_dump(a: _Article, chrome: _Chrome, rng: random.Random) -> str:
    """Every visible line of the page, as a text scraper saves it: chrome included."""
    c = _corpus()["chrome"]
    lines = [*chrome.nav[:5], "", "Hi, what are you looking for?", "", a.title, ""]
    lines += [_human_date(a), ""]
    for i, p in enumerate(a.paragraphs):
        lines += [p, ""]
        if i == 2:
            lines += [rng.choice(c["ads"]), ""]
    lines += ["Written By", "", ", ".join(a.authors) or a.name, "", chrome.about, "", "", ""]
    lines += [f"{t}\n\n" for t in chrome.teasers[:3]]
    lines += [rng.choice(c["teaser_heads"]), "", ""]
    lines += [f"{t}\n\n" for t in chrome.teasers[3:]]
    lines += [chrome.footer, "", *c["newsletter"][:2], "", chrome.footer]
    return "\n".join(lines) + "\n"


def _warc_bytes(pages: list[tuple[_Article, str]]) -> bytes:
    """A gzipped WARC of request/response pairs, with fixed record ids and dates."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for a, page in pages:
        when = _iso(a.scraped)
        rid = hashlib.sha256(a.url.encode()).hexdigest()
        request = writer.create_warc_record(
            a.url,
            "request",
            payload=io.BytesIO(
                f"GET /{a.url.split('/', 3)[3]} HTTP/1.1\r\nHost: {a.url.split('/')[2]}\r\n\r\n".encode()
            ),
            warc_headers_dict={
                "WARC-Date": when,
                "WARC-Record-ID": f"<urn:uuid:{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}>",
            },
        )
        writer.write_record(request)
        body = page.encode("utf-8")
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        rid = hashlib.sha256(("r" + a.url).encode()).hexdigest()
        response = writer.create_warc_record(
            a.url,
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={
                "WARC-Date": when,
                "WARC-Record-ID": f"<urn:uuid:{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}>",
            },
        )
        writer.write_record(response)
    return buffer.getvalue()


def _rss(domain: str, name: str, items: list[_Article]) -> str:
    esc = html.escape
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel><title>{esc(name)}</title><link>https://{domain}/</link>",
        f"<description>Latest stories from {esc(name)}</description><language>en</language>",
    ]
    for a in items:
        local = a.published.astimezone(IST) if a.domain in INDIAN else a.published
        parts.append(
            f"<item><title>{esc(a.title)}</title><link>{esc(a.url)}</link>"
            f'<guid isPermaLink="true">{esc(a.url)}</guid>'
            f"<pubDate>{local.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
            f"<dc:creator>{esc(', '.join(a.authors) or name)}</dc:creator>"
            f"<description>{esc(a.summary)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts) + "\n"
