"""Orientation and deskew on real scans and on Arabic text rendered with real shaping.

Expected skew angles were measured independently of sijil's estimator: a per-line
baseline fit (lowest ink pixel per column, robust line fit) at full resolution, and
Tesseract's own hOCR baseline slopes. Convention: positive = text lines rise to the
right (turned counter-clockwise as seen).
- imgsrc001.png: +3.999° (48 lines, sd 0.002°; a synthetic 4° rotation by unpaper's authors)
- skew.pdf:      −1.87° (43 lines, median of baseline fits), −1.89° (Tesseract hOCR, 45 lines)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pipeline.imaging import pyvips

from ocr import tesseract
from pipeline import page_steps
from pipeline.page import render_page

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"
A3 = TESTDATA / "A3_unpaper_sources"

needs_testdata = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA} (only present in the team's workspace)"
)
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

SKEW_PDF_DEGREES = -1.88
IMGSRC001_DEGREES = 4.0
TOLERANCE = 0.15


def _gray(path: Path) -> np.ndarray:
    return pyvips.Image.new_from_file(str(path)).colourspace("b-w").numpy()


@pytest.fixture(scope="module")
def skew_pdf_page(tmp_path_factory) -> Path:
    if not (A1 / "skew.pdf").is_file():
        pytest.skip(f"shared test data not found at {TESTDATA}")
    out = tmp_path_factory.mktemp("skew") / "render.png"
    return render_page(A1 / "skew.pdf", fmt="pdf", page_index=0, out_path=out).image


@needs_testdata
@needs_tesseract
@pytest.mark.parametrize("name, rotate", [("L", 90), ("R", 270), ("180", 180)])
def test_turned_pages_are_turned_upright(tmp_path, name, rotate):
    work = render_page(A2 / f"phototest-rotated-{name}.png", fmt="png", page_index=0, out_path=tmp_path / "w.png")
    out = page_steps.orient(image=work.image, out_path=tmp_path / "upright.png", tessdata_dir=None, timeout_s=30)
    print(name, out.record.measured)
    assert out.record.applied and out.record.measured["rotate_degrees"] == rotate
    assert out.record.measured["orientation_confidence"] >= page_steps.MIN_ORIENTATION_CONFIDENCE
    # the rotated test images were made from phototest.tif: a right-angle turn is lossless
    assert np.array_equal(_gray(out.image), _gray(A2 / "phototest.tif"))


@needs_testdata
@needs_tesseract
def test_upright_page_is_left_alone(tmp_path):
    work = render_page(A2 / "phototest.tif", fmt="tiff", page_index=0, out_path=tmp_path / "w.png")
    out = page_steps.orient(image=work.image, out_path=tmp_path / "o.png", tessdata_dir=None, timeout_s=30)
    assert not out.record.applied and out.image == work.image and not (tmp_path / "o.png").exists()


@needs_tesseract
def test_page_without_text_keeps_its_orientation_and_says_why(tmp_path):
    blank = tmp_path / "blank.png"
    page_steps.write_gray_png(np.full((600, 400), 255, np.uint8), out_path=blank, dpi=300)
    out = page_steps.orient(image=blank, out_path=tmp_path / "o.png", tessdata_dir=None, timeout_s=30)
    assert not out.record.applied and "too few characters" in out.record.note


@needs_testdata
def test_skew_pdf_angle_and_correction(skew_pdf_page, tmp_path):
    out = page_steps.deskew(image=skew_pdf_page, out_path=tmp_path / "straight.png")
    angle = out.record.measured["angle_degrees"]
    print(f"skew.pdf: measured {angle:+.3f}°, expected {SKEW_PDF_DEGREES:+.2f}°, {out.record.seconds:.3f} s")
    assert abs(angle - SKEW_PDF_DEGREES) <= TOLERANCE
    assert out.record.applied and out.image == tmp_path / "straight.png"
    after = page_steps.estimate_skew(_gray(out.image), dpi=300)
    assert abs(after.angle_degrees) < 0.1  # turned the right way
    assert pyvips.Image.new_from_file(str(out.image)).xres * 25.4 == pytest.approx(300, abs=0.1)


@needs_testdata
def test_imgsrc001_angle_despite_black_border(tmp_path):
    work = render_page(A3 / "imgsrc001.png", fmt="png", page_index=0, out_path=tmp_path / "w.png")
    out = page_steps.deskew(image=work.image, out_path=tmp_path / "straight.png")
    angle = out.record.measured["angle_degrees"]
    print(f"imgsrc001: measured {angle:+.3f}°, expected {IMGSRC001_DEGREES:+.2f}°")
    assert abs(angle - IMGSRC001_DEGREES) <= TOLERANCE
    assert abs(page_steps.estimate_skew(_gray(out.image), dpi=300).angle_degrees) < 0.1


def test_blank_and_noise_pages_are_not_rotated(tmp_path):
    rng = np.random.default_rng(7)
    for name, page in [("blank", np.full((1200, 900), 255, np.uint8)),
                       ("noise", (rng.random((1200, 900)) * 255).astype(np.uint8))]:
        path = tmp_path / f"{name}.png"
        page_steps.write_gray_png(page, out_path=path, dpi=300)
        out = page_steps.deskew(image=path, out_path=tmp_path / f"{name}-d.png")
        assert not out.record.applied and out.image == path, out.record


ARABIC_LINE = "سجل الحالة المدنية لبلدية الجزائر الوسطى عقد ميلاد"


def _arabic_line_turned(degrees_ccw: float) -> pyvips.Image:
    """One line of Arabic set by Pango/HarfBuzz (real shaping and joining), black on white
    at 300 dpi, turned counter-clockwise by libvips (not by the code under test).
    Noto Naskh: Tesseract's ara model read 8/8 words of it, but 7/8 of Amiri 28
    (Amiri's stacked سجل ligature came out as جل)."""
    ink = pyvips.Image.text(ARABIC_LINE, font="Noto Naskh Arabic 20", dpi=300)
    page = (255 - ink).cast("uchar").embed(150, 150, ink.width + 300, ink.height + 300, extend="white")
    # libvips turns clockwise for a positive angle (y points down)
    page = page.rotate(-degrees_ccw, background=[255], interpolate=pyvips.Interpolate.new("bicubic"))
    return page.copy(xres=300 / 25.4, yres=300 / 25.4, interpretation="b-w")


@needs_tesseract
def test_arabic_line_turned_3_degrees_is_measured_straightened_and_read(tmp_path):
    if "ara" not in tesseract.available_languages():
        pytest.skip("Tesseract's ara model is not installed (apt-get install tesseract-ocr-ara)")
    turned = tmp_path / "turned.png"
    _arabic_line_turned(3.0).pngsave(str(turned))
    out = page_steps.deskew(image=turned, out_path=tmp_path / "straight.png")
    angle = out.record.measured["angle_degrees"]
    print(f"Arabic line: measured {angle:+.3f}°, expected +3.00°")
    assert abs(angle - 3.0) <= 0.2
    read = tesseract.ocr_page(image=out.image, out_base=tmp_path / "ocr", langs="ara", tessdata_dir=None, timeout_s=60)
    words = read.text.split()
    assert sum(word in words for word in ARABIC_LINE.split()) >= 7, read.text
    assert read.direction == "rtl"
    assert 0.0 < read.mean_confidence <= 1.0
