"""Border cropping and spread splitting on real scans and on the sample batch's spread.

Truths established by looking at the images (full-resolution crops with a ruler), not by
the code under test:
- imgsrc001.png (2480 x 3507): a black rectangle x 0..203, y 0..1687 at the top left;
  white paper everywhere else. True crop: x from 204, full height (cutting 1688 rows from
  the top instead would cut text, which starts at y 273).
- imgsrcE001..3.png (3507 x 2480): no ink in columns 1568..1841 between the two pages
  (middle 1704.5); no fold, no shadow.
- FRAN_0187_49914_L.jpg (7089 x 5613): fold at x ≈ 3673 (between the left table's frame
  at 3630 and the right table's at 3720).
- FRAN_0187_50115_L.jpg (7102 x 5617): fold at x ≈ 3680; a guard strip lies over the left
  page from 3471 to the fold; the right table's frame at 3728.
- sample page-004.tif (5080 x 3628): two A4 pages of 2480 px on a 60-px dark cradle; the
  gutter at x = 60 + 2480 = 2540 (the scan is turned -0.7° about the centre, which the
  gutter passes through).
Splits must fall within 2% of the width of the true gutter.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline import page_steps
from pipeline.imaging import pyvips
from pipeline.page import process_page, render_page, right_half_first_for

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"
A3 = TESTDATA / "A3_unpaper_sources"
B4 = TESTDATA / "B4_french_typewritten_tapuscorpus"
C1 = TESTDATA / "C1_lectaurep_marriage_contract_registers"

needs_testdata = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA} (only present in the team's workspace)"
)
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

FORMATS = {".png": "png", ".jpg": "jpeg", ".tif": "tiff", ".pdf": "pdf"}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Render a file once per module (the C1 spreads take ~1 s each)."""
    folder = tmp_path_factory.mktemp("work")
    cache: dict[Path, Path] = {}

    def rendered(path: Path) -> Path:
        if path not in cache:
            cache[path] = render_page(path, fmt=FORMATS[path.suffix], page_index=0,
                                      out_path=folder / f"{path.stem}.png").image
        return cache[path]

    return rendered


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory) -> Path:
    from pipeline.synth.sample import make_sample_batch

    folder = tmp_path_factory.mktemp("sample") / "batch"
    make_sample_batch(folder)
    return folder


def _gray(path: Path) -> np.ndarray:
    return pyvips.Image.new_from_file(str(path)).numpy()


def _crop_and_split(image: Path, out: Path) -> tuple[page_steps.StepOutput, tuple[page_steps.StepOutput, ...]]:
    crop = page_steps.crop_borders(image=image, out_path=None)
    parts = page_steps.split_spread(image=image, region=tuple(crop.record.measured["box"]),
                                    single_path=out / "page.png", left_path=out / "left.png",
                                    right_path=out / "right.png")
    return crop, parts


# ---------------------------------------------------------------- crop


@needs_testdata
def test_imgsrc001_black_border_is_cropped_from_the_left(work, tmp_path):
    image = work(A3 / "imgsrc001.png")
    out = page_steps.crop_borders(image=image, out_path=tmp_path / "crop.png")
    record = out.record
    print(record.measured, record.note)
    x, y, w, h = record.measured["box"]
    assert record.applied and out.image == tmp_path / "crop.png"
    assert abs(x - 204) <= 4 and abs(record.measured["analysis_box"][0] - 51) <= 1  # 1 px at analysis scale
    assert (y, x + w, h) == (0, 2480, 3507)  # nothing else cut: the top rows hold paper beside text
    # region extraction only: the pixels are the master's, untouched
    assert np.array_equal(_gray(out.image), _gray(image)[y:y + h, x:x + w])
    assert not (_gray(out.image)[:, :3] < 128).any()


@needs_testdata
@pytest.mark.parametrize("name", ["FRAN_0187_49914_L", "FRAN_0187_50115_L"])
def test_c1_cover_is_cropped_without_cutting_any_transcribed_line(work, name):
    image = work(C1 / f"{name}.jpg")
    record = page_steps.crop_borders(image=image, out_path=None).record
    x, y, w, h = record.measured["box"]
    print(name, record.measured["box"], record.note)
    xml = (C1 / f"{name}.xml").read_text(encoding="utf-8")
    points = [tuple(map(int, p.split(","))) for c in re.findall(r'<Coords points="([^"]+)"', xml) for p in c.split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    # every transcribed line (printed and handwritten, including the folio in the corner) is kept
    assert x <= min(xs) and x + w >= max(xs) and y <= min(ys) and y + h >= max(ys)
    assert record.applied and x >= 300  # the book's dark cover (x ≈ 110..230) is gone on the left


@needs_testdata
@pytest.mark.parametrize("path", [A2 / "phototest.tif", A3 / "imgsrcE001.png",
                                  B4 / "AN-96AP_journal_1914-1917" / "FRAN_0150_0002_L-medium.jpg"])
def test_pages_without_dark_border_are_left_uncropped(work, path, tmp_path):
    out = page_steps.crop_borders(image=work(path), out_path=tmp_path / "c.png")
    assert not out.record.applied and out.image == work(path) and not (tmp_path / "c.png").exists()
    assert "no dark border" in out.record.note


def test_dark_region_touching_text_stops_the_crop_short_of_the_text(tmp_path):
    # A 300-dpi page whose black border runs right up to a text-like block on the left.
    page = np.full((1200, 900), 245, np.uint8)
    page[:, :60] = 0
    rng = np.random.default_rng(3)
    for row in range(200, 1000, 40):  # "words": dark marks 6 px thick, 64 px from the border
        for col in range(64, 700, 60):
            page[row:row + 14, col:col + 30 + int(rng.integers(0, 20))] = 30
    path = tmp_path / "p.png"
    page_steps.write_gray_png(page, out_path=path, dpi=300)
    record = page_steps.crop_borders(image=path, out_path=None).record
    x = record.measured["box"][0]
    print(record.measured, record.note)
    assert record.applied and 56 <= x <= 64  # the border is off, the marks at 64 are not touched


def test_mostly_dark_or_blank_images_are_not_cropped(tmp_path):
    for name, page in [("dark", np.full((800, 600), 20, np.uint8)), ("blank", np.full((800, 600), 255, np.uint8))]:
        path = tmp_path / f"{name}.png"
        page_steps.write_gray_png(page, out_path=path, dpi=300)
        out = page_steps.crop_borders(image=path, out_path=tmp_path / f"{name}-c.png")
        assert not out.record.applied and out.image == path, out.record


# ---------------------------------------------------------------- split


@needs_testdata
@pytest.mark.parametrize("name", ["imgsrcE001", "imgsrcE002", "imgsrcE003"])
def test_two_sheets_on_one_scan_are_split_in_the_empty_band(work, tmp_path, name):
    image = work(A3 / f"{name}.png")
    crop, parts = _crop_and_split(image, tmp_path)
    assert len(parts) == 2
    left, right = parts
    x = left.record.measured["split_x"]
    print(name, x, left.record.measured["best"], left.record.measured["confidence"])
    assert abs(x - 1704.5) <= 0.02 * 3507 and 1568 <= x <= 1841  # and inside the ink-free band
    assert [p.record.measured["half"] for p in parts] == ["left", "right"]
    assert left.record.measured["box"] == [0, 0, x, 2480] and right.record.measured["box"] == [x, 0, 3507 - x, 2480]
    whole = _gray(image)
    assert np.array_equal(_gray(left.image), whole[:, :x]) and np.array_equal(_gray(right.image), whole[:, x:])
    assert left.record.measured["confidence"] >= page_steps.SPLIT_MIN_CONFIDENCE


@needs_testdata
@pytest.mark.parametrize("name, fold", [("FRAN_0187_49914_L", 3673), ("FRAN_0187_50115_L", 3680)])
def test_bound_register_spread_is_split_at_the_fold(work, tmp_path, name, fold):
    image = work(C1 / f"{name}.jpg")
    crop, parts = _crop_and_split(image, tmp_path)
    assert len(parts) == 2, parts[0].record.note
    x = parts[0].record.measured["split_x"]
    width = crop.record.measured["image_size"][0]
    print(name, x, fold, parts[0].record.measured["best"])
    assert abs(x - fold) <= 0.02 * width
    # the halves come from the cropped page, left edge of the left half = crop's left edge
    assert parts[0].record.measured["box"][0] == crop.record.measured["box"][0]
    assert parts[1].record.measured["box"][0] + parts[1].record.measured["box"][2] == sum(
        crop.record.measured["box"][0::2])


@needs_testdata
@pytest.mark.parametrize("path", [
    A2 / "phototest.tif", A2 / "eurotext.tif", A1 / "skew.pdf", A3 / "imgsrc001.png",
    # landscape typed catalogue tables: a wide column gap near the middle, rows level across it
    B4 / "AN-20130043_catalogue_1962" / "FRAN_0011_11082_L-medium.jpg",
    B4 / "AN-20130043_catalogue_1962" / "FRAN_0011_11084_L-medium.jpg",
    B4 / "AN-20130043_catalogue_1962" / "FRAN_0011_11087_L-medium.jpg",
    B4 / "AN-96AP_journal_1914-1917" / "FRAN_0150_0002_L-medium.jpg",
])
def test_single_pages_are_not_split(work, tmp_path, path):
    crop, parts = _crop_and_split(work(path), tmp_path)
    assert len(parts) == 1, parts[0].record.measured
    record = parts[0].record
    print(path.name, record.note, record.measured.get("best"))
    assert not record.applied and record.measured["half"] is None and record.note


def test_blank_landscape_image_is_not_split(tmp_path):
    path = tmp_path / "blank.png"
    page_steps.write_gray_png(np.full((800, 1200), 250, np.uint8), out_path=path, dpi=300)
    parts = page_steps.split_spread(image=path, left_path=tmp_path / "l.png", right_path=tmp_path / "r.png")
    assert len(parts) == 1 and parts[0].image == path and "no text-like marks" in parts[0].record.note


def test_reading_order_of_halves_follows_the_register_script():
    assert right_half_first_for("ara") and right_half_first_for("script/Arabic")
    assert not right_half_first_for("ara+fra") and not right_half_first_for("fra") and not right_half_first_for("")


def test_sample_spread_crop_and_split(sample_batch, tmp_path):
    image = render_page(sample_batch / "page-004.tif", fmt="tiff", page_index=0, out_path=tmp_path / "w.png").image
    crop, parts = _crop_and_split(image, tmp_path)
    x, y, w, h = crop.record.measured["box"]
    print(crop.record.measured["box"], parts[0].record.measured.get("best"))
    # the dark cradle (60 px, wider where the pages sit askew) is gone, the pages are not cut
    assert 40 <= x <= 110 and 5080 - 110 <= x + w <= 5080 - 40 and y >= 30 and y + h <= 3628 - 30
    assert len(parts) == 2 and abs(parts[0].record.measured["split_x"] - 2540) <= 0.02 * 5080


@needs_tesseract
def test_process_page_reads_each_half_of_the_sample_spread(sample_batch, tmp_path):
    # fra, not ara+fra: the French side of the bilingual form is enough to tell the halves
    # apart, at half the OCR time.
    pages = process_page(source=sample_batch / "page-004.tif", fmt="tiff", page_index=0, work_dir=tmp_path,
                         langs="fra", tessdata_dir=None, ocr_timeout_s=120)
    assert isinstance(pages, tuple) and [p.half for p in pages] == ["left", "right"]
    truth = json.loads((sample_batch.parent / "batch-truth" / "page-004.fields.json").read_text(encoding="utf-8"))
    numbers = {half: [str(a["number"]) for a in truth["acts"] if a["half"] == half] for half in ("left", "right")}
    for page, other in zip(pages, reversed(pages)):
        print(page.half, page.seconds, [s.step for s in page.steps])
        assert [s.step for s in page.steps] == ["render", "orientation", "crop", "split", "deskew", "binarise"]
        assert page.page_index == 0 and page.steps[3].measured["half"] == page.half
        assert page.steps[0] is other.steps[0] or page.steps[0] == other.steps[0]  # shared steps first
        assert page.steps[-1].output_image == page.work_image and page.work_image.is_file()
        text = page.ocr.text
        assert "Alger-Centre" in text
        assert all(f"N° {n}" in text or f"Acte N° {n}" in text or n in text for n in numbers[page.half]), text
        assert not any(n in text for n in numbers[other.half]), (page.half, numbers, text)
        assert page.seconds.total > 0 and page.seconds.split > 0 and page.seconds.ocr > 0
    assert pages[0].work_image != pages[1].work_image


@needs_testdata
def test_arabic_register_spread_reads_right_half_first(monkeypatch, tmp_path):
    """Order only: OSD and OCR are replaced by stubs (the real ones are exercised above)."""
    import pipeline.page as page_module

    def upright(page, *, analysis, tessdata_dir, timeout_s):
        record = page_steps.StepRecord("orientation", False, {}, {"rotate_degrees": 0}, {}, 0.0, None, None)
        return page_steps.StepResult(page, record)

    def read(*, image, out_base, **kwargs):
        return f"read {image.name}"

    monkeypatch.setattr(page_module.page_steps, "orient_image", upright)
    monkeypatch.setattr(page_module.tesseract, "ocr_page", read)
    source = A3 / "imgsrcE001.png"
    arabic = process_page(source=source, fmt="png", page_index=0, work_dir=tmp_path / "ar", langs="ara",
                          tessdata_dir=None, ocr_timeout_s=10)
    assert [p.half for p in arabic] == ["right", "left"] and arabic[0].ocr == "read p0001R-work.png"
    french = process_page(source=source, fmt="png", page_index=0, work_dir=tmp_path / "fr", langs="fra",
                          tessdata_dir=None, ocr_timeout_s=10, right_half_first=False)
    assert [p.half for p in french] == ["left", "right"]
    forced = process_page(source=source, fmt="png", page_index=0, work_dir=tmp_path / "x", langs="ara+fra",
                          tessdata_dir=None, ocr_timeout_s=10, right_half_first=True, split_spreads=True)
    assert [p.half for p in forced] == ["right", "left"]
    whole = process_page(source=source, fmt="png", page_index=0, work_dir=tmp_path / "n", langs="ara",
                         tessdata_dir=None, ocr_timeout_s=10, split_spreads=False, binarise=False)
    assert [p.half for p in whole] == [None] and [s.step for s in whole[0].steps] == [
        "render", "orientation", "crop", "deskew"]
    # every record of every step is plain JSON, as the ingest flow stores it
    for page in arabic + whole:
        for step in page.steps:
            json.dumps({"parameters": step.parameters, "measured": step.measured, "note": step.note})
    # and the whole result crosses a process boundary
    import pickle

    assert [p.half for p in pickle.loads(pickle.dumps(arabic))] == ["right", "left"]
