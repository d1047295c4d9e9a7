"""Known scraper layouts, field mappings and the vectorised field extraction.

A *layout* says which source fields fill which staging field (``url``, ``title``,
``summary``, ``body``, ``authors``, ``published``, ``outlet``, ``language``,
``scraped_at``, ``tags``). Known layouts are recognised from the field names alone; any
other layout loads through a mapping (``--map published=TIMESTAMP`` or a YAML spec beside
the file). See ``docs/layouts.md``.

Field extraction runs in an in-memory DuckDB connection over a whole batch of raw records
(JSON text): one ``json_extract_string`` call with the list of source paths per row,
then ``coalesce`` over the candidates of each staging field.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ConfigError
from . import STAGING_SCHEMA

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
        """Like :meth:`resolve`, as JSON paths; fallback URL fields are marked for a URL check."""
        primary_url = {norm_key(c) for c in self.fields.get("url", ())[:1]}
        paths: dict[str, list[str]] = {}
        for staging, found in self.resolve(keys).items():
            paths[staging] = [
                (URL_CHECK if staging == "url" and norm_key(k) not in primary_url else "")
                + json_path(k)
                for k in found
            ]
        return paths


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
class Resolution:
    layout: str
    #: staging field -> JSON paths, best first
    paths: dict[str, list[str]]


def resolve_fields(
    keys: list[str],
    path: str,
    mapping: dict[str, str] | None = None,
    spec_mapping: dict[str, str] | None = None,
    has_strings: bool = False,
) -> Resolution:
    """Decide the layout of a file from its field names and the mappings.

    Precedence: explicit ``mapping`` over the YAML ``spec_mapping`` over detection. The
    mapped fields replace the detected ones; other fields still come from the detected
    layout. A file whose layout is unknown and that has no mapping raises ConfigError
    listing its fields and a ``--map`` example.
    """
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
            fields[staging] = [json_path(actual, nested=actual not in keys)]
        return Resolution("mapped", fields)
    if detected is not None:
        return Resolution(detected.name, fields)
    if not keys:
        # Records that are bare strings (a list of URLs), or no readable record at all.
        return Resolution("url-list" if has_strings else "generic", {})
    shown = ", ".join(keys[:60]) + (" ..." if len(keys) > 60 else "")
    example = " ".join(
        "--map " + shlex.quote(f"{t}={k}")
        for t, k in zip(("url", "title", "published"), keys, strict=False)
    )
    raise ConfigError(
        f"{path}: unknown layout (fields: {shown}); say which fields to load, e.g. "
        f"{example} (fields: {', '.join(STAGING_FIELDS)}), or put a map in a "
        f"{Path(path).name}.policykit.yml beside the file"
    )


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


# --------------------------------------------------------------------------- extraction

_URLISH = r"^\s*(https?://|//|www\.)"
# An object whose values are all empty: {}, {"a": "", "b": null, "c": []}.
_EMPTY_OBJECT = r'\s*\{\s*("[^"]*"\s*:\s*(""|null|\[\s*\]|\{\s*\})\s*,?\s*)*\}\s*'

_PROJECT_SQL = """
WITH base AS (
    SELECT n, payload, reject_reason AS pre_reason, reject_detail AS pre_detail,
           reject_reason IS NULL AND (strlen(coalesce(payload, '')) = 0
               OR (list_contains([32, 9, 12, 13], ascii(payload)) AND trim(payload) = '')) AS blank
    FROM raw
), parsed AS (
    SELECT *,
           -- The first character gives the type of valid JSON without a second parse.
           CASE WHEN pre_reason IS NULL AND NOT blank AND json_valid(payload)
                THEN CASE ascii(payload) WHEN 123 THEN 'OBJECT' WHEN 34 THEN 'VARCHAR'
                     ELSE json_type(payload) END END AS jt
    FROM base
), extracted AS (
    SELECT *,
           CASE WHEN jt = 'OBJECT' THEN json_extract_string(payload, $paths) END AS v,
           CASE WHEN jt = 'VARCHAR' THEN payload ->> '$' END AS s
    FROM parsed
), fields AS (
    SELECT n, payload, pre_reason, pre_detail, blank, jt, s,
           {field_columns}
    FROM extracted
), judged AS (
    SELECT *,
           CASE
               WHEN pre_reason IS NOT NULL THEN pre_reason
               WHEN blank THEN NULL
               WHEN jt IS NULL THEN CASE WHEN n = $tail THEN 'truncated' ELSE 'malformed_json' END
               WHEN jt = 'VARCHAR' AND NOT regexp_matches(s, $urlish, 'i') THEN 'not_an_object'
               WHEN jt NOT IN ('OBJECT', 'VARCHAR') THEN 'not_an_object'
               WHEN jt = 'OBJECT' AND coalesce({all_fields}) IS NULL
                    AND regexp_full_match(payload, $empty_object)
                    THEN 'empty_record'
           END AS reason
    FROM fields
)
SELECT
    coalesce($prefix || n, 'file') AS source_locator,
    CASE WHEN strlen(payload) > $cap THEN left(payload, $cap) ELSE payload END AS payload,
    reason AS reject_reason,
    CASE
        WHEN pre_reason IS NOT NULL OR reason IS NULL THEN pre_detail
        WHEN reason = 'truncated' THEN 'the last line ends without a newline and is not valid JSON'
        WHEN reason = 'malformed_json' THEN 'not valid JSON'
        WHEN reason = 'not_an_object' THEN 'a JSON ' || CASE
            WHEN jt = 'VARCHAR' THEN 'string that is not a URL'
            WHEN jt IN ('ARRAY', 'BOOLEAN', 'NULL') THEN lower(jt)
            ELSE 'number' END || ', not an object'
        WHEN reason = 'empty_record' THEN 'the record has no values'
    END AS reject_detail,
    CASE WHEN reason IS NULL THEN url END AS url,
    CASE WHEN reason IS NULL THEN title END AS title,
    CASE WHEN reason IS NULL THEN summary END AS summary,
    CASE WHEN reason IS NULL THEN body END AS body,
    CASE WHEN reason IS NULL THEN authors END AS authors,
    CASE WHEN reason IS NULL THEN published END AS published,
    CASE WHEN reason IS NULL THEN outlet END AS outlet,
    CASE WHEN reason IS NULL THEN language END AS language,
    CASE WHEN reason IS NULL THEN scraped_at END AS scraped_at,
    CASE WHEN reason IS NULL THEN tags END AS tags,
    CASE WHEN reason IS NULL THEN 'metadata' END AS extraction_method,
    CASE WHEN reason IS NULL AND published IS NOT NULL THEN 'metadata' END AS date_source,
    CAST(NULL AS VARCHAR) AS body_missing_reason,
    blank
FROM judged
"""

_LONGEST_EMPTY = max(len(v) for v in EMPTY_VALUES)


def _value(index: int) -> str:
    # Values such as '' or 'set()' count as missing, so the next candidate can fill in.
    # (list_contains, not IN: DuckDB plans IN lists as joins, which is slower here.)
    v = f"v[{index}]"
    return (
        f"CASE WHEN strlen({v}) > {_LONGEST_EMPTY + 8} THEN {v} "
        f"WHEN list_contains($empties, trim({v}, $blanks)) THEN NULL ELSE {v} END"
    )


def build_projection_sql(paths: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The extraction SQL and the flat list of JSON paths it binds as ``$paths``.

    Only list indices are formatted into the SQL; every source field name travels as a
    bound parameter.
    """
    flat: list[str] = []
    columns = []
    for staging in STAGING_FIELDS:
        candidates = []
        for json_path_ in paths.get(staging, []):
            checked = json_path_.startswith(URL_CHECK)
            flat.append(json_path_.removeprefix(URL_CHECK))
            expr = _value(len(flat))
            if checked:
                # Fallback URL fields (canonical_link, link...) count only when they look like URLs.
                expr = f"CASE WHEN regexp_matches({expr}, $urlish, 'i') THEN {expr} END"
            candidates.append(expr)
        if staging == "url":
            candidates.append("CASE WHEN regexp_matches(s, $urlish, 'i') THEN trim(s) END")
        if not candidates:
            columns.append(f"CAST(NULL AS VARCHAR) AS {staging}")
        elif len(candidates) == 1:
            columns.append(f"{candidates[0]} AS {staging}")
        else:
            columns.append(f"coalesce({', '.join(candidates)}) AS {staging}")
    sql = _PROJECT_SQL.format(
        field_columns=",\n           ".join(columns),
        all_fields=", ".join(STAGING_FIELDS),
    )
    return sql, flat


class Projector:
    """Turns raw batches into staging batches with one DuckDB query per batch."""

    def __init__(self, paths: dict[str, list[str]], prefix: str, tail_number: int = -1):
        self.sql, self.paths = build_projection_sql(paths)
        self.prefix = prefix
        self.tail_number = tail_number
        self.blank_lines = 0
        self.con = duckdb.connect()

    def params(self) -> dict:
        values = {
            # A list with one dummy path keeps the parameter typed when nothing is mapped.
            "paths": self.paths or ["$.__policykit_none__"],
            "tail": self.tail_number,
            "prefix": self.prefix,
            "urlish": _URLISH,
            "cap": PAYLOAD_CAP,
            "empty_object": _EMPTY_OBJECT,
            "empties": list(EMPTY_VALUES),
            "blanks": BLANK_CHARS,
        }
        # DuckDB rejects parameters the statement does not use.
        return {k: v for k, v in values.items() if f"${k}" in self.sql}

    def __call__(self, raw: pa.Table) -> pa.Table:
        self.con.register("raw", raw)
        try:
            result = self.con.sql(self.sql, params=self.params()).to_arrow_table()
        finally:
            self.con.unregister("raw")
        blank = result.column("blank")
        blanks = pc.sum(blank).as_py() or 0
        if blanks:
            self.blank_lines += blanks
            result = result.filter(pc.invert(blank))
        return result.drop_columns(["blank"]).cast(STAGING_SCHEMA)

    def close(self) -> None:
        self.con.close()


def sample_keys(raw: pa.Table, limit: int = 2000) -> tuple[list[str], bool]:
    """Field names seen in the first records of a raw batch, and whether bare strings occur."""
    con = duckdb.connect()
    try:
        con.register("raw", raw.slice(0, limit))
        rows = con.execute(
            """
            WITH ok AS (
                SELECT payload, json_type(payload) AS jt
                FROM raw
                WHERE reject_reason IS NULL AND json_valid(payload)
            ), keyed AS (
                SELECT unnest(json_keys(payload)) AS key, min(rowid) AS first_seen
                FROM (SELECT payload, row_number() OVER () AS rowid FROM ok WHERE jt = 'OBJECT')
                GROUP BY key
            )
            SELECT key, (SELECT count(*) FROM ok WHERE jt = 'VARCHAR') AS strings
            FROM keyed ORDER BY first_seen, key
            """
        ).fetchall()
        keys = [r[0] for r in rows]
        if rows:
            has_strings = rows[0][1] > 0
        else:
            has_strings = (
                con.execute(
                    "SELECT count(*) FROM raw WHERE reject_reason IS NULL AND json_valid(payload) "
                    "AND json_type(payload) = 'VARCHAR'"
                ).fetchone()[0]
                > 0
            )
        return keys, has_strings
    finally:
        con.close()


def rows_to_json(con: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.Array:
    """Each row of an Arrow table as a JSON object text (vectorised in DuckDB)."""
    con.register("rows_in", table)
    try:
        result = con.sql("SELECT to_json(t) AS j FROM rows_in AS t").to_arrow_table()
    finally:
        con.unregister("rows_in")
    return result.column("j").combine_chunks()
