"""The quality evaluation: scoring rules, floors, and a fast run on a subset."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykit import evaluate
from policykit.errors import ConfigError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAFILATURA_EVAL = SHARED / "eval" / "trafilatura_eval"
REPO_FLOORS = Path(__file__).resolve().parents[1] / "eval" / "floors.toml"


@pytest.mark.parametrize(
    ("text", "with_", "without", "expected"),
    [
        # found "with" = TP, missing = FN; found "without" = FP, absent = TN
        ("alpha beta gamma", ["beta"], ["delta"], (1, 0, 0, 1)),
        ("alpha beta gamma", ["delta"], ["beta"], (0, 1, 1, 0)),
        # whitespace is normalised on both sides
        ("alpha\n\n beta", ["alpha beta"], [], (1, 0, 0, 0)),
        # nothing extracted: every "with" missed, every "without" avoided
        (None, ["a", "b"], ["c"], (0, 2, 0, 1)),
        ("", ["a"], ["b"], (0, 1, 0, 1)),
    ],
)
def test_score_snippets(text, with_, without, expected):
    c = evaluate.score_snippets(text, with_, without)
    assert (c.tp, c.fn, c.fp, c.tn) == expected


def test_counts_metrics():
    c = evaluate.Counts(tp=8, fn=2, fp=2, tn=8)
    assert (c.precision, c.recall, c.f1, c.accuracy) == (0.8, 0.8, pytest.approx(0.8), 0.8)
    empty = evaluate.Counts()
    assert (empty.precision, empty.recall, empty.f1, empty.accuracy) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("found", "gold", "expected"),
    [
        ("2021-10-30", "2021-10-30", True),
        ("2021-10-30T08:00:00+02:00", "2021-10-30", True),  # exact day of a timestamp
        ("2021-10-31", "2021-10-30", False),
        (None, "2021-10-30", False),
    ],
)
def test_date_matches(found, gold, expected):
    assert evaluate.date_matches(found, gold) is expected


@pytest.mark.parametrize(
    ("found", "gold", "expected"),
    [
        ("  Nummer zwei:  Leo ", "Nummer zwei: Leo", True),  # whitespace and case
        ("«Wir waren fast 40 Tage»", "«Wir waren fast 40 Tage»", True),
        ("Other", "Nummer zwei: Leo", False),
        (None, "x", False),
    ],
)
def test_title_matches(found, gold, expected):
    assert evaluate.title_matches(found, gold) is expected


@pytest.mark.parametrize(
    ("found", "gold", "expected"),
    [
        (["Jane Roe", "John Doe"], "John Doe; Jane Roe", True),  # order does not matter
        ("jane roe", "Jane Roe", True),
        (["Jane Roe"], "Jane Roe; John Doe", False),
        ([], "Jane Roe", False),
    ],
)
def test_author_matches(found, gold, expected):
    assert evaluate.author_matches(found, gold) is expected


def test_html_to_dump_keeps_visible_lines_only():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<nav><a>Home</a> <a>News</a></nav><script>var x=1;</script>"
        "<h1>Headline</h1><p>First <b>bold</b> paragraph.</p><!-- c --><p>Second.</p>"
        "<footer>© Footer</footer></body></html>"
    )
    assert evaluate.html_to_dump(html).splitlines() == [
        "Home News",
        "Headline",
        "First bold paragraph.",
        "Second.",
        "© Footer",
    ]


def test_check_floors():
    floors = {"a.f1": 0.8, "b.f1": 0.5}
    assert evaluate.check_floors({"a.f1": 0.85, "b.f1": 0.5}, floors) == []
    failures = evaluate.check_floors({"a.f1": 0.79}, floors)
    assert "a.f1: 0.790 is below the floor 0.800" in failures
    assert any(f.startswith("b.f1: not measured") for f in failures)


def test_repo_floors_are_fractions():
    floors = evaluate.load_floors(REPO_FLOORS)
    assert floors
    assert all(0.0 < v <= 1.0 for v in floors.values())


def test_load_floors_bad_file(tmp_path):
    bad = tmp_path / "floors.toml"
    bad.write_text("[x\n")
    with pytest.raises(ConfigError, match="floors.toml"):
        evaluate.load_floors(bad)


@pytest.fixture(scope="module")
def subset():
    if not TRAFILATURA_EVAL.is_dir():
        pytest.skip(f"evaluation data {TRAFILATURA_EVAL} is not available")
    return evaluate.run_eval(sample=20, workers=1)


def test_subset_table_structure(subset):
    table = evaluate.format_table(subset)
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["system", "input", "pages", "P"]
    for _, label, kind in evaluate.SYSTEMS:
        assert any(line.startswith(label) and f" {kind} " in line for line in lines)
    assert "newspaper4k clean bodies kept" in table
    assert subset["pages"] == 20
    assert not subset["full"]


def test_subset_scores_are_fractions(subset):
    for key, tally in subset["systems"].items():
        if tally is None:  # a system whose module is absent is reported, not scored
            continue
        assert tally.pages == 20, key
        c = tally.counts
        assert c.tp + c.fn + c.fp + c.tn > 0
        for value in (c.precision, c.recall, c.f1, c.accuracy):
            assert 0.0 <= value <= 1.0
    for value in evaluate.measured(subset).values():
        assert 0.0 <= value <= 1.0


def test_subset_dump_cleaner_beats_plain_trafilatura(subset):
    systems = subset["systems"]
    assert systems["policykit_dump"].counts.f1 > systems["trafilatura_dump"].counts.f1
