"""Act records (REGISTERS.md "Record"): identity, validation, and corrections.

A record is a JSON document, one per act_id, kept as a versioned object in MinIO. This
module is pure: it builds ids, validates records (from extraction or from an import) and
applies a correction to a record, returning the next revision. It never erases a value: a
correction keeps the machine reading beside the new value, and the history of the record
says who changed what, when, from what, to what, and why.
"""

from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import SijilError

KIND_LETTERS = {"birth": "N", "marriage": "M", "death": "D"}
SUFFIXES = ("bis", "ter", "quater")
ACT_ID = re.compile(r"^(?P<commune>\d{4,5})-(?P<kind>[NMD])-(?P<year>\d{4})-(?P<series>\d{2})-(?P<number>\d{5})"
                    r"(?P<suffix>bis|ter|quater)?$")
REVIEW_STATUSES = ("auto", "needs_review", "verified")


class RecordError(SijilError):
    """A record does not follow the schema, or a correction cannot apply."""


class StaleEdit(SijilError):
    """The record changed since the editor read it; the edit was refused, nothing was lost."""


def make_act_id(*, commune_code: str, kind: str, year: int, series: int, number: int, suffix: str | None = None) -> str:
    """The natural key: {commune}-{N|M|D}-{year}-{series:02d}-{number:05d}{suffix}."""
    if kind not in KIND_LETTERS:
        raise RecordError(f"Unknown act kind {kind!r} (birth, marriage or death)")
    if suffix is not None and suffix not in SUFFIXES:
        raise RecordError(f"Unknown act number suffix {suffix!r} (bis, ter or quater)")
    return f"{commune_code}-{KIND_LETTERS[kind]}-{year:04d}-{series:02d}-{number:05d}{suffix or ''}"


class _Open(BaseModel):
    # Field values carry what extraction knows (conf, bbox, page, as_written, ocr…);
    # the schema fixes the identity, not every annotation.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Commune(_Open):
    fr: str | None = None
    ar: str | None = None


class RegisterRef(_Open):
    commune_code: str = Field(pattern=r"^\d{4,5}$")
    commune: Commune = Commune()
    year: int = Field(ge=1830, le=2100)
    series: int = Field(ge=1, le=99)
    lang: Literal["fr", "ar", "fr+ar"] = "fr+ar"
    volume: int | None = None


class Review(_Open):
    status: Literal["auto", "needs_review", "verified"] = "needs_review"
    reasons: list[str] = []


class ActRecord(_Open):
    act_id: str
    kind: Literal["birth", "marriage", "death"]
    # "register" is also a method every pydantic model inherits (from ABCMeta): alias it.
    register_: RegisterRef = Field(alias="register")
    number: int = Field(ge=1, le=99999)
    suffix: Literal["bis", "ter", "quater"] | None = None
    fields: dict[str, dict[str, Any]] = {}
    mentions: list[dict[str, Any]] = []
    source: dict[str, Any] | None = None
    review: Review = Review()
    revision: int = Field(default=1, ge=1)
    history: list[dict[str, Any]] = []

    @field_validator("act_id")
    @classmethod
    def _act_id_shape(cls, value: str) -> str:
        if not ACT_ID.match(value):
            raise ValueError("act_id must look like 1601-N-1987-01-00452 (commune-kind-year-series-number[bis|ter|quater])")
        return value

    @model_validator(mode="after")
    def _act_id_matches_content(self) -> "ActRecord":
        register = self.register_
        expected = make_act_id(commune_code=register.commune_code, kind=self.kind, year=register.year,
                               series=register.series, number=self.number, suffix=self.suffix)
        if self.act_id != expected:
            raise ValueError(f"act_id {self.act_id} does not match its register, kind and number ({expected})")
        return self


def validate_record(document: dict[str, Any]) -> dict[str, Any]:
    """The record as a plain dict, checked against the schema; every problem named."""
    try:
        return ActRecord.model_validate(document).model_dump(mode="json", by_alias=True)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'record'}: {err['msg']}" for err in exc.errors())
        raise RecordError(f"Invalid record {document.get('act_id', '?')}: {problems}") from exc


# --- What a person may correct: the fields of each act kind ----------------------------
# A tree per kind: a group (dict) holds leaves; a leaf names the kind of value it takes.
# Names and places are written in two scripts (leaves `lat`, `ar`); dates, hours, sex and
# the act number have one `value`. The fields are the ones extraction writes
# (pipeline/extract: acts.record_fields, kinds.FORMS) and REGISTERS.md lists.
_NAME = {"lat": "lat", "ar": "ar"}
_DATE = {"value": "date"}
_TIME = {"value": "time"}
_SEX = {"value": "sex"}
_PERSON = {"surname": _NAME, "given": _NAME, "occupation": _NAME}
_PARTY = {**_PERSON, "birth_date": _DATE, "birth_place": _NAME, "father": _PERSON, "mother": _PERSON}
_CLOSING = {"act_number": {"value": "number"}, "drawn_up": {"value": "date", "time": "time"}, "officer": _PERSON}
FIELD_SCHEMA: dict[str, dict[str, Any]] = {
    "birth": {"surname": _NAME, "given": _NAME, "sex": _SEX, "event_date": _DATE, "event_time": _TIME,
              "place": _NAME, "residence": _NAME, "father": _PERSON, "mother": _PERSON, **_CLOSING},
    "marriage": {"event_date": _DATE, "event_time": _TIME, "husband": _PARTY, "wife": _PARTY,
                 "witness1": _PERSON, "witness2": _PERSON, **_CLOSING},
    "death": {**_PARTY, "sex": _SEX, "event_date": _DATE, "event_time": _TIME, "place": _NAME, "residence": _NAME,
              "spouse": _PERSON, "declarant": _PERSON, **_CLOSING},
}
KIND_NAMES = {"birth": "naissance / birth", "marriage": "mariage / marriage", "death": "décès / death"}
# Marks a person leaves on a group of values: which of its leaves they corrected or confirmed.
PERSON_MARKS = ("corrected", "verified")
# Leaves that describe a reading (how sure, where) rather than say what the act says.
READING_DETAILS = frozenset({"conf", "conf_by_script", "bbox", "page", "notes", "time_conf", "as_written"})


class InvalidCorrection(RecordError):
    """A correction or a confirmation names a field the act does not have, or a badly formed value."""


class FieldPathError(InvalidCorrection):
    """The field path is not one of the fields of this kind of act."""


class FieldValueError(InvalidCorrection):
    """The value does not have the form the field takes (date, hour, sex, number, script)."""


def _leaf_paths(node: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for name, child in node.items():
        path = f"{prefix}{name}"
        out.extend(_leaf_paths(child, f"{path}.") if isinstance(child, dict) else [path])
    return out


def field_paths(kind: str) -> list[str]:
    """Every path a person can correct in an act of `kind` (`event_date`, not `event_date.value`)."""
    return [p.removesuffix(".value") for p in _leaf_paths(FIELD_SCHEMA[kind])]


def _script_of(text: str) -> str | None:
    """"lat", "ar", "mixed" or None (no letters), from the letters of `text`."""
    scripts = set()
    for ch in text:
        if unicodedata.category(ch)[0] in "LM":
            name = unicodedata.name(ch, "")
            scripts.add("ar" if name.startswith("ARABIC") else "lat" if name.startswith("LATIN") else "other")
    if not scripts:
        return None
    return scripts.pop() if len(scripts) == 1 else "mixed"


def resolve_field(kind: str, path: str, *, value: str | None = None) -> tuple[str, str]:
    """(leaf path as stored, kind of value) for a path a person typed. `event_date` means
    its `value`; a name or place given without its script leaf (`surname`) goes to the
    leaf of the value's script (`surname.ar` for an Arabic value), and without a value
    (a confirmation) it stays the group. Unknown paths are refused with the closest ones."""
    if kind not in FIELD_SCHEMA:
        raise RecordError(f"Unknown act kind {kind!r}")
    parts = path.strip().split(".") if path.strip() else []
    node: Any = FIELD_SCHEMA[kind]
    for depth, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            known = field_paths(kind)
            close = difflib.get_close_matches(path, known, n=3, cutoff=0.6)
            suggestion = f" Vouliez-vous dire / did you mean: {', '.join(close)}?" if close else ""
            raise FieldPathError(
                f"Champ inconnu / unknown field « {path} » pour un acte de {KIND_NAMES[kind]}.{suggestion}",
                hint="Champs possibles / known fields: " + ", ".join(known))
        node = node[part]
    if not parts:
        raise FieldPathError("Champ vide / empty field path.", hint="e.g. surname.lat, given.ar, event_date")
    if isinstance(node, str):
        return path, node
    if set(node) == {"lat", "ar"}:
        if value is None:
            return path, "group"
        script = _script_of(value)
        if script not in ("lat", "ar"):
            raise FieldPathError(
                f"« {path} » s'écrit en deux écritures / is written in two scripts: dites laquelle / say which: "
                f"{path}.lat (latin / Latin) ou/or {path}.ar (arabe / Arabic).")
        # The value's script says which leaf it is (documented in README's commands table).
        return f"{path}.{script}", script
    if "value" in node:
        return f"{path}.value", node["value"]
    below = [f"{path}.{p}" for p in field_paths_of(node)]
    raise FieldPathError(f"« {path} » est un groupe / is a group of fields: dites lequel / say which one.",
                         hint=", ".join(below))


def field_paths_of(node: dict[str, Any]) -> list[str]:
    return [p.removesuffix(".value") for p in _leaf_paths(node)]


_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_HOUR = re.compile(r"^(\d{1,2}):(\d{2})$")


def normalise_value(value: str, *, kind: str, path: str, record: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """(the value as stored, other leaves it sets) — or FieldValueError saying what is
    allowed. Dates: ISO YYYY-MM-DD (a real day), or a presumed YYYY-MM / YYYY; a French
    DD/MM/YYYY is turned into ISO. Hours HH:MM. Sex M/F. Names: the leaf's script."""
    text = value.strip()
    path = _display(path)  # as the person typed it: event_date, not event_date.value
    if not text:
        raise FieldValueError(f"Valeur vide / empty value for {path}.")
    if kind == "date":
        french = _FRENCH_DATE.match(text)
        if french:
            text = f"{french.group(3)}-{int(french.group(2)):02d}-{int(french.group(1)):02d}"
        partial = _ISO_PARTIAL.match(text)
        try:
            if partial:
                year, month = int(partial.group(1)), partial.group(2)
                if month is not None and not 1 <= int(month) <= 12:
                    raise ValueError
                stored, precision = text, "month" if month else "year"
            else:
                stored, precision = date.fromisoformat(text).isoformat(), "day"
                if len(text) != 10:
                    raise ValueError
                year = int(stored[:4])
            if not 1800 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise FieldValueError(
                f"Date invalide / invalid date for {path}: « {value} ».",
                hint="AAAA-MM-JJ, un jour qui existe / YYYY-MM-DD, a real day (e.g. 1987-03-14); "
                     "JJ/MM/AAAA est converti / DD/MM/YYYY is converted; AAAA ou/or AAAA-MM pour une date "
                     "présumée / for a presumed date.") from None
        # Every date is a `value` leaf: its precision (day, or presumed month/year) goes beside it.
        return stored, {"precision": precision}
    if kind == "time":
        hour = _HOUR.match(text)
        if not hour or int(hour.group(1)) > 23 or int(hour.group(2)) > 59:
            raise FieldValueError(f"Heure invalide / invalid hour for {path}: « {value} ».",
                                  hint="HH:MM, de/from 00:00 à/to 23:59 (e.g. 10:30)")
        return f"{int(hour.group(1)):02d}:{hour.group(2)}", {}
    if kind == "sex":
        if text.upper() not in ("M", "F"):
            raise FieldValueError(f"Sexe invalide / invalid sex for {path}: « {value} ».",
                                  hint="M (masculin / male) ou/or F (féminin / female)")
        return text.upper(), {}
    if kind == "number":
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 99999:
            raise FieldValueError(f"Numéro d'acte invalide / invalid act number: « {value} ».",
                                  hint="un entier de 1 à 99999 / an integer from 1 to 99999")
        if int(text) != record["number"]:
            # The number is part of the natural key: another number is another act_id.
            raise FieldValueError(
                f"Le numéro {text} n'est pas celui de l'acte {record['act_id']} / number {text} is not this act's "
                f"({record['number']}): le numéro fait partie de l'identifiant / it is part of the act id.",
                hint="Un acte mal numéroté se renumérote à part / a misnumbered act is renumbered separately; "
                     "`sijil records verify` confirme le numéro lu / confirms the number read.")
        return int(text), {}
    if kind in ("lat", "ar"):
        script = _script_of(text)
        if script != kind or any(ch.isdigit() for ch in text):
            french, english = ("latine", "Latin") if kind == "lat" else ("arabe", "Arabic")
            other = path[: -len(kind)] + ("ar" if kind == "lat" else "lat")
            raise FieldValueError(
                f"« {value} » n'est pas en écriture {french} (sans chiffres) / is not in {english} script "
                f"(no digits), as {path} takes.",
                hint=f"Une valeur dans l'autre écriture va dans / a value in the other script goes to {other}.")
        return text, {}
    return text, {}


def _holder(fields: dict[str, Any], leaf_path: str, *, create: bool) -> tuple[dict[str, Any], str]:
    """The dict holding a leaf, and the leaf's key in it."""
    *heads, key = leaf_path.split(".")
    holder = fields
    for head in heads:
        child = holder.get(head)
        if child is None and create:
            child = holder[head] = {}
        if not isinstance(child, dict):
            raise RecordError(f"Field {leaf_path} cannot be reached: {head} holds no group of values")
        holder = child
    return holder, key


def _display(leaf_path: str) -> str:
    return leaf_path.removesuffix(".value")


def _reason_path(reason: str) -> str | None:
    return reason.split(":", 1)[1] if ":" in reason else None


def _related(a: str, b: str) -> bool:
    """Same field, or one inside the other (surname and surname.lat; event_date.value and event_date)."""
    a, b = _display(a), _display(b)
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def settled_reasons(reasons: list[str], kept_paths: list[str]) -> list[str]:
    """The review reasons a person's correction or confirmation of `kept_paths` answers:
    those about the same field, a field inside it, or the group holding it."""
    return [r for r in reasons if (p := _reason_path(r)) is not None and any(_related(p, k) for k in kept_paths)]


def _review_after(review: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    reasons = [r for r in review.get("reasons", []) if r not in settled_reasons(review.get("reasons", []), paths)]
    # REVIEW_STATUSES: "verified" once a person has answered every reason.
    return {**review, "reasons": reasons, "status": "verified" if not reasons else "needs_review"}


def _check_edit(record: dict[str, Any], *, user: str, expected_revision: int) -> None:
    if record["revision"] != expected_revision:
        raise StaleEdit(
            f"Act {record['act_id']} is now at revision {record['revision']}, not {expected_revision}: "
            "someone changed it since you read it. Nothing was written. / L'acte a changé depuis votre lecture; "
            "rien n'a été écrit.",
            hint="Read the act again, check the other change, then correct it again.",
        )
    if not user.strip():
        raise InvalidCorrection("Une correction dit qui la fait / a correction needs the name of the person (--user).")


def _mark(holder: dict[str, Any], mark: str, keys: list[str], *, user: str, when: str, revision: int) -> None:
    earlier = holder.get(mark) or {}
    if earlier and "keys" not in earlier:
        known = list(_machine_reading(holder))  # marked before marks listed leaves: the whole group was the person's
    else:
        known = earlier.get("keys", [])
    holder[mark] = {"by": user, "at": when, "revision": revision, "keys": sorted({*known, *keys})}


def _machine_reading(holder: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in holder.items() if k not in (*PERSON_MARKS, "ocr") and not isinstance(v, dict)}


def apply_correction(record: dict[str, Any], *, field: str, value: str, reason: str, user: str,
                     expected_revision: int, now: datetime | None = None) -> dict[str, Any]:
    """The next revision of `record` with `field` set to `value`, checked against the
    fields of the act's kind (FieldPathError, FieldValueError). Refuses a stale edit (the
    editor saw another revision), an empty reason or user."""
    _check_edit(record, user=user, expected_revision=expected_revision)
    if not reason.strip():
        raise InvalidCorrection("Une correction dit pourquoi / a correction needs a reason (--reason).")
    leaf_path, value_kind = resolve_field(record["kind"], field, value=value)
    stored, also = normalise_value(value, kind=value_kind, path=leaf_path, record=record)
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    revision = record["revision"] + 1
    updated = copy.deepcopy(record)
    holder, key = _holder(updated["fields"], leaf_path, create=True)
    old = holder.get(key)
    if "ocr" not in holder and _machine_reading(holder):
        # Keep the machine reading (value, confidence, box) beside every later correction.
        holder["ocr"] = _machine_reading(holder)
    holder[key] = stored
    holder.update(also)
    _mark(holder, "corrected", [key, *also], user=user, when=when, revision=revision)
    updated["revision"] = revision
    updated["history"] = [*record.get("history", []), {
        "revision": revision, "at": when, "by": user, "field": _display(leaf_path), "old": old, "new": stored,
        "why": reason,
    }]
    updated["review"] = _review_after(updated["review"], [leaf_path])
    return updated


def apply_verification(record: dict[str, Any], *, field: str, user: str, expected_revision: int,
                       reason: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The next revision of `record` with the machine reading of `field` confirmed as right
    by `user`: unchanged value, marked verified, its review reasons answered. A name or
    place without its script leaf confirms every script read."""
    _check_edit(record, user=user, expected_revision=expected_revision)
    leaf_path, value_kind = resolve_field(record["kind"], field)
    # A name or place without its script leaf: the group itself holds the leaves.
    holder_of = f"{leaf_path}.lat" if value_kind == "group" else leaf_path
    try:
        holder, key = _holder(record["fields"], holder_of, create=False)
    except RecordError:
        holder, key = {}, ""
    if value_kind == "group":
        leaves = [f"{leaf_path}.{k}" for k in ("lat", "ar") if holder.get(k)]
    else:
        leaves = [leaf_path] if holder.get(key) is not None else []
    if not leaves:
        raise InvalidCorrection(f"Rien n'a été lu dans / nothing was read in « {field} »: rien à confirmer / "
                                "nothing to confirm.", hint="Saisissez la valeur / enter it: sijil records correct")
    for leaf in leaves:
        kind = leaf.split(".")[-1] if value_kind == "group" else value_kind
        normalise_value(str(holder[leaf.split(".")[-1]]), kind=kind, path=leaf, record=record)
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    revision = record["revision"] + 1
    updated = copy.deepcopy(record)
    target, _ = _holder(updated["fields"], leaves[0], create=False)
    _mark(target, "verified", [leaf.split(".")[-1] for leaf in leaves], user=user, when=when, revision=revision)
    values = {_display(leaf): target[leaf.split(".")[-1]] for leaf in leaves}
    shown = next(iter(values.values())) if len(values) == 1 else values
    entry = {"revision": revision, "at": when, "by": user, "field": _display(leaf_path), "old": shown, "new": shown,
             "why": "verified"}
    if reason and reason.strip():
        entry["note"] = reason.strip()
    updated["revision"] = revision
    updated["history"] = [*record.get("history", []), entry]
    updated["review"] = _review_after(updated["review"], leaves)
    return updated


# --- A new machine reading of an act that people have already worked on -----------------

def _kept_keys(holder: dict[str, Any]) -> set[str] | None:
    """The leaves of `holder` a person corrected, confirmed or keyed; None: all of it."""
    if holder.get("source") == "import":
        return None
    keys: set[str] = set()
    for mark in PERSON_MARKS:
        if holder.get(mark):
            if "keys" not in holder[mark]:
                return None  # marked before marks listed their leaves: the whole group
            keys |= set(holder[mark]["keys"])
    return keys


def person_paths(fields: dict[str, Any], prefix: str = "") -> list[str]:
    """Paths of the values a person corrected, confirmed or keyed, at any depth."""
    out = []
    for name, value in fields.items():
        if not isinstance(value, dict) or name == "ocr" or name in PERSON_MARKS:
            continue
        path = f"{prefix}{name}"
        kept = _kept_keys(value)
        if kept is None:
            out.append(path)
            continue
        out.extend(f"{path}.{k}" for k in sorted(kept))
        out.extend(person_paths(value, f"{path}."))
    return out


def merge_reading(current: Any, new: Any) -> Any:
    """A field as a new machine reading gives it, except what a person corrected, confirmed
    or keyed: those leaves stay, at any depth, and the new machine reading of a group holding
    them goes in its `ocr`, beside them."""
    if not isinstance(current, dict) or not isinstance(new, dict):
        return new
    kept = _kept_keys(current)
    if kept is None:
        merged = dict(current)
        if _machine_reading(new) and "ocr" in current:
            merged["ocr"] = _machine_reading(new)
        return merged
    if not kept and not person_paths(current):
        return new
    merged = dict(new)
    for key, value in current.items():
        if key in kept or key in PERSON_MARKS:
            merged[key] = value
        elif isinstance(value, dict) and key != "ocr" and (person_paths({key: value})):
            merged[key] = merge_reading(value, new.get(key)) if isinstance(new.get(key), dict) else value
    if kept:
        merged["ocr"] = _machine_reading(new)
    return merged


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, child in value.items():
        if key in READING_DETAILS or key in PERSON_MARKS or key == "ocr":
            continue
        out.update(_flat(child, f"{prefix}.{key}" if prefix else key))
    return out


def changed_values(old_fields: dict[str, Any], new_fields: dict[str, Any], *, limit: int = 20
                   ) -> tuple[list[dict[str, Any]], int]:
    """(up to `limit` changes as {field, old, new}, how many leaves changed in all), the
    values only: confidences and boxes moving are not changes of what the act says."""
    old, new = _flat(old_fields, ""), _flat(new_fields, "")
    paths = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    return [{"field": _display(p), "old": old.get(p), "new": new.get(p)} for p in paths[:limit]], len(paths)


def weakest_field(fields: dict, prefix: str = "") -> tuple[str, float] | None:
    """The field read with the lowest confidence, at any depth (a person's correction or
    confirmation of it no longer counts as a doubt)."""
    weakest = None
    for name, value in fields.items():
        if not isinstance(value, dict) or name in ("ocr", "corrected", "verified"):
            continue
        path = f"{prefix}{name}"
        conf = value.get("conf")
        if isinstance(conf, (int, float)) and not value.get("corrected") and not value.get("verified") \
                and (weakest is None or conf < weakest[1]):
            weakest = (path, float(conf))
        below = weakest_field(value, f"{path}.")
        if below is not None and (weakest is None or below[1] < weakest[1]):
            weakest = below
    return weakest
