"""Trends: tidy frames from the SQL in ``sql/trends/*.sql``.

Every function takes a connection or a database path first, the shared filter
(``topic``, ``query``, ``start``, ``end``, ``outlets``, ``tz``) and ``backend``
("pandas" or "polars"), and returns a frame whose columns its docstring lists. See
docs/trends.md for the definitions.
"""

from ._core import INTERVALS
from .coverage import coverage_over_time, share_of_voice, spike_stories, spikes
from .events import spike_events
from .export import export
from .mix import outlet_mix, top_citations, top_entities
from .stories import first_movers, sample_stories
from .terms import distinctive_terms

__all__ = [
    "INTERVALS",
    "coverage_over_time",
    "distinctive_terms",
    "export",
    "first_movers",
    "outlet_mix",
    "sample_stories",
    "share_of_voice",
    "spike_events",
    "spike_stories",
    "spikes",
    "top_citations",
    "top_entities",
]
