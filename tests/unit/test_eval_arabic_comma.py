"""The "،≡," figure of `sijil eval ocr`: line CER with the Arabic comma and the Latin comma
counted as one character, reported beside the strict line CER (ocr/evaluate.py)."""

from __future__ import annotations

from pathlib import Path

from ocr.evaluate import EvalReport, fold_arabic_comma, render_table, score_file
from ocr.groundtruth import GroundTruth, GroundTruthLine

ARABIC = ["في عام ألف وتسعمائة وسبعة وثمانين، في الثاني من شهر جانفي",
          "ولد ببلدية الجزائر الوسطى، الطفل صالح أولد علي، من جنس ذكر"]


def _truth(lines: list[str]) -> GroundTruth:
    return GroundTruth(image=Path("page.png"), path=Path("page.gt.txt"), format="text", encoding="utf-8",
                       lines=tuple(GroundTruthLine(text=t, raw=t) for t in lines))


def _score(lines: list[str], hypothesis: str):
    return score_file(truth=_truth(lines), hypothesis=hypothesis, image_name="page.png",
                      truth_name="page.gt.txt", seconds=0.0)


def test_fold_changes_the_arabic_comma_only():
    assert fold_arabic_comma("علي، من جنس; ذكر؛ 1,5") == "علي, من جنس; ذكر؛ 1,5"


def test_a_latin_comma_for_the_arabic_one_counts_in_the_strict_figure_only():
    hypothesis = "\n".join(line.replace("،", ",") for line in ARABIC)
    score = _score(ARABIC, hypothesis)
    assert score.lines.errors == 3  # the three commas
    assert score.lines_comma_folded is not None and score.lines_comma_folded.errors == 0
    assert score.lines_comma_folded.total == score.lines.total


def test_other_misreadings_of_the_comma_still_count_when_folded():
    hypothesis = "\n".join(line.replace("،", "»") for line in ARABIC)
    score = _score(ARABIC, hypothesis)
    assert score.lines.errors == 3 and score.lines_comma_folded.errors == 3


def test_no_folded_figure_for_a_reference_without_arabic():
    score = _score(["Né le deux mars, à Alger"], "Né le deux mars, à Alger")
    assert score.lines_comma_folded is None


def test_report_shows_both_figures_side_by_side():
    hypothesis = "\n".join(line.replace("،", ",") for line in ARABIC)
    report = EvalReport(folder="x", langs="ara", files=(_score(ARABIC, hypothesis),), skipped=(), failed=(),
                        wall_seconds=0.0)
    overall = report.to_dict()["overall"]
    assert overall["line_cer"] > 0 and overall["line_cer_comma_folded"] == 0
    table = render_table(report)
    assert "lineCER،≡," in table.splitlines()[1]
