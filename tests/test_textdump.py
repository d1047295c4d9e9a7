"""Plain-text page dumps: cleaning, outlet detection, cross-document boilerplate, reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.sources import STAGING_COLUMNS, ReadOptions
from policykit.sources.textdump import (
    DOCS_KEY,
    boilerplate_lines,
    clean_dump,
    detect_outlet,
    learn_boilerplate,
    normalise_line,
    read_textdump,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "000_8089164643b693ba.txt"
NEWSPAPER4K = SHARED / "eval" / "newspaper4k_testdata"


def _rows(read) -> list[dict]:
    rows = []
    for batch in read.batches:
        assert tuple(batch.column_names) == STAGING_COLUMNS
        rows.extend(batch.to_pylist())
    return rows


# --- the seed dump: expectations written by hand from reading the file ----------------


@pytest.fixture(scope="module")
def seed():
    if not SEED.is_file():
        pytest.skip(f"seed dump {SEED} is not available")
    return clean_dump(SEED.read_text(encoding="utf-8"))


def test_seed_title_and_outlet(seed):
    assert seed.title == "Facial recognition service Clearview AI’s full client list stolen: Report"
    assert seed.outlet == "MediaNama"


def test_seed_body_is_the_seven_paragraphs(seed):
    paragraphs = seed.body.split("\n\n")
    # The in-article subheading may stay; apart from it, exactly seven paragraphs.
    subheading = "Clearview AI scrapes facial images from the public internet"
    prose = [p for p in paragraphs if p != subheading]
    assert len(prose) == 7
    expected_edges = [
        ("US-based facial recognition company Clearview AI", "part of life in the 21st century”."),
        ("In its notification to its clients,", "The Daily Beast pointed out."),
        ("“Clearview’s entire business model", "tweeted in response."),
        ("Clearview AI had first come under the scanner", "available in its database."),
        ("Following the NYT report, Twitter", "followed by Google, YouTube and Facebook."),
        ("Hoan Ton-That, Clearview AI’s CEO,", "in that very interview."),
        ("In an earlier interview with CBS,", "First Amendment right to access public data."),
    ]
    for paragraph, (first, last) in zip(prose, expected_edges, strict=True):
        assert paragraph.startswith(first)
        assert paragraph.endswith(last)


@pytest.mark.parametrize(
    "absent",
    [
        "Image representing facial recogntition",  # caption (sic)
        "Advertisement. Scroll to continue reading.",  # ad
        "Written By",  # author block
        "mission is to help build a digital ecosystem",  # bio / mission line
        "The Delhi High Court should quash",  # teaser
        "You May Also Like",
        "premier source of information and analysis",
        "Subscribe to our daily newsletter",
        "Your email address",
        "Mixed Bag Media",  # footer
        "Connect with us",  # navigation
        "what are you looking for",
    ],
)
def test_seed_boilerplate_is_gone(seed, absent):
    assert absent not in seed.body


def test_seed_removed_lines_carry_reasons(seed):
    reasons = dict(seed.removed)
    assert reasons["Advertisement. Scroll to continue reading."] == "ad"
    assert reasons["Image representing facial recogntition"] == "caption"
    assert reasons["Subscribe to our daily newsletter"] == "newsletter"
    assert all(reason for _, reason in seed.removed)


# --- per-document cues ------------------------------------------------------------------

ARTICLE = [
    "Home",
    "Politics",
    "Sign in",
    "City council approves new budget after long debate",
    "By Jane Roe and John Doe",
    "The city council approved the new budget on Tuesday after a debate that lasted well into the night, and the vote was close.",
    "Members of the council said that the plan would keep the libraries open and that it would raise the pay of the city's bus drivers.",
    "Photo: Getty Images",
    "The mayor welcomed the vote and said that the city would publish the details of the plan in the next few weeks.",
    "Related stories",
    "Council to vote on the budget next week, and the mayor is confident that...",
    "© 2024 The Ledger. All rights reserved.",
]


def test_clean_dump_generic_article():
    result = clean_dump("\n".join(ARTICLE))
    assert result.title == "City council approves new budget after long debate"
    assert result.authors == ["Jane Roe", "John Doe"]
    assert result.body.split("\n\n") == [ARTICLE[5], ARTICLE[6], ARTICLE[8]]
    assert result.outlet == "The Ledger"


def test_clean_dump_sidecar_wins():
    sidecar = {"title": "A given title", "outlet": "Given Outlet", "authors": ["A. Writer"]}
    result = clean_dump("\n".join(ARTICLE), sidecar=sidecar)
    assert (result.title, result.outlet, result.authors) == (
        "A given title",
        "Given Outlet",
        ["A. Writer"],
    )


def test_clean_dump_learnt_boilerplate_removed():
    recurring = ARTICLE[6]
    result = clean_dump("\n".join(ARTICLE), boilerplate={normalise_line(recurring)})
    assert recurring not in result.body
    assert "boilerplate" in {reason for line, reason in result.removed if line == recurring}


def test_clean_dump_empty_and_blank():
    for text in ("", "\n\n  \n", "Home\nMenu"):
        result = clean_dump(text)
        assert result.body is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  Hello   World ", "hello world"),  # whitespace collapsed, case folded
        ("© 2008-2021 Example", "© 0-0 example"),  # years do not split a footer
        ("Ｆｕｌｌ width", "full width"),  # NFKC
        ("", ""),
    ],
)
def test_normalise_line(line, expected):
    assert normalise_line(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Body.\nThe Ledger is the leading source of news on city hall.", "The Ledger"),
        ("Body.\nAcme News’s mission is to inform.\n© 2020 Acme Media Ltd.", "Acme News"),
        ("Body.\nCopyright © 2019 Daily Planet. All rights reserved.", "Daily Planet"),
        ("Just a paragraph with no self-reference at all.", None),
        ("", None),
        # Lower-case joiners inside a name: the whole name, not its first word.
        ("Body.\n© 2015-2024 Rest of World. All rights reserved.", "Rest of World"),
        ("Body.\nRest of World is an independent newsroom.", "Rest of World"),
        ("Body.\nfollow The Times of India on Instagram", "The Times of India"),
        ("Body.\ncopyright 2020 Economic and Political Weekly", "Economic and Political Weekly"),
        ("Body.\n© 2021 Bank of the West", "Bank of the West"),
        ("Body.\n© 2024 The Ledger of", "The Ledger"),  # a joiner never ends a name
        (
            "Body.\nMore about Hindustan Times Digital Streams, and more",
            "Hindustan Times Digital Streams",
        ),
    ],
)
def test_detect_outlet(text, expected):
    assert detect_outlet(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Veröffentlicht am 10. Februar 2019 von Heiko", ["Heiko"]),  # German meta line
        ("Posted on 2015-04-05 by marc | Leave a comment", ["marc"]),  # user names stay
        ("Erstellt von Fabian am Dienstag 6. Mai 2014", ["Fabian"]),
        ("by Jake Goulding on January 20, 2020", ["Jake Goulding"]),
        ("Trains from Berlin by night", []),  # no date, no posting verb: not meta
        ("Published 3 May 2022 by the council", []),  # not a name
    ],
)
def test_embedded_byline(line, expected):
    from policykit.sources.textdump_authors import embedded_byline as _embedded_byline

    assert _embedded_byline(line) == expected


def test_every_pattern_kind_is_scored_and_removed():
    from policykit.sources.textdump import _KIND_SCORE, _REMOVED_KINDS, _patterns

    kinds = {section.kind for section in _patterns()}
    assert kinds <= set(_KIND_SCORE)
    assert kinds <= _REMOVED_KINDS


# A dump laid out like a news site's page: navigation, the headline right above its
# dateline, a body that shares no words with the headline, a recurring footer.
def _site_dump(headline: str, dateline: str, subject: str) -> str:
    return "\n\n".join(
        [
            "Explained\nCities\nPodcasts",
            "Hi, what are you looking for?",
            headline,
            dateline,
            f"Heavy rain lashed {subject} on Monday, flooding roads and disrupting train services.",
            "Officials said that relief camps had been set up across the district by evening.",
            "The weather office said a western disturbance would bring some relief later on.",
            "Written By",
            "Asha Rao",
            "© 2015-2024 Rest of World. All rights reserved.",
        ]
    )


def test_title_above_dateline_found_without_word_overlap():
    text = _site_dump(
        "Floods in Assam displace 106,541 people", "Published: 28 Jul 2023, 15:13 IST", "Bihar"
    )
    result = clean_dump(text)
    assert result.title == "Floods in Assam displace 106,541 people"
    assert result.published == "28 Jul 2023"
    assert result.outlet == "Rest of World"


def test_title_and_dateline_survive_learnt_boilerplate(tmp_path):
    # Templated headlines and same-month datelines repeat once digits are normalised
    # away; they must still be the title and the date of each page.
    paths = []
    for i, (city, day) in enumerate([("Pune", 3), ("Agra", 9), ("Kochi", 14), ("Surat", 21)]):
        path = tmp_path / f"p{i}.txt"
        headline = f"Sensex ends {10 + i * 7} points higher on banking gains"
        path.write_text(_site_dump(headline, f"Published: {day:02d} Dec 2024, 08:1{i} IST", city))
        paths.append(path)
    known = boilerplate_lines(learn_boilerplate(paths))["rest of world"]
    assert normalise_line("Published: 03 Dec 2024, 08:10 IST") in known
    assert normalise_line("Sensex ends 10 points higher on banking gains") in known
    for i, path in enumerate(paths):
        result = clean_dump(path.read_text(), boilerplate=known)
        assert result.title == f"Sensex ends {10 + i * 7} points higher on banking gains"
        assert result.published is not None and result.published.endswith("Dec 2024")
        assert "Explained" not in (result.body or "")


# --- cross-document evidence -------------------------------------------------------------


def _write_dumps(folder: Path, n: int, shared_lines: list[str]) -> list[Path]:
    paths = []
    for i in range(n):
        # Digits are normalised away, so the stories differ by a word.
        animal = ["heron", "otter", "badger", "falcon", "marten", "lynx"][i]
        body = f"The {animal} story tells a different tale about the town and its people."
        path = folder / f"d{i}.txt"
        path.write_text("\n".join([*shared_lines, body]), encoding="utf-8")
        (folder / f"d{i}.json").write_text(json.dumps({"url": f"https://example.org/a/{i}"}))
        paths.append(path)
    return paths


def test_learn_boilerplate_counts_per_outlet(tmp_path):
    footer = "Example Media is the best place for town news, and we love our readers dearly."
    paths = _write_dumps(tmp_path, 4, [footer])
    learnt = learn_boilerplate(paths)
    assert learnt["example.org"][DOCS_KEY] == 4
    assert learnt["example.org"][normalise_line(footer)] == 4
    lines = boilerplate_lines(learnt)
    assert normalise_line(footer) in lines["example.org"]
    # Each story line occurs once: below min_docs, not kept.
    assert not any("story tells" in line for line in learnt["example.org"])


def test_learn_boilerplate_merges_known(tmp_path):
    footer = "A footer line that recurs"
    paths = _write_dumps(tmp_path, 2, [footer])
    alone = learn_boilerplate(paths)
    assert normalise_line(footer) not in alone["example.org"]  # 2 < min_docs
    known = {"example.org": {DOCS_KEY: 3, normalise_line(footer): 1}}
    merged = learn_boilerplate(paths, known)
    assert merged["example.org"][normalise_line(footer)] == 3
    assert merged["example.org"][DOCS_KEY] == 5
    assert normalise_line(footer) in boilerplate_lines(merged)["example.org"]


def test_boilerplate_lines_share_threshold():
    learnt = {"big": {DOCS_KEY: 1000, "rare line": 5, "footer": 990}}
    assert boilerplate_lines(learnt, min_share=0.1) == {"big": {"footer"}}


def test_read_textdump_uses_learnt_boilerplate(tmp_path):
    recurring = "Members of the council said that the plan would keep the libraries open."
    paths = _write_dumps(tmp_path, 3, [recurring])
    opts = ReadOptions(boilerplate=boilerplate_lines(learn_boilerplate(paths)))
    [row] = _rows(read_textdump(paths[0], opts))
    assert recurring not in (row["body"] or "")


# --- the reader --------------------------------------------------------------------------


def test_read_textdump_sidecar_beside(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("\n".join(ARTICLE), encoding="utf-8")
    path.with_suffix(".json").write_text(
        json.dumps({"url": "https://ledger.example/x", "publish_date": "2024-05-03"})
    )
    read = read_textdump(path, ReadOptions())
    assert (read.format, read.layout) == ("txt", "page")
    [row] = _rows(read)
    assert row["source_locator"] == "file"
    assert row["extraction_method"] == "textdump"
    assert row["url"] == "https://ledger.example/x"
    assert row["published"] == "2024-05-03"
    assert row["date_source"] == "sidecar"
    assert json.loads(row["authors"]) == ["Jane Roe", "John Doe"]
    assert row["reject_reason"] is None


@pytest.mark.parametrize(
    ("content", "sidecar", "reason"),
    [
        (b"", None, "empty_file"),
        (b"  \n\n", None, "empty_file"),
        (b"\x00\x01binary", None, "not_text"),
    ],
)
def test_read_textdump_rejects(tmp_path, content, sidecar, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [row] = _rows(read_textdump(path))
    assert row["reject_reason"] == reason
    assert row["reject_detail"]


@pytest.mark.parametrize("sidecar", ["{not json", "[1, 2]"])
def test_read_textdump_bad_sidecar_is_a_reject_beside_the_dump(tmp_path, sidecar):
    path = tmp_path / "page.txt"
    path.write_text("\n".join(ARTICLE), encoding="utf-8")
    path.with_suffix(".json").write_text(sidecar)
    page, problem = _rows(read_textdump(path))
    assert page["reject_reason"] is None and page["body"]  # the dump is still read
    assert problem["source_locator"] == "sidecar:page.json"
    assert problem["reject_reason"] == "malformed_sidecar"
    assert "page.json" in problem["reject_detail"]


def test_read_textdump_missing_file(tmp_path):
    from policykit.errors import SourceError

    with pytest.raises(SourceError, match="missing.txt"):
        read_textdump(tmp_path / "missing.txt")


@pytest.fixture(scope="module")
def newspaper4k():
    if not NEWSPAPER4K.is_dir():
        pytest.skip(f"newspaper4k test data {NEWSPAPER4K} is not available")
    return sorted((NEWSPAPER4K / "txt").glob("*.txt"))


def test_newspaper4k_with_manifest_sidecars(newspaper4k):
    rows = {}
    for path in newspaper4k:
        [rows[path.stem]] = _rows(read_textdump(path))
    assert len(rows) == 28
    assert all(r["reject_reason"] is None for r in rows.values())
    joined = [k for k, r in rows.items() if r["url"] and r["title"]]
    # 20 dumps have a metadata record through manifest.tsv; the manifest gives a URL to
    # some text-only ones as well, so count by the metadata title instead.
    with_meta = {p.stem for p in (NEWSPAPER4K / "metadata").glob("*.json") if (p.stem in rows)}
    assert len(with_meta) == 20
    assert with_meta <= set(joined)
    japanese = rows["japanese_article"]
    assert japanese["published"] == "2018-06-19T05:50:00+09:00"
    assert japanese["title"].startswith("米朝首脳直通電話")
    # UTF-8 round trip: the body is made of the file's own lines.
    text = (NEWSPAPER4K / "txt" / "thai_article.txt").read_text(encoding="utf-8")
    lines = {line.strip() for line in text.splitlines()}
    assert set(rows["thai_article"]["body"].split("\n")) - {""} <= lines


def test_newspaper4k_clean_bodies_are_kept(newspaper4k):
    shares = {}
    for path in newspaper4k:
        text = path.read_text(encoding="utf-8")
        result = clean_dump(text)
        total = sum(len(line.strip()) for line in text.splitlines())
        kept = sum(len(line) for line in (result.body or "").splitlines())
        kept += len(result.title or "")
        shares[path.stem] = kept / total
    # These files are already clean article bodies in 12 languages.
    assert min(shares.values()) >= 0.8, shares
    assert sum(shares.values()) / len(shares) >= 0.95, shares


# --- properties --------------------------------------------------------------------------

LINES = st.lists(
    st.one_of(
        st.text(max_size=200),
        st.sampled_from(ARTICLE),
        st.just(""),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(LINES)
def test_clean_dump_only_removes(lines):
    text = "\n".join(lines)
    result = clean_dump(text)
    originals = {line.strip() for line in text.splitlines()}
    if result.body is not None:
        for line in result.body.split("\n"):
            assert line == "" or line in originals
    if result.title is not None:
        assert result.title in originals
    removed = [line for line, _ in result.removed]
    assert set(removed) <= originals
