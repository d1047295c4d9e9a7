"""The per-article Python work of enrichment, run in worker processes.

A task is a list of rows ``(article_id, title, summary, body, do_entities, do_citations,
do_clusters, do_language)``; the result holds plain tuples, ready for Arrow, except the
entity rows (the most numerous), which come as one Arrow record batch per task under
``entities`` and ``entity_spans`` (built here in the worker, and pickled as Arrow
buffers rather than as hundreds of thousands of tuples); and under ``seconds`` the time
each stage's own code took on the task (for the per-stage timings; the entity scan
that citations reuse counts for entities when both run).
"""

from __future__ import annotations

import time

import pyarrow as pa

from .citations import find_citations
from .clusters import bands, signature
from .entities import (
    Gazetteer,
    entity_id,
    find_entities,
    person_names,
    prepare_with_map,
    span_map,
)
from .entities_spacy import find_entities_spacy
from .language import detect_language

_GAZ: Gazetteer | None = None
#: The columns of the entity rows, as enrich inserts them.
ENTITY_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("entity_id", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("origin", pa.string()),
        ("mentions", pa.int64()),
        ("strong", pa.bool_()),
    ]
)
SPAN_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("entity_id", pa.string()),
        ("field", pa.string()),
        ("span_start", pa.int64()),
        ("span_end", pa.int64()),
    ]
)
#: The clock of the per-stage timings (a test injects its own).
_clock = time.perf_counter


def init(gazetteer: Gazetteer | None) -> None:
    global _GAZ
    _GAZ = gazetteer


def process(rows: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {
        "entities": [],
        "entity_spans": [],
        "citations": [],
        "minhash": [],
        "bands": [],
        "language": [],
    }
    spent = dict.fromkeys(("entities", "citations", "clusters", "language"), 0.0)
    ents = tuple([] for _ in ENTITY_SCHEMA)  # the entity rows, by column
    spans = tuple([] for _ in SPAN_SCHEMA)
    for aid, title, summary, body, do_ent, do_cit, do_clu, do_lang in rows:
        if do_ent or do_cit:
            t0 = _clock()
            text, removed = prepare_with_map(body or summary or "")
            if _GAZ is not None and _GAZ.recogniser != "builtin":
                # spaCy reads the text as stored: its spans need no mapping back.
                found = find_entities_spacy(
                    body or summary or "", _GAZ, _GAZ.recogniser.split(":")[1]
                )
                removed = []
            else:
                found = find_entities(text, _GAZ, headline=title, prepared=True)
            if do_ent:
                where = "body" if body else "summary"
                back = span_map(removed)  # the removed full stops read once per article
                for f in found:
                    eid = entity_id(f.name)
                    ents[0].append(aid)
                    ents[1].append(eid)
                    ents[2].append(f.name)
                    ents[3].append(f.type)
                    ents[4].append(f.origin)
                    ents[5].append(f.mentions)
                    ents[6].append(f.strong)
                    if f.spans:
                        n = len(f.spans)
                        spans[0].extend([aid] * n)
                        spans[1].extend([eid] * n)
                        spans[2].extend([where] * n)
                        for s, e in f.spans:
                            s, e = back(s, e)
                            spans[3].append(s)
                            spans[4].append(e)
            t1 = _clock()
            spent["entities" if do_ent else "citations"] += t1 - t0
            if do_cit:
                out["citations"].extend(
                    (aid, c.cited, c.pattern)
                    for c in find_citations(text, _GAZ, persons=person_names(found), prepared=True)
                )
                spent["citations"] += _clock() - t1
        if do_clu:
            t0 = _clock()
            sig = signature(body)
            if sig is not None:
                out["minhash"].append((aid, sig))
                out["bands"].extend((aid, b, bucket) for b, bucket in bands(sig))
            spent["clusters"] += _clock() - t0
        if do_lang:
            t0 = _clock()
            out["language"].append((aid, detect_language(title, summary, body)))
            spent["language"] += _clock() - t0
    if ents[0]:
        t0 = _clock()
        out["entities"] = [pa.RecordBatch.from_arrays(list(ents), schema=ENTITY_SCHEMA)]
        out["entity_spans"] = [pa.RecordBatch.from_arrays(list(spans), schema=SPAN_SCHEMA)]
        spent["entities"] += _clock() - t0
    out["seconds"] = [(stage, s) for stage, s in spent.items() if s]
    return out
