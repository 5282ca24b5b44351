"""Acts, not pages: segment the OCR of register pages into acts, read their fields, join
acts cut at a page bottom, and shape them as records (REGISTERS.md "Record").

    page = extract_page(tsv_path=ocr.tsv_path, page=3, expected_year=1987)   # L1 or L2, found
    acts = check_register(join_continued([*page2.acts, *page3.acts]), register=register)
    records = [act_record(a, register=register) for a in acts if a.number is not None]
    # or, for a run of pages: extract_records(pages=[tsv1, tsv2, …], register=register)

Every value keeps its confidence (OCR word confidences × how sure the parse is, raised
when both scripts or margin and body agree), its page and its box. A record whose every
required field is present and at or above the review threshold is "auto"; any other is
"needs_review" with the reasons (low_conf:FIELD, missing:FIELD, …).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pipeline.records import make_act_id
from pipeline.extract import common, kinds, l1, l2
from pipeline.extract.fields import FieldValue, Reading
from pipeline.extract.model import ActPart, ExtractedAct, Layout
from pipeline.extract.ocr_words import OcrWord, read_ocr_words
from pipeline.extract.text import levenshtein


# Chosen on synthetic pages (evaluate.py, two seeds of clean and worn pages of each
# layout): at 0.9 about 99.5 % of the values accepted without review were right, at 0.8
# about 99 %; the errors left are OCR misreadings Tesseract is sure of (كال for كمال in
# both margin and body, ى for ي).
DEFAULT_REVIEW_THRESHOLD = 0.90
# Required to leave review: present, and for names and places in every script the
# register writes (an L1 act without its Arabic surname is not complete).
REQUIRED_FIELDS = {
    "birth": ("act_number", "surname", "given", "sex", "event_date", "event_time", "place", "father.given",
              "mother.surname", "mother.given", "drawn_up"),
    **kinds.REQUIRED,
}
_SCRIPTS = {"fr+ar": ("lat", "ar"), "fr": ("lat",), "ar": ("ar",)}


@dataclass(frozen=True)
class RegisterInfo:
    """The register a page belongs to (batch.toml's [register])."""

    commune_code: str
    year: int
    series: int = 1
    kind: Literal["birth", "marriage", "death"] = "birth"
    commune_fr: str | None = None
    commune_ar: str | None = None
    lang: str = "fr+ar"
    volume: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "RegisterInfo":
        """From batch.toml's [register] (commune_fr/commune_ar) or a record's register
        (commune: {fr, ar})."""
        commune = data.get("commune") if isinstance(data.get("commune"), Mapping) else {}
        return cls(commune_code=str(data["commune_code"]), year=int(data["year"]), series=int(data.get("series", 1)),
                   kind=data.get("kind", "birth"), commune_fr=data.get("commune_fr", commune.get("fr")),
                   commune_ar=data.get("commune_ar", commune.get("ar")), lang=data.get("lang", "fr+ar"),
                   volume=data.get("volume"))


@dataclass(frozen=True)
class PageExtraction:
    """The acts read on one page (or half-spread), in reading order; halves: ("left",
    "right") when a whole double page was cut at its gutter; seconds: time taken."""

    acts: tuple[ExtractedAct, ...]
    layout: Layout | None
    page: int
    halves: tuple[str | None, ...]
    seconds: float


def detect_layout(words: Sequence[OcrWord]) -> Layout:
    """L2 when the words of a narrative are there ("domiciliés", "déclaration", الساكنين,
    التلاوة …: a narrative also has "fils", "Dressé", ضابط, words that are labels of the
    form), else L1 when the form's labels are there in both scripts."""
    if l2.narrative_markers(words) >= 2:
        return "L2"
    return "L1" if l1.looks_like_l1(words) else "L2"


def _read(parts: Sequence[ActPart], *, expected_year: int | None) -> ExtractedAct:
    reader = l1.read_act if parts[0].layout == "L1" else l2.read_act
    return reader(parts, expected_year=expected_year)


def extract_words(words: Sequence[OcrWord], *, page: int = 1, half: str | None = None, layout: Layout | None = None,
                  expected_year: int | None = None, kind: str | None = None) -> PageExtraction:
    """Acts on one page (or half-spread) from its OCR words. A whole double page of L1
    forms is cut at its gutter and read as two halves. kind: the register's (birth,
    marriage, death); None reads it from the page (heading, words of the acts)."""
    started = time.perf_counter()
    words = [replace(w, page=page) if w.page != page else w for w in words]
    layout = layout or detect_layout(words)
    kind = kind or kinds.detect_kind(words)
    halves: list[tuple[str | None, list[OcrWord]]] = [(half, list(words))]
    if layout == "L1" and half is None:
        gutter = l1.spread_gutter(words)
        if gutter is not None:
            halves = [("left", [w for w in words if w.cx < gutter]), ("right", [w for w in words if w.cx >= gutter])]
    acts: list[ExtractedAct] = []
    for name, members in halves:
        parts = l1.segment(members, page=page, half=name, kind=kind) if layout == "L1" else \
            l2.segment(members, page=page, half=name, kind=kind)
        acts.extend(_read([part], expected_year=expected_year) for part in parts)
    acts = check_register(acts)
    return PageExtraction(acts=tuple(acts), layout=layout, page=page, halves=tuple(h for h, _ in halves),
                          seconds=round(time.perf_counter() - started, 4))


def extract_page(*, tsv_path: Path, page: int = 1, half: str | None = None, layout: Layout | None = None,
                 expected_year: int | None = None, kind: str | None = None) -> PageExtraction:
    """Acts on one page from its Tesseract TSV (ocr.tesseract.ocr_page's tsv_path)."""
    started = time.perf_counter()
    extraction = extract_words(read_ocr_words(tsv_path, page=page), page=page, half=half, layout=layout,
                               expected_year=expected_year, kind=kind)
    return replace(extraction, seconds=round(time.perf_counter() - started, 4))


_FITS_NEIGHBOURS = "follows its neighbours"
_INFERRED = "inferred from the neighbouring acts"


def _fits(numbers: Sequence[int | None], index: int) -> bool:
    """The number follows one of the two acts before it or leads to one of the two after
    (two: one misread neighbour must not make its neighbours doubtful)."""
    number = numbers[index]
    if number is None:
        return False
    for distance in (1, 2):
        before = numbers[index - distance] if index - distance >= 0 else None
        after = numbers[index + distance] if index + distance < len(numbers) else None
        if before is not None and 0 <= number - before <= distance:
            return True
        if after is not None and 0 <= after - number <= distance:
            return True
    return False


def check_register(acts: Sequence[ExtractedAct], *, register: RegisterInfo | None = None) -> list[ExtractedAct]:
    """Checks across the acts of a page or a register, in order:
    - numbers: acts follow one another with no gap, so a number continuing the one before
      or leading to the one after is confirmed. A run of acts whose numbers are unread, or
      smaller than the last sure one, between two sure numbers that leave exactly that
      many free, gets them — at a confidence that sends them to review; at the end of the
      list only when the digits read end the number guessed ("3" after 212 is 213);
    - the officer: one officer signs run after run of acts; a name that differs from the
      one most acts give is doubtful, one that agrees is confirmed;
    - with the register known, places and residences against its commune's name (most
      births of a register happened in its commune): read exactly, confirmed; read a
      letter or two off, doubtful (an OCR slip on a known name, not another place).
    Running it again changes nothing."""
    acts = list(acts)
    numbers = [a.number for a in acts]
    fits = [_fits(numbers, i) for i in range(len(acts))]
    sure: list[bool] = []
    last_sure = None
    for index, act in enumerate(acts):
        value = act.fields.get("act_number")
        confident = value is not None and value.conf >= 0.9 and not any(n.startswith(_INFERRED) for n in value.notes)
        ok = act.number is not None and (fits[index] or confident) and (last_sure is None or act.number >= last_sure)
        sure.append(ok or act.continuation)
        if ok:
            last_sure = act.number
        if fits[index] and value is not None and not any(n.startswith((_FITS_NEIGHBOURS, _INFERRED))
                                                         for n in value.notes):
            value = replace(value, conf=round(max(value.conf, 1.0 - (1.0 - value.conf) * 0.3), 3),
                            notes=value.notes + (_FITS_NEIGHBOURS,))
            acts[index] = replace(act, fields={**act.fields, "act_number": value})
    index = 0
    while index < len(acts):
        if sure[index]:
            index += 1
            continue
        end = index
        while end < len(acts) and not sure[end]:
            end += 1
        before = numbers[index - 1] if index > 0 else None
        after = numbers[end] if end < len(acts) else None
        run = end - index
        guesses: list[int] = []
        if before is not None and after is not None:
            if after - before == run + 1:
                guesses = [before + 1 + k for k in range(run)]
        elif run == 1 and acts[index].number is not None and (before is not None or after is not None):
            guess = before + 1 if before is not None else after - 1
            if str(guess).endswith(str(acts[index].number)):
                guesses = [guess]
        for k, guess in enumerate(guesses):
            act = acts[index + k]
            value = act.fields.get("act_number")
            inferred = FieldValue(name="act_number", readings=value.readings if value else (), conf=0.5,
                                  value=str(guess), notes=(f"{_INFERRED} (read: {act.label})",))
            acts[index + k] = replace(act, number=guess, suffix=None, fields={**act.fields, "act_number": inferred})
        index = end
    acts = _officer_consistency(acts)
    acts = _year_check(acts)
    if register is not None:
        acts = [_commune_check(act, register) for act in acts]
    return acts


_YEAR_CONFIRMED = "the other acts give the same year"
_DATED = ("event_date", "drawn_up")


def _year_from_context(value: FieldValue | None) -> bool:
    dated = [r for r in value.readings if r.value] if value is not None else []
    return bool(dated) and all(r.note == common.YEAR_FROM_CONTEXT for r in dated)


def _day(value: FieldValue | None) -> dt.date | None:
    if value is None or value.precision != "day" or not value.value:
        return None
    try:
        return dt.date.fromisoformat(value.value)
    except ValueError:
        return None


def _year_check(acts: list[ExtractedAct]) -> list[ExtractedAct]:
    """A date of the act whose year was unreadable took the register's year (at a
    confidence that sends it to review). It is confirmed when the other acts' dates read
    with their year all give that year, and the act's other date, read with its own year,
    stands the usual few days from it (an event after its drawing up, or weeks before it,
    belongs to another year: 31 December drawn up on 2 January). Running it again
    changes nothing."""
    read_years = [(index, int(value.value[:4])) for index, act in enumerate(acts) for name in _DATED
                  if (value := act.fields.get(name)) is not None and value.value and value.conf >= 0.5
                  and not _year_from_context(value)]
    out = []
    for index, act in enumerate(acts):
        fields = dict(act.fields)
        for name in _DATED:
            value = fields.get(name)
            if not _year_from_context(value) or _YEAR_CONFIRMED in value.notes:
                continue
            year = int(value.value[:4])
            others = [y for i, y in read_years if i != index]
            if not others or any(y != year for y in others):
                continue
            other_name = "drawn_up" if name == "event_date" else "event_date"
            other = fields.get(other_name)
            own, theirs = _day(value), _day(other)
            if own is None or theirs is None or _year_from_context(other):
                continue
            event, drawn = (own, theirs) if name == "event_date" else (theirs, own)
            if not 0 <= (drawn - event).days <= 31:
                continue
            confirmed = min((r.conf_if_year_confirmed or r.conf) for r in value.readings if r.value)
            fields[name] = replace(value, conf=round(max(value.conf, confirmed), 3),
                                   notes=value.notes + (_YEAR_CONFIRMED,))
        out.append(replace(act, fields=fields) if fields != act.fields else act)
    return out


_COMMUNE_SAME = "the register's commune"
_COMMUNE_NEAR = "a letter or two from the register's commune: check"


def _commune_check(act: ExtractedAct, register: RegisterInfo) -> ExtractedAct:
    names = {"lat": register.commune_fr, "ar": register.commune_ar}
    fields = dict(act.fields)
    for name in ("place", "residence"):
        value = fields.get(name)
        if value is None or any(n.startswith((_COMMUNE_SAME, _COMMUNE_NEAR)) for n in value.notes):
            continue
        readings, notes = [], list(value.notes)
        same, near = 0, 0
        for reading in value.readings:
            known = names.get(reading.script)
            if known:
                distance = levenshtein(reading.text, known, limit=3)
                if distance == 0:
                    reading = replace(reading, conf=round(max(reading.conf, 1.0 - (1.0 - reading.conf) * 0.3), 3))
                    notes.append(f"{_COMMUNE_SAME} ({reading.script})")
                    same += 1
                elif distance <= max(1, len(known) // 6):
                    reading = replace(reading, conf=round(reading.conf * 0.4, 3))
                    notes.append(f"{_COMMUNE_NEAR} ({reading.script})")
                    near += 1
            readings.append(reading)
        conf = value.conf
        if same == len(readings):
            # The commune's own name in every script (its French and Arabic names are a
            # translation, not a transliteration: that check does not apply).
            conf = max(conf, min(r.conf for r in readings))
            notes = [n for n in notes if n != "Latin and Arabic writings do not agree"]
        if near:
            conf = min(conf, min(r.conf for r in readings))
        fields[name] = replace(value, readings=tuple(readings), conf=round(conf, 3), notes=tuple(notes))
    return replace(act, fields=fields)


_OFFICER_AGREES = "same officer as the other acts"
_OFFICER_DIFFERS = "officer differs from the other acts"


def _officer_consistency(acts: list[ExtractedAct]) -> list[ExtractedAct]:
    from collections import Counter

    for name in ("officer.surname", "officer.given"):
        for script in ("lat", "ar"):
            texts = Counter(a.fields[name].text(script) for a in acts
                            if name in a.fields and a.fields[name].text(script) and a.fields[name].conf >= 0.3)
            if not texts:
                continue
            common_text, count = texts.most_common(1)[0]
            if count < 3 or count * 2 <= sum(texts.values()):
                continue
            for index, act in enumerate(acts):
                value = act.fields.get(name)
                if value is None or value.text(script) is None:
                    continue
                if any(n in (_OFFICER_AGREES, _OFFICER_DIFFERS) and script in n for n in value.notes):
                    continue
                if value.text(script) == common_text:
                    conf, note = max(value.conf, 1.0 - (1.0 - value.conf) * 0.5), f"{_OFFICER_AGREES} ({script})"
                else:
                    conf, note = value.conf * 0.5, f"{_OFFICER_DIFFERS} ({script})"
                value = replace(value, conf=round(conf, 3), notes=value.notes + (note,))
                acts[index] = replace(act, fields={**act.fields, name: value})
    return acts


def join_continued(acts: Sequence[ExtractedAct], *, expected_year: int | None = None) -> list[ExtractedAct]:
    """Acts in page order, with each act cut at a page (or half-page) bottom joined to
    its continuation — the headerless part that opens the next page — and read again as
    one act. A continuation with nothing to join (the first page of a batch) is kept
    as it is, number unknown, for a person to place."""
    out: list[ExtractedAct] = []
    for act in acts:
        previous = out[-1] if out else None
        if act.continuation and previous is not None:
            if (not previous.complete and previous.layout == act.layout
                    and act.parts[0].page >= previous.parts[-1].page):
                out[-1] = _read([*previous.parts, *act.parts], expected_year=expected_year)
                continue
            # The act before is whole: this is an act of its own whose header (number,
            # margin entry, opening words) was not read.
            act = replace(act, continuation=False, notes=act.notes + ("header not read",))
        out.append(act)
    return out


# --- records ---------------------------------------------------------------------------------


def act_id(*, register: RegisterInfo, number: int, suffix: str | None) -> str:
    """{commune_code}-{N|M|D}-{year}-{series:02d}-{number:05d}{suffix} (pipeline.records)."""
    return make_act_id(commune_code=register.commune_code, kind=register.kind, year=register.year,
                       series=register.series, number=number, suffix=suffix)


def _leaf(value: FieldValue) -> dict[str, Any]:
    """A field as the record JSON holds it."""
    out: dict[str, Any] = {}
    if value.value is not None:
        out["value"] = value.value
        if value.precision:
            out["precision"] = value.precision
    for reading in value.readings:
        if reading.note and reading.note.startswith("from"):
            continue  # a hint (Fils/Fille for the sex) is not a reading of the field itself
        if value.value is None and reading.script not in out:
            out[reading.script] = reading.text
    written = {r.script: (r.as_written or r.text) for r in value.readings
               if value.value is not None and r.value is not None and not (r.note or "").startswith("from")}
    if written:
        out["as_written"] = written
    out["conf"] = value.conf
    by_script = {r.script: r.conf for r in value.readings if not (r.note or "").startswith("from")}
    if len(by_script) > 1:
        out["conf_by_script"] = by_script
    if value.bbox is not None:
        out["bbox"] = list(value.bbox)
    if value.page is not None:
        out["page"] = value.page
    if value.notes:
        out["notes"] = list(value.notes)
    return out


def record_fields(act: ExtractedAct) -> dict[str, Any]:
    """Fields nested as the record has them: father.given → fields["father"]["given"];
    drawn_up.time joins drawn_up."""
    fields: dict[str, Any] = {}
    for name, value in act.fields.items():
        if name == "act_number":
            continue
        if name == "drawn_up.time":
            fields.setdefault("drawn_up", {})["time"] = value.value
            fields["drawn_up"]["time_conf"] = value.conf
            continue
        # husband.father.given → fields["husband"]["father"]["given"]
        *heads, last = name.split(".")
        holder = fields
        for head in heads:
            holder = holder.setdefault(head, {})
        holder.setdefault(last, {}).update(_leaf(value))
    return fields


def review(act: ExtractedAct, *, threshold: float = DEFAULT_REVIEW_THRESHOLD,
           required: Sequence[str] | None = None, kind: str | None = None) -> tuple[str, list[str]]:
    """("auto" | "needs_review", reasons). Every field below threshold is a reason
    (low_conf:FIELD), and so is every required field not found (missing:FIELD); an act
    still waiting for its continuation is "incomplete"."""
    required = REQUIRED_FIELDS.get(kind or act.kind, ()) if required is None else required
    reasons = []
    for name in required:
        value = act.fields.get(name)
        if value is None:
            reasons.append(f"missing:{name}")
        elif value.value is None:
            for script in _SCRIPTS.get(act.lang, ()):
                if value.text(script) is None:
                    reasons.append(f"missing:{name}.{script}")
    for name, value in act.fields.items():
        if value.conf < threshold:
            reasons.append(f"low_conf:{name}")
    for mention in act.mentions:
        if mention.conf < threshold:
            reasons.append(f"low_conf:mention.{mention.kind}")
            break
    if act.continuation:
        reasons.append("continuation_without_start")
    elif not act.complete:
        reasons.append("incomplete")
    return ("needs_review" if reasons else "auto"), reasons


def act_record(act: ExtractedAct, *, register: RegisterInfo, threshold: float = DEFAULT_REVIEW_THRESHOLD,
               required: Sequence[str] | None = None, source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The record of an act (REGISTERS.md "Record"); the act must have a number (an act
    whose number could not be read has no natural key: it goes to review by hand)."""
    if act.number is None:
        raise ValueError("an act without a readable number has no act_id; send its page to review")
    status, reasons = review(act, threshold=threshold, required=required, kind=register.kind)
    mentions = []
    for mention in act.mentions:
        mentions.append({"kind": mention.kind, "date": mention.date, "text": mention.text, "lang": mention.lang,
                         "conf": mention.conf, "bbox": list(mention.bbox) if mention.bbox else None,
                         "page": mention.page})
    record = {
        "act_id": act_id(register=register, number=act.number, suffix=act.suffix),
        "kind": register.kind,
        "register": {"commune_code": register.commune_code,
                     "commune": {"fr": register.commune_fr, "ar": register.commune_ar},
                     "year": register.year, "series": register.series, "lang": register.lang,
                     **({"volume": register.volume} if register.volume is not None else {})},
        "number": act.number,
        "suffix": act.suffix,
        "fields": record_fields(act),
        "mentions": mentions,
        "source": {**(dict(source) if source else {}),
                   "extraction": {"layout": act.layout, "lang": act.lang, "pages": list(act.pages),
                                  "halves": [p.half for p in act.parts],
                                  "threshold": threshold}},
        "review": {"status": status, "reasons": reasons},
    }
    if "act_number" in act.fields:
        record["fields"]["act_number"] = _leaf(act.fields["act_number"])
    return record


def extract_records(*, pages: Sequence[Path], register: RegisterInfo, layout: Layout | None = None,
                    threshold: float = DEFAULT_REVIEW_THRESHOLD) -> tuple[list[dict[str, Any]], list[ExtractedAct]]:
    """Records of the acts on TSV pages given in page order (page numbers from 1), acts
    cut between pages joined; plus the acts that got no record (no readable number)."""
    acts: list[ExtractedAct] = []
    for number, tsv in enumerate(pages, start=1):
        acts.extend(extract_page(tsv_path=tsv, page=number, layout=layout, expected_year=register.year,
                                 kind=register.kind).acts)
    joined = check_register(join_continued(acts, expected_year=register.year), register=register)
    records, unnumbered = [], []
    for act in joined:
        if act.number is None:
            unnumbered.append(act)
        else:
            records.append(act_record(act, register=register, threshold=threshold))
    return records, unnumbered


__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "ExtractedAct",
    "FieldValue",
    "PageExtraction",
    "Reading",
    "RegisterInfo",
    "act_id",
    "act_record",
    "check_register",
    "detect_layout",
    "extract_page",
    "extract_records",
    "extract_words",
    "join_continued",
    "review",
]
