"""Cross-script name keys: one function, `name_keys`, used when an act is indexed and when
an archivist searches (DESIGN decision 9), so `Mohamed Benali` finds `محمد بن علي` and the
reverse.

A name in either script is read into a *detail* spelling in one shared alphabet, then
reduced to keyword keys, each tagged with its kind so a hit can say which key matched:

- `exact`: the name normalised in its own script (Arabic: alef/hamza forms → ا, ى → ي,
  ة → ه, tatweel and vowel marks removed, Arabic-Indic digits; Latin: lower case, accents
  folded, apostrophes dropped, hyphens and spaces unified) — `محمد`, `benali`.
- `skeleton`: the consonants both scripts write, in the alphabet
  `b t d s z j š x ɣ k h f l m n r w y`, plus `ʔ` for a name that starts with a vowel
  (ا أ إ آ ع in Arabic) and a final `a` for a name that ends in ة ا ى (Latin -a, -ah,
  -at/-et). Short vowels are dropped: Arabic does not write them and Latin writes them
  every which way. `محمد`, `Mohamed`, `Mohammed`, `M'hamed`, `Muhammad` → `mhmd`.
- `loose`: the skeleton with the distinctions clerks blur merged (t/d, s/z/š, k/x/ɣ),
  w, y, ʔ and the final vowel dropped — for recall, ranked below the skeleton.

A name of several words gives keys for each word (scope `word`, particles attached:
`Ben Ali` → `benali`) and for the whole name (scope `full`), so `Ben Ali`, `Ben-Ali` and
`Benali` share keys with `بن علي` in both directions. Titles (Si, Hadj, Moulay, Lalla)
give keys with and without the title.

Keys find candidates; `name_similarity` ranks them (a vowel-aware weighted edit distance
on the detail spellings: it tells محمد from محمود and حسين from حسن, which share a
skeleton), and `best_match` says which key matched. `explain` lists the rewrite steps.

Detail alphabet: the consonants above; `ʔ` initial vowel; short vowels `a e i u` (Latin
writes them, Arabic does not: cheap to drop); long vowels `A I U` (ا ى, و, ي as vowels:
Latin nearly always writes them); `ʕ` ع inside a word; `ʼ` hamza inside a word.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ocr.text import ARABIC_DIGITS_TO_ASCII

KeyKind = Literal["exact", "skeleton", "loose"]
KEY_KINDS: tuple[KeyKind, ...] = ("exact", "skeleton", "loose")
Scope = Literal["full", "word"]
MatchKind = Literal["exact", "skeleton", "loose", "fuzzy"]
# How much a match of each kind is worth when ranking hits. `fuzzy` is not a stored key:
# a skeleton one edit away (what an Elasticsearch `fuzzy` query on the skeleton field
# finds), for names a clerk misspelt beyond the habits below.
MATCH_RANK: dict[str, int] = {"exact": 6, "skeleton": 4, "loose": 2, "fuzzy": 0}
# A whole-name key is worth more than a one-word key of the next kind up: for the query
# Mohamed Benali, Mohammed Benali (skeleton, whole: 7) comes before Mohamed (exact, one
# word: 6); for the query Mohamed, Mohamed Benali (skeleton, one word: 4) comes before
# Ahmed (fuzzy, whole: 3).
FULL_NAME_BONUS = 3
FUZZY_MIN_LENGTH = 4  # a skeleton shorter than this is too short to allow an edit

INITIAL = "ʔ"
AYN = "ʕ"
HAMZA = "ʼ"
FINAL_VOWEL = "a"  # the skeleton's mark for a name ending in ة / ا / ى (Latin -a)
CONSONANTS = frozenset("btdszjšxɣkhflmnrwy")
SHORT_VOWELS = frozenset("aeiu")
LONG_VOWELS = frozenset("AIU")

# Several readings of one spelling are kept, the usual one first; past this many the
# rarest combinations are dropped (a name rarely has more than two ambiguous letters).
MAX_SPELLINGS = 8


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NameKey:
    """One keyword key: its kind, its value, whether it stands for the whole name or one
    word of it, and the (normalised) word or name it was derived from."""

    kind: KeyKind
    value: str
    scope: Scope
    source: str


@dataclass(frozen=True)
class NameKeys:
    """The keys of one name, in the order exact, skeleton, loose; full-name keys first."""

    text: str
    keys: tuple[NameKey, ...]

    def values(self, kind: KeyKind, *, scope: Scope | None = None) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for key in self.keys:
            if key.kind == kind and (scope is None or key.scope == scope):
                seen.setdefault(key.value, None)
        return tuple(seen)

    def as_fields(self) -> dict[str, list[str]]:
        """Keyword field values for an index: `exact`, `skeleton`, `loose` hold every key of
        that kind; `exact_full`, `skeleton_full`, `loose_full` only the whole-name keys
        (to rank a whole-name match above a one-word match)."""
        fields: dict[str, list[str]] = {}
        for kind in KEY_KINDS:
            fields[kind] = list(self.values(kind))
            fields[f"{kind}_full"] = list(self.values(kind, scope="full"))
        return fields


@dataclass(frozen=True)
class NameMatch:
    """Why two names match: the best key they share (or the near-equal skeletons)."""

    kind: MatchKind
    query_value: str
    record_value: str
    full: bool  # both keys stand for the whole name, not one word of it

    @property
    def rank(self) -> int:
        return MATCH_RANK[self.kind] + (FULL_NAME_BONUS if self.full else 0)

    def describe(self) -> str:
        scope = "whole name" if self.full else "one word"
        if self.query_value == self.record_value:
            return f"{self.kind} key {self.record_value!r} ({scope})"
        return f"{self.kind}: {self.query_value!r} ≈ {self.record_value!r} ({scope})"


# --- normalisation (exact keys) ------------------------------------------------------------

_TATWEEL = "\u0640"
# Vowel marks, shadda, sukun, dagger alef, Quranic marks: registers write them rarely and
# inconsistently, and they change neither the name nor its Latin spelling.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Letters of Persian/Maghrebi typing: ڨ (Algerian gaf, /g/ of ق), ڤ (v), ڢ ڧ (Maghrebi
# fa and qaf), Persian kaf and ya, heh forms. Mapped to the letter a clerk would type.
_ARABIC_LETTER_FORMS = str.maketrans(
    {"ٱ": "ا", "ی": "ي", "ې": "ي", "ک": "ك", "ڪ": "ك", "ڨ": "ق", "گ": "ق", "ڧ": "ق",
     "ڢ": "ف", "ڤ": "ف", "پ": "ب", "ە": "ه", "ۀ": "ه", "ھ": "ه", "ۃ": "ة"}
)
_EXACT_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_APOSTROPHES = "'’‘ʼʻ`´"
_ARABIC_RUN = "\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff"
_TOKEN = re.compile(f"[a-z]+|[{_ARABIC_RUN}]+")


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def _clean_arabic(text: str) -> str:
    """Arabic as the skeleton reads it: marks and tatweel gone, letter forms unified, but
    أ إ آ ى ة ء ؤ ئ kept (they tell a vowel or a final -a)."""
    return _ARABIC_MARKS.sub("", text.replace(_TATWEEL, "")).translate(_ARABIC_LETTER_FORMS)


def _exact_arabic(word: str) -> str:
    return word.translate(_EXACT_ARABIC)


def _fold_latin(text: str) -> str:
    # ç is /s/; folding it to c would read Françoise-style ça as ka.
    text = text.replace("ç", "ss").replace("Ç", "SS")
    # Decompose Latin letters only: NFKD would also split إ أ آ ؤ ئ into a bare letter and
    # a combining hamza or madda, and the skeleton reads those.
    folded = []
    for ch in text:
        if "\u0600" <= ch <= "\u06ff":
            folded.append(ch)
        else:
            folded.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(folded).lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def _tokens(text: str) -> list[str]:
    """Words of either script. Apostrophes mark an elided vowel (M'hamed, L'Arbi) and are
    dropped; hyphens, dots and spaces all separate words (Ben-Ali = Ben Ali)."""
    text = unicodedata.normalize("NFC", text).translate(ARABIC_DIGITS_TO_ASCII)
    text = _clean_arabic(text)
    text = _fold_latin(text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return _TOKEN.findall(text)


# --- particles -------------------------------------------------------------------------------

# Particles that are part of the name and are written joined, spaced or hyphenated (Ben
# Ali / Benali / Ben-Ali; Abd El Kader / Abdelkader; Aït Ahmed): attached to the next word.
_LATIN_PARTICLES = frozenset(
    {"ben", "bel", "bou", "ibn", "bent", "bint", "ould", "ouled", "oulad", "ait", "ath",
     "abd", "abdel", "abdal", "abdul", "abdoul", "abou", "abu",
     # the article, as French clerks wrote it before moon letters (el, al, l) and
     # assimilated before sun letters (Abd-er-Rahmane, Nour-ed-Dine, Abd-es-Selam…)
     "el", "al", "ed", "er", "es", "et", "en", "ez", "ech", "ej", "ad", "ar", "as", "at",
     "an", "az", "ach"}
)
_ARABIC_PARTICLES = frozenset(
    {"بن", "ابن", "بنت", "بو", "ابو", "بل", "ولد", "اولد", "اولاد", "ايت", "اث", "عبد", "ال"}
)
# Titles: written before the name (Si Mohamed, El Hadj Ahmed, Moulay Driss, Lalla Fatma),
# sometimes omitted — keys are made with and without them.
_LATIN_TITLES = frozenset({"si", "sidi", "hadj", "hadja", "elhadj", "elhadja", "moulay", "lalla"})
_ARABIC_TITLES = frozenset({"سي", "سيدي", "حاج", "حاجه", "الحاج", "الحاجه", "مولاي", "لاله"})
# Arabic compounds a clerk may write as one word (عبدالقادر, نورالدين): split so that they
# read like the spaced form.
_ARABIC_SPLIT_PREFIX = re.compile("^(عبد)(ال.+)$")
_ARABIC_SPLIT_SUFFIX = re.compile("^(.{2,})(الدين|الله)$")


def _key_form(word: str) -> str:
    return _exact_arabic(word) if _is_arabic(word) else word


def _is_particle(word: str) -> bool:
    return _key_form(word) in (_ARABIC_PARTICLES if _is_arabic(word) else _LATIN_PARTICLES)


def _is_title(word: str) -> bool:
    return _key_form(word) in (_ARABIC_TITLES if _is_arabic(word) else _LATIN_TITLES)


def _split_arabic_compounds(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if not _is_arabic(word):
            out.append(word)
            continue
        prefix = _ARABIC_SPLIT_PREFIX.match(word)
        if prefix and len(prefix.group(2)) > 3:
            out.extend([prefix.group(1), prefix.group(2)])
            continue
        suffix = _ARABIC_SPLIT_SUFFIX.match(word)
        if suffix and _exact_arabic(suffix.group(1)) not in ("عبد", "ال"):
            out.extend([suffix.group(1), suffix.group(2)])
            continue
        out.append(word)
    return out


@dataclass(frozen=True)
class _Unit:
    """One word of the name with its particles attached: `ben`+`ali`, `عبد`+`القادر`."""

    pieces: tuple[str, ...]
    titles: int  # how many leading pieces are titles (keys made with and without)


def _units(words: list[str], steps: list[str]) -> list[_Unit]:
    units: list[_Unit] = []
    pending: list[str] = []
    for word in words:
        pending.append(word)
        if _is_particle(word) or _is_title(word):
            continue
        units.append(_make_unit(pending, steps))
        pending = []
    if pending:  # trailing particles (a name that is only "Hadj", or "… Ben")
        units.append(_make_unit(pending, steps))
    return units


def _make_unit(pieces: list[str], steps: list[str]) -> _Unit:
    titles = 0
    for j, piece in enumerate(pieces[:-1]):
        if _is_title(piece):
            titles = j + 1
        elif not (_key_form(piece) in ("el", "al", "ال") and _is_title(pieces[j + 1])):
            break  # El of El Hadj belongs to the title
    if len(pieces) > 1:
        steps.append(
            f"particles attached: {' + '.join(pieces)} → {''.join(pieces)}"
            " (particles and titles are written joined, spaced or hyphenated)"
        )
    return _Unit(pieces=tuple(pieces), titles=titles)


# --- readings in the detail alphabet -----------------------------------------------------------

Spellings = list[tuple[int, str]]  # (how unusual the reading is, detail string)


def _append(detail: str, addition: str) -> str:
    """Append, writing a doubled consonant once: Latin doubles (Mohammed, Hammadi) are the
    shadda Arabic does not write, and an assimilated article doubles the next letter."""
    if addition and detail and addition[0] == detail[-1] and addition[0] in CONSONANTS:
        addition = addition[1:]
    return detail + addition


def _extend(spellings: Spellings, alternatives: list[tuple[str, int]]) -> Spellings:
    grown = [(cost + extra, _append(detail, add)) for cost, detail in spellings for add, extra in alternatives]
    return _prune(grown)


def _prune(spellings: Spellings) -> Spellings:
    best: dict[str, int] = {}
    for cost, detail in spellings:
        if detail not in best or cost < best[detail]:
            best[detail] = cost
    ordered = sorted(best.items(), key=lambda item: item[1])  # stable: usual readings first
    return [(cost, detail) for detail, cost in ordered[:MAX_SPELLINGS]]


def _one(symbols: str) -> list[tuple[str, int]]:
    return [(symbols, 0)]


# Latin ------------------------------------------------------------------------------------

_LATIN_VOWELS = frozenset("aeiouy")
_VOWEL_CLASS = {"a": "a", "e": "e", "i": "i", "o": "u", "u": "u", "y": "i"}
_LATIN_SIMPLE = {"b": "b", "d": "d", "f": "f", "h": "h", "j": "j", "k": "k", "l": "l", "m": "m",
                 "n": "n", "q": "k", "r": "r", "s": "s", "t": "t", "w": "w", "z": "z",
                 # French writes no p or v in Arabic names; when they occur they stand
                 # for ب and ڤ/ف.
                 "p": "b", "v": "f", "x": "ks"}


def _latin_piece(piece: str, *, initial: bool, notes: list[str]) -> Spellings:
    """Read one Latin word the way the French-speaking administration wrote Arabic names."""
    spellings: Spellings = [(0, "")]
    n = len(piece)
    i = 0

    def at(j: int) -> str:
        return piece[j] if 0 <= j < n else ""

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    def vowel(symbol: str) -> list[tuple[str, int]]:
        return _one((INITIAL if initial else "") + symbol) if i == 0 else _one(symbol)

    while i < n:
        c, nxt, rest = piece[i], at(i + 1), piece[i:]
        step = 1
        if rest.startswith("sch"):
            alts, step = _one("š"), 3
        elif rest.startswith(("ch", "sh")):
            alts, step = _one("š"), 2
            note("ch/sh → š (French ch writes ش)")
        elif rest.startswith("kh"):
            alts, step = _one("x"), 2
            note("kh → x (خ)")
        elif rest.startswith("gh"):
            alts, step = _one("ɣ"), 2
            note("gh → ɣ (غ)")
        elif rest.startswith("th"):
            # th is ث (Othmane) or a French silent h (Thami), but also ت+ح (Fethi).
            alts, step = [("t", 0), ("th", 1)], 2
            note("th → t (ث, or French silent h), or t+h (Fethi)")
        elif rest.startswith("dh"):
            alts, step = _one("d"), 2
            note("dh → d (ذ ض ظ: Fadhila)")
        elif rest.startswith("ph"):
            alts, step = _one("f"), 2
        elif rest.startswith("dj"):
            alts, step = _one("j"), 2
            note("dj → j (ج: Djamel = Jamal)")
        elif rest.startswith("rh") and (i == 0 or at(i - 1) in _LATIN_VOWELS) and at(i + 2) in _LATIN_VOWELS:
            # Moroccan and some Algerian registers write غ as rh (Rhazi, Rhali).
            alts, step = [("rh", 0), ("ɣ", 1)], 2
            note("rh → r+h, or ɣ (Moroccan rh for غ)")
        elif rest.startswith(("gu", "qu")) and at(i + 2) in ("e", "i", "y", "a", "o"):
            # gu/qu before a vowel: the u only keeps the g hard (Guerfi, Guettaf).
            alts, step = _one("k"), 2
            note("gu/qu + vowel → k (silent u)")
        elif rest.startswith("ck"):
            alts, step = _one("k"), 2
        elif rest.startswith("ou"):
            step = 2
            after = at(i + 2)
            if i == 0 and after in _LATIN_VOWELS:
                alts = _one("w")  # Ouardia, Ouahiba: initial و
                note("ou + vowel → w (و)")
            elif i == 0:
                # Ould (ولد) or Oussama (أسامة): an initial و or a vowel.
                alts = [((INITIAL if initial else "") + "u", 0), ("w", 0)]
                note("initial ou → vowel or w (Oussama / Ould)")
            elif after in _LATIN_VOWELS:
                # Touati (تواتي) has و; Souad (سعاد) writes ou + the a of ع.
                alts = [("w", 0), ("u", 1)]
                note("ou + vowel → w (Touati) or u (Souad)")
            else:
                alts = _one("u")
        elif c == "c":
            if nxt in ("e", "i", "y"):
                alts = _one("s")
                note("c + e/i → s (Youcef, Hocine: French c for س)")
            elif nxt == "c":
                alts, step = _one("k"), 2
            else:
                # hard c is ك/ق; but typewriters and capitals lose the cedilla (FAYCAL).
                alts = [("k", 0), ("s", 1)]
                note("c + a/o/u → k, or s (lost cedilla: Faycal)")
        elif c == "g":
            if nxt in ("e", "i", "y"):
                # French soft g is ج (Gilali); but clerks also wrote the g of ق/ڨ before e
                # without the u that keeps it hard (Bougerra for Bouguerra).
                alts = [("j", 0), ("k", 1)]
                note("g + e/i → j (French soft g), or k (ق written g: Bougerra)")
            else:
                alts = _one("k")
                note("hard g → k (ق pronounced g: Belgacem)")
        elif c == "s" and i > 0 and at(i - 1) in _LATIN_VOWELS and nxt in _LATIN_VOWELS:
            # French reads a single s between vowels as z: Louisa is لويزة, while clerks
            # doubled it (Aissa, Nassira) or used c (Nacera) to keep /s/.
            alts = [("s", 0), ("z", 1)]
            note("single s between vowels → s or z (French intervocalic s)")
        elif c in ("i", "y") and i > 0 and at(i - 1) in _LATIN_VOWELS and nxt in _LATIN_VOWELS:
            # Tayeb / Taieb (الطيب) write the doubled ي of tayyib as a y between vowels.
            alts = [("y", 0), (_VOWEL_CLASS[c], 1)]
            note("i/y between vowels → y, or a vowel (Tayeb = الطيب)")
        elif c == "w" and i > 0 and at(i - 1) in _LATIN_VOWELS:
            # English-style transcriptions write the long u / diphthong of و as w after a
            # vowel (Dawud داود, Tawfiq توفيق), where French writes ou.
            alts = [("w", 0), ("u", 1)]
            note("w after a vowel → w, or the vowel of و (Dawud, Tawfiq)")
        elif c == "u" and i > 0 and nxt in _LATIN_VOWELS and at(i - 1) not in _LATIN_VOWELS:
            # u + vowel is ou + vowel without the o (Luiza لويزة, Suad سعاد).
            alts = [("u", 0), ("w", 1)]
            note("u + vowel → u, or w (Luiza)")
        elif c == "y" and i > 0 and nxt in _LATIN_VOWELS and at(i + 2) and at(i + 2) not in _LATIN_VOWELS:
            # Maryam (مريم): the ي a register writes between consonants may be a y in Latin.
            alts = [("y", 0), ("i", 1)]
            note("y + vowel → y, or the vowel ي (Maryam = مريم)")
        elif c == "y" and (i == 0 or nxt in _LATIN_VOWELS):
            alts = _one("y")
        elif c == "i" and i > 0 and nxt in _LATIN_VOWELS:
            if nxt == "e" and at(i + 2) and at(i + 2) not in _LATIN_VOWELS and i + 3 <= n:
                # French ie before a consonant is a long i (Boumediene, Mediene).
                alts, step = [("i", 0), ("ye", 1)], 2
                note("ie + consonant → i (French ie for ي: Boumediene), or y + e (Iliès)")
            elif at(i + 2) and at(i + 2) not in _LATIN_VOWELS:
                # Miriam, Myriam (مريم): i + a before a consonant may be the vowel ي + a.
                alts = [("y", 0), ("i", 1)]
                note("i + vowel → y (Ziane), or i (Myriam)")
            else:
                alts = _one("y")
                note("i + vowel → y (Nadia, Yahia: ي before a vowel)")
        elif c == "e" and i == n - 1 and i > 0 and at(i - 1) not in _LATIN_VOWELS:
            alts = _one("")  # French mute final e (Slimane, Hocine, Rachide)
            note("final e after a consonant is mute")
        elif c in _LATIN_VOWELS:
            alts = vowel(_VOWEL_CLASS[c])
        elif c == "h" and i == n - 1 and i > 0 and at(i - 1) in _LATIN_VOWELS:
            # Final h is ح (Salah, Rabah) or a French spelling of ة (Aminah).
            alts = [("h", 0), ("", 1)]
            note("final h → h (Salah) or nothing (Aminah)")
        elif c == "t" and i == n - 1 and i >= 2 and at(i - 1) in ("a", "e"):
            # -at/-et: ة read as t (Hayet حياة, Nadjet نجاة) — or a real ت/ط (Merabet).
            alts = [("t", 0), ("", 1)]
            note("final -at/-et → t, or ة (Hayet)")
        elif c in _LATIN_SIMPLE:
            alts = _one(_LATIN_SIMPLE[c])
        else:
            alts = _one("")
        spellings = _extend(spellings, alts)
        i += step
    # -et read as ة (Hayet, Nadjet): the dropped t leaves a final -a, as -at does.
    if piece.endswith("et") and n > 3:
        spellings = _prune(
            [(cost, detail if detail.endswith("t") else detail + "a") for cost, detail in spellings]
        )
    return spellings


# Arabic -----------------------------------------------------------------------------------

_ARABIC_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "س": "s", "ش": "š", "ص": "s", "ض": "d", "ط": "t", "غ": "ɣ",
    "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}
# Why each: ث ذ ض ط ص are written t d d t s by the French habit (Othmane, Nadir, Fadila,
# Tahar, Salah); ق is k/q/g (Kacem, Belgacem); ج is dj/j; غ gh; خ kh; ش ch.
_SUN_LETTERS = frozenset("تثدذرزسشصضطظلن")
_ALEFS = frozenset("اأإآ")
# After و or ي, these make it a consonant: a vowel letter follows (تواتي, نادية, ربيعة).
_VOWEL_LETTERS = frozenset("اأإآىةعءؤئ")


def _arabic_piece(piece: str, *, initial: bool, unit_start: bool, notes: list[str]) -> Spellings:
    """Read one Arabic word as the administration transliterated it. `unit_start`: the word
    does not follow a particle (its article may then be left out in Latin)."""

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    if piece.startswith("ال") and len(piece) >= 4:
        rest = piece[2:]
        sun = rest[0] in _SUN_LETTERS
        rest_mid = _arabic_plain(rest, initial=False, notes=notes)
        if initial:
            rest_initial = _arabic_plain(rest, initial=True, notes=notes)
            if sun:
                # الطاهر: Ettahar (assimilated), Tahar (article dropped), El Tahar.
                note("article before a sun letter: assimilated (Ettahar), dropped (Tahar) or el")
                options = [(INITIAL + "e", rest_mid, 0), ("", rest_initial, 0), (INITIAL + "el", rest_mid, 1)]
            else:
                # العربي: El Arbi, Larbi (fused), Arbi (dropped).
                note("article before a moon letter: el (El Arbi), fused l (Larbi) or dropped (Arbi)")
                options = [(INITIAL + "el", rest_mid, 0), ("l", rest_mid, 0), ("", rest_initial, 1)]
        elif sun:
            # عبد الرحمن: Abderrahmane (assimilated) or Abdel Rahmane.
            note("article before a sun letter: assimilated (Abderrahmane) or el (Abdel Rahmane)")
            options = [("e", rest_mid, 0), ("el", rest_mid, 1)]
        elif unit_start:
            # محمد الأمين: Mohamed El Amine, Mohamed Lamine, or Mohamed Amine.
            note("article before a moon letter: el (Mohamed El Amine) or dropped (Mohamed Amine)")
            options = [("el", rest_mid, 0), ("", rest_mid, 1)]
        else:
            note("article before a moon letter: el (Abdelkader)")
            options = [("el", rest_mid, 0)]
        return _prune([(extra + cost, _append(prefix, detail)) for prefix, spellings, extra in options
                       for cost, detail in spellings])
    return _arabic_plain(piece, initial=initial, notes=notes)


def _arabic_plain(word: str, *, initial: bool, notes: list[str]) -> Spellings:
    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    readings: list[tuple[str, int]] = [(word, 0)]
    # A final ه is often a clerk's ة (فاطمه); الله, طه, وجيه end in a real ه.
    if word.endswith("ه") and len(word) >= 3 and not word.endswith("لله"):
        readings.append((word[:-1] + "ة", 0))
        note("final ه read as ه or as ة (clerks write ة as ه)")
    result: Spellings = []
    for text, extra in readings:
        result.extend((cost + extra, detail) for cost, detail in _arabic_letters(text, initial=initial, note=note))
    return _prune(result)


def _arabic_letters(word: str, *, initial: bool, note) -> Spellings:
    spellings: Spellings = [(0, "")]
    n = len(word)
    for i, ch in enumerate(word):
        nxt = word[i + 1] if i + 1 < n else ""
        if ch in _ALEFS:
            if i == 0:
                lead = INITIAL if initial else (HAMZA if ch in "أإ" else "A")
                if ch == "آ":
                    lead += "A"
                alts = [(lead, 0)]
                if initial and ch in "اإ" and _colloquial_initial_drop(word):
                    # إبراهيم Brahim, إسماعيل Smail, إدريس Driss: the initial i is dropped.
                    alts.append(("", 1))
                    note("initial ا/إ before a consonant cluster may be dropped (Brahim, Smail)")
            elif ch == "ا":
                alts = _one("A")
            else:
                alts = _one(HAMZA + ("A" if ch == "آ" else ""))
        elif ch == "ع":
            alts = _one(INITIAL if (i == 0 and initial) else AYN)
            if i > 0:
                note("ع inside a word is dropped or written a (Saadi, Belaid)")
        elif ch in "ءؤئ":
            alts = _one(INITIAL if (i == 0 and initial) else HAMZA)
        elif ch == "و":
            if i == 0 or nxt in _VOWEL_LETTERS or nxt == "ي":
                alts = _one("w")
                note("و before a vowel → w (ou + vowel in Latin: Touati, Ouardia)")
            else:
                alts = _one("U")
        elif ch == "ي":
            if i == 0 or nxt in _VOWEL_LETTERS or nxt == "و":
                alts = _one("y")
                note("ي before a vowel → y (Nadia, Yahia)")
            else:
                alts = _one("I")
        elif ch == "ى":
            alts = _one("A")
        elif ch == "ة":
            alts = _one("a")
        elif ch == "ظ":
            # ظ: d by the Algerian habit (Hafid, Hafidh), z in the eastern one (Hafiz).
            alts = [("d", 0), ("z", 1)]
            note("ظ → d (Hafidh) or z (Hafiz)")
        elif ch in _ARABIC_CONSONANTS:
            alts = _one(_ARABIC_CONSONANTS[ch])
        else:
            alts = _one("")
        spellings = _extend(spellings, alts)
    return spellings


def _colloquial_initial_drop(word: str) -> bool:
    """ا/إ + two consonants + a long vowel: the pattern whose initial i Algerian usage drops
    (ابراهيم, اسماعيل, ادريس). أحمد (no long vowel after the cluster) keeps its A."""
    if len(word) < 4:
        return False
    c1, c2, v = word[1], word[2], word[3]
    return c1 not in _ALEFS | set("وي") and c2 not in _ALEFS | set("و") and v in "اوي"


# --- analysis ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitReading:
    exact: str
    initial: tuple[str, ...]  # detail spellings of the unit standing alone
    inner: tuple[str, ...]  # … and as a later part of a whole name
    bare: tuple[str, ...]  # … without its titles (empty when it has none)
    bare_exact: str


@dataclass(frozen=True)
class NameAnalysis:
    """Everything `name_keys`, `name_similarity` and `explain` derive from one name."""

    text: str
    units: tuple[_UnitReading, ...]
    full: tuple[str, ...]  # detail spellings of the whole name
    full_bare: tuple[str, ...]  # … without titles
    steps: tuple[str, ...]


def _piece_spellings(piece: str, *, initial: bool, unit_start: bool, notes: list[str]) -> Spellings:
    if _is_arabic(piece):
        return _arabic_piece(piece, initial=initial, unit_start=unit_start, notes=notes)
    return _latin_piece(piece, initial=initial, notes=notes)


def _join(parts: list[Spellings]) -> tuple[str, ...]:
    """Every combination of the parts' readings, the least unusual first."""
    combos = []
    for choice in itertools.product(*parts):
        cost = sum(c for c, _ in choice)
        detail = ""
        for _, part in choice:
            detail = _append(detail, part)
        combos.append((cost, detail))
    return tuple(detail for _, detail in _prune(combos))


def _read_pieces(pieces: tuple[str, ...], *, initial: bool, notes: list[str]) -> tuple[str, ...]:
    """Read a word with its particles. Latin pieces are read as one string, so that Bou Alem
    reads exactly as Boualem (the ou + a of the junction is the same either way). Arabic
    pieces are read one by one: the article ال is recognised at the start of a piece."""
    merged: list[str] = []
    for piece in pieces:
        if merged and not _is_arabic(piece) and not _is_arabic(merged[-1]):
            merged[-1] += piece
        else:
            merged.append(piece)
    return _join([_piece_spellings(p, initial=initial and j == 0, unit_start=j == 0, notes=notes)
                  for j, p in enumerate(merged)])


def _read_unit(unit: _Unit, steps: list[str]) -> _UnitReading:
    notes: list[str] = []
    exact = "".join(_key_form(p) for p in unit.pieces)
    bare: tuple[str, ...] = ()
    bare_exact = ""
    if unit.titles:
        rest = unit.pieces[unit.titles:]
        bare = _read_pieces(rest, initial=True, notes=[])
        bare_exact = "".join(_key_form(p) for p in rest)
    reading = _UnitReading(exact=exact, initial=_read_pieces(unit.pieces, initial=True, notes=notes),
                           inner=_read_pieces(unit.pieces, initial=False, notes=[]), bare=bare, bare_exact=bare_exact)
    steps.append(f"{''.join(unit.pieces)}: read as {', '.join(reading.initial[:4])}"
                 + (f" (+{len(reading.initial) - 4} more)" if len(reading.initial) > 4 else ""))
    steps.extend(f"  rule: {text}" for text in notes)
    return reading


@functools.lru_cache(maxsize=65536)
def analyse_name(text: str) -> NameAnalysis:
    steps: list[str] = [f"input: {text!r}"]
    words = _split_arabic_compounds(_tokens(text))
    steps.append(f"words: {' '.join(words) if words else '(none)'}")
    units = _units(words, steps)
    readings = tuple(_read_unit(unit, steps) for unit in units)
    full: tuple[str, ...] = ()
    full_bare: tuple[str, ...] = ()
    if readings:
        full = _join([[(0, d) for d in readings[0].initial]] + [[(0, d) for d in r.inner] for r in readings[1:]])
        if any(r.bare for r in readings):
            first = readings[0].bare or readings[0].initial
            full_bare = _join([[(0, d) for d in first]] + [[(0, d) for d in r.inner] for r in readings[1:]])
    return NameAnalysis(text=text, units=readings, full=full, full_bare=full_bare, steps=tuple(steps))


# --- keys -----------------------------------------------------------------------------------


def skeleton_of(detail: str) -> str:
    """The consonants of a detail spelling, ʔ kept, and a final `a` for a final ة ا ى."""
    consonants = "".join(sym for sym in detail if sym in CONSONANTS or sym == INITIAL)
    tail = detail.rstrip(HAMZA + AYN)
    if tail and tail[-1] in ("a", "A") and consonants and consonants != INITIAL:
        consonants += FINAL_VOWEL
    return consonants


_LOOSE_MERGE = str.maketrans({"d": "t", "z": "s", "š": "s", "x": "k", "ɣ": "k"})


def loose_of(skeleton: str) -> str:
    """t/d, s/z/š, k/x/ɣ merged (emphatics, lost dots, kh written k); w, y, ʔ and the final
    vowel dropped; every repeated letter written once."""
    core = skeleton[:-1] if skeleton.endswith(FINAL_VOWEL) else skeleton
    core = core.replace(INITIAL, "").replace("w", "").replace("y", "").translate(_LOOSE_MERGE)
    return "".join(ch for j, ch in enumerate(core) if j == 0 or ch != core[j - 1])


def name_keys(text: str) -> NameKeys:
    """The keyword keys of a personal name or surname in either script (see module doc)."""
    analysis = analyse_name(text)
    keys: list[NameKey] = []
    single = len(analysis.units) == 1
    whole_exact = " ".join(u.exact for u in analysis.units)

    def add(kind: KeyKind, value: str, scope: Scope, source: str) -> None:
        if value and not (kind == "loose" and len(value) < 2):
            keys.append(NameKey(kind=kind, value=value, scope=scope, source=source))

    # exact
    if analysis.units:
        add("exact", whole_exact, "full", whole_exact)
        if any(u.bare for u in analysis.units):
            # Without its titles the name is a candidate, not the whole name: scope word.
            bare = " ".join(u.bare_exact or u.exact for u in analysis.units)
            add("exact", bare, "word", bare)
        if not single:
            for unit in analysis.units:
                add("exact", unit.exact, "word", unit.exact)
                if unit.bare_exact:
                    add("exact", unit.bare_exact, "word", unit.bare_exact)
    # skeleton and loose
    word_details = [(u.exact, d) for u in analysis.units for d in ((() if single else u.initial) + u.bare)]
    word_details += [(whole_exact, d) for d in analysis.full_bare]
    full_details = [(whole_exact, d) for d in analysis.full]
    for kind, derive in (("skeleton", skeleton_of), ("loose", lambda d: loose_of(skeleton_of(d)))):
        for source, detail in full_details:
            add(kind, derive(detail), "full", source)
        for source, detail in word_details:
            add(kind, derive(detail), "word", source)
    return NameKeys(text=text, keys=_dedupe(keys))


def _dedupe(keys: list[NameKey]) -> tuple[NameKey, ...]:
    """One key per (kind, value); a value that is a whole-name key keeps scope full."""
    chosen: dict[tuple[str, str], NameKey] = {}
    for key in keys:
        found = chosen.get((key.kind, key.value))
        if found is None or (found.scope == "word" and key.scope == "full"):
            chosen[(key.kind, key.value)] = key
    order = {kind: j for j, kind in enumerate(KEY_KINDS)}
    return tuple(sorted(chosen.values(), key=lambda k: (order[k.kind], k.scope != "full")))


def explain(text: str) -> list[str]:
    """The rewrite steps from the text to its keys, for debugging and hit explanations."""
    analysis = analyse_name(text)
    keys = name_keys(text)
    lines = list(analysis.steps)
    if analysis.full:
        lines.append(f"whole name read as {', '.join(analysis.full[:4])}")
    for kind in KEY_KINDS:
        for scope in ("full", "word"):
            values = keys.values(kind, scope=scope)
            if values:
                lines.append(f"{kind} keys ({scope}): {', '.join(values)}")
    return lines


# --- matching and ranking -------------------------------------------------------------------------


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1, or one swap of neighbours (Damerau)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [j for j in range(la) if a[j] != b[j]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    for j in range(len(b)):
        if b[:j] + b[j + 1:] == a:
            return True
    return False


def best_match(query: NameKeys, record: NameKeys, *, fuzzy: bool = True) -> NameMatch | None:
    """The best key two names share: exact > skeleton > loose > fuzzy (skeletons one edit
    apart), a whole-name key worth FULL_NAME_BONUS more; None when nothing matches."""
    best: NameMatch | None = None
    record_by_kind: dict[str, dict[str, NameKey]] = {}
    for key in record.keys:
        record_by_kind.setdefault(key.kind, {})[key.value] = key
    for key in query.keys:
        found = record_by_kind.get(key.kind, {}).get(key.value)
        if found is not None:
            match = NameMatch(kind=key.kind, query_value=key.value, record_value=found.value,
                              full=key.scope == "full" and found.scope == "full")
            if best is None or match.rank > best.rank:
                best = match
    if fuzzy and (best is None or best.rank < MATCH_RANK["fuzzy"] + FULL_NAME_BONUS):
        for key in query.keys:
            if key.kind != "skeleton" or len(key.value) < FUZZY_MIN_LENGTH:
                continue
            for value, found in record_by_kind.get("skeleton", {}).items():
                if len(value) >= FUZZY_MIN_LENGTH and within_one_edit(key.value, value):
                    match = NameMatch(kind="fuzzy", query_value=key.value, record_value=value,
                                      full=key.scope == "full" and found.scope == "full")
                    if best is None or match.rank > best.rank:
                        best = match
    return best


# Edit costs on detail spellings. Why: a Latin short vowel with no Arabic letter is normal
# (Mohamed for محمد), an Arabic long vowel missing in Latin is not (Mahmoud for محمود);
# French e writes a short vowel or the imala of ā (Kamel كمال); ع inside a word shows as a
# vowel or nothing (Saadi سعدي); consonants of one loose class (t/d, s/z/š, k/x/ɣ) are
# the confusions of emphatics, lost dots and careless kh.
_DELETE_COST = {"a": 0.25, "i": 0.3, "u": 0.25, "e": 0.2, "A": 0.75, "I": 0.75, "U": 0.75,
                AYN: 0.2, HAMZA: 0.1, INITIAL: 0.6}
_LOOSE_CLASS = {"t": "t", "d": "t", "s": "s", "z": "s", "š": "s", "k": "k", "x": "k", "ɣ": "k"}


def _vowel_class(sym: str) -> str | None:
    if sym in SHORT_VOWELS or sym in LONG_VOWELS:
        return sym.lower()
    return None


def _substitute_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    va, vb = _vowel_class(a), _vowel_class(b)
    if va and vb:
        if va == vb:
            return 0.0
        pair = {va, vb}
        if pair == {"e", "a"}:
            return 0.3
        if pair == {"e", "i"}:
            return 0.4
        return 0.6
    if (va and b in (AYN, HAMZA)) or (vb and a in (AYN, HAMZA)):
        return 0.1
    if {a, b} in ({"y", "i"}, {"w", "u"}) or (a in "yw" and vb in ("i", "u")) or (b in "yw" and va in ("i", "u")):
        return 0.3
    if a in _LOOSE_CLASS and b in _LOOSE_CLASS and _LOOSE_CLASS[a] == _LOOSE_CLASS[b]:
        return 0.5
    return 1.0


_SUBSTITUTE_MEMO: dict[tuple[str, str], float] = {}


def _substitute(a: str, b: str) -> float:
    # The detail alphabet is small: each pair's cost is worked out once (re-ranking search
    # candidates runs this in its innermost loop).
    cost = _SUBSTITUTE_MEMO.get((a, b))
    if cost is None:
        cost = _SUBSTITUTE_MEMO[(a, b)] = _substitute_cost(a, b)
    return cost


@functools.lru_cache(maxsize=262144)
def detail_distance(a: str, b: str) -> float:
    """Weighted edit distance between two detail spellings."""
    delete_b = [_DELETE_COST.get(sym, 1.0) for sym in b]
    previous = [0.0]
    for cost in delete_b:
        previous.append(previous[-1] + cost)
    for sa in a:
        delete_a = _DELETE_COST.get(sa, 1.0)
        left = previous[0] + delete_a
        current = [left]
        for j, sb in enumerate(b):
            # min(delete from a, delete from b, substitute), in the same float arithmetic
            best = previous[j + 1] + delete_a
            other = left + delete_b[j]
            if other < best:
                best = other
            other = previous[j] + _substitute(sa, sb)
            if other < best:
                best = other
            current.append(best)
            left = best
        previous = current
    return previous[-1]


SIMILARITY_SPELLINGS = 6  # readings of each side compared (the usual ones come first)


def name_similarity(a: str, b: str) -> float:
    """1 for names read the same, towards 0 for unrelated ones; across scripts too. Used to
    rank the candidates the keys found (and to tell محمد from محمود, which share keys)."""
    first, second = analyse_name(a), analyse_name(b)
    best = 0.0
    for da in (*first.full, *first.full_bare)[:SIMILARITY_SPELLINGS]:
        for db in (*second.full, *second.full_bare)[:SIMILARITY_SPELLINGS]:
            longest = max(len(da), len(db), 1)
            best = max(best, 1.0 - detail_distance(da, db) / longest)
    return best
