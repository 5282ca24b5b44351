"""L2 — the narrative act (REGISTERS.md): one paragraph per act, the act number and the
subject's name in the outer margin ("N° 452 — BENALI Mohamed"; Arabic: "رقم 452" over
"بن علي محمد"), the mentions under it.

The margin is told from the body by the empty column between them (found from where
words stand on the page, below the heading). An act starts where a margin entry or a
paragraph opening ("L'an …", "في عام …") stands. Fields are read from the paragraph by
its fixed phrases ("est né à", "de sexe", "fils de", "et de", "son épouse", "domiciliés
à", "Dressé le", "Nous", "Officier …"), each matched fuzzily, a field being the words
between two of them. The name is written twice (margin and body): agreement of the two
raises its confidence, and in Arabic tells where the given name ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.extract import common, kinds, names, narrative
from pipeline.extract.fields import (
    FieldValue,
    Reading,
    clean_value,
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
from pipeline.extract.text import fold_arabic, fold_latin, fuzzy_lookup, levenshtein

_AR_OPENING = (fold_arabic("في"), fold_arabic("عام"))
_PAGE_HEADER_FR = {"commune", "registre", "wilaya", "republique"}
_PAGE_HEADER_AR = {fold_arabic(w) for w in ("بلدية", "سجل", "ولاية", "الجمهورية")}
_DASHES = {"—", "-", "–", "=", "_", "--", "~"}


def _key_fr(word: OcrWord) -> str:
    return "".join(ch for ch in fold_latin(word.text) if ch.isalpha())


def _key_ar(word: OcrWord) -> str:
    return "".join(ch for ch in fold_arabic(word.text) if ch.isalpha())


def _key_ar_phrase(word: OcrWord) -> str:
    """The key for the body's phrases: a lone 9 is the conjunction و misread (the
    mother's "و" after the father's occupation); a narrative body has no figure."""
    if word.text.strip(" ,.،؛»«") in ("9", "٩"):
        return fold_arabic("و")
    return _key_ar(word)


def _is_opening(line: Line, *, script: str) -> bool:
    words = line.words[:3]
    if script == "lat":
        # "L'an", "L'am", "L' an", "1'an" — not "la mairie" or "l'ambulance".
        first = _key_fr(words[0]) if words else ""
        second = _key_fr(words[1]) if len(words) > 1 else ""
        return first in ("lan", "lam") or (first in ("l", "") and second in ("an", "am"))
    keys = [_key_ar(w) for w in words]
    return len(keys) >= 2 and keys[0] == _AR_OPENING[0] and fuzzy_lookup(keys[1], {_AR_OPENING[1]: 1}) is not None


def _margin_entry(line: Line, *, script: str) -> Reading | None:
    """The act number of a margin entry line ("N° 452 — …", "رقم 452"), else None."""
    words = list(line.words)
    if not words:
        return None
    first = words[0].text.strip()
    if script == "lat":
        head = fold_latin(first)
        if not head.startswith("n") or len(head) > 6:  # N°, No, N', Nº
            return None
        rest = words[1:]
        if any(ch.isdigit() for ch in first):  # "N°452" written together
            rest = [replace(words[0], text=first.lstrip("NnºoO°'. ")), *rest]
    else:
        if _key_ar(words[0]) != fold_arabic("رقم"):
            return None
        rest = words[1:]
    return common.number_reading(script=script, words=rest[:3])


def _column_gap(words: Sequence[OcrWord], *, side: str) -> float | None:
    """x of the empty column between the margin and the body, on the left (French) or
    right (Arabic) side; None when there is none (a page without margin notes)."""
    if len(words) < 20:
        return None
    x0 = min(w.left for w in words)
    x1 = max(w.right for w in words)
    width = x1 - x0
    step = 4.0
    bins = [0] * (int(width / step) + 2)
    height = typical_height(words)
    for word in words:
        if word.height > 3 * height or word.right - word.left > 0.45 * width:
            continue
        for b in range(int((word.left - x0) / step), int((word.right - x0) / step) + 1):
            bins[b] += 1
    noise = max(1, len(words) // 150)
    lo, hi = (0.08, 0.45) if side == "left" else (0.55, 0.92)
    start, end = int(lo * width / step), int(hi * width / step)
    best, run_start = (0, None), None
    for b in range(start, end + 1):
        if bins[b] <= noise:
            if run_start is None:
                run_start = b
            length = b - run_start + 1
            if length > best[0]:
                best = (length, run_start)
        else:
            run_start = None
    length, begin = best
    if begin is None or length * step < 0.6 * height:
        return None
    # The run allows a few words (noise); the column itself is its longest stretch with
    # none: a long margin entry's last word ("… Kamel et") stays in the margin.
    clear, clear_begin, run = 0, begin, None
    for b in range(begin, begin + length):
        if bins[b] == 0:
            run = b if run is None else run
            if b - run + 1 > clear:
                clear, clear_begin = b - run + 1, run
        else:
            run = None
    if clear * step >= 0.6 * height:
        begin, length = clear_begin, clear
    # The column must have text on its outer side (a margin), not only page edge.
    middle = x0 + (begin + length / 2) * step
    outer = [w for w in words if (w.right < middle if side == "left" else w.left > middle)]
    if len(outer) < 3:
        return None
    return middle


_NARRATIVE_FR = {"domicilies", "declaration", "epouse", "lecture", "signe"}
_NARRATIVE_AR = {fold_arabic(w) for w in ("الساكنين", "التلاوة", "تصريح", "الطفل", "الطفلة", "معنا")}


def narrative_markers(words: Sequence[OcrWord]) -> int:
    """How many words of the narrative's fixed phrases the page has (none on a form)."""
    # Distinct words: a form of marriage acts has an "Épouse" label per block.
    return len({_key_fr(w) for w in words if _key_fr(w) in _NARRATIVE_FR}
               | {_key_ar(w) for w in words if _key_ar(w) in _NARRATIVE_AR})


def page_script(words: Sequence[OcrWord]) -> str:
    arabic = sum(1 for w in words if is_arabic_word(w))
    latin = sum(1 for w in words if is_latin_word(w))
    return "ar" if arabic > latin else "lat"


def _is_page_header(line: Line, *, script: str) -> bool:
    """A heading line opens with its word (Commune d'…, Registre …, بلدية …, سجل …); the
    body's "… de la commune d'Alger-Centre." does not."""
    first = [w for w in line.words if any(ch.isalpha() for ch in w.text)][:1]
    if not first:
        return False
    if script == "lat":
        return _key_fr(first[0]) in _PAGE_HEADER_FR
    return _key_ar(first[0]) in _PAGE_HEADER_AR


@dataclass(frozen=True)
class _Start:
    top: float
    entry: tuple[Line, ...]


def segment(words: Sequence[OcrWord], *, page: int, half: str | None, script: str | None = None,
            kind: str = "birth") -> list[ActPart]:
    """Acts of a narrative page as parts: one per margin entry / paragraph opening, and
    a leading part for a paragraph continued from the page before. A bilingual page
    (each act written in French, then in Arabic) gives one part per act holding both
    paragraphs."""
    if not words:
        return []
    if script is None:
        blocks = _script_blocks(words)
        if len({s for s, _ in blocks}) > 1:
            parts = [part for block_script, block in blocks
                     for part in segment(block, page=page, half=half, script=block_script, kind=kind)]
            return _pair_bilingual(parts)
    script = script or page_script(words)
    rtl = script == "ar"
    height = typical_height(words)
    # The heading (commune, register) is above the first paragraph: keep it out of the
    # search for the margin column, which it crosses.
    probe = build_lines(list(words), rtl=rtl)
    first_body = next((line.top for line in probe if _is_opening(line, script=script)
                       or _margin_entry(line, script=script)), None)
    body_words = [w for w in words if first_body is None or w.cy > first_body - height]
    gap = _column_gap(body_words, side="right" if rtl else "left")
    if gap is None:
        margin_words: list[OcrWord] = []
        text_words = list(words)
    else:
        in_margin = (lambda w: w.cx > gap) if rtl else (lambda w: w.cx < gap)
        margin_words = [w for w in words if in_margin(w)]
        text_words = [w for w in words if not in_margin(w)]
    margin = build_lines(margin_words, rtl=rtl)
    body = build_lines(text_words, rtl=rtl)

    starts: list[_Start] = []
    index = 0
    while index < len(margin):
        line = margin[index]
        if _margin_entry(line, script=script) is not None:
            entry = [line]
            # The name may run onto the next margin line(s), until a mention opens.
            follow = index + 1
            while (follow < len(margin) and margin[follow].top - entry[-1].top < 2.3 * height
                   and common.mention_kind(margin[follow]) is None
                   and _margin_entry(margin[follow], script=script) is None and len(entry) < 3):
                entry.append(margin[follow])
                follow += 1
            starts.append(_Start(top=line.top, entry=tuple(entry)))
            index = follow
            continue
        index += 1
    openings = [line for line in body if _is_opening(line, script=script)]
    aligned = []
    for start in starts:
        # The paragraph opens on the margin entry's row; if OCR put the entry a line
        # lower (or lost its first line), the opening line says where the act starts.
        near = [line.top for line in openings if abs(line.top - start.top) < 2.5 * height]
        aligned.append(replace(start, top=min([start.top, *near])))
    starts = aligned
    for line in openings:
        if not any(abs(s.top - line.top) < 1.5 * height for s in starts):
            starts.append(_Start(top=line.top, entry=()))
    starts.sort(key=lambda s: s.top)

    parts: list[ActPart] = []
    first_top = starts[0].top if starts else float("inf")
    lead = [line for line in body if line.cy < first_top - 0.5 * height and not _is_page_header(line, script=script)
            and _line_script(line) in (script, None)]
    heading_done = [line for line in body if _is_page_header(line, script=script)]
    if heading_done:
        last_heading = max(line.bottom for line in heading_done)
        lead = [line for line in lead if line.top > last_heading - 0.3 * height]
    if lead:
        parts.append(ActPart(page=page, half=half, layout="L2", sides={script: _rows(lead)}, head={},
                             margin=tuple(m for m in margin if m.cy < first_top - 0.5 * height), kind=kind))
    for i, start in enumerate(starts):
        bottom = starts[i + 1].top if i + 1 < len(starts) else float("inf")
        members = [line for line in body if start.top - 0.6 * height <= line.cy < bottom - 0.5 * height]
        entry_ids = {id(line) for line in start.entry}
        notes = tuple(m for m in margin if start.top - 0.6 * height <= m.cy < bottom - 0.5 * height
                      and id(m) not in entry_ids)
        parts.append(ActPart(page=page, half=half, layout="L2", sides={script: _rows(members)},
                             head={script: start.entry}, margin=notes, kind=kind))
    return parts


# --- bilingual pages ------------------------------------------------------------------------

_MIN_BLOCK_LINES = 4  # fewer: a mention in the other script, not a paragraph


def _line_script(line: Line) -> str | None:
    arabic = sum(1 for w in line.words if is_arabic_word(w))
    latin = sum(1 for w in line.words if is_latin_word(w))
    if arabic + latin < 2:
        return None
    return "ar" if arabic > latin else "lat"


def _script_blocks(words: Sequence[OcrWord]) -> list[tuple[str, list[OcrWord]]]:
    """Runs of lines in one script, top to bottom: on a bilingual page each act's French
    paragraph (margin on the left) is followed by its Arabic one (margin on the right),
    and each run is read as a page of its own script."""
    arabic = sum(1 for w in words if is_arabic_word(w))
    latin = sum(1 for w in words if is_latin_word(w))
    if min(arabic, latin) < 0.2 * (arabic + latin):
        return [(page_script(words), list(words))]
    blocks: list[tuple[str, list[Line]]] = []
    for line in build_lines(list(words), rtl=False):
        script = _line_script(line) or (blocks[-1][0] if blocks else None)
        if script is None:
            continue
        if blocks and blocks[-1][0] == script:
            blocks[-1][1].append(line)
        else:
            blocks.append((script, [line]))
    merged: list[tuple[str, list[Line]]] = []
    for script, lines in blocks:
        if merged and (len(lines) < _MIN_BLOCK_LINES or merged[-1][0] == script):
            merged[-1][1].extend(lines)
        else:
            merged.append((script, lines))
    return [(script, [w for line in lines for w in line.words]) for script, lines in merged]


def _pair_bilingual(parts: list[ActPart]) -> list[ActPart]:
    """One part per act: a French part and the Arabic part after it (same number, or a
    number unread on one side) become one part with both paragraphs."""
    out: list[ActPart] = []
    for index, part in enumerate(parts):
        if not part.head and index > 0 and not (index == 1 and not parts[0].head):
            # A headless part below the top of the page is no continuation: mentions or
            # signatures between the two languages' paragraphs.
            continue
        previous = out[-1] if out else None
        if (previous is not None and set(part.sides).isdisjoint(previous.sides) and "lat" in previous.sides
                and _same_act(previous, part)):
            out[-1] = ActPart(page=part.page, half=part.half, layout="L2", sides={**previous.sides, **part.sides},
                              head={**previous.head, **part.head}, margin=previous.margin + part.margin,
                              kind=part.kind)
        else:
            out.append(part)
    return out


def _same_act(french: ActPart, arabic: ActPart) -> bool:
    if bool(french.head) != bool(arabic.head):
        return False  # a continued paragraph pairs only with a continued paragraph
    numbers = []
    for script, part in (("lat", french), ("ar", arabic)):
        entry = part.head.get(script, ())
        reading = _margin_entry(entry[0], script=script) if entry else None
        numbers.append(reading.value if reading else None)
    return None in numbers or numbers[0] == numbers[1]


def _rows(lines: Sequence[Line]) -> tuple[Row, ...]:
    return tuple(Row(key=None, label=(), value=line.words) for line in lines)


# --- reading the paragraph ------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    name: str
    keys: tuple[tuple[str, ...], ...]  # each position: accepted keys


def _phrase(name: str, *positions: str) -> _Phrase:
    return _Phrase(name, tuple(tuple(p.split("|")) for p in positions))


_FR_PHRASES = (
    _phrase("born", "est", "ne|nee"),
    _phrase("sex", "sexe"),
    _phrase("father", "fils|fille", "de"),
    _phrase("mother", "et", "de"),
    _phrase("spouse", "son", "epouse"),
    _phrase("home", "domicilies|domicilie|domiciliee|domiciliees"),
    _phrase("drawn", "dresse"),
    _phrase("declaration", "declaration"),
    _phrase("officer_name", "nous"),
    _phrase("officer", "officier"),
)
_AR = fold_arabic
_AR_PHRASES = (
    _phrase("born", f"{_AR('ولد')}|{_AR('ولدت')}"),
    _phrase("child", f"{_AR('الطفل')}|{_AR('الطفلة')}"),
    _phrase("sex", _AR("من"), _AR("جنس")),
    _phrase("father", f"{_AR('ابن')}|{_AR('ابنة')}"),
    _phrase("mother", _AR("و")),
    _phrase("home", f"{_AR('الساكنين')}|{_AR('الساكن')}|{_AR('الساكنة')}"),
    # في is often read ف (its final letter lost to the next word's space).
    _phrase("drawn", _AR("حرر"), f"{_AR('في')}|{_AR('ف')}"),
    _phrase("declaration", _AR("بناء")),
    _phrase("officer_name", _AR("نحن")),
    _phrase("officer", _AR("ضابط")),
)


_COMMUNE_WORDS = {fold_arabic(w): 0 for w in ("ببلدية", "بلدية")}


def _commune_word(word: OcrWord) -> bool:
    """ببلدية as written or a letter off (بيلدية: a dot misread)."""
    key = _key_ar(word)
    return key.startswith(fold_arabic("ببلدية")[:3]) or fuzzy_lookup(key, _COMMUNE_WORDS, tolerance=1) is not None


def _matches(key: str, accepted: tuple[str, ...]) -> bool:
    if key in accepted:
        return True
    if len(key) <= 3:
        return False
    return fuzzy_lookup(key, {a: a for a in accepted if len(a) > 3}) is not None


# Phrases too common to be searched without one that must come before them: the
# mother's "et de" / "و" only after the father's "fils de" / "ابن" or, when OCR lost
# that phrase (ابن read ان, أن, إن or merged with its neighbours), after the sex phrase
# and the one word of its value: the narrative puts only the father between them, and
# neither his name nor his occupation is a lone "و" / "et de".
_NEEDS = {"mother": ("father", "sex")}


def _find_phrases(keys: Sequence[str], phrases: Sequence[_Phrase]) -> dict[str, tuple[int, int]]:
    """name → (start, end) token span of each phrase found, searched in order (each after
    the one before, so "et de" of the mother is not taken from elsewhere)."""
    found: dict[str, tuple[int, int]] = {}
    position = 0
    for phrase in phrases:
        if phrase.name in _NEEDS:
            anchor = next((name for name in _NEEDS[phrase.name] if name in found), None)
            if anchor is None:
                continue
            if anchor != _NEEDS[phrase.name][0]:
                position = max(position, found[anchor][1] + 1)
        width = len(phrase.keys)
        for start in range(position, len(keys) - width + 1):
            if all(_matches(keys[start + k], phrase.keys[k]) for k in range(width)):
                found[phrase.name] = (start, start + width)
                position = start + width
                break
    return found


def _between(words: Sequence[OcrWord], spans: dict[str, tuple[int, int]], after: str | None, before: Sequence[str],
             *, start: int = 0) -> tuple[list[OcrWord], float]:
    """Words between the end of phrase `after` and the first of `before` found; the
    factor < 1 when a bounding phrase was not read (the cut is then a guess)."""
    factor = 1.0
    if after is None:
        begin = start
    elif after in spans:
        begin = spans[after][1]
    else:
        return [], 0.0
    end = len(words)
    for name in before:
        if name in spans and spans[name][0] >= begin:
            end = spans[name][0]
            break
        factor *= 0.8
    return list(words[begin:end]), factor


def _until_comma(words: Sequence[OcrWord], *, script: str) -> list[OcrWord]:
    before, _after, _found = common.split_at_comma(words, script=script)
    return before


def _strip_words(words: Sequence[OcrWord], *, drop: set[str], script: str) -> list[OcrWord]:
    key = _key_fr if script == "lat" else _key_ar
    out = list(words)
    while out and (key(out[0]) in drop or not key(out[0])):
        out.pop(0)
    return out


def _name_field(name: str, body: Reading | None, margin: Reading | None) -> FieldValue | None:
    """The same name read in the body and in the margin: agreement raises the
    confidence, disagreement keeps the surer reading and lowers it."""
    present = [r for r in (body, margin) if r is not None]
    if not present:
        return None
    if len(present) == 1:
        only = present[0]
        return FieldValue(name=name, readings=(only,), conf=round(only.conf * 0.9, 3))
    if clean_value(body.text) == clean_value(margin.text):
        # Body and margin are read by the same engine in the same face: they fail alike
        # (كال for كمال in both), so agreement adds nothing unless both are sure already:
        # it counts as one reading (same 0.9 as a name read once). Measured on held-out
        # synthetic pages: with the readings taken as independent, two such names were
        # accepted wrongly (seed 41, L2-ar, precision 0.989); with the surer one taken
        # alone, دايلة for دليلة (body 0.47, margin 0.91) was (seed 71, precision 0.993).
        if min(body.conf, margin.conf) >= 0.9:
            conf = 1.0 - (1.0 - body.conf) * (1.0 - margin.conf)
        else:
            conf = max(body.conf, margin.conf) * 0.9
        return FieldValue(name=name, readings=(body, replace(margin, note="margin")),
                          conf=round(conf, 3))
    best, other = (body, margin) if body.conf >= margin.conf else (margin, body)
    conf = best.conf * (1.0 - 0.8 * other.conf)
    return FieldValue(name=name, readings=(best,), conf=round(conf, 3),
                      notes=(f"margin and body differ: {margin.text!r} / {body.text!r}",))


def read_act(parts: Sequence[ActPart], *, expected_year: int | None = None) -> ExtractedAct:
    """An act from its paragraph part(s): the lines joined across parts, fields cut out
    between the narrative's fixed phrases, the name checked against the margin entry.
    An act written in both languages is read in each, and the two readings combined."""
    scripts = [s for s in ("lat", "ar") if any(s in part.sides for part in parts)]
    if len(scripts) > 1:
        by_script = {s: _read_script([_only(part, s) for part in parts if s in part.sides], expected_year=expected_year)
                     for s in scripts}
        return _merge_languages(by_script["lat"], by_script["ar"], parts)
    return _read_script(parts, expected_year=expected_year)


def _only(part: ActPart, script: str) -> ActPart:
    # The mentions are read once, with the French paragraph (the margin they are in).
    return replace(part, sides={script: part.sides[script]}, head={script: part.head.get(script, ())},
                   margin=part.margin if script == "lat" else ())


def _merge_languages(french: ExtractedAct, arabic: ExtractedAct, parts: Sequence[ActPart]) -> ExtractedAct:
    """One act from its French and Arabic paragraphs: names and places in both scripts
    (checked against each other), dates, hours, sex and number from both (agreement
    makes them sure)."""
    fields: dict[str, FieldValue] = {}
    for name in dict.fromkeys([*french.fields, *arabic.fields]):
        values = [v for v in (french.fields.get(name), arabic.fields.get(name)) if v is not None]
        # Each language's reading carries what its own checks (margin, body) made of it.
        readings = [replace(r, conf=v.conf) for v in values for r in v.readings[:1]]
        if any(v.value is not None for v in values):
            merged = combine_values(name, [r for v in values for r in v.readings])
        else:
            merged = combine_text(name, readings)
            if merged is not None and not name.endswith("occupation"):
                merged = cross_check_name(merged)
        if merged is not None:
            fields[name] = merged
    number = fields.get("act_number")
    act_number, suffix = common.split_number_value(number.value) if number is not None else (None, None)
    return ExtractedAct(layout="L2", number=act_number, suffix=suffix, fields=fields,
                        mentions=french.mentions + arabic.mentions, parts=tuple(parts),
                        continuation=french.continuation and arabic.continuation,
                        complete=french.complete or arabic.complete, lang="fr+ar", kind=french.kind)


def _read_script(parts: Sequence[ActPart], *, expected_year: int | None = None) -> ExtractedAct:
    script = next(iter(parts[0].sides)) if parts and parts[0].sides else "lat"
    if parts and parts[0].kind in kinds.KINDS:
        return _read_other_kind(parts, script=script, expected_year=expected_year)
    words: list[OcrWord] = [w for part in parts for row in part.sides.get(script, ()) for w in row.value]
    key = _key_fr if script == "lat" else _key_ar_phrase
    keys = [key(w) for w in words]
    spans = _find_phrases(keys, _FR_PHRASES if script == "lat" else _AR_PHRASES)
    fields: dict[str, FieldValue] = {}

    def put(value: FieldValue | None) -> None:
        if value is not None:
            fields[value.name] = value

    # Opening: date and hour of the birth.
    opening, factor = _between(words, spans, None, ["born"])
    if opening:
        # "L'an …, le quatorze mars, à dix heures trente" / "في عام …، في … على الساعة …":
        # date and hour in one phrase, each parser picks its words.
        put(combine_values("event_date", [common.date_reading(script=script, words=opening, expected_year=expected_year,
                                                               factor=factor, whole=False)]))
        put(combine_values("event_time", [common.time_reading(script=script, words=opening, factor=factor,
                                                               whole=False)]))

    if script == "lat":
        place, factor = _between(words, spans, "born", ["sex", "father"])
        place = _strip_words(_until_comma(place, script=script), drop={"a"}, script=script)
        # "de sexe": the "de" stands before the phrase found.
        place = [w for w in place if _key_fr(w) != "de" or w is not place[-1]]
        put(combine_text("place", [text_reading(script=script, words=place, factor=factor, upper=False)]))
        after_sex, factor = _between(words, spans, "sex", ["father"])
        if after_sex:
            body_name = after_sex[1:] if sex_reading(script=script, words=after_sex[:1]) else after_sex
            body_name = [w for w in body_name if w.text.strip(",. ")]
            surname_words, given_words = names.split_latin_surname_first(body_name)
        else:
            surname_words, given_words = [], []
        father, factor = _between(words, spans, "father", ["mother"])
        people = {"father": common.person_readings(script=script, words=father, order="given_only",
                                                   with_occupation=True, factor=factor)}
        mother, factor = _between(words, spans, "mother", ["spouse", "home"])
        people["mother"] = common.person_readings(script=script, words=mother, order="surname_first",
                                                  with_occupation=False, factor=factor)
        occupation, factor = _between(words, spans, "spouse", ["home"])
        occupation_reading = text_reading(script=script, words=_until_comma(occupation, script=script), factor=factor)
        if occupation_reading:
            people["mother"]["occupation"] = occupation_reading
        home, factor = _between(words, spans, "home", ["drawn"])
        home = _strip_words(home, drop={"a"}, script=script)
        put(combine_text("residence", [text_reading(script=script, words=_cut_at_stop(home), factor=factor,
                                                    upper=False)]))
        drawn, factor = _between(words, spans, "drawn", ["declaration", "officer_name"])
        officer, officer_factor = _between(words, spans, "officer_name", ["officer"])
        people["officer"] = common.person_readings(script=script, words=_officer_words(officer, script=script),
                                                   order="surname_first", with_occupation=False,
                                                   factor=officer_factor)
    else:
        place, factor = _between(words, spans, "born", ["child", "sex"])
        place = _strip_words(place, drop=set(), script=script)
        if place and _commune_word(place[0]):
            # "ببلدية الجزائر": the commune word is the phrase's, not the place's.
            place = place[1:]
        put(combine_text("place", [text_reading(script=script, words=_until_comma(place, script=script),
                                                factor=factor)]))
        child, factor = _between(words, spans, "child", ["sex", "father"])
        body_name = _until_comma(child, script=script)
        given_words, surname_words = names.split_arabic_given_first(body_name)
        father, factor = _between(words, spans, "father", ["mother", "home"])
        if "father" not in spans and "mother" in spans:
            father, factor = _father_without_phrase(words, spans)
        mother, mother_factor = _between(words, spans, "mother", ["home", "drawn"])
        if "mother" not in spans:
            # "و" written joined to the mother's name (وحليمة): cut after the father's
            # occupation, at the first word opening with و past the second comma.
            father, mother, mother_factor = _joined_mother(father)
        elif "father" not in spans:
            mother_factor *= 0.9  # found after the sex phrase, not after the father's
        home_after_mother: list[OcrWord] = []
        if "home" not in spans:
            # "… و زينب سعدي، ممرضة، الساكنين ببلدية …" with الساكنين misread: the mother's
            # part is her name and occupation (two commas); what follows is the home.
            mother, home_after_mother = common.cut_after_commas(mother, script=script, count=2)
        people = {"father": common.person_readings(script=script, words=father, order="given_only",
                                                   with_occupation=True, factor=factor)}
        factor = mother_factor
        people["mother"] = common.person_readings(script=script, words=mother, order="given_first",
                                                  with_occupation=True, factor=factor)
        home, factor = _between(words, spans, "home", ["drawn"])
        if "home" not in spans and home_after_mother:
            home, factor = _home_without_phrase(home_after_mother), 0.8 * mother_factor
        if home and _commune_word(home[0]):
            home = home[1:]
        residence = _cut_at_stop(home)
        put(combine_text("residence", [text_reading(script=script, words=residence, factor=factor)]))
        drawn, factor = _between(words, spans, "drawn", ["declaration", "officer_name"])
        if "drawn" not in spans and "home" in spans:
            drawn, factor = _drawn_after_home(words, spans, residence)
        officer, officer_factor = _between(words, spans, "officer_name", ["officer"])
        if "officer_name" not in spans and "officer" in spans:
            officer, officer_factor = _officer_without_phrase(words, spans)
        people["officer"] = common.person_readings(script=script, words=_officer_words(officer, script=script),
                                                   order="given_first", with_occupation=False, factor=officer_factor)
    put(combine_values("sex", _sex_readings(words, spans, script=script)))
    if drawn:
        put(combine_values("drawn_up", [common.date_reading(script=script, words=drawn, expected_year=expected_year,
                                                             factor=factor, whole=False)]))
        put(combine_values("drawn_up.time", [common.time_reading(script=script, words=drawn, factor=factor,
                                                                  whole=False)]))
    for person, readings in people.items():
        for part_name, reading in readings.items():
            put(combine_text(f"{person}.{part_name}", [reading]))

    # The margin entry: number, and the name again.
    entry = parts[0].head.get(script, ()) if parts else ()
    entry_words = [w for line in entry for w in line.words]
    number = _margin_entry(entry[0], script=script) if entry else None
    margin_surname = margin_given = None
    if number is not None:
        after = [w for w in entry_words if w not in number.words]
        # Past "N°"/"رقم", the number and the dash.
        while after and (after[0].text.strip() in _DASHES or not any(ch.isalpha() for ch in after[0].text)
                         or _key_fr(after[0]) in ("n", "no") or _key_ar(after[0]) == fold_arabic("رقم")):
            after.pop(0)
        after = [w for w in after if w.text.strip() not in _DASHES]
        if script == "lat":
            m_surname, m_given = names.split_latin_surname_first(after)
        else:
            cut = names.split_with_margin(list(given_words) + list(surname_words), after)
            if cut is not None:
                both = list(given_words) + list(surname_words)
                given_words, surname_words = both[:cut], both[cut:]
                m_surname, m_given = after[:len(after) - cut], after[len(after) - cut:]
            else:
                m_surname, m_given = names.split_arabic_surname_first(after)
        margin_surname = text_reading(script=script, words=m_surname, upper=True if script == "lat" else None)
        margin_given = text_reading(script=script, words=m_given, upper=False if script == "lat" else None)
        put(combine_values("act_number", [number]))
    body_surname = text_reading(script=script, words=surname_words, upper=True if script == "lat" else None)
    body_given = text_reading(script=script, words=given_words, upper=False if script == "lat" else None)
    put(_name_field("surname", body_surname, margin_surname))
    put(_name_field("given", body_given, margin_given))

    act_number = suffix = None
    if "act_number" in fields:
        act_number, suffix = common.split_number_value(fields["act_number"].value)
    mentions = common.read_mentions([line for part in parts for line in part.margin])
    complete = "officer" in spans
    return ExtractedAct(layout="L2", number=act_number, suffix=suffix, fields=fields, mentions=mentions,
                        parts=tuple(parts), continuation=not (parts and (parts[0].head or _opens(words, script))),
                        complete=complete, lang="fr" if script == "lat" else "ar")


_FATHER_AR = (fold_arabic("ابن"), fold_arabic("ابنة"))


def _father_without_phrase(words: Sequence[OcrWord], spans: dict[str, tuple[int, int]]) -> tuple[list[OcrWord], float]:
    """The father's words when his phrase (ابن / ابنة) was not read but the mother's was
    (found after the sex phrase, see _NEEDS): past the sex phrase and its one-word value,
    up to the mother's "و"; a first word a letter away from ابن / ابنة (ان, أن, إن, ابر)
    is that phrase misread. Where his words start is a guess: factor 0.64, never
    accepted without review."""
    if "sex" not in spans:
        return [], 0.0
    between = [w for w in words[spans["sex"][1] + 1:spans["mother"][0]] if _key_ar_phrase(w)]
    if between and any(levenshtein(_key_ar_phrase(between[0]), form) <= 1 for form in _FATHER_AR):
        between = between[1:]
    return between, 0.64


def _drawn_after_home(words: Sequence[OcrWord], spans: dict[str, tuple[int, int]],
                      residence: Sequence[OcrWord]) -> tuple[list[OcrWord], float]:
    """The drawn-up date's words when حرر في was misread: the sentence after the one
    that ends with the home ("… الجزائر الوسطى. [حرر في] الخامس عشر من شهر …"), up to
    the declaration (or the officer). Nothing when the home sentence has no full stop
    (where the date starts is then unknown). Factor 0.8: a bounding phrase was lost."""
    if not residence or not residence[-1].text.rstrip().endswith("."):
        return [], 0.0
    start = next((i + 1 for i, w in enumerate(words) if w is residence[-1]), None)
    if start is None:
        return [], 0.0
    end = next((spans[name][0] for name in ("declaration", "officer_name") if name in spans and spans[name][0] >= start),
               len(words))
    return list(words[start:end]), 0.8


_WE_AR = fold_arabic("نحن")


def _officer_without_phrase(words: Sequence[OcrWord], spans: dict[str, tuple[int, int]]) -> tuple[list[OcrWord], float]:
    """The officer's name when نحن was misread (نح, تحن): the words between a word a
    letter away from نحن, among the four before ضابط, and ضابط. Factor 0.8."""
    end = spans["officer"][0]
    for index in range(end - 1, max(-1, end - 5), -1):
        if levenshtein(_key_ar_phrase(words[index]), _WE_AR) <= 1:
            return list(words[index + 1:end]), 0.8
    return [], 0.0


def _home_without_phrase(words: Sequence[OcrWord]) -> list[OcrWord]:
    """What follows the mother's occupation when الساكنين was misread: the place after
    the commune word (ببلدية), when one of the first two words is one; else nothing."""
    for index, word in enumerate(words[:2]):
        if _commune_word(word):
            return list(words[index:])
    return []


def _joined_mother(words: Sequence[OcrWord]) -> tuple[list[OcrWord], list[OcrWord], float]:
    before, after, found = common.split_at_comma(words, script="ar")
    if not found:
        return list(words), [], 0.0
    occupation, rest, found = common.split_at_comma(after, script="ar")
    if found and rest and rest[0].text.startswith("و") and len(rest[0].text) > 2:
        first = replace(rest[0], text=rest[0].text[1:])
        return before + occupation, [first, *rest[1:]], 0.8
    return list(words), [], 0.0


# Words of the narrative that say the sex besides "de sexe …"/"من جنس …": the
# participle (est né/née, ولد/ولدت), the child (الطفل/الطفلة) and the filiation (fils/fille
# de, ابن/ابنة). Each is a weaker reading (an e or a ة is easily lost), together they
# make the sex sure.
_SEX_HINTS = {
    "lat": {"born": {"ne": "M", "nee": "F"}, "father": {"fils": "M", "fille": "F"}},
    "ar": {"born": {fold_arabic("ولد"): "M", fold_arabic("ولدت"): "F"},
           "child": {fold_arabic("الطفل"): "M", fold_arabic("الطفلة"): "F"},
           "father": {fold_arabic("ابن"): "M", fold_arabic("ابنة"): "F"}},
}


def _sex_readings(words: Sequence[OcrWord], spans: dict[str, tuple[int, int]], *, script: str) -> list[Reading | None]:
    key = _key_fr if script == "lat" else _key_ar
    readings: list[Reading | None] = []
    if "sex" in spans:
        start = spans["sex"][1]
        readings.append(sex_reading(script=script, words=words[start:start + 2]))
    for phrase, table in _SEX_HINTS[script].items():
        if phrase not in spans:
            continue
        start, end = spans[phrase]
        for word in words[start:end]:
            value = table.get(key(word))
            if value is not None:
                readings.append(Reading(script=script, text=word.text, words=(word,), conf=round(word.conf * 0.7, 3),
                                        value=value, note=f"from {word.text}"))
    return readings


def _opens(words: Sequence[OcrWord], script: str) -> bool:
    if len(words) < 2:
        return False
    line = Line(words=tuple(words[:3]), rtl=script == "ar")
    return _is_opening(line, script=script)


def _officer_words(words: Sequence[OcrWord], *, script: str) -> list[OcrWord]:
    """The officer's name ends at the comma before his title ("Nous, HADDAD Rachid,
    Officier …"): when the title is misread, the comma still ends the name."""
    words = [w for w in words if w.text.strip(",،")] if words and not words[0].text.strip(",،") else list(words)
    before, _after, found = common.split_at_comma(words, script=script)
    return before if found else list(words)


def _cut_at_stop(words: Sequence[OcrWord]) -> list[OcrWord]:
    """A residence ends with the sentence."""
    out = []
    for word in words:
        out.append(word)
        if word.text.rstrip().endswith("."):
            break
    return out


# --- marriage and death acts ------------------------------------------------------------------


def _margin_names(entry: Sequence[Line], number: Reading, *, script: str, kind: str) -> dict[str, Reading]:
    """The name(s) a margin entry writes after the number, surname first: the deceased
    (death), "HUSBAND et WIFE" (marriage)."""
    after = [w for line in entry for w in line.words if w not in number.words]
    while after and (after[0].text.strip() in _DASHES or not any(ch.isalpha() for ch in after[0].text)
                     or _key_fr(after[0]) in ("n", "no") or _key_ar(after[0]) == fold_arabic("رقم")):
        after.pop(0)
    after = [w for w in after if w.text.strip() not in _DASHES]
    groups: list[tuple[str, list[OcrWord]]]
    if kind == "marriage":
        joiner = "et" if script == "lat" else fold_arabic("و")
        keys = [_key_fr(w) if script == "lat" else _key_ar(w) for w in after]
        cut = next((i for i, k in enumerate(keys) if k == joiner and 0 < i < len(after) - 1), None)
        if cut is None:
            return {}
        groups = [("husband", after[:cut]), ("wife", after[cut + 1:])]
    else:
        groups = [("", after)]
    out: dict[str, Reading] = {}
    for prefix, words in groups:
        if script == "lat":
            surname, given = names.split_latin_surname_first(words)
        else:
            surname, given = names.split_arabic_surname_first(words)
        for part, chosen, upper in (("surname", surname, True), ("given", given, False)):
            reading = text_reading(script=script, words=chosen, upper=upper if script == "lat" else None)
            if reading is not None:
                out[f"{prefix}.{part}" if prefix else part] = replace(reading, note="margin")
    return out


def _read_other_kind(parts: Sequence[ActPart], *, script: str, expected_year: int | None) -> ExtractedAct:
    """A marriage or death paragraph in one language: its words aligned to the kind's
    template (narrative.align), each slot read (kinds.slot_readings), the names checked
    against the margin entry."""
    kind = parts[0].kind
    words: list[OcrWord] = [w for part in parts for row in part.sides.get(script, ()) for w in row.value]
    key = _key_fr if script == "lat" else _key_ar
    template = kinds.TEMPLATES[(kind, script)]
    slots, _found = narrative.align([key(w) for w in words], template)
    readings: dict[str, list[Reading | None]] = {}
    for name, slot in slots.items():
        found = kinds.slot_readings(name, words[slot.start:slot.end], script=script, factor=slot.factor,
                                    expected_year=expected_year, whole=False)
        for field_name, reading in found.items():
            readings.setdefault(field_name, []).append(reading)
    if kind == "death":
        readings.setdefault("sex", []).extend(kinds.sex_hints(words, script=script))
    fields: dict[str, FieldValue] = {}
    entry = parts[0].head.get(script, ()) if parts else ()
    number = _margin_entry(entry[0], script=script) if entry else None
    margin = _margin_names(entry, number, script=script, kind=kind) if number is not None else {}
    for name, found in readings.items():
        if name in margin and not kinds.is_valued(name):
            value = _name_field(name, found[0], margin.pop(name))
        else:
            value = kinds.combine({name: found}).get(name)
        if value is not None:
            fields[name] = value
    for name, reading in margin.items():  # names the body lost, from the margin alone
        value = _name_field(name, None, reading)
        if value is not None:
            fields[name] = value
    act_number = suffix = None
    if number is not None:
        fields["act_number"] = combine_values("act_number", [number])
        act_number, suffix = common.split_number_value(number.value)
    mentions = common.read_mentions([line for part in parts for line in part.margin])
    complete = "officer" in slots or any(n.startswith("officer.") for n in fields)
    return ExtractedAct(layout="L2", number=act_number, suffix=suffix, fields=fields, mentions=mentions,
                        parts=tuple(parts), continuation=not (parts and (parts[0].head or _opens(words, script))),
                        complete=complete, lang="fr" if script == "lat" else "ar", kind=kind)
