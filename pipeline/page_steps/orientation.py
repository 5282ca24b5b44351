"""Orientation: turn a page upright by a right angle (Tesseract OSD on text windows)."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np

from ocr import tesseract
from pipeline.page_steps.base import (AnalysisCopy, GrayImage, ImageStepError, StepOutput, StepRecord, StepResult,
                                      analysis_copy, read_gray_image, tool_versions_imaging, write_gray_image)


# Tesseract's OSD orientation confidence below which the page is left as it is.
# Measured (Tesseract 5.3, osd model, 300 dpi): printed Latin and synthetic Arabic pages,
# upright or turned, score 4–38; sparse typewritten catalogue pages 0.5–8 (one turned
# 180° scored 1.8, one upright 0.8); OCRmyPDF's default (14) left the small phototest
# pages (9–11) and every Arabic page turned 90° (4–5) unturned.
MIN_ORIENTATION_CONFIDENCE = 2.0
# OSD's rotation is trusted only when it recognised a script sijil's registers are written
# in. On handwritten pages (testaments C2) OSD answered "Japanese, rotate 180" with
# confidence up to 6.2 on upright pages: the script is the tell that it is guessing.
TRUSTED_SCRIPTS = ("Latin", "Arabic")

# Characters OSD classifies per window: at most 5x this (Tesseract's min_characters_to_try,
# default 50, i.e. 250), "too few characters" below half of it. OSD never stops early:
# its time grows with the characters it classifies, each in four orientations. Dense
# typed or printed windows hold more than 250, Arabic windows far fewer (joined letters).
# Measured on 14 pages each turned 0/90/180/270 (7 synthetic Arabic, French and bilingual
# register pages, skew.pdf, phototest, three B4 typed pages, a C1 register spread, a C2
# handwritten will): 50 -> 20 gave the same turn on all 56 (both left the 3 turned
# handwritten wills as they were: untrusted script), 16% less OSD CPU (0.76 -> 0.64 s a
# page, fallbacks to whole-page OSD included: 6 -> 10, all on sparse catalogue pages),
# and the same languages but on the C1 spread (fra instead of ara+fra).
WINDOW_MIN_CHARACTERS = 20

# Clockwise turns as numpy quarter turns (np.rot90 turns counter-clockwise): lossless.
_QUARTER_TURNS = {90: -1, 180: 2, 270: 1}


def orient(
    *,
    image: Path,
    out_path: Path,
    tessdata_dir: Path | None,
    timeout_s: float,
    min_confidence: float = MIN_ORIENTATION_CONFIDENCE,
    trusted_scripts: tuple[str, ...] = TRUSTED_SCRIPTS,
) -> StepOutput:
    """`orient_image` on a work-image file: the turned page is written to `out_path`; an
    upright page is not rewritten (the output is `image` itself)."""
    result = orient_image(read_gray_image(image), tessdata_dir=tessdata_dir, timeout_s=timeout_s, min_confidence=min_confidence,
                          trusted_scripts=trusted_scripts)
    output = write_gray_image(result.image, out_path=out_path) if result.record.applied else image
    return StepOutput(output, dataclasses.replace(result.record, input_image=image, output_image=output))


def orient_image(
    page: GrayImage,
    *,
    tessdata_dir: Path | None,
    timeout_s: float,
    analysis: AnalysisCopy | None = None,
    min_confidence: float = MIN_ORIENTATION_CONFIDENCE,
    trusted_scripts: tuple[str, ...] = TRUSTED_SCRIPTS,
    window_min_characters: int = WINDOW_MIN_CHARACTERS,
) -> StepResult:
    """Turn the page upright by a right angle when Tesseract's OSD is confident enough.
    Pages with too little text, a confidence below `min_confidence` or a script outside
    `trusted_scripts` stay as they are, and the record says why.

    Cheap path first (ocr/script.py): the axis of the text lines from word shapes on the
    ~75-dpi `analysis` copy (made here when not given), and OSD on two text windows
    instead of the whole page (about half the time). The windows' answer is taken only
    when every window that answered agrees, their confidences add up to twice
    `min_confidence`, the turn fits the line axis and a trusted script was seen; anything
    else falls back to OSD on the whole page. `measured["method"]` says which ran
    ("osd-windows" or "osd-page"); with windows, `orientation_confidence` is the sum over
    the windows and `windows` lists each one (their scripts also tell the OCR step which
    languages to use)."""
    from ocr import script  # imported here: ocr.script imports this package's ink rule

    started = time.perf_counter()
    dpi = round(page.dpi)
    if dpi < 70:  # not a work image made by render_page; Tesseract's own fallback is 70
        dpi = 300
    window_min = 2 * min_confidence
    parameters = {"psm": 0, "model": "osd", "dpi": dpi, "min_confidence": min_confidence,
                  "trusted_scripts": list(trusted_scripts), "window_across_inches": script.WINDOW_ACROSS_INCHES,
                  "window_min_confidence": window_min, "window_min_characters": window_min_characters}
    versions = {"tesseract": tesseract.engine(tessdata_dir=tessdata_dir).removeprefix("tesseract "),
                **tool_versions_imaging()}
    copy = analysis if analysis is not None and analysis.region == (0, 0, page.width, page.height) \
        else analysis_copy(page)
    try:
        windows = script.page_windows_of(page=page.vips(), small=copy.gray, dpi=copy.work_dpi, factor=copy.reduce,
                                         tessdata_dir=tessdata_dir, timeout_s=timeout_s,
                                         min_characters=window_min_characters)
    except script.ScriptError as exc:
        raise ImageStepError(str(exc)) from exc
    answered = [w for w in windows.windows if w.answered]
    turns = {w.rotate_degrees for w in answered}
    confidence = round(sum(w.orientation_confidence for w in answered), 2)
    fallback = None
    if not answered:
        fallback = "no window had enough characters"
    elif len(turns) > 1:
        fallback = f"windows disagree ({', '.join(f'{w.rotate_degrees}°' for w in answered)})"
    elif confidence < window_min:
        fallback = f"window confidence {confidence:.2f} < {window_min}"
    elif windows.axis.axis is not None and script.rotation_axis(next(iter(turns))) != windows.axis.axis:
        fallback = f"windows say {next(iter(turns))}° but the text lines run {windows.axis.axis}"
    elif not any(w.script in trusted_scripts for w in answered):
        fallback = f"windows saw no trusted script ({', '.join(str(w.script) for w in answered)})"
    measured = {"method": "osd-windows", **windows.as_measured(), "windows_seconds": round(windows.seconds, 3)}
    if fallback is None:
        best = max(answered, key=lambda w: w.script_confidence)
        osd = tesseract.OrientationResult(next(iter(turns)), confidence, best.script, best.script_confidence)
    else:
        # OSD reads a file: the page is written for it only on this (rarer) path.
        with tempfile.TemporaryDirectory(prefix="sijil-osd-page-") as tmp:
            whole = write_gray_image(page, out_path=Path(tmp) / "page.png")
            osd = tesseract.detect_orientation(image=whole, tessdata_dir=tessdata_dir, timeout_s=timeout_s, dpi=dpi)
        measured["method"] = "osd-page"
        measured["fallback"] = fallback
    measured |= {
        "osd_rotate_degrees": osd.rotate_degrees,
        "orientation_confidence": osd.orientation_confidence,
        "script": osd.script,
        "script_confidence": osd.script_confidence,
    }
    note = osd.note
    rotate = osd.rotate_degrees
    if rotate and osd.orientation_confidence < min_confidence:
        note = f"OSD suggested {rotate}° with confidence {osd.orientation_confidence:.2f} < {min_confidence}: kept as is"
        rotate = 0
    elif rotate and osd.script not in trusted_scripts:
        note = f"OSD suggested {rotate}° but saw {osd.script} script, not one of {', '.join(trusted_scripts)}: kept as is"
        rotate = 0
    measured["rotate_degrees"] = rotate
    output = page
    if rotate:
        output = GrayImage(np.ascontiguousarray(np.rot90(page.pixels, _QUARTER_TURNS[rotate])), page.dpi)
    record = StepRecord.in_memory("orientation", applied=bool(rotate), parameters=parameters, measured=measured,
                                  started=started, tool_versions=versions, note=note)
    return StepResult(output, record)
