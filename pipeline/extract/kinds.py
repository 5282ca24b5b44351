"""Marriage and death acts (REGISTERS.md): what their forms (L1) and narratives (L2) say,
and how the words found for each part become fields.

Both layouts come down to the same thing: words cut into *slots* — the value of a form row
("Époux : BENALI Mohamed"), or the words between two fixed phrases of a narrative
("… ont été unis par le mariage ⟨BENALI Mohamed⟩, né le …"). A slot's name says what it
holds and which fields it gives:

    opening           → event_date, event_time      (L'an …, le …, à … heures)
    drawn             → drawn_up, drawn_up.time
    *date, *birth_date→ a date;  event_time → an hour;  sex → M/F
    place, *birth_place → a place
    father (x.father) → x.father.given              (a father is named by his given name)
    name              → surname, given              (the subject of a death act)
    husband, wife, mother, spouse, declarant, officer, witness1 … → x.surname, x.given
    witnesses         → witness1.*, witness2.*      ("A et B", "A و B")
    place_name        → place, then name, cut at the comma (est décédé à Blida, BENALI …)
    slots named _…    → read past (the commune in "en la mairie d'…")

Names are written surname first in Latin script (BENALI Mohamed) and given name first in
Arabic (محمد بن علي); a name slot is cut the way common.person_readings cuts them.

The narrative templates are matched to the OCR words by alignment (narrative.align): the
fixed words are looked for in order, fuzzily, and a slot is whatever lies between.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pipeline.extract import common, names
from pipeline.extract.fields import (
    FieldValue,
    Reading,
    combine_text,
    combine_values,
    cross_check_name,
    sex_reading,
    text_reading,
)
from pipeline.extract.ocr_words import OcrWord
from pipeline.extract.text import fold_arabic, fold_latin

# The kinds this module reads; births have their own readers (l1.read_act, l2._read_script).
KINDS = ("marriage", "death")

# --- L1 forms: the slots of each kind in the form's order, with the label keys that open
# them (label keys: l1.FR_LABELS / l1.AR_LABELS). Slots opened by the same label ("à",
# "Né le") are told apart by their order.
FORMS: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "birth": (
        ("surname", frozenset({"surname"})), ("given", frozenset({"given"})), ("sex", frozenset({"sex"})),
        ("event_date", frozenset({"born"})), ("event_time", frozenset({"at", "hour"})),
        ("place", frozenset({"at", "place", "birth_place"})), ("father", frozenset({"father"})),
        ("mother", frozenset({"mother"})), ("drawn_up", frozenset({"drawn_up"})), ("officer", frozenset({"officer"})),
    ),
    "marriage": (
        ("event_date", frozenset({"marriage_date"})), ("event_time", frozenset({"at", "hour"})),
        ("husband", frozenset({"husband"})), ("husband.birth_date", frozenset({"born"})),
        ("husband.birth_place", frozenset({"at", "place", "birth_place"})), ("husband.father", frozenset({"father"})),
        ("husband.mother", frozenset({"mother"})),
        ("wife", frozenset({"wife"})), ("wife.birth_date", frozenset({"born"})),
        ("wife.birth_place", frozenset({"at", "place", "birth_place"})), ("wife.father", frozenset({"father"})),
        ("wife.mother", frozenset({"mother"})),
        ("witnesses", frozenset({"witnesses"})), ("drawn_up", frozenset({"drawn_up"})),
        ("officer", frozenset({"officer"})),
    ),
    "death": (
        ("name.surname", frozenset({"surname"})), ("name.given", frozenset({"given"})), ("sex", frozenset({"sex"})),
        ("event_date", frozenset({"death_date"})), ("event_time", frozenset({"at", "hour"})),
        ("place", frozenset({"at", "place", "death_place"})), ("birth_date", frozenset({"born"})),
        ("birth_place", frozenset({"at", "place", "birth_place"})), ("father", frozenset({"father"})),
        ("mother", frozenset({"mother"})), ("spouse", frozenset({"spouse", "husband", "wife"})),
        ("declarant", frozenset({"declarant"})), ("drawn_up", frozenset({"drawn_up"})),
        ("officer", frozenset({"officer"})),
    ),
}
TIME_SLOTS = frozenset({"event_time"})

# Fields that must be read for a record to leave review without a person.
REQUIRED = {
    "marriage": ("act_number", "event_date", "husband.surname", "husband.given", "wife.surname", "wife.given",
                 "drawn_up"),
    "death": ("act_number", "surname", "given", "event_date", "place", "drawn_up"),
}

# --- L2 narratives: fixed words ("a|b": either) and ⟨slots⟩, in the order of the act.
# Keys are folded letters (text.fold_latin / fold_arabic without non-letters).


def _template(text: str, fold) -> tuple[str, ...]:
    items = []
    for item in text.split():
        if item.startswith("<"):
            items.append(item)
        else:
            items.append("|".join("".join(ch for ch in fold(k) if ch.isalpha()) for k in item.split("|")))
    return tuple(items)


_F, _A = fold_latin, fold_arabic
TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("marriage", "lat"): _template(
        "<opening> en la mairie <_commune> ont été unis par le mariage <husband> né|née le <husband.birth_date> "
        "à <husband.birth_place> fils|fille de <husband.father> et de <husband.mother> et <wife> né|née le "
        "<wife.birth_date> à <wife.birth_place> fils|fille de <wife.father> et de <wife.mother> en présence de "
        "<witness1> et de <witness2> témoins dressé le <drawn> lecture faite les époux et les témoins ont signé "
        "avec nous <officer> officier", _F),
    ("marriage", "ar"): _template(
        "<opening> تم بمقر بلدية <_commune> عقد زواج السيد <husband> المولود|المولودة في <husband.birth_date> "
        "ببلدية <husband.birth_place> ابن|ابنة <husband.father> و <husband.mother> و السيدة <wife> "
        "المولود|المولودة في <wife.birth_date> ببلدية <wife.birth_place> ابن|ابنة <wife.father> و <wife.mother> "
        "بحضور الشاهدين <witness1> و <witness2> حرر في <drawn> وبعد التلاوة وقع الزوجان والشاهدان معنا نحن "
        "<officer> ضابط", _A),
    ("death", "lat"): _template(
        "<opening> est décédé|décédée à <place_name> de sexe <sex> né|née le <birth_date> à <birth_place> "
        "fils|fille de <father> et de <mother> époux|épouse de <spouse> dressé le <drawn> sur la déclaration de "
        "<declarant> qui lecture faite a signé avec nous <officer> officier", _F),
    ("death", "ar"): _template(
        "<opening> توفي|توفيت ببلدية <place> المرحوم|المرحومة <name> من جنس <sex> المولود|المولودة في "
        "<birth_date> ببلدية <birth_place> ابن|ابنة <father> و <mother> زوج|زوجة <spouse> حرر في <drawn> "
        "بناء على تصريح <declarant> الذي وقع معنا بعد التلاوة نحن <officer> ضابط", _A),
}

# Words that say the sex of a death act's subject besides "de sexe …" (each weak alone).
SEX_WORDS = {
    "lat": {"decede": "M", "decedee": "F", "ne": "M", "nee": "F", "fils": "M", "fille": "F", "epoux": "M",
            "epouse": "F"},
    "ar": {fold_arabic(k): v for k, v in {"توفي": "M", "توفيت": "F", "المرحوم": "M", "المرحومة": "F", "المولود": "M",
                                            "المولودة": "F", "ابن": "M", "ابنة": "F", "زوج": "M", "زوجة": "F"}.items()},
}
_UNMARRIED = {"celibataire", fold_arabic("أعزب"), fold_arabic("عزباء"), fold_arabic("عازب")}
_AND = {"lat": {"et"}, "ar": {fold_arabic("و")}}


def _key(word: OcrWord, script: str) -> str:
    fold = fold_latin if script == "lat" else fold_arabic
    return "".join(ch for ch in fold(word.text) if ch.isalpha())


def _prefix(slot: str) -> str:
    return "" if slot == "name" else slot.removesuffix(".name")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _until_comma(words: Sequence[OcrWord], *, script: str) -> list[OcrWord]:
    before, _after, _found = common.split_at_comma(words, script=script)
    return before


def _person(words: Sequence[OcrWord], *, script: str, prefix: str, factor: float) -> dict[str, Reading]:
    words = _until_comma(words, script=script)
    if not words or (len(words) == 1 and _key(words[0], script) in _UNMARRIED):
        return {}
    order = "surname_first" if script == "lat" else "given_first"
    found = common.person_readings(script=script, words=words, order=order, with_occupation=False, factor=factor)
    return {_join(prefix, part): reading for part, reading in found.items()}


def _witnesses(words: Sequence[OcrWord], *, script: str, factor: float) -> dict[str, Reading]:
    words = [w for w in words if w.text.strip(" ,.،")]
    keys = [_key(w, script) for w in words]
    cut = next((i for i, k in enumerate(keys) if k in _AND[script] and 0 < i < len(words) - 1), None)
    if cut is None:
        # "و" glued to the second name (وأحمد): cut there, at a lower confidence.
        cut = next((i for i, w in enumerate(words) if script == "ar" and i >= 2 and w.text.startswith("و")
                    and len(_key(w, script)) > 2), None)
        if cut is None:
            return {}
        words = [*words[:cut], replace(words[cut], text=words[cut].text[1:]), *words[cut + 1:]]
        first, second, factor = words[:cut], words[cut:], factor * 0.8
    else:
        first, second = words[:cut], words[cut + 1:]
        if script == "lat" and second and _key(second[0], script) == "de":
            second = second[1:]
    return {**_person(first, script=script, prefix="witness1", factor=factor),
            **_person(second, script=script, prefix="witness2", factor=factor)}


def _place_name(words: Sequence[OcrWord], *, script: str, factor: float) -> dict[str, Reading]:
    place, rest, found = common.split_at_comma(words, script=script)
    if not found and script == "lat":
        # No comma read: the name starts at the first word in capitals.
        cut = next((i for i, w in enumerate(words) if names.is_capitalised_surname_word(w)), len(words))
        place, rest, factor = list(words[:cut]), list(words[cut:]), factor * 0.8
    out = {}
    reading = text_reading(script=script, words=place, upper=False if script == "lat" else None, factor=factor)
    if reading is not None:
        out["place"] = reading
    out.update(_person(rest, script=script, prefix="", factor=factor))
    return out


def slot_readings(slot: str, words: Sequence[OcrWord], *, script: str, factor: float = 1.0,
                  expected_year: int | None = None, whole: bool = True) -> dict[str, Reading]:
    """field → reading for the words of one slot (see the module's table). whole=False:
    the words may hold more than the value (narratives), parsers pick their part."""
    words = [w for w in words if w.text.strip()]
    if not words or slot.startswith("_"):
        return {}
    last = slot.rsplit(".", 1)[-1]
    out: dict[str, Reading | None] = {}
    if slot == "opening":
        out["event_date"] = common.date_reading(script=script, words=words, expected_year=expected_year,
                                                factor=factor, whole=False)
        out["event_time"] = common.time_reading(script=script, words=words, factor=factor, whole=False)
    elif slot == "drawn":
        out["drawn_up"] = common.date_reading(script=script, words=words, expected_year=expected_year, factor=factor,
                                              whole=False)
        out["drawn_up.time"] = common.time_reading(script=script, words=words, factor=factor, whole=False)
    elif slot in ("event_date", "drawn_up"):
        out[slot] = common.date_reading(script=script, words=words, expected_year=expected_year, factor=factor,
                                        whole=whole)
    elif last == "birth_date":
        # A birth date is decades before the register's year: no year to expect.
        out[slot] = common.date_reading(script=script, words=words, expected_year=None, factor=factor, whole=whole)
    elif slot in TIME_SLOTS:
        out[slot] = common.time_reading(script=script, words=words, factor=factor, whole=whole)
    elif slot == "sex":
        out[slot] = sex_reading(script=script, words=words[:2])
    elif last in ("place", "birth_place"):
        place = _until_comma(words, script=script)
        if script == "ar" and place and _key(place[0], script).startswith(fold_arabic("ببلدية")[:3]) and len(place) > 1:
            place = place[1:]
        out[slot] = text_reading(script=script, words=place, upper=False if script == "lat" else None, factor=factor)
    elif last == "father":
        out[f"{slot}.given"] = text_reading(script=script, words=_until_comma(words, script=script),
                                            upper=False if script == "lat" else None, factor=factor)
    elif slot in ("name.surname", "name.given"):
        part = last
        out[part] = text_reading(script=script, words=words, upper=(part == "surname") if script == "lat" else None,
                                 factor=factor)
    elif slot == "witnesses":
        out.update(_witnesses(words, script=script, factor=factor))
    elif slot == "place_name":
        out.update(_place_name(words, script=script, factor=factor))
    else:  # a person: name, husband, wife, mother, spouse, declarant, officer, witnessN
        out.update(_person(words, script=script, prefix=_prefix(slot), factor=factor))
    return {name: reading for name, reading in out.items() if reading is not None}


def sex_hints(words: Sequence[OcrWord], *, script: str) -> list[Reading]:
    """Weak sex readings from the words that agree with it (décédée, المرحومة, fille …)."""
    table = SEX_WORDS[script]
    out = []
    for word in words:
        value = table.get(_key(word, script))
        if value is not None:
            out.append(Reading(script=script, text=word.text, words=(word,), conf=round(word.conf * 0.7, 3),
                               value=value, note=f"from {word.text}"))
    return out


_VALUED = ("event_date", "event_time", "drawn_up", "drawn_up.time", "sex", "act_number")


def is_valued(name: str) -> bool:
    """Fields with one normalised value (dates, hours, sex, number), not texts per script."""
    return name in _VALUED or name.endswith("birth_date")


def combine(readings: Mapping[str, Sequence[Reading | None]], *, repair_ya: bool = False) -> dict[str, FieldValue]:
    """One field per name from the readings of each script (and each writing): values
    combined by agreement, names and places kept per script and checked across scripts."""
    fields: dict[str, FieldValue] = {}
    for name, found in readings.items():
        present = [r for r in found if r is not None]
        if not present:
            continue
        if is_valued(name):
            value = combine_values(name, present)
        else:
            # One reading per script: the first (the caller lists the surest first).
            per_script: dict[str, Reading] = {}
            for reading in present:
                per_script.setdefault(reading.script, reading)
            value = combine_text(name, list(per_script.values()))
            if value is not None and not name.endswith("occupation"):
                value = cross_check_name(value, repair_ya=repair_ya)
        if value is not None:
            fields[name] = value
    return fields


def detect_kind(words: Sequence[OcrWord]) -> str:
    """birth, marriage or death, from the register heading ("Registre des actes de
    mariage", "سجل عقود الوفاة") or, failing it, from the words only one kind's acts use."""
    heading = {"naissance": "birth", "mariage": "marriage", "deces": "death"}
    heading_ar = {fold_arabic(k): v for k, v in {"الميلاد": "birth", "الزواج": "marriage", "الوفاة": "death",
                                                 "الازدياد": "birth"}.items()}
    keys_fr = [("".join(ch for ch in fold_latin(w.text) if ch.isalpha())) for w in words]
    keys_ar = [("".join(ch for ch in fold_arabic(w.text) if ch.isalpha())) for w in words]
    votes = {"birth": 0.0, "marriage": 0.0, "death": 0.0}
    for index, key in enumerate(keys_fr):
        if key == "actes" and index + 2 < len(keys_fr) and keys_fr[index + 1] == "de":
            kind = heading.get(keys_fr[index + 2])
            if kind:
                votes[kind] += 5
    for index, key in enumerate(keys_ar):
        if key == fold_arabic("عقود") and index + 1 < len(keys_ar):
            kind = heading_ar.get(keys_ar[index + 1])
            if kind:
                votes[kind] += 5
    words_of = {
        "marriage": {"mariage", "epoux", "temoins", "unis", fold_arabic("الزوج"), fold_arabic("الشهود"),
                     fold_arabic("زواج"), fold_arabic("الشاهدين"), fold_arabic("الزواج")},
        "death": {"deces", "decede", "decedee", "declarant", "conjoint", fold_arabic("الوفاة"), fold_arabic("توفي"),
                  fold_arabic("توفيت"), fold_arabic("المرحوم"), fold_arabic("المرحومة"), fold_arabic("المصرح")},
        "birth": {"naissance", "prenoms", fold_arabic("الطفل"), fold_arabic("الطفلة"), fold_arabic("ولد"),
                  fold_arabic("ولدت")},
    }
    for kind, vocabulary in words_of.items():
        votes[kind] += sum(1 for k in (*keys_fr, *keys_ar) if k in vocabulary)
    best = max(votes, key=lambda k: votes[k])
    # A birth page's margins speak of marriages and deaths (Marié le …, Décédé le …):
    # other kinds need clear evidence.
    return best if best != "birth" and votes[best] >= 3 and votes[best] > votes["birth"] else "birth"
