"""The bundled sample batch: byte-identical from one run to the next, a manifest that
lists every file with its sha256, ground truth beside the batch and never inside it."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
from PIL import Image

from pipeline.synth.sample import (
    KNOWN_WORDS_AR,
    KNOWN_WORDS_FR,
    MANIFEST_NAME,
    make_sample_batch,
    truth_dir_for,
)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> tuple[Path, Path]:
    first = make_sample_batch(tmp_path_factory.mktemp("one") / "batch")
    second = make_sample_batch(tmp_path_factory.mktemp("two") / "batch")
    return first, second


def test_same_seed_gives_byte_identical_files(batches):
    first, second = batches
    assert _digests(first) == _digests(second)
    assert _digests(truth_dir_for(first)) == _digests(truth_dir_for(second))


def test_manifest_lists_every_file_with_its_sha256(batches):
    batch = batches[0]
    manifest = tomllib.loads((batch / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["register"] == {
        "commune_code": "1601", "commune_fr": "Alger-Centre", "commune_ar": "الجزائر الوسطى", "kind": "birth",
        "year": 1987, "series": 1, "volume": 1, "lang": "fr+ar",
    }
    assert manifest["scan"] == {"operator": "Amina Belkacem", "station": "poste-1",
                                "scanner": "sijil synthetic scanner", "dpi": 300}
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    on_disk = {name: digest for name, digest in _digests(batch).items() if name != MANIFEST_NAME}
    assert listed == on_disk  # every file listed, nothing else in the folder
    assert 4 <= len(listed) <= 5
    assert {Path(name).suffix for name in listed} >= {".png", ".jpg", ".tif"}


def test_manifest_passes_the_scanners_reader(batches):
    from scanners.manifest import load_manifest

    manifest = load_manifest(batches[0] / MANIFEST_NAME)
    assert [entry.path for entry in manifest.files] == sorted(entry.path for entry in manifest.files)
    assert manifest.register.commune_fr == "Alger-Centre"


def test_files_are_what_their_names_say(batches):
    batch = batches[0]
    formats = {}
    for path in sorted(batch.glob("page-*")):
        with Image.open(path) as image:
            formats[path.name] = (image.format, image.size, round(image.info["dpi"][0]))
    assert formats["page-001.png"][:2] == ("PNG", (2480, 3508))
    assert formats["page-002.jpg"][0] == "JPEG"
    assert formats["page-003.tif"][0] == "TIFF"
    spread_format, (spread_width, spread_height), _ = formats["page-004.tif"]
    assert spread_format == "TIFF" and 2 * 2480 <= spread_width <= 2.1 * 2480 * 2 and spread_height < 3508 * 1.1
    assert all(dpi == 300 for _, _, dpi in formats.values())


def test_truth_sits_beside_the_batch_and_agrees_with_it(batches):
    batch = batches[0]
    truth = truth_dir_for(batch)
    assert truth == batch.parent / "batch-truth"
    manifest = tomllib.loads((batch / MANIFEST_NAME).read_text(encoding="utf-8"))
    all_text = ""
    for entry in manifest["files"]:
        stem = Path(entry["path"]).stem
        text = (truth / f"{stem}.gt.txt").read_text(encoding="utf-8")
        document = json.loads((truth / f"{stem}.fields.json").read_text(encoding="utf-8"))
        assert document["sha256"] == entry["sha256"]
        assert [line["text"] for line in document["lines"]] == text.splitlines()
        joined = " ".join(text.splitlines())
        for act in document["acts"]:
            assert act["act_id"].startswith("1601-N-1987-01-")
            for written in act["fields"]["surname"]["as_written"].values():
                assert written in joined
        all_text += text
    for word in KNOWN_WORDS_FR + KNOWN_WORDS_AR:
        assert word in all_text


def test_a_folder_with_strangers_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a scan")
    with pytest.raises(FileExistsError):
        make_sample_batch(tmp_path)
