"""The entity evaluation: its scores on hand-made documents, and its loaders against the
counts the data sets' SOURCE.md files give (counted here with independent code)."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from policykit import evaluate_ner as ev

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def _doc(text, gold, ignore=(), entities=()):
    return ev.Doc("d", text, gold=list(gold), ignore=set(ignore), entities=list(entities))


TEXT = "Jane Roe met Acme Corp in Paris. Roe left."
#        0         1         2         3         4
#        0123456789012345678901234567890123456789012
GOLD = [(0, 8, "PER"), (13, 22, "ORG"), (26, 31, "LOC"), (33, 36, "PER")]


@pytest.mark.parametrize(
    ("spans", "typed", "untyped"),
    [
        # all four strings right: 4 distinct (type, string) pairs
        (
            [(0, 8, "PER"), (13, 22, "ORG"), (26, 31, "LOC"), (33, 36, "PER")],
            (4, 0, 0),
            (4, 0, 0),
        ),
        # Paris typed as a person: a false positive and a miss typed, a hit untyped
        ([(0, 8, "PER"), (13, 22, "ORG"), (26, 31, "PER")], (2, 1, 2), (3, 0, 1)),
        # a span one word short ("Acme") is wrong at document level
        ([(13, 17, "ORG")], (0, 1, 4), (0, 1, 4)),
        # nothing found
        ([], (0, 0, 4), (0, 0, 4)),
    ],
)
def test_document_level_counts(spans, typed, untyped):
    doc = _doc(TEXT, GOLD)
    res = ev.score_doc_level([doc], [ev.Output(set(), spans)])
    assert (res["typed"].tp, res["typed"].fp, res["typed"].fn) == typed
    assert (res["untyped"].tp, res["untyped"].fp, res["untyped"].fn) == untyped


def test_prf_arithmetic():
    prf = ev.PRF(tp=3, fp=1, fn=2)
    assert prf.p == pytest.approx(0.75) and prf.r == pytest.approx(0.6)
    assert prf.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert ev.PRF().f1 == 0.0


def test_mention_level_strict_lenient_and_other_gold():
    # "Acme Corp" gold; "Acme" predicted: strict misses, lenient matches by overlap.
    # A prediction equal to a nested/other-type gold name is ignored, not a false positive.
    doc = _doc(TEXT, GOLD, ignore={(13, 17)})
    out = ev.Output(set(), [(0, 8, "PER"), (13, 17, "ORG"), (26, 31, "ORG")])
    strict = ev.score_mentions([doc], [out])
    assert (strict["typed"].tp, strict["typed"].fp, strict["typed"].fn) == (1, 1, 3)
    assert strict["other_hits"].tp == 1
    lenient = ev.score_mentions([doc], [out], lenient=True)
    assert (lenient["typed"].tp, lenient["typed"].fp, lenient["typed"].fn) == (2, 1, 2)


def test_entity_level_matches_a_part_with_the_head():
    ents = [("PER", {"president jane roe", "roe"}, "roe"), ("LOC", {"paris"}, "paris")]
    doc = _doc(TEXT, GOLD, entities=ents)
    out = ev.Output({("PER", "jane roe"), ("PER", "jane"), ("LOC", "paris")}, [])
    res = ev.score_entity_level([doc], [out])
    # "jane roe" hits the person (contains the head), "jane" does not (no head)
    assert (res["typed"].tp, res["typed"].fp, res["typed"].fn) == (2, 1, 0)


def test_gmb_titles_stripped_on_both_sides():
    text = "President Bush met Mr. Putin ."
    doc = _doc(text, [(0, 14, "PER"), (19, 28, "PER")])
    out = ev.Output(set(), [(10, 14, "PER"), (23, 28, "PER")])
    assert ev.score_doc_level([doc], [out])["typed"].tp == 0
    assert ev.score_doc_level([doc], [out], notitle=True)["typed"].tp == 2


def _gmb_zip(path: Path, rows: list[str]) -> Path:
    folder = path / "gmb"
    folder.mkdir()
    data = ("Sentence #,Word,POS,Tag\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
    with zipfile.ZipFile(folder / "ner_dataset.csv.zip", "w") as z:
        z.writestr("ner_dataset.csv", data)
    return folder


def test_gmb_loader_on_a_small_file(tmp_path):
    rows = [
        "Sentence: 1,Thousands,NNS,O",
        ",marched,VBD,O",
        ",through,IN,O",
        ",London,NNP,B-geo",
        ",.,.,O",
        "Sentence: 2,British,JJ,B-gpe",  # a nationality adjective: not scored (strict)
        ",Prime,NNP,B-per",
        ",Minister,NNP,I-per",
        ",Tony,NNP,I-per",
        ",Blair,NNP,I-per",
        ",met,VBD,O",
        ",Nepal,NNP,B-gpe",  # a gpe proper noun: LOC
        ",on,IN,O",
        ",Monday,NNP,B-tim",  # time: not scored
        ',"""""",``,O',
    ]
    docs = ev.load_gmb(_gmb_zip(tmp_path, rows))
    assert len(docs) == 1
    doc = docs[0]
    assert doc.text.startswith("Thousands marched through London . British Prime")
    got = [(doc.text[s:e], t) for s, e, t in doc.gold]
    assert got == [("London", "LOC"), ("Prime Minister Tony Blair", "PER"), ("Nepal", "LOC")]


def test_gmb_unreadable_is_a_config_error(tmp_path):
    with pytest.raises(ev.ConfigError, match="not readable"):
        ev.load_gmb(tmp_path)


@pytest.fixture(scope="module")
def gum_dir() -> Path:
    root = SHARED / "ner_news_gum"
    if not (root / "entities.jsonl").is_file():
        pytest.skip(f"{root} is not available (../shared is absent)")
    return root


def test_gum_loader_agrees_with_an_independent_count(gum_dir):
    docs = ev.load_gum(gum_dir)
    records = [json.loads(line) for line in (gum_dir / "entities.jsonl").open(encoding="utf-8")]
    flat = Counter(r["type"] for r in records if r["per_org_loc"] and not r["nested"])
    assert Counter(t for d in docs for *_, t in d.gold) == flat
    assert dict(flat) == {"PER": 469, "ORG": 408, "LOC": 269}  # GUM SOURCE.md
    pairs = {
        (d.doc_id, t, d.text[s:e].lower()) for d in docs for s, e, t in d.gold
    }  # SOURCE.md: 653 distinct (type, lower-cased name) pairs per document
    assert len(pairs) == 653
    assert sum(len(d.entities) for d in docs) == 554  # GUM entities with a flat name
    assert {d.doc_id for d in docs if d.split != "train"} == {
        "GUM_news_homeopathic",
        "GUM_news_iodine",
        "GUM_news_nasa",
        "GUM_news_sensitive",
    }


def test_gmb_quick_subset_agrees_with_source(tmp_path):
    root = SHARED / "ner_news_gmb"
    if not (root / "ner_dataset.csv.zip").is_file():
        pytest.skip(f"{root} is not available (../shared is absent)")
    docs = ev.load_gmb(root, docs=500)
    assert len(docs) == 500
    counts = Counter(t for d in docs for *_, t in d.gold)
    # GMB SOURCE.md, quick subset (docs 1-500), strict mentions
    assert dict(counts) == {"PER": 1817, "ORG": 2083, "LOC": 4083}
    doc1 = {(t, docs[0].text[s:e].lower()) for s, e, t in docs[0].gold}
    assert {s for t, s in doc1 if t == "ORG"} == {
        "iaea",
        "international atomic energy agency",
        "labor party",
    }
