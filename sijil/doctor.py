"""`sijil doctor`: is this machine able to run sijil? One check per dependency, each
with what to do when it fails."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from ocr import tesseract
from pipeline.errors import SijilError
from sijil.settings import Settings
from sijil.stack import manage, models, versions
from sijil.stack.elasticsearch import find_java_home

REQUIRED_LANGS = ("ara", "fra", "osd")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_tesseract(settings: Settings) -> Check:
    try:
        found = tesseract.available_languages(tessdata_dir=settings.tessdata_dir)
        ver = tesseract.version(tessdata_dir=settings.tessdata_dir)
    except SijilError as exc:
        return Check("tesseract", False, exc.message, exc.hint or tesseract.INSTALL_HINT)
    missing = [lang for lang in REQUIRED_LANGS if lang not in found]
    if missing:
        return Check("tesseract", False, f"{ver}: language models missing: {', '.join(missing)}",
                     "apt-get install " + " ".join(f"tesseract-ocr-{m}" for m in missing))
    return Check("tesseract", True, f"{ver}, languages {', '.join(sorted(found))}")


def check_models(settings: Settings) -> Check:
    """The pinned tessdata_best models `sijil stack up` installs, and which folder is read."""
    found = models.check(home=settings.home, pins=versions.TESSDATA_MODELS)
    in_use = settings.tessdata_dir or "the system's (SIJIL_TESSDATA_DIR not set)"
    if not found.ok:
        return Check("tesseract models", False, f"{found.detail}; reading with {in_use}", "sijil stack up")
    return Check("tesseract models", True, f"{found.detail}; reading with {in_use}")


def check_poppler(settings: Settings) -> Check:
    exe = shutil.which("pdftoppm")
    if exe is None:
        return Check("poppler", False, "pdftoppm not found", "apt-get install poppler-utils")
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False)
    return Check("poppler", True, (out.stderr or out.stdout).splitlines()[0])


def check_vips(settings: Settings) -> Check:
    try:
        from pipeline.imaging import pyvips
    except (ImportError, OSError) as exc:
        return Check("libvips", False, f"pyvips cannot load libvips: {exc}", "apt-get install libvips42")
    return Check("libvips", True, f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}")


def check_java(settings: Settings) -> Check:
    try:
        home = find_java_home()
    except SijilError as exc:
        return Check("java", False, exc.message, exc.hint or "")
    return Check("java", True, str(home))


def check_services(settings: Settings) -> list[Check]:
    checks = []
    for st in manage.status(settings):
        fix = "" if st.healthy else "sijil stack up   (logs: sijil stack logs " + st.name + ")"
        checks.append(Check(st.name, st.healthy, f"{st.url} — {st.detail}", fix))
    return checks


CHECKS: tuple[Callable[[Settings], Check], ...] = (check_tesseract, check_models, check_poppler, check_vips, check_java)


def run_checks(settings: Settings) -> list[Check]:
    return [check(settings) for check in CHECKS] + check_services(settings)
