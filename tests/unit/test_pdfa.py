"""pipeline.pdfa: Tesseract page PDFs → one PDF/A-2b, checked by the real veraPDF.

The pages are rendered here (pyvips/Pango, which shapes Arabic) and OCR'd by the real
Tesseract, so the test sees exactly the kind of input the pipeline gives. Tests that need
a missing program are skipped with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.errors import SijilError, ToolError
from pipeline.pdfa import (
    PdfMetadata,
    assemble_pdfa,
    build_xmp,
    extract_text,
    validate_pdfa,
)

VERAPDF = Path("/var/lib/sijil/bin/verapdf")
TITLE = "Registre des naissances 1987 — Alger-Centre (1601), série 1, volume 1"
# Words Tesseract's Debian `ara` model reads reliably from Noto Naskh Arabic at 300 dpi.
ARABIC_WORDS = ("ميلاد", "الجزائر", "العاصمة")

PAGES = [
    # (text, Pango font, language, file format)
    ("Acte de naissance N° 452\nBENALI Mohamed", "DejaVu Serif 28", "fra", "png"),
    ("شهادة ميلاد رقم 452\nولد في الجزائر العاصمة", "Noto Naskh Arabic 20", "ara", "png"),
    ("Acte de décès N° 17\nSAADI Fatima", "DejaVu Serif 28", "fra", "jpg"),  # JPEG: passed through as DCT
]


def _need_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def _need_verapdf() -> Path:
    if not (VERAPDF.is_file() and os.access(VERAPDF, os.X_OK)):
        pytest.skip(f"veraPDF is not installed at {VERAPDF} (`sijil stack up` installs it)")
    return VERAPDF


def _metadata(**changes) -> PdfMetadata:
    values = dict(
        title=TITLE,
        language="fr",
        other_languages=("ar",),
        created=datetime(1987, 3, 3, 9, 30, tzinfo=timezone.utc),
        subject="État civil — سجل المواليد",
        keywords=("naissances", "1987", "Alger-Centre"),
    )
    return PdfMetadata(**(values | changes))


@pytest.fixture(scope="module")
def page_pdfs(tmp_path_factory) -> list[Path]:
    tesseract = _need_program("tesseract")
    _need_program("qpdf")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    if not {"fra", "ara"} <= set(langs):
        pytest.skip("tesseract lacks the fra or ara language data")
    pyvips = pytest.importorskip("pyvips")
    folder = tmp_path_factory.mktemp("pages")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # see DESIGN.md: Tesseract's threads are slower here
    pdfs = []
    for i, (text, font, lang, fmt) in enumerate(PAGES, 1):
        ink = pyvips.Image.text(text, font=font, dpi=300).invert()  # black text on white
        page = ink.embed(120, 120, ink.width + 240, ink.height + 240, extend="white")
        page = page.copy(xres=300 / 25.4, yres=300 / 25.4)
        image = folder / f"page{i}.{fmt}"
        if fmt == "jpg":
            page.bandjoin([page, page]).copy(interpretation="srgb").write_to_file(str(image), Q=85)
        else:
            page.write_to_file(str(image))
        base = folder / f"page{i}"
        subprocess.run([tesseract, str(image), str(base), "-l", lang, "pdf"], check=True, capture_output=True, env=env, timeout=60)
        pdfs.append(base.with_suffix(".pdf"))
    return pdfs


@pytest.fixture(scope="module")
def volume(page_pdfs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("volume")
    result = assemble_pdfa(
        page_pdfs=page_pdfs, out_pdf=folder / "volume.pdf", metadata=_metadata(), work_dir=folder / "work", timeout_s=60
    )
    return result


def test_volume_is_pdfa_2b_with_pages_text_and_metadata(volume, page_pdfs):
    verapdf = _need_verapdf()
    _need_program("pdfinfo")
    _need_program("pdftotext")

    report = validate_pdfa(pdf=volume.path, verapdf=verapdf, timeout_s=60)
    assert report.passed, report.summary
    assert (report.flavour, report.failed_rules, report.summary) == ("2b", 0, ())
    assert "PDF/A-2b" in report.profile
    assert report.report_xml.startswith(b"<?xml")

    assert volume.page_count == len(page_pdfs) == 3
    assert volume.bytes == volume.path.stat().st_size
    assert volume.tool_versions["qpdf"]
    # Page images are copied, not re-encoded: the volume weighs about what its pages weigh.
    inputs = sum(p.stat().st_size for p in page_pdfs)
    assert 0.8 < volume.bytes / inputs < 1.2

    text = extract_text(pdf=volume.path)
    assert "BENALI" in text and "SAADI" in text
    assert any(word in text for word in ARABIC_WORDS), text
    assert text.count("\f") == 3  # pdftotext ends every page with a form feed: page order kept
    assert text.index("BENALI") < text.index("SAADI")

    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(volume.path)], capture_output=True, check=True).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == TITLE
    assert fields["Pages"].strip() == "3"
    assert fields["Author"].strip() == "sijil"
    assert fields["Metadata Stream"].strip() == "yes"
    assert "1987" in fields["CreationDate"]


def test_same_pages_and_metadata_give_the_same_bytes(volume, page_pdfs, tmp_path):
    again = assemble_pdfa(
        page_pdfs=page_pdfs, out_pdf=tmp_path / "again.pdf", metadata=_metadata(), work_dir=tmp_path / "w", timeout_s=60
    )
    assert again.sha256 == volume.sha256
    later = assemble_pdfa(
        page_pdfs=page_pdfs,
        out_pdf=tmp_path / "later.pdf",
        metadata=_metadata(created=datetime(1987, 3, 4, tzinfo=timezone.utc)),
        work_dir=tmp_path / "w2",
        timeout_s=60,
    )
    assert later.sha256 != volume.sha256


def test_a_plain_tesseract_page_is_not_pdfa_and_that_is_a_result(page_pdfs):
    report = validate_pdfa(pdf=page_pdfs[0], verapdf=_need_verapdf(), timeout_s=60)
    assert not report.passed
    assert report.failed_rules == len(report.summary) > 0
    # No XMP metadata and no output intent: the two things assemble_pdfa adds.
    assert any(line.startswith("6.6.2.1-1") for line in report.summary), report.summary


@pytest.mark.parametrize("damage", ["not a pdf", "truncated", "repairable"])
def test_a_damaged_page_pdf_is_a_tool_error_naming_it(page_pdfs, tmp_path, damage):
    good = page_pdfs[0].read_bytes()
    bad = tmp_path / "page2.pdf"
    if damage == "not a pdf":
        bad.write_bytes(b"this is not a PDF\n")
    elif damage == "truncated":
        bad.write_bytes(good[: len(good) // 3])
    else:  # qpdf can rebuild it, with warnings: refused all the same, a page may be missing
        bad.write_bytes(good[: good.rfind(b"xref")] + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(ToolError) as caught:
        assemble_pdfa(
            page_pdfs=[page_pdfs[0], bad], out_pdf=tmp_path / "v.pdf", metadata=_metadata(), work_dir=tmp_path / "w", timeout_s=60
        )
    assert "page2.pdf" in str(caught.value)
    assert not (tmp_path / "v.pdf").exists()


def test_a_page_pdf_with_two_pages_is_refused(page_pdfs, tmp_path):
    two = tmp_path / "two.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", str(page_pdfs[0]), str(page_pdfs[1]), "--", str(two)], check=True)
    with pytest.raises(SijilError, match="one page per input") as caught:
        assemble_pdfa(
            page_pdfs=[two, page_pdfs[2]], out_pdf=tmp_path / "v.pdf", metadata=_metadata(), work_dir=tmp_path / "w", timeout_s=60
        )
    assert "two.pdf has 2" in str(caught.value)


def test_a_file_verapdf_cannot_parse_is_a_tool_error(tmp_path):
    verapdf = _need_verapdf()
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\nnothing else\n")
    with pytest.raises(ToolError, match="veraPDF could not validate"):
        validate_pdfa(pdf=junk, verapdf=verapdf, timeout_s=60)


def test_missing_programs_are_tool_errors(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(ToolError, match="program not found"):
        validate_pdfa(pdf=pdf, verapdf=tmp_path / "no-verapdf", timeout_s=5)
    with pytest.raises(ToolError, match="program not found"):
        extract_text(pdf=pdf, pdftotext=str(tmp_path / "no-pdftotext"))
    with pytest.raises(ToolError, match="program not found"):
        assemble_pdfa(
            page_pdfs=[pdf], out_pdf=tmp_path / "o.pdf", metadata=_metadata(), work_dir=tmp_path, timeout_s=5,
            qpdf=str(tmp_path / "no-qpdf"),
        )


def test_metadata_is_checked_and_xmp_is_well_formed():
    with pytest.raises(ValueError, match="timezone"):
        _metadata(created=datetime(1987, 3, 3))
    with pytest.raises(ValueError, match="BCP 47"):
        _metadata(language="français")
    with pytest.raises(ValueError, match="control"):
        _metadata(title="a\x07b")

    meta = _metadata(
        title="سجل المواليد 1987 <Alger & Blida>",
        created=datetime(1987, 3, 3, 10, 30, tzinfo=timezone(timedelta(hours=1))),
    )
    xmp = build_xmp(meta, producer="sijil (qpdf 11.3.0)")
    root = ET.fromstring(xmp)  # well-formed despite "<", "&" and Arabic
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
          "xmp": "http://ns.adobe.com/xap/1.0/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
    assert root.find(".//dc:title/rdf:Alt/rdf:li", ns).text == meta.title
    assert [li.text for li in root.findall(".//dc:language/rdf:Bag/rdf:li", ns)] == ["fr", "ar"]
    assert root.find(".//pdfaid:part", ns).text == "2"
    assert root.find(".//xmp:CreateDate", ns).text == "1987-03-03T09:30:00Z"  # normalised to UTC


def test_a_timeout_is_a_tool_error(page_pdfs):
    with pytest.raises(ToolError, match="did not finish within"):
        validate_pdfa(pdf=page_pdfs[0], verapdf=_need_verapdf(), timeout_s=0.05)
