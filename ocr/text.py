"""Text helpers for what Tesseract read: script counting and normalisation for search.

The text as read is kept unchanged elsewhere (hOCR/ALTO/TXT outputs); these functions
derive values from it and never replace it.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

# Arabic-Indic (U+0660–0669, used in the Mashriq and in some Algerian registers) and
# Eastern Arabic-Indic (U+06F0–06F9, Persian/Urdu forms that turn up in typed text)
# digits become ASCII so that a search for "1987" finds "١٩٨٧".
ARABIC_DIGITS_TO_ASCII = {cp: ord("0") + i for i, cp in enumerate(range(0x0660, 0x066A))} | {
    cp: ord("0") + i for i, cp in enumerate(range(0x06F0, 0x06FA))
}

Direction = Literal["rtl", "ltr", "mixed"]

# Share of letters that must be in one script before a page is called rtl or ltr;
# bilingual L1 forms (French labels left, Arabic right) fall in between: "mixed".
_MAJORITY = 0.8


def normalise_for_search(text: str) -> str:
    """NFC, with Arabic-Indic and Eastern Arabic-Indic digits mapped to ASCII digits."""
    return unicodedata.normalize("NFC", text).translate(ARABIC_DIGITS_TO_ASCII)


def _is_arabic_letter(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0600 <= cp <= 0x06FF  # Arabic
        or 0x0750 <= cp <= 0x077F  # Arabic Supplement
        or 0x08A0 <= cp <= 0x08FF  # Arabic Extended-A
        or 0xFB50 <= cp <= 0xFDFF  # presentation forms A
        or 0xFE70 <= cp <= 0xFEFF  # presentation forms B
    ) and ch.isalpha()


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and "LATIN" in unicodedata.name(ch, "")


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic-script letters, Latin-script letters) in text; digits and punctuation count for neither."""
    arabic = latin = 0
    for ch in text:
        if _is_arabic_letter(ch):
            arabic += 1
        elif _is_latin_letter(ch):
            latin += 1
    return arabic, latin


def text_direction(text: str) -> Direction:
    """"rtl" when at least 80% of the letters are Arabic script, "ltr" when at least 80% are
    Latin, "mixed" otherwise. A page without letters is "ltr": nothing to order, and the
    default base direction of a PDF/hOCR page."""
    arabic, latin = script_counts(text)
    letters = arabic + latin
    if letters == 0:
        return "ltr"
    if arabic / letters >= _MAJORITY:
        return "rtl"
    if latin / letters >= _MAJORITY:
        return "ltr"
    return "mixed"
