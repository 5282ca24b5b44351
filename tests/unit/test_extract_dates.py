"""Dates and hours written in words, read back: the inverse of pipeline/synth/dates.py,
over every day of several years and every minute of the day, plus clerks' variants and
what OCR does to them."""

import datetime as dt

import pytest

from pipeline.extract.words_to_dates import parse_date, parse_number, parse_time
from pipeline.synth import dates as words

YEARS = (1901, 1962, 1987, 2000, 2001, 2024)


def _days(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", YEARS)
def test_every_day_of_the_year_round_trips_in_both_languages(year):
    for day in _days(year):
        moment = dt.datetime.combine(day, dt.time(10, 30))
        written = [
            words.french_date(day),
            "le " + words.french_date(day),
            words.french_act_opening(moment).split(", à")[0],  # L'an …, le quatorze mars
            words.arabic_date(day),
            words.arabic_date(day, style="mashriq"),
            words.arabic_act_opening(moment).split(" على")[0],  # في عام …، في … من شهر …
        ]
        for text in written:
            parsed = parse_date(text)
            assert parsed is not None, text
            assert (parsed.value, parsed.precision) == (day.isoformat(), "day"), text
            assert parsed.confidence == 1.0, text


def test_every_minute_of_the_day_round_trips_in_both_languages():
    for hour in range(24):
        for minute in range(60):
            for text in (words.french_time(hour, minute), "à " + words.french_time(hour, minute),
                         words.arabic_time(hour, minute), "على الساعة " + words.arabic_time(hour, minute)):
                parsed = parse_time(text)
                assert parsed is not None and parsed.value == f"{hour:02d}:{minute:02d}", text
                assert parsed.confidence == 1.0, text


def test_as_written_keeps_the_words_of_the_page():
    parsed = parse_date("Né(e) le : quatorze mars mil neuf cent quatre-vingt-sept")
    assert parsed.as_written == "quatorze mars mil neuf cent quatre-vingt-sept"
    opening = parse_date("L'an mil neuf cent quatre-vingt-sept, le quatorze mars, à dix heures trente, est né")
    assert opening.value == "1987-03-14"
    assert opening.as_written == "L'an mil neuf cent quatre-vingt-sept, le quatorze mars"
    assert parse_time("L'an mil neuf cent quatre-vingt-sept, le quatorze mars, à dix heures trente, est né"
                      ).as_written == "dix heures trente"
    arabic = parse_date("في عام ألف وتسعمائة وسبعة وثمانين، في الرابع عشر من شهر مارس على الساعة العاشرة")
    assert arabic.value == "1987-03-14" and arabic.as_written.startswith("عام ألف")


@pytest.mark.parametrize("text, value", [
    ("le premier janvier mil neuf cent cinquante", "1950-01-01"),
    ("le 1er janvier 1950", "1950-01-01"),
    ("seize mars mil neuf cent quatre-vingt-sept", "1987-03-16"),
    ("seize mars mille neuf cent quatre-vingt-sept", "1987-03-16"),
    ("seize mars mil neuf cent quatre vingt sept", "1987-03-16"),  # hyphens lost
    ("seize mars mil neuf cent quatrevingtsept", "1987-03-16"),  # words run together
    ("le trente et un décembre mil neuf cent soixante et onze", "1971-12-31"),
    ("le vingt-neuf février deux mille", "2000-02-29"),
    ("le 14 mars 1987", "1987-03-14"),
    ("14/03/1987", "1987-03-14"),
    ("في فاتح جانفي عام ألف وتسعمائة وخمسين", "1950-01-01"),
    ("في عام الف و تسعمائة و سبعة و ثمانين، في الرابع عشر من شهر مارس", "1987-03-14"),  # و apart, no hamza
    ("الرابع عشر من شهر مارس سنة ألف وتسعمائة وسبعة وثمانون", "1987-03-14"),  # nominative
    ("الحادي والعشرين من شهر يونيو عام ألفين وواحد", "2001-06-21"),
    ("الثلاثين من شهر نوفمبر عام ألف وتسعمائة واثنين وستين", "1962-11-30"),
    ("الرابع عشر من شهر مارس عام ١٩٨٧", "1987-03-14"),  # Arabic-Indic figures
    ("١٤/٠٣/١٩٨٧", "1987-03-14"),
])
def test_clerks_variants(text, value):
    parsed = parse_date(text)
    assert parsed is not None and parsed.value == value, (text, parsed)


def test_an_unusual_but_valid_number_is_read_with_less_confidence():
    usual = parse_date("seize mars mil neuf cent quatre-vingt-sept")
    unusual = parse_date("seize mars dix-neuf cent quatre-vingt-sept")
    assert unusual.value == usual.value == "1987-03-16"
    assert unusual.confidence < usual.confidence == 1.0


@pytest.mark.parametrize("text, value, repaired", [
    ("quatorze rnars mil neuf cent quatre-vingt-sept", "1987-03-14", True),  # rn for m
    ("quatorse mars mil neuf cent quatre-vingt-sept", "1987-03-14", True),
    ("quatorze mars mil neuf cemt quatre-vingt-sept", "1987-03-14", True),
    ("quatorze mars mil neuf cent quatre-vimgt-sept", "1987-03-14", True),
    ("الرابع عشر من شهر مارس عام ألف وتسعماية وسبعة وتمانين", "1987-03-14", True),  # dots lost
    ("الرابع عشر من شبر مارس عام ألف وتسعمائة وسبعة وثمانين", "1987-03-14", True),  # شهر misread
    ("الرابع عشر من شهر مارس عام ألف وأسعماثة وسبعة وثمانين", "1987-03-14", True),  # two slips
    # Spelling variants, not damage: read at full confidence.
    ("الرابع عشر من شهر مارس عام الف وتسعمائه وسبعه وثمانين", "1987-03-14", False),  # ة as ه, no hamza
    ("الرابع عشر من شهر جانفى عام ألف وتسعمائة وسبعة وثمانين", "1987-01-14", False),  # ى for ي
])
def test_ocr_noise_is_read_at_a_cost(text, value, repaired):
    parsed = parse_date(text)
    assert parsed is not None and parsed.value == value, (text, parsed)
    assert (parsed.confidence < 1.0) == repaired, (text, parsed.confidence)


def test_a_word_as_near_to_two_numbers_is_not_guessed():
    # ثمانيب is one edit from ثمانية (8) and from ثمانين (80).
    parsed = parse_date("الرابع عشر من شهر مارس عام ألف وتسعمائة وسبعة وثمانيب")
    assert parsed is None or parsed.value != "1987-03-14" or parsed.confidence < 1.0


def test_precision_follows_what_is_written():
    assert parse_date("mars mil neuf cent quatre-vingt-sept").value == "1987-03"
    assert parse_date("mars mil neuf cent quatre-vingt-sept").precision == "month"
    year_only = parse_date("né en mil neuf cent quarante")
    assert (year_only.value, year_only.precision) == ("1940", "year")
    assert parse_date("عام ألف وتسعمائة وأربعين").value == "1940"


def test_what_cannot_be_read_is_not_guessed():
    assert parse_date("") is None
    assert parse_date("le trente février mil neuf cent quatre-vingt-sept") is None  # no such day
    assert parse_date("quatorze xyzzy") is None
    # A year far from the register's is kept, with half its confidence.
    far = parse_date("quatorze mars mil neuf cent quatre-vingt-sept", expected_year=1950)
    assert far.value == "1987-03-14" and far.confidence == 0.5


@pytest.mark.parametrize("text, value", [
    ("à dix heures et demie", "10:30"),
    ("à dix heures et quart", "10:15"),
    ("à onze heures moins le quart", "10:45"),
    ("à midi", "12:00"),
    ("à minuit", "00:00"),
    ("à vingt et une heures", "21:00"),
    ("à huit heures du soir", "20:00"),
    ("à 10h30", "10:30"),
    ("à dix heures trente minutes", "10:30"),
    ("à dix heures trente", "10:30"),
    ("à dix beures trente", "10:30"),  # OCR
    ("على الساعة العاشرة إلا ربعا", "09:45"),
    ("على الساعة الثامنة مساء", "20:00"),
    ("على الساعة 10 و 30 دقيقة", "10:30"),
    ("على الساعة الثالثة و عشر دقائق", "03:10"),  # not the thirteenth hour
    ("على الساعة الثالثة عشرة", "13:00"),
    ("على الساعة الحادية والعشرين و الربع", "21:15"),
    ("على الساعة الواحدة و دقيقة واحدة", "01:01"),
    ("على الساعة العاشرة والنصف", "10:30"),  # و joined
    ("على الساعه العاشره و النصف", "10:30"),  # ة as ه
])
def test_hours_variants(text, value):
    parsed = parse_time(text)
    assert parsed is not None and parsed.value == value, (text, parsed)


def test_minutes_that_cannot_be_read_make_the_hour_doubtful():
    sure = parse_time("على الساعة العاشرة، ولد ببلدية")
    unsure = parse_time("على الساعة العاشرة و xyz دقيقة، ولد ببلدية")
    assert sure.value == unsure.value == "10:00"
    assert sure.confidence == 1.0 and unsure.confidence < 0.5


def test_numbers():
    assert parse_number("mil neuf cent quatre-vingt-sept") == (1987, 1.0)
    assert parse_number("ألف وتسعمائة وسبعة وثمانين") == (1987, 1.0)
    assert parse_number("quatre-vingt-dix-neuf")[0] == 99
    assert parse_number("soixante et onze")[0] == 71


def test_unreadable_year_is_taken_from_the_register_only_when_asked():
    # "حرر في" and the thousands lost: day and month read, the year not.
    arabic = "IA ٠ الحادي والعشرين من شهر جانفي qe وتسعمائة das وثمانين"
    assert parse_date(arabic, lang="ar", expected_year=1987) is None
    parsed = parse_date(arabic, lang="ar", expected_year=1987, year_if_missing=1987)
    assert (parsed.value, parsed.year_from_context) == ("1987-01-21", True)
    french = "L'an mil neuf XXX, le quatorze mars"  # read as the year 1009: no register's year
    parsed = parse_date(french, lang="fr", expected_year=1987, year_if_missing=1987)
    assert (parsed.value, parsed.year_from_context) == ("1987-03-14", True)
    # A year read is kept, whatever the register's; a date without its day is not completed.
    read = parse_date("L'an mil neuf cent quatre-vingt-six, le quatorze mars", lang="fr", expected_year=1987,
                      year_if_missing=1987)
    assert (read.value, read.year_from_context) == ("1986-03-14", False)
    assert parse_date("mars XXX", lang="fr", expected_year=1987, year_if_missing=1987) is None


def test_arabic_hours_with_ocr_cuts_in_the_minutes():
    # خ cut into نح; دقائق cut in two.
    assert parse_time("على الساعة السادسة عشرة و نحمسين دقيقة»", lang="ar").value == "16:50"
    cut = parse_time("على الساعة الثانية والعشرين و عشر دقاء ثق»", lang="ar")
    assert cut.value == "22:10" and cut.confidence < 0.9


def test_a_complete_arabic_year_does_not_take_a_number_word_past_a_blot():
    # "… وسبعة وثمانين على السا…": "السا" (الساعة cut short) is one letter from ألفا;
    # the year is complete, so it does not become 988000 and the date is read.
    from pipeline.extract.words_to_dates import parse_date

    text = "التاسع عشر من شهر جانفي عام ألف وتسعمائة وسبعة وثمانين على السا مسه عشرة و الربع،"
    assert parse_date(text, lang="ar", expected_year=1987).value == "1987-01-19"
    # A blot inside the number is still stepped over.
    assert parse_date("عام ألف Al وتسعمائة وسبعة وثمانين، في الرابع من شهر جانفي", lang="ar").value == "1987-01-04"


def test_a_day_of_the_month_is_not_an_hour_when_the_hour_word_is_misread():
    # The drawn-up sentence with الساعة misread (السياجة): العشرين is the 20th of January.
    drawn = "في العشرين من شهر جانفي عام ألف وتسعمائة وسبعة وتعاللى على السياجة الخامسة عشرة و الربع"
    assert parse_time(drawn, lang="ar") is None
    # With الساعة, or alone as the value of an hour row, العشرين is 20:00.
    assert parse_time("على الساعة العشرين من مساء", lang="ar").value == "20:00"
    assert parse_time("العشرين و النصف", lang="ar").value == "20:30"
