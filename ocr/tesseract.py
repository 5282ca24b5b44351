"""The one module that runs Tesseract.

Every call goes through `_run`: a timeout, OMP_THREAD_LIMIT=1 (Tesseract's own OpenMP
threading is 4–6x slower on two cores; sijil runs one process per core instead), the
configured tessdata folder, and failures translated into ToolError.

Two page-level entry points:
- `detect_orientation`: Tesseract's OSD (`--psm 0`, the `osd` model) → how far to turn
  the page, with Tesseract's own confidence; "too few characters" is an answer (low
  confidence), not a crash.
- `ocr_page`: ONE Tesseract run writing hOCR, ALTO, TSV, TXT and a per-page PDF (image +
  invisible text layer) at once, so layout analysis and recognition run once per page.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ocr.text import Direction, text_direction
from pipeline.errors import ToolError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-osd"

# Renderers are switched on with `-c` variables rather than the `hocr alto tsv txt pdf`
# config files: the config files live in tessdata/configs, which a custom tessdata folder
# (only *.traineddata copied in) may lack, and then Tesseract silently writes nothing.
_RENDERER_VARIABLES = (
    "tessedit_create_hocr=1",
    "hocr_font_info=0",
    "tessedit_create_alto=1",
    "tessedit_create_tsv=1",
    "tessedit_create_txt=1",
    "tessedit_create_pdf=1",
    # 0: the PDF carries the page image under the invisible text (1 would give text only).
    "textonly_pdf=0",
)
# What each renderer appends to the output base.
_OUTPUT_SUFFIXES = {"hocr": ".hocr", "alto": ".xml", "tsv": ".tsv", "txt": ".txt", "pdf": ".pdf"}

_TOO_FEW_CHARACTERS = "Too few characters"


def _run(
    args: list[str],
    *,
    tessdata_dir: Path | None,
    timeout_s: float,
    subject: str = "",
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run tesseract with sijil's environment. With check=False a non-zero exit is returned
    to the caller (for OSD, where "too few characters" is an answer, not a failure)."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise ToolError("Tesseract is not installed.", hint=INSTALL_HINT)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    if tessdata_dir is not None:
        env["TESSDATA_PREFIX"] = str(tessdata_dir)
    on = f" on {subject}" if subject else ""
    try:
        result = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        # Not transient: the same page with the same settings will time out again, and
        # retrying it forever would block a worker. The page needs a look (a huge or
        # noisy image, a wrong resolution) or a larger timeout.
        raise ToolError(
            f"Tesseract gave no result after {timeout_s:.0f} s{on}; the process was killed",
            hint="look at the page (noise, size, resolution) or raise the OCR timeout for this batch",
            transient=False,
        ) from exc
    except OSError as exc:
        raise ToolError(f"Tesseract could not be started{on}: {exc}", hint=INSTALL_HINT) from exc
    if check and result.returncode != 0:
        raise ToolError(f"Tesseract failed{on} (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    return result


def version(*, tessdata_dir: Path | None = None) -> str:
    out = _run(["--version"], tessdata_dir=tessdata_dir, timeout_s=30)
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.replace("tesseract", "").strip()


def available_languages(*, tessdata_dir: Path | None = None) -> set[str]:
    out = _run(["--list-langs"], tessdata_dir=tessdata_dir, timeout_s=30)
    lines = (out.stdout or out.stderr).splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}


@functools.lru_cache(maxsize=8)
def engine(*, tessdata_dir: Path | None = None) -> str:
    """"tesseract 5.3.0", asked once per process (each page would otherwise pay a spawn)."""
    return f"tesseract {version(tessdata_dir=tessdata_dir)}"


@functools.lru_cache(maxsize=8)
def _resolved_tessdata(tessdata_dir: Path | None) -> Path | None:
    if tessdata_dir is not None:
        return tessdata_dir
    out = _run(["--list-langs"], tessdata_dir=None, timeout_s=30)
    header = (out.stdout or out.stderr).splitlines()[0]
    found = re.search(r'"(.+?)"', header)  # List of available languages in "/usr/share/…/tessdata/" (4):
    return Path(found.group(1)) if found else None


@functools.lru_cache(maxsize=32)
def _model_digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def model_digests(*, langs: str, tessdata_dir: Path | None) -> tuple[tuple[str, str], ...]:
    """(model, sha256 prefix) per traineddata used: the language code alone does not say
    which model read a page (fast vs best, Debian vs upstream), the file does."""
    folder = _resolved_tessdata(tessdata_dir)
    digests = []
    for lang in langs.split("+"):
        path = folder / f"{lang}.traineddata" if folder else None
        if path is None or not path.is_file():
            digests.append((lang, "unknown"))
            continue
        st = path.stat()
        digests.append((lang, _model_digest(path, st.st_size, st.st_mtime_ns)))
    return tuple(digests)


# ---------------------------------------------------------------- orientation (OSD)


@dataclass(frozen=True)
class OrientationResult:
    """What Tesseract's OSD said about a page.

    rotate_degrees: clockwise turn (0/90/180/270) that makes the page upright.
    orientation_confidence / script_confidence: Tesseract's own scores (not 0..1; higher
    is surer; 0.0 when OSD gave no answer). note: why there was no answer, if so."""

    rotate_degrees: int
    orientation_confidence: float
    script: str | None
    script_confidence: float
    note: str | None = None


def parse_osd(stdout: str) -> OrientationResult:
    """Parse `tesseract IMAGE stdout --psm 0` output ("Rotate: 90", "Orientation confidence: 9.62", …)."""
    fields: dict[str, str] = {}
    for line in stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    try:
        rotate = int(fields["Rotate"]) % 360
        confidence = float(fields["Orientation confidence"])
    except (KeyError, ValueError) as exc:
        raise ToolError(f"Tesseract OSD output could not be read: {stdout.strip()[:300]!r}") from exc
    if rotate not in (0, 90, 180, 270):
        raise ToolError(f"Tesseract OSD asked for a rotation of {rotate}°, expected 0/90/180/270")
    script_confidence = float(fields.get("Script confidence", "0") or 0)
    return OrientationResult(
        rotate_degrees=rotate,
        orientation_confidence=confidence,
        script=fields.get("Script") or None,
        script_confidence=script_confidence,
    )


def detect_orientation(*, image: Path, tessdata_dir: Path | None, timeout_s: float, dpi: int = 300) -> OrientationResult:
    """Tesseract OSD on one image. A page with too little text gives rotate 0 with
    confidence 0 and a note, not an error; the caller decides what confidence it trusts."""
    result = _run(
        [str(image), "stdout", "--psm", "0", "-l", "osd", "--dpi", str(dpi)],
        tessdata_dir=tessdata_dir,
        timeout_s=timeout_s,
        subject=image.name,
        check=False,
    )
    if result.returncode != 0 or "Rotate:" not in result.stdout:
        if _TOO_FEW_CHARACTERS in result.stderr or _TOO_FEW_CHARACTERS in result.stdout:
            return OrientationResult(0, 0.0, None, 0.0, note="too few characters for orientation detection")
        raise ToolError(
            f"Tesseract OSD failed on {image.name} (exit {result.returncode}): {result.stderr.strip()[-500:]}",
            hint="is the osd model installed? apt-get install tesseract-ocr-osd",
        )
    return parse_osd(result.stdout)


# ---------------------------------------------------------------- recognition


@dataclass(frozen=True)
class OcrPageResult:
    """One page read by Tesseract, with where every output went and what made it.

    mean_confidence: mean of word confidences (0..1) over words Tesseract scored
    (conf >= 0); None when it found no word. direction: "rtl" (mostly Arabic script),
    "ltr" (mostly Latin) or "mixed". models: (language, sha256 prefix of its traineddata)."""

    hocr_path: Path
    alto_path: Path
    tsv_path: Path
    txt_path: Path
    pdf_path: Path
    text: str
    mean_confidence: float | None
    word_count: int
    direction: Direction
    engine: str
    langs: str
    psm: int
    dpi: int
    models: tuple[tuple[str, str], ...]
    seconds: float


@dataclass(frozen=True)
class TsvWord:
    text: str
    confidence: float  # 0..100 as Tesseract writes it; -1 when unscored
    left: int
    top: int
    width: int
    height: int


def read_tsv_words(tsv_path: Path) -> list[TsvWord]:
    """Word rows (level 5) of a Tesseract TSV file. Split by hand, not with csv: Tesseract
    does not quote, and a word may contain a quote character."""
    words = []
    lines = tsv_path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = "\t".join(cols[11:]).strip()
        if not text:
            continue
        words.append(
            TsvWord(text=text, confidence=float(cols[10]), left=int(cols[6]), top=int(cols[7]),
                    width=int(cols[8]), height=int(cols[9]))
        )
    return words


def mean_word_confidence(words: list[TsvWord]) -> float | None:
    scored = [w.confidence for w in words if w.confidence >= 0]
    if not scored:
        return None
    return sum(scored) / len(scored) / 100.0


def ocr_page(
    *,
    image: Path,
    out_base: Path,
    langs: str = "ara+fra",
    psm: int = 3,
    dpi: int = 300,
    tessdata_dir: Path | None,
    timeout_s: float,
) -> OcrPageResult:
    """Read one page image with one Tesseract run writing hOCR (`.hocr`), ALTO (`.xml`),
    TSV, TXT and a per-page PDF (the image under an invisible text layer) next to
    `out_base`. `dpi` is the work image's real resolution: it sets the PDF page size and
    Tesseract's size assumptions."""
    out_base.parent.mkdir(parents=True, exist_ok=True)
    args = [str(image), str(out_base), "-l", langs, "--psm", str(psm), "--dpi", str(dpi)]
    for variable in _RENDERER_VARIABLES:
        args += ["-c", variable]
    started = time.perf_counter()
    _run(args, tessdata_dir=tessdata_dir, timeout_s=timeout_s, subject=image.name)
    seconds = time.perf_counter() - started

    paths = {name: out_base.with_name(out_base.name + suffix) for name, suffix in _OUTPUT_SUFFIXES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise ToolError(
            f"Tesseract exited without writing {', '.join(missing)}",
            hint="the PDF renderer needs pdf.ttf in the tessdata folder; check the tessdata setting",
        )
    text = paths["txt"].read_text(encoding="utf-8")
    words = read_tsv_words(paths["tsv"])
    return OcrPageResult(
        hocr_path=paths["hocr"],
        alto_path=paths["alto"],
        tsv_path=paths["tsv"],
        txt_path=paths["txt"],
        pdf_path=paths["pdf"],
        text=text,
        mean_confidence=mean_word_confidence(words),
        word_count=len(words),
        direction=text_direction(text),
        engine=engine(tessdata_dir=tessdata_dir),
        langs=langs,
        psm=psm,
        dpi=dpi,
        models=model_digests(langs=langs, tessdata_dir=tessdata_dir),
        seconds=seconds,
    )
