"""Spread splitting: a double-page spread cut at its gutter (shadow, fold line or a unique gap)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from pipeline.imaging import pyvips

from pipeline.page_steps.base import (_PNG_COMPRESSION, AnalysisCopy, Box, GrayImage, ImageStepError, StepOutput,
                                      StepRecord, StepResult, _components, _text_like_ink, analysis_copy,
                                      read_analysis_copy, tool_versions_imaging)



@dataclass(frozen=True)
class GutterEstimate:
    """Where a double-page spread folds, on an analysis copy. x: the split line (analysis
    pixels) or None; confidence 0..1; measured: the evidence, JSON-able."""

    is_spread: bool
    x: int | None
    confidence: float
    measured: dict[str, Any]
    note: str | None


# Spreads of portrait pages are landscape (two A4 pages: 1.41); a single landscape page
# (a typed catalogue, a photo of a sheet) is too, so the aspect only opens the question.
SPLIT_MIN_ASPECT = 1.05
# The gutter is looked for this far (share of the width) either side of the middle.
SPLIT_CENTRE_WINDOW = 0.15
# A column "crosses text" when more than this share of the text's height has text-like
# ink there (after widening each mark by 1 mm each side, which closes the gaps between
# letters and narrows those between words). A title line across a single page is ~1.5%
# of its height; horizontal rules printed across both pages of a register are not
# text-like, and neither are the knots and fibres along a fold.
SPLIT_MAX_CROSSING = 0.006
# Evidence for a gutter: a text-free band at least this wide (mm) ...
SPLIT_FULL_GAP_MM = 8.0
# ... or a fold / gutter shadow this much darker than the paper beside it.
SPLIT_FULL_SHADOW_DEPTH = 0.15
SPLIT_MIN_CONFIDENCE = 0.5


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def find_gutter(
    gray: np.ndarray,
    *,
    dpi: float,
    aspect: float | None = None,
    min_aspect: float = SPLIT_MIN_ASPECT,
    centre_window: float = SPLIT_CENTRE_WINDOW,
    max_crossing: float = SPLIT_MAX_CROSSING,
    full_gap_mm: float = SPLIT_FULL_GAP_MM,
    full_shadow_depth: float = SPLIT_FULL_SHADOW_DEPTH,
    min_confidence: float = SPLIT_MIN_CONFIDENCE,
) -> GutterEstimate:
    """Decide whether an analysis copy shows two pages side by side, and where they meet.

    Candidates are vertical bands near the middle that no text line crosses (text-like
    ink per column; rules, folds and their fragments excluded). A band is a gutter when:
    - it is shadowed: its darkest column, on a profile smoothed over 3 mm (so a printed
      rule does not count, a binding's shadow does), is `full_shadow_depth` below the
      paper beside it — bound registers scanned open; or
    - a fold or the edge of a page runs down it: one column (±1 px, so a gutter that
      curves a little still counts) darker than its row neighbours over 60% of the text
      height — counts 0.6, plus 0.4 × the band's width score; or
    - it is wide (`full_gap_mm`), unique (twice as wide as any other text-free band of
      the image) and the text rows on its two sides do not line up — two sheets printed
      apart. A table's column gap is as wide as its other gaps, and its rows line up.
    A band must also have text on both sides (≥ 5% of the ink each) and be bounded by
    text, unless its shadow alone is full evidence. Confidence = evidence × (0.6 + 0.4 ×
    centrality); below `min_confidence` the image stays whole. The split line is the
    darkest column when the band is shadowed, else the fold/edge line, else the middle."""
    height, width = gray.shape
    aspect = aspect if aspect is not None else width / float(height)
    measured: dict[str, Any] = {"aspect": round(aspect, 4)}
    if aspect < min_aspect:
        return GutterEstimate(False, None, 0.0, measured,
                              f"aspect {aspect:.2f} < {min_aspect}: a single page (spreads are landscape)")
    mm = dpi / 25.4
    ink = _text_like_ink(gray, dpi=dpi, drop_slivers=True)
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows) == 0 or ink.sum() < 50:
        return GutterEstimate(False, None, 0.0, measured, "no text-like marks: nothing shows where pages meet")
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    text_height = bottom - top
    band_gray = gray[top:bottom]
    lo, hi = int(width * (0.5 - centre_window)), int(width * (0.5 + centre_window))
    # Fold/edge lines: columns darker than their row neighbourhood (~5 mm) by 15 levels
    # over much of the text height (±1 px: a fold that wanders a little still counts).
    neighbourhood = cv2.blur(band_gray, (max(3, int(round(5 * mm)) | 1), 1)).astype(np.int16)
    line_dark = (band_gray.astype(np.int16) < neighbourhood - 15).astype(np.uint8)
    line_dark = cv2.dilate(line_dark, np.ones((1, 3), np.uint8))
    line_share = line_dark.mean(axis=0)
    # Knots, specks and torn fibres sitting on such a line are part of it, not text
    # crossing it (a bound register's fold is full of them).
    line_columns = np.flatnonzero(line_share[lo:hi] >= 0.5) + lo
    if len(line_columns):
        _, labels, stats = _components(ink)
        on_line = np.zeros(len(stats), bool)
        x0, w = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]
        narrow = w <= 3 * mm
        for column in line_columns:
            on_line |= narrow & (x0 <= column + 1) & (x0 + w - 1 >= column - 1)
        on_line[0] = False
        ink = ink & ~on_line[labels]
    widen = max(1, int(round(mm)))
    wide_ink = cv2.dilate(ink.astype(np.uint8), np.ones((1, 2 * widen + 1), np.uint8))[top:bottom]
    crossing = wide_ink.sum(axis=0) / float(text_height)
    row_ink = ink[top:bottom].astype(np.float64)
    column_ink = row_ink.sum(axis=0)
    total_ink = float(column_ink.sum())
    median = np.median(band_gray, axis=0).astype(np.float64)
    smooth_w = max(3, int(round(3 * mm)) | 1)
    shade = np.convolve(np.pad(median, smooth_w // 2, mode="edge"), np.ones(smooth_w) / smooth_w, mode="valid")
    runs = [(a, b) for a, b in _runs(crossing <= max_crossing) if a > 0 and b < width]
    best: dict[str, Any] | None = None
    for start, end in _runs(crossing <= max_crossing):
        if end <= lo or start >= hi:
            continue
        reach = int(round(20 * mm))
        beside = np.concatenate((shade[max(0, start - reach):start], shade[end:end + reach]))
        paper = float(np.percentile(beside, 75)) if len(beside) else float(np.percentile(shade, 90))
        x_dark = start + int(np.argmin(shade[start:end]))
        depth = max(0.0, 1.0 - shade[x_dark] / paper) if paper > 0 else 0.0
        x_line = start + int(np.argmax(line_share[start:end]))
        line = float(line_share[x_line])
        gap_mm = (end - start) / mm + 2.0  # + the 1 mm either side taken by widening
        others = [b - a for a, b in runs if b <= start or a >= end]
        uniqueness = (end - start) / max(others) if others else float("inf")
        gap_score = float(np.clip((gap_mm - 2.0) / (full_gap_mm - 2.0), 0.0, 1.0))
        unique_score = float(np.clip(uniqueness - 1.0, 0.0, 1.0))
        # Text rows level on both sides of the band (correlated row profiles within 30 mm)
        # are a table's rows: one page. Two pages' lines fall where they fall
        # (imgsrcE00x: -0.73; typed catalogue tables in B4: 0.42-0.67).
        reach_rows = int(round(30 * mm))
        left_rows = row_ink[:, max(0, start - reach_rows):start].sum(axis=1)
        right_rows = row_ink[:, end:end + reach_rows].sum(axis=1)
        row_corr = (float(np.corrcoef(left_rows, right_rows)[0, 1])
                    if left_rows.std() > 0 and right_rows.std() > 0 else 0.0)
        unaligned_score = float(np.clip(1.0 - (row_corr - 0.1) / 0.3, 0.0, 1.0))
        shadow_score = float(np.clip(depth / full_shadow_depth, 0.0, 1.0))
        line_score = float(np.clip((line - 0.3) / 0.3, 0.0, 1.0))
        if shadow_score >= 0.5:
            x = x_dark
        elif line_score >= 0.5:
            x = x_line
        else:
            x = (start + end - 1) // 2
        left_ink, right_ink = float(column_ink[:x].sum()), float(column_ink[x:].sum())
        both_sides = min(left_ink, right_ink) >= 0.05 * total_ink
        bounded = start > 0 and end < width
        evidence = max(shadow_score, 0.6 * line_score + 0.4 * gap_score,
                       gap_score * unique_score * unaligned_score)
        if not (both_sides and bounded) and shadow_score < 1.0:
            evidence = 0.0  # an empty half or a band running to the edge: a blank area, not a gutter
        centrality = float(np.clip(1.0 - abs(x - width / 2.0) / (centre_window * width), 0.0, 1.0))
        confidence = evidence * (0.6 + 0.4 * centrality)
        candidate = {"x": int(x), "band": [int(start), int(end)], "gap_mm": round(gap_mm, 2),
                     "uniqueness": round(uniqueness, 2) if others else None, "row_correlation": round(row_corr, 3),
                     "shadow_depth": round(depth, 4), "fold_line_share": round(line, 3),
                     "gap_score": round(gap_score, 3), "unique_score": round(unique_score, 3),
                     "shadow_score": round(shadow_score, 3), "line_score": round(line_score, 3),
                     "centrality": round(centrality, 3),
                     "ink_share_left": round(left_ink / total_ink, 3) if total_ink else 0.0,
                     "confidence": round(confidence, 3)}
        if best is None or confidence > best["confidence"]:
            best = candidate
    least = float(crossing[lo:hi].min()) if hi > lo else 1.0
    measured.update({"text_rows": [top, bottom], "window": [lo, hi], "min_crossing_in_window": round(least, 4)})
    if best is None:
        return GutterEstimate(False, None, 0.0, measured,
                              f"text crosses every column near the middle (least: {least:.1%} of the text height):"
                              " one page")
    measured["best"] = best
    if best["confidence"] < min_confidence:
        return GutterEstimate(False, None, best["confidence"], measured,
                              f"best gutter candidate too weak (confidence {best['confidence']:.2f} < {min_confidence}:"
                              f" gap {best['gap_mm']} mm, shadow {best['shadow_depth']:.2f},"
                              f" fold line {best['fold_line_share']:.2f}): one page")
    return GutterEstimate(True, best["x"], best["confidence"], measured, None)


def _write_regions(*, image: Path, regions: list[tuple[Box, Path]]) -> None:
    """Write several regions of one work image, decoding it once (random access keeps
    the decoded page in memory: ~18 MiB for a 300-dpi A3 spread in gray)."""
    try:
        source = pyvips.Image.new_from_file(str(image))
        dpi = source.xres * 25.4
        for box, out_path in regions:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            part = source.crop(*box).copy(xres=dpi / 25.4, yres=dpi / 25.4, interpretation="b-w")
            part.pngsave(str(out_path), compression=_PNG_COMPRESSION)
    except pyvips.Error as exc:
        for _, out_path in regions:
            out_path.unlink(missing_ok=True)
        raise ImageStepError(f"could not write regions of {image}: {exc}") from exc


def split_spread(
    *,
    image: Path,
    left_path: Path,
    right_path: Path,
    region: Box | None = None,
    single_path: Path | None = None,
    reduce: int | None = None,
    min_confidence: float = SPLIT_MIN_CONFIDENCE,
) -> tuple[StepOutput, ...]:
    """Split a double-page spread (a work-image FILE) at its gutter into a left and a
    right page image, or leave a single page whole. Returns (left, right) or (single,);
    each item's record says which half it is (measured["half"]) and where it lies
    (measured["box"], in `image`'s pixels), with the split line and the evidence.

    `region` is the page box found by crop_borders (None: the whole image); the halves
    are cut from it directly, so a cropped spread is encoded once. When the image is not
    a spread and `region` is a real crop, the region is written to `single_path` (the
    record then says applied=False — nothing was split — and points to that file)."""
    started = time.perf_counter()
    records = measure_split(read_analysis_copy(image, region=region, reduce=reduce), min_confidence=min_confidence)
    if len(records) == 2:
        paths = {"left": left_path, "right": right_path}
        _write_regions(image=image, regions=[(tuple(r.measured["box"]), paths[r.measured["half"]]) for r in records])
        seconds = time.perf_counter() - started
        return tuple(StepOutput(paths[r.measured["half"]], dataclasses.replace(
            r, seconds=seconds, input_image=image, output_image=paths[r.measured["half"]])) for r in records)
    (record,) = records
    output, note = image, record.note
    full = pyvips.Image.new_from_file(str(image))
    box = tuple(record.measured["box"])
    if box != (0, 0, full.width, full.height):
        if single_path is None:
            raise ImageStepError("split_spread was given a crop region but no single_path to write a single page to")
        _write_regions(image=image, regions=[(box, single_path)])
        output = single_path
        note = f"{note}; the page box found by the crop was extracted"
    return (StepOutput(output, dataclasses.replace(record, note=note, seconds=time.perf_counter() - started,
                                                   input_image=image, output_image=output)),)


def split_image(
    page: GrayImage,
    *,
    region: Box | None = None,
    analysis: AnalysisCopy | None = None,
    reduce: int | None = None,
    min_confidence: float = SPLIT_MIN_CONFIDENCE,
) -> tuple[StepResult, ...]:
    """`split_spread` on a page in memory: (left, right) or (single,), each the region of
    `page` its record's measured["box"] gives (a single page is `region` of the page, the
    page itself when there is no crop). `analysis`: the page's analysis copy, used when it
    shows exactly `region` (else one is made)."""
    started = time.perf_counter()
    full = (0, 0, page.width, page.height)
    box = tuple(region) if region is not None else full
    copy = analysis if analysis is not None and analysis.region == box and reduce in (None, analysis.reduce) \
        else analysis_copy(page, region=box, reduce=reduce)
    records = measure_split(copy, min_confidence=min_confidence, started=started)
    results = []
    for record in records:
        part = tuple(record.measured["box"])
        image = page if part == full else GrayImage(np.ascontiguousarray(page.region(part).pixels), page.dpi)
        if len(records) == 1 and part != full:
            record = dataclasses.replace(record, note=f"{record.note}; the page box found by the crop was cut out")
        results.append(StepResult(image, record))
    return tuple(results)


def measure_split(copy: AnalysisCopy, *, min_confidence: float = SPLIT_MIN_CONFIDENCE,
                  started: float | None = None) -> tuple[StepRecord, ...]:
    """Where a page (the region of it `copy` shows) splits: two records (left, right:
    applied, measured["box"] each half's box) for a spread, one (applied=False,
    measured["box"] the region) otherwise. Nothing is cut here."""
    started = time.perf_counter() if started is None else started
    rx, ry, rw, rh = copy.region
    estimate = find_gutter(copy.gray, dpi=copy.dpi, aspect=rw / float(rh), min_confidence=min_confidence)
    parameters = {"method": "text-free band with shadow, fold line or a unique wide gap",
                  "analysis_reduce": copy.reduce,
                  "min_aspect": SPLIT_MIN_ASPECT, "centre_window": SPLIT_CENTRE_WINDOW,
                  "max_crossing": SPLIT_MAX_CROSSING, "full_gap_mm": SPLIT_FULL_GAP_MM,
                  "full_shadow_depth": SPLIT_FULL_SHADOW_DEPTH, "min_confidence": min_confidence,
                  "region": [rx, ry, rw, rh]}
    shared = {"is_spread": estimate.is_spread, "confidence": round(estimate.confidence, 3), **estimate.measured,
              "analysis_size": [int(copy.gray.shape[1]), int(copy.gray.shape[0])]}
    versions = tool_versions_imaging()
    if estimate.is_spread:
        split_x = copy.to_work_x(estimate.x)
        shared["split_x"] = split_x
        boxes = {"left": (rx, ry, split_x - rx, rh), "right": (split_x, ry, rx + rw - split_x, rh)}
        seconds = time.perf_counter() - started
        return tuple(
            StepRecord(step="split", applied=True, parameters=parameters,
                       measured={**shared, "half": half, "box": list(boxes[half])},
                       tool_versions=versions, seconds=seconds, input_image=None, output_image=None)
            for half in ("left", "right"))
    return (StepRecord(step="split", applied=False, parameters=parameters,
                       measured={**shared, "half": None, "box": [rx, ry, rw, rh]},
                       tool_versions=versions, seconds=time.perf_counter() - started,
                       input_image=None, output_image=None, note=estimate.note),)
