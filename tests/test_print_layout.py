"""Page breaks of the printed report (templates/policykit_html/report.css), on real PDFs.

A notebook is built here with blocks of known height (a tall block, a section's heading
and paragraph, a chart image of the largest printed size), exported with the report
template and printed with WeasyPrint; the PDF's text is read back page by page
(pypdfium2). The rules: a heading stays with its first block; a section's text is not
pulled onto the next page by a chart that does not fit under it (which left up to half a
page blank); a long table splits across pages; a short table moves whole."""

from __future__ import annotations

import base64
import io

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from policykit import reports

pdfium = pytest.importorskip("pypdfium2")
pytest.importorskip("weasyprint")

CSS_PX_PER_MM = 96 / 25.4


def _png(width_mm: float, height_mm: float) -> dict:
    """A display_data output: a grey PNG shown at width_mm x height_mm (as charts are)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (int(width_mm * 4), int(height_mm * 4)), (120, 120, 120)).save(
        buffer, format="PNG"
    )
    data = {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii")}
    size = {"width": round(width_mm * CSS_PX_PER_MM), "height": round(height_mm * CSS_PX_PER_MM)}
    return new_output("display_data", data=data, metadata={"image/png": size})


def _block(height_mm: float, text: str = "FILLER") -> nbformat.NotebookNode:
    """A code cell whose output is a block of the given height (a table, say)."""
    html = f'<div style="height: {height_mm}mm; border: 1px solid #ccc">{text}</div>'
    cell = new_code_cell("block")
    cell.outputs = [new_output("display_data", data={"text/html": html})]
    return cell


def _pages(cells, tmp_path) -> list[str]:
    notebook = new_notebook(cells=cells)
    nbformat.validate(notebook)
    markup = reports.export_html(notebook, "layout")
    target = tmp_path / "layout.pdf"
    reports.export_pdf(markup, target)
    pdf = pdfium.PdfDocument(str(target))
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def _page_of(pages: list[str], text: str) -> int:
    found = [i + 1 for i, page in enumerate(pages) if text in page]
    assert found, (text, pages)
    return found[0]


def _chart_cell(height_mm: float = 105) -> nbformat.NotebookNode:
    cell = new_code_cell("chart")
    cell.outputs = [_png(170, height_mm)]
    return cell


SECTION = "## Distinctive terms\n\nThe words that set this topic's coverage apart."


def test_section_text_stays_where_it_fits_when_its_chart_does_not(tmp_path):
    # 150 mm used: the heading and paragraph fit under it, the 105 mm chart does not.
    pages = _pages(
        [_block(150), new_markdown_cell(SECTION), _chart_cell()],
        tmp_path,
    )
    assert len(pages) == 2
    assert _page_of(pages, "Distinctive terms") == 1
    assert _page_of(pages, "set this topic") == 1


def test_a_heading_never_ends_a_page(tmp_path):
    # Room for the heading's line only: it moves with its paragraph.
    pages = _pages(
        [_block(252), new_markdown_cell(SECTION), _chart_cell()],
        tmp_path,
    )
    assert _page_of(pages, "FILLER") == 1
    assert _page_of(pages, "Distinctive terms") == 2
    assert _page_of(pages, "set this topic") == 2


def test_a_heading_alone_in_its_cell_stays_with_the_chart(tmp_path):
    pages = _pages(
        [_block(200), new_markdown_cell("## Outlet mix"), _chart_cell()],
        tmp_path,
    )
    assert _page_of(pages, "Outlet mix") == 2


def _table(rows: int, css_class: str = "") -> nbformat.NotebookNode:
    body = "".join(f"<tr><td>row {i:03d}</td><td>{i}</td></tr>" for i in range(rows))
    html = (
        f'<div class="pk-caption">Table caption</div><div class="{css_class}"><table>'
        f"<thead><tr><th>name</th><th>n</th></tr></thead><tbody>{body}</tbody></table></div>"
    )
    cell = new_code_cell("table")
    cell.outputs = [new_output("display_data", data={"text/html": html})]
    return cell


def test_a_long_table_splits_and_a_short_one_moves_whole(tmp_path):
    filler = _block(225)
    pages = _pages([filler, _table(80)], tmp_path)
    assert _page_of(pages, "row 000") == 1  # starts under the filler
    assert _page_of(pages, "row 079") >= 2
    pages = _pages([filler, _table(8, "pk-short")], tmp_path)
    # Too tall for the room left: the caption and all eight rows on the next page.
    assert {_page_of(pages, f"row {i:03d}") for i in range(8)} | {
        _page_of(pages, "Table caption")
    } == {2}
