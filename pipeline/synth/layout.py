"""Text setting for synthetic pages: words flowed into columns left-to-right or
right-to-left, drawn into ink layers, with the ground truth recorded as it is drawn.

Words are shaped one at a time by HarfBuzz (Pillow's raqm engine), so Arabic letters
join within a word and words are placed right to left by the flow itself; the text kept
for the ground truth is always the logical (typed) order, never the visual order.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Ink = Literal["print", "type", "pen", "stamp"]
INKS: tuple[Ink, ...] = ("print", "type", "pen", "stamp")
Script = Literal["lat", "ar"]
# A field tag: (index of the act on the page, field name such as "surname" or
# "father.given"); None for words that belong to no field (labels, connecting words).
FieldTag = tuple[int, str]
Box = tuple[int, int, int, int]  # x, y, w, h

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_NOTO = Path("/usr/share/fonts/truetype/noto")
_AMIRI = Path("/usr/share/fonts/opentype/fonts-hosny-amiri")
FONT_FILES: dict[str, Path] = {
    "dejavu_mono": _DEJAVU / "DejaVuSansMono.ttf",
    "noto_mono": _NOTO / "NotoSansMono-Regular.ttf",
    "dejavu_serif": _DEJAVU / "DejaVuSerif.ttf",
    "dejavu_serif_bold": _DEJAVU / "DejaVuSerif-Bold.ttf",
    "noto_serif": _NOTO / "NotoSerif-Regular.ttf",
    "noto_serif_bold": _NOTO / "NotoSerif-Bold.ttf",
    "noto_serif_italic": _NOTO / "NotoSerif-Italic.ttf",
    "noto_sans": _NOTO / "NotoSans-Regular.ttf",
    "naskh": _NOTO / "NotoNaskhArabic-Regular.ttf",
    "naskh_bold": _NOTO / "NotoNaskhArabic-Bold.ttf",
    "amiri": _AMIRI / "Amiri-Regular.ttf",
    "amiri_bold": _AMIRI / "Amiri-Bold.ttf",
    "amiri_slanted": _AMIRI / "Amiri-Slanted.ttf",
}


@functools.lru_cache(maxsize=64)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONT_FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"font {name!r} not installed at {path} (Debian: fonts-dejavu, fonts-noto-core, fonts-hosny-amiri)")
    # RAQM: HarfBuzz shaping and bidi; the basic engine would draw isolated Arabic letters.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


@dataclass(frozen=True)
class Style:
    font: str
    size: int
    ink: Ink
    rtl: bool = False
    # Typewriter habits: each key strike lands a little off the line and with its own
    # pressure; print and pen have none of it.
    jitter_px: float = 0.0
    density: tuple[float, float] = (1.0, 1.0)

    @property
    def script(self) -> Script:
        return "ar" if self.rtl else "lat"


@dataclass(frozen=True)
class Span:
    text: str
    style: Style
    tag: FieldTag | None = None


@dataclass(frozen=True)
class Piece:
    """Part of a word in one style; tags gives each character's field."""

    text: str
    style: Style
    tags: tuple[FieldTag | None, ...]


Word = tuple[Piece, ...]


def words_of(spans: list[Span]) -> list[Word]:
    """Split spans on spaces into words; a word may mix styles (a label and its colon)."""
    words: list[Word] = []
    current: list[Piece] = []
    for span in spans:
        for ch in span.text:
            if ch == " ":
                if current:
                    words.append(tuple(current))
                    current = []
                continue
            if current and current[-1].style == span.style:
                last = current[-1]
                current[-1] = Piece(last.text + ch, last.style, last.tags + (span.tag,))
            else:
                current.append(Piece(ch, span.style, (span.tag,)))
    if current:
        words.append(tuple(current))
    return words


def _direction(style: Style) -> str:
    return "rtl" if style.rtl else "ltr"


@functools.lru_cache(maxsize=8192)
def _advance(text: str, style: Style) -> float:
    return font(style.font, style.size).getlength(text, direction=_direction(style))


def word_width(word: Word) -> float:
    return sum(_advance(piece.text, piece.style) for piece in word)


def space_width(style: Style) -> float:
    return _advance(" ", style)


@dataclass(frozen=True)
class PlacedPiece:
    piece: Piece
    x: float  # left edge for left-to-right pieces, right edge for right-to-left ones
    baseline: float
    density: float  # how hard the key struck, 0..1


@dataclass(frozen=True)
class PlacedLine:
    pieces: tuple[PlacedPiece, ...]
    words: tuple[str, ...]  # logical order
    rtl: bool


@dataclass(frozen=True)
class TextLine:
    """One line of ground truth: logical-order text, its language, its box on the page."""

    text: str
    lang: Literal["fr", "ar"]
    bbox: Box


# Ink colours (RGB): form printing is a dense black, the typewriter ribbon a worn
# black-grey, pens blue, the office stamp violet.
INK_COLOURS: dict[str, tuple[int, int, int]] = {
    "print": (22, 22, 26),
    "type": (38, 36, 44),
    "pen": (28, 52, 150),
    "stamp": (104, 52, 150),
}


def ink_colour(ink: Ink, density: float = 1.0) -> tuple[int, int, int]:
    """The ink's colour laid at density (0..1) on white: a light key strike is greyer."""
    return tuple(round(255 - (255 - c) * density) for c in INK_COLOURS[ink])  # type: ignore[return-value]


@dataclass
class Draft:
    """A page being drawn: every ink on one white RGB sheet (inks barely overlap, and one
    8-bit sheet keeps the later paper blend to a couple of passes), and the truth so far."""

    width: int
    height: int
    rng: random.Random
    ink: Image.Image = field(init=False)
    lines: list[TextLine] = field(default_factory=list)
    field_boxes: dict[FieldTag, dict[Script, list[Box]]] = field(default_factory=dict)
    stamp_spots: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ink = Image.new("RGB", (self.width, self.height), (255, 255, 255))

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.ink)


def flow(
    words: list[Word],
    *,
    start: float,
    end: float,
    rest_start: float | None = None,
    top: float,
    pitch: float,
    rtl: bool,
    draft: Draft,
    align: Literal["start", "center"] = "start",
) -> tuple[list[PlacedLine], float]:
    """Greedy line filling between start and end (end < start for right-to-left).
    Continuation lines begin at rest_start (a hanging indent after a label). Returns the
    placed lines and the y of the next free line."""
    sign = -1.0 if rtl else 1.0
    rest_start = start if rest_start is None else rest_start
    lines: list[list[tuple[Word, float]]] = [[]]
    line_starts = [start]
    used = 0.0
    for word in words:
        width = word_width(word)
        gap = space_width(word[0].style) if lines[-1] else 0.0
        capacity = abs(end - line_starts[-1])
        if lines[-1] and used + gap + width > capacity:
            lines.append([])
            line_starts.append(rest_start)
            used, gap = 0.0, 0.0
        lines[-1].append((word, used + gap))
        used += gap + width
    placed: list[PlacedLine] = []
    y = top
    for line, line_start in zip(lines, line_starts):
        if not line:
            continue
        shift = 0.0
        if align == "center":
            last_word, last_offset = line[-1]
            total = last_offset + word_width(last_word)
            shift = (abs(end - line_start) - total) / 2
        baseline = y + pitch * 0.72
        pieces: list[PlacedPiece] = []
        for word, offset in line:
            style = word[0].style
            low, high = style.density
            density = low + (high - low) * draft.rng.random()
            dy = draft.rng.uniform(-style.jitter_px, style.jitter_px) if style.jitter_px else 0.0
            x = line_start + sign * (offset + shift)
            for piece in word:
                pieces.append(PlacedPiece(piece=piece, x=x, baseline=baseline + dy, density=density))
                x += sign * _advance(piece.text, piece.style)
        placed.append(PlacedLine(
            pieces=tuple(pieces),
            words=tuple("".join(p.text for p in word) for word, _ in line),
            rtl=rtl,
        ))
        y += pitch
    return placed, y


def _ink_box(placed: PlacedPiece) -> tuple[float, float, float, float]:
    style = placed.piece.style
    anchor = "rs" if style.rtl else "ls"
    left, top, right, bottom = font(style.font, style.size).getbbox(placed.piece.text, anchor=anchor, direction=_direction(style))
    return placed.x + left, placed.baseline + top, placed.x + right, placed.baseline + bottom


def _to_box(left: float, top: float, right: float, bottom: float) -> Box:
    x, y = int(np.floor(left)), int(np.floor(top))
    return x, y, int(np.ceil(right)) - x, int(np.ceil(bottom)) - y


def union(boxes: list[Box]) -> Box:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return left, top, right - left, bottom - top


def draw_lines(draft: Draft, lines: list[PlacedLine], *, record: bool = True) -> None:
    """Draw placed lines into their ink layers; with record, add them to the ground truth
    (text and boxes) and note where each field's characters went."""
    draw = draft.draw
    for line in lines:
        boxes: list[Box] = []
        line_fields: dict[FieldTag, dict[Script, list[Box]]] = {}
        for placed in line.pieces:
            style = placed.piece.style
            anchor = "rs" if style.rtl else "ls"
            draw.text(
                (placed.x, placed.baseline), placed.piece.text,
                font=font(style.font, style.size), fill=ink_colour(style.ink, placed.density), anchor=anchor,
                direction=_direction(style),
            )
            left, top, right, bottom = _ink_box(placed)
            boxes.append(_to_box(left, top, right, bottom))
            if record:
                _record_fields(line_fields, placed, top=top, bottom=bottom)
        if record and boxes:
            draft.lines.append(TextLine(text=" ".join(line.words), lang="ar" if line.rtl else "fr", bbox=union(boxes)))
            # One box per field per line: the words of a field on one line make one box.
            for tag, per_script in line_fields.items():
                for script, found in per_script.items():
                    draft.field_boxes.setdefault(tag, {}).setdefault(script, []).append(union(found))


def _record_fields(line_fields: dict[FieldTag, dict[Script, list[Box]]], placed: PlacedPiece, *,
                   top: float, bottom: float) -> None:
    piece, style = placed.piece, placed.piece.style
    index = 0
    while index < len(piece.text):
        tag = piece.tags[index]
        run_end = index
        while run_end < len(piece.text) and piece.tags[run_end] == tag:
            run_end += 1
        if tag is not None:
            before = _advance(piece.text[:index], style) if index else 0.0
            through = _advance(piece.text[:run_end], style)
            if style.rtl:
                left, right = placed.x - through, placed.x - before
            else:
                left, right = placed.x + before, placed.x + through
            per_script = line_fields.setdefault(tag, {})
            per_script.setdefault(style.script, []).append(_to_box(left, top, right, bottom))
        index = run_end


def set_text(
    draft: Draft,
    spans: list[Span],
    *,
    start: float,
    end: float,
    top: float,
    pitch: float,
    rest_start: float | None = None,
    align: Literal["start", "center"] = "start",
    record: bool = True,
) -> float:
    """Flow and draw spans in one go; returns the y below the last line."""
    if not spans:
        return top
    rtl = spans[0].style.rtl
    lines, bottom = flow(words_of(spans), start=start, end=end, rest_start=rest_start, top=top,
                         pitch=pitch, rtl=rtl, draft=draft, align=align)
    draw_lines(draft, lines, record=record)
    return bottom
