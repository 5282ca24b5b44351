"""Pinned Tesseract models: `tessdata_best` ara and fra (integerized), installed into
HOME/tessdata by `sijil stack up`, checked by `sijil doctor`.

Why: Debian's tesseract-ocr-ara/fra are the `tessdata_fast` models (small networks). The
`best` networks read the synthetic Arabic register pages better (figures in issue 4's
notes); their integerized form ("best_int") costs little more time than fast.

The folder is a complete tessdata folder, so it can be given to Tesseract as it is
(TESSDATA_PREFIX): the pinned models as files, and a symbolic link to every other entry
of the system's folder (osd.traineddata for orientation, eng, configs/ and tessconfigs/
for the hocr/alto/tsv/pdf output configs, pdf.ttf for the PDF text layer). Links, not
copies: a system upgrade of those files reaches sijil without a reinstall.

Integrity chain: the npm tarball is checked against its pinned `integrity` (sha512, the
registry's own Subresource Integrity value) before anything is read from it; the model
unpacked from it against its pinned sha256 before it is written. A file that fails is
deleted and nothing is installed. The marker file is written last: a folder holds the
models only when the marker says so and names the pins of this version of sijil.

No import of sijil.settings here: settings.py asks `installed_tessdata` for its default.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StackError

TESSDATA_FOLDER = "tessdata"
MARKER = "sijil-models.json"
# A tarball is a few MB; a registry that has not answered in this time is not going to.
DOWNLOAD_TIMEOUT_S = 120.0

Say = Callable[[str], None]
# lang -> {"package", "tarball", "integrity", "member", "sha256"} (see versions.TESSDATA_MODELS)
Pins = Mapping[str, Mapping[str, str]]


class ModelIntegrityError(StackError):
    """A downloaded tarball or an unpacked model is not the pinned one."""


def tessdata_folder(home: Path) -> Path:
    return home / TESSDATA_FOLDER


def _marker_content(pins: Pins) -> dict:
    return {lang: {"package": pin["package"], "sha256": pin["sha256"]} for lang, pin in sorted(pins.items())}


def installed_tessdata(home: Path, *, pins: Pins | None = None) -> Path | None:
    """HOME/tessdata when it holds the pinned models (marker written by `install` for
    these pins, every model file and osd.traineddata present), else None. Cheap (a few
    stat calls and one small file): settings.py asks it on every start. Hashes are
    checked by `install` and `check`, not here."""
    if pins is None:
        from sijil.stack import versions

        pins = versions.TESSDATA_MODELS
    folder = tessdata_folder(home)
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker != _marker_content(pins):
        return None
    needed = [f"{lang}.traineddata" for lang in pins] + ["osd.traineddata"]
    return folder if all((folder / name).is_file() for name in needed) else None


# ---------------------------------------------------------------- integrity


def _digest_of(path: Path, algorithm: str) -> hashlib._Hash:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest


def integrity_of(path: Path, *, algorithm: str = "sha512") -> str:
    """The Subresource Integrity value of a file ("sha512-" + base64 of the digest), as
    the npm registry gives it for a tarball."""
    return f"{algorithm}-" + base64.b64encode(_digest_of(path, algorithm).digest()).decode("ascii")


def verify_integrity(path: Path, *, integrity: str) -> None:
    """Raise ModelIntegrityError unless `path` has the pinned SRI value."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha256", "sha384", "sha512") or not expected:
        raise ModelIntegrityError(f"Unsupported integrity value {integrity!r} (expected sha512-…)")
    found = integrity_of(path, algorithm=algorithm)
    if found != integrity:
        raise ModelIntegrityError(f"{path.name} has integrity {found}, pinned {integrity}")


def sha256_of(path: Path) -> str:
    return _digest_of(path, "sha256").hexdigest()


# ---------------------------------------------------------------- download and unpack


def _cached_name(url: str) -> str:
    # https://registry.npmjs.org/@tesseract.js-data/ara/-/ara-1.0.0.tgz -> tesseract.js-data-ara-1.0.0.tgz
    parts = url.rstrip("/").split("/")
    scope = next((p.lstrip("@") + "-" for p in parts if p.startswith("@")), "")
    return scope + parts[-1]


def fetch_tarball(*, url: str, integrity: str, downloads: Path, timeout_s: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """The tarball, from the download cache or `url`, verified against `integrity`. A
    cached file that fails is fetched again; a fetched file that fails is deleted and
    refused (ModelIntegrityError). Never leaves an unverified file under its final name."""
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / _cached_name(url)
    if target.is_file():
        try:
            verify_integrity(target, integrity=integrity)
            return target
        except ModelIntegrityError:
            target.unlink()
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer, open(partial, "wb") as out:
            for block in iter(lambda: answer.read(1 << 20), b""):
                out.write(block)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        raise StackError(f"Could not download {url}: {exc}",
                         hint="check the network (the npm registry), then run `sijil stack up` again") from exc
    try:
        verify_integrity(partial, integrity=integrity)
    except ModelIntegrityError as exc:
        partial.unlink(missing_ok=True)
        raise ModelIntegrityError(f"Download of {url} refused: {exc.message}; it was deleted",
                                  hint="run `sijil stack up` again; if it fails again, the pin or the registry is wrong") from exc
    os.replace(partial, target)
    return target


def unpack_model(*, tarball: Path, member: str, sha256: str, dest: Path) -> None:
    """Gunzip `member` of a verified tarball into `dest`, if its content has the pinned
    sha256 (else ModelIntegrityError, nothing written). Written under a temporary name
    and renamed: a reader never sees half a model."""
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            stream = archive.extractfile(archive.getmember(member))
            if stream is None:
                raise ModelIntegrityError(f"{tarball.name}: {member} is not a file")
            data = gzip.decompress(stream.read())
    except (KeyError, tarfile.TarError, OSError, EOFError) as exc:
        raise ModelIntegrityError(f"{tarball.name}: cannot read {member}: {exc}") from exc
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise ModelIntegrityError(f"{member} in {tarball.name} has sha256 {found}, pinned {sha256}; not installed")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dest.parent, prefix=f".{dest.name}.", delete=False) as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, dest)


def link_system_files(*, folder: Path, system_tessdata: Path, own: set[str]) -> list[str]:
    """A symbolic link in `folder` to every entry of the system tessdata folder except
    the files in `own`; stale links are pointed right. Returns the linked names."""
    if system_tessdata.resolve() == folder.resolve():
        raise StackError(f"The system tessdata folder is sijil's own {folder}",
                         hint="unset TESSDATA_PREFIX for `sijil stack up` (sijil sets it itself)")
    if not (system_tessdata / "osd.traineddata").is_file():
        raise StackError(f"No osd.traineddata in the system tessdata folder {system_tessdata}",
                         hint="apt-get install tesseract-ocr-osd")
    linked = []
    for entry in sorted(system_tessdata.iterdir()):
        if entry.name in own or entry.name.startswith("."):
            continue
        link = folder / entry.name
        if link.is_symlink() and Path(os.readlink(link)) == entry:
            linked.append(entry.name)
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.exists():
            continue  # a real folder someone put here: theirs, left alone
        link.symlink_to(entry)
        linked.append(entry.name)
    return linked


# ---------------------------------------------------------------- install and check


@dataclass(frozen=True)
class ModelsCheck:
    ok: bool
    folder: Path
    detail: str


def check(*, home: Path, pins: Pins) -> ModelsCheck:
    """Every pinned model present with its sha256, the marker current, osd reachable."""
    folder = tessdata_folder(home)
    problems = []
    for lang, pin in sorted(pins.items()):
        path = folder / f"{lang}.traineddata"
        if not path.is_file():
            problems.append(f"{lang} missing")
        elif sha256_of(path) != pin["sha256"]:
            problems.append(f"{lang} is not the pinned model")
    if not (folder / "osd.traineddata").is_file():
        problems.append("osd.traineddata not linked")
    if not problems and installed_tessdata(home, pins=pins) is None:
        problems.append("marker missing or for other pins")
    if problems:
        return ModelsCheck(False, folder, f"{folder}: " + ", ".join(problems))
    names = ", ".join(f"{lang} ({pin['package']})" for lang, pin in sorted(pins.items()))
    return ModelsCheck(True, folder, f"{folder}: {names}, sha256 verified")


def install(*, home: Path, downloads: Path, system_tessdata: Path, pins: Pins, say: Say,
            timeout_s: float = DOWNLOAD_TIMEOUT_S) -> ModelsCheck:
    """Make HOME/tessdata hold the pinned models and links to the system's other tessdata
    files. Idempotent: models already there with the pinned sha256 are not fetched again
    (the no-op costs hashing ~4 MB); links are refreshed every time (a few syscalls)."""
    folder = tessdata_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    own = {f"{lang}.traineddata" for lang in pins} | {MARKER}
    current = check(home=home, pins=pins)
    for lang, pin in sorted(pins.items()):
        dest = folder / f"{lang}.traineddata"
        if dest.is_file() and not dest.is_symlink() and sha256_of(dest) == pin["sha256"]:
            continue
        say(f"Tesseract model {lang}: fetching {pin['package']}")
        tarball = fetch_tarball(url=pin["tarball"], integrity=pin["integrity"], downloads=downloads, timeout_s=timeout_s)
        if dest.is_symlink():
            dest.unlink()
        unpack_model(tarball=tarball, member=pin["member"], sha256=pin["sha256"], dest=dest)
    link_system_files(folder=folder, system_tessdata=system_tessdata, own=own)
    marker = json.dumps(_marker_content(pins), indent=1, sort_keys=True) + "\n"
    marker_path = folder / MARKER
    if not marker_path.is_file() or marker_path.read_text(encoding="utf-8") != marker:
        marker_path.write_text(marker, encoding="utf-8")
    result = check(home=home, pins=pins)
    if not result.ok:
        raise StackError(f"Tesseract models not installed: {result.detail}")
    if not current.ok:
        say(f"Tesseract models installed in {folder}")
    return result
