"""Synthetic acts: what a register says about one birth, with the exact spellings the
page will show, and the register they belong to (natural key as in REGISTERS.md)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from typing import Literal

from pipeline.synth.names import (
    GIVEN_FEMALE,
    GIVEN_MALE,
    OCCUPATIONS_FEMALE,
    OCCUPATIONS_MALE,
    PLACES,
    SURNAMES,
    Occupation,
    Place,
    Sex,
    Spelled,
    spell,
)

Kind = Literal["birth", "marriage", "death"]
MentionKind = Literal["marriage", "death", "rectification"]
Lang = Literal["fr", "ar"]

KIND_LETTERS = {"birth": "N", "marriage": "M", "death": "D"}

# Mentions are added up to the day the register is scanned; none from the future.
LATEST_MENTION = dt.date(2024, 12, 31)


@dataclass(frozen=True)
class SynthRegister:
    """The register a page belongs to; the same keys as batch.toml's [register]."""

    commune_code: str = "1601"
    commune: Place = Place(fr="Alger-Centre", ar="الجزائر الوسطى")
    wilaya: Place = Place(fr="Alger", ar="الجزائر")
    kind: Kind = "birth"
    year: int = 1987
    series: int = 1
    volume: int = 1
    lang: str = "fr+ar"


@dataclass(frozen=True)
class Mention:
    """A marginal mention added after the act, dates in figures as clerks write them in
    margins. Both wordings are kept: a French register gets the French one, an Arabic
    register the Arabic one, a bilingual register the one in lang."""

    kind: MentionKind
    date: dt.date
    lang: Lang
    text_fr: str
    text_ar: str

    def text(self, lang: Lang) -> str:
        return self.text_fr if lang == "fr" else self.text_ar


@dataclass(frozen=True)
class SynthAct:
    """One birth act. Spellings are those of this act (a clerk's variant stays a variant)."""

    number: int
    sex: Sex
    surname: Spelled
    given: Spelled
    born_at: dt.datetime
    place: Place
    father_given: Spelled
    father_occupation: Occupation
    mother_surname: Spelled
    mother_given: Spelled
    mother_occupation: Occupation
    residence: Place
    drawn_up_at: dt.datetime
    officer_surname: Spelled
    officer_given: Spelled
    suffix: str | None = None
    mentions: tuple[Mention, ...] = field(default=())
    kind: Kind = "birth"


def act_id(*, register: SynthRegister, act: SynthAct) -> str:
    """The natural key: ``1601-N-1987-01-00452`` (``…00452bis`` for a suffixed act)."""
    return (
        f"{register.commune_code}-{KIND_LETTERS[act.kind]}-{register.year}-"
        f"{register.series:02d}-{act.number:05d}{act.suffix or ''}"
    )


def act_number_text(act: SynthAct) -> str:
    """"452", "452 bis"."""
    return f"{act.number}{' ' + act.suffix if act.suffix else ''}"


# Arabic registers write the suffix in words: 452 مكرر.
ARABIC_SUFFIXES = {"bis": "مكرر", "ter": "ثالث", "quater": "رابع"}


def arabic_number_text(act: SynthAct) -> str:
    return f"{act.number}{' ' + ARABIC_SUFFIXES[act.suffix] if act.suffix else ''}"


def _marriage_mention(*, rng: random.Random, act: SynthAct, born: dt.date) -> Mention:
    # Married between 20 and 35, announced in the birth act's margin.
    when = born + dt.timedelta(days=rng.randint(20 * 365, 35 * 365))
    spouse_names = GIVEN_FEMALE if act.sex == "M" else GIVEN_MALE
    spouse_given = spell(rng.choice(spouse_names), rng=rng)
    spouse_surname = spell(rng.choice(SURNAMES), rng=rng)
    place = rng.choice(PLACES)
    figures = when.strftime("%d/%m/%Y")
    male = act.sex == "M"
    return Mention(
        kind="marriage", date=when, lang=rng.choice(("fr", "ar")),
        text_fr=f"{'Marié' if male else 'Mariée'} le {figures} à {place.fr} avec {spouse_surname.lat} {spouse_given.lat}.",
        text_ar=f"{'تزوج' if male else 'تزوجت'} بتاريخ {figures} ببلدية {place.ar} مع {spouse_given.ar} {spouse_surname.ar}.",
    )


def _death_mention(*, rng: random.Random, act: SynthAct, after: dt.date) -> Mention:
    when = after + dt.timedelta(days=rng.randint(200, 15 * 365))
    place = rng.choice(PLACES)
    figures = when.strftime("%d/%m/%Y")
    male = act.sex == "M"
    return Mention(
        kind="death", date=when, lang=rng.choice(("fr", "ar")),
        text_fr=f"{'Décédé' if male else 'Décédée'} le {figures} à {place.fr}.",
        text_ar=f"{'توفي' if male else 'توفيت'} بتاريخ {figures} ببلدية {place.ar}.",
    )


def random_birth_act(
    *,
    rng: random.Random,
    register: SynthRegister,
    number: int,
    drawn_up_on: dt.date,
    officer_surname: Spelled,
    officer_given: Spelled,
    suffix: str | None = None,
    mention_share: float = 0.35,
) -> SynthAct:
    """A plausible birth act: declared within five days of the birth (the legal delay),
    drawn up in office hours, parents with the usual occupations."""
    sex: Sex = rng.choice(("M", "F"))
    given = spell(rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE), rng=rng)
    surname = spell(rng.choice(SURNAMES), rng=rng)
    born_on = drawn_up_on - dt.timedelta(days=rng.randint(0, 5))
    born_at = dt.datetime.combine(born_on, dt.time(rng.randint(0, 23), rng.choice((0, 0, 5, 10, 15, 20, 30, 30, 40, 45, 50))))
    drawn_up_at = dt.datetime.combine(drawn_up_on, dt.time(rng.randint(8, 15), rng.choice((0, 0, 15, 30, 45))))
    if drawn_up_at <= born_at:
        drawn_up_at = born_at + dt.timedelta(hours=2)
    # Most births in a commune's register happened in it (the maternity is there).
    place = register.commune if rng.random() < 0.7 else rng.choice(PLACES)
    act = SynthAct(
        number=number,
        suffix=suffix,
        sex=sex,
        surname=surname,
        given=given,
        born_at=born_at,
        place=place,
        father_given=spell(rng.choice(GIVEN_MALE), rng=rng),
        father_occupation=rng.choice(OCCUPATIONS_MALE),
        mother_surname=spell(rng.choice(SURNAMES), rng=rng),
        mother_given=spell(rng.choice(GIVEN_FEMALE), rng=rng),
        mother_occupation=rng.choice(OCCUPATIONS_FEMALE),
        residence=register.commune,
        drawn_up_at=drawn_up_at,
        officer_surname=officer_surname,
        officer_given=officer_given,
    )
    if rng.random() >= mention_share:
        return act
    mentions = [_marriage_mention(rng=rng, act=act, born=born_on)]
    if rng.random() < 0.25:
        mentions.append(_death_mention(rng=rng, act=act, after=mentions[0].date))
    return replace(act, mentions=tuple(m for m in mentions if m.date <= LATEST_MENTION))
