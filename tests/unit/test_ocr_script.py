"""ocr/script.py and the orientation step's cheap path: line axis from word shapes, OSD on
two text windows, and the per-page language choice, on synthetic register pages."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from ocr import script, tesseract
from pipeline import page_steps
from pipeline.imaging import pyvips

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

_VIPS_TURN = {90: "d90", 180: "d180", 270: "d270"}


def _synthetic_page(folder: Path, *, layout: str, lang: str, seed: int) -> Path:
    from pipeline.synth import random_birth_act, render_register_page
    from pipeline.synth.names import Spelled
    from pipeline.synth.sample import SAMPLE_REGISTER

    rng = random.Random(seed)
    acts = [random_birth_act(rng=rng, register=SAMPLE_REGISTER, number=300 + k, drawn_up_on=dt.date(1987, 5, 2),
                             officer_surname=Spelled("حداد", "HADDAD"), officer_given=Spelled("رشيد", "Rachid"))
            for k in range(2)]
    rendered = render_register_page(layout=layout, lang=lang, acts=acts, seed=seed, typeface="typewriter")
    gray = pyvips.Image.new_from_array(np.asarray(rendered.image.convert("L")))
    path = folder / f"{layout}-{lang.replace('+', '')}.png"
    gray.copy(xres=300 / 25.4, yres=300 / 25.4, interpretation="b-w").cast("uchar").pngsave(str(path), compression=1)
    return path


def _top(image: Path, out: Path, share: float = 0.4) -> Path:
    """The upper part of a page (a few acts): reading it costs a share of the page."""
    page = pyvips.Image.new_from_file(str(image))
    page.crop(0, 0, page.width, int(page.height * share)).pngsave(str(out), compression=1)
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("script-pages")
    return {
        "ar": _synthetic_page(folder, layout="L2", lang="ar", seed=31),
        "fr": _synthetic_page(folder, layout="L2", lang="fr", seed=32),
        "fr+ar": _synthetic_page(folder, layout="L1", lang="fr+ar", seed=33),
    }


def test_decide_langs_needs_two_agreeing_windows_for_one_language():
    assert script.decide_langs(["Arabic", "Arabic"]).langs == "ara"
    assert script.decide_langs(["Latin", "Latin"]).langs == "fra"
    assert script.decide_langs(["Latin", "Arabic"]).langs == "ara+fra"
    assert script.decide_langs(["Arabic"]).langs == "ara+fra"  # one vote is not enough
    assert script.decide_langs([]).langs == "ara+fra"
    assert script.decide_langs(["Cyrillic", "Latin"]).langs == "ara+fra"
    assert script.decide_langs(["Arabic", "Arabic"], allowed=("fra",)).langs == "fra"  # ara not allowed
    assert "Arabic" in script.decide_langs(["Arabic", "Arabic"]).reason


def test_axis_from_word_shapes():
    ink = np.zeros((300, 300), np.uint8)
    for row in range(20, 280, 20):  # lines of "words": 16-28 px wide, 6 px high
        for col in range(10, 270, 40):
            ink[row:row + 6, col:col + 16 + (col % 3) * 6] = 1
    assert script.estimate_axis(ink, reduced_dpi=75).axis == "horizontal"
    assert script.estimate_axis(np.ascontiguousarray(ink.T), reduced_dpi=75).axis == "vertical"
    assert script.estimate_axis(np.zeros((300, 300), np.uint8), reduced_dpi=75).axis is None


@needs_tesseract
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turned_arabic_page_is_turned_upright_from_windows(pages, tmp_path, turn):
    image = pages["ar"]
    if turn:
        image = tmp_path / f"turned{turn}.png"
        pyvips.Image.new_from_file(str(pages["ar"])).rot(_VIPS_TURN[turn]).pngsave(str(image))
    out = page_steps.orient(image=image, out_path=tmp_path / "upright.png", tessdata_dir=None, timeout_s=60)
    measured = out.record.measured
    assert measured["method"] == "osd-windows", measured.get("fallback")
    assert measured["rotate_degrees"] == (360 - turn) % 360
    assert measured["axis"] == ("vertical" if turn in (90, 270) else "horizontal")
    assert [w["script"] for w in measured["windows"] if w["answered"]] and all(
        w["script"] == "Arabic" for w in measured["windows"] if w["answered"])
    if turn:  # a right-angle turn is lossless: the page comes back pixel for pixel
        assert np.array_equal(pyvips.Image.new_from_file(str(out.image)).numpy(),
                              pyvips.Image.new_from_file(str(pages["ar"])).numpy())


@needs_tesseract
@pytest.mark.parametrize("lang, expected", [("ar", "ara"), ("fr", "fra"), ("fr+ar", "ara+fra")])
def test_script_choice_per_page(pages, lang, expected):
    decision = script.detect_script(image=pages[lang], tessdata_dir=None, timeout_s=60)
    assert decision.langs == expected, decision.reason


@needs_tesseract
def test_orientation_windows_give_the_ocr_its_languages(pages, tmp_path):
    out = page_steps.orient(image=pages["fr+ar"], out_path=tmp_path / "o.png", tessdata_dir=None, timeout_s=60)
    decision = script.decision_from_orientation(out.record.measured)
    assert decision is not None and decision.langs == "ara+fra"
    assert sorted(decision.scripts) == ["Arabic", "Latin"]


@needs_tesseract
def test_auto_languages_read_an_arabic_page_with_ara_only(pages, tmp_path):
    result = tesseract.ocr_page(image=_top(pages["ar"], tmp_path / "top.png"), out_base=tmp_path / "ocr",
                                langs="auto", tessdata_dir=None, timeout_s=120)
    assert result.langs == "ara", result.language_choice
    assert "Arabic" in result.language_choice
    assert result.direction == "rtl" and result.mean_confidence > tesseract.AUTO_MIN_CONFIDENCE


@needs_tesseract
def test_auto_languages_read_again_with_both_when_confidence_is_low(pages, tmp_path):
    # A wrong hint (French page said to be Arabic): `ara` reads it badly, so the page is
    # read again with both languages and the record says so.
    wrong = script.ScriptDecision("ara", ("Arabic", "Arabic"), "given", "test: wrong on purpose")
    result = tesseract.ocr_page(image=_top(pages["fr"], tmp_path / "top.png"), out_base=tmp_path / "ocr",
                                langs="auto", script_hint=wrong, tessdata_dir=None, timeout_s=120)
    assert result.langs == "ara+fra"
    assert "read again with ara+fra" in result.language_choice
