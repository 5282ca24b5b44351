"""OCR metrics on small hand-computed cases."""

from __future__ import annotations

import random
import unicodedata

import pytest

from ocr.evaluate import (
    bag_of_words,
    char_error_rate,
    char_error_rate_without_vowel_marks,
    edit_distance,
    line_char_error_rate,
    line_errors,
    normalise,
    strip_arabic_marks,
    word_error_rate,
    word_f1,
    word_match,
)


def _naive_distance(a, b) -> int:
    """The textbook two-row DP, to check the bit-parallel one against."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("", "", 0), ("abc", "", 3), ("", "ab", 2), ("kitten", "sitting", 3), ("flaw", "lawn", 2),
    ("abcd", "abed", 1), ("abc", "abc", 0), ("ab", "ba", 2),
])
def test_edit_distance_small_cases(a, b, expected):
    assert edit_distance(a, b) == expected == edit_distance(b, a)


def test_edit_distance_matches_the_textbook_dp_beyond_one_machine_word():
    rng = random.Random(7)
    for _ in range(200):
        a = "".join(rng.choice("abé ") for _ in range(rng.randint(0, 150)))
        b = "".join(rng.choice("abé ") for _ in range(rng.randint(0, 150)))
        assert edit_distance(a, b) == _naive_distance(a, b)
        assert edit_distance(a.split(), b.split()) == _naive_distance(a.split(), b.split())


def test_char_error_rate_hand_computed():
    assert char_error_rate("abcd", "abed") == 0.25
    assert char_error_rate("kitten", "sitting") == 0.5  # 3 edits / 6 reference characters
    assert char_error_rate("ab", "abcdef") == 2.0  # insertions can exceed 100 %


def test_whitespace_is_normalised_before_counting():
    assert normalise("  a \t b\n\nc\f") == "a b c"
    assert char_error_rate("a  b\nc", " a b c ") == 0.0
    assert char_error_rate("ab cd", "abcd") == 0.2  # a missing space is one error out of 5


def test_nfd_and_nfc_are_the_same_text():
    nfd, nfc = "e\u0301te\u0301", "\u00e9t\u00e9"
    assert nfd != nfc and char_error_rate(nfd, nfc) == 0.0
    # Without NFC, "é" (1 code point) against "e"+U+0301 (2) would be 2 edits.
    assert char_error_rate(nfd, "ete") == pytest.approx(2 / 3)


def test_empty_reference():
    assert char_error_rate("", "") == 0.0 and char_error_rate(" \n", "") == 0.0
    assert char_error_rate("", "x") == 1.0
    assert word_error_rate("", "x y") == 1.0


def test_word_error_rate_hand_computed():
    assert word_error_rate("the quick brown fox", "the quack brown") == 0.5  # 1 substitution + 1 deletion
    assert word_error_rate("one two", "two one") == 1.0  # order counts here
    assert word_error_rate("Paris, le", "Paris le") == 0.5  # punctuation counts here


def test_word_f1_is_order_insensitive_bag_of_words():
    assert word_f1("one two", "two one") == 1.0
    assert word_f1("a b c d", "d c b x") == 0.75  # 3 common; precision 3/4, recall 3/4
    match = word_match("le le la", "le la la la")  # with multiplicity: le 1, la 1 → 2 common
    assert (match.common, match.reference_words, match.hypothesis_words) == (2, 3, 4)
    assert match.f1 == pytest.approx(2 * 2 / 7)
    assert word_f1("", "") == 1.0 and word_f1("a", "") == 0.0


def test_word_f1_ignores_case_and_punctuation_at_word_ends():
    assert bag_of_words("« Paris, » le 3-mai.") == {"paris": 1, "le": 1, "3-mai": 1}
    assert word_f1("Paris, le", "paris le") == 1.0


def test_arabic_vowel_marks_and_tatweel():
    vocalised, bare = "مُحَمَّد", "محمد"
    assert len(unicodedata.normalize("NFC", vocalised)) == 8  # 4 letters + damma, fatha, shadda, fatha
    assert char_error_rate(vocalised, bare) == 0.5  # 4 marks deleted / 8 code points
    assert char_error_rate_without_vowel_marks(vocalised, bare) == 0.0
    assert char_error_rate("محـمد", bare) == 0.2  # tatweel is a character…
    assert char_error_rate_without_vowel_marks("محـمد", bare) == 0.0  # …but not a letter
    assert strip_arabic_marks("سَجِلٌّ ٰ") == "سجل "
    # A real misreading stays an error: ح read as ج.
    assert char_error_rate_without_vowel_marks(vocalised, "مجمد") == 0.25


def test_line_cer_ignores_reading_order():
    reference = "alpha beta gamma\ndelta epsilon"
    hypothesis = "delta epsilon\nalpha beta gamma"
    assert char_error_rate(reference, hypothesis) > 0.5
    assert line_char_error_rate(reference, hypothesis) == 0.0


def test_line_cer_counts_misreadings_and_missing_lines():
    # "question" is found as "questian" inside a longer line (the rest of that line is
    # not counted here); "zzzz" is nowhere: it costs its whole length, never more.
    errors = line_errors(["question", "zzzz"], "xx questian yy\nsomething else")
    assert [(e.errors, e.total) for e in errors] == [(1, 8), (4, 4)]
    assert line_char_error_rate("question\nzzzz", "xx questian yy\nsomething else") == 5 / 12


def test_line_cer_finds_a_line_cut_in_two_pieces():
    # A header line that a spread's gutter (or a wide gap) cut into two hypothesis lines.
    reference = "REGISTRE des Jugements prononcant separation de corps"
    hypothesis = "separation de corps\nsomething unrelated here\nREGISTRE des Jugements prononcant"
    assert line_errors([reference], hypothesis)[0].errors == 0
    # Pieces shorter than 10 characters are not searched for separately: too easy by chance.
    assert line_errors(["abc def"], "def\nabc")[0].errors > 0
