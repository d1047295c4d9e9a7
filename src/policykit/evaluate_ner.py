"""Entity recognition against human-labelled news: GUM (Wikinews) and GMB (VOA).

``python -m policykit.evaluate_ner`` prints the tables; ``make eval``
(:mod:`policykit.evaluate`) runs it too and gates the ``[entities]`` floors of
``eval/floors.toml``.

Data (read in place, never copied):

* ``../shared/eval/ner_news_gum``: 24 Wikinews documents, 1,146 flat PER/ORG/LOC names
  with character offsets (human gold). Scored on all 24 and on GUM's dev+test split
  (4 documents). Genre: ``GUM_news_soccer`` is *sports*, the others *news*.
* ``../shared/eval/ner_news_gmb``: Voice of America sentences from the Groningen Meaning
  Bank (near-gold), as 4,796 pseudo-documents of 10 sentences; tokens joined by spaces.
  Strict mapping: geo -> LOC, gpe -> LOC only when its first token is NNP/NNPS, per ->
  PER, org -> ORG; tim/art/eve/nat are not scored.

Scores, as the two SOURCE.md files define them:

* **document level** (the headline figure: "entities in this article"): per document the
  set of (type, lower-cased surface) of the recognised mentions against the gold set;
  micro P/R/F1 per type and over all types (typed), and on the strings alone (untyped).
  GMB puts titles inside person spans ("President Bush"); ``gmb_doc_notitle`` strips
  leading title words from gold and system alike, as SOURCE.md advises.
* **entity level** (GUM only): the canonical names the recogniser stores per article
  against GUM's coreference entities (a name hits an entity of its type when it equals
  one of the entity's names or is a run of words of one that contains its head).
* **mention level**: exact (start, end, type) matches (strict) and same type with any
  overlap (lenient, one-to-one); on GUM a prediction equal to a nested or other-type gold
  name is ignored, not penalised (counted as ``other_hits``).

System types map person -> PER, organisation -> ORG, place -> LOC; the recogniser's
``event`` type (and anything else) is not scored. Names without a cue are kept as in
the database: only when ``min_df`` documents of the set mention them (the SQL rule of
``entities_rebuild.sql``, applied here in Python over the evaluation set).

Throughput: CPU seconds of :func:`policykit.enrich._work.process` (the entities and
citations pass of the enrichment stage, which share one reading of the text) over the
GUM and GMB documents in this process; articles per CPU second, and twice that for two
cores (the stage runs one worker per core and shares nothing between articles).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
GUM = SHARED / "eval" / "ner_news_gum"
GMB = SHARED / "eval" / "ner_news_gmb"
TYPES = ("PER", "ORG", "LOC")
_MAP = {"person": "PER", "organisation": "ORG", "place": "LOC"}
SPORTS_DOCS = frozenset({"GUM_news_soccer"})
#: Title words GMB puts at the front of person spans (stripped in gmb_doc_notitle).
GMB_TITLES = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "president",
        "prime",
        "minister",
        "secretary",
        "general",
        "gen.",
        "senator",
        "sen.",
        "chancellor",
        "king",
        "queen",
        "prince",
        "pope",
        "foreign",
        "defense",
        "interior",
        "vice",
        "chairman",
        "chief",
        "governor",
        "ambassador",
        "former",
        "opposition",
        "leader",
        "sheikh",
        "ayatollah",
        "lieutenant",
        "colonel",
        "judge",
        "justice",
        "envoy",
        "commander",
        "spokesman",
        "officials",
    ]
)


@dataclass
class Doc:
    doc_id: str
    text: str
    genre: str = "news"
    split: str = "train"
    gold: list[tuple[int, int, str]] = field(default_factory=list)  # flat PER/ORG/LOC
    ignore: set[tuple[int, int]] = field(default_factory=set)  # nested / other-type names
    entities: list[tuple[str, set[str], str]] = field(default_factory=list)  # type, names, head


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


# --- loaders ---------------------------------------------------------------------------


def load_gum(root: Path = GUM) -> list[Doc]:
    try:
        docs_raw = [
            json.loads(x) for x in (root / "documents.jsonl").read_text("utf-8").splitlines()
        ]
        ents_raw = [
            json.loads(x) for x in (root / "entities.jsonl").read_text("utf-8").splitlines()
        ]
    except (OSError, ValueError) as exc:
        raise ConfigError(f"GUM data {root} is not readable: {exc}") from exc
    docs = {
        d["doc_id"]: Doc(
            d["doc_id"],
            d["text"],
            "sports" if d["doc_id"] in SPORTS_DOCS else "news",
            d["gum_split"],
        )
        for d in docs_raw
    }
    entities: dict[tuple[str, str], list] = {}
    for e in ents_raw:
        doc = docs[e["doc_id"]]
        if doc.text[e["start"] : e["end"]] != e["text"]:
            raise ConfigError(f"GUM {e['doc_id']}: span {e['start']}:{e['end']} does not match")
        if e["per_org_loc"] and not e["nested"]:
            doc.gold.append((e["start"], e["end"], e["type"]))
            ent = entities.setdefault((e["doc_id"], e["entity_id"]), [e["type"], set(), e["head"]])
            ent[1].add(e["text"].lower())
        else:
            doc.ignore.add((e["start"], e["end"]))
    for (doc_id, _), (etype, names, head) in entities.items():
        docs[doc_id].entities.append((etype, names, head.lower()))
    n = Counter(t for d in docs.values() for *_, t in d.gold)
    if (n["PER"], n["ORG"], n["LOC"]) != (469, 408, 269):
        raise ConfigError(f"GUM: expected PER 469, ORG 408, LOC 269 flat names, found {dict(n)}")
    return list(docs.values())


def load_gmb(root: Path = GMB, docs: int | None = None) -> list[Doc]:
    """GMB pseudo-documents of 10 sentences (the first ``docs`` of them, or all 4,796)."""
    try:
        with zipfile.ZipFile(root / "ner_dataset.csv.zip") as z:
            raw = z.read("ner_dataset.csv").decode("cp1252")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"GMB data {root} is not readable: {exc}") from exc
    sentences: list[list[tuple[str, str, str]]] = []
    reader = csv.reader(io.StringIO(raw, newline=""))
    next(reader)
    for row in reader:
        if len(row) != 4:
            continue
        if row[0]:
            if docs is not None and len(sentences) >= docs * 10:
                break
            sentences.append([])
        sentences[-1].append((row[1], row[2], row[3]))
    if docs is None or len(sentences) > 47958:
        sentences = sentences[:47958]  # sentence 47959 is cut off mid-way
    out = []
    for d in range(0, len(sentences), 10):
        parts, gold, pos = [], [], 0
        for sent in sentences[d : d + 10]:
            span = None  # (start, end, tag, first POS)
            for word, tag_pos, tag in sent:
                start = pos
                parts.append(word)
                pos += len(word) + 1
                if tag.startswith("B-") or tag == "O":
                    if span:
                        gold.append(span)
                    span = [start, start + len(word), tag[2:], tag_pos] if tag != "O" else None
                elif span:
                    span[1] = start + len(word)
            if span:
                gold.append(span)
        doc = Doc(f"gmb{d // 10 + 1}", " ".join(parts))
        for start, end, tag, first_pos in gold:
            etype = {"geo": "LOC", "per": "PER", "org": "ORG"}.get(tag)
            if tag == "gpe" and first_pos in ("NNP", "NNPS"):
                etype = "LOC"
            if etype:
                doc.gold.append((start, end, etype))
        out.append(doc)
    return out


# --- running a recogniser ---------------------------------------------------------------


@dataclass
class Output:
    """What a recogniser gave for one document."""

    names: set[tuple[str, str]]  # (type, canonical name lower)
    spans: list[tuple[int, int, str]]  # mentions: start, end, type


def builtin_recogniser(min_df: int = 3):
    """The shipped recogniser, as the enrichment stage runs it (with the corpus filter)."""
    from .enrich.entities import Gazetteer, find_entities

    gaz = Gazetteer.load()

    def run(docs: list[Doc]) -> list[Output]:
        found = [find_entities(d.text, gaz) for d in docs]
        df = Counter(f.name.casefold() for fs in found for f in {f.name: f for f in fs}.values())
        strong = {
            f.name.casefold() for fs in found for f in fs if f.strong or f.origin != "recogniser"
        }
        outs = []
        for fs in found:
            kept = [f for f in fs if f.name.casefold() in strong or df[f.name.casefold()] >= min_df]
            names = {(_MAP[f.type], f.name.casefold()) for f in kept if f.type in _MAP}
            spans = [
                (s, e, _MAP[f.type])
                for f in kept
                if f.type in _MAP
                for s, e in getattr(f, "spans", ())
            ]
            outs.append(Output(names, spans))
        return outs

    return run


# --- scoring ----------------------------------------------------------------------------


def _doc_sets(doc: Doc, out: Output, notitle: bool = False) -> tuple[set, set]:
    def norm(text: str, etype: str) -> str:
        text = " ".join(text.lower().split())
        if text.endswith(" 's"):
            text = text[:-3]
        if notitle and etype == "PER":
            words = text.split()
            while len(words) > 1 and words[0] in GMB_TITLES:
                words = words[1:]
            text = " ".join(words)
        return text

    gold = {(t, norm(doc.text[s:e], t)) for s, e, t in doc.gold}
    if out.spans:
        pred = {(t, norm(doc.text[s:e], t)) for s, e, t in out.spans}
    else:  # a recogniser without offsets: its names
        pred = {(t, norm(n, t)) for t, n in out.names}
    return gold, pred


def score_doc_level(docs, outs, notitle: bool = False) -> dict[str, PRF]:
    res = {k: PRF() for k in (*TYPES, "typed", "untyped")}
    for doc, out in zip(docs, outs, strict=True):
        gold, pred = _doc_sets(doc, out, notitle)
        for t in TYPES:
            g = {x for x in gold if x[0] == t}
            p = {x for x in pred if x[0] == t}
            res[t].tp += len(g & p)
            res[t].fp += len(p - g)
            res[t].fn += len(g - p)
        for key, g, p in (
            ("typed", gold, pred),
            ("untyped", {x[1] for x in gold}, {x[1] for x in pred}),
        ):
            res[key].tp += len(g & p)
            res[key].fp += len(p - g)
            res[key].fn += len(g - p)
    return res


def score_entity_level(docs, outs) -> dict[str, PRF]:
    """GUM: canonical names per document against coreference entities."""
    res = {k: PRF() for k in (*TYPES, "typed")}
    for doc, out in zip(docs, outs, strict=True):
        hit: set[int] = set()
        for etype, name in out.names:
            if etype not in TYPES:
                continue
            words = name.split()
            matched = False
            for i, (gtype, names, head) in enumerate(doc.entities):
                if gtype != etype:
                    continue
                if name in names or (head in words and any(f" {name} " in f" {n} " for n in names)):
                    matched = True
                    hit.add(i)
            if not matched:
                res[etype].fp += 1
                res["typed"].fp += 1
        for i, (gtype, *_) in enumerate(doc.entities):
            key = "tp" if i in hit else "fn"
            for k in (gtype, "typed"):
                setattr(res[k], key, getattr(res[k], key) + 1)
    return res


def score_mentions(docs, outs, lenient: bool = False) -> dict[str, PRF]:
    res = {k: PRF() for k in (*TYPES, "typed")}
    res["other_hits"] = PRF()
    for doc, out in zip(docs, outs, strict=True):
        gold = list(doc.gold)
        preds = sorted(set(out.spans))
        used: set[int] = set()
        for s, e, t in preds:
            match = None
            if lenient:
                best = 0
                for i, (gs, ge, gt) in enumerate(gold):
                    ov = min(e, ge) - max(s, gs)
                    if gt == t and i not in used and ov > best:
                        best, match = ov, i
            else:
                with contextlib.suppress(ValueError):
                    i = gold.index((s, e, t))
                    match = i if i not in used else None
            if match is not None:
                used.add(match)
                res[t].tp += 1
                res["typed"].tp += 1
            elif (s, e) in doc.ignore:
                res["other_hits"].tp += 1
            else:
                res[t].fp += 1
                res["typed"].fp += 1
        for i, (_, _, gt) in enumerate(gold):
            if i not in used:
                res[gt].fn += 1
                res["typed"].fn += 1
    return res


def throughput(docs: list[Doc], repeat: int = 1) -> dict[str, float]:
    """Articles per CPU second of the enrichment pass that finds entities and citations."""
    from .enrich import _work
    from .enrich.entities import Gazetteer

    _work.init(Gazetteer.load())
    rows = [(d.doc_id, None, None, d.text, True, True, False, False) for d in docs]
    _work.process(rows[:50])  # warm up (imports, caches)
    started = time.process_time()
    for _ in range(repeat):
        for i in range(0, len(rows), 500):
            _work.process(rows[i : i + 500])
    cpu = time.process_time() - started
    n = len(rows) * repeat
    chars = sum(len(d.text) for d in docs) * repeat
    return {
        "articles": n,
        "cpu_s": cpu,
        "per_core": n / cpu,
        "two_cores": 2 * n / cpu,
        "chars_per_article": chars / n,
    }


def stage_throughput(docs: list[Doc], copies: int = 4, workers: int = 2) -> dict[str, float]:
    """The entities stage as ``enrich`` runs it (DuckDB file, worker pool, SQL rebuild):
    ``copies`` x ``docs`` articles in a temporary database; wall-clock and CPU seconds
    (this process, its DuckDB threads and its workers)."""
    import resource
    import tempfile

    from .enrich import enrich
    from .store import writer

    def cpu() -> float:
        me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    # Through store.writer like every writer in the package (a temporary database).
    with tempfile.TemporaryDirectory() as tmp, writer(Path(tmp) / "ner.duckdb") as con:
        import pyarrow as pa

        rows = [
            (f"{d.doc_id}-{k}", d.text.split("\n", 1)[0][:200], d.text)
            for k in range(copies)
            for d in docs
        ]
        # One Arrow insert (executemany took about 40 s for 19,184 rows; setup only,
        # outside the timing).
        con.register(
            "_eval_rows",
            pa.table({c: [r[i] for r in rows] for i, c in enumerate(("id", "title", "body"))}),
        )
        con.execute(
            "INSERT INTO articles (article_id, title, body, outlet, domain, published_at, "
            "source_path, source_locator, ingested_at) SELECT id, title, body, 'Eval', "
            "'eval.example', '2020-01-01 00:00:00+00', 'eval', 'row', now() FROM _eval_rows"
        )
        con.unregister("_eval_rows")
        con.execute("CHECKPOINT")  # the stage starts from a settled file
        started, cpu0 = time.perf_counter(), cpu()
        enrich(con, stages=["entities"], workers=workers)
        wall, used = time.perf_counter() - started, cpu() - cpu0
    n = len(rows)
    return {
        "articles": n,
        "wall_s": wall,
        "cpu_s": used,
        "per_s_wall": n / wall,
        "per_s_two_idle_cores": 2 * n / used if used else 0.0,
    }


# --- the run ---------------------------------------------------------------------------


def run(gmb_docs: int | None = None, recogniser=None, speed: bool = True) -> dict:
    """Every score; ``gmb_docs`` limits GMB to its first N pseudo-documents."""
    rec = recogniser or builtin_recogniser()
    gum = load_gum()
    gmb = load_gmb(docs=gmb_docs)
    gum_out = rec(gum)
    gmb_out = rec(gmb)
    res: dict = {"gmb_docs": len(gmb), "full": gmb_docs is None}
    res["gum_doc"] = score_doc_level(gum, gum_out)
    res["gum_entity"] = score_entity_level(gum, gum_out)
    res["gum_mention"] = score_mentions(gum, gum_out)
    res["gum_mention_lenient"] = score_mentions(gum, gum_out, lenient=True)
    sub = [(d, o) for d, o in zip(gum, gum_out, strict=True) if d.split != "train"]
    res["gum_devtest_doc"] = score_doc_level([d for d, _ in sub], [o for _, o in sub])
    for genre in ("news", "sports"):
        pick = [(d, o) for d, o in zip(gum, gum_out, strict=True) if d.genre == genre]
        res[f"gum_{genre}_doc"] = score_doc_level([d for d, _ in pick], [o for _, o in pick])
    res["gmb_doc"] = score_doc_level(gmb, gmb_out)
    res["gmb_doc_notitle"] = score_doc_level(gmb, gmb_out, notitle=True)
    res["gmb_mention"] = score_mentions(gmb, gmb_out)
    res["gmb_mention_lenient"] = score_mentions(gmb, gmb_out, lenient=True)
    if speed:
        res["speed_gum"] = throughput(gum, repeat=5)
        res["speed_gmb"] = throughput(gmb[:2000])
    return res


def format_table(res: dict) -> str:
    lines = [f"Entity recognition (GUM 24 docs; GMB {res['gmb_docs']:,} pseudo-docs)", ""]
    lines.append(
        f"{'score':<22} {'key':<8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"
    )
    for name, table in res.items():
        if not isinstance(table, dict) or name.startswith("speed"):
            continue
        for key, prf in table.items():
            if key == "other_hits":
                lines.append(f"{name:<22} {key:<8} {'':>20} {prf.tp:>6}")
                continue
            lines.append(
                f"{name:<22} {key:<8} {prf.p:6.3f} {prf.r:6.3f} {prf.f1:6.3f} "
                f"{prf.tp:>6} {prf.fp:>6} {prf.fn:>6}"
            )
    for name in ("speed_gum", "speed_gmb"):
        if name in res:
            s = res[name]
            lines.append(
                f"{name}: {s['articles']:,} articles ({s['chars_per_article']:,.0f} chars each) "
                f"in {s['cpu_s']:.2f} CPU s: {s['per_core']:,.0f} articles/s per core, "
                f"{s['two_cores']:,.0f} on 2 cores"
            )
    return "\n".join(lines)


def measured(res: dict) -> dict[str, float]:
    """The gated figures, named as in the [entities] section of eval/floors.toml."""
    out = {}
    for name in ("gum_doc", "gmb_doc_notitle", "gum_entity"):
        out[f"entities.{name}_typed_f1"] = res[name]["typed"].f1
        out[f"entities.{name}_typed_precision"] = res[name]["typed"].p
    out["entities.gum_mention_typed_f1"] = res["gum_mention"]["typed"].f1
    return out


def run_gate() -> dict:
    """For ``make eval``: the table, the gated values, and whether the data was absent
    (then the [entities] floors are not checked)."""
    if not (GUM / "entities.jsonl").is_file() or not (GMB / "ner_dataset.csv.zip").is_file():
        return {
            "table": f"entities: skipped ({GUM} or {GMB} is absent)",
            "values": {},
            "skipped": True,
        }
    res = run()
    return {"table": format_table(res), "values": measured(res), "skipped": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policykit.evaluate_ner", description=__doc__)
    parser.add_argument("--gmb-docs", type=int, help="only the first N GMB pseudo-documents")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput timing")
    parser.add_argument(
        "--stage",
        action="store_true",
        help="also time the entities stage of enrich on a DuckDB file (GMB docs x 4, 2 workers)",
    )
    args = parser.parse_args(argv)
    if args.stage:
        for name, docs in (("gmb", load_gmb(docs=None)), ("gum", load_gum())):
            s = stage_throughput(docs, copies=4 if name == "gmb" else 200)
            print(
                f"stage {name}: {s['articles']:,} articles in {s['wall_s']:.1f} s wall "
                f"({s['per_s_wall']:,.0f}/s), {s['cpu_s']:.1f} CPU s "
                f"({s['per_s_two_idle_cores']:,.0f}/s on two idle cores)"
            )
    try:
        res = run(args.gmb_docs, speed=not args.no_speed)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(res))
    for name, value in sorted(measured(res).items()):
        print(f"  {name:<44} {value:.3f}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
