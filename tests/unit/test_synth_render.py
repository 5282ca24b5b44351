"""Synthetic register pages: determinism, ground truth that agrees with the fields and
the pixels, Arabic kept in logical order, spreads two pages wide."""

from __future__ import annotations

import datetime as dt
import random
import re

import numpy as np
import pytest

from pipeline.synth.acts import SynthRegister, random_birth_act
from pipeline.synth.degrade import Degradation
from pipeline.synth.names import Spelled
from pipeline.synth.render import a4_pixels, render_register_page, render_spread
from pipeline.synth.sample import benali_act

DPI = 150  # half the real resolution: the same code paths, a quarter of the pixels
REGISTER = SynthRegister()
WORN = Degradation(skew_deg=2.5, noise_sigma=4, blur_sigma=0.4, paper=(246, 240, 224), mottle=0.05,
                   ink_fade=0.2, bleed_through=0.08, stamp=True, jpeg_quality=80)
# Presentation forms: what a visual-order (pre-shaped) Arabic string would contain.
_PRESENTATION_FORMS = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")


def _acts(count: int, *, seed: int = 3):
    rng = random.Random(seed)
    acts = [benali_act()]
    for number in range(453, 452 + count):
        acts.append(random_birth_act(rng=rng, register=REGISTER, number=number, drawn_up_on=dt.date(1987, 3, 17),
                                     officer_surname=Spelled("حداد", "HADDAD"), officer_given=Spelled("رشيد", "Rachid"),
                                     mention_share=1.0))
    return acts


@pytest.fixture(scope="module")
def pages():
    acts = _acts(3)
    return {
        "L1": render_register_page(layout="L1", lang="fr+ar", acts=acts, dpi=DPI, seed=11, degrade=WORN),
        "L2fr": render_register_page(layout="L2", lang="fr", acts=acts, dpi=DPI, seed=12, degrade=WORN),
        "L2ar": render_register_page(layout="L2", lang="ar", acts=acts, dpi=DPI, seed=13,
                                     degrade=Degradation(skew_deg=-3, quarter_turns=1, noise_sigma=3, grayscale=True)),
    }


def test_same_seed_same_pixels_and_truth():
    acts = _acts(2)
    first = render_register_page(layout="L1", lang="fr+ar", acts=acts, dpi=DPI, seed=5, degrade=WORN)
    second = render_register_page(layout="L1", lang="fr+ar", acts=acts, dpi=DPI, seed=5, degrade=WORN)
    other = render_register_page(layout="L1", lang="fr+ar", acts=acts, dpi=DPI, seed=6, degrade=WORN)
    assert first.image.tobytes() == second.image.tobytes()
    assert first.fields_document() == second.fields_document()
    assert first.image.tobytes() != other.image.tobytes()


def test_page_is_a4_and_quarter_turn_swaps_sides(pages):
    width, height = a4_pixels(DPI)
    assert pages["L1"].image.size == (width, height)
    assert pages["L2ar"].image.size == (height, width)
    assert a4_pixels(300) == (2480, 3508)


def _joined(page, lang):
    return " ".join(line.text for line in page.lines if line.lang == lang)


def _contains(outer, inner, slack=2):
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return ox - slack <= ix and oy - slack <= iy and ix + iw <= ox + ow + slack and iy + ih <= oy + oh + slack


def _leaves(fields):
    for name, value in fields.items():
        if "as_written" in value or "value" in value or "lat" in value:
            yield name, value
        else:
            yield from ((f"{name}.{sub}", leaf) for sub, leaf in _leaves(value))


@pytest.mark.parametrize("name", ["L1", "L2fr", "L2ar"])
def test_fields_agree_with_the_text_and_its_lines(pages, name):
    page = pages[name]
    lines = [line.bbox for line in page.lines]
    checked = 0
    for act in page.acts:
        for field, leaf in _leaves(act["fields"]):
            for script, written in leaf.get("as_written", {}).items():
                assert written in _joined(page, "ar" if script == "ar" else "fr"), (field, written)
                for box in leaf["bboxes"][script]:
                    assert any(_contains(line, box) for line in lines), (field, box)
                checked += 1
        for mention in act["mentions"]:
            assert mention["text"] in _joined(page, mention["lang"])
    assert checked >= 20


def test_names_carry_both_scripts_whatever_the_page_shows(pages):
    surname = pages["L2fr"].acts[0]["fields"]["surname"]
    assert (surname["lat"], surname["ar"]) == ("BENALI", "بن علي")
    assert set(surname["as_written"]) == {"lat"}
    both = pages["L1"].acts[0]["fields"]["surname"]["as_written"]
    assert both == {"lat": "BENALI", "ar": "بن علي"}
    assert pages["L1"].acts[0]["act_id"] == "1601-N-1987-01-00452"


@pytest.mark.parametrize("name", ["L1", "L2fr", "L2ar"])
def test_boxes_land_on_ink(pages, name):
    """Boxes follow skew and quarter turns: the surname's box holds dark pixels."""
    page = pages[name]
    grey = np.asarray(page.image.convert("L"), dtype=np.float32)
    paper = float(np.median(grey))
    for act in page.acts:
        for box in act["fields"]["surname"]["bboxes"].values():
            x, y, w, h = box[0]
            crop = grey[y:y + h, x:x + w]
            assert crop.size and crop.min() < paper - 90, (name, box)


def test_arabic_truth_is_in_logical_order(pages):
    arabic = [line for line in pages["L2ar"].lines if line.lang == "ar"]
    body = [line.text for line in arabic if line.text.startswith("في عام")]
    assert len(body) == 3  # each act opens with its year, first word first
    for line in pages["L1"].lines + pages["L2ar"].lines:
        assert not _PRESENTATION_FORMS.search(line.text), line.text
    l1_arabic = [line.text for line in pages["L1"].lines if line.lang == "ar"]
    assert "اللقب : بن علي" in l1_arabic  # label first (rightmost), then the value


def test_arabic_words_run_right_to_left_on_the_page():
    # No skew: in an Arabic narrative line, the given name (read first) lies right of the surname.
    page = render_register_page(layout="L2", lang="ar", acts=[benali_act()], dpi=DPI, seed=2)
    fields = page.acts[0]["fields"]
    given, surname = fields["given"]["bboxes"]["ar"][-1], fields["surname"]["bboxes"]["ar"][-1]
    assert abs(given[1] - surname[1]) < 10  # same line
    assert given[0] > surname[0] + surname[2]


def test_spread_is_two_pages_wide_and_tells_halves_apart():
    acts = _acts(4)
    spread = render_spread(layout="L1", lang="fr+ar", left_acts=acts[:2], right_acts=acts[2:], dpi=DPI, seed=9,
                           degrade=Degradation(skew_deg=0.5, noise_sigma=3))
    width, height = a4_pixels(DPI)
    assert 2 * width <= spread.image.width <= 2.1 * 2 * width
    assert height <= spread.image.height <= 1.1 * height
    assert [act["half"] for act in spread.acts] == ["left", "left", "right", "right"]
    middle = spread.image.width / 2
    for act in spread.acts:
        x, _, w, _ = act["bbox"]
        assert (x + w <= middle) if act["half"] == "left" else (x >= middle)
    # The gutter is shadowed: darker in the middle than a little way into either page.
    grey = np.asarray(spread.image.convert("L"), dtype=np.float32)
    rows = slice(height // 3, height // 3 + 50)
    gutter = grey[rows, int(middle) - 3:int(middle) + 3].mean()
    assert gutter < grey[rows, int(middle) - 300].mean() - 40


def test_requests_that_make_no_page_are_refused():
    with pytest.raises(ValueError):
        render_register_page(layout="L1", lang="fr", acts=_acts(1), dpi=DPI, seed=1)
    with pytest.raises(ValueError):
        render_register_page(layout="L1", lang="fr+ar", acts=_acts(4), dpi=DPI, seed=1)
    with pytest.raises(ValueError):
        Degradation(quarter_turns=4)
