"""Synthetic act records (REGISTERS.md "Record") for search tests, name evaluation and
the search benchmark: the acts the page generator draws, as records, without pages."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any, Literal

from pipeline.records import make_act_id
from pipeline.synth.acts import SynthAct, SynthRegister, random_birth_act
from pipeline.synth.sample import OFFICER_GIVEN, OFFICER_SURNAME

Scripts = Literal["both", "ar", "lat"]


def _names(spelled, scripts: Scripts) -> dict[str, Any]:
    # A register in one script carries its names in that script only.
    out: dict[str, Any] = {}
    if scripts in ("both", "lat"):
        out["lat"] = spelled.lat
    if scripts in ("both", "ar"):
        out["ar"] = spelled.ar
    return out


def record_from_act(act: SynthAct, *, register: SynthRegister, scripts: Scripts = "both") -> dict[str, Any]:
    return {
        "act_id": make_act_id(commune_code=register.commune_code, kind=act.kind, year=register.year,
                              series=register.series, number=act.number, suffix=act.suffix),
        "kind": act.kind,
        "register": {"commune_code": register.commune_code,
                     "commune": {"fr": register.commune.fr, "ar": register.commune.ar},
                     "year": register.year, "series": register.series, "lang": register.lang},
        "number": act.number,
        "suffix": act.suffix,
        "fields": {
            "surname": {**_names(act.surname, scripts), "conf": 1.0},
            "given": {**_names(act.given, scripts), "conf": 1.0},
            "sex": {"value": act.sex},
            "event_date": {"value": act.born_at.date().isoformat(), "precision": "day"},
            "event_time": {"value": act.born_at.strftime("%H:%M")},
            "place": {k: v for k, v in (("lat", act.place.fr), ("ar", act.place.ar))
                      if (k == "lat" and scripts != "ar") or (k == "ar" and scripts != "lat")},
            "father": {"given": _names(act.father_given, scripts), "surname": _names(act.surname, scripts)},
            "mother": {"given": _names(act.mother_given, scripts), "surname": _names(act.mother_surname, scripts)},
            "drawn_up": {"value": act.drawn_up_at.date().isoformat()},
        },
        "review": {"status": "auto", "reasons": []},
        "revision": 1,
    }


def synthetic_records(*, count: int, seed: int, communes: int = 50, years: tuple[int, int] = (1950, 2020),
                      scripts: Scripts = "both") -> Iterator[dict[str, Any]]:
    """`count` distinct birth records spread over communes and years (act numbers unique
    within each register). Deterministic for a seed."""
    rng = random.Random(f"sijil-synth-records:{seed}")
    next_number: dict[tuple[str, int], int] = {}
    for _ in range(count):
        commune_code = f"{1601 + rng.randrange(communes):04d}"
        year = rng.randint(*years)
        register = SynthRegister(commune_code=commune_code, year=year)
        number = next_number.get((commune_code, year), 1)
        next_number[(commune_code, year)] = number + 1
        act = random_birth_act(rng=rng, register=register, number=number, drawn_up_on=dt.date(year, 1 + rng.randrange(12), 1 + rng.randrange(28)),
                               officer_surname=OFFICER_SURNAME, officer_given=OFFICER_GIVEN, mention_share=0.0)
        yield record_from_act(act, register=register, scripts=scripts)
