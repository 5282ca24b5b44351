"""ocr/regions.py: the script of words and line runs, Arabic regions of a bilingual page,
and the merge of two readings; then a real Tesseract read of a synthetic bilingual form."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from ocr import regions, tesseract
from pipeline.imaging import pyvips

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("qpdf") is None,
                                     reason="tesseract or qpdf is not installed")

_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _tsv(path: Path, words: list[tuple[int, int, int, int, int, int, str]]) -> Path:
    """A TSV with one block/par/line row per new key and the given words
    (block, par, line, left, top, width, text)."""
    rows, seen = [_HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t3000\t3000\t-1\t"], set()
    for block, par, line, left, top, width, text in words:
        for level, key in ((2, (block,)), (3, (block, par)), (4, (block, par, line))):
            if key not in seen:
                seen.add(key)
                numbers = list(key) + [0] * (3 - len(key))
                rows.append(f"{level}\t1\t{numbers[0]}\t{numbers[1]}\t{numbers[2]}\t0\t{left}\t{top}\t{width}\t40\t-1\t")
        rows.append(f"5\t1\t{block}\t{par}\t{line}\t1\t{left}\t{top}\t{width}\t40\t90\t{text}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_word_script_by_letters():
    assert regions.word_script("اللقب") == "arabic"
    assert regions.word_script("Prénom(s)") == "latin"
    assert regions.word_script("1987") is None
    assert regions.word_script(":") is None


def test_one_tesseract_line_across_both_halves_gives_two_runs(tmp_path):
    # "Nom : AIT AHMED ... اللقب : ايت" read as one line: French left, Arabic far right.
    tsv = _tsv(tmp_path / "p.tsv", [
        (1, 1, 1, 150, 580, 80, "Nom"), (1, 1, 1, 240, 580, 10, ":"), (1, 1, 1, 260, 580, 60, "AIT"),
        (1, 1, 1, 330, 580, 100, "AHMED"),
        (1, 1, 1, 1700, 580, 60, "ايت"), (1, 1, 1, 1780, 580, 10, ":"), (1, 1, 1, 1800, 580, 90, "اللقب"),
    ])
    _, rows = regions.read_tsv(tsv)
    runs = regions.line_runs(rows)
    assert [r.script for r in runs] == ["latin", "arabic"]
    assert runs[1].box == (1700, 580, 1890, 620)


def test_arabic_region_is_padded_but_never_over_a_latin_run(tmp_path):
    tsv = _tsv(tmp_path / "p.tsv", [
        (1, 1, 1, 1000, 500, 300, "Latin words"),       # right next to the Arabic run, on its left
        (2, 1, 1, 1320, 500, 200, "عربي"),
        (2, 1, 2, 1320, 560, 200, "Clés"),               # junk alone on a line: a Latin run
    ])
    found = regions.find_arabic_regions(tsv_path=tsv, width=2480, height=3508)
    assert found.arabic_runs == 1 and found.latin_runs == 2
    (left, top, right, bottom), = found.arabic
    assert right > 1520 and top < 500          # padded where nothing Latin is
    assert left >= 1300 and bottom <= 560      # not over the Latin run on the left, nor the one below


def test_a_mostly_arabic_run_with_junk_latin_stays_arabic(tmp_path):
    tsv = _tsv(tmp_path / "p.tsv", [(1, 1, 1, 1200 + 110 * i, 700, 100, w)
                                    for i, w in enumerate(["تاريخ", "الميلاد", "fe", "السادس", "عشر"])])
    found = regions.find_arabic_regions(tsv_path=tsv, width=2480, height=3508)
    assert len(found.arabic) == 1 and found.latin_runs == 0


def _with_confidence(path: Path, text: str, confidence: float) -> Path:
    """The TSV with the word `text` given `confidence`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = ["\t".join(c[:10] + [str(confidence)] + c[11:]) if c[0] == "5" and c[11] == text else line
             for line, c in ((line, line.split("\t")) for line in lines)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("confidence, joined", [(26.0, True), (90.0, False)])
def test_low_confidence_latin_junk_does_not_cut_the_arabic_column(tmp_path, confidence, joined):
    # "الجنس : ذكر" read by ara+fra as "or" (confidence 26) between two Arabic lines of the
    # form's column: junk, not a Latin line; read with confidence it is one and stays.
    tsv = _with_confidence(_tsv(tmp_path / "p.tsv", [
        (1, 1, 1, 1500, 600, 400, "اللقب : حاج"),
        (1, 2, 1, 1700, 680, 200, "or"),
        (1, 3, 1, 1500, 760, 400, "تاريخ الميلاد"),
    ]), "or", confidence)
    found = regions.find_arabic_regions(tsv_path=tsv, width=2480, height=3508)
    assert len(found.arabic) == (1 if joined else 2)
    assert found.latin_runs == (0 if joined else 1)
    if joined:
        assert regions.centre_inside((1700, 680, 1900, 720), found.arabic)  # read by the ara pass


def test_masked_image_keeps_or_whites_out_the_boxes():
    pixels = np.full((100, 200), 210, np.uint8)  # gray paper
    pixels[30:34, 12:48] = 20                     # a stroke inside the kept box
    pixels[80:84, 120:180] = 20                   # a stroke outside it
    inside = regions.masked_image(pixels=pixels, keep=((10, 20, 50, 60),), inside=True)
    assert inside.shape == pixels.shape and inside[31, 20] == 20 and inside[25, 20] == 210
    # Outside the box: blank, at the paper's gray (not white: see the next test).
    assert inside[81, 150] == 210 and inside[5, 5] == 210
    outside = regions.masked_image(pixels=pixels, keep=((10, 20, 50, 60),), inside=False)
    assert outside[31, 20] == 255 and outside[81, 150] == 20


def test_masked_copy_of_dark_paper_binarises_like_the_page():
    # Tesseract binarises with one Otsu threshold over the image: the kept region's paper
    # must stay on the white side of it. Gray paper (212, as on a seed-83 page) with a few
    # text strokes, the region a quarter of the page: a white fill put the threshold at 228
    # and 97% of the paper went black.
    import cv2

    rng = np.random.default_rng(1)
    pixels = np.clip(rng.normal(212, 9, (400, 600)), 0, 255).astype(np.uint8)
    for y in range(50, 230, 20):
        pixels[y:y + 2, 330:570] = np.clip(rng.normal(90, 30, (2, 240)), 0, 255)
    masked = regions.masked_image(pixels=pixels, keep=((300, 40, 590, 240),), inside=True)
    _, binary = cv2.threshold(masked, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    region, original = binary[40:240, 300:590], pixels[40:240, 300:590]
    assert (region[original > 180] == 255).mean() > 0.99   # paper white
    assert (region[original < 100] == 0).mean() > 0.99     # strokes black


def test_merge_tsv_drops_words_inside_regions_and_renumbers_blocks(tmp_path):
    first = _tsv(tmp_path / "a.tsv", [(1, 1, 1, 100, 100, 200, "Nom"), (2, 1, 1, 1500, 100, 200, "fe")])
    second = _tsv(tmp_path / "b.tsv", [(1, 1, 1, 1480, 100, 220, "اللقب")])
    out = tmp_path / "m.tsv"
    kept, added = regions.merge_tsv(first=first, second=second, regions=((1400, 60, 1800, 160),), out=out)
    assert (kept, added) == (1, 1)
    _, rows = regions.read_tsv(out)
    words = [(r.cols[2], r.text) for r in rows if r.level == 5]
    assert words == [("1", "Nom"), ("3", "اللقب")]
    assert not [r for r in rows if r.level == 2 and r.cols[2] == "2"]  # the emptied block went too
    assert regions.tsv_text(out).split() == ["Nom", "اللقب"]


def test_blank_pdf_words_keeps_lengths_and_checks_the_count(tmp_path):
    pdf = tmp_path / "t.pdf"
    body = b"BT [ <004E006F006D0020> ] TJ 3 0 Td [ <06270020> ] TJ ET"
    pdf.write_bytes(body)
    assert regions.blank_pdf_words(qdf_pdf=pdf, keep=[True, False]) == 1
    assert pdf.read_bytes() == body.replace(b"<06270020>", b"<00200020>")
    with pytest.raises(ValueError):
        regions.blank_pdf_words(qdf_pdf=pdf, keep=[True])


# ---------------------------------------------------------------- real Tesseract


def _bilingual_form(folder: Path) -> Path:
    """The top of a synthetic L1 form (header and the first act): French left, Arabic right."""
    from pipeline.synth import random_birth_act, render_register_page
    from pipeline.synth.names import Spelled
    from pipeline.synth.sample import SAMPLE_REGISTER

    rng = random.Random(71)
    acts = [random_birth_act(rng=rng, register=SAMPLE_REGISTER, number=75, drawn_up_on=dt.date(1987, 1, 16),
                             officer_surname=Spelled("حداد", "HADDAD"), officer_given=Spelled("رشيد", "Rachid"))]
    rendered = render_register_page(layout="L1", lang="fr+ar", acts=acts, seed=71, typeface="print")
    gray = pyvips.Image.new_from_array(np.asarray(rendered.image.convert("L")))
    gray = gray.crop(0, 0, gray.width, int(gray.height * 0.4))
    path = folder / "L1-frar-top.png"
    gray.copy(xres=300 / 25.4, yres=300 / 25.4, interpretation="b-w").cast("uchar").pngsave(str(path), compression=1)
    return path


@pytest.fixture(scope="module")
def bilingual_reading(tmp_path_factory) -> tesseract.OcrPageResult:
    folder = tmp_path_factory.mktemp("regions")
    image = _bilingual_form(folder)
    return tesseract.ocr_page(image=image, out_base=folder / "p", langs="ara+fra", psm=3, tessdata_dir=None,
                              timeout_s=300, script_regions=True)


@needs_tesseract
def test_arabic_regions_are_read_with_ara_alone(bilingual_reading):
    result = bilingual_reading
    assert result.script_regions and result.arabic_regions and result.region_psm == tesseract.REGION_PSM
    assert result.langs == "ara+fra" and {m for m, _ in result.models} == {"ara", "fra"}
    words = tesseract.read_tsv_words(result.tsv_path)
    inside = [w.text for w in words
              if regions.centre_inside((w.left, w.top, w.left + w.width, w.top + w.height), result.arabic_regions)]
    assert "اللقب" in inside and "الاسم" in inside           # Arabic labels of the surname and given-name lines
    assert not [w for w in inside if re.search(r"[A-Za-z]", w)]  # no Latin junk in the Arabic regions
    outside = [w.text for w in words if w.text not in inside]
    assert "Nom" in outside and "Prénom(s)" in outside       # French kept from the first reading


@needs_tesseract
def test_merged_outputs_are_well_formed_and_agree(bilingual_reading, tmp_path):
    result = bilingual_reading
    words = tesseract.read_tsv_words(result.tsv_path)
    hocr = ET.fromstring(re.sub(r"^.*?(<html\b)", r"\1", result.hocr_path.read_text(encoding="utf-8"), flags=re.S))
    hocr_words = [e for e in hocr.iter() if e.get("class") == "ocrx_word"]
    ids = [e.get("id") for e in hocr.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    alto = ET.fromstring(result.alto_path.read_text(encoding="utf-8").split("?>", 1)[1])
    strings = [e for e in alto.iter() if e.tag.endswith("}String")]
    alto_ids = [e.get("ID") for e in alto.iter() if e.get("ID")]
    assert len(alto_ids) == len(set(alto_ids))
    assert not [e for e in alto.iter() if e.tag.endswith("}SP") and float(e.get("WIDTH")) < 0]
    assert len(words) == len(hocr_words) == len(strings) == result.word_count
    # The page PDF: one page, the two text layers' words (blanked junk aside) extractable.
    subprocess.run(["qpdf", "--check", str(result.pdf_path)], check=True, capture_output=True)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(result.pdf_path), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert "Prénom(s)" in text and "اللقب" in text
    assert "اللقب" in result.text and "Nom" in result.text


@needs_tesseract
def test_single_script_page_is_read_in_one_pass(tmp_path):
    page = pyvips.Image.new_from_file(str(_bilingual_form(tmp_path)))
    french = page.crop(0, 0, page.width // 2, page.height)
    path = tmp_path / "fr.png"
    french.copy(xres=300 / 25.4, yres=300 / 25.4).pngsave(str(path), compression=1)
    result = tesseract.ocr_page(image=path, out_base=tmp_path / "fr", langs="fra", psm=3, tessdata_dir=None,
                                timeout_s=300)
    assert result.script_regions is None and result.arabic_regions == ()
