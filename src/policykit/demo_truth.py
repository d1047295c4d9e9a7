"""What the demo corpus holds, to check an ingest against: the manifest (counts of files,
layouts, faults and the planted events) and ``.truth.csv.gz`` (which article, story,
outlet and time every record is), with :func:`truth_agreement` to score a database.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .demo_formats import _iso
from .demo_plan import _Article
from .errors import ConfigError

MANIFEST_NAME = ".manifest.json"
TRUTH_NAME = ".truth.csv.gz"  # one row per record written: which article it is (hidden too)
TRUTH_COLUMNS = ("file", "url", "article", "story", "outlet", "domain", "published", "layout")
TRUTH_SQL = Path(__file__).parent / "data" / "demo" / "truth.sql"


@dataclass
class DemoManifest:
    """What :func:`generate` wrote: counts to check an ingest against."""

    out_dir: str
    seed: int
    start: str
    end: str
    scraped_at: str
    articles: int  # distinct articles (distinct canonical URLs, text dumps by text)
    records: int  # records written across all files (articles + duplicates + the truncated line)
    duplicate_records: int  # records that repeat an article (URL variants, feed items)
    files: dict[str, int] = field(default_factory=dict)  # relative path -> records
    layouts: dict[str, int] = field(default_factory=dict)  # layout -> records
    outlets: dict[str, int] = field(default_factory=dict)  # outlet name -> distinct articles
    topics: dict[str, int] = field(default_factory=dict)  # topic -> distinct articles
    faults: dict[str, int] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    syndicated_pairs: list[list[str]] = field(default_factory=list)  # [copy url, wire url]
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        data = self.to_dict()
        for volatile in ("seconds", "out_dir"):  # the file is byte-identical across runs
            data.pop(volatile)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def _truth_row(truth: list[tuple], rel: str, url: str | None, a: _Article) -> None:
    story = a.copy_of if a.copy_of >= 0 else a.idx  # a wire copy tells its agency's story
    truth.append((rel, url, a.idx, story, a.name, a.domain, _iso(a.published), _layout_of(rel)))


def _truth_csv(truth: list[tuple]) -> bytes:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(TRUTH_COLUMNS)
    w.writerows(sorted(truth, key=lambda r: (r[0], r[2], r[1] or "")))
    return text.getvalue().encode("utf-8")


def _layout_of(rel: str) -> str:
    top = rel.split("/", 1)[0]
    if top == "pages":
        return {"html": "html", "text": "text"}.get(rel.split("/")[1], "warc")
    return {"feeds": "rss"}.get(top, top)


def truth_agreement(con, out_dir: str | Path = "data/raw/demo") -> dict[str, int]:
    """Count how far a database built from a demo corpus agrees with its ground truth.

    Parameters
    ----------
    con
        A DuckDB connection to the database that ingested ``out_dir`` (read-only is fine).
    out_dir
        The demo corpus folder; its ``.truth.csv.gz`` says which article every record is.

    Returns
    -------
    dict
        ``articles`` (true distinct articles), ``loaded`` (with at least one record in
        ``articles`` or ``duplicates``; the rest were rejected), ``outlet_right`` (loaded,
        with the true outlet: its name, or a registry outlet of the true domain, since
        the registry may spell it out: "PTI" is "Press Trust of India"), ``dated`` (``published_at`` set), ``day_right`` (its
        UTC day is the true one), ``duplicate_groups`` (articles with several loaded
        records: URL variants, feed items), ``duplicates_recognised`` (all those records
        merged into one article), ``merged_copies`` (database articles holding several
        true articles of one story: a wire story and its syndicated copies) and
        ``false_merges`` (database articles holding unrelated true articles).
    """
    out = Path(out_dir)
    truth = out / TRUTH_NAME
    if not truth.is_file():
        raise ConfigError(
            f"{truth} is missing; write the corpus with this version of policykit demo"
        )
    files = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    loaded = con.execute(
        "SELECT DISTINCT source_path FROM articles "
        "UNION SELECT DISTINCT source_path FROM duplicates"
    ).fetchall()
    paths, rels = [], []
    for (path,) in loaded:  # a loaded path is the corpus file it ends with
        rel = next((r for r in files if path == r or path.endswith("/" + r)), None)
        if rel is not None:
            paths.append(path)
            rels.append(rel)
    query = TRUTH_SQL.read_text(encoding="utf-8")
    row = con.execute(query, {"truth": str(truth), "paths": paths, "files": rels})
    names = [d[0] for d in row.description]
    return dict(zip(names, row.fetchone(), strict=True))
