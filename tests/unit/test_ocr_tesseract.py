"""ocr/tesseract.py against the real Tesseract on real test images."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pipeline.imaging import pyvips

from ocr import tesseract
from pipeline.errors import ToolError

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PHOTOTEST = TESTDATA / "A2_tesseract_testimages" / "phototest.tif"

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
needs_testdata = pytest.mark.skipif(
    not PHOTOTEST.is_file(), reason=f"shared test data not found at {TESTDATA} (only present in the team's workspace)"
)


def test_parse_osd_reads_rotation_and_script():
    out = "Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 9.62\nScript: Latin\nScript confidence: 3.03\n"
    assert tesseract.parse_osd(out) == tesseract.OrientationResult(90, 9.62, "Latin", 3.03)


def test_parse_osd_refuses_garbage():
    with pytest.raises(ToolError):
        tesseract.parse_osd("Warning: something\n")


def test_tsv_words_and_mean_confidence(tmp_path):
    tsv = tmp_path / "p.tsv"
    tsv.write_text(
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t640\t480\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t36\t92\t60\t24\t90.5\tActe\n"
        "5\t1\t1\t1\t1\t2\t100\t92\t30\t24\t70.5\tN°\n"
        "5\t1\t1\t1\t1\t3\t140\t92\t30\t24\t-1\t\n"
        "5\t1\t1\t1\t1\t4\t180\t92\t60\t24\t-1\t\"452\n",
        encoding="utf-8",
    )
    words = tesseract.read_tsv_words(tsv)
    assert [w.text for w in words] == ["Acte", "N°", '"452']
    assert tesseract.mean_word_confidence(words) == pytest.approx(0.805)
    assert tesseract.mean_word_confidence([]) is None


@needs_tesseract
def test_too_few_characters_is_an_answer_not_a_crash(tmp_path):
    blank = tmp_path / "blank.png"
    pyvips.Image.black(800, 600).invert().cast("uchar").copy(xres=300 / 25.4, yres=300 / 25.4).pngsave(str(blank))
    result = tesseract.detect_orientation(image=blank, tessdata_dir=None, timeout_s=30)
    assert result.rotate_degrees == 0
    assert result.orientation_confidence == 0.0
    assert "too few characters" in result.note


@needs_tesseract
@needs_testdata
def test_timeout_is_a_permanent_tool_error(tmp_path):
    with pytest.raises(ToolError) as caught:
        tesseract.ocr_page(image=PHOTOTEST, out_base=tmp_path / "p", langs="eng", tessdata_dir=None, timeout_s=0.01)
    assert caught.value.transient is False
    assert "no result after" in caught.value.message


@needs_tesseract
@needs_testdata
def test_one_run_writes_all_five_outputs(tmp_path):
    result = tesseract.ocr_page(image=PHOTOTEST, out_base=tmp_path / "phototest", langs="eng", dpi=200,
                                tessdata_dir=None, timeout_s=60)
    for path in (result.hocr_path, result.alto_path, result.tsv_path, result.txt_path, result.pdf_path):
        assert path.is_file() and path.stat().st_size > 0, path
    alto = ET.parse(result.alto_path).getroot()
    assert alto.tag.endswith("alto")
    contents = [s.get("CONTENT") for s in alto.iter() if s.tag.endswith("String")]
    assert "quick" in contents and "brown" in contents
    hocr = ET.parse(result.hocr_path).getroot()  # Tesseract writes XHTML
    assert any("ocrx_word" in (e.get("class") or "") for e in hocr.iter())
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    assert "This is a lot of 12 point text" in result.text
    assert 0.0 < result.mean_confidence <= 1.0
    assert result.word_count > 50
    assert result.direction == "ltr"
    assert result.engine.startswith("tesseract 5.")
    assert result.models[0][0] == "eng" and result.models[0][1] != "unknown"


# ---------------------------------------------------------------- the ara+fra fallback


def _fake_read(confidence_by_langs: dict[str, float], calls: list[str]):
    """Stands in for one Tesseract run: writes the five outputs with one Arabic line whose
    words carry the confidence given for the languages asked (the decision under test
    is ocr_page's, not Tesseract's)."""

    def read(*, image, out_base, langs, psm, dpi, tessdata_dir, timeout_s, text_only_pdf):
        calls.append(langs)
        conf = confidence_by_langs[langs] * 100
        paths = {name: out_base.with_name(out_base.name + suffix) for name, suffix in tesseract._OUTPUT_SUFFIXES.items()}
        header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
        rows = [f"5\t1\t1\t1\t1\t{i}\t{100 * i}\t10\t80\t30\t{conf}\t{word}"
                for i, word in enumerate(["الجزائر,", "الوسطى", langs], start=1)]
        paths["tsv"].write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        paths["txt"].write_text(f"الجزائر, الوسطى {langs}\n", encoding="utf-8")
        paths["hocr"].write_text("<html><body><div class='ocr_page'></div></body></html>", encoding="utf-8")
        paths["alto"].write_text('<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout/></alto>',
                                 encoding="utf-8")
        paths["pdf"].write_bytes(b"%PDF-1.4\n%fake\n")
        return paths

    return read


def _auto_read(tmp_path, monkeypatch, confidences):
    from ocr.script import ScriptDecision

    calls: list[str] = []
    monkeypatch.setattr(tesseract, "_read", _fake_read(confidences, calls))
    hint = ScriptDecision("ara", ("Arabic", "Arabic"), "osd-windows", "every window saw Arabic script: ara")
    result = tesseract.ocr_page(image=tmp_path / "page.png", out_base=tmp_path / "out" / "p1", langs="auto",
                                tessdata_dir=None, timeout_s=10, script_hint=hint, page_pdf="tesseract")
    return result, calls


def test_low_confidence_page_keeps_its_language_when_both_models_are_not_clearly_better(tmp_path, monkeypatch):
    # An Arabic page in a hard face: 0.66 with ara, 0.67 with ara+fra (measured on such pages).
    result, calls = _auto_read(tmp_path, monkeypatch, {"ara": 0.66, "ara+fra": 0.67})
    assert calls == ["ara", "ara+fra"]
    assert result.langs == "ara" and result.text.split()[-1] == "ara"
    assert abs(result.mean_confidence - 0.66) < 1e-6
    assert "not kept" in result.language_choice
    assert not list((tmp_path / "out").glob("p1-both*")), "the discarded reading must not be left behind"


def test_wrong_single_language_is_replaced_by_the_clearly_better_reading(tmp_path, monkeypatch):
    # A bilingual page read with ara alone: 0.64; with ara+fra: 0.85.
    result, calls = _auto_read(tmp_path, monkeypatch, {"ara": 0.64, "ara+fra": 0.85})
    assert result.langs == "ara+fra" and result.text.split()[-1] == "ara+fra"
    assert abs(result.mean_confidence - 0.85) < 1e-6
    assert ", kept" in result.language_choice
    assert "ara+fra" in (tmp_path / "out" / "p1.tsv").read_text(encoding="utf-8")
    assert not list((tmp_path / "out").glob("p1-both*"))


def test_arabic_commas_are_put_back_in_what_ocr_page_returns(tmp_path, monkeypatch):
    result, _ = _auto_read(tmp_path, monkeypatch, {"ara": 0.9, "ara+fra": 0.9})
    assert result.text.startswith("الجزائر، الوسطى")
    assert result.arabic_commas_restored == 1
    assert "الجزائر،" in (tmp_path / "out" / "p1.tsv").read_text(encoding="utf-8")


def test_french_pages_are_thresholded_locally_and_arabic_pages_globally(tmp_path, monkeypatch):
    seen: dict[str, list[str]] = {}

    def run(args, *, tessdata_dir, timeout_s, subject):
        seen[args[args.index("-l") + 1]] = args
        base = Path(args[1])
        for suffix in tesseract._OUTPUT_SUFFIXES.values():
            base.with_name(base.name + suffix).write_text("", encoding="utf-8")

    monkeypatch.setattr(tesseract, "_run", run)
    for langs in ("fra", "ara", "ara+fra"):
        tesseract._read(image=tmp_path / "p.png", out_base=tmp_path / langs, langs=langs, psm=3, dpi=300,
                        tessdata_dir=None, timeout_s=5, text_only_pdf=True)
    assert "thresholding_method=2" in seen["fra"]
    assert not any(a.startswith("thresholding_method") for a in seen["ara"] + seen["ara+fra"])
