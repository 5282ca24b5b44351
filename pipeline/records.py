"""Act records (REGISTERS.md "Record"): identity, validation, and corrections.

A record is a JSON document, one per act_id, kept as a versioned object in MinIO. This
module is pure: it builds ids, validates records (from extraction or from an import) and
applies a correction to a record, returning the next revision. It never erases a value: a
correction keeps the machine reading beside the new value, and the history of the record
says who changed what, when, from what, to what, and why.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
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


def _leaf(fields: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The dict holding the corrected value and the key inside it, from a dotted path:
    `surname.lat`, `father.given.ar`, `event_date` (→ its `value`)."""
    parts = path.split(".")
    if not parts[0]:
        raise RecordError("Empty field name")
    holder = fields.setdefault(parts[0], {})
    for part in parts[1:-1]:
        holder = holder.setdefault(part, {})
    key = parts[-1] if len(parts) > 1 else "value"
    if len(parts) > 1 and not isinstance(holder, dict):
        raise RecordError(f"Field {path} cannot be corrected: {parts[-2]} is not a group of values")
    return holder, key


def apply_correction(record: dict[str, Any], *, field: str, value: str, reason: str, user: str,
                     expected_revision: int, now: datetime | None = None) -> dict[str, Any]:
    """The next revision of `record` with `field` set to `value`. Refuses a stale edit
    (the editor saw another revision), an empty reason or user."""
    if record["revision"] != expected_revision:
        raise StaleEdit(
            f"Act {record['act_id']} is now at revision {record['revision']}, not {expected_revision}: "
            "someone changed it since you read it. Nothing was written.",
            hint="Read the act again, check the other change, then correct it again.",
        )
    if not reason.strip() or not user.strip():
        raise RecordError("A correction needs a reason and the name of the person who makes it.")
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    updated = copy.deepcopy(record)
    holder, key = _leaf(updated["fields"], field)
    old = holder.get(key)
    if "ocr" not in holder and holder:
        # Keep the machine reading (value, confidence, box) beside every later correction.
        holder["ocr"] = {k: v for k, v in holder.items() if k != "ocr"}
    holder[key] = value
    holder["corrected"] = {"by": user, "at": when, "revision": record["revision"] + 1}
    updated["revision"] = record["revision"] + 1
    updated["history"] = [*record.get("history", []), {
        "revision": updated["revision"], "at": when, "by": user, "field": field, "old": old, "new": value,
        "why": reason,
    }]
    top = field.split(".")[0]
    reasons = [r for r in updated["review"].get("reasons", []) if r.split(":", 1)[-1] != top]
    updated["review"] = {**updated["review"], "reasons": reasons,
                         "status": "verified" if not reasons else "needs_review"}
    return updated
