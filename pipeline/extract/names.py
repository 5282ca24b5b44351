"""Cutting a run of name words into surname and given names, and a name from the
occupation after it, the way Algerian registers write them.

Latin script: the surname is in capitals (BENALI Mohamed, AÏT AHMED Samia), whatever
its length. Arabic script has no capitals: the given name comes first in the body of an
act (محمد بن علي) and the split is found from the particles that open a surname (بن، بو،
أولد، آيت، حاج …) and the words that close a compound given name (عبد …، … الدين).
When a second writing of the same name is at hand (the margin of a narrative act writes
the surname first), the split that makes both agree wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.extract.ocr_words import OcrWord
from pipeline.extract.text import fold_arabic, fold_latin

_AR_SURNAME_PARTICLES = {fold_arabic(w) for w in ("بن", "ابن", "بو", "أولد", "ولد", "آيت", "ايت", "حاج", "الحاج", "سي",
                                                   "بل", "أيت", "اولاد")}
_AR_GIVEN_OPENERS = {fold_arabic(w) for w in ("عبد", "أبو", "ابو")}
_AR_GIVEN_CLOSERS = {fold_arabic(w) for w in ("الدين", "الرحمن", "القادر", "الله", "الحق", "العزيز", "الحميد",
                                               "المالك", "الكريم", "الرزاق", "اللطيف", "الباقي", "الحفيظ",
                                               "الغني", "النور", "الاله", "السلام", "الرحيم", "المجيد", "الهادي",
                                               "الوهاب", "الحليم", "الصمد", "الجليل", "الناصر", "الحكيم",
                                               "اللطيف", "القدوس", "الفتاح", "الخير", "الزهراء")}


def _letters(word: OcrWord) -> str:
    return "".join(ch for ch in word.text if ch.isalpha())


def is_capitalised_surname_word(word: OcrWord) -> bool:
    letters = _letters(word)
    return len(letters) >= 2 and letters.isupper()


def split_latin_surname_first(words: Sequence[OcrWord]) -> tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]:
    """(surname words, given words) for "BENALI Mohamed", "OULD ALI Abdel Rahmane"."""
    words = tuple(words)
    cut = 0
    while cut < len(words) and is_capitalised_surname_word(words[cut]):
        cut += 1
    if cut == 0 and len(words) > 1:
        cut = 1  # no capitals at all (OCR lowered them): one surname word
    return words[:cut], words[cut:]


def arabic_given_length(words: Sequence[OcrWord]) -> int:
    """How many of words (given name first) make the given name."""
    keys = [fold_arabic(_letters(w)) for w in words]
    if len(keys) <= 1:
        return len(keys)
    if keys[0] in _AR_GIVEN_OPENERS and len(keys) >= 3:
        return 2
    if len(keys) >= 3 and keys[1] in _AR_GIVEN_CLOSERS:
        return 2
    return 1


def split_arabic_given_first(words: Sequence[OcrWord]) -> tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]:
    """(given words, surname words) for "محمد بن علي", "عبد القادر حداد", "نور الدين سعدي"."""
    words = tuple(words)
    cut = arabic_given_length(words)
    if cut == len(words) and len(words) > 1:
        cut = len(words) - 1
    return words[:cut], words[cut:]


def split_arabic_surname_first(words: Sequence[OcrWord]) -> tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]:
    """(surname words, given words) for "بن علي محمد", "حداد عبد القادر" (margins)."""
    words = tuple(words)
    if len(words) <= 1:
        return words, ()
    keys = [fold_arabic(_letters(w)) for w in words]
    given = 1
    if len(keys) >= 3 and (keys[-2] in _AR_GIVEN_OPENERS or keys[-1] in _AR_GIVEN_CLOSERS):
        given = 2
    return words[:-given], words[-given:]


def split_with_margin(body: Sequence[OcrWord], margin: Sequence[OcrWord]) -> int | None:
    """Given-name length in body (given first) such that margin (surname first) reads
    the same words the other way round; None when no cut makes them agree."""
    body_keys = [fold_arabic(_letters(w)) for w in body]
    margin_keys = [fold_arabic(_letters(w)) for w in margin]
    if len(body_keys) != len(margin_keys) or len(body_keys) < 2:
        return None
    for cut in range(1, len(body_keys)):
        if body_keys[cut:] + body_keys[:cut] == margin_keys:
            return cut
    return None


def latin_key(text: str) -> str:
    return "".join(ch for ch in fold_latin(text) if ch.isalpha())


def arabic_key(text: str) -> str:
    return "".join(ch for ch in fold_arabic(text) if ch.isalpha())


# --- do the two scripts write the same name? ----------------------------------------------
#
# A consonant skeleton of each writing, by the French habits of the administration
# (ش ch, ج dj, خ kh, غ gh, ق k/g/q, ع dropped, the article assimilated before sun
# letters): vowels, و and ي (vowels in Latin spellings), hamzas and doubled letters left
# out. Equal skeletons are evidence that neither script was misread on a consonant;
# different ones that one was (or that the clerk transliterated unusually: a person
# looks, nothing is lost).

_AR_SKELETON = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z", "س": "s",
    "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "غ": "G", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h",
}
_SUN_LETTERS = set("تثدذرزسشصضطظلن")
_LATIN_DIGRAPHS = (("dj", "j"), ("tch", "S"), ("ch", "S"), ("sh", "S"), ("kh", "k"), ("gh", "G"), ("th", "t"),
                   ("dh", "d"), ("ph", "f"), ("ou", ""), ("qu", "k"))


def _collapse(skeleton: str) -> str:
    out = []
    for ch in skeleton:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def _arabic_skeletons(text: str) -> set[str]:
    folded = fold_arabic(text)
    with_article, without_article = [], []
    for word in folded.split():
        letters = "".join(ch for ch in word if ch.isalpha())
        if letters.endswith("ه") and len(letters) > 2:
            letters = letters[:-1]  # ة (folded to ه) is a vowel ending: Fatma, Zohra
        if letters.startswith("ال") and len(letters) > 3:
            rest = letters[2:]
            kept = rest if rest[0] in _SUN_LETTERS else "ل" + rest
            with_article.append(kept)
            without_article.append(rest)
        else:
            with_article.append(letters)
            without_article.append(letters)
    out = set()
    for words in (with_article, without_article):
        out.add(_collapse("".join(_AR_SKELETON.get(ch, "") for ch in "".join(words))))
    return out


def _latin_skeletons(text: str) -> set[str]:
    words = [w for w in fold_latin(text).replace("-", " ").replace("'", " ").split() if w]
    variants = [words]
    if words and words[0] in ("el", "al"):
        variants.append(words[1:])
    out = set()
    for chosen in variants:
        key = "".join(ch for ch in "".join(chosen) if ch.isalpha())
        for old, new in _LATIN_DIGRAPHS:
            key = key.replace(old, new)
        letters = []
        for i, ch in enumerate(key):
            nxt = key[i + 1] if i + 1 < len(key) else ""
            if ch in "aeiouyw":
                continue
            if ch == "c":
                letters.append("s" if nxt in ("e", "i", "y") else "k")
            elif ch in "gq":
                letters.append("k")  # ق: Belgacem, Kacemi; غ is "gh", read above
            elif ch == "x":
                letters.append("ks")
            else:
                letters.append(ch)
        out.add(_collapse("".join(letters)))
    return out


def same_name(*, lat: str, ar: str) -> bool:
    """Whether a Latin and an Arabic writing can be the same name (consonants agree)."""
    return bool(_latin_skeletons(lat) & _arabic_skeletons(ar))


def suspicious_final_ya(*, lat: str | None, ar: str) -> bool:
    """An Arabic word ending in ى where the Latin ends in i: OCR often reads a final ي
    as ى (and clerks sometimes wrote it so); the letter cannot be trusted as read."""
    words = fold_arabic(ar).split()  # folding makes ى ي: look at the raw text
    raw = [w for w in ar.split() if w]
    if not raw or not words:
        return False
    if lat is None:
        return any(w.endswith("ى") for w in raw)
    latin = [w for w in fold_latin(lat).replace("-", " ").split() if w]
    if any(w.endswith("ى") for w in raw) and any(w.endswith(("i", "y")) for w in latin):
        return True
    # Whatever the Latin says (AMRANE for عمراني), a final ى outside the names that end
    # in it is as likely an OCR slip.
    return any(w.endswith("ى") and len(w) > 2 and fold_arabic(w)[:-1] not in _ENDS_IN_ALIF_MAQSURA for w in raw)


# Given names whose Arabic spelling ends in alif maqsura (ى): the Latin writes them with a
# final a/e (Moussa, Leila). Public naming habit, not a list of the names on any page.
_ENDS_IN_ALIF_MAQSURA = {fold_arabic(w)[:-1] for w in ("مصطفى", "عيسى", "موسى", "يحيى", "ليلى", "هدى", "سلمى",
                                                        "منى", "مرتضى", "بشرى", "ذكرى", "نجوى", "سلوى", "مجتبى",
                                                        "مرتضى", "رضى", "يسرى", "لبنى", "سعدى", "حسنى", "مولى",
                                                        # feminine elatives in place names
                                                        "الوسطى", "الكبرى", "الصغرى", "السفلى", "العليا",
                                                        "الأولى")}


def repair_final_ya(ar: str) -> str:
    """Final ى of each word read as ي, except in names that end in ى."""
    out = []
    for word in ar.split(" "):
        if word.endswith("ى") and len(word) > 2 and fold_arabic(word)[:-1] not in _ENDS_IN_ALIF_MAQSURA:
            word = word[:-1] + "ي"
        out.append(word)
    return " ".join(out)


def repair_latin_i(lat: str, *, ar: str) -> str | None:
    """The Latin writing with one T of a capitalised word read back as I, when that (and
    only that) makes it agree with the Arabic; else None."""
    found = []
    for index, ch in enumerate(lat):
        if ch != "T":
            continue
        candidate = lat[:index] + "I" + lat[index + 1:]
        if same_name(lat=candidate, ar=ar):
            found.append(candidate)
    return found[0] if len(found) == 1 else None
