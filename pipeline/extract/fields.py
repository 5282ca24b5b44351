"""Extracted values: what each script side of a page says about a field, and how the
two readings are combined into one value with one confidence.

Confidence is the product of what OCR says of the words (Tesseract's word confidences)
and what parsing says of the text (edits needed to read a date, a label that had to be
guessed, characters a name cannot hold). Where a bilingual page says the same thing
twice — dates, hours, sex, the act number — agreement of the two scripts raises the
confidence and disagreement sinks it: two independent readings that agree are rarely
both wrong.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from pipeline.extract.names import repair_final_ya, repair_latin_i, same_name, suspicious_final_ya
from pipeline.extract.ocr_words import Box, OcrWord, union_box
from pipeline.extract.text import arabic_share, fold_arabic, fold_latin, fuzzy_lookup, is_arabic_char

Script = str  # "lat" | "ar"

# Below this a reading is not used to raise the other script's confidence.
_AGREEMENT_FLOOR = 0.3


@dataclass(frozen=True)
class Reading:
    """One script's reading of a field: the text as read, the words it came from, a
    normalised value when the field has one (ISO date, "M"/"F", "10:30"), and its
    confidence (0..1)."""

    script: Script
    text: str
    words: tuple[OcrWord, ...]
    conf: float
    value: str | None = None
    precision: str | None = None
    as_written: str | None = None
    note: str | None = None
    # A date whose year was taken from the register: its confidence once the other acts
    # of the page or register confirm that year (acts.check_register).
    conf_if_year_confirmed: float | None = None

    @property
    def bbox(self) -> Box | None:
        return union_box(self.words)

    @property
    def page(self) -> int | None:
        return self.words[0].page if self.words else None


@dataclass(frozen=True)
class FieldValue:
    """A field of an act: the readings by script and the combined value/confidence.
    For names and places `value` is None and the readings' texts are the values."""

    name: str
    readings: tuple[Reading, ...]
    conf: float
    value: str | None = None
    precision: str | None = None
    notes: tuple[str, ...] = field(default=())

    def text(self, script: Script) -> str | None:
        for reading in self.readings:
            if reading.script == script:
                return reading.text
        return None

    def reading(self, script: Script) -> Reading | None:
        for reading in self.readings:
            if reading.script == script:
                return reading
        return None

    @property
    def words(self) -> tuple[OcrWord, ...]:
        """The words of the readings of the field itself (not of hints such as the
        "Fils de" label that says the sex)."""
        own = [r for r in self.readings if not (r.note or "").startswith("from")] or list(self.readings)
        return tuple(w for r in own for w in r.words)

    @property
    def bbox(self) -> Box | None:
        return union_box(self.words)

    @property
    def page(self) -> int | None:
        pages = [w.page for w in self.words]
        return min(pages) if pages else None


def ocr_conf(words: Sequence[OcrWord], *, mean: bool = False) -> float:
    """Tesseract's say on a run of words: the weakest word for a name (one wrong letter
    makes a wrong name), the mean for long phrases whose parse checks them anyway."""
    scored = [w.conf for w in words if any(ch.isalnum() for ch in w.text)]
    if not scored:
        return 0.0
    return statistics.fmean(scored) if mean else min(scored)


def words_text(words: Iterable[OcrWord]) -> str:
    return " ".join(w.text for w in words)


# --- shapes of names -------------------------------------------------------------------

_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ'’\- ]+$")
_ARABIC_NAME_CHARS = re.compile(r"^[\u0621-\u064A\u0671-\u06D3\u064B-\u0652 ]+$")


def name_shape_factor(text: str, *, script: Script, upper: bool | None = None) -> float:
    """How much a text looks like a name of its script: 1.0, or less for digits, stray
    symbols, the other script, or (Latin) the wrong case — a surname is in capitals
    in these registers, a given name is not."""
    text = text.strip()
    if not text:
        return 0.0
    if script == "ar":
        if not _ARABIC_NAME_CHARS.match(text):
            return 0.3 if arabic_share(text) < 1.0 else 0.6
        # Single letters are rarely a name part: debris of a wrongly cut word; two alefs
        # in a row are never Arabic spelling (عااشة for عائشة).
        if any(len(part) == 1 and part != "و" for part in text.split()) or "اا" in text:
            return 0.5
        return 1.0
    if not _LATIN_NAME.match(text):
        return 0.3
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 2:
        return 0.3  # "H": the rest of the name was cut off or read as another word
    words = [w for w in re.split(r"[ \-']", text) if w]
    factor = 1.0
    # Tesseract reads a final I as T in typed capitals: ABDELLAOUT, OULD-ALT (the
    # Algerian endings are -AOUI, -ALI); such a reading waits for a person.
    if any(w.upper().endswith(_SUSPECT_ENDINGS) for w in words):
        factor = 0.8
    if upper is True and not all(ch.isupper() for ch in letters):
        return 0.5
    if upper is False:
        if any(w[0].islower() and w.lower() not in _LOWER_PARTICLES for w in words):
            return 0.6
        # Given names and places are in lower case after the capital: "EL Harrach",
        # "EL Hachemi" are misreadings of El.
        if any(len(w) >= 2 and w.isupper() for w in words):
            return 0.6
    return factor


_LOWER_PARTICLES = {"el", "ben", "bel", "bou", "ould", "de", "d'", "ait"}
_SUSPECT_ENDINGS = ("AOUT", "ALT", "OUT")


def text_reading(*, script: Script, words: Sequence[OcrWord], upper: bool | None = None, factor: float = 1.0,
                 note: str | None = None) -> Reading | None:
    """A name or place reading: text as read, conf = weakest word × shape."""
    # Vowel marks read alone (a speck read as a tanwin) are no word of the value.
    words = tuple(w for w in words if w.text.strip(" ,.;:،؛") and not _marks_only(w.text))
    # Figures at either end of a name or a place are debris (a number from the margin or
    # the line above, a stamp) or a word misread past recognition: the value is what is
    # left, never sure enough to pass without review.
    while words and _figures_only(words[0].text):
        words, factor = words[1:], factor * 0.5
    while words and _figures_only(words[-1].text):
        words, factor = words[:-1], factor * 0.5
    if not words:
        return None
    text = clean_value(words_text(words))
    if not text:
        return None
    if script == "lat" and not upper:
        # The article of place names (Bab El Oued, El Harrach) is written "El"; OCR reads
        # its l as I ("EI", no French or Algerian word) or capitalises it.
        text = _article_el(text)
    conf = ocr_conf(words) * name_shape_factor(text, script=script, upper=upper) * factor
    return Reading(script=script, text=text, words=words, conf=round(conf, 3), note=note)


def _article_el(text: str) -> str:
    return re.sub(r"\bE[IlL](?= \w)", "El", text)


def _marks_only(text: str) -> bool:
    bare = text.strip(" ,.;:،؛")
    return bool(bare) and all("\u064b" <= ch <= "\u0652" or ch == "\u0670" for ch in bare)


def _figures_only(text: str) -> bool:
    bare = text.strip(" ,.;:،؛|»«()[]{}_—-=*'\"")
    return bool(bare) and all(ch.isdigit() for ch in bare)


def clean_value(text: str) -> str:
    """Trailing and leading punctuation is the form's or the comma's, not the value's;
    so is a final ء glued to an Arabic word when no alef carries it (OCR's reading of
    the Arabic comma: عاملء), while أسماء, سناء keep theirs."""
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" ,.;:،؛|»«()[]{}_—-=*'\"")
    if len(text) > 2 and text.endswith("ء") and text[-2] not in "اأآإ" and is_arabic_char(text[-2]):
        text = text[:-1]
    return text


# --- combining readings ---------------------------------------------------------------


def combine_text(name: str, readings: Sequence[Reading | None]) -> FieldValue | None:
    """Names and places: both scripts kept; the field's confidence is the weaker one,
    since both will be shown as the act's values."""
    present = tuple(r for r in readings if r is not None)
    if not present:
        return None
    return FieldValue(name=name, readings=present, conf=min(r.conf for r in present))


def _compatible(a: str, b: str) -> bool:
    """Same value, or one a coarser reading of the other ("1987-03" and "1987-03-16")."""
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def combine_values(name: str, readings: Sequence[Reading | None]) -> FieldValue | None:
    """Dates, hours, sex, numbers: one value. Readings that agree make it nearly sure
    (1 − Π(1 − cᵢ)); a disagreeing reading lowers it by as much as that reading is sure
    of itself (a confident contradiction sinks it, a garbled one barely matters)."""
    present = tuple(r for r in readings if r is not None and r.value is not None)
    if not present:
        return None
    # The most precise value among the most confident: a full date beats its month.
    best = max(present, key=lambda r: (r.conf, len(r.value)))
    if name == "act_number":
        # "7" against "37": OCR loses a digit far more often than it invents one; the
        # longer number is the likelier (the disagreement still sends it to review).
        longer = [r for r in present if r.value != best.value and r.value.endswith(best.value)
                  and r.conf >= _AGREEMENT_FLOOR]
        if longer:
            best = max(longer, key=lambda r: r.conf)
    agreeing = [r for r in present if _compatible(r.value, best.value)]
    precise = max(agreeing, key=lambda r: (len(r.value), r.conf))
    if precise is not best and precise.conf >= _AGREEMENT_FLOOR:
        best = precise
    against = [r for r in present if not _compatible(r.value, best.value)]
    miss = 1.0
    for reading in agreeing:
        if reading.value == best.value and reading.conf >= _AGREEMENT_FLOOR:
            miss *= 1.0 - reading.conf
    conf = max(1.0 - miss, best.conf) if len(agreeing) > 1 else best.conf
    notes: tuple[str, ...] = ()
    for reading in against:
        conf *= 1.0 - 0.8 * reading.conf
    if against:
        notes = (f"scripts disagree: {', '.join(f'{r.script}={r.value}' for r in present)}",)
    return FieldValue(name=name, readings=present, conf=round(conf, 3), value=best.value, precision=best.precision,
                      notes=notes)


# --- sex -------------------------------------------------------------------------------

_SEX_FR = {"masculin": "M", "feminin": "F", "male": "M", "femelle": "F"}
_SEX_AR = {fold_arabic(k): v for k, v in {"ذكر": "M", "أنثى": "F", "انثى": "F", "انثي": "F"}.items()}


def sex_reading(*, script: Script, words: Sequence[OcrWord]) -> Reading | None:
    words = tuple(words)
    if not words:
        return None
    for word in words:
        key = fold_latin(word.text).strip(" ,.;:") if script == "lat" else fold_arabic(word.text).strip(" ,.;:،")
        match = fuzzy_lookup(key, _SEX_FR if script == "lat" else _SEX_AR)
        if match is not None:
            conf = word.conf * (1.0 - 0.15 * match.distance)
            return Reading(script=script, text=word.text, words=(word,), conf=round(conf, 3), value=match.value)
    return None


def is_arabic_word(word: OcrWord) -> bool:
    letters = [ch for ch in word.text if ch.isalpha()]
    return bool(letters) and sum(is_arabic_char(ch) for ch in letters) * 2 >= len(letters)


def is_latin_word(word: OcrWord) -> bool:
    letters = [ch for ch in word.text if ch.isalpha()]
    return bool(letters) and sum(not is_arabic_char(ch) for ch in letters) * 2 > len(letters)


def cross_check_name(value: FieldValue | None, *, repair_ya: bool = False) -> FieldValue | None:
    """A name read in both scripts: consonants that agree (see names.same_name) make the
    pair likelier right, so the field's confidence is the mean of the two instead of the
    weaker; consonants that do not agree halve it. An Arabic final ى where the Latin
    ends in i is a letter OCR confuses: that reading's confidence is halved."""
    if value is None:
        return None
    lat, ar = value.reading("lat"), value.reading("ar")
    readings = list(value.readings)
    notes = list(value.notes)
    if ar is not None and suspicious_final_ya(lat=lat.text if lat else None, ar=ar.text):
        # Nisba names end in ي (Hamadi حمادي, Khelifi خليفي); OCR reads that final ي as ى
        # far more often than a clerk wrote it so: read it ي, unless the name is one
        # that ends in ى (Mustapha مصطفى, Leila ليلى …). The confidence stays lowered:
        # a person checks.
        # Measured on synthetic pages (seed 23): right for form values (L1: +2 points of
        # field accuracy), wrong for narratives, where the typed ى is more often the
        # clerk's own spelling than an OCR slip — so only where the caller asks.
        repaired = repair_final_ya(ar.text) if repair_ya else ar.text
        if repaired != ar.text and (lat is None or same_name(lat=lat.text, ar=repaired)):
            notes.append(f"read {ar.text!r}, final ى taken for ي")
            ar = replace(ar, text=repaired)
        ar = replace(ar, conf=round(ar.conf * (0.5 if lat else 0.75), 3), note="final ى read where ي is likely")
        readings = [ar if r.script == "ar" else r for r in readings]
        notes.append("final ى: check ى/ي")
    if lat is not None and ar is not None and not same_name(lat=lat.text, ar=ar.text):
        # Typed capitals: Tesseract reads I as T (OULD ALT, MEZTANE). When putting the I
        # back makes the two scripts agree, that was the misreading.
        repaired = repair_latin_i(lat.text, ar=ar.text)
        if repaired is not None and not lat.text.isupper():
            repaired = _article_el(repaired)  # Bab ET Oued → Bab EI Oued → Bab El Oued
        if repaired is not None:
            notes.append(f"read {lat.text!r}, T taken for I (agrees with the Arabic)")
            lat = replace(lat, text=repaired, conf=round(min(lat.conf, 0.85), 3))
            readings = [lat if r.script == "lat" else r for r in readings]
    if lat is None or ar is None:
        conf = min(r.conf for r in readings)
        return replace(value, readings=tuple(readings), conf=round(conf, 3), notes=tuple(notes))
    if same_name(lat=lat.text, ar=ar.text):
        conf = (lat.conf + ar.conf) / 2
    else:
        conf = min(lat.conf, ar.conf) * 0.5
        notes.append("Latin and Arabic writings do not agree")
    conf = min(conf, lat.conf + 0.1, ar.conf + 0.1)
    return replace(value, readings=tuple(readings), conf=round(conf, 3), notes=tuple(notes))
