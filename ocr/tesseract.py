"""The one module that runs Tesseract.

Every call goes through `_run`: a timeout, OMP_THREAD_LIMIT=1 (Tesseract's own OpenMP
threading is 4–6x slower on two cores; sijil runs one process per core instead), the
configured tessdata folder, and failures translated into ToolError.

Two page-level entry points:
- `detect_orientation`: Tesseract's OSD (`--psm 0`, the `osd` model) → how far to turn
  the page, with Tesseract's own confidence; "too few characters" is an answer (low
  confidence), not a crash.
- `detect_orientation_many`: OSD on several small images in ONE process (the 10 MB osd
  model is loaded once: ~0.1 s CPU saved per extra image); used on page windows.
- `ocr_page`: ONE Tesseract run writing hOCR, ALTO, TSV, TXT and a per-page PDF (image +
  invisible text layer) at once, so layout analysis and recognition run once per page.
  `langs="auto"` picks `ara`, `fra` or `ara+fra` per page (ocr/script.py).

Arabic in Tesseract 5.3's outputs (checked on synthetic pages, see
tests/unit/test_ocr_alto.py): TXT, hOCR and ALTO all hold words in LOGICAL order — in an
RTL line the first word is the rightmost (ALTO HPOS decreasing along the line), and each
word's characters are logical too; hOCR marks RTL paragraphs `dir='rtl'`. What is wrong
is ALTO's `<SP>` between two RTL words: Tesseract computes it as if the line ran left to
right, giving a negative WIDTH. `ocr_page` rewrites those SP elements to the real gap
between the words (`fix_rtl_alto_spaces`); nothing else in the ALTO is touched.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ocr.punctuation import repair_page_outputs
from ocr.text import Direction, text_direction
from pipeline.errors import ToolError

if TYPE_CHECKING:  # ocr.script imports this module
    from ocr.script import ScriptDecision

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
)

# Tesseract's own thresholding of the gray page, per languages read. French pages take
# Sauvola (local) instead of Otsu (global), measured side by side on the same work images
# (`sijil eval ocr --lang fra`, line CER, errors/characters): B4 typed journal 174 -> 141
# /11341, B4 typed catalogue 221 -> 201 /8285, A1 124 -> 127 /13188, A2 7 -> 8 /1786, B3
# lines 30 -> 30, synthetic French L2 17 -> 17 /7329; same read time. Arabic pages keep
# Otsu: Sauvola read synthetic Arabic L2 pages worse (115 -> 126 errors, seed 31).
_THRESHOLDING_FOR_LANGS = {"fra": "thresholding_method=2"}

# How the per-page PDF (page image under the invisible text) is made:
# - "underlay": Tesseract writes the text layer only (`textonly_pdf=1`); the page image
#   goes into its own one-page PDF with the PNG's compressed data copied as is (a PNG's
#   IDAT stream is a valid PDF FlateDecode stream with PNG predictors: no decoding, no
#   re-compression, the pixels are bit-identical), and qpdf lays it under the text.
#   Measured on 300-dpi A4 gray pages: 0.04 s (Python) + 0.03 s (qpdf) per page.
# - "tesseract": Tesseract writes image and text (`textonly_pdf=0`). It decodes the work
#   image again and re-compresses it with zlib: 0.15–0.5 s CPU per page on the same pages.
# Both give a one-page PDF that pipeline/pdfa.py assembles the same way.
PagePdf = Literal["underlay", "tesseract"]
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


def system_tessdata_dir() -> Path | None:
    """The folder Tesseract reads models from when told nothing (the distribution's)."""
    return _resolved_tessdata(None)


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


def detect_orientation_many(*, images: list[Path], tessdata_dir: Path | None, timeout_s: float,
                            dpi: int = 300, min_characters: int | None = None) -> list[OrientationResult]:
    """OSD on several images with one Tesseract process per run (a list file as input).
    Tesseract stops a list at the first image with too few characters ("Error during
    processing", exit 1) after printing the results before it: that image gets the
    "too few characters" answer and the rest of the list is run again.

    `min_characters`: Tesseract's `min_characters_to_try` (default 50). OSD classifies up
    to 5x that many characters per image, each in four orientations, and answers "too
    few characters" below half of it; its time grows with the characters it classifies."""
    tuning = ["-c", f"min_characters_to_try={min_characters}"] if min_characters is not None else []
    results: list[OrientationResult] = []
    while len(results) < len(images):
        rest = images[len(results):]
        listing = rest[0].parent / f".osd-list-{os.getpid()}-{len(results)}.txt"
        listing.write_text("".join(f"{path}\n" for path in rest), encoding="utf-8")
        try:
            result = _run([str(listing), "stdout", "--psm", "0", "-l", "osd", "--dpi", str(dpi), *tuning],
                          tessdata_dir=tessdata_dir, timeout_s=timeout_s, subject=rest[0].name, check=False)
        finally:
            listing.unlink(missing_ok=True)
        blocks = [b for b in re.split(r"^Page number: \d+\s*$", result.stdout, flags=re.MULTILINE) if "Rotate:" in b]
        results += [parse_osd(block) for block in blocks[: len(rest)]]
        if len(results) == len(images):
            break
        if _TOO_FEW_CHARACTERS in result.stderr or _TOO_FEW_CHARACTERS in result.stdout:
            results.append(OrientationResult(0, 0.0, None, 0.0, note="too few characters for orientation detection"))
            continue
        raise ToolError(
            f"Tesseract OSD failed on {rest[len(blocks)].name} (exit {result.returncode}): {result.stderr.strip()[-500:]}",
            hint="is the osd model installed? apt-get install tesseract-ocr-osd",
        )
    return results


# ---------------------------------------------------------------- recognition


@dataclass(frozen=True)
class OcrPageResult:
    """One page read by Tesseract, with where every output went and what made it.

    mean_confidence: mean of word confidences (0..1) over words Tesseract scored
    (conf >= 0); None when it found no word. direction: "rtl" (mostly Arabic script),
    "ltr" (mostly Latin) or "mixed". models: (language, sha256 prefix of its traineddata).
    langs: the languages the page was read with; language_choice: why, when they were
    chosen per page (`langs="auto"`), else None. psm_choice: why this psm, when it was
    chosen per page (ocr/layout.py), else None. page_pdf: how `pdf_path` was made
    ("underlay" or "tesseract", see PagePdf). alto_rtl_spaces_fixed: SP elements of RTL
    lines rewritten (see the module docstring)."""

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
    language_choice: str | None = None
    psm_choice: str | None = None
    page_pdf: str = "tesseract"
    alto_rtl_spaces_fixed: int = 0
    script_regions: str | None = None
    region_psm: int | None = None
    arabic_regions: tuple[tuple[int, int, int, int], ...] = ()
    arabic_commas_restored: int = 0


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


# With `langs="auto"`, a page read with ONE language whose mean word confidence falls
# below this is read again with both. Measured on synthetic register pages (Tesseract 5.3,
# Debian models): the right single language scores 0.76–0.94; `ara` on a French page or
# `fra` on an Arabic page 0.21–0.41; one language on a bilingual form 0.54–0.70.
AUTO_MIN_CONFIDENCE = 0.72
# ...and the reading with both replaces the single-language one only when it is this much
# more confident. Both readings of the same page (psm 3, best_int models): a bilingual
# form or narrative page read with `ara` or `fra` alone 0.51-0.65, with `ara+fra`
# 0.85-0.88 (gain >= 0.2); an Arabic page in Amiri with a stamp (synthetic seed 71 page 6,
# seed 53 page 2) 0.66-0.70 with `ara`, 0.67-0.72 with `ara+fra` (gain <= 0.03) - and
# there `ara+fra` writes Latin junk inside Arabic lines: line CER 3.4 -> 6.8% on the seed-53
# page, an act number lost on the seed-71 one. A low confidence alone does not say the
# language was wrong; a large gain does.
AUTO_MIN_GAIN = 0.10
AUTO = "auto"
BOTH_LANGS = "ara+fra"
# psm of the `ara` pass over a bilingual page's Arabic regions: measured on held-out seed 71
# (8 L1 + 8 L2 fr+ar pages, field accuracy) psm 6 gave 0.891 / 0.938, psm 3 0.874 / 0.802.
REGION_PSM = 6


def ocr_page(
    *,
    image: Path,
    out_base: Path,
    langs: str = "ara+fra",
    psm: int = 3,
    dpi: int = 300,
    tessdata_dir: Path | None,
    timeout_s: float,
    script_hint: ScriptDecision | None = None,
    page_pdf: PagePdf = "underlay",
    auto_min_confidence: float = AUTO_MIN_CONFIDENCE,
    psm_choice: str | None = None,
    script_regions: bool = False,
    region_psm: int = REGION_PSM,
) -> OcrPageResult:
    """Read one page image with one Tesseract run writing hOCR (`.hocr`), ALTO (`.xml`),
    TSV, TXT and a per-page PDF (the image under an invisible text layer) next to
    `out_base`. `dpi` is the work image's real resolution: it sets the PDF page size and
    Tesseract's size assumptions.

    langs="auto": `ara`, `fra` or `ara+fra` chosen for this page from the scripts seen
    in two text windows (ocr/script.py; `script_hint`, an `ocr.script.ScriptDecision`,
    skips that look when the orientation step already took it). A page read with one
    language and a mean confidence below `auto_min_confidence` is read again with
    `ara+fra`, and that reading kept only when it is AUTO_MIN_GAIN more confident;
    `language_choice` in the result says what happened. Arabic commas the `ara` models
    cannot write are put back in the text, TSV, hOCR and ALTO (ocr/punctuation.py; the
    PDF text layer keeps the characters Tesseract wrote). `psm_choice`: why the
    caller chose `psm` (recorded in the result as given).

    script_regions: a page read with `ara+fra` is read again region by region: its
    Arabic lines with `-l ara` (psm `region_psm`) on a copy where everything else is
    whited out, and the two readings merged into one (ocr/regions.py); False reads every
    page in one pass, as before."""
    out_base.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    choice = None
    if langs == AUTO:
        from ocr import script  # ocr.script runs OSD through this module

        decision = script_hint or script.detect_script(image=image, tessdata_dir=tessdata_dir, timeout_s=timeout_s)
        langs, choice = decision.langs, f"{decision.method}: {decision.reason}"
    png = _png_layout(image) if page_pdf == "underlay" else None
    mode: PagePdf = "underlay" if png is not None else "tesseract"

    paths = _read(image=image, out_base=out_base, langs=langs, psm=psm, dpi=dpi, tessdata_dir=tessdata_dir,
                  timeout_s=timeout_s, text_only_pdf=mode == "underlay")
    words = read_tsv_words(paths["tsv"])
    confidence = mean_word_confidence(words)
    if choice is not None and langs != BOTH_LANGS and (confidence or 0.0) < auto_min_confidence:
        # Read again beside the first reading, then keep the better one (see AUTO_MIN_GAIN).
        both = _read(image=image, out_base=out_base.with_name(out_base.name + "-both"), langs=BOTH_LANGS, psm=psm,
                     dpi=dpi, tessdata_dir=tessdata_dir, timeout_s=timeout_s, text_only_pdf=mode == "underlay")
        both_words = read_tsv_words(both["tsv"])
        both_confidence = mean_word_confidence(both_words)
        first = confidence or 0.0
        choice += (f"; mean confidence {first:.2f} < {auto_min_confidence} with {langs}: read again with "
                   f"{BOTH_LANGS} ({both_confidence or 0.0:.2f})")
        if (both_confidence or 0.0) >= first + AUTO_MIN_GAIN:
            choice += f", kept: {AUTO_MIN_GAIN:.2f} or more above"
            for name, path in both.items():
                os.replace(path, paths[name])
            langs, words, confidence = BOTH_LANGS, both_words, both_confidence
        else:
            choice += f", not kept: less than {AUTO_MIN_GAIN:.2f} above (the low confidence is the page, not the language)"
            for path in both.values():
                path.unlink(missing_ok=True)
    regions_note, regions_found = None, ()
    if script_regions and langs == BOTH_LANGS and mode == "underlay":
        regions_note, regions_found = _read_arabic_regions(
            image=image, out_base=out_base, paths=paths, psm=psm, region_psm=region_psm, dpi=dpi,
            tessdata_dir=tessdata_dir, timeout_s=timeout_s)
        if regions_found:
            words = read_tsv_words(paths["tsv"])
            confidence = mean_word_confidence(words)
    if mode == "underlay" and not regions_found:
        text_pdf = paths["pdf"].with_name(paths["pdf"].name.removesuffix(".pdf") + ".text.pdf")
        os.replace(paths["pdf"], text_pdf)
        image_pdf = paths["pdf"].with_name(paths["pdf"].name.removesuffix(".pdf") + ".image.pdf")
        try:
            write_image_pdf(png=image, layout=png, out_pdf=image_pdf, dpi=dpi)
            underlay_image(text_pdf=text_pdf, image_pdf=image_pdf, out_pdf=paths["pdf"], timeout_s=timeout_s)
        finally:
            text_pdf.unlink(missing_ok=True)
            image_pdf.unlink(missing_ok=True)
    fixed = fix_rtl_alto_spaces(paths["alto"])
    commas = repair_page_outputs(txt=paths["txt"], tsv=paths["tsv"], hocr=paths["hocr"], alto=paths["alto"])
    text = paths["txt"].read_text(encoding="utf-8")
    return OcrPageResult(
        hocr_path=paths["hocr"],
        alto_path=paths["alto"],
        tsv_path=paths["tsv"],
        txt_path=paths["txt"],
        pdf_path=paths["pdf"],
        text=text,
        mean_confidence=confidence,
        word_count=len(words),
        direction=text_direction(text),
        engine=engine(tessdata_dir=tessdata_dir),
        langs=langs,
        psm=psm,
        dpi=dpi,
        models=model_digests(langs=langs, tessdata_dir=tessdata_dir),
        seconds=time.perf_counter() - started,
        language_choice=choice,
        psm_choice=psm_choice,
        page_pdf=mode,
        alto_rtl_spaces_fixed=fixed,
        script_regions=regions_note,
        region_psm=region_psm if regions_found else None,
        arabic_regions=regions_found,
        arabic_commas_restored=commas.txt,
    )


def _read_arabic_regions(*, image: Path, out_base: Path, paths: dict[str, Path], psm: int, region_psm: int,
                         dpi: int, tessdata_dir: Path | None, timeout_s: float,
                         ) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
    """Second pass over a page read with `ara+fra` (its outputs in `paths`, the text PDF
    text-only): Arabic regions from its words, `-l ara` on them, the readings merged into
    `paths` in place and the page PDF made (text layers overlaid, image underneath).
    Returns (what was done and why, the Arabic regions); no regions: nothing is touched."""
    import cv2

    from ocr import regions

    pixels = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        return "work image unreadable for the region pass: one pass with ara+fra", ()
    found = regions.find_arabic_regions(tsv_path=paths["tsv"], width=pixels.shape[1], height=pixels.shape[0])
    if not found.arabic:
        return (f"no Arabic run among {found.latin_runs + found.unclear_runs} line runs: "
                f"one pass with {BOTH_LANGS}"), ()
    second_base = out_base.with_name(out_base.name + "-ara")
    masked = out_base.with_name(out_base.name + "-ara-input.png")
    first_qdf = out_base.with_name(out_base.name + ".text-qdf.pdf")
    image_pdf = out_base.with_name(out_base.name + ".image.pdf")
    try:
        cv2.imwrite(str(masked), regions.masked_image(pixels=pixels, keep=found.arabic, inside=True),
                    [cv2.IMWRITE_PNG_COMPRESSION, 1])
        second = _read(image=masked, out_base=second_base, langs="ara", psm=region_psm, dpi=dpi,
                       tessdata_dir=tessdata_dir, timeout_s=timeout_s, text_only_pdf=True)
        _, first_rows = regions.read_tsv(paths["tsv"])
        keep = regions.kept_words(first_rows, found.arabic)
        from pipeline.pdfa import _run as run_tool

        run_tool(["qpdf", "--qdf", "--object-streams=disable", str(paths["pdf"]), str(first_qdf)],
                 timeout_s=timeout_s, what=f"expanding the text PDF of {image.name}")
        try:
            regions.blank_pdf_words(qdf_pdf=first_qdf, keep=keep)
        except ValueError as exc:  # not Tesseract's usual PDF: the first reading stays alone
            return f"region pass abandoned ({exc}): one pass with {BOTH_LANGS}", ()
        regions.merge_hocr(first=paths["hocr"], second=second["hocr"], regions=found.arabic, out=paths["hocr"])
        fix_rtl_alto_spaces(second["alto"])
        regions.merge_alto(first=paths["alto"], second=second["alto"], regions=found.arabic, out=paths["alto"])
        kept, added = regions.merge_tsv(first=paths["tsv"], second=second["tsv"], regions=found.arabic,
                                        out=paths["tsv"])
        paths["txt"].write_text(regions.tsv_text(paths["tsv"]), encoding="utf-8")
        layout = _png_layout(image)
        write_image_pdf(png=image, layout=layout, out_pdf=image_pdf, dpi=dpi)
        run_tool(["qpdf", str(first_qdf), "--overlay", str(second["pdf"]), "--", "--underlay", str(image_pdf),
                  "--", "--deterministic-id", "--compress-streams=y", "--object-streams=generate",
                  str(paths["pdf"])],
                 timeout_s=timeout_s, what=f"merging the two text layers of {image.name} over its image")
    finally:
        for leftover in (masked, first_qdf, image_pdf, *(second_base.with_name(second_base.name + s)
                                                         for s in _OUTPUT_SUFFIXES.values())):
            leftover.unlink(missing_ok=True)
    note = (f"{len(found.arabic)} Arabic region(s) from {found.arabic_runs} Arabic line run(s) of the "
            f"{BOTH_LANGS} reading (psm {psm}) read again with ara (psm {region_psm}); {kept} words kept from the "
            f"first reading ({found.latin_runs} Latin, {found.unclear_runs} unclear runs), {added} from the ara pass")
    return note, found.arabic


def _read(*, image: Path, out_base: Path, langs: str, psm: int, dpi: int, tessdata_dir: Path | None,
          timeout_s: float, text_only_pdf: bool) -> dict[str, Path]:
    """One Tesseract run with every renderer; the paths it wrote, checked."""
    args = [str(image), str(out_base), "-l", langs, "--psm", str(psm), "--dpi", str(dpi)]
    thresholding = (_THRESHOLDING_FOR_LANGS[langs],) if langs in _THRESHOLDING_FOR_LANGS else ()
    for variable in (*_RENDERER_VARIABLES, *thresholding, f"textonly_pdf={int(text_only_pdf)}"):
        args += ["-c", variable]
    _run(args, tessdata_dir=tessdata_dir, timeout_s=timeout_s, subject=image.name)
    paths = {name: out_base.with_name(out_base.name + suffix) for name, suffix in _OUTPUT_SUFFIXES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise ToolError(
            f"Tesseract exited without writing {', '.join(missing)}",
            hint="the PDF renderer needs pdf.ttf in the tessdata folder; check the tessdata setting",
        )
    return paths


# ---------------------------------------------------------------- page PDF


@dataclass(frozen=True)
class PngLayout:
    """What a PDF image XObject needs to carry a PNG's IDAT data unchanged."""

    width: int
    height: int
    colours: int  # 1 gray, 3 RGB


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_layout(path: Path) -> PngLayout | None:
    """The layout of an 8-bit, non-interlaced gray or RGB PNG, read from its header;
    None for anything else (palette, alpha, 16-bit, interlaced, not a PNG), which the
    PDF cannot take as is: Tesseract then writes the page PDF itself."""
    try:
        with path.open("rb") as stream:
            head = stream.read(33)
    except OSError:
        return None
    if len(head) < 33 or head[:8] != _PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", head[16:29])
    if depth != 8 or interlace != 0 or colour_type not in (0, 2):
        return None
    return PngLayout(width, height, 1 if colour_type == 0 else 3)


def _idat(path: Path) -> bytes:
    data = path.read_bytes()
    chunks, i = [], 8
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        if kind == b"IDAT":
            chunks.append(data[i + 8:i + 8 + length])
        elif kind == b"IEND":
            break
        i += 12 + length
    if not chunks:
        raise ToolError(f"{path.name}: a PNG without image data")
    return b"".join(chunks)


def write_image_pdf(*, png: Path, layout: PngLayout, out_pdf: Path, dpi: float) -> None:
    """A one-page PDF showing the PNG at `dpi` (page size = pixels x 72 / dpi, as
    Tesseract sizes its page), its compressed data copied without decoding."""
    stream = _idat(png)
    width_pt, height_pt = layout.width * 72.0 / dpi, layout.height * 72.0 / dpi
    colour_space = "/DeviceGray" if layout.colours == 1 else "/DeviceRGB"
    content = f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /Im0 Do Q".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width_pt:.4f} {height_pt:.4f}] "
         f"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>").encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        (f"<< /Type /XObject /Subtype /Image /Width {layout.width} /Height {layout.height} "
         f"/ColorSpace {colour_space} /BitsPerComponent 8 /Filter /FlateDecode "
         f"/DecodeParms << /Predictor 15 /Colors {layout.colours} /BitsPerComponent 8 /Columns {layout.width} >> "
         f"/Length {len(stream)} >>\nstream\n").encode("ascii") + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    out_pdf.write_bytes(bytes(out))


def underlay_image(*, text_pdf: Path, image_pdf: Path, out_pdf: Path, timeout_s: float, qpdf: str = "qpdf") -> None:
    """Lay the one-page image PDF under Tesseract's text-only page (qpdf turns it into a
    form XObject drawn first). --deterministic-id: same inputs, same bytes."""
    from pipeline.pdfa import _run as run_tool  # qpdf's one chokepoint (timeouts, typed errors)

    run_tool([qpdf, str(text_pdf), "--underlay", str(image_pdf), "--", "--deterministic-id", str(out_pdf)],
             timeout_s=timeout_s, what=f"laying the page image under the text of {text_pdf.name}")


# ---------------------------------------------------------------- ALTO


_ALTO_NAMESPACES = {
    "": "http://www.loc.gov/standards/alto/ns-v3#",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def fix_rtl_alto_spaces(alto_path: Path) -> int:
    """Rewrite the SP elements Tesseract puts between two words of an RTL line (negative
    WIDTH, HPOS at the right edge of the previous word) to the gap between the words:
    HPOS = right edge of the next (left-hand) word, WIDTH = distance to the previous one
    (0 when their boxes overlap).
    Returns how many were rewritten; the file is left byte-for-byte alone when none."""
    text = alto_path.read_text(encoding="utf-8")
    if 'WIDTH="-' not in text:
        return 0
    match = re.match(r"<alto xmlns=\"([^\"]+)\"", text[text.index("<alto"):])
    namespace = match.group(1) if match else _ALTO_NAMESPACES[""]
    for prefix, uri in {**_ALTO_NAMESPACES, "": namespace}.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(text)
    fixed = 0
    for line in root.iter(f"{{{namespace}}}TextLine"):
        children = list(line)
        for i in range(1, len(children) - 1):
            sp, before, after = children[i], children[i - 1], children[i + 1]
            if not sp.tag.endswith("}SP") or float(sp.get("WIDTH", "0")) >= 0:
                continue
            if not (before.tag.endswith("}String") and after.tag.endswith("}String")):
                continue
            gap_start = int(float(after.get("HPOS"))) + int(float(after.get("WIDTH")))
            gap_end = int(float(before.get("HPOS")))
            # Boxes that overlap (Tesseract sometimes gives a word a box spanning its
            # neighbours): an empty space at the right-hand word's left edge.
            sp.set("HPOS", str(min(gap_start, gap_end)))
            sp.set("WIDTH", str(max(0, gap_end - gap_start)))
            fixed += 1
    if fixed:
        body = ET.tostring(root, encoding="unicode")
        alto_path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", encoding="utf-8")
    return fixed
