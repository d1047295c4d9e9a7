"""Text-dump sections of ``make eval`` (:mod:`policykit.evaluate`).

* The trafilatura_eval dumps broken down by the language of each page's gold snippets
  (py3langid over the ``with`` snippets, so the code under test does not pick the group)
  and by a fixed split into two halves (the parity of the SHA-1 of the URL), so a rule
  tuned on one half can be checked on the other.
* A second, independent set: the 20 HTML pages of ``newspaper4k_testdata`` turned into
  dumps (the same ``html_to_dump`` as for trafilatura_eval) and scored by bag-of-tokens
  precision/recall/F1 against the article text upstream stores beside each page
  (``txt/<key>.txt``; a regression snapshot of newspaper4k's output, read by hand to be
  the article body). Tokens are casefolded words; a character of a script written without
  spaces is a token. Anchors on the same dumps: the whole dump, and trafilatura over it.
  Authors are compared with the ``authors`` of the page's metadata record (noisy upstream,
  reported, not gated).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1].parent
SHARED = REPO.parent / "shared"

_SPACELESS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
    r"\u1000-\u109f\u1780-\u17ff\uac00-\ud7af]"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def half_of(url: str) -> int:
    """0 or 1: the fixed split of the dev pages (parity of the URL's SHA-1)."""
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest(), 16) % 2


def gold_language(snippets: list[str]) -> str:
    """ISO code of the gold snippets' language ("??" when there is too little text)."""
    text = " ".join(snippets)
    if len(text) < 20:
        return "??"
    import py3langid

    return py3langid.classify(text)[0]


# ---------------------------------------------------------------------------------------
# Bag-of-tokens scores


def tokens(text: str | None) -> Counter:
    """Casefolded words; each character of a spaceless script counts as a word."""
    bag: Counter = Counter()
    for word in _WORD.findall((text or "").casefold()):
        if _SPACELESS.search(word):
            bag.update(word)
        else:
            bag[word] += 1
    return bag


@dataclass
class TokenCounts:
    """Micro-averaged token overlap plus the per-page F1s (for the macro mean)."""

    overlap: int = 0
    found: int = 0
    gold: int = 0
    page_f1: list[float] = field(default_factory=list)

    def add(self, found: str | None, gold: str) -> None:
        f, g = tokens(found), tokens(gold)
        overlap = sum((f & g).values())
        self.overlap += overlap
        self.found += sum(f.values())
        self.gold += sum(g.values())
        p = overlap / sum(f.values()) if f else 0.0
        r = overlap / sum(g.values()) if g else 0.0
        self.page_f1.append(2 * p * r / (p + r) if p + r else 0.0)

    @property
    def precision(self) -> float:
        return self.overlap / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.overlap / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(self.page_f1) / len(self.page_f1) if self.page_f1 else 0.0


# ---------------------------------------------------------------------------------------
# trafilatura_eval dumps by language and by half


def group_tallies(pages: list, found: list, tally_factory) -> dict[str, dict[str, object]]:
    """``{"language": {code: Tally}, "half": {"A"/"B": Tally}}`` for the dump cleaner.

    ``tally_factory`` makes an empty :class:`policykit.evaluate.Tally` (passed in so this
    module does not import the evaluation's entry point).
    """
    groups: dict[str, dict[str, object]] = {"language": {}, "half": {}}
    for page, extraction in zip(pages, found, strict=True):
        if extraction is None:
            continue
        for kind, key in (
            ("language", gold_language(page.with_)),
            ("half", "AB"[half_of(page.url)]),
        ):
            tally = groups[kind].setdefault(key, tally_factory())
            tally.add(page, extraction)
    return groups


def _share(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "  -  "


def format_groups(groups: dict[str, dict[str, object]], *, min_pages: int = 5) -> list[str]:
    lines = [
        "",
        "policykit clean_dump on the dumps, by half (fixed SHA-1 split of the URLs) and by "
        "the language of the gold snippets:",
        f"  {'group':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} "
        f"{'date':>6} {'author':>6}",
    ]
    for kind in ("half", "language"):
        items = sorted(
            groups[kind].items(),
            key=lambda kv: kv[0] if kind == "half" else (-kv[1].pages, kv[0]),
        )
        small = [key for key, tally in items if tally.pages < min_pages]
        for key, tally in items:
            if tally.pages < min_pages:
                continue
            c = tally.counts
            lines.append(
                f"  {kind[:4] + ' ' + key:<12} {tally.pages:>5} {c.precision:>6.3f} "
                f"{c.recall:>6.3f} {c.f1:>6.3f} {_share(tally.title):>6} "
                f"{_share(tally.date):>6} {_share(tally.author):>6}"
            )
        if small:
            lines.append(f"  (languages with fewer than {min_pages} pages: {', '.join(small)})")
    return lines


# ---------------------------------------------------------------------------------------
# newspaper4k HTML pages as dumps


def _newspaper4k_rows(root: Path) -> list[dict]:
    with (root / "manifest.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if r["html"].startswith("html/") and r["txt"]]


def _authors_match(found: list[str], gold: list[str]) -> bool:
    def norm(names):
        return {" ".join(n.split()).casefold() for n in names if n and n.strip()}

    return bool(norm(found)) and norm(found) == norm(gold)


def newspaper4k_dumps(data: Path | None = None) -> dict | None:
    """Token scores of the dump cleaner and its anchors on the newspaper4k pages as dumps.

    Returns None when the data is not there.
    """
    root = Path(data) if data else SHARED / "eval" / "newspaper4k_testdata"
    if not (root / "manifest.tsv").is_file():
        return None
    import trafilatura

    from .evaluate import _dump_as_html, html_to_dump
    from .sources.textdump import clean_dump

    systems = {
        "whole dump": TokenCounts(),
        "trafilatura": TokenCounts(),
        "clean_dump": TokenCounts(),
    }
    by_language: dict[str, TokenCounts] = {}
    authors: list[bool] = []
    pages = []
    for row in _newspaper4k_rows(root):
        html = gzip.decompress((root / row["html"]).read_bytes())
        gold = (root / row["txt"]).read_text(encoding="utf-8")
        dump = html_to_dump(html)
        url = row["url"] if "://" in row["url"] else None
        cleaned = clean_dump(dump, sidecar={"url": url} if url else {})
        body = "\n".join(filter(None, [cleaned.title, cleaned.body]))
        systems["whole dump"].add(dump, gold)
        systems["trafilatura"].add(trafilatura.extract(_dump_as_html(dump)), gold)
        systems["clean_dump"].add(body, gold)
        language = gold_language([gold[:2000]])
        by_language.setdefault(language, TokenCounts()).add(body, gold)
        meta_path = root / row["metadata"] if row["metadata"] else None
        if meta_path and meta_path.is_file():
            gold_authors = json.loads(meta_path.read_text(encoding="utf-8")).get("authors") or []
            if gold_authors:
                authors.append(_authors_match(cleaned.authors, gold_authors))
        pages.append((row["key"], systems["clean_dump"].page_f1[-1]))
    return {
        "systems": systems,
        "by_language": by_language,
        "authors": authors,
        "pages": pages,
    }


def format_newspaper4k(result: dict | None) -> list[str]:
    if result is None:
        return ["", "newspaper4k pages as dumps: data not available"]
    lines = [
        "",
        f"newspaper4k HTML pages as dumps ({len(result['pages'])} pages, 12 languages), bag-of-"
        "tokens scores against upstream's article text:",
        f"  {'system':<14} {'P':>6} {'R':>6} {'F1':>6} {'macro':>6}",
    ]
    for name, c in result["systems"].items():
        lines.append(
            f"  {name:<14} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f} {c.macro_f1:>6.3f}"
        )
    per_language = ", ".join(
        f"{code} {c.f1:.2f} ({len(c.page_f1)})"
        for code, c in sorted(result["by_language"].items(), key=lambda kv: -len(kv[1].page_f1))
    )
    lines.append(f"  clean_dump F1 by language (pages): {per_language}")
    worst = sorted(result["pages"], key=lambda kv: kv[1])[:3]
    lines.append("  lowest pages: " + ", ".join(f"{key} {f1:.2f}" for key, f1 in worst))
    if result["authors"]:
        lines.append(
            f"  authors equal to the metadata record's (noisy upstream): "
            f"{sum(result['authors'])}/{len(result['authors'])}"
        )
    return lines


# ---------------------------------------------------------------------------------------
# Fast CLI: the dump part of ``make eval`` alone


def _dump_of(page, cache: Path | None) -> str:
    """The page's dump (``html_to_dump``), read from ``cache`` when written there before.

    The cache holds derived text only, keyed by the SHA-1 of the URL; it is a scratch
    folder given on the command line (never inside ../shared or the repository's data).
    """
    from .evaluate import html_to_dump

    path = None
    if cache is not None:
        path = cache / f"{hashlib.sha1(page.url.encode('utf-8')).hexdigest()}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    dump = html_to_dump(gzip.decompress(page.path.read_bytes()))
    if path is not None:
        path.write_text(dump, encoding="utf-8")
    return dump


def dump_eval(
    *, sample: int | None = None, seed: int = 13, cache: Path | None = None, data=None
) -> dict:
    """Score :func:`clean_dump` on the trafilatura_eval pages as dumps, as ``make eval``
    does (boilerplate learnt per host over the same dumps, the same Tally), single process.

    Returns ``{"tally", "groups", "pages", "found", "dumps", "jobs"}`` (``jobs``: the
    ``(dump, sidecar, boilerplate)`` each page was cleaned with).
    """
    import random
    import tempfile

    from .evaluate import Tally, _dump_phase, load_pages
    from .sources.textdump import boilerplate_lines, dump_outlet_key, learn_boilerplate

    pages = load_pages(data)
    if sample:
        pages = random.Random(seed).sample(pages, min(sample, len(pages)))
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    dumps = [_dump_of(page, cache) for page in pages]
    with tempfile.TemporaryDirectory(prefix="policykit-dumps-") as tmp:
        paths = []
        for i, (page, dump) in enumerate(zip(pages, dumps, strict=True)):
            path = Path(tmp) / f"{i:04d}.txt"
            path.write_text(dump, encoding="utf-8")
            path.with_suffix(".json").write_text(json.dumps({"url": page.url}))
            paths.append(path)
        known = boilerplate_lines(learn_boilerplate(paths))
    jobs = [
        (dump, {"url": page.url}, known.get(dump_outlet_key(dump, {"url": page.url}), set()))
        for page, dump in zip(pages, dumps, strict=True)
    ]
    found = [_dump_phase(job) for job in jobs]
    tally = Tally()
    for page, extraction in zip(pages, found, strict=True):
        if extraction is not None:
            tally.add(page, extraction)
    return {
        "tally": tally,
        "groups": group_tallies(pages, found, Tally),
        "pages": pages,
        "found": found,
        "dumps": dumps,
        "jobs": jobs,
    }


def worst_pages(result: dict, n: int) -> list[str]:
    """The ``n`` pages with the most missed snippets (false negatives plus positives)."""
    from .evaluate import score_snippets

    rows = []
    for page, extraction in zip(result["pages"], result["found"], strict=True):
        body = extraction.body if extraction is not None else None
        c = score_snippets(body, page.with_, page.without)
        rows.append((c.fn + c.fp, c.fn, c.fp, page.url))
    rows.sort(reverse=True)
    return [f"  fn {fn:>3} fp {fp:>3}  {url}" for _, fn, fp, url in rows[:n] if fn + fp]


def main(argv: list[str] | None = None) -> int:
    """``python -m policykit.evaluate_dumps [--sample N] [--cache DIR] [--worst N]``.

    Prints the dump cleaner's body P/R/F1, title/date/author shares, the halves and
    languages, and the newspaper4k figures (retention and token F1). Floors are not
    checked here: ``make eval`` is the gate.
    """
    import argparse
    import time

    from .evaluate import newspaper4k_retention

    parser = argparse.ArgumentParser(prog="python -m policykit.evaluate_dumps")
    parser.add_argument("--sample", type=int, help="score a random sample of N pages")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", type=Path, help="folder to keep the rendered dumps in")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    args = parser.parse_args(argv)
    started = time.monotonic()
    result = dump_eval(sample=args.sample, seed=args.seed, cache=args.cache)
    c = result["tally"].counts
    t = result["tally"]
    print(
        f"clean_dump on {t.pages} dumps: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}"
        f"  title {_share(t.title)} date {_share(t.date)} author {_share(t.author)}"
    )
    for line in format_groups(result["groups"]):
        print(line)
    if args.worst:
        print(f"\n{args.worst} worst pages (missed with-snippets, kept without-snippets):")
        for line in worst_pages(result, args.worst):
            print(line)
    if not args.sample:
        shares = newspaper4k_retention()
        if shares:
            values = list(shares.values())
            print(
                f"\nnewspaper4k clean bodies kept: mean {sum(values) / len(values):.3f}, "
                f"min {min(values):.3f} ({len(values)} files)"
            )
        for line in format_newspaper4k(newspaper4k_dumps()):
            print(line)
    print(f"\n{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
