"""The scoring primitives of :mod:`policykit.evaluate`: the annotated pages, the dump a
text scraper would save from a page, and the snippet and field matches.

Split from ``evaluate.py`` so the fast dump loop (:mod:`policykit.evaluate_dumps`) and the
tests can use them without the systems and the floors.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

# ---------------------------------------------------------------------------------------
# Data


@dataclass
class Page:
    """One annotated page of the trafilatura evaluation set."""

    url: str
    path: Path
    with_: list[str]
    without: list[str]
    title: str | None = None  # None: not annotated; "": annotated as absent
    date: str | None = None
    author: str | None = None


def load_pages(data: Path | None = None) -> list[Page]:
    """The annotated pages of ``trafilatura_eval`` in manifest order."""
    root = Path(data) if data else SHARED / "eval" / "trafilatura_eval"
    try:
        gold = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
        manifest = (root / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"evaluation data {root} is not readable: {exc}") from exc
    header = manifest[0].split("\t")
    pages = []
    for line in manifest[1:]:
        row = dict(zip(header, line.split("\t"), strict=False))
        record = gold.get(row["url"])
        if record is None:
            continue
        pages.append(
            Page(
                url=row["url"],
                path=root / row["stored_path"],
                with_=list(record.get("with", [])),
                without=list(record.get("without", [])),
                title=record.get("title"),
                date=record.get("date"),
                author=record.get("author"),
            )
        )
    return pages


# ---------------------------------------------------------------------------------------
# Plain-text dumps of HTML pages

_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "tr", "ul", "option", "button", "label",
}  # fmt: skip


def html_to_dump(html: bytes | str) -> str:
    """Every visible line of a page, as a plain-text scraper saves it.

    Drops script/style/noscript and the head; block elements become line breaks; menus,
    footers and asides are kept, as a scraper keeps them.
    """
    import trafilatura
    from lxml import etree

    tree = trafilatura.load_html(html)
    if tree is None:
        return ""
    parts: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag in _INVISIBLE or isinstance(element, etree._Comment):
            if element.tail:
                parts.append(element.tail)
            return
        block = tag in _BLOCK
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
        if block:
            parts.append("\n")
        if element.tail:
            parts.append(element.tail)

    root = tree.find(".//body")
    walk(root if root is not None else tree)
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _dump_as_html(dump: str) -> str:
    """A dump as the only structure it has: one paragraph per line."""
    paragraphs = "".join(f"<p>{html_lib.escape(line)}</p>\n" for line in dump.splitlines())
    return f"<html><body>\n{paragraphs}</body></html>"


# ---------------------------------------------------------------------------------------
# Scoring


def _ws(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


@dataclass
class Counts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fn + self.fp + self.tn
        return (self.tp + self.tn) / total if total else 0.0


def score_snippets(text: str | None, with_: list[str], without: list[str]) -> Counts:
    """Snippet counts for one extracted text (None: nothing extracted)."""
    body = _ws(text)
    counts = Counts()
    for snippet in with_:
        if body and _ws(snippet) in body:
            counts.tp += 1
        else:
            counts.fn += 1
    for snippet in without:
        if body and _ws(snippet) in body:
            counts.fp += 1
        else:
            counts.tn += 1
    return counts


def _norm_title(text: str | None) -> str:
    return _ws(text).casefold().strip(" \"'“”„«»")


def title_matches(found: str | None, gold: str) -> bool:
    return bool(found) and _norm_title(found) == _norm_title(gold)


def date_matches(found: str | None, gold: str) -> bool:
    """Exact day; ``found`` may be any ISO-like text starting with the day."""
    return bool(found) and str(found)[:10] == gold.strip()[:10]


def _names(text) -> set[str]:
    if isinstance(text, list):
        text = ";".join(str(t) for t in text)
    return {_ws(n).casefold() for n in re.split(r"[;,]| and | und ", str(text or "")) if _ws(n)}


def author_matches(found, gold: str) -> bool:
    return bool(_names(found)) and _names(found) == _names(gold)


@dataclass
class Extraction:
    """What one system found on one page."""

    body: str | None = None
    title: str | None = None
    date: str | None = None
    author: object = None
    error: str | None = None


@dataclass
class Tally:
    """Scores of one system over a set of pages."""

    counts: Counts = field(default_factory=Counts)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    author: list[bool] = field(default_factory=list)
    pages: int = 0
    errors: int = 0

    def add(self, page: Page, found: Extraction, *, metadata: bool = True) -> None:
        self.pages += 1
        self.errors += found.error is not None
        self.counts.add(score_snippets(found.body, page.with_, page.without))
        if not metadata:
            return
        if page.title:
            self.title.append(title_matches(found.title, page.title))
        if page.date:
            self.date.append(date_matches(found.date, page.date))
        if page.author:
            self.author.append(author_matches(found.author, page.author))


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None
