"""Arabic regions of a bilingual page, and one reading made of two.

Tesseract's combined model (`-l ara+fra`) writes Latin junk inside Arabic lines and loses
Arabic values (measured on synthetic L1 forms: `ara` alone reads `اللقب : ايت احد` where
`ara+fra` gives `fe`, `Clés`, `LÉ`). A bilingual page is therefore read in two passes:

1. the page's usual `ara+fra` read (kept for everything that is not Arabic: its Latin is
   as good as `fra`'s), whose words are classified by their letters (`word_script`) and
   grouped, line by line, into runs of neighbouring words (`find_arabic_regions`); a run
   whose letters are mostly Arabic becomes an Arabic region (padded, never over a Latin run);
2. `-l ara` on a copy of the page with everything outside the Arabic regions whited out.

The two readings are merged (`merge_tsv`, `merge_hocr`, `merge_alto`, `blank_pdf_words`):
the first reading's words whose centre lies in an Arabic region are dropped, the second
reading's are added with renumbered blocks and unique ids.

Why the look is the full-resolution combined read and not a reduced copy: measured on
300-dpi pages (L1 form, L2 narrative), `ara+fra` at 150 dpi cost 1.9–2.5 s CPU against
2.5 s at 300 dpi (the LSTM works on lines scaled to a fixed height: fewer pixels save
little), and the Debian "fast" models were no faster (1.8–2.8 s). A look that costs a read
is better spent as the read itself.

Status: OFF by default (`script_regions=False` in ocr_page / process_page). Measured side
by side after two fixes (masked copy blanked at paper gray, low-confidence Latin junk not
a Latin run), field accuracy via process_page off → on, same pages and code in one run:
seed 71 L1 0.850 → 0.872, L2 fr+ar 0.898 → 0.896; seed 83 L1 0.876 → 0.910, L2 0.903 →
0.944; seed 97 L1 0.867 → 0.906, L2 0.935 → 0.973. Still lost: Arabic
margin mentions of L1 forms (psm 6 reads the mention region in one block with the Arabic
column and joins their lines: the date leaves its kind word, 6 mention dates over the
three seeds), and now and then a whole paragraph line in psm 6 (seed 71 L2).
CPU +20–40% per bilingual page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

Script = Literal["arabic", "latin"]
Box = tuple[int, int, int, int]  # left, top, right, bottom (pixels, exclusive right/bottom)

_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")

# A run: words of one Tesseract line closer than this many line heights. Tesseract's
# psm-3 lines on an L1 form run across both halves ("Nom : AIT AHMED … اللقب : ايت"), with
# a gap of several line heights between the French value and the Arabic one.
RUN_GAP_LINE_HEIGHTS = 2.0
# A run is Arabic when at least this share of its letters are Arabic (junk Latin words
# inside an Arabic line stay a minority).
ARABIC_SHARE = 0.6
# Padding of an Arabic region, in line heights (dots and marks above and below the box
# Tesseract gives, a word it missed at the end of a line).
PAD_X_LINE_HEIGHTS = 0.6
PAD_Y_LINE_HEIGHTS = 0.35
# Latin letters count only in words read with at least this confidence (0–100). `ara+fra`
# reads some Arabic lines as short Latin junk of low confidence ("or" at 26 for
# "الجنس : ذكر", "ik" at 44 before a margin mention's date): counted, they made Latin runs
# that cut the Arabic column and split a mention's kind word from its date (seed 71 L1).
LATIN_MIN_CONFIDENCE = 50.0


def word_script(text: str) -> Script | None:
    """"arabic" or "latin" by the letters of a word (whichever is the majority); None
    when it has no letters (digits, punctuation) or as many of each."""
    arabic, latin = len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
    if arabic > latin:
        return "arabic"
    if latin > arabic:
        return "latin"
    return None


@dataclass(frozen=True)
class TsvRow:
    """One row of a Tesseract TSV file (every level), columns kept as strings."""

    cols: tuple[str, ...]

    @property
    def level(self) -> int:
        return int(self.cols[0])

    @property
    def line_key(self) -> tuple[str, str, str]:
        return self.cols[2], self.cols[3], self.cols[4]

    @property
    def box(self) -> Box:
        left, top, width, height = (int(v) for v in self.cols[6:10])
        return left, top, left + width, top + height

    @property
    def confidence(self) -> float:
        return float(self.cols[10])

    @property
    def text(self) -> str:
        return "\t".join(self.cols[11:]).strip() if len(self.cols) > 11 else ""


def read_tsv(path: Path) -> tuple[str, list[TsvRow]]:
    """(header line, rows) of a Tesseract TSV file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [TsvRow(tuple(line.split("\t"))) for line in lines[1:] if line.count("\t") >= 10]
    return (lines[0] if lines else ""), rows


@dataclass(frozen=True)
class Run:
    """Neighbouring words of one line: box, letters by script, word count."""

    box: Box
    arabic_letters: int
    latin_letters: int
    words: int

    @property
    def script(self) -> Script | None:
        letters = self.arabic_letters + self.latin_letters
        if letters == 0:
            return None
        if self.arabic_letters >= ARABIC_SHARE * letters:
            return "arabic"
        if self.latin_letters >= ARABIC_SHARE * letters:
            return "latin"
        return None


@dataclass(frozen=True)
class ScriptRegions:
    """What the first reading said about a page's scripts.

    arabic: padded Arabic regions (left, top, right, bottom); latin / unclear: how many
    runs were Latin or of no clear script (those stay with the first reading)."""

    arabic: tuple[Box, ...]
    arabic_runs: int
    latin_runs: int
    unclear_runs: int

    def as_measured(self) -> dict:
        return {"arabic_regions": [list(b) for b in self.arabic], "arabic_runs": self.arabic_runs,
                "latin_runs": self.latin_runs, "unclear_runs": self.unclear_runs}


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def line_runs(rows: list[TsvRow]) -> list[Run]:
    """Words of each TSV line split where the gap between two neighbours exceeds
    RUN_GAP_LINE_HEIGHTS line heights (columns that Tesseract joined into one line)."""
    lines: dict[tuple[str, str, str], list[TsvRow]] = {}
    for row in rows:
        if row.level == 5 and row.text:
            lines.setdefault(row.line_key, []).append(row)
    runs = []
    for words in lines.values():
        words = sorted(words, key=lambda r: r.box[0])
        height = float(np.median([w.box[3] - w.box[1] for w in words]))
        current: list[TsvRow] = [words[0]]
        for word in words[1:]:
            if word.box[0] - max(w.box[2] for w in current) > RUN_GAP_LINE_HEIGHTS * height:
                runs.append(_run(current))
                current = []
            current.append(word)
        runs.append(_run(current))
    return runs


def _run(words: list[TsvRow]) -> Run:
    box = words[0].box
    for word in words[1:]:
        box = _union(box, word.box)
    text = " ".join(w.text for w in words)
    latin = " ".join(w.text for w in words if w.confidence >= LATIN_MIN_CONFIDENCE)
    return Run(box, len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(latin)), len(words))


def find_arabic_regions(*, tsv_path: Path, width: int, height: int) -> ScriptRegions:
    """Arabic regions of a page from the TSV of its `ara+fra` reading: each Arabic run's
    box, padded (less where the padding would reach a Latin run), clipped to the page."""
    _, rows = read_tsv(tsv_path)
    runs = line_runs(rows)
    latin = [r.box for r in runs if r.script == "latin"]
    regions = []
    for run in runs:
        if run.script != "arabic":
            continue
        line_height = run.box[3] - run.box[1]
        pad_x, pad_y = int(PAD_X_LINE_HEIGHTS * line_height), int(PAD_Y_LINE_HEIGHTS * line_height)
        box = run.box
        # Pad each side on its own, and only as far as no Latin run is reached.
        for side, delta in ((0, -pad_x), (2, pad_x), (1, -pad_y), (3, pad_y)):
            grown = list(box)
            grown[side] += delta
            candidate = (max(0, grown[0]), max(0, grown[1]), min(width, grown[2]), min(height, grown[3]))
            if not any(_overlaps(candidate, other) for other in latin):
                box = candidate
        regions.append(box)
    return ScriptRegions(tuple(merge_columns(regions, latin=latin)), sum(r.script == "arabic" for r in runs),
                         len(latin), sum(r.script is None for r in runs))


def merge_columns(boxes: list[Box], *, latin: list[Box]) -> list[Box]:
    """Arabic regions above one another (x ranges overlapping by half the narrower)
    joined into one when the joined box meets no Latin run: the lines between them that
    the first reading lost altogether (measured on an L1 form: `ara+fra` returned no word
    of the surname, given-name and sex lines of the Arabic half) are read by the `ara`
    pass too, and it sees a column, not scattered lines."""
    merged = sorted(boxes, key=lambda b: (b[1], b[0]))
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                overlap = min(a[2], b[2]) - max(a[0], b[0])
                if overlap < 0.5 * min(a[2] - a[0], b[2] - b[0]):
                    continue
                joined = _union(a, b)
                if any(_overlaps(joined, other) for other in latin):
                    continue
                merged[i] = joined
                del merged[j]
                changed = True
                break
            if changed:
                break
    return merged


def centre_inside(box: Box, regions: tuple[Box, ...]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(r[0] <= x < r[2] and r[1] <= y < r[3] for r in regions)


def masked_image(*, pixels: np.ndarray, keep: tuple[Box, ...], inside: bool) -> np.ndarray:
    """A copy of a gray page, same size: with `inside`, the `keep` boxes on a blank page
    of their own paper's gray (the median of their pixels); otherwise the boxes whited out.

    Why paper gray and not white: Tesseract binarises the whole image with one Otsu
    threshold. Pure white around regions of darker paper splits the histogram between
    the white and the paper, and the paper turns black: on a seed-83 page of paper gray
    217 the threshold went from 156 (the page) to 227 (the white-masked copy) and the
    `ara` pass read nothing but noise (acts 262–264 lost, the page taken for a narrative)."""
    if inside:
        kept = [pixels[top:bottom, left:right].ravel() for left, top, right, bottom in keep]
        kept = [k for k in kept if k.size]
        paper = int(np.median(np.concatenate(kept))) if kept else 255
        out = np.full_like(pixels, paper)
        for left, top, right, bottom in keep:
            out[top:bottom, left:right] = pixels[top:bottom, left:right]
        return out
    out = pixels.copy()
    for left, top, right, bottom in keep:
        out[top:bottom, left:right] = 255
    return out


# ---------------------------------------------------------------- merging two readings


def kept_words(rows: list[TsvRow], regions: tuple[Box, ...]) -> list[bool]:
    """Per non-empty word of the first reading, in order: True when it stays (its centre
    is outside every Arabic region). The order is Tesseract's result order, the one its
    TSV, hOCR, ALTO and PDF renderers share."""
    return [not centre_inside(r.box, regions) for r in rows if r.level == 5 and r.text]


def merge_tsv(*, first: Path, second: Path, regions: tuple[Box, ...], out: Path) -> tuple[int, int]:
    """The first reading's rows without its words inside `regions` (and without the
    lines, paragraphs and blocks left empty), then the second reading's rows with block
    numbers after the first's. Written to `out`; returns (words kept, words added)."""
    header, rows = read_tsv(first)
    _, extra = read_tsv(second)
    drop = {i for i, r in enumerate(rows) if r.level == 5 and r.text and centre_inside(r.box, regions)}
    kept_rows = [r for i, r in enumerate(rows) if i not in drop]
    # Keep an enclosing row only if a word (any, even empty) of it remains.
    live = set()
    for r in kept_rows:
        if r.level == 5:
            live.update({(r.cols[2],), (r.cols[2], r.cols[3]), (r.cols[2], r.cols[3], r.cols[4])})
    keys = {2: 1, 3: 2, 4: 3}
    kept_rows = [r for r in kept_rows if r.level not in keys or tuple(r.cols[2:2 + keys[r.level]]) in live]
    offset = max((int(r.cols[2]) for r in rows if r.level >= 2), default=0)
    moved = []
    for r in extra:
        if r.level >= 2:
            cols = list(r.cols)
            cols[2] = str(int(cols[2]) + offset)
            r = TsvRow(tuple(cols))
        if r.level > 1:
            moved.append(r)
    lines = [header] + ["\t".join(r.cols) for r in kept_rows + moved]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    added = sum(1 for r in moved if r.level == 5 and r.text)
    kept = sum(1 for r in kept_rows if r.level == 5 and r.text)
    return kept, added


def tsv_text(tsv_path: Path) -> str:
    """Plain text from a TSV, as Tesseract's TXT renderer lays it out (a line per line, a
    blank line between paragraphs), blocks in reading order by position: top to bottom
    by the block's top, then left to right."""
    _, rows = read_tsv(tsv_path)
    blocks: dict[str, TsvRow] = {r.cols[2]: r for r in rows if r.level == 2}
    words: dict[str, dict[tuple[str, str], list[str]]] = {}
    for r in rows:
        if r.level == 5 and r.text:
            words.setdefault(r.cols[2], {}).setdefault((r.cols[3], r.cols[4]), []).append(r.text)
    order = sorted(words, key=lambda b: (blocks[b].box[1], blocks[b].box[0]) if b in blocks else (0, 0))
    parts = []
    for block in order:
        paragraphs: dict[str, list[str]] = {}
        for (par, _line), texts in words[block].items():
            paragraphs.setdefault(par, []).append(" ".join(texts))
        parts.extend("\n".join(lines) + "\n" for lines in paragraphs.values())
    return "\n".join(parts)


_HOCR_HEAD = re.compile(r"^(.*?)(<html\b)", re.DOTALL)
_XHTML = "http://www.w3.org/1999/xhtml"
_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")


def _hocr_tree(path: Path) -> tuple[str, ET.Element]:
    text = path.read_text(encoding="utf-8")
    head = _HOCR_HEAD.match(text)
    prologue = head.group(1) if head else ""
    ET.register_namespace("", _XHTML)
    return prologue, ET.fromstring(text[len(prologue):])


def _bbox(element: ET.Element) -> Box | None:
    found = _BBOX.search(element.get("title", ""))
    return tuple(int(v) for v in found.groups()) if found else None  # type: ignore[return-value]


def _prune(parent: ET.Element, *, is_word, keep_word) -> bool:
    """Remove words for which keep_word is False, then every element left holding no
    word (lines, paragraphs, blocks). True when `parent` still holds a word."""
    holds = False
    for child in list(parent):
        if is_word(child):
            if keep_word(child):
                holds = True
            else:
                parent.remove(child)
        elif len(child):
            if _prune(child, is_word=is_word, keep_word=keep_word):
                holds = True
            else:
                parent.remove(child)
    return holds


def merge_hocr(*, first: Path, second: Path, regions: tuple[Box, ...], out: Path) -> None:
    """The first hOCR without its words inside `regions` (and emptied lines, paragraphs,
    areas), with the second's areas appended to its ocr_page; ids of the second renumbered
    after the first's (`word_1_N`, the page-1 form pipeline/read.py renumbers per page)."""
    prologue, root = _hocr_tree(first)
    _, other = _hocr_tree(second)
    ns = f"{{{_XHTML}}}"
    page = next(e for e in root.iter(f"{ns}div") if e.get("class") == "ocr_page")
    other_page = next(e for e in other.iter(f"{ns}div") if e.get("class") == "ocr_page")

    def is_word(e: ET.Element) -> bool:
        return e.get("class") == "ocrx_word"

    def keep_word(e: ET.Element) -> bool:
        box = _bbox(e)
        return box is None or not centre_inside(box, regions)

    _prune(page, is_word=is_word, keep_word=keep_word)
    highest: dict[str, int] = {}
    for e in root.iter():
        found = re.fullmatch(r"([a-z]+)_1_(\d+)", e.get("id", ""))
        if found:
            highest[found.group(1)] = max(highest.get(found.group(1), 0), int(found.group(2)))
    for e in other_page.iter():
        found = re.fullmatch(r"([a-z]+)_1_(\d+)", e.get("id", ""))
        if found and e is not other_page:
            e.set("id", f"{found.group(1)}_1_{int(found.group(2)) + highest.get(found.group(1), 0)}")
    for child in list(other_page):
        page.append(child)
    body = ET.tostring(root, encoding="unicode")
    out.write_text(prologue + body + "\n", encoding="utf-8")


_ALTO_NS = "http://www.loc.gov/standards/alto/ns-v3#"


def merge_alto(*, first: Path, second: Path, regions: tuple[Box, ...], out: Path) -> None:
    """The first ALTO without its Strings inside `regions` (and emptied lines and
    blocks), the second's TextBlocks appended to its PrintSpace with IDs made unique."""
    from ocr.tesseract import _ALTO_NAMESPACES

    for prefix, uri in _ALTO_NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(first.read_text(encoding="utf-8").split("?>", 1)[-1])
    other = ET.fromstring(second.read_text(encoding="utf-8").split("?>", 1)[-1])
    ns = f"{{{_ALTO_NS}}}"
    space = next(root.iter(f"{ns}PrintSpace"))
    other_space = next(other.iter(f"{ns}PrintSpace"))

    def is_word(e: ET.Element) -> bool:
        return e.tag == f"{ns}String"

    def keep_word(e: ET.Element) -> bool:
        left, top = int(float(e.get("HPOS", 0))), int(float(e.get("VPOS", 0)))
        box = (left, top, left + int(float(e.get("WIDTH", 0))), top + int(float(e.get("HEIGHT", 0))))
        return not centre_inside(box, regions)

    _prune(space, is_word=is_word, keep_word=keep_word)
    # SP elements left at a line's edge after its words went are harmless; IDs of the
    # second reading get a prefix (Tesseract numbers both from the same start).
    for e in other_space.iter():
        if e.get("ID"):
            e.set("ID", "s2_" + e.get("ID"))
    for child in list(other_space):
        space.append(child)
    body = ET.tostring(root, encoding="unicode")
    out.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", encoding="utf-8")


_TJ = re.compile(rb"\[ <([0-9A-Fa-f]*)> \] TJ")


def blank_pdf_words(*, qdf_pdf: Path, keep: list[bool]) -> int:
    """Blank, in a text-only page PDF written by Tesseract and expanded by `qpdf --qdf`
    (content stream uncompressed), the words whose `keep` is False: each word is one
    `[ <hex> ] TJ`, in the same order as the TSV's non-empty words. Each character code
    is replaced by a space (0020), so stream lengths do not change. Returns how many words
    were blanked; raises ValueError when the PDF's word count differs from `keep`'s."""
    data = qdf_pdf.read_bytes()
    matches = list(_TJ.finditer(data))
    if len(matches) != len(keep):
        raise ValueError(f"the text PDF holds {len(matches)} words, the TSV {len(keep)}")
    out = bytearray(data)
    blanked = 0
    for match, stays in zip(matches, keep):
        if stays:
            continue
        start, end = match.span(1)
        out[start:end] = b"0020" * ((end - start) // 4)
        blanked += 1
    qdf_pdf.write_bytes(bytes(out))
    return blanked
