"""sijil/bench_ocr.py: scoring, the table, and one small live run (sijil and raw Tesseract
on one real page; OCRmyPDF is left out here: its start-up alone takes seconds)."""

from __future__ import annotations

import shutil
import subprocess
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


def _run(number, *, wall, cpu, texts, load=(5.0, 6.0), rss_kib=200 * 1024):
    """A reader's run as _measure returns it (after _run_rounds tags its round)."""
    return {"ok": True, "round": number, "wall_s": wall, "cpu_s": cpu, "peak_rss_mib": rss_kib / 1024,
            "outputs": [{"text": t} for t in texts], "load": list(load)}


def test_rounds_rotate_so_each_reader_takes_each_place():
    readers = ["sijil", "tesseract", "ocrmypdf"]
    orders = [bench_ocr._rotated(readers, r) for r in range(3)]
    assert orders[0] == readers
    for place in range(3):
        assert sorted(order[place] for order in orders) == sorted(readers)


def test_summary_takes_medians_over_rounds_and_ratios_within_rounds():
    pages, truths, kinds = [Path("a.png"), Path("b.png")], ["abcd", "efgh"], ["real", "real"]
    # 2 pages: pages/min = 120 / wall. Round 2 met a heavy load: every reader slower.
    sijil = [_run(1, wall=10, cpu=6, texts=truths), _run(2, wall=40, cpu=6.4, texts=truths),
             _run(3, wall=12, cpu=5.8, texts=truths, rss_kib=300 * 1024)]
    tess = [_run(1, wall=8, cpu=5, texts=["abcd", "efgx"]), _run(2, wall=30, cpu=5.2, texts=["abcd", "efgx"]),
            {"ok": False, "round": 3, "error": "boom", "load": [1.0, 1.0]}]
    readers = {"sijil[auto]": bench_ocr._summarise(sijil, pages=pages, truths=truths, kinds=kinds),
               "tesseract": bench_ocr._summarise(tess, pages=pages, truths=truths, kinds=kinds)}
    bench_ocr._add_ratios(readers)
    s, t = readers["sijil[auto]"], readers["tesseract"]
    assert s["pages_per_min"] == 10.0  # median of 12, 3, 10
    assert s["cpu_s_per_page"] == 3.0  # median of 3.0, 3.2, 2.9
    assert s["peak_rss_mib"] == 300.0  # the largest round
    assert s["rounds_ok"] == 3 and t["rounds_ok"] == 2 and t["errors"] == ["round 3: boom"]
    # Ratios only where both ran in the same round: 12/15 and 3/4, median 0.775.
    assert s["vs_tesseract_rounds"] == [0.8, 0.75]
    assert s["vs_tesseract"] == pytest.approx(0.775)
    assert s["vs_tesseract_cpu_rounds"] == [round(2.5 / 3.0, 3), round(2.6 / 3.2, 3)]
    assert s["vs_ocrmypdf"] is None
    assert s["scores"]["cer"] == 0.0 and t["scores"]["cer"] == pytest.approx(1 / 8)
    assert s["texts_same_every_round"] is True


def test_texts_that_differ_between_rounds_are_reported():
    pages, truths, kinds = [Path("a.png")], ["abcd"], ["real"]
    runs = [_run(1, wall=10, cpu=5, texts=["abcd"]), _run(2, wall=10, cpu=5, texts=["abcx"])]
    entry = bench_ocr._summarise(runs, pages=pages, truths=truths, kinds=kinds)
    assert entry["texts_same_every_round"] is False
    assert entry["line_cer_by_round"] == [0.0, 0.25]


def test_a_reader_failing_every_round_is_an_error():
    runs = [{"ok": False, "round": 1, "error": "no ocrmypdf"}]
    entry = bench_ocr._summarise(runs, pages=[Path("a.png")], truths=["x"], kinds=["real"])
    assert entry == {"error": "round 1: no ocrmypdf"}


def test_render_table_shows_every_reader_rounds_and_failures():
    entry = {"pages_per_min": 30.0, "vs_tesseract": 0.9, "vs_ocrmypdf": 1.6, "cpu_s_per_page": 3.1,
             "vs_tesseract_cpu": 0.98, "peak_rss_mib": 210.0, "load": [4.0, 5.0],
             "scores": {"cer": 0.1, "line_cer": 0.02, "word_f1": 0.95,
                        "by_kind": {"real": {"cer": 0.1, "line_cer": 0.02}}},
             "rounds": [{"round": 1, "pages_per_min": 30.0, "cpu_s_per_page": 3.1, "load": [4.0, 5.0]},
                        {"round": 2, "error": "killed"}],
             "stage_median_s": {"ocr": 2.0, "orientation": 0.6}}
    tess = {**entry, "pages_per_min": 40.0, "stage_median_s": {},
            "rounds": [{"round": 1, "pages_per_min": 40.0, "cpu_s_per_page": 2.9, "load": [5.0, 5.5]},
                       {"round": 2, "pages_per_min": 20.0, "cpu_s_per_page": 3.0, "load": [9.0, 9.5]}]}
    result = {"pages": ["a", "b"], "workers": 2, "langs": "ara+fra", "load_average": [1.0, 1.0, 1.0], "rounds": 2,
              "order_by_round": [["sijil[auto]", "tesseract"], ["tesseract", "sijil[auto]"]],
              "tessdata_dir": "/models", "models": {"ara": "e7d6"},
              "readers": {"sijil[auto]": entry, "tesseract": tess, "ocrmypdf": {"error": "ocrmypdf is not installed"}}}
    table = bench_ocr.render_table(result)
    assert "sijil[auto]" in table and "30.0" in table and "2.0%" in table
    assert "ocrmypdf" in table and "failed: ocrmypdf is not installed" in table
    assert "orientation 0.60" in table and "×tess CPU" in table
    assert "/models (ara e7d6)" in table
    round_rows = [line for line in table.splitlines() if line.startswith(("1    ", "2    "))]
    assert len(round_rows) == 2
    assert "30.0 3.10s 4.0→5.0" in round_rows[0] and "0.75" in round_rows[0]  # 30/40 in round 1
    assert "failed" in round_rows[1] and "20.0 3.00s 9.0→9.5" in round_rows[1]
    assert round_rows[1].endswith("tesseract, sijil[auto]")


def test_mismatched_truths_are_refused():
    with pytest.raises(ValueError):
        bench_ocr.bench_ocr(pages=[Path("a.png")], truths=[], langs="fra")


@pytest.mark.skipif(shutil.which("tesseract") is None or not PHOTOTEST.is_file(),
                    reason="needs tesseract and the shared test data")
def test_live_run_on_one_page(tmp_path):
    truth = (PHOTOTEST.parent / "phototest.txt").read_text(encoding="utf-8")
    said = []
    result = bench_ocr.bench_ocr(pages=[PHOTOTEST], truths=[truth], langs="eng", sijil_langs=("eng",),
                                 include_ocrmypdf=False, rounds=2, work_dir=tmp_path, progress=said.append)
    assert result["order_by_round"] == [["sijil[eng]", "tesseract"], ["tesseract", "sijil[eng]"]]
    assert len(said) == 4 and said[0].startswith("round 1/2: sijil[eng]")
    for name in ("sijil[eng]", "tesseract"):
        reader = result["readers"][name]
        assert "error" not in reader, reader
        assert reader["rounds_ok"] == 2 and len(reader["rounds"]) == 2
        assert reader["pages_per_min"] > 0 and reader["cpu_s_per_page"] > 0
        assert 5 < reader["peak_rss_mib"] < 2000
        assert reader["scores"]["line_cer"] < 0.05
        assert len(reader["load"]) == 2 and reader["vs_tesseract_cpu"] > 0
        assert len(reader["vs_tesseract_rounds"]) == 2
    assert result["readers"]["sijil[eng]"]["per_page"][0]["orientation"] in ("osd-windows", "osd-page")
    assert set(result["models"]) == {"eng"}
    assert "tesseract" in bench_ocr.render_table(result)


def test_raw_readers_get_the_model_folder_sijil_uses(tmp_path):
    env = bench_ocr._tesseract_env(str(tmp_path))
    assert env["TESSDATA_PREFIX"] == str(tmp_path) and env["OMP_THREAD_LIMIT"] == "1"


@pytest.mark.skipif(shutil.which("tesseract") is None or not PHOTOTEST.is_file(),
                    reason="needs tesseract and the shared test data")
def test_raw_tesseract_reads_with_the_given_models(tmp_path):
    """A folder without the language makes the floor fail: it does not fall back to the
    system's models, so sijil and the floor read with the same ones."""
    (tmp_path / "empty").mkdir()
    page = {"path": str(PHOTOTEST), "fmt": "tiff", "raster": str(PHOTOTEST)}
    with pytest.raises(subprocess.CalledProcessError):
        bench_ocr._run_tesseract(pages=[page], workers=1, langs="eng", timeout_s=60,
                                 tessdata_dir=str(tmp_path / "empty"))
