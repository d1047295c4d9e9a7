"""Spike labels that overlap neither each other nor the bars around them.

A label starts just above its marker and is lifted, one step at a time, while its text
box meets a label already placed or a bar; a thin leader line joins a lifted label to its
marker. Placement runs when the figure is drawn (after constrained layout has fixed the
Axes), so it measures the real text sizes; if the lifted labels leave the Axes, the y
axis gains headroom and the labels are placed again.
"""

from __future__ import annotations

from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Gap (points) between a marker and its label, and between stacked labels.
GAP_PT = 6.0
PAD_PT = 1.5
_MAX_STEPS = 40
_MAX_ROUNDS = 4


def _text_box(annotation, renderer) -> Bbox:
    annotation.update_positions(renderer)
    return Text.get_window_extent(annotation, renderer)


def _hits(box: Bbox, others: list[Bbox], pad: float) -> Bbox | None:
    for other in others:
        if (
            min(box.x1, other.x1) - max(box.x0, other.x0) > -pad
            and min(box.y1, other.y1) - max(box.y0, other.y0) > -pad
        ):
            return other
    return None


def _bar_boxes(ax, renderer) -> list[Bbox]:
    boxes = []
    for patch in ax.patches:
        box = patch.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append(box)
    return boxes


def _place_once(ax, annotations, renderer) -> float:
    """Place every label; return how many pixels the highest one sticks out above the Axes."""
    scale = renderer.points_to_pixels(1.0)
    pad = PAD_PT * scale
    frame = ax.get_window_extent(renderer)
    bars = _bar_boxes(ax, renderer)
    placed: list[Bbox] = []
    overflow = 0.0
    for annotation in annotations:
        dx, dy = 0.0, GAP_PT
        annotation.xyann = (dx, dy)
        box = _text_box(annotation, renderer)
        # Keep the label inside the Axes horizontally.
        if box.x0 < frame.x0:
            dx += (frame.x0 - box.x0 + pad) / scale
        elif box.x1 > frame.x1:
            dx -= (box.x1 - frame.x1 + pad) / scale
        for _ in range(_MAX_STEPS):
            annotation.xyann = (dx, dy)
            box = _text_box(annotation, renderer)
            hit = _hits(box, placed + bars, pad)
            if hit is None:
                break
            # Lift just above what it meets.
            dy += max((hit.y1 - box.y0 + pad) / scale, 1.0)
        placed.append(box)
        overflow = max(overflow, box.y1 - frame.y1 + pad)
        # A lower label is drawn over the leader lines of the labels lifted above it.
        annotation.set_zorder(6 + 1 / (1 + dy))
        leader = getattr(annotation, "arrow_patch", None)
        if leader is not None:
            leader.set_visible(dy > GAP_PT + 1)
    return overflow


def place_labels(ax, annotations, renderer) -> None:
    """Lift ``annotations`` (offset-points annotations of one Axes, in x order) clear of
    one another and of the Axes' bars, growing the y axis when they would leave it."""
    if not annotations:
        return
    for _ in range(_MAX_ROUNDS):
        overflow = _place_once(ax, annotations, renderer)
        if overflow <= 0:
            return
        low, high = ax.get_ylim()
        height = ax.get_window_extent(renderer).height
        # The labels hang from data points, so more headroom lowers them with the data.
        ax.set_ylim(low, high + (high - low) * (overflow / max(height, 1.0)) * 1.15)


def defer_placement(fig, ax, annotations) -> None:
    """Place ``annotations`` whenever ``fig`` is drawn (a policykit figure), or now with
    the current layout (a caller's figure)."""
    hooks = getattr(fig, "_policykit_before_draw", None)
    if hooks is not None:
        hooks.append(lambda renderer: place_labels(ax, annotations, renderer))
        return
    place_labels(ax, annotations, fig.canvas.get_renderer())
