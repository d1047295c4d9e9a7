"""Checks on a rendered chart: panels with nothing in them, texts that overlap.

:func:`empty_axes` renders a figure with Agg and looks at the pixels inside each data
Axes: a pixel is *ink* when its colour is far from the Axes' background and from the line
between the background and each gridline colour (so antialiased gridlines are not ink).
An Axes whose inner area (inside its spines) has fewer ink pixels than
``min_ink`` of its area is empty. Text inside the panel counts as ink: a panel that says
why it has no data is not empty; a blank one is.

:func:`text_overlaps` draws the figure and compares the renderer bounding boxes
(``get_window_extent``) of its title, subtitles, source note, axis labels, tick labels
and legends: any two that intersect, or any that leaves the figure, are reported.

>>> from policykit.charts_layout import new_figure
>>> fig, axes = new_figure()
>>> [name for name, _ in empty_axes(fig)]
['axes 0']
>>> _ = axes[0, 0].plot([0, 1], [0, 1])
>>> empty_axes(fig)
[]
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from .charts_layout import style

#: A pixel is ink when some channel differs from every background colour by more than this.
TOLERANCE = 40
#: An Axes with less ink than this share of its inner area is empty.
MIN_INK = 0.0005


def render(fig, dpi: float | None = None) -> np.ndarray:
    """The figure as an ``(height, width, 4)`` uint8 RGBA array (Agg, house style)."""
    if dpi is not None:
        fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    with style():
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _data_axes(fig) -> list:
    """Visible Axes that hold data: not colour bars; twins share their host's box."""
    chosen, boxes = [], []
    for ax in fig.axes:
        if not ax.get_visible() or hasattr(ax, "_colorbar"):
            continue
        box = tuple(np.round(ax.get_position().bounds, 4))
        if box in boxes:
            continue
        boxes.append(box)
        chosen.append(ax)
    return chosen


def _distance_to_segment(pixels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Largest channel difference between each pixel and the nearest point of a–b."""
    direction = b - a
    length = float(direction @ direction)
    if length == 0:
        return np.abs(pixels - a).max(axis=-1)
    t = np.clip(((pixels - a) @ direction) / length, 0, 1)
    nearest = a + t[..., None] * direction
    return np.abs(pixels - nearest).max(axis=-1)


def ink(fig, ax, rgba: np.ndarray, inset: int = 3, tolerance: float = TOLERANCE) -> float:
    """The share of ``ax``'s inner area (``inset`` pixels inside its box) that is ink."""
    height = rgba.shape[0]
    box = ax.get_window_extent()
    x0, x1 = int(np.ceil(box.x0)) + inset, int(np.floor(box.x1)) - inset
    # Display coordinates count from the bottom, array rows from the top.
    y0, y1 = height - int(np.floor(box.y1)) + inset, height - int(np.ceil(box.y0)) - inset
    if x1 <= x0 or y1 <= y0:
        return 0.0
    pixels = rgba[y0:y1, x0:x1, :3].astype(float)
    face = np.array(mcolors.to_rgb(ax.get_facecolor())) * 255
    if ax.get_facecolor()[3] == 0:
        face = np.array(mcolors.to_rgb(fig.get_facecolor())) * 255
    distance = np.abs(pixels - face).max(axis=-1)
    for line in [*ax.xaxis.get_gridlines(), *ax.yaxis.get_gridlines()]:
        if line.get_visible():
            grid = np.array(mcolors.to_rgb(line.get_color())) * 255
            distance = np.minimum(distance, _distance_to_segment(pixels, face, grid))
    return float((distance > tolerance).mean())


def problems(fig, min_ink: float = MIN_INK, dpi: float | None = None) -> list[str]:
    """Everything :func:`empty_axes` and :func:`text_overlaps` find, as sentences, from
    one rendering (empty: no problem)."""
    rgba = render(fig, dpi)
    found = [f"{name}: empty ({share:.2%} ink)" for name, share in _empty(fig, rgba, min_ink)]
    found += [f"{a} overlaps {b}" for a, b in _overlaps(fig)]
    return found


def empty_axes(fig, min_ink: float = MIN_INK) -> list[tuple[str, float]]:
    """``(name, ink share)`` of every data Axes with less ink than ``min_ink``; the name
    is the Axes' title, or ``axes N``."""
    return _empty(fig, render(fig), min_ink)


def _empty(fig, rgba, min_ink):
    found = []
    for i, ax in enumerate(_data_axes(fig)):
        share = ink(fig, ax, rgba)
        if share < min_ink:
            name = ax.get_title(loc="left") or ax.get_title() or f"axes {i}"
            found.append((name, share))
    return found


def _texts(fig) -> list[tuple[str, object]]:
    """The figure's furniture: titles, subtitles, note, axis labels, tick labels, legends."""
    items = []
    for attr, name in (("_suptitle", "title"), ("_supxlabel", "note"), ("_supylabel", "ylabel")):
        artist = getattr(fig, attr, None)
        if artist is not None and artist.get_text():
            items.append((name, artist))
    note = getattr(fig, "_policykit_note", None)
    if note is not None and all(a is not note for _, a in items):
        items.append(("note", note))
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for loc, artist in (("left", ax._left_title), ("center", ax.title)):
            if artist.get_text():
                items.append((f"axes {i} {loc} title", artist))
        for axis_name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            label = axis.label
            if label.get_visible() and label.get_text():
                items.append((f"axes {i} {axis_name} label", label))
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-6
            locations = axis.get_majorticklocs()
            for location, tick in zip(locations, axis.get_majorticklabels(), strict=False):
                # Labels of ticks outside the view are not drawn (and keep stale places).
                inside = low - span <= location <= high + span
                if inside and tick.get_visible() and tick.get_text():
                    items.append((f"axes {i} {axis_name} tick {tick.get_text()!r}", tick))
        legend = ax.get_legend()
        if legend is not None:
            items.append((f"axes {i} legend", legend))
        for text in ax.texts:
            if text.get_visible() and text.get_text():
                items.append((f"axes {i} text {text.get_text()[:20]!r}", text))
    return items


def text_overlaps(fig, slack: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts whose bounding boxes intersect (by more than ``slack`` pixels each
    way), and ``(name, "figure edge")`` for a text that does not fit in the figure.

    Tick labels are compared with each other only within one axis (a shared axis repeats
    its labels in each panel); texts inside a panel (annotations such as spike labels)
    with the header and footer and with each other."""
    render(fig)
    return _overlaps(fig, slack)


def _overlaps(fig, slack: float = 0.5):
    renderer = fig.canvas.get_renderer()
    figure_box = fig.bbox
    boxes = []
    for name, artist in _texts(fig):
        # An annotation's own box (its leader line may cross other texts' boxes).
        box = Text.get_window_extent(artist, renderer) if isinstance(artist, Text) else None
        if box is None:
            box = artist.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((name, box))
    found = []
    for name, box in boxes:
        if (
            box.x0 < figure_box.x0 - slack
            or box.y0 < figure_box.y0 - slack
            or box.x1 > figure_box.x1 + slack
            or box.y1 > figure_box.y1 + slack
        ):
            found.append((name, "figure edge"))
    furniture = ("title", "note", "ylabel")
    for i, (name_a, a) in enumerate(boxes):
        for name_b, b in boxes[i + 1 :]:
            header = name_a in furniture or name_b in furniture or "title" in name_a + name_b
            inner = " text " in name_a or " text " in name_b
            # Two texts inside one panel (spike labels) must not cover each other either.
            same_panel = (
                " text " in name_a
                and " text " in name_b
                and name_a.split(" text ")[0] == name_b.split(" text ")[0]
            )
            if inner and not header and not same_panel:
                continue
            ticks = " tick " in name_a and " tick " in name_b
            if ticks and name_a.split(" tick ")[0] != name_b.split(" tick ")[0]:
                continue
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > slack and height > slack:
                found.append((name_a, name_b))
    return found
