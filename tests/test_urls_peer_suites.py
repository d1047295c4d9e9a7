"""canonical_url on the peers' OWN test cases (issue 11, section 3).

tests/peers/url_cases.tsv holds the input -> expected pairs of the URL test suites of
w3lib (``canonicalize_url``), courlan (``normalize_url``, ``clean_url``, ``scrub_url``)
and url-normalize (``url_normalize`` and its component tables), read off their test
files (the header names the files and commits). For each case:

1. the installed peer must still give the suite's expected value (so the oracle is the
   one the suite describes);
2. policykit's key must match the expected value: ``agree`` (as written), ``policy``
   (after the documented policy, ``test_urls_peers.policy``), a documented peer
   difference (``test_urls_peers.PEER_DIFFERENCES``), or one of ``SUITE_REASONS``
   below, each a predicate that must hold for the case. Anything else is ``wrong``;
   the test requires none.

``pytest -s tests/test_urls_peer_suites.py -k counts`` prints the tally per suite.
``PK_URLS_MODULE=/path/to/urls.py`` runs the tally with another version of
``canonical_url`` (e.g. ``git show REV:src/policykit/normalise/urls.py``), which is how
docs/normalisation.md measured the counts before the fixes.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, unquote, unquote_to_bytes, urlsplit

import pytest

from policykit.normalise import canonical_url

courlan = pytest.importorskip("courlan")
w3lib_url = pytest.importorskip("w3lib.url")
url_normalize_pkg = pytest.importorskip("url_normalize")
from test_urls_peers import classify, policy  # noqa: E402  (after the importorskips)

_un = importlib.import_module("url_normalize.url_normalize")
_courlan_clean = importlib.import_module("courlan.clean")

CASES_FILE = Path(__file__).parent / "peers" / "url_cases.tsv"

#: url-normalize's component tables: how a component becomes a whole URL
WRAP = {
    "normalize_path": lambda c: "http://example.com" + (c if c.startswith("/") else "/" + c),
    "normalize_host": "http://{}/".format,
    "normalize_query": "http://example.com/?{}".format,
    "normalize_fragment": "http://example.com/#{}".format,
    "normalize_port": "http://example.com:{}/".format,
}

FUNCTIONS = {
    "canonicalize_url": w3lib_url.canonicalize_url,
    "normalize_url": courlan.normalize_url,
    "clean_url": courlan.clean_url,
    "scrub_url": courlan.scrub_url,
    "url_normalize": url_normalize_pkg.url_normalize,
}


def _unescape(field: str) -> str:
    return re.sub(
        r"\\(x[0-9a-f]{2}|\\)",
        lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)),
        field,
    )


def load_cases() -> list[dict]:
    cases = []
    with CASES_FILE.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            suite, source, call, raw, expected = line.rstrip("\n").split("\t")
            name, *options = call.split()
            kwargs = {k: v == "True" for k, v in (o.split("=") for o in options)}
            raw, expected = _unescape(raw), _unescape(expected)
            url = WRAP[name](raw) if name in WRAP else raw
            cases.append(
                {"line": n, "suite": suite, "source": source, "call": call, "name": name,
                 "kwargs": kwargs, "raw": raw, "url": url, "expected": expected}
            )  # fmt: skip
    return cases


CASES = load_cases()


def live(case: dict) -> str:
    """The installed peer's answer for the case (the component for a component table)."""
    if case["name"] in WRAP:
        fn = getattr(_un, case["name"])
        if case["name"] in ("normalize_path", "normalize_port"):
            return fn(case["raw"], "http")
        return fn(case["raw"])
    return FUNCTIONS[case["name"]](case["url"], **case["kwargs"])


def oracle(case: dict) -> str:
    """The peer's key for the whole URL: the suite's expected value, or for a component
    case url-normalize on the URL the component was put in."""
    if case["name"] in WRAP:
        return url_normalize_pkg.url_normalize(case["url"])
    return case["expected"]


# --- reasons for the differences the peers' own cases show, each checked ----------------

_ABSOLUTE = re.compile(r"(?i)^(?:https?:)?//|^www\.")


def _not_absolute_http(case, peer, ours):
    # relative references ('/../foo'), other schemes (mailto:, ftp:, urn:), bare text and
    # a host without a scheme: not an article URL, so a reject with a reason
    text = case["url"].strip()
    return ours is None and not _ABSOLUTE.match(text)


def _invalid_authority(case, peer, ours):
    # an empty DNS label ('.example.com'), a label IDNA cannot write ('xn--München.de'),
    # a port that is not a number (':string'): no one host form, so rejected
    if ours is not None:
        return False
    parts = urlsplit(case["url"])
    host = parts.hostname or ""
    try:
        port_ok = parts.port is not None or not parts.netloc.rpartition(":")[2]
    except ValueError:
        port_ok = False
    bad_host = "" in host.split(".") or (
        not host.isascii() and host.startswith("xn--")
    )  # fmt: skip
    return parts.scheme.lower() in ("http", "https") and (bad_host or not port_ok)


def _option_strict(case, peer, ours):
    # courlan's strict=True keeps only parameters it knows (page, id, ...): an option,
    # not our policy, which keeps every non-tracking parameter. Same URL otherwise.
    if not case["kwargs"].get("strict"):
        return False
    theirs = policy(peer)
    kept = set(urlsplit(theirs).query.split("&")) - {""}
    mine = [p for p in urlsplit(ours).query.split("&") if p in kept]
    return theirs == ours.split("?")[0] + ("?" + "&".join(mine) if mine else "")


def _option_blank_values(case, peer, ours):
    # w3lib's keep_blank_values=False drops 'b=' and 'c': an option; we keep them
    if case["kwargs"].get("keep_blank_values") is not False:
        return False
    mine = [p for p in urlsplit(ours).query.split("&") if p.partition("=")[2]]
    return policy(peer) == ours.split("?")[0] + ("?" + "&".join(mine) if mine else "")


def _courlan_tracker_pattern(case, peer, ours):
    # courlan drops any parameter its pattern matches (names with '_source', '_affiliate',
    # 'session', 'uid', ...); we drop only listed names, since such names also select
    # content on some sites. The parameters we keep must all match courlan's own pattern.
    if case["suite"] != "courlan":
        return False
    theirs = set(urlsplit(policy(peer)).query.split("&")) - {""}
    extra = [p for p in urlsplit(ours).query.split("&") if p and p not in theirs]
    return bool(extra) and all(
        _courlan_clean.TRACKERS_RE.search(p.split("=")[0]) for p in extra
    )  # fmt: skip


def _courlan_scrub_guess(case, peer, ours):
    # courlan's scrub_url guesses at another URL: it cuts at markup ('</a>', '"', '<'),
    # template braces ('{user_name}'), a trailing '&', or a second URL glued on, and
    # unwraps share links (twitter.com/share?url=X -> X). We keep the URL as written (a
    # share link is the share page), so the guessed URL must be a prefix of ours or a URL
    # inside the input.
    if case["name"] not in ("clean_url", "scrub_url") or ours is None:
        return False
    theirs = policy(peer)
    if ours.startswith(theirs.rstrip("/")):
        return True
    inner = [v for _, v in parse_qsl(urlsplit(case["url"]).query) if "://" in v]
    inner += [case["url"][m.start() :] for m in re.finditer(r"https?://", case["url"])][1:]
    return any(canonical_url(v) == theirs for v in inner)


def _nfc_of_escapes(case, peer, ours):
    # url-normalize applies Unicode NFC to the text its escapes hold ('C%CC%A7' ->
    # '%C3%87'): the octets change, which RFC 3986 section 6.2.2.2 never does (the server
    # sees other bytes); we keep them. Same URL after NFC of the decoded text.
    if case["suite"] != "url-normalize" or ours is None:
        return False
    strict = {"errors": "strict"}  # an escape that is not UTF-8 is the next reason
    return unicodedata.normalize("NFC", unquote(ours, **strict)) == unquote(policy(peer), **strict)


def _replacement_char(case, peer, ours):
    # url-normalize replaces an escape that is not UTF-8 ('%C7', Latin-1) by U+FFFD: a
    # peer bug, lossy (every Latin-1 query of a site would become one key); we keep it
    if case["suite"] != "url-normalize" or ours is None:
        return False
    return "%EF%BF%BD" in peer and unquote_to_bytes(ours) != unquote_to_bytes(policy(peer))


def _w3lib_form_reencoded(case, peer, ours):
    # w3lib rebuilds the query with urlencode: ',' '(' ')' become %2C %28 %29 and a bare
    # name gets '=' ('?1750,4' -> '?1750%2C4='). The same form data: equal after parsing.
    if case["suite"] != "w3lib" or ours is None:
        return False
    theirs, mine = urlsplit(policy(peer)), urlsplit(ours)
    same_form = parse_qsl(theirs.query, keep_blank_values=True) == parse_qsl(
        mine.query, keep_blank_values=True
    )
    return same_form and theirs._replace(query="") == mine._replace(query="")


#: reason -> predicate(case, peer key, our key); a case is explained when one holds
SUITE_REASONS = {
    "rejected: not an absolute http(s) URL": _not_absolute_http,
    "rejected: invalid host or port": _invalid_authority,
    "peer option: courlan strict=True": _option_strict,
    "peer option: w3lib keep_blank_values=False": _option_blank_values,
    "courlan: tracker pattern wider than our list": _courlan_tracker_pattern,
    "courlan: scrub_url guesses another URL": _courlan_scrub_guess,
    "url-normalize: NFC changes escaped octets": _nfc_of_escapes,
    "url-normalize: non-UTF-8 escape replaced by U+FFFD": _replacement_char,
    "w3lib: query re-encoded as a form": _w3lib_form_reencoded,
}


def verdict(case: dict, canonical=canonical_url) -> str:
    peer, ours = oracle(case), canonical(case["url"])
    if ours is not None:
        try:
            first = classify(case["url"], case["suite"], peer, ours)
        except (ValueError, UnicodeError):
            first = "wrong"
        if first != "wrong":
            return first
    elif peer is None:
        return "agree"
    for reason, holds in SUITE_REASONS.items():
        try:
            if holds(case, peer, ours):
                return reason
        except (ValueError, UnicodeError):
            continue
    return "wrong"


_POLICY_REASONS = ("rejected:", "peer option:", "scraper markup repaired")


def _category(v: str) -> str:
    """agree; policy (our documented policy, a reject with a reason, a peer option that
    is not our default); peer differs (a documented divergence of the peer); wrong."""
    if v in ("agree", "policy", "wrong"):
        return v
    return "policy" if v.startswith(_POLICY_REASONS) else "peer differs"


def tally(canonical=canonical_url):
    counts: dict[str, Counter] = {}
    wrong = []
    for case in CASES:
        v = verdict(case, canonical)
        counts.setdefault(case["suite"], Counter())[_category(v)] += 1
        counts.setdefault(case["suite"] + " reasons", Counter())[v] += 1
        if v == "wrong":
            wrong.append(
                (case["line"], case["suite"], case["url"], oracle(case), canonical(case["url"]))
            )
    return counts, wrong


# --- tests -----------------------------------------------------------------------------


def test_case_file_covers_each_peer():
    suites = Counter(c["suite"] for c in CASES)
    assert set(suites) == {"w3lib", "courlan", "url-normalize"}
    assert min(suites.values()) >= 40, suites


#: (suite, call, input) -> why the installed peer fails its own assertion; the suite's
#: expected value stays the oracle for these
PEER_FAILS_OWN_CASE = {
    ("courlan", "clean_url", "HTTPS://WWW.DWDS.DE:80/"): (
        "courlan 1.4.0 keeps ':80' on an https URL (80 is http's default port, not https's); "
        "its README example expects it dropped"
    ),
    ("url-normalize", "url_normalize", "http://example.com/?q=%C7"): (
        "url-normalize 3.1.0 keeps the Latin-1 escape '%C7' (as policykit does); the suite "
        "at 1d943e3 expects U+FFFD ('%EF%BF%BD')"
    ),
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['suite']}-{c['line']}")
def test_installed_peer_passes_its_own_case(case):
    # the oracle is the peer the suite describes: its own assertion still holds
    known = PEER_FAILS_OWN_CASE.get((case["suite"], case["call"], case["raw"]))
    assert (live(case) != case["expected"]) == bool(known), known


def test_no_unexplained_difference_on_the_peers_own_cases():
    _, wrong = tally()
    assert wrong == []


def test_every_reason_explains_a_case_and_holds_nowhere_it_should_not():
    # each documented reason is used, and none explains a case that agrees outright
    used = Counter(verdict(c) for c in CASES)
    assert [r for r in SUITE_REASONS if used[r] == 0] == []
    for case in CASES:
        if oracle(case) == canonical_url(case["url"]):
            continue
        if canonical_url(case["url"]) is not None:
            assert not _not_absolute_http(case, oracle(case), canonical_url(case["url"]))


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if verdict(c) in ("agree", "policy")],
    ids=lambda c: f"{c['suite']}-{c['line']}",
)
def test_sql_twin_agrees_or_flags_on_the_peers_own_cases(con, case):
    sql, flagged = con.execute(
        "SELECT pk_canonical_url($1), pk_url_needs_python($1)", [case["url"]]
    ).fetchone()
    assert flagged or sql == canonical_url(case["url"]), (case["url"], sql)


@pytest.fixture(scope="module")
def con():
    import duckdb

    from policykit.ingest import SQL
    from policykit.normalise import install_macros

    connection = duckdb.connect()
    install_macros(connection)
    connection.execute(SQL["macros"])  # the ingest's fast path (pk_canonical_url_fast)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    "url",
    [c["url"] for c in CASES if canonical_url(c["url"]) is not None]
    + ["https://hanxiao.io//404.html", "https://x.com/a//b/", "https://x.com//"],
)
def test_ingest_fast_path_agrees_on_the_peers_own_cases(con, url):
    # the ingest's plain-URL shortcut must give the full rule's key (or leave the URL to it)
    plain, fast, flagged = con.execute(
        "SELECT pk_url_is_plain($1), pk_canonical_url_fast($1), pk_url_needs_python($1)", [url]
    ).fetchone()
    assert (not plain and flagged) or fast == canonical_url(url), (url, fast)


def _canonical_from_env():
    path = os.environ.get("PK_URLS_MODULE")
    if not path:
        return canonical_url
    spec = importlib.util.spec_from_file_location("pk_urls_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.canonical_url


def test_peer_suite_counts(capsys):
    canonical = _canonical_from_env()
    counts, wrong = tally(canonical)
    if canonical is not canonical_url:
        # cases this version gets wrong or only peer-explained that policykit now agrees
        # with (outright or by policy): the 'fixed' column of docs/normalisation.md
        for case in CASES:
            then, now = _category(verdict(case, canonical)), _category(verdict(case))
            if then not in ("agree", "policy") and now in ("agree", "policy"):
                counts[case["suite"]]["fixed since"] += 1
    with capsys.disabled():
        print(f"\nURL cases from the peers' own suites ({len(CASES)}), canonical_url from "
              f"{os.environ.get('PK_URLS_MODULE') or 'policykit'}:")  # fmt: skip
        for suite in ("w3lib", "courlan", "url-normalize"):
            print(f"  {suite}: {dict(sorted(counts[suite].items()))}")
            print(f"    {dict(sorted(counts[suite + ' reasons'].items()))}")
        for row in wrong:
            print("  wrong:", row)
    suites = ("w3lib", "courlan", "url-normalize")
    assert sum(counts[s + " reasons"].total() for s in suites) == len(CASES)
