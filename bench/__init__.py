"""policykit benchmarks: a registry of workloads and a harness that times them.

Run ``make bench`` (``python -m bench``); ``python -m bench --help`` lists the options
(``--only W1,W5``, ``--repeat N``, ``--size N``, ``--scale F``, ``--json PATH``).

How the harness measures
------------------------
Each run of a workload happens in a fresh ``python -m bench --worker ...`` subprocess, so
its peak RSS (``ru_maxrss`` from ``os.wait4``) belongs to that run alone and no cache
survives from one run to the next. Every workload runs ``--repeat`` times; without it,
each runs its own default (``@workload(..., repeat=N)``, 3 unless the workload is heavy
enough to need fewer). The table shows medians. A workload may name a *baseline* workload (W1's is B1, DuckDB's own
``read_json`` of the same file): the harness runs it in the same invocation and reports
the ratio of the medians. Input data is generated once per size and seed under
``bench-data/`` (gitignored) by :mod:`policykit.demo` and reused.

Adding a workload
-----------------
Write a function that takes a :class:`Context` and returns a dict of numbers (it must
contain ``seconds``, the timed part only), and register it::

    from bench import Context, Target, workload

    @workload(
        "W3",
        "trends over 10M articles",
        default_size=10_000_000,
        targets=[Target("seconds", "<=", 2.0, "s")],
    )
    def trends(ctx: Context) -> dict:
        db = ctx.cached("articles-db", build=lambda path: ...)  # made once, reused
        started = time.perf_counter()
        ...  # the work being measured
        return {"seconds": time.perf_counter() - started, "rows": 10_000_000}

Put it in ``bench/workloads.py`` (imported by the harness), in a module listed in
``WORKLOAD_MODULES`` below, or (to try it out) in any importable module named in the
``BENCH_MODULES`` environment variable. ``Target(metric, op, threshold, unit)`` prints PASS/MISS
beside the median of ``metric``; metrics a workload derives from others (records/s...)
can be returned directly. ``ctx.size`` is the workload's size (records, articles...),
``ctx.data_dir`` the cache folder, ``ctx.tmp`` a scratch folder removed after the run.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Modules the harness imports to fill the registry (each registers with @workload).
WORKLOAD_MODULES: list[str] = [
    "bench.workloads",
    "bench.w2_pages",
    "bench.w3_trends",
    "bench.w4_report",
    "bench.w6_enrich",
    "bench.w7_events",
]

_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Target:
    """A pinned goal for the median of one metric, e.g. ``Target("records_per_s", ">=", 1e5)``."""

    metric: str
    op: str
    threshold: float
    unit: str = ""

    def check(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return _OPS[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}{self.unit}"


@dataclass
class Context:
    """What a workload run receives."""

    name: str
    size: int
    seed: int
    data_dir: Path
    tmp: Path
    repeat: int = 0

    def cached(self, key: str, build: Callable[[Path], object], suffix: str = "") -> Path:
        """A file under ``data_dir`` keyed by ``key``, size and seed; ``build(path)`` makes it
        once (into a temporary name first, so an interrupted build is never reused)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / f"{key}-{self.size}-{self.seed}{suffix}"
        if not path.exists():
            partial = path.with_name(path.name + ".partial")
            build(partial)
            partial.rename(path)
        return path


@dataclass
class Workload:
    name: str
    title: str
    func: Callable[[Context], dict]
    default_size: int
    targets: list[Target] = field(default_factory=list)
    #: name of a workload whose median ``seconds`` this one is compared against
    baseline: str | None = None
    #: targets on ``seconds / baseline seconds`` (reported as ``x_baseline``)
    baseline_targets: list[Target] = field(default_factory=list)
    #: run by default (``python -m bench`` without ``--only``)
    default: bool = True
    #: prepare shared input in the parent before timing (runs once per invocation)
    prepare: Callable[[Context], None] | None = None
    #: runs when ``--repeat`` is not given: 3, fewer for the heavy workloads so that a
    #: plain ``make bench`` ends in about half an hour on two cores
    repeat: int = 3


REGISTRY: dict[str, Workload] = {}


def workload(
    name: str,
    title: str,
    *,
    default_size: int,
    targets: list[Target] | None = None,
    baseline: str | None = None,
    baseline_targets: list[Target] | None = None,
    default: bool = True,
    prepare: Callable[[Context], None] | None = None,
    repeat: int = 3,
):
    """Register a workload function under ``name`` (see the module docstring)."""

    def register(func: Callable[[Context], dict]) -> Callable[[Context], dict]:
        REGISTRY[name] = Workload(
            name=name,
            title=title,
            func=func,
            default_size=default_size,
            targets=list(targets or []),
            baseline=baseline,
            baseline_targets=list(baseline_targets or []),
            default=default,
            prepare=prepare,
            repeat=repeat,
        )
        return func

    return register


def load_registry() -> dict[str, Workload]:
    """Import the workload modules: ``WORKLOAD_MODULES`` plus any listed, comma-separated,
    in the ``BENCH_MODULES`` environment variable (handy for trying a workload out)."""
    import importlib
    import os

    extra = [m.strip() for m in os.environ.get("BENCH_MODULES", "").split(",") if m.strip()]
    for module in WORKLOAD_MODULES + extra:
        importlib.import_module(module)
    return REGISTRY


class WorkloadUnavailable(Exception):
    """A workload cannot run yet (a module it needs is missing); reported, not raised."""
