"""ocr/punctuation.py: the Arabic comma Tesseract's `ara` models cannot write, put back
in a text and in a page's TXT, TSV, hOCR and ALTO alike."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ocr.punctuation import ARABIC_COMMA, repair_arabic_commas, repair_line, repair_page_outputs
from ocr.tesseract import read_tsv_words

# Lines as Tesseract's best `ara` model read them (synthetic L2 pages, seed 53).
READ = "ولد ببلدية المدية, الطفل الطاهر مزيان» من جنس ذكر, ابن رشيد, سائق"
TRUE = "ولد ببلدية المدية، الطفل الطاهر مزيان، من جنس ذكر، ابن رشيد، سائق"


def test_commas_and_unopened_guillemets_after_arabic_words_become_arabic_commas():
    assert repair_line(READ) == (TRUE, 4)


def test_at_the_end_of_a_line_and_before_a_space():
    assert repair_arabic_commas("بعد التلاوة,\nنحن رشيد حداد ,") == "بعد التلاوة،\nنحن رشيد حداد ،"


def test_french_commas_are_never_changed():
    french = "L'an mil neuf cent, le quatorze mars, à dix heures, BENALI, Mohamed, 1,5 m, Alger, 1987"
    assert repair_line(french) == (french, 0)


def test_bilingual_lines_keep_a_comma_next_to_latin_words():
    # A comma between an Arabic value and a French label, or after a Latin word.
    for line in ("بن علي, Nom", "BENALI, بن علي", "Alger, الجزائر"):
        assert repair_line(line) == (line, 0), line


def test_a_number_then_an_arabic_word():
    assert repair_arabic_commas("عام 1987, في الرابع") == f"عام 1987{ARABIC_COMMA} في الرابع"
    # A decimal comma in Arabic-Indic digits is a decimal comma.
    assert repair_line("الطول ١,٥ متر") == ("الطول ١,٥ متر", 0)


def test_a_closing_guillemet_that_was_opened_is_a_quotation_mark():
    quoted = "قال «نعم» ثم وقع, معنا"
    assert repair_line(quoted) == ("قال «نعم» ثم وقع، معنا", 1)


def test_what_the_model_can_write_is_left_as_read():
    # ؛ is in the model's character set; a word-final ء can be a real hamza; "." a full stop.
    line = "ابن إبراهيم؛ موظف بناء الوسطى. حداد"
    assert repair_line(line) == (line, 0)


# ---------------------------------------------------------------- a page's outputs
# One RTL line of two words plus a French line, in the shapes Tesseract 5.3 writes.

_TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t2416\t3460\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t900\t144\t500\t43\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t1300\t145\t100\t40\t92.1\tالمدية,\n"
    "5\t1\t1\t1\t1\t2\t1100\t144\t150\t41\t91.0\tالطفل\n"
    "5\t1\t1\t1\t1\t3\t950\t144\t120\t41\t90.0\tمزيان»\n"
    "4\t1\t1\t1\t2\t0\t100\t300\t500\t43\t-1\t\n"
    "5\t1\t1\t1\t2\t1\t100\t300\t100\t40\t95.0\tAlger,\n"
    "5\t1\t1\t1\t2\t2\t210\t300\t100\t40\t95.0\tl'an\n"
)
_TXT = "المدية, الطفل مزيان»\nAlger, l'an\n\n"
_HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en"><body>
  <div class='ocr_page' id='page_1' title='bbox 0 0 2416 3460'>
   <p class='ocr_par' dir='rtl' id='par_1_1' lang='ara'>
    <span class='ocr_line' id='line_1_1' title="bbox 900 144 1400 187">
     <span class='ocrx_word' id='word_1_1' title='bbox 1300 145 1400 185; x_wconf 92'>المدية,</span>
     <span class='ocrx_word' id='word_1_2' title='bbox 1100 144 1250 185; x_wconf 91'>الطفل</span>
     <span class='ocrx_word' id='word_1_3' title='bbox 950 144 1070 185; x_wconf 90'>مزيان»</span>
    </span>
    <span class='ocr_line' id='line_1_2' title="bbox 100 300 310 343">
     <span class='ocrx_word' id='word_1_4' title='bbox 100 300 200 340; x_wconf 95'>Alger,</span>
     <span class='ocrx_word' id='word_1_5' title='bbox 210 300 310 340; x_wconf 95'>l&#39;an</span>
    </span>
   </p>
  </div>
</body></html>
"""
_ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout><Page><PrintSpace><TextBlock>
<TextLine ID="line_0" HPOS="900" VPOS="144" WIDTH="500" HEIGHT="43">
<String ID="string_0" HPOS="1300" VPOS="145" WIDTH="100" HEIGHT="40" WC="0.92" CONTENT="المدية," /><SP WIDTH="50" VPOS="145" HPOS="1250" />
<String ID="string_1" HPOS="1100" VPOS="144" WIDTH="150" HEIGHT="41" WC="0.91" CONTENT="الطفل" /><SP WIDTH="30" VPOS="144" HPOS="1070" />
<String ID="string_2" HPOS="950" VPOS="144" WIDTH="120" HEIGHT="41" WC="0.90" CONTENT="مزيان»" />
</TextLine>
<TextLine ID="line_1" HPOS="100" VPOS="300" WIDTH="210" HEIGHT="43">
<String ID="string_3" HPOS="100" VPOS="300" WIDTH="100" HEIGHT="40" WC="0.95" CONTENT="Alger," /><SP WIDTH="10" VPOS="300" HPOS="200" />
<String ID="string_4" HPOS="210" VPOS="300" WIDTH="100" HEIGHT="40" WC="0.95" CONTENT="l&apos;an" />
</TextLine>
</TextBlock></PrintSpace></Page></Layout></alto>
"""


def _page(tmp_path: Path) -> dict[str, Path]:
    paths = {"txt": tmp_path / "p.txt", "tsv": tmp_path / "p.tsv", "hocr": tmp_path / "p.hocr", "alto": tmp_path / "p.xml"}
    for name, content in (("txt", _TXT), ("tsv", _TSV), ("hocr", _HOCR), ("alto", _ALTO)):
        paths[name].write_bytes(content.encode("utf-8"))
    return paths


def _words(paths: dict[str, Path]) -> dict[str, list[str]]:
    hocr = re.findall(r"<span class='ocrx_word'[^>]*>([^<]*)</span>", paths["hocr"].read_text(encoding="utf-8"))
    alto = ET.parse(paths["alto"]).getroot().iter("{http://www.loc.gov/standards/alto/ns-v3#}String")
    return {"txt": paths["txt"].read_text(encoding="utf-8").split(),
            "tsv": [w.text for w in read_tsv_words(paths["tsv"])],
            "hocr": [html.unescape(w) for w in hocr],
            "alto": [s.get("CONTENT") for s in alto]}


def test_page_outputs_are_repaired_alike(tmp_path):
    paths = _page(tmp_path)
    repairs = repair_page_outputs(**paths)
    assert (repairs.txt, repairs.tsv, repairs.hocr, repairs.alto) == (2, 2, 2, 2)
    words = _words(paths)
    expected = ["المدية،", "الطفل", "مزيان،", "Alger,", "l'an"]
    assert words == {"txt": expected, "tsv": expected, "hocr": expected, "alto": expected}


def test_only_the_swapped_characters_change(tmp_path):
    paths = _page(tmp_path)
    repair_page_outputs(**paths)
    for name, original in (("txt", _TXT), ("tsv", _TSV), ("hocr", _HOCR), ("alto", _ALTO)):
        repaired = paths[name].read_bytes().decode("utf-8")
        assert len(repaired) == len(original), name
        changed = [(a, b) for a, b in zip(original, repaired) if a != b]
        assert changed == [(",", ARABIC_COMMA), ("»", ARABIC_COMMA)], name


@pytest.mark.parametrize("name", ["txt", "tsv", "hocr", "alto"])
def test_a_page_without_arabic_is_left_byte_for_byte(tmp_path, name):
    paths = _page(tmp_path)
    french = {"txt": "Alger, l'an\n", "tsv": "".join(_TSV.splitlines(keepends=True)[i] for i in (0, 1, 6, 7, 8)),
              "hocr": _HOCR.replace("المدية,", "Alger,").replace("مزيان»", "né,"),
              "alto": _ALTO.replace("المدية,", "Alger,").replace("مزيان»", "né,")}[name]
    paths[name].write_bytes(french.encode("utf-8"))
    before = paths[name].stat().st_mtime_ns
    repairs = repair_page_outputs(**paths)
    assert getattr(repairs, name) == 0
    assert paths[name].read_bytes() == french.encode("utf-8") and paths[name].stat().st_mtime_ns == before
