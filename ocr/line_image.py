"""An image that holds ONE line of text, found and made ready for Tesseract's line mode.

Line images are a real input: strips cut out of a page (a register header, a name field
sent for review) and the line-level ground truth of OCR datasets (OCR17, B3 in
../shared/testdata). The page path does them harm, measured on the 60 B3 XIX lines
(Tesseract 5.3, Debian `fra`, CER scored by `sijil eval ocr`):

- page layout analysis (`--psm 3`) on a line: 3.8% CER (plain Tesseract); sijil's page
  steps on top of it: 6.1% — the spread splitter takes a 14:1 line for a double page and
  cuts it in two, and OSD cannot answer on one line (0.5–0.8 s spent for nothing);
- deskew: the projection profile of one line has a single peak, its angle is noise
  (±1.5° found on straight lines); measured with line mode: 41 errors without, 46 with;
- binarisation: no change (these lines are clean), so it is skipped too;
- Tesseract's single-line mode on the bare line: `--psm 7` 2.5%, `--psm 13` 2.3%. The
  lines are cropped tight (ascenders and descenders touch the image edge), and
  Tesseract wants a margin around text (its "Improving the quality of the output" page:
  add a border when the text touches the edge): with a white margin `--psm 7` reads
  1.7% (41 errors, the same for margins of 5 to 50 px) while `--psm 13`, which skips
  line finding, gets worse as the margin grows (2.1% at 10 px, 6.0% at 30 px).

So a single line is read with `LINE_PSM` (7) after a paper-coloured margin is added,
and nothing else. The margin makes a NEW work image (the master is never touched); its
step record says how wide it is, so a box in the OCR output maps back to the line image
by subtracting it.

What counts as one line, decided on the pixels (no Tesseract run):
- the image is at least `LINE_MIN_ASPECT` times wider than high and at most
  `LINE_MAX_HEIGHT_INCH` high (a page, a half page or a block of lines never is);
- its row profile of dark pixels (Otsu threshold) has ONE core band: rows holding at
  least `CORE_ROW_SHARE` of the densest row's ink, ignoring bands shorter than
  `MINOR_BAND_SHARE` of the tallest (fragments of the neighbouring lines that a tight
  cut leaves at the top or bottom, a dip inside the x-height). On the 60 B3 lines: one
  band each; on two-line strips cut from Tesseract's phototest: two bands each.
A text line rotated by 90° or 180° is not turned: orientation detection needs more text
than one line gives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.page_steps.base import StepRecord, tool_versions_imaging, write_gray_png

# Tesseract's page segmentation mode for one text line (see the module docstring).
LINE_PSM = 7
LINE_MIN_ASPECT = 3.0
LINE_MAX_HEIGHT_INCH = 1.0
CORE_ROW_SHARE = 0.25
MINOR_BAND_SHARE = 0.3
# Ink must stand out from the paper by this much (0..255) for there to be any text.
_MIN_CONTRAST = 40
# Margin: the line's core height (about the x-height) on each side, at least this many
# pixels; any margin from 5 to 50 px measured the same.
_MIN_MARGIN_PX = 10
# The paper level is this percentile of the pixels: lines are mostly paper.
_PAPER_PERCENTILE = 95


@dataclass(frozen=True)
class LineCheck:
    """Whether an image is one text line, and what that was decided on. bands: the core
    row bands (top, bottom) that count, in pixels of the image."""

    is_line: bool
    reason: str
    aspect: float
    height_inch: float
    bands: tuple[tuple[int, int], ...] = ()

    def as_measured(self) -> dict:
        return {"is_line": self.is_line, "reason": self.reason, "aspect": round(self.aspect, 3),
                "height_inch": round(self.height_inch, 3), "core_bands": [list(b) for b in self.bands]}


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True, end exclusive."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def check_text_line(pixels: np.ndarray, *, dpi: float) -> LineCheck:
    """Is this 8-bit grayscale image (rows x columns) one line of text? Shape first (free
    for a page), then the row profile of the ink (see the module docstring)."""
    height, width = pixels.shape
    aspect = width / height if height else 0.0
    height_inch = height / dpi if dpi else float("inf")
    if aspect < LINE_MIN_ASPECT:
        return LineCheck(False, f"aspect {aspect:.2f} < {LINE_MIN_ASPECT}", aspect, height_inch)
    if height_inch > LINE_MAX_HEIGHT_INCH:
        return LineCheck(False, f"{height_inch:.2f} inch high > {LINE_MAX_HEIGHT_INCH}", aspect, height_inch)
    if int(pixels.max()) - int(pixels.min()) < _MIN_CONTRAST:
        return LineCheck(False, "no ink: contrast too low", aspect, height_inch)
    _, ink = cv2.threshold(pixels, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    density = ink.mean(axis=1)
    core = _runs(density >= CORE_ROW_SHARE * density.max())
    tallest = max(end - start for start, end in core)
    bands = tuple((start, end) for start, end in core if end - start >= MINOR_BAND_SHARE * tallest)
    if len(bands) != 1:
        return LineCheck(False, f"{len(bands)} text bands", aspect, height_inch, bands)
    return LineCheck(True, "one text band", aspect, height_inch, bands)


def with_margin(pixels: np.ndarray, *, margin: int) -> tuple[np.ndarray, int]:
    """The image inside a margin of `margin` pixels of its own paper level; (image, level)."""
    level = int(np.percentile(pixels, _PAPER_PERCENTILE))
    framed = cv2.copyMakeBorder(pixels, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=level)
    return framed, level


@dataclass(frozen=True)
class LineImage:
    """A line image made ready for line mode: the work image written, and its record."""

    image: Path
    record: StepRecord
    psm: int = LINE_PSM


def prepare_text_line(pixels: np.ndarray, *, dpi: float, out_path: Path) -> LineImage | None:
    """When `pixels` is one text line: write it inside a paper-coloured margin to
    `out_path` (a new work image) and return it with its step record ("line"); else None
    and nothing is written (the caller goes the page way)."""
    started = time.perf_counter()
    check = check_text_line(pixels, dpi=dpi)
    if not check.is_line:
        return None
    (top, bottom), = check.bands
    margin = max(_MIN_MARGIN_PX, bottom - top)
    framed, level = with_margin(pixels, margin=margin)
    write_gray_png(framed, out_path=out_path, dpi=dpi)
    record = StepRecord(
        step="line",
        applied=True,
        parameters={"min_aspect": LINE_MIN_ASPECT, "max_height_inch": LINE_MAX_HEIGHT_INCH,
                    "core_row_share": CORE_ROW_SHARE, "minor_band_share": MINOR_BAND_SHARE, "psm": LINE_PSM},
        measured={**check.as_measured(), "margin_px": margin, "paper_level": level},
        tool_versions=tool_versions_imaging(),
        seconds=time.perf_counter() - started,
        input_image=None,
        output_image=out_path,
        note=(f"one text line: read with --psm {LINE_PSM} inside a {margin}-px margin (OCR boxes are offset by it); "
              "orientation, crop, split, deskew and binarisation skipped"),
    )
    return LineImage(out_path, record)
