"""A deterministic, realistic demo corpus, and fast generators of benchmark data.

:func:`generate` (exported as ``pk.demo``; CLI ``policykit demo``) writes about three years
of synthetic news coverage from 19 outlets into ``data/raw/demo``, spread over the layouts
real scrapes come in (Scrapy JSONL, news-please, trafilatura, Media Cloud CSV, GDELT
artlist, newspaper4k, saved HTML pages, plain-text page dumps with site chrome, a WARC, RSS
feeds), with the faults real scrapes have, each counted in the returned
:class:`DemoManifest`. The same seed gives byte-identical files.

The manifest is written as ``.manifest.json`` *inside* the output folder: hidden files are
skipped by the ingest walker, so it is never loaded as data, and the generator writes
nothing outside its folder. Beside it, ``.truth.csv.gz`` says which article every record is
(its true outlet, publication time and story); :func:`truth_agreement` scores a database
built from the corpus against it.

Benchmark data at any size:

- :func:`write_metadata_jsonl`: N Scrapy-style JSONL records (short or no bodies), vectorised
  with polars; 1M records take a few seconds.
- :func:`write_articles_parquet`: N rows shaped like the ``articles`` table (plus an
  ``article_topics`` companion file), generated inside DuckDB from ``range(n)`` and streamed
  to Parquet, so 10M rows need little memory. :func:`load_articles` inserts the same rows
  straight into a database's ``articles`` and ``article_topics`` tables (for the trends
  benchmark).

Every sentence, headline pattern and name in ``data/demo/corpus.yml`` is synthetic and was
written for policykit; outlet and organisation names are real and used factually.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import html
import io
import json
import random
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import _callable_module
from .errors import ConfigError

CORPUS_FILE = Path(__file__).parent / "data" / "demo" / "corpus.yml"
MANIFEST_NAME = ".manifest.json"
TRUTH_NAME = ".truth.csv.gz"  # one row per record written: which article it is (hidden too)
TRUTH_COLUMNS = ("file", "url", "article", "story", "outlet", "domain", "published", "layout")
TRUTH_SQL = Path(__file__).parent / "data" / "demo" / "truth.sql"
#: Bumped whenever the generators' output changes, so cached benchmark inputs are rebuilt.
DATA_VERSION = 2
DEFAULT_SEED = 20200227

UTC = dt.UTC
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))

# domain, display name, host, relative volume, share of tech-policy topics, kind
OUTLETS: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("thehindu.com", "The Hindu", "www.thehindu.com", 9.0, 0.07, "daily"),
    ("indianexpress.com", "The Indian Express", "indianexpress.com", 9.0, 0.08, "daily"),
    ("hindustantimes.com", "Hindustan Times", "www.hindustantimes.com", 10.0, 0.06, "daily"),
    (
        "timesofindia.indiatimes.com",
        "The Times of India",
        "timesofindia.indiatimes.com",
        12.0,
        0.05,
        "daily",
    ),
    ("livemint.com", "Mint", "www.livemint.com", 6.0, 0.10, "daily"),
    ("deccanherald.com", "Deccan Herald", "www.deccanherald.com", 5.0, 0.06, "daily"),
    (
        "newindianexpress.com",
        "The New Indian Express",
        "www.newindianexpress.com",
        5.0,
        0.06,
        "daily",
    ),
    ("medianama.com", "MediaNama", "www.medianama.com", 2.0, 0.78, "techpolicy"),
    ("thewire.in", "The Wire", "thewire.in", 2.5, 0.22, "digital"),
    ("scroll.in", "Scroll.in", "scroll.in", 2.5, 0.18, "digital"),
    ("techpolicy.press", "Tech Policy Press", "www.techpolicy.press", 0.8, 0.82, "techpolicy"),
    ("restofworld.org", "Rest of World", "restofworld.org", 0.7, 0.45, "techpolicy"),
    ("reuters.com", "Reuters", "www.reuters.com", 6.0, 0.06, "wire"),
    ("apnews.com", "Associated Press", "apnews.com", 4.0, 0.04, "wire"),
    ("ptinews.com", "PTI", "www.ptinews.com", 8.0, 0.06, "wire"),
    ("theguardian.com", "The Guardian", "www.theguardian.com", 3.0, 0.05, "intl"),
    ("bbc.com", "BBC", "www.bbc.com", 3.0, 0.05, "intl"),
    ("nytimes.com", "The New York Times", "www.nytimes.com", 2.0, 0.04, "intl"),
    ("aljazeera.com", "Al Jazeera", "www.aljazeera.com", 2.0, 0.05, "intl"),
)
DOMAINS = [o[0] for o in OUTLETS]
NAMES = [o[1] for o in OUTLETS]
INDIAN = {o[0] for o in OUTLETS if o[5] in {"daily", "techpolicy", "digital"}} - {
    "techpolicy.press",
    "restofworld.org",
}
WIRES = ("reuters.com", "apnews.com", "ptinews.com")

TOPICS = (
    "facial_recognition",
    "data_protection",
    "internet_shutdowns",
    "content_takedowns",
    "surveillance",
    "platform_regulation",
    "data_breaches",
)
BACKGROUND = ("elections", "cricket", "economy", "weather", "city", "world", "business_tech")

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

# Sentence-initial words an opener ("Meanwhile, ...") may lower-case.
_LOWER_OK = frozenset(
    [
        "The",
        "A",
        "An",
        "It",
        "There",
        "Under",
        "In",
        "At",
        "Its",
        "This",
        "Officials",
        "Critics",
        "Lawyers",
        "Researchers",
        "Users",
        "Industry",
        "Parliamentary",
        "Legal",
        "Several",
        "Consumer",
        "Students",
        "Platforms",
        "Polling",
        "Passengers",
        "Residents",
        "Authorities",
        "Traders",
        "Telecom",
        "Companies",
        "Investigators",
        "Security",
        "Forensic",
        "Phone",
        "Interception",
        "Rights",
        "Food",
        "Bank",
        "Analysts",
        "Manufacturing",
        "Exports",
        "Economists",
        "Schools",
        "Farmers",
        "Trains",
        "Power",
        "Disaster",
        "Commuters",
        "Revenue",
        "Investors",
        "Payments",
    ]
)
_SLOT_RE = re.compile(r"\{([a-z_0-9]+)\}")


@dataclass
class DemoManifest:
    """What :func:`generate` wrote: counts to check an ingest against."""

    out_dir: str
    seed: int
    start: str
    end: str
    scraped_at: str
    articles: int  # distinct articles (distinct canonical URLs, text dumps by text)
    records: int  # records written across all files (articles + duplicates + the truncated line)
    duplicate_records: int  # records that repeat an article (URL variants, feed items)
    files: dict[str, int] = field(default_factory=dict)  # relative path -> records
    layouts: dict[str, int] = field(default_factory=dict)  # layout -> records
    outlets: dict[str, int] = field(default_factory=dict)  # outlet name -> distinct articles
    topics: dict[str, int] = field(default_factory=dict)  # topic -> distinct articles
    faults: dict[str, int] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    syndicated_pairs: list[list[str]] = field(default_factory=list)  # [copy url, wire url]
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        data = self.to_dict()
        for volatile in ("seconds", "out_dir"):  # the file is byte-identical across runs
            data.pop(volatile)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


# --------------------------------------------------------------------------- text


@lru_cache(maxsize=1)
def _corpus() -> dict:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    return yaml.load(CORPUS_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_the(text: str) -> str:
    return text[4:] if text.startswith("the ") else text


class _Filler:
    """Fills ``{slot}`` templates from one article's private random stream."""

    def __init__(self, rng: random.Random, outlet: str) -> None:
        self.rng = rng
        self.c = _corpus()
        self.outlet = outlet

    def person(self) -> str:
        return f"{self.rng.choice(self.c['first_names'])} {self.rng.choice(self.c['last_names'])}"

    def slot(self, name: str) -> str:
        r, c = self.rng, self.c
        if name in ("person", "person2", "player"):
            return self.person()
        if name == "org":
            return r.choice(c["tech_orgs"])
        if name == "agency":
            return r.choice(c["agencies"])
        if name == "agency_cap":
            return _cap(r.choice(c["agencies"]))
        if name == "group":
            return r.choice(c["groups"])
        if name == "court":
            return r.choice(c["courts"])
        if name == "court_cap":
            return _cap(r.choice(c["courts"]))
        if name == "court_short":
            return _strip_the(r.choice(c["courts"]))
        if name == "police":
            return f"{r.choice(c['places'])} Police"
        if name in ("place",):
            return r.choice(c["places"])
        if name == "city_upper":
            return r.choice(c["places"]).upper()
        if name == "state":
            return r.choice(c["states"])
        if name == "role":
            return r.choice(c["roles"])
        if name == "num":
            return str(r.choice((r.randint(2, 19), r.randint(20, 99), r.randint(3, 12))))
        if name == "big":
            return f"{r.randint(1_200, 990_000):,}"
        if name == "pct":
            return f"{r.uniform(0.4, 42):.1f}"
        if name == "month":
            return r.choice(c["months"])
        if name == "day":
            return str(r.randint(1, 28))
        if name == "weekday":
            return r.choice(c["weekdays"])
        if name == "cited":
            if r.random() < 0.75:
                return r.choice([n for n in NAMES if n != self.outlet])
            return r.choice(c["cited_extra"])
        if name == "law":
            return r.choice(c["laws"])
        if name in ("party", "party2"):
            return r.choice(c["parties"])
        if name == "party_cap":
            return _strip_the(r.choice(c["parties"]))
        if name == "team":
            self.last_team = r.choice(c["teams"])
            return self.last_team
        if name == "team2":
            return r.choice([t for t in c["teams"] if t != getattr(self, "last_team", None)])
        if name == "quote":
            return r.choice(c["quotes"])
        if name in ("initials", "initials2"):
            return "".join(r.choice("ABCDEGHJKMNPRSTVY") for _ in range(r.randint(2, 3)))
        raise ConfigError(f"template slot {name!r} is not one of the known demo slots")

    def fill(self, template: str) -> str:
        return _SLOT_RE.sub(lambda m: self.slot(m.group(1)), template)


def _category(topic: str) -> dict:
    c = _corpus()
    return c["topics"][topic] if topic in c["topics"] else c["background"][topic]


def _title(f: _Filler, topic: str, event_headline: str | None) -> str:
    if event_headline and f.rng.random() < 0.45:
        return _cap(f.fill(event_headline))
    return _cap(f.fill(f.rng.choice(_category(topic)["headlines"])))


def _quote_sentence(f: _Filler) -> str:
    q = f.rng.choice(f.c["quotes"])
    who = f"{f.person()}, {f.rng.choice(f.c['roles'])}"
    form = f.rng.randrange(3)
    if form == 0:
        return f"“{q},” said {who}."
    if form == 1:
        return f"{who}, said: “{q}.”"
    return f"“{q},” {who} told reporters in {f.rng.choice(f.c['places'])}."


def _body_paragraphs(f: _Filler, topic: str) -> list[str]:
    """Four to seven paragraphs: a lead, then topic, generic, citation and quote sentences."""
    r, c = f.rng, f.c
    cat = _category(topic)
    is_topic = topic in TOPICS
    own = r.sample(cat["sentences"], k=min(len(cat["sentences"]), r.randint(5, 9)))
    pool = list(own)
    if is_topic:
        pool += r.sample(c["generic"], k=r.randint(3, 6))
        pool += r.sample(c["citations"], k=r.choice((1, 1, 2, 2, 3)))
    elif r.random() < 0.4:
        pool += r.sample(c["citations"], k=1)
    r.shuffle(pool)
    sentences = []
    for template in pool:
        text = _cap(f.fill(template))  # "{group} said..." starts "the ..."
        first = text.split(" ", 1)[0]
        if first in _LOWER_OK and r.random() < 0.35:  # only where lower-casing stays correct
            text = f.fill(r.choice(c["openers"])) + first.lower() + text[len(first) :]
        sentences.append(text)
    for _ in range(r.randint(1, 2)):
        sentences.insert(r.randrange(1, len(sentences) + 1), _quote_sentence(f))
    paragraphs = [_cap(f.fill(r.choice(cat["leads"])))]
    i = 0
    while i < len(sentences):
        k = r.randint(2, 3)
        paragraphs.append(" ".join(sentences[i : i + k]))
        i += k
    return paragraphs


def _slug(title: str, words: int = 10) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return "-".join(text.split("-")[:words])


def _digits(key: str, n: int) -> str:
    value = int(hashlib.blake2b(key.encode(), digest_size=8).hexdigest(), 16)
    return str(value % 10**n).zfill(n)


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


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252: the classic 'â€™' damage (undecodable bytes kept as-is)."""
    return text.encode("utf-8").decode("cp1252", errors="replace").replace("\ufffd", "\u00a0")


def _ensure_non_ascii(text: str) -> str:
    if any(ord(ch) > 127 for ch in text):
        return text
    words = text.split(" ")
    words[-1] = f"‘{words[-1]}’"
    return " ".join(words)


# --------------------------------------------------------------------------- plan


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


def _write_text(articles: list[_Article], events: list[dict], seed: int) -> None:
    """Titles, URLs, bylines and bodies, each from the article's own random stream."""
    c = _corpus()
    seen_titles: set[tuple[int, dt.date, str]] = set()
    seen_urls: set[str] = set()
    for a in articles:
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


# --------------------------------------------------------------------------- faults


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


# --------------------------------------------------------------------------- layouts


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


# --------------------------------------------------------------------------- pages


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


# --------------------------------------------------------------------------- generate


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:  # fixed header bytes
        gz.write(data)
    return buffer.getvalue()


def _jsonl(records: list) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _clear_previous(out: Path, force: bool) -> None:
    if not out.exists() or not any(p.is_file() for p in out.rglob("*")):
        return  # empty, or only empty folders
    if not force:
        raise ConfigError(
            f"output folder {out} is not empty; pass force=True (CLI: --force) to replace "
            "a previous demo corpus there, or choose another folder"
        )
    manifest = out / MANIFEST_NAME
    if not manifest.is_file():
        raise ConfigError(
            f"output folder {out} is not empty and holds no demo corpus ({MANIFEST_NAME} is "
            "missing); refusing to delete files policykit did not write; choose an empty folder"
        )
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"{manifest} is not a demo manifest ({exc}); remove the folder by hand"
        ) from None
    for rel in old:
        path = (out / rel).resolve()
        if out.resolve() in path.parents and path.is_file():  # never outside the folder
            path.unlink()
    manifest.unlink()
    (out / TRUTH_NAME).unlink(missing_ok=True)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def generate(
    out_dir: str | Path = "data/raw/demo",
    *,
    n_articles: int = 30_000,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    pages: bool = True,
    force: bool = False,
) -> DemoManifest:
    """Write the demo corpus into ``out_dir`` and return its manifest.

    Parameters
    ----------
    out_dir
        Folder to write (created if needed). It must be empty, or hold a previous demo
        corpus and ``force=True``: only the files listed in its ``.manifest.json`` (and
        its ``.truth.csv.gz``) are replaced, nothing else is deleted.
    n_articles
        Distinct articles (200 to 200,000). Duplicate records (URL variants, feed items)
        and one truncated line come on top; see :attr:`DemoManifest.records`.
    seed
        The same seed gives byte-identical files.
    start, years
        The corpus spans ``years`` years from ``start`` (an ISO date).
    pages
        Also write saved HTML pages, plain-text page dumps, a WARC and RSS feeds.

    Returns
    -------
    DemoManifest
        Also written to ``out_dir/.manifest.json`` (hidden, so never ingested).

    Examples
    --------
    >>> import policykit as pk
    >>> m = pk.demo("/tmp/pk-demo", n_articles=2_000, force=True)  # doctest: +SKIP
    >>> m.articles  # doctest: +SKIP
    2000
    """
    began = time.perf_counter()
    start_day = _validate(n_articles, start, years)
    if not isinstance(seed, int):
        raise ConfigError(f"seed {seed!r} is not an integer")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"output folder {out} is a file, not a folder")
    _clear_previous(out, force)

    articles, events = _plan(n_articles, seed, start_day, years)
    rng = random.Random(seed)
    _assign_layouts(articles, rng, pages)
    _syndicate(articles, rng)
    _write_text(articles, events, seed)
    faults = _Faults(random.Random(seed + 1), max(a.scraped for a in articles))
    faults.count["syndicated_copies"] = sum(a.copy_of >= 0 for a in articles)

    # (file, sort key, record); variants are extra records of articles written elsewhere.
    rows: dict[str, list] = {}

    truth: list[tuple] = []

    def add(rel: str, key: tuple, record, a: _Article | None = None, url: str = "") -> None:
        rows.setdefault(rel, []).append((key, record))
        if a is not None:
            _truth_row(truth, rel, url or a.url, a)

    variants: dict[int, tuple[str, str]] = {}
    for a in articles:
        if a.layout in META_LAYOUTS and faults.hit("tracking_variant"):
            kind = faults.rng.choice(("utm", "utm", "fbclid", "amp", "mobile", "http"))
            target = faults.rng.choice(
                [x for x in ("scrapy", "mediacloud", "gdelt") if x != a.layout]
            )
            variants[a.idx] = (kind, target)

    mc_header = [
        "id",
        "indexed_date",
        "language",
        "media_name",
        "media_url",
        "publish_date",
        "title",
        "url",
    ]
    for a in articles:
        year = a.published.year
        key = (a.published, a.idx)
        if a.layout == "scrapy":
            add(f"scrapy/{year}-items.jsonl.gz", key, _scrapy_record(a, faults), a)
        elif a.layout == "mediacloud":
            add(f"mediacloud/stories-{year}.csv", key, _mediacloud_row(a, faults), a)
        elif a.layout == "gdelt":
            rel = f"gdelt/artlist-{year}-{a.published.month:02d}.json"
            add(rel, key, _gdelt_item(a, faults), a)
        elif a.layout == "trafilatura":
            add(f"trafilatura/{year}.jsonl", key, _trafilatura_record(a, faults), a)
        elif a.layout == "newspaper4k":
            add(f"newspaper4k/{year}.json", key, _newspaper4k_record(a, faults), a)
        elif a.layout == "news-please":
            name = hashlib.sha256(a.url.encode()).hexdigest() + ".json"
            add(
                f"news-please/{OUTLETS[a.outlet][2]}/{name}",
                key,
                _newsplease_record(a, faults, name),
                a,
            )
        if a.idx in variants:
            kind, target = variants[a.idx]
            url = _variant_url(a.url, kind, faults.rng)
            faults.count[f"tracking_variants_{kind}"] += 1
            vkey = (a.scraped, a.idx)
            if target == "scrapy":
                rel = f"scrapy/{year}-items.jsonl.gz"
                add(rel, vkey, _scrapy_record(a, faults, True, url), a, url)
            elif target == "mediacloud":
                rel = f"mediacloud/stories-{year}.csv"
                add(rel, vkey, _mediacloud_row(a, faults, True, url), a, url)
            else:
                rel = f"gdelt/artlist-{year}-{a.published.month:02d}.json"
                add(rel, vkey, _gdelt_item(a, faults, True, url), a, url)

    blobs: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for rel in sorted(rows):
        records = [r for _, r in sorted(rows[rel], key=lambda kr: kr[0])]
        counts[rel] = len(records)
        if rel.startswith("scrapy/"):
            blobs[rel] = _jsonl(records).encode("utf-8")
        elif rel.startswith("mediacloud/"):
            text = io.StringIO()
            w = csv.writer(text, lineterminator="\n")
            w.writerow(mc_header)
            w.writerows(records)
            blobs[rel] = text.getvalue().encode("utf-8")
        elif rel.startswith("gdelt/"):
            blobs[rel] = json.dumps({"articles": records}, ensure_ascii=False).encode("utf-8")
        elif rel.startswith("trafilatura/"):
            blobs[rel] = _jsonl(records).encode("utf-8")
        elif rel.startswith("newspaper4k/"):
            blobs[rel] = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
        else:
            blobs[rel] = json.dumps(records[0], ensure_ascii=False, indent=2).encode("utf-8")

    # One Scrapy export was cut off mid-write: its last line is half a record.
    scrapy_files = sorted(r for r in blobs if r.startswith("scrapy/"))
    if scrapy_files:
        rel = scrapy_files[len(scrapy_files) // 2]
        first = blobs[rel].split(b"\n", 1)[0]
        blobs[rel] += first[: len(first) * 3 // 5]
        counts[rel] += 1
        faults.count["truncated_lines"] = 1
    for rel in scrapy_files:
        blobs[rel] = _gzip(blobs[rel])

    page_articles = [a for a in articles if a.layout in ("html", "text", "warc")]
    chromes = {d: _chrome(d, NAMES[DOMAINS.index(d)], seed) for d in PAGE_OUTLETS}
    warc_pages = []
    for a in page_articles:
        prng = random.Random(f"{seed}:page:{a.idx}")
        slug = _slug(a.title, 8) + f"-{a.idx}"
        if a.layout == "html":
            page = _html_page(a, chromes[a.domain], prng, meta_date=prng.random() > 0.1)
            rel = f"pages/html/{a.domain}/{slug}.html"
            blobs[rel], counts[rel] = page.encode("utf-8"), 1
            _truth_row(truth, rel, a.url, a)
        elif a.layout == "text":
            rel = f"pages/text/{a.domain}/{slug}.txt"
            blobs[rel], counts[rel] = _text_dump(a, chromes[a.domain], prng).encode("utf-8"), 1
            _truth_row(truth, rel, None, a)  # a dump carries no URL: known by its file
        else:
            warc_pages.append((a, _html_page(a, chromes[a.domain], prng)))
            _truth_row(truth, "pages/crawl.warc.gz", a.url, a)
    if warc_pages:
        blobs["pages/crawl.warc.gz"] = _warc_bytes(warc_pages)
        counts["pages/crawl.warc.gz"] = len(warc_pages)
    if pages:
        for domain in ("medianama.com", "thehindu.com", "livemint.com", "scroll.in"):
            k = DOMAINS.index(domain)
            latest = [a for a in articles if a.outlet == k and a.layout != "text"][-25:]
            rel = f"feeds/{domain.split('.')[0]}.xml"
            blobs[rel], counts[rel] = _rss(domain, NAMES[k], latest).encode("utf-8"), len(latest)
            faults.count["feed_items"] += len(latest)
            for a in latest:
                _truth_row(truth, rel, a.url, a)

    out.mkdir(parents=True, exist_ok=True)
    for rel in sorted(blobs):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blobs[rel])

    layouts: Counter = Counter()
    for rel, n in counts.items():
        layouts[_layout_of(rel)] += n
    n_variants = sum(v for k, v in faults.count.items() if k.startswith("tracking_variants_"))
    manifest = DemoManifest(
        out_dir=str(out),
        seed=seed,
        start=articles[0].published.date().isoformat(),
        end=articles[-1].published.date().isoformat(),
        scraped_at=_iso(max(a.scraped for a in articles)),
        articles=len(articles),
        records=sum(counts.values()),
        duplicate_records=n_variants + faults.count["feed_items"],
        files=dict(sorted(counts.items())),
        layouts=dict(sorted(layouts.items())),
        outlets=dict(sorted(Counter(a.name for a in articles).items())),
        topics=dict(sorted(Counter(a.topic for a in articles).items())),
        faults=dict(sorted(faults.count.items())),
        events=[
            {
                "date": e["date"],
                "topic": e["topic"],
                "headline": e["headline"],
                "days": e["days"],
                "articles": sum(a.event == i for a in articles),
            }
            for i, e in enumerate(events)
        ],
        syndicated_pairs=[[a.url, articles[a.copy_of].url] for a in articles if a.copy_of >= 0],
    )
    manifest.write(out / MANIFEST_NAME)
    (out / TRUTH_NAME).write_bytes(_gzip(_truth_csv(truth)))
    manifest.seconds = round(time.perf_counter() - began, 2)
    return manifest


def _truth_row(truth: list[tuple], rel: str, url: str | None, a: _Article) -> None:
    story = a.copy_of if a.copy_of >= 0 else a.idx  # a wire copy tells its agency's story
    truth.append((rel, url, a.idx, story, a.name, a.domain, _iso(a.published), _layout_of(rel)))


def _truth_csv(truth: list[tuple]) -> bytes:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(TRUTH_COLUMNS)
    w.writerows(sorted(truth, key=lambda r: (r[0], r[2], r[1] or "")))
    return text.getvalue().encode("utf-8")


def _layout_of(rel: str) -> str:
    top = rel.split("/", 1)[0]
    if top == "pages":
        return {"html": "html", "text": "text"}.get(rel.split("/")[1], "warc")
    return {"feeds": "rss"}.get(top, top)


def truth_agreement(con, out_dir: str | Path = "data/raw/demo") -> dict[str, int]:
    """Count how far a database built from a demo corpus agrees with its ground truth.

    Parameters
    ----------
    con
        A DuckDB connection to the database that ingested ``out_dir`` (read-only is fine).
    out_dir
        The demo corpus folder; its ``.truth.csv.gz`` says which article every record is.

    Returns
    -------
    dict
        ``articles`` (true distinct articles), ``loaded`` (with at least one record in
        ``articles`` or ``duplicates``; the rest were rejected), ``outlet_right`` (loaded,
        with the true outlet: its name, or a registry outlet of the true domain, since
        the registry may spell it out: "PTI" is "Press Trust of India"), ``dated`` (``published_at`` set), ``day_right`` (its
        UTC day is the true one), ``duplicate_groups`` (articles with several loaded
        records: URL variants, feed items), ``duplicates_recognised`` (all those records
        merged into one article), ``merged_copies`` (database articles holding several
        true articles of one story: a wire story and its syndicated copies) and
        ``false_merges`` (database articles holding unrelated true articles).
    """
    out = Path(out_dir)
    truth = out / TRUTH_NAME
    if not truth.is_file():
        raise ConfigError(
            f"{truth} is missing; write the corpus with this version of policykit demo"
        )
    files = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    loaded = con.execute(
        "SELECT DISTINCT source_path FROM articles "
        "UNION SELECT DISTINCT source_path FROM duplicates"
    ).fetchall()
    paths, rels = [], []
    for (path,) in loaded:  # a loaded path is the corpus file it ends with
        rel = next((r for r in files if path == r or path.endswith("/" + r)), None)
        if rel is not None:
            paths.append(path)
            rels.append(rel)
    query = TRUTH_SQL.read_text(encoding="utf-8")
    row = con.execute(query, {"truth": str(truth), "paths": paths, "files": rels})
    names = [d[0] for d in row.description]
    return dict(zip(names, row.fetchone(), strict=True))


#: ``pk.demo(...)`` mirrors ``policykit demo``.
demo = generate


# --------------------------------------------------------------------------- benchmark data


def _text_pools(seed: int, n_titles: int, n_paragraphs: int = 0) -> tuple[list[str], list[str]]:
    """Distinct headlines and body paragraphs written by the demo templates."""
    rng = random.Random(f"{seed}:pools")
    f = _Filler(rng, "")
    kinds = list(TOPICS) + list(BACKGROUND) * 3  # background dominates, as in the demo
    titles: dict[str, None] = {}
    tries = 0
    while len(titles) < n_titles and tries < n_titles * 5:
        tries += 1
        titles.setdefault(_title(f, rng.choice(kinds), None), None)
    pool = list(titles)
    while len(pool) < n_titles:  # a tiny template set cannot reach n_titles distinct ones
        pool.append(f"{pool[len(pool) % len(titles)]} ({len(pool)})")
    paragraphs: list[str] = []
    while len(paragraphs) < n_paragraphs:
        paragraphs.extend(_body_paragraphs(f, rng.choice(kinds)))
    return pool, paragraphs[:n_paragraphs]


def _kind_pools(seed: int, per_titles: int, per_bodies: int) -> tuple[list[str], list[str]]:
    """Headlines and whole bodies per kind (TOPICS then BACKGROUND), kind-major, so a
    row's title and body agree on its subject."""
    titles: list[str] = []
    bodies: list[str] = []
    for kind in TOPICS + BACKGROUND:
        rng = random.Random(f"{seed}:pool:{kind}")
        f = _Filler(rng, "")
        seen: dict[str, None] = {}
        for _ in range(per_titles * 4):
            seen.setdefault(_title(f, kind, None), None)
            if len(seen) == per_titles:
                break
        block = list(seen)
        while len(block) < per_titles:  # few templates: headlines recur, as they do
            block.append(block[len(block) % len(seen)])
        titles += block
        bodies += ["\n\n".join(_body_paragraphs(f, kind)) for _ in range(per_bodies)]
    return titles, bodies


def write_metadata_jsonl(
    path: str | Path,
    n_records: int = 1_000_000,
    *,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    duplicate_rate: float = 0.03,
    body_rate: float = 0.3,
) -> Path:
    """Write ``n_records`` Scrapy-style JSONL metadata records, fast (vectorised, polars).

    Records average about 450-550 bytes: url, title, author, date, summary, a short body for
    ``body_rate`` of them, section, spider and scraped_at. Like a real scrape they carry
    faults: ``duplicate_rate`` of the records repeat an earlier article (half with the same
    URL, half with a tracking-parameter or http variant), and dates come in mixed formats
    (ISO UTC, ISO +05:30, "Mar 01, 2023 10:15 AM IST", epoch milliseconds as digits,
    "3 hours ago" with a matching scraped_at, ambiguous 03/04/2023, missing). About 0.5% of
    titles are mojibake. The same arguments give byte-identical files.

    Returns the path written.
    """
    import polars as pl

    if not isinstance(n_records, int) or n_records < 1:
        raise ConfigError(f"n_records {n_records!r} is not a positive integer")
    for name, rate in (("duplicate_rate", duplicate_rate), ("body_rate", body_rate)):
        if not 0 <= rate < 1:
            raise ConfigError(f"{name} {rate!r} is not a fraction from 0 to 1")
    start_day = _start_day(start, years)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = n_records
    n_titles = min(50_000, max(1_000, n // 4))
    titles, paragraphs = _text_pools(seed, n_titles, n_paragraphs=min(20_000, max(200, n // 20)))
    slugs = [_slug(t, 9) for t in titles]
    n_days = (start_day.replace(year=start_day.year + years) - start_day).days

    # Which article each record shows: duplicates point back at an earlier article.
    n_dup = int(n * duplicate_rate)
    article = np.arange(n)
    dup_pos = (
        np.sort(rng.choice(np.arange(1, n), size=n_dup, replace=False))
        if n_dup
        else np.array([], int)
    )
    article[dup_pos] = (rng.random(n_dup) * dup_pos).astype(np.int64)
    while True:  # a duplicate of a duplicate: follow it back to the first record
        again = article[article] != article
        if not again.any():
            break
        article = np.where(again, article[article], article)

    volume = np.array([o[3] for o in OUTLETS])
    outlet_of = rng.choice(len(OUTLETS), size=n, p=volume / volume.sum())[article]
    weekday = (np.arange(n_days) + start_day.weekday()) % 7
    day_w = np.where(weekday >= 5, 0.6, 1.0)
    day_of = rng.choice(n_days, size=n, p=day_w / day_w.sum())[article]
    minute_of = rng.integers(60, 18 * 60, size=n)[article]
    t0 = int(dt.datetime.combine(start_day, dt.time(), tzinfo=UTC).timestamp())
    published = t0 + day_of.astype(np.int64) * 86_400 + minute_of.astype(np.int64) * 60
    delay_h = rng.integers(1, 60, size=n)
    title_ix = (article * 7919) % n_titles

    date_kind = rng.choice(7, size=n, p=[0.55, 0.17, 0.15, 0.04, 0.015, 0.02, 0.055])
    # 0 iso utc, 1 iso +05:30, 2 "Mar 01, 2023 10:15 AM IST", 3 epoch ms, 4 missing,
    # 5 dd/mm/yyyy, 6 relative "N hours ago"
    scraped = published + np.where(date_kind == 6, delay_h % 23 + 1, delay_h) * 3600
    variant = np.zeros(n, dtype=np.int8)
    variant[dup_pos] = rng.choice(3, size=n_dup)  # 0 same URL, 1 utm, 2 http
    body_ix = np.where(rng.random(n) < body_rate, rng.integers(0, len(paragraphs), size=n), -1)
    mojibake = rng.random(n) < 0.005
    n_people = 4_000
    people = [
        f"{p} {q}"
        for p, q in zip(
            np.random.default_rng(seed + 5).choice(_corpus()["first_names"], n_people),
            np.random.default_rng(seed + 6).choice(_corpus()["last_names"], n_people),
            strict=True,
        )
    ]
    author_kind = rng.choice(
        4, size=n, p=[0.62, 0.15, 0.05, 0.18]
    )  # one, "By A and B", outlet, none

    hosts = pl.Series([o[2] for o in OUTLETS])
    outlet_names = pl.Series(NAMES)
    frame = pl.DataFrame(
        {
            "article": article,
            "outlet": outlet_of.astype(np.int32),
            "published": published,
            "scraped": scraped,
            "title_ix": title_ix,
            "date_kind": date_kind.astype(np.int8),
            "variant": variant,
            "body_ix": body_ix,
            "mojibake": mojibake,
            "lead_ix": rng.integers(0, len(paragraphs), size=n),
            "has_summary": rng.random(n) < 0.7,
            "delay_h": ((scraped - published) // 3600).astype(np.int64),
            "a1": rng.integers(0, n_people, size=n),
            "a2": rng.integers(0, n_people, size=n),
            "author_kind": author_kind.astype(np.int8),
        }
    )
    title_s = pl.Series(titles)
    moji_s = pl.Series([_mojibake(_ensure_non_ascii(t)) for t in titles])
    slug_s = pl.Series(slugs)
    para_s = pl.Series(paragraphs)
    people_s = pl.Series(people)
    pub = pl.from_epoch(pl.col("published"), time_unit="s").dt.replace_time_zone("UTC")
    ist = pub.dt.convert_time_zone("Asia/Kolkata")
    out = frame.with_columns(
        host=hosts.gather(frame["outlet"]),
        outlet_name=outlet_names.gather(frame["outlet"]),
        slug=slug_s.gather(frame["title_ix"]),
        clean_title=title_s.gather(frame["title_ix"]),
        moji_title=moji_s.gather(frame["title_ix"]),
        para=para_s.gather(frame["body_ix"].clip(0)),
        lead=para_s.gather(frame["lead_ix"]),
        p1=people_s.gather(frame["a1"]),
        p2=people_s.gather(frame["a2"]),
    ).with_columns(
        base_url=pl.concat_str(
            [
                pl.lit("https://"),
                pl.col("host"),
                pl.lit("/news/"),
                pl.col("slug"),
                pl.lit("-"),
                pl.col("article").cast(pl.String),
            ]
        ),
    )
    records = out.select(
        url=pl.when(pl.col("variant") == 1)
        .then(pl.col("base_url") + "?utm_source=twitter&utm_medium=social")
        .when(pl.col("variant") == 2)
        .then(pl.col("base_url").str.replace("https://", "http://", literal=True))
        .otherwise(pl.col("base_url")),
        title=pl.when(pl.col("mojibake"))
        .then(pl.col("moji_title"))
        .otherwise(pl.col("clean_title")),
        author=pl.when(pl.col("author_kind") == 0)
        .then(pl.col("p1"))
        .when(pl.col("author_kind") == 1)
        .then(pl.concat_str([pl.lit("By "), pl.col("p1"), pl.lit(" and "), pl.col("p2")]))
        .when(pl.col("author_kind") == 2)
        .then(pl.col("outlet_name"))
        .otherwise(None),
        date=pl.when(pl.col("date_kind") == 0)
        .then(pub.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .when(pl.col("date_kind") == 1)
        .then(ist.dt.strftime("%Y-%m-%dT%H:%M:%S+05:30"))
        .when(pl.col("date_kind") == 2)
        .then(ist.dt.strftime("%b %d, %Y %I:%M %p IST"))
        .when(pl.col("date_kind") == 3)
        .then((pl.col("published") * 1000).cast(pl.String))
        .when(pl.col("date_kind") == 5)
        .then(ist.dt.strftime("%d/%m/%Y"))
        .when(pl.col("date_kind") == 6)
        .then(pl.concat_str([pl.col("delay_h").cast(pl.String), pl.lit(" hours ago")]))
        .otherwise(None),
        summary=pl.when(pl.col("has_summary"))
        .then(pl.col("lead").str.slice(0, 160))
        .otherwise(None),
        text=pl.when(pl.col("body_ix") >= 0).then(pl.col("para")).otherwise(None),
        section=pl.lit("news"),
        spider=pl.col("host").str.replace(r"^www\.", "").str.split(".").list.first(),
        scraped_at=pl.from_epoch(pl.col("scraped"), time_unit="s").dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
    )
    records.write_ndjson(path)
    return path


def _outlet_slots() -> list[tuple[int, str, str, str, float]]:
    """1,000 slots shared out by outlet volume, so ``hash % 1000`` picks a weighted outlet."""
    volume = np.array([o[3] for o in OUTLETS])
    bounds = np.round(np.cumsum(volume) / volume.sum() * 1000).astype(int)
    slots, k = [], 0
    for slot in range(1000):
        while slot >= bounds[k]:
            k += 1
        d, name, host, _, share, _ = OUTLETS[k]
        slots.append((slot, d, name, host, share))
    return slots


ARTICLE_COLUMNS: tuple[str, ...] = (
    "article_id", "url", "canonical_url", "domain", "outlet", "title", "summary", "body",
    "authors", "published_at", "published_raw", "date_source", "language", "word_count",
    "scraped_at", "source_path", "source_locator", "extraction_method", "body_missing_reason",
    "layout", "ingested_at", "content_hash", "published_local_date", "published_utc_offset",
)  # fmt: skip


def _bench_params(con, seed: int, with_bodies: bool, start: str, years: int, n: int) -> dict:
    """Register the lookup relations bench_articles.sql joins, and return its parameters."""
    import pyarrow as pa

    start_day = _start_day(start, years)
    n_days = (start_day.replace(year=start_day.year + years) - start_day).days
    per_titles = min(1_500, max(50, n // 20))  # pools grow with n up to a fixed size
    per_bodies = min(400, max(20, n // 50)) if with_bodies else 1
    titles, paragraphs = _kind_pools(seed, per_titles, per_bodies)
    slots = _outlet_slots()
    con.register(
        "bench_outlet_slots",
        pa.table(
            {
                "slot": pa.array([s[0] for s in slots], pa.uint64()),
                "domain": [s[1] for s in slots],
                "name": [s[2] for s in slots],
                "host": [s[3] for s in slots],
                "topic_share": [s[4] for s in slots],
            }
        ),
    )
    con.register(
        "bench_titles",
        pa.table(
            {
                "t": pa.array(range(len(titles)), pa.uint64()),
                "title": titles,
                "slug": [_slug(t, 9) for t in titles],
            }
        ),
    )
    con.register(
        "bench_bodies",
        pa.table({"b": pa.array(range(len(paragraphs)), pa.uint64()), "body": paragraphs}),
    )
    return {
        "seed": seed,
        "days": n_days,
        "start_day": (start_day - dt.date(1970, 1, 1)).days,
        "with_bodies": with_bodies,
        "topics": list(TOPICS),
        "per_titles": per_titles,
        "per_bodies": per_bodies,
    }


def _bench_sql() -> str:
    return (Path(__file__).parent / "sql" / "bench_articles.sql").read_text(encoding="utf-8")


def _check_size(n: int) -> None:
    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"n {n!r} is not a positive integer")


def write_articles_parquet(
    path: str | Path,
    n: int = 100_000,
    *,
    with_bodies: bool = True,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
) -> tuple[Path, Path]:
    """Write ``n`` rows shaped like the ``articles`` table to Parquet, plus their topics.

    Generated inside DuckDB from ``range(n)`` and streamed to Parquet in batches, so 10M rows
    without bodies need little memory. Outlets follow the demo volumes, dates span
    ``years`` years with fewer weekend stories, and about one article in six carries one
    tech-policy topic (the outlet's topic share decides). Bodies (``with_bodies``) are
    three paragraphs from a pool of 8,000 written by the demo templates, with entities and
    citation phrases for enrichment to find.

    Returns ``(articles_path, topics_path)``: the articles file has exactly the columns of
    the ``articles`` table (:data:`ARTICLE_COLUMNS`); ``<stem>-topics.parquet`` has
    ``article_id, topic, hits`` like ``article_topics``.
    """
    import duckdb
    import pyarrow.parquet as pq

    _check_size(n)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    topics_path = path.with_name(path.stem + "-topics.parquet")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        params = _bench_params(con, seed, with_bodies, start, years, n) | {"lo": 0, "hi": n}
        reader = con.sql(_bench_sql(), params=params).to_arrow_reader(250_000)
        writer = topics = None
        try:
            for batch in reader:
                import pyarrow as pa

                table = pa.Table.from_batches([batch])
                articles = table.select(list(ARTICLE_COLUMNS))
                tagged = table.filter(table["topic"].is_valid())
                tag_rows = pa.table(
                    {
                        "article_id": tagged["article_id"],
                        "topic": tagged["topic"],
                        "hits": pa.array([1] * tagged.num_rows, pa.int32()),
                    }
                )
                if writer is None:
                    writer = pq.ParquetWriter(path, articles.schema)
                    topics = pq.ParquetWriter(topics_path, tag_rows.schema)
                writer.write_table(articles)
                topics.write_table(tag_rows)
        finally:
            if writer is not None:
                writer.close()
                topics.close()
    finally:
        con.close()
    return path, topics_path


def load_articles(
    con,
    n: int,
    *,
    with_bodies: bool = False,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    chunk: int = 1_000_000,
) -> int:
    """Insert ``n`` synthetic rows into ``articles`` and their topics into ``article_topics``.

    ``con`` is a connection from :func:`policykit.store.connect` (the schema must exist);
    the rows are the same as :func:`write_articles_parquet` writes. Inserted in chunks of
    ``chunk`` rows so memory stays flat (the trends benchmark loads 10M rows this way).
    Returns ``n``.
    """
    _check_size(n)
    con = con.cursor()  # its own result and registrations; the caller's connection is untouched
    params = _bench_params(con, seed, with_bodies, start, years, n)
    columns = ", ".join(ARTICLE_COLUMNS)
    sql = _bench_sql()
    for lo in range(0, n, chunk):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE bench_chunk AS {sql}",  # fixed text from the package
            params | {"lo": lo, "hi": min(n, lo + chunk)},
        )
        con.execute(f"INSERT INTO articles ({columns}) SELECT {columns} FROM bench_chunk")  # noqa: S608
        con.execute(
            "INSERT INTO article_topics (article_id, topic, hits) "
            "SELECT article_id, topic, 1 FROM bench_chunk WHERE topic IS NOT NULL"
        )
    con.execute("DROP TABLE IF EXISTS bench_chunk")
    con.close()
    return n


# `pk.demo(...)` must keep working once this module is imported (see policykit/__init__.py).
_callable_module(__name__)
