"""The per-page PDF: Tesseract's text layer over the work image copied in unchanged."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from ocr import tesseract
from pipeline import pdfa
from pipeline.imaging import pyvips

needs_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("tesseract", "qpdf", "pdfimages", "pdftotext")),
    reason="tesseract, qpdf and poppler-utils are needed",
)


def _page(tmp_path: Path, *, name: str = "page.png", **save) -> Path:
    ink = pyvips.Image.text("Acte de naissance N° 452\nBENALI Mohamed", font="DejaVu Serif 28", dpi=300).invert()
    page = ink.embed(150, 150, ink.width + 300, ink.height + 300, extend="white")
    # a little grey texture so that the pixels are not trivially compressible
    noise = pyvips.Image.gaussnoise(page.width, page.height, sigma=6, mean=0)
    page = (page + noise).cast("uchar").copy(xres=300 / 25.4, yres=300 / 25.4, interpretation="b-w")
    path = tmp_path / name
    page.pngsave(str(path), **save)
    return path


@needs_tools
def test_page_pdf_carries_the_work_image_bit_for_bit_under_the_text(tmp_path):
    image = _page(tmp_path, compression=1)
    result = tesseract.ocr_page(image=image, out_base=tmp_path / "ocr", langs="fra", tessdata_dir=None, timeout_s=60)
    assert result.page_pdf == "underlay"
    assert not list(tmp_path.glob("ocr.*.pdf"))  # the text-only and image-only parts are gone
    subprocess.run(["pdfimages", "-png", str(result.pdf_path), str(tmp_path / "extracted")], check=True)
    [extracted] = tmp_path.glob("extracted-*.png")
    assert np.array_equal(pyvips.Image.new_from_file(str(extracted)).numpy(),
                          pyvips.Image.new_from_file(str(image)).numpy())
    text = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "BENALI" in text
    # page size as Tesseract's: pixels x 72 / dpi
    info = subprocess.run(["pdfinfo", str(result.pdf_path)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    work = pyvips.Image.new_from_file(str(image))
    assert float(size[2]) == pytest.approx(work.width * 72 / 300, abs=0.01)
    assert float(size[4]) == pytest.approx(work.height * 72 / 300, abs=0.01)
    # and it is material pdfa.py can assemble, like Tesseract's own page PDFs
    volume = pdfa.assemble_pdfa(page_pdfs=[result.pdf_path, result.pdf_path], out_pdf=tmp_path / "volume.pdf",
                                metadata=pdfa.PdfMetadata(title="Registre", language="fr",
                                                          created=datetime(2026, 1, 1, tzinfo=timezone.utc)),
                                work_dir=tmp_path / "work", timeout_s=60)
    assert volume.page_count == 2


@needs_tools
def test_an_image_the_pdf_cannot_take_as_is_goes_through_tesseract(tmp_path):
    image = _page(tmp_path, name="interlaced.png", interlace=True)
    assert tesseract._png_layout(image) is None
    result = tesseract.ocr_page(image=image, out_base=tmp_path / "ocr", langs="fra", tessdata_dir=None, timeout_s=60)
    assert result.page_pdf == "tesseract"
    text = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "BENALI" in text


def test_png_layout_reads_only_what_a_pdf_image_can_carry(tmp_path):
    gray = _page(tmp_path, name="gray.png")
    assert tesseract._png_layout(gray) == tesseract.PngLayout(*pyvips.Image.new_from_file(str(gray)).numpy().shape[::-1], 1)
    sixteen = tmp_path / "sixteen.png"
    pyvips.Image.black(10, 10).cast("ushort").copy(interpretation="grey16").pngsave(str(sixteen), bitdepth=16)
    assert tesseract._png_layout(sixteen) is None
    not_png = tmp_path / "x.png"
    not_png.write_bytes(b"GIF89a" + bytes(40))
    assert tesseract._png_layout(not_png) is None
