"""Topics: named boolean queries (``topics.yml``) materialised in ``article_topics``.

``topics.yml`` maps a topic name to a query in the language of
:mod:`policykit.enrich.query`, either directly or with a label::

    facial_recognition:
      label: Facial recognition
      query: '"facial recognition" OR "face recognition" OR clearview'
    internet_shutdowns: '"internet shutdown*" OR "internet ban*"'

Topic names are identifiers (letters, digits, ``_`` and ``-``, starting with a
letter). A YAML error names its line and column; a query error names the topic and the
column: ``topics.yml: topic 'surveillance': unexpected ')' at column 17``.

The definitions in force are data: they live in the database (``topic_definitions``,
migration 003) with their source and the sha256 of their bytes, and a plain ``ingest``
or ``enrich`` tags new articles with them. A database gets its first definitions from
the project's file (``Settings.topics`` / ``POLICYKIT_TOPICS`` / ``topics = ...`` in
``policykit.toml``, else ``./topics.yml``), else the shipped example (``data/topics.yml``,
source ``shipped``). Only an explicit file (``--topics FILE``, ``topics refresh``)
replaces them, and the change is reported (:func:`describe_change`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import yaml

from ..errors import ConfigError, QueryError
from .query import compile_hits, compile_query

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class Topic:
    name: str
    query: str
    label: str
    where: str
    where_params: tuple[str, ...]
    hits: str
    hits_params: tuple[str, ...]


def shipped_topics_path() -> Path:
    return Path(str(resources.files("policykit") / "data" / "topics.yml"))


def _yaml_error(source: str, exc: yaml.YAMLError) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return ConfigError(f"{source}: invalid YAML{where}: {problem}")


def parse_topics(text: str, source: str = "topics.yml") -> list[Topic]:
    """Parse the text of a topics file; every error is one line naming ``source``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(source, exc) from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a mapping of topic name to query, got a {type(data).__name__}"
        )
    topics = []
    for name, spec in data.items():
        name = str(name)
        if not _NAME_RE.match(name):
            raise ConfigError(
                f"{source}: topic name {name!r} is not an identifier "
                "(letters, digits, '_' and '-', starting with a letter)"
            )
        label = name.replace("_", " ").capitalize()
        if isinstance(spec, dict):
            unknown = set(spec) - {"query", "label"}
            if unknown:
                raise ConfigError(
                    f"{source}: topic {name!r}: unknown key(s) {', '.join(sorted(map(str, unknown)))};"
                    " the keys are query, label"
                )
            label = str(spec.get("label") or label)
            spec = spec.get("query")
        if not isinstance(spec, str) or not spec.strip():
            raise ConfigError(f"{source}: topic {name!r}: the query must be a non-empty string")
        topics.append(compile_topic(name, spec, label, source))
    return topics


def compile_topic(
    name: str, query: str, label: str | None = None, source: str | None = None
) -> Topic:
    """Compile one topic; a syntax error names the source, the topic and the column."""
    query = " ".join(query.split())
    try:
        where, where_params = compile_query(query)
        hits, hits_params = compile_hits(query)
    except QueryError as exc:
        prefix = f"{source}: " if source else ""
        raise QueryError(f"{prefix}topic {name!r}: {exc}") from None
    return Topic(name, query, label or name, where, tuple(where_params), hits, tuple(hits_params))


def load_topics(path: str | Path | None = None) -> list[Topic]:
    """The topics of ``path``, else of the project's file (the ``topics`` setting, else
    ``./topics.yml``), else the shipped example. This reads files only; the definitions
    a database tags with are :func:`stored_topics`."""
    return read_topic_set(path).topics


# --- definitions as data: what the database tags with ---------------------------------

SHIPPED = "shipped"


@dataclass(frozen=True)
class TopicSet:
    """A set of topic definitions with where they came from.

    ``content_hash`` is the sha256 of the definitions' bytes (for a file, the file's
    bytes, as ``ingest_runs.content_hash``); ``text`` is the YAML itself, so the stored
    definitions can be re-read without the file.
    """

    source: str
    content_hash: str
    text: str
    topics: list[Topic] = field(default_factory=list)
    version: int | None = None  # topic_definitions.version once stored
    loaded_at: object = None

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _display(path: Path) -> str:
    """The path relative to the working folder when inside it, so that two checkouts of
    the same project store (and report) the same source."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _read_bytes(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise ConfigError(f"topics file {path} does not exist or is not a file")
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"topics file {path} cannot be read: {exc.strerror or exc}") from None


def topic_set_from_text(text: str, source: str, content_hash: str | None = None) -> TopicSet:
    """Parse definitions; errors name ``source``."""
    label = "topics.yml (shipped)" if source == SHIPPED else source
    topics = parse_topics(text, label)
    digest = content_hash or _sha256(text.encode("utf-8"))
    return TopicSet(source=source, content_hash=digest, text=text, topics=topics)


def _is_shipped(path: Path) -> bool:
    try:
        return path.resolve() == shipped_topics_path().resolve()
    except OSError:
        return False


def read_topic_set(path: str | Path | None = None) -> TopicSet:
    """The definitions of ``path`` (``None``: the project's file, else the shipped ones)."""
    if path is None:
        from .. import settings

        path = settings.project_topics_file()
    if path is None or _is_shipped(Path(path)):
        data = shipped_topics_path().read_bytes()
        return topic_set_from_text(data.decode("utf-8"), SHIPPED, _sha256(data))
    path = Path(path)
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"topics file {path} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None
    return topic_set_from_text(text, _display(path), _sha256(data))


def topic_set_from_list(topics: list[Topic], source: str = "Python (a list of topics)") -> TopicSet:
    """Definitions given as compiled :class:`Topic` objects, stored as YAML text."""
    text = yaml.safe_dump(
        {t.name: {"label": t.label, "query": t.query} for t in topics},
        sort_keys=False,
        allow_unicode=True,
    )
    return TopicSet(
        source=source, content_hash=_sha256(text.encode("utf-8")), text=text, topics=list(topics)
    )


def stored_topics(con: duckdb.DuckDBPyConnection) -> TopicSet | None:
    """The definitions the database tags with (the latest ``topic_definitions`` row), or
    ``None`` when none were stored yet."""
    rows = con.execute(
        "SELECT version, source, content_hash, definitions, loaded_at FROM topic_definitions "
        "ORDER BY version DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    version, source, digest, text, loaded_at = rows[0]
    try:
        parsed = topic_set_from_text(text, source, digest)
    except (ConfigError, QueryError) as exc:
        raise ConfigError(
            f"the topic definitions stored in the database (version {version}, from "
            f"{source}) no longer parse: {exc}; load a file with `policykit topics refresh "
            "--topics FILE`"
        ) from None
    return TopicSet(
        source=source,
        content_hash=digest,
        text=text,
        topics=parsed.topics,
        version=version,
        loaded_at=loaded_at,
    )


def store_topics(con: duckdb.DuckDBPyConnection, topic_set: TopicSet) -> TopicSet:
    """Record ``topic_set`` as the definitions in force (a new version); the caller holds
    the transaction, so the definitions commit with the tags they produce."""
    version = con.execute("SELECT coalesce(max(version), 0) + 1 FROM topic_definitions").fetchall()[
        0
    ][0]
    con.execute(
        "INSERT INTO topic_definitions (version, source, content_hash, definitions, topics) "
        "VALUES (?, ?, ?, ?, ?)",
        [version, topic_set.source, topic_set.content_hash, topic_set.text, len(topic_set.topics)],
    )
    return TopicSet(
        source=topic_set.source,
        content_hash=topic_set.content_hash,
        text=topic_set.text,
        topics=topic_set.topics,
        version=version,
    )


def legacy_topics(con: duckdb.DuckDBPyConnection) -> TopicSet | None:
    """A database enriched before definitions were stored: its ``topics`` table holds the
    topics of the last refresh, which are the ones its tags came from, so keep those."""
    rows = con.execute("SELECT topic, label, query FROM topics ORDER BY topic").fetchall()
    if not rows:
        return None
    topics = []
    for name, label, query in rows:
        try:
            topics.append(compile_topic(name, query, label, "topics table"))
        except QueryError:
            return None  # cannot be re-read: fall back to the project's file
    return topic_set_from_list(topics, "topics table (before policykit stored definitions)")


@dataclass
class TopicChange:
    """What replacing one set of definitions by another changed."""

    old: TopicSet | None
    new: TopicSet
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # "name (query)" / "name (label)"
    tagged_before: int = 0
    tagged_after: int = 0
    per_topic: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return self.old is None or self.old.content_hash != self.new.content_hash


def compare(old: TopicSet | None, new: TopicSet) -> TopicChange:
    before = {t.name: t for t in old.topics} if old else {}
    after = {t.name: t for t in new.topics}
    change = TopicChange(old=old, new=new)
    change.added = [n for n in after if n not in before]
    change.removed = [n for n in before if n not in after]
    for name in after:
        if name in before:
            what = [
                part
                for part, differs in (
                    ("query", before[name].query != after[name].query),
                    ("label", before[name].label != after[name].label),
                )
                if differs
            ]
            if what:
                change.changed.append(f"{name} ({', '.join(what)})")
    return change


def describe_change(change: TopicChange) -> list[str]:
    """Lines for the user: what replaced what, and articles tagged before and after."""
    new, old = change.new, change.old
    lines = []
    if old is None:
        lines.append(
            f"topics: stored {len(new.topics)} topic definitions from {new.source} "
            f"(sha256 {new.short_hash})"
        )
    elif not change.any:
        lines.append(
            f"topics: definitions unchanged ({len(new.topics)} topics from {old.source}, "
            f"sha256 {old.short_hash})"
        )
    else:
        lines.append(
            f"topics: definitions from {new.source} (sha256 {new.short_hash}) replace those "
            f"from {old.source} (sha256 {old.short_hash})"
        )
        parts = [
            f"{label}: {', '.join(names) if names else 'none'}"
            for label, names in (
                ("added", change.added),
                ("removed", change.removed),
                ("changed", change.changed),
            )
        ]
        lines.append("  " + "; ".join(parts))
    lines.append(
        f"  articles tagged: {change.tagged_before:,} before, {change.tagged_after:,} after"
    )
    moved = [(n, b, a) for n, (b, a) in change.per_topic.items() if b != a]
    for name, before, after in moved[:_SHOWN]:
        lines.append(f"    {name}: {before:,} -> {after:,} articles")
    if len(moved) > _SHOWN:
        lines.append(f"    ... and {len(moved) - _SHOWN} more topics changed their counts")
    return lines


_SHOWN = 20  # per-topic count lines printed for a change


def topics_fingerprint(topics: list[Topic]) -> str:
    """Changes whenever a topic is added, removed, renamed or its query changes."""
    text = "\n".join(f"{t.name}\t{t.query}" for t in sorted(topics, key=lambda t: t.name))
    return hashlib.sha256(("topics-v1\n" + text).encode()).hexdigest()[:16]


def materialise(con: duckdb.DuckDBPyConnection, topics: list[Topic], pending: str) -> int:
    """Replace the article_topics rows of the articles in table ``pending`` (a fixed
    internal name) and return how many rows were written. Each topic is one vectorised
    DuckDB statement with its regular expressions bound as parameters."""
    con.execute(
        f"DELETE FROM article_topics WHERE article_id IN (SELECT article_id FROM {pending})"
    )
    # Scan only the pending articles: a temp copy of their text columns.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _topic_text AS SELECT a.article_id, a.article_key, "
        "a.title, a.summary, "
        f"a.body, a.outlet, a.domain FROM articles a JOIN {pending} p USING (article_id)"
    )
    written = 0
    for topic in topics:
        sql = (
            "INSERT INTO article_topics (article_id, topic, hits, article_key) "
            f"SELECT a.article_id, ?, {topic.hits}, a.article_key FROM _topic_text a "
            f"WHERE {topic.where}"
        )
        con.execute(sql, [topic.name, *topic.hits_params, *topic.where_params])
    written = con.execute(
        f"SELECT count(*) FROM article_topics WHERE article_id IN (SELECT article_id FROM {pending})"
    ).fetchall()[0][0]
    con.execute("DROP TABLE _topic_text")
    con.execute("DELETE FROM topics")
    con.executemany(
        "INSERT INTO topics (topic, label, query) VALUES (?, ?, ?)",
        [[t.name, t.label, t.query] for t in topics],
    )
    return int(written)


# --- what the CLI's `topics` commands show and use --------------------------------------


def refresh_source(path: str | Path | None = None, shipped: bool = False) -> Path | None:
    """The definitions ``topics refresh`` applies: ``path``, the shipped example, else the
    project's file; ``None`` (no project file) re-tags with the stored definitions."""
    if shipped and path is not None:
        raise ConfigError("give --topics FILE or --shipped, not both")
    if shipped:
        return shipped_topics_path()
    if path is not None:
        return Path(path)
    from .. import settings

    return settings.project_topics_file()


def definitions_frame(db=None, path: str | Path | None = None):
    """``(frame, title)`` for ``topics list``: the definitions the database holds (or,
    with ``path``, that file's), with article counts, source and content hash."""
    import pandas as pd

    from .. import store

    db_path = store.resolve_db_path(db)
    counts: dict[str, int] = {}
    held = None
    if db_path.exists():
        con = store.connect(db_path, read_only=True)
        try:
            counts = dict(
                con.execute("SELECT topic, count(*) FROM article_topics GROUP BY topic").fetchall()
            )
            held = stored_topics(con) if path is None else None
        finally:
            con.close()
    if held is not None:
        shown = held
        when = f", loaded {held.loaded_at:%Y-%m-%d %H:%M} UTC" if held.loaded_at else ""
        title = (
            f"Topic definitions in {db_path.name} (version {held.version}, from {held.source}, "
            f"sha256 {held.short_hash}{when})"
        )
    else:
        shown = read_topic_set(path)
        where = (
            ""
            if path is not None
            else "; not stored in the database yet, the next ingest or enrich stores them"
        )
        title = f"Topic definitions of {shown.source} (sha256 {shown.short_hash}{where})"
    frame = pd.DataFrame(
        {
            "topic": [t.name for t in shown.topics],
            "label": [t.label for t in shown.topics],
            "articles": pd.array([counts.get(t.name, 0) for t in shown.topics], dtype="int64"),
            "query": [t.query for t in shown.topics],
            "source": shown.source,
            "content_hash": shown.content_hash,
        }
    )
    return frame, title
