"""Page layout → Tesseract psm (ocr/layout.py): on rendered synthetic register pages (L2
narrative with its margin column, L1 ruled bilingual form) and on real typed pages of
Tapuscorpus (B4: catalogue tables, journal prose), as process_page sees them (decoded,
deskewed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ocr import layout
from pipeline import page_steps
from pipeline.page import decode_page, process_page
from pipeline.synth.dataset import make_register_pages

B4 = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "B4_french_typewritten_tapuscorpus"
CATALOGUE = B4 / "AN-20130043_catalogue_1962"
JOURNAL = B4 / "AN-96AP_journal_1914-1917"


def _layout_of(path: Path) -> tuple[layout.PageLayout, page_steps.GrayImage]:
    fmt = {".png": "png", ".jpg": "jpeg"}[path.suffix]
    image = decode_page(path, fmt=fmt, page_index=0).image
    straight = page_steps.deskew_image(image).image
    reduced = page_steps.analysis_copy(straight)
    return layout.choose_layout(reduced.gray, dpi=reduced.dpi, scale_x=reduced.scale_x), straight


@pytest.fixture(scope="module")
def tessdata_dir() -> Path | None:
    from sijil.settings import load_settings

    return load_settings().tessdata_dir  # the models sijil reads with by default


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> dict[str, Path]:
    # Seed 5: not one of the seeds the thresholds were measured on (31, 41, 47, 53).
    out = tmp_path_factory.mktemp("layout-synth")
    return {
        "L2-ar": make_register_pages(out / "l2ar", pages=1, layout="L2", lang="ar", seed=5)[0].image,
        "L2-fr": make_register_pages(out / "l2fr", pages=1, layout="L2", lang="fr", seed=5)[0].image,
        "L1": make_register_pages(out / "l1", pages=1, layout="L1", lang="fr+ar", seed=5, kind="marriage")[0].image,
    }


def _margin_centres(page: Path) -> list[float]:
    """x centres of the act numbers, which the margin column holds on L2 pages."""
    fields = json.loads(page.with_suffix("").with_suffix(".fields.json").read_text(encoding="utf-8"))
    return [act["fields"]["act_number"]["bbox"][0] + act["fields"]["act_number"]["bbox"][2] / 2
            for act in fields["acts"]]


@pytest.mark.parametrize("name, side", [("L2-ar", "right"), ("L2-fr", "left")])
def test_narrative_page_has_a_margin_column_where_the_act_numbers_are(synthetic, name, side):
    found, image = _layout_of(synthetic[name])
    assert found.kind == "body_margin" and found.psm == 6, found
    assert len(found.columns) == 2
    body, margin = sorted(found.columns, key=lambda c: c[1] - c[0], reverse=True)
    assert (margin[0] > body[1]) == (side == "right"), found.columns
    assert margin[1] - margin[0] < 0.35 * (found.columns[-1][1] - found.columns[0][0])
    # Deskew turns the page by a few degrees about its centre: act numbers move < 40 px.
    for centre in _margin_centres(synthetic[name]):
        assert margin[0] - 40 <= centre <= margin[1] + 40, (centre, margin)
    assert side in found.reason


def test_ruled_bilingual_form_keeps_tesseracts_layout_analysis(synthetic):
    found, _ = _layout_of(synthetic["L1"])
    assert found.kind == "form" and found.psm == 3, found
    assert found.horizontal_rules >= 3


def test_blank_page_is_left_to_tesseract():
    blank = np.full((900, 700), 250, np.uint8)
    found = layout.choose_layout(blank, dpi=75.0)
    assert found.kind == "empty" and found.psm == 3 and found.columns == ()


def test_process_page_reads_a_narrative_page_in_block_mode_and_records_why(synthetic, tmp_path, tessdata_dir):
    parts = process_page(source=synthetic["L2-ar"], fmt="png", page_index=0, work_dir=tmp_path, langs="ara",
                         tessdata_dir=tessdata_dir, ocr_timeout_s=300)
    (page,) = parts
    assert page.layout is not None and page.layout.kind == "body_margin"
    assert page.ocr.psm == 6 and page.ocr.psm_choice.startswith("body_margin")
    # Block mode reads the margin: every act number is in the text.
    numbers = [str(act["number"]) for act in json.loads(
        synthetic["L2-ar"].with_suffix("").with_suffix(".fields.json").read_text(encoding="utf-8"))["acts"]]
    assert all(number in page.ocr.text for number in numbers), (numbers, page.ocr.text)
    # An explicit psm is used as given, without a layout look.
    (given,) = process_page(source=synthetic["L2-ar"], fmt="png", page_index=0, work_dir=tmp_path / "given",
                            langs="ara", tessdata_dir=tessdata_dir, ocr_timeout_s=300, psm=3)
    assert given.ocr.psm == 3 and given.layout is None and given.ocr.psm_choice is None


@pytest.mark.skipif(not CATALOGUE.is_dir(), reason=f"real test data absent: {CATALOGUE}")
@pytest.mark.parametrize("name", ["FRAN_0011_11083_L-medium.jpg", "FRAN_0011_11086_L-medium.jpg",
                                  "FRAN_0011_11117_L-medium.jpg"])
def test_typed_catalogue_pages_are_tables(name):
    found, image = _layout_of(CATALOGUE / name)
    assert found.kind == "table" and found.psm == 6, found
    # Call number, date and extent columns, then the description (a narrow first column
    # of item numbers on some pages).
    assert 3 <= len(found.columns) <= 4, found.columns
    # The widest column is the description column on the right half of the page.
    widest = max(found.columns, key=lambda c: c[1] - c[0])
    assert widest[0] > image.width * 0.45, (widest, image.width)


@pytest.mark.skipif(not JOURNAL.is_dir(), reason=f"real test data absent: {JOURNAL}")
@pytest.mark.parametrize("name", ["FRAN_0150_0002_L-medium.jpg", "FRAN_0150_0003_L-medium.jpg",
                                  "FRAN_0150_0006_L-medium.jpg", "FRAN_0150_0159_L-medium.jpg"])
def test_typed_journal_pages_are_one_column(name):
    # The scan's page edge and shadow on the left are no margin column.
    found, image = _layout_of(JOURNAL / name)
    assert found.kind == "single" and found.psm == 3, found
    (column,) = found.columns
    assert column[1] - column[0] > 0.6 * image.width


@pytest.mark.skipif(not CATALOGUE.is_dir(), reason=f"real test data absent: {CATALOGUE}")
@pytest.mark.parametrize("name, cells", [("FRAN_0011_11082_L-medium.jpg", 5), ("FRAN_0011_11088_L-medium.jpg", 5)])
def test_catalogue_pages_whose_column_gaps_are_crossed_are_tables_by_their_rows(name, cells):
    # 11082: the column headings "Lieu et date de | N° du document | …" over a legend that
    # runs across the gaps; 11088: long entries cross them. Over the whole page they look
    # like one column (or two), row by row they are a table; psm 3 lost the legend's
    # abbreviations on 11082 (line CER 5.5% -> 0.5% in block mode).
    found, _ = _layout_of(CATALOGUE / name)
    assert len(found.columns) < 3, found.columns
    assert found.kind == "table" and found.psm == 6, found
    assert int(found.reason.split("a text row of ")[1].split()[0]) >= cells, found.reason


A1 = B4.parent / "A1_ocrmypdf_resources"


@pytest.mark.skipif(not (A1 / "typewriter.png").is_file(), reason=f"real test data absent: {A1}")
def test_large_typewriter_word_spaces_are_no_table_gaps():
    # A 4000-px-wide typed recipe: its word spaces are wide in inches; gaps are measured in
    # line heights, so "laurier, kruidnagel, kerrie, zout" stays one cell.
    found, _ = _layout_of(A1 / "typewriter.png")
    assert found.kind == "single" and found.psm == 3, found
