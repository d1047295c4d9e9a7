"""The demo corpus's plan: which outlet publishes which article, when, in which layout,
with which headline, byline, body and URL; and which wire stories the dailies republish.

Everything here is decided before any file is written (:mod:`policykit.demo_formats` and
:mod:`policykit.demo_pages` then write the records).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .demo_text import (
    BACKGROUND,
    IST,
    OUTLETS,
    TOPICS,
    UTC,
    WIRES,
    _body_paragraphs,
    _category,
    _corpus,
    _digits,
    _Filler,
    _slug,
    _title,
)
from .errors import ConfigError

# Topic leanings by outlet kind (weights over TOPICS, then over BACKGROUND).
_TOPIC_MIX = {
    "daily": [1.0, 1.0, 1.6, 1.2, 0.9, 0.7, 1.5],
    "techpolicy": [1.0, 1.8, 0.8, 1.6, 1.1, 1.7, 1.2],
    "digital": [1.0, 1.0, 1.6, 1.4, 1.6, 0.8, 0.8],
    "wire": [0.8, 0.9, 1.2, 1.2, 1.0, 1.2, 1.3],
    "intl": [1.0, 1.2, 1.0, 1.0, 1.5, 1.6, 1.0],
}
_BACKGROUND_MIX = {
    "daily": [1.6, 1.4, 1.3, 1.0, 1.4, 0.7, 0.8],
    "techpolicy": [0.1, 0.0, 0.3, 0.0, 0.0, 0.3, 2.0],
    "digital": [1.8, 0.4, 1.0, 0.6, 0.5, 0.8, 0.6],
    "wire": [1.2, 0.8, 1.6, 0.6, 0.3, 1.6, 1.0],
    "intl": [0.6, 0.5, 0.9, 0.6, 0.1, 2.4, 0.9],
}

# Layouts of the metadata files, with their share of the articles that are not pages.
META_LAYOUTS = ("scrapy", "mediacloud", "gdelt", "trafilatura", "newspaper4k", "news-please")
META_SHARES = (0.37, 0.22, 0.18, 0.11, 0.11, 0.01)
BODY_LAYOUTS = {"scrapy", "trafilatura", "newspaper4k", "news-please", "html", "text", "warc"}
PAGE_OUTLETS = (
    "medianama.com",
    "thewire.in",
    "scroll.in",
    "thehindu.com",
    "indianexpress.com",
    "restofworld.org",
    "deccanherald.com",
    "livemint.com",
)

# Fault rates (per eligible record); see DemoManifest.faults for what was written.
RATES = {
    "tracking_variant": 0.03,
    "syndicated": 0.22,  # share of wire articles republished by 1-2 dailies
    "missing_date": 0.015,
    "ambiguous_date": 0.03,  # DMY outlets in the Scrapy export, days <= 12
    "relative_date": 0.012,
    "future_date": 0.003,
    "epoch_ms_date": 0.04,
    "mojibake_title": 0.008,
    "mojibake_body": 0.005,
    "html_title": 0.005,
    "site_suffix": 0.06,
    "escaped_url": 0.02,
}


def _url(domain: str, host: str, section: str, slug: str, when: dt.datetime, key: str) -> str:
    y, m, d = when.year, when.month, when.day
    mon = when.strftime("%b").lower()
    if domain == "thehindu.com":
        return f"https://{host}/news/{section}/{slug}/article{_digits(key, 8)}.ece"
    if domain == "indianexpress.com":
        return f"https://{host}/article/{section}/{slug}-{_digits(key, 7)}/"
    if domain == "hindustantimes.com":
        return f"https://{host}/{section}/{slug}-101{_digits(key, 12)}.html"
    if domain == "timesofindia.indiatimes.com":
        return f"https://{host}/{section}/{slug}/articleshow/{_digits(key, 9)}.cms"
    if domain == "livemint.com":
        return f"https://{host}/{section}/{slug}-11{_digits(key, 12)}.html"
    if domain == "deccanherald.com":
        return f"https://{host}/{section}/{slug}-{_digits(key, 7)}"
    if domain == "newindianexpress.com":
        return f"https://{host}/{section}/{y}/{mon}/{d:02d}/{slug}-{_digits(key, 4)}"
    if domain == "medianama.com":
        return f"https://{host}/{y}/{m:02d}/223-{slug}/"
    if domain == "scroll.in":
        return f"https://{host}/latest/{_digits(key, 7)}/{slug}"
    if domain == "reuters.com":
        return f"https://{host}/{section}/{slug}-{y}-{m:02d}-{d:02d}/"
    if domain == "apnews.com":
        return f"https://{host}/article/{slug}-{hashlib.md5(key.encode()).hexdigest()}"  # noqa: S324 - an id, not security
    if domain == "ptinews.com":
        return f"https://{host}/story/national/{slug}/{_digits(key, 7)}"
    if domain == "theguardian.com":
        return f"https://{host}/{section}/{y}/{mon}/{d:02d}/{slug}"
    if domain == "bbc.com":
        return f"https://{host}/news/{section.replace('/', '-')}-{_digits(key, 8)}"
    if domain == "nytimes.com":
        return f"https://{host}/{y}/{m:02d}/{d:02d}/{section}/{slug}.html"
    if domain == "aljazeera.com":
        return f"https://{host}/news/{y}/{m}/{d}/{slug}"
    if domain == "restofworld.org":
        return f"https://{host}/{y}/{slug}/"
    if domain == "techpolicy.press":
        return f"https://{host}/{slug}/"
    return f"https://{host}/{section}/{slug}-{_digits(key, 6)}"  # thewire.in and the rest


@dataclass
class _Article:
    idx: int
    outlet: int  # index into OUTLETS
    topic: str
    event: int  # index into events, -1 for none
    published: dt.datetime  # UTC
    scraped: dt.datetime  # UTC
    layout: str = ""
    title: str = ""
    url: str = ""
    authors: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    summary: str = ""
    copy_of: int = -1  # syndicated copy of this wire article
    dateline_city: str = "NEW DELHI"  # wire stories open with it; copies keep it

    @property
    def domain(self) -> str:
        return OUTLETS[self.outlet][0]

    @property
    def name(self) -> str:
        return OUTLETS[self.outlet][1]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def _start_day(start: str, years: int) -> dt.date:
    if not isinstance(years, int) or not 1 <= years <= 10:
        raise ConfigError(f"years {years!r} is not an integer from 1 to 10")
    try:
        return dt.date.fromisoformat(str(start))
    except ValueError:
        raise ConfigError(f"start {start!r} is not an ISO date such as 2022-01-01") from None


def _validate(n_articles: int, start: str, years: int) -> dt.date:
    if not isinstance(n_articles, int) or n_articles < 200:
        raise ConfigError(f"n_articles {n_articles!r} is too small; use at least 200")
    if n_articles > 200_000:
        raise ConfigError(
            f"n_articles {n_articles!r} is too large for the demo corpus (at most 200000); "
            "use write_metadata_jsonl or write_articles_parquet for benchmark-sized data"
        )
    return _start_day(start, years)


def _plan(n_articles: int, seed: int, start_day: dt.date, years: int) -> tuple[list, list]:
    """Decide outlet, topic, event and time of every article (numpy, vectorised)."""
    rng = np.random.default_rng(seed)
    end_day = start_day.replace(year=start_day.year + years)
    n_days = (end_day - start_day).days
    events = []
    for e in _corpus()["events"]:
        day = dt.date.fromisoformat(e["date"])
        if start_day <= day < end_day:
            events.append(e | {"offset": (day - start_day).days})
    scale = n_articles / 30_000
    event_sizes = [max(3, round(e["size"] * scale)) for e in events]
    n_event = sum(event_sizes)
    n_bg = n_articles - n_event

    weekday = (np.arange(n_days) + start_day.weekday()) % 7
    day_w = np.where(weekday == 5, 0.62, np.where(weekday == 6, 0.55, 1.0))
    day_w = day_w * (1.0 + 0.2 * np.arange(n_days) / n_days)  # coverage grows slowly
    days = rng.choice(n_days, size=n_bg, p=day_w / day_w.sum())

    volume = np.array([o[3] for o in OUTLETS])
    outlets = rng.choice(len(OUTLETS), size=n_bg, p=volume / volume.sum())
    topic_share = np.array([o[4] for o in OUTLETS])
    is_topic = rng.random(n_bg) < topic_share[outlets]
    topics = np.empty(n_bg, dtype=object)
    for k, (_, _, _, _, _, kind) in enumerate(OUTLETS):
        for flag, names, mix in (
            (True, TOPICS, _TOPIC_MIX[kind]),
            (False, BACKGROUND, _BACKGROUND_MIX[kind]),
        ):
            sel = (outlets == k) & (is_topic == flag)
            p = np.array(mix, dtype=float)
            topics[sel] = np.array(names, dtype=object)[
                rng.choice(len(names), sel.sum(), p=p / p.sum())
            ]
    event_of = np.full(n_bg, -1)

    # Event bursts: most coverage on the day and the next, tailing off; topical outlets lean in.
    ev_days, ev_outlets, ev_topics, ev_index = [], [], [], []
    tilt = volume * (0.3 + 3 * topic_share)
    for i, (e, size) in enumerate(zip(events, event_sizes, strict=True)):
        decay = np.exp(-np.arange(e["days"]) / 1.6)
        offs = rng.choice(e["days"], size=size, p=decay / decay.sum())
        ev_days.append(np.minimum(e["offset"] + offs, n_days - 1))
        ev_outlets.append(rng.choice(len(OUTLETS), size=size, p=tilt / tilt.sum()))
        ev_topics += [e["topic"]] * size
        ev_index.append(np.full(size, i))
    days = np.concatenate([days, *ev_days])
    outlets = np.concatenate([outlets, *ev_outlets])
    topics = np.concatenate([topics, np.array(ev_topics, dtype=object)])
    event_of = np.concatenate([event_of, *ev_index])
    minutes = rng.integers(60, 17 * 60, size=n_articles)  # 01:00-18:00 UTC (IST working day)
    delay = rng.integers(20, 4 * 24 * 60, size=n_articles)  # crawl delay in minutes
    order = np.lexsort((minutes, outlets, days))

    t0 = dt.datetime.combine(start_day, dt.time(), tzinfo=UTC)
    crawl_end = dt.datetime.combine(end_day, dt.time(6), tzinfo=UTC) + dt.timedelta(days=2)
    articles = []
    for new_idx, j in enumerate(order):
        published = t0 + dt.timedelta(days=int(days[j]), minutes=int(minutes[j]))
        scraped = min(published + dt.timedelta(minutes=int(delay[j])), crawl_end)
        articles.append(
            _Article(new_idx, int(outlets[j]), str(topics[j]), int(event_of[j]), published, scraped)
        )
    return articles, events


def _assign_layouts(articles: list[_Article], rng: random.Random, pages: bool) -> None:
    page_quota = {"html": 0, "text": 0, "warc": 0}
    if pages:
        n = len(articles)
        page_quota = {
            "html": min(160, n // 60),
            "text": min(160, n // 60),
            "warc": min(100, n // 100),
        }
    candidates = [a for a in articles if a.domain in PAGE_OUTLETS]
    rng.shuffle(candidates)
    taken = iter(candidates)
    for layout, quota in page_quota.items():
        for _ in range(quota):
            next(taken).layout = layout
    for a in articles:
        if not a.layout:
            a.layout = rng.choices(META_LAYOUTS, weights=META_SHARES)[0]


def _syndicate(articles: list[_Article], rng: random.Random) -> None:
    """Mark some daily articles as republished copies of a same-day or previous-day wire story."""
    by_day: dict[dt.date, list[_Article]] = {}
    for a in articles:
        if OUTLETS[a.outlet][5] == "daily" and a.layout in BODY_LAYOUTS - {"html", "text", "warc"}:
            by_day.setdefault(a.published.date(), []).append(a)
    for a in articles:
        if a.domain not in WIRES or rng.random() >= RATES["syndicated"]:
            continue
        pool = by_day.get(a.published.date(), []) + by_day.get(
            a.published.date() + dt.timedelta(days=1), []
        )
        pool = [b for b in pool if b.copy_of < 0 and b.published >= a.published]
        outlets_used = set()
        for b in rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2)))):
            if b.outlet in outlets_used:  # one copy per daily
                continue
            outlets_used.add(b.outlet)
            b.copy_of = a.idx
            b.topic = a.topic
            b.event = a.event


def _authors(f: _Filler, a: _Article) -> list[str]:
    r = f.rng
    roll = r.random()
    if a.domain in WIRES:
        return [a.name] if roll < 0.6 else [f.person()]
    if roll < 0.08:
        return []
    if roll < 0.13:
        return [a.name]  # outlet-as-author
    if roll < 0.30:
        return [f.person(), f.person()]
    return [f.person()]


def _write_text(
    articles: list[_Article],
    events: list[dict],
    seed: int,
    done: Callable[[int], object] | None = None,
) -> None:
    """Titles, URLs, bylines and bodies, each from the article's own random stream;
    ``done(n)`` is told every 500 articles whose text is written (progress)."""
    c = _corpus()
    seen_titles: set[tuple[int, dt.date, str]] = set()
    seen_urls: set[str] = set()
    for k, a in enumerate(articles):
        if done is not None and k % 500 == 0:
            done(k)
        f = _Filler(random.Random(seed * 1_000_003 + a.idx), a.name)
        if a.copy_of >= 0:
            continue
        headline = events[a.event]["headline"] if a.event >= 0 else None
        for _ in range(20):  # distinct titles per outlet and day, as real desks do
            a.title = _title(f, a.topic, headline)
            if (a.outlet, a.published.date(), a.title) not in seen_titles:
                break
        seen_titles.add((a.outlet, a.published.date(), a.title))
        a.authors = _authors(f, a)
        if a.layout in BODY_LAYOUTS or a.domain in WIRES:  # wire text may be republished
            a.paragraphs = _body_paragraphs(f, a.topic)
        else:  # metadata-only layouts: the lead alone feeds summaries (and URL variants)
            a.paragraphs = [f.fill(f.rng.choice(_category(a.topic)["leads"]))]
        if a.domain in WIRES:
            credit = c["wire"][a.domain]
            a.dateline_city = f.slot("city_upper")
            head = f.fill(_dated(credit["dateline"], a.published, a.dateline_city))
            a.paragraphs[0] = head + a.paragraphs[0]
            a.paragraphs.append(f.fill(credit["tail"]))
        a.summary = a.paragraphs[0][:220].rsplit(" ", 1)[0] + "..."
    for a in articles:
        f = _Filler(random.Random(seed * 7_000_003 + a.idx), a.name)
        if a.copy_of >= 0:
            _republish(f, a, articles[a.copy_of])
            # A desk never runs two stories under one headline on one day; a copy whose
            # headline its own story already took gets the other wording.
            wire_title = articles[a.copy_of].title.rstrip(".")
            for title in (a.title, wire_title, f"{wire_title}: report", f"{wire_title}: agency"):
                if (a.outlet, a.published.date(), title) not in seen_titles:
                    a.title = title
                    break
            seen_titles.add((a.outlet, a.published.date(), a.title))
        section = f.rng.choice(c["sections"][_category(a.topic)["section"]])
        url = _url(
            a.domain, OUTLETS[a.outlet][2], section, _slug(a.title), a.published, f"{seed}:{a.idx}"
        )
        while url in seen_urls:  # two same-slug stories at a slug-only outlet
            url = url.rstrip("/") + f"-{f.rng.randint(2, 99)}" + ("/" if url.endswith("/") else "")
        seen_urls.add(url)
        a.url = url


def _dated(template: str, when: dt.datetime, city: str) -> str:
    """Fill a dateline's date and city from the story itself."""
    local = when.astimezone(IST)
    return (
        template.replace("{month}", local.strftime("%B"))
        .replace("{day}", str(local.day))
        .replace("{city_upper}", city)
    )


def _republish(f: _Filler, copy: _Article, wire: _Article) -> None:
    """A daily's copy of a wire story: new dateline and credit line, otherwise the same text."""
    c = _corpus()
    copy.title = wire.title if f.rng.random() < 0.6 else wire.title.rstrip(".") + ": report"
    paragraphs = list(wire.paragraphs)
    first = re.sub(r"^[A-Z ,a-z0-9]*\((Reuters|AP|PTI)\)\s*[-—]?\s*", "", paragraphs[0])
    head = _dated(f.rng.choice(c["republish_heads"]), copy.published, wire.dateline_city)
    paragraphs[0] = f.fill(head) + first
    if len(paragraphs) >= 7:  # long copies swap the agency's credit line for the desk's note
        paragraphs[-1] = f.rng.choice(c["republish_tails"])
    else:  # short ones keep it and add a short credit
        paragraphs.append(f.rng.choice(c["republish_short_tails"]))
    copy.paragraphs = paragraphs
    copy.authors = [wire.name]  # dailies credit the agency as the author
    copy.summary = wire.summary
