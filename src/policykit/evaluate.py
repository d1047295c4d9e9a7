"""Extraction quality against real annotated pages; fails below the pinned floors.

``python -m policykit.evaluate`` (``make eval``) scores, in one run:

* on the HTML pages of ``../shared/eval/trafilatura_eval``: trafilatura with its defaults
  (the anchor) and policykit's ``extract_html``;
* on plain-text dumps of the same pages (every visible line, as a text scraper saves
  them): trafilatura and jusText over the dumps (the dump anchors) and policykit's
  :func:`~policykit.sources.textdump.clean_dump`, with boilerplate lines learnt per host
  across all dumps of the run;
* on ``../shared/eval/newspaper4k_testdata/txt`` (already clean article bodies in 12
  languages): the share of the text the dump cleaner keeps;
* news events against real gold event groupings (:mod:`policykit.evaluate_events`),
  skipped with one line when that data is absent.

Body text is scored with the pages' ``with``/``without`` snippets the way trafilatura's own
evaluation does (a ``with`` snippet found is a true positive, missing a false negative;
a ``without`` snippet found is a false positive, absent a true negative); title, date
(exact day) and author by exact match over the pages where the field is annotated.

The floors live in ``eval/floors.toml``. They are only ever raised: pin them a little
below what a full run measures, never lower one to make a run pass.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import re
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import evaluate_events, evaluate_ner
from .errors import ConfigError
from .evaluate_core import (  # noqa: F401  (re-exported: callers import them from here)
    REPO,
    SHARED,
    Counts,
    Extraction,
    Page,
    Tally,
    _dump_as_html,
    _share,
    author_matches,
    date_matches,
    html_to_dump,
    load_pages,
    score_snippets,
    title_matches,
)

FLOORS = REPO / "eval" / "floors.toml"

# ---------------------------------------------------------------------------------------
# Systems


def _trafilatura_html(html: bytes, url: str) -> Extraction:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Extraction()
    return Extraction(body=doc.text, title=doc.title, date=doc.date, author=doc.author)


def _extract_html_fn() -> Callable | None:
    try:
        from policykit.sources.html import extract_html
    except ImportError:
        return None
    return extract_html


def _policykit_html(html: bytes, url: str) -> Extraction | None:
    extract_html = _extract_html_fn()
    if extract_html is None:
        return None
    found = extract_html(html, url=url) or {}
    return Extraction(
        body=found.get("body") or found.get("text"),
        title=found.get("title"),
        date=_stored_day(found, url),
        author=found.get("authors") or found.get("author"),
    )


def _stored_day(found: dict, url: str) -> str | None:
    """The day ingest stores for the page (published_local_date), as ISO text."""
    try:
        from .normalise.pubdate import stored_day
    except ImportError:
        return found.get("published") or found.get("date")
    day = stored_day(found.get("published"), found.get("date_source"), url)
    return day.isoformat() if day else None


#: htmldate run alone on the same pages, as the anchors for the publication day:
#: its defaults (extensive_search=True, original_date=False) and its extensive mode
#: preferring the original date (what trafilatura passes on in policykit's settings).
HTMLDATE_ANCHORS = (
    ("htmldate_default", "htmldate original_date=False", {"original_date": False}),
    (
        "htmldate_extensive",
        "htmldate extensive+original",
        {"extensive_search": True, "original_date": True},
    ),
)


def _htmldate_alone(html: bytes, url: str, params: dict) -> str | None:
    from htmldate import find_date

    return find_date(html, url=url, **params)


def _page_lang(html: bytes) -> str:
    """The page's declared language (primary subtag of <html lang>), for grouping only."""
    match = re.search(rb"<html[^>]{0,400}?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", html[:20000], re.I)
    return match.group(1).decode("ascii").lower() if match else "?"


def _trafilatura_dump(dump: str) -> Extraction:
    import trafilatura

    return Extraction(body=trafilatura.extract(_dump_as_html(dump)))


def _justext_dump(dump: str) -> Extraction:
    import justext

    from .sources.textdump import _STOPLIST_NAMES, _detect_language

    language = _detect_language(dump.splitlines())
    stoplist = justext.get_stoplist(_STOPLIST_NAMES.get(language or "", "English"))
    paragraphs = justext.justext(_dump_as_html(dump).encode("utf-8"), stoplist)
    return Extraction(body="\n".join(p.text for p in paragraphs if not p.is_boilerplate))


def _guard(fn: Callable, *args) -> Extraction | None:
    """Run one system; an exception is counted as an error with nothing extracted."""
    try:
        return fn(*args)
    except Exception as exc:  # one page must not stop the evaluation
        return Extraction(error=f"{type(exc).__name__}: {exc}")


def _html_phase(page: Page) -> dict:
    """Worker: the HTML systems and the page's dump."""
    html = gzip.decompress(page.path.read_bytes())
    dump = _guard(lambda: Extraction(body=html_to_dump(html)))
    dump_text = dump.body or ""
    dates = {}
    for key, _, params in HTMLDATE_ANCHORS:
        try:
            dates[key] = _htmldate_alone(html, page.url, params)
        except Exception:  # one page must not stop the evaluation
            dates[key] = None
    return {
        "dates": dates,
        "lang": _page_lang(html),
        "trafilatura_html": _guard(_trafilatura_html, html, page.url),
        "policykit_html": _guard(_policykit_html, html, page.url),
        "trafilatura_dump": _guard(_trafilatura_dump, dump_text),
        "justext_dump": _guard(_justext_dump, dump_text),
        "dump": dump_text,
    }


def _dump_date(raw: str | None, url: str | None) -> str | None:
    """The day ingest would give a dump: its dateline parsed, else a date in the URL."""
    try:
        from .normalise import date_from_url, parse_published
    except ImportError:
        return raw
    if raw:
        parsed = parse_published(raw)
        if parsed.value is not None:
            return parsed.value.date().isoformat()
    day = date_from_url(url)
    return day.isoformat() if day else None


def _dump_phase(args: tuple[str, dict, set[str]]) -> Extraction:
    """Worker: the dump cleaner, with the boilerplate learnt for the page's host."""
    from .sources.textdump import clean_dump

    dump, sidecar, boilerplate = args

    def run() -> Extraction:
        result = clean_dump(dump, boilerplate=boilerplate, sidecar=sidecar)
        return Extraction(
            body=result.body,
            title=result.title,
            date=_dump_date(result.published, sidecar.get("url")),
            author=result.authors,
        )

    return _guard(run)


# ---------------------------------------------------------------------------------------
# Newspaper4k: clean bodies must survive


def newspaper4k_retention(data: Path | None = None) -> dict[str, float]:
    """Share of characters the dump cleaner keeps of each already-clean article body."""
    from .sources.textdump import clean_dump

    root = Path(data) if data else SHARED / "eval" / "newspaper4k_testdata" / "txt"
    shares = {}
    for path in sorted(root.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        total = sum(len(line.strip()) for line in text.splitlines())
        if not total:
            continue
        result = clean_dump(text)
        kept = sum(len(line) for line in (result.body or "").splitlines())
        if result.title:
            kept += len(result.title)  # a first line taken as the headline is not lost
        shares[path.stem] = kept / total
    return shares


# ---------------------------------------------------------------------------------------
# The run

SYSTEMS = (
    ("trafilatura_html", "trafilatura (defaults)", "html"),
    ("policykit_html", "policykit extract_html", "html"),
    ("trafilatura_dump", "trafilatura", "dump"),
    ("justext_dump", "jusText", "dump"),
    ("policykit_dump", "policykit clean_dump", "dump"),
)


def _pool_context():
    """fork on Linux (the platform default there before Python 3.14): a fork server's
    workers would not be children of this process, and die_with_parent needs that."""
    import multiprocessing

    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


def run_eval(
    *,
    limit: int | None = None,
    sample: int | None = None,
    workers: int | None = None,
    data: Path | None = None,
    seed: int = 13,
) -> dict:
    """Score every system; returns ``{"systems": {key: Tally}, "retention": {...}}``."""
    pages = load_pages(data)
    if sample:
        pages = random.Random(seed).sample(pages, min(sample, len(pages)))
    if limit:
        pages = pages[:limit]
    from . import workers as _workers

    # Capped by cores and memory (said once on stderr); workers die with this process.
    workers = _workers.worker_count(workers or min(2, _workers.available_cores()))
    init, initargs = _workers.initializer()
    started = time.monotonic()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_pool_context(), initializer=init, initargs=initargs
    ) as pool:
        html_results = list(pool.map(_html_phase, pages, chunksize=4))

        from .sources.textdump import (
            boilerplate_lines,
            dump_outlet_key,
            learn_boilerplate,
        )

        # Cross-document evidence: write the dumps with a URL sidecar, as a scraper
        # would, and learn recurring lines per host with the ingest's own function.
        with tempfile.TemporaryDirectory(prefix="policykit-eval-") as tmp:
            paths = []
            for i, (page, result) in enumerate(zip(pages, html_results, strict=True)):
                path = Path(tmp) / f"{i:04d}.txt"
                path.write_text(result["dump"], encoding="utf-8")
                path.with_suffix(".json").write_text(json.dumps({"url": page.url}))
                paths.append(path)
            learnt = learn_boilerplate(paths)
        known = boilerplate_lines(learnt)
        jobs = []
        for page, result in zip(pages, html_results, strict=True):
            sidecar = {"url": page.url}
            key = dump_outlet_key(result["dump"], sidecar)
            jobs.append((result["dump"], sidecar, known.get(key, set())))
        dump_results = list(pool.map(_dump_phase, jobs, chunksize=8))

    tallies = {key: Tally() for key, _, _ in SYSTEMS}
    missing = set()
    for page, result, cleaned in zip(pages, html_results, dump_results, strict=True):
        for key, _, _ in SYSTEMS:
            found = cleaned if key == "policykit_dump" else result[key]
            if found is None:
                missing.add(key)
                continue
            tallies[key].add(
                page, found, metadata=key != "trafilatura_dump" and key != "justext_dump"
            )
    for key in missing:
        tallies[key] = None
    # Text dumps by half and by gold language, and the newspaper4k pages as dumps
    # (policykit.evaluate_dumps).
    from .evaluate_dumps import group_tallies, newspaper4k_dumps

    dump_sections = {
        "textdump_groups": group_tallies(pages, dump_results, Tally),
        "newspaper4k_dumps": newspaper4k_dumps(),
    }
    return {
        "dates": _date_tallies(pages, html_results),
        "dates_newspaper4k": newspaper4k_dates() if not (limit or sample) else {},
        "systems": tallies,
        "retention": newspaper4k_retention(),
        "pages": len(pages),
        "seconds": time.monotonic() - started,
        "full": not (limit or sample),
        "boilerplate_hosts": len(known),
        **dump_sections,
    }


def _date_tallies(pages: list[Page], html_results: list[dict]) -> dict:
    """Exact-day hits per date system and page language, over pages with a gold date."""
    table: dict[str, dict[str, list[bool]]] = {}
    for page, result in zip(pages, html_results, strict=True):
        if not page.date:
            continue
        found = {key: result["dates"].get(key) for key, _, _ in HTMLDATE_ANCHORS}
        pk_found = result["policykit_html"]
        found["policykit_html"] = pk_found.date if pk_found is not None else None
        for key, day in found.items():
            hits = table.setdefault(key, {})
            hit = date_matches(day, page.date)
            hits.setdefault("all", []).append(hit)
            hits.setdefault(result["lang"], []).append(hit)
    return table


def newspaper4k_dates(data: Path | None = None) -> dict:
    """The same date systems on newspaper4k's HTML pages that have a metadata
    ``publish_date`` (12 languages; the gold is newspaper4k's own output, its written
    day: a weak gold, reported but not gated)."""
    import csv

    root = Path(data) if data else SHARED / "eval" / "newspaper4k_testdata"
    try:
        rows = list(csv.DictReader((root / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
    except OSError:
        return {}
    table: dict[str, dict[str, list[bool]]] = {}
    for row in rows:
        if not row.get("html", "").startswith("html/") or not row.get("metadata"):
            continue
        try:
            meta = json.loads((root / row["metadata"]).read_text(encoding="utf-8"))
            html = gzip.decompress((root / row["html"]).read_bytes())
        except (OSError, ValueError):
            continue
        gold = meta.get("publish_date")
        if not isinstance(gold, str) or len(gold) < 10:
            continue
        url = meta.get("url") or row.get("url")
        found = {}
        for key, _, params in HTMLDATE_ANCHORS:
            try:
                found[key] = _htmldate_alone(html, url, params)
            except Exception:  # one page must not stop the evaluation
                found[key] = None
        pk_found = _guard(_policykit_html, html, url)
        found["policykit_html"] = pk_found.date if pk_found is not None else None
        lang = str(meta.get("language") or "?")
        for key, day in found.items():
            hit = date_matches(day, gold[:10])
            table.setdefault(key, {}).setdefault("all", []).append(hit)
            table[key].setdefault(lang, []).append(hit)
    return table


DATE_SYSTEMS = (
    ("policykit_html", "policykit (stored local day)"),
    *((key, label) for key, label, _ in HTMLDATE_ANCHORS),
)


def format_dates(results: dict) -> str:
    """Publication day, exact-day accuracy: policykit against htmldate alone, by language,
    per set."""
    parts = [
        _format_date_set("trafilatura_eval", results.get("dates") or {}, 10),
        _format_date_set("newspaper4k html", results.get("dates_newspaper4k") or {}, 1),
    ]
    return "\n\n".join(p for p in parts if p)


def _format_date_set(name: str, table: dict, min_pages: int) -> str:
    if not table:
        return ""
    langs = sorted(
        {lang for hits in table.values() for lang in hits if lang != "all"},
        key=lambda lang: -len(table[DATE_SYSTEMS[0][0]].get(lang, [])),
    )
    shown = [lang for lang in langs if len(table[DATE_SYSTEMS[0][0]].get(lang, [])) >= min_pages]
    head = f"{'day: ' + name:<32} {'all':>12}" + "".join(f" {lang:>6}" for lang in shown)
    lines = [head, "-" * len(head)]
    for key, label in DATE_SYSTEMS:
        hits = table.get(key, {})
        cells = [f"{_share(hits.get('all', [])) or 0:.3f} ({len(hits.get('all', []))})"]
        cells += [f"{_share(hits.get(lang, [])) or 0:.3f}" for lang in shown]
        lines.append(f"{label:<32} {cells[0]:>12}" + "".join(f" {c:>6}" for c in cells[1:]))
    lines.append(f"languages with >= {min_pages} dated pages (trafilatura_eval: <html lang>)")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def format_table(results: dict) -> str:
    """The plain-text report of a run."""
    head = (
        f"{'system':<24} {'input':<5} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} "
        f"{'title':>6} {'date':>6} {'author':>6} {'errors':>6}"
    )
    lines = [head, "-" * len(head)]
    for key, label, kind in SYSTEMS:
        tally = results["systems"][key]
        if tally is None:
            lines.append(f"{label:<24} {kind:<5} not available (module missing)")
            continue
        c = tally.counts
        lines.append(
            f"{label:<24} {kind:<5} {tally.pages:>5} {_fmt(c.precision):>6} {_fmt(c.recall):>6} "
            f"{_fmt(c.f1):>6} {_fmt(c.accuracy):>6} {_fmt(_share(tally.title)):>6} "
            f"{_fmt(_share(tally.date)):>6} {_fmt(_share(tally.author)):>6} {tally.errors:>6}"
        )
    shares = results["retention"]
    if shares:
        values = sorted(shares.values())
        worst = min(shares, key=shares.get)
        lines.append("")
        lines.append(
            f"newspaper4k clean bodies kept by clean_dump: {len(values)} files, "
            f"mean {sum(values) / len(values):.3f}, min {values[0]:.3f} ({worst})"
        )
    lines.append(
        f"{results['pages']} pages in {results['seconds']:.0f} s; "
        f"hosts with learnt boilerplate: {results['boilerplate_hosts']}"
    )
    from .evaluate_dumps import format_groups, format_newspaper4k

    if results.get("textdump_groups"):
        lines.extend(format_groups(results["textdump_groups"]))
    if "newspaper4k_dumps" in results:
        lines.extend(format_newspaper4k(results["newspaper4k_dumps"]))
    return "\n".join(lines)


def measured(results: dict) -> dict[str, float]:
    """The gated figures of a run, named as in ``eval/floors.toml``."""
    values: dict[str, float] = {}
    systems = results["systems"]
    if systems["policykit_html"] is not None:
        tally = systems["policykit_html"]
        values["html.body_f1"] = tally.counts.f1
        for name in ("title", "date", "author"):
            share = _share(getattr(tally, name))
            if share is not None:
                values[f"html.{name}_accuracy"] = share
    dump = systems["policykit_dump"]
    values["textdump.body_f1"] = dump.counts.f1
    values["textdump.body_precision"] = dump.counts.precision
    values["textdump.body_recall"] = dump.counts.recall
    for name in ("title", "date", "author"):
        if _share(getattr(dump, name)) is not None:
            values[f"textdump.{name}_accuracy"] = _share(getattr(dump, name))
    if results.get("newspaper4k_dumps"):
        tokens = results["newspaper4k_dumps"]["systems"]["clean_dump"]
        values["textdump.newspaper4k_token_f1"] = tokens.f1
    values.update(measured_dates(results))
    shares = results["retention"]
    if shares:
        values["newspaper4k.retained_mean"] = sum(shares.values()) / len(shares)
        values["newspaper4k.retained_min"] = min(shares.values())
    return values


def measured_dates(results: dict) -> dict[str, float]:
    """Exact-day accuracy of each date system on trafilatura_eval, as in floors.toml."""
    values = {}
    for key, _ in DATE_SYSTEMS:
        hits = (results.get("dates") or {}).get(key, {})
        if hits.get("all"):
            values[f"dates.{key}_day_accuracy"] = _share(hits["all"])
    return values


def targets(results: dict) -> list[tuple[str, bool | None]]:
    """The issue's quality targets and whether this run meets them (None: not measured)."""
    systems = results["systems"]
    html, anchor = systems["policykit_html"], systems["trafilatura_html"]
    dump = systems["policykit_dump"]
    html_date = _share(html.date) if html is not None else None
    return [
        (
            "HTML body F1 >= trafilatura's",
            None if html is None else html.counts.f1 >= anchor.counts.f1,
        ),
        ("text-dump body F1 >= 0.90", dump.counts.f1 >= 0.90),
        ("HTML date exact-day accuracy >= 0.95", None if html_date is None else html_date >= 0.95),
    ]


def load_floors(path: Path = FLOORS) -> dict[str, float]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"floors file {path} is not readable TOML: {exc}") from exc
    return {
        f"{section}.{name}": float(value)
        for section, table in raw.items()
        if isinstance(table, dict)
        for name, value in table.items()
    }


def check_floors(values: dict[str, float], floors: dict[str, float]) -> list[str]:
    """Messages for every floor missed (a floor whose figure was not measured is missed)."""
    failures = []
    for name, floor in sorted(floors.items()):
        value = values.get(name)
        if value is None:
            failures.append(f"{name}: not measured (floor {floor:.3f})")
        elif value < floor:
            failures.append(f"{name}: {value:.3f} is below the floor {floor:.3f}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policykit.evaluate", description=__doc__)
    parser.add_argument("--limit", type=int, help="only the first N pages (floors not gated)")
    parser.add_argument(
        "--sample", type=int, help="a seeded random sample of N pages (floors not gated)"
    )
    parser.add_argument("--workers", type=int, help="worker processes (default: up to 2)")
    parser.add_argument(
        "--data", type=Path, help="trafilatura_eval folder (default ../shared/eval)"
    )
    parser.add_argument("--floors", type=Path, default=FLOORS, help="floors TOML")
    args = parser.parse_args(argv)
    try:
        results = run_eval(
            limit=args.limit, sample=args.sample, workers=args.workers, data=args.data
        )
        floors = load_floors(args.floors)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(results))
    print()
    print(format_dates(results))
    values = measured(results)
    # News events (policykit.evaluate_events): its own gold data, skipped with a line
    # (and its floors not checked) when the data is absent.
    events_result = evaluate_events.run()
    print()
    print(evaluate_events.format_result(events_result))
    values.update(events_result.values())
    if events_result.skipped:
        floors = {k: v for k, v in floors.items() if not k.startswith("events.")}
    # Entity recognition (policykit.evaluate_ner): GUM and GMB, skipped with a line (and
    # the [entities] floors not checked) when the data is absent.
    ner = evaluate_ner.run_gate()
    print()
    print(ner["table"])
    values.update(ner["values"])
    if ner["skipped"]:
        floors = {k: v for k, v in floors.items() if not k.startswith("entities.")}
    print()
    for name, value in sorted(values.items()):
        floor = floors.get(name)
        pinned = f"(floor {floor:.3f})" if floor is not None else "(no floor)"
        print(f"  {name:<32} {value:.3f} {pinned}")
    print()
    for name, met in targets(results):
        print(f"  target {name:<40} {'-' if met is None else 'met' if met else 'MISSED'}")
    if not results["full"]:
        print("\nsubset run: floors are pinned for the full set and are not checked")
        return 0
    failures = check_floors(values, floors)
    if failures:
        print("\nFLOORS MISSED:\n  " + "\n  ".join(failures))
        return 1
    print("\nall floors met")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
