"""Worker-process setup for page extraction: imports and one-off warm-ups, paid once.

Importing this module imports trafilatura, htmldate and dateparser and runs them once.
dateparser compiles its per-locale regular expressions lazily on the first date it
sees (seconds of CPU); :func:`policykit.sources.pages.pool_context` imports this module
before forking page workers, so every worker starts from a process that already paid,
instead of each worker paying again.
"""

from __future__ import annotations

#: A small page of our own that walks the whole extraction path.
_WARM_PAGE = (
    "<html lang='de'><head><title>Probe</title>"
    "<meta property='article:published_time' content='2021-03-03'></head><body><article>"
    "<p class='date'>Veröffentlicht am 3. März 2021</p><p>"
    + "Der Text des Artikels handelt vom Datenschutz und von Plattformregeln. " * 8
    + "</p></article></body></html>"
)


def warm_up() -> None:
    """Run each library once so that lazy initialisation happens here."""
    from dateparser import DateDataParser

    from .html import extract_html

    DateDataParser().get_date_data("opublikowano 12 października 2020")
    extract_html(_WARM_PAGE, url="https://example.org/probe")


warm_up()
