"""Fit charts to A4 pages: the PDF's page breaks, planned after a first layout.

A chart never splits across pages, so one that does not fit under the text above it moves
to the next page and leaves the rest of this one blank (up to 40% of the page for a
105 mm chart). WeasyPrint lays the report out in well under a second, so
:func:`fit_pages` lays it out, finds each page that ends early because the chart after it
did not fit, and scales that chart, and the charts already on the short page, by one
factor just small enough for the chart to fit there, then lays it out again. The factor
is never below :data:`MIN_SCALE` (10 pt chart text stays at least 8 pt): a gap that
would need more is left as it is. Only the PDF changes; the HTML report shows every chart
at its own size.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

#: The least a chart is scaled to pull it onto the page before.
MIN_SCALE = 0.8
#: Layout passes at most (one per page that can be fixed, so a report takes a few).
MAX_PASSES = 12
#: CSS pixels per millimetre (WeasyPrint lays out in CSS pixels, 96 per inch).
PX_PER_MM = 96 / 25.4
#: Room kept free under a pulled-up chart (the output area's margins, rounding).
SLACK_MM = 4.5
#: Smaller factors tried when the first estimate does not quite fit.
RETRIES = 2
RETRY_STEP = 0.03
_ATTR = "data-pk-fit"
_IMG = re.compile(r"<img(?=[\s>/])", re.IGNORECASE)


@dataclass(frozen=True)
class PageBlock:
    """An image on a laid-out page: its number in the markup, top and height (mm)."""

    index: int
    top: float
    height: float


@dataclass(frozen=True)
class Page:
    """A laid-out page: where its text area starts and ends, where its content ends
    (mm from the top of the sheet), and its images in order."""

    top: float
    bottom: float
    content_end: float
    images: tuple[PageBlock, ...]

    @property
    def gap(self) -> float:
        return self.bottom - self.content_end


def tag_images(markup: str) -> str:
    """``markup`` with every ``<img`` numbered (``data-pk-fit="N"``) so a laid-out box
    can be traced back to its image."""
    counter = iter(range(1_000_000))
    return _IMG.sub(lambda _m: f'<img {_ATTR}="{next(counter)}"', markup)


class LayoutUnavailable(RuntimeError):
    """The installed WeasyPrint does not expose the laid-out boxes this module reads."""


def _page_box(page):
    """The root box of one laid-out page. WeasyPrint has no public API for it: this is
    the one place that reads its internals (``Page._page_box``, present in 53 to 70, the
    locked version), so a WeasyPrint that renames it costs the chart fitting, not the
    PDF (see :func:`fit_pages`)."""
    box = getattr(page, "_page_box", None)
    if box is None or not hasattr(box, "content_box_y"):
        import weasyprint

        raise LayoutUnavailable(
            f"WeasyPrint {weasyprint.__version__} has no Page._page_box; charts are printed"
            " at their own size (tested with WeasyPrint 62 to 70)"
        )
    return box


def _layout(document) -> list[Page]:
    from weasyprint.formatting_structure import boxes

    pages = []
    for page in document.pages:
        box = _page_box(page)
        top = box.content_box_y()
        bottom = top + box.height
        content_end = top
        images = []
        for root in box.children:
            if isinstance(root, boxes.MarginBox):
                continue  # the running footer
            for child in root.descendants():
                leaf = isinstance(child, boxes.LineBox | boxes.ReplacedBox) or (
                    isinstance(child, boxes.BlockBox) and not child.children
                )
                if leaf:
                    content_end = max(content_end, child.position_y + child.margin_height())
                if isinstance(child, boxes.ReplacedBox):
                    index = child.element.get(_ATTR) if child.element is not None else None
                    if index is not None:
                        images.append(
                            PageBlock(
                                int(index), child.position_y / PX_PER_MM, child.height / PX_PER_MM
                            )
                        )
        pages.append(
            Page(top / PX_PER_MM, bottom / PX_PER_MM, content_end / PX_PER_MM, tuple(images))
        )
    return pages


def scale_for(page: Page, following: Page, min_scale: float = MIN_SCALE) -> float | None:
    """The factor that brings the image opening ``following`` onto ``page`` when the
    images of ``page`` shrink by the same factor, or None when none >= ``min_scale`` does
    (or the page does not end early because of such an image).

    With gap G, the images of the page summing to S and the image of height H after it:
    scaled by f, the page frees (1 - f) S, so f H <= G + (1 - f) S, f <= (G + S) / (H + S).
    """
    if not following.images:
        return None
    first = following.images[0]
    if first.top - following.top > SLACK_MM:
        return None  # the next page opens with text, not with the image that moved
    room = page.gap - SLACK_MM
    if room <= 0 or first.height <= room:
        return None
    on_page = sum(image.height for image in page.images)
    scale = (room + on_page) / (first.height + on_page)
    return scale if scale >= min_scale else None


def _stylesheet(heights: dict[int, float]):
    from weasyprint import CSS

    rules = "".join(
        f'img[{_ATTR}="{index}"] {{ height: {height:.2f}mm !important; width: auto !important;'
        " max-height: none !important; }\n"
        for index, height in sorted(heights.items())
    )
    return CSS(string=rules or "/* no chart scaled */")


def fit_pages(markup: str, url_fetcher=None, min_scale: float = MIN_SCALE):
    """Lay ``markup`` out for print and scale charts so no page ends early because the
    chart after it did not fit (see the module docstring). Returns the WeasyPrint
    document (``.write_pdf()``) and ``{image number: printed height in mm}`` of the
    charts it scaled."""
    from weasyprint import HTML

    html = HTML(string=tag_images(markup), url_fetcher=url_fetcher, media_type="print")
    heights: dict[int, float] = {}
    refused: set[int] = set()
    document = html.render(stylesheets=[_stylesheet(heights)])
    # Each chart's own printed height: no chart ends below min_scale of it, however
    # many passes scale it.
    try:
        natural = {i.index: i.height for page in _layout(document) for i in page.images}
    except LayoutUnavailable as error:
        print(f"policykit: chart fitting skipped: {error}", file=sys.stderr)
        return document, heights

    def attempt(page: Page, following: Page, number: int, scale: float):
        """The scaled heights and the new layout if the chart moved up, else None. The
        estimate's margins are approximate: a little less is tried before giving up."""
        pulled = following.images[0]
        for step in range(RETRIES + 1):
            factor = scale - step * RETRY_STEP
            trial = dict(heights)
            for image in (*page.images, pulled):
                trial[image.index] = image.height * factor
            if any(trial[i] < natural[i] * min_scale - 0.01 for i in trial):
                return None
            candidate = html.render(stylesheets=[_stylesheet(trial)])
            if any(
                pulled.index in {i.index for i in p.images}
                for p in _layout(candidate)[: number + 1]
            ):
                return trial, candidate
        return None

    for _ in range(MAX_PASSES):
        pages = _layout(document)
        for number, (page, following) in enumerate(zip(pages, pages[1:], strict=False)):
            scale = scale_for(page, following, min_scale)
            if scale is None or following.images[0].index in refused:
                continue
            fitted = attempt(page, following, number, scale)
            if fitted is not None:
                heights, document = fitted
                break
            refused.add(following.images[0].index)  # keep its size
        else:
            break
    return document, heights
