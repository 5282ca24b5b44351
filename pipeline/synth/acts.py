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
MentionKind = Literal["marriage", "death", "divorce", "rectification"]
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


def act_id(*, register: SynthRegister, act: "AnyAct") -> str:
    """The natural key: ``1601-N-1987-01-00452`` (``…00452bis`` for a suffixed act)."""
    return (
        f"{register.commune_code}-{KIND_LETTERS[act.kind]}-{register.year}-"
        f"{register.series:02d}-{act.number:05d}{act.suffix or ''}"
    )


def act_number_text(act: "AnyAct") -> str:
    """"452", "452 bis"."""
    return f"{act.number}{' ' + act.suffix if act.suffix else ''}"


# Arabic registers write the suffix in words: 452 مكرر.
ARABIC_SUFFIXES = {"bis": "مكرر", "ter": "ثالث", "quater": "رابع"}


def arabic_number_text(act: "AnyAct") -> str:
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


# --- marriage and death acts ----------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """A person named by an act without more (a witness, a declarant, a spouse)."""

    surname: Spelled
    given: Spelled


@dataclass(frozen=True)
class Party:
    """A spouse of a marriage act, or the deceased of a death act: name, birth, parents."""

    surname: Spelled
    given: Spelled
    born_on: dt.date
    birth_place: Place
    father_given: Spelled
    mother_surname: Spelled
    mother_given: Spelled


@dataclass(frozen=True)
class MarriageAct:
    """One marriage act (REGISTERS.md: two spouses each with birth date/place and parents,
    witnesses)."""

    number: int
    married_at: dt.datetime
    husband: Party
    wife: Party
    witnesses: tuple[Named, Named]
    drawn_up_at: dt.datetime
    officer_surname: Spelled
    officer_given: Spelled
    suffix: str | None = None
    mentions: tuple[Mention, ...] = field(default=())
    kind: Kind = "marriage"


@dataclass(frozen=True)
class DeathAct:
    """One death act (REGISTERS.md: date/hour/place of death, the deceased's birth data,
    parents, spouse, declarant). spouse None: the deceased was unmarried."""

    number: int
    sex: Sex
    deceased: Party
    died_at: dt.datetime
    place: Place
    spouse: Named | None
    declarant: Named
    drawn_up_at: dt.datetime
    officer_surname: Spelled
    officer_given: Spelled
    suffix: str | None = None
    mentions: tuple[Mention, ...] = field(default=())
    kind: Kind = "death"


AnyAct = SynthAct | MarriageAct | DeathAct


def _named(rng: random.Random, given_names: tuple) -> Named:
    return Named(surname=spell(rng.choice(SURNAMES), rng=rng), given=spell(rng.choice(given_names), rng=rng))


def _party(rng: random.Random, *, sex: Sex, born_on: dt.date) -> Party:
    return Party(
        surname=spell(rng.choice(SURNAMES), rng=rng),
        given=spell(rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE), rng=rng),
        born_on=born_on,
        birth_place=rng.choice(PLACES),
        father_given=spell(rng.choice(GIVEN_MALE), rng=rng),
        mother_surname=spell(rng.choice(SURNAMES), rng=rng),
        mother_given=spell(rng.choice(GIVEN_FEMALE), rng=rng),
    )


def _office_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 15), rng.choice((0, 0, 15, 30, 45))))


def _court_mention(*, rng: random.Random, kind: MentionKind, after: dt.date, plural: bool) -> Mention:
    """A mention by court order (divorce of a marriage, rectification of a death act),
    its date written in words as the clerk copied it from the judgment (dates in words
    occur in margins as well as figures)."""
    from pipeline.synth import dates

    when = after + dt.timedelta(days=rng.randint(300, 12 * 365))
    court = rng.choice(PLACES)
    if rng.random() < 0.5:
        date_fr, date_ar = dates.french_date(when), dates.arabic_date(when)
    else:
        date_fr = date_ar = when.strftime("%d/%m/%Y")
    article = f"d'{court.fr}" if court.fr[:1].lower() in "aeiouéèh" else f"de {court.fr}"
    if kind == "divorce":
        text_fr = f"{'Divorcés' if plural else 'Divorcé'} par jugement du tribunal {article} en date du {date_fr}."
        text_ar = f"طلقا بحكم محكمة {court.ar} بتاريخ {date_ar}."
    else:
        text_fr = f"Rectifié par jugement du tribunal {article} en date du {date_fr}."
        text_ar = f"صحح بحكم محكمة {court.ar} بتاريخ {date_ar}."
    return Mention(kind=kind, date=when, lang=rng.choice(("fr", "ar")), text_fr=text_fr, text_ar=text_ar)


def random_marriage_act(*, rng: random.Random, register: SynthRegister, number: int, drawn_up_on: dt.date,
                        officer_surname: Spelled, officer_given: Spelled, suffix: str | None = None,
                        mention_share: float = 0.3) -> MarriageAct:
    """A plausible marriage: celebrated and drawn up the same day in office hours, spouses
    born 18 to 45 years before, two adult witnesses."""
    married_at = _office_hours(rng, drawn_up_on)
    husband = _party(rng, sex="M", born_on=drawn_up_on - dt.timedelta(days=rng.randint(20 * 365, 45 * 365)))
    wife = _party(rng, sex="F", born_on=drawn_up_on - dt.timedelta(days=rng.randint(18 * 365, 40 * 365)))
    witnesses = (_named(rng, GIVEN_MALE), _named(rng, GIVEN_MALE))
    act = MarriageAct(number=number, suffix=suffix, married_at=married_at, husband=husband, wife=wife,
                      witnesses=witnesses, drawn_up_at=married_at + dt.timedelta(minutes=rng.choice((15, 30, 45))),
                      officer_surname=officer_surname, officer_given=officer_given)
    if rng.random() >= mention_share:
        return act
    mention = _court_mention(rng=rng, kind="divorce", after=drawn_up_on, plural=True)
    return replace(act, mentions=(mention,) if mention.date <= LATEST_MENTION else ())


def random_death_act(*, rng: random.Random, register: SynthRegister, number: int, drawn_up_on: dt.date,
                     officer_surname: Spelled, officer_given: Spelled, suffix: str | None = None,
                     mention_share: float = 0.2) -> DeathAct:
    """A plausible death: declared within two days, the deceased born 1 to 95 years
    before, married more often than not, declared by a relative or a neighbour."""
    sex: Sex = rng.choice(("M", "F"))
    died_on = drawn_up_on - dt.timedelta(days=rng.randint(0, 2))
    died_at = dt.datetime.combine(died_on, dt.time(rng.randint(0, 23), rng.choice((0, 0, 10, 15, 20, 30, 40, 45))))
    drawn_up_at = _office_hours(rng, drawn_up_on)
    if drawn_up_at <= died_at:
        drawn_up_at = died_at + dt.timedelta(hours=2)
    deceased = _party(rng, sex=sex, born_on=died_on - dt.timedelta(days=rng.randint(365, 95 * 365)))
    adult = (died_on - deceased.born_on).days > 20 * 365
    spouse = _named(rng, GIVEN_FEMALE if sex == "M" else GIVEN_MALE) if adult and rng.random() < 0.75 else None
    # Most deaths of a register happened in its commune (the hospital is there).
    place = register.commune if rng.random() < 0.6 else rng.choice(PLACES)
    act = DeathAct(number=number, suffix=suffix, sex=sex, deceased=deceased, died_at=died_at, place=place,
                   spouse=spouse, declarant=_named(rng, GIVEN_MALE), drawn_up_at=drawn_up_at,
                   officer_surname=officer_surname, officer_given=officer_given)
    if rng.random() >= mention_share:
        return act
    mention = _court_mention(rng=rng, kind="rectification", after=drawn_up_on, plural=False)
    return replace(act, mentions=(mention,) if mention.date <= LATEST_MENTION else ())


def random_act(*, kind: Kind, rng: random.Random, register: SynthRegister, number: int, drawn_up_on: dt.date,
               officer_surname: Spelled, officer_given: Spelled) -> AnyAct:
    """An act of kind (the register's), drawn as its own generator draws it."""
    maker = {"birth": random_birth_act, "marriage": random_marriage_act, "death": random_death_act}[kind]
    return maker(rng=rng, register=register, number=number, drawn_up_on=drawn_up_on,
                 officer_surname=officer_surname, officer_given=officer_given)
