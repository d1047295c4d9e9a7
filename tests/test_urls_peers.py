"""canonical_url against the peer libraries (issue 11, "URLs: one key per URL").

Each input goes through policykit and through each peer (courlan's ``normalize_url``,
w3lib's ``canonicalize_url``, url-normalize's ``url_normalize``), the peers acting as
oracles. A peer's output is first passed through :func:`policy`, an independent
rewrite of policykit's documented policy (docs/normalisation.md, "URL policy"): https,
no www./m./mobile./amp., no default port, no tracking parameters, sorted query, no
trailing slash, punycode hosts, only hash-bang fragments. Then:

- ``agree``: the peer's raw output is policykit's key;
- ``policy``: equal after :func:`policy`;
- ``peer``: a documented divergence of the peer from RFC 3986 section 6 or from our
  stated choices (see ``PEER_DIFFERENCES``), each checked by a predicate that must hold;
- ``wrong``: anything else. The tests require none.

Run ``pytest -s tests/test_urls_peers.py -k counts`` to print the tally.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import idna
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from policykit.normalise import TRACKING_PARAMS, TRACKING_PREFIXES, canonical_url

courlan = pytest.importorskip("courlan")
w3lib_url = pytest.importorskip("w3lib.url")
url_normalize_mod = pytest.importorskip("url_normalize")


def _courlan(u: str) -> str:
    return courlan.normalize_url(u)


def _w3lib(u: str) -> str:
    return w3lib_url.canonicalize_url(u)


def _url_normalize(u: str) -> str:
    return url_normalize_mod.url_normalize(u)


PEERS = {"courlan": _courlan, "w3lib": _w3lib, "url-normalize": _url_normalize}

# --- the documented policy, written again here (not imported from the code under test)

_PREFIX = re.compile(r"^(?:(?:www|m|mobile|amp)\.)*([^.]+\..+)\Z")


def _tracking(param: str) -> bool:
    key, _, value = param.partition("=")
    key = key.lower()
    return (
        key in TRACKING_PARAMS
        or key.startswith(TRACKING_PREFIXES)
        or key == "amp"
        or (key == "outputtype" and value.lower() == "amp")
    )


def policy(url: str) -> str:
    """Apply policykit's policy (not RFC 3986) to a peer's output."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.isascii():
        host = idna.encode(host, uts46=True).decode()
    host = _PREFIX.sub(r"\1", host.lower())
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub("//+", "/", parts.path).rstrip("/") or "/"
    params = [p for p in parts.query.split("&") if p and not _tracking(p)]
    # url-normalize writes a hash-bang as Google's ?_escaped_fragment_= form: same identity
    fragment = parts.fragment
    escaped = [p for p in params if p.startswith("_escaped_fragment_=")]
    if escaped:
        params.remove(escaped[0])
        fragment = "!" + escaped[0].split("=", 1)[1]
    fragment = fragment if fragment.startswith("!") and fragment != "!" else ""
    return urlunsplit(("https", netloc, path, "&".join(sorted(params)), fragment))


# --- documented peer divergences: (name, predicate(input, peer_output, ours)) ----------


def _rfc(u: str) -> str:
    # url-normalize as an RFC 3986 section 6 normaliser for peers that skip it
    return policy(_url_normalize(u))


def _query_params(url: str) -> list[str]:
    return urlsplit(url).query.split("&") if urlsplit(url).query else []


def _swap_query(url: str, query: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, p.path, query, p.fragment))


def _same(u: str, x: str) -> str:
    return x


def _form_query(u: str, x: str) -> str:
    return _swap_query(x, "&".join(p.rstrip("=").replace("+", "%20") for p in _query_params(x)))


#: reason -> (peers it applies to, rewrite of the peer's policy output, rewrite of ours).
#: A difference is explained when, after the rewrites of at most two reasons, both match.
def _empty_then_dots(u: str) -> bool:
    """A path with an empty segment ('//') before a '..' segment: RFC 3986 section 5.2.4
    lets '..' remove the empty segment ('/a//..' -> '/a/'), which is what canonical_url
    does before folding '//'; url-normalize and courlan fold '//' first ('/a/..' -> '/')."""
    segments = urlsplit(scrub(u)).path.split("/")[1:]
    dots = [i for i, seg in enumerate(segments) if seg.lower() in ("..", "%2e%2e")]
    return any(seg == "" and any(d > i for d in dots) for i, seg in enumerate(segments))


_EMPTY_THEN_DOTS = "(order of '//' folding and dot-segment removal)"

PEER_DIFFERENCES = {
    # '/a//..': we remove dot segments (RFC 3986 section 5.2.4) before the policy folds
    # '//'; these peers fold first. Both keys are one article either way; only an input
    # with both an empty segment and a later '..' differs (found by make fuzz)
    "url-normalize/courlan: '//' folded before '..'": (
        {"url-normalize", "courlan"},
        lambda u, x: _EMPTY_THEN_DOTS if _empty_then_dots(u) else x,
        lambda u, x: _EMPTY_THEN_DOTS if _empty_then_dots(u) else x,
    ),
    # courlan keeps dot segments, lower-case and unreserved escapes, ':081' (no RFC 3986
    # section 6.2.2 step), and writes some ASCII characters as escapes
    "courlan: no RFC 3986 section 6 step": (
        {"courlan"}, lambda u, x: _rfc(x), _same,
    ),
    # w3lib maps a name with IDNA 2003 ('faß.de' -> 'fass.de'); we follow IDNA 2008
    "w3lib: IDNA 2003": (
        {"w3lib"},
        _same,
        lambda u, x: canonical_url(u.replace("ß", "ss"))
        if "ß" in (urlsplit(u).hostname or "") else x,
    ),
    # w3lib and courlan drop every fragment: the hash-bang false merge we fixed
    "w3lib/courlan: hash-bang dropped": (
        {"w3lib", "courlan"}, _same, lambda u, x: x.split("#", 1)[0] if "#!" in u else x,
    ),
    # w3lib and courlan read the query as a form: '%20' -> '+', a bare 'b' -> 'b='
    "w3lib/courlan: form-encoded query": ({"w3lib", "courlan"}, _form_query, _form_query),
    # courlan drops parameters without a value ('?a=&b')
    "courlan: blank parameters dropped": (
        {"courlan"},
        _same,
        lambda u, x: _swap_query(
            x, "&".join(p for p in _query_params(x) if p.partition("=")[2])
        ),
    ),
    # w3lib decodes escapes of characters a path may hold literally ('%3A' -> ':'):
    # RFC 3986 section 6.2.2.2 decodes only unreserved ones, as we do
    "w3lib: reserved escapes decoded": (
        {"w3lib"},
        _same,
        lambda u, x: x.replace("%3A", ":").replace("%40", "@"),
    ),
    # w3lib keeps a '%' that starts no escape; we write it '%25' like url-normalize
    "w3lib: stray % kept": (
        {"w3lib"},
        _same,
        lambda u, x: x.replace("%25", "%") if re.search(r"%(?![0-9a-fA-F]{2})", u) else x,
    ),
    # courlan and url-normalize escape '|' and "'" (RFC 3986 lets them stand; so do we)
    "escapes of | and '": (
        {"courlan", "url-normalize"},
        lambda u, x: x.replace("%7C", "|").replace("%27", "'"),
        _same,
    ),
}  # fmt: skip


def scrub(u: str) -> str:
    """The scraper's leftovers policykit repairs before RFC 3986 (written again here):
    C0 controls and spaces at the ends and tabs/newlines anywhere (the WHATWG URL parser
    drops them), a CDATA wrapper, '&' written as an HTML entity."""
    u = re.sub(r"[\t\n\r]", "", u.strip("".join(map(chr, range(33)))))
    if u.startswith("<![CDATA[") and u.endswith("]]>"):
        u = u[9:-3].strip()
    return re.sub(r"&(amp|#0*38);", "&", u, flags=re.I)


def classify(u: str, name: str, peer: str, ours: str | None) -> str:
    if peer == ours:
        return "agree"
    if ours is None:
        return "wrong"
    try:
        if policy(peer) == ours:
            return "policy"
    except ValueError:  # the peer's output is no URL urlsplit reads ('[' in a host)
        pass
    if scrub(u) != u:
        # the peer's canonicaliser takes the markup as part of the URL (courlan's
        # scrub_url, a separate step, removes it): compare on the repaired input
        again = classify(scrub(u), name, PEERS[name](scrub(u)), ours)
        if again != "wrong":
            return "scraper markup repaired" + (
                "" if again in ("agree", "policy") else " + " + again
            )
    reasons = [r for r, (peers, _, _) in PEER_DIFFERENCES.items() if name in peers]
    combos = [(r,) for r in reasons] + list(itertools.combinations(reasons, 2))
    for combo in combos:
        mine, theirs = ours, policy(peer)
        for reason in combo:
            _, peer_fix, ours_fix = PEER_DIFFERENCES[reason]
            theirs, mine = peer_fix(u, theirs), ours_fix(u, mine)
        if theirs == mine:
            return " + ".join(combo)
    return "wrong"


# --- inputs: each RFC 3986 section 6 family, written the ways the peers' tests do -----

CASES = [
    # 6.2.2.1 case: scheme and host case-insensitive, escapes upper-case, path kept
    "HTTP://EXAMPLE.COM/a", "http://Example.com/A/b", "https://x.com/caf%c3%a9",
    "https://x.com/%3a%2f", "https://x.com/News/Story",
    # 6.2.2.2 percent-encoding: unreserved decoded, others kept upper-case
    "https://x.com/%7Euser", "https://x.com/~user", "https://x.com/%41%42c", "https://x.com/a%2Db",
    "https://x.com/a%5Fb%2Ec", "https://x.com/a%2Fb", "https://x.com/a%20b", "https://x.com/a b",
    "https://x.com/r%C3%A9sum%C3%A9", "https://x.com/résumé", "https://x.com/%E2%80%99",
    "https://x.com/’", "https://x.com/s?q=%7e", "https://x.com/s?q=ü", "https://x.com/a\"b<c>",
    "https://x.com/a|b", "https://x.com/a'b", "https://x.com/%zz", "https://x.com/100%",
    # 6.2.2.3 dot segments
    "https://x.com/a/./b", "https://x.com/a/../a/b", "https://x.com/./a", "https://x.com/../a",
    "https://x.com/a/b/..", "https://x.com/a/b/.", "https://x.com/a/b/../../c",
    "https://x.com/a/%2E/b", "https://x.com/a/%2E%2E/b", "https://x.com/.well-known/x",
    "https://x.com/a/.b/..c", "https://x.com/a/../../../b",
    # 6.2.3 scheme-based: default and zero-padded ports, empty path
    "https://x.com:443/a", "http://x.com:80/a", "https://x.com:081/a", "https://x.com:0443/a",
    "https://x.com:8080/a", "https://x.com:/a", "https://x.com", "http://x.com?a=1",
    # IDNA hosts (one host form: punycode)
    "https://bücher.de/a", "https://xn--bcher-kva.de/a", "https://BÜCHER.DE/a",
    "https://www.bücher.de/a", "https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/",
    "https://faß.de/", "https://xn--fa-hia.de/", "https://例え.テスト/a",
    # fragments: dropped, except a hash-bang
    "https://example.com/#!5753509/hello-world", "https://example.com/a#top",
    "https://example.com/#!", "https://example.com/p#!x/y?z",
    # query: sorted, tracking removed, values as written
    "https://x.com/s?b=2&a=1", "https://x.com/s?utm_source=x&id=1", "https://x.com/s?a=&b",
    "https://x.com/s?q=a+b", "https://x.com/s?q=%20", "https://x.com/s?fbclid=1",
    "https://x.com/s?a=1&a=0", "https://x.com/s?", "https://x.com/s?&&a=1",
    # policy: www., trailing slash, https, empty segments
    "http://www.x.com/a/", "https://m.x.com/a", "https://x.com/a//", "https://www.x.com",
    "https://x.com//a", "https://x.com/a///b//",
    # markup and whitespace a scraper leaves: tab/newline inside, C0 controls at the ends,
    # a CDATA wrapper, '&' as an HTML entity
    "https://x.com/a\tb", "https://x.com/a\n/b", "\x19https://x.com/a\x06",
    "<![CDATA[https://x.com/a?b=1]]>", "https://x.com/s?a=1&amp;b=2", "https://x.com/s?a=1&#038;b=2",
]  # fmt: skip


def _run(urls):
    tally: dict[str, Counter] = {name: Counter() for name in PEERS}
    wrong = []
    for u in urls:
        ours = canonical_url(u)
        for name, peer_fn in PEERS.items():
            try:
                peer = peer_fn(u)
            except Exception:  # a peer that raises is no oracle for that input
                tally[name]["peer error"] += 1
                continue
            verdict = classify(u, name, peer, ours)
            tally[name][verdict] += 1
            if verdict == "wrong":
                wrong.append((name, u, peer, ours))
    return tally, wrong


def test_peer_table_has_no_unexplained_difference():
    tally, wrong = _run(CASES)
    assert wrong == []
    # the oracles are really used: most cases agree with each peer at least under policy
    for name, counts in tally.items():
        assert counts["agree"] + counts["policy"] > len(CASES) / 2, (name, counts)


def test_peer_counts(capsys):
    tally, wrong = _run(CASES)
    total = Counter()
    for counts in tally.values():
        total.update(counts)
    with capsys.disabled():
        print(f"\nURL peers on {len(CASES)} inputs x {len(PEERS)} peers:")
        for name, counts in tally.items():
            print(f"  {name}: {dict(sorted(counts.items()))}")
        print(f"  total: {dict(sorted(total.items()))}")
    assert sum(total.values()) == len(CASES) * len(PEERS)


def test_every_rfc_family_merges_with_url_normalize():
    # url-normalize implements RFC 3986 section 6 and IDNA 2008: after the policy, the
    # keys must be the same for every case that it and policykit both accept
    # (on the input without the scraper's markup, which url-normalize takes as a path)
    mismatched = [
        (u, policy(_url_normalize(scrub(u))), canonical_url(u))
        for u in CASES
        if canonical_url(u) is not None
        and classify(scrub(u), "url-normalize", _url_normalize(scrub(u)), canonical_url(u))
        not in ("agree", "policy", "escapes of | and '")
    ]
    assert mismatched == []


# --- generated URLs --------------------------------------------------------------------


@st.composite
def rfc_urls(draw):
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = draw(
        st.sampled_from(
            ["example.com", "www.example.com", "Example.COM", "bücher.de", "xn--bcher-kva.de",
             "news.bbc.co.uk", "m.x.org", "пример.рф", "faß.de"]
        )
    )  # fmt: skip
    port = draw(st.sampled_from(["", "", ":80", ":443", ":8080", ":081", ":0443"]))
    segment = st.sampled_from(
        ["a", "B", ".", "..", "%7E", "%7e", "~", "%41", "%2F", "%2f", "r%C3%A9", "é", "a-b",
         "%E2%80%99", "x.html", "2022", "%2E", "_", "", "a\tb"]
    )  # fmt: skip
    path = "/" + "/".join(draw(st.lists(segment, max_size=5)))
    param = st.sampled_from(["a=1", "b=2", "id=%7E", "q=%C3%BC", "utm_source=x", "z=", "c=é"])
    params = draw(st.lists(param, max_size=3))
    amp = draw(st.sampled_from(["&", "&", "&amp;", "&#038;"]))
    query = ("?" + amp.join(params)) if params else ""
    fragment = draw(st.sampled_from(["", "#top", "#!12/story", "#!a%7Eb"]))
    return f"{scheme}://{host}{port}{path}{query}{fragment}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rfc_urls())
def test_generated_urls_agree_with_url_normalize_modulo_policy(url):
    ours = canonical_url(url)
    assert ours is not None
    verdict = classify(url, "url-normalize", _url_normalize(url), ours)
    assert verdict != "wrong", (url, _url_normalize(url), ours)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rfc_urls())
@example("http://example.com/a//..")  # found by make fuzz
def test_generated_urls_one_key_per_rfc_spelling(url):
    # the RFC 3986 section 6 normal form of a URL (by url-normalize) is the same URL: it
    # must get the same key as the URL itself
    # (through the policy: url-normalize writes '#!x' as '?_escaped_fragment_=x'; and on
    # the input without a scraper's markup, which url-normalize keeps)
    # (except '/a//..', where url-normalize folds '//' before removing dot segments and
    # RFC 3986 section 5.2.4 does not: the documented difference in PEER_DIFFERENCES)
    assume(not _empty_then_dots(url))
    assert canonical_url(policy(_url_normalize(scrub(url)))) == canonical_url(url)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rfc_urls())
@example("http://example.com/a//..")  # found by make fuzz
def test_generated_urls_against_w3lib_and_courlan(url):
    ours = canonical_url(url)
    for name in ("w3lib", "courlan"):
        peer = PEERS[name](url)
        assert classify(url, name, peer, ours) != "wrong", (name, url, peer, ours)


# --- the SQL twin on the same inputs ----------------------------------------------------


@pytest.fixture(scope="module")
def con():
    import duckdb

    from policykit.normalise import install_macros

    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


def _sql_disagreements(con, urls):
    rows = con.execute(
        "SELECT v, pk_canonical_url(v), pk_url_needs_python(v) FROM "
        "(SELECT unnest($1::VARCHAR[]) AS v)",
        [urls],
    ).fetchall()
    return [(u, sql) for u, sql, flagged in rows if not flagged and sql != canonical_url(u)]


def test_sql_twin_agrees_or_flags_on_the_peer_table(con):
    assert _sql_disagreements(con, CASES) == []
    # the plain ASCII URL stays in SQL: only the RFC 3986 families that need code points
    # or a loop are flagged
    flagged = con.execute(
        "SELECT list(v) FILTER (WHERE pk_url_needs_python(v)) FROM (SELECT unnest($1) AS v)",
        [["https://x.com/news/a-1.html", "https://x.com/s?b=2&a=1", "https://x.com:8080/a",
          "https://x.com/a%2Fb", "https://x.com/a/./b", "https://bücher.de/", "https://x.com/#!1"]],
    ).fetchone()[0]  # fmt: skip
    assert flagged == ["https://x.com/a/./b", "https://bücher.de/", "https://x.com/#!1"]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(rfc_urls(), min_size=20, max_size=60))
def test_sql_twin_agrees_or_flags_on_generated_urls(con, urls):
    assert _sql_disagreements(con, urls) == []


# --- end to end: the ingest's dedup sees one key per URL ------------------------------


def test_ingest_keeps_hash_bang_articles_and_merges_rfc_spellings(tmp_path):
    import json

    import policykit as pk
    from policykit.ingest import ingest

    # distinct titles and days, so only the URL key can merge records
    records = []
    for n in range(6):  # six hash-bang articles of one site: six articles
        records.append((f"https://example.com/#!{5753509 + n}/story-{n}", n))
    spellings = [  # one article written five ways (RFC 3986 section 6 and IDNA)
        "https://bücher.de/a/./r%C3%A9sum%C3%A9/%7Eed",
        "http://xn--bcher-kva.de:080/a/../a/résumé/~ed",
        "https://BÜCHER.de/a/r%c3%a9sum%c3%a9/%7eed/",
        "https://www.bücher.de./a/r%C3%A9sum%C3%A9/~ed#top",
        "https://xn--bcher-kva.de:0443/./a/r%C3%A9sum%C3%A9/~ed",
    ]
    records += [(u, 10 + i) for i, u in enumerate(spellings)]
    path = tmp_path / "crawl.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for url, n in records:
            rec = {
                "url": url,
                "title": f"A headline that is number {n} of the test",
                "published": f"2023-02-{n + 1:02d}T10:00:00Z",
                "scraped_at": "2023-03-01T12:00:00Z",
                "text": f"Body {n}.",
            }
            fh.write(json.dumps(rec) + "\n")
    db = tmp_path / "t.duckdb"
    report = ingest([path], db=db, enrich=False)
    (result,) = report.files
    with path.open(encoding="utf-8") as fh:
        lines = sum(1 for _ in fh)
    assert result.records_read == lines
    assert (result.new_articles, result.duplicates, result.rejects) == (
        6 + 1,
        len(spellings) - 1,
        0,
    )
    con = pk.connect(db, read_only=True)
    urls = [r[0] for r in con.execute("SELECT canonical_url FROM articles").fetchall()]
    domains = {r[0] for r in con.execute("SELECT domain FROM articles").fetchall()}
    con.close()
    assert sorted(urls) == sorted({canonical_url(u) for u, _ in records})
    assert "xn--bcher-kva.de" in domains
