"""Dates and hours written in words, as civil-status acts write them (Ordonnance 70-20,
art. 8: no figures for dates in the body of an act).

French follows the traditional spelling clerks typed before and after 1962 (hyphens only
below one hundred, "et un", "quatre-vingts", "mil" in years); Arabic follows the
administrative style of Algerian registers: numbers after عام are in the oblique case
(ثمانين, not ثمانون), units before tens (سبعة وثمانين), ordinal days and feminine ordinal
hours (الساعة العاشرة), months by their Maghreb names by default.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

MonthStyle = Literal["maghreb", "mashriq"]

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
# Algeria and Tunisia use French-derived month names; the Mashriq names also occur in
# registers typed by clerks trained elsewhere, so both are offered.
ARABIC_MONTHS_MAGHREB = (
    "جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان",
    "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)
ARABIC_MONTHS_MASHRIQ = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)

# --- French ------------------------------------------------------------------------------

_FR_BELOW_20 = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
)
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _french_below_100(n: int, *, feminine: bool, invariable: bool = False) -> str:
    one = "une" if feminine else "un"
    if n < 20:
        return one if n == 1 else _FR_BELOW_20[n]
    tens, unit = divmod(n, 10)
    if tens == 7:  # soixante-dix … soixante-dix-neuf, but "soixante et onze"
        return "soixante et onze" if unit == 1 else "soixante-" + _FR_BELOW_20[10 + unit]
    if tens == 8:  # "quatre-vingts" takes its s only when nothing follows
        if unit == 0:
            return "quatre-vingt" if invariable else "quatre-vingts"
        return "quatre-vingt-" + (one if unit == 1 else _FR_BELOW_20[unit])
    if tens == 9:  # no "et": quatre-vingt-onze
        return "quatre-vingt-" + _FR_BELOW_20[10 + unit]
    word = _FR_TENS[tens]
    if unit == 0:
        return word
    if unit == 1:
        return f"{word} et {one}"
    return f"{word}-{_FR_BELOW_20[unit]}"


def _french_below_1000(n: int, *, feminine: bool, final: bool) -> str:
    # final=False: the number does not end here ("deux cent mille") or is used as an
    # ordinal, as years are ("l'an mil neuf cent quatre-vingt"): no plural s.
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _french_below_100(rest, feminine=feminine, invariable=not final)
    head = "cent" if hundreds == 1 else f"{_FR_BELOW_20[hundreds]} cent"
    if rest == 0:
        # "deux cents" but "deux cent mille": the s only when the number ends there.
        return head + ("s" if hundreds > 1 and final else "")
    return f"{head} {_french_below_100(rest, feminine=feminine, invariable=not final)}"


def french_cardinal(n: int, *, feminine: bool = False, invariable: bool = False) -> str:
    """0 ≤ n < 1 000 000 in words, traditional spelling: 71 → "soixante et onze",
    80 → "quatre-vingts", 91 → "quatre-vingt-onze", 200 → "deux cents". invariable=True
    drops the plural s of vingt and cent, as for a number used as an ordinal (years)."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"french_cardinal handles 0..999999, not {n}")
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _french_below_1000(rest, feminine=feminine, final=not invariable)
    head = "mille" if thousands == 1 else f"{_french_below_1000(thousands, feminine=False, final=False)} mille"
    return head if rest == 0 else f"{head} {_french_below_1000(rest, feminine=feminine, final=not invariable)}"


def french_year(year: int) -> str:
    """Years as acts write them: "mil" for 1001–1999 (mil neuf cent quatre-vingt-sept),
    "mille" from 2000 on (deux mille un); a year is an ordinal, so vingt and cent keep no
    plural s (mil neuf cent, mil neuf cent quatre-vingt)."""
    if 1000 < year < 2000:
        return f"mil {french_cardinal(year - 1000, invariable=True)}"
    return french_cardinal(year, invariable=True)


def french_day(day: int) -> str:
    """Day of the month: "premier" for the 1st, cardinals after (vingt et un)."""
    if not 1 <= day <= 31:
        raise ValueError(f"no day {day} in a month")
    return "premier" if day == 1 else french_cardinal(day)


def french_day_figure(day: int) -> str:
    """The figure form used in margins and headers: "1er", "2", … "31"."""
    return "1er" if day == 1 else str(day)


def french_time(hour: int, minute: int = 0) -> str:
    """"dix heures trente", "une heure", "vingt et une heures quinze", "zéro heure"."""
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"no time {hour}:{minute}")
    hours = french_cardinal(hour, feminine=True)  # une heure, vingt et une heures
    unit = "heure" if hour in (0, 1) else "heures"
    text = f"{hours} {unit}"
    return text if minute == 0 else f"{text} {french_cardinal(minute, feminine=True)}"


def french_date(day: dt.date, *, with_year: bool = True) -> str:
    """"quatorze mars mil neuf cent quatre-vingt-sept" (no article: callers add "le")."""
    text = f"{french_day(day.day)} {FRENCH_MONTHS[day.month - 1]}"
    return f"{text} {french_year(day.year)}" if with_year else text


def french_act_opening(moment: dt.datetime) -> str:
    """The first words of a narrative act:
    "L'an mil neuf cent quatre-vingt-sept, le quatorze mars, à dix heures trente"."""
    return (
        f"L'an {french_year(moment.year)}, le {french_date(moment.date(), with_year=False)}, "
        f"à {french_time(moment.hour, moment.minute)}"
    )


# --- Arabic ------------------------------------------------------------------------------

# Oblique-case forms (منصوب/مجرور), the ones that follow عام, سنة and prepositions.
_AR_BELOW_20 = (
    "صفر", "واحد", "اثنين", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة",
    "أحد عشر", "اثني عشر", "ثلاثة عشر", "أربعة عشر", "خمسة عشر", "ستة عشر", "سبعة عشر",
    "ثمانية عشر", "تسعة عشر",
)
_AR_TENS = ("", "", "عشرين", "ثلاثين", "أربعين", "خمسين", "ستين", "سبعين", "ثمانين", "تسعين")
_AR_HUNDREDS = (
    "", "مائة", "مائتين", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة",
)
_AR_CONJ = " و"  # the conjunction is written joined to the next word: وسبعة


def _arabic_below_100(n: int) -> str:
    if n < 20:
        return _AR_BELOW_20[n]
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _AR_TENS[tens]
    return f"{_AR_BELOW_20[unit]}{_AR_CONJ}{_AR_TENS[tens]}"  # units first: سبعة وثمانين


def arabic_cardinal(n: int) -> str:
    """0 ≤ n < 10 000 in words, oblique case, largest part first, parts joined by و:
    1987 → "ألف وتسعمائة وسبعة وثمانين", 2001 → "ألفين وواحد"."""
    if not 0 <= n < 10_000:
        raise ValueError(f"arabic_cardinal handles 0..9999, not {n}")
    if n == 0:
        return _AR_BELOW_20[0]
    thousands, rest = divmod(n, 1000)
    hundreds, below_100 = divmod(rest, 100)
    parts = []
    if thousands == 1:
        parts.append("ألف")
    elif thousands == 2:
        parts.append("ألفين")
    elif thousands:
        parts.append(f"{_AR_BELOW_20[thousands]} آلاف")
    if hundreds:
        parts.append(_AR_HUNDREDS[hundreds])
    if below_100:
        parts.append(_arabic_below_100(below_100))
    return _AR_CONJ.join(parts)


def arabic_year(year: int) -> str:
    return arabic_cardinal(year)


_AR_DAY_ORDINALS_1_10 = (
    "الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر",
)


def arabic_day(day: int) -> str:
    """Ordinal day with article: 1 → "الأول", 14 → "الرابع عشر", 21 → "الحادي والعشرين"."""
    if not 1 <= day <= 31:
        raise ValueError(f"no day {day} in a month")
    if day <= 10:
        return _AR_DAY_ORDINALS_1_10[day - 1]
    tens, unit = divmod(day, 10)
    first = "الحادي" if unit == 1 else _AR_DAY_ORDINALS_1_10[unit - 1]
    if tens == 1:
        return f"{first} عشر"
    tens_word = "ال" + _AR_TENS[tens]
    return tens_word if unit == 0 else f"{first}{_AR_CONJ}{tens_word}"


_AR_HOUR_ORDINALS_1_10 = (
    "الواحدة", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة",
    "التاسعة", "العاشرة",
)


def arabic_hour(hour: int) -> str:
    """Feminine ordinal (الساعة is feminine): 10 → "العاشرة", 11 → "الحادية عشرة",
    21 → "الحادية والعشرين"; 0 → "منتصف الليل" (acts do not write "hour zero")."""
    if not 0 <= hour < 24:
        raise ValueError(f"no hour {hour}")
    if hour == 0:
        return "منتصف الليل"
    if hour <= 10:
        return _AR_HOUR_ORDINALS_1_10[hour - 1]
    tens, unit = divmod(hour, 10)
    first = "الحادية" if unit == 1 else _AR_HOUR_ORDINALS_1_10[unit - 1]
    if tens == 1:
        return f"{first} عشرة"
    return "العشرين" if unit == 0 else f"{first}{_AR_CONJ}العشرين"


# Counting minutes (دقيقة, feminine): 3–10 take the masculine-looking form and a plural
# noun, 11 and above a singular noun.
_AR_FEM_COUNT = ("", "إحدى", "اثنتين", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر")


def arabic_minutes(minute: int) -> str:
    """What follows the hour, with its conjunction: 30 → "و النصف", 15 → "و الربع",
    10 → "و عشر دقائق", 25 → "و خمس وعشرين دقيقة"; 0 → "". The clerks' "و " stands
    apart before the minutes, as in the registers."""
    if not 0 <= minute < 60:
        raise ValueError(f"no minute {minute}")
    if minute == 0:
        return ""
    if minute == 15:
        return "و الربع"
    if minute == 30:
        return "و النصف"
    if minute == 1:
        count = "دقيقة واحدة"
    elif minute == 2:
        count = "دقيقتين"
    elif minute <= 10:
        count = f"{_AR_FEM_COUNT[minute]} دقائق"
    elif minute < 20:
        unit = minute - 10
        count = f"{'اثنتي' if unit == 2 else _AR_FEM_COUNT[unit]} عشرة دقيقة"
    else:
        tens, unit = divmod(minute, 10)
        count = _AR_TENS[tens] if unit == 0 else f"{_AR_FEM_COUNT[unit]}{_AR_CONJ}{_AR_TENS[tens]}"
        count += " دقيقة"
    return f"و {count}"


def arabic_time(hour: int, minute: int = 0) -> str:
    """"العاشرة و النصف", "الحادية عشرة", "الثالثة و عشر دقائق"."""
    minutes = arabic_minutes(minute)
    return f"{arabic_hour(hour)} {minutes}" if minutes else arabic_hour(hour)


def arabic_month(month: int, *, style: MonthStyle = "maghreb") -> str:
    names = ARABIC_MONTHS_MAGHREB if style == "maghreb" else ARABIC_MONTHS_MASHRIQ
    return names[month - 1]


def arabic_date(day: dt.date, *, with_year: bool = True, style: MonthStyle = "maghreb") -> str:
    """"الرابع عشر من شهر مارس عام ألف وتسعمائة وسبعة وثمانين"."""
    text = f"{arabic_day(day.day)} من شهر {arabic_month(day.month, style=style)}"
    return f"{text} عام {arabic_year(day.year)}" if with_year else text


def arabic_act_opening(moment: dt.datetime, *, style: MonthStyle = "maghreb") -> str:
    """"في عام ألف وتسعمائة وسبعة وثمانين، في الرابع عشر من شهر مارس على الساعة العاشرة و النصف"."""
    return (
        f"في عام {arabic_year(moment.year)}، في {arabic_date(moment.date(), with_year=False, style=style)} "
        f"على الساعة {arabic_time(moment.hour, moment.minute)}"
    )
