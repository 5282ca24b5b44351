"""Dates and hours in words (French and Arabic) and the name lists of pipeline.synth."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from pipeline.synth import dates, names


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (1962, "mil neuf cent soixante-deux"),
        (1987, "mil neuf cent quatre-vingt-sept"),
        (1971, "mil neuf cent soixante et onze"),
        (1980, "mil neuf cent quatre-vingt"),  # a year is an ordinal: no plural s
        (1991, "mil neuf cent quatre-vingt-onze"),
        (1900, "mil neuf cent"),
        (1830, "mil huit cent trente"),
        (2000, "deux mille"),
        (2001, "deux mille un"),
        (2012, "deux mille douze"),
    ],
)
def test_french_years(year, words):
    assert dates.french_year(year) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zéro"), (1, "un"), (16, "seize"), (17, "dix-sept"), (20, "vingt"), (21, "vingt et un"),
        (22, "vingt-deux"), (31, "trente et un"), (61, "soixante et un"), (70, "soixante-dix"),
        (71, "soixante et onze"), (72, "soixante-douze"), (80, "quatre-vingts"), (81, "quatre-vingt-un"),
        (90, "quatre-vingt-dix"), (91, "quatre-vingt-onze"), (99, "quatre-vingt-dix-neuf"), (100, "cent"),
        (101, "cent un"), (200, "deux cents"), (201, "deux cent un"), (280, "deux cent quatre-vingts"),
        (1000, "mille"), (80000, "quatre-vingt mille"), (200000, "deux cent mille"),
    ],
)
def test_french_cardinals(number, words):
    assert dates.french_cardinal(number) == words


def test_french_days_start_with_premier():
    assert dates.french_day(1) == "premier"
    assert dates.french_day_figure(1) == "1er"
    assert dates.french_day_figure(2) == "2"
    assert dates.french_day(21) == "vingt et un"
    assert dates.french_day(31) == "trente et un"
    assert dates.french_date(dt.date(1987, 3, 1)) == "premier mars mil neuf cent quatre-vingt-sept"


@pytest.mark.parametrize(
    ("hour", "minute", "words"),
    [
        (10, 30, "dix heures trente"),
        (1, 0, "une heure"),
        (0, 15, "zéro heure quinze"),
        (21, 0, "vingt et une heures"),
        (23, 45, "vingt-trois heures quarante-cinq"),
        (12, 21, "douze heures vingt et une"),
    ],
)
def test_french_hours(hour, minute, words):
    assert dates.french_time(hour, minute) == words


def test_french_act_opening_as_in_the_registers():
    assert dates.french_act_opening(dt.datetime(1987, 3, 14, 10, 30)) == (
        "L'an mil neuf cent quatre-vingt-sept, le quatorze mars, à dix heures trente")


def test_every_french_number_below_1000_is_well_formed():
    for number in range(1000):
        words = dates.french_cardinal(number)
        assert "  " not in words and not words.startswith(" ") and not words.endswith(" ")
        # "et" joins only un/une and onze to a ten (vingt et un … soixante et onze).
        for match in re.finditer(r"(\S+) et (\S+)", words):
            assert match.group(2) in ("un", "onze"), words
            assert match.group(1) in ("vingt", "trente", "quarante", "cinquante", "soixante"), words


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (1962, "ألف وتسعمائة واثنين وستين"),
        (1987, "ألف وتسعمائة وسبعة وثمانين"),
        (1970, "ألف وتسعمائة وسبعين"),
        (1900, "ألف وتسعمائة"),
        (2000, "ألفين"),
        (2001, "ألفين وواحد"),
        (2012, "ألفين واثني عشر"),
    ],
)
def test_arabic_years(year, words):
    assert dates.arabic_year(year) == words


@pytest.mark.parametrize(
    ("day", "words"),
    [(1, "الأول"), (2, "الثاني"), (10, "العاشر"), (11, "الحادي عشر"), (14, "الرابع عشر"), (20, "العشرين"),
     (21, "الحادي والعشرين"), (29, "التاسع والعشرين"), (30, "الثلاثين"), (31, "الحادي والثلاثين")],
)
def test_arabic_days(day, words):
    assert dates.arabic_day(day) == words


@pytest.mark.parametrize(
    ("hour", "minute", "words"),
    [
        (10, 30, "العاشرة و النصف"),
        (11, 0, "الحادية عشرة"),
        (12, 15, "الثانية عشرة و الربع"),
        (20, 10, "العشرين و عشر دقائق"),
        (21, 25, "الحادية والعشرين و خمس وعشرين دقيقة"),
        (3, 12, "الثالثة و اثنتي عشرة دقيقة"),
    ],
)
def test_arabic_hours(hour, minute, words):
    assert dates.arabic_time(hour, minute) == words


def test_arabic_act_opening_as_in_the_registers():
    assert dates.arabic_act_opening(dt.datetime(1987, 3, 14, 10, 30)) == (
        "في عام ألف وتسعمائة وسبعة وثمانين، في الرابع عشر من شهر مارس على الساعة العاشرة و النصف")


def test_arabic_months_maghreb_and_mashriq():
    assert dates.ARABIC_MONTHS_MAGHREB == (
        "جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
    assert dates.arabic_month(7) == "جويلية"
    assert dates.arabic_month(7, style="mashriq") == "يوليو"
    assert dates.arabic_date(dt.date(1987, 7, 5)) == "الخامس من شهر جويلية عام ألف وتسعمائة وسبعة وثمانين"


def test_every_day_and_hour_has_distinct_words_in_both_languages():
    assert len({dates.arabic_day(d) for d in range(1, 32)}) == 31
    assert len({dates.french_day(d) for d in range(1, 32)}) == 31
    assert len({dates.arabic_hour(h) for h in range(24)}) == 24
    assert len({dates.arabic_minutes(m) for m in range(60)}) == 60
    assert len({dates.french_time(h, m) for h in range(24) for m in range(60)}) == 24 * 60


@pytest.mark.parametrize("call", [
    lambda: dates.french_day(0), lambda: dates.arabic_day(32), lambda: dates.french_time(24, 0),
    lambda: dates.arabic_minutes(60), lambda: dates.french_cardinal(-1), lambda: dates.arabic_cardinal(10_000),
])
def test_out_of_range_is_refused(call):
    with pytest.raises(ValueError):
        call()


_ARABIC = re.compile(r"^[\u0621-\u064A ]+$")
_LATIN = re.compile(r"^[A-Za-zÀ-ÿ' -]+$")


def test_name_lists_keep_scripts_apart():
    for form in names.GIVEN_MALE + names.GIVEN_FEMALE + names.SURNAMES:
        assert _ARABIC.match(form.ar), form
        assert form.latin and all(_LATIN.match(lat) for lat in form.latin), form


def test_names_follow_maghreb_habits():
    mohamed = names.find_name("محمد", names=names.GIVEN_MALE)
    assert {"Mohamed", "Mohammed", "M'hamed"} <= set(mohamed.latin)
    benali = names.find_name("بن علي", names=names.SURNAMES)
    assert benali.latin[0] == "BENALI" and "BEN ALI" in benali.latin
    assert any(form.ar.startswith("بو") and form.latin[0].startswith("BOU") for form in names.SURNAMES)
    assert any(form.latin[0].startswith("OULD") for form in names.SURNAMES)


def test_spellings_are_seeded():
    drawn = [names.spell(form, rng=random.Random(7)) for form in names.SURNAMES]
    again = [names.spell(form, rng=random.Random(7)) for form in names.SURNAMES]
    assert drawn == again
    for form, spelled in zip(names.SURNAMES, drawn):
        assert spelled.lat in form.latin
