"""The per-article Python work of enrichment, run in worker processes.

A task is a list of rows ``(article_id, title, summary, body, do_entities, do_citations,
do_clusters, do_language)``; the result holds plain tuples, ready for Arrow.
"""

from __future__ import annotations

from .citations import find_citations
from .clusters import bands, signature
from .entities import Gazetteer, entity_id, find_entities, person_names, prepare_text
from .language import detect_language

_GAZ: Gazetteer | None = None


def init(gazetteer: Gazetteer | None) -> None:
    global _GAZ
    _GAZ = gazetteer


def process(rows: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {
        "entities": [],
        "citations": [],
        "minhash": [],
        "bands": [],
        "language": [],
    }
    for aid, title, summary, body, do_ent, do_cit, do_clu, do_lang in rows:
        text = prepare_text(body or summary or "")
        if do_ent or do_cit:
            found = find_entities(text, _GAZ, headline=title, prepared=True)
            if do_ent:
                out["entities"].extend(
                    (aid, entity_id(f.name), f.name, f.type, f.origin, f.mentions, f.strong)
                    for f in found
                )
            if do_cit:
                out["citations"].extend(
                    (aid, c.cited, c.pattern)
                    for c in find_citations(text, _GAZ, persons=person_names(found), prepared=True)
                )
        if do_clu:
            sig = signature(body)
            if sig is not None:
                out["minhash"].append((aid, sig))
                out["bands"].extend((aid, b, bucket) for b, bucket in bands(sig))
        if do_lang:
            out["language"].append((aid, detect_language(title, summary, body)))
    return out
