"""evaluate_dataset: pairing, skipping, scoring, the report; once with sijil's real reader."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest

from ocr.evaluate import evaluate_dataset, render_table
from pipeline.errors import SijilError

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A2 = TESTDATA / "A2_tesseract_testimages"
B3 = TESTDATA / "B3_french_print_ocr17_lines" / "XIX"


def _link(folder: Path, *sources: Path) -> None:
    """The shared files in a scratch folder by symbolic link: read in place, never copied."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        (folder / source.name).symlink_to(source)


def test_pairs_skips_and_weights_by_size(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "a.txt").write_text("abcd\nefgh ijkl", encoding="utf-8")  # 14 characters
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.tif").write_bytes(b"")
    (tmp_path / "sub" / "b.gt.txt").write_text("mnop¬", encoding="utf-8")  # a line image, hyphenated
    (tmp_path / "c.jpg").write_bytes(b"")  # no ground truth
    (tmp_path / "d.pdf").write_bytes(b"")
    (tmp_path / "d.txt").write_text("whatever", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an image", encoding="utf-8")
    read_by_name = {"a.png": "efgh ijkl\nabcd", "b.tif": "mnoq-\n"}

    def read(path: Path) -> str:
        if path.name == "d.pdf":
            raise SijilError("d.pdf could not be decoded")
        return read_by_name[path.name]

    report = evaluate_dataset(folder=tmp_path, langs="fra", read=read)
    assert [s.image for s in report.files] == ["a.png", "sub/b.tif"]
    assert [(s.image, s.reason[:15]) for s in report.skipped] == [("c.jpg", "no ground truth")]
    assert [(f.image, f.error) for f in report.failed] == [("d.pdf", "d.pdf could not be decoded")]
    a, b = report.files
    # Page CER counts the order; line CER does not.
    assert a.chars.total == 14 and a.chars.errors > 0 and a.lines.errors == 0
    # ¬ removed from the reference, the hyphen read at the line end dropped: only p→q.
    assert (b.chars.errors, b.chars.total) == (1, 4) and b.line_level
    overall = report.overall
    assert overall.chars.total == 18 and overall.chars.errors == a.chars.errors + 1
    assert overall.chars.rate == pytest.approx((a.chars.errors + 1) / 18)  # weighted, not a mean of rates
    data = json.loads(report.to_json())
    assert data["overall"]["cer"] == pytest.approx(overall.chars.rate) and data["overall"]["files"] == 2
    assert data["files"][1]["line_cer_by_kind"] == {"untagged": 0.25}
    table = render_table(report)
    assert "OVERALL (2 files)" in table and "FAILED  d.pdf" in table and "c.jpg: no ground truth" in table


def test_limit_counts_files_with_ground_truth_only(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.png").write_bytes(b"")
        (tmp_path / f"{name}.txt").write_text(name, encoding="utf-8")
    (tmp_path / "0.png").write_bytes(b"")  # sorted first, no ground truth
    report = evaluate_dataset(folder=tmp_path, langs="fra", read=lambda p: p.stem, limit=2)
    assert [s.image for s in report.files] == ["a.png", "b.png"]
    assert {s.image: s.reason for s in report.skipped}["c.png"] == "beyond --limit 2"
    assert report.overall.chars.rate == 0.0


def test_arabic_reference_gets_a_cer_without_vowel_marks(tmp_path):
    (tmp_path / "ar.png").write_bytes(b"")
    (tmp_path / "ar.txt").write_text("مُحَمَّد", encoding="utf-8")
    (tmp_path / "fr.png").write_bytes(b"")
    (tmp_path / "fr.txt").write_text("Mohamed", encoding="utf-8")
    report = evaluate_dataset(folder=tmp_path, langs="ara+fra",
                              read=lambda p: {"ar": "محمد", "fr": "Mohamed"}[p.stem])
    ar, fr = report.files
    assert ar.chars.rate == 0.5 and ar.chars_without_marks.rate == 0.0 and fr.chars_without_marks is None
    assert report.overall.chars_without_marks.rate == 0.0  # over the Arabic files only
    assert "CER-marks" in render_table(report)


@pytest.mark.skipif(not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA}")
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is needed")
def test_end_to_end_with_sijils_reader(tmp_path):
    # Two quick files through the flow's own page path: a rotated page (orientation, and
    # the documented alias to phototest.txt) and one OCR17 line ending in a hyphen.
    from pipeline.read import read_text

    _link(tmp_path, A2 / "phototest-rotated-R.png", A2 / "phototest.txt", B3 / "000008.png", B3 / "000008.gt.txt")
    read = functools.partial(read_text, langs="fra", tessdata_dir=None, ocr_timeout_s=120)
    report = evaluate_dataset(folder=tmp_path, langs="fra", read=read)
    print(render_table(report))
    assert [s.image for s in report.files] == ["000008.png", "phototest-rotated-R.png"]
    assert [s.image for s in report.skipped] == [] and report.failed == ()
    line, page = report.files
    # ~8 % (3 letters) through render → orientation → deskew; the bound is loose because
    # it checks the plumbing (line-level pairing, ¬ against a read hyphen), not the page steps.
    assert line.line_level and line.chars.rate < 0.2
    assert page.ground_truth == "phototest.txt" and page.ground_truth_format == "text (alias)"
    assert page.chars.rate < 0.02 and page.bag.f1 > 0.97
