"""sijil/bench_ocr.py: scoring, the table, and one small live run (sijil and raw Tesseract
on one real page; OCRmyPDF is left out here: its start-up alone takes seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sijil import bench_ocr

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PHOTOTEST = TESTDATA / "A2_tesseract_testimages" / "phototest.tif"


def test_pages_are_grouped_by_kind():
    assert bench_ocr._kind(Path("synth-01-L2-ar.png")) == "synthetic ar"
    assert bench_ocr._kind(Path("synth-03-L1-frar.png")) == "synthetic fr+ar"
    assert bench_ocr._kind(Path("skew.pdf")) == "real"


def test_scores_are_weighted_by_reference_length():
    scores = bench_ocr._score(["abcd efgh", "xy"], ["abcd efgh", "zz"], ["real", "synthetic ar"])
    assert scores["cer"] == pytest.approx(2 / 11, abs=1e-4)  # 0 errors in 9 chars, 2 in 2
    assert scores["by_kind"]["real"]["cer"] == 0.0
    assert scores["by_kind"]["synthetic ar"]["line_cer"] == 1.0


def test_render_table_shows_every_reader_and_failures():
    entry = {"pages_per_min": 30.0, "vs_tesseract": 0.9, "vs_ocrmypdf": 1.6, "cpu_s_per_page": 3.1,
             "peak_rss_mib": 210.0, "scores": {"cer": 0.1, "line_cer": 0.02, "word_f1": 0.95,
                                               "by_kind": {"real": {"cer": 0.1, "line_cer": 0.02}}},
             "stage_median_s": {"ocr": 2.0, "orientation": 0.6}}
    result = {"pages": ["a", "b"], "workers": 2, "langs": "ara+fra", "load_average": [1.0, 1.0, 1.0],
              "readers": {"sijil[auto]": entry, "ocrmypdf": {"error": "ocrmypdf is not installed"}}}
    table = bench_ocr.render_table(result)
    assert "sijil[auto]" in table and "30.0" in table and "2.0%" in table
    assert "ocrmypdf" in table and "failed: ocrmypdf is not installed" in table
    assert "orientation 0.60" in table and "×tess CPU" in table


def test_mismatched_truths_are_refused():
    with pytest.raises(ValueError):
        bench_ocr.bench_ocr(pages=[Path("a.png")], truths=[], langs="fra")


@pytest.mark.skipif(shutil.which("tesseract") is None or not PHOTOTEST.is_file(),
                    reason="needs tesseract and the shared test data")
def test_live_run_on_one_page(tmp_path):
    truth = (PHOTOTEST.parent / "phototest.txt").read_text(encoding="utf-8")
    result = bench_ocr.bench_ocr(pages=[PHOTOTEST], truths=[truth], langs="eng", sijil_langs=("eng",),
                                 include_ocrmypdf=False, work_dir=tmp_path)
    for name in ("sijil[eng]", "tesseract"):
        reader = result["readers"][name]
        assert "error" not in reader, reader
        assert reader["pages_per_min"] > 0 and reader["cpu_s_per_page"] > 0
        assert 5 < reader["peak_rss_mib"] < 2000
        assert reader["scores"]["line_cer"] < 0.05
        assert len(reader["load"]) == 2 and reader["vs_tesseract_cpu"] > 0
    assert result["readers"]["sijil[eng]"]["per_page"][0]["orientation"] in ("osd-windows", "osd-page")
    assert "tesseract" in bench_ocr.render_table(result)
