"""The demo corpus's vocabulary: its outlets and topics, and the text templates.

Headlines, sentences, names and places come from ``data/demo/corpus.yml``; :class:`_Filler`
fills their ``{slot}`` placeholders from one article's private random stream, so the same
seed gives the same text. Used by the corpus plan (:mod:`policykit.demo_plan`) and the
benchmark generators (:mod:`policykit.demo_bench`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

CORPUS_FILE = Path(__file__).parent / "data" / "demo" / "corpus.yml"
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


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252: the classic 'â€™' damage (undecodable bytes kept as-is)."""
    return text.encode("utf-8").decode("cp1252", errors="replace").replace("\ufffd", "\u00a0")


def _ensure_non_ascii(text: str) -> str:
    if any(ord(ch) > 127 for ch in text):
        return text
    words = text.split(" ")
    words[-1] = f"‘{words[-1]}’"
    return " ".join(words)
