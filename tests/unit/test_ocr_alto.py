"""Arabic in Tesseract's ALTO: words in logical order, and the SP between RTL words fixed.

Checked on Tesseract 5.3 (Debian `ara` model): the word order inside an RTL TextLine is
LOGICAL (first word = rightmost, HPOS decreasing), the same order as the `.txt`; only the
SP elements between RTL words come out with a negative WIDTH, which `ocr_page` rewrites."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ocr import tesseract
from ocr.text import script_counts
from pipeline.imaging import pyvips

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

ALTO_NS = "{http://www.loc.gov/standards/alto/ns-v3#}"

LINE = "سجل عقود الميلاد لسنة 1987"


def _line_image(tmp_path: Path, text: str) -> Path:
    ink = pyvips.Image.text(text, font="Noto Naskh Arabic 20", dpi=300).invert()
    page = ink.embed(120, 120, ink.width + 240, ink.height + 240, extend="white")
    path = tmp_path / "line.png"
    page.copy(xres=300 / 25.4, yres=300 / 25.4, interpretation="b-w").pngsave(str(path))
    return path


def _lines(alto: Path) -> list[list[ET.Element]]:
    root = ET.parse(alto).getroot()
    return [list(line) for line in root.iter(f"{ALTO_NS}TextLine")]


@needs_tesseract
def test_arabic_words_are_in_logical_order_and_spaces_are_real_gaps(tmp_path):
    result = tesseract.ocr_page(image=_line_image(tmp_path, LINE), out_base=tmp_path / "ocr", langs="ara",
                                tessdata_dir=None, timeout_s=60)
    [children] = [c for c in _lines(result.alto_path) if any(e.tag == f"{ALTO_NS}String" for e in c)]
    strings = [e for e in children if e.tag == f"{ALTO_NS}String"]
    words = [s.get("CONTENT") for s in strings]
    # Logical order: the same words in the same order as the plain text, which reads
    # right to left; on the page each next word lies further LEFT.
    assert words == result.text.split()
    assert words[0] == "سجل" and words[-1] == "1987"
    lefts = [int(s.get("HPOS")) for s in strings]
    assert lefts == sorted(lefts, reverse=True)
    assert script_counts(words[0])[0] == 3  # characters of a word in logical order too
    # Every SP between two words is a real, non-negative gap between them.
    spaces = [(children[i - 1], children[i], children[i + 1]) for i in range(1, len(children) - 1)
              if children[i].tag == f"{ALTO_NS}SP"]
    assert spaces and result.alto_rtl_spaces_fixed == len(spaces)
    for before, sp, after in spaces:
        left, width = int(sp.get("HPOS")), int(sp.get("WIDTH"))
        after_right = int(after.get("HPOS")) + int(after.get("WIDTH"))
        assert width >= 0
        if after_right <= int(before.get("HPOS")):  # boxes apart: exactly the gap
            assert (left, left + width) == (after_right, int(before.get("HPOS")))
        else:  # Tesseract's boxes may overlap (one word's box spanned its neighbours)
            assert (left, width) == (int(before.get("HPOS")), 0)


def test_fix_rtl_alto_spaces_rewrites_only_negative_spaces(tmp_path):
    alto = tmp_path / "page.xml"
    alto.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v3# http://www.loc.gov/alto/v3/alto-3-0.xsd">'
        '<Layout><Page><PrintSpace>'
        '<TextLine ID="l1"><String HPOS="2277" VPOS="824" WIDTH="51" HEIGHT="40" CONTENT="رقم"/>'
        '<SP WIDTH="-131" VPOS="824" HPOS="2328"/>'
        '<String HPOS="2197" VPOS="823" WIDTH="59" HEIGHT="31" CONTENT="101"/></TextLine>'
        '<TextLine ID="l2"><String HPOS="100" VPOS="900" WIDTH="60" HEIGHT="30" CONTENT="Acte"/>'
        '<SP WIDTH="20" VPOS="900" HPOS="160"/>'
        '<String HPOS="180" VPOS="900" WIDTH="40" HEIGHT="30" CONTENT="452"/></TextLine>'
        '</PrintSpace></Page></Layout></alto>\n',
        encoding="utf-8",
    )
    assert tesseract.fix_rtl_alto_spaces(alto) == 1
    first, second = _lines(alto)
    assert (first[1].get("HPOS"), first[1].get("WIDTH")) == ("2256", "21")  # 2197+59 → 2277
    assert (second[1].get("HPOS"), second[1].get("WIDTH")) == ("160", "20")  # LTR untouched
    text = alto.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"')
    assert "ns0:" not in text and "xsi:schemaLocation" in text
    assert tesseract.fix_rtl_alto_spaces(alto) == 0  # nothing left to fix: file untouched
