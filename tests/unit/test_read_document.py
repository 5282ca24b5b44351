"""read_document: every page of one file through the flow's page path; merged hOCR/ALTO."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import read as read_module
from pipeline.page import DecodeError
from pipeline.read import merged_alto, merged_hocr, read_document

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"
needs_testdata = pytest.mark.skipif(not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA}")
needs_tools = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdfinfo") is None,
                                 reason="tesseract and poppler-utils are needed")


def _two_page_tiff(out: Path) -> Path:
    """phototest upright, then phototest upside down, as one 2-page TIFF."""
    from pipeline.imaging import pyvips

    upright = pyvips.Image.new_from_file(str(A2 / "phototest.tif")).colourspace("b-w").cast("uchar")
    turned = upright.rot180()
    pages = pyvips.Image.arrayjoin([upright, turned], across=1).copy(xres=upright.xres, yres=upright.yres)
    pages.set_type(pyvips.GValue.gint_type, "page-height", upright.height)
    pages.tiffsave(str(out))
    return out


@needs_testdata
@needs_tools
def test_every_page_of_a_multipage_tiff_with_one_document_of_hocr_and_alto(tmp_path):
    tiff = _two_page_tiff(tmp_path / "two.tif")
    reading = read_document(path=tiff, langs="fra", work_dir=tmp_path / "work", tessdata_dir=None, ocr_timeout_s=120)
    assert (reading.fmt, reading.page_count, len(reading.pages)) == ("tiff", 2, 2)
    assert [page.page_index for page in reading.pages] == [0, 1]
    for page in reading.pages:
        assert len(page.parts) == 1 and "quick brown dog jumped over the" in page.text
        assert page.mean_confidence is not None and page.mean_confidence > 0.8
    # The second page was upside down: orientation turned it, as in the flow.
    assert reading.pages[1].parts[0].steps[1].measured["rotate_degrees"] == 180
    assert reading.text.count("\n\f") == 1 and reading.text.startswith("This is a lot of 12 point text")

    hocr = ET.fromstring(merged_hocr(tuple(p for page in reading.pages for p in page.hocr_paths)))
    pages = [el for el in hocr.iter() if el.get("class") == "ocr_page"]
    assert [el.get("id") for el in pages] == ["page_1", "page_2"]
    assert "ppageno 1" in pages[1].get("title")
    ids = [el.get("id") for el in hocr.iter() if el.get("id")]
    assert len(ids) == len(set(ids)) and "word_2_1" in ids

    alto = ET.fromstring(merged_alto(tuple(p for page in reading.pages for p in page.alto_paths)))
    alto_pages = [el for el in alto.iter() if el.tag.endswith("}Page")]
    assert [(el.get("ID"), el.get("PHYSICAL_IMG_NR")) for el in alto_pages] == [("p1_page_0", "1"), ("p2_page_0", "2")]
    ids = [el.get("ID") for el in alto.iter() if el.get("ID")]
    assert len(ids) == len(set(ids))
    words = [el.get("CONTENT") for el in alto_pages[1].iter() if el.tag.endswith("}String")]
    assert words[:4] == ["This", "is", "a", "lot"]


def test_a_single_part_is_passed_through_unchanged(tmp_path):
    (tmp_path / "a.hocr").write_text("<html><body>x</body></html>", encoding="utf-8")
    assert merged_hocr((tmp_path / "a.hocr",)) == "<html><body>x</body></html>"


def test_halves_of_a_spread_are_kept_together_in_order(tmp_path, monkeypatch):
    # process_page may return the two halves of a double-page spread as a tuple.
    def fake_process_page(**kwargs):
        half = lambda side: SimpleNamespace(ocr=SimpleNamespace(text=f"{side} of page {kwargs['page_index'] + 1}\n",  # noqa: E731
                                                                mean_confidence=0.5, word_count=2))
        return (half("left"), half("right"))

    monkeypatch.setattr(read_module, "detect_format", lambda path, limits: ("pdf", 2))
    monkeypatch.setattr(read_module, "process_page", fake_process_page)
    reading = read_document(path=tmp_path / "x.pdf", langs="fra", work_dir=tmp_path, tessdata_dir=None)
    assert [len(page.parts) for page in reading.pages] == [2, 2] and len(reading.parts) == 4
    assert reading.text == "left of page 1\n\nright of page 1\n\fleft of page 2\n\nright of page 2"


@needs_testdata
@needs_tools
def test_broken_and_unsupported_files_are_decode_errors(tmp_path):
    with pytest.raises(DecodeError, match=r"invalid.pdf refused \(corrupt\)"):
        read_document(path=A1 / "invalid.pdf", langs="fra", work_dir=tmp_path, tessdata_dir=None)
    (tmp_path / "page.gif").write_bytes(b"GIF89a" + b"\0" * 20)
    with pytest.raises(DecodeError, match="looks like GIF"):
        read_document(path=tmp_path / "page.gif", langs="fra", work_dir=tmp_path, tessdata_dir=None)
