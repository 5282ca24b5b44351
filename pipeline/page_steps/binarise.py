"""Binarisation and background cleaning, applied only to pages uneven enough to gain from it."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.page_steps.base import (GrayImage, StepOutput, StepRecord, StepResult, _text_ink, analysis_reduce,
                                      read_gray_image, write_gray_image)



@dataclass(frozen=True)
class PageCondition:
    """How worn a page image looks. background_unevenness: spread (95th - 5th percentile)
    of the estimated paper background over its level (mottle, stains, a gutter shadow,
    uneven lighting); noise_sigma: robust standard deviation of the paper at work
    resolution, grey levels (sensor noise, JPEG, paper grain); contrast: (paper - ink) /
    paper (faded ink); paper_level: the background's 95th percentile."""

    background_unevenness: float
    noise_sigma: float
    contrast: float
    paper_level: int


def _background(reduced: np.ndarray, *, dpi: float) -> np.ndarray:
    """Paper without the ink, on a reduced copy: a grey dilation wider than strokes and
    letters (3 mm) takes the ink away, a median over ~7 mm smooths what is left."""
    mm = dpi / 25.4
    k = max(3, int(round(3 * mm)) | 1)
    paper = cv2.dilate(reduced, np.ones((k, k), np.uint8))
    return cv2.medianBlur(paper, max(3, int(round(7 * mm)) | 1))


def measure_condition(gray: np.ndarray, *, dpi: float, reduce: int | None = None) -> PageCondition:
    """Measure a page image's condition: background and contrast on a ~75-dpi copy,
    noise at full resolution on the central ninth of the page (box-shrinking averages
    noise away) with Immerkær's estimator (mean |Laplacian-difference| over paper
    pixels, away from ink edges)."""
    factor = reduce or analysis_reduce(dpi)
    reduced = cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA) if factor > 1 else gray
    background = _background(reduced, dpi=dpi / factor)
    p5, p95 = np.percentile(background, [5, 95])
    paper = max(1.0, float(p95))
    unevenness = float(p95 - p5) / paper
    height, width = gray.shape
    y0, y1, x0, x1 = height // 3, 2 * height // 3, width // 3, 2 * width // 3
    tile = gray[y0:y1, x0:x1].astype(np.float32)
    sigma = 0.0
    if tile.shape[0] > 8 and tile.shape[1] > 8:
        kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
        response = np.abs(cv2.filter2D(tile, -1, kernel, borderType=cv2.BORDER_REFLECT))
        local = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)[y0:y1, x0:x1]
        inky = (tile < local.astype(np.float32) - 25).astype(np.uint8)
        on_paper = ~cv2.dilate(inky, np.ones((5, 5), np.uint8)).astype(bool)
        if on_paper.sum() > 1000:
            sigma = float(math.sqrt(math.pi / 2) * response[on_paper].mean() / 6)
    ink = _text_ink(reduced, reduced_dpi=dpi / factor)
    ink_level = float(np.percentile(reduced[ink], 10)) if ink.sum() >= 50 else paper
    return PageCondition(round(unevenness, 4), round(sigma, 3), round(max(0.0, (paper - ink_level) / paper), 4),
                         int(round(paper)))


def flatten_background(gray: np.ndarray, *, dpi: float, reduce: int | None = None) -> np.ndarray:
    """Divide the page by its estimated background (computed on a reduced copy and
    enlarged): stains, mottle and shadows go to white, ink keeps its contrast; still gray,
    so Tesseract's own Otsu threshold does the binarising."""
    factor = reduce or analysis_reduce(dpi)
    reduced = cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA) if factor > 1 else gray
    background = _background(reduced, dpi=dpi / factor)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def adaptive_binarise(gray: np.ndarray, *, dpi: float, offset: int = 12) -> np.ndarray:
    """Local-mean threshold over a ~1/6-inch window (OpenCV's integral-image
    adaptiveThreshold: one uint8 pass, no float copies of the page), then a 3x3 median
    that removes isolated specks."""
    block = max(15, int(dpi / 6) | 1)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, offset)
    return cv2.medianBlur(binary, 3)


def sauvola_binarise(gray: np.ndarray, *, dpi: float, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola's threshold T = m (1 + k (s / r - 1)) over a ~1/6-inch window: local mean m
    and standard deviation s from OpenCV's box filters, computed in place (four float32
    page-sized arrays at most: ~150 MiB for a 300-dpi A4 page)."""
    window = max(15, int(dpi / 6) | 1)
    g = gray.astype(np.float32)
    mean = cv2.boxFilter(g, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    threshold = cv2.sqrBoxFilter(g, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    threshold -= cv2.multiply(mean, mean)
    np.maximum(threshold, 0, out=threshold)
    np.sqrt(threshold, out=threshold)  # s
    threshold *= k / r
    threshold += 1 - k  # 1 + k (s / r - 1)
    threshold *= mean
    del mean
    return np.where(g > threshold, np.uint8(255), np.uint8(0))


# Measured (Tesseract 5.3; line CER = each reference line looked for in the output, so
# reading order does not count; pages deskewed as process_page does them):
# - 8 synthetic French pages with uneven paper (unevenness 0.31-0.41: stains, mottle,
#   faded ink, bleed-through, or a shadow across a third of the page): line CER 15.8% as
#   they are; Sauvola 0.8%, background flattened + 3x3 median 0.9%, flattened 1.4%,
#   OpenCV adaptive mean 1.5%. Word F1 0.72 -> 0.96 (Sauvola).
# - 40 ordinary pages (unevenness 0.02-0.17: 22 typed B4 pages, 18 synthetic French,
#   Arabic and bilingual pages, 4 of them with noise sigma 6.7): nothing helped beyond
#   the noise between runs (line CER 3.3% as is; flattened 3.0%, flattened + median 3.3%,
#   Sauvola 3.4%, adaptive 4.7%, median alone 7.7%), and each method hurt some page
#   badly (a 3x3 median erased two typed journal pages: 1.8% -> 98%; Sauvola took the
#   B4 catalogue from 3.7% to 5.3%).
# - 40 printed header lines of the two C1 spreads (uncropped, unevenness 0.44): 6.5% as
#   they are, Sauvola 6.3%, flattened + median 8.4% (the 3 mm background estimate
#   swallows the bold header letters).
# So only pages at least this uneven are cleaned, with Sauvola; noise alone never
# triggers it (register halves cropped and split measure 0.08-0.15).
BINARISE_MIN_UNEVENNESS = 0.25


def choose_binarisation(
    *,
    image: Path,
    out_path: Path,
    min_unevenness: float = BINARISE_MIN_UNEVENNESS,
    method: str = "sauvola",
) -> StepOutput:
    """`binarise_image` on a work-image file: a cleaned copy is written to `out_path`; a
    page left as it is is not rewritten (the output is `image` itself)."""
    result = binarise_image(read_gray_image(image), min_unevenness=min_unevenness, method=method)
    output = write_gray_image(result.image, out_path=out_path) if result.record.applied else image
    return StepOutput(output, dataclasses.replace(result.record, input_image=image, output_image=output))


def binarise_image(
    page: GrayImage,
    *,
    min_unevenness: float = BINARISE_MIN_UNEVENNESS,
    method: str = "sauvola",
) -> StepResult:
    """Clean a page image only when its condition says OCR will gain from it.

    Measures background unevenness, noise and contrast (measure_condition). When the
    background is at least `min_unevenness` uneven, makes a cleaned copy: by default
    Sauvola's binarisation (a threshold that follows the local paper level and contrast);
    "flatten" / "flatten+median" divide the page by its estimated background instead
    (still grey, Tesseract's Otsu decides), "adaptive" is OpenCV's local mean threshold.
    Otherwise the image is left as it is and the record says why: on ordinary pages
    Tesseract's own global threshold read as well (see the figures above)."""
    if method not in ("flatten+median", "flatten", "sauvola", "adaptive"):
        raise ValueError(f"unknown binarisation method {method!r}")
    started = time.perf_counter()
    gray, dpi = page.pixels, page.dpi
    condition = measure_condition(gray, dpi=dpi)
    measured = {"background_unevenness": condition.background_unevenness, "noise_sigma": condition.noise_sigma,
                "contrast": condition.contrast, "paper_level": condition.paper_level}
    parameters = {"min_unevenness": min_unevenness, "method": method, "analysis_reduce": analysis_reduce(dpi)}
    apply = condition.background_unevenness >= min_unevenness
    output, note = page, None
    if apply:
        if method.startswith("flatten"):
            cleaned = flatten_background(gray, dpi=dpi)
            if method == "flatten+median":
                cleaned = cv2.medianBlur(cleaned, 3)
        elif method == "sauvola":
            cleaned = sauvola_binarise(gray, dpi=dpi)
        else:
            cleaned = adaptive_binarise(gray, dpi=dpi)
        output = GrayImage(cleaned, dpi)
    else:
        note = (f"background unevenness {condition.background_unevenness:.3f} < {min_unevenness}: left to "
                "Tesseract's own threshold (cleaning did not help such pages)")
    record = StepRecord.in_memory("binarise", applied=apply, parameters=parameters, measured=measured,
                                  started=started, note=note)
    return StepResult(output, record)
