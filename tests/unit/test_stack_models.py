"""The pinned Tesseract model installer (sijil/stack/models.py), on small local files:
a tarball built here and fetched through a file:// URL, never the network."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from sijil.stack import models

MODEL_BYTES = b"not a real traineddata, but bytes with a known sha256\n" * 50


def _tarball(path: Path, member: str, content: bytes) -> Path:
    data = gzip.compress(content)
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def source(tmp_path: Path) -> dict:
    """A package tarball holding one gzipped model, its pins, and a system tessdata folder."""
    (tmp_path / "src").mkdir()
    tarball = _tarball(tmp_path / "src" / "xyz-1.0.0.tgz", "package/4.0.0_best_int/xyz.traineddata.gz", MODEL_BYTES)
    system = tmp_path / "system"
    (system / "configs").mkdir(parents=True)
    (system / "configs" / "hocr").write_text("tessedit_create_hocr 1\n")
    (system / "osd.traineddata").write_bytes(b"osd")
    (system / "xyz.traineddata").write_bytes(b"the distribution's model, to be replaced")
    pin = {
        "package": "@example/xyz@1.0.0",
        "tarball": tarball.as_uri(),
        "integrity": models.integrity_of(tarball),
        "member": "package/4.0.0_best_int/xyz.traineddata.gz",
        "sha256": hashlib.sha256(MODEL_BYTES).hexdigest(),
    }
    return {"tarball": tarball, "system": system, "pins": {"xyz": pin}, "home": tmp_path / "home",
            "downloads": tmp_path / "downloads"}


def test_integrity_is_the_npm_sri_form(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    # sha512("abc") in base64, as `npm view … dist.integrity` prints it
    assert models.integrity_of(path) == ("sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9"
                                         "RU1EI2Q86A4qmslPpUyknw==")


def test_a_download_with_the_wrong_checksum_is_refused_and_deleted(source):
    pin = source["pins"]["xyz"]
    wrong = "sha512-" + "A" * 86 + "=="
    with pytest.raises(models.ModelIntegrityError, match="refused"):
        models.fetch_tarball(url=pin["tarball"], integrity=wrong, downloads=source["downloads"])
    assert list(source["downloads"].iterdir()) == []  # neither the file nor a .part left


def test_install_refuses_a_tarball_that_is_not_the_pinned_one(source):
    pins = {"xyz": {**source["pins"]["xyz"]}}
    _tarball(source["tarball"], pins["xyz"]["member"], MODEL_BYTES + b"tampered")  # same URL, other bytes
    with pytest.raises(models.ModelIntegrityError):
        models.install(home=source["home"], downloads=source["downloads"], system_tessdata=source["system"],
                       pins=pins, say=lambda _: None)
    assert not (source["home"] / "tessdata" / "xyz.traineddata").exists()
    assert models.installed_tessdata(source["home"], pins=pins) is None


def test_a_model_with_the_wrong_sha256_is_not_written(source, tmp_path: Path):
    pin = source["pins"]["xyz"]
    dest = tmp_path / "out" / "xyz.traineddata"
    with pytest.raises(models.ModelIntegrityError, match="sha256"):
        models.unpack_model(tarball=source["tarball"], member=pin["member"], sha256="0" * 64, dest=dest)
    assert not dest.exists()
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_install_unpacks_links_the_system_files_and_is_idempotent(source):
    said: list[str] = []
    result = models.install(home=source["home"], downloads=source["downloads"], system_tessdata=source["system"],
                            pins=source["pins"], say=said.append)
    folder = source["home"] / "tessdata"
    assert result.ok
    assert (folder / "xyz.traineddata").read_bytes() == MODEL_BYTES
    assert not (folder / "xyz.traineddata").is_symlink()  # ours, not the distribution's
    assert (folder / "osd.traineddata").resolve() == (source["system"] / "osd.traineddata").resolve()
    assert (folder / "configs" / "hocr").is_file()
    assert models.installed_tessdata(source["home"], pins=source["pins"]) == folder

    # Second run: nothing fetched, even with the source and the cache gone.
    source["tarball"].unlink()
    for cached in source["downloads"].iterdir():
        cached.unlink()
    said.clear()
    again = models.install(home=source["home"], downloads=source["downloads"], system_tessdata=source["system"],
                           pins=source["pins"], say=said.append)
    assert again.ok and said == []


def test_check_sees_a_changed_model_and_other_pins(source):
    models.install(home=source["home"], downloads=source["downloads"], system_tessdata=source["system"],
                   pins=source["pins"], say=lambda _: None)
    model = source["home"] / "tessdata" / "xyz.traineddata"
    model.write_bytes(MODEL_BYTES[:-1])
    found = models.check(home=source["home"], pins=source["pins"])
    assert not found.ok and "not the pinned model" in found.detail
    other = {"xyz": {**source["pins"]["xyz"], "package": "@example/xyz@2.0.0"}}
    assert models.installed_tessdata(source["home"], pins=other) is None
