"""One-line images: found on the pixels, read in Tesseract's line mode by the page path.

Real files from ../shared/testdata (B3: OCR17 XIX printed lines; A2: Tesseract's
phototest page); skipped when that folder is absent."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ocr.evaluate import ErrorCount, score_file
from ocr.groundtruth import find_ground_truth
from ocr.line_image import LINE_PSM, check_text_line, prepare_text_line
from pipeline.page_steps.base import read_gray

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
B3 = TESTDATA / "B3_french_print_ocr17_lines" / "XIX"
PHOTOTEST = TESTDATA / "A2_tesseract_testimages" / "phototest.tif"

needs_b3 = pytest.mark.skipif(not B3.is_dir(), reason=f"real test data absent: {B3}")
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


def _b3_lines() -> list[Path]:
    return sorted(B3.glob("*.png"))


def _gray(path: Path) -> np.ndarray:
    return read_gray(path)[0]


@needs_b3
def test_every_b3_line_image_is_one_text_line():
    lines = _b3_lines()
    assert len(lines) == 60
    for path in lines:
        check = check_text_line(_gray(path), dpi=300)
        assert check.is_line, f"{path.name}: {check.reason}"
        assert len(check.bands) == 1


@needs_b3
def test_two_b3_lines_stacked_are_not_one_line():
    first, second = _gray(B3 / "000002.png"), _gray(B3 / "000004.png")
    width = min(first.shape[1], second.shape[1])
    stacked = np.vstack([first[:, :width], second[:, :width]])
    check = check_text_line(stacked, dpi=300)
    assert not check.is_line
    assert len(check.bands) == 2


@pytest.mark.skipif(not PHOTOTEST.is_file(), reason=f"real test data absent: {PHOTOTEST}")
def test_a_page_and_two_line_strips_of_it_are_not_one_line():
    import pyvips

    page = pyvips.Image.new_from_file(str(PHOTOTEST)).colourspace("b-w")[0].numpy().astype(np.uint8)
    assert not check_text_line(page, dpi=300).is_line  # a page: shape alone says no
    # Rows 78-170 and 180-272 of phototest hold two text lines each (aspect ~7).
    for top, bottom in ((78, 170), (180, 272)):
        check = check_text_line(page[top:bottom], dpi=300)
        assert not check.is_line, (top, bottom, check)
        assert len(check.bands) == 2


def test_a_blank_strip_is_not_a_line():
    assert not check_text_line(np.full((60, 900), 250, np.uint8), dpi=300).is_line


@needs_b3
def test_the_line_gets_a_paper_margin_and_a_record(tmp_path):
    pixels = _gray(B3 / "000357.png")
    line = prepare_text_line(pixels, dpi=300, out_path=tmp_path / "line.png")
    assert line is not None and line.psm == LINE_PSM
    framed, _ = read_gray(line.image)
    margin = line.record.measured["margin_px"]
    assert margin >= 10
    assert framed.shape == (pixels.shape[0] + 2 * margin, pixels.shape[1] + 2 * margin)
    assert np.array_equal(framed[margin:-margin, margin:-margin], pixels)  # the line itself untouched
    assert (framed[:margin] == line.record.measured["paper_level"]).all()
    assert line.record.step == "line" and line.record.applied


def test_a_page_is_left_to_the_page_path(tmp_path):
    page = np.full((3300, 2500), 255, np.uint8)
    page[400:440, 200:2200] = 0
    assert prepare_text_line(page, dpi=300, out_path=tmp_path / "x.png") is None
    assert not (tmp_path / "x.png").exists()


@needs_b3
@needs_tesseract
def test_process_page_reads_a_b3_line_in_line_mode_and_reads_it_better(tmp_path):
    """The page path itself (what `sijil ocr` and ingest run) on every 5th B3 line.
    Before line mode: psm 3 after the page steps, which cut these 14:1 lines in two as
    spreads — 6.1% CER on all 60 lines, 5.9% (29/487) on this sample; plain `tesseract
    --psm 7` 2.5% on all 60. Line mode with a margin: 1.7% on all 60, 1.8% (9/487) here."""
    from pipeline.page import process_page

    total = ErrorCount(0, 0)
    for path in _b3_lines()[::5]:
        parts = process_page(source=path, fmt="png", page_index=0, work_dir=tmp_path / path.stem, langs="fra",
                             tessdata_dir=None, ocr_timeout_s=60)
        assert len(parts) == 1, f"{path.name} was split"
        page = parts[0]
        assert [step.step for step in page.steps] == ["render", "line"]
        assert page.ocr.psm == LINE_PSM
        truth = find_ground_truth(path)
        total += score_file(truth=truth, hypothesis=page.ocr.text, image_name=path.name, truth_name="",
                            seconds=0).chars
    assert total.total > 400
    assert total.rate <= 0.025, f"CER {total.rate:.3%}"
