"""A deterministic, realistic demo corpus, and fast generators of benchmark data.

:func:`generate` (exported as ``pk.demo``; CLI ``policykit demo``) writes about three years
of synthetic news coverage from 19 outlets into ``data/raw/demo``, spread over the layouts
real scrapes come in (Scrapy JSONL, news-please, trafilatura, Media Cloud CSV, GDELT
artlist, newspaper4k, saved HTML pages, plain-text page dumps with site chrome, a WARC, RSS
feeds), with the faults real scrapes have, each counted in the returned
:class:`DemoManifest`. The same seed gives byte-identical files.

The manifest is written as ``.manifest.json`` *inside* the output folder: hidden files are
skipped by the ingest walker, so it is never loaded as data, and the generator writes
nothing outside its folder. Beside it, ``.truth.csv.gz`` says which article every record is
(its true outlet, publication time and story); :func:`truth_agreement` scores a database
built from the corpus against it.

Benchmark data at any size:

- :func:`write_metadata_jsonl`: N Scrapy-style JSONL records (short or no bodies), vectorised
  with polars; 1M records take a few seconds.
- :func:`write_articles_parquet`: N rows shaped like the ``articles`` table (plus an
  ``article_topics`` companion file), generated inside DuckDB from ``range(n)`` and streamed
  to Parquet, so 10M rows need little memory. :func:`load_articles` inserts the same rows
  straight into a database's ``articles`` and ``article_topics`` tables (for the trends
  benchmark).

Every sentence, headline pattern and name in ``data/demo/corpus.yml`` is synthetic and was
written for policykit; outlet and organisation names are real and used factually.

This module is the public face and :func:`generate`; the parts live beside it, each
importing only those before it: :mod:`~policykit.demo_text` (outlets, topics, templates),
:mod:`~policykit.demo_plan` (who publishes what and when), :mod:`~policykit.demo_formats`
(metadata records and their faults), :mod:`~policykit.demo_pages` (HTML, text dumps, WARC,
RSS), :mod:`~policykit.demo_truth` (manifest and ground truth) and
:mod:`~policykit.demo_bench` (benchmark data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import time
from collections import Counter
from pathlib import Path

from . import _callable_module
from .demo_bench import (
    ARTICLE_COLUMNS,
    load_articles,
    write_articles_parquet,
    write_metadata_jsonl,
)
from .demo_formats import (
    _Faults,
    _gdelt_item,
    _gzip,
    _iso,
    _jsonl,
    _mediacloud_row,
    _newspaper4k_record,
    _newsplease_record,
    _scrapy_record,
    _trafilatura_record,
    _variant_url,
)
from .demo_pages import _chrome, _html_page, _rss, _text_dump, _warc_bytes
from .demo_plan import (
    BODY_LAYOUTS,
    META_LAYOUTS,
    META_SHARES,
    PAGE_OUTLETS,
    RATES,
    _Article,
    _assign_layouts,
    _plan,
    _syndicate,
    _validate,
    _write_text,
)
from .demo_text import (
    BACKGROUND,
    CORPUS_FILE,
    DATA_VERSION,
    DEFAULT_SEED,
    DOMAINS,
    INDIAN,
    IST,
    NAMES,
    OUTLETS,
    TOPICS,
    UTC,
    WIRES,
    _slug,
)
from .demo_truth import (
    MANIFEST_NAME,
    TRUTH_COLUMNS,
    TRUTH_NAME,
    TRUTH_SQL,
    DemoManifest,
    _layout_of,
    _truth_csv,
    _truth_row,
    truth_agreement,
)
from .errors import ConfigError
from .progress import resolve as _resolve_progress

__all__ = [
    "ARTICLE_COLUMNS",
    "BACKGROUND",
    "BODY_LAYOUTS",
    "CORPUS_FILE",
    "DATA_VERSION",
    "DEFAULT_SEED",
    "DOMAINS",
    "INDIAN",
    "IST",
    "MANIFEST_NAME",
    "META_LAYOUTS",
    "META_SHARES",
    "NAMES",
    "OUTLETS",
    "PAGE_OUTLETS",
    "RATES",
    "TOPICS",
    "TRUTH_COLUMNS",
    "TRUTH_NAME",
    "TRUTH_SQL",
    "UTC",
    "WIRES",
    "DemoManifest",
    "demo",
    "generate",
    "load_articles",
    "truth_agreement",
    "write_articles_parquet",
    "write_metadata_jsonl",
]


def _clear_previous(out: Path, force: bool) -> None:
    if not out.exists() or not any(p.is_file() for p in out.rglob("*")):
        return  # empty, or only empty folders
    if not force:
        raise ConfigError(
            f"output folder {out} is not empty; pass force=True (CLI: --force) to replace "
            "a previous demo corpus there, or choose another folder"
        )
    manifest = out / MANIFEST_NAME
    if not manifest.is_file():
        raise ConfigError(
            f"output folder {out} is not empty and holds no demo corpus ({MANIFEST_NAME} is "
            "missing); refusing to delete files policykit did not write; choose an empty folder"
        )
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"{manifest} is not a demo manifest ({exc}); remove the folder by hand"
        ) from None
    for rel in old:
        path = (out / rel).resolve()
        if out.resolve() in path.parents and path.is_file():  # never outside the folder
            path.unlink()
    manifest.unlink()
    (out / TRUTH_NAME).unlink(missing_ok=True)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def generate(
    out_dir: str | Path = "data/raw/demo",
    *,
    n_articles: int = 30_000,
    seed: int = DEFAULT_SEED,
    start: str = "2022-01-01",
    years: int = 3,
    pages: bool = True,
    force: bool = False,
    progress=False,
) -> DemoManifest:
    """Write the demo corpus into ``out_dir`` and return its manifest.

    Parameters
    ----------
    out_dir
        Folder to write (created if needed). It must be empty, or hold a previous demo
        corpus and ``force=True``: only the files listed in its ``.manifest.json`` (and
        its ``.truth.csv.gz``) are replaced, nothing else is deleted.
    n_articles
        Distinct articles (200 to 200,000). Duplicate records (URL variants, feed items)
        and one truncated line come on top; see :attr:`DemoManifest.records`.
    seed
        The same seed gives byte-identical files.
    start, years
        The corpus spans ``years`` years from ``start`` (an ISO date).
    pages
        Also write saved HTML pages, plain-text page dumps, a WARC and RSS feeds.
    progress
        What to show on stderr while it runs (see :mod:`policykit.progress`): ``False``
        (default) nothing, ``True``/``"auto"`` a bar on a terminal and one-line counts
        otherwise, ``"bar"``, ``"lines"``, or a callable receiving each
        :class:`~policykit.progress.Event`. Two steps, in articles: ``plan`` (outlets,
        dates, headlines, bodies) and ``write`` (records made, with the ``records`` and
        ``files`` written so far).

    Returns
    -------
    DemoManifest
        Also written to ``out_dir/.manifest.json`` (hidden, so never ingested).

    Examples
    --------
    >>> import policykit as pk
    >>> m = pk.demo("/tmp/pk-demo", n_articles=2_000, force=True)  # doctest: +SKIP
    >>> m.articles  # doctest: +SKIP
    2000
    """
    began = time.perf_counter()
    start_day = _validate(n_articles, start, years)
    if not isinstance(seed, int):
        raise ConfigError(f"seed {seed!r} is not an integer")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"output folder {out} is a file, not a folder")
    _clear_previous(out, force)

    meter = _resolve_progress(progress)
    with meter.stage("plan", total=n_articles, unit="articles", group="demo") as step:
        articles, events = _plan(n_articles, seed, start_day, years)
        rng = random.Random(seed)
        _assign_layouts(articles, rng, pages)
        _syndicate(articles, rng)
        _write_text(articles, events, seed, lambda n: step.set(done=n))
        step.set(done=len(articles))
    with meter.stage("write", total=len(articles), unit="articles", group="demo") as step:
        manifest = _write_corpus(out, seed, pages, articles, events, step)
    manifest.seconds = round(time.perf_counter() - began, 2)
    return manifest


def _write_corpus(
    out: Path, seed: int, pages: bool, articles: list[_Article], events: list[dict], step
) -> DemoManifest:
    """Write every file of the planned corpus, its manifest and its ground truth; ``step``
    counts the articles whose records are made, and the records and files written."""
    faults = _Faults(random.Random(seed + 1), max(a.scraped for a in articles))
    faults.count["syndicated_copies"] = sum(a.copy_of >= 0 for a in articles)

    # (file, sort key, record); variants are extra records of articles written elsewhere.
    rows: dict[str, list] = {}

    truth: list[tuple] = []

    def add(rel: str, key: tuple, record, a: _Article | None = None, url: str = "") -> None:
        rows.setdefault(rel, []).append((key, record))
        if a is not None:
            _truth_row(truth, rel, url or a.url, a)

    variants: dict[int, tuple[str, str]] = {}
    for a in articles:
        if a.layout in META_LAYOUTS and faults.hit("tracking_variant"):
            kind = faults.rng.choice(("utm", "utm", "fbclid", "amp", "mobile", "http"))
            target = faults.rng.choice(
                [x for x in ("scrapy", "mediacloud", "gdelt") if x != a.layout]
            )
            variants[a.idx] = (kind, target)

    mc_header = [
        "id",
        "indexed_date",
        "language",
        "media_name",
        "media_url",
        "publish_date",
        "title",
        "url",
    ]
    made = 0  # articles whose records are made (progress)
    for k, a in enumerate(articles):
        if k % 500 == 0:
            step.set(done=made, records=len(truth))
        made += a.layout in META_LAYOUTS
        year = a.published.year
        key = (a.published, a.idx)
        if a.layout == "scrapy":
            add(f"scrapy/{year}-items.jsonl.gz", key, _scrapy_record(a, faults), a)
        elif a.layout == "mediacloud":
            add(f"mediacloud/stories-{year}.csv", key, _mediacloud_row(a, faults), a)
        elif a.layout == "gdelt":
            rel = f"gdelt/artlist-{year}-{a.published.month:02d}.json"
            add(rel, key, _gdelt_item(a, faults), a)
        elif a.layout == "trafilatura":
            add(f"trafilatura/{year}.jsonl", key, _trafilatura_record(a, faults), a)
        elif a.layout == "newspaper4k":
            add(f"newspaper4k/{year}.json", key, _newspaper4k_record(a, faults), a)
        elif a.layout == "news-please":
            name = hashlib.sha256(a.url.encode()).hexdigest() + ".json"
            add(
                f"news-please/{OUTLETS[a.outlet][2]}/{name}",
                key,
                _newsplease_record(a, faults, name),
                a,
            )
        if a.idx in variants:
            kind, target = variants[a.idx]
            url = _variant_url(a.url, kind, faults.rng)
            faults.count[f"tracking_variants_{kind}"] += 1
            vkey = (a.scraped, a.idx)
            if target == "scrapy":
                rel = f"scrapy/{year}-items.jsonl.gz"
                add(rel, vkey, _scrapy_record(a, faults, True, url), a, url)
            elif target == "mediacloud":
                rel = f"mediacloud/stories-{year}.csv"
                add(rel, vkey, _mediacloud_row(a, faults, True, url), a, url)
            else:
                rel = f"gdelt/artlist-{year}-{a.published.month:02d}.json"
                add(rel, vkey, _gdelt_item(a, faults, True, url), a, url)

    blobs: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for rel in sorted(rows):
        records = [r for _, r in sorted(rows[rel], key=lambda kr: kr[0])]
        counts[rel] = len(records)
        if rel.startswith("scrapy/"):
            blobs[rel] = _jsonl(records).encode("utf-8")
        elif rel.startswith("mediacloud/"):
            text = io.StringIO()
            w = csv.writer(text, lineterminator="\n")
            w.writerow(mc_header)
            w.writerows(records)
            blobs[rel] = text.getvalue().encode("utf-8")
        elif rel.startswith("gdelt/"):
            blobs[rel] = json.dumps({"articles": records}, ensure_ascii=False).encode("utf-8")
        elif rel.startswith("trafilatura/"):
            blobs[rel] = _jsonl(records).encode("utf-8")
        elif rel.startswith("newspaper4k/"):
            blobs[rel] = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
        else:
            blobs[rel] = json.dumps(records[0], ensure_ascii=False, indent=2).encode("utf-8")

    # One Scrapy export was cut off mid-write: its last line is half a record.
    scrapy_files = sorted(r for r in blobs if r.startswith("scrapy/"))
    if scrapy_files:
        rel = scrapy_files[len(scrapy_files) // 2]
        first = blobs[rel].split(b"\n", 1)[0]
        blobs[rel] += first[: len(first) * 3 // 5]
        counts[rel] += 1
        faults.count["truncated_lines"] = 1
    for rel in scrapy_files:
        blobs[rel] = _gzip(blobs[rel])

    page_articles = [a for a in articles if a.layout in ("html", "text", "warc")]
    chromes = {d: _chrome(d, NAMES[DOMAINS.index(d)], seed) for d in PAGE_OUTLETS}
    warc_pages = []
    for k, a in enumerate(page_articles):
        if k % 50 == 0:
            step.set(done=made + k, records=len(truth))
        prng = random.Random(f"{seed}:page:{a.idx}")
        slug = _slug(a.title, 8) + f"-{a.idx}"
        if a.layout == "html":
            page = _html_page(a, chromes[a.domain], prng, meta_date=prng.random() > 0.1)
            rel = f"pages/html/{a.domain}/{slug}.html"
            blobs[rel], counts[rel] = page.encode("utf-8"), 1
            _truth_row(truth, rel, a.url, a)
        elif a.layout == "text":
            rel = f"pages/text/{a.domain}/{slug}.txt"
            blobs[rel], counts[rel] = _text_dump(a, chromes[a.domain], prng).encode("utf-8"), 1
            _truth_row(truth, rel, None, a)  # a dump carries no URL: known by its file
        else:
            warc_pages.append((a, _html_page(a, chromes[a.domain], prng)))
            _truth_row(truth, "pages/crawl.warc.gz", a.url, a)
    if warc_pages:
        blobs["pages/crawl.warc.gz"] = _warc_bytes(warc_pages)
        counts["pages/crawl.warc.gz"] = len(warc_pages)
    if pages:
        for domain in ("medianama.com", "thehindu.com", "livemint.com", "scroll.in"):
            k = DOMAINS.index(domain)
            latest = [a for a in articles if a.outlet == k and a.layout != "text"][-25:]
            rel = f"feeds/{domain.split('.')[0]}.xml"
            blobs[rel], counts[rel] = _rss(domain, NAMES[k], latest).encode("utf-8"), len(latest)
            faults.count["feed_items"] += len(latest)
            for a in latest:
                _truth_row(truth, rel, a.url, a)

    step.set(done=made + len(page_articles), records=len(truth))
    out.mkdir(parents=True, exist_ok=True)
    for k, rel in enumerate(sorted(blobs)):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blobs[rel])
        if k % 20 == 0:
            step.set(files=k + 1)

    layouts: Counter = Counter()
    for rel, n in counts.items():
        layouts[_layout_of(rel)] += n
    n_variants = sum(v for k, v in faults.count.items() if k.startswith("tracking_variants_"))
    manifest = DemoManifest(
        out_dir=str(out),
        seed=seed,
        start=articles[0].published.date().isoformat(),
        end=articles[-1].published.date().isoformat(),
        scraped_at=_iso(max(a.scraped for a in articles)),
        articles=len(articles),
        records=sum(counts.values()),
        duplicate_records=n_variants + faults.count["feed_items"],
        files=dict(sorted(counts.items())),
        layouts=dict(sorted(layouts.items())),
        outlets=dict(sorted(Counter(a.name for a in articles).items())),
        topics=dict(sorted(Counter(a.topic for a in articles).items())),
        faults=dict(sorted(faults.count.items())),
        events=[
            {
                "date": e["date"],
                "topic": e["topic"],
                "headline": e["headline"],
                "days": e["days"],
                "articles": sum(a.event == i for a in articles),
            }
            for i, e in enumerate(events)
        ],
        syndicated_pairs=[[a.url, articles[a.copy_of].url] for a in articles if a.copy_of >= 0],
    )
    manifest.write(out / MANIFEST_NAME)
    (out / TRUTH_NAME).write_bytes(_gzip(_truth_csv(truth)))
    step.finish(done=len(articles), records=manifest.records, files=len(manifest.files))
    return manifest


#: ``pk.demo(...)`` mirrors ``policykit demo``.
demo = generate


# `pk.demo(...)` must keep working once this module is imported (see policykit/__init__.py).
_callable_module(__name__)
