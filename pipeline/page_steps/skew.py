"""Deskew: projection-profile skew estimate on reduced copies, rotation at full resolution."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from pipeline.page_steps.base import (GrayImage, StepOutput, StepRecord, StepResult, _text_ink, read_gray_image,
                                      write_gray_image)



@dataclass(frozen=True)
class SkewEstimate:
    """angle_degrees: how far text lines are turned counter-clockwise as seen on screen
    (positive: lines rise to the right); rotating the page clockwise by it straightens them.
    peak_ratio: best score over the median score of the coarse sweep (how clearly lines
    stand out; ~1 means no line structure). ink_pixels: pixels of the fine sweep."""

    angle_degrees: float
    peak_ratio: float
    ink_pixels: int
    reduced_size: tuple[int, int] = field(default=(0, 0))




def _profile_scores(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """For each candidate angle, project ink onto lines turned by it and score the profile
    by the sum of squared differences between adjacent rows (Leptonica's criterion): it
    peaks when text lines and the gaps between them fall into separate rows. Measured
    sharper than the plain sum of squares, which was biased ~0.07° towards 0 on skew.pdf."""
    scores = np.empty(len(angles))
    for i, angle in enumerate(angles):
        theta = math.radians(angle)
        rows = ys * math.cos(theta) + xs * math.sin(theta)
        rows = np.rint(rows - rows.min()).astype(np.int64)
        profile = np.bincount(rows).astype(np.float64)
        scores[i] = float(np.square(np.diff(profile)).sum())
    return scores


# Fewer ink pixels than this on a reduced copy: nothing to measure (blank page).
_MIN_INK_PIXELS = 50


def _ink_points(gray: np.ndarray, *, dpi: float, reduce: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    reduced = cv2.resize(gray, None, fx=1 / reduce, fy=1 / reduce, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(_text_ink(reduced, reduced_dpi=dpi / reduce))
    return ys.astype(np.float64), xs.astype(np.float64), (reduced.shape[1], reduced.shape[0])


def estimate_skew(
    gray: np.ndarray,
    *,
    dpi: float,
    reduce: int = 4,
    fine_reduce: int = 2,
    max_angle: float = 15.0,
    coarse_step: float = 0.5,
    fine_step: float = 0.05,
) -> SkewEstimate:
    """Projection-profile skew estimate: a coarse sweep over ±max_angle on a 1/`reduce`
    copy, a fine sweep around the best on a 1/`fine_reduce` copy, then a parabola through
    the top three points (sub-step precision). About 0.1 s for a 300-dpi A4 page.

    Measured error against an independent reference (a per-line baseline fit at full
    resolution for the real pages, the known rotation for synthetic text): imgsrc001
    +4.000° vs 3.999°; skew.pdf −1.896° vs −1.87° (baseline fit) / −1.89° (Tesseract's
    hOCR baselines); one or two synthetic Amiri lines turned by ±0.4…7.5°: at most 0.09°.
    The fine sweep on the 1/4 copy alone was off by up to 0.23° on a single line; on the
    full image it is ~0.02° better but 5x slower. minAreaRect/Hough were not needed."""
    ys, xs, size = _ink_points(gray, dpi=dpi, reduce=reduce)
    if len(xs) < _MIN_INK_PIXELS:
        return SkewEstimate(0.0, 1.0, int(len(xs)), size)
    coarse = np.arange(-max_angle, max_angle + 1e-9, coarse_step)
    coarse_scores = _profile_scores(ys, xs, coarse)
    best = coarse[int(coarse_scores.argmax())]
    median = float(np.median(coarse_scores))
    peak_ratio = float(coarse_scores.max() / median) if median > 0 else 1.0

    ys, xs, _ = _ink_points(gray, dpi=dpi, reduce=fine_reduce)
    if len(xs) < _MIN_INK_PIXELS:
        return SkewEstimate(0.0, 1.0, int(len(xs)), size)
    fine = np.arange(best - coarse_step, best + coarse_step + 1e-9, fine_step)
    fine_scores = _profile_scores(ys, xs, fine)
    i = int(fine_scores.argmax())
    angle = float(fine[i])
    if 0 < i < len(fine) - 1:
        left, mid, right = fine_scores[i - 1 : i + 2]
        curvature = left - 2 * mid + right
        if curvature < 0:
            angle += fine_step * 0.5 * (left - right) / curvature
    return SkewEstimate(round(float(angle), 3), round(peak_ratio, 3), int(len(xs)), size)


# Below this angle rotation would move nothing by more than ~2 px on an A4 page at
# 300 dpi, and resampling costs sharpness: skip.
MIN_DESKEW_ANGLE = 0.05
# A coarse sweep whose best score is barely above its median found no line structure
# (blank page, photo, noise): do not rotate on a guess.
MIN_PEAK_RATIO = 1.5


def rotate_gray(gray: np.ndarray, *, angle_degrees: float) -> np.ndarray:
    """Rotate counter-clockwise (as seen) by angle_degrees about the centre, same size,
    white fill. Cubic interpolation keeps stroke edges sharper than bilinear."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle_degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def deskew(
    *,
    image: Path,
    out_path: Path,
    reduce: int = 4,
    max_angle: float = 15.0,
    min_angle: float = MIN_DESKEW_ANGLE,
    min_peak_ratio: float = MIN_PEAK_RATIO,
) -> StepOutput:
    """`deskew_image` on a work-image file: a straightened page is written to `out_path`;
    one left as it is is not rewritten (the output is `image` itself)."""
    result = deskew_image(read_gray_image(image), reduce=reduce, max_angle=max_angle, min_angle=min_angle,
                          min_peak_ratio=min_peak_ratio)
    output = write_gray_image(result.image, out_path=out_path) if result.record.applied else image
    return StepOutput(output, dataclasses.replace(result.record, input_image=image, output_image=output))


def deskew_image(
    page: GrayImage,
    *,
    reduce: int = 4,
    max_angle: float = 15.0,
    min_angle: float = MIN_DESKEW_ANGLE,
    min_peak_ratio: float = MIN_PEAK_RATIO,
) -> StepResult:
    """Straighten small skews: estimate on a reduced copy, rotate the full image with
    OpenCV (same size, white corners; at 2° an A4 page loses ~5 mm triangles at the
    corners, where registers carry no text)."""
    started = time.perf_counter()
    gray, dpi = page.pixels, page.dpi
    estimate = estimate_skew(gray, dpi=dpi, reduce=reduce, max_angle=max_angle)
    estimate_seconds = time.perf_counter() - started
    parameters = {"method": "projection-profile", "reduce": reduce, "fine_reduce": 2, "max_angle": max_angle,
                  "coarse_step": 0.5, "fine_step": 0.05, "min_angle": min_angle,
                  "min_peak_ratio": min_peak_ratio, "interpolation": "cubic", "fill": 255}
    measured = {"angle_degrees": estimate.angle_degrees, "peak_ratio": estimate.peak_ratio,
                "ink_pixels": estimate.ink_pixels, "estimate_seconds": round(estimate_seconds, 4)}
    note = None
    apply = True
    if estimate.ink_pixels < _MIN_INK_PIXELS:
        note, apply = "no text-like marks found: not rotated", False
    elif estimate.peak_ratio < min_peak_ratio:
        note, apply = f"no clear line structure (peak ratio {estimate.peak_ratio:.2f} < {min_peak_ratio}): not rotated", False
    elif abs(estimate.angle_degrees) < min_angle:
        note, apply = f"|angle| < {min_angle}°: not rotated", False
    elif abs(estimate.angle_degrees) >= max_angle - 0.5:
        note, apply = f"angle {estimate.angle_degrees:.2f}° at the edge of the search range: not trusted, not rotated", False
    output = page
    if apply:
        # Clockwise by the measured angle = OpenCV's counter-clockwise by its negative.
        output = GrayImage(rotate_gray(gray, angle_degrees=-estimate.angle_degrees), dpi)
    record = StepRecord.in_memory("deskew", applied=apply, parameters=parameters, measured=measured,
                                  started=started, note=note)
    return StepResult(output, record)
