"""Act records in MinIO (the system of record) and in the act index: read, save, correct,
import. This is the Python API the CLI and the web service call.

Each record is the object `acts/{act_id}.json` in the records bucket; every change is a
new object version written with a compare-and-swap on the version the editor read, so
two people correcting one act at once cannot silently overwrite each other.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from elasticsearch import Elasticsearch

from pipeline.errors import SijilError
from pipeline.records import (
    RecordError,
    StaleEdit,
    apply_correction,
    apply_verification,
    changed_values,
    merge_reading,
    person_paths,
    settled_reasons,
    validate_record,
)
from search.acts import index_acts
from storage.objects import ObjectStore, StaleWrite


def record_key(act_id: str) -> str:
    return f"acts/{act_id}.json"


@dataclass(frozen=True)
class StoredRecord:
    record: dict[str, Any]
    etag: str
    version_id: str | None


def _encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def load_record(store: ObjectStore, *, bucket: str, act_id: str) -> StoredRecord:
    current = store.current_etag(bucket, record_key(act_id))
    if current is None:
        raise RecordError(f"Aucun acte {act_id} dans les registres numérisés / no act {act_id} in the records.",
                          hint="Vérifiez l'identifiant / check the act id (ex. 1601-N-1987-01-00452).")
    etag, version_id = current
    data = store.get_bytes(bucket, record_key(act_id), version_id=version_id)
    return StoredRecord(json.loads(data), etag, version_id)


def record_history(store: ObjectStore, *, bucket: str, act_id: str) -> list[dict[str, Any]]:
    """Every stored version of a record, oldest first."""
    versions = store.list_versions(bucket, record_key(act_id))
    documents = [json.loads(store.get_bytes(bucket, record_key(act_id), version_id=v.version_id)) for v in versions]
    return sorted(documents, key=lambda d: d.get("revision", 0))


def _write_edit(store: ObjectStore, es: Elasticsearch, *, bucket: str, index_prefix: str, stored: StoredRecord,
                updated: dict[str, Any]) -> dict[str, Any]:
    act_id = updated["act_id"]
    try:
        store.put_if(bucket, record_key(act_id), _encode(updated), expected_etag=stored.etag)
    except StaleWrite as exc:
        raise StaleEdit(f"Act {act_id} was changed by someone else while you were correcting it. Nothing was written.",
                        hint="Read the act again and redo the correction.") from exc
    index_acts(es, index_prefix=index_prefix, records=[updated])
    return updated


def correct_record(store: ObjectStore, es: Elasticsearch, *, bucket: str, index_prefix: str, act_id: str,
                   field: str, value: str, reason: str, user: str, expected_revision: int) -> dict[str, Any]:
    """Correct one field: a new record version (history: who, when, old, new, why; the OCR
    value kept), then the act re-indexed. The field must be one of the act kind's and the
    value well formed (records.FieldPathError, FieldValueError). A stale edit is refused
    and nothing is written."""
    stored = load_record(store, bucket=bucket, act_id=act_id)
    updated = apply_correction(stored.record, field=field, value=value, reason=reason, user=user,
                               expected_revision=expected_revision)
    return _write_edit(store, es, bucket=bucket, index_prefix=index_prefix, stored=stored, updated=updated)


def verify_record(store: ObjectStore, es: Elasticsearch, *, bucket: str, index_prefix: str, act_id: str,
                  field: str, user: str, expected_revision: int, reason: str | None = None) -> dict[str, Any]:
    """Confirm the machine reading of one field as right, unchanged: a new record version
    (history: who, when, the value, why "verified"), its review reasons answered, the act
    re-indexed. A stale confirmation is refused like a stale correction."""
    stored = load_record(store, bucket=bucket, act_id=act_id)
    updated = apply_verification(stored.record, field=field, user=user, expected_revision=expected_revision,
                                 reason=reason)
    return _write_edit(store, es, bucket=bucket, index_prefix=index_prefix, stored=stored, updated=updated)


@dataclass(frozen=True)
class UpsertOutcome:
    act_id: str
    action: str  # "created" | "updated" | "unchanged"
    revision: int


def upsert_record(store: ObjectStore, *, bucket: str, record: dict[str, Any], user: str, reason: str) -> UpsertOutcome:
    """Create the record, or merge fields into the existing one as a new revision (keyed
    data completes a scanned act; nothing in it is erased: a replaced value is kept in
    the history)."""
    record = validate_record(record)
    act_id = record["act_id"]
    try:
        stored = load_record(store, bucket=bucket, act_id=act_id)
    except RecordError:
        stored = None
    if stored is None:
        store.put_if(bucket, record_key(act_id), _encode(record), expected_etag=None)
        return UpsertOutcome(act_id, "created", record["revision"])
    current = stored.record
    merged = dict(current)
    changes = []
    for name, value in record["fields"].items():
        if current["fields"].get(name) != value:
            changes.append({"field": name, "old": current["fields"].get(name), "new": value})
            merged["fields"] = {**merged["fields"], name: value}
    for key in ("mentions",):
        if record.get(key) and record[key] != current.get(key):
            changes.append({"field": key, "old": current.get(key), "new": record[key]})
            merged[key] = record[key]
    if not changes:
        return UpsertOutcome(act_id, "unchanged", current["revision"])
    merged["revision"] = current["revision"] + 1
    merged["history"] = [*current.get("history", []),
                         *({"revision": merged["revision"], "by": user, "why": reason, **c} for c in changes)]
    store.put_if(bucket, record_key(act_id), _encode(validate_record(merged)), expected_etag=stored.etag)
    return UpsertOutcome(act_id, "updated", merged["revision"])


def iter_records(store: ObjectStore, *, bucket: str) -> Iterator[dict[str, Any]]:
    """The current version of every record (for reindexing)."""
    for key in store.list_keys(bucket, "acts/"):
        yield json.loads(store.get_bytes(bucket, key))


class ImportFileError(SijilError):
    """A line of an import file is not a valid record."""


def read_import_file(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) from JSON Lines, or from CSV with flat columns
    (act_id, kind, commune_code, commune_fr, commune_ar, year, series, number, suffix,
    surname_lat, surname_ar, given_lat, given_ar, sex, event_date, place_lat, place_ar…)."""
    if path.suffix.lower() == ".jsonl":
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ImportFileError(f"{path.name} line {number}: not valid JSON ({exc.msg})") from exc
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                yield number, record_from_csv_row(row)
    else:
        raise ImportFileError(f"{path.name}: give a .jsonl or a .csv file")


BILINGUAL_CSV_FIELDS = ("surname", "given", "place")
VALUE_CSV_FIELDS = ("sex", "event_date", "event_time", "drawn_up")


def record_from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    def text(key: str) -> str | None:
        value = (row.get(key) or "").strip()
        return value or None

    fields: dict[str, Any] = {}
    for name in BILINGUAL_CSV_FIELDS:
        pair = {k: v for k, v in (("lat", text(f"{name}_lat")), ("ar", text(f"{name}_ar"))) if v}
        if pair:
            fields[name] = {**pair, "source": "import"}
    for name in VALUE_CSV_FIELDS:
        if text(name):
            fields[name] = {"value": text(name), "source": "import"}
    return {
        "act_id": text("act_id"), "kind": text("kind"),
        "register": {"commune_code": text("commune_code"), "commune": {"fr": text("commune_fr"), "ar": text("commune_ar")},
                     "year": int(text("year") or 0), "series": int(text("series") or 0), "lang": text("lang") or "fr+ar"},
        "number": int(text("number") or 0), "suffix": text("suffix"),
        "fields": fields,
        # Keyed by a person from a register: verified unless the file says otherwise.
        "review": {"status": text("review_status") or "verified", "reasons": []},
    }


def rebuild_act_index(store: ObjectStore, es: Elasticsearch, *, bucket: str, index_prefix: str,
                      chunk: int = 5000) -> int:
    """Drop the act index and build it again from the records in MinIO."""
    from search.acts import acts_index_name, bulk_loading, ensure_acts_index
    from search.client import translated

    name = acts_index_name(index_prefix)
    with translated(f"Dropping index {name}"):
        es.options(ignore_status=404).indices.delete(index=name)
    ensure_acts_index(es, index_prefix=index_prefix)
    total = 0
    batch: list[dict[str, Any]] = []
    # No refresh and an async translog while loading: the index is rebuilt from MinIO, so a
    # crash mid-way loses nothing that a second rebuild would not restore. bulk_loading puts
    # the defaults back and refreshes once at the end.
    with bulk_loading(es, index=name):
        for record in iter_records(store, bucket=bucket):
            batch.append(record)
            if len(batch) >= chunk:
                total += index_acts(es, index_prefix=index_prefix, records=batch, refresh=False)
                batch = []
        if batch:
            total += index_acts(es, index_prefix=index_prefix, records=batch, refresh=False)
    return total


def save_extracted(store: ObjectStore, *, bucket: str, record: dict[str, Any], now: datetime | None = None) -> str:
    """Store a record read from the pages: created, or merged into the existing record as
    a new revision — values a person corrected, confirmed or keyed (import) are never
    replaced by a machine reading, at any depth (records.merge_reading), and the review
    reasons they answered stay answered. Returns "created", "updated" or "unchanged"
    (re-runs add nothing). The history says when and which values changed."""
    record = validate_record(record)
    try:
        stored = load_record(store, bucket=bucket, act_id=record["act_id"])
    except RecordError:
        store.put_if(bucket, record_key(record["act_id"]), _encode(record), expected_etag=None)
        return "created"
    current = stored.record
    merged = dict(current)
    fields = dict(current["fields"])
    for name, value in record["fields"].items():
        fields[name] = merge_reading(fields.get(name), value)
    merged["fields"] = fields
    merged["mentions"] = record["mentions"] or current.get("mentions", [])
    merged["source"] = record["source"]
    kept = person_paths(fields)
    answered = settled_reasons(record["review"]["reasons"], kept)
    reasons = [r for r in record["review"]["reasons"] if r not in answered]
    if reasons:
        merged["review"] = {**record["review"], "reasons": reasons, "status": "needs_review"}
    elif kept or current["review"].get("status") == "verified":
        merged["review"] = {**record["review"], "reasons": [], "status": "verified"}
    else:
        merged["review"] = record["review"]
    comparable = ("fields", "mentions", "source", "review")
    if all(merged.get(k) == current.get(k) for k in comparable):
        return "unchanged"
    changes, count = changed_values(current["fields"], fields)
    if merged["mentions"] != current.get("mentions", []):
        changes.append({"field": "mentions", "old": len(current.get("mentions", [])), "new": len(merged["mentions"])})
        count += 1
    merged["revision"] = current["revision"] + 1
    merged["history"] = [*current.get("history", []), {
        "revision": merged["revision"], "at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "by": "sijil", "why": "read again from the pages",
        # The changed paths; each leaf's old and new value in `changes` (bounded), and the
        # count of all: a re-reading of a long act stays readable.
        "field": ", ".join(c["field"] for c in changes) or "(confidences, boxes, source)",
        "changes": changes, "changed": count,
    }]
    store.put_if(bucket, record_key(record["act_id"]), _encode(validate_record(merged)), expected_etag=stored.etag)
    return "updated"
