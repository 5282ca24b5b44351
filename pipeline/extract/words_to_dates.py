"""Dates and hours written in words (Ordonnance 70-20, art. 8), read back into ISO
values: the inverse of pipeline/synth/dates.py, made to survive OCR and clerks.

    parse_date("L'an mil neuf cent quatre-vingt-sept, le quatorze mars")
        → ParsedDate(value="1987-03-14", precision="day", confidence=1.0, as_written=…)
    parse_date("الرابع عشر من شهر مارس عام ألف وتسعمائة وسبعة وثمانين") → same value
    parse_time("à dix heures trente") → ParsedTime(value="10:30", …)
    parse_time("على الساعة العاشرة و النصف") → ParsedTime(value="10:30", …)

What is tolerated, and what it costs in confidence:
- number and month words within a small edit distance (none for words of three
  letters or fewer, where neighbours are real words: six/dix, ست/ستة), missing or extra
  hyphens, words run together ("quatrevingt"), ى/ي, ة/ه, hamza seats, vowel marks,
  tatweel, و written apart or joined, Arabic-Indic digits, figures (14/03/1987, 10h30);
- clerks' variants: mil/mille, quatre-vingt(s), "dix-neuf cent", "et demie", "moins le
  quart", Maghreb and Mashriq month names, فاتح (first of the month), oblique or
  nominative Arabic numbers (ثمانين/ثمانون), hours "صباحا/مساء", "du soir".
Each fuzzy repair lowers the confidence; a word equally near two different values is
not guessed. A well-formed number that is not in the canonical form (e.g. "dix-neuf
cent") is accepted with a lower confidence too.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.extract.text import Match, arabic_share, fold_arabic, fold_latin, fuzzy_lookup, strip_marks

Precision = Literal["day", "month", "year"]
Lang = Literal["fr", "ar"]

# Confidence lost per edit made to recognise a word, and for an unusual but valid form.
_PER_EDIT = 0.12
_UNUSUAL_FORM = 0.85
_NOISE_INSIDE = 0.8  # a stray token inside the date (OCR debris), skipped


@dataclass(frozen=True)
class ParsedDate:
    """value: ISO 8601 at the precision read ("1987-03-14", "1987-03", "1987")."""

    value: str
    precision: Precision
    confidence: float
    as_written: str
    year: int | None
    month: int | None
    day: int | None
    lang: Lang
    # The year was not readable (or read as no year a register can have): the one given
    # as year_if_missing was put in its place.
    year_from_context: bool = False


@dataclass(frozen=True)
class ParsedTime:
    """value: "HH:MM", 24-hour clock."""

    value: str
    confidence: float
    as_written: str
    hour: int
    minute: int
    lang: Lang


@dataclass(frozen=True)
class _Token:
    text: str  # folded
    start: int
    end: int
    after_break: bool = False  # a comma or full stop stands between it and the token before


_BREAKS = re.compile(r"[,،؛;.:»«]")  # OCR reads the Arabic comma as » or «


def _tokens(text: str, pattern: re.Pattern[str], fold: Callable[[str], str]) -> list[_Token]:
    # Folding keeps one character per character (Latin) or is applied per token (Arabic),
    # so spans index the text as given and as_written is a slice of it.
    out: list[_Token] = []
    for m in pattern.finditer(text):
        gap = text[out[-1].end:m.start()] if out else ""
        out.append(_Token(fold(m.group()), m.start(), m.end(), bool(_BREAKS.search(gap))))
    return out


def _clamp(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 3)


def _edit_factor(matches: Sequence[Match]) -> float:
    factor = 1.0
    for match in matches:
        factor *= 1.0 - _PER_EDIT * match.distance
    return factor


def _valid_day(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # Without a year, 29 February is allowed (a leap year is possible).
    last = calendar.monthrange(year if year else 2000, month)[1]
    return day <= last


# Civil-status registers in words begin in the nineteenth century: an earlier year is
# a misreading (ألف read, تسعمائة lost).
_EARLIEST_REGISTER_YEAR = 1800


def _finish_date(*, year: int | None, month: int | None, day: int | None, confidence: float, expected_year: int | None,
                 written: str, span: tuple[int, int], lang: str, year_if_missing: int | None = None) -> "ParsedDate | None":
    """The checks and the result both languages share once year, month and day are read.
    year_if_missing: the year to take when day and month are read and the year is not
    (or is no register's year): the result says so (year_from_context)."""
    from_context = False
    if (year is None or year < _EARLIEST_REGISTER_YEAR) and year_if_missing is not None \
            and month is not None and day is not None:
        year, from_context = year_if_missing, True
    if year is None or not 1000 <= year <= 2100:
        return None
    if month is not None and day is not None and not _valid_day(year, month, day):
        return None
    if expected_year is not None and abs(year - expected_year) > 1:
        confidence *= 0.5  # a date far from the register's year is more likely a misreading
    value, precision = _iso(year, month, day)
    return ParsedDate(value=value, precision=precision, confidence=_clamp(confidence), as_written=written[span[0]:span[1]],
                      year=year, month=month, day=day, lang=lang, year_from_context=from_context)


def _iso(year: int | None, month: int | None, day: int | None) -> tuple[str, Precision] | None:
    if year is None:
        return None
    if month is None:
        return f"{year:04d}", "year"
    if day is None:
        return f"{year:04d}-{month:02d}", "month"
    return f"{year:04d}-{month:02d}-{day:02d}", "day"


_FIGURE_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_FIGURE_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s*(?:[:hH]|heures?)\s*([0-5]\d)?(?!\d)")


def _figure_date(text: str, *, lang: Lang) -> ParsedDate | None:
    """dd/mm/yyyy as margins and later hands write it."""
    m = _FIGURE_DATE.search(text)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _valid_day(year, month, day):
        return None
    return ParsedDate(value=f"{year:04d}-{month:02d}-{day:02d}", precision="day", confidence=0.95,
                      as_written=m.group(), year=year, month=month, day=day, lang=lang)


# =========================================================================================
# French
# =========================================================================================

_FR_TOKEN = re.compile(r"[A-Za-zÀ-ÿŒœ0-9]+")

_FR_NUMBERS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "cent": 100, "cents": 100, "mil": 1000, "mille": 1000,
}
# "et" joins (vingt et un); kept apart so that it is never fuzzily a number.
_FR_JOINERS = {"et"}
_FR_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_FR_FIRST = {"premier": 1, "1er": 1, "1e": 1, "1ier": 1}
_FR_HOUR_WORDS = {"heure": 0, "heures": 0}
_FR_NOON = {"midi": 12, "minuit": 0}
# Words that may stand between the parts of a date without ending it.
_FR_DATE_FILLERS = {"le", "l", "an", "annee", "de", "en", "du", "mois", "jour", "ce", "la"}
_FR_YEAR_ANCHORS = {"an", "annee", "en", "vers"}


def _fr_word_break(token: str) -> list[Match[int]] | None:
    """Split words run together by OCR or a missing hyphen ("quatrevingtsept") into
    number words: exact pieces first, then pieces one edit away."""
    n = len(token)
    vocab = {**_FR_NUMBERS, "et": -1}
    best: list[tuple[float, list[Match[int]]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - 10), end):
            if best[start] is None:
                continue
            piece = token[start:end]
            match = Match(piece, vocab[piece], 0) if piece in vocab else (
                fuzzy_lookup(piece, vocab) if len(piece) >= 5 else None)
            if match is None:
                continue
            cost = best[start][0] + match.distance + 0.01
            if best[end] is None or cost < best[end][0]:
                best[end] = (cost, best[start][1] + [match])
    if best[n] is None or len(best[n][1]) < 2:
        return None
    return [m for m in best[n][1] if m.value != -1]


def _fr_lookup(token: str, vocabulary: dict[str, int]) -> Match[int] | None:
    """Fuzzy look-up, then with OCR's "rn" for "m" undone (rnars → mars) at one edit."""
    match = fuzzy_lookup(token, vocabulary)
    if match is None and "rn" in token:
        match = fuzzy_lookup(token.replace("rn", "m"), vocabulary)
        if match is not None:
            match = Match(match.key, match.value, match.distance + 1)
    return match


def _fr_number_words(token: str) -> list[Match[int]] | None:
    """The number word(s) a French token stands for, or None."""
    if token.isdigit():
        return [Match(token, int(token), 0)]
    match = _fr_lookup(token, _FR_NUMBERS)
    if match is not None:
        return [match]
    if len(token) >= 6:
        return _fr_word_break(token)
    return None


def _fr_value(words: Sequence[str], values: Sequence[int]) -> int:
    total, current = 0, 0
    previous = None
    for word, value in zip(words, values):
        if value >= 1000 and word in ("mil", "mille"):
            total += (current or 1) * 1000
            current = 0
        elif word in ("cent", "cents"):
            current = (current or 1) * 100
        elif value == 20 and previous == "quatre":
            current += 76  # quatre-vingt: 4 × 20, the 4 already counted
        else:
            current += value
        previous = word
    return total + current


_FR_UNITS = ("zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
             "douze", "treize", "quatorze", "quinze", "seize")
_FR_TENS_WORDS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _fr_canonical_below_100(n: int) -> list[str]:
    if n <= 16:
        return [_FR_UNITS[n]]
    if n < 20:
        return ["dix", _FR_UNITS[n - 10]]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        return (["soixante"] if tens == 7 else ["quatre", "vingt"]) + _fr_canonical_below_100(10 + unit)
    head = ["quatre", "vingt"] if tens == 8 else [_FR_TENS_WORDS[tens]]
    return head + ([] if unit == 0 else [_FR_UNITS[unit]])


def _fr_canonical(n: int) -> list[str]:
    """The usual words of n, without "et" or plural s (compared after the same folding)."""
    words: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands:
        words += ([] if thousands == 1 else _fr_canonical(thousands)) + ["mil"]
    hundreds, below = divmod(rest, 100)
    if hundreds:
        words += ([] if hundreds == 1 else [_FR_UNITS[hundreds]]) + ["cent"]
    if below or not words:
        words += _fr_canonical_below_100(below)
    return words


_FR_SAME = {"cents": "cent", "vingts": "vingt", "mille": "mil", "une": "un"}


@dataclass(frozen=True)
class _Number:
    value: int
    confidence: float
    first: int  # token indexes, inclusive
    last: int


def _fr_number_at(tokens: Sequence[_Token], start: int, *, step: int = 1) -> _Number | None:
    """The longest run of number words from tokens[start] going forward (step 1) or
    backward (step -1)."""
    index = start
    collected: list[tuple[int, list[Match[int]]]] = []
    while 0 <= index < len(tokens):
        token = tokens[index].text
        if collected and (tokens[index].after_break if step > 0 else tokens[index - step].after_break):
            break
        if token in _FR_JOINERS and collected:
            index += step
            continue
        if token.isdigit() and collected:
            break  # "16 douze janvier": OCR's "le" is not part of the day
        words = _fr_number_words(token)
        if words is None:
            break
        if token.isdigit():
            collected.append((index, words))
            break  # a figure stands alone
        collected.append((index, words))
        index += step
    if not collected:
        return None
    if step < 0:
        collected.reverse()
    # A trailing "et" is not part of the number.
    matches = [m for _, words in collected for m in words]
    digits = [m for m in matches if m.key.isdigit()]
    if digits:
        if len(matches) != 1:
            return None  # figures mixed with words: not a number we can trust
        value = digits[0].value
        confidence = 0.95
    else:
        words = [m.key for m in matches]
        value = _fr_value(words, [m.value for m in matches])
        confidence = _edit_factor(matches)
        if [_FR_SAME.get(w, w) for w in words] != _fr_canonical(value):
            confidence *= _UNUSUAL_FORM
    first, last = collected[0][0], collected[-1][0]
    return _Number(value=value, confidence=confidence, first=first, last=last)


def _fr_month_at(token: str) -> Match[int] | None:
    if token in _FR_NUMBERS:  # "sept" is seven, never September written short
        return None
    return _fr_lookup(token, _FR_MONTHS)


def _fr_day_before(tokens: Sequence[_Token], month_index: int) -> tuple[int, float, int] | None:
    """(day, confidence, first token index) read just before the month."""
    index = month_index - 1
    if index < 0:
        return None
    first_word = tokens[index].text
    first = fuzzy_lookup(first_word, _FR_FIRST)
    if first is not None:
        return 1, _edit_factor([first]), index
    number = _fr_number_at(tokens, index, step=-1)
    if number is None or not 1 <= number.value <= 31:
        return None
    return number.value, number.confidence, number.first


def _fr_year_after(tokens: Sequence[_Token], index: int) -> _Number | None:
    while index < len(tokens) and tokens[index].text in _FR_DATE_FILLERS:
        index += 1
    if index >= len(tokens):
        return None
    return _fr_number_at(tokens, index)


def _parse_french_date(text: str, *, expected_year: int | None, year_if_missing: int | None = None) -> ParsedDate | None:
    tokens = _tokens(text, _FR_TOKEN, fold_latin)
    month_index = None
    month_match = None
    for i, token in enumerate(tokens):
        match = _fr_month_at(token.text)
        if match is not None:
            month_index, month_match = i, match
            break
    confidence = 1.0
    day = month = year = None
    used = []
    if month_index is not None:
        month = month_match.value
        confidence *= _edit_factor([month_match])
        used.append(month_index)
        found_day = _fr_day_before(tokens, month_index)
        if found_day is not None:
            day, day_conf, day_first = found_day
            confidence *= day_conf
            used.append(day_first)
            # "le quatorze mars": the article belongs to what was written.
            if day_first > 0 and tokens[day_first - 1].text == "le" and not tokens[day_first].after_break:
                used.append(day_first - 1)
        number = _fr_year_after(tokens, month_index + 1)
        if number is None or number.value < 100:
            number = None
            # "L'an mil neuf cent quatre-vingt-sept, le quatorze mars": year first.
            for i, token in enumerate(tokens[:month_index]):
                if token.text in _FR_YEAR_ANCHORS:
                    candidate = _fr_number_at(tokens, i + 1)
                    if candidate is not None and candidate.value >= 100:
                        number = candidate
                        used.append(i - 1 if i > 0 and tokens[i - 1].text == "l" else i)
                        break
        if number is not None:
            year = number.value
            confidence *= number.confidence
            used += [number.first, number.last]
    else:
        # Year only (a presumed birth: "en mil neuf cent quarante").
        for i, token in enumerate(tokens):
            candidate = _fr_number_at(tokens, i)
            if candidate is not None and candidate.value >= 1000:
                year = candidate.value
                confidence *= candidate.confidence * 0.9
                used += [candidate.first, candidate.last]
                break
    if year is None and (year_if_missing is None or not used):
        return None
    return _finish_date(year=year, month=month, day=day, confidence=confidence, expected_year=expected_year,
                        written=text, span=(tokens[min(used)].start, tokens[max(used)].end), lang="fr",
                        year_if_missing=year_if_missing)


_FR_TIME_TOKEN = _FR_TOKEN
# Words that may follow an hour without being its minutes.
_FR_AFTER_TIME = {"est", "sur", "du", "de", "le", "la", "a", "et", "ne", "nee", "precises", "precise", "environ"}
_MINUTES_UNREAD = 0.35
_FR_BEFORE_HOUR = {"a", "vers", "et", "des", "avant", "apres", "environ"}


def _parse_french_time(text: str) -> ParsedTime | None:
    tokens = _tokens(text, _FR_TIME_TOKEN, fold_latin)
    hour_index = None
    confidence = 1.0
    hour = None
    first = None
    for i, token in enumerate(tokens):
        match = fuzzy_lookup(token.text, _FR_HOUR_WORDS)
        if match is not None or token.text == "h":
            number = _fr_number_at(tokens, i - 1, step=-1) if i > 0 else None
            if number is None or number.value > 24:
                continue
            hour_index, hour, first = i, number.value, number.first
            confidence *= number.confidence * (1.0 if match is None else _edit_factor([match]))
            if first > 0 and not tokens[first].after_break and tokens[first - 1].text not in _FR_BEFORE_HOUR:
                # "le treize heures": the hour is written after "à"; something was lost.
                confidence *= 0.6
            break
    if hour_index is None:
        for i, token in enumerate(tokens):
            match = fuzzy_lookup(token.text, _FR_NOON)
            if match is not None:
                hour_index, hour, first = i, match.value, i
                confidence *= _edit_factor([match])
                break
    if hour_index is None:
        m = _FIGURE_TIME.search(text)
        if m is None:
            return None
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        return ParsedTime(value=f"{hour:02d}:{minute:02d}", confidence=0.95, as_written=m.group(), hour=hour,
                          minute=minute, lang="fr")
    minute = 0
    last = hour_index
    rest = [t.text for t in tokens[hour_index + 1:hour_index + 4]]
    if rest[:2] in (["et", "quart"],) or rest[:1] == ["quart"]:
        minute, last = 15, hour_index + (2 if rest[0] == "et" else 1)
    elif rest[:1] == ["et"] and len(rest) > 1 and fuzzy_lookup(rest[1], {"demie": 30, "demi": 30}):
        minute, last = 30, hour_index + 2
    elif rest[:1] == ["moins"]:
        offset = 2 if len(rest) > 1 and rest[1] == "le" else 1
        if len(rest) > offset and rest[offset] == "quart":
            minute, last = -15, hour_index + 1 + offset
        else:
            number = _fr_number_at(tokens, hour_index + 2)
            if number is not None and 0 < number.value < 60:
                minute, last = -number.value, number.last
                confidence *= number.confidence
    else:
        number = _fr_number_at(tokens, hour_index + 1)
        if number is not None and number.value < 60:
            minute, last = number.value, number.last
            confidence *= number.confidence
            after = tokens[last + 1].text if last + 1 < len(tokens) else ""
            if after.startswith("minute"):
                last += 1
        elif (hour_index + 1 < len(tokens) and not tokens[hour_index + 1].after_break
              and tokens[hour_index + 1].text not in _FR_AFTER_TIME):
            # Something stands where the minutes would, unread: "dix heures tr3nte".
            confidence *= _MINUTES_UNREAD
    tail = " ".join(t.text for t in tokens[last + 1:last + 4])
    if hour < 12 and re.match(r"(du soir|de l apres midi|de l apres|de relevee)", tail):
        hour += 12
    if minute < 0:
        hour, minute = (hour - 1) % 24, 60 + minute
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    hour %= 24
    as_written = text[tokens[first].start:tokens[last].end]
    return ParsedTime(value=f"{hour:02d}:{minute:02d}", confidence=_clamp(confidence), as_written=as_written,
                      hour=hour, minute=minute, lang="fr")


# =========================================================================================
# Arabic
# =========================================================================================

_AR_TOKEN = re.compile(r"[^\s،,؛;:.\-_/()«»\"'!?؟]+")


def _folded(table: dict[str, int]) -> dict[str, int]:
    return {fold_arabic(key): value for key, value in table.items()}


_AR_CARDINALS = _folded({
    "صفر": 0, "واحد": 1, "واحدة": 1, "أحد": 1, "إحدى": 1, "اثنين": 2, "اثنان": 2, "اثني": 2, "اثنا": 2,
    "اثنتين": 2, "اثنتي": 2, "اثنتان": 2,
    "ثلاثة": 3, "ثلاث": 3, "أربعة": 4, "أربع": 4, "خمسة": 5, "خمس": 5, "ستة": 6, "ست": 6, "سبعة": 7, "سبع": 7,
    "ثمانية": 8, "ثماني": 8, "ثمان": 8, "تسعة": 9, "تسع": 9, "عشرة": 10, "عشر": 10,
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "أربعين": 40, "أربعون": 40, "خمسين": 50,
    "خمسون": 50, "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70, "ثمانين": 80, "ثمانون": 80,
    "تسعين": 90, "تسعون": 90,
    "مائة": 100, "مئة": 100, "مائتين": 200, "مائتان": 200, "مئتين": 200, "مئتان": 200,
    **{f"{unit}{hundred}": value * 100
       for value, unit in enumerate(("", "", "", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع"))
       if value >= 3 for hundred in ("مائة", "مئة")},
    "ألف": 1000, "ألفا": 1000, "ألفين": 2000, "ألفان": 2000, "آلاف": 1000,
})
_AR_THOUSANDS_PLURAL = fold_arabic("آلاف")
_AR_DAY_ORDINALS = _folded({
    "الأول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6, "السابع": 7, "الثامن": 8,
    "التاسع": 9, "العاشر": 10, "الحادي": 1, "فاتح": 1, "الواحد": 1,
})
_AR_DAY_TENS = _folded({"عشر": 10, "العشرين": 20, "عشرين": 20, "الثلاثين": 30, "ثلاثين": 30})
_AR_HOUR_ORDINALS = _folded({
    "الواحدة": 1, "الثانية": 2, "الثالثة": 3, "الرابعة": 4, "الخامسة": 5, "السادسة": 6, "السابعة": 7,
    "الثامنة": 8, "التاسعة": 9, "العاشرة": 10, "الحادية": 1,
})
_AR_HOUR_TENS = _folded({"عشرة": 10, "عشر": 10, "العشرين": 20, "عشرين": 20})
_AR_MONTHS = _folded({
    # Maghreb (French-derived) names
    "جانفي": 1, "فيفري": 2, "مارس": 3, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8,
    "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Mashriq names
    "يناير": 1, "فبراير": 2, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "أغسطس": 8, "اغسطس": 8,
    # Spellings seen in typed registers
    "جانفييه": 1, "فيفرييه": 2, "افريل": 4, "جويليه": 7, "اوت": 8, "شتنبر": 9, "دجنبر": 12, "نونبر": 11,
    "أكتوبر": 10, "اكتوبر": 10, "سبتمبير": 9,
})
_AR_YEAR_ANCHORS = {fold_arabic(w) for w in ("عام", "سنة", "لسنة", "العام", "السنة", "لعام")}
_AR_DAY_FILLERS = {fold_arabic(w) for w in ("من", "شهر", "لشهر", "الشهر", "في", "يوم")}
_AR_HOUR_ANCHOR = {fold_arabic(w) for w in ("الساعة", "ساعة", "الساعه")}
_AR_AND = fold_arabic("و")


def _ar_lookup(token: str, vocabulary: dict[str, int]) -> tuple[Match[int], bool] | None:
    """(match, had "و" joined) — the conjunction is written joined or apart, and a word
    like واحد begins with the same letter, so the whole token is tried first."""
    if token in vocabulary:
        return Match(token, vocabulary[token], 0), False
    if token.startswith(_AR_AND) and token[1:] in vocabulary:
        return Match(token[1:], vocabulary[token[1:]], 0), True
    if (token.startswith("ال") or token.startswith("وال")) and not any(k.startswith("ال") for k in vocabulary):
        return None  # the article makes an ordinal (العشرين), never a cardinal
    match = fuzzy_lookup(token, vocabulary, tolerance=_ar_tolerance(token))
    if match is not None:
        return match, False
    if token.startswith(_AR_AND) and len(token) > 3:
        match = fuzzy_lookup(token[1:], vocabulary, tolerance=_ar_tolerance(token[1:]))
        if match is not None:
            return match, True
    if "نح" in token:
        # Tesseract cuts خ into ن + ح (نحمسين for خمسين); no number word has نح.
        found = _ar_lookup(token.replace("نح", "خ", 1), vocabulary)
        if found is not None:
            return Match(found[0].key, found[0].value, found[0].distance + 1), found[1]
    return None


def _ar_tolerance(token: str) -> int | None:
    # Arabic OCR errs by dots (ت/ث/ن/ب/ي, ح/ج/خ): long words keep their shape through
    # two such slips (وأسعماثة is وتسعمائة); the tie rule still refuses a guess between two.
    return 2 if len(token) >= 7 else None


def _ar_value(matches: Sequence[Match[int]]) -> tuple[int, bool]:
    """(value, well formed): thousands, hundreds, then units before tens (سبعة وثمانين)."""
    total, current = 0, 0
    order: list[str] = []
    for match in matches:
        value = match.value
        if match.key == _AR_THOUSANDS_PLURAL:
            total += (current or 3) * 1000
            current = 0
            order.append("T")
        elif value >= 1000:
            total += value * (current or 1)
            current = 0
            order.append("T")
        elif value == 100 and 0 < current < 10:
            current *= 100  # "تسع مائة" written apart
            order[-1:] = ["H"]
        elif value >= 100:
            current += value
            order.append("H")
        elif value >= 20:
            current += value
            order.append("D")
        elif value == 10 and order and order[-1] == "U":
            current += 10  # أحد عشر, ثلاثة عشر
            order[-1] = "X"
        else:
            current += value
            order.append("U")
    rank = {"T": 0, "H": 1, "U": 2, "X": 3, "D": 3}
    well_formed = len(order) == len(set(order)) and all(rank[a] < rank[b] for a, b in zip(order, order[1:]))
    return total + current, well_formed


def _ar_number_at(tokens: Sequence[_Token], start: int, *, vocabulary: dict[str, int] = _AR_CARDINALS,
                  step: int = 1, skip_noise: bool = True) -> _Number | None:
    """The run of number words from tokens[start] (step 1: forward; -1: backward)."""
    index = start
    collected: list[tuple[int, Match[int]]] = []
    noise = 0
    while 0 <= index < len(tokens):
        token = tokens[index].text
        if collected and (tokens[index].after_break if step > 0 else tokens[index - step].after_break):
            break  # "…وواحد، في العشرين": a number does not run over a comma
        if token == _AR_AND and collected:
            index += step
            continue
        if token.isdigit():
            if collected:
                break
            return _Number(value=int(token), confidence=0.95, first=index, last=index)
        found = _ar_lookup(token, vocabulary)
        if found is None:
            # One OCR blot inside a number ("ألف Al وتسعمائة") is skipped if a number
            # word follows it that the number can take (a complete "ألف وتسعمائة وسبعة
            # وثمانين" does not take the ألف that "الساعة" read short resembles after
            # "على"); anything longer ends the number.
            after = index + step
            following = _ar_lookup(tokens[after].text, vocabulary) if 0 <= after < len(tokens) else None
            if (skip_noise and collected and noise == 0 and following is not None
                    and _ar_value([m for _, m in collected][::step] + [following[0]] if step > 0
                                  else [following[0]] + [m for _, m in collected][::-1])[1]):
                noise += 1
                index = after
                continue
            break
        collected.append((index, found[0]))
        index += step
    if not collected:
        return None
    if step < 0:
        collected.reverse()
    matches = [m for _, m in collected]
    value, well_formed = _ar_value(matches)
    confidence = _edit_factor(matches) * (1.0 if well_formed else 0.6) * (_NOISE_INSIDE ** noise)
    return _Number(value=value, confidence=confidence, first=collected[0][0], last=collected[-1][0])


def _ar_ordinal(tokens: Sequence[_Token], start: int, *, ordinals: dict[str, int],
                tens: dict[str, int]) -> _Number | None:
    """An ordinal day or hour from tokens[start]: الرابع عشر, الحادي والعشرين, العشرين."""
    if start >= len(tokens):
        return None
    token = tokens[start].text
    if token.isdigit():
        return _Number(value=int(token), confidence=0.95, first=start, last=start)
    head = _ar_lookup(token, ordinals)
    if head is None:
        alone = _ar_lookup(token, tens)  # العشرين, الثلاثين — but not والعشرين, the end of one
        if alone is None or alone[1] or alone[0].value < 20 or not alone[0].key.startswith("ال"):
            return None
        return _Number(value=alone[0].value, confidence=_edit_factor([alone[0]]), first=start, last=start)
    value, last, matches = head[0].value, start, [head[0]]
    index = start + 1
    if index < len(tokens) and head[0].value < 10:
        tail = _ar_lookup(tokens[index].text, tens)
        # Teens take عشر/عشرة right after the unit, never with و (الرابع عشر, الحادية
        # عشرة); tens take the article and و (الحادي والعشرين). "الثالثة و عشر دقائق"
        # is three hours and ten minutes, not the thirteenth hour.
        if tail is not None and tail[0].value == 10 and not tail[1]:
            value, last = value + 10, index
            matches.append(tail[0])
        else:
            joined = tail is not None and tail[1] and tail[0].key.startswith("ال")
            if not joined and tokens[index].text == _AR_AND and index + 1 < len(tokens):
                apart = _ar_lookup(tokens[index + 1].text, tens)
                if apart is not None and not apart[1] and apart[0].key.startswith("ال"):
                    tail, index, joined = apart, index + 1, True
            if joined and tail[0].value >= 20:
                value, last = value + tail[0].value, index
                matches.append(tail[0])
    return _Number(value=value, confidence=_edit_factor(matches), first=start, last=last)


def _ar_tokens(text: str) -> list[_Token]:
    return _tokens(strip_marks(text), _AR_TOKEN, fold_arabic)


def _parse_arabic_date(text: str, *, expected_year: int | None, year_if_missing: int | None = None) -> ParsedDate | None:
    clean = strip_marks(text)
    tokens = _tokens(clean, _AR_TOKEN, fold_arabic)
    month_index, month_match = None, None
    for i, token in enumerate(tokens):
        if token.text.isdigit():
            continue
        found = _ar_lookup(token.text, _AR_MONTHS)
        if found is not None and not found[1]:
            month_index, month_match = i, found[0]
            break
    confidence = 1.0
    day = month = year = None
    used: list[int] = []
    if month_index is not None:
        month = month_match.value
        confidence *= _edit_factor([month_match])
        used.append(month_index)
        # The day: before the month, past "من شهر".
        index = month_index - 1
        skipped = 0
        while index >= 0:
            token = tokens[index].text
            if token in _AR_DAY_FILLERS:
                index -= 1
            elif fuzzy_lookup(token, {f: 0 for f in _AR_DAY_FILLERS if len(f) >= 3}, tolerance=1):
                confidence *= 0.95  # شبر for شهر: the filler is known, the letter was not read
                index -= 1
            elif (skipped == 0 and len(token) <= 4 and not token.isdigit()
                  and _ar_lookup(token, _AR_DAY_ORDINALS) is None and _ar_lookup(token, _AR_DAY_TENS) is None):
                # One blot where "من شهر" stood (شبر, ـهر): stepped over, at a cost.
                skipped += 1
                confidence *= _NOISE_INSIDE
                index -= 1
            else:
                break
        day_number = None
        for start in range(max(0, index - 2), index + 1):
            candidate = _ar_ordinal(tokens, start, ordinals=_AR_DAY_ORDINALS, tens=_AR_DAY_TENS)
            if candidate is not None and candidate.last == index:
                day_number = candidate
                break
        if day_number is None and index >= 0:
            cardinal = _ar_number_at(tokens, index, step=-1, skip_noise=False)
            if cardinal is not None and 1 <= cardinal.value <= 31:
                day_number = _Number(cardinal.value, cardinal.confidence * 0.9, cardinal.first, cardinal.last)
        if day_number is not None and 1 <= day_number.value <= 31:
            day = day_number.value
            confidence *= day_number.confidence
            used.append(day_number.first)
    # The year: after عام / سنة, wherever it stands (Arabic acts open with it).
    year_number = None
    for i, token in enumerate(tokens):
        if token.text in _AR_YEAR_ANCHORS:
            candidate = _ar_number_at(tokens, i + 1)
            if candidate is not None and candidate.value >= 100:
                year_number = candidate
                used.append(i)
                break
    if year_number is None and month_index is not None:
        candidate = _ar_number_at(tokens, month_index + 1)
        if candidate is not None and candidate.value >= 100:
            year_number = candidate
    if year_number is None and month_index is None:
        for i in range(len(tokens)):
            candidate = _ar_number_at(tokens, i)
            if candidate is not None and candidate.value >= 1000:
                year_number = candidate
                confidence *= 0.9
                break
    if year_number is not None:
        year = year_number.value
        confidence *= year_number.confidence
        used += [year_number.first, year_number.last]
    elif year_if_missing is None or not used:
        return None
    return _finish_date(year=year, month=month, day=day, confidence=confidence, expected_year=expected_year,
                        written=clean, span=(tokens[min(used)].start, tokens[max(used)].end), lang="ar",
                        year_if_missing=year_if_missing)


_AR_MINUTE_WORDS = _folded({"النصف": 30, "نصف": 30, "الربع": 15, "ربع": 15, "ربعا": 15, "الثلث": 20, "ثلث": 20,
                             "ثلثا": 20})
_AR_EXCEPT = {fold_arabic(w) for w in ("إلا", "الا", "غير")}
_AR_MINUTE_UNITS = {fold_arabic(w) for w in ("دقيقة", "دقائق", "دقيقه")}
_AR_TWO_MINUTES = {fold_arabic(w) for w in ("دقيقتين", "دقيقتان")}
_AR_MIDNIGHT = fold_arabic("منتصف")
_AR_OF = fold_arabic("من")  # "العشرين من شهر": a day of a month
_AR_AFTERNOON = {fold_arabic(w) for w in ("مساء", "مساءا", "ليلا", "زوالا")}
# Words after an hour that begin with و without being its minutes: ولد, ولدت (the act
# goes on), والده …
_AR_NOT_MINUTES = {fold_arabic(w) for w in ("ولد", "ولدت", "والد", "والده", "وقع", "وذلك")}
_AR_AFTER_TIME = {fold_arabic(w) for w in ("بناء", "صباحا", "مساء", "ليلا", "من", "في", "ب", "تماما", "بالضبط",
                                           "توفي", "توفيت", "حرر", "ولد", "ولدت")}


def _parse_arabic_time(text: str) -> ParsedTime | None:
    clean = strip_marks(text)
    tokens = _tokens(clean, _AR_TOKEN, fold_arabic)
    confidence = 1.0
    hour_number = None
    start = 0
    anchored = False
    for i, token in enumerate(tokens):
        # الساعة, also misread by a letter (للساعة, الشاعة)
        if token.text in _AR_HOUR_ANCHOR or (
                len(token.text) >= 5 and token.text not in _AR_HOUR_ORDINALS
                and fuzzy_lookup(token.text, {a: 0 for a in _AR_HOUR_ANCHOR if len(a) >= 5}, tolerance=1) is not None):
            start, anchored = i + 1, True
            if token.text not in _AR_HOUR_ANCHOR:
                confidence *= 0.95
            break
    for i in range(start, len(tokens)):
        token = tokens[i].text
        if token == _AR_MIDNIGHT and i + 1 < len(tokens):
            after = tokens[i + 1].text
            hour = 0 if "ليل" in after else 12 if ("نهار" in after or "زوال" in after) else None
            if hour is not None:
                hour_number = _Number(hour, 1.0, i, i + 1)
                break
        if fold_arabic("الزوال") == token:
            hour_number = _Number(12, 1.0, i, i)
            break
        hour_number = _ar_ordinal(tokens, i, ordinals=_AR_HOUR_ORDINALS, tens=_AR_HOUR_TENS)
        if hour_number is not None and not anchored and hour_number.confidence < 1.0:
            # Without الساعة, only an hour read exactly: الرابع (a day) is one letter
            # from الرابعة.
            hour_number = None
        if hour_number is not None and not anchored and hour_number.last + 1 < len(tokens) \
                and tokens[hour_number.last + 1].text == _AR_OF:
            # Without الساعة, "العشرين من شهر …" is a day of a month, not 20:00 (the
            # drawn-up sentence with its الساعة misread).
            hour_number = None
        if hour_number is None and token.isdigit():
            hour_number = _Number(int(token), 0.95, i, i)
        if hour_number is not None:
            break
        if i > start + 1:
            break  # the hour follows الساعة at once; no hour here
    if hour_number is None or hour_number.value > 24:
        m = _FIGURE_TIME.search(clean)
        if m is None:
            return None
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        return ParsedTime(value=f"{hour:02d}:{minute:02d}", confidence=0.95, as_written=m.group(), hour=hour,
                          minute=minute, lang="ar")
    confidence *= hour_number.confidence
    hour, last = hour_number.value, hour_number.last
    first = hour_number.first - 1 if hour_number.first > 0 and tokens[hour_number.first - 1].text in _AR_HOUR_ANCHOR \
        else hour_number.first
    minute = 0
    index = last + 1
    sign = 1
    if index < len(tokens) and tokens[index].text in _AR_EXCEPT:
        sign, index = -1, index + 1
    elif index < len(tokens) and tokens[index].text == _AR_AND:
        index += 1
    if index < len(tokens):
        token = tokens[index].text
        exact_count = _ar_lookup(token, _AR_CARDINALS)
        # A count read exactly wins over a fuzzy quarter: أربع is four, not الربع.
        word = None if exact_count is not None and exact_count[0].distance == 0 else _ar_lookup(token, _AR_MINUTE_WORDS)
        if word is not None and (sign < 0 or word[1] or tokens[index - 1].text == _AR_AND):
            minute, last = word[0].value, index
            confidence *= _edit_factor([word[0]])
        elif token in _AR_TWO_MINUTES or (token.startswith(_AR_AND) and token[1:] in _AR_TWO_MINUTES):
            minute, last = 2, index
        elif token in _AR_MINUTE_UNITS:
            # "و دقيقة واحدة": the count after the noun.
            one = _ar_lookup(tokens[index + 1].text, _AR_CARDINALS) if index + 1 < len(tokens) else None
            if one is not None and one[0].value == 1:
                minute, last = 1, index + 1
        elif sign < 0 or tokens[index - 1].text == _AR_AND or token.startswith(_AR_AND):
            count = _ar_number_at(tokens, index, skip_noise=False)
            if count is not None and 0 < count.value < 60:
                unit = count.last + 1
                if unit < len(tokens) and tokens[unit].text in _AR_MINUTE_UNITS:
                    minute, last = count.value, unit
                    confidence *= count.confidence
                elif unit < len(tokens) and fuzzy_lookup(tokens[unit].text, {u: 0 for u in _AR_MINUTE_UNITS}):
                    minute, last = count.value, unit
                    confidence *= count.confidence * (1 - _PER_EDIT)
                elif unit < len(tokens) and tokens[unit].text.startswith(fold_arabic("دق")):
                    # The unit cut in two by OCR (دقاء ثق for دقائق): its first letters
                    # are enough after a count of minutes, at the cost of two slips.
                    minute, last = count.value, unit
                    confidence *= count.confidence * (1 - 2 * _PER_EDIT)
    if last + 1 < len(tokens) and not tokens[last + 1].after_break:
        follow = tokens[last + 1].text
        if minute == 0 and last == hour_number.last and (
                follow == _AR_AND or (follow.startswith(_AR_AND) and not follow.startswith(tuple(_AR_NOT_MINUTES)))):
            # "العاشرة و …" with the minutes unread: the hour alone would be wrong.
            confidence *= _MINUTES_UNREAD
        elif follow not in _AR_AFTER_TIME and not follow.startswith(tuple(_AR_NOT_MINUTES)):
            # An unread word glued to the time ("الثالثة XX" where عشرة stood): the hour
            # or the minutes may be short of a word.
            confidence *= _MINUTES_UNREAD
    tail = {t.text for t in tokens[last + 1:last + 3]}
    if hour < 12 and tail & _AR_AFTERNOON:
        hour += 12
    if sign < 0:
        if minute == 0:
            return None
        hour, minute = (hour - 1) % 24, 60 - minute
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    hour %= 24
    return ParsedTime(value=f"{hour:02d}:{minute:02d}", confidence=_clamp(confidence),
                      as_written=clean[tokens[first].start:tokens[last].end], hour=hour, minute=minute, lang="ar")


# =========================================================================================
# Public API
# =========================================================================================


def _language(text: str, lang: Lang | None) -> Lang:
    if lang is not None:
        return lang
    return "ar" if arabic_share(text) >= 0.5 else "fr"


def parse_date(text: str, *, lang: Lang | None = None, expected_year: int | None = None,
               year_if_missing: int | None = None) -> ParsedDate | None:
    """The date written in text (words or figures), or None when none can be read.

    lang: "fr" or "ar"; None guesses from the script. expected_year: the register's year
    (or the event's): a reading more than a year away keeps half its confidence."""
    if not text or not text.strip():
        return None
    language = _language(text, lang)
    parser = _parse_arabic_date if language == "ar" else _parse_french_date
    parsed = parser(text, expected_year=expected_year, year_if_missing=year_if_missing)
    figures = _figure_date(strip_marks(text), lang=language)
    if parsed is None or (figures is not None and parsed.precision != "day"):
        parsed = figures
    return parsed


def parse_time(text: str, *, lang: Lang | None = None) -> ParsedTime | None:
    """The hour written in text ("à dix heures trente", "على الساعة العاشرة و النصف",
    "10h30"), or None."""
    if not text or not text.strip():
        return None
    language = _language(text, lang)
    return _parse_arabic_time(text) if language == "ar" else _parse_french_time(text)


def parse_number(text: str, *, lang: Lang | None = None) -> tuple[int, float] | None:
    """(value, confidence) of a cardinal number written in words or figures."""
    language = _language(text, lang)
    if language == "ar":
        tokens = _ar_tokens(text)
        number = _ar_number_at(tokens, 0) if tokens else None
    else:
        tokens = _tokens(text, _FR_TOKEN, fold_latin)
        number = _fr_number_at(tokens, 0) if tokens else None
    return (number.value, _clamp(number.confidence)) if number else None
