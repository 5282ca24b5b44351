"""Synthetic register pages with their ground truth.

Two layouts (REGISTERS.md): L1, the bilingual printed form with typed values (French
label and Latin value on the left, Arabic value and Arabic label on the right, mentions in
the outer margin), and L2, the typed narrative act (one paragraph per act, act number and
name in the margin). A page is drawn in ink on a white sheet, laid on worn paper, then
"scanned" (degrade.py); the ground truth — lines in reading order, and every act's
fields with their boxes — follows each step, so boxes are those of the final image.

Reading order of the ground truth: top to bottom; in an L1 row, the French side (left)
then the Arabic side (right). Arabic text is stored in logical order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from pipeline.synth import dates
from pipeline.synth.acts import (
    AnyAct,
    DeathAct,
    MarriageAct,
    Party,
    SynthAct,
    SynthRegister,
    act_id,
    act_number_text,
    arabic_number_text,
)
from pipeline.synth.degrade import CLEAN, Degradation, capture, paint_surface, to_pil
from pipeline.synth.layout import (
    Box,
    Draft,
    FieldTag,
    Span,
    Style,
    TextLine,
    ink_colour,
    set_text,
    union,
    word_width,
    words_of,
)

Layout = Literal["L1", "L2"]
PageLang = Literal["fr", "ar", "fr+ar"]
Typeface = Literal["typewriter", "print"]
Side = Literal["recto", "verso"]

A4_MM = (210.0, 297.0)


def a4_pixels(dpi: int) -> tuple[int, int]:
    """A4 at dpi: 2480 × 3508 at 300 dpi."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


@dataclass(frozen=True)
class RenderedPage:
    """A synthetic scan and what is on it.

    image: the scan (RGB, or L for grayscale degradations).
    lines: ground-truth text lines in reading order, boxes in image pixels.
    acts: one JSON-ready dict per act (act_id, number, fields with values, the text as
      written and boxes per script, mentions, "half" for spreads).
    stamps: boxes of stamps (not text of the acts; mask them when scoring OCR).
    """

    image: Image.Image
    lines: tuple[TextLine, ...]
    acts: tuple[dict[str, Any], ...]
    stamps: tuple[Box, ...]
    layout: Layout
    lang: PageLang
    dpi: int
    spread: bool = False

    def ground_truth_text(self) -> str:
        return "".join(line.text + "\n" for line in self.lines)

    def fields_document(self) -> dict[str, Any]:
        """Everything but the pixels, JSON-ready: what ``NAME.fields.json`` holds."""
        return {
            "layout": self.layout,
            "lang": self.lang,
            "dpi": self.dpi,
            "spread": self.spread,
            "size": list(self.image.size),
            "acts": list(self.acts),
            "lines": [{"text": line.text, "lang": line.lang, "bbox": list(line.bbox)} for line in self.lines],
            "stamps": [list(box) for box in self.stamps],
        }


# --- faces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Faces:
    fr_label: Style
    ar_label: Style
    fr_value: Style
    ar_value: Style
    fr_head: Style
    ar_head: Style
    fr_pen: Style
    ar_pen: Style
    fr_body: Style
    ar_body: Style
    pitch: int
    body_pitch: int


def _faces(*, typeface: Typeface, dpi: int) -> _Faces:
    def px(value: float) -> int:
        return round(value * dpi / 300)

    if typeface == "typewriter":
        # A typewriter strikes each key on its own: baseline and density vary per word.
        typed = {"jitter_px": px(1.5), "density": (0.82, 1.0)}
        fr_value = Style(font="dejavu_mono", size=px(38), ink="type", **typed)
        fr_body = Style(font="dejavu_mono", size=px(40), ink="type", **typed)
        ar_value = Style(font="naskh", size=px(44), ink="type", rtl=True, **typed)
        ar_body = Style(font="naskh", size=px(46), ink="type", rtl=True, **typed)
    else:
        fr_value = Style(font="noto_serif", size=px(38), ink="print")
        fr_body = Style(font="noto_serif", size=px(40), ink="print")
        ar_value = Style(font="amiri", size=px(48), ink="print", rtl=True)
        ar_body = Style(font="amiri", size=px(50), ink="print", rtl=True)
    return _Faces(
        fr_label=Style(font="noto_serif", size=px(33), ink="print"),
        ar_label=Style(font="naskh_bold", size=px(38), ink="print", rtl=True),
        fr_value=fr_value,
        ar_value=ar_value,
        fr_head=Style(font="noto_serif_bold", size=px(40), ink="print"),
        ar_head=Style(font="naskh_bold", size=px(46), ink="print", rtl=True),
        fr_pen=Style(font="noto_serif_italic", size=px(32), ink="pen", jitter_px=px(2.5)),
        ar_pen=Style(font="amiri_slanted", size=px(40), ink="pen", rtl=True, jitter_px=px(2.5)),
        fr_body=fr_body,
        ar_body=ar_body,
        pitch=px(56),
        body_pitch=px(68),
    )


# --- words of an act ---------------------------------------------------------------------

_KIND_FR = {"birth": "naissance", "marriage": "mariage", "death": "décès"}
_KIND_AR = {"birth": "الميلاد", "marriage": "الزواج", "death": "الوفاة"}


def _of(name: str) -> str:
    """French "de" before a place name, elided before a vowel: d'Alger-Centre, de Blida."""
    return f"d'{name}" if name[:1].lower() in "aeiouéèêâîôûh" else f"de {name}"


def _hhmm(moment: dt.datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _truth_values(act: AnyAct) -> dict[str, dict[str, Any]]:
    """What each field is, whatever the page shows of it."""
    if isinstance(act, MarriageAct):
        return _marriage_truth(act)
    if isinstance(act, DeathAct):
        return _death_truth(act)
    return {
        "act_number": {"value": act_number_text(act), "number": act.number, "suffix": act.suffix},
        "surname": {"lat": act.surname.lat, "ar": act.surname.ar},
        "given": {"lat": act.given.lat, "ar": act.given.ar},
        "sex": {"value": act.sex},
        "event_date": {"value": act.born_at.date().isoformat(), "precision": "day"},
        "event_time": {"value": _hhmm(act.born_at)},
        "place": {"lat": act.place.fr, "ar": act.place.ar},
        "father.given": {"lat": act.father_given.lat, "ar": act.father_given.ar},
        "father.occupation": {"lat": act.father_occupation.fr("M"), "ar": act.father_occupation.ar("M")},
        "mother.surname": {"lat": act.mother_surname.lat, "ar": act.mother_surname.ar},
        "mother.given": {"lat": act.mother_given.lat, "ar": act.mother_given.ar},
        "mother.occupation": {"lat": act.mother_occupation.fr("F"), "ar": act.mother_occupation.ar("F")},
        "residence": {"lat": act.residence.fr, "ar": act.residence.ar},
        "drawn_up": {"value": act.drawn_up_at.date().isoformat(), "time": _hhmm(act.drawn_up_at)},
        "officer.surname": {"lat": act.officer_surname.lat, "ar": act.officer_surname.ar},
        "officer.given": {"lat": act.officer_given.lat, "ar": act.officer_given.ar},
    }


Parts = list[tuple[str, str | None]]
FormRow = tuple[str, Parts, str, Parts]


def _l1_rows(act: AnyAct) -> list[FormRow]:
    """(French label, French value parts, Arabic label, Arabic value parts) per form row;
    value parts are (text, field name)."""
    if isinstance(act, MarriageAct):
        return _l1_rows_marriage(act)
    if isinstance(act, DeathAct):
        return _l1_rows_death(act)
    male = act.sex == "M"
    return [
        ("Nom :", [(act.surname.lat, "surname")], "اللقب :", [(act.surname.ar, "surname")]),
        ("Prénom(s) :", [(act.given.lat, "given")], "الاسم :", [(act.given.ar, "given")]),
        ("Sexe :", [("masculin" if male else "féminin", "sex")], "الجنس :", [("ذكر" if male else "أنثى", "sex")]),
        ("Né(e) le :", [(dates.french_date(act.born_at.date()), "event_date")],
         "تاريخ الميلاد :", [(dates.arabic_date(act.born_at.date()), "event_date")]),
        ("à", [(dates.french_time(act.born_at.hour, act.born_at.minute), "event_time")],
         "على الساعة :", [(dates.arabic_time(act.born_at.hour, act.born_at.minute), "event_time")]),
        ("à :", [(act.place.fr, "place")], "مكان :", [(act.place.ar, "place")]),
        ("Fils de :" if male else "Fille de :",
         [(act.father_given.lat, "father.given"), (", ", None), (act.father_occupation.fr("M"), "father.occupation")],
         "ابن :" if male else "ابنة :",
         [(act.father_given.ar, "father.given"), ("، ", None), (act.father_occupation.ar("M"), "father.occupation")]),
        ("et de :",
         [(act.mother_surname.lat, "mother.surname"), (" ", None), (act.mother_given.lat, "mother.given"),
          (", ", None), (act.mother_occupation.fr("F"), "mother.occupation")],
         "و :",
         [(act.mother_given.ar, "mother.given"), (" ", None), (act.mother_surname.ar, "mother.surname"),
          ("، ", None), (act.mother_occupation.ar("F"), "mother.occupation")]),
        ("Dressé le :", [(dates.french_date(act.drawn_up_at.date()), "drawn_up")],
         "حرر في :", [(dates.arabic_date(act.drawn_up_at.date()), "drawn_up")]),
        ("Officier de l'état civil :",
         [(act.officer_surname.lat, "officer.surname"), (" ", None), (act.officer_given.lat, "officer.given")],
         "ضابط الحالة المدنية :",
         [(act.officer_given.ar, "officer.given"), (" ", None), (act.officer_surname.ar, "officer.surname")]),
    ]


def _narrative_fr(act: AnyAct, register: SynthRegister) -> list[tuple[str, str | None]]:
    if isinstance(act, MarriageAct):
        return _narrative_fr_marriage(act, register)
    if isinstance(act, DeathAct):
        return _narrative_fr_death(act, register)
    male = act.sex == "M"
    born = act.born_at
    drawn = act.drawn_up_at
    return [
        (f"L'an {dates.french_year(born.year)}, le {dates.french_date(born.date(), with_year=False)}", "event_date"),
        (", à ", None), (dates.french_time(born.hour, born.minute), "event_time"),
        (", est né à " if male else ", est née à ", None), (act.place.fr, "place"),
        (", de sexe ", None), ("masculin" if male else "féminin", "sex"), (", ", None),
        (act.surname.lat, "surname"), (" ", None), (act.given.lat, "given"),
        (", fils de " if male else ", fille de ", None), (act.father_given.lat, "father.given"), (", ", None),
        (act.father_occupation.fr("M"), "father.occupation"), (", et de ", None),
        (act.mother_surname.lat, "mother.surname"), (" ", None), (act.mother_given.lat, "mother.given"),
        (", son épouse, ", None), (act.mother_occupation.fr("F"), "mother.occupation"),
        (", domiciliés à ", None), (act.residence.fr, "residence"), (". Dressé le ", None),
        (dates.french_date(drawn.date()), "drawn_up"),
        (f", à {dates.french_time(drawn.hour, drawn.minute)}, sur la déclaration faite par le père, "
         "qui, lecture faite, a signé avec Nous, ", None),
        (act.officer_surname.lat, "officer.surname"), (" ", None), (act.officer_given.lat, "officer.given"),
        (f", Officier de l'état civil de la commune {_of(register.commune.fr)}.", None),
    ]


def _narrative_ar(act: AnyAct, register: SynthRegister) -> list[tuple[str, str | None]]:
    if isinstance(act, MarriageAct):
        return _narrative_ar_marriage(act, register)
    if isinstance(act, DeathAct):
        return _narrative_ar_death(act, register)
    male = act.sex == "M"
    born = act.born_at
    drawn = act.drawn_up_at
    return [
        (f"في عام {dates.arabic_year(born.year)}، في {dates.arabic_date(born.date(), with_year=False)}", "event_date"),
        (" على الساعة ", None), (dates.arabic_time(born.hour, born.minute), "event_time"),
        ("، ولد ببلدية " if male else "، ولدت ببلدية ", None), (act.place.ar, "place"),
        ("، الطفل " if male else "، الطفلة ", None), (act.given.ar, "given"), (" ", None), (act.surname.ar, "surname"),
        ("، من جنس ", None), ("ذكر" if male else "أنثى", "sex"),
        ("، ابن " if male else "، ابنة ", None), (act.father_given.ar, "father.given"), ("، ", None),
        (act.father_occupation.ar("M"), "father.occupation"), ("، و ", None),
        (act.mother_given.ar, "mother.given"), (" ", None), (act.mother_surname.ar, "mother.surname"), ("، ", None),
        (act.mother_occupation.ar("F"), "mother.occupation"), ("، الساكنين ببلدية ", None),
        (act.residence.ar, "residence"), (". حرر في ", None), (dates.arabic_date(drawn.date()), "drawn_up"),
        (f" على الساعة {dates.arabic_time(drawn.hour, drawn.minute)}، بناء على تصريح الأب الذي وقع معنا "
         "بعد التلاوة، نحن ", None),
        (act.officer_given.ar, "officer.given"), (" ", None), (act.officer_surname.ar, "officer.surname"),
        (f"، ضابط الحالة المدنية لبلدية {register.commune.ar}.", None),
    ]



# --- marriage and death acts: fields and wording ---------------------------------------------


def _f(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _party_truth(party: Party, prefix: str) -> dict[str, dict[str, Any]]:
    return {
        _f(prefix, "surname"): {"lat": party.surname.lat, "ar": party.surname.ar},
        _f(prefix, "given"): {"lat": party.given.lat, "ar": party.given.ar},
        _f(prefix, "birth_date"): {"value": party.born_on.isoformat(), "precision": "day"},
        _f(prefix, "birth_place"): {"lat": party.birth_place.fr, "ar": party.birth_place.ar},
        _f(prefix, "father.given"): {"lat": party.father_given.lat, "ar": party.father_given.ar},
        _f(prefix, "mother.surname"): {"lat": party.mother_surname.lat, "ar": party.mother_surname.ar},
        _f(prefix, "mother.given"): {"lat": party.mother_given.lat, "ar": party.mother_given.ar},
    }


def _closing_truth(act: MarriageAct | DeathAct) -> dict[str, dict[str, Any]]:
    return {
        "drawn_up": {"value": act.drawn_up_at.date().isoformat(), "time": _hhmm(act.drawn_up_at)},
        "officer.surname": {"lat": act.officer_surname.lat, "ar": act.officer_surname.ar},
        "officer.given": {"lat": act.officer_given.lat, "ar": act.officer_given.ar},
    }


def _marriage_truth(act: MarriageAct) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        "act_number": {"value": act_number_text(act), "number": act.number, "suffix": act.suffix},
        "event_date": {"value": act.married_at.date().isoformat(), "precision": "day"},
        "event_time": {"value": _hhmm(act.married_at)},
        **_party_truth(act.husband, "husband"),
        **_party_truth(act.wife, "wife"),
    }
    for number, witness in enumerate(act.witnesses, start=1):
        out[f"witness{number}.surname"] = {"lat": witness.surname.lat, "ar": witness.surname.ar}
        out[f"witness{number}.given"] = {"lat": witness.given.lat, "ar": witness.given.ar}
    return {**out, **_closing_truth(act)}


def _death_truth(act: DeathAct) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        "act_number": {"value": act_number_text(act), "number": act.number, "suffix": act.suffix},
        "sex": {"value": act.sex},
        "event_date": {"value": act.died_at.date().isoformat(), "precision": "day"},
        "event_time": {"value": _hhmm(act.died_at)},
        "place": {"lat": act.place.fr, "ar": act.place.ar},
        **_party_truth(act.deceased, ""),
    }
    if act.spouse is not None:
        out["spouse.surname"] = {"lat": act.spouse.surname.lat, "ar": act.spouse.surname.ar}
        out["spouse.given"] = {"lat": act.spouse.given.lat, "ar": act.spouse.given.ar}
    out["declarant.surname"] = {"lat": act.declarant.surname.lat, "ar": act.declarant.surname.ar}
    out["declarant.given"] = {"lat": act.declarant.given.lat, "ar": act.declarant.given.ar}
    return {**out, **_closing_truth(act)}


def _name_lat(surname, given, prefix: str) -> Parts:
    """Latin script writes the surname first: BENALI Mohamed."""
    return [(surname.lat, _f(prefix, "surname")), (" ", None), (given.lat, _f(prefix, "given"))]


def _name_ar(surname, given, prefix: str) -> Parts:
    """Arabic script writes the given name first in a form or a narrative: محمد بن علي."""
    return [(given.ar, _f(prefix, "given")), (" ", None), (surname.ar, _f(prefix, "surname"))]


def _officer_rows(act: MarriageAct | DeathAct) -> list[FormRow]:
    return [
        ("Dressé le :", [(dates.french_date(act.drawn_up_at.date()), "drawn_up")],
         "حرر في :", [(dates.arabic_date(act.drawn_up_at.date()), "drawn_up")]),
        ("Officier de l'état civil :",
         [(act.officer_surname.lat, "officer.surname"), (" ", None), (act.officer_given.lat, "officer.given")],
         "ضابط الحالة المدنية :",
         [(act.officer_given.ar, "officer.given"), (" ", None), (act.officer_surname.ar, "officer.surname")]),
    ]


def _party_rows(party: Party, prefix: str, *, male: bool, born_fr: str, born_ar: str) -> list[FormRow]:
    return [
        (born_fr, [(dates.french_date(party.born_on), _f(prefix, "birth_date"))],
         born_ar, [(dates.arabic_date(party.born_on), _f(prefix, "birth_date"))]),
        ("à :", [(party.birth_place.fr, _f(prefix, "birth_place"))],
         "مكان الميلاد :", [(party.birth_place.ar, _f(prefix, "birth_place"))]),
        ("Fils de :" if male else "Fille de :", [(party.father_given.lat, _f(prefix, "father.given"))],
         "ابن :" if male else "ابنة :", [(party.father_given.ar, _f(prefix, "father.given"))]),
        ("et de :", _name_lat(party.mother_surname, party.mother_given, _f(prefix, "mother")),
         "و :", _name_ar(party.mother_surname, party.mother_given, _f(prefix, "mother"))),
    ]


def _l1_rows_marriage(act: MarriageAct) -> list[FormRow]:
    married = act.married_at
    first, second = act.witnesses
    return [
        ("Date du mariage :", [(dates.french_date(married.date()), "event_date")],
         "تاريخ الزواج :", [(dates.arabic_date(married.date()), "event_date")]),
        ("à", [(dates.french_time(married.hour, married.minute), "event_time")],
         "على الساعة :", [(dates.arabic_time(married.hour, married.minute), "event_time")]),
        ("Époux :", _name_lat(act.husband.surname, act.husband.given, "husband"),
         "الزوج :", _name_ar(act.husband.surname, act.husband.given, "husband")),
        *_party_rows(act.husband, "husband", male=True, born_fr="Né le :", born_ar="المولود في :"),
        ("Épouse :", _name_lat(act.wife.surname, act.wife.given, "wife"),
         "الزوجة :", _name_ar(act.wife.surname, act.wife.given, "wife")),
        *_party_rows(act.wife, "wife", male=False, born_fr="Née le :", born_ar="المولودة في :"),
        ("Témoins :", [*_name_lat(first.surname, first.given, "witness1"), (" et ", None),
                       *_name_lat(second.surname, second.given, "witness2")],
         "الشهود :", [*_name_ar(first.surname, first.given, "witness1"), (" و ", None),
                     *_name_ar(second.surname, second.given, "witness2")]),
        *_officer_rows(act),
    ]


def _l1_rows_death(act: DeathAct) -> list[FormRow]:
    male = act.sex == "M"
    died = act.died_at
    person = act.deceased
    if act.spouse is not None:
        spouse_fr = _name_lat(act.spouse.surname, act.spouse.given, "spouse")
        spouse_ar = _name_ar(act.spouse.surname, act.spouse.given, "spouse")
    else:
        spouse_fr = [("célibataire", None)]
        spouse_ar = [("أعزب" if male else "عزباء", None)]
    return [
        ("Nom :", [(person.surname.lat, "surname")], "اللقب :", [(person.surname.ar, "surname")]),
        ("Prénom(s) :", [(person.given.lat, "given")], "الاسم :", [(person.given.ar, "given")]),
        ("Sexe :", [("masculin" if male else "féminin", "sex")], "الجنس :", [("ذكر" if male else "أنثى", "sex")]),
        ("Décédé(e) le :", [(dates.french_date(died.date()), "event_date")],
         "تاريخ الوفاة :", [(dates.arabic_date(died.date()), "event_date")]),
        ("à", [(dates.french_time(died.hour, died.minute), "event_time")],
         "على الساعة :", [(dates.arabic_time(died.hour, died.minute), "event_time")]),
        ("à :", [(act.place.fr, "place")], "مكان الوفاة :", [(act.place.ar, "place")]),
        *_party_rows(person, "", male=male, born_fr="Né(e) le :", born_ar="تاريخ الميلاد :"),
        ("Conjoint :", spouse_fr, "الزوج :" if not male else "الزوجة :", spouse_ar),
        ("Déclarant :", _name_lat(act.declarant.surname, act.declarant.given, "declarant"),
         "المصرح :", _name_ar(act.declarant.surname, act.declarant.given, "declarant")),
        *_officer_rows(act),
    ]


def _opening_fr(moment: dt.datetime, field: str, time_field: str) -> Parts:
    return [(f"L'an {dates.french_year(moment.year)}, le {dates.french_date(moment.date(), with_year=False)}", field),
            (", à ", None), (dates.french_time(moment.hour, moment.minute), time_field)]


def _opening_ar(moment: dt.datetime, field: str, time_field: str) -> Parts:
    return [(f"في عام {dates.arabic_year(moment.year)}، في {dates.arabic_date(moment.date(), with_year=False)}", field),
            (" على الساعة ", None), (dates.arabic_time(moment.hour, moment.minute), time_field)]


def _party_fr(party: Party, prefix: str, *, male: bool) -> Parts:
    return [
        (", né le " if male else ", née le ", None), (dates.french_date(party.born_on), _f(prefix, "birth_date")),
        (" à ", None), (party.birth_place.fr, _f(prefix, "birth_place")),
        (", fils de " if male else ", fille de ", None), (party.father_given.lat, _f(prefix, "father.given")),
        (" et de ", None), *_name_lat(party.mother_surname, party.mother_given, _f(prefix, "mother")),
    ]


def _party_ar(party: Party, prefix: str, *, male: bool) -> Parts:
    return [
        ("، المولود في " if male else "، المولودة في ", None), (dates.arabic_date(party.born_on), _f(prefix, "birth_date")),
        (" ببلدية ", None), (party.birth_place.ar, _f(prefix, "birth_place")),
        ("، ابن " if male else "، ابنة ", None), (party.father_given.ar, _f(prefix, "father.given")),
        (" و ", None), *_name_ar(party.mother_surname, party.mother_given, _f(prefix, "mother")),
    ]


def _closing_fr(act: MarriageAct | DeathAct, register: SynthRegister, signers: str) -> Parts:
    drawn = act.drawn_up_at
    return [
        (". Dressé le ", None), (dates.french_date(drawn.date()), "drawn_up"),
        (f", à {dates.french_time(drawn.hour, drawn.minute)}, {signers} Nous, ", None),
        (act.officer_surname.lat, "officer.surname"), (" ", None), (act.officer_given.lat, "officer.given"),
        (f", Officier de l'état civil de la commune {_of(register.commune.fr)}.", None),
    ]


def _closing_ar(act: MarriageAct | DeathAct, register: SynthRegister, signers: str) -> Parts:
    drawn = act.drawn_up_at
    return [
        (". حرر في ", None), (dates.arabic_date(drawn.date()), "drawn_up"),
        (f" على الساعة {dates.arabic_time(drawn.hour, drawn.minute)}، {signers} نحن ", None),
        (act.officer_given.ar, "officer.given"), (" ", None), (act.officer_surname.ar, "officer.surname"),
        (f"، ضابط الحالة المدنية لبلدية {register.commune.ar}.", None),
    ]


def _narrative_fr_marriage(act: MarriageAct, register: SynthRegister) -> Parts:
    first, second = act.witnesses
    return [
        *_opening_fr(act.married_at, "event_date", "event_time"),
        (f", en la mairie {_of(register.commune.fr)}, ont été unis par le mariage ", None),
        *_name_lat(act.husband.surname, act.husband.given, "husband"), *_party_fr(act.husband, "husband", male=True),
        (", et ", None),
        *_name_lat(act.wife.surname, act.wife.given, "wife"), *_party_fr(act.wife, "wife", male=False),
        (", en présence de ", None), *_name_lat(first.surname, first.given, "witness1"), (" et de ", None),
        *_name_lat(second.surname, second.given, "witness2"), (", témoins", None),
        *_closing_fr(act, register, "lecture faite, les époux et les témoins ont signé avec"),
    ]


def _narrative_ar_marriage(act: MarriageAct, register: SynthRegister) -> Parts:
    first, second = act.witnesses
    return [
        *_opening_ar(act.married_at, "event_date", "event_time"),
        (f"، تم بمقر بلدية {register.commune.ar} عقد زواج السيد ", None),
        *_name_ar(act.husband.surname, act.husband.given, "husband"), *_party_ar(act.husband, "husband", male=True),
        ("، و السيدة ", None),
        *_name_ar(act.wife.surname, act.wife.given, "wife"), *_party_ar(act.wife, "wife", male=False),
        ("، بحضور الشاهدين ", None), *_name_ar(first.surname, first.given, "witness1"), (" و ", None),
        *_name_ar(second.surname, second.given, "witness2"),
        *_closing_ar(act, register, "وبعد التلاوة وقع الزوجان والشاهدان معنا،"),
    ]


def _narrative_fr_death(act: DeathAct, register: SynthRegister) -> Parts:
    male = act.sex == "M"
    if act.spouse is not None:
        spouse: Parts = [(", époux de " if male else ", épouse de ", None),
                         *_name_lat(act.spouse.surname, act.spouse.given, "spouse")]
    else:
        spouse = [(", célibataire", None)]
    return [
        *_opening_fr(act.died_at, "event_date", "event_time"),
        (", est décédé à " if male else ", est décédée à ", None), (act.place.fr, "place"), (", ", None),
        *_name_lat(act.deceased.surname, act.deceased.given, ""), (", de sexe ", None),
        ("masculin" if male else "féminin", "sex"), *_party_fr(act.deceased, "", male=male), *spouse,
        (". Dressé le ", None), (dates.french_date(act.drawn_up_at.date()), "drawn_up"),
        (f", à {dates.french_time(act.drawn_up_at.hour, act.drawn_up_at.minute)}, sur la déclaration de ", None),
        *_name_lat(act.declarant.surname, act.declarant.given, "declarant"),
        (", qui, lecture faite, a signé avec Nous, ", None),
        (act.officer_surname.lat, "officer.surname"), (" ", None), (act.officer_given.lat, "officer.given"),
        (f", Officier de l'état civil de la commune {_of(register.commune.fr)}.", None),
    ]


def _narrative_ar_death(act: DeathAct, register: SynthRegister) -> Parts:
    male = act.sex == "M"
    if act.spouse is not None:
        spouse: Parts = [("، زوج " if male else "، زوجة ", None), *_name_ar(act.spouse.surname, act.spouse.given, "spouse")]
    else:
        spouse = [("، أعزب" if male else "، عزباء", None)]
    drawn = act.drawn_up_at
    return [
        *_opening_ar(act.died_at, "event_date", "event_time"),
        ("، توفي ببلدية " if male else "، توفيت ببلدية ", None), (act.place.ar, "place"),
        ("، المرحوم " if male else "، المرحومة ", None), *_name_ar(act.deceased.surname, act.deceased.given, ""),
        ("، من جنس ", None), ("ذكر" if male else "أنثى", "sex"),
        *_party_ar(act.deceased, "", male=male), *spouse,
        (". حرر في ", None), (dates.arabic_date(drawn.date()), "drawn_up"),
        (f" على الساعة {dates.arabic_time(drawn.hour, drawn.minute)}، بناء على تصريح ", None),
        *_name_ar(act.declarant.surname, act.declarant.given, "declarant"),
        (" الذي وقع معنا بعد التلاوة، نحن ", None),
        (act.officer_given.ar, "officer.given"), (" ", None), (act.officer_surname.ar, "officer.surname"),
        (f"، ضابط الحالة المدنية لبلدية {register.commune.ar}.", None),
    ]


def _margin_name(act: AnyAct, script: str) -> Parts:
    """The name(s) a narrative act's margin entry carries, surname first: the subject of a
    birth or death act, both spouses of a marriage."""
    name = _name_lat if script == "lat" else _margin_name_ar
    if isinstance(act, MarriageAct):
        joiner = " et " if script == "lat" else " و "
        return [*name(act.husband.surname, act.husband.given, "husband"), (joiner, None),
                *name(act.wife.surname, act.wife.given, "wife")]
    person = act.deceased if isinstance(act, DeathAct) else act
    return name(person.surname, person.given, "")


def _margin_name_ar(surname, given, prefix: str) -> Parts:
    # Margins write the surname first in Arabic too (بن علي محمد).
    return [(surname.ar, _f(prefix, "surname")), (" ", None), (given.ar, _f(prefix, "given"))]



def _spans(parts: list[tuple[str, str | None]], *, style: Style, index: int,
           written: dict[FieldTag, dict[str, str]]) -> list[Span]:
    """Spans for value parts, noting the first occurrence of each field as written."""
    spans = []
    for text, name in parts:
        tag = (index, name) if name else None
        if tag is not None:
            written.setdefault(tag, {}).setdefault(style.script, text.strip())
        spans.append(Span(text, style, tag))
    return spans


def _scribble(draft: Draft, *, x: float, y: float, width: float, height: float, stroke: int) -> None:
    """A signature: a quick pen line through random control points, smoothed, with a
    flourish under it now and then (pen ink, not text, not in the ground truth)."""
    rng = draft.rng
    count = rng.randint(12, 20)
    step = width / (count - 1)
    controls = []
    for i in range(count):
        # Up and down strokes alternate; many down strokes step back to the left, which
        # is what makes the loops of handwriting.
        cx = x + step * i - (rng.uniform(0.8, 1.8) * step if i % 2 and rng.random() < 0.6 else 0.0)
        cy = y + (-1) ** i * rng.uniform(0.2, 0.5) * height * (1.0 - 0.4 * i / count)
        controls.append((cx, cy))
    points: list[tuple[float, float]] = []
    padded = [controls[0]] + controls + [controls[-1]]
    for i in range(1, len(padded) - 2):  # Catmull-Rom through the control points
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for t in np.linspace(0.0, 1.0, 8, endpoint=False):
            t2, t3 = t * t, t * t * t
            points.append(tuple(
                0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                       + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3)
                for k in (0, 1)))
    colour = ink_colour("pen", rng.uniform(0.75, 0.95))
    draft.draw.line(points, fill=colour, width=stroke, joint="curve")
    if rng.random() < 0.5:
        under = y + height * rng.uniform(0.55, 0.8)
        draft.draw.line([(x - 0.05 * width, under + rng.uniform(-3, 3)), (x + width * rng.uniform(0.8, 1.1), under)],
                        fill=colour, width=max(1, stroke - 1))


# --- L1: the bilingual form -----------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Where things go on a page (pixels at the page's dpi)."""

    width: int
    height: int
    content_left: int
    content_right: int
    margin_left: int
    margin_right: int
    top: int
    bottom: int


def _frame(*, dpi: int, margin_side: Literal["left", "right"], margin_width_at_300: int) -> _Frame:
    width, height = a4_pixels(dpi)

    def px(value: float) -> int:
        return round(value * dpi / 300)

    edge, gap, margin_width = px(150), px(40), px(margin_width_at_300)
    if margin_side == "right":
        margin_right = width - px(110)
        margin_left = margin_right - margin_width
        content_left, content_right = edge, margin_left - gap
    else:
        margin_left = px(110)
        margin_right = margin_left + margin_width
        content_left, content_right = margin_right + gap, width - edge
    return _Frame(width=width, height=height, content_left=content_left, content_right=content_right,
                  margin_left=margin_left, margin_right=margin_right, top=px(150), bottom=height - px(150))


def _two_sided_row(draft: Draft, *, fr: list[Span], ar: list[Span], left: int, right: int, top: float,
                   pitch: int, gutter: int, fr_label_words: int, ar_label_words: int) -> float:
    """One form row: French flowing rightwards from the left edge, Arabic leftwards from
    the right edge; continuation lines hang after the label."""
    middle = (left + right) // 2
    fr_words, ar_words = words_of(fr), words_of(ar)
    fr_label = sum(word_width(w) for w in fr_words[:fr_label_words]) + 0.6 * pitch
    ar_label = sum(word_width(w) for w in ar_words[:ar_label_words]) + 0.6 * pitch
    bottom_fr = set_text(draft, fr, start=left, end=middle - gutter, rest_start=left + fr_label, top=top, pitch=pitch)
    bottom_ar = set_text(draft, ar, start=right, end=middle + gutter, rest_start=right - ar_label, top=top, pitch=pitch)
    return max(bottom_fr, bottom_ar)


def _header_l1(draft: Draft, *, frame: _Frame, faces: _Faces, register: SynthRegister, lang: PageLang) -> float:
    pitch = faces.pitch
    y = float(frame.top)
    left, right = frame.content_left, frame.content_right
    y = set_text(draft, [Span("الجمهورية الجزائرية الديمقراطية الشعبية", faces.ar_head)],
                 start=right, end=left, top=y, pitch=pitch + 4, align="center")
    y = set_text(draft, [Span("RÉPUBLIQUE ALGÉRIENNE DÉMOCRATIQUE ET POPULAIRE", faces.fr_head)],
                 start=left, end=right, top=y, pitch=pitch + 4, align="center")
    y += pitch * 0.2
    rows = [
        (f"Wilaya {_of(register.wilaya.fr)}", f"ولاية {register.wilaya.ar}"),
        (f"Commune {_of(register.commune.fr)}", f"بلدية {register.commune.ar}"),
        (f"Registre des actes de {_KIND_FR[register.kind]} — Année {register.year}",
         # Noto Naskh has no dashes: Arabic headings are written with words.
         f"سجل عقود {_KIND_AR[register.kind]} لسنة {register.year}"),
    ]
    for fr_text, ar_text in rows:
        bottom_fr = set_text(draft, [Span(fr_text, faces.fr_head)], start=left, end=(left + right) / 2, top=y, pitch=pitch + 4)
        bottom_ar = set_text(draft, [Span(ar_text, faces.ar_head)], start=right, end=(left + right) / 2, top=y, pitch=pitch + 4)
        y = max(bottom_fr, bottom_ar)
    return y + pitch * 0.4


def _l1_block(draft: Draft, *, act: AnyAct, index: int, faces: _Faces, frame: _Frame, top: float,
              written: dict[FieldTag, dict[str, str]], dpi: int) -> float:
    pitch = faces.pitch
    pad = round(24 * dpi / 300)
    left, right = frame.content_left + pad, frame.content_right - pad
    gutter = round(20 * dpi / 300)
    y = top + pad
    number = act_number_text(act)
    fr = [Span("Acte N° ", faces.fr_label)] + _spans([(number, "act_number")], style=faces.fr_value, index=index, written=written)
    ar = [Span("رقم العقد : ", faces.ar_label)] + _spans([(arabic_number_text(act), "act_number")], style=faces.ar_value,
                                                        index=index, written=written)
    y = _two_sided_row(draft, fr=fr, ar=ar, left=left, right=right, top=y, pitch=pitch, gutter=gutter,
                       fr_label_words=2, ar_label_words=3)
    draw, rule = draft.draw, ink_colour("print")
    line = max(1, round(2 * dpi / 300))
    draw.line((frame.content_left, y + pad / 2, frame.content_right, y + pad / 2), fill=rule, width=line)
    y += pad
    rows_top = y
    for fr_label, fr_parts, ar_label, ar_parts in _l1_rows(act):
        fr_spans = [Span(fr_label + " ", faces.fr_label)] + _spans(fr_parts, style=faces.fr_value, index=index, written=written)
        ar_spans = [Span(ar_label + " ", faces.ar_label)] + _spans(ar_parts, style=faces.ar_value, index=index, written=written)
        y = _two_sided_row(draft, fr=fr_spans, ar=ar_spans, left=left, right=right, top=y, pitch=pitch, gutter=gutter,
                           fr_label_words=len(fr_label.split()), ar_label_words=len(ar_label.split()))
    # Signatures: the declarant's on the left, the officer's on the right (and his stamp).
    sign_height = pitch * 1.15
    third = (right - left) / 3
    _scribble(draft, x=left + third * 0.3, y=y + sign_height / 2, width=third * 0.6, height=sign_height * 0.7,
              stroke=max(2, round(3 * dpi / 300)))
    _scribble(draft, x=right - third * 0.9, y=y + sign_height / 2, width=third * 0.6, height=sign_height * 0.7,
              stroke=max(2, round(3 * dpi / 300)))
    draft.stamp_spots.append((int(right - third * 0.6), int(y + sign_height / 2)))
    y += sign_height + pad
    draw.rectangle((frame.content_left, top, frame.content_right, y), outline=rule, width=line + 1)
    # The form's rule between the French and the Arabic half, under the header row.
    middle = (frame.content_left + frame.content_right) // 2
    draw.line((middle, rows_top, middle, y - sign_height - pad), fill=rule, width=line)
    return y


def _margin_mentions(draft: Draft, *, act: AnyAct, index: int, faces: _Faces, frame: _Frame, top: float,
                     written: dict[FieldTag, dict[str, str]], dpi: int) -> float:
    pad = round(14 * dpi / 300)
    y = top
    for number, mention in enumerate(act.mentions):
        style = faces.fr_pen if mention.lang == "fr" else faces.ar_pen
        spans = _spans([(mention.text(mention.lang), f"mention.{number}")], style=style, index=index, written=written)
        if mention.lang == "fr":
            y = set_text(draft, spans, start=frame.margin_left + pad, end=frame.margin_right - pad, top=y, pitch=round(style.size * 1.35))
        else:
            y = set_text(draft, spans, start=frame.margin_right - pad, end=frame.margin_left + pad, top=y, pitch=round(style.size * 1.3))
        # The officer's initials under each mention.
        _scribble(draft, x=frame.margin_right - (frame.margin_right - frame.margin_left) * 0.6, y=y + pad * 1.5,
                  width=(frame.margin_right - frame.margin_left) * 0.35, height=pad * 2.5, stroke=max(2, round(2 * dpi / 300)))
        y += pad * 5
    return y


def _compose_l1(draft: Draft, *, acts: list[AnyAct], faces: _Faces, frame: _Frame, register: SynthRegister,
                lang: PageLang, written: dict[FieldTag, dict[str, str]], dpi: int) -> float:
    y = _header_l1(draft, frame=frame, faces=faces, register=register, lang=lang)
    rule_x = frame.margin_left - round(20 * dpi / 300) if frame.margin_left > frame.content_right else frame.margin_right + round(20 * dpi / 300)
    draft.draw.line((rule_x, y, rule_x, frame.bottom), fill=ink_colour("print"), width=max(1, round(2 * dpi / 300)))
    for index, act in enumerate(acts):
        block_top = y
        y = _l1_block(draft, act=act, index=index, faces=faces, frame=frame, top=y, written=written, dpi=dpi)
        _margin_mentions(draft, act=act, index=index, faces=faces, frame=frame, top=block_top + faces.pitch,
                         written=written, dpi=dpi)
        y += faces.pitch * 0.4
    return y


# --- L2: the narrative act ------------------------------------------------------------


def _compose_l2(draft: Draft, *, acts: list[AnyAct], faces: _Faces, dpi: int, register: SynthRegister,
                lang: PageLang, written: dict[FieldTag, dict[str, str]]) -> float:
    def px(value: float) -> int:
        return round(value * dpi / 300)

    width = draft.width
    edge, margin_width, gap = px(150), px(480), px(50)
    pitch = faces.body_pitch
    y = float(px(150))
    languages = ("fr", "ar") if lang == "fr+ar" else (lang,)
    if "fr" in languages:
        y = set_text(draft, [Span(f"Commune {_of(register.commune.fr)}", faces.fr_head)], start=edge, end=width - edge,
                     top=y, pitch=pitch, align="center")
        y = set_text(draft, [Span(f"Registre des actes de {_KIND_FR[register.kind]} — Année {register.year}", faces.fr_head)],
                     start=edge, end=width - edge, top=y, pitch=pitch, align="center")
    if "ar" in languages:
        y = set_text(draft, [Span(f"بلدية {register.commune.ar}", faces.ar_head)], start=width - edge, end=edge,
                     top=y, pitch=pitch, align="center")
        y = set_text(draft, [Span(f"سجل عقود {_KIND_AR[register.kind]} لسنة {register.year}", faces.ar_head)],
                     start=width - edge, end=edge, top=y, pitch=pitch, align="center")
    y += pitch * 0.8
    margin_value = replace(faces.fr_body, size=px(36))
    margin_value_ar = replace(faces.ar_body, size=px(42))
    for index, act in enumerate(acts):
        for language in languages:
            number = act_number_text(act)
            if language == "fr":
                margin = (edge, edge + margin_width)
                body_start, body_end = edge + margin_width + gap, width - edge
                margin_parts = [("N° ", None), (number, "act_number"), (" — ", None), *_margin_name(act, "lat")]
                margin_spans = _spans(margin_parts, style=margin_value, index=index, written=written)
                body = _spans(_narrative_fr(act, register), style=faces.fr_body, index=index, written=written)
                indent = px(100)  # typed paragraphs start a few spaces in
                margin_bottom = set_text(draft, margin_spans, start=margin[0], end=margin[1], top=y, pitch=pitch)
                body_bottom = set_text(draft, body, start=body_start + indent, rest_start=body_start, end=body_end,
                                       top=y, pitch=pitch)
            else:
                margin = (width - edge - margin_width, width - edge)
                body_start, body_end = width - edge - margin_width - gap, edge
                # Number and name on two lines (Noto Naskh has no dash to join them).
                number_spans = _spans([("رقم ", None), (arabic_number_text(act), "act_number")], style=margin_value_ar,
                                      index=index, written=written)
                name_spans = _spans(_margin_name(act, "ar"), style=margin_value_ar, index=index, written=written)
                body = _spans(_narrative_ar(act, register), style=faces.ar_body, index=index, written=written)
                indent = px(90)
                margin_bottom = set_text(draft, number_spans, start=margin[1], end=margin[0], top=y, pitch=pitch)
                margin_bottom = set_text(draft, name_spans, start=margin[1], end=margin[0], top=margin_bottom, pitch=pitch)
                body_bottom = set_text(draft, body, start=body_start - indent, rest_start=body_start, end=body_end,
                                       top=y, pitch=pitch)
            mention_top = margin_bottom + pitch * 0.4
            for number_of_mention, mention in enumerate(act.mentions if language == languages[0] else ()):
                # A French register gets French mentions, an Arabic one Arabic mentions.
                mention_lang = mention.lang if lang == "fr+ar" else language
                style = faces.fr_pen if mention_lang == "fr" else faces.ar_pen
                spans = _spans([(mention.text(mention_lang), f"mention.{number_of_mention}")], style=style,
                               index=index, written=written)
                if mention_lang == "fr":
                    mention_top = set_text(draft, spans, start=margin[0], end=margin[1], top=mention_top, pitch=round(style.size * 1.35))
                else:
                    mention_top = set_text(draft, spans, start=margin[1], end=margin[0], top=mention_top, pitch=round(style.size * 1.3))
                mention_top += pitch * 0.3
            # Signatures under the act: declarant, then officer with the stamp beside.
            sign_y = body_bottom + pitch * 0.5
            low, high = sorted((body_start, body_end))
            span = high - low
            _scribble(draft, x=low + span * 0.12, y=sign_y, width=span * 0.18, height=pitch * 0.9, stroke=max(2, px(3)))
            _scribble(draft, x=low + span * 0.62, y=sign_y, width=span * 0.2, height=pitch * 0.9, stroke=max(2, px(3)))
            draft.stamp_spots.append((int(low + span * 0.8), int(sign_y)))
            y = max(sign_y + pitch * 1.3, mention_top)
    return y


# --- the page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Surface:
    """A page drawn and worn, before the scan: pixels and page-coordinate truth."""

    pixels: np.ndarray
    draft: Draft
    written: dict[FieldTag, dict[str, str]]
    stamps: list[Box]


def _check_request(*, layout: str, lang: str, acts: list[AnyAct], dpi: int, register: SynthRegister) -> None:
    if layout not in ("L1", "L2"):
        raise ValueError(f"layout must be 'L1' or 'L2', not {layout!r}")
    if lang not in ("fr", "ar", "fr+ar"):
        raise ValueError(f"lang must be 'fr', 'ar' or 'fr+ar', not {lang!r}")
    if layout == "L1" and lang != "fr+ar":
        raise ValueError("L1 is the bilingual form: its lang is 'fr+ar'")
    if not acts:
        raise ValueError("a register page holds at least one act")
    if layout == "L1" and len(acts) > 3:
        raise ValueError(f"an L1 page holds one to three act blocks, not {len(acts)}")
    if any(act.kind != register.kind for act in acts):
        raise ValueError(f"a {register.kind} register holds {register.kind} acts only")
    if not 100 <= dpi <= 1200:
        raise ValueError(f"dpi {dpi} is outside 100..1200")


def _surface(*, layout: Layout, lang: PageLang, acts: list[AnyAct], dpi: int, seed: int | str,
             degrade: Degradation, register: SynthRegister, typeface: Typeface | None, side: Side) -> _Surface:
    _check_request(layout=layout, lang=lang, acts=acts, dpi=dpi, register=register)
    rng = random.Random(f"sijil-synth-layout:{seed}")
    typeface = typeface or ("typewriter" if rng.random() < 0.7 else "print")
    faces = _faces(typeface=typeface, dpi=dpi)
    width, height = a4_pixels(dpi)
    draft = Draft(width=width, height=height, rng=rng)
    written: dict[FieldTag, dict[str, str]] = {}
    if layout == "L1":
        # The margin for mentions is on the outer edge of the open book.
        frame = _frame(dpi=dpi, margin_side="right" if side == "recto" else "left", margin_width_at_300=340)
        bottom = _compose_l1(draft, acts=acts, faces=faces, frame=frame, register=register, lang=lang,
                             written=written, dpi=dpi)
    else:
        bottom = _compose_l2(draft, acts=acts, faces=faces, dpi=dpi, register=register, lang=lang, written=written)
    if bottom > height - round(90 * dpi / 300):
        raise ValueError(f"{len(acts)} acts do not fit on one {layout} page ({lang}); put fewer acts on it")
    np_rng = np.random.default_rng([_seed_number(seed), 1])
    stamp_text = (f"COMMUNE {_of(register.commune.fr).upper()} * ÉTAT CIVIL * ", "APC", "الحالة المدنية")
    pixels, stamps = paint_surface(draft, degrade=degrade, rng=np_rng, stamp_text=stamp_text, dpi=dpi)
    return _Surface(pixels=pixels, draft=draft, written=written, stamps=stamps)


def _seed_number(seed: int | str) -> int:
    if isinstance(seed, int):
        return seed
    # str seeds (used for the halves of a spread): a stable number, not hash(), which
    # changes from one Python process to the next.
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:8], "big")


def _acts_document(*, acts: list[AnyAct], surface: _Surface, register: SynthRegister,
                   place: Callable[[Box], Box], half: str | None) -> list[dict[str, Any]]:
    documents = []
    for index, act in enumerate(acts):
        fields: dict[str, Any] = {}
        every_box: list[Box] = []
        for name, truth in _truth_values(act).items():
            leaf = dict(truth)
            tag = (index, name)
            boxes = surface.draft.field_boxes.get(tag, {})
            if boxes:
                leaf["as_written"] = dict(surface.written.get(tag, {}))
                leaf["bboxes"] = {script: [list(place(b)) for b in found] for script, found in boxes.items()}
                all_boxes = [place(b) for found in boxes.values() for b in found]
                leaf["bbox"] = list(union(all_boxes))
                every_box.extend(all_boxes)
            *heads, last = name.split(".")
            holder = fields
            for head in heads:
                holder = holder.setdefault(head, {})
            holder[last] = leaf
        mentions = []
        for number, mention in enumerate(act.mentions):
            tag = (index, f"mention.{number}")
            boxes = [place(b) for found in surface.draft.field_boxes.get(tag, {}).values() for b in found]
            every_box.extend(boxes)
            written_as = surface.written.get(tag, {})
            mentions.append({
                "kind": mention.kind, "date": mention.date.isoformat(),
                "lang": "ar" if "ar" in written_as else "fr",
                "text": written_as.get("ar", written_as.get("lat", mention.text_fr)),
                "bbox": list(union(boxes)) if boxes else None,
            })
        documents.append({
            "act_id": act_id(register=register, act=act),
            "kind": act.kind,
            "number": act.number,
            "suffix": act.suffix,
            "half": half,
            "bbox": list(union(every_box)) if every_box else None,
            "fields": fields,
            "mentions": mentions,
        })
    return documents


def _lines_placed(lines: list[TextLine], place) -> list[TextLine]:
    return [TextLine(text=line.text, lang=line.lang, bbox=place(line.bbox)) for line in lines]


def render_register_page(
    *,
    layout: Layout,
    lang: PageLang,
    acts: list[AnyAct],
    dpi: int = 300,
    seed: int,
    degrade: Degradation = CLEAN,
    register: SynthRegister = SynthRegister(),
    typeface: Typeface | None = None,
    side: Side = "recto",
) -> RenderedPage:
    """One A4 register page holding acts (L1: one to three, L2: as many as fit), scanned
    with degrade. Same arguments, same pixels. typeface None: drawn from seed (70 %
    typewriter). side: "recto" puts the L1 mention margin on the right, "verso" on the left."""
    surface = _surface(layout=layout, lang=lang, acts=acts, dpi=dpi, seed=seed, degrade=degrade,
                       register=register, typeface=typeface, side=side)
    scan, geometry = capture(surface.pixels, degrade=degrade, rng=np.random.default_rng([_seed_number(seed), 2]))
    return RenderedPage(
        image=to_pil(scan),
        lines=tuple(_lines_placed(surface.draft.lines, geometry.box)),
        acts=tuple(_acts_document(acts=acts, surface=surface, register=register, place=geometry.box, half=None)),
        stamps=tuple(geometry.box(b) for b in surface.stamps),
        layout=layout,
        lang=lang,
        dpi=dpi,
    )


def render_spread(
    *,
    layout: Layout,
    lang: PageLang,
    left_acts: list[AnyAct],
    right_acts: list[AnyAct],
    dpi: int = 300,
    seed: int,
    degrade: Degradation = CLEAN,
    register: SynthRegister = SynthRegister(),
    typeface: Typeface | None = None,
    background: tuple[int, int, int] = (46, 43, 40),
) -> RenderedPage:
    """A double page of a bound register scanned open: two pages side by side on a dark
    cradle, the gutter shadowed where the paper curves into the binding, the outer
    edges a little darker. The scan is about two pages wide; the ground truth lists the
    left page's lines, then the right page's, and each act says which half it is on."""
    # One typeface for the whole book: both halves were typed on the same machine.
    typeface = typeface or ("typewriter" if random.Random(f"sijil-synth-book:{seed}").random() < 0.7 else "print")
    # The stamp and the skew belong to the scan of the spread, not to each half.
    page_wear = replace(degrade, skew_deg=0.0, quarter_turns=0, noise_sigma=0.0, blur_sigma=0.0,
                        jpeg_quality=None, grayscale=False)
    halves = [
        _surface(layout=layout, lang=lang, acts=left_acts, dpi=dpi, seed=f"{seed}:left", degrade=page_wear,
                 register=register, typeface=typeface, side="verso"),
        _surface(layout=layout, lang=lang, acts=right_acts, dpi=dpi, seed=f"{seed}:right", degrade=page_wear,
                 register=register, typeface=typeface, side="recto"),
    ]
    page_width, page_height = a4_pixels(dpi)
    border = round(60 * dpi / 300)
    rng = np.random.default_rng([seed, 3])
    drops = [int(rng.integers(0, border // 2)) for _ in halves]  # the halves never lie quite level
    canvas = np.empty((page_height + 2 * border, 2 * page_width + 2 * border, 3), np.uint8)
    canvas[:] = np.asarray(background, np.uint8)
    offsets = [(border, border // 2 + drops[0]), (border + page_width, border // 2 + drops[1])]
    for surface, (x, y) in zip(halves, offsets):
        canvas[y:y + page_height, x:x + page_width] = surface.pixels
    # Shade: deep in the gutter, fading over a few centimetres; lighter at the outer edges.
    columns = np.arange(canvas.shape[1], dtype=np.float32)
    gutter_x = border + page_width
    shade = 1.0 - 0.55 * np.exp(-np.abs(columns - gutter_x) / (55.0 * dpi / 300))
    shade *= 1.0 - 0.25 * np.exp(-(columns - border).clip(0) / (30.0 * dpi / 300))
    shade *= 1.0 - 0.25 * np.exp(-(border + 2 * page_width - columns).clip(0) / (30.0 * dpi / 300))
    shade_row = np.clip(shade * 255 + 0.5, 0, 255).astype(np.uint8)
    shade_map = np.ascontiguousarray(np.broadcast_to(shade_row[None, :, None], canvas.shape))
    canvas = cv2.multiply(canvas, shade_map, scale=1 / 255)
    scan, geometry = capture(canvas, degrade=replace(degrade, scanner_lid=background),
                             rng=np.random.default_rng([seed, 4]))
    lines: list[TextLine] = []
    acts_docs: list[dict[str, Any]] = []
    stamps: list[Box] = []
    for surface, (x, y), acts, half in zip(halves, offsets, (left_acts, right_acts), ("left", "right")):
        def place(box: Box, x: int = x, y: int = y) -> Box:
            return geometry.box((box[0] + x, box[1] + y, box[2], box[3]))

        lines.extend(_lines_placed(surface.draft.lines, place))
        acts_docs.extend(_acts_document(acts=acts, surface=surface, register=register, place=place, half=half))
        stamps.extend(place(b) for b in surface.stamps)
    return RenderedPage(image=to_pil(scan), lines=tuple(lines), acts=tuple(acts_docs), stamps=tuple(stamps),
                        layout=layout, lang=lang, dpi=dpi, spread=True)
