"""Line families and article bounds added for issue 11, and the bylines of
``textdump_authors``: table-driven cases on short dumps written for these tests (shaped
like the trafilatura_eval pages turned into dumps; no text copied from them)."""

from __future__ import annotations

import re

import pytest

from policykit.evaluate_dumps import TokenCounts, half_of, tokens
from policykit.sources.textdump import _pattern_kind, _slug_tokens, clean_dump
from policykit.sources.textdump_authors import byline_names, date_line, names_from
from policykit.sources.textdump_structure import is_other_link

P1 = (
    "The regional council approved the new water plan on Tuesday evening, after a debate "
    "that went on for more than four hours and ended with a narrow vote."
)
P2 = (
    "Farmers in the valley had asked for the plan for years, and they said that the new "
    "rules would finally give them a fair share of the water in dry summers."
)
P3 = (
    "The opposition said that the plan was rushed and that it would cost the towns on the "
    "river more than the council had admitted in its own reports."
)
P4 = (
    "The council will publish the details of the plan next month, and a public hearing is "
    "planned for the first week of June in the town hall of the capital."
)
P5 = (
    "Environmental groups welcomed the vote but said that they would watch closely how the "
    "new limits on wells are enforced during the next drought."
)
HEADLINE = "Council approves the new water plan"


def _dump(*lines: str) -> str:
    return "\n".join(lines)


# --- line families (data/boilerplate_patterns.txt) ---------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        # captions that end with their credit, in several languages
        ("The new bridge over the river at dawn. Foto: Max Muster", "caption"),
        ("Der Hafen im Winter. Kuva: Anna Virtanen", "caption"),
        ("Ein Skifahrer im Ziel. © AFP / Jean Dupont", "caption"),
        ("Students at the gate of the campus (Credit: Jane Roe / Example)", "caption"),
        ("Protesters in front of the parliament (REUTERS/John Doe)", "caption"),
        ("Un grupo de turistas en la playa el 3 de mayo. EFE", "caption"),
        ("Abbildung 3: Die Schneehöhe am Gletscher im Vergleich.", "caption"),
        ("Ein Feld im Sommer. Foto: Max Muster | flickr | CC BY 2.0", "caption"),
        # credits with a dot inside (a domain, a version, "St . Gallen"), or glued to
        # the caption's last sentence
        ("A crowd in the square at noon.Photograph: Jane Roe", "caption"),
        ("Die Bühne im Herbst. Bild: Max Muster/Theater St . Gallen", "caption"),
        ("Ein Stapel Ziegel im Hof. - © muster_ - stock.example.com", "caption"),
        ("Ein Feld im Sommer. Foto: Max Muster/cc by sa 2.0", "caption"),
        # teasers for other stories, inline
        ("Le puede interesar: El gobierno anuncia nuevas medidas", "related"),
        ("LEA TAMBIÉN: Las claves del nuevo presupuesto", "related"),
        ("À lire aussi » Les dix villes les plus chères", "related"),
        ("Auch lesen: Diese Städte sind am teuersten", "related"),
        ("Next: How the valley got its water", "related"),
        ("Otras Noticias", "related"),
        ("Explore further", "related"),
        # share buttons, newsletters, support appeals
        ("Diesen Artikel teilen", "share"),
        ("URL zum Kopieren", "share"),
        ("Jump to RecipePrint Recipe", "share"),
        ("Sign up to get the best stories of the week in your inbox.", "newsletter"),
        ("Never miss a story by signing up to our newsletter today!", "newsletter"),
        ("The Daily Example Would Like To Send You Push Notifications.", "newsletter"),
        ("Get the latest news straight to your phone with the Example app.", "newsletter"),
        ("If you liked this post, would you consider supporting our work?", "newsletter"),
        # the comment form, which ends the article
        ("Your email address will not be published. Required fields are marked *", "endmarker"),
        (
            "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert.",
            "endmarker",
        ),
        ("11 responses to “A long headline of the post”", "endmarker"),
        ("Hinterlasse eine Antwort", "endmarker"),
        ("1 reply on “A long headline of the post”", "endmarker"),
        ("5 Kommentare on “Ein langer Titel”", "endmarker"),
        # headings of a related box or of the comment section
        ("Mehr zum Thema auf example.de:", "related"),
        ("Weitere Artikel bei Example", "related"),
        ("Lesen Sie hier: Streit im Stadtrat um das Wasser", "related"),
        ("Beliebte Beiträge zum Thema:", "endmarker"),
        ("Ähnliche Artikel", "endmarker"),
        ("Ihre Meinung zu diesem Thema", "endmarker"),
        ("Was denkst du?", "endmarker"),
        ("What do you think?", "endmarker"),
        # boxes in or under the story: appeals, feedback, blocked embeds, licences
        (
            "Join thousands of readers who get our best stories delivered to their inboxes.",
            "newsletter",
        ),
        ("Wir informieren Sie regelmäßig zum Thema Wasser und über unsere Arbeit.", "newsletter"),
        ("Saat parhaat jutut suoraan sähköpostiisi!", "newsletter"),
        (
            "Wenn Ihnen der Text gefallen hat: Unterstützen Sie diese Form des Journalismus",
            "newsletter",
        ),
        ("Gefällt dir unser Magazin? Dann hilf uns weiter.", "newsletter"),
        ("Wie gefällt Ihnen unsere Website? Sagen Sie es uns!", "newsletter"),
        ("We want to hear what you think about this story. Write to us.", "newsletter"),
        ("Klicken Sie auf den Button, um den Inhalt von www.example.com zu laden.", "cookie"),
        ("Click the button below to load the content of example.com.", "cookie"),
        ("Dieser Text wurde veröffentlicht unter der Lizenz CC-BY-4.0.", "legal"),
        ("SUGGESTED CITATION Roe, Jane: A title, Example Blog, 2020/4/09.", "legal"),
        ("Bei diesem Beitrag handelt es sich um einen Blog aus der Community.", "legal"),
        ("This entry was posted in News. Bookmark the permalink.", "nav"),
        # comment rules, the post's image, a PDF button, the next post, an empty widget
        ("Bitte registrieren Sie sich und halten Sie sich an unsere Netiquette.", "endmarker"),
        ("Beitragsbild: Der Fluss im Sommer, Ausschnitt.", "caption"),
        ("Dieses Skript als PDF herunterladen", "share"),
        ("Herunterladen als PDF", "share"),
        ("Vorschau auf den nächsten Artikel", "related"),
        ("HIER KOSTENLOS ANMELDEN »", "newsletter"),
        ("Es gibt derzeit keine bevorstehenden Veranstaltungen.", "nav"),
        # site search, a social button's explainer, a contact form's privacy notice
        ("Search for articles and topics on Example", "nav"),
        ("Mit diesem Button kannst Du diese Folge zu einer Liste hinzufügen.", "share"),
        (
            "Wenn Sie uns per Kontaktformular Anfragen zukommen lassen, werden Ihre Angaben gespeichert.",
            "legal",
        ),
        ("Jetzt auch digital! Einfach hier klicken und registrieren!", "newsletter"),
        # tags, categories, disclaimers, author bios
        ("getaggt mit: Berlin, Demonstration, Grundeinkommen", "nav"),
        ("Filed under 2020 Election", "nav"),
        ("Kategorie: News", "nav"),
        ("Les opinions exprimées dans les blogs n'engagent que leurs auteurs.", "legal"),
        ("Dieser Beitrag gibt die Meinung des Autors wieder, nicht die der Redaktion.", "legal"),
        ("Jane Roe writes about housing and transport for the Example Times.", "bio"),
        ("Jane Roe is a Professor of Public Law at the University of Example.", "bio"),
    ],
)
def test_new_line_families(line, kind):
    assert _pattern_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        # prose that mentions the same words keeps its place in the article
        P1,
        "The photographer said that the credit for the idea belonged to her sister.",
        "Readers can share their own stories with the council until the end of the month.",
        "The newsletter of the farmers' union had warned about the plan in March.",
        "Next year the council wants to look at the river again, it said on Tuesday.",
        "Jane Roe, who writes about housing, said the plan was a step in the right direction.",
        # a source named in a sentence of the story, with figures in it
        "Die Quelle: das Amt hat 3.5 Mio. Euro gezahlt, sagte die Sprecherin am Montag.",
        "Ihre Meinung zu diesem Thema hat der Rat nicht gehört, sagte die Sprecherin.",
        "Was denkst du, wie lange das noch so weitergeht, fragte er den Bürgermeister.",
        "Mehr zum Thema auf der Versammlung im Mai.",
        "The council said the water would be delivered to the towns by the end of June.",
        "Wir informieren die Bürger über die neuen Regeln, sagte die Sprecherin.",
        "The citation in the report named the wrong river, the council admitted.",
        "Wie gefällt Ihnen die neue Brücke, fragte die Reporterin die Anwohner am Fluss.",
        "Hier anmelden konnten sich die Bauern bis Ende Mai, sagte der Verband am Montag.",
        "Die Netiquette des Rates verbietet Zwischenrufe, sagte die Vorsitzende.",
        "Search for the missing hikers went on until Sunday, the police said.",
    ],
)
def test_prose_is_not_boilerplate(line):
    assert _pattern_kind(line) is None


# --- article bounds ----------------------------------------------------------------------


def test_comment_count_in_the_header_does_not_end_the_article():
    dump = _dump(
        "Home", "News", HEADLINE, "By Jane Roe", "May 3, 2022", "3 Comments", "Share",
        P1, P2, P3, P4, "Leave a Reply", "Your name", "Post Comment",
    )  # fmt: skip
    body = clean_dump(dump).body
    for paragraph in (P1, P2, P3, P4):
        assert paragraph in body
    assert "Leave a Reply" not in body


def test_related_box_inside_the_article_is_skipped_not_an_end():
    teaser = "Council to vote on the budget next week"
    dump = _dump(HEADLINE, "By Jane Roe", P1, "Related", teaser, P2, P3, P4, P5, "Comments")
    result = clean_dump(dump)
    for paragraph in (P1, P2, P3, P4, P5):
        assert paragraph in result.body
    assert "Related" not in result.body.splitlines()


def test_recurring_box_of_headlines_and_names_inside_the_article_is_skipped():
    box = ("Most Popular", "Gear", "Ten tools for the home", "Jane Roe", "Science", "A comet")
    more = [p.replace("the ", "this ", 1) for p in (P1, P2, P3)]
    story = [P1, P2, P3, P4, *box, P5, *more, *box, *(p.replace("the ", "that ", 1) for p in more)]
    body = clean_dump(_dump(HEADLINE, *story)).body
    for paragraph in (P1, P2, P3, P4, P5, *more):
        assert paragraph in body
    assert "Ten tools for the home" not in body.splitlines()


def test_teaser_list_with_dates_after_the_article_is_not_a_box():
    teaser = (
        "The city wants to know what residents think about the new bus lines, and it will "
        "hold meetings in every district over the summer."
    )
    dump = _dump(
        HEADLINE, P1, P2, P3, "You may also like", "Bus plan", "27.10.2023", teaser, teaser,
        teaser, teaser,
    )  # fmt: skip
    body = clean_dump(dump).body
    assert P3 in body
    assert teaser not in body


def test_comment_marker_after_the_article_still_ends_it():
    comment = (
        "I think that the council should have waited for the report of the experts before "
        "voting on such an important plan for the whole valley."
    )
    dump = _dump(HEADLINE, P1, P2, P3, "2 Comments", "Peter", "May 4, 2022", comment, comment)
    body = clean_dump(dump).body
    assert P3 in body
    assert comment not in body


def test_comment_count_that_repeats_the_slug_is_not_the_headline():
    # "5 comments on <headline>" spells the URL slug too; the comments under it are
    # denser prose than a short post, yet the post is the article.
    comment = (
        "I think that the council should have waited for the report of the experts before "
        "voting on such an important plan for the whole valley, and many agree."
    )
    url = "https://blog.example.org/2020/01/05/council-approves-water-plan/"
    dump = _dump(
        "Example blog", HEADLINE, "Posted on 05.01.2020", P1, P2, "Share this:", "Related",
        "5 comments on “Council approves the new water plan”", "Peter says:", comment,
        "Anna says:", comment.replace("I think", "We think"), "Paul says:",
        comment.replace("I think", "They think"),
    )  # fmt: skip
    result = clean_dump(dump, sidecar={"url": url})
    assert P1 in result.body and P2 in result.body
    assert comment not in result.body
    assert result.title == HEADLINE


@pytest.mark.parametrize(
    "paywall",
    ["Möchten Sie weiterlesen?", "Already a subscriber? Log in", "Réservé aux abonnés"],
)
def test_lede_cut_off_before_a_paywall_is_the_article(paywall):
    lede = (
        "The regional council approved the new water plan on Tuesday evening, after a long "
        "debate that went on for more than four hours and ended…"
    )
    teaser = "Farmers in the valley had asked for the plan for years, and now they are…"
    dump = _dump("Home", "News", HEADLINE, "3 May 2022", lede, "Share", paywall, "Log in")
    assert lede in (clean_dump(dump).body or "")
    # the same kind of line without a paywall after it is still a teaser
    listing = _dump(HEADLINE, P1, P2, P3, "More news", "Valley farmers", teaser, "Footer")
    assert teaser not in clean_dump(listing).body


def test_hard_wrapped_paragraph_without_blank_lines_is_one_unit():
    # A <pre> or PDF text wrapped at ~70 columns, no blank lines between paragraphs:
    # each piece is short, the paragraph is prose.
    wrapped = [
        "The regional council approved the new water plan on Tuesday evening,",
        "after a debate that went on for more than four hours and ended with",
        "a narrow vote of the members who were still in the hall at midnight.",
        "Farmers in the valley had asked for the plan for years, and they said",
        "that the new rules would finally give them a fair share of the water.",
    ]
    dump = _dump("Home", "Menu", HEADLINE, *wrapped, "Tags", "Comments", "Contact")
    body = clean_dump(dump).body or ""
    for line in wrapped:
        assert line in body
    assert "Contact" not in body


@pytest.mark.parametrize(
    "after",
    [
        "von Jane Roe",  # a byline in lower case under the headline
        "Österreich feiert den Plan",  # an upper-case letter outside ASCII
        "mehr: Der Plan im Überblick",  # a link label
        "1 reply on “The new water plan for the valley”",  # starts with a digit
    ],
)
def test_lines_that_do_not_continue_a_sentence_stay_apart(after):
    from policykit.sources.textdump_lines import _units

    before = "The council approved the new water plan for the whole valley"
    units = _units(_dump(before, after))
    assert [u.lines for u in units] == [[before], [after]]


def test_labels_between_headline_and_prose_are_dropped():
    dump = _dump("Home", HEADLINE, "Print Recipe", "Bild via", P1, P2, P3)
    result = clean_dump(dump)
    assert "Print Recipe" not in result.body
    assert "Bild via" not in result.body
    assert result.body.startswith(P1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/articles/318674", set()),  # a page type, not the story
        ("https://example.com/news/story/123", set()),
        ("https://example.com/2022/05/water-plan-approved/", {"water", "plan", "approved"}),
    ],
)
def test_generic_path_words_are_not_a_slug(url, expected):
    assert _slug_tokens(url) == expected


# --- bylines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Roe and John Doe", ["Jane Roe", "John Doe"]),
        ("Jane Roe | jroe@example.com", ["Jane Roe"]),
        ("Mariano Ruiz mruiz@example.com.ar", ["Mariano Ruiz"]),
        ("Jane Roe, CNN", ["Jane Roe"]),
        ("Bob Smith, Example.org", ["Bob Smith"]),
        ("Jane Roe, Online-Redaktion", ["Jane Roe"]),
        ("Alex Example, Project Marketing, Example Inc", ["Alex Example"]),
        ("Perry Example Jr.", ["Perry Example Jr."]),
        ("Jane Roe on July 27, 2017", ["Jane Roe"]),
        ("Jane Roe am 3. Mai 2019", ["Jane Roe"]),
        ("Jane Roe, Datum: 03.03.19", ["Jane Roe"]),
        ("Recent Posts", None),  # a heading
        ("Redaktion example.de", None),  # the site
        ("the council", None),
    ],
)
def test_names_from(text, expected):
    assert names_from(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Roe", ["Jane Roe"]),
        ("ByJane Roe", ["Jane Roe"]),  # "<span>By</span><a>Jane Roe</a>" as a dump has it
        ("PorAna Ruiz", ["Ana Ruiz"]),
        ("Auteur : Jean Dupont", ["Jean Dupont"]),
        ("Text von Max Muster", ["Max Muster"]),
        ("Written by Jane Roe on July 27, 2017", ["Jane Roe"]),
        ("Bypass road opens next week", None),
        ("Paris is a city", None),
    ],
)
def test_byline_names(line, expected):
    assert byline_names(line) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # the lead word alone, the names on the next lines
        (("By", "Jane Roe"), ["Jane Roe"]),
        (("By", "David Example", "and", "Ramsey Sample"), ["David Example", "Ramsey Sample"]),
        (("Von", "Benjamin Muster und", "Marcus Beispiel"), ["Benjamin Muster", "Marcus Beispiel"]),
        (("Por", "Ana Ruiz @anaruiz"), ["Ana Ruiz"]),
        # a bare name beside the dateline, or inside it
        (("Jeanne Exemple", "19 février 2020"), ["Jeanne Exemple"]),
        (("Thomas Muster", "27.04.2020 - 18:50 Uhr"), ["Thomas Muster"]),
        (("04.02.2022 | 13:10 Uhr | Uta Beispiel",), ["Uta Beispiel"]),
        (("Ronja Muster / 16.11.2018, 03:00 Uhr",), ["Ronja Muster"]),
        # names inside a meta line
        (("12/04/2020 by Kay 24 Comments",), ["Kay"]),
        (("July 24, 2019 by Amy Example 5 Comments",), ["Amy Example"]),
        (("von Lars Muster und Alina Beispiel, 3. März 2020",), ["Lars Muster", "Alina Beispiel"]),
        # headings and section names beside a dateline are not people
        (("Recent Posts", "May 3, 2022"), []),
        (("Aktuelle Meldungen", "04.02.2022"), []),
    ],
)
def test_authors_in_the_header(lines, expected):
    dump = _dump("Home", HEADLINE, *lines, P1, P2, P3)
    assert clean_dump(dump).authors == expected


def test_words_of_the_headline_are_not_an_author():
    dump = _dump("Home", "Faire Lieferketten", "05.02.2020", "Faire Lieferketten", P1, P2, P3)
    assert clean_dump(dump).authors == []


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (("About the author", "Jane Roe", "Jane Roe covers water policy."), ["Jane Roe"]),
        (("Autor: Fritz Muster",), ["Fritz Muster"]),
        (("Text: Kirsten Beispiel / example.de",), ["Kirsten Beispiel"]),
    ],
)
def test_authors_after_the_story(tail, expected):
    dump = _dump(HEADLINE, P1, P2, P3, *tail, "© 2024 Example Media")
    assert clean_dump(dump).authors == expected


def test_sidecar_authors_still_win():
    dump = _dump(HEADLINE, "By Jane Roe", P1, P2, P3)
    assert clean_dump(dump, sidecar={"authors": ["A. Writer"]}).authors == ["A. Writer"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("miércoles, 4 de mayo de 2022 00:00 hs", "4 de mayo de 2022"),
        ("Publicado el 12 de junio de 2021", "12 de junio de 2021"),
        ("3. Mai 2019", "3. Mai 2019"),
        # Polish (genitive), Italian, Portuguese and Dutch month names
        ("opublikowano: 7 kwietnia 2021", "7 kwietnia 2021"),
        ("16 marca 2021", "16 marca 2021"),
        ("12 giugno 2019, 10:15", "12 giugno 2019"),
        ("3 de março de 2020", "3 de março de 2020"),
        ("Gepubliceerd op 5 mei 2020", "5 mei 2020"),
        ("Maja Nowak", None),  # a name that is also a month's stem
        (P1, None),  # prose is not a dateline
    ],
)
def test_date_line(line, expected):
    assert date_line(line) == expected


# --- evaluate_dumps scoring ----------------------------------------------------------------


def test_tokens_count_words_and_spaceless_characters():
    assert tokens("The plan, the PLAN.") == {"the": 2, "plan": 2}
    assert tokens("日本語") == {"日": 1, "本": 1, "語": 1}


def test_token_counts_micro_and_macro():
    counts = TokenCounts()
    counts.add("a b c d", "a b x y")  # 2 of 4 found right, 2 of 4 gold found
    counts.add("a", "a b c")  # 1 of 1, 1 of 3
    assert (counts.overlap, counts.found, counts.gold) == (3, 5, 7)
    assert counts.precision == pytest.approx(3 / 5)
    assert counts.recall == pytest.approx(3 / 7)
    assert counts.macro_f1 == pytest.approx((0.5 + 0.5) / 2)


def test_half_split_is_fixed_and_splits():
    urls = [f"https://example.com/story/{i}" for i in range(200)]
    halves = [half_of(u) for u in urls]
    assert halves == [half_of(u) for u in urls]
    assert 60 < sum(halves) < 140


# --- structural rules (textdump_structure) ---------------------------------------------

LEDE = (
    "Most gardeners know the old saying about hens and their eggs, but how many eggs a hen "
    "really lays depends on the breed, the season and the care it gets."
)
_TOPICS = (
    "breed", "season", "light", "food", "water", "age",
    "stress", "housing", "heat", "cold", "moult", "space",
)  # fmt: skip
SECTIONS = [f"How the {topic} changes laying" for topic in _TOPICS]
MENU = [f"Shop for {topic}" for topic in _TOPICS]


@pytest.mark.parametrize(
    ("label", "entries", "is_contents"),
    [
        # a contents list whose entries come back as the article's subheadings
        ("Contents", SECTIONS, True),
        ("Inhalt", SECTIONS, True),
        ("Table of contents:", SECTIONS, True),
        # the same label over entries that never come back (a menu): not a contents list
        ("Contents", MENU, False),
        # fewer than two thirds of the entries come back: not one either
        ("Contents", SECTIONS[:4] + MENU, False),
        # no contents label: the subheadings alone are not a list
        ("Shop", SECTIONS, False),
    ],
)
def test_contents_list_is_removed_and_keeps_the_lede(label, entries, is_contents):
    paragraphs = [P1, P2, P3, P4, P5] * 3
    sections = [line for k, head in enumerate(SECTIONS) for line in (head, paragraphs[k])]
    dump = _dump("Home", "Garden", HEADLINE, LEDE, label, *entries, *sections, "Imprint")
    result = clean_dump(dump, sidecar={"title": HEADLINE})
    body = result.body or ""
    toc = [line for line, reason in result.removed if reason == "toc"]
    assert toc == ([label, *entries] if is_contents else [])
    assert P1 in body and P5 in body
    if is_contents:
        # fourteen lines between lede and story would otherwise cut the lede off
        assert LEDE in body and SECTIONS[0] in body


@pytest.mark.parametrize(
    ("marker", "bio_kept"),
    [
        # an author box after the first paragraph ends the story, however long its bio
        ("About Jane Roe", False),
        ("About the author", False),
        ("Über die Autorin", False),
        # a comment count after one paragraph may still be the header: the search goes on
        ("3 Comments", True),
    ],
)
def test_author_box_after_the_first_paragraph_ends_the_story(marker, bio_kept):
    bio = (
        "Jane Roe has written about water, farming and the towns of the valley for the "
        "paper since 2009, and before that she taught history at the school in the capital "
        "for many years, where she also ran the school's newspaper and its radio station."
    )
    dump = _dump("Home", "News", HEADLINE, "12 May 2021", P1, "Share", marker, bio, "Footer")
    body = clean_dump(dump, sidecar={"title": HEADLINE}).body or ""
    assert P1 in body
    assert (bio in body) is bio_kept


def test_a_media_file_name_is_not_the_headline():
    # the slug's words are in the podcast file's name too; the headline is above it
    url = "https://example.org/2021/05/council-approves-water-plan/"
    bio = (
        "Jane Roe has written about water, farming and the towns of the valley for the paper "
        "since 2009, and before that she taught history at the school in the capital for "
        "many years, where she also ran the newspaper of the school and its radio station."
    )
    dump = _dump(
        "Council approves water plan",
        "12 May 2021",
        P1,
        "https://media.example.org/audio/council-approves-water-plan.mp3",
        "Share",
        "Related posts",
        "About Jane Roe",
        bio,
    )
    result = clean_dump(dump, sidecar={"url": url})
    assert P1 in (result.body or "")
    assert bio not in (result.body or "")


@pytest.mark.parametrize(
    ("tail", "dropped"),
    [
        # appeals to the reader after the story
        (["Sign up for our newsletter and get the best stories in your inbox."], True),
        (["Unterstützen Sie uns mit einer Spende, damit wir weiter berichten können."], True),
        (["Let us know in the comments what you think of the new plan!"], True),
        (["Gefällt dir unser Magazin? Dann folge uns auf allen Kanälen."], True),
        # a list at the end is content, kept
        (
            [
                "Water use per town in a dry summer: 120 litres",
                "Water use per farm in a dry summer: 900 litres",
            ],
            False,
        ),
        # a closing sentence that mentions a donation is the story's own
        (["The town said it would donate the old pumps to a museum."], False),
        # a closing sentence of the story is kept
        (["The council meets again on Friday to vote on the budget."], False),
    ],
)
def test_trailing_lines_after_the_story(tail, dropped):
    dump = _dump(HEADLINE, P1, P2, P3, *tail)
    result = clean_dump(dump, sidecar={"title": HEADLINE})
    body = result.body or ""
    assert P3 in body
    assert all((line not in body) is dropped for line in tail)


@pytest.mark.parametrize(
    ("line", "url", "expected"),
    [
        ("https://media.example.org/audio/water-plan.mp3", "https://example.org/water-plan/", True),
        ("www.example.org/files/water-plan.pdf", "https://example.org/water-plan/", True),
        # the page's own address, printed under the story, still locates the headline
        ("www.example.org/news/water-plan-101.html", "https://example.org/news/water-plan-101.html", False),
        ("https://example.org/news/water-plan/", "http://www.example.org/news/water-plan", False),
        # not a bare link
        ("Council approves the water plan", "https://example.org/water-plan/", False),
    ],
)  # fmt: skip
def test_is_other_link(line, url, expected):
    assert is_other_link(line, url) is expected


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        # a key and its value inside the story is a list item (a product, a setting)
        ("Earrings: Silverline", True),
        ("filename=$1", True),
        # one or two bare words that head nothing are a widget label
        ("Download", False),
        ("123 KB", False),
    ],
)
def test_key_value_lines_inside_the_story_are_content(line, kept):
    dump = _dump(HEADLINE, P1, P2, line, "Print", P3, P4)
    body = clean_dump(dump, sidecar={"title": HEADLINE}).body or ""
    assert P4 in body
    assert (line in body.splitlines()) is kept


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        # a date inside a phrase, past the header: a subheading of the story
        ("A strike that may run from 5 March until the summer", True),
        ("Ein Streik, der ab dem 5. März jeden Tag weitergeht", True),
        # a dateline: short, or with a label or a time
        ("5 March 2021", False),
        ("Updated: 5 March 2021, 10:15", False),
        ("Zuletzt aktualisiert am 5. März 2021", False),
    ],
)
def test_dated_phrases_inside_the_story_are_content(line, kept):
    # eight paragraphs first: the header zone (where datelines belong) is behind
    dump = _dump(HEADLINE, "12 May 2021", P1, P2, P3, P4, P1, P2, P3, P4, line, P5, "Imprint")
    body = clean_dump(dump, sidecar={"title": HEADLINE}).body or ""
    assert P5 in body
    assert (line in body.splitlines()) is kept


# --- the dek above the first paragraph, and labels that head chrome ----------------------

MENU = [f"Section {n}" for n in range(1, 13)]  # a long menu between headline and story


@pytest.mark.parametrize(
    ("dek", "kept"),
    [
        # a standfirst right above the story: reads like prose, no final stop
        ("The vote ends a dispute between the farmers and the towns that lasted years", True),
        # a menu label there is no dek
        ("Newsletter", False),
    ],
)
def test_the_dek_above_the_first_paragraph_is_kept(dek, kept):
    # the headline is far above (past the header zone): only the line right above the
    # first paragraph can be the dek
    dump = _dump(HEADLINE, *MENU, dek, P1, P2, P3, "Imprint")
    body = clean_dump(dump, sidecar={"title": HEADLINE}).body or ""
    assert P1 in body and P3 in body
    assert (dek in body) is kept
    assert "Section 12" not in body


@pytest.mark.parametrize(
    ("line", "chrome", "kept"),
    [
        # another story's headline above a share bar or a tag line: goes
        ("Why the river towns fear the next dry summer", "Share on Facebook", False),
        ("Highlights from the new issue", "Follow us on Twitter", False),
        # a subheading that heads the next paragraph: stays
        ("Why the river towns fear the next dry summer", P4, True),
        # a sentence above the chrome is the story's own
        ("The council will meet again on Friday.", "Share on Facebook", True),
        # a numbered list item above the chrome stays
        ("3. The river towns", "Share on Facebook", True),
    ],
)
def test_a_headline_that_heads_chrome_inside_the_story_goes(line, chrome, kept):
    dump = _dump("Home", HEADLINE, "12 May 2021", P1, P2, line, chrome, P3, P5, "Imprint")
    body = clean_dump(dump, sidecar={"title": HEADLINE}).body or ""
    assert P1 in body and P5 in body
    assert (line in body.splitlines()) is kept


# --- the last paragraph trailing off ("…") -----------------------------------------------

TRAILING = (
    "The council members said that they would meet again in the spring to look at what "
    "the new rules have changed for the towns, and then they would…"
)
OTHER_TEASER = "Farmers in the valley have asked for a new plan for years, and now they are…"


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        # under the last paragraph, then chrome: the story's own last paragraph
        (["Share this:", "Facebook", "Footer text"], True),
        (["Jane Roe", "Read the full story in our print issue"], True),
        # the first of a teaser list: another "…" line right below it
        (["Valley farmers", OTHER_TEASER, "Footer text"], False),
        ([OTHER_TEASER, "Footer text"], False),
    ],
)
def test_a_last_paragraph_that_trails_off_is_kept(after, kept):
    dump = _dump("Home", "News", HEADLINE, "3 May 2022", P1, P2, P3, TRAILING, *after)
    assert (TRAILING in (clean_dump(dump).body or "")) is kept


def test_a_trailing_line_under_a_headline_is_still_a_teaser():
    # not right under a paragraph of prose: a teaser for another story
    dump = _dump(HEADLINE, P1, P2, P3, "More news", "Valley farmers", TRAILING, "Footer text")
    assert TRAILING not in (clean_dump(dump).body or "")


def test_split_sections_match_what_the_whole_alternation_matches():
    from policykit.sources.textdump import _patterns

    lines = [
        "Advertisement", "Scroll down to continue reading", "Photo: Jane Roe", "Image credit",
        "Follow Jane Roe on Twitter for more", "Subscribe now to our newsletter", P1, P2,
        "A caption of a photo (Foto: Max Muster)", "Share this:", "Related", "© 2021 Example",
        "Read more about the council", "Der Hafen im Winter. Foto: Max Muster", "x ^ y",
    ]  # fmt: skip
    sections = _patterns()
    assert any(s.start is not None for s in sections)
    assert any(s.anywhere is not None for s in sections)
    for section in sections:
        # the oracle: the whole section as one alternation, searched
        whole = re.compile("|".join(f"(?:{p})" for p in section.patterns), re.IGNORECASE)
        for line in lines:
            assert section.search(line) == bool(whole.search(line)), (section.kind, line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # a verb or a label glued to the name (the dump lost the space between elements)
        ("Geschrieben vonJane Roe", ["Jane Roe"]),
        ("Veröffentlicht vonMax Muster 28. Februar 2016", ["Max Muster"]),
        ("Posted byJane Roe", ["Jane Roe"]),
        ("AuthorJane Roe", ["Jane Roe"]),
        ("AutorinErika Muster", ["Erika Muster"]),
        # words that start like a label are not bylines
        ("Autorenlexikon der Stadt", None),
        ("Authorised by the council", None),
        ("AutorInnen gesucht", None),
        ("Posted by", None),
    ],
)
def test_glued_labels_of_a_byline(line, expected):
    assert byline_names(line) == expected
