"""What extraction reads: Tesseract's words with their boxes and confidences, put in a
levelled frame, and grouped into lines of one script side.

Tesseract's TSV keeps block/paragraph/line numbers; those lines are good at following a
slightly skewed row but often join the French and the Arabic half of a form row, or
break one row into pieces from different blocks. So lines are rebuilt here: Tesseract's
lines cut at a given x (the form's middle, a margin's edge), then pieces of the same
row on the same side joined again.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.extract.text import arabic_share, strip_marks

Box = tuple[int, int, int, int]  # x, y, width, height in page image pixels


@dataclass(frozen=True)
class OcrWord:
    """One word as Tesseract read it.

    box: in the page image (what a viewer highlights); left/top/right/bottom: in the
    levelled frame (the page turned by -skew), where rows are horizontal.
    conf: 0..1 (Tesseract's 0..100 scaled; unscored words get 0)."""

    text: str
    conf: float
    box: Box
    line_key: tuple[int, int, int]
    left: float
    top: float
    right: float
    bottom: float
    page: int = 1
    index: int = 0  # position in the TSV: Tesseract's reading order within its line

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def is_arabic(self) -> bool:
        return arabic_share(self.text) >= 0.5


def read_ocr_words(tsv_path: Path, *, page: int = 1) -> list[OcrWord]:
    """Word rows of a Tesseract TSV with their line numbers (read_tsv_words drops them).
    Empty and blank words (Tesseract's boxes around rules and images) are left out."""
    words = []
    for row in tsv_path.read_text(encoding="utf-8").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = strip_marks("\t".join(cols[11:])).strip()
        if not text:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        conf = max(0.0, float(cols[10])) / 100.0
        words.append(OcrWord(text=text, conf=conf, box=(left, top, width, height),
                             line_key=(int(cols[2]), int(cols[3]), int(cols[4])),
                             left=left, top=top, right=left + width, bottom=top + height, page=page,
                             index=len(words)))
    return level_words(words)


def estimate_skew(words: Sequence[OcrWord]) -> float:
    """Slope (radians) of the text rows, from the word centres of Tesseract's lines:
    the median over lines of three words or more (robust to a few odd lines)."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = defaultdict(list)
    for word in words:
        lines[word.line_key].append(word)
    slopes = []
    for members in lines.values():
        members = [w for w in members if len(w.text) >= 2]
        if len(members) < 3:
            continue
        xs = [(w.box[0] + w.box[2] / 2) for w in members]
        ys = [(w.box[1] + w.box[3]) for w in members]  # bottoms: less varied than centres
        span = max(xs) - min(xs)
        if span < 200:
            continue
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        if abs(slope) < 0.15:
            slopes.append(slope)
    return math.atan(statistics.median(slopes)) if len(slopes) >= 3 else 0.0


def level_words(words: Sequence[OcrWord]) -> list[OcrWord]:
    """Words with their frame coordinates turned so that rows are horizontal; boxes
    stay those of the image. Pages are deskewed before OCR, but not always (or not
    perfectly): a form's columns are told apart by x, and 2° over a page is 80 pixels."""
    angle = estimate_skew(words)
    if abs(angle) < 1e-4:
        return list(words)
    cos, sin = math.cos(angle), math.sin(angle)
    levelled = []
    for word in words:
        x, y, w, h = word.box
        cx, cy = x + w / 2, y + h / 2
        nx, ny = cx * cos + cy * sin, -cx * sin + cy * cos
        levelled.append(replace(word, left=nx - w / 2, right=nx + w / 2, top=ny - h / 2, bottom=ny + h / 2))
    return levelled


@dataclass(frozen=True)
class Line:
    """Words of one row on one side, in reading order (left to right for Latin text,
    right to left for Arabic)."""

    words: tuple[OcrWord, ...]
    rtl: bool

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> float:
        return min(w.left for w in self.words)

    @property
    def right(self) -> float:
        return max(w.right for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def cy(self) -> float:
        return statistics.median(w.cy for w in self.words)

    @property
    def start(self) -> float:
        """Where reading starts: the left edge, or the right edge of an RTL line."""
        return self.right if self.rtl else self.left


def ordered(words: Iterable[OcrWord], *, rtl: bool) -> tuple[OcrWord, ...]:
    """Reading order by position. Not Tesseract's word order: on lines mixing scripts
    or digits it is sometimes visual, sometimes logical. By left edges, also for Arabic:
    Tesseract's Arabic boxes sometimes stretch rightwards over the word before (a box
    for علي covering بن and the label), never (seen) leftwards."""
    return tuple(sorted(words, key=lambda w: (-w.left, -w.right) if rtl else (w.left, w.right)))


def union_box(words: Iterable[OcrWord]) -> Box | None:
    boxes = [w.box for w in words]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def typical_height(words: Sequence[OcrWord]) -> float:
    heights = [w.height for w in words if len(w.text) >= 3]
    return statistics.median(heights) if heights else 30.0


def build_lines(words: Sequence[OcrWord], *, rtl: bool, row_tolerance: float | None = None) -> list[Line]:
    """Lines of one side, top to bottom: Tesseract's lines, then pieces of one row
    (vertical centres within row_tolerance, default 0.45 × the typical word height)
    joined, as long as they do not overlap horizontally."""
    if not words:
        return []
    tolerance = row_tolerance if row_tolerance is not None else 0.45 * typical_height(words)
    pieces: dict[tuple[int, int, int], list[OcrWord]] = defaultdict(list)
    for word in words:
        pieces[word.line_key].append(word)
    rows: list[list[OcrWord]] = []
    for piece in sorted(pieces.values(), key=lambda p: statistics.median(w.cy for w in p)):
        # One Tesseract line may still hold two rows when a page is skewed past what its
        # line finder follows: split at a jump of the centre.
        for part in _split_rows(piece, tolerance=tolerance * 1.6):
            cy = statistics.median(w.cy for w in part)
            left, right = min(w.left for w in part), max(w.right for w in part)
            for row in reversed(rows[-4:]):
                row_cy = statistics.median(w.cy for w in row)
                row_left, row_right = min(w.left for w in row), max(w.right for w in row)
                overlap = min(right, row_right) - max(left, row_left)
                if abs(row_cy - cy) <= tolerance and overlap < 0.3 * min(right - left, row_right - row_left):
                    row.extend(part)
                    break
            else:
                rows.append(list(part))
    rows.sort(key=lambda r: statistics.median(w.cy for w in r))
    return [Line(words=ordered(row, rtl=rtl), rtl=rtl) for row in rows]


def _split_rows(words: list[OcrWord], *, tolerance: float) -> list[list[OcrWord]]:
    words = sorted(words, key=lambda w: w.cy)
    groups: list[list[OcrWord]] = [[words[0]]]
    for word in words[1:]:
        if word.cy - statistics.median(w.cy for w in groups[-1]) > tolerance:
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups
