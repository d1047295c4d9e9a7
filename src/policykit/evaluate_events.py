"""News events against real gold event groupings: pairwise precision and recall.

The gold is the STORY column of the UCI News Aggregator data set (Gasparetti, 2017:
headlines collected from a news aggregator in 2014, grouped by the aggregator into
stories = the articles about one news item). Titles only, as in most exports. Two
articles form a *pair* when they share an event; precision is the share of predicted
pairs that are gold pairs, recall the share of gold pairs predicted.

Data, read from ``../shared/eval`` and never copied into the repository:

* ``news_events_uci_sample/rows*.txt``: excerpts of the public CSV (see its SOURCE.md);
* or the full file, ``newsCorpora.csv`` (tab-separated, no header) or
  ``uci-news-aggregator.csv`` (the Kaggle copy, with a header), in a folder given with
  ``--data``.

The same run scores a naive anchor: TF-IDF of the titles (scikit-learn defaults, English
stop words) linked at a cosine threshold within the same 3 days, grouped by connected
components, at two thresholds. Without data the evaluation is skipped with one line.

    python -m policykit.evaluate_events [--data FOLDER]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "eval" / "news_events_uci_sample"
#: Thresholds of the naive connected-components anchor.
BASELINE_THRESHOLDS = (0.3, 0.5)


@dataclass
class Record:
    id: str
    seconds: float
    outlet: str
    title: str
    story: str


@dataclass
class Result:
    """What a run measured; ``skipped`` holds the one-line reason when it did not run."""

    skipped: str | None = None
    records: int = 0
    stories: int = 0
    gold_pairs: int = 0
    seconds: float = 0.0
    scores: dict[str, tuple[float, float, int]] = field(default_factory=dict)

    def values(self) -> dict[str, float]:
        """The gated figures, named as in ``eval/floors.toml``."""
        if self.skipped or "policykit" not in self.scores:
            return {}
        precision, recall, _ = self.scores["policykit"]
        return {"events.pairwise_precision": precision, "events.pairwise_recall": recall}


def _excerpt_rows(path: Path) -> list[Record]:
    """One excerpt file: ``S <STORY> <CATEGORY>`` lines, then ``ID|TIMESTAMP|PUBLISHER|TITLE``."""
    out: list[Record] = []
    story = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("S "):
            story = line.split()[1]
            continue
        parts = line.split("|", 3)
        if len(parts) != 4 or story is None:
            raise ValueError(f"{path.name} line {number}: not ID|TIMESTAMP|PUBLISHER|TITLE")
        rid, stamp, outlet, title = parts
        out.append(Record(rid, int(stamp) / 1000.0, outlet, title, story))
    return out


def _csv_rows(path: Path) -> list[Record]:
    """The full UCI file: tab-separated without a header (newsCorpora.csv), or the
    comma-separated Kaggle copy with its header."""
    out = []
    with open(path, encoding="utf-8", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        if first.startswith("ID,TITLE"):
            reader = csv.reader(handle)
            next(reader)
        else:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            if len(row) != 8 or not row[7].strip().isdigit():
                continue  # a truncated or malformed line: not scored
            rid, title, _url, outlet, _cat, story, _host, stamp = row
            out.append(Record(rid, int(stamp) / 1000.0, outlet, title, story))
    return out


def load(data: Path | None = None) -> list[Record]:
    """The gold records of ``data`` (default: the shared excerpt), sorted by time."""
    folder = Path(data) if data is not None else DATA
    records: list[Record] = []
    for name in ("newsCorpora.csv", "uci-news-aggregator.csv"):
        if (folder / name).is_file():
            records = _csv_rows(folder / name)
            break
    else:
        for path in sorted(folder.glob("rows*.txt")):
            records.extend(_excerpt_rows(path))
    records.sort(key=lambda r: (r.seconds, r.id))
    return records


def _pairs(counts) -> int:
    return sum(c * (c - 1) // 2 for c in counts)


def pairwise(gold: list, predicted: list) -> tuple[float, float]:
    """Pairwise precision and recall of ``predicted`` labels against ``gold`` labels
    (a predicted grouping with no pair has precision 1)."""
    both = _pairs(Counter(zip(gold, predicted, strict=True)).values())
    predicted_pairs = _pairs(Counter(predicted).values())
    gold_pairs = _pairs(Counter(gold).values())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / gold_pairs if gold_pairs else 1.0
    return precision, recall


def baseline_labels(records: list[Record], threshold: float, window_days: float = 3.0):
    """The naive anchor: title TF-IDF (scikit-learn defaults, English stop words),
    cosine >= ``threshold`` within ``window_days``, connected components."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(records)
    matrix = TfidfVectorizer(stop_words="english").fit_transform(r.title for r in records)
    seconds = np.array([r.seconds for r in records])
    rows, cols = [], []
    step = 2000
    for start in range(0, n, step):
        sims = (matrix[start : start + step] @ matrix.T).tocoo()
        a = sims.row + start
        keep = (sims.data >= threshold) & (a != sims.col)
        keep &= np.abs(seconds[a] - seconds[sims.col]) <= window_days * 86400
        rows.append(a[keep])
        cols.append(sims.col[keep])
    a = np.concatenate(rows) if rows else np.empty(0, int)
    b = np.concatenate(cols) if cols else np.empty(0, int)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1].tolist()


def run(data: Path | None = None) -> Result:
    """Score policykit's events and the anchor on the gold data (or say why not)."""
    from .enrich import events

    folder = Path(data) if data is not None else DATA
    if not folder.is_dir():
        return Result(skipped=f"news events: skipped, no gold data at {folder}")
    try:
        records = load(folder)
    except (OSError, ValueError) as exc:
        return Result(skipped=f"news events: skipped, {folder} is unreadable ({exc})")
    if len(records) < 2:
        return Result(skipped=f"news events: skipped, no gold records in {folder}")
    gold = [r.story for r in records]
    result = Result(
        records=len(records),
        stories=len(set(gold)),
        gold_pairs=_pairs(Counter(gold).values()),
    )
    started = time.perf_counter()
    labels, _medoid, _links = events.cluster(
        [r.seconds for r in records], [r.title for r in records], [r.outlet for r in records]
    )
    result.seconds = time.perf_counter() - started
    predicted = labels.tolist()
    result.scores["policykit"] = (*pairwise(gold, predicted), len(set(predicted)))
    for threshold in BASELINE_THRESHOLDS:
        anchor = baseline_labels(records, threshold)
        result.scores[f"tfidf+cc@{threshold}"] = (*pairwise(gold, anchor), len(set(anchor)))
    return result


def format_result(result: Result) -> str:
    if result.skipped:
        return result.skipped
    lines = [
        f"news events: {result.records:,} gold records, {result.stories:,} gold events, "
        f"{result.gold_pairs:,} gold pairs (grouped in {result.seconds:.2f} s)",
        f"  {'system':<22} {'precision':>9} {'recall':>7} {'events':>7}",
    ]
    for name, (precision, recall, count) in result.scores.items():
        lines.append(f"  {name:<22} {precision:>9.3f} {recall:>7.3f} {count:>7,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m policykit.evaluate_events", description=__doc__
    )
    parser.add_argument("--data", type=Path, help=f"gold folder (default {DATA})")
    args = parser.parse_args(argv)
    print(format_result(run(args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
