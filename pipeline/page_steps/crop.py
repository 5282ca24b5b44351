"""Crop: the page inside dark scanner borders, cradle or cover, found on an analysis copy."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.page_steps.base import (AnalysisCopy, Box, StepOutput, StepRecord, _components, _text_like_ink, extract_region,
                                      read_analysis_copy)



@dataclass(frozen=True)
class CropEstimate:
    """Where the page is on an analysis copy. box: (x, y, w, h) in analysis pixels;
    moved: how far each side was moved in ("top", "bottom", "left", "right");
    blocked: sides where text stopped the crop while dark border was still there;
    border_share: share of the copy covered by dark border (edge-connected dark regions)."""

    box: Box
    moved: dict[str, int]
    blocked: tuple[str, ...]
    border_share: float
    paper_level: int
    dark_threshold: int
    note: str | None


# A pixel is dark border when it is darker than this share of the paper's level (90th
# percentile of the copy): scanner lids (~58), black borders (0), a dark cradle (~40)
# and book covers (~60-120) are below it on paper at ~230-250; a page's gutter shadow
# (~45% of paper at its deepest, a few mm wide) only reaches it in a band narrower than
# the opening below, so it never counts as border.
CROP_DARK_SHARE = 0.55
# Dark regions narrower than this (mm) in any direction are not border: strokes, rules,
# shadows, text in a heavy face. The morphological opening removes them.
CROP_MIN_BORDER_MM = 2.0
# A side keeps moving in while the line it would remove is at least this share border;
# the side with the most border moves first (so a border along one edge is taken off
# from that edge, not by eating into the page from the neighbouring one).
CROP_MIN_LINE_BORDER = 0.02
# Back off from text by this much when border and text touch.
CROP_TEXT_MARGIN_MM = 1.0
# A crop that would keep less than this share of the image is not believed.
CROP_MIN_KEPT_SHARE = 0.35


def find_page_box(
    gray: np.ndarray,
    *,
    dpi: float,
    dark_share: float = CROP_DARK_SHARE,
    min_border_mm: float = CROP_MIN_BORDER_MM,
    min_line_border: float = CROP_MIN_LINE_BORDER,
    text_margin_mm: float = CROP_TEXT_MARGIN_MM,
    min_kept_share: float = CROP_MIN_KEPT_SHARE,
) -> CropEstimate:
    """Find the page inside dark scanner borders on an analysis copy at `dpi`.

    Border = dark regions (below `dark_share` of the paper level) at least `min_border_mm`
    thick that touch the image edge, or that hold a line at least half dark within the
    outer 15% of a side (a book's cover between the page and a light table; the sides
    first jump over such light background when no clear ink lies in it). Rules (long thin
    lines) are not text here: a table frame at the very edge may be cut, letters never
    knowingly are. The sides then move in one line at a time, always the
    side whose next line holds the most border, while that line is at least
    `min_line_border` border — so a full-length strip goes in one go and a skewed sheet's
    corner wedges shrink from both of their edges until less than 2% of a line is left —
    and never through a line holding text-like ink outside the border (conservative: where
    border and text touch, the side stops `text_margin_mm` short of the text and says so)."""
    height, width = gray.shape
    full: Box = (0, 0, width, height)
    moved = {"top": 0, "bottom": 0, "left": 0, "right": 0}
    paper = int(np.percentile(gray, 90))
    threshold = int(dark_share * paper)
    if paper < 100:
        return CropEstimate(full, moved, (), 0.0, paper, threshold,
                            f"paper level {paper} < 100: the image is mostly dark, no page to find; not cropped")
    mm = dpi / 25.4
    k = max(3, int(round(min_border_mm * mm)) | 1)  # odd: an even kernel shifts the opening by a pixel
    dark = (gray < threshold).astype(np.uint8)
    opened = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    count, labels, stats = _components(opened)
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    touches = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    # A book's cover or a cradle seen between the page and a light background does not
    # touch the image edge. A line within the outer 15% of a side that is at least half
    # dark (after the opening) is such a band; whatever dark region it belongs to is border.
    outer_x, outer_y = max(1, int(0.15 * width)), max(1, int(0.15 * height))
    col_share, row_share = opened.mean(axis=0), opened.mean(axis=1)
    strong_cols = np.zeros(width, bool)
    strong_rows = np.zeros(height, bool)
    strong_cols[:outer_x] = col_share[:outer_x] >= 0.5
    strong_cols[width - outer_x:] = col_share[width - outer_x:] >= 0.5
    strong_rows[:outer_y] = row_share[:outer_y] >= 0.5
    strong_rows[height - outer_y:] = row_share[height - outer_y:] >= 0.5
    seeds = opened.astype(bool) & (strong_cols[None, :] | strong_rows[:, None])
    is_border = touches.copy()
    is_border[np.unique(labels[seeds])] = True
    is_border[0] = False
    border = is_border[labels]
    border_share = float(border.mean())
    if not border.any():
        return CropEstimate(full, moved, (), 0.0, paper, threshold, "no dark border along the edges; not cropped")
    # Dark pixels joined to the border but thinner than the opening, and ink-like marks
    # touching them (the grey, sub-pixel tip of a skewed sheet's corner wedge, a ragged
    # edge) belong to the border too: without them a wedge's tip would pass for text and
    # stop the crop. Coverage is still counted on `border` alone.
    count, dark_labels, _ = _components(dark)
    joined = np.zeros(count, bool)
    joined[np.unique(dark_labels[border])] = True
    joined[0] = False
    attached = cv2.dilate(joined[dark_labels].astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    count, ink_labels, _ = _components(_text_like_ink(gray, dpi=dpi))
    touching_border = np.zeros(count, bool)
    touching_border[np.unique(ink_labels[attached])] = True
    touching_border[0] = True
    content = ~touching_border[ink_labels]

    top, bottom, left, right = 0, height, 0, width  # bottom and right exclusive
    # Jump over the light background between the image edge and such a band, when
    # nothing text-like lies there. Only clearly dark marks count here: the soft edge of a
    # cover against a light table is "darker than its surroundings" without being ink.
    clear_content = content & (gray < 0.6 * paper)
    has_content_col, has_content_row = clear_content.any(axis=0), clear_content.any(axis=1)
    firsts = {
        "left": np.flatnonzero(strong_cols[:outer_x]),
        "right": width - 1 - np.flatnonzero(strong_cols[width - outer_x:][::-1]),
        "top": np.flatnonzero(strong_rows[:outer_y]),
        "bottom": height - 1 - np.flatnonzero(strong_rows[height - outer_y:][::-1]),
    }
    jumped = {}
    for side, lines in firsts.items():
        if not len(lines):
            continue
        first = int(lines[0])
        if side == "left" and not has_content_col[:first].any():
            left = jumped[side] = first
        elif side == "right" and not has_content_col[first + 1:].any():
            right = first + 1
            jumped[side] = width - right
        elif side == "top" and not has_content_row[:first].any():
            top = jumped[side] = first
        elif side == "bottom" and not has_content_row[first + 1:].any():
            bottom = first + 1
            jumped[side] = height - bottom
    moved.update(jumped)

    def next_line(side: str) -> tuple[np.ndarray, np.ndarray]:
        """The border of the next line to remove — without its outer 5% at each end,
        which belong to the perpendicular sides (a cover strip along the top must be
        removed from the top, not by the right side eating into the page's margin
        because every column there starts with a little of it) — and its content."""
        if side in ("top", "bottom"):
            row = top if side == "top" else bottom - 1
            trim = (right - left) // 20
            return border[row, left + trim:right - trim], content[row, left:right]
        column = left if side == "left" else right - 1
        trim = (bottom - top) // 20
        return border[top + trim:bottom - trim, column], content[top:bottom, column]

    blocked: set[str] = set()
    while bottom - top > 2 and right - left > 2:
        best_side, best_share = None, min_line_border
        for side in ("top", "bottom", "left", "right"):
            if side in blocked:
                continue
            line_border, line_content = next_line(side)
            share = float(line_border.mean())
            if share < min_line_border:
                continue
            if line_content.any():
                blocked.add(side)
                continue
            if share >= best_share:
                best_side, best_share = side, share
        if best_side is None:
            break
        moved[best_side] += 1
        if best_side == "top":
            top += 1
        elif best_side == "bottom":
            bottom -= 1
        elif best_side == "left":
            left += 1
        else:
            right -= 1
    # Where border met text, stand back from the text (the line there is partly border).
    margin = int(math.ceil(text_margin_mm * mm))
    for side in blocked:
        back = min(margin, moved[side])
        moved[side] -= back
    top, left = moved["top"], moved["left"]
    bottom, right = height - moved["bottom"], width - moved["right"]
    box = (left, top, right - left, bottom - top)
    notes = []
    if blocked:
        notes.append(f"dark border reaches text on the {', '.join(sorted(blocked))}: cropped only up to "
                     f"{text_margin_mm:g} mm from the text there")
    kept = (box[2] * box[3]) / float(width * height)
    if kept < min_kept_share:
        return CropEstimate(full, {s: 0 for s in moved}, tuple(sorted(blocked)), border_share, paper, threshold,
                            f"the crop would keep only {kept:.0%} of the image (< {min_kept_share:.0%}): "
                            "not believed, not cropped")
    if box == full:
        notes.append("dark regions touch the edges but no edge line is border enough to remove; not cropped")
    return CropEstimate(box, moved, tuple(sorted(blocked)), border_share, paper, threshold,
                        "; ".join(notes) or None)


def crop_borders(
    *,
    image: Path,
    out_path: Path | None,
    reduce: int | None = None,
    dark_share: float = CROP_DARK_SHARE,
    min_border_mm: float = CROP_MIN_BORDER_MM,
) -> StepOutput:
    """Remove dark scanner borders and dark, ragged page surroundings (cradle, cover,
    a skewed sheet's bare corners) by cropping to a box — region extraction only, the
    pixels inside are untouched. The box is in `image`'s pixels (measured["box"]).

    With `out_path=None` nothing is written: the record carries the box and the next
    step extracts it (split_spread does, in the same pass that writes the halves, so a
    big spread is encoded once, not twice)."""
    started = time.perf_counter()
    record = measure_crop(read_analysis_copy(image, reduce=reduce), dark_share=dark_share, min_border_mm=min_border_mm,
                          started=started)
    output, note = image, record.note
    if record.applied and out_path is not None:
        extract_region(image=image, box=tuple(record.measured["box"]), out_path=out_path)
        output = out_path
    elif record.applied:
        note = "; ".join(filter(None, [note, "box measured, not written: the next step extracts it"]))
    return StepOutput(output, dataclasses.replace(
        record, parameters={**record.parameters, "written": output != image}, note=note, input_image=image,
        output_image=output, seconds=time.perf_counter() - started))


def measure_crop(
    copy: AnalysisCopy,
    *,
    dark_share: float = CROP_DARK_SHARE,
    min_border_mm: float = CROP_MIN_BORDER_MM,
    started: float | None = None,
) -> StepRecord:
    """The crop box of a page from its analysis copy (find_page_box), in the page's
    pixels (measured["box"]); applied=True when it is smaller than the page. Nothing is
    cut here: the next step takes the box (process_page: split_image)."""
    started = time.perf_counter() if started is None else started
    estimate = find_page_box(copy.gray, dpi=copy.dpi, dark_share=dark_share, min_border_mm=min_border_mm)
    work_w, work_h = copy.region[2], copy.region[3]
    ax, ay, aw, ah = estimate.box
    x0 = 0 if ax == 0 else min(work_w, copy.to_work_x(ax))
    y0 = 0 if ay == 0 else min(work_h, copy.to_work_y(ay))
    x1 = work_w if ax + aw >= copy.gray.shape[1] else min(work_w, copy.to_work_x(ax + aw))
    y1 = work_h if ay + ah >= copy.gray.shape[0] else min(work_h, copy.to_work_y(ay + ah))
    box = (x0, y0, x1 - x0, y1 - y0)
    apply = box != (0, 0, work_w, work_h)
    measured = {
        "box": list(box),
        "image_size": [work_w, work_h],
        "kept_share": round((box[2] * box[3]) / float(work_w * work_h), 4),
        "border_share": round(estimate.border_share, 4),
        "paper_level": estimate.paper_level,
        "dark_threshold": estimate.dark_threshold,
        "moved_analysis_px": dict(estimate.moved),
        "blocked_sides": list(estimate.blocked),
        "analysis_box": list(estimate.box),
        "analysis_size": [int(copy.gray.shape[1]), int(copy.gray.shape[0])],
    }
    parameters = {"method": "edge-connected dark regions, greedy side lines", "analysis_reduce": copy.reduce,
                  "dark_share": dark_share, "min_border_mm": min_border_mm,
                  "min_line_border": CROP_MIN_LINE_BORDER, "text_margin_mm": CROP_TEXT_MARGIN_MM,
                  "min_kept_share": CROP_MIN_KEPT_SHARE, "written": False}
    return StepRecord.in_memory("crop", applied=apply, parameters=parameters, measured=measured,
                                started=started, note=estimate.note)
