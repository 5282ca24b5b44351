"""pipeline/page.py decoding: one page of a real input file → 8-bit grayscale work image."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pipeline.imaging import pyvips

from pipeline.page import DecodeError, PageSource, page_sources, render_page

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
pytestmark = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA} (only present in the team's workspace)"
)
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"
A3 = TESTDATA / "A3_unpaper_sources"


def _header(path: Path) -> pyvips.Image:
    return pyvips.Image.new_from_file(str(path))


def test_page_sources_one_entry_per_page():
    assert page_sources(Path("reg.tif"), fmt="tiff", pages=3) == tuple(
        PageSource(Path("reg.tif"), "tiff", i, 3) for i in range(3)
    )
    with pytest.raises(DecodeError):
        page_sources(Path("x.png"), fmt="png", pages=2)
    with pytest.raises(DecodeError):
        page_sources(Path("x.bmp"), fmt="bmp", pages=1)


def test_rgb_png_becomes_gray_at_its_own_resolution(tmp_path):
    out = render_page(A2 / "phototest-rotated-L.png", fmt="png", page_index=0, out_path=tmp_path / "w.png")
    image = _header(out.image)
    assert (image.width, image.height, image.bands, image.format) == (480, 640, 1, "uchar")
    # 200 dpi in the file: kept (never enlarged), and carried in the work image for Tesseract
    assert out.record.measured["dpi"] == pytest.approx(200, abs=0.1)
    assert image.xres * 25.4 == pytest.approx(200, abs=0.1)
    assert (A2 / "phototest-rotated-L.png").stat().st_size > 0  # the master is only read


def test_png_without_plausible_resolution_is_used_at_pixel_size(tmp_path):
    out = render_page(A3 / "imgsrc001.png", fmt="png", page_index=0, out_path=tmp_path / "w.png")
    assert out.record.measured["source_dpi_origin"].startswith("assumed")
    assert (out.record.measured["width"], out.record.measured["height"]) == (2480, 3507)


def test_600_dpi_multipage_tiff_page_is_shrunk_to_300(tmp_path):
    # the top half of an A4 page at 300 dpi, enlarged to pass for a 600-dpi scan
    page = _header(A3 / "imgsrc001.png").crop(0, 0, 2480, 1750)
    big = page.resize(2.0).copy(xres=600 / 25.4, yres=600 / 25.4)
    tiff = tmp_path / "register.tif"
    two_pages = pyvips.Image.arrayjoin([big, big.flip("horizontal")], across=1)
    two_pages.tiffsave(str(tiff), compression="lzw", page_height=big.height)
    out = render_page(tiff, fmt="tiff", page_index=1, out_path=tmp_path / "w.png")
    image = _header(out.image)
    assert (image.width, image.height) == (2480, 1750)
    assert out.record.measured["scale"] == pytest.approx(0.5)
    assert out.record.measured["source_dpi_origin"] == "metadata"
    with pytest.raises(DecodeError):
        render_page(tiff, fmt="tiff", page_index=2, out_path=tmp_path / "x.png")


def test_alpha_is_flattened_onto_white(tmp_path):
    rgba = tmp_path / "rgba.png"
    pyvips.Image.black(64, 64, bands=4).cast("uchar").pngsave(str(rgba))  # fully transparent black
    out = render_page(rgba, fmt="png", page_index=0, out_path=tmp_path / "w.png")
    assert _header(out.image).min() == 255


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_pdf_page_is_rendered_at_300_dpi(tmp_path):
    out = render_page(A1 / "skew.pdf", fmt="pdf", page_index=0, out_path=tmp_path / "w.png")
    image = _header(out.image)
    assert (image.width, image.height, image.bands) == (2550, 3300, 1)  # US letter at 300 dpi
    assert image.xres * 25.4 == pytest.approx(300, abs=0.1)
    assert out.record.tool_versions["poppler"] != "unknown"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_decoder_failures_are_typed(tmp_path):
    with pytest.raises(DecodeError, match="invalid.pdf"):
        render_page(A1 / "invalid.pdf", fmt="pdf", page_index=0, out_path=tmp_path / "w.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes((A2 / "phototest-rotated-L.png").read_bytes()[:200])
    with pytest.raises(DecodeError, match="broken.png"):
        render_page(broken, fmt="png", page_index=0, out_path=tmp_path / "w2.png")


def test_a_file_rewritten_under_the_same_name_is_read_afresh(tmp_path):
    # libvips caches loaders by file name; a reprocessed page must not get the old pixels
    out = tmp_path / "w.png"
    render_page(A2 / "phototest-rotated-L.png", fmt="png", page_index=0, out_path=out)
    first = _header(out).numpy()
    master = tmp_path / "master.png"
    master.write_bytes((A2 / "phototest-rotated-L.png").read_bytes())
    render_page(master, fmt="png", page_index=0, out_path=out)
    master.write_bytes((A2 / "phototest-rotated-R.png").read_bytes())  # another master, same path
    render_page(master, fmt="png", page_index=0, out_path=out)
    assert not (_header(out).numpy() == first).all()
