"""The default tessdata folder: HOME/tessdata once the pinned models are installed there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sijil.settings import load_settings
from sijil.stack import models, versions


@pytest.fixture()
def home(monkeypatch, tmp_path) -> Path:
    for key in list(__import__("os").environ):
        if key.startswith("SIJIL_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SIJIL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def _fake_install(home: Path, *, marker: dict | None = None) -> Path:
    """What `models.install` leaves behind, without the real models (the settings only
    look for the files and the marker; the hashes are `install`'s and `doctor`'s job)."""
    folder = home / "tessdata"
    folder.mkdir(parents=True)
    for name in [f"{lang}.traineddata" for lang in versions.TESSDATA_MODELS] + ["osd.traineddata"]:
        (folder / name).write_bytes(b"x")
    content = marker if marker is not None else {
        lang: {"package": pin["package"], "sha256": pin["sha256"]} for lang, pin in versions.TESSDATA_MODELS.items()}
    (folder / models.MARKER).write_text(json.dumps(content))
    return folder


def test_no_models_installed_means_the_system_folder(home):
    assert load_settings().tessdata_dir is None


def test_installed_models_become_the_default(home):
    folder = _fake_install(home)
    assert load_settings().tessdata_dir == folder


def test_models_of_other_pins_are_not_used(home):
    _fake_install(home, marker={"ara": {"package": "@tesseract.js-data/ara@0.9.0", "sha256": "0" * 64}})
    assert load_settings().tessdata_dir is None


def test_the_environment_still_wins(home, monkeypatch, tmp_path):
    _fake_install(home)
    monkeypatch.setenv("SIJIL_TESSDATA_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().tessdata_dir == tmp_path / "elsewhere"
