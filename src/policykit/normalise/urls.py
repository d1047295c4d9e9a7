"""URL rules: the canonical form of an article URL, its registered domain, and a
publication date recovered from its path.

The rules are written as regular expressions that the DuckDB macros in
``sql/normalise.sql`` repeat one for one (RE2 and Python ``re`` agree on these
patterns), so the hot path can run in SQL and the tests can prove both agree.
A URL is split with the regular expression of RFC 3986, appendix B, rather than
:func:`urllib.parse.urlsplit`, because that split is what SQL can do too.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

import idna
import tldextract

#: Query parameters that identify a click, a campaign or a share, never an article.
#: Compiled from the ClearURLs global rules, Firefox's query-stripping list and the
#: AdGuard tracking-parameter filter, keeping only names that no news CMS uses to
#: select content. Compared case-insensitively.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google, Microsoft, Yandex, Meta, TikTok, Twitter/X, LinkedIn click ids
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "fbclid",
        "ttclid", "twclid", "li_fat_id", "trk", "igshid", "igsh",
        # Google Analytics linker parameters
        "_ga", "_gl",
        # Mailchimp, HubSpot, Marketo, Oracle Eloqua, Vero
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp",
        "hsctatracking", "mkt_tok", "elqtrackid", "elqtrack", "vero_id", "vero_conv",
        # referrer and share markers
        "ref", "ref_src", "ref_url", "referrer", "sr_share", "__twitter_impression",
        "fb_action_ids", "fb_action_types", "fb_ref", "fb_source",
        "action_object_map", "action_type_map", "action_ref_map",
        # publishers' own campaign ids (NYT smid/smtyp/emc, MSN ocid, CNN/ABC cmpid,
        # Guardian CMP, FT ftag, AT Internet xtor, BBC/comScore ns_*, Yahoo guce_*)
        "cmpid", "cmp", "ocid", "smid", "smtyp", "emc", "ftag", "xtor", "ncid",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
        "guccounter", "guce_referrer", "guce_referrer_sig",
        "at_medium", "at_campaign", "s_cid", "wickedid", "rb_clickid", "clickid",
    }
)  # fmt: skip

#: Parameter name prefixes that are tracking whatever follows (Google's utm_*,
#: Matomo's mtm_* and pk_*, HubSpot ads hsa_*).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mtm_", "pk_", "hsa_")

#: Host prefixes that serve the same article as the bare host.
HOST_PREFIXES: tuple[str, ...] = ("www", "m", "mobile", "amp")

# --- the regular expressions shared with sql/normalise.sql --------------------------

# Leading/trailing C0 controls and spaces, and tabs and newlines anywhere: the WHATWG URL
# parser drops both (a URL broken over lines in a CSV cell, '\x19https://...' in a dump).
_TRIM = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+\Z")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# A URL taken from HTML or a feed without its markup decoded: a CDATA wrapper, and '&'
# written as an entity ('&amp;', '&#038;'), which would make 'amp;b=2' a parameter.
_CDATA = re.compile(r"(?s)^<!\[CDATA\[[\x00-\x20]*(.*?)[\x00-\x20]*\]\]>\Z")
_AMP_ENTITY = re.compile(r"(?i)&(?:amp|#0*38|#x0*26);")
# JSON/CSV exports write '/' as '\/' or '\u002F'; '&', '=', '?' as \u0026, \u003D, \u003F.
_ESC_SLASH_U = re.compile(r"(?i)\\+u002f")
_ESC_AMP_U = re.compile(r"(?i)\\+u0026")
_ESC_EQ_U = re.compile(r"(?i)\\+u003d")
_ESC_QM_U = re.compile(r"(?i)\\+u003f")
_ESC_SLASH = re.compile(r"\\+/")
# Control characters make a string something other than a URL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WWW_START = re.compile(r"(?i)^www\.")
# RFC 3986 appendix B, with the scheme required.
_SPLIT = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?", re.S)
_AUTHORITY = re.compile(r"^(?:[^@]*@)?([^:]*)(?::([^:]*))?\Z")
_HOST_OK = re.compile(r"^[\w-]+(?:\.[\w-]+)*\Z")
# Strip as many host prefixes as leave a name with a dot in it (www.m.x.com -> x.com,
# but m.com stays m.com).
_HOST_PREFIX = re.compile(r"^(?:(?:www|m|mobile|amp)\.)*([^.]+\..+)\Z")
_DIGITS = re.compile(r"^[0-9]+\Z")
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
# A '%' that starts no escape ('100%', '%zz'): written as '%25', which is what a server
# reads it as, so both spellings are one URL (url-normalize and browsers' URL bars agree).
_STRAY_PCT = re.compile(r"%(?![0-9a-fA-F]{2})")
# RFC 3986 section 2.3: the unreserved characters, which an escape must not hide.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Non-ASCII text, and the ASCII characters a URL may not hold that browsers escape
# (the WHATWG path percent-encode set: '"', '<', '>', '`', '{', '}').
_NON_ASCII = re.compile(r"[^\x00-\x7f]+|[\"<>`{}]")
# A port written with leading zeros (':081' is port 81, ':0443' is 443).
_ZERO_PORT = re.compile(r"^0+(?=[0-9])")
# AMP variants in the path: trailing /amp segments, '.amp.html', leading /amp segments.
_AMP_END = re.compile(r"(?:/+amp)+/*\Z")
_SLASH_END = re.compile(r"/+\Z")
_SLASHES = re.compile(r"//+")
_AMP_HTML = re.compile(r"(?:\.amp)+\.html\Z")
_AMP_START = re.compile(r"^(?:/+amp)+(/.*)?\Z", re.S)


def _repair(url: str) -> str:
    url = _TAB_NEWLINE.sub("", _TRIM.sub("", url))
    if url.startswith("<!"):
        url = _CDATA.sub(r"\1", url)
    if "&" in url:
        url = _AMP_ENTITY.sub("&", url)
    url = _ESC_SLASH_U.sub("/", url)
    url = _ESC_AMP_U.sub("&", url)
    url = _ESC_EQ_U.sub("=", url)
    url = _ESC_QM_U.sub("?", url)
    url = _ESC_SLASH.sub("/", url)
    url = url.replace(" ", "%20")
    if url.startswith("//"):
        return "https:" + url
    if _WWW_START.match(url):
        return "https://" + url
    return url


@lru_cache(maxsize=4096)
def ascii_host(host: str) -> str:
    """The one host form: lower-case ASCII, internationalised names as punycode.

    IDNA 2008 with the UTS #46 mapping, non-transitional (what browsers and the WHATWG
    URL standard do): ``bücher.de`` -> ``xn--bcher-kva.de``, ``faß.de`` ->
    ``xn--fa-hia.de`` (IDNA 2003 said ``fass.de``, a different registered name). A
    name IDNA 2008 refuses (an emoji, a symbol) falls back to Python's IDNA 2003
    codec, then to the lower-cased text, so it still has exactly one spelling.
    """
    host = host.rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def _canonical_host(authority: str) -> str | None:
    match = _AUTHORITY.match(authority)
    if match is None:
        return None
    host, port = ascii_host(match.group(1).rstrip(".")).rstrip("."), match.group(2)
    # a name that no IDNA rule could write in ASCII ('xn--München.de') has no one form
    if not host.isascii() or not _HOST_OK.match(host):
        return None
    host = _HOST_PREFIX.sub(r"\1", host)
    if port is not None:
        port = _ZERO_PORT.sub("", port)
    if port is None or port in ("", "80", "443"):
        return host
    return f"{host}:{port}" if _DIGITS.match(port) else None


def _escape(match: re.Match) -> str:
    char = chr(int(match.group(0)[1:], 16))
    return char if char in _UNRESERVED else match.group(0).upper()


def _percent(text: str) -> str:
    """RFC 3986 section 6.2.2.2: decode unreserved escapes, upper-case the others, and
    write non-ASCII characters as UTF-8 escapes (an IRI and its URI are one URL), and
    escape the characters no URL holds literally."""
    if "%" in text:
        text = _PCT.sub(_escape, _STRAY_PCT.sub("%25", text))
    if _NON_ASCII.search(text):
        text = _NON_ASCII.sub(
            lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "surrogatepass")),
            text,
        )
    return text


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (``/a/./b`` and ``/a/../a/b`` are ``/a/b``)."""
    if "." not in path:
        return path
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./") or path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if out:
                out.pop()
        elif path == "/..":
            path = "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut < 0 else cut
            out.append(path[:cut])
            path = path[cut:]
    return "".join(out)


def _canonical_path(path: str) -> str:
    # empty segments ('//404.html', '/a///b'): a scraper joining base and path writes them,
    # and the servers of news sites answer them with the same article (courlan and
    # url-normalize fold them too; RFC 3986 would keep them)
    if "//" in path:
        path = _SLASHES.sub("/", path)
    path = _AMP_END.sub("", path)
    path = _SLASH_END.sub("", path)
    path = _AMP_HTML.sub(".html", path)
    path = _AMP_START.sub(r"\1", path)
    return path or "/"


def _is_tracking(param: str) -> bool:
    key, _, value = param.partition("=")
    key = key.lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    # AMP switches: ?amp, ?amp=1, ?outputType=amp
    return key == "amp" or (key == "outputtype" and value.lower() == "amp")


def _canonical_query(query: str) -> str:
    kept = sorted(p for p in query.split("&") if p and not _is_tracking(p))
    return "&".join(kept)


@lru_cache(maxsize=65536)
def _canonical(url: str) -> str | None:
    url = _repair(url)
    if _CONTROL.search(url):
        return None
    match = _SPLIT.match(url)
    if match is None or match.group(1).lower() not in ("http", "https"):
        return None
    if match.group(2) is None:
        return None
    host = _canonical_host(match.group(3))
    if not host:
        return None
    path = _canonical_path(_remove_dot_segments(_percent(match.group(4))))
    query = _canonical_query(_percent(match.group(6) or ""))
    # A hash-bang ('#!') fragment is the article's address on a script-rendered site
    # (Google's AJAX crawling scheme): dropping it would merge every article of the site.
    fragment = match.group(8) or ""
    bang = "#" + _percent(fragment) if fragment.startswith("!") and fragment != "!" else ""
    return f"https://{host}{path}" + (f"?{query}" if query else "") + bang


def canonical_url(url: str | None) -> str | None:
    """Return the canonical form of an article URL, or None if ``url`` is not one.

    The canonical form is ``https://host[:port]/path[?query][#!fragment]``: RFC 3986
    section 6 normalisation (unreserved escapes decoded, other escapes upper-cased,
    non-ASCII written as UTF-8 escapes, dot segments removed, zero-padded and default
    ports), the host in one form (:func:`ascii_host`: punycode by IDNA 2008), then the
    policy: scheme ``https`` (http and https serve the same article), no ``www.``,
    ``m.``, ``mobile.``, ``amp.`` prefixes, no fragment except a hash-bang (``#!``,
    the article's address on a script-rendered site), no tracking parameters
    (:data:`TRACKING_PARAMS`, :data:`TRACKING_PREFIXES`), the remaining parameters
    sorted, AMP variants folded into the plain article, no trailing slash on a
    non-root path. Path case is kept. The function is idempotent. The table of
    differences from courlan, w3lib and url-normalize is in docs/normalisation.md.

    Examples
    --------
    >>> canonical_url("http://WWW.Example.com:80/a/b/amp/?utm_source=x&b=2&a=1#top")
    'https://example.com/a/b?a=1&b=2'
    >>> canonical_url("mailto:desk@example.com") is None
    True
    """
    if not isinstance(url, str):
        return None
    return _canonical(url)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The public-suffix snapshot bundled with tldextract: no network, no cache files.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_HOST_OF = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^@/?#]*@)?([^:/?#]*)")


@lru_cache(maxsize=65536)
def _registered(host: str) -> str | None:
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix or None


def registered_domain(url_or_host: str | None) -> str | None:
    """Return the registered domain (public suffix plus one label) of a URL or host.

    Uses only the public-suffix snapshot that ships with tldextract. Hosts without a
    known public suffix (``localhost``, an IP address, a broken host such as
    ``www.npr.org2022``) give None.

    >>> registered_domain("https://timesofindia.indiatimes.com/x")
    'indiatimes.com'
    """
    if not isinstance(url_or_host, str):
        return None
    text = _TRIM.sub("", url_or_host)
    match = _HOST_OF.match(text)
    host = match.group(1) if match else re.split(r"[:/?#]", text, maxsplit=1)[0]
    # the same host form as canonical_url (punycode), so a registry keyed by either
    # spelling of an internationalised name finds one domain
    host = ascii_host(host)
    if not host or not _HOST_OK.match(host):
        return None
    return _registered(host)


def url_host(url: str | None) -> str | None:
    """Return the host (with a non-default port) of :func:`canonical_url` of ``url``."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    return canonical[len("https://") :].split("/", 1)[0]


# --- dates in URL paths --------------------------------------------------------------

#: A compact /YYYYMMDD segment after this year is an article id far more often than a
#: date (wral.com's /20520331/ in the notnews data).
COMPACT_DATE_MAX_YEAR = 2035

_PATH_OF = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
# The first of /2022/07/18, /2022-07-18, /20220718 in the path, as a segment start and
# followed by a separator or the end of the path.
_URL_DATE = re.compile(
    r"/((?:19|20|21)\d\d)(?:/(\d{1,2})/(\d{1,2})|-(\d{1,2})-(\d{1,2})|(\d\d)(\d\d))(?:[/._-]|\Z)"
)


def date_from_url(url: str | None) -> _dt.date | None:
    """Recover a publication date from a URL path, or None.

    Recognised shapes: ``/2022/07/18/``, ``/2022-07-18/``, ``/20220718/`` (the date
    must start a path segment and be followed by ``/ . _ -`` or the end of the path).
    Only the first such shape in the path counts. The year must lie in 1990..2100
    and the day must exist; a compact ``/YYYYMMDD`` must be 2035 or earlier (later ones
    are article ids, e.g. wral.com's ``/20520331/``). Month-only paths (``/2022/07/``) give None: the day is
    unknown and a first-of-month date would invent precision.

    >>> date_from_url("https://www.npr.org/2022/07/20/1112411634/biden-order")
    datetime.date(2022, 7, 20)
    """
    if not isinstance(url, str):
        return None
    path = _PATH_OF.sub("", _TRIM.sub("", url))
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    match = _URL_DATE.search(path)
    if match is None:
        return None
    g = match.groups()
    year = int(g[0])
    month, day = next((int(g[i]), int(g[i + 1])) for i in (1, 3, 5) if g[i] is not None)
    if not 1990 <= year <= 2100 or (g[5] is not None and year > COMPACT_DATE_MAX_YEAR):
        return None
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None
