"""Pieces both layouts use: act numbers, mentions, dates and hours as readings, the
father/mother/officer value cutting."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from pipeline.extract import names
from pipeline.extract.fields import Reading, clean_value, ocr_conf, text_reading, words_text
from pipeline.extract.model import MentionValue
from pipeline.extract.ocr_words import Line, OcrWord, ordered
from pipeline.extract.text import fold_arabic, fold_latin, fuzzy_lookup, strip_marks
from pipeline.extract.words_to_dates import parse_date, parse_time

# What OCR makes of digits in a typed number (O for 0, l for 1 …); a number needs at
# least one true digit before these are believed.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "i": "1", "|": "1", "!": "1",
                                   "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9",
                                   "G": "6", "b": "6", "T": "7", "?": "7"})
SUFFIXES_LAT = {"bis": "bis", "ter": "ter", "quater": "quater"}
SUFFIXES_AR = {fold_arabic(k): v for k, v in {"مكرر": "bis", "ثالث": "ter", "رابع": "quater"}.items()}


def read_number_token(text: str) -> tuple[int, float] | None:
    """(number, factor) from a typed act number; factor < 1 when look-alikes had to be
    read as digits."""
    core = strip_marks(text).strip(" .,:;°º-—_")
    if not core or len(core) > 6:
        return None
    if core.isdigit():
        return int(core), 1.0
    if not any(ch.isdigit() for ch in core):
        return None
    mapped = core.translate(_DIGIT_LOOKALIKES)
    if not mapped.isdigit():
        return None
    changed = sum(a != b for a, b in zip(core, mapped))
    return int(mapped), 0.7 ** changed


def number_reading(*, script: str, words: Sequence[OcrWord], factor: float = 1.0) -> Reading | None:
    """The act number (and its suffix) from the words that follow "Acte N°" / "رقم العقد"
    or "N°" in a margin: the first number-like word, then bis/ter/quater if present."""
    words = list(words)
    for index, word in enumerate(words):
        found = read_number_token(word.text)
        if found is None:
            # "N°452" written together
            match = re.search(r"(\d{1,5})$", strip_marks(word.text))
            if match and re.match(r"^[NnМ][°ºo]?\.?", word.text):
                found = (int(match.group(1)), 0.9)
        if found is None:
            continue
        number, number_factor = found
        if number <= 0:
            continue
        used = [word]
        suffix = None
        if index + 1 < len(words):
            follow = words[index + 1]
            fold = fold_latin if script == "lat" else fold_arabic
            key = fold(follow.text).strip(" .,:;،")
            match = fuzzy_lookup(key, SUFFIXES_LAT if script == "lat" else SUFFIXES_AR)
            if match is not None:
                suffix = match.value
                used.append(follow)
        conf = ocr_conf(used) * number_factor * factor
        value = f"{number}{suffix or ''}"
        return Reading(script=script, text=words_text(used), words=tuple(used), conf=round(conf, 3), value=value)
    return None


def split_number_value(value: str) -> tuple[int, str | None]:
    match = re.match(r"^(\d+)(bis|ter|quater)?$", value)
    if not match:
        raise ValueError(value)
    return int(match.group(1)), match.group(2)


# --- dates and hours as readings -------------------------------------------------------


def _meaningful(words: Sequence[OcrWord]) -> list[OcrWord]:
    return [w for w in words if any(ch.isalnum() for ch in w.text)]


# A year taken from the register (its heading, its batch) because the act's own is
# unreadable: below any sensible review threshold until the page's other acts agree.
YEAR_FROM_CONTEXT = "year unreadable: the register's"
YEAR_FROM_CONTEXT_FACTOR = 0.8
YEAR_FROM_CONTEXT_CAP = 0.6


def date_reading(*, script: str, words: Sequence[OcrWord], expected_year: int | None,
                 factor: float = 1.0, whole: bool = True) -> Reading | None:
    """A date reading from the words of a value; whole=True when the words should be the
    date and nothing else (a form row): words left over then lower the confidence."""
    words = _meaningful(words)
    if not words:
        return None
    text = words_text(words)
    # A date of the register (the event's, the drawing up's) whose year is unreadable
    # takes the register's year; never accepted on that alone (see acts.year_check).
    parsed = parse_date(text, lang="ar" if script == "ar" else "fr", expected_year=expected_year,
                        year_if_missing=expected_year)
    if parsed is None:
        return None
    used = _words_in(words, text, parsed.as_written)
    # Words left over inside a date value are OCR debris the parser stepped over.
    leftover = max(0, len(words) - len(used)) if whole else 0
    conf = parsed.confidence * ocr_conf(used or words, mean=True) * (0.85 ** leftover) * factor
    if parsed.precision != "day":
        # Acts write the day; a date without one lost it to OCR (presumed dates, year
        # only, are rare enough to be checked by a person).
        conf *= 0.5
    note = confirmed = None
    if parsed.year_from_context:
        confirmed = round(conf * YEAR_FROM_CONTEXT_FACTOR, 3)
        conf = min(confirmed, YEAR_FROM_CONTEXT_CAP)
        note = YEAR_FROM_CONTEXT
    return Reading(script=script, text=clean_value(text), words=tuple(words), conf=round(conf, 3),
                   value=parsed.value, precision=parsed.precision, as_written=parsed.as_written, note=note,
                   conf_if_year_confirmed=confirmed)


def time_reading(*, script: str, words: Sequence[OcrWord], factor: float = 1.0, whole: bool = True) -> Reading | None:
    words = _meaningful(words)
    if not words:
        return None
    text = words_text(words)
    parsed = parse_time(text, lang="ar" if script == "ar" else "fr")
    if parsed is None:
        return None
    used = _words_in(words, text, parsed.as_written)
    leftover = max(0, len(words) - len(used)) if whole else 0
    conf = parsed.confidence * ocr_conf(used or words, mean=True) * (0.85 ** leftover) * factor
    return Reading(script=script, text=clean_value(text), words=tuple(words), conf=round(conf, 3),
                   value=parsed.value, as_written=parsed.as_written)


def _words_in(words: Sequence[OcrWord], text: str, part: str) -> list[OcrWord]:
    """The words whose text falls within `part` of `text` (text = words joined by spaces)."""
    start = text.find(part) if part else -1
    if start < 0:
        start = strip_marks(text).find(part)
    if start < 0:
        return list(words)
    end = start + len(part)
    chosen, offset = [], 0
    for word in words:
        span = (offset, offset + len(word.text))
        if span[0] < end and span[1] > start:
            chosen.append(word)
        offset = span[1] + 1
    return chosen


# --- name, occupation --------------------------------------------------------------------

_COMMA_MARKS = (",", "،", "؛", ";")
# Arabic OCR reads the Arabic comma as one of these glued to the word before it.
# A full stop too: inside an Arabic act's phrase it is a comma read short (مزيان. ماكثة).
_AR_COMMA_LOOKALIKES = ("ء", "»", ")", "؛", "،", ",", "(", ".")


def split_at_comma(words: Sequence[OcrWord], *, script: str) -> tuple[list[OcrWord], list[OcrWord], bool]:
    """(before, after, found): cut after the first word that ends with a comma (or what
    OCR makes of an Arabic comma), the comma itself dropped."""
    words = list(words)
    marks = _AR_COMMA_LOOKALIKES if script == "ar" else _COMMA_MARKS
    for index, word in enumerate(words):
        stripped = word.text.rstrip()
        if stripped in marks and index > 0:
            return words[:index], words[index + 1:], True
        if stripped.endswith(marks) and len(stripped) > 1:
            clean = replace(word, text=stripped.rstrip("".join(marks)).rstrip())
            return words[:index] + ([clean] if clean.text else []), words[index + 1:], True
        if stripped.startswith(marks) and index > 0 and len(stripped) > 1:
            clean = replace(word, text=stripped.lstrip("".join(marks)).lstrip())
            return words[:index], [clean] + words[index + 1:], True
    return words, [], False


def cut_after_commas(words: Sequence[OcrWord], *, script: str, count: int) -> tuple[list[OcrWord], list[OcrWord]]:
    """(up to and including the `count`-th word that is or ends with a comma, the rest),
    commas as split_at_comma sees them; (all, []) when there are fewer."""
    marks = _AR_COMMA_LOOKALIKES if script == "ar" else _COMMA_MARKS
    seen = 0
    for index, word in enumerate(words):
        stripped = word.text.rstrip()
        if (stripped in marks and index > 0) or (stripped.endswith(marks) and len(stripped) > 1):
            seen += 1
            if seen == count:
                return list(words[:index + 1]), list(words[index + 1:])
    return list(words), []


def person_readings(*, script: str, words: Sequence[OcrWord], order: str, with_occupation: bool,
                    factor: float = 1.0) -> dict[str, Reading]:
    """given / surname / occupation readings from "SAADI Fatma, sans profession"
    (order="surname_first") or "فاطمة سعدي، بدون مهنة" (order="given_first"); order
    "given_only" for a father ("Ali, commerçant")."""
    words = [w for w in words if w.text.strip()]
    name_words, occupation_words, found = split_at_comma(words, script=script) if with_occupation else (words, [], True)
    if with_occupation and found and not [w for w in occupation_words if w.text.strip(" ,.;:،؛»«")]:
        # The only comma read is the one closing the occupation ("عبد الله موظف،"): the
        # one between name and occupation was lost; cut as if none had been read.
        words, found = name_words, False
    given_factor = factor
    if with_occupation and not found:
        # No comma read: the occupation is what follows the name words. Where they end is
        # a guess; where an Arabic given name that opens them ends is not (names.py).
        name_words, occupation_words = _guess_occupation_cut(words, script=script, order=order)
        given_factor = factor if (script == "ar" and order == "given_first") else factor * 0.8
        factor *= 0.8
    out: dict[str, Reading] = {}
    if any(any(ch.isdigit() for ch in w.text) for w in name_words):
        # "BOU 210 Halima": a name with a figure in it was misread; where it splits is
        # not known either.
        factor *= 0.5
        given_factor *= 0.5
    if order == "given_only":
        given, surname = tuple(name_words), ()
    elif script == "lat":
        surname, given = names.split_latin_surname_first(name_words) if order == "surname_first" else \
            tuple(reversed(names.split_latin_surname_first(list(reversed(name_words)))))
    else:
        if order == "surname_first":
            surname, given = names.split_arabic_surname_first(name_words)
        else:
            given, surname = names.split_arabic_given_first(name_words)
    for key, part, upper in (("given", given, False), ("surname", surname, True)):
        reading = text_reading(script=script, words=part, upper=upper if script == "lat" else None,
                               factor=given_factor if key == "given" else factor)
        if reading is not None:
            out[key] = reading
    if occupation_words:
        reading = text_reading(script=script, words=occupation_words, factor=factor)
        if reading is not None:
            out["occupation"] = reading
    return out


def _guess_occupation_cut(words: list[OcrWord], *, script: str, order: str) -> tuple[list[OcrWord], list[OcrWord]]:
    if script == "lat":
        # Names are capitalised, occupations are not.
        cut = 0
        while cut < len(words) and words[cut].text[:1].isupper():
            cut += 1
        return words[:cut], words[cut:]
    if order == "given_only":
        cut = names.arabic_given_length(words[:3]) if len(words) > 1 else len(words)
        return words[:cut], words[cut:]
    given = names.arabic_given_length(words)
    # given name, one surname word (two with a particle), then the occupation
    surname = 2 if given < len(words) and fold_arabic(words[given].text) in names._AR_SURNAME_PARTICLES else 1
    cut = min(len(words), given + surname)
    return words[:cut], words[cut:]


# --- mentions --------------------------------------------------------------------------

_MENTION_KINDS_FR = {"marie": "marriage", "mariee": "marriage", "decede": "death", "decedee": "death",
                     "divorce": "divorce", "divorcee": "divorce", "rectifie": "rectification",
                     "rectification": "rectification", "reconnu": "recognition", "reconnue": "recognition"}
_MENTION_KINDS_AR = {fold_arabic(k): v for k, v in {
    "تزوج": "marriage", "تزوجت": "marriage", "توفي": "death", "توفيت": "death", "طلق": "divorce",
    "طلقت": "divorce", "طلقا": "divorce", "صحح": "rectification", "تصحيح": "rectification"}.items()}
_FIGURES = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


def mention_kind(line: Line) -> tuple[str, str] | None:
    """(kind, lang) when the line opens a mention ("Marié le …", "تزوج بتاريخ …").
    On a line that also holds a date in figures (a mention's), a short Arabic kind word
    a letter off counts too (زوج, توف for تزوج, توفي: the handwritten first letter lost),
    which alone would be too loose for three letters."""
    dated = _FIGURES.search(" ".join(w.text for w in line.words)) is not None
    for word in line.words[:2]:
        latin = fold_latin(word.text).strip(" .,:;")
        match = fuzzy_lookup(latin, _MENTION_KINDS_FR)
        if match is not None:
            return match.value, "fr"
        arabic = fold_arabic(word.text).strip(" .,:;،")
        match = fuzzy_lookup(arabic, _MENTION_KINDS_AR)
        if match is None and dated and len(arabic) >= 3:
            match = fuzzy_lookup(arabic, _MENTION_KINDS_AR, tolerance=1)
        if match is not None:
            return match.value, "ar"
    return None


def read_mentions(lines: Sequence[Line]) -> tuple[MentionValue, ...]:
    """Mentions from margin lines, top to bottom: each opens with its kind's word and
    runs until the next one opens."""
    groups: list[tuple[tuple[str, str], list[Line]]] = []
    for line in lines:
        kind = mention_kind(line)
        if kind is not None:
            groups.append((kind, [line]))
        elif groups:
            groups[-1][1].append(line)
    mentions = []
    for (kind, lang), members in groups:
        words = tuple(w for line in members for w in line.words)
        rtl = lang == "ar"
        text = strip_marks(" ".join(" ".join(w.text for w in ordered(line.words, rtl=rtl)) for line in members))
        conf = ocr_conf(words, mean=True)
        match = _FIGURES.search(text)
        date = None
        if match:
            end = match.end()
            day, month, year = (int(g) for g in match.groups())
            try:
                date = dt.date(year, month, day).isoformat()
            except ValueError:
                date, conf = None, conf * 0.5
        else:
            # Dates in words, as copied from a judgment: "en date du quatorze mars deux
            # mille dix", "بتاريخ الرابع عشر من شهر مارس عام ألفين وعشرة".
            parsed = parse_date(text, lang=lang)
            if parsed is not None and parsed.precision == "day":
                date, conf = parsed.value, conf * parsed.confidence
                found = text.find(parsed.as_written)
                end = found + len(parsed.as_written) if found >= 0 else 0
            else:
                end, conf = 0, conf * 0.5
        if date is not None:
            # The mention ends with its sentence; after it come the officer's initials.
            stop = text.find(".", end)
            if stop > 0:
                text = text[:stop + 1]
        mentions.append(MentionValue(kind=kind, date=date, text=clean_value(text), lang=lang, conf=round(conf, 3),
                                     words=words))
    return tuple(mentions)
