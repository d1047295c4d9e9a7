"""The fast scans of the entity recogniser give what the plain regexes give: the runs of
capitalised words (entities_runs._runs vs SPAN_RE.finditer), the words written in lower
case (_written_lower vs _LOWER_RE.findall) and the gazetteer's longest match."""

import random
import re

import pytest

from policykit.enrich.entities import Gazetteer, GazetteerEntry, prepare_text, prepare_with_map
from policykit.enrich.entities_runs import _LOWER_RE, SPAN_RE, _runs, _written_lower

CASES = [
    "President Bill Clinton met al-Qaida leaders in Kabul, said the US State Department.",
    "eBay and iPhone sales; the pro-Beijing camp; anti-American protests in ad-Dawr.",
    "ibn-Saud and bin-Laden's men; xal-Qaida is no name; -al-Qaida at a hyphen.",
    "Ab al-Qaida, aB cD, abC, abcD, el-Baradei, ÀB Ça, Ødegaard, de la Cruz of the UN.",
    "McDonald's Mid-East O'Brien Ton-That US-led Scientology-owned New York-based firm.",
    "",
    "a",
    "ALL CAPS LINE HERE\nand a Name at the End",
]


def _rand_text(rng: random.Random) -> str:
    pieces = ["al-", "el-", "bin-", "ibn-", "ad-", "Mc", "iP", "eB", "A", "B", "Zo", "Ça",
              "é", "x", "ab", " ", " ", "\t", "\n", "-", "'", "’", "s", ".", "of", " the ",
              "de", "&", "led", "based", "1", "_", "Qaida", "Reuters"]  # fmt: skip
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))


def _texts():
    rng = random.Random(14)
    return CASES + [_rand_text(rng) for _ in range(3000)]


def test_runs_are_span_re_finditer():
    for text in _texts():
        want = [(m.start(), m.end()) for m in SPAN_RE.finditer(text)]
        assert [(m.start(), m.end()) for m in _runs(text)] == want, text


def test_written_lower_is_lower_re_findall():
    for text in _texts():
        words = set(_LOWER_RE.findall(text))
        asked = words | {w.lower() for w in text.split()} | {"of", "the", "qaida", "led", "x-"}
        for low in asked:
            assert _written_lower(text, low) == (low in words), (text, low)


@pytest.mark.parametrize("caps", [False, True])
def test_gazetteer_match_is_longest_entry(caps):
    gaz = Gazetteer.load(shipped=False)
    for name in ("New York", "New York Times", "York", "United Nations Security Council", "UN"):
        gaz.add(GazetteerEntry(name, "organisation", (), "user"))
    index = gaz.upper if caps else gaz.index

    def naive(words, start):
        for n in range(min(gaz.longest, len(words) - start), 0, -1):
            if tuple(words[start : start + n]) in index:
                return n, index[tuple(words[start : start + n])]
        return None

    words = [
        "the",
        "New",
        "York",
        "Times",
        "and",
        "United",
        "Nations",
        "Security",
        "Council",
        "of",
        "York",
        "UN",
        "New",
    ]
    if caps:
        words = [w.upper() for w in words]
    for start in range(len(words) + 2):
        assert gaz.match(words, start, caps=caps) == naive(words, start)
    # an entry added after a match is found by the next one
    gaz.add(GazetteerEntry("Times and United", "organisation", (), "user"))
    hit = gaz.match(words, 3, caps=caps)
    assert hit == naive(words, 3) and hit is not None and hit[0] == 3


def _old_prepare_text(text: str) -> str:
    """prepare_text with \\b-first regexes (as it was written before the faster ones)."""
    from policykit.enrich.entities_gazetteer import _ABBREVIATIONS

    abbrev = re.compile(r"\b([A-Z][a-z]{0,3})\.(?=[ \t,)])")
    initials = re.compile(r"\b([A-Z])\.([A-Z])\.(?:([A-Z])\.)?")
    text = abbrev.sub(lambda m: m.group(1) if m.group(1) in _ABBREVIATIONS else m.group(0), text)
    if "." in text:
        text = initials.sub(lambda m: "".join(g for g in m.groups() if g), text)
    return text


def _stop_texts():
    rng = random.Random(3)
    pieces = ["Mr", "Dr", "Gen", "Govt", "No", "Xy", "U", "S", "A", "é", "x", "_", "1", ".",
              ".", " ", ",", ")", "\t", "\n", "St", "Mt"]  # fmt: skip
    cases = ["U.S. Mr. Smith", "A.B.C. D. E.F.", "Mr.X Mr.) Dr.,", "xU.S. U.S.A.B.", "é.U.S."]
    return cases + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)
    ]


def test_prepare_text_and_map_as_with_word_boundaries():
    for text in _stop_texts():
        prepared, removed = prepare_with_map(text)
        assert prepare_text(text) == _old_prepare_text(text) == prepared, text
        assert "".join(c for i, c in enumerate(text) if i not in set(removed)) == prepared
        assert all(text[i] == "." for i in removed)


def test_team_before_is_the_regex_search():
    from policykit.enrich.entities import _TEAM_BEFORE, _team_before

    rng = random.Random(5)
    pieces = ["against", "beat", "defeated", "faced", "versus", "vs", "v", ".", "xbeat", "t",
              " ", " ", "\t", "\n", "Tunisia", "d", "s"]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        for start in range(len(text) + 1):
            want = _TEAM_BEFORE.search(text, max(0, start - 30), start) is not None
            assert _team_before(text, start) == want, (text, start)
