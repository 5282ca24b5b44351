"""Which way the text runs and which script it is in, decided cheaply, before the OCR.

Two questions are asked of every page, and both used to cost a full-page Tesseract OSD
run (about 1.1 s per 300-dpi A4 page on these machines, ~40% of the OCR itself):

1. Orientation. Split in two:
   - the AXIS of the text lines (horizontal: 0°/180°; vertical: 90°/270°) from the shape
     of word blobs on a 75-dpi copy (~0.1 s): after a 3x3 dilation, letters merge into
     words, and words are wider than tall along the line. Measured on 12 synthetic
     register pages (Arabic, French, bilingual; 0/90/180/270) and real French pages
     (Tesseract's phototest/eurotext, OCRmyPDF's skew.pdf, Tapuscorpus typewritten
     pages): upright or 180° pages have 57–93% of word area in wide blobs and ≤ 9% in
     tall ones; 90/270° pages the reverse (≤ 2% wide, 70–82% tall). A sparse page
     (stamps, a few handwritten lines) may stay undecided: then only OSD decides.
   - the SENSE (0 vs 180, 90 vs 270) from Tesseract's OSD run on two text-dense WINDOWS
     of the page (each half the line length by 1.2 inch), not on the whole page.
     OSD time grows with the text it has to find lines in: both windows, read by ONE
     Tesseract process (the 10 MB osd model loaded once), cost ~0.5 s CPU against
     0.85–1.5 s for the page, and they give two independent votes. The whole
     orientation step went from 1.32 to 0.81 s CPU per page (mean, 12 synthetic A4
     pages, the same answers on all of them and on Tesseract's turned phototest pages). Shrinking the page instead keeps all the text but makes the letters too
     small for OSD's classifier (wrong answers at 1/2 size); a window keeps full-size
     letters.
2. Script. The same two windows, taken from the two halves of the text width, tell the
   script of each half: bilingual forms (French left, Arabic right) show one of each,
   single-language pages the same twice. `decide_langs` turns that into the Tesseract
   languages to read the page with: `ara+fra` on an Arabic-only page costs ~50% more CPU
   than `ara` and reads no better (measured on the same pages), so a single script is
   read with its own model only.

The decisions are only taken when the evidence is clear; otherwise the caller falls back
to what it did before (full-page OSD; `ara+fra`), and the record says why.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from ocr import tesseract
from pipeline.errors import SijilError
from pipeline.imaging import pyvips

Axis = Literal["horizontal", "vertical"]

# The analysis copy: 75 dpi is enough to see words as blobs and to place windows.
_ANALYSIS_DPI = 75.0
# A blob is "wide" (or "tall") when one side is 1.5x the other.
_ELONGATED = math.log(1.5)
# Axis decided only with a clear majority of word area one way and little the other.
_AXIS_MAJORITY = 0.45
_AXIS_MINORITY = 0.15
# Window: half of the text's extent along the lines, this many inches across them (a
# physical size: OSD needs a few lines of full-size letters whatever the image size;
# 1.2 in is ~1/10 of an A4 page, 5–8 typed lines). Measured on 12 synthetic pages: at
# 1.2 in every page answered right in both windows but one (one window); at 0.75 in a
# turned Arabic page got no answer at all; at 1.5 in OSD took ~50% longer.
WINDOW_ACROSS_INCHES = 1.2

# Tesseract language per OSD script name, for the scripts sijil's registers are written in.
SCRIPT_LANGS = {"Arabic": "ara", "Latin": "fra"}
# Both scripts (or not sure): the combined model, which is always safe, only slower.
BOTH = "ara+fra"


class ScriptError(SijilError):
    """A work image could not be read for the orientation/script analysis."""


@dataclass(frozen=True)
class AxisEstimate:
    """axis: the direction text lines run, or None when the word blobs do not say.
    wide / tall: share of word-blob area in blobs 1.5x wider than tall / taller than wide."""

    axis: Axis | None
    wide: float
    tall: float
    blobs: int


@dataclass(frozen=True)
class WindowOsd:
    """Tesseract OSD on one window of a page. box: x, y, width, height in page pixels.
    answered: False when OSD found too few characters (then the other fields are empty).
    seconds: the OSD run's time shared out over the windows it read."""

    box: tuple[int, int, int, int]
    answered: bool
    rotate_degrees: int
    orientation_confidence: float
    script: str | None
    script_confidence: float
    seconds: float


@dataclass(frozen=True)
class PageWindows:
    """What the cheap analysis found on one page image."""

    axis: AxisEstimate
    windows: tuple[WindowOsd, ...]
    seconds: float

    def as_measured(self) -> dict:
        """Plain JSON-able values for a StepRecord."""
        return {
            "axis": self.axis.axis,
            "axis_wide_share": round(self.axis.wide, 3),
            "axis_tall_share": round(self.axis.tall, 3),
            "windows": [
                {"box": list(w.box), "answered": w.answered, "rotate_degrees": w.rotate_degrees,
                 "orientation_confidence": w.orientation_confidence, "script": w.script,
                 "script_confidence": w.script_confidence, "seconds": round(w.seconds, 3)}
                for w in self.windows
            ],
        }


@dataclass(frozen=True)
class ScriptDecision:
    """The languages to read a page with, and why.

    langs: a Tesseract `-l` value ("ara", "fra" or "ara+fra"). scripts: the scripts seen,
    one per window that answered (e.g. ("Latin", "Arabic") on a bilingual form).
    method: how it was decided ("osd-windows", "given"). reason: a sentence for the record."""

    langs: str
    scripts: tuple[str, ...]
    method: str
    reason: str
    seconds: float = 0.0


# ---------------------------------------------------------------- image analysis


def _analysis_copy(image: Path) -> tuple[pyvips.Image, np.ndarray, float, int]:
    """(the page, a ~75-dpi gray copy, the page's dpi, the shrink factor)."""
    try:
        page = pyvips.Image.new_from_file(str(image))
        dpi = page.xres * 25.4
        if dpi < 70:  # not a work image made by render_page: assume the usual scan resolution
            dpi = 300.0
        gray = page.colourspace("b-w")[0] if page.bands > 2 else page[0]
        if gray.format != "uchar":
            gray = gray.cast("uchar")
        factor = max(1, int(round(dpi / _ANALYSIS_DPI)))
        small = gray.shrink(factor, factor) if factor > 1 else gray
        array = np.ndarray(buffer=small.write_to_memory(), dtype=np.uint8, shape=(small.height, small.width))
    except pyvips.Error as exc:
        raise ScriptError(f"could not read work image {image}: {exc}") from exc
    return page, array, dpi, factor


def text_ink(reduced: np.ndarray, *, reduced_dpi: float) -> np.ndarray:
    """Ink of text-sized marks (uint8 0/1): the same rule as the deskew step (local
    threshold; drop blobs touching the edge, a scanner border, or taller than an inch)."""
    from pipeline.page_steps import _text_ink  # one definition of "text ink" for both steps

    return _text_ink(reduced, reduced_dpi=reduced_dpi).astype(np.uint8)


def estimate_axis(ink: np.ndarray, *, reduced_dpi: float) -> AxisEstimate:
    """Which way text lines run, from the shape of word blobs (see the module docstring)."""
    words = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(words, connectivity=8)
    w = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    h = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    longest = np.maximum(w, h)
    # Word-sized: from a short word to two inches (longer: rules, frames, merged lines).
    keep = (longest >= reduced_dpi * 0.08) & (longest <= reduced_dpi * 2)
    if keep.sum() < 20:
        return AxisEstimate(None, 0.0, 0.0, int(keep.sum()))
    aspect = np.log(w[keep] / h[keep])
    weight = area[keep]
    total = float(weight.sum())
    wide = float(weight[aspect > _ELONGATED].sum()) / total
    tall = float(weight[aspect < -_ELONGATED].sum()) / total
    axis: Axis | None = None
    if wide >= _AXIS_MAJORITY and tall <= _AXIS_MINORITY:
        axis = "horizontal"
    elif tall >= _AXIS_MAJORITY and wide <= _AXIS_MINORITY:
        axis = "vertical"
    return AxisEstimate(axis, wide, tall, int(keep.sum()))


def text_windows(ink: np.ndarray, *, axis: Axis | None, across: int) -> list[tuple[int, int, int, int]]:
    """Two windows (x, y, w, h on `ink`), one per half of the text's extent along the
    lines, `across` pixels across them, each placed where it holds the most ink. Unknown
    axis: treated as horizontal (OSD still tests all four orientations)."""
    vertical = axis == "vertical"
    work = ink.T if vertical else ink
    height, width = work.shape
    ys, xs = np.nonzero(work)
    if len(xs) == 0:
        return []
    x0, x1 = (int(v) for v in np.percentile(xs, [2, 98]))
    half = max(1, (x1 - x0 + 1) // 2)
    tall = max(1, min(height, across))
    integral = cv2.integral(work)
    boxes = []
    for left in (x0, min(x0 + half, width - half)):
        right = min(width, left + half)
        sums = integral[tall:, right] - integral[:-tall, right] - integral[tall:, left] + integral[:-tall, left]
        top = int(np.argmax(sums))
        box = (left, top, right - left, tall)
        boxes.append((box[1], box[0], box[3], box[2]) if vertical else box)
    return boxes


def page_windows(*, image: Path, tessdata_dir: Path | None, timeout_s: float) -> PageWindows:
    """The line axis of a page and OSD on its two text windows (cropped at full
    resolution into a private temporary folder, removed afterwards)."""
    started = time.perf_counter()
    page, small, dpi, factor = _analysis_copy(image)
    return page_windows_of(page=page, small=small, dpi=dpi, factor=factor, tessdata_dir=tessdata_dir,
                           timeout_s=timeout_s, subject=str(image), started=started)


def page_windows_of(*, page: pyvips.Image, small: np.ndarray, dpi: float, factor: int, tessdata_dir: Path | None,
                    timeout_s: float, subject: str = "the page", started: float | None = None,
                    min_characters: int | None = None) -> PageWindows:
    """`page_windows` on a page already decoded: `page` at full resolution (gray), `small`
    its copy shrunk `factor` times by libvips' box shrink (the page steps share theirs).
    `min_characters`: passed to OSD (tesseract.detect_orientation_many)."""
    started = time.perf_counter() if started is None else started
    ink = text_ink(small, reduced_dpi=dpi / factor)
    axis = estimate_axis(ink, reduced_dpi=dpi / factor)
    boxes, crops = [], []
    with tempfile.TemporaryDirectory(prefix="sijil-osd-") as tmp:
        across = int(round(WINDOW_ACROSS_INCHES * dpi / factor))
        for i, (x, y, w, h) in enumerate(text_windows(ink, axis=axis.axis, across=across)):
            box = (x * factor, y * factor, min(w * factor, page.width - x * factor), min(h * factor, page.height - y * factor))
            crop_path = Path(tmp) / f"window{i}.png"
            try:
                page.crop(*box).copy(xres=dpi / 25.4, yres=dpi / 25.4).pngsave(str(crop_path), compression=1)
            except pyvips.Error as exc:
                raise ScriptError(f"could not crop {subject} for orientation detection: {exc}") from exc
            boxes.append(box)
            crops.append(crop_path)
        t = time.perf_counter()
        answers = tesseract.detect_orientation_many(images=crops, tessdata_dir=tessdata_dir, timeout_s=timeout_s,
                                                    dpi=int(round(dpi)), min_characters=min_characters) if crops else []
        osd_seconds = (time.perf_counter() - t) / max(1, len(crops))
    results = [WindowOsd(box=box, answered=osd.note is None, rotate_degrees=osd.rotate_degrees,
                         orientation_confidence=osd.orientation_confidence, script=osd.script,
                         script_confidence=osd.script_confidence, seconds=osd_seconds)
               for box, osd in zip(boxes, answers)]
    return PageWindows(axis=axis, windows=tuple(results), seconds=time.perf_counter() - started)


# ---------------------------------------------------------------- decisions


def rotation_axis(rotate_degrees: int) -> Axis:
    """Text that needs a 90/270° turn runs vertically on the page as it is."""
    return "vertical" if rotate_degrees in (90, 270) else "horizontal"


def decide_langs(scripts: list[str | None], *, allowed: tuple[str, ...] = ("ara", "fra")) -> ScriptDecision:
    """One language when every window that answered saw the same known script and at
    least two answered; otherwise `ara+fra`. A wrong single language is ruinous (French
    read with `ara`: mean confidence ~0.4, text lost), a needless `ara+fra` only slower,
    so one vote is not enough."""
    seen = tuple(s for s in scripts if s)
    known = [SCRIPT_LANGS.get(s) for s in seen]
    both = "+".join(lang for lang in ("ara", "fra") if lang in allowed) or BOTH
    if len(seen) < 2:
        return ScriptDecision(both, seen, "osd-windows", f"only {len(seen)} window(s) gave a script: {both}")
    if None in known:
        return ScriptDecision(both, seen, "osd-windows", f"a window saw a script sijil does not read ({', '.join(seen)}): {both}")
    if len(set(known)) == 1 and known[0] in allowed:
        return ScriptDecision(known[0], seen, "osd-windows", f"every window saw {seen[0]} script: {known[0]}")
    return ScriptDecision(both, seen, "osd-windows", f"windows saw {', '.join(seen)}: {both}")


def detect_script(*, image: Path, tessdata_dir: Path | None, timeout_s: float,
                  allowed: tuple[str, ...] = ("ara", "fra")) -> ScriptDecision:
    """The languages to read one page image with (two OSD windows, ~0.4–0.7 s)."""
    windows = page_windows(image=image, tessdata_dir=tessdata_dir, timeout_s=timeout_s)
    decision = decide_langs([w.script for w in windows.windows if w.answered], allowed=allowed)
    return ScriptDecision(decision.langs, decision.scripts, decision.method, decision.reason, windows.seconds)


def decision_from_orientation(measured: dict, *, allowed: tuple[str, ...] = ("ara", "fra")) -> ScriptDecision | None:
    """The script decision from an orientation StepRecord's `measured` (the windows
    `orient` already ran OSD on), so the OCR step need not look again. None when the
    orientation step did not use windows."""
    windows = measured.get("windows")
    if not windows:
        return None
    decision = decide_langs([w["script"] for w in windows if w["answered"]], allowed=allowed)
    return ScriptDecision(decision.langs, decision.scripts, "orientation-windows", decision.reason, 0.0)
