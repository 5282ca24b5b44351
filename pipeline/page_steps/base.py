"""What every image step shares: the step record, work-image input/output, the reduced
analysis copy and the "text ink" rules."""

from __future__ import annotations

import time

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from pipeline.imaging import pyvips

from pipeline.errors import SijilError


# libvips' operation cache keys loaders by file name: with libvips 8.14, a work file
# rewritten under the same name (a page reprocessed in the same work dir, a master
# downloaded to a reused path) came back with the OLD pixels. Pages are read once
# anyway, so the cache buys nothing here; it is switched off for the whole process.
pyvips.cache_set_max(0)

# PNG with zlib level 1: ~0.04 s for a 300-dpi A4 page against ~0.1 s at level 6 and
# only ~15% larger; work images are short-lived.
_PNG_COMPRESSION = 1


@dataclass(frozen=True)
class StepRecord:
    """One image step as it ran. Dicts hold plain JSON-able values (str, int, float, bool, None).
    input_image / output_image: the files the step read and wrote; None where the image
    was only held in memory (process_page writes the image it reads once, at the end,
    and names it in the last record's output_image)."""

    step: str
    applied: bool
    parameters: dict[str, Any]
    measured: dict[str, Any]
    tool_versions: dict[str, str]
    seconds: float
    input_image: Path | None
    output_image: Path | None
    note: str | None = None

    @classmethod
    def in_memory(cls, step: str, *, applied: bool, parameters: dict[str, Any], measured: dict[str, Any],
                  started: float, tool_versions: dict[str, str] | None = None,
                  note: str | None = None) -> StepRecord:
        """A step that ran on an image held in memory (no files): seconds since `started`
        (a time.perf_counter() value), imaging tool versions unless others are given."""
        return cls(step=step, applied=applied, parameters=parameters, measured=measured,
                   tool_versions=tool_versions if tool_versions is not None else tool_versions_imaging(),
                   seconds=time.perf_counter() - started, input_image=None, output_image=None, note=note)


@dataclass(frozen=True)
class StepOutput:
    """A step run on a work-image FILE: the file the next step should read, and the record."""

    image: Path
    record: StepRecord


@dataclass(frozen=True, eq=False)
class GrayImage:
    """A page image held in memory: 8-bit grayscale pixels (rows x columns) and their
    resolution. Steps never modify `pixels` in place; a changed image is a new array (a
    region may be a view of its parent's pixels)."""

    pixels: np.ndarray
    dpi: float

    def __post_init__(self) -> None:
        if self.pixels.dtype != np.uint8 or self.pixels.ndim != 2:
            raise ImageStepError(f"expected an 8-bit grayscale array, got {self.pixels.dtype} {self.pixels.shape}")

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def region(self, box: Box) -> GrayImage:
        x, y, w, h = box
        return GrayImage(self.pixels[y:y + h, x:x + w], self.dpi)

    def vips(self) -> pyvips.Image:
        """The same pixels as a libvips image (no copy when the array is contiguous)."""
        pixels = np.ascontiguousarray(self.pixels)
        image = pyvips.Image.new_from_memory(pixels.data, self.width, self.height, 1, "uchar")
        return image.copy(interpretation="b-w", xres=self.dpi / 25.4, yres=self.dpi / 25.4)


@dataclass(frozen=True)
class StepResult:
    """A step run on an image in memory: the image the next step should use, and the record."""

    image: GrayImage
    record: StepRecord


class ImageStepError(SijilError):
    """An image step could not read or write a work image."""


def tool_versions_imaging() -> dict[str, str]:
    return {"opencv": cv2.__version__, "libvips": f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"}


def write_gray_png(gray: np.ndarray, *, out_path: Path, dpi: float) -> None:
    """Write an 8-bit grayscale array as PNG carrying its resolution (cv2.imwrite would drop
    the pHYs chunk, and Tesseract would then guess the resolution)."""
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ImageStepError(f"expected an 8-bit grayscale array, got {gray.dtype} {gray.shape}")
    height, width = gray.shape
    image = pyvips.Image.new_from_memory(np.ascontiguousarray(gray).data, width, height, 1, "uchar")
    image = image.copy(interpretation="b-w", xres=dpi / 25.4, yres=dpi / 25.4)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        image.pngsave(str(out_path), compression=_PNG_COMPRESSION)
    except pyvips.Error as exc:
        raise ImageStepError(f"could not write work image {out_path}: {exc}") from exc


def write_gray_image(image: GrayImage, *, out_path: Path) -> Path:
    write_gray_png(image.pixels, out_path=out_path, dpi=image.dpi)
    return out_path


def read_gray_image(path: Path) -> GrayImage:
    array, dpi = read_gray(path)
    return GrayImage(array, dpi)


def read_gray(path: Path) -> tuple[np.ndarray, float]:
    """A work image as a 2-D uint8 array and its resolution in dpi."""
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential")
        dpi = image.xres * 25.4
        if image.bands != 1 or image.format != "uchar":
            raise ImageStepError(f"{path} is not an 8-bit grayscale work image ({image.bands} bands, {image.format})")
        array = np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width))
    except pyvips.Error as exc:
        raise ImageStepError(f"could not read work image {path}: {exc}") from exc
    return array, dpi


# ---------------------------------------------------------------- analysis copies

# Crop and split decide on a copy reduced to about this resolution: 1 px ≈ 0.34 mm is
# finer than any border, gutter or text line they look for, and a 300-dpi A3 spread
# becomes ~1270 x 900 px (one pass of libvips' box shrink, streamed: ~0.15 s, a few MiB).
ANALYSIS_DPI = 75.0

Box = tuple[int, int, int, int]  # x, y, width, height in pixels of the image it refers to


def analysis_reduce(dpi: float, *, target_dpi: float = ANALYSIS_DPI) -> int:
    """Integer shrink factor that brings `dpi` down to about `target_dpi` (never enlarges)."""
    return max(1, int(round(dpi / target_dpi)))


@dataclass(frozen=True)
class AnalysisCopy:
    """A reduced copy of (a region of) a work image. scale_x/scale_y: work-image pixels per
    analysis pixel; region: the part of the work image it shows (work-image pixels)."""

    gray: np.ndarray
    work_dpi: float
    reduce: int
    scale_x: float
    scale_y: float
    region: Box

    @property
    def dpi(self) -> float:
        return self.work_dpi / self.scale_x

    def to_work_x(self, x: float) -> int:
        return self.region[0] + int(round(x * self.scale_x))

    def to_work_y(self, y: float) -> int:
        return self.region[1] + int(round(y * self.scale_y))


def read_analysis_copy(path: Path, *, region: Box | None = None, reduce: int | None = None) -> AnalysisCopy:
    """Box-shrunk grayscale copy of a work image (or of `region` of it), read in one
    streamed pass: the full-resolution pixels never sit in memory at once."""
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential")
        dpi = image.xres * 25.4
        if dpi < 70:  # not a work image made by render_page: assume the usual scan resolution
            dpi = 300.0
        if image.bands != 1 or image.format != "uchar":
            raise ImageStepError(f"{path} is not an 8-bit grayscale work image ({image.bands} bands, {image.format})")
        box = region or (0, 0, image.width, image.height)
        if box != (0, 0, image.width, image.height):
            image = image.crop(*box)
        return _shrunk_copy(image, dpi=dpi, box=box, factor=reduce or analysis_reduce(dpi))
    except pyvips.Error as exc:
        raise ImageStepError(f"could not read work image {path}: {exc}") from exc


def analysis_copy(image: GrayImage, *, region: Box | None = None, reduce: int | None = None) -> AnalysisCopy:
    """The same reduced copy as `read_analysis_copy`, of an image already in memory
    (libvips' box shrink on the array: the same pixels as from the file)."""
    dpi = image.dpi if image.dpi >= 70 else 300.0  # as read_analysis_copy
    box = region or (0, 0, image.width, image.height)
    source = image.region(box) if box != (0, 0, image.width, image.height) else image
    try:
        return _shrunk_copy(source.vips(), dpi=dpi, box=box, factor=reduce or analysis_reduce(dpi))
    except pyvips.Error as exc:
        raise ImageStepError(f"could not reduce a {image.width}x{image.height} image: {exc}") from exc


def _shrunk_copy(image: pyvips.Image, *, dpi: float, box: Box, factor: int) -> AnalysisCopy:
    """`image` (the pixels of `box` of a work image) box-shrunk by `factor`, with the
    scales that map its coordinates back to the work image."""
    small = image.shrink(factor, factor) if factor > 1 else image
    gray = np.ndarray(buffer=small.write_to_memory(), dtype=np.uint8, shape=(small.height, small.width))
    return AnalysisCopy(gray=gray, work_dpi=dpi, reduce=factor, scale_x=box[2] / gray.shape[1],
                        scale_y=box[3] / gray.shape[0], region=tuple(int(v) for v in box))


def extract_region(*, image: Path, box: Box, out_path: Path) -> None:
    """Write `box` of a work image as a new work image (same resolution). libvips streams
    the crop: one decode and one encode, whatever the size of the page."""
    try:
        source = pyvips.Image.new_from_file(str(image), access="sequential")
        dpi = source.xres * 25.4
        region = source.crop(*box).copy(xres=dpi / 25.4, yres=dpi / 25.4, interpretation="b-w")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        region.pngsave(str(out_path), compression=_PNG_COMPRESSION)
    except pyvips.Error as exc:
        out_path.unlink(missing_ok=True)
        raise ImageStepError(f"could not write region {box} of {image} to {out_path}: {exc}") from exc


def _components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return count, labels, stats


def _text_like_ink(gray: np.ndarray, *, dpi: float, offset: int = 20, drop_slivers: bool = False) -> np.ndarray:
    """Ink of text-sized marks (letters, words, digits, handwriting) on an analysis copy:
    pixels `offset` grey levels darker than their ~1/3-inch neighbourhood, in connected
    components at most half an inch tall and at least 3 px, that are NOT rules — long thin
    horizontal or vertical lines (table frames, a book's fold, the edge of a guard strip)
    carry no reading order and run up to and across a gutter. `drop_slivers` also drops
    marks at most 0.7 mm wide and three times as tall: the pieces a faint fold breaks
    into (and an l or an I, which a text line never consists of alone)."""
    block = max(15, int(dpi / 3) | 1)
    ink = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, offset)
    _, labels, stats = _components(ink)
    w, h, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    mm = dpi / 25.4
    horizontal_rule = (w >= 15 * h) & (h <= 2 * mm)
    vertical_rule = (h >= 5 * w) & (h >= 4 * mm)
    keep = (h <= dpi / 2) & (area >= 3) & ~horizontal_rule & ~vertical_rule
    if drop_slivers:
        keep &= ~((w <= max(1, int(round(0.7 * mm)))) & (h >= 3 * w))
    keep[0] = False
    return keep[labels]


def _text_ink(reduced: np.ndarray, *, reduced_dpi: float) -> np.ndarray:
    """Ink pixels of text-sized marks on a reduced page.

    Local (adaptive mean) threshold, not Otsu: on pages photographed with a margin of
    scanner bed or a white border around beige paper, Otsu split paper from border and
    called the whole page ink (8 of 9 typewritten journal pages in B4 gave no estimate).
    A pixel is ink when it is 20 grey levels darker than the mean of a ~1/3-inch window.
    Connected components that touch the image edge (scanner borders, which follow the
    scanner, not the text) or are taller than an inch (photos, stamps, vertical rules)
    are dropped; long horizontal rules stay, they run with the text."""
    block = max(15, int(reduced_dpi / 3) | 1)
    ink = cv2.adaptiveThreshold(reduced, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 20)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = ink.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    touches_edge = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    keep = ~touches_edge & (h <= reduced_dpi)
    keep[0] = False  # background
    return keep[labels]
