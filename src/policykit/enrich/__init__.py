"""Enrichment: topics, entities, citations, language and story clusters, inside DuckDB.

>>> import policykit as pk
>>> from policykit import store
>>> with store.writer("data/processed/policykit.duckdb") as con:  # doctest: +SKIP
...     pk.enrich(con)        # on a copy, swapped in at the end: readers may stay open

Stages and the tables they fill:

===========  ====================================================================
language     ``articles.language`` where the metadata had none (py3langid)
topics       ``article_topics`` (and ``topics``) from the stored topic definitions
entities     ``entities``, ``article_entities`` (via ``entity_mentions``)
citations    ``article_citations``
clusters     ``story_clusters`` (via ``article_minhash``, ``minhash_bands``,
             ``story_links``)
events       ``article_events``, ``events`` (via ``event_links``, ``event_inputs``):
             news events across outlets and headlines (:mod:`.events`)
===========  ====================================================================

Enrichment is incremental: ``enrich_state`` records, per article and stage, the
article's content hash and the stage's configuration hash; only new or changed
articles are processed, and every article is re-processed by a stage whose
configuration changed (new topic definitions, a new gazetteer). Topics run as vectorised
DuckDB statements; entities, citations, MinHash signatures and language detection run
in worker processes (``Settings.workers``; 0 means one per core).

Topic definitions are data stored in the database (``topic_definitions``): without an
explicit ``topics=``, a run tags with the stored ones, and never falls back to the
shipped example once a database has definitions (see :mod:`policykit.enrich.topics`).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import _callable_module
from .. import workers as _workers
from ..errors import ConfigError, QueryError, one_of
from ..progress import resolve as _resolve_progress
from ..store import register_once
from . import clusters as _clusters
from . import entities_spacy as _entities_spacy
from . import events as _events
from . import topics as _topics
from .entities import Gazetteer, entity_id
from .topics import Topic, TopicSet, materialise, topics_fingerprint

STAGES: tuple[str, ...] = (
    "language", "topics", "entities", "citations", "clusters", "events",
)  # fmt: skip
#: A *weak* recogniser name (no evidence in its own article: no title, role, apposition,
#: known given name, mid-sentence position...) is kept only when this many articles
#: have it; names with evidence are kept from one article (see enrich/entities.py).
MIN_DF = 3
#: Bump when the rules change so that every article is re-processed.
_VERSIONS = {"language": "1", "entities": "4", "citations": "1"}
_FETCH = 20_000  # articles read from DuckDB at a time
_TASK = 500  # articles per worker task
_POOL_MIN = 2_000  # below this many articles, work in-process
#: The clock of the per-stage timings (a test injects its own).
_clock = time.perf_counter

__all__ = ["STAGES", "EnrichReport", "enrich"]


@dataclass
class EnrichReport:
    """What a run did: articles processed and seconds spent per stage, rows in each table.

    ``seconds`` is wall-clock time per stage. The Python stages (language, entities,
    citations, clusters) share one pass over the article text: each stage is charged its
    own statements (finding its pending articles, deleting and inserting its rows, its
    rebuild) plus a share of the pass in proportion to the time its own code took on the
    articles in the workers (the entity scan that citations reuse is charged to entities).
    The seconds of the stages add up to the run's time.
    """

    processed: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    #: The topic definitions used (as stored in the database) and, when they were
    #: stored or replaced by this run, what changed.
    topic_set: TopicSet | None = None
    topic_change: _topics.TopicChange | None = None
    #: One-line notices for the user (e.g. a project topics.yml that was not applied).
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = list(self.notes)
        if self.topic_change is not None:
            lines += _topics.describe_change(self.topic_change)
        for stage in STAGES:
            if stage in self.processed:
                lines.append(
                    f"{stage:<10} {self.processed[stage]:>9,} articles processed "
                    f"in {self.seconds.get(stage, 0.0):.2f} s"
                )
        lines.append(", ".join(f"{t}: {n:,}" for t, n in self.rows.items()))
        return "\n".join(lines)


def _sql(name: str) -> str:
    return _clusters.sql(name)


def _statements(name: str) -> list[str]:
    """The statements of a SQL file (separated by a semicolon at the end of a line)."""
    code = "\n".join(line for line in _sql(name).splitlines() if not line.lstrip().startswith("--"))
    return [s for s in code.split(";\n") if s.strip()]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _check_stages(stages) -> tuple[str, ...]:
    if stages is None:
        return STAGES
    if isinstance(stages, str):
        stages = [stages]
    for stage in stages:
        if stage not in STAGES:
            raise ConfigError(one_of("stage", stage, STAGES))
    return tuple(s for s in STAGES if s in stages)  # run in dependency order


def _pending(con: duckdb.DuckDBPyConnection, stage: str, config: str) -> int:
    """Create temp table ``_pending_<stage>`` of stale articles; return its size."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _pending_{stage} AS {_sql('pending.sql')}",
        {"stage": stage, "config": config},
    )
    return con.execute(f"SELECT count(*) FROM _pending_{stage}").fetchall()[0][0]


def _mark_done(con: duckdb.DuckDBPyConnection, stage: str, config: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO enrich_state (article_id, stage, content_hash, config_hash) "
        f"SELECT article_id, ?, content_hash, ? FROM _pending_{stage}",
        [stage, config],
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list):
    """Insert rows: tuples, or Arrow record batches with these columns (from the workers)."""
    if not rows:
        return
    if isinstance(rows[0], pa.RecordBatch):
        data = pa.Table.from_batches(rows).select(columns)
    else:
        data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    register_once(con, "_rows", data)
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _rows"
    )
    con.unregister("_rows")


def _load_gazetteer(gazetteer) -> Gazetteer:
    if isinstance(gazetteer, Gazetteer):
        return gazetteer
    if gazetteer is None:
        from .. import settings

        gazetteer = settings.load().gazetteer
    return Gazetteer.load(gazetteer)


def _given_topics(topics) -> TopicSet:
    """The definitions named explicitly by the caller."""
    if isinstance(topics, TopicSet):
        return topics
    if isinstance(topics, list | tuple):
        for t in topics:
            if not isinstance(t, Topic):
                raise ConfigError(f"topics {t!r} is not a Topic; pass a path to topics.yml")
        return _topics.topic_set_from_list(list(topics))
    if not isinstance(topics, str | Path):
        raise ConfigError(f"topics {topics!r} is not a path to a topics file or a list of topics")
    return _topics.read_topic_set(topics)


def _choose_topics(con, topics, notes: list[str]) -> tuple[TopicSet, bool]:
    """The definitions to tag with, and whether they must be stored (new or replaced).

    Explicit ``topics`` replace the stored definitions (when they differ). Without them
    the stored definitions win; a database without any takes the project's file (the
    ``topics`` setting, else ./topics.yml), else the shipped example. A project file that
    differs from the stored definitions is reported in ``notes``, never applied silently.
    """
    stored = _topics.stored_topics(con)
    if topics is not None:
        given = _given_topics(topics)
        if stored is not None and stored.content_hash == given.content_hash:
            return stored, False
        return given, True
    if stored is not None:
        from .. import settings

        project = settings.project_topics_file()
        if project is not None:
            try:
                digest = _topics.read_topic_set(project).content_hash
            except (ConfigError, QueryError) as exc:
                notes.append(f"topics: {exc}; tagging with the stored definitions")
                return stored, False
            if digest != stored.content_hash:
                shown = _topics._display(Path(project))
                notes.append(
                    f"topics: {shown} differs from the stored topic definitions (from "
                    f"{stored.source}, sha256 {stored.short_hash}); kept the stored ones; "
                    f"run `policykit topics refresh --topics {shown}` to use it"
                )
        return stored, False
    legacy = _topics.legacy_topics(con)
    if legacy is not None:
        return legacy, True
    return _topics.read_topic_set(None), True


def _tagged(con) -> tuple[int, dict[str, int]]:
    total = con.execute("SELECT count(DISTINCT article_id) FROM article_topics").fetchall()[0][0]
    per = dict(con.execute("SELECT topic, count(*) FROM article_topics GROUP BY 1").fetchall())
    return int(total), per


def enrich(
    con: duckdb.DuckDBPyConnection,
    *,
    topics: str | Path | list[Topic] | None = None,
    gazetteer: str | Path | Gazetteer | None = None,
    stages=None,
    progress=False,
    workers: int | None = None,
    min_df: int = MIN_DF,
    entities: str = "builtin",
) -> EnrichReport:
    """Bring the enrichment tables up to date with the articles.

    Parameters
    ----------
    con : an open read-write policykit connection: ``store.writer(db)`` (a copy swapped
        in at the end, beside readers) or ``policykit.connect()`` (in place).
    topics : a topics.yml path or a list of compiled topics: these replace the topic
        definitions stored in the database (the change is in ``report.topic_change``).
        Default: the stored definitions; a database without any stores those of the
        ``topics`` setting, else ./topics.yml, else the shipped example.
    gazetteer : a user gazetteer CSV (``name,type,aliases``) extending the shipped one
        (default: ``Settings.gazetteer``).
    stages : the stages to run (default all): language, topics, entities, citations,
        clusters.
    progress : what to show on stderr while it runs (see :mod:`policykit.progress`):
        ``False`` (default) nothing; ``True`` a bar on a terminal, else a line of counts
        (articles per stage) every 5 s; ``"bar"``, ``"lines"`` or a callable.
    workers : worker processes for the Python stages (default ``Settings.workers``;
        0 means one per core).
    min_df : minimum number of articles for a weak recogniser name (one without evidence
        in its own article); names with evidence need one.
    entities : the recogniser for names not in the gazetteer: ``"builtin"`` (default,
        offline, no model) or ``"spacy"`` / ``"spacy:MODEL"`` (spaCy and the model must
        be installed; see :mod:`policykit.enrich.entities_spacy`).
    """
    run = _check_stages(stages)
    meter = _resolve_progress(progress)
    if not isinstance(min_df, int) or min_df < 1:
        raise ConfigError(f"min_df {min_df!r} is not a positive integer")
    if workers is None:
        from .. import settings

        workers = settings.load().workers
    # Capped by cores and memory, and said once on stderr (as page extraction does).
    workers = _workers.worker_count(workers)
    report = EnrichReport()
    topic_set, store_it = (
        _choose_topics(con, topics, report.notes) if "topics" in run else (None, False)
    )
    topic_list = topic_set.topics if topic_set is not None else []
    gaz = _load_gazetteer(gazetteer) if {"entities", "citations"} & set(run) else None
    backend, model = _entities_spacy.parse_backend(entities)
    if gaz is not None and backend == "spacy":
        # Loaded here first, so a missing spaCy or model is one line before any work.
        gaz = replace(gaz, recogniser=_entities_spacy.version(model))

    for statement in _statements("prune.sql"):
        con.execute(statement)

    listed = gaz.fingerprint() if gaz else ""  # (sorts every entry: once)
    configs = {
        "language": _hash("language", _VERSIONS["language"]),
        "topics": topics_fingerprint(topic_list),
        "entities": _hash("entities", _VERSIONS["entities"], listed, str(min_df)),
        "citations": _hash("citations", _VERSIONS["citations"], listed),
        "clusters": _clusters.config_fingerprint(),
        "events": _events.config_fingerprint(),
    }

    if "topics" in run:
        started = _clock()
        step = meter.stage("topics", unit="articles", group="enrich")
        n = _pending(con, "topics", configs["topics"])
        step.set(total=n)
        con.execute("BEGIN TRANSACTION")
        try:
            change = None
            if store_it or topics is not None:
                before, per_before = _tagged(con)
                change = _topics.compare(_topics.stored_topics(con), topic_set)
            if store_it:
                # The definitions commit with the tags they produce, or not at all.
                topic_set = _topics.store_topics(con, topic_set)
                change.new = topic_set
            materialise(con, topic_list, "_pending_topics")
            _mark_done(con, "topics", configs["topics"])
            if change is not None:
                after, per_after = _tagged(con)
                change.tagged_before, change.tagged_after = before, after
                names = dict.fromkeys([*per_before, *per_after, *(t.name for t in topic_list)])
                change.per_topic = {
                    name: (per_before.get(name, 0), per_after.get(name, 0)) for name in names
                }
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            step.close()
            raise
        report.topic_set = topic_set
        report.topic_change = change
        report.processed["topics"] = n
        report.seconds["topics"] = _clock() - started
        step.finish(done=n, topics=len(topic_list))

    python_stages = [s for s in ("language", "entities", "citations", "clusters") if s in run]
    if python_stages:
        _run_python_stages(con, python_stages, configs, gaz, workers, min_df, report, meter)

    if "events" in run:
        _run_events(con, configs["events"], report, meter)

    for table in (
        "article_topics",
        "entities",
        "article_entities",
        "article_citations",
        "story_clusters",
        "events",
    ):
        report.rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return report


def _run_events(con, config: str, report: EnrichReport, meter) -> None:
    """News events (:mod:`.events`): a run with nothing new reads and writes nothing."""
    started = _clock()
    step = meter.stage("events", unit="articles", group="enrich")
    n = _pending(con, "events", config)
    step.set(total=n)
    con.execute("BEGIN TRANSACTION")
    try:
        done = _events.update(con, n, progress=lambda weeks: step.set(weeks=weeks))
        _mark_done(con, "events", config)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        step.close()
        raise
    report.processed["events"] = n
    report.seconds["events"] = _clock() - started
    step.finish(done=n, weeks=done["blocks"])


class _StageClock:
    """Wall-clock seconds charged to stages (see :class:`EnrichReport`): ``charge(stage)``
    times a block for one stage, ``charge()`` for all of them (split at the end in
    proportion to the stages' own work in the workers)."""

    def __init__(self, stages):
        self.seconds = dict.fromkeys(stages, 0.0)
        self.work = dict.fromkeys(stages, 0.0)  # the stages' own code, in the workers
        self.shared = 0.0

    @contextlib.contextmanager
    def charge(self, stage: str | None = None):
        started = _clock()
        try:
            yield
        finally:
            spent = _clock() - started
            if stage not in self.seconds:  # all stages, or one not run (nothing to do)
                self.shared += spent
            else:
                self.seconds[stage] += spent

    def split(self) -> dict[str, float]:
        total = sum(self.work.values())
        n = len(self.seconds)
        return {
            stage: own + self.shared * (self.work[stage] / total if total else 1 / n)
            for stage, own in self.seconds.items()
        }


def _run_python_stages(con, stages, configs, gaz, workers, min_df, report, progress) -> None:
    clock = _StageClock(stages)
    counts = {}
    for s in stages:
        with clock.charge(s):
            counts[s] = _pending(con, s, configs[s])
    if "language" in stages:
        with clock.charge("language"):
            # Only articles without a language from their metadata are detected.
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _detect_language AS SELECT p.article_id FROM "
                "_pending_language p JOIN articles a USING (article_id) WHERE a.language IS NULL"
            )
    flags = {
        s: (f"_pending_{s}" if s != "language" else "_detect_language")
        for s in ("entities", "citations", "clusters", "language")
    }
    parts = [f"SELECT article_id FROM {flags[s]}" for s in stages]
    flag_sql = ", ".join(
        f"article_id IN (SELECT article_id FROM {flags[s]})" if s in stages else "false"
        for s in ("entities", "citations", "clusters", "language")
    )
    with clock.charge():
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _py_pending AS SELECT row_number() OVER "
            f"(ORDER BY article_id) AS rn, article_id FROM ({' UNION '.join(parts)})"
        )
        total = con.execute("SELECT count(*) FROM _py_pending").fetchall()[0][0]
        con.execute("BEGIN TRANSACTION")
    step = progress.stage("+".join(stages), total=total, unit="articles", group="enrich")
    try:
        if "entities" in stages:
            with clock.charge("entities"):
                for table in ("entity_mentions", "entity_spans"):
                    con.execute(
                        f"DELETE FROM {table} WHERE article_id IN "
                        "(SELECT article_id FROM _pending_entities)"
                    )
        if "citations" in stages:
            with clock.charge("citations"):
                con.execute(
                    "DELETE FROM article_citations WHERE article_id IN "
                    "(SELECT article_id FROM _pending_citations)"
                )
        if "clusters" in stages:
            with clock.charge("clusters"):
                for table in ("article_minhash", "minhash_bands"):
                    con.execute(
                        f"DELETE FROM {table} WHERE article_id IN "
                        "(SELECT article_id FROM _pending_clusters)"
                    )
                con.execute(
                    "DELETE FROM story_links WHERE article_a IN (SELECT article_id FROM "
                    "_pending_clusters) OR article_b IN (SELECT article_id FROM _pending_clusters)"
                )
        results = _process_all(con, total, flag_sql, gaz, workers, step, stages)
        while True:
            with clock.charge():  # reading articles, waiting for the workers
                result = next(results, None)
            if result is None:
                break
            for stage, spent in result.pop("seconds", ()):
                if stage in clock.work:
                    clock.work[stage] += spent
            with clock.charge("entities"):
                _insert(
                    con,
                    "entity_mentions",
                    ["article_id", "entity_id", "name", "type", "origin", "mentions", "strong"],
                    result["entities"],
                )
                _insert(
                    con,
                    "entity_spans",
                    ["article_id", "entity_id", "field", "span_start", "span_end"],
                    result["entity_spans"],
                )
            with clock.charge("citations"):
                _insert(
                    con,
                    "article_citations",
                    ["article_id", "cited", "pattern"],
                    result["citations"],
                )
            with clock.charge("clusters"):
                _insert(con, "article_minhash", ["article_id", "signature"], result["minhash"])
                _insert(con, "minhash_bands", ["article_id", "band", "bucket"], result["bands"])
            if result["language"]:
                with clock.charge("language"):
                    data = pa.table(
                        {
                            "article_id": [r[0] for r in result["language"]],
                            "language": [r[1] for r in result["language"]],
                        }
                    )
                    register_once(con, "_langs", data)
                    con.execute(
                        "UPDATE articles SET language = l.language FROM _langs l "
                        "WHERE articles.article_id = l.article_id AND l.language IS NOT NULL"
                    )
                    con.unregister("_langs")
        if "entities" in stages:
            with clock.charge("entities"):
                if counts["entities"] or _stale_entities(con):
                    _rebuild_entities(con, gaz, min_df)
        if "citations" in stages:
            with clock.charge("citations"):
                _resolve_citations(con)
        if "clusters" in stages:
            with clock.charge("clusters"):
                _build_clusters(con, counts["clusters"])
        for stage in stages:
            with clock.charge(stage):
                _mark_done(con, stage, configs[stage])
        with clock.charge():
            con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        step.close()
        raise
    step.finish(done=total)
    for stage, seconds in clock.split().items():
        report.processed[stage] = counts[stage]
        report.seconds[stage] = seconds


#: The flag columns of a fetched row (after id, title, summary, body), in order.
_FLAGS = ("entities", "citations", "clusters", "language")


def _process_all(con, total, flag_sql, gaz, workers, step, stages=()):
    """Yield worker results, reading the pending articles in blocks; each task done
    advances ``step`` by its articles, with the articles of each stage among them."""
    from . import _work

    pool = None
    if workers > 1 and total >= _POOL_MIN:
        import multiprocessing

        # fork where the platform has it: workers need no re-import and, unlike spawn,
        # do not re-run the caller's script (a script without `if __name__ ==
        # "__main__":` would otherwise start enrichment again in every worker). The
        # workers only run pure Python and numpy, never DuckDB, so the parent's DuckDB
        # threads are no hazard. Elsewhere (macOS, Windows) spawn is used.
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        # Each worker dies with this process (PR_SET_PDEATHSIG), then loads the gazetteer.
        init, initargs = _workers.initializer(_work.init, gaz)
        pool = ctx.Pool(workers, initializer=init, initargs=initargs)
    else:
        _work.init(gaz)
    try:
        for start in range(1, total + 1, _FETCH):
            rows = con.execute(
                "SELECT a.article_id, a.title, a.summary, a.body, "
                f"{flag_sql} FROM _py_pending p JOIN articles a USING (article_id) "
                "WHERE p.rn BETWEEN ? AND ? ORDER BY p.rn",
                [start, start + _FETCH - 1],
            ).fetchall()
            tasks = [rows[i : i + _TASK] for i in range(0, len(rows), _TASK)]
            results = pool.imap(_work.process, tasks) if pool else map(_work.process, tasks)
            merged: dict[str, list] = {}
            for task, result in zip(tasks, results, strict=True):
                for key, value in result.items():
                    merged.setdefault(key, []).extend(value)
                if step.enabled:
                    per_stage = {
                        name: sum(1 for row in task if row[4 + i])
                        for i, name in enumerate(_FLAGS)
                        if name in stages
                    }
                    step.advance(len(task), **per_stage)
            yield merged
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def _stale_entities(con) -> bool:
    """Entities need rebuilding when articles were deleted since the last build."""
    return bool(
        con.execute(
            "SELECT count(*) FROM article_entities WHERE article_id NOT IN (SELECT article_id FROM articles)"
        ).fetchall()[0][0]
    )


def _rebuild_entities(con, gaz: Gazetteer | None, min_df: int) -> None:
    entries = list(gaz.entries.values()) if gaz else []
    data = pa.table(
        {
            "entity_id": pa.array([entity_id(e.name) for e in entries], pa.string()),
            "name": pa.array([e.name for e in entries], pa.string()),
            "type": pa.array([e.type for e in entries], pa.string()),
            "aliases": pa.array([list(e.aliases) for e in entries], pa.list_(pa.string())),
            "origin": pa.array([e.origin for e in entries], pa.string()),
        }
    )
    register_once(con, "_gazetteer", data)
    try:
        for statement in _statements("entities_rebuild.sql"):
            con.execute(statement, {"min_df": min_df} if "$min_df" in statement else None)
    finally:
        con.unregister("_gazetteer")


def _resolve_citations(con) -> None:
    """Resolve cited names to outlets: the outlet registry first, then the outlets table."""
    from .citations import registry_resolver

    resolve = registry_resolver()
    if resolve is not None:
        names = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT cited FROM article_citations WHERE cited_domain IS NULL"
            ).fetchall()
        ]
        mapping = [(n, *hit) for n in names if (hit := resolve(n)) is not None]
        if mapping:
            data = pa.table(
                {k: [m[i] for m in mapping] for i, k in enumerate(["cited", "name", "domain"])}
            )
            register_once(con, "_resolved", data)
            con.execute(
                "UPDATE article_citations SET cited = r.name, cited_domain = r.domain FROM _resolved r "
                "WHERE article_citations.cited = r.cited AND article_citations.cited_domain IS NULL"
            )
            con.unregister("_resolved")
    con.execute(_sql("citations_resolve.sql"))


def _build_clusters(con, pending: int) -> None:
    need = (
        pending
        or con.execute(
            "SELECT (SELECT count(*) FROM story_clusters) <> (SELECT count(*) FROM articles)"
        ).fetchall()[0][0]
    )
    if not need:
        return
    if pending:
        _clusters.link_minhash(con)
        values = {"min_words": _clusters.MIN_TITLE_WORDS, "window_hours": _clusters.WINDOW_HOURS}
        for statement in _statements("title_links.sql"):
            params = {k: v for k, v in values.items() if f"${k}" in statement}
            con.execute(statement, params or None)
    links = con.execute("SELECT article_a, article_b, method FROM story_links").fetchall()
    comp = _clusters.components(links)
    data = pa.table(
        {
            "article_id": pa.array(list(comp), pa.string()),
            "root": pa.array([v[0] for v in comp.values()], pa.string()),
            "method": pa.array([v[1] for v in comp.values()], pa.string()),
        }
    )
    register_once(con, "_components", data)
    try:
        for statement in _statements("clusters_rebuild.sql"):
            con.execute(statement)
    finally:
        con.unregister("_components")


# `pk.enrich(...)` must keep working once this module is imported (see policykit/__init__.py).
_callable_module(__name__)
