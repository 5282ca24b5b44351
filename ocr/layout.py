"""Which Tesseract page segmentation mode (psm) reads a page image, from its column structure.

Tesseract's automatic layout analysis (`--psm 3`) is right for pages it knows (one or more
columns of prose, forms) and wrong on two kinds of page sijil reads a lot, measured on the
same work images (line CER, best_int models, `sijil eval ocr` scoring):

- a narrative register page: a body column with a narrow MARGIN column beside it (act
  number and names; REGISTERS.md layout L2). psm 3 cuts body lines into pieces, merges
  neighbouring lines into one tall box and drops margin entries; `--psm 6` (one uniform
  block) reads the body far better. It writes a margin entry at the start of the body
  line beside it (one text line), which the extraction copes with (it places words by
  their boxes). Synthetic Arabic L2 pages, seeds 31/47/53, 6 pages each: line CER
  6.2/4.6/7.0% -> 4.0/3.7/5.5%, field accuracy 0.78/0.85/0.70 -> 0.82/0.89/0.76; French
  L2 (seed 47): line CER 0.20 -> 0.23%, page CER 15.5 -> 8.3%, fields 0.984 -> 0.988.
  Reading the body and the margin as separate regions (psm 6 each, the rest of the page
  masked) read the body as well but lost margin entries (psm 3 found no text in a narrow
  masked column; psm 6 read the paper noise there as letters) and would need hOCR/ALTO/
  TSV/PDF merged: not worth it.
- a TABLE: three or more text columns (B4 typed catalogue): psm 3 reads columns as blocks
  and number columns as junk; psm 6 keeps rows together: line CER 3.9 -> 2.7%.
  Also a table: a page with a text ROW of four or more cells far apart (gaps of 3+ line
  heights), even when other text crosses the column gaps and the page looks like one or
  two columns overall (B4 catalogue: column headings over a legend, long entries). On the
  legend page psm 3 dropped every right-aligned abbreviation (vpf, frt.p, har.d…): line
  CER 5.5 -> 0.5% on that page, 3.10 -> 2.67% over the 14 catalogue pages. No other page
  in ../shared/testdata nor a synthetic L1/L2 page has such a row (at most 3 cells).

Everything else keeps psm 3: one column (psm 4 put A1's linn/skew pages out of reading
order, page CER 1.1 -> 37%), and ruled FORMS (bilingual L1: psm 4/6 merge the French and
the Arabic half of a row: line CER 3.9 -> 5.1-6.3%; reading the halves separately did not
help either).

The columns are found on a ~75-dpi copy: ink by a local (adaptive) threshold, long rules
removed, letters smeared into word blobs, blobs of text-line size kept; a column gap is a
vertical band no text blob touches (a page-wide header line crossing it is tolerated only
as far as the threshold allows: a little ink). ~10-30 ms per page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

LayoutKind = Literal["single", "columns", "body_margin", "table", "form", "empty"]

# psm per layout (see the module docstring for the measurements behind each).
AUTO_LAYOUT_PSM = 3
BLOCK_PSM = 6
PSM_FOR_KIND: dict[str, int] = {"single": AUTO_LAYOUT_PSM, "columns": AUTO_LAYOUT_PSM, "form": AUTO_LAYOUT_PSM,
                                "empty": AUTO_LAYOUT_PSM,
                                "body_margin": BLOCK_PSM, "table": BLOCK_PSM}

# Sizes in inches, so that they hold at any analysis resolution.
_THRESHOLD_BLOCK_IN = 0.4    # adaptive threshold window: a few letters high
_THRESHOLD_OFFSET = 20       # gray levels darker than the local mean to count as ink
_RULE_MIN_IN = 1.0           # a straight run this long is a rule (frame, underline), not a letter
_WORD_SMEAR_IN = 0.09        # joins letters into words (and words less than this apart)
_MIN_GAP_IN = 0.08           # a column gap, measured after the smear (~0.17 in of paper)
_MIN_COLUMN_IN = 0.5         # narrower "columns" are page edges, specks, a handwritten tick
_MIN_COLUMN_SHARE = 0.02     # a column holds at least this share of the page's text
# A gap column may be crossed by this share of the busiest columns' text (a header line).
_GAP_COVERAGE_SHARE = 0.02
# A margin column: at most this share of the text width (L2 margins measured 9-27%).
_MARGIN_MAX_WIDTH_SHARE = 0.35
# A table row: at least this many text cells side by side in one text row, separated by
# gaps of at least this many line heights (see _widest_table_row). Measured: B4 catalogue
# rows 4-8 cells; every other page in ../shared/testdata (B4 journal, A1, A2, A3, C2) and
# synthetic L1/L2 pages: at most 3 (C1's ruled forms: 12-14, caught as forms first).
_TABLE_ROW_MIN_CELLS = 4
_TABLE_GAP_LINE_HEIGHTS = 3.0
# A ruled form: at least this many long horizontal rules (L1 act frames: 3-9; tables with
# a header rule, narrative pages with signature lines: 0-2).
_FORM_MIN_RULES = 3
_FORM_RULE_WIDTH_SHARE = 0.3


@dataclass(frozen=True)
class PageLayout:
    """The column structure of one page image and the psm chosen for it.
    columns: (x0, x1, share of the text) in work-image pixels, left to right."""

    kind: LayoutKind
    psm: int
    columns: tuple[tuple[int, int, float], ...]
    horizontal_rules: int
    reason: str
    seconds: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "psm": self.psm, "columns": [list(c) for c in self.columns],
                "horizontal_rules": self.horizontal_rules, "reason": self.reason, "seconds": round(self.seconds, 4)}


def _odd(value: float) -> int:
    n = max(3, int(round(value)))
    return n if n % 2 else n + 1


def _ink(gray: np.ndarray, dpi: float) -> np.ndarray:
    # Local threshold: typed pages on gray paper with a dark scanner border defeat a global
    # (Otsu) threshold, which then separates border from paper and loses the letters.
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 _odd(_THRESHOLD_BLOCK_IN * dpi), _THRESHOLD_OFFSET)


def _rules(ink: np.ndarray, *, dpi: float) -> tuple[np.ndarray, int]:
    """(mask of long horizontal/vertical rules, number of horizontal rules as long as
    _FORM_RULE_WIDTH_SHARE of the page)."""
    length = max(3, int(_RULE_MIN_IN * dpi))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    long_run = max(3, int(ink.shape[1] * _FORM_RULE_WIDTH_SHARE))
    long_rules = cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_run, 1)))
    count = cv2.connectedComponents(cv2.dilate(long_rules, np.ones((3, 3), np.uint8)))[0] - 1
    return cv2.bitwise_or(horizontal, vertical), int(count)


def _text_blobs(ink: np.ndarray, *, dpi: float) -> tuple[np.ndarray, float]:
    """(mask of the text-line blobs, their median height in pixels); (empty mask, 0.0)
    when nothing looks like a word."""
    smear = max(1, int(round(_WORD_SMEAR_IN * dpi)))
    blobs = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (smear, 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    widths, heights = stats[1:, 2], stats[1:, 3]
    wordish = (heights >= 3) & (widths >= 1.5 * heights)
    if not wordish.any():
        return np.zeros(ink.shape, bool), 0.0
    line_height = float(np.median(heights[wordish]))
    # Word-shaped blobs of about the page's usual line height: text. Stamps, signatures,
    # photos of seals and page-edge shadows are too tall, too short or not wide enough.
    keep = np.zeros(count, bool)
    keep[1:] = wordish & (heights >= 0.5 * line_height) & (heights <= 2.0 * line_height)
    return keep[labels], line_height


def _coverage(text: np.ndarray) -> tuple[np.ndarray, int]:
    """Per analysis column: how many pixel rows of text-line blobs it crosses; and the
    number of text pixels in all."""
    return text.sum(axis=0).astype(float), int(text.sum())


def _widest_table_row(text: np.ndarray, *, line_height: float) -> int:
    """The most text cells found side by side in one text row: a row is a horizontal band
    of text blobs (rows that touch make one band, which can only hide gaps), its cells
    are runs of text separated by more than _TABLE_GAP_LINE_HEIGHTS line heights of
    paper. Measured in line heights, not inches, because a large typeface's word spaces
    are wide in inches (A1 typewriter.png) while a table's gaps are many characters."""
    if not line_height:
        return 0
    rows = text.any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    min_gap = _TABLE_GAP_LINE_HEIGHTS * line_height
    widest = 0
    for top, bottom in zip(edges[::2], edges[1::2]):
        xs = np.flatnonzero(text[top:bottom].any(axis=0))
        if len(xs):
            widest = max(widest, 1 + int((np.diff(xs) > min_gap).sum()))
    return widest


def _columns(coverage: np.ndarray, *, dpi: float, text_pixels: int) -> list[tuple[int, int, float]]:
    busy = coverage[coverage > 0]
    if not len(busy):
        return []
    threshold = max(1.0, _GAP_COVERAGE_SHARE * float(np.percentile(busy, 90)))
    filled = coverage >= threshold
    xs = np.flatnonzero(filled)
    spans, start, last = [], xs[0], xs[0]
    min_gap = max(2, int(round(_MIN_GAP_IN * dpi)))
    for x in xs[1:]:
        if x - last > min_gap:
            spans.append((start, last + 1))
            start = x
        last = x
    spans.append((start, last + 1))
    min_width = _MIN_COLUMN_IN * dpi
    columns = []
    for x0, x1 in spans:
        share = float(coverage[x0:x1].sum()) / max(1, text_pixels)
        if x1 - x0 >= min_width and share >= _MIN_COLUMN_SHARE:
            columns.append((int(x0), int(x1), share))
    return columns


def choose_layout(gray: np.ndarray, *, dpi: float, scale_x: float = 1.0) -> PageLayout:
    """The layout of a page image from its reduced gray copy `gray` (at `dpi`, ideally
    ~75) and the psm to read it with. `scale_x`: work-image pixels per `gray` pixel, to
    report columns in work-image coordinates."""
    started = time.perf_counter()
    ink = _ink(gray, dpi)
    rules, horizontal_rules = _rules(ink, dpi=dpi)
    text, line_height = _text_blobs(cv2.subtract(ink, rules), dpi=dpi)
    coverage, text_pixels = _coverage(text)
    columns = _columns(coverage, dpi=dpi, text_pixels=text_pixels)
    in_work = tuple((int(round(a * scale_x)), int(round(b * scale_x)), round(s, 4)) for a, b, s in columns)

    def done(kind: LayoutKind, reason: str) -> PageLayout:
        return PageLayout(kind=kind, psm=PSM_FOR_KIND[kind], columns=in_work, horizontal_rules=horizontal_rules,
                          reason=reason, seconds=time.perf_counter() - started)

    if not columns:
        return done("empty", "no text-line blobs found")
    if horizontal_rules >= _FORM_MIN_RULES:
        return done("form", f"{horizontal_rules} long horizontal rules: a ruled form")
    if len(columns) >= 3:
        return done("table", f"{len(columns)} text columns")
    cells = _widest_table_row(text, line_height=line_height)
    if cells >= _TABLE_ROW_MIN_CELLS:
        return done("table", f"a text row of {cells} cells far apart: a table (its heading or rows), "
                             f"its column gaps crossed by text elsewhere on the page")
    if len(columns) == 2:
        text_width = columns[-1][1] - columns[0][0]
        narrow = min(columns, key=lambda c: c[1] - c[0])
        if (narrow[1] - narrow[0]) <= _MARGIN_MAX_WIDTH_SHARE * text_width:
            side = "left" if narrow is columns[0] else "right"
            return done("body_margin", f"a body column with a margin column on the {side} "
                                       f"({narrow[2]:.0%} of the text)")
        return done("columns", "two text columns of similar width: Tesseract's own layout analysis")
    return done("single", "one text column")
