"""Topics: named boolean queries (``topics.yml``) materialised in ``article_topics``.

``topics.yml`` maps a topic name to a query in the language of
:mod:`policykit.enrich.query`, either directly or with a label::

    facial_recognition:
      label: Facial recognition
      query: '"facial recognition" OR "face recognition" OR clearview'
    internet_shutdowns: '"internet shutdown*" OR "internet ban*"'

Topic names are identifiers (letters, digits, ``_`` and ``-``, starting with a
letter). The shipped example (``data/topics.yml``) covers the tech-policy beat and is
used when no file is configured (``Settings.topics`` / ``POLICYKIT_TOPICS`` /
``--topics``). A YAML error names its line and column; a query error names the topic
and the column: ``topics.yml: topic 'surveillance': unexpected ')' at column 17``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
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
    """The topics of ``path``, else of the configured file, else the shipped example."""
    if path is None:
        from .. import settings

        path = settings.load().topics
    if path is None:
        return parse_topics(shipped_topics_path().read_text("utf-8"), "topics.yml (shipped)")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"topics file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"topics file {path} cannot be read as UTF-8 text: {exc}") from None
    return parse_topics(text, str(path))


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
        "CREATE OR REPLACE TEMP TABLE _topic_text AS SELECT a.article_id, a.title, a.summary, "
        f"a.body, a.outlet, a.domain FROM articles a JOIN {pending} p USING (article_id)"
    )
    written = 0
    for topic in topics:
        sql = (
            "INSERT INTO article_topics (article_id, topic, hits) "
            f"SELECT a.article_id, ?, {topic.hits} FROM _topic_text a WHERE {topic.where}"
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
