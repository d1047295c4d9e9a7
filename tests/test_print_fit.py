"""Charts scaled to fit a page that would otherwise end early (policykit.reports_fit), on
real PDFs: synthetic notebooks with blocks of known height, and the brief of a short real
scrape, whose pages are rendered to pixels and measured (not the layout's own numbers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_print_layout import _block, _chart_cell

from policykit import reports, reports_fit
from policykit.reports_fit import MIN_SCALE, Page, PageBlock, scale_for, tag_images

pdfium = pytest.importorskip("pypdfium2")
pytest.importorskip("weasyprint")

REPO = Path(__file__).resolve().parents[1]
HANTAVIRUS = REPO.parent / "shared" / "eval" / "mediacloud_search_hantavirus"
PT_TO_MM = 25.4 / 72


def _page(end, *images, top=16.0):
    return Page(top, 279.0, end, tuple(PageBlock(i, t, h) for i, (t, h) in enumerate(images)))


@pytest.mark.parametrize(
    "page, following, expected",
    [
        # 74 mm free under a 102 mm chart, a 99 mm chart after: both at (69.5 + 102) / 201.
        (_page(205, (102, 102)), _page(0, (16, 99)), (74 - 4.5 + 102) / (99 + 102)),
        # Only text on the page: the chart alone must shrink, 69.5 / 80.
        (_page(205), _page(0, (16, 80)), (74 - 4.5) / 80),
        # 53 mm free before a 105 mm chart: it would need half its size, so it moves.
        (_page(226), _page(0, (16, 105)), None),
        # The next page opens with text, not with the chart: nothing moved for it.
        (_page(205), _page(0, (60, 80)), None),
        # No image on the next page, or one that fits already.
        (_page(205), _page(0), None),
        (_page(205), _page(0, (16, 60)), None),
    ],
)
def test_scale_for(page, following, expected):
    got = scale_for(page, following)
    assert got == pytest.approx(expected) if expected is not None else got is None
    assert got is None or got >= MIN_SCALE


def test_tag_images_numbers_each_img_once():
    markup = '<p><img src="a"><IMG alt="b"/></p><imgx><img\nsrc="c">'
    tagged = tag_images(markup)
    assert [tagged.count(f'data-pk-fit="{i}"') for i in range(3)] == [1, 1, 1]
    assert tagged.count("data-pk-fit") == 3 and "<imgx>" in tagged  # not a look-alike tag


def _build(cells, tmp_path):
    from nbformat.v4 import new_notebook

    notebook = new_notebook(cells=cells)
    markup = reports.export_html(notebook, "fit")
    target = tmp_path / "fit.pdf"
    scaled = reports.export_pdf(markup, target)
    pdf = pdfium.PdfDocument(str(target))
    images = []
    for index in range(len(pdf)):
        for obj in pdf[index].get_objects():
            if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                _left, bottom, _right, top = obj.get_bounds()
                images.append((index + 1, (top - bottom) * PT_TO_MM))
    return len(pdf), images, scaled


def test_a_chart_that_nearly_fits_is_scaled_onto_the_page(tmp_path):
    # 60 + 100 + 100 mm of blocks and charts, with margins, overrun 263 mm by a little.
    pages, images, scaled = _build([_block(60), _chart_cell(100), _chart_cell(100)], tmp_path)
    assert pages == 1 and [page for page, _h in images] == [1, 1]
    assert set(scaled) == {0, 1}
    for _page_number, height in images:
        assert MIN_SCALE * 100 - 0.5 <= height < 100


def test_a_chart_that_would_need_more_stays_whole_on_the_next_page(tmp_path):
    pages, images, scaled = _build([_block(200), _chart_cell(105)], tmp_path)
    assert pages == 2 and scaled == {}
    assert images[0][0] == 2 and images[0][1] == pytest.approx(105, abs=0.5)


def test_a_weasyprint_without_page_boxes_prints_charts_unscaled_and_says_so(
    tmp_path, monkeypatch, capsys
):
    # The fitting reads one WeasyPrint internal (Page._page_box) through _page_box. When
    # a WeasyPrint lacks it, the PDF is still written, charts at their own size, and one
    # line says why. The same blocks as the test above, where fitting gives one page.
    def no_box(page):
        raise reports_fit.LayoutUnavailable("WeasyPrint 99 has no Page._page_box")

    monkeypatch.setattr(reports_fit, "_page_box", no_box)
    pages, images, scaled = _build([_block(60), _chart_cell(100), _chart_cell(100)], tmp_path)
    assert scaled == {} and pages == 2
    assert [height for _page, height in images] == [pytest.approx(100, abs=0.5)] * 2
    assert "chart fitting skipped: WeasyPrint 99" in capsys.readouterr().err


def _blank_bottom(pdf_path: Path) -> list[float]:
    """Per page, the share of the A4 text area (16 to 279 mm) under the last ink,
    from the rendered pixels (the footer below 279 mm is left out)."""
    import numpy as np

    shares = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    for index in range(len(pdf)):
        pixels = np.asarray(pdf[index].render(scale=1).to_pil().convert("L"))
        per_mm = pixels.shape[0] / 297
        area = pixels[: int(279 * per_mm)]
        rows = np.flatnonzero((area < 245).any(axis=1))
        last = rows.max() / per_mm if rows.size else 16
        shares.append((279 - last) / 263)
    return shares


@pytest.mark.skipif(not HANTAVIRUS.is_dir(), reason=f"{HANTAVIRUS} is not there")
@pytest.mark.parametrize("interval", ["week", None])  # None: the brief's own (day here)
def test_the_brief_of_a_short_real_scrape_has_no_page_ending_early(tmp_path, interval):
    from policykit.cli import main

    topics = tmp_path / "topics.yml"
    topics.write_text(
        "hantavirus:\n  label: Hantavirus outbreak\n  query: >-\n"
        '    hantavirus OR "andes virus" OR hondius OR "cruise ship" OR outbreak\n',
        encoding="utf-8",
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(next(HANTAVIRUS.glob("*.csv")), raw)  # only the export, not SOURCE.md
    db = str(tmp_path / "h.duckdb")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(raw), "--db", db, "--topics", str(topics), "-q"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    params = ["--param", "topic=hantavirus"]
    if interval:
        params += ["--param", f"interval={interval}"]
    result = runner.invoke(
        main,
        ["report", "coverage-brief", "--db", db, "--out", str(out), "--to", "pdf", "-q",
         *params],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shares = _blank_bottom(out / "coverage-brief.pdf")
    # By week, page 2 was 29% blank: the outlet-by-week heatmap did not fit under the
    # outlet chart. What is left is a section's text above a chart that would need half
    # its size (21% by day, before the outlet chart).
    assert len(shares) >= 4
    assert max(shares[:-1]) <= 0.25, [f"{s:.0%}" for s in shares]
