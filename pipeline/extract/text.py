"""Small text tools for reading OCR output of registers: script folding, Arabic
normalisation, edit distance and fuzzy look-up in a closed vocabulary.

Everything here derives comparison keys; the text as read is never replaced by them
(values keep what the page says, keys only decide what it means).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from ocr.text import ARABIC_DIGITS_TO_ASCII

V = TypeVar("V")

# Marks Tesseract and editors put around mixed-direction text; they carry no letters.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"), None)
# Vowel marks, shadda, sukun, superscript alef, and tatweel: typists and OCR add or drop
# them freely; they never distinguish two words of a register.
_ARABIC_MARKS = dict.fromkeys([*range(0x064B, 0x0653), 0x0670, 0x0640], None)
# Hamza seats and final forms that clerks (and OCR) write either way.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
                              "ک": "ك", "ی": "ي", "ہ": "ه"})


def strip_marks(text: str) -> str:
    """Without bidi control marks, digits in ASCII: what OCR adds around RTL text."""
    return unicodedata.normalize("NFC", text).translate(_BIDI_MARKS).translate(ARABIC_DIGITS_TO_ASCII)


def fold_arabic(text: str) -> str:
    """Comparison key for Arabic: no vowel marks or tatweel, one alef, ى→ي, ة→ه."""
    return strip_marks(text).translate(_ARABIC_MARKS).translate(_ARABIC_FOLD)


def fold_latin_char(ch: str) -> str:
    """One character for one character (so offsets survive): lower case, no accent."""
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    return base.lower()


def fold_latin(text: str) -> str:
    """Comparison key for French: lower case, accents dropped, same length as text."""
    return "".join(fold_latin_char(ch) for ch in strip_marks(text))


def is_arabic_char(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


def arabic_share(text: str) -> float:
    """Share of letters in Arabic script (0 when there are no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_arabic_char(ch)) / len(letters)


def levenshtein(a: str, b: str, *, limit: int | None = None) -> int:
    """Edit distance; stops early and returns limit + 1 once it is certainly above limit."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def default_tolerance(length: int) -> int:
    """Edits allowed for a word of this length: short words must be exact (too many
    neighbours: six/dix, un/en), one edit from four letters, two from eight."""
    if length <= 3:
        return 0
    if length < 8:
        return 1
    return 2


@dataclass(frozen=True)
class Match(Generic[V]):
    key: str
    value: V
    distance: int


def fuzzy_lookup(token: str, vocabulary: Mapping[str, V], *, tolerance: int | None = None) -> Match[V] | None:
    """The vocabulary entry nearest to token within the tolerance (by default from the
    entry's length), or None — also None when two entries at the same distance mean
    different things: a guess between two numbers is worse than no reading."""
    if token in vocabulary:
        return Match(token, vocabulary[token], 0)
    best: list[Match[V]] = []
    for key, value in vocabulary.items():
        allowed = default_tolerance(min(len(key), len(token))) if tolerance is None else tolerance
        if allowed == 0:
            continue
        distance = levenshtein(token, key, limit=allowed)
        if distance > allowed:
            continue
        if not best or distance < best[0].distance:
            best = [Match(key, value, distance)]
        elif distance == best[0].distance:
            best.append(Match(key, value, distance))
    if not best:
        return None
    if len({repr(m.value) for m in best}) > 1:
        return None
    return best[0]
