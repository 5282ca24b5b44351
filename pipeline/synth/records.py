"""Synthetic act records (REGISTERS.md "Record") for search tests, name evaluation and
the search benchmark: the acts the page generator draws, as records, without pages.

Births, marriages and deaths in about the shares of Algerian civil status (roughly three
births for one marriage and one death in the registers of the second half of the
century), so searches meet spouses, deceased persons and their parents, not children
only. The fields are those the page generator's ground truth names (pipeline/synth/render
_truth_values), nested as extracted records nest them (father.given → father: {given})."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any, Literal

from pipeline.records import make_act_id
from pipeline.synth.acts import (
    AnyAct,
    DeathAct,
    Kind,
    MarriageAct,
    Party,
    SynthRegister,
    random_birth_act,
    random_death_act,
    random_marriage_act,
)
from pipeline.synth.names import Place, Spelled
from pipeline.synth.sample import OFFICER_GIVEN, OFFICER_SURNAME

Scripts = Literal["both", "ar", "lat"]

# Share of each kind among the records drawn (cumulative thresholds on one random draw).
KIND_SHARES: tuple[tuple[Kind, float], ...] = (("birth", 0.6), ("marriage", 0.2), ("death", 0.2))

_MAKERS = {"birth": random_birth_act, "marriage": random_marriage_act, "death": random_death_act}


def _names(spelled: Spelled, scripts: Scripts) -> dict[str, Any]:
    # A register in one script carries its names in that script only.
    out: dict[str, Any] = {}
    if scripts in ("both", "lat"):
        out["lat"] = spelled.lat
    if scripts in ("both", "ar"):
        out["ar"] = spelled.ar
    return out


def _place(place: Place, scripts: Scripts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if scripts != "ar":
        out["lat"] = place.fr
    if scripts != "lat":
        out["ar"] = place.ar
    return out


def _person(surname: Spelled, given: Spelled, scripts: Scripts) -> dict[str, Any]:
    return {"surname": {**_names(surname, scripts), "conf": 1.0}, "given": {**_names(given, scripts), "conf": 1.0}}


def _party(party: Party, scripts: Scripts) -> dict[str, Any]:
    """A spouse or the deceased: name, birth, parents (the father bears the party's surname)."""
    return {
        **_person(party.surname, party.given, scripts),
        "birth_date": {"value": party.born_on.isoformat(), "precision": "day"},
        "birth_place": _place(party.birth_place, scripts),
        "father": {"given": _names(party.father_given, scripts), "surname": _names(party.surname, scripts)},
        "mother": {"given": _names(party.mother_given, scripts), "surname": _names(party.mother_surname, scripts)},
    }


def _fields(act: AnyAct, scripts: Scripts) -> dict[str, Any]:
    drawn_up = {"value": act.drawn_up_at.date().isoformat()}
    if isinstance(act, MarriageAct):
        fields: dict[str, Any] = {
            "event_date": {"value": act.married_at.date().isoformat(), "precision": "day"},
            "event_time": {"value": act.married_at.strftime("%H:%M")},
            "husband": _party(act.husband, scripts),
            "wife": _party(act.wife, scripts),
        }
        for number, witness in enumerate(act.witnesses, start=1):
            fields[f"witness{number}"] = _person(witness.surname, witness.given, scripts)
        return {**fields, "drawn_up": drawn_up}
    if isinstance(act, DeathAct):
        fields = {
            **_party(act.deceased, scripts),
            "sex": {"value": act.sex},
            "event_date": {"value": act.died_at.date().isoformat(), "precision": "day"},
            "event_time": {"value": act.died_at.strftime("%H:%M")},
            "place": _place(act.place, scripts),
        }
        if act.spouse is not None:
            fields["spouse"] = _person(act.spouse.surname, act.spouse.given, scripts)
        fields["declarant"] = _person(act.declarant.surname, act.declarant.given, scripts)
        return {**fields, "drawn_up": drawn_up}
    return {
        **_person(act.surname, act.given, scripts),
        "sex": {"value": act.sex},
        "event_date": {"value": act.born_at.date().isoformat(), "precision": "day"},
        "event_time": {"value": act.born_at.strftime("%H:%M")},
        "place": _place(act.place, scripts),
        "father": {"given": _names(act.father_given, scripts), "surname": _names(act.surname, scripts)},
        "mother": {"given": _names(act.mother_given, scripts), "surname": _names(act.mother_surname, scripts)},
        "drawn_up": drawn_up,
    }


def record_from_act(act: AnyAct, *, register: SynthRegister, scripts: Scripts = "both") -> dict[str, Any]:
    return {
        "act_id": make_act_id(commune_code=register.commune_code, kind=act.kind, year=register.year,
                              series=register.series, number=act.number, suffix=act.suffix),
        "kind": act.kind,
        "register": {"commune_code": register.commune_code,
                     "commune": {"fr": register.commune.fr, "ar": register.commune.ar},
                     "year": register.year, "series": register.series, "lang": register.lang},
        "number": act.number,
        "suffix": act.suffix,
        "fields": _fields(act, scripts),
        "review": {"status": "auto", "reasons": []},
        "revision": 1,
    }


def _draw_kind(rng: random.Random, shares: tuple[tuple[Kind, float], ...]) -> Kind:
    draw = rng.random() * sum(share for _, share in shares)
    for kind, share in shares:
        if draw < share:
            return kind
        draw -= share
    return shares[-1][0]


def synthetic_records(*, count: int, seed: int, communes: int = 50, years: tuple[int, int] = (1950, 2020),
                      scripts: Scripts = "both",
                      kinds: tuple[tuple[Kind, float], ...] = KIND_SHARES) -> Iterator[dict[str, Any]]:
    """`count` distinct records spread over communes, years and kinds (shares `kinds`; act
    numbers unique within each register, i.e. per commune, kind and year). Deterministic
    for a seed."""
    rng = random.Random(f"sijil-synth-records:{seed}")
    next_number: dict[tuple[str, str, int], int] = {}
    for _ in range(count):
        commune_code = f"{1601 + rng.randrange(communes):04d}"
        year = rng.randint(*years)
        kind = _draw_kind(rng, kinds)
        register = SynthRegister(commune_code=commune_code, year=year, kind=kind)
        number = next_number.get((commune_code, kind, year), 1)
        next_number[(commune_code, kind, year)] = number + 1
        act = _MAKERS[kind](rng=rng, register=register, number=number,
                            drawn_up_on=dt.date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)),
                            officer_surname=OFFICER_SURNAME, officer_given=OFFICER_GIVEN, mention_share=0.0)
        yield record_from_act(act, register=register, scripts=scripts)
