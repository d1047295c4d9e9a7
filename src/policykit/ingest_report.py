"""The accounting of an ingest: :class:`FileResult` per file, :class:`IngestReport` per run,
and their tables and lines (what ``policykit ingest`` prints).

Part of the ingest stage; re-exported by :mod:`policykit.ingest`. Imports nothing of policykit.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: str  # loaded | reloaded | unchanged | failed
    format: str | None = None
    layout: str | None = None
    records_read: int = 0
    new_articles: int = 0
    duplicates: int = 0
    rejects: int = 0
    #: stored records whose published value no date rule could read (NULL published_at,
    #: date_source 'unparsed'); part of new_articles + duplicates, not a fifth count
    dates_unparsed: int = 0
    skipped: dict = field(default_factory=dict)
    run_id: int | None = None
    #: why a failed file could not be read (also in ingest_runs.error)
    error: str | None = None
    #: layouts.LayoutReport of a metadata file: source fields used, notes, ignored values
    layout_report: object = None

    @property
    def balanced(self) -> bool:
        return self.records_read == self.new_articles + self.duplicates + self.rejects


@dataclass
class IngestReport:
    """The accounting of one ingest: per file, and rejects by reason.

    For every file, ``records_read == new_articles + duplicates + rejects``.
    """

    db: str
    files: list[FileResult] = field(default_factory=list)
    rejects_by_reason: Counter = field(default_factory=Counter)
    enrichment: object = None
    #: records of this ingest stored with a date value no rule could read
    dates_unparsed: int = 0

    @property
    def totals(self) -> dict[str, int]:
        return {
            key: sum(getattr(f, key) for f in self.files)
            for key in ("records_read", "new_articles", "duplicates", "rejects")
        }

    @property
    def balanced(self) -> bool:
        return all(f.balanced for f in self.files)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, status, format, layout and the four counts."""
        rows = [
            {
                "file": f.path,
                "status": f.status,
                "format": f.format,
                "layout": f.layout,
                "records_read": f.records_read,
                "new_articles": f.new_articles,
                "duplicates": f.duplicates,
                "rejects": f.rejects,
            }
            for f in self.files
        ]
        columns = [
            "file",
            "status",
            "format",
            "layout",
            "records_read",
            "new_articles",
            "duplicates",
            "rejects",
        ]
        return pd.DataFrame(rows, columns=columns)

    def summary_frame(self, max_files: int = 25) -> pd.DataFrame:
        """The per-file table, or, with more than ``max_files`` files, one row per format,
        layout and status (their common folder, a ``files`` count and the summed counts) so
        a big ingest stays readable."""
        frame = self.to_frame()
        if len(frame) <= max_files:
            return frame
        frame[["format", "layout"]] = frame[["format", "layout"]].fillna("")
        grouped = (
            frame.groupby(["format", "layout", "status"], sort=True)
            .agg(
                folder=(
                    "file",
                    lambda files: os.path.commonpath([str(Path(f).parent) for f in files]),
                ),
                files=("file", "size"),
                records_read=("records_read", "sum"),
                new_articles=("new_articles", "sum"),
                duplicates=("duplicates", "sum"),
                rejects=("rejects", "sum"),
            )
            .reset_index()
            .sort_values(["folder", "format"])
        )
        grouped = grouped[["folder", *[c for c in grouped.columns if c != "folder"]]]
        return grouped

    def rejects_frame(self) -> pd.DataFrame:
        items = sorted(self.rejects_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        return pd.DataFrame(items, columns=["reason", "records"])

    def __str__(self) -> str:
        t = self.totals
        changed = sum(f.status in ("loaded", "reloaded") for f in self.files)
        unchanged = sum(f.status == "unchanged" for f in self.files)
        failed = [f for f in self.files if f.status == "failed"]
        also = f", {len(failed)} failed" if failed else ""
        lines = [
            f"{len(self.files)} files ({changed} loaded, {unchanged} unchanged{also}) into {self.db}",
            f"records read {t['records_read']} = new articles {t['new_articles']}"
            f" + duplicates {t['duplicates']} + rejects {t['rejects']}",
        ]
        for reason, count in sorted(self.rejects_by_reason.items(), key=lambda kv: -kv[1]):
            lines.append(f"  rejected {count:>8}  {reason}")
        if self.dates_unparsed:
            lines.append(self.dates_unparsed_line())
        for f in failed:
            lines.append(f"  failed: {f.error}")
        return "\n".join(lines)

    def dates_unparsed_line(self) -> str:
        return (
            f"dates unparsed {self.dates_unparsed}: stored with no published_at"
            " (date_source 'unparsed'; see published_raw)"
        )

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be read at all; the next ingest tries them again."""
        return [f for f in self.files if f.status == "failed"]

    def layout_lines(self, max_files: int = 25) -> list[str]:
        """What layout detection did: per layout and field mapping, the source fields used
        for url, title, published_at and outlet, then each note (a column that looks like
        dates or URLs but is not loaded, with the ``--map`` that would use it)."""
        groups: dict[tuple, list[str]] = {}
        for f in self.files:
            report = f.layout_report
            if report is None:
                continue
            key = (f.layout, report.describe(), tuple(report.notes))
            groups.setdefault(key, []).append(f.path)
        lines = []
        for (layout, described, notes), paths in groups.items():
            where = paths[0] if len(paths) == 1 else f"{len(paths)} files"
            if len(paths) > 1 and len(paths) <= max_files:
                where += " (" + ", ".join(paths) + ")"
            lines.append(f"layout {layout} for {where}: {described}")
            lines.extend(f"  note: {note}" for note in notes)
        return lines
