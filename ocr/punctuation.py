"""The Arabic comma Tesseract cannot write, put back after reading.

Tesseract's `ara` models (fast and best alike, and `script/Arabic`) have no ، (U+060C) in
their character set (tesseract-ocr/tesseract#1217). A ، on the page comes out as the
nearest shape the model has. Counted in the error alignments of 18 synthetic Arabic
narrative pages (seeds 31/47/53, best_int `ara`): `,` most often, then `»`, nothing,
`؛`, a glued `ء`, `.`. The ، is about 2.5 % of the characters of an Arabic act, so this
alone is 1.5–2.5 points of line CER.

What is repaired, and why only that:
- `,` with Arabic script before it (a letter or an Arabic-Indic digit, spaces allowed in
  between) and no Latin letter after it: a Latin comma has no place in Arabic prose, so
  this is a ، the model could not write. `1,5`, `Alger, 1987`, `BENALI, Mohamed` and a
  comma between a Latin word and an Arabic one (a bilingual form) are left as read.
- `»` in the same place, when no `«` opens it earlier on the line: a closing guillemet
  with no opening one is not a quotation mark.
- Left as read: `؛` (the model can write the Arabic semicolon, so a ؛ may be one), a
  word-final `ء` (real words end in it: بناء، جزء), `.` (a full stop is a full stop) and
  a ، the model dropped (nothing to see). On the 18 pages, repairing ؛ too would have
  taken 0.2–0.3 more points of line CER and a glued ء 0.01–0.09: not worth a wrong
  repair wherever the page meant them.

Measured (line CER, same OCR before/after, seeds 31/47/53): 3.99/3.67/5.95 % → 1.91/
1.53/4.15 %; French pages: 0 of 144 commas changed; bilingual L1 pages: 9 commas after
Arabic values repaired, nothing on the French side.

A repair swaps one character for one character and never touches a space, so a line's
words keep their boundaries and the text, TSV, hOCR and ALTO of a page stay word for word
the same after `repair_page_outputs` as they were before, apart from the swapped commas.
The character Tesseract wrote is not kept: which wrong glyph stood for a comma the model
cannot write tells a reader nothing, ALTO's String has no attribute for it (ALTERNATIVE
would change the element's shape for every consumer), and the number of repairs per page
is returned for the page's record instead.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ARABIC_COMMA = "\u060c"
# Characters the model writes for a ، (see the module docstring), with their own condition.
_LATIN_COMMA = ","
_CLOSING_GUILLEMET = "\u00bb"
_OPENING_GUILLEMET = "\u00ab"
_CANDIDATES = frozenset((_LATIN_COMMA, _CLOSING_GUILLEMET))
# Marks Tesseract puts between words of an RTL line (RLM, LRM, ALM) count as spaces here.
_INVISIBLE = frozenset("\u200e\u200f\u061c")


def _is_arabic_script(ch: str) -> bool:
    """An Arabic letter, mark or Arabic-Indic digit (not Arabic punctuation)."""
    code = ord(ch)
    in_block = (0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF
                or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF)
    return in_block and unicodedata.category(ch)[0] in "LMN"


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and not _is_arabic_script(ch)


def _neighbour(line: str, index: int, step: int) -> str | None:
    """The nearest character before (step -1) or after (step +1) `index` that is not a
    space or a direction mark; None at the end of the line."""
    index += step
    while 0 <= index < len(line):
        ch = line[index]
        if not ch.isspace() and ch not in _INVISIBLE:
            return ch
        index += step
    return None


def repair_line(line: str) -> tuple[str, int]:
    """One line of text (logical order, as Tesseract writes it) with the ، put back where
    the model wrote `,` or an unopened `»` for it; and how many were put back."""
    if not any(ch in _CANDIDATES for ch in line):
        return line, 0
    chars = list(line)
    repaired = 0
    open_quotes = 0
    for i, ch in enumerate(line):
        if ch == _OPENING_GUILLEMET:
            open_quotes += 1
            continue
        if ch not in _CANDIDATES:
            continue
        if ch == _CLOSING_GUILLEMET and open_quotes:
            open_quotes -= 1
            continue
        before, after = _neighbour(line, i, -1), _neighbour(line, i, +1)
        if before is None:
            continue
        # After Arabic script, or after a number that an Arabic word follows (عام 1987، في).
        if not (_is_arabic_script(before) or (before.isdigit() and after is not None and _is_arabic_script(after)
                                              and not after.isdigit())):
            continue
        if after is not None and (_is_latin_letter(after) or (before.isdigit() and after.isdigit())):
            continue  # Latin follows (a bilingual line), or a number's decimal comma (١,٥)
        chars[i] = ARABIC_COMMA
        repaired += 1
    return ("".join(chars), repaired) if repaired else (line, 0)


def repair_arabic_commas(text: str) -> str:
    """`text` with the Arabic comma put back line by line (see repair_line)."""
    return "".join(repair_line(line)[0] for line in text.splitlines(keepends=True))


def _repair_words(words: list[str]) -> tuple[list[str], int]:
    """The words of one line repaired as the line they make (joined by one space); the
    same number of words back, since a repair never touches a space."""
    line, count = repair_line(" ".join(words))
    if not count:
        return words, 0
    out = line.split(" ")
    if len(out) != len(words):  # a word with a space inside: leave the line as read
        return words, 0
    return out, count


# ---------------------------------------------------------------- a page's outputs


@dataclass(frozen=True)
class PageRepairs:
    """Commas put back per output file of one page (each should say the same)."""

    txt: int
    tsv: int
    hocr: int
    alto: int


def repair_page_outputs(*, txt: Path, tsv: Path, hocr: Path, alto: Path) -> PageRepairs:
    """Rewrite a page's Tesseract outputs with the Arabic comma put back, the same words
    in each file. A file with nothing to repair is left byte for byte alone."""
    return PageRepairs(txt=_repair_file(txt, _repair_txt), tsv=_repair_file(tsv, _repair_tsv),
                       hocr=_repair_file(hocr, _repair_hocr), alto=_repair_file(alto, _repair_alto))


def _repair_file(path: Path, repair) -> int:
    # newline="": Tesseract's line ends are kept as written.
    with path.open(encoding="utf-8", newline="") as stream:
        text = stream.read()
    new, count = repair(text)
    if count:
        with path.open("w", encoding="utf-8", newline="") as stream:
            stream.write(new)
    return count


def _repair_txt(text: str) -> tuple[str, int]:
    total, out = 0, []
    for line in text.splitlines(keepends=True):
        new, count = repair_line(line)
        out.append(new)
        total += count
    return "".join(out), total


def _repair_tsv(text: str) -> tuple[str, int]:
    """Word rows (level 5) grouped by (page, block, paragraph, line), in file order."""
    rows = text.splitlines(keepends=True)
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, row in enumerate(rows):
        cols = row.rstrip("\r\n").split("\t")
        if len(cols) >= 12 and cols[0] == "5":
            groups.setdefault(tuple(cols[1:5]), []).append(index)
    total = 0
    for indexes in groups.values():
        cols = [rows[i].rstrip("\r\n").split("\t") for i in indexes]
        words = ["\t".join(c[11:]) for c in cols]
        new, count = _repair_words(words)
        if not count:
            continue
        total += count
        for i, c, word in zip(indexes, cols, new):
            ending = rows[i][len(rows[i].rstrip("\r\n")):]
            rows[i] = "\t".join(c[:11] + [word]) + ending
    return "".join(rows), total


def _repair_marked_up(text: str, *, line_start: re.Pattern[str], word: re.Pattern[str],
                      escape) -> tuple[str, int]:
    """Words found by `word` (group "text" holds the escaped word) grouped by the line
    element that opened last before them (`line_start`)."""
    starts = [m.start() for m in line_start.finditer(text)]
    groups: dict[int, list[re.Match[str]]] = {}
    line = -1
    for match in word.finditer(text):
        while line + 1 < len(starts) and starts[line + 1] < match.start():
            line += 1
        groups.setdefault(line, []).append(match)
    edits: list[tuple[int, int, str]] = []
    total = 0
    for matches in groups.values():
        words = [html.unescape(m.group("text")) for m in matches]
        new, count = _repair_words(words)
        total += count
        edits += [(m.start("text"), m.end("text"), escape(w)) for m, old, w in zip(matches, words, new) if w != old]
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text, total


_HOCR_LINE = re.compile(r"""class=['"]ocr_(?:line|caption|textfloat|header)['"]""")
_HOCR_WORD = re.compile(r"""<span class=['"]ocrx_word['"][^>]*>(?P<text>[^<]*)</span>""")
_ALTO_LINE = re.compile(r"<TextLine\b")
_ALTO_WORD = re.compile(r"""<String\b[^>]*?\bCONTENT="(?P<text>[^"]*)\"""")


def _escape_hocr(word: str) -> str:
    # As Tesseract escapes word text in hOCR.
    return (word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _repair_hocr(text: str) -> tuple[str, int]:
    return _repair_marked_up(text, line_start=_HOCR_LINE, word=_HOCR_WORD, escape=_escape_hocr)


def _repair_alto(text: str) -> tuple[str, int]:
    return _repair_marked_up(text, line_start=_ALTO_LINE, word=_ALTO_WORD, escape=_escape_hocr)
