"""The demo corpus's metadata formats: one record per article in the shape each scraper
writes (Scrapy JSONL, Media Cloud CSV, GDELT artlist, trafilatura, newspaper4k,
news-please), with the faults real scrapes have, each counted by :class:`_Faults`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import random
import re
from collections import Counter

from .demo_plan import RATES, _Article
from .demo_text import INDIAN, IST, OUTLETS, _digits, _ensure_non_ascii, _mojibake


class _Faults:
    """Applies faults to record fields and counts exactly what was written."""

    def __init__(self, rng: random.Random, crawl_end: dt.datetime) -> None:
        self.rng = rng
        self.crawl_end = crawl_end
        self.count: Counter = Counter()
        self.hostile_left = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
        self.scrapy_titles = 0  # two hostile titles, at fixed positions

    def hit(self, name: str) -> bool:
        return self.rng.random() < RATES[name]

    def title(self, a: _Article, layout: str, clean: bool = False) -> str:
        title = a.title
        if clean:
            return title
        if layout == "scrapy":
            self.scrapy_titles += 1
        if layout == "scrapy" and self.hostile_left and self.scrapy_titles in (17, 151):
            self.count["hostile_titles"] += 1
            return f"{title} {self.hostile_left.pop()}"
        if layout in ("scrapy", "gdelt", "mediacloud") and self.hit("html_title"):
            self.count["html_titles"] += 1
            if " and " in title:
                return title.replace(" and ", " &amp; ", 1)
            head, _, rest = title.partition(" ")
            return f"<b>{head}</b> {rest}"
        if layout in ("gdelt", "mediacloud", "trafilatura") and self.hit("site_suffix"):
            self.count["site_suffix_titles"] += 1
            sep = " | " if a.domain in ("medianama.com", "livemint.com", "thewire.in") else " - "
            return f"{title}{sep}{a.name}"
        if layout in ("scrapy", "mediacloud", "newspaper4k") and self.hit("mojibake_title"):
            self.count["mojibake_titles"] += 1
            return _mojibake(_ensure_non_ascii(title))
        return title

    def body(self, a: _Article, clean: bool = False) -> str:
        body = a.body
        if not clean and self.hit("mojibake_body"):
            self.count["mojibake_bodies"] += 1
            return _mojibake(_ensure_non_ascii(body))
        return body

    def authors_text(self, a: _Article) -> str | None:
        """The Scrapy export's free-text byline."""
        if not a.authors:
            return None
        if len(a.authors) == 2:
            self.count["multi_author_strings"] += 1
            return f"By {a.authors[0]} and {a.authors[1]}"
        if a.authors[0] == a.name:
            self.count["outlet_as_author"] += 1
        return a.authors[0]

    def authors_list(self, a: _Article) -> list[str]:
        if len(a.authors) == 1 and a.authors[0] == a.name:
            self.count["outlet_as_author"] += 1
        return list(a.authors)

    def date_fault(self, a: _Article, layouts: tuple[str, ...], layout: str) -> str | None:
        """Pick at most one date fault for this record (None: write the date normally)."""
        if layout not in layouts:
            return None
        roll = self.rng.random()
        edge = 0.0
        for name in (
            "missing_date",
            "future_date",
            "relative_date",
            "epoch_ms_date",
            "ambiguous_date",
        ):
            if name in ("relative_date", "epoch_ms_date", "ambiguous_date") and layout != "scrapy":
                continue
            edge += RATES[name]
            if roll < edge:
                if name == "ambiguous_date":
                    local = a.published.astimezone(IST)
                    if a.domain not in INDIAN or local.day > 12 or local.day == local.month:
                        return None
                return name
        return None

    def future(self, a: _Article) -> dt.datetime:
        """A date weeks after the whole crawl ended (a scheduled post, a wrong clock).

        Only for layouts whose records carry their crawl time (Scrapy ``scraped_at``,
        Media Cloud ``indexed_date``, trafilatura ``filedate``, news-please
        ``date_download``), so a loader can see the date is impossible on any run day.
        """
        return self.crawl_end + dt.timedelta(
            days=self.rng.randint(20, 400), minutes=self.rng.randint(0, 900)
        )


def _slipped_year(t: dt.datetime) -> dt.datetime:
    """``t`` with a slipped digit in its year (2023 -> 2223).

    For layouts with no crawl time (newspaper4k): a date a few months after the crawl
    stops looking wrong once that day has passed, a year two centuries out never does.
    """
    try:
        return t.replace(year=t.year + 200)
    except ValueError:  # 29 February in a year whose +200 is no leap year
        return t.replace(year=t.year + 200, day=28)


def _native_date(a: _Article) -> str:
    """The date as the outlet's own pages write it (Scrapy exports keep it verbatim)."""
    t = a.published
    local = t.astimezone(IST)
    d = a.domain
    if d == "thehindu.com":
        return local.strftime("%B %d, %Y %I:%M %p IST").replace("AM", "am").replace("PM", "pm")
    if d == "hindustantimes.com":
        return local.strftime("%b %d, %Y %I:%M %p IST")
    if d == "timesofindia.indiatimes.com":
        return f"{local.strftime('%b')} {local.day}, {local.year}, {local.strftime('%H:%M')} IST"
    if d in INDIAN:
        return local.isoformat()
    if d == "theguardian.com":
        london = t + dt.timedelta(hours=1) if 4 <= t.month <= 9 else t
        zone = "BST" if 4 <= t.month <= 9 else "GMT"
        return f"{london.strftime('%a')} {london.day} {london.strftime('%b %Y %H.%M')} {zone}"
    if d == "bbc.com":
        return f"{t.day} {t.strftime('%B %Y')}"
    if d == "aljazeera.com":
        return f"{t.day} {t.strftime('%b %Y')}"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _variant_url(url: str, kind: str, rng: random.Random) -> str:
    joiner = "&" if "?" in url else "?"
    if kind == "utm":
        source = rng.choice(("twitter", "facebook", "whatsapp", "newsletter"))
        return f"{url}{joiner}utm_source={source}&utm_medium=social&utm_campaign=share"
    if kind == "fbclid":
        return f"{url}{joiner}fbclid=IwAR{_digits(url, 12)}x{_digits(url[::-1], 9)}"
    if kind == "amp":
        return f"{url}{joiner}amp=1"
    if kind == "mobile":
        host = url.split("/")[2]
        bare = host[4:] if host.startswith("www.") else host
        return url.replace(f"//{host}/", f"//m.{bare}/", 1)
    return "http://" + url.removeprefix("https://")


def _scrapy_record(
    a: _Article, faults: _Faults, clean: bool = False, url: str | None = None
) -> dict:
    fault = None if clean else faults.date_fault(a, ("scrapy",), "scrapy")
    scraped = a.scraped
    date: object = _native_date(a)
    if fault == "missing_date":
        date = None
    elif fault == "future_date":
        date = faults.future(a).astimezone(IST).isoformat()
    elif fault == "relative_date":
        hours = faults.rng.randint(1, 22)
        scraped = a.published + dt.timedelta(hours=hours)
        date = f"{hours} hour{'s' if hours > 1 else ''} ago"
    elif fault == "epoch_ms_date":
        date = int(a.published.timestamp() * 1000)
    elif fault == "ambiguous_date":
        date = a.published.astimezone(IST).strftime("%d/%m/%Y")
    if fault:
        faults.count[fault + "s"] += 1
    if isinstance(date, str) and re.search(r"\b(IST|GMT|BST)\b", date):
        faults.count["zone_name_dates"] += 1
    return {
        "url": url or a.url,
        "title": faults.title(a, "scrapy", clean),
        "author": faults.authors_text(a),
        "date": date,
        "text": faults.body(a, clean),
        "section": a.url.split("/")[3] if a.url.count("/") > 3 else None,
        "spider": a.domain.split(".")[0],
        "scraped_at": _iso(scraped),
    }


def _mediacloud_row(
    a: _Article, faults: _Faults, clean: bool = False, url: str | None = None
) -> list:
    fault = None if clean else faults.date_fault(a, ("mediacloud",), "mediacloud")
    published = a.published.strftime("%Y-%m-%d %H:%M:%S")
    if fault == "missing_date":
        published = ""
    elif fault == "future_date":
        published = faults.future(a).strftime("%Y-%m-%d %H:%M:%S")
    if fault:
        faults.count[fault + "s"] += 1
    url = url or a.url
    if not clean and faults.hit("escaped_url"):
        faults.count["escaped_urls"] += 1
        url = url.replace("/", "\\/")
    story_id = hashlib.sha1(url.encode()).hexdigest()  # noqa: S324 - an id, not security
    indexed = (a.scraped + dt.timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return [
        story_id,
        indexed,
        "en",
        a.domain,
        f"https://{OUTLETS[a.outlet][2]}",
        published,
        faults.title(a, "mediacloud", clean),
        url,
    ]


def _gdelt_item(a: _Article, faults: _Faults, clean: bool = False, url: str | None = None) -> dict:
    seen = a.published + dt.timedelta(minutes=15 + a.idx % 45)
    country = (
        "India"
        if a.domain in INDIAN or a.domain == "ptinews.com"
        else (
            "United Kingdom"
            if a.domain in ("bbc.com", "theguardian.com")
            else "Qatar"
            if a.domain == "aljazeera.com"
            else "United States"
        )
    )
    return {
        "url": url or a.url,
        "url_mobile": "",
        "title": faults.title(a, "gdelt", clean),
        "seendate": seen.strftime("%Y%m%dT%H%M%SZ"),
        "socialimage": f"https://{OUTLETS[a.outlet][2]}/images/{_digits(a.url, 8)}.jpg",
        "domain": a.domain,
        "language": "English",
        "sourcecountry": country,
    }


def _trafilatura_record(a: _Article, faults: _Faults) -> dict:
    fault = faults.date_fault(a, ("trafilatura",), "trafilatura")
    date = None if fault == "missing_date" else a.published.astimezone(IST).date().isoformat()
    if fault == "future_date":
        date = faults.future(a).date().isoformat()
    if fault:
        faults.count[fault + "s"] += 1
    text = faults.body(a)
    return {
        "title": faults.title(a, "trafilatura"),
        "author": "; ".join(faults.authors_list(a)) or None,
        "hostname": a.domain,
        "date": date,
        "fingerprint": hashlib.blake2b(text.encode(), digest_size=8).hexdigest(),
        "id": None,
        "license": None,
        "comments": "",
        "raw_text": text.replace("\n\n", " "),
        "text": text,
        "language": "en",
        "image": None,
        "pagetype": "article",
        "filedate": a.scraped.date().isoformat(),
        "source": a.url,
        "source-hostname": a.name,
        "excerpt": a.summary,
        "categories": "",
        "tags": "",
    }


def _newspaper4k_record(a: _Article, faults: _Faults) -> dict:
    fault = faults.date_fault(a, ("newspaper4k",), "newspaper4k")
    local = a.published.astimezone(IST) if a.domain in INDIAN else a.published
    date = None if fault == "missing_date" else local.isoformat()
    if fault == "future_date":  # no crawl time in this layout: an impossible year
        date = _slipped_year(local).isoformat()
    if fault:
        faults.count[fault + "s"] += 1
    words = [w.strip(".,:;‘’“”").lower() for w in a.title.split() if len(w) > 5]
    return {
        "url": a.url,
        "read_more_link": "",
        "language": "en",
        "title": faults.title(a, "newspaper4k"),
        "top_image": f"https://{OUTLETS[a.outlet][2]}/static/{_digits(a.url, 9)}.jpg",
        "meta_img": "",
        "images": [],
        "movies": [],
        "keywords": words[:5],
        "meta_keywords": [""],
        "tags": [],
        "authors": faults.authors_list(a),
        "publish_date": date,
        "summary": "",
        "meta_description": a.summary,
        "meta_lang": "en",
        "meta_favicon": f"https://{OUTLETS[a.outlet][2]}/favicon.ico",
        "meta_site_name": a.name,
        "canonical_link": a.url,
        "text": faults.body(a),
    }


def _newsplease_record(a: _Article, faults: _Faults, name: str) -> dict:
    fault = faults.date_fault(a, ("news-please",), "news-please")
    local = a.published.astimezone(IST) if a.domain in INDIAN else a.published
    date = None if fault == "missing_date" else local.strftime("%Y-%m-%d %H:%M:%S")
    if fault == "future_date":
        date = faults.future(a).strftime("%Y-%m-%d %H:%M:%S")
    if fault:
        faults.count[fault + "s"] += 1
    title = faults.title(a, "news-please")
    return {
        "authors": faults.authors_list(a),
        # news-please writes both dates naive: the page's local time and the crawling
        # machine's clock, which here runs in India too (so the two compare as written).
        "date_download": a.scraped.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S"),
        "date_modify": None,
        "date_publish": date,
        "description": a.summary,
        "filename": name,
        "image_url": None,
        "language": "en",
        "localpath": None,
        "maintext": faults.body(a),
        "source_domain": OUTLETS[a.outlet][2],
        "text": None,
        "title": title,
        "title_page": f"{title} | {a.name}",
        "title_rss": None,
        "url": a.url,
    }


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:  # fixed header bytes
        gz.write(data)
    return buffer.getvalue()


def _jsonl(records: list) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
