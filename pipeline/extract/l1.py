"""L1 — the bilingual printed form (REGISTERS.md): blocks stacked on the page, each
opening with "Acte N° 452 … رقم العقد : 452", then one row per field, French label and
Latin value on the left half, Arabic value and Arabic label on the right half; the
mentions in a narrow margin column on the outer edge.

The halves are told apart by x, not by Tesseract's lines (which often run across the
middle): the form's middle is halfway between where French labels start and where
Arabic labels end. A row starts at the label edge; a line that starts further in is
the value of the row above running on.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.extract import common, kinds
from pipeline.extract.fields import (
    FieldValue,
    Reading,
    combine_text,
    combine_values,
    cross_check_name,
    is_arabic_word,
    is_latin_word,
    sex_reading,
    text_reading,
)
from pipeline.extract.model import ActPart, ExtractedAct, Row
from pipeline.extract.ocr_words import Line, OcrWord, build_lines, typical_height
from pipeline.extract.text import default_tolerance, fold_arabic, fold_latin, levenshtein
from pipeline.extract.words_to_dates import parse_number, parse_time

# Label keys: letters only, folded (accents, case, hamza dropped), words run together,
# so that "Né(e) le :", "Né(e)le:" and "Nee le" are one key. A label says what its row
# holds (kinds.FORMS tells which field that is in each kind's form: "Né le" is the
# child's birth in a birth act, a spouse's in a marriage act).
FR_LABELS: dict[str, tuple[str, str | None]] = {
    "nom": ("surname", None), "prenoms": ("given", None), "prenom": ("given", None), "sexe": ("sex", None),
    "neele": ("born", None), "nele": ("born", None), "datedenaissance": ("born", None),
    "a": ("at", None), "filsde": ("father", "M"), "fillede": ("father", "F"), "fils": ("father", "M"),
    "fille": ("father", "F"), "etde": ("mother", None), "dressele": ("drawn_up", None), "dresse": ("drawn_up", None),
    "officierdeletatcivil": ("officer", None),
    "datedumariage": ("marriage_date", None), "epoux": ("husband", None), "epouse": ("wife", None),
    "temoins": ("witnesses", None), "decedeele": ("death_date", None), "decedele": ("death_date", None),
    "conjoint": ("spouse", None), "declarant": ("declarant", None),
}
AR_LABELS: dict[str, tuple[str, str | None]] = {
    fold_arabic(k): v for k, v in {
        "اللقب": ("surname", None), "الاسم": ("given", None), "الجنس": ("sex", None),
        "تاريخالميلاد": ("born", None), "تاريخالازدياد": ("born", None),
        "علىالساعة": ("hour", None), "مكان": ("place", None), "مكانالميلاد": ("birth_place", None),
        "ابن": ("father", "M"), "ابنة": ("father", "F"), "و": ("mother", None), "حررفي": ("drawn_up", None),
        "ضابطالحالةالمدنية": ("officer", None),
        "تاريخالزواج": ("marriage_date", None), "الزوج": ("husband", None), "الزوجة": ("wife", None),
        "المولودفي": ("born", "M"), "المولودةفي": ("born", "F"), "الشهود": ("witnesses", None),
        "تاريخالوفاة": ("death_date", None), "مكانالوفاة": ("death_place", None), "المصرح": ("declarant", None),
    }.items()
}
_FR_LABELS, _AR_LABELS = FR_LABELS, AR_LABELS
_FR_ANCHORS = {"acte", "nom", "sexe", "officier", "prenoms", "prenom", "dressele", "dresse", "fils", "fille", "etde",
               "neele", "epoux", "epouse", "temoins", "declarant", "conjoint", "decedee", "nele"}
_AR_ANCHORS = {fold_arabic(w) for w in ("رقم", "اللقب", "الاسم", "الجنس", "مكان", "ضابط", "حرر", "تاريخ", "ابن",
                                         "ابنة", "الزوج", "الزوجة", "الشهود", "المصرح", "المولود", "المولودة")}
_PAGE_HEADER_FR = {"republique", "wilaya", "commune", "registre", "algerienne", "democratique", "populaire"}
_PAGE_HEADER_AR = {fold_arabic(w) for w in ("الجمهورية", "ولاية", "بلدية", "سجل", "الديمقراطية", "الشعبية")}


def _letters_fr(text: str) -> str:
    return "".join(ch for ch in fold_latin(text) if ch.isalpha())


def _letters_ar(text: str) -> str:
    return "".join(ch for ch in fold_arabic(text) if ch.isalpha())


@dataclass(frozen=True)
class Geometry:
    """Where the form is in the levelled frame: French labels start at fr_left, Arabic
    labels end at ar_right; the margin lies beyond one of them."""

    fr_left: float
    ar_right: float
    height: float

    @property
    def middle(self) -> float:
        return (self.fr_left + self.ar_right) / 2

    def zone(self, word: OcrWord) -> str:
        if word.right < self.fr_left - 0.8 * self.height or word.left > self.ar_right + 0.8 * self.height:
            return "margin"
        return "lat" if word.cx < self.middle else "ar"


def _anchor_edges(words: Sequence[OcrWord]) -> tuple[list[float], list[float]]:
    lefts = [w.left for w in words if _letters_fr(w.text) in _FR_ANCHORS and not is_arabic_word(w)]
    rights = [w.right for w in words if _letters_ar(w.text) in _AR_ANCHORS and is_arabic_word(w)]
    return lefts, rights


def looks_like_l1(words: Sequence[OcrWord]) -> bool:
    lefts, rights = _anchor_edges(words)
    return len(lefts) >= 3 and len(rights) >= 3


def geometry(words: Sequence[OcrWord]) -> Geometry | None:
    lefts, rights = _anchor_edges(words)
    height = typical_height(words)
    if len(lefts) >= 2 and len(rights) >= 2:
        return Geometry(fr_left=statistics.median(lefts), ar_right=statistics.median(rights), height=height)
    latin = sorted(w.left for w in words if is_latin_word(w))
    arabic = sorted(w.right for w in words if is_arabic_word(w))
    if len(latin) < 5 or len(arabic) < 5:
        return None
    # No labels read: the text's own extent (a tenth in, to step over margin notes).
    return Geometry(fr_left=latin[len(latin) // 10], ar_right=arabic[-1 - len(arabic) // 10], height=height)


def spread_gutter(words: Sequence[OcrWord]) -> float | None:
    """The x of the gutter when the words are a whole double page of forms (two sets of
    label columns), else None."""
    lefts, rights = _anchor_edges(words)
    if len(lefts) < 6 or len(rights) < 6:
        return None
    lefts.sort()
    gaps = [(b - a, i) for i, (a, b) in enumerate(zip(lefts, lefts[1:]))]
    gap, index = max(gaps)
    width = max(w.right for w in words) - min(w.left for w in words)
    if gap < 0.3 * width or index + 1 < 3 or len(lefts) - index - 1 < 3:
        return None
    right_start = lefts[index + 1]
    left_rights = [r for r in rights if r < right_start]
    if len(left_rights) < 3:
        return None
    return (statistics.median(left_rights) + right_start) / 2


# --- labels --------------------------------------------------------------------------


def _explode_colon(word: OcrWord) -> list[OcrWord]:
    """"Nom:BENALI" → "Nom:", "BENALI" (same box: the split point is not known)."""
    text = word.text
    cut = text.find(":")
    if 0 < cut < len(text) - 1:
        return [replace(word, text=text[:cut + 1]), replace(word, text=text[cut + 1:])]
    return [word]


@dataclass(frozen=True)
class _Label:
    key: str
    hint: str | None
    length: int  # words of the line it takes
    factor: float


def _misread_waw(words: Sequence[OcrWord]) -> bool:
    """"9 :" or "9:" opening an Arabic row: the label و read as a digit (no Arabic row
    value starts with a lone 9 followed by a colon)."""
    first = words[0].text.strip()
    if first.rstrip(":") not in ("9", "٩", "g"):
        return False
    return first.endswith(":") or (len(words) > 1 and words[1].text.strip() == ":")


def match_label(words: Sequence[OcrWord], *, script: str) -> _Label | None:
    """The label opening a row, read fuzzily from its first words joined."""
    labels = _FR_LABELS if script == "lat" else _AR_LABELS
    letters = _letters_fr if script == "lat" else _letters_ar
    best: tuple[float, int, _Label] | None = None
    joined = ""
    for k, word in enumerate(words[:6], start=1):
        piece = letters(word.text)
        if script == "ar" and k == 1 and _misread_waw(words):
            # The one-letter label "و" (mother) is often read as the digit 9: "9 :".
            best = (0.0, 1, _Label(key="mother", hint=None, length=1, factor=0.95))
            break
        if not piece and any(ch.isdigit() for ch in word.text):
            break  # a number is a value, never part of a label
        joined += piece
        if not joined:
            continue
        for variant, (key, hint) in labels.items():
            allowed = default_tolerance(len(variant)) + (1 if len(variant) >= 16 else 0)
            distance = levenshtein(joined, variant, limit=allowed)
            if distance > allowed:
                continue
            score = distance / len(variant)
            if best is None or score < best[0] or (score == best[0] and k > best[1]):
                best = (score, k, _Label(key=key, hint=hint, length=k, factor=1.0 - 0.1 * distance))
        if len(joined) > 24:
            break
    return best[2] if best else None


def _split_row(line: Line, *, script: str) -> tuple[_Label | None, list[OcrWord], list[OcrWord]]:
    words = _drop_leading_marks(piece for w in line.words for piece in _explode_colon(w))
    label = match_label(words, script=script)
    if label is None:
        return None, [], words
    return label, words[:label.length], words[label.length:]


def _strip_value(words: Sequence[OcrWord], *, script: str) -> tuple[list[OcrWord], float]:
    """The value words without the colon and without words of the other script (bleed
    from the other half, or debris): each dropped word costs confidence."""
    kept, factor = [], 1.0
    for word in words:
        bare = word.text.strip(" :;|.")
        if not bare:
            continue
        if script == "lat" and is_arabic_word(word):
            factor *= 0.85
            continue
        if script == "ar" and is_latin_word(word):
            factor *= 0.6
            continue
        if bare != word.text.strip():
            word = replace(word, text=word.text.strip().lstrip(":;|").strip())
        kept.append(word)
    return kept, factor


def side_rows(lines: Sequence[Line], *, script: str, edge: float, height: float) -> list[Row]:
    """Rows of one side of one block: labelled lines open rows; a line starting at the
    label edge without a readable label opens a row whose field is found from the form's
    order; other lines continue the row above (a date running onto a second line)."""
    rows: list[Row] = []
    previous_bottom = None
    for line in lines:
        start = line.start
        at_edge = abs(start - edge) <= 0.9 * height
        label, label_words, value_words = _split_row(line, script=script)
        if label is not None and (at_edge or label.factor == 1.0 and len(label_words[0].text) > 1):
            value, factor = _strip_value(value_words, script=script)
            rows.append(Row(key=label.key, label=tuple(label_words), value=tuple(value),
                            label_factor=label.factor * factor, hint=label.hint))
        elif at_edge:
            value, factor = _strip_value(line.words, script=script)
            rows.append(Row(key=None, label=(), value=tuple(value), label_factor=0.7 * factor))
        else:
            if previous_bottom is not None and line.top - previous_bottom > 1.5 * height:
                continue  # far below the row: a signature or a stamp, not a value
            if rows and rows[-1].key == "officer":
                continue  # the officer's row is the last and never runs on: signatures below
            value, factor = _strip_value(line.words, script=script)
            rows.append(Row(key=None, label=(), value=tuple(value), label_factor=factor, starts_row=False))
        previous_bottom = line.bottom
    return rows


# --- headers ------------------------------------------------------------------------------


def _drop_leading_marks(words: Sequence[OcrWord]) -> list[OcrWord]:
    """Without the rules and bars Tesseract reads as "|", "||" at a line's start."""
    words = list(words)
    while words and not any(ch.isalnum() for ch in words[0].text):
        words.pop(0)
    return words


def _header_rest(line: Line, *, script: str) -> list[OcrWord] | None:
    """The words after "Acte N°" / "رقم العقد" when the line is a block header, else None."""
    words = _drop_leading_marks(piece for w in line.words for piece in _explode_colon(w))
    if not words:
        return None
    if script == "lat":
        key = _letters_fr(words[0].text)
        if not key or levenshtein(key[:5], "acte", limit=1) > 1:
            return None
        rest = words[1:]
        # "Acte" alone is a header only with "N°" or a number after it.
        if not rest or not (_letters_fr(rest[0].text)[:2] in ("n", "no") or any(ch.isdigit() for ch in rest[0].text)):
            return None
        return rest
    keys = [_letters_ar(w.text) for w in words[:3]]
    head = "".join(keys[:2])
    if fold_arabic("رقمالعقد") not in head and levenshtein(head, fold_arabic("رقمالعقد"), limit=2) > 2:
        if not keys or keys[0] != fold_arabic("رقم"):
            return None
    return words[2:] if len(keys) > 1 and keys[1] else words[1:]


def is_header(line: Line, *, script: str) -> bool:
    return _header_rest(line, script=script) is not None


def header_reading(line: Line, *, script: str) -> Reading | None:
    """The act number from a block header line, or None when the line is not one or its
    number cannot be read."""
    rest = _header_rest(line, script=script)
    return common.number_reading(script=script, words=rest) if rest is not None else None


# --- segmentation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    top: float
    head: dict[str, tuple[Line, ...]]


def segment(words: Sequence[OcrWord], *, page: int, half: str | None, kind: str = "birth") -> list[ActPart]:
    """The act blocks of one page (or half-spread), as parts; a part before the first
    header (rows under the page header, no act number) is the end of an act begun on
    the page before."""
    shape = geometry(words)
    if shape is None:
        return []
    zones: dict[str, list[OcrWord]] = {"lat": [], "ar": [], "margin": []}
    for word in words:
        zones[shape.zone(word)].append(word)
    lines = {"lat": build_lines(zones["lat"], rtl=False), "ar": build_lines(zones["ar"], rtl=True)}
    margin = build_lines(zones["margin"], rtl=False)
    height = shape.height

    headers: list[tuple[float, str, Line]] = []
    for script in ("lat", "ar"):
        for line in lines[script]:
            if is_header(line, script=script):
                headers.append((line.cy, script, line))
    headers.sort(key=lambda h: h[0])
    blocks: list[_Block] = []
    for cy, script, line in headers:
        # The French and Arabic headers of one block stand on one row (within a couple of
        # rows when the page is skewed and not levelled).
        if blocks and cy - blocks[-1].top < 2.5 * height and script not in blocks[-1].head:
            blocks[-1].head[script] = (line,)
            continue
        blocks.append(_Block(top=cy, head={script: (line,)}))

    parts: list[ActPart] = []
    tops = [b.top for b in blocks]
    first_top = tops[0] if tops else float("inf")
    # Rows above the first header: the continuation of an act from the page before,
    # below the page's own heading (which has no form labels).
    lead: dict[str, tuple[Row, ...]] = {}
    for script in ("lat", "ar"):
        candidates = [line for line in lines[script] if line.cy < first_top - 0.5 * height]
        edge = shape.fr_left if script == "lat" else shape.ar_right
        start = next((i for i, line in enumerate(candidates)
                      if _split_row(line, script=script)[0] is not None and not _is_page_header(line, script=script)),
                     None)
        if start is not None:
            lead[script] = tuple(side_rows(candidates[start:], script=script, edge=edge, height=height))
    lead_words = [w for rows in lead.values() for row in rows for w in (*row.label, *row.value)]
    if lead_words:
        top_of_lead = min(w.cy for w in lead_words)
        parts.append(ActPart(page=page, half=half, layout="L1", sides=lead, head={},
                             margin=tuple(m for m in margin if top_of_lead - height <= m.cy < first_top), kind=kind))
    for index, block in enumerate(blocks):
        bottom = tops[index + 1] if index + 1 < len(tops) else float("inf")
        sides: dict[str, tuple[Row, ...]] = {}
        for script in ("lat", "ar"):
            head_lines = set(id(line) for line in block.head.get(script, ()))
            members = [line for line in lines[script]
                       if block.top - 0.5 * height < line.cy < bottom - 0.5 * height and id(line) not in head_lines]
            edge = shape.fr_left if script == "lat" else shape.ar_right
            sides[script] = tuple(side_rows(members, script=script, edge=edge, height=height))
        block_margin = tuple(m for m in margin if block.top - height <= m.cy < bottom - 0.5 * height)
        parts.append(ActPart(page=page, half=half, layout="L1", sides=sides, head=dict(block.head),
                             margin=block_margin, kind=kind))
    return parts


def _is_page_header(line: Line, *, script: str) -> bool:
    keys = {_letters_fr(w.text) for w in line.words} if script == "lat" else {_letters_ar(w.text) for w in line.words}
    return bool(keys & (_PAGE_HEADER_FR if script == "lat" else _PAGE_HEADER_AR))


# --- reading an act --------------------------------------------------------------------------


_NAME_LABELS = frozenset({"surname", "given", "husband", "wife", "spouse", "declarant", "witnesses", "father",
                          "mother"})


def _number_words(words: Sequence[OcrWord], *, script: str) -> bool:
    """Whether most of the words are numbers written in words (a date's year run on)."""
    letters = [w for w in words if any(ch.isalpha() for ch in w.text)]
    if len(letters) < 2:
        return False
    lang = "fr" if script == "lat" else "ar"
    numbers = sum(1 for w in letters if parse_number(w.text, lang=lang) is not None)
    return numbers * 2 > len(letters)


def _resolve(rows: Sequence[Row], *, script: str, kind: str = "birth") -> dict[str, Row]:
    """Slot of the kind's form → row (continuation lines appended). A labelled row goes to
    the next slot its label opens (then to any slot left that it opens); an unlabelled
    row start to the next slot of the form not yet seen; of the slots "à" opens, an hour
    slot takes only a value that reads as an hour."""
    form = kinds.FORMS[kind]
    merged: list[Row] = []
    for row in rows:
        if not row.starts_row and merged and merged[-1].key in _NAME_LABELS and _number_words(row.value, script=script):
            # Number words never continue a name: the line is the rest of a date whose
            # first line (and label) OCR lost — a row of its own, placed by the form's order.
            row = replace(row, starts_row=True, label_factor=row.label_factor * 0.7)
        if not row.starts_row and merged:
            last = merged[-1]
            merged[-1] = replace(last, value=last.value + row.value, label_factor=last.label_factor * row.label_factor)
        else:
            merged.append(row)
    out: dict[str, Row] = {}
    position = -1
    for row in merged:
        if row.key is None:
            following = [i for i in range(position + 1, len(form)) if form[i][0] not in out]
            if not following:
                continue
            chosen = following[0]
        else:
            openable = [i for i, (slot, labels) in enumerate(form) if row.key in labels and slot not in out]
            if row.key == "at" and any(form[i][0] in kinds.TIME_SLOTS for i in openable):
                text = " ".join(w.text for w in row.value)
                if parse_time(text, lang="fr") is None:
                    openable = [i for i in openable if form[i][0] not in kinds.TIME_SLOTS]
            if not openable:
                continue
            ahead = [i for i in openable if i > position]
            chosen = (ahead or openable)[0]
        position = max(position, chosen)
        out[form[chosen][0]] = replace(row, key=form[chosen][0])
    return out


def read_act(parts: Sequence[ActPart], *, expected_year: int | None = None) -> ExtractedAct:
    """An act from its part(s): rows of each side joined across parts, fields read per
    side and combined."""
    kind = parts[0].kind if parts else "birth"
    rows: dict[str, dict[str, Row]] = {}
    for script in ("lat", "ar"):
        joined: list[Row] = []
        for index, part in enumerate(parts):
            part_rows = list(part.sides.get(script, ()))
            if index > 0 and part_rows and part_rows[0].key is None:
                # The first line of a continued part finishes the last row of the part before.
                part_rows[0] = replace(part_rows[0], starts_row=False)
            joined.extend(part_rows)
        rows[script] = _resolve(joined, script=script, kind=kind)
    if kind in kinds.KINDS:
        return _read_other_kind(parts, rows, kind=kind, expected_year=expected_year)
    fields: dict[str, FieldValue] = {}

    def row_words(script: str, key: str) -> tuple[list[OcrWord], float] | None:
        row = rows[script].get(key)
        if row is None or not row.value:
            return None
        return list(row.value), row.label_factor

    def text_field(name: str, *, upper: bool | None) -> None:
        readings = []
        for script in ("lat", "ar"):
            found = row_words(script, name)
            if found:
                readings.append(text_reading(script=script, words=found[0], factor=found[1],
                                             upper=upper if script == "lat" else None))
        value = combine_text(name, readings)
        if value is not None:
            # Places too: most communes' French names transliterate the Arabic (Bab El
            # Oued, باب الوادي); those that do not (Oran, وهران) go to a person.
            fields[name] = cross_check_name(value, repair_ya=True)

    text_field("surname", upper=True)
    text_field("given", upper=False)
    text_field("place", upper=False)

    # Sex: the two sex rows, and the father row's label (Fils/Fille, ابن/ابنة).
    sex_readings: list[Reading | None] = []
    for script in ("lat", "ar"):
        found = row_words(script, "sex")
        if found:
            reading = sex_reading(script=script, words=found[0])
            sex_readings.append(replace(reading, conf=round(reading.conf * found[1], 3)) if reading else None)
        father = rows[script].get("father")
        if father is not None and father.hint and father.label:
            conf = min(w.conf for w in father.label) * 0.8 * father.label_factor
            sex_readings.append(Reading(script=script, text=" ".join(w.text for w in father.label),
                                        words=tuple(father.label), conf=round(conf, 3), value=father.hint,
                                        note="from the father row's label"))
    sex = combine_values("sex", sex_readings)
    if sex is not None:
        fields["sex"] = sex

    for name in ("event_date", "drawn_up"):
        readings = []
        for script in ("lat", "ar"):
            found = row_words(script, name)
            if found:
                readings.append(common.date_reading(script=script, words=found[0], expected_year=expected_year,
                                                    factor=found[1]))
        value = combine_values(name, readings)
        if value is not None:
            fields[name] = value
    readings = []
    for script in ("lat", "ar"):
        found = row_words(script, "event_time")
        if found:
            readings.append(common.time_reading(script=script, words=found[0], factor=found[1]))
    value = combine_values("event_time", readings)
    if value is not None:
        fields["event_time"] = value

    people = {
        "father": {"lat": "given_only", "ar": "given_only"},
        "mother": {"lat": "surname_first", "ar": "given_first"},
        "officer": {"lat": "surname_first", "ar": "given_first"},
    }
    for person, orders in people.items():
        per_script: dict[str, dict[str, Reading]] = {}
        for script in ("lat", "ar"):
            found = row_words(script, person)
            if found:
                per_script[script] = common.person_readings(script=script, words=found[0], order=orders[script],
                                                            with_occupation=person != "officer", factor=found[1])
        for part_name in ("given", "surname", "occupation"):
            value = combine_text(f"{person}.{part_name}", [per_script.get(s, {}).get(part_name) for s in ("lat", "ar")])
            if value is not None:
                fields[f"{person}.{part_name}"] = value if part_name == "occupation" else cross_check_name(value, repair_ya=True)

    # The act number, from the header of the first part.
    head = parts[0].head if parts else {}
    number_readings = []
    for script in ("lat", "ar"):
        for line in head.get(script, ()):
            number_readings.append(header_reading(line, script=script))
    number = combine_values("act_number", number_readings)
    act_number = suffix = None
    if number is not None:
        fields["act_number"] = number
        act_number, suffix = common.split_number_value(number.value)

    mentions = common.read_mentions([line for part in parts for line in part.margin])
    complete = any("officer" in rows[s] for s in ("lat", "ar"))
    return ExtractedAct(layout="L1", number=act_number, suffix=suffix, fields=fields, mentions=mentions,
                        parts=tuple(parts), continuation=not parts[0].head, complete=complete, lang="fr+ar")


def _number_and_mentions(parts: Sequence[ActPart]) -> tuple[FieldValue | None, tuple]:
    head = parts[0].head if parts else {}
    number_readings = [header_reading(line, script=script) for script in ("lat", "ar") for line in head.get(script, ())]
    number = combine_values("act_number", number_readings)
    mentions = common.read_mentions([line for part in parts for line in part.margin])
    return number, mentions


def _read_other_kind(parts: Sequence[ActPart], rows: dict[str, dict[str, Row]], *, kind: str,
                     expected_year: int | None) -> ExtractedAct:
    """A marriage or death form: each slot's row read per script (kinds.slot_readings),
    the two scripts combined; the sex also from the labels and words that agree with it."""
    readings: dict[str, list[Reading | None]] = {}
    for script in ("lat", "ar"):
        for slot, row in rows[script].items():
            if not row.value:
                continue
            found = kinds.slot_readings(slot, list(row.value), script=script, factor=row.label_factor,
                                        expected_year=expected_year)
            for name, reading in found.items():
                readings.setdefault(name, []).append(reading)
        if kind == "death":
            father = rows[script].get("father")
            if father is not None and father.hint and father.label:
                conf = min(w.conf for w in father.label) * 0.8 * father.label_factor
                readings.setdefault("sex", []).append(Reading(
                    script=script, text=" ".join(w.text for w in father.label), words=tuple(father.label),
                    conf=round(conf, 3), value=father.hint, note="from the father row's label"))
    fields = kinds.combine(readings, repair_ya=True)
    number, mentions = _number_and_mentions(parts)
    act_number = suffix = None
    if number is not None:
        fields["act_number"] = number
        act_number, suffix = common.split_number_value(number.value)
    complete = any("officer" in rows[s] for s in ("lat", "ar"))
    return ExtractedAct(layout="L1", number=act_number, suffix=suffix, fields=fields, mentions=mentions,
                        parts=tuple(parts), continuation=not parts[0].head, complete=complete, lang="fr+ar",
                        kind=kind)
