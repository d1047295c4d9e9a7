"""Normalisation: small pure functions (the reference rules), the outlet registry,
and the DuckDB macros that apply the same rules on the hot path.

>>> from policykit.normalise import canonical_url
>>> canonical_url("https://www.medianama.com/2022/07/223-x/amp/?utm_source=tw")
'https://medianama.com/2022/07/223-x'
"""

from __future__ import annotations

from importlib import resources

from .dates import ParsedDate, parse_published
from .outlets import Outlet, OutletRegistry
from .text import clean_text, clean_title, split_authors, word_count
from .urls import (
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonical_url,
    date_from_url,
    registered_domain,
    url_host,
)

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "Outlet",
    "OutletRegistry",
    "ParsedDate",
    "canonical_url",
    "clean_text",
    "clean_title",
    "date_from_url",
    "install_macros",
    "macros_sql",
    "parse_published",
    "registered_domain",
    "split_authors",
    "url_host",
    "word_count",
]


def macros_sql() -> str:
    """The text of ``sql/normalise.sql``."""
    return (resources.files("policykit") / "sql" / "normalise.sql").read_text(encoding="utf-8")


def install_macros(con) -> None:
    """Create (or replace) the ``pk_*`` normalisation macros on a DuckDB connection.

    The macros are pure SQL (no Python UDFs); installing twice changes nothing.
    See ``docs/normalisation.md`` for the list.
    """
    con.execute(macros_sql())
