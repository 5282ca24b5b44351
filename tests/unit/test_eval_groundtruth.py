"""Ground-truth readers: on the real third-party files (../shared/testdata, read in place,
never copied) and on small synthetic files for the edge cases."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ocr.groundtruth import (
    GroundTruthError,
    NoGroundTruth,
    clean_transcription,
    decode_text_file,
    find_ground_truth,
    read_text_ground_truth,
    read_xml_ground_truth,
)

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
needs_testdata = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA} (only present in the team's workspace)")


def _nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# ---------------------------------------------------------------- real files


@needs_testdata
def test_aliases_give_rotated_and_skewed_copies_their_text():
    a1, a2 = TESTDATA / "A1_ocrmypdf_resources", TESTDATA / "A2_tesseract_testimages"
    for name in ("phototest-rotated-L.png", "phototest-rotated-R.png", "phototest-rotated-180.png", "phototestrot.tif"):
        truth = find_ground_truth(a2 / name)
        assert truth.path == a2 / "phototest.txt" and truth.via_alias
        assert truth.lines[0].text == "This is a lot of 12 point text to test the" and len(truth.lines) == 8
    skew, linn_pdf = find_ground_truth(a1 / "skew.pdf"), find_ground_truth(a1 / "linn.pdf")
    assert skew.path == linn_pdf.path == a1 / "linn.txt"
    assert skew.via_alias and not linn_pdf.via_alias  # linn.pdf pairs by its own name
    assert skew.text.startswith("The LinnSequencer\n32 Track MIDI Sequence Recorder")
    assert find_ground_truth(a2 / "phototest.tif").via_alias is False


@needs_testdata
def test_images_without_ground_truth_say_why():
    missing = find_ground_truth(TESTDATA / "A2_tesseract_testimages" / "arabic.tif")
    assert isinstance(missing, NoGroundTruth)
    assert "arabic.gt.txt" in missing.reason and "arabic.xml" in missing.reason and "arabic.txt" in missing.reason


@needs_testdata
def test_ocr17_line_ground_truth_hyphen_and_nfc():
    truth = find_ground_truth(TESTDATA / "B3_french_print_ocr17_lines" / "XIX" / "000008.png")
    raw = (TESTDATA / "B3_french_print_ocr17_lines" / "XIX" / "000008.gt.txt").read_text(encoding="utf-8")
    assert not _nfc(raw)  # the file is NFD
    assert truth.format == "text" and truth.line_level and len(truth.lines) == 1
    line = truth.lines[0]
    assert line.hyphenated and line.raw.endswith("question¬")
    assert line.text == "curiosité aimable. Elles me question" and _nfc(line.text)


@needs_testdata
def test_tapuscorpus_alto_lines_types_and_markup():
    truth = find_ground_truth(TESTDATA / "B4_french_typewritten_tapuscorpus" / "AN-96AP_journal_1914-1917"
                              / "FRAN_0150_0002_L-medium.jpg")
    assert truth.format == "alto" and truth.path.name == "FRAN_0150_0002_L-medium.xml"
    assert Counter(line.kind for line in truth.lines) == {"typewritten": 24, "handwritten": 1}
    handwritten = next(line for line in truth.lines if line.kind == "handwritten")
    assert handwritten.raw == "~~~" and handwritten.text == "" and handwritten.zone == "MarginTextZone"
    first_typed = next(line for line in truth.lines if line.kind == "typewritten")
    assert first_typed.text == "J'occupais depuisle mois de Novembre I9II la Préfecture"
    assert first_typed.label == "DefaultLine:Typewritten" and first_typed.zone == "MainZone"
    assert _nfc(truth.text)


@needs_testdata
def test_tapuscorpus_page_of_handwriting_only_has_no_comparable_text():
    truth = find_ground_truth(TESTDATA / "B4_french_typewritten_tapuscorpus" / "AN-96AP_journal_1914-1917"
                              / "FRAN_0150_0001_L-medium.jpg")
    assert len(truth.lines) == 7 and {line.kind for line in truth.lines} == {"handwritten"} and truth.text == ""


@needs_testdata
def test_lectaurep_page_xml_printed_lines_and_nfc():
    image = TESTDATA / "C1_lectaurep_marriage_contract_registers" / "FRAN_0187_49914_L.jpg"
    truth = find_ground_truth(image)
    assert truth.format == "page" and len(truth.lines) == 161
    assert Counter(line.kind for line in truth.lines) == {None: 130, "printed": 20, "signature": 11}
    assert truth.lines[1].kind == "printed" and truth.lines[1].label == "printed"
    assert truth.lines[1].text.startswith("REGISTRE des Jugements prononçant séparation")
    raw_xml = image.with_suffix(".xml").read_text(encoding="utf-8")
    assert "prononc\u0327ant" in raw_xml and "prononçant" in truth.text  # NFD in the file, NFC here
    superscript = next(line for line in truth.lines if "dem^t" in line.raw)
    assert "demt à Paris" in superscript.text
    assert all(line.text == "" for line in truth.lines if line.raw == "¥")


@needs_testdata
def test_poilus_alto_per_page_and_cp1252_will_text():
    folder = TESTDATA / "C2_testaments_de_poilus_handwritten"
    truth = find_ground_truth(folder / "TestamentsDePoilus_will_AN_0006-2.jpg")
    assert truth.format == "alto" and len(truth.lines) == 15
    assert {line.label for line in truth.lines} == {"DefaultLine"} and {line.kind for line in truth.lines} == {None}
    # The per-will .txt (all pages, "[Page]" markers) is cp1252, not a page's ground truth.
    will = read_text_ground_truth(folder / "TestamentsDePoilus_will_AN_0006.txt")
    assert will.encoding == "cp1252" and "je leur légue ceque je pourrais" in will.text
    assert decode_text_file(TESTDATA / "A2_tesseract_testimages" / "eurotext.txt")[1] == "utf-8"


# ---------------------------------------------------------------- synthetic edge cases


def test_utf8_is_preferred_and_cp1252_is_the_fallback(tmp_path):
    (tmp_path / "u.txt").write_bytes("\ufeffdécès".encode("utf-8"))
    (tmp_path / "w.txt").write_bytes("décès ’".encode("cp1252"))
    assert decode_text_file(tmp_path / "u.txt") == ("décès", "utf-8")
    assert decode_text_file(tmp_path / "w.txt") == ("décès ’", "cp1252")


def test_transcription_markup_is_removed():
    assert clean_transcription("_Plan du 1^er ~~~ acte ¥") == "Plan du 1er acte"
    assert clean_transcription("~~~gadir, snake_case") == "gadir, snake_case"


def test_alto_v3_with_hyphen_element(tmp_path):
    (tmp_path / "p.xml").write_text(
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Tags><OtherTag ID="T1" LABEL="DefaultLine:Print"/>'
        '</Tags><Layout><Page><PrintSpace><TextBlock><TextLine TAGREFS="T1">'
        '<String CONTENT="acte"/><SP/><String CONTENT="de"/><SP/><String CONTENT="nais"/><HYP CONTENT="-"/>'
        '</TextLine><TextLine><String CONTENT="sance"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>',
        encoding="utf-8")
    truth = read_xml_ground_truth(tmp_path / "p.xml")
    assert [line.text for line in truth.lines] == ["acte de nais-", "sance"]
    assert [line.kind for line in truth.lines] == ["printed", None]


def test_page_xml_takes_the_line_text_not_the_words(tmp_path):
    (tmp_path / "p.xml").write_text(
        '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"><Page><TextRegion>'
        '<TextLine custom="readingOrder {index:0;} structure {type:printed;}">'
        '<Word><TextEquiv><Unicode>NOM</Unicode></TextEquiv></Word>'
        '<TextEquiv index="1"><Unicode>second choice</Unicode></TextEquiv>'
        '<TextEquiv index="0"><Unicode>NOM et PRE\u0301NOMS</Unicode></TextEquiv></TextLine>'
        '</TextRegion></Page></PcGts>', encoding="utf-8")
    truth = read_xml_ground_truth(tmp_path / "p.xml")
    assert truth.format == "page" and truth.lines[0].text == "NOM et PRÉNOMS" and truth.lines[0].kind == "printed"


def test_unknown_xml_is_an_error_not_empty_ground_truth(tmp_path):
    (tmp_path / "x.xml").write_text("<svg/>", encoding="utf-8")
    with pytest.raises(GroundTruthError, match="neither ALTO"):
        read_xml_ground_truth(tmp_path / "x.xml")
    (tmp_path / "y.xml").write_text("<alto>", encoding="utf-8")
    with pytest.raises(GroundTruthError, match="not well-formed"):
        read_xml_ground_truth(tmp_path / "y.xml")


def test_lookup_order_gt_txt_then_xml_then_txt(tmp_path):
    image = tmp_path / "scan.png"
    image.write_bytes(b"")
    (tmp_path / "scan.txt").write_text("from txt", encoding="utf-8")
    assert find_ground_truth(image).text == "from txt"
    (tmp_path / "scan.gt.txt").write_text("from gt", encoding="utf-8")
    assert find_ground_truth(image).text == "from gt"
