"""The outlet registry: host-suffix look-up, names, user files, bad files."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from policykit.errors import ConfigError
from policykit.normalise import OutletRegistry

HEADER = "domain,name,aliases,country,language,type,date_order\n"


@pytest.fixture(scope="module")
def registry():
    return OutletRegistry.load()


def test_shipped_file_is_complete():
    path = resources.files("policykit") / "data" / "outlets.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 80
    assert len({r["domain"] for r in rows}) == len(rows), "duplicate domains"
    types = {r["type"] for r in rows}
    assert {"national daily", "regional", "tech-policy site", "wire", "broadcaster"} <= types


LOOKUP_CASES = [
    # the most specific host suffix wins under a shared registered domain
    ("https://timesofindia.indiatimes.com/india/x", "The Times of India"),
    ("economictimes.indiatimes.com", "The Economic Times"),
    ("https://navbharattimes.indiatimes.com/x", "Navbharat Times"),
    ("https://frontline.thehindu.com/x", "Frontline"),
    # a parent suffix covers other subdomains
    ("https://www.thehindu.com/news/x", "The Hindu"),
    ("https://edition.cnn.com/2022/07/18/x", "CNN"),
    ("m.hindustantimes.com", "Hindustan Times"),
    # ABC News lives on go.com; only abcnews.go.com is ABC
    ("https://abcnews.go.com/US/x", "ABC News"),
    # case, port, scheme-less, trailing dot
    ("HTTP://WWW.MEDIANAMA.COM:443/x", "MediaNama"),
    ("www.medianama.com/2022/07/x", "MediaNama"),
    ("medianama.com.", "MediaNama"),
    # a blog on a shared host
    ("https://indconlawphil.wordpress.com/2022/07/18/x/", "Indian Constitutional Law and Philosophy"),
    # the US outlets of the notnews data
    ("https://www.npr.org/2022/07/20/1/x", "NPR"),
    ("https://www.today.com/news/x", "TODAY"),
]  # fmt: skip


@pytest.mark.parametrize(("host", "name"), LOOKUP_CASES)
def test_lookup(registry, host, name):
    outlet = registry.lookup(host)
    assert (outlet.name, outlet.origin) == (name, "registry")


INFERRED_CASES = [
    # unknown .org: named after its registered domain, DMY
    ("https://news.example.org/a", "example.org", "DMY"),
    # unknown .gov: MDY
    ("https://www.house.gov/a", "house.gov", "MDY"),
    # another subdomain of a registry domain's parent is not the registry outlet
    ("https://sports.indiatimes.com/x", "indiatimes.com", "DMY"),
    # a broken host is its own name (no public suffix to go by)
    ("https://www.npr.org2022/07/18/x", "npr.org2022", "DMY"),
]


@pytest.mark.parametrize(("host", "name", "order"), INFERRED_CASES)
def test_lookup_unknown_is_inferred(registry, host, name, order):
    outlet = registry.lookup(host)
    assert (outlet.domain, outlet.name, outlet.type, outlet.date_order, outlet.origin) == (
        name,
        name,
        "unknown",
        order,
        "inferred",
    )


NAME_CASES = [
    # display name, any case, without "The"
    ("The Hindu", "The Hindu"),
    ("the hindu", "The Hindu"),
    ("Hindu", "The Hindu"),
    # aliases, spacing and punctuation ignored
    ("NYT", "The New York Times"),
    ("New York Times", "The New York Times"),
    ("NYTimes", "The New York Times"),
    ("NY Times", "The New York Times"),
    ("CNN Business", "CNN"),
    ("CBS", "CBS News"),
    ("AP", "Associated Press"),
    ("PTI", "Press Trust of India"),
    ("LiveMint", "Mint"),
    # a domain written as a name
    ("medianama.com", "MediaNama"),
    # The Telegraph is the Indian daily; the British one has its own names
    ("The Telegraph", "The Telegraph India"),
    ("Telegraph UK", "The Daily Telegraph"),
]


@pytest.mark.parametrize(("written", "name"), NAME_CASES)
def test_resolve_name(registry, written, name):
    assert registry.resolve_name(written).name == name


@pytest.mark.parametrize("written", ["Nobody Gazette", "", "   ", None])
def test_resolve_unknown_name(registry, written):
    assert registry.resolve_name(written) is None


def test_names_include_aliases(registry):
    names = registry.names()
    assert "MediaNama" in names and "NYT" in names and "The Hindu" in names


def test_to_frame_has_the_table_columns(registry):
    frame = registry.to_frame()
    assert list(frame.columns) == [
        "domain", "name", "country", "language", "type", "date_order", "origin",
    ]  # fmt: skip
    assert len(frame) == len(registry) and frame["domain"].is_unique
    assert set(frame["date_order"]) <= {"DMY", "MDY"}


def test_user_file_extends_and_overrides(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text(
        HEADER
        + "thehindu.com,The Hindu (user),TH,IN,en,national daily,DMY\n"
        + "www.example.org,Example Daily,ExD,GB,en,regional,\n"
        + "tech.example.org,Example Tech,,GB,en,tech-policy site,DMY\n",
        encoding="utf-8",
    )
    registry = OutletRegistry.load(path)
    assert registry.lookup("https://www.thehindu.com/x").name == "The Hindu (user)"
    assert registry.lookup("https://www.thehindu.com/x").origin == "user"
    assert registry.lookup("news.example.org").name == "Example Daily"
    assert registry.lookup("tech.example.org").name == "Example Tech"
    # an empty date order defaults to DMY; 'www.' is dropped from the key
    assert registry.lookup("example.org").date_order == "DMY"
    assert registry.resolve_name("ExD").name == "Example Daily"
    assert registry.resolve_name("TH").name == "The Hindu (user)"
    assert len(registry) == len(OutletRegistry.load()) + 2


def test_user_file_with_only_required_columns(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text("domain,name\nblog.example.net,My Blog\n", encoding="utf-8")
    outlet = OutletRegistry.load(path).lookup("blog.example.net")
    assert (outlet.name, outlet.type, outlet.date_order, outlet.origin) == (
        "My Blog",
        "unknown",
        "DMY",
        "user",
    )


BAD_FILES = [
    # a missing required column
    ("domain,title\nx.com,X\n", "line 1: missing column(s) name"),
    # an unknown column
    ("domain,name,owner\nx.com,X,Y\n", "line 1: unknown column(s) owner"),
    # a bad domain, on line 3
    (HEADER + "x.com,X,,,,,\nnot a domain,Y,,,,,\n", "line 3: domain 'not a domain'"),
    # a bad type names the allowed ones
    (HEADER + "x.com,X,,IN,en,newspaper,DMY\n", "line 2: type 'newspaper' is not one of"),
    # a bad date order
    (HEADER + "x.com,X,,IN,en,regional,YMD\n", "line 2: date_order 'YMD' is not one of DMY, MDY"),
    # too many fields
    (HEADER + "x.com,X,,IN,en,regional,DMY,extra\n", "line 2: 8 fields for 7 columns"),
    # an empty name
    (HEADER + "x.com,,,IN,en,regional,DMY\n", "line 2: name is empty"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_user_file(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        OutletRegistry.load(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)
    if "line 1" in message or "fields" in message or "domain" in message:
        assert "expected columns: domain, name, aliases" in str(info.value)


def test_missing_user_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        OutletRegistry.load(tmp_path / "nope.csv")
