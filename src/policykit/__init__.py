"""policykit: policy reporting on news coverage.

>>> import policykit as pk
>>> con = pk.connect(read_only=True)          # doctest: +SKIP
>>> pk.coverage_over_time(con, topic="facial_recognition", interval="month")  # doctest: +SKIP

Public names are imported lazily so that ``import policykit`` stays fast and the CLI
does not pay for matplotlib or papermill until it needs them.
"""

from __future__ import annotations

import importlib

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
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'policykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
