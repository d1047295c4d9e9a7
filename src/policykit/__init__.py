"""policykit: policy reporting on news coverage.

>>> import policykit as pk
>>> con = pk.connect(read_only=True)          # doctest: +SKIP
>>> pk.coverage_over_time(con, topic="facial_recognition", interval="month")  # doctest: +SKIP

Public names are imported lazily so that ``import policykit`` stays fast and the CLI
does not pay for matplotlib or papermill until it needs them.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "connect": "policykit.store",
    "sql": "policykit.store",
    "info": "policykit.store",
    "content_hash": "policykit.store",
    "ingest": "policykit.ingest",
    "IngestReport": "policykit.ingest",
    "PolicykitError": "policykit.errors",
    # normalisation rules and the outlet registry
    "canonical_url": "policykit.normalise",
    "registered_domain": "policykit.normalise",
    "date_from_url": "policykit.normalise",
    "parse_published": "policykit.normalise",
    "ParsedDate": "policykit.normalise",
    "clean_title": "policykit.normalise",
    "clean_text": "policykit.normalise",
    "split_authors": "policykit.normalise",
    "OutletRegistry": "policykit.normalise",
    "Outlet": "policykit.normalise",
    # page extraction (one HTML page -> staging fields)
    "extract_html": "policykit.sources.html",
    # plain-text page dumps (every visible line -> the article)
    "clean_dump": "policykit.sources.textdump",
    # enrichment
    "enrich": "policykit.enrich",
    "EnrichReport": "policykit.enrich",
    "compile_query": "policykit.enrich.query",
    "match_query": "policykit.enrich.query",
    "articles_matching": "policykit.enrich.query",
    "load_topics": "policykit.enrich.topics",
    # trends
    "coverage_over_time": "policykit.trends",
    "share_of_voice": "policykit.trends",
    "spikes": "policykit.trends",
    "spike_stories": "policykit.trends",
    "spike_events": "policykit.trends",
    "outlet_mix": "policykit.trends",
    "top_entities": "policykit.trends",
    "top_citations": "policykit.trends",
    "distinctive_terms": "policykit.trends",
    "sample_stories": "policykit.trends",
    "first_movers": "policykit.trends",
    "export": "policykit.trends",
    # charts
    "plot_coverage": "policykit.charts",
    "plot_coverage_small_multiples": "policykit.charts",
    "plot_outlet_mix": "policykit.charts",
    "plot_outlet_share_over_time": "policykit.charts",
    "plot_outlet_heatmap": "policykit.charts",
    "plot_share_of_voice": "policykit.charts",
    "plot_terms": "policykit.charts",
    "save_figure": "policykit.charts",
    # reports
    "render_report": "policykit.reports",
    "show_table": "policykit.notebook_helpers",
    "show_title": "policykit.notebook_helpers",
    "show_note": "policykit.notebook_helpers",
    "show_headline": "policykit.notebook_helpers",
    "headline_numbers": "policykit.notebook_helpers",
    "data_quality": "policykit.notebook_helpers",
    "resolve_topic": "policykit.notebook_helpers",
    "topic_label": "policykit.notebook_helpers",
    "list_topics": "policykit.notebook_helpers",
    "report_period": "policykit.notebook_helpers",
    "outlets_with_coverage": "policykit.notebook_helpers",
    "spike_table": "policykit.notebook_helpers",
    "coarser_interval": "policykit.notebook_helpers",
    "brief_interval": "policykit.notebook_helpers",
    "with_labels": "policykit.notebook_helpers",
    "period_label": "policykit.notebook_helpers",
    "spike_events_table": "policykit.notebook_helpers",
    "record_parameters": "policykit.provenance",
    # demo corpus and benchmark data
    "demo": "policykit.demo",
    "DemoManifest": "policykit.demo",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'policykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _CallableModule(types.ModuleType):
    """A stage module that can also be called as its own main function."""

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


def _callable_module(name: str) -> None:
    """Make ``pk.ingest(...)`` work after ``import policykit.ingest`` too.

    Importing a submodule sets it as an attribute of the package, which hides the
    lazily exported function of the same name (``ingest``, ``enrich``, ``demo``); the
    module then forwards calls to that function, so both spellings keep working.
    """
    sys.modules[name].__class__ = _CallableModule


def __dir__():
    return __all__
