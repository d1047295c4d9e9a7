"""Figure sizes, titles and notes for :mod:`policykit.charts`.

Sizes are planned for the A4 PDF report (``templates/policykit_html/report.css``: 15 mm
side margins, so a 180 mm text column, and 263 mm of text height; the print style shows
an image at most 170 mm wide and 105 mm tall). Every chart is :data:`WIDTH_MM` = 170 mm
wide and at most :data:`HALF_PAGE_MM` = 105 mm high, so two charts with their headings
and a paragraph fit one page, and print at their own size (only a chart whose title or
note wraps to extra lines grows taller, and is then scaled to fit). Jupyter and the HTML report show
a chart at its physical size (``width`` metadata in CSS pixels, 96 per inch), so 10 pt
text prints at 10 pt.

A figure's header and footer are laid out by matplotlib's constrained layout, never
placed at fixed positions: the title is the figure's suptitle (aligned with the top
Axes), the subtitle (what a chart
chose to say about its data, such as "3 of 19 days had no articles") is the top Axes'
title, and the source note is the figure's supxlabel. All three are wrapped to the
figure's width when it is drawn, so a long title or note takes more lines instead of
running off the page or into another text.
"""

from __future__ import annotations

import contextlib
import io
from importlib import resources
from pathlib import Path

import matplotlib.style as mstyle
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

MM = 1 / 25.4
#: Chart width: fits the A4 text column (180 mm) with room to spare.
WIDTH_MM = 170
#: Heights: a one-panel chart, a two-panel chart (coverage: counts and share), the
#: most any chart takes (two per page), and the least a bar chart takes.
STANDARD_MM = 80
TALL_MM = 100
HALF_PAGE_MM = 105
SMALL_MM = 55
#: CSS pixels per inch: the ``width`` Jupyter and the HTML report give the PNG.
CSS_DPI = 96
#: The resolution of the PNG in notebooks and reports.
PNG_DPI = 200

WIDTH = WIDTH_MM * MM
STANDARD = (WIDTH, STANDARD_MM * MM)
TALL = (WIDTH, TALL_MM * MM)

FIXED_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}
# Gap between the figure's edge and its title or note (figure fraction of the width).
_EDGE = 0.012
TITLE_SIZE = 12
SUBTITLE_SIZE = 8.5
NOTE_SIZE = 7.5
MUTED = "#444444"
NOTE_COLOUR = "#555555"


def style_path() -> Path:
    """The path of the house matplotlib style file."""
    return Path(str(resources.files("policykit") / "styles" / "policykit.mplstyle"))


@contextlib.contextmanager
def style():
    """Apply the house style inside a ``with`` block (restores rcParams afterwards)."""
    with mstyle.context(str(style_path())):
        yield


def height_for_rows(rows: int, per_row_mm: float = 5.2, extra_mm: float = 30) -> tuple:
    """Width and height (inches) of a bar chart or heatmap with ``rows`` rows, between
    :data:`SMALL_MM` and :data:`HALF_PAGE_MM`."""
    height = min(HALF_PAGE_MM, max(SMALL_MM, extra_mm + per_row_mm * rows))
    return (WIDTH, height * MM)


def wrap_text(text: str, width_px: float, prop, renderer) -> str:
    """``text`` broken at spaces (or inside a word longer than a line) so that no line is
    wider than ``width_px`` in ``prop`` on ``renderer``."""
    measured: dict[str, float] = {}

    def width(s: str) -> float:
        if s not in measured:
            measured[s] = renderer.get_text_width_height_descent(s, prop, ismath=False)[0]
        return measured[s]

    def longest_prefix(word: str) -> int:
        # Binary search: the longest prefix that fits (at least one character).
        low, high = 1, len(word)
        while low < high:
            middle = (low + high + 1) // 2
            if width(word[:middle]) <= width_px:
                low = middle
            else:
                high = middle - 1
        return low

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= width_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and width(line) > width_px:
                cut = longest_prefix(line)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


class ReportFigure(Figure):
    """A Figure that shows itself in Jupyter as a high-resolution PNG at print size, and
    wraps its title, subtitle and source note to its width whenever it is drawn."""

    def _repr_png_(self):
        buffer = io.BytesIO()
        with style():
            self.savefig(buffer, format="png", dpi=PNG_DPI, metadata=FIXED_METADATA["png"])
        width, height = self.get_size_inches() * CSS_DPI
        return buffer.getvalue(), {
            "width": round(width),
            "height": round(height),
            "alt": self.alt_text(),
        }

    def alt_text(self) -> str:
        """A text alternative for the image: the chart titles and the source note."""
        raw = getattr(self, "_policykit_raw", {})
        parts = []
        if self._suptitle is not None:
            parts.append(raw.get(id(self._suptitle), self._suptitle.get_text()))
        for ax in self.axes:
            for loc in ("left", "center"):
                artist = getattr(ax, {"left": "_left_title", "center": "title"}[loc])
                parts.append(raw.get(id(artist), artist.get_text()))
        note = getattr(self, "_policykit_note", None)
        if note is not None:
            parts.append(raw.get(id(note), note.get_text()))
        return ". ".join(" ".join(p.split()) for p in parts if p) or "Chart"

    def draw(self, renderer):
        engine = self.get_layout_engine()
        if not getattr(self, "_policykit_wrap", None) or engine is None or not self.axes:
            hooks = getattr(self, "_policykit_before_draw", [])
            if hooks and engine is not None:
                engine.execute(self)  # the hooks measure against the laid-out Axes
            for hook in hooks:
                hook(renderer)
            super().draw(renderer)
            return
        # Lay out, wrap the texts to the Axes' positions, lay out again only if a text
        # changed, then draw without a further layout (Figure.draw would run one).
        self._fit_texts(renderer)
        engine.execute(self)
        if self._fit_texts(renderer):
            engine.execute(self)
        # Labels placed against the final Axes positions (charts_labels).
        for hook in getattr(self, "_policykit_before_draw", []):
            hook(renderer)
        self._layout_engine = None
        try:
            super().draw(renderer)
        finally:
            self._layout_engine = engine

    def _fit_texts(self, renderer) -> bool:
        figure_width = self.bbox.width
        margin = 2 * _EDGE * figure_width
        raw = self._policykit_raw
        changed = False
        for artist, ax in self._policykit_wrap:
            if ax is None:
                x0 = artist.get_position()[0] * figure_width
            else:
                x0 = ax.get_position().x0 * figure_width
                if artist is self._suptitle:
                    # The title starts where the top Axes (and its subtitle) start.
                    artist.set_x(ax.get_position().x0)
            width = max(figure_width - x0 - margin, 50.0)
            text = wrap_text(raw[id(artist)], width, artist.get_fontproperties(), renderer)
            if text != artist.get_text():
                artist.set_text(text)
                changed = True
        return changed


def owned(fig) -> bool:
    """Whether policykit made ``fig`` (and so lays out its header and footer)."""
    return isinstance(fig, ReportFigure) and getattr(fig, "_policykit_owned", False)


def new_figure(nrows: int = 1, ncols: int = 1, figsize=None, **kwargs):
    """A constrained-layout :class:`ReportFigure` with a grid of Axes (``squeeze=False``)."""
    fig = ReportFigure(figsize=figsize or STANDARD)
    fig.set_layout_engine("constrained", h_pad=0.04, w_pad=0.04)
    fig._policykit_owned = True
    fig._policykit_raw = {}
    fig._policykit_wrap = []
    fig._policykit_before_draw = []
    fig._policykit_height = fig.get_size_inches()[1]
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _register(fig, artist, text: str, ax=None) -> None:
    fig._policykit_raw[id(artist)] = text
    if all(a is not artist for a, _ in fig._policykit_wrap):
        fig._policykit_wrap.append((artist, ax))
    _grow(fig)


def _grow(fig) -> None:
    """Make the figure taller by the lines its title, subtitle and note wrap to beyond
    the one line each its planned height allows for (so the data area keeps its size).

    Estimated at 72 dpi with the widths the texts will roughly have (the Axes are not laid
    out yet); the final wrapping happens when the figure is drawn."""
    global _MEASURE
    if _MEASURE is None:
        _MEASURE = RendererAgg(1, 1, 72)
    width = fig.get_size_inches()[0] * 72
    subtitles, wrapped = 0.0, 0.0
    for artist, ax in fig._policykit_wrap:
        available = width * (0.80 if ax is not None else 1 - 2 * _EDGE)
        text = wrap_text(
            fig._policykit_raw[id(artist)], available, artist.get_fontproperties(), _MEASURE
        )
        line = artist.get_fontsize() * 1.3 / 72
        wrapped += text.count("\n") * line
        if ax is not None and artist is not fig._suptitle:
            subtitles += line
    # A one-line subtitle stays within the planned maximum; wrapped lines go beyond it.
    height = min(fig._policykit_height + subtitles, max(fig._policykit_height, HALF_PAGE_MM * MM))
    fig.set_size_inches(fig.get_size_inches()[0], height + wrapped)


_MEASURE = None


def set_header(fig, ax, title: str, subtitle: str | None = None) -> None:
    """The chart's title and an optional subtitle (a statement about the data shown).

    On a figure policykit made, the title is the suptitle and the subtitle the title of
    ``ax`` (the top Axes): constrained layout stacks them, so they cannot overlap. On a
    caller's figure the title goes on ``ax`` and the subtitle into the source note."""
    if not owned(fig):
        ax.set_title(title)
        if subtitle:
            fig._policykit_pending = [*getattr(fig, "_policykit_pending", []), subtitle]
        return
    text = fig.suptitle(
        title, x=_EDGE, ha="left", fontsize=TITLE_SIZE, fontweight="bold", color="#111111"
    )
    _register(fig, text, title, ax)
    if subtitle:
        ax.set_title(subtitle, loc="left", fontsize=SUBTITLE_SIZE, fontweight="normal", color=MUTED)
        _register(fig, ax._left_title, subtitle, ax)


def add_note(fig, text: str) -> None:
    """The source note at the foot of the figure (one per figure: a second chart drawn
    into the same figure through ``ax=`` adds a line)."""
    pending = getattr(fig, "_policykit_pending", [])
    if pending:
        text = f"{'. '.join(pending)}. {text}"
        fig._policykit_pending = []
    existing = getattr(fig, "_policykit_note", None)
    if existing is not None:
        raw = getattr(fig, "_policykit_raw", {})
        old = raw.get(id(existing), existing.get_text())
        if text in old:
            return
        text = f"{old}\n{text}"
        if owned(fig):
            raw[id(existing)] = text
            _grow(fig)
        else:
            existing.set_text(text)
        return
    if owned(fig):
        note = fig.supxlabel(text, x=_EDGE, ha="left", fontsize=NOTE_SIZE, color=NOTE_COLOUR)
        _register(fig, note, text)
    else:
        note = fig.text(
            0.01, 0.012, text, ha="left", va="bottom", fontsize=NOTE_SIZE, color=NOTE_COLOUR
        )
    fig._policykit_note = note


def no_data(ax, text: str) -> None:
    """Say in the middle of an Axes why it has nothing to draw (never an empty panel)."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=9,
        color=MUTED,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f2f2f2", "edgecolor": "#cccccc"},
    )
