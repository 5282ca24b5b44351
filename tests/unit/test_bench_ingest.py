"""sijil/bench.py (`sijil bench ingest`): the round summary, the table, and the floor's
models. The ingest itself needs the running stack: the CLI run measures it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sijil import bench

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
PHOTOTEST = TESTDATA / "A2_tesseract_testimages" / "phototest.tif"


def _sijil(number, *, ppm, cpu, stages, load=(4.0, 5.0)):
    return {"round": number, "wall_s": 60 * 15 / ppm, "pages_per_min": ppm, "cpu_s_per_page": cpu,
            "load": list(load), "page_images_read": 16, "batch_stages_s": {"pages": 10.0 * number},
            "per_page_stage_median_s": stages, "per_page_stage_total_s": stages, "pdfa_passed": True}


def _floor(number, *, ppm, cpu, load=(4.0, 5.0)):
    return {"round": number, "wall_s": 60 * 15 / ppm, "pages_per_min": ppm, "cpu_s_per_page": cpu,
            "load": list(load), "median_s_per_file": 2.0}


def test_ratios_are_taken_within_rounds_then_the_median():
    # Round 2 met a heavy load on both sides: its pages/min are low, its ratio is not.
    sijil = [_sijil(1, ppm=18.0, cpu=3.0, stages={"ocr": 2.0, "deskew": 0.1}),
             _sijil(2, ppm=6.0, cpu=3.2, stages={"ocr": 2.4}),
             _sijil(3, ppm=16.0, cpu=2.8, stages={"ocr": 2.2, "deskew": 0.3})]
    floor = [_floor(1, ppm=20.0, cpu=2.7), _floor(2, ppm=6.0, cpu=2.8), _floor(3, ppm=24.0, cpu=2.6)]
    summary = bench.summarise_rounds(sijil, floor)
    assert summary["ratio_to_floor_rounds"] == [0.9, 1.0, round(16 / 24, 3)]
    assert summary["ratio_to_floor"] == 0.9
    assert summary["sijil"]["pages_per_min"] == 16.0 and summary["raw_tesseract"]["pages_per_min"] == 20.0
    assert summary["cpu_ratio_to_floor"] == round(2.7 / 3.0, 3)
    # A stage missing from a round is left out of that stage's median, not counted as 0.
    assert summary["sijil"]["per_page_stage_median_s"] == {"deskew": 0.2, "ocr": 2.2}
    assert summary["sijil"]["batch_stages_s"] == {"pages": 20.0}
    assert len(summary["sijil"]["rounds"]) == 3


def test_table_shows_medians_and_every_round():
    sijil = [_sijil(1, ppm=18.0, cpu=3.0, stages={"ocr": 2.0}), _sijil(2, ppm=6.0, cpu=3.2, stages={"ocr": 2.4}, load=(9.0, 11.0))]
    floor = [_floor(1, ppm=20.0, cpu=2.7), _floor(2, ppm=6.5, cpu=2.8)]
    result = {"pages": 15, "page_images_read": 16, "ocr_langs": "ara+fra", "tessdata_dir": "/models", "rounds": 2,
              "order_by_round": [["sijil", "raw_tesseract"], ["raw_tesseract", "sijil"]], "cpu_count": 2,
              **bench.summarise_rounds(sijil, floor)}
    result["raw_tesseract"]["workers"] = 2
    table = bench.render_ingest_table(result)
    assert "models /models" in table and "2 round(s)" in table
    rows = [line for line in table.splitlines() if line.startswith(("1    ", "2    "))]
    assert len(rows) == 2
    assert "18.0 3.00s 4.0→5.0" in rows[0] and "0.90" in rows[0] and rows[0].endswith("sijil, raw_tesseract")
    assert "6.0 3.20s 9.0→11.0" in rows[1] and "0.92" in rows[1] and rows[1].endswith("raw_tesseract, sijil")
    assert "per page, median s: ocr 2.20" in table


def test_rounds_must_be_positive():
    with pytest.raises(ValueError):
        bench.bench_ingest(None, batch_dir=None, ingest=None, rounds=0)


@pytest.mark.skipif(shutil.which("tesseract") is None or not PHOTOTEST.is_file(),
                    reason="needs tesseract and the shared test data")
def test_floor_reads_with_the_given_models(tmp_path):
    """The floor reads with the folder it is given (the flow's tessdata_dir): a folder
    without the language fails instead of falling back to the system's models."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(subprocess.CalledProcessError):
        bench.raw_tesseract_seconds([PHOTOTEST], langs="eng", workers=1, tessdata_dir=tmp_path / "empty")
    wall, per_file = bench.raw_tesseract_seconds([PHOTOTEST], langs="eng", workers=1, tessdata_dir=None)
    assert wall > 0 and len(per_file) == 1
