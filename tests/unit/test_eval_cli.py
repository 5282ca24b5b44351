"""`sijil ocr` and `sijil eval ocr` through register(), on a fresh typer app."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer
from typer.testing import CliRunner

from sijil.cli_ocr import register

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"
B3 = TESTDATA / "B3_french_print_ocr17_lines" / "XIX"

pytestmark = [
    pytest.mark.skipif(not TESTDATA.is_dir(), reason=f"shared test data not found at {TESTDATA}"),
    pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdfinfo") is None,
                       reason="tesseract and poppler-utils are needed"),
]


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    register(app, lambda ctx: SimpleNamespace(tessdata_dir=None))
    return app


def test_ocr_prints_the_text_and_the_alto(app):
    runner = CliRunner()
    result = runner.invoke(app, ["ocr", str(A2 / "phototest-rotated-R.png"), "--lang", "fra"])
    assert result.exit_code == 0, result.output
    assert "The quick brown dog jumped over the" in result.stdout
    assert "page 1/1" in result.stderr and "page 1/1" not in result.stdout
    result = runner.invoke(app, ["ocr", str(A2 / "phototest.tif"), "--lang", "fra", "--format", "alto"])
    assert result.exit_code == 0, result.output
    assert ET.fromstring(result.stdout.strip()).tag.endswith("alto")


def test_ocr_exit_codes(app, tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["ocr", str(A1 / "invalid.pdf"), "--lang", "fra"]).exit_code == 1
    assert runner.invoke(app, ["ocr", str(A2 / "phototest.tif"), "--format", "pdf"]).exit_code == 2
    result = runner.invoke(app, ["ocr", str(A2 / "phototest.tif"), "--lang", "xyz"])
    assert result.exit_code == 2 and "xyz" in result.stderr
    assert runner.invoke(app, ["ocr", str(tmp_path / "absent.png")]).exit_code == 2


def test_eval_ocr_json_and_table(app, tmp_path):
    for source in (B3 / "000002.png", B3 / "000002.gt.txt", A2 / "arabic.tif"):
        (tmp_path / source.name).symlink_to(source)
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "ocr", str(tmp_path), "--lang", "fra", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["files"] == 1 and report["overall"]["cer"] < 0.1
    assert [s["image"] for s in report["skipped"]] == ["arabic.tif"]
    result = runner.invoke(app, ["eval", "ocr", str(tmp_path), "--lang", "fra", "--limit", "1"])
    assert result.exit_code == 0 and "OVERALL (1 files)" in result.stdout


def test_eval_ocr_without_ground_truth_fails(app, tmp_path):
    (tmp_path / "arabic.tif").symlink_to(A2 / "arabic.tif")
    result = CliRunner().invoke(app, ["eval", "ocr", str(tmp_path), "--lang", "fra"])
    assert result.exit_code == 1 and "No image with ground truth" in result.stderr
