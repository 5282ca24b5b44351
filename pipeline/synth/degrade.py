"""What paper, ink, time and a scanner do to a page: tinted and mottled paper, ink that
is not quite black, text from the other side showing through, a round office stamp, then
the scan itself — a sheet laid a little askew or turned, blur, sensor noise, JPEG
compression. All randomness comes from one seeded numpy Generator; boxes of the ground
truth are carried through every geometric step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from pipeline.synth.layout import INK_COLOURS, Box, Draft, font

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Degradation:
    """How worn and how badly scanned a page is. The default is a clean, straight scan
    on white paper; every effect is off until asked for."""

    skew_deg: float = 0.0  # counter-clockwise, as a sheet laid askew on the glass
    quarter_turns: int = 0  # clockwise turns of the sheet on the scanner: 0, 1, 2, 3
    noise_sigma: float = 0.0  # sensor noise, in grey levels
    blur_sigma: float = 0.0  # optics and focus, in pixels at the page's dpi
    paper: RGB = (255, 255, 255)
    mottle: float = 0.0  # uneven ageing of the paper, 0..0.2
    ink_fade: float = 0.0  # uneven ribbon and pen ink, 0..0.5
    bleed_through: float = 0.0  # opacity of the other side's text, 0..0.3
    stamp: bool = False
    jpeg_quality: int | None = None  # round trip through JPEG at this quality
    grayscale: bool = False
    scanner_lid: RGB = (58, 58, 58)  # what shows where a skewed sheet leaves the glass bare

    def __post_init__(self) -> None:
        if self.quarter_turns not in (0, 1, 2, 3):
            raise ValueError(f"quarter_turns must be 0..3, not {self.quarter_turns}")
        if abs(self.skew_deg) > 10:
            raise ValueError(f"skew of {self.skew_deg}° is not a scan, it is a photograph")


CLEAN = Degradation()


def worn_scan(*, seed: int, max_skew_deg: float = 4.0, turn_share: float = 0.0) -> Degradation:
    """A plausible scan of an old register page, drawn from seed."""
    rng = np.random.default_rng(seed)
    tints = ((246, 240, 224), (250, 246, 236), (240, 232, 212), (252, 250, 245))
    quarter_turns = int(rng.choice((1, 2, 3))) if rng.random() < turn_share else 0
    return Degradation(
        skew_deg=float(np.round(rng.uniform(-max_skew_deg, max_skew_deg), 2)),
        quarter_turns=quarter_turns,
        noise_sigma=float(np.round(rng.uniform(3, 9), 1)),
        blur_sigma=float(np.round(rng.uniform(0.3, 0.9), 2)),
        paper=tints[int(rng.integers(len(tints)))],
        mottle=float(np.round(rng.uniform(0.02, 0.08), 3)),
        ink_fade=float(np.round(rng.uniform(0.05, 0.3), 2)),
        bleed_through=float(np.round(rng.uniform(0.0, 0.12), 3)),
        stamp=bool(rng.random() < 0.5),
        jpeg_quality=int(rng.integers(55, 90)) if rng.random() < 0.5 else None,
    )


def _low_frequency(rng: np.random.Generator, *, height: int, width: int, cells: int) -> np.ndarray:
    """A smooth random field in about -1..1: blotches a few cells across the page."""
    small = rng.standard_normal((cells, max(2, round(cells * width / height))), dtype=np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


# --- the stamp --------------------------------------------------------------------------


def stamp_coverage(*, diameter: int, ring_text: str, centre_fr: str, centre_ar: str, angle_deg: float,
                   rng: np.random.Generator) -> np.ndarray:
    """A round office stamp: two rings, text around them, two centre lines; inked
    unevenly (a stamp never prints whole). Coverage 0..1, square of side diameter."""
    scale = 4  # draw large, shrink: smooth edges without antialiasing each stroke
    side = diameter * scale
    canvas = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(canvas)
    centre = side / 2
    outer = side / 2 - 4 * scale
    inner = outer * 0.72
    draw.ellipse((centre - outer, centre - outer, centre + outer, centre + outer), outline=255, width=5 * scale)
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner), outline=255, width=3 * scale)
    letter_font = font("dejavu_serif_bold", int((outer - inner) * 0.55))
    radius = (outer + inner) / 2
    step = 360.0 / len(ring_text)
    for index, letter in enumerate(ring_text):
        if letter == " ":
            continue
        theta = math.radians(-90 + index * step)
        tile_side = int((outer - inner) * 1.2)
        tile = Image.new("L", (tile_side, tile_side), 0)
        ImageDraw.Draw(tile).text((tile_side / 2, tile_side / 2), letter, font=letter_font, fill=255, anchor="mm")
        tile = tile.rotate(-(index * step), resample=Image.BILINEAR)
        x = centre + radius * math.cos(theta) - tile_side / 2
        y = centre + radius * math.sin(theta) - tile_side / 2
        canvas.paste(255, (int(x), int(y)), mask=tile)
    centre_font = font("dejavu_serif_bold", int(inner * 0.2))
    arabic_font = font("naskh_bold", int(inner * 0.24))
    draw.text((centre, centre - inner * 0.22), centre_fr, font=centre_font, fill=255, anchor="mm")
    draw.text((centre, centre + inner * 0.25), centre_ar, font=arabic_font, fill=255, anchor="mm", direction="rtl")
    canvas = canvas.rotate(angle_deg, resample=Image.BILINEAR).resize((diameter, diameter), Image.LANCZOS)
    coverage = np.asarray(canvas, dtype=np.float32) / 255.0
    # Uneven pressure: one side of the stamp prints stronger than the other.
    pressure = 0.55 + 0.45 * np.clip(_low_frequency(rng, height=diameter, width=diameter, cells=3) * 0.6 + 0.6, 0, 1)
    return coverage * pressure


# --- surface: paper and inks ------------------------------------------------------------


def _shade_u8(values: np.ndarray, *, height: int, width: int) -> np.ndarray:
    """A small float field in 0..1 as a full-size 8-bit multiplier (255 = unchanged)."""
    small = np.clip(values * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def paint_surface(draft: Draft, *, degrade: Degradation, rng: np.random.Generator,
                  stamp_text: tuple[str, str, str] | None, dpi: int) -> tuple[np.ndarray, list[Box]]:
    """Paper with the inks laid on it (8-bit RGB), and the boxes of stamps added (not
    text of the acts, but worth masking when scoring OCR).

    Everything stays 8-bit and goes through OpenCV's saturating arithmetic: a page is
    nine million pixels, and float arrays made this step alone cost over a second."""
    height, width = draft.height, draft.width
    stamps: list[Box] = []
    if degrade.stamp and draft.stamp_spots and stamp_text is not None:
        diameter = int(330 * dpi / 300)
        spot_x, spot_y = draft.stamp_spots[int(rng.integers(len(draft.stamp_spots)))]
        x = int(np.clip(spot_x - diameter // 2 + rng.integers(-60, 60), 0, width - diameter))
        y = int(np.clip(spot_y - diameter // 2 + rng.integers(-40, 40), 0, height - diameter))
        ring, centre_fr, centre_ar = stamp_text
        coverage = stamp_coverage(diameter=diameter, ring_text=ring, centre_fr=centre_fr, centre_ar=centre_ar,
                                  angle_deg=float(rng.uniform(-25, 25)), rng=rng)
        # Stamp ink over typed text: a multiply blend, the text stays readable under it.
        region = np.asarray(draft.ink.crop((x, y, x + diameter, y + diameter))).astype(np.float32)
        colour = np.asarray(INK_COLOURS["stamp"], np.float32) / 255.0
        region *= 1.0 - 0.85 * coverage[:, :, None] * (1.0 - colour)
        draft.ink.paste(Image.fromarray(region.astype(np.uint8)), (x, y))
        stamps.append((x, y, diameter, diameter))
    ink = np.asarray(draft.ink)
    darkness = cv2.bitwise_not(ink)  # how much each ink absorbs, per channel
    if degrade.ink_fade > 0:
        # Ribbon and pen ink thin out unevenly over the page.
        field = _low_frequency(rng, height=24, width=17, cells=10)
        fade = _shade_u8(1.0 - degrade.ink_fade * np.clip(field * 0.5 + 0.5, 0, 1), height=height, width=width)
        darkness = cv2.multiply(darkness, cv2.merge([fade] * 3), scale=1 / 255)
    # What darkens every channel of the paper alike: ageing blotches, the other side's text.
    shade = np.full((height, width), 255, np.uint8)
    if degrade.mottle > 0:
        blotches = np.abs(_low_frequency(rng, height=36, width=26, cells=6))
        shade = _shade_u8(1.0 - degrade.mottle * blotches, height=height, width=width)
    if degrade.bleed_through > 0:
        other_side = cv2.cvtColor(darkness, cv2.COLOR_RGB2GRAY)
        other_side = np.roll(cv2.flip(other_side, 1), shift=int(rng.integers(-40, 40)), axis=0)
        other_side = cv2.GaussianBlur(other_side, (0, 0), sigmaX=2.0 * dpi / 300)
        see_through = cv2.bitwise_not(cv2.multiply(other_side, degrade.bleed_through))
        shade = cv2.multiply(shade, see_through, scale=1 / 255)
    paper = cv2.merge([cv2.multiply(shade, degrade.paper[c] / 255.0) for c in range(3)])
    return cv2.multiply(paper, cv2.bitwise_not(darkness), scale=1 / 255), stamps


# --- capture: the scanner ----------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Forward affine map of page coordinates to scan coordinates (2x3)."""

    matrix: np.ndarray
    width: int
    height: int

    def box(self, box: Box) -> Box:
        x, y, w, h = box
        corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], np.float64)
        mapped = corners @ self.matrix.T
        left, top = np.floor(mapped.min(axis=0)).astype(int)
        right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
        return int(left), int(top), int(right - left), int(bottom - top)


def capture(image: np.ndarray, *, degrade: Degradation, rng: np.random.Generator) -> tuple[np.ndarray, Geometry]:
    """Scan a painted surface: blur, lay askew, turn, add noise, compress. Returns 8-bit
    RGB (or grey) and the geometry that maps page boxes to scan boxes."""
    height, width = image.shape[:2]
    if degrade.blur_sigma > 0:
        image = cv2.GaussianBlur(image, (0, 0), sigmaX=degrade.blur_sigma)
    matrix = np.array([[1, 0, 0], [0, 1, 0]], np.float64)
    if degrade.skew_deg:
        # Same frame size as the glass: a skewed sheet leaves bare corners (scanner lid)
        # and margins wide enough that no text is cut at ±4°.
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrade.skew_deg, 1.0)
        image = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(c) for c in degrade.scanner_lid))
    for _ in range(degrade.quarter_turns):
        # One clockwise turn: (x, y) → (h - 1 - y, x) in a frame h wide.
        h = image.shape[0]
        image = np.ascontiguousarray(np.rot90(image, k=-1))
        turn = np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], np.float64)
        matrix = (turn @ np.vstack([matrix, [0, 0, 1]]))[:2]
    scan = image
    if degrade.noise_sigma > 0:
        # Sensor noise is mostly luminance: one field for the three channels, carried in
        # 8 bits around 128 and added with saturation.
        noise = rng.standard_normal(image.shape[:2], dtype=np.float32) * degrade.noise_sigma + 128.5
        noise = np.clip(noise, 0, 255).astype(np.uint8)
        scan = cv2.addWeighted(scan, 1.0, cv2.merge([noise] * scan.shape[2]), 1.0, -128.0)
    if degrade.jpeg_quality is not None:
        ok, encoded = cv2.imencode(".jpg", scan[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, degrade.jpeg_quality])
        if not ok:
            raise RuntimeError("JPEG round trip failed")
        scan = cv2.imdecode(encoded, cv2.IMREAD_COLOR)[:, :, ::-1]
    if degrade.grayscale:
        scan = cv2.cvtColor(np.ascontiguousarray(scan), cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(scan), Geometry(matrix=matrix, width=scan.shape[1], height=scan.shape[0])


def to_pil(scan: np.ndarray) -> Image.Image:
    return Image.fromarray(scan)  # 2-D uint8 → "L", H×W×3 uint8 → "RGB"
