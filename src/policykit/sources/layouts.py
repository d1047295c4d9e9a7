"""Known scraper layouts, field mappings and the vectorised field extraction.

A *layout* says which source fields fill which staging field (``url``, ``title``,
``summary``, ``body``, ``authors``, ``published``, ``outlet``, ``language``,
``scraped_at``, ``tags``). Known layouts are recognised from the field names alone; any
other layout loads through a mapping (``--map published=TIMESTAMP`` or a YAML spec beside
the file). See ``docs/layouts.md``.

The field extraction itself (:class:`~policykit.sources.extraction.Projector`) is in
:mod:`policykit.sources.extraction`.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..errors import ConfigError, SourceError


class LayoutError(SourceError, ConfigError):
    """A file whose layout is unknown and that has no mapping: that file fails (one reject
    naming it and a ``--map`` example), the other files of the run still load.

    A SourceError (the file's fault, so ingest goes on) and, for callers of the readers
    that caught it before, still a ConfigError (the fix is a mapping)."""


#: The staging fields a layout or mapping can fill.
STAGING_FIELDS: tuple[str, ...] = (
    "url",
    "title",
    "summary",
    "body",
    "authors",
    "published",
    "outlet",
    "language",
    "scraped_at",
    "tags",
)

#: Friendly names accepted on the left of ``--map`` and in YAML specs.
FIELD_ALIASES: dict[str, str] = {
    "published_at": "published",
    "date": "published",
    "publish_date": "published",
    "text": "body",
    "content": "body",
    "source": "outlet",
    "publisher": "outlet",
    "site": "outlet",
    "author": "authors",
    "description": "summary",
    "link": "url",
    "headline": "title",
    "lang": "language",
    "keywords": "tags",
    "crawled_at": "scraped_at",
}

LAYOUT_NAMES: tuple[str, ...] = (
    "news-please",
    "trafilatura",
    "newspaper4k",
    "mediacloud",
    "gdelt",
    "scrapy",
    "generic",
    "url-list",
    "mapped",
)

#: Values that mean "no value" in scraper output (newspaper writes '' and 'set()').
EMPTY_VALUES: tuple[str, ...] = ("", "[]", "{}", '[""]', "set()", "null", "None")

#: Characters trimmed before a value is compared with EMPTY_VALUES.
BLANK_CHARS = " \t\r\n\x0b\x0c"

PAYLOAD_CAP = 65_536
#: Marks a JSON path whose value counts only when it looks like a URL.
URL_CHECK = "?"
#: Marks an outlet path from a host-kind field (domain, hostname, ...url): its value counts
#: only when it is a host name or URL; otherwise it is ignored (and counted) and the
#: record's URL host decides the outlet. ``"domain": "a"`` is not an outlet.
HOST_CHECK = "@"
#: A value that starts like a URL (http(s)://, //, www.).
_URLISH = r"^\s*(https?://|//|www\.)"
#: The staging fields the ingest output reports the source of, with their shown names.
REPORTED_FIELDS: dict[str, str] = {
    "url": "url",
    "title": "title",
    "published": "published_at",
    "outlet": "outlet",
}

SPEC_NAMES: tuple[str, ...] = ("policykit.yml", "policykit.yaml")
SPEC_SUFFIXES: tuple[str, ...] = (".policykit.yml", ".policykit.yaml")
SPEC_KEYS: tuple[str, ...] = ("map", "columns", "format")


def norm_key(name: str) -> str:
    """Compare field names loosely: 'Publish Date', 'publish_date', 'publishDate' agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Layout:
    """A known layout: how to recognise it, and where each staging field comes from."""

    name: str
    #: the layout matches when every key of one of these sets is present (loosely compared)
    signatures: tuple[frozenset[str], ...]
    #: staging field -> candidate source fields, best first (loosely compared)
    fields: dict[str, tuple[str, ...]]
    #: match the signatures on the exact field names instead of the loose form
    exact: bool = False

    def matches(self, keys: Iterable[str]) -> bool:
        present = set(keys) if self.exact else {norm_key(k) for k in keys}
        return any(signature <= present for signature in self.signatures)

    def resolve(self, keys: list[str]) -> dict[str, list[str]]:
        """Staging field -> the file's actual field names, best first."""
        actual: dict[str, str] = {}
        for key in keys:
            actual.setdefault(norm_key(key), key)
        out: dict[str, list[str]] = {}
        for staging, candidates in self.fields.items():
            found = [actual[c] for c in candidates if c in actual]
            if found:
                out[staging] = list(dict.fromkeys(found))
        return out

    def resolve_paths(self, keys: list[str]) -> dict[str, list[str]]:
        """Like :meth:`resolve`, as JSON paths; fallback URL fields are marked for a URL check
        and host-kind outlet fields for a host check."""
        primary_url = {norm_key(c) for c in self.fields.get("url", ())[:1]}
        paths: dict[str, list[str]] = {}
        for staging, found in self.resolve(keys).items():
            paths[staging] = [
                (URL_CHECK if staging == "url" and norm_key(k) not in primary_url else "")
                + (HOST_CHECK if staging == "outlet" and is_host_field(k) else "")
                + json_path(k)
                for k in found
            ]
        return paths


def is_host_field(name: str) -> bool:
    """A field whose value should be a host name or URL: domain, hostname, media_url..."""
    key = norm_key(name)
    if key == "sourcehostname":
        return False  # trafilatura writes the site *name* there ("Tech Policy Example")
    return "domain" in key or "host" in key or key.endswith("url")


def _sig(*groups: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(group.split()) for group in groups)


# Field lists are facts about each tool's output (see docs/layouts.md for sources).
_GENERIC_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "articleurl", "permalink", "href", "canonicalurl"),
    "title": ("title", "headline", "name"),
    "summary": ("summary", "description", "excerpt", "lead", "teaser", "abstract", "subtitle"),
    "body": ("text", "content", "body", "articlebody", "maintext", "fulltext"),
    "authors": ("authors", "author", "byline", "creator", "writer"),
    "published": (
        "published",
        "publishedat",
        "pubdate",
        "publishdate",
        "datepublished",
        "publicationdate",
        "date",
        "datetime",
        "timestamp",
        "time",
        "created",
        "createdat",
    ),
    "outlet": (
        "outlet",
        "publisher",
        "source",
        "sourcename",
        "sitename",
        "site",
        "domain",
        "media",
        "medianame",
    ),
    "language": ("language", "lang", "locale", "inlanguage"),
    "scraped_at": (
        "scrapedat",
        "crawledat",
        "fetchedat",
        "downloadedat",
        "retrievedat",
        "crawltime",
        "scrapetime",
        "scraped",
        "crawled",
    ),
    "tags": ("tags", "keywords", "categories", "category", "section", "topics"),
}

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "news-please",
        _sig("maintext", "datepublish sourcedomain", "datedownload sourcedomain"),
        {
            "url": ("url",),
            "title": ("title", "titlepage", "titlerss"),
            "summary": ("description",),
            "body": ("maintext", "text"),
            "authors": ("authors",),
            "published": ("datepublish", "datemodify"),
            "outlet": ("sourcedomain",),
            "language": ("language",),
            "scraped_at": ("datedownload",),
        },
    ),
    Layout(
        "trafilatura",
        _sig("sourcehostname", "fingerprint rawtext", "fingerprint hostname"),
        {
            "url": ("source", "url"),
            "title": ("title",),
            "summary": ("excerpt", "description"),
            "body": ("text", "rawtext"),
            "authors": ("author",),
            "published": ("date",),
            "outlet": ("sitename", "sourcehostname", "hostname"),
            "language": ("language",),
            "scraped_at": ("filedate",),
            "tags": ("tags", "categories"),
        },
    ),
    Layout(
        "newspaper4k",
        _sig("canonicallink publishdate", "metasitename", "metalang publishdate"),
        {
            "url": ("url", "canonicallink"),
            "title": ("title",),
            "summary": ("metadescription", "summary"),
            "body": ("text", "textcleaned"),
            "authors": ("authors",),
            "published": ("publishdate",),
            "outlet": ("metasitename",),
            "language": ("language", "metalang"),
            "tags": ("tags", "keywords"),
        },
    ),
    Layout(
        "mediacloud",
        _sig("storiesid publishdate", "medianame publishdate", "indexeddate publishdate"),
        {
            "url": ("url",),
            "title": ("title",),
            "published": ("publishdate",),
            "outlet": ("medianame", "mediaurl"),
            "language": ("language",),
            "scraped_at": ("indexeddate", "collectdate"),
            "tags": ("tags",),
        },
    ),
    Layout(
        "gdelt",
        _sig("seendate", "mobileurl", "urlmobile"),
        {
            "url": ("url",),
            "title": ("title",),
            "published": ("seendate", "date"),
            "outlet": ("domain",),
            "language": ("language",),
        },
    ),
    Layout(
        "scrapy",
        _sig("url title", "link title", "url headline", "link headline"),
        _GENERIC_FIELDS,
        exact=True,
    ),
    Layout(
        "generic",
        tuple(frozenset([c]) for c in _GENERIC_FIELDS["url"] + _GENERIC_FIELDS["title"]),
        _GENERIC_FIELDS,
    ),
)


def detect_layout(keys: Iterable[str]) -> Layout | None:
    """The first known layout whose signature the field names match, or ``None``."""
    keys = list(keys)
    for layout in LAYOUTS:
        if layout.matches(keys):
            return layout
    return None


# --------------------------------------------------------------------------- mappings


def canonical_field(name: str) -> str:
    """A staging field name from a staging name or a friendly alias; ConfigError otherwise."""
    key = name.strip().lower()
    if key in STAGING_FIELDS:
        return key
    if key in FIELD_ALIASES:
        return FIELD_ALIASES[key]
    raise ConfigError(
        f"mapping target {name!r} is not one of {', '.join(STAGING_FIELDS)} "
        f"(aliases: {', '.join(f'{a}->{c}' for a, c in FIELD_ALIASES.items())})"
    )


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``['published=TIMESTAMP', 'outlet=PUBLISHER']`` -> a mapping dict (for the CLI)."""
    mapping: dict[str, str] = {}
    for item in items:
        target, sep, source = item.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise ConfigError(
                f"--map {item!r} is not of the form FIELD=SOURCE_FIELD, e.g. --map published=TIMESTAMP"
            )
        mapping[target.strip()] = source.strip()
    return mapping


def resolve_source_field(source: str, keys: list[str], path: str) -> str:
    """The file's field name for a mapping source: exact, then case-insensitive, then dotted.

    With no field names to check against (no readable record in the sample), the source
    is taken as written.
    """
    if source in keys or not keys:
        return source
    folded = [k for k in keys if k.lower() == source.lower()]
    if len(folded) == 1:
        return folded[0]
    head = source.split(".", 1)[0]
    if "." in source and head in keys:
        return source  # a nested path such as source.name
    shown = ", ".join(keys[:60]) + (" ..." if len(keys) > 60 else "")
    raise ConfigError(
        f"{path}: mapped source field {source!r} is not in the file; its fields are: {shown or '(none)'}"
    )


def json_path(field_name: str, nested: bool = False) -> str:
    """A DuckDB JSON path for a field name (``nested``: split on dots)."""
    parts = field_name.split(".") if nested else [field_name]
    quoted = ['"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts]
    return "$." + ".".join(quoted)


@dataclass
class LayoutReport:
    """What layout detection did for one file, for the ingest output.

    ``fields``: shown staging name (url, title, published_at, outlet) -> the source fields
    used, best first ([] = none). ``notes``: one line per column that looks like dates or
    URLs but fills nothing, with the ``--map`` that would use it. ``ignored``: values the
    readers dropped, by kind (``outlet_not_a_host``: a host-kind outlet field whose value
    is not a host name), filled while the file is read.
    """

    layout: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        """``url=link, title=headline, published_at=(none), outlet=source``."""
        parts = [
            f"{shown}={' or '.join(self.fields.get(shown) or []) or '(none)'}"
            for shown in REPORTED_FIELDS.values()
        ]
        text = ", ".join(parts)
        if self.ignored.get("outlet_not_a_host"):
            text += (
                f"; {self.ignored['outlet_not_a_host']} outlet values not a host name"
                " ignored (the URL's host decided)"
            )
        return text


@dataclass
class Resolution:
    layout: str
    #: staging field -> JSON paths, best first
    paths: dict[str, list[str]]
    report: LayoutReport | None = None


def resolve_fields(
    keys: list[str],
    path: str,
    mapping: dict[str, str] | None = None,
    spec_mapping: dict[str, str] | None = None,
    has_strings: bool = False,
    sample: pa.Table | None = None,
) -> Resolution:
    """Decide the layout of a file from its field names and the mappings.

    Precedence: explicit ``mapping`` over the YAML ``spec_mapping`` over detection. The
    mapped fields replace the detected ones; other fields still come from the detected
    layout. A file whose layout is unknown and that has no mapping raises
    :class:`LayoutError` listing its fields and a ``--map`` example. With ``sample`` (the
    first raw batch), the resolution's report names unmapped columns whose values look
    like dates or URLs.
    """
    resolution = _resolve_fields(keys, path, mapping, spec_mapping, has_strings, sample)
    resolution.report = layout_report(resolution, keys, sample)
    return resolution


def _resolve_fields(keys, path, mapping, spec_mapping, has_strings, sample) -> Resolution:
    detected = detect_layout(keys) if keys else None
    fields: dict[str, list[str]] = {}
    if detected is not None:
        fields = detected.resolve_paths(keys)
    merged: dict[str, str] = {}
    for source_map in (spec_mapping or {}, mapping or {}):
        for target, source in source_map.items():
            merged[canonical_field(str(target))] = str(source)
    if merged:
        for staging, source in merged.items():
            actual = resolve_source_field(source, keys, path)
            check = HOST_CHECK if staging == "outlet" and is_host_field(actual) else ""
            fields[staging] = [check + json_path(actual, nested=actual not in keys)]
        return Resolution("mapped", fields)
    if detected is not None:
        return Resolution(detected.name, fields)
    if not keys:
        # Records that are bare strings (a list of URLs), or no readable record at all.
        return Resolution("url-list" if has_strings else "generic", {})
    shown = ", ".join(keys[:60]) + (" ..." if len(keys) > 60 else "")
    guessed = _guess_mapping(keys, sample)
    pairs = guessed.items() if guessed else zip(("url", "title", "published"), keys, strict=False)
    example = " ".join("--map " + shlex.quote(f"{t}={k}") for t, k in pairs)
    raise LayoutError(
        f"{path}: unknown layout (fields: {shown}); say which fields to load, e.g. "
        f"{example} (fields: {', '.join(STAGING_FIELDS)}), or put a map in a "
        f"{Path(path).name}.policykit.yml beside the file"
    )


def _path_field(path: str) -> str:
    """The field name of a JSON path built by :func:`json_path` (dots for nested)."""
    path = path.lstrip(URL_CHECK + HOST_CHECK).removeprefix("$.")
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', path)
    return ".".join(p.replace('\\"', '"').replace("\\\\", "\\") for p in parts) or path


#: Share of sampled values that must look like dates (or URLs) for a note.
LOOKS_LIKE_SHARE = 0.8
_SAMPLE_VALUES = 50


def _sampled_records(raw: pa.Table, limit: int):
    """The parsed payloads of the first ``limit`` rows that the reader did not reject."""
    sample = raw.slice(0, limit)
    reasons = sample.column("reject_reason").to_pylist()
    for payload, reason in zip(sample.column("payload").to_pylist(), reasons, strict=True):
        if reason is not None or not payload:
            continue
        try:
            yield json.loads(payload)
        except (ValueError, RecursionError):  # too deep for Python: DuckDB reads it
            continue


def sample_values(raw: pa.Table | None, limit: int = _SAMPLE_VALUES) -> dict[str, list[str]]:
    """Top-level field -> up to ``limit`` non-empty scalar values from the first records."""
    values: dict[str, list[str]] = {}
    if raw is None or "payload" not in raw.column_names:
        return values
    for record in _sampled_records(raw, 4 * limit):
        if not isinstance(record, dict):
            continue
        for key, value in record.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                text = str(value).strip()
                bucket = values.setdefault(key, [])
                if text and text not in EMPTY_VALUES and len(bucket) < limit:
                    bucket.append(text)
    return values


def _share(values: list[str], test) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _looks_like_date(value: str) -> bool:
    from ..normalise import parse_published

    if len(value) > 64 or not any(c.isdigit() for c in value):
        return False
    parsed = parse_published(value)
    return parsed.value is not None or parsed.reason == "relative_without_reference"


def _looks_like_url_value(value: str) -> bool:
    return re.match(_URLISH, value, re.I) is not None


def _guess_mapping(keys: list[str], sample: pa.Table | None) -> dict[str, str]:
    """For an unknown layout's example: the columns whose sampled values look like URLs
    and dates, and the longest text column named like a headline (else the longest text)
    as the title. Empty when nothing fits (the example then lists the first columns)."""
    values = sample_values(sample)
    guess: dict[str, str] = {}
    for staging, test in (("url", _looks_like_url_value), ("published", _looks_like_date)):
        for key in keys:
            if key not in guess.values() and _share(values.get(key, []), test) >= LOOKS_LIKE_SHARE:
                guess[staging] = key
                break

    def mean_length(key: str) -> float:
        found = values.get(key, [])
        return sum(len(v) for v in found) / len(found) if found else 0.0

    # A headline has words: hashes, ids and file names do not.
    texts = [
        k
        for k in keys
        if k not in guess.values()
        and mean_length(k) >= 12
        and _share(values.get(k, []), lambda v: " " in v.strip()) >= 0.5
        and _share(values.get(k, []), _looks_like_date) < LOOKS_LIKE_SHARE
    ]
    named = [k for k in texts if re.search(r"title|headline|heading", norm_key(k))]
    if named or texts:
        guess["title"] = max(named or texts, key=mean_length)
    if "url" not in guess and "title" not in guess:
        return {}
    return {k: guess[k] for k in ("url", "title", "published") if k in guess}


def layout_report(
    resolution: Resolution, keys: list[str], sample: pa.Table | None = None
) -> LayoutReport:
    """Which source fields fill url, title, published_at and outlet, and which unmapped
    columns look like dates or URLs (with the ``--map`` that would use them)."""
    report = LayoutReport(resolution.layout, {shown: [] for shown in REPORTED_FIELDS.values()})
    used: set[str] = set()
    for staging, paths in resolution.paths.items():
        names = list(dict.fromkeys(_path_field(p) for p in paths))
        used.update(names)
        if staging in REPORTED_FIELDS:
            report.fields[REPORTED_FIELDS[staging]] = names
    if not keys or sample is None:
        return report
    wanted = [
        ("published", "published_at", "dates", _looks_like_date),
        ("url", "url", "URLs", _looks_like_url_value),
    ]
    missing = [w for w in wanted if not resolution.paths.get(w[0])]
    if not missing:
        return report  # the common case: no sampling at all
    values = sample_values(sample)
    for _staging, shown, kind, test in missing:
        for key in keys:
            if key in used or len(values.get(key, [])) == 0:
                continue
            if _share(values[key], test) >= LOOKS_LIKE_SHARE:
                report.notes.append(
                    f"column {key!r} looks like {kind} but is not loaded as {shown}; "
                    f"to use it: --map {shlex.quote(f'{shown}={key}')}"
                )
                break
    return report


# --------------------------------------------------------------------------- YAML specs


def is_spec_file(path: Path) -> bool:
    name = path.name.lower()
    return name in SPEC_NAMES or name.endswith(SPEC_SUFFIXES)


def find_spec(path: Path) -> Path | None:
    """``<file>.policykit.yml`` beside the file, else ``policykit.yml`` in its folder."""
    path = Path(path)
    for suffix in SPEC_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    for name in SPEC_NAMES:
        candidate = path.parent / name
        if candidate.is_file():
            return candidate
    return None


def load_spec(spec_path: Path) -> dict:
    """Read and check a YAML mapping spec: ``{map: {...}, columns: [...], format: csv}``."""
    import yaml

    from .formats import SUPPORTED_FORMATS

    try:
        data = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{spec_path}: cannot read the YAML spec ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{spec_path}: a spec must be a mapping with keys {', '.join(SPEC_KEYS)}")
    unknown = [k for k in data if k not in SPEC_KEYS]
    if unknown:
        raise ConfigError(f"{spec_path}: key {unknown[0]!r} is not one of {', '.join(SPEC_KEYS)}")
    spec: dict = {}
    if data.get("map") is not None:
        if not isinstance(data["map"], dict):
            raise ConfigError(f"{spec_path}: 'map' must map staging fields to source fields")
        spec["map"] = {str(k): str(v) for k, v in data["map"].items()}
    if data.get("columns") is not None:
        columns = data["columns"]
        if isinstance(columns, str):
            columns = [c.strip() for c in columns.split(",")]
        if not isinstance(columns, list) or not columns:
            raise ConfigError(f"{spec_path}: 'columns' must be a list of column names")
        spec["columns"] = [str(c) for c in columns]
    if data.get("format") is not None:
        fmt = str(data["format"]).lower()
        if fmt not in SUPPORTED_FORMATS:
            raise ConfigError(
                f"{spec_path}: format {fmt!r} is not one of {', '.join(SUPPORTED_FORMATS)}"
            )
        spec["format"] = fmt
    return spec
